//! Calls of small functions replaced by the functions' bodies.
//!
//! A call of a user function costs about 1,500 instructions past its body (the arguments'
//! key and the memo table, a frame, the parameters, a collector for the one value), twice what
//! a body such as `object.get(obj, field, null) != null` costs. A function qualifies when its
//! call can only mean its body: one definition with no `else` and no default, parameters that
//! are all plain variables, a body with at most one solution (no `some .. in`, no reference
//! that iterates), no `print`, and only cheap built-ins (an expensive one, such as a regular
//! expression or `sprintf`, is better remembered by the memo table than run again).
//!
//! A qualifying call is replaced only where nothing but constants and variables is evaluated
//! before it in its literal (or in a rule's or comprehension's head, which runs after the
//! body): not after a reference, the input, a rule or another call, any of which may be
//! undefined or fail and so keep the call from running; not inside `print`, which holds with
//! undefined arguments; not in a pattern. There the arguments that are not constants or
//! variables are bound to fresh slots, in order, as the call would have evaluated them; the
//! body runs as one literal that counts toward the nesting limit as the call did and reports
//! errors against the function's file; and the literal goes on with the function's value in
//! place of the call (in a head, a constant value is bound to a slot: a rule whose value is a
//! constant stops at its body's first solution, and the call's did not). Literals with `with`
//! are left alone. The tests hold every answer, error and printed line to the program's
//! without inlining.

use super::ir::*;
use super::map;
use crate::value::Value;
use std::collections::BTreeSet;

/// How deep inlined bodies are inlined into in turn (there is no recursion to bound; this only
/// keeps a long chain of small functions from growing a body without limit).
const MAX_DEPTH: usize = 4;

/// Built-ins cheap enough that running one again costs less than remembering its call.
const CHEAP: &[&str] = &[
    "object.get",
    "array.concat",
    "array.slice",
    "count",
    "equal",
    "neq",
    "lt",
    "lte",
    "gt",
    "gte",
    "plus",
    "minus",
    "internal.member_2",
    "internal.member_3",
    "is_array",
    "is_boolean",
    "is_null",
    "is_number",
    "is_object",
    "is_set",
    "is_string",
    "type_name",
    "startswith",
    "endswith",
    "contains",
];

/// Replaces the qualifying calls in every rule and function of `program`.
pub(crate) fn inline_functions(program: &mut Program) {
    let qualifying: Vec<bool> = (0..program.rules.len())
        .map(|id| qualifies(program, id))
        .collect();

    if !qualifying.contains(&true) {
        return;
    }
    // The bodies spliced in are the functions' own, as compiled: each is rewritten in its
    // caller, to the depth limit.
    let originals: Vec<Option<RuleDef>> = (0..program.rules.len())
        .map(|id| {
            qualifying[id]
                .then(|| program.rules[id].defs.first().cloned())
                .flatten()
        })
        .collect();
    let inliner = Inliner {
        originals: &originals,
    };
    for rs in &mut program.rules {
        for def in &mut rs.defs {
            inliner.rewrite_def(def);
        }
    }
}

struct Inliner<'p> {
    /// The definition of each qualifying function.
    originals: &'p [Option<RuleDef>],
}

/// Where new slots come from while a definition is rewritten: past its frame. An inlined
/// body binds them as any body binds its slots (undone on the way back), so an `every` around
/// it needs no new locals.
struct Frame {
    next: usize,
}

impl Frame {
    fn take(&mut self, n: usize) -> usize {
        let base = self.next;
        self.next += n;
        base
    }
}

impl Inliner<'_> {
    fn rewrite_def(&self, def: &mut RuleDef) {
        let mut frame = Frame {
            next: def.frame_size,
        };
        self.rewrite_body(&mut def.body, &mut frame, 0);
        let mut heads: Vec<&mut Term> = def.key.iter_mut().collect();
        heads.push(&mut def.value);
        self.rewrite_heads(&mut heads, &mut def.body, &mut frame, 0);
        for (value, body) in &mut def.elses {
            self.rewrite_body(body, &mut frame, 0);
            self.rewrite_heads(&mut [value], body, &mut frame, 0);
        }
        def.frame_size = frame.next;
    }

    /// Rewrites head terms, evaluated in order after `body`: what they call runs at its end.
    fn rewrite_heads(
        &self,
        heads: &mut [&mut Term],
        body: &mut Body,
        frame: &mut Frame,
        depth: usize,
    ) {
        for head in heads.iter_mut() {
            self.rewrite_nested(head, frame, depth);
        }
        'heads: for head in heads.iter_mut() {
            loop {
                match first_site(head, self.originals) {
                    Site::Found(call) => {
                        let pre = self.splice(call, frame, depth);
                        self.splice_bindings(pre, body, frame, depth);
                        // A constant value stops a rule at its body's first solution; the
                        // call did not, and later solutions may fail with an error.
                        if let Term::Value(v) = &**head {
                            let slot = frame.take(1);
                            body.push(Literal {
                                kind: LiteralKind::Unify(Term::Var(slot), Term::Value(v.clone())),
                                with: vec![],
                                span: Default::default(),
                            });
                            **head = Term::Var(slot);
                        }
                    }
                    Site::Inert => continue 'heads,
                    Site::Blocked => break 'heads,
                }
            }
        }
    }

    fn rewrite_body(&self, body: &mut Body, frame: &mut Frame, depth: usize) {
        let mut out = Vec::with_capacity(body.len());
        for mut lit in std::mem::take(body) {
            if lit.with.is_empty() {
                self.rewrite_literal_nested(&mut lit, frame, depth);
            }
            self.splice_sites(lit, &mut out, frame, depth);
        }
        *body = out;
    }

    /// Splices the qualifying calls a literal evaluates first, pushing what they need onto
    /// `out`, then the literal itself, unless a splice left it a constant test that holds (the
    /// call of a function whose value is `true`: its body's success is the answer).
    fn splice_sites(&self, mut lit: Literal, out: &mut Body, frame: &mut Frame, depth: usize) {
        let mut spliced = false;
        while lit.with.is_empty() {
            let site = match &mut lit.kind {
                LiteralKind::Expr(t) => first_site(t, self.originals),
                // `x = t` evaluates `t` first, unless `t` is a pattern matched against a bound
                // `x` (which may fail before reaching a call inside it).
                LiteralKind::Unify(a, b) => match (&*a, &*b) {
                    (_, Term::Array(_) | Term::Object(_) | Term::Set(_))
                    | (Term::Array(_) | Term::Object(_) | Term::Set(_), _) => Site::Blocked,
                    (Term::Var(_), _) => first_site(b, self.originals),
                    (_, Term::Var(_)) => first_site(a, self.originals),
                    _ => Site::Blocked,
                },
                LiteralKind::SomeIn { collection, .. } | LiteralKind::Every { collection, .. } => {
                    first_site(collection, self.originals)
                }
                LiteralKind::Not(_) | LiteralKind::Inline { .. } | LiteralKind::True => Site::Inert,
            };
            let Site::Found(call) = site else { break };
            let pre = self.splice(call, frame, depth);
            self.splice_bindings(pre, out, frame, depth);
            spliced = true;
        }
        let holds =
            matches!(&lit.kind, LiteralKind::Expr(Term::Value(v)) if *v != Value::Bool(false));
        if !(spliced && holds) {
            out.push(lit);
        }
    }

    /// Pushes the literals a splice puts first onto `out`: the arguments' bindings, with the
    /// calls they evaluate first spliced in turn (`has(x[size(y)], "k")` binds `x[size(y)]`,
    /// where `size` may be inlined), and the body.
    fn splice_bindings(&self, pre: Body, out: &mut Body, frame: &mut Frame, depth: usize) {
        for lit in pre {
            if depth + 1 < MAX_DEPTH {
                self.splice_sites(lit, out, frame, depth + 1);
            } else {
                out.push(lit);
            }
        }
    }

    /// Rewrites the bodies nested in a literal: negations, `every` and comprehensions.
    fn rewrite_literal_nested(&self, lit: &mut Literal, frame: &mut Frame, depth: usize) {
        match &mut lit.kind {
            LiteralKind::Expr(t) => self.rewrite_nested(t, frame, depth),
            LiteralKind::Unify(a, b) => {
                self.rewrite_nested(a, frame, depth);
                self.rewrite_nested(b, frame, depth);
            }
            LiteralKind::Not(body) => self.rewrite_body(body, frame, depth),
            LiteralKind::SomeIn { collection, .. } => self.rewrite_nested(collection, frame, depth),
            LiteralKind::Every {
                collection, body, ..
            } => {
                self.rewrite_nested(collection, frame, depth);
                self.rewrite_body(body, frame, depth);
            }
            LiteralKind::Inline { .. } | LiteralKind::True => {}
        }
    }

    /// Rewrites the comprehensions inside a term.
    fn rewrite_nested(&self, t: &mut Term, frame: &mut Frame, depth: usize) {
        match t {
            Term::ArrayCompr(head, body) | Term::SetCompr(head, body) => {
                self.rewrite_body(body, frame, depth);
                self.rewrite_heads(&mut [&mut **head], body, frame, depth);
            }
            Term::ObjectCompr(key, value, body) => {
                self.rewrite_body(body, frame, depth);
                self.rewrite_heads(&mut [&mut **key, &mut **value], body, frame, depth);
            }
            Term::Ref(head, path) => {
                self.rewrite_nested(head, frame, depth);
                path.iter_mut()
                    .for_each(|p| self.rewrite_nested(p, frame, depth));
            }
            Term::Call(_, args, _) | Term::Array(args) | Term::Set(args) => {
                args.iter_mut()
                    .for_each(|a| self.rewrite_nested(a, frame, depth));
            }
            Term::Object(pairs) => pairs.iter_mut().for_each(|(k, v)| {
                self.rewrite_nested(k, frame, depth);
                self.rewrite_nested(v, frame, depth);
            }),
            Term::Member(k, v, c) => {
                if let Some(k) = k {
                    self.rewrite_nested(k, frame, depth);
                }
                self.rewrite_nested(v, frame, depth);
                self.rewrite_nested(c, frame, depth);
            }
            Term::Value(_) | Term::Var(_) | Term::Input | Term::Rule(_) | Term::Data(_) => {}
        }
    }

    /// Replaces `call` (a call of a qualifying function) with the function's value, and
    /// returns the literals that must run first: the arguments' bindings and the body.
    fn splice(&self, call: &mut Term, frame: &mut Frame, depth: usize) -> Body {
        let Term::Call(Callee::Rule { id, .. }, args, span) = call else {
            return vec![];
        };
        let (id, span) = (*id, *span);
        let Some(def) = self.originals.get(id).and_then(Option::as_ref) else {
            return vec![];
        };
        // Qualifying functions have variables for parameters (`qualifies`).
        let Some(slots) = def
            .params
            .iter()
            .map(|p| match p {
                Term::Var(s) => Some(*s),
                _ => None,
            })
            .collect::<Option<Vec<Slot>>>()
        else {
            return vec![];
        };
        let base = frame.take(def.frame_size);
        let mut pre = vec![];
        let mut params: Vec<(Slot, Term)> = vec![];
        for (p, arg) in slots.into_iter().zip(std::mem::take(args)) {
            let given = match arg {
                arg @ (Term::Value(_) | Term::Var(_)) => arg,
                arg => {
                    pre.push(Literal {
                        kind: LiteralKind::Unify(Term::Var(base + p), arg),
                        with: vec![],
                        span,
                    });
                    Term::Var(base + p)
                }
            };
            params.push((p, given));
        }
        let remap = Remap {
            base,
            params: &params,
        };
        let mut body = map::body(&def.body, &remap);
        let value = map::term(&def.value, &remap);
        *call = match value {
            v @ (Term::Value(_) | Term::Var(_)) => v,
            v => {
                let slot = frame.take(1);
                body.push(Literal {
                    kind: LiteralKind::Unify(Term::Var(slot), v),
                    with: vec![],
                    span,
                });
                Term::Var(slot)
            }
        };
        if depth + 1 < MAX_DEPTH {
            self.rewrite_body(&mut body, frame, depth + 1);
        }
        // Even an empty body: entering it counts toward the nesting limit, as the call did.
        pre.push(Literal {
            kind: LiteralKind::Inline { function: id, body },
            with: vec![],
            span,
        });
        pre
    }
}

/// What a term's evaluation starts with.
enum Site<'t> {
    /// A call of a qualifying function, before which nothing is evaluated but constants,
    /// variables and the input.
    Found(&'t mut Term),
    /// Nothing but constants, variables and the input.
    Inert,
    /// Something else is evaluated first.
    Blocked,
}

/// The first thing the evaluator evaluates in `t` (arguments, elements and object pairs left
/// to right, a reference's head before its path), when it is a qualifying call that only
/// constants and variables come before. Those are always defined and raise nothing (variables
/// read by a call or an element are bound, by safety); anything else before the call may be
/// undefined or fail, and then the call is never evaluated.
fn first_site<'t>(t: &'t mut Term, originals: &[Option<RuleDef>]) -> Site<'t> {
    if let Term::Call(Callee::Rule { id, arity }, args, _) = &*t {
        if args.len() == *arity && originals.get(*id).is_some_and(Option::is_some) {
            return Site::Found(t);
        }
    }
    match t {
        Term::Value(_) | Term::Var(_) => Site::Inert,
        // `print` holds whatever its arguments are: undefined ones are printed as such.
        Term::Call(Callee::Print, ..) => Site::Blocked,
        Term::Call(callee, args, _) => {
            // An output argument is matched after the call.
            let inputs = args.len() - usize::from(callee.has_output(args.len()));
            match first_of(&mut args[..inputs], originals) {
                Site::Inert => Site::Blocked,
                site => site,
            }
        }
        // A reference may be undefined at any step of its path: only a call at its head runs
        // before it can be.
        Term::Ref(head, _) => match first_site(head, originals) {
            Site::Found(call) => Site::Found(call),
            Site::Inert | Site::Blocked => Site::Blocked,
        },
        Term::Array(items) | Term::Set(items) => first_of(items, originals),
        Term::Object(pairs) => {
            for (k, v) in pairs {
                match first_site(k, originals) {
                    Site::Inert => {}
                    site => return site,
                }
                match first_site(v, originals) {
                    Site::Inert => {}
                    site => return site,
                }
            }
            Site::Inert
        }
        // The input (undefined when there is none), rules and data (computed, and they may
        // fail), comprehensions and membership.
        _ => Site::Blocked,
    }
}

fn first_of<'t>(terms: &'t mut [Term], originals: &[Option<RuleDef>]) -> Site<'t> {
    for t in terms {
        match first_site(t, originals) {
            Site::Inert => {}
            site => return site,
        }
    }
    Site::Inert
}

/// Whether function `id` qualifies for inlining (see the module's comment).
fn qualifies(program: &Program, id: RuleId) -> bool {
    let rs = &program.rules[id];
    let [def] = rs.defs.as_slice() else {
        return false;
    };
    if !matches!(rs.kind, RuleKind::Function { .. })
        || rs.default.is_some()
        || !def.elses.is_empty()
    {
        return false;
    }
    // The lasting memo answers an input-free function called with scalars from one document
    // to the next (a quantity parsed once per thread): inlined, it would run every time. One
    // that reads into a parameter is called with a collection, which that memo never keeps.
    if program.input_free.get(id).copied().unwrap_or(false)
        && !(0..def.params.len()).any(|i| reads_into(program, id, i))
    {
        return false;
    }
    let mut known = BTreeSet::new();
    for p in &def.params {
        let Term::Var(s) = p else { return false };
        if !known.insert(*s) {
            return false;
        }
    }
    // At most one solution: every variable of the body's own literals is a parameter or bound
    // once by `x := ...` before it is read.
    for lit in &def.body {
        if !lit.with.is_empty() {
            return false;
        }
        let ok = match &lit.kind {
            LiteralKind::Expr(t) => single(t, &known),
            LiteralKind::Unify(Term::Var(s), t) | LiteralKind::Unify(t, Term::Var(s))
                if !known.contains(s) =>
            {
                let ok = single(t, &known);
                known.insert(*s);
                ok
            }
            LiteralKind::Unify(a, b) => single(a, &known) && single(b, &known),
            LiteralKind::Not(body) => cheap_body(body),
            LiteralKind::Every {
                collection, body, ..
            } => single(collection, &known) && cheap_body(body),
            LiteralKind::True => true,
            LiteralKind::SomeIn { .. } | LiteralKind::Inline { .. } => false,
        };
        if !ok {
            return false;
        }
    }
    // A function whose value is another function's call would trade one remembered call for
    // another, and lose the memo its own callers share.
    let wrapper = match &def.value {
        Term::Call(Callee::Rule { .. }, ..) => true,
        Term::Ref(head, _) => matches!(**head, Term::Call(Callee::Rule { .. }, ..)),
        _ => false,
    };
    !wrapper && single(&def.value, &known)
}

/// Whether function `id` reads into its parameter `i` (follows a reference from it, gets a
/// field of it, or passes it to a function that does): it is called with a collection there.
fn reads_into(program: &Program, id: RuleId, i: usize) -> bool {
    let Some(rs) = program.rules.get(id) else {
        return false;
    };
    rs.defs.iter().any(|def| {
        let Some(Term::Var(p)) = def.params.get(i) else {
            return false;
        };
        let mut found = false;
        let mut visit = |t: &Term| found |= reads_slot(program, t, *p);
        def.body.iter().for_each(|l| each_term(l, &mut visit));
        visit(&def.value);
        found
    })
}

/// Whether `t` (or a term inside it) reads into slot `p`.
fn reads_slot(program: &Program, t: &Term, p: Slot) -> bool {
    let any = |ts: &[Term]| ts.iter().any(|t| reads_slot(program, t, p));
    match t {
        Term::Ref(head, path) => {
            matches!(**head, Term::Var(s) if s == p) || reads_slot(program, head, p) || any(path)
        }
        Term::Call(Callee::Builtin(b), args, _) if b.name == "object.get" => {
            matches!(args.first(), Some(Term::Var(s)) if *s == p) || any(args)
        }
        Term::Call(Callee::Rule { id, .. }, args, _) => args.iter().enumerate().any(|(j, a)| {
            (matches!(a, Term::Var(s) if *s == p) && reads_into(program, *id, j))
                || reads_slot(program, a, p)
        }),
        Term::Call(_, args, _) | Term::Array(args) | Term::Set(args) => any(args),
        Term::Object(pairs) => pairs
            .iter()
            .any(|(k, v)| reads_slot(program, k, p) || reads_slot(program, v, p)),
        Term::Member(k, v, c) => {
            k.as_deref().is_some_and(|k| reads_slot(program, k, p))
                || reads_slot(program, v, p)
                || reads_slot(program, c, p)
        }
        Term::ArrayCompr(head, body) | Term::SetCompr(head, body) => {
            let mut found = reads_slot(program, head, p);
            body.iter()
                .for_each(|l| each_term(l, &mut |t| found |= reads_slot(program, t, p)));
            found
        }
        Term::ObjectCompr(k, v, body) => {
            let mut found = reads_slot(program, k, p) || reads_slot(program, v, p);
            body.iter()
                .for_each(|l| each_term(l, &mut |t| found |= reads_slot(program, t, p)));
            found
        }
        Term::Value(_) | Term::Var(_) | Term::Input | Term::Rule(_) | Term::Data(_) => false,
    }
}

/// Calls `f` on each term of a literal, nested bodies included.
fn each_term(lit: &Literal, f: &mut dyn FnMut(&Term)) {
    match &lit.kind {
        LiteralKind::Expr(t) => f(t),
        LiteralKind::Unify(a, b) => {
            f(a);
            f(b);
        }
        LiteralKind::Not(body) | LiteralKind::Inline { body, .. } => {
            body.iter().for_each(|l| each_term(l, f))
        }
        LiteralKind::SomeIn {
            key,
            value,
            collection,
        } => {
            key.iter().for_each(&mut *f);
            f(value);
            f(collection);
        }
        LiteralKind::Every {
            collection, body, ..
        } => {
            f(collection);
            body.iter().for_each(|l| each_term(l, f));
        }
        LiteralKind::True => {}
    }
    for w in &lit.with {
        f(&w.value);
    }
}

/// Whether a term of a function's body has one value at most (its variables are all `known`)
/// and calls only cheap built-ins and other functions.
fn single(t: &Term, known: &BTreeSet<Slot>) -> bool {
    let all = |ts: &[Term]| ts.iter().all(|t| single(t, known));
    match t {
        Term::Value(_) | Term::Input | Term::Rule(_) | Term::Data(_) => true,
        Term::Var(s) => known.contains(s),
        Term::Ref(head, path) => single(head, known) && all(path),
        Term::Call(callee, args, _) => {
            !callee.has_output(args.len()) && callee_cheap(callee) && all(args)
        }
        Term::Array(items) | Term::Set(items) => all(items),
        Term::Object(pairs) => pairs
            .iter()
            .all(|(k, v)| single(k, known) && single(v, known)),
        // A comprehension has one value, but iterates: its result is worth remembering.
        Term::ArrayCompr(..) | Term::SetCompr(..) | Term::ObjectCompr(..) => false,
        Term::Member(k, v, c) => {
            k.as_deref().is_none_or(|k| single(k, known)) && single(v, known) && single(c, known)
        }
    }
}

/// A cheap built-in, or another function (whose own cost its memo or its inlining bounds).
fn callee_cheap(callee: &Callee) -> bool {
    match callee {
        Callee::Builtin(b) => CHEAP.contains(&b.name),
        Callee::Rule { .. } => true,
        Callee::Print => false,
    }
}

/// Whether a nested body calls only cheap built-ins and other functions, and has no `with`.
fn cheap_body(body: &Body) -> bool {
    body.iter().all(|lit| {
        lit.with.is_empty()
            && match &lit.kind {
                LiteralKind::Expr(t) => cheap_term(t),
                LiteralKind::Unify(a, b) => cheap_term(a) && cheap_term(b),
                LiteralKind::Not(b) => cheap_body(b),
                LiteralKind::SomeIn {
                    key,
                    value,
                    collection,
                } => {
                    key.as_ref().is_none_or(cheap_term)
                        && cheap_term(value)
                        && cheap_term(collection)
                }
                LiteralKind::Every {
                    collection, body, ..
                } => cheap_term(collection) && cheap_body(body),
                LiteralKind::Inline { .. } => false,
                LiteralKind::True => true,
            }
    })
}

fn cheap_term(t: &Term) -> bool {
    let all = |ts: &[Term]| ts.iter().all(cheap_term);
    match t {
        Term::Value(_) | Term::Var(_) | Term::Input | Term::Rule(_) | Term::Data(_) => true,
        Term::Ref(head, path) => cheap_term(head) && all(path),
        Term::Call(callee, args, _) => callee_cheap(callee) && all(args),
        Term::Array(items) | Term::Set(items) => all(items),
        Term::Object(pairs) => pairs.iter().all(|(k, v)| cheap_term(k) && cheap_term(v)),
        Term::ArrayCompr(head, body) | Term::SetCompr(head, body) => {
            cheap_term(head) && cheap_body(body)
        }
        Term::ObjectCompr(k, v, body) => cheap_term(k) && cheap_term(v) && cheap_body(body),
        Term::Member(k, v, c) => {
            k.as_deref().is_none_or(cheap_term) && cheap_term(v) && cheap_term(c)
        }
    }
}

/// A function's slots moved into its caller's frame: parameters become the arguments, every
/// other slot moves up by `base`.
struct Remap<'a> {
    base: usize,
    params: &'a [(Slot, Term)],
}

impl map::Mapper for Remap<'_> {
    fn var(&self, s: Slot) -> Term {
        match self.params.iter().find(|(p, _)| *p == s) {
            Some((_, arg)) => arg.clone(),
            None => Term::Var(self.slot(s)),
        }
    }

    fn slot(&self, s: Slot) -> Slot {
        self.base + s
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::super::{compile, compile_plain};
    use super::*;
    use crate::eval::{Evaluator, Options, Spare};
    use crate::source::Source;

    const LIB: &str = r#"package lib

import rego.v1

has(obj, field) if object.get(obj, field, null) != null

first_name(c) := n if {
	n := c.name
	is_string(n)
}

twice(c) := c.n + c.n

wrap(c) := twice(c)

size(c) := count(c.items)

kinded(c) if c.kind == input.kind

positive(x) if x > 0

pick(c) := c.a if c.a

pick(c) := c.b if not c.a

each(c) if {
	some x in c.items
	x > 1
}

label(c) := sprintf("%v", [c])

names(c) := [n | some n in c.names]
"#;

    const RULES: &str = r#"package p

import data.lib
import rego.v1

named contains c.name if {
	some c in input.items
	lib.has(c, "name")
}

unnamed contains i if {
	some i, c in input.items
	not lib.has(c, "name")
}

all_named if {
	every c in input.items {
		lib.has(c, "name")
		lib.first_name(c) != "z"
	}
}

firsts := [lib.first_name(c) | some c in input.items]

doubled := {lib.twice(c) | some c in input.items}

sizes contains lib.size(c) if some c in input.items

by_index[i] := lib.twice(c) if some i, c in input.items

chosen := lib.twice(input.items[0]) if false

else := lib.first_name(input.items[0])

before if lib.twice(input.items[0]) > to_number(input.s)

after if to_number(input.s) > lib.twice(input.items[0])

kinded contains c.name if {
	some c in input.items
	lib.kinded(c)
}

nested if lib.has(input.items[lib.size(input.items[0])], "name")

wrapped := [lib.wrap(c) | some c in input.items]

with_input if lib.has(input, "items") with input as {"items": 1}
"#;

    fn programs() -> (Program, Program) {
        programs_of(LIB, RULES)
    }

    fn programs_of(lib: &str, rules: &str) -> (Program, Program) {
        let modules: Vec<_> = [("lib.rego", lib), ("p.rego", rules)]
            .iter()
            .map(|(name, text)| crate::syntax::parse_module(&Source::new(*name, *text)).unwrap())
            .collect();
        (compile(&modules).unwrap(), compile_plain(&modules).unwrap())
    }

    fn id(program: &Program, path: &str) -> RuleId {
        program
            .rules
            .iter()
            .position(|r| r.path.join(".") == path)
            .unwrap()
    }

    /// The value (or rendered error) of every rule of package `p`.
    fn values(program: &Program, input: &Value, strict: bool) -> Vec<String> {
        values_printed(program, input, strict, false)
    }

    /// [`values`], then what `print` wrote when it is collected.
    fn values_printed(program: &Program, input: &Value, strict: bool, print: bool) -> Vec<String> {
        let spare = Spare::default();
        let options = Options { strict, print };
        let data = Value::object(Default::default());
        let mut ev = Evaluator::new(program, data, Some(input.clone()), options, &spare);
        let mut shown: Vec<String> = (0..program.rules.len())
            .filter(|&i| program.rules[i].path[0].as_ref() == "p")
            .map(|i| {
                let value = ev.rule_value(i);
                let shown = match value {
                    Ok(Some(v)) => v.to_string(),
                    Ok(None) => "undefined".into(),
                    Err(e) => e.render(),
                };
                format!("{} = {shown}", program.rules[i].path.join("."))
            })
            .collect();
        shown.push(format!("printed: {:?}", ev.printed));
        shown
    }

    #[test]
    fn functions_qualify_when_a_call_can_only_mean_their_body() {
        let (inlined, _) = programs();
        for (name, expected) in [
            ("has", true),
            ("first_name", true),
            ("twice", true),
            ("size", true),
            ("kinded", true),
            // Another function's call as its value.
            ("wrap", false),
            // Input-free with a scalar parameter: the lasting memo answers it.
            ("positive", false),
            // Two definitions; iteration; an expensive built-in; a comprehension.
            ("pick", false),
            ("each", false),
            ("label", false),
            ("names", false),
        ] {
            let id = id(&inlined, &format!("lib.{name}"));
            assert_eq!(qualifies(&inlined, id), expected, "{name}");
        }
    }

    /// Where a qualifying call is evaluated first, it is gone; where something else is
    /// evaluated before it, or the literal has `with`, it stays.
    #[test]
    fn calls_are_replaced_only_where_they_are_evaluated_first() {
        let (inlined, plain) = programs();
        let calls = |program: &Program, rule: &str| {
            let rs = &program.rules[id(program, rule)];
            let mut n = 0;
            let mut count = |t: &Term| n += calls_in(t);
            for def in &rs.defs {
                def.body.iter().for_each(|l| each_term(l, &mut count));
                def.key.iter().for_each(&mut count);
                count(&def.value);
                for (v, b) in &def.elses {
                    b.iter().for_each(|l| each_term(l, &mut count));
                    count(v);
                }
            }
            n
        };
        for rule in [
            "named",
            "unnamed",
            "all_named",
            "firsts",
            "doubled",
            "sizes",
        ] {
            assert!(calls(&plain, &format!("p.{rule}")) > 0, "{rule}");
            assert_eq!(calls(&inlined, &format!("p.{rule}")), 0, "{rule}");
        }
        for rule in ["by_index", "chosen", "before", "kinded"] {
            assert_eq!(calls(&inlined, &format!("p.{rule}")), 0, "{rule}");
        }
        // `has` runs first and binds its argument, in which `input.items` is read before
        // `size` is called: `size` stays a call.
        assert_eq!(calls(&plain, "p.nested"), 2);
        assert_eq!(calls(&inlined, "p.nested"), 1);
        // `to_number` runs first; `wrap` does not qualify (the `twice` inside it is inlined
        // into `wrap` itself only when `wrap` is inlined); `with` is left alone.
        for rule in ["after", "wrapped", "with_input"] {
            assert_eq!(
                calls(&inlined, &format!("p.{rule}")),
                calls(&plain, &format!("p.{rule}")),
                "{rule}"
            );
            assert!(calls(&plain, &format!("p.{rule}")) > 0, "{rule}");
        }
    }

    /// Calls of user functions in a term, nested bodies included.
    fn calls_in(t: &Term) -> usize {
        let own = usize::from(matches!(t, Term::Call(Callee::Rule { .. }, ..)));
        let mut n = 0;
        let mut inner = |t: &Term| n += calls_in(t);
        match t {
            Term::Call(_, args, _) => args.iter().for_each(&mut inner),
            Term::Ref(head, path) => {
                inner(head);
                path.iter().for_each(&mut inner);
            }
            Term::Array(items) | Term::Set(items) => items.iter().for_each(&mut inner),
            Term::Object(pairs) => pairs.iter().for_each(|(k, v)| {
                inner(k);
                inner(v);
            }),
            Term::ArrayCompr(head, body) | Term::SetCompr(head, body) => {
                inner(head);
                body.iter().for_each(|l| each_term(l, &mut inner));
            }
            Term::ObjectCompr(k, v, body) => {
                inner(k);
                inner(v);
                body.iter().for_each(|l| each_term(l, &mut inner));
            }
            Term::Member(k, v, c) => {
                k.iter().for_each(|k| inner(k));
                inner(v);
                inner(c);
            }
            Term::Value(_) | Term::Var(_) | Term::Input | Term::Rule(_) | Term::Data(_) => {}
        }
        own + n
    }

    /// Every rule has the same value, or the same error (naming the same file and line), with
    /// and without inlining, for inputs that make the calls hold, fail, go undefined and fail
    /// with type errors.
    #[test]
    fn inlined_calls_give_the_answers_and_errors_of_calls() {
        let (inlined, plain) = programs();
        let inputs = [
            r#"{"kind": "X", "s": "1", "items": [{"name": "a", "n": 1, "items": [1, 2], "kind": "X"}, {"name": "b", "n": 2, "items": []}]}"#,
            r#"{"kind": "X", "s": "x", "items": [{"n": "str", "items": 3}, {"name": 5, "kind": "X"}]}"#,
            r#"{"kind": "Y", "s": "5", "items": [3, null, {"name": "z", "n": 0.5, "items": {"a": 1}}]}"#,
            r#"{"items": []}"#,
            r#"{"items": 7, "s": 1}"#,
            r#"{}"#,
        ];
        let mut compared = 0;
        for text in inputs {
            let input = Value::from_json_str(text).unwrap();
            for strict in [false, true] {
                let got = values(&inlined, &input, strict);
                let want = values(&plain, &input, strict);
                assert_eq!(got, want, "input {text}, strict {strict}");
                compared += got.len();
            }
        }
        // The strict runs reach type errors inside inlined bodies, and name lib.rego for them.
        let input = Value::from_json_str(inputs[1]).unwrap();
        let strict = values(&inlined, &input, true);
        assert!(strict.iter().any(|v| v.contains("lib.rego")), "{strict:#?}");
        assert_eq!(compared, 6 * 2 * 15);
    }

    /// What only the call did: a call is not moved ahead of what may be undefined or fail
    /// before it (a reference, the input, a pattern, `print`'s arguments, an output argument),
    /// a constant value does not stop a rule at its first solution, and an inlined body counts
    /// toward the nesting limit. Found by review; each rule differed before its fix.
    #[test]
    fn inlined_calls_wait_for_what_the_call_waited_for() {
        const LIB: &str = r#"package lib

import rego.v1

f(x) := x.a

one(x) := 1 if x.a

# Two values for the same argument: calling it is a conflict error.
g(x) := 1 if x.a

g(x) := 2 if x.a

h(x) := g(x) + 1

k(x) := count(x.items)
"#;
        const RULES: &str = r#"package p

import data.lib
import rego.v1

printed if print(data.lib.f(input))

undefined_first if {
	some c in input.items
	c.missing == lib.h(c)
}

undefined_path if input.missing[lib.h(input)]

undefined_key[c.id] := lib.h(c) if some c in input.items

strict_first if {
	some c in input.items
	c.missing == lib.k(c)
}

output_after if count(input.x, lib.k(input))

pattern if {
	x := 5
	x = [y, lib.h(input)]
}

constant := lib.one(c) if {
	some c in input.items
	not lib.g(c.e) == 7
}
"#;
        let (inlined, plain) = programs_of(LIB, RULES);
        let inputs = [
            r#"{"items": [{"a": true, "items": 5, "e": {}}, {"a": true, "e": {"a": true}}], "a": true}"#,
            r#"{"items": [{"a": true, "id": 1}], "x": [1], "a": true}"#,
            r#"{}"#,
        ];
        for text in inputs {
            let input = Value::from_json_str(text).unwrap();
            for (strict, print) in [(false, false), (true, false), (false, true), (true, true)] {
                assert_eq!(
                    values_printed(&inlined, &input, strict, print),
                    values_printed(&plain, &input, strict, print),
                    "input {text}, strict {strict}, print {print}"
                );
            }
        }
        // Rules `r1` to `r109`, each calling a function that reads the rule before it: plain,
        // the deepest fail with "evaluation nested too deeply"; inlined, they must too.
        let lib: String = "package lib\nimport rego.v1\n".to_string()
            + &(1..110)
                .map(|i| format!("f{i}(x) := x + data.p.r{}\n", i - 1))
                .collect::<String>();
        let rules: String = "package p\nimport rego.v1\nimport data.lib\nr0 := input.n\n"
            .to_string()
            + &(1..110)
                .rev()
                .map(|i| format!("r{i} := lib.f{i}(1)\n"))
                .collect::<String>();
        let deep = std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(move || {
                let (inlined, plain) = programs_of(&lib, &rules);
                let input = Value::from_json_str(r#"{"n": 1}"#).unwrap();
                let got = values(&inlined, &input, false);
                let want = values(&plain, &input, false);
                assert!(want.iter().any(|v| v.contains("nested too deeply")));
                assert_eq!(got, want);
            })
            .unwrap();
        deep.join().unwrap();
    }
}
