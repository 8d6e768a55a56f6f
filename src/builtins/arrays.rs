//! Array built-ins: `array.concat`, `array.slice`, `array.reverse` and `array.flatten`.

use super::args;
use super::{Builtin, BuiltinError};
use crate::value::Value;

pub(super) fn builtins() -> Vec<Builtin> {
    vec![
        Builtin {
            name: "array.concat",
            arity: 2,
            func: concat,
            by_ref: None,
        },
        Builtin {
            name: "array.slice",
            arity: 3,
            func: slice,
            by_ref: None,
        },
        Builtin {
            name: "array.reverse",
            arity: 1,
            func: reverse,
            by_ref: None,
        },
        Builtin {
            name: "array.flatten",
            arity: 1,
            func: flatten,
            by_ref: None,
        },
    ]
}

fn concat(a: &[Value]) -> Result<Value, BuiltinError> {
    let x = args::array("array.concat", a, 0)?;
    let y = args::array("array.concat", a, 1)?;
    Ok(Value::array(x.iter().chain(y.iter()).cloned().collect()))
}

/// `arr[start:stop]`, both indexes clamped into range (an empty array when `stop < start`).
fn slice(a: &[Value]) -> Result<Value, BuiltinError> {
    let arr = args::array("array.slice", a, 0)?;
    let start = args::int("array.slice", a, 1)?;
    let stop = args::int("array.slice", a, 2)?;
    let len = arr.len();
    let stop = usize::try_from(stop.max(0)).unwrap_or(usize::MAX).min(len);
    let start = usize::try_from(start.max(0))
        .unwrap_or(usize::MAX)
        .min(stop);
    Ok(Value::array(arr[start..stop].to_vec()))
}

fn reverse(a: &[Value]) -> Result<Value, BuiltinError> {
    let arr = args::array("array.reverse", a, 0)?;
    Ok(Value::array(arr.iter().rev().cloned().collect()))
}

/// Flattens one level: array members are spliced in, anything else is kept.
fn flatten(a: &[Value]) -> Result<Value, BuiltinError> {
    let arr = args::array("array.flatten", a, 0)?;
    let mut out = Vec::with_capacity(arr.len());
    for item in arr.iter() {
        match item {
            Value::Array(inner) => out.extend(inner.iter().cloned()),
            other => out.push(other.clone()),
        }
    }
    Ok(Value::array(out))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{call, call_err, n, v};

    #[test]
    fn array_functions() {
        assert_eq!(
            call("array.concat", &[v("[1, 2]"), v("[3, 4]")]),
            v("[1, 2, 3, 4]")
        );
        assert_eq!(
            call_err("array.concat", &[v(r#"{"v1": "hello"}"#), v("[3]")]).message,
            "array.concat: operand 1 must be array but got object"
        );
        assert_eq!(
            call_err("array.concat", &[v("[1]"), v(r#"{"v1": "hello"}"#)]).message,
            "array.concat: operand 2 must be array but got object"
        );
        let sl = |x: &str, i: &str, j: &str| call("array.slice", &[v(x), v(i), v(j)]);
        assert_eq!(sl("[1, 2, 3, 4, 5]", "1", "3"), v("[2, 3]"));
        assert_eq!(sl("[1, 2, 3]", "0", "0"), v("[]"));
        assert_eq!(sl("[1, 2, 3, 4, 5]", "-4", "-1"), v("[]"));
        assert_eq!(sl("[1, 2, 3, 4, 5]", "4", "1"), v("[]"));
        assert_eq!(sl("[1, 2, 3, 4, 5]", "-1", "2"), v("[1, 2]"));
        assert_eq!(sl("[1, 2, 3, 4, 5]", "3", "6"), v("[4, 5]"));
        assert_eq!(sl("[]", "1000", "2000"), v("[]"));
        assert_eq!(sl("[1, 2, 3]", "1000", "2000"), v("[]"));
        assert_eq!(
            call_err("array.slice", &[v("[1]"), n("0.5"), v("1")]).message,
            "array.slice: operand 2 must be integer number but got floating-point number"
        );
        assert_eq!(call("array.reverse", &[v("[1, 2, 3]")]), v("[3, 2, 1]"));
        assert_eq!(call("array.reverse", &[v("[]")]), v("[]"));
        assert_eq!(
            call_err("array.reverse", &[v(r#"{"bar": "baz"}"#)]).message,
            "array.reverse: operand 1 must be array but got object"
        );
        assert_eq!(call("array.flatten", &[v("[]")]), v("[]"));
        assert_eq!(
            call("array.flatten", &[v("[[1, 2], [3, 4], [5]]")]),
            v("[1, 2, 3, 4, 5]")
        );
        assert_eq!(
            call("array.flatten", &[v("[[[1], [2, 3, []]], [[4, 5]]]")]),
            v("[[1], [2, 3, []], [4, 5]]")
        );
        assert_eq!(
            call(
                "array.flatten",
                &[v(
                    r#"[[1, 2], "string", [3, {"a": "b"}], 4.5, [6, [7, 8]]]"#
                )]
            ),
            v(r#"[1, 2, "string", 3, {"a": "b"}, 4.5, 6, [7, 8]]"#)
        );
        assert_eq!(
            call_err("array.flatten", &[v("42")]).message,
            "array.flatten: operand 1 must be array but got number"
        );
    }
}
