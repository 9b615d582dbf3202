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

/// Checks the request's credentials.
pub async fn authenticate(
    db: &DatabaseConnection,
    params: &Params,
) -> Result<Caller, SubsonicError> {
    let api_key = params.get("apiKey");
    let token_given = params.get("t").is_some() || params.get("s").is_some();
    let password = params.get("p");
    if let Some(key) = api_key {
        if params.get("u").is_some() || token_given || password.is_some() {
            return Err(SubsonicError::ConflictingMechanisms);
        }
        let found = api_key::Entity::find()
            .filter(api_key::Column::KeyHash.eq(token_hash(key)))
            .one(db)
            .await?
            .filter(|k| k.expires_at.is_none_or(|at| at > Utc::now()))
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
        return Ok(Caller {
            user: account,
            viewer,
        });
    }
    let username = params.get("u").ok_or(SubsonicError::Missing("u"))?;
    if token_given && password.is_some() {
        return Err(SubsonicError::ConflictingMechanisms);
    }
    let account = revenge_auth::users::find_by_username(db, username)
        .await
        .map_err(|e| SubsonicError::Generic(e.to_string()))?
        .filter(|u| !u.disabled);
    let Some(account) = account else {
        return Err(SubsonicError::WrongCredentials);
    };
    let stored = user_data::subsonic_password(db, account.id).await?;
    let accepted = if token_given {
        let (Some(t), Some(s)) = (params.get("t"), params.get("s")) else {
            return Err(SubsonicError::Missing(if params.get("t").is_none() {
                "t"
            } else {
                "s"
            }));
        };
        let Some(stored) = stored else {
            return Err(SubsonicError::TokenNotSupported);
        };
        same(
            token(&stored, s).as_bytes(),
            t.to_ascii_lowercase().as_bytes(),
        )
    } else if let Some(given) = password {
        let given = match given.strip_prefix("enc:") {
            Some(encoded) => hex::decode(encoded)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .unwrap_or_default(),
            None => given.to_owned(),
        };
        stored.is_some_and(|stored| same(stored.as_bytes(), given.as_bytes()))
    } else {
        return Err(SubsonicError::Missing("t or p"));
    };
    if !accepted {
        return Err(SubsonicError::WrongCredentials);
    }
    // The Subsonic password stands for its owner, as a session would.
    let viewer = viewer_of(db, &account, true, true).await?;
    Ok(Caller {
        user: account,
        viewer,
    })
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
