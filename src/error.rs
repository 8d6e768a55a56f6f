//! Errors with their location, and the one place that renders them.
//!
//! A [`Diagnostic`] carries its location as data (file, line, column and the source line), so it
//! can be rendered rustc-style long after the source is gone, or turned into JSON or SARIF.

use crate::source::{Source, Span};
use std::fmt;
use std::sync::Arc;

/// What went wrong, in OPA's terms (the codes are OPA's error codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The text is not valid Rego (`rego_parse_error`).
    Parse,
    /// The module is valid Rego but cannot be compiled (`rego_compile_error`).
    Compile,
    /// A variable is not bound by a positive expression (`rego_unsafe_var_error`).
    UnsafeVar,
    /// A rule depends on itself (`rego_recursion_error`).
    Recursion,
    /// A call does not fit the function's type or arity (`rego_type_error`).
    Type,
    /// A complete rule or function produced two different values (`eval_conflict_error`).
    Conflict,
    /// An operand has the wrong type at run time (`eval_type_error`).
    EvalType,
    /// A built-in failed in strict mode (`eval_builtin_error`).
    Builtin,
    /// Evaluation went past a limit (depth or steps).
    Limit,
}

impl ErrorKind {
    /// OPA's code for this kind.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::Parse => "rego_parse_error",
            ErrorKind::Compile => "rego_compile_error",
            ErrorKind::UnsafeVar => "rego_unsafe_var_error",
            ErrorKind::Recursion => "rego_recursion_error",
            ErrorKind::Type => "rego_type_error",
            ErrorKind::Conflict => "eval_conflict_error",
            ErrorKind::EvalType => "eval_type_error",
            ErrorKind::Builtin => "eval_builtin_error",
            ErrorKind::Limit => "eval_limit_error",
        }
    }
}

/// Where a diagnostic points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The source's name (usually its path).
    pub file: Arc<str>,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The text of that line, for the code frame.
    pub line_text: String,
    /// How many characters to underline (at least 1).
    pub width: usize,
}

impl Location {
    /// The location of `span` in `source`.
    pub fn of(source: &Source, span: Span) -> Location {
        let (line, column) = source.line_col(span.start as usize);
        let line_text = source.line_text(line).to_string();
        let covered = source.slice(span).lines().next().unwrap_or("").chars().count();
        Location { file: source.shared_name(), line, column, line_text, width: covered.max(1) }
    }
}

/// One error, located.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// What kind of error.
    pub kind: ErrorKind,
    /// A sentence saying what is wrong.
    pub message: String,
    /// Where, when known.
    pub location: Option<Location>,
}

impl Diagnostic {
    /// A diagnostic at `span` of `source`.
    pub fn at(kind: ErrorKind, message: impl Into<String>, source: &Source, span: Span) -> Self {
        Diagnostic { kind, message: message.into(), location: Some(Location::of(source, span)) }
    }

    /// A diagnostic with no location.
    pub fn bare(kind: ErrorKind, message: impl Into<String>) -> Self {
        Diagnostic { kind, message: message.into(), location: None }
    }

    /// Renders rustc-style: the message, `--> file:line:col`, the line and a caret.
    pub fn render(&self) -> String {
        let mut out = format!("error[{}]: {}\n", self.kind.code(), self.message);
        if let Some(loc) = &self.location {
            let gutter = loc.line.to_string().len();
            let pad = " ".repeat(gutter);
            out.push_str(&format!("{pad}--> {}:{}:{}\n", loc.file, loc.line, loc.column));
            out.push_str(&format!("{pad} |\n"));
            out.push_str(&format!("{} | {}\n", loc.line, loc.line_text));
            let lead: String = loc
                .line_text
                .chars()
                .take(loc.column.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            out.push_str(&format!("{pad} | {lead}{}\n", "^".repeat(loc.width)));
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(loc) => write!(f, "{}:{}:{}: {}", loc.file, loc.line, loc.column, self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

/// The error type of every fallible public function.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Policy or query text that does not parse or compile; every problem found is listed.
    #[error("{}", first_line(.0))]
    Policy(Vec<Diagnostic>),
    /// Evaluation failed (a conflict, a type error, a strict built-in error or a limit).
    #[error("{0}")]
    Eval(Diagnostic),
    /// A data or input document that could not be read.
    #[error("{0}")]
    Data(String),
}

fn first_line(diags: &[Diagnostic]) -> String {
    match diags {
        [] => "invalid policy".to_string(),
        [one] => one.to_string(),
        [first, rest @ ..] => format!("{first} (and {} more errors)", rest.len()),
    }
}

impl Error {
    /// The diagnostics behind this error.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            Error::Policy(d) => d.clone(),
            Error::Eval(d) => vec![d.clone()],
            Error::Data(msg) => vec![Diagnostic::bare(ErrorKind::Compile, msg.clone())],
        }
    }

    /// Renders every diagnostic rustc-style.
    pub fn render(&self) -> String {
        self.diagnostics().iter().map(Diagnostic::render).collect::<Vec<_>>().join("\n")
    }
}
