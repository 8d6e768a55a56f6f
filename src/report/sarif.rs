//! SARIF 2.1.0, for code-scanning services. Each result has a physical location with
//! `region.startLine`/`startColumn`; the rule table carries ids, names, descriptions, help and
//! default levels. Input errors become tool execution notifications.

use super::Report;
use serde_json::{json, Value};

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
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
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
            if let Some(i) = report.rules.iter().position(|r| *r.id == *f.rule) {
                result["ruleIndex"] = json!(i);
            }
            result
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
    let log = json!({
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
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
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
    fn archive_entries_are_relative_uris() {
        assert_eq!(uri("a b/x.tgz:dir/p.yaml"), "a%20b/x.tgz%3Adir/p.yaml");
        assert_eq!(uri("/abs/x.yaml"), "file:///abs/x.yaml");
        assert_eq!(pascal("sidecar-no-probes"), "SidecarNoProbes");
    }
}
