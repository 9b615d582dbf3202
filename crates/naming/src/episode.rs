//! Episodes: the numbering forms a file name uses (`S01E02`, `1x02`, a daily air date, an
//! anime absolute number), season folders, and the series title from the name or its folder.

use std::sync::LazyLock;

use regex::{Captures, Regex};

use crate::hints;
use crate::parsed::{EpisodeNumber, Kind, Parsed};
use crate::title::{self, Mode, Title, clean};
use crate::tokens::{self, Word, ends_title, words};

fn regex(pattern: &str) -> Option<Regex> {
    Regex::new(pattern).ok()
}

static SXXEYY: LazyLock<Option<Regex>> =
    LazyLock::new(|| regex(r"(?i)\bS(\d{1,4})[ .\-]?E(\d{1,4})"));
/// The next episode of a multi-episode file: `E02`, `-E02`, `-S01E02`, ` - E02`.
static MORE_E: LazyLock<Option<Regex>> =
    LazyLock::new(|| regex(r"(?i)^(?:-|\+|&|[ .]-[ .]|[ .]?&[ .]?)?(?:S\d{1,4})?E(\d{1,4})"));
/// The last episode of a range written `-02`; not `-720p`.
static MORE_DASH: LazyLock<Option<Regex>> =
    LazyLock::new(|| regex(r"(?i)^-(\d{1,4})(?:$|[^0-9a-z])"));
static NXNN: LazyLock<Option<Regex>> =
    LazyLock::new(|| regex(r"(?i)(?:^|[^0-9a-z])(\d{1,2})x(\d{2,3})(?:$|[^0-9a-z])"));
static MORE_X: LazyLock<Option<Regex>> =
    LazyLock::new(|| regex(r"(?i)^(?:-|\+|[ .]-[ .])\d{1,2}x(\d{2,3})(?:$|[^0-9a-z])"));
static SPELLED: LazyLock<Option<Regex>> =
    LazyLock::new(|| regex(r"(?i)\bseason[ .\-]?(\d{1,4})[ .,\-]*episode[ .\-]?(\d{1,4})"));
/// `Show S2 - 05`, as anime releases number later seasons.
static SEASON_DASH: LazyLock<Option<Regex>> =
    LazyLock::new(|| regex(r"(?i)\bS(\d{1,2}) +- +(\d{1,4})(v\d{1,2})?(?:$|[\s\x01\[(])"));
static DATE: LazyLock<Option<Regex>> =
    LazyLock::new(|| regex(r"(?:^|[^0-9])((?:19|20)\d{2})[-. ](\d{2})[-. ](\d{2})(?:$|[^0-9])"));
/// `Show - 125 [1080p]`, `Show - 125 - Title`: the number stands alone after a dash.
/// A batch's range (`- 01-02`) and a version (`05v2`) may follow the number.
static DASH_NUMBER: LazyLock<Option<Regex>> = LazyLock::new(|| {
    regex(r"(?:^|\s)-\s+(\d{1,4})((?:-\d{1,4})?(?:v\d{1,2})?)[\s\x01]*(?:$|[\[(]|-\s)")
});
/// `[Group] Show 125 [1080p]`: with a leading group the dash is optional.
static BARE_NUMBER: LazyLock<Option<Regex>> =
    LazyLock::new(|| regex(r"\s(\d{1,4})((?:v\d{1,2})?)[\s\x01]*(?:$|[\[(])"));
/// `Show.Name.E01`, `Show Ep05`: a miniseries' episode, with no season.
static E_NUMBER: LazyLock<Option<Regex>> =
    LazyLock::new(|| regex(r"(?i)[\s.\-\x01](?:e|ep[ .]?)(\d{2,3})((?:v\d{1,2})?)(?:$|[^0-9a-z])"));
/// `03 - Title`, `E03`, `Episode 3`, at the start of a name in a season folder.
static LEADING: LazyLock<Option<Regex>> = LazyLock::new(|| {
    regex(r"(?i)^[\s\x01]*(?:(?:episode|ep|e)[ .]?)?(\d{1,4})(v\d{1,2})?(?:$|[\s.\-\[(\x01])")
});
static EPISODE_WORD: LazyLock<Option<Regex>> = LazyLock::new(|| {
    regex(r"(?i)(?:^|[\s.\-\x01])(?:episode|ep|e)[ .]?(\d{1,4})(v\d{1,2})?(?:$|[^0-9a-z])")
});
static SEASON_DIR: LazyLock<Option<Regex>> = LazyLock::new(|| {
    regex(
        r"(?i)^(?:season|series|saison|staffel|temporada|stagione|seizoen|sezon|säsong|sæson)[\s._\-]*(\d{1,4})(?:$|[\s._\-(\[].*)",
    )
});
static SHORT_SEASON_DIR: LazyLock<Option<Regex>> = LazyLock::new(|| regex(r"(?i)^s(\d{1,4})$"));
static SPECIALS_DIR: LazyLock<Option<Regex>> =
    LazyLock::new(|| regex(r"(?i)^(?:season[\s._\-]*)?specials?$"));
/// A season pack's marker in a folder name (`Show.S01.1080p`, `Show Season 2`).
static SEASON_PACK: LazyLock<Option<Regex>> = LazyLock::new(|| {
    regex(r"(?i)(?:^|[\s.\-\x01])(?:S\d{1,2}|season[\s.]?\d{1,2})(?:$|[\s.\-\x01\[(])")
});

/// How a name numbers its episode.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Number {
    Episode {
        season: Option<u32>,
        episode: EpisodeNumber,
    },
    /// Counted across the series, with no season: anime, or a bare number.
    Absolute(u32),
    Date(String),
}

/// Where the numbering sits in a name: the series title is before it, the episode title
/// after.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Marker {
    start: usize,
    end: usize,
    number: Number,
}

fn num(c: &Captures<'_>, i: usize) -> Option<u32> {
    c.get(i)?.as_str().parse().ok()
}

fn end_of(c: &Captures<'_>, i: usize) -> Option<usize> {
    Some(c.get(i)?.end())
}

/// A first episode and any that follow it, as one number or a range.
fn episodes(first: u32, more: &[u32]) -> EpisodeNumber {
    match more.last() {
        Some(&last) if last > first => EpisodeNumber::Range(first, last),
        _ => EpisodeNumber::Single(first),
    }
}

fn sxxeyy(text: &str) -> Option<Marker> {
    let c = SXXEYY.as_ref()?.captures(text)?;
    let start = c.get(0)?.start();
    let season = num(&c, 1)?;
    let first = num(&c, 2)?;
    let mut end = end_of(&c, 2)?;
    let mut more = Vec::new();
    loop {
        let rest = text.get(end..).unwrap_or("");
        if let Some(m) = MORE_E.as_ref().and_then(|re| re.captures(rest))
            && let (Some(n), Some(e)) = (num(&m, 1), end_of(&m, 1))
        {
            more.push(n);
            end += e;
        } else if let Some(m) = MORE_DASH.as_ref().and_then(|re| re.captures(rest))
            && let (Some(n), Some(e)) = (num(&m, 1), end_of(&m, 1))
        {
            more.push(n);
            end += e;
        } else {
            break;
        }
    }
    Some(Marker {
        start,
        end,
        number: Number::Episode {
            season: Some(season),
            episode: episodes(first, &more),
        },
    })
}

fn nxnn(text: &str) -> Option<Marker> {
    let c = NXNN.as_ref()?.captures(text)?;
    let start = c.get(1)?.start();
    let season = num(&c, 1)?;
    let first = num(&c, 2)?;
    let mut end = end_of(&c, 2)?;
    let mut more = Vec::new();
    loop {
        let rest = text.get(end..).unwrap_or("");
        let next = MORE_X
            .as_ref()
            .and_then(|re| re.captures(rest))
            .or_else(|| MORE_DASH.as_ref().and_then(|re| re.captures(rest)));
        let Some(m) = next else { break };
        let (Some(n), Some(e)) = (num(&m, 1), end_of(&m, 1)) else {
            break;
        };
        more.push(n);
        end += e;
    }
    Some(Marker {
        start,
        end,
        number: Number::Episode {
            season: Some(season),
            episode: episodes(first, &more),
        },
    })
}

/// A marker whose season and episode are the pattern's first two groups.
fn season_episode(re: &LazyLock<Option<Regex>>, text: &str) -> Option<Marker> {
    let c = re.as_ref()?.captures(text)?;
    Some(Marker {
        start: c.get(0)?.start(),
        end: end_of(&c, 3).or_else(|| end_of(&c, 2))?,
        number: Number::Episode {
            season: Some(num(&c, 1)?),
            episode: EpisodeNumber::Single(num(&c, 2)?),
        },
    })
}

fn date(text: &str) -> Option<Marker> {
    DATE.as_ref()?.captures_iter(text).find_map(|c| {
        let (year, month, day) = (num(&c, 1)?, num(&c, 2)?, num(&c, 3)?);
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return None;
        }
        Some(Marker {
            start: c.get(1)?.start(),
            end: end_of(&c, 3)?,
            number: Number::Date(format!("{year:04}-{month:02}-{day:02}")),
        })
    })
}

/// A number standing alone where anime puts it. `min_digits` keeps "Rocky - 2" a title;
/// years are never episode numbers here, so "Movie - 2010" stays a movie.
fn lone_number(re: &LazyLock<Option<Regex>>, text: &str, min_digits: usize) -> Option<Marker> {
    re.as_ref()?.captures_iter(text).find_map(|c| {
        let digits = c.get(1)?;
        let n: u32 = digits.as_str().parse().ok()?;
        let looks_like_year = digits.len() == 4 && (1900..=2099).contains(&n);
        if digits.len() < min_digits || looks_like_year {
            return None;
        }
        Some(Marker {
            start: c.get(0)?.start(),
            end: c.get(2).map_or(digits.end(), |m| m.end()),
            number: Number::Absolute(n),
        })
    })
}

/// Numbering any name may carry: enough on its own to make a file an episode.
fn strict(text: &str, grouped: bool) -> Option<Marker> {
    sxxeyy(text)
        .or_else(|| season_episode(&SPELLED, text))
        .or_else(|| nxnn(text))
        .or_else(|| season_episode(&SEASON_DASH, text))
        .or_else(|| date(text))
        .or_else(|| episode_word(&E_NUMBER, text))
        .or_else(|| lone_number(&DASH_NUMBER, text, if grouped { 1 } else { 2 }))
        .or_else(|| {
            grouped
                .then(|| lone_number(&BARE_NUMBER, text, 2))
                .flatten()
        })
}

/// Numbering that only counts once the file is known to be an episode (in a season folder,
/// or in a TV library): a leading `03`, `Episode 3`, `- 3`, a trailing `05`.
fn loose(text: &str, words: &[Word<'_>]) -> Option<Marker> {
    episode_word(&LEADING, text)
        .or_else(|| episode_word(&EPISODE_WORD, text))
        .or_else(|| lone_number(&DASH_NUMBER, text, 1))
        .or_else(|| trailing_number(words))
}

/// An episode named by a word (`E05`, `Episode 5`, a leading `05`), with no season.
fn episode_word(re: &LazyLock<Option<Regex>>, text: &str) -> Option<Marker> {
    let c = re.as_ref()?.captures(text)?;
    let digits = c.get(1)?;
    let n: u32 = digits.as_str().parse().ok()?;
    let looks_like_year = digits.len() == 4 && (1900..=2099).contains(&n);
    (!looks_like_year).then_some(Marker {
        start: c.get(0)?.start(),
        end: end_of(&c, 2).unwrap_or(digits.end()),
        number: Number::Episode {
            season: None,
            episode: EpisodeNumber::Single(n),
        },
    })
}

/// `Show 05`: the last plain word, when it is a short number after the title.
fn trailing_number(words: &[Word<'_>]) -> Option<Marker> {
    let at = words.iter().rposition(|w| !w.bracketed && !ends_title(w))?;
    let word = words.get(at)?;
    if at == 0 || word.text.len() > 3 || !word.text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(Marker {
        start: word.start,
        end: word.end,
        number: Number::Absolute(word.text.parse().ok()?),
    })
}

/// Whether a file name alone says it is an episode.
pub(crate) fn has_marker(name: &str) -> bool {
    let hints = hints::scan(name);
    strict(&hints.text, hints.group.is_some()).is_some()
}

/// The season a folder stands for: `Season 01`, `Series 2`, `S03`, `Staffel 4`, and
/// `Specials` for season 0.
pub(crate) fn season_folder(name: &str) -> Option<u32> {
    let name = name.trim();
    if SPECIALS_DIR.as_ref()?.is_match(name) {
        return Some(0);
    }
    [&SEASON_DIR, &SHORT_SEASON_DIR]
        .into_iter()
        .find_map(|re| num(&re.as_ref()?.captures(name)?, 1))
}

/// The series title and year of a stretch of name, stopping at a season pack's `S01`.
fn series(text: &str) -> Title {
    let end = SEASON_PACK
        .as_ref()
        .and_then(|re| re.find(text))
        .map_or(text.len(), |m| m.start());
    let text = text.get(..end).unwrap_or(text);
    title::analyse(text, &words(text), Mode::Series)
}

/// A series folder's title and year; it may be a release name with numbering of its own.
fn series_folder(name: &str) -> Title {
    let hints = hints::scan(name);
    let text = hints.text.as_str();
    let end = strict(text, hints.group.is_some()).map_or(text.len(), |m| m.start);
    series(text.get(..end).unwrap_or(text))
}

/// What follows the numbering, up to the first tag or bracket.
fn episode_title(text: &str, from: usize) -> Option<String> {
    let rest = text.get(from..)?;
    let ws = words(rest);
    let take = ws
        .iter()
        .take_while(|w| !w.bracketed && !ends_title(w))
        .count();
    let first = ws.first()?;
    let last = ws.get(take.checked_sub(1)?)?;
    clean(rest.get(first.start..last.end)?)
}

/// Alphanumerics only, lower case: how two spellings of one title compare.
pub(crate) fn same_title(a: &str, b: &str) -> bool {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    squash(a) == squash(b)
}

/// Parses a name as an episode. `folders` are the names above it, nearest first. `forced`
/// (the library holds TV) also accepts loose numbering outside season folders.
pub(crate) fn parse(name: &str, folders: &[String], forced: bool) -> Parsed {
    let hints = hints::scan(name);
    let text = hints.text.as_str();
    let all = words(text);
    let season_dir = folders.first().and_then(|f| season_folder(f));
    let marker = strict(text, hints.group.is_some()).or_else(|| {
        (season_dir.is_some() || forced)
            .then(|| loose(text, &all))
            .flatten()
    });

    let mut out = Parsed {
        kind: Kind::Episode,
        season: season_dir,
        group: hints.group.clone(),
        ..Parsed::default()
    };
    let mut absolute = false;
    match marker.as_ref().map(|m| &m.number) {
        Some(Number::Episode { season, episode }) => {
            out.season = season.or(season_dir);
            out.episode = Some(*episode);
        }
        // In a season folder a bare number counts within that season.
        Some(Number::Absolute(n)) => {
            absolute = true;
            if season_dir.is_some() {
                out.episode = Some(EpisodeNumber::Single(*n));
            } else {
                out.absolute_episode = Some(*n);
            }
        }
        Some(Number::Date(date)) => out.date = Some(date.clone()),
        None => {}
    }
    if let Some(m) = &marker {
        out.episode_title = episode_title(text, m.end);
    }

    let prefix = marker
        .as_ref()
        .map_or(text, |m| text.get(..m.start).unwrap_or(""));
    let file = series(prefix);
    let dir = if season_dir.is_some() {
        folders.get(1)
    } else {
        folders.first()
    }
    .map(|d| series_folder(d))
    .unwrap_or_default();
    // Under Show/Season N/ the series folder names the show; a bare file name cannot be
    // trusted over it ("The.Office.S01E01" in "The Office (US)"). A file name without
    // numbering names the episode, not the show ("Show/Specials/Behind the Scenes.mkv").
    let unnumbered = marker.is_none();
    let (chosen, other) = if (season_dir.is_some() || unnumbered) && dir.title.is_some() {
        if unnumbered {
            out.episode_title.clone_from(&file.title);
        }
        (dir, file)
    } else if file.title.is_some() {
        (file, dir)
    } else {
        (dir, file)
    };
    let matches = match (&chosen.title, &other.title) {
        (Some(a), Some(b)) => same_title(a, b),
        (Some(_), None) => true,
        _ => false,
    };
    out.title = chosen.title;
    out.year = chosen.year.or(other.year.filter(|_| matches));

    tokens::quality(&all, &mut out);
    if absolute && out.group.is_none() {
        out.group = tokens::bracket_group(&all);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile() {
        for re in [
            &SXXEYY,
            &MORE_E,
            &MORE_DASH,
            &NXNN,
            &MORE_X,
            &SPELLED,
            &SEASON_DASH,
            &DATE,
            &DASH_NUMBER,
            &BARE_NUMBER,
            &E_NUMBER,
            &LEADING,
            &EPISODE_WORD,
            &SEASON_DIR,
            &SHORT_SEASON_DIR,
            &SPECIALS_DIR,
            &SEASON_PACK,
        ] {
            assert!(re.is_some());
        }
    }

    #[test]
    fn markers() {
        let m = strict("Show.S01E01-E03.720p", false).unwrap();
        assert_eq!(
            m.number,
            Number::Episode {
                season: Some(1),
                episode: EpisodeNumber::Range(1, 3)
            }
        );
        assert!(strict("Show.S01E01-720p", false).is_some_and(|m| m.end == 11));
        assert!(strict("1920x1080", false).is_none());
        assert!(strict("Rocky - 2", false).is_none());
        assert!(strict("Movie - 2010 [1080p]", false).is_none());
    }

    #[test]
    fn season_folders() {
        assert_eq!(season_folder("Season 01"), Some(1));
        assert_eq!(season_folder("season.2"), Some(2));
        assert_eq!(season_folder("S03"), Some(3));
        assert_eq!(season_folder("Specials"), Some(0));
        assert_eq!(season_folder("Seasonal"), None);
        assert_eq!(season_folder("Show"), None);
    }
}
