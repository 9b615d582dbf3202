//! The process's allocator: mimalloc (feature `mimalloc`, on by default) instead of glibc's.
//!
//! Why: an uncached `search3` spent a quarter of its time in glibc's malloc and free (most of
//! it consolidating small free blocks before each block of a kilobyte or more); with mimalloc
//! the same binary answers about 30% more searches and album lists a second
//! (docs/benchmarks.md, session 16). C code linked in (SQLite) keeps glibc's allocator, tuned
//! by `revenge_core::memory`.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its `mimalloc.h`; the index has not moved since v1,
/// where it was `reset_delay`).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Makes freed memory go back to the system when it is freed rather than a second later.
/// mimalloc purges only when it is called: a server gone idle right after a password hash
/// (19 MiB for argon2) kept that memory resident until its next request. Call first thing in
/// `main`, before other threads start (mimalloc's options are not thread-safe to set).
#[allow(
    unsafe_code,
    reason = "mi_option_set has no safe wrapper; it only sets one of mimalloc's parameters"
)]
pub fn return_freed_memory_at_once() {
    // SAFETY: sets an integer parameter of the allocator, takes no pointers, and runs before
    // any other thread of the process exists.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) };
}
