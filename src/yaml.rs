//! The one door to the YAML library (`serde_norway`, the maintained fork of `serde_yaml`), so
//! that it can be swapped without touching the rest of the crate.

use crate::number::Number;
use crate::value::{Object, Value};
use serde::Deserialize;

pub use serde_norway::Error;

/// Parses one YAML (or JSON) document into a value.
///
/// # Errors
/// The parser's error, with line and column.
pub fn parse(text: &str) -> Result<Value, Error> {
    serde_norway::from_str::<serde_norway::Value>(text).map(from_yaml)
}

/// Parses every document of a multi-document YAML stream, stopping at the first error (the
/// library's document iterator would return that error forever). A leading byte-order mark is
/// ignored.
pub fn parse_all(text: &str) -> Vec<Result<Value, Error>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = vec![];
    for doc in serde_norway::Deserializer::from_str(text) {
        let parsed = serde_norway::Value::deserialize(doc).map(from_yaml);
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

/// Converts the YAML library's value into ours (tags are dropped, keys keep their type).
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
}
