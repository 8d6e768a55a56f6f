//! The command line: argument parsing and exit codes. Each subcommand lives in its own module.

mod eval;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Policy-as-code for Kubernetes manifests.
#[derive(Parser)]
#[command(name = "gavel", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate a Rego query, printing what `opa eval --format json` prints.
    Eval(eval::Args),
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Eval(args) => eval::run(args),
    }
}
