//! `revenge config check` and configuration errors as the command line reports them.

use std::io::Write;

use revenge_server::ServerError;
use revenge_server::cli::{Cli, Command, ConfigAction, run};

fn config_file(yaml: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new()
        .suffix(".yaml")
        .tempfile()
        .unwrap_or_else(|e| panic!("{e}"));
    file.write_all(yaml.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    file
}

async fn check(yaml: &str) -> Result<String, ServerError> {
    let file = config_file(yaml);
    run(Cli {
        config: Some(file.path().to_path_buf()),
        command: Some(Command::Config {
            action: ConfigAction::Check,
        }),
    })
    .await
}

#[tokio::test]
async fn config_check_prints_the_effective_config_without_secrets() {
    let result = check(
        "server:\n  port: 9999\ndatabase:\n  url: postgres://revenge:hunter2@db.local:5432/revenge\n",
    )
    .await;
    if cfg!(feature = "postgres") {
        let output = result.unwrap_or_else(|e| panic!("{e}"));
        assert!(output.contains("port: 9999"), "{output}");
        assert!(output.contains("configuration is valid"), "{output}");
        assert!(!output.contains("hunter2"), "{output}");
        assert!(output.contains("revenge:********@db.local"), "{output}");
    } else {
        // A build without PostgreSQL says which feature it lacks, and never echoes the URL.
        let message = result.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("--features postgres"), "{message}");
        assert!(!message.contains("hunter2"), "{message}");
    }
}

#[tokio::test]
async fn bad_configs_are_rejected_naming_the_key() {
    for (yaml, needles) in [
        ("server:\n  port: high\n", &["server.port"][..]),
        ("sever:\n  port: 1\n", &["sever"][..]),
        (
            "modules:\n  qar:\n    enabled: true\n",
            &["modules.qar.enabled", "--features qar"][..],
        ),
        (
            "modules:\n  films:\n    enabled: true\n",
            &["modules.films", "unknown module"][..],
        ),
        ("database:\n  url: mysql://x@y/z\n", &["database.url"][..]),
    ] {
        match check(yaml).await {
            Ok(output) => panic!("accepted {yaml:?}: {output}"),
            Err(ServerError::Config(e)) => {
                let message = e.to_string();
                for needle in needles {
                    assert!(message.contains(needle), "{yaml:?} → {message}");
                }
            }
            Err(other) => panic!("{yaml:?} gave a non-config error: {other}"),
        }
    }
}

#[test]
fn version_names_modules_and_backends() {
    let version = revenge_server::cli::long_version();
    assert!(version.starts_with(env!("CARGO_PKG_VERSION")), "{version}");
    for module in revenge_tests::expected_modules() {
        assert!(version.contains(module), "{version}");
    }
    assert!(
        version.contains("sqlite") == cfg!(feature = "sqlite"),
        "{version}"
    );
    assert!(
        version.contains("postgres") == cfg!(feature = "postgres"),
        "{version}"
    );
}
