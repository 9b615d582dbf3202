//! The in-process readers against real files from ffmpeg's muxers, checked field by field against
//! what ffprobe says of the same files; broken and hostile files; and the ffprobe fallback.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking, helpers included"
)]

mod common;

use std::path::{Path, PathBuf};

use common::{XorShift, ffprobe_ran, fixtures};
use revenge_mediainfo::{MediaInfo, ProbeError, ProbeSource, probe, probe_any, probe_with_ffprobe};

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance
}

fn assert_close(what: &str, ours: Option<f64>, theirs: Option<f64>, tolerance: f64) {
    match (ours, theirs) {
        (Some(a), Some(b)) => assert!(close(a, b, tolerance), "{what}: ours {a}, ffprobe {b}"),
        (a, b) => assert_eq!(a, b, "{what}"),
    }
}

/// Probes in-process and with ffprobe and checks they agree; returns ours.
async fn agree(name: &str) -> MediaInfo {
    let fx = fixtures();
    let path = fx.path(name);
    let ours = probe(&path).unwrap_or_else(|e| panic!("in-process probe of {name}: {e}"));
    let theirs = probe_with_ffprobe(&path, &fx.ffprobe)
        .await
        .unwrap_or_else(|e| panic!("ffprobe of {name}: {e}"));
    assert_eq!(ours.source, ProbeSource::InProcess);
    assert_eq!(theirs.source, ProbeSource::Ffprobe);
    assert_eq!(ours.container, theirs.container, "{name}: container");
    assert_close(
        &format!("{name}: duration"),
        ours.duration_secs,
        theirs.duration_secs,
        0.1,
    );
    // ffprobe does not report MP4 track names (`udta/name`), which we do.
    let titles = matches!(ours.container.as_str(), "matroska" | "webm");

    assert_eq!(ours.video.len(), theirs.video.len(), "{name}: video tracks");
    for (a, b) in ours.video.iter().zip(&theirs.video) {
        let what = format!("{name}: video {}", a.index);
        assert_eq!(a.index, b.index, "{what}: index");
        assert_eq!(a.codec, b.codec, "{what}: codec");
        assert_eq!((a.width, a.height), (b.width, b.height), "{what}: size");
        assert_eq!(a.default, b.default, "{what}: default");
        assert_eq!(a.hdr, b.hdr, "{what}: hdr");
        assert_eq!(a.bit_depth, b.bit_depth, "{what}: bit depth");
        assert_close(
            &format!("{what}: frame rate"),
            a.frame_rate,
            b.frame_rate,
            0.05,
        );
    }

    assert_eq!(ours.audio.len(), theirs.audio.len(), "{name}: audio tracks");
    for (a, b) in ours.audio.iter().zip(&theirs.audio) {
        let what = format!("{name}: audio {}", a.index);
        assert_eq!(a.index, b.index, "{what}: index");
        assert_eq!(a.codec, b.codec, "{what}: codec");
        assert_eq!(a.channels, b.channels, "{what}: channels");
        assert_eq!(a.sample_rate, b.sample_rate, "{what}: sample rate");
        assert_eq!(a.language, b.language, "{what}: language");
        assert_eq!(a.default, b.default, "{what}: default");
        assert_eq!(a.forced, b.forced, "{what}: forced");
        if titles {
            assert_eq!(a.title, b.title, "{what}: title");
        }
    }

    assert_eq!(
        ours.subtitles.len(),
        theirs.subtitles.len(),
        "{name}: subtitle tracks"
    );
    for (a, b) in ours.subtitles.iter().zip(&theirs.subtitles) {
        let what = format!("{name}: subtitle {}", a.index);
        assert_eq!(a.index, b.index, "{what}: index");
        assert_eq!(a.codec, b.codec, "{what}: codec");
        assert_eq!(a.language, b.language, "{what}: language");
        assert_eq!(a.default, b.default, "{what}: default");
        assert_eq!(a.forced, b.forced, "{what}: forced");
        assert_eq!(a.sdh, b.sdh, "{what}: sdh");
        if titles {
            assert_eq!(a.title, b.title, "{what}: title");
        }
    }

    assert_eq!(
        ours.chapters.len(),
        theirs.chapters.len(),
        "{name}: chapters"
    );
    for (a, b) in ours.chapters.iter().zip(&theirs.chapters) {
        assert_close(
            &format!("{name}: chapter start"),
            Some(a.start_secs),
            Some(b.start_secs),
            0.01,
        );
        assert_close(&format!("{name}: chapter end"), a.end_secs, b.end_secs, 0.1);
        assert_eq!(a.title, b.title, "{name}: chapter title");
    }
    ours
}

#[tokio::test]
async fn matroska_h264_aac_srt_with_languages_and_chapters() {
    let media = agree("h264_aac_srt.mkv").await;
    assert_eq!(media.container, "matroska");
    let video = &media.video[0];
    assert_eq!(video.codec, "h264");
    assert_eq!((video.width, video.height), (Some(320), Some(240)));
    assert_eq!(video.bit_depth, Some(8));
    assert!(close(video.frame_rate.unwrap(), 25.0, 0.01));
    let audio = &media.audio[0];
    assert_eq!(audio.codec, "aac");
    assert_eq!(audio.channels, Some(1));
    assert_eq!(audio.sample_rate, Some(48000));
    assert_eq!(audio.language.as_deref(), Some("eng"));
    assert_eq!(audio.title.as_deref(), Some("Main Audio"));
    assert!(audio.default);
    let subtitle = &media.subtitles[0];
    assert_eq!(subtitle.codec, "subrip");
    assert_eq!(subtitle.language.as_deref(), Some("eng"));
    assert!(subtitle.sdh, "hearing-impaired flag");
    assert_eq!(media.chapters.len(), 2);
    assert_eq!(media.chapters[1].title.as_deref(), Some("Main Part"));
    assert!(close(media.chapters[1].start_secs, 0.8, 0.001));
    assert!(close(media.duration_secs.unwrap(), 2.0, 0.1));
    assert!(media.bitrate.is_some_and(|b| b > 0));
}

#[tokio::test]
async fn matroska_two_audio_tracks_and_a_forced_subtitle() {
    let media = agree("two_audio_forced.mkv").await;
    assert_eq!(media.video[0].codec, "mpeg4");
    let [english, german] = &media.audio[..] else {
        panic!("two audio tracks expected: {:?}", media.audio)
    };
    assert_eq!((english.codec.as_str(), english.channels), ("ac3", Some(2)));
    assert_eq!(english.language.as_deref(), Some("eng"));
    assert!(english.default);
    assert_eq!(
        (german.codec.as_str(), german.sample_rate),
        ("flac", Some(44100))
    );
    assert_eq!(german.language.as_deref(), Some("ger"));
    assert!(!german.default);
    assert_eq!(german.index, 2);
    let [forced, ass] = &media.subtitles[..] else {
        panic!("two subtitle tracks expected: {:?}", media.subtitles)
    };
    assert!(forced.forced);
    assert_eq!(forced.language.as_deref(), Some("ger"));
    assert_eq!(ass.codec, "ass");
    assert!(!ass.forced && !ass.default);
}

async fn check_mp4(name: &str) {
    let media = agree(name).await;
    assert_eq!(media.container, "mp4");
    let video = &media.video[0];
    assert_eq!(video.codec, "h264");
    assert_eq!((video.width, video.height), (Some(320), Some(240)));
    assert!(close(video.frame_rate.unwrap(), 25.0, 0.05));
    let [stereo, german] = &media.audio[..] else {
        panic!("two audio tracks expected: {:?}", media.audio)
    };
    assert_eq!((stereo.codec.as_str(), stereo.channels), ("aac", Some(2)));
    assert_eq!(stereo.language.as_deref(), Some("eng"));
    assert_eq!(stereo.title.as_deref(), Some("Stereo"));
    assert!(stereo.default && !german.default);
    assert_eq!(german.language.as_deref(), Some("ger"));
    let subtitle = &media.subtitles[0];
    assert_eq!(subtitle.codec, "mov_text");
    assert_eq!(subtitle.language.as_deref(), Some("fre"));
    assert!(subtitle.forced);
    assert_eq!(
        media.subtitles.len(),
        1,
        "the chapter text track is not a subtitle"
    );
    assert_eq!(media.chapters.len(), 2);
    assert_eq!(media.chapters[0].title.as_deref(), Some("Opening"));
}

#[tokio::test]
async fn mp4_with_the_index_first() {
    check_mp4("faststart.mp4").await;
    let bytes = std::fs::read(fixtures().path("faststart.mp4")).unwrap();
    let moov = bytes.windows(4).position(|w| w == b"moov").unwrap();
    let mdat = bytes.windows(4).position(|w| w == b"mdat").unwrap();
    assert!(moov < mdat, "fixture should have moov before mdat");
}

#[tokio::test]
async fn mp4_with_the_index_last() {
    check_mp4("moov_last.mp4").await;
    let bytes = std::fs::read(fixtures().path("moov_last.mp4")).unwrap();
    let moov = bytes.windows(4).position(|w| w == b"moov").unwrap();
    let mdat = bytes.windows(4).position(|w| w == b"mdat").unwrap();
    assert!(moov > mdat, "fixture should have mdat before moov");
}

#[tokio::test]
async fn quicktime_movie() {
    let media = agree("quicktime.mov").await;
    assert_eq!(media.container, "mov");
    assert_eq!(media.video[0].codec, "h264");
    assert_eq!(
        media.audio[0].language.as_deref(),
        Some("eng"),
        "Macintosh language code"
    );
}

#[tokio::test]
async fn audio_only_m4a() {
    let media = agree("audio.m4a").await;
    assert!(media.video.is_empty());
    assert_eq!(media.audio[0].codec, "aac");
    assert_eq!(media.audio[0].language.as_deref(), Some("spa"));
}

#[tokio::test]
async fn webm_vp9_opus() {
    let media = agree("vp9_opus.webm").await;
    assert_eq!(media.container, "webm");
    assert_eq!(media.video[0].codec, "vp9");
    assert_eq!(media.audio[0].codec, "opus");
    assert_eq!(media.audio[0].sample_rate, Some(48000));
    assert_eq!(media.audio[0].language.as_deref(), Some("jpn"));
}

#[tokio::test]
async fn hevc_ten_bit_hdr10() {
    let fx = fixtures();
    if !fx.has_x265 {
        // The one case that depends on an optional encoder, as agreed for this fixture.
        eprintln!("skipping: this ffmpeg has no libx265");
        return;
    }
    for name in ["hevc10_hdr.mkv", "hevc10_hdr.mp4"] {
        let media = agree(name).await;
        let video = &media.video[0];
        assert_eq!(video.codec, "hevc", "{name}");
        assert_eq!(video.bit_depth, Some(10), "{name}");
        assert_eq!(video.hdr.as_deref(), Some("HDR10"), "{name}");
    }
}

const READABLE: [&str; 7] = [
    "h264_aac_srt.mkv",
    "two_audio_forced.mkv",
    "faststart.mp4",
    "moov_last.mp4",
    "quicktime.mov",
    "audio.m4a",
    "vp9_opus.webm",
];

#[tokio::test]
async fn probe_any_reads_supported_files_without_a_process() {
    let fx = fixtures();
    for name in READABLE {
        let path = fx.path(name);
        let without = probe_any(&path, None).await.unwrap();
        assert_eq!(without.source, ProbeSource::InProcess, "{name}");
        let with = probe_any(&path, Some(&fx.spy)).await.unwrap();
        assert_eq!(with.source, ProbeSource::InProcess, "{name}");
        assert_eq!(with, without);
        assert!(!ffprobe_ran(&path), "{name}: ffprobe was started");
    }
}

#[tokio::test]
async fn avi_goes_to_ffprobe() {
    let fx = fixtures();
    let path = fx.path("legacy.avi");
    match probe(&path) {
        Err(ProbeError::Unsupported {
            container,
            path: named,
        }) => {
            assert_eq!(container, "avi");
            assert_eq!(named, path);
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
    assert!(matches!(
        probe_any(&path, None).await,
        Err(ProbeError::Unsupported { .. })
    ));

    let media = probe_any(&path, Some(&fx.spy)).await.unwrap();
    assert!(ffprobe_ran(&path));
    assert_eq!(media.source, ProbeSource::Ffprobe);
    assert_eq!(media.container, "avi");
    assert_eq!(media.video[0].codec, "mpeg4");
    assert_eq!(media.audio[0].codec, "ac3");
    assert!(close(media.duration_secs.unwrap(), 2.0, 0.1));

    let missing = Path::new("/nonexistent/ffprobe");
    assert!(matches!(
        probe_any(&path, Some(missing)).await,
        Err(ProbeError::FfprobeMissing { .. })
    ));
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[tokio::test]
async fn zero_byte_file_is_empty_and_not_handed_to_ffprobe() {
    let fx = fixtures();
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "empty.mkv", &[]);
    let error = probe(&path).unwrap_err();
    assert!(matches!(error, ProbeError::Empty { .. }), "{error}");
    assert!(error.to_string().contains("empty.mkv"));
    assert!(matches!(
        probe_any(&path, Some(&fx.spy)).await,
        Err(ProbeError::Empty { .. })
    ));
    assert!(!ffprobe_ran(&path));
}

#[test]
fn missing_file_is_an_io_error_naming_it() {
    let error = probe(Path::new("/nonexistent/film.mkv")).unwrap_err();
    assert!(matches!(error, ProbeError::Io { .. }), "{error}");
    assert!(error.to_string().contains("/nonexistent/film.mkv"));
}

#[test]
fn folders_and_pipes_are_refused_without_blocking() {
    // Starts no process before the shared spy script is written (see `common`).
    fixtures();
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("Film.mkv");
    std::fs::create_dir(&folder).unwrap();
    assert!(matches!(probe(&folder), Err(ProbeError::Io { .. })));
    let pipe = dir.path().join("pipe.mkv");
    let made = std::process::Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .unwrap();
    assert!(made.success());
    assert!(matches!(probe(&pipe), Err(ProbeError::Io { .. })));
}

#[test]
fn files_cut_after_100_bytes_are_truncated_or_corrupt() {
    let fx = fixtures();
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "h264_aac_srt.mkv",
        "vp9_opus.webm",
        "faststart.mp4",
        "moov_last.mp4",
        "quicktime.mov",
    ] {
        let bytes = std::fs::read(fx.path(name)).unwrap();
        let path = write(dir.path(), name, &bytes[..100]);
        match probe(&path) {
            Err(
                ProbeError::Truncated { path: named } | ProbeError::Corrupt { path: named, .. },
            ) => {
                assert_eq!(named, path);
            }
            other => panic!("{name}: expected Truncated or Corrupt, got {other:?}"),
        }
    }
}

#[test]
fn random_bytes_named_mkv_are_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let path = write(dir.path(), "noise.mkv", &rng.bytes(64 * 1024));
    let error = probe(&path).unwrap_err();
    assert!(matches!(error, ProbeError::Corrupt { .. }), "{error}");
    assert!(error.to_string().contains("noise.mkv"));
}

#[test]
fn a_first_box_of_u64_max_bytes_is_corrupt() {
    let fx = fixtures();
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = std::fs::read(fx.path("faststart.mp4")).unwrap();
    bytes[..4].copy_from_slice(&1u32.to_be_bytes());
    bytes[8..16].copy_from_slice(&u64::MAX.to_be_bytes());
    let path = write(dir.path(), "huge.mp4", &bytes);
    let error = probe(&path).unwrap_err();
    assert!(matches!(error, ProbeError::Corrupt { .. }), "{error}");
}

#[test]
fn an_ebml_element_claiming_exabytes_is_refused() {
    let fx = fixtures();
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(fx.path("h264_aac_srt.mkv")).unwrap();
    // Give the Tracks element an eight-byte size of 2^56 - 2.
    let at = bytes
        .windows(4)
        .position(|w| w == [0x16, 0x54, 0xAE, 0x6B])
        .unwrap();
    let mut patched = bytes[..at + 4].to_vec();
    patched.extend_from_slice(&[0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE]);
    patched.extend_from_slice(&bytes[at + 12..]);
    let path = write(dir.path(), "huge.mkv", &patched);
    let error = probe(&path).unwrap_err();
    assert!(
        matches!(
            error,
            ProbeError::Corrupt { .. } | ProbeError::Truncated { .. }
        ),
        "{error}"
    );
}

/// Flips bytes in the header regions of real files and cuts them at random lengths: whatever
/// comes out, it must be an answer or an error, never a panic or a hang.
#[test]
fn mangled_real_files_never_panic() {
    let fx = fixtures();
    let dir = tempfile::tempdir().unwrap();
    let mut rng = XorShift(0xD1B5_4A32_D192_ED03);
    for name in READABLE {
        let original = std::fs::read(fx.path(name)).unwrap();
        // Where the headers are: the start, and the moov wherever it sits.
        let moov = original.windows(4).position(|w| w == b"moov").unwrap_or(0);
        let extension = Path::new(name).extension().unwrap().to_str().unwrap();
        let path = dir.path().join(format!("mangled.{extension}"));
        for round in 0..150 {
            let mut bytes = original.clone();
            for _ in 0..1 + rng.below(8) {
                let region = if rng.below(2) == 0 { 0 } else { moov };
                let at = (region + rng.below(4096)).min(bytes.len() - 1);
                bytes[at] = rng.next() as u8;
            }
            if round % 5 == 0 {
                bytes.truncate(rng.below(bytes.len()));
            }
            std::fs::write(&path, &bytes).unwrap();
            if let Err(error) = probe(&path) {
                assert_eq!(error.path(), path.as_path(), "{name}: {error}");
            }
        }
    }
}

#[cfg(unix)]
#[test]
fn names_that_are_not_utf8() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    let fx = fixtures();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(OsStr::from_bytes(b"Caf\xe9 \xff.mkv"));
    std::fs::copy(fx.path("h264_aac_srt.mkv"), &path).unwrap();
    let media = probe(&path).unwrap();
    assert_eq!(media.video[0].codec, "h264");
    std::fs::write(&path, b"junk").unwrap();
    let error = probe(&path).unwrap_err();
    assert_eq!(error.path(), path.as_path());
}

#[tokio::test]
async fn ffprobe_reads_names_with_colons_and_dashes() {
    let fx = fixtures();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("-i Film: the sequel.mkv");
    std::fs::copy(fx.path("h264_aac_srt.mkv"), &path).unwrap();
    let media = probe_with_ffprobe(&path, &fx.ffprobe).await.unwrap();
    assert_eq!(media.video[0].codec, "h264");
}

#[tokio::test]
async fn corrupt_files_fall_back_to_ffprobe_and_keep_our_error_when_it_fails_too() {
    let fx = fixtures();
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(fx.path("h264_aac_srt.mkv")).unwrap();
    let path = write(dir.path(), "cut.mkv", &bytes[..100]);
    let error = probe_any(&path, Some(&fx.spy)).await.unwrap_err();
    assert!(ffprobe_ran(&path), "ffprobe should have been tried");
    assert!(
        matches!(
            error,
            ProbeError::Truncated { .. } | ProbeError::Corrupt { .. }
        ),
        "{error}"
    );
}
