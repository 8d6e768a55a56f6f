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

/// Renders the report as pretty JSON.
pub fn render(report: &Report) -> String {
    let doc = Document {
        version: SCHEMA_VERSION.to_string(),
        findings: report.findings.clone(),
        errors: report.errors.clone(),
        summary: report.summary.clone(),
        rules: report.rules.clone(),
        checked: report.checked.clone(),
    };
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
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
