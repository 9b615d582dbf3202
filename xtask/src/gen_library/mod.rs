//! `cargo xtask gen-library`: realistic synthetic libraries (movies, TV, music, or all three),
//! deterministic for a seed. Files are written byte by byte with real container headers and tags
//! (no ffmpeg), with NFO files, cover art and about 1% broken files (truncated, garbage, empty).

mod audio;
mod movies;
mod music;
mod rng;
mod tv;
mod video;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};

pub use rng::Rng;

/// A tiny valid JPEG (32×32), used for posters and covers.
pub const JPEG: &[u8] = include_bytes!("../../assets/cover.jpg");

/// Percent of media files written broken.
const BROKEN_PERCENT: u64 = 1;

/// What kind of library to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `Title (Year)/Title (Year).mkv`.
    Movies,
    /// `Show (Year)/Season 01/Show - S01E02 - Title.mkv`.
    Tv,
    /// `Artist/Album (Year)/01 - Title.flac`.
    Music,
    /// All three, in `movies/`, `tv/` and `music/` (30/40/30).
    Mixed,
}

impl Kind {
    /// Parses `movies|tv|music|mixed`.
    pub fn parse(value: &str) -> Result<Self> {
        Ok(match value {
            "movies" | "movie" => Self::Movies,
            "tv" | "tvshow" | "series" => Self::Tv,
            "music" => Self::Music,
            "mixed" => Self::Mixed,
            other => bail!("unknown --kind {other}: expected movies, tv, music or mixed"),
        })
    }

    /// The kind's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Movies => "movies",
            Self::Tv => "tv",
            Self::Music => "music",
            Self::Mixed => "mixed",
        }
    }
}

/// What a generation wrote.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Media files (broken ones included).
    pub media_files: usize,
    /// Media files written broken on purpose.
    pub broken_files: usize,
    /// NFO files.
    pub nfo_files: usize,
    /// Images (posters, covers).
    pub images: usize,
    /// Bytes written.
    pub bytes: u64,
}

impl Summary {
    fn add(&mut self, other: &Self) {
        self.media_files += other.media_files;
        self.broken_files += other.broken_files;
        self.nfo_files += other.nfo_files;
        self.images += other.images;
        self.bytes += other.bytes;
    }
}

/// Writes files and counts them.
#[derive(Debug)]
pub struct Writer {
    root: PathBuf,
    rng: Rng,
    summary: Summary,
    made_dirs: HashSet<PathBuf>,
}

impl Writer {
    fn new(root: &Path, rng: Rng) -> Self {
        Self {
            root: root.to_path_buf(),
            rng,
            summary: Summary::default(),
            made_dirs: HashSet::new(),
        }
    }

    /// The generator's random stream.
    pub fn rng(&mut self) -> &mut Rng {
        &mut self.rng
    }

    fn write(&mut self, relative: &str, bytes: &[u8]) -> Result<()> {
        let path = self.root.join(relative);
        if let Some(parent) = path.parent()
            && !self.made_dirs.contains(parent)
        {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
            self.made_dirs.insert(parent.to_path_buf());
        }
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        self.summary.bytes += bytes.len() as u64;
        Ok(())
    }

    /// A media file; about 1% of them come out broken (truncated, garbage or empty).
    pub fn media(&mut self, relative: &str, bytes: &[u8]) -> Result<()> {
        self.summary.media_files += 1;
        if self.rng.percent(BROKEN_PERCENT) {
            self.summary.broken_files += 1;
            let broken = match self.rng.range(0, 2) {
                0 => bytes[..bytes.len().min(48)].to_vec(),
                1 => {
                    let len = self.rng.range(512, 4096) as usize;
                    self.rng.bytes(len)
                }
                _ => Vec::new(),
            };
            return self.write(relative, &broken);
        }
        self.write(relative, bytes)
    }

    /// An NFO file.
    pub fn nfo(&mut self, relative: &str, xml: &str) -> Result<()> {
        self.summary.nfo_files += 1;
        self.write(relative, xml.as_bytes())
    }

    /// A JPEG image.
    pub fn image(&mut self, relative: &str) -> Result<()> {
        self.summary.images += 1;
        self.write(relative, JPEG)
    }
}

/// Escapes text for XML.
pub fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub const ADJECTIVES: [&str; 48] = [
    "Silent",
    "Broken",
    "Golden",
    "Hidden",
    "Last",
    "Crimson",
    "Distant",
    "Frozen",
    "Burning",
    "Lonely",
    "Secret",
    "Wild",
    "Dark",
    "Bright",
    "Endless",
    "Fallen",
    "Lost",
    "Quiet",
    "Savage",
    "Electric",
    "Velvet",
    "Iron",
    "Paper",
    "Glass",
    "Hollow",
    "Northern",
    "Southern",
    "Midnight",
    "Eternal",
    "Restless",
    "Wandering",
    "Bitter",
    "Sweet",
    "Final",
    "Ancient",
    "Neon",
    "Scarlet",
    "Silver",
    "Shattered",
    "Sleeping",
    "Painted",
    "Forgotten",
    "Invisible",
    "Perfect",
    "Strange",
    "Young",
    "Blue",
    "Black",
];

pub const NOUNS: [&str; 48] = [
    "River",
    "Empire",
    "Garden",
    "Horizon",
    "Kingdom",
    "Shadow",
    "Harbor",
    "Mountain",
    "Station",
    "Signal",
    "Winter",
    "Summer",
    "Ocean",
    "Desert",
    "Forest",
    "City",
    "Island",
    "Bridge",
    "Machine",
    "Promise",
    "Voyage",
    "Storm",
    "Letter",
    "Mirror",
    "Engine",
    "Orchard",
    "Lantern",
    "Crown",
    "Frontier",
    "Valley",
    "Tower",
    "Compass",
    "Echo",
    "Archive",
    "Circus",
    "Harvest",
    "Pilgrim",
    "Satellite",
    "Canyon",
    "Theory",
    "Witness",
    "Stranger",
    "Detective",
    "Diary",
    "Garage",
    "Parade",
    "Sky",
    "Road",
];

const GENRES: [&str; 12] = [
    "Drama",
    "Comedy",
    "Thriller",
    "Science Fiction",
    "Documentary",
    "Animation",
    "Horror",
    "Romance",
    "Adventure",
    "Crime",
    "Fantasy",
    "Mystery",
];

/// A title of two or three words.
pub fn title(rng: &mut Rng) -> String {
    let adjective = rng.pick(&ADJECTIVES);
    let noun = rng.pick(&NOUNS);
    match rng.range(0, 3) {
        0 => format!("The {adjective} {noun}"),
        1 => format!("{noun} of the {adjective}"),
        _ => format!("{adjective} {noun}"),
    }
}

/// A genre name.
pub fn genre(rng: &mut Rng) -> &'static str {
    rng.pick::<&str>(&GENRES)
}

/// A title distinct from every one in `seen` (a numbered sequel when needed).
pub fn unique_title(rng: &mut Rng, seen: &mut HashSet<String>) -> String {
    let base = title(rng);
    let mut candidate = base.clone();
    let mut n = 2;
    while !seen.insert(candidate.clone()) {
        candidate = format!("{base} {n}");
        n += 1;
    }
    candidate
}

/// Generates `count` media files of `kind` under `out` from `seed`.
pub fn generate(kind: Kind, count: usize, out: &Path, seed: u64) -> Result<Summary> {
    let rng = Rng::new(seed);
    let mut summary = Summary::default();
    let mut one = |sub: Kind, count: usize, dir: &Path| -> Result<()> {
        let mut writer = Writer::new(dir, rng.fork(sub.name()));
        match sub {
            Kind::Movies => movies::generate(&mut writer, count)?,
            Kind::Tv => tv::generate(&mut writer, count)?,
            Kind::Music => music::generate(&mut writer, count)?,
            Kind::Mixed => bail!("mixed is not a single kind"),
        }
        summary.add(&writer.summary);
        Ok(())
    };
    match kind {
        Kind::Mixed => {
            let movies = count * 3 / 10;
            let tv = count * 4 / 10;
            one(Kind::Movies, movies, &out.join("movies"))?;
            one(Kind::Tv, tv, &out.join("tv"))?;
            one(Kind::Music, count - movies - tv, &out.join("music"))?;
        }
        single => one(single, count, out)?,
    }
    Ok(summary)
}

const USAGE: &str =
    "usage: cargo xtask gen-library --kind movies|tv|music|mixed --count N --out DIR [--seed S]";

/// Runs `gen-library` with its arguments.
pub fn run(args: &[String]) -> Result<()> {
    let mut kind = None;
    let mut count = None;
    let mut out = None;
    let mut seed = 1u64;
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .with_context(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--kind" => kind = Some(Kind::parse(value()?)?),
            "--count" => count = Some(value()?.parse().context("--count takes a number")?),
            "--out" => out = Some(PathBuf::from(value()?)),
            "--seed" => seed = value()?.parse().context("--seed takes a number")?,
            other => bail!("unknown option {other}\n{USAGE}"),
        }
    }
    let (Some(kind), Some(count), Some(out)) = (kind, count, out) else {
        bail!("{USAGE}");
    };
    if out.exists()
        && out
            .read_dir()
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        bail!(
            "{} exists and is not empty; pick a new directory",
            out.display()
        );
    }
    let started = Instant::now();
    let summary = generate(kind, count, &out, seed)?;
    eprintln!(
        "gen-library: {} {} media files ({} broken), {} NFO, {} images, {:.1} MiB in {} in {:.1} s",
        summary.media_files,
        kind.name(),
        summary.broken_files,
        summary.nfo_files,
        summary.images,
        summary.bytes as f64 / 1_048_576.0,
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::process::Command;

    use super::*;

    /// Every file under `dir` with its bytes, sorted by path.
    fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(next) = stack.pop() {
            for entry in std::fs::read_dir(&next).expect("readable") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let relative = path
                        .strip_prefix(dir)
                        .expect("inside")
                        .display()
                        .to_string();
                    out.push((relative, std::fs::read(&path).expect("readable")));
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn same_seed_same_library_other_seed_other_library() {
        let dir = tempfile::tempdir().expect("temp dir");
        let a = generate(Kind::Mixed, 150, &dir.path().join("a"), 42).expect("generated");
        let b = generate(Kind::Mixed, 150, &dir.path().join("b"), 42).expect("generated");
        let c = generate(Kind::Mixed, 150, &dir.path().join("c"), 43).expect("generated");
        assert_eq!(a, b);
        assert_eq!(a.media_files, 150);
        assert_eq!(
            contents(&dir.path().join("a")),
            contents(&dir.path().join("b"))
        );
        assert_ne!(
            contents(&dir.path().join("a")),
            contents(&dir.path().join("c"))
        );
        let _ = c;
    }

    #[test]
    fn about_one_percent_of_files_are_broken() {
        let dir = tempfile::tempdir().expect("temp dir");
        let summary = generate(Kind::Tv, 3000, dir.path(), 7).expect("generated");
        assert!(
            (10..=60).contains(&summary.broken_files),
            "{} broken of 3000",
            summary.broken_files
        );
    }

    #[test]
    fn layouts_follow_the_naming_conventions() {
        let dir = tempfile::tempdir().expect("temp dir");
        generate(Kind::Mixed, 300, dir.path(), 3).expect("generated");
        let names: Vec<String> = contents(dir.path()).into_iter().map(|(n, _)| n).collect();
        let episode =
            regex_lite(r"^tv/.+ \(\d{4}\)/Season \d{2}/.+ - S\d{2}E\d{2} - .+\.(mkv|mp4)$");
        assert!(names.iter().any(|n| episode(n)), "no episode in {names:?}");
        let movie = regex_lite(r"^movies/.+ \(\d{4}\)/.+ \(\d{4}\)\.(mkv|mp4)$");
        assert!(names.iter().any(|n| movie(n)));
        assert!(
            names
                .iter()
                .any(|n| n.starts_with("movies/") && n.ends_with("/movie.nfo"))
        );
        assert!(
            names
                .iter()
                .any(|n| n.starts_with("tv/") && n.ends_with("/tvshow.nfo"))
        );
        let track = regex_lite(r"^music/.+/.+ \(\d{4}\)/\d{2} - .+\.(mp3|flac|opus|m4a)$");
        assert!(names.iter().any(|n| track(n)));
        assert!(names.iter().any(|n| n.ends_with("/cover.jpg")));
    }

    /// A tiny matcher for the patterns above (xtask has no regex dependency): `.+`, `\d{N}`,
    /// `(a|b)` groups and literal characters, anchored.
    fn regex_lite(pattern: &'static str) -> impl Fn(&str) -> bool {
        // Translate into a sequence of tokens and match by backtracking.
        #[derive(Debug, Clone)]
        enum Token {
            Any,
            Digits(usize),
            Alt(Vec<String>),
            Lit(char),
        }
        let mut tokens = Vec::new();
        let chars: Vec<char> = pattern
            .trim_start_matches('^')
            .trim_end_matches('$')
            .chars()
            .collect();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '.' if chars.get(i + 1) == Some(&'+') => {
                    tokens.push(Token::Any);
                    i += 2;
                }
                '\\' if chars.get(i + 1) == Some(&'d') => {
                    let close = chars[i..].iter().position(|c| *c == '}').expect("}") + i;
                    let n: String = chars[i + 3..close].iter().collect();
                    tokens.push(Token::Digits(n.parse().expect("count")));
                    i = close + 1;
                }
                '\\' => {
                    tokens.push(Token::Lit(chars[i + 1]));
                    i += 2;
                }
                '(' => {
                    let close = chars[i..].iter().position(|c| *c == ')').expect(")") + i;
                    let inner: String = chars[i + 1..close].iter().collect();
                    tokens.push(Token::Alt(inner.split('|').map(str::to_owned).collect()));
                    i = close + 1;
                }
                c => {
                    tokens.push(Token::Lit(c));
                    i += 1;
                }
            }
        }
        fn matches(tokens: &[Token], text: &str) -> bool {
            let Some((first, rest)) = tokens.split_first() else {
                return text.is_empty();
            };
            match first {
                Token::Any => (1..=text.len())
                    .filter(|n| text.is_char_boundary(*n))
                    .any(|n| matches(rest, &text[n..])),
                Token::Digits(n) => {
                    text.len() >= *n
                        && text.is_char_boundary(*n)
                        && text[..*n].chars().all(|c| c.is_ascii_digit())
                        && matches(rest, &text[*n..])
                }
                Token::Alt(options) => options
                    .iter()
                    .any(|o| text.starts_with(o.as_str()) && matches(rest, &text[o.len()..])),
                Token::Lit(c) => text.starts_with(*c) && matches(rest, &text[c.len_utf8()..]),
            }
        }
        move |text| matches(&tokens, text)
    }

    fn ffprobe(path: &Path) -> Option<serde_json::Value> {
        let output = Command::new("ffprobe")
            .args([
                "-v",
                "error",
                "-print_format",
                "json",
                "-show_format",
                "-show_streams",
            ])
            .arg(path)
            .output()
            .ok()?;
        assert!(
            output.status.success(),
            "ffprobe rejects {}",
            path.display()
        );
        Some(serde_json::from_slice(&output.stdout).expect("ffprobe JSON"))
    }

    fn tag<'a>(probe: &'a serde_json::Value, key: &str) -> Option<&'a str> {
        let find = |tags: &'a serde_json::Value| {
            tags.as_object()?
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .and_then(|(_, v)| v.as_str())
        };
        find(&probe["format"]["tags"]).or_else(|| find(&probe["streams"][0]["tags"]))
    }

    #[test]
    fn every_format_reads_back_with_its_tags() {
        if Command::new("ffprobe").arg("-version").output().is_err() {
            eprintln!("ffprobe is not installed; skipping");
            return;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let spec = video::VideoSpec {
            duration_secs: 5400,
            width: 1920,
            height: 1080,
            language: "fre",
            title: "A Film".to_owned(),
            subtitles: true,
        };
        let mkv = dir.path().join("a.mkv");
        std::fs::write(&mkv, video::matroska(&spec, &[0; 64])).expect("written");
        let probe = ffprobe(&mkv).expect("probed");
        assert_eq!(probe["streams"].as_array().map(Vec::len), Some(3));
        assert_eq!(probe["streams"][0]["width"], 1920);
        assert_eq!(probe["streams"][1]["tags"]["language"], "fre");
        assert_eq!(probe["format"]["duration"], "5400.000000");

        let mp4 = dir.path().join("a.mp4");
        std::fs::write(&mp4, video::mp4(&spec, &[0; 64])).expect("written");
        let probe = ffprobe(&mp4).expect("probed");
        assert_eq!(probe["streams"][0]["codec_name"], "h264");
        assert_eq!(probe["streams"][0]["height"], 1080);
        assert_eq!(probe["streams"][1]["codec_name"], "aac");
        assert_eq!(probe["streams"][1]["tags"]["language"], "fre");

        let tags = audio::Tags {
            title: "Song Ü".to_owned(),
            artist: "The Artist".to_owned(),
            album_artist: "The Artist".to_owned(),
            album: "The Album".to_owned(),
            year: 1999,
            track: 3,
            track_total: 12,
            disc: 1,
            genre: "Rock".to_owned(),
        };
        for (format, codec) in [
            (audio::Format::Mp3, "mp3"),
            (audio::Format::Flac, "flac"),
            (audio::Format::Opus, "opus"),
            (audio::Format::M4a, "aac"),
        ] {
            let path = dir.path().join(format!("t.{}", format.extension()));
            std::fs::write(&path, format.write(&tags, Some(JPEG))).expect("written");
            let probe = ffprobe(&path).expect("probed");
            assert_eq!(probe["streams"][0]["codec_name"], codec, "{format:?}");
            assert_eq!(tag(&probe, "title"), Some("Song Ü"), "{format:?}");
            assert_eq!(tag(&probe, "artist"), Some("The Artist"), "{format:?}");
            assert_eq!(tag(&probe, "album"), Some("The Album"), "{format:?}");
            let duration: f64 = probe["format"]["duration"]
                .as_str()
                .and_then(|d| d.parse().ok())
                .expect("a duration");
            assert!((0.9..1.1).contains(&duration), "{format:?}: {duration}");
        }
    }
}
