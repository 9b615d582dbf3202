//! The cache settings are the `cache:` section of the config, used as they are: one struct, one
//! list of fields.

pub use revenge_config::CacheConfig as CacheSettings;
