//! Movies: title, year, edition and part from the file name, or from the movie's folder when
//! the file name is generic (`Heat (1995)/movie.mkv`).

use crate::episode::same_title;
use crate::hints;
use crate::parsed::{Kind, Parsed};
use crate::path::is_generic;
use crate::title::{self, Mode};
use crate::tokens::part_word;
use crate::tokens::{self, words};

/// What one name says, read as a movie.
pub(crate) fn read(name: &str) -> Parsed {
    let hints = hints::scan(name);
    let all = words(&hints.text);
    let t = title::analyse(&hints.text, &all, Mode::Movie);
    let mut out = Parsed {
        title: t.title,
        year: t.year,
        edition: hints.edition.or(t.edition),
        part: t.part,
        group: hints.group,
        ..Parsed::default()
    };
    tokens::quality(&all, &mut out);
    out
}

/// Whether a file name names something itself, rather than leaving it to its folder.
pub(crate) fn has_title(name: &str) -> bool {
    !is_generic(name) && read(name).title.is_some()
}

/// Copies the quality fields `from` has and `to` lacks.
pub(crate) fn fill_quality(to: &mut Parsed, from: &Parsed) {
    for (field, value) in [
        (&mut to.resolution, &from.resolution),
        (&mut to.source, &from.source),
        (&mut to.codec, &from.codec),
        (&mut to.group, &from.group),
    ] {
        if field.is_none() {
            field.clone_from(value);
        }
    }
}

/// Parses a name as a movie. `folders` start at the folder that owns it.
pub(crate) fn parse(name: &str, folders: &[String]) -> Parsed {
    let mut out = read(name);
    let generic = is_generic(name) || out.title.is_none();
    let dir = folders.first().map(|f| read(f));
    match dir {
        Some(dir) if generic => {
            out.title = dir.title.clone();
            out.year = dir.year;
            out.edition = out.edition.take().or_else(|| dir.edition.clone());
            out.part = out.part.or(dir.part);
            fill_quality(&mut out, &dir);
        }
        // "Heat (1995)/Heat.mkv": the folder adds what the file name left out.
        Some(dir) if matches!((&out.title, &dir.title), (Some(a), Some(b)) if same_title(a, b)) => {
            out.year = out.year.or(dir.year);
            out.edition = out.edition.take().or(dir.edition);
        }
        Some(_) => {}
        None if generic => out.title = None,
        None => {}
    }
    out.part = out.part.or_else(|| part_word(name.trim()));
    out.kind = if out.title.is_some() {
        Kind::Movie
    } else {
        Kind::Unknown
    };
    out
}
