//! sea-orm entities of the TV show module's tables (the schema itself lives in the frozen
//! migrations; these only mirror it).

pub mod episode;
pub mod season;
pub mod series;
pub mod series_genre;
