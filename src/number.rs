//! Rego numbers: exact integers of any size and exact decimals.
//!
//! OPA keeps numbers as decimal strings and computes with big floats, so `0.1 + 0.2 == 0.3`,
//! `1e30 + 1` and integers past 2^64 all come out exact. We keep the common case (an integer that
//! fits in `i64`) unboxed and fall back to a normalised [`BigDecimal`] for everything else. The
//! representation is canonical: an integral value that fits in `i64` is always `Int`, and a `Big`
//! never has trailing zeros, so derived equality and hashing agree with numeric equality.

use bigdecimal::{BigDecimal, One, RoundingMode, Signed, ToPrimitive, Zero};
use num_bigint::BigInt;
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// The largest decimal exponent a number literal may have (`1e100000`).
const MAX_EXPONENT: i64 = 100_000;

/// Digits kept by a division whose result does not terminate (OPA's big floats round too).
const DIVISION_PRECISION: u64 = 34;

/// A Rego number. See the module documentation for the representation.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Number {
    /// An integer that fits in `i64`.
    Int(i64),
    /// Any other value, normalised (no trailing zeros).
    Big(Arc<BigDecimal>),
}

impl Number {
    /// Parses a Rego or JSON number literal (`12`, `-3.5`, `1e400`, `0.35E1`).
    pub fn parse(text: &str) -> Option<Number> {
        if let Ok(i) = text.parse::<i64>() {
            return Some(Number::Int(i));
        }
        let t = text.strip_prefix('+').unwrap_or(text);
        if t.is_empty()
            || !t
                .bytes()
                .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
        {
            return None;
        }
        let d = BigDecimal::from_str(t).ok()?;
        // Refuse absurd exponents (`1e6744073709551617`): every later comparison would have to
        // expand them. Go's big floats, behind OPA's numbers, stop far below this too.
        let (digits, scale) = d.as_bigint_and_exponent();
        let ndigits = digits.magnitude().to_string().len() as i64;
        let exponent = (ndigits - 1).saturating_sub(scale);
        if exponent.abs() > MAX_EXPONENT {
            return None;
        }
        Some(Number::from_big(d))
    }

    /// Builds the canonical number for a big decimal.
    pub fn from_big(d: BigDecimal) -> Number {
        if d.is_zero() {
            return Number::Int(0);
        }
        if d.is_integer() {
            if let Some(i) = d.to_i64() {
                return Number::Int(i);
            }
        }
        Number::Big(Arc::new(d.normalized()))
    }

    /// Converts a float (from YAML or a built-in); `None` for NaN and infinities.
    pub fn from_f64(f: f64) -> Option<Number> {
        if !f.is_finite() {
            return None;
        }
        if f.fract() == 0.0 && f.abs() < 9.0e15 {
            return Some(Number::Int(f as i64));
        }
        // Rust prints the shortest text that reads back as the same float, as Go's encoder does.
        Number::parse(&format!("{f}"))
    }

    /// The value as a big decimal.
    pub fn to_big(&self) -> BigDecimal {
        match self {
            Number::Int(i) => BigDecimal::from(*i),
            Number::Big(b) => (**b).clone(),
        }
    }

    /// The value as `i64` when it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(*i),
            Number::Big(_) => None,
        }
    }

    /// The value as a big integer when it is integral.
    pub fn as_bigint(&self) -> Option<BigInt> {
        match self {
            Number::Int(i) => Some(BigInt::from(*i)),
            Number::Big(b) if b.is_integer() => {
                let (digits, scale) = b.as_bigint_and_exponent();
                // scale <= 0 for a normalised integer: digits * 10^-scale
                let mut n = digits;
                for _ in 0..(-scale) {
                    n *= 10;
                }
                Some(n)
            }
            Number::Big(_) => None,
        }
    }

    /// The nearest `f64` (for built-ins that need floating point, such as `units.parse`).
    pub fn as_f64(&self) -> f64 {
        match self {
            Number::Int(i) => *i as f64,
            Number::Big(b) => b.to_f64().unwrap_or(f64::NAN),
        }
    }

    /// Whether the number is integral.
    pub fn is_integer(&self) -> bool {
        match self {
            Number::Int(_) => true,
            Number::Big(b) => b.is_integer(),
        }
    }

    /// Whether the number is zero.
    pub fn is_zero(&self) -> bool {
        matches!(self, Number::Int(0))
    }

    /// Whether the number is below zero.
    pub fn is_negative(&self) -> bool {
        match self {
            Number::Int(i) => *i < 0,
            Number::Big(b) => b.is_negative(),
        }
    }

    /// `self + other`, exact.
    pub fn add(&self, other: &Number) -> Number {
        if let (Number::Int(a), Number::Int(b)) = (self, other) {
            if let Some(r) = a.checked_add(*b) {
                return Number::Int(r);
            }
        }
        Number::from_big(self.to_big() + other.to_big())
    }

    /// `self - other`, exact.
    pub fn sub(&self, other: &Number) -> Number {
        if let (Number::Int(a), Number::Int(b)) = (self, other) {
            if let Some(r) = a.checked_sub(*b) {
                return Number::Int(r);
            }
        }
        Number::from_big(self.to_big() - other.to_big())
    }

    /// `self * other`, exact.
    pub fn mul(&self, other: &Number) -> Number {
        if let (Number::Int(a), Number::Int(b)) = (self, other) {
            if let Some(r) = a.checked_mul(*b) {
                return Number::Int(r);
            }
        }
        Number::from_big(self.to_big() * other.to_big())
    }

    /// `self / other`; `None` when dividing by zero.
    pub fn div(&self, other: &Number) -> Option<Number> {
        if other.is_zero() {
            return None;
        }
        if let (Number::Int(a), Number::Int(b)) = (self, other) {
            if a % b == 0 {
                if let Some(r) = a.checked_div(*b) {
                    return Some(Number::Int(r));
                }
            }
        }
        let q = self.to_big() / other.to_big();
        Some(Number::from_big(q.with_precision_round(
            std::num::NonZeroU64::new(DIVISION_PRECISION)?,
            RoundingMode::HalfEven,
        )))
    }

    /// `self % other` on integers, with the sign of the dividend (Go's `big.Int.Rem`).
    /// `Err` names what is wrong.
    pub fn rem(&self, other: &Number) -> Result<Number, &'static str> {
        if let (Number::Int(a), Number::Int(b)) = (self, other) {
            if *b == 0 {
                return Err("modulo by zero");
            }
            return Ok(Number::Int(a.checked_rem(*b).unwrap_or(0)));
        }
        let (Some(a), Some(b)) = (self.as_bigint(), other.as_bigint()) else {
            return Err("modulo on floating-point number");
        };
        if b.is_zero() {
            return Err("modulo by zero");
        }
        Ok(Number::from_big(BigDecimal::from(a % b)))
    }

    /// The absolute value.
    pub fn abs(&self) -> Number {
        match self {
            Number::Int(i) => match i.checked_abs() {
                Some(a) => Number::Int(a),
                None => Number::from_big(BigDecimal::from(*i).abs()),
            },
            Number::Big(b) => Number::from_big(b.abs()),
        }
    }

    /// The negation.
    pub fn neg(&self) -> Number {
        Number::Int(0).sub(self)
    }

    /// Rounds half away from zero to an integer (OPA's `round`).
    pub fn round(&self) -> Number {
        match self {
            Number::Int(_) => self.clone(),
            Number::Big(b) => Number::from_big(b.with_scale_round(0, RoundingMode::HalfUp)),
        }
    }

    /// The least integer not below the value.
    pub fn ceil(&self) -> Number {
        match self {
            Number::Int(_) => self.clone(),
            Number::Big(b) => Number::from_big(b.with_scale_round(0, RoundingMode::Ceiling)),
        }
    }

    /// The greatest integer not above the value.
    pub fn floor(&self) -> Number {
        match self {
            Number::Int(_) => self.clone(),
            Number::Big(b) => Number::from_big(b.with_scale_round(0, RoundingMode::Floor)),
        }
    }

    /// One, as a number.
    pub fn one() -> Number {
        Number::from_big(BigDecimal::one())
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => a.cmp(b),
            _ => self.to_big().cmp(&other.to_big()),
        }
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl From<i64> for Number {
    fn from(i: i64) -> Number {
        Number::Int(i)
    }
}

impl From<usize> for Number {
    fn from(i: usize) -> Number {
        match i64::try_from(i) {
            Ok(i) => Number::Int(i),
            Err(_) => Number::from_big(BigDecimal::from(i as u64)),
        }
    }
}

impl fmt::Display for Number {
    /// Integers print as digits, other values as plain decimals (`3.5`, `0.001`); very large or
    /// very small exponents print in scientific notation, as Go's `%v` of a big float does.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::Big(b) => {
                let (digits, scale) = b.as_bigint_and_exponent();
                let ndigits = digits.magnitude().to_string().len() as i64;
                let exponent = ndigits - 1 - scale;
                if scale <= 0 && exponent < 400 {
                    // Integral: digits followed by -scale zeros.
                    write!(f, "{digits}{}", "0".repeat((-scale) as usize))
                } else if (-30..400).contains(&exponent) {
                    write!(f, "{}", b.to_plain_string())
                } else {
                    write!(f, "{}", b.to_scientific_notation())
                }
            }
        }
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Number {
        Number::parse(s).unwrap()
    }

    #[test]
    fn decimals_are_exact() {
        assert_eq!(n("0.1").add(&n("0.2")), n("0.3"));
        assert_eq!(n("3.50"), n("3.5"));
        assert_eq!(n("1e2"), Number::Int(100));
        assert_eq!(
            n("1e30").add(&Number::Int(1)).to_string(),
            "1000000000000000000000000000001"
        );
    }

    #[test]
    fn absurd_exponents_are_refused() {
        assert_eq!(Number::parse("184e6744073709551617"), None);
        assert_eq!(Number::parse("1e-6744073709551617"), None);
        assert!(Number::parse("1e400").is_some());
    }

    #[test]
    fn big_integers() {
        assert_eq!(
            n("18446744073709551617").add(&Number::Int(1)).to_string(),
            "18446744073709551618"
        );
        assert_eq!(
            Number::Int(i64::MIN).abs().to_string(),
            "9223372036854775808"
        );
        assert_eq!(
            Number::Int(10).rem(&n("18446744073709551616")),
            Ok(Number::Int(10))
        );
    }

    #[test]
    fn division_and_rounding() {
        assert_eq!(
            Number::Int(1).div(&Number::Int(4)).unwrap().to_string(),
            "0.25"
        );
        assert_eq!(Number::Int(1).div(&Number::Int(0)), None);
        assert_eq!(n("2.5").round(), Number::Int(3));
        assert_eq!(n("-2.5").round(), Number::Int(-3));
        assert_eq!(Number::Int(-17).rem(&Number::Int(5)), Ok(Number::Int(-2)));
    }

    #[test]
    fn ordering_is_numeric() {
        assert!(n("1e-400") > Number::Int(0));
        assert!(n("1e400") > n("1e399"));
        assert!(n("0.1234567890123456789") > n("0.1234567890123456788"));
    }
}
