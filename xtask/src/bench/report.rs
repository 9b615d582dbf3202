//! The benchmark report: the machine (cores, memory, kernel from /proc), every figure, the
//! targets of issue #9 with a met/not met mark, written as `benchmarks.md` and `benchmarks.json`.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};
use serde_json::{Value, json};

use super::load::{EndpointResult, Run};
use super::scan::KindResult;
use super::startup::Startup;
use super::stream::{StreamFigures, median};

/// The machine the figures come from.
#[derive(Debug, Clone)]
pub struct Machine {
    /// Logical CPUs.
    pub cores: usize,
    /// The CPU model.
    pub cpu: String,
    /// Total memory, MiB.
    pub memory_mib: u64,
    /// Kernel release.
    pub kernel: String,
    /// UTC date and time of the run.
    pub date: String,
    /// `git describe`-style commit of the tree measured.
    pub commit: String,
}

fn command_output(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "unknown".to_owned())
}

impl Machine {
    /// Reads /proc, `date` and `git`.
    pub fn read() -> Self {
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory_kib: u64 = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())
            .unwrap_or(0);
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .map(|rest| rest.trim_start_matches([' ', '\t', ':']).trim().to_owned())
            .unwrap_or_else(|| "unknown".to_owned());
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|k| k.trim().to_owned())
            .unwrap_or_else(|_| "unknown".to_owned());
        let mut commit = command_output("git", &["rev-parse", "--short=12", "HEAD"]);
        if !command_output("git", &["status", "--porcelain", "--untracked-files=no"]).is_empty() {
            commit.push_str(" (uncommitted changes)");
        }
        Self {
            cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
            cpu,
            memory_mib: memory_kib / 1024,
            kernel,
            date: command_output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
            commit,
        }
    }
}

/// An API load on one backend.
#[derive(Debug, Clone)]
pub struct Load {
    /// `SQLite`, `PostgreSQL`, …
    pub backend: String,
    /// Per endpoint, or why the whole backend was not measured.
    pub endpoints: Result<Vec<EndpointResult>, String>,
    /// Highest VmRSS sampled during the load, MiB.
    pub rss_under_load_mib: Option<f64>,
    /// VmHWM at the end, MiB.
    pub peak_rss_mib: Option<f64>,
    /// Seconds from ready until the search index held every item (the start-up
    /// reconciliation's indexing jobs were done); the load starts after it.
    pub search_index_secs: Option<f64>,
}

/// Everything one `cargo xtask bench` measured.
#[derive(Debug, Clone)]
pub struct Report {
    /// The machine.
    pub machine: Machine,
    /// `--quick`.
    pub quick: bool,
    /// Items in the "full" database.
    pub items: usize,
    /// wrk seconds per run.
    pub load_seconds: u32,
    /// Start-up on the empty database.
    pub startup_empty: Option<Result<Startup, String>>,
    /// Start-up on the scanned database.
    pub startup_loaded: Option<Result<Startup, String>>,
    /// Scans per kind.
    pub scans: Vec<KindResult>,
    /// API loads per backend.
    pub loads: Vec<Load>,
    /// Direct-stream throughput, time to the first HLS segment, CPU per transcode.
    pub stream: Option<Result<StreamFigures, String>>,
}

/// A target of issue #9.
#[derive(Debug, Clone)]
struct Target {
    what: String,
    figure: Option<f64>,
    unit: &'static str,
    below: bool,
    limit: f64,
    note: String,
}

impl Target {
    fn met(&self) -> Option<bool> {
        self.figure.map(|f| {
            if self.below {
                f < self.limit
            } else {
                f >= self.limit
            }
        })
    }

    fn to_json(&self) -> Value {
        json!({
            "what": self.what,
            "figure": self.figure,
            "unit": self.unit,
            "target": format!("{} {} {}", if self.below { "<" } else { ">=" }, self.limit, self.unit),
            "met": self.met(),
            "note": self.note,
        })
    }
}

fn number(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

fn startup_json(startup: &Option<Result<Startup, String>>) -> Value {
    match startup {
        None => Value::Null,
        Some(Ok(s)) => {
            json!({"median_ms": s.median_ms, "runs_ms": s.runs_ms, "idle_rss_mib": s.idle_rss_mib})
        }
        Some(Err(e)) => json!({"error": e}),
    }
}

fn run_json(run: &Run) -> Value {
    json!({
        "connections": run.connections,
        "p50_ms": run.p50_ms,
        "p99_ms": run.p99_ms,
        "requests_per_sec": run.rps,
        "transfer_bytes_per_sec": run.transfer_bytes_per_sec,
        "errors": run.errors,
    })
}

fn endpoint_json(result: &EndpointResult) -> Value {
    json!({
        "name": result.endpoint.name,
        "group": result.endpoint.group,
        "path": result.path,
        "runs": result.runs.as_ref().map(|runs| runs.iter().map(run_json).collect::<Vec<_>>()).ok(),
        "not_measured": result.runs.as_ref().err(),
    })
}

impl Report {
    fn targets(&self) -> Vec<Target> {
        let mut targets = Vec::new();
        let ok =
            |s: &Option<Result<Startup, String>>| s.as_ref().and_then(|s| s.as_ref().ok()).cloned();
        let empty = ok(&self.startup_empty);
        let loaded = ok(&self.startup_loaded);
        let items = self.items;
        targets.push(Target {
            what: "start-up to /health/ready, empty database".to_owned(),
            figure: empty.as_ref().map(|s| s.median_ms),
            unit: "ms",
            below: true,
            limit: 100.0,
            note: "median of 5".to_owned(),
        });
        targets.push(Target {
            what: "idle RSS, empty database".to_owned(),
            figure: empty.as_ref().map(|s| s.idle_rss_mib),
            unit: "MiB",
            below: true,
            limit: 30.0,
            note: String::new(),
        });
        targets.push(Target {
            what: format!("idle RSS, {items} items"),
            figure: loaded.as_ref().map(|s| s.idle_rss_mib),
            unit: "MiB",
            below: true,
            limit: 60.0,
            note: if items < 100_000 {
                "target is for 100,000 items".to_owned()
            } else {
                String::new()
            },
        });
        // Issue #5's scan targets, for the video kinds (music has its own, `bench music`).
        for k in self.scans.iter().filter(|k| k.kind.module != "music") {
            let measured = k.measured.as_ref().ok();
            let name = k.kind.kind.name();
            let note = k.measured.as_ref().err().cloned().unwrap_or_default();
            targets.push(Target {
                what: format!("initial scan, {name} (until every file is listed)"),
                figure: measured.map(|(first, _)| k.files as f64 / first.scan_seconds()),
                unit: "files/s",
                below: false,
                limit: 3000.0,
                note: note.clone(),
            });
            targets.push(Target {
                what: format!("peak RSS of the initial scan, {name}"),
                figure: measured.map(|(first, _)| first.peak_rss_mib),
                unit: "MiB",
                below: true,
                limit: 150.0,
                note: note.clone(),
            });
            targets.push(Target {
                what: format!("no-change rescan of 100,000 files, {name}"),
                figure: measured
                    .map(|(_, again)| again.seconds * 100_000.0 / k.files.max(1) as f64),
                unit: "s",
                below: true,
                limit: 2.0,
                note: if note.is_empty() {
                    format!("scaled from {} files", k.files)
                } else {
                    note
                },
            });
        }
        if let Some(load) = self.loads.first()
            && let Ok(endpoints) = &load.endpoints
        {
            for result in endpoints {
                let runs = result.runs.as_ref().ok();
                if let Some(limit) = result.endpoint.p99_ms_at_8 {
                    targets.push(Target {
                        what: format!(
                            "{} p99 at 8 clients ({})",
                            result.endpoint.name, load.backend
                        ),
                        figure: runs
                            .and_then(|r| r.iter().find(|r| r.connections == 8))
                            .map(|r| r.p99_ms),
                        unit: "ms",
                        below: true,
                        limit,
                        note: result.runs.as_ref().err().cloned().unwrap_or_default(),
                    });
                }
                if let Some(limit) = result.endpoint.min_rps {
                    targets.push(Target {
                        what: format!(
                            "{} requests/s, best of 1/8/64 clients ({})",
                            result.endpoint.name, load.backend
                        ),
                        figure: runs.and_then(|r| r.iter().map(|r| r.rps).reduce(f64::max)),
                        unit: "req/s",
                        below: false,
                        limit,
                        note: result.runs.as_ref().err().cloned().unwrap_or_default(),
                    });
                }
            }
        }
        if let Some(stream) = &self.stream {
            let figures = stream.as_ref().ok();
            let note = stream.as_ref().err().cloned();
            targets.push(Target {
                what: "direct-stream throughput, one client, large file from page cache".to_owned(),
                figure: figures.map(|f| median(&f.throughput_mb_s)),
                unit: "MB/s",
                below: false,
                limit: 1000.0,
                note: note.clone().unwrap_or_else(|| {
                    format!(
                        "median of {} warm reads",
                        figures.map_or(0, |f| f.throughput_mb_s.len())
                    )
                }),
            });
            targets.push(Target {
                what: format!(
                    "time to first HLS segment ({})",
                    figures.map_or("1080p H.264 → 720p", |f| f.ttfs_what.as_str())
                ),
                figure: figures.map(|f| median(&f.ttfs_ms)),
                unit: "ms",
                below: true,
                limit: 2000.0,
                note: note.unwrap_or_else(|| {
                    format!(
                        "median of {} cold sessions",
                        figures.map_or(0, |f| f.ttfs_ms.len())
                    )
                }),
            });
        }
        targets
    }

    /// The JSON document.
    pub fn to_json(&self) -> Value {
        let m = &self.machine;
        json!({
            "machine": {"cores": m.cores, "cpu": m.cpu, "memory_mib": m.memory_mib, "kernel": m.kernel},
            "date": m.date,
            "commit": m.commit,
            "quick": self.quick,
            "items": self.items,
            "load_seconds": self.load_seconds,
            "targets": self.targets().iter().map(Target::to_json).collect::<Vec<_>>(),
            "startup_empty": startup_json(&self.startup_empty),
            "startup_loaded": startup_json(&self.startup_loaded),
            "scans": self.scans.iter().map(|k| match &k.measured {
                Ok((first, again)) => json!({
                    "kind": k.kind.kind.name(), "files": k.files,
                    "initial_secs": first.scan_seconds(), "initial_files_per_sec": k.files as f64 / first.scan_seconds(),
                    "initial_probe_secs": first.probe_seconds, "initial_with_probe_secs": first.seconds,
                    "initial_peak_rss_mib": first.peak_rss_mib,
                    "rescan_secs": again.seconds, "rescan_files_per_sec": k.files as f64 / again.seconds,
                    "rescan_peak_rss_mib": again.peak_rss_mib,
                }),
                Err(e) => json!({"kind": k.kind.kind.name(), "files": k.files, "not_measured": e}),
            }).collect::<Vec<_>>(),
            "loads": self.loads.iter().map(|l| json!({
                "backend": l.backend,
                "rss_under_load_mib": l.rss_under_load_mib,
                "peak_rss_mib": l.peak_rss_mib,
                "search_index_secs": l.search_index_secs,
                "endpoints": l.endpoints.as_ref().map(|e| e.iter().map(endpoint_json).collect::<Vec<_>>()).ok(),
                "not_measured": l.endpoints.as_ref().err(),
            })).collect::<Vec<_>>(),
            "stream": self.stream.as_ref().map(|s| match s {
                Ok(f) => json!({
                    "file_bytes": f.file_bytes,
                    "throughput_mb_per_sec": f.throughput_mb_s,
                    "throughput_median_mb_per_sec": median(&f.throughput_mb_s),
                    "first_segment": f.ttfs_what,
                    "first_segment_ms": f.ttfs_ms,
                    "first_segment_median_ms": median(&f.ttfs_ms),
                    "transcode_cpu": match &f.cpu {
                        Ok(c) => json!({"media_secs": c.media_secs, "cpu_secs": c.cpu_secs, "wall_secs": c.wall_secs}),
                        Err(e) => json!({"not_measured": e}),
                    },
                }),
                Err(e) => json!({"not_measured": e}),
            }),
        })
    }

    /// The Markdown page.
    pub fn to_markdown(&self) -> String {
        let m = &self.machine;
        let mut md = String::new();
        let _ = writeln!(md, "# Benchmarks\n");
        let _ = writeln!(
            md,
            "Written by `cargo xtask bench{}` — real measurements of a release build on loopback; \
             do not edit by hand. Figures depend on the machine: compare runs on the same one.\n",
            if self.quick { " --quick" } else { "" }
        );
        let _ = writeln!(md, "| machine | |\n| --- | --- |");
        let _ = writeln!(md, "| cores | {} ({}) |", m.cores, m.cpu);
        let _ = writeln!(md, "| memory | {:.1} GiB |", m.memory_mib as f64 / 1024.0);
        let _ = writeln!(md, "| kernel | Linux {} |", m.kernel);
        let _ = writeln!(md, "| date | {} |", m.date);
        let _ = writeln!(md, "| commit | {} |", m.commit);
        let _ = writeln!(
            md,
            "| run | {}; {} items in the scanned database; wrk {} s per run |\n",
            if self.quick {
                "quick (smoke test, figures not representative)"
            } else {
                "full"
            },
            self.items,
            self.load_seconds
        );

        let _ = writeln!(
            md,
            "## Targets\n\n| what | measured | target | |\n| --- | ---: | --- | --- |"
        );
        for t in self.targets() {
            let figure = t
                .figure
                .map_or_else(|| "—".to_owned(), |f| format!("{} {}", number(f), t.unit));
            let mark = match t.met() {
                Some(true) => "met".to_owned(),
                Some(false) => "**not met**".to_owned(),
                None => t.note.clone(),
            };
            let _ = writeln!(
                md,
                "| {} | {figure} | {} {} {} | {mark} |",
                t.what,
                if t.below { "<" } else { "≥" },
                number(t.limit),
                t.unit
            );
        }

        let _ = writeln!(md, "\n## Start-up and memory\n");
        let _ = writeln!(
            md,
            "Time from spawning `revenge serve` to the first 200 of `/health/ready` (polled in a tight loop; median of 5 starts), then VmRSS after the server has idled.\n"
        );
        let _ = writeln!(
            md,
            "| database | start-up (median) | runs | idle RSS |\n| --- | ---: | --- | ---: |"
        );
        for (label, startup) in [
            ("empty", &self.startup_empty),
            (
                &*format!("{} items (SQLite)", self.items),
                &self.startup_loaded,
            ),
        ] {
            match startup {
                Some(Ok(s)) => {
                    let runs: Vec<String> = s.runs_ms.iter().map(|r| format!("{r:.0}")).collect();
                    let _ = writeln!(
                        md,
                        "| {label} | {} ms | {} ms | {} MiB |",
                        number(s.median_ms),
                        runs.join(", "),
                        number(s.idle_rss_mib)
                    );
                }
                Some(Err(e)) => {
                    let _ = writeln!(md, "| {label} | failed: {e} | | |");
                }
                None => {}
            }
        }
        for load in &self.loads {
            if let (Some(during), Some(peak)) = (load.rss_under_load_mib, load.peak_rss_mib) {
                let _ = writeln!(
                    md,
                    "\nUnder the API load on {}: highest VmRSS sampled {} MiB; VmHWM (peak) {} MiB.",
                    load.backend,
                    number(during),
                    number(peak)
                );
            }
            if let Some(secs) = load.search_index_secs {
                let _ = writeln!(
                    md,
                    "\nOn {}, the search index held every item {} s after the server was ready \
                     (start-up reconciliation); the API load ran after that.",
                    load.backend,
                    number(secs)
                );
            }
        }

        if !self.scans.is_empty() {
            let _ = writeln!(md, "\n## Scan\n");
            let _ = writeln!(
                md,
                "`revenge scan LIBRARY` on a `gen-library` library (about 1% broken files), whole process under GNU time (start-up and migration check included); then the same with nothing changed. \"initial scan\" ends when every file is listed; the files the in-process readers reject (the broken ones) then get an ffprobe pass, which a server runs as a background job and `revenge scan` runs before it exits: its seconds are the next column, and the peak RSS covers both.\n"
            );
            let _ = writeln!(
                md,
                "| kind | files | initial scan | files/s | then ffprobe pass | peak RSS | no-change rescan | files/s | peak RSS |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
            );
            for k in &self.scans {
                match &k.measured {
                    Ok((first, again)) => {
                        let _ = writeln!(
                            md,
                            "| {} | {} | {} s | {} | {} s | {} MiB | {} s | {} | {} MiB |",
                            k.kind.kind.name(),
                            k.files,
                            number(first.scan_seconds()),
                            number(k.files as f64 / first.scan_seconds()),
                            number(first.probe_seconds),
                            number(first.peak_rss_mib),
                            number(again.seconds),
                            number(k.files as f64 / again.seconds),
                            number(again.peak_rss_mib)
                        );
                    }
                    Err(e) => {
                        let _ = writeln!(md, "| {} | — | {e} | | | | | | |", k.kind.kind.name());
                    }
                }
            }
        }

        for load in &self.loads {
            let _ = writeln!(md, "\n## API load — {}\n", load.backend);
            match &load.endpoints {
                Err(e) => {
                    let _ = writeln!(md, "{e}");
                }
                Ok(endpoints) => {
                    let _ = writeln!(
                        md,
                        "wrk `-c 1|8|64 -d {}s --latency`, signed in with a session token, {} items in the database.\n",
                        self.load_seconds, self.items
                    );
                    endpoint_table(&mut md, endpoints);
                }
            }
        }
        if let Some(stream) = &self.stream {
            let _ = writeln!(md, "\n## Streaming\n");
            match stream {
                Err(e) => {
                    let _ = writeln!(md, "not measured: {e}");
                }
                Ok(f) => stream_section(&mut md, f),
            }
        }
        let _ = writeln!(
            md,
            "\nRe-run: `cargo xtask bench` (all), `cargo xtask bench --only startup memory`, `cargo xtask bench --quick` (smoke test, writes to the target directory)."
        );
        md
    }
}

fn stream_section(md: &mut String, f: &StreamFigures) {
    let list = |values: &[f64]| {
        values
            .iter()
            .map(|v| number(*v))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(md, "| what | median | runs |\n| --- | ---: | --- |");
    let _ = writeln!(
        md,
        "| direct stream, `GET /api/v1/stream/{{id}}` of a {:.1} GB file, one client | {} MB/s | {} MB/s (warm reads; a first read filled the page cache) |",
        f.file_bytes as f64 / 1e9,
        number(median(&f.throughput_mb_s)),
        list(&f.throughput_mb_s)
    );
    let _ = writeln!(
        md,
        "| time to first HLS segment, {}: master, variant, first media and init segment from a new session | {} ms | {} ms |",
        f.ttfs_what,
        number(median(&f.ttfs_ms)),
        list(&f.ttfs_ms)
    );
    match &f.cpu {
        Ok(c) => {
            let _ = writeln!(
                md,
                "\nCPU per transcode ({}): {:.1} CPU-s for {:.0} s of media ({:.2} cores at real time), done in {:.1} s wall ({:.1}× real time).",
                f.ttfs_what,
                c.cpu_secs,
                c.media_secs,
                c.cpu_secs / c.media_secs,
                c.wall_secs,
                c.media_secs / c.wall_secs
            );
        }
        Err(e) => {
            let _ = writeln!(md, "\nCPU per transcode: not measured ({e}).");
        }
    }
}

fn endpoint_table(md: &mut String, endpoints: &[EndpointResult]) {
    let _ = writeln!(
        md,
        "| endpoint | path | clients | p50 | p99 | req/s | errors |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |"
    );
    for result in endpoints {
        match &result.runs {
            Ok(runs) => {
                for run in runs {
                    let _ = writeln!(
                        md,
                        "| {} | `{}` | {} | {} ms | {} ms | {} | {} |",
                        result.endpoint.name,
                        result.path,
                        run.connections,
                        number(run.p50_ms),
                        number(run.p99_ms),
                        number(run.rps),
                        run.errors
                    );
                }
            }
            Err(e) => {
                let _ = writeln!(
                    md,
                    "| {} | `{}` | | | | {e} | |",
                    result.endpoint.name, result.path
                );
            }
        }
    }
}

/// Writes `benchmarks.md` and `benchmarks.json` into `dir`.
pub fn write(report: &Report, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    std::fs::write(dir.join("benchmarks.md"), report.to_markdown())?;
    std::fs::write(
        dir.join("benchmarks.json"),
        serde_json::to_string_pretty(&report.to_json())? + "\n",
    )?;
    Ok(())
}
