//! The JSON format. Its schema is documented in `docs/json-report.md` and kept stable: fields are
//! only ever added. `gavel merge` reads it back with [`parse`].

use super::{Checked, Finding, InputError, Report, RuleInfo, Summary};
use serde::{Deserialize, Serialize};

/// Version of the JSON schema.
pub const SCHEMA_VERSION: &str = "1";

#[derive(Serialize, Deserialize)]
struct Document {
    version: String,
    findings: Vec<Finding>,
    errors: Vec<InputError>,
    summary: Summary,
    /// Rules that ran (so that merged reports can still render SARIF).
    #[serde(default)]
    rules: Vec<RuleInfo>,
    /// Objects evaluated (so that merged reports can still render JUnit).
    #[serde(default)]
    checked: Vec<Checked>,
}

/// [`Document`] borrowing the report, for writing (a report can hold millions of entries).
#[derive(Serialize)]
struct DocumentRef<'r> {
    version: &'static str,
    findings: &'r [Finding],
    errors: &'r [InputError],
    summary: &'r Summary,
    rules: &'r [RuleInfo],
    checked: &'r [Checked],
}

/// Renders the report as pretty JSON.
pub fn render(report: &Report) -> String {
    let mut out = Vec::new();
    // Writing into memory fails only on a serialisation error, which these types do not have.
    let _ = write(report, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes the report as pretty JSON, as it goes.
///
/// # Errors
/// The writer's error.
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let doc = DocumentRef {
        version: SCHEMA_VERSION,
        findings: &report.findings,
        errors: &report.errors,
        summary: &report.summary,
        rules: &report.rules,
        checked: &report.checked,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}

/// Reads a report written by [`render`].
///
/// # Errors
/// The JSON parser's message when the text is not such a report.
pub fn parse(text: &str) -> Result<Report, String> {
    let doc: Document = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if doc.version != SCHEMA_VERSION {
        return Err(format!("unsupported report version {}", doc.version));
    }
    Ok(Report {
        findings: doc.findings,
        errors: doc.errors,
        summary: doc.summary,
        rules: doc.rules,
        checked: doc.checked,
    })
}
