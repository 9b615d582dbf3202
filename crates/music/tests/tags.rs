//! Tag edge cases on real files made with ffmpeg (and tags crafted by hand): ID3v2.3 versus
//! v2.4 multi-valued frames, missing tags, broken tags, Latin-1 text.
#![allow(
    clippy::unwrap_used,
    reason = "a test fails by panicking, helpers included"
)]

use std::path::Path;
use std::process::Command;

use revenge_music::tags;

fn mp3(out: &Path, extra: &[&str]) {
    let status = Command::new(revenge_music::stream::FFMPEG)
        .args([
            "-nostdin",
            "-y",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=d=1",
        ])
        .args(["-c:a", "libmp3lame"])
        .args(extra)
        .arg(out)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn id3v23_slashes_and_id3v24_separators() {
    let dir = tempfile::tempdir().unwrap();
    let v23 = dir.path().join("v23.mp3");
    mp3(
        &v23,
        &[
            "-id3v2_version",
            "3",
            "-metadata",
            "artist=A/B",
            "-metadata",
            "genre=Rock/Pop",
            "-metadata",
            "title=T",
        ],
    );
    let read = tags::read(&v23, "X/Y/v23.mp3");
    assert_eq!(read.artists, ["A", "B"]);
    assert_eq!(read.genres, ["Rock", "Pop"]);
    assert_eq!(read.title, "T");
    assert!(read.duration_ms > 500, "{read:?}");
    assert!(read.warning.is_none());
    // As the scanner hands it over: already open, and read the same.
    let head = std::fs::read(&v23).unwrap()[..10].to_vec();
    let len = std::fs::metadata(&v23).unwrap().len();
    let opened = revenge_core::OpenedFile::new(std::fs::File::open(&v23).unwrap(), len, head);
    assert_eq!(
        tags::read_from(Some(opened), None, &v23, "X/Y/v23.mp3"),
        read
    );

    let v24 = dir.path().join("v24.mp3");
    mp3(
        &v24,
        &[
            "-id3v2_version",
            "4",
            "-metadata",
            "artist=AC/DC",
            "-metadata",
            "title=T",
        ],
    );
    let read = tags::read(&v24, "v24.mp3");
    assert_eq!(read.artists, ["AC/DC"], "a slash is a name's in ID3v2.4");
}

#[test]
fn missing_broken_and_latin1_tags() {
    let dir = tempfile::tempdir().unwrap();
    let bare = dir.path().join("bare.mp3");
    mp3(&bare, &["-id3v2_version", "0", "-write_id3v1", "0"]);
    let read = tags::read(&bare, "Band/Record/07 - Song.mp3");
    assert_eq!(read.title, "Song");
    assert_eq!(read.track_no, Some(7));
    assert_eq!(read.album, "Record");
    assert_eq!(read.artists, ["Band"]);
    assert!(read.warning.is_none(), "{read:?}");

    // A hand-made ID3v2.3 tag whose title is Latin-1 ("Café").
    let frame_data = b"\x00Caf\xe9";
    let mut tag = b"TIT2".to_vec();
    tag.extend((frame_data.len() as u32).to_be_bytes());
    tag.extend([0, 0]);
    tag.extend(frame_data);
    let mut file = b"ID3\x03\x00\x00".to_vec();
    let size = tag.len() as u32;
    file.extend([
        ((size >> 21) & 0x7f) as u8,
        ((size >> 14) & 0x7f) as u8,
        ((size >> 7) & 0x7f) as u8,
        (size & 0x7f) as u8,
    ]);
    file.extend(tag);
    file.extend(std::fs::read(&bare).unwrap());
    let latin = dir.path().join("latin.mp3");
    std::fs::write(&latin, file).unwrap();
    let read = tags::read(&latin, "latin.mp3");
    assert_eq!(read.title, "Café");

    let broken = dir.path().join("broken.flac");
    std::fs::write(&broken, b"fLaC\x00\x00\x00\x22garbage").unwrap();
    let read = tags::read(&broken, "A/B/02 Broken.flac");
    assert!(read.warning.is_some(), "{read:?}");
    assert_eq!(read.title, "Broken");
    assert_eq!(read.track_no, Some(2));
}
