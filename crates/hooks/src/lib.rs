//! Script hooks: extensibility without plugins. An administrator maps a hook name to a command
//! (`hooks.item_added: [/usr/local/bin/notify, --quiet]`); when the matching event happens the
//! command runs with the event's JSON on stdin, under a time limit, and its output goes to the
//! log. A hook that fails or hangs is logged and killed; it never crashes or blocks the server.
//!
//! Commands are argv lists run directly, never through a shell, so nothing in an event (a title,
//! a user name) can be interpreted as shell syntax.

mod capture;
mod error;
mod listen;
mod runner;

pub use error::HookError;
pub use runner::{HookOutcome, HookRunner};

/// Every hook name an administrator may configure.
pub const HOOK_NAMES: &[&str] = &[
    "post_scan",
    "item_added",
    "item_removed",
    "user_login",
    "pre_transcode",
];

/// Which hook follows which event type; `pre_transcode` is absent because the transcoder calls
/// it directly and waits for its verdict.
const EVENT_HOOKS: &[(&str, &str)] = &[
    ("library.scan.completed", "post_scan"),
    ("item.added", "item_added"),
    ("item.removed", "item_removed"),
    ("user.login.succeeded", "user_login"),
];

/// The hook that follows events of type `kind` (`item.added` → `item_added`), if any.
pub fn hook_for_event(kind: &str) -> Option<&'static str> {
    EVENT_HOOKS
        .iter()
        .find(|(event, _)| *event == kind)
        .map(|(_, hook)| *hook)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_hook_is_a_known_hook_and_a_known_event() {
        for (event, hook) in EVENT_HOOKS {
            assert!(HOOK_NAMES.contains(hook), "{hook}");
            assert!(revenge_core::events::EVENT_TYPES.contains(event), "{event}");
        }
        assert_eq!(hook_for_event("item.added"), Some("item_added"));
        assert_eq!(hook_for_event("item.updated"), None);
    }
}
