//! Extras: trailers, featurettes, samples and the like, which belong to a movie or show
//! rather than being one. Named by a folder (`Trailers/`) or a suffix (`-trailer`).

use std::sync::LazyLock;

use regex::Regex;

/// An extra, and the name left once its marker is cut off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Extra {
    pub kind: &'static str,
    pub sample: bool,
    pub name: String,
}

/// `-sample`, `.sample.`, `.sample` at the end, `sample-` at the start.
static SAMPLE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?i)(?:^sample[-._]|[-.]sample(?:$|[-.])|_sample$)").ok());

/// Suffixes a dot, underscore or (spaced) hyphen may introduce: these words do not end
/// ordinary titles.
static SUFFIX: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:\s*-\s*|[._])(trailer|teaser|featurette|behindthescenes|deleted|deletedscenes?|interview)(?:[-._ ]?\d{1,2})?$",
    )
    .ok()
});

/// Suffixes only a hyphen introduces, as "The Other" or "Short Cuts" could end a title.
static DASH_SUFFIX: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?i)-(scene|short|clip|other|extra)(?:[-._ ]?\d{1,2})?$").ok());

/// The extra type a folder holds, from its name without case or separators.
pub(crate) fn folder_kind(name: &str) -> Option<&'static str> {
    let key: String = name
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    Some(match key.as_str() {
        "trailers" | "trailer" => "trailer",
        "featurettes" | "featurette" => "featurette",
        "behindthescenes" => "behindthescenes",
        "deletedscenes" | "deletedscene" => "deletedscene",
        "interviews" | "interview" => "interview",
        "scenes" => "scene",
        "shorts" => "short",
        "extras" => "extra",
        "other" | "others" => "other",
        "samples" | "sample" => "sample",
        _ => return None,
    })
}

fn suffix_kind(word: &str) -> &'static str {
    match word.to_ascii_lowercase().as_str() {
        "trailer" | "teaser" => "trailer",
        "featurette" => "featurette",
        "behindthescenes" => "behindthescenes",
        "deleted" | "deletedscene" | "deletedscenes" => "deletedscene",
        "interview" => "interview",
        "scene" => "scene",
        "short" => "short",
        "clip" => "clip",
        "other" => "other",
        _ => "extra",
    }
}

/// Whether `name` (a file name without extension, in `folders`, nearest first) is an extra.
pub(crate) fn detect(name: &str, folders: &[String]) -> Option<Extra> {
    let in_folder = folders.first().and_then(|f| folder_kind(f));
    let lower = name.trim().to_lowercase();
    if lower == "sample" {
        return Some(extra("sample", String::new()));
    }
    if let Some(m) = SAMPLE.as_ref().and_then(|re| re.find(name)) {
        let (before, after) = (
            name.get(..m.start()).unwrap_or(""),
            name.get(m.end()..).unwrap_or(""),
        );
        let joined = if before.is_empty() || after.is_empty() {
            format!("{before}{after}")
        } else {
            format!("{before}.{after}")
        };
        return Some(extra("sample", joined));
    }
    if in_folder == Some("sample") {
        return Some(extra("sample", name.to_owned()));
    }
    // A file called just "trailer" or "theme" belongs to the folder it sits in.
    match lower.as_str() {
        "trailer" => return Some(extra("trailer", String::new())),
        "theme" => return Some(extra("theme", String::new())),
        _ => {}
    }
    for re in [&SUFFIX, &DASH_SUFFIX] {
        if let Some(c) = re.as_ref().and_then(|re| re.captures(name))
            && let (Some(all), Some(word)) = (c.get(0), c.get(1))
        {
            let rest = name.get(..all.start()).unwrap_or("");
            return Some(extra(suffix_kind(word.as_str()), rest.to_owned()));
        }
    }
    in_folder.map(|kind| extra(kind, name.to_owned()))
}

fn extra(kind: &'static str, name: String) -> Extra {
    Extra {
        kind,
        sample: kind == "sample",
        name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile() {
        assert!(SAMPLE.is_some());
        assert!(SUFFIX.is_some());
        assert!(DASH_SUFFIX.is_some());
    }

    #[test]
    fn suffixes_are_cut() {
        let e = detect("Heat (1995)-trailer", &[]).unwrap();
        assert_eq!((e.kind, e.name.as_str()), ("trailer", "Heat (1995)"));
        let e = detect("movie.2010.1080p-grp-sample", &[]).unwrap();
        assert_eq!(
            (e.kind, e.name.as_str()),
            ("sample", "movie.2010.1080p-grp")
        );
        assert!(detect("The Other (1972)", &[]).is_none());
    }
}
