//! Secrets handed to clients: random session tokens and API keys (stored only as hashes) and
//! signed, short-lived media tokens for URLs that players open directly.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use revenge_core::Id;
use sha2::{Digest, Sha256};

use crate::AuthError;

/// Prefix of session tokens, so a leaked one is recognisable (secret scanners, logs).
pub const SESSION_PREFIX: &str = "rvs_";
/// Prefix of API keys.
pub const API_KEY_PREFIX: &str = "rvk_";

/// 32 random bytes, URL-safe.
pub fn random_secret() -> Result<String, AuthError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AuthError::Hash(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// A new token with a prefix.
pub fn new_token(prefix: &str) -> Result<String, AuthError> {
    Ok(format!("{prefix}{}", random_secret()?))
}

/// What is stored for a token. Tokens carry 256 random bits, so a fast hash is enough: nobody
/// can brute-force the preimage, and a stolen table yields no usable token.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    URL_SAFE_NO_PAD.encode(digest)
}

type HmacSha256 = Hmac<Sha256>;

fn media_mac(key: &[u8], user_id: Id, expires: i64, path: &str) -> Result<HmacSha256, AuthError> {
    let mut mac = HmacSha256::new_from_slice(key).map_err(|e| AuthError::Hash(e.to_string()))?;
    mac.update(format!("media.v1|{user_id}|{expires}|{path}").as_bytes());
    Ok(mac)
}

/// Signs a media URL path for a user until `expires` (unix seconds): `user.expires.mac`.
pub fn sign_media(key: &[u8], user_id: Id, expires: i64, path: &str) -> Result<String, AuthError> {
    let mac = media_mac(key, user_id, expires, path)?
        .finalize()
        .into_bytes();
    Ok(format!(
        "{user_id}.{expires}.{}",
        URL_SAFE_NO_PAD.encode(mac)
    ))
}

/// Checks a media token for `path` at time `now`; returns the user it was issued to.
pub fn verify_media(key: &[u8], token: &str, path: &str, now: i64) -> Option<Id> {
    let mut parts = token.splitn(3, '.');
    let user_id: Id = parts.next()?.parse().ok()?;
    let expires: i64 = parts.next()?.parse().ok()?;
    let signature = URL_SAFE_NO_PAD.decode(parts.next()?).ok()?;
    if expires < now {
        return None;
    }
    // verify_slice compares in constant time.
    media_mac(key, user_id, expires, path)
        .ok()?
        .verify_slice(&signature)
        .ok()?;
    Some(user_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashes_stable() {
        let a = new_token(SESSION_PREFIX).unwrap();
        let b = new_token(SESSION_PREFIX).unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("rvs_") && a.len() > 40);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), token_hash(&b));
        assert!(!token_hash(&a).contains(&a[4..]));
    }

    #[test]
    fn media_tokens_bind_user_path_and_time() {
        let key = b"0123456789abcdef0123456789abcdef";
        let token = sign_media(key, 7, 1_000, "/api/v1/stream/3").unwrap();
        assert_eq!(verify_media(key, &token, "/api/v1/stream/3", 999), Some(7));
        assert_eq!(
            verify_media(key, &token, "/api/v1/stream/4", 999),
            None,
            "other path"
        );
        assert_eq!(
            verify_media(key, &token, "/api/v1/stream/3", 1_001),
            None,
            "expired"
        );
        assert_eq!(
            verify_media(b"another key", &token, "/api/v1/stream/3", 999),
            None
        );
        let forged = token.replacen("7.", "8.", 1);
        assert_eq!(
            verify_media(key, &forged, "/api/v1/stream/3", 999),
            None,
            "other user"
        );
        assert_eq!(verify_media(key, "garbage", "/api/v1/stream/3", 999), None);
    }
}
