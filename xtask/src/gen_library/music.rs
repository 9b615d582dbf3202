//! Music: `Artist/Album (Year)/01 - Title.mp3|.flac|.opus|.m4a` with real tags (one format per
//! album: 40% MP3, 30% FLAC, 15% Opus, 15% M4A), `cover.jpg` in every album folder and the cover
//! embedded in a third of the albums.

use std::collections::HashSet;

use anyhow::Result;

use super::audio::{Format, Tags};
use super::{JPEG, Writer, genre, title, unique_title};

/// Writes `count` tracks.
pub fn generate(w: &mut Writer, count: usize) -> Result<()> {
    let mut artists = HashSet::new();
    let mut written = 0;
    while written < count {
        let rng = w.rng();
        let artist = unique_title(rng, &mut artists);
        let albums = rng.range(1, 4);
        let mut album_titles = HashSet::new();
        for _ in 0..albums {
            if written >= count {
                break;
            }
            let rng = w.rng();
            let album = unique_title(rng, &mut album_titles);
            let year = rng.range(1960, 2025) as u16;
            let tracks = rng.range(6, 14) as u16;
            let format = match rng.range(0, 99) {
                0..=39 => Format::Mp3,
                40..=69 => Format::Flac,
                70..=84 => Format::Opus,
                _ => Format::M4a,
            };
            let embed = rng.percent(33);
            let genre = genre(rng).to_owned();
            let folder = format!("{artist}/{album} ({year})");
            w.image(&format!("{folder}/cover.jpg"))?;
            for track in 1..=tracks {
                if written >= count {
                    break;
                }
                let track_title = title(w.rng());
                let tags = Tags {
                    title: track_title.clone(),
                    artist: artist.clone(),
                    album_artist: artist.clone(),
                    album: album.clone(),
                    year,
                    track,
                    track_total: tracks,
                    disc: 1,
                    genre: genre.clone(),
                };
                let body = format.write(&tags, embed.then_some(JPEG));
                w.media(
                    &format!("{folder}/{track:02} - {track_title}.{}", format.extension()),
                    &body,
                )?;
                written += 1;
            }
        }
    }
    Ok(())
}
