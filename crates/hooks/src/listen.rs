//! Running hooks as events happen on the bus.

use std::sync::Arc;

use revenge_core::{Envelope, EventBus};
use tokio::sync::Semaphore;
use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinHandle;

use crate::hook_for_event;
use crate::runner::HookRunner;

/// Most event hooks running at once. A scan that adds ten thousand items must queue their
/// `item_added` hooks, not start ten thousand processes.
const MAX_CONCURRENT_HOOKS: usize = 8;

impl HookRunner {
    /// Runs the configured hooks for events published on `bus` from now on, until the bus
    /// closes. Each run is its own task, so a slow hook never delays the next event.
    pub fn listen(&self, bus: &EventBus) -> JoinHandle<()> {
        // Subscribed before returning, so no event published after this call is missed.
        let mut receiver = bus.subscribe();
        let runner = self.clone();
        let slots = Arc::new(Semaphore::new(MAX_CONCURRENT_HOOKS));
        tokio::spawn(async move {
            loop {
                match receiver.recv().await {
                    Ok(envelope) => runner.dispatch(&envelope, &slots),
                    Err(RecvError::Lagged(missed)) => {
                        tracing::warn!(
                            missed,
                            "hooks fell behind the event bus; those events ran no hook"
                        );
                    }
                    Err(RecvError::Closed) => break,
                }
            }
        })
    }

    fn dispatch(&self, envelope: &Envelope, slots: &Arc<Semaphore>) {
        let Some(hook) = hook_for_event(envelope.event.kind()) else {
            return;
        };
        if !self.is_configured(hook) {
            return;
        }
        let input = match serde_json::to_value(envelope) {
            Ok(input) => input,
            Err(error) => {
                tracing::warn!(hook, %error, "could not encode the event for its hook");
                return;
            }
        };
        let runner = self.clone();
        let slots = Arc::clone(slots);
        tokio::spawn(async move {
            // The semaphore is never closed, so this only fails if that changes; then run anyway.
            let _slot = slots.acquire_owned().await;
            // `run` logs failures itself; there is nobody else to tell.
            let _ = runner.run(hook, &input).await;
        });
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;
    use std::time::Duration;

    use revenge_core::{Event, EventBus, ItemRef};

    use super::*;

    fn item(title: &str) -> ItemRef {
        ItemRef {
            module: "movie".to_owned(),
            item_id: 7,
            library_id: 1,
            title: title.to_owned(),
            rating_level: None,
        }
    }

    /// Waits until `path` exists, for at most `limit`.
    async fn appears(path: &Path, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        while tokio::time::Instant::now() < deadline {
            if path.exists() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        path.exists()
    }

    #[tokio::test]
    async fn events_run_their_hook_and_only_theirs() {
        let dir = tempfile::tempdir().unwrap();
        // Each run appends its event's type and title, so runs for the wrong events would show.
        let log = dir.path().join("runs");
        let done = dir.path().join("done");
        let script = r#"
            input=$(cat)
            case "$input" in
                *'"title":"stop"'*) touch "$2" ;;
                *) printf '%s\n' "$input" >> "$1" ;;
            esac
        "#;
        let hooks = BTreeMap::from([(
            "item_added".to_owned(),
            vec![
                "sh".to_owned(),
                "-c".to_owned(),
                script.to_owned(),
                "sh".to_owned(),
                log.display().to_string(),
                done.display().to_string(),
            ],
        )]);
        let runner = HookRunner::new(hooks, Duration::from_secs(10)).unwrap();
        let bus = EventBus::new();
        let listener = runner.listen(&bus);

        bus.publish(Event::ItemUpdated(item("updated")));
        bus.publish(Event::ItemRemoved(item("removed")));
        bus.publish(Event::ScanStarted { library_id: 1 });
        bus.publish(Event::ItemAdded(item("added")));
        assert!(
            appears(&log, Duration::from_secs(10)).await,
            "item_added never ran"
        );
        // A last event whose run marks the end, after which no other run can still be pending.
        bus.publish(Event::ItemAdded(item("stop")));
        assert!(appears(&done, Duration::from_secs(10)).await);
        tokio::time::sleep(Duration::from_millis(200)).await;

        let runs = std::fs::read_to_string(&log).unwrap();
        let runs: Vec<serde_json::Value> = runs
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(runs.len(), 1, "{runs:?}");
        assert_eq!(runs[0]["type"], "item.added");
        assert_eq!(runs[0]["payload"]["title"], "added");

        drop(bus);
        tokio::time::timeout(Duration::from_secs(5), listener)
            .await
            .unwrap()
            .unwrap();
    }
}
