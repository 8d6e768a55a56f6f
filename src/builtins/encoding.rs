//! Serialization built-ins: `json.marshal`, `json.marshal_with_options`, `json.unmarshal`,
//! `json.is_valid`, `yaml.marshal`, `yaml.unmarshal`, `yaml.is_valid`, and the `base64`,
//! `base64url` and `hex` encoders and decoders.

use super::args::{self, operand_err};
use super::gojson;
use super::text::{go_quote, go_string_from_bytes, rego_text};
use super::{Builtin, BuiltinError};
use crate::number::Number;
use crate::value::{Object, Value};
use bigdecimal::BigDecimal;
use serde::Deserialize;

pub(super) fn builtins() -> Vec<Builtin> {
    vec![
        Builtin {
            name: "json.marshal",
            arity: 1,
            func: json_marshal,
            by_ref: None,
        },
        Builtin {
            name: "json.marshal_with_options",
            arity: 2,
            func: json_marshal_with_options,
            by_ref: None,
        },
        Builtin {
            name: "json.unmarshal",
            arity: 1,
            func: json_unmarshal,
            by_ref: None,
        },
        Builtin {
            name: "json.is_valid",
            arity: 1,
            func: json_is_valid,
            by_ref: None,
        },
        Builtin {
            name: "yaml.marshal",
            arity: 1,
            func: yaml_marshal,
            by_ref: None,
        },
        Builtin {
            name: "yaml.unmarshal",
            arity: 1,
            func: yaml_unmarshal,
            by_ref: None,
        },
        Builtin {
            name: "yaml.is_valid",
            arity: 1,
            func: yaml_is_valid,
            by_ref: None,
        },
        Builtin {
            name: "base64.encode",
            arity: 1,
            func: base64_encode,
            by_ref: None,
        },
        Builtin {
            name: "base64.decode",
            arity: 1,
            func: base64_decode,
            by_ref: None,
        },
        Builtin {
            name: "base64.is_valid",
            arity: 1,
            func: base64_is_valid,
            by_ref: None,
        },
        Builtin {
            name: "base64url.encode",
            arity: 1,
            func: base64url_encode,
            by_ref: None,
        },
        Builtin {
            name: "base64url.encode_no_pad",
            arity: 1,
            func: base64url_encode_no_pad,
            by_ref: None,
        },
        Builtin {
            name: "base64url.decode",
            arity: 1,
            func: base64url_decode,
            by_ref: None,
        },
        Builtin {
            name: "hex.encode",
            arity: 1,
            func: hex_encode,
            by_ref: None,
        },
        Builtin {
            name: "hex.decode",
            arity: 1,
            func: hex_decode,
            by_ref: None,
        },
    ]
}

fn json_marshal(a: &[Value]) -> Result<Value, BuiltinError> {
    Ok(Value::from(gojson::marshal(args::arg(
        "json.marshal",
        a,
        0,
    )?)))
}

fn json_marshal_with_options(a: &[Value]) -> Result<Value, BuiltinError> {
    let name = "json.marshal_with_options";
    let value = args::arg(name, a, 0)?;
    let opts = args::object(name, a, 1)?;
    let (mut indent, mut prefix) = ("\t".to_string(), String::new());
    let (mut implicit, mut explicit, mut pretty) = (false, false, false);
    for (idx, (k, v)) in opts.iter().enumerate() {
        let Some(key) = k.as_str() else {
            return Err(operand_err(
                name,
                2,
                format!(
                    "failed to stringify key {} at index {idx}: operand {idx} must be string but got {}",
                    rego_text(k),
                    k.type_name()
                ),
            ));
        };
        let as_string = |v: &Value| {
            v.as_str().map(str::to_string).ok_or_else(|| {
                operand_err(
                    name,
                    2,
                    format!(
                        "key {} failed cast to string: operand {idx} must be string but got {}",
                        go_quote(key),
                        v.type_name()
                    ),
                )
            })
        };
        match key {
            "prefix" => {
                prefix = as_string(v)?;
                implicit = true;
            }
            "indent" => {
                indent = as_string(v)?;
                implicit = true;
            }
            "pretty" => {
                explicit = true;
                pretty = v.as_bool().ok_or_else(|| {
                    operand_err(
                        name,
                        2,
                        format!("key {} failed cast to bool", go_quote(key)),
                    )
                })?;
            }
            _ => {
                return Err(operand_err(
                    name,
                    2,
                    format!("object contained unknown key {}", go_quote(key)),
                ))
            }
        }
    }
    if !explicit {
        pretty = implicit;
    }
    if pretty {
        Ok(Value::from(format!(
            "{prefix}{}",
            gojson::marshal_indent(value, &prefix, &indent)
        )))
    } else {
        Ok(Value::from(gojson::marshal(value)))
    }
}

fn json_unmarshal(a: &[Value]) -> Result<Value, BuiltinError> {
    let text = args::string("json.unmarshal", a, 0)?;
    gojson::unmarshal(text).map_err(|e| BuiltinError::failed("json.unmarshal", e))
}

fn json_is_valid(a: &[Value]) -> Result<Value, BuiltinError> {
    let v = args::arg("json.is_valid", a, 0)?;
    Ok(Value::Bool(v.as_str().is_some_and(gojson::valid)))
}

/// A value as YAML data: sets become sequences, non-string keys their JSON text.
fn to_yaml(v: &Value) -> serde_norway::Value {
    use serde_norway::Value as Y;
    match v {
        Value::Null => Y::Null,
        Value::Bool(b) => Y::Bool(*b),
        Value::Number(Number::Int(i)) => Y::Number((*i).into()),
        Value::Number(n) => match n.as_bigint().and_then(|b| u64::try_from(b).ok()) {
            Some(u) => Y::Number(u.into()),
            None => Y::Number(n.as_f64().into()),
        },
        Value::String(s) => Y::String(s.to_string()),
        Value::Array(items) => Y::Sequence(items.iter().map(to_yaml).collect()),
        Value::Set(items) => Y::Sequence(items.iter().map(to_yaml).collect()),
        Value::Object(map) => {
            let mut m = serde_norway::Mapping::new();
            for (k, val) in map.iter() {
                let key = match k {
                    Value::String(s) => s.to_string(),
                    other => gojson::marshal(other),
                };
                m.insert(Y::String(key), to_yaml(val));
            }
            Y::Mapping(m)
        }
    }
}

fn yaml_marshal(a: &[Value]) -> Result<Value, BuiltinError> {
    let v = args::arg("yaml.marshal", a, 0)?;
    serde_norway::to_string(&to_yaml(v))
        .map(Value::from)
        .map_err(|e| BuiltinError::failed("yaml.marshal", e))
}

/// The text of a YAML scalar used as a mapping key.
fn yaml_key(k: &serde_norway::Value) -> Result<String, String> {
    use serde_norway::Value as Y;
    Ok(match k {
        Y::String(s) => s.clone(),
        Y::Null => "null".to_string(),
        Y::Bool(b) => b.to_string(),
        Y::Number(n) => n.to_string(),
        Y::Tagged(t) => yaml_key(&t.value)?,
        other => gojson::marshal(&from_yaml(other)?),
    })
}

/// YAML data as a value (the first document only).
fn from_yaml(y: &serde_norway::Value) -> Result<Value, String> {
    use serde_norway::Value as Y;
    Ok(match y {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(*b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::int(i)
            } else if let Some(u) = n.as_u64() {
                Value::Number(Number::from_big(BigDecimal::from(u)))
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                Value::Number(
                    Number::from_f64(f).ok_or_else(|| format!("json: unsupported value: {f}"))?,
                )
            }
        }
        Y::String(s) => Value::from(s.as_str()),
        Y::Sequence(items) => Value::array(items.iter().map(from_yaml).collect::<Result<_, _>>()?),
        Y::Mapping(m) => {
            let mut obj = Object::new();
            for (k, val) in m.iter() {
                obj.insert(Value::from(yaml_key(k)?), from_yaml(val)?);
            }
            Value::object(obj)
        }
        Y::Tagged(t) => from_yaml(&t.value)?,
    })
}

/// Parses the first YAML document, with errors in the form go-yaml gives them.
fn parse_yaml(text: &str) -> Result<Value, String> {
    let yaml_error = |e: serde_norway::Error| {
        let msg = e.to_string();
        let problem = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        match e.location().map(|l| l.line().saturating_sub(1)) {
            Some(line) if line > 0 => format!("yaml: line {line}: {problem}"),
            _ => format!("yaml: {problem}"),
        }
    };
    let mut docs = serde_norway::Deserializer::from_str(text);
    let Some(doc) = docs.next() else {
        return Ok(Value::Null);
    };
    let y = serde_norway::Value::deserialize(doc).map_err(yaml_error)?;
    from_yaml(&y)
}

fn yaml_unmarshal(a: &[Value]) -> Result<Value, BuiltinError> {
    let text = args::string("yaml.unmarshal", a, 0)?;
    parse_yaml(text).map_err(|e| {
        BuiltinError::failed(
            "yaml.unmarshal",
            format!("error converting YAML to JSON: {e}"),
        )
    })
}

fn yaml_is_valid(a: &[Value]) -> Result<Value, BuiltinError> {
    let v = args::arg("yaml.is_valid", a, 0)?;
    Ok(Value::Bool(
        v.as_str().is_some_and(|s| parse_yaml(s).is_ok()),
    ))
}

const STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn b64_encode(bytes: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(char::from(alphabet[((n >> (18 - 6 * k)) & 63) as usize]));
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

/// Go's padded base64 decoding (`\r` and `\n` are skipped); `Err` is the bad input offset.
fn b64_decode(s: &str, alphabet: &[u8; 64]) -> Result<Vec<u8>, usize> {
    let input: Vec<(usize, u8)> = s
        .bytes()
        .enumerate()
        .filter(|(_, c)| *c != b'\r' && *c != b'\n')
        .collect();
    let mut out = Vec::with_capacity(input.len() / 4 * 3);
    let mut quads = input.chunks(4).peekable();
    while let Some(quad) = quads.next() {
        let last = quads.peek().is_none();
        let mut vals = [0u32; 4];
        let mut n: usize = 0;
        for (k, &(pos, c)) in quad.iter().enumerate() {
            if c == b'=' {
                // Padding: only in the last quad, after at least two symbols, and complete.
                let pads = quad.len() - k;
                let rest_ok = quad[k..].iter().all(|&(_, p)| p == b'=');
                if !last || k < 2 || !rest_ok || quad.len() != 4 || (k == 2 && pads != 2) {
                    return Err(if quad.len() != 4 { s.len() } else { pos });
                }
                break;
            }
            let d = alphabet.iter().position(|&a| a == c).ok_or(pos)?;
            vals[k] = d as u32;
            n += 1;
        }
        if n < 4 && quad.len() < 4 && !quad.iter().any(|&(_, c)| c == b'=') {
            return Err(s.len());
        }
        let v = (vals[0] << 18) | (vals[1] << 12) | (vals[2] << 6) | vals[3];
        let bytes = [(v >> 16) as u8, (v >> 8) as u8, v as u8];
        out.extend_from_slice(&bytes[..n.saturating_sub(1).min(3)]);
    }
    Ok(out)
}

fn base64_encode(a: &[Value]) -> Result<Value, BuiltinError> {
    let s = args::string("base64.encode", a, 0)?;
    Ok(Value::from(b64_encode(s.as_bytes(), STD, true)))
}

fn base64_decode(a: &[Value]) -> Result<Value, BuiltinError> {
    let s = args::string("base64.decode", a, 0)?;
    b64_decode(s, STD)
        .map(|b| Value::from(go_string_from_bytes(&b)))
        .map_err(|pos| {
            BuiltinError::failed(
                "base64.decode",
                format!("illegal base64 data at input byte {pos}"),
            )
        })
}

fn base64_is_valid(a: &[Value]) -> Result<Value, BuiltinError> {
    let v = args::arg("base64.is_valid", a, 0)?;
    Ok(Value::Bool(
        v.as_str().is_some_and(|s| b64_decode(s, STD).is_ok()),
    ))
}

fn base64url_encode(a: &[Value]) -> Result<Value, BuiltinError> {
    let s = args::string("base64url.encode", a, 0)?;
    Ok(Value::from(b64_encode(s.as_bytes(), URL, true)))
}

fn base64url_encode_no_pad(a: &[Value]) -> Result<Value, BuiltinError> {
    let s = args::string("base64url.encode_no_pad", a, 0)?;
    Ok(Value::from(b64_encode(s.as_bytes(), URL, false)))
}

fn base64url_decode(a: &[Value]) -> Result<Value, BuiltinError> {
    let name = "base64url.decode";
    let mut s = args::string(name, a, 0)?.to_string();
    if !s.ends_with('=') {
        match s.len() % 4 {
            0 => {}
            2 => s.push_str("=="),
            3 => s.push('='),
            _ => {
                return Err(BuiltinError::failed(
                    name,
                    format!("illegal base64url string: {s}"),
                ))
            }
        }
    }
    b64_decode(&s, URL)
        .map(|b| Value::from(go_string_from_bytes(&b)))
        .map_err(|pos| {
            BuiltinError::failed(name, format!("illegal base64 data at input byte {pos}"))
        })
}

fn hex_encode(a: &[Value]) -> Result<Value, BuiltinError> {
    let s = args::string("hex.encode", a, 0)?;
    Ok(Value::from(
        s.bytes().map(|b| format!("{b:02x}")).collect::<String>(),
    ))
}

fn hex_decode(a: &[Value]) -> Result<Value, BuiltinError> {
    let s = args::string("hex.decode", a, 0)?;
    let digit = |c: char| c.to_digit(16);
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::with_capacity(chars.len() / 2);
    for pair in chars.chunks(2) {
        for &c in pair {
            if digit(c).is_none() {
                let shown = go_quote(&c.to_string());
                return Err(BuiltinError::failed(
                    "hex.decode",
                    format!(
                        "encoding/hex: invalid byte: U+{:04X} '{}'",
                        c as u32,
                        &shown[1..shown.len() - 1]
                    ),
                ));
            }
        }
        match pair {
            [h, l] => out.push((digit(*h).unwrap_or(0) * 16 + digit(*l).unwrap_or(0)) as u8),
            _ => {
                return Err(BuiltinError::failed(
                    "hex.decode",
                    "encoding/hex: odd length hex string",
                ))
            }
        }
    }
    Ok(Value::from(go_string_from_bytes(&out)))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{call, call_err, s, v};
    use crate::error::ErrorKind;
    use crate::value::Value;

    #[test]
    fn json_builtins() {
        let big = v("[1234567890, 2000000, 1000000000]");
        assert_eq!(
            call("json.marshal", std::slice::from_ref(&big)),
            s("[1234567890,2000000,1000000000]")
        );
        assert_eq!(
            call("json.marshal", &[v(r#"[{"foo": {1, 2, 3}}]"#)]),
            s(r#"[{"foo":[1,2,3]}]"#)
        );
        let m = |o: &str| call("json.marshal_with_options", &[big.clone(), v(o)]);
        assert_eq!(
            m(r#"{"indent": "  "}"#),
            s("[\n  1234567890,\n  2000000,\n  1000000000\n]")
        );
        assert_eq!(m("{}"), s("[1234567890,2000000,1000000000]"));
        assert_eq!(
            m(r#"{"pretty": true}"#),
            s("[\n\t1234567890,\n\t2000000,\n\t1000000000\n]")
        );
        assert_eq!(
            m(r#"{"pretty": false, "prefix": "NO!", "indent": "BAD!"}"#),
            s("[1234567890,2000000,1000000000]")
        );
        assert_eq!(m(r#"{"prefix": "JSON => "}"#), s("JSON => [\nJSON => \t1234567890,\nJSON => \t2000000,\nJSON => \t1000000000\nJSON => ]"));
        assert_eq!(
            call(
                "json.marshal_with_options",
                &[
                    v(r#"{"foo": "bar", "bar": "baz"}"#),
                    v(r#"{"prefix": "JSON => "}"#)
                ]
            ),
            s("JSON => {\nJSON => \t\"bar\": \"baz\",\nJSON => \t\"foo\": \"bar\"\nJSON => }")
        );
        assert_eq!(
            call(
                "json.marshal_with_options",
                &[v("[]"), v(r#"{"indent": "    ", "prefix": "---"}"#)]
            ),
            s("---[]")
        );
        assert_eq!(
            call("json.marshal_with_options", &[v("[[[[[[[]]]]]]]"), v(r#"{"indent": "    "}"#)]),
            s("[\n    [\n        [\n            [\n                [\n                    [\n                        []\n                    ]\n                ]\n            ]\n        ]\n    ]\n]")
        );
        let e = call_err(
            "json.marshal_with_options",
            &[
                v("[]"),
                v(r#"{"indent": "    ", "include_winning_lottery_numbers": true}"#),
            ],
        );
        assert_eq!(e.kind, ErrorKind::EvalType);
        assert_eq!(
            e.message,
            r#"json.marshal_with_options: operand 2 object contained unknown key "include_winning_lottery_numbers""#
        );
        assert_eq!(
            call_err(
                "json.marshal_with_options",
                &[v("[]"), v(r#"{"pretty": 1}"#)]
            )
            .message,
            r#"json.marshal_with_options: operand 2 key "pretty" failed cast to bool"#
        );
        assert_eq!(
            call_err(
                "json.marshal_with_options",
                &[v("[]"), v(r#"{"prefix": 1}"#)]
            )
            .message,
            r#"json.marshal_with_options: operand 2 key "prefix" failed cast to string: operand 0 must be string but got number"#
        );
        assert_eq!(
            call_err("json.marshal_with_options", &[v("[]"), v(r#"{1: 1}"#)]).message,
            "json.marshal_with_options: operand 2 failed to stringify key 1 at index 0: operand 0 must be string but got number"
        );
        assert_eq!(
            call("json.unmarshal", &[s(r#"[{"foo":[1,2,3]}]"#)]),
            v(r#"[{"foo": [1, 2, 3]}]"#)
        );
        let e = call_err("json.unmarshal", &[v("1")]);
        assert_eq!(
            (e.kind, e.message.as_str()),
            (
                ErrorKind::EvalType,
                "json.unmarshal: operand 1 must be string but got number"
            )
        );
        let e = call_err("json.unmarshal", &[s("{a")]);
        assert_eq!(
            (e.kind, e.message.as_str()),
            (
                ErrorKind::Builtin,
                "json.unmarshal: invalid character 'a' looking for beginning of object key string"
            )
        );
        let valid = |x: Value| call("json.is_valid", &[x]);
        assert_eq!(valid(s("plainstring")), Value::Bool(false));
        assert_eq!(valid(s("{")), Value::Bool(false));
        assert_eq!(valid(s(r#"{"json": "ok"}"#)), Value::Bool(true));
        assert_eq!(valid(v("1")), Value::Bool(false));
    }

    #[test]
    fn yaml_builtins() {
        let text = call("yaml.marshal", &[v(r#"[{"foo": {1, 2, 3}}]"#)]);
        assert_eq!(text, s("- foo:\n  - 1\n  - 2\n  - 3\n"));
        assert_eq!(
            call("yaml.unmarshal", &[text]),
            v(r#"[{"foo": [1, 2, 3]}]"#)
        );
        assert_eq!(
            call(
                "yaml.marshal",
                &[v(
                    r#"{"a": 1.5, "b": null, "c": "true", 1: 18446744073709551615}"#
                )]
            ),
            s("'1': 18446744073709551615\na: 1.5\nb: null\nc: 'true'\n")
        );
        assert_eq!(
            call(
                "yaml.unmarshal",
                &[s(
                    "a: 1\nb: [x, 2.5, true, null]\n1: {c: 18446744073709551615}\n---\nz: 1"
                )]
            ),
            v(r#"{"a": 1, "b": ["x", 2.5, true, null], "1": {"c": 18446744073709551615}}"#)
        );
        assert_eq!(call("yaml.unmarshal", &[s("")]), v("null"));
        assert_eq!(call("yaml.unmarshal", &[s("!!str 5")]), s("5"));
        let e = call_err("yaml.unmarshal", &[s("[1,2,3")]);
        assert_eq!(e.kind, ErrorKind::Builtin);
        assert_eq!(e.message, "yaml.unmarshal: error converting YAML to JSON: yaml: line 1: did not find expected ',' or ']'");
        assert!(call_err("yaml.unmarshal", &[s("a: .inf")])
            .message
            .contains("unsupported value"));
        let valid = |x: Value| call("yaml.is_valid", &[x]);
        assert_eq!(
            valid(s("foo:\n  - qux: bar\n  - baz: 2")),
            Value::Bool(true)
        );
        assert_eq!(
            valid(s("foo:\n  - qux: bar\n  - baz: {")),
            Value::Bool(false)
        );
        assert_eq!(valid(s(r#"{"json": "ok"}"#)), Value::Bool(true));
        assert_eq!(valid(v("1")), Value::Bool(false));
    }

    #[test]
    fn base64_and_hex() {
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
        ] {
            assert_eq!(call("base64.encode", &[s(plain)]), s(enc));
            assert_eq!(call("base64.decode", &[s(enc)]), s(plain));
            assert_eq!(call("base64.is_valid", &[s(enc)]), Value::Bool(true));
        }
        assert_eq!(call("base64.decode", &[s("Zm9v\r\nYg==")]), s("foob"));
        let decoded = call(
            "base64.decode",
            &[s("2E84ZuPUd7zfvCZSNEchVpDEIj6PL7JfLpIqyxVG16k=")],
        );
        assert_eq!(call("count", &[decoded]), v("30"));
        for bad in ["Zg", "Zm9v!", "Z===", "Zg==Zg=="] {
            assert_eq!(
                call("base64.is_valid", &[s(bad)]),
                Value::Bool(false),
                "{bad}"
            );
        }
        assert_eq!(call("base64.is_valid", &[v("1")]), Value::Bool(false));
        assert_eq!(
            call_err("base64.decode", &[s("Zm9v!")]).message,
            "base64.decode: illegal base64 data at input byte 4"
        );
        assert_eq!(
            call("base64url.encode", &[s("\u{ff}\u{fe}")]),
            s("w7_Dvg==")
        );
        assert_eq!(
            call("base64url.encode_no_pad", &[s("\u{ff}\u{fe}")]),
            s("w7_Dvg")
        );
        assert_eq!(call("base64url.decode", &[s("w7_Dvg")]), s("\u{ff}\u{fe}"));
        assert_eq!(call("base64url.decode", &[s("Zm8")]), s("fo"));
        assert_eq!(
            call_err("base64url.decode", &[s("Zm9vY")]).message,
            "base64url.decode: illegal base64url string: Zm9vY"
        );
        assert!(call_err("base64url.decode", &[s("Zm+v")])
            .message
            .contains("illegal base64 data at input byte 2"));
        assert_eq!(call("hex.encode", &[s("hi€")]), s("6869e282ac"));
        assert_eq!(call("hex.decode", &[s("6869E282AC")]), s("hi€"));
        assert_eq!(
            call_err("hex.decode", &[s("6g")]).message,
            "hex.decode: encoding/hex: invalid byte: U+0067 'g'"
        );
        assert_eq!(
            call_err("hex.decode", &[s("686")]).message,
            "hex.decode: encoding/hex: odd length hex string"
        );
    }
}
