//! The infix operators under OPA's names (`plus`, `minus`, `mul`, `div`, `rem`, `equal`, `neq`,
//! `lt`, `lte`, `gt`, `gte`, `and`, `or`) and the unary number functions `abs`, `round`,
//! `ceil` and `floor`.

use super::args::{self, type_err};
use super::{Builtin, BuiltinError};
use crate::number::Number;
use crate::value::Value;
use std::borrow::Borrow;

pub(super) fn builtins() -> Vec<Builtin> {
    vec![
        Builtin {
            name: "plus",
            arity: 2,
            func: plus,
            by_ref: None,
        },
        Builtin {
            name: "minus",
            arity: 2,
            func: minus,
            by_ref: None,
        },
        Builtin {
            name: "mul",
            arity: 2,
            func: mul,
            by_ref: None,
        },
        Builtin {
            name: "div",
            arity: 2,
            func: div,
            by_ref: None,
        },
        Builtin {
            name: "rem",
            arity: 2,
            func: rem,
            by_ref: None,
        },
        Builtin {
            name: "equal",
            arity: 2,
            func: equal,
            by_ref: Some(|a| equal(a)),
        },
        Builtin {
            name: "neq",
            arity: 2,
            func: neq,
            by_ref: Some(|a| neq(a)),
        },
        Builtin {
            name: "lt",
            arity: 2,
            func: lt,
            by_ref: Some(|a| lt(a)),
        },
        Builtin {
            name: "lte",
            arity: 2,
            func: lte,
            by_ref: Some(|a| lte(a)),
        },
        Builtin {
            name: "gt",
            arity: 2,
            func: gt,
            by_ref: Some(|a| gt(a)),
        },
        Builtin {
            name: "gte",
            arity: 2,
            func: gte,
            by_ref: Some(|a| gte(a)),
        },
        Builtin {
            name: "and",
            arity: 2,
            func: and,
            by_ref: None,
        },
        Builtin {
            name: "or",
            arity: 2,
            func: or,
            by_ref: None,
        },
        Builtin {
            name: "abs",
            arity: 1,
            func: abs,
            by_ref: None,
        },
        Builtin {
            name: "round",
            arity: 1,
            func: round,
            by_ref: None,
        },
        Builtin {
            name: "ceil",
            arity: 1,
            func: ceil,
            by_ref: None,
        },
        Builtin {
            name: "floor",
            arity: 1,
            func: floor,
            by_ref: None,
        },
    ]
}

fn two_numbers<'a>(name: &str, a: &'a [Value]) -> Result<(&'a Number, &'a Number), BuiltinError> {
    Ok((args::number(name, a, 0)?, args::number(name, a, 1)?))
}

fn plus(a: &[Value]) -> Result<Value, BuiltinError> {
    let (x, y) = two_numbers("plus", a)?;
    Ok(Value::Number(x.add(y)))
}

/// Number subtraction, or set difference when both operands are sets.
fn minus(a: &[Value]) -> Result<Value, BuiltinError> {
    let x = args::arg("minus", a, 0)?;
    let y = args::arg("minus", a, 1)?;
    match (x, y) {
        (Value::Number(m), Value::Number(n)) => Ok(Value::Number(m.sub(n))),
        (Value::Set(s), Value::Set(t)) => Ok(Value::set(s.difference(t).cloned().collect())),
        (Value::Number(_), _) => Err(type_err("minus", 2, y, &["number"])),
        (Value::Set(_), _) => Err(type_err("minus", 2, y, &["set"])),
        _ => Err(type_err("minus", 1, x, &["number", "set"])),
    }
}

fn mul(a: &[Value]) -> Result<Value, BuiltinError> {
    let (x, y) = two_numbers("mul", a)?;
    Ok(Value::Number(x.mul(y)))
}

fn div(a: &[Value]) -> Result<Value, BuiltinError> {
    let (x, y) = two_numbers("div", a)?;
    x.div(y)
        .map(Value::Number)
        .ok_or_else(|| BuiltinError::failed("div", "divide by zero"))
}

fn rem(a: &[Value]) -> Result<Value, BuiltinError> {
    let (x, y) = two_numbers("rem", a)?;
    x.rem(y)
        .map(Value::Number)
        .map_err(|msg| BuiltinError::failed("rem", msg))
}

fn compare<A: Borrow<Value>>(
    name: &str,
    a: &[A],
    f: fn(&Value, &Value) -> bool,
) -> Result<Value, BuiltinError> {
    Ok(Value::Bool(f(
        args::arg(name, a, 0)?,
        args::arg(name, a, 1)?,
    )))
}

fn equal<A: Borrow<Value>>(a: &[A]) -> Result<Value, BuiltinError> {
    compare("equal", a, |x, y| x == y)
}

fn neq<A: Borrow<Value>>(a: &[A]) -> Result<Value, BuiltinError> {
    compare("neq", a, |x, y| x != y)
}

fn lt<A: Borrow<Value>>(a: &[A]) -> Result<Value, BuiltinError> {
    compare("lt", a, |x, y| x < y)
}

fn lte<A: Borrow<Value>>(a: &[A]) -> Result<Value, BuiltinError> {
    compare("lte", a, |x, y| x <= y)
}

fn gt<A: Borrow<Value>>(a: &[A]) -> Result<Value, BuiltinError> {
    compare("gt", a, |x, y| x > y)
}

fn gte<A: Borrow<Value>>(a: &[A]) -> Result<Value, BuiltinError> {
    compare("gte", a, |x, y| x >= y)
}

/// Set intersection (`&`).
fn and(a: &[Value]) -> Result<Value, BuiltinError> {
    let s = args::set("and", a, 0)?;
    let t = args::set("and", a, 1)?;
    Ok(Value::set(s.intersection(t).cloned().collect()))
}

/// Set union (`|`).
fn or(a: &[Value]) -> Result<Value, BuiltinError> {
    let s = args::set("or", a, 0)?;
    let t = args::set("or", a, 1)?;
    Ok(Value::set(s.union(t).cloned().collect()))
}

fn abs(a: &[Value]) -> Result<Value, BuiltinError> {
    Ok(Value::Number(args::number("abs", a, 0)?.abs()))
}

fn round(a: &[Value]) -> Result<Value, BuiltinError> {
    Ok(Value::Number(args::number("round", a, 0)?.round()))
}

fn ceil(a: &[Value]) -> Result<Value, BuiltinError> {
    Ok(Value::Number(args::number("ceil", a, 0)?.ceil()))
}

fn floor(a: &[Value]) -> Result<Value, BuiltinError> {
    Ok(Value::Number(args::number("floor", a, 0)?.floor()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::testutil::{call, call_err, n, set, v};
    use crate::error::ErrorKind;
    use crate::value::Value;

    #[test]
    fn arithmetic() {
        assert_eq!(call("plus", &[v("1"), v("2")]), v("3"));
        assert_eq!(call("minus", &[v("0"), v("1")]), v("-1"));
        assert_eq!(call("mul", &[v("2"), v("3")]), v("6"));
        assert_eq!(call("plus", &[v("49649733057"), v("1")]), v("49649733058"));
        assert_eq!(
            call("plus", &[n("18446744073709551617"), v("1")]),
            n("18446744073709551618")
        );
        assert_eq!(
            call("minus", &[n("18446744073709551617"), v("1")]),
            n("18446744073709551616")
        );
        assert_eq!(
            call("mul", &[n("18446744073709551617"), v("2")]),
            n("36893488147419103234")
        );
        assert_eq!(call("plus", &[n("1.5"), n("2.5")]), v("4"));
        assert_eq!(call("plus", &[v("1"), n("2.5")]), n("3.5"));
        assert_eq!(
            call("mul", &[n("2147483647"), n("2147483647")]),
            n("4611686014132420609")
        );
        assert_eq!(
            call("plus", &[n("9223372036854775807"), v("1")]),
            n("9223372036854775808")
        );
        assert_eq!(
            call("plus", &[n("1e30"), v("1")]),
            n("1000000000000000000000000000001")
        );
        assert_eq!(call("plus", &[n("10.00"), v("5")]), v("15"));
    }

    #[test]
    fn division_and_remainder() {
        assert_eq!(call("div", &[v("6"), v("3")]), v("2"));
        assert_eq!(call("div", &[v("-6"), v("3")]), v("-2"));
        assert_eq!(call("div", &[v("1"), v("4")]), n("0.25"));
        assert_eq!(call("div", &[v("0"), v("5")]), v("0"));
        assert_eq!(call("div", &[n("1e109"), n("1e100")]), v("1000000000"));
        let e = call_err("div", &[v("1"), v("0")]);
        assert_eq!(
            (e.kind, e.message.as_str()),
            (ErrorKind::Builtin, "div: divide by zero")
        );
        assert_eq!(
            call_err("div", &[v("1"), n("0.0")]).message,
            "div: divide by zero"
        );
        assert_eq!(call("rem", &[v("7"), v("4")]), v("3"));
        assert_eq!(call("rem", &[v("-17"), v("5")]), v("-2"));
        assert_eq!(call("rem", &[v("17"), v("-5")]), v("2"));
        assert_eq!(call("rem", &[n("4.0"), v("3")]), v("1"));
        assert_eq!(call("rem", &[v("10"), n("18446744073709551616")]), v("10"));
        assert_eq!(
            call("rem", &[v("100"), n("-18446744073709551616")]),
            v("100")
        );
        assert_eq!(
            call(
                "rem",
                &[n("18446744073709551617"), n("18446744073709551616")]
            ),
            v("1")
        );
        assert_eq!(
            call_err("rem", &[v("7"), v("0")]).message,
            "rem: modulo by zero"
        );
        assert_eq!(
            call_err("rem", &[n("1.1"), v("1")]).message,
            "rem: modulo on floating-point number"
        );
        assert_eq!(
            call_err("plus", &[v("\"a\""), v("1")]).message,
            "plus: operand 1 must be number but got string"
        );
        assert_eq!(
            call_err("mul", &[v("1"), v("null")]).message,
            "mul: operand 2 must be number but got null"
        );
    }

    #[test]
    fn minus_on_sets_and_type_errors() {
        let s = set(&["1", "2", "3", "4"]);
        assert_eq!(call("minus", &[s, set(&["1", "3"])]), set(&["2", "4"]));
        let e = call_err("minus", &[set(&["1"]), v("1")]);
        assert_eq!(
            (e.kind, e.message.as_str()),
            (
                ErrorKind::EvalType,
                "minus: operand 2 must be set but got number"
            )
        );
        assert_eq!(
            call_err("minus", &[v("1"), set(&["1"])]).message,
            "minus: operand 2 must be number but got set"
        );
        assert_eq!(
            call_err("minus", &[v("\"a\""), v("1")]).message,
            "minus: operand 1 must be one of {number, set} but got string"
        );
    }

    #[test]
    fn comparisons() {
        assert_eq!(call("equal", &[v("1"), n("1.0")]), Value::Bool(true));
        assert_eq!(
            call(
                "neq",
                &[n("28857836529306024611913"), n("28857836529306024611912")]
            ),
            Value::Bool(true)
        );
        assert_eq!(call("lt", &[v("-1"), v("0")]), Value::Bool(true));
        assert_eq!(call("lte", &[v("1"), v("1")]), Value::Bool(true));
        assert_eq!(call("gt", &[v("1"), v("2")]), Value::Bool(false));
        assert_eq!(call("gte", &[v("\"b\""), v("1")]), Value::Bool(true));
        assert_eq!(call("lt", &[v("null"), v("false")]), Value::Bool(true));
    }

    #[test]
    fn set_operators() {
        assert_eq!(
            call("and", &[set(&["3", "2"]), set(&["3", "4"])]),
            set(&["3"])
        );
        assert_eq!(
            call("or", &[set(&["3", "2"]), set(&["3", "4"])]),
            set(&["2", "3", "4"])
        );
        assert_eq!(
            call_err("and", &[v("[]"), set(&[])]).message,
            "and: operand 1 must be set but got array"
        );
        assert_eq!(
            call_err("or", &[set(&[]), v("{}")]).message,
            "or: operand 2 must be set but got object"
        );
    }

    #[test]
    fn unary() {
        assert_eq!(call("abs", &[v("-10")]), v("10"));
        assert_eq!(
            call("abs", &[n("-9223372036854775808")]),
            n("9223372036854775808")
        );
        assert_eq!(call("abs", &[n("-2.5")]), n("2.5"));
        assert_eq!(call("round", &[n("2.5")]), v("3"));
        assert_eq!(call("round", &[n("-2.5")]), v("-3"));
        assert_eq!(call("round", &[n("2.4")]), v("2"));
        assert_eq!(call("round", &[n("10.00")]), v("10"));
        assert_eq!(call("ceil", &[n("1.01")]), v("2"));
        assert_eq!(call("ceil", &[n("-1.99999")]), v("-1"));
        assert_eq!(call("ceil", &[n("2222.2222222222")]), v("2223"));
        assert_eq!(call("floor", &[n("-1.001")]), v("-2"));
        assert_eq!(call("floor", &[n("99.99999")]), v("99"));
        assert_eq!(
            call_err("floor", &[v("\"x\"")]).message,
            "floor: operand 1 must be number but got string"
        );
    }
}
