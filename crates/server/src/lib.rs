//! The Revenge server: composes the compiled-in content modules with the shared crates (config,
//! database) into one HTTP service. It holds no domain logic and writes no SQL of its own.

mod app;
pub mod cli;
mod error;
pub mod modules;
mod routes;
mod runtime;
mod telemetry;

pub use app::AppState;
pub use error::ServerError;
pub use runtime::{
    RunningServer, RunningTranscoder, StartOptions, start, start_transcoder, start_with,
};

/// This build's compiled-in modules and backends, as the config loader checks them.
pub fn build_info() -> BuildInfo {
    BuildInfo {
        modules: modules::compiled().iter().map(|m| m.id()).collect(),
        backends: revenge_db::compiled_backends()
            .iter()
            .copied()
            .chain(cfg!(feature = "typesense").then_some("typesense"))
            .chain(cfg!(feature = "redis").then_some("redis"))
            .collect(),
    }
}

/// What this binary was compiled with.
#[derive(Debug, Clone)]
pub struct BuildInfo {
    /// Ids of the compiled-in content modules.
    pub modules: Vec<&'static str>,
    /// Compiled-in backends: databases, then `typesense` and `redis` when built in.
    pub backends: Vec<&'static str>,
}

impl BuildInfo {
    /// The view the config loader wants.
    pub fn as_build(&self) -> revenge_config::Build<'_> {
        revenge_config::Build {
            modules: &self.modules,
            backends: &self.backends,
        }
    }
}
