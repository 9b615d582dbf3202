//! One search suite run against both backends: typos, prefixes, ranking, facets, permission
//! filtering (also in totals and facet counts), types, deletes and cursor paging; then
//! reconciliation of a deliberately corrupted index.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod support;

use std::collections::HashSet;
use std::sync::Arc;

use revenge_core::Viewer;
use revenge_core::{KindPage, SearchMatches};
use revenge_search::{
    AccessFilter, Backend, KindsRequest, Search, SearchRequest, SearchResults, Source,
};
use support::*;

async fn find(backend: &Backend, viewer: &Viewer, q: &str) -> SearchResults {
    find_page(backend, viewer, q, &[], 20, 0).await
}

async fn find_page(
    backend: &Backend,
    viewer: &Viewer,
    q: &str,
    types: &[&str],
    limit: usize,
    offset: usize,
) -> SearchResults {
    backend
        .search(&SearchRequest {
            q: q.to_owned(),
            types: types.iter().map(|t| (*t).to_owned()).collect(),
            limit,
            offset,
            access: AccessFilter::of(viewer),
        })
        .await
        .unwrap_or_else(|e| panic!("{} search {q:?}: {e}", backend.name()))
}

/// One search, a page per type: (type, limit, offset).
async fn find_kinds(
    backend: &Backend,
    viewer: &Viewer,
    q: &str,
    pages: &[(&str, usize, usize)],
) -> Vec<SearchMatches> {
    backend
        .search_kinds(&KindsRequest {
            q: q.to_owned(),
            pages: pages
                .iter()
                .map(|(kind, limit, offset)| KindPage {
                    kind: (*kind).to_owned(),
                    limit: *limit,
                    offset: *offset,
                })
                .collect(),
            access: AccessFilter::of(viewer),
        })
        .await
        .unwrap_or_else(|e| panic!("{} search by type {q:?}: {e}", backend.name()))
}

fn titles(results: &SearchResults) -> Vec<&str> {
    results.hits.iter().map(|h| h.title.as_str()).collect()
}

fn facet(results: &SearchResults, which: &str, value: &str) -> u64 {
    let list = match which {
        "type" => &results.facets.kind,
        "year" => &results.facets.year,
        _ => &results.facets.genre,
    };
    list.iter()
        .find(|f| f.value == value)
        .map_or(0, |f| f.count)
}

/// The suite every backend passes.
async fn suite(backend: Backend) {
    let name = backend.name();
    backend.upsert(&corpus()).await.unwrap();

    // Typos: a transposition is forgiven.
    let typo = find(&backend, &admin(), "matirx").await;
    assert!(titles(&typo).contains(&"The Matrix"), "{name}: {typo:?}");
    assert!(
        typo.hits.iter().all(|h| h.title.contains("Matrix")),
        "{name}: {typo:?}"
    );

    // As you type: the last word is a prefix.
    let prefix = find(&backend, &admin(), "ali").await;
    let found: HashSet<&str> = titles(&prefix).into_iter().collect();
    for title in ["Alien", "Aliens", "Alice in Wonderland", "Alibi Kids"] {
        assert!(
            found.contains(title),
            "{name}: `ali` should find {title}: {found:?}"
        );
    }
    assert!(
        !found.contains("Alien Nights"),
        "{name}: adult item without the capability"
    );
    assert!(!found.contains("The Matrix"), "{name}");

    // Accents fold; the whole word ranks its exact match first.
    let amelie = find(&backend, &admin(), "amelie").await;
    assert_eq!(titles(&amelie), vec!["Amélie"], "{name}");
    let alien = find(&backend, &admin(), "alien ").await;
    assert_eq!(titles(&alien).first(), Some(&"Alien"), "{name}: {alien:?}");

    // Equally relevant hits: the more popular (recent) first.
    let twins = find(&backend, &admin(), "twin peaks fire").await;
    let ids: Vec<i64> = twins.hits.iter().map(|h| h.item_id).collect();
    assert_eq!(ids, vec![11, 10], "{name}: {twins:?}");

    // Subtitles are searched; types filter.
    let breaking = find(&backend, &admin(), "breaking").await;
    assert_eq!(breaking.total, 2, "{name}: series and its episode");
    let only_series = find_page(&backend, &admin(), "breaking", &["series"], 20, 0).await;
    assert_eq!(titles(&only_series), vec!["Breaking Bad"], "{name}");
    assert_eq!(only_series.hits[0].kind, "series");
    assert_eq!(only_series.hits[0].year, Some(2008));
    assert_eq!(
        only_series.hits[0].image.as_deref(),
        Some("tvshow.1.poster")
    );

    // Facets over every hit (an empty query lists everything visible).
    let all = find(&backend, &admin(), "").await;
    assert_eq!(all.total, 12, "{name}: all but the adult film");
    assert_eq!(facet(&all, "type", "movie"), 10, "{name}: {:?}", all.facets);
    assert_eq!(facet(&all, "type", "series"), 1, "{name}");
    assert_eq!(facet(&all, "type", "episode"), 1, "{name}");
    assert_eq!(
        facet(&all, "year", "2003"),
        3,
        "{name}: {:?}",
        all.facets.year
    );
    assert_eq!(
        facet(&all, "genre", "Action"),
        3,
        "{name}: {:?}",
        all.facets.genre
    );
    assert_eq!(
        facet(&all, "genre", "Adult"),
        0,
        "{name}: adult film counted"
    );
    let with_adult = find(&backend, &adult_admin(), "").await;
    assert_eq!(with_adult.total, 13, "{name}");
    assert!(titles(&find(&backend, &adult_admin(), "alien nig").await).contains(&"Alien Nights"));

    // A restricted user never sees hidden items, not even in totals and facet counts.
    let child = find(&backend, &kid(), "ali").await;
    assert_eq!(titles(&child), vec!["Alibi Kids"], "{name}: {child:?}");
    assert_eq!(child.total, 1, "{name}");
    assert_eq!(facet(&child, "genre", "Horror"), 0, "{name}");
    assert_eq!(facet(&child, "type", "movie"), 1, "{name}");
    let kid_all = find(&backend, &kid(), "").await;
    let visible: HashSet<&str> = titles(&kid_all).into_iter().collect();
    assert_eq!(
        visible,
        HashSet::from(["Finding Nemo", "Alibi Kids", "Amélie"]),
        "{name}: family library, rated 12 or less, rated at all"
    );
    assert_eq!(kid_all.total, 3, "{name}");
    assert_eq!(facet(&kid_all, "type", "series"), 0, "{name}");
    let mut nobody = kid();
    nobody.libraries = revenge_core::LibraryScope::Only(vec![]);
    assert_eq!(find(&backend, &nobody, "").await.total, 0, "{name}");
    // Several granted libraries: what each shows, together.
    let in_libraries = |ids: Vec<revenge_core::Id>| {
        let mut viewer = admin();
        viewer.libraries = revenge_core::LibraryScope::Only(ids);
        viewer
    };
    let family = find(&backend, &in_libraries(vec![1]), "").await;
    let grown_ups = find(&backend, &in_libraries(vec![2]), "").await;
    let both = find(&backend, &in_libraries(vec![1, 2]), "").await;
    let mut expected: Vec<&str> = titles(&family);
    expected.extend(titles(&grown_ups));
    expected.sort_unstable();
    let mut got = titles(&both);
    got.sort_unstable();
    assert!(family.total > 0 && grown_ups.total > 0, "{name}");
    assert_eq!(got, expected, "{name}");
    assert_eq!(both.total, family.total + grown_ups.total, "{name}");
    let two_kinds = find_page(
        &backend,
        &admin(),
        "breaking",
        &["series", "episode"],
        20,
        0,
    )
    .await;
    assert_eq!(two_kinds.total, 2, "{name}: {two_kinds:?}");

    // One search ranked per type: each type's page is what a search of that type alone
    // answers, in the same order, with the same total.
    for (viewer, q) in [
        (admin(), ""),
        (admin(), "ali"),
        (admin(), "breaking"),
        (kid(), ""),
    ] {
        for (limit, offset) in [(20, 0), (2, 1)] {
            let pages = [
                ("movie", limit, offset),
                ("series", limit, offset),
                ("episode", limit, offset),
            ];
            let by_kind = find_kinds(&backend, &viewer, q, &pages).await;
            assert_eq!(by_kind.len(), 3, "{name}");
            for ((kind, _, _), found) in pages.iter().zip(&by_kind) {
                let alone = find_page(&backend, &viewer, q, &[kind], limit, offset).await;
                let ids: Vec<i64> = alone.hits.iter().map(|h| h.item_id).collect();
                assert_eq!(
                    (found.total, &found.item_ids),
                    (alone.total, &ids),
                    "{name}: {kind} for {q:?} at {offset}+{limit}"
                );
            }
        }
    }
    let movies = find_kinds(&backend, &admin(), "ali", &[("movie", 20, 0)]).await;
    assert_eq!(movies[0].total, 4, "{name}: {movies:?}");
    let kids = find_kinds(
        &backend,
        &kid(),
        "ali",
        &[("movie", 20, 0), ("series", 20, 0)],
    )
    .await;
    assert_eq!(
        (kids[0].total, kids[1].total),
        (1, 0),
        "{name}: hidden items are not counted: {kids:?}"
    );
    let none = find_kinds(&backend, &nobody, "", &[("movie", 20, 0)]).await;
    assert_eq!(none, vec![SearchMatches::default()], "{name}");

    // Cursor paging walks every hit once.
    let mut seen = Vec::new();
    let mut offset = 0;
    loop {
        let page = find_page(&backend, &admin(), "", &[], 5, offset).await;
        assert_eq!(page.total, 12, "{name}");
        if page.hits.is_empty() {
            break;
        }
        offset += page.hits.len();
        seen.extend(page.hits.into_iter().map(|h| h.id));
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!((seen.len(), unique.len()), (12, 12), "{name}: {seen:?}");

    // Updates replace, deletes remove.
    let mut renamed = corpus()[3].clone();
    renamed.title = "Finding Dory".to_owned();
    backend.upsert(&[renamed]).await.unwrap();
    assert_eq!(
        titles(&find(&backend, &admin(), "dory").await),
        vec!["Finding Dory"]
    );
    assert_eq!(find(&backend, &admin(), "nemo").await.total, 0, "{name}");
    backend.delete(&["movie.movie.2".to_owned()]).await.unwrap();
    let after = find(&backend, &admin(), "alien").await;
    assert!(!titles(&after).contains(&"Alien"), "{name}: {after:?}");
    assert_eq!(find(&backend, &admin(), "").await.total, 11, "{name}");
    // Deleting what is not there is fine.
    backend
        .delete(&["movie.movie.404".to_owned()])
        .await
        .unwrap();

    // Typos are forgiven only when the words as typed find nothing (Typesense's default), for
    // each type on its own: "bright" finds the film and, among series, where nothing is
    // called that, the one a letter away.
    backend
        .upsert(&[
            doc(
                "movie",
                90,
                "Bright Star",
                Some(2009),
                &["Drama"],
                2,
                Some(12),
            ),
            doc(
                "series",
                91,
                "Fright Night",
                Some(1985),
                &["Horror"],
                2,
                Some(16),
            ),
        ])
        .await
        .unwrap();
    let bright = find(&backend, &admin(), "bright ").await;
    assert_eq!(titles(&bright), vec!["Bright Star"], "{name}: {bright:?}");
    assert_eq!(bright.total, 1, "{name}");
    let misspelt = find(&backend, &admin(), "brihgt ").await;
    assert!(
        titles(&misspelt).contains(&"Bright Star"),
        "{name}: {misspelt:?}"
    );
    let pages = [("movie", 20, 0), ("series", 20, 0)];
    let by_kind = find_kinds(&backend, &admin(), "bright ", &pages).await;
    assert_eq!(
        by_kind
            .iter()
            .map(|m| m.item_ids.clone())
            .collect::<Vec<_>>(),
        vec![vec![90], vec![91]],
        "{name}: {by_kind:?}"
    );
    for ((kind, limit, offset), found) in pages.iter().zip(&by_kind) {
        let alone = find_page(&backend, &admin(), "bright ", &[kind], *limit, *offset).await;
        let ids: Vec<i64> = alone.hits.iter().map(|h| h.item_id).collect();
        assert_eq!(
            (found.total, &found.item_ids),
            (alone.total, &ids),
            "{name}: {kind}"
        );
    }
}

/// A query matching hundreds of documents per type: each type's page, deep ones too, is what
/// a search of that type alone answers (the per-type ranking keeps only what can still make
/// a page while it collects).
async fn many_matches(backend: Backend) {
    let name = backend.name();
    // Titles of four lengths, so scores differ and tie; popularity breaks the ties.
    let titles = [
        "Ocean",
        "Ocean Deep",
        "Ocean Deep Blue",
        "The Ocean Deep Blue Sea",
    ];
    let docs: Vec<_> = (0..400)
        .map(|i: i64| {
            let kind = if i % 8 < 5 { "movie" } else { "series" };
            let title = titles[usize::try_from(i % 4).unwrap()];
            let mut d = doc(kind, 5000 + i, title, Some(2000), &["Drama"], 2, Some(12));
            d.popularity = (i * 37) % 101;
            d
        })
        .collect();
    backend.upsert(&docs).await.unwrap();
    for (limit, offset) in [(20, 0), (10, 90), (25, 125)] {
        let pages = [("movie", limit, offset), ("series", limit, offset)];
        let by_kind = find_kinds(&backend, &admin(), "ocean", &pages).await;
        for ((kind, _, _), found) in pages.iter().zip(&by_kind) {
            let alone = find_page(&backend, &admin(), "ocean", &[kind], limit, offset).await;
            let ids: Vec<i64> = alone.hits.iter().map(|h| h.item_id).collect();
            assert_eq!(ids.len(), limit, "{name}: {kind} at {offset}+{limit}");
            assert_eq!(
                (found.total, &found.item_ids),
                (alone.total, &ids),
                "{name}: {kind} at {offset}+{limit}"
            );
        }
        assert_eq!((by_kind[0].total, by_kind[1].total), (250, 150), "{name}");
    }
}

/// Reconciliation finds a missing, an orphaned and a stale document, repairs them and says so.
async fn reconciliation(backend: Backend) {
    let name = backend.name();
    let db = database().await;
    let module = FakeModule::new(corpus());
    let search = Search::with_backend(
        backend.clone(),
        None,
        db.conn.clone(),
        vec![Source {
            module: "movie".to_owned(),
            searchable: Arc::new(module.clone()),
        }],
    );
    let first = search.reconcile(false).await.unwrap();
    assert_eq!(
        (first.documents, first.missing, first.stale, first.orphaned),
        (13, 13, 0, 0)
    );

    // Corrupt the index behind the database's back.
    backend.delete(&["movie.movie.1".to_owned()]).await.unwrap();
    let mut orphan = corpus()[1].clone();
    orphan.id = "movie.movie.999".to_owned();
    orphan.item_id = 999;
    orphan.title = "Ghost".to_owned();
    let mut altered = corpus()[3].clone();
    altered.title = "Losing Nemo".to_owned();
    backend.upsert(&[orphan, altered]).await.unwrap();
    assert_eq!(find(&backend, &admin(), "ghost").await.total, 1);

    let report = search.reconcile(false).await.unwrap();
    assert_eq!(
        (report.missing, report.stale, report.orphaned),
        (1, 1, 1),
        "{name}: {report}"
    );
    assert_eq!(
        report.to_string(),
        "13 documents: 1 missing, 1 stale, 1 orphaned"
    );
    assert_eq!(find(&backend, &admin(), "ghost").await.total, 0, "{name}");
    assert_eq!(find(&backend, &admin(), "losing").await.total, 0, "{name}");
    assert!(titles(&find(&backend, &admin(), "matrix").await).contains(&"The Matrix"));
    let clean = search.reconcile(false).await.unwrap();
    assert_eq!(
        (clean.missing, clean.stale, clean.orphaned),
        (0, 0, 0),
        "{name}"
    );

    // Items from events: a change in the "database" reaches the index; a removal deletes.
    let mut docs = corpus();
    docs[0].title = "The Matrix Resurrections".to_owned();
    docs.remove(1);
    module.set(docs);
    search
        .index_items(&[("movie".to_owned(), 1), ("movie".to_owned(), 2)])
        .await
        .unwrap();
    assert_eq!(
        find(&backend, &admin(), "resurrections").await.total,
        1,
        "{name}"
    );
    assert!(!titles(&find(&backend, &admin(), "alien").await).contains(&"Alien"));
    // A full reindex writes everything again and finds nothing to repair.
    let full = search.reconcile(true).await.unwrap();
    assert_eq!(
        (full.documents, full.missing, full.orphaned),
        (12, 0, 0),
        "{name}"
    );
}

#[tokio::test]
async fn embedded_backend_passes_the_suite() {
    suite(embedded()).await;
}

#[tokio::test]
async fn embedded_backend_ranks_many_matches_per_type() {
    many_matches(embedded()).await;
}

#[tokio::test]
async fn embedded_backend_reconciles() {
    reconciliation(embedded()).await;
}

#[tokio::test]
async fn embedded_index_persists_in_its_folder() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = revenge_search::EmbeddedIndex::open(&dir.path().join("search")).unwrap();
        index.upsert(&corpus()).await.unwrap();
    }
    let reopened =
        Backend::Embedded(revenge_search::EmbeddedIndex::open(&dir.path().join("search")).unwrap());
    assert_eq!(find(&reopened, &admin(), "matrix").await.total, 2);
}

#[tokio::test]
async fn an_embedded_index_written_often_is_kept_in_few_segments() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("search");
    let index = revenge_search::EmbeddedIndex::open(&folder).unwrap();
    // One commit per document: a segment each, had nothing merged them.
    let docs = corpus();
    for doc in &docs {
        index.upsert(std::slice::from_ref(doc)).await.unwrap();
    }
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("meta.json")).unwrap()).unwrap();
    let segments = meta["segments"].as_array().map_or(0, Vec::len);
    assert!(
        (1..=4).contains(&segments),
        "{} writes left {segments} segments",
        docs.len()
    );
    let all = find(&Backend::Embedded(index), &adult_admin(), "").await;
    assert_eq!(all.total as usize, docs.len(), "nothing lost in the merges");
}

#[tokio::test]
async fn a_search_by_type_sees_every_write_as_segments_come_and_merge() {
    let dir = tempfile::tempdir().unwrap();
    let backend =
        Backend::Embedded(revenge_search::EmbeddedIndex::open(&dir.path().join("search")).unwrap());
    // One commit per write: a new segment each time, merged past a few; each search by type
    // reads its segments' types, which must follow.
    for i in 0..12_i64 {
        let kind = if i % 3 == 0 { "series" } else { "movie" };
        backend
            .upsert(&[doc(
                kind,
                700 + i,
                &format!("Harbor {i}"),
                None,
                &[],
                1,
                None,
            )])
            .await
            .unwrap();
        let found = find_kinds(
            &backend,
            &admin(),
            "harbor",
            &[("movie", 20, 0), ("series", 20, 0)],
        )
        .await;
        let series = i / 3 + 1;
        assert_eq!(
            (found[0].total, found[1].total),
            (
                u64::try_from(i + 1 - series).unwrap(),
                u64::try_from(series).unwrap()
            ),
            "after write {i}"
        );
        assert!(
            found[usize::from(kind == "series")]
                .item_ids
                .contains(&(700 + i))
        );
    }
    // A document rewritten as another type moves with it.
    backend
        .upsert(&[doc("series", 701, "Harbor 1", None, &[], 1, None)])
        .await
        .unwrap();
    let found = find_kinds(&backend, &admin(), "harbor", &[("series", 20, 0)]).await;
    assert_eq!(found[0].total, 5);
    assert!(found[0].item_ids.contains(&701));
}

#[tokio::test]
async fn a_search_by_type_finds_types_past_the_first_few_hundred() {
    let backend = embedded();
    // More types than the per-segment table holds by number: the last ones are read from the
    // type column itself. (Enough that each of the writer's threads' segments has too many.)
    let docs: Vec<_> = (0..1200_i64)
        .map(|i| doc(&format!("kind{i:03}"), i, "Lantern", None, &[], 1, None))
        .collect();
    backend.upsert(&docs).await.unwrap();
    let pages = [
        ("kind003", 5, 0),
        ("kind253", 5, 0),
        ("kind254", 5, 0),
        ("kind1199", 5, 0),
        ("kind1200", 5, 0),
    ];
    let found = find_kinds(&backend, &admin(), "lantern", &pages).await;
    let ids: Vec<(u64, Vec<i64>)> = found.into_iter().map(|f| (f.total, f.item_ids)).collect();
    assert_eq!(
        ids,
        vec![
            (1, vec![3]),
            (1, vec![253]),
            (1, vec![254]),
            (1, vec![1199]),
            (0, vec![])
        ]
    );
}

#[tokio::test]
async fn a_word_being_typed_finds_every_word_it_begins() {
    let backend = embedded();
    // More words with the prefix than a phrase prefix expands to by default (50).
    let letters: Vec<char> = ('a'..='z').collect();
    let docs: Vec<_> = (0..120_i64)
        .map(|i| {
            let n = usize::try_from(i).unwrap();
            let word = format!("prism{}{}", letters[n / 26], letters[n % 26]);
            doc("movie", 900 + i, &word, None, &[], 1, None)
        })
        .collect();
    backend.upsert(&docs).await.unwrap();
    let found = find_page(&backend, &admin(), "pris", &[], 5, 0).await;
    assert_eq!(found.total, 120);
    let by_kind = find_kinds(&backend, &admin(), "prism", &[("movie", 5, 0)]).await;
    assert_eq!(by_kind[0].total, 120);
}

/// The segments of an embedded index on disk: (id, documents).
fn segments(folder: &std::path::Path) -> Vec<(String, u64)> {
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("meta.json")).unwrap()).unwrap();
    meta["segments"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|s| {
                    let id = s["segment_id"].as_str().unwrap_or_default().to_owned();
                    (id, s["max_doc"].as_u64().unwrap_or_default())
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn merging_leaves_a_segment_holding_most_documents_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("search");
    let index = revenge_search::EmbeddedIndex::open(&folder).unwrap();
    index.upsert(&corpus()).await.unwrap();
    // The writer's threads may each have written a part of the corpus.
    let before = segments(&folder);
    let big = before
        .iter()
        .max_by_key(|(_, docs)| *docs)
        .cloned()
        .unwrap_or_default();
    for id in 100..104 {
        let extra = doc("movie", id, &format!("Extra {id}"), None, &[], 1, None);
        index.upsert(&[extra]).await.unwrap();
    }
    let after = segments(&folder);
    assert!(
        after.len() <= 4 && after.len() < before.len() + 4,
        "merged: {before:?} then {after:?}"
    );
    assert!(after.contains(&big), "{big:?} kept in {after:?}");
    let all = find(&Backend::Embedded(index), &adult_admin(), "").await;
    assert_eq!(all.total as usize, corpus().len() + 4);
}

#[cfg(feature = "typesense")]
mod typesense {
    use super::*;
    use revenge_search::typesense::TypesenseIndex;

    async fn backend() -> Option<(Backend, TypesenseIndex)> {
        let (url, key) = typesense_env()?;
        let index = TypesenseIndex::new(&typesense_settings(&url, &key)).unwrap();
        Some((Backend::Typesense(index.clone()), index))
    }

    /// Runs `part` on a fresh collection of the shared Typesense, dropped afterwards.
    async fn on_a_collection<F: std::future::Future<Output = ()>>(part: fn(Backend) -> F) {
        let Some((backend, index)) = backend().await else {
            return;
        };
        part(backend).await;
        index.drop_collection().await.unwrap();
    }

    #[tokio::test]
    async fn typesense_backend_passes_the_suite() {
        on_a_collection(suite).await;
    }

    #[tokio::test]
    async fn typesense_backend_ranks_many_matches_per_type() {
        on_a_collection(many_matches).await;
    }

    #[tokio::test]
    async fn typesense_backend_reconciles() {
        on_a_collection(reconciliation).await;
    }

    /// A collection deleted behind an index's back (by an operator, or by another instance
    /// sharing it) fails one search and one per-type search with the engine's message, then
    /// is made again: nothing stays broken.
    #[tokio::test]
    async fn a_collection_dropped_behind_its_back_is_made_again() {
        let Some((url, key)) = typesense_env() else {
            return;
        };
        let settings = typesense_settings(&url, &key);
        let index = TypesenseIndex::new(&settings).unwrap();
        let backend = Backend::Typesense(index.clone());
        let viewer = admin();
        backend.upsert(&corpus()).await.unwrap();
        assert!(titles(&find(&backend, &viewer, "matrix").await).contains(&"The Matrix"));

        let other = TypesenseIndex::new(&settings).unwrap();
        other.drop_collection().await.unwrap();
        let request = SearchRequest {
            q: "matrix".to_owned(),
            types: vec![],
            limit: 5,
            offset: 0,
            access: AccessFilter::of(&viewer),
        };
        let error = backend.search(&request).await.unwrap_err();
        assert!(
            matches!(error, revenge_search::SearchError::Engine(ref m) if m.to_lowercase().contains("not found")),
            "{error:?}"
        );
        assert!(find(&backend, &viewer, "matrix").await.hits.is_empty());

        other.drop_collection().await.unwrap();
        let kinds = KindsRequest {
            q: "matrix".to_owned(),
            pages: vec![KindPage {
                kind: "movie".to_owned(),
                limit: 5,
                offset: 0,
            }],
            access: AccessFilter::of(&viewer),
        };
        assert!(backend.search_kinds(&kinds).await.is_err());
        backend.upsert(&corpus()).await.unwrap();
        let found = find_kinds(&backend, &viewer, "matrix", &[("movie", 5, 0)]).await;
        assert_eq!(found[0].total, 2, "{found:?}");
        index.drop_collection().await.unwrap();
    }

    #[tokio::test]
    async fn unreachable_typesense_is_unavailable_not_a_crash() {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let index = TypesenseIndex::new(&typesense_settings(
            &format!("http://127.0.0.1:{port}"),
            "key",
        ))
        .unwrap();
        let backend = Backend::Typesense(index);
        let error = backend
            .search(&SearchRequest {
                q: "x".to_owned(),
                types: vec![],
                limit: 5,
                offset: 0,
                access: AccessFilter::everything(),
            })
            .await
            .unwrap_err();
        assert!(
            matches!(error, revenge_search::SearchError::Unavailable(_)),
            "{error:?}"
        );
        assert!(backend.upsert(&corpus()).await.is_err());
    }
}
