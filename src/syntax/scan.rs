//! A light walk over Rego text that knows only strings, comments and brackets.
//!
//! The parser proper needs none of this; it serves the jobs done on the raw text: collecting
//! comments (for `# METADATA`), refusing absurd nesting before the recursive parser sees it, and
//! looking around a syntax error for a better message.

use crate::source::Span;

/// What the walk reports, in text order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mark {
    /// A `#` comment, from the `#` to the end of its line (a `\r` before the `\n` excluded).
    Comment(Span),
    /// `(`, `[` or `{` at this byte offset.
    Open(usize),
    /// `)`, `]` or `}`.
    Close,
    /// One of `| , : + - * / % & < > = !` at this byte offset.
    Symbol(usize, u8),
}

/// The marks of `text`, skipping over string and raw string literals.
pub(super) fn marks(text: &str) -> Marks<'_> {
    Marks {
        bytes: text.as_bytes(),
        i: 0,
    }
}

/// Iterator returned by [`marks`].
pub(super) struct Marks<'t> {
    bytes: &'t [u8],
    i: usize,
}

impl Marks<'_> {
    /// Moves past the first `end` byte from the current position (or to the end of the text).
    /// In a `"` string a backslash escapes the next byte, and a line break ends it.
    fn skip_to(&mut self, end: u8) {
        while let Some(&b) = self.bytes.get(self.i) {
            self.i += 1;
            if b == end || (end == b'"' && b == b'\n') {
                return;
            }
            if end == b'"' && b == b'\\' {
                self.i += 1;
            }
        }
    }
}

impl Iterator for Marks<'_> {
    type Item = Mark;

    fn next(&mut self) -> Option<Mark> {
        while let Some(&b) = self.bytes.get(self.i) {
            let at = self.i;
            self.i += 1;
            match b {
                b'"' | b'`' => self.skip_to(b),
                b'#' => {
                    let rest = self.bytes.get(at..).unwrap_or_default();
                    let mut end = at + rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len());
                    self.i = end;
                    if end > at + 1 && self.bytes.get(end - 1) == Some(&b'\r') {
                        end -= 1;
                    }
                    return Some(Mark::Comment(Span::new(at, end)));
                }
                b'(' | b'[' | b'{' => return Some(Mark::Open(at)),
                b')' | b']' | b'}' => return Some(Mark::Close),
                b'|' | b',' | b':' | b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'<' | b'>'
                | b'=' | b'!' => return Some(Mark::Symbol(at, b)),
                _ => {}
            }
        }
        None
    }
}
