//! Compiled regular expressions (of `regex.*` and of `glob.match`), kept per thread.
//!
//! Per thread, not behind one lock: every call looks its pattern up, and a lock shared by the
//! scan's threads makes its cache line bounce between their cores. A thread also owns its
//! expressions: a `Regex` used by one thread always takes its fast, lock-free match cache.

use regex::Regex;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// How many compiled expressions a thread keeps per cache (as OPA keeps 100).
pub(super) const CACHE_SIZE: usize = 100;

/// Expressions by key (the pattern, with whatever else went into compiling it).
#[derive(Default)]
pub(super) struct Compiled(RefCell<HashMap<String, Rc<Regex>>>);

impl Compiled {
    /// The expression for `key`, compiled by `build` the first time. The cache hands out shared
    /// references: a cloned `Regex` starts with an empty pool of match caches, which every call
    /// would then fill.
    pub fn get_or(
        &self,
        key: &str,
        build: impl FnOnce() -> Result<Regex, String>,
    ) -> Result<Rc<Regex>, String> {
        if let Some(re) = self.0.borrow().get(key) {
            return Ok(re.clone());
        }
        let re = Rc::new(build()?);
        let mut map = self.0.borrow_mut();
        if map.len() >= CACHE_SIZE {
            if let Some(k) = map.keys().next().cloned() {
                map.remove(&k);
            }
        }
        map.insert(key.to_string(), re.clone());
        Ok(re)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.0.borrow().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_are_compiled_once_and_the_cache_is_bounded() {
        let cache = Compiled::default();
        let builds = std::cell::Cell::new(0);
        let fetch = || {
            cache.get_or("^a+$", || {
                builds.set(builds.get() + 1);
                Regex::new("^a+$").map_err(|e| e.to_string())
            })
        };
        let (first, second) = (fetch().unwrap(), fetch().unwrap());
        assert!(first.is_match("aaa") && Rc::ptr_eq(&first, &second));
        assert_eq!(builds.get(), 1);
        for i in 0..CACHE_SIZE + 5 {
            let p = format!("^a{i}$");
            let re = cache
                .get_or(&p, || Regex::new(&p).map_err(|e| e.to_string()))
                .unwrap();
            assert!(re.is_match(&format!("a{i}")));
        }
        assert_eq!(cache.len(), CACHE_SIZE);
        let err = cache.get_or("(", || Err("bad".to_string())).unwrap_err();
        assert_eq!(err, "bad");
        assert_eq!(cache.len(), CACHE_SIZE);
    }
}
