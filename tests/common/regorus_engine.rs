//! The bundled rules in the `regorus` crate, another Rego engine: shared by the differential
//! test (tests/rules.rs) and the performance harness (benches/perf.rs), which include this file
//! by path so that both give regorus exactly the same text.

use gavel::catalog;

/// regorus 0.11 looks functions up only by their full path or in the calling package, so a
/// call through an import (`import data.gavel.lib.k8s` ... `k8s.describe(x)`) is not found. An
/// import is only a name for a path, so spelling the path out (`data.gavel.lib.k8s.describe(x)`)
/// means the same in every engine; this does that to the text regorus gets. (Later regorus
/// versions resolve imported calls, but pull in the Verus verifier's macros, which add minutes
/// to every build; see Cargo.toml.)
pub fn expand_imported_calls(text: &str) -> String {
    let import = regex::Regex::new(r"(?m)^import (data(?:\.\w+)+)(?: as (\w+))?\s*$").unwrap();
    let mut out = text.to_string();
    for caps in import.captures_iter(text) {
        let path = &caps[1];
        let alias = caps
            .get(2)
            .map_or_else(|| path.rsplit('.').next().unwrap(), |m| m.as_str());
        let call = regex::Regex::new(&format!(r"(^|[^\w.]){alias}\.([A-Za-z_]\w*)\(")).unwrap();
        out = call
            .replace_all(&out, format!("${{1}}{path}.${{2}}(").as_str())
            .into_owned();
    }
    out
}

/// regorus with the bundled modules and the default data for a Kubernetes version.
pub fn bundled(kube_version: &str) -> regorus::Engine {
    let mut engine = regorus::Engine::new();
    for (name, text) in catalog::MODULES {
        engine
            .add_policy(name.to_string(), expand_imported_calls(text))
            .unwrap_or_else(|e| panic!("regorus rejects {name}: {e}"));
    }
    let policy = catalog::policy(kube_version).unwrap();
    let data = serde_json::json!({ "gavel": policy.data().get("gavel").unwrap() });
    engine
        .add_data(regorus::Value::from_json_str(&data.to_string()).unwrap())
        .unwrap();
    engine
}
