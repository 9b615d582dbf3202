//! Layering defaults, the YAML file and the environment, then checking the result against what
//! this binary was built with.

use std::net::IpAddr;
use std::path::Path;

use figment2::Figment;
use figment2::providers::{Env, Format, Serialized, Yaml};
use revenge_core::module::{KNOWN_MODULES, known_module};

use crate::{Config, ConfigError};

/// Environment variables with this prefix override the file.
pub const ENV_PREFIX: &str = "REVENGE_";
/// The environment variable naming the config file, read when `--config` is absent.
pub const CONFIG_ENV: &str = "REVENGE_CONFIG";

/// What this binary was compiled with, so the config can be checked against it.
#[derive(Debug, Clone, Copy)]
pub struct Build<'a> {
    /// Ids of the compiled-in content modules.
    pub modules: &'a [&'a str],
    /// Compiled-in backends: databases (`sqlite`, `postgres`), `typesense`, `redis`.
    pub backends: &'a [&'a str],
}

/// Loads and validates the configuration. `file` is `--config`; without it `REVENGE_CONFIG` is
/// used, and without that only defaults and the environment apply.
pub fn load(file: Option<&Path>, build: &Build<'_>) -> Result<Config, ConfigError> {
    let env_file = std::env::var_os(CONFIG_ENV).filter(|v| !v.is_empty());
    let file = file.map(Path::to_path_buf).or(env_file.map(Into::into));

    let mut figment = Figment::from(Serialized::defaults(Config::default()));
    if let Some(path) = &file {
        if !path.is_file() {
            return Err(ConfigError::FileNotFound { path: path.clone() });
        }
        figment = figment.merge(Yaml::file(path));
    }
    figment = figment.merge(Env::prefixed(ENV_PREFIX).split("__").ignore(&["config"]));

    let config: Config = figment.extract()?;
    validate(&config, build)?;
    Ok(config)
}

/// Checks what serde cannot: module ids, compiled-in features, value ranges.
pub fn validate(config: &Config, build: &Build<'_>) -> Result<(), ConfigError> {
    for (id, toggle) in &config.modules {
        if known_module(id).is_none() {
            let known: Vec<&str> = KNOWN_MODULES.iter().map(|m| m.id).collect();
            return Err(ConfigError::UnknownModule {
                id: id.clone(),
                known: known.join(", "),
            });
        }
        if toggle.enabled && !build.modules.contains(&id.as_str()) {
            return Err(ConfigError::ModuleNotCompiled { id: id.clone() });
        }
    }

    if config.server.host.parse::<IpAddr>().is_err() {
        return Err(ConfigError::Value {
            key: "server.host".to_owned(),
            message: format!(
                "`{}` is not an IP address (use 127.0.0.1, 0.0.0.0 or ::)",
                config.server.host
            ),
        });
    }

    let url = config.database_url();
    let backend = if url.starts_with("sqlite:") {
        "sqlite"
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        "postgres"
    } else {
        return Err(ConfigError::Value {
            key: "database.url".to_owned(),
            message: "must start with sqlite: or postgres://".to_owned(),
        });
    };
    if !build.backends.contains(&backend) {
        return Err(ConfigError::Value {
            key: "database.url".to_owned(),
            message: format!(
                "the {backend} backend is not compiled into this build; rebuild with `--features {backend}`"
            ),
        });
    }
    let auth = &config.auth;
    let argon2 = &auth.argon2;
    let checks = [
        (
            auth.session_ttl_hours == 0,
            "auth.session_ttl_hours",
            "must be at least 1",
        ),
        (
            auth.login_max_failures == 0,
            "auth.login_max_failures",
            "must be at least 1",
        ),
        (
            auth.login_window_secs == 0,
            "auth.login_window_secs",
            "must be at least 1",
        ),
        (
            auth.media_token_ttl_secs == 0,
            "auth.media_token_ttl_secs",
            "must be at least 1",
        ),
        (
            argon2.iterations == 0,
            "auth.argon2.iterations",
            "must be at least 1",
        ),
        (
            argon2.parallelism == 0 || argon2.parallelism > 64,
            "auth.argon2.parallelism",
            "must be 1 to 64",
        ),
        (
            argon2.memory_kib < 8 * argon2.parallelism.max(1),
            "auth.argon2.memory_kib",
            "must be at least 8 KiB per lane",
        ),
    ];
    if let Some((_, key, message)) = checks.into_iter().find(|(bad, _, _)| *bad) {
        return Err(ConfigError::Value {
            key: key.to_owned(),
            message: message.to_owned(),
        });
    }
    let jobs = &config.jobs;
    let job_checks = [
        (
            jobs.lease_secs == 0,
            "jobs.lease_secs",
            "must be at least 1",
        ),
        (
            jobs.heartbeat_secs == 0 || jobs.heartbeat_secs >= jobs.lease_secs,
            "jobs.heartbeat_secs",
            "must be at least 1 and below jobs.lease_secs",
        ),
        (
            jobs.poll_interval_ms == 0,
            "jobs.poll_interval_ms",
            "must be at least 1",
        ),
        (
            jobs.retry_base_secs == 0,
            "jobs.retry_base_secs",
            "must be at least 1",
        ),
        (
            jobs.history_days == 0,
            "jobs.history_days",
            "must be at least 1",
        ),
        (
            config.hooks.timeout_secs == 0,
            "hooks.timeout_secs",
            "must be at least 1",
        ),
    ];
    if let Some((_, key, message)) = job_checks.into_iter().find(|(bad, _, _)| *bad) {
        return Err(ConfigError::Value {
            key: key.to_owned(),
            message: message.to_owned(),
        });
    }
    for (queue, workers) in &jobs.concurrency {
        if *workers == 0 || *workers > 256 {
            return Err(ConfigError::Value {
                key: format!("jobs.concurrency.{queue}"),
                message: "must be 1 to 256".to_owned(),
            });
        }
    }
    for (name, command) in config.hooks.commands() {
        if command.first().is_none_or(|program| program.is_empty()) {
            return Err(ConfigError::Value {
                key: format!("hooks.{name}"),
                message: "must be a list: [command, args…]".to_owned(),
            });
        }
    }
    let mut libraries = std::collections::BTreeSet::new();
    for (index, library) in config.libraries.iter().enumerate() {
        let fail = |field: &str, message: String| ConfigError::Value {
            key: format!("libraries[{index}].{field}"),
            message,
        };
        if library.name.trim().is_empty()
            || !libraries.insert((library.module.clone(), library.name.clone()))
        {
            return Err(fail(
                "name",
                "must be non-empty and unique per module".to_owned(),
            ));
        }
        if !build.modules.contains(&library.module.as_str())
            || !config.module_enabled(&library.module)
        {
            return Err(fail(
                "module",
                format!("`{}` is not a compiled-in, enabled module", library.module),
            ));
        }
        if let Some(folder) = library.folders.iter().find(|f| !f.starts_with('/')) {
            return Err(fail(
                "folders",
                format!("`{folder}` is not an absolute path"),
            ));
        }
    }
    let mut names = std::collections::BTreeSet::new();
    for (index, webhook) in config.webhooks.iter().enumerate() {
        let key = |field: &str| format!("webhooks[{index}].{field}");
        let fail = |field: &str, message: &str| ConfigError::Value {
            key: key(field),
            message: message.to_owned(),
        };
        if webhook.name.trim().is_empty() || !names.insert(webhook.name.clone()) {
            return Err(fail("name", "must be non-empty and unique"));
        }
        if !(webhook.url.starts_with("http://") || webhook.url.starts_with("https://")) {
            return Err(fail("url", "must be an http:// or https:// URL"));
        }
        if webhook.secret.is_empty() {
            return Err(fail("secret", "must not be empty: it signs every delivery"));
        }
        if webhook.events.is_empty() {
            return Err(fail("events", "name at least one event type, or \"*\""));
        }
        for event in &webhook.events {
            if event != "*" && !revenge_core::events::EVENT_TYPES.contains(&event.as_str()) {
                return Err(fail(
                    "events",
                    &format!(
                        "unknown event type `{event}`; known: {}",
                        revenge_core::events::EVENT_TYPES.join(", ")
                    ),
                ));
            }
        }
    }
    if config.database.max_connections == 0 {
        return Err(ConfigError::Value {
            key: "database.max_connections".to_owned(),
            message: "must be at least 1".to_owned(),
        });
    }
    let playback = &config.playback;
    if playback.played_percent == 0 || playback.played_percent > 100 {
        return Err(value_error("playback.played_percent", "must be 1 to 100"));
    }
    if playback.resume_min_percent >= playback.played_percent {
        return Err(value_error(
            "playback.resume_min_percent",
            "must be below playback.played_percent",
        ));
    }
    validate_search(config, build)?;
    validate_cache(config, build)?;
    validate_transcoding(&config.transcoding)
}

fn validate_search(config: &Config, build: &Build<'_>) -> Result<(), ConfigError> {
    let search = &config.search;
    if search.backend != crate::SearchBackend::Typesense {
        return Ok(());
    }
    if !build.backends.contains(&"typesense") {
        return Err(value_error(
            "search.backend",
            "typesense is not compiled into this build (feature `typesense`)",
        ));
    }
    if search.typesense.nodes.is_empty() {
        return Err(value_error(
            "search.typesense.nodes",
            "at least one node URL is needed with backend typesense",
        ));
    }
    if let Some(bad) = search.typesense.nodes.iter().find(|n| !is_http_url(n)) {
        return Err(value_error(
            "search.typesense.nodes",
            &format!("`{bad}` is not an http(s) URL"),
        ));
    }
    if search.typesense.api_key.is_empty() {
        return Err(value_error(
            "search.typesense.api_key",
            "an API key is needed with backend typesense",
        ));
    }
    if search.typesense.timeout_ms == 0 {
        return Err(value_error(
            "search.typesense.timeout_ms",
            "must be at least 1",
        ));
    }
    Ok(())
}

fn validate_cache(config: &Config, build: &Build<'_>) -> Result<(), ConfigError> {
    let Some(url) = &config.cache.url else {
        return Ok(());
    };
    if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
        return Err(value_error(
            "cache.url",
            "must be a redis:// or rediss:// URL",
        ));
    }
    if !build.backends.contains(&"redis") {
        return Err(value_error(
            "cache.url",
            "redis is not compiled into this build (feature `redis`)",
        ));
    }
    Ok(())
}

fn value_error(key: &str, message: &str) -> ConfigError {
    ConfigError::Value {
        key: key.to_owned(),
        message: message.to_owned(),
    }
}

/// Whether `url` looks like an absolute http(s) URL with a host.
fn is_http_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"));
    rest.is_some_and(|rest| {
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        !host.is_empty() && !url.chars().any(char::is_whitespace)
    })
}

/// Checks the `transcoding:` section (also all a `revenge transcoder` needs checked).
pub fn validate_transcoding(t: &crate::TranscodingConfig) -> Result<(), ConfigError> {
    let checks = [
        (
            t.max_concurrent == 0,
            "transcoding.max_concurrent",
            "must be at least 1",
        ),
        (
            t.idle_timeout_secs == 0,
            "transcoding.idle_timeout_secs",
            "must be at least 1",
        ),
        (
            t.segment_secs == 0 || t.segment_secs > 60,
            "transcoding.segment_secs",
            "must be 1 to 60",
        ),
        (
            t.segment_wait_secs == 0,
            "transcoding.segment_wait_secs",
            "must be at least 1",
        ),
        (
            t.ffmpeg.as_os_str().is_empty(),
            "transcoding.ffmpeg",
            "must name the ffmpeg program",
        ),
        (
            t.variants.is_empty(),
            "transcoding.variants",
            "list at least one rendition",
        ),
        (
            t.remote.connect_timeout_secs == 0,
            "transcoding.remote.connect_timeout_secs",
            "must be at least 1",
        ),
        (
            t.remote.request_timeout_secs == 0,
            "transcoding.remote.request_timeout_secs",
            "must be at least 1",
        ),
    ];
    if let Some((_, key, message)) = checks.into_iter().find(|(bad, _, _)| *bad) {
        return Err(value_error(key, message));
    }
    let mut names = std::collections::BTreeSet::new();
    for (index, variant) in t.variants.iter().enumerate() {
        let key = |field: &str| format!("transcoding.variants[{index}].{field}");
        let safe = !variant.name.is_empty()
            && variant
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !safe || variant.name == "original" || !names.insert(variant.name.as_str()) {
            return Err(value_error(
                &key("name"),
                "must be unique, not `original`, and only letters, digits, - and _",
            ));
        }
        if variant.height < 2 || variant.height % 2 != 0 {
            return Err(value_error(
                &key("height"),
                "must be an even number of pixels",
            ));
        }
        if variant.video_kbps == 0 {
            return Err(value_error(&key("video_kbps"), "must be at least 1"));
        }
    }
    if let Some(callback) = &t.remote.callback_url
        && !is_http_url(callback)
    {
        return Err(value_error(
            "transcoding.remote.callback_url",
            "must be an http:// or https:// URL",
        ));
    }
    if t.backend == crate::Backend::Remote {
        if t.remote.url.is_empty() {
            return Err(value_error(
                "transcoding.remote.url",
                "is required with transcoding.backend: remote",
            ));
        }
        if !is_http_url(&t.remote.url) {
            return Err(value_error(
                "transcoding.remote.url",
                "must be an http:// or https:// URL",
            ));
        }
        if t.remote.secret.is_empty() {
            return Err(value_error(
                "transcoding.remote.secret",
                "is required with transcoding.backend: remote: it authenticates this server",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(
    clippy::result_large_err,
    reason = "figment's Jail API returns figment2::Error"
)]
mod tests {
    use super::*;
    use figment2::Jail;

    const FULL: Build<'static> = Build {
        modules: &["movie", "tvshow"],
        backends: &["sqlite", "postgres"],
    };

    /// Runs `f` in figment's jail (own cwd and environment, serialized with other jails) and
    /// returns what it returned, so tests can assert outside the closure.
    fn jailed<T>(f: impl FnOnce(&mut Jail) -> T) -> T {
        let mut out = None;
        Jail::expect_with(|jail| {
            out = Some(f(jail));
            Ok(())
        });
        out.unwrap_or_else(|| unreachable!("the jail runs its closure"))
    }

    fn error_of(result: Result<Config, ConfigError>) -> String {
        match result {
            Ok(config) => panic!("expected an error, got {config:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn defaults_apply_without_file_or_env() {
        let config = jailed(|_| load(None, &FULL)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.server.port, 8096);
        assert_eq!(config.server.host, "127.0.0.1");
        assert!(config.module_enabled("movie"));
        assert!(
            !config.module_enabled("qar"),
            "the adult module is off by default"
        );
        assert!(config.database_url().starts_with("sqlite://"));
    }

    #[test]
    fn env_overrides_file_overrides_defaults() {
        let config = jailed(|jail| {
            jail.create_file(
                "revenge.yaml",
                "server:\n  port: 9000\n  host: 0.0.0.0\nlog:\n  format: json\n",
            )?;
            jail.set_env("REVENGE_SERVER__PORT", "9100");
            Ok::<_, figment2::Error>(load(Some(Path::new("revenge.yaml")), &FULL))
        })
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.server.port, 9100, "env beats file");
        assert_eq!(config.server.host, "0.0.0.0", "file beats default");
        assert_eq!(config.log.format, crate::LogFormat::Json);
        assert_eq!(config.database.max_connections, 4, "default kept");
    }

    #[test]
    fn config_env_var_names_the_file() {
        let config = jailed(|jail| {
            jail.create_file("other.yaml", "modules:\n  tvshow:\n    enabled: false\n")?;
            jail.set_env("REVENGE_CONFIG", "other.yaml");
            Ok::<_, figment2::Error>(load(None, &FULL))
        })
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(!config.module_enabled("tvshow"));
        assert!(config.module_enabled("movie"));
    }

    #[test]
    fn unknown_key_is_named() {
        let message = jailed(|jail| {
            jail.create_file("revenge.yaml", "server:\n  prot: 80\n")?;
            Ok::<_, figment2::Error>(error_of(load(Some(Path::new("revenge.yaml")), &FULL)))
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(message.contains("prot"), "{message}");
        assert!(message.contains("server"), "{message}");
    }

    #[test]
    fn unknown_env_key_is_named() {
        let message = jailed(|jail| {
            jail.set_env("REVENGE_SERVR__PORT", "1");
            error_of(load(None, &FULL)).to_lowercase()
        });
        assert!(message.contains("servr"), "{message}");
    }

    #[test]
    fn wrong_type_is_named() {
        let message = jailed(|jail| {
            jail.set_env("REVENGE_SERVER__PORT", "eighty");
            error_of(load(None, &FULL)).to_lowercase()
        });
        assert!(message.contains("server.port"), "{message}");
        assert!(message.contains("u16"), "{message}");
    }

    #[test]
    fn module_not_compiled_names_the_feature() {
        let slim = Build {
            modules: &["movie"],
            backends: &["sqlite"],
        };
        let message = jailed(|jail| {
            jail.set_env("REVENGE_MODULES__TVSHOW__ENABLED", "true");
            error_of(load(None, &slim))
        });
        assert!(message.contains("modules.tvshow.enabled"), "{message}");
        assert!(message.contains("--features tvshow"), "{message}");
        // Disabling a module this build lacks is harmless.
        let ok = jailed(|jail| {
            jail.set_env("REVENGE_MODULES__TVSHOW__ENABLED", "false");
            load(None, &slim).map(|c| c.module_enabled("tvshow"))
        });
        assert!(matches!(ok, Ok(false)), "{ok:?}");
    }

    #[test]
    fn unknown_module_is_named() {
        let message = jailed(|jail| {
            jail.set_env("REVENGE_MODULES__MOOVIE__ENABLED", "true");
            error_of(load(None, &FULL))
        });
        assert!(message.contains("modules.moovie"), "{message}");
        assert!(message.contains("movie"), "{message}");
    }

    #[test]
    fn backend_not_compiled_is_named() {
        let slim = Build {
            modules: &["movie"],
            backends: &["sqlite"],
        };
        let message = jailed(|jail| {
            jail.set_env("REVENGE_DATABASE__URL", "postgres://u@localhost/db");
            error_of(load(None, &slim))
        });
        assert!(message.contains("database.url"), "{message}");
        assert!(message.contains("--features postgres"), "{message}");
    }

    #[test]
    fn missing_file_and_broken_yaml_are_errors() {
        let message = jailed(|_| error_of(load(Some(Path::new("nope.yaml")), &FULL)));
        assert!(message.contains("nope.yaml"), "{message}");
        let message = jailed(|jail| {
            jail.create_file("bad.yaml", "server: [unclosed\n")?;
            Ok::<_, figment2::Error>(error_of(load(Some(Path::new("bad.yaml")), &FULL)))
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(message.contains("bad.yaml"), "{message}");
    }

    #[test]
    fn transcoding_values_are_checked_and_named() {
        let cases = [
            (
                "REVENGE_TRANSCODING__MAX_CONCURRENT",
                "0",
                "transcoding.max_concurrent",
            ),
            (
                "REVENGE_TRANSCODING__BACKEND",
                "remote",
                "transcoding.remote.url",
            ),
            ("REVENGE_TRANSCODING__HWACCEL", "cuda", "hwaccel"),
            (
                "REVENGE_PLAYBACK__RESUME_MIN_PERCENT",
                "95",
                "playback.resume_min_percent",
            ),
            (
                "REVENGE_PLAYBACK__PLAYED_PERCENT",
                "101",
                "playback.played_percent",
            ),
        ];
        for (var, value, key) in cases {
            let message = jailed(|jail| {
                jail.set_env(var, value);
                error_of(load(None, &FULL)).to_lowercase()
            });
            assert!(message.contains(key), "{var}={value}: {message}");
            assert!(
                message.contains("transcoding") || message.contains("playback"),
                "{message}"
            );
        }
        let message = jailed(|jail| {
            jail.set_env("REVENGE_TRANSCODING__BACKEND", "remote");
            jail.set_env("REVENGE_TRANSCODING__REMOTE__URL", "gpu-box:8097");
            error_of(load(None, &FULL))
        });
        assert!(message.contains("transcoding.remote.url"), "{message}");
        assert!(message.contains("http"), "{message}");
        let message = jailed(|jail| {
            jail.set_env("REVENGE_TRANSCODING__BACKEND", "remote");
            jail.set_env("REVENGE_TRANSCODING__REMOTE__URL", "http://gpu-box:8097");
            error_of(load(None, &FULL))
        });
        assert!(message.contains("transcoding.remote.secret"), "{message}");
        let config = jailed(|jail| {
            jail.set_env("REVENGE_TRANSCODING__BACKEND", "remote");
            jail.set_env("REVENGE_TRANSCODING__REMOTE__URL", "http://gpu-box:8097");
            jail.set_env("REVENGE_TRANSCODING__REMOTE__SECRET", "s3cret");
            jail.set_env("REVENGE_TRANSCODING__HWACCEL", "vaapi");
            load(None, &FULL)
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.transcoding.backend, crate::Backend::Remote);
        assert_eq!(config.transcoding.hwaccel, crate::HwAccel::Vaapi);
    }

    #[test]
    fn bad_host_is_named() {
        let message = jailed(|jail| {
            jail.set_env("REVENGE_SERVER__HOST", "not an address");
            error_of(load(None, &FULL))
        });
        assert!(message.contains("server.host"), "{message}");
    }
}

#[cfg(test)]
mod example_tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../../../config/revenge.example.yaml");

    fn key_paths(value: &serde_json::Value, prefix: &str, out: &mut Vec<String>) {
        if let Some(map) = value.as_object() {
            for (key, child) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                key_paths(child, &path, out);
                out.push(path);
            }
        }
    }

    #[test]
    fn search_and_cache_backends_must_be_built_in_and_complete() {
        let slim = Build {
            modules: &["movie"],
            backends: &["sqlite"],
        };
        let full = Build {
            modules: &["movie"],
            backends: &["sqlite", "typesense", "redis"],
        };
        let mut config = Config::default();
        config.search.backend = crate::SearchBackend::Typesense;
        let key = |r: Result<(), ConfigError>| match r {
            Err(ConfigError::Value { key, .. }) => key,
            other => format!("{other:?}"),
        };
        assert_eq!(key(validate(&config, &slim)), "search.backend");
        assert_eq!(key(validate(&config, &full)), "search.typesense.nodes");
        config.search.typesense.nodes = vec!["http://127.0.0.1:8108".to_owned()];
        assert_eq!(key(validate(&config, &full)), "search.typesense.api_key");
        config.search.typesense.api_key = "key".to_owned();
        assert!(validate(&config, &full).is_ok());

        let mut config = Config::default();
        config.cache.url = Some("http://127.0.0.1:6379".to_owned());
        assert_eq!(key(validate(&config, &full)), "cache.url");
        config.cache.url = Some("redis://127.0.0.1:6379".to_owned());
        assert_eq!(key(validate(&config, &slim)), "cache.url");
        assert!(validate(&config, &full).is_ok());
    }

    #[test]
    fn example_config_is_valid_and_documents_every_key() {
        let full = Build {
            modules: &["movie", "tvshow", "music"],
            backends: &["sqlite", "postgres", "typesense", "redis"],
        };
        let parsed: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Yaml::string(EXAMPLE))
            .extract()
            .unwrap_or_else(|e| panic!("{e}"));
        validate(&parsed, &full).unwrap_or_else(|e| panic!("{e}"));

        let example: serde_json::Value =
            serde_norway::from_str(EXAMPLE).unwrap_or_else(|e| panic!("{e}"));
        let mut documented = Vec::new();
        key_paths(&example, "", &mut documented);
        let defaults = serde_json::to_value(Config::default()).unwrap_or_else(|e| panic!("{e}"));
        let mut keys = Vec::new();
        key_paths(&defaults, "", &mut keys);
        // Top-level scalars with a `None` default serialize as null; list them too.
        if let Some(map) = defaults.as_object() {
            keys.extend(map.keys().cloned());
        }
        for key in keys {
            assert!(
                documented.contains(&key),
                "config/revenge.example.yaml lacks `{key}`"
            );
        }
    }
}
