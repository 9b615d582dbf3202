//! `SearchSettings`: which backend to use and how to reach Typesense. The server maps its
//! `search:` config section onto this struct.

use serde::Deserialize;

/// Which engine answers searches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackendKind {
    /// The tantivy index in `<data_dir>/search` (nothing to install).
    #[default]
    Embedded,
    /// A Typesense server (or cluster).
    Typesense,
}

/// How to reach Typesense.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TypesenseSettings {
    /// Node URLs (`http://127.0.0.1:8108`).
    pub nodes: Vec<String>,
    /// The admin API key.
    pub api_key: String,
    /// Prefix of the collection name (`revenge_` gives `revenge_items`), so several
    /// installations can share one Typesense.
    pub collection_prefix: String,
    /// Per-request timeout, in milliseconds.
    pub timeout_ms: u64,
}

impl Default for TypesenseSettings {
    fn default() -> Self {
        Self {
            nodes: Vec::new(),
            api_key: String::new(),
            collection_prefix: "revenge_".to_owned(),
            timeout_ms: 2000,
        }
    }
}

/// The `search:` settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchSettings {
    /// `embedded` (default) or `typesense`.
    pub backend: BackendKind,
    /// Typesense's nodes and key, when `backend: typesense`.
    pub typesense: TypesenseSettings,
    /// With Typesense unreachable, answer from the embedded index (kept up to date alongside)
    /// instead of 503.
    pub fallback_to_embedded: bool,
}
