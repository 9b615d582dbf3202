//! Playing through the server: direct streams with ranges and access checks, progress and
//! resume rules, next-up, and HLS transcodes (playlists parse, segments decode, seeks land at
//! the right time, idle sessions are cleaned up, the limit answers 503, a missing ffmpeg is
//! named). Media are made with ffmpeg at test time; a missing ffmpeg fails, never skips.
#![allow(
    clippy::unwrap_used,
    reason = "a test fails by panicking, helpers included"
)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::Method;
use revenge_config::Config;
use revenge_tests::{TestEnv, TestServer, client, ffmpeg_movie};
use revenge_transcode::TranscodeSettings;
use serde_json::{Value, json};

/// The first movie's first file id.
async fn movie_file(server: &TestServer) -> (i64, i64) {
    let list = server.get("/api/v1/movie/movies").await;
    let movie = list.body["items"][0]["id"].as_i64().unwrap();
    let detail = server.get(&format!("/api/v1/movie/movies/{movie}")).await;
    (movie, detail.body["files"][0]["id"].as_i64().unwrap())
}

async fn raw(
    server: &TestServer,
    method: Method,
    path: &str,
    token: &str,
    headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let mut request = client()
        .request(method, format!("{}{path}", server.server.base_url()))
        .bearer_auth(token);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.bytes().await.unwrap().to_vec())
}

fn header<'a>(headers: &'a reqwest::header::HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

struct Setup {
    _env: TestEnv,
    server: TestServer,
    source: PathBuf,
    library: i64,
}

async fn movie_server(settings: TranscodeSettings, secs: u32) -> Setup {
    movie_server_with(secs, |config| config.transcoding = settings).await
}

/// A server over a scanned library holding one movie of `secs` seconds, its config adjusted by
/// `configure`.
async fn movie_server_with(secs: u32, configure: impl FnOnce(&mut Config)) -> Setup {
    let env = TestEnv::new().await;
    let media = env.data_dir().join("films");
    let source = ffmpeg_movie(&media, "Test Pattern (2020)/Test Pattern (2020).mkv", secs);
    let mut config = env.config();
    configure(&mut config);
    let server = TestServer::start_with(config).await;
    let library = server.library_at("movie", "movie", &media).await;
    server.scan_ok(library).await;
    Setup {
        _env: env,
        server,
        source,
        library,
    }
}

fn settings(env_dir: Option<&Path>) -> TranscodeSettings {
    TranscodeSettings {
        temp_dir: env_dir.map(Path::to_path_buf),
        segment_wait_secs: 120,
        ..TranscodeSettings::default()
    }
}

#[cfg(feature = "movie")]
#[tokio::test]
async fn direct_streams_honour_ranges_validators_and_access() {
    let Setup {
        server,
        source,
        _env,
        ..
    } = movie_server(settings(None), 3).await;
    let bytes = std::fs::read(&source).unwrap();
    let len = bytes.len();
    let (_, file) = movie_file(&server).await;
    let path = format!("/api/v1/stream/{file}");
    let admin = server.admin.clone();

    let (status, headers, body) = raw(&server, Method::GET, &path, &admin, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(body, bytes);
    assert_eq!(header(&headers, "content-type"), "video/x-matroska");
    assert_eq!(header(&headers, "accept-ranges"), "bytes");
    let etag = header(&headers, "etag").to_owned();
    assert!(etag.starts_with('"'), "{etag}");
    assert!(!header(&headers, "last-modified").is_empty());

    let (status, headers, body) = raw(
        &server,
        Method::GET,
        &path,
        &admin,
        &[("range", "bytes=0-99")],
    )
    .await;
    assert_eq!(status, 206);
    assert_eq!(body, bytes[..100]);
    assert_eq!(
        header(&headers, "content-range"),
        format!("bytes 0-99/{len}")
    );

    let (status, _, body) = raw(
        &server,
        Method::GET,
        &path,
        &admin,
        &[("range", "bytes=-100")],
    )
    .await;
    assert_eq!(status, 206);
    assert_eq!(body, bytes[len - 100..]);

    let (status, _, body) = raw(
        &server,
        Method::GET,
        &path,
        &admin,
        &[("range", "bytes=100-")],
    )
    .await;
    assert_eq!(status, 206);
    assert_eq!(body, bytes[100..]);

    let beyond = format!("bytes={len}-");
    let (status, headers, _) =
        raw(&server, Method::GET, &path, &admin, &[("range", &beyond)]).await;
    assert_eq!(status, 416);
    assert_eq!(header(&headers, "content-range"), format!("bytes */{len}"));

    let (status, _, body) = raw(
        &server,
        Method::GET,
        &path,
        &admin,
        &[("range", "bytes=10-19"), ("if-range", &etag)],
    )
    .await;
    assert_eq!(status, 206);
    assert_eq!(body, bytes[10..20]);
    let (status, _, body) = raw(
        &server,
        Method::GET,
        &path,
        &admin,
        &[("range", "bytes=10-19"), ("if-range", "\"stale\"")],
    )
    .await;
    assert_eq!(status, 200, "a stale If-Range gets the whole file");
    assert_eq!(body.len(), len);

    let (status, headers, body) = raw(&server, Method::HEAD, &path, &admin, &[]).await;
    assert_eq!(status, 200);
    assert!(body.is_empty());
    assert_eq!(header(&headers, "content-length"), len.to_string());

    // A signed media token opens the stream without headers.
    let token = server
        .call(
            Method::POST,
            "/api/v1/auth/media-token",
            Some(&admin),
            Some(json!({"path": path})),
        )
        .await;
    assert_eq!(token.status, 200, "{:?}", token.body);
    let mt = token.body["token"].as_str().unwrap();
    let response = client()
        .get(format!("{}{path}?mt={mt}", server.server.base_url()))
        .header("range", "bytes=0-9")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 206);

    // Without a grant the file does not exist; without credentials it is 401.
    let (_, stranger) = server.user("stranger", json!({})).await;
    let (status, _, _) = raw(&server, Method::GET, &path, &stranger, &[]).await;
    assert_eq!(status, 404);
    let anonymous = client()
        .get(format!("{}{path}", server.server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
    let (status, _, _) = raw(&server, Method::GET, "/api/v1/stream/999999", &admin, &[]).await;
    assert_eq!(status, 404);
    server.stop().await;
}

#[cfg(feature = "movie")]
#[tokio::test]
async fn progress_resume_continue_and_played_marks() {
    let Setup { server, _env, .. } = movie_server(settings(None), 2).await;
    let (movie, file) = movie_file(&server).await;
    let report = |event: &str, position_ms: i64| json!({"file_id": file, "event": event, "position_ms": position_ms, "duration_ms": 100_000});
    let post = |body: Value| {
        server.call(
            Method::POST,
            "/api/v1/playback/progress",
            Some(&server.admin),
            Some(body),
        )
    };

    let mut events = server.server.events().subscribe();
    let reply = post(report("start", 0)).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let started = tokio::time::timeout(Duration::from_secs(5), events.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(started.event.kind(), "playback.started");

    post(report("progress", 3_000)).await;
    let list = server.get("/api/v1/playback/continue").await;
    assert_eq!(
        list.body.as_array().unwrap().len(),
        0,
        "under 5% is not in progress"
    );

    let reply = post(report("stop", 40_000)).await;
    assert_eq!(reply.body["position_ms"], 40_000);
    assert_eq!(reply.body["played"], false);
    let list = server.get("/api/v1/playback/continue").await;
    assert_eq!(list.body[0]["item"]["item_id"], movie, "{:?}", list.body);
    assert_eq!(list.body[0]["state"]["position_ms"], 40_000);

    let reply = post(report("stop", 95_000)).await;
    assert_eq!(reply.body["played"], true);
    assert_eq!(reply.body["play_count"], 1);
    assert_eq!(reply.body["position_ms"], 0);
    let list = server.get("/api/v1/playback/continue").await;
    assert_eq!(
        list.body.as_array().unwrap().len(),
        0,
        "played items are done"
    );

    let state_path = format!("/api/v1/playback/items/movie/{movie}");
    let reply = server
        .call(
            Method::DELETE,
            &format!("{state_path}/played"),
            Some(&server.admin),
            None,
        )
        .await;
    assert_eq!(reply.body["played"], false);
    let reply = server
        .call(
            Method::POST,
            &format!("{state_path}/played"),
            Some(&server.admin),
            None,
        )
        .await;
    assert_eq!(reply.body["played"], true);
    assert_eq!(reply.body["play_count"], 2);
    assert_eq!(server.get(&state_path).await.body["play_count"], 2);

    // Another user's state is their own.
    let (_, other) = server.user("other", json!({"library_ids": []})).await;
    let reply = server.get_as(&other, &state_path).await;
    assert_eq!(reply.status, 404, "{:?}", reply.body);
    server.stop().await;
}

/// Reports that `token`'s user stopped the file at `position_ms` of 100 s; the state after.
async fn stop_at(server: &TestServer, token: &str, file: i64, position_ms: i64) -> Value {
    let reply = server
        .call(
            Method::POST,
            "/api/v1/playback/progress",
            Some(token),
            Some(json!({"file_id": file, "event": "stop", "position_ms": position_ms, "duration_ms": 100_000})),
        )
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body
}

/// `POST` (played) or `DELETE` (unplayed, resume position forgotten) of an item's played mark.
async fn mark(server: &TestServer, token: &str, method: Method, movie: i64) -> Value {
    let path = format!("/api/v1/playback/items/movie/{movie}/played");
    let reply = server.call(method, &path, Some(token), None).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body
}

/// What `token`'s user sees of the movie: its state, and the resume positions of their
/// continue-watching list.
async fn seen_by(server: &TestServer, token: &str, movie: i64) -> (Value, Vec<(i64, i64)>) {
    let state = server
        .get_as(token, &format!("/api/v1/playback/items/movie/{movie}"))
        .await;
    assert_eq!(state.status, 200, "{:?}", state.body);
    let list = server.get_as(token, "/api/v1/playback/continue").await;
    let resume = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let item = row["item"]["item_id"].as_i64().unwrap();
            (item, row["state"]["position_ms"].as_i64().unwrap())
        })
        .collect();
    (state.body, resume)
}

#[cfg(feature = "movie")]
#[tokio::test]
async fn two_users_of_one_library_never_see_or_change_each_others_progress() {
    let Setup {
        server,
        library,
        _env,
        ..
    } = movie_server(settings(None), 2).await;
    let (movie, file) = movie_file(&server).await;
    let grant = json!({"library_ids": [library]});
    let (_, alice) = server.user("alice", grant.clone()).await;
    let (_, bob) = server.user("bob", grant).await;
    let alice_unchanged = async || {
        let (state, resume) = seen_by(&server, &alice, movie).await;
        assert_eq!(state["position_ms"], 40_000, "{state}");
        assert_eq!(state["played"], false, "{state}");
        assert_eq!(state["play_count"], 0, "{state}");
        assert_eq!(resume, [(movie, 40_000)]);
    };

    stop_at(&server, &alice, file, 40_000).await;
    alice_unchanged().await;

    // Bob has access to the same movie but none of Alice's state.
    let (state, resume) = seen_by(&server, &bob, movie).await;
    assert_eq!(state["position_ms"], 0, "{state}");
    assert_eq!(state["played"], false, "{state}");
    assert!(resume.is_empty(), "{resume:?}");

    // His own progress is his, and leaves hers.
    let after = stop_at(&server, &bob, file, 20_000).await;
    assert_eq!(after["position_ms"], 20_000, "{after}");
    assert_eq!(seen_by(&server, &bob, movie).await.1, [(movie, 20_000)]);
    alice_unchanged().await;

    // Forgetting his progress (unplayed) forgets only his.
    let after = mark(&server, &bob, Method::DELETE, movie).await;
    assert_eq!(after["position_ms"], 0, "{after}");
    assert!(seen_by(&server, &bob, movie).await.1.is_empty());
    alice_unchanged().await;

    // Marking it played counts for him alone.
    let after = mark(&server, &bob, Method::POST, movie).await;
    assert_eq!(after["played"], true, "{after}");
    assert_eq!(after["play_count"], 1, "{after}");
    let after = stop_at(&server, &bob, file, 95_000).await;
    assert_eq!(after["play_count"], 2, "{after}");
    alice_unchanged().await;
    server.stop().await;
}

/// An ffmpeg that notes every run in `log` before handing over to the real one, so a test sees
/// whether the server started ffmpeg at all.
fn logging_ffmpeg(dir: &Path, log: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("ffmpeg");
    let script = format!(
        "#!/bin/sh\necho \"$@\" >> '{}'\nexec ffmpeg \"$@\"\n",
        log.display()
    );
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[cfg(feature = "movie")]
#[tokio::test]
async fn a_failing_pre_transcode_hook_refuses_the_transcode_before_ffmpeg_runs() {
    let temp = tempfile::tempdir().unwrap();
    let log = temp.path().join("ffmpeg.log");
    let ffmpeg = logging_ffmpeg(temp.path(), &log);
    let sessions = temp.path().join("sessions");
    let with_hook = |exit: u8, config: &mut Config| {
        config.transcoding = settings(Some(&sessions));
        config.transcoding.ffmpeg = ffmpeg.clone();
        config.hooks.pre_transcode = Some(vec![
            "sh".to_owned(),
            "-c".to_owned(),
            format!("exit {exit}"),
        ]);
    };
    let Setup {
        server, _env: env, ..
    } = movie_server_with(1, |config| with_hook(3, config)).await;
    let (_, file) = movie_file(&server).await;
    let master = format!("/api/v1/playback/{file}/hls/master.m3u8?device=tv&transcode=true");

    let ran_before = std::fs::read_to_string(&log).unwrap_or_default();
    let refused = server.get(&master).await;
    assert_eq!(refused.status, 403, "{:?}", refused.body);
    assert_eq!(
        header(&refused.headers, "content-type"),
        "application/problem+json"
    );
    assert_eq!(
        refused.body["code"], "transcode_refused",
        "{:?}",
        refused.body
    );
    let detail = refused.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("pre_transcode hook exited with status 3"),
        "{detail}"
    );
    assert_eq!(
        std::fs::read_to_string(&log).unwrap_or_default(),
        ran_before,
        "ffmpeg ran for a refused transcode"
    );
    let opened = std::fs::read_dir(&sessions).map_or(0, Iterator::count);
    assert_eq!(opened, 0, "a refused transcode opened a session");
    server.stop().await;

    // The same database and library, served with a hook that says yes.
    let mut config = env.config();
    with_hook(0, &mut config);
    let server = TestServer::start_with(config).await;
    let (status, headers, body) = raw(&server, Method::GET, &master, &server.admin, &[]).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert!(body.starts_with(b"#EXTM3U"));
    let session = header(&headers, "x-transcode-session");
    assert!(sessions.join(session).is_dir(), "no session {session}");
    let ran = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        ran.contains("-version"),
        "the transcoder never reached ffmpeg: {ran}"
    );
    server.stop().await;
}

#[cfg(feature = "tvshow")]
#[tokio::test]
async fn next_up_is_the_first_unwatched_episode_after_the_last_watched() {
    let env = TestEnv::new().await;
    let shows = env.data_dir().join("shows");
    let first = ffmpeg_movie(&shows, "Show/Season 1/Show - S01E01.mkv", 1);
    for n in 2..=4 {
        let name = format!("Show/Season 1/Show - S01E0{n}.mkv");
        std::fs::copy(&first, shows.join(name)).unwrap();
    }
    let server = env.start().await;
    let id = server.library_at("tvshow", "tvshow", &shows).await;
    server.scan_ok(id).await;
    let series = server.get("/api/v1/tvshow/series").await.body["items"][0]["id"]
        .as_i64()
        .unwrap();
    let seasons = server
        .get(&format!("/api/v1/tvshow/series/{series}/seasons"))
        .await;
    let season = seasons.body[0]["id"].as_i64().unwrap();
    let episodes = server
        .get(&format!("/api/v1/tvshow/seasons/{season}/episodes"))
        .await;
    let ids: Vec<i64> = episodes
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 4, "{:?}", episodes.body);
    assert_eq!(server.get("/api/v1/tvshow/next-up").await.body, json!([]));
    for episode in [ids[0], ids[1]] {
        let reply = server
            .call(
                Method::POST,
                &format!("/api/v1/playback/items/tvshow/{episode}/played"),
                Some(&server.admin),
                None,
            )
            .await;
        assert_eq!(reply.status, 200, "{:?}", reply.body);
    }
    let next = server.get("/api/v1/tvshow/next-up").await;
    assert_eq!(next.body[0]["id"], ids[2], "{:?}", next.body);
    // Watching episode 4 moves next-up past it: nothing follows.
    server
        .call(
            Method::POST,
            &format!("/api/v1/playback/items/tvshow/{}/played", ids[3]),
            Some(&server.admin),
            None,
        )
        .await;
    assert_eq!(server.get("/api/v1/tvshow/next-up").await.body, json!([]));
    server.stop().await;
}

fn ffprobe_start(init: &[u8], segment: &[u8], dir: &Path) -> f64 {
    let path = dir.join("probe.mp4");
    std::fs::write(&path, [init, segment].concat()).unwrap();
    let output = std::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "format=start_time:stream=codec_name",
            "-of",
            "json",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    let codecs: Vec<&str> = json["streams"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["codec_name"].as_str())
        .collect();
    assert!(codecs.contains(&"h264"), "{codecs:?}");
    json["format"]["start_time"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[cfg(feature = "movie")]
#[tokio::test]
async fn hls_transcodes_seek_expire_and_are_limited() {
    let temp = tempfile::tempdir().unwrap();
    let sessions = temp.path().join("sessions");
    let mut settings = settings(Some(&sessions));
    settings.max_concurrent = 1;
    settings.idle_timeout_secs = 2;
    settings.variants = vec![revenge_transcode::VariantSettings::new("240p", 240, 400)];
    let Setup { server, _env, .. } = movie_server(settings, 12).await;
    let (_, file) = movie_file(&server).await;
    let admin = server.admin.clone();

    let master = format!("/api/v1/playback/{file}/hls/master.m3u8?device=tv&transcode=true");
    let (status, headers, body) = raw(&server, Method::GET, &master, &admin, &[]).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let session = header(&headers, "x-transcode-session").to_owned();
    let text = String::from_utf8(body).unwrap();
    assert!(text.starts_with("#EXTM3U"), "{text}");
    let variant_url = text
        .lines()
        .find(|l| l.starts_with('/'))
        .unwrap()
        .to_owned();
    assert!(variant_url.contains("/240p/index.m3u8"), "{variant_url}");

    let (status, _, body) = raw(&server, Method::GET, &variant_url, &admin, &[]).await;
    assert_eq!(status, 200);
    let variant = String::from_utf8(body).unwrap();
    let segments: Vec<&str> = variant.lines().filter(|l| l.starts_with('/')).collect();
    // 12 s in 4 s segments, plus a sliver when the audio runs a few milliseconds longer.
    assert!((3..=4).contains(&segments.len()), "{variant}");
    assert!(variant.contains("#EXT-X-ENDLIST"));

    let base = format!("/api/v1/playback/sessions/{session}/240p");
    let (status, _, init) = raw(
        &server,
        Method::GET,
        &format!("{base}/init.mp4"),
        &admin,
        &[],
    )
    .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&init));
    let (status, _, first) = raw(&server, Method::GET, &format!("{base}/0.m4s"), &admin, &[]).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&first));
    let start = ffprobe_start(&init, &first, temp.path());
    assert!(start < 0.5, "first segment starts at {start}");

    // A fresh session seeking straight to the middle: ffmpeg starts there.
    let (status, _, _) = raw(
        &server,
        Method::DELETE,
        &format!("/api/v1/playback/sessions/{session}"),
        &admin,
        &[],
    )
    .await;
    assert_eq!(status, 204);
    let (_, headers, _) = raw(&server, Method::GET, &master, &admin, &[]).await;
    let session = header(&headers, "x-transcode-session").to_owned();
    let base = format!("/api/v1/playback/sessions/{session}/240p");
    let (status, _, middle) =
        raw(&server, Method::GET, &format!("{base}/2.m4s"), &admin, &[]).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&middle));
    let (_, _, init) = raw(
        &server,
        Method::GET,
        &format!("{base}/init.mp4"),
        &admin,
        &[],
    )
    .await;
    let start = ffprobe_start(&init, &middle, temp.path());
    assert!(
        (7.5..8.5).contains(&start),
        "segment 2 starts at {start}, not near 8 s"
    );

    // The limit is one session: another device is refused with a reason.
    let other = format!("/api/v1/playback/{file}/hls/master.m3u8?device=phone");
    let reply = server.get(&other).await;
    assert_eq!(reply.status, 503, "{:?}", reply.body);
    assert_eq!(reply.body["code"], "transcode_limit");
    assert!(reply.body["detail"].as_str().unwrap().contains("limit"));

    // Left alone, the session ends: its files go, and the slot is free again.
    let dir = sessions.join(&session);
    assert!(dir.exists());
    let mut gone = false;
    for _ in 0..200 {
        if !dir.exists() {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(gone, "the idle session's files were not deleted");
    let (status, _, _) = raw(&server, Method::GET, &format!("{base}/0.m4s"), &admin, &[]).await;
    assert_eq!(status, 404, "an expired session is gone");
    let reply = server.get(&other).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    server.stop().await;
}

#[cfg(feature = "movie")]
#[tokio::test]
async fn a_missing_ffmpeg_is_named() {
    let settings = TranscodeSettings {
        ffmpeg: PathBuf::from("/nonexistent/ffmpeg"),
        ..TranscodeSettings::default()
    };
    let Setup { server, _env, .. } = movie_server(settings, 1).await;
    let (_, file) = movie_file(&server).await;
    let reply = server
        .get(&format!("/api/v1/playback/{file}/hls/master.m3u8"))
        .await;
    assert_eq!(reply.status, 503, "{:?}", reply.body);
    assert_eq!(reply.body["code"], "ffmpeg_missing");
    assert!(
        reply.body["detail"].as_str().unwrap().contains("ffmpeg"),
        "{:?}",
        reply.body
    );
    server.stop().await;
}

#[cfg(feature = "movie")]
#[tokio::test]
async fn playback_info_decides_by_client_capabilities() {
    let Setup { server, _env, .. } = movie_server(settings(None), 1).await;
    let (_, file) = movie_file(&server).await;
    let path = format!("/api/v1/playback/{file}/info");
    let info = |caps: Value| {
        server.call(
            Method::POST,
            &path,
            Some(&server.admin),
            Some(json!({"capabilities": caps, "device": "web"})),
        )
    };
    let reply =
        info(json!({"containers": ["mkv"], "video_codecs": ["h264"], "audio_codecs": ["aac"]}))
            .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.body["method"], "direct_play");
    assert!(reply.body["direct_url"].as_str().unwrap().contains("mt="));
    let reply =
        info(json!({"containers": ["mp4"], "video_codecs": ["h264"], "audio_codecs": ["aac"]}))
            .await;
    assert_eq!(reply.body["method"], "direct_stream");
    assert!(
        reply.body["hls_url"]
            .as_str()
            .unwrap()
            .contains("master.m3u8")
    );
    let reply =
        info(json!({"containers": ["mkv"], "video_codecs": ["vp9"], "audio_codecs": ["aac"]}))
            .await;
    assert_eq!(reply.body["method"], "transcode");
    server.stop().await;
}
