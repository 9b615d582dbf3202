//! A server and a remote transcoder as two real `revenge` processes on loopback: `revenge
//! serve` with `transcoding.backend: remote` hands HLS to `revenge transcoder --listen`. A
//! client plays a movie through the server (master playlist, variant, init and media segment,
//! decoded with ffmpeg), and stopping the session stops the transcoder's ffmpeg. On SQLite, or
//! on a fresh PostgreSQL database when `TEST_DATABASE_URL` names a server (as `cargo xtask
//! test` runs it). Both processes are killed when the test ends, failed or not.
#![allow(
    clippy::unwrap_used,
    clippy::print_stderr,
    reason = "a test fails by panicking, helpers included"
)]

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{ADMIN, Guard, SECRET_HEADER, free_port, wait_until_up};

const SECRET: &str = "two-process-transcoder-secret";

/// A movie of `secs` seconds, made quickly: a short clip encoded once, then looped by copy.
fn make_movie(path: &Path, secs: u32) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let clip = path.with_extension("clip.mkv");
    let run = |args: &[&str]| {
        let status = Command::new("ffmpeg")
            .args(["-v", "error", "-y"])
            .args(args)
            .status()
            .unwrap_or_else(|e| panic!("ffmpeg is needed by this test and could not run: {e}"));
        assert!(status.success(), "ffmpeg {args:?} failed");
    };
    run(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=640x360:rate=25",
        "-f",
        "lavfi",
        "-i",
        "sine",
        "-t",
        "10",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-g",
        "50",
        "-c:a",
        "aac",
        clip.to_str().unwrap(),
    ]);
    let loops = (secs / 10).saturating_sub(1).to_string();
    run(&[
        "-stream_loop",
        &loops,
        "-i",
        clip.to_str().unwrap(),
        "-c",
        "copy",
        path.to_str().unwrap(),
    ]);
    std::fs::remove_file(&clip).unwrap();
}

/// The ffmpeg processes whose parent is `parent`.
fn ffmpeg_children(parent: u32) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ppid …`; comm may hold spaces, so split after the last `)`.
        let Some((head, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let comm = head.split_once('(').map_or("", |(_, c)| c);
        let ppid = rest.split_whitespace().nth(1).and_then(|p| p.parse().ok());
        if comm == "ffmpeg" && ppid == Some(parent) {
            found.push(pid);
        }
    }
    found
}

/// The URIs of a playlist (its non-comment lines, and `URI="…"` attributes).
fn uris(playlist: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in playlist.lines() {
        if let Some((_, rest)) = line.split_once("URI=\"") {
            out.extend(rest.split('"').next().map(str::to_owned));
        } else if !line.starts_with('#') && !line.trim().is_empty() {
            out.push(line.trim().to_owned());
        }
    }
    out
}

async fn fetch(client: &reqwest::Client, url: &str) -> Vec<u8> {
    let answer = client.get(url).send().await.unwrap();
    let status = answer.status();
    let body = answer.bytes().await.unwrap().to_vec();
    assert!(
        status.is_success(),
        "{url}: {status} {}",
        String::from_utf8_lossy(&body)
    );
    body
}

/// Decodes an init segment and a media segment with ffmpeg; the streams ffprobe names.
fn decode(init: &[u8], segment: &[u8], dir: &Path) -> Vec<String> {
    let path = dir.join("probe.mp4");
    std::fs::write(&path, [init, segment].concat()).unwrap();
    let decoded = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(&path)
        .args(["-f", "null", "-"])
        .output()
        .unwrap();
    assert!(
        decoded.status.success() && decoded.stderr.is_empty(),
        "the segment does not decode: {}",
        String::from_utf8_lossy(&decoded.stderr)
    );
    let probe = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "stream=codec_name,height",
            "-of",
            "json",
        ])
        .arg(&path)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&probe.stdout).unwrap();
    json["streams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{}:{}",
                s["codec_name"].as_str().unwrap_or("?"),
                s["height"]
            )
        })
        .collect()
}

#[cfg(feature = "movie")]
#[tokio::test]
async fn a_server_and_a_transcoder_process_play_hls_together() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    let movie = dir
        .join("films")
        .join("Test Pattern (2020)")
        .join("Test Pattern (2020).mkv");
    // Long enough that the transcoder's ffmpeg is still at work when the session is stopped.
    make_movie(&movie, 600);

    let transcoder_port = free_port();
    let transcoder_url = format!("http://127.0.0.1:{transcoder_port}");
    let transcoder_temp = dir.join("transcoder-sessions");
    let transcoder_config = dir.join("transcoder.yaml");
    std::fs::write(
        &transcoder_config,
        format!(
            "transcoding:\n  temp_dir: {}\n  segment_wait_secs: 120\n  variants:\n    \
             - {{name: 240p, height: 240, video_kbps: 400}}\n  remote:\n    secret: {SECRET}\n",
            transcoder_temp.display()
        ),
    )
    .unwrap();
    let listen = format!("127.0.0.1:{transcoder_port}");
    let mut transcoder = Guard::spawn(
        "transcoder",
        &transcoder_config,
        &["transcoder", "--listen", &listen],
        dir,
    );
    wait_until_up(
        &mut transcoder,
        &format!("{transcoder_url}/transcoder/v1/health"),
        Some(SECRET),
    )
    .await;

    let port = free_port();
    let server_url = format!("http://127.0.0.1:{port}");
    let database = support::database_url().await;
    // The server runs no ffmpeg of its own: a path that does not exist proves it.
    let server_config = support::write_config(
        dir,
        "server",
        &dir.join("data"),
        port,
        database.as_deref(),
        &format!(
            "transcoding:\n  ffmpeg: /nonexistent/ffmpeg\n  backend: remote\n  remote:\n    \
             url: {transcoder_url}\n    secret: {SECRET}\n    request_timeout_secs: 150\n"
        ),
    );
    let created = support::run(
        &server_config,
        &["user", "create", "--admin", ADMIN.0],
        &format!("{}\n", ADMIN.1),
    );
    assert!(
        created.status.success(),
        "revenge user create: {}",
        String::from_utf8_lossy(&created.stderr)
    );
    let library = format!("movie:{}", dir.join("films").display());
    let mut server = Guard::spawn(
        "server",
        &server_config,
        &["serve", "--library", &library],
        dir,
    );
    wait_until_up(&mut server, &format!("{server_url}/health/ready"), None).await;

    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(180))
        .build()
        .unwrap();
    let login: Value = client
        .post(format!("{server_url}/api/v1/auth/login"))
        .json(&json!({"username": ADMIN.0, "password": ADMIN.1}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap().to_owned();
    let get_json = |path: String| {
        let request = client
            .get(format!("{server_url}{path}"))
            .bearer_auth(&token);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    // `serve --library` queues the first scan as a job: ready means serving, not scanned.
    let deadline = Instant::now() + Duration::from_secs(60);
    let movie_id = loop {
        let movies = get_json("/api/v1/movie/movies".to_owned()).await;
        if let Some(id) = movies["items"][0]["id"].as_i64() {
            break id;
        }
        assert!(
            Instant::now() < deadline,
            "the movie was never scanned: {movies}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let detail = get_json(format!("/api/v1/movie/movies/{movie_id}")).await;
    let file_id = detail["files"][0]["id"].as_i64().unwrap();

    // The master playlist through the server: the session is opened on the transcoder.
    let answer = client
        .get(format!(
            "{server_url}/api/v1/playback/{file_id}/hls/master.m3u8?device=tv&transcode=true"
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    let session = answer.headers()["x-transcode-session"]
        .to_str()
        .unwrap()
        .to_owned();
    let master = answer.text().await.unwrap();
    assert!(master.starts_with("#EXTM3U"), "{master}");
    assert!(transcoder_temp.join(&session).is_dir(), "no session dir");
    let variants = uris(&master);
    assert_eq!(variants.len(), 1, "{master}");
    assert!(variants[0].contains("/240p/index.m3u8"), "{master}");

    // From here on the player follows the playlists' signed URLs, with no header at all.
    let variant =
        String::from_utf8(fetch(&client, &format!("{server_url}{}", variants[0])).await).unwrap();
    assert!(variant.contains("#EXT-X-ENDLIST"), "{variant}");
    let parts = uris(&variant);
    assert!(parts[0].contains("/init.mp4"), "{variant}");
    assert!(parts[1].contains("/0.m4s"), "{variant}");
    let segment = fetch(&client, &format!("{server_url}{}", parts[1])).await;
    let init = fetch(&client, &format!("{server_url}{}", parts[0])).await;
    let streams = decode(&init, &segment, dir);
    assert!(streams.contains(&"h264:240".to_owned()), "{streams:?}");
    assert!(streams.iter().any(|s| s.starts_with("aac")), "{streams:?}");

    // The transcode runs in the transcoder process, not in the server.
    server.check_alive();
    transcoder.check_alive();
    assert!(
        !ffmpeg_children(transcoder.pid()).is_empty(),
        "the transcoder's ffmpeg is not running"
    );
    assert!(ffmpeg_children(server.pid()).is_empty());

    // Stopping the session at the server stops the transcoder's ffmpeg and deletes its files.
    let stopped = client
        .delete(format!("{server_url}/api/v1/playback/sessions/{session}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(stopped.status().as_u16(), 204);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ffmpeg_children(transcoder.pid()).is_empty() {
        assert!(Instant::now() < deadline, "the remote ffmpeg survived");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!transcoder_temp.join(&session).exists());
    let health: Value = client
        .get(format!("{transcoder_url}/transcoder/v1/health"))
        .header(SECRET_HEADER, SECRET)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["sessions"], 0, "{health}");
    let gone = client
        .get(format!(
            "{server_url}/api/v1/playback/sessions/{session}/240p/index.m3u8"
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status().as_u16(), 404);
    server.check_alive();
    transcoder.check_alive();
}
