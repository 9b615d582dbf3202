//! Request parameters of the Subsonic API: the query string and, for POST, the form body,
//! with repeated names kept (`id=1&id=2`).

use super::response::SubsonicError;

/// All parameters of one request, in order.
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Parses `a=1&b=2` pairs and appends them.
    pub fn extend_from(&mut self, encoded: &[u8]) {
        self.0
            .extend(form_urlencoded::parse(encoded).map(|(k, v)| (k.into_owned(), v.into_owned())));
    }

    /// Every pair, in order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The value of a required parameter.
    pub fn required(&self, name: &'static str) -> Result<&str, SubsonicError> {
        self.get(name)
            .filter(|v| !v.is_empty())
            .ok_or(SubsonicError::Missing(name))
    }

    /// A number, or `default` when absent or unreadable.
    pub fn number<T: std::str::FromStr>(&self, name: &str, default: T) -> T {
        self.get(name)
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(default)
    }

    /// An optional number.
    pub fn maybe<T: std::str::FromStr>(&self, name: &str) -> Option<T> {
        self.get(name).and_then(|v| v.trim().parse().ok())
    }

    /// A boolean (`true`/`false`), or `default`.
    pub fn flag(&self, name: &str, default: bool) -> bool {
        match self.get(name) {
            Some("true") | Some("1") => true,
            Some("false") | Some("0") => false,
            _ => default,
        }
    }
}
