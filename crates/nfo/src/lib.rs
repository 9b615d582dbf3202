//! A pure, lenient parser of Kodi-style NFO files: the XML metadata (`movie.nfo`, `tvshow.nfo`,
//! episode NFOs) that users keep beside their media, often written by old tools and edited by
//! hand.
//!
//! Broken files are the norm, so [`parse`] keeps everything it can and reports what it had to
//! skip in [`Nfo::warnings`]; only input with nothing usable at all is an error. It never panics.

mod decode;
mod error;
mod map;
mod url;
mod value;
mod xml;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use error::NfoError;

/// The largest file [`parse_file`] reads. Real NFOs are a few kilobytes.
pub const MAX_NFO_BYTES: u64 = 1024 * 1024;

/// What an NFO file describes, from its root element.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NfoKind {
    /// `<movie>`.
    Movie,
    /// `<tvshow>`.
    TvShow,
    /// `<episodedetails>`.
    Episode,
    /// Any other root element, or a file that is only a URL.
    #[default]
    Unknown,
}

/// A cast member.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Actor {
    /// The actor's name.
    pub name: String,
    /// The character played.
    pub role: Option<String>,
    /// Billing order, 0 first.
    pub order: Option<i32>,
}

/// The metadata an NFO file gives. Every field is optional because every field is missing from
/// somebody's files; text is trimmed and empty elements count as absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Nfo {
    /// From the root element.
    pub kind: NfoKind,
    /// `<title>`.
    pub title: Option<String>,
    /// `<originaltitle>`.
    pub original_title: Option<String>,
    /// `<sorttitle>`.
    pub sort_title: Option<String>,
    /// `<plot>`, or `<outline>` when there is no plot.
    pub plot: Option<String>,
    /// `<tagline>`.
    pub tagline: Option<String>,
    /// `<year>`, or the year of the release date.
    pub year: Option<i32>,
    /// `<premiered>`, `<aired>` or `<releasedate>`, as `YYYY-MM-DD`.
    pub premiered: Option<String>,
    /// `<runtime>`, in minutes.
    pub runtime_minutes: Option<i32>,
    /// `<mpaa>`, the content rating, without "Rated " or a country prefix (`PG-13`, `FSK 12`).
    pub mpaa: Option<String>,
    /// Every `<genre>`, lists like "Action / Drama" split, duplicates dropped.
    pub genres: Vec<String>,
    /// Every `<studio>`.
    pub studios: Vec<String>,
    /// Every `<tag>`.
    pub tags: Vec<String>,
    /// The default of `<ratings>`, else its first, else a plain `<rating>`; on a 0–10 scale.
    pub rating: Option<f64>,
    /// External ids by provider (`imdb`, `tmdb`, `tvdb`, ...), from `<uniqueid type="...">`, the
    /// older `<tmdbid>`, `<imdbid>`, `<tvdbid>` and `<id>`, and a trailing scraper URL.
    pub ids: BTreeMap<String, String>,
    /// `<season>`, for episodes.
    pub season: Option<i32>,
    /// `<episode>`, for episodes.
    pub episode: Option<i32>,
    /// `<status>`, for shows ("Continuing", "Ended").
    pub status: Option<String>,
    /// Every `<actor>` with a name, in file order.
    pub actors: Vec<Actor>,
    /// What was wrong with the file and what was skipped because of it. Fields read before a
    /// structural break are kept; nothing after it is read.
    pub warnings: Vec<String>,
}

/// Parses an NFO file's bytes. Accepts XML in UTF-8 (with or without a BOM), UTF-16 or
/// Windows-1252; XML followed by a scraper URL; or just a URL. Broken XML yields what was read
/// before the break, with [`Nfo::warnings`]. Only input that is neither XML nor a recognised
/// URL is [`NfoError::NotXml`].
pub fn parse(bytes: &[u8]) -> Result<Nfo, NfoError> {
    let decoded = decode::decode(bytes);
    let text = decoded.text.as_str();
    let mut nfo = Nfo::default();
    nfo.warnings.extend(decoded.warning);

    let (leading, xml) = split_at_xml(text);
    let mut outside = leading.to_owned();
    let mut has_xml = false;
    if let Some(xml) = xml {
        let doc = xml::read(xml);
        nfo.warnings.extend(doc.warnings);
        outside.push_str(&doc.outside);
        if let Some(root) = doc.root {
            map::fill(&root, &mut nfo);
            has_xml = true;
        }
    }

    let url_ids = url::ids(&outside);
    if !has_xml && url_ids.is_empty() {
        let reason = if text.trim().is_empty() {
            "the file is empty".to_owned()
        } else {
            match nfo
                .warnings
                .iter()
                .rev()
                .find(|w| !w.starts_with("not valid UTF-8"))
            {
                Some(warning) => format!("no XML element could be read: {warning}"),
                None => "neither XML nor an IMDb, TMDb or TVDb URL".to_owned(),
            }
        };
        return Err(NfoError::NotXml { reason });
    }
    if has_xml && url::ids(leading).is_empty() && !leading.trim().is_empty() {
        nfo.warnings.push("ignored text before the XML".to_owned());
    }
    // The XML is the user's own statement about the file; the URL only fills ids it lacks.
    for (kind, id) in url_ids {
        nfo.ids.entry(kind.to_owned()).or_insert(id);
    }
    Ok(nfo)
}

/// Reads and parses an NFO file, refusing files over [`MAX_NFO_BYTES`]. Blocking.
pub fn parse_file(path: &Path) -> Result<Nfo, NfoError> {
    let io = |source| NfoError::Io {
        path: path.to_path_buf(),
        source,
    };
    let too_large = || NfoError::TooLarge {
        path: path.to_path_buf(),
    };
    // Checked before opening: opening a named pipe would block until something writes to it.
    let metadata = std::fs::metadata(path).map_err(io)?;
    if !metadata.is_file() {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        )));
    }
    if metadata.len() > MAX_NFO_BYTES {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    // The cap holds even for a file that grew since the metadata was read.
    File::open(path)
        .map_err(io)?
        .take(MAX_NFO_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_NFO_BYTES {
        return Err(too_large());
    }
    parse(&bytes).map_err(|error| match error {
        NfoError::NotXml { reason } => NfoError::NotXml {
            reason: format!("{}: {reason}", path.display()),
        },
        other => other,
    })
}

/// Splits off text before the XML. A file normally starts with `<`; otherwise Kodi looks for the
/// root element anywhere in it, and so do we, so that junk (or a URL) above the XML costs
/// nothing. Without either, the whole text is left to be read for URLs.
fn split_at_xml(text: &str) -> (&str, Option<&str>) {
    let trimmed = text.trim_start();
    if trimmed.starts_with('<') {
        return ("", Some(trimmed));
    }
    // ASCII lowercasing keeps byte offsets, so an index into `lower` is one into `text`.
    let lower = text.to_ascii_lowercase();
    let start = ["<?xml", "<movie", "<tvshow", "<episodedetails"]
        .iter()
        .filter_map(|open| {
            lower.match_indices(open).map(|(at, _)| at).find(|&at| {
                lower
                    .get(at + open.len()..)
                    .and_then(|rest| rest.chars().next())
                    .is_some_and(|c| c.is_whitespace() || matches!(c, '>' | '/' | '?'))
            })
        })
        .min();
    match start.and_then(|at| Some((text.get(..at)?, text.get(at..)?))) {
        Some((leading, xml)) => (leading, Some(xml)),
        None => (text, None),
    }
}

/// The first of `candidates` that exists, parsed. Parse problems are logged (naming the file)
/// and the NFO is then ignored, so the item is named from its file instead.
pub fn load_first(candidates: &[PathBuf]) -> Option<Nfo> {
    let path = candidates.iter().find(|p| p.is_file())?;
    match parse_file(path) {
        Ok(nfo) => {
            for warning in &nfo.warnings {
                tracing::warn!(nfo = %path.display(), "{warning}");
            }
            Some(nfo)
        }
        Err(e) => {
            tracing::warn!(nfo = %path.display(), error = %e, "NFO ignored; named from the file instead");
            None
        }
    }
}
