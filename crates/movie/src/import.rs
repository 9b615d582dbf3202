//! How the movie module takes in scanned files: the name (and folder) says which film; files
//! of one film (versions, parts) share its item. The name is parsed and the NFO read before
//! the scan's transaction (`prepare`), which then only looks up; new films are numbered ahead
//! and inserted together when the batch is flushed.

use std::collections::HashMap;
use std::path::Path;

use revenge_core::batch_write::{WriteFuture, flush_batch, id_of, insert_with_children};
use revenge_core::sort::sort_title;
use revenge_core::{
    FileToImport, Id, IdBlock, ImportBatch, ImportFuture, Imported, Importer, ItemRef, Prepared,
};
use revenge_naming::{Kind, Parsed, parse_movie};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set, TryIntoModel};

use crate::entity::{movie, movie_genre};
use crate::repo::{NewMovie, genre_rows, movie_row};

/// The movie module's importer.
#[derive(Debug, Clone, Copy, Default)]
pub struct MovieImporter;

fn item_ref(movie: &movie::Model) -> ItemRef {
    ItemRef {
        module: "movie".to_owned(),
        item_id: movie.id,
        library_id: movie.library_id,
        title: movie.title.clone(),
        rating_level: movie.rating_level,
    }
}

/// A new film and its genre rows, written together.
type NewRows = (movie::ActiveModel, Vec<movie_genre::ActiveModel>);

/// The films one batch (one transaction) has made and not yet written, by library, sort
/// title and year, so that a second version in the same batch finds the first. Dropped with the
/// batch (once flushed).
struct Known {
    ids: IdBlock,
    rows: Vec<NewRows>,
    pending: HashMap<(Id, String, Option<i32>), movie::Model>,
}

impl Default for Known {
    fn default() -> Self {
        Self {
            ids: IdBlock::new("movie"),
            rows: Vec::new(),
            pending: HashMap::new(),
        }
    }
}

/// Films per insert statement.
const MOVIES_PER_INSERT: usize = 256;

/// The films gathered so far, leaving the batch's state empty.
fn take_rows(known: &mut Known) -> Vec<NewRows> {
    known.pending.clear();
    std::mem::take(&mut known.rows)
}

fn write_movies<'a>(db: &'a DatabaseTransaction, rows: &'a [NewRows]) -> WriteFuture<'a> {
    Box::pin(insert_with_children(db, rows, 2))
}

fn movie_id((movie, _): &NewRows) -> Id {
    id_of(&movie.id)
}

/// What `prepare` reads of a file: its parsed name, and its NFO when the file is new.
struct ReadMovie {
    parsed: Parsed,
    nfo: Option<revenge_nfo::Nfo>,
}

fn read_movie(file: &FileToImport) -> ReadMovie {
    let parsed = parse_movie(Path::new(&file.rel_path));
    let wanted = file.item_id.is_none() && parsed.kind != Kind::Extra && !parsed.sample;
    ReadMovie {
        nfo: if wanted { local_nfo(&file.path) } else { None },
        parsed,
    }
}

impl MovieImporter {
    async fn import_file(
        &self,
        db: &DatabaseTransaction,
        file: &FileToImport,
        prepared: Prepared,
        batch: &mut ImportBatch,
    ) -> Result<Imported, String> {
        if !batch.is::<Known>() {
            *batch = Box::new(Known::default());
        }
        let Some(known) = batch.downcast_mut::<Known>() else {
            return Err("the movie importer's batch state is missing".to_owned());
        };
        let ReadMovie { parsed, nfo } = match prepared.downcast::<ReadMovie>() {
            Ok(read) => *read,
            // Not read beforehand (reading stopped): read now, as scans did before `prepare`.
            Err(_) => read_movie(file),
        };
        if parsed.kind == Kind::Extra || parsed.sample {
            return Ok(Imported::Skipped {
                reason: format!("{} is an extra", file.rel_path),
            });
        }
        // A changed file stays with its film.
        let previous = match file.item_id {
            Some(id) => movie::Entity::find_by_id(id)
                .one(db)
                .await
                .map_err(|e| e.to_string())?,
            None => None,
        };
        if let Some(existing) = previous {
            return Ok(Imported::Item {
                item: item_ref(&existing),
                created: false,
            });
        }
        let title = nfo
            .as_ref()
            .and_then(|n| n.title.clone())
            .or_else(|| parsed.title.clone())
            .filter(|t| !t.trim().is_empty())
            .or_else(|| {
                Path::new(&file.rel_path)
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
            })
            .unwrap_or_else(|| file.rel_path.clone());
        let year = nfo.as_ref().and_then(|n| n.year).or(parsed.year);
        // Another version or part of a film already known: same sort title and year.
        let key = (file.library_id, sort_title(&title), year);
        if let Some(made) = known.pending.get(&key) {
            return Ok(Imported::Item {
                item: item_ref(made),
                created: false,
            });
        }
        let mut query = movie::Entity::find()
            .filter(movie::Column::LibraryId.eq(file.library_id))
            .filter(movie::Column::SortTitle.eq(sort_title(&title)));
        query = match year {
            Some(year) => query.filter(movie::Column::Year.eq(year)),
            None => query.filter(movie::Column::Year.is_null()),
        };
        if let Some(existing) = query.one(db).await.map_err(|e| e.to_string())? {
            return Ok(Imported::Item {
                item: item_ref(&existing),
                created: false,
            });
        }
        let mut new = match nfo {
            Some(nfo) => NewMovie {
                library_id: file.library_id,
                title,
                year,
                original_title: nfo.original_title,
                overview: nfo.plot,
                runtime_minutes: nfo.runtime_minutes,
                content_rating: nfo.mpaa,
                community_rating: nfo.rating,
                genres: nfo.genres,
                tagline: nfo.tagline,
                tmdb_id: nfo.ids.get("tmdb").cloned(),
                imdb_id: nfo.ids.get("imdb").cloned(),
            },
            None => NewMovie {
                library_id: file.library_id,
                title,
                year,
                tmdb_id: parsed.ids.get("tmdb").cloned(),
                imdb_id: parsed.ids.get("imdb").cloned(),
                ..Default::default()
            },
        };
        let genres = std::mem::take(&mut new.genres);
        let mut row = movie_row(new).map_err(|e| e.to_string())?;
        let id = known.ids.next(db).await.map_err(|e| e.to_string())?;
        row.id = Set(id);
        let made = row.clone().try_into_model().map_err(|e| e.to_string())?;
        known.rows.push((row, genre_rows(id, genres)));
        let item = item_ref(&made);
        known.pending.insert(key, made);
        Ok(Imported::Item {
            item,
            created: true,
        })
    }
}

/// The film's NFO, Kodi-style: `<file name>.nfo` beside the file, else `movie.nfo` in its
/// folder.
fn local_nfo(video: &Path) -> Option<revenge_nfo::Nfo> {
    revenge_nfo::load_first(&[
        video.with_extension("nfo"),
        video.parent()?.join("movie.nfo"),
    ])
}

impl Importer for MovieImporter {
    fn extensions(&self) -> &'static [&'static str] {
        revenge_core::import::VIDEO_EXTENSIONS
    }

    fn prepare(&self, file: &FileToImport) -> Prepared {
        Box::new(read_movie(file))
    }

    fn import<'a>(
        &'a self,
        db: &'a DatabaseTransaction,
        file: &'a FileToImport,
        prepared: Prepared,
        batch: &'a mut ImportBatch,
    ) -> ImportFuture<'a, Imported> {
        Box::pin(self.import_file(db, file, prepared, batch))
    }

    fn batch(&self) -> ImportBatch {
        Box::new(Known::default())
    }

    fn flush<'a>(
        &'a self,
        db: &'a DatabaseTransaction,
        batch: &'a mut ImportBatch,
    ) -> ImportFuture<'a, Vec<(Id, String)>> {
        Box::pin(flush_batch(
            db,
            batch,
            take_rows,
            MOVIES_PER_INSERT,
            write_movies,
            movie_id,
        ))
    }

    fn remove<'a>(
        &'a self,
        db: &'a DatabaseTransaction,
        item_id: Id,
    ) -> ImportFuture<'a, Option<ItemRef>> {
        Box::pin(async move {
            let Some(existing) = movie::Entity::find_by_id(item_id)
                .one(db)
                .await
                .map_err(|e| e.to_string())?
            else {
                return Ok(None);
            };
            movie::Entity::delete_by_id(item_id)
                .exec(db)
                .await
                .map_err(|e| e.to_string())?;
            Ok(Some(item_ref(&existing)))
        })
    }
}
