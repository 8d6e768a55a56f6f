//! JUnit XML: one test suite per file, one test case per object and rule; a finding is a
//! failure carrying its message and location. Input errors are test cases that errored.

use super::Report;
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
    // file -> (document, object label) -> rule -> failures
    type Cases<'a> = BTreeMap<(usize, String), BTreeMap<&'a str, Vec<&'a super::Finding>>>;
    let mut files: BTreeMap<&str, Cases> = BTreeMap::new();
    for c in &report.checked {
        let cases = files.entry(&*c.file).or_default();
        let per_rule = cases.entry((c.document, c.object.label())).or_default();
        for r in &report.rules {
            per_rule.entry(r.id.as_str()).or_default();
        }
    }
    for f in &report.findings {
        let cases = files.entry(&f.file).or_default();
        cases
            .entry((f.document, f.object.label()))
            .or_default()
            .entry(&*f.rule)
            .or_default()
            .push(f);
    }
    let mut errors: BTreeMap<&str, Vec<&super::InputError>> = BTreeMap::new();
    for e in &report.errors {
        errors.entry(e.file.as_str()).or_default().push(e);
        files.entry(e.file.as_str()).or_default();
    }
    let total_tests: usize = files
        .values()
        .map(|c| c.values().map(BTreeMap::len).sum::<usize>())
        .sum::<usize>()
        + report.errors.len();
    let total_failures: usize = files
        .values()
        .map(|c| {
            c.values()
                .map(|r| r.values().filter(|f| !f.is_empty()).count())
                .sum::<usize>()
        })
        .sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"gavel\" tests=\"{total_tests}\" failures=\"{total_failures}\" errors=\"{}\">",
        report.errors.len()
    );
    for (file, cases) in &files {
        let errs = errors.get(file).map_or(&[][..], Vec::as_slice);
        let tests = cases.values().map(BTreeMap::len).sum::<usize>() + errs.len();
        let failures: usize = cases
            .values()
            .map(|r| r.values().filter(|f| !f.is_empty()).count())
            .sum();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{}\">",
            escape(file),
            errs.len()
        );
        for e in errs {
            let _ = writeln!(
                out,
                "    <testcase name=\"read {}\" classname=\"{}\">",
                escape(file),
                escape(file)
            );
            let place = match (e.line, e.column) {
                (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
                _ => file.to_string(),
            };
            let _ = writeln!(
                out,
                "      <error message=\"{}\">{}: {}</error>",
                escape(&e.message),
                escape(&place),
                escape(&e.message)
            );
            let _ = writeln!(out, "    </testcase>");
        }
        for ((document, label), rules) in cases {
            for (rule, failures) in rules {
                let name = format!("{label} (document {}) {rule}", document + 1);
                if failures.is_empty() {
                    let _ = writeln!(
                        out,
                        "    <testcase name=\"{}\" classname=\"{}\"/>",
                        escape(&name),
                        escape(file)
                    );
                    continue;
                }
                let _ = writeln!(
                    out,
                    "    <testcase name=\"{}\" classname=\"{}\">",
                    escape(&name),
                    escape(file)
                );
                for f in failures {
                    let _ = writeln!(
                        out,
                        "      <failure message=\"{}\" type=\"{}\">{}:{}:{}: {}</failure>",
                        escape(&f.message),
                        f.severity,
                        escape(file),
                        f.line,
                        f.column,
                        escape(&f.message)
                    );
                }
                let _ = writeln!(out, "    </testcase>");
            }
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    out.push_str("</testsuites>\n");
    out
}
