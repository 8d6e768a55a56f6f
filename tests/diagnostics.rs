//! Rendered diagnostics for policies that do not compile, as snapshots: each must say where
//! (`--> file:line:col`, the line, a caret) and what is wrong, in words.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gavel::Engine;

fn render(policy: &str) -> String {
    let mut engine = Engine::new();
    if let Err(e) = engine.add_policy("policy.rego", policy) {
        return e.render();
    }
    match engine.compile() {
        Ok(_) => "compiled without error".to_string(),
        Err(e) => e.render(),
    }
}

macro_rules! diagnostic {
    ($name:ident, $policy:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(render($policy));
        }
    };
}

diagnostic!(unsafe_variable, "package t\n\np if {\n\tx > 1\n}\n");
diagnostic!(
    unsafe_head_variable,
    "package t\n\ndeny contains msg if {\n\tinput.kind == \"Pod\"\n}\n"
);
diagnostic!(unknown_function, "package t\n\np := lenght(input.items)\n");
diagnostic!(wrong_arity, "package t\n\np := startswith(\"a\")\n");
diagnostic!(recursion, "package t\n\np if q\n\nq if p\n");
diagnostic!(
    conflicting_defaults,
    "package t\n\ndefault p := 1\n\ndefault p := 2\n"
);
diagnostic!(
    assigned_twice,
    "package t\n\np if {\n\tx := 1\n\tx := 2\n}\n"
);
diagnostic!(rule_kinds_conflict, "package t\n\np := 1\n\np contains 2\n");
diagnostic!(default_not_constant, "package t\n\ndefault p := input.x\n");
diagnostic!(missing_if, "package t\n\np { true }\n");
diagnostic!(unclosed_brace, "package t\n\np if {\n\tinput.x == 1\n");

#[test]
fn conflict_at_evaluation() {
    let mut engine = Engine::new();
    engine
        .add_policy(
            "policy.rego",
            "package t\n\np := 1 if input.a\n\np := 2 if input.b\n",
        )
        .unwrap();
    let policy = engine.compile().unwrap();
    let query = policy.query("data.t.p").unwrap();
    let input = gavel::Value::from_json_str(r#"{"a": true, "b": true}"#).unwrap();
    let err = policy.eval(&query, Some(&input)).unwrap_err();
    insta::assert_snapshot!(err.render());
}
