//! The `revenge` binary: parses the command line and hands over to the library.

fn main() -> std::process::ExitCode {
    revenge_server::cli::main()
}
