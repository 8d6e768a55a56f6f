//! The evaluator: runs a compiled [`Program`] against one input and one data document.
//!
//! Evaluation is backtracking search written in continuation-passing style: every construct that
//! can produce several values (iteration through a reference, `some .. in`, unification) calls
//! its continuation once per solution. A continuation returns `true` to stop the search early
//! (a negation needs one solution, a constant rule value needs one). Variables live in frames of
//! slots; a binding is undone when its continuation returns, so there is no environment copying.
//!
//! Rule values are computed on first use and cached for the rest of the evaluation; `with`
//! replaces input or data for one literal and gives it a fresh cache.

mod memo;

pub(crate) use memo::Lasting;

use crate::builtins::{BuiltinError, RefFn};
use crate::compile::ir::*;
use crate::compile::CompiledQuery;
use crate::error::{Diagnostic, ErrorKind};
use crate::source::{Source, Span};
use crate::value::{Object, Set, Value};
use memo::{Key, Table};
use std::cell::RefCell;
use std::sync::Arc;

/// Errors are boxed: they are rare, and a small `Result` keeps every return of the evaluator
/// (millions a second) small.
type R<T> = Result<T, Box<Diagnostic>>;

/// Deepest nesting of rule and function evaluation before giving up with an error.
const MAX_DEPTH: usize = 200;

/// Options of one evaluation.
#[derive(Clone, Debug, Default)]
pub(crate) struct Options {
    /// Built-in errors abort evaluation instead of making the expression undefined.
    pub strict: bool,
    /// Collect `print` output.
    pub print: bool,
}

/// One solution of a query.
#[derive(Clone, Debug)]
pub(crate) struct Solution {
    /// Value of each expression of the query, in order.
    pub expressions: Vec<Value>,
    /// Named variables and their values.
    pub bindings: Vec<(String, Value)>,
}

pub(crate) struct Evaluator<'a> {
    program: &'a Program,
    data: Value,
    input: Option<Value>,
    options: Options,
    /// The slots of every active frame, one stack; the current frame starts at `base`.
    slots: Vec<Option<Value>>,
    base: usize,
    cache: Vec<Option<Option<Value>>>,
    /// Function results of this evaluation (under the current `with`s).
    memo: Table,
    /// Results remembered across evaluations of the same policy and data.
    lasting: Option<&'a Lasting>,
    /// Where the buffers go back when the evaluation ends.
    spare: &'a Spare,
    overrides: Vec<(Vec<Value>, Value)>,
    /// The source being evaluated, for error messages (a reference: cloning the `Arc` on every
    /// frame would make the threads sharing a program contend for its count).
    source: Option<&'a Arc<Source>>,
    depth: usize,
    /// The documents outside each `with` in force, innermost last.
    outer: Vec<Docs>,
    /// Lines written by `print`.
    pub printed: Vec<String>,
}

/// The documents a `with` replaces.
struct Docs {
    input: Option<Value>,
    data: Value,
    overrides: Vec<(Vec<Value>, Value)>,
    cache: Vec<Option<Option<Value>>>,
    memo: Table,
}

/// What a thread keeps from one evaluation to the next: the buffers of the last one (the memo
/// table's index and vectors, the slots and the rule cache grow to a document's needs once per
/// thread instead of once per document; growing the memo table was a tenth of remembering a
/// call), and one empty set for every set that comes out empty.
pub(crate) struct Spare {
    buffers: RefCell<Option<Buffers>>,
    /// See [`Evaluator::set_value`].
    empty_set: Value,
}

impl Default for Spare {
    fn default() -> Self {
        Spare {
            buffers: RefCell::default(),
            empty_set: Value::set(Set::new()),
        }
    }
}

struct Buffers {
    slots: Vec<Option<Value>>,
    cache: Vec<Option<Option<Value>>>,
    memo: Table,
}

/// A memo table that grew past this many calls is not kept: one odd document should not hold
/// its memory for the rest of the thread's life.
const SPARE_MEMO_CALLS: usize = 1 << 12;

impl std::fmt::Debug for Spare {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Spare")
    }
}

impl Drop for Evaluator<'_> {
    fn drop(&mut self) {
        if self.memo.len() > SPARE_MEMO_CALLS {
            return;
        }
        let Ok(mut kept) = self.spare.buffers.try_borrow_mut() else {
            return;
        };
        let mut b = Buffers {
            slots: std::mem::take(&mut self.slots),
            cache: std::mem::take(&mut self.cache),
            memo: std::mem::take(&mut self.memo),
        };
        b.slots.clear();
        b.cache.fill(None);
        b.memo.clear();
        *kept = Some(b);
    }
}

/// What [`Evaluator::one`] found.
enum One {
    /// The term's only value.
    Value(Value),
    /// The term has no value.
    Undefined,
    /// The term may have several values, or binds variables: evaluate it by continuation.
    Many,
}

impl From<Option<Value>> for One {
    fn from(v: Option<Value>) -> One {
        v.map_or(One::Undefined, One::Value)
    }
}

/// A continuation after a binding.
type K<'k, 'a> = &'k mut dyn FnMut(&mut Evaluator<'a>) -> R<bool>;
/// A continuation receiving a value.
type KV<'k, 'a> = &'k mut dyn FnMut(&mut Evaluator<'a>, Value) -> R<bool>;
/// A continuation receiving the keys and values of an object.
type KPairs<'k, 'a> = &'k mut dyn FnMut(&mut Evaluator<'a>, &[(Value, Value)]) -> R<bool>;

impl<'a> Evaluator<'a> {
    /// An evaluator that works in the buffers the previous evaluation of `program` on this
    /// thread left in `spare`, and leaves its own there when it is dropped.
    pub fn new(
        program: &'a Program,
        data: Value,
        input: Option<Value>,
        options: Options,
        spare: &'a Spare,
    ) -> Self {
        let kept = (spare.buffers.try_borrow_mut().ok())
            .and_then(|mut b| b.take())
            .filter(|b| b.cache.len() == program.rules.len());
        let (slots, cache, memo) = match kept {
            Some(b) => (b.slots, b.cache, b.memo),
            None => (vec![], vec![None; program.rules.len()], Table::default()),
        };
        Evaluator {
            program,
            data,
            input,
            options,
            slots,
            base: 0,
            cache,
            memo,
            lasting: None,
            spare,
            overrides: vec![],
            source: None,
            depth: 0,
            outer: vec![],
            printed: vec![],
        }
    }

    /// Remembers the results of input-free rules and functions in `lasting`, which must belong
    /// to this program and the data given to [`Evaluator::new`].
    pub fn with_lasting(mut self, lasting: &'a Lasting) -> Self {
        self.lasting = Some(lasting);
        self
    }

    /// A set built by a rule or comprehension; the empty ones (most finding rules on most
    /// documents) are all the thread's one empty set, not an allocation each.
    fn set_value(&self, set: Set) -> Value {
        if set.is_empty() {
            self.spare.empty_set.clone()
        } else {
            Value::set(set)
        }
    }

    /// The lasting table, when rule `id` may use it now: it never reads input, and no `with`
    /// has replaced a document.
    fn lasting_for(&self, id: RuleId) -> Option<&'a Lasting> {
        self.lasting.filter(|_| {
            self.outer.is_empty()
                && self.overrides.is_empty()
                && self.program.input_free.get(id).copied().unwrap_or(false)
        })
    }

    /// All solutions of a query.
    pub fn query(&mut self, q: &CompiledQuery, source: &'a Arc<Source>) -> R<Vec<Solution>> {
        self.source = Some(source);
        let saved = self.push_frame(q.frame_size);
        let mut solutions = vec![];
        let mut exprs = vec![];
        let r = self.query_from(q, 0, &mut exprs, &mut solutions);
        self.pop_frame(saved);
        r?;
        Ok(solutions)
    }

    fn query_from(
        &mut self,
        q: &CompiledQuery,
        i: usize,
        exprs: &mut Vec<Value>,
        out: &mut Vec<Solution>,
    ) -> R<bool> {
        let Some(lit) = q.body.get(i) else {
            let bindings = q
                .vars
                .iter()
                .filter_map(|(n, s)| Some((n.clone(), self.get(*s)?)))
                .collect();
            out.push(Solution {
                expressions: exprs.clone(),
                bindings,
            });
            return Ok(false);
        };
        // A term as a whole query expression reports its value (`plus(1, 2)` is 3); a
        // reference reports `false` too, any other term that is false has no solution.
        if let (LiteralKind::Expr(t), true) = (&lit.kind, lit.with.is_empty()) {
            let reference = matches!(
                t,
                Term::Ref(..) | Term::Rule(_) | Term::Data(_) | Term::Input | Term::Var(_)
            );
            return self.eval_term(t, &mut |ev, v| {
                if !reference && v == Value::Bool(false) {
                    return Ok(false);
                }
                exprs.push(v);
                let stop = ev.query_from(q, i + 1, exprs, out);
                exprs.pop();
                stop
            });
        }
        self.with_mods(lit, &mut |ev| {
            ev.eval_literal(lit, &mut |ev| {
                ev.outside_mods(&mut |ev| {
                    exprs.push(Value::Bool(true));
                    let stop = ev.query_from(q, i + 1, exprs, out);
                    exprs.pop();
                    stop
                })
            })
        })
    }

    /// The value of a rule (for the scanner and tests): `None` when undefined.
    pub fn rule_value(&mut self, id: RuleId) -> R<Option<Value>> {
        if let Some(cached) = &self.cache[id] {
            return Ok(cached.clone());
        }
        let rs = &self.program.rules[id];
        if let Some(v) = self.override_for(&rs.path) {
            return Ok(v);
        }
        // The key is hashed only when the lasting table may hold the value.
        let lasting = self.lasting_for(id).map(|s| (s, Key::new(id, &[])));
        if let Some(v) = lasting.as_ref().and_then(|(s, key)| s.get(key)) {
            self.cache[id] = Some(v.clone());
            return Ok(v);
        }
        self.enter(&rs.source, rs.span)?;
        let result = self.compute_rule(id);
        self.depth -= 1;
        let value = result?;
        self.cache[id] = Some(value.clone());
        if let Some((s, key)) = lasting {
            s.insert(&key, value.clone());
        }
        Ok(value)
    }

    fn enter(&mut self, source: &Arc<Source>, span: Span) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.depth -= 1;
            return Err(Box::new(Diagnostic::at(
                ErrorKind::Limit,
                "evaluation nested too deeply",
                source,
                span,
            )));
        }
        Ok(())
    }

    fn override_for(&self, path: &[Arc<str>]) -> Option<Option<Value>> {
        for (opath, value) in self.overrides.iter().rev() {
            if opath.len() <= path.len()
                && opath
                    .iter()
                    .zip(path)
                    .all(|(a, b)| a.as_str() == Some(b.as_ref()))
            {
                let mut v = Some(value.clone());
                for seg in &path[opath.len()..] {
                    v = v.and_then(|v| v.get(seg).cloned());
                }
                return Some(v);
            }
        }
        None
    }

    fn compute_rule(&mut self, id: RuleId) -> R<Option<Value>> {
        self.compute_defs(id, None)
    }

    /// The value built from only some definitions of a rule (the scanner reports definitions
    /// with different metadata as different rules). Not cached.
    pub fn rule_defs_value(&mut self, id: RuleId, defs: &[usize]) -> R<Option<Value>> {
        let rs = &self.program.rules[id];
        self.enter(&rs.source, rs.span)?;
        let result = self.compute_defs(id, Some(defs));
        self.depth -= 1;
        result
    }

    fn compute_defs(&mut self, id: RuleId, only: Option<&[usize]>) -> R<Option<Value>> {
        let rs = &self.program.rules[id];
        let selected = |i: usize| only.is_none_or(|o| o.contains(&i));
        match rs.kind {
            RuleKind::Complete => {
                let mut values = Outputs::default();
                for (_, def) in rs.defs.iter().enumerate().filter(|(i, _)| selected(*i)) {
                    self.eval_def(def, &mut values)?;
                }
                match values.single() {
                    Ok(None) => self.default_value(rs),
                    Ok(one) => Ok(one),
                    Err((a, b)) => Err(self.conflict(
                        rs,
                        &format!(
                            "complete rules must not produce multiple outputs: data.{} is both {a} and {b}",
                            rs.path.join("."),
                        ),
                    )),
                }
            }
            RuleKind::PartialSet => {
                let mut set = Set::new();
                for (_, def) in rs.defs.iter().enumerate().filter(|(i, _)| selected(*i)) {
                    let Some(key) = &def.key else { continue };
                    self.with_frame(def, &mut |ev| {
                        ev.eval_body(&def.body, 0, &mut |ev| {
                            ev.eval_term(key, &mut |_, v| {
                                set.insert(v);
                                Ok(false)
                            })
                        })
                    })?;
                }
                Ok(Some(self.set_value(set)))
            }
            RuleKind::PartialObject => {
                let mut obj = Object::new();
                let mut conflict = None;
                for (_, def) in rs.defs.iter().enumerate().filter(|(i, _)| selected(*i)) {
                    let Some(key) = &def.key else { continue };
                    self.with_frame(def, &mut |ev| {
                        ev.eval_body(&def.body, 0, &mut |ev| {
                            ev.eval_term(key, &mut |ev, k| {
                                ev.eval_term(&def.value, &mut |_, v| {
                                    match obj.get(&k) {
                                        Some(old) if *old != v => conflict = Some(k.clone()),
                                        _ => {
                                            obj.insert(k.clone(), v);
                                        }
                                    }
                                    Ok(false)
                                })
                            })
                        })
                    })?;
                    if let Some(key) = &conflict {
                        return Err(self.conflict(
                            rs,
                            &format!(
                                "object keys must be unique: data.{} has two values for key {key}",
                                rs.path.join(".")
                            ),
                        ));
                    }
                }
                Ok(Some(Value::object(obj)))
            }
            RuleKind::Function { .. } => Ok(None),
        }
    }

    fn default_value(&mut self, rs: &RuleSet) -> R<Option<Value>> {
        match &rs.default {
            None => Ok(None),
            Some(Term::Value(v)) => Ok(Some(v.clone())),
            Some(t) => {
                let saved = self.push_frame(rs.default_frame);
                let mut first = None;
                let r = self.eval_term(t, &mut |_, v| {
                    first = Some(v);
                    Ok(true)
                });
                self.pop_frame(saved);
                r?;
                Ok(first)
            }
        }
    }

    fn conflict(&self, rs: &RuleSet, what: &str) -> Box<Diagnostic> {
        Box::new(Diagnostic::at(
            ErrorKind::Conflict,
            what,
            &rs.source,
            rs.span,
        ))
    }

    fn with_frame(&mut self, def: &'a RuleDef, f: K<'_, 'a>) -> R<bool> {
        let saved = self.source.replace(&def.source);
        let frame = self.push_frame(def.frame_size);
        let r = f(self);
        self.pop_frame(frame);
        self.source = saved;
        r
    }

    /// Collects the values of one definition of a complete rule or function (in the current
    /// frame setup), trying its `else` clauses when the body has no solution.
    fn eval_def(&mut self, def: &'a RuleDef, values: &mut Outputs) -> R<()> {
        self.with_frame(def, &mut |ev| {
            ev.def_values(def, values)?;
            Ok(false)
        })?;
        Ok(())
    }

    fn def_values(&mut self, def: &RuleDef, values: &mut Outputs) -> R<()> {
        let before = values.produced;
        collect_values(self, &def.body, &def.value, values)?;
        if values.produced == before {
            for (value, body) in &def.elses {
                collect_values(self, body, value, values)?;
                if values.produced > before {
                    break;
                }
            }
        }
        Ok(())
    }

    /// Calls a user function, or recalls its result for the same arguments (not while
    /// `print` is collected: every call prints). The memo table takes the arguments (they are
    /// left null).
    fn call_function(&mut self, id: RuleId, args: &mut [Value], span: Span) -> R<Option<Value>> {
        let key = Key::new(id, args);
        let remember = !self.options.print;
        if remember {
            if let Some(r) = self.memo.get(&key) {
                return Ok(r.clone());
            }
        }
        let stamp = key.stamp();
        let lasting = self.lasting_for(id).filter(|_| key.scalar());
        let result = match lasting.and_then(|s| s.get(&key)) {
            Some(r) => r,
            None => {
                let r = self.run_function(id, args, span)?;
                if let Some(s) = lasting {
                    s.insert(&Key::stamped(stamp, args), r.clone());
                }
                r
            }
        };
        if remember {
            self.memo.insert_taking(stamp, args, result.clone());
        }
        Ok(result)
    }

    /// Runs a function's definitions on `args`, which it lends to their parameters and gets
    /// back unchanged.
    fn run_function(&mut self, id: RuleId, args: &mut [Value], span: Span) -> R<Option<Value>> {
        let rs = &self.program.rules[id];
        let src = self.source.unwrap_or(&rs.source);
        self.enter(src, span)?;
        let mut values = Outputs::default();
        let mut result = Ok(());
        for def in &rs.defs {
            let r = self.with_frame(def, &mut |ev| {
                ev.match_params(&def.params, args, 0, &mut |ev| {
                    ev.def_values(def, &mut values)?;
                    Ok(false)
                })
            });
            if let Err(e) = r {
                result = Err(e);
                break;
            }
        }
        self.depth -= 1;
        result?;
        match values.single() {
            Ok(None) => self.default_value(rs),
            Ok(one) => Ok(one),
            Err(_) => Err(Box::new(Diagnostic::at(
                ErrorKind::Conflict,
                "functions must not produce multiple outputs for same inputs",
                src,
                span,
            ))),
        }
    }

    /// Matches a function's parameters with its arguments, in a frame of its own.
    fn match_params(
        &mut self,
        params: &[Term],
        args: &mut [Value],
        mut i: usize,
        k: K<'_, 'a>,
    ) -> R<bool> {
        // Parameters that are plain variables (most) are bound without a continuation, and by
        // moving the argument in rather than copying it (a copy of a string or composite is a
        // reference-count update); it is moved back out below, before the frame is dropped.
        let first = i;
        while let (Some(Term::Var(s)), Some(a)) = (params.get(i), args.get_mut(i)) {
            match self.slots.get_mut(self.base + s) {
                Some(slot @ None) => *slot = Some(std::mem::replace(a, Value::Null)),
                _ => break,
            }
            i += 1;
        }
        let r = match (params.get(i), args.get(i)) {
            (Some(p), Some(a)) => {
                let a = a.clone();
                self.match_pattern(p, a, &mut |ev| ev.match_params(params, args, i + 1, k))
            }
            _ => k(self),
        };
        // The body cannot rebind a bound variable: each slot still holds its argument.
        for j in first..i {
            if let (Some(Term::Var(s)), Some(a)) = (params.get(j), args.get_mut(j)) {
                if let Some(v) = self.slots.get_mut(self.base + s).and_then(Option::take) {
                    *a = v;
                }
            }
        }
        r
    }

    // ---- bodies and literals -----------------------------------------------------------------

    pub fn eval_body(&mut self, body: &[Literal], i: usize, k: K<'_, 'a>) -> R<bool> {
        let Some(lit) = body.get(i) else {
            return k(self);
        };
        if lit.with.is_empty() {
            return self.eval_literal(lit, &mut |ev| ev.eval_body(body, i + 1, k));
        }
        self.with_mods(lit, &mut |ev| {
            ev.eval_literal(lit, &mut |ev| {
                ev.outside_mods(&mut |ev| ev.eval_body(body, i + 1, k))
            })
        })
    }

    /// Runs `f` (which evaluates `lit`) with the literal's `with` modifiers in force. Inside
    /// `f`, [`Self::outside_mods`] runs the rest of the body with the outer documents again.
    fn with_mods(&mut self, lit: &Literal, f: K<'_, 'a>) -> R<bool> {
        if lit.with.is_empty() {
            return f(self);
        }
        // The replacement values are evaluated in the outer context.
        let mut replacements = vec![];
        for w in &lit.with {
            let mut first = None;
            self.eval_term(&w.value, &mut |_, v| {
                first = Some(v);
                Ok(true)
            })?;
            let Some(v) = first else { return Ok(false) };
            replacements.push((w.root, w.path.clone(), v));
        }
        let fresh_cache = vec![None; self.program.rules.len()];
        let outer = Docs {
            input: self.input.clone(),
            data: self.data.clone(),
            overrides: self.overrides.clone(),
            cache: std::mem::replace(&mut self.cache, fresh_cache),
            memo: std::mem::take(&mut self.memo),
        };
        for (root, path, v) in replacements {
            match root {
                WithRoot::Input => {
                    self.input = Some(match &self.input {
                        _ if path.is_empty() => v,
                        Some(old) => set_path(old, &path, v),
                        None => set_path(&Value::empty_object(), &path, v),
                    });
                }
                WithRoot::Data => {
                    self.data = set_path(&self.data, &path, v.clone());
                    self.overrides.push((path, v));
                }
            }
        }
        self.outer.push(outer);
        let r = f(self);
        if let Some(outer) = self.outer.pop() {
            self.input = outer.input;
            self.data = outer.data;
            self.overrides = outer.overrides;
            self.cache = outer.cache;
            self.memo = outer.memo;
        }
        r
    }

    /// Runs `k` with the documents as they were outside the innermost `with`.
    fn outside_mods(&mut self, k: K<'_, 'a>) -> R<bool> {
        let Some(mut outer) = self.outer.pop() else {
            return k(self);
        };
        self.swap_docs(&mut outer);
        let r = k(self);
        self.swap_docs(&mut outer);
        self.outer.push(outer);
        r
    }

    fn swap_docs(&mut self, docs: &mut Docs) {
        std::mem::swap(&mut self.input, &mut docs.input);
        std::mem::swap(&mut self.data, &mut docs.data);
        std::mem::swap(&mut self.overrides, &mut docs.overrides);
        std::mem::swap(&mut self.cache, &mut docs.cache);
        std::mem::swap(&mut self.memo, &mut docs.memo);
    }

    fn eval_literal(&mut self, lit: &Literal, k: K<'_, 'a>) -> R<bool> {
        match &lit.kind {
            // As `eval_term`, without a continuation for the (usual) single value.
            LiteralKind::Expr(t) => match self.one(t)? {
                One::Value(Value::Bool(false)) => Ok(false),
                One::Value(_) => k(self),
                One::Undefined => Ok(false),
                One::Many => self.eval_many(t, &mut |ev, v| {
                    if v == Value::Bool(false) {
                        Ok(false)
                    } else {
                        k(ev)
                    }
                }),
            },
            LiteralKind::Unify(a, b) => self.unify(a, b, k),
            LiteralKind::Not(body) => {
                if self.exists(body)? {
                    Ok(false)
                } else {
                    k(self)
                }
            }
            LiteralKind::SomeIn {
                key,
                value,
                collection,
            } => self.eval_term(collection, &mut |ev, c| {
                each_entry(ev, &c, &mut |ev, kv, vv| match key {
                    Some(kp) => ev.match_pattern(kp, kv.clone(), &mut |ev| {
                        ev.match_pattern(value, vv.clone(), k)
                    }),
                    None => ev.match_pattern(value, vv.clone(), k),
                })
            }),
            LiteralKind::Every {
                key,
                value,
                collection,
                body,
                locals,
            } => self.eval_term(collection, &mut |ev, c| {
                // OPA: a domain that is not a collection makes `every` undefined.
                if !matches!(c, Value::Array(_) | Value::Object(_) | Value::Set(_)) {
                    return Ok(false);
                }
                let failed = each_entry(ev, &c, &mut |ev, kv, vv| {
                    if let Some(ks) = key {
                        ev.bind(*ks, kv.clone());
                    }
                    ev.bind(*value, vv.clone());
                    let ok = ev.exists(body);
                    for s in locals {
                        ev.unbind(*s);
                    }
                    Ok(!ok?)
                })?;
                if failed {
                    return Ok(false);
                }
                k(ev)
            }),
            LiteralKind::Inline { function, body } => {
                self.eval_inline(*function, body, lit.span, k)
            }
            LiteralKind::True => k(self),
        }
    }

    /// The body of a function inlined at a call (at `span`), nested as deeply as the call
    /// would be and reporting its errors against the function's file. Kept out of
    /// `eval_literal`, which it would otherwise make slower for every literal.
    #[inline(never)]
    fn eval_inline(
        &mut self,
        function: RuleId,
        body: &[Literal],
        span: Span,
        k: K<'_, 'a>,
    ) -> R<bool> {
        let program = self.program;
        let Some(rs) = program.rules.get(function) else {
            return Ok(false);
        };
        let outer = self.source;
        self.enter(outer.unwrap_or(&rs.source), span)?;
        if let Some(def) = rs.defs.first() {
            self.source = Some(&def.source);
        }
        let r = self.eval_body(body, 0, &mut |ev| {
            let inner = std::mem::replace(&mut ev.source, outer);
            ev.depth -= 1;
            let r = k(ev);
            ev.depth += 1;
            ev.source = inner;
            r
        });
        self.source = outer;
        self.depth -= 1;
        r
    }

    /// Whether a body has at least one solution.
    fn exists(&mut self, body: &[Literal]) -> R<bool> {
        self.eval_body(body, 0, &mut |_| Ok(true))
    }

    // ---- variables ---------------------------------------------------------------------------

    /// Starts a frame of `size` unbound slots; returns what [`Self::pop_frame`] needs.
    fn push_frame(&mut self, size: usize) -> usize {
        let saved = self.base;
        self.base = self.slots.len();
        self.slots.resize(self.base + size, None);
        saved
    }

    fn pop_frame(&mut self, saved: usize) {
        self.slots.truncate(self.base);
        self.base = saved;
    }

    fn get(&self, slot: Slot) -> Option<Value> {
        self.slots.get(self.base + slot).and_then(Clone::clone)
    }

    fn is_bound(&self, slot: Slot) -> bool {
        self.slots
            .get(self.base + slot)
            .is_some_and(Option::is_some)
    }

    fn bind(&mut self, slot: Slot, v: Value) {
        if let Some(s) = self.slots.get_mut(self.base + slot) {
            *s = Some(v);
        }
    }

    fn unbind(&mut self, slot: Slot) {
        if let Some(s) = self.slots.get_mut(self.base + slot) {
            *s = None;
        }
    }

    // ---- unification -------------------------------------------------------------------------

    /// Whether the term has a variable that is not bound yet in a pattern position.
    fn is_open(&self, t: &Term) -> bool {
        match t {
            Term::Var(s) => !self.is_bound(*s),
            Term::Array(items) => items.iter().any(|i| self.is_open(i)),
            Term::Object(items) => items.iter().any(|(_, v)| self.is_open(v)),
            _ => false,
        }
    }

    fn unify(&mut self, a: &Term, b: &Term, k: K<'_, 'a>) -> R<bool> {
        match (self.is_open(a), self.is_open(b)) {
            (false, false) => match self.one(a)? {
                // Both sides closed: compare, by continuation only where a side has several
                // values.
                One::Value(va) => match self.one(b)? {
                    One::Value(vb) if va == vb => k(self),
                    One::Value(_) | One::Undefined => Ok(false),
                    One::Many => {
                        self.eval_many(b, &mut |ev, vb| if va == vb { k(ev) } else { Ok(false) })
                    }
                },
                One::Undefined => Ok(false),
                One::Many => self.eval_many(a, &mut |ev, va| {
                    ev.eval_term(b, &mut |ev, vb| if va == vb { k(ev) } else { Ok(false) })
                }),
            },
            (true, false) => self.eval_term(b, &mut |ev, vb| ev.match_pattern(a, vb, k)),
            (false, true) => self.eval_term(a, &mut |ev, va| ev.match_pattern(b, va, k)),
            (true, true) => match (a, b) {
                (Term::Array(xs), Term::Array(ys)) if xs.len() == ys.len() => {
                    self.unify_pairs(xs, ys, 0, k)
                }
                (Term::Object(xs), Term::Object(ys)) if xs.len() == ys.len() => {
                    // Pair values by their (constant) keys.
                    let mut pairs_a = vec![];
                    let mut pairs_b = vec![];
                    for (ka, va) in xs {
                        let Some(kv) = ka.as_const() else {
                            return Ok(false);
                        };
                        let Some((_, vb)) = ys.iter().find(|(kb, _)| kb.as_const() == Some(kv))
                        else {
                            return Ok(false);
                        };
                        pairs_a.push(va.clone());
                        pairs_b.push(vb.clone());
                    }
                    self.unify_pairs(&pairs_a, &pairs_b, 0, k)
                }
                _ => Ok(false),
            },
        }
    }

    fn unify_pairs(&mut self, xs: &[Term], ys: &[Term], i: usize, k: K<'_, 'a>) -> R<bool> {
        if i == xs.len() {
            return k(self);
        }
        // Unify the pairs that can be decided first, so `[x, 1] = [y, y]` works either way.
        let order: Vec<usize> = (i..xs.len()).collect();
        let pick = order
            .iter()
            .copied()
            .find(|&j| !(self.is_open(&xs[j]) && self.is_open(&ys[j])))
            .unwrap_or(i);
        if pick == i {
            return self.unify(&xs[i], &ys[i], &mut |ev| ev.unify_pairs(xs, ys, i + 1, k));
        }
        let mut xs2 = xs.to_vec();
        let mut ys2 = ys.to_vec();
        xs2.swap(i, pick);
        ys2.swap(i, pick);
        self.unify(&xs2[i], &ys2[i], &mut |ev| {
            ev.unify_pairs(&xs2, &ys2, i + 1, k)
        })
    }

    /// Matches a pattern against a value, binding its open variables.
    fn match_pattern(&mut self, t: &Term, v: Value, k: K<'_, 'a>) -> R<bool> {
        match t {
            Term::Var(s) => match self.slots.get(self.base + s) {
                Some(Some(bound)) => {
                    if *bound == v {
                        k(self)
                    } else {
                        Ok(false)
                    }
                }
                _ => {
                    self.bind(*s, v);
                    let r = k(self);
                    self.unbind(*s);
                    r
                }
            },
            Term::Array(items) if self.is_open(t) => match &v {
                Value::Array(vals) if vals.len() == items.len() => {
                    let vals = vals.clone();
                    self.match_items(items, &vals, 0, k)
                }
                _ => Ok(false),
            },
            Term::Object(items) if self.is_open(t) => match &v {
                Value::Object(obj) if obj.len() == items.len() => {
                    let obj = obj.clone();
                    self.match_object(items, &obj, 0, k)
                }
                _ => Ok(false),
            },
            _ => match self.one(t)? {
                One::Value(tv) if tv == v => k(self),
                One::Value(_) | One::Undefined => Ok(false),
                One::Many => {
                    self.eval_many(t, &mut |ev, tv| if tv == v { k(ev) } else { Ok(false) })
                }
            },
        }
    }

    fn match_items(&mut self, items: &[Term], vals: &[Value], i: usize, k: K<'_, 'a>) -> R<bool> {
        match (items.get(i), vals.get(i)) {
            (Some(t), Some(v)) => self.match_pattern(t, v.clone(), &mut |ev| {
                ev.match_items(items, vals, i + 1, k)
            }),
            _ => k(self),
        }
    }

    fn match_object(
        &mut self,
        items: &[(Term, Term)],
        obj: &Object,
        i: usize,
        k: K<'_, 'a>,
    ) -> R<bool> {
        let Some((kt, vt)) = items.get(i) else {
            return k(self);
        };
        self.eval_term(kt, &mut |ev, key| match obj.get(&key) {
            Some(val) => ev.match_pattern(vt, val.clone(), &mut |ev| {
                ev.match_object(items, obj, i + 1, k)
            }),
            None => Ok(false),
        })
    }

    // ---- terms -------------------------------------------------------------------------------

    /// Calls `k` with each value of `t`: at most once for the terms [`Self::one`] can evaluate
    /// without iterating, which is most of them.
    pub fn eval_term(&mut self, t: &Term, k: KV<'_, 'a>) -> R<bool> {
        match self.one(t)? {
            One::Value(v) => k(self, v),
            One::Undefined => Ok(false),
            One::Many => self.eval_many(t, k),
        }
    }

    /// The value of a term that has at most one (no reference iterates over an unbound
    /// variable, no call binds an output), without continuations; [`One::Many`] for any other
    /// term, before evaluating anything that [`Self::eval_many`] would evaluate again with a
    /// different outcome (calls are not tried at all while `print` output is collected, so that
    /// nothing prints twice).
    fn one(&mut self, t: &Term) -> R<One> {
        Ok(match t {
            Term::Value(v) => One::Value(v.clone()),
            Term::Var(s) => match self.get(*s) {
                Some(v) => One::Value(v),
                None => One::Many,
            },
            Term::Input => self.input.clone().into(),
            Term::Rule(id) => self.rule_value(*id)?.into(),
            Term::Data(path) => self.data_at(path)?.into(),
            Term::Ref(head, path) => match self.follow_in_place(head, path) {
                Some(found) => found,
                None => match self.one_inline(head)? {
                    One::Value(v) => self.follow(&v, path)?,
                    other => other,
                },
            },
            Term::Call(callee, args, span) => self.call_one(callee, args, *span)?,
            Term::Array(items) => {
                let mut vals = Vec::with_capacity(items.len());
                for item in items {
                    match self.one(item)? {
                        One::Value(v) => vals.push(v),
                        other => return Ok(other),
                    }
                }
                One::Value(Value::array(vals))
            }
            Term::Set(items) => {
                let mut vals = Set::new();
                for item in items {
                    match self.one(item)? {
                        One::Value(v) => vals.insert(v),
                        other => return Ok(other),
                    };
                }
                One::Value(Value::set(vals))
            }
            Term::Object(items) => {
                let mut obj = Object::new();
                for (kt, vt) in items {
                    let key = match self.one(kt)? {
                        One::Value(v) => v,
                        other => return Ok(other),
                    };
                    match self.one(vt)? {
                        One::Value(v) => obj.insert(key, v),
                        other => return Ok(other),
                    };
                }
                One::Value(Value::object(obj))
            }
            _ => One::Many,
        })
    }

    /// [`Self::one`], with constants and bound variables (most call arguments and reference
    /// heads) read without a call.
    #[inline(always)]
    fn one_inline(&mut self, t: &Term) -> R<One> {
        match t {
            Term::Value(v) => Ok(One::Value(v.clone())),
            Term::Var(s) => Ok(match self.get(*s) {
                Some(v) => One::Value(v),
                None => One::Many,
            }),
            _ => self.one(t),
        }
    }

    /// Follows a reference from a bound variable, the input or a computed rule value where it
    /// is stored, when every key is a constant or a bound variable (most references), cloning
    /// only the value found; `None` for any other reference.
    fn follow_in_place(&self, head: &Term, path: &[Term]) -> Option<One> {
        Some(self.in_place(head, path)?.cloned().into())
    }

    /// Where [`Self::follow_in_place`] finds a reference's value: `Some(None)` when it is
    /// undefined, `None` when the reference must be evaluated.
    fn in_place(&self, head: &Term, path: &[Term]) -> Option<Option<&Value>> {
        let root = match head {
            Term::Var(s) => self.slots.get(self.base + s)?.as_ref()?,
            Term::Input => match &self.input {
                Some(v) => v,
                None => return Some(None),
            },
            // A rule already computed in this evaluation (the first use computes it).
            Term::Rule(id) => match self.cache.get(*id)? {
                Some(Some(v)) => v,
                Some(None) => return Some(None),
                None => return None,
            },
            _ => return None,
        };
        let mut cur = root;
        for sel in path {
            let key = match sel {
                Term::Value(key) => key,
                Term::Var(s) => self.slots.get(self.base + s)?.as_ref()?,
                _ => return None,
            };
            match cur.index(key) {
                Some(v) => cur = v,
                None => return Some(None),
            }
        }
        Some(Some(cur))
    }

    /// A term's value where it is (a constant; a bound variable, the input or a computed rule,
    /// or a reference followed in place from one), as [`Self::in_place`] gives it.
    fn peek<'t>(&'t self, t: &'t Term) -> Option<Option<&'t Value>> {
        match t {
            Term::Value(v) => Some(Some(v)),
            Term::Ref(head, path) => self.in_place(head, path),
            head => self.in_place(head, &[]),
        }
    }

    /// A built-in called with its arguments where they are ([`Self::peek`]), none cloned:
    /// `Some(None)` when an argument is undefined, `None` when one must be evaluated.
    fn call_in_place(
        &self,
        f: RefFn,
        inputs: &[Term],
    ) -> Option<Option<Result<Value, BuiltinError>>> {
        let null = &Value::Null;
        let mut refs = [null; 3];
        if inputs.len() > refs.len() {
            return None;
        }
        for (slot, t) in refs.iter_mut().zip(inputs) {
            match self.peek(t)? {
                Some(v) => *slot = v,
                None => return Some(None),
            }
        }
        Some(Some(f(&refs[..inputs.len()])))
    }

    /// Follows a reference path from `head` while every key has one value.
    fn follow(&mut self, head: &Value, path: &[Term]) -> R<One> {
        let mut cur = head;
        for sel in path {
            let next = match sel {
                Term::Value(key) => cur.index(key),
                Term::Var(s) => match self.slots.get(self.base + s) {
                    Some(Some(key)) => cur.index(key),
                    _ => return Ok(One::Many),
                },
                _ if self.is_open(sel) => return Ok(One::Many),
                _ => match self.one(sel)? {
                    One::Value(key) => cur.index(&key),
                    other => return Ok(other),
                },
            };
            match next {
                Some(v) => cur = v,
                None => return Ok(One::Undefined),
            }
        }
        Ok(One::Value(cur.clone()))
    }

    /// A call whose arguments have one value each and whose output (if any) is bound.
    fn call_one(&mut self, callee: &Callee, args: &[Term], span: Span) -> R<One> {
        if matches!(callee, Callee::Print) || self.options.print {
            return Ok(One::Many);
        }
        let (inputs, out) = match args.split_last() {
            Some((out, inputs)) if callee.has_output(args.len()) => (inputs, Some(out)),
            _ => (args, None),
        };
        if out.is_some_and(|o| self.is_open(o)) {
            return Ok(One::Many);
        }
        if let Callee::Builtin(b) = callee {
            if let Some(found) = b.by_ref.and_then(|f| self.call_in_place(f, inputs)) {
                let Some(result) = found else {
                    return Ok(One::Undefined);
                };
                let v = self.builtin_result(result, span)?;
                return self.output(v, out);
            }
        }
        // Calls with up to three arguments (nearly all) pass them in an array on the stack.
        macro_rules! arg {
            ($t:expr) => {
                match self.one_inline($t)? {
                    One::Value(v) => v,
                    other => return Ok(other),
                }
            };
        }
        let result = match inputs {
            [] => self.apply(callee, &mut [], span)?,
            [a] => {
                let a = arg!(a);
                self.apply(callee, &mut [a], span)?
            }
            [a, b] => {
                let (a, b) = (arg!(a), arg!(b));
                self.apply(callee, &mut [a, b], span)?
            }
            [a, b, c] => {
                let (a, b, c) = (arg!(a), arg!(b), arg!(c));
                self.apply(callee, &mut [a, b, c], span)?
            }
            _ => {
                let mut vals = Vec::with_capacity(inputs.len());
                for a in inputs {
                    vals.push(arg!(a));
                }
                self.apply(callee, &mut vals, span)?
            }
        };
        self.output(result, out)
    }

    /// A call's value, compared with its output term when it has one.
    fn output(&mut self, result: Option<Value>, out: Option<&Term>) -> R<One> {
        let Some(v) = result else {
            return Ok(One::Undefined);
        };
        let Some(out) = out else {
            return Ok(One::Value(v));
        };
        Ok(match self.one(out)? {
            One::Value(o) if o == v => One::Value(Value::Bool(true)),
            One::Value(_) => One::Undefined,
            other => other,
        })
    }

    /// The result of calling `callee` with `args`: `None` when undefined (a built-in's error
    /// too, unless evaluation is strict).
    fn apply(&mut self, callee: &Callee, args: &mut [Value], span: Span) -> R<Option<Value>> {
        match callee {
            Callee::Builtin(b) => self.builtin_result((b.func)(args), span),
            Callee::Rule { id, .. } => self.call_function(*id, args, span),
            Callee::Print => Ok(None),
        }
    }

    /// A built-in's result: `None` when undefined (its error too, unless evaluation is strict).
    fn builtin_result(&self, r: Result<Value, BuiltinError>, span: Span) -> R<Option<Value>> {
        match r {
            Ok(v) => Ok(Some(v)),
            Err(e) if self.options.strict && !e.is_undefined() => {
                Err(self.error(e.kind, &e.message, span))
            }
            Err(_) => Ok(None),
        }
    }

    /// Every value of any term, by continuation.
    fn eval_many(&mut self, t: &Term, k: KV<'_, 'a>) -> R<bool> {
        match t {
            Term::Value(v) => k(self, v.clone()),
            Term::Var(s) => match self.get(*s) {
                Some(v) => k(self, v),
                None => Err(self.error(
                    ErrorKind::Compile,
                    "internal error: unbound variable",
                    Span::default(),
                )),
            },
            Term::Input => match self.input.clone() {
                Some(v) => k(self, v),
                None => Ok(false),
            },
            Term::Rule(id) => match self.rule_value(*id)? {
                Some(v) => k(self, v),
                None => Ok(false),
            },
            Term::Data(path) => match self.data_at(path)? {
                Some(v) => k(self, v),
                None => Ok(false),
            },
            Term::Ref(head, path) => self.eval_term(head, &mut |ev, hv| ev.walk(hv, path, 0, k)),
            Term::Call(callee, args, span) => self.eval_call(callee, args, *span, k),
            Term::Array(items) => self.eval_list(
                items,
                0,
                &mut Vec::with_capacity(items.len()),
                &mut |ev, vals| k(ev, Value::array(vals.to_vec())),
            ),
            Term::Set(items) => self.eval_list(
                items,
                0,
                &mut Vec::with_capacity(items.len()),
                &mut |ev, vals| k(ev, Value::set(vals.iter().cloned().collect())),
            ),
            Term::Object(items) => self.eval_pairs(
                items,
                0,
                &mut Vec::with_capacity(items.len()),
                &mut |ev, kvs| k(ev, Value::object(kvs.iter().cloned().collect())),
            ),
            Term::ArrayCompr(head, body) => {
                let mut out = vec![];
                self.eval_body(body, 0, &mut |ev| {
                    ev.eval_term(head, &mut |_, v| {
                        out.push(v);
                        Ok(false)
                    })
                })?;
                k(self, Value::array(out))
            }
            Term::SetCompr(head, body) => {
                let mut out = Set::new();
                self.eval_body(body, 0, &mut |ev| {
                    ev.eval_term(head, &mut |_, v| {
                        out.insert(v);
                        Ok(false)
                    })
                })?;
                let out = self.set_value(out);
                k(self, out)
            }
            Term::ObjectCompr(key, value, body) => {
                let mut out = Object::new();
                let mut conflict = false;
                self.eval_body(body, 0, &mut |ev| {
                    ev.eval_term(key, &mut |ev, kv| {
                        ev.eval_term(value, &mut |_, vv| {
                            match out.get(&kv) {
                                Some(old) if *old != vv => conflict = true,
                                _ => {
                                    out.insert(kv.clone(), vv);
                                }
                            }
                            Ok(false)
                        })
                    })
                })?;
                if conflict {
                    return Err(self.error(
                        ErrorKind::Conflict,
                        "object keys must be unique",
                        Span::default(),
                    ));
                }
                k(self, Value::object(out))
            }
            Term::Member(key, value, coll) => self.eval_term(coll, &mut |ev, c| {
                ev.eval_term(value, &mut |ev, v| match key {
                    None => {
                        let found = match &c {
                            Value::Array(a) => a.contains(&v),
                            Value::Set(s) => s.contains(&v),
                            Value::Object(o) => o.values().any(|x| *x == v),
                            _ => false,
                        };
                        k(ev, Value::Bool(found))
                    }
                    Some(kt) => ev.eval_term(kt, &mut |ev, kv| {
                        let found = c.index(&kv).is_some_and(|x| *x == v)
                            && !matches!(c, Value::Set(_) if kv != v);
                        k(ev, Value::Bool(found))
                    }),
                })
            }),
        }
    }

    fn error(&self, kind: ErrorKind, msg: &str, span: Span) -> Box<Diagnostic> {
        Box::new(match &self.source {
            Some(src) if span != Span::default() => Diagnostic::at(kind, msg, src, span),
            _ => Diagnostic::bare(kind, msg),
        })
    }

    /// Evaluates terms left to right, calling `k` once per combination of their values.
    fn eval_list(
        &mut self,
        terms: &[Term],
        i: usize,
        acc: &mut Vec<Value>,
        k: &mut dyn FnMut(&mut Evaluator<'a>, &[Value]) -> R<bool>,
    ) -> R<bool> {
        let Some(t) = terms.get(i) else {
            return k(self, acc);
        };
        self.eval_term(t, &mut |ev, v| {
            acc.push(v);
            let r = ev.eval_list(terms, i + 1, acc, k);
            acc.pop();
            r
        })
    }

    /// Evaluates the keys and values of an object term, calling `k` once per combination.
    fn eval_pairs(
        &mut self,
        items: &[(Term, Term)],
        i: usize,
        acc: &mut Vec<(Value, Value)>,
        k: KPairs<'_, 'a>,
    ) -> R<bool> {
        let Some((kt, vt)) = items.get(i) else {
            return k(self, acc);
        };
        self.eval_term(kt, &mut |ev, key| {
            ev.eval_term(vt, &mut |ev, value| {
                acc.push((key.clone(), value));
                let r = ev.eval_pairs(items, i + 1, acc, k);
                acc.pop();
                r
            })
        })
    }

    /// Follows a reference path from a value, iterating where a key is an unbound variable.
    fn walk(&mut self, value: Value, path: &[Term], i: usize, k: KV<'_, 'a>) -> R<bool> {
        let Some(sel) = path.get(i) else {
            return k(self, value);
        };
        if matches!(sel, Term::Array(_) | Term::Object(_)) && self.is_open(sel) {
            return each_entry(self, &value, &mut |ev, key, child| {
                ev.match_pattern(sel, key.clone(), &mut |ev| {
                    ev.walk(child.clone(), path, i + 1, k)
                })
            });
        }
        if let Term::Var(s) = sel {
            if !self.is_bound(*s) {
                let s = *s;
                return each_entry(self, &value, &mut |ev, key, child| {
                    ev.bind(s, key.clone());
                    let r = ev.walk(child.clone(), path, i + 1, k);
                    ev.unbind(s);
                    r
                });
            }
        }
        self.eval_term(sel, &mut |ev, key| match value.index(&key) {
            Some(child) => ev.walk(child.clone(), path, i + 1, k),
            None => Ok(false),
        })
    }

    fn eval_call(&mut self, callee: &Callee, args: &[Term], span: Span, k: KV<'_, 'a>) -> R<bool> {
        if let Callee::Print = callee {
            let mut parts = vec![];
            for a in args {
                let mut first = None;
                self.eval_term(a, &mut |_, v| {
                    first = Some(v);
                    Ok(true)
                })?;
                parts.push(match first {
                    Some(Value::String(s)) => s.to_string(),
                    Some(v) => v.to_string(),
                    None => "<undefined>".to_string(),
                });
            }
            if self.options.print {
                self.printed.push(parts.join(" "));
            }
            return k(self, Value::Bool(true));
        }
        let has_output = callee.has_output(args.len());
        let inputs = if has_output {
            &args[..args.len() - 1]
        } else {
            args
        };
        self.eval_list(
            inputs,
            0,
            &mut Vec::with_capacity(inputs.len()),
            &mut |ev, vals| {
                let result = match callee {
                    Callee::Builtin(b) => ev.builtin_result((b.func)(vals), span)?,
                    // The memo takes a call's arguments; the list still needs these.
                    _ => ev.apply(callee, &mut vals.to_vec(), span)?,
                };
                let Some(v) = result else {
                    return Ok(false);
                };
                match args.last() {
                    Some(out) if has_output => {
                        ev.match_pattern(out, v, &mut |ev| k(ev, Value::Bool(true)))
                    }
                    _ => k(ev, v),
                }
            },
        )
    }

    /// The `data` document at a static path: base data merged with the rules below it.
    fn data_at(&mut self, path: &[Arc<str>]) -> R<Option<Value>> {
        let mut base = Some(self.data.clone());
        for seg in path {
            base = base.and_then(|b| b.get(seg).cloned());
        }
        let mut node = &self.program.tree;
        for seg in path {
            match node.children.get(seg) {
                Some(n) => node = n,
                None => return Ok(base),
            }
        }
        let mut doc = match base {
            Some(Value::Object(o)) => (*o).clone(),
            Some(other) if node.children.is_empty() => return Ok(Some(other)),
            _ => Object::new(),
        };
        self.virtual_doc(node, &mut doc)?;
        Ok(Some(Value::object(doc)))
    }

    fn virtual_doc(&mut self, node: &'a DataNode, doc: &mut Object) -> R<()> {
        for (name, child) in &node.children {
            let key = Value::String(name.clone());
            if let Some(id) = child.rule {
                if matches!(self.program.rules[id].kind, RuleKind::Function { .. }) {
                    continue;
                }
                if let Some(v) = self.rule_value(id)? {
                    doc.insert(key, v);
                }
            } else {
                let mut sub = match doc.get(&key) {
                    Some(Value::Object(o)) => (**o).clone(),
                    _ => Object::new(),
                };
                self.virtual_doc(child, &mut sub)?;
                doc.insert(key, Value::object(sub));
            }
        }
        Ok(())
    }
}

/// The values the definitions of a complete rule or a function produce: nearly always none or
/// one, so the first is held without allocating.
#[derive(Default)]
struct Outputs {
    first: Option<Value>,
    /// Values different from `first` (possibly repeated).
    others: Vec<Value>,
    /// How many values were produced, repeats included.
    produced: usize,
}

impl Outputs {
    fn push(&mut self, v: Value) {
        self.produced += 1;
        match &self.first {
            None => self.first = Some(v),
            Some(first) if *first == v => {}
            Some(_) => self.others.push(v),
        }
    }

    /// The one distinct value (`None` when there was none), or the two smallest distinct
    /// values when there were several.
    fn single(self) -> Result<Option<Value>, (Value, Value)> {
        if self.others.is_empty() {
            return Ok(self.first);
        }
        let mut all = self.others;
        all.extend(self.first);
        all.sort();
        all.dedup();
        let mut all = all.into_iter();
        match (all.next(), all.next()) {
            (Some(a), Some(b)) => Err((a, b)),
            (a, _) => Ok(a),
        }
    }
}

/// Collects the values of `value` over the solutions of `body`.
fn collect_values(
    ev: &mut Evaluator<'_>,
    body: &[Literal],
    value: &Term,
    values: &mut Outputs,
) -> R<()> {
    let constant = value.as_const().is_some();
    ev.eval_body(body, 0, &mut |ev| {
        ev.eval_term(value, &mut |_, v| {
            values.push(v);
            Ok(constant)
        })
    })?;
    Ok(())
}

/// Calls `f` with each (key, value) pair of a collection (index and element, key and value,
/// member and member) until it returns `true`; returns whether one did.
fn each_entry<'a>(
    ev: &mut Evaluator<'a>,
    v: &Value,
    f: &mut dyn FnMut(&mut Evaluator<'a>, &Value, &Value) -> R<bool>,
) -> R<bool> {
    match v {
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                if f(ev, &Value::int(i as i64), x)? {
                    return Ok(true);
                }
            }
        }
        Value::Object(map) => {
            for (key, x) in map.iter() {
                if f(ev, key, x)? {
                    return Ok(true);
                }
            }
        }
        Value::Set(set) => {
            for x in set.iter() {
                if f(ev, x, x)? {
                    return Ok(true);
                }
            }
        }
        _ => {}
    }
    Ok(false)
}

/// A copy of `doc` with the value at `path` replaced (objects created along the way).
fn set_path(doc: &Value, path: &[Value], v: Value) -> Value {
    let Some((first, rest)) = path.split_first() else {
        return v;
    };
    let mut obj = match doc {
        Value::Object(o) => (**o).clone(),
        _ => Object::new(),
    };
    let child = obj.get(first).cloned().unwrap_or_else(Value::empty_object);
    obj.insert(first.clone(), set_path(&child, rest, v));
    Value::object(obj)
}
