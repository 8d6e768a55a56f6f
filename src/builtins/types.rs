//! Type tests and names: `is_string`, `is_number`, `is_boolean`, `is_array`, `is_set`,
//! `is_object`, `is_null` and `type_name`.

use super::args;
use super::{Builtin, BuiltinError};
use crate::value::Value;

pub(super) fn builtins() -> Vec<Builtin> {
    vec![
        Builtin {
            name: "is_string",
            arity: 1,
            func: is_string,
        },
        Builtin {
            name: "is_number",
            arity: 1,
            func: is_number,
        },
        Builtin {
            name: "is_boolean",
            arity: 1,
            func: is_boolean,
        },
        Builtin {
            name: "is_array",
            arity: 1,
            func: is_array,
        },
        Builtin {
            name: "is_set",
            arity: 1,
            func: is_set,
        },
        Builtin {
            name: "is_object",
            arity: 1,
            func: is_object,
        },
        Builtin {
            name: "is_null",
            arity: 1,
            func: is_null,
        },
        Builtin {
            name: "type_name",
            arity: 1,
            func: type_name,
        },
    ]
}

fn is(name: &str, a: &[Value], t: &str) -> Result<Value, BuiltinError> {
    Ok(Value::Bool(args::arg(name, a, 0)?.type_name() == t))
}

fn is_string(a: &[Value]) -> Result<Value, BuiltinError> {
    is("is_string", a, "string")
}

fn is_number(a: &[Value]) -> Result<Value, BuiltinError> {
    is("is_number", a, "number")
}

fn is_boolean(a: &[Value]) -> Result<Value, BuiltinError> {
    is("is_boolean", a, "boolean")
}

fn is_array(a: &[Value]) -> Result<Value, BuiltinError> {
    is("is_array", a, "array")
}

fn is_set(a: &[Value]) -> Result<Value, BuiltinError> {
    is("is_set", a, "set")
}

fn is_object(a: &[Value]) -> Result<Value, BuiltinError> {
    is("is_object", a, "object")
}

fn is_null(a: &[Value]) -> Result<Value, BuiltinError> {
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
