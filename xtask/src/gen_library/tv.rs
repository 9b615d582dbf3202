//! Series: `Show (Year)/Season 01/Show - S01E02 - Title.mkv`, 1 to 5 seasons of 6 to 22
//! episodes, `tvshow.nfo` for half the shows and `poster.jpg` for a third.

use std::collections::HashSet;

use anyhow::Result;

use super::video::{VideoSpec, matroska, mp4};
use super::{Writer, genre, title, unique_title, xml_escape};

/// Writes `count` episodes.
pub fn generate(w: &mut Writer, count: usize) -> Result<()> {
    let mut seen = HashSet::new();
    let mut written = 0;
    let mut show_number = 0;
    while written < count {
        show_number += 1;
        let rng = w.rng();
        let show = unique_title(rng, &mut seen);
        let year = rng.range(1960, 2025);
        let seasons = rng.range(1, 5);
        let mkv = rng.percent(70);
        let with_nfo = rng.percent(50);
        let with_poster = rng.percent(33);
        let genre = genre(rng);
        let folder = format!("{show} ({year})");
        if with_nfo {
            let xml = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<tvshow>\n  \
                 <title>{t}</title>\n  <year>{year}</year>\n  <plot>A generated series.</plot>\n  \
                 <genre>{genre}</genre>\n  <uniqueid type=\"tvdb\" default=\"true\">{id}</uniqueid>\n</tvshow>\n",
                t = xml_escape(&show),
                id = 200_000 + show_number,
            );
            w.nfo(&format!("{folder}/tvshow.nfo"), &xml)?;
        }
        if with_poster {
            w.image(&format!("{folder}/poster.jpg"))?;
        }
        'seasons: for season in 1..=seasons {
            let episodes = w.rng().range(6, 22);
            for episode in 1..=episodes {
                if written >= count {
                    break 'seasons;
                }
                let rng = w.rng();
                let episode_title = title(rng);
                let spec = VideoSpec::random(rng, episode_title.clone(), (1_200, 3_600));
                let padding = rng.bytes(256);
                let (body, ext) = if mkv {
                    (matroska(&spec, &padding), "mkv")
                } else {
                    (mp4(&spec, &padding), "mp4")
                };
                w.media(
                    &format!(
                        "{folder}/Season {season:02}/{show} - S{season:02}E{episode:02} - {episode_title}.{ext}"
                    ),
                    &body,
                )?;
                written += 1;
            }
        }
    }
    Ok(())
}
