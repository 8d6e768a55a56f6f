//! Built-in functions: one registry table, one file per family.
//!
//! A built-in is a plain function from argument values to a value. It never panics: a wrong
//! argument type is an [`ErrorKind::EvalType`] error and any other failure an
//! [`ErrorKind::Builtin`] error, both with OPA's message. The evaluator turns these errors into
//! "undefined" unless strict mode is on, as OPA does. The infix operators (`+`, `==`, `|`, ...)
//! are evaluated through the same table under OPA's names (`plus`, `equal`, `or`, ...).
//!
//! A few built-ins produce no value without failing (OPA's `max([])`): they return
//! [`BuiltinError::undefined`], which the evaluator must treat as "undefined" even in strict mode
//! (check [`BuiltinError::is_undefined`] before reporting an error).

mod aggregates;
mod args;
mod arrays;
mod compiled;
mod encoding;
mod glob;
mod gojson;
mod numbers;
mod objects;
mod operators;
mod regex;
mod semver;
mod sprintf;
mod strings;
#[cfg(test)]
mod testutil;
mod text;
mod types;
mod units;

use crate::error::ErrorKind;
use crate::value::Value;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The signature every built-in implements.
pub type BuiltinFn = fn(&[Value]) -> Result<Value, BuiltinError>;

/// The same built-in over borrowed arguments, for the evaluator to call with values where they
/// are (in the input, a variable, the program's constants) instead of cloning each: a clone of a
/// string or composite value is an atomic count update, and so is dropping it again.
pub type RefFn = fn(&[&Value]) -> Result<Value, BuiltinError>;

/// A registered built-in.
#[derive(Debug)]
pub struct Builtin {
    /// Its full name, as called (`strings.any_prefix_match`).
    pub name: &'static str,
    /// How many arguments it takes.
    pub arity: usize,
    /// The implementation.
    pub func: BuiltinFn,
    /// The implementation over borrowed arguments, for the built-ins the evaluator calls most
    /// (comparisons, type tests, membership, `count`, `object.get`), written once for both.
    pub by_ref: Option<RefFn>,
}

/// Why a built-in produced no value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuiltinError {
    /// [`ErrorKind::EvalType`] for a wrong operand type, [`ErrorKind::Builtin`] otherwise.
    pub kind: ErrorKind,
    /// OPA's message, prefixed with the built-in's name (`count: operand 1 must be ...`).
    pub message: String,
}

impl BuiltinError {
    /// A type error: `"{name}: operand {pos} must be {expected} but got {type of got}"`.
    pub fn operand(name: &str, pos: usize, expected: &str, got: &Value) -> BuiltinError {
        BuiltinError {
            kind: ErrorKind::EvalType,
            message: format!(
                "{name}: operand {pos} must be {expected} but got {}",
                got.type_name()
            ),
        }
    }

    /// Any other failure: `"{name}: {message}"`.
    pub fn failed(name: &str, message: impl std::fmt::Display) -> BuiltinError {
        BuiltinError {
            kind: ErrorKind::Builtin,
            message: format!("{name}: {message}"),
        }
    }

    /// No value and no error (OPA's `max([])`): the call is undefined, in strict mode too.
    pub fn undefined() -> BuiltinError {
        BuiltinError {
            kind: ErrorKind::Builtin,
            message: String::new(),
        }
    }

    /// Whether this is [`BuiltinError::undefined`] rather than a real error.
    pub fn is_undefined(&self) -> bool {
        self.message.is_empty()
    }
}

/// Finds a built-in by its full name.
pub fn lookup(name: &str) -> Option<&'static Builtin> {
    static TABLE: OnceLock<HashMap<&'static str, Builtin>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            let mut table = HashMap::new();
            for family in FAMILIES {
                for b in family() {
                    table.insert(b.name, b);
                }
            }
            table
        })
        .get(name)
}

/// Each family's list of built-ins.
const FAMILIES: &[fn() -> Vec<Builtin>] = &[
    operators::builtins,
    aggregates::builtins,
    strings::builtins,
    regex::builtins,
    glob::builtins,
    units::builtins,
    types::builtins,
    objects::builtins,
    arrays::builtins,
    encoding::builtins,
    semver::builtins,
    numbers::builtins,
];
