//! `cargo xtask bench scan`: measures a real scan of a generated library with a release build.
//! Figures depend on the machine; compare runs on the same one.
#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

/// Runs `bench <what> [options]`.
pub fn run(args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        Some("scan") => scan(parse_count(&args[1..])?),
        _ => bail!("usage: cargo xtask bench scan [--count N]"),
    }
}

fn parse_count(args: &[String]) -> Result<usize> {
    match args {
        [] => Ok(10_000),
        [flag, n] if flag == "--count" => n.parse().context("--count takes a number"),
        _ => bail!("usage: cargo xtask bench scan [--count N]"),
    }
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from)
}

fn ffmpeg(args: &[&str], output: &Path) -> Result<()> {
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y"])
        .args(args)
        .arg(output)
        .status()
        .context("ffmpeg is needed to make the fixtures (apt-get install ffmpeg)")?;
    if !status.success() {
        bail!("ffmpeg failed making {}", output.display());
    }
    Ok(())
}

/// Two small real files (Matroska and MP4, video, audio, a subtitle) every generated file is
/// a copy of, so every file has real headers to read.
fn fixtures(dir: &Path) -> Result<(Vec<u8>, Vec<u8>)> {
    std::fs::create_dir_all(dir)?;
    let srt = dir.join("sub.srt");
    std::fs::write(&srt, "1\n00:00:00,000 --> 00:00:01,000\nHello\n")?;
    let common = [
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=64x48:rate=5:duration=1",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:duration=1",
    ];
    let mkv = dir.join("fixture.mkv");
    let mut args: Vec<&str> = common.to_vec();
    let srt_path = srt.to_string_lossy().into_owned();
    args.extend(["-i", &srt_path, "-map", "0", "-map", "1", "-map", "2"]);
    args.extend(["-t", "1", "-c:v", "libx264", "-c:a", "aac", "-c:s", "srt"]);
    args.extend([
        "-metadata:s:a:0",
        "language=eng",
        "-metadata:s:s:0",
        "language=eng",
    ]);
    ffmpeg(&args, &mkv)?;
    let mp4 = dir.join("fixture.mp4");
    let mut args: Vec<&str> = common.to_vec();
    args.extend([
        "-t",
        "1",
        "-c:v",
        "libx264",
        "-c:a",
        "aac",
        "-movflags",
        "+faststart",
    ]);
    ffmpeg(&args, &mp4)?;
    Ok((std::fs::read(mkv)?, std::fs::read(mp4)?))
}

/// Writes `count` files: 60% films (`Title N (Year)/…`), 40% episodes (`Show K/Season S/…`).
fn generate(root: &Path, count: usize, mkv: &[u8], mp4: &[u8]) -> Result<()> {
    let films = root.join("films");
    let series = root.join("series");
    let film_count = count * 6 / 10;
    for n in 0..film_count {
        let year = 1950 + n % 70;
        let (body, ext) = if n % 2 == 0 {
            (mkv, "mkv")
        } else {
            (mp4, "mp4")
        };
        let name = if n % 3 == 0 {
            format!("Film.Number.{n}.{year}.1080p.BluRay.x264-GRP.{ext}")
        } else {
            format!("Film Number {n} ({year})/Film Number {n} ({year}).{ext}")
        };
        write(&films.join(name), body, n)?;
    }
    for n in 0..count - film_count {
        let show = n / 100;
        let season = (n % 100) / 20 + 1;
        let episode = n % 20 + 1;
        let (body, ext) = if n % 2 == 0 {
            (mkv, "mkv")
        } else {
            (mp4, "mp4")
        };
        let name = format!(
            "Show {show}/Season {season:02}/Show {show} - S{season:02}E{episode:02} - Episode {episode}.{ext}"
        );
        write(&series.join(name), body, n)?;
    }
    Ok(())
}

fn write(path: &Path, body: &[u8], n: usize) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    // A distinct tail per file, as distinct files have distinct contents.
    let mut bytes = body.to_vec();
    bytes.extend_from_slice(format!("{n:08}").as_bytes());
    std::fs::write(path, bytes)?;
    Ok(())
}

struct Measured {
    seconds: f64,
    peak_rss_kib: u64,
    output: String,
}

/// Runs the binary under GNU time for wall time and peak RSS.
fn timed(binary: &Path, config: &Path, args: &[&str]) -> Result<Measured> {
    let report = std::env::temp_dir().join(format!("revenge-bench-{}.time", std::process::id()));
    let started = Instant::now();
    let output = Command::new("/usr/bin/time")
        .arg("-o")
        .arg(&report)
        .args(["-f", "%M"])
        .arg(binary)
        .arg("--config")
        .arg(config)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .context("GNU time (/usr/bin/time, Debian package `time`) is needed")?;
    let seconds = started.elapsed().as_secs_f64();
    if !output.status.success() {
        bail!(
            "revenge {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let peak_rss_kib = std::fs::read_to_string(&report)?
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(0);
    Ok(Measured {
        seconds,
        peak_rss_kib,
        output: String::from_utf8_lossy(&output.stdout).into_owned(),
    })
}

fn scan(count: usize) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(&cargo)
        .args(["build", "--release", "-p", "revenge-server"])
        .status()?;
    if !status.success() {
        bail!("the release build failed");
    }
    let binary = target_dir().join("release").join("revenge");
    let work = std::path::absolute(target_dir().join("bench").join("scan"))?;
    if work.exists() {
        std::fs::remove_dir_all(&work)?;
    }
    let (mkv, mp4) = fixtures(&work.join("fixtures"))?;
    let media = work.join("media");
    let generating = Instant::now();
    generate(&media, count, &mkv, &mp4)?;
    eprintln!(
        "bench: generated {count} files in {:.1} s",
        generating.elapsed().as_secs_f64()
    );

    let config = work.join("revenge.yaml");
    std::fs::write(
        &config,
        format!(
            "data_dir: {data}\nscan:\n  watch: false\n  interval_secs: 0\nlibraries:\n  - name: Films\n    module: movie\n    folders: [{films}]\n  - name: Series\n    module: tvshow\n    folders: [{series}]\n",
            data = work.join("data").display(),
            films = media.join("films").display(),
            series = media.join("series").display(),
        ),
    )?;
    // Creates the database, migrates and makes the libraries, so the scan measures scanning.
    timed(&binary, &config, &["migrate", "up"])?;
    let first = timed(&binary, &config, &["scan"]);
    let first = match first {
        Ok(first) => first,
        Err(e) => bail!("first scan: {e:#}"),
    };
    let again = timed(&binary, &config, &["scan"])?;
    let files_per_sec = count as f64 / first.seconds;
    let summary = serde_json::json!({
        "files": count,
        "initial_scan_secs": first.seconds,
        "initial_files_per_sec": files_per_sec,
        "initial_peak_rss_mib": first.peak_rss_kib as f64 / 1024.0,
        "rescan_secs": again.seconds,
        "rescan_peak_rss_mib": again.peak_rss_kib as f64 / 1024.0,
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
    });
    std::fs::write(
        work.join("scan.json"),
        serde_json::to_string_pretty(&summary)?,
    )?;
    println!("{}", first.output.trim());
    println!("{}", again.output.trim());
    println!(
        "scan of {count} files: initial {:.2} s ({files_per_sec:.0} files/s, peak RSS {:.1} MiB); \
         no-change rescan {:.2} s (peak RSS {:.1} MiB) — whole process, start-up and migration \
         check included",
        first.seconds,
        first.peak_rss_kib as f64 / 1024.0,
        again.seconds,
        again.peak_rss_kib as f64 / 1024.0,
    );
    Ok(())
}
