//! The bundled ruleset: the `.rego` files under `rules/`, compiled into the binary so that
//! `gavel scan` needs nothing beside it, with the `data.gavel` document they read
//! (`rules/gavel/data.json`, where OPA also finds it with `opa eval -d rules/`).
//!
//! Each rule's documentation is its OPA `# METADATA`: [`rules`] reads it back from the compiled
//! policy, [`render_doc`] turns it into the page under `docs/rules/`, and a test fails when the
//! pages drift from the metadata. Add a rule by adding its file to [`MODULES`].

use crate::engine::{Engine, Policy};
use crate::error::Error;
use crate::report::Severity;
use crate::value::Value;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Every bundled module: its path under `rules/` (used in diagnostics) and its text. The
/// libraries under `lib/` come first; `*_test.rego` files are not bundled (`gavel test rules/`
/// runs them).
pub const MODULES: &[(&str, &str)] = &[
    ("lib/k8s.rego", include_str!("../../rules/lib/k8s.rego")),
    (
        "lib/quantity.rego",
        include_str!("../../rules/lib/quantity.rego"),
    ),
    (
        "lib/resources.rego",
        include_str!("../../rules/lib/resources.rego"),
    ),
    (
        "containers/duplicate-container-name.rego",
        include_str!("../../rules/containers/duplicate-container-name.rego"),
    ),
    (
        "containers/host-port-conflict.rego",
        include_str!("../../rules/containers/host-port-conflict.rego"),
    ),
    (
        "mesh/istio-job-legacy-sidecar.rego",
        include_str!("../../rules/mesh/istio-job-legacy-sidecar.rego"),
    ),
    (
        "mesh/linkerd-native-wait-before-exit.rego",
        include_str!("../../rules/mesh/linkerd-native-wait-before-exit.rego"),
    ),
    (
        "probes/init-container-probe-forbidden.rego",
        include_str!("../../rules/probes/init-container-probe-forbidden.rego"),
    ),
    (
        "probes/liveness-equals-readiness.rego",
        include_str!("../../rules/probes/liveness-equals-readiness.rego"),
    ),
    (
        "probes/missing-readiness-probe.rego",
        include_str!("../../rules/probes/missing-readiness-probe.rego"),
    ),
    (
        "probes/probe-handler-count.rego",
        include_str!("../../rules/probes/probe-handler-count.rego"),
    ),
    (
        "probes/probe-port-unresolvable.rego",
        include_str!("../../rules/probes/probe-port-unresolvable.rego"),
    ),
    (
        "probes/probe-success-threshold.rego",
        include_str!("../../rules/probes/probe-success-threshold.rego"),
    ),
    (
        "probes/readiness-probe-grace-period.rego",
        include_str!("../../rules/probes/readiness-probe-grace-period.rego"),
    ),
    (
        "resources/invalid-quantity.rego",
        include_str!("../../rules/resources/invalid-quantity.rego"),
    ),
    (
        "resources/missing-memory-limit.rego",
        include_str!("../../rules/resources/missing-memory-limit.rego"),
    ),
    (
        "resources/missing-resource-requests.rego",
        include_str!("../../rules/resources/missing-resource-requests.rego"),
    ),
    (
        "resources/requests-exceed-limits.rego",
        include_str!("../../rules/resources/requests-exceed-limits.rego"),
    ),
    (
        "resources/sidecar-breaks-guaranteed-qos.rego",
        include_str!("../../rules/resources/sidecar-breaks-guaranteed-qos.rego"),
    ),
    (
        "restart-policy/container-restart-policy-unsupported.rego",
        include_str!("../../rules/restart-policy/container-restart-policy-unsupported.rego"),
    ),
    (
        "restart-policy/init-container-restart-policy-invalid.rego",
        include_str!("../../rules/restart-policy/init-container-restart-policy-invalid.rego"),
    ),
    (
        "restart-policy/job-restart-policy.rego",
        include_str!("../../rules/restart-policy/job-restart-policy.rego"),
    ),
    (
        "restart-policy/workload-restart-policy.rego",
        include_str!("../../rules/restart-policy/workload-restart-policy.rego"),
    ),
    (
        "sidecars/init-order-sidecar-dependency.rego",
        include_str!("../../rules/sidecars/init-order-sidecar-dependency.rego"),
    ),
    (
        "sidecars/job-legacy-sidecar.rego",
        include_str!("../../rules/sidecars/job-legacy-sidecar.rego"),
    ),
    (
        "sidecars/legacy-sidecar.rego",
        include_str!("../../rules/sidecars/legacy-sidecar.rego"),
    ),
    (
        "sidecars/native-sidecar-kube-version.rego",
        include_str!("../../rules/sidecars/native-sidecar-kube-version.rego"),
    ),
    (
        "sidecars/sidecar-grace-period.rego",
        include_str!("../../rules/sidecars/sidecar-grace-period.rego"),
    ),
    (
        "sidecars/sidecar-image-unpinned.rego",
        include_str!("../../rules/sidecars/sidecar-image-unpinned.rego"),
    ),
    (
        "sidecars/sidecar-no-probes.rego",
        include_str!("../../rules/sidecars/sidecar-no-probes.rego"),
    ),
    (
        "sidecars/sidecar-restart-policy-missing.rego",
        include_str!("../../rules/sidecars/sidecar-restart-policy-missing.rego"),
    ),
    (
        "sidecars/sidecar-startup-depends-on-app.rego",
        include_str!("../../rules/sidecars/sidecar-startup-depends-on-app.rego"),
    ),
    (
        "sidecars/sidecar-startup-not-gated.rego",
        include_str!("../../rules/sidecars/sidecar-startup-not-gated.rego"),
    ),
];

/// The default `data.gavel` document, as JSON: the known sidecar images and the default target
/// Kubernetes version.
pub const DATA: &str = include_str!("../../rules/gavel/data.json");

/// The default `data.gavel` document the bundled rules read (`kube_version` is set per scan).
pub fn default_data() -> Value {
    Value::from_json_str(DATA).unwrap_or_else(|_| Value::empty_object())
}

/// Compiles the bundled rules with the default data, targeting `kube_version` (such as `1.33`).
///
/// # Errors
/// [`Error::Policy`] when a bundled module does not compile (a test keeps that from shipping).
pub fn policy(kube_version: &str) -> Result<Policy, Error> {
    let mut engine = Engine::new();
    engine.add_policies(MODULES)?;
    let mut gavel = default_data();
    if let Value::Object(map) = &mut gavel {
        std::sync::Arc::make_mut(map)
            .insert(Value::from("kube_version"), Value::from(kube_version));
    }
    engine.add_data(Value::object(
        [(Value::from("gavel"), gavel)].into_iter().collect(),
    ))?;
    engine.compile()
}

/// One severity a rule reports with, and when (empty for a rule with a single severity).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Level {
    /// The severity.
    pub severity: Severity,
    /// When it applies (`custom.when`, such as "below Kubernetes 1.28"), for a rule that reports
    /// with several severities; empty otherwise.
    pub when: String,
}

/// A bundled rule as its metadata describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleDoc {
    /// Stable id (`custom.id`), equal to the file name.
    pub id: String,
    /// The module that defines it, relative to `rules/` (`sidecars/sidecar-no-probes.rego`).
    pub module: String,
    /// The folder it lives in (`sidecars`).
    pub category: String,
    /// One-line title.
    pub title: String,
    /// What it checks and why.
    pub description: String,
    /// How to fix a finding.
    pub remediation: String,
    /// Links to the Kubernetes documentation and sources it follows.
    pub references: Vec<String>,
    /// Its severities, most severe first; most rules have one.
    pub levels: Vec<Level>,
    /// The Rego rules that produce its findings (`data.gavel.rules.x.deny`).
    pub entry_points: Vec<String>,
}

impl RuleDoc {
    /// The severities as one word each, joined: `error` or `error/warning`.
    pub fn severity_label(&self) -> String {
        self.levels
            .iter()
            .map(|l| l.severity.as_str())
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// Whether a rule name produces findings (`deny`, `warn`, `violation`, or one of them followed
/// by `_` and more), as the scanner decides.
pub fn is_finding_rule(name: &str) -> bool {
    let base = name.split('_').next().unwrap_or(name);
    matches!(base, "deny" | "warn" | "violation")
}

/// Every bundled rule, sorted by id, read from the metadata of the compiled modules.
///
/// # Errors
/// [`Error::Policy`] when a bundled module does not compile.
pub fn rules() -> Result<Vec<RuleDoc>, Error> {
    let policy = policy("1.33")?;
    let packages: BTreeMap<String, &str> = MODULES
        .iter()
        .filter_map(|(path, text)| Some((package_of(text)?, *path)))
        .collect();
    let mut by_id: BTreeMap<String, RuleDoc> = BTreeMap::new();
    for r in policy.rules() {
        let Some(name) = r.path.last() else { continue };
        if r.is_function || !is_finding_rule(name) {
            continue;
        }
        let package = r.path[..r.path.len() - 1].join(".");
        let module = packages.get(&package).copied().unwrap_or_default();
        let entry_point = format!("data.{}", r.path.join("."));
        let Some(meta) = r.definitions.iter().flatten().next() else {
            // A finding rule without metadata still shows up, so that the registry test names it.
            let id = r.path.join(".");
            by_id.entry(id.clone()).or_insert_with(|| RuleDoc {
                id,
                module: module.to_string(),
                category: category_of(module),
                title: String::new(),
                description: String::new(),
                remediation: String::new(),
                references: vec![],
                levels: vec![],
                entry_points: vec![entry_point],
            });
            continue;
        };
        let id = meta.custom("id").unwrap_or_default().to_string();
        let text = |s: Option<&str>| s.unwrap_or_default().trim().to_string();
        let severity = meta.custom("severity").and_then(Severity::parse);
        let doc = by_id.entry(id.clone()).or_insert_with(|| RuleDoc {
            id,
            module: module.to_string(),
            category: category_of(module),
            title: text(meta.text("title")),
            description: text(meta.text("description")),
            remediation: text(meta.custom("remediation")),
            references: meta
                .value
                .get("custom")
                .and_then(|c| c.get("references"))
                .and_then(Value::as_array)
                .map(|refs| {
                    refs.iter()
                        .filter_map(|r| r.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            levels: vec![],
            entry_points: vec![],
        });
        doc.entry_points.push(entry_point);
        if let Some(severity) = severity {
            let when = text(meta.custom("when"));
            doc.levels.push(Level { severity, when });
        }
    }
    let mut docs: Vec<RuleDoc> = by_id.into_values().collect();
    for d in &mut docs {
        d.levels.sort_by_key(|l| std::cmp::Reverse(l.severity));
        d.levels.dedup();
    }
    Ok(docs)
}

/// The `package` line of a module.
fn package_of(text: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix("package "))
        .map(|p| p.trim().to_string())
}

fn category_of(module: &str) -> String {
    module.split('/').next().unwrap_or_default().to_string()
}

/// The Markdown page of a rule (`docs/rules/<id>.md`).
pub fn render_doc(rule: &RuleDoc) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "<!-- generated from rules/{}; edit the METADATA there and run `gavel rules --write-docs` -->", rule.module);
    let _ = writeln!(out, "# {}\n", rule.id);
    let _ = writeln!(out, "**{}**\n", rule.title);
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(out, "| id | `{}` |", rule.id);
    let _ = writeln!(out, "| severity | {} |", severities(rule));
    let _ = writeln!(out, "| category | {} |", rule.category);
    let _ = writeln!(
        out,
        "| source | [`rules/{0}`](../../rules/{0}) |",
        rule.module
    );
    let _ = writeln!(out, "\n## What it checks\n\n{}", rule.description);
    let _ = writeln!(out, "\n## How to fix it\n\n{}", rule.remediation);
    if !rule.references.is_empty() {
        let _ = writeln!(out, "\n## References\n");
        for r in &rule.references {
            let _ = writeln!(out, "- <{r}>");
        }
    }
    let _ = writeln!(
        out,
        "\n## Examples\n\nFailing and passing manifests: [`tests/fixtures/rules/{0}/`](../../tests/fixtures/rules/{0}/).",
        rule.id
    );
    out
}

fn severities(rule: &RuleDoc) -> String {
    rule.levels
        .iter()
        .map(|l| {
            if l.when.is_empty() {
                l.severity.as_str().to_string()
            } else {
                format!("{} ({})", l.severity.as_str(), l.when)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The index page, `docs/rules/README.md`: every rule with its severity and title.
pub fn render_index(rules: &[RuleDoc]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!-- generated from the METADATA of rules/**; run `gavel rules --write-docs` -->"
    );
    let _ = writeln!(out, "# Bundled rules\n");
    let _ = writeln!(
        out,
        "{} rules, compiled into `gavel`. `gavel rules` lists them, `gavel explain ID` prints one, and\n\
         `gavel scan --rule ID` / `--skip ID` selects them. The definitions they share (pod spec of a\n\
         workload, container roles, known sidecar images, quantities) live in `rules/lib/`.",
        rules.len()
    );
    let mut category = "";
    for r in rules_by_category(rules) {
        if r.category != category {
            category = &r.category;
            let _ = writeln!(
                out,
                "\n## {category}\n\n| id | severity | title |\n|---|---|---|"
            );
        }
        let _ = writeln!(
            out,
            "| [{0}]({0}.md) | {1} | {2} |",
            r.id,
            r.severity_label(),
            r.title
        );
    }
    out
}

fn rules_by_category(rules: &[RuleDoc]) -> Vec<&RuleDoc> {
    let mut sorted: Vec<&RuleDoc> = rules.iter().collect();
    sorted.sort_by(|a, b| (&a.category, &a.id).cmp(&(&b.category, &b.id)));
    sorted
}

/// Every generated documentation file: (path relative to `docs/rules/`, text).
///
/// # Errors
/// As [`rules`].
pub fn docs() -> Result<Vec<(String, String)>, Error> {
    let rules = rules()?;
    let mut out = vec![("README.md".to_string(), render_index(&rules))];
    out.extend(
        rules
            .iter()
            .map(|r| (format!("{}.md", r.id), render_doc(r))),
    );
    Ok(out)
}
