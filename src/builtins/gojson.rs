//! Go's `encoding/json` as OPA uses it: `json.Marshal`/`MarshalIndent` output byte for byte
//! (sorted keys, HTML-safe escapes, sets as arrays) and a decoder with Go's error messages.

use super::text::go_quote;
use crate::number::Number;
use crate::value::{Object, Value};
use std::fmt::Write as _;

/// Appends `s` as a Go JSON string (escaping `<`, `>`, `&`, U+2028 and U+2029 too).
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// An object's members as Go sees them: keys as strings (non-strings JSON-encoded), sorted.
fn entries(map: &Object) -> Vec<(String, &Value)> {
    let mut out: Vec<(String, &Value)> = map
        .iter()
        .map(|(k, v)| match k {
            Value::String(s) => (s.to_string(), v),
            other => (marshal(other), v),
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.dedup_by(|later, earlier| {
        if later.0 == earlier.0 {
            *earlier = later.clone();
            true
        } else {
            false
        }
    });
    out
}

/// `json.Marshal` of a value (compact).
pub(super) fn marshal(v: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, v, None, 0);
    out
}

/// `json.MarshalIndent(v, prefix, indent)` (the first line is not prefixed, as in Go).
pub(super) fn marshal_indent(v: &Value, prefix: &str, indent: &str) -> String {
    let mut out = String::new();
    write_value(&mut out, v, Some((prefix, indent)), 0);
    out
}

fn newline(out: &mut String, pretty: Option<(&str, &str)>, depth: usize) {
    if let Some((prefix, indent)) = pretty {
        out.push('\n');
        out.push_str(prefix);
        for _ in 0..depth {
            out.push_str(indent);
        }
    }
}

fn write_value(out: &mut String, v: &Value, pretty: Option<(&str, &str)>, depth: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => write_string(out, s),
        Value::Array(_) | Value::Set(_) => {
            let items: Vec<&Value> = match v {
                Value::Array(a) => a.iter().collect(),
                Value::Set(s) => s.iter().collect(),
                _ => Vec::new(),
            };
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, pretty, depth + 1);
                write_value(out, item, pretty, depth + 1);
            }
            if !items.is_empty() {
                newline(out, pretty, depth);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let members = entries(map);
            out.push('{');
            for (i, (k, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, pretty, depth + 1);
                write_string(out, k);
                out.push(':');
                if pretty.is_some() {
                    out.push(' ');
                }
                write_value(out, item, pretty, depth + 1);
            }
            if !members.is_empty() {
                newline(out, pretty, depth);
            }
            out.push('}');
        }
    }
}

/// Why a decode failed.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum DecodeError {
    /// Nothing but white space (Go's `io.EOF`: `EOF`).
    Eof,
    /// The input ended inside a value (`unexpected EOF`).
    UnexpectedEof,
    /// A syntax error, with Go's message.
    Syntax(String),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::Eof => write!(f, "EOF"),
            DecodeError::UnexpectedEof => write!(f, "unexpected EOF"),
            DecodeError::Syntax(m) => write!(f, "{m}"),
        }
    }
}

/// Go's `quoteChar` for a byte in a syntax error.
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".to_string(),
        b'"' => "'\"'".to_string(),
        _ => {
            let q = go_quote(&char::from(c).to_string());
            format!("'{}'", &q[1..q.len() - 1])
        }
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

type Res<T> = Result<T, DecodeError>;

/// Go's decoder reports a number it cannot hold as out of range.
fn invalid_number(text: &str) -> DecodeError {
    DecodeError::Syntax(format!("number {text} is out of range"))
}

fn invalid(c: u8, context: &str) -> DecodeError {
    DecodeError::Syntax(format!("invalid character {} {context}", quote_char(c)))
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn peek(&self) -> Res<u8> {
        self.s
            .get(self.i)
            .copied()
            .ok_or(DecodeError::UnexpectedEof)
    }

    fn value(&mut self) -> Res<Value> {
        self.ws();
        let c = self.peek()?;
        match c {
            b'{' => self.object(),
            b'[' => self.array(),
            b'"' => Ok(Value::from(self.string()?)),
            b'-' | b'0'..=b'9' => self.number(),
            b't' => self.literal("true", Value::Bool(true)),
            b'f' => self.literal("false", Value::Bool(false)),
            b'n' => self.literal("null", Value::Null),
            _ => Err(invalid(c, "looking for beginning of value")),
        }
    }

    fn literal(&mut self, word: &str, v: Value) -> Res<Value> {
        for &expected in word.as_bytes().iter().skip(1) {
            self.i += 1;
            let c = self.peek()?;
            if c != expected {
                return Err(invalid(
                    c,
                    &format!("in literal {word} (expecting {})", quote_char(expected)),
                ));
            }
        }
        self.i += 1;
        Ok(v)
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.i < self.s.len() && self.s[self.i].is_ascii_digit() {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Res<Value> {
        let start = self.i;
        if self.s[self.i] == b'-' {
            self.i += 1;
            let c = self.peek()?;
            if !c.is_ascii_digit() {
                return Err(invalid(c, "in numeric literal"));
            }
        }
        if self.peek()? == b'0' {
            self.i += 1;
        } else {
            self.digits();
        }
        if self.i < self.s.len() && self.s[self.i] == b'.' {
            self.i += 1;
            let c = self.peek()?;
            if !c.is_ascii_digit() {
                return Err(invalid(c, "after decimal point in numeric literal"));
            }
            self.digits();
        }
        if self.i < self.s.len() && (self.s[self.i] == b'e' || self.s[self.i] == b'E') {
            self.i += 1;
            let mut c = self.peek()?;
            if c == b'+' || c == b'-' {
                self.i += 1;
                c = self.peek()?;
            }
            if !c.is_ascii_digit() {
                return Err(invalid(c, "in exponent of numeric literal"));
            }
            self.digits();
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("0");
        match Number::parse(text) {
            Some(n) => Ok(Value::Number(n)),
            None => Err(invalid_number(text)),
        }
    }

    fn hex4(&mut self) -> Res<u32> {
        let mut v = 0u32;
        for _ in 0..4 {
            let c = self.peek()?;
            let d = char::from(c)
                .to_digit(16)
                .ok_or_else(|| invalid(c, "in \\u hexadecimal character escape"))?;
            v = v * 16 + d;
            self.i += 1;
        }
        Ok(v)
    }

    fn string(&mut self) -> Res<String> {
        self.i += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let c = self.peek()?;
            match c {
                b'"' => {
                    self.i += 1;
                    return Ok(String::from_utf8(out)
                        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()));
                }
                b'\\' => {
                    self.i += 1;
                    let e = self.peek()?;
                    self.i += 1;
                    let simple = match e {
                        b'"' => Some('"'),
                        b'\\' => Some('\\'),
                        b'/' => Some('/'),
                        b'b' => Some('\u{8}'),
                        b'f' => Some('\u{c}'),
                        b'n' => Some('\n'),
                        b'r' => Some('\r'),
                        b't' => Some('\t'),
                        b'u' => None,
                        _ => return Err(invalid(e, "in string escape code")),
                    };
                    let ch = match simple {
                        Some(ch) => ch,
                        None => {
                            let hi = self.hex4()?;
                            if (0xD800..0xDC00).contains(&hi)
                                && self.s.get(self.i..self.i + 2) == Some(b"\\u")
                            {
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    let code = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                                    char::from_u32(code).unwrap_or('\u{FFFD}')
                                } else {
                                    self.i = save;
                                    '\u{FFFD}'
                                }
                            } else {
                                char::from_u32(hi).unwrap_or('\u{FFFD}')
                            }
                        }
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                c if c < 0x20 => return Err(invalid(c, "in string literal")),
                c => {
                    out.push(c);
                    self.i += 1;
                }
            }
        }
    }

    fn array(&mut self) -> Res<Value> {
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.peek()? == b']' {
            self.i += 1;
            return Ok(Value::array(items));
        }
        loop {
            items.push(self.value()?);
            self.ws();
            let c = self.peek()?;
            self.i += 1;
            match c {
                b',' => {}
                b']' => return Ok(Value::array(items)),
                _ => return Err(invalid(c, "after array element")),
            }
        }
    }

    fn object(&mut self) -> Res<Value> {
        self.i += 1;
        let mut map = Object::new();
        self.ws();
        if self.peek()? == b'}' {
            self.i += 1;
            return Ok(Value::object(map));
        }
        loop {
            self.ws();
            let c = self.peek()?;
            if c != b'"' {
                return Err(invalid(c, "looking for beginning of object key string"));
            }
            let key = self.string()?;
            self.ws();
            let c = self.peek()?;
            if c != b':' {
                return Err(invalid(c, "after object key"));
            }
            self.i += 1;
            let v = self.value()?;
            map.insert(Value::from(key), v);
            self.ws();
            let c = self.peek()?;
            self.i += 1;
            match c {
                b',' => {}
                b'}' => return Ok(Value::object(map)),
                _ => return Err(invalid(c, "after object key:value pair")),
            }
        }
    }
}

/// OPA's `util.UnmarshalJSON`: one value via a Go `json.Decoder`, then nothing but white space.
pub(super) fn unmarshal(text: &str) -> Result<Value, DecodeError> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    p.ws();
    if p.i == p.s.len() {
        return Err(DecodeError::Eof);
    }
    let v = p.value()?;
    p.ws();
    let Some(&c) = p.s.get(p.i) else { return Ok(v) };
    // The decoder reads one more token: a valid one is still an error, reported oddly by OPA.
    match c {
        b',' | b':' | b']' | b'}' => Err(invalid(c, "looking for beginning of value")),
        b'{' | b'[' => Err(DecodeError::Syntax(
            "error(s) occurred while decoding: %!w(<nil>)".to_string(),
        )),
        _ => {
            p.value()?;
            Err(DecodeError::Syntax(
                "error(s) occurred while decoding: %!w(<nil>)".to_string(),
            ))
        }
    }
}

/// Go's `json.Valid`.
pub(super) fn valid(text: &str) -> bool {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    if p.value().is_err() {
        return false;
    }
    p.ws();
    p.i == p.s.len()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::testutil::v;
    use super::*;

    #[test]
    fn marshal_like_go() {
        assert_eq!(
            marshal(&v(r#"[{"foo": {1, 2, 3}}]"#)),
            r#"[{"foo":[1,2,3]}]"#
        );
        assert_eq!(
            marshal(&v(r#""<a&b>\u2028\n\u0001\b""#)),
            r#""\u003ca\u0026b\u003e\u2028\n\u0001\b""#
        );
        assert_eq!(
            marshal(&v(r#"{"b": 1, "a": [], 1: {}, "c": null}"#)),
            r#"{"1":{},"a":[],"b":1,"c":null}"#
        );
        assert_eq!(
            marshal(&v(r#"{[1, "<"]: true}"#)),
            r#"{"[1,\"\\u003c\"]":true}"#
        );
        assert_eq!(
            marshal(&v("[1.5, 18446744073709551617, false]")),
            "[1.5,18446744073709551617,false]"
        );
        assert_eq!(
            marshal_indent(&v(r#"{"a": [1, 2], "b": {}}"#), ">", "  "),
            "{\n>  \"a\": [\n>    1,\n>    2\n>  ],\n>  \"b\": {}\n>}"
        );
    }

    #[test]
    fn decode_errors_like_go() {
        let err = |t: &str| unmarshal(t).unwrap_err().to_string();
        assert_eq!(
            unmarshal(r#" [{"foo":[1,2,3]}] "#).ok(),
            Some(v(r#"[{"foo": [1, 2, 3]}]"#))
        );
        assert_eq!(
            unmarshal(r#""\ud83d\ude00\u00e9\ud800x""#).ok(),
            Some(Value::from("😀é\u{FFFD}x"))
        );
        assert_eq!(err(""), "EOF");
        assert_eq!(err("  "), "EOF");
        assert_eq!(err("[1,2"), "unexpected EOF");
        assert_eq!(err("{"), "unexpected EOF");
        assert_eq!(err("-"), "unexpected EOF");
        assert_eq!(
            err("x"),
            "invalid character 'x' looking for beginning of value"
        );
        assert_eq!(
            err("{a}"),
            "invalid character 'a' looking for beginning of object key string"
        );
        assert_eq!(err(r#"{"a" 1}"#), "invalid character '1' after object key");
        assert_eq!(
            err(r#"{"a": 1 "b"}"#),
            "invalid character '\"' after object key:value pair"
        );
        assert_eq!(err("[1 2]"), "invalid character '2' after array element");
        assert_eq!(
            err("\"a\u{1}\""),
            "invalid character '\\x01' in string literal"
        );
        assert_eq!(
            err(r#""\q""#),
            "invalid character 'q' in string escape code"
        );
        assert_eq!(
            err(r#""\u12x4""#),
            "invalid character 'x' in \\u hexadecimal character escape"
        );
        assert_eq!(err("-a"), "invalid character 'a' in numeric literal");
        assert_eq!(
            err("1.a"),
            "invalid character 'a' after decimal point in numeric literal"
        );
        assert_eq!(
            err("1ex"),
            "invalid character 'x' in exponent of numeric literal"
        );
        assert_eq!(
            err("trux"),
            "invalid character 'x' in literal true (expecting 'e')"
        );
        assert_eq!(err("nul"), "unexpected EOF");
        assert_eq!(
            err("'a'"),
            "invalid character '\\'' looking for beginning of value"
        );
        assert_eq!(
            err("1 ]"),
            "invalid character ']' looking for beginning of value"
        );
        assert_eq!(
            err("123x"),
            "invalid character 'x' looking for beginning of value"
        );
        assert_eq!(err("1 2"), "error(s) occurred while decoding: %!w(<nil>)");
        assert_eq!(err("1 ["), "error(s) occurred while decoding: %!w(<nil>)");
        assert_eq!(err("1 tru"), "unexpected EOF");
        assert!(valid(r#"{"json": "ok"}"#));
        assert!(!valid("{"));
        assert!(!valid("plainstring"));
        assert!(!valid("1 2"));
    }
}
