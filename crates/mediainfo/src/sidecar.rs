//! Subtitle files next to a video (`Movie.en.srt`, `Movie.eng.forced.srt`, `Movie.de.cc.ass`),
//! with what their names say: language, forced, SDH and default.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// A subtitle file belonging to a video.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SidecarSubtitle {
    /// The subtitle file.
    pub path: PathBuf,
    /// FFmpeg's codec name for the format: `subrip`, `ass`, `webvtt`, `microdvd`, or
    /// `dvd_subtitle` for a VobSub `.sub` beside its `.idx`.
    pub format: String,
    /// The language code as written in the name (`en`, `eng`, `pt-BR`).
    pub language: Option<String>,
    /// Named `.forced` (or `.foreign`).
    pub forced: bool,
    /// Named `.sdh`, `.cc`, `.hi` or `.hearing-impaired`.
    pub sdh: bool,
    /// Named `.default`.
    pub default: bool,
    /// Whatever else the name says between the video's name and the extension.
    pub title: Option<String>,
}

const EXTENSIONS: [&str; 5] = ["srt", "ass", "ssa", "vtt", "sub"];

/// The subtitle files in the video's folder whose names start with the video's name.
pub fn sidecar_subtitles(video: &Path) -> Vec<SidecarSubtitle> {
    let Some(folder) = video.parent() else {
        return Vec::new();
    };
    let folder = if folder.as_os_str().is_empty() {
        Path::new(".")
    } else {
        folder
    };
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let siblings: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    sidecar_subtitles_among(video, siblings.iter().map(PathBuf::as_path))
}

/// The same, from a listing the caller already has: a library scan lists each folder once
/// rather than once per video.
pub fn sidecar_subtitles_among<'a>(
    video: &Path,
    siblings: impl IntoIterator<Item = &'a Path>,
) -> Vec<SidecarSubtitle> {
    let Some(stem) = video.file_stem() else {
        return Vec::new();
    };
    let siblings: Vec<&Path> = siblings.into_iter().collect();
    let mut found: Vec<SidecarSubtitle> = siblings
        .iter()
        .filter(|candidate| candidate.parent() == video.parent() || video.parent().is_none())
        .filter_map(|candidate| describe(stem, candidate, &siblings))
        .collect();
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found
}

fn describe(stem: &OsStr, candidate: &Path, siblings: &[&Path]) -> Option<SidecarSubtitle> {
    let extension = candidate.extension()?.to_str()?.to_ascii_lowercase();
    if !EXTENSIONS.contains(&extension.as_str()) {
        return None;
    }
    let name = candidate.file_name()?;
    // Compared as bytes, so names that are not UTF-8 still match their video.
    let name_bytes = name.as_encoded_bytes();
    let stem_bytes = stem.as_encoded_bytes();
    let head = name_bytes.get(..stem_bytes.len())?;
    if !head.eq_ignore_ascii_case(stem_bytes) {
        return None;
    }
    let rest = name_bytes.get(stem_bytes.len()..)?;
    if rest.first() != Some(&b'.') {
        return None;
    }
    let middle_len = rest.len().checked_sub(extension.len() + 1)?;
    let middle = String::from_utf8_lossy(rest.get(1..middle_len.max(1))?);

    let format = match extension.as_str() {
        "srt" => "subrip",
        "ass" | "ssa" => "ass",
        "vtt" => "webvtt",
        _ if has_idx(candidate, siblings) => "dvd_subtitle",
        _ => "microdvd",
    };
    let mut sidecar = SidecarSubtitle {
        path: candidate.to_path_buf(),
        format: format.to_owned(),
        language: None,
        forced: false,
        sdh: false,
        default: false,
        title: None,
    };
    let mut other = Vec::new();
    for token in middle.split('.').filter(|t| !t.is_empty()) {
        match token.to_ascii_lowercase().as_str() {
            "forced" | "foreign" => sidecar.forced = true,
            "sdh" | "cc" | "hearing-impaired" | "hearing_impaired" => sidecar.sdh = true,
            // `hi` is Hindi as well; it means hearing-impaired only after a language.
            "hi" if sidecar.language.is_some() => sidecar.sdh = true,
            "default" => sidecar.default = true,
            _ if sidecar.language.is_none() && is_language_code(token) => {
                sidecar.language = Some(token.to_owned());
            }
            _ => other.push(token),
        }
    }
    if !other.is_empty() {
        sidecar.title = Some(other.join("."));
    }
    Some(sidecar)
}

fn has_idx(sub: &Path, siblings: &[&Path]) -> bool {
    let idx = sub.with_extension("idx");
    let upper = sub.with_extension("IDX");
    siblings.iter().any(|s| *s == idx || *s == upper) || idx.is_file()
}

/// ISO 639-1/2 (`en`, `eng`) optionally with BCP 47 subtags (`pt-BR`, `zh-Hans`).
fn is_language_code(token: &str) -> bool {
    let mut parts = token.split('-');
    let Some(primary) = parts.next() else {
        return false;
    };
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn among(video: &str, names: &[&str]) -> Vec<SidecarSubtitle> {
        let paths: Vec<PathBuf> = names.iter().map(|n| Path::new("/m").join(n)).collect();
        sidecar_subtitles_among(
            &Path::new("/m").join(video),
            paths.iter().map(PathBuf::as_path),
        )
    }

    #[test]
    fn names_say_language_and_flags() {
        let found = among(
            "Movie.mkv",
            &[
                "Movie.mkv",
                "Movie.en.srt",
                "Movie.eng.forced.srt",
                "Movie.en.sdh.srt",
                "Movie.de.cc.ass",
                "Movie.forced.srt",
                "Movie.srt",
                "Movie 2.en.srt",
                "Movie.nfo",
                "Other.en.srt",
                "Movie.pt-BR.default.vtt",
                "Movie.en.hi.srt",
                "Movie.hi.srt",
                "Movie.en.Director Commentary.srt",
            ],
        );
        let by_name = |name: &str| {
            found
                .iter()
                .find(|s| s.path.file_name().unwrap() == name)
                .unwrap_or_else(|| panic!("{name} not found in {found:?}"))
                .clone()
        };
        assert_eq!(found.len(), 10, "{found:?}");

        let en = by_name("Movie.en.srt");
        assert_eq!(en.language.as_deref(), Some("en"));
        assert_eq!(en.format, "subrip");
        assert!(!en.forced && !en.sdh && !en.default);

        let forced = by_name("Movie.eng.forced.srt");
        assert_eq!(forced.language.as_deref(), Some("eng"));
        assert!(forced.forced);

        assert!(by_name("Movie.en.sdh.srt").sdh);
        let cc = by_name("Movie.de.cc.ass");
        assert!(cc.sdh);
        assert_eq!(cc.language.as_deref(), Some("de"));
        assert_eq!(cc.format, "ass");

        let bare_forced = by_name("Movie.forced.srt");
        assert!(bare_forced.forced);
        assert_eq!(bare_forced.language, None);

        let plain = by_name("Movie.srt");
        assert_eq!(plain.language, None);
        assert!(!plain.forced);

        let vtt = by_name("Movie.pt-BR.default.vtt");
        assert_eq!(vtt.language.as_deref(), Some("pt-BR"));
        assert!(vtt.default);
        assert_eq!(vtt.format, "webvtt");

        assert!(by_name("Movie.en.hi.srt").sdh);
        let hindi = by_name("Movie.hi.srt");
        assert_eq!(hindi.language.as_deref(), Some("hi"));
        assert!(!hindi.sdh);

        let commentary = by_name("Movie.en.Director Commentary.srt");
        assert_eq!(commentary.title.as_deref(), Some("Director Commentary"));
    }

    #[test]
    fn vobsub_needs_its_idx() {
        let with_idx = among("Film.mkv", &["Film.en.sub", "Film.en.idx"]);
        assert_eq!(with_idx[0].format, "dvd_subtitle");
        let alone = among("Film.mkv", &["Film.sub"]);
        assert_eq!(alone[0].format, "microdvd");
    }

    #[test]
    fn stems_with_dots_and_odd_case() {
        let found = among(
            "The.Film.2020.mkv",
            &["the.film.2020.EN.SRT", "The.Film.srt"],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].language.as_deref(), Some("EN"));
    }

    #[cfg(unix)]
    #[test]
    fn names_that_are_not_utf8() {
        use std::os::unix::ffi::OsStrExt;
        let video = Path::new("/m").join(OsStr::from_bytes(b"Caf\xe9.mkv"));
        let sub = Path::new("/m").join(OsStr::from_bytes(b"Caf\xe9.fr.srt"));
        let found = sidecar_subtitles_among(&video, [sub.as_path()]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].language.as_deref(), Some("fr"));
    }
}
