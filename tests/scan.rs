//! `gavel scan` end to end over `tests/fixtures/scan`: locations of findings in nested fields,
//! multi-document files, `kind: List` items and tar.gz entries; every output format as a
//! snapshot; exit codes, rule selection, suppression and input errors.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "common/scratch.rs"]
mod scratch;

use scratch::scratch;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const INPUTS: &str = "tests/fixtures/scan/inputs";
const POLICY: &str = "tests/fixtures/scan/policy";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn gavel_with_stdin(args: &[&str], stdin: Option<&str>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gavel"))
        .args(args)
        .current_dir(root())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn gavel(args: &[&str]) -> Run {
    gavel_with_stdin(args, None)
}

fn scan(extra: &[&str]) -> Run {
    let mut args = vec!["scan", "--no-builtin", "--policy", POLICY];
    args.extend_from_slice(extra);
    gavel(&args)
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr))
}

/// (rule, file, line, column, document) of every finding.
fn places(report: &serde_json::Value) -> Vec<(String, String, u64, u64, u64)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["document"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn has(
    places: &[(String, String, u64, u64, u64)],
    rule: &str,
    file: &str,
    line: u64,
    column: u64,
) -> bool {
    places
        .iter()
        .any(|p| p.0 == rule && p.1 == file && p.2 == line && p.3 == column)
}

#[test]
fn findings_point_at_the_field() {
    let run = scan(&["--format", "json", INPUTS]);
    let report = json(&run);
    let p = places(&report);
    // A field that exists, nested deep.
    assert!(
        has(
            &p,
            "privileged",
            "tests/fixtures/scan/inputs/deployment.yaml",
            17,
            13
        ),
        "{p:?}"
    );
    // A missing field points at its nearest ancestor: the container's list item.
    assert!(
        has(
            &p,
            "missing-readiness",
            "tests/fixtures/scan/inputs/deployment.yaml",
            14,
            11
        ),
        "{p:?}"
    );
    // The second document of a multi-document file.
    let second = p.iter().find(|x| x.1.ends_with("multi.yaml")).unwrap();
    assert_eq!((second.2, second.3, second.4), (20, 7, 1));
    // An item of a `kind: List` (JSON).
    assert!(
        has(
            &p,
            "missing-readiness",
            "tests/fixtures/scan/inputs/list.json",
            8,
            30
        ),
        "{p:?}"
    );
    // The suppressed Job is counted, not reported.
    assert_eq!(report["summary"]["suppressed"], 1);
    assert!(!p
        .iter()
        .any(|x| x.1.ends_with("suppressed.yaml") && x.0 == "missing-readiness"));
    // The id of a rule without METADATA is its package path and name; `warn` is a warning.
    let labels: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "custom.labels.warn")
        .collect();
    assert_eq!(labels.len(), 1, "{labels:?}");
    assert_eq!(labels[0]["severity"], "warning");
    assert_eq!(labels[0]["object"]["name"], "a");
}

#[test]
fn findings_inside_a_tar_gz() {
    let dir = scratch("scan", "tgz");
    let archive = dir.join("manifests.tgz");
    let file = std::fs::File::create(&archive).unwrap();
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    let text = std::fs::read(root().join(INPUTS).join("deployment.yaml")).unwrap();
    let mut header = tar::Header::new_gnu();
    header.set_size(text.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    tar.append_data(&mut header, "inner/deployment.yaml", text.as_slice())
        .unwrap();
    tar.into_inner().unwrap().finish().unwrap();
    let archive = archive.to_str().unwrap().to_string();
    let report = json(&scan(&["--format", "json", &archive]));
    let p = places(&report);
    let name = format!("{archive}:inner/deployment.yaml");
    assert!(has(&p, "privileged", &name, 17, 13), "{p:?}");
    assert!(has(&p, "missing-readiness", &name, 14, 11), "{p:?}");
}

#[test]
fn standard_input() {
    let text = std::fs::read_to_string(root().join(INPUTS).join("multi.yaml")).unwrap();
    let run = gavel_with_stdin(
        &[
            "scan",
            "--no-builtin",
            "--policy",
            POLICY,
            "--format",
            "json",
            "-",
        ],
        Some(&text),
    );
    let p = places(&json(&run));
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!((p[0].2, p[0].3, p[0].4), (20, 7, 1));
}

fn without_broken() -> Vec<String> {
    [
        "deployment.yaml",
        "multi.yaml",
        "list.json",
        "suppressed.yaml",
    ]
    .iter()
    .map(|f| format!("{INPUTS}/{f}"))
    .collect()
}

#[test]
fn exit_codes_follow_fail_on() {
    let files = without_broken();
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    let with = |extra: &[&str]| {
        let mut args = extra.to_vec();
        args.extend(&files);
        scan(&args).code
    };
    assert_eq!(with(&[]), 1, "an error-level finding (privileged)");
    assert_eq!(
        with(&["--skip", "privileged"]),
        0,
        "warnings only, fail-on error"
    );
    assert_eq!(with(&["--skip", "privileged", "--fail-on", "warning"]), 1);
    assert_eq!(with(&["--fail-on", "never"]), 0);
    assert_eq!(with(&["--rule", "privileged", "--fail-on", "note"]), 1);
}

#[test]
fn input_errors_exit_2_and_the_rest_is_scanned() {
    let run = scan(&[
        "--format",
        "json",
        INPUTS,
        "tests/fixtures/scan/no-such-file.yaml",
    ]);
    assert_eq!(run.code, 2);
    let report = json(&run);
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{errors:?}");
    let broken = errors
        .iter()
        .find(|e| e["file"].as_str().unwrap().ends_with("broken.yaml"))
        .unwrap();
    assert_eq!(broken["line"], 7);
    assert!(errors
        .iter()
        .any(|e| e["file"].as_str().unwrap().ends_with("no-such-file.yaml")));
    assert_eq!(report["summary"]["findings"], 5);
}

#[test]
fn usage_and_policy_errors_exit_2() {
    let run = scan(&["--rule", "no-such-rule", INPUTS]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no-such-rule"), "{}", run.stderr);

    let dir = scratch("scan", "badpolicy");
    std::fs::write(
        dir.join("bad.rego"),
        "package bad\n\ndeny contains x if {\n",
    )
    .unwrap();
    let run = gavel(&["scan", "--policy", dir.to_str().unwrap(), INPUTS]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("bad.rego:"), "{}", run.stderr);

    let run = scan(&["--kube-version", "latest", INPUTS]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--kube-version"), "{}", run.stderr);

    let run = gavel(&["scan", "--data", "tests/fixtures/scan/missing.json", INPUTS]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("missing.json"), "{}", run.stderr);

    // A report that cannot be written (its folder does not exist), in each streamed format.
    for format in ["human", "json"] {
        let run = scan(&["--format", format, "-o", "no-such-dir/report.txt", INPUTS]);
        assert_eq!(run.code, 2, "{format}");
        assert!(
            run.stderr.contains("no-such-dir/report.txt"),
            "{format}: {}",
            run.stderr
        );
    }
}

#[test]
fn kube_version_and_data_reach_rules() {
    let dir = scratch("scan", "data");
    std::fs::write(
        dir.join("v.rego"),
        "package v\n\ndeny contains sprintf(\"%s %s\", [data.gavel.kube_version, data.team]) if input.kind == \"Pod\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("team.yaml"), "team: platform\n").unwrap();
    let pol = dir.join("v.rego");
    let data = dir.join("team.yaml");
    let run = gavel(&[
        "scan",
        "--no-builtin",
        "--policy",
        pol.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--kube-version",
        "1.29",
        "--format",
        "json",
        &format!("{INPUTS}/multi.yaml"),
    ]);
    let report = json(&run);
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages, ["1.29 platform", "1.29 platform"]);
    assert_eq!(report["findings"][0]["rule"], "v.deny");
    assert_eq!(report["findings"][0]["severity"], "error");
}

#[test]
fn one_thread_and_two_threads_agree() {
    let one = scan(&["-j", "1", "--format", "json", INPUTS]);
    let two = scan(&["-j", "2", "--format", "json", INPUTS]);
    assert_eq!(one.stdout, two.stdout);
}

#[test]
fn human_report() {
    insta::assert_snapshot!(scan(&[INPUTS]).stdout);
}

#[test]
fn json_report() {
    insta::assert_snapshot!(scan(&["--format", "json", INPUTS]).stdout);
}

#[test]
fn junit_report() {
    insta::assert_snapshot!(scan(&["--format", "junit", INPUTS]).stdout);
}

#[test]
fn sarif_report() {
    let run = scan(&["--format", "sarif", INPUTS]);
    insta::assert_snapshot!(run.stdout);
    let log = json(&run);
    // The parts of SARIF 2.1.0 that code-scanning services require.
    assert_eq!(log["version"], "2.1.0");
    let run0 = &log["runs"][0];
    assert_eq!(run0["tool"]["driver"]["name"], "gavel");
    for rule in run0["tool"]["driver"]["rules"].as_array().unwrap() {
        for field in [
            "id",
            "name",
            "shortDescription",
            "fullDescription",
            "help",
            "defaultConfiguration",
        ] {
            assert!(!rule[field].is_null(), "rule without {field}: {rule}");
        }
    }
    for result in run0["results"].as_array().unwrap() {
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1);
        assert!(region["startColumn"].as_u64().unwrap() >= 1);
        assert!(result["message"]["text"].is_string());
    }
    validate_with_multitool(&run.stdout);
}

/// Runs Microsoft's SARIF validator when `SARIF_MULTITOOL` names it (`.ci/run` installs it).
fn validate_with_multitool(sarif: &str) {
    let Ok(tool) = std::env::var("SARIF_MULTITOOL") else {
        println!("skipped: SARIF_MULTITOOL is not set");
        return;
    };
    let dir = scratch("scan", "sarif");
    let file = dir.join("report.sarif");
    let out = dir.join("validation.sarif");
    std::fs::write(&file, sarif).unwrap();
    let _ = std::fs::remove_file(&out);
    let run = Command::new(PathBuf::from(tool))
        .args([
            "validate",
            file.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&run.stdout).into_owned() + &String::from_utf8_lossy(&run.stderr);
    let errors: Vec<&str> = text.lines().filter(|l| l.contains(": error ")).collect();
    assert!(
        errors.is_empty(),
        "the SARIF validator reported errors:\n{}",
        errors.join("\n")
    );
}

#[test]
fn merged_shards_equal_one_run_byte_for_byte() {
    let dir = scratch("scan", "shards");
    let mut shards = vec![];
    for i in 0..3 {
        let out = dir.join(format!("shard{i}.json"));
        let shard = format!("{i}/3");
        scan(&[
            "--shard",
            &shard,
            "--format",
            "json",
            "-o",
            out.to_str().unwrap(),
            INPUTS,
        ]);
        shards.push(out.to_str().unwrap().to_string());
    }
    // Every input lands in exactly one shard.
    let files: u64 = shards
        .iter()
        .map(|s| {
            let r: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(s).unwrap()).unwrap();
            r["summary"]["files"].as_u64().unwrap()
        })
        .sum();
    assert_eq!(files, 5);
    for format in ["json", "sarif", "junit", "human"] {
        let single = scan(&["--format", format, INPUTS]);
        let mut args = vec!["merge", "--format", format];
        args.extend(shards.iter().map(String::as_str));
        let merged = gavel(&args);
        assert_eq!(merged.stdout, single.stdout, "{format}");
        assert_eq!(merged.code, single.code, "{format}");
    }
}

#[test]
fn merge_and_shard_errors_exit_2() {
    let dir = scratch("scan", "merge-bad");
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\"version\": \"1\"").unwrap();
    let run = gavel(&["merge", bad.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("not a gavel JSON report"),
        "{}",
        run.stderr
    );
    let run = gavel(&["merge", "tests/fixtures/scan/no-such-report.json"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no-such-report.json"), "{}", run.stderr);
    let run = scan(&["--shard", "3/3", INPUTS]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("3/3"), "{}", run.stderr);
}
