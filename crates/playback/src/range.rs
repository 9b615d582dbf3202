//! HTTP range requests (RFC 9110 §14) over a file of known length: which bytes to send, and
//! whether `If-Range` lets the range apply at all. Pure functions, so every edge is unit-tested.

/// What to answer a request for a representation of `len` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeAnswer {
    /// The whole representation (no range, an unparseable one, several ranges, or an `If-Range`
    /// that no longer matches).
    Full,
    /// 206 with bytes `start..=end`.
    Partial {
        /// First byte.
        start: u64,
        /// Last byte, inclusive.
        end: u64,
    },
    /// 416: the range lies entirely outside the representation.
    Unsatisfiable,
}

/// Decides from the `Range` header alone. Multiple ranges are answered with the whole body,
/// which RFC 9110 allows: players ask for one range, and multipart bodies would buy nothing.
pub fn answer(range: Option<&str>, len: u64) -> RangeAnswer {
    let Some(range) = range else {
        return RangeAnswer::Full;
    };
    let Some(spec) = range.trim().strip_prefix("bytes=") else {
        return RangeAnswer::Full;
    };
    if spec.contains(',') {
        return RangeAnswer::Full;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return RangeAnswer::Full;
    };
    let (first, last) = (first.trim(), last.trim());
    if first.is_empty() {
        // A suffix: the last N bytes.
        let Ok(suffix) = last.parse::<u64>() else {
            return RangeAnswer::Full;
        };
        if suffix == 0 || len == 0 {
            return RangeAnswer::Unsatisfiable;
        }
        return RangeAnswer::Partial {
            start: len.saturating_sub(suffix),
            end: len - 1,
        };
    }
    let Ok(start) = first.parse::<u64>() else {
        return RangeAnswer::Full;
    };
    let end = if last.is_empty() {
        None
    } else {
        match last.parse::<u64>() {
            Ok(end) if end >= start => Some(end),
            // `bytes=10-5` is invalid syntax, which means: ignore the header.
            _ => return RangeAnswer::Full,
        }
    };
    if start >= len {
        return RangeAnswer::Unsatisfiable;
    }
    RangeAnswer::Partial {
        start,
        end: end.map_or(len - 1, |end| end.min(len - 1)),
    }
}

/// Whether an `If-Range` precondition holds: it must name exactly the current strong ETag or
/// exactly the current `Last-Modified` date. Weak tags never match (RFC 9110 §13.1.5).
pub fn if_range_holds(if_range: Option<&str>, etag: &str, last_modified: &str) -> bool {
    match if_range.map(str::trim) {
        None => true,
        Some(value) if value.starts_with("W/") => false,
        Some(value) if value.starts_with('"') => value == etag,
        Some(value) => value == last_modified,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RangeAnswer::{Full, Partial, Unsatisfiable};

    #[test]
    fn single_ranges() {
        assert_eq!(
            answer(Some("bytes=0-99"), 1000),
            Partial { start: 0, end: 99 }
        );
        assert_eq!(
            answer(Some("bytes=500-"), 1000),
            Partial {
                start: 500,
                end: 999
            }
        );
        assert_eq!(
            answer(Some("bytes=900-5000"), 1000),
            Partial {
                start: 900,
                end: 999
            },
            "an end past the file is clamped"
        );
        assert_eq!(
            answer(Some("bytes=999-999"), 1000),
            Partial {
                start: 999,
                end: 999
            }
        );
    }

    #[test]
    fn suffix_ranges() {
        assert_eq!(
            answer(Some("bytes=-100"), 1000),
            Partial {
                start: 900,
                end: 999
            }
        );
        assert_eq!(
            answer(Some("bytes=-5000"), 1000),
            Partial { start: 0, end: 999 },
            "a suffix longer than the file is the whole file"
        );
        assert_eq!(answer(Some("bytes=-0"), 1000), Unsatisfiable);
    }

    #[test]
    fn unsatisfiable_and_ignored() {
        assert_eq!(answer(Some("bytes=1000-"), 1000), Unsatisfiable);
        assert_eq!(answer(Some("bytes=0-"), 0), Unsatisfiable);
        assert_eq!(answer(None, 1000), Full);
        assert_eq!(answer(Some("bytes=5-1"), 1000), Full);
        assert_eq!(answer(Some("items=0-1"), 1000), Full);
        assert_eq!(answer(Some("bytes=a-b"), 1000), Full);
        assert_eq!(answer(Some("bytes=0-1,5-6"), 1000), Full);
        assert_eq!(answer(Some("bytes=-"), 1000), Full);
    }

    #[test]
    fn if_range() {
        let (etag, date) = ("\"abc\"", "Tue, 01 Jan 2030 00:00:00 GMT");
        assert!(if_range_holds(None, etag, date));
        assert!(if_range_holds(Some("\"abc\""), etag, date));
        assert!(!if_range_holds(Some("\"old\""), etag, date));
        assert!(!if_range_holds(Some("W/\"abc\""), etag, date));
        assert!(if_range_holds(Some(date), etag, date));
        assert!(!if_range_holds(
            Some("Mon, 31 Dec 2029 00:00:00 GMT"),
            etag,
            date
        ));
    }
}
