//! Start-up time: from spawning `revenge serve` to the first 200 of `/health/ready`, polled in
//! a tight loop, over several runs; the median is reported. The idle RSS of the last run is
//! measured too, after it settles.

use std::path::Path;
use std::time::Duration;

use anyhow::Result;

use super::memory;
use super::server::Instance;

/// What the start-up runs measured.
#[derive(Debug, Clone)]
pub struct Startup {
    /// Median time to ready, in milliseconds.
    pub median_ms: f64,
    /// Every run, in milliseconds.
    pub runs_ms: Vec<f64>,
    /// VmRSS of the last run after settling, in MiB.
    pub idle_rss_mib: f64,
}

/// Starts the server `runs` times on `instance` (its database already made).
pub fn measure(
    binary: &Path,
    instance: &Instance,
    runs: usize,
    settle: Duration,
) -> Result<Startup> {
    let mut runs_ms = Vec::new();
    let mut idle_rss_mib = 0.0;
    for run in 0..runs {
        let mut server = instance.spawn(binary)?;
        let ready = server.wait_ready(Duration::from_secs(120))?;
        runs_ms.push(ready.as_secs_f64() * 1000.0);
        if run + 1 == runs {
            idle_rss_mib = memory::idle_rss_mib(server.pid(), settle)?;
        }
        server.stop();
    }
    Ok(Startup {
        median_ms: median(&runs_ms),
        runs_ms,
        idle_rss_mib,
    })
}

/// The median of some figures (0 for none).
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}
