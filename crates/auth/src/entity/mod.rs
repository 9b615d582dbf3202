//! sea-orm entities mirroring the tables of the `server` migration set that this crate owns.

pub mod api_key;
pub mod login_attempt;
pub mod session;
pub mod user;
pub mod user_library;
