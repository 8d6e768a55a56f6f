//! `gavel merge`: combines the JSON reports of a sharded scan into one report, in any format.

use super::output::Output;
use gavel::report::{self, Report};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// JSON reports written by `gavel scan --format json`.
    #[arg(required = true)]
    reports: Vec<PathBuf>,
    #[command(flatten)]
    output: Output,
}

pub fn run(args: Args) -> ExitCode {
    let mut reports = vec![];
    let mut errors = vec![];
    for path in &args.reports {
        match std::fs::read_to_string(path) {
            Ok(text) => match report::parse_json(&text) {
                Ok(r) => reports.push(r),
                Err(e) => errors.push(format!(
                    "error: {}: not a gavel JSON report: {e}",
                    path.display()
                )),
            },
            Err(e) => errors.push(format!("error: {}: {e}", path.display())),
        }
    }
    if !errors.is_empty() {
        eprintln!("{}", errors.join("\n"));
        return ExitCode::from(2);
    }
    match args.output.write(&Report::merge(reports)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}
