//! The bundled ruleset: the `.rego` files under `rules/`, compiled into the binary so that
//! `gavel scan` needs nothing beside it. Add a rule by adding its file here.

/// Every bundled module: its path under `rules/` (used in diagnostics) and its text.
pub const MODULES: &[(&str, &str)] = &[];

/// The default `data.gavel` document the bundled rules read (`kube_version` is set per scan).
pub fn default_data() -> crate::value::Value {
    crate::value::Value::empty_object()
}
