//! Films: `Title (Year)/Title (Year).mkv|.mp4`, a fifth with release-style names, `movie.nfo`
//! for a third and `poster.jpg` for a third.

use std::collections::HashSet;

use anyhow::Result;

use super::video::{VideoSpec, matroska, mp4};
use super::{Writer, genre, unique_title, xml_escape};

const GROUPS: [&str; 5] = ["GRP", "SPARKS", "FLUX", "NTb", "RARBG"];
const SOURCES: [&str; 4] = [
    "1080p.BluRay.x264",
    "2160p.WEB-DL.DDP5.1.HEVC",
    "720p.HDTV.x264",
    "1080p.WEBRip.AAC2.0",
];

/// Writes `count` films.
pub fn generate(w: &mut Writer, count: usize) -> Result<()> {
    let mut seen = HashSet::new();
    for n in 0..count {
        let rng = w.rng();
        let title = unique_title(rng, &mut seen);
        let year = rng.range(1930, 2025);
        let spec = VideoSpec::random(rng, title.clone(), (4_800, 9_600));
        let mkv = rng.percent(60);
        let release = rng.percent(20);
        let with_nfo = rng.percent(33);
        let with_poster = rng.percent(33);
        let genre = genre(rng);
        let padding = rng.bytes(256);
        let (body, ext) = if mkv {
            (matroska(&spec, &padding), "mkv")
        } else {
            (mp4(&spec, &padding), "mp4")
        };
        let folder = if release {
            let dotted = title.replace(' ', ".");
            let source = rng.pick(&SOURCES);
            let group = rng.pick(&GROUPS);
            format!("{dotted}.{year}.{source}-{group}")
        } else {
            format!("{title} ({year})")
        };
        w.media(&format!("{folder}/{folder}.{ext}"), &body)?;
        if with_nfo {
            let xml = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<movie>\n  \
                 <title>{t}</title>\n  <year>{year}</year>\n  <plot>A generated film, number {n}.</plot>\n  \
                 <genre>{genre}</genre>\n  <uniqueid type=\"tmdb\" default=\"true\">{id}</uniqueid>\n</movie>\n",
                t = xml_escape(&title),
                id = 100_000 + n,
            );
            w.nfo(&format!("{folder}/movie.nfo"), &xml)?;
        }
        if with_poster {
            w.image(&format!("{folder}/poster.jpg"))?;
        }
    }
    Ok(())
}
