//! Revenge's run-time configuration.
//!
//! Built-in defaults < a YAML file (`--config PATH` or `REVENGE_CONFIG`) < `REVENGE_…`
//! environment variables (double underscore for nesting: `REVENGE_SERVER__PORT`). Unknown keys,
//! wrong types and modules that this build lacks are errors that name the key.

mod error;
mod load;
mod model;
mod redact;

pub use error::ConfigError;
pub use load::{Build, CONFIG_ENV, ENV_PREFIX, load, validate, validate_transcoding};
pub use model::{
    Argon2Config, AuthConfig, Backend, CacheConfig, Config, DatabaseConfig, HooksConfig, HwAccel,
    JobsConfig, LibraryConfig, LogConfig, LogFormat, ModuleToggle, PlaybackConfig, RemoteConfig,
    ScanConfig, SearchBackend, SearchConfig, ServerConfig, TranscodingConfig, TypesenseConfig,
    VariantConfig, WebhookConfig,
};
pub use redact::redacted_yaml;
