//! The process's allocator: mimalloc (feature `mimalloc`, on by default) instead of glibc's.
//!
//! Why: an uncached `search3` spent a quarter of its time in glibc's malloc and free (most of
//! it consolidating small free blocks before each block of a kilobyte or more); with mimalloc
//! the same binary answers about 30% more searches and album lists a second
//! (docs/benchmarks.md, session 16). SQLite, the one C library linked in that allocates
//! much, is handed mimalloc too (`sqlite_allocates_here`): its allocations through glibc were
//! another seventh of a search's instructions (session 17). Only a process that runs until
//! stopped gives freed memory back at once (`return_freed_memory_at_once`); one-off commands
//! keep mimalloc's defaults, which made a scan a fifth faster.

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
/// slower under load). Call in `main` for a process that idles (the server), before other
/// threads start (mimalloc's options are not thread-safe to set).
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

/// Hands SQLite's allocations to mimalloc. SQLite allocates for every value it hands out
/// (sqlx copies each column of each row), every cursor and every list of ids; through glibc
/// that was about 14% of an uncached `search3`'s instructions (callgrind, session 17). Call
/// in `main`, before anything opens a database: SQLite takes the setting only
/// before it starts. Nothing is lost when it refuses (it keeps the C library's allocator);
/// the refusal is printed.
#[cfg(feature = "sqlite")]
#[allow(
    unsafe_code,
    reason = "sqlite3_config has no safe wrapper; it only sets SQLite's allocator"
)]
pub fn sqlite_allocates_here() {
    use libsqlite3_sys::{SQLITE_CONFIG_MALLOC, SQLITE_OK};

    let methods = libsqlite3_sys::sqlite3_mem_methods {
        xMalloc: Some(sqlite_malloc),
        xFree: Some(sqlite_free),
        xRealloc: Some(sqlite_realloc),
        xSize: Some(sqlite_size),
        xRoundup: Some(sqlite_roundup),
        xInit: Some(sqlite_init),
        xShutdown: Some(sqlite_shutdown),
        pAppData: std::ptr::null_mut(),
    };
    // SAFETY: runs before SQLite is initialised (nothing has opened a database yet) and on
    // one thread; SQLite copies `methods` before the call returns, and every function it
    // names is safe to call from any thread at any time.
    let answer =
        unsafe { libsqlite3_sys::sqlite3_config(SQLITE_CONFIG_MALLOC, &raw const methods) };
    if answer != SQLITE_OK {
        eprintln!("warning: SQLite kept its own allocator (sqlite3_config answered {answer})");
    }
}

#[cfg(feature = "sqlite")]
#[allow(
    unsafe_code,
    reason = "SQLite calls these through C pointers; each only forwards to mimalloc"
)]
mod sqlite_methods {
    //! SQLite's `sqlite3_mem_methods`, on mimalloc. SQLite asks for sizes as C ints, never
    //! zero or negative; any other answer is a null pointer (SQLite's "out of memory").

    use std::ffi::{c_int, c_void};

    fn size(n: c_int) -> Option<usize> {
        usize::try_from(n).ok().filter(|&n| n > 0)
    }

    pub(super) unsafe extern "C" fn sqlite_malloc(n: c_int) -> *mut c_void {
        // SAFETY: mi_malloc takes any size and answers null when it cannot allocate.
        size(n).map_or(std::ptr::null_mut(), |n| unsafe {
            libmimalloc_sys::mi_malloc(n)
        })
    }

    pub(super) unsafe extern "C" fn sqlite_free(p: *mut c_void) {
        // SAFETY: SQLite frees only what these methods allocated (or null).
        unsafe { libmimalloc_sys::mi_free(p) }
    }

    pub(super) unsafe extern "C" fn sqlite_realloc(p: *mut c_void, n: c_int) -> *mut c_void {
        // SAFETY: `p` came from these methods; on failure mi_realloc leaves it allocated, as
        // SQLite expects.
        size(n).map_or(std::ptr::null_mut(), |n| unsafe {
            libmimalloc_sys::mi_realloc(p, n)
        })
    }

    pub(super) unsafe extern "C" fn sqlite_size(p: *mut c_void) -> c_int {
        // SAFETY: `p` came from these methods (or is null, whose size is 0).
        let usable = unsafe { libmimalloc_sys::mi_usable_size(p) };
        c_int::try_from(usable).unwrap_or(c_int::MAX)
    }

    pub(super) unsafe extern "C" fn sqlite_roundup(n: c_int) -> c_int {
        // SAFETY: mi_good_size only computes a size class.
        let good = size(n).map_or(0, |n| unsafe { libmimalloc_sys::mi_good_size(n) });
        c_int::try_from(good).unwrap_or(n)
    }

    pub(super) unsafe extern "C" fn sqlite_init(_: *mut c_void) -> c_int {
        libsqlite3_sys::SQLITE_OK
    }

    pub(super) unsafe extern "C" fn sqlite_shutdown(_: *mut c_void) {}
}
#[cfg(feature = "sqlite")]
use sqlite_methods::{
    sqlite_free, sqlite_init, sqlite_malloc, sqlite_realloc, sqlite_roundup, sqlite_shutdown,
    sqlite_size,
};

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

    /// SQLite's allocations come from mimalloc once handed over (this test binary holds only
    /// this module's tests, so nothing has started SQLite before).
    #[cfg(feature = "sqlite")]
    #[test]
    #[allow(
        unsafe_code,
        reason = "sqlite3_malloc and mi_is_in_heap_region have no safe wrappers"
    )]
    fn sqlite_allocates_from_mimalloc() {
        super::sqlite_allocates_here();
        // SAFETY: a block SQLite allocates is checked and given back to SQLite.
        let in_mimalloc = unsafe {
            let block = libsqlite3_sys::sqlite3_malloc(100);
            assert!(!block.is_null());
            let inside = libmimalloc_sys::mi_is_in_heap_region(block);
            libsqlite3_sys::sqlite3_free(block);
            inside
        };
        assert!(in_mimalloc, "SQLite allocated outside mimalloc");
    }
}
