//! A path as names: the file name without its extension, and the folders above it. Also
//! which names say nothing about the item (`movie.mkv`, `VIDEO_TS`, `CD1`).

use std::path::{Component, Path};
use std::sync::LazyLock;

use regex::Regex;

use crate::extras;
use crate::tokens::classify;
use crate::tokens::part_word;

/// A path's names, lossily decoded: matching needs text, and a bad byte must not lose the
/// rest of the name.
#[derive(Debug, Clone, Default)]
pub(crate) struct Names {
    /// The file name without its extension.
    pub name: String,
    /// The folders above the file, nearest first.
    pub folders: Vec<String>,
}

pub(crate) fn split(path: &Path) -> Names {
    let mut all: Vec<String> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(name) => Some(name.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    let file = all.pop().unwrap_or_default();
    all.reverse();
    Names {
        name: strip_extension(&file).to_owned(),
        folders: all,
    }
}

/// Containers, disc images, stubs, and the subtitles, theme songs and artwork a scanner
/// meets next to them.
const EXTENSIONS: &[&str] = &[
    "mkv", "mp4", "m4v", "avi", "mov", "wmv", "mpg", "mpeg", "m2ts", "mts", "ts", "vob", "iso",
    "img", "webm", "flv", "ogm", "ogv", "divx", "xvid", "3gp", "rmvb", "rm", "asf", "strm", "srt",
    "ass", "ssa", "sub", "idx", "vtt", "sup", "smi", "nfo", "mp3", "flac", "m4a", "ogg", "opus",
    "wav", "aac", "wma", "jpg", "jpeg", "png", "webp",
];

/// The name without its extension. An unknown extension counts only when it is short and
/// lower case and not a tag, so `Show.S01E02` and `Movie.1080p` keep their last part.
fn strip_extension(file: &str) -> &str {
    let Some((stem, ext)) = file.rsplit_once('.') else {
        return file;
    };
    let lower = ext.to_ascii_lowercase();
    let known = EXTENSIONS.contains(&lower.as_str());
    if stem.is_empty() {
        // ".mkv" is a file with no name, but ".hidden" is a name.
        return if known { stem } else { file };
    }
    let plausible = (2..=4).contains(&ext.len())
        && ext
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && ext.chars().any(|c| c.is_ascii_lowercase())
        && classify(ext).is_none();
    if known || plausible { stem } else { file }
}

static GENERIC: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:movie|video|film|feature|main|mainmovie|title|index|video[ _]ts|vts[ _]\d+[ _]\d+|title[ _]?t?\d+|t\d{2}|0\d*|\d{5,})$",
    )
    .ok()
});

/// A file name that names nothing (`movie`, `VIDEO_TS`, `title_t00`, `cd1`), so the folder
/// above must.
pub(crate) fn is_generic(name: &str) -> bool {
    let name = name.trim();
    name.is_empty()
        || part_word(name).is_some()
        || GENERIC.as_ref().is_some_and(|re| re.is_match(name))
}

/// Disc structure folders, which sit between an item's folder and its files.
const STRUCTURE: &[&str] = &[
    "video_ts",
    "audio_ts",
    "bdmv",
    "stream",
    "playlist",
    "backup",
    "certificate",
    "clipinf",
];

/// How many of the nearest folders to skip to reach the folder that names the item — past
/// disc structure, `CD1`-style part folders, `Sample` and extras folders — and the part a
/// part folder gives.
pub(crate) fn owner(folders: &[String]) -> (usize, Option<u32>) {
    let mut part = None;
    let mut skip = 0;
    for folder in folders {
        let lower = folder.trim().to_ascii_lowercase();
        if let Some(n) = part_word(&lower) {
            part = part.or(Some(n));
        } else if !STRUCTURE.contains(&lower.as_str()) && extras::folder_kind(folder).is_none() {
            break;
        }
        skip += 1;
    }
    (skip, part)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile() {
        assert!(GENERIC.is_some());
    }

    #[test]
    fn extensions() {
        assert_eq!(strip_extension("a.mkv"), "a");
        assert_eq!(strip_extension("Show.S01E02"), "Show.S01E02");
        assert_eq!(strip_extension("Movie.1080p"), "Movie.1080p");
        assert_eq!(strip_extension("Movie.x264"), "Movie.x264");
        assert_eq!(strip_extension(".mkv"), "");
        assert_eq!(strip_extension(".hidden"), ".hidden");
    }

    #[test]
    fn owners() {
        let f = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(owner(&f(&["CD2", "Heat (1995)"])), (1, Some(2)));
        assert_eq!(owner(&f(&["VIDEO_TS", "Heat (1995)"])), (1, None));
        assert_eq!(owner(&f(&["Heat (1995)"])), (0, None));
    }
}
