//! What a parsed path names, shaped for `revenge parse-name`'s one JSON object per line.

use std::collections::BTreeMap;

use serde::Serialize;

/// What kind of item a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Movie,
    Episode,
    /// Belongs to another item (a trailer, a featurette, a sample), which the scanner attaches
    /// rather than lists.
    Extra,
    /// Nothing usable as a title: the scanner should ask the user rather than guess.
    #[default]
    Unknown,
}

/// One episode, or the first and last of a file holding several in a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum EpisodeNumber {
    Single(u32),
    Range(u32, u32),
}

impl EpisodeNumber {
    /// The first episode the file holds.
    pub fn first(self) -> u32 {
        match self {
            Self::Single(n) | Self::Range(n, _) => n,
        }
    }

    /// The last episode the file holds (the first, for a single episode).
    pub fn last(self) -> u32 {
        match self {
            Self::Single(n) | Self::Range(_, n) => n,
        }
    }
}

/// Everything a path's names say about the media it holds. Fields the names do not mention
/// stay empty and are left out of the JSON, so a consumer can tell "absent" from a value.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Parsed {
    pub kind: Kind,
    /// The movie's title, or the series' title for an episode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// 0 for specials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub season: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub episode: Option<EpisodeNumber>,
    /// An episode number counted across the whole series (anime releases), with no season.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub absolute_episode: Option<u32>,
    /// The air date of a daily show's episode, `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub episode_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edition: Option<String>,
    /// Which file of a movie split over several (cd1, part2, disc3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part: Option<u32>,
    /// For extras: trailer, featurette, behindthescenes, deletedscene, interview, scene,
    /// short, clip, theme, extra, other or sample.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_type: Option<String>,
    /// Provider ids the user wrote into the names ("tmdb", "imdb", "tvdb", "anidb", "tvmaze"),
    /// which let the scanner skip searching.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub ids: BTreeMap<String, String>,
    /// A release's sample clip, which the scanner ignores.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub sample: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub codec: Option<String>,
    /// The release group that published the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}
