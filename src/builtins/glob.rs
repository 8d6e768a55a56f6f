//! `glob.match` and `glob.quote_meta` with gobwas/glob's syntax (`*`, `**`, `?`, `[a-z]`,
//! `[!a]`, `{a,b}`, `\` escapes). A pattern is compiled once to an anchored regular expression
//! and kept in a bounded cache.

use super::args::{self, element_err, type_err};
use super::compiled::Compiled;
use super::{Builtin, BuiltinError};
use crate::value::Value;
use regex::Regex;
use std::rc::Rc;

pub(super) fn builtins() -> Vec<Builtin> {
    vec![
        Builtin {
            name: "glob.match",
            arity: 3,
            func: glob_match,
            by_ref: None,
        },
        Builtin {
            name: "glob.quote_meta",
            arity: 1,
            func: quote_meta,
            by_ref: None,
        },
    ]
}

#[derive(Debug)]
enum Node {
    Text(String),
    Any,
    Super,
    Single,
    List { chars: Vec<char>, not: bool },
    Range { lo: char, hi: char, not: bool },
    AnyOf(Vec<Vec<Node>>),
}

struct Lexer<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    terms: usize,
}

impl Lexer<'_> {
    /// Literal text up to a breaker; `\` escapes the next character (a trailing one is dropped).
    fn text(&mut self, breakers: &[char]) -> String {
        let mut out = String::new();
        while let Some(&c) = self.chars.peek() {
            if c == '\\' {
                self.chars.next();
                if let Some(e) = self.chars.next() {
                    out.push(e);
                }
                continue;
            }
            if breakers.contains(&c) {
                break;
            }
            out.push(c);
            self.chars.next();
        }
        out
    }

    /// A character class after its `[`.
    fn range(&mut self) -> Result<Node, String> {
        let mut not = false;
        let (mut lo, mut hi, mut chars) = (None, None, String::new());
        let mut seen_not = false;
        let mut want_hi = false;
        let mut want_close = false;
        loop {
            let Some(r) = self.chars.next() else {
                return Err("unexpected end of input".to_string());
            };
            if want_close {
                if r != ']' {
                    return Err("expected close range character".to_string());
                }
                break;
            }
            if want_hi {
                hi = Some(r);
                want_close = true;
                continue;
            }
            if !seen_not && r == '!' {
                not = true;
                seen_not = true;
                continue;
            }
            if self.chars.peek() == Some(&'-') {
                self.chars.next();
                lo = Some(r);
                want_hi = true;
                continue;
            }
            let mut rest = String::new();
            if r == '\\' {
                if let Some(e) = self.chars.next() {
                    rest.push(e);
                }
            } else if r != ']' {
                rest.push(r);
            }
            if r == ']' {
                // An empty class: `]` closes it at once.
                break;
            }
            rest.push_str(&self.text(&[']']));
            chars = rest;
            want_close = true;
        }
        match (lo, hi) {
            (Some(lo), Some(hi)) if chars.is_empty() => {
                if hi < lo {
                    return Err(format!(
                        "hi character '{hi}' should be greater than lo '{lo}'"
                    ));
                }
                Ok(Node::Range { lo, hi, not })
            }
            (None, None) if !chars.is_empty() => Ok(Node::List {
                chars: chars.chars().collect(),
                not,
            }),
            _ => Err("could not parse range".to_string()),
        }
    }

    /// A sequence of nodes; inside `{}` it stops at `,` or `}` (returned as the terminator).
    fn pattern(&mut self) -> Result<(Vec<Node>, Option<char>), String> {
        let mut nodes = Vec::new();
        while let Some(&c) = self.chars.peek() {
            match c {
                '{' => {
                    self.chars.next();
                    self.terms += 1;
                    let mut alts = Vec::new();
                    loop {
                        let (alt, end) = self.pattern()?;
                        alts.push(alt);
                        if end != Some(',') {
                            break;
                        }
                    }
                    self.terms -= 1;
                    nodes.push(Node::AnyOf(alts));
                }
                ',' | '}' if self.terms > 0 => {
                    self.chars.next();
                    return Ok((nodes, Some(c)));
                }
                '[' => {
                    self.chars.next();
                    nodes.push(self.range()?);
                }
                '?' => {
                    self.chars.next();
                    nodes.push(Node::Single);
                }
                '*' => {
                    self.chars.next();
                    if self.chars.peek() == Some(&'*') {
                        self.chars.next();
                        nodes.push(Node::Super);
                    } else {
                        nodes.push(Node::Any);
                    }
                }
                _ => {
                    let breakers: &[char] = if self.terms > 0 {
                        &['?', '*', '[', '{', '}', ',']
                    } else {
                        &['?', '*', '[', '{']
                    };
                    let t = self.text(breakers);
                    nodes.push(Node::Text(t));
                }
            }
        }
        Ok((nodes, None))
    }
}

fn class_char(out: &mut String, c: char) {
    out.push_str(&format!("\\x{{{:X}}}", c as u32));
}

fn to_regex(nodes: &[Node], seps: &[char], out: &mut String) {
    let not_sep = || {
        if seps.is_empty() {
            ".".to_string()
        } else {
            let mut s = String::from("[^");
            for &c in seps {
                class_char(&mut s, c);
            }
            s.push(']');
            s
        }
    };
    for node in nodes {
        match node {
            Node::Text(t) => out.push_str(&regex::escape(t)),
            Node::Any => {
                out.push_str(&not_sep());
                out.push('*');
            }
            Node::Super => out.push_str(".*"),
            Node::Single => out.push_str(&not_sep()),
            Node::List { chars, not } => {
                out.push_str(if *not { "[^" } else { "[" });
                for &c in chars {
                    class_char(out, c);
                }
                out.push(']');
            }
            Node::Range { lo, hi, not } => {
                out.push_str(if *not { "[^" } else { "[" });
                class_char(out, *lo);
                out.push('-');
                class_char(out, *hi);
                out.push(']');
            }
            Node::AnyOf(alts) => {
                out.push_str("(?:");
                for (i, alt) in alts.iter().enumerate() {
                    if i > 0 {
                        out.push('|');
                    }
                    to_regex(alt, seps, out);
                }
                out.push(')');
            }
        }
    }
}

/// Compiles a glob with its separators to an anchored regular expression.
fn compile(pattern: &str, seps: &[char]) -> Result<Regex, String> {
    let mut lexer = Lexer {
        chars: pattern.chars().peekable(),
        terms: 0,
    };
    let (nodes, _) = lexer.pattern()?;
    let mut re = String::from("(?s)\\A(?:");
    to_regex(&nodes, seps, &mut re);
    re.push_str(")\\z");
    Regex::new(&re).map_err(|e| e.to_string())
}

/// A compiled glob.
fn cached(pattern: &str, seps: &[char]) -> Result<Rc<Regex>, String> {
    thread_local! {
        static CACHE: Compiled = Compiled::default();
    }
    let key: String = pattern
        .chars()
        .chain(std::iter::once('-'))
        .chain(seps.iter().copied())
        .collect();
    CACHE.with(|cache| cache.get_or(&key, || compile(pattern, seps)))
}

fn glob_match(a: &[Value]) -> Result<Value, BuiltinError> {
    let name = "glob.match";
    let pattern = args::string(name, a, 0)?;
    let delims = args::arg(name, a, 1)?;
    let seps: Vec<char> = match delims {
        Value::Null => Vec::new(),
        Value::Array(items) => {
            let mut seps = Vec::with_capacity(items.len());
            for item in items.iter() {
                let s = item
                    .as_str()
                    .ok_or_else(|| element_err(name, 2, delims, item, &["string"]))?;
                let mut cs = s.chars();
                match (cs.next(), cs.next()) {
                    (Some(c), None) => seps.push(c),
                    _ => return Err(element_err(name, 2, delims, item, &["rune"])),
                }
            }
            if seps.is_empty() {
                seps.push('.');
            }
            seps
        }
        _ => return Err(type_err(name, 2, delims, &["array", "null"])),
    };
    let subject = args::string(name, a, 2)?;
    let re = cached(pattern, &seps).map_err(|e| BuiltinError::failed(name, e))?;
    Ok(Value::Bool(re.is_match(subject)))
}

/// Escapes the glob meta characters `*`, `?`, `\`, `[`, `]`, `{` and `}`.
fn quote_meta(a: &[Value]) -> Result<Value, BuiltinError> {
    let s = args::string("glob.quote_meta", a, 0)?;
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '?' | '\\' | '[' | ']' | '{' | '}') {
            out.push('\\');
        }
        out.push(c);
    }
    Ok(Value::from(out))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{call, call_err, s, v};
    use crate::error::ErrorKind;
    use crate::value::Value;

    fn g(p: &str, d: &str, x: &str) -> bool {
        call("glob.match", &[s(p), v(d), s(x)]) == Value::Bool(true)
    }

    #[test]
    fn conformance_cases() {
        let cases: &[(&str, &str, &str, bool)] = &[
            ("*.github.com", r#"["."]"#, "api.github.com", true),
            ("api.**.com", r#"["."]"#, "api.github.com", true),
            ("api.**.com", r#"["."]"#, "api.cdn.github.com", true),
            ("*:github:com", r#"[":"]"#, "api:github:com", true),
            ("*.github.com", r#"["."]"#, "api.not-github.com", false),
            ("[abc]at", "[]", "cat", true),
            ("[abc]at", "[]", "fat", false),
            ("[!abc]at", "[]", "fat", true),
            ("[!abc]at", "[]", "cat", false),
            ("[a-c]at", "[]", "bat", true),
            ("[a-c]at", "[]", "fat", false),
            ("[!a-c]at", "[]", "bat", false),
            ("[!a-c]at", "[]", "fat", true),
            ("?at", "[]", "fat", true),
            ("?at", "[]", "at", false),
            ("?at", r#"["f"]"#, "bat", true),
            ("?at", r#"["f"]"#, "fat", false),
            ("{cat,bat,[fr]at}", "[]", "cat", true),
            ("{cat,bat,[fr]at}", "[]", "bat", true),
            ("{cat,bat,[fr]at}", "[]", "fat", true),
            ("{cat,bat,[fr]at}", "[]", "rat", true),
            ("{cat,bat,[fr]at}", "[]", "at", false),
            ("*", r#"["."]"#, "foo", true),
            ("*", "[]", "foo", true),
            ("*", r#"["."]"#, "foo.bar", false),
            ("*", "[]", "foo.bar", false),
            ("*", "null", "foo.bar", true),
            ("foo*", "null", "foo.bar", true),
            ("*.github.com", r#"["."]"#, "api.example.com", false),
            ("?", "null", "", false),
            ("[!0-9]", "null", "", false),
            ("a/*/b", "null", "a/b", false),
            ("a/*/b", "null", "a/x/b", true),
            ("a/**/b", "null", "a/b", false),
            ("a/**/b", "null", "a//b", true),
            ("**/x", "null", "x", false),
            ("{**/,}x", "null", "x", true),
            ("***", r#"["."]"#, "", true),
            ("*?*", r#"[".", "/"]"#, "api.github.com", false),
            ("*?*", r#"[".", "/"]"#, "abc", true),
            ("*", r#"[".", "/"]"#, "a/b", false),
            ("\\*", "null", "*", true),
            ("\\*", "null", "a", false),
        ];
        for &(p, d, x, want) in cases {
            assert_eq!(g(p, d, x), want, "glob.match({p:?}, {d}, {x:?})");
        }
    }

    #[test]
    fn more_syntax() {
        assert!(g("{a,b{c,d}}x", "null", "bdx"));
        assert!(g("{a,b", "null", "b"));
        assert!(g("a}b,c", "null", "a}b,c"));
        assert!(g("[\\]]", "null", "]"));
        assert!(g("[!.]", r#"["."]"#, "x"));
        assert!(g("a.b", "null", "a.b"));
        assert!(!g("a.b", "null", "axb"));
        assert!(g("é?", "null", "éü"));
        assert!(g("x\\", "null", "x"));
    }

    #[test]
    fn errors() {
        let err = |p: &str| call_err("glob.match", &[s(p), v("null"), s("x")]);
        assert_eq!(err("[abc").message, "glob.match: unexpected end of input");
        assert_eq!(
            err("[a-bc]").message,
            "glob.match: expected close range character"
        );
        assert_eq!(err("[]").message, "glob.match: could not parse range");
        assert_eq!(err("[!]").message, "glob.match: could not parse range");
        assert_eq!(
            err("[z-a]").message,
            "glob.match: hi character 'a' should be greater than lo 'z'"
        );
        assert_eq!(err("[z-a]").kind, ErrorKind::Builtin);
        let e = call_err("glob.match", &[s("*"), v("[1]"), s("x")]);
        assert_eq!(
            (e.kind, e.message.as_str()),
            (
                ErrorKind::EvalType,
                "glob.match: operand 2 must be array of strings but got array containing number"
            )
        );
        assert_eq!(
            call_err("glob.match", &[s("*"), v(r#"["ab"]"#), s("x")]).message,
            "glob.match: operand 2 must be array of runes but got array containing string"
        );
        assert_eq!(
            call_err("glob.match", &[s("*"), v("{}"), s("x")]).message,
            "glob.match: operand 2 must be one of {array, null} but got object"
        );
        assert_eq!(
            call_err("glob.match", &[s("*"), v("null"), v("1")]).message,
            "glob.match: operand 3 must be string but got number"
        );
        assert_eq!(
            call("glob.quote_meta", &[s("*.github.com/{a}[b]?\\")]),
            s("\\*.github.com/\\{a\\}\\[b\\]\\?\\\\")
        );
    }
}
