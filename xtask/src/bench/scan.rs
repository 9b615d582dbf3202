//! Scan throughput per kind of library: a generated library (`gen-library`) scanned by
//! `revenge scan NAME` under GNU time (wall time and peak RSS of the whole process), then
//! scanned again with nothing changed. The kinds are a table; a kind whose module this build
//! lacks is reported as not measured.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use super::server::{Instance, Library};
use crate::gen_library::{self, Kind};

/// A kind of library the scan benchmark knows.
#[derive(Debug, Clone, Copy)]
pub struct ScanKind {
    /// What `gen-library` generates.
    pub kind: Kind,
    /// The server module that imports it.
    pub module: &'static str,
    /// The library's name.
    pub library: &'static str,
    /// Share of the item count (percent) this kind gets.
    pub share: usize,
}

/// Every kind, in report order. Movies and TV make up the item count; music comes on top.
pub const KINDS: [ScanKind; 3] = [
    ScanKind {
        kind: Kind::Movies,
        module: "movie",
        library: "Films",
        share: 40,
    },
    ScanKind {
        kind: Kind::Tv,
        module: "tvshow",
        library: "Series",
        share: 60,
    },
    ScanKind {
        kind: Kind::Music,
        module: "music",
        library: "Music",
        share: 50,
    },
];

/// One process run under GNU time.
#[derive(Debug, Clone)]
pub struct Timed {
    /// Wall time.
    pub seconds: f64,
    /// Peak RSS, MiB.
    pub peak_rss_mib: f64,
    /// Of the wall time, the ffprobe pass over the files the in-process readers rejected
    /// (`revenge scan` runs it after the scan; a server runs it as a job).
    pub probe_seconds: f64,
}

impl Timed {
    /// The scan proper: until every file is listed, before the ffprobe pass.
    pub fn scan_seconds(&self) -> f64 {
        (self.seconds - self.probe_seconds).max(f64::EPSILON)
    }
}

/// The ffprobe pass's seconds from `revenge scan`'s summary ("… ffprobe read … in 1.23 s").
fn probe_seconds(stdout: &str) -> f64 {
    stdout
        .lines()
        .filter(|line| line.contains(": ffprobe read "))
        .filter_map(|line| {
            line.rsplit(" in ")
                .next()?
                .strip_suffix(" s")?
                .parse::<f64>()
                .ok()
        })
        // Not `sum()`: an empty f64 sum is -0.0, printed as "-0.00 s".
        .fold(0.0, |total, secs| total + secs)
}

/// What the scan of one kind measured.
#[derive(Debug, Clone)]
pub struct KindResult {
    /// The kind.
    pub kind: ScanKind,
    /// Files generated (broken ones included).
    pub files: usize,
    /// The initial scan and the no-change rescan, or why it was not measured.
    pub measured: Result<(Timed, Timed), String>,
}

/// Runs the binary under GNU time for wall time and peak RSS.
pub fn timed(instance: &Instance, binary: &Path, args: &[&str]) -> Result<Timed> {
    let report = std::env::temp_dir().join(format!("revenge-bench-{}.time", std::process::id()));
    let command = instance.command(binary, args);
    let program = command.get_program().to_owned();
    let arguments: Vec<_> = command.get_args().map(ToOwned::to_owned).collect();
    let envs: Vec<_> = command
        .get_envs()
        .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned())))
        .collect();
    let started = Instant::now();
    let output = std::process::Command::new("/usr/bin/time")
        .arg("-o")
        .arg(&report)
        .args(["-f", "%M"])
        .arg(program)
        .args(arguments)
        .envs(envs)
        .stdin(Stdio::null())
        .output()
        .context("GNU time (/usr/bin/time, Debian package `time`) is needed")?;
    let seconds = started.elapsed().as_secs_f64();
    if !output.status.success() {
        bail!(
            "revenge {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let peak_kib: f64 = std::fs::read_to_string(&report)?
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(0.0);
    Ok(Timed {
        seconds,
        peak_rss_mib: peak_kib / 1024.0,
        probe_seconds: probe_seconds(&String::from_utf8_lossy(&output.stdout)),
    })
}

/// Generates (or reuses) `count` files of `kind` in `media/KIND-COUNT-sSEED`.
pub fn library_files(media: &Path, kind: Kind, count: usize, seed: u64) -> Result<PathBuf> {
    let dir = media.join(format!("{}-{count}-s{seed}", kind.name()));
    let done = dir.join(".generated");
    if done.exists() {
        return Ok(dir);
    }
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    let started = Instant::now();
    let summary = gen_library::generate(kind, count, &dir, seed)?;
    eprintln!(
        "bench: generated {} {} files ({} broken) in {:.1} s",
        summary.media_files,
        kind.name(),
        summary.broken_files,
        started.elapsed().as_secs_f64()
    );
    std::fs::write(&done, b"")?;
    Ok(dir)
}

/// Makes a data directory with one library per compiled kind (`items` split by share), scans
/// each library and rescans it. Returns the per-kind figures and the scanned instance.
pub fn measure(
    binary: &Path,
    work: &Path,
    modules: &[String],
    items: usize,
    seed: u64,
    label: &str,
    env: Vec<(String, String)>,
) -> Result<(Vec<KindResult>, Instance)> {
    let mut libraries = Vec::new();
    let mut planned = Vec::new();
    for kind in KINDS {
        let files = items * kind.share / 100;
        if !modules.iter().any(|m| m == kind.module) {
            planned.push((kind, files, false));
            continue;
        }
        let folder = library_files(&work.join("media"), kind.kind, files, seed)?;
        libraries.push(Library {
            name: kind.library.to_owned(),
            module: kind.module.to_owned(),
            folder,
        });
        planned.push((kind, files, true));
    }
    let dir = work.join(format!("{label}-{items}"));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    let instance = Instance::create(&dir, &libraries, env)?;
    // Creates the database, migrates and makes the libraries, so the scan measures scanning.
    timed(&instance, binary, &["migrate", "up"])?;
    let mut results = Vec::new();
    for (kind, files, compiled) in planned {
        let measured = if compiled {
            eprintln!("bench: scanning {files} {} files", kind.kind.name());
            let first = timed(&instance, binary, &["scan", kind.library])
                .with_context(|| format!("initial scan of {}", kind.library))?;
            let again = timed(&instance, binary, &["scan", kind.library])
                .with_context(|| format!("rescan of {}", kind.library))?;
            Ok((first, again))
        } else {
            Err(format!("not measured (module `{}` missing)", kind.module))
        };
        results.push(KindResult {
            kind,
            files,
            measured,
        });
    }
    Ok((results, instance))
}
