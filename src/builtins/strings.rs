//! String built-ins: `concat`, `contains`, `startswith`, `endswith`, `lower`, `upper`, `split`,
//! `replace`, the `trim` family, `substring`, `indexof`, `indexof_n`, `sprintf`, `format_int`,
//! `to_number` and the `strings.*` functions. Indexes count Unicode code points, as in OPA.

use super::args::{self, element_err, enum_err, type_err};
use super::sprintf::{sprintf as go_sprintf, Arg};
use super::{Builtin, BuiltinError};
use crate::number::Number;
use crate::value::Value;
use bigdecimal::RoundingMode;

pub(super) fn builtins() -> Vec<Builtin> {
    vec![
        Builtin {
            name: "concat",
            arity: 2,
            func: concat,
            by_ref: None,
        },
        Builtin {
            name: "contains",
            arity: 2,
            func: contains,
            by_ref: None,
        },
        Builtin {
            name: "startswith",
            arity: 2,
            func: startswith,
            by_ref: None,
        },
        Builtin {
            name: "endswith",
            arity: 2,
            func: endswith,
            by_ref: None,
        },
        Builtin {
            name: "lower",
            arity: 1,
            func: lower,
            by_ref: None,
        },
        Builtin {
            name: "upper",
            arity: 1,
            func: upper,
            by_ref: None,
        },
        Builtin {
            name: "split",
            arity: 2,
            func: split,
            by_ref: None,
        },
        Builtin {
            name: "replace",
            arity: 3,
            func: replace,
            by_ref: None,
        },
        Builtin {
            name: "trim",
            arity: 2,
            func: trim,
            by_ref: None,
        },
        Builtin {
            name: "trim_left",
            arity: 2,
            func: trim_left,
            by_ref: None,
        },
        Builtin {
            name: "trim_right",
            arity: 2,
            func: trim_right,
            by_ref: None,
        },
        Builtin {
            name: "trim_prefix",
            arity: 2,
            func: trim_prefix,
            by_ref: None,
        },
        Builtin {
            name: "trim_suffix",
            arity: 2,
            func: trim_suffix,
            by_ref: None,
        },
        Builtin {
            name: "trim_space",
            arity: 1,
            func: trim_space,
            by_ref: None,
        },
        Builtin {
            name: "substring",
            arity: 3,
            func: substring,
            by_ref: None,
        },
        Builtin {
            name: "indexof",
            arity: 2,
            func: indexof,
            by_ref: None,
        },
        Builtin {
            name: "indexof_n",
            arity: 2,
            func: indexof_n,
            by_ref: None,
        },
        Builtin {
            name: "sprintf",
            arity: 2,
            func: sprintf,
            by_ref: None,
        },
        Builtin {
            name: "format_int",
            arity: 2,
            func: format_int,
            by_ref: None,
        },
        Builtin {
            name: "to_number",
            arity: 1,
            func: to_number,
            by_ref: None,
        },
        Builtin {
            name: "strings.any_prefix_match",
            arity: 2,
            func: any_prefix_match,
            by_ref: None,
        },
        Builtin {
            name: "strings.any_suffix_match",
            arity: 2,
            func: any_suffix_match,
            by_ref: None,
        },
        Builtin {
            name: "strings.reverse",
            arity: 1,
            func: reverse,
            by_ref: None,
        },
        Builtin {
            name: "strings.count",
            arity: 2,
            func: count,
            by_ref: None,
        },
        Builtin {
            name: "strings.split_n",
            arity: 3,
            func: split_n,
            by_ref: None,
        },
        Builtin {
            name: "strings.replace_n",
            arity: 2,
            func: replace_n,
            by_ref: None,
        },
    ]
}

fn two_strings<'a>(name: &str, a: &'a [Value]) -> Result<(&'a str, &'a str), BuiltinError> {
    Ok((args::string(name, a, 0)?, args::string(name, a, 1)?))
}

fn concat(a: &[Value]) -> Result<Value, BuiltinError> {
    let sep = args::string("concat", a, 0)?;
    let coll = args::arg("concat", a, 1)?;
    let items =
        args::members(coll).ok_or_else(|| type_err("concat", 2, coll, &["set", "array"]))?;
    let parts = items
        .into_iter()
        .map(|item| {
            item.as_str()
                .ok_or_else(|| element_err("concat", 2, coll, item, &["string"]))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Value::from(parts.join(sep)))
}

fn contains(a: &[Value]) -> Result<Value, BuiltinError> {
    let (s, sub) = two_strings("contains", a)?;
    Ok(Value::Bool(s.contains(sub)))
}

fn startswith(a: &[Value]) -> Result<Value, BuiltinError> {
    let (s, p) = two_strings("startswith", a)?;
    Ok(Value::Bool(s.starts_with(p)))
}

fn endswith(a: &[Value]) -> Result<Value, BuiltinError> {
    let (s, p) = two_strings("endswith", a)?;
    Ok(Value::Bool(s.ends_with(p)))
}

/// Go's `unicode.ToLower`: the simple (one-character) mapping.
fn go_lower(c: char) -> char {
    let mut it = c.to_lowercase();
    match (it.next(), it.next()) {
        (Some(l), None) => l,
        // Only U+0130 lowers to two characters; its simple mapping is the first.
        (Some(l), Some(_)) => l,
        _ => c,
    }
}

/// Go's `unicode.ToUpper`: the simple (one-character) mapping.
fn go_upper(c: char) -> char {
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        _ => {
            // Characters whose full uppercase is two or more characters: only these have a
            // simple mapping too (Greek with ypogegrammeni); the others stay as they are.
            let u = c as u32;
            let simple = match u {
                0x1F80..=0x1F87 | 0x1F90..=0x1F97 | 0x1FA0..=0x1FA7 => u + 8,
                0x1FB3 => 0x1FBC,
                0x1FC3 => 0x1FCC,
                0x1FF3 => 0x1FFC,
                _ => u,
            };
            char::from_u32(simple).unwrap_or(c)
        }
    }
}

fn lower(a: &[Value]) -> Result<Value, BuiltinError> {
    let s = args::string("lower", a, 0)?;
    Ok(Value::from(s.chars().map(go_lower).collect::<String>()))
}

fn upper(a: &[Value]) -> Result<Value, BuiltinError> {
    let s = args::string("upper", a, 0)?;
    Ok(Value::from(s.chars().map(go_upper).collect::<String>()))
}

/// Go's `strings.SplitN`: at most `n` parts (`None` for all); an empty separator splits after
/// each character.
fn go_split_n<'a>(s: &'a str, sep: &str, n: Option<usize>) -> Vec<&'a str> {
    if n == Some(0) {
        return Vec::new();
    }
    let limit = n.unwrap_or(usize::MAX);
    let mut out = Vec::new();
    if sep.is_empty() {
        let mut rest = s;
        while !rest.is_empty() {
            if out.len() + 1 == limit {
                out.push(rest);
                return out;
            }
            let w = rest.chars().next().map_or(1, char::len_utf8);
            out.push(&rest[..w]);
            rest = &rest[w..];
        }
        return out;
    }
    let mut rest = s;
    while out.len() + 1 < limit {
        match rest.find(sep) {
            Some(i) => {
                out.push(&rest[..i]);
                rest = &rest[i + sep.len()..];
            }
            None => break,
        }
    }
    out.push(rest);
    out
}

fn strings_value(parts: &[&str]) -> Value {
    Value::array(parts.iter().map(|p| Value::string(p)).collect())
}

fn split(a: &[Value]) -> Result<Value, BuiltinError> {
    let (s, sep) = two_strings("split", a)?;
    if !s.contains(sep) {
        return Ok(Value::array(vec![Value::string(s)]));
    }
    Ok(strings_value(&go_split_n(s, sep, None)))
}

fn split_n(a: &[Value]) -> Result<Value, BuiltinError> {
    let (s, sep) = two_strings("strings.split_n", a)?;
    let n = args::int("strings.split_n", a, 2)?;
    if n >= 0 {
        let limit = usize::try_from(n).unwrap_or(usize::MAX);
        return Ok(strings_value(&go_split_n(s, sep, Some(limit))));
    }
    let parts = go_split_n(s, sep, None);
    let keep = usize::try_from(n.unsigned_abs()).unwrap_or(usize::MAX);
    let start = parts.len().saturating_sub(keep);
    Ok(strings_value(&parts[start..]))
}

/// Go's `strings.NewReplacer(old1, new1, ...).Replace(s)`: at each position the first pair in
/// order whose old string matches wins; an empty old string matches between characters.
fn go_replace(s: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut last = 0;
    let mut prev_empty = false;
    while i <= s.len() {
        let rest = &s[i..];
        let found = pairs
            .iter()
            .find(|(old, _)| (!old.is_empty() || !prev_empty) && rest.starts_with(old));
        match found {
            Some((old, new)) => {
                prev_empty = old.is_empty();
                out.push_str(&s[last..i]);
                out.push_str(new);
                i += old.len();
                last = i;
            }
            None => {
                prev_empty = false;
                i += rest.chars().next().map_or(1, char::len_utf8);
            }
        }
    }
    out.push_str(&s[last.min(s.len())..]);
    out
}

fn replace(a: &[Value]) -> Result<Value, BuiltinError> {
    let (s, old) = two_strings("replace", a)?;
    let new = args::string("replace", a, 2)?;
    Ok(Value::from(go_replace(s, &[(old, new)])))
}

fn replace_n(a: &[Value]) -> Result<Value, BuiltinError> {
    let patterns = args::object("strings.replace_n", a, 0)?;
    let s = args::string("strings.replace_n", a, 1)?;
    let mut pairs = Vec::with_capacity(patterns.len());
    for (k, v) in patterns.iter() {
        let old = k.as_str().ok_or_else(|| {
            args::operand_err(
                "strings.replace_n",
                1,
                "non-string key found in pattern object",
            )
        })?;
        let new = v.as_str().ok_or_else(|| {
            args::operand_err(
                "strings.replace_n",
                1,
                "non-string value found in pattern object",
            )
        })?;
        pairs.push((old, new));
    }
    Ok(Value::from(go_replace(s, &pairs)))
}

fn trim_with(
    name: &str,
    a: &[Value],
    f: fn(&str, &dyn Fn(char) -> bool) -> String,
) -> Result<Value, BuiltinError> {
    let (s, cutset) = two_strings(name, a)?;
    Ok(Value::from(f(s, &|c| cutset.contains(c))))
}

fn trim(a: &[Value]) -> Result<Value, BuiltinError> {
    trim_with("trim", a, |s, p| s.trim_matches(p).to_string())
}

fn trim_left(a: &[Value]) -> Result<Value, BuiltinError> {
    trim_with("trim_left", a, |s, p| s.trim_start_matches(p).to_string())
}

fn trim_right(a: &[Value]) -> Result<Value, BuiltinError> {
    trim_with("trim_right", a, |s, p| s.trim_end_matches(p).to_string())
}

fn trim_prefix(a: &[Value]) -> Result<Value, BuiltinError> {
    let (s, p) = two_strings("trim_prefix", a)?;
    Ok(Value::string(s.strip_prefix(p).unwrap_or(s)))
}

fn trim_suffix(a: &[Value]) -> Result<Value, BuiltinError> {
    let (s, p) = two_strings("trim_suffix", a)?;
    Ok(Value::string(s.strip_suffix(p).unwrap_or(s)))
}

/// Go's `strings.TrimSpace` (Unicode white space, the same set as Rust's).
fn trim_space(a: &[Value]) -> Result<Value, BuiltinError> {
    let s = args::string("trim_space", a, 0)?;
    Ok(Value::string(s.trim()))
}

fn substring(a: &[Value]) -> Result<Value, BuiltinError> {
    let s = args::string("substring", a, 0)?;
    let start = args::int("substring", a, 1)?;
    let length = args::int("substring", a, 2)?;
    if start < 0 {
        return Err(BuiltinError::failed("substring", "negative offset"));
    }
    let start = usize::try_from(start).unwrap_or(usize::MAX);
    let rest: &str = match s.char_indices().nth(start) {
        Some((i, _)) => &s[i..],
        None => return Ok(Value::string("")),
    };
    if length < 0 {
        return Ok(Value::string(rest));
    }
    let length = usize::try_from(length).unwrap_or(usize::MAX);
    let end = rest
        .char_indices()
        .nth(length)
        .map_or(rest.len(), |(i, _)| i);
    Ok(Value::string(&rest[..end]))
}

/// The code-point positions where `search` starts in `base`, overlapping ones included.
fn positions(name: &str, a: &[Value]) -> Result<Vec<usize>, BuiltinError> {
    let (base, search) = two_strings(name, a)?;
    if search.is_empty() {
        return Err(BuiltinError::failed(name, "empty search character"));
    }
    let mut out = Vec::new();
    for (pos, (i, _)) in base.char_indices().enumerate() {
        if base[i..].starts_with(search) {
            out.push(pos);
        }
    }
    Ok(out)
}

fn indexof(a: &[Value]) -> Result<Value, BuiltinError> {
    let found = positions("indexof", a)?;
    Ok(found
        .first()
        .map_or(Value::int(-1), |&p| Value::Number(Number::from(p))))
}

fn indexof_n(a: &[Value]) -> Result<Value, BuiltinError> {
    let found = positions("indexof_n", a)?;
    Ok(Value::array(
        found
            .into_iter()
            .map(|p| Value::Number(Number::from(p)))
            .collect(),
    ))
}

fn sprintf(a: &[Value]) -> Result<Value, BuiltinError> {
    let format = args::string("sprintf", a, 0)?;
    let items = args::array("sprintf", a, 1)?;
    if let Some(text) = plain_strings(format, items) {
        return Ok(Value::from(text));
    }
    let converted: Vec<Arg> = items.iter().map(Arg::from_value).collect();
    Ok(Value::from(go_sprintf(format, &converted)))
}

/// What Go's printer writes for a format whose only verbs are `%s` (and `%%`), one for each
/// operand, all strings: nearly every rule's message. Written directly, where the printer
/// copies each operand and goes through its flags and padding (2,100 instructions a message on
/// the corpus). `None` for anything else (another verb, a flag or width, an operand that is
/// not a string, too few or too many operands), which the printer handles.
fn plain_strings(format: &str, items: &[Value]) -> Option<String> {
    let operands: usize = items.iter().map(|v| v.as_str().map_or(0, str::len)).sum();
    let mut out = String::with_capacity(format.len() + operands);
    let mut items = items.iter();
    let mut rest = format;
    while let Some(at) = memchr::memchr(b'%', rest.as_bytes()) {
        out.push_str(&rest[..at]);
        match rest.as_bytes().get(at + 1) {
            Some(b's') => out.push_str(items.next()?.as_str()?),
            Some(b'%') => out.push('%'),
            _ => return None,
        }
        rest = &rest[at + 2..];
    }
    out.push_str(rest);
    match items.next() {
        Some(_) => None,
        None => Some(out),
    }
}

fn format_int(a: &[Value]) -> Result<Value, BuiltinError> {
    let input = args::number("format_int", a, 0)?;
    let base = args::number("format_int", a, 1)?;
    let radix = match base.as_i64() {
        Some(b @ (2 | 8 | 10 | 16)) => b as u32,
        _ => return Err(enum_err("format_int", 2, &["2", "8", "10", "16"])),
    };
    // Fractions are truncated toward zero.
    let truncated = match input.as_bigint() {
        Some(i) => i,
        None => {
            let t = Number::from_big(input.to_big().with_scale_round(0, RoundingMode::Down));
            t.as_bigint().unwrap_or_default()
        }
    };
    Ok(Value::from(truncated.to_str_radix(radix)))
}

/// Whether `s` is a decimal floating-point literal that Go's `strconv.ParseFloat` accepts.
pub(super) fn go_float_syntax(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let mut digits = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
        digits += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    i == b.len()
}

/// A Go float literal in the form [`Number::parse`] reads (`.5` → `0.5`, `5.` → `5`).
pub(super) fn canonical_literal(s: &str) -> String {
    let (sign, body) = match s.as_bytes().first() {
        Some(b'-') => ("-", &s[1..]),
        Some(b'+') => ("", &s[1..]),
        _ => ("", s),
    };
    let (mant, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], &body[i..]),
        None => (body, ""),
    };
    let mut m = mant.to_string();
    if m.starts_with('.') {
        m.insert(0, '0');
    }
    if m.ends_with('.') {
        m.pop();
    }
    format!("{sign}{m}{exp}")
}

fn to_number(a: &[Value]) -> Result<Value, BuiltinError> {
    let x = args::arg("to_number", a, 0)?;
    match x {
        Value::Null => Ok(Value::int(0)),
        Value::Bool(b) => Ok(Value::int(i64::from(*b))),
        Value::Number(_) => Ok(x.clone()),
        Value::String(s) => {
            let lowered = s.trim_start_matches(['+', '-']).to_lowercase();
            if matches!(lowered.as_str(), "inf" | "infinity" | "nan") {
                return Err(type_err("to_number", 1, x, &["valid number string"]));
            }
            let quoted = super::text::go_quote(s);
            if !go_float_syntax(s) {
                return Err(BuiltinError::failed(
                    "to_number",
                    format!("strconv.ParseFloat: parsing {quoted}: invalid syntax"),
                ));
            }
            let canonical = canonical_literal(s);
            let in_range = canonical.parse::<f64>().is_ok_and(f64::is_finite);
            match Number::parse(&canonical) {
                Some(n) if in_range => Ok(Value::Number(n)),
                _ => Err(BuiltinError::failed(
                    "to_number",
                    format!("strconv.ParseFloat: parsing {quoted}: value out of range"),
                )),
            }
        }
        _ => Err(type_err(
            "to_number",
            1,
            x,
            &["null", "boolean", "number", "string"],
        )),
    }
}

/// The strings of a `strings.any_*_match` operand: a string, or an array or set of strings.
fn affixes<'a>(name: &str, a: &'a [Value], i: usize) -> Result<Vec<&'a str>, BuiltinError> {
    let v = args::arg(name, a, i)?;
    match v {
        Value::String(s) => Ok(vec![s]),
        Value::Array(_) | Value::Set(_) => args::string_slice(name, i + 1, v),
        _ => Err(type_err(name, i + 1, v, &["string", "set", "array"])),
    }
}

fn any_prefix_match(a: &[Value]) -> Result<Value, BuiltinError> {
    let name = "strings.any_prefix_match";
    let strs = affixes(name, a, 0)?;
    let prefixes = affixes(name, a, 1)?;
    Ok(Value::Bool(
        strs.iter()
            .any(|s| prefixes.iter().any(|p| s.starts_with(p))),
    ))
}

fn any_suffix_match(a: &[Value]) -> Result<Value, BuiltinError> {
    let name = "strings.any_suffix_match";
    let strs = affixes(name, a, 0)?;
    let suffixes = affixes(name, a, 1)?;
    Ok(Value::Bool(
        strs.iter().any(|s| suffixes.iter().any(|p| s.ends_with(p))),
    ))
}

fn reverse(a: &[Value]) -> Result<Value, BuiltinError> {
    let s = args::string("strings.reverse", a, 0)?;
    Ok(Value::from(s.chars().rev().collect::<String>()))
}

/// Go's `strings.Count`: non-overlapping matches; an empty substring counts characters + 1.
fn count(a: &[Value]) -> Result<Value, BuiltinError> {
    let (s, sub) = two_strings("strings.count", a)?;
    let n = if sub.is_empty() {
        s.chars().count() + 1
    } else {
        s.matches(sub).count()
    };
    Ok(Value::Number(Number::from(n)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::testutil::{call, call_err, n, s, set, v};
    use super::{go_sprintf, plain_strings, Arg};
    use crate::error::ErrorKind;
    use crate::value::Value;

    const T: Value = Value::Bool(true);
    const F: Value = Value::Bool(false);

    #[test]
    fn prefix_and_suffix_matching() {
        let p = "strings.any_prefix_match";
        assert_eq!(
            call(
                p,
                &[v(r#"["a/b/c", "a/b/d", "e/f/g"]"#), v(r#"["a/", "d/"]"#)]
            ),
            T
        );
        assert_eq!(
            call(
                p,
                &[v(r#"["a/b/c", "a/b/d", "e/f/g"]"#), v(r#"["f/", "d/"]"#)]
            ),
            F
        );
        assert_eq!(call(p, &[v(r#"["aa/bb/cc"]"#), v(r#"["aa/b", "e/f"]"#)]), T);
        assert_eq!(call(p, &[v(r#"["aa/bb/cc"]"#), v(r#"["a/b"]"#)]), F);
        assert_eq!(call(p, &[v("[]"), v(r#"["a"]"#)]), F);
        assert_eq!(call(p, &[v(r#"["a"]"#), v("[]")]), F);
        assert_eq!(call(p, &[v(r#"["a/b/c"]"#), s("a/")]), T);
        assert_eq!(call(p, &[s("a/b/c"), v(r#"["g/", "d/"]"#)]), F);
        assert_eq!(call(p, &[set(&[r#""a/b/c""#]), set(&[r#""a/""#])]), T);
        assert_eq!(call(p, &[v(r#"["1", "2"]"#), v(r#"["f/"]"#)]), F);
        let e = call_err(p, &[v("[1, 2, 3]"), v(r#"["f/"]"#)]);
        assert_eq!(e.kind, ErrorKind::EvalType);
        assert_eq!(e.message, "strings.any_prefix_match: operand 1 must be array of strings but got array containing number");
        assert_eq!(
            call_err(p, &[v("1"), v(r#"["f/"]"#)]).message,
            "strings.any_prefix_match: operand 1 must be one of {string, set, array} but got number"
        );
        assert_eq!(
            call_err(p, &[v(r#"["a"]"#), v("[1, 2]")]).message,
            "strings.any_prefix_match: operand 2 must be array of strings but got array containing number"
        );
        assert_eq!(
            call_err(p, &[v(r#"["a"]"#), v("1")]).message,
            "strings.any_prefix_match: operand 2 must be one of {string, set, array} but got number"
        );
        let q = "strings.any_suffix_match";
        assert_eq!(
            call(
                q,
                &[v(r#"["a/b/c", "a/b/d", "e/f/g"]"#), v(r#"["/c", "/a"]"#)]
            ),
            T
        );
        assert_eq!(
            call(
                q,
                &[v(r#"["a/b/c", "a/b/d", "e/f/g"]"#), v(r#"["/f", "/a"]"#)]
            ),
            F
        );
        assert_eq!(call(q, &[v(r#"["aa/bb/cc"]"#), v(r#"["aa/b"]"#)]), F);
        assert_eq!(call(q, &[s("a/b/c"), v(r#"["/c"]"#)]), T);
        assert_eq!(call(q, &[v(r#"["a/b/c"]"#), s("/h")]), F);
        assert_eq!(call(q, &[set(&[r#""a/b/c""#]), set(&[r#""/c""#])]), T);
        assert_eq!(
            call_err(q, &[v("[1]"), v(r#"["f/"]"#)]).message,
            "strings.any_suffix_match: operand 1 must be array of strings but got array containing number"
        );
        assert_eq!(
            call_err(q, &[v(r#"["a"]"#), set(&["1"])]).message,
            "strings.any_suffix_match: operand 2 must be set of strings but got set containing number"
        );
    }

    #[test]
    fn split_n_and_split() {
        let sn = |t: &str, d: &str, k: &str| call("strings.split_n", &[s(t), s(d), v(k)]);
        assert_eq!(sn("a.b.c.d", ".", "2"), v(r#"["a", "b.c.d"]"#));
        assert_eq!(sn("a.b", ".", "5"), v(r#"["a", "b"]"#));
        assert_eq!(sn("a.b.c", ".", "-1"), v(r#"["c"]"#));
        assert_eq!(sn("a;b;c;d", ";", "-2"), v(r#"["c", "d"]"#));
        assert_eq!(sn("a.b", ".", "-5"), v(r#"["a", "b"]"#));
        assert_eq!(sn("a.b.c", ".", "0"), v("[]"));
        assert_eq!(sn("a.b.c", ".", "1"), v(r#"["a.b.c"]"#));
        assert_eq!(sn("abc", ".", "2"), v(r#"["abc"]"#));
        assert_eq!(sn("", ".", "2"), v(r#"[""]"#));
        assert_eq!(sn("abc", "", "2"), v(r#"["a", "bc"]"#));
        assert_eq!(sn("a::b::c::d", "::", "3"), v(r#"["a", "b", "c::d"]"#));
        assert_eq!(
            call_err("strings.split_n", &[s("a"), s("."), n("1.5")]).message,
            "strings.split_n: operand 3 must be integer number but got floating-point number"
        );
        assert_eq!(call("split", &[s(""), s(".")]), v(r#"[""]"#));
        assert_eq!(
            call("split", &[s("test"), s("")]),
            v(r#"["t", "e", "s", "t"]"#)
        );
        assert_eq!(call("split", &[s(""), s("")]), v("[]"));
        assert_eq!(call("split", &[s("foo"), s(".")]), v(r#"["foo"]"#));
        assert_eq!(
            call("split", &[s("foo.bar.baz"), s(".")]),
            v(r#"["foo", "bar", "baz"]"#)
        );
        assert_eq!(
            call("split", &[s("a..b."), s(".")]),
            v(r#"["a", "", "b", ""]"#)
        );
        assert_eq!(
            call_err("split", &[v("1"), s(".")]).message,
            "split: operand 1 must be string but got number"
        );
    }

    #[test]
    fn format_int_cases() {
        assert_eq!(call("format_int", &[n("15.5"), v("16")]), s("f"));
        assert_eq!(call("format_int", &[n("-15.9"), v("16")]), s("-f"));
        assert_eq!(call("format_int", &[n("3.1"), v("10")]), s("3"));
        assert_eq!(call("format_int", &[n("4.1"), v("10")]), s("4"));
        assert_eq!(call("format_int", &[v("5"), v("2")]), s("101"));
        assert_eq!(call("format_int", &[v("8"), v("8")]), s("10"));
        assert_eq!(
            call("format_int", &[n("18446744073709551617"), v("16")]),
            s("10000000000000001")
        );
        assert_eq!(call("format_int", &[n("-0.5"), v("10")]), s("0"));
        let e = call_err("format_int", &[n("4.1"), v("199")]);
        assert_eq!(
            (e.kind, e.message.as_str()),
            (
                ErrorKind::EvalType,
                "format_int: operand 2 must be one of {2, 8, 10, 16}"
            )
        );
        assert_eq!(
            call_err("format_int", &[s("1"), v("10")]).message,
            "format_int: operand 1 must be number but got string"
        );
    }

    #[test]
    fn concat_cases() {
        assert_eq!(
            call("concat", &[s("/"), v(r#"["", "foo", "bar", "0", "baz"]"#)]),
            s("/foo/bar/0/baz")
        );
        assert_eq!(
            call("concat", &[s(","), set(&[r#""1""#, r#""2""#, r#""3""#])]),
            s("1,2,3")
        );
        assert_eq!(call("concat", &[s(","), v("[]")]), s(""));
        assert_eq!(call("concat", &[s("::"), v(r#"["a", "b"]"#)]), s("a::b"));
        assert_eq!(
            call_err("concat", &[s(","), v(r#"["a", 1]"#)]).message,
            "concat: operand 2 must be array of strings but got array containing number"
        );
        assert_eq!(
            call_err("concat", &[s(","), set(&["1"])]).message,
            "concat: operand 2 must be set of strings but got set containing number"
        );
        assert_eq!(
            call_err("concat", &[s(","), s("a")]).message,
            "concat: operand 2 must be one of {set, array} but got string"
        );
        assert_eq!(
            call_err("concat", &[v("1"), v("[]")]).message,
            "concat: operand 1 must be string but got number"
        );
    }

    #[test]
    fn indexes_and_substrings() {
        assert_eq!(call("indexof", &[s("abcdefgh"), s("cde")]), v("2"));
        assert_eq!(call("indexof", &[s("abcabcabcdefgh"), s("cde")]), v("8"));
        assert_eq!(call("indexof", &[s("abcdefgh"), s("xyz")]), v("-1"));
        assert_eq!(call("indexof", &[s("μx"), s("x")]), v("1"));
        assert_eq!(call("indexof", &[s("μ"), s("μμ")]), v("-1"));
        assert_eq!(call("indexof", &[s("skön var våren"), s("vår")]), v("9"));
        assert_eq!(call("indexof", &[s("🍧🍨🧁🍰🍮"), s("🍮")]), v("4"));
        assert_eq!(call("indexof", &[s("🍧🍨🧁🍰🍮"), s("🍧🍨🧁🍰🍮")]), v("0"));
        assert_eq!(
            call_err("indexof", &[s("a"), s("")]).message,
            "indexof: empty search character"
        );
        assert_eq!(call("indexof_n", &[s("dogcat"), s("cat")]), v("[3]"));
        assert_eq!(
            call("indexof_n", &[s("dogcatdogcat"), s("cat")]),
            v("[3, 9]")
        );
        assert_eq!(call("indexof_n", &[s("dogcat"), s("rabbit")]), v("[]"));
        assert_eq!(
            call("indexof_n", &[s("😇😀😇😀😇😀"), s("😀")]),
            v("[1, 3, 5]")
        );
        assert_eq!(call("indexof_n", &[s("aaa"), s("aa")]), v("[0, 1]"));
        assert_eq!(
            call_err("indexof_n", &[s("a"), s("")]).message,
            "indexof_n: empty search character"
        );
        let sub = |t: &str, a: &str, b: &str| call("substring", &[s(t), v(a), v(b)]);
        assert_eq!(sub("abcdefgh", "2", "3"), s("cde"));
        assert_eq!(sub("åäö", "0", "2"), s("åä"));
        assert_eq!(sub("abcdefgh", "2", "-1"), s("cdefgh"));
        assert_eq!(sub("aåäö", "2", "-1"), s("äö"));
        assert_eq!(sub("abcdefgh", "2", "10000"), s("cdefgh"));
        assert_eq!(sub("abcdefghåäö", "2", "10000"), s("cdefghåäö"));
        assert_eq!(sub("aaa", "3", "-1"), s(""));
        assert_eq!(sub("åäö", "4", "-1"), s(""));
        assert_eq!(sub("", "0", "1"), s(""));
        let e = call_err("substring", &[s("aaa"), v("-1"), v("-1")]);
        assert_eq!(
            (e.kind, e.message.as_str()),
            (ErrorKind::Builtin, "substring: negative offset")
        );
        assert_eq!(
            call_err("substring", &[s("aaa"), n("1.5"), v("1")]).message,
            "substring: operand 2 must be integer number but got floating-point number"
        );
    }

    #[test]
    fn simple_string_functions() {
        assert_eq!(call("contains", &[s("abcdefgh"), s("defg")]), T);
        assert_eq!(call("contains", &[s("abcdefgh"), s("ac")]), F);
        assert_eq!(call("startswith", &[s("abcdefgh"), s("abcd")]), T);
        assert_eq!(call("startswith", &[s("abcdefgh"), s("bcd")]), F);
        assert_eq!(call("endswith", &[s("abcdefgh"), s("fgh")]), T);
        assert_eq!(call("endswith", &[s("abcdefgh"), s("fg")]), F);
        assert_eq!(call("lower", &[s("AbCdEf")]), s("abcdef"));
        assert_eq!(call("upper", &[s("AbCdEf")]), s("ABCDEF"));
        assert_eq!(call("upper", &[s("straße ᾳ")]), s("STRAßE ᾼ"));
        assert_eq!(call("lower", &[s("İ")]), s("i"));
        assert_eq!(call("strings.reverse", &[s("bar")]), s("rab"));
        assert_eq!(
            call("strings.reverse", &[s("2\u{fe0f}\u{20e3}")]),
            s("\u{20e3}\u{fe0f}2")
        );
        assert_eq!(call("strings.reverse", &[s("1😀𝛾")]), s("𝛾😀1"));
        assert_eq!(call("strings.reverse", &[s("")]), s(""));
        assert_eq!(
            call_err("strings.reverse", &[v("123")]).message,
            "strings.reverse: operand 1 must be string but got number"
        );
        assert_eq!(
            call_err("strings.reverse", &[v("{}")]).message,
            "strings.reverse: operand 1 must be string but got object"
        );
        let c = |a: &str, b: &str| call("strings.count", &[s(a), s(b)]);
        assert_eq!(c("cheese", "e"), v("3"));
        assert_eq!(c("hello hello hello world", "hello"), v("3"));
        assert_eq!(c("dummy", "x"), v("0"));
        assert_eq!(c("dummy", ""), v("6"));
        assert_eq!(c("", ""), v("1"));
        assert_eq!(c("", "x"), v("0"));
        assert_eq!(c("11111", "11"), v("2"));
        assert_eq!(c("11111", "11111"), v("1"));
    }

    #[test]
    fn replacing_and_trimming() {
        let r = |a: &str, b: &str, c: &str| call("replace", &[s(a), s(b), s(c)]);
        assert_eq!(r("", "hi", "bye"), s(""));
        assert_eq!(r("foo.bar", ".", ","), s("foo,bar"));
        assert_eq!(r("foo.bar.baz", ".", ","), s("foo,bar,baz"));
        assert_eq!(r("foo...bar", "..", ",,"), s("foo,,.bar"));
        assert_eq!(r("abc", "", "-"), s("-a-b-c-"));
        let rn = |o: &str, t: &str| call("strings.replace_n", &[v(o), s(t)]);
        assert_eq!(rn(r#"{"a": "1", "b": "2"}"#, "abcab"), s("12c12"));
        assert_eq!(rn(r#"{"ab": "X", "a": "Y"}"#, "abca"), s("YbcY"));
        assert_eq!(rn(r#"{"": "-", "b": "X"}"#, "abc"), s("-a-X-c-"));
        assert_eq!(
            call_err("strings.replace_n", &[v(r#"{"a": 1}"#), s("a")]).message,
            "strings.replace_n: operand 1 non-string value found in pattern object"
        );
        assert_eq!(
            call_err("strings.replace_n", &[v(r#"{1: "a"}"#), s("a")]).message,
            "strings.replace_n: operand 1 non-string key found in pattern object"
        );
        let t = |f: &str, a: &str, b: &str| call(f, &[s(a), s(b)]);
        assert_eq!(t("trim", "", "."), s(""));
        assert_eq!(t("trim", "foo.bar...", "."), s("foo.bar"));
        assert_eq!(t("trim", "...foo.bar...", ".fr"), s("oo.ba"));
        assert_eq!(t("trim", "...foo.bar...", ".o"), s("foo.bar"));
        assert_eq!(t("trim", "¡¡¡foo, bar!!!", "!¡"), s("foo, bar"));
        assert_eq!(t("trim", "¡¡¡foo, bar!!!", "i"), s("¡¡¡foo, bar!!!"));
        assert_eq!(t("trim_left", "¡¡¡foo, bar!!!", "!¡"), s("foo, bar!!!"));
        assert_eq!(t("trim_left", "!!!foo, bar¡¡¡", "¡"), s("!!!foo, bar¡¡¡"));
        assert_eq!(t("trim_right", "¡¡¡foo, bar!!!", "!¡"), s("¡¡¡foo, bar"));
        assert_eq!(t("trim_right", "!!!foo, bar¡¡¡", "!"), s("!!!foo, bar¡¡¡"));
        assert_eq!(t("trim_prefix", "¡¡¡foo, bar!!!", "¡¡¡foo"), s(", bar!!!"));
        assert_eq!(
            t("trim_prefix", "¡¡¡foo, bar!!!", "¡¡¡bar"),
            s("¡¡¡foo, bar!!!")
        );
        assert_eq!(t("trim_suffix", "¡¡¡foo, bar!!!", ", bar!!!"), s("¡¡¡foo"));
        assert_eq!(
            t("trim_suffix", "¡¡¡foo, bar!!!", ", foo!!!"),
            s("¡¡¡foo, bar!!!")
        );
        assert_eq!(
            call("trim_space", &[s(" \t\n foo, bar \n\t\r\n")]),
            s("foo, bar")
        );
        assert_eq!(call("trim_space", &[s("\u{a0}\u{85}x\u{3000}")]), s("x"));
        assert_eq!(
            call_err("trim", &[s("a"), v("1")]).message,
            "trim: operand 2 must be string but got number"
        );
    }

    /// The direct path for `%s` of strings writes what the printer writes, and leaves every
    /// other format to it.
    #[test]
    fn sprintf_plain_strings_agree_with_the_printer() {
        let formats = [
            "",
            "plain",
            "%s",
            "%s%s",
            "a %s b %s c",
            "100%% %s",
            "%%",
            "%%s",
            "%s%%",
            "%",
            "tail %",
            "%d",
            "%v",
            "%5s",
            "%-s",
            "%q",
            "ü%sé%s€",
            "%s %!",
            "%ss",
        ];
        let operands = [
            "[]",
            r#"["x"]"#,
            r#"["x", "yz"]"#,
            r#"["x", "y", "z"]"#,
            "[1]",
            r#"["x", 2]"#,
            r#"[["x"]]"#,
            r#"["", ""]"#,
            r#"["%s", "%%"]"#,
            r#"["ä", "\u0000"]"#,
            "[null]",
        ];
        let mut direct = 0;
        for f in formats {
            for o in operands {
                let items = v(o);
                let Value::Array(list) = &items else {
                    unreachable!()
                };
                let printed = go_sprintf(f, &list.iter().map(Arg::from_value).collect::<Vec<_>>());
                if let Some(text) = plain_strings(f, list) {
                    direct += 1;
                    assert_eq!(text, printed, "sprintf({f:?}, {o})");
                }
                assert_eq!(
                    call("sprintf", &[s(f), items.clone()]),
                    s(&printed),
                    "{f:?} {o}"
                );
            }
        }
        // The cases the direct path takes: each all-%s format with its number of strings.
        assert_eq!(direct, 20);
    }

    #[test]
    fn sprintf_cases() {
        let p = |f: &str, a: &str| call("sprintf", &[s(f), v(a)]);
        assert_eq!(p("hi", "[]"), s("hi"));
        assert_eq!(p("hi %s", r#"["there"]"#), s("hi there"));
        assert_eq!(p("hi %02d", "[5]"), s("hi 05"));
        assert_eq!(p("hi %02X.%02X", "[127, 1]"), s("hi 7F.01"));
        assert_eq!(p("hi %.2f", "[3.1415]"), s("hi 3.14"));
        assert_eq!(p("hi %v", "[2e308]"), s("hi 2e308"));
        assert_eq!(p("hi %s", "[true]"), s("hi true"));
        assert_eq!(
            p("hi %v", r#"[["there", 5, 3.14]]"#),
            s(r#"hi ["there", 5, 3.14]"#)
        );
        assert_eq!(
            p("%s", "[123456789123456789123]"),
            s("123456789123456789123")
        );
        assert_eq!(
            p("%s", "[1208925819614629174706175]"),
            s("1208925819614629174706175")
        );
        assert_eq!(p("%v", "[18446744073709551618]"), s("18446744073709551618"));
        assert_eq!(p("%v", "[3.5]"), s("3.5"));
        assert_eq!(
            p("%v %v", r#"[{"a": {1, 2}}, set()]"#),
            s(r#"{"a": {1, 2}} set()"#)
        );
        assert_eq!(p("%d", r#"["x"]"#), s("%!d(string=x)"));
        assert_eq!(
            call_err("sprintf", &[s("%v"), v("{}")]).message,
            "sprintf: operand 2 must be array but got object"
        );
        assert_eq!(
            call_err("sprintf", &[v("1"), v("[]")]).message,
            "sprintf: operand 1 must be string but got number"
        );
    }

    #[test]
    fn to_number_cases() {
        let t = |x: &str| call("to_number", &[v(x)]);
        assert_eq!(t(r#""-42.0""#), v("-42"));
        assert_eq!(t("false"), v("0"));
        assert_eq!(t("true"), v("1"));
        assert_eq!(t("null"), v("0"));
        assert_eq!(t("100.1"), n("100.1"));
        assert_eq!(t(r#""3""#), v("3"));
        assert_eq!(t(r#""+1.5e3""#), v("1500"));
        assert_eq!(t(r#"".5""#), n("0.5"));
        assert_eq!(t(r#""5.""#), v("5"));
        assert_eq!(t(r#""1e-400""#), n("1e-400"));
        let e = call_err("to_number", &[s("broken")]);
        assert_eq!(e.kind, ErrorKind::Builtin);
        assert_eq!(
            e.message,
            r#"to_number: strconv.ParseFloat: parsing "broken": invalid syntax"#
        );
        for bad in ["", ".", "1e", "e5", " 1", "1_000", "0x10"] {
            assert!(
                call_err("to_number", &[s(bad)])
                    .message
                    .ends_with("invalid syntax"),
                "{bad}"
            );
        }
        assert_eq!(
            call_err("to_number", &[s("1e400")]).message,
            r#"to_number: strconv.ParseFloat: parsing "1e400": value out of range"#
        );
        for bad in [
            "nan",
            "inf",
            "-inf",
            "Infinity",
            "-Infinity",
            "-nan",
            "-NaN",
            "iNf",
        ] {
            let e = call_err("to_number", &[s(bad)]);
            assert_eq!(e.kind, ErrorKind::EvalType, "{bad}");
            assert_eq!(
                e.message,
                "to_number: operand 1 must be valid number string but got string"
            );
        }
        assert_eq!(
            call_err("to_number", &[v("[]")]).message,
            "to_number: operand 1 must be one of {null, boolean, number, string} but got array"
        );
    }
}
