//! The `revenge` binary: picks the process's allocator and hands over to the library.

#[cfg(feature = "mimalloc")]
mod allocator;

fn main() -> std::process::ExitCode {
    #[cfg(feature = "mimalloc")]
    allocator::return_freed_memory_at_once();
    #[cfg(all(feature = "mimalloc", feature = "sqlite"))]
    allocator::sqlite_allocates_here();
    revenge_server::cli::main()
}
