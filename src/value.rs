//! Rego values: JSON plus sets, with a total order.
//!
//! Composite values are reference-counted so that copying a value (binding a variable, caching a
//! rule) never copies a document. The variant order is OPA's sort order (null < booleans < numbers
//! < strings < arrays < objects < sets), and `Ord` sorts sets and object keys the way OPA does,
//! which keeps every output deterministic.

use crate::number::Number;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

/// An object: keys are any values, sorted.
pub type Object = BTreeMap<Value, Value>;
/// A set of values, sorted.
pub type Set = BTreeSet<Value>;

/// A Rego value. `undefined` is not a value: it is the absence of one.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Value {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// An exact number.
    Number(Number),
    /// A UTF-8 string.
    String(Arc<str>),
    /// An ordered list.
    Array(Arc<Vec<Value>>),
    /// A map from values to values.
    Object(Arc<Object>),
    /// A set of values.
    Set(Arc<Set>),
}

/// What the derived order would be (variants in declaration order, then their contents), with
/// strings compared by their first byte before the rest: object lookups compare the wanted key
/// with several keys of a node, which mostly differ there, and `memcmp` is a call.
impl Ord for Value {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        // Strings (nearly every object key) on a path of their own, small enough to inline
        // into the map searches.
        if let (Value::String(a), Value::String(b)) = (self, other) {
            let (a, b) = (a.as_bytes(), b.as_bytes());
            return match (a.first(), b.first()) {
                (Some(x), Some(y)) if x != y => x.cmp(y),
                _ => a.cmp(b),
            };
        }
        self.cmp_other(other)
    }
}

impl Value {
    #[inline(never)]
    fn cmp_other(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Value::String(a), Value::String(b)) => a.cmp(b),
            (Value::Null, Value::Null) => Ordering::Equal,
            (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
            (Value::Number(a), Value::Number(b)) => a.cmp(b),
            (Value::Array(a), Value::Array(b)) => a.cmp(b),
            (Value::Object(a), Value::Object(b)) => a.cmp(b),
            (Value::Set(a), Value::Set(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for Value {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Value {
    /// The empty object.
    pub fn empty_object() -> Value {
        Value::Object(Arc::new(Object::new()))
    }

    /// The empty set.
    pub fn empty_set() -> Value {
        Value::Set(Arc::new(Set::new()))
    }

    /// A string value.
    pub fn string(s: &str) -> Value {
        Value::String(Arc::from(s))
    }

    /// An array value.
    pub fn array(items: Vec<Value>) -> Value {
        Value::Array(Arc::new(items))
    }

    /// A set value.
    pub fn set(items: Set) -> Value {
        Value::Set(Arc::new(items))
    }

    /// An object value.
    pub fn object(items: Object) -> Value {
        Value::Object(Arc::new(items))
    }

    /// An integer value.
    pub fn int(i: i64) -> Value {
        Value::Number(Number::Int(i))
    }

    /// The position of the value's type in the sort order.
    fn rank(&self) -> u8 {
        match self {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            Value::Array(_) => 4,
            Value::Object(_) => 5,
            Value::Set(_) => 6,
        }
    }

    /// OPA's `type_name`: null, boolean, number, string, array, object or set.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
            Value::Set(_) => "set",
        }
    }

    /// The string slice of a string value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number of a number value.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The elements of an array value.
    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The entries of an object value.
    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The members of a set value.
    pub fn as_set(&self) -> Option<&Set> {
        match self {
            Value::Set(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean of a boolean value.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// Looks up `key` as Rego's `value[key]` does: array index, object key or set member.
    pub fn index(&self, key: &Value) -> Option<&Value> {
        match (self, key) {
            (Value::Array(items), Value::Number(n)) => {
                let i = usize::try_from(n.as_i64()?).ok()?;
                items.get(i)
            }
            (Value::Object(map), _) => map.get(key),
            (Value::Set(set), _) => set.get(key),
            _ => None,
        }
    }

    /// Looks up a string field of an object.
    ///
    /// In a small object the keys are read in order up to the field, instead of searching the
    /// map for a key built from `field`: building it is an allocation and two reference-count
    /// updates, and the objects asked for fields by name (a document's top level, its
    /// metadata, a rule's result) have a handful of keys. A larger one is searched.
    pub fn get(&self, field: &str) -> Option<&Value> {
        /// Up to this many keys, reading them costs less than building the key.
        const READ_IN_ORDER: usize = 16;
        let Value::Object(map) = self else {
            return None;
        };
        if map.len() > READ_IN_ORDER {
            return map.get(&Value::string(field));
        }
        for (key, value) in map.iter() {
            match key {
                // Strings order as their bytes do, as `str` does.
                Value::String(k) => match k.as_ref().cmp(field) {
                    Ordering::Less => {}
                    Ordering::Equal => return Some(value),
                    Ordering::Greater => return None,
                },
                // Keys of the types that sort before strings.
                Value::Null | Value::Bool(_) | Value::Number(_) => {}
                _ => return None,
            }
        }
        None
    }

    /// Converts parsed JSON (with exact numbers) into a value. A number out of range
    /// (`1e999999`) becomes `null`; [`Value::from_json_str`] reports it instead.
    pub fn from_json(json: serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => {
                Number::parse(&n.to_string()).map_or(Value::Null, Value::Number)
            }
            serde_json::Value::String(s) => Value::String(Arc::from(s)),
            serde_json::Value::Array(a) => {
                Value::array(a.into_iter().map(Value::from_json).collect())
            }
            serde_json::Value::Object(o) => Value::object(
                o.into_iter()
                    .map(|(k, v)| (Value::String(Arc::from(k)), Value::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// Parses JSON text into a value, keeping numbers exact.
    ///
    /// # Errors
    /// The JSON parser's error, also for a duplicate key or a number out of range.
    pub fn from_json_str(text: &str) -> Result<Value, serde_json::Error> {
        serde_json::from_str::<crate::load::Json>(text).map(|j| j.0)
    }

    /// Renders the value as compact JSON (sets as sorted arrays, non-string keys as JSON text).
    pub fn to_json_string(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl Default for Value {
    /// The empty object (the default `data` document).
    fn default() -> Value {
        Value::empty_object()
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::string(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(Arc::from(s))
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Value {
        Value::Number(n)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::int(i)
    }
}

impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Value {
        Value::array(items)
    }
}

/// How an object key is written in JSON: strings as themselves, anything else as its JSON text.
pub fn key_string(key: &Value) -> String {
    match key {
        Value::String(s) => s.to_string(),
        other => other.to_json_string(),
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Number(n) => {
                // arbitrary_precision: a serde_json::Number keeps the exact text.
                let text = n.to_string();
                match text.parse::<serde_json::Number>() {
                    Ok(num) => num.serialize(serializer),
                    Err(_) => serializer.serialize_str(&text),
                }
            }
            Value::String(s) => serializer.serialize_str(s),
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items.iter() {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Set(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items.iter() {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Object(map) => {
                let mut m = serializer.serialize_map(Some(map.len()))?;
                for (k, v) in map.iter() {
                    m.serialize_entry(&key_string(k), v)?;
                }
                m.end()
            }
        }
    }
}

impl fmt::Display for Value {
    /// Rego's text form: strings quoted, sets as `{...}` (`set()` when empty).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => write!(f, "null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => write!(f, "{n}"),
            Value::String(s) => write!(f, "{}", serde_json::Value::String(s.to_string())),
            Value::Array(items) => {
                write!(f, "[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{item}")?;
                }
                write!(f, "]")
            }
            Value::Set(items) if items.is_empty() => write!(f, "set()"),
            Value::Set(items) => {
                write!(f, "{{")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{item}")?;
                }
                write!(f, "}}")
            }
            Value::Object(map) => {
                write!(f, "{{")?;
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                write!(f, "}}")
            }
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_finds_a_field_as_a_search_for_its_key_does() {
        let s = Value::string;
        let keys = [
            Value::Null,
            Value::Bool(true),
            Value::int(7),
            s(""),
            s("B"),
            s("a"),
            s("aa"),
            s("ab"),
            s("b"),
            s("é"),
            Value::array(vec![s("a")]),
            Value::empty_object(),
        ];
        let object = Value::object(
            keys.iter()
                .enumerate()
                .map(|(i, k)| (k.clone(), Value::int(i as i64)))
                .collect(),
        );
        let only_strings = Value::object([(s("m"), Value::Null)].into_iter().collect());
        // Searched rather than read: more keys than are read in order.
        let large = Value::object(
            (0..40)
                .map(|i| (s(&format!("k{i:02}")), Value::int(i)))
                .collect(),
        );
        assert_eq!(large.get("k07"), Some(&Value::int(7)));
        assert_eq!(large.get("k39"), Some(&Value::int(39)));
        assert_eq!(large.get("k40"), None);
        let fields = [
            "", "B", "a", "aa", "ab", "é", "A", "b", "a\0", "ä", "zz", "m",
        ];
        for field in fields {
            for v in [&object, &only_strings] {
                let Value::Object(map) = v else { continue };
                assert_eq!(v.get(field), map.get(&s(field)), "field {field:?}");
            }
        }
        assert_eq!(object.get("ab"), Some(&Value::int(7)));
        assert_eq!(Value::array(vec![]).get("a"), None);
    }

    #[test]
    fn order_follows_opa() {
        let mut values = [
            Value::empty_set(),
            Value::empty_object(),
            Value::array(vec![]),
            Value::string("a"),
            Value::int(1),
            Value::Bool(false),
            Value::Null,
        ];
        values.sort();
        let names: Vec<_> = values.iter().map(Value::type_name).collect();
        assert_eq!(
            names,
            ["null", "boolean", "number", "string", "array", "object", "set"]
        );
    }

    #[test]
    fn values_of_one_type_sort_by_content() {
        let s = Value::string;
        let mut strings = [s("b"), s("ab"), s(""), s("a"), s("é"), s("B"), s("aa")];
        strings.sort();
        let texts: Vec<_> = strings.iter().filter_map(Value::as_str).collect();
        // Byte order: uppercase before lowercase, prefixes first, UTF-8 after ASCII.
        assert_eq!(texts, ["", "B", "a", "aa", "ab", "b", "é"]);
        let mut mixed = [
            Value::array(vec![Value::int(1), Value::int(2)]),
            Value::array(vec![Value::int(1)]),
            Value::int(-3),
            Value::Bool(true),
            Value::Bool(false),
            s("x"),
            Value::int(2),
        ];
        mixed.sort();
        let shown: Vec<_> = mixed.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            ["false", "true", "-3", "2", "\"x\"", "[1]", "[1, 2]"]
        );
        assert_eq!(s("a").cmp(&s("a")), Ordering::Equal);
        assert_eq!(s("a").partial_cmp(&s("b")), Some(Ordering::Less));
    }

    #[test]
    fn json_round_trip_keeps_exact_numbers() {
        let v = Value::from_json_str(r#"{"a": 18446744073709551617, "b": [0.1, 1e2]}"#).unwrap();
        assert_eq!(
            v.to_json_string(),
            r#"{"a":18446744073709551617,"b":[0.1,100]}"#
        );
    }
}
