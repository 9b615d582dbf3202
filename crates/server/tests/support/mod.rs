//! Running the real `revenge` binary from a test: child processes that cannot outlive it, a
//! config on a free port over SQLite or a fresh PostgreSQL database, waiting until a process
//! answers, and one-shot commands.
#![allow(
    dead_code,
    reason = "each test binary that includes this module uses part of it"
)]

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use sea_orm::ConnectionTrait;

pub const BINARY: &str = env!("CARGO_BIN_EXE_revenge");
pub const ADMIN: (&str, &str) = ("admin", "admin-password-1");
pub const SECRET_HEADER: &str = "x-transcoder-secret";

/// A child process killed (and reaped) when dropped, so a failing assertion leaves nothing
/// running. Its stderr goes to `<dir>/<name>.log`, shown when the test fails.
pub struct Guard {
    name: &'static str,
    child: Child,
    log: PathBuf,
}

impl Guard {
    pub fn spawn(name: &'static str, config: &Path, args: &[&str], dir: &Path) -> Self {
        let log = dir.join(format!("{name}.log"));
        let stderr = std::fs::File::create(&log).unwrap();
        let child = Command::new(BINARY)
            .arg("--config")
            .arg(config)
            .args(args)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start revenge {name}: {e}"));
        Self { name, child, log }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Fails with the process's log when it has exited.
    pub fn check_alive(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!(
                "revenge {} exited with {status}:\n{}",
                self.name,
                self.log()
            );
        }
    }

    /// Sends SIGTERM, as a service manager stopping the server would.
    pub fn terminate(&self) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .unwrap_or_else(|e| panic!("cannot run kill: {e}"));
        assert!(sent.success(), "kill -TERM {} failed", self.pid());
    }

    /// How the process ended; fails with its log if it is still running after `limit`.
    pub async fn exit_within(&mut self, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "revenge {} still runs after {limit:?}:\n{}",
                self.name,
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- revenge {} log ---\n{}", self.name, self.log());
        }
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A fresh database on the PostgreSQL server of `TEST_DATABASE_URL`; `None` without one, for
/// the default: SQLite in the data directory.
pub async fn database_url() -> Option<String> {
    let base = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())?;
    let admin = revenge_db::connect(&revenge_db::ConnectOptions::new(base.clone()))
        .await
        .unwrap_or_else(|e| panic!("TEST_DATABASE_URL is set but unreachable: {e}"));
    let name = format!("revenge_t_{}", uuid::Uuid::new_v4().simple());
    admin
        .conn
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let _ = admin.close().await;
    let (server, _) = base.rsplit_once('/').unwrap();
    Some(format!("{server}/{name}"))
}

/// Writes `<dir>/<name>.yaml`: a server on 127.0.0.1:`port` with its data in `data`, over
/// `database` (or SQLite in `data`), cheap password hashing, no scanning of its own; `extra`
/// (whole YAML sections) is appended.
pub fn write_config(
    dir: &Path,
    name: &str,
    data: &Path,
    port: u16,
    database: Option<&str>,
    extra: &str,
) -> PathBuf {
    let database = database.map_or_else(String::new, |url| format!("  url: \"{url}\"\n"));
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(
        &path,
        format!(
            "data_dir: {data}\nserver:\n  host: 127.0.0.1\n  port: {port}\n\
             database:\n{database}  max_connections: 4\n\
             auth:\n  argon2: {{memory_kib: 1024, iterations: 1, parallelism: 1}}\n\
             scan:\n  watch: false\n  interval_secs: 0\n{extra}",
            data = data.display(),
        ),
    )
    .unwrap();
    path
}

/// Polls `url` until it answers 2xx; fails when the process exits first or after two minutes.
pub async fn wait_until_up(guard: &mut Guard, url: &str, secret: Option<&str>) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        guard.check_alive();
        let mut request = client.get(url);
        if let Some(secret) = secret {
            request = request.header(SECRET_HEADER, secret);
        }
        if let Ok(answer) = request.send().await
            && answer.status().is_success()
        {
            return;
        }
        assert!(Instant::now() < deadline, "{url} never answered 200");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Runs `revenge --config <config> <args>` to its end, `stdin` written to it.
pub fn run(config: &Path, args: &[&str], stdin: &str) -> Output {
    Command::new(BINARY)
        .arg("--config")
        .arg(config)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            if let Some(mut pipe) = child.stdin.take() {
                pipe.write_all(stdin.as_bytes())?;
            }
            child.wait_with_output()
        })
        .unwrap_or_else(|e| panic!("cannot run revenge {args:?}: {e}"))
}

/// [`run`] with nothing on stdin, failing unless it succeeded; its stdout.
pub fn run_ok(config: &Path, args: &[&str]) -> String {
    let output = run(config, args, "");
    assert!(
        output.status.success(),
        "revenge {args:?} exited with {}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}
