//! Runs case files in OPA's conformance format (see `../shared/rego-conformance/README.md`):
//! shared by the OPA conformance test and gavel's own language cases.

use gavel::{Engine, EvalOptions, Value};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
struct CaseFile {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct Case {
    note: String,
    query: String,
    #[serde(default)]
    modules: Vec<String>,
    data: Option<serde_norway::Value>,
    input: Option<serde_norway::Value>,
    input_term: Option<String>,
    want_result: Option<Vec<serde_norway::Value>>,
    #[serde(default)]
    sort_bindings: bool,
    want_error: Option<String>,
    want_error_code: Option<String>,
    #[serde(default)]
    strict_error: bool,
    #[serde(default)]
    skip: bool,
    traces: Option<bool>,
    error: Option<String>,
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p);
        }
    }
}

/// Plain JSON shape for comparison: sets become sorted arrays.
fn plain(v: &Value) -> Value {
    match v {
        Value::Set(s) => Value::array(s.iter().map(plain).collect()),
        Value::Array(a) => Value::array(a.iter().map(plain).collect()),
        Value::Object(o) => Value::object(
            o.iter()
                .map(|(k, v)| (Value::from(gavel::value::key_string(k)), plain(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn sorted(v: Value) -> Value {
    match v {
        Value::Array(a) => {
            let mut items = (*a).clone();
            items.sort();
            Value::array(items)
        }
        other => other,
    }
}

/// Runs one case; `Err` says why it failed.
pub fn run(case: &Case) -> Result<(), String> {
    let wants_error = case.want_error.is_some() || case.want_error_code.is_some();
    let outcome = evaluate(case);
    match (outcome, wants_error) {
        (Err(e), true) => {
            if let Some(code) = &case.want_error_code {
                if !e.0.is_empty()
                    && e.0 != *code
                    && !(code == "eval_type_error" && e.0 == "rego_type_error")
                {
                    return Err(format!("wanted error code {code}, got {}: {}", e.0, e.1));
                }
            }
            Ok(())
        }
        (Err(e), false) => Err(format!("unexpected error {}: {}", e.0, e.1)),
        (Ok(rows), true) => Err(format!("wanted an error, got {rows:?}")),
        (Ok(rows), false) => {
            let want: Vec<Value> = case
                .want_result
                .clone()
                .unwrap_or_default()
                .into_iter()
                .map(|w| {
                    let v = plain(&gavel::yaml::from_yaml(w));
                    if case.sort_bindings {
                        sort_bindings(v)
                    } else {
                        v
                    }
                })
                .collect();
            let mut want_sorted = want.clone();
            want_sorted.sort();
            let mut got = rows;
            got.sort();
            if got == want_sorted {
                Ok(())
            } else {
                Err(format!("wanted {want:?}\n        got {got:?}"))
            }
        }
    }
}

fn sort_bindings(row: Value) -> Value {
    match row {
        Value::Object(o) => Value::object(
            o.iter()
                .map(|(k, v)| (k.clone(), sorted(v.clone())))
                .collect(),
        ),
        other => other,
    }
}

type Failure = (String, String);

fn evaluate(case: &Case) -> Result<Vec<Value>, Failure> {
    let code = |e: &gavel::Error| match e.diagnostics().first() {
        Some(d) => (d.kind.code().to_string(), e.to_string()),
        None => (String::new(), e.to_string()),
    };
    let mut engine = Engine::new();
    for (i, m) in case.modules.iter().enumerate() {
        engine
            .add_policy(&format!("module{i}.rego"), m)
            .map_err(|e| code(&e))?;
    }
    if let Some(d) = &case.data {
        engine
            .add_data(gavel::yaml::from_yaml(d.clone()))
            .map_err(|e| code(&e))?;
    }
    let policy = engine.compile().map_err(|e| code(&e))?;
    let input = match (&case.input, &case.input_term) {
        (Some(i), _) => Some(gavel::yaml::from_yaml(i.clone())),
        (None, Some(term)) => {
            let q = policy
                .query(&format!("__input__ = {term}"))
                .map_err(|e| code(&e))?;
            let sols = policy.eval(&q, None).map_err(|e| code(&e))?;
            sols.first()
                .and_then(|s| s.bindings.get("__input__").cloned())
        }
        (None, None) => None,
    };
    let query = policy.query(&case.query).map_err(|e| code(&e))?;
    let options = EvalOptions {
        strict_builtin_errors: case.strict_error,
        print: false,
    };
    let eval = policy
        .eval_with(&query, input.as_ref(), None, &options)
        .map_err(|e| code(&e))?;
    Ok(eval
        .solutions
        .iter()
        .map(|s| {
            let row: BTreeMap<Value, Value> = s
                .bindings
                .iter()
                .filter(|(k, _)| !k.starts_with("__"))
                .map(|(k, v)| {
                    let v = plain(v);
                    (
                        Value::from(k.as_str()),
                        if case.sort_bindings { sorted(v) } else { v },
                    )
                })
                .collect();
            Value::object(row)
        })
        .collect())
}

/// Runs every case under `dir` (skipping `skips`), prints per-folder counts and the failures,
/// and returns the number of failures.
pub fn run_dir(dir: &Path, skips: &BTreeMap<String, String>, label: &str) -> usize {
    let filter = std::env::var("CONFORMANCE_FILTER").unwrap_or_default();
    let mut files = vec![];
    yaml_files(dir, &mut files);
    let mut per_folder: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    let mut failures = vec![];
    let mut seen = BTreeSet::new();
    for file in &files {
        let folder = file
            .parent()
            .and_then(|p| p.strip_prefix(dir).ok())
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let folder = if folder.is_empty() {
            ".".to_string()
        } else {
            folder
        };
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let parsed: CaseFile = match serde_norway::from_str(&text) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("{}: cannot read: {e}", file.display()));
                continue;
            }
        };
        for case in parsed.cases {
            if !filter.is_empty() && !case.note.contains(&filter) {
                continue;
            }
            seen.insert(case.note.clone());
            let entry = per_folder.entry(folder.clone()).or_default();
            if case.skip || skips.contains_key(&case.note) {
                entry.2 += 1;
                continue;
            }
            let result = std::panic::catch_unwind(|| run(&case))
                .unwrap_or_else(|_| Err("panicked".to_string()));
            match result {
                Ok(()) => entry.0 += 1,
                Err(why) => {
                    entry.1 += 1;
                    failures.push(format!("{} ({}): {why}", case.note, file.display()));
                }
            }
        }
    }
    for f in &failures {
        println!("FAIL {f}");
    }
    let (mut p, mut f, mut s) = (0, 0, 0);
    for (folder, (fp, ff, fs)) in &per_folder {
        println!("{folder}: {fp} passed, {ff} failed, {fs} skipped");
        p += fp;
        f += ff;
        s += fs;
    }
    let stale: Vec<_> = skips
        .keys()
        .filter(|k| filter.is_empty() && !seen.contains(*k))
        .collect();
    assert!(
        stale.is_empty(),
        "skip file names cases that do not exist: {stale:?}"
    );
    println!("{label}: {p} passed, {f} failed, {s} skipped");
    failures.len()
}
