//! Giving memory back to the system after one-off peaks (a start-up search reconciliation, a
//! large scan). glibc's allocator keeps what such work freed for reuse, so a server that once
//! compared 100,000 documents would idle at hundreds of megabytes it no longer uses.

/// Allocations of 4 MiB and more are given their own mappings, returned to the system when
/// freed, and free memory past 2 MiB at the top of a heap is returned too. glibc starts with
/// 128 KiB for both but raises them after each large block freed (up to 32 and 64 MiB): after a
/// start-up search reconciliation freed its index writer's arenas, blocks of that size came from
/// the heap and pinned it, and the idle server kept memory it no longer used. Measured with
/// `cargo xtask bench music` (20,000 tracks, fat-LTO build, 2-core VM): idle RSS 36.7-39.7 MiB,
/// 10-13 MiB of it anonymous, before; 34-36 MiB, 8 MiB anonymous, after. Fixing the mmap bound
/// alone also fixes the trim bound at 128 KiB, which cost uncached `search3` a fifth of its
/// throughput (heaps shrunk and grown again on every request); 2 MiB gives it back. Call once,
/// in `main` before other threads start and before large allocations.
#[allow(
    unsafe_code,
    reason = "mallopt has no safe wrapper; like malloc_trim it only tunes glibc's allocator"
)]
pub fn keep_large_blocks_unpooled() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const LARGE: libc::c_int = 4 * 1024 * 1024;
        const KEPT_ON_TOP: libc::c_int = 2 * 1024 * 1024;
        // SAFETY: mallopt only sets parameters of glibc's allocator; it takes no pointers and
        // is called before any other thread exists.
        let set = unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, LARGE)
                & libc::mallopt(libc::M_TRIM_THRESHOLD, KEPT_ON_TOP)
        };
        if set == 0 {
            tracing::debug!("the allocator kept its own thresholds");
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
