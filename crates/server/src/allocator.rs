//! The process's allocator: mimalloc (feature `mimalloc`, on by default) instead of glibc's.
//!
//! Why: an uncached `search3` spent a quarter of its time in glibc's malloc and free (most of
//! it consolidating small free blocks before each block of a kilobyte or more); with mimalloc
//! the same binary answers about 30% more searches and album lists a second
//! (docs/benchmarks.md, session 16). C code linked in (SQLite) keeps glibc's allocator, tuned
//! by `revenge_core::memory`.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its v3 `mimalloc.h`; the same index since v1, where it
/// was `reset_delay`). The libmimalloc-sys binding names no v3 option, hence the numbers; the
/// test below checks them against the options' defaults.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
/// mimalloc's `mi_option_page_full_retain` (v3 `mimalloc.h`).
const PAGE_FULL_RETAIN: libmimalloc_sys::mi_option_t = 36;

/// Makes freed memory go back to the system when it is freed rather than a second later, and
/// keeps no emptied page per size class and thread. mimalloc purges only when it is called: a
/// server gone idle right after a password hash (19 MiB for argon2) kept that memory resident
/// until its next request; the retained pages were another 1–1.5 MiB of an idle server (no
/// slower under load). Call first thing in `main`, before other threads start (mimalloc's
/// options are not thread-safe to set).
#[allow(
    unsafe_code,
    reason = "mi_option_set has no safe wrapper; it only sets one of mimalloc's parameters"
)]
pub fn return_freed_memory_at_once() {
    // SAFETY: sets integer parameters of the allocator, takes no pointers, and runs before
    // any other thread of the process exists.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
        libmimalloc_sys::mi_option_set(PAGE_FULL_RETAIN, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::{PAGE_FULL_RETAIN, PURGE_DELAY};

    #[test]
    #[allow(
        unsafe_code,
        reason = "mi_option_get has no safe wrapper; it reads a parameter"
    )]
    fn the_option_numbers_name_the_options_meant() {
        // SAFETY: reads integer parameters of the allocator; takes no pointers.
        let (delay, retain) = unsafe {
            (
                libmimalloc_sys::mi_option_get(PURGE_DELAY),
                libmimalloc_sys::mi_option_get(PAGE_FULL_RETAIN),
            )
        };
        // mimalloc v3's defaults (its `options.c`): another option's would differ.
        assert_eq!((delay, retain), (1000, 2), "purge_delay, page_full_retain");
    }
}
