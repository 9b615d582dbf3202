//! Subsonic authentication: `u` with `t`+`s` (token = md5(password + salt)) or `p` (plain or
//! `enc:` hex) against the user's separate Subsonic password, or the OpenSubsonic `apiKey`
//! against Revenge's own API keys. Account passwords are never involved: they are stored as
//! argon2id hashes, which the token scheme cannot use.

use chrono::Utc;
use md5::{Digest, Md5};
use revenge_auth::entity::{api_key, user};
use revenge_auth::token::token_hash;
use revenge_core::Viewer;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::params::Params;
use super::response::SubsonicError;
use crate::user_data;

/// Who is asking.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The account.
    pub user: user::Model,
    /// What they may see and do.
    pub viewer: Viewer,
}

/// Compares without revealing where the first difference is.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// md5(password + salt), lower-case hex, as Subsonic clients compute it.
pub fn token(password: &str, salt: &str) -> String {
    let mut hasher = Md5::new();
    hasher.update(password.as_bytes());
    hasher.update(salt.as_bytes());
    hex::encode(hasher.finalize())
}

async fn viewer_of(
    db: &DatabaseConnection,
    account: &user::Model,
    can_write: bool,
    admin: bool,
) -> Result<Viewer, SubsonicError> {
    let grants = if account.is_admin() {
        Vec::new()
    } else {
        revenge_auth::users::grants(db, account.id)
            .await
            .map_err(|e| SubsonicError::Generic(e.to_string()))?
    };
    Ok(revenge_auth::users::viewer_for(
        account, grants, can_write, admin,
    ))
}

/// How a request proves who it is.
enum Credential<'a> {
    /// The OpenSubsonic `apiKey`.
    ApiKey(&'a str),
    /// `u` with `t` = md5(password + `s`).
    Token {
        username: &'a str,
        token: &'a str,
        salt: &'a str,
    },
    /// `u` with `p`, decoded.
    Password { username: &'a str, password: String },
}

impl Credential<'_> {
    /// Where a sign-in with it is kept: the API key's hash, or the user name (the salt of a
    /// token changes with every request; the password it proves does not).
    fn kept_as(&self) -> String {
        match self {
            Credential::ApiKey(key) => format!("key:{}", token_hash(key)),
            Credential::Token { username, .. } | Credential::Password { username, .. } => {
                format!("user:{username}")
            }
        }
    }
}

/// Reads the credentials the request gives, refusing conflicting or incomplete ones.
fn credential(params: &Params) -> Result<Credential<'_>, SubsonicError> {
    let api_key = params.get("apiKey");
    let token_given = params.get("t").is_some() || params.get("s").is_some();
    let password = params.get("p");
    if let Some(key) = api_key {
        if params.get("u").is_some() || token_given || password.is_some() {
            return Err(SubsonicError::ConflictingMechanisms);
        }
        return Ok(Credential::ApiKey(key));
    }
    let username = params.get("u").ok_or(SubsonicError::Missing("u"))?;
    if token_given && password.is_some() {
        return Err(SubsonicError::ConflictingMechanisms);
    }
    if token_given {
        let (Some(token), Some(salt)) = (params.get("t"), params.get("s")) else {
            return Err(SubsonicError::Missing(if params.get("t").is_none() {
                "t"
            } else {
                "s"
            }));
        };
        return Ok(Credential::Token {
            username,
            token,
            salt,
        });
    }
    let Some(given) = password else {
        return Err(SubsonicError::Missing("t or p"));
    };
    let password = match given.strip_prefix("enc:") {
        Some(encoded) => hex::decode(encoded)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .unwrap_or_default(),
        None => given.to_owned(),
    };
    Ok(Credential::Password { username, password })
}

/// What the database says about the account a credential names (no `Debug`: it holds the
/// Subsonic password).
pub(crate) struct Account {
    caller: Caller,
    /// The account's Subsonic password (token and password sign-ins).
    password: Option<String>,
    /// When the API key used runs out.
    expires: Option<chrono::DateTime<Utc>>,
}

impl Account {
    fn user_id(&self) -> i64 {
        self.caller.user.id
    }
}

/// Reads the account `credential` names; refuses unknown and disabled accounts and unknown keys.
async fn load(
    db: &DatabaseConnection,
    credential: &Credential<'_>,
) -> Result<Account, SubsonicError> {
    if let Credential::ApiKey(key) = credential {
        let found = api_key::Entity::find()
            .filter(api_key::Column::KeyHash.eq(token_hash(key)))
            .one(db)
            .await?
            .ok_or(SubsonicError::InvalidApiKey)?;
        let account = user::Entity::find_by_id(found.user_id)
            .one(db)
            .await?
            .filter(|u| !u.disabled)
            .ok_or(SubsonicError::InvalidApiKey)?;
        let scopes: Vec<&str> = found.scopes.split(',').collect();
        let viewer = viewer_of(
            db,
            &account,
            scopes.contains(&"write"),
            scopes.contains(&"admin"),
        )
        .await?;
        return Ok(Account {
            caller: Caller {
                user: account,
                viewer,
            },
            password: None,
            expires: found.expires_at,
        });
    }
    let (Credential::Token { username, .. } | Credential::Password { username, .. }) = credential
    else {
        return Err(SubsonicError::MechanismNotSupported);
    };
    let account = revenge_auth::users::find_by_username(db, username)
        .await
        .map_err(|e| SubsonicError::Generic(e.to_string()))?
        .filter(|u| !u.disabled)
        .ok_or(SubsonicError::WrongCredentials)?;
    let password = user_data::subsonic_password(db, account.id).await?;
    // The Subsonic password stands for its owner, as a session would.
    let viewer = viewer_of(db, &account, true, true).await?;
    Ok(Account {
        caller: Caller {
            user: account,
            viewer,
        },
        password,
        expires: None,
    })
}

/// Whether `credential` proves `account`.
fn accept(credential: &Credential<'_>, account: &Account) -> Result<(), SubsonicError> {
    match credential {
        Credential::ApiKey(_) => {
            if account.expires.is_some_and(|at| at <= Utc::now()) {
                return Err(SubsonicError::InvalidApiKey);
            }
            Ok(())
        }
        Credential::Token { token, salt, .. } => {
            let Some(stored) = &account.password else {
                return Err(SubsonicError::TokenNotSupported);
            };
            if same(
                self::token(stored, salt).as_bytes(),
                token.to_ascii_lowercase().as_bytes(),
            ) {
                Ok(())
            } else {
                Err(SubsonicError::WrongCredentials)
            }
        }
        Credential::Password { password, .. } => {
            if account
                .password
                .as_ref()
                .is_some_and(|stored| same(stored.as_bytes(), password.as_bytes()))
            {
                Ok(())
            } else {
                Err(SubsonicError::WrongCredentials)
            }
        }
    }
}

/// Checks the request's credentials, with the sign-ins kept in `kept` when there are.
pub async fn authenticate(
    db: &DatabaseConnection,
    params: &Params,
    kept: Option<(&SignIns, &dyn revenge_core::AnswerCache)>,
) -> Result<Caller, SubsonicError> {
    let credential = credential(params)?;
    let account = match kept {
        Some((kept, cache)) => kept.account(db, cache, &credential).await?,
        None => std::sync::Arc::new(load(db, &credential).await?),
    };
    accept(&credential, &account)?;
    Ok(account.caller.clone())
}

/// Sign-ins kept in this process (never in a shared cache: they hold Subsonic passwords),
/// each valid only while the account's generations are those it was read under, and for the
/// cache's sign-in lifetime at most. Music apps sign every request; reading the account,
/// its Subsonic password and its grants each time cost more than answering from the
/// answer cache.
#[derive(Default)]
pub(crate) struct SignIns {
    kept: std::sync::Mutex<std::collections::HashMap<String, Kept>>,
}

struct Kept {
    account: std::sync::Arc<Account>,
    generations: Vec<u64>,
    read_at: std::time::Instant,
}

/// Sign-ins kept at most (a household has a few accounts; past this, all are forgotten).
const MAX_KEPT: usize = 1024;

impl SignIns {
    async fn account(
        &self,
        db: &DatabaseConnection,
        cache: &dyn revenge_core::AnswerCache,
        credential: &Credential<'_>,
    ) -> Result<std::sync::Arc<Account>, SubsonicError> {
        let key = credential.kept_as();
        let found = self.kept.lock().ok().and_then(|kept| {
            kept.get(&key)
                .filter(|k| k.read_at.elapsed() < cache.sign_in_ttl())
                .map(|k| (k.account.clone(), k.generations.clone()))
        });
        if let Some((account, generations)) = found
            && cache.account_generations(account.user_id()).await == Some(generations)
        {
            return Ok(account);
        }
        // Which account, then its generations, then the account again: a revocation between
        // the first read and the generations would otherwise be kept under the new ones.
        let first = load(db, credential).await?;
        let Some(generations) = cache.account_generations(first.user_id()).await else {
            return Ok(std::sync::Arc::new(first));
        };
        let account = std::sync::Arc::new(load(db, credential).await?);
        if account.user_id() == first.user_id()
            && let Ok(mut kept) = self.kept.lock()
        {
            if kept.len() >= MAX_KEPT {
                kept.clear();
            }
            kept.insert(
                key,
                Kept {
                    account: account.clone(),
                    generations,
                    read_at: std::time::Instant::now(),
                },
            );
        }
        Ok(account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_md5_of_password_and_salt() {
        // The example of the Subsonic API documentation.
        assert_eq!(
            token("sesame", "c19b2d"),
            "26719a1196d2a940705a59634eb18eab"
        );
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"ab"));
    }
}
