//! The one door to the YAML library (`serde_norway`, the maintained fork of `serde_yaml`), so
//! that it can be swapped without touching the rest of the crate.

use crate::number::Number;
use crate::value::{Object, Value};
use serde::de::{self, Deserialize, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess};
use std::collections::btree_map::Entry;
use std::fmt;

pub use serde_norway::Error;

/// Parses one YAML (or JSON) document into a value.
///
/// # Errors
/// The parser's error, with line and column.
pub fn parse(text: &str) -> Result<Value, Error> {
    serde_norway::from_str::<Yaml>(text).map(|y| y.0)
}

/// Parses every document of a multi-document YAML stream, stopping at the first error (the
/// library's document iterator would return that error forever). A leading byte-order mark is
/// ignored.
pub fn parse_all(text: &str) -> Vec<Result<Value, Error>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = vec![];
    for doc in serde_norway::Deserializer::from_str(text) {
        let parsed = Yaml::deserialize(doc).map(|y| y.0);
        let failed = parsed.is_err();
        out.push(parsed);
        if failed {
            break;
        }
    }
    out
}

/// Serialises a value as YAML.
///
/// # Errors
/// The serialiser's error.
pub fn to_string(v: &Value) -> Result<String, Error> {
    serde_norway::to_string(v)
}

/// Converts the YAML library's value into ours, the way [`parse`] reads text: tags are dropped,
/// keys keep their type.
pub fn from_yaml(y: serde_norway::Value) -> Value {
    // (recursion depth is bounded by the parser's own nesting limit of 128)
    match y {
        serde_norway::Value::Null => Value::Null,
        serde_norway::Value::Bool(b) => Value::Bool(b),
        serde_norway::Value::Number(n) => {
            let num = if let Some(i) = n.as_i64() {
                Some(Number::Int(i))
            } else if let Some(u) = n.as_u64() {
                Number::parse(&u.to_string())
            } else {
                n.as_f64().and_then(Number::from_f64)
            };
            num.map_or(Value::Null, Value::Number)
        }
        serde_norway::Value::String(s) => Value::from(s),
        serde_norway::Value::Sequence(items) => {
            Value::array(items.into_iter().map(from_yaml).collect())
        }
        serde_norway::Value::Mapping(map) => Value::object(
            map.into_iter()
                .map(|(k, v)| (from_yaml(k), from_yaml(v)))
                .collect::<Object>(),
        ),
        serde_norway::Value::Tagged(t) => from_yaml(t.value),
    }
}

/// A YAML document read straight into a [`Value`], without the library's own value tree in
/// between (building and dropping that tree was a quarter of loading). It reads what
/// `serde_norway::Value` reads and converts it the same way: tags are dropped, keys keep their
/// type, numbers are exact integers or floats (infinities and NaN, which Rego has no numbers
/// for, become null), and a mapping with a key twice is refused.
struct Yaml(Value);

impl<'de> Deserialize<'de> for Yaml {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // (recursion depth is bounded by the parser's own nesting limit of 128)
        deserializer.deserialize_any(YamlVisitor).map(Yaml)
    }
}

struct YamlVisitor;

impl<'de> de::Visitor<'de> for YamlVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        Yaml::deserialize(deserializer).map(|y| y.0)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::int(i))
    }

    fn visit_u64<E>(self, u: u64) -> Result<Value, E> {
        Ok(match i64::try_from(u) {
            Ok(i) => Value::int(i),
            Err(_) => exact(&u.to_string()),
        })
    }

    fn visit_i128<E>(self, i: i128) -> Result<Value, E> {
        Ok(exact(&i.to_string()))
    }

    fn visit_u128<E>(self, u: u128) -> Result<Value, E> {
        Ok(exact(&u.to_string()))
    }

    fn visit_f64<E>(self, f: f64) -> Result<Value, E> {
        Ok(Number::from_f64(f).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::from(s))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::from(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(Yaml(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Object::new();
        while let Some(Yaml(key)) = map.next_key()? {
            let Yaml(value) = map.next_value()?;
            // One search of the map for both the duplicate check and the insertion.
            match object.entry(key) {
                Entry::Vacant(slot) => {
                    slot.insert(value);
                }
                Entry::Occupied(entry) => {
                    // The wording `load::parse` recognises, whatever the key's type.
                    let key = entry.key();
                    let key = key.as_str().map_or_else(|| key.to_string(), str::to_string);
                    return Err(de::Error::custom(format!("duplicate key `{key}`")));
                }
            }
        }
        Ok(Value::object(object))
    }

    /// A tagged value (`!Ref name`): the tag is dropped.
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        let (_tag, contents) = data.variant::<String>()?;
        contents.newtype_variant::<Yaml>().map(|y| y.0)
    }
}

/// An integer too large for `i64`, kept exact.
fn exact(text: &str) -> Value {
    Number::parse(text).map_or(Value::Null, Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_all_stops_at_the_first_error() {
        let docs = parse_all("\u{feff}a: 1\n---\nb: [\n---\nc: 3\n");
        assert_eq!(docs.len(), 2);
        assert!(docs[0].is_ok());
        assert!(docs[1].is_err());
    }

    fn json(text: &str) -> Value {
        Value::from_json_str(text).unwrap_or(Value::Null)
    }

    #[test]
    fn values_read_as_the_library_reads_them() {
        let text = "s: text\nq: '1'\ni: -3\nu: 18446744073709551615\nbig: 123456789012345678901234567890\n\
                    f: 0.5\ninf: .inf\nn: ~\nempty:\nb: yes\nt: true\nl: [1, {a: b}]\n\
                    1: int key\ntagged: !Ref name\ntagged_map: !Custom {x: 1}\n";
        let v = parse(text).unwrap_or(Value::Null);
        let expected = json(
            r#"{"s": "text", "q": "1", "i": -3, "u": 18446744073709551615,
                "big": 123456789012345678901234567890, "f": 0.5, "inf": null, "n": null,
                "empty": null, "b": "yes", "t": true, "l": [1, {"a": "b"}],
                "tagged": "name", "tagged_map": {"x": 1}}"#,
        );
        let Value::Object(mut expected) = expected else {
            panic!("not an object")
        };
        std::sync::Arc::make_mut(&mut expected).insert(Value::int(1), Value::from("int key"));
        assert_eq!(v, Value::Object(expected));
    }

    #[test]
    fn reads_as_the_library_value_converted() {
        let text =
            "kind: Pod\nspec:\n  containers:\n  - {name: app, ports: [{containerPort: 8080}]}\n\
                    n: [0x1f, 0o17, 1e3, -.5, .nan, 9223372036854775808, '007', 007, null, Null]\n\
                    ? [a, b]\n: seq key\ntrue: bool key\n2.5: float key\nx: !!str 12\n";
        let library = serde_norway::from_str::<serde_norway::Value>(text).map(from_yaml);
        let ours = parse(text).ok();
        assert!(
            matches!(&ours, Some(Value::Object(o)) if o.len() == 7),
            "{ours:?}"
        );
        assert_eq!(ours, library.ok());
    }

    #[test]
    fn a_key_twice_is_refused_whatever_its_type() {
        for (text, key) in [("a: 1\nb: 2\na: 3\n", "a"), ("1: x\n1: y\n", "1")] {
            let err = parse(text).map(|_| ()).unwrap_err().to_string();
            assert!(err.contains(&format!("duplicate key `{key}`")), "{err}");
        }
    }

    #[test]
    fn aliases_expand_to_the_anchored_value() {
        let v = parse("a: &x {k: [1, 2]}\nb: *x\n").unwrap_or(Value::Null);
        assert_eq!(v, json(r#"{"a": {"k": [1, 2]}, "b": {"k": [1, 2]}}"#));
    }
}
