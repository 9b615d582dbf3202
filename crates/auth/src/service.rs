//! The authentication service: first-run setup, sign-in with throttling, sessions, API keys,
//! media tokens, and turning credentials into a [`Principal`].

use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use revenge_cache::{AUTH_GENERATION, Cache, user_generation};
use revenge_core::{Event, EventBus, Id, Viewer};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use crate::entity::{api_key, login_attempt, session, user};
use crate::password::PasswordHasher;
use crate::token::{self, API_KEY_PREFIX, SESSION_PREFIX};
use crate::users::{self, NewUser};
use crate::{AuthError, AuthSettings};

/// The settings key of the media-token signing key, shared by every instance on the database.
const MEDIA_KEY_SETTING: &str = "media_token_key";
/// Sessions are touched (expiry slid forward) at most this often, to spare a write per request.
fn touch_interval() -> chrono::TimeDelta {
    chrono::TimeDelta::seconds(60)
}

/// Who made a request, and how they proved it.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The account.
    pub user: user::Model,
    /// The credentials used.
    pub via: Via,
    /// What they may see and do.
    pub viewer: Viewer,
}

/// The kind of credentials behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A session token; the session's id.
    Session(Id),
    /// An API key; its id.
    ApiKey(Id),
    /// A signed media URL (read-only, one path).
    MediaToken,
}

/// API key scopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// GET and HEAD.
    Read,
    /// Everything else.
    Write,
    /// Administrator rights, if the owner has them.
    Admin,
}

impl Scope {
    /// The scope's name in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Admin => "admin",
        }
    }

    /// Parses a scope name.
    pub fn parse(name: &str) -> Result<Self, AuthError> {
        match name {
            "read" => Ok(Scope::Read),
            "write" => Ok(Scope::Write),
            "admin" => Ok(Scope::Admin),
            other => Err(AuthError::invalid(
                "scopes",
                format!("unknown scope `{other}` (read, write, admin)"),
            )),
        }
    }
}

/// Where a request came from, for the login record.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    /// The peer address.
    pub address: Option<String>,
    /// The User-Agent header.
    pub user_agent: Option<String>,
    /// A device name the client gave.
    pub device_name: Option<String>,
}

/// Credentials found on a request.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// `Authorization: Bearer …` or `X-Api-Key: …`.
    Bearer(String),
    /// `?mt=…` on a GET/HEAD of the path it was signed for.
    Media {
        /// The token.
        token: String,
        /// The request path.
        path: String,
    },
}

/// A successful sign-in.
#[derive(Debug, Clone)]
pub struct Login {
    /// The session token, shown once.
    pub token: String,
    /// The session.
    pub session: session::Model,
    /// The account.
    pub user: user::Model,
}

/// A new API key.
#[derive(Debug, Clone)]
pub struct IssuedKey {
    /// The key, shown once.
    pub key: String,
    /// The stored record.
    pub record: api_key::Model,
}

/// The authentication service. Cloning shares it.
#[derive(Clone)]
pub struct AuthService {
    inner: Arc<Inner>,
}

struct Inner {
    db: DatabaseConnection,
    settings: AuthSettings,
    hasher: PasswordHasher,
    media_key: Vec<u8>,
    setup_token: Mutex<Option<String>>,
    events: EventBus,
    cache: Cache,
}

/// A session or API key lookup as the cache keeps it, valid while its user's generation and
/// the sign-in generation are still the ones it was filled under.
#[derive(serde::Serialize, serde::Deserialize)]
struct CachedPrincipal {
    user_generation: u64,
    auth_generation: u64,
    /// The account, without its password hash.
    user: user::Model,
    via: CachedVia,
    grants: Vec<Id>,
    can_write: bool,
    admin_scope: bool,
    expires_at: Option<DateTime<Utc>>,
}

#[derive(serde::Serialize, serde::Deserialize)]
enum CachedVia {
    Session(Id),
    ApiKey(Id),
}

/// What `authenticate` learnt from the database beyond the principal, for the cache.
struct Facts {
    grants: Vec<Id>,
    can_write: bool,
    admin_scope: bool,
    expires_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for AuthService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the keys or the setup token.
        f.debug_struct("AuthService")
            .field("settings", &self.inner.settings)
            .finish_non_exhaustive()
    }
}

impl AuthService {
    /// Loads (or creates, once per database) the signing key, and prepares a setup token when
    /// there is no user yet.
    pub async fn new(
        db: DatabaseConnection,
        settings: AuthSettings,
        events: EventBus,
    ) -> Result<Self, AuthError> {
        Self::with_cache(db, settings, events, Cache::disabled()).await
    }

    /// [`AuthService::new`] with session and API key lookups cached in `cache` (validated by
    /// generations, so a revoked session is never accepted from it).
    pub async fn with_cache(
        db: DatabaseConnection,
        settings: AuthSettings,
        events: EventBus,
        cache: Cache,
    ) -> Result<Self, AuthError> {
        let hasher = PasswordHasher::new(settings.hash)?;
        let stored =
            revenge_db::settings::get_or_insert(&db, MEDIA_KEY_SETTING, &token::random_secret()?)
                .await?;
        let media_key = URL_SAFE_NO_PAD
            .decode(stored.as_bytes())
            .map_err(|e| AuthError::Hash(format!("stored media key: {e}")))?;
        let setup_token = if users::count(&db).await? == 0 {
            Some(token::random_secret()?)
        } else {
            None
        };
        Ok(Self {
            inner: Arc::new(Inner {
                db,
                settings,
                hasher,
                media_key,
                setup_token: Mutex::new(setup_token),
                events,
                cache,
            }),
        })
    }

    /// The database.
    pub fn db(&self) -> &DatabaseConnection {
        &self.inner.db
    }

    /// The settings.
    pub fn settings(&self) -> &AuthSettings {
        &self.inner.settings
    }

    /// The one-time setup token, while no administrator exists.
    pub fn setup_token(&self) -> Option<String> {
        self.inner
            .setup_token
            .lock()
            .ok()
            .and_then(|token| token.clone())
    }

    /// Whether the first administrator still has to be created.
    pub async fn setup_required(&self) -> Result<bool, AuthError> {
        Ok(users::count(&self.inner.db).await? == 0)
    }

    /// Hashes a password off the async runtime (argon2 is deliberately slow).
    pub async fn hash_password(&self, password: &str) -> Result<String, AuthError> {
        let hasher = self.inner.hasher.clone();
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || hasher.hash(&password))
            .await
            .map_err(|e| AuthError::Hash(e.to_string()))?
    }

    async fn verify_password(&self, password: &str, stored: Option<String>) -> bool {
        let hasher = self.inner.hasher.clone();
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || hasher.verify(&password, stored.as_deref()))
            .await
            .unwrap_or(false)
    }

    /// Creates an account (validating it).
    pub async fn create_user(&self, new: &NewUser) -> Result<user::Model, AuthError> {
        users::validate_username(&new.username)?;
        users::validate_password("password", &new.password)?;
        let hash = self.hash_password(&new.password).await?;
        users::insert(&self.inner.db, new, hash).await
    }

    /// First run: creates the first administrator with the setup token from the log.
    pub async fn setup(
        &self,
        setup_token: &str,
        mut new: NewUser,
    ) -> Result<user::Model, AuthError> {
        if !self.setup_required().await? {
            return Err(AuthError::SetupDone);
        }
        let expected = self.setup_token().ok_or(AuthError::SetupDone)?;
        // Compare hashes: equal-length inputs, so the comparison leaks nothing useful.
        if token::token_hash(setup_token) != token::token_hash(&expected) {
            return Err(AuthError::BadSetupToken);
        }
        new.admin = true;
        let created = self.create_user(&new).await?;
        if let Ok(mut token) = self.inner.setup_token.lock() {
            *token = None;
        }
        tracing::info!(user = %created.username, "setup complete: first administrator created");
        Ok(created)
    }

    /// Signs in with a user name and password.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        client: &ClientInfo,
    ) -> Result<Login, AuthError> {
        let db = &self.inner.db;
        if username.chars().count() > users::MAX_USERNAME {
            return Err(AuthError::invalid("username", "too long"));
        }
        if password.chars().count() > users::MAX_PASSWORD {
            return Err(AuthError::invalid("password", "too long"));
        }
        let key = users::username_key(username);
        if let Some(retry_after_secs) = self.throttled(&key, client.address.as_deref()).await? {
            tracing::warn!(username = %key, address = ?client.address, "sign-in throttled");
            self.publish_failure(&key, client, "throttled");
            return Err(AuthError::Throttled { retry_after_secs });
        }
        let account = users::find_by_username(db, username).await?;
        let ok = self
            .verify_password(password, account.as_ref().map(|u| u.password_hash.clone()))
            .await;
        let account = match account {
            Some(account) if ok => account,
            _ => {
                self.record_attempt(&key, account.map(|u| u.id), client, false)
                    .await?;
                tracing::warn!(username = %key, address = ?client.address, "sign-in failed");
                self.publish_failure(&key, client, "bad_credentials");
                return Err(AuthError::BadCredentials);
            }
        };
        if account.disabled {
            self.record_attempt(&key, Some(account.id), client, false)
                .await?;
            self.publish_failure(&key, client, "disabled");
            return Err(AuthError::Disabled);
        }
        let token = token::new_token(SESSION_PREFIX)?;
        let now = Utc::now();
        let session = session::ActiveModel {
            user_id: Set(account.id),
            token_hash: Set(token::token_hash(&token)),
            device_name: Set(client.device_name.clone()),
            user_agent: Set(client.user_agent.clone()),
            address: Set(client.address.clone()),
            created_at: Set(now),
            last_seen_at: Set(now),
            expires_at: Set(now + self.inner.settings.session_ttl),
            ..Default::default()
        }
        .insert(db)
        .await?;
        self.record_attempt(&key, Some(account.id), client, true)
            .await?;
        tracing::info!(user = %account.username, address = ?client.address, "signed in");
        self.inner.events.publish(Event::LoginSucceeded {
            user_id: account.id,
            username: account.username.clone(),
            address: client.address.clone(),
            user_agent: client.user_agent.clone(),
        });
        Ok(Login {
            token,
            session,
            user: account,
        })
    }

    fn publish_failure(&self, username: &str, client: &ClientInfo, reason: &'static str) {
        self.inner.events.publish(Event::LoginFailed {
            username: username.to_owned(),
            address: client.address.clone(),
            user_agent: client.user_agent.clone(),
            reason: reason.to_owned(),
        });
    }

    async fn record_attempt(
        &self,
        key: &str,
        user_id: Option<Id>,
        client: &ClientInfo,
        success: bool,
    ) -> Result<(), AuthError> {
        login_attempt::ActiveModel {
            username_key: Set(key.to_owned()),
            user_id: Set(user_id),
            address: Set(client.address.clone()),
            user_agent: Set(client.user_agent.clone()),
            success: Set(success),
            at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&self.inner.db)
        .await?;
        Ok(())
    }

    /// Seconds until sign-in is allowed again, if the account or the address is locked out:
    /// `login_max_failures` failures within `login_window` (for the account, only failures
    /// since its last success count).
    async fn throttled(&self, key: &str, address: Option<&str>) -> Result<Option<u64>, AuthError> {
        let settings = &self.inner.settings;
        let now = Utc::now();
        let since = now - settings.login_window;
        let last_success = login_attempt::Entity::find()
            .filter(login_attempt::Column::UsernameKey.eq(key))
            .filter(login_attempt::Column::Success.eq(true))
            .filter(login_attempt::Column::At.gte(since))
            .order_by_desc(login_attempt::Column::At)
            .one(&self.inner.db)
            .await?
            .map(|a| a.at);
        let account_since = last_success.map_or(since, |at| at.max(since));
        let mut locks = vec![
            self.lock_lifts_at(login_attempt::Column::UsernameKey, key, account_since)
                .await?,
        ];
        if let Some(address) = address {
            locks.push(
                self.lock_lifts_at(login_attempt::Column::Address, address, since)
                    .await?,
            );
        }
        Ok(locks
            .into_iter()
            .flatten()
            .max()
            .map(|lifts| (lifts - now).num_seconds().max(1).unsigned_abs()))
    }

    /// When the lock on `column = value` lifts: the max-th most recent failure leaves the
    /// window. `None` if there are fewer failures than that.
    async fn lock_lifts_at(
        &self,
        column: login_attempt::Column,
        value: &str,
        since: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, AuthError> {
        let max = u64::from(self.inner.settings.login_max_failures.max(1));
        let nth = login_attempt::Entity::find()
            .filter(column.eq(value))
            .filter(login_attempt::Column::Success.eq(false))
            .filter(login_attempt::Column::At.gte(since))
            .order_by_desc(login_attempt::Column::At)
            .offset(max - 1)
            .one(&self.inner.db)
            .await?;
        Ok(nth.map(|attempt| attempt.at + self.inner.settings.login_window))
    }

    /// The cache sessions and API keys are looked up in.
    pub fn cache(&self) -> &Cache {
        &self.inner.cache
    }

    /// Drops everything cached about a user, on every instance, before returning: call it after
    /// any database write that changes their sessions, keys, rights or grants.
    pub async fn invalidate_user(&self, user_id: Id) {
        self.inner.cache.bump(&[&user_generation(user_id)]).await;
    }

    /// Turns credentials into a principal, or refuses them. Runs on every request. Session and
    /// API key lookups may come from the cache, but only while neither the user's generation
    /// nor the sign-in generation changed since they were filled (both read from the
    /// authoritative store on every request, and replaced by every revocation after its
    /// database write): a revoked session or disabled user is refused at once, on every
    /// instance. A cache that cannot answer sends every request to the database.
    pub async fn authenticate(&self, credentials: &Credentials) -> Result<Principal, AuthError> {
        let cache = &self.inner.cache;
        let Credentials::Bearer(token) = credentials else {
            return Ok(self.authenticate_db(credentials).await?.0);
        };
        if !cache.usable() {
            return Ok(self.authenticate_db(credentials).await?.0);
        }
        let hash = token::token_hash(token);
        let key = format!("auth:{hash}");
        if let Some(entry) = cache.get_json::<CachedPrincipal>(&key).await
            && let Some(current) = cache
                .generations(&[&user_generation(entry.user.id), AUTH_GENERATION])
                .await
            && current == [entry.user_generation, entry.auth_generation]
            && entry.expires_at.is_none_or(|at| at > Utc::now())
        {
            return Ok(entry.into_principal());
        }
        // A miss. Whose credentials these are decides which generation to read; it is read
        // before the credentials are checked, so a revocation between the two leaves this fill
        // under a generation that is already dead.
        let owner = self.owner_of(token, &hash).await?;
        let generations = cache
            .generations(&[&user_generation(owner), AUTH_GENERATION])
            .await;
        let (principal, facts) = self.authenticate_db(credentials).await?;
        if let Some(generations) = generations
            && principal.user.id == owner
            && let Some(via) = match principal.via {
                Via::Session(id) => Some(CachedVia::Session(id)),
                Via::ApiKey(id) => Some(CachedVia::ApiKey(id)),
                Via::MediaToken => None,
            }
        {
            let mut ttl = cache.settings().session_ttl();
            if let Some(at) = facts.expires_at {
                ttl = ttl.min((at - Utc::now()).to_std().unwrap_or_default());
            }
            let mut user = principal.user.clone();
            user.password_hash = String::new();
            let entry = CachedPrincipal {
                user_generation: generations.first().copied().unwrap_or_default(),
                auth_generation: generations.get(1).copied().unwrap_or_default(),
                user,
                via,
                grants: facts.grants,
                can_write: facts.can_write,
                admin_scope: facts.admin_scope,
                expires_at: facts.expires_at,
            };
            cache.set_json(&key, &entry, ttl).await;
        }
        Ok(principal)
    }

    /// The user a session token or API key belongs to (its row, whatever its state).
    async fn owner_of(&self, token: &str, hash: &str) -> Result<Id, AuthError> {
        let db = &self.inner.db;
        let owner = if token.starts_with(API_KEY_PREFIX) {
            api_key::Entity::find()
                .filter(api_key::Column::KeyHash.eq(hash))
                .one(db)
                .await?
                .map(|k| k.user_id)
        } else {
            session::Entity::find()
                .filter(session::Column::TokenHash.eq(hash))
                .one(db)
                .await?
                .map(|s| s.user_id)
        };
        owner.ok_or(AuthError::Unauthenticated)
    }

    /// [`AuthService::authenticate`] against the database only.
    async fn authenticate_db(
        &self,
        credentials: &Credentials,
    ) -> Result<(Principal, Facts), AuthError> {
        let db = &self.inner.db;
        let now = Utc::now();
        let (user_id, via, can_write, admin_scope, expires_at) = match credentials {
            Credentials::Bearer(token) if token.starts_with(API_KEY_PREFIX) => {
                let key = api_key::Entity::find()
                    .filter(api_key::Column::KeyHash.eq(token::token_hash(token)))
                    .one(db)
                    .await?
                    .ok_or(AuthError::Unauthenticated)?;
                if key.expires_at.is_some_and(|at| at <= now) {
                    return Err(AuthError::Unauthenticated);
                }
                let scopes: Vec<&str> = key.scopes.split(',').collect();
                if key
                    .last_used_at
                    .is_none_or(|at| now - at > touch_interval())
                {
                    let mut active = key.clone().into_active_model();
                    active.last_used_at = Set(Some(now));
                    active.update(db).await?;
                }
                (
                    key.user_id,
                    Via::ApiKey(key.id),
                    scopes.contains(&"write"),
                    scopes.contains(&"admin"),
                    key.expires_at,
                )
            }
            Credentials::Bearer(token) => {
                let found = session::Entity::find()
                    .filter(session::Column::TokenHash.eq(token::token_hash(token)))
                    .one(db)
                    .await?
                    .ok_or(AuthError::Unauthenticated)?;
                if found.expires_at <= now {
                    session::Entity::delete_by_id(found.id).exec(db).await?;
                    return Err(AuthError::Unauthenticated);
                }
                let mut expires_at = found.expires_at;
                if now - found.last_seen_at > touch_interval() {
                    expires_at = now + self.inner.settings.session_ttl;
                    let mut active = found.clone().into_active_model();
                    active.last_seen_at = Set(now);
                    active.expires_at = Set(expires_at);
                    active.update(db).await?;
                }
                (
                    found.user_id,
                    Via::Session(found.id),
                    true,
                    true,
                    Some(expires_at),
                )
            }
            Credentials::Media { token, path } => {
                let user_id =
                    token::verify_media(&self.inner.media_key, token, path, now.timestamp())
                        .ok_or(AuthError::Unauthenticated)?;
                (user_id, Via::MediaToken, false, false, None)
            }
        };
        let account = user::Entity::find_by_id(user_id)
            .one(db)
            .await?
            .ok_or(AuthError::Unauthenticated)?;
        if account.disabled {
            return Err(AuthError::Unauthenticated);
        }
        let grants = if account.is_admin() {
            Vec::new()
        } else {
            users::grants(db, account.id).await?
        };
        let viewer = users::viewer_for(&account, grants.clone(), can_write, admin_scope);
        let principal = Principal {
            user: account,
            via,
            viewer,
        };
        let facts = Facts {
            grants,
            can_write,
            admin_scope,
            expires_at,
        };
        Ok((principal, facts))
    }

    /// A signed URL token for `path`, valid for the configured time.
    pub fn media_token(
        &self,
        user_id: Id,
        path: &str,
    ) -> Result<(String, DateTime<Utc>), AuthError> {
        let expires = Utc::now() + self.inner.settings.media_token_ttl;
        let token = token::sign_media(&self.inner.media_key, user_id, expires.timestamp(), path)?;
        Ok((token, expires))
    }

    /// Ends a session.
    pub async fn delete_session(&self, id: Id) -> Result<(), AuthError> {
        let owner = session::Entity::find_by_id(id)
            .one(&self.inner.db)
            .await?
            .map(|s| s.user_id);
        session::Entity::delete_by_id(id)
            .exec(&self.inner.db)
            .await?;
        if let Some(owner) = owner {
            self.invalidate_user(owner).await;
        }
        Ok(())
    }

    /// A user's sessions, newest first.
    pub async fn sessions_of(&self, user_id: Id) -> Result<Vec<session::Model>, AuthError> {
        Ok(session::Entity::find()
            .filter(session::Column::UserId.eq(user_id))
            .filter(session::Column::ExpiresAt.gt(Utc::now()))
            .order_by_desc(session::Column::LastSeenAt)
            .all(&self.inner.db)
            .await?)
    }

    /// One session, if `viewer` may see it (its owner, or an administrator); otherwise
    /// NotFound, so that other users' session ids reveal nothing.
    pub async fn session_for(&self, viewer: &Viewer, id: Id) -> Result<session::Model, AuthError> {
        session::Entity::find_by_id(id)
            .one(&self.inner.db)
            .await?
            .filter(|s| s.user_id == viewer.user_id || viewer.is_admin)
            .ok_or(AuthError::NotFound("session"))
    }

    /// Ends every session of a user but one (after a password change).
    pub async fn end_other_sessions(&self, user_id: Id, keep: Option<Id>) -> Result<(), AuthError> {
        let mut query = session::Entity::delete_many().filter(session::Column::UserId.eq(user_id));
        if let Some(keep) = keep {
            query = query.filter(session::Column::Id.ne(keep));
        }
        query.exec(&self.inner.db).await?;
        self.invalidate_user(user_id).await;
        Ok(())
    }

    /// Issues an API key for a user.
    pub async fn create_api_key(
        &self,
        owner: &user::Model,
        name: &str,
        scopes: &[Scope],
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<IssuedKey, AuthError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 128 {
            return Err(AuthError::invalid("name", "must be 1 to 128 characters"));
        }
        if scopes.is_empty() {
            return Err(AuthError::invalid("scopes", "give at least one scope"));
        }
        if scopes.contains(&Scope::Admin) && !owner.is_admin() {
            return Err(AuthError::Forbidden(
                "only administrators hold admin-scoped keys",
            ));
        }
        if expires_at.is_some_and(|at| at <= Utc::now()) {
            return Err(AuthError::invalid("expires_at", "must be in the future"));
        }
        let mut names: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let key = token::new_token(API_KEY_PREFIX)?;
        let record = api_key::ActiveModel {
            user_id: Set(owner.id),
            name: Set(name.to_owned()),
            key_hash: Set(token::token_hash(&key)),
            key_prefix: Set(key.chars().take(API_KEY_PREFIX.len() + 6).collect()),
            scopes: Set(names.join(",")),
            created_at: Set(Utc::now()),
            expires_at: Set(expires_at),
            last_used_at: Set(None),
            ..Default::default()
        }
        .insert(&self.inner.db)
        .await?;
        Ok(IssuedKey { key, record })
    }

    /// A user's API keys.
    pub async fn api_keys_of(&self, user_id: Id) -> Result<Vec<api_key::Model>, AuthError> {
        Ok(api_key::Entity::find()
            .filter(api_key::Column::UserId.eq(user_id))
            .order_by_asc(api_key::Column::Id)
            .all(&self.inner.db)
            .await?)
    }

    /// Revokes an API key the viewer owns (or any, for an administrator); NotFound otherwise.
    pub async fn delete_api_key(&self, viewer: &Viewer, id: Id) -> Result<(), AuthError> {
        let key = api_key::Entity::find_by_id(id)
            .one(&self.inner.db)
            .await?
            .filter(|k| k.user_id == viewer.user_id || viewer.is_admin)
            .ok_or(AuthError::NotFound("API key"))?;
        api_key::Entity::delete_by_id(key.id)
            .exec(&self.inner.db)
            .await?;
        self.invalidate_user(key.user_id).await;
        Ok(())
    }

    /// Changes one's own password after checking the current one; other sessions end.
    pub async fn change_password(
        &self,
        principal: &Principal,
        current: &str,
        new: &str,
    ) -> Result<(), AuthError> {
        if current.chars().count() > users::MAX_PASSWORD {
            return Err(AuthError::invalid("current_password", "too long"));
        }
        users::validate_password("new_password", new)?;
        let account = users::get(&self.inner.db, principal.user.id).await?;
        if !self
            .verify_password(current, Some(account.password_hash.clone()))
            .await
        {
            return Err(AuthError::invalid("current_password", "is wrong"));
        }
        let hash = self.hash_password(new).await?;
        let mut active = account.into_active_model();
        active.password_hash = Set(hash);
        active.updated_at = Set(Utc::now());
        active.update(&self.inner.db).await?;
        let keep = match principal.via {
            Via::Session(id) => Some(id),
            _ => None,
        };
        self.end_other_sessions(principal.user.id, keep).await
    }

    /// Changes a user's display name (blank: back to the user name).
    pub async fn set_display_name(
        &self,
        user_id: Id,
        display_name: &str,
    ) -> Result<user::Model, AuthError> {
        let updated = users::rename(&self.inner.db, user_id, display_name).await?;
        // Cached principals carry the account, display name included.
        self.invalidate_user(user_id).await;
        Ok(updated)
    }

    /// Replaces one's own preferences (a JSON object the clients own).
    pub async fn set_preferences(&self, user_id: Id, json: &str) -> Result<(), AuthError> {
        let mut active = users::get(&self.inner.db, user_id)
            .await?
            .into_active_model();
        active.preferences = Set(json.to_owned());
        active.updated_at = Set(Utc::now());
        active.update(&self.inner.db).await?;
        self.invalidate_user(user_id).await;
        Ok(())
    }
}

impl CachedPrincipal {
    fn into_principal(self) -> Principal {
        let via = match self.via {
            CachedVia::Session(id) => Via::Session(id),
            CachedVia::ApiKey(id) => Via::ApiKey(id),
        };
        let viewer = users::viewer_for(&self.user, self.grants, self.can_write, self.admin_scope);
        Principal {
            user: self.user,
            via,
            viewer,
        }
    }
}
