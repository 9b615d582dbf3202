//! Log output: text or JSON lines on stderr, filtered by `log.level` (or `RUST_LOG`).

use revenge_config::{LogConfig, LogFormat};
use tracing_subscriber::EnvFilter;

use crate::ServerError;

/// Installs the global subscriber. A second call (tests start several servers in one process)
/// keeps the first.
pub fn init(config: &LogConfig) -> Result<(), ServerError> {
    let filter = match std::env::var("RUST_LOG") {
        Ok(env) if !env.is_empty() => EnvFilter::try_new(env),
        _ => EnvFilter::try_new(&config.level),
    }
    .map_err(|e| ServerError::LogFilter(e.to_string()))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // An already installed subscriber is fine: see above.
    let _ = match config.format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    Ok(())
}
