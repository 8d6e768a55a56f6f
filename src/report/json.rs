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

/// [`Document`] borrowing the report: what [`write`] must write, as serde_json would.
#[cfg(test)]
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

/// Writes the report as pretty JSON, as it goes. The output is byte for byte what
/// `serde_json::to_writer_pretty` writes for the whole document (a unit test holds it to that),
/// but the long arrays (findings, objects checked) are rendered in batches on the current rayon
/// pool: rendering a corpus report's 280,000 findings on one thread was a sixth of a two-thread
/// scan.
///
/// # Errors
/// The writer's error.
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    out.write_all(b"{\n  \"version\": ")?;
    value(out, &SCHEMA_VERSION)?;
    out.write_all(b",\n  \"findings\": ")?;
    array(out, &report.findings)?;
    out.write_all(b",\n  \"errors\": ")?;
    value(out, &report.errors)?;
    out.write_all(b",\n  \"summary\": ")?;
    value(out, &report.summary)?;
    out.write_all(b",\n  \"rules\": ")?;
    value(out, &report.rules)?;
    out.write_all(b",\n  \"checked\": ")?;
    array(out, &report.checked)?;
    out.write_all(b"\n}\n")
}

/// Writes `v` pretty as the value of a top-level field: every line after its first indented by
/// one level. (JSON text has no raw line breaks inside strings, so lines are safe to indent.)
fn value<T: Serialize + ?Sized>(out: &mut dyn std::io::Write, v: &T) -> std::io::Result<()> {
    out.write_all(&indented(v, b"\n  "))
}

fn indented<T: Serialize + ?Sized>(v: &T, newline: &[u8]) -> Vec<u8> {
    // Serialising these types cannot fail.
    let text = serde_json::to_vec_pretty(v).unwrap_or_default();
    let mut out = Vec::with_capacity(text.len() + text.len() / 8);
    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            out.extend_from_slice(newline);
        }
        out.extend_from_slice(line);
    }
    out
}

/// Writes an array as a top-level field's value, its items rendered in parallel in batches (so
/// that memory holds one batch of text, not the whole report's).
fn array<T: Serialize + Sync>(out: &mut dyn std::io::Write, items: &[T]) -> std::io::Result<()> {
    use rayon::prelude::*;
    const BATCH: usize = 8192;
    if items.is_empty() {
        return out.write_all(b"[]");
    }
    out.write_all(b"[")?;
    for (b, batch) in items.chunks(BATCH).enumerate() {
        let texts: Vec<Vec<u8>> = batch
            .par_chunks(256)
            .map(|chunk| {
                let mut text = Vec::new();
                for item in chunk {
                    text.extend_from_slice(b",\n    ");
                    text.extend_from_slice(&indented(item, b"\n    "));
                }
                text
            })
            .collect();
        for (i, text) in texts.iter().enumerate() {
            // The first item of the array follows `[` without a comma.
            let skip = usize::from(b == 0 && i == 0);
            out.write_all(text.get(skip..).unwrap_or_default())?;
        }
    }
    out.write_all(b"\n  ]")
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{ObjectRef, PathStep, Severity};
    use std::sync::Arc;

    fn whole(report: &Report) -> String {
        let doc = DocumentRef {
            version: SCHEMA_VERSION,
            findings: &report.findings,
            errors: &report.errors,
            summary: &report.summary,
            rules: &report.rules,
            checked: &report.checked,
        };
        serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
    }

    #[test]
    fn written_as_serde_json_writes_the_whole_document() {
        let mut report = Report::default();
        assert_eq!(render(&report), whole(&report));
        let object = Arc::new(ObjectRef {
            api_version: Some("v1".into()),
            kind: Some("Pod".into()),
            namespace: None,
            name: Some("a\nb \"c\"".into()),
        });
        let file: Arc<str> = Arc::from("dir/pod.yaml");
        for i in 0..20_000 {
            report.findings.push(Finding {
                rule: Arc::from("rule-x"),
                severity: Severity::Warning,
                message: Arc::from(format!("finding {i}: ünïcode \u{1F600} and \\ and \t")),
                file: file.clone(),
                line: i + 1,
                column: 3,
                document: i / 10,
                object: object.clone(),
                path: Arc::from(vec![PathStep::Key(Arc::from("spec")), PathStep::Index(2)]),
                source_line: (i % 2 == 0).then(|| Arc::from("  - name: app")),
            });
        }
        report.checked.push(Checked {
            file: file.clone(),
            document: 0,
            object,
        });
        report.errors.push(InputError {
            file: "bad.yaml".into(),
            line: Some(2),
            column: None,
            message: "invalid YAML".into(),
        });
        report.summary.findings = report.findings.len();
        assert_eq!(render(&report), whole(&report));
        // And it reads back.
        let back = parse(&render(&report)).unwrap_or_default();
        assert_eq!(back, report);
    }
}
