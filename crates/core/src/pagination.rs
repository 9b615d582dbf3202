//! Offset pagination shared by every list endpoint.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::Problem;

/// The largest page any list endpoint returns.
pub const MAX_PAGE_SIZE: u64 = 500;
/// The page size when the client asks for none.
pub const DEFAULT_PAGE_SIZE: u64 = 50;

/// `?offset=&limit=` of a list request.
#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// How many items to skip.
    #[serde(default)]
    pub offset: u64,
    /// How many items to return (1 to 500, default 50).
    #[serde(default = "default_limit")]
    pub limit: u64,
}

fn default_limit() -> u64 {
    DEFAULT_PAGE_SIZE
}

impl Default for PageParams {
    fn default() -> Self {
        Self {
            offset: 0,
            limit: DEFAULT_PAGE_SIZE,
        }
    }
}

impl PageParams {
    /// Checks the bounds, so a client learns of a bad limit rather than getting a silent clamp.
    pub fn validate(self) -> Result<Self, Problem> {
        if self.limit == 0 || self.limit > MAX_PAGE_SIZE {
            return Err(Problem::bad_request(
                Some("limit"),
                format!(
                    "limit must be between 1 and {MAX_PAGE_SIZE}, got {}",
                    self.limit
                ),
            ));
        }
        Ok(self)
    }
}

/// One page of a list, with the total count of the whole list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// How many items the whole list holds.
    pub total: u64,
    /// The offset of the first item of this page.
    pub offset: u64,
    /// The page size that was asked for.
    pub limit: u64,
}

impl<T> Page<T> {
    /// Converts the items, keeping the counts.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            offset: self.offset,
            limit: self.limit,
        }
    }
}

/// Fetches one page of an already filtered and ordered query, with the total of the whole
/// query, so every list pages and counts the same way.
pub async fn fetch_page<E, C>(
    db: &C,
    query: sea_orm::Select<E>,
    page: PageParams,
) -> Result<Page<E::Model>, sea_orm::DbErr>
where
    E: sea_orm::EntityTrait,
    E::Model: Send + Sync,
    C: sea_orm::ConnectionTrait,
{
    use sea_orm::{PaginatorTrait, QuerySelect};
    let total = query.clone().count(db).await?;
    let items = query.offset(page.offset).limit(page.limit).all(db).await?;
    Ok(Page {
        items,
        total,
        offset: page.offset,
        limit: page.limit,
    })
}

/// Ascending or descending, for every sortable list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// Smallest first.
    #[default]
    Asc,
    /// Largest first.
    Desc,
}

impl From<SortOrder> for sea_orm::Order {
    fn from(order: SortOrder) -> Self {
        match order {
            SortOrder::Asc => sea_orm::Order::Asc,
            SortOrder::Desc => sea_orm::Order::Desc,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_bounds_are_enforced() {
        assert!(
            PageParams {
                offset: 0,
                limit: 0
            }
            .validate()
            .is_err()
        );
        assert!(
            PageParams {
                offset: 0,
                limit: 501
            }
            .validate()
            .is_err()
        );
        assert!(
            PageParams {
                offset: 9,
                limit: 500
            }
            .validate()
            .is_ok()
        );
    }
}
