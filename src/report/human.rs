//! The human format: `file:line:col  severity  rule  message`, a code frame, the rule's
//! remediation, and a one-line summary. Colour only when asked (the CLI asks on a terminal).

use super::{Report, Severity};
use std::fmt::{self, Write};

const RESET: &str = "\x1b[0m";

fn paint(text: &str, code: &str, color: bool) -> String {
    if color {
        format!("\x1b[{code}m{text}{RESET}")
    } else {
        text.to_string()
    }
}

fn severity_colour(s: Severity) -> &'static str {
    match s {
        Severity::Error => "1;31",
        Severity::Warning => "1;33",
        Severity::Note => "1;36",
    }
}

/// Renders the report for a terminal or a log.
pub fn render(report: &Report, color: bool) -> String {
    let mut out = String::new();
    render_to(report, color, &mut out);
    out
}

/// Writes the report for a terminal or a log, finding by finding.
///
/// # Errors
/// The writer's error.
pub fn write(report: &Report, color: bool, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut adapter = IoWriter { out, error: None };
    render_to(report, color, &mut adapter);
    match adapter.error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// `fmt::Write` onto an `io::Write`, keeping the first error.
struct IoWriter<'w> {
    out: &'w mut dyn std::io::Write,
    error: Option<std::io::Error>,
}

impl Write for IoWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.error.is_some() {
            return Err(fmt::Error);
        }
        self.out.write_all(s.as_bytes()).map_err(|e| {
            self.error = Some(e);
            fmt::Error
        })
    }
}

fn render_to(report: &Report, color: bool, out: &mut dyn Write) {
    for e in &report.errors {
        let place = match (e.line, e.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}", e.file),
            (Some(l), None) => format!("{}:{l}", e.file),
            _ => e.file.clone(),
        };
        let _ = writeln!(
            out,
            "{place}  {}  {}\n",
            paint("error", "1;31", color),
            e.message
        );
    }
    for f in &report.findings {
        let sev = paint(f.severity.as_str(), severity_colour(f.severity), color);
        let _ = writeln!(
            out,
            "{}:{}:{}  {sev}  {}  {}",
            f.file,
            f.line,
            f.column,
            paint(&f.rule, "1", color),
            f.message
        );
        if let Some(line) = &f.source_line {
            let gutter = f.line.to_string();
            let pad = " ".repeat(gutter.len());
            let lead: String = line
                .chars()
                .take(f.column.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(out, "{gutter} | {line}");
            let _ = writeln!(
                out,
                "{pad} | {lead}{}",
                paint("^", severity_colour(f.severity), color)
            );
        }
        if let Some(rule) = report.rule(&f.rule) {
            if !rule.remediation.is_empty() {
                let _ = writeln!(out, "  = help: {}", rule.remediation.trim());
            }
        }
        let _ = out.write_char('\n');
    }
    let s = &report.summary;
    let count = |sev: Severity| report.findings.iter().filter(|f| f.severity == sev).count();
    let _ = writeln!(
        out,
        "{} ({}, {}, {}), {} suppressed, in {} of {}; {}",
        plural(s.findings, "finding"),
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning"),
        plural(count(Severity::Note), "note"),
        s.suppressed,
        plural(s.documents, "document"),
        plural(s.files, "file"),
        plural(s.errors, "input error"),
    );
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
