//! sea-orm entities of the movie module's tables (the schema itself lives in the frozen
//! migrations; these only mirror it).

pub mod movie;
pub mod movie_genre;
