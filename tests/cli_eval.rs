//! `gavel eval` end to end: OPA's output shape, data loading, and exit code 2 with a rendered
//! diagnostic for every error path.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "common/scratch.rs"]
mod scratch;

use scratch::scratch;
use std::path::PathBuf;
use std::process::Command;

fn gavel(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gavel"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn temp_dir(name: &str) -> PathBuf {
    scratch("cli-eval", name)
}

#[test]
fn prints_bindings_like_opa() {
    let dir = temp_dir("bindings");
    std::fs::write(
        dir.join("p.rego"),
        "package test\n\np contains x if some x in input.xs\n",
    )
    .unwrap();
    std::fs::write(dir.join("input.yaml"), "xs: [2, 1]\n").unwrap();
    let d = dir.join("p.rego");
    let i = dir.join("input.yaml");
    let (code, out, err) = gavel(&[
        "eval",
        "-d",
        d.to_str().unwrap(),
        "-i",
        i.to_str().unwrap(),
        "data.test.p = x",
    ]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        json["result"][0]["bindings"]["x"],
        serde_json::json!([1, 2])
    );
    assert_eq!(
        json["result"][0]["expressions"][0]["value"],
        serde_json::json!(true)
    );
    assert_eq!(
        json["result"][0]["expressions"][0]["text"],
        "data.test.p = x"
    );
}

#[test]
fn undefined_prints_empty_object() {
    let dir = temp_dir("undefined");
    std::fs::write(dir.join("p.rego"), "package test\n\np if input.nope\n").unwrap();
    let (code, out, _) = gavel(&["eval", "-d", dir.to_str().unwrap(), "data.test.p"]);
    assert_eq!(code, 0);
    assert_eq!(out.trim(), "{}");
}

#[test]
fn data_files_in_directories_nest_under_their_folder() {
    let dir = temp_dir("data");
    std::fs::create_dir_all(dir.join("cfg")).unwrap();
    std::fs::write(dir.join("cfg/limits.json"), r#"{"max": 3}"#).unwrap();
    let (code, out, err) = gavel(&["eval", "-d", dir.to_str().unwrap(), "data.cfg.max"]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        json["result"][0]["expressions"][0]["value"],
        serde_json::json!(3)
    );
}

#[test]
fn syntax_error_exits_2_with_a_frame() {
    let dir = temp_dir("syntax");
    let p = dir.join("bad.rego");
    std::fs::write(&p, "package test\n\np := {\n").unwrap();
    let (code, out, err) = gavel(&["eval", "-d", p.to_str().unwrap(), "data.test.p"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("bad.rego:"), "{err}");
    assert!(err.contains('^'), "{err}");
}

#[test]
fn eval_error_exits_2() {
    let dir = temp_dir("conflict");
    let p = dir.join("c.rego");
    std::fs::write(&p, "package test\n\np := 1\n\np := 2 if true\n").unwrap();
    let (code, _, err) = gavel(&["eval", "-d", p.to_str().unwrap(), "data.test.p"]);
    assert_eq!(code, 2);
    assert!(err.contains("eval_conflict_error"), "{err}");
}

#[test]
fn bad_input_file_exits_2() {
    let dir = temp_dir("input");
    let p = dir.join("p.rego");
    std::fs::write(&p, "package test\n\np := input\n").unwrap();
    let i = dir.join("in.json");
    std::fs::write(&i, "{\"a\": ").unwrap();
    let (code, _, err) = gavel(&[
        "eval",
        "-d",
        p.to_str().unwrap(),
        "-i",
        i.to_str().unwrap(),
        "data.test.p",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("in.json:1:"), "{err}");
}

#[test]
fn missing_policy_path_exits_2() {
    let (code, _, err) = gavel(&["eval", "-d", "/nonexistent/policy.rego", "data.x"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/policy.rego"), "{err}");
}

#[test]
fn bad_query_exits_2() {
    let dir = temp_dir("query");
    let (code, _, err) = gavel(&["eval", "-d", dir.to_str().unwrap(), "x > "]);
    assert_eq!(code, 2);
    assert!(err.contains("query"), "{err}");
}

#[test]
fn expression_values_are_reported() {
    let dir = temp_dir("values");
    let (code, out, err) = gavel(&["eval", "-d", dir.to_str().unwrap(), "plus(1, 2)"]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        json["result"][0]["expressions"][0]["value"],
        serde_json::json!(3)
    );
    let (_, out, _) = gavel(&["eval", "-d", dir.to_str().unwrap(), "[1, 2]"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        json["result"][0]["expressions"][0]["value"],
        serde_json::json!([1, 2])
    );
    let (_, out, _) = gavel(&[
        "eval",
        "-d",
        dir.to_str().unwrap(),
        "startswith(\"a\", \"b\")",
    ]);
    assert_eq!(out.trim(), "{}");
}
