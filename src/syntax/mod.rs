//! Parsing Rego text into the syntax tree.

pub mod ast;

use crate::error::Diagnostic;
use crate::source::Source;
use std::sync::Arc;

/// Parses a module (placeholder until the grammar lands).
pub fn parse_module(_source: &Arc<Source>) -> Result<ast::Module, Vec<Diagnostic>> {
    Err(vec![])
}

/// Parses a query (placeholder until the grammar lands).
pub fn parse_query(_source: &Arc<Source>) -> Result<ast::Body, Vec<Diagnostic>> {
    Err(vec![])
}
