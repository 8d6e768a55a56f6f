//! The command line: argument parsing and exit codes. Each subcommand lives in its own module.

mod eval;
mod merge;
mod output;
mod rules;
mod scan;
mod test;

use clap::{Parser, Subcommand};
use gavel::{Engine, Value};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Policy-as-code for Kubernetes manifests.
#[derive(Parser)]
#[command(name = "gavel", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan manifests with the bundled and custom rules.
    Scan(scan::Args),
    /// Merge the JSON reports of a sharded scan into one report.
    Merge(merge::Args),
    /// Evaluate a Rego query, printing what `opa eval --format json` prints.
    Eval(eval::Args),
    /// List the bundled rules, or write their documentation.
    Rules(rules::Args),
    /// Print the full documentation of a bundled rule.
    Explain(rules::ExplainArgs),
    /// Run policy unit tests (`test_*` rules), as `opa test` does.
    Test(test::Args),
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Merge(args) => merge::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Rules(args) => rules::run(args),
        Command::Explain(args) => rules::explain(args),
        Command::Test(args) => test::run(args),
    }
}

/// Loads a `-d` argument of `eval` or a path of `test`: a policy, a data file, or a directory of both. Data files in a
/// directory are placed under `data` at their folder's path relative to the argument, as OPA does.
pub(super) fn load_bundle(engine: &mut Engine, root: &Path, errors: &mut Vec<String>) {
    for path in files_under(root, &["rego", "json", "yaml", "yml"], errors) {
        load_file(engine, root, &path, errors);
    }
}

fn load_file(engine: &mut Engine, root: &Path, path: &Path, errors: &mut Vec<String>) {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            errors.push(format!("error: {}: {e}", path.display()));
            return;
        }
    };
    if has_ext(path, &["rego"]) {
        if let Err(e) = engine.add_policy(&path.display().to_string(), &text) {
            errors.push(e.render());
        }
        return;
    }
    let doc = match parse_document(path, &text) {
        Ok(d) => d,
        Err(e) => {
            errors.push(e);
            return;
        }
    };
    let nested = nest_under_folder(doc, root, path);
    if let Err(e) = engine.add_data(nested) {
        errors.push(format!("error: {}: {e}", path.display()));
    }
}

/// Adds a `.rego` file, or every `.rego` file under a directory, to the engine.
fn load_policies(engine: &mut Engine, path: &Path, errors: &mut Vec<String>) {
    for file in files_under(path, &["rego"], errors) {
        match std::fs::read_to_string(&file) {
            Ok(text) => {
                if let Err(e) = engine.add_policy(&file.display().to_string(), &text) {
                    errors.push(e.render());
                }
            }
            Err(e) => errors.push(format!("error: {}: {e}", file.display())),
        }
    }
}

/// `path` itself when it is not a directory, else every file under it with one of `exts`,
/// recursively, in sorted order. Unreadable directories are reported in `errors`.
fn files_under(path: &Path, exts: &[&str], errors: &mut Vec<String>) -> Vec<PathBuf> {
    let mut seen = std::collections::HashSet::new();
    walk(path, exts, errors, &mut seen)
}

fn walk(
    path: &Path,
    exts: &[&str],
    errors: &mut Vec<String>,
    seen: &mut std::collections::HashSet<PathBuf>,
) -> Vec<PathBuf> {
    if !path.is_dir() {
        return vec![path.to_path_buf()];
    }
    // A directory reached twice (a symlink loop) is read once.
    if !seen.insert(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())) {
        return vec![];
    }
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
        Ok(rd) => rd.filter_map(Result::ok).map(|e| e.path()).collect(),
        Err(e) => {
            errors.push(format!("error: {}: {e}", path.display()));
            return vec![];
        }
    };
    entries.sort();
    let mut out = vec![];
    for p in entries {
        if p.is_dir() {
            out.extend(walk(&p, exts, errors, seen));
        } else if has_ext(&p, exts) {
            out.push(p);
        }
    }
    out
}

/// Places a data file's document under its folder's path relative to the directory argument
/// (`root/a/b/data.json` becomes `data.a.b`), as OPA does.
fn nest_under_folder(doc: Value, root: &Path, path: &Path) -> Value {
    let Some(rel) = path.parent().and_then(|p| p.strip_prefix(root).ok()) else {
        return doc;
    };
    let segments: Vec<String> = rel
        .iter()
        .map(|s| s.to_string_lossy().into_owned())
        .collect();
    segments.iter().rev().fold(doc, |inner, seg| {
        Value::object([(Value::from(seg.as_str()), inner)].into_iter().collect())
    })
}

fn has_ext(path: &Path, exts: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| exts.contains(&e))
}

/// Reads a JSON or YAML document (input or data).
fn read_document(path: &Path) -> Result<Value, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("error: {}: {e}", path.display()))?;
    parse_document(path, &text)
}

fn parse_document(path: &Path, text: &str) -> Result<Value, String> {
    if has_ext(path, &["json"]) {
        Value::from_json_str(text)
            .map_err(|e| format!("error: {}:{}:{}: {e}", path.display(), e.line(), e.column()))
    } else {
        gavel::yaml::parse(text).map_err(|e| match e.location() {
            Some(l) => format!("error: {}:{}:{}: {e}", path.display(), l.line(), l.column()),
            None => format!("error: {}: {e}", path.display()),
        })
    }
}
