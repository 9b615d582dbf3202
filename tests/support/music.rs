//! Music test support: a small library made with ffmpeg, and a Subsonic client that signs
//! every request with a fresh token and salt.
#![allow(dead_code, reason = "each test file uses part of the helpers")]

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use md5::{Digest, Md5};
use reqwest::Method;
use revenge_tests::{TestEnv, TestServer, client};
use serde_json::{Value, json};

/// Where ffmpeg is.
pub const FFMPEG: &str = "/usr/bin/ffmpeg";

/// The scanned library.
#[derive(Debug)]
pub struct Library {
    /// Its id.
    pub lib: i64,
    /// Its folder.
    pub root: PathBuf,
}

fn ffmpeg(args: &[&OsStr], out: &Path) {
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let status = Command::new(FFMPEG)
        .args(["-nostdin", "-y", "-loglevel", "error"])
        .args(args)
        .arg(out)
        .status()
        .unwrap_or_else(|e| panic!("cannot run {FFMPEG}: {e}"));
    assert!(status.success(), "ffmpeg failed for {}", out.display());
}

pub fn tone(out: &Path, codec: &[&str], tags: &[(&str, &str)]) {
    let mut args: Vec<std::ffi::OsString> = ["-f", "lavfi", "-i", "sine=f=440:d=2"]
        .iter()
        .map(Into::into)
        .collect();
    args.extend(codec.iter().map(Into::into));
    for (key, value) in tags {
        args.push("-metadata".into());
        args.push(format!("{key}={value}").into());
    }
    let refs: Vec<&OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    ffmpeg(&refs, out);
}

/// Makes the test library under `root`: 9 tracks in 5 albums, a cover, lyrics, a broken file
/// and a file whose name is not UTF-8.
pub fn make_library(root: &Path) {
    let first = root.join("Artist One/First Album");
    std::fs::create_dir_all(&first).unwrap();
    ffmpeg(
        &["-f", "lavfi", "-i", "color=c=red:s=64x64", "-frames:v", "1"].map(OsStr::new),
        &first.join("cover.jpg"),
    );
    let album = [
        ("album", "First Album"),
        ("artist", "Artist One"),
        ("date", "2001"),
    ];
    let with = |extra: &[(&'static str, &'static str)]| -> Vec<(&'static str, &'static str)> {
        album.iter().chain(extra).copied().collect()
    };
    tone(
        &first.join("01 - Alpha.mp3"),
        &["-c:a", "libmp3lame"],
        &with(&[("title", "Alpha"), ("track", "1/3"), ("genre", "Rock")]),
    );
    std::fs::write(
        first.join("01 - Alpha.lrc"),
        "[ar:Artist One]\n[00:01.00]First line\n[00:02.50]Second line\n",
    )
    .unwrap();
    tone(
        &first.join("02 - Beta.flac"),
        &["-c:a", "flac"],
        &with(&[("title", "Beta"), ("track", "2/3"), ("genre", "Rock;Pop")]),
    );
    tone(
        &first.join(OsStr::from_bytes(b"03 - Caf\xe9.mp3")),
        &["-c:a", "libmp3lame"],
        &with(&[("title", "Café"), ("track", "3/3")]),
    );
    tone(
        &root.join("Artist Two/Second/01 - Gamma.opus"),
        &["-c:a", "libopus"],
        &[
            ("title", "Gamma"),
            ("artist", "Artist Two"),
            ("album", "Second"),
            ("genre", "Jazz"),
            ("date", "2010-04-01"),
            ("track", "1"),
        ],
    );
    for (file, title, artist) in [
        ("01.m4a", "Hit One", "Solo Singer"),
        ("02.m4a", "Hit Two", "Other Singer"),
    ] {
        tone(
            &root.join("Compilations/Hits").join(file),
            &["-c:a", "aac"],
            &[
                ("title", title),
                ("artist", artist),
                ("album", "Hits"),
                ("compilation", "1"),
            ],
        );
    }
    let third = root.join("Artist Three/Third");
    let cover = first.join("cover.jpg");
    let mut args: Vec<std::ffi::OsString> = ["-f", "lavfi", "-i", "sine=f=440:d=2", "-i"]
        .iter()
        .map(Into::into)
        .collect();
    args.push(cover.into_os_string());
    for arg in [
        "-map",
        "0:a",
        "-map",
        "1:v",
        "-c:a",
        "libmp3lame",
        "-c:v",
        "copy",
        "-id3v2_version",
        "3",
        "-disposition:v",
        "attached_pic",
        "-metadata",
        "title=Song v23",
        "-metadata",
        "artist=Singer A/Singer B",
        "-metadata",
        "album_artist=Artist Three",
        "-metadata",
        "album=Third",
        "-metadata",
        "track=1",
    ] {
        args.push(arg.into());
    }
    let refs: Vec<&OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    ffmpeg(&refs, &third.join("01 - Song v23.mp3"));
    tone(
        &third.join("02 - Song v24.mp3"),
        &["-c:a", "libmp3lame", "-id3v2_version", "4"],
        &[
            ("title", "Song v24"),
            ("artist", "Singer C;Singer D"),
            ("album_artist", "Artist Three"),
            ("album", "Third"),
            ("track", "2"),
        ],
    );
    // An ID3 header promising more than the file holds, and no audio.
    let broken = root.join("Broken/Bad Album/05 - Broken Song.mp3");
    std::fs::create_dir_all(broken.parent().unwrap()).unwrap();
    let mut bytes = b"ID3\x04\x00\x00\x00\x00\x7f\x7fTIT2".to_vec();
    bytes.extend(std::iter::repeat_n(0xAB, 300));
    std::fs::write(broken, bytes).unwrap();
}

/// A fresh server with the test library scanned.
pub async fn setup() -> (TestEnv, TestServer, Library) {
    setup_with(|_| {}).await
}

/// [`setup`] with the config changed first (another search backend).
pub async fn setup_with(
    change: impl FnOnce(&mut revenge_config::Config),
) -> (TestEnv, TestServer, Library) {
    let env = TestEnv::new().await;
    let root = env.data_dir().join("music");
    make_library(&root);
    let mut config = env.config();
    change(&mut config);
    let server = TestServer::start_with(config).await;
    let reply = server
        .call(
            Method::POST,
            "/api/v1/libraries",
            Some(&server.admin),
            Some(json!({"module": "music", "name": "Music", "folders": [root.display().to_string()]})),
        )
        .await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    let lib = reply.body["id"].as_i64().unwrap();
    let job = server.scan(lib).await;
    assert_eq!(job["state"], "succeeded", "{job}");
    // 5 album artists, 5 albums, 9 tracks: Subsonic searches answer from the index.
    indexed(&server, 19).await;
    (env, server, Library { lib, root })
}

/// Waits until the search index holds `count` music documents (artists, albums and tracks
/// the administrator sees): indexing follows a scan through jobs, a moment later.
pub async fn indexed(server: &TestServer, count: u64) {
    let mut last = Value::Null;
    for _ in 0..1200 {
        let reply = server
            .get("/api/v1/search?types=artist,album,track&limit=1")
            .await;
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        if reply.body["total"] == count {
            return;
        }
        last = reply.body;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the search index never held {count} music documents: {last}");
}

/// A Subsonic client for one user.
#[derive(Debug, Clone)]
pub struct Sub {
    /// The server's address.
    pub base: String,
    /// The user name.
    pub user: String,
    /// The user's Subsonic password.
    pub password: String,
}

fn token(password: &str, salt: &str) -> String {
    let mut hasher = Md5::new();
    hasher.update(password.as_bytes());
    hasher.update(salt.as_bytes());
    hex::encode(hasher.finalize())
}

impl Sub {
    /// The administrator, with a new Subsonic password.
    pub async fn new(server: &TestServer) -> Self {
        let reply = server
            .call(
                Method::POST,
                "/api/v1/music/subsonic-password",
                Some(&server.admin),
                None,
            )
            .await;
        assert_eq!(reply.status, 201, "{:?}", reply.body);
        assert_eq!(reply.body["username"], "admin");
        Self::with_password(server, "admin", reply.body["password"].as_str().unwrap())
    }

    /// `user` (signed in with `token`) after making themselves a new Subsonic password through
    /// the native API, as a client on `on` would use it.
    pub async fn rotated(made_on: &TestServer, on: &TestServer, user: &str, token: &str) -> Self {
        let reply = made_on
            .call(
                Method::POST,
                "/api/v1/music/subsonic-password",
                Some(token),
                None,
            )
            .await;
        assert_eq!(reply.status, 201, "{:?}", reply.body);
        Self::with_password(on, user, reply.body["password"].as_str().unwrap())
    }

    /// A user with a known Subsonic password.
    pub fn with_password(server: &TestServer, user: &str, password: &str) -> Self {
        Self {
            base: server.server.base_url(),
            user: user.to_owned(),
            password: password.to_owned(),
        }
    }

    fn url(&self, method: &str, params: &[(&str, &str)], format: Option<&str>) -> String {
        let salt = uuid::Uuid::new_v4().simple().to_string();
        let mut query = form_urlencoded::Serializer::new(String::new());
        query
            .append_pair("u", &self.user)
            .append_pair("t", &token(&self.password, &salt))
            .append_pair("s", &salt)
            .append_pair("v", "1.16.1")
            .append_pair("c", "revenge-tests");
        if let Some(format) = format {
            query.append_pair("f", format);
        }
        for (k, v) in params {
            query.append_pair(k, v);
        }
        format!("{}/rest/{method}.view?{}", self.base, query.finish())
    }

    /// A JSON call; returns the inside of `subsonic-response`.
    pub async fn json(&self, method: &str, params: &[(&str, &str)]) -> Value {
        let response = client()
            .get(self.url(method, params, Some("json")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{method}");
        let body: Value = response.json().await.unwrap();
        let inner = body["subsonic-response"].clone();
        assert_eq!(inner["version"], "1.16.1", "{method}: {body}");
        inner
    }

    /// An XML call; returns the document.
    pub async fn xml(&self, method: &str, params: &[(&str, &str)]) -> String {
        let response = client()
            .get(self.url(method, params, None))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{method}");
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(
            content_type.starts_with("text/xml"),
            "{method}: {content_type}"
        );
        let text = response.text().await.unwrap();
        assert!(text.starts_with("<?xml"), "{method}: {text}");
        text
    }

    /// A call answering bytes: status, content type, body.
    pub async fn raw(&self, method: &str, params: &[(&str, &str)]) -> (u16, String, Vec<u8>) {
        self.fetch(client().get(self.url(method, params, None)))
            .await
    }

    /// The same with a Range header.
    pub async fn ranged(
        &self,
        method: &str,
        params: &[(&str, &str)],
        range: &str,
    ) -> (u16, String, Vec<u8>) {
        self.fetch(
            client()
                .get(self.url(method, params, None))
                .header("range", range),
        )
        .await
    }

    async fn fetch(&self, request: reqwest::RequestBuilder) -> (u16, String, Vec<u8>) {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (
            status,
            content_type,
            response.bytes().await.unwrap().to_vec(),
        )
    }

    /// A POST with the parameters (credentials included) in a form body.
    pub async fn post_form(&self, method: &str, params: &[(&str, &str)]) -> Value {
        let url = self.url(method, params, Some("json"));
        let (path, query) = url.split_once('?').unwrap();
        let response = client()
            .post(path)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(query.to_owned())
            .send()
            .await
            .unwrap();
        response.json().await.unwrap()
    }

    /// A call with exactly these parameters (no credentials added); the whole JSON body.
    pub async fn anonymous(&self, params: &[(&str, &str)], method: &str) -> Value {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in params {
            query.append_pair(k, v);
        }
        let response = client()
            .get(format!("{}/rest/{method}?{}", self.base, query.finish()))
            .send()
            .await
            .unwrap();
        response.json().await.unwrap()
    }
}
