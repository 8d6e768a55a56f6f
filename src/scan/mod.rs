//! The scan: policies compiled once, every document of every input evaluated against every
//! selected rule in parallel, findings located in the source and collected into a [`Report`].
//!
//! Rules follow conftest's convention: in any package, a rule named `deny`, `violation` or `warn`
//! (or starting with `deny_`, `violation_` or `warn_`) produces findings. Each result is a
//! message string, or an object `{"msg": ..., "path": [...]}` whose path of keys and indices
//! says which field is wrong, so that the finding lands on its line. The rule's id and severity
//! come from its `# METADATA` (`custom.id`, `custom.severity`), else from its package path and
//! name, with deny/violation as errors and warn as warnings.

mod intern;

use crate::engine::{EvalOptions, Policy, RuleRef};
use crate::load::{self, Document, LoadError};
use crate::report::{
    Checked, Finding, InputError, ObjectRef, PathStep, Report, RuleInfo, Severity,
};
use crate::value::Value;
use intern::Interner;
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

/// The annotation that suppresses rules for one object: `gavel.io/ignore: "rule-a, rule-b"`.
pub const IGNORE_ANNOTATION: &str = "gavel.io/ignore";

/// Which rules run.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Only these ids (all when empty).
    pub only: Vec<String>,
    /// Never these ids.
    pub skip: Vec<String>,
}

/// A rule that produces findings.
#[derive(Clone, Debug)]
struct Check {
    /// `info.id`, shared by the check's findings.
    id: Arc<str>,
    rule: RuleRef,
    /// The definitions that make this check, when the rule's definitions differ in metadata.
    defs: Option<Vec<usize>>,
    info: RuleInfo,
}

/// Compiled policies and the rules selected to run; `Send + Sync`, shared by every worker.
#[derive(Debug)]
pub struct Scanner {
    policy: Policy,
    checks: Vec<Check>,
    /// What to evaluate per document, in the order of `checks`.
    targets: Vec<(RuleRef, Option<Vec<usize>>)>,
    /// Whether the report lists every object evaluated (JUnit and JSON need it; it costs
    /// memory in proportion to the input, so other formats leave it out).
    objects: Objects,
    /// `(index, count)`: scan only the inputs whose name hashes to `index` modulo `count`.
    shard: Option<(u64, u64)>,
}

/// Whether a report lists every object evaluated, or only the findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Objects {
    /// List them (for JUnit, and for JSON reports that may be merged into JUnit).
    List,
    /// Only count them.
    Count,
}

/// What one document produced.
#[derive(Default)]
struct Outcome {
    findings: Vec<Finding>,
    suppressed: usize,
    errors: Vec<InputError>,
}

impl Scanner {
    /// Picks the finding rules of a compiled policy.
    ///
    /// # Errors
    /// A message when `--rule` names an id that no rule has.
    pub fn new(policy: Policy, selection: &Selection) -> Result<Scanner, String> {
        let mut checks = vec![];
        for r in policy.rules() {
            if r.is_function {
                continue;
            }
            let Some(name) = r.path.last() else { continue };
            let default_severity = match finding_kind(name) {
                Some(s) => s,
                None => continue,
            };
            // Definitions with different metadata are different rules to the user. A definition
            // without METADATA belongs with the annotated one before it (or the first one), as
            // rule files annotate only the first definition of each rule.
            let default_id = r.path.join(".");
            let mut groups: Vec<(String, Vec<usize>, Option<&crate::metadata::Annotation>)> =
                vec![];
            let first_meta = r.definitions.iter().flatten().next();
            let mut current = first_meta;
            for (d, own) in r.definitions.iter().enumerate() {
                if own.is_some() {
                    current = own.as_ref();
                }
                let meta = current;
                let id = meta
                    .and_then(|a| a.custom("id"))
                    .unwrap_or(&default_id)
                    .to_string();
                match groups.iter_mut().find(|g| g.0 == id) {
                    Some(g) => {
                        g.1.push(d);
                        g.2 = g.2.or(meta);
                    }
                    None => groups.push((id, vec![d], meta)),
                }
            }
            let whole = groups.len() == 1;
            for (id, defs, meta) in groups {
                let severity = meta
                    .and_then(|a| a.custom("severity"))
                    .and_then(Severity::parse)
                    .unwrap_or(default_severity);
                let text = |f: &str| meta.and_then(|a| a.text(f)).unwrap_or("").to_string();
                let info = RuleInfo {
                    id,
                    title: text("title"),
                    description: text("description"),
                    remediation: meta
                        .and_then(|a| a.custom("remediation"))
                        .unwrap_or("")
                        .to_string(),
                    severity,
                };
                let defs = if whole { None } else { Some(defs) };
                checks.push(Check {
                    id: Arc::from(info.id.as_str()),
                    rule: r.id,
                    defs,
                    info,
                });
            }
        }
        let known: BTreeSet<&str> = checks.iter().map(|c| c.info.id.as_str()).collect();
        let unknown: Vec<&String> = selection
            .only
            .iter()
            .chain(&selection.skip)
            .filter(|id| !known.contains(id.as_str()))
            .collect();
        if let Some(id) = unknown.first() {
            return Err(format!("no rule has the id `{id}` (see `gavel rules`)"));
        }
        checks.retain(|c| {
            (selection.only.is_empty() || selection.only.contains(&c.info.id))
                && !selection.skip.contains(&c.info.id)
        });
        let targets = checks.iter().map(|c| (c.rule, c.defs.clone())).collect();
        Ok(Scanner {
            policy,
            checks,
            targets,
            objects: Objects::List,
            shard: None,
        })
    }

    /// Sets whether reports list every object evaluated (the default) or only count them.
    pub fn with_objects(mut self, objects: Objects) -> Scanner {
        self.objects = objects;
        self
    }

    /// Scans only shard `index` of `count` (0-based): the inputs whose name hashes to `index`.
    /// Every input belongs to exactly one shard, the same one on every machine, so N scans
    /// with indices 0..N cover the input once; `Report::merge` puts them back together.
    pub fn with_shard(mut self, index: u64, count: u64) -> Scanner {
        self.shard = (count > 1).then_some((index, count));
        self
    }

    fn in_shard(&self, name: &str) -> bool {
        match self.shard {
            Some((index, count)) => stable_hash(name) % count == index,
            None => true,
        }
    }

    /// The rules that run, sorted by id.
    pub fn rules(&self) -> Vec<RuleInfo> {
        let mut rules: Vec<RuleInfo> = self.checks.iter().map(|c| c.info.clone()).collect();
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        rules.dedup_by(|a, b| a.id == b.id);
        rules
    }

    /// Scans every input (files, directories, `-`, archives) on the current rayon pool.
    pub fn scan<P: AsRef<Path> + Sync>(&self, paths: &[P]) -> Report {
        // Files are read on the workers, not in the walk, which is one thread at a time.
        let results: Vec<(usize, usize, Outcome, Vec<Checked>)> = load::walk(paths)
            .filter(|source| self.in_shard(source.name()))
            .par_bridge()
            .map_init(Interner::default, |interner, source| match source.read() {
                Err(e) => (
                    0,
                    0,
                    Outcome {
                        errors: vec![input_error(&e)],
                        ..Outcome::default()
                    },
                    vec![],
                ),
                Ok(source) => {
                    let (docs, errors) = load::documents(&source);
                    let mut outcome = Outcome {
                        errors: errors.iter().map(input_error).collect(),
                        ..Outcome::default()
                    };
                    let mut checked = Vec::with_capacity(match self.objects {
                        Objects::List => docs.len(),
                        Objects::Count => 0,
                    });
                    for doc in &docs {
                        let (object, o) = self.scan_document(doc, interner);
                        outcome.findings.extend(o.findings);
                        outcome.suppressed += o.suppressed;
                        outcome.errors.extend(o.errors);
                        if self.objects == Objects::List {
                            checked.push(Checked {
                                file: doc.file.clone(),
                                document: doc.index,
                                object,
                            });
                        }
                    }
                    // Kept until the end of the scan: no spare capacity.
                    outcome.findings.shrink_to_fit();
                    (1, docs.len(), outcome, checked)
                }
            })
            .collect();
        let mut report = Report {
            rules: self.rules(),
            ..Report::default()
        };
        report
            .findings
            .reserve_exact(results.iter().map(|r| r.2.findings.len()).sum());
        report
            .checked
            .reserve_exact(results.iter().map(|r| r.3.len()).sum());
        for (files, documents, outcome, checked) in results {
            report.summary.files += files;
            report.summary.documents += documents;
            report.summary.suppressed += outcome.suppressed;
            report.findings.extend(outcome.findings);
            report.errors.extend(outcome.errors);
            report.checked.extend(checked);
        }
        report.sort();
        report
    }

    /// Evaluates every selected rule on one document: the object and what the rules found.
    fn scan_document(&self, doc: &Document, interner: &mut Interner) -> (Arc<ObjectRef>, Outcome) {
        let results = self
            .policy
            .eval_rules(&self.targets, &doc.value, &EvalOptions::default());
        let ignored = ignored_rules(&doc.value);
        let object = Arc::new(ObjectRef::of(&doc.value));
        let mut out = Outcome::default();
        let mut found: Vec<(&Check, String, Vec<Value>)> = Vec::new();
        for (check, result) in self.checks.iter().zip(results) {
            let value = match result {
                Ok(Some(v)) => v,
                Ok(None) => continue,
                Err(e) => {
                    let at = doc.locate(&[]);
                    out.errors.push(InputError {
                        file: doc.file.to_string(),
                        line: Some(at.line),
                        column: Some(at.column),
                        message: format!("rule {} failed: {e}", check.info.id),
                    });
                    continue;
                }
            };
            for (message, path) in results_of(&value, &check.info) {
                if ignored.contains(check.info.id.as_str()) {
                    out.suppressed += 1;
                    continue;
                }
                found.push((check, message, path));
            }
        }
        // Located in the order of their paths, so that findings in one container follow each
        // other and the locator starts each from the deepest node it shares with the last (the
        // rules report container by container, each from the first container on, which sent
        // it back to re-read the first containers); the report is sorted later, so findings at
        // one path may come in any order.
        found.sort_unstable_by(|a, b| a.2.cmp(&b.2));
        let mut locator = doc.locator();
        for (check, message, path) in found {
            let at = locator.locate(&path);
            let steps: Vec<PathStep> = path.iter().map(PathStep::of).collect();
            out.findings.push(Finding {
                rule: check.id.clone(),
                severity: check.info.severity,
                message: interner.text(&message),
                file: doc.file.clone(),
                line: at.line,
                column: at.column,
                document: doc.index,
                object: object.clone(),
                path: interner.path(&steps),
                source_line: Some(interner.text(locator.line_text(at.line))),
            });
        }
        (object, out)
    }
}

/// The default severity of a finding rule by its name, or `None` for any other rule.
fn finding_kind(name: &str) -> Option<Severity> {
    let base = name.split('_').next().unwrap_or(name);
    match base {
        "deny" | "violation" => Some(Severity::Error),
        "warn" => Some(Severity::Warning),
        _ => None,
    }
}

/// The (message, path) pairs of a rule's value: a set or array of results, or one result.
fn results_of(value: &Value, info: &RuleInfo) -> Vec<(String, Vec<Value>)> {
    let one = |v: &Value| -> Option<(String, Vec<Value>)> {
        match v {
            Value::String(s) => Some((s.to_string(), vec![])),
            Value::Object(_) => {
                let msg = match v.get("msg").or_else(|| v.get("message")) {
                    Some(Value::String(s)) => s.to_string(),
                    Some(other) => other.to_string(),
                    None => info.title.clone(),
                };
                let path = v
                    .get("path")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                Some((msg, path))
            }
            Value::Bool(true) => Some((non_empty(&info.title, &info.id), vec![])),
            Value::Bool(false) | Value::Null => None,
            other => Some((other.to_string(), vec![])),
        }
    };
    match value {
        Value::Set(items) => items.iter().filter_map(one).collect(),
        Value::Array(items) => items.iter().filter_map(one).collect(),
        other => one(other).into_iter().collect(),
    }
}

fn non_empty(text: &str, fallback: &str) -> String {
    if text.is_empty() {
        fallback.to_string()
    } else {
        text.to_string()
    }
}

/// Rule ids named by `gavel.io/ignore` on the object or on its pod template.
fn ignored_rules(obj: &Value) -> BTreeSet<String> {
    let annotation = |meta: Option<&Value>| -> Option<String> {
        meta?
            .get("annotations")?
            .get(IGNORE_ANNOTATION)?
            .as_str()
            .map(str::to_string)
    };
    let spec = obj.get("spec");
    let template = spec.and_then(|s| s.get("template"));
    let cron_template = spec
        .and_then(|s| s.get("jobTemplate"))
        .and_then(|j| j.get("spec"))
        .and_then(|s| s.get("template"));
    [
        obj.get("metadata"),
        template.and_then(|t| t.get("metadata")),
        cron_template.and_then(|t| t.get("metadata")),
    ]
    .into_iter()
    .filter_map(annotation)
    .flat_map(|list| {
        list.split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
    })
    .collect()
}

/// FNV-1a: stable across runs, machines and Rust versions (unlike `DefaultHasher`).
fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn input_error(e: &LoadError) -> InputError {
    InputError {
        file: e.file.to_string(),
        line: e.line,
        column: e.column,
        message: e.message.clone(),
    }
}

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Scanner>();
};
