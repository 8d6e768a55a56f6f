//! Copies of compiled terms and bodies with their constants and variables mapped: a thread's
//! fork of a program copies every constant (`fork`), an inlined function's body moves its
//! variables into its caller's frame (`inline`).

use super::ir::*;
use crate::value::Value;

/// What a copy changes; everything else is copied as it is.
pub(crate) trait Mapper {
    /// A constant (of a term or of a `with` path).
    fn value(&self, v: &Value) -> Value {
        v.clone()
    }

    /// A variable read or bound by a term.
    fn var(&self, s: Slot) -> Term {
        Term::Var(s)
    }

    /// A slot named by `every` (its key, value and locals).
    fn slot(&self, s: Slot) -> Slot {
        s
    }
}

pub(crate) fn body(body: &[Literal], m: &impl Mapper) -> Body {
    body.iter().map(|l| literal(l, m)).collect()
}

pub(crate) fn terms(ts: &[Term], m: &impl Mapper) -> Vec<Term> {
    ts.iter().map(|t| term(t, m)).collect()
}

pub(crate) fn literal(lit: &Literal, m: &impl Mapper) -> Literal {
    let kind = match &lit.kind {
        LiteralKind::Expr(t) => LiteralKind::Expr(term(t, m)),
        LiteralKind::Unify(a, b) => LiteralKind::Unify(term(a, m), term(b, m)),
        LiteralKind::Not(b) => LiteralKind::Not(body(b, m)),
        LiteralKind::SomeIn {
            key,
            value,
            collection,
        } => LiteralKind::SomeIn {
            key: key.as_ref().map(|k| term(k, m)),
            value: term(value, m),
            collection: term(collection, m),
        },
        LiteralKind::Every {
            key,
            value,
            collection,
            body: b,
            locals,
        } => LiteralKind::Every {
            key: key.map(|k| m.slot(k)),
            value: m.slot(*value),
            collection: term(collection, m),
            body: body(b, m),
            locals: locals.iter().map(|s| m.slot(*s)).collect(),
        },
        LiteralKind::Inline { function, body: b } => LiteralKind::Inline {
            function: *function,
            body: body(b, m),
        },
        LiteralKind::True => LiteralKind::True,
    };
    Literal {
        kind,
        with: lit
            .with
            .iter()
            .map(|w| WithMod {
                root: w.root,
                path: w.path.iter().map(|v| m.value(v)).collect(),
                value: term(&w.value, m),
            })
            .collect(),
        span: lit.span,
    }
}

pub(crate) fn term(t: &Term, m: &impl Mapper) -> Term {
    let boxed = |t: &Term| Box::new(term(t, m));
    match t {
        Term::Value(v) => Term::Value(m.value(v)),
        Term::Var(s) => m.var(*s),
        Term::Input => Term::Input,
        Term::Rule(id) => Term::Rule(*id),
        Term::Data(path) => Term::Data(path.clone()),
        Term::Ref(head, path) => Term::Ref(boxed(head), terms(path, m)),
        Term::Call(callee, args, span) => Term::Call(callee.clone(), terms(args, m), *span),
        Term::Array(items) => Term::Array(terms(items, m)),
        Term::Set(items) => Term::Set(terms(items, m)),
        Term::Object(items) => Term::Object(
            items
                .iter()
                .map(|(k, v)| (term(k, m), term(v, m)))
                .collect(),
        ),
        Term::ArrayCompr(head, b) => Term::ArrayCompr(boxed(head), body(b, m)),
        Term::SetCompr(head, b) => Term::SetCompr(boxed(head), body(b, m)),
        Term::ObjectCompr(key, value, b) => Term::ObjectCompr(boxed(key), boxed(value), body(b, m)),
        Term::Member(key, value, coll) => {
            Term::Member(key.as_deref().map(boxed), boxed(value), boxed(coll))
        }
    }
}
