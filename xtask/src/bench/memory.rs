//! Resident memory of a process from `/proc/<pid>/status`: VmRSS now, VmHWM (the peak), and a
//! sampler that records the highest VmRSS while a load runs.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{Context, Result};

fn status_field(pid: u32, field: &str) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("cannot read /proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim_start_matches(':').split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
        .with_context(|| format!("no {field} in /proc/{pid}/status"))
}

/// Resident set size now, in MiB.
pub fn rss_mib(pid: u32) -> Result<f64> {
    Ok(status_field(pid, "VmRSS")? as f64 / 1024.0)
}

/// What of the resident set is the process's own (heap, stacks), not mapped files such as
/// its executable, in MiB.
pub fn anon_mib(pid: u32) -> Result<f64> {
    Ok(status_field(pid, "RssAnon")? as f64 / 1024.0)
}

/// The highest resident set size so far, in MiB.
pub fn peak_mib(pid: u32) -> Result<f64> {
    Ok(status_field(pid, "VmHWM")? as f64 / 1024.0)
}

/// Resident set size after the process has been left alone for `settle`.
pub fn idle_rss_mib(pid: u32, settle: Duration) -> Result<f64> {
    std::thread::sleep(settle);
    rss_mib(pid)
}

/// Samples VmRSS every 50 ms until stopped; keeps the highest.
#[derive(Debug)]
pub struct Sampler {
    stop: Arc<AtomicBool>,
    max_kib: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

impl Sampler {
    /// Starts sampling `pid`.
    pub fn start(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let max_kib = Arc::new(AtomicU64::new(0));
        let thread = {
            let (stop, max_kib) = (stop.clone(), max_kib.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    if let Ok(kib) = status_field(pid, "VmRSS") {
                        max_kib.fetch_max(kib, Ordering::Relaxed);
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            })
        };
        Self {
            stop,
            max_kib,
            thread: Some(thread),
        }
    }

    /// Stops; the highest VmRSS seen, in MiB.
    pub fn finish(mut self) -> f64 {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.max_kib.load(Ordering::Relaxed) as f64 / 1024.0
    }
}
