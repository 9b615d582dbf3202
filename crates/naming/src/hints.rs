//! Explicit hints a name carries besides its title: provider ids (`{tmdb-603}`,
//! `[imdbid-tt0133093]`), a Plex-style `{edition-…}`, a leading `[Group]` and a trailing
//! CRC. They are read, then blanked out so the title parsers never see them.

use std::sync::LazyLock;

use regex::Regex;

use crate::tokens::{FILL, classify};

/// `{tmdb-603}`, `[tmdbid=603]`, `[imdbid-tt0133093]`, `{tvdb-121361}` and the like.
static ID: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)[\[{(]\s*(tmdb|imdb|tvdb|anidb|tvmaze)(?:id)?\s*[-=:\s]\s*([a-z0-9]*)\s*[\]})]",
    )
    .ok()
});

/// A bare IMDb id, as some release names carry one.
static BARE_IMDB: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?i)(?:^|[^a-z0-9])(tt\d{7,9})(?:$|[^a-z0-9])").ok());

static EDITION: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?i)\{edition-([^}]*)\}").ok());

static LEADING_GROUP: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^[\s\x01]*\[([^\[\]]+)\]").ok());

/// A CRC32 of the file, as anime releases append.
static CRC: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"[\[(]([0-9A-Fa-f]{8})[\])]").ok());

/// A name with its hints read and blanked out.
#[derive(Debug, Clone, Default)]
pub(crate) struct Hints {
    /// The name with underscores as spaces and every hint replaced by [`FILL`], so byte
    /// offsets still match the original.
    pub text: String,
    pub ids: Vec<(String, String)>,
    pub edition: Option<String>,
    pub group: Option<String>,
}

/// Reads and blanks a name's hints.
pub(crate) fn scan(name: &str) -> Hints {
    // Same length, so offsets hold; underscores are separators wherever they appear.
    let mut text = name.replace('_', " ");
    let mut ids = Vec::new();
    if let Some(re) = ID.as_ref() {
        let found: Vec<_> = re
            .captures_iter(&text)
            .filter_map(|c| Some((c.get(0)?.range(), c.get(1)?.as_str(), c.get(2)?.as_str())))
            .map(|(range, key, value)| (range, id(key, value)))
            .collect();
        for (range, id) in found {
            blank(&mut text, range);
            ids.extend(id);
        }
    }
    if let Some(re) = BARE_IMDB.as_ref() {
        let found: Vec<_> = re
            .captures_iter(&text)
            .filter_map(|c| c.get(1))
            .map(|m| (m.range(), m.as_str().to_ascii_lowercase()))
            .collect();
        for (range, value) in found {
            blank(&mut text, range);
            if !ids.iter().any(|(k, _)| k == "imdb") {
                ids.push(("imdb".to_owned(), value));
            }
        }
    }
    let mut edition = None;
    if let Some(c) = EDITION.as_ref().and_then(|re| re.captures(&text))
        && let (Some(all), Some(value)) = (c.get(0), c.get(1))
    {
        let value = value.as_str().trim().to_owned();
        let range = all.range();
        if !value.is_empty() {
            edition = Some(value);
        }
        blank(&mut text, range);
    }
    let mut group = None;
    if let Some(c) = LEADING_GROUP.as_ref().and_then(|re| re.captures(&text))
        && let (Some(all), Some(value)) = (c.get(0), c.get(1))
    {
        let value = value.as_str().trim();
        // A leading `[1080p]` is a tag, not a group.
        if value.chars().any(char::is_alphabetic) && classify(value).is_none() {
            group = Some(value.to_owned());
            let range = all.range();
            blank(&mut text, range);
        }
    }
    if let Some(re) = CRC.as_ref() {
        let found: Vec<_> = re
            .find_iter(&text)
            .filter(|m| m.as_str().bytes().any(|b| b.is_ascii_alphabetic()))
            .map(|m| m.range())
            .collect();
        for range in found {
            blank(&mut text, range);
        }
    }
    Hints {
        text,
        ids,
        edition,
        group,
    }
}

/// An id hint as a key and value, when the value has the provider's shape.
fn id(key: &str, value: &str) -> Option<(String, String)> {
    let key = key.to_ascii_lowercase();
    let value = value.to_ascii_lowercase();
    let valid = if key == "imdb" {
        value
            .strip_prefix("tt")
            .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
    } else {
        !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit())
    };
    valid.then_some((key, value))
}

fn blank(text: &mut String, range: std::ops::Range<usize>) {
    if text.is_char_boundary(range.start) && text.is_char_boundary(range.end) {
        let fill = FILL.to_string().repeat(range.len());
        text.replace_range(range, &fill);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile() {
        assert!(ID.is_some());
        assert!(BARE_IMDB.is_some());
        assert!(EDITION.is_some());
        assert!(LEADING_GROUP.is_some());
        assert!(CRC.is_some());
    }

    #[test]
    fn hints_are_read_and_blanked() {
        let h = scan("[Grp] Movie {tmdb-603} [imdbid-tt0133093] {edition-Final Cut} [ABCD1234]");
        assert_eq!(h.group.as_deref(), Some("Grp"));
        assert_eq!(h.edition.as_deref(), Some("Final Cut"));
        assert_eq!(
            h.ids,
            [
                ("tmdb".to_owned(), "603".to_owned()),
                ("imdb".to_owned(), "tt0133093".to_owned())
            ]
        );
        assert_eq!(h.text.replace(FILL, "").trim(), "Movie");
    }
}
