//! The table of open sessions that the local engine and the remote client both keep: found by
//! id (which counts as use, keeping the session from going idle) or by its user+device+file key.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::{SessionInfo, SessionKey, SessionSpec, TranscodeError};

/// Open sessions by id.
pub(crate) type Table<S> = Mutex<HashMap<String, Arc<S>>>;

/// What the table needs of a session.
pub(crate) trait Tracked {
    /// The user+device+file it was opened for, if any.
    fn key(&self) -> Option<&SessionKey>;
    /// Marks it used now.
    fn touch(&self);
    /// What it plays.
    fn spec(&self) -> &SessionSpec;
    /// What its player is told.
    fn info(&self) -> &SessionInfo;
}

/// What opening a session for a key finds already open.
pub(crate) enum Existing {
    /// A session of that key playing the same: reuse it (it is marked used).
    Reuse(SessionInfo),
    /// A session of that key playing something else (another audio track, a subtitle to
    /// burn): stop this id, then open anew.
    Replace(String),
    /// Nothing: open anew.
    Nothing,
}

/// Looks for the session of `key` before one is opened with `spec`.
pub(crate) fn existing<S: Tracked>(
    table: &Table<S>,
    key: Option<&SessionKey>,
    spec: &SessionSpec,
) -> Existing {
    match key.and_then(|key| by_key(table, key)) {
        Some(session) if session.spec() == spec => {
            session.touch();
            Existing::Reuse(session.info().clone())
        }
        Some(session) => Existing::Replace(session.info().id.clone()),
        None => Existing::Nothing,
    }
}

/// The session `id`, marked used.
pub(crate) fn by_id<S: Tracked>(table: &Table<S>, id: &str) -> Result<Arc<S>, TranscodeError> {
    let session = table
        .lock()
        .ok()
        .and_then(|sessions| sessions.get(id).cloned())
        .ok_or(TranscodeError::SessionNotFound)?;
    session.touch();
    Ok(session)
}

/// The session opened for `key`, if one is open.
pub(crate) fn by_key<S: Tracked>(table: &Table<S>, key: &SessionKey) -> Option<Arc<S>> {
    table
        .lock()
        .ok()
        .and_then(|sessions| sessions.values().find(|s| s.key() == Some(key)).cloned())
}
