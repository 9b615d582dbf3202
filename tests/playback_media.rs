//! Audio transcodes and subtitles through the HTTP routes, with real ffmpeg: MP3, Opus and AAC
//! at a requested bitrate (checked with ffprobe), text subtitles as WebVTT from an embedded
//! track and from SRT and ASS sidecars (parsed cue by cue), and an image subtitle (PGS, written
//! by hand here: ffmpeg cannot make bitmap subtitles from text) burned into an HLS rendition
//! (the decoded picture shows it). A missing ffmpeg fails, never skips.
#![allow(
    clippy::unwrap_used,
    reason = "a test fails by panicking, helpers included"
)]

use std::path::Path;
use std::process::Command;

use reqwest::Method;
use revenge_tests::{TestEnv, TestServer, client};
use serde_json::Value;

/// The subtitle's text cues: (start, end, text).
const CUES: [(&str, &str, &str); 2] = [
    ("00:00:00,500", "00:00:03,000", "Hello subtitles"),
    ("00:00:03,500", "00:00:05,500", "Second line"),
];
/// The movie's size, and the rectangle the image subtitle paints (x, y, width, height) from
/// 0.5 s to 3 s.
const SIZE: (u16, u16) = (640, 360);
const BOX: (u16, u16, u16, u16) = (60, 120, 200, 40);

fn ffmpeg(args: &[&str]) {
    let output = Command::new("ffmpeg")
        .args(["-v", "error", "-y"])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("ffmpeg is needed by these tests and could not run: {e}"));
    assert!(
        output.status.success(),
        "ffmpeg {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// One PGS segment: magic, PTS and DTS (90 kHz), type, length, data.
fn pgs_segment(out: &mut Vec<u8>, pts: u32, kind: u8, data: &[u8]) {
    out.extend_from_slice(b"PG");
    out.extend_from_slice(&pts.to_be_bytes());
    out.extend_from_slice(&0u32.to_be_bytes());
    out.push(kind);
    out.extend_from_slice(&u16::try_from(data.len()).unwrap().to_be_bytes());
    out.extend_from_slice(data);
}

/// A PGS (`.sup`) stream showing one white rectangle over [`BOX`] from 0.5 s to 3 s.
fn pgs() -> Vec<u8> {
    let (w, h) = SIZE;
    let (x, y, bw, bh) = BOX;
    let be = |v: u16| v.to_be_bytes();
    let mut out = Vec::new();
    for (pts, show) in [(45_000u32, true), (270_000, false)] {
        // Presentation composition: canvas, frame rate code, composition number, state
        // (epoch start to show, normal to clear), palette, and the object's place.
        let mut pcs = [be(w), be(h)].concat();
        pcs.push(0x10);
        pcs.extend_from_slice(&be(u16::from(!show)));
        pcs.extend_from_slice(&[if show { 0x80 } else { 0 }, 0, 0, u8::from(show)]);
        if show {
            pcs.extend_from_slice(&[0, 0, 0, 0]);
            pcs.extend_from_slice(&[be(x), be(y)].concat());
        }
        pgs_segment(&mut out, pts, 0x16, &pcs);
        let wds = [
            vec![1, 0],
            be(x).to_vec(),
            be(y).to_vec(),
            be(bw).to_vec(),
            be(bh).to_vec(),
        ]
        .concat();
        pgs_segment(&mut out, pts, 0x17, &wds);
        if show {
            // Palette entry 1: white (Y 235, neutral chroma), opaque.
            pgs_segment(&mut out, pts, 0x14, &[0, 0, 1, 235, 128, 128, 255]);
            // Each line: one run of `bw` pixels of colour 1, then end of line.
            let line = [0, 0xC0 | be(bw)[0], be(bw)[1], 1, 0, 0];
            let rle: Vec<u8> = line.repeat(usize::from(bh));
            let mut ods = vec![0, 0, 0, 0xC0];
            ods.extend_from_slice(&u32::try_from(rle.len() + 4).unwrap().to_be_bytes()[1..]);
            ods.extend_from_slice(&[be(bw), be(bh)].concat());
            ods.extend_from_slice(&rle);
            pgs_segment(&mut out, pts, 0x15, &ods);
        }
        pgs_segment(&mut out, pts, 0x80, &[]);
    }
    out
}

/// A 6 s movie: video (0), noise (1, so encoders spend the bitrate asked of them), an SRT
/// track (2) and a PGS track (3); beside it the same text as `.en.srt` and `.fr.ass`.
fn make_movie(folder: &Path) {
    let dir = folder.join("Test Pattern (2020)");
    std::fs::create_dir_all(&dir).unwrap();
    let srt: String = CUES
        .iter()
        .enumerate()
        .map(|(i, (from, to, text))| format!("{}\n{from} --> {to}\n{text}\n\n", i + 1))
        .collect();
    let srt_path = dir.join("Test Pattern (2020).en.srt");
    std::fs::write(&srt_path, srt).unwrap();
    let ass_path = dir.join("Test Pattern (2020).fr.ass");
    ffmpeg(&["-i", srt_path.to_str().unwrap(), ass_path.to_str().unwrap()]);
    let sup = dir.join("image.sup");
    std::fs::write(&sup, pgs()).unwrap();
    let video = dir.join("Test Pattern (2020).mkv");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        &format!("testsrc=size={}x{}:rate=25", SIZE.0, SIZE.1),
        "-f",
        "lavfi",
        "-i",
        "anoisesrc=a=0.3",
        "-i",
        srt_path.to_str().unwrap(),
        "-i",
        sup.to_str().unwrap(),
        "-map",
        "0:v",
        "-map",
        "1:a",
        "-map",
        "2:s",
        "-map",
        "3:s",
        "-t",
        "6",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-c:a",
        "flac",
        "-c:s:0",
        "srt",
        "-c:s:1",
        "copy",
        video.to_str().unwrap(),
    ]);
    std::fs::remove_file(&sup).unwrap();
}

async fn movie_server(env: &TestEnv) -> (TestServer, i64, Value) {
    let media = env.data_dir().join("films");
    make_movie(&media);
    let mut config = env.config();
    config.transcoding.temp_dir = Some(env.data_dir().join("sessions"));
    config.transcoding.segment_wait_secs = 120;
    config.transcoding.variants = vec![revenge_config::VariantConfig::new("240p", 240, 600)];
    let server = TestServer::start_with(config).await;
    let library = server.library_at("movie", "Films", &media).await;
    server.scan_ok(library).await;
    let list = server.get("/api/v1/movie/movies").await;
    let movie = list.body["items"][0]["id"].as_i64().unwrap();
    let detail = server.get(&format!("/api/v1/movie/movies/{movie}")).await;
    let file = &detail.body["files"][0];
    (server, file["id"].as_i64().unwrap(), file["info"].clone())
}

async fn fetch(server: &TestServer, path: &str) -> (u16, String, Vec<u8>) {
    let url = if path.starts_with("http") {
        path.to_owned()
    } else {
        format!("{}{path}", server.server.base_url())
    };
    let answer = client()
        .request(Method::GET, url)
        .bearer_auth(&server.admin)
        .send()
        .await
        .unwrap();
    let status = answer.status().as_u16();
    let kind = answer
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, kind, answer.bytes().await.unwrap().to_vec())
}

fn ffprobe(path: &Path) -> Value {
    let output = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "format=bit_rate,duration:stream=codec_name,codec_type,height",
            "-of",
            "json",
        ])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "ffprobe: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The cues of a WebVTT document: (start, end, text), times as `HH:MM:SS.mmm`.
fn webvtt_cues(text: &str) -> Vec<(String, String, String)> {
    assert!(text.starts_with("WEBVTT"), "not WebVTT: {text}");
    let mut cues = Vec::new();
    for block in text.replace("\r\n", "\n").split("\n\n").skip(1) {
        let mut lines = block.lines().skip_while(|l| !l.contains("-->"));
        let Some(timing) = lines.next() else {
            continue;
        };
        let mut times = timing.split("-->").map(|t| {
            let t = t.split_whitespace().next().unwrap_or_default();
            // `MM:SS.mmm` and `HH:MM:SS.mmm` are both valid.
            if t.matches(':').count() == 1 {
                format!("00:{t}")
            } else {
                t.to_owned()
            }
        });
        let (start, end) = (times.next().unwrap(), times.next().unwrap());
        let text: Vec<&str> = lines.collect();
        cues.push((start, end, text.join("\n")));
    }
    cues
}

fn expected_cues() -> Vec<(String, String, String)> {
    CUES.iter()
        .map(|(from, to, text)| {
            (
                from.replace(',', "."),
                to.replace(',', "."),
                (*text).to_owned(),
            )
        })
        .collect()
}

#[cfg(feature = "movie")]
#[tokio::test]
async fn audio_transcodes_at_the_requested_bitrate_and_text_subtitles_become_webvtt() {
    let env = TestEnv::new().await;
    let (server, file, info) = movie_server(&env).await;
    let temp = tempfile::tempdir().unwrap();

    for (format, kbps, codec, container, media_type) in [
        ("mp3", 128, "mp3", "mp3", "audio/mpeg"),
        ("mp3", 64, "mp3", "mp3", "audio/mpeg"),
        ("opus", 96, "opus", "ogg", "audio/ogg"),
        ("aac", 128, "aac", "aac", "audio/aac"),
    ] {
        let (status, kind, body) = fetch(
            &server,
            &format!("/api/v1/playback/{file}/audio?format={format}&bitrate={kbps}"),
        )
        .await;
        assert_eq!(status, 200, "{format}: {}", String::from_utf8_lossy(&body));
        assert_eq!(kind, media_type);
        let path = temp.path().join(format!("out-{format}-{kbps}.{container}"));
        std::fs::write(&path, &body).unwrap();
        let probe = ffprobe(&path);
        let streams = probe["streams"].as_array().unwrap();
        assert_eq!(streams.len(), 1, "{probe}");
        assert_eq!(streams[0]["codec_name"], codec, "{probe}");
        let duration: f64 = probe["format"]["duration"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((5.5..6.6).contains(&duration), "{format}: {probe}");
        // Noise makes every encoder spend what it is given: the rate is the one asked for.
        let rate: f64 = probe["format"]["bit_rate"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let asked = f64::from(kbps) * 1000.0;
        assert!(
            (asked * 0.75..asked * 1.25).contains(&rate),
            "{format} at {kbps}k came out at {rate} b/s"
        );
    }
    let (status, _, _) = fetch(
        &server,
        &format!("/api/v1/playback/{file}/audio?format=flac"),
    )
    .await;
    assert_eq!(status, 400, "an unknown format is refused");
    let (status, _, _) = fetch(
        &server,
        &format!("/api/v1/playback/{file}/audio?format=mp3&bitrate=4000"),
    )
    .await;
    assert_eq!(status, 400, "an absurd bitrate is refused");

    // The scan recorded the tracks and sidecars the subtitle route serves.
    let subtitles = info["subtitles"].as_array().unwrap();
    let codecs: Vec<(i64, &str)> = subtitles
        .iter()
        .map(|s| (s["index"].as_i64().unwrap(), s["codec"].as_str().unwrap()))
        .collect();
    assert_eq!(codecs, [(2, "subrip"), (3, "hdmv_pgs_subtitle")], "{info}");
    let sidecars: Vec<&str> = info["external_subtitles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["file"].as_str().unwrap())
        .collect();
    assert_eq!(sidecars.len(), 2, "{info}");

    let mut sources = vec!["embedded:2".to_owned()];
    sources.extend((0..sidecars.len()).map(|n| format!("external:{n}")));
    for subtitle in &sources {
        let (status, kind, body) = fetch(
            &server,
            &format!("/api/v1/playback/{file}/subtitles/{subtitle}"),
        )
        .await;
        assert_eq!(
            status,
            200,
            "{subtitle}: {}",
            String::from_utf8_lossy(&body)
        );
        assert!(kind.starts_with("text/vtt"), "{kind}");
        let cues = webvtt_cues(&String::from_utf8(body).unwrap());
        assert_eq!(cues, expected_cues(), "{subtitle}");
    }
    // An image track cannot be text; a track or sidecar that is not there is 404.
    let (status, _, _) = fetch(
        &server,
        &format!("/api/v1/playback/{file}/subtitles/embedded:3"),
    )
    .await;
    assert_eq!(status, 400);
    for missing in ["embedded:9", "external:7", "external:x", "nonsense"] {
        let (status, _, _) = fetch(
            &server,
            &format!("/api/v1/playback/{file}/subtitles/{missing}"),
        )
        .await;
        assert_eq!(status, 404, "{missing}");
    }
    server.stop().await;
}

/// The mean luma of a rectangle (x, y, w, h) of the frame at `at` seconds of a video file.
fn mean_luma(path: &Path, at: &str, (x, y, w, h): (u32, u32, u32, u32)) -> f64 {
    let output = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-ss", at, "-frames:v", "1", "-vf"])
        .arg(format!("crop={w}:{h}:{x}:{y},format=gray"))
        .args(["-f", "rawvideo", "-"])
        .output()
        .unwrap();
    assert!(
        output.status.success() && !output.stdout.is_empty(),
        "cannot decode {}: {}",
        path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let sum: u64 = output.stdout.iter().map(|b| u64::from(*b)).sum();
    #[allow(clippy::cast_precision_loss, reason = "a few thousand pixels")]
    let mean = sum as f64 / output.stdout.len() as f64;
    mean
}

#[cfg(feature = "movie")]
#[tokio::test]
async fn an_image_subtitle_is_burned_into_the_picture_when_asked() {
    let env = TestEnv::new().await;
    let (server, file, _) = movie_server(&env).await;
    let temp = tempfile::tempdir().unwrap();
    let source = env
        .data_dir()
        .join("films/Test Pattern (2020)/Test Pattern (2020).mkv");
    // Inside the subtitle's rectangle, in source pixels and at 240p (a 2/3 scale).
    let inside_source = (84, 129, 150, 24);
    let inside_240 = (56, 86, 100, 16);
    let plain = mean_luma(&source, "1", inside_source);
    assert!(
        plain < 200.0,
        "the test pattern alone is not white there: {plain}"
    );

    let (status, _, body) = fetch(
        &server,
        &format!("/api/v1/playback/{file}/hls/master.m3u8?device=tv&burn_subtitle=3"),
    )
    .await;
    let master = String::from_utf8(body).unwrap();
    assert_eq!(status, 200, "{master}");
    // Burning in means encoding: no original-quality copy is offered.
    assert!(!master.contains("/original/"), "{master}");
    let variant_url = master
        .lines()
        .find(|l| l.contains("/240p/index.m3u8"))
        .unwrap_or_else(|| panic!("{master}"));
    let (status, _, body) = fetch(&server, variant_url).await;
    assert_eq!(status, 200);
    let variant = String::from_utf8(body).unwrap();
    let uris: Vec<&str> = variant
        .lines()
        .filter_map(|l| {
            l.split_once("URI=\"")
                .and_then(|(_, r)| r.split('"').next())
                .or_else(|| (!l.starts_with('#') && !l.is_empty()).then_some(l))
        })
        .collect();
    let (status, _, init) = fetch(&server, uris[0]).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&init));
    let (status, _, segment) = fetch(&server, uris[1]).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&segment));
    let path = temp.path().join("burned.mp4");
    std::fs::write(&path, [init, segment].concat()).unwrap();
    let probe = ffprobe(&path);
    let video = probe["streams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["codec_type"] == "video")
        .unwrap_or_else(|| panic!("{probe}"));
    assert_eq!(video["codec_name"], "h264");
    assert_eq!(video["height"], 240);
    let burned = mean_luma(&path, "1", inside_240);
    assert!(
        burned > 230.0,
        "the subtitle is not in the picture: {burned}"
    );
    // After the subtitle ends (3 s) the pattern shows again.
    let after = mean_luma(&path, "3.5", inside_240);
    assert!(after < 200.0, "the subtitle outstays its time: {after}");

    // A text track is not burned: asking for one is ignored, the copy stays offered.
    let (status, _, body) = fetch(
        &server,
        &format!("/api/v1/playback/{file}/hls/master.m3u8?device=phone&burn_subtitle=2"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(String::from_utf8(body).unwrap().contains("/original/"));
    server.stop().await;
}
