//! Words of a name, and which of them are release tags (quality, source, codec…) rather than
//! title.

use crate::parsed::Parsed;

/// Stands in for text cut out of a name (id hints, hashes, a leading group) so byte offsets
/// stay valid. Unlike a space it does not make a dotted release name look like a spaced one.
pub(crate) const FILL: char = '\u{1}';

/// One word of a name, with where it sits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Word<'a> {
    pub text: &'a str,
    pub start: usize,
    pub end: usize,
    /// The separator right before the word; `'\0'` at the start of the name.
    pub sep: char,
    /// Inside `()`, `[]` or `{}`.
    pub bracketed: bool,
}

fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '.' | '_' | '-' | '[' | ']' | '(' | ')' | '{' | '}' | FILL
        )
}

/// Splits a name into words, then joins the tags that separators break apart (`WEB-DL`,
/// `H.264`, `5.1`, `DTS-HD`) so each is judged whole.
pub(crate) fn words(text: &str) -> Vec<Word<'_>> {
    let mut raw = Vec::new();
    let mut depth = 0u32;
    let mut current: Option<(usize, char, bool)> = None;
    let mut sep = '\0';
    for (i, c) in text.char_indices() {
        if is_separator(c) {
            if let Some((start, before, bracketed)) = current.take() {
                raw.push(word(text, start, i, before, bracketed));
            }
            match c {
                '[' | '(' | '{' => depth += 1,
                ']' | ')' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            sep = c;
        } else if current.is_none() {
            current = Some((i, sep, depth > 0));
        }
    }
    if let Some((start, before, bracketed)) = current {
        raw.push(word(text, start, text.len(), before, bracketed));
    }
    // Words without a letter or digit ("&", "-") stay for spans but are not words to judge.
    let raw: Vec<Word<'_>> = raw
        .into_iter()
        .filter(|w| w.text.chars().any(char::is_alphanumeric))
        .collect();
    merge(text, raw)
}

fn word(text: &str, start: usize, end: usize, sep: char, bracketed: bool) -> Word<'_> {
    Word {
        text: text.get(start..end).unwrap_or(""),
        start,
        end,
        sep,
        bracketed,
    }
}

fn merge<'a>(text: &'a str, raw: Vec<Word<'a>>) -> Vec<Word<'a>> {
    let mut out: Vec<Word<'a>> = Vec::with_capacity(raw.len());
    for next in raw {
        if let Some(last) = out.last_mut()
            && let Some(joined) = joined(text, *last, next)
        {
            *last = joined;
            continue;
        }
        out.push(next);
    }
    out
}

/// `a` and `b` as one word, when together they form a tag that neither is alone.
fn joined<'a>(text: &'a str, a: Word<'a>, b: Word<'a>) -> Option<Word<'a>> {
    if b.start != a.end + 1 || !matches!(b.sep, '.' | '-' | ' ') {
        return None;
    }
    let both = text.get(a.start..b.end)?;
    classify(both)?;
    if classify(a.text).is_some() && classify(b.text).is_some() {
        return None;
    }
    Some(Word {
        text: both,
        end: b.end,
        ..a
    })
}

/// What a release tag says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TagKind {
    Resolution(&'static str),
    Source(&'static str),
    Codec(&'static str),
    Other,
}

/// A recognised release tag. Weak tags are also ordinary words ("Web", "Complete",
/// "Limited"), so they only end a title when written in capitals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tag {
    pub kind: TagKind,
    pub strong: bool,
}

const fn strong(kind: TagKind) -> Option<Tag> {
    Some(Tag { kind, strong: true })
}

const fn weak(kind: TagKind) -> Option<Tag> {
    Some(Tag {
        kind,
        strong: false,
    })
}

/// Recognises a release tag, whatever its case and inner separators.
pub(crate) fn classify(text: &str) -> Option<Tag> {
    use TagKind::{Codec, Other, Resolution, Source};
    let lower = text.to_ascii_lowercase();
    if is_channels(&lower) {
        return strong(Other);
    }
    let key: String = lower
        .chars()
        .filter(|c| !matches!(c, '.' | '-' | '_' | ' ' | '\''))
        .collect();
    if let Some(resolution) = resolution(&key) {
        return strong(Resolution(resolution));
    }
    match key.as_str() {
        "bluray" | "bdremux" | "uhdbluray" | "bluraydisc" => strong(Source("BluRay")),
        "bdrip" => strong(Source("BDRip")),
        "brrip" => strong(Source("BRRip")),
        "webdl" | "webdlrip" => strong(Source("WEB-DL")),
        "webrip" => strong(Source("WEBRip")),
        "web" => weak(Source("WEB")),
        "hdtv" | "hdtvrip" => strong(Source("HDTV")),
        "pdtv" => strong(Source("PDTV")),
        "sdtv" => strong(Source("SDTV")),
        "tvrip" => strong(Source("TVRip")),
        "dsrip" | "dsr" => strong(Source("DSRip")),
        "satrip" => strong(Source("SATRip")),
        "hdrip" => strong(Source("HDRip")),
        "dvdrip" => strong(Source("DVDRip")),
        "dvdr" | "dvd5" | "dvd9" => strong(Source("DVD")),
        "dvd" => weak(Source("DVD")),
        "dvdscr" | "bdscr" => strong(Source("Screener")),
        "screener" => weak(Source("Screener")),
        "hdcam" | "camrip" => strong(Source("CAM")),
        "cam" => weak(Source("CAM")),
        "telesync" | "hdts" => strong(Source("TS")),
        "vhsrip" => strong(Source("VHS")),
        "hddvd" => strong(Source("HD-DVD")),
        "x264" => strong(Codec("x264")),
        "x265" => strong(Codec("x265")),
        "h264" => strong(Codec("H.264")),
        "h265" => strong(Codec("H.265")),
        "hevc" => strong(Codec("HEVC")),
        "avc" => strong(Codec("AVC")),
        "xvid" => strong(Codec("XviD")),
        "divx" => strong(Codec("DivX")),
        "av1" => strong(Codec("AV1")),
        "vp9" => strong(Codec("VP9")),
        "mpeg2" => strong(Codec("MPEG-2")),
        "vc1" => strong(Codec("VC-1")),
        // Audio.
        "aac" | "ac3" | "eac3" | "dts" | "dtshd" | "dtshdma" | "dtsma" | "dtsx" | "dtses"
        | "truehd" | "atmos" | "dolbyatmos" | "dolbydigital" | "flac" | "mp3" | "lpcm" | "pcm"
        | "ddp" | "dd+" | "ddplus" | "dualaudio" | "2audio" => strong(Other),
        "dd" | "ma" | "opus" | "dual" | "multi" => weak(Other),
        // Picture.
        "hdr" | "hdr10" | "hdr10+" | "hdr10plus" | "dovi" | "dolbyvision" | "sdr" | "hlg"
        | "10bit" | "8bit" | "12bit" | "hi10p" | "hi10" => strong(Other),
        "dv" | "uhd" | "3d" | "hsbs" | "hou" | "sbs" | "ws" | "pal" | "ntsc" => weak(Other),
        // Release.
        "remux" | "rerip" | "readnfo" | "nfofix" | "dirfix" | "syncfix" | "hardsub"
        | "hardsubs" | "hc" | "multisubs" | "vostfr" | "truefrench" | "amzn" | "dsnp" | "hmax"
        | "atvp" | "pcok" | "nflx" | "webhd" => strong(Other),
        "proper" | "repack" | "internal" | "limited" | "complete" | "hybrid" | "dubbed"
        | "subbed" | "nf" | "hulu" | "festival" | "retail" | "english" | "french" | "german"
        | "italian" | "spanish" | "japanese" | "korean" | "hindi" | "russian" | "eng" | "ita"
        | "ger" | "fre" | "spa" | "jpn" => weak(Other),
        _ => None,
    }
}

/// Audio channel layouts (`5.1`, `DD5.1`, `AAC2.0`), which keep their dot: without it they
/// would be ordinary numbers.
fn is_channels(lower: &str) -> bool {
    const CODECS: &[&str] = &[
        "truehd", "atmos", "eac3", "flac", "opus", "lpcm", "dd+", "ddp", "ac3", "aac", "dts",
        "pcm", "dd",
    ];
    let mut rest = lower;
    for codec in CODECS {
        if let Some(after) = rest.strip_prefix(codec) {
            rest = after.strip_prefix(['.', '-', ' ']).unwrap_or(after);
            break;
        }
    }
    let bytes = rest.as_bytes();
    bytes.len() == 3
        && matches!(bytes[0], b'1' | b'2' | b'4' | b'5' | b'6' | b'7')
        && matches!(bytes[1], b'.' | b' ')
        && matches!(bytes[2], b'0' | b'1')
}

fn resolution(key: &str) -> Option<&'static str> {
    const LINES: &[(&str, &str)] = &[
        ("240", "240p"),
        ("360", "360p"),
        ("480", "480p"),
        ("540", "540p"),
        ("576", "576p"),
        ("720", "720p"),
        ("1080", "1080p"),
        ("1440", "1440p"),
        ("2160", "2160p"),
        ("4320", "4320p"),
    ];
    match key {
        "4k" => return Some("2160p"),
        "8k" => return Some("4320p"),
        "1080i" => return Some("1080i"),
        _ => {}
    }
    let lines = if let Some(lines) = key.strip_suffix('p') {
        lines
    } else {
        // A frame size such as 1920x1080 names its lines second.
        let (width, height) = key.split_once('x')?;
        if !(3..=4).contains(&width.len()) || !width.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        height
    };
    LINES
        .iter()
        .find(|(digits, _)| *digits == lines)
        .map(|(_, name)| *name)
}

/// Written in capitals (`PROPER`, `LIMITED`) or scene-style (`iNTERNAL`), which is how a
/// weak tag shows it is a tag and not a title word.
pub(crate) fn shouted(text: &str) -> bool {
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    let lower = text.chars().filter(|c| c.is_lowercase()).count();
    letters >= 2 && (lower == 0 || (lower == 1 && text.starts_with(char::is_lowercase)))
}

/// Whether a word ends a title: a strong tag, or a weak one written as a tag.
pub(crate) fn ends_title(word: &Word<'_>) -> bool {
    classify(word.text).is_some_and(|tag| tag.strong || shouted(word.text))
}

/// A plausible release year (1900–2099) written alone.
pub(crate) fn year(word: &Word<'_>) -> Option<i32> {
    if word.text.len() != 4 || !word.text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = word.text.parse().ok()?;
    (1900..=2099).contains(&year).then_some(year)
}

/// Fills the quality fields and the release group from a name's words; the first of each
/// kind wins, and fields already set are kept.
pub(crate) fn quality(words: &[Word<'_>], out: &mut Parsed) {
    for word in words {
        // A weak tag in lower or title case is a word ("Charlotte's Web").
        let Some(tag) = classify(word.text).filter(|t| t.strong || shouted(word.text)) else {
            continue;
        };
        match tag.kind {
            TagKind::Resolution(r) if out.resolution.is_none() => {
                out.resolution = Some(r.to_owned());
            }
            TagKind::Source(s) if out.source.is_none() => out.source = Some(s.to_owned()),
            TagKind::Codec(c) if out.codec.is_none() => out.codec = Some(c.to_owned()),
            _ => {}
        }
    }
    if out.group.is_none() {
        out.group = release_group(words);
    }
}

/// Words that number the files of a movie split over several. Not `dvd`: DVD5 and DVD9 are
/// disc formats.
pub(crate) const PART_WORDS: &[&str] = &["cd", "part", "pt", "disc", "disk"];

/// A word that is a part marker with its number, as `cd1` or `part2`.
pub(crate) fn part_word(text: &str) -> Option<u32> {
    let lower = text.to_ascii_lowercase();
    PART_WORDS.iter().find_map(|prefix| {
        let rest = lower.strip_prefix(prefix)?;
        let rest = rest.strip_prefix(['.', '-', ' ', '_']).unwrap_or(rest);
        part_number(rest)
    })
}

/// A part's number: one or two digits, from 1, so "Part 2049" is no part.
pub(crate) fn part_number(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 2 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().filter(|n| *n > 0)
}

/// The group of a scene-style name: the `-GRP` glued to the last tag, as in
/// `…x264-GRP`. Only after a strong tag, so `Spider-Man` is not a release by "Man".
fn release_group(words: &[Word<'_>]) -> Option<String> {
    // A part marker may follow the group ("…XviD-GRP-cd1", "…XviD-GRP CD1").
    let last = words
        .iter()
        .rposition(|w| !w.bracketed && part_word(w.text).is_none())?;
    let group = words.get(last)?;
    if last == 0 || group.sep != '-' || classify(group.text).is_some() {
        return None;
    }
    // Glued to the word before, or to its closing bracket ("[x264]-GRP").
    let prev = words.get(last - 1)?;
    if group.start > prev.end + 2 {
        return None;
    }
    let tagged = words
        .get(..last)?
        .iter()
        .any(|w| classify(w.text).is_some_and(|t| t.strong));
    tagged.then(|| group.text.to_owned())
}

/// The group named in a trailing bracket (`Show - 125 [group]`), as anime releases put it
/// when they do not lead with it.
pub(crate) fn bracket_group(words: &[Word<'_>]) -> Option<String> {
    let last = words.last()?;
    let alone = words
        .len()
        .checked_sub(2)
        .and_then(|i| words.get(i))
        .is_none_or(|prev| !prev.bracketed || prev.end + 1 < last.start);
    (last.bracketed
        && alone
        && classify(last.text).is_none()
        && last.text.chars().any(char::is_alphabetic))
    .then(|| last.text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<&str> {
        words(text).iter().map(|w| w.text).collect()
    }

    #[test]
    fn separators_split_and_tags_rejoin() {
        assert_eq!(
            texts("The.Matrix.1999.1080p.WEB-DL.DD5.1.H.264-GRP"),
            [
                "The", "Matrix", "1999", "1080p", "WEB-DL", "DD5.1", "H.264", "GRP"
            ]
        );
        assert_eq!(texts("Spider-Man (2002)"), ["Spider", "Man", "2002"]);
        assert_eq!(texts("DTS-HD.MA.5.1"), ["DTS-HD", "MA", "5.1"]);
        assert_eq!(texts("Tom & Jerry"), ["Tom", "Jerry"]);
    }

    #[test]
    fn brackets_are_remembered() {
        let w = words("Show - 125 [1080p]");
        assert!(!w[1].bracketed);
        assert!(w[2].bracketed);
    }

    #[test]
    fn tags() {
        assert_eq!(
            classify("1920x1080").map(|t| t.kind),
            Some(TagKind::Resolution("1080p"))
        );
        assert_eq!(
            classify("Blu-Ray").map(|t| t.kind),
            Some(TagKind::Source("BluRay"))
        );
        assert!(classify("Matrix").is_none());
        assert!(classify("51").is_none());
        assert!(classify("5.1").is_some());
        assert!(shouted("PROPER"));
        assert!(shouted("iNTERNAL"));
        assert!(!shouted("Proper"));
    }
}
