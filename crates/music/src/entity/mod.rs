//! sea-orm entities of the music module's tables (the schema itself lives in the frozen
//! migrations; these only mirror it).

pub mod album;
pub mod annotation;
pub mod artist;
pub mod now_playing;
pub mod play_queue;
pub mod playlist;
pub mod playlist_entry;
pub mod subsonic_password;
pub mod track;
pub mod track_genre;
