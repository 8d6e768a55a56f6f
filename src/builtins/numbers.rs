//! Number ranges: `numbers.range` and `numbers.range_step`, on integers of any size.

use super::args::{self, operand_err, type_err};
use super::{Builtin, BuiltinError};
use crate::number::Number;
use crate::value::Value;
use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive};

/// The most numbers one call may produce (OPA has no limit but its evaluation timeout).
const MAX_RANGE: u64 = 10_000_000;

pub(super) fn builtins() -> Vec<Builtin> {
    vec![
        Builtin {
            name: "numbers.range",
            arity: 2,
            func: range,
            by_ref: None,
        },
        Builtin {
            name: "numbers.range_step",
            arity: 3,
            func: range_step,
            by_ref: None,
        },
    ]
}

/// OPA's `BigIntOperand`.
fn big_int(name: &str, a: &[Value], i: usize) -> Result<BigInt, BuiltinError> {
    let v = args::arg(name, a, i)?;
    let n = v
        .as_number()
        .ok_or_else(|| type_err(name, i + 1, v, &["integer"]))?;
    n.as_bigint().ok_or_else(|| {
        operand_err(
            name,
            i + 1,
            "must be integer number but got floating-point number",
        )
    })
}

/// `from`, `from ± step`, ... up to `to` inclusive, descending when `from > to`.
fn generate(name: &str, from: BigInt, to: &BigInt, step: &BigInt) -> Result<Value, BuiltinError> {
    let span = (to - &from).abs() / step;
    if span.to_u64().is_none_or(|k| k >= MAX_RANGE) {
        return Err(BuiltinError::failed(
            name,
            format!("{name}: range too large (more than {MAX_RANGE} numbers)"),
        ));
    }
    let mut out = Vec::new();
    let mut i = from;
    let up = i <= *to;
    while (up && i <= *to) || (!up && i >= *to) {
        out.push(Value::Number(Number::from_big(
            bigdecimal::BigDecimal::from(i.clone()),
        )));
        if up {
            i += step;
        } else {
            i -= step;
        }
    }
    Ok(Value::array(out))
}

fn range(a: &[Value]) -> Result<Value, BuiltinError> {
    let x = big_int("numbers.range", a, 0)?;
    let y = big_int("numbers.range", a, 1)?;
    generate("numbers.range", x, &y, &BigInt::from(1))
}

fn range_step(a: &[Value]) -> Result<Value, BuiltinError> {
    let name = "numbers.range_step";
    let x = big_int(name, a, 0)?;
    let y = big_int(name, a, 1)?;
    let step = big_int(name, a, 2)?;
    if !step.is_positive() {
        return Err(BuiltinError::failed(
            name,
            format!("{name}: step must be a positive integer"),
        ));
    }
    generate(name, x, &y, &step)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{call, call_err, n, s, v};
    use crate::error::ErrorKind;

    #[test]
    fn ranges() {
        assert_eq!(call("numbers.range", &[v("1"), v("1")]), v("[1]"));
        assert_eq!(call("numbers.range", &[v("1"), v("4")]), v("[1, 2, 3, 4]"));
        assert_eq!(
            call("numbers.range", &[v("2"), v("-1")]),
            v("[2, 1, 0, -1]")
        );
        assert_eq!(
            call(
                "numbers.range",
                &[n("18446744073709551616"), n("18446744073709551617")]
            ),
            v("[18446744073709551616, 18446744073709551617]")
        );
        assert_eq!(
            call("numbers.range_step", &[v("0"), v("10"), v("3")]),
            v("[0, 3, 6, 9]")
        );
        assert_eq!(
            call("numbers.range_step", &[v("10"), v("0"), v("5")]),
            v("[10, 5, 0]")
        );
        let e = call_err("numbers.range_step", &[v("0"), v("10"), v("0")]);
        assert_eq!(
            (e.kind, e.message.as_str()),
            (
                ErrorKind::Builtin,
                "numbers.range_step: numbers.range_step: step must be a positive integer"
            )
        );
        assert_eq!(
            call_err("numbers.range", &[n("1.5"), v("2")]).message,
            "numbers.range: operand 1 must be integer number but got floating-point number"
        );
        assert_eq!(
            call_err("numbers.range", &[v("1"), s("2")]).message,
            "numbers.range: operand 2 must be integer but got string"
        );
        assert!(call_err("numbers.range", &[v("0"), v("100000000000")])
            .message
            .contains("range too large"));
    }
}
