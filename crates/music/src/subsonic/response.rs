//! Subsonic responses: one JSON value per answer, wrapped in the `subsonic-response` envelope
//! and sent as JSON (`f=json`, `f=jsonp`) or as XML (the default), converted by the rules the
//! protocol follows (scalars are attributes, lists repeat elements, `value` is text content).

use axum::body::{Body, Bytes};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

/// The Subsonic API version spoken.
pub const API_VERSION: &str = "1.16.1";

/// The protocol's error codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubsonicError {
    /// 0: anything else, including endpoints not implemented.
    #[error("{0}")]
    Generic(String),
    /// 10: a required parameter is missing.
    #[error("required parameter is missing: {0}")]
    Missing(&'static str),
    /// 40: wrong user name or password.
    #[error("wrong username or password")]
    WrongCredentials,
    /// 41: token authentication is not supported for this user (LDAP accounts elsewhere;
    /// here, accounts without a Subsonic password).
    #[error("token authentication not supported for this user: create a Subsonic password first")]
    TokenNotSupported,
    /// 42: the authentication mechanism is not supported.
    #[error("provided authentication mechanism not supported")]
    MechanismNotSupported,
    /// 43: several conflicting authentication mechanisms.
    #[error("multiple conflicting authentication mechanisms provided")]
    ConflictingMechanisms,
    /// 44: an invalid API key.
    #[error("invalid API key")]
    InvalidApiKey,
    /// 50: the user may not do this.
    #[error("user is not authorized for the given operation: {0}")]
    NotAuthorized(&'static str),
    /// 70: the requested data was not found.
    #[error("the requested data was not found: {0}")]
    NotFound(String),
}

impl SubsonicError {
    /// The protocol's number.
    pub fn code(&self) -> u32 {
        match self {
            SubsonicError::Generic(_) => 0,
            SubsonicError::Missing(_) => 10,
            SubsonicError::WrongCredentials => 40,
            SubsonicError::TokenNotSupported => 41,
            SubsonicError::MechanismNotSupported => 42,
            SubsonicError::ConflictingMechanisms => 43,
            SubsonicError::InvalidApiKey => 44,
            SubsonicError::NotAuthorized(_) => 50,
            SubsonicError::NotFound(_) => 70,
        }
    }
}

impl From<crate::MusicError> for SubsonicError {
    fn from(error: crate::MusicError) -> Self {
        match error {
            crate::MusicError::NotFound(what) => SubsonicError::NotFound(what),
            crate::MusicError::Forbidden(why) => SubsonicError::NotAuthorized(why),
            crate::MusicError::Invalid { message, .. } => SubsonicError::Generic(message),
            other => {
                // Internal details go to the log, never to the client.
                tracing::error!(error = %other, "subsonic request failed");
                SubsonicError::Generic("internal error; see the server log".to_owned())
            }
        }
    }
}

impl From<sea_orm::DbErr> for SubsonicError {
    fn from(error: sea_orm::DbErr) -> Self {
        crate::MusicError::Db(error).into()
    }
}

/// How to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    /// XML (the default).
    Xml,
    /// JSON.
    Json,
    /// JSON wrapped in a call of this function.
    Jsonp(String),
}

impl Format {
    /// From the `f` and `callback` parameters.
    pub fn parse(f: Option<&str>, callback: Option<&str>) -> Self {
        match (f, callback) {
            (Some("json"), _) => Format::Json,
            (Some("jsonp"), Some(callback))
                if !callback.is_empty()
                    && callback
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') =>
            {
                Format::Jsonp(callback.to_owned())
            }
            (Some("jsonp"), _) => Format::Json,
            _ => Format::Xml,
        }
    }
}

/// An object of `pairs`, moved in: `json!` copies every value it is handed, and an answer's
/// lists are most of its size.
pub fn object<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    Value::Object(
        pairs
            .into_iter()
            .map(|(key, value)| (key.to_owned(), value))
            .collect(),
    )
}

/// What every answer says of itself before its payload.
fn head(status: &'static str) -> [(&'static str, Value); 5] {
    [
        ("status", status.into()),
        ("version", API_VERSION.into()),
        ("type", "revenge".into()),
        ("serverVersion", env!("CARGO_PKG_VERSION").into()),
        ("openSubsonic", true.into()),
    ]
}

fn envelope(status: &'static str, body: Map<String, Value>) -> Map<String, Value> {
    let mut out: Map<String, Value> = head(status)
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value))
        .collect();
    out.extend(body);
    out
}

/// A map of one entry, for payloads written by serde.
pub struct One<'a, T>(pub &'a str, pub T);

impl<T: Serialize> Serialize for One<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(self.0, &self.1)?;
        map.end()
    }
}

/// A successful answer's envelope with its payload, as serde writes it.
struct Envelope<'a, T>(&'a str, &'a T);

impl<T: Serialize> Serialize for Envelope<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(6))?;
        for (key, value) in head("ok") {
            map.serialize_entry(key, &value)?;
        }
        map.serialize_entry(self.0, self.1)?;
        map.end()
    }
}

/// The text of a successful answer whose payload is the element `name`, of any serializable
/// shape: JSON is written straight from it; XML goes through a JSON value, as [`ok_text`].
pub fn ok_rendered<T: Serialize>(format: &Format, name: &str, payload: &T) -> Bytes {
    // Bytes, not a `String`: what serde_json writes is UTF-8 already, and checking it again
    // went over every byte of the answer.
    let json = |prefix: &str, suffix: &str| {
        // An album page or search answer is some tens of KiB: grown from empty, its buffer
        // was copied a dozen times.
        let mut out = Vec::with_capacity(32 * 1024);
        out.extend_from_slice(prefix.as_bytes());
        let wrapped = One("subsonic-response", Envelope(name, payload));
        match serde_json::to_writer(&mut out, &wrapped) {
            Ok(()) => {
                out.extend_from_slice(suffix.as_bytes());
                Bytes::from(out)
            }
            Err(error) => Bytes::from(failed_text(format, &internal(&error))),
        }
    };
    match format {
        Format::Json => json("", ""),
        Format::Jsonp(callback) => json(&format!("{callback}("), ");"),
        Format::Xml => Bytes::from(match serde_json::to_value(payload) {
            Ok(value) => {
                let mut body = Map::new();
                body.insert(name.to_owned(), value);
                text(format, envelope("ok", body))
            }
            Err(error) => failed_text(format, &internal(&error)),
        }),
    }
}

/// An answer that could not be written (never expected: the shapes have string keys only).
fn internal(error: &serde_json::Error) -> SubsonicError {
    tracing::error!(%error, "a Subsonic answer could not be written");
    SubsonicError::Generic("internal error; see the server log".to_owned())
}

/// A successful answer carrying `body` (an object whose keys are the payload elements).
pub fn ok(format: &Format, body: Value) -> Response {
    respond(format, Bytes::from(ok_text(format, body)))
}

/// The text of a successful answer, as [`ok`] sends it (what the answer cache keeps).
pub fn ok_text(format: &Format, body: Value) -> String {
    let body = match body {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    text(format, envelope("ok", body))
}

/// A failed answer.
pub fn failed(format: &Format, error: &SubsonicError) -> Response {
    respond(format, Bytes::from(failed_text(format, error)))
}

fn failed_text(format: &Format, error: &SubsonicError) -> String {
    let mut body = Map::new();
    body.insert(
        "error".into(),
        serde_json::json!({"code": error.code(), "message": error.to_string()}),
    );
    text(format, envelope("failed", body))
}

/// An answer whose text is ready (rendered now or kept by the cache) in `format`.
pub fn respond(format: &Format, text: Bytes) -> Response {
    let content_type = match format {
        Format::Json => "application/json",
        Format::Jsonp(_) => "application/javascript",
        Format::Xml => "text/xml; charset=utf-8",
    };
    let mut response = (StatusCode::OK, Body::from(text)).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// The JSON text of an answer: moved into its wrapping object, not through `json!`, which
/// would copy the whole answer first.
fn json_text(response: Map<String, Value>) -> String {
    let mut root = Map::new();
    root.insert("subsonic-response".into(), Value::Object(response));
    Value::Object(root).to_string()
}

fn text(format: &Format, response: Map<String, Value>) -> String {
    match format {
        Format::Json => json_text(response),
        Format::Jsonp(callback) => format!("{callback}({});", json_text(response)),
        Format::Xml => {
            let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
            let mut attrs = response;
            attrs.insert("xmlns".into(), "http://subsonic.org/restapi".into());
            element(&mut xml, "subsonic-response", &attrs);
            xml
        }
    }
}

fn escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Writes `<name attrs…>children</name>` for one JSON object.
fn element(out: &mut String, name: &str, object: &Map<String, Value>) {
    out.push('<');
    out.push_str(name);
    let mut text = None;
    for (key, value) in object {
        if key == "value" {
            text = scalar(value);
            continue;
        }
        if let Some(v) = scalar(value) {
            out.push(' ');
            out.push_str(key);
            out.push_str("=\"");
            escape(out, &v);
            out.push('"');
        }
    }
    let children: Vec<(&String, &Value)> = object
        .iter()
        .filter(|(k, v)| *k != "value" && matches!(v, Value::Object(_) | Value::Array(_)))
        .collect();
    if children.is_empty() && text.is_none() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    if let Some(text) = text {
        escape(out, &text);
    }
    for (key, value) in children {
        child(out, key, value);
    }
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

fn child(out: &mut String, name: &str, value: &Value) {
    match value {
        Value::Object(map) => element(out, name, map),
        Value::Array(items) => {
            for item in items {
                child(out, name, item);
            }
        }
        Value::Null => {}
        other => {
            out.push('<');
            out.push_str(name);
            out.push('>');
            if let Some(text) = scalar(other) {
                escape(out, &text);
            }
            out.push_str("</");
            out.push_str(name);
            out.push('>');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_becomes_subsonic_xml() {
        let mut xml = String::new();
        let value = serde_json::json!({
            "id": "al-1", "name": "A & B", "song": [{"id": "tr-1"}, {"id": "tr-2"}],
            "genres": {"genre": [{"songCount": 2, "value": "Rock"}]}, "folder": [1, 2],
            "missing": null,
        });
        let Value::Object(map) = value else {
            unreachable!()
        };
        element(&mut xml, "album", &map);
        assert_eq!(
            xml,
            "<album id=\"al-1\" name=\"A &amp; B\"><folder>1</folder><folder>2</folder>\
             <genres><genre songCount=\"2\">Rock</genre></genres><song id=\"tr-1\"/>\
             <song id=\"tr-2\"/></album>"
        );
    }

    #[test]
    fn an_answer_written_by_serde_is_the_answer_built_as_a_value() {
        #[derive(serde::Serialize)]
        struct Shape {
            id: &'static str,
            name: &'static str,
            song: Vec<One<'static, u32>>,
        }
        let payload = One(
            "album",
            [Shape {
                id: "al-1",
                name: "A & <B>",
                song: vec![One("id", 1), One("id", 2)],
            }],
        );
        let as_value = |format: &Format| {
            let value = serde_json::to_value(&payload).expect("a value");
            ok_text(format, object([("albumList2", value)]))
        };
        for format in [Format::Json, Format::Jsonp("cb".into())] {
            let written = ok_rendered(&format, "albumList2", &payload);
            let written = std::str::from_utf8(&written).expect("UTF-8");
            let built = as_value(&format);
            let parse = |text: &str| -> Value {
                let json = text.trim_start_matches("cb(").trim_end_matches(");");
                serde_json::from_str(json).expect("JSON")
            };
            assert_eq!(parse(written), parse(&built), "{written}");
            assert_eq!(
                parse(written)["subsonic-response"]["albumList2"]["album"][0]["song"][1]["id"],
                2
            );
        }
        let xml = ok_rendered(&Format::Xml, "albumList2", &payload);
        let xml = std::str::from_utf8(&xml).expect("UTF-8");
        assert_eq!(xml, as_value(&Format::Xml));
        assert!(
            xml.contains("<album id=\"al-1\" name=\"A &amp; &lt;B&gt;\"><song id=\"1\"/>"),
            "{xml}"
        );
    }

    #[test]
    fn error_codes() {
        assert_eq!(SubsonicError::Missing("id").code(), 10);
        assert_eq!(SubsonicError::WrongCredentials.code(), 40);
        assert_eq!(SubsonicError::InvalidApiKey.code(), 44);
        assert_eq!(
            Format::parse(Some("jsonp"), Some("cb")),
            Format::Jsonp("cb".into())
        );
        assert_eq!(Format::parse(None, None), Format::Xml);
    }
}
