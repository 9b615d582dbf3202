//! Media for the tests: files written into library folders, short real videos made with ffmpeg,
//! and libraries scanned through the API.

use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::TestServer;

/// Writes `bytes` to `root/rel`, making its folders.
pub fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .unwrap_or_else(|e| panic!("cannot make {}: {e}", parent.display()));
    }
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

/// A real H.264/AAC Matroska file of `secs` seconds at `dir/name`, made with ffmpeg (which these
/// tests need: a missing ffmpeg fails them).
pub fn ffmpeg_movie(dir: &Path, name: &str, secs: u32) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .unwrap_or_else(|e| panic!("cannot make {}: {e}", parent.display()));
    }
    let status = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg("testsrc=size=640x360:rate=25")
        .args(["-f", "lavfi", "-i", "sine", "-t", &secs.to_string()])
        .args(["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"])
        .arg(&path)
        .status()
        .unwrap_or_else(|e| panic!("ffmpeg is needed by these tests and could not run: {e}"));
    assert!(status.success(), "ffmpeg could not make {name}");
    path
}

impl TestServer {
    /// Makes a library of `module` named `name` over `folder`, as the administrator.
    pub async fn library_at(&self, module: &str, name: &str, folder: &Path) -> i64 {
        let reply = self
            .call(
                Method::POST,
                "/api/v1/libraries",
                Some(&self.admin),
                Some(json!({"module": module, "name": name, "folders": [folder.display().to_string()]})),
            )
            .await;
        assert_eq!(reply.status, 201, "{:?}", reply.body);
        reply.body["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("no library id in {:?}", reply.body))
    }

    /// Queues a scan of `library` and waits for its job to end; returns the job.
    pub async fn scan(&self, library: i64) -> Value {
        let queued = self
            .call(
                Method::POST,
                &format!("/api/v1/libraries/{library}/scan"),
                Some(&self.admin),
                None,
            )
            .await;
        assert_eq!(queued.status, 202, "{:?}", queued.body);
        let job = queued.body["job_id"]
            .as_i64()
            .unwrap_or_else(|| panic!("no job id in {:?}", queued.body));
        self.wait_job(job).await
    }

    /// Waits for a job to end (a minute at most); returns it.
    pub async fn wait_job(&self, job: i64) -> Value {
        for _ in 0..1200 {
            let reply = self.get(&format!("/api/v1/jobs/{job}")).await;
            let state = reply.body["state"].as_str().unwrap_or_default();
            if state == "succeeded" || state == "failed" {
                return reply.body;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("job {job} did not finish");
    }

    /// Waits until jobs of `kind` have run and none is left queued or running; returns the
    /// newest.
    pub async fn settle_jobs(&self, kind: &str) -> Value {
        for _ in 0..1200 {
            let reply = self.get(&format!("/api/v1/jobs?kind={kind}")).await;
            let jobs = reply.body["items"].as_array().cloned().unwrap_or_default();
            let active = jobs
                .iter()
                .any(|j| j["state"] == "queued" || j["state"] == "running");
            if let (Some(newest), false) = (jobs.first(), active) {
                return newest.clone();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("jobs of kind {kind} did not run to their end");
    }

    /// [`TestServer::scan`], failing the test unless the scan succeeded.
    pub async fn scan_ok(&self, library: i64) {
        let job = self.scan(library).await;
        assert_eq!(job["state"], "succeeded", "scan failed: {job}");
    }
}
