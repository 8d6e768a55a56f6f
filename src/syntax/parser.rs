//! The pest parser generated from `grammar/rego.pest`. Nothing outside `syntax` sees its pairs.

use pest_derive::Parser;

/// The generated parser; [`Rule`] names the grammar's rules.
#[derive(Parser)]
#[grammar = "../grammar/rego.pest"]
pub(super) struct RegoParser;
