//! Running one hook: spawn its command, feed it the event, collect its output, enforce its time
//! limit.

use std::collections::BTreeMap;
use std::fmt;
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::process::{ChildStdin, Command};
use tokio::time::Instant;

use crate::HOOK_NAMES;
use crate::capture::Capture;
use crate::error::HookError;

/// How long output still in flight is read after the hook exits. Normally the pipes reach their
/// end at once; only a background process the hook left behind keeps them open, and that must
/// not hold up the caller.
const DRAIN_GRACE: Duration = Duration::from_secs(1);

/// Longest refusal reason passed on to a client.
const REFUSAL_MESSAGE_LIMIT: usize = 500;

/// How a hook run ended, when it ran to an end on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookOutcome {
    /// No command is configured for this hook.
    NotConfigured,
    /// The command exited with status 0.
    Succeeded,
    /// The command exited otherwise.
    Failed {
        /// Its exit status (`None` when a signal ended it).
        status: Option<i32>,
        /// The last lines it wrote to stderr.
        stderr_tail: String,
    },
}

/// Runs the configured hooks. Cloning is cheap and shares the configuration.
#[derive(Clone)]
pub struct HookRunner {
    hooks: Arc<BTreeMap<String, Vec<String>>>,
    timeout: Duration,
}

impl fmt::Debug for HookRunner {
    // Commands and arguments may carry tokens or passwords, so only the hook names are shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HookRunner")
            .field("hooks", &self.hooks.keys().collect::<Vec<_>>())
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// What a finished hook process left behind.
#[derive(Debug)]
struct Finished<'a> {
    status: ExitStatus,
    // Its lines are already logged; it is kept so tests can see what was captured.
    #[cfg_attr(not(test), allow(dead_code))]
    stdout: Capture<'a>,
    stderr: Capture<'a>,
}

impl HookRunner {
    /// A runner for `hooks` (hook name → argv), each run limited to `timeout`.
    ///
    /// Fails with [`HookError::Config`] for a name not in [`HOOK_NAMES`] or an empty command, so
    /// a typo is caught at startup rather than silently never running.
    pub fn new(hooks: BTreeMap<String, Vec<String>>, timeout: Duration) -> Result<Self, HookError> {
        for (hook, command) in &hooks {
            if !HOOK_NAMES.contains(&hook.as_str()) {
                return Err(HookError::Config {
                    hook: hook.clone(),
                    message: format!("unknown hook; known hooks are {}", HOOK_NAMES.join(", ")),
                });
            }
            if command.first().is_none_or(|program| program.is_empty()) {
                return Err(HookError::Config {
                    hook: hook.clone(),
                    message: "the command is empty; give the program and its arguments as a list"
                        .to_owned(),
                });
            }
        }
        Ok(Self {
            hooks: Arc::new(hooks),
            timeout,
        })
    }

    /// Whether a command is configured for `hook`.
    pub fn is_configured(&self, hook: &str) -> bool {
        self.hooks.contains_key(hook)
    }

    /// The time limit of each run.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Runs `hook` with `input` as one line of JSON on its stdin. Output is logged line by line;
    /// failures are logged here too, so callers that do not care may ignore the result.
    pub async fn run(&self, hook: &str, input: &Value) -> Result<HookOutcome, HookError> {
        let Some(argv) = self.hooks.get(hook) else {
            return Ok(HookOutcome::NotConfigured);
        };
        let started = Instant::now();
        tracing::debug!(hook, "running hook");
        let result = self.execute(hook, argv, input).await;
        let elapsed_ms = started.elapsed().as_millis();
        match result {
            Ok(finished) if finished.status.success() => {
                tracing::debug!(hook, elapsed_ms, "hook succeeded");
                Ok(HookOutcome::Succeeded)
            }
            Ok(finished) => {
                let stderr_tail = finished.stderr.tail();
                let status = finished.status.code();
                tracing::warn!(
                    hook,
                    ?status,
                    elapsed_ms,
                    reason = last_line(&stderr_tail).unwrap_or_default(),
                    "hook failed: {}",
                    finished.status
                );
                Ok(HookOutcome::Failed {
                    status,
                    stderr_tail,
                })
            }
            Err(error) => {
                tracing::warn!(hook, elapsed_ms, %error, "hook failed");
                Err(error)
            }
        }
    }

    /// Asks the `pre_transcode` hook whether a transcode may start. No hook, or exit status 0,
    /// means yes; anything else, including a hook that cannot run or does not answer in time,
    /// means no: a gate that fails open would not be a gate.
    pub async fn pre_transcode(&self, input: &Value) -> Result<(), HookError> {
        match self.run("pre_transcode", input).await? {
            HookOutcome::NotConfigured | HookOutcome::Succeeded => Ok(()),
            HookOutcome::Failed {
                status,
                stderr_tail,
            } => {
                let message = match last_line(&stderr_tail) {
                    Some(line) => line.chars().take(REFUSAL_MESSAGE_LIMIT).collect(),
                    None => match status {
                        Some(code) => format!("the pre_transcode hook exited with status {code}"),
                        None => "the pre_transcode hook was killed by a signal".to_owned(),
                    },
                };
                Err(HookError::Refused { status, message })
            }
        }
    }

    async fn execute<'a>(
        &self,
        hook: &'a str,
        argv: &[String],
        input: &Value,
    ) -> Result<Finished<'a>, HookError> {
        let Some((program, args)) = argv.split_first() else {
            return Err(HookError::Config {
                hook: hook.to_owned(),
                message: "the command is empty".to_owned(),
            });
        };
        let mut child = Command::new(program)
            .args(args)
            .env("REVENGE_HOOK", hook)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Whatever path leaves this function early (a panic, a dropped future), the process
            // must not outlive it.
            .kill_on_drop(true)
            .spawn()
            .map_err(|source| HookError::Spawn {
                hook: hook.to_owned(),
                command: program.clone(),
                source,
            })?;

        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let mut out = Capture::new(hook, "stdout");
        let mut err = Capture::new(hook, "stderr");
        let payload = format!("{input}\n");
        let deadline = Instant::now() + self.timeout;

        let waited = {
            // Feeding and reading run alongside the wait: a hook blocked writing to a full pipe,
            // or one that never reads stdin, must not deadlock the run.
            let io = async {
                tokio::join!(
                    feed(hook, stdin, payload.as_bytes()),
                    out.drain(stdout),
                    err.drain(stderr)
                )
            };
            tokio::pin!(io);
            let mut io_done = false;
            let exited = tokio::time::timeout_at(deadline, async {
                loop {
                    tokio::select! {
                        status = child.wait() => break status,
                        _ = &mut io, if !io_done => io_done = true,
                    }
                }
            })
            .await;
            if exited.is_ok() && !io_done {
                let _ = tokio::time::timeout(DRAIN_GRACE, &mut io).await;
            }
            exited
        };

        let status = match waited {
            Ok(status) => status.map_err(|source| HookError::Io {
                hook: hook.to_owned(),
                source,
            })?,
            Err(_) => {
                // `kill` also waits, so the process is reaped rather than left a zombie.
                if let Err(error) = child.kill().await {
                    tracing::warn!(hook, %error, "could not kill the timed-out hook");
                }
                out.finish();
                err.finish();
                return Err(HookError::TimedOut {
                    hook: hook.to_owned(),
                    secs: u64::try_from(self.timeout.as_millis().div_ceil(1000))
                        .unwrap_or(u64::MAX),
                });
            }
        };
        out.finish();
        err.finish();
        Ok(Finished {
            status,
            stdout: out,
            stderr: err,
        })
    }
}

/// Writes the event to the hook and closes its stdin so it sees the end of input.
async fn feed(hook: &str, stdin: Option<ChildStdin>, payload: &[u8]) {
    let Some(mut stdin) = stdin else { return };
    if let Err(error) = stdin.write_all(payload).await {
        // A hook need not read its input; one that exits without doing so closes the pipe.
        if error.kind() != std::io::ErrorKind::BrokenPipe {
            tracing::debug!(hook, %error, "writing the event to the hook failed");
        }
    }
}

/// The last non-empty line of `text`, trimmed.
fn last_line(text: &str) -> Option<&str> {
    text.lines().map(str::trim).rfind(|line| !line.is_empty())
}

#[cfg(test)]
mod tests;
