//! Configuration errors, each naming the key at fault.

use std::path::PathBuf;

/// Why a configuration was rejected.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file named by `--config` or `REVENGE_CONFIG` does not exist.
    #[error("config file {} does not exist", path.display())]
    FileNotFound {
        /// The path that was given.
        path: PathBuf,
    },
    /// A key is unknown, has the wrong type, or the YAML does not parse. figment's message names
    /// the key path and the source (file or environment variable).
    #[error("invalid configuration: {0}")]
    Invalid(String),
    /// `modules.<id>` names no module Revenge knows.
    #[error("modules.{id}: unknown module `{id}`; known modules: {known}")]
    UnknownModule {
        /// The id that was given.
        id: String,
        /// The ids Revenge knows, comma-separated.
        known: String,
    },
    /// A module is enabled that this binary was built without.
    #[error(
        "modules.{id}.enabled: module `{id}` is not compiled into this build; rebuild with `cargo build -p revenge-server --features {id}`"
    )]
    ModuleNotCompiled {
        /// The module's id, which is also its Cargo feature.
        id: String,
    },
    /// A value has the right type but is not acceptable.
    #[error("{key}: {message}")]
    Value {
        /// The key path, e.g. `database.url`.
        key: String,
        /// What is wrong with it.
        message: String,
    },
}

impl From<figment2::Error> for ConfigError {
    fn from(error: figment2::Error) -> Self {
        // A figment error can hold several; show them all, one per line.
        let messages: Vec<String> = error.into_iter().map(|e| e.to_string()).collect();
        ConfigError::Invalid(messages.join("; "))
    }
}
