//! The HTTP API of accounts: setup and sign-in (public), and sessions, API keys, users and
//! one's own account (signed in).

mod account;
mod dto;
mod keys;
mod users;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AuthService;

pub use dto::{SessionDto, UserDto};

/// Routes that need no credentials: setup and sign-in.
pub fn public_router() -> OpenApiRouter<AuthService> {
    OpenApiRouter::new()
        .routes(routes!(account::setup))
        .routes(routes!(account::login))
}

/// Routes that need a signed-in caller; the server puts `require_auth` in front of them.
pub fn protected_router() -> OpenApiRouter<AuthService> {
    OpenApiRouter::new()
        .routes(routes!(account::logout))
        .routes(routes!(account::me, account::update_me))
        .routes(routes!(account::change_password))
        .routes(routes!(account::get_preferences, account::put_preferences))
        .routes(routes!(account::media_token))
        .routes(routes!(keys::list_sessions))
        .routes(routes!(keys::delete_session))
        .routes(routes!(keys::list_api_keys, keys::create_api_key))
        .routes(routes!(keys::delete_api_key))
        .routes(routes!(users::list_users, users::create_user))
        .routes(routes!(
            users::get_user,
            users::update_user,
            users::delete_user
        ))
}
