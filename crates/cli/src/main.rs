//! The `sealform` binary: everything is in the library, so that the exit code is decided in one place.

fn main() -> std::process::ExitCode {
    sealform_cli::run()
}
