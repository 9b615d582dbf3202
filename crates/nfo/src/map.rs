//! From the element tree to [`Nfo`]: which Kodi elements carry which field, and which wins when
//! several say the same thing. Only the root's direct children are read, so a `<title>` inside
//! `<set>` or `<fileinfo>` never becomes the item's title.

use std::collections::BTreeMap;

use crate::xml::Element;
use crate::{Actor, Nfo, NfoKind, value};

pub(crate) fn fill(root: &Element, nfo: &mut Nfo) {
    nfo.kind = match root.name.as_str() {
        "movie" => NfoKind::Movie,
        "tvshow" => NfoKind::TvShow,
        "episodedetails" => NfoKind::Episode,
        _ => NfoKind::Unknown,
    };
    let mut outline = None;
    let mut year = None;
    // premiered, aired, releasedate: Kodi writes the first for movies and shows, the second for
    // episodes, and other tools the third.
    let mut dates: [Option<&str>; 3] = [None; 3];
    let mut ratings = Ratings::default();
    let mut legacy_ids = BTreeMap::new();

    for child in &root.children {
        let text = child.own_text();
        match (child.name.as_str(), text) {
            ("title", Some(text)) => set(&mut nfo.title, text),
            ("originaltitle", Some(text)) => set(&mut nfo.original_title, text),
            ("sorttitle", Some(text)) => set(&mut nfo.sort_title, text),
            ("plot", Some(text)) => set(&mut nfo.plot, text),
            ("outline", Some(text)) => set(&mut outline, text),
            ("tagline", Some(text)) => set(&mut nfo.tagline, text),
            ("status", Some(text)) => set(&mut nfo.status, text),
            ("year", Some(text)) => year = year.or(value::year(text)),
            ("premiered", Some(text)) => first(&mut dates[0], text),
            ("aired", Some(text)) => first(&mut dates[1], text),
            ("releasedate", Some(text)) => first(&mut dates[2], text),
            ("runtime", Some(text)) => {
                nfo.runtime_minutes = nfo.runtime_minutes.or(value::runtime(text))
            }
            ("mpaa", Some(text)) => {
                nfo.mpaa = nfo.mpaa.take().or_else(|| value::certification(text))
            }
            ("season", Some(text)) => nfo.season = nfo.season.or(value::count(text)),
            ("episode", Some(text)) => nfo.episode = nfo.episode.or(value::count(text)),
            ("genre", Some(text)) => {
                value::split_list(text).for_each(|g| value::push_unique(&mut nfo.genres, g))
            }
            ("studio", Some(text)) => {
                kodi_list(text).for_each(|s| value::push_unique(&mut nfo.studios, s))
            }
            ("tag", Some(text)) => {
                kodi_list(text).for_each(|t| value::push_unique(&mut nfo.tags, t))
            }
            ("ratings", _) => ratings.read_list(child),
            ("rating", _) => ratings.plain = ratings.plain.or(rating_value(child)),
            ("actor", _) => nfo.actors.extend(actor(child)),
            ("uniqueid", Some(text)) => {
                let kind = match child.attr("type") {
                    Some(kind) => kind.to_lowercase(),
                    // Typeless ids are guessed only when the value says what it is.
                    None if text.to_ascii_lowercase().starts_with("tt") => "imdb".to_owned(),
                    None => continue,
                };
                if let Some((kind, id)) = id(&kind, text) {
                    nfo.ids.entry(kind).or_insert(id);
                }
            }
            ("tmdbid", Some(text)) => legacy_id(&mut legacy_ids, "tmdb", text),
            ("imdbid" | "imdb_id" | "imdb", Some(text)) => legacy_id(&mut legacy_ids, "imdb", text),
            ("tvdbid", Some(text)) => legacy_id(&mut legacy_ids, "tvdb", text),
            // A bare <id> is an IMDb id in movie files but a TVDb or TMDb one in show files
            // depending on the scraper, so only the self-describing `tt` form is taken.
            ("id", Some(text)) if text.to_ascii_lowercase().starts_with("tt") => {
                legacy_id(&mut legacy_ids, "imdb", text);
            }
            _ => {}
        }
    }

    nfo.plot = nfo.plot.take().or(outline);
    nfo.rating = ratings.best();
    nfo.premiered = dates.iter().flatten().find_map(|text| value::date(text));
    nfo.year = year
        .or_else(|| nfo.premiered.as_deref().and_then(value::year))
        .or_else(|| dates.iter().flatten().find_map(|text| value::year(text)));
    // <uniqueid> is what current Kodi writes and reads; the older single-id elements only fill
    // gaps.
    for (kind, id) in legacy_ids {
        nfo.ids.entry(kind).or_insert(id);
    }
}

fn set(field: &mut Option<String>, text: &str) {
    if field.is_none() {
        *field = Some(text.to_owned());
    }
}

fn first<'a>(field: &mut Option<&'a str>, text: &'a str) {
    if field.is_none() {
        *field = Some(text);
    }
}

/// Kodi joins list values with " / " when a tool writes them into one element; names with a
/// plain "/" or "," (studios like "AC/DC Films") are left whole.
fn kodi_list(text: &str) -> impl Iterator<Item = &str> {
    text.split(" / ").map(str::trim).filter(|s| !s.is_empty())
}

fn actor(element: &Element) -> Option<Actor> {
    // Some old tools wrote the name as the element's own text.
    let name = element.child_text("name").or(element.own_text())?;
    Some(Actor {
        name: name.to_owned(),
        role: element.child_text("role").map(str::to_owned),
        order: element.child_text("order").and_then(value::count),
    })
}

fn legacy_id(ids: &mut BTreeMap<String, String>, kind: &str, text: &str) {
    if let Some((kind, id)) = id(kind, text) {
        ids.entry(kind).or_insert(id);
    }
}

/// An id of `kind`, checked where its form is known so a stray "0" or "N/A" is not taken.
fn id(kind: &str, text: &str) -> Option<(String, String)> {
    let kind = match kind.trim() {
        "themoviedb" => "tmdb",
        "thetvdb" => "tvdb",
        other => other,
    };
    let text = text.trim();
    let id = match kind {
        "" => return None,
        "imdb" => {
            let id = text.to_ascii_lowercase();
            let digits = id.strip_prefix("tt")?;
            (digits.len() >= 7 && digits.chars().all(|c| c.is_ascii_digit())).then_some(id)?
        }
        "tmdb" | "tvdb" => {
            let valid = text.chars().all(|c| c.is_ascii_digit())
                && !text.trim_start_matches('0').is_empty();
            valid.then(|| text.to_owned())?
        }
        _ => text.to_owned(),
    };
    Some((kind.to_owned(), id))
}

#[derive(Debug, Default)]
struct Ratings {
    /// From `<ratings><rating default="true">`.
    default: Option<f64>,
    /// From the first `<ratings><rating>` with a value.
    first: Option<f64>,
    /// From a `<rating>` directly under the root, the format before Kodi 17.
    plain: Option<f64>,
}

impl Ratings {
    fn read_list(&mut self, list: &Element) {
        for rating in list.children_named("rating") {
            let Some(value) = rating_value(rating) else {
                continue;
            };
            let is_default = rating.attr("default").is_some_and(|d| {
                matches!(d.trim().to_ascii_lowercase().as_str(), "true" | "1" | "yes")
            });
            if is_default {
                self.default = self.default.or(Some(value));
            }
            self.first = self.first.or(Some(value));
        }
    }

    fn best(&self) -> Option<f64> {
        self.default.or(self.first).or(self.plain)
    }
}

/// A rating on a 0–10 scale, rescaled from its `max` when that is not 10. Zero is what Kodi
/// writes for "no rating", so it counts as none.
fn rating_value(rating: &Element) -> Option<f64> {
    let value = value::float(rating.child_text("value").or(rating.own_text())?)?;
    let max = rating
        .attr("max")
        .and_then(value::float)
        .filter(|max| *max > 0.0);
    let value = match max {
        Some(max) if (max - 10.0).abs() > f64::EPSILON => value * 10.0 / max,
        _ => value,
    };
    Some(value.clamp(0.0, 10.0)).filter(|value| *value > 0.0)
}
