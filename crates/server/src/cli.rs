//! The command line: `revenge serve | config check | migrate status|up|down`.

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

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server until SIGINT/SIGTERM.
    Serve,
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

/// The binary's entry point.
pub fn main() -> ExitCode {
    let cli = parse();
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
    let build = build_info();
    let config = revenge_config::load(cli.config.as_deref(), &build.as_build())?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            telemetry::init(&config.log)?;
            let server = runtime::start(config).await?;
            server.run_until(runtime::shutdown_signal()).await?;
            Ok(String::new())
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
