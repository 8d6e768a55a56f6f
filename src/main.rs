//! The `gavel` binary: everything lives in the `cli` module.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
