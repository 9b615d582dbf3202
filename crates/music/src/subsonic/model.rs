//! How artists, albums and songs look in Subsonic answers (ID3 and directory styles, with the
//! OpenSubsonic additions), and the prefixed ids that tell them apart.

use std::collections::HashMap;

use revenge_core::Id;
use serde_json::{Value, json};

use super::response::{SubsonicError, object};
use crate::repo::{AlbumRow, ArtistRow, TrackRow};
use crate::user_data::{Kind, Note};

/// `ar-1`, `al-1`, `tr-1` (a bare number is a track, as clients sometimes send).
pub fn parse_id(id: &str) -> Result<(Kind, Id), SubsonicError> {
    let not_found = || SubsonicError::NotFound(format!("id {id}"));
    let (kind, number) = match id.split_once('-') {
        Some(("ar", n)) => (Kind::Artist, n),
        Some(("al", n)) => (Kind::Album, n),
        Some(("tr", n)) => (Kind::Track, n),
        None => (Kind::Track, id),
        Some(_) => return Err(not_found()),
    };
    Ok((kind, number.parse().map_err(|_| not_found())?))
}

/// The id of a track, album or artist as clients see it.
pub fn id_of(kind: Kind, id: Id) -> String {
    match kind {
        Kind::Artist => format!("ar-{id}"),
        Kind::Album => format!("al-{id}"),
        Kind::Track => format!("tr-{id}"),
    }
}

fn time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn annotate(out: &mut serde_json::Map<String, Value>, note: Option<&Note>) {
    let Some(note) = note else {
        out.insert("playCount".into(), 0.into());
        return;
    };
    if let Some(at) = note.starred_at {
        out.insert("starred".into(), time(at).into());
    }
    if let Some(rating) = note.rating {
        out.insert("userRating".into(), rating.into());
    }
    out.insert("playCount".into(), note.play_count.into());
    if let Some(at) = note.played_at {
        out.insert("played".into(), time(at).into());
    }
}

/// An ID3 artist.
pub fn artist(row: &ArtistRow, notes: &HashMap<Id, Note>) -> Value {
    let mut out = serde_json::Map::new();
    out.insert("id".into(), id_of(Kind::Artist, row.id).into());
    out.insert("name".into(), row.name.clone().into());
    out.insert("sortName".into(), row.sort_name.clone().into());
    out.insert("coverArt".into(), id_of(Kind::Artist, row.id).into());
    out.insert("albumCount".into(), row.album_count.into());
    out.insert(
        "musicBrainzId".into(),
        row.mbid.clone().unwrap_or_default().into(),
    );
    annotate(&mut out, notes.get(&row.id));
    out.remove("playCount");
    Value::Object(out)
}

/// An ID3 album.
pub fn album(row: &AlbumRow, notes: &HashMap<Id, Note>) -> Value {
    let mut out = serde_json::Map::new();
    out.insert("id".into(), id_of(Kind::Album, row.id).into());
    out.insert("name".into(), row.title.clone().into());
    out.insert("title".into(), row.title.clone().into());
    out.insert("album".into(), row.title.clone().into());
    out.insert("artist".into(), row.artist_name.clone().into());
    out.insert("artistId".into(), id_of(Kind::Artist, row.artist_id).into());
    out.insert("coverArt".into(), id_of(Kind::Album, row.id).into());
    out.insert("songCount".into(), row.song_count.into());
    out.insert("duration".into(), (row.duration_ms / 1000).into());
    out.insert("created".into(), time(row.added_at).into());
    out.insert("isDir".into(), true.into());
    out.insert("parent".into(), id_of(Kind::Artist, row.artist_id).into());
    if let Some(year) = row.year {
        out.insert("year".into(), year.into());
    }
    if let Some(genre) = &row.genre {
        out.insert("genre".into(), genre.clone().into());
        out.insert("genres".into(), json!([{ "name": genre }]));
    } else {
        out.insert("genres".into(), json!([]));
    }
    out.insert("isCompilation".into(), row.compilation.into());
    out.insert(
        "musicBrainzId".into(),
        row.mbid.clone().unwrap_or_default().into(),
    );
    out.insert(
        "artists".into(),
        json!([{ "id": id_of(Kind::Artist, row.artist_id), "name": row.artist_name }]),
    );
    out.insert("displayArtist".into(), row.artist_name.clone().into());
    if let Some(year) = row.original_year {
        out.insert("originalReleaseDate".into(), json!({ "year": year }));
    }
    annotate(&mut out, notes.get(&row.id));
    Value::Object(out)
}

/// A song (a `Child`), with the OpenSubsonic fields.
pub fn song(row: &TrackRow, notes: &HashMap<Id, Note>) -> Value {
    let t = &row.track;
    let artists: Vec<String> = serde_json::from_str(&t.artists).unwrap_or_default();
    let genres: Vec<String> = serde_json::from_str(&t.genres).unwrap_or_default();
    let display_artist = artists.join(", ");
    let mut out = serde_json::Map::new();
    out.insert("id".into(), id_of(Kind::Track, t.id).into());
    out.insert("parent".into(), id_of(Kind::Album, t.album_id).into());
    out.insert("isDir".into(), false.into());
    out.insert("title".into(), t.title.clone().into());
    out.insert("sortName".into(), t.sort_title.clone().into());
    out.insert("album".into(), row.album_title.clone().into());
    out.insert("artist".into(), display_artist.clone().into());
    out.insert("displayArtist".into(), display_artist.into());
    out.insert("displayAlbumArtist".into(), t.album_artist.clone().into());
    if let Some(n) = t.track_no {
        out.insert("track".into(), n.into());
    }
    if let Some(n) = t.disc_no {
        out.insert("discNumber".into(), n.into());
    }
    if let Some(year) = t.year {
        out.insert("year".into(), year.into());
    }
    if let Some(genre) = genres.first() {
        out.insert("genre".into(), genre.clone().into());
    }
    out.insert(
        "genres".into(),
        Value::Array(genres.iter().map(|g| json!({ "name": g })).collect()),
    );
    out.insert("coverArt".into(), id_of(Kind::Track, t.id).into());
    out.insert("size".into(), t.size.into());
    out.insert(
        "contentType".into(),
        crate::stream::mime_of(&t.suffix).into(),
    );
    out.insert("suffix".into(), t.suffix.clone().into());
    out.insert("duration".into(), (t.duration_ms / 1000).into());
    if let Some(bitrate) = t.bitrate {
        out.insert("bitRate".into(), bitrate.into());
    }
    if let Some(rate) = t.sample_rate {
        out.insert("samplingRate".into(), rate.into());
    }
    if let Some(channels) = t.channels {
        out.insert("channelCount".into(), channels.into());
    }
    if let Some(depth) = t.bit_depth {
        out.insert("bitDepth".into(), depth.into());
    }
    // A path clients can show and group by; the server's own paths stay private.
    let number = t.track_no.map(|n| format!("{n:02} - ")).unwrap_or_default();
    out.insert(
        "path".into(),
        format!(
            "{}/{}/{}{}.{}",
            t.album_artist, row.album_title, number, t.title, t.suffix
        )
        .into(),
    );
    out.insert("created".into(), time(t.added_at).into());
    out.insert("albumId".into(), id_of(Kind::Album, t.album_id).into());
    out.insert("artistId".into(), id_of(Kind::Artist, t.artist_id).into());
    out.insert("type".into(), "music".into());
    out.insert("mediaType".into(), "song".into());
    out.insert("isVideo".into(), false.into());
    if let Some(bpm) = t.bpm {
        out.insert("bpm".into(), bpm.into());
    }
    if let Some(comment) = &t.comment {
        out.insert("comment".into(), comment.clone().into());
    }
    out.insert(
        "musicBrainzId".into(),
        t.mb_recording_id.clone().unwrap_or_default().into(),
    );
    out.insert(
        "artists".into(),
        Value::Array(
            artists
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    if i == 0 {
                        json!({ "id": id_of(Kind::Artist, t.artist_id), "name": name })
                    } else {
                        json!({ "name": name })
                    }
                })
                .collect(),
        ),
    );
    if let Some(composer) = &t.composer {
        out.insert(
            "contributors".into(),
            json!([{ "role": "composer", "artist": { "name": composer } }]),
        );
        out.insert("displayComposer".into(), composer.clone().into());
    }
    let mut gain = serde_json::Map::new();
    for (key, value) in [
        ("trackGain", t.rg_track_gain),
        ("trackPeak", t.rg_track_peak),
        ("albumGain", t.rg_album_gain),
        ("albumPeak", t.rg_album_peak),
    ] {
        if let Some(v) = value {
            gain.insert(key.into(), v.into());
        }
    }
    if !gain.is_empty() {
        out.insert("replayGain".into(), Value::Object(gain));
    }
    annotate(&mut out, notes.get(&t.id));
    Value::Object(out)
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
}
