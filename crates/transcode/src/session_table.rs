//! The table of open sessions that the local engine and the remote client both keep: found by
//! id (which counts as use, keeping the session from going idle) or by its user+device+file key.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::{SessionKey, TranscodeError};

/// Open sessions by id.
pub(crate) type Table<S> = Mutex<HashMap<String, Arc<S>>>;

/// What the table needs of a session.
pub(crate) trait Tracked {
    /// The user+device+file it was opened for, if any.
    fn key(&self) -> Option<&SessionKey>;
    /// Marks it used now.
    fn touch(&self);
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
