//! `cargo xtask bench [--quick] [--only NAME…] [--items N]`: builds the server in release, runs
//! each measurement against a real server process on loopback with its own data directory, and
//! writes `docs/benchmarks.md` and `docs/benchmarks.json` (with `--quick`, into
//! `target/bench/quick/` instead: a smoke test that the benchmark works, not how fast it is).
#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

mod load;
mod memory;
mod music;
mod report;
mod scan;
mod server;
mod startup;
mod stream;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};

use report::{Load, Machine, Report};
use server::{Instance, Server};

/// The measurements, by the names `--only` takes.
const SECTIONS: [&str; 6] = ["startup", "memory", "scan", "load", "stream", "postgres"];

/// The PostgreSQL server (trust auth) the PostgreSQL variant makes a fresh database on.
const POSTGRES_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Environment of the scaled-out variant: PostgreSQL, Redis as the cache, Typesense as the
/// search engine. `{db}` is the fresh database (also the Redis key and Typesense collection
/// prefix, so a run never reads another's data); `{typesense}`/`{typesense_key}` come from
/// `TEST_TYPESENSE_URL`/`TEST_TYPESENSE_KEY` (what `.ci/run` starts), `{redis}` from
/// `TEST_REDIS_URL`.
const SCALED_ENV: &[(&str, &str)] = &[
    (
        "REVENGE_DATABASE__URL",
        "postgres://postgres@127.0.0.1:5432/{db}",
    ),
    ("REVENGE_CACHE__URL", "{redis}"),
    ("REVENGE_CACHE__KEY_PREFIX", "{db}:"),
    ("REVENGE_SEARCH__BACKEND", "typesense"),
    ("REVENGE_SEARCH__TYPESENSE__NODES", "[\"{typesense}\"]"),
    ("REVENGE_SEARCH__TYPESENSE__API_KEY", "{typesense_key}"),
    ("REVENGE_SEARCH__TYPESENSE__COLLECTION_PREFIX", "{db}_"),
];

/// Typesense and Redis of the scaled-out variant: the test services' variables, else the
/// defaults `.ci/run` uses.
fn scaled_services() -> (String, String, String) {
    let var =
        |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
    (
        var("TEST_TYPESENSE_URL", "http://127.0.0.1:8108"),
        var("TEST_TYPESENSE_KEY", "ci-typesense-key"),
        var("TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
    )
}

const USAGE: &str = "usage: cargo xtask bench [--quick] [--only NAME...] [--items N] [--seconds S] [--out DIR] [--no-build]
  NAME: startup memory scan load stream postgres (default: all)
  cargo xtask bench scan [--count N] is short for --only scan --items N
  cargo xtask bench music [--count N] [--seconds S] [--no-build]: the music figures (issue #7)";

/// Options of one run.
#[derive(Debug, Clone)]
struct Options {
    quick: bool,
    only: Vec<String>,
    items: usize,
    seconds: u32,
    out: Option<PathBuf>,
    build: bool,
}

impl Options {
    fn parse(args: &[String]) -> Result<Self> {
        let mut options = Self {
            quick: false,
            only: Vec::new(),
            items: 0,
            seconds: 0,
            out: None,
            build: true,
        };
        let mut args = args.iter().peekable();
        // The former `bench scan [--count N]`.
        if args.peek().is_some_and(|a| *a == "scan") {
            args.next();
            options.only.push("scan".to_owned());
        }
        while let Some(arg) = args.next() {
            let mut value = || {
                args.next()
                    .with_context(|| format!("{arg} needs a value\n{USAGE}"))
            };
            match arg.as_str() {
                "--quick" => options.quick = true,
                "--only" => {
                    options.only.push(value()?.clone());
                    while let Some(next) = args.next_if(|a| !a.starts_with("--")) {
                        options.only.push(next.clone());
                    }
                }
                "--items" | "--count" => {
                    options.items = value()?.parse().context("--items takes a number")?
                }
                "--seconds" => {
                    options.seconds = value()?.parse().context("--seconds takes a number")?
                }
                "--out" => options.out = Some(PathBuf::from(value()?)),
                "--no-build" => options.build = false,
                _ => bail!("unknown option {arg}\n{USAGE}"),
            }
        }
        for name in &options.only {
            if !SECTIONS.contains(&name.as_str()) {
                bail!("unknown measurement {name}\n{USAGE}");
            }
        }
        if options.items == 0 {
            options.items = if options.quick { 300 } else { 100_000 };
        }
        if options.seconds == 0 {
            options.seconds = if options.quick { 1 } else { 10 };
        }
        Ok(options)
    }

    fn wants(&self, section: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|o| o == section)
    }
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from)
}

fn build() -> Result<()> {
    let status = crate::cargo()
        .args(["build", "--release", "-p", "revenge-server"])
        .status()
        .context("cannot run cargo build")?;
    if !status.success() {
        bail!("the release build failed");
    }
    Ok(())
}

/// The modules this binary was built with (`revenge --version`: `modules: movie, tvshow`).
fn compiled_modules(binary: &Path) -> Result<Vec<String>> {
    let output = Command::new(binary)
        .arg("--version")
        .output()
        .with_context(|| format!("cannot run {}", binary.display()))?;
    let text = String::from_utf8_lossy(&output.stdout);
    Ok(text
        .lines()
        .find_map(|l| l.strip_prefix("modules:"))
        .map(|m| {
            m.split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default())
}

/// Runs `bench` with its arguments.
pub fn run(args: &[String]) -> Result<()> {
    if args.first().is_some_and(|a| a == "music") {
        return music::run(&args[1..]);
    }
    let options = Options::parse(args)?;
    if options.build {
        build()?;
    }
    let binary = std::path::absolute(target_dir().join("release").join("revenge"))?;
    if !binary.exists() {
        bail!("{} is missing; run without --no-build", binary.display());
    }
    let modules = compiled_modules(&binary)?;
    eprintln!("bench: {} with modules {modules:?}", binary.display());
    let work = std::path::absolute(target_dir().join("bench").join(if options.quick {
        "quick"
    } else {
        "full"
    }))?;
    std::fs::create_dir_all(&work)?;
    let settle = Duration::from_secs(if options.quick { 1 } else { 3 });
    let runs = 5;
    let seed = 1;
    let mut report = Report {
        machine: Machine::read(),
        quick: options.quick,
        items: options.items,
        load_seconds: options.seconds,
        startup_empty: None,
        startup_loaded: None,
        scans: Vec::new(),
        loads: Vec::new(),
        stream: None,
    };
    let started = std::time::Instant::now();

    if options.wants("startup") || options.wants("memory") {
        let dir = work.join("empty");
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        let empty = Instance::create(&dir, &[], Vec::new())?;
        empty.run(&binary, &["migrate", "up"], "")?;
        eprintln!("bench: start-up on the empty database");
        report.startup_empty =
            Some(startup::measure(&binary, &empty, runs, settle).map_err(|e| format!("{e:#}")));
    }

    let needs_data = ["startup", "memory", "scan", "load"]
        .iter()
        .any(|s| options.wants(s));
    if needs_data {
        let (scans, loaded) = scan::measure(
            &binary,
            &work,
            &modules,
            options.items,
            seed,
            "sqlite",
            Vec::new(),
        )?;
        report.scans = scans;
        if options.wants("startup") || options.wants("memory") {
            eprintln!("bench: start-up on the {}-item database", options.items);
            report.startup_loaded = Some(
                startup::measure(&binary, &loaded, runs, settle).map_err(|e| format!("{e:#}")),
            );
        }
        if options.wants("load") {
            let mut server = loaded.spawn(&binary)?;
            server.wait_ready(Duration::from_secs(120))?;
            let token = server::admin_token(&loaded, &binary, &server)?;
            report
                .loads
                .push(api_load(&server, &token, "SQLite", options.seconds)?);
            server.stop();
        }
    }

    if options.wants("stream") {
        report.stream = Some(stream::measure(&binary, &work).map_err(|e| format!("{e:#}")));
    }

    if options.wants("postgres") {
        report
            .loads
            .push(postgres(&binary, &work, &modules, &options, seed));
    }

    let out = options.out.clone().unwrap_or_else(|| {
        if options.quick {
            work.clone()
        } else {
            PathBuf::from("docs")
        }
    });
    report::write(&report, &out)?;
    println!("{}", report.to_markdown());
    eprintln!(
        "bench: done in {:.0} s; wrote {}/benchmarks.md and benchmarks.json",
        started.elapsed().as_secs_f64(),
        out.display()
    );
    Ok(())
}

/// Every endpoint of the table at 1, 8 and 64 clients, sampling the server's memory meanwhile.
/// Waits first until the search index holds every item.
fn api_load(server: &Server, token: &str, backend: &str, seconds: u32) -> Result<Load> {
    let indexed = server::wait_search_indexed(server, token, Duration::from_secs(900))?;
    eprintln!(
        "bench: {backend}: search index complete {:.1} s after ready",
        indexed.as_secs_f64()
    );
    let sampler = memory::Sampler::start(server.pid());
    let endpoints = load::measure(server, token, load::ENDPOINTS, &[1, 8, 64], seconds)?;
    let during = sampler.finish();
    Ok(Load {
        backend: backend.to_owned(),
        endpoints: Ok(endpoints),
        rss_under_load_mib: Some(during),
        peak_rss_mib: memory::peak_mib(server.pid()).ok(),
        search_index_secs: Some(indexed.as_secs_f64()),
    })
}

fn psql(sql: &str) -> Result<()> {
    let status = Command::new("psql")
        .args([POSTGRES_ADMIN_URL, "-qc", sql])
        .status()
        .context("psql is needed for the PostgreSQL variant")?;
    if !status.success() {
        bail!("psql {sql:?} failed");
    }
    Ok(())
}

/// The API load again scaled out: PostgreSQL, Redis and Typesense, on a fresh database that is
/// dropped afterwards (and a Typesense collection prefix and Redis key prefix of its own).
fn postgres(binary: &Path, work: &Path, modules: &[String], options: &Options, seed: u64) -> Load {
    let (typesense, typesense_key, redis) = scaled_services();
    let backend = "PostgreSQL + Redis + Typesense".to_owned();
    let not_measured = |why: String| Load {
        backend: backend.clone(),
        endpoints: Err(why),
        rss_under_load_mib: None,
        peak_rss_mib: None,
        search_index_secs: None,
    };
    for (name, ok) in [
        (
            "PostgreSQL at 127.0.0.1:5432",
            crate::reachable(POSTGRES_ADMIN_URL),
        ),
        (&format!("Redis at {redis}"), crate::reachable(&redis)),
        (
            &format!("Typesense at {typesense}"),
            crate::reachable(&typesense),
        ),
    ] {
        if !ok {
            return not_measured(format!("not measured ({name} is unreachable)"));
        }
    }
    let db = format!("revenge_bench_{}", std::process::id());
    let result = (|| -> Result<Load> {
        psql(&format!("CREATE DATABASE {db}"))?;
        let env: Vec<(String, String)> = SCALED_ENV
            .iter()
            .map(|(k, v)| {
                let value = v
                    .replace("{db}", &db)
                    .replace("{typesense_key}", &typesense_key)
                    .replace("{typesense}", &typesense)
                    .replace("{redis}", &redis);
                ((*k).to_owned(), value)
            })
            .collect();
        let (_, instance) =
            scan::measure(binary, work, modules, options.items, seed, "postgres", env)?;
        let mut server = instance.spawn(binary)?;
        server.wait_ready(Duration::from_secs(120))?;
        let token = server::admin_token(&instance, binary, &server)?;
        let load = api_load(&server, &token, &backend, options.seconds);
        server.stop();
        load
    })();
    let _ = psql(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"));
    drop_typesense_collections(&typesense, &typesense_key, &db);
    result.unwrap_or_else(|e| not_measured(format!("failed: {e:#}")))
}

/// Removes the run's Typesense collections (named with the run's prefix); best effort, with
/// curl, as the rest of the suite drives services through their own tools.
fn drop_typesense_collections(url: &str, key: &str, prefix: &str) {
    let header = format!("X-TYPESENSE-API-KEY: {key}");
    let Ok(output) = Command::new("curl")
        .args(["-fsS", "-H", &header, &format!("{url}/collections")])
        .output()
    else {
        return;
    };
    let Ok(collections) = serde_json::from_slice::<serde_json::Value>(&output.stdout) else {
        return;
    };
    for name in collections
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .filter(|n| n.starts_with(prefix))
    {
        let _ = Command::new("curl")
            .args(["-fsS", "-X", "DELETE", "-H", &header])
            .arg(format!("{url}/collections/{name}"))
            .stdout(Stdio::null())
            .status();
    }
}
