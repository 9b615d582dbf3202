//! Where local artwork lives, by the conventions Kodi, Jellyfin and Plex share: pictures next
//! to the video (or in its series folder) with well-known names.

use std::path::{Path, PathBuf};

/// Picture formats we serve.
const EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "webp"];

/// What a picture is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArtKind {
    /// Cover, portrait.
    Poster,
    /// Background, landscape.
    Backdrop,
    /// Transparent title logo.
    Logo,
    /// An episode's still.
    Thumb,
}

impl ArtKind {
    /// Parses the name used in image ids (`poster`, `backdrop`, `logo`, `thumb`).
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "poster" => Some(ArtKind::Poster),
            "backdrop" => Some(ArtKind::Backdrop),
            "logo" => Some(ArtKind::Logo),
            "thumb" => Some(ArtKind::Thumb),
            _ => None,
        }
    }

    /// The name used in image ids.
    pub fn as_str(self) -> &'static str {
        match self {
            ArtKind::Poster => "poster",
            ArtKind::Backdrop => "backdrop",
            ArtKind::Logo => "logo",
            ArtKind::Thumb => "thumb",
        }
    }
}

/// Base names (without extension) that hold `kind` in a folder of its own.
fn folder_names(kind: ArtKind) -> &'static [&'static str] {
    match kind {
        ArtKind::Poster => &["poster", "folder", "cover", "default", "movie", "show"],
        ArtKind::Backdrop => &["fanart", "backdrop", "background", "art"],
        ArtKind::Logo => &["logo", "clearlogo"],
        ArtKind::Thumb => &["thumb", "landscape"],
    }
}

/// Suffixes after the video's own name (`Movie (2000)-poster.jpg`).
fn stem_suffixes(kind: ArtKind) -> &'static [&'static str] {
    match kind {
        ArtKind::Poster => &["-poster", ""],
        ArtKind::Backdrop => &["-fanart", "-backdrop"],
        ArtKind::Logo => &["-logo", "-clearlogo"],
        ArtKind::Thumb => &["-thumb", ""],
    }
}

fn first_existing(folder: &Path, bases: impl IntoIterator<Item = String>) -> Option<PathBuf> {
    for base in bases {
        for extension in EXTENSIONS {
            let candidate = folder.join(format!("{base}.{extension}"));
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// The picture of `kind` for the item whose video is at `video`: named after the video first,
/// then by the folder conventions.
pub fn find_for_video(video: &Path, kind: ArtKind) -> Option<PathBuf> {
    let folder = video.parent()?;
    let stem = video.file_stem()?.to_string_lossy().into_owned();
    let own = stem_suffixes(kind)
        .iter()
        .map(|suffix| format!("{stem}{suffix}"));
    if let Some(found) = first_existing(folder, own) {
        return Some(found);
    }
    if kind == ArtKind::Thumb {
        return None; // A folder's pictures belong to its film or series, not to one episode.
    }
    first_existing(folder, folder_names(kind).iter().map(|n| (*n).to_owned()))
}

/// The picture of `kind` in a series folder (`poster.jpg`, `fanart.jpg`, …).
pub fn find_in_folder(folder: &Path, kind: ArtKind) -> Option<PathBuf> {
    first_existing(folder, folder_names(kind).iter().map(|n| (*n).to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_names_win_over_folder_names() {
        let dir = tempfile::tempdir().unwrap();
        let video = dir.path().join("Heat (1995).mkv");
        std::fs::write(&video, b"v").unwrap();
        assert_eq!(find_for_video(&video, ArtKind::Poster), None);
        std::fs::write(dir.path().join("folder.jpg"), b"p").unwrap();
        assert_eq!(
            find_for_video(&video, ArtKind::Poster),
            Some(dir.path().join("folder.jpg"))
        );
        std::fs::write(dir.path().join("Heat (1995)-poster.png"), b"p").unwrap();
        assert_eq!(
            find_for_video(&video, ArtKind::Poster),
            Some(dir.path().join("Heat (1995)-poster.png"))
        );
        std::fs::write(dir.path().join("fanart.webp"), b"b").unwrap();
        assert_eq!(
            find_for_video(&video, ArtKind::Backdrop),
            Some(dir.path().join("fanart.webp"))
        );
        assert_eq!(
            find_for_video(&video, ArtKind::Thumb),
            None,
            "folder art is not a thumb"
        );
        assert_eq!(ArtKind::parse("poster"), Some(ArtKind::Poster));
        assert_eq!(ArtKind::parse("../etc"), None);
    }
}
