//! A forgiving XML reader made for NFO files. It builds a small element tree and, instead of
//! failing, stops at the first structural break with a warning, keeping every element that closed
//! before it. Strict parsers lose the whole file to one stray `</titel>`; Kodi users' files have
//! those, as well as bare `&` in titles and a URL after the root element.

use std::borrow::Cow;

/// Elements nested deeper than this stop the reader: no NFO needs it, and a hostile file could
/// otherwise make the tree, and the recursion over it, as deep as the file is long.
pub(crate) const MAX_DEPTH: usize = 64;

#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Element {
    /// Lowercased: Kodi's own writers agree on case, but hand-edited files do not.
    pub name: String,
    /// Names lowercased, values with entities decoded.
    pub attrs: Vec<(String, String)>,
    /// The element's own text, trimmed. Empty for an element cut off by a break, whose text may be
    /// cut off too.
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    fn new(name: String, attrs: Vec<(String, String)>) -> Self {
        Self {
            name,
            attrs,
            ..Self::default()
        }
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |child| child.name == name)
    }

    /// The first non-empty text among the children of that name.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.children
            .iter()
            .filter(|child| child.name == name)
            .map(|child| child.text.as_str())
            .find(|text| !text.is_empty())
    }

    /// The element's own text, if it has any.
    pub fn own_text(&self) -> Option<&str> {
        Some(self.text.as_str()).filter(|text| !text.is_empty())
    }
}

#[derive(Debug, Default)]
pub(crate) struct Document {
    /// The first root element, if a start tag was read at all.
    pub root: Option<Element>,
    /// Text outside the root element, where Kodi puts a scraper URL.
    pub outside: String,
    pub warnings: Vec<String>,
}

/// Reads the first root element of `text` and the text around it. A second root element ends the
/// reading silently: Kodi's multi-episode files are several `<episodedetails>` in a row, and the
/// first describes the file as well as any.
pub(crate) fn read(text: &str) -> Document {
    let mut reader = Reader {
        doc: Document::default(),
        stack: Vec::new(),
    };
    reader.run(text);
    reader.finish()
}

struct Reader {
    doc: Document,
    /// The open elements, innermost last.
    stack: Vec<Element>,
}

/// Whether to go on reading after a token.
enum Step {
    /// Go on after this many bytes.
    Advance(usize),
    Stop,
}

impl Reader {
    fn run(&mut self, text: &str) {
        let mut pos = 0;
        // Every step advances by whole tokens that end on ASCII delimiters, so `pos` is always a
        // char boundary; `get` keeps a mistake there from becoming a panic.
        while let Some(rest) = text.get(pos..) {
            if rest.is_empty() {
                break;
            }
            let step = match rest.strip_prefix('<') {
                Some(after) => self.markup(after),
                None => {
                    let end = rest.find('<').unwrap_or(rest.len());
                    self.text(rest.get(..end).unwrap_or_default());
                    Step::Advance(end)
                }
            };
            match step {
                Step::Advance(0) | Step::Stop => break,
                Step::Advance(len) => pos += len,
            }
        }
    }

    /// One construct starting with `<`; `after` is what follows the `<`.
    fn markup(&mut self, after: &str) -> Step {
        if let Some(body) = after.strip_prefix("!--") {
            return self.skip_to(body, "-->", 4, "comment");
        }
        if let Some(body) = after.strip_prefix("![CDATA[") {
            let Some(end) = body.find("]]>") else {
                return self.stop("a CDATA section is not closed".to_owned());
            };
            let content = body.get(..end).unwrap_or_default();
            self.raw_text(content);
            return Step::Advance(1 + "![CDATA[".len() + end + "]]>".len());
        }
        if let Some(body) = after.strip_prefix('?') {
            return self.skip_to(body, "?>", 2, "processing instruction");
        }
        if let Some(body) = after.strip_prefix('!') {
            return match declaration_end(body) {
                Some(end) => Step::Advance(2 + end + 1),
                None => self.stop("a <!...> declaration is not closed".to_owned()),
            };
        }
        if let Some(body) = after.strip_prefix('/') {
            return self.end_tag(body);
        }
        if after.starts_with(|c: char| c.is_alphabetic() || c == '_' || c == ':') {
            return self.start_tag(after);
        }
        // A `<` that starts no markup, as in "Less < More": text, as a browser would read it.
        self.raw_text("<");
        Step::Advance(1)
    }

    /// Skips `<` + a prefix of `open` bytes + everything up to and including `close`.
    fn skip_to(&mut self, body: &str, close: &str, open: usize, what: &str) -> Step {
        match body.find(close) {
            Some(end) => Step::Advance(open + end + close.len()),
            None => self.stop(format!("a {what} is not closed")),
        }
    }

    fn start_tag(&mut self, after: &str) -> Step {
        if self.doc.root.is_some() && self.stack.is_empty() {
            return Step::Stop;
        }
        let Some(end) = tag_end(after) else {
            let name = tag_name(after);
            return self.stop(format!("the tag <{name}> is cut off"));
        };
        let inner = after.get(..end).unwrap_or_default();
        let (inner, self_closing) = match inner.strip_suffix('/') {
            Some(inner) => (inner, true),
            None => (inner, false),
        };
        let name = tag_name(inner);
        if self.stack.len() >= MAX_DEPTH {
            return self.stop(format!(
                "elements are nested more than {MAX_DEPTH} deep at <{name}>"
            ));
        }
        let attrs = attributes(inner.get(name.len()..).unwrap_or_default());
        let element = Element::new(name.to_lowercase(), attrs);
        if self_closing {
            self.attach(element);
        } else {
            self.stack.push(element);
        }
        Step::Advance(1 + end + 1)
    }

    fn end_tag(&mut self, body: &str) -> Step {
        let Some(end) = body.find('>') else {
            return self.stop(format!("the end tag </{}> is cut off", tag_name(body)));
        };
        let name = tag_name(body.get(..end).unwrap_or_default()).to_lowercase();
        match self.stack.pop() {
            Some(mut element) if element.name == name => {
                element.text = element.text.trim().to_owned();
                self.attach(element);
                Step::Advance(2 + end + 1)
            }
            Some(open) => {
                let warning = format!("</{name}> does not close the open <{}>", open.name);
                self.stack.push(open);
                self.stop(warning)
            }
            None => self.stop(format!("</{name}> closes no open element")),
        }
    }

    /// Text between tags, with entities still encoded.
    fn text(&mut self, raw: &str) {
        match self.stack.last_mut() {
            Some(open) => open.text.push_str(&decode_entities(raw)),
            None => self.doc.outside.push_str(raw),
        }
    }

    /// Text that is already decoded (CDATA, a stray `<`).
    fn raw_text(&mut self, text: &str) {
        match self.stack.last_mut() {
            Some(open) => open.text.push_str(text),
            None => self.doc.outside.push_str(text),
        }
    }

    fn attach(&mut self, element: Element) {
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(element),
            None => {
                if self.doc.root.is_none() {
                    self.doc.root = Some(element);
                }
            }
        }
    }

    fn stop(&mut self, warning: String) -> Step {
        self.doc.warnings.push(warning);
        Step::Stop
    }

    fn finish(mut self) -> Document {
        if !self.stack.is_empty() {
            let open: Vec<String> = self.stack.iter().map(|e| format!("<{}>", e.name)).collect();
            // Only the first break is a warning of its own; this one is its consequence.
            if self.doc.warnings.is_empty() {
                self.doc
                    .warnings
                    .push(format!("the file ends inside {}", open.join(" ")));
            }
        }
        // The unclosed elements keep the children that did close, but not their own text, which
        // may have been cut off mid-word.
        while let Some(mut element) = self.stack.pop() {
            element.text.clear();
            self.attach(element);
        }
        self.doc
    }
}

/// The name at the start of a tag's inside.
fn tag_name(inner: &str) -> &str {
    let end = inner
        .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
        .unwrap_or(inner.len());
    inner.get(..end).unwrap_or_default()
}

/// Where the `>` closing a start tag is, skipping any inside quoted attribute values. When a quote
/// is never closed, the first `>` is taken: a lost quote should cost one attribute, not the file.
fn tag_end(after: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in after.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(i),
            (Some(open), _) if c == open => quote = None,
            // A value cannot hold `<`, so its quote was lost; stopping here also keeps a file of
            // such tags from being scanned to its end once per tag.
            (Some(_), '<') => break,
            _ => {}
        }
    }
    after.find('>')
}

/// Where the `>` closing a `<!...>` declaration is; a DOCTYPE's internal subset in `[...]` may
/// hold `>` of its own.
fn declaration_end(body: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in body.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '>' if depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

/// Attributes as `name="value"`, `name='value'`, or the lenient `name=value` and bare `name`.
fn attributes(mut rest: &str) -> Vec<(String, String)> {
    let mut attrs = Vec::new();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return attrs;
        }
        let name_end = rest
            .find(|c: char| c.is_whitespace() || c == '=')
            .unwrap_or(rest.len());
        let name = rest.get(..name_end).unwrap_or_default().to_lowercase();
        rest = rest.get(name_end..).unwrap_or_default().trim_start();
        let mut value = "";
        if let Some(after_eq) = rest.strip_prefix('=') {
            let after_eq = after_eq.trim_start();
            let (found, remaining) = match after_eq.chars().next() {
                Some(quote @ ('"' | '\'')) => {
                    let body = after_eq.get(1..).unwrap_or_default();
                    let end = body.find(quote).unwrap_or(body.len());
                    let after_value = body.get(end..).unwrap_or_default();
                    (
                        body.get(..end).unwrap_or_default(),
                        after_value.strip_prefix(quote).unwrap_or(after_value),
                    )
                }
                _ => {
                    let end = after_eq.find(char::is_whitespace).unwrap_or(after_eq.len());
                    (
                        after_eq.get(..end).unwrap_or_default(),
                        after_eq.get(end..).unwrap_or_default(),
                    )
                }
            };
            value = found;
            rest = remaining;
        }
        if !name.is_empty() {
            attrs.push((name, decode_entities(value).into_owned()));
        }
    }
}

/// Decodes the five XML entities, `&nbsp;` and character references. Anything else, including a
/// bare `&` as in "Fast & Furious", stays as written rather than failing the file.
pub(crate) fn decode_entities(raw: &str) -> Cow<'_, str> {
    if !raw.contains('&') {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(rest.get(..amp).unwrap_or_default());
        let after = rest.get(amp + 1..).unwrap_or_default();
        // Known references are short; a `;` further away belongs to other text, and looking no
        // further keeps a file full of bare `&` linear to decode.
        let reference = after
            .char_indices()
            .take(12)
            .find(|&(_, c)| c == ';')
            .and_then(|(semi, _)| Some((entity(after.get(..semi)?)?, semi)));
        match reference {
            Some((c, semi)) => {
                out.push(c);
                rest = after.get(semi + 1..).unwrap_or_default();
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some('\u{A0}'),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code).filter(|c| *c != '\0')
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Element {
        read(text).root.unwrap()
    }

    #[test]
    fn elements_attributes_and_text() {
        let doc = read(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE movie [ <!ENTITY x \"y\"> ]>\n\
             <Movie a=\"1\" B='2' c=3 d>\n  <title> The  Matrix </title><!-- note --><empty/>\n</Movie>",
        );
        assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
        let movie = doc.root.unwrap();
        assert_eq!(movie.name, "movie");
        assert_eq!(movie.attr("a"), Some("1"));
        assert_eq!(movie.attr("b"), Some("2"));
        assert_eq!(movie.attr("c"), Some("3"));
        assert_eq!(movie.attr("d"), Some(""));
        assert_eq!(movie.child_text("title"), Some("The  Matrix"));
        assert_eq!(movie.children.len(), 2);
    }

    #[test]
    fn entities() {
        let cases = [
            ("a &amp; b", "a & b"),
            ("&lt;&gt;&quot;&apos;", "<>\"'"),
            ("&#233;&#xE9;&#XE9;", "ééé"),
            ("Fast & Furious", "Fast & Furious"),
            (
                "AT&T; &unknown; &#0; &#x110000;",
                "AT&T; &unknown; &#0; &#x110000;",
            ),
            ("&amp;amp;", "&amp;"),
            ("trailing &", "trailing &"),
            ("&", "&"),
            ("é&amp;é", "é&é"),
            ("&amp;xééééé", "&xééééé"),
            ("&ééééééé;", "&ééééééé;"),
        ];
        for (raw, want) in cases {
            assert_eq!(decode_entities(raw), want, "{raw}");
        }
    }

    #[test]
    fn quoted_gt_in_attribute_and_lost_quote() {
        let movie = root("<m><r name=\"a>b\">x</r><s name=\"oops>y</s></m>");
        assert_eq!(movie.children[0].attr("name"), Some("a>b"));
        assert_eq!(movie.children[0].text, "x");
        assert_eq!(movie.children[1].text, "y");
    }

    #[test]
    fn breaks_keep_what_closed_before_them() {
        let cases = [
            ("<m><a>1</a><b>2", "the file ends inside <m> <b>"),
            ("<m><a>1</a><b>2</c>", "</c> does not close the open <b>"),
            ("<m><a>1</a><b", "the tag <b> is cut off"),
            ("<m><a>1</a><!-- x", "a comment is not closed"),
            ("<m><a>1</a><![CDATA[x", "a CDATA section is not closed"),
            ("<m><a>1</a></", "the end tag </> is cut off"),
        ];
        for (text, warning) in cases {
            let doc = read(text);
            assert_eq!(doc.warnings, [warning], "{text}");
            let m = doc.root.unwrap();
            assert_eq!(m.child_text("a"), Some("1"), "{text}");
            assert_eq!(m.child_text("b"), None, "{text}");
        }
    }

    #[test]
    fn text_after_the_root_is_outside_and_a_second_root_ends_reading() {
        let doc = read("<m><a>1</a></m>\nhttp://x\n<m><a>2</a></m>");
        assert!(doc.warnings.is_empty());
        assert_eq!(doc.root.unwrap().child_text("a"), Some("1"));
        assert_eq!(doc.outside.trim(), "http://x");
    }

    #[test]
    fn stray_lt_is_text() {
        assert_eq!(root("<m><a>1 < 2</a></m>").child_text("a"), Some("1 < 2"));
    }
}
