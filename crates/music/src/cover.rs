//! Cover art: the picture embedded in a track, else `cover.jpg`, `folder.jpg` (and the other
//! usual names) in its folder; resized on request.

use std::path::{Path, PathBuf};

use revenge_core::artwork::{ArtKind, find_in_folder};

/// A picture to send.
#[derive(Debug, Clone)]
pub struct Picture {
    /// The image bytes.
    pub bytes: Vec<u8>,
    /// Its MIME type.
    pub mime: String,
}

/// The picture file beside a track, if there is one.
pub fn folder_picture(audio: &Path) -> Option<PathBuf> {
    find_in_folder(audio.parent()?, ArtKind::Poster).or_else(|| {
        let folder = audio.parent()?;
        ["front.jpg", "front.png", "Cover.jpg", "Folder.jpg"]
            .iter()
            .map(|name| folder.join(name))
            .find(|p| p.is_file())
    })
}

fn mime_of(path: &Path) -> &'static str {
    match path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .as_deref()
    {
        Some("png") => "image/png",
        Some("webp") => "image/webp",
        _ => "image/jpeg",
    }
}

/// The cover of the track at `audio`: embedded first (when `embedded`), then the folder's.
/// Blocking: call it off the async workers.
pub fn load(audio: &Path, embedded: bool) -> Option<Picture> {
    if embedded && let Some((bytes, mime)) = crate::tags::embedded_picture(audio) {
        return Some(Picture { bytes, mime });
    }
    let file = folder_picture(audio)?;
    let bytes = std::fs::read(&file).ok()?;
    Some(Picture {
        bytes,
        mime: mime_of(&file).to_owned(),
    })
}

/// The picture scaled to fit `size`×`size` (never enlarged), as JPEG; the original when it is
/// small enough or cannot be decoded.
pub fn resize(picture: Picture, size: u32) -> Picture {
    let Ok(image) = image::load_from_memory(&picture.bytes) else {
        return picture;
    };
    if image.width() <= size && image.height() <= size {
        return picture;
    }
    let scaled = image.thumbnail(size, size).to_rgb8();
    let mut out = std::io::Cursor::new(Vec::new());
    match scaled.write_to(&mut out, image::ImageFormat::Jpeg) {
        Ok(()) => Picture {
            bytes: out.into_inner(),
            mime: "image/jpeg".to_owned(),
        },
        Err(_) => picture,
    }
}

/// A file holding the cover of the track at `audio`, for the shared artwork service (which
/// serves files): the folder's picture, else the embedded one written once to `cache`.
pub fn as_file(audio: &Path, embedded: bool, cache: &Path) -> Option<PathBuf> {
    if embedded {
        let meta = std::fs::metadata(audio).ok()?;
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs())
            .unwrap_or(0);
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        audio.hash(&mut hasher);
        meta.len().hash(&mut hasher);
        mtime.hash(&mut hasher);
        let target = cache.join(format!("{:016x}", hasher.finish()));
        if target.is_file() {
            return Some(target);
        }
        if let Some((bytes, _)) = crate::tags::embedded_picture(audio) {
            std::fs::create_dir_all(cache).ok()?;
            std::fs::write(&target, bytes).ok()?;
            return Some(target);
        }
    }
    folder_picture(audio)
}
