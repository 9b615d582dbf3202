//! Lyrics: from the tags or an `.lrc` file beside the track, plain or synced (LRC timestamps).

use std::path::Path;

use revenge_core::FolderListing;

/// One line of lyrics, with its start when synced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Milliseconds from the start of the track.
    pub start_ms: Option<i64>,
    /// The words.
    pub text: String,
}

/// Parsed lyrics.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Lyrics {
    /// Whether every line has a time.
    pub synced: bool,
    /// The lines, in order.
    pub lines: Vec<Line>,
    /// `[offset:…]` in milliseconds.
    pub offset_ms: i64,
}

/// The text of `Song.lrc` beside `Song.mp3`, if there is one (lossily decoded); `beside`, the
/// folder's entries when the scan listed them, spares trying to open one that is not there.
pub fn sidecar(audio: &Path, beside: Option<&FolderListing>) -> Option<String> {
    let lrc = audio.with_extension("lrc");
    if let (Some(listing), Some(name)) = (beside, lrc.file_name())
        && !listing.contains(name)
    {
        return None;
    }
    let bytes = std::fs::read(&lrc).ok()?;
    let text = String::from_utf8_lossy(&bytes).trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// `[mm:ss.xx]` → milliseconds.
fn timestamp(tag: &str) -> Option<i64> {
    let (minutes, seconds) = tag.split_once(':')?;
    let minutes: i64 = minutes.trim().parse().ok()?;
    let seconds: f64 = seconds.trim().parse().ok()?;
    if !(0.0..60.0).contains(&seconds) {
        return None;
    }
    Some(minutes * 60_000 + (seconds * 1000.0).round() as i64)
}

/// Parses LRC (or plain text, one line per line). Lines with several timestamps repeat.
pub fn parse(text: &str) -> Lyrics {
    let mut lyrics = Lyrics::default();
    let mut timed = Vec::new();
    let mut plain = Vec::new();
    for raw in text.lines() {
        let mut rest = raw.trim();
        let mut starts = Vec::new();
        while let Some(inner) = rest.strip_prefix('[') {
            let Some(end) = inner.find(']') else { break };
            let tag = &inner[..end];
            if let Some(ms) = timestamp(tag) {
                starts.push(ms);
            } else if let Some(offset) = tag.strip_prefix("offset:") {
                lyrics.offset_ms = offset.trim().parse().unwrap_or(0);
            } else if tag.contains(':') {
                // Metadata such as [ar:…] or [ti:…].
            } else {
                break;
            }
            rest = &inner[end + 1..];
        }
        let words = rest.trim().to_owned();
        if starts.is_empty() {
            if !words.is_empty() || !plain.is_empty() {
                plain.push(words);
            }
        } else {
            for start in starts {
                timed.push(Line {
                    start_ms: Some(start),
                    text: words.clone(),
                });
            }
        }
    }
    if timed.is_empty() {
        while plain.last().is_some_and(String::is_empty) {
            plain.pop();
        }
        lyrics.lines = plain
            .into_iter()
            .map(|text| Line {
                start_ms: None,
                text,
            })
            .collect();
    } else {
        timed.sort_by_key(|l| l.start_ms);
        lyrics.synced = true;
        lyrics.lines = timed;
    }
    lyrics
}

impl Lyrics {
    /// The words without times, one line each.
    pub fn plain_text(&self) -> String {
        self.lines
            .iter()
            .map(|l| l.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sidecar_is_read_when_its_folder_lists_it_or_was_not_listed() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let with = dir.path().join("01 - With.mp3");
        let without = dir.path().join("02 - Without.mp3");
        std::fs::write(dir.path().join("01 - With.lrc"), "[00:01.00]Hi\n").expect("lyrics");
        let listing = FolderListing::read(dir.path()).expect("a listing");
        assert_eq!(
            sidecar(&with, Some(&listing)).as_deref(),
            Some("[00:01.00]Hi")
        );
        assert_eq!(sidecar(&with, None).as_deref(), Some("[00:01.00]Hi"));
        assert_eq!(sidecar(&without, Some(&listing)), None);
        assert_eq!(sidecar(&without, None), None);
        // What the listing did not hold is not looked for: it was listed during this scan.
        std::fs::write(dir.path().join("02 - Without.lrc"), "late").expect("lyrics");
        assert_eq!(sidecar(&without, Some(&listing)), None);
        assert_eq!(sidecar(&without, None).as_deref(), Some("late"));
    }

    #[test]
    fn synced_and_plain() {
        let lrc = "[ar:Someone]\n[offset:+100]\n[00:01.50]Hello\n[00:03.00][00:10.00]Again\n";
        let parsed = parse(lrc);
        assert!(parsed.synced);
        assert_eq!(parsed.offset_ms, 100);
        assert_eq!(
            parsed.lines,
            [
                Line {
                    start_ms: Some(1500),
                    text: "Hello".into()
                },
                Line {
                    start_ms: Some(3000),
                    text: "Again".into()
                },
                Line {
                    start_ms: Some(10000),
                    text: "Again".into()
                },
            ]
        );
        let plain = parse("one\n\ntwo\n");
        assert!(!plain.synced);
        assert_eq!(plain.plain_text(), "one\n\ntwo");
    }
}
