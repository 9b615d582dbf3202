//! The server's own routes (not belonging to any module).

pub mod events;
pub mod openapi;
pub mod system;
