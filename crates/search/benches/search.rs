//! The search benchmark: N synthetic documents (default 100,000) in the one shared schema, on
//! the embedded index and on Typesense. It measures a full reindex through the service's own
//! path (`Search::reconcile(true)`: read the index's fingerprints, write every document in
//! batches) in documents per second, then the latency of typical searches — prefixes as typed,
//! typos, and searches filtered by a restricted viewer and a type — as p50/p99 over many runs,
//! one client at a time.
//!
//! ```text
//! cargo bench -p revenge-search --bench search -- [--docs N] [--rounds R]
//!     [--backend embedded|typesense|both] [--typesense-url URL] [--typesense-key KEY]
//! ```
//!
//! Typesense comes from `--typesense-url`/`--typesense-key` or `TEST_TYPESENSE_URL`/
//! `TEST_TYPESENSE_KEY`; each run uses a collection of its own and drops it at the end.
//! `cargo bench` builds in release. Results are documented in `docs/search-benchmark.md`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    reason = "a benchmark: it fails by panicking and reports on stdout"
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use revenge_core::{Id, ImportFuture, ItemDocuments, SearchDocument, SearchKind, Searchable};
use revenge_search::{AccessFilter, Backend, EmbeddedIndex, Search, SearchRequest, Source};
use sea_orm::DatabaseConnection;

const WORDS: &[&str] = &[
    "matrix", "alien", "night", "love", "dark", "star", "war", "king", "queen", "river", "blue",
    "house", "dead", "city", "fire", "ice", "dream", "ghost", "heart", "storm", "iron", "gold",
    "shadow", "moon", "sun", "wolf", "dragon", "secret", "lost", "last", "first", "summer",
    "winter", "garden", "ocean", "silver", "empire", "journey", "hunter", "forest", "mirror",
    "thunder", "crystal", "legend", "echo", "velvet", "harbor", "desert", "signal", "orchid",
    "phantom", "copper", "meadow", "canyon", "lantern", "falcon", "glacier", "saffron", "tundra",
    "violet", "whisper", "zephyr", "marble", "raven",
];
const GENRES: &[&str] = &[
    "Action",
    "Drama",
    "Comedy",
    "Horror",
    "Animation",
    "Science Fiction",
    "Rock",
    "Jazz",
];
/// Kinds in the proportions of a mixed home library: mostly tracks and episodes.
const KINDS: &[(&str, &str)] = &[
    ("movie", "movie"),
    ("tvshow", "series"),
    ("tvshow", "episode"),
    ("tvshow", "episode"),
    ("music", "artist"),
    ("music", "album"),
    ("music", "track"),
    ("music", "track"),
    ("music", "track"),
    ("music", "track"),
];

/// Deterministic documents: titles of two or three words, four libraries, five ratings.
fn corpus(n: usize) -> Vec<SearchDocument> {
    let mut state: u64 = 0x5eed;
    let mut next = move || {
        // SplitMix64: the same corpus on every run and machine.
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) as usize
    };
    (0..n)
        .map(|i| {
            let (module, kind) = KINDS[i % KINDS.len()];
            let words = 2 + next() % 2;
            let title: Vec<&str> = (0..words).map(|_| WORDS[next() % WORDS.len()]).collect();
            let title = title.join(" ");
            let subtitle = (kind == "episode" || kind == "track").then(|| {
                format!(
                    "{} {}",
                    WORDS[next() % WORDS.len()],
                    WORDS[next() % WORDS.len()]
                )
            });
            SearchDocument {
                id: SearchDocument::id_of(module, kind, i as Id),
                kind: kind.to_owned(),
                module: module.to_owned(),
                item_id: i as Id,
                title,
                original_title: None,
                year: Some(1950 + (next() % 75) as i32),
                genres: vec![GENRES[next() % GENRES.len()].to_owned()],
                library_id: (i % 4) as Id + 1,
                rating_level: Some([0, 6, 12, 16, 18][next() % 5]),
                adult: false,
                popularity: i as i64,
                subtitle,
                image: None,
            }
        })
        .collect()
}

/// The corpus as a module's document source, so the reindex runs the service's own code.
struct Corpus(Vec<SearchDocument>);

impl Searchable for Corpus {
    fn kinds(&self) -> Vec<SearchKind> {
        Vec::new()
    }

    fn all_documents<'a>(
        &'a self,
        _db: &'a DatabaseConnection,
    ) -> ImportFuture<'a, Vec<SearchDocument>> {
        Box::pin(async move { Ok(self.0.clone()) })
    }

    fn item_documents<'a>(
        &'a self,
        _db: &'a DatabaseConnection,
        _item_id: Id,
    ) -> ImportFuture<'a, ItemDocuments> {
        Box::pin(async { Ok(ItemDocuments::default()) })
    }
}

struct Options {
    docs: usize,
    rounds: usize,
    backends: Vec<String>,
    typesense_url: Option<String>,
    typesense_key: String,
}

fn options() -> Options {
    let mut options = Options {
        docs: 100_000,
        rounds: 40,
        backends: vec!["embedded".to_owned(), "typesense".to_owned()],
        typesense_url: std::env::var("TEST_TYPESENSE_URL")
            .ok()
            .filter(|u| !u.is_empty()),
        typesense_key: std::env::var("TEST_TYPESENSE_KEY")
            .unwrap_or_else(|_| "test-key".to_owned()),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--docs" => options.docs = value().parse().expect("--docs N"),
            "--rounds" => options.rounds = value().parse().expect("--rounds R"),
            "--backend" => {
                options.backends = match value().as_str() {
                    "both" => vec!["embedded".to_owned(), "typesense".to_owned()],
                    one => vec![one.to_owned()],
                }
            }
            "--typesense-url" => options.typesense_url = Some(value()),
            "--typesense-key" => options.typesense_key = value(),
            // `cargo bench` passes `--bench` to every bench target.
            "--bench" => {}
            other => panic!("unknown argument {other}"),
        }
    }
    options
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The typical searches, by category.
fn workload() -> Vec<(&'static str, Vec<SearchRequest>)> {
    let everything = AccessFilter::everything();
    let restricted = AccessFilter {
        libraries: Some(vec![1, 2]),
        max_rating_level: Some(12),
        adult: false,
    };
    let request = |q: &str, types: &[&str], access: &AccessFilter| SearchRequest {
        q: q.to_owned(),
        types: types.iter().map(|t| (*t).to_owned()).collect(),
        limit: 20,
        offset: 0,
        access: access.clone(),
    };
    let prefix = [
        "m",
        "ma",
        "mat",
        "matr",
        "drag",
        "sum",
        "ghost riv",
        "dark st",
        "velv",
        "ice k",
    ];
    let typo = [
        "matirx",
        "dragn",
        "shadw moon",
        "goldn",
        "thundr",
        "crystl",
        "phantm",
        "lanturn",
    ];
    vec![
        (
            "prefix",
            prefix
                .iter()
                .map(|q| request(q, &[], &everything))
                .collect(),
        ),
        (
            "typo",
            typo.iter().map(|q| request(q, &[], &everything)).collect(),
        ),
        (
            "filtered",
            prefix
                .iter()
                .chain(typo.iter())
                .map(|q| request(q, &["track", "album", "movie"], &restricted))
                .collect(),
        ),
    ]
}

async fn run(name: &str, backend: Backend, docs: &[SearchDocument], rounds: usize) {
    let source = Source {
        module: "bench".to_owned(),
        searchable: Arc::new(Corpus(docs.to_vec())),
    };
    let search = Search::with_backend(backend, None, DatabaseConnection::default(), vec![source]);

    let started = Instant::now();
    let report = search.reconcile(true).await.expect("reindex");
    let took = started.elapsed();
    assert_eq!(report.documents as usize, docs.len());
    println!(
        "{name}: full reindex of {} documents in {:.2} s: {:.0} docs/s",
        docs.len(),
        took.as_secs_f64(),
        docs.len() as f64 / took.as_secs_f64()
    );

    let workload = workload();
    // Warm caches (tantivy's reader, Typesense's connection) before timing.
    for (_, requests) in &workload {
        for request in requests {
            search.backend().search(request).await.expect("search");
        }
    }
    let mut all = Vec::new();
    println!(
        "{name}: {:<9} {:>8} {:>9} {:>9} {:>9}",
        "searches", "count", "p50 ms", "p99 ms", "max ms"
    );
    for (category, requests) in &workload {
        let mut times = Vec::with_capacity(rounds * requests.len());
        for _ in 0..rounds {
            for request in requests {
                let t = Instant::now();
                let found = search.backend().search(request).await.expect("search");
                times.push(t.elapsed());
                std::hint::black_box(found);
            }
        }
        times.sort();
        println!(
            "{name}: {category:<9} {:>8} {:>9.2} {:>9.2} {:>9.2}",
            times.len(),
            ms(pct(&times, 0.5)),
            ms(pct(&times, 0.99)),
            ms(pct(&times, 1.0))
        );
        all.extend(times);
    }
    all.sort();
    println!(
        "{name}: {:<9} {:>8} {:>9.2} {:>9.2} {:>9.2}",
        "all",
        all.len(),
        ms(pct(&all, 0.5)),
        ms(pct(&all, 0.99)),
        ms(pct(&all, 1.0))
    );
}

#[tokio::main]
async fn main() {
    let options = options();
    let docs = corpus(options.docs);
    println!(
        "search benchmark: {} documents, {} rounds per query, {} cores",
        docs.len(),
        options.rounds,
        std::thread::available_parallelism().map_or(1, usize::from)
    );
    for name in &options.backends {
        match name.as_str() {
            "embedded" => {
                let dir = tempfile::tempdir().expect("temp dir");
                let index = EmbeddedIndex::open(&dir.path().join("search")).expect("index");
                run("embedded", Backend::Embedded(index), &docs, options.rounds).await;
            }
            #[cfg(feature = "typesense")]
            "typesense" => {
                let Some(url) = options.typesense_url.clone() else {
                    eprintln!("typesense: no --typesense-url or TEST_TYPESENSE_URL; not measured");
                    continue;
                };
                let settings = revenge_search::TypesenseSettings {
                    nodes: vec![url],
                    api_key: options.typesense_key.clone(),
                    collection_prefix: format!("bench_{}_", std::process::id()),
                    timeout_ms: 60_000,
                };
                let index = revenge_search::typesense::TypesenseIndex::new(&settings)
                    .expect("typesense settings");
                run(
                    "typesense",
                    Backend::Typesense(index.clone()),
                    &docs,
                    options.rounds,
                )
                .await;
                index
                    .drop_collection()
                    .await
                    .expect("drop the bench collection");
            }
            other => panic!("unknown backend {other} (embedded, typesense or both)"),
        }
    }
}
