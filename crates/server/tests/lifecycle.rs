//! The `revenge` binary's life cycle as an operator sees it: `revenge serve` on an empty data
//! directory stops cleanly on SIGTERM and serves the same installation again when restarted;
//! `revenge migrate status|down|up` report and move the schema. On SQLite, or on a fresh
//! PostgreSQL database when `TEST_DATABASE_URL` names a server.
#![allow(
    clippy::unwrap_used,
    clippy::print_stderr,
    reason = "a test fails by panicking, helpers included"
)]

mod support;

use std::time::Duration;

use serde_json::Value;
use support::{Guard, free_port, run_ok, wait_until_up, write_config};

/// The public system info of the server on `port`.
async fn public_info(port: u16) -> Value {
    reqwest::get(format!("http://127.0.0.1:{port}/api/v1/system/info/public"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn serve_stops_cleanly_on_sigterm_and_restarts_on_the_same_data() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    let data = dir.join("data");
    std::fs::create_dir(&data).unwrap();
    let database = support::database_url().await;
    let port = free_port();
    let config = write_config(dir, "server", &data, port, database.as_deref(), "");
    let ready = format!("http://127.0.0.1:{port}/health/ready");

    let mut first = Guard::spawn("first", &config, &["serve"], dir);
    wait_until_up(&mut first, &ready, None).await;
    let info = public_info(port).await;
    let server_id = info["server_id"].as_str().unwrap().to_owned();
    assert_eq!(info["setup_required"], true, "{info}");
    if database.is_none() {
        assert!(
            data.join("revenge.db").is_file(),
            "no database in the data dir"
        );
    }

    first.terminate();
    let status = first.exit_within(Duration::from_secs(30)).await;
    assert!(
        status.success(),
        "SIGTERM ended revenge serve with {status}"
    );

    // The port is free again, and the installation is the same one.
    let mut second = Guard::spawn("second", &config, &["serve"], dir);
    wait_until_up(&mut second, &ready, None).await;
    let info = public_info(port).await;
    assert_eq!(info["server_id"], server_id.as_str(), "{info}");
    second.terminate();
    let status = second.exit_within(Duration::from_secs(30)).await;
    assert!(status.success(), "the restarted server ended with {status}");
}

/// `owner/name` → its state, as `revenge migrate status` prints them.
fn status(config: &std::path::Path) -> Vec<(String, String)> {
    run_ok(config, &["migrate", "status"])
        .lines()
        .map(|line| {
            let (name, state) = line
                .split_once(": ")
                .unwrap_or_else(|| panic!("not a status line: {line}"));
            (name.to_owned(), state.to_owned())
        })
        .collect()
}

/// The migrations a command's output names after `verb` (`applied`, `reverted`).
fn named(output: &str, verb: &str) -> Vec<String> {
    output
        .lines()
        .filter_map(|line| line.strip_prefix(verb)?.strip_prefix(' '))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn migrate_reports_reverts_and_reapplies() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    let database = support::database_url().await;
    let config = write_config(
        dir,
        "server",
        &dir.join("data"),
        free_port(),
        database.as_deref(),
        "",
    );

    let fresh = status(&config);
    assert!(fresh.len() > 2, "{fresh:?}");
    assert!(
        fresh.iter().all(|(_, state)| state == "pending"),
        "{fresh:?}"
    );

    let applied = named(&run_ok(&config, &["migrate", "up"]), "applied");
    let names: Vec<String> = fresh.iter().map(|(name, _)| name.clone()).collect();
    assert_eq!(applied, names, "up applies every migration, in order");
    let listed = status(&config);
    assert!(
        listed
            .iter()
            .all(|(_, state)| state.starts_with("applied ")),
        "{listed:?}"
    );
    assert_eq!(run_ok(&config, &["migrate", "up"]), "nothing applied\n");

    // Down reverts the newest first; status shows them pending; up applies just those again.
    let reverted = named(
        &run_ok(&config, &["migrate", "down", "--steps", "2"]),
        "reverted",
    );
    let newest: Vec<String> = applied.iter().rev().take(2).cloned().collect();
    assert_eq!(reverted, newest);
    for (name, state) in status(&config) {
        let expected = if reverted.contains(&name) {
            "pending"
        } else {
            "applied"
        };
        assert!(state.starts_with(expected), "{name}: {state}");
    }
    let reapplied = named(&run_ok(&config, &["migrate", "up"]), "applied");
    let oldest_first: Vec<String> = reverted.iter().rev().cloned().collect();
    assert_eq!(reapplied, oldest_first);
    assert!(
        status(&config)
            .iter()
            .all(|(_, state)| state.starts_with("applied ")),
    );
}
