//! Unit suffixes: `units.parse` (SI and binary prefixes, `m` for milli, exact decimal results)
//! and `units.parse_bytes` (byte units, computed as OPA does with 64-bit-mantissa floats and
//! truncated to an integer). Error messages repeat the name, exactly as OPA's do.

use super::args;
use super::strings::{canonical_literal, go_float_syntax};
use super::{Builtin, BuiltinError};
use crate::number::Number;
use crate::value::Value;
use bigdecimal::{BigDecimal, RoundingMode};
use num_bigint::{BigInt, Sign};
use num_traits::{One, Signed, Zero};
use std::str::FromStr;

pub(super) fn builtins() -> Vec<Builtin> {
    vec![
        Builtin {
            name: "units.parse",
            arity: 1,
            func: parse,
            by_ref: None,
        },
        Builtin {
            name: "units.parse_bytes",
            arity: 1,
            func: parse_bytes,
            by_ref: None,
        },
    ]
}

/// The exact value of the float64 nearest 0.001, which OPA multiplies by for `m`.
const MILLI: &str = "0.001000000000000000020816681711721685132943093776702880859375";

/// Exponents in scientific notation may have at most this many digits.
const MAX_EXPONENT_DIGITS: usize = 6;

/// OPA's `extractNumAndUnit`: the numeric prefix and the unit; `Err` for a too-long exponent.
fn split_amount(s: &str) -> Result<(&str, &str), ()> {
    let b = s.as_bytes();
    let mut first_non_num = None;
    let mut idx = 0;
    while idx < b.len() {
        let r = b[idx];
        if !(r.is_ascii_digit() || r == b'.' || r == b'e' || r == b'E' || r == b'+' || r == b'-') {
            first_non_num = Some(idx);
            break;
        }
        if r == b'e' || r == b'E' {
            let next = b.get(idx + 1).copied();
            match next {
                Some(n) if n.is_ascii_digit() || n == b'+' || n == b'-' => {}
                _ => {
                    first_non_num = Some(idx);
                    break;
                }
            }
            if matches!(next, Some(b'+' | b'-')) {
                idx += 1;
            }
            let digits = b[idx + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            if digits > MAX_EXPONENT_DIGITS {
                return Err(());
            }
        }
        idx += 1;
    }
    Ok(match first_non_num {
        None => (s, ""),
        Some(0) => ("", s),
        Some(i) => (&s[..i], &s[i..]),
    })
}

/// A decimal amount in Go's float syntax, exactly.
fn amount(num: &str) -> Option<BigDecimal> {
    if !go_float_syntax(num) {
        return None;
    }
    BigDecimal::from_str(&canonical_literal(num)).ok()
}

fn pow(base: u32, exp: u32) -> BigDecimal {
    BigDecimal::from(num_traits::pow(BigInt::from(base), exp as usize))
}

fn parse(a: &[Value]) -> Result<Value, BuiltinError> {
    let name = "units.parse";
    let fail = |msg: &str| BuiltinError::failed(name, format!("{name}: {msg}"));
    let s = args::string(name, a, 0)?.replace('"', "");
    if s.contains(' ') {
        return Err(fail("spaces not allowed in resource strings"));
    }
    let (num, unit) = split_amount(&s).map_err(|()| fail("exponent too large"))?;
    if num.is_empty() {
        return Err(fail("no amount provided"));
    }
    // Only the letters after the first are case-insensitive, so that m and M differ.
    let mut chars = unit.chars();
    let unit: String = match chars.next() {
        Some(first) => std::iter::once(first)
            .chain(chars.flat_map(char::to_lowercase))
            .collect(),
        None => String::new(),
    };
    let multiplier = match unit.as_str() {
        "m" => BigDecimal::from_str(MILLI).unwrap_or_default(),
        "" => BigDecimal::one(),
        "k" | "K" => pow(10, 3),
        "ki" | "Ki" => pow(2, 10),
        "M" => pow(10, 6),
        "mi" | "Mi" => pow(2, 20),
        "g" | "G" => pow(10, 9),
        "gi" | "Gi" => pow(2, 30),
        "t" | "T" => pow(10, 12),
        "ti" | "Ti" => pow(2, 40),
        "p" | "P" => pow(10, 15),
        "pi" | "Pi" => pow(2, 50),
        "e" | "E" => pow(10, 18),
        "ei" | "Ei" => pow(2, 60),
        _ => return Err(fail(&format!("unit {unit} not recognized"))),
    };
    let x = amount(num).ok_or_else(|| fail("could not parse amount to a number"))?;
    let product = x * multiplier;
    if product.is_integer() {
        return Ok(Value::Number(Number::from_big(product)));
    }
    // OPA prints non-integers with ten decimals, halves rounded away from zero.
    Ok(Value::Number(Number::from_big(
        product.with_scale_round(10, RoundingMode::HalfUp),
    )))
}

/// `n / d` (d > 0) rounded to a 64-bit mantissa, half to even: (mantissa, exponent of 2).
fn round64(n: &BigInt, d: &BigInt) -> (BigInt, i64) {
    if n.is_zero() {
        return (BigInt::zero(), 0);
    }
    let neg = n.sign() == Sign::Minus;
    let m = n.abs();
    let mut e = m.bits() as i64 - d.bits() as i64 - 64;
    loop {
        let (num, den) = if e >= 0 {
            (m.clone(), d << e as usize)
        } else {
            (&m << (-e) as usize, d.clone())
        };
        let q = &num / &den;
        if q.bits() > 64 {
            e += 1;
            continue;
        }
        if q.bits() < 64 {
            e -= 1;
            continue;
        }
        let r = &num - &q * &den;
        let twice: BigInt = r * 2;
        let mut q = q;
        if twice > den || (twice == den && q.bit(0)) {
            q += 1;
        }
        if q.bits() > 64 {
            q >>= 1;
            e += 1;
        }
        return (if neg { -q } else { q }, e);
    }
}

/// An exact decimal as the fraction `n / d` with `d > 0`.
fn fraction(x: &BigDecimal) -> (BigInt, BigInt) {
    let (digits, scale) = x.as_bigint_and_exponent();
    if scale >= 0 {
        (digits, num_traits::pow(BigInt::from(10), scale as usize))
    } else {
        (
            digits * num_traits::pow(BigInt::from(10), (-scale) as usize),
            BigInt::one(),
        )
    }
}

fn parse_bytes(a: &[Value]) -> Result<Value, BuiltinError> {
    let name = "units.parse_bytes";
    let fail = |msg: &str| BuiltinError::failed(name, format!("{name}: {msg}"));
    let s = args::string(name, a, 0)?.to_lowercase().replace('"', "");
    if s.contains(' ') {
        return Err(fail("spaces not allowed in resource strings"));
    }
    let (num, unit) = split_amount(&s).map_err(|()| fail("exponent too large"))?;
    if num.is_empty() {
        return Err(fail("no byte amount provided"));
    }
    let (base, exp) = match unit {
        "" => (1, 0),
        "kb" | "k" => (1000, 1),
        "kib" | "ki" => (1024, 1),
        "mb" | "m" => (1000, 2),
        "mib" | "mi" => (1024, 2),
        "gb" | "g" => (1000, 3),
        "gib" | "gi" => (1024, 3),
        "tb" | "t" => (1000, 4),
        "tib" | "ti" => (1024, 4),
        "pb" | "p" => (1000, 5),
        "pib" | "pi" => (1024, 5),
        "eb" | "e" => (1000, 6),
        "eib" | "ei" => (1024, 6),
        _ => return Err(fail(&format!("byte unit {unit} not recognized"))),
    };
    let x = amount(num).ok_or_else(|| fail("could not parse byte amount to a number"))?;
    let multiplier = num_traits::pow(BigInt::from(base), exp);
    let (n, d) = fraction(&x);
    let (m1, e1) = round64(&n, &d);
    let (m2, e2) = if e1 >= 0 {
        round64(&((m1 * multiplier) << e1 as usize), &BigInt::one())
    } else {
        round64(&(m1 * multiplier), &(BigInt::one() << (-e1) as usize))
    };
    // Truncated toward zero, as big.Float.Int does.
    let magnitude = if e2 >= 0 {
        m2.abs() << e2 as usize
    } else {
        m2.abs() >> (-e2) as usize
    };
    let total = if m2.is_negative() {
        -magnitude
    } else {
        magnitude
    };
    Ok(Value::Number(Number::from_big(BigDecimal::from(total))))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::testutil::{call, call_err, n, s, v};
    use crate::error::ErrorKind;

    fn u(x: &str) -> crate::value::Value {
        call("units.parse", &[s(x)])
    }

    fn b(x: &str) -> crate::value::Value {
        call("units.parse_bytes", &[s(x)])
    }

    #[test]
    fn parse_units() {
        assert_eq!(u("500m"), n("0.5"));
        assert_eq!(u("0.0005K"), n("0.5"));
        assert_eq!(u("0.0000005M"), n("0.5"));
        assert!(u("8k") > u("7k"));
        assert!(u("8g") > u("8m"));
        assert!(u("1234k") < u("1g"));
        assert_eq!(u("1024"), u("1Ki"));
        assert_eq!(u("2Mi"), u("2097152"));
        assert!(u("3Mi") > u("3M"));
        assert!(u("4.1Mi") > u("4Mi"));
        assert_eq!(u("128Gi"), u("137438953472"));
        let cases = [
            ("\"100TI\"", "109951162777600"),
            ("0", "0"),
            ("0.0", "0"),
            (".0", "0"),
            ("12345", "12345"),
            ("10K", "10000"),
            ("10KI", "10240"),
            ("10k", "10000"),
            ("10Ki", "10240"),
            ("200M", "200000000"),
            ("300Gi", "322122547200"),
            ("1.1K", "1100"),
            ("1.1Ki", "1126.4"),
            (".5K", "500"),
            ("100ki", "102400"),
            ("100M", "100000000"),
            ("100mi", "104857600"),
            ("100g", "100000000000"),
            ("100gi", "107374182400"),
            ("100t", "100000000000000"),
            ("100ti", "109951162777600"),
            ("100p", "100000000000000000"),
            ("100Pi", "112589990684262400"),
            ("10e", "10000000000000000000"),
            ("10E", "10000000000000000000"),
            ("10ei", "11529215046068469760"),
            ("1e10", "10000000000"),
            ("3.2E4", "32000"),
            ("2.5e3K", "2500000"),
            ("1e3M", "1000000000"),
            ("4E2G", "400000000000"),
            ("5e1Gi", "53687091200"),
            ("1e-2", "0.01"),
            ("7.8E-1", "0.78"),
            ("6e3Mi", "6291456000"),
            ("42", "42"),
            ("-3.5E2m", "-0.35"),
            ("1G", "1000000000"),
            ("5E", "5000000000000000000"),
            ("1000000000000m", "1000000000.0000000208"),
        ];
        for (input, want) in cases {
            assert_eq!(u(input), n(want), "units.parse({input})");
        }
        assert_eq!(
            crate::builtins::sprintf::number_text(u("1G").as_number().unwrap()),
            "1000000000"
        );
        assert_eq!(
            u("100m")
                .as_number()
                .unwrap()
                .mul(&crate::number::Number::Int(1000))
                .round(),
            crate::number::Number::Int(100)
        );
    }

    #[test]
    fn parse_units_errors() {
        let err = |x: &str| call_err("units.parse", &[s(x)]);
        for (input, msg) in [
            ("", "no amount provided"),
            ("G", "no amount provided"),
            ("foo", "no amount provided"),
            ("0.0.0", "could not parse amount to a number"),
            (".5.2", "could not parse amount to a number"),
            ("100 k", "spaces not allowed in resource strings"),
            (" 327Mi ", "spaces not allowed in resource strings"),
            ("10e10000000Ei", "exponent too large"),
            ("1mb", "unit mb not recognized"),
        ] {
            let e = err(input);
            assert_eq!(e.kind, ErrorKind::Builtin);
            assert_eq!(
                e.message,
                format!("units.parse: units.parse: {msg}"),
                "{input}"
            );
        }
        assert_eq!(
            call_err("units.parse", &[v("1")]).message,
            "units.parse: operand 1 must be string but got number"
        );
    }

    #[test]
    fn parse_bytes_units() {
        assert!(b("8kb") > b("7kb"));
        assert!(b("8gb") > b("8mb"));
        assert!(b("1234kb") < b("1gb"));
        assert_eq!(b("1024"), b("1KiB"));
        assert_eq!(b("2MiB"), b("2097152"));
        assert!(b("3MiB") > b("3MB"));
        assert_eq!(b("2MiB"), b("2Mi"));
        assert!(b("4Mi") > b("4M"));
        assert!(b("4.1Mi") > b("4Mi"));
        assert_eq!(b("128Gi"), b("137438953472"));
        let cases = [
            ("\"100TIB\"", "109951162777600"),
            ("0", "0"),
            ("0.0", "0"),
            (".0", "0"),
            ("12345", "12345"),
            ("10KB", "10000"),
            ("10KIB", "10240"),
            ("10kb", "10000"),
            ("10Kib", "10240"),
            ("200mb", "200000000"),
            ("300GiB", "322122547200"),
            ("1.1KB", "1100"),
            ("1.1KiB", "1126"),
            (".5KB", "500"),
            ("100k", "100000"),
            ("100kb", "100000"),
            ("100ki", "102400"),
            ("100kib", "102400"),
            ("100m", "100000000"),
            ("100mb", "100000000"),
            ("100mi", "104857600"),
            ("100mib", "104857600"),
            ("100g", "100000000000"),
            ("100gb", "100000000000"),
            ("100gi", "107374182400"),
            ("100gib", "107374182400"),
            ("100t", "100000000000000"),
            ("100tb", "100000000000000"),
            ("100ti", "109951162777600"),
            ("100tib", "109951162777600"),
            ("100p", "100000000000000000"),
            ("100pb", "100000000000000000"),
            ("100pi", "112589990684262400"),
            ("100pib", "112589990684262400"),
            ("10e", "10000000000000000000"),
            ("10eb", "10000000000000000000"),
            ("10ei", "11529215046068469760"),
            ("10eib", "11529215046068469760"),
            ("1e3KB", "1000000"),
            ("3.2E2MiB", "335544320"),
            ("4.5e1GiB", "48318382080"),
            ("5e6", "5000000"),
            ("1e-2KB", "10"),
            ("6.4E1GB", "64000000000"),
            ("7.5e1TiB", "82463372083200"),
            ("5e2MiB", "524288000"),
            ("2e2GiB", "214748364800"),
            ("5E", "5000000000000000000"),
            ("-1.5k", "-1500"),
            ("0.3kb", "300"),
            ("12345678901234567890123", "12345678901234567889920"),
        ];
        for (input, want) in cases {
            assert_eq!(b(input), n(want), "units.parse_bytes({input})");
        }
    }

    #[test]
    fn parse_bytes_errors() {
        for (input, msg) in [
            ("", "no byte amount provided"),
            ("GB", "no byte amount provided"),
            ("foo", "no byte amount provided"),
            ("0.0.0", "could not parse byte amount to a number"),
            (".5.2", "could not parse byte amount to a number"),
            ("100 kb", "spaces not allowed in resource strings"),
            (" 327MiB ", "spaces not allowed in resource strings"),
            ("10e10000000EiB", "exponent too large"),
            ("1xb", "byte unit xb not recognized"),
        ] {
            let e = call_err("units.parse_bytes", &[s(input)]);
            assert_eq!(e.kind, ErrorKind::Builtin);
            assert_eq!(
                e.message,
                format!("units.parse_bytes: units.parse_bytes: {msg}"),
                "{input}"
            );
        }
    }
}
