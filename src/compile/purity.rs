//! Which rules and functions never read `input`.
//!
//! Such a rule's value, or such a function's result for given arguments, is the same for every
//! input evaluated against the same data, so the evaluator may remember it from one document to
//! the next (see `eval::memo`). A rule is input-free when none of its definitions, `else`
//! clauses or default mentions `input`, uses `with`, or refers to a rule (directly, through a
//! call, or through a `data` path above it) that is not input-free.

use super::ir::*;

/// For each rule of the program, whether it is input-free.
pub(crate) fn input_free(program: &Program) -> Vec<bool> {
    let mut state = vec![State::Unknown; program.rules.len()];
    (0..program.rules.len())
        .map(|id| visit(program, id, &mut state))
        .collect()
}

#[derive(Clone, Copy, PartialEq)]
enum State {
    Unknown,
    /// Being visited: a cycle (which the compiler rejects before this runs) counts as impure.
    Visiting,
    Known(bool),
}

fn visit(program: &Program, id: RuleId, state: &mut Vec<State>) -> bool {
    match state[id] {
        State::Known(free) => return free,
        State::Visiting => return false,
        State::Unknown => {}
    }
    state[id] = State::Visiting;
    let rs = &program.rules[id];
    let mut deps = vec![];
    let mut free = rs
        .default
        .as_ref()
        .is_none_or(|t| term_free(program, t, &mut deps));
    for def in &rs.defs {
        free =
            free && def.params.iter().all(|t| term_free(program, t, &mut deps))
                && def
                    .key
                    .as_ref()
                    .is_none_or(|t| term_free(program, t, &mut deps))
                && term_free(program, &def.value, &mut deps)
                && body_free(program, &def.body, &mut deps)
                && def.elses.iter().all(|(v, b)| {
                    term_free(program, v, &mut deps) && body_free(program, b, &mut deps)
                });
    }
    let free = free && deps.into_iter().all(|d| visit(program, d, state));
    state[id] = State::Known(free);
    free
}

/// Whether a body mentions neither `input` nor `with`; the rules it refers to go to `deps`.
fn body_free(program: &Program, body: &Body, deps: &mut Vec<RuleId>) -> bool {
    body.iter().all(|lit| {
        lit.with.is_empty()
            && match &lit.kind {
                LiteralKind::Expr(t) => term_free(program, t, deps),
                LiteralKind::Unify(a, b) => {
                    term_free(program, a, deps) && term_free(program, b, deps)
                }
                LiteralKind::Not(b) => body_free(program, b, deps),
                LiteralKind::SomeIn {
                    key,
                    value,
                    collection,
                } => {
                    key.as_ref().is_none_or(|k| term_free(program, k, deps))
                        && term_free(program, value, deps)
                        && term_free(program, collection, deps)
                }
                LiteralKind::Every {
                    collection, body, ..
                } => term_free(program, collection, deps) && body_free(program, body, deps),
                LiteralKind::Inline { body, .. } => body_free(program, body, deps),
                LiteralKind::True => true,
            }
    })
}

fn term_free(program: &Program, t: &Term, deps: &mut Vec<RuleId>) -> bool {
    let all = |ts: &[Term], deps: &mut Vec<RuleId>| ts.iter().all(|t| term_free(program, t, deps));
    match t {
        Term::Value(_) | Term::Var(_) => true,
        Term::Input => false,
        Term::Rule(id) => {
            deps.push(*id);
            true
        }
        Term::Data(path) => {
            // `data.a.b` merges base data with every rule below `a.b`.
            let mut node = &program.tree;
            for seg in path.iter() {
                match node.children.get(seg) {
                    Some(n) => node = n,
                    None => return true,
                }
            }
            rules_under(node, deps);
            true
        }
        Term::Ref(head, path) => term_free(program, head, deps) && all(path, deps),
        Term::Call(callee, args, _) => {
            match callee {
                Callee::Rule { id, .. } => deps.push(*id),
                // `print` output must appear on every call, so its callers are never remembered.
                Callee::Print => return false,
                Callee::Builtin(_) => {}
            }
            all(args, deps)
        }
        Term::Array(items) | Term::Set(items) => all(items, deps),
        Term::Object(items) => items
            .iter()
            .all(|(k, v)| term_free(program, k, deps) && term_free(program, v, deps)),
        Term::ArrayCompr(head, body) | Term::SetCompr(head, body) => {
            term_free(program, head, deps) && body_free(program, body, deps)
        }
        Term::ObjectCompr(k, v, body) => {
            term_free(program, k, deps)
                && term_free(program, v, deps)
                && body_free(program, body, deps)
        }
        Term::Member(k, v, c) => {
            k.as_deref().is_none_or(|k| term_free(program, k, deps))
                && term_free(program, v, deps)
                && term_free(program, c, deps)
        }
    }
}

fn rules_under(node: &DataNode, deps: &mut Vec<RuleId>) {
    deps.extend(node.rule);
    for child in node.children.values() {
        rules_under(child, deps);
    }
}

#[cfg(test)]
mod tests {
    use crate::Engine;

    /// Whether each named rule of package `p` is input-free.
    fn free(text: &str, names: &[&str]) -> Vec<bool> {
        let mut engine = Engine::new();
        engine.add_policy("p.rego", text).unwrap();
        let sub = "package p.sub\nk := input.kind\n";
        engine.add_policy("sub.rego", sub).unwrap();
        let policy = engine.compile().unwrap();
        let program = policy.program();
        names
            .iter()
            .map(|n| {
                let id = program
                    .rules
                    .iter()
                    .position(|r| r.path.join(".") == format!("p.{n}"))
                    .unwrap();
                program.input_free[id]
            })
            .collect()
    }

    #[test]
    fn rules_that_read_input_directly_or_through_others_are_not_input_free() {
        let text = r#"package p
            k := input.kind
            c := 3
            f(x) := x + c
            g(x) := x if k == "Pod"
            h(x) := y if { y := [z | some z in data.p.all; z == x] }
            all := {1, 2}
            t(x) := x if { x == input.a }
            q := data.p.sub
            w(x) := x if { x == 1 with input as 2 }
            pr(x) := x if { print(x) }
        "#;
        assert_eq!(
            free(text, &["k", "c", "f", "g", "h", "all", "t", "q", "w", "pr"]),
            [false, true, true, false, true, true, false, false, false, false]
        );
    }
}
