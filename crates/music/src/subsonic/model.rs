//! How artists, albums and songs look in Subsonic answers (ID3 and directory styles, with the
//! OpenSubsonic additions), and the prefixed ids that tell them apart.

use revenge_core::Id;
use serde::Serialize;
use serde_json::Value;

use super::response::{SubsonicError, object};
use crate::repo::{AlbumRow, ArtistRow, SongRow};
use crate::user_data::{Kind, Note};

/// The prefix of a kind's ids, before the `-`.
fn prefix(kind: Kind) -> &'static str {
    match kind {
        Kind::Artist => "ar",
        Kind::Album => "al",
        Kind::Track => "tr",
    }
}

/// `ar-1`, `al-1`, `tr-1` (a bare number is a track, as clients sometimes send).
pub fn parse_id(id: &str) -> Result<(Kind, Id), SubsonicError> {
    let not_found = || SubsonicError::NotFound(format!("id {id}"));
    let (kind, number) = match id.split_once('-') {
        Some((written, n)) => {
            let kind = [Kind::Artist, Kind::Album, Kind::Track]
                .into_iter()
                .find(|kind| prefix(*kind) == written)
                .ok_or_else(not_found)?;
            (kind, n)
        }
        None => (Kind::Track, id),
    };
    Ok((kind, number.parse().map_err(|_| not_found())?))
}

/// The id of a track, album or artist as clients see it. Written without `format!`: a song
/// carries five, and formatting them was a twentieth of an uncached `search3`'s instructions.
pub fn id_of(kind: Kind, id: Id) -> String {
    let prefix = prefix(kind);
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(id);
    let mut out = String::with_capacity(prefix.len() + 1 + digits.len());
    out.push_str(prefix);
    out.push('-');
    out.push_str(digits);
    out
}

/// The path a client shows for a song: `album artist/album/NN - title.suffix` (the number
/// zero-padded to two digits, left out when the tags have none).
fn song_path(
    album_artist: &str,
    album: &str,
    number: Option<i32>,
    title: &str,
    suffix: &str,
) -> String {
    let mut digits = itoa::Buffer::new();
    let number = number.map(|n| digits.format(n));
    let mut out =
        String::with_capacity(album_artist.len() + album.len() + title.len() + suffix.len() + 10);
    for part in [album_artist, "/", album, "/"] {
        out.push_str(part);
    }
    if let Some(number) = number {
        if number.len() < 2 {
            out.push('0');
        }
        out.push_str(number);
        out.push_str(" - ");
    }
    for part in [title, ".", suffix] {
        out.push_str(part);
    }
    out
}

fn time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

// The shapes below are written straight to JSON by serde (`response::ok_rendered`), and go
// through a JSON value only for XML or where an endpoint adds to them: building the value tree
// first was a quarter of an uncached album list's time.

/// The caller's marks on an item: stars, rating, plays.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Marks {
    #[serde(skip_serializing_if = "Option::is_none")]
    starred: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_rating: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    play_count: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    played: Option<String>,
}

impl Marks {
    fn of(note: Option<&Note>) -> Self {
        Self {
            starred: note.and_then(|n| n.starred_at).map(time),
            user_rating: note.and_then(|n| n.rating),
            play_count: Some(note.map_or(0, |n| n.play_count)),
            played: note.and_then(|n| n.played_at).map(time),
        }
    }
}

/// A name in a list of genres.
#[derive(Serialize)]
struct Named<'a> {
    name: &'a str,
}

/// An artist credited on an album or song (the first with its id).
#[derive(Serialize)]
struct Credit<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    name: &'a str,
}

/// An ID3 artist.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Artist<'a> {
    id: String,
    name: &'a str,
    sort_name: &'a str,
    cover_art: String,
    album_count: i64,
    music_brainz_id: &'a str,
    #[serde(flatten)]
    marks: Marks,
}

impl<'a> Artist<'a> {
    /// The artist of `row`, marked as the caller's note on it says.
    pub fn new(row: &'a ArtistRow) -> Self {
        let mut marks = Marks::of(row.note.as_ref());
        // Subsonic gives artists no play count.
        marks.play_count = None;
        Self {
            id: id_of(Kind::Artist, row.id),
            name: &row.name,
            sort_name: &row.sort_name,
            cover_art: id_of(Kind::Artist, row.id),
            album_count: row.album_count,
            music_brainz_id: row.mbid.as_deref().unwrap_or_default(),
            marks,
        }
    }
}

/// An ID3 album.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Album<'a> {
    id: String,
    name: &'a str,
    title: &'a str,
    album: &'a str,
    artist: &'a str,
    artist_id: String,
    cover_art: String,
    song_count: i64,
    duration: i64,
    created: String,
    is_dir: bool,
    parent: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    year: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    genre: Option<&'a str>,
    genres: Vec<Named<'a>>,
    is_compilation: bool,
    music_brainz_id: &'a str,
    artists: [Credit<'a>; 1],
    display_artist: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    original_release_date: Option<ReleaseDate>,
    #[serde(flatten)]
    marks: Marks,
}

/// A release date known by its year.
#[derive(Serialize)]
struct ReleaseDate {
    year: i32,
}

impl<'a> Album<'a> {
    /// The album of `row`, marked as the caller's note on it says.
    pub fn new(row: &'a AlbumRow) -> Self {
        let genre = row.genre.as_deref();
        Self {
            id: id_of(Kind::Album, row.id),
            name: &row.title,
            title: &row.title,
            album: &row.title,
            artist: &row.artist_name,
            artist_id: id_of(Kind::Artist, row.artist_id),
            cover_art: id_of(Kind::Album, row.id),
            song_count: row.song_count,
            duration: row.duration_ms / 1000,
            created: time(row.added_at),
            is_dir: true,
            parent: id_of(Kind::Artist, row.artist_id),
            year: row.year,
            genre,
            genres: genre.map(|name| Named { name }).into_iter().collect(),
            is_compilation: row.compilation,
            music_brainz_id: row.mbid.as_deref().unwrap_or_default(),
            artists: [Credit {
                id: Some(id_of(Kind::Artist, row.artist_id)),
                name: &row.artist_name,
            }],
            display_artist: &row.artist_name,
            original_release_date: row.original_year.map(|year| ReleaseDate { year }),
            marks: Marks::of(row.note.as_ref()),
        }
    }
}

/// A song (a `Child`), with the OpenSubsonic fields.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Song<'a> {
    id: String,
    parent: String,
    is_dir: bool,
    title: &'a str,
    sort_name: &'a str,
    album: &'a str,
    artist: String,
    display_artist: String,
    display_album_artist: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    track: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    disc_number: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    year: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    genre: Option<String>,
    genres: Vec<OwnedName>,
    cover_art: String,
    size: i64,
    content_type: &'static str,
    suffix: &'a str,
    duration: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    bit_rate: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sampling_rate: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    channel_count: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bit_depth: Option<i32>,
    path: String,
    created: String,
    album_id: String,
    artist_id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    media_type: &'static str,
    is_video: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    bpm: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<&'a str>,
    music_brainz_id: &'a str,
    artists: Vec<OwnedCredit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    contributors: Option<[Contributor<'a>; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    display_composer: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    replay_gain: Option<ReplayGain>,
    #[serde(flatten)]
    marks: Marks,
}

/// A genre's name read from a track's list.
#[derive(Serialize)]
struct OwnedName {
    name: String,
}

/// An artist read from a track's list (the first with its id).
#[derive(Serialize)]
struct OwnedCredit {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    name: String,
}

/// A composer credit.
#[derive(Serialize)]
struct Contributor<'a> {
    role: &'static str,
    artist: Named<'a>,
}

/// ReplayGain values the tags gave.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReplayGain {
    #[serde(skip_serializing_if = "Option::is_none")]
    track_gain: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    track_peak: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    album_gain: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    album_peak: Option<f64>,
}

impl<'a> Song<'a> {
    /// The song of `row`, marked as the caller's note on it says.
    pub fn new(row: &'a SongRow) -> Self {
        let t = row;
        let artists: Vec<String> = serde_json::from_str(&t.artists).unwrap_or_default();
        let genres: Vec<String> = serde_json::from_str(&t.genres).unwrap_or_default();
        let display_artist = artists.join(", ");
        let gain = ReplayGain {
            track_gain: t.rg_track_gain,
            track_peak: t.rg_track_peak,
            album_gain: t.rg_album_gain,
            album_peak: t.rg_album_peak,
        };
        let has_gain = gain.track_gain.is_some()
            || gain.track_peak.is_some()
            || gain.album_gain.is_some()
            || gain.album_peak.is_some();
        Self {
            id: id_of(Kind::Track, t.id),
            parent: id_of(Kind::Album, t.album_id),
            is_dir: false,
            title: &t.title,
            sort_name: &t.sort_title,
            album: &row.album_title,
            artist: display_artist.clone(),
            display_artist,
            display_album_artist: &t.album_artist,
            track: t.track_no,
            disc_number: t.disc_no,
            year: t.year,
            genre: genres.first().cloned(),
            genres: genres.into_iter().map(|name| OwnedName { name }).collect(),
            cover_art: id_of(Kind::Track, t.id),
            size: t.size,
            content_type: crate::stream::mime_of(&t.suffix),
            suffix: &t.suffix,
            duration: t.duration_ms / 1000,
            bit_rate: t.bitrate,
            sampling_rate: t.sample_rate,
            channel_count: t.channels,
            bit_depth: t.bit_depth,
            // A path clients can show and group by; the server's own paths stay private.
            path: song_path(
                &t.album_artist,
                &row.album_title,
                t.track_no,
                &t.title,
                &t.suffix,
            ),
            created: time(t.added_at),
            album_id: id_of(Kind::Album, t.album_id),
            artist_id: id_of(Kind::Artist, t.artist_id),
            kind: "music",
            media_type: "song",
            is_video: false,
            bpm: t.bpm,
            comment: t.comment.as_deref(),
            music_brainz_id: t.mb_recording_id.as_deref().unwrap_or_default(),
            artists: artists
                .into_iter()
                .enumerate()
                .map(|(i, name)| OwnedCredit {
                    id: (i == 0).then(|| id_of(Kind::Artist, t.artist_id)),
                    name,
                })
                .collect(),
            contributors: t.composer.as_deref().map(|name| {
                [Contributor {
                    role: "composer",
                    artist: Named { name },
                }]
            }),
            display_composer: t.composer.as_deref(),
            replay_gain: has_gain.then_some(gain),
            marks: Marks::of(row.note.as_ref()),
        }
    }
}

/// A shape as a JSON value, for endpoints that add to it or answer in XML.
fn value(shape: &impl Serialize) -> Value {
    // Only maps with non-string keys fail, and these shapes have none.
    serde_json::to_value(shape).unwrap_or(Value::Null)
}

/// An ID3 artist.
pub fn artist(row: &ArtistRow) -> Value {
    value(&Artist::new(row))
}

/// An ID3 album.
pub fn album(row: &AlbumRow) -> Value {
    value(&Album::new(row))
}

/// A song (a `Child`), with the OpenSubsonic fields.
pub fn song(row: &SongRow) -> Value {
    value(&Song::new(row))
}

/// The first letter artists are indexed under (`#` for anything but a letter).
pub fn index_letter(sort_name: &str) -> String {
    match sort_name.chars().next() {
        Some(c) if c.is_alphabetic() => c.to_uppercase().collect(),
        _ => "#".to_owned(),
    }
}

/// The articles sort names ignore.
pub const IGNORED_ARTICLES: &str = "The";

/// Artists grouped by first letter, as `getArtists` and `getIndexes` list them.
pub fn indexed(artists: Vec<Value>, sort_names: &[String]) -> Vec<Value> {
    let mut groups: Vec<(String, Vec<Value>)> = Vec::new();
    for (artist, sort) in artists.into_iter().zip(sort_names) {
        let letter = index_letter(sort);
        match groups.last_mut() {
            Some((current, list)) if *current == letter => list.push(artist),
            _ => groups.push((letter, vec![artist])),
        }
    }
    groups
        .into_iter()
        .map(|(name, artist)| object([("name", name.into()), ("artist", Value::Array(artist))]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        assert_eq!(parse_id("al-12").ok(), Some((Kind::Album, 12)));
        assert_eq!(parse_id("7").ok(), Some((Kind::Track, 7)));
        assert!(parse_id("xx-1").is_err());
        assert!(parse_id("al-x").is_err());
        assert_eq!(id_of(Kind::Artist, 3), "ar-3");
        assert_eq!(index_letter("beatles"), "B");
        assert_eq!(index_letter("2Pac"), "#");
    }

    #[test]
    fn ids_are_the_prefix_and_the_whole_number() {
        for id in [0, 7, 10, 99_999, Id::MAX, -3] {
            for (kind, prefix) in [
                (Kind::Artist, "ar"),
                (Kind::Album, "al"),
                (Kind::Track, "tr"),
            ] {
                let written = id_of(kind, id);
                assert_eq!(written, format!("{prefix}-{id}"));
                if id >= 0 {
                    assert_eq!(parse_id(&written).ok(), Some((kind, id)));
                }
            }
        }
    }

    #[test]
    fn a_song_path_pads_its_track_number_to_two_digits() {
        let path = |n| song_path("Band", "Album", n, "Song", "flac");
        assert_eq!(path(Some(3)), "Band/Album/03 - Song.flac");
        assert_eq!(path(Some(0)), "Band/Album/00 - Song.flac");
        assert_eq!(path(Some(12)), "Band/Album/12 - Song.flac");
        assert_eq!(path(Some(123)), "Band/Album/123 - Song.flac");
        assert_eq!(path(Some(-1)), "Band/Album/-1 - Song.flac");
        assert_eq!(path(None), "Band/Album/Song.flac");
    }
}
