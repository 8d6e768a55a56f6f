//! `gavel rules` (the bundled rules, one line each, or their documentation written to
//! `docs/rules/`) and `gavel explain ID` (one rule's full text).

use gavel::catalog;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Write the rules' documentation (one page per rule and an index) from their metadata into
    /// DIR, removing pages of rules that no longer exist.
    #[arg(long, value_name = "DIR", num_args = 0..=1, default_missing_value = "docs/rules")]
    write_docs: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct ExplainArgs {
    /// The rule id, as `gavel rules` lists it.
    id: String,
}

/// The bundled rules' documentation, or exit code 2 after printing why it cannot be read.
fn bundled_rules() -> Result<Vec<catalog::RuleDoc>, ExitCode> {
    catalog::rules().map_err(|e| {
        eprintln!("{}", e.render());
        ExitCode::from(2)
    })
}

pub fn run(args: Args) -> ExitCode {
    let rules = match bundled_rules() {
        Ok(r) => r,
        Err(code) => return code,
    };
    if let Some(dir) = &args.write_docs {
        return match write_docs(dir) {
            Ok(n) => {
                println!("wrote {n} files to {}", dir.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {}: {e}", dir.display());
                ExitCode::from(2)
            }
        };
    }
    let id_width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let sev_width = rules
        .iter()
        .map(|r| r.severity_label().len())
        .max()
        .unwrap_or(0);
    for r in &rules {
        println!(
            "{:id_width$}  {:sev_width$}  {}",
            r.id,
            r.severity_label(),
            r.title
        );
    }
    ExitCode::SUCCESS
}

fn write_docs(dir: &std::path::Path) -> Result<usize, String> {
    let docs = catalog::docs().map_err(|e| e.render())?;
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let wanted: Vec<&str> = docs.iter().map(|(name, _)| name.as_str()).collect();
    for entry in std::fs::read_dir(dir).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.ends_with(".md") && !wanted.contains(&name) {
            std::fs::remove_file(&path).map_err(|e| e.to_string())?;
        }
    }
    for (name, text) in &docs {
        std::fs::write(dir.join(name), text).map_err(|e| e.to_string())?;
    }
    Ok(docs.len())
}

pub fn explain(args: ExplainArgs) -> ExitCode {
    let rules = match bundled_rules() {
        Ok(r) => r,
        Err(code) => return code,
    };
    match rules.iter().find(|r| r.id == args.id) {
        Some(rule) => {
            // The page without its "generated from" comment.
            let doc = catalog::render_doc(rule);
            let body = match doc.split_once('\n') {
                Some((first, rest)) if first.starts_with("<!--") => rest,
                _ => doc.as_str(),
            };
            print!("{body}");
            ExitCode::SUCCESS
        }
        None => {
            eprintln!(
                "error: no rule has the id `{}` (see `gavel rules`)",
                args.id
            );
            ExitCode::from(2)
        }
    }
}
