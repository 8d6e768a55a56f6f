//! gavel: policy-as-code for Kubernetes manifests.

pub mod builtins;
pub mod error;
pub mod number;
pub mod source;
pub(crate) mod syntax;
pub mod value;
