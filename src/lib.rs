//! gavel: policy-as-code for Kubernetes manifests.

pub mod builtins;
pub(crate) mod compile;
mod engine;
pub mod error;
pub(crate) mod eval;
pub mod load;
pub mod number;
pub mod source;
pub(crate) mod syntax;
pub mod value;
pub mod yaml;

pub use engine::{render, Engine, EvalOptions, Evaluation, Policy, Query, Solution};
pub use error::{Diagnostic, Error, ErrorKind};
pub use value::Value;
