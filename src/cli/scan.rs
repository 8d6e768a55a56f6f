//! `gavel scan`: the main job. Loads policies and inputs, scans in parallel, writes the report,
//! and turns the outcome into an exit code (0 clean, 1 findings, 2 errors).

use gavel::report::{self, Format, Severity};
use gavel::scan::{Objects, Scanner, Selection};
use gavel::{catalog, Engine, Value};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum FormatArg {
    Human,
    Json,
    Sarif,
    Junit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

#[derive(clap::Args)]
pub struct Args {
    /// Files, directories, `.tar`/`.tar.gz`/`.tgz` archives, or `-` for standard input.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// A `.rego` file or a directory of them with custom rules; repeatable.
    #[arg(long = "policy", value_name = "PATH")]
    policies: Vec<PathBuf>,
    /// Do not run the bundled rules.
    #[arg(long)]
    no_builtin: bool,
    /// Run only this rule id; repeatable.
    #[arg(long = "rule", value_name = "ID")]
    rules: Vec<String>,
    /// Do not run this rule id; repeatable.
    #[arg(long = "skip", value_name = "ID")]
    skip: Vec<String>,
    /// A JSON or YAML file merged under `data`; repeatable.
    #[arg(long = "data", value_name = "FILE")]
    data: Vec<PathBuf>,
    /// The Kubernetes version the manifests target, visible as `data.gavel.kube_version`.
    #[arg(long, default_value = "1.33", value_name = "X.Y")]
    kube_version: String,
    /// Worker threads (default: all cores).
    #[arg(short = 'j', long = "jobs", value_name = "N")]
    jobs: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: FormatArg,
    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// The lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value = "error")]
    fail_on: FailOn,
}

pub fn run(args: Args) -> ExitCode {
    match scan(&args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

fn scan(args: &Args) -> Result<ExitCode, String> {
    if !valid_version(&args.kube_version) {
        return Err(format!(
            "error: --kube-version must look like 1.33, not `{}`",
            args.kube_version
        ));
    }
    let mut engine = Engine::new();
    let mut errors = vec![];
    if !args.no_builtin {
        for (name, text) in catalog::MODULES {
            if let Err(e) = engine.add_policy(name, text) {
                errors.push(e.render());
            }
        }
    }
    for path in &args.policies {
        super::load_policies(&mut engine, path, &mut errors);
    }
    let mut gavel_data = catalog::default_data();
    if let Value::Object(map) = &mut gavel_data {
        std::sync::Arc::make_mut(map).insert(
            Value::from("kube_version"),
            Value::from(args.kube_version.as_str()),
        );
    }
    let base = Value::object([(Value::from("gavel"), gavel_data)].into_iter().collect());
    engine.add_data(base).map_err(|e| e.to_string())?;
    for path in &args.data {
        match super::read_document(path) {
            Ok(doc) => {
                if let Err(e) = engine.add_data(doc) {
                    errors.push(format!("error: {}: {e}", path.display()));
                }
            }
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    let policy = engine.compile().map_err(|e| e.render())?;
    let selection = Selection {
        only: args.rules.clone(),
        skip: args.skip.clone(),
    };
    let objects = match args.format {
        FormatArg::Json | FormatArg::Junit => Objects::List,
        FormatArg::Human | FormatArg::Sarif => Objects::Count,
    };
    let scanner = Scanner::new(policy, &selection)
        .map_err(|e| format!("error: {e}"))?
        .with_objects(objects);
    // Evaluation recurses once per literal of a body; give workers room for long bodies.
    let mut pool = rayon::ThreadPoolBuilder::new().stack_size(16 << 20);
    if let Some(n) = args.jobs {
        pool = pool.num_threads(n.max(1));
    }
    let pool = pool
        .build()
        .map_err(|e| format!("error: cannot start worker threads: {e}"))?;
    let report = pool.install(|| scanner.scan(&args.paths));
    let format = match args.format {
        FormatArg::Human => Format::Human,
        FormatArg::Json => Format::Json,
        FormatArg::Sarif => Format::Sarif,
        FormatArg::Junit => Format::Junit,
    };
    let color = args.output.is_none() && format == Format::Human && std::io::stdout().is_terminal();
    let text = report::render(&report, format, color);
    match &args.output {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| format!("error: {}: {e}", path.display()))?
        }
        None => print!("{text}"),
    }
    Ok(exit_code(&report, args.fail_on))
}

fn exit_code(report: &report::Report, fail_on: FailOn) -> ExitCode {
    if !report.errors.is_empty() {
        return ExitCode::from(2);
    }
    let threshold = match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Note => Some(Severity::Note),
        FailOn::Never => None,
    };
    match threshold {
        Some(t) if report.findings.iter().any(|f| f.severity >= t) => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    }
}

fn valid_version(v: &str) -> bool {
    let mut parts = v.split('.');
    let ok =
        |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
}
