//! `gavel scan`: the main job. Loads policies and inputs, scans in parallel, writes the report,
//! and turns the outcome into an exit code (0 clean, 1 findings, 2 errors).

use super::output::Output;
use gavel::report::Format;
use gavel::scan::{Objects, Scanner, Selection};
use gavel::{catalog, Engine, Value};
use std::path::PathBuf;
use std::process::ExitCode;

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
    /// Scan only shard I of N (0-based), chosen by a stable hash of each input's name; merge
    /// the JSON reports of all N shards with `gavel merge`.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    shard: Option<(u64, u64)>,
    #[command(flatten)]
    output: Output,
}

fn parse_shard(text: &str) -> Result<(u64, u64), String> {
    let parsed = text
        .split_once('/')
        .and_then(|(i, n)| Some((i.parse::<u64>().ok()?, n.parse::<u64>().ok()?)));
    match parsed {
        Some((i, n)) if n > 0 && i < n => Ok((i, n)),
        _ => Err(format!(
            "`{text}` is not a shard: write I/N with 0 <= I < N, for example 0/4"
        )),
    }
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
    // Evaluation recurses once per literal of a body; give workers room for long bodies.
    let mut pool = rayon::ThreadPoolBuilder::new().stack_size(16 << 20);
    if let Some(n) = args.jobs {
        pool = pool.num_threads(n.max(1));
    }
    let pool = pool
        .build()
        .map_err(|e| format!("error: cannot start worker threads: {e}"))?;
    // Everything runs on the pool, the parsing of the rules included, so `-j` holds throughout.
    pool.install(|| scan_on_pool(args))
}

fn scan_on_pool(args: &Args) -> Result<ExitCode, String> {
    let mut engine = Engine::new();
    let mut errors = vec![];
    if !args.no_builtin {
        if let Err(e) = engine.add_policies(catalog::MODULES) {
            errors.push(e.render());
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
    let objects = match args.output.format() {
        Format::Json | Format::Junit => Objects::List,
        Format::Human | Format::Sarif => Objects::Count,
    };
    let mut scanner = Scanner::new(policy, &selection)
        .map_err(|e| format!("error: {e}"))?
        .with_objects(objects);
    if let Some((index, count)) = args.shard {
        scanner = scanner.with_shard(index, count);
    }
    let report = scanner.scan(&args.paths);
    args.output.write(&report)
}

fn valid_version(v: &str) -> bool {
    let mut parts = v.split('.');
    let ok =
        |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
}
