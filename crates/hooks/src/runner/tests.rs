//! Tests of running hooks, with real processes started through `sh -c`.

use std::path::Path;
use std::time::Duration;

use revenge_core::{Event, EventBus, ItemRef};
use serde_json::{Value, json};

use super::*;

/// A runner with one hook running `script` under `sh -c`; `$1` is `arg`, so paths need no
/// quoting inside the script.
fn runner(hook: &str, script: &str, arg: &Path, timeout: Duration) -> HookRunner {
    let command = vec![
        "sh".to_owned(),
        "-c".to_owned(),
        script.to_owned(),
        "sh".to_owned(),
        arg.display().to_string(),
    ];
    HookRunner::new(BTreeMap::from([(hook.to_owned(), command)]), timeout).unwrap()
}

fn item() -> ItemRef {
    ItemRef {
        module: "movie".to_owned(),
        item_id: 7,
        library_id: 1,
        title: "Heat; rm -rf / `whoami` $(id)".to_owned(),
        rating_level: None,
    }
}

#[tokio::test]
async fn a_hook_receives_the_event_json_on_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("event.json");
    let runner = runner(
        "item_added",
        r#"cat > "$1""#,
        &file,
        Duration::from_secs(10),
    );
    let bus = EventBus::new();
    let mut receiver = bus.subscribe();
    bus.publish(Event::ItemAdded(item()));
    let envelope = receiver.recv().await.unwrap();
    let input = serde_json::to_value(envelope.as_ref()).unwrap();

    let outcome = runner.run("item_added", &input).await.unwrap();

    assert_eq!(outcome, HookOutcome::Succeeded);
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(written.ends_with("}\n"), "one line of JSON: {written:?}");
    let received: Value = serde_json::from_str(&written).unwrap();
    assert_eq!(received["type"], "item.added");
    assert_eq!(received["id"], envelope.id.as_str());
    assert_eq!(
        received["payload"]["title"],
        "Heat; rm -rf / `whoami` $(id)"
    );
}

#[tokio::test]
async fn stdout_and_stderr_lines_are_captured() {
    let dir = tempfile::tempdir().unwrap();
    let runner = runner(
        "post_scan",
        r#"echo "hook $REVENGE_HOOK"; echo second; echo 'to stderr' >&2; printf unterminated"#,
        dir.path(),
        Duration::from_secs(10),
    );
    let argv = runner.hooks["post_scan"].clone();

    let finished = runner
        .execute("post_scan", &argv, &json!({}))
        .await
        .unwrap();

    assert!(finished.status.success());
    assert_eq!(
        finished.stdout.text(),
        "hook post_scan\nsecond\nunterminated"
    );
    assert_eq!(finished.stderr.text(), "to stderr\n");
    assert_eq!(finished.stderr.tail(), "to stderr");
}

#[tokio::test]
async fn a_failing_hook_is_reported_with_its_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let runner = runner(
        "post_scan",
        "echo 'first problem' >&2; echo 'disk full' >&2; exit 2",
        dir.path(),
        Duration::from_secs(10),
    );

    let outcome = runner.run("post_scan", &json!({})).await.unwrap();

    assert_eq!(
        outcome,
        HookOutcome::Failed {
            status: Some(2),
            stderr_tail: "first problem\ndisk full".to_owned(),
        }
    );
}

#[tokio::test]
async fn a_hanging_hook_is_killed_at_its_time_limit() {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("pid");
    let runner = runner(
        "post_scan",
        r#"echo $$ > "$1"; exec sleep 30"#,
        &pidfile,
        Duration::from_secs(1),
    );
    let started = std::time::Instant::now();

    let error = runner.run("post_scan", &json!({})).await.unwrap_err();

    assert!(
        matches!(&error, HookError::TimedOut { hook, secs: 1 } if hook == "post_scan"),
        "{error:?}"
    );
    // A sanity bound, not a benchmark: the point is that it did not wait for `sleep 30`.
    assert!(started.elapsed() < Duration::from_secs(10));
    let pid = std::fs::read_to_string(&pidfile).unwrap();
    let proc = Path::new("/proc").join(pid.trim());
    for _ in 0..50 {
        if !proc.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!proc.exists(), "process {} is still there", pid.trim());
}

#[tokio::test]
async fn a_hook_that_ignores_its_input_still_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let runner = runner("post_scan", "exit 0", dir.path(), Duration::from_secs(10));
    // Larger than a pipe's buffer, so writing it fails once the hook has exited unread.
    let input = json!({ "big": "x".repeat(1024 * 1024) });

    let outcome = runner.run("post_scan", &input).await.unwrap();

    assert_eq!(outcome, HookOutcome::Succeeded);
}

#[tokio::test]
async fn pre_transcode_refuses_with_the_hooks_reason() {
    let dir = tempfile::tempdir().unwrap();
    let runner = runner(
        "pre_transcode",
        "echo 'checking' >&2; echo 'GPU busy' >&2; echo >&2; exit 3",
        dir.path(),
        Duration::from_secs(10),
    );

    let error = runner.pre_transcode(&json!({})).await.unwrap_err();

    match error {
        HookError::Refused { status, message } => {
            assert_eq!(status, Some(3));
            assert_eq!(message, "GPU busy");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn pre_transcode_refusal_reasons_are_kept_short() {
    let dir = tempfile::tempdir().unwrap();
    let runner = runner(
        "pre_transcode",
        r#"printf 'x%.0s' $(seq 1000) >&2; exit 1"#,
        dir.path(),
        Duration::from_secs(10),
    );

    let error = runner.pre_transcode(&json!({})).await.unwrap_err();

    assert!(
        matches!(&error, HookError::Refused { status: Some(1), message } if message.len() == REFUSAL_MESSAGE_LIMIT),
        "{error:?}"
    );
}

#[tokio::test]
async fn pre_transcode_allows_on_success_or_without_a_hook() {
    let dir = tempfile::tempdir().unwrap();
    let runner = runner(
        "pre_transcode",
        "cat > /dev/null; exit 0",
        dir.path(),
        Duration::from_secs(10),
    );
    runner.pre_transcode(&json!({"item": 1})).await.unwrap();

    let none = HookRunner::new(BTreeMap::new(), Duration::from_secs(1)).unwrap();
    none.pre_transcode(&json!({})).await.unwrap();
    assert_eq!(
        none.run("post_scan", &json!({})).await.unwrap(),
        HookOutcome::NotConfigured
    );
}

#[tokio::test]
async fn pre_transcode_refuses_when_its_hook_cannot_answer() {
    let dir = tempfile::tempdir().unwrap();
    let runner = runner(
        "pre_transcode",
        "exec sleep 30",
        dir.path(),
        Duration::from_millis(300),
    );

    let error = runner.pre_transcode(&json!({})).await.unwrap_err();

    assert!(matches!(error, HookError::TimedOut { .. }), "{error:?}");
}

#[tokio::test]
async fn a_missing_command_is_a_spawn_error_naming_it() {
    let hooks = BTreeMap::from([
        (
            "item_removed".to_owned(),
            vec!["/nonexistent/hook".to_owned(), "--token=s3cret".to_owned()],
        ),
        (
            "pre_transcode".to_owned(),
            vec!["/nonexistent/hook".to_owned()],
        ),
    ]);
    let runner = HookRunner::new(hooks, Duration::from_secs(1)).unwrap();

    let error = runner.run("item_removed", &json!({})).await.unwrap_err();
    assert!(
        matches!(&error, HookError::Spawn { hook, command, .. } if hook == "item_removed" && command == "/nonexistent/hook"),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains("/nonexistent/hook"), "{message}");
    assert!(!message.contains("s3cret"), "{message}");

    let error = runner.pre_transcode(&json!({})).await.unwrap_err();
    assert!(matches!(error, HookError::Spawn { .. }), "{error:?}");
}

#[test]
fn unknown_hooks_and_empty_commands_are_configuration_errors() {
    let unknown = BTreeMap::from([("post_scna".to_owned(), vec!["true".to_owned()])]);
    let error = HookRunner::new(unknown, Duration::from_secs(1)).unwrap_err();
    assert!(
        matches!(&error, HookError::Config { hook, .. } if hook == "post_scna"),
        "{error:?}"
    );
    assert_eq!(revenge_core::ErrorCode::code(&error), "invalid_config");

    for command in [vec![], vec![String::new()]] {
        let empty = BTreeMap::from([("user_login".to_owned(), command)]);
        let error = HookRunner::new(empty, Duration::from_secs(1)).unwrap_err();
        assert!(
            matches!(&error, HookError::Config { hook, .. } if hook == "user_login"),
            "{error:?}"
        );
    }
}

#[test]
fn debug_output_shows_hook_names_but_not_commands() {
    let hooks = BTreeMap::from([(
        "user_login".to_owned(),
        vec!["/opt/notify".to_owned(), "--token=s3cret".to_owned()],
    )]);
    let runner = HookRunner::new(hooks, Duration::from_secs(5)).unwrap();

    let debug = format!("{runner:?}");

    assert!(debug.contains("user_login"), "{debug}");
    assert!(
        !debug.contains("s3cret") && !debug.contains("/opt/notify"),
        "{debug}"
    );
}
