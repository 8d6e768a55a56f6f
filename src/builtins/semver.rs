//! Semantic versions: `semver.compare` and `semver.is_valid`, strict SemVer 2.0.0 (no leading
//! zeros in numeric parts, no empty identifiers), with an optional leading `v` as OPA allows.

use super::args;
use super::text::go_quote;
use super::{Builtin, BuiltinError};
use crate::value::Value;
use std::cmp::Ordering;

pub(super) fn builtins() -> Vec<Builtin> {
    vec![
        Builtin {
            name: "semver.compare",
            arity: 2,
            func: compare,
            by_ref: None,
        },
        Builtin {
            name: "semver.is_valid",
            arity: 1,
            func: is_valid,
            by_ref: None,
        },
    ]
}

struct Version<'a> {
    core: [u64; 3],
    pre: Vec<&'a str>,
}

fn numeric(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse::<u64>().ok().filter(|&n| i64::try_from(n).is_ok())
}

fn identifiers(s: &str) -> Option<Vec<&str>> {
    let ids: Vec<&str> = s.split('.').collect();
    let ok = ids
        .iter()
        .all(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    ok.then_some(ids)
}

fn parse(text: &str) -> Option<Version<'_>> {
    let text = text.strip_prefix('v').unwrap_or(text);
    let (rest, build) = match text.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (text, None),
    };
    if let Some(b) = build {
        identifiers(b)?;
    }
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, identifiers(p)?),
        None => (rest, Vec::new()),
    };
    if pre
        .iter()
        .any(|id| id.bytes().all(|b| b.is_ascii_digit()) && numeric(id).is_none())
    {
        return None;
    }
    let parts: Vec<&str> = core.split('.').collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    Some(Version {
        core: [numeric(a)?, numeric(b)?, numeric(c)?],
        pre,
    })
}

fn cmp_versions(x: &Version<'_>, y: &Version<'_>) -> Ordering {
    x.core
        .cmp(&y.core)
        .then_with(|| match (x.pre.is_empty(), y.pre.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => {
                for (a, b) in x.pre.iter().zip(y.pre.iter()) {
                    let ord = match (numeric(a), numeric(b)) {
                        (Some(m), Some(n)) => m.cmp(&n),
                        (Some(_), None) => Ordering::Less,
                        (None, Some(_)) => Ordering::Greater,
                        (None, None) => a.cmp(b),
                    };
                    if ord != Ordering::Equal {
                        return ord;
                    }
                }
                x.pre.len().cmp(&y.pre.len())
            }
        })
}

fn compare(a: &[Value]) -> Result<Value, BuiltinError> {
    let name = "semver.compare";
    let x = args::string(name, a, 0)?;
    let y = args::string(name, a, 1)?;
    let invalid = |pos: usize, s: &str| {
        BuiltinError::failed(
            name,
            format!(
                "operand {pos}: string {} is not a valid SemVer",
                go_quote(s)
            ),
        )
    };
    let vx = parse(x).ok_or_else(|| invalid(1, x))?;
    let vy = parse(y).ok_or_else(|| invalid(2, y))?;
    Ok(Value::int(match cmp_versions(&vx, &vy) {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    }))
}

fn is_valid(a: &[Value]) -> Result<Value, BuiltinError> {
    let v = args::arg("semver.is_valid", a, 0)?;
    Ok(Value::Bool(v.as_str().is_some_and(|s| parse(s).is_some())))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{call, call_err, s, v};
    use crate::error::ErrorKind;
    use crate::value::Value;

    fn cmp(a: &str, b: &str) -> Value {
        call("semver.compare", &[s(a), s(b)])
    }

    #[test]
    fn comparisons() {
        assert_eq!(cmp("1.0.0", "2.0.0"), v("-1"));
        assert_eq!(cmp("2.0.0", "1.0.0"), v("1"));
        assert_eq!(cmp("1.0.0", "1.0.0"), v("0"));
        assert_eq!(cmp("1.2.3-0", "1.2.3-1"), v("-1"));
        assert_eq!(cmp("1.2.3+01", "1.2.3+2"), v("0"));
        assert_eq!(cmp("v1.2.3", "1.2.3"), v("0"));
        assert_eq!(cmp("1.0.0-alpha", "1.0.0"), v("-1"));
        assert_eq!(cmp("1.0.0", "1.0.0-alpha"), v("1"));
        for (lo, hi) in [
            ("1.0.0-alpha", "1.0.0-alpha.1"),
            ("1.0.0-alpha.1", "1.0.0-alpha.beta"),
            ("1.0.0-alpha.beta", "1.0.0-beta"),
            ("1.0.0-beta.2", "1.0.0-beta.11"),
            ("1.0.0-rc.1", "1.0.0"),
        ] {
            assert_eq!(cmp(lo, hi), v("-1"), "{lo} < {hi}");
            assert_eq!(cmp(hi, lo), v("1"), "{hi} > {lo}");
        }
    }

    #[test]
    fn invalid_versions() {
        let e = call_err("semver.compare", &[s("1"), s("1.0.0")]);
        assert_eq!(e.kind, ErrorKind::Builtin);
        assert_eq!(
            e.message,
            r#"semver.compare: operand 1: string "1" is not a valid SemVer"#
        );
        assert_eq!(
            call_err("semver.compare", &[s("1.0.0"), s("1")]).message,
            r#"semver.compare: operand 2: string "1" is not a valid SemVer"#
        );
        for bad in [
            "1.02.3",
            "1.2.3-01",
            "1.2.3-",
            "1.2.3+",
            "1.2",
            "1.2.3.4",
            "a.b.c",
            "1.2.3-a..b",
            "01.2.3",
            "1.2.3-é",
        ] {
            assert_eq!(
                call("semver.is_valid", &[s(bad)]),
                Value::Bool(false),
                "{bad}"
            );
        }
        assert_eq!(
            call("semver.is_valid", &[s("1.2.3-rc.1+build.5")]),
            Value::Bool(true)
        );
        assert_eq!(call("semver.is_valid", &[v("1")]), Value::Bool(false));
        assert_eq!(
            call_err("semver.compare", &[v("1"), s("1.0.0")]).message,
            "semver.compare: operand 1 must be string but got number"
        );
    }
}
