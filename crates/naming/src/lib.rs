//! Media file naming: what a path names — a movie, an episode, an extra — read from its file
//! and folder names alone. Pure: no I/O, no database, no async; the scanner calls it for
//! every file it finds and `revenge parse-name` prints what it returns.

mod episode;
mod extras;
mod hints;
mod movie;
mod parsed;
mod path;
mod title;
mod tokens;

use std::path::Path;

pub use parsed::{EpisodeNumber, Kind, Parsed};

/// What a path names, deciding between movie and episode from the names themselves:
/// episode numbering (`S01E02`, `1x02`, an air date, an anime number) or a season folder
/// makes an episode; an extras folder, an extra suffix or a sample makes an extra; anything
/// else with a plausible title is a movie, and the rest is unknown.
pub fn parse_path(path: &Path) -> Parsed {
    parse(path, Module::Any)
}

/// What a path names when its library holds movies: episode numbering is not looked for.
/// Extras stay extras; a path with no usable title stays unknown.
pub fn parse_movie(path: &Path) -> Parsed {
    parse(path, Module::Movies)
}

/// What a path names when its library holds TV: always an episode (or an extra), and looser
/// numbering counts (`Episode 5`, `05 - Title`, `Show - 5`, `Show 05`). Without a season
/// folder above it, a number after a dash or at the end of the name is an absolute number.
pub fn parse_episode(path: &Path) -> Parsed {
    parse(path, Module::Tv)
}

/// Which interpretation the caller's library allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Module {
    Any,
    Movies,
    Tv,
}

fn parse(path: &Path, module: Module) -> Parsed {
    let names = path::split(path);
    let extra = extras::detect(&names.name, &names.folders);
    let name = extra
        .as_ref()
        .map_or(names.name.as_str(), |e| e.name.as_str());
    let (skip, folder_part) = path::owner(&names.folders);
    let folders = names.folders.get(skip..).unwrap_or_default();

    let mut out = match module {
        Module::Movies => movie::parse(name, folders),
        Module::Tv => episode::parse(name, folders, true),
        Module::Any => any(name, folders),
    };
    if out.kind != Kind::Episode {
        out.part = out.part.or(folder_part);
    }
    // Ids hold anywhere up the path; the nearest name wins.
    for folder in names.folders.iter().rev() {
        out.ids.extend(hints::scan(folder).ids);
    }
    out.ids.extend(hints::scan(&names.name).ids);
    if let Some(extra) = extra {
        out.kind = Kind::Extra;
        out.extra_type = Some(extra.kind.to_owned());
        out.sample = extra.sample;
    }
    out
}

fn any(name: &str, folders: &[String]) -> Parsed {
    let in_season = folders
        .first()
        .is_some_and(|f| episode::season_folder(f).is_some());
    if in_season || episode::has_marker(name) {
        return episode::parse(name, folders, false);
    }
    // A generic file in a release folder of an episode (`Show.S01E02.720p-GRP/video.mkv`).
    if !movie::has_title(name)
        && let Some((owner, above)) = folders.split_first()
        && episode::has_marker(owner)
    {
        let mut out = episode::parse(owner, above, false);
        movie::fill_quality(&mut out, &movie::read(name));
        return out;
    }
    movie::parse(name, folders)
}
