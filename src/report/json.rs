//! The JSON format. Its schema is documented in `docs/json-report.md` and kept stable: fields are
//! only ever added. `gavel merge` reads it back with [`parse`].

mod items;

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
    array(out, &report.findings, items::finding)?;
    out.write_all(b",\n  \"errors\": ")?;
    value(out, &report.errors)?;
    out.write_all(b",\n  \"summary\": ")?;
    value(out, &report.summary)?;
    out.write_all(b",\n  \"rules\": ")?;
    value(out, &report.rules)?;
    out.write_all(b",\n  \"checked\": ")?;
    array(out, &report.checked, items::checked)?;
    out.write_all(b"\n}\n")
}

/// Writes `v` pretty as the value of a top-level field: every line after its first indented by
/// one level.
fn value<T: Serialize + ?Sized>(out: &mut dyn std::io::Write, v: &T) -> std::io::Result<()> {
    let mut text = Vec::new();
    nested(&mut text, v, 1);
    out.write_all(&text)
}

/// Appends `v` as `serde_json::to_vec_pretty` writes it, nested `depth` levels deep: each line
/// after the first indented by `depth` more levels.
pub(super) fn nested<T: Serialize + ?Sized>(out: &mut Vec<u8>, v: &T, depth: usize) {
    let start = out.len();
    let mut ser = serde_json::Serializer::with_formatter(&mut *out, Nested::new(depth));
    // Serialising these types cannot fail.
    if v.serialize(&mut ser).is_err() {
        out.truncate(start);
    }
}

/// serde_json's `PrettyFormatter` (two spaces a level), starting `depth` levels in: the same
/// text as rendering pretty and indenting each line after, without the second pass.
struct Nested {
    depth: usize,
    has_value: bool,
}

impl Nested {
    fn new(depth: usize) -> Self {
        Nested {
            depth,
            has_value: false,
        }
    }

    fn indent<W: ?Sized + std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        for _ in 0..self.depth {
            w.write_all(b"  ")?;
        }
        Ok(())
    }

    fn item<W: ?Sized + std::io::Write>(&self, w: &mut W, first: bool) -> std::io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(w)
    }

    fn open<W: ?Sized + std::io::Write>(&mut self, w: &mut W, b: &[u8]) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(b)
    }

    fn close<W: ?Sized + std::io::Write>(&mut self, w: &mut W, b: &[u8]) -> std::io::Result<()> {
        self.depth -= 1;
        // A container with items closes on a line of its own; an empty one right after it opens.
        if self.has_value {
            w.write_all(b"\n")?;
            self.indent(w)?;
        }
        w.write_all(b)
    }
}

impl serde_json::ser::Formatter for Nested {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(w, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(w, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Writes an array as a top-level field's value, its items rendered by `item` in parallel in
/// batches (so that memory holds one batch of text, not the whole report's).
fn array<T: Sync>(
    out: &mut dyn std::io::Write,
    items: &[T],
    item: fn(&mut Vec<u8>, &T),
) -> std::io::Result<()> {
    array_at(out, items, 1, &item)
}

/// Writes an array whose `[` is `depth` levels deep as serde_json's pretty printer writes it,
/// each item rendered by `item` (which starts where the cursor is and indents its lines for
/// `depth + 1` levels), in parallel in batches.
pub(super) fn array_at<T: Sync>(
    out: &mut dyn std::io::Write,
    items: &[T],
    depth: usize,
    item: &(dyn Fn(&mut Vec<u8>, &T) + Sync),
) -> std::io::Result<()> {
    use rayon::prelude::*;
    const BATCH: usize = 8192;
    if items.is_empty() {
        return out.write_all(b"[]");
    }
    let mut separator = b",\n".to_vec();
    separator.resize(2 + 2 * (depth + 1), b' ');
    out.write_all(b"[")?;
    for (b, batch) in items.chunks(BATCH).enumerate() {
        let texts: Vec<Vec<u8>> = batch
            .par_chunks(256)
            .map(|chunk| {
                let mut text = Vec::new();
                for it in chunk {
                    text.extend_from_slice(&separator);
                    item(&mut text, it);
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
    out.write_all(b"\n")?;
    for _ in 0..depth {
        out.write_all(b"  ")?;
    }
    out.write_all(b"]")
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
                // Empty arrays close on the line they open, as serde_json writes them.
                path: match i % 3 {
                    0 => Arc::from(vec![]),
                    _ => Arc::from(vec![PathStep::Key(Arc::from("spec")), PathStep::Index(2)]),
                },
                source_line: (i % 2 == 0).then(|| Arc::from("  - name: app")),
            });
        }
        // A path step that is neither key nor index, nested values in it, and an object with
        // none of its fields.
        let other = serde_json::json!({"a": [1, {"b": null}, []], "c": "d\u{1}", "e": {}});
        report.findings.push(Finding {
            rule: Arc::from("rule-y"),
            severity: Severity::Error,
            message: Arc::from(""),
            file: Arc::from("\u{7f}/\"q\".yaml"),
            line: usize::MAX,
            column: 0,
            document: 7,
            object: Arc::new(ObjectRef::default()),
            path: Arc::from(vec![PathStep::Other(Box::new(other)), PathStep::Index(0)]),
            source_line: Some(Arc::from("\u{0}\r")),
        });
        report.checked.push(Checked {
            file: file.clone(),
            document: 0,
            object,
        });
        report.checked.push(Checked {
            file: Arc::from("x.json"),
            document: 1,
            object: Arc::new(ObjectRef::default()),
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
