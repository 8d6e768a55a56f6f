//! SARIF 2.1.0, for code-scanning services. Each result has a physical location with
//! `region.startLine`/`startColumn`; the rule table carries ids, names, descriptions, help and
//! default levels. Input errors become tool execution notifications.

use super::{json, Finding, Report};
use serde_json::{json, Value};
use std::collections::HashMap;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// A URI for a report's file name: a relative reference, or a `file://` URI for an absolute
/// path. Characters that are not allowed in a URI (spaces, `%`, ...) are percent-encoded, and
/// so is `:` (an archive entry `a.tgz:dir/x.yaml` would otherwise read as a URI scheme).
fn uri(file: &str) -> String {
    let mut out = String::with_capacity(file.len() + 7);
    if file.starts_with('/') {
        out.push_str("file://");
    }
    for b in file.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&b);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Renders the report as a SARIF 2.1.0 log.
pub fn render(report: &Report) -> String {
    let mut out = Vec::new();
    // Writing into memory cannot fail.
    let _ = write(report, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Where the results go in the rendered log without them.
const NO_RESULTS: &str = "\"results\": []";

/// Writes the report as a SARIF 2.1.0 log, pretty as serde_json writes it, the results as they
/// are rendered: in parallel batches (see `json::array_at`), not as one tree of values and one
/// string for the whole log, which took gigabytes for a few hundred thousand findings.
///
/// # Errors
/// The writer's error.
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let index = rule_index(report);
    let skeleton = serde_json::to_string_pretty(&log(report, Vec::new())).unwrap_or_default();
    let Some((head, tail)) = skeleton.split_once(NO_RESULTS) else {
        // Not reached (no string in the log can hold an unescaped quote); kept correct anyway.
        let results = report.findings.iter().map(|f| result(f, &index)).collect();
        let text = serde_json::to_string_pretty(&log(report, results)).unwrap_or_default();
        return out.write_all(format!("{text}\n").as_bytes());
    };
    out.write_all(head.as_bytes())?;
    out.write_all(b"\"results\": ")?;
    // `results` is a field of the run, the run an item of `runs`: the array is three levels in.
    json::array_at(out, &report.findings, 3, &|text, f| {
        json::nested(text, &result(f, &index), 4);
    })?;
    out.write_all(tail.as_bytes())?;
    out.write_all(b"\n")
}

/// Each rule's place in the rule table (its first, for an id listed twice).
fn rule_index(report: &Report) -> HashMap<&str, usize> {
    let mut index = HashMap::new();
    for (i, r) in report.rules.iter().enumerate() {
        index.entry(r.id.as_str()).or_insert(i);
    }
    index
}

/// The log, with `results` as its run's results.
fn log(report: &Report, results: Vec<Value>) -> Value {
    let rules: Vec<Value> = report
        .rules
        .iter()
        .map(|r| {
            let help = if r.remediation.is_empty() {
                r.description.clone()
            } else {
                r.remediation.clone()
            };
            json!({
                "id": r.id,
                "name": pascal(&r.id),
                "shortDescription": {"text": non_empty(&r.title, &r.id)},
                "fullDescription": {"text": non_empty(&r.description, &r.title)},
                "help": {"text": non_empty(&help, &r.title)},
                "defaultConfiguration": {"level": r.severity.as_str()},
            })
        })
        .collect();
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| {
            let mut region = serde_json::Map::new();
            if let Some(l) = e.line {
                region.insert("startLine".into(), json!(l));
            }
            if let Some(c) = e.column {
                region.insert("startColumn".into(), json!(c));
            }
            let mut physical = json!({"artifactLocation": {"uri": uri(&e.file)}});
            if !region.is_empty() {
                physical["region"] = Value::Object(region);
            }
            json!({
                "level": "error",
                "message": {"text": e.message},
                "locations": [{"physicalLocation": physical}],
            })
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "gavel",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/gavel-policy/gavel",
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": report.errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    })
}

/// One finding as a SARIF result; `index` gives each rule's place in the rule table.
fn result(f: &Finding, index: &HashMap<&str, usize>) -> Value {
    let mut result = json!({
        "ruleId": f.rule,
        "level": f.severity.as_str(),
        "message": {"text": f.message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": uri(&f.file)},
                "region": {"startLine": f.line, "startColumn": f.column},
            },
        }],
    });
    if let Some(i) = index.get(&*f.rule) {
        result["ruleIndex"] = json!(i);
    }
    result
}

fn non_empty(text: &str, fallback: &str) -> String {
    let t = text.trim();
    if t.is_empty() {
        fallback.to_string()
    } else {
        t.to_string()
    }
}

/// `sidecar-no-probes` -> `SidecarNoProbes` (SARIF's rule names are identifiers).
fn pascal(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + cs.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_as_serde_json_writes_the_whole_log() {
        use crate::report::{InputError, ObjectRef, RuleInfo, Severity};
        use std::sync::Arc;
        let mut report = Report::default();
        let expected = |report: &Report| {
            let index = rule_index(report);
            let results = report.findings.iter().map(|f| result(f, &index)).collect();
            serde_json::to_string_pretty(&log(report, results)).unwrap_or_default() + "\n"
        };
        assert_eq!(render(&report), expected(&report));
        for (id, remediation) in [("rule-a", "fix it"), ("rule-b", ""), ("rule-a", "twice")] {
            report.rules.push(RuleInfo {
                id: id.into(),
                title: format!("{id} title"),
                description: "what \"it\" checks".into(),
                remediation: remediation.into(),
                severity: Severity::Warning,
            });
        }
        let object = Arc::new(ObjectRef::default());
        // More than one batch, and a rule that is not in the table (no `ruleIndex`).
        for i in 0..20_000 {
            report.findings.push(Finding {
                rule: Arc::from(["rule-a", "rule-b", "rule-c"][i % 3]),
                severity: Severity::Error,
                message: Arc::from(format!("finding {i}: \"quoted\" \u{1F600}\n")),
                file: Arc::from("dir/a b.tgz:x.yaml"),
                line: i + 1,
                column: 2,
                document: 0,
                object: object.clone(),
                path: Arc::from(vec![]),
                source_line: None,
            });
        }
        report.errors.push(InputError {
            file: "bad.yaml".into(),
            line: Some(3),
            column: None,
            message: "invalid YAML".into(),
        });
        assert_eq!(render(&report), expected(&report));
    }

    #[test]
    fn archive_entries_are_relative_uris() {
        assert_eq!(uri("a b/x.tgz:dir/p.yaml"), "a%20b/x.tgz%3Adir/p.yaml");
        assert_eq!(uri("/abs/x.yaml"), "file:///abs/x.yaml");
        assert_eq!(pascal("sidecar-no-probes"), "SidecarNoProbes");
    }
}
