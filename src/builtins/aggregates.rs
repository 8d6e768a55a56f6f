//! Aggregates over collections: `count`, `sum`, `product`, `max`, `min`, `sort`, `union`,
//! `intersection`, and the membership built-ins behind `in` (`internal.member_2`,
//! `internal.member_3`).

use super::args::{self, element_err, type_err};
use super::{Builtin, BuiltinError};
use crate::number::Number;
use crate::value::{Set, Value};
use std::borrow::Borrow;

pub(super) fn builtins() -> Vec<Builtin> {
    vec![
        Builtin {
            name: "count",
            arity: 1,
            func: count,
            by_ref: Some(|a| count(a)),
        },
        Builtin {
            name: "sum",
            arity: 1,
            func: sum,
            by_ref: None,
        },
        Builtin {
            name: "product",
            arity: 1,
            func: product,
            by_ref: None,
        },
        Builtin {
            name: "max",
            arity: 1,
            func: max,
            by_ref: None,
        },
        Builtin {
            name: "min",
            arity: 1,
            func: min,
            by_ref: None,
        },
        Builtin {
            name: "sort",
            arity: 1,
            func: sort,
            by_ref: None,
        },
        Builtin {
            name: "union",
            arity: 1,
            func: union,
            by_ref: None,
        },
        Builtin {
            name: "intersection",
            arity: 1,
            func: intersection,
            by_ref: None,
        },
        Builtin {
            name: "internal.member_2",
            arity: 2,
            func: member_2,
            by_ref: Some(|a| member_2(a)),
        },
        Builtin {
            name: "internal.member_3",
            arity: 3,
            func: member_3,
            by_ref: Some(|a| member_3(a)),
        },
    ]
}

fn count<A: Borrow<Value>>(a: &[A]) -> Result<Value, BuiltinError> {
    let x = args::arg("count", a, 0)?;
    let n = match x {
        Value::Array(items) => items.len(),
        Value::Object(map) => map.len(),
        Value::Set(items) => items.len(),
        Value::String(s) => s.chars().count(),
        _ => {
            return Err(type_err(
                "count",
                1,
                x,
                &["array", "object", "set", "string"],
            ))
        }
    };
    Ok(Value::Number(Number::from(n)))
}

/// The numbers of an array or set, for `sum` and `product`.
fn numbers<'a>(name: &str, a: &'a [Value]) -> Result<Vec<&'a Number>, BuiltinError> {
    let x = args::arg(name, a, 0)?;
    let items = args::members(x).ok_or_else(|| type_err(name, 1, x, &["set", "array"]))?;
    items
        .into_iter()
        .map(|item| {
            item.as_number()
                .ok_or_else(|| element_err(name, 1, x, item, &["number"]))
        })
        .collect()
}

fn sum(a: &[Value]) -> Result<Value, BuiltinError> {
    let total = numbers("sum", a)?
        .into_iter()
        .fold(Number::Int(0), |acc, n| acc.add(n));
    Ok(Value::Number(total))
}

fn product(a: &[Value]) -> Result<Value, BuiltinError> {
    let total = numbers("product", a)?
        .into_iter()
        .fold(Number::Int(1), |acc, n| acc.mul(n));
    Ok(Value::Number(total))
}

/// The members of an array or a set, or OPA's type error.
fn collection<'a>(name: &str, a: &'a [Value]) -> Result<Vec<&'a Value>, BuiltinError> {
    let x = args::arg(name, a, 0)?;
    args::members(x).ok_or_else(|| type_err(name, 1, x, &["set", "array"]))
}

/// The greatest member; undefined (not an error) for an empty collection, as in OPA.
fn max(a: &[Value]) -> Result<Value, BuiltinError> {
    let items = collection("max", a)?;
    items
        .into_iter()
        .max()
        .cloned()
        .ok_or_else(BuiltinError::undefined)
}

/// The least member; undefined (not an error) for an empty collection, as in OPA.
fn min(a: &[Value]) -> Result<Value, BuiltinError> {
    let items = collection("min", a)?;
    items
        .into_iter()
        .min()
        .cloned()
        .ok_or_else(BuiltinError::undefined)
}

fn sort(a: &[Value]) -> Result<Value, BuiltinError> {
    let mut items: Vec<Value> = collection("sort", a)?.into_iter().cloned().collect();
    items.sort();
    Ok(Value::array(items))
}

/// The member sets of a set of sets.
fn sets<'a>(name: &str, a: &'a [Value]) -> Result<Vec<&'a Set>, BuiltinError> {
    let outer = args::set(name, a, 0)?;
    outer
        .iter()
        .map(|item| {
            item.as_set()
                .ok_or_else(|| type_err(name, 1, item, &["set"]))
        })
        .collect()
}

fn union(a: &[Value]) -> Result<Value, BuiltinError> {
    let mut out = Set::new();
    for s in sets("union", a)? {
        out.extend(s.iter().cloned());
    }
    Ok(Value::set(out))
}

fn intersection(a: &[Value]) -> Result<Value, BuiltinError> {
    let mut result: Option<Set> = None;
    for s in sets("intersection", a)? {
        result = Some(match result {
            None => s.clone(),
            Some(acc) => acc.intersection(s).cloned().collect(),
        });
    }
    Ok(Value::set(result.unwrap_or_default()))
}

/// `x in xs`: membership among the values of a set, array or object; false for anything else.
fn member_2<A: Borrow<Value>>(a: &[A]) -> Result<Value, BuiltinError> {
    let x = args::arg("internal.member_2", a, 0)?;
    let found = match args::arg("internal.member_2", a, 1)? {
        Value::Set(items) => items.contains(x),
        Value::Array(items) => items.contains(x),
        Value::Object(map) => map.values().any(|v| v == x),
        _ => false,
    };
    Ok(Value::Bool(found))
}

/// `k, x in xs`: `xs[k] == x` for arrays and objects, `k == x` and a member for sets.
fn member_3<A: Borrow<Value>>(a: &[A]) -> Result<Value, BuiltinError> {
    let key = args::arg("internal.member_3", a, 0)?;
    let val = args::arg("internal.member_3", a, 1)?;
    let found = match args::arg("internal.member_3", a, 2)? {
        Value::Set(items) => items.contains(key) && key == val,
        col @ (Value::Array(_) | Value::Object(_)) => col.index(key) == Some(val),
        _ => false,
    };
    Ok(Value::Bool(found))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::testutil::{call, call_err, n, s, set, v};
    use crate::error::ErrorKind;
    use crate::value::Value;

    #[test]
    fn count_every_collection() {
        assert_eq!(call("count", &[v("[1, 2, 3, 4]")]), v("4"));
        assert_eq!(
            call("count", &[v(r#"{"v1": "hello", "v2": "goodbye"}"#)]),
            v("2")
        );
        assert_eq!(call("count", &[set(&["1", "2", "3", "4"])]), v("4"));
        assert_eq!(call("count", &[s("abcde")]), v("5"));
        assert_eq!(call("count", &[s("åäö")]), v("3"));
        let e = call_err("count", &[v("null")]);
        assert_eq!(e.kind, ErrorKind::EvalType);
        assert_eq!(
            e.message,
            "count: operand 1 must be one of {array, object, set, string} but got null"
        );
        assert_eq!(
            call_err("count", &[v("5")]).message,
            "count: operand 1 must be one of {array, object, set, string} but got number"
        );
    }

    #[test]
    fn sum_and_product() {
        assert_eq!(call("sum", &[v("[1, 2, 3, 4]")]), v("10"));
        assert_eq!(call("sum", &[set(&["1", "2", "3", "4"])]), v("10"));
        assert_eq!(call("sum", &[v("[49649733057, 1]")]), v("49649733058"));
        assert_eq!(call("sum", &[v("[]")]), v("0"));
        assert_eq!(
            call("sum", &[v("[18446744073709551617, 1]")]),
            n("18446744073709551618")
        );
        assert_eq!(
            call("sum", &[set(&["9223372036854775807", "1", "2"])]),
            n("9223372036854775810")
        );
        assert_eq!(
            call("sum", &[v("[-9223372036854775808, -1]")]),
            n("-9223372036854775809")
        );
        assert_eq!(call("sum", &[v("[1.5, 2.5]")]), v("4"));
        assert_eq!(call("sum", &[v("[1, 2.5]")]), n("3.5"));
        assert_eq!(call("product", &[v("[1, 2, 3, 4]")]), v("24"));
        assert_eq!(call("product", &[set(&["1", "2", "3", "4"])]), v("24"));
        assert_eq!(
            call("product", &[v("[18446744073709551617, 2]")]),
            n("36893488147419103234")
        );
        assert_eq!(call("product", &[v("[1.5, 2]")]), v("3"));
        assert_eq!(call("product", &[v("[]")]), v("1"));
        assert_eq!(
            call_err("sum", &[v(r#"[1, "a"]"#)]).message,
            "sum: operand 1 must be array of numbers but got array containing string"
        );
        assert_eq!(
            call_err("product", &[set(&["true"])]).message,
            "product: operand 1 must be set of numbers but got set containing boolean"
        );
        assert_eq!(
            call_err("sum", &[v("{}")]).message,
            "sum: operand 1 must be one of {set, array} but got object"
        );
    }

    #[test]
    fn max_min_sort() {
        assert_eq!(call("max", &[v("[1, 2, 3, 4]")]), v("4"));
        assert_eq!(call("max", &[set(&["1", "2", "3", "4"])]), v("4"));
        assert_eq!(call("min", &[v("[1, 2, 1, 3, 4]")]), v("1"));
        assert_eq!(call("min", &[v("[3, 2, 1, 4, 6, -7, 10]")]), v("-7"));
        assert_eq!(call("min", &[set(&["1", "2"])]), v("1"));
        assert_eq!(call("max", &[v(r#"[1, "a", null]"#)]), s("a"));
        let e = call_err("max", &[v("[]")]);
        assert!(e.is_undefined());
        assert!(call_err("min", &[set(&[])]).is_undefined());
        assert_eq!(
            call_err("max", &[v("1")]).message,
            "max: operand 1 must be one of {set, array} but got number"
        );
        assert_eq!(call("sort", &[v("[4, 3, 2, 1]")]), v("[1, 2, 3, 4]"));
        assert_eq!(
            call("sort", &[set(&["1", "2", "3", "4"])]),
            v("[1, 2, 3, 4]")
        );
        assert_eq!(
            call("sort", &[v(r#"[[1], "b", 1, null, {"a": 1}]"#)]),
            v(r#"[null, 1, "b", [1], {"a": 1}]"#)
        );
        assert_eq!(
            call_err("sort", &[s("x")]).message,
            "sort: operand 1 must be one of {set, array} but got string"
        );
    }

    #[test]
    fn union_and_intersection() {
        assert_eq!(call("union", &[v("set()")]), v("set()"));
        assert_eq!(call("union", &[v("{set(), {1, 2}}")]), v("{1, 2}"));
        assert_eq!(call("union", &[v("{{1, 2, 3}, {2}}")]), v("{1, 2, 3}"));
        assert_eq!(
            call("union", &[v("{{1, 2, 3}, {2, 3, 4}, {4, 5, 6}}")]),
            v("{1, 2, 3, 4, 5, 6}")
        );
        assert_eq!(call("intersection", &[v("set()")]), v("set()"));
        assert_eq!(call("intersection", &[v("{set(), {1, 2}}")]), v("set()"));
        assert_eq!(call("intersection", &[v("{{1, 2, 3}, {2}}")]), v("{2}"));
        assert_eq!(
            call("intersection", &[v("{{1, 2, 3}, {2, 3, 4}, {4, 5, 6}}")]),
            v("set()")
        );
        assert_eq!(
            call(
                "intersection",
                &[v(
                    r#"{{"a", "b", "c", "d"}, {"b", "c", "d"}, {"c", "d"}, {"d"}}"#
                )]
            ),
            v(r#"{"d"}"#)
        );
        assert_eq!(
            call_err("union", &[v("[]")]).message,
            "union: operand 1 must be set but got array"
        );
        assert_eq!(
            call_err("intersection", &[v("{1, {2}}")]).message,
            "intersection: operand 1 must be set but got number"
        );
    }

    #[test]
    fn membership() {
        let t = Value::Bool(true);
        let f = Value::Bool(false);
        assert_eq!(call("internal.member_2", &[v("1"), v("{1}")]), t);
        assert_eq!(call("internal.member_2", &[v("1"), v("[1]")]), t);
        assert_eq!(call("internal.member_2", &[v("1"), v(r#"{"foo": 1}"#)]), t);
        assert_eq!(call("internal.member_2", &[v("1"), v("{2}")]), f);
        assert_eq!(call("internal.member_2", &[v("1"), s("foo")]), f);
        assert_eq!(call("internal.member_2", &[s("foo"), v("1")]), f);
        assert_eq!(
            call("internal.member_3", &[s("foo"), v("1"), v(r#"{"foo": 1}"#)]),
            t
        );
        assert_eq!(
            call(
                "internal.member_3",
                &[v("1"), s("two"), v(r#"["one", "two"]"#)]
            ),
            t
        );
        assert_eq!(call("internal.member_3", &[v("1"), v("1"), v("{1}")]), t);
        assert_eq!(call("internal.member_3", &[v("1"), v("2"), v("{1}")]), f);
        assert_eq!(call("internal.member_3", &[v("1"), s("foo"), v("1")]), f);
    }
}
