//! Finding a media file by id for a viewer: the file's library must be granted, and its item
//! must be one the owning module shows the viewer (parental limit included). Files are never
//! addressed by path, so no traversal is possible.

use std::path::PathBuf;

use revenge_core::media_file;
use revenge_core::{Id, ItemRef, Viewer};
use sea_orm::EntityTrait;

use crate::{Playback, PlaybackError};

/// A file the viewer may play.
#[derive(Debug, Clone)]
pub struct PlayableFile {
    /// Its row.
    pub row: media_file::Model,
    /// Where it is.
    pub path: PathBuf,
    /// Its item, when it belongs to one.
    pub item: Option<ItemRef>,
}

impl PlayableFile {
    /// The technical metadata the scanner stored.
    pub fn info(&self) -> Option<serde_json::Value> {
        self.row
            .info
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok())
    }
}

/// The file `id` if `viewer` may play it; a hidden file is reported exactly like a missing one.
pub async fn playable(
    state: &Playback,
    viewer: &Viewer,
    id: Id,
) -> Result<PlayableFile, PlaybackError> {
    let row = media_file::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(PlaybackError::FileNotFound(id))?;
    if !viewer.can_see_library(row.library_id) {
        return Err(PlaybackError::FileNotFound(id));
    }
    let module = state
        .modules
        .iter()
        .find(|m| m.id() == row.module)
        .ok_or(PlaybackError::FileNotFound(id))?;
    let item = match row.item_id {
        Some(item_id) => Some(
            module
                .item_ref(&state.db, viewer, item_id)
                .await
                .map_err(PlaybackError::Module)?
                .ok_or(PlaybackError::FileNotFound(id))?,
        ),
        // Extras and samples carry no rating; under a parental limit unrated means hidden.
        None if viewer.max_rating_level.is_some() => return Err(PlaybackError::FileNotFound(id)),
        None => None,
    };
    let path = media_file::absolute_path(&state.db, &row)
        .await?
        .ok_or(PlaybackError::FileMissing(id))?;
    Ok(PlayableFile { row, path, item })
}
