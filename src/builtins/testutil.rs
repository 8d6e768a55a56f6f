//! Test helpers: Rego-literal values (JSON plus `{1, 2}` sets and `set()`) and calls by name.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::{lookup, BuiltinError};
use crate::number::Number;
use crate::value::{Object, Set, Value};

/// Parses a Rego literal: JSON, sets `{1, 2}`, `set()`, and non-string object keys.
pub(crate) fn v(text: &str) -> Value {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    let value = p.value();
    p.ws();
    assert_eq!(p.i, p.s.len(), "trailing text in {text}");
    value
}

/// A number from its literal text.
pub(crate) fn n(text: &str) -> Value {
    Value::Number(Number::parse(text).expect("number"))
}

/// A string value.
pub(crate) fn s(text: &str) -> Value {
    Value::string(text)
}

/// A set of Rego literals.
pub(crate) fn set(items: &[&str]) -> Value {
    Value::set(items.iter().map(|t| v(t)).collect())
}

/// Calls a built-in by name, expecting a value.
pub(crate) fn call(name: &str, args: &[Value]) -> Value {
    let b = lookup(name).unwrap_or_else(|| panic!("no built-in {name}"));
    assert_eq!(b.arity, args.len(), "arity of {name}");
    match (b.func)(args) {
        Ok(v) => v,
        Err(e) => panic!("{name} failed: {}", e.message),
    }
}

/// Calls a built-in by name, expecting an error.
pub(crate) fn call_err(name: &str, args: &[Value]) -> BuiltinError {
    let b = lookup(name).unwrap_or_else(|| panic!("no built-in {name}"));
    assert_eq!(b.arity, args.len(), "arity of {name}");
    match (b.func)(args) {
        Ok(v) => panic!("{name} returned {v} instead of failing"),
        Err(e) => e,
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn lit(&mut self, word: &str) -> bool {
        if self.s[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self) -> Value {
        self.ws();
        let c = self.s[self.i];
        match c {
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                if !self.eat(b']') {
                    loop {
                        items.push(self.value());
                        if self.eat(b']') {
                            break;
                        }
                        assert!(self.eat(b','));
                    }
                }
                Value::array(items)
            }
            b'{' => {
                self.i += 1;
                if self.eat(b'}') {
                    return Value::object(Object::new());
                }
                let first = self.value();
                if self.eat(b':') {
                    let mut map = Object::new();
                    let val = self.value();
                    map.insert(first, val);
                    while self.eat(b',') {
                        let k = self.value();
                        assert!(self.eat(b':'));
                        let val = self.value();
                        map.insert(k, val);
                    }
                    assert!(self.eat(b'}'));
                    Value::object(map)
                } else {
                    let mut items = Set::new();
                    items.insert(first);
                    while self.eat(b',') {
                        items.insert(self.value());
                    }
                    assert!(self.eat(b'}'));
                    Value::set(items)
                }
            }
            b'"' => {
                let start = self.i;
                self.i += 1;
                while self.s[self.i] != b'"' {
                    if self.s[self.i] == b'\\' {
                        self.i += 1;
                    }
                    self.i += 1;
                }
                self.i += 1;
                let text = std::str::from_utf8(&self.s[start..self.i]).unwrap();
                Value::String(serde_json::from_str::<String>(text).unwrap().into())
            }
            _ if self.lit("null") => Value::Null,
            _ if self.lit("true") => Value::Bool(true),
            _ if self.lit("false") => Value::Bool(false),
            _ if self.lit("set()") => Value::empty_set(),
            _ => {
                let start = self.i;
                while self.i < self.s.len() && b"+-.eE0123456789".contains(&self.s[self.i]) {
                    self.i += 1;
                }
                n(std::str::from_utf8(&self.s[start..self.i]).unwrap())
            }
        }
    }
}
