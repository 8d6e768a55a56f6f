//! gavel: policy-as-code for Kubernetes manifests, in a strict subset of Rego v1.
//!
//! Compile policies once into a [`Policy`] (immutable, `Send + Sync`), then evaluate queries
//! against any number of inputs, from any number of threads:
//!
//! ```
//! let mut engine = gavel::Engine::new();
//! engine.add_policy("probes.rego", r#"
//!     package probes
//!
//!     deny contains msg if {
//!         some c in input.spec.containers
//!         not c.readinessProbe
//!         msg := sprintf("container %q has no readiness probe", [c.name])
//!     }
//! "#)?;
//! let policy = engine.compile()?;
//! let query = policy.query("data.probes.deny")?;
//! let pod = gavel::Value::from_json_str(r#"{"spec": {"containers": [{"name": "app"}]}}"#)?;
//! let solutions = policy.eval(&query, Some(&pod))?;
//! assert_eq!(solutions[0].expressions[0].1.to_string(), r#"{"container \"app\" has no readiness probe"}"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`scan::Scanner`] runs finding rules over manifests loaded by [`load`], and [`report`]
//! renders what it found.

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
#[cfg(test)]
mod test_rng;
pub mod value;
pub mod yaml;

pub use engine::{
    render, Engine, EvalOptions, Evaluation, Policy, Query, RuleInfo, RuleRef, Solution,
};
pub use error::{Diagnostic, Error, ErrorKind};
pub use value::Value;
