//! The transcoder's settings are the `transcoding:` section of the config, used as they are:
//! one struct, one list of fields, whether the server or a `revenge transcoder` reads it.

pub use revenge_config::{
    Backend, HwAccel, RemoteConfig, TranscodingConfig as TranscodeSettings,
    VariantConfig as VariantSettings,
};
