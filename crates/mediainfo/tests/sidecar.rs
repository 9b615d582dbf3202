//! Subtitle files found beside a video on disk.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking, helpers included"
)]

use std::path::Path;

use revenge_mediainfo::sidecar_subtitles;

fn touch(dir: &Path, name: &str) {
    std::fs::write(dir.join(name), b"1\n00:00:00,000 --> 00:00:01,000\nx\n").unwrap();
}

#[test]
fn finds_subtitles_sharing_the_video_name() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "Movie.mkv",
        "Movie.en.srt",
        "Movie.eng.forced.srt",
        "Movie.en.sdh.srt",
        "Movie.de.cc.ass",
        "Movie.forced.srt",
        "Movie.fr.ssa",
        "Movie.es.vtt",
        "Movie.en.sub",
        "Movie.en.idx",
        "Movie 2.en.srt",
        "Sequel.en.srt",
        "Movie.en.txt",
    ] {
        touch(dir.path(), name);
    }
    std::fs::create_dir(dir.path().join("Subs")).unwrap();
    touch(&dir.path().join("Subs"), "Movie.it.srt");

    let found = sidecar_subtitles(&dir.path().join("Movie.mkv"));
    let names: Vec<String> = found
        .iter()
        .map(|s| s.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "Movie.de.cc.ass",
            "Movie.en.sdh.srt",
            "Movie.en.srt",
            "Movie.en.sub",
            "Movie.eng.forced.srt",
            "Movie.es.vtt",
            "Movie.forced.srt",
            "Movie.fr.ssa",
        ]
    );
    let get = |name: &str| found.iter().find(|s| s.path.ends_with(name)).unwrap();
    assert_eq!(get("Movie.de.cc.ass").language.as_deref(), Some("de"));
    assert!(get("Movie.de.cc.ass").sdh);
    assert!(get("Movie.en.sdh.srt").sdh);
    assert!(get("Movie.eng.forced.srt").forced);
    assert_eq!(get("Movie.eng.forced.srt").language.as_deref(), Some("eng"));
    assert!(get("Movie.forced.srt").forced);
    assert_eq!(get("Movie.forced.srt").language, None);
    assert_eq!(get("Movie.fr.ssa").format, "ass");
    assert_eq!(get("Movie.es.vtt").format, "webvtt");
    assert_eq!(get("Movie.en.sub").format, "dvd_subtitle");
    assert_eq!(get("Movie.en.srt").format, "subrip");
}

#[test]
fn a_missing_folder_has_no_subtitles() {
    assert!(sidecar_subtitles(Path::new("/nonexistent/folder/Movie.mkv")).is_empty());
    assert!(sidecar_subtitles(Path::new("/")).is_empty());
}
