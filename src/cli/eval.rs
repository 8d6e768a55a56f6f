//! `gavel eval`: OPA-compatible query evaluation for rule authors.

use super::read_document;
use gavel::{Engine, EvalOptions};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Policy or data file or directory (`.rego`, `.json`, `.yaml`, `.yml`); repeatable.
    #[arg(short = 'd', long = "data", value_name = "PATH")]
    data: Vec<PathBuf>,
    /// Input document (JSON or YAML).
    #[arg(short = 'i', long = "input", value_name = "FILE")]
    input: Option<PathBuf>,
    /// Make built-in errors fail the evaluation instead of making the expression undefined.
    #[arg(long)]
    strict_builtin_errors: bool,
    /// The query, for example `data.example.deny` or `data.test.p = x`.
    query: String,
}

pub fn run(args: Args) -> ExitCode {
    match eval(&args) {
        Ok(out) => {
            println!("{out}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

fn eval(args: &Args) -> Result<String, String> {
    let mut engine = Engine::new();
    let mut errors = vec![];
    for path in &args.data {
        super::load_bundle(&mut engine, path, &mut errors);
    }
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    let input = match &args.input {
        Some(p) => Some(read_document(p)?),
        None => None,
    };
    let policy = engine.compile().map_err(|e| e.render())?;
    let query = policy.query(&args.query).map_err(|e| e.render())?;
    let options = EvalOptions {
        strict_builtin_errors: args.strict_builtin_errors,
        print: true,
    };
    let evaluation = policy
        .eval_with(&query, input.as_ref(), None, &options)
        .map_err(|e| e.render())?;
    for line in &evaluation.printed {
        eprintln!("{line}");
    }
    if evaluation.solutions.is_empty() {
        return Ok("{}".to_string());
    }
    let results: Vec<serde_json::Value> = evaluation
        .solutions
        .iter()
        .map(|s| {
            let expressions: Vec<serde_json::Value> = s
                .expressions
                .iter()
                .zip(query.locations())
                .map(|((text, value), (row, col))| {
                    json!({"value": value, "text": text, "location": {"row": row, "col": col}})
                })
                .collect();
            let mut entry = json!({ "expressions": expressions });
            if !s.bindings.is_empty() {
                entry["bindings"] = json!(s
                    .bindings
                    .iter()
                    .map(|(k, v)| (k.clone(), json!(v)))
                    .collect::<serde_json::Map<_, _>>());
            }
            entry
        })
        .collect();
    serde_json::to_string_pretty(&json!({ "result": results })).map_err(|e| e.to_string())
}
