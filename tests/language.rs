//! gavel's own language cases in `tests/cases/` (OPA's conformance format): every construct of
//! the subset, and the error cases.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

#[test]
fn language_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let failed = common::cases::run_dir(&dir, &BTreeMap::new(), "language cases");
    assert_eq!(failed, 0, "{failed} language cases failed");
}
