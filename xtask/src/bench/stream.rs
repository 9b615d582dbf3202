//! The `stream` section: direct-stream throughput of one large file read from the page cache
//! over loopback, the time to the first HLS segment of a 1080p H.264 source transcoded to 720p
//! from a cold session (master playlist, variant, first media and init segment, as a player
//! asks), and the CPU one such transcode costs. Its own server and media folder: a small MP4
//! padded with a `free` box to [`LARGE_BYTES`] (sparse, so it costs no disk), and a 1080p clip
//! made once with ffmpeg and kept between runs.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::server::{self, Instance, Library, Server};

/// Size of the direct-stream file.
pub const LARGE_BYTES: u64 = 1_500_000_000;
/// Length of the 1080p source, seconds.
const HD_SECS: u32 = 30;
/// Cold-session runs of the first-segment measurement.
const TTFS_RUNS: usize = 5;
/// Whole-file reads for throughput (the first one fills the page cache and is not counted).
const THROUGHPUT_RUNS: usize = 4;

/// CPU spent by one whole transcode.
#[derive(Debug, Clone)]
pub struct Cpu {
    /// Seconds of media transcoded.
    pub media_secs: f64,
    /// ffmpeg's user + system time, seconds.
    pub cpu_secs: f64,
    /// Wall time from the master playlist to the last segment, seconds.
    pub wall_secs: f64,
}

/// What the section measured.
#[derive(Debug, Clone)]
pub struct StreamFigures {
    /// Size of the streamed file.
    pub file_bytes: u64,
    /// Throughput of each warm whole-file read, MB/s (10^6 bytes).
    pub throughput_mb_s: Vec<f64>,
    /// Time to the first segment from a cold session, per run, ms.
    pub ttfs_ms: Vec<f64>,
    /// The rendition measured (`720p`) and the source's height.
    pub ttfs_what: String,
    /// One whole 720p transcode.
    pub cpu: Result<Cpu, String>,
}

/// The median of some figures (0 when there are none).
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

fn ffmpeg(args: &[&str]) -> Result<()> {
    let output = Command::new("ffmpeg")
        .args(["-v", "error", "-y"])
        .args(args)
        .output()
        .context("ffmpeg is needed for the stream benchmark")?;
    if !output.status.success() {
        bail!(
            "ffmpeg {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// A valid MP4 of exactly `LARGE_BYTES`: a short clip with its index first, then a `free` box
/// whose body is a hole in the file.
fn large_file(path: &Path) -> Result<()> {
    if std::fs::metadata(path).is_ok_and(|m| m.len() == LARGE_BYTES) {
        return Ok(());
    }
    std::fs::create_dir_all(path.parent().context("no parent")?)?;
    let clip = path.with_extension("clip.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=320x180:rate=25",
        "-t",
        "2",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-movflags",
        "+faststart",
        clip.to_str().context("path")?,
    ])?;
    let mut bytes = std::fs::read(&clip)?;
    std::fs::remove_file(&clip)?;
    let free = LARGE_BYTES - bytes.len() as u64;
    bytes.extend_from_slice(&u32::try_from(free)?.to_be_bytes());
    bytes.extend_from_slice(b"free");
    std::fs::write(path, &bytes)?;
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)?
        .set_len(LARGE_BYTES)?;
    Ok(())
}

/// A 1080p H.264 + AAC source, encoded as a release would be (x264 `medium`-like GOP of 10 s).
fn hd_file(path: &Path) -> Result<()> {
    if path.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(path.parent().context("no parent")?)?;
    eprintln!("bench: making a {HD_SECS} s 1080p H.264 source (once)");
    let partial = path.with_extension("partial.mkv");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=1920x1080:rate=25",
        "-f",
        "lavfi",
        "-i",
        "sine",
        "-t",
        &HD_SECS.to_string(),
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-g",
        "250",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        partial.to_str().context("path")?,
    ])?;
    std::fs::rename(&partial, path)?;
    Ok(())
}

/// One HTTP/1.1 exchange with `Connection: close`: the status and the body, which `sink` sees
/// piece by piece (so a gigabyte is counted, not kept).
fn exchange(
    port: u16,
    method: &str,
    path: &str,
    token: &str,
    sink: &mut dyn FnMut(&[u8]),
) -> Result<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(120)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n\
         Connection: close\r\n\r\n"
    )?;
    let mut buffer = vec![0u8; 1 << 20];
    let mut head = Vec::new();
    let status = loop {
        let n = stream.read(&mut buffer)?;
        if n == 0 {
            bail!("the connection closed before the response head");
        }
        head.extend_from_slice(&buffer[..n]);
        if let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            let text = String::from_utf8_lossy(&head[..end]).into_owned();
            if text
                .to_ascii_lowercase()
                .contains("transfer-encoding: chunked")
            {
                bail!("a chunked answer to {path}; this client reads plain bodies only");
            }
            sink(&head[end + 4..]);
            break text
                .split_whitespace()
                .nth(1)
                .and_then(|s| s.parse().ok())
                .context("not an HTTP response")?;
        }
    };
    loop {
        let n = stream.read(&mut buffer)?;
        if n == 0 {
            return Ok(status);
        }
        sink(&buffer[..n]);
    }
}

/// `GET path`: the body, failing on anything but 200.
fn fetch(port: u16, path: &str, token: &str) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    let status = exchange(port, "GET", path, token, &mut |b| body.extend_from_slice(b))?;
    if status != 200 {
        bail!(
            "GET {path} answered {status}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    Ok(body)
}

/// A playlist's URIs (non-comment lines and `URI="…"` attributes), in order.
fn uris(playlist: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(playlist);
    let mut out = Vec::new();
    for line in text.lines() {
        if let Some((_, rest)) = line.split_once("URI=\"") {
            out.extend(rest.split('"').next().map(str::to_owned));
        } else if !line.starts_with('#') && !line.trim().is_empty() {
            out.push(line.trim().to_owned());
        }
    }
    out
}

/// The file id of the first file of the movie titled `title`.
fn file_of(server: &Server, token: &str, title: &str) -> Result<String> {
    let (_, body) = server::get(server.port, "/api/v1/movie/movies?limit=50", Some(token))?;
    let list: serde_json::Value = serde_json::from_str(&body).context("movie list")?;
    let id = list["items"]
        .as_array()
        .and_then(|items| {
            items.iter().find(|m| {
                m["title"]
                    .as_str()
                    .is_some_and(|t| t.eq_ignore_ascii_case(title))
            })
        })
        .map(|m| m["id"].to_string())
        .with_context(|| format!("no movie {title} in {body}"))?;
    let (_, body) = server::get(
        server.port,
        &format!("/api/v1/movie/movies/{id}"),
        Some(token),
    )?;
    let detail: serde_json::Value = serde_json::from_str(&body).context("movie detail")?;
    Ok(detail["files"][0]["id"].to_string())
}

/// `utime + stime` of the reaped children of `pid`, seconds.
fn children_cpu_secs(pid: u32) -> Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let rest = stat.rsplit_once(')').context("stat")?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After `)`: state is field 3 of stat(5), so cutime (16) and cstime (17) sit at 13 and 14.
    let ticks: f64 = fields[13].parse::<f64>()? + fields[14].parse::<f64>()?;
    let hz: f64 = Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0);
    Ok(ticks / hz)
}

/// A session's master, the `rendition` variant's init and segment URIs, and the session id.
fn open(
    port: u16,
    token: &str,
    file: &str,
    device: &str,
    rendition: &str,
) -> Result<(String, Vec<String>)> {
    let master = fetch(
        port,
        &format!("/api/v1/playback/{file}/hls/master.m3u8?device={device}&transcode=true"),
        token,
    )?;
    let variant = uris(&master)
        .into_iter()
        .find(|u| u.contains(&format!("/{rendition}/index.m3u8")))
        .with_context(|| {
            format!(
                "no {rendition} in the master playlist:\n{}",
                String::from_utf8_lossy(&master)
            )
        })?;
    let session = variant
        .split("/sessions/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .context("no session id in the variant URL")?
        .to_owned();
    let parts = uris(&fetch(port, &variant, token)?);
    if parts.len() < 2 {
        bail!("the variant playlist lists no segment");
    }
    Ok((session, parts))
}

fn stop(port: u16, token: &str, session: &str) -> Result<()> {
    let status = exchange(
        port,
        "DELETE",
        &format!("/api/v1/playback/sessions/{session}"),
        token,
        &mut |_| {},
    )?;
    if status != 204 {
        bail!("stopping session {session} answered {status}");
    }
    Ok(())
}

/// Runs the section: makes the media, scans them with a fresh server, measures.
pub fn measure(binary: &Path, work: &Path) -> Result<StreamFigures> {
    let media = work.join("stream-media");
    let large = media.join("Large Stream (2001)/Large Stream (2001).mp4");
    let hd = media.join("Full Hd (2002)/Full Hd (2002).mkv");
    large_file(&large)?;
    hd_file(&hd)?;
    let dir: PathBuf = work.join("stream");
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    let library = Library {
        name: "stream".to_owned(),
        module: "movie".to_owned(),
        folder: media.clone(),
    };
    let instance = Instance::create(&dir, &[library], Vec::new())?;
    instance.run(binary, &["migrate", "up"], "")?;
    instance.run(binary, &["scan", "stream"], "")?;
    let mut server = instance.spawn(binary)?;
    server.wait_ready(Duration::from_secs(120))?;
    let token = server::admin_token(&instance, binary, &server)?;
    let port = server.port;

    let large_id = file_of(&server, &token, "Large Stream")?;
    let mut throughput = Vec::new();
    for run in 0..THROUGHPUT_RUNS {
        eprintln!(
            "bench: direct stream of {LARGE_BYTES} bytes, run {}",
            run + 1
        );
        let mut bytes = 0u64;
        let started = Instant::now();
        let status = exchange(
            port,
            "GET",
            &format!("/api/v1/stream/{large_id}"),
            &token,
            &mut |b| bytes += b.len() as u64,
        )?;
        let secs = started.elapsed().as_secs_f64();
        if status != 200 || bytes != LARGE_BYTES {
            bail!("the direct stream answered {status} with {bytes} bytes");
        }
        if run > 0 {
            throughput.push(bytes as f64 / secs / 1e6);
        }
    }

    let hd_id = file_of(&server, &token, "Full Hd")?;
    let rendition = "720p";
    let mut ttfs = Vec::new();
    for run in 0..TTFS_RUNS {
        eprintln!(
            "bench: time to the first {rendition} segment, run {}",
            run + 1
        );
        let started = Instant::now();
        let (session, parts) = open(port, &token, &hd_id, &format!("ttfs{run}"), rendition)?;
        let segment = fetch(port, &parts[1], &token)?;
        let init = fetch(port, &parts[0], &token)?;
        ttfs.push(started.elapsed().as_secs_f64() * 1000.0);
        if segment.is_empty() || init.is_empty() {
            bail!("an empty segment");
        }
        stop(port, &token, &session)?;
    }

    eprintln!("bench: one whole {rendition} transcode for its CPU time");
    let cpu = (|| -> Result<Cpu> {
        let before = children_cpu_secs(server.pid())?;
        let started = Instant::now();
        let (session, parts) = open(port, &token, &hd_id, "cpu", rendition)?;
        for part in &parts {
            fetch(port, part, &token)?;
        }
        let wall_secs = started.elapsed().as_secs_f64();
        // Stopping reaps ffmpeg, so its time shows in the server's children's time.
        stop(port, &token, &session)?;
        Ok(Cpu {
            media_secs: f64::from(HD_SECS),
            cpu_secs: children_cpu_secs(server.pid())? - before,
            wall_secs,
        })
    })()
    .map_err(|e| format!("{e:#}"));
    server.stop();
    Ok(StreamFigures {
        file_bytes: LARGE_BYTES,
        throughput_mb_s: throughput,
        ttfs_ms: ttfs,
        ttfs_what: format!("1080p H.264 → {rendition}"),
        cpu,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_playlist_uris() {
        assert!((median(&[3.0, 1.0, 2.0]) - 2.0).abs() < 1e-9);
        assert!((median(&[4.0, 1.0, 2.0, 3.0]) - 2.5).abs() < 1e-9);
        let playlist = b"#EXTM3U\n#EXT-X-MAP:URI=\"/s/720p/init.mp4?mt=a\"\n#EXTINF:4.0,\n/s/720p/0.m4s?mt=b\n";
        assert_eq!(
            uris(playlist),
            ["/s/720p/init.mp4?mt=a", "/s/720p/0.m4s?mt=b"]
        );
    }
}
