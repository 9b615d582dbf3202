//! Progress and resume: the rules that turn start/progress/stop reports into a resume position,
//! a played mark and a play count, and the `playback_state` queries behind them.

use chrono::Utc;
use revenge_core::playback_state::{ActiveModel, Column, Entity, Model};
use revenge_core::{Id, ItemRef};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::PlaybackError;

/// Where the thresholds are, in percent of the item's duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgressRules {
    /// Stopping at or past this counts as played (and the resume position goes back to 0).
    pub played_percent: u8,
    /// Below this an item is not "in progress" (a few seconds of a film is not a start).
    pub resume_min_percent: u8,
}

impl Default for ProgressRules {
    fn default() -> Self {
        Self {
            played_percent: 90,
            resume_min_percent: 5,
        }
    }
}

/// What a player reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProgressEvent {
    /// Playback began.
    Start,
    /// Still playing (every few seconds).
    Progress,
    /// Playback ended or was left.
    Stop,
}

/// An item's playback state for one user.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlaybackStateDto {
    /// The module of the item.
    pub module: String,
    /// The item.
    pub item_id: Id,
    /// Where to resume, in milliseconds (0 once played).
    pub position_ms: i64,
    /// The item's length, when known.
    pub duration_ms: Option<i64>,
    /// Whether it counts as played.
    pub played: bool,
    /// How often it was played to the end.
    pub play_count: i32,
    /// When it was last played.
    pub last_played_at: Option<chrono::DateTime<Utc>>,
}

impl From<Model> for PlaybackStateDto {
    fn from(m: Model) -> Self {
        Self {
            module: m.module,
            item_id: m.item_id,
            position_ms: m.position_ms,
            duration_ms: m.duration_ms,
            played: m.played,
            play_count: m.play_count,
            last_played_at: m.last_played_at,
        }
    }
}

impl PlaybackStateDto {
    /// The state of an item never played.
    pub fn unplayed(module: &str, item_id: Id) -> Self {
        Self {
            module: module.to_owned(),
            item_id,
            position_ms: 0,
            duration_ms: None,
            played: false,
            play_count: 0,
            last_played_at: None,
        }
    }
}

/// The state after a report, as a pure function of the state before: the rules in one place.
pub fn apply(
    rules: ProgressRules,
    before: &PlaybackStateDto,
    event: ProgressEvent,
    position_ms: i64,
    duration_ms: Option<i64>,
    now: chrono::DateTime<Utc>,
) -> PlaybackStateDto {
    let mut after = before.clone();
    let position_ms = Ord::max(position_ms, 0);
    after.duration_ms = duration_ms.filter(|d| *d > 0).or(before.duration_ms);
    after.position_ms = position_ms;
    after.last_played_at = Some(now);
    if event == ProgressEvent::Start && before.played {
        // Watching a played item again starts a new round: it is in progress once more.
        after.played = false;
    }
    if event == ProgressEvent::Stop {
        let finished = after.duration_ms.is_some_and(|duration| {
            position_ms.saturating_mul(100)
                >= duration.saturating_mul(i64::from(rules.played_percent))
        });
        if finished {
            after.played = true;
            after.play_count = before.play_count.saturating_add(1);
            after.position_ms = 0;
        }
    }
    after
}

/// The state of one item for one user.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    user_id: Id,
    module: &str,
    item_id: Id,
) -> Result<Option<Model>, PlaybackError> {
    Ok(Entity::find()
        .filter(Column::UserId.eq(user_id))
        .filter(Column::Module.eq(module))
        .filter(Column::ItemId.eq(item_id))
        .one(db)
        .await?)
}

/// Writes a state (inserting the row on first play).
pub async fn save<C: ConnectionTrait>(
    db: &C,
    user_id: Id,
    state: &PlaybackStateDto,
) -> Result<(), PlaybackError> {
    let now = Utc::now();
    match get(db, user_id, &state.module, state.item_id).await? {
        Some(row) => {
            let mut active = row.into_active_model();
            active.position_ms = Set(state.position_ms);
            active.duration_ms = Set(state.duration_ms);
            active.played = Set(state.played);
            active.play_count = Set(state.play_count);
            active.last_played_at = Set(state.last_played_at);
            active.updated_at = Set(now);
            active.update(db).await?;
        }
        None => {
            ActiveModel {
                user_id: Set(user_id),
                module: Set(state.module.clone()),
                item_id: Set(state.item_id),
                position_ms: Set(state.position_ms),
                duration_ms: Set(state.duration_ms),
                played: Set(state.played),
                play_count: Set(state.play_count),
                last_played_at: Set(state.last_played_at),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    Ok(())
}

/// Applies a report to the stored state and saves it.
pub async fn report<C: ConnectionTrait>(
    db: &C,
    rules: ProgressRules,
    user_id: Id,
    item: &ItemRef,
    event: ProgressEvent,
    position_ms: i64,
    duration_ms: Option<i64>,
) -> Result<PlaybackStateDto, PlaybackError> {
    let before = get(db, user_id, &item.module, item.item_id)
        .await?
        .map_or_else(
            || PlaybackStateDto::unplayed(&item.module, item.item_id),
            PlaybackStateDto::from,
        );
    let after = apply(rules, &before, event, position_ms, duration_ms, Utc::now());
    save(db, user_id, &after).await?;
    Ok(after)
}

/// Marks an item played (counting one play) or unplayed (forgetting the position too).
pub async fn mark<C: ConnectionTrait>(
    db: &C,
    user_id: Id,
    item: &ItemRef,
    played: bool,
) -> Result<PlaybackStateDto, PlaybackError> {
    let mut state = get(db, user_id, &item.module, item.item_id)
        .await?
        .map_or_else(
            || PlaybackStateDto::unplayed(&item.module, item.item_id),
            PlaybackStateDto::from,
        );
    if played && !state.played {
        state.play_count = state.play_count.saturating_add(1);
        state.last_played_at = Some(Utc::now());
    }
    state.played = played;
    state.position_ms = 0;
    save(db, user_id, &state).await?;
    Ok(state)
}

/// The user's items in progress (between the resume minimum and the played threshold), most
/// recently played first, at most `limit` rows. Visibility is checked by the caller per item,
/// because items belong to different modules' tables.
pub async fn in_progress<C: ConnectionTrait>(
    db: &C,
    rules: ProgressRules,
    user_id: Id,
    limit: u64,
) -> Result<Vec<Model>, PlaybackError> {
    let position = || Expr::col(Column::PositionMs).mul(100);
    let duration = |percent: u8| Expr::col(Column::DurationMs).mul(i64::from(percent));
    Ok(Entity::find()
        .filter(Column::UserId.eq(user_id))
        .filter(Column::Played.eq(false))
        .filter(Column::DurationMs.is_not_null())
        .filter(position().gte(duration(rules.resume_min_percent)))
        .filter(position().lt(duration(rules.played_percent)))
        .order_by_desc(Column::LastPlayedAt)
        .order_by_desc(Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(position_ms: i64, duration_ms: i64) -> PlaybackStateDto {
        PlaybackStateDto {
            position_ms,
            duration_ms: Some(duration_ms),
            ..PlaybackStateDto::unplayed("movie", 1)
        }
    }

    #[test]
    fn stopping_past_the_threshold_counts_a_play_and_resets_the_position() {
        let now = Utc::now();
        let rules = ProgressRules::default();
        let after = apply(rules, &at(0, 1000), ProgressEvent::Stop, 950, None, now);
        assert!(after.played);
        assert_eq!(after.play_count, 1);
        assert_eq!(after.position_ms, 0);
        let after = apply(rules, &at(0, 1000), ProgressEvent::Stop, 500, None, now);
        assert!(!after.played);
        assert_eq!(after.position_ms, 500);
        assert_eq!(after.play_count, 0);
    }

    #[test]
    fn progress_never_counts_and_start_reopens_a_played_item() {
        let now = Utc::now();
        let rules = ProgressRules::default();
        let after = apply(rules, &at(0, 1000), ProgressEvent::Progress, 990, None, now);
        assert!(!after.played);
        let mut played = at(0, 1000);
        played.played = true;
        played.play_count = 2;
        let after = apply(rules, &played, ProgressEvent::Start, 0, None, now);
        assert!(!after.played);
        assert_eq!(after.play_count, 2);
        let after = apply(
            ProgressRules {
                played_percent: 50,
                resume_min_percent: 5,
            },
            &at(0, 1000),
            ProgressEvent::Stop,
            500,
            None,
            now,
        );
        assert!(after.played, "the threshold is configurable");
    }
}
