//! Giving memory back to the system after one-off peaks (a start-up search reconciliation, a
//! large scan). glibc's allocator keeps what such work freed for reuse, so a server that once
//! compared 100,000 documents would idle at hundreds of megabytes it no longer uses.

/// Returns the heap's free pages to the system. Cheap when little is free; call it after work
/// that allocated a lot for a short while, not in hot paths.
#[allow(
    unsafe_code,
    reason = "malloc_trim has no safe wrapper; it is the only unsafe call in Revenge"
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
