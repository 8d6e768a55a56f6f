//! Runs OPA's conformance cases from `../shared/rego-conformance` and prints `N passed, N failed`
//! per folder and in total. Cases listed in `tests/conformance-skip.txt` (one `note<TAB>reason`
//! per line) are skipped; every other case must pass. Where the shared folder is absent, the test
//! says so and passes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

fn load_skips(root: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(root.join("tests/conformance-skip.txt")).unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            l.split_once('\t')
                .map(|(n, r)| (n.to_string(), r.to_string()))
        })
        .collect()
}

#[test]
fn opa_conformance() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("../shared/rego-conformance/v1");
    if !dir.is_dir() {
        println!("skipped: {} is absent", dir.display());
        return;
    }
    let failed = common::cases::run_dir(&dir, &load_skips(root), "conformance");
    assert_eq!(failed, 0, "{failed} conformance cases failed");
}
