//! Regular expressions with Go's RE2 syntax: `regex.match`, `regex.is_valid`, `regex.find_n`,
//! `regex.find_all_string_submatch_n`, `regex.split` and `regex.replace`.
//!
//! Patterns are translated from Go's syntax to the `regex` crate's (the two differ in `\d`,
//! `\w`, `\s` and `\b`, which are ASCII-only in Go, in character-class syntax, octal escapes,
//! `\Q...\E`, and what they reject), checked against Go's rules with Go's error messages, and
//! compiled once into a bounded, thread-safe cache.

use super::args;
use super::compiled::Compiled;
use super::{Builtin, BuiltinError};
use crate::value::Value;
use regex::Regex;
use std::rc::Rc;

pub(super) fn builtins() -> Vec<Builtin> {
    vec![
        Builtin {
            name: "regex.match",
            arity: 2,
            func: matches,
            by_ref: None,
        },
        Builtin {
            name: "regex.is_valid",
            arity: 1,
            func: is_valid,
            by_ref: None,
        },
        Builtin {
            name: "regex.find_n",
            arity: 3,
            func: find_n,
            by_ref: None,
        },
        Builtin {
            name: "regex.find_all_string_submatch_n",
            arity: 3,
            func: submatches,
            by_ref: None,
        },
        Builtin {
            name: "regex.split",
            arity: 2,
            func: split,
            by_ref: None,
        },
        Builtin {
            name: "regex.replace",
            arity: 3,
            func: replace,
            by_ref: None,
        },
    ]
}

/// Go's largest repeat count.
const MAX_REPEAT: u32 = 1000;

fn go_err(code: &str, expr: &str) -> String {
    format!("error parsing regexp: {code}: `{expr}`")
}

fn hex_char(out: &mut String, c: char) {
    out.push_str(&format!("\\x{{{:X}}}", c as u32));
}

const POSIX: &[&str] = &[
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
    "space", "upper", "word", "xdigit",
];

/// The ASCII class Go means by `\d`, `\s` or `\w` (and their negations).
fn perl_class(c: char) -> Option<(&'static str, bool)> {
    match c {
        'd' => Some(("0-9", false)),
        'D' => Some(("0-9", true)),
        's' => Some(("\\t\\n\\x0C\\r ", false)),
        'S' => Some(("\\t\\n\\x0C\\r ", true)),
        'w' => Some(("0-9A-Za-z_", false)),
        'W' => Some(("0-9A-Za-z_", true)),
        _ => None,
    }
}

struct Translator<'a> {
    src: &'a str,
    chars: Vec<(usize, char)>,
    i: usize,
    out: String,
}

enum Escape {
    /// A single character.
    Char(char),
    /// Text to copy as is (a class or an assertion).
    Raw(String),
}

impl Translator<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).map(|&(_, c)| c)
    }

    fn peek_at(&self, k: usize) -> Option<char> {
        self.chars.get(self.i + k).map(|&(_, c)| c)
    }

    fn offset(&self, i: usize) -> usize {
        self.chars.get(i).map_or(self.src.len(), |&(o, _)| o)
    }

    fn text(&self, from: usize, to: usize) -> &str {
        &self.src[self.offset(from)..self.offset(to)]
    }

    /// An escape after its backslash (`self.i` is at the backslash).
    fn escape(&mut self, in_class: bool) -> Result<Escape, String> {
        let start = self.i;
        self.i += 1;
        let Some(c) = self.peek() else {
            return Err(go_err("trailing backslash at end of expression", ""));
        };
        self.i += 1;
        let bad = |t: &Self| go_err("invalid escape sequence", t.text(start, t.i));
        match c {
            '1'..='7' if !matches!(self.peek(), Some('0'..='7')) => Err(bad(self)),
            '0'..='7' => {
                let mut v = c.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match self.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            self.i += 1;
                        }
                        None => break,
                    }
                }
                Ok(Escape::Char(char::from_u32(v).unwrap_or('\u{0}')))
            }
            'x' => {
                if self.peek() == Some('{') {
                    self.i += 1;
                    let from = self.i;
                    while self.peek().is_some_and(|d| d.is_ascii_hexdigit()) {
                        self.i += 1;
                    }
                    let digits = self.text(from, self.i).to_string();
                    if self.peek() != Some('}') || digits.is_empty() {
                        return Err(bad(self));
                    }
                    self.i += 1;
                    let v = u32::from_str_radix(&digits, 16)
                        .ok()
                        .and_then(char::from_u32);
                    v.map(Escape::Char).ok_or_else(|| bad(self))
                } else {
                    let (a, b) = (self.peek(), self.peek_at(1));
                    match (
                        a.and_then(|d| d.to_digit(16)),
                        b.and_then(|d| d.to_digit(16)),
                    ) {
                        (Some(h), Some(l)) => {
                            self.i += 2;
                            Ok(Escape::Char(char::from_u32(h * 16 + l).unwrap_or('\u{0}')))
                        }
                        _ => {
                            self.i +=
                                usize::from(a.is_some()) + usize::from(a.is_some() && b.is_some());
                            Err(bad(self))
                        }
                    }
                }
            }
            'a' => Ok(Escape::Char('\u{7}')),
            'f' => Ok(Escape::Char('\u{c}')),
            't' => Ok(Escape::Char('\t')),
            'n' => Ok(Escape::Char('\n')),
            'r' => Ok(Escape::Char('\r')),
            'v' => Ok(Escape::Char('\u{b}')),
            'p' | 'P' => {
                let from = self.i;
                match self.peek() {
                    Some('{') => {
                        while self.peek().is_some_and(|d| d != '}') {
                            self.i += 1;
                        }
                        if self.peek() != Some('}') {
                            return Err(go_err(
                                "invalid character class range",
                                self.text(start, self.i),
                            ));
                        }
                        self.i += 1;
                    }
                    Some(_) => self.i += 1,
                    None => {
                        return Err(go_err(
                            "invalid character class range",
                            self.text(start, self.i),
                        ))
                    }
                }
                Ok(Escape::Raw(format!("\\{c}{}", self.text(from, self.i))))
            }
            c if perl_class(c).is_some() => {
                let (set, neg) = perl_class(c).unwrap_or(("", false));
                Ok(Escape::Raw(format!(
                    "[{}{set}]",
                    if neg { "^" } else { "" }
                )))
            }
            'b' | 'B' if !in_class => Ok(Escape::Raw(format!("(?-u:\\{c})"))),
            'A' | 'z' if !in_class => Ok(Escape::Raw(format!("\\{c}"))),
            'C' if !in_class => Ok(Escape::Raw("(?s:.)".to_string())),
            'Q' if !in_class => Ok(Escape::Raw(String::new())),
            c if c.is_ascii() && !c.is_ascii_alphanumeric() => Ok(Escape::Char(c)),
            _ => Err(bad(self)),
        }
    }

    /// A character class after its `[` (`self.i` is past it).
    fn class(&mut self) -> Result<(), String> {
        let start = self.i - 1;
        let missing = |t: &Self| go_err("missing closing ]", &t.src[t.offset(start)..]);
        let mut out = String::from("[");
        if self.peek() == Some('^') {
            self.i += 1;
            out.push('^');
        }
        let mut first = true;
        loop {
            let Some(c) = self.peek() else {
                return Err(missing(self));
            };
            if c == ']' && !first {
                self.i += 1;
                break;
            }
            first = false;
            if c == '[' && self.peek_at(1) == Some(':') {
                let rest = &self.src[self.offset(self.i)..];
                if let Some(end) = rest[2..].find(":]") {
                    let name = &rest[2..2 + end];
                    let bare = name.strip_prefix('^').unwrap_or(name);
                    if !POSIX.contains(&bare) {
                        return Err(go_err("invalid character class range", &rest[..end + 4]));
                    }
                    out.push_str(&rest[..end + 4]);
                    self.i += rest[..end + 4].chars().count();
                    continue;
                }
            }
            let lo_start = self.i;
            let lo = if c == '\\' {
                match self.escape(true)? {
                    Escape::Char(ch) => ch,
                    Escape::Raw(raw) => {
                        out.push_str(&raw);
                        continue;
                    }
                }
            } else {
                self.i += 1;
                c
            };
            if self.peek() == Some('-') && self.peek_at(1).is_some_and(|d| d != ']') {
                self.i += 1;
                let hi = if self.peek() == Some('\\') {
                    match self.escape(true)? {
                        Escape::Char(ch) => ch,
                        Escape::Raw(_) => {
                            return Err(go_err(
                                "invalid character class range",
                                self.text(lo_start, self.i),
                            ))
                        }
                    }
                } else {
                    let Some(h) = self.peek() else {
                        return Err(missing(self));
                    };
                    self.i += 1;
                    h
                };
                if hi < lo {
                    return Err(go_err(
                        "invalid character class range",
                        self.text(lo_start, self.i),
                    ));
                }
                hex_char(&mut out, lo);
                out.push('-');
                hex_char(&mut out, hi);
            } else {
                hex_char(&mut out, lo);
            }
        }
        out.push(']');
        self.out.push_str(&out);
        Ok(())
    }

    /// `{n}`, `{n,}` or `{n,m}` at `self.i`: (min, max, chars consumed); `None` if not one.
    fn repeat_spec(&self) -> Option<(u32, Option<u32>, usize)> {
        let rest = &self.src[self.offset(self.i)..];
        let end = rest.find('}')?;
        let body = &rest[1..end];
        let num = |s: &str| {
            (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u32>().unwrap_or(u32::MAX))
        };
        let (min, max) = match body.split_once(',') {
            None => {
                let n = num(body)?;
                (n, Some(n))
            }
            Some((a, "")) => (num(a)?, None),
            Some((a, b)) => (num(a)?, Some(num(b)?)),
        };
        Some((min, max, rest[..=end].chars().count()))
    }

    fn run(&mut self) -> Result<(), String> {
        let mut depth = 0usize;
        // Whether the previous item can be repeated, and where the last repetition began.
        let mut can_repeat = false;
        let mut last_repeat: Option<usize> = None;
        while let Some(c) = self.peek() {
            let here = self.i;
            match c {
                '*' | '+' | '?' | '{' => {
                    let (len, text) = if c == '{' {
                        match self.repeat_spec() {
                            Some((min, max, len)) => {
                                let op = self.text(here, here + len).to_string();
                                if min > MAX_REPEAT
                                    || max.is_some_and(|m| m > MAX_REPEAT || m < min)
                                {
                                    return Err(go_err("invalid repeat count", &op));
                                }
                                (len, op)
                            }
                            None => {
                                self.i += 1;
                                self.out.push_str("\\{");
                                can_repeat = true;
                                last_repeat = None;
                                continue;
                            }
                        }
                    } else {
                        (1, c.to_string())
                    };
                    let mut end = here + len;
                    if self.chars.get(end).map(|&(_, d)| d) == Some('?') {
                        end += 1;
                    }
                    if let Some(prev) = last_repeat {
                        return Err(go_err(
                            "invalid nested repetition operator",
                            self.text(prev, end),
                        ));
                    }
                    if !can_repeat {
                        return Err(go_err(
                            "missing argument to repetition operator",
                            self.text(here, end),
                        ));
                    }
                    self.out.push_str(&text);
                    if end > here + len {
                        self.out.push('?');
                    }
                    self.i = end;
                    last_repeat = Some(here);
                    continue;
                }
                '(' => {
                    self.i += 1;
                    depth += 1;
                    if self.peek() == Some('?') {
                        if !self.group_flags(here)? {
                            depth -= 1;
                            can_repeat = false;
                            last_repeat = None;
                            continue;
                        }
                    } else {
                        self.out.push('(');
                    }
                    can_repeat = false;
                }
                ')' => {
                    if depth == 0 {
                        return Err(go_err("unexpected )", self.src));
                    }
                    depth -= 1;
                    self.i += 1;
                    self.out.push(')');
                    can_repeat = true;
                }
                '|' => {
                    self.i += 1;
                    self.out.push('|');
                    can_repeat = false;
                }
                '[' => {
                    self.i += 1;
                    self.class()?;
                    can_repeat = true;
                }
                '\\' => {
                    match self.escape(false)? {
                        Escape::Char(ch) => self.out.push_str(&regex::escape(&ch.to_string())),
                        Escape::Raw(raw) => self.out.push_str(&raw),
                    }
                    can_repeat = true;
                    if self.text(here, self.i) == "\\Q" {
                        self.quoted();
                    }
                }
                _ => {
                    self.i += 1;
                    if matches!(c, '.' | '^' | '$') {
                        self.out.push(c);
                    } else {
                        self.out.push_str(&regex::escape(&c.to_string()));
                    }
                    can_repeat = true;
                }
            }
            last_repeat = None;
        }
        if depth > 0 {
            return Err(go_err("missing closing )", self.src));
        }
        Ok(())
    }

    /// The literal text of `\Q...\E`, after the `\Q`.
    fn quoted(&mut self) {
        while let Some(c) = self.peek() {
            if c == '\\' && self.peek_at(1) == Some('E') {
                self.i += 2;
                return;
            }
            self.i += 1;
            self.out.push_str(&regex::escape(&c.to_string()));
        }
    }

    /// A `(?...` group: flags, a named capture, or an unsupported Perl form. Returns whether
    /// the group stays open (false for a flags-only `(?i)`).
    fn group_flags(&mut self, open: usize) -> Result<bool, String> {
        let rest = &self.src[self.offset(self.i)..];
        let named = rest.strip_prefix("?P<").or_else(|| rest.strip_prefix("?<"));
        if let Some(after) = named {
            let prefix_len = rest.len() - after.len();
            let Some(end) = after.find('>') else {
                return Err(go_err(
                    "invalid named capture",
                    &self.src[self.offset(open)..],
                ));
            };
            let name = &after[..end];
            let whole = &self.src[self.offset(open)..self.offset(self.i) + prefix_len + end + 1];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(go_err("invalid named capture", whole));
            }
            self.out.push_str(&format!("(?P<{name}>"));
            self.i += rest[..prefix_len + end + 1].chars().count();
            return Ok(true);
        }
        // Flags: (?imsU-imsU) or (?imsU-imsU:re).
        self.i += 1;
        let mut flags = String::new();
        let mut negated = false;
        loop {
            let Some(c) = self.peek() else {
                return Err(go_err("missing closing )", self.src));
            };
            self.i += 1;
            match c {
                'i' | 'm' | 's' | 'U' => flags.push(c),
                '-' if !negated => {
                    negated = true;
                    flags.push('-');
                }
                ':' | ')' if !(flags.ends_with('-') || flags.is_empty() && c == ')') => {
                    self.out.push_str("(?");
                    self.out.push_str(&flags);
                    self.out.push(c);
                    return Ok(c == ':');
                }
                _ => {
                    return Err(go_err(
                        "invalid or unsupported Perl syntax",
                        self.text(open, self.i),
                    ));
                }
            }
        }
    }
}

/// Translates a Go regular expression into the `regex` crate's syntax, or Go's error message.
fn translate(pattern: &str) -> Result<String, String> {
    let mut t = Translator {
        src: pattern,
        chars: pattern.char_indices().collect(),
        i: 0,
        out: String::new(),
    };
    t.run()?;
    Ok(t.out)
}

/// Compiles (or fetches) a Go regular expression.
fn compile(pattern: &str) -> Result<Rc<Regex>, String> {
    thread_local! {
        static CACHE: Compiled = Compiled::default();
    }
    CACHE.with(|cache| {
        cache.get_or(pattern, || {
            Regex::new(&translate(pattern)?).map_err(|e| {
                let detail = e.to_string();
                let last = detail
                    .lines()
                    .last()
                    .unwrap_or("")
                    .trim_start_matches("error: ")
                    .to_string();
                go_err(&last, pattern)
            })
        })
    })
}

fn regex_arg(name: &str, a: &[Value], i: usize) -> Result<Rc<Regex>, BuiltinError> {
    compile(args::string(name, a, i)?).map_err(|e| BuiltinError::failed(name, e))
}

fn matches(a: &[Value]) -> Result<Value, BuiltinError> {
    let re = regex_arg("regex.match", a, 0)?;
    let s = args::string("regex.match", a, 1)?;
    Ok(Value::Bool(re.is_match(s)))
}

fn is_valid(a: &[Value]) -> Result<Value, BuiltinError> {
    let v = args::arg("regex.is_valid", a, 0)?;
    Ok(Value::Bool(v.as_str().is_some_and(|p| compile(p).is_ok())))
}

/// Go's `FindAll...` loop: at most `n` matches (all when negative), no empty match right after
/// a previous match. Each match is its capture groups' spans.
fn all_matches(re: &Regex, s: &str, n: i64) -> Vec<Vec<Option<(usize, usize)>>> {
    let mut out = Vec::new();
    let limit = usize::try_from(n).unwrap_or(usize::MAX);
    let mut pos = 0;
    let mut prev_end: Option<usize> = None;
    while out.len() < limit && pos <= s.len() {
        let Some(caps) = re.captures_at(s, pos) else {
            break;
        };
        let Some(m) = caps.get(0) else { break };
        let mut accept = true;
        if m.end() == pos {
            if Some(m.start()) == prev_end {
                accept = false;
            }
            pos += s[pos..].chars().next().map_or(1, char::len_utf8);
        } else {
            pos = m.end();
        }
        prev_end = Some(m.end());
        if accept {
            out.push(
                caps.iter()
                    .map(|g| g.map(|g| (g.start(), g.end())))
                    .collect(),
            );
        }
    }
    out
}

fn find_n(a: &[Value]) -> Result<Value, BuiltinError> {
    let re = regex_arg("regex.find_n", a, 0)?;
    let s = args::string("regex.find_n", a, 1)?;
    let n = args::int("regex.find_n", a, 2)?;
    let found = all_matches(&re, s, n);
    Ok(Value::array(
        found
            .iter()
            .filter_map(|m| m.first().copied().flatten())
            .map(|(x, y)| Value::string(&s[x..y]))
            .collect(),
    ))
}

fn submatches(a: &[Value]) -> Result<Value, BuiltinError> {
    let name = "regex.find_all_string_submatch_n";
    let re = regex_arg(name, a, 0)?;
    let s = args::string(name, a, 1)?;
    let n = args::int(name, a, 2)?;
    let found = all_matches(&re, s, n);
    Ok(Value::array(
        found
            .iter()
            .map(|groups| {
                Value::array(
                    groups
                        .iter()
                        .map(|g| Value::string(g.map_or("", |(x, y)| &s[x..y])))
                        .collect(),
                )
            })
            .collect(),
    ))
}

/// Go's `Regexp.Split(s, -1)`.
fn split(a: &[Value]) -> Result<Value, BuiltinError> {
    let re = regex_arg("regex.split", a, 0)?;
    let pattern = args::string("regex.split", a, 0)?;
    let s = args::string("regex.split", a, 1)?;
    if !pattern.is_empty() && s.is_empty() {
        return Ok(Value::array(vec![Value::string("")]));
    }
    let mut parts = Vec::new();
    let (mut beg, mut end) = (0, 0);
    for m in all_matches(&re, s, -1) {
        let Some((x, y)) = m.first().copied().flatten() else {
            continue;
        };
        end = x;
        if y != 0 {
            parts.push(Value::string(&s[beg..end]));
        }
        beg = y;
    }
    if end != s.len() {
        parts.push(Value::string(&s[beg..]));
    }
    Ok(Value::array(parts))
}

/// `regex.replace(s, pattern, value)`: every match replaced, `$1`/`${name}` expanded.
fn replace(a: &[Value]) -> Result<Value, BuiltinError> {
    let s = args::string("regex.replace", a, 0)?;
    let re = regex_arg("regex.replace", a, 1)?;
    let value = args::string("regex.replace", a, 2)?;
    Ok(Value::from(re.replace_all(s, value).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{call, call_err, s, v};
    use super::translate;
    use crate::error::ErrorKind;
    use crate::value::Value;

    fn m(p: &str, x: &str) -> bool {
        call("regex.match", &[s(p), s(x)]) == Value::Bool(true)
    }

    #[test]
    fn matching_with_go_semantics() {
        assert!(m("^[a-z]+\\[[0-9]+\\]$", "foo[1]"));
        assert!(m("^\\d+$", "123"));
        assert!(!m("^\\d+$", "١٢٣"));
        assert!(!m("^\\w+$", "é"));
        assert!(m("\\bfoo\\b", "a foo b"));
        assert!(m("^[[:alpha:]]+$", "abc"));
        assert!(m("^[\\d.]+$", "1.2"));
        assert!(m("^[^\\s]+$", "abc"));
        assert!(m("^[[]$", "["));
        assert!(m("^[a&&b]$", "&"));
        assert!(m("^[+--]$", ","));
        assert!(m("^[]a]+$", "]a"));
        assert!(m("^\\Q.*\\E$", ".*"));
        assert!(m("^\\x41\\x{42}\\101\\0$", "ABA\u{0}"));
        assert!(m("a{,2}", "a{,2}"));
        assert!(m("^a{2}$", "aa"));
        assert!(m("(?i)^ABC$", "abc"));
        assert!(m("(?i:A)b", "ab"));
        assert!(m("^(?P<x>a)(?<y>b)$", "ab"));
        assert!(m("\\<", "<"));
        assert!(m("^a*?$", "aaa"));
        assert!(m("x$", "x"));
        assert!(!m("x$", "x\n"));
        assert!(m("^\\pL\\p{Greek}$", "aα"));
    }

    #[test]
    fn go_error_messages() {
        let err = |p: &str| translate(p).err().unwrap_or_default();
        assert_eq!(err("[a"), "error parsing regexp: missing closing ]: `[a`");
        assert_eq!(err("(a"), "error parsing regexp: missing closing ): `(a`");
        assert_eq!(err("a)"), "error parsing regexp: unexpected ): `a)`");
        assert_eq!(
            err("*a"),
            "error parsing regexp: missing argument to repetition operator: `*`"
        );
        assert_eq!(
            err("(+)"),
            "error parsing regexp: missing argument to repetition operator: `+`"
        );
        assert_eq!(
            err("a**"),
            "error parsing regexp: invalid nested repetition operator: `**`"
        );
        assert_eq!(
            err("a*??"),
            "error parsing regexp: invalid nested repetition operator: `*??`"
        );
        assert_eq!(
            err("a\\"),
            "error parsing regexp: trailing backslash at end of expression: ``"
        );
        assert_eq!(
            err("\\8"),
            "error parsing regexp: invalid escape sequence: `\\8`"
        );
        assert_eq!(
            err("\\1"),
            "error parsing regexp: invalid escape sequence: `\\1`"
        );
        assert_eq!(
            err("\\Z"),
            "error parsing regexp: invalid escape sequence: `\\Z`"
        );
        assert_eq!(
            err("\\xZ"),
            "error parsing regexp: invalid escape sequence: `\\xZ`"
        );
        assert_eq!(
            err("[z-a]"),
            "error parsing regexp: invalid character class range: `z-a`"
        );
        assert_eq!(
            err("[[:foo:]]"),
            "error parsing regexp: invalid character class range: `[:foo:]`"
        );
        assert_eq!(
            err("a{1001}"),
            "error parsing regexp: invalid repeat count: `{1001}`"
        );
        assert_eq!(
            err("a{2,1}"),
            "error parsing regexp: invalid repeat count: `{2,1}`"
        );
        assert_eq!(
            err("(?x)a"),
            "error parsing regexp: invalid or unsupported Perl syntax: `(?x`"
        );
        assert_eq!(
            err("(?=a)"),
            "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"
        );
        assert_eq!(
            err("(?P<a b>x)"),
            "error parsing regexp: invalid named capture: `(?P<a b>`"
        );
        assert_eq!(
            err("(?P<ab"),
            "error parsing regexp: invalid named capture: `(?P<ab`"
        );
        assert_eq!(err("(?i"), "error parsing regexp: missing closing ): `(?i`");
        assert_eq!(err("\\pX"), "");
        let e = call_err("regex.match", &[s("[a"), s("a")]);
        assert_eq!(
            (e.kind, e.message.as_str()),
            (
                ErrorKind::Builtin,
                "regex.match: error parsing regexp: missing closing ]: `[a`"
            )
        );
        assert!(call_err("regex.match", &[s("\\pX"), s("a")])
            .message
            .starts_with("regex.match: error parsing regexp: "));
        assert_eq!(
            call_err("regex.match", &[v("1"), s("a")]).message,
            "regex.match: operand 1 must be string but got number"
        );
        assert_eq!(call("regex.is_valid", &[s("a+")]), Value::Bool(true));
        assert_eq!(call("regex.is_valid", &[s("a++")]), Value::Bool(false));
        assert_eq!(call("regex.is_valid", &[v("1")]), Value::Bool(false));
    }

    #[test]
    fn finding_splitting_replacing() {
        let f = |p: &str, x: &str, n: &str| call("regex.find_n", &[s(p), s(x), v(n)]);
        assert_eq!(f("a.", "paranormal", "-1"), v(r#"["ar", "an", "al"]"#));
        assert_eq!(f("a.", "paranormal", "2"), v(r#"["ar", "an"]"#));
        assert_eq!(f("bork", "paranormal", "-1"), v("[]"));
        assert_eq!(f("a.", "paranormal", "0"), v("[]"));
        assert_eq!(f("a*", "baaab", "-1"), v(r#"["", "aaa", ""]"#));
        assert_eq!(f("", "ab", "-1"), v(r#"["", "", ""]"#));
        assert_eq!(
            call(
                "regex.find_all_string_submatch_n",
                &[s("a(x*)(y)?"), s("axxa"), v("-1")]
            ),
            v(r#"[["axx", "xx", ""], ["a", "", ""]]"#)
        );
        let sp = |p: &str, x: &str| call("regex.split", &[s(p), s(x)]);
        assert_eq!(sp("a", "banana"), v(r#"["b", "n", "n", ""]"#));
        assert_eq!(sp("x*", "axbc"), v(r#"["a", "b", "c"]"#));
        assert_eq!(sp("a", ""), v(r#"[""]"#));
        assert_eq!(sp("", ""), v("[]"));
        assert_eq!(sp("z", "abc"), v(r#"["abc"]"#));
        let r = |x: &str, p: &str, val: &str| call("regex.replace", &[s(x), s(p), s(val)]);
        assert_eq!(r("-ab-axxb-", "a(x*)b", "${1}W"), s("-W-xxW-"));
        assert_eq!(r("abc", "x*", "-"), s("-a-b-c-"));
        assert_eq!(r("abc", "b", "$$"), s("a$c"));
        assert_eq!(
            call_err("regex.find_n", &[s("a"), s("a"), s("1")]).message,
            "regex.find_n: operand 3 must be number but got string"
        );
    }
}
