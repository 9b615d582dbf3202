//! API load with wrk: every endpoint of a table, at 1, 8 and 64 connections, with a session
//! token. p50/p99 latency and requests/s are parsed from wrk's `--latency` output. An endpoint
//! this build does not answer (404), or whose path needs an id nothing provides, is reported as
//! not measured, so entries for search and Subsonic light up when those modules
//! land.

use std::collections::HashMap;
use std::process::Command;

use anyhow::{Context, Result, bail};

use super::server::{self, Server};

/// One endpoint to load.
#[derive(Debug, Clone, Copy)]
pub struct Endpoint {
    /// Short name in the report.
    pub name: &'static str,
    /// What kind of request it is: browse, detail, search, subsonic, stream, system.
    pub group: &'static str,
    /// The path; `{movie_id}`, `{series_id}`, `{library_id}`, `{file_id}` and `{subsonic_auth}`
    /// are filled in from the server's own answers.
    pub path: &'static str,
    /// Target: p99 at 8 connections under this many milliseconds.
    pub p99_ms_at_8: Option<f64>,
    /// Target: at least this many requests/s (at the best concurrency).
    pub min_rps: Option<f64>,
}

/// The endpoints measured, in report order. Add a row to measure a new endpoint.
pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        name: "health ready",
        group: "system",
        path: "/health/ready",
        p99_ms_at_8: None,
        min_rps: None,
    },
    Endpoint {
        name: "libraries",
        group: "browse",
        path: "/api/v1/libraries",
        p99_ms_at_8: None,
        min_rps: None,
    },
    Endpoint {
        name: "movies by title (50)",
        group: "browse",
        path: "/api/v1/movie/movies?limit=50",
        p99_ms_at_8: Some(5.0),
        min_rps: None,
    },
    Endpoint {
        name: "movies by year desc (50)",
        group: "browse",
        path: "/api/v1/movie/movies?limit=50&sort=year&order=desc",
        p99_ms_at_8: Some(5.0),
        min_rps: None,
    },
    Endpoint {
        name: "movie detail",
        group: "detail",
        path: "/api/v1/movie/movies/{movie_id}",
        p99_ms_at_8: None,
        min_rps: Some(10_000.0),
    },
    Endpoint {
        name: "series (50)",
        group: "browse",
        path: "/api/v1/tvshow/series?limit=50",
        p99_ms_at_8: Some(5.0),
        min_rps: None,
    },
    Endpoint {
        name: "series detail",
        group: "detail",
        path: "/api/v1/tvshow/series/{series_id}",
        p99_ms_at_8: None,
        min_rps: Some(10_000.0),
    },
    Endpoint {
        name: "seasons of a series",
        group: "detail",
        path: "/api/v1/tvshow/series/{series_id}/seasons",
        p99_ms_at_8: None,
        min_rps: None,
    },
    Endpoint {
        name: "recent episodes",
        group: "browse",
        path: "/api/v1/tvshow/episodes/recent",
        p99_ms_at_8: Some(5.0),
        min_rps: None,
    },
    Endpoint {
        name: "search",
        group: "search",
        path: "/api/v1/search?q=river",
        p99_ms_at_8: None,
        min_rps: None,
    },
    Endpoint {
        name: "Subsonic getAlbumList2",
        group: "subsonic",
        path: "/rest/getAlbumList2?type=newest&size=50&{subsonic_auth}",
        p99_ms_at_8: Some(5.0),
        min_rps: None,
    },
    Endpoint {
        name: "Subsonic search3",
        group: "subsonic",
        path: "/rest/search3?query=river&{subsonic_auth}",
        p99_ms_at_8: None,
        min_rps: None,
    },
];

/// What wrk measured for one endpoint at one concurrency.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Run {
    /// Connections.
    pub connections: u32,
    /// Median latency, ms.
    pub p50_ms: f64,
    /// 99th percentile latency, ms.
    pub p99_ms: f64,
    /// Requests per second.
    pub rps: f64,
    /// Bytes per second read.
    pub transfer_bytes_per_sec: f64,
    /// Responses that were not 2xx/3xx, plus socket errors.
    pub errors: u64,
}

/// An endpoint's runs, or why it was not measured.
#[derive(Debug, Clone)]
pub struct EndpointResult {
    /// The endpoint.
    pub endpoint: Endpoint,
    /// The path actually requested.
    pub path: String,
    /// One run per concurrency, or the reason for none.
    pub runs: Result<Vec<Run>, String>,
}

/// Ids and credentials the endpoint paths need, taken from the server's answers.
pub fn placeholders(server: &Server, token: &str) -> HashMap<&'static str, String> {
    let mut values = HashMap::new();
    let first_id = |path: &str| -> Option<String> {
        let (status, body) = server::get(server.port, path, Some(token)).ok()?;
        if status != 200 {
            return None;
        }
        let json: serde_json::Value = serde_json::from_str(&body).ok()?;
        let items = json.get("items").unwrap_or(&json);
        items.get(0)?.get("id").map(|id| match id {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    };
    if let Some(id) = first_id("/api/v1/movie/movies?limit=1") {
        if let Some(file) = file_id(server, token, &format!("/api/v1/movie/movies/{id}")) {
            values.insert("file_id", file);
        }
        values.insert("movie_id", id);
    }
    if let Some(id) = first_id("/api/v1/tvshow/series?limit=1") {
        values.insert("series_id", id);
    }
    if let Some(id) = first_id("/api/v1/libraries") {
        values.insert("library_id", id);
    }
    let (user, password) = server::USER;
    let hex: String = password.bytes().map(|b| format!("{b:02x}")).collect();
    values.insert(
        "subsonic_auth",
        format!("u={user}&p=enc:{hex}&v=1.16.1&c=bench&f=json"),
    );
    values
}

/// A media file id in a detail answer: a `file_id` key, or the `id` of the first entry of a
/// `files`/`media_files` array, anywhere in the document.
fn file_id(server: &Server, token: &str, path: &str) -> Option<String> {
    let (status, body) = server::get(server.port, path, Some(token)).ok()?;
    if status != 200 {
        return None;
    }
    fn find(value: &serde_json::Value) -> Option<String> {
        let text = |v: &serde_json::Value| match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        match value {
            serde_json::Value::Object(map) => {
                if let Some(id) = map.get("file_id").and_then(text) {
                    return Some(id);
                }
                for key in ["files", "media_files"] {
                    if let Some(id) = map
                        .get(key)
                        .and_then(|f| f.get(0))
                        .and_then(|f| f.get("id"))
                        .and_then(text)
                    {
                        return Some(id);
                    }
                }
                map.values().find_map(find)
            }
            serde_json::Value::Array(items) => items.iter().find_map(find),
            _ => None,
        }
    }
    find(&serde_json::from_str(&body).ok()?)
}

/// Fills `{name}` placeholders; `Err` names the first one nothing provides.
pub fn fill(path: &str, values: &HashMap<&'static str, String>) -> Result<String, String> {
    let mut out = path.to_owned();
    while let Some(start) = out.find('{') {
        let Some(len) = out[start..].find('}') else {
            break;
        };
        let name = &out[start + 1..start + len];
        let Some(value) = values.get(name) else {
            return Err(format!("not measured (no {name} on this build)"));
        };
        out.replace_range(start..=start + len, value);
    }
    Ok(out)
}

/// Loads every endpoint at every concurrency for `seconds` each.
pub fn measure(
    server: &Server,
    token: &str,
    endpoints: &[Endpoint],
    connections: &[u32],
    seconds: u32,
) -> Result<Vec<EndpointResult>> {
    let values = placeholders(server, token);
    let mut results = Vec::new();
    for endpoint in endpoints {
        let path = fill(endpoint.path, &values);
        let runs = match &path {
            Err(reason) => Err(reason.clone()),
            Ok(path) => match server::get(server.port, path, Some(token))? {
                (404, _) => Err("not measured (endpoint missing: 404)".to_owned()),
                (status, body) if !(200..400).contains(&status) => Err(format!(
                    "not measured (answers {status}: {})",
                    body.chars().take(80).collect::<String>()
                )),
                _ => {
                    let mut runs = Vec::new();
                    for &c in connections {
                        eprintln!("bench: wrk {} at {c} connections", endpoint.name);
                        runs.push(wrk(&server.url(path), token, c, seconds)?);
                    }
                    Ok(runs)
                }
            },
        };
        results.push(EndpointResult {
            endpoint: *endpoint,
            path: path.unwrap_or_else(|_| endpoint.path.to_owned()),
            runs,
        });
    }
    Ok(results)
}

/// Runs wrk once.
pub fn wrk(url: &str, token: &str, connections: u32, seconds: u32) -> Result<Run> {
    wrk_rotating(url, &[], token, connections, seconds)
}

/// Like [`wrk`], but each request takes the next of `paths` in turn (on the host of `url`),
/// so that a run is not a thousand copies of one question.
pub fn wrk_rotating(
    url: &str,
    paths: &[String],
    token: &str,
    connections: u32,
    seconds: u32,
) -> Result<Run> {
    let threads = connections.clamp(1, 2);
    let mut command = Command::new("wrk");
    command.args([
        "-t",
        &threads.to_string(),
        "-c",
        &connections.to_string(),
        "-d",
        &format!("{seconds}s"),
        "--latency",
        "-H",
        &format!("Authorization: Bearer {token}"),
    ]);
    let script = if paths.is_empty() {
        None
    } else {
        let quoted: Vec<String> = paths.iter().map(|p| format!("{p:?}")).collect();
        let lua = format!(
            "local paths = {{ {} }}\nlocal i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n",
            quoted.join(", ")
        );
        let file = std::env::temp_dir().join(format!("revenge-bench-{}.lua", std::process::id()));
        std::fs::write(&file, lua).context("cannot write the wrk script")?;
        command.arg("-s").arg(&file);
        Some(file)
    };
    let output = command
        .arg(url)
        .output()
        .context("wrk is needed (apt-get install -y wrk)");
    if let Some(file) = script {
        let _ = std::fs::remove_file(file);
    }
    let output = output?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!(
            "wrk failed: {text}{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let mut run = parse_wrk(&text).with_context(|| format!("cannot read wrk's output:\n{text}"))?;
    run.connections = connections;
    Ok(run)
}

/// A wrk duration (`812.00us`, `1.20ms`, `2.00s`, `1.00m`) in milliseconds.
fn duration_ms(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    Some(match unit {
        "us" => number / 1000.0,
        "ms" => number,
        "s" => number * 1000.0,
        "m" => number * 60_000.0,
        _ => return None,
    })
}

/// A wrk size (`1.23MB`, `512.00KB`, `12B`) in bytes.
fn size_bytes(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    Some(
        number
            * match unit {
                "B" => 1.0,
                "KB" => 1024.0,
                "MB" => 1_048_576.0,
                "GB" => 1_073_741_824.0,
                _ => return None,
            },
    )
}

/// Reads p50, p99, requests/s, transfer/s and errors from wrk's `--latency` output.
pub fn parse_wrk(text: &str) -> Option<Run> {
    let mut run = Run::default();
    let (mut p50, mut p99, mut rps) = (None, None, None);
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["50%", value] => p50 = duration_ms(value),
            ["99%", value] => p99 = duration_ms(value),
            ["Requests/sec:", value] => rps = value.parse().ok(),
            ["Transfer/sec:", value] => run.transfer_bytes_per_sec = size_bytes(value)?,
            ["Non-2xx", "or", "3xx", "responses:", n] => run.errors += n.parse::<u64>().ok()?,
            ["Socket", "errors:", rest @ ..] => {
                run.errors += rest
                    .iter()
                    .filter_map(|w| w.trim_end_matches(',').parse::<u64>().ok())
                    .sum::<u64>();
            }
            _ => {}
        }
    }
    run.p50_ms = p50?;
    run.p99_ms = p99?;
    run.rps = rps?;
    Some(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "Running 2s test @ http://127.0.0.1:1/x
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   412.30us  200.00us   5.00ms   90.00%
    Req/Sec     9.50k   500.00     10.00k    70.00%
  Latency Distribution
     50%  380.00us
     75%  450.00us
     90%  600.00us
     99%    1.20ms
  37800 requests in 2.00s, 5.10MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:  18900.12
Transfer/sec:      2.55MB
";

    #[test]
    fn reads_wrk_output() {
        let run = parse_wrk(OUTPUT).expect("parsed");
        assert!((run.p50_ms - 0.38).abs() < 1e-9);
        assert!((run.p99_ms - 1.2).abs() < 1e-9);
        assert!((run.rps - 18_900.12).abs() < 1e-9);
        assert_eq!(run.errors, 7);
        assert!((run.transfer_bytes_per_sec - 2.55 * 1_048_576.0).abs() < 1.0);
    }

    #[test]
    fn fills_placeholders_or_names_the_missing_one() {
        let mut values = HashMap::new();
        values.insert("movie_id", "42".to_owned());
        assert_eq!(
            fill("/api/v1/movie/movies/{movie_id}", &values),
            Ok("/api/v1/movie/movies/42".to_owned())
        );
        assert_eq!(
            fill("/api/v1/stream/{file_id}", &values),
            Err("not measured (no file_id on this build)".to_owned())
        );
    }
}
