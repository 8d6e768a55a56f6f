//! Sharing the text that findings repeat.
//!
//! A scan keeps every finding until the end (reports are sorted), and across a large input most
//! findings say one of a few messages about one of a few lines (`- name: app`, `resources:`) at
//! one of a few paths. Each worker of a scan keeps an [`Interner`] so that equal texts and paths
//! are stored once per worker and shared by reference.
//!
//! The sets hash with foldhash, not std's SipHash: the texts come from manifests, so the hash is
//! still seeded at random per process, but SipHash was a percent of a whole scan.

use crate::report::PathStep;
use foldhash::fast::RandomState;
use std::collections::HashSet;
use std::hash::Hash;
use std::sync::Arc;

/// Shared copies of messages, source lines and field paths. Dropped with the scan; the findings
/// keep what they use.
#[derive(Debug, Default)]
pub struct Interner {
    texts: HashSet<Arc<str>, RandomState>,
    paths: HashSet<Arc<[PathStep]>, RandomState>,
}

impl Interner {
    /// The shared copy of `text`.
    pub fn text(&mut self, text: &str) -> Arc<str> {
        share(&mut self.texts, text)
    }

    /// The shared copy of `path`.
    pub fn path(&mut self, path: &[PathStep]) -> Arc<[PathStep]> {
        share(&mut self.paths, path)
    }
}

fn share<T: Hash + Eq + ?Sized>(set: &mut HashSet<Arc<T>, RandomState>, value: &T) -> Arc<T>
where
    Arc<T>: for<'v> From<&'v T>,
{
    if let Some(shared) = set.get(value) {
        return shared.clone();
    }
    let shared = Arc::from(value);
    set.insert(shared.clone());
    shared
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_and_paths_share_one_copy() {
        let mut interner = Interner::default();
        let a = interner.text("container \"app\" has no memory limit");
        let b = interner.text(&String::from("container \"app\" has no memory limit"));
        let c = interner.text("container \"db\" has no memory limit");
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));

        let steps = |keys: &[&str]| -> Vec<PathStep> {
            keys.iter().map(|k| PathStep::Key(Arc::from(*k))).collect()
        };
        let p = interner.path(&steps(&["spec", "containers"]));
        let q = interner.path(&steps(&["spec", "containers"]));
        let r = interner.path(&steps(&["spec", "initContainers"]));
        assert!(Arc::ptr_eq(&p, &q));
        assert!(!Arc::ptr_eq(&p, &r));
        assert_eq!(&*p, steps(&["spec", "containers"]).as_slice());
    }
}
