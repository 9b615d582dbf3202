//! Project automation, run as `cargo xtask <task>`: the CI steps (lint, per-feature checks,
//! module isolation, the test suite on SQLite and PostgreSQL), the synthetic library generator
//! and the benchmark suite.

use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};

mod bench;
mod gen_library;

const USAGE: &str = "usage: cargo xtask <task>

tasks:
  ci         everything CI runs: lint, features, isolation, test
  lint       cargo fmt --check and cargo clippy --all-targets -D warnings
  features   cargo check of revenge-server with each feature alone, and with none
  isolation  check that no content module depends on another module or on the server
  test       the whole test suite: on SQLite, on PostgreSQL, and a slim (movie,sqlite) build
  gen-library --kind movies|tv|music|mixed --count N --out DIR [--seed S]
             a synthetic library, deterministic for the seed: real container headers and
             tags, NFO files, posters and covers, about 1% broken files
  bench [--quick] [--only NAME...] [--items N] [--seconds S] [--out DIR] [--no-build]
             builds the server in release and measures start-up, idle and loaded memory,
             scan/rescan per kind, API latency and throughput with wrk (SQLite, then
             PostgreSQL), streaming; writes docs/benchmarks.md and docs/benchmarks.json.
             --quick: 300 items, 1 s per wrk run, report in target/bench/quick/ (a smoke
             test). NAME: startup memory scan load stream postgres";

/// The PostgreSQL server the suite runs against (trust auth), unless `TEST_POSTGRES_URL` says
/// otherwise.
const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The feature set of the slim build that CI tests as a packager would ship it.
const SLIM_FEATURES: &str = "movie,sqlite";

fn main() {
    let task = std::env::args().nth(1).unwrap_or_default();
    let result = match task.as_str() {
        "ci" => lint()
            .and_then(|()| features())
            .and_then(|()| isolation())
            .and_then(|()| test()),
        "lint" => lint(),
        "features" => features(),
        "isolation" => isolation(),
        "test" => test(),
        "bench" => bench::run(&std::env::args().skip(2).collect::<Vec<_>>()),
        "gen-library" => gen_library::run(&std::env::args().skip(2).collect::<Vec<_>>()),
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };
    if let Err(e) = result {
        eprintln!("xtask {task} failed: {e:#}");
        std::process::exit(1);
    }
}

/// A `cargo` command as if typed in a shell, not run by `cargo run`.
fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    // `cargo run` gives xtask the package variables of xtask itself. Some build scripts (ring's)
    // declare `rerun-if-env-changed` on them, so passing them on made every nested build
    // recompile those crates and all that depend on them, and then a plain build recompile
    // them again.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CARGO_PKG_")
            || [
                "CARGO_MANIFEST_DIR",
                "CARGO_MANIFEST_PATH",
                "CARGO_CRATE_NAME",
                "CARGO_BIN_NAME",
                "CARGO_PRIMARY_PACKAGE",
            ]
            .contains(&name.as_ref())
        {
            command.env_remove(name.as_ref());
        }
    }
    // The tests pick the backend from this; every step sets it explicitly.
    command.env_remove("TEST_DATABASE_URL");
    command
}

fn run(mut command: Command) -> Result<()> {
    eprintln!("xtask: running {command:?}");
    let status = command
        .status()
        .with_context(|| format!("cannot run {command:?}"))?;
    if !status.success() {
        bail!("{command:?} exited with {status}");
    }
    Ok(())
}

fn lint() -> Result<()> {
    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--check"]);
    run(fmt)?;
    let mut clippy = cargo();
    clippy.args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]);
    run(clippy)
}

fn metadata() -> Result<serde_json::Value> {
    let output = cargo()
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()
        .context("cannot run cargo metadata")?;
    if !output.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(serde_json::from_slice(&output.stdout)?)
}

fn package<'a>(metadata: &'a serde_json::Value, name: &str) -> Result<&'a serde_json::Value> {
    metadata["packages"]
        .as_array()
        .and_then(|packages| packages.iter().find(|p| p["name"] == name))
        .with_context(|| format!("package {name} not in the workspace"))
}

/// Checks that every feature builds alone, as vector's `cargo hack --each-feature` does.
fn features() -> Result<()> {
    let metadata = metadata()?;
    for name in ["revenge-server", "revenge-migrations", "revenge-db"] {
        let features: Vec<String> = package(&metadata, name)?["features"]
            .as_object()
            .map(|f| f.keys().filter(|k| *k != "default").cloned().collect())
            .unwrap_or_default();
        let mut none = cargo();
        none.args(["check", "-p", name, "--no-default-features"]);
        run(none)?;
        for feature in features {
            let mut check = cargo();
            check.args([
                "check",
                "-p",
                name,
                "--no-default-features",
                "--features",
                &feature,
            ]);
            run(check)?;
        }
    }
    Ok(())
}

/// Content modules never depend on each other or on the server; `cargo test -p <module>` must
/// build the module alone.
fn isolation() -> Result<()> {
    let metadata = metadata()?;
    let server = package(&metadata, "revenge-server")?;
    let modules: Vec<String> = server["dependencies"]
        .as_array()
        .map(|deps| {
            deps.iter()
                .filter(|d| d["optional"] == true)
                .filter_map(|d| d["name"].as_str())
                .filter(|n| n.starts_with("revenge-"))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if modules.is_empty() {
        bail!("found no module crates among revenge-server's optional dependencies");
    }
    for module in &modules {
        let output = cargo()
            .args([
                "tree",
                "-p",
                module,
                "-e",
                "normal,build,dev",
                "--prefix",
                "none",
            ])
            .output()
            .with_context(|| format!("cannot run cargo tree for {module}"))?;
        if !output.status.success() {
            bail!(
                "cargo tree -p {module} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let tree = String::from_utf8_lossy(&output.stdout);
        for line in tree.lines() {
            let name = line.split_whitespace().next().unwrap_or_default();
            let forbidden =
                name == "revenge-server" || (name != module && modules.iter().any(|m| m == name));
            if forbidden {
                bail!("{module} depends on {name}: content modules must stand alone");
            }
        }
        eprintln!("xtask: {module} stands alone");
    }
    Ok(())
}

fn postgres_url() -> String {
    std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned())
}

/// Whether something answers at the host and port of `url` (`scheme://[user@]host:port/...`).
fn reachable(url: &str) -> bool {
    use std::net::ToSocketAddrs;
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    host_port
        .to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
        .is_some_and(|addr| TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_ok())
}

/// Drops the per-test databases the suite made on PostgreSQL (a failed test leaves its own).
fn drop_test_databases(url: &str) {
    let list = Command::new("psql")
        .args([
            url,
            "-Atc",
            "SELECT datname FROM pg_database WHERE datname LIKE 'revenge_t_%'",
        ])
        .output();
    let Ok(list) = list else {
        eprintln!("xtask: psql not found; leftover test databases are not dropped");
        return;
    };
    for name in String::from_utf8_lossy(&list.stdout).lines() {
        let _ = Command::new("psql")
            .args([
                url,
                "-qc",
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            ])
            .status();
    }
}

fn test() -> Result<()> {
    // 1. Every crate's tests, the end-to-end suite on SQLite.
    let mut sqlite = cargo();
    sqlite.args(["test", "--workspace"]);
    run(sqlite)?;

    // 2. The end-to-end suite again on PostgreSQL.
    let url = postgres_url();
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
    if reachable(&url) || in_ci {
        drop_test_databases(&url);
        let mut postgres = cargo();
        postgres
            .args(["test", "-p", "revenge-tests"])
            .env("TEST_DATABASE_URL", &url);
        // The tests that run the real binary (server and transcoder as two processes, SIGTERM
        // and restart, the migrate command): tests of revenge-server, the package that owns it.
        let mut processes = cargo();
        processes
            .args([
                "test",
                "-p",
                "revenge-server",
                "--test",
                "two_processes",
                "--test",
                "lifecycle",
            ])
            .env("TEST_DATABASE_URL", &url);
        let result = run(postgres).and_then(|()| run(processes));
        drop_test_databases(&url);
        result?;
    } else {
        eprintln!(
            "xtask: WARNING: PostgreSQL at {url} is unreachable; the PostgreSQL pass was NOT run \
             (under CI=true this is a failure)"
        );
    }

    // 3. A slim build, as a packager would ship it.
    let mut slim = cargo();
    slim.args([
        "test",
        "-p",
        "revenge-tests",
        "--no-default-features",
        "--features",
        SLIM_FEATURES,
    ]);
    run(slim)
}
