//! Remembered function results and rule values.
//!
//! Rego functions are pure: for the same arguments, input and data they return the same result,
//! and rules hand the same values to them again and again (a container to each of a dozen
//! checks, an image name to every rule that asks whether it is a sidecar's). Two tables remember
//! results:
//!
//! - [`Table`], per evaluation, for every function call. Composite arguments are compared by
//!   identity (the same reference-counted value), not by content: hashing a container on every
//!   call would cost more than the call. A table keeps its arguments alive, so an identity cannot
//!   be reused by another value while its entry exists.
//! - [`Lasting`], per compiled policy and thread, across evaluations, for the rules and
//!   functions that never read `input` (`compile::purity`), when every argument is a scalar:
//!   parsing the quantity `"250m"` or matching an image against the sidecar list then happens
//!   once per thread, not once per document. It is bounded, and only used while the policy's own
//!   data is in force. One table per thread, not one behind a lock: every lookup would write the
//!   lock's word, and two threads doing so make its cache line bounce between their cores.

use crate::compile::ir::RuleId;
use crate::value::Value;
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};
use std::sync::{Arc, LazyLock};

/// How many entries a lasting table holds at most; past that, results are not remembered.
const LASTING_CAPACITY: usize = 1 << 16;

/// A call's key: the function (or rule) and its arguments, hashed.
pub(crate) struct Key<'v> {
    id: RuleId,
    args: &'v [Value],
    hash: u64,
}

impl<'v> Key<'v> {
    pub fn new(id: RuleId, args: &'v [Value]) -> Key<'v> {
        let mut h = ARGUMENTS.build_hasher();
        id.hash(&mut h);
        for a in args {
            hash_shallow(a, &mut h);
        }
        Key {
            id,
            args,
            hash: h.finish(),
        }
    }

    /// The key of `stamp` (from [`Self::stamp`] on the same arguments) without hashing again.
    pub fn stamped(stamp: Stamp, args: &'v [Value]) -> Key<'v> {
        Key {
            id: stamp.id,
            args,
            hash: stamp.hash,
        }
    }

    /// The function and hash, for [`Table::insert_taking`] once the arguments are free.
    pub fn stamp(&self) -> Stamp {
        Stamp {
            id: self.id,
            hash: self.hash,
        }
    }

    /// Whether every argument is a scalar (null, boolean, number or string).
    pub fn scalar(&self) -> bool {
        self.args
            .iter()
            .all(|a| !matches!(a, Value::Array(_) | Value::Object(_) | Value::Set(_)))
    }
}

/// A [`Key`] without its arguments.
#[derive(Clone, Copy)]
pub(crate) struct Stamp {
    id: RuleId,
    hash: u64,
}

/// One remembered call: its arguments are `args[start..start + len]` of its table, and `next`
/// is the entry remembered before it under the same hash (`NONE` ends the chain).
struct Entry {
    id: RuleId,
    start: u32,
    len: u32,
    next: u32,
    result: Option<Value>,
}

const NONE: u32 = u32::MAX;

/// Results by key; `None` results (undefined) are remembered too. Entries and their arguments
/// live in two flat vectors (with a chain per hash), so that remembering a call allocates
/// nothing most of the time: an evaluation remembers hundreds of calls.
#[derive(Default)]
pub(crate) struct Table {
    heads: HashMap<u64, u32, BuildHasherDefault<FxHasher>>,
    entries: Vec<Entry>,
    args: Vec<Value>,
}

impl Table {
    /// How many calls are remembered.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Forgets every call, keeping the memory for the next evaluation.
    pub fn clear(&mut self) {
        self.heads.clear();
        self.entries.clear();
        self.args.clear();
    }

    pub fn get(&self, key: &Key<'_>) -> Option<&Option<Value>> {
        let mut at = *self.heads.get(&key.hash)?;
        while let Some(e) = self.entries.get(at as usize) {
            let args = self
                .args
                .get(e.start as usize..(e.start + e.len) as usize)
                .unwrap_or_default();
            if e.id == key.id
                && args.len() == key.args.len()
                && args.iter().zip(key.args).all(|(a, b)| same(a, b))
            {
                return Some(&e.result);
            }
            at = e.next;
        }
        None
    }

    pub fn insert(&mut self, key: &Key<'_>, result: Option<Value>) {
        self.push(key.stamp(), key.args.iter().cloned(), result);
    }

    /// [`Self::insert`], moving the arguments into the table (leaving nulls) instead of copying
    /// them: a copy of a string or composite is a reference-count update, and so is dropping
    /// the caller's afterwards.
    pub fn insert_taking(&mut self, stamp: Stamp, args: &mut [Value], result: Option<Value>) {
        let taken = args.iter_mut().map(|a| std::mem::replace(a, Value::Null));
        self.push(stamp, taken, result);
    }

    fn push(
        &mut self,
        stamp: Stamp,
        args: impl ExactSizeIterator<Item = Value>,
        result: Option<Value>,
    ) {
        // Past 4 billion entries or arguments (never, in practice), calls are not remembered.
        let (Ok(at), Ok(start), Ok(len)) = (
            u32::try_from(self.entries.len()),
            u32::try_from(self.args.len()),
            u32::try_from(args.len()),
        ) else {
            return;
        };
        if at == NONE || start.checked_add(len).is_none() {
            return;
        }
        self.args.extend(args);
        let next = self.heads.insert(stamp.hash, at).unwrap_or(NONE);
        self.entries.push(Entry {
            id: stamp.id,
            start,
            len,
            next,
            result,
        });
    }
}

/// A [`Table`] kept from one evaluation to the next by one thread.
#[derive(Default)]
pub(crate) struct Lasting {
    table: RefCell<Table>,
}

impl Lasting {
    pub fn get(&self, key: &Key<'_>) -> Option<Option<Value>> {
        self.table.try_borrow().ok()?.get(key).cloned()
    }

    pub fn insert(&self, key: &Key<'_>, result: Option<Value>) {
        if let Ok(mut table) = self.table.try_borrow_mut() {
            if table.len() < LASTING_CAPACITY && table.get(key).is_none() {
                table.insert(key, result);
            }
        }
    }
}

impl std::fmt::Debug for Lasting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let len = self.table.try_borrow().map(|t| t.len()).unwrap_or(0);
        write!(f, "Lasting {{ {len} entries }}")
    }
}

/// Scalars by content, composites by identity.
fn hash_shallow(v: &Value, h: &mut impl Hasher) {
    match v {
        Value::Array(a) => (1u8, Arc::as_ptr(a) as usize).hash(h),
        Value::Object(o) => (2u8, Arc::as_ptr(o) as usize).hash(h),
        Value::Set(s) => (3u8, Arc::as_ptr(s) as usize).hash(h),
        scalar => scalar.hash(h),
    }
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => Arc::ptr_eq(x, y),
        (Value::Object(x), Value::Object(y)) => Arc::ptr_eq(x, y),
        (Value::Set(x), Value::Set(y)) => Arc::ptr_eq(x, y),
        _ => a == b,
    }
}

/// How arguments are hashed: with foldhash, seeded at random once per process (both tables
/// of a thread must hash a call alike, and a key's hash is reused from one to the other). The
/// arguments come from manifests: with a hash an author can invert, such as the Firefox hash
/// this replaced, a manifest can give thousands of image names one hash, and every lookup of
/// the cross-document table then compares with all of them.
static ARGUMENTS: LazyLock<foldhash::fast::RandomState> = LazyLock::new(Default::default);

/// The Firefox hash (as in rustc), for the table's index of hashes that are already seeded.
#[derive(Default)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            self.write_u64(u64::from_le_bytes(word));
        }
        for &b in chunks.remainder() {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_u8(&mut self, i: u8) {
        self.write_u64(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strings of 16 ASCII bytes that all have the same Firefox hash as the one argument of a
    /// call of function 1: the second word of each undoes the first (the hash's multiplier is
    /// odd, so it has an inverse), as a manifest could do with its image names.
    fn firefox_collisions(n: usize) -> Vec<String> {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut inverse = K;
        for _ in 0..6 {
            inverse = inverse.wrapping_mul(2u64.wrapping_sub(K.wrapping_mul(inverse)));
        }
        let target: u64 = 0x0123_4567_89ab_cdef;
        let mut rng = crate::test_rng::Rng::new(5);
        let printable = |w: u64| w.to_le_bytes().iter().all(|b| (0x20..0x7f).contains(b));
        let mut found = Vec::new();
        while found.len() < n {
            let first: [u8; 8] = std::array::from_fn(|_| b'a' + (rng.below(26) as u8));
            // The state a string argument's bytes start from in a key of function 1: the
            // function and the argument's variant are hashed first.
            let mut h = FxHasher::default();
            1usize.hash(&mut h);
            std::mem::discriminant(&Value::string("")).hash(&mut h);
            h.write(&first);
            let second = target.wrapping_mul(inverse) ^ h.0.rotate_left(5);
            if printable(second) {
                let mut text = first.to_vec();
                text.extend(second.to_le_bytes());
                found.extend(String::from_utf8(text).ok());
            }
        }
        found
    }

    #[test]
    fn arguments_an_author_makes_collide_under_the_firefox_hash_hash_apart() {
        let texts = firefox_collisions(64);
        // A key of function 1 hashed as before.
        let fx = |t: &str| {
            let mut h = FxHasher::default();
            1usize.hash(&mut h);
            hash_shallow(&Value::string(t), &mut h);
            h.finish()
        };
        let fx_hashes: std::collections::HashSet<u64> = texts.iter().map(|t| fx(t)).collect();
        assert_eq!(
            fx_hashes.len(),
            1,
            "the strings collide under the Firefox hash"
        );
        let hashes: std::collections::HashSet<u64> = texts
            .iter()
            .map(|t| Key::new(1, &[Value::string(t)]).hash)
            .collect();
        assert_eq!(hashes.len(), texts.len());
    }

    #[test]
    fn composites_are_told_apart_by_identity_and_scalars_by_content() {
        let a = Value::array(vec![Value::int(1)]);
        let b = Value::array(vec![Value::int(1)]);
        let mut t = Table::default();
        t.insert(
            &Key::new(1, &[a.clone(), Value::string("x")]),
            Some(Value::int(7)),
        );
        assert_eq!(
            t.get(&Key::new(1, &[a.clone(), Value::string("x")])),
            Some(&Some(Value::int(7)))
        );
        assert_eq!(t.get(&Key::new(1, &[b, Value::string("x")])), None);
        assert_eq!(t.get(&Key::new(2, &[a.clone(), Value::string("x")])), None);
        assert_eq!(t.get(&Key::new(1, &[a, Value::string("y")])), None);
    }

    #[test]
    fn a_taken_call_is_remembered_with_the_arguments_it_had() {
        let a = Value::array(vec![Value::int(1)]);
        let mut args = [a.clone(), Value::string("x")];
        let stamp = Key::new(3, &args).stamp();
        let mut t = Table::default();
        t.insert_taking(stamp, &mut args, Some(Value::int(7)));
        // The caller's arguments are left null, and the table holds the arguments themselves:
        // the same array (by identity) and string find the call, other arguments do not.
        assert_eq!(args, [Value::Null, Value::Null]);
        assert_eq!(
            t.get(&Key::new(3, &[a.clone(), Value::string("x")])),
            Some(&Some(Value::int(7)))
        );
        assert_eq!(t.get(&Key::new(3, &[Value::Null, Value::Null])), None);
        let copy = Value::array(vec![Value::int(1)]);
        assert_eq!(t.get(&Key::new(3, &[copy, Value::string("x")])), None);
        // A stamped key is the key it was taken from.
        let args = [a, Value::string("x")];
        let key = Key::stamped(Key::new(3, &args).stamp(), &args);
        assert_eq!(t.get(&key), Some(&Some(Value::int(7))));
    }

    #[test]
    fn a_lasting_table_is_bounded() {
        let lasting = Lasting::default();
        for i in 0..LASTING_CAPACITY + 10 {
            lasting.insert(&Key::new(0, &[Value::int(i as i64)]), None);
        }
        assert_eq!(
            lasting.table.try_borrow().map(|t| t.len()).ok(),
            Some(LASTING_CAPACITY)
        );
        let last = [Value::int(LASTING_CAPACITY as i64 + 5)];
        assert_eq!(lasting.get(&Key::new(0, &last)), None);
        assert_eq!(lasting.get(&Key::new(0, &[Value::int(3)])), Some(None));
    }

    /// Remembered results never leak from one input, or one data document, to another.
    #[test]
    fn results_follow_the_input_and_the_data() {
        let text = r#"package p
            suffix := input.suffix
            tag(x) := concat("", [x, suffix])
            limit(x) := x * data.factor
            out := [tag("a"), limit(2)]
        "#;
        let mut engine = crate::Engine::new();
        engine.add_policy("p.rego", text).unwrap();
        let mut data = crate::value::Object::new();
        data.insert(Value::string("factor"), Value::int(10));
        engine.add_data(Value::object(data)).unwrap();
        let policy = engine.compile().unwrap();
        let out = policy
            .rules()
            .iter()
            .find(|r| r.path.last().map(|s| s.as_ref()) == Some("out"))
            .unwrap()
            .id;
        let eval = |suffix: &str| {
            let mut input = crate::value::Object::new();
            input.insert(Value::string("suffix"), Value::string(suffix));
            let results =
                policy.eval_rules(&[(out, None)], &Value::object(input), &Default::default());
            results
                .into_iter()
                .next()
                .unwrap()
                .unwrap()
                .unwrap()
                .to_string()
        };
        assert_eq!(eval("1"), r#"["a1", 20]"#);
        assert_eq!(eval("2"), r#"["a2", 20]"#);
        // A query with other data, or with `with`, does not see the remembered 20.
        let q = policy.query("x := data.p.out").unwrap();
        let other: Value = Value::from_json_str(r#"{"factor": 3}"#).unwrap();
        let input = Value::from_json_str(r#"{"suffix": "3"}"#).unwrap();
        let r = policy
            .eval_with(&q, Some(&input), Some(&other), &Default::default())
            .unwrap();
        assert_eq!(r.solutions[0].bindings["x"].to_string(), r#"["a3", 6]"#);
        let q = policy
            .query("x := data.p.out with data.factor as 5")
            .unwrap();
        let r = policy.eval(&q, Some(&input)).unwrap();
        assert_eq!(r[0].bindings["x"].to_string(), r#"["a3", 10]"#);
        let q = policy.query("x := data.p.out").unwrap();
        let r = policy.eval(&q, Some(&input)).unwrap();
        assert_eq!(r[0].bindings["x"].to_string(), r#"["a3", 20]"#);
    }
}
