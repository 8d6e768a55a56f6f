//! Syntax errors in words: pest's expected rules become a sentence about the text.
//!
//! pest reports the furthest position it reached and the rules it tried there. [`word`] is the
//! one table that names those rules for people; a few frequent mistakes (an unterminated string,
//! a missing `package`, a keyword used as a name, nothing after an operator) get their own
//! sentence, recognised from the text around the position.

use super::lower::is_keyword;
use super::parser::Rule as R;
use super::scan::{marks, Mark};
use crate::error::{Diagnostic, ErrorKind};
use crate::source::{Source, Span};
use pest::error::{Error, ErrorVariant, InputLocation};

/// What was being parsed, for "the end of the file" versus "the end of the query".
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Entry {
    /// A `.rego` module.
    Module,
    /// A query.
    Query,
}

/// How each rule pest may report is said in a sentence; `None` for rules never worth naming.
fn word(r: R, entry: Entry) -> Option<&'static str> {
    Some(match r {
        R::EOI if entry == Entry::Module => "the end of the file",
        R::EOI => "the end of the query",
        R::package_decl | R::kw_package => "`package`",
        R::import_decl | R::kw_import => "`import`",
        R::rule | R::default_rule | R::regular_rule | R::rule_name | R::kw_default => "a rule",
        R::path | R::var | R::ident | R::some_vars => "a name",
        R::kw_as => "`as`",
        R::params | R::args | R::paren => "`(`",
        R::head_key | R::index | R::array => "`[`",
        R::head_path | R::field => "`.`",
        R::contains_value | R::kw_contains => "`contains`",
        R::head_value | R::assign_op => "`:=` or `=`",
        R::rule_body | R::kw_if => "`if`",
        R::missing_if | R::braced_body | R::braces => "`{`",
        R::else_clause | R::kw_else => "`else`",
        R::semi => "`;`",
        R::with_modifier | R::kw_with => "`with`",
        R::literal
        | R::not_literal
        | R::expr_literal
        | R::some_decl
        | R::every_literal
        | R::kw_not
        | R::kw_some
        | R::kw_every
        | R::expr_kv
        | R::expr
        | R::rel_expr
        | R::operand
        | R::neg
        | R::term
        | R::number
        | R::string
        | R::raw_string
        | R::null_lit
        | R::true_lit
        | R::false_lit
        | R::object_item => "an expression",
        R::comma => "`,`",
        R::colon => "`:`",
        R::bin_op => "an operator",
        R::kw_in | R::some_in => "`in`",
        R::array_compr | R::set_compr | R::object_compr => "`|`",
        R::close_brace => "`}`",
        R::close_bracket => "`]`",
        R::close_paren => "`)`",
        _ => return None,
    })
}

/// Words for what could go on extending the thing just read. They are left out when something
/// that ends or separates it (`,`, `]`, `;`, the next rule...) was also possible: that is the
/// likelier fix, and the list stays short.
const CONTINUATIONS: [&str; 10] = [
    "an operator",
    "`in`",
    "`|`",
    "`with`",
    "`.`",
    "`[`",
    "`(`",
    "`if`",
    "`else`",
    "`:=` or `=`",
];

/// The operators spelled with two characters, which a token description must not split.
const TWO_CHAR_OPERATORS: [&str; 5] = [":=", "==", "!=", "<=", ">="];

/// The diagnostic for a pest error on `source`.
pub(super) fn syntax_error(source: &Source, error: &Error<R>, entry: Entry) -> Diagnostic {
    let text = source.text();
    let pos = match error.location {
        InputLocation::Pos(p) | InputLocation::Span((p, _)) => p,
    }
    .min(text.len());
    let (message, start, len) = match &error.variant {
        // pest's own limits: "call limit reached", "stack limit reached".
        ErrorVariant::CustomError { message } => (
            format!("the text is too deeply nested to parse ({message})"),
            0,
            1,
        ),
        ErrorVariant::ParsingError { positives, .. } => {
            let rest = text.get(pos..).unwrap_or("");
            let before = text.get(..pos).unwrap_or("");
            if let Some((start, end)) = compound_comprehension_head(before) {
                let head = &text[start..end];
                let message = format!(
                    "`{head}` cannot be the term of a comprehension (Rego reads `{head} | ...` as a set union): put a variable in its place and assign it in the body, as in `y := {head}`"
                );
                return Diagnostic::at(ErrorKind::Parse, message, source, Span::new(start, end));
            }
            match bad_string(rest) {
                Some(found) => found,
                None => {
                    let (message, len) = sentence(before, rest, positives, entry);
                    (message, 0, len)
                }
            }
        }
    };
    Diagnostic::at(
        ErrorKind::Parse,
        message,
        source,
        Span::new(pos + start, pos + start + len),
    )
}

/// The sentence for an error between `before` and `rest`, and how many bytes of `rest` it is
/// about.
fn sentence(before: &str, rest: &str, positives: &[R], entry: Entry) -> (String, usize) {
    let (found, len) = describe(rest);
    let mut expected: Vec<&str> = Vec::new();
    for w in positives.iter().filter_map(|r| word(*r, entry)) {
        if !expected.contains(&w) {
            expected.push(w);
        }
    }
    if expected.iter().any(|w| !CONTINUATIONS.contains(w)) {
        expected.retain(|w| !CONTINUATIONS.contains(w));
    }
    // Where `;` may come, another literal may too, but only after a `;` or a line break.
    if expected.contains(&"`;`") {
        expected.retain(|w| *w != "an expression");
    }
    // At the end of the text, what is missing is whatever closes what is still open.
    let closers = ["`}`", "`]`", "`)`"];
    if rest.is_empty() && expected.iter().any(|w| closers.contains(w)) {
        expected.retain(|w| closers.contains(w));
    }
    let expects = |w: &str| expected.contains(&w);

    if expects("`package`") {
        return (
            "expected `package` at the start of the module".to_string(),
            len,
        );
    }
    let word_at = leading_word(rest);
    if is_keyword(word_at) && expects("a rule") {
        let message = match word_at {
            "import" => "imports must come before the rules".to_string(),
            "package" => "a module has one `package`, at its start".to_string(),
            _ => format!("`{word_at}` is a keyword and cannot be used as a rule name"),
        };
        return (message, len);
    }
    if is_keyword(word_at) && (expects("a name") || expects("an expression")) {
        return (
            format!("`{word_at}` is a keyword and cannot be used as a variable name"),
            len,
        );
    }
    if expects("an expression")
        && rest.starts_with('0')
        && rest[1..].starts_with(|c: char| c.is_ascii_digit())
    {
        return ("a number cannot have a leading zero".to_string(), len);
    }
    for what in ["an expression", "a name"] {
        if expects(what) {
            if let Some(token) = previous_token(before) {
                return (
                    format!("expected {what} after `{token}`, found {found}"),
                    len,
                );
            }
        }
    }
    if expected.is_empty() {
        return (format!("unexpected {found}"), len);
    }
    (
        format!("unexpected {found}: expected {}", join(&expected)),
        len,
    )
}

/// The span of the comprehension term that `before` (the text up to a syntax error) ends in,
/// when that term is more than one operand. Rego takes only a single term before the `|` of a
/// comprehension: `[x * 2 | some x in xs]` parses, in OPA as here, as an array that holds
/// `x * 2 | some`, and fails further on, where the plain message would puzzle.
fn compound_comprehension_head(before: &str) -> Option<(usize, usize)> {
    /// An open `[`, `{` or `(`, and what its current item holds before any `|`.
    struct Open {
        bracket: u8,
        item_start: usize,
        compound: bool,
        pipe: Option<usize>,
    }
    let mut stack: Vec<Open> = Vec::new();
    for mark in marks(before) {
        match mark {
            Mark::Open(at) => stack.push(Open {
                bracket: before.as_bytes()[at],
                item_start: at + 1,
                compound: false,
                pipe: None,
            }),
            Mark::Close => {
                stack.pop();
            }
            Mark::Symbol(at, symbol) => {
                let Some(top) = stack.last_mut().filter(|top| top.pipe.is_none()) else {
                    continue;
                };
                match symbol {
                    b',' | b':' => {
                        top.item_start = at + 1;
                        top.compound = false;
                    }
                    b'|' => top.pipe = Some(at),
                    // An operator after something: a leading `-` is a sign, not an operator.
                    _ => top.compound |= !before[top.item_start..at].trim().is_empty(),
                }
            }
            Mark::Comment(_) => {}
        }
    }
    let top = stack.last()?;
    let pipe = top.pipe?;
    if !top.compound || top.bracket == b'(' {
        return None;
    }
    let item = &before[top.item_start..pipe];
    let start = top.item_start + (item.len() - item.trim_start().len());
    Some((start, top.item_start + item.trim_end().len()))
}

/// `a`, `a or b`, `a, b or c`.
fn join(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The identifier or number at the start of `rest` (empty if there is none).
fn leading_word(rest: &str) -> &str {
    let len = rest.find(|c: char| !is_word_char(c)).unwrap_or(rest.len());
    &rest[..len]
}

/// The token that starts `rest`, in words, and its length in bytes.
fn describe(rest: &str) -> (String, usize) {
    let Some(c) = rest.chars().next() else {
        return ("end of file".to_string(), 0);
    };
    match c {
        '\n' | '\r' => return ("line break".to_string(), 1),
        ' ' | '\t' => return ("space".to_string(), 1),
        '"' => {
            let len = rest[1..].find(['"', '\n']).map_or(rest.len(), |n| n + 2);
            let shown = rest.get(..len.min(24)).unwrap_or("\"");
            let ellipsis = if len > 24 { "…" } else { "" };
            return (format!("string `{shown}{ellipsis}`"), len);
        }
        _ => {}
    }
    let word = leading_word(rest);
    if !word.is_empty() {
        return (format!("`{word}`"), word.len());
    }
    for op in TWO_CHAR_OPERATORS {
        if rest.starts_with(op) {
            return (format!("`{op}`"), 2);
        }
    }
    (format!("`{c}`"), c.len_utf8())
}

/// The token just before `before`'s trailing whitespace, when it is one that must be followed
/// by an expression or a name: an operator, an opening bracket, `,`, `;`, `.` or a keyword.
fn previous_token(before: &str) -> Option<&str> {
    let trimmed = before.trim_end();
    for op in TWO_CHAR_OPERATORS {
        if trimmed.ends_with(op) {
            return Some(op);
        }
    }
    let last = trimmed.chars().last()?;
    if "=<>+-*/%|&,;.([{:".contains(last) {
        return trimmed.get(trimmed.len() - 1..);
    }
    let word_start = trimmed
        .rfind(|c: char| !is_word_char(c))
        .map_or(0, |i| i + 1);
    let word = &trimmed[word_start..];
    let after_keyword = [
        "in", "if", "not", "with", "as", "contains", "else", "some", "every",
    ];
    let names_follow = ["package", "import", "default"];
    (after_keyword.contains(&word) || names_follow.contains(&word)).then_some(word)
}

/// The message for a string or raw string that starts `rest` and never ends or holds a bad
/// escape, with the offset and length in `rest` of what it is about.
fn bad_string(rest: &str) -> Option<(String, usize, usize)> {
    if let Some(raw) = rest.strip_prefix('`') {
        return (!raw.contains('`')).then(|| ("unterminated raw string".to_string(), 0, 1));
    }
    if !rest.starts_with('"') {
        return None;
    }
    let mut chars = rest.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return None,
            '\n' => break,
            '\\' => match chars.next() {
                Some((_, '"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't')) => {}
                Some((_, 'u')) => {
                    let hex: String = chars.clone().take(4).map(|(_, c)| c).collect();
                    if hex.len() != 4 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                        let message = format!("invalid escape `\\u{hex}` in string");
                        return Some((message, i, 2 + hex.len()));
                    }
                }
                Some((_, other)) => {
                    let message = format!("invalid escape `\\{other}` in string");
                    return Some((message, i, 1 + other.len_utf8()));
                }
                None => break,
            },
            _ => {}
        }
    }
    let line = rest.find('\n').unwrap_or(rest.len());
    Some(("unterminated string".to_string(), 0, line.max(1)))
}
