//! Operand extraction and OPA's operand error messages, shared by every family.
//!
//! Positions are 1-based, as in OPA's messages (`operand 2 must be string but got number`).
//! Every type error is an [`ErrorKind::EvalType`] error prefixed with the built-in's name.

use super::BuiltinError;
use crate::error::ErrorKind;
use crate::number::Number;
use crate::value::{Object, Set, Value};
use std::borrow::Borrow;
use std::fmt::Display;

/// A generic operand error: `"{name}: operand {pos} {message}"` (OPA's `NewOperandErr`).
pub(super) fn operand_err(name: &str, pos: usize, message: impl Display) -> BuiltinError {
    BuiltinError {
        kind: ErrorKind::EvalType,
        message: format!("{name}: operand {pos} {message}"),
    }
}

/// OPA's `NewOperandTypeErr`: one expected type, or `one of {a, b}`.
pub(super) fn type_err(name: &str, pos: usize, got: &Value, expected: &[&str]) -> BuiltinError {
    match expected {
        [one] => operand_err(
            name,
            pos,
            format!("must be {one} but got {}", got.type_name()),
        ),
        _ => operand_err(
            name,
            pos,
            format!(
                "must be one of {{{}}} but got {}",
                expected.join(", "),
                got.type_name()
            ),
        ),
    }
}

/// OPA's `NewOperandElementErr`: `must be array of strings but got array containing number`.
pub(super) fn element_err(
    name: &str,
    pos: usize,
    composite: &Value,
    got: &Value,
    expected: &[&str],
) -> BuiltinError {
    let tpe = composite.type_name();
    match expected {
        [one] => operand_err(
            name,
            pos,
            format!(
                "must be {tpe} of {one}s but got {tpe} containing {}",
                got.type_name()
            ),
        ),
        _ => operand_err(
            name,
            pos,
            format!(
                "must be {tpe} of (any of) {{{}}} but got {tpe} containing {}",
                expected.join(", "),
                got.type_name()
            ),
        ),
    }
}

/// OPA's `NewOperandEnumErr`: `must be one of {2, 8, 10, 16}`.
pub(super) fn enum_err(name: &str, pos: usize, expected: &[&str]) -> BuiltinError {
    match expected {
        [one] => operand_err(name, pos, format!("must be {one}")),
        _ => operand_err(
            name,
            pos,
            format!("must be one of {{{}}}", expected.join(", ")),
        ),
    }
}

/// The `i`-th argument (0-based); an error if the call has too few. Inlined: every built-in
/// reads its arguments through here, and where the compiler's partitioning of the crate left
/// it a call the corpus scan executed 31 million more instructions.
#[inline]
pub(super) fn arg<'a, A: Borrow<Value>>(
    name: &str,
    args: &'a [A],
    i: usize,
) -> Result<&'a Value, BuiltinError> {
    args.get(i)
        .map(Borrow::borrow)
        .ok_or_else(|| BuiltinError::failed(name, format!("missing operand {}", i + 1)))
}

/// The `i`-th argument as a string.
pub(super) fn string<'a>(name: &str, args: &'a [Value], i: usize) -> Result<&'a str, BuiltinError> {
    let v = arg(name, args, i)?;
    v.as_str()
        .ok_or_else(|| type_err(name, i + 1, v, &["string"]))
}

/// The `i`-th argument as a number.
pub(super) fn number<'a>(
    name: &str,
    args: &'a [Value],
    i: usize,
) -> Result<&'a Number, BuiltinError> {
    let v = arg(name, args, i)?;
    v.as_number()
        .ok_or_else(|| type_err(name, i + 1, v, &["number"]))
}

/// The `i`-th argument as a machine integer (OPA's `IntOperand`).
pub(super) fn int(name: &str, args: &[Value], i: usize) -> Result<i64, BuiltinError> {
    let n = number(name, args, i)?;
    n.as_i64().ok_or_else(|| {
        operand_err(
            name,
            i + 1,
            "must be integer number but got floating-point number",
        )
    })
}

/// The `i`-th argument as an array.
pub(super) fn array<'a>(
    name: &str,
    args: &'a [Value],
    i: usize,
) -> Result<&'a Vec<Value>, BuiltinError> {
    let v = arg(name, args, i)?;
    v.as_array()
        .ok_or_else(|| type_err(name, i + 1, v, &["array"]))
}

/// The `i`-th argument as an object.
pub(super) fn object<'a, A: Borrow<Value>>(
    name: &str,
    args: &'a [A],
    i: usize,
) -> Result<&'a Object, BuiltinError> {
    let v = arg(name, args, i)?;
    v.as_object()
        .ok_or_else(|| type_err(name, i + 1, v, &["object"]))
}

/// The `i`-th argument as a set.
pub(super) fn set<'a>(name: &str, args: &'a [Value], i: usize) -> Result<&'a Set, BuiltinError> {
    let v = arg(name, args, i)?;
    v.as_set().ok_or_else(|| type_err(name, i + 1, v, &["set"]))
}

/// The members of an array or a set, in order (OPA's iteration order for both).
pub(super) fn members(v: &Value) -> Option<Vec<&Value>> {
    match v {
        Value::Array(items) => Some(items.iter().collect()),
        Value::Set(items) => Some(items.iter().collect()),
        _ => None,
    }
}

/// An array or set of strings (OPA's `StringSliceOperand`).
pub(super) fn string_slice<'a>(
    name: &str,
    pos: usize,
    v: &'a Value,
) -> Result<Vec<&'a str>, BuiltinError> {
    let items = members(v).ok_or_else(|| type_err(name, pos, v, &["array", "set"]))?;
    items
        .into_iter()
        .map(|item| {
            item.as_str()
                .ok_or_else(|| element_err(name, pos, v, item, &["string"]))
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn messages_follow_opa() {
        let e = type_err(
            "count",
            1,
            &Value::Null,
            &["array", "object", "set", "string"],
        );
        assert_eq!(e.kind, ErrorKind::EvalType);
        assert_eq!(
            e.message,
            "count: operand 1 must be one of {array, object, set, string} but got null"
        );
        let arr = Value::array(vec![Value::int(1)]);
        let e = element_err("concat", 2, &arr, &Value::int(1), &["string"]);
        assert_eq!(
            e.message,
            "concat: operand 2 must be array of strings but got array containing number"
        );
        let e = element_err("x", 1, &arr, &Value::int(1), &["string", "set"]);
        assert_eq!(
            e.message,
            "x: operand 1 must be array of (any of) {string, set} but got array containing number"
        );
        assert_eq!(
            enum_err("f", 2, &["2", "8"]).message,
            "f: operand 2 must be one of {2, 8}"
        );
        assert_eq!(enum_err("f", 2, &["2"]).message, "f: operand 2 must be 2");
    }

    #[test]
    fn missing_and_wrong_operands() {
        let args = [Value::int(1), Value::from(Number::parse("1.5").unwrap())];
        assert_eq!(
            arg("f", &args, 2).unwrap_err().message,
            "f: missing operand 3"
        );
        assert_eq!(
            int("f", &args, 1).unwrap_err().message,
            "f: operand 2 must be integer number but got floating-point number"
        );
        assert_eq!(
            string("f", &args, 0).unwrap_err().message,
            "f: operand 1 must be string but got number"
        );
        assert!(array("f", &args, 0).is_err());
        assert!(object("f", &args, 0).is_err());
        assert!(set("f", &args, 0).is_err());
        assert_eq!(
            string_slice("f", 1, &args[0]).unwrap_err().message,
            "f: operand 1 must be one of {array, set} but got number"
        );
    }
}
