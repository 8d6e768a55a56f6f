//! JUnit XML: one test suite per file, one test case per object and rule; a finding is a
//! failure carrying its message and location. Input errors are test cases that errored.

use super::{Finding, InputError, ObjectRef, Report};
use std::collections::BTreeMap;
use std::fmt::Write;

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 cannot carry most control characters, even escaped.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Renders the report as JUnit XML.
pub fn render(report: &Report) -> String {
    let mut out = Vec::new();
    // Writing into memory cannot fail.
    let _ = write(report, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// The test cases of one object: a case for each rule when the object was checked (every rule
/// ran on it), and for each rule with findings on it.
#[derive(Default)]
struct Object<'r> {
    checked: bool,
    /// Sorted by rule (stably) before its cases are asked for.
    findings: Vec<&'r Finding>,
}

impl<'r> Object<'r> {
    /// Its cases in rule order, each with its failures in report order.
    fn cases<'s>(
        &'s self,
        rules: &'s [&'r str],
    ) -> impl Iterator<Item = (&'r str, &'s [&'r Finding])> {
        let all: &[&str] = if self.checked { rules } else { &[] };
        let (mut r, mut f) = (0, 0);
        std::iter::from_fn(move || {
            let next_rule = all.get(r).copied();
            let next_finding = self.findings.get(f).map(|x| &*x.rule);
            let rule = match (next_rule, next_finding) {
                (Some(a), Some(b)) => a.min(b),
                (Some(a), None) => a,
                (None, Some(b)) => b,
                (None, None) => return None,
            };
            if next_rule == Some(rule) {
                r += 1;
            }
            let start = f;
            while self.findings.get(f).is_some_and(|x| &*x.rule == rule) {
                f += 1;
            }
            Some((rule, self.findings.get(start..f).unwrap_or_default()))
        })
    }
}

/// One file's objects by (document, label), and its input errors.
#[derive(Default)]
struct Suite<'r> {
    objects: BTreeMap<(usize, String), Object<'r>>,
    errors: Vec<&'r InputError>,
}

impl<'r> Suite<'r> {
    /// The object `document` of the file, by its label.
    fn object(&mut self, document: usize, object: &ObjectRef) -> &mut Object<'r> {
        self.objects.entry((document, object.label())).or_default()
    }

    /// Its test count and failure count.
    fn counts(&self, rules: &[&str]) -> (usize, usize) {
        let (mut tests, mut failures) = (self.errors.len(), 0);
        for object in self.objects.values() {
            for (_, failed) in object.cases(rules) {
                tests += 1;
                failures += usize::from(!failed.is_empty());
            }
        }
        (tests, failures)
    }
}

/// Writes the report as JUnit XML, one test suite at a time: the cases are not built as a
/// table of every object and rule first (for a few hundred thousand objects that table and the
/// whole text took gigabytes).
///
/// # Errors
/// The writer's error.
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut rules: Vec<&str> = report.rules.iter().map(|r| r.id.as_str()).collect();
    rules.sort_unstable();
    rules.dedup();
    let mut files: BTreeMap<&str, Suite> = BTreeMap::new();
    for c in &report.checked {
        let suite = files.entry(&c.file).or_default();
        suite.object(c.document, &c.object).checked = true;
    }
    for f in &report.findings {
        let suite = files.entry(&f.file).or_default();
        suite.object(f.document, &f.object).findings.push(f);
    }
    for suite in files.values_mut() {
        for object in suite.objects.values_mut() {
            // Stable: a rule's failures stay in report order.
            object.findings.sort_by(|a, b| a.rule.cmp(&b.rule));
        }
    }
    for e in &report.errors {
        files.entry(e.file.as_str()).or_default().errors.push(e);
    }
    // Each suite's counts, for its own line and the totals on the first.
    let counts: Vec<(usize, usize)> = files.values().map(|s| s.counts(&rules)).collect();
    let total_tests: usize = counts.iter().map(|c| c.0).sum();
    let total_failures: usize = counts.iter().map(|c| c.1).sum();
    let mut text = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        text,
        "<testsuites name=\"gavel\" tests=\"{total_tests}\" failures=\"{total_failures}\" errors=\"{}\">",
        report.errors.len()
    );
    for ((file, suite), counts) in files.iter().zip(counts) {
        suite_text(&mut text, file, suite, counts, &rules);
        out.write_all(text.as_bytes())?;
        text.clear();
    }
    text.push_str("</testsuites>\n");
    out.write_all(text.as_bytes())
}

/// Appends one file's test suite.
fn suite_text(
    out: &mut String,
    file: &str,
    suite: &Suite,
    (tests, failures): (usize, usize),
    rules: &[&str],
) {
    // The file names the suite and is the class of each of its cases: escaped once.
    let class = escape(file);
    let _ = writeln!(
        out,
        "  <testsuite name=\"{class}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{}\">",
        suite.errors.len()
    );
    for e in &suite.errors {
        let _ = writeln!(
            out,
            "    <testcase name=\"read {class}\" classname=\"{class}\">"
        );
        let place = match (e.line, e.column) {
            (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
            _ => file.to_string(),
        };
        let message = escape(&e.message);
        let _ = writeln!(
            out,
            "      <error message=\"{message}\">{}: {message}</error>",
            escape(&place)
        );
        let _ = writeln!(out, "    </testcase>");
    }
    for ((document, label), object) in &suite.objects {
        for (rule, failures) in object.cases(rules) {
            let name = format!("{label} (document {}) {rule}", document + 1);
            if failures.is_empty() {
                let _ = writeln!(
                    out,
                    "    <testcase name=\"{}\" classname=\"{class}\"/>",
                    escape(&name)
                );
                continue;
            }
            let _ = writeln!(
                out,
                "    <testcase name=\"{}\" classname=\"{class}\">",
                escape(&name)
            );
            for f in failures {
                // The message is the attribute and the text: escaped once.
                let message = escape(&f.message);
                let _ = writeln!(
                    out,
                    "      <failure message=\"{message}\" type=\"{}\">{class}:{}:{}: {message}</failure>",
                    f.severity,
                    f.line,
                    f.column,
                );
            }
            let _ = writeln!(out, "    </testcase>");
        }
    }
    let _ = writeln!(out, "  </testsuite>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_counts_and_escapes() {
        use crate::report::{Checked, ObjectRef, RuleInfo, Severity};
        use std::sync::Arc;
        let mut report = Report::default();
        assert_eq!(
            render(&report),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <testsuites name=\"gavel\" tests=\"0\" failures=\"0\" errors=\"0\">\n</testsuites>\n"
        );
        // Rules listed twice and out of order, findings of a rule not in the table, objects
        // with findings that were not checked, two objects with one label, and errors in a
        // file with findings and in one without.
        for id in ["rule-b", "rule-a", "rule-b"] {
            report.rules.push(RuleInfo {
                id: id.into(),
                title: id.into(),
                description: String::new(),
                remediation: String::new(),
                severity: Severity::Warning,
            });
        }
        let objects: Vec<Arc<ObjectRef>> = (0..4)
            .map(|i| {
                Arc::new(ObjectRef {
                    api_version: Some("v1".into()),
                    kind: Some("Pod".into()),
                    namespace: (i % 2 == 0).then(|| "ns".to_string()),
                    name: Some(format!("p<{}>", i / 2)),
                })
            })
            .collect();
        for i in 0..24 {
            let file: Arc<str> = Arc::from(format!("dir/{}&.yaml", i % 3));
            if i % 5 != 0 {
                report.checked.push(Checked {
                    file: file.clone(),
                    document: i % 3,
                    object: objects[i % 4].clone(),
                });
            }
            report.findings.push(Finding {
                rule: Arc::from(["rule-a", "rule-b", "rule-c", "a-first"][i % 4]),
                severity: Severity::Error,
                message: Arc::from(format!("finding {i}: \"quoted\" \u{1}")),
                file,
                line: i + 1,
                column: 2,
                document: i % 3,
                object: objects[(i / 2) % 4].clone(),
                path: Arc::from(vec![]),
                source_line: None,
            });
        }
        for file in ["dir/1&.yaml", "other.yaml"] {
            report.errors.push(InputError {
                file: file.into(),
                line: Some(3),
                column: Some(1),
                message: "invalid YAML".into(),
            });
        }
        // Two failures of one case, in report order.
        let mut second = report.findings[0].clone();
        second.line = 100;
        second.message = Arc::from("second failure of the first case");
        report.findings.push(second);
        report.sort();
        insta::assert_snapshot!(render(&report));
    }
}
