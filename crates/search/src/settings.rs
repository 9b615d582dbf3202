//! The search settings are the `search:` section of the config, used as they are: one struct,
//! one list of fields.

pub use revenge_config::{
    SearchBackend as BackendKind, SearchConfig as SearchSettings,
    TypesenseConfig as TypesenseSettings,
};
