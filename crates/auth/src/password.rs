//! Password hashing with argon2id; verification takes the same time whether or not the user
//! exists.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::AuthError;

/// argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl Default for HashParams {
    /// OWASP's recommendation for argon2id (19 MiB, 2 passes, 1 lane).
    fn default() -> Self {
        Self {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
        }
    }
}

/// Hashes and verifies passwords.
#[derive(Debug, Clone)]
pub struct PasswordHasher {
    params: HashParams,
    /// A hash of a random password, verified against when the user does not exist, so that
    /// timing does not reveal which user names exist.
    dummy: String,
}

impl PasswordHasher {
    /// A hasher with these parameters.
    pub fn new(params: HashParams) -> Result<Self, AuthError> {
        let mut hasher = Self {
            params,
            dummy: String::new(),
        };
        hasher.dummy = hasher.hash(&crate::token::random_secret()?)?;
        Ok(hasher)
    }

    fn argon2(&self) -> Result<Argon2<'static>, AuthError> {
        let params = Params::new(
            self.params.memory_kib,
            self.params.iterations,
            self.params.parallelism,
            None,
        )
        .map_err(|e| AuthError::Hash(e.to_string()))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }

    /// The PHC string of a new salted hash.
    pub fn hash(&self, password: &str) -> Result<String, AuthError> {
        self.argon2()?
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|e| AuthError::Hash(e.to_string()))
    }

    /// Whether the password matches the stored hash (`None`: no such user; a dummy hash is
    /// verified instead and the answer is `false`).
    pub fn verify(&self, password: &str, stored: Option<&str>) -> bool {
        let (hash, real) = match stored {
            Some(hash) => (hash, true),
            None => (self.dummy.as_str(), false),
        };
        let Ok(parsed) = PasswordHash::new(hash) else {
            tracing::error!("a stored password hash does not parse");
            return false;
        };
        let Ok(argon2) = self.argon2() else {
            return false;
        };
        argon2.verify_password(password.as_bytes(), &parsed).is_ok() && real
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> HashParams {
        HashParams {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
        }
    }

    #[test]
    fn hashes_verify_and_are_salted() {
        let hasher = PasswordHasher::new(cheap()).unwrap();
        let a = hasher.hash("correct horse").unwrap();
        let b = hasher.hash("correct horse").unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "salted");
        assert!(hasher.verify("correct horse", Some(&a)));
        assert!(!hasher.verify("wrong horse", Some(&a)));
        assert!(!hasher.verify("correct horse", None));
        assert!(!hasher.verify("x", Some("not a hash")));
    }
}
