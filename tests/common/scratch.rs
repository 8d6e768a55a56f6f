//! Scratch directories for tests that write files: under Cargo's target directory (removed with
//! it, never left in the system's temporary directory), one per test, emptied when it starts.
//! Included by path (`#[path = "common/scratch.rs"] mod scratch;`) by the tests that need it.

use std::path::{Path, PathBuf};

/// A fresh, empty directory for one test (`group/test` under the target's temporary directory).
pub fn scratch(group: &str, test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(group)
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
