//! Search benchmark: indexes N synthetic documents, then times searches.
//!
//! `cargo run --release -p revenge-search --example search_bench -- [N] [embedded|typesense URL KEY]`

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a benchmark"
)]

use std::time::{Duration, Instant};

use revenge_core::SearchDocument;
use revenge_search::{AccessFilter, Backend, EmbeddedIndex, SearchRequest};

const WORDS: &[&str] = &[
    "matrix", "alien", "night", "love", "dark", "star", "war", "king", "queen", "river", "blue",
    "house", "dead", "city", "fire", "ice", "dream", "ghost", "heart", "storm", "iron", "gold",
    "shadow", "moon", "sun", "wolf", "dragon", "secret", "lost", "last", "first", "summer",
];
const GENRES: &[&str] = &[
    "Action",
    "Drama",
    "Comedy",
    "Horror",
    "Animation",
    "Science Fiction",
];

fn corpus(n: usize) -> Vec<SearchDocument> {
    (0..n)
        .map(|i| {
            let w = |k: usize| WORDS[(i / k.max(1) + k * 7) % WORDS.len()];
            let title = format!("{} {} {}", w(1), w(3), w(11));
            let kind = if i % 5 == 0 { "episode" } else { "movie" };
            SearchDocument {
                id: format!("bench.{kind}.{i}"),
                kind: kind.to_owned(),
                module: "bench".to_owned(),
                item_id: i as i64,
                title,
                original_title: None,
                year: Some(1950 + (i % 75) as i32),
                genres: vec![GENRES[i % GENRES.len()].to_owned()],
                library_id: (i % 4) as i64,
                rating_level: Some([0, 6, 12, 16, 18][i % 5]),
                adult: false,
                popularity: i as i64,
                subtitle: None,
                image: None,
            }
        })
        .collect()
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let backend = match args.get(2).map(String::as_str) {
        #[cfg(feature = "typesense")]
        Some("typesense") => {
            let settings = revenge_search::TypesenseSettings {
                nodes: vec![
                    args.get(3)
                        .cloned()
                        .unwrap_or("http://127.0.0.1:8108".to_owned()),
                ],
                api_key: args.get(4).cloned().unwrap_or("test-key".to_owned()),
                collection_prefix: format!("bench{}_", std::process::id()),
                timeout_ms: 30_000,
            };
            Backend::Typesense(revenge_search::typesense::TypesenseIndex::new(&settings).unwrap())
        }
        _ => Backend::Embedded(EmbeddedIndex::open(&dir.path().join("search")).unwrap()),
    };
    let docs = corpus(n);
    let started = Instant::now();
    for chunk in docs.chunks(5000) {
        backend.upsert(chunk).await.unwrap();
    }
    let took = started.elapsed();
    println!(
        "{}: indexed {n} documents in {:.2?} ({:.0} docs/s)",
        backend.name(),
        took,
        n as f64 / took.as_secs_f64()
    );
    let queries = [
        "mat",
        "matirx",
        "dark star",
        "ghost riv",
        "alien night",
        "sum",
        "dragn",
        "ice k",
    ];
    let restricted = AccessFilter {
        libraries: Some(vec![1, 2]),
        max_rating_level: Some(12),
        adult: false,
    };
    let mut times = Vec::new();
    for round in 0..50 {
        for q in queries {
            let access = if round % 2 == 0 {
                AccessFilter::everything()
            } else {
                restricted.clone()
            };
            let request = SearchRequest {
                q: q.to_owned(),
                types: vec![],
                limit: 20,
                offset: 0,
                access,
            };
            let t = Instant::now();
            backend.search(&request).await.unwrap();
            times.push(t.elapsed());
        }
    }
    times.sort();
    println!(
        "{}: {} searches over {n} documents: p50 {:.2?}, p99 {:.2?}, max {:.2?}",
        backend.name(),
        times.len(),
        pct(&times, 0.5),
        pct(&times, 0.99),
        pct(&times, 1.0)
    );
    #[cfg(feature = "typesense")]
    if let Backend::Typesense(index) = &backend {
        index.drop_collection().await.unwrap();
    }
}
