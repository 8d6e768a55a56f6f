//! What `scan` and `merge` share: the report format, where it goes, and the exit code.

use gavel::report::{self, Format, Report, Severity};
use std::io::IsTerminal;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum FormatArg {
    Human,
    Json,
    Sarif,
    Junit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

#[derive(clap::Args)]
pub struct Output {
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: FormatArg,
    /// Write the report to this file instead of standard output.
    #[arg(long = "output", short = 'o', value_name = "FILE")]
    file: Option<PathBuf>,
    /// The lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value = "error")]
    fail_on: FailOn,
}

impl Output {
    pub fn format(&self) -> Format {
        match self.format {
            FormatArg::Human => Format::Human,
            FormatArg::Json => Format::Json,
            FormatArg::Sarif => Format::Sarif,
            FormatArg::Junit => Format::Junit,
        }
    }

    /// Renders and writes the report, and says which exit code it deserves: 2 when any input
    /// failed, 1 when a finding reaches `--fail-on`, else 0.
    pub fn write(&self, report: &Report) -> Result<ExitCode, String> {
        let format = self.format();
        let color =
            self.file.is_none() && format == Format::Human && std::io::stdout().is_terminal();
        // Written as it is produced: a large report is not held twice in memory.
        let written = match &self.file {
            Some(path) => std::fs::File::create(path)
                .and_then(|f| {
                    let mut out = std::io::BufWriter::new(f);
                    report::write(report, format, color, &mut out)?;
                    out.flush()
                })
                .map_err(|e| format!("error: {}: {e}", path.display())),
            None => {
                let mut out = std::io::BufWriter::new(std::io::stdout().lock());
                report::write(report, format, color, &mut out)
                    .and_then(|()| out.flush())
                    .map_err(|e| format!("error: cannot write the report: {e}"))
            }
        };
        written?;
        if !report.errors.is_empty() {
            return Ok(ExitCode::from(2));
        }
        let threshold = match self.fail_on {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Note => Some(Severity::Note),
            FailOn::Never => None,
        };
        Ok(match threshold {
            Some(t) if report.findings.iter().any(|f| f.severity >= t) => ExitCode::from(1),
            _ => ExitCode::SUCCESS,
        })
    }
}
