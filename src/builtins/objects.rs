//! Object built-ins: `object.get` (a key or an array path), `object.keys`, `object.remove`,
//! `object.filter`, `object.union` and `object.union_n`.

use super::args::{self, element_err, type_err};
use super::{Builtin, BuiltinError};
use crate::value::{Object, Set, Value};
use std::borrow::Borrow;

pub(super) fn builtins() -> Vec<Builtin> {
    vec![
        Builtin {
            name: "object.get",
            arity: 3,
            func: get,
            by_ref: Some(|a| get(a)),
        },
        Builtin {
            name: "object.keys",
            arity: 1,
            func: keys,
            by_ref: None,
        },
        Builtin {
            name: "object.remove",
            arity: 2,
            func: remove,
            by_ref: None,
        },
        Builtin {
            name: "object.filter",
            arity: 2,
            func: filter,
            by_ref: None,
        },
        Builtin {
            name: "object.union",
            arity: 2,
            func: union,
            by_ref: None,
        },
        Builtin {
            name: "object.union_n",
            arity: 1,
            func: union_n,
            by_ref: None,
        },
    ]
}

/// `object.get(obj, key, default)`; an array key is a path through objects, arrays and sets.
fn get<A: Borrow<Value>>(a: &[A]) -> Result<Value, BuiltinError> {
    let obj = args::object("object.get", a, 0)?;
    let key = args::arg("object.get", a, 1)?;
    let default = args::arg("object.get", a, 2)?;
    let Value::Array(path) = key else {
        return Ok(obj.get(key).unwrap_or(default).clone());
    };
    let mut cur = args::arg("object.get", a, 0)?;
    for step in path.iter() {
        match cur.index(step) {
            Some(next) => cur = next,
            None => return Ok(default.clone()),
        }
    }
    Ok(cur.clone())
}

fn keys(a: &[Value]) -> Result<Value, BuiltinError> {
    let obj = args::object("object.keys", a, 0)?;
    Ok(Value::set(obj.keys().cloned().collect()))
}

/// The keys named by an array, a set or an object's keys (operand 2 of remove and filter).
fn key_set(name: &str, a: &[Value]) -> Result<Set, BuiltinError> {
    let v = args::arg(name, a, 1)?;
    match v {
        Value::Array(items) => Ok(items.iter().cloned().collect()),
        Value::Set(items) => Ok((**items).clone()),
        Value::Object(map) => Ok(map.keys().cloned().collect()),
        _ => Err(type_err(name, 2, v, &["object", "set", "array"])),
    }
}

fn remove(a: &[Value]) -> Result<Value, BuiltinError> {
    let obj = args::object("object.remove", a, 0)?;
    let drop = key_set("object.remove", a)?;
    Ok(Value::object(
        obj.iter()
            .filter(|(k, _)| !drop.contains(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    ))
}

fn filter(a: &[Value]) -> Result<Value, BuiltinError> {
    let obj = args::object("object.filter", a, 0)?;
    let keep = key_set("object.filter", a)?;
    Ok(Value::object(
        obj.iter()
            .filter(|(k, _)| keep.contains(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    ))
}

/// Merges `b` into `a`: `b` wins, except that two objects under one key are merged too.
fn merge(a: &Object, b: &Object) -> Object {
    let mut out = a.clone();
    for (k, vb) in b.iter() {
        let merged = match (out.get(k), vb) {
            (Some(Value::Object(oa)), Value::Object(ob)) => Value::object(merge(oa, ob)),
            _ => vb.clone(),
        };
        out.insert(k.clone(), merged);
    }
    out
}

fn union(a: &[Value]) -> Result<Value, BuiltinError> {
    let x = args::object("object.union", a, 0)?;
    let y = args::object("object.union", a, 1)?;
    Ok(Value::object(merge(x, y)))
}

fn union_n(a: &[Value]) -> Result<Value, BuiltinError> {
    let arr = args::array("object.union_n", a, 0)?;
    let coll = args::arg("object.union_n", a, 0)?;
    let mut out = Object::new();
    for item in arr.iter() {
        let obj = item
            .as_object()
            .ok_or_else(|| element_err("object.union_n", 1, coll, item, &["object"]))?;
        out = merge(&out, obj);
    }
    Ok(Value::object(out))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{call, call_err, s, set, v};

    #[test]
    fn get_by_key_and_path() {
        let g = |o: &str, k: &str, d: &str| call("object.get", &[v(o), v(k), v(d)]);
        assert_eq!(g(r#"{"a": "b"}"#, r#""a""#, r#""c""#), s("b"));
        assert_eq!(g(r#"{"a": "b"}"#, r#""c""#, r#""c""#), s("c"));
        assert_eq!(g("{1: 2}", "1", "3"), v("2"));
        assert_eq!(g("{1: 2}", "2", "3"), v("3"));
        assert_eq!(
            g(r#"{"a": {"b": "c"}}"#, r#""a""#, "true"),
            v(r#"{"b": "c"}"#)
        );
        assert_eq!(g(r#"{"a": {"b": "c"}}"#, r#""b""#, "true"), v("true"));
        assert_eq!(g(r#"{"a": 1}"#, "[]", "2"), v(r#"{"a": 1}"#));
        assert_eq!(g(r#"{"a": 1}"#, r#"["a"]"#, "2"), v("1"));
        assert_eq!(
            g(r#"{"a": {"b": {"c": 1}}}"#, r#"["a", "b", "c"]"#, "2"),
            v("1")
        );
        assert_eq!(g(r#"{"a": {"b": 1}}"#, r#"["b", "a"]"#, "2"), v("2"));
        assert_eq!(
            g(r#"{"a": {"b": {"c": 1}}}"#, r#"["a", "b", "a"]"#, "2"),
            v("2")
        );
        assert_eq!(
            g(
                r#"{1: {"b": {[1, 2, 3]: 1}}}"#,
                r#"[1, "b", [1, 2, 3]]"#,
                "2"
            ),
            v("1")
        );
        assert_eq!(
            g(r#"{"a": {"b": [1, 2, 3]}}"#, r#"["a", "b", "a"]"#, "2"),
            v("2")
        );
        assert_eq!(
            g(r#"{"a": {"b": [{"c": 1}]}}"#, r#"["a", "b", 0, "c"]"#, "2"),
            v("1")
        );
        assert_eq!(g(r#"{"a": {"x"}}"#, r#"["a", "x"]"#, "2"), s("x"));
        assert_eq!(
            call_err("object.get", &[s("x"), v(r#"["a"]"#), v("2")]).message,
            "object.get: operand 1 must be object but got string"
        );
    }

    #[test]
    fn keys_remove_filter() {
        assert_eq!(
            call("object.keys", &[v(r#"{"a": 1, "b": 2}"#)]),
            set(&[r#""a""#, r#""b""#])
        );
        assert_eq!(call("object.keys", &[v("{1: 1, 2: 2}")]), set(&["1", "2"]));
        assert_eq!(
            call("object.keys", &[v(r#"{{"a"}: 1, ["b"]: 2}"#)]),
            v(r#"{{"a"}, ["b"]}"#)
        );
        assert_eq!(call("object.keys", &[v("{}")]), v("set()"));
        assert_eq!(
            call_err("object.keys", &[s("x")]).message,
            "object.keys: operand 1 must be object but got string"
        );
        let o = r#"{"a": 1, "b": 2, "c": 3}"#;
        assert_eq!(
            call("object.remove", &[v(o), v(r#"["a", "x"]"#)]),
            v(r#"{"b": 2, "c": 3}"#)
        );
        assert_eq!(
            call("object.remove", &[v(o), v(r#"{"b"}"#)]),
            v(r#"{"a": 1, "c": 3}"#)
        );
        assert_eq!(
            call("object.remove", &[v(o), v(r#"{"c": 0}"#)]),
            v(r#"{"a": 1, "b": 2}"#)
        );
        assert_eq!(
            call("object.filter", &[v(o), v(r#"["a", "x"]"#)]),
            v(r#"{"a": 1}"#)
        );
        assert_eq!(
            call("object.filter", &[v(o), v(r#"{"b", "c"}"#)]),
            v(r#"{"b": 2, "c": 3}"#)
        );
        assert_eq!(
            call_err("object.remove", &[v(o), s("a")]).message,
            "object.remove: operand 2 must be one of {object, set, array} but got string"
        );
        assert_eq!(
            call_err("object.filter", &[v("[]"), v("[]")]).message,
            "object.filter: operand 1 must be object but got array"
        );
    }

    #[test]
    fn unions() {
        assert_eq!(
            call(
                "object.union",
                &[
                    v(r#"{"a": 1, "b": {"c": 1}}"#),
                    v(r#"{"b": {"d": 2}, "e": 3}"#)
                ]
            ),
            v(r#"{"a": 1, "b": {"c": 1, "d": 2}, "e": 3}"#)
        );
        assert_eq!(
            call("object.union", &[v(r#"{"a": {"b": 1}}"#), v(r#"{"a": 2}"#)]),
            v(r#"{"a": 2}"#)
        );
        assert_eq!(
            call_err("object.union", &[v("{}"), v("1")]).message,
            "object.union: operand 2 must be object but got number"
        );
        assert_eq!(
            call(
                "object.union_n",
                &[v(r#"[{"a": {"b": 2}}, {"a": 4}, {"a": {"c": 3}}]"#)]
            ),
            v(r#"{"a": {"c": 3}}"#)
        );
        assert_eq!(
            call(
                "object.union_n",
                &[v(r#"[{"a": 1}, {"b": {"c": 1}}, {"b": {"d": 1}}]"#)]
            ),
            v(r#"{"a": 1, "b": {"c": 1, "d": 1}}"#)
        );
        assert_eq!(call("object.union_n", &[v("[]")]), v("{}"));
        assert_eq!(
            call_err("object.union_n", &[v("[{}, 1]")]).message,
            "object.union_n: operand 1 must be array of objects but got array containing number"
        );
    }
}
