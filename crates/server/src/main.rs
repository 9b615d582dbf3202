//! The `revenge` binary: picks the process's allocator and hands over to the library.

#[cfg(feature = "mimalloc")]
mod allocator;

fn main() -> std::process::ExitCode {
    let cli = revenge_server::cli::parse();
    // Only a process that idles gains from giving freed memory back at once; a scan or other
    // one-off job (its SQLite faulting the pages in again) was 3–10% slower for it.
    #[cfg(feature = "mimalloc")]
    if cli.runs_until_stopped() {
        allocator::return_freed_memory_at_once();
    }
    #[cfg(all(feature = "mimalloc", feature = "sqlite"))]
    allocator::sqlite_allocates_here();
    revenge_server::cli::main(cli)
}
