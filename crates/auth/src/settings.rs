//! Tunables of sign-in, filled from the `auth:` section of the configuration.

use std::time::Duration;

use crate::password::HashParams;

/// How sign-in behaves.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// argon2id cost.
    pub hash: HashParams,
    /// A session lives this long after its last use (sliding).
    pub session_ttl: Duration,
    /// Failed sign-ins (per account or per address) allowed within `login_window`.
    pub login_max_failures: u32,
    /// The window failed sign-ins are counted in.
    pub login_window: Duration,
    /// How long a signed media URL stays valid.
    pub media_token_ttl: Duration,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            hash: HashParams::default(),
            session_ttl: Duration::from_secs(30 * 24 * 3600),
            login_max_failures: 5,
            login_window: Duration::from_secs(15 * 60),
            media_token_ttl: Duration::from_secs(4 * 3600),
        }
    }
}
