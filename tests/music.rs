//! The music module end to end: a library generated with ffmpeg (MP3 with ID3v2.4 and v2.3,
//! FLAC, Opus, M4A, a cover, lyrics, a broken file and a non-UTF-8 name) is scanned, then read
//! through the native API and every Subsonic endpoint in XML and JSON, with every way of
//! authenticating, and as a user without access.
#![allow(
    clippy::unwrap_used,
    reason = "a test fails by panicking, helpers included"
)]

#[path = "support/music.rs"]
mod music_support;

use music_support::{Library, Sub, indexed, setup, tone};
use reqwest::Method;
use serde_json::{Value, json};

fn names(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| i[key].as_str().unwrap_or("?").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn music_is_scanned_browsed_and_served_over_subsonic() {
    let (env, server, library) = setup().await;
    let Library { lib, .. } = library;

    // --- The native API.
    let artists = server.get("/api/v1/music/artists").await;
    assert_eq!(artists.status, 200, "{:?}", artists.body);
    let artist_names = names(&artists.body["items"], "name");
    for expected in [
        "Artist One",
        "Artist Three",
        "Artist Two",
        "Broken",
        "Various Artists",
    ] {
        assert!(
            artist_names.contains(&expected.to_owned()),
            "{expected} in {artist_names:?}"
        );
    }
    let albums = server.get("/api/v1/music/albums?limit=50").await.body;
    assert_eq!(albums["total"], 5, "{albums}");
    let album_titles = names(&albums["items"], "title");
    assert_eq!(
        album_titles,
        ["Bad Album", "First Album", "Hits", "Second", "Third"]
    );
    let first = albums["items"][1]["id"].as_i64().unwrap();
    assert_eq!(albums["items"][1]["track_count"], 3);
    let hits = &albums["items"][2];
    assert_eq!(hits["artist"], "Various Artists", "a compilation: {hits}");
    assert_eq!(hits["compilation"], true);

    let detail = server.get(&format!("/api/v1/music/albums/{first}")).await;
    assert_eq!(detail.status, 200);
    let tracks = &detail.body["tracks"];
    assert_eq!(names(tracks, "title"), ["Alpha", "Beta", "Café"]);
    assert_eq!(tracks[0]["track"], 1);
    assert_eq!(tracks[0]["track_total"], 3);
    assert_eq!(tracks[0]["year"], 2001);
    assert_eq!(tracks[0]["has_lyrics"], true, "the .lrc sidecar");
    assert_eq!(tracks[1]["genres"], json!(["Rock", "Pop"]));
    assert_eq!(tracks[1]["suffix"], "flac");
    assert!(tracks[1]["duration_ms"].as_i64().unwrap() >= 1900);
    assert!(tracks[1]["sample_rate"].as_i64().unwrap() > 0);

    let third = server.get("/api/v1/music/tracks?q=v23").await.body;
    assert_eq!(third["total"], 1, "{third}");
    assert_eq!(
        third["items"][0]["artists"],
        json!(["Singer A", "Singer B"]),
        "ID3v2.3 separates artists with a slash"
    );
    assert_eq!(third["items"][0]["has_embedded_cover"], true);
    let v24 = server.get("/api/v1/music/tracks?q=v24").await.body;
    assert_eq!(
        v24["items"][0]["artists"],
        json!(["Singer C", "Singer D"]),
        "ID3v2.4 separates artists with NUL"
    );

    let broken = server.get("/api/v1/music/tracks?q=broken").await.body;
    assert_eq!(broken["total"], 1, "the broken file is listed: {broken}");
    assert_eq!(broken["items"][0]["title"], "Broken Song");
    assert_eq!(broken["items"][0]["album"], "Bad Album");
    assert_eq!(broken["items"][0]["track"], 5);
    assert!(broken["items"][0]["warning"].is_string(), "{broken}");

    let genres = server.get("/api/v1/music/genres").await.body;
    let rock = genres
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "Rock")
        .unwrap();
    assert_eq!(rock["track_count"], 2);
    assert_eq!(server.get("/api/v1/music/recent").await.status, 200);
    let random = server.get("/api/v1/music/random?limit=3").await;
    assert_eq!(random.body.as_array().unwrap().len(), 3);
    let artist_id = artists.body["items"][0]["id"].as_i64().unwrap();
    assert_eq!(
        server
            .get(&format!("/api/v1/music/artists/{artist_id}"))
            .await
            .status,
        200
    );
    let image = server
        .get(&format!("/api/v1/images/music.{first}.poster"))
        .await;
    assert_eq!(image.status, 200, "the album's cover.jpg");

    // --- Subsonic, every endpoint in both formats.
    let sub = Sub::new(&server).await;
    let xml = sub.xml("ping", &[]).await;
    assert!(xml.contains("status=\"ok\""), "{xml}");
    assert!(xml.contains("xmlns=\"http://subsonic.org/restapi\""));
    let folders = sub.json("getMusicFolders", &[]).await;
    assert_eq!(folders["musicFolders"]["musicFolder"][0]["id"], lib);

    let indexes = sub.json("getArtists", &[]).await;
    let index = indexes["artists"]["index"].as_array().unwrap();
    let all: Vec<String> = index
        .iter()
        .flat_map(|i| names(&i["artist"], "name"))
        .collect();
    assert!(all.contains(&"Artist One".to_owned()), "{all:?}");
    let artist_one = index
        .iter()
        .flat_map(|i| i["artist"].as_array().unwrap().clone())
        .find(|a| a["name"] == "Artist One")
        .unwrap();
    let artist_one_id = artist_one["id"].as_str().unwrap().to_owned();
    assert_eq!(artist_one["albumCount"], 1);

    let artist = sub.json("getArtist", &[("id", &artist_one_id)]).await;
    let album_id = artist["artist"]["album"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(artist["artist"]["album"][0]["name"], "First Album");
    let album = sub.json("getAlbum", &[("id", &album_id)]).await;
    assert_eq!(album["album"]["songCount"], 3);
    let songs = album["album"]["song"].as_array().unwrap().clone();
    assert_eq!(songs[0]["title"], "Alpha");
    assert_eq!(
        songs[1]["genres"],
        json!([{"name": "Rock"}, {"name": "Pop"}])
    );
    let alpha = songs[0]["id"].as_str().unwrap().to_owned();
    let beta = songs[1]["id"].as_str().unwrap().to_owned();
    let song = sub.json("getSong", &[("id", &beta)]).await;
    assert_eq!(song["song"]["title"], "Beta");
    assert_eq!(song["song"]["suffix"], "flac");
    let dir = sub
        .json("getMusicDirectory", &[("id", &artist_one_id)])
        .await;
    assert_eq!(dir["directory"]["child"][0]["id"], album_id.as_str());
    let dir = sub.json("getMusicDirectory", &[("id", &album_id)]).await;
    assert_eq!(dir["directory"]["child"].as_array().unwrap().len(), 3);
    let idx = sub.json("getIndexes", &[]).await;
    assert!(idx["indexes"]["index"].as_array().unwrap().len() >= 3);

    let list = sub
        .json(
            "getAlbumList2",
            &[("type", "alphabeticalByName"), ("size", "50")],
        )
        .await;
    assert_eq!(
        names(&list["albumList2"]["album"], "name"),
        ["Bad Album", "First Album", "Hits", "Second", "Third"]
    );
    // A page: ordered and cut before the per-album counts are read, which still come with it.
    let page = sub
        .json(
            "getAlbumList2",
            &[
                ("type", "alphabeticalByName"),
                ("size", "2"),
                ("offset", "1"),
            ],
        )
        .await;
    assert_eq!(
        names(&page["albumList2"]["album"], "name"),
        ["First Album", "Hits"]
    );
    assert_eq!(page["albumList2"]["album"][0]["songCount"], 3, "{page}");
    assert_eq!(page["albumList2"]["album"][1]["songCount"], 2, "{page}");
    let by_artist = sub
        .json(
            "getAlbumList2",
            &[("type", "alphabeticalByArtist"), ("size", "50")],
        )
        .await;
    let artists = names(&by_artist["albumList2"]["album"], "artist");
    let mut sorted = artists.clone();
    sorted.sort_by_key(|a| a.to_lowercase());
    assert_eq!(artists.len(), 5, "{by_artist}");
    assert_eq!(artists, sorted, "{by_artist}");
    let list = sub
        .json("getAlbumList", &[("type", "byGenre"), ("genre", "Rock")])
        .await;
    assert_eq!(names(&list["albumList"]["album"], "title"), ["First Album"]);
    let list = sub
        .json(
            "getAlbumList2",
            &[("type", "byYear"), ("fromYear", "2000"), ("toYear", "2002")],
        )
        .await;
    assert_eq!(names(&list["albumList2"]["album"], "name"), ["First Album"]);
    let random = sub.json("getRandomSongs", &[("size", "2")]).await;
    assert_eq!(random["randomSongs"]["song"].as_array().unwrap().len(), 2);
    let by_genre = sub.json("getSongsByGenre", &[("genre", "Rock")]).await;
    assert_eq!(
        by_genre["songsByGenre"]["song"].as_array().unwrap().len(),
        2
    );
    let genres = sub.json("getGenres", &[]).await;
    assert!(
        genres["genres"]["genre"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["value"] == "Rock" && g["songCount"] == 2),
        "{genres}"
    );
    let genres_xml = sub.xml("getGenres", &[]).await;
    assert!(genres_xml.contains(">Rock</genre>"), "{genres_xml}");
    let found = sub.json("search3", &[("query", "alp")]).await;
    assert_eq!(names(&found["searchResult3"]["song"], "title"), ["Alpha"]);
    let found = sub.json("search2", &[("query", "artist one")]).await;
    assert_eq!(
        names(&found["searchResult2"]["artist"], "name"),
        ["Artist One"]
    );
    let everything = sub
        .json("search3", &[("query", "\"\""), ("songCount", "100")])
        .await;
    assert_eq!(
        everything["searchResult3"]["song"]
            .as_array()
            .unwrap()
            .len(),
        9,
        "an empty query lists everything"
    );

    // Cover art, streams, downloads.
    let cover = sub.raw("getCoverArt", &[("id", &album_id)]).await;
    assert_eq!(cover.0, 200);
    assert_eq!(cover.1, "image/jpeg");
    let small = sub
        .raw("getCoverArt", &[("id", &album_id), ("size", "16")])
        .await;
    let picture = image::load_from_memory(&small.2).unwrap();
    assert_eq!((picture.width(), picture.height()), (16, 16));
    let embedded = third["items"][0]["id"].as_i64().unwrap().to_string();
    let cover = sub.raw("getCoverArt", &[("id", &embedded)]).await;
    assert_eq!(cover.0, 200, "the embedded picture");
    let missing = sub.json("getCoverArt", &[("id", "al-999999")]).await;
    assert_eq!(missing["error"]["code"], 70);

    let original = std::fs::read(
        env.data_dir()
            .join("music/Artist One/First Album/02 - Beta.flac"),
    )
    .unwrap();
    let streamed = sub.raw("stream", &[("id", &beta)]).await;
    assert_eq!(streamed.0, 200);
    assert_eq!(streamed.1, "audio/flac");
    assert_eq!(streamed.2, original);
    let ranged = sub.ranged("stream", &[("id", &beta)], "bytes=0-3").await;
    assert_eq!(ranged.0, 206);
    assert_eq!(ranged.2, b"fLaC");
    let transcoded = sub
        .raw(
            "stream",
            &[("id", &beta), ("format", "mp3"), ("maxBitRate", "64")],
        )
        .await;
    assert_eq!(transcoded.0, 200);
    assert_eq!(transcoded.1, "audio/mpeg");
    assert!(transcoded.2.len() > 1000, "{} bytes", transcoded.2.len());
    let download = sub.raw("download", &[("id", &beta)]).await;
    assert_eq!(download.2, original);

    // Lyrics.
    let lyrics = sub
        .json("getLyrics", &[("artist", "Artist One"), ("title", "Alpha")])
        .await;
    assert_eq!(lyrics["lyrics"]["value"], "First line\nSecond line");
    let structured = sub.json("getLyricsBySongId", &[("id", &alpha)]).await;
    let structured = &structured["lyricsList"]["structuredLyrics"][0];
    assert_eq!(structured["synced"], true);
    assert_eq!(structured["line"][1]["start"], 2500);
    let lyrics_xml = sub.xml("getLyricsBySongId", &[("id", &alpha)]).await;
    assert!(
        lyrics_xml.contains("<line start=\"1000\">First line</line>"),
        "{lyrics_xml}"
    );

    // Stars, ratings, plays.
    sub.json(
        "star",
        &[
            ("id", &alpha),
            ("albumId", &album_id),
            ("artistId", &artist_one_id),
        ],
    )
    .await;
    let starred = sub.json("getStarred2", &[]).await;
    assert_eq!(names(&starred["starred2"]["song"], "title"), ["Alpha"]);
    assert_eq!(
        names(&starred["starred2"]["album"], "name"),
        ["First Album"]
    );
    assert_eq!(
        names(&starred["starred2"]["artist"], "name"),
        ["Artist One"]
    );
    let starred = sub.json("getStarred", &[]).await;
    assert!(starred["starred"]["song"][0]["starred"].is_string());
    // A search marks what the caller starred, each kind's own (ids repeat across kinds), whether
    // the engine or the database answers.
    for query in ["artist one", "\"\""] {
        let found = sub
            .json(
                "search3",
                &[
                    ("query", query),
                    ("songCount", "100"),
                    ("albumCount", "100"),
                    ("artistCount", "100"),
                ],
            )
            .await;
        let body = &found["searchResult3"];
        for (list, key, marked) in [
            ("song", "title", "Alpha"),
            ("album", "name", "First Album"),
            ("artist", "name", "Artist One"),
        ] {
            let items = body[list].as_array().cloned().unwrap_or_default();
            assert!(
                items.iter().any(|item| item[key] == marked),
                "{query}: {list} {marked} missing: {found}"
            );
            for item in &items {
                assert_eq!(
                    item["starred"].is_string(),
                    item[key] == marked,
                    "{query}: {list} {}: {found}",
                    item[key]
                );
            }
        }
    }
    let list = sub.json("getAlbumList2", &[("type", "starred")]).await;
    assert_eq!(names(&list["albumList2"]["album"], "name"), ["First Album"]);
    sub.json("unstar", &[("id", &alpha)]).await;
    let starred = sub.json("getStarred2", &[]).await;
    assert!(starred["starred2"]["song"].as_array().unwrap().is_empty());
    sub.json("setRating", &[("id", &album_id), ("rating", "5")])
        .await;
    let list = sub.json("getAlbumList2", &[("type", "highest")]).await;
    assert_eq!(list["albumList2"]["album"][0]["userRating"], 5);
    let bad = sub
        .json("setRating", &[("id", &album_id), ("rating", "9")])
        .await;
    assert_eq!(bad["error"]["code"], 0);
    sub.json("scrobble", &[("id", &beta)]).await;
    let list = sub.json("getAlbumList2", &[("type", "frequent")]).await;
    assert_eq!(list["albumList2"]["album"][0]["playCount"], 1);
    let list = sub.json("getAlbumList2", &[("type", "recent")]).await;
    assert_eq!(names(&list["albumList2"]["album"], "name"), ["First Album"]);
    sub.json(
        "scrobble",
        &[("id", &alpha), ("submission", "false"), ("c", "tests")],
    )
    .await;
    let playing = sub.json("getNowPlaying", &[]).await;
    assert_eq!(playing["nowPlaying"]["entry"][0]["title"], "Alpha");
    assert_eq!(playing["nowPlaying"]["entry"][0]["username"], "admin");

    // Playlists.
    let created = sub
        .json(
            "createPlaylist",
            &[("name", "Mix"), ("songId", &alpha), ("songId", &beta)],
        )
        .await;
    let playlist = created["playlist"]["id"].as_str().unwrap().to_owned();
    assert_eq!(created["playlist"]["songCount"], 2);
    let lists = sub.json("getPlaylists", &[]).await;
    assert_eq!(names(&lists["playlists"]["playlist"], "name"), ["Mix"]);
    sub.json(
        "updatePlaylist",
        &[
            ("playlistId", &playlist),
            ("songIndexToRemove", "0"),
            ("name", "Mix 2"),
        ],
    )
    .await;
    let got = sub.json("getPlaylist", &[("id", &playlist)]).await;
    assert_eq!(got["playlist"]["name"], "Mix 2");
    assert_eq!(names(&got["playlist"]["entry"], "title"), ["Beta"]);
    sub.json("deletePlaylist", &[("id", &playlist)]).await;
    let lists = sub.json("getPlaylists", &[]).await;
    assert!(
        lists["playlists"]["playlist"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // The play queue.
    sub.json(
        "savePlayQueue",
        &[
            ("id", &alpha),
            ("id", &beta),
            ("current", &beta),
            ("position", "1500"),
        ],
    )
    .await;
    let queue = sub.json("getPlayQueue", &[]).await;
    assert_eq!(queue["playQueue"]["current"], beta.as_str());
    assert_eq!(queue["playQueue"]["position"], 1500);
    assert_eq!(
        names(&queue["playQueue"]["entry"], "title"),
        ["Alpha", "Beta"]
    );

    // The rest.
    let user = sub.json("getUser", &[("username", "admin")]).await;
    assert_eq!(user["user"]["adminRole"], true);
    let license = sub.json("getLicense", &[]).await;
    assert_eq!(license["license"]["valid"], true);
    let status = sub.json("getScanStatus", &[]).await;
    assert_eq!(status["scanStatus"]["count"], 9);
    let started = sub.json("startScan", &[]).await;
    assert_eq!(started["scanStatus"]["scanning"], true);
    let not_implemented = sub.json("createShare", &[]).await;
    assert_eq!(not_implemented["error"]["code"], 0);
    let not_implemented = sub.xml("jukeboxControl", &[]).await;
    assert!(not_implemented.contains("code=\"0\""), "{not_implemented}");
    let missing = sub.json("getAlbum", &[]).await;
    assert_eq!(missing["error"]["code"], 10);
    let unknown = sub.json("getAlbum", &[("id", "al-999999")]).await;
    assert_eq!(unknown["error"]["code"], 70);

    // XML for every method that answers with a document.
    for (method, params, element) in [
        ("getMusicFolders", vec![], "<musicFolder "),
        ("getIndexes", vec![], "<index name="),
        ("getArtists", vec![], "<artist "),
        ("getArtist", vec![("id", artist_one_id.as_str())], "<album "),
        ("getAlbum", vec![("id", album_id.as_str())], "<song "),
        ("getSong", vec![("id", beta.as_str())], "<song "),
        (
            "getMusicDirectory",
            vec![("id", album_id.as_str())],
            "<child ",
        ),
        ("getAlbumList", vec![("type", "newest")], "<albumList>"),
        ("getAlbumList2", vec![("type", "random")], "<albumList2>"),
        ("getRandomSongs", vec![], "<randomSongs>"),
        ("getSongsByGenre", vec![("genre", "Rock")], "<songsByGenre>"),
        ("search2", vec![("query", "a")], "<searchResult2>"),
        ("search3", vec![("query", "a")], "<searchResult3>"),
        ("getStarred", vec![], "<starred"),
        ("getStarred2", vec![], "<starred2"),
        ("getPlaylists", vec![], "<playlists"),
        ("getPlayQueue", vec![], "<playQueue "),
        (
            "getLyrics",
            vec![("artist", "Artist One"), ("title", "Alpha")],
            "<lyrics ",
        ),
        ("getScanStatus", vec![], "<scanStatus "),
        ("getUser", vec![("username", "admin")], "<user "),
        ("getNowPlaying", vec![], "<nowPlaying>"),
        ("getLicense", vec![], "<license "),
        (
            "getOpenSubsonicExtensions",
            vec![],
            "<openSubsonicExtensions name=",
        ),
    ] {
        let body = sub.xml(method, &params).await;
        assert!(body.contains("status=\"ok\""), "{method}: {body}");
        assert!(body.contains(element), "{method} lacks {element}: {body}");
    }
    for method in ["star", "unstar", "scrobble", "setRating"] {
        let body = sub.xml(method, &[]).await;
        assert!(body.contains("code=\"10\""), "{method}: {body}");
    }

    // POST forms work as GET does.
    let posted = sub.post_form("getSong", &[("id", &beta)]).await;
    assert_eq!(posted["subsonic-response"]["song"]["title"], "Beta");

    // --- Authentication variants.
    let password = sub.password.clone();
    let ok = |v: &Value| v["subsonic-response"]["status"] == "ok";
    let plain = sub
        .anonymous(&[("u", "admin"), ("p", &password), ("f", "json")], "ping")
        .await;
    assert!(ok(&plain), "{plain}");
    let encoded = format!("enc:{}", hex::encode(&password));
    let enc = sub
        .anonymous(&[("u", "admin"), ("p", &encoded), ("f", "json")], "ping")
        .await;
    assert!(ok(&enc), "{enc}");
    let wrong = sub
        .anonymous(&[("u", "admin"), ("p", "nope"), ("f", "json")], "ping")
        .await;
    assert_eq!(wrong["subsonic-response"]["error"]["code"], 40);
    let wrong_token = sub
        .anonymous(
            &[("u", "admin"), ("t", "0123"), ("s", "abc"), ("f", "json")],
            "ping",
        )
        .await;
    assert_eq!(wrong_token["subsonic-response"]["error"]["code"], 40);
    let account_password = sub
        .anonymous(
            &[("u", "admin"), ("p", revenge_tests::ADMIN.1), ("f", "json")],
            "ping",
        )
        .await;
    assert_eq!(
        account_password["subsonic-response"]["error"]["code"], 40,
        "the account password is not a Subsonic password"
    );
    let nobody = sub
        .anonymous(&[("u", "ghost"), ("p", "x"), ("f", "json")], "ping")
        .await;
    assert_eq!(nobody["subsonic-response"]["error"]["code"], 40);
    let none = sub.anonymous(&[("f", "json")], "ping").await;
    assert_eq!(none["subsonic-response"]["error"]["code"], 10);
    let key = server
        .call(
            Method::POST,
            "/api/v1/api-keys",
            Some(&server.admin),
            Some(json!({"name": "subsonic", "scopes": ["read", "write"]})),
        )
        .await;
    assert_eq!(key.status, 201, "{:?}", key.body);
    let key = key.body["key"].as_str().unwrap().to_owned();
    let by_key = sub
        .anonymous(&[("apiKey", &key), ("f", "json")], "getArtists")
        .await;
    assert!(ok(&by_key), "{by_key}");
    let conflicting = sub
        .anonymous(&[("apiKey", &key), ("u", "admin"), ("f", "json")], "ping")
        .await;
    assert_eq!(conflicting["subsonic-response"]["error"]["code"], 43);
    let bad_key = sub
        .anonymous(&[("apiKey", "rvk_nope"), ("f", "json")], "ping")
        .await;
    assert_eq!(bad_key["subsonic-response"]["error"]["code"], 44);
    let read_key = server
        .call(
            Method::POST,
            "/api/v1/api-keys",
            Some(&server.admin),
            Some(json!({"name": "read only", "scopes": ["read"]})),
        )
        .await;
    let read_key = read_key.body["key"].as_str().unwrap().to_owned();
    let refused = sub
        .anonymous(
            &[("apiKey", &read_key), ("f", "json"), ("id", &alpha)],
            "star",
        )
        .await;
    assert_eq!(refused["subsonic-response"]["error"]["code"], 50);
    let extensions = sub
        .anonymous(&[("f", "json")], "getOpenSubsonicExtensions")
        .await;
    assert!(
        names(
            &extensions["subsonic-response"]["openSubsonicExtensions"],
            "name"
        )
        .contains(&"apiKeyAuthentication".to_owned())
    );

    // --- A user without access to the library sees nothing.
    let (_, token) = server.user("outsider", json!({})).await;
    let outsider = Sub::rotated(&server, &server, "outsider", &token).await;
    let seen = outsider.json("getArtists", &[]).await;
    assert!(
        seen["artists"]["index"].as_array().unwrap().is_empty(),
        "{seen}"
    );
    let seen = outsider.json("getAlbum", &[("id", &album_id)]).await;
    assert_eq!(seen["error"]["code"], 70);
    let seen = outsider.json("stream", &[("id", &beta)]).await;
    assert_eq!(seen["error"]["code"], 70);
    let seen = outsider.json("search3", &[("query", "")]).await;
    assert!(seen["searchResult3"]["song"].as_array().unwrap().is_empty());
    let seen = outsider.json("getMusicFolders", &[]).await;
    assert!(
        seen["musicFolders"]["musicFolder"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let native = server.get_as(&token, "/api/v1/music/albums").await;
    assert_eq!(native.body["total"], 0);
    let native = server
        .get_as(&token, &format!("/api/v1/music/albums/{first}"))
        .await;
    assert_eq!(native.status, 404);
    assert_eq!(
        server
            .get_as(&token, &format!("/api/v1/images/music.{first}.poster"))
            .await
            .status,
        404
    );

    // A rescan changes nothing.
    assert_eq!(server.scan(lib).await["state"], "succeeded");
    let albums = server.get("/api/v1/music/albums").await.body;
    assert_eq!(albums["total"], 5);
    server.stop().await;
}

fn songs(found: &Value) -> Vec<String> {
    names(&found["searchResult3"]["song"], "title")
}

/// search2/search3 ask the server's search engine: prefixes and typos find songs, albums and
/// artists; paging follows the counts and offsets; an empty query still lists everything from
/// the database; and a user never gets the songs of a library they were not granted, whether
/// the engine or the database answers.
#[tokio::test]
async fn subsonic_search_uses_the_search_engine_within_each_callers_rights() {
    let (env, server, library) = setup().await;
    let Library { lib, .. } = library;
    let sub = Sub::new(&server).await;

    // Prefixes as typed.
    let found = sub.json("search3", &[("query", "gam")]).await;
    assert_eq!(songs(&found), ["Gamma"], "{found}");
    // Typos forgiven, for songs, albums and artists.
    let found = sub.json("search3", &[("query", "Alpah")]).await;
    assert_eq!(songs(&found), ["Alpha"], "a transposition: {found}");
    let found = sub.json("search3", &[("query", "secnd")]).await;
    assert_eq!(
        names(&found["searchResult3"]["album"], "name"),
        ["Second"],
        "a missing letter: {found}"
    );
    let found = sub.json("search2", &[("query", "artsit thre")]).await;
    assert_eq!(
        names(&found["searchResult2"]["artist"], "name"),
        ["Artist Three"],
        "{found}"
    );
    // The artist and album of a song are searched too: "artist one" finds its three songs.
    let found = sub
        .json("search3", &[("query", "artist one"), ("songCount", "10")])
        .await;
    let mut titles = songs(&found);
    titles.sort();
    assert_eq!(titles, ["Alpha", "Beta", "Café"], "{found}");
    // Paging: one song at a time, in the engine's order, never twice.
    let first = sub
        .json(
            "search3",
            &[("query", "hit"), ("songCount", "1"), ("songOffset", "0")],
        )
        .await;
    let second = sub
        .json(
            "search3",
            &[("query", "hit"), ("songCount", "1"), ("songOffset", "1")],
        )
        .await;
    let mut both = [songs(&first), songs(&second)].concat();
    both.sort();
    assert_eq!(both, ["Hit One", "Hit Two"], "{first} {second}");
    let none = sub
        .json(
            "search3",
            &[("query", "hit"), ("songCount", "0"), ("albumCount", "0")],
        )
        .await;
    assert!(songs(&none).is_empty(), "{none}");
    // The native search sees the same documents.
    let native = server.get("/api/v1/search?q=gamm&types=track").await;
    assert_eq!(native.body["total"], 1, "{:?}", native.body);
    assert_eq!(native.body["items"][0]["module"], "music");

    // A second library, granted to nobody but the administrator.
    let private = env.data_dir().join("private-music");
    tone(
        &private.join("Secret Band/Hidden/01 - Zebra Secret.mp3"),
        &["-c:a", "libmp3lame"],
        &[
            ("title", "Zebra Secret"),
            ("artist", "Secret Band"),
            ("album", "Hidden"),
        ],
    );
    let reply = server
        .call(
            Method::POST,
            "/api/v1/libraries",
            Some(&server.admin),
            Some(json!({"module": "music", "name": "Private", "folders": [private.display().to_string()]})),
        )
        .await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    let private_lib = reply.body["id"].as_i64().unwrap();
    assert_eq!(server.scan(private_lib).await["state"], "succeeded");
    indexed(&server, 22).await;
    let found = sub.json("search3", &[("query", "zebr")]).await;
    assert_eq!(
        songs(&found),
        ["Zebra Secret"],
        "the administrator: {found}"
    );

    let (_, token) = server.user("guest", json!({"library_ids": [lib]})).await;
    let guest = Sub::rotated(&server, &server, "guest", &token).await;
    for query in ["zebr", "zebra secret", "zebar", "secret band", "hidden"] {
        let found = guest.json("search3", &[("query", query)]).await;
        let body = &found["searchResult3"];
        assert!(songs(&found).is_empty(), "{query}: {found}");
        assert!(names(&body["album"], "name").is_empty(), "{query}: {found}");
        assert!(
            names(&body["artist"], "name").is_empty(),
            "{query}: {found}"
        );
        let found = guest.json("search2", &[("query", query)]).await;
        assert!(
            found["searchResult2"]["song"]
                .as_array()
                .unwrap()
                .is_empty(),
            "{query}: {found}"
        );
    }
    // Stars and ratings are the caller's own: the administrator's are not the guest's.
    let found = sub
        .json(
            "search3",
            &[
                ("query", "gamma"),
                ("albumCount", "0"),
                ("artistCount", "0"),
            ],
        )
        .await;
    let song = &found["searchResult3"]["song"][0];
    let (song_id, album_id) = (
        song["id"].as_str().unwrap().to_owned(),
        song["albumId"].as_str().unwrap().to_owned(),
    );
    sub.json("star", &[("id", &song_id)]).await;
    sub.json("setRating", &[("id", &album_id), ("rating", "4")])
        .await;
    for (who, marked) in [(&sub, true), (&guest, false)] {
        let found = who.json("search3", &[("query", "gamma")]).await;
        let song = &found["searchResult3"]["song"][0];
        assert_eq!(song["title"], "Gamma", "{found}");
        assert_eq!(song["starred"].is_string(), marked, "{found}");
        let album = who.json("getAlbum", &[("id", &album_id)]).await;
        assert_eq!(album["album"]["userRating"] == 4, marked, "{album}");
        let songs = album["album"]["song"].as_array().unwrap();
        assert_eq!(
            songs.iter().any(|s| s["starred"].is_string()),
            marked,
            "{album}"
        );
    }
    // Asking for the hidden folder by id narrows to nothing, not to it.
    let folder = private_lib.to_string();
    let found = guest
        .json("search3", &[("query", "zebr"), ("musicFolderId", &folder)])
        .await;
    assert!(songs(&found).is_empty(), "{found}");
    // The empty query (a client's sync) lists from the database, with the same rule.
    let all = guest
        .json("search3", &[("query", "\"\""), ("songCount", "100")])
        .await;
    let listed = songs(&all);
    assert_eq!(listed.len(), 9, "{all}");
    assert!(!listed.contains(&"Zebra Secret".to_owned()));
    // And the native search agrees, counts included.
    let native = server
        .get_as(&token, "/api/v1/search?q=zebr&types=track")
        .await;
    assert_eq!(native.body["total"], 0, "{:?}", native.body);
    server.stop().await;
}
