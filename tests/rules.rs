//! The bundled rules (`rules/`) against their fixtures, `tests/fixtures/rules/<id>/`.
//!
//! - One generic runner scans every fixture with its rule alone and snapshots the human report
//!   (`tests/snapshots/rules__<id>__<fixture>.snap`). A `fail_*` fixture must have at least one
//!   finding of the rule and a `pass_*` fixture none. A fixture whose first comment lines hold
//!   `# kube-version: 1.28` is scanned for that version (default 1.33).
//! - Registry tests: every rule compiles and has complete metadata, one rule per file named by
//!   its id, documentation that matches the metadata (`GAVEL_UPDATE_DOCS=1 cargo test --test
//!   rules` or `gavel rules --write-docs` rewrites it), and failing and passing fixtures.
//! - The rules' own unit tests (`rules/**/*_test.rego`) through `gavel test rules/`.
//! - A differential test: the `regorus` crate, another Rego engine, runs the bundled rules over
//!   every fixture and must report the same (rule, message, path) findings as gavel. This keeps
//!   "the rules run unchanged in OPA" honest. `GAVEL_DIFF_PATHS=dir1:dir2 cargo test --test rules
//!   -- --ignored` runs it over other manifests too (the corpus, for example).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gavel::catalog::{self, RuleDoc};
use gavel::load;
use gavel::report::{render_human, Report};
use gavel::scan::{Scanner, Selection};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "common/regorus_engine.rs"]
mod regorus_engine;

const FIXTURES: &str = "tests/fixtures/rules";

/// The 30 rules of the sidecar ruleset (issue 4). Ids are stable: changing this list is a
/// breaking change for every user's `--rule`, `--skip` and ignore annotations.
const IDS: &[&str] = &[
    "container-restart-policy-unsupported",
    "duplicate-container-name",
    "host-port-conflict",
    "init-container-probe-forbidden",
    "init-container-restart-policy-invalid",
    "init-order-sidecar-dependency",
    "invalid-quantity",
    "istio-job-legacy-sidecar",
    "job-legacy-sidecar",
    "job-restart-policy",
    "legacy-sidecar",
    "linkerd-native-wait-before-exit",
    "liveness-equals-readiness",
    "missing-memory-limit",
    "missing-readiness-probe",
    "missing-resource-requests",
    "native-sidecar-kube-version",
    "probe-handler-count",
    "probe-port-unresolvable",
    "probe-success-threshold",
    "readiness-probe-grace-period",
    "requests-exceed-limits",
    "sidecar-breaks-guaranteed-qos",
    "sidecar-grace-period",
    "sidecar-image-unpinned",
    "sidecar-no-probes",
    "sidecar-restart-policy-missing",
    "sidecar-startup-depends-on-app",
    "sidecar-startup-not-gated",
    "workload-restart-policy",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

struct Fixture {
    /// The rule it is for (its folder).
    rule: String,
    /// The file name without `.yaml`.
    name: String,
    /// Relative to the crate root, so that reports name it the same everywhere.
    path: PathBuf,
    kube_version: String,
}

impl Fixture {
    fn passing(&self) -> bool {
        self.name.starts_with("pass_")
    }
}

/// The entries of a directory, sorted.
fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    out.sort();
    out
}

fn fixtures() -> Vec<Fixture> {
    let mut out = vec![];
    for dir in sorted_entries(&root().join(FIXTURES)) {
        let rule = dir.file_name().unwrap().to_str().unwrap().to_string();
        for file in sorted_entries(&dir) {
            let file_name = file.file_name().unwrap().to_str().unwrap().to_string();
            let name = file_name
                .strip_suffix(".yaml")
                .unwrap_or_else(|| panic!("{}: fixtures are .yaml files", file.display()))
                .to_string();
            let text = std::fs::read_to_string(&file).unwrap();
            out.push(Fixture {
                path: Path::new(FIXTURES).join(&rule).join(&file_name),
                rule: rule.clone(),
                name,
                kube_version: kube_version(&text),
            });
        }
    }
    out
}

/// `# kube-version: X.Y` among the leading comment lines, else the default target.
fn kube_version(text: &str) -> String {
    text.lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| l.strip_prefix("# kube-version:"))
        .map(|v| v.trim().to_string())
        .unwrap_or_else(|| "1.33".to_string())
}

/// Scans files with the bundled rules for a version, as `gavel scan` does (paths relative to the
/// crate root).
fn scan(paths: &[PathBuf], kube_version: &str, only: &[&str]) -> Report {
    let policy = catalog::policy(kube_version).unwrap();
    let selection = Selection {
        only: only.iter().map(|s| s.to_string()).collect(),
        skip: vec![],
    };
    let scanner = Scanner::new(policy, &selection).unwrap();
    let cwd = std::env::current_dir().unwrap();
    assert_eq!(
        cwd,
        root(),
        "cargo runs integration tests in the crate root"
    );
    scanner.scan(paths)
}

#[test]
fn fixtures_match_their_snapshots() {
    let fixtures = fixtures();
    assert!(fixtures.len() >= 2 * IDS.len());
    for f in &fixtures {
        assert!(
            f.name.starts_with("fail_") || f.passing(),
            "{}: a fixture is named fail_* or pass_*",
            f.path.display()
        );
        let report = scan(
            std::slice::from_ref(&f.path),
            &f.kube_version,
            &[f.rule.as_str()],
        );
        assert!(
            report.errors.is_empty(),
            "{}: {:?}",
            f.path.display(),
            report.errors
        );
        let findings = report
            .findings
            .iter()
            .filter(|x| *x.rule == *f.rule)
            .count();
        if f.passing() {
            assert_eq!(
                findings,
                0,
                "{} must pass:\n{}",
                f.path.display(),
                render_human(&report, false)
            );
        } else {
            assert!(findings > 0, "{} must fail", f.path.display());
        }
        insta::with_settings!({
            description => format!("{} (kube {})", f.path.display(), f.kube_version),
            omit_expression => true,
        }, {
            insta::assert_snapshot!(format!("{}__{}", f.rule, f.name), render_human(&report, false));
        });
    }
}

fn rules() -> Vec<RuleDoc> {
    catalog::rules().unwrap()
}

#[test]
fn the_ruleset_is_the_issue_s_thirty_rules() {
    let ids: Vec<String> = rules().into_iter().map(|r| r.id).collect();
    assert_eq!(ids, IDS);
}

#[test]
fn every_rule_has_complete_metadata() {
    for r in rules() {
        assert!(!r.id.is_empty(), "{:?}: custom.id", r.entry_points);
        assert!(!r.title.is_empty(), "{}: title", r.id);
        assert!(
            !r.title.ends_with('.'),
            "{}: a title is not a sentence",
            r.id
        );
        assert!(r.description.len() > 80, "{}: description", r.id);
        assert!(!r.remediation.is_empty(), "{}: custom.remediation", r.id);
        assert!(!r.references.is_empty(), "{}: custom.references", r.id);
        assert!(!r.levels.is_empty(), "{}: custom.severity", r.id);
        for reference in &r.references {
            assert!(reference.starts_with("https://"), "{}: {reference}", r.id);
        }
    }
}

#[test]
fn one_rule_per_file_named_by_its_id() {
    let rules = rules();
    let mut modules = BTreeSet::new();
    for r in &rules {
        let stem = Path::new(&r.module).file_stem().unwrap().to_str().unwrap();
        assert_eq!(stem, r.id, "{} is defined in {}", r.id, r.module);
        assert!(
            modules.insert(r.module.clone()),
            "{} defines two ids",
            r.module
        );
        let package = format!("data.gavel.rules.{}.", r.id.replace('-', "_"));
        for entry in &r.entry_points {
            assert!(entry.starts_with(&package), "{}: {entry}", r.id);
        }
    }
    // Every module on disk is bundled, and only the libraries define no finding rule.
    let mut on_disk = BTreeSet::new();
    collect_rego(&root().join("rules"), &mut on_disk);
    let bundled: BTreeSet<String> = catalog::MODULES
        .iter()
        .map(|(p, _)| p.to_string())
        .collect();
    let expected: BTreeSet<String> = on_disk
        .into_iter()
        .filter(|p| !p.ends_with("_test.rego"))
        .collect();
    assert_eq!(bundled, expected, "catalog::MODULES and rules/ differ");
    for (path, text) in catalog::MODULES {
        let on_disk = std::fs::read_to_string(root().join("rules").join(path)).unwrap();
        assert_eq!(&on_disk, text, "{path}");
        if !path.starts_with("lib/") {
            assert!(modules.contains(*path), "{path} defines no rule");
        }
    }
}

fn collect_rego(dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_rego(&path, out);
        } else if path.extension().is_some_and(|e| e == "rego") {
            let rel = path.strip_prefix(root().join("rules")).unwrap();
            out.insert(rel.to_str().unwrap().to_string());
        }
    }
}

#[test]
fn every_rule_has_failing_and_passing_fixtures() {
    let fixtures = fixtures();
    let folders: BTreeSet<&str> = fixtures.iter().map(|f| f.rule.as_str()).collect();
    let ids: BTreeSet<&str> = IDS.iter().copied().collect();
    assert_eq!(folders, ids, "a fixture folder per rule id, and no other");
    for id in IDS {
        let of = |passing: bool| {
            fixtures
                .iter()
                .filter(|f| f.rule == *id && f.passing() == passing)
                .count()
        };
        assert!(of(false) >= 1, "{id}: no fail_* fixture");
        assert!(of(true) >= 1, "{id}: no pass_* fixture");
    }
}

#[test]
fn fixtures_cover_every_workload_kind() {
    let mut kinds = BTreeSet::new();
    for f in fixtures() {
        let text = std::fs::read_to_string(root().join(&f.path)).unwrap();
        for line in text.lines() {
            if let Some(kind) = line.strip_prefix("kind: ") {
                kinds.insert(kind.trim().to_string());
            }
        }
    }
    for kind in [
        "Pod",
        "PodTemplate",
        "ReplicationController",
        "ReplicaSet",
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "Job",
        "CronJob",
        "Rollout",
    ] {
        assert!(kinds.contains(kind), "no fixture has a {kind}");
    }
}

#[test]
fn docs_match_the_metadata() {
    let dir = root().join("docs/rules");
    let docs = catalog::docs().unwrap();
    if std::env::var_os("GAVEL_UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in &docs {
            std::fs::write(dir.join(name), text).unwrap();
        }
    }
    let wanted: BTreeSet<&str> = docs.iter().map(|(n, _)| n.as_str()).collect();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_str().unwrap().to_string();
        assert!(
            wanted.contains(name.as_str()),
            "docs/rules/{name} documents no rule; run `gavel rules --write-docs`"
        );
    }
    for (name, text) in &docs {
        let on_disk = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        assert!(
            &on_disk == text,
            "docs/rules/{name} is out of date; run `gavel rules --write-docs` (or GAVEL_UPDATE_DOCS=1 cargo test --test rules)"
        );
    }
}

fn gavel(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gavel"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn rego_unit_tests_pass() {
    let (code, out, err) = gavel(&["test", "rules"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let last = out.lines().last().unwrap();
    assert!(last.ends_with(" passed, 0 failed"), "{last}");
    let passed: usize = last.split(' ').next().unwrap().parse().unwrap();
    assert!(passed >= 40, "{last}");
}

#[test]
fn gavel_test_reports_failures_and_errors() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rules-gavel-test");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("t_test.rego");
    std::fs::write(
        &file,
        "package t\n\ntest_pass if input.x == 1 with input as {\"x\": 1}\n\
         test_fail if input.x == 2 with input as {\"x\": 1}\n\
         test_false := false\n\
         test_error if conflict == 1\n\
         conflict := v if { some v in [1, 2] }\n\
         todo_test_later if false\n",
    )
    .unwrap();
    let (code, out, _) = gavel(&["test", file.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("data.t.test_pass: PASS"), "{out}");
    assert!(out.contains("data.t.test_fail: FAIL"), "{out}");
    assert!(out.contains("data.t.test_false: FAIL"), "{out}");
    assert!(out.contains("data.t.test_error: ERROR"), "{out}");
    assert!(out.contains("data.t.todo_test_later: SKIPPED"), "{out}");
    assert!(out.ends_with("1 passed, 3 failed, 1 skipped\n"), "{out}");
    std::fs::write(&file, "package t\n\ntest_x if {\n").unwrap();
    let (code, _, err) = gavel(&["test", file.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn rules_and_explain_commands() {
    let (code, out, _) = gavel(&["rules"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), IDS.len());
    assert!(out.contains("native-sidecar-kube-version") && out.contains("error/warning"));
    let (code, out, _) = gavel(&["explain", "sidecar-startup-not-gated"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("# sidecar-startup-not-gated\n"), "{out}");
    assert!(out.contains("## How to fix it"), "{out}");
    let (code, _, err) = gavel(&["explain", "no-such-rule"]);
    assert_eq!(code, 2);
    assert!(err.contains("no rule has the id `no-such-rule`"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Differential test against regorus

/// A finding as both engines produce it: (rule id, message, path as JSON).
type Key = (String, String, String);

/// The finding rules of a compiled policy with their rule ids: (id, handle, `data.` reference).
fn finding_rules(policy: &gavel::Policy) -> Vec<(String, gavel::RuleRef, String)> {
    policy
        .rules()
        .iter()
        .filter(|r| !r.is_function && catalog::is_finding_rule(r.path.last().unwrap()))
        .map(|r| {
            let meta = r.definitions.iter().flatten().next().unwrap();
            let id = meta.custom("id").unwrap().to_string();
            (id, r.id, format!("data.{}", r.path.join(".")))
        })
        .collect()
}

/// The (rule id, message, path) triples of a finding rule's value, as JSON.
fn keys_of(id: &str, json: serde_json::Value, out: &mut BTreeSet<Key>) {
    let items = match json {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Null => vec![],
        other => panic!("{id}: {other}"),
    };
    for item in items {
        let message = item["msg"].as_str().unwrap().to_string();
        out.insert((id.to_string(), message, item["path"].to_string()));
    }
}

/// What gavel reports for one document: every finding rule evaluated on it.
fn gavel_findings(
    policy: &gavel::Policy,
    rules: &[(String, gavel::RuleRef, String)],
    input: &gavel::Value,
) -> BTreeSet<Key> {
    let refs: Vec<(gavel::RuleRef, Option<Vec<usize>>)> =
        rules.iter().map(|(_, r, _)| (*r, None)).collect();
    let results = policy.eval_rules(&refs, input, &gavel::EvalOptions::default());
    let mut out = BTreeSet::new();
    for ((id, _, entry), result) in rules.iter().zip(results) {
        let value = result.unwrap_or_else(|e| panic!("gavel: {entry}: {e}"));
        let json = match value {
            Some(v) => serde_json::to_value(&v).unwrap(),
            None => serde_json::Value::Null,
        };
        keys_of(id, json, &mut out);
    }
    out
}

#[test]
fn imported_calls_are_spelled_out_for_regorus() {
    let text = "package p\nimport data.gavel.lib.k8s\nimport data.x.y as z\n\
                a := k8s.describe(e)\nb := z.f(k8s.pod.spec, [notk8s.g(1)])\n";
    assert_eq!(
        regorus_engine::expand_imported_calls(text),
        "package p\nimport data.gavel.lib.k8s\nimport data.x.y as z\n\
         a := data.gavel.lib.k8s.describe(e)\nb := data.x.y.f(k8s.pod.spec, [notk8s.g(1)])\n"
    );
}

/// What regorus reports for one document: every finding rule evaluated on it.
fn regorus_findings(
    engine: &mut regorus::Engine,
    rules: &[(String, gavel::RuleRef, String)],
    input: &gavel::Value,
) -> BTreeSet<Key> {
    engine.set_input(regorus::Value::from_json_str(&input.to_json_string()).unwrap());
    let mut out = BTreeSet::new();
    for (id, _, entry) in rules {
        let value = engine
            .eval_rule(entry.clone())
            .unwrap_or_else(|e| panic!("regorus: {entry}: {e}"));
        let json = if value == regorus::Value::Undefined {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&value.to_json_str().unwrap()).unwrap()
        };
        keys_of(id, json, &mut out);
    }
    out
}

/// Compares both engines over every document (and `List` item) of the given files.
fn differential(paths: &[PathBuf], kube_version: &str) -> usize {
    let policy = catalog::policy(kube_version).unwrap();
    let rules = finding_rules(&policy);
    assert_eq!(
        rules
            .iter()
            .map(|(id, _, _)| id)
            .collect::<BTreeSet<_>>()
            .len(),
        IDS.len()
    );
    let mut engine = regorus_engine::bundled(kube_version);
    let mut compared = 0;
    let mut mismatches = vec![];
    for source in load::sources(paths) {
        let Ok(source) = source else { continue };
        let (docs, _) = load::documents(&source);
        for doc in docs {
            let ours = gavel_findings(&policy, &rules, &doc.value);
            let theirs = regorus_findings(&mut engine, &rules, &doc.value);
            if ours != theirs {
                mismatches.push(format!(
                    "{}#{}{}:\n  gavel only:   {:?}\n  regorus only: {:?}",
                    doc.file,
                    doc.index,
                    doc.item.map(|i| format!(".items[{i}]")).unwrap_or_default(),
                    ours.difference(&theirs).collect::<Vec<_>>(),
                    theirs.difference(&ours).collect::<Vec<_>>()
                ));
            }
            compared += 1;
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    compared
}

#[test]
fn regorus_reports_the_same_findings_on_every_fixture() {
    let mut by_version: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for f in fixtures() {
        by_version.entry(f.kube_version).or_default().push(f.path);
    }
    let mut compared = 0;
    for (version, paths) in &by_version {
        compared += differential(paths, version);
    }
    assert!(compared >= fixtures().len());
}

#[test]
#[ignore = "set GAVEL_DIFF_PATHS to directories of manifests"]
fn regorus_reports_the_same_findings_on_other_manifests() {
    let paths: Vec<PathBuf> = std::env::var("GAVEL_DIFF_PATHS")
        .unwrap_or_default()
        .split(':')
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .collect();
    let compared = differential(&paths, "1.33");
    eprintln!("{compared} documents compared");
}
