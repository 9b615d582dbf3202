//! Errors of the TV show module.

use http::StatusCode;
use revenge_core::{ErrorCode, Id};

/// What can go wrong in the TV show module.
#[derive(Debug, thiserror::Error)]
pub enum TvShowError {
    /// No series has that id.
    #[error("series {0} not found")]
    SeriesNotFound(Id),
    /// No season has that id.
    #[error("season {0} not found")]
    SeasonNotFound(Id),
    /// No episode has that id.
    #[error("episode {0} not found")]
    EpisodeNotFound(Id),
    /// A new series without a title.
    #[error("a series needs a non-empty title")]
    EmptyTitle,
    /// The series already has a season with that number.
    #[error("series {series_id} already has a season {season_number}")]
    DuplicateSeason {
        /// The series.
        series_id: Id,
        /// The number taken.
        season_number: i32,
    },
    /// A new episode names a season of another series.
    #[error("season {season_id} does not belong to series {series_id}")]
    SeasonNotInSeries {
        /// The season named.
        season_id: Id,
        /// The series named.
        series_id: Id,
    },
    /// A season or episode number out of range.
    #[error("invalid {field}: {reason}")]
    InvalidNumber {
        /// The field at fault.
        field: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

impl ErrorCode for TvShowError {
    fn status(&self) -> StatusCode {
        match self {
            TvShowError::SeriesNotFound(_)
            | TvShowError::SeasonNotFound(_)
            | TvShowError::EpisodeNotFound(_) => StatusCode::NOT_FOUND,
            TvShowError::EmptyTitle
            | TvShowError::DuplicateSeason { .. }
            | TvShowError::SeasonNotInSeries { .. }
            | TvShowError::InvalidNumber { .. } => StatusCode::BAD_REQUEST,
            TvShowError::Db(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            TvShowError::SeriesNotFound(_)
            | TvShowError::SeasonNotFound(_)
            | TvShowError::EpisodeNotFound(_) => "not_found",
            TvShowError::EmptyTitle
            | TvShowError::DuplicateSeason { .. }
            | TvShowError::SeasonNotInSeries { .. }
            | TvShowError::InvalidNumber { .. } => "invalid_request",
            TvShowError::Db(_) => "database_error",
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            TvShowError::EmptyTitle => Some("title"),
            TvShowError::DuplicateSeason { .. } => Some("season_number"),
            TvShowError::SeasonNotInSeries { .. } => Some("season_id"),
            TvShowError::InvalidNumber { field, .. } => Some(field),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use revenge_core::Problem;

    #[test]
    fn errors_map_to_problems() {
        let problem = Problem::from(TvShowError::EpisodeNotFound(7));
        assert_eq!(problem.status, 404);
        assert_eq!(problem.code, "not_found");
        assert_eq!(problem.detail, "episode 7 not found");

        let problem = Problem::from(TvShowError::SeasonNotInSeries {
            season_id: 3,
            series_id: 1,
        });
        assert_eq!(problem.status, 400);
        assert_eq!(problem.code, "invalid_request");
        assert_eq!(problem.field.as_deref(), Some("season_id"));

        let problem = Problem::from(TvShowError::Db(sea_orm::DbErr::Custom("x".to_owned())));
        assert_eq!(problem.status, 500);
        assert_eq!(problem.code, "database_error");
    }
}
