//! Type tests and names: `is_string`, `is_number`, `is_boolean`, `is_array`, `is_set`,
//! `is_object`, `is_null` and `type_name`.

use super::args;
use super::{Builtin, BuiltinError};
use crate::value::Value;
use std::borrow::Borrow;

pub(super) fn builtins() -> Vec<Builtin> {
    vec![
        Builtin {
            name: "is_string",
            arity: 1,
            func: is_string,
            by_ref: Some(|a| is_string(a)),
        },
        Builtin {
            name: "is_number",
            arity: 1,
            func: is_number,
            by_ref: Some(|a| is_number(a)),
        },
        Builtin {
            name: "is_boolean",
            arity: 1,
            func: is_boolean,
            by_ref: Some(|a| is_boolean(a)),
        },
        Builtin {
            name: "is_array",
            arity: 1,
            func: is_array,
            by_ref: Some(|a| is_array(a)),
        },
        Builtin {
            name: "is_set",
            arity: 1,
            func: is_set,
            by_ref: Some(|a| is_set(a)),
        },
        Builtin {
            name: "is_object",
            arity: 1,
            func: is_object,
            by_ref: Some(|a| is_object(a)),
        },
        Builtin {
            name: "is_null",
            arity: 1,
            func: is_null,
            by_ref: Some(|a| is_null(a)),
        },
        Builtin {
            name: "type_name",
            arity: 1,
            func: type_name,
            by_ref: None,
        },
    ]
}

fn is<A: Borrow<Value>>(name: &str, a: &[A], t: &str) -> Result<Value, BuiltinError> {
    Ok(Value::Bool(args::arg(name, a, 0)?.type_name() == t))
}

fn is_string<A: Borrow<Value>>(a: &[A]) -> Result<Value, BuiltinError> {
    is("is_string", a, "string")
}

fn is_number<A: Borrow<Value>>(a: &[A]) -> Result<Value, BuiltinError> {
    is("is_number", a, "number")
}

fn is_boolean<A: Borrow<Value>>(a: &[A]) -> Result<Value, BuiltinError> {
    is("is_boolean", a, "boolean")
}

fn is_array<A: Borrow<Value>>(a: &[A]) -> Result<Value, BuiltinError> {
    is("is_array", a, "array")
}

fn is_set<A: Borrow<Value>>(a: &[A]) -> Result<Value, BuiltinError> {
    is("is_set", a, "set")
}

fn is_object<A: Borrow<Value>>(a: &[A]) -> Result<Value, BuiltinError> {
    is("is_object", a, "object")
}

fn is_null<A: Borrow<Value>>(a: &[A]) -> Result<Value, BuiltinError> {
    is("is_null", a, "null")
}

fn type_name(a: &[Value]) -> Result<Value, BuiltinError> {
    Ok(Value::string(args::arg("type_name", a, 0)?.type_name()))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{call, s, v};
    use crate::value::Value;

    #[test]
    fn type_tests() {
        let all = [
            "null",
            "true",
            "-42.0",
            r#""Hello""#,
            "[1, 2, 3]",
            "{1, 2, 3}",
            r#"{"foo": 1}"#,
        ];
        let fns = [
            "is_null",
            "is_boolean",
            "is_number",
            "is_string",
            "is_array",
            "is_set",
            "is_object",
        ];
        let names = [
            "null", "boolean", "number", "string", "array", "set", "object",
        ];
        for (i, f) in fns.iter().enumerate() {
            for (j, x) in all.iter().enumerate() {
                assert_eq!(call(f, &[v(x)]), Value::Bool(i == j), "{f}({x})");
            }
            assert_eq!(call("type_name", &[v(all[i])]), s(names[i]));
        }
        let f = crate::builtins::lookup("type_name").map(|b| b.func);
        assert_eq!(
            f.and_then(|f| f(&[]).err()).map(|e| e.message),
            Some("type_name: missing operand 1".to_string())
        );
    }
}
