//! Bytes to text. NFO files come from many tools over many years: UTF-8 with or without a BOM,
//! UTF-16 from Windows editors, and Windows-1252 from older scrapers, sometimes mixed in one file
//! after a hand edit. The XML declaration's `encoding` is ignored because it is wrong as often as
//! the bytes are.

/// The decoded text and, when the bytes were not clean UTF-8 or UTF-16, a warning saying so.
#[derive(Debug)]
pub(crate) struct Decoded {
    pub text: String,
    pub warning: Option<String>,
}

pub(crate) fn decode(bytes: &[u8]) -> Decoded {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return utf8_or_windows_1252(rest);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, u16::from_be_bytes);
    }
    // Without a BOM, UTF-16 still shows itself: an XML file opens with `<`, and its other byte
    // is 0.
    match bytes {
        [b'<', 0, ..] => utf16(bytes, u16::from_le_bytes),
        [0, b'<', ..] => utf16(bytes, u16::from_be_bytes),
        _ => utf8_or_windows_1252(bytes),
    }
}

/// Valid UTF-8 runs stay UTF-8 and every byte outside them is read as Windows-1252, so a file
/// that is all Latin-1 and one that is UTF-8 with a single hand-typed `é` both come out right.
fn utf8_or_windows_1252(bytes: &[u8]) -> Decoded {
    let mut text = String::with_capacity(bytes.len());
    let mut foreign = 0usize;
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        for &byte in chunk.invalid() {
            text.push(windows_1252(byte));
            foreign += 1;
        }
    }
    let warning =
        (foreign > 0).then(|| format!("not valid UTF-8: read {foreign} byte(s) as Windows-1252"));
    Decoded { text, warning }
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Decoded {
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    let mut broken = 0usize;
    let text = char::decode_utf16(units)
        .map(|c| {
            c.unwrap_or_else(|_| {
                broken += 1;
                char::REPLACEMENT_CHARACTER
            })
        })
        .collect();
    let warning = (broken > 0 || !bytes.len().is_multiple_of(2))
        .then(|| "broken UTF-16: some characters were replaced or dropped".to_owned());
    Decoded { text, warning }
}

/// One Windows-1252 byte. The five bytes the code page leaves undefined become U+FFFD rather than
/// C1 control characters, which would be invisible in a title.
fn windows_1252(byte: u8) -> char {
    const HIGH: [char; 32] = [
        '\u{20AC}', '\u{FFFD}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{FFFD}',
        '\u{017D}', '\u{FFFD}', '\u{FFFD}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}',
        '\u{2022}', '\u{2013}', '\u{2014}', '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}',
        '\u{0153}', '\u{FFFD}', '\u{017E}', '\u{0178}',
    ];
    match byte {
        0x80..=0x9F => HIGH
            .get(usize::from(byte - 0x80))
            .copied()
            .unwrap_or(char::REPLACEMENT_CHARACTER),
        _ => char::from(byte),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: &[u8]) -> String {
        decode(bytes).text
    }

    #[test]
    fn encodings() {
        let cases: &[(&str, &[u8], &str, bool)] = &[
            ("plain UTF-8", "Amélie".as_bytes(), "Amélie", false),
            (
                "UTF-8 BOM is dropped",
                b"\xEF\xBB\xBF<movie/>",
                "<movie/>",
                false,
            ),
            ("Latin-1", b"Am\xE9lie", "Amélie", true),
            (
                "Windows-1252 quotes and euro",
                b"\x93Hi\x94 \x80",
                "\u{201C}Hi\u{201D} €",
                true,
            ),
            (
                "UTF-8 with one stray Latin-1 byte",
                b"Am\xC3\xA9lie \xE9t\xE9",
                "Amélie été",
                true,
            ),
            ("UTF-16 LE with BOM", b"\xFF\xFE<\0m\0/\0>\0", "<m/>", false),
            ("UTF-16 BE with BOM", b"\xFE\xFF\0<\0m\0/\0>", "<m/>", false),
            ("UTF-16 LE without BOM", b"<\0m\0/\0>\0", "<m/>", false),
            ("undefined Windows-1252 byte", b"a\x81b", "a\u{FFFD}b", true),
        ];
        for (name, bytes, want, warns) in cases {
            let decoded = decode(bytes);
            assert_eq!(decoded.text, *want, "{name}");
            assert_eq!(decoded.warning.is_some(), *warns, "{name}");
        }
    }

    #[test]
    fn odd_utf16_tail_is_dropped_with_a_warning() {
        let decoded = decode(b"\xFF\xFE<\0m\0>");
        assert_eq!(decoded.text, "<m");
        assert!(decoded.warning.is_some());
        assert_eq!(text(b"\xFF\xFE\x00\xD8"), "\u{FFFD}");
    }
}
