//! Parsing Rego text into the syntax tree.

pub mod ast;
