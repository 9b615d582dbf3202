//! The command line: `revenge serve | transcoder | config check | migrate status|up|down`.

#![allow(clippy::print_stdout, clippy::print_stderr)] // A CLI's job is to print.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use revenge_config::Config;
use revenge_db::{MigrationState, migrate};

use crate::{ServerError, build_info, modules, runtime, telemetry};

/// Revenge, the self-hosted media server.
#[derive(Debug, Parser)]
#[command(name = "revenge")]
pub struct Cli {
    /// YAML config file (also `REVENGE_CONFIG`).
    #[arg(long, short, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// Whether the command runs until stopped (the server, the remote transcoder), rather
    /// than doing one job and exiting.
    pub fn runs_until_stopped(&self) -> bool {
        matches!(
            self.command,
            None | Some(Command::Serve { .. } | Command::Transcoder { .. })
        )
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server until SIGINT/SIGTERM.
    Serve {
        /// Serve a folder: `MODULE:/path` (e.g. `movie:/srv/films`), repeatable. The library
        /// (named after the folder) is created or reused and scanned.
        #[arg(long = "library", value_name = "MODULE:PATH")]
        libraries: Vec<String>,
    },
    /// Run a remote transcoder (no database): HLS sessions for servers configured with
    /// `transcoding.backend: remote`, authenticated by `transcoding.remote.secret`. Reads the
    /// config's `transcoding:` section for ffmpeg, limits and renditions.
    Transcoder {
        /// Address to listen on.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8097")]
        listen: String,
    },
    /// Scan one library (by id or name), or every library, and print a summary.
    Scan {
        /// The library's id or name; every library when absent.
        library: Option<String>,
    },
    /// Print what file names name, as JSON lines (paths as arguments, or one per line on
    /// stdin). Needs no database and no config.
    ParseName {
        /// Paths to parse.
        paths: Vec<std::path::PathBuf>,
    },
    /// Inspect the configuration.
    Config {
        /// What to do with it.
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Inspect or change the database schema.
    Migrate {
        /// What to do.
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Manage accounts from the shell.
    User {
        /// What to do.
        #[command(subcommand)]
        action: UserAction,
    },
}

/// `revenge user …`
#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Create an account. The password is read from a prompt, or from the first line of stdin
    /// when stdin is not a terminal; never from the command line, where other users of the
    /// machine could see it.
    Create {
        /// The user name.
        name: String,
        /// Make the account an administrator.
        #[arg(long)]
        admin: bool,
    },
}

/// `revenge config …`
#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Validate the configuration and print it, secrets masked.
    Check,
}

/// `revenge migrate …`
#[derive(Debug, Subcommand)]
pub enum MigrateAction {
    /// List every migration and whether it is applied.
    Status,
    /// Apply every pending migration.
    Up,
    /// Revert the most recent migrations.
    Down {
        /// How many to revert.
        #[arg(long, default_value_t = 1)]
        steps: usize,
    },
}

/// `revenge --version`: the version, then the compiled-in modules and backends.
pub fn long_version() -> String {
    let build = build_info();
    format!(
        "{}\nmodules: {}\nbackends: {}",
        env!("CARGO_PKG_VERSION"),
        build.modules.join(", "),
        build.backends.join(", ")
    )
}

/// Parses arguments (exiting on `--help`, `--version` or a usage error).
pub fn parse() -> Cli {
    let version = long_version();
    let command = Cli::command()
        .version(version.clone())
        .long_version(version);
    let matches = command.get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// The binary's entry point, given the parsed command line.
pub fn main(cli: Cli) -> ExitCode {
    revenge_core::memory::keep_large_blocks_unpooled();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(output) => {
            print!("{output}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            match e {
                ServerError::Config(_) => ExitCode::from(2),
                _ => ExitCode::FAILURE,
            }
        }
    }
}

/// Runs a parsed command line; returns what it prints on success.
pub async fn run(cli: Cli) -> Result<String, ServerError> {
    let command = cli.command.unwrap_or(Command::Serve {
        libraries: Vec::new(),
    });
    if let Command::ParseName { paths } = &command {
        return parse_names(paths);
    }
    let build = build_info();
    let mut config = revenge_config::load(cli.config.as_deref(), &build.as_build())?;
    match command {
        Command::ParseName { .. } => Ok(String::new()),
        Command::Serve { libraries } => {
            let scan_now = add_quick_libraries(&mut config, &libraries)?;
            revenge_config::validate(&config, &build.as_build())?;
            telemetry::init(&config.log)?;
            let server = runtime::start_with(
                config,
                runtime::StartOptions {
                    scan_now,
                    ..runtime::StartOptions::default()
                },
            )
            .await?;
            server.run_until(runtime::shutdown_signal()).await?;
            Ok(String::new())
        }
        Command::Transcoder { listen } => {
            telemetry::init(&config.log)?;
            let server = runtime::start_transcoder(&config, &listen).await?;
            tracing::info!(addr = %server.local_addr(), "revenge transcoder is listening");
            server.run_until(runtime::shutdown_signal()).await?;
            Ok(String::new())
        }
        Command::Scan { library } => {
            telemetry::init(&config.log)?;
            scan_command(&config, library.as_deref()).await
        }
        Command::Config {
            action: ConfigAction::Check,
        } => config_check(&config),
        Command::Migrate { action } => {
            telemetry::init(&config.log)?;
            migrate_command(&config, action).await
        }
        Command::User {
            action: UserAction::Create { name, admin },
        } => {
            telemetry::init(&config.log)?;
            let password = read_password()?;
            create_user(&config, &name, &password, admin).await
        }
    }
}

/// `--library movie:/srv/films` → a library "films" of the movie module with that folder.
fn add_quick_libraries(
    config: &mut Config,
    specs: &[String],
) -> Result<Vec<(String, String)>, ServerError> {
    let mut scan_now = Vec::new();
    for spec in specs {
        let invalid = |message: &str| {
            ServerError::Config(revenge_config::ConfigError::Value {
                key: "--library".to_owned(),
                message: format!("`{spec}`: {message}"),
            })
        };
        let (module, path) = spec
            .split_once(':')
            .ok_or_else(|| invalid("expected MODULE:PATH, e.g. movie:/srv/films"))?;
        let absolute = std::path::absolute(path).map_err(|e| invalid(&e.to_string()))?;
        let folder = absolute.display().to_string();
        let name = absolute
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| folder.clone());
        if !config
            .libraries
            .iter()
            .any(|l| l.module == module && l.name == name)
        {
            config.libraries.push(revenge_config::LibraryConfig {
                name: name.clone(),
                module: module.to_owned(),
                folders: vec![folder],
            });
        }
        scan_now.push((module.to_owned(), name));
    }
    Ok(scan_now)
}

/// `revenge parse-name`: one JSON object per path.
pub fn parse_names(paths: &[std::path::PathBuf]) -> Result<String, ServerError> {
    use std::io::BufRead;
    let mut lines: Vec<std::path::PathBuf> = paths.to_vec();
    if lines.is_empty() {
        for line in std::io::stdin().lock().lines() {
            let line = line.map_err(|e| ServerError::Stdin(e.to_string()))?;
            if !line.trim().is_empty() {
                lines.push(line.into());
            }
        }
    }
    let mut out = String::new();
    for path in lines {
        let parsed = revenge_naming::parse_path(&path);
        let mut json = serde_json::to_value(&parsed).unwrap_or_default();
        if let Some(object) = json.as_object_mut() {
            object.insert(
                "path".to_owned(),
                serde_json::Value::String(path.to_string_lossy().into_owned()),
            );
        }
        out.push_str(&json.to_string());
        out.push('\n');
    }
    Ok(out)
}

/// `revenge scan`: scans in this process with a progress bar, then prints a summary.
async fn scan_command(config: &Config, library: Option<&str>) -> Result<String, ServerError> {
    let db = runtime::open_database(config).await?;
    migrate::up(&db.conn, &modules::migration_sets()).await?;
    let events = revenge_core::EventBus::new();
    let scanner = runtime::scanner(config, &db, &events);
    runtime::sync_libraries(config, &db, &[]).await?;
    let ids = revenge_library::repo::all_ids(&db.conn)
        .await
        .map_err(|e| ServerError::Library(e.to_string()))?;
    let mut targets = Vec::new();
    for id in ids {
        let Ok(found) =
            revenge_library::repo::get(&db.conn, &revenge_core::Viewer::system(), id).await
        else {
            continue;
        };
        let wanted = library.is_none_or(|l| l == found.name || l == found.id.to_string());
        if wanted {
            targets.push(found);
        }
    }
    if targets.is_empty() {
        return Err(ServerError::Library(format!(
            "no library {}",
            library.unwrap_or("exists")
        )));
    }
    let mut out = String::new();
    for target in targets {
        let bar = indicatif::ProgressBar::new_spinner().with_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {msg} {pos}/{len} files ({per_sec}, ETA {eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar.set_message(target.name.clone());
        let (sender, mut receiver) =
            tokio::sync::watch::channel(revenge_scanner::ScanProgress::default());
        let watcher = {
            let bar = bar.clone();
            tokio::spawn(async move {
                while receiver.changed().await.is_ok() {
                    let progress = receiver.borrow_and_update().clone();
                    if let Some(total) = progress.total {
                        bar.set_length(total);
                    }
                    bar.set_position(progress.done);
                }
            })
        };
        let result = scanner.scan(target.id, &sender).await;
        drop(sender);
        let _ = watcher.await;
        bar.finish_and_clear();
        let report = result?;
        out.push_str(&format!(
            "{}: {} files, {} added, {} updated, {} moved, {} removed, {} unchanged, {} errors\n",
            target.name,
            report.seen,
            report.added,
            report.updated,
            report.moved,
            report.removed,
            report.unchanged,
            report.errors
        ));
        // What the scan left for ffprobe (a server queues a job for it instead).
        let started = std::time::Instant::now();
        let probed = scanner.probe_pending(target.id).await?;
        if probed.total() > 0 {
            out.push_str(&format!(
                "{}: ffprobe read {} files the in-process readers rejected, {} unreadable, {} changed meanwhile, in {:.2} s\n",
                target.name,
                probed.read,
                probed.failed,
                probed.stale,
                started.elapsed().as_secs_f64()
            ));
        }
    }
    db.close().await?;
    Ok(out)
}

fn read_password() -> Result<String, ServerError> {
    use std::io::{BufRead, IsTerminal};
    let error = |e: std::io::Error| ServerError::Password(e.to_string());
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(error)?;
        let again = rpassword::prompt_password("Password (again): ").map_err(error)?;
        if first != again {
            return Err(ServerError::Password("the passwords differ".to_owned()));
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(error)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

/// `revenge user create`: makes an account in the configured database (migrating it first).
pub async fn create_user(
    config: &Config,
    name: &str,
    password: &str,
    admin: bool,
) -> Result<String, ServerError> {
    let db = runtime::open_database(config).await?;
    migrate::up(&db.conn, &modules::migration_sets()).await?;
    let auth = revenge_auth::AuthService::new(
        db.conn.clone(),
        runtime::auth_settings(config),
        revenge_core::EventBus::new(),
    )
    .await
    .map_err(ServerError::Auth)?;
    let mut new = revenge_auth::users::NewUser::basic(name, password);
    if admin {
        new.admin = true;
        new.capabilities.manage_libraries = true;
        new.capabilities.manage_users = true;
    }
    let user = auth.create_user(&new).await.map_err(ServerError::Auth)?;
    db.close().await?;
    let role = if admin { "administrator" } else { "user" };
    Ok(format!(
        "created {role} {} (id {})\n",
        user.username, user.id
    ))
}

/// The text `revenge config check` prints for a valid config.
pub fn config_check(config: &Config) -> Result<String, ServerError> {
    let yaml = revenge_config::redacted_yaml(config)?;
    Ok(format!(
        "# configuration is valid\n# data directory: {}\n{yaml}",
        config.data_dir().display()
    ))
}

async fn migrate_command(config: &Config, action: MigrateAction) -> Result<String, ServerError> {
    let db = runtime::open_database(config).await?;
    let sets = modules::migration_sets();
    let output = match action {
        MigrateAction::Status => {
            let mut out = String::new();
            for status in migrate::status(&db.conn, &sets).await? {
                let state = match status.state {
                    MigrationState::Applied(at) => format!("applied {}", at.to_rfc3339()),
                    MigrationState::Pending => "pending".to_owned(),
                    MigrationState::NotCompiled(at) => {
                        format!("applied {} (module not compiled in)", at.to_rfc3339())
                    }
                };
                out.push_str(&format!("{}/{}: {state}\n", status.owner, status.name));
            }
            out
        }
        MigrateAction::Up => lines("applied", migrate::up(&db.conn, &sets).await?),
        MigrateAction::Down { steps } => {
            lines("reverted", migrate::down(&db.conn, &sets, steps).await?)
        }
    };
    db.close().await?;
    Ok(output)
}

fn lines(verb: &str, names: Vec<String>) -> String {
    if names.is_empty() {
        return format!("nothing {verb}\n");
    }
    names.iter().map(|n| format!("{verb} {n}\n")).collect()
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::Cli;

    #[test]
    fn only_the_server_and_the_transcoder_run_until_stopped() {
        let runs = |args: &[&str]| {
            Cli::try_parse_from(args)
                .unwrap_or_else(|e| panic!("{args:?}: {e}"))
                .runs_until_stopped()
        };
        assert!(runs(&["revenge"]));
        assert!(runs(&["revenge", "--config", "r.yaml", "serve"]));
        assert!(runs(&["revenge", "transcoder"]));
        assert!(!runs(&["revenge", "scan", "Music"]));
        assert!(!runs(&["revenge", "user", "create", "bench"]));
        assert!(!runs(&["revenge", "migrate", "status"]));
    }
}
