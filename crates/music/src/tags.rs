//! What an audio file says about itself, read in-process with lofty: tags of every common
//! format (ID3v1/v2, Vorbis comments, MP4 atoms, APE, RIFF INFO) and the stream properties.
//! Whatever the tags lack is taken from the folders and the file name, and a file whose tags
//! cannot be read is still a track, with a warning.

use std::io::{Read, Seek};
use std::path::Path;

use lofty::config::ParseOptions;
use lofty::file::{AudioFile, TaggedFileExt};
use lofty::tag::{ItemKey, Tag};
use revenge_core::{FolderListing, OpenedFile};

/// Audio files the music module takes (lower case, without the dot).
pub const AUDIO_EXTENSIONS: &[&str] = revenge_core::import::AUDIO_EXTENSIONS;

/// The album artist of compilations without one.
pub const VARIOUS_ARTISTS: &str = "Various Artists";

/// Everything the importer keeps about one file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrackTags {
    pub title: String,
    /// At least one.
    pub artists: Vec<String>,
    pub album_artist: String,
    pub album: String,
    pub disc_no: Option<i32>,
    pub disc_total: Option<i32>,
    pub track_no: Option<i32>,
    pub track_total: Option<i32>,
    pub year: Option<i32>,
    pub original_year: Option<i32>,
    pub genres: Vec<String>,
    pub composer: Option<String>,
    pub compilation: bool,
    pub mb_track_id: Option<String>,
    pub mb_recording_id: Option<String>,
    pub mb_release_id: Option<String>,
    pub mb_artist_id: Option<String>,
    pub mb_album_artist_id: Option<String>,
    pub rg_track_gain: Option<f64>,
    pub rg_track_peak: Option<f64>,
    pub rg_album_gain: Option<f64>,
    pub rg_album_peak: Option<f64>,
    pub bpm: Option<i32>,
    pub comment: Option<String>,
    pub has_cover: bool,
    pub lyrics: Option<String>,
    pub duration_ms: i64,
    /// kbit/s.
    pub bitrate: Option<i32>,
    pub sample_rate: Option<i32>,
    pub channels: Option<i32>,
    pub bit_depth: Option<i32>,
    /// Why the tags could not be read, if they could not.
    pub warning: Option<String>,
}

/// Reads `path` (whose path below its library folder is `rel_path`): tags where there are
/// some, folder and file names where not. Never fails: an unreadable file is a track named
/// after its file, with a warning.
pub fn read(path: &Path, rel_path: &str) -> TrackTags {
    read_from(None, None, path, rel_path)
}

/// [`read`] from `opened`, the file at `path` already open (at its start), when given, with
/// `beside`, its folder's entries, when listed.
pub fn read_from(
    opened: Option<OpenedFile>,
    beside: Option<&FolderListing>,
    path: &Path,
    rel_path: &str,
) -> TrackTags {
    let mut tags = TrackTags::default();
    // Cover pictures are only noted here, and extracted when asked for.
    let options = ParseOptions::new().read_cover_art(true);
    // One open serves the ID3 version check and lofty (a scan reads thousands of files), read
    // through `OpenedFile`: lofty's seeks and position queries then cost no system call.
    let parsed = (|| -> Result<(lofty::file::TaggedFile, bool), String> {
        let mut file = match opened {
            Some(file) => file,
            None => OpenedFile::open(path).map_err(|e| e.to_string())?,
        };
        let slash_separated = id3v23(&mut file);
        file.rewind().map_err(|e| e.to_string())?;
        let mut probe = lofty::probe::Probe::new(file).options(options);
        // As `Probe::open` does: the extension stands when the content cannot tell.
        if let Some(by_name) = lofty::file::FileType::from_path(path) {
            probe = probe.set_file_type(by_name);
        }
        let probe = probe.guess_file_type().map_err(|e| e.to_string())?;
        let tagged = probe.read().map_err(|e| e.to_string())?;
        Ok((tagged, slash_separated))
    })();
    match parsed {
        Ok((file, slash_separated)) => {
            let properties = file.properties();
            tags.duration_ms = i64::try_from(properties.duration().as_millis()).unwrap_or(0);
            tags.bitrate = properties
                .audio_bitrate()
                .or(properties.overall_bitrate())
                .and_then(|b| i32::try_from(b).ok());
            tags.sample_rate = properties.sample_rate().and_then(|r| i32::try_from(r).ok());
            tags.channels = properties.channels().map(i32::from);
            tags.bit_depth = properties.bit_depth().map(i32::from);
            // The primary tag first, then the others (an MP3 may carry ID3v2 and ID3v1).
            let mut ordered: Vec<&Tag> = file.primary_tag().into_iter().collect();
            for tag in file.tags() {
                if !ordered.iter().any(|t| t.tag_type() == tag.tag_type()) {
                    ordered.push(tag);
                }
            }
            for tag in ordered {
                fill_from(&mut tags, tag, slash_separated);
            }
        }
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "cannot read tags");
            tags.warning = Some(format!("cannot read tags: {e}"));
        }
    }
    if tags.lyrics.is_none() {
        tags.lyrics = crate::lyrics::sidecar(path, beside);
    }
    fall_back_to_names(&mut tags, rel_path);
    tags
}

/// Whether the file starts with an ID3v2.3 header: v2.3 separates values with "/", v2.4 with
/// NUL (which lofty splits for us).
fn id3v23(file: &mut OpenedFile) -> bool {
    let mut header = [0u8; 4];
    file.read_exact(&mut header)
        .map(|()| &header[..3] == b"ID3" && header[3] == 3)
        .unwrap_or(false)
}

fn clean(value: &str) -> Option<String> {
    // Some taggers pad with NULs or spaces; mojibake control characters are dropped too.
    let dropped = |c: char| c.is_control() && c != '\n';
    let value = value.trim_matches(|c: char| c.is_whitespace() || dropped(c));
    if value.is_empty() {
        return None;
    }
    // Most values have nothing to drop inside: one copy, not a filtered copy and a trimmed one.
    if !value.contains(dropped) {
        return Some(value.to_owned());
    }
    Some(value.chars().filter(|c| !dropped(*c)).collect())
}

/// Splits multi-valued text: always on ";" and NUL, and on "/" where the format says so
/// (ID3v2.3) — never otherwise, so "AC/DC" stays one artist in other formats.
pub fn split_values<'a>(values: impl Iterator<Item = &'a str>, slash: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for value in values {
        for part in value.split(|c: char| c == ';' || c == '\0' || (slash && c == '/')) {
            if let Some(part) = clean(part)
                && !out.iter().any(|o| o.eq_ignore_ascii_case(&part))
            {
                out.push(part);
            }
        }
    }
    out
}

/// `3`, `3/12` or ` 03 ` → (3, 12).
pub fn number_pair(value: &str) -> (Option<i32>, Option<i32>) {
    let mut parts = value.splitn(2, '/');
    let number = parts.next().and_then(|p| p.trim().parse().ok());
    let total = parts.next().and_then(|p| p.trim().parse().ok());
    (number, total)
}

/// The year of `2001`, `2001-05-04`, `2001-05` or `2001-05-04T10:00`.
pub fn year_of(value: &str) -> Option<i32> {
    let digits: String = value.trim().chars().take(4).collect();
    if digits.len() == 4 && digits.chars().all(|c| c.is_ascii_digit()) {
        digits.parse().ok().filter(|y| *y > 0)
    } else {
        None
    }
}

/// A decibel or peak value: `-6.5 dB`, `0.98`.
fn decibels(value: &str) -> Option<f64> {
    let number: String = value
        .trim()
        .trim_end_matches(|c: char| c.is_alphabetic() || c.is_whitespace())
        .to_owned();
    number.trim().parse().ok().filter(|v: &f64| v.is_finite())
}

fn truthy(value: &str) -> bool {
    matches!(value.trim(), "1" | "true" | "TRUE" | "True" | "yes")
}

fn fill_from(tags: &mut TrackTags, tag: &Tag, slash: bool) {
    let first = |key: ItemKey| tag.get_strings(key).find_map(clean);
    if tags.title.is_empty()
        && let Some(title) = first(ItemKey::TrackTitle)
    {
        tags.title = title;
    }
    if tags.artists.is_empty() {
        let mut artists = split_values(tag.get_strings(ItemKey::TrackArtists), slash);
        if artists.is_empty() {
            artists = split_values(tag.get_strings(ItemKey::TrackArtist), slash);
        }
        tags.artists = artists;
    }
    if tags.album_artist.is_empty() {
        // Only the first album artist groups the album.
        if let Some(artist) = split_values(tag.get_strings(ItemKey::AlbumArtist), slash)
            .into_iter()
            .next()
        {
            tags.album_artist = artist;
        }
    }
    if tags.album.is_empty()
        && let Some(album) = first(ItemKey::AlbumTitle)
    {
        tags.album = album;
    }
    let (track_no, track_total) = first(ItemKey::TrackNumber)
        .map(|v| number_pair(&v))
        .unwrap_or((None, None));
    tags.track_no = tags.track_no.or(track_no);
    tags.track_total = tags
        .track_total
        .or(track_total)
        .or_else(|| first(ItemKey::TrackTotal).and_then(|v| number_pair(&v).0));
    let (disc_no, disc_total) = first(ItemKey::DiscNumber)
        .map(|v| number_pair(&v))
        .unwrap_or((None, None));
    tags.disc_no = tags.disc_no.or(disc_no);
    tags.disc_total = tags
        .disc_total
        .or(disc_total)
        .or_else(|| first(ItemKey::DiscTotal).and_then(|v| number_pair(&v).0));
    tags.year = tags.year.or_else(|| {
        [ItemKey::RecordingDate, ItemKey::Year, ItemKey::ReleaseDate]
            .into_iter()
            .find_map(|key| first(key).and_then(|v| year_of(&v)))
    });
    tags.original_year = tags
        .original_year
        .or_else(|| first(ItemKey::OriginalReleaseDate).and_then(|v| year_of(&v)));
    if tags.genres.is_empty() {
        // Genres are split on "/" too in every format: no genre name contains one.
        tags.genres = split_values(tag.get_strings(ItemKey::Genre), true);
    }
    if tags.composer.is_none() {
        tags.composer = Some(split_values(tag.get_strings(ItemKey::Composer), slash).join(", "))
            .filter(|c| !c.is_empty());
    }
    tags.compilation =
        tags.compilation || first(ItemKey::FlagCompilation).is_some_and(|v| truthy(&v));
    let set = |slot: &mut Option<String>, key: ItemKey| {
        if slot.is_none() {
            *slot = first(key);
        }
    };
    set(&mut tags.mb_track_id, ItemKey::MusicBrainzTrackId);
    set(&mut tags.mb_recording_id, ItemKey::MusicBrainzRecordingId);
    set(&mut tags.mb_release_id, ItemKey::MusicBrainzReleaseId);
    set(&mut tags.mb_artist_id, ItemKey::MusicBrainzArtistId);
    set(
        &mut tags.mb_album_artist_id,
        ItemKey::MusicBrainzReleaseArtistId,
    );
    set(&mut tags.comment, ItemKey::Comment);
    if tags.lyrics.is_none() {
        tags.lyrics = first(ItemKey::Lyrics).or_else(|| first(ItemKey::UnsyncLyrics));
    }
    let gain = |slot: &mut Option<f64>, key: ItemKey| {
        if slot.is_none() {
            *slot = first(key).and_then(|v| decibels(&v));
        }
    };
    gain(&mut tags.rg_track_gain, ItemKey::ReplayGainTrackGain);
    gain(&mut tags.rg_track_peak, ItemKey::ReplayGainTrackPeak);
    gain(&mut tags.rg_album_gain, ItemKey::ReplayGainAlbumGain);
    gain(&mut tags.rg_album_peak, ItemKey::ReplayGainAlbumPeak);
    tags.bpm = tags.bpm.or_else(|| {
        [ItemKey::IntegerBpm, ItemKey::Bpm]
            .into_iter()
            .find_map(|key| first(key).and_then(|v| decibels(&v)))
            .map(|v| v.round() as i32)
    });
    tags.has_cover = tags.has_cover || !tag.pictures().is_empty();
}

/// Fills what the tags left empty from the path: `Artist/Album/NN - Title.ext`.
pub fn fall_back_to_names(tags: &mut TrackTags, rel_path: &str) {
    let path = Path::new(rel_path);
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| rel_path.to_owned());
    let mut folders = path
        .parent()
        .into_iter()
        .flat_map(|p| p.iter().rev())
        .map(|f| f.to_string_lossy().into_owned())
        .filter(|f| !f.is_empty());
    let album_folder = folders.next();
    let artist_folder = folders.next();
    if tags.title.is_empty() {
        // "01 - Title" or "01. Title": the number is the track's.
        let trimmed = stem.trim_start_matches(|c: char| c.is_ascii_digit());
        let number = &stem[..stem.len() - trimmed.len()];
        let rest = trimmed.trim_start_matches([' ', '-', '.', '_']);
        if !number.is_empty() && !rest.is_empty() {
            tags.track_no = tags.track_no.or_else(|| number.parse().ok());
            tags.title = rest.to_owned();
        } else {
            tags.title = stem.clone();
        }
    }
    if tags.album.is_empty() {
        tags.album = album_folder
            .clone()
            .unwrap_or_else(|| "Unknown Album".to_owned());
    }
    if tags.artists.is_empty() {
        let artist = if tags.album_artist.is_empty() {
            artist_folder.unwrap_or_else(|| "Unknown Artist".to_owned())
        } else {
            tags.album_artist.clone()
        };
        tags.artists = vec![artist];
    }
    if tags.album_artist.is_empty() {
        tags.album_artist = if tags.compilation {
            VARIOUS_ARTISTS.to_owned()
        } else {
            tags.artists.first().cloned().unwrap_or_default()
        };
    }
}

/// The embedded picture of `path`, with its MIME type, if it has one (front cover first).
pub fn embedded_picture(path: &Path) -> Option<(Vec<u8>, String)> {
    let file = lofty::read_from_path(path).ok()?;
    let mut pictures: Vec<&lofty::picture::Picture> =
        file.tags().iter().flat_map(|t| t.pictures()).collect();
    pictures.sort_by_key(|p| p.pic_type() != lofty::picture::PictureType::CoverFront);
    let picture = pictures.first()?;
    let mime = picture
        .mime_type()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| "image/jpeg".to_owned());
    Some((picture.data().to_vec(), mime))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_split_on_the_separators_the_format_allows() {
        assert_eq!(
            split_values(["A/B"].into_iter(), true),
            ["A", "B"],
            "ID3v2.3 separates with a slash"
        );
        assert_eq!(
            split_values(["AC/DC"].into_iter(), false),
            ["AC/DC"],
            "elsewhere a slash is part of the name"
        );
        assert_eq!(
            split_values(["Rock; Pop", "pop", " "].into_iter(), false),
            ["Rock", "Pop"]
        );
        assert_eq!(split_values(["A\0B"].into_iter(), false), ["A", "B"]);
    }

    #[test]
    fn numbers_and_dates() {
        assert_eq!(number_pair("3/12"), (Some(3), Some(12)));
        assert_eq!(number_pair(" 07 "), (Some(7), None));
        assert_eq!(number_pair("x"), (None, None));
        assert_eq!(year_of("2001-05-04"), Some(2001));
        assert_eq!(year_of("1999"), Some(1999));
        assert_eq!(year_of("99"), None);
        assert_eq!(decibels("-6.50 dB"), Some(-6.5));
        assert_eq!(clean("\0 Title\u{1}\0"), Some("Title".to_owned()));
        assert_eq!(clean(" A\u{1} \u{7f}B\n"), Some("A B".to_owned()));
        assert_eq!(
            clean("Line one\nLine two"),
            Some("Line one\nLine two".to_owned())
        );
        assert_eq!(clean("\0\u{1} \n"), None);
    }

    #[test]
    fn names_fill_what_tags_lack() {
        let mut tags = TrackTags::default();
        fall_back_to_names(&mut tags, "Some Band/Great Album/03 - Song Name.mp3");
        assert_eq!(tags.title, "Song Name");
        assert_eq!(tags.track_no, Some(3));
        assert_eq!(tags.album, "Great Album");
        assert_eq!(tags.artists, ["Some Band"]);
        assert_eq!(tags.album_artist, "Some Band");

        let mut loose = TrackTags::default();
        fall_back_to_names(&mut loose, "song.flac");
        assert_eq!(loose.title, "song");
        assert_eq!(loose.album, "Unknown Album");
        assert_eq!(loose.artists, ["Unknown Artist"]);

        let mut compilation = TrackTags {
            compilation: true,
            artists: vec!["One".to_owned()],
            ..Default::default()
        };
        fall_back_to_names(&mut compilation, "Hits/01 x.mp3");
        assert_eq!(compilation.album_artist, VARIOUS_ARTISTS);
    }
}
