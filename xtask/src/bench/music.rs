//! `cargo xtask bench music [--count N] [--scans K] [--seconds S] [--no-build]`: the music
//! figures of issue #7 on a generated library (`gen-library --kind music`, N tracks, 20,000 by
//! default): the initial scan persisted to SQLite with a warm page cache (K scans into a fresh
//! database each, 5 by default: the median's tracks/s, the range, peak RSS), a
//! no-change rescan, the idle RSS of a server started on the scanned library, and
//! `getAlbumList2`/`search3` latency at 8 clients with wrk (30 album-list pages and 32 searches
//! asked in turn; once with the answer cache, once with every answer computed). Prints a table
//! and writes `target/bench/music/music.json`.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::json;

use super::load;
use super::scan::{library_files, timed};
use super::server::{self, Instance, Library};
use crate::gen_library::{ADJECTIVES, Kind, NOUNS};

const USAGE: &str =
    "usage: cargo xtask bench music [--count N] [--scans K] [--seconds S] [--no-build]";

/// Targets of issue #7.
const TARGET_TRACKS_PER_SEC: f64 = 30_000.0;
const TARGET_RESCAN_SECS: f64 = 0.5;
/// 40 MB, as the issue says, in MiB.
const TARGET_IDLE_RSS_MIB: f64 = 40_000_000.0 / 1_048_576.0;
const TARGET_P99_MS: f64 = 5.0;

/// Runs the music benchmark.
pub fn run(args: &[String]) -> Result<()> {
    let mut count = 20_000;
    let mut seconds = 10;
    let mut scans: usize = 5;
    let mut build = true;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .with_context(|| format!("{arg} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--count" | "--items" => count = value()?.parse().context("--count takes a number")?,
            "--seconds" => seconds = value()?.parse().context("--seconds takes a number")?,
            "--scans" => {
                scans = value()?.parse().context("--scans takes a number")?;
                if scans == 0 {
                    bail!("--scans takes a number above 0\n{USAGE}");
                }
            }
            "--no-build" => build = false,
            _ => bail!("unknown option {arg}\n{USAGE}"),
        }
    }
    if build {
        super::build()?;
    }
    let binary = std::path::absolute(super::target_dir().join("release").join("revenge"))?;
    if !binary.exists() {
        bail!("{} is missing; run without --no-build", binary.display());
    }
    if !super::compiled_modules(&binary)?
        .iter()
        .any(|m| m == "music")
    {
        bail!("{} was built without the music module", binary.display());
    }
    let work = std::path::absolute(super::target_dir().join("bench").join("music"))?;
    std::fs::create_dir_all(&work)?;
    let folder = library_files(&work.join("media"), Kind::Music, count, 1)?;
    let files = warm(&folder)?;
    eprintln!("bench: {files} files read once, so the page cache is warm");

    let dir = work.join(format!("sqlite-{count}"));
    let library = Library {
        name: "Music".to_owned(),
        module: "music".to_owned(),
        folder,
    };
    // One scan's wall time moves by a third from run to run on a shared VM: the median of
    // several, each into a fresh database, is the figure; the range is printed beside it.
    let mut runs = Vec::with_capacity(scans);
    let mut instance = None;
    for run in 1..=scans {
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        let fresh = Instance::create(&dir, std::slice::from_ref(&library), Vec::new())?;
        timed(&fresh, &binary, &["migrate", "up"])?;
        eprintln!("bench: scanning {count} tracks ({run} of {scans})");
        runs.push(timed(&fresh, &binary, &["scan", "Music"])?);
        instance = Some(fresh);
    }
    let instance = instance.context("no scan ran")?;
    let first = median_scan(&runs);
    let (fastest, slowest) = runs.iter().fold((f64::MAX, 0.0_f64), |(lo, hi), run| {
        (lo.min(run.seconds), hi.max(run.seconds))
    });
    let again = timed(&instance, &binary, &["scan", "Music"])?;

    let mut server = instance.spawn(&binary)?;
    server.wait_ready(Duration::from_secs(120))?;
    let token = server::admin_token(&instance, &binary, &server)?;
    let idle = super::memory::idle_rss_mib(server.pid(), Duration::from_secs(3))?;
    let idle_anon = super::memory::anon_mib(server.pid())?;
    let (status, body) = server::post(server.port, "/api/v1/music/subsonic-password", &token)?;
    if status != 201 {
        bail!("the Subsonic password answered {status}: {body}");
    }
    let answer: serde_json::Value = serde_json::from_str(&body)?;
    let password = answer["password"]
        .as_str()
        .context("no Subsonic password in the answer")?;
    let hex: String = password.bytes().map(|b| format!("{b:02x}")).collect();
    let auth = format!("u={}&p=enc:{hex}&v=1.16.1&c=bench&f=json", server::USER.0);
    let questions = questions(&auth);
    let mut endpoints = Vec::new();
    endpoints.extend(load_subsonic(
        &server, &token, &questions, "cached", seconds,
    )?);
    let peak_server = super::memory::peak_mib(server.pid()).ok();
    server.stop();
    // The same questions with every answer computed: what a first visit of each page costs.
    let mut uncached = instance.clone();
    uncached
        .env
        .push(("REVENGE_CACHE__LIST_TTL_SECS".to_owned(), "0".to_owned()));
    let mut server = uncached.spawn(&binary)?;
    server.wait_ready(Duration::from_secs(120))?;
    endpoints.extend(load_subsonic(
        &server, &token, &questions, "uncached", seconds,
    )?);
    server.stop();

    let tracks_per_sec = count as f64 / first.seconds;
    let verdict = |ok: bool| if ok { "met" } else { "missed" };
    println!("## Music ({count} tracks, SQLite, warm page cache)\n");
    println!("| measurement | value | target | |\n|---|---|---|---|");
    println!(
        "| initial scan, median of {scans} | {:.2} s ({fastest:.2}–{slowest:.2} s), {tracks_per_sec:.0} tracks/s ({:.0}–{:.0}), peak RSS {:.1} MiB | ≥ {TARGET_TRACKS_PER_SEC:.0} tracks/s | {} |",
        first.seconds,
        count as f64 / slowest,
        count as f64 / fastest,
        first.peak_rss_mib,
        verdict(tracks_per_sec >= TARGET_TRACKS_PER_SEC)
    );
    println!(
        "| no-change rescan | {:.3} s | < {TARGET_RESCAN_SECS} s | {} |",
        again.seconds,
        verdict(again.seconds < TARGET_RESCAN_SECS)
    );
    println!(
        "| server idle RSS after start on the scanned library | {idle:.1} MiB ({idle_anon:.1} MiB anonymous, the rest mapped files: the executable, libraries, the index) | < 40 MB ({TARGET_IDLE_RSS_MIB:.1} MiB) | {} |",
        verdict(idle < TARGET_IDLE_RSS_MIB)
    );
    for (name, cache, run) in &endpoints {
        println!(
            "| {name} at 8 clients, {cache} | p50 {:.2} ms, p99 {:.2} ms, {:.0} req/s, {} errors | p99 < {TARGET_P99_MS} ms | {} |",
            run.p50_ms,
            run.p99_ms,
            run.rps,
            run.errors,
            verdict(run.p99_ms < TARGET_P99_MS)
        );
    }
    println!(
        "\nScan times are wall times of the `revenge scan` process (start-up included). \
         Peak server RSS during the load: {}.",
        peak_server.map_or_else(|| "unknown".to_owned(), |p| format!("{p:.1} MiB"))
    );
    let report = json!({
        "tracks": count,
        "initial_scan_secs": first.seconds,
        "initial_scan_runs_secs": runs.iter().map(|run| run.seconds).collect::<Vec<_>>(),
        "tracks_per_sec": tracks_per_sec,
        "scan_peak_rss_mib": first.peak_rss_mib,
        "rescan_secs": again.seconds,
        "idle_rss_mib": idle,
        "idle_anon_mib": idle_anon,
        "server_peak_rss_mib": peak_server,
        "endpoints": endpoints.iter().map(|(name, cache, run)| json!({
            "name": name,
            "cache": cache,
            "connections": 8,
            "p50_ms": run.p50_ms,
            "p99_ms": run.p99_ms,
            "rps": run.rps,
            "errors": run.errors,
        })).collect::<Vec<_>>(),
    });
    let out = work.join("music.json");
    std::fs::write(&out, serde_json::to_string_pretty(&report)?)?;
    eprintln!("bench: wrote {}", out.display());
    Ok(())
}

/// The run of median wall time (the upper one of an even number).
fn median_scan(runs: &[super::scan::Timed]) -> &super::scan::Timed {
    let mut order: Vec<&super::scan::Timed> = runs.iter().collect();
    order.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    order[order.len() / 2]
}

/// The questions asked of each method: several pages of three album lists, and searches for
/// words of the generated titles, asked in turn.
fn questions(auth: &str) -> Vec<(&'static str, Vec<String>)> {
    let mut lists = Vec::new();
    for kind in ["newest", "alphabeticalByName", "alphabeticalByArtist"] {
        for page in 0..10 {
            lists.push(format!(
                "/rest/getAlbumList2?type={kind}&size=50&offset={}&{auth}",
                page * 50
            ));
        }
    }
    let searches = NOUNS[..16]
        .iter()
        .chain(&ADJECTIVES[..16])
        .map(|word| format!("/rest/search3?query={}&{auth}", word.to_lowercase()))
        .collect();
    vec![("getAlbumList2", lists), ("search3", searches)]
}

/// Every method's questions at 8 clients for `seconds`, after checking each answers.
fn load_subsonic(
    server: &server::Server,
    token: &str,
    questions: &[(&'static str, Vec<String>)],
    cache: &'static str,
    seconds: u32,
) -> Result<Vec<(&'static str, &'static str, load::Run)>> {
    let mut runs = Vec::new();
    for (name, paths) in questions {
        for path in paths {
            let (status, body) = server::get(server.port, path, None)?;
            if status != 200 || !body.contains("\"ok\"") {
                bail!(
                    "{path} answered {status}: {}",
                    body.chars().take(200).collect::<String>()
                );
            }
        }
        eprintln!(
            "bench: wrk {name} ({} questions, {cache}) at 8 connections",
            paths.len()
        );
        let run = load::wrk_rotating(&server.url("/"), paths, token, 8, seconds)?;
        runs.push((*name, cache, run));
    }
    Ok(runs)
}

/// Reads every file under `dir` once (the "warm page cache" of the issue); returns how many.
fn warm(dir: &Path) -> Result<usize> {
    let mut files = 0;
    let mut stack = vec![dir.to_path_buf()];
    let mut buf = vec![0u8; 1 << 16];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            if kind.is_dir() {
                stack.push(entry.path());
            } else if kind.is_file() {
                let mut file = std::fs::File::open(entry.path())?;
                while file.read(&mut buf)? > 0 {}
                files += 1;
            }
        }
    }
    Ok(files)
}
