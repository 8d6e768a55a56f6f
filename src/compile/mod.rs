//! From syntax trees to the [`Program`] the evaluator runs.
//!
//! Two passes: the first collects every rule into the package tree (so that a reference can be
//! resolved to a rule defined in any module), the second compiles each definition: names are
//! resolved to variables, rules, imports or built-ins; variables get frame slots; every body is
//! reordered so that each literal only runs once the variables it needs are bound (OPA does the
//! same), and a variable that nothing binds is reported as unsafe. A last pass rejects recursion.

mod fork;
mod inline;
pub mod ir;
mod map;
mod purity;
mod scope;

use crate::builtins;
use crate::error::{Diagnostic, ErrorKind};
use crate::number::Number;
use crate::source::{Source, Span};
use crate::syntax::ast;
use crate::value::{Object, Set, Value};
pub(crate) use fork::fork_value;
use ir::*;
use scope::Scopes;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// Compiles parsed modules into one program. Returns every error found.
pub(crate) fn compile(modules: &[ast::Module]) -> Result<Program, Vec<Diagnostic>> {
    compile_program(modules, true)
}

/// [`compile`] without inlining functions, for the tests that hold the two to the same answers.
#[cfg(test)]
pub(crate) fn compile_plain(modules: &[ast::Module]) -> Result<Program, Vec<Diagnostic>> {
    compile_program(modules, false)
}

fn compile_program(modules: &[ast::Module], inline: bool) -> Result<Program, Vec<Diagnostic>> {
    let mut c = Compiler::default();
    c.collect(modules);
    for m in modules {
        c.compile_module(m);
    }
    if c.errors.is_empty() {
        c.check_recursion();
    }
    if c.errors.is_empty() {
        c.program.input_free = purity::input_free(&c.program);
        if inline {
            inline::inline_functions(&mut c.program);
        }
        Ok(c.program)
    } else {
        Err(c.errors)
    }
}

/// Compiles a query against a program. Returns the body, the frame size and the named variables.
pub(crate) fn compile_query(
    program: &Program,
    body: &ast::Body,
    source: &Arc<Source>,
) -> Result<CompiledQuery, Vec<Diagnostic>> {
    let mut c = Compiler {
        program: Program::default(),
        ..Compiler::default()
    };
    // Borrow the program's rules through a read-only view: the query compiler only resolves names.
    c.view = Some(program);
    let module = ModuleCtx {
        source: source.clone(),
        package: vec![],
        imports: HashMap::new(),
    };
    let mut scopes = Scopes::new();
    let body = c.compile_body(&module, &mut scopes, body, &BTreeSet::new());
    if !c.errors.is_empty() {
        return Err(c.errors);
    }
    let vars = scopes.named_vars_of_level0();
    Ok(CompiledQuery {
        body,
        frame_size: scopes.frame_size(),
        vars,
    })
}

/// A compiled query.
#[derive(Debug)]
pub(crate) struct CompiledQuery {
    pub body: Body,
    pub frame_size: usize,
    /// The query's named variables (not `_`), with their slots, in order of first appearance.
    pub vars: Vec<(String, Slot)>,
}

#[derive(Default)]
struct Compiler<'p> {
    program: Program,
    /// For queries: the program whose names are resolved.
    view: Option<&'p Program>,
    errors: Vec<Diagnostic>,
    /// Rule ids each rule's definitions call or reference (for the recursion check).
    deps: HashMap<RuleId, BTreeSet<RuleId>>,
    current_rule: Option<RuleId>,
}

/// What name resolution needs to know about the module being compiled.
struct ModuleCtx {
    source: Arc<Source>,
    package: Vec<Arc<str>>,
    /// Import alias -> full path (first segment `data` or `input`).
    imports: HashMap<String, Vec<Arc<str>>>,
}

/// What a name at the start of a reference or call resolves to.
enum Global {
    Input(Vec<Arc<str>>),
    Data(Vec<Arc<str>>),
}

impl<'p> Compiler<'p> {
    fn program(&self) -> &Program {
        self.view.unwrap_or(&self.program)
    }

    fn error(&mut self, kind: ErrorKind, msg: impl Into<String>, source: &Source, span: Span) {
        self.errors.push(Diagnostic::at(kind, msg, source, span));
    }

    // ---- pass 1: the package tree ------------------------------------------------------------

    fn collect(&mut self, modules: &[ast::Module]) {
        for m in modules {
            for rule in &m.rules {
                let mut path: Vec<Arc<str>> =
                    m.package.iter().map(|s| Arc::from(s.as_str())).collect();
                path.push(Arc::from(rule.name.as_str()));
                let kind = match &rule.head {
                    ast::Head::Complete { .. } => RuleKind::Complete,
                    ast::Head::PartialSet { .. } => RuleKind::PartialSet,
                    ast::Head::PartialObject { .. } => RuleKind::PartialObject,
                    ast::Head::Function { args, .. } => RuleKind::Function { arity: args.len() },
                };
                let mut node = &mut self.program.tree;
                for seg in &path {
                    if node.rule.is_some() {
                        break;
                    }
                    node = node.children.entry(seg.clone()).or_default();
                }
                let id = match node.rule {
                    Some(id) => id,
                    None if !node.children.is_empty() => {
                        self.errors.push(Diagnostic::at(
                            ErrorKind::Compile,
                            format!(
                                "rule {} conflicts with a package of the same path",
                                path.join(".")
                            ),
                            &m.source,
                            rule.name_span,
                        ));
                        continue;
                    }
                    None => {
                        let id = self.program.rules.len();
                        node.rule = Some(id);
                        self.program.rules.push(RuleSet {
                            path: path.clone(),
                            kind,
                            defs: vec![],
                            default: None,
                            default_frame: 0,
                            source: m.source.clone(),
                            span: rule.name_span,
                        });
                        id
                    }
                };
                let existing = self.program.rules[id].kind;
                if existing != kind && !(rule.is_default && existing != RuleKind::PartialSet) {
                    let what = |k: RuleKind| match k {
                        RuleKind::Complete => "a complete rule".to_string(),
                        RuleKind::PartialSet => "a partial set rule".to_string(),
                        RuleKind::PartialObject => "a partial object rule".to_string(),
                        RuleKind::Function { arity } => format!("a function of {arity} arguments"),
                    };
                    self.errors.push(Diagnostic::at(
                        ErrorKind::Compile,
                        format!(
                            "conflicting rules: {} is defined as {} and as {}",
                            path.join("."),
                            what(existing),
                            what(kind)
                        ),
                        &m.source,
                        rule.name_span,
                    ));
                }
            }
        }
    }

    // ---- pass 2: definitions -----------------------------------------------------------------

    fn compile_module(&mut self, m: &ast::Module) {
        let package: Vec<Arc<str>> = m.package.iter().map(|s| Arc::from(s.as_str())).collect();
        let mut imports = HashMap::new();
        for imp in &m.imports {
            let first = imp.path.first().map(String::as_str);
            match first {
                Some("rego") | Some("future") => continue,
                Some("data") | Some("input") => {}
                _ => {
                    self.error(
                        ErrorKind::Compile,
                        "an import must start with `data`, `input`, `rego.v1` or `future.keywords`",
                        &m.source,
                        imp.span,
                    );
                    continue;
                }
            }
            let alias = imp
                .alias
                .clone()
                .or_else(|| imp.path.last().cloned())
                .unwrap_or_default();
            if imports.contains_key(&alias) {
                self.error(
                    ErrorKind::Compile,
                    format!("import {alias} is defined twice"),
                    &m.source,
                    imp.span,
                );
            }
            imports.insert(
                alias,
                imp.path.iter().map(|s| Arc::from(s.as_str())).collect(),
            );
        }
        let ctx = ModuleCtx {
            source: m.source.clone(),
            package,
            imports,
        };
        for rule in &m.rules {
            self.compile_rule(&ctx, rule);
        }
    }

    fn rule_id(&self, path: &[Arc<str>]) -> Option<RuleId> {
        let mut node = &self.program().tree;
        for seg in path {
            node = node.children.get(seg)?;
        }
        node.rule
    }

    fn compile_rule(&mut self, ctx: &ModuleCtx, rule: &ast::Rule) {
        let mut path = ctx.package.clone();
        path.push(Arc::from(rule.name.as_str()));
        let Some(id) = self.rule_id(&path) else {
            return;
        };
        self.current_rule = Some(id);
        if rule.is_default {
            self.compile_default(ctx, rule, id);
            return;
        }
        let mut scopes = Scopes::new();
        // Parameters are declared in the outermost level, shared by the body and every else.
        let params_ast: &[ast::Expr] = match &rule.head {
            ast::Head::Function { args, .. } => args,
            _ => &[],
        };
        let mut declared = BTreeSet::new();
        for p in params_ast {
            collect_pattern_vars(p, &mut declared);
        }
        scopes.push_level();
        for name in &declared {
            scopes.declare(name);
        }
        let params: Vec<Term> = params_ast
            .iter()
            .map(|p| self.compile_expr(ctx, &mut scopes, p))
            .collect();
        let bound: BTreeSet<Slot> = scopes.current_slots();

        let (key_ast, value_ast) = match &rule.head {
            ast::Head::Complete { value } => (None, value.as_ref()),
            ast::Head::PartialSet { key } => (Some(key), None),
            ast::Head::PartialObject { key, value } => (Some(key), value.as_ref()),
            ast::Head::Function { value, .. } => (None, value.as_ref()),
        };
        let is_set = matches!(rule.head, ast::Head::PartialSet { .. });
        let empty = ast::Body {
            span: rule.span,
            literals: vec![],
        };
        let body_ast = rule.body.as_ref().unwrap_or(&empty);
        let head_terms: Vec<&ast::Expr> = key_ast.into_iter().chain(value_ast).collect();
        let (body, mut head) =
            self.compile_body_with_head(ctx, &mut scopes, body_ast, &head_terms, &bound);
        let key = if key_ast.is_some() {
            Some(head.remove(0))
        } else {
            None
        };
        let value = if is_set {
            Term::Value(Value::Bool(true))
        } else {
            head.pop().unwrap_or(Term::Value(Value::Bool(true)))
        };
        let mut elses = vec![];
        for e in &rule.elses {
            let body_ast = e.body.as_ref().unwrap_or(&empty);
            let heads: Vec<&ast::Expr> = e.value.iter().collect();
            let (body, mut head) =
                self.compile_body_with_head(ctx, &mut scopes, body_ast, &heads, &bound);
            elses.push((body, head.pop().unwrap_or(Term::Value(Value::Bool(true)))));
        }
        if !rule.elses.is_empty()
            && matches!(
                rule.head,
                ast::Head::PartialSet { .. } | ast::Head::PartialObject { .. }
            )
        {
            self.error(
                ErrorKind::Compile,
                "`else` is only allowed on complete rules and functions",
                &ctx.source,
                rule.name_span,
            );
        }
        let def = RuleDef {
            frame_size: scopes.frame_size(),
            params,
            key,
            value,
            body,
            elses: elses.into_iter().map(|(b, v)| (v, b)).collect(),
            source: ctx.source.clone(),
        };
        self.program.rules[id].defs.push(def);
    }

    fn compile_default(&mut self, ctx: &ModuleCtx, rule: &ast::Rule, id: RuleId) {
        let value_ast = match &rule.head {
            ast::Head::Complete { value } | ast::Head::Function { value, .. } => value.as_ref(),
            _ => None,
        };
        let mut scopes = Scopes::new();
        scopes.push_level();
        let term = match value_ast {
            None => Term::Value(Value::Bool(true)),
            Some(e) => match const_value(e) {
                Some(v) => Term::Value(v),
                None => self.compile_expr(ctx, &mut scopes, e),
            },
        };
        // Like OPA: no variables or references, except inside comprehensions (closures).
        if !is_closed(&term) {
            self.error(
                ErrorKind::Compile,
                "a default value must be a constant or a comprehension (no variables, references or calls)",
                &ctx.source,
                value_ast.map_or(rule.span, |e| e.span),
            );
            return;
        }
        if self.program.rules[id].default.is_some() {
            self.error(
                ErrorKind::Compile,
                format!(
                    "multiple default rules {} found",
                    self.program.rules[id].path.join(".")
                ),
                &ctx.source,
                rule.name_span,
            );
        }
        self.program.rules[id].default = Some(term);
        self.program.rules[id].default_frame = scopes.frame_size();
    }

    /// Compiles a body and the head terms that are evaluated after it, in one scope level.
    fn compile_body_with_head(
        &mut self,
        ctx: &ModuleCtx,
        scopes: &mut Scopes,
        body: &ast::Body,
        head: &[&ast::Expr],
        outer_bound: &BTreeSet<Slot>,
    ) -> (Body, Vec<Term>) {
        scopes.push_level();
        self.declare_level(ctx, scopes, &body.literals, head);
        let lits = self.compile_literals(ctx, scopes, &body.literals);
        let (ordered, bound) = self.order(ctx, scopes, lits, outer_bound);
        let terms: Vec<Term> = head
            .iter()
            .map(|e| self.compile_expr(ctx, scopes, e))
            .collect();
        for (t, e) in terms.iter().zip(head) {
            let mut vars = BTreeSet::new();
            term_vars(t, &mut vars);
            // A reference in the head may iterate (`q := xs[_]`), binding its own keys.
            let mut own = BTreeSet::new();
            term_outputs(t, &bound, &mut own);
            let unsafe_var = vars
                .iter()
                .find(|v| !bound.contains(v) && !own.contains(v) && scopes.is_visible(**v));
            if let Some(v) = unsafe_var {
                let name = scopes.name_of(*v);
                self.error(
                    ErrorKind::UnsafeVar,
                    format!("var {name} is unsafe"),
                    &ctx.source,
                    e.span,
                );
            }
        }
        scopes.pop_level();
        (ordered, terms)
    }

    /// Compiles a nested body (comprehension, query) in a new level.
    fn compile_body(
        &mut self,
        ctx: &ModuleCtx,
        scopes: &mut Scopes,
        body: &ast::Body,
        outer_bound: &BTreeSet<Slot>,
    ) -> Body {
        self.compile_body_with_head(ctx, scopes, body, &[], outer_bound)
            .0
    }

    /// Gives a slot to every variable of this level: declared ones shadow, others are reused
    /// from enclosing levels when they exist there.
    fn declare_level(
        &mut self,
        ctx: &ModuleCtx,
        scopes: &mut Scopes,
        lits: &[ast::Literal],
        head: &[&ast::Expr],
    ) {
        let mut declared: Vec<(String, Span)> = vec![];
        let mut used: Vec<String> = vec![];
        for lit in lits {
            match &lit.kind {
                ast::LiteralKind::Some(names) => declared.extend(names.iter().cloned()),
                ast::LiteralKind::SomeIn {
                    key,
                    value,
                    collection,
                } => {
                    let mut names = BTreeSet::new();
                    if let Some(k) = key {
                        collect_pattern_vars(k, &mut names);
                    }
                    collect_pattern_vars(value, &mut names);
                    declared.extend(names.into_iter().map(|n| (n, lit.span)));
                    collect_used(collection, &mut used);
                }
                ast::LiteralKind::Expr(e) => {
                    if let ast::ExprKind::Binary {
                        op: ast::BinOp::Assign,
                        lhs,
                        rhs,
                    } = &e.kind
                    {
                        let mut names = BTreeSet::new();
                        collect_pattern_vars(lhs, &mut names);
                        for n in names {
                            if declared.iter().any(|(d, _)| *d == n) {
                                self.error(
                                    ErrorKind::Compile,
                                    format!("var {n} assigned above"),
                                    &ctx.source,
                                    lhs.span,
                                );
                            }
                            declared.push((n, lhs.span));
                        }
                        collect_used(rhs, &mut used);
                    } else {
                        collect_used(e, &mut used);
                    }
                }
                ast::LiteralKind::Not(e) => collect_used(e, &mut used),
                ast::LiteralKind::Every { collection, .. } => collect_used(collection, &mut used),
            }
            for w in &lit.with {
                collect_used(&w.value, &mut used);
            }
        }
        for e in head {
            collect_used(e, &mut used);
        }
        for (name, _) in &declared {
            let slot = scopes.declare(name);
            // A declared variable exists from its declaration on (OPA's scoping of `:=`).
            scopes.hide(slot);
        }
        for name in used {
            if name == "_"
                || scopes.is_hidden(&name)
                || scopes.lookup(&name).is_some()
                || self.is_global(ctx, &name)
            {
                continue;
            }
            scopes.declare(&name);
        }
    }

    fn is_global(&self, ctx: &ModuleCtx, name: &str) -> bool {
        if name == "input" || name == "data" || ctx.imports.contains_key(name) {
            return true;
        }
        let mut path = ctx.package.clone();
        path.push(Arc::from(name));
        self.rule_id(&path).is_some()
    }

    fn compile_literals(
        &mut self,
        ctx: &ModuleCtx,
        scopes: &mut Scopes,
        lits: &[ast::Literal],
    ) -> Vec<Literal> {
        lits.iter()
            .map(|l| self.compile_literal(ctx, scopes, l))
            .collect()
    }

    fn compile_literal(
        &mut self,
        ctx: &ModuleCtx,
        scopes: &mut Scopes,
        lit: &ast::Literal,
    ) -> Literal {
        let kind = match &lit.kind {
            ast::LiteralKind::Expr(e) => match &e.kind {
                ast::ExprKind::Binary {
                    op: op @ (ast::BinOp::Assign | ast::BinOp::Unify),
                    lhs,
                    rhs,
                } => {
                    let r = self.compile_expr(ctx, scopes, rhs);
                    if *op == ast::BinOp::Assign {
                        self.check_assign_target(ctx, lhs);
                        let mut names = BTreeSet::new();
                        collect_pattern_vars(lhs, &mut names);
                        names.iter().for_each(|n| scopes.reveal(n));
                    }
                    let l = self.compile_expr(ctx, scopes, lhs);
                    LiteralKind::Unify(l, r)
                }
                _ => LiteralKind::Expr(self.compile_expr(ctx, scopes, e)),
            },
            ast::LiteralKind::Not(e) => {
                let inner = ast::Literal {
                    span: e.span,
                    kind: ast::LiteralKind::Expr(e.clone()),
                    with: vec![],
                };
                LiteralKind::Not(vec![self.compile_literal(ctx, scopes, &inner)])
            }
            ast::LiteralKind::Some(names) => {
                names.iter().for_each(|(n, _)| scopes.reveal(n));
                LiteralKind::True
            }
            ast::LiteralKind::SomeIn {
                key,
                value,
                collection,
            } => {
                let collection = self.compile_expr(ctx, scopes, collection);
                let mut names = BTreeSet::new();
                if let Some(k) = key {
                    collect_pattern_vars(k, &mut names);
                }
                collect_pattern_vars(value, &mut names);
                names.iter().for_each(|n| scopes.reveal(n));
                LiteralKind::SomeIn {
                    key: key.as_ref().map(|k| self.compile_expr(ctx, scopes, k)),
                    value: self.compile_expr(ctx, scopes, value),
                    collection,
                }
            }
            ast::LiteralKind::Every {
                key,
                value,
                collection,
                body,
            } => {
                let collection = self.compile_expr(ctx, scopes, collection);
                let outer_bound = scopes.all_slots();
                scopes.push_level();
                let key_slot = key.as_ref().map(|(k, _)| scopes.declare(k));
                let value_slot = scopes.declare(&value.0);
                let mut bound = outer_bound.clone();
                bound.extend(key_slot);
                bound.insert(value_slot);
                let before = scopes.frame_size();
                let body = self.compile_body(ctx, scopes, body, &bound);
                let mut locals: Vec<Slot> = (before..scopes.frame_size()).collect();
                locals.extend(key_slot);
                locals.push(value_slot);
                scopes.pop_level();
                LiteralKind::Every {
                    key: key_slot,
                    value: value_slot,
                    collection,
                    body,
                    locals,
                }
            }
        };
        let with = lit
            .with
            .iter()
            .filter_map(|w| {
                let root = match w.target.first().map(String::as_str) {
                    Some("input") => WithRoot::Input,
                    Some("data") => WithRoot::Data,
                    _ => {
                        self.error(
                            ErrorKind::Compile,
                            "`with` can only replace `input` or a path under `data`",
                            &ctx.source,
                            w.span,
                        );
                        return None;
                    }
                };
                let path = w.target[1..].iter().map(|s| Value::string(s)).collect();
                Some(WithMod {
                    root,
                    path,
                    value: self.compile_expr(ctx, scopes, &w.value),
                })
            })
            .collect();
        Literal {
            kind,
            with,
            span: lit.span,
        }
    }

    fn check_assign_target(&mut self, ctx: &ModuleCtx, lhs: &ast::Expr) {
        let ok = match &lhs.kind {
            ast::ExprKind::Var(_) => true,
            ast::ExprKind::Array(items) => items.iter().all(is_pattern),
            ast::ExprKind::Object(items) => items.iter().all(|(_, v)| is_pattern(v)),
            _ => false,
        };
        if !ok {
            self.error(
                ErrorKind::Compile,
                "the left side of `:=` must be a variable or an array or object of variables",
                &ctx.source,
                lhs.span,
            );
        }
    }

    // ---- ordering for safety -----------------------------------------------------------------

    /// Orders literals so that each runs once what it needs is bound; reports unsafe variables.
    fn order(
        &mut self,
        ctx: &ModuleCtx,
        scopes: &Scopes,
        lits: Vec<Literal>,
        outer_bound: &BTreeSet<Slot>,
    ) -> (Body, BTreeSet<Slot>) {
        let mut bound = outer_bound.clone();
        let mut pending: Vec<Literal> = lits;
        let mut ordered = Vec::with_capacity(pending.len());
        while !pending.is_empty() {
            let pick = pending.iter().position(|l| {
                let (needs, _) = literal_needs(l, &bound, scopes);
                needs.is_empty()
            });
            match pick {
                Some(i) => {
                    let lit = pending.remove(i);
                    let (_, outputs) = literal_needs(&lit, &bound, scopes);
                    bound.extend(outputs);
                    ordered.push(lit);
                }
                None => {
                    for lit in &pending {
                        let (needs, _) = literal_needs(lit, &bound, scopes);
                        let names: Vec<String> = needs.iter().map(|s| scopes.name_of(*s)).collect();
                        if let Some(first) = names.first() {
                            self.error(
                                ErrorKind::UnsafeVar,
                                format!("var {first} is unsafe"),
                                &ctx.source,
                                lit.span,
                            );
                        }
                    }
                    break;
                }
            }
        }
        (ordered, bound)
    }

    // ---- expressions -------------------------------------------------------------------------

    fn compile_expr(&mut self, ctx: &ModuleCtx, scopes: &mut Scopes, e: &ast::Expr) -> Term {
        match &e.kind {
            ast::ExprKind::Null => Term::Value(Value::Null),
            ast::ExprKind::Bool(b) => Term::Value(Value::Bool(*b)),
            ast::ExprKind::Number(text) => match Number::parse(text) {
                Some(n) => Term::Value(Value::Number(n)),
                None => {
                    self.error(
                        ErrorKind::Parse,
                        format!("number {text} is out of range (exponents stop at 100000)"),
                        &ctx.source,
                        e.span,
                    );
                    Term::Value(Value::Null)
                }
            },
            ast::ExprKind::String(s) => Term::Value(Value::string(s)),
            ast::ExprKind::Var(name) => self.compile_name(ctx, scopes, name, e.span, &[]),
            ast::ExprKind::Ref { head, path } => {
                if let ast::ExprKind::Var(name) = &head.kind {
                    return self.compile_name(ctx, scopes, name, head.span, path);
                }
                let head = self.compile_expr(ctx, scopes, head);
                let path = path
                    .iter()
                    .map(|a| self.compile_ref_arg(ctx, scopes, a))
                    .collect();
                make_ref(head, path)
            }
            ast::ExprKind::Call {
                name,
                name_span,
                args,
            } => {
                let args: Vec<Term> = args
                    .iter()
                    .map(|a| self.compile_expr(ctx, scopes, a))
                    .collect();
                self.compile_call(ctx, name, *name_span, args, e.span)
            }
            ast::ExprKind::Array(items) => {
                let items: Vec<Term> = items
                    .iter()
                    .map(|i| self.compile_expr(ctx, scopes, i))
                    .collect();
                fold_const(Term::Array(items))
            }
            ast::ExprKind::Set(items) => {
                let items: Vec<Term> = items
                    .iter()
                    .map(|i| self.compile_expr(ctx, scopes, i))
                    .collect();
                fold_const(Term::Set(items))
            }
            ast::ExprKind::Object(items) => {
                let items: Vec<(Term, Term)> = items
                    .iter()
                    .map(|(k, v)| {
                        (
                            self.compile_expr(ctx, scopes, k),
                            self.compile_expr(ctx, scopes, v),
                        )
                    })
                    .collect();
                fold_const(Term::Object(items))
            }
            ast::ExprKind::ArrayCompr { term, body } => {
                let (body, mut head) = self.compile_nested(ctx, scopes, body, &[term]);
                Term::ArrayCompr(Box::new(head.remove(0)), body)
            }
            ast::ExprKind::SetCompr { term, body } => {
                let (body, mut head) = self.compile_nested(ctx, scopes, body, &[term]);
                Term::SetCompr(Box::new(head.remove(0)), body)
            }
            ast::ExprKind::ObjectCompr { key, value, body } => {
                let (body, mut head) = self.compile_nested(ctx, scopes, body, &[key, value]);
                let v = head.remove(1);
                let k = head.remove(0);
                Term::ObjectCompr(Box::new(k), Box::new(v), body)
            }
            ast::ExprKind::Binary { op, lhs, rhs } => {
                let name = match op {
                    ast::BinOp::Assign | ast::BinOp::Unify => {
                        self.error(
                            ErrorKind::Compile,
                            format!(
                                "`{}` can only be used as a whole expression of a body",
                                op.symbol()
                            ),
                            &ctx.source,
                            e.span,
                        );
                        return Term::Value(Value::Null);
                    }
                    ast::BinOp::Eq => "equal",
                    ast::BinOp::Ne => "neq",
                    ast::BinOp::Lt => "lt",
                    ast::BinOp::Le => "lte",
                    ast::BinOp::Gt => "gt",
                    ast::BinOp::Ge => "gte",
                    ast::BinOp::Or => "or",
                    ast::BinOp::And => "and",
                    ast::BinOp::Add => "plus",
                    ast::BinOp::Sub => "minus",
                    ast::BinOp::Mul => "mul",
                    ast::BinOp::Div => "div",
                    ast::BinOp::Rem => "rem",
                };
                let l = self.compile_expr(ctx, scopes, lhs);
                let r = self.compile_expr(ctx, scopes, rhs);
                self.builtin_call(ctx, name, vec![l, r], e.span)
            }
            ast::ExprKind::Neg(inner) => {
                let t = self.compile_expr(ctx, scopes, inner);
                if let Term::Value(Value::Number(n)) = &t {
                    return Term::Value(Value::Number(n.neg()));
                }
                // OPA accepts a unary minus only before a number literal; `0 - x` says the rest.
                self.error(
                    ErrorKind::Parse,
                    "a unary minus is only allowed before a number: write `0 - x`",
                    &ctx.source,
                    e.span,
                );
                Term::Value(Value::Null)
            }
            ast::ExprKind::Membership {
                key,
                value,
                collection,
            } => {
                let k = key
                    .as_ref()
                    .map(|k| Box::new(self.compile_expr(ctx, scopes, k)));
                let v = self.compile_expr(ctx, scopes, value);
                let c = self.compile_expr(ctx, scopes, collection);
                Term::Member(k, Box::new(v), Box::new(c))
            }
        }
    }

    fn compile_nested(
        &mut self,
        ctx: &ModuleCtx,
        scopes: &mut Scopes,
        body: &ast::Body,
        head: &[&ast::Expr],
    ) -> (Body, Vec<Term>) {
        let outer_bound = scopes.all_slots();
        self.compile_body_with_head(ctx, scopes, body, head, &outer_bound)
    }

    fn builtin_call(&mut self, ctx: &ModuleCtx, name: &str, args: Vec<Term>, span: Span) -> Term {
        match builtins::lookup(name) {
            // Operators on constants stay calls: folding them would hide errors OPA reports at run time.
            Some(b) => Term::Call(Callee::Builtin(b), args, span),
            None => {
                self.error(
                    ErrorKind::Type,
                    format!("undefined function {name}"),
                    &ctx.source,
                    span,
                );
                Term::Value(Value::Null)
            }
        }
    }

    fn compile_ref_arg(&mut self, ctx: &ModuleCtx, scopes: &mut Scopes, a: &ast::RefArg) -> Term {
        match a {
            ast::RefArg::Field(name, _) => Term::Value(Value::string(name)),
            ast::RefArg::Index(e) => self.compile_expr(ctx, scopes, e),
        }
    }

    /// A variable, or the head of a reference: a local, `input`, `data`, an import or a rule.
    fn compile_name(
        &mut self,
        ctx: &ModuleCtx,
        scopes: &mut Scopes,
        name: &str,
        span: Span,
        path: &[ast::RefArg],
    ) -> Term {
        let rest: Vec<Term> = path
            .iter()
            .map(|a| self.compile_ref_arg(ctx, scopes, a))
            .collect();
        if name == "_" {
            return make_ref(Term::Var(scopes.fresh("_")), rest);
        }
        if let Some(slot) = scopes.lookup(name) {
            return make_ref(Term::Var(slot), rest);
        }
        match self.resolve_global(ctx, name) {
            Some(Global::Input(prefix)) => {
                let mut full: Vec<Term> = prefix
                    .iter()
                    .map(|s| Term::Value(Value::string(s)))
                    .collect();
                full.extend(rest);
                make_ref(Term::Input, full)
            }
            Some(Global::Data(prefix)) => {
                let mut full: Vec<Term> = prefix
                    .iter()
                    .map(|s| Term::Value(Value::string(s)))
                    .collect();
                full.extend(rest);
                self.resolve_data(full)
            }
            None => {
                if scopes.is_hidden(name) {
                    self.error(
                        ErrorKind::Compile,
                        format!("var {name} referenced above its declaration"),
                        &ctx.source,
                        span,
                    );
                }
                // A name in a position the pre-pass did not visit: a fresh local.
                let slot = scopes.declare(name);
                make_ref(Term::Var(slot), rest)
            }
        }
    }

    fn resolve_global(&self, ctx: &ModuleCtx, name: &str) -> Option<Global> {
        if name == "input" {
            return Some(Global::Input(vec![]));
        }
        if name == "data" {
            return Some(Global::Data(vec![]));
        }
        if let Some(path) = ctx.imports.get(name) {
            let rest = path[1..].to_vec();
            return Some(if path[0].as_ref() == "input" {
                Global::Input(rest)
            } else {
                Global::Data(rest)
            });
        }
        if self.is_global(ctx, name) {
            let mut p = ctx.package.clone();
            p.push(Arc::from(name));
            return Some(Global::Data(p));
        }
        None
    }

    /// Resolves `data` followed by `path`: to a rule when the static prefix names one, else to
    /// the data document at the longest static prefix.
    fn resolve_data(&mut self, path: Vec<Term>) -> Term {
        let mut node = &self.program().tree;
        let mut prefix: Vec<Arc<str>> = vec![];
        let mut i = 0;
        while i < path.len() {
            let Some(Value::String(s)) = path[i].as_const() else {
                break;
            };
            let Some(child) = node.children.get(s.as_ref()) else {
                break;
            };
            node = child;
            prefix.push(s.clone());
            i += 1;
            if let Some(id) = node.rule {
                if let Some(cur) = self.current_rule {
                    self.deps.entry(cur).or_default().insert(id);
                }
                return make_ref(Term::Rule(id), path[i..].to_vec());
            }
        }
        if let Some(Value::String(_)) = path.get(i).and_then(Term::as_const) {
            // The static path leaves the package tree: the rest of it is plain base data,
            // which no rule can change.
            while let Some(Value::String(s)) = path.get(i).and_then(Term::as_const) {
                prefix.push(s.clone());
                i += 1;
            }
        } else if let Some(cur) = self.current_rule {
            // A dynamic reference into a package may reach every rule below it.
            let mut ids = vec![];
            collect_rules(node, &mut ids);
            self.deps.entry(cur).or_default().extend(ids);
        }
        make_ref(Term::Data(prefix.into()), path[i..].to_vec())
    }

    fn compile_call(
        &mut self,
        ctx: &ModuleCtx,
        name: &[String],
        name_span: Span,
        args: Vec<Term>,
        span: Span,
    ) -> Term {
        let joined = name.join(".");
        // A user function: `f`, `pkg.f` through an import, or `data.pkg.f`.
        let path: Option<Vec<Arc<str>>> = match name.first().map(String::as_str) {
            Some("data") => Some(name[1..].iter().map(|s| Arc::from(s.as_str())).collect()),
            Some(first) => {
                if let Some(imp) = ctx.imports.get(first) {
                    (imp[0].as_ref() == "data").then(|| {
                        imp[1..]
                            .iter()
                            .cloned()
                            .chain(name[1..].iter().map(|s| Arc::from(s.as_str())))
                            .collect()
                    })
                } else {
                    let mut p = ctx.package.clone();
                    p.extend(name.iter().map(|s| Arc::from(s.as_str())));
                    Some(p)
                }
            }
            None => None,
        };
        if let Some(id) = path.as_deref().and_then(|p| self.rule_id(p)) {
            let kind = self.program().rules[id].kind;
            if let RuleKind::Function { arity } = kind {
                if args.len() != arity && args.len() != arity + 1 {
                    self.error(
                        ErrorKind::Type,
                        format!(
                            "{joined}: expected {arity} arguments but got {}",
                            args.len()
                        ),
                        &ctx.source,
                        span,
                    );
                }
                if let Some(cur) = self.current_rule {
                    self.deps.entry(cur).or_default().insert(id);
                }
                return Term::Call(Callee::Rule { id, arity }, args, span);
            }
            self.error(
                ErrorKind::Type,
                format!("{joined} is a rule, not a function"),
                &ctx.source,
                name_span,
            );
            return Term::Value(Value::Null);
        }
        if joined == "print" {
            return Term::Call(Callee::Print, args, span);
        }
        match builtins::lookup(&joined) {
            Some(b) => {
                if args.len() != b.arity && args.len() != b.arity + 1 {
                    let what = if args.len() > b.arity {
                        "too many arguments"
                    } else {
                        "too few arguments"
                    };
                    self.error(
                        ErrorKind::Type,
                        format!(
                            "{joined}: {what}: expected {} but got {}",
                            b.arity,
                            args.len()
                        ),
                        &ctx.source,
                        span,
                    );
                    return Term::Value(Value::Null);
                }
                Term::Call(Callee::Builtin(b), args, span)
            }
            None => {
                self.error(
                    ErrorKind::Type,
                    format!("undefined function {joined}"),
                    &ctx.source,
                    name_span,
                );
                Term::Value(Value::Null)
            }
        }
    }

    // ---- recursion ---------------------------------------------------------------------------

    fn check_recursion(&mut self) {
        // Depth-first search with colours; the first cycle found per rule is reported.
        let n = self.program.rules.len();
        let mut colour = vec![0u8; n];
        let mut stack: Vec<RuleId> = vec![];
        for start in 0..n {
            if colour[start] == 0 {
                self.visit(start, &mut colour, &mut stack);
            }
        }
    }

    fn visit(&mut self, id: RuleId, colour: &mut [u8], stack: &mut Vec<RuleId>) {
        colour[id] = 1;
        stack.push(id);
        let deps: Vec<RuleId> = self
            .deps
            .get(&id)
            .map(|d| d.iter().copied().collect())
            .unwrap_or_default();
        for d in deps {
            if colour[d] == 1 {
                let pos = stack.iter().position(|&x| x == d).unwrap_or(0);
                let cycle: Vec<String> = stack[pos..]
                    .iter()
                    .chain(std::iter::once(&d))
                    .map(|&r| format!("data.{}", self.program.rules[r].path.join(".")))
                    .collect();
                let rule = &self.program.rules[d];
                let diag = Diagnostic::at(
                    ErrorKind::Recursion,
                    format!(
                        "rule data.{} is recursive: {}",
                        rule.path.join("."),
                        cycle.join(" -> ")
                    ),
                    &rule.source,
                    rule.span,
                );
                self.errors.push(diag);
            } else if colour[d] == 0 {
                self.visit(d, colour, stack);
            }
        }
        stack.pop();
        colour[id] = 2;
    }
}

fn collect_rules(node: &DataNode, out: &mut Vec<RuleId>) {
    out.extend(node.rule);
    for child in node.children.values() {
        collect_rules(child, out);
    }
}

fn make_ref(head: Term, path: Vec<Term>) -> Term {
    if path.is_empty() {
        head
    } else {
        Term::Ref(Box::new(head), path)
    }
}

fn is_pattern(e: &ast::Expr) -> bool {
    match &e.kind {
        ast::ExprKind::Var(_) => true,
        ast::ExprKind::Array(items) => items.iter().all(is_pattern),
        ast::ExprKind::Object(items) => items.iter().all(|(_, v)| is_pattern(v)),
        _ => false,
    }
}

/// Variables in pattern positions of an expression (`x`, `[x, y]`, `{"k": x}`).
fn collect_pattern_vars(e: &ast::Expr, out: &mut BTreeSet<String>) {
    match &e.kind {
        ast::ExprKind::Var(n) if n != "_" => {
            out.insert(n.clone());
        }
        ast::ExprKind::Array(items) => items.iter().for_each(|i| collect_pattern_vars(i, out)),
        ast::ExprKind::Object(items) => {
            items.iter().for_each(|(_, v)| collect_pattern_vars(v, out))
        }
        _ => {}
    }
}

/// Every variable name used in an expression, outside nested bodies.
fn collect_used(e: &ast::Expr, out: &mut Vec<String>) {
    match &e.kind {
        ast::ExprKind::Var(n) => out.push(n.clone()),
        ast::ExprKind::Ref { head, path } => {
            collect_used(head, out);
            for a in path {
                if let ast::RefArg::Index(i) = a {
                    collect_used(i, out);
                }
            }
        }
        ast::ExprKind::Call { args, .. } => args.iter().for_each(|a| collect_used(a, out)),
        ast::ExprKind::Array(items) | ast::ExprKind::Set(items) => {
            items.iter().for_each(|a| collect_used(a, out))
        }
        ast::ExprKind::Object(items) => items.iter().for_each(|(k, v)| {
            collect_used(k, out);
            collect_used(v, out);
        }),
        ast::ExprKind::Binary { lhs, rhs, .. } => {
            collect_used(lhs, out);
            collect_used(rhs, out);
        }
        ast::ExprKind::Neg(x) => collect_used(x, out),
        ast::ExprKind::Membership {
            key,
            value,
            collection,
        } => {
            if let Some(k) = key {
                collect_used(k, out);
            }
            collect_used(value, out);
            collect_used(collection, out);
        }
        _ => {}
    }
}

/// Whether a term has no free variables, references or calls outside comprehensions.
fn is_closed(t: &Term) -> bool {
    match t {
        Term::Value(_) | Term::ArrayCompr(..) | Term::SetCompr(..) | Term::ObjectCompr(..) => true,
        Term::Array(items) | Term::Set(items) => items.iter().all(is_closed),
        Term::Object(items) => items.iter().all(|(k, v)| is_closed(k) && is_closed(v)),
        _ => false,
    }
}

/// The constant a default value denotes.
fn const_value(e: &ast::Expr) -> Option<Value> {
    Some(match &e.kind {
        ast::ExprKind::Null => Value::Null,
        ast::ExprKind::Bool(b) => Value::Bool(*b),
        ast::ExprKind::Number(t) => Value::Number(Number::parse(t)?),
        ast::ExprKind::String(s) => Value::string(s),
        ast::ExprKind::Neg(x) => match const_value(x)? {
            Value::Number(n) => Value::Number(n.neg()),
            _ => return None,
        },
        ast::ExprKind::Array(items) => {
            Value::array(items.iter().map(const_value).collect::<Option<_>>()?)
        }
        ast::ExprKind::Set(items) => {
            Value::set(items.iter().map(const_value).collect::<Option<Set>>()?)
        }
        ast::ExprKind::Object(items) => Value::object(
            items
                .iter()
                .map(|(k, v)| Some((const_value(k)?, const_value(v)?)))
                .collect::<Option<Object>>()?,
        ),
        _ => return None,
    })
}

/// Folds a composite of constants into one constant.
fn fold_const(t: Term) -> Term {
    match &t {
        Term::Array(items) if items.iter().all(|i| i.as_const().is_some()) => Term::Value(
            Value::array(items.iter().filter_map(|i| i.as_const().cloned()).collect()),
        ),
        Term::Set(items) if items.iter().all(|i| i.as_const().is_some()) => Term::Value(
            Value::set(items.iter().filter_map(|i| i.as_const().cloned()).collect()),
        ),
        Term::Object(items)
            if items
                .iter()
                .all(|(k, v)| k.as_const().is_some() && v.as_const().is_some()) =>
        {
            Term::Value(Value::object(
                items
                    .iter()
                    .filter_map(|(k, v)| Some((k.as_const()?.clone(), v.as_const()?.clone())))
                    .collect(),
            ))
        }
        _ => t,
    }
}

/// Slots a term reads or binds (outside nested bodies, but including outer slots those read).
pub(crate) fn term_vars(t: &Term, out: &mut BTreeSet<Slot>) {
    match t {
        Term::Var(s) => {
            out.insert(*s);
        }
        Term::Ref(h, path) => {
            term_vars(h, out);
            path.iter().for_each(|p| term_vars(p, out));
        }
        Term::Call(_, args, _) => args.iter().for_each(|a| term_vars(a, out)),
        Term::Array(items) | Term::Set(items) => items.iter().for_each(|i| term_vars(i, out)),
        Term::Object(items) => items.iter().for_each(|(k, v)| {
            term_vars(k, out);
            term_vars(v, out);
        }),
        Term::ArrayCompr(h, body) | Term::SetCompr(h, body) => {
            term_vars(h, out);
            body_vars(body, out);
        }
        Term::ObjectCompr(k, v, body) => {
            term_vars(k, out);
            term_vars(v, out);
            body_vars(body, out);
        }
        Term::Member(k, v, c) => {
            if let Some(k) = k {
                term_vars(k, out);
            }
            term_vars(v, out);
            term_vars(c, out);
        }
        Term::Value(_) | Term::Input | Term::Rule(_) | Term::Data(_) => {}
    }
}

fn body_vars(body: &Body, out: &mut BTreeSet<Slot>) {
    for lit in body {
        literal_vars(lit, out);
    }
}

fn literal_vars(lit: &Literal, out: &mut BTreeSet<Slot>) {
    match &lit.kind {
        LiteralKind::Expr(t) => term_vars(t, out),
        LiteralKind::Unify(a, b) => {
            term_vars(a, out);
            term_vars(b, out);
        }
        LiteralKind::Not(b) => body_vars(b, out),
        LiteralKind::SomeIn {
            key,
            value,
            collection,
        } => {
            if let Some(k) = key {
                term_vars(k, out);
            }
            term_vars(value, out);
            term_vars(collection, out);
        }
        LiteralKind::Every {
            collection, body, ..
        } => {
            term_vars(collection, out);
            body_vars(body, out);
        }
        LiteralKind::Inline { body, .. } => body_vars(body, out),
        LiteralKind::True => {}
    }
    for w in &lit.with {
        term_vars(&w.value, out);
    }
}

/// For a literal and the slots bound before it: the slots it still needs bound (empty when it
/// can run now) and the slots it binds.
fn literal_needs(
    lit: &Literal,
    bound: &BTreeSet<Slot>,
    scopes: &Scopes,
) -> (BTreeSet<Slot>, BTreeSet<Slot>) {
    let mut all = BTreeSet::new();
    literal_vars(lit, &mut all);
    // Slots local to nested bodies are not this level's concern.
    all.retain(|s| scopes.is_visible(*s));
    let mut out = BTreeSet::new();
    match &lit.kind {
        LiteralKind::Expr(t) => term_outputs(t, bound, &mut out),
        LiteralKind::Unify(a, b) => unify_outputs(a, b, bound, scopes, &mut out),
        LiteralKind::SomeIn {
            key,
            value,
            collection,
        } => {
            term_outputs(collection, bound, &mut out);
            let mut b2 = bound.clone();
            b2.extend(out.iter().copied());
            if let Some(k) = key {
                pattern_outputs(k, &b2, &mut out);
            }
            pattern_outputs(value, &b2, &mut out);
        }
        LiteralKind::Not(body) => {
            // Only wildcards may stay unbound inside a negation.
            let mut inner = BTreeSet::new();
            for l in body {
                let (_, o) = literal_needs(l, bound, scopes);
                inner.extend(o);
            }
            let wild: BTreeSet<Slot> = inner
                .into_iter()
                .filter(|s| scopes.is_wildcard(*s))
                .collect();
            let needs: BTreeSet<Slot> = all
                .iter()
                .filter(|s| !bound.contains(s) && !wild.contains(s))
                .copied()
                .collect();
            return (needs, BTreeSet::new());
        }
        LiteralKind::Every { collection, .. } => term_outputs(collection, bound, &mut out),
        // Made by `inline`, after ordering: never met here.
        LiteralKind::Inline { .. } => {}
        LiteralKind::True => {}
    }
    let needs = all
        .iter()
        .filter(|s| !bound.contains(s) && !out.contains(s))
        .copied()
        .collect();
    (needs, out)
}

/// Slots a term binds when evaluated: unbound variables used as reference keys, and the output
/// argument of a call.
fn term_outputs(t: &Term, bound: &BTreeSet<Slot>, out: &mut BTreeSet<Slot>) {
    match t {
        Term::Ref(h, path) => {
            term_outputs(h, bound, out);
            let needs_of_head = {
                let mut v = BTreeSet::new();
                term_vars(h, &mut v);
                v.into_iter()
                    .all(|s| bound.contains(&s) || out.contains(&s))
            };
            if !needs_of_head {
                return;
            }
            for p in path {
                match p {
                    Term::Var(s) if !bound.contains(s) => {
                        out.insert(*s);
                    }
                    Term::Array(_) | Term::Object(_) => pattern_outputs(p, bound, out),
                    other => term_outputs(other, bound, out),
                }
            }
        }
        Term::Call(callee, args, _) => {
            for a in args {
                term_outputs(a, bound, out);
            }
            if callee.has_output(args.len()) {
                if let Some(last) = args.last() {
                    let mut b2 = bound.clone();
                    b2.extend(out.iter().copied());
                    pattern_outputs(last, &b2, out);
                }
            }
        }
        Term::Array(items) | Term::Set(items) => {
            items.iter().for_each(|i| term_outputs(i, bound, out))
        }
        Term::Object(items) => items.iter().for_each(|(k, v)| {
            term_outputs(k, bound, out);
            term_outputs(v, bound, out);
        }),
        Term::Member(k, v, c) => {
            if let Some(k) = k {
                term_outputs(k, bound, out);
            }
            term_outputs(v, bound, out);
            term_outputs(c, bound, out);
        }
        _ => {}
    }
}

/// Slots bound by matching a pattern against a value.
fn pattern_outputs(t: &Term, bound: &BTreeSet<Slot>, out: &mut BTreeSet<Slot>) {
    match t {
        Term::Var(s) => {
            if !bound.contains(s) {
                out.insert(*s);
            }
        }
        Term::Array(items) => items.iter().for_each(|i| pattern_outputs(i, bound, out)),
        Term::Object(items) => items
            .iter()
            .for_each(|(_, v)| pattern_outputs(v, bound, out)),
        other => term_outputs(other, bound, out),
    }
}

/// Whether every slot a term reads is bound (possibly after its own reference iteration).
fn ground_after(t: &Term, bound: &BTreeSet<Slot>, scopes: &Scopes) -> bool {
    let mut vars = BTreeSet::new();
    term_vars(t, &mut vars);
    let mut out = BTreeSet::new();
    term_outputs(t, bound, &mut out);
    vars.iter()
        .all(|s| bound.contains(s) || out.contains(s) || !scopes.is_visible(*s))
}

fn unify_outputs(
    a: &Term,
    b: &Term,
    bound: &BTreeSet<Slot>,
    scopes: &Scopes,
    out: &mut BTreeSet<Slot>,
) {
    let pairs: Option<Vec<(&Term, &Term)>> = match (a, b) {
        (Term::Array(xs), Term::Array(ys)) if xs.len() == ys.len() => {
            Some(xs.iter().zip(ys).collect())
        }
        (Term::Object(xs), Term::Object(ys)) if xs.len() == ys.len() => xs
            .iter()
            .map(|(k, v)| {
                let key = k.as_const()?;
                ys.iter()
                    .find(|(k2, _)| k2.as_const() == Some(key))
                    .map(|(_, v2)| (v, v2))
            })
            .collect(),
        _ => None,
    };
    if let Some(pairs) = pairs {
        // Element by element, each pair seeing what the others bound, until nothing changes.
        let mut b2 = bound.clone();
        loop {
            let before = b2.len();
            for (x, y) in &pairs {
                let mut o = BTreeSet::new();
                unify_outputs(x, y, &b2, scopes, &mut o);
                b2.extend(o);
            }
            if b2.len() == before {
                break;
            }
        }
        out.extend(b2.difference(bound).copied());
        return;
    }
    if ground_after(b, bound, scopes) {
        term_outputs(b, bound, out);
        let mut b2 = bound.clone();
        b2.extend(out.iter().copied());
        pattern_outputs(a, &b2, out);
    } else if ground_after(a, bound, scopes) {
        term_outputs(a, bound, out);
        let mut b2 = bound.clone();
        b2.extend(out.iter().copied());
        pattern_outputs(b, &b2, out);
    }
}
