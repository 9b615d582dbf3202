//! Printing the effective configuration without its secrets.

use serde_json::Value;

use crate::{Config, ConfigError};

/// Keys whose values are secrets wherever they appear.
const SECRET_KEYS: &[&str] = &["password", "secret", "api_key", "token"];
const MASK: &str = "********";

/// The configuration as YAML, with passwords (also those inside URLs), secrets, keys and tokens
/// masked.
pub fn redacted_yaml(config: &Config) -> Result<String, ConfigError> {
    let mut value =
        serde_json::to_value(config).map_err(|e| ConfigError::Invalid(e.to_string()))?;
    redact(&mut value, None);
    serde_norway::to_string(&value).map_err(|e| ConfigError::Invalid(e.to_string()))
}

fn redact(value: &mut Value, key: Option<&str>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                redact(v, Some(k));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| redact(v, key)),
        Value::String(s) => {
            let secret_key = key.is_some_and(|k| {
                let k = k.to_ascii_lowercase();
                SECRET_KEYS.iter().any(|secret| k.contains(secret))
            });
            if secret_key {
                *s = MASK.to_owned();
            } else if let Some(masked) = mask_url_password(s) {
                *s = masked;
            }
        }
        _ => {}
    }
}

/// `scheme://user:password@host/…` → `scheme://user:********@host/…`; `None` if there is no
/// password in it.
fn mask_url_password(s: &str) -> Option<String> {
    let (scheme, rest) = s.split_once("://")?;
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let (userinfo, host) = authority.rsplit_once('@')?;
    let (user, _password) = userinfo.split_once(':')?;
    Some(format!(
        "{scheme}://{user}:{MASK}@{host}{}",
        &rest[authority_end..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_passwords_are_masked() {
        assert_eq!(
            mask_url_password("postgres://revenge:hunter2@db:5432/revenge").as_deref(),
            Some("postgres://revenge:********@db:5432/revenge")
        );
        assert_eq!(mask_url_password("postgres://revenge@db/revenge"), None);
        assert_eq!(mask_url_password("sqlite:///data/revenge.db"), None);
    }

    #[test]
    fn printed_config_holds_no_password() {
        let mut config = Config::default();
        config.database.url = Some("postgres://u:hunter2@localhost/db".to_owned());
        let yaml = redacted_yaml(&config).unwrap_or_else(|e| panic!("{e}"));
        assert!(!yaml.contains("hunter2"), "{yaml}");
        assert!(
            yaml.contains("postgres://u:********@localhost/db"),
            "{yaml}"
        );
    }

    #[test]
    fn printed_config_holds_no_transcoder_secret() {
        let mut config = Config::default();
        config.transcoding.remote.secret = "transcoder-hunter2".to_owned();
        let yaml = redacted_yaml(&config).unwrap_or_else(|e| panic!("{e}"));
        assert!(!yaml.contains("transcoder-hunter2"), "{yaml}");
    }
}
