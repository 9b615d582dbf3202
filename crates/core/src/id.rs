//! Identifiers of stored things.
//!
//! Every row is addressed by a database-assigned 64-bit integer. Clients must treat ids as
//! opaque: they are stable for the life of an item (a renamed file keeps its item's id), but
//! carry no meaning and are never reused for something else while the row exists.

/// The id of any stored row.
pub type Id = i64;
