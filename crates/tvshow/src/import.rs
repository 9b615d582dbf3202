//! How the TV module takes in scanned files: the name and folders say which series, season
//! and episode; series and seasons are made on first sight and removed when their last episode
//! goes. Names are parsed and NFO files read before the scan's transaction (`prepare`), which
//! then only looks up and writes.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::NaiveDate;
use revenge_core::batch_write::{flush_batch, id_of, insert_rows};
use revenge_core::sort::sort_title;
use revenge_core::{
    FileToImport, Id, IdBlock, ImportBatch, ImportFuture, Imported, Importer, ItemRef, Prepared,
};
use revenge_naming::{EpisodeNumber, Kind, Parsed, parse_episode};
use sea_orm::{
    ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, Set, TryIntoModel,
};

use crate::entity::{episode, season, series};
use crate::repo::{
    NewEpisode, NewSeason, NewSeries, insert_season, insert_series, new_episode_row,
};

/// The TV module's importer. Items are episodes.
#[derive(Debug, Clone, Copy, Default)]
pub struct TvShowImporter;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn item_ref(series: &series::Model, season: i32, episode: &episode::Model) -> ItemRef {
    ItemRef {
        module: "tvshow".to_owned(),
        item_id: episode.id,
        library_id: series.library_id,
        title: format!(
            "{} S{season:02}E{:02}",
            series.title, episode.episode_number
        ),
        rating_level: series.rating_level,
    }
}

/// Season, first and last episode number of a parsed name. Daily shows number by date
/// (season = year, episode = MMDD); anime absolute numbers go to season 1.
fn numbering(parsed: &revenge_naming::Parsed) -> Option<(i32, i32, Option<i32>)> {
    let to_i32 = |n: u32| i32::try_from(n).ok();
    if let Some(number) = &parsed.episode {
        let season = parsed.season.and_then(to_i32).unwrap_or(1);
        return match number {
            EpisodeNumber::Single(n) => Some((season, to_i32(*n)?, None)),
            EpisodeNumber::Range(first, last) => Some((season, to_i32(*first)?, to_i32(*last))),
        };
    }
    if let Some(absolute) = parsed.absolute_episode {
        return Some((
            parsed.season.and_then(to_i32).unwrap_or(1),
            to_i32(absolute)?,
            None,
        ));
    }
    let date = NaiveDate::parse_from_str(parsed.date.as_deref()?, "%Y-%m-%d").ok()?;
    let (year, month_day) = (
        chrono::Datelike::year(&date),
        chrono::Datelike::month(&date) * 100 + chrono::Datelike::day(&date),
    );
    Some((year, to_i32(month_day)?, None))
}

/// The series' `tvshow.nfo`: in the series folder, the parent of a season folder.
fn series_nfo(video: &Path) -> Option<revenge_nfo::Nfo> {
    revenge_nfo::load_first(&[series_folder(video)?.join("tvshow.nfo")])
}

/// The series folder of an episode's file: the parent of its season folder, or its own folder
/// when it is not in a season folder.
pub fn series_folder(video: &Path) -> Option<std::path::PathBuf> {
    let folder = video.parent()?;
    let name = folder.file_name()?.to_string_lossy().to_lowercase();
    let is_season = name == "specials"
        || ["season", "series", "staffel", "saison", "temporada"]
            .iter()
            .any(|word| {
                name.strip_prefix(word)
                    .is_some_and(|rest| rest.trim().chars().all(|c| c.is_ascii_digit()))
            });
    Some(if is_season { folder.parent()? } else { folder }.to_path_buf())
}

/// What `prepare` reads of a file: its parsed name and, for a new episode, the NFO files of
/// its series and its own (used only if the series or the episode is new).
struct ReadEpisode {
    parsed: Parsed,
    series_nfo: Option<revenge_nfo::Nfo>,
    episode_nfo: Option<revenge_nfo::Nfo>,
}

fn read_episode(file: &FileToImport) -> ReadEpisode {
    let parsed = parse_episode(Path::new(&file.rel_path));
    let wanted = file.item_id.is_none() && parsed.kind != Kind::Extra && !parsed.sample;
    ReadEpisode {
        series_nfo: if wanted { series_nfo(&file.path) } else { None },
        episode_nfo: if wanted {
            revenge_nfo::load_first(&[file.path.with_extension("nfo")])
        } else {
            None
        },
        parsed,
    }
}

/// The series and seasons one batch (one transaction) has found or made: a season's episodes
/// come one after another, so most files need neither lookup. New episodes are numbered ahead
/// and inserted together when the batch is flushed; an episode of a season this batch made
/// cannot exist yet, so it costs no lookup either. Dropped with the batch (once flushed), so a
/// rolled-back file never leaves a row here that the database lost.
struct Known {
    /// By library, sort title and year (as the lookup asked: `None` matches any year).
    series: HashMap<(Id, String, Option<i32>), series::Model>,
    /// By series and season number.
    seasons: HashMap<(Id, i32), season::Model>,
    /// Seasons made by this batch.
    new_seasons: HashSet<Id>,
    episode_ids: IdBlock,
    /// Episodes to insert at the flush, and where they are in it by season and number.
    episodes: Vec<episode::ActiveModel>,
    pending: HashMap<(Id, i32), episode::Model>,
}

impl Default for Known {
    fn default() -> Self {
        Self {
            series: HashMap::new(),
            seasons: HashMap::new(),
            new_seasons: HashSet::new(),
            episode_ids: IdBlock::new("tvshow_episode"),
            episodes: Vec::new(),
            pending: HashMap::new(),
        }
    }
}

/// Episodes per insert statement.
const EPISODES_PER_INSERT: usize = 512;

/// The episodes gathered so far, leaving the batch's state without them.
fn take_episodes(known: &mut Known) -> Vec<episode::ActiveModel> {
    known.pending.clear();
    std::mem::take(&mut known.episodes)
}

fn episode_id(row: &episode::ActiveModel) -> Id {
    id_of(&row.id)
}

impl TvShowImporter {
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
            return Err("the TV importer's batch state is missing".to_owned());
        };
        let ReadEpisode {
            parsed,
            series_nfo,
            episode_nfo,
        } = match prepared.downcast::<ReadEpisode>() {
            Ok(read) => *read,
            // Not read beforehand (reading stopped): read now, as scans did before `prepare`.
            Err(_) => read_episode(file),
        };
        if parsed.kind == Kind::Extra || parsed.sample {
            return Ok(Imported::Skipped {
                reason: format!("{} is an extra", file.rel_path),
            });
        }
        let (Some(title), Some((season_number, number, number_end))) =
            (parsed.title.clone(), numbering(&parsed))
        else {
            return Ok(Imported::Skipped {
                reason: format!("{}: no series and episode in the name", file.rel_path),
            });
        };

        let series_key = (file.library_id, sort_title(&title), parsed.year);
        let found = match known.series.get(&series_key) {
            Some(show) => Some(show.clone()),
            None => {
                let mut query = series::Entity::find()
                    .filter(series::Column::LibraryId.eq(file.library_id))
                    .filter(series::Column::SortTitle.eq(series_key.1.as_str()));
                if let Some(year) = parsed.year {
                    query = query.filter(series::Column::Year.eq(year));
                }
                query.one(db).await.map_err(err)?
            }
        };
        let show = match found {
            Some(show) => show,
            None => {
                let new = match series_nfo {
                    Some(nfo) => NewSeries {
                        library_id: file.library_id,
                        title: nfo.title.unwrap_or(title),
                        year: nfo.year.or(parsed.year),
                        original_title: nfo.original_title,
                        overview: nfo.plot,
                        status: nfo.status,
                        content_rating: nfo.mpaa,
                        community_rating: nfo.rating,
                        genres: nfo.genres,
                        tmdb_id: nfo.ids.get("tmdb").cloned(),
                        tvdb_id: nfo.ids.get("tvdb").cloned(),
                        imdb_id: nfo.ids.get("imdb").cloned(),
                    },
                    None => NewSeries {
                        library_id: file.library_id,
                        title,
                        year: parsed.year,
                        tmdb_id: parsed.ids.get("tmdb").cloned(),
                        tvdb_id: parsed.ids.get("tvdb").cloned(),
                        imdb_id: parsed.ids.get("imdb").cloned(),
                        ..Default::default()
                    },
                };
                insert_series(db, new).await.map_err(err)?
            }
        };
        known.series.insert(series_key, show.clone());
        let season_key = (show.id, season_number);
        let found = match known.seasons.get(&season_key) {
            Some(season) => Some(season.clone()),
            None => season::Entity::find()
                .filter(season::Column::SeriesId.eq(show.id))
                .filter(season::Column::SeasonNumber.eq(season_number))
                .one(db)
                .await
                .map_err(err)?,
        };
        let season_row = match found {
            Some(season) => season,
            None => {
                let made = insert_season(
                    db,
                    NewSeason {
                        series_id: show.id,
                        season_number,
                        ..Default::default()
                    },
                )
                .await
                .map_err(err)?;
                known.new_seasons.insert(made.id);
                made
            }
        };
        known.seasons.insert(season_key, season_row.clone());
        let episode_key = (season_row.id, number);
        let existing = match known.pending.get(&episode_key) {
            Some(row) => Some(row.clone()),
            None if known.new_seasons.contains(&season_row.id) => None,
            None => episode::Entity::find()
                .filter(episode::Column::SeasonId.eq(season_row.id))
                .filter(episode::Column::EpisodeNumber.eq(number))
                .one(db)
                .await
                .map_err(err)?,
        };
        let (row, created) = match existing {
            Some(row) => (row, false),
            None => {
                let mut new = new_episode_row(match episode_nfo {
                    Some(nfo) => NewEpisode {
                        series_id: show.id,
                        season_id: season_row.id,
                        episode_number: number,
                        episode_number_end: number_end,
                        title: nfo.title.or_else(|| parsed.episode_title.clone()),
                        overview: nfo.plot,
                        air_date: nfo
                            .premiered
                            .as_deref()
                            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
                        runtime_minutes: nfo.runtime_minutes,
                    },
                    None => NewEpisode {
                        series_id: show.id,
                        season_id: season_row.id,
                        episode_number: number,
                        episode_number_end: number_end,
                        title: parsed.episode_title.clone(),
                        ..Default::default()
                    },
                })
                .map_err(err)?;
                new.id = Set(known.episode_ids.next(db).await.map_err(err)?);
                let row = new.clone().try_into_model().map_err(err)?;
                known.episodes.push(new);
                known.pending.insert(episode_key, row.clone());
                (row, true)
            }
        };
        Ok(Imported::Item {
            item: item_ref(&show, season_number, &row),
            created,
        })
    }

    async fn remove_episode(
        &self,
        db: &DatabaseTransaction,
        item_id: Id,
    ) -> Result<Option<ItemRef>, String> {
        let Some(row) = episode::Entity::find_by_id(item_id)
            .one(db)
            .await
            .map_err(err)?
        else {
            return Ok(None);
        };
        let show = series::Entity::find_by_id(row.series_id)
            .one(db)
            .await
            .map_err(err)?;
        let season_row = season::Entity::find_by_id(row.season_id)
            .one(db)
            .await
            .map_err(err)?;
        episode::Entity::delete_by_id(item_id)
            .exec(db)
            .await
            .map_err(err)?;
        // Seasons and series exist for their episodes: the last one going takes them along.
        if let Some(season_row) = &season_row {
            let left = episode::Entity::find()
                .filter(episode::Column::SeasonId.eq(season_row.id))
                .count(db)
                .await
                .map_err(err)?;
            if left == 0 {
                season::Entity::delete_by_id(season_row.id)
                    .exec(db)
                    .await
                    .map_err(err)?;
            }
        }
        if let Some(show) = &show {
            let left = episode::Entity::find()
                .filter(episode::Column::SeriesId.eq(show.id))
                .count(db)
                .await
                .map_err(err)?;
            if left == 0 {
                series::Entity::delete_by_id(show.id)
                    .exec(db)
                    .await
                    .map_err(err)?;
            }
        }
        Ok(show.map(|show| item_ref(&show, season_row.map_or(0, |s| s.season_number), &row)))
    }
}

impl Importer for TvShowImporter {
    fn extensions(&self) -> &'static [&'static str] {
        revenge_core::import::VIDEO_EXTENSIONS
    }

    fn prepare(&self, file: &FileToImport) -> Prepared {
        Box::new(read_episode(file))
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
            take_episodes,
            EPISODES_PER_INSERT,
            insert_rows::<episode::ActiveModel>,
            episode_id,
        ))
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

    fn remove<'a>(
        &'a self,
        db: &'a DatabaseTransaction,
        item_id: Id,
    ) -> ImportFuture<'a, Option<ItemRef>> {
        Box::pin(self.remove_episode(db, item_id))
    }
}
