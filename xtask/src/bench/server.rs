//! A real `revenge` process on loopback for the benchmarks: its config file, start, readiness
//! poll, a minimal HTTP/1.1 client for set-up requests (sign-in, ids), and stop.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// One library in a generated config.
#[derive(Debug, Clone)]
pub struct Library {
    /// Its name (what `revenge scan NAME` takes).
    pub name: String,
    /// The module id (`movie`, `tvshow`, `music`).
    pub module: String,
    /// The folder.
    pub folder: PathBuf,
}

/// A data directory with its config file.
#[derive(Debug, Clone)]
pub struct Instance {
    /// The config file.
    pub config: PathBuf,
    /// Loopback port the server listens on.
    pub port: u16,
    /// Extra environment variables for every process of this instance.
    pub env: Vec<(String, String)>,
}

/// A port nobody listens on now.
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("cannot bind a loopback port")?;
    Ok(listener.local_addr()?.port())
}

impl Instance {
    /// Writes `dir/revenge.yaml`: data in `dir/data`, no watcher, no periodic rescans, warnings
    /// only in the log.
    pub fn create(dir: &Path, libraries: &[Library], env: Vec<(String, String)>) -> Result<Self> {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let port = free_port()?;
        let mut yaml = format!(
            "data_dir: {data}\nserver:\n  host: 127.0.0.1\n  port: {port}\nlog:\n  level: warn\n\
             scan:\n  watch: false\n  interval_secs: 0\n",
            data = dir.join("data").display(),
        );
        if !libraries.is_empty() {
            yaml.push_str("libraries:\n");
            for library in libraries {
                yaml.push_str(&format!(
                    "  - name: {}\n    module: {}\n    folders: [\"{}\"]\n",
                    library.name,
                    library.module,
                    library.folder.display()
                ));
            }
        }
        let config = dir.join("revenge.yaml");
        std::fs::write(&config, yaml)?;
        Ok(Self { config, port, env })
    }

    /// A `revenge --config … ARGS` command with this instance's environment.
    pub fn command(&self, binary: &Path, args: &[&str]) -> Command {
        let mut command = Command::new(binary);
        command
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .env("RUST_LOG", "warn")
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        command
    }

    /// Runs a command to completion, feeding `stdin`; fails on a non-zero exit.
    pub fn run(&self, binary: &Path, args: &[&str], stdin: &str) -> Result<String> {
        let mut child = self
            .command(binary, args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot run revenge {args:?}"))?;
        if let Some(mut input) = child.stdin.take() {
            input.write_all(stdin.as_bytes())?;
        }
        let output = child.wait_with_output()?;
        if !output.status.success() {
            bail!(
                "revenge {args:?} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// Starts `revenge serve`.
    pub fn spawn(&self, binary: &Path) -> Result<Server> {
        let started = Instant::now();
        let child = self
            .command(binary, &["serve"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start revenge serve")?;
        Ok(Server {
            child,
            port: self.port,
            started,
        })
    }
}

/// A running server; killed when dropped.
#[derive(Debug)]
pub struct Server {
    child: Child,
    /// Its port.
    pub port: u16,
    started: Instant,
}

impl Server {
    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Polls `/health/ready` as fast as it answers until it says 200; the time since spawn.
    pub fn wait_ready(&mut self, timeout: Duration) -> Result<Duration> {
        loop {
            if let Ok((200, _)) = get(self.port, "/health/ready", None) {
                return Ok(self.started.elapsed());
            }
            if let Some(status) = self.child.try_wait()? {
                bail!("the server exited with {status} before it was ready");
            }
            if self.started.elapsed() > timeout {
                bail!("the server was not ready within {timeout:?}");
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    }

    /// The base URL.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Stops it (SIGTERM, then SIGKILL after 10 s).
    pub fn stop(mut self) {
        self.terminate();
    }

    fn terminate(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.terminate();
        }
    }
}

/// The jobs that fill the search index after a start (reconciliation) or a scan.
const SEARCH_JOBS: [&str; 3] = ["search.reconcile", "search.reindex", "search.index"];

/// Waits until no search indexing job is queued or running, so that a load run measures
/// searches against a complete index and no indexing competes with it.
pub fn wait_search_indexed(server: &Server, token: &str, timeout: Duration) -> Result<Duration> {
    let started = Instant::now();
    loop {
        let mut busy = 0;
        for kind in SEARCH_JOBS {
            for state in ["queued", "running"] {
                let path = format!("/api/v1/jobs?state={state}&kind={kind}&limit=1");
                let (status, body) = get(server.port, &path, Some(token))?;
                if status != 200 {
                    bail!("{path} answered {status}: {body}");
                }
                let page: serde_json::Value =
                    serde_json::from_str(&body).context("the jobs answer")?;
                busy += page["total"].as_u64().unwrap_or(0);
            }
        }
        if busy == 0 {
            return Ok(started.elapsed());
        }
        if started.elapsed() > timeout {
            bail!("search indexing still had {busy} job(s) after {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// `GET path` with an optional bearer token: the status and body.
pub fn get(port: u16, path: &str, token: Option<&str>) -> Result<(u16, String)> {
    request(port, "GET", path, token, None)
}

/// `POST path` with a JSON body.
pub fn post_json(port: u16, path: &str, body: &serde_json::Value) -> Result<(u16, String)> {
    request(port, "POST", path, None, Some(&body.to_string()))
}

/// `POST path` without a body, with a bearer token.
pub fn post(port: u16, path: &str, token: &str) -> Result<(u16, String)> {
    request(port, "POST", path, Some(token), None)
}

fn request(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    if let Some(token) = token {
        head.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    if let Some(body) = body {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    head.push_str(body.unwrap_or_default());
    stream.write_all(head.as_bytes())?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let text = String::from_utf8_lossy(&response);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("not an HTTP response")?;
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_owned()
    };
    Ok((status, body))
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}

/// Creates an administrator with the CLI and signs in: a session token.
pub fn admin_token(instance: &Instance, binary: &Path, server: &Server) -> Result<String> {
    let (user, password) = USER;
    instance.run(
        binary,
        &["user", "create", "--admin", user],
        &format!("{password}\n"),
    )?;
    let (status, body) = post_json(
        server.port,
        "/api/v1/auth/login",
        &serde_json::json!({"username": user, "password": password}),
    )?;
    if status != 200 {
        bail!("sign-in answered {status}: {body}");
    }
    let json: serde_json::Value = serde_json::from_str(&body).context("sign-in answer")?;
    json["token"]
        .as_str()
        .map(str::to_owned)
        .context("no token in the sign-in answer")
}

/// The bench user's credentials, for protocols that take them in the query (Subsonic).
pub const USER: (&str, &str) = ("bench", "bench-password-0123456789");
