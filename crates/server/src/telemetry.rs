//! Log output: text or JSON lines on stderr, filtered by `log.level` (or `RUST_LOG`).

use revenge_config::{LogConfig, LogFormat};
use tracing_subscriber::EnvFilter;

use crate::ServerError;

/// Crates whose warnings are notes on a file they read anyway, without naming it: lofty says
/// "Using bitrate to estimate duration" for most MP3s, a line a track that would drown the log
/// of a scan (the music module's own warning names a file whose tags cannot be read).
const QUIET: &str = "lofty=error";

/// The filter for a configured `level`: a bare level gets [`QUIET`]; a filter that names
/// crates itself is taken as written.
fn directives(level: &str) -> String {
    if level.contains('=') {
        level.to_owned()
    } else {
        format!("{level},{QUIET}")
    }
}

/// Installs the global subscriber. A second call (tests start several servers in one process)
/// keeps the first.
pub fn init(config: &LogConfig) -> Result<(), ServerError> {
    let filter = match std::env::var("RUST_LOG") {
        Ok(env) if !env.is_empty() => EnvFilter::try_new(directives(&env)),
        _ => EnvFilter::try_new(directives(&config.level)),
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

#[cfg(test)]
mod tests {
    use super::directives;

    #[test]
    fn a_bare_level_quiets_lofty_and_a_written_filter_is_kept() {
        assert_eq!(directives("warn"), "warn,lofty=error");
        assert_eq!(directives("info,lofty=debug"), "info,lofty=debug");
        assert!(tracing_subscriber::EnvFilter::try_new(directives("debug")).is_ok());
    }
}
