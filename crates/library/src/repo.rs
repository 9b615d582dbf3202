//! Queries of the `library` table.

use chrono::Utc;
use revenge_core::{Id, LibraryScope, Viewer};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

use crate::entity;
use crate::{LibraryError, folder};

/// Longest library name, in characters.
pub const MAX_NAME: usize = 128;

/// Creates a library for `module`.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    module: &str,
    name: &str,
) -> Result<entity::Model, LibraryError> {
    let name = validate_name(name)?;
    Ok(entity::ActiveModel {
        module: Set(module.to_owned()),
        name: Set(name),
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

/// A library as the config file defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibrarySpec {
    /// Its name (with the module, what identifies it across restarts).
    pub name: String,
    /// Its module.
    pub module: String,
    /// Its folders (absolute paths).
    pub folders: Vec<String>,
}

fn validate_folders(folders: &[String]) -> Result<Vec<String>, LibraryError> {
    let mut out: Vec<String> = Vec::new();
    for folder in folders {
        let path = std::path::Path::new(folder);
        if !path.is_absolute() || folder.chars().any(char::is_control) || folder.len() > 4096 {
            return Err(LibraryError::Invalid {
                field: "folders",
                message: format!("`{folder}` is not an absolute path"),
            });
        }
        let normalized = folder.trim_end_matches('/').to_owned();
        let normalized = if normalized.is_empty() {
            "/".to_owned()
        } else {
            normalized
        };
        if !out.contains(&normalized) {
            out.push(normalized);
        }
    }
    Ok(out)
}

/// A library's folders.
pub async fn folders<C: ConnectionTrait>(
    db: &C,
    library_id: Id,
) -> Result<Vec<folder::Model>, LibraryError> {
    Ok(folder::Entity::find()
        .filter(folder::Column::LibraryId.eq(library_id))
        .order_by_asc(folder::Column::Id)
        .all(db)
        .await?)
}

/// Replaces a library's folders. Folders that stay keep their ids (and so their files); a
/// removed folder takes its files with it.
pub async fn set_folders<C: ConnectionTrait>(
    db: &C,
    library_id: Id,
    wanted: &[String],
) -> Result<Vec<folder::Model>, LibraryError> {
    let wanted = validate_folders(wanted)?;
    let current = folders(db, library_id).await?;
    for gone in current.iter().filter(|f| !wanted.contains(&f.path)) {
        folder::Entity::delete_by_id(gone.id).exec(db).await?;
    }
    for path in wanted
        .iter()
        .filter(|p| !current.iter().any(|f| &f.path == *p))
    {
        folder::ActiveModel {
            library_id: Set(library_id),
            path: Set(path.clone()),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    folders(db, library_id).await
}

/// Renames a library.
pub async fn rename<C: ConnectionTrait>(
    db: &C,
    id: Id,
    name: &str,
) -> Result<entity::Model, LibraryError> {
    let name = validate_name(name)?;
    let current = entity::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(LibraryError::NotFound(id))?;
    let mut model: entity::ActiveModel = current.into();
    model.name = Set(name);
    Ok(model.update(db).await?)
}

fn validate_name(name: &str) -> Result<String, LibraryError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(LibraryError::Invalid {
            field: "name",
            message: format!("must be 1 to {MAX_NAME} printable characters"),
        });
    }
    Ok(name.to_owned())
}

/// Every library's id.
pub async fn all_ids<C: ConnectionTrait>(db: &C) -> Result<Vec<Id>, LibraryError> {
    Ok(entity::Entity::find()
        .order_by_asc(entity::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.id)
        .collect())
}

/// Creates or updates the libraries the config file defines (matched by module and name);
/// libraries made through the API are left alone. Returns them in the config's order, each
/// with whether it was just created.
pub async fn sync_config<C: ConnectionTrait>(
    db: &C,
    specs: &[LibrarySpec],
) -> Result<Vec<(entity::Model, bool)>, LibraryError> {
    let mut out = Vec::new();
    for spec in specs {
        let existing = entity::Entity::find()
            .filter(entity::Column::Module.eq(spec.module.as_str()))
            .filter(entity::Column::Name.eq(spec.name.trim()))
            .one(db)
            .await?;
        let (library, created) = match existing {
            Some(library) => (library, false),
            None => (create(db, &spec.module, &spec.name).await?, true),
        };
        set_folders(db, library.id, &spec.folders).await?;
        out.push((library, created));
    }
    Ok(out)
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

    async fn memory_db() -> sea_orm::DatabaseConnection {
        revenge_db::open_in_memory(Vec::new()).await.unwrap().conn
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
    async fn folders_are_validated_replaced_and_synced_from_config() {
        let db = memory_db().await;
        let lib = create(&db, "movie", "Films").await.unwrap();
        assert!(matches!(
            set_folders(&db, lib.id, &["relative/path".to_owned()]).await,
            Err(LibraryError::Invalid {
                field: "folders",
                ..
            })
        ));
        let first = set_folders(
            &db,
            lib.id,
            &["/media/a/".to_owned(), "/media/b".to_owned()],
        )
        .await
        .unwrap();
        assert_eq!(
            first.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
            ["/media/a", "/media/b"]
        );
        let second = set_folders(&db, lib.id, &["/media/b".to_owned(), "/media/c".to_owned()])
            .await
            .unwrap();
        assert_eq!(
            second[0].id, first[1].id,
            "a folder that stays keeps its id"
        );
        assert_eq!(second.len(), 2);

        let spec = LibrarySpec {
            name: "Films".to_owned(),
            module: "movie".to_owned(),
            folders: vec!["/srv/films".to_owned()],
        };
        let synced = sync_config(&db, std::slice::from_ref(&spec)).await.unwrap();
        assert_eq!(synced[0].0.id, lib.id, "matched by module and name");
        assert!(!synced[0].1, "not created");
        let again = sync_config(&db, &[spec]).await.unwrap();
        assert_eq!(again[0].0.id, lib.id);
        let paths: Vec<String> = folders(&db, lib.id)
            .await
            .unwrap()
            .into_iter()
            .map(|f| f.path)
            .collect();
        assert_eq!(paths, ["/srv/films"]);
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
