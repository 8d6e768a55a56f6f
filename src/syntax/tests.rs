//! Tests of the parser: tree shapes, spans, rendered syntax errors, the OPA conformance modules
//! and a mutation fuzz.

// A failing test is a panic; the crate's lints against panics guard library code, not this.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::ast::*;
use super::*;
use std::fmt::Write;

fn src(text: &str) -> Arc<Source> {
    Source::new("test.rego", text)
}

fn module(text: &str) -> Module {
    match parse_module(&src(text)) {
        Ok(m) => m,
        Err(e) => panic!("{}", e.iter().map(Diagnostic::render).collect::<String>()),
    }
}

fn query(text: &str) -> Body {
    match parse_query(&src(text)) {
        Ok(b) => b,
        Err(e) => panic!("{}", e.iter().map(Diagnostic::render).collect::<String>()),
    }
}

/// The rendered errors of a module that must not parse.
fn module_errors(text: &str) -> String {
    match parse_module(&src(text)) {
        Ok(_) => panic!("parsed, but should not have:\n{text}"),
        Err(e) => e
            .iter()
            .map(Diagnostic::render)
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// The rules of `package t` followed by `rules`, each as an S-expression.
fn rules(rules: &str) -> Vec<String> {
    module(&format!("package t\n\n{rules}\n"))
        .rules
        .iter()
        .map(show_rule)
        .collect()
}

/// The one rule of `package t` followed by `rule`.
fn rule(text: &str) -> String {
    let all = rules(text);
    assert_eq!(all.len(), 1, "{all:?}");
    all.into_iter().next().unwrap()
}

/// The literals of `p if { body }`.
fn body(text: &str) -> Vec<String> {
    let m = module(&format!("package t\n\np if {{\n{text}\n}}\n"));
    match &m.rules[0].body {
        Some(b) => b.literals.iter().map(show_literal).collect(),
        None => panic!("no body"),
    }
}

/// The expression `text`, as the right-hand side of `x := text` in a body.
fn expr(text: &str) -> String {
    let b = query(&format!("x := {text}"));
    match &b.literals[0].kind {
        LiteralKind::Expr(Expr {
            kind:
                ExprKind::Binary {
                    op: BinOp::Assign,
                    rhs,
                    ..
                },
            ..
        }) => show(rhs),
        other => panic!("{other:?}"),
    }
}

// A compact S-expression form of the tree. It destructures every node completely, so that the
// tests read (and the compiler warns about) every field.

fn show(e: &Expr) -> String {
    let Expr { span: _, kind } = e;
    match kind {
        ExprKind::Null => "null".into(),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Number(n) => n.clone(),
        ExprKind::String(s) => format!("{s:?}"),
        ExprKind::Var(v) => v.clone(),
        ExprKind::Ref { head, path } => {
            let mut out = format!("(ref {}", show(head));
            for arg in path {
                match arg {
                    RefArg::Field(f, _) => write!(out, " .{f}").unwrap(),
                    RefArg::Index(i) => write!(out, " [{}]", show(i)).unwrap(),
                }
            }
            out + ")"
        }
        ExprKind::Call {
            name,
            name_span: _,
            args,
        } => {
            format!("(call {}{})", name.join("."), list(args))
        }
        ExprKind::Array(items) => format!("(array{})", list(items)),
        ExprKind::Set(items) => format!("(set{})", list(items)),
        ExprKind::Object(pairs) => {
            let mut out = "(object".to_string();
            for (k, v) in pairs {
                write!(out, " ({} {})", show(k), show(v)).unwrap();
            }
            out + ")"
        }
        ExprKind::ArrayCompr { term, body } => {
            format!("(array-compr {} {})", show(term), show_body(body))
        }
        ExprKind::SetCompr { term, body } => {
            format!("(set-compr {} {})", show(term), show_body(body))
        }
        ExprKind::ObjectCompr { key, value, body } => {
            format!(
                "(object-compr {} {} {})",
                show(key),
                show(value),
                show_body(body)
            )
        }
        ExprKind::Binary { op, lhs, rhs } => {
            format!("({} {} {})", op.symbol(), show(lhs), show(rhs))
        }
        ExprKind::Neg(x) => format!("(neg {})", show(x)),
        ExprKind::Membership {
            key,
            value,
            collection,
        } => match key {
            Some(k) => format!("(in {} {} {})", show(k), show(value), show(collection)),
            None => format!("(in {} {})", show(value), show(collection)),
        },
    }
}

fn list(items: &[Expr]) -> String {
    items.iter().map(|i| format!(" {}", show(i))).collect()
}

fn show_body(b: &Body) -> String {
    let Body { span: _, literals } = b;
    format!(
        "{{{}}}",
        literals
            .iter()
            .map(show_literal)
            .collect::<Vec<_>>()
            .join("; ")
    )
}

fn show_literal(l: &Literal) -> String {
    let Literal {
        span: _,
        kind,
        with,
    } = l;
    let mut out = match kind {
        LiteralKind::Expr(e) => show(e),
        LiteralKind::Not(e) => format!("(not {})", show(e)),
        LiteralKind::Some(vars) => {
            format!(
                "(some {})",
                vars.iter()
                    .map(|(v, _)| v.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        }
        LiteralKind::SomeIn {
            key,
            value,
            collection,
        } => match key {
            Some(k) => format!("(some-in {} {} {})", show(k), show(value), show(collection)),
            None => format!("(some-in {} {})", show(value), show(collection)),
        },
        LiteralKind::Every {
            key,
            value,
            collection,
            body,
        } => match key {
            Some((k, _)) => {
                format!(
                    "(every {k} {} {} {})",
                    value.0,
                    show(collection),
                    show_body(body)
                )
            }
            None => format!(
                "(every {} {} {})",
                value.0,
                show(collection),
                show_body(body)
            ),
        },
    };
    for With {
        span: _,
        target,
        value,
    } in with
    {
        write!(out, " (with {} {})", target.join("."), show(value)).unwrap();
    }
    out
}

fn show_rule(r: &ast::Rule) -> String {
    let ast::Rule {
        span: _,
        is_default,
        name,
        name_span: _,
        head,
        body,
        elses,
    } = r;
    let value = |v: &Option<Expr>| v.as_ref().map_or("-".to_string(), show);
    let mut out = match head {
        Head::Complete { value: v } => format!("(complete {name} {})", value(v)),
        Head::PartialSet { key } => format!("(set {name} {})", show(key)),
        Head::PartialObject { key, value: v } => {
            format!("(object {name} {} {})", show(key), value(v))
        }
        Head::Function { args, value: v } => {
            format!("(function {name}{} {})", list(args), value(v))
        }
    };
    if *is_default {
        out = format!("(default {out})");
    }
    if let Some(b) = body {
        write!(out, " if {}", show_body(b)).unwrap();
    }
    for Else {
        span: _,
        value: v,
        body,
    } in elses
    {
        write!(out, " else {}", value(v)).unwrap();
        if let Some(b) = body {
            write!(out, " if {}", show_body(b)).unwrap();
        }
    }
    out
}

/// The text a span covers.
fn text_of(source: &Source, span: Span) -> &str {
    source.slice(span)
}

mod shapes {
    use super::*;

    #[test]
    fn package_and_imports() {
        let m = module(
            "package a.b.c\n\nimport data.x.y\nimport input.z as w\nimport rego.v1\nimport future.keywords\nimport future.keywords.in\n",
        );
        assert_eq!(m.package, ["a", "b", "c"]);
        assert_eq!(text_of(&m.source, m.package_span), "a.b.c");
        let imports: Vec<_> = m
            .imports
            .iter()
            .map(|i| (i.path.join("."), i.alias.clone()))
            .collect();
        assert_eq!(
            imports,
            [
                ("data.x.y".to_string(), None),
                ("input.z".to_string(), Some("w".to_string())),
                ("rego.v1".to_string(), None),
                ("future.keywords".to_string(), None),
                ("future.keywords.in".to_string(), None),
            ]
        );
        assert_eq!(text_of(&m.source, m.imports[1].span), "import input.z as w");
        assert!(m.rules.is_empty());
    }

    #[test]
    fn complete_rules() {
        assert_eq!(rule("p := 1"), "(complete p 1)");
        assert_eq!(rule("p = 1"), "(complete p 1)");
        assert_eq!(rule("p if { true }"), "(complete p -) if {true}");
        assert_eq!(rule("p := x if { x := 2 }"), "(complete p x) if {(:= x 2)}");
        assert_eq!(rule("p = x if { x := 2 }"), "(complete p x) if {(:= x 2)}");
        assert_eq!(
            rule("p if input.x == 1"),
            "(complete p -) if {(== (ref input .x) 1)}"
        );
        assert_eq!(
            rule("p if not input.x"),
            "(complete p -) if {(not (ref input .x))}"
        );
        assert_eq!(
            rule("p := 1 if input.x with input as {}"),
            "(complete p 1) if {(ref input .x) (with input (object))}"
        );
    }

    #[test]
    fn default_rules() {
        assert_eq!(rule("default p := false"), "(default (complete p false))");
        assert_eq!(
            rule("default p = {\"a\": [1]}"),
            "(default (complete p (object (\"a\" (array 1)))))"
        );
        assert_eq!(rule("default f(_, x) := 1"), "(default (function f _ x 1))");
        assert_eq!(
            rule("default p := [x | x := 1]"),
            "(default (complete p (array-compr x {(:= x 1)})))"
        );
    }

    #[test]
    fn partial_rules() {
        assert_eq!(
            rule("deny contains msg if { msg := \"no\" }"),
            "(set deny msg) if {(:= msg \"no\")}"
        );
        assert_eq!(rule("p contains 1"), "(set p 1)");
        assert_eq!(rule("p contains x if x := 1"), "(set p x) if {(:= x 1)}");
        assert_eq!(
            rule("obj[k] := v if { k := 1; v := 2 }"),
            "(object obj k v) if {(:= k 1); (:= v 2)}"
        );
        assert_eq!(
            rule("obj[k] = v if k := v"),
            "(object obj k v) if {(:= k v)}"
        );
        assert_eq!(
            rule("obj[k] if { k := 1 }"),
            "(object obj k -) if {(:= k 1)}"
        );
        assert_eq!(rule("obj[\"a\"] := 1"), "(object obj \"a\" 1)");
    }

    #[test]
    fn functions() {
        assert_eq!(
            rule("f(x, y) := z if { z := x + y }"),
            "(function f x y z) if {(:= z (+ x y))}"
        );
        assert_eq!(rule("f(x) if { x }"), "(function f x -) if {x}");
        assert_eq!(rule("f(x) := x"), "(function f x x)");
        assert_eq!(rule("f(1) := 2"), "(function f 1 2)");
        assert_eq!(rule("f([a, _]) := a"), "(function f (array a _) a)");
        assert_eq!(
            rule("f({\"k\": v}) := v"),
            "(function f (object (\"k\" v)) v)"
        );
        assert_eq!(rule("f() := 1"), "(function f 1)");
    }

    #[test]
    fn else_chains() {
        assert_eq!(
            rule("p := 1 if { a } else := 2 if { b } else := 3"),
            "(complete p 1) if {a} else 2 if {b} else 3"
        );
        assert_eq!(
            rule("p if { a } else if { b } else { c } else = false"),
            "(complete p -) if {a} else - if {b} else - if {c} else false"
        );
        assert_eq!(
            rule("p := 1 if a else := 2 if b"),
            "(complete p 1) if {a} else 2 if {b}"
        );
        assert_eq!(
            rule("f(x) := 1 if {\n  x > 0\n} else := 0"),
            "(function f x 1) if {(> x 0)} else 0"
        );
        let m = module("package t\np := 1 if { a }\nelse := 2\n");
        assert_eq!(text_of(&m.source, m.rules[0].elses[0].span), "else := 2");
    }

    #[test]
    fn several_rules_and_spans() {
        let m =
            module("package t\n\n# a comment\np := 1 # trailing\nq contains x if {\n  x := 1\n}\n");
        assert_eq!(m.rules.len(), 2);
        let [p, q] = &m.rules[..] else { unreachable!() };
        assert_eq!(text_of(&m.source, p.span), "p := 1");
        assert_eq!(text_of(&m.source, p.name_span), "p");
        assert_eq!(text_of(&m.source, q.span), "q contains x if {\n  x := 1\n}");
        let body = q.body.as_ref().unwrap();
        assert_eq!(text_of(&m.source, body.span), "{\n  x := 1\n}");
        assert_eq!(text_of(&m.source, body.literals[0].span), "x := 1");
    }

    #[test]
    fn comments_are_collected() {
        let m = module(
            "# METADATA\n# title: x\npackage t # here\r\n\np := \"# not a comment\" # but this is\nq := `raw # not either`\n#",
        );
        let comments: Vec<_> = m.comments.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(
            comments,
            [" METADATA", " title: x", " here", " but this is", ""]
        );
        let (span, _) = &m.comments[2];
        assert_eq!(text_of(&m.source, *span), "# here");
    }

    #[test]
    fn literals_and_separators() {
        assert_eq!(body("a; b\nc"), ["a", "b", "c"]);
        assert_eq!(body("a\n\n  # comment\n  b"), ["a", "b"]);
        assert_eq!(body("x := 1 +\n 2"), ["(:= x (+ 1 2))"]);
        assert_eq!(body("x := [\n1,\n2,\n]"), ["(:= x (array 1 2))"]);
        assert_eq!(body("f(\n  1,\n  2\n)"), ["(call f 1 2)"]);
        // A reference continues only when `[` touches the term.
        assert_eq!(body("x\n[1]"), ["x", "(array 1)"]);
        assert_eq!(body("x = 1"), ["(= x 1)"]);
        assert_eq!(body("not x = 1"), ["(not (= x 1))"]);
        assert_eq!(body("not f(x)"), ["(not (call f x))"]);
        assert_eq!(body("notx"), ["notx"]);
        let b = query("x := 1; y := x + 1");
        assert_eq!(
            b.literals.iter().map(show_literal).collect::<Vec<_>>(),
            ["(:= x 1)", "(:= y (+ x 1))"]
        );
        assert_eq!(query("data.test.p = x").literals.len(), 1);
        assert_eq!(query("x := 1\n  # note\ny := 2\n").literals.len(), 2);
    }

    #[test]
    fn some_and_every() {
        assert_eq!(body("some x"), ["(some x)"]);
        assert_eq!(body("some x, y"), ["(some x y)"]);
        assert_eq!(body("some v in xs"), ["(some-in v xs)"]);
        assert_eq!(body("some k, v in xs"), ["(some-in k v xs)"]);
        assert_eq!(body("some [a, b] in xs"), ["(some-in (array a b) xs)"]);
        assert_eq!(body("some x in f(y)"), ["(some-in x (call f y))"]);
        assert_eq!(body("every v in xs { v > 1 }"), ["(every v xs {(> v 1)})"]);
        assert_eq!(
            body("every k, v in xs {\n  k\n  v\n}"),
            ["(every k v xs {k; v})"]
        );
        assert_eq!(
            body("every x in [1, 2] { x }"),
            ["(every x (array 1 2) {x})"]
        );
        assert_eq!(body("someone"), ["someone"]);
    }

    #[test]
    fn with_modifiers() {
        assert_eq!(
            body("f(x) with input.a as 1"),
            ["(call f x) (with input.a 1)"]
        );
        assert_eq!(
            body("x with input as {} with data.a.b as [1] with input[\"y z\"] as 2"),
            ["x (with input (object)) (with data.a.b (array 1)) (with input.y z 2)"]
        );
        assert_eq!(body("not x with input as 1"), ["(not x) (with input 1)"]);
        assert_eq!(
            body("some x in xs with input as 1"),
            ["(some-in x xs) (with input 1)"]
        );
    }

    #[test]
    fn precedence() {
        assert_eq!(expr("1 + 2 * 3"), "(+ 1 (* 2 3))");
        assert_eq!(expr("1 * 2 + 3"), "(+ (* 1 2) 3)");
        assert_eq!(expr("1 - 2 - 3"), "(- (- 1 2) 3)");
        assert_eq!(expr("8 / 2 % 3"), "(% (/ 8 2) 3)");
        assert_eq!(expr("a | b & c"), "(| a (& b c))");
        assert_eq!(expr("a & b | c"), "(| (& a b) c)");
        assert_eq!(expr("a + b | c - d"), "(| (+ a b) (- c d))");
        assert_eq!(expr("a == b | c"), "(== a (| b c))");
        assert_eq!(expr("a < b == c"), "(== (< a b) c)");
        assert_eq!(expr("1 + 1 in xs"), "(in (+ 1 1) xs)");
        assert_eq!(expr("x == y in xs"), "(in (== x y) xs)");
        assert_eq!(expr("x in xs in ys"), "(in (in x xs) ys)");
        assert_eq!(expr("(1 + 2) * 3"), "(* (+ 1 2) 3)");
        assert_eq!(
            expr("1 + 2 * 3 - 4 / 5 == 6 | 7 & 8"),
            "(== (- (+ 1 (* 2 3)) (/ 4 5)) (| 6 (& 7 8)))"
        );
        for (op, sym) in [
            ("!=", "!="),
            ("<=", "<="),
            (">=", ">="),
            (">", ">"),
            ("<", "<"),
        ] {
            assert_eq!(expr(&format!("a {op} b")), format!("({sym} a b)"));
        }
        assert_eq!(body("x = y + 1"), ["(= x (+ y 1))"]);
    }

    #[test]
    fn membership() {
        assert_eq!(expr("1 in xs"), "(in 1 xs)");
        assert_eq!(body("k, v in xs"), ["(in k v xs)"]);
        assert_eq!(
            body("1, 2 in [2] in [false, true]"),
            ["(in (in 1 2 (array 2)) (array false true))"]
        );
        assert_eq!(
            body("(0, 2 in [2]) in [true]"),
            ["(in (in 0 2 (array 2)) (array true))"]
        );
        assert_eq!(
            body("\"foo\", (2 in {\"bar\": 2}) in {\"foo\": true}"),
            ["(in \"foo\" (in 2 (object (\"bar\" 2))) (object (\"foo\" true)))"]
        );
        // In a list a comma separates items.
        assert_eq!(expr("{1, 1 in [2]}"), "(set 1 (in 1 (array 2)))");
        assert_eq!(expr("f(k, v in xs)"), "(call f k (in v xs))");
        assert_eq!(
            body("not \"foo\" in [\"fox\"]"),
            ["(not (in \"foo\" (array \"fox\")))"]
        );
    }

    #[test]
    fn scalars() {
        assert_eq!(expr("null"), "null");
        assert_eq!(expr("true"), "true");
        assert_eq!(expr("false"), "false");
        assert_eq!(expr("nullable"), "nullable");
        for n in [
            "0",
            "1",
            "1.5",
            "1e10",
            "1E+2",
            "2.5e-3",
            "0.25",
            "123456789012345678901234567890",
        ] {
            assert_eq!(expr(n), n);
        }
        assert_eq!(expr("-1"), "-1");
        assert_eq!(expr("- 1.5e3"), "-1.5e3");
        assert_eq!(expr("-x"), "(neg x)");
        assert_eq!(expr("-(1)"), "(neg 1)");
        assert_eq!(expr("1 - -1"), "(- 1 -1)");
        assert_eq!(expr("x -1"), "(- x 1)");
        assert_eq!(expr("[1, -1]"), "(array 1 -1)");
    }

    #[test]
    fn strings() {
        assert_eq!(expr(r#""plain""#), r#""plain""#);
        let decoded = |text: &str| match &query(&format!("x := {text}")).literals[0].kind {
            LiteralKind::Expr(Expr {
                kind: ExprKind::Binary { rhs, .. },
                ..
            }) => match &rhs.kind {
                ExprKind::String(s) => s.clone(),
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        };
        assert_eq!(
            decoded(r#""a\nb\tc\"d\\e\/f\bg\fh\ri""#),
            "a\nb\tc\"d\\e/f\u{8}g\u{c}h\ri"
        );
        assert_eq!(decoded(r#""\u00e9\u0041""#), "éA");
        assert_eq!(decoded(r#""\ud83d\ude00""#), "😀");
        assert_eq!(decoded(r#""\ud83d""#), "\u{FFFD}");
        assert_eq!(decoded(r#""\ud83dx""#), "\u{FFFD}x");
        assert_eq!(decoded(r#""\ude00""#), "\u{FFFD}");
        assert_eq!(decoded(r#""é # not a comment""#), "é # not a comment");
        assert_eq!(decoded("`raw \\n \"q\"\nline`"), "raw \\n \"q\"\nline");
        assert_eq!(decoded(r#""""#), "");
    }

    #[test]
    fn references_and_calls() {
        assert_eq!(expr("a.b[c][\"d\"][0]"), "(ref a .b [c] [\"d\"] [0])");
        assert_eq!(expr("input.in.with"), "(ref input .in .with)");
        assert_eq!(expr("data.x[_]"), "(ref data .x [_])");
        assert_eq!(expr("f(x)"), "(call f x)");
        assert_eq!(expr("f()"), "(call f)");
        assert_eq!(expr("data.lib.f(x, 1)"), "(call data.lib.f x 1)");
        assert_eq!(
            expr("strings.any_prefix_match(x, y)"),
            "(call strings.any_prefix_match x y)"
        );
        assert_eq!(expr("f(x).y"), "(ref (call f x) .y)");
        assert_eq!(expr("f(x)[0].z"), "(ref (call f x) [0] .z)");
        assert_eq!(expr("[1, 2][0]"), "(ref (array 1 2) [0])");
        assert_eq!(expr("{\"a\": 1}.a"), "(ref (object (\"a\" 1)) .a)");
        assert_eq!(expr("(x).y"), "(ref x .y)");
        assert_eq!(
            expr("contains(\"abc\", \"b\")"),
            "(call contains \"abc\" \"b\")"
        );
        assert_eq!(expr("set()"), "(set)");
        assert_eq!(expr("x[y + 1]"), "(ref x [(+ y 1)])");
        assert_eq!(expr("f(g(x), [y])"), "(call f (call g x) (array y))");
        // `f (x)` is not a call: there the body goes on with a new literal.
        assert_eq!(body("f\n(x)"), ["f", "x"]);
    }

    #[test]
    fn collections() {
        assert_eq!(expr("[]"), "(array)");
        assert_eq!(expr("{}"), "(object)");
        assert_eq!(expr("[1, \"a\", [true]]"), "(array 1 \"a\" (array true))");
        assert_eq!(expr("[1, 2,]"), "(array 1 2)");
        assert_eq!(expr("[a + 1, b]"), "(array (+ a 1) b)");
        assert_eq!(expr("{1, 2}"), "(set 1 2)");
        assert_eq!(expr("{set()}"), "(set (set))");
        assert_eq!(expr("{x}"), "(set x)");
        assert_eq!(expr("{a + 1, b}"), "(set (+ a 1) b)");
        assert_eq!(
            expr("{\"a\": 1, \"b\": [2]}"),
            "(object (\"a\" 1) (\"b\" (array 2)))"
        );
        assert_eq!(
            expr("{1: 2, [3]: {4}}"),
            "(object (1 2) ((array 3) (set 4)))"
        );
        assert_eq!(
            expr("{k: v + 1, \"z\": 0,}"),
            "(object (k (+ v 1)) (\"z\" 0))"
        );
        assert_eq!(expr("{a + 1: b}"), "(object ((+ a 1) b))");
        assert_eq!(
            expr("{\n  \"a\": 1,\n  \"b\": 2\n}"),
            "(object (\"a\" 1) (\"b\" 2))"
        );
    }

    #[test]
    fn comprehensions() {
        assert_eq!(
            expr("[x | x := xs[_]]"),
            "(array-compr x {(:= x (ref xs [_]))})"
        );
        assert_eq!(
            expr("[x | some x in xs; x > 1]"),
            "(array-compr x {(some-in x xs); (> x 1)})"
        );
        assert_eq!(
            expr("[x | \n  some x in xs\n  x > 1\n]"),
            "(array-compr x {(some-in x xs); (> x 1)})"
        );
        assert_eq!(expr("{x | x := 1}"), "(set-compr x {(:= x 1)})");
        assert_eq!(
            expr("{k: v | some k, v in o}"),
            "(object-compr k v {(some-in k v o)})"
        );
        assert_eq!(
            expr("{k + 1: v | v := k}"),
            "(object-compr (+ k 1) v {(:= v k)})"
        );
        assert_eq!(expr("[a | b]"), "(array-compr a {b})");
        assert_eq!(expr("[-1 | true]"), "(array-compr -1 {true})");
        assert_eq!(
            expr("[f(x) | x := 1]"),
            "(array-compr (call f x) {(:= x 1)})"
        );
        // `|` after more than one operand is set union.
        assert_eq!(expr("[a + b | c]"), "(array (| (+ a b) c))");
        assert_eq!(expr("{a, b | c}"), "(set a (| b c))");
        assert_eq!(expr("{\"k\": a & b | c}"), "(object (\"k\" (| (& a b) c)))");
        let b = query("x := [y | y := 1]");
        let LiteralKind::Expr(Expr {
            kind: ExprKind::Binary { rhs, .. },
            ..
        }) = &b.literals[0].kind
        else {
            panic!()
        };
        let ExprKind::ArrayCompr { body, .. } = &rhs.kind else {
            panic!()
        };
        let source = src("x := [y | y := 1]");
        assert_eq!(text_of(&source, body.span), "y := 1");
        assert_eq!(text_of(&source, rhs.span), "[y | y := 1]");
    }

    #[test]
    fn expression_spans() {
        let text = "x := a.b[0] + f(c, d) * -e";
        let source = src(text);
        let b = parse_query(&source).unwrap();
        let LiteralKind::Expr(assign) = &b.literals[0].kind else {
            panic!()
        };
        assert_eq!(text_of(&source, assign.span), text);
        let ExprKind::Binary { rhs: sum, .. } = &assign.kind else {
            panic!()
        };
        assert_eq!(text_of(&source, sum.span), "a.b[0] + f(c, d) * -e");
        let ExprKind::Binary {
            lhs: r,
            rhs: product,
            ..
        } = &sum.kind
        else {
            panic!()
        };
        assert_eq!(text_of(&source, r.span), "a.b[0]");
        let ExprKind::Ref { head, path } = &r.kind else {
            panic!()
        };
        assert_eq!(text_of(&source, head.span), "a");
        let RefArg::Field(_, field_span) = &path[0] else {
            panic!()
        };
        assert_eq!(text_of(&source, *field_span), "b");
        let ExprKind::Binary {
            lhs: call,
            rhs: neg,
            ..
        } = &product.kind
        else {
            panic!()
        };
        let ExprKind::Call { name_span, .. } = &call.kind else {
            panic!()
        };
        assert_eq!(text_of(&source, call.span), "f(c, d)");
        assert_eq!(text_of(&source, *name_span), "f");
        assert_eq!(text_of(&source, neg.span), "-e");

        let source = src("y := data.lib.f(1) with input.x as 2 # c");
        let b = parse_query(&source).unwrap();
        assert_eq!(
            text_of(&source, b.span),
            "y := data.lib.f(1) with input.x as 2"
        );
        let lit = &b.literals[0];
        assert_eq!(text_of(&source, lit.with[0].span), "with input.x as 2");
        let LiteralKind::Expr(Expr {
            kind: ExprKind::Binary { rhs, .. },
            ..
        }) = &lit.kind
        else {
            panic!()
        };
        let ExprKind::Call { name_span, .. } = &rhs.kind else {
            panic!()
        };
        assert_eq!(text_of(&source, *name_span), "data.lib.f");
        let LiteralKind::Some(vars) = &query("some a, bb").literals[0].kind else {
            panic!()
        };
        assert_eq!(
            vars.iter()
                .map(|(_, s)| (s.start, s.end))
                .collect::<Vec<_>>(),
            [(5, 6), (8, 10)]
        );
        let LiteralKind::Every {
            key: Some((_, k)),
            value: (_, v),
            ..
        } = &query("every k, v in x { true }").literals[0].kind
        else {
            panic!()
        };
        assert_eq!((k.start, v.start), (6, 9));
    }

    #[test]
    fn nesting_up_to_the_limit_parses() {
        let d = MAX_NESTING - 1; // the rule body takes one level
        for (open, close) in [("[", "]"), ("(", ")"), ("{", "}"), ("[y | ", "]")] {
            let text = format!(
                "package t\np if {{ x := {}true{} }}",
                open.repeat(d),
                close.repeat(d)
            );
            assert_eq!(module(&text).rules.len(), 1, "{text}");
        }
        let text = format!("x := {}", vec!["1"; 1000].join(" + "));
        assert_eq!(query(&text).literals.len(), 1);
    }
}

mod conformance {
    use super::*;
    use serde::Deserialize;
    use std::path::{Path, PathBuf};

    /// Cases whose modules use syntax outside gavel's subset, each with the reason.
    const KNOWN_EXCEPTIONS: [(&str, &str); 3] = [
        (
            "defaultkeyword/function with var arg, ref head",
            "ref head `p.q.r.f(x)`",
        ),
        (
            "defaultkeyword/function with var arg, ref head query",
            "ref head `p.q.r.f(x)`",
        ),
        ("partialobjectdoc/ref", "ref heads `p.q[k]` and `p.baz`"),
    ];

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
        input_term: Option<String>,
        want_error_code: Option<String>,
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

    /// The modules of every case under `../shared/rego-conformance/v1`, or `None` when that
    /// folder is absent.
    fn cases() -> Option<Vec<(String, Case)>> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/rego-conformance/v1");
        if !root.is_dir() {
            println!("skipped: {} is absent", root.display());
            return None;
        }
        let mut files = Vec::new();
        yaml_files(&root, &mut files);
        files.sort();
        let mut out = Vec::new();
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            let parsed: File =
                serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            out.extend(
                parsed
                    .cases
                    .into_iter()
                    .map(|c| (file.display().to_string(), c)),
            );
        }
        Some(out)
    }

    /// The module texts of every conformance case (empty when the folder is absent).
    pub(super) fn module_texts() -> Vec<String> {
        cases()
            .unwrap_or_default()
            .into_iter()
            .flat_map(|(_, c)| c.modules)
            .collect()
    }

    #[test]
    fn every_conformance_module_parses() {
        let Some(cases) = cases() else { return };
        let mut failures = Vec::new();
        let mut unexpected_passes = Vec::new();
        let (mut modules, mut queries, mut terms, mut excepted) = (0, 0, 0, 0);
        for (file, case) in &cases {
            let exception = KNOWN_EXCEPTIONS.iter().find(|(note, _)| *note == case.note);
            let want_parse_error = case.want_error_code.as_deref() == Some("rego_parse_error");
            let mut module_failed = false;
            for (i, text) in case.modules.iter().enumerate() {
                let name = format!("{file}: {} (module {i})", case.note);
                match parse_module(&Source::new(name.as_str(), text.as_str())) {
                    Ok(_) => modules += 1,
                    Err(_) if exception.is_some() || want_parse_error => module_failed = true,
                    Err(e) => failures.push(e[0].render()),
                }
            }
            if module_failed {
                excepted += 1;
            } else if exception.is_some() || want_parse_error {
                unexpected_passes.push(case.note.clone());
            }
            let name = format!("{file}: {} (query)", case.note);
            match parse_query(&Source::new(name.as_str(), case.query.as_str())) {
                Ok(_) => queries += 1,
                Err(e) => failures.push(e[0].render()),
            }
            if let Some(term) = &case.input_term {
                let name = format!("{file}: {} (input_term)", case.note);
                match parse_query(&Source::new(name.as_str(), term.as_str())) {
                    Ok(_) => terms += 1,
                    Err(e) => failures.push(e[0].render()),
                }
            }
        }
        println!(
            "{} cases: parsed {modules} modules, {queries} queries and {terms} input terms; \
             {excepted} cases excepted",
            cases.len()
        );
        assert!(
            failures.is_empty(),
            "{} failures:\n{}",
            failures.len(),
            failures.join("\n")
        );
        assert!(
            unexpected_passes.is_empty(),
            "these cases are listed as not parsing, but parse: {unexpected_passes:?}"
        );
        assert_eq!(
            excepted,
            KNOWN_EXCEPTIONS.len(),
            "a known exception matches no case"
        );
    }
}

#[test]
fn the_benchmark_policy_parses() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/sidecars.rego");
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!("skipped: {} is absent", path.display());
        return;
    };
    let m = module(&text);
    assert_eq!(m.package, ["bench", "sidecars"]);
    assert!(m.rules.len() > 10, "{} rules", m.rules.len());
    assert!(m.comments.len() >= 4);
}

/// Rendered syntax errors, one snapshot per mistake (in `src/syntax/snapshots/`).
mod errors {
    use super::*;

    /// Snapshots the errors of `package a` followed by `rules`.
    fn check(name: &str, rules: &str) {
        check_module(name, &format!("package a\n\n{rules}\n"));
    }

    /// Snapshots the errors of `text`, which is kept as the snapshot's description.
    fn check_module(name: &str, text: &str) {
        insta::with_settings!({ description => text }, {
            insta::assert_snapshot!(name, module_errors(text));
        });
    }

    #[test]
    fn missing_package() {
        check_module("missing_package", "p := 1\n");
    }

    #[test]
    fn package_without_path() {
        check_module("package_without_path", "package\n");
    }

    #[test]
    fn body_without_if() {
        check("body_without_if", "allow {\n\tinput.user == \"admin\"\n}");
    }

    #[test]
    fn function_body_without_if() {
        check("function_body_without_if", "f(x) { x > 1 }");
    }

    #[test]
    fn v0_partial_set() {
        check("v0_partial_set", "deny[msg] {\n\tmsg := \"no\"\n}");
    }

    #[test]
    fn nothing_after_assign() {
        check("nothing_after_assign", "p if {\n\tx :=\n}");
    }

    #[test]
    fn nothing_after_operator_across_lines() {
        check("nothing_after_operator", "p if {\n\tx := input.a +\n}");
    }

    #[test]
    fn trailing_semicolon() {
        check("trailing_semicolon", "p if { x := 1; }");
    }

    #[test]
    fn wrong_closer() {
        check("wrong_closer", "p if { x := [1, 2) }");
    }

    #[test]
    fn unclosed_body() {
        check("unclosed_body", "p contains x if {\n\tx := 1\n");
    }

    #[test]
    fn unterminated_string() {
        check("unterminated_string", "msg := \"no closing quote\nq := 1");
    }

    #[test]
    fn invalid_escape() {
        check("invalid_escape", "p := \"C:\\data\"");
    }

    #[test]
    fn unterminated_raw_string() {
        check("unterminated_raw_string", "p := `no closing backtick\n");
    }

    #[test]
    fn keyword_as_rule_name() {
        check("keyword_as_rule_name", "contains := 1");
    }

    #[test]
    fn keyword_as_variable() {
        check("keyword_as_variable", "p if {\n\tsome in input.items\n}");
    }

    #[test]
    fn missing_comma_in_array() {
        check("missing_comma_in_array", "p := [1 2]");
    }

    #[test]
    fn missing_comma_in_object() {
        check("missing_comma_in_object", "p := {\"a\": 1 \"b\": 2}");
    }

    #[test]
    fn literals_on_one_line() {
        check("literals_on_one_line", "p if { x := 1 y := 2 }");
    }

    #[test]
    fn import_after_rules() {
        check("import_after_rules", "p := 1\n\nimport data.lib");
    }

    #[test]
    fn unknown_import_root() {
        check("unknown_import_root", "import lib.helpers");
    }

    #[test]
    fn ref_head() {
        check("ref_head", "a.b.c := 1");
    }

    #[test]
    fn dot_without_name() {
        check("dot_without_name", "p if {\n\tinput.\n}");
    }

    #[test]
    fn else_without_body_before_it() {
        check("else_without_body_before_it", "p := 1 else := 2");
    }

    #[test]
    fn else_on_partial_set() {
        check("else_on_partial_set", "p contains 1 if { true } else := 2");
    }

    #[test]
    fn rule_without_value_or_body() {
        check("rule_without_value_or_body", "allow");
    }

    #[test]
    fn default_not_constant() {
        check("default_not_constant", "default allow := input.ok");
    }

    #[test]
    fn negated_some() {
        check("negated_some", "p if { not some x in input.xs }");
    }

    #[test]
    fn every_without_body() {
        check("every_without_body", "p if {\n\tevery x in input.xs\n}");
    }

    #[test]
    fn leading_zero() {
        check("leading_zero", "p := 007");
    }

    #[test]
    fn compound_comprehension_term() {
        check(
            "compound_comprehension_term",
            "p := [x * 2 | some x in [1, 2]]",
        );
        check(
            "compound_comprehension_value",
            "p := {k: v + 1 | some k, v in input}",
        );
    }

    #[test]
    fn call_on_non_name() {
        check("call_on_non_name", "p := input.fns[0](1)");
    }

    #[test]
    fn double_minus() {
        check("double_minus", "p := --1");
    }

    #[test]
    fn too_deeply_nested() {
        let deep = format!("p := {}1{}", "[".repeat(40), "]".repeat(40));
        check("too_deeply_nested", &deep);
    }

    #[test]
    fn several_mistakes_in_one_module() {
        check(
            "several_mistakes",
            "p { true }\n\nq[x] { x := 1 }\n\nr if { a := 1 b := 2 }\n\ns.t := 3",
        );
    }

    #[test]
    fn query_errors() {
        for (name, text) in [
            ("query_incomplete", "data.test.p = "),
            ("query_extra_token", "data.test.p = x }"),
        ] {
            let rendered = match parse_query(&Source::new("query", text)) {
                Ok(_) => panic!("{text} parsed"),
                Err(e) => e
                    .iter()
                    .map(Diagnostic::render)
                    .collect::<Vec<_>>()
                    .join("\n"),
            };
            insta::with_settings!({ description => text }, {
                insta::assert_snapshot!(name, rendered);
            });
        }
    }
}

/// Mutated conformance modules: the parser must answer every one without panicking, and every
/// error must point into the text and never be an internal error.
mod fuzz {
    use super::*;

    use crate::test_rng::Rng;

    /// Pieces worth inserting: brackets, quotes, operators and keywords.
    const PIECES: [&str; 34] = [
        "{", "}", "[", "]", "(", ")", "\"", "`", "#", "\n", ";", ",", ".", ":", ":=", "=", "==",
        "|", "&", "-", "+", " ", "\\", "if", "else", "in", "some", "every", "not", "with", "as",
        "contains", "_", "0",
    ];

    fn mutate(rng: &mut Rng, text: &str) -> String {
        let mut bytes = text.as_bytes().to_vec();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(bytes.len() + 1);
            match rng.below(4) {
                0 if !bytes.is_empty() => {
                    let len = 1 + rng.below(8);
                    let end = (at + len).min(bytes.len());
                    bytes.drain(at.min(end)..end);
                }
                1 => {
                    let piece = PIECES[rng.below(PIECES.len())];
                    bytes.splice(at..at, piece.bytes());
                }
                2 if bytes.len() > 1 => {
                    let other = rng.below(bytes.len());
                    let at = at.min(bytes.len() - 1);
                    bytes.swap(at, other);
                }
                _ => {
                    let byte = (rng.next() & 0x7f) as u8;
                    bytes.insert(at, byte);
                }
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    }

    #[test]
    fn mutated_modules_never_panic() {
        let mut samples = conformance::module_texts();
        if samples.is_empty() {
            samples.push(
                "package t\n\np := x if {\n\tsome x in [1, {\"a\": 2}]\n\tx == 1 # c\n} else := 2\n"
                    .to_string(),
            );
        }
        let mut rng = Rng::new(0x9E37_79B9_7F4A_7C15);
        let (mut ok, mut rejected) = (0, 0);
        for _ in 0..3000 {
            let base = &samples[rng.below(samples.len())];
            let text = mutate(&mut rng, base);
            let source = Source::new("fuzz.rego", text.as_str());
            match parse_module(&source) {
                Ok(_) => ok += 1,
                Err(errors) => {
                    rejected += 1;
                    assert!(!errors.is_empty(), "no diagnostic for:\n{text}");
                    for e in &errors {
                        assert!(!e.message.contains("internal"), "{}\n{text}", e.render());
                        let location = e.location.as_ref().expect("located");
                        assert!(location.line <= text.lines().count() + 1, "{}", e.render());
                    }
                }
            }
        }
        println!("{ok} mutated modules parsed, {rejected} rejected");
        assert!(ok > 0 && rejected > 0);
    }
}
