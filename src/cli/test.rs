//! `gavel test`: runs policy unit tests with `opa test` semantics. Every rule whose name starts
//! with `test_` in the given `.rego` files and directories is evaluated (usually with
//! `with input as ...`): it passes when it is defined and not `false`, fails otherwise, and
//! errors when evaluation fails. Rules named `todo_test_*` are skipped. Data files (`.json`,
//! `.yaml`, `.yml`) in a directory are loaded under `data` at their folder's path, as `opa test`
//! and `gavel eval -d` do.
//!
//! Exit codes: 0 when every test passes, 1 on any failure or error, 2 when the policies do not
//! load or compile.

use gavel::{Engine, EvalOptions, Value};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// `.rego` files, and directories of `.rego` and data files.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Run only the tests whose full name (`data.pkg.test_x`) matches this regular expression.
    #[arg(long, value_name = "REGEX")]
    run: Option<String>,
}

enum Outcome {
    Pass,
    Fail,
    Error(String),
    Skip,
}

pub fn run(args: Args) -> ExitCode {
    let mut engine = Engine::new();
    let mut errors = vec![];
    for path in &args.paths {
        super::load_bundle(&mut engine, path, &mut errors);
    }
    if !errors.is_empty() {
        eprintln!("{}", errors.join("\n"));
        return ExitCode::from(2);
    }
    let filter = match args.run.as_deref().map(regex::Regex::new).transpose() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: --run: {e}");
            return ExitCode::from(2);
        }
    };
    let policy = match engine.compile() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{}", e.render());
            return ExitCode::from(2);
        }
    };
    let mut results = vec![];
    for rule in policy.rules() {
        let Some(name) = rule.path.last() else {
            continue;
        };
        let skip = name.starts_with("todo_test_");
        if rule.is_function || !(name.starts_with("test_") || skip) {
            continue;
        }
        let full = reference(&rule.path);
        if filter.as_ref().is_some_and(|f| !f.is_match(&full)) {
            continue;
        }
        let outcome = if skip {
            Outcome::Skip
        } else {
            evaluate(&policy, &full)
        };
        results.push((full, outcome));
    }
    results.sort_by(|a, b| a.0.cmp(&b.0));
    let (mut passed, mut failed, mut errored, mut skipped) = (0, 0, 0, 0);
    for (name, outcome) in &results {
        match outcome {
            Outcome::Pass => {
                passed += 1;
                println!("{name}: PASS");
            }
            Outcome::Fail => {
                failed += 1;
                println!("{name}: FAIL");
            }
            Outcome::Error(message) => {
                errored += 1;
                println!("{name}: ERROR\n  {}", message.replace('\n', "\n  "));
            }
            Outcome::Skip => {
                skipped += 1;
                println!("{name}: SKIPPED");
            }
        }
    }
    println!("{}", "-".repeat(80));
    if errored > 0 {
        println!("{errored} of the failures are errors");
    }
    let skipped_note = if skipped > 0 {
        format!(", {skipped} skipped")
    } else {
        String::new()
    };
    println!("{passed} passed, {} failed{skipped_note}", failed + errored);
    if failed + errored > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Evaluates one test rule without input (tests bring their own with `with input as`).
fn evaluate(policy: &gavel::Policy, reference: &str) -> Outcome {
    let query = match policy.query(reference) {
        Ok(q) => q,
        Err(e) => return Outcome::Error(e.render()),
    };
    let options = EvalOptions {
        strict_builtin_errors: false,
        print: true,
    };
    match policy.eval_with(&query, None, None, &options) {
        Err(e) => Outcome::Error(e.render()),
        Ok(evaluation) => {
            for line in &evaluation.printed {
                println!("{line}");
            }
            let holds = evaluation.solutions.iter().any(|s| {
                s.expressions
                    .iter()
                    .all(|(_, value)| !matches!(value, Value::Bool(false)))
            });
            if holds {
                Outcome::Pass
            } else {
                Outcome::Fail
            }
        }
    }
}

/// `data.a.b.test_x`, quoting segments that are not identifiers (`data.a["b-c"].test_x`).
fn reference(path: &[String]) -> String {
    let mut out = String::from("data");
    for segment in path {
        let ident = segment
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && segment
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if ident {
            out.push('.');
            out.push_str(segment);
        } else {
            out.push_str(&format!("[{}]", Value::from(segment.as_str())));
        }
    }
    out
}
