//! Giving memory back to the system after one-off peaks (a start-up search reconciliation, a
//! large scan). glibc's allocator keeps what such work freed for reuse, so a server that once
//! compared 100,000 documents would idle at hundreds of megabytes it no longer uses.

/// Allocations of 4 MiB and more are given their own mappings, returned to the system when
/// freed. glibc starts with that bound at 128 KiB but raises it to the size of each large block
/// freed, up to 32 MiB: after a start-up search reconciliation freed its index writer's arenas,
/// blocks of that size came from the heap and pinned it, and the idle server kept 30-40 MiB it
/// no longer used (measured on 20,000 tracks, thin-LTO build: 76-82 MiB idle, 43-45 MiB with
/// the bound fixed at 128 KiB, 1 MiB or 4 MiB alike). 4 MiB leaves the middle sizes a search
/// or a response allocates on the heap, where they cost no system call. Call once, first
/// thing in `main`, before other threads start.
#[allow(
    unsafe_code,
    reason = "mallopt has no safe wrapper; like malloc_trim it only tunes glibc's allocator"
)]
pub fn keep_large_blocks_unpooled() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const LARGE: libc::c_int = 4 * 1024 * 1024;
        // SAFETY: mallopt only sets a parameter of glibc's allocator; it takes no pointers and
        // is called before any other thread exists.
        let set = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, LARGE) };
        if set == 0 {
            tracing::debug!("the allocator kept its own mmap threshold");
        }
    }
}

/// Returns the heap's free pages to the system. Cheap when little is free; call it after work
/// that allocated a lot for a short while, not in hot paths.
#[allow(
    unsafe_code,
    reason = "malloc_trim has no safe wrapper; with mallopt above, the only unsafe calls in Revenge"
)]
pub fn release_free_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: malloc_trim only walks glibc's own arenas under their locks; it takes no
        // pointers of ours and is safe to call from any thread at any time.
        let released = unsafe { libc::malloc_trim(0) };
        tracing::debug!(released = released != 0, "returned free heap to the system");
    }
}
