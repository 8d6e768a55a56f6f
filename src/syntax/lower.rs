//! Lowering: the pest pairs of `grammar/rego.pest` into the tree of [`ast`](super::ast).
//!
//! The grammar accepts a little more than Rego v1 so that common mistakes get a clear message
//! here rather than a list of expected tokens: a body without `if`, a dotted rule name, literals
//! on one line without `;`, a rule with neither value nor body. Those are reported and lowering
//! goes on, so one pass finds every such mistake in a file. A pair shape the grammar cannot produce is
//! reported as an internal error with its span; nothing here panics.

use super::ast::{
    BinOp, Body, Else, Expr, ExprKind, Head, Import, Literal, LiteralKind, Module, RefArg, Rule,
    With,
};
use super::parser::Rule as R;
use super::scan::{marks, Mark};
use crate::error::{Diagnostic, ErrorKind};
use crate::source::{Source, Span};
use pest::iterators::{Pair, Pairs};
use std::iter::Peekable;
use std::sync::Arc;

type P<'i> = Pair<'i, R>;
type It<'i> = Peekable<Pairs<'i, R>>;
/// Boxed, so that the many `Result`s on the recursive descent stay small on the stack.
type Res<T> = Result<T, Box<Diagnostic>>;

/// The most binary operators one expression may chain. The tree of a longer chain is so deep
/// that walking or dropping it recursively could overflow the stack.
const MAX_OPERATORS: usize = 1000;

/// Turns pairs into syntax, collecting the mistakes it finds on the way.
pub(super) struct Lowerer<'s> {
    source: &'s Source,
    errors: Vec<Diagnostic>,
}

/// The span of `pair` without trailing whitespace and comments. pest ends a rule after the
/// implicit whitespace that precedes an optional part left unmatched (`a ~ b?`), so the end is
/// taken from the last token instead: the last descendant, found in steps down the tree.
fn span_of(pair: &P) -> Span {
    let mut last = pair.clone();
    while let Some(inner) = last.clone().into_inner().next_back() {
        last = inner;
    }
    Span::new(pair.as_span().start(), last.as_span().end())
}

impl<'s> Lowerer<'s> {
    pub(super) fn new(source: &'s Source) -> Self {
        Lowerer {
            source,
            errors: Vec::new(),
        }
    }

    /// The mistakes reported so far.
    pub(super) fn into_errors(self) -> Vec<Diagnostic> {
        self.errors
    }

    fn error(&self, span: Span, message: impl Into<String>) -> Box<Diagnostic> {
        Box::new(Diagnostic::at(ErrorKind::Parse, message, self.source, span))
    }

    fn report(&mut self, span: Span, message: impl Into<String>) {
        let diagnostic = self.error(span, message);
        self.errors.push(*diagnostic);
    }

    /// A pair the grammar should not have produced where it is.
    fn bug(&self, pair: &P) -> Box<Diagnostic> {
        self.error(
            span_of(pair),
            format!(
                "internal parser error: unexpected {:?} in the syntax tree",
                pair.as_rule()
            ),
        )
    }

    /// The next child, which must be a `rule`; `parent` locates the error when it is missing.
    fn take<'i>(&self, it: &mut It<'i>, wanted: R, parent: Span) -> Res<P<'i>> {
        match it.next() {
            Some(pair) if pair.as_rule() == wanted => Ok(pair),
            Some(pair) => Err(self.bug(&pair)),
            None => Err(self.error(
                parent,
                format!("internal parser error: missing {wanted:?} in the syntax tree"),
            )),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Module, package, imports

    /// Lowers a `module` pair. Rules that fail are reported and skipped.
    pub(super) fn module(&mut self, pair: P, source: &Arc<Source>) -> Option<Module> {
        let whole = span_of(&pair);
        let mut it = pair.into_inner().peekable();
        let package = match self.take(&mut it, R::package_decl, whole) {
            Ok(p) => p,
            Err(e) => {
                self.errors.push(*e);
                return None;
            }
        };
        let (package, package_span) = match self.package(package) {
            Ok(p) => p,
            Err(e) => {
                self.errors.push(*e);
                return None;
            }
        };
        let mut imports = Vec::new();
        let mut rules = Vec::new();
        for item in it {
            let lowered = match item.as_rule() {
                R::import_decl => self.import(item).map(|i| imports.push(i)),
                R::rule => self.rule(item).map(|r| rules.push(r)),
                R::EOI => Ok(()),
                _ => Err(self.bug(&item)),
            };
            if let Err(e) = lowered {
                self.errors.push(*e);
            }
        }
        Some(Module {
            source: source.clone(),
            package,
            package_span,
            imports,
            rules,
            comments: comments(source.text()),
        })
    }

    fn package(&mut self, pair: P) -> Res<(Vec<String>, Span)> {
        let whole = span_of(&pair);
        let mut it = pair.into_inner().peekable();
        self.take(&mut it, R::kw_package, whole)?;
        let path = self.take(&mut it, R::path, whole)?;
        let span = span_of(&path);
        Ok((path_segments(path), span))
    }

    fn import(&mut self, pair: P) -> Res<Import> {
        let span = span_of(&pair);
        let mut it = pair.into_inner().peekable();
        self.take(&mut it, R::kw_import, span)?;
        let path_pair = self.take(&mut it, R::path, span)?;
        let path_span = span_of(&path_pair);
        let path = path_segments(path_pair);
        let alias = match it.next() {
            Some(kw) if kw.as_rule() == R::kw_as => {
                Some(self.take(&mut it, R::var, span)?.as_str().to_string())
            }
            Some(other) => return Err(self.bug(&other)),
            None => None,
        };
        let text: Vec<&str> = path.iter().map(String::as_str).collect();
        match text.as_slice() {
            ["data" | "input", .., last] if alias.is_none() && is_keyword(last) => self.report(
                path_span,
                format!("an import path cannot end with the keyword `{last}`: add `as` and a name"),
            ),
            ["data" | "input", ..] => {}
            ["rego", "v1"] | ["future", "keywords"] => {}
            ["future", "keywords", "in" | "every" | "contains" | "if"] => {}
            ["rego", ..] => self.report(path_span, "the only `rego` import is `import rego.v1`"),
            ["future", ..] => self.report(
                path_span,
                "unknown future import: expected `future.keywords` or `future.keywords.<keyword>`",
            ),
            [first, ..] => self.report(
                path_span,
                format!(
                    "an import path starts with `data`, `input`, `future` or `rego`, not `{first}`"
                ),
            ),
            [] => return Err(self.error(path_span, "expected a path after `import`")),
        }
        if alias.is_some() && matches!(text.first(), Some(&("rego" | "future"))) {
            self.report(span, "`rego` and `future` imports cannot have an alias");
        }
        Ok(Import { path, alias, span })
    }

    // -----------------------------------------------------------------------------------------
    // Rules

    fn rule(&mut self, pair: P) -> Res<Rule> {
        let whole = span_of(&pair);
        let mut it = pair.into_inner().peekable();
        let inner = it
            .next()
            .ok_or_else(|| self.error(whole, "internal parser error: empty rule"))?;
        match inner.as_rule() {
            R::default_rule => self.default_rule(inner),
            R::regular_rule => self.regular_rule(inner),
            _ => Err(self.bug(&inner)),
        }
    }

    fn default_rule(&mut self, pair: P) -> Res<Rule> {
        let span = span_of(&pair);
        let mut it = pair.into_inner().peekable();
        self.take(&mut it, R::kw_default, span)?;
        let name_pair = self.take(&mut it, R::rule_name, span)?;
        let name = name_pair.as_str().to_string();
        let name_span = span_of(&name_pair);
        if let Some(path) = it.next_if(|p| p.as_rule() == R::head_path) {
            self.report_ref_head(&name, &path);
        }
        let params = match it.next_if(|p| p.as_rule() == R::params) {
            Some(params) => Some(self.list(params, R::close_paren)?),
            None => None,
        };
        self.take(&mut it, R::assign_op, span)?;
        let value = Some(self.expr_kv(self.take(&mut it, R::expr_kv, span)?)?);
        value.iter().for_each(|v| self.check_constant(v));
        let head = match params {
            Some(args) => {
                self.check_default_params(&args);
                Head::Function { args, value }
            }
            None => Head::Complete { value },
        };
        Ok(Rule {
            span,
            is_default: true,
            name,
            name_span,
            head,
            body: None,
            elses: Vec::new(),
        })
    }

    /// The parameters of a default function must be distinct variables (`_` may repeat).
    fn check_default_params(&mut self, args: &[Expr]) {
        let mut seen: Vec<&str> = Vec::new();
        for arg in args {
            match &arg.kind {
                ExprKind::Var(v) if v == "_" => {}
                ExprKind::Var(v) if seen.contains(&v.as_str()) => {
                    self.report(arg.span, format!("the parameter `{v}` is repeated"));
                }
                ExprKind::Var(v) => seen.push(v),
                _ => self.report(
                    arg.span,
                    "the parameters of a default function must be variables",
                ),
            }
        }
    }

    /// Reports the first part of a default value that is not a constant, as OPA does.
    fn check_constant(&mut self, value: &Expr) {
        let what = match &value.kind {
            ExprKind::Null
            | ExprKind::Bool(_)
            | ExprKind::Number(_)
            | ExprKind::String(_)
            | ExprKind::ArrayCompr { .. }
            | ExprKind::SetCompr { .. }
            | ExprKind::ObjectCompr { .. } => return,
            ExprKind::Array(items) | ExprKind::Set(items) => {
                items.iter().for_each(|item| self.check_constant(item));
                return;
            }
            ExprKind::Object(pairs) => {
                for (k, v) in pairs {
                    self.check_constant(k);
                    self.check_constant(v);
                }
                return;
            }
            ExprKind::Var(_) => "a variable",
            ExprKind::Ref { .. } => "a reference",
            ExprKind::Call { .. } => "a call",
            ExprKind::Binary { .. } | ExprKind::Neg(_) | ExprKind::Membership { .. } => {
                "an operator"
            }
        };
        self.report(
            value.span,
            format!("a default value must be a constant, not {what}"),
        );
    }

    fn report_ref_head(&mut self, name: &str, path: &P) {
        self.report(
            span_of(path),
            format!(
                "rule names cannot contain dots: `{name}{}` is a ref head, which gavel does not support",
                path.as_str()
            ),
        );
    }

    fn regular_rule(&mut self, pair: P) -> Res<Rule> {
        let span = span_of(&pair);
        let mut it = pair.into_inner().peekable();
        let name_pair = self.take(&mut it, R::rule_name, span)?;
        let name = name_pair.as_str().to_string();
        let name_span = span_of(&name_pair);
        if let Some(path) = it.next_if(|p| p.as_rule() == R::head_path) {
            self.report_ref_head(&name, &path);
        }
        let params = match it.next_if(|p| p.as_rule() == R::params) {
            Some(p) => Some(self.list(p, R::close_paren)?),
            None => None,
        };
        let key = match it.next_if(|p| p.as_rule() == R::head_key) {
            Some(k) => {
                let kspan = span_of(&k);
                let mut inner = k.into_inner().peekable();
                Some(self.expr_kv(self.take(&mut inner, R::expr_kv, kspan)?)?)
            }
            None => None,
        };
        let member = match it.next_if(|p| p.as_rule() == R::contains_value) {
            Some(c) => {
                let cspan = span_of(&c);
                let mut inner = c.into_inner().peekable();
                self.take(&mut inner, R::kw_contains, cspan)?;
                Some((
                    self.expr_kv(self.take(&mut inner, R::expr_kv, cspan)?)?,
                    cspan,
                ))
            }
            None => None,
        };
        let value = match it.next_if(|p| p.as_rule() == R::head_value) {
            Some(v) => Some(self.head_value(v)?),
            None => None,
        };
        let is_function = params.is_some();
        let missing_if = match (&key, &value) {
            // `p[x] { ... }` is how Rego v0 wrote a partial set.
            (Some(key), None) => format!(
                "`if` is required before a rule body in Rego v1, and a partial set is written `{name} contains {} if {{ ... }}`",
                self.source.slice(key.span)
            ),
            _ => missing_if_message(is_function),
        };
        let body = match it.next_if(|p| p.as_rule() == R::rule_body) {
            Some(b) => Some(self.rule_body(b, Some(&missing_if))?),
            None => None,
        };

        let head = match (params, key, member) {
            (Some(args), None, None) => {
                if value.is_none() && body.is_none() {
                    self.report(
                        span,
                        "a function needs a value (`f(x) := v`) or a body (`f(x) if { ... }`)",
                    );
                }
                Head::Function { args, value }
            }
            (None, Some(key), None) => {
                if value.is_none() && body.is_none() {
                    self.report(
                        span,
                        format!(
                            "`contains` is required for partial set rules in Rego v1: write `{name} contains ...`"
                        ),
                    );
                }
                Head::PartialObject { key, value }
            }
            (None, None, Some((key, _))) => Head::PartialSet { key },
            (None, None, None) => {
                if value.is_none() && body.is_none() {
                    self.report(
                        span,
                        format!(
                            "the rule `{name}` needs a value (`{name} := v`) or a body (`{name} if {{ ... }}`)"
                        ),
                    );
                }
                Head::Complete { value }
            }
            (_, _, Some((_, cspan))) => {
                return Err(self.error(
                    cspan,
                    format!("a partial set rule is written `{name} contains x`, with no `(...)` or `[...]`"),
                ));
            }
            (Some(_), Some(_), None) => return Err(self.bug_at(span)),
        };

        let mut elses = Vec::new();
        let mut has_body = body.is_some();
        for clause in it {
            if clause.as_rule() != R::else_clause {
                return Err(self.bug(&clause));
            }
            let clause_span = span_of(&clause);
            if !matches!(head, Head::Complete { .. } | Head::Function { .. }) {
                self.report(
                    clause_span,
                    "`else` can only follow a complete rule or a function",
                );
            } else if !has_body {
                self.report(
                    clause_span,
                    "`else` must follow a rule body (`... if { ... } else ...`)",
                );
            }
            let clause = self.else_clause(clause)?;
            has_body = clause.body.is_some();
            elses.push(clause);
        }
        Ok(Rule {
            span,
            is_default: false,
            name,
            name_span,
            head,
            body,
            elses,
        })
    }

    /// A part missing from (or out of place in) the pairs of the construct at `span`.
    fn bug_at(&self, span: Span) -> Box<Diagnostic> {
        self.error(
            span,
            "internal parser error: unexpected shape of the syntax tree",
        )
    }

    fn head_value(&mut self, pair: P) -> Res<Expr> {
        let span = span_of(&pair);
        let mut it = pair.into_inner().peekable();
        self.take(&mut it, R::assign_op, span)?;
        self.expr_kv(self.take(&mut it, R::expr_kv, span)?)
    }

    /// `if` and a body. A braced body without `if` is reported with the message `missing_if`,
    /// or accepted when that is `None` (after `else`, where OPA does not require `if`).
    fn rule_body(&mut self, pair: P, missing_if: Option<&str>) -> Res<Body> {
        let span = span_of(&pair);
        let mut it = pair.into_inner().peekable();
        let first = it.next().ok_or_else(|| self.bug_at(span))?;
        match first.as_rule() {
            R::kw_if => {
                let body = it.next().ok_or_else(|| self.bug_at(span))?;
                match body.as_rule() {
                    R::braced_body => self.braced_body(body),
                    R::literal => {
                        let literal = self.literal(body)?;
                        Ok(Body {
                            span: literal.span,
                            literals: vec![literal],
                        })
                    }
                    _ => Err(self.bug(&body)),
                }
            }
            R::missing_if => {
                if let Some(message) = missing_if {
                    self.report(
                        Span::new(span.start as usize, span.start as usize + 1),
                        message,
                    );
                }
                let mut inner = first.into_inner().peekable();
                self.braced_body(self.take(&mut inner, R::braced_body, span)?)
            }
            _ => Err(self.bug(&first)),
        }
    }

    fn else_clause(&mut self, pair: P) -> Res<Else> {
        let span = span_of(&pair);
        let mut it = pair.into_inner().peekable();
        self.take(&mut it, R::kw_else, span)?;
        let value = match it.next_if(|p| p.as_rule() == R::head_value) {
            Some(v) => Some(self.head_value(v)?),
            None => None,
        };
        let body = match it.next_if(|p| p.as_rule() == R::rule_body) {
            Some(b) => Some(self.rule_body(b, None)?),
            None => None,
        };
        if let Some(extra) = it.next() {
            return Err(self.bug(&extra));
        }
        if value.is_none() && body.is_none() {
            self.report(span, "expected `:= value`, `if` or a body after `else`");
        }
        Ok(Else { span, value, body })
    }

    // -----------------------------------------------------------------------------------------
    // Bodies and literals

    fn braced_body(&mut self, pair: P) -> Res<Body> {
        let span = span_of(&pair);
        let literals = self.literals(pair.into_inner())?;
        Ok(Body { span, literals })
    }

    /// Lowers a `query` pair: literals with no braces.
    pub(super) fn query(&mut self, pair: P) -> Res<Body> {
        let whole = span_of(&pair);
        let literals = self.literals(pair.into_inner())?;
        let span = match (literals.first(), literals.last()) {
            (Some(first), Some(last)) => first.span.to(last.span),
            _ => whole,
        };
        Ok(Body { span, literals })
    }

    /// The literals among `pairs` (which may also hold `;`, closers and `|`), checking that
    /// each pair of neighbours is parted by `;` or a line break.
    fn literals(&mut self, pairs: Pairs<R>) -> Res<Vec<Literal>> {
        let mut literals: Vec<Literal> = Vec::new();
        let mut semi_before = false;
        for pair in pairs {
            match pair.as_rule() {
                R::literal => {
                    let literal = self.literal(pair)?;
                    if let Some(prev) = literals.last() {
                        let between =
                            Span::new(prev.span.end as usize, literal.span.start as usize);
                        if !semi_before && !self.source.slice(between).contains('\n') {
                            self.report(
                                literal.span,
                                "expected `;` or a line break before this literal",
                            );
                        }
                    }
                    literals.push(literal);
                    semi_before = false;
                }
                R::semi => semi_before = true,
                R::close_brace | R::close_bracket | R::EOI => {}
                _ => return Err(self.bug(&pair)),
            }
        }
        Ok(literals)
    }

    fn literal(&mut self, pair: P) -> Res<Literal> {
        let span = span_of(&pair);
        let mut it = pair.into_inner().peekable();
        let first = it
            .next()
            .ok_or_else(|| self.error(span, "internal parser error: empty literal"))?;
        let kind = match first.as_rule() {
            R::not_literal => {
                let nspan = span_of(&first);
                let mut inner = first.into_inner().peekable();
                self.take(&mut inner, R::kw_not, nspan)?;
                let negated = inner.next().ok_or_else(|| self.bug_at(nspan))?;
                match negated.as_rule() {
                    R::expr_literal => LiteralKind::Not(self.expr_literal(negated)?),
                    R::some_decl => {
                        return Err(self.error(nspan, "`not` cannot be applied to `some`"));
                    }
                    R::every_literal => {
                        return Err(self.error(nspan, "`not` cannot be applied to `every`"));
                    }
                    _ => return Err(self.bug(&negated)),
                }
            }
            R::expr_literal => LiteralKind::Expr(self.expr_literal(first)?),
            R::some_decl => self.some_decl(first)?,
            R::every_literal => self.every(first)?,
            _ => return Err(self.bug(&first)),
        };
        let mut with = Vec::new();
        for modifier in it {
            if modifier.as_rule() != R::with_modifier {
                return Err(self.bug(&modifier));
            }
            with.push(self.with_modifier(modifier)?);
        }
        Ok(Literal { span, kind, with })
    }

    fn expr_literal(&mut self, pair: P) -> Res<Expr> {
        let span = span_of(&pair);
        let mut it = pair.into_inner().peekable();
        let lhs = self.expr_kv(self.take(&mut it, R::expr_kv, span)?)?;
        let Some(op) = it.next() else {
            return Ok(lhs);
        };
        if op.as_rule() != R::assign_op {
            return Err(self.bug(&op));
        }
        let op = if op.as_str() == ":=" {
            BinOp::Assign
        } else {
            BinOp::Unify
        };
        let rhs = self.expr_kv(self.take(&mut it, R::expr_kv, span)?)?;
        Ok(binary(op, lhs, rhs))
    }

    fn some_decl(&mut self, pair: P) -> Res<LiteralKind> {
        let span = span_of(&pair);
        let mut it = pair.into_inner().peekable();
        self.take(&mut it, R::kw_some, span)?;
        let inner = it.next().ok_or_else(|| self.bug_at(span))?;
        match inner.as_rule() {
            R::some_vars => Ok(LiteralKind::Some(
                inner
                    .into_inner()
                    .filter(|v| v.as_rule() == R::var)
                    .map(|v| (v.as_str().to_string(), span_of(&v)))
                    .collect(),
            )),
            R::some_in => {
                let ispan = span_of(&inner);
                let mut parts = inner.into_inner().peekable();
                let first = self.rel_expr(self.take(&mut parts, R::rel_expr, ispan)?)?;
                let (key, value) = match parts.next_if(|p| p.as_rule() == R::kv_comma) {
                    Some(_) => {
                        let value = self.rel_expr(self.take(&mut parts, R::rel_expr, ispan)?)?;
                        (Some(first), value)
                    }
                    None => (None, first),
                };
                self.take(&mut parts, R::kw_in, ispan)?;
                let collection = self.rel_expr(self.take(&mut parts, R::rel_expr, ispan)?)?;
                Ok(LiteralKind::SomeIn {
                    key,
                    value,
                    collection,
                })
            }
            _ => Err(self.bug(&inner)),
        }
    }

    fn every(&mut self, pair: P) -> Res<LiteralKind> {
        let span = span_of(&pair);
        let mut it = pair.into_inner().peekable();
        self.take(&mut it, R::kw_every, span)?;
        let first = self.take(&mut it, R::var, span)?;
        let first = (first.as_str().to_string(), span_of(&first));
        let (key, value) = match it.next_if(|p| p.as_rule() == R::kv_comma) {
            Some(_) => {
                let value = self.take(&mut it, R::var, span)?;
                (Some(first), (value.as_str().to_string(), span_of(&value)))
            }
            None => (None, first),
        };
        self.take(&mut it, R::kw_in, span)?;
        let collection = self.rel_expr(self.take(&mut it, R::rel_expr, span)?)?;
        let body = self.braced_body(self.take(&mut it, R::braced_body, span)?)?;
        Ok(LiteralKind::Every {
            key,
            value,
            collection,
            body,
        })
    }

    fn with_modifier(&mut self, pair: P) -> Res<With> {
        let span = span_of(&pair);
        let mut it = pair.into_inner().peekable();
        self.take(&mut it, R::kw_with, span)?;
        let target = self.term(self.take(&mut it, R::term, span)?)?;
        let target = match ref_path(&target) {
            Some(path) => path,
            None => {
                self.report(
                    target.span,
                    "a `with` target must be a path such as `input.x` or `data.a.b`",
                );
                Vec::new()
            }
        };
        self.take(&mut it, R::kw_as, span)?;
        let value = self.expr_kv(self.take(&mut it, R::expr_kv, span)?)?;
        Ok(With {
            span,
            target,
            value,
        })
    }

    // -----------------------------------------------------------------------------------------
    // Expressions

    /// `rel_expr [, rel_expr] (in rel_expr)*`: the first `in` takes the key when there is one.
    fn expr_kv(&mut self, pair: P) -> Res<Expr> {
        let span = span_of(&pair);
        let mut it = pair.into_inner().peekable();
        let first = self.rel_expr(self.take(&mut it, R::rel_expr, span)?)?;
        let Some(comma) = it.next_if(|p| p.as_rule() == R::kv_comma) else {
            return self.chain(first, &mut it);
        };
        let value = self.rel_expr(self.take(&mut it, R::rel_expr, span)?)?;
        self.take(&mut it, R::kw_in, span_of(&comma))?;
        let collection = self.rel_expr(self.take(&mut it, R::rel_expr, span)?)?;
        let member = membership(Some(first), value, collection);
        self.chain(member, &mut it)
    }

    /// `rel_expr (in rel_expr)*`
    fn expr(&mut self, pair: P) -> Res<Expr> {
        let span = span_of(&pair);
        let mut it = pair.into_inner().peekable();
        let first = self.rel_expr(self.take(&mut it, R::rel_expr, span)?)?;
        self.chain(first, &mut it)
    }

    /// `operand (op operand)*`
    fn rel_expr(&mut self, pair: P) -> Res<Expr> {
        let span = span_of(&pair);
        let mut it = pair.into_inner().peekable();
        let first = self.operand(self.take(&mut it, R::operand, span)?)?;
        self.chain(first, &mut it)
    }

    /// Goes on from `first` with the `op operand` and then `in rel_expr` pairs at the front of
    /// `it`, leaving whatever follows them.
    fn chain(&mut self, first: Expr, it: &mut It) -> Res<Expr> {
        let mut rest = Vec::new();
        while let Some(op) = it.next_if(|p| p.as_rule() == R::bin_op) {
            let op_span = span_of(&op);
            let Some(kind) = bin_op(op.as_str()) else {
                return Err(self.bug(&op));
            };
            if rest.len() == MAX_OPERATORS {
                return Err(self.error(
                    op_span,
                    format!("an expression may chain at most {MAX_OPERATORS} operators"),
                ));
            }
            let operand = self.operand(self.take(it, R::operand, op_span)?)?;
            rest.push((kind, operand));
        }
        let mut rest = rest.into_iter().peekable();
        let mut lhs = climb(first, &mut rest, 0);
        let mut count = 0;
        while let Some(kw) = it.next_if(|p| p.as_rule() == R::kw_in) {
            count += 1;
            if count > MAX_OPERATORS {
                return Err(self.error(
                    span_of(&kw),
                    format!("an expression may chain at most {MAX_OPERATORS} operators"),
                ));
            }
            let rhs = self.rel_expr(self.take(it, R::rel_expr, span_of(&kw))?)?;
            lhs = membership(None, lhs, rhs);
        }
        Ok(lhs)
    }

    fn operand(&mut self, pair: P) -> Res<Expr> {
        let span = span_of(&pair);
        let mut it = pair.into_inner().peekable();
        let mut negs = Vec::new();
        while let Some(neg) = it.next_if(|p| p.as_rule() == R::neg) {
            negs.push(span_of(&neg));
        }
        let term_pair = self.take(&mut it, R::term, span)?;
        if negs.len() > 1 {
            return Err(self.error(negs[1], "a unary minus cannot follow another one"));
        }
        // `-1` is a number literal; `-x` negates.
        let is_number = {
            let mut inner = term_pair.clone().into_inner();
            matches!((inner.next(), inner.next()), (Some(p), None) if p.as_rule() == R::number)
        };
        if !negs.is_empty() && is_number {
            let text = format!("-{}", term_pair.as_str());
            return Ok(Expr {
                span,
                kind: ExprKind::Number(text),
            });
        }
        let term = self.term(term_pair)?;
        Ok(match negs.first() {
            Some(_) => Expr {
                span,
                kind: ExprKind::Neg(Box::new(term)),
            },
            None => term,
        })
    }

    /// A primary term and the `.field`, `[index]` and `(args)` that follow it.
    fn term(&mut self, pair: P) -> Res<Expr> {
        let span = span_of(&pair);
        let mut it = pair.into_inner().peekable();
        let primary = it
            .next()
            .ok_or_else(|| self.error(span, "internal parser error: empty term"))?;
        let start = span.start as usize;
        let mut head = self.primary(primary)?;
        // The dotted name so far, while the term is `a.b.c`: a call takes it as its name.
        let mut name = match &head.kind {
            ExprKind::Var(v) => Some(vec![v.clone()]),
            _ => None,
        };
        let mut name_end = head.span.end as usize;
        let mut path = Vec::new();
        let mut end = head.span.end as usize;
        for suffix in it {
            let sspan = span_of(&suffix);
            end = sspan.end as usize;
            match suffix.as_rule() {
                R::field => {
                    let field = suffix.as_str().trim_start_matches('.').to_string();
                    if let Some(name) = &mut name {
                        name.push(field.clone());
                        name_end = end;
                    }
                    path.push(RefArg::Field(
                        field,
                        Span::new(sspan.start as usize + 1, end),
                    ));
                }
                R::index => {
                    name = None;
                    let mut inner = suffix.into_inner().peekable();
                    path.push(RefArg::Index(self.expr(self.take(
                        &mut inner,
                        R::expr,
                        sspan,
                    )?)?));
                }
                R::args => {
                    let Some(called) = name.take() else {
                        return Err(self.error(
                            sspan,
                            "only a name can be called, as in `f(x)` or `data.lib.f(x)`",
                        ));
                    };
                    let args = self.list(suffix, R::close_paren)?;
                    let kind = if called == ["set"] && args.is_empty() {
                        ExprKind::Set(Vec::new())
                    } else {
                        ExprKind::Call {
                            name: called,
                            name_span: Span::new(start, name_end),
                            args,
                        }
                    };
                    head = Expr {
                        span: Span::new(start, end),
                        kind,
                    };
                    path.clear();
                }
                _ => return Err(self.bug(&suffix)),
            }
        }
        if path.is_empty() {
            return Ok(head);
        }
        Ok(Expr {
            span: Span::new(start, end),
            kind: ExprKind::Ref {
                head: Box::new(head),
                path,
            },
        })
    }

    fn primary(&mut self, pair: P) -> Res<Expr> {
        let span = span_of(&pair);
        let kind = match pair.as_rule() {
            R::null_lit => ExprKind::Null,
            R::true_lit => ExprKind::Bool(true),
            R::false_lit => ExprKind::Bool(false),
            R::number => ExprKind::Number(pair.as_str().to_string()),
            R::string => {
                let text = pair.as_str();
                let inner = text.get(1..text.len().saturating_sub(1)).unwrap_or("");
                match unescape(inner) {
                    Some(s) => ExprKind::String(s),
                    None => return Err(self.error(span, "invalid escape sequence in string")),
                }
            }
            R::raw_string => {
                let text = pair.as_str();
                ExprKind::String(
                    text.get(1..text.len().saturating_sub(1))
                        .unwrap_or("")
                        .to_string(),
                )
            }
            R::var => ExprKind::Var(pair.as_str().to_string()),
            R::paren => {
                let mut it = pair.into_inner().peekable();
                let inner = self.expr_kv(self.take(&mut it, R::expr_kv, span)?)?;
                return Ok(Expr {
                    span,
                    kind: inner.kind,
                });
            }
            R::array => return self.array(pair),
            R::braces => return self.braces(pair),
            _ => return Err(self.bug(&pair)),
        };
        Ok(Expr { span, kind })
    }

    /// The `expr` children of a list such as call arguments, up to its `closer`.
    fn list(&mut self, pair: P, closer: R) -> Res<Vec<Expr>> {
        let mut out = Vec::new();
        for item in pair.into_inner() {
            match item.as_rule() {
                R::expr => out.push(self.expr(item)?),
                R::comma => {}
                r if r == closer => {}
                _ => return Err(self.bug(&item)),
            }
        }
        Ok(out)
    }

    fn array(&mut self, pair: P) -> Res<Expr> {
        let span = span_of(&pair);
        let mut it = pair.into_inner().peekable();
        let Some(first) = it.next_if(|p| p.as_rule() == R::operand) else {
            return Ok(Expr {
                span,
                kind: ExprKind::Array(Vec::new()),
            });
        };
        let first = self.operand(first)?;
        let rest = it.next().ok_or_else(|| self.bug_at(span))?;
        let kind = match rest.as_rule() {
            R::array_compr => {
                let body = self.compr_body(rest)?;
                ExprKind::ArrayCompr {
                    term: Box::new(first),
                    body,
                }
            }
            R::array_rest => {
                let mut inner = rest.into_inner().peekable();
                let mut items = vec![self.chain(first, &mut inner)?];
                for item in inner {
                    match item.as_rule() {
                        R::expr => items.push(self.expr(item)?),
                        R::comma => {}
                        _ => return Err(self.bug(&item)),
                    }
                }
                ExprKind::Array(items)
            }
            _ => return Err(self.bug(&rest)),
        };
        Ok(Expr { span, kind })
    }

    fn braces(&mut self, pair: P) -> Res<Expr> {
        let span = span_of(&pair);
        let mut it = pair.into_inner().peekable();
        let Some(first) = it.next_if(|p| p.as_rule() == R::operand) else {
            return Ok(Expr {
                span,
                kind: ExprKind::Object(Vec::new()),
            });
        };
        let first = self.operand(first)?;
        let rest = it.next().ok_or_else(|| self.bug_at(span))?;
        let kind = match rest.as_rule() {
            R::set_compr => {
                let body = self.compr_body(rest)?;
                ExprKind::SetCompr {
                    term: Box::new(first),
                    body,
                }
            }
            R::braces_rest => {
                let rspan = span_of(&rest);
                let mut inner = rest.into_inner().peekable();
                let first = self.chain(first, &mut inner)?;
                let tail = inner.next().ok_or_else(|| self.bug_at(rspan))?;
                match tail.as_rule() {
                    R::set_rest => {
                        let mut items = vec![first];
                        items.extend(self.list(tail, R::close_brace)?);
                        ExprKind::Set(items)
                    }
                    R::object_rest => self.object_rest(first, tail)?,
                    _ => return Err(self.bug(&tail)),
                }
            }
            _ => return Err(self.bug(&rest)),
        };
        Ok(Expr { span, kind })
    }

    /// `: value ...` after the first key of an object or object comprehension.
    fn object_rest(&mut self, key: Expr, pair: P) -> Res<ExprKind> {
        let span = span_of(&pair);
        let mut it = pair.into_inner().peekable();
        self.take(&mut it, R::colon, span)?;
        let value = self.operand(self.take(&mut it, R::operand, span)?)?;
        let rest = it.next().ok_or_else(|| self.bug_at(span))?;
        match rest.as_rule() {
            R::object_compr => {
                let body = self.compr_body(rest)?;
                Ok(ExprKind::ObjectCompr {
                    key: Box::new(key),
                    value: Box::new(value),
                    body,
                })
            }
            R::object_items => {
                let mut inner = rest.into_inner().peekable();
                let mut pairs = vec![(key, self.chain(value, &mut inner)?)];
                for item in inner {
                    match item.as_rule() {
                        R::object_item => {
                            let ispan = span_of(&item);
                            let mut kv = item.into_inner().peekable();
                            let k = self.expr(self.take(&mut kv, R::expr, ispan)?)?;
                            self.take(&mut kv, R::colon, ispan)?;
                            let v = self.expr(self.take(&mut kv, R::expr, ispan)?)?;
                            pairs.push((k, v));
                        }
                        R::comma => {}
                        _ => return Err(self.bug(&item)),
                    }
                }
                Ok(ExprKind::Object(pairs))
            }
            _ => Err(self.bug(&rest)),
        }
    }

    /// The body after `|` in a comprehension; its span covers the literals.
    fn compr_body(&mut self, pair: P) -> Res<Body> {
        let whole = span_of(&pair);
        let literals = self.literals(pair.into_inner())?;
        let span = match (literals.first(), literals.last()) {
            (Some(first), Some(last)) => first.span.to(last.span),
            _ => whole,
        };
        Ok(Body { span, literals })
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers

fn missing_if_message(is_function: bool) -> String {
    let what = if is_function { "function" } else { "rule" };
    format!("`if` is required before a {what} body in Rego v1: write `if {{ ... }}`")
}

/// Climbs `rest` by precedence from `lhs`; every operator here is left-associative.
/// Recursion is bounded by the number of precedence levels, not by the length of the chain.
fn climb(
    mut lhs: Expr,
    rest: &mut Peekable<std::vec::IntoIter<(BinOp, Expr)>>,
    min_prec: u8,
) -> Expr {
    while let Some((op, mut rhs)) = rest.next_if(|(op, _)| precedence(*op) >= min_prec) {
        let prec = precedence(op);
        while rest
            .peek()
            .is_some_and(|(next, _)| precedence(*next) > prec)
        {
            rhs = climb(rhs, rest, prec + 1);
        }
        lhs = binary(op, lhs, rhs);
    }
    lhs
}

/// Binding strength of the operators inside a `rel_expr` (`in`, `:=` and `=` are looser).
fn precedence(op: BinOp) -> u8 {
    match op {
        BinOp::Assign | BinOp::Unify => 0,
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => 1,
        BinOp::Or => 2,
        BinOp::And => 3,
        BinOp::Add | BinOp::Sub => 4,
        BinOp::Mul | BinOp::Div | BinOp::Rem => 5,
    }
}

/// The operator a `bin_op` pair spells.
fn bin_op(text: &str) -> Option<BinOp> {
    [
        BinOp::Eq,
        BinOp::Ne,
        BinOp::Lt,
        BinOp::Le,
        BinOp::Gt,
        BinOp::Ge,
        BinOp::Or,
        BinOp::And,
        BinOp::Add,
        BinOp::Sub,
        BinOp::Mul,
        BinOp::Div,
        BinOp::Rem,
    ]
    .into_iter()
    .find(|op| op.symbol() == text)
}

fn binary(op: BinOp, lhs: Expr, rhs: Expr) -> Expr {
    Expr {
        span: lhs.span.to(rhs.span),
        kind: ExprKind::Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        },
    }
}

fn membership(key: Option<Expr>, value: Expr, collection: Expr) -> Expr {
    let start = key.as_ref().map_or(value.span, |k| k.span);
    Expr {
        span: start.to(collection.span),
        kind: ExprKind::Membership {
            key: key.map(Box::new),
            value: Box::new(value),
            collection: Box::new(collection),
        },
    }
}

/// The segments of a `path` pair: `a.b.c` as `["a", "b", "c"]`.
fn path_segments(pair: P) -> Vec<String> {
    pair.into_inner().map(|p| p.as_str().to_string()).collect()
}

/// `a.b["c"]` as `["a", "b", "c"]`, or `None` when the expression is not such a path.
fn ref_path(expr: &Expr) -> Option<Vec<String>> {
    match &expr.kind {
        ExprKind::Var(v) => Some(vec![v.clone()]),
        ExprKind::Ref { head, path } => {
            let mut out = ref_path(head)?;
            for arg in path {
                match arg {
                    RefArg::Field(f, _) => out.push(f.clone()),
                    RefArg::Index(Expr {
                        kind: ExprKind::String(s),
                        ..
                    }) => out.push(s.clone()),
                    RefArg::Index(_) => return None,
                }
            }
            Some(out)
        }
        _ => None,
    }
}

/// Whether `word` is reserved in Rego v1.
pub(super) fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// The words that cannot name a variable or rule in Rego v1: the grammar's `keyword` rule.
const KEYWORDS: [&str; 15] = [
    "package", "import", "default", "if", "else", "contains", "not", "some", "every", "in", "with",
    "as", "true", "false", "null",
];

/// Decodes the JSON escapes of a string body (quotes removed). A lone surrogate becomes U+FFFD,
/// as with OPA's JSON decoding; `None` means a malformed escape (the grammar rules that out).
fn unescape(body: &str) -> Option<String> {
    if !body.contains('\\') {
        return Some(body.to_string());
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            '/' => out.push('/'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'u' => {
                let unit = hex4(&mut chars)?;
                if (0xD800..0xDC00).contains(&unit) {
                    // A high surrogate: only a following `\uDC00`-`\uDFFF` completes it.
                    let mut ahead = chars.clone();
                    let low = match (ahead.next(), ahead.next()) {
                        (Some('\\'), Some('u')) => {
                            hex4(&mut ahead).filter(|u| (0xDC00..0xE000).contains(u))
                        }
                        _ => None,
                    };
                    match low {
                        Some(low) => {
                            chars = ahead;
                            let code = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                            out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                        }
                        None => out.push('\u{FFFD}'),
                    }
                } else {
                    out.push(char::from_u32(unit).unwrap_or('\u{FFFD}'));
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

fn hex4(chars: &mut std::str::Chars) -> Option<u32> {
    let mut value = 0;
    for _ in 0..4 {
        value = value * 16 + chars.next()?.to_digit(16)?;
    }
    Some(value)
}

/// Every `# comment` in `text`: its span (from `#` to the end of the line) and its text
/// without the `#`.
fn comments(text: &str) -> Vec<(Span, String)> {
    marks(text)
        .filter_map(|mark| match mark {
            Mark::Comment(span) => {
                let body = text
                    .get(span.start as usize + 1..span.end as usize)
                    .unwrap_or("");
                Some((span, body.to_string()))
            }
            Mark::Open(_) | Mark::Close | Mark::Symbol(..) => None,
        })
        .collect()
}
