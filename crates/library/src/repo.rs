//! Queries of the `library` table.

use chrono::Utc;
use revenge_core::{Id, LibraryScope, Viewer};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

use crate::LibraryError;
use crate::entity;

/// Longest library name, in characters.
pub const MAX_NAME: usize = 128;

/// Creates a library for `module`.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    module: &str,
    name: &str,
) -> Result<entity::Model, LibraryError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(LibraryError::Invalid {
            field: "name",
            message: format!("must be 1 to {MAX_NAME} printable characters"),
        });
    }
    Ok(entity::ActiveModel {
        module: Set(module.to_owned()),
        name: Set(name.to_owned()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// The libraries the viewer may see, by name.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
) -> Result<Vec<entity::Model>, LibraryError> {
    let mut query = entity::Entity::find();
    if let LibraryScope::Only(ids) = &viewer.libraries {
        query = query.filter(entity::Column::Id.is_in(ids.iter().copied()));
    }
    Ok(query
        .order_by_asc(entity::Column::Name)
        .order_by_asc(entity::Column::Id)
        .all(db)
        .await?)
}

/// One library the viewer may see.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: Id,
) -> Result<entity::Model, LibraryError> {
    if !viewer.can_see_library(id) {
        return Err(LibraryError::NotFound(id));
    }
    entity::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(LibraryError::NotFound(id))
}

/// Deletes a library and, through foreign keys, everything in it and every grant of it.
pub async fn delete<C: ConnectionTrait>(db: &C, id: Id) -> Result<(), LibraryError> {
    let result = entity::Entity::delete_by_id(id).exec(db).await?;
    if result.rows_affected == 0 {
        return Err(LibraryError::NotFound(id));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use revenge_core::Capabilities;
    use revenge_db::{ConnectOptions, MigrationSet, connect, migrate};

    async fn memory_db() -> sea_orm::DatabaseConnection {
        let db = connect(&ConnectOptions::new("sqlite::memory:"))
            .await
            .unwrap();
        let sets = [MigrationSet {
            owner: "server",
            migrations: revenge_migrations::server::migrations(),
        }];
        migrate::up(&db.conn, &sets).await.unwrap();
        db.conn
    }

    fn user_seeing(ids: Vec<Id>) -> Viewer {
        Viewer {
            user_id: 2,
            is_admin: false,
            libraries: LibraryScope::Only(ids),
            max_rating_level: None,
            capabilities: Capabilities::default(),
            can_write: true,
        }
    }

    #[tokio::test]
    async fn users_see_only_granted_libraries() {
        let db = memory_db().await;
        let films = create(&db, "movie", "Films").await.unwrap();
        let kids = create(&db, "movie", "Kids").await.unwrap();
        let all = list(&db, &Viewer::system()).await.unwrap();
        assert_eq!(all.len(), 2);
        let kid = user_seeing(vec![kids.id]);
        let seen = list(&db, &kid).await.unwrap();
        assert_eq!(seen.iter().map(|l| l.id).collect::<Vec<_>>(), [kids.id]);
        assert!(matches!(
            get(&db, &kid, films.id).await,
            Err(LibraryError::NotFound(_))
        ));
        assert!(list(&db, &user_seeing(vec![])).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn names_are_validated_and_deletes_report_missing() {
        let db = memory_db().await;
        assert!(matches!(
            create(&db, "movie", "  ").await,
            Err(LibraryError::Invalid { field: "name", .. })
        ));
        let long = "x".repeat(MAX_NAME + 1);
        assert!(create(&db, "movie", &long).await.is_err());
        let lib = create(&db, "movie", "Films").await.unwrap();
        delete(&db, lib.id).await.unwrap();
        assert!(matches!(
            delete(&db, lib.id).await,
            Err(LibraryError::NotFound(_))
        ));
    }
}
