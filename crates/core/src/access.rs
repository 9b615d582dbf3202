//! Who is asking, and what they may see: the one helper every module uses to decide whether a
//! library or an item is visible, in Rust for single items and as SQL for lists.
//!
//! Handlers take a [`Viewer`] argument (an extractor filled by the server's authentication
//! layer); repository functions take `&Viewer`, so a query that forgets access control does not
//! compile.

use axum::extract::FromRequestParts;
use http::StatusCode;
use http::request::Parts;
use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};
use sea_orm::{ColumnTrait, Condition};

use crate::{Id, Problem};

/// Which libraries a viewer may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LibraryScope {
    /// Every library (administrators).
    All,
    /// Only these (the libraries granted to a user).
    Only(Vec<Id>),
}

/// What the signed-in caller may do, beyond seeing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// Create, change and scan libraries.
    pub manage_libraries: bool,
    /// Create, change and delete users.
    pub manage_users: bool,
    /// Download original files.
    pub download: bool,
    /// Have media transcoded.
    pub transcode: bool,
    /// See the adult section at all.
    pub adult: bool,
}

/// The caller of a request, as far as access control is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    /// The user's id.
    pub user_id: Id,
    /// Administrators see every library and may do everything but see adult content unless
    /// granted.
    pub is_admin: bool,
    /// Visible libraries.
    pub libraries: LibraryScope,
    /// Parental limit: the highest rating level (an age) the user may see. With a limit set,
    /// unrated items are hidden too.
    pub max_rating_level: Option<i32>,
    /// What the user may do.
    pub capabilities: Capabilities,
    /// Whether the credentials allow changes (an API key may be read-only).
    pub can_write: bool,
}

impl Viewer {
    /// A viewer who sees everything: for background work (scans, indexing) and tests, never for
    /// a request.
    pub fn system() -> Self {
        Self {
            user_id: 0,
            is_admin: true,
            libraries: LibraryScope::All,
            max_rating_level: None,
            capabilities: Capabilities {
                manage_libraries: true,
                manage_users: true,
                download: true,
                transcode: true,
                adult: true,
            },
            can_write: true,
        }
    }

    /// Whether the library is visible.
    pub fn can_see_library(&self, library_id: Id) -> bool {
        match &self.libraries {
            LibraryScope::All => true,
            LibraryScope::Only(ids) => ids.contains(&library_id),
        }
    }

    /// Whether an item of that library and rating level is visible.
    pub fn can_see(&self, library_id: Id, rating_level: Option<i32>) -> bool {
        self.can_see_library(library_id) && self.rating_allowed(rating_level)
    }

    fn rating_allowed(&self, rating_level: Option<i32>) -> bool {
        match (self.max_rating_level, rating_level) {
            (None, _) => true,
            (Some(max), Some(level)) => level <= max,
            (Some(_), None) => false,
        }
    }

    /// The SQL condition selecting exactly the rows this viewer may see, for a table with a
    /// library column and a rating level column. Lists, counts and search filter with it inside
    /// the query, so pages are never short and totals never count hidden rows.
    pub fn visible<C: ColumnTrait>(&self, library: C, rating_level: C) -> Condition {
        let mut condition = Condition::all();
        if let LibraryScope::Only(ids) = &self.libraries {
            // An empty grant list must match nothing (`IN ()` is not valid SQL everywhere).
            condition = if ids.is_empty() {
                condition.add(Expr::val(1).eq(0))
            } else {
                condition.add(library.is_in(ids.iter().copied()))
            };
        }
        if let Some(max) = self.max_rating_level {
            condition = condition.add(rating_level.lte(max));
        }
        condition
    }

    /// The same condition as [`Viewer::visible`] as a plain expression over named columns, for
    /// subqueries built with sea-query.
    pub fn visible_expr(&self, library: SimpleExpr, rating_level: SimpleExpr) -> SimpleExpr {
        let mut expr = Expr::val(1).eq(1);
        if let LibraryScope::Only(ids) = &self.libraries {
            expr = if ids.is_empty() {
                expr.and(Expr::val(1).eq(0))
            } else {
                expr.and(library.is_in(ids.iter().copied()))
            };
        }
        if let Some(max) = self.max_rating_level {
            expr = expr.and(rating_level.lte(max));
        }
        expr
    }

    /// Refuses callers who are not administrators.
    pub fn require_admin(&self) -> Result<(), Problem> {
        if self.is_admin {
            Ok(())
        } else {
            Err(Problem::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "this needs an administrator",
            ))
        }
    }

    /// Refuses read-only credentials.
    pub fn require_write(&self) -> Result<(), Problem> {
        if self.can_write {
            Ok(())
        } else {
            Err(Problem::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "these credentials are read-only",
            ))
        }
    }

    /// The adult section answers 404 to anyone without the capability, so that its existence
    /// is not revealed.
    pub fn require_adult(&self) -> Result<(), Problem> {
        if self.capabilities.adult {
            Ok(())
        } else {
            Err(Problem::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "not found",
            ))
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Viewer>().cloned().ok_or_else(|| {
            Problem::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "sign in first: send Authorization: Bearer <token>",
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(libraries: Vec<Id>, max: Option<i32>) -> Viewer {
        Viewer {
            user_id: 7,
            is_admin: false,
            libraries: LibraryScope::Only(libraries),
            max_rating_level: max,
            capabilities: Capabilities::default(),
            can_write: true,
        }
    }

    #[test]
    fn library_grants_and_parental_limit() {
        let kid = user(vec![1, 2], Some(12));
        assert!(kid.can_see(1, Some(0)));
        assert!(kid.can_see(2, Some(12)));
        assert!(!kid.can_see(2, Some(13)), "above the limit");
        assert!(!kid.can_see(3, Some(0)), "library not granted");
        assert!(
            !kid.can_see(1, None),
            "unrated items are hidden under a limit"
        );
        let adult = user(vec![1], None);
        assert!(adult.can_see(1, None));
        assert!(Viewer::system().can_see(99, Some(18)));
    }

    #[test]
    fn adult_section_is_a_404_without_the_capability() {
        let problem = user(vec![], None).require_adult().unwrap_err();
        assert_eq!(problem.status, StatusCode::NOT_FOUND);
        assert!(Viewer::system().require_adult().is_ok());
    }
}
