//! Remote transcoding: a server with `transcoding.backend: remote` and a transcoder (the same
//! `start_transcoder` that `revenge transcoder` runs, in this process on its own loopback
//! listener: a test of this package cannot get the `revenge` binary's path). The server hands
//! the transcoder a signed URL of its stream route, proxies playlists and segments, and
//! stopping the session deletes it on the transcoder; a transcoder that is down is a 503 that
//! names it. Media are made with ffmpeg at test time; a missing ffmpeg fails, never skips.
#![allow(
    clippy::unwrap_used,
    reason = "a test fails by panicking, helpers included"
)]

use std::path::{Path, PathBuf};

use reqwest::Method;
use revenge_config::{Backend, Config, VariantConfig};
use revenge_tests::{TestEnv, TestServer, client, ffmpeg_movie};
use revenge_transcode::service::{API_PREFIX, SECRET_HEADER};
use serde_json::{Value, json};

const SECRET: &str = "transcoder-test-secret";

async fn raw(
    server: &TestServer,
    method: Method,
    path: &str,
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let response = client()
        .request(method, format!("{}{path}", server.server.base_url()))
        .bearer_auth(&server.admin)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.bytes().await.unwrap().to_vec())
}

fn ffprobe_codecs(init: &[u8], segment: &[u8], dir: &Path) -> Vec<String> {
    let path = dir.join("probe.mp4");
    std::fs::write(&path, [init, segment].concat()).unwrap();
    let output = std::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "stream=codec_name",
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
    json["streams"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["codec_name"].as_str().map(str::to_owned))
        .collect()
}

#[cfg(feature = "movie")]
#[tokio::test]
async fn a_remote_transcoder_serves_through_the_server_and_stops_with_it() {
    let temp = tempfile::tempdir().unwrap();
    let transcoder_dir = temp.path().join("transcoder");
    let mut transcoder_config = Config::default();
    transcoder_config.transcoding.temp_dir = Some(transcoder_dir.clone());
    transcoder_config.transcoding.segment_wait_secs = 120;
    transcoder_config.transcoding.variants = vec![VariantConfig::new("240p", 240, 400)];
    transcoder_config.transcoding.remote.secret = SECRET.to_owned();
    let transcoder = revenge_server::start_transcoder(&transcoder_config, "127.0.0.1:0")
        .await
        .unwrap();
    let transcoder_url = transcoder.base_url();

    let env = TestEnv::new().await;
    let media = env.data_dir().join("films");
    ffmpeg_movie(&media, "Test Pattern (2020)/Test Pattern (2020).mkv", 8);
    let mut config = env.config();
    config.transcoding.backend = Backend::Remote;
    config.transcoding.remote.url = transcoder_url.clone();
    config.transcoding.remote.secret = SECRET.to_owned();
    config.transcoding.remote.connect_timeout_secs = 2;
    config.transcoding.remote.request_timeout_secs = 150;
    // The server itself runs no ffmpeg: a wrong path here proves it.
    config.transcoding.ffmpeg = PathBuf::from("/nonexistent/ffmpeg");
    let server = TestServer::start_with(config).await;
    let reply = server
        .call(
            Method::POST,
            "/api/v1/libraries",
            Some(&server.admin),
            Some(json!({"module": "movie", "name": "Films", "folders": [media.display().to_string()]})),
        )
        .await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    server.scan_ok(reply.body["id"].as_i64().unwrap()).await;
    let list = server.get("/api/v1/movie/movies").await;
    let movie = list.body["items"][0]["id"].as_i64().unwrap();
    let detail = server.get(&format!("/api/v1/movie/movies/{movie}")).await;
    let file = detail.body["files"][0]["id"].as_i64().unwrap();

    // The master playlist through the server opens a session on the transcoder.
    let master = format!("/api/v1/playback/{file}/hls/master.m3u8?device=tv&transcode=true");
    let (status, headers, body) = raw(&server, Method::GET, &master).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let session = headers["x-transcode-session"].to_str().unwrap().to_owned();
    let text = String::from_utf8(body).unwrap();
    assert!(text.contains("/240p/index.m3u8"), "{text}");
    let session_dir = transcoder_dir.join(&session);
    assert!(session_dir.is_dir(), "the session lives on the transcoder");

    let base = format!("/api/v1/playback/sessions/{session}/240p");
    let (status, _, variant) = raw(&server, Method::GET, &format!("{base}/index.m3u8")).await;
    assert_eq!(status, 200);
    assert!(
        String::from_utf8(variant)
            .unwrap()
            .contains("#EXT-X-ENDLIST")
    );
    let (status, _, segment) = raw(&server, Method::GET, &format!("{base}/0.m4s")).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&segment));
    let (status, _, init) = raw(&server, Method::GET, &format!("{base}/init.mp4")).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&init));
    let codecs = ffprobe_codecs(&init, &segment, temp.path());
    assert!(codecs.iter().any(|c| c == "h264"), "{codecs:?}");

    // The transcoder answers only with the secret, and never reads a path.
    let direct = client();
    let health = format!("{transcoder_url}{API_PREFIX}/health");
    let answer = direct.get(&health).send().await.unwrap();
    assert_eq!(answer.status().as_u16(), 401);
    let answer = direct
        .get(&health)
        .header(SECRET_HEADER, "wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 401);
    let answer = direct
        .post(format!("{transcoder_url}{API_PREFIX}/sessions"))
        .header(SECRET_HEADER, SECRET)
        .json(&json!({
            "source": {"path": "/etc/passwd"}, "duration_secs": 8.0, "source_height": 360,
            "source_width": 640, "copy_video": false, "audio_track": 0, "burn_subtitle": null
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 400);

    // Stopping the session on the server stops it on the transcoder: ffmpeg gone, files gone.
    let (status, _, _) = raw(
        &server,
        Method::DELETE,
        &format!("/api/v1/playback/sessions/{session}"),
    )
    .await;
    assert_eq!(status, 204);
    assert!(!session_dir.exists(), "the transcoder deleted the session");
    let answer = direct
        .get(format!("{transcoder_url}{API_PREFIX}/sessions/{session}"))
        .header(SECRET_HEADER, SECRET)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 404);
    let answer: Value = direct
        .get(&health)
        .header(SECRET_HEADER, SECRET)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["sessions"], 0);

    // With the transcoder down, the client gets a 503 naming it, not a hang.
    transcoder.stop().await.unwrap();
    let reply = server
        .get(&format!(
            "/api/v1/playback/{file}/hls/master.m3u8?device=phone"
        ))
        .await;
    assert_eq!(reply.status, 503, "{:?}", reply.body);
    assert_eq!(reply.body["code"], "remote_transcoder_failed");
    let detail = reply.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("transcoder") && detail.contains(&transcoder_url),
        "{detail}"
    );
    server.stop().await;
}

#[cfg(feature = "movie")]
#[tokio::test]
async fn redirected_players_fetch_segments_from_the_transcoder_with_a_session_token() {
    let temp = tempfile::tempdir().unwrap();
    let mut transcoder_config = Config::default();
    transcoder_config.transcoding.temp_dir = Some(temp.path().join("transcoder"));
    transcoder_config.transcoding.segment_wait_secs = 120;
    transcoder_config.transcoding.variants = vec![VariantConfig::new("240p", 240, 400)];
    transcoder_config.transcoding.remote.secret = SECRET.to_owned();
    let transcoder = revenge_server::start_transcoder(&transcoder_config, "127.0.0.1:0")
        .await
        .unwrap();

    let env = TestEnv::new().await;
    let media = env.data_dir().join("films");
    ffmpeg_movie(&media, "Test Pattern (2020)/Test Pattern (2020).mkv", 4);
    let mut config = env.config();
    config.transcoding.backend = Backend::Remote;
    config.transcoding.remote.url = transcoder.base_url();
    config.transcoding.remote.secret = SECRET.to_owned();
    config.transcoding.remote.redirect = true;
    let server = TestServer::start_with(config).await;
    let reply = server
        .call(
            Method::POST,
            "/api/v1/libraries",
            Some(&server.admin),
            Some(json!({"module": "movie", "name": "Films", "folders": [media.display().to_string()]})),
        )
        .await;
    server.scan_ok(reply.body["id"].as_i64().unwrap()).await;
    let list = server.get("/api/v1/movie/movies").await;
    let movie = list.body["items"][0]["id"].as_i64().unwrap();
    let detail = server.get(&format!("/api/v1/movie/movies/{movie}")).await;
    let file = detail.body["files"][0]["id"].as_i64().unwrap();

    let master = format!("/api/v1/playback/{file}/hls/master.m3u8?transcode=true");
    let (status, headers, body) = raw(&server, Method::GET, &master).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let session = headers["x-transcode-session"].to_str().unwrap().to_owned();
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = no_redirects
        .get(format!(
            "{}/api/v1/playback/sessions/{session}/240p/0.m4s",
            server.server.base_url()
        ))
        .bearer_auth(&server.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 307);
    let location = answer.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&transcoder.base_url()), "{location}");
    assert!(location.contains("token="), "{location}");
    let segment = no_redirects.get(&location).send().await.unwrap();
    assert_eq!(segment.status().as_u16(), 200);
    assert!(!segment.bytes().await.unwrap().is_empty());
    // Without the token (or with another session's), the transcoder refuses.
    let bare = location.split('?').next().unwrap();
    assert_eq!(
        no_redirects
            .get(bare)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        401
    );
    server.stop().await;
    transcoder.stop().await.unwrap();
}
