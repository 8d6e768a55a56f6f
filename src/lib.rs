//! gavel: policy-as-code for Kubernetes manifests.

pub mod builtins;
pub mod catalog;
pub(crate) mod compile;
mod engine;
pub mod error;
pub(crate) mod eval;
pub mod load;
pub mod metadata;
pub mod number;
pub mod report;
pub mod scan;
pub mod source;
pub(crate) mod syntax;
pub mod value;
pub mod yaml;

pub use engine::{
    render, Engine, EvalOptions, Evaluation, Policy, Query, RuleInfo, RuleRef, Solution,
};
pub use error::{Diagnostic, Error, ErrorKind};
pub use value::Value;
