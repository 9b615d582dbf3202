//! The public API against the NFO files found in real libraries: well-formed Kodi output, older
//! formats, and the broken files that must still yield what they can.

use std::collections::BTreeMap;
use std::path::Path;

use revenge_nfo::{Actor, MAX_NFO_BYTES, Nfo, NfoError, NfoKind, parse, parse_file};

const MOVIE: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>
<!-- created on 2024-01-01 - Kodi -->
<movie>
    <title>The Matrix</title>
    <originaltitle>The Matrix</originaltitle>
    <sorttitle>Matrix 1</sorttitle>
    <ratings>
        <rating name="imdb" max="10">
            <value>8.7</value>
            <votes>2000000</votes>
        </rating>
        <rating name="themoviedb" max="10" default="true">
            <value>8.2</value>
            <votes>25000</votes>
        </rating>
    </ratings>
    <userrating>9</userrating>
    <top250>16</top250>
    <outline>A hacker learns the truth.</outline>
    <plot>Set in the 22nd century, The Matrix tells the story of a computer hacker.</plot>
    <tagline>Welcome to the Real World.</tagline>
    <runtime>136</runtime>
    <thumb aspect="poster">https://image.tmdb.org/t/p/original/poster.jpg</thumb>
    <mpaa>Rated R</mpaa>
    <playcount>0</playcount>
    <id>tt0133093</id>
    <uniqueid type="imdb">tt0133093</uniqueid>
    <uniqueid type="tmdb" default="true">603</uniqueid>
    <genre>Action</genre>
    <genre>Science Fiction</genre>
    <country>United States of America</country>
    <set>
        <name>The Matrix Collection</name>
        <overview>The complete trilogy.</overview>
    </set>
    <tag>cyberpunk</tag>
    <tag>dystopia</tag>
    <credits>Lana Wachowski</credits>
    <director>Lana Wachowski</director>
    <premiered>1999-03-30</premiered>
    <year>1999</year>
    <studio>Village Roadshow Pictures</studio>
    <studio>Warner Bros. Pictures</studio>
    <fileinfo>
        <streamdetails>
            <video><codec>h264</codec><width>1920</width></video>
        </streamdetails>
    </fileinfo>
    <actor>
        <name>Keanu Reeves</name>
        <role>Neo</role>
        <order>0</order>
        <thumb>https://image.tmdb.org/t/p/original/keanu.jpg</thumb>
    </actor>
    <actor>
        <name>Laurence Fishburne</name>
        <role>Morpheus</role>
        <order>1</order>
    </actor>
    <actor>
        <name>Hugo Weaving</name>
    </actor>
</movie>
"#;

/// Expected ids, as (provider, id).
type Ids<'a> = &'a [(&'a str, &'a str)];

fn ok(bytes: &[u8]) -> Nfo {
    match parse(bytes) {
        Ok(nfo) => nfo,
        Err(error) => panic!("{error}"),
    }
}

fn ids(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn s(text: &str) -> Option<String> {
    Some(text.to_owned())
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

fn movie_with(children: &str) -> String {
    format!("<movie>{children}</movie>")
}

#[test]
fn full_movie() {
    let nfo = ok(MOVIE.as_bytes());
    let want = Nfo {
        kind: NfoKind::Movie,
        title: s("The Matrix"),
        original_title: s("The Matrix"),
        sort_title: s("Matrix 1"),
        plot: s("Set in the 22nd century, The Matrix tells the story of a computer hacker."),
        tagline: s("Welcome to the Real World."),
        year: Some(1999),
        premiered: s("1999-03-30"),
        runtime_minutes: Some(136),
        mpaa: s("R"),
        genres: strings(&["Action", "Science Fiction"]),
        studios: strings(&["Village Roadshow Pictures", "Warner Bros. Pictures"]),
        tags: strings(&["cyberpunk", "dystopia"]),
        rating: Some(8.2),
        ids: ids(&[("imdb", "tt0133093"), ("tmdb", "603")]),
        season: None,
        episode: None,
        status: None,
        actors: vec![
            Actor {
                name: "Keanu Reeves".into(),
                role: s("Neo"),
                order: Some(0),
            },
            Actor {
                name: "Laurence Fishburne".into(),
                role: s("Morpheus"),
                order: Some(1),
            },
            Actor {
                name: "Hugo Weaving".into(),
                role: None,
                order: None,
            },
        ],
        warnings: vec![],
    };
    assert_eq!(nfo, want);
}

#[test]
fn tvshow() {
    let nfo = ok(br#"<?xml version="1.0" encoding="UTF-8"?>
<tvshow>
  <title>Game of Thrones</title>
  <showtitle>Game of Thrones</showtitle>
  <ratings><rating name="tvdb" max="10" default="true"><value>9.1</value></rating></ratings>
  <season>-1</season>
  <episode>73</episode>
  <plot>Seven noble families fight for control of Westeros.</plot>
  <mpaa>US:TV-MA</mpaa>
  <uniqueid type="tvdb" default="true">121361</uniqueid>
  <uniqueid type="tmdb">1399</uniqueid>
  <uniqueid type="imdb">tt0944947</uniqueid>
  <genre>Sci-Fi &amp; Fantasy / Drama</genre>
  <premiered>2011-04-17</premiered>
  <status>Ended</status>
  <studio>HBO</studio>
  <actor><name>Emilia Clarke</name><role>Daenerys Targaryen</role><order>2</order></actor>
  <namedseason number="1">Season 1</namedseason>
</tvshow>"#);
    assert_eq!(nfo.kind, NfoKind::TvShow);
    assert_eq!(nfo.title.as_deref(), Some("Game of Thrones"));
    assert_eq!(nfo.status.as_deref(), Some("Ended"));
    assert_eq!(nfo.mpaa.as_deref(), Some("TV-MA"));
    assert_eq!(nfo.rating, Some(9.1));
    assert_eq!(nfo.year, Some(2011));
    assert_eq!(nfo.premiered.as_deref(), Some("2011-04-17"));
    assert_eq!(nfo.genres, ["Sci-Fi & Fantasy", "Drama"]);
    assert_eq!(
        nfo.ids,
        ids(&[("imdb", "tt0944947"), ("tmdb", "1399"), ("tvdb", "121361")])
    );
    // Kodi writes -1 for "not known" here.
    assert_eq!(nfo.season, None);
    assert_eq!(nfo.episode, Some(73));
    assert_eq!(nfo.actors.len(), 1);
    assert!(nfo.warnings.is_empty());
}

#[test]
fn episodedetails() {
    let nfo = ok(br#"<episodedetails>
  <title>Winter Is Coming</title>
  <showtitle>Game of Thrones</showtitle>
  <rating>8.9</rating>
  <season>1</season>
  <episode>1</episode>
  <plot>Eddard Stark is torn between his family and an old friend.</plot>
  <runtime>62 min</runtime>
  <uniqueid type="tvdb" default="true">3254641</uniqueid>
  <aired>2011-04-17</aired>
  <director>Tim Van Patten</director>
</episodedetails>"#);
    assert_eq!(nfo.kind, NfoKind::Episode);
    assert_eq!(nfo.title.as_deref(), Some("Winter Is Coming"));
    assert_eq!((nfo.season, nfo.episode), (Some(1), Some(1)));
    assert_eq!(nfo.premiered.as_deref(), Some("2011-04-17"));
    assert_eq!(nfo.year, Some(2011));
    assert_eq!(nfo.runtime_minutes, Some(62));
    assert_eq!(nfo.rating, Some(8.9));
    assert_eq!(nfo.ids, ids(&[("tvdb", "3254641")]));
}

#[test]
fn ratings() {
    let cases: &[(&str, &str, Option<f64>)] = &[
        (
            "default wins over first",
            r#"<ratings><rating name="a"><value>6</value></rating><rating name="b" default="true"><value>7.5</value></rating></ratings>"#,
            Some(7.5),
        ),
        (
            "first when none is default",
            r#"<ratings><rating name="a"><value>6</value></rating><rating name="b"><value>7.5</value></rating></ratings>"#,
            Some(6.0),
        ),
        (
            "list wins over plain rating",
            r#"<rating>5</rating><ratings><rating><value>6</value></rating></ratings>"#,
            Some(6.0),
        ),
        (
            "plain with decimal comma",
            "<rating>7,8</rating>",
            Some(7.8),
        ),
        (
            "plain with junk",
            "<rating>8.1/10 (IMDb)</rating>",
            Some(8.1),
        ),
        (
            "rescaled from max",
            r#"<ratings><rating max="100" default="true"><value>87</value></rating></ratings>"#,
            Some(8.7),
        ),
        ("clamped to 10", "<rating>15</rating>", Some(10.0)),
        (
            "clamped at 0, which means unrated",
            "<rating>-3</rating>",
            None,
        ),
        ("zero means unrated", "<rating>0.000000</rating>", None),
        (
            "a default without a value falls back",
            r#"<ratings><rating default="true"><value/></rating><rating><value>4</value></rating></ratings>"#,
            Some(4.0),
        ),
        ("no rating", "<title>x</title>", None),
    ];
    for (name, children, want) in cases {
        let rating = ok(movie_with(children).as_bytes()).rating;
        match (rating, want) {
            (Some(got), Some(want)) => assert!((got - want).abs() < 1e-9, "{name}: {got}"),
            (got, want) => assert_eq!(got, *want, "{name}"),
        }
    }
}

#[test]
fn unique_ids() {
    let cases: &[(&str, &str, Ids)] = &[
        (
            "typed",
            r#"<uniqueid type="tmdb">603</uniqueid>"#,
            &[("tmdb", "603")],
        ),
        (
            "type case and spaces",
            r#"<uniqueid type="IMDB"> TT0133093 </uniqueid>"#,
            &[("imdb", "tt0133093")],
        ),
        (
            "other providers kept",
            r#"<uniqueid type="anidb">1234</uniqueid>"#,
            &[("anidb", "1234")],
        ),
        (
            "typeless tt is imdb",
            "<uniqueid>tt0133093</uniqueid>",
            &[("imdb", "tt0133093")],
        ),
        (
            "typeless number is unknown",
            "<uniqueid>603</uniqueid>",
            &[],
        ),
        (
            "alias provider names",
            r#"<uniqueid type="themoviedb">603</uniqueid>"#,
            &[("tmdb", "603")],
        ),
        ("legacy tmdbid", "<tmdbid>603</tmdbid>", &[("tmdb", "603")]),
        (
            "legacy imdbid",
            "<imdbid>tt0133093</imdbid>",
            &[("imdb", "tt0133093")],
        ),
        (
            "legacy tvdbid",
            "<tvdbid>81189</tvdbid>",
            &[("tvdb", "81189")],
        ),
        ("id with tt", "<id>tt0133093</id>", &[("imdb", "tt0133093")]),
        ("numeric id is ambiguous", "<id>603</id>", &[]),
        (
            "malformed values dropped",
            r#"<uniqueid type="imdb">tt12</uniqueid><tmdbid>N/A</tmdbid><tvdbid>0</tvdbid>"#,
            &[],
        ),
        (
            "uniqueid beats legacy whatever the order",
            r#"<tmdbid>1</tmdbid><uniqueid type="tmdb">603</uniqueid>"#,
            &[("tmdb", "603")],
        ),
        (
            "first of a kind wins",
            r#"<uniqueid type="tmdb">603</uniqueid><uniqueid type="tmdb">604</uniqueid>"#,
            &[("tmdb", "603")],
        ),
        (
            "empty ignored",
            r#"<uniqueid type="tmdb"></uniqueid><uniqueid type="tmdb"/>"#,
            &[],
        ),
    ];
    for (name, children, want) in cases {
        assert_eq!(ok(movie_with(children).as_bytes()).ids, ids(want), "{name}");
    }
}

#[test]
fn genres_studios_and_tags() {
    let nfo = ok(movie_with(
        "<genre>Action / Drama</genre><genre>Comedy, Romance</genre><genre>drama</genre>\
         <genre>Thriller|Crime</genre><genre> </genre>\
         <studio>AC/DC Films</studio><studio>HBO / Sky</studio><tag>a</tag><tag>A</tag>",
    )
    .as_bytes());
    assert_eq!(
        nfo.genres,
        ["Action", "Drama", "Comedy", "Romance", "Thriller", "Crime"]
    );
    assert_eq!(nfo.studios, ["AC/DC Films", "HBO", "Sky"]);
    assert_eq!(nfo.tags, ["a"]);
}

#[test]
fn leniency() {
    let cases: &[(&str, &[u8], Nfo)] = &[
        (
            "UTF-8 BOM",
            b"\xEF\xBB\xBF<movie><title>Am\xC3\xA9lie</title></movie>",
            Nfo {
                kind: NfoKind::Movie,
                title: s("Amélie"),
                ..Nfo::default()
            },
        ),
        (
            "Windows-1252",
            b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><movie><title>Am\xE9lie</title><tagline>\x93Hi\x94</tagline></movie>",
            Nfo {
                kind: NfoKind::Movie,
                title: s("Amélie"),
                tagline: s("\u{201C}Hi\u{201D}"),
                warnings: strings(&["not valid UTF-8: read 3 byte(s) as Windows-1252"]),
                ..Nfo::default()
            },
        ),
        (
            "UTF-16 with BOM",
            b"\xFF\xFE<\0m\0o\0v\0i\0e\0>\0<\0t\0i\0t\0l\0e\0>\0\xE9\0<\0/\0t\0i\0t\0l\0e\0>\0<\0/\0m\0o\0v\0i\0e\0>\0",
            Nfo {
                kind: NfoKind::Movie,
                title: s("é"),
                ..Nfo::default()
            },
        ),
        (
            "URL only",
            b"https://www.imdb.com/title/tt0133093/\n",
            Nfo {
                ids: ids(&[("imdb", "tt0133093")]),
                ..Nfo::default()
            },
        ),
        (
            "TMDb URL only",
            b"  https://www.themoviedb.org/movie/603-the-matrix  ",
            Nfo {
                ids: ids(&[("tmdb", "603")]),
                ..Nfo::default()
            },
        ),
        (
            "XML then URL",
            b"<movie><title>The Matrix</title></movie>\nhttps://www.themoviedb.org/movie/603-the-matrix\n",
            Nfo {
                kind: NfoKind::Movie,
                title: s("The Matrix"),
                ids: ids(&[("tmdb", "603")]),
                ..Nfo::default()
            },
        ),
        (
            "the XML's id beats the URL's",
            b"<movie><uniqueid type=\"imdb\">tt0133093</uniqueid></movie>\nhttps://www.imdb.com/title/tt0234215/\nhttps://www.themoviedb.org/movie/603",
            Nfo {
                kind: NfoKind::Movie,
                ids: ids(&[("imdb", "tt0133093"), ("tmdb", "603")]),
                ..Nfo::default()
            },
        ),
        (
            "truncated",
            b"<movie>\n  <title>The Matrix</title>\n  <year>1999</year>\n  <plot>Set in the 22nd cen",
            Nfo {
                kind: NfoKind::Movie,
                title: s("The Matrix"),
                year: Some(1999),
                warnings: strings(&["the file ends inside <movie> <plot>"]),
                ..Nfo::default()
            },
        ),
        (
            "truncated inside a tag",
            b"<movie><title>The Matrix</title><actor><name>Keanu Reeves</name><ro",
            Nfo {
                kind: NfoKind::Movie,
                title: s("The Matrix"),
                actors: vec![Actor {
                    name: "Keanu Reeves".into(),
                    ..Actor::default()
                }],
                warnings: strings(&["the tag <ro> is cut off"]),
                ..Nfo::default()
            },
        ),
        (
            "mismatched end tag",
            b"<movie><title>The Matrix</title><year>1999</yaer><plot>lost</plot></movie>",
            Nfo {
                kind: NfoKind::Movie,
                title: s("The Matrix"),
                warnings: strings(&["</yaer> does not close the open <year>"]),
                ..Nfo::default()
            },
        ),
        (
            "entities and CDATA",
            b"<movie><title>Fast &amp; Furious &#8211; &quot;Tokyo&quot;</title>\
              <plot><![CDATA[Drift <b>racing</b> & more]]></plot>\
              <tagline>Bare & ampersand &#x2764;</tagline></movie>",
            Nfo {
                kind: NfoKind::Movie,
                title: s("Fast & Furious \u{2013} \"Tokyo\""),
                plot: s("Drift <b>racing</b> & more"),
                tagline: s("Bare & ampersand \u{2764}"),
                ..Nfo::default()
            },
        ),
        (
            "whitespace trimmed, empty elements and unknown ones ignored",
            b"<movie>\n\t<title>\n   The Matrix \r\n</title>\n<plot>   </plot><outline/>\n\
              <set><title>Not this</title></set><tagline></tagline><x-custom a='1'>y</x-custom></movie>",
            Nfo {
                kind: NfoKind::Movie,
                title: s("The Matrix"),
                ..Nfo::default()
            },
        ),
        (
            "outline when there is no plot",
            b"<movie><outline>Short.</outline></movie>",
            Nfo {
                kind: NfoKind::Movie,
                plot: s("Short."),
                ..Nfo::default()
            },
        ),
        (
            "numbers and dates with junk",
            b"<movie><runtime>120 min</runtime><premiered>1999-03-30 00:00:00</premiered>\
              <mpaa>de/FSK 16</mpaa><rating>7,8</rating></movie>",
            Nfo {
                kind: NfoKind::Movie,
                runtime_minutes: Some(120),
                premiered: s("1999-03-30"),
                year: Some(1999),
                mpaa: s("FSK 16"),
                rating: Some(7.8),
                ..Nfo::default()
            },
        ),
        (
            "year element beats the date's year",
            b"<movie><year>2000</year><premiered>1999-03-30</premiered></movie>",
            Nfo {
                kind: NfoKind::Movie,
                year: Some(2000),
                premiered: s("1999-03-30"),
                ..Nfo::default()
            },
        ),
        (
            "a date not year-first still gives its year",
            b"<movie><premiered></premiered><releasedate>30.03.1999</releasedate></movie>",
            Nfo {
                kind: NfoKind::Movie,
                year: Some(1999),
                ..Nfo::default()
            },
        ),
        (
            "a URL above the XML is used, not warned about",
            b"https://www.imdb.com/title/tt0133093/\n<?xml version=\"1.0\"?>\n<movie><title>The Matrix</title></movie>",
            Nfo {
                kind: NfoKind::Movie,
                title: s("The Matrix"),
                ids: ids(&[("imdb", "tt0133093")]),
                ..Nfo::default()
            },
        ),
        (
            "upper-case element names",
            b"<MOVIE><Title>The Matrix</Title></movie>",
            Nfo {
                kind: NfoKind::Movie,
                title: s("The Matrix"),
                ..Nfo::default()
            },
        ),
        (
            "junk before the root element",
            b"Downloaded from somewhere\n<movie><title>The Matrix</title></movie>",
            Nfo {
                kind: NfoKind::Movie,
                title: s("The Matrix"),
                warnings: strings(&["ignored text before the XML"]),
                ..Nfo::default()
            },
        ),
        (
            "multi-episode file reads the first episode",
            b"<episodedetails><title>Part 1</title><episode>1</episode></episodedetails>\n\
              <episodedetails><title>Part 2</title><episode>2</episode></episodedetails>",
            Nfo {
                kind: NfoKind::Episode,
                title: s("Part 1"),
                episode: Some(1),
                ..Nfo::default()
            },
        ),
        (
            "another root element",
            b"<musicvideo><title>Thriller</title></musicvideo>",
            Nfo {
                kind: NfoKind::Unknown,
                title: s("Thriller"),
                ..Nfo::default()
            },
        ),
    ];
    for (name, bytes, want) in cases {
        assert_eq!(&ok(bytes), want, "{name}");
    }
}

#[test]
fn deep_nesting_stops_with_a_warning() {
    let depth = 10_000;
    let text = format!(
        "<movie><title>Deep</title>{}{}</movie>",
        "<a>".repeat(depth),
        "</a>".repeat(depth)
    );
    let nfo = ok(text.as_bytes());
    assert_eq!(nfo.title.as_deref(), Some("Deep"));
    assert_eq!(
        nfo.warnings,
        ["elements are nested more than 64 deep at <a>"]
    );

    let fine = format!(
        "<movie>{}x{}<title>Ok</title></movie>",
        "<a>".repeat(62),
        "</a>".repeat(62)
    );
    let nfo = ok(fine.as_bytes());
    assert_eq!(nfo.title.as_deref(), Some("Ok"));
    assert!(nfo.warnings.is_empty());
}

#[test]
fn nothing_usable_is_not_xml() {
    let cases: &[(&str, &[u8])] = &[
        ("empty", b""),
        ("whitespace", b" \r\n\t "),
        (
            "binary",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x07\x80\xff\xfe\x00",
        ),
        (
            "prose without a URL",
            b"This release was brought to you by nobody.\nEnjoy!",
        ),
        (
            "a URL of another site",
            b"https://example.com/title/tt0133093",
        ),
        ("only a declaration", b"<?xml version=\"1.0\"?>"),
        ("cut off in the first tag", b"<movi"),
    ];
    for (name, bytes) in cases {
        match parse(bytes) {
            Err(NfoError::NotXml { .. }) => {}
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn never_panics() {
    // Every prefix of a real file, byte by byte, splits UTF-8 sequences, tags and entities.
    let with_extras =
        format!("{MOVIE}\nhttps://www.imdb.com/title/tt0133093/ &amp; é <![CDATA[x]]>");
    let bytes = with_extras.as_bytes();
    for end in 0..=bytes.len() {
        let _ = parse(&bytes[..end]);
    }
    // And pseudo-random bytes from an alphabet heavy in XML's own characters.
    let alphabet = b"<>/!?[]-=\"'&#;x0123456789 \n\tamovietl:\xC3\xA9\xFF\xFE\x00";
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    for _ in 0..2_000 {
        let len = (state % 200) as usize;
        let input: Vec<u8> = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                alphabet[(state % alphabet.len() as u64) as usize]
            })
            .collect();
        let _ = parse(&input);
    }
}

#[test]
fn pathological_inputs_stay_fast() {
    let started = std::time::Instant::now();
    let inputs = [
        "&".repeat(1 << 20),
        format!("<movie><title>{}</title></movie>", "&a".repeat(1 << 19)),
        "<a x='>".repeat(1 << 17),
        "imdb.com/".repeat(1 << 17),
        "<".repeat(1 << 20),
        format!("<movie>{}", "<!--".repeat(1 << 18)),
    ];
    for input in &inputs {
        let _ = parse(input.as_bytes());
    }
    assert!(
        started.elapsed().as_secs() < 20,
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn parse_file_reads_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("movie.nfo");
    std::fs::write(&path, MOVIE).unwrap();
    let nfo = parse_file(&path).unwrap();
    assert_eq!(nfo.title.as_deref(), Some("The Matrix"));

    let exact = dir.path().join("exact.nfo");
    let mut bytes = b"https://www.imdb.com/title/tt0133093/".to_vec();
    bytes.resize(MAX_NFO_BYTES as usize, b' ');
    std::fs::write(&exact, bytes).unwrap();
    assert_eq!(
        parse_file(&exact).unwrap().ids,
        ids(&[("imdb", "tt0133093")])
    );
}

#[test]
fn parse_file_refuses_a_2_mib_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.nfo");
    let mut text = MOVIE.to_owned();
    text.push_str(&" ".repeat(2 * 1024 * 1024));
    std::fs::write(&path, text).unwrap();
    match parse_file(&path) {
        Err(error @ NfoError::TooLarge { .. }) => {
            assert!(error.to_string().contains("huge.nfo"), "{error}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn parse_file_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.nfo");
    // Missing, a directory, and a device: none is a readable regular file.
    for path in [missing.as_path(), dir.path(), Path::new("/dev/null")] {
        let error = parse_file(path).unwrap_err();
        assert!(matches!(error, NfoError::Io { .. }), "{path:?}: {error:?}");
        assert!(
            error.to_string().contains(&*path.to_string_lossy()),
            "{error}"
        );
    }

    let garbage = dir.path().join("garbage.nfo");
    std::fs::write(&garbage, b"\x00\x01\x02 not an nfo").unwrap();
    let error = parse_file(&garbage).unwrap_err();
    assert!(matches!(error, NfoError::NotXml { .. }), "{error:?}");
    assert!(error.to_string().contains("garbage.nfo"), "{error}");
}

#[test]
fn serializes_for_the_api() {
    let nfo = ok(b"<tvshow><title>X</title><uniqueid type='tvdb'>1</uniqueid></tvshow>");
    let json = serde_json::to_value(&nfo).unwrap();
    assert_eq!(json["kind"], "tv_show");
    assert_eq!(json["title"], "X");
    assert_eq!(json["ids"]["tvdb"], "1");
    assert_eq!(json["warnings"], serde_json::json!([]));
}
