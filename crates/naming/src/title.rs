//! Where a title ends in a name — at its year, an edition, a part or the first release tag —
//! and turning the words before into a clean title.

use crate::tokens::{FILL, PART_WORDS, Word, classify, ends_title, part_number, part_word, year};

/// What the title end of a name says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Title {
    pub title: Option<String>,
    pub year: Option<i32>,
    pub edition: Option<String>,
    pub part: Option<u32>,
}

/// Whether editions and parts are looked for: a series title keeps "Part 2" or "Final Cut"
/// as words, as it has neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Movie,
    Series,
}

/// Splits `text` (whose words are `words`) into title, year, edition and part.
pub(crate) fn analyse(text: &str, words: &[Word<'_>], mode: Mode) -> Title {
    let mut out = Title::default();
    // A leading bracketed tag ("[1080p] Movie (2010)") is not where the title starts.
    let skip = words
        .iter()
        .take_while(|w| w.bracketed && classify(w.text).is_some())
        .count();
    let words = words.get(skip..).unwrap_or_default();
    let n = words.len();
    if n == 0 {
        return out;
    }
    // A tag first ("1080p.mkv") leaves no title. A year first is the title ("1917", "2012").
    let first_tag = words.first().and_then(|w| classify(w.text));
    if first_tag.is_some_and(|t| t.strong) {
        return out;
    }
    let boundary = (1..n)
        .find(|&i| words.get(i).is_some_and(ends_title))
        .unwrap_or(n);
    let strong = (1..n)
        .find(|&i| {
            words
                .get(i)
                .and_then(|w| classify(w.text))
                .is_some_and(|t| t.strong)
        })
        .unwrap_or(n);
    // The last year wins: the earlier ones belong to the title ("Blade Runner 2049 (2017)").
    let year_at = (1..strong).rev().find_map(|i| {
        let y = year(words.get(i)?)?;
        Some((i, y))
    });
    let mut end = year_at.map_or(boundary, |(i, _)| i);
    out.year = year_at.map(|(_, y)| y);

    if mode == Mode::Movie {
        if let Some((at, edition)) = edition(words) {
            out.edition = Some(edition);
            end = end.min(at);
        }
        if let Some((at, part)) = part(words) {
            // "Deathly Hallows Part 1 (2010)": a part before the year is the title's.
            if year_at.is_none_or(|(y, _)| at > y) {
                out.part = Some(part);
                end = end.min(at);
            }
        }
    }
    // Tags that slipped in before the year ("Movie.PROPER.2010") are not title.
    while end > 1 && words.get(end - 1).is_some_and(ends_title) {
        end -= 1;
    }
    if let (Some(first), Some(last)) =
        (words.first(), end.checked_sub(1).and_then(|i| words.get(i)))
    {
        let raw = span(text, first.start, last.end);
        // A name using hyphens as its only separator ("the-matrix-1999-1080p").
        let hyphenated = !text.contains([' ', '.']) && text.matches('-').count() >= 3;
        out.title = if hyphenated {
            clean(&raw.replace('-', " "))
        } else {
            clean(raw)
        };
    }
    out
}

/// The text from `start` to `end`, keeping a closing abbreviation dot in spaced names
/// ("Sammy Davis Jr. (1990)"), which words leave out.
fn span(text: &str, start: usize, end: usize) -> &str {
    let raw = text.get(start..end).unwrap_or("");
    if raw.contains(' ')
        && text.get(end..end + 1) == Some(".")
        && text
            .get(end + 1..)
            .is_none_or(|rest| rest.is_empty() || rest.starts_with([' ', FILL]))
    {
        return text.get(start..end + 1).unwrap_or(raw);
    }
    raw
}

/// Keys editions are matched on: lower case, no apostrophes.
fn key(word: &Word<'_>) -> String {
    word.text
        .chars()
        .filter(|c| !matches!(c, '\'' | '’'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Editions named in words, longest first at each position, with their usual spelling.
const EDITIONS: &[(&[&str], &str)] = &[
    (&["extended", "directors", "cut"], "Extended Director's Cut"),
    (&["directors", "cut"], "Director's Cut"),
    (&["director", "cut"], "Director's Cut"),
    (&["extended", "edition"], "Extended Edition"),
    (&["extended", "cut"], "Extended Cut"),
    (&["extended", "version"], "Extended Edition"),
    (&["extended"], "Extended"),
    (&["theatrical", "cut"], "Theatrical Cut"),
    (&["theatrical", "edition"], "Theatrical"),
    (&["theatrical", "version"], "Theatrical"),
    (&["theatrical"], "Theatrical"),
    (&["unrated", "edition"], "Unrated"),
    (&["unrated", "cut"], "Unrated"),
    (&["unrated"], "Unrated"),
    (&["uncut"], "Uncut"),
    (&["remastered"], "Remastered"),
    (&["imax", "edition"], "IMAX"),
    (&["imax"], "IMAX"),
    (&["special", "edition"], "Special Edition"),
    (&["collectors", "edition"], "Collector's Edition"),
    (&["ultimate", "edition"], "Ultimate Edition"),
    (&["ultimate", "cut"], "Ultimate Cut"),
    (&["final", "cut"], "Final Cut"),
    (&["criterion", "collection"], "Criterion"),
    (&["criterion"], "Criterion"),
    (&["anniversary", "edition"], "Anniversary Edition"),
    (&["open", "matte"], "Open Matte"),
    (&["redux"], "Redux"),
];

const ARTICLES: &[&str] = &["the", "a", "an"];

/// The first edition named after the title's first word, and the index the title ends at.
fn edition(words: &[Word<'_>]) -> Option<(usize, String)> {
    let keys: Vec<String> = words.iter().map(key).collect();
    for at in 1..keys.len() {
        for (phrase, name) in EDITIONS {
            let matches = keys
                .get(at..at + phrase.len())
                .is_some_and(|ks| ks.iter().zip(phrase.iter()).all(|(k, p)| k == p));
            if !matches {
                continue;
            }
            // "Blade Runner The Final Cut": the article goes with the edition.
            let cut = if at >= 2 && keys.get(at - 1).is_some_and(|k| k == "the") {
                at - 1
            } else {
                at
            };
            // "The Final Cut (2004)" is a title, not an edition of "The".
            let title_is_article =
                cut == 1 && keys.first().is_some_and(|k| ARTICLES.contains(&k.as_str()));
            if title_is_article {
                break;
            }
            // "25th Anniversary Edition" keeps its number.
            if phrase.first() == Some(&"anniversary")
                && at >= 2
                && let Some(ordinal) = words.get(at - 1)
                && is_ordinal(ordinal.text)
            {
                return Some((at - 1, format!("{} {name}", ordinal.text)));
            }
            return Some((cut, (*name).to_owned()));
        }
    }
    None
}

fn is_ordinal(text: &str) -> bool {
    let digits = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    !digits.is_empty() && digits.len() < text.len() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// A part marker (`cd1`, `cd 2`, `part2`, `pt.3`, `disc1`, `disk2`) after the first word.
fn part(words: &[Word<'_>]) -> Option<(usize, u32)> {
    (1..words.len()).find_map(|at| {
        let word = words.get(at)?;
        if let Some(n) = part_word(word.text) {
            return Some((at, n));
        }
        let next = words.get(at + 1)?;
        let prefix = word.text.to_ascii_lowercase();
        if PART_WORDS.contains(&prefix.as_str()) && next.start <= word.end + 1 {
            return Some((at, part_number(next.text)?));
        }
        None
    })
}

/// Turns a stretch of a name into a title: dots and underscores of release names become
/// spaces (but `S.H.I.E.L.D.` stays), brackets are balanced, runs of spaces and the
/// separators left at either end go.
pub(crate) fn clean(raw: &str) -> Option<String> {
    let text = if raw.contains(' ') {
        raw.replace(['_', FILL], " ")
    } else {
        undot(raw)
    };
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let trimmed = joined.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, '-' | '_' | ',' | ';' | ':' | '~' | '+' | '/' | '|')
    });
    let balanced = balance(trimmed);
    balanced
        .chars()
        .any(char::is_alphanumeric)
        .then_some(balanced)
}

/// Dotted words as spaced words, keeping initialisms together.
fn undot(raw: &str) -> String {
    let parts: Vec<&str> = raw
        .split(['.', '_', FILL])
        .filter(|p| !p.is_empty())
        .collect();
    let single = |p: &&&str| {
        let mut chars = p.chars();
        chars.next().is_some_and(char::is_alphabetic) && chars.next().is_none()
    };
    let mut out: Vec<String> = Vec::with_capacity(parts.len());
    let mut i = 0;
    while let Some(part) = parts.get(i) {
        let run = parts
            .get(i..)
            .map_or(0, |rest| rest.iter().take_while(single).count());
        if run >= 2 {
            let letters = parts.get(i..i + run).unwrap_or_default();
            out.push(format!("{}.", letters.join(".")));
            i += run;
        } else {
            out.push((*part).to_owned());
            i += 1;
        }
    }
    out.join(" ")
}

/// Adds the bracket a cut left open or closed ("The Office (US", "500) Days of Summer").
fn balance(text: &str) -> String {
    let mut out = text.to_owned();
    for (open, close) in [('(', ')'), ('[', ']')] {
        let opens = out.matches(open).count();
        let closes = out.matches(close).count();
        if opens > closes {
            out.extend(std::iter::repeat_n(close, opens - closes));
        } else if closes > opens {
            out = format!("{}{out}", open.to_string().repeat(closes - opens));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::words;

    fn title(text: &str) -> Title {
        analyse(text, &words(text), Mode::Movie)
    }

    #[test]
    fn cleaning() {
        assert_eq!(clean("The.Matrix").as_deref(), Some("The Matrix"));
        assert_eq!(
            clean("Agents.of.S.H.I.E.L.D").as_deref(),
            Some("Agents of S.H.I.E.L.D.")
        );
        assert_eq!(clean("The Office (US").as_deref(), Some("The Office (US)"));
        assert_eq!(clean("Show - ").as_deref(), Some("Show"));
        assert_eq!(clean(" - ").as_deref(), None);
    }

    #[test]
    fn years_and_editions() {
        let t = title("Blade Runner 2049 (2017)");
        assert_eq!(t.title.as_deref(), Some("Blade Runner 2049"));
        assert_eq!(t.year, Some(2017));
        let t = title("The Final Cut (2004)");
        assert_eq!(t.title.as_deref(), Some("The Final Cut"));
        assert_eq!(t.edition, None);
        let t = title("Movie.2010.25th.Anniversary.Edition.1080p");
        assert_eq!(t.edition.as_deref(), Some("25th Anniversary Edition"));
    }
}
