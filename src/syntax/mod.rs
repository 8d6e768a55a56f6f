//! Parsing Rego text into the syntax tree.
//!
//! Three steps: the pest grammar in `grammar/rego.pest` ([`parser`]), the lowering of its pairs
//! into [`ast`] ([`lower`]), and the wording of syntax errors ([`messages`]). Only the two entry
//! points below and the tree itself are seen from outside.

// The compiler, which reads the tree, is not wired in yet; until it is, the fields that only it
// reads would each be reported as dead code.
pub mod ast;
mod lower;
mod messages;
mod parser;
mod scan;
#[cfg(test)]
mod tests;

use crate::error::{Diagnostic, ErrorKind};
use crate::source::{Source, Span};
use messages::Entry;
use parser::{RegoParser, Rule};
use pest::Parser;
use scan::Mark;
use std::sync::Arc;

/// The deepest nesting of brackets, braces and parentheses accepted. Real policies stay far
/// below it; the limit keeps the recursive parser and lowering within a thread's stack. At this
/// depth (comprehensions in comprehensions, the costliest case) parsing needs under 256 KiB of
/// stack in a release build and under 768 KiB in a debug build; threads get 2 MiB by default.
const MAX_NESTING: usize = 32;

/// Parses a whole module: `package`, imports and rules.
///
/// # Errors
///
/// Every syntax error found, each located in `source`: the first place where the text stops
/// being Rego, or, when the text has the shape of Rego, every mistake the lowering checks
/// (a body without `if`, a dotted rule name, literals not parted by `;` or a line break,
/// ...).
pub fn parse_module(source: &Arc<Source>) -> Result<ast::Module, Vec<Diagnostic>> {
    check_nesting(source)?;
    let mut pairs = RegoParser::parse(Rule::module, source.text())
        .map_err(|e| vec![messages::syntax_error(source, &e, Entry::Module)])?;
    let mut lowerer = lower::Lowerer::new(source);
    let module = pairs.next().and_then(|pair| lowerer.module(pair, source));
    let errors = lowerer.into_errors();
    match module {
        Some(module) if errors.is_empty() => Ok(module),
        _ if errors.is_empty() => Err(vec![internal_error(source)]),
        _ => Err(errors),
    }
}

/// Parses a query: literals parted by `;` or line breaks, such as `data.test.p = x` or
/// `x := 1; y := x + 1`.
///
/// # Errors
///
/// The syntax errors found, each located in `source`, as for [`parse_module`].
pub fn parse_query(source: &Arc<Source>) -> Result<ast::Body, Vec<Diagnostic>> {
    check_nesting(source)?;
    let mut pairs = RegoParser::parse(Rule::query, source.text())
        .map_err(|e| vec![messages::syntax_error(source, &e, Entry::Query)])?;
    let mut lowerer = lower::Lowerer::new(source);
    let body = match pairs.next() {
        Some(pair) => lowerer.query(pair).map_err(|e| vec![*e]),
        None => Err(vec![internal_error(source)]),
    };
    let errors = lowerer.into_errors();
    match body {
        Ok(body) if errors.is_empty() => Ok(body),
        Ok(_) => Err(errors),
        Err(mut first) => {
            first.extend(errors);
            Err(first)
        }
    }
}

fn internal_error(source: &Source) -> Diagnostic {
    Diagnostic::at(
        ErrorKind::Parse,
        "internal parser error: the parse produced no syntax tree",
        source,
        Span::default(),
    )
}

/// Rejects text nested deeper than [`MAX_NESTING`], before the recursive parser sees it.
/// Unbalanced text is left for the parser to report.
fn check_nesting(source: &Source) -> Result<(), Vec<Diagnostic>> {
    let mut depth = 0usize;
    for mark in scan::marks(source.text()) {
        match mark {
            Mark::Open(at) => {
                depth += 1;
                if depth > MAX_NESTING {
                    let message = format!(
                        "brackets, braces and parentheses are nested more than {MAX_NESTING} deep"
                    );
                    let span = Span::new(at, at + 1);
                    return Err(vec![Diagnostic::at(
                        ErrorKind::Parse,
                        message,
                        source,
                        span,
                    )]);
                }
            }
            Mark::Close => depth = depth.saturating_sub(1),
            Mark::Comment(_) | Mark::Symbol(..) => {}
        }
    }
    Ok(())
}
