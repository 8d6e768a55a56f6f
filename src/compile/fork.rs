//! Copies of a program that share no values with the original, one per evaluating thread.
//!
//! Values are reference-counted, and evaluation copies constants all the time (binding a
//! variable to `"app"`, passing `["containers", "initContainers"]` to a function). When two
//! threads copy the same constant, the cache line of its count moves between their cores on
//! every copy: on a two-thread scan that cost a tenth of the CPU time. A fork gives each thread
//! constants of its own. Sources and rule paths stay shared: evaluation only reads them.

use super::ir::*;
use super::map;
use crate::number::Number;
use crate::value::Value;
use std::sync::Arc;

impl Program {
    /// A copy of the program whose constants are not shared with this one.
    pub fn fork(&self) -> Program {
        Program {
            rules: self.rules.iter().map(fork_rule_set).collect(),
            tree: fork_node(&self.tree),
            input_free: self.input_free.clone(),
        }
    }
}

/// A copy of `v` that shares no reference-counted part with it.
pub fn fork_value(v: &Value) -> Value {
    match v {
        Value::Null => Value::Null,
        Value::Bool(b) => Value::Bool(*b),
        Value::Number(Number::Int(i)) => Value::int(*i),
        Value::Number(Number::Big(b)) => Value::Number(Number::Big(Arc::new((**b).clone()))),
        Value::String(s) => Value::string(s),
        Value::Array(items) => Value::array(items.iter().map(fork_value).collect()),
        Value::Object(o) => Value::object(
            o.iter()
                .map(|(k, v)| (fork_value(k), fork_value(v)))
                .collect(),
        ),
        Value::Set(s) => Value::set(s.iter().map(fork_value).collect()),
    }
}

fn fork_node(node: &DataNode) -> DataNode {
    DataNode {
        // The names become values (`data.pkg` as an object), so they are copied too.
        children: node
            .children
            .iter()
            .map(|(name, child)| (Arc::from(&**name), fork_node(child)))
            .collect(),
        rule: node.rule,
    }
}

fn fork_rule_set(rs: &RuleSet) -> RuleSet {
    RuleSet {
        path: rs.path.clone(),
        kind: rs.kind,
        defs: rs.defs.iter().map(fork_def).collect(),
        default: rs.default.as_ref().map(fork_term),
        default_frame: rs.default_frame,
        source: rs.source.clone(),
        span: rs.span,
    }
}

fn fork_def(def: &RuleDef) -> RuleDef {
    RuleDef {
        frame_size: def.frame_size,
        params: fork_terms(&def.params),
        key: def.key.as_ref().map(fork_term),
        value: fork_term(&def.value),
        body: fork_body(&def.body),
        elses: def
            .elses
            .iter()
            .map(|(value, body)| (fork_term(value), fork_body(body)))
            .collect(),
        source: def.source.clone(),
    }
}

/// Constants copied, variables kept.
struct Fork;

impl map::Mapper for Fork {
    fn value(&self, v: &Value) -> Value {
        fork_value(v)
    }
}

fn fork_body(body: &[Literal]) -> Body {
    map::body(body, &Fork)
}

fn fork_terms(terms: &[Term]) -> Vec<Term> {
    map::terms(terms, &Fork)
}

fn fork_term(t: &Term) -> Term {
    map::term(t, &Fork)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No reference-counted part of a forked value is the original's.
    fn shares_nothing(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::String(x), Value::String(y)) => !Arc::ptr_eq(x, y),
            (Value::Number(Number::Big(x)), Value::Number(Number::Big(y))) => !Arc::ptr_eq(x, y),
            (Value::Array(x), Value::Array(y)) => {
                !Arc::ptr_eq(x, y) && x.iter().zip(y.iter()).all(|(a, b)| shares_nothing(a, b))
            }
            (Value::Set(x), Value::Set(y)) => {
                !Arc::ptr_eq(x, y) && x.iter().zip(y.iter()).all(|(a, b)| shares_nothing(a, b))
            }
            (Value::Object(x), Value::Object(y)) => {
                !Arc::ptr_eq(x, y)
                    && x.iter().zip(y.iter()).all(|((ka, va), (kb, vb))| {
                        shares_nothing(ka, kb) && shares_nothing(va, vb)
                    })
            }
            _ => true,
        }
    }

    #[test]
    fn a_forked_value_is_equal_and_shares_nothing() {
        let v = Value::from_json_str(
            r#"{"a": [1, 2.5e400, "x", {"b": null, "c": [true]}], "d": "e", "f": 123456789012345678901234567890}"#,
        )
        .unwrap();
        let mut set = crate::value::Set::new();
        set.insert(v.clone());
        set.insert(Value::string("s"));
        let v = Value::array(vec![v, Value::set(set)]);
        let f = fork_value(&v);
        assert_eq!(f, v);
        assert!(shares_nothing(&v, &f));
    }

    #[test]
    fn a_forked_program_has_its_own_constants() {
        let text = r#"package p
            kinds := {"Deployment", "Job"}
            roles := {"app": "container", "init": "init container"}
            label(r) := roles[r]
            out contains label(r) if {
                some r in ["app", "init", "other"]
                input.kind in kinds
            }
            names := object.keys(data.q)
        "#;
        let mut engine = crate::Engine::new();
        engine.add_policy("p.rego", text).unwrap();
        engine
            .add_policy("q.rego", "package q\nx := 1\ny := 2\n")
            .unwrap();
        let policy = engine.compile().unwrap();
        let program = policy.program();
        let forked = program.fork();
        // Every constant of the fork is a copy.
        let constants = |p: &Program| {
            let mut out = vec![];
            for rs in &p.rules {
                for def in &rs.defs {
                    collect_constants(&def.value, &mut out);
                    for lit in &def.body {
                        if let LiteralKind::SomeIn { collection, .. } = &lit.kind {
                            collect_constants(collection, &mut out);
                        }
                    }
                }
            }
            out
        };
        let (a, b) = (constants(program), constants(&forked));
        assert!(a.len() >= 3, "{a:?}");
        assert_eq!(a, b);
        for (x, y) in a.iter().zip(&b) {
            assert!(shares_nothing(x, y), "{x} is shared");
        }
        assert_eq!(format!("{:?}", program.tree), format!("{:?}", forked.tree));
    }

    fn collect_constants(t: &Term, out: &mut Vec<Value>) {
        match t {
            Term::Value(v) => out.push(v.clone()),
            Term::Array(items) | Term::Set(items) => {
                items.iter().for_each(|i| collect_constants(i, out))
            }
            Term::Object(items) => items.iter().for_each(|(k, v)| {
                collect_constants(k, out);
                collect_constants(v, out)
            }),
            _ => {}
        }
    }
}
