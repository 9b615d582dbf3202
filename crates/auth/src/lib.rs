//! Users, sign-in and permissions: first-run setup, argon2id passwords, opaque session tokens
//! and API keys stored hashed, signed media URLs, login throttling, and the layers that turn
//! credentials into the `Viewer` every module filters by.

pub mod api;
pub mod entity;
mod error;
pub mod middleware;
pub mod password;
mod service;
mod settings;
pub mod token;
pub mod users;

pub use error::AuthError;
pub use service::{AuthService, ClientInfo, Credentials, IssuedKey, Login, Principal, Scope, Via};
pub use settings::AuthSettings;
