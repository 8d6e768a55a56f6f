//! Go's text forms that OPA's messages and `sprintf` rely on: `strconv.Quote`, OPA's term text
//! (`["a", 1, {2}]`), and Go's lenient decoding of raw bytes into a string.

use crate::value::Value;
use std::fmt::Write as _;

/// Go's `unicode.IsPrint`, approximated without Unicode tables: control, format, separator and
/// private-use characters and noncharacters are not printable; unassigned code points are
/// treated as printable (Go escapes those too).
pub(super) fn is_print(c: char) -> bool {
    let u = c as u32;
    if c == ' ' {
        return true;
    }
    if c.is_control() {
        return false;
    }
    const NOT_PRINT: &[(u32, u32)] = &[
        (0x00A0, 0x00A0),
        (0x00AD, 0x00AD),
        (0x0600, 0x0605),
        (0x061C, 0x061C),
        (0x06DD, 0x06DD),
        (0x070F, 0x070F),
        (0x0890, 0x0891),
        (0x08E2, 0x08E2),
        (0x1680, 0x1680),
        (0x180E, 0x180E),
        (0x2000, 0x200F),
        (0x2028, 0x202F),
        (0x205F, 0x2064),
        (0x2066, 0x206F),
        (0x3000, 0x3000),
        (0xE000, 0xF8FF),
        (0xFDD0, 0xFDEF),
        (0xFEFF, 0xFEFF),
        (0xFFF9, 0xFFFB),
        (0x110BD, 0x110BD),
        (0x110CD, 0x110CD),
        (0x13430, 0x1343F),
        (0x1BCA0, 0x1BCA3),
        (0x1D173, 0x1D17A),
        (0xE0001, 0xE0001),
        (0xE0020, 0xE007F),
        (0xF0000, 0x10FFFF),
    ];
    if u & 0xFFFE == 0xFFFE {
        return false;
    }
    !NOT_PRINT.iter().any(|&(lo, hi)| lo <= u && u <= hi)
}

/// Appends `c` escaped the way Go's `strconv.Quote` does (`quote` is the delimiter).
pub(super) fn push_escaped(out: &mut String, c: char, quote: char, ascii_only: bool) {
    if c == quote || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    let printable = if ascii_only {
        c.is_ascii() && is_print(c)
    } else {
        is_print(c)
    };
    if printable {
        out.push(c);
        return;
    }
    match c {
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c as u32 == 0x7f => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if (c as u32) < 0x10000 => {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\U{:08x}", c as u32);
        }
    }
}

/// Go's `strconv.Quote`.
pub(super) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_escaped(&mut out, c, '"', false);
    }
    out.push('"');
    out
}

/// Go's `strconv.QuoteToASCII`.
pub(super) fn go_quote_ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_escaped(&mut out, c, '"', true);
    }
    out.push('"');
    out
}

/// OPA's text form of a value (`ast.Value.String()`): strings quoted as Go does, sets as
/// `{1, 2}` (`set()` when empty), objects as `{"a": 1}`.
pub(super) fn rego_text(v: &Value) -> String {
    let mut out = String::new();
    write_rego(&mut out, v);
    out
}

fn write_rego(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => out.push_str(&go_quote(s)),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_rego(out, item);
            }
            out.push(']');
        }
        Value::Set(items) if items.is_empty() => out.push_str("set()"),
        Value::Set(items) => {
            out.push('{');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_rego(out, item);
            }
            out.push('}');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, val)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_rego(out, k);
                out.push_str(": ");
                write_rego(out, val);
            }
            out.push('}');
        }
    }
}

/// Raw bytes as a Go string would read them: each byte that does not start a valid UTF-8
/// sequence becomes U+FFFD, so the character count matches Go's rune count.
pub(super) fn go_string_from_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut rest = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                break;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(good).unwrap_or_default());
                out.push('\u{FFFD}');
                rest = bad.get(1..).unwrap_or_default();
            }
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::value::{Object, Set};

    #[test]
    fn quotes_like_go() {
        assert_eq!(go_quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(go_quote("\n\t\u{7}\u{1}\u{7f}"), r#""\n\t\a\x01\x7f""#);
        assert_eq!(go_quote("é😀"), "\"é😀\"");
        assert_eq!(go_quote("\u{200b}\u{feff}"), r#""\u200b\ufeff""#);
        assert_eq!(go_quote("\u{e0001}"), r#""\U000e0001""#);
        assert_eq!(go_quote_ascii("é"), r#""\u00e9""#);
        assert!(!is_print('\u{a0}'));
        assert!(!is_print('\u{fffe}'));
        assert!(is_print('a'));
    }

    #[test]
    fn rego_text_of_every_type() {
        let mut set = Set::new();
        set.insert(Value::int(2));
        set.insert(Value::int(1));
        let mut obj = Object::new();
        obj.insert(Value::string("a"), Value::set(set));
        obj.insert(Value::int(1), Value::empty_set());
        let v = Value::array(vec![
            Value::Null,
            Value::Bool(true),
            Value::Bool(false),
            Value::string("x"),
            Value::object(obj),
        ]);
        assert_eq!(
            rego_text(&v),
            r#"[null, true, false, "x", {1: set(), "a": {1, 2}}]"#
        );
    }

    #[test]
    fn bytes_decode_per_byte() {
        assert_eq!(go_string_from_bytes(b"ab"), "ab");
        assert_eq!(
            go_string_from_bytes(&[0x61, 0xF0, 0x9F, 0x98])
                .chars()
                .count(),
            4
        );
        assert_eq!(go_string_from_bytes(&[0xff, 0x61]), "\u{FFFD}a");
    }
}
