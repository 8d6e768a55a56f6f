//! JSON manifests straight into values with `serde_json` (several times faster than reading JSON
//! as YAML), refusing duplicate keys as the YAML path does instead of silently keeping the last.

use crate::number::Number;
use crate::value::{Object, Value};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// With `arbitrary_precision` (on for the crate, to keep numbers exact) `serde_json` hands a
/// number to `visit_map` as a one-entry map under this key, holding the number's text. This is
/// `serde_json::number::TOKEN`, which is private; the unit test `numbers_stay_exact` fails if it
/// ever changes.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// A JSON value read into a [`Value`].
pub(crate) struct Json(pub Value);

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor).map(Json)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::int(i))
    }

    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Value, E> {
        number(&u.to_string())
    }

    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Value, E> {
        Number::from_f64(f)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number out of range"))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::from(s))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::from(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(Json(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Object::new();
        let mut first = true;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if first && key == NUMBER_TOKEN {
                let text: String = map.next_value()?;
                return number(&text);
            }
            first = false;
            let Json(value) = map.next_value()?;
            if object.insert(Value::from(&*key), value).is_some() {
                return Err(de::Error::custom(format!("duplicate key `{key}`")));
            }
        }
        Ok(Value::object(object))
    }
}

fn number<E: de::Error>(text: &str) -> Result<Value, E> {
    Number::parse(text)
        .map(Value::Number)
        .ok_or_else(|| E::custom(format!("invalid number {text}")))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Value, serde_json::Error> {
        serde_json::from_str::<Json>(text).map(|j| j.0)
    }

    #[test]
    fn numbers_stay_exact() {
        let v = parse(r#"{"big": 123456789012345678901234567890, "f": 0.1, "i": -3}"#).unwrap();
        assert_eq!(
            v.get("big").unwrap().to_string(),
            "123456789012345678901234567890"
        );
        assert_eq!(v.get("f").unwrap().to_string(), "0.1");
        assert_eq!(v.get("i"), Some(&Value::int(-3)));
        assert_eq!(
            v,
            Value::from_json_str(r#"{"big": 123456789012345678901234567890, "f": 0.1, "i": -3}"#)
                .unwrap()
        );
    }

    #[test]
    fn duplicates_are_refused() {
        let err = parse("{\"a\": 1,\n \"b\": {\"c\": 1, \"c\": 2}}").unwrap_err();
        assert!(err.to_string().contains("duplicate key `c`"), "{err}");
    }
}
