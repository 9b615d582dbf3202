//! Ids from the scraper URLs Kodi accepts in an NFO: a whole file that is just a URL, or a URL on
//! the line after the XML. Either way the URL says which title the user means.

/// The ids named by IMDb, TMDb and TVDb URLs in `text`, first of each kind, as (`kind`, id).
pub(crate) fn ids(text: &str) -> Vec<(&'static str, String)> {
    // ASCII lowercasing keeps byte offsets, so an index into `lower` is one into `text`.
    let lower = text.to_ascii_lowercase();
    let found = [
        ("imdb", first(&lower, "imdb.com/", imdb)),
        ("tmdb", first(&lower, "themoviedb.org/", tmdb)),
        ("tvdb", first(&lower, "thetvdb.com/", tvdb)),
    ];
    found
        .into_iter()
        .filter_map(|(kind, id)| Some((kind, id?)))
        .collect()
}

/// The first id that `extract` finds in the path after any occurrence of `host`.
fn first(lower: &str, host: &str, extract: fn(&str) -> Option<String>) -> Option<String> {
    lower.match_indices(host).find_map(|(at, _)| {
        let rest = lower.get(at + host.len()..)?;
        // Real paths are short; the cap keeps text that repeats a host without spaces linear.
        let end = rest
            .char_indices()
            .find(|&(i, c)| i >= 300 || c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\''))
            .map_or(rest.len(), |(i, _)| i);
        extract(rest.get(..end)?)
    })
}

/// `title/tt0133093/...`; the id may also sit in a query on old or mobile links.
fn imdb(path: &str) -> Option<String> {
    path.match_indices("tt").find_map(|(at, _)| {
        let digits = leading_digits(path.get(at + 2..)?);
        (digits.len() >= 7).then(|| format!("tt{digits}"))
    })
}

/// `movie/603-the-matrix`, `tv/1399`, and API links like `3/movie/603`.
fn tmdb(path: &str) -> Option<String> {
    ["movie/", "tv/"].into_iter().find_map(|segment| {
        let at = path.find(segment)?;
        numeric(path.get(at + segment.len()..)?)
    })
}

/// `?tab=series&id=81189`, `series/81189`, `dereferrer/series/81189`. Slug links carry no id.
fn tvdb(path: &str) -> Option<String> {
    ["id=", "series/"].into_iter().find_map(|marker| {
        path.match_indices(marker)
            .find_map(|(at, _)| numeric(path.get(at + marker.len()..)?))
    })
}

fn numeric(text: &str) -> Option<String> {
    let digits = leading_digits(text);
    (!digits.is_empty()).then(|| digits.to_owned())
}

fn leading_digits(text: &str) -> &str {
    let end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    text.get(..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let cases: &[(&str, &[(&str, &str)])] = &[
            (
                "https://www.imdb.com/title/tt0133093/",
                &[("imdb", "tt0133093")],
            ),
            (
                "http://akas.imdb.com/title/tt0133093",
                &[("imdb", "tt0133093")],
            ),
            (
                "https://m.IMDb.com/title/TT0133093/?ref_=x",
                &[("imdb", "tt0133093")],
            ),
            ("imdb.com/title/tt12345", &[]),
            (
                "https://www.themoviedb.org/movie/603-the-matrix",
                &[("tmdb", "603")],
            ),
            (
                "https://www.themoviedb.org/tv/1399?language=de",
                &[("tmdb", "1399")],
            ),
            ("https://api.themoviedb.org/3/movie/603", &[("tmdb", "603")]),
            ("https://www.themoviedb.org/person/6384", &[]),
            (
                "https://thetvdb.com/?tab=series&id=81189",
                &[("tvdb", "81189")],
            ),
            (
                "https://thetvdb.com/dereferrer/series/81189",
                &[("tvdb", "81189")],
            ),
            ("https://thetvdb.com/series/game-of-thrones", &[]),
            (
                "see https://www.imdb.com/title/tt0133093/ and\nhttps://www.themoviedb.org/movie/603",
                &[("imdb", "tt0133093"), ("tmdb", "603")],
            ),
            ("tt0133093 without a host", &[]),
            ("", &[]),
        ];
        for (text, want) in cases {
            let want: Vec<(&str, String)> =
                want.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
            assert_eq!(ids(text), want, "{text}");
        }
    }
}
