//! The embedding API: collect policies and data in an [`Engine`], compile them once into a
//! [`Policy`], then evaluate queries against any number of inputs from any number of threads.

use crate::compile::fork_value;
use crate::compile::{
    self,
    ir::{Program, RuleKind},
    CompiledQuery,
};
use crate::error::{Diagnostic, Error, ErrorKind};
use crate::eval::{Evaluator, Lasting, Options, Spare};
use crate::metadata::{self, Annotation, Target};
use crate::source::Source;
use crate::syntax::{self, ast};
use crate::value::{Object, Value};
use std::collections::BTreeMap;
use std::sync::Arc;
use thread_local::ThreadLocal;

/// Collects policy modules and data before compilation.
#[derive(Default)]
pub struct Engine {
    modules: Vec<ast::Module>,
    /// Annotations by rule path; rule annotations also carry their definition's index.
    annotations: Vec<(Vec<String>, Option<usize>, Annotation)>,
    /// Definitions seen so far per rule path (to number them as the compiler does).
    def_counts: std::collections::HashMap<Vec<String>, usize>,
    data: Value,
}

impl Engine {
    /// An engine with no policies and empty data.
    pub fn new() -> Engine {
        Engine::default()
    }

    /// Parses a policy module; `name` is used in diagnostics (usually its path).
    ///
    /// # Errors
    /// [`Error::Policy`] with every syntax error found.
    pub fn add_policy(&mut self, name: &str, text: &str) -> Result<(), Error> {
        let parsed = parse(name, text)?;
        self.add_parsed(parsed);
        Ok(())
    }

    /// Parses several policy modules at once, in parallel, and adds them in the order given
    /// (the same result as calling [`Engine::add_policy`] on each, faster).
    ///
    /// # Errors
    /// [`Error::Policy`] with the syntax errors of every module that does not parse; the
    /// modules that do parse are added all the same.
    pub fn add_policies(&mut self, policies: &[(&str, &str)]) -> Result<(), Error> {
        use rayon::prelude::*;
        let parsed: Vec<Result<ParsedModule, Error>> = policies
            .par_iter()
            .map(|(name, text)| parse(name, text))
            .collect();
        let mut errors = vec![];
        for p in parsed {
            match p {
                Ok(p) => self.add_parsed(p),
                Err(Error::Policy(mut d)) => errors.append(&mut d),
                Err(other) => return Err(other),
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Policy(errors))
        }
    }

    fn add_parsed(&mut self, (module, annotations): ParsedModule) {
        // Number this module's definitions the way the compiler will (defaults are not
        // definitions), so that an annotation names the definition it sits on.
        let mut def_index = vec![None; module.rules.len()];
        for (i, rule) in module.rules.iter().enumerate() {
            if rule.is_default {
                continue;
            }
            let mut path = module.package.clone();
            path.push(rule.name.clone());
            let n = self.def_counts.entry(path).or_insert(0);
            def_index[i] = Some(*n);
            *n += 1;
        }
        for a in annotations {
            let mut path = module.package.clone();
            let mut def = None;
            if let Target::Rule { name, index } = &a.target {
                path.push(name.clone());
                def = def_index.get(*index).copied().flatten();
            }
            self.annotations.push((path, def, a));
        }
        self.modules.push(module);
    }

    /// Merges a document into `data` (objects merge key by key; other values replace).
    ///
    /// # Errors
    /// [`Error::Data`] when the document is not an object.
    pub fn add_data(&mut self, data: Value) -> Result<(), Error> {
        if data.as_object().is_none() {
            return Err(Error::Data(format!(
                "data must be an object, not {}",
                data.type_name()
            )));
        }
        self.data = merge(&self.data, &data);
        Ok(())
    }

    /// Compiles every module added so far.
    ///
    /// # Errors
    /// [`Error::Policy`] with every compile error (unsafe variables, unknown functions, wrong
    /// arity, recursion, conflicting rules).
    pub fn compile(self) -> Result<Policy, Error> {
        let program = compile::compile(&self.modules).map_err(Error::Policy)?;
        let rules = program
            .rules
            .iter()
            .enumerate()
            .map(|(id, r)| {
                let path: Vec<String> = r.path.iter().map(|s| s.to_string()).collect();
                let package = &path[..path.len().saturating_sub(1)];
                let package_annotations = self
                    .annotations
                    .iter()
                    .filter(|(p, _, a)| p == package && a.target == Target::Package)
                    .map(|(_, _, a)| a.clone())
                    .collect();
                let mut definitions = vec![None; r.defs.len()];
                for (p, def, a) in &self.annotations {
                    if let (true, Some(d)) = (*p == path, def) {
                        if let Some(slot) = definitions.get_mut(*d) {
                            *slot = Some(a.clone());
                        }
                    }
                }
                RuleInfo {
                    id: RuleRef(id),
                    is_function: matches!(r.kind, RuleKind::Function { .. }),
                    definitions,
                    package_annotations,
                    path,
                }
            })
            .collect();
        Ok(Policy {
            program,
            data: self.data,
            rules,
            local: ThreadLocal::new(),
        })
    }
}

/// A module and its METADATA annotations.
type ParsedModule = (ast::Module, Vec<Annotation>);

/// Parses one module and reads its annotations.
fn parse(name: &str, text: &str) -> Result<ParsedModule, Error> {
    let source = Source::new(name, text);
    let module = syntax::parse_module(&source).map_err(Error::Policy)?;
    let annotations = metadata::annotations(&module).map_err(|(line, msg)| {
        let offset = source
            .text()
            .lines()
            .take(line - 1)
            .map(|l| l.len() + 1)
            .sum::<usize>();
        let span = crate::source::Span::new(offset, offset + source.line_text(line).len());
        Error::Policy(vec![Diagnostic::at(ErrorKind::Parse, msg, &source, span)])
    })?;
    Ok((module, annotations))
}

/// Deep merge of two documents: `b` wins except where both are objects.
fn merge(a: &Value, b: &Value) -> Value {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut out: Object = (**x).clone();
            for (k, v) in y.iter() {
                let merged = match out.get(k) {
                    Some(old) => merge(old, v),
                    None => v.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Value::object(out)
        }
        _ => b.clone(),
    }
}

/// A compiled, immutable set of policies with their data. `Send + Sync`: share it across
/// threads and evaluate with `&self`.
#[derive(Debug)]
pub struct Policy {
    program: Program,
    data: Value,
    rules: Vec<RuleInfo>,
    /// What each evaluating thread uses: see [`Local`].
    local: ThreadLocal<Local>,
}

/// One thread's copy of the program and data, with the results of input-free rules and
/// functions and the buffers it keeps from one evaluation to the next. Copies, because values are
/// reference-counted: threads sharing one constant contend for its count (`compile::fork`).
struct Local {
    program: Program,
    data: Value,
    memo: Lasting,
    spare: Spare,
}

impl std::fmt::Debug for Local {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Local").field("memo", &self.memo).finish()
    }
}

/// A handle to one rule of a [`Policy`], for [`Policy::eval_rules`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleRef(usize);

/// What a policy knows about one of its rules.
#[derive(Clone, Debug)]
pub struct RuleInfo {
    /// The handle.
    pub id: RuleRef,
    /// `["pkg", "sub", "name"]` (without `data`).
    pub path: Vec<String>,
    /// Whether it is a function (functions are not documents).
    pub is_function: bool,
    /// The `# METADATA` block of each definition, in definition order.
    pub definitions: Vec<Option<Annotation>>,
    /// The `# METADATA` blocks on its package.
    pub package_annotations: Vec<Annotation>,
}

/// A compiled query, such as `data.kubernetes.deny` or `data.test.p = x`.
#[derive(Debug)]
pub struct Query {
    compiled: CompiledQuery,
    source: Arc<Source>,
    texts: Vec<String>,
    locations: Vec<(usize, usize)>,
}

impl Query {
    /// The 1-based line and column of each expression of the query.
    pub fn locations(&self) -> &[(usize, usize)] {
        &self.locations
    }
}

/// How to evaluate.
#[derive(Clone, Debug, Default)]
pub struct EvalOptions {
    /// Built-in errors abort evaluation (OPA's `--strict-builtin-errors`) instead of making
    /// the expression undefined.
    pub strict_builtin_errors: bool,
    /// Collect the output of `print` calls into [`Evaluation::printed`].
    pub print: bool,
}

/// One solution of a query.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    /// Each expression of the query with its text, in order.
    pub expressions: Vec<(String, Value)>,
    /// The query's named variables.
    pub bindings: BTreeMap<String, Value>,
}

/// The result of evaluating a query.
#[derive(Clone, Debug, Default)]
pub struct Evaluation {
    /// Every solution, in the order found; empty when the query is undefined.
    pub solutions: Vec<Solution>,
    /// Lines written by `print`, when enabled.
    pub printed: Vec<String>,
}

impl Policy {
    /// This thread's copy of the program and data, made on its first evaluation.
    fn local(&self) -> &Local {
        self.local.get_or(|| Local {
            program: self.program.fork(),
            data: fork_value(&self.data),
            memo: Lasting::default(),
            spare: Spare::default(),
        })
    }

    /// The compiled program (for the compiler's own tests).
    #[cfg(test)]
    pub(crate) fn program(&self) -> &Program {
        &self.program
    }

    /// Compiles a query against this policy.
    ///
    /// # Errors
    /// [`Error::Policy`] when the query does not parse or compile.
    pub fn query(&self, text: &str) -> Result<Query, Error> {
        let source = Source::new("query", text);
        let body = syntax::parse_query(&source).map_err(Error::Policy)?;
        let texts = body
            .literals
            .iter()
            .map(|l| source.slice(l.span).trim().to_string())
            .collect();
        let locations = body
            .literals
            .iter()
            .map(|l| source.line_col(l.span.start as usize))
            .collect();
        let compiled =
            compile::compile_query(&self.program, &body, &source).map_err(Error::Policy)?;
        Ok(Query {
            compiled,
            source,
            texts,
            locations,
        })
    }

    /// Evaluates a query against an input document (`None`: input is undefined).
    ///
    /// # Errors
    /// [`Error::Eval`] for conflicts, limits and (in strict mode) built-in errors.
    pub fn eval(&self, query: &Query, input: Option<&Value>) -> Result<Vec<Solution>, Error> {
        Ok(self
            .eval_with(query, input, None, &EvalOptions::default())?
            .solutions)
    }

    /// Evaluates with options and, optionally, data that replaces the compiled-in data.
    ///
    /// # Errors
    /// As [`Policy::eval`].
    pub fn eval_with(
        &self,
        query: &Query,
        input: Option<&Value>,
        data: Option<&Value>,
        options: &EvalOptions,
    ) -> Result<Evaluation, Error> {
        let local = self.local();
        let opts = Options {
            strict: options.strict_builtin_errors,
            print: options.print,
        };
        let (program, spare) = (&local.program, &local.spare);
        let mut ev = match data {
            Some(data) => Evaluator::new(program, data.clone(), input.cloned(), opts, spare),
            None => Evaluator::new(program, local.data.clone(), input.cloned(), opts, spare)
                .with_lasting(&local.memo),
        };
        let solutions = ev
            .query(&query.compiled, &query.source)
            .map_err(|e| Error::Eval(*e))?;
        let solutions = solutions
            .into_iter()
            .map(|s| Solution {
                expressions: query.texts.iter().cloned().zip(s.expressions).collect(),
                bindings: s.bindings.into_iter().collect(),
            })
            .collect();
        Ok(Evaluation {
            solutions,
            printed: std::mem::take(&mut ev.printed),
        })
    }

    /// Every rule and function, in the order first defined.
    pub fn rules(&self) -> &[RuleInfo] {
        &self.rules
    }

    /// Evaluates parts of rules against one input: each target is a rule and, optionally, the
    /// definitions of it to use (all when `None`). Rules they depend on are evaluated once.
    pub fn eval_rules(
        &self,
        targets: &[(RuleRef, Option<Vec<usize>>)],
        input: &Value,
        options: &EvalOptions,
    ) -> Vec<Result<Option<Value>, Error>> {
        let opts = Options {
            strict: options.strict_builtin_errors,
            print: options.print,
        };
        let local = self.local();
        let mut ev = Evaluator::new(
            &local.program,
            local.data.clone(),
            Some(input.clone()),
            opts,
            &local.spare,
        )
        .with_lasting(&local.memo);
        targets
            .iter()
            .map(|(r, defs)| {
                match defs {
                    None => ev.rule_value(r.0),
                    Some(d) => ev.rule_defs_value(r.0, d),
                }
                .map_err(|e| Error::Eval(*e))
            })
            .collect()
    }

    /// The data compiled in.
    pub fn data(&self) -> &Value {
        &self.data
    }
}

/// Renders diagnostics for a terminal (used by the CLI and tests).
pub fn render(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .map(Diagnostic::render)
        .collect::<Vec<_>>()
        .join("\n")
}

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Policy>();
    assert_send_sync::<Query>();
};

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::value::Set;

    /// A thread's evaluations reuse each other's buffers (the rule cache, the memo table, the
    /// slots): no rule value or function result may carry over from one input to the next, also
    /// after an evaluation that failed half-way.
    #[test]
    fn evaluations_in_sequence_do_not_see_each_others_results() {
        let mut engine = Engine::new();
        engine
            .add_policy(
                "p.rego",
                r#"package p

                name_of(c) := c.name

                names contains name_of(c) if some c in input.containers

                first := name_of(input.containers[0])

                conflict := 1 if input.fail
                conflict := 2 if input.fail
                "#,
            )
            .unwrap();
        let policy = engine.compile().unwrap();
        let id = |name: &str| {
            let info = policy
                .rules()
                .iter()
                .find(|r| r.path.last().unwrap() == name);
            info.unwrap().id
        };
        let targets = [(id("names"), None), (id("first"), None)];
        let conflict = [(id("conflict"), None)];
        let query = policy.query("data.p.first").unwrap();
        for i in 0..300 {
            if i % 5 == 0 {
                // Nothing found: the empty set every thread shares, and no value for `first`.
                let doc = Value::from_json_str(r#"{"containers": []}"#).unwrap();
                let found = policy.eval_rules(&targets, &doc, &EvalOptions::default());
                assert_eq!(found[0].as_ref().unwrap(), &Some(Value::set(Set::new())));
                assert_eq!(found[1].as_ref().unwrap(), &None, "input {i}");
                assert!(policy.eval(&query, Some(&doc)).unwrap().is_empty());
            }
            let doc = Value::from_json_str(&format!(
                r#"{{"fail": true, "containers": [{{"name": "c{i}"}}, {{"name": "x{i}"}}]}}"#
            ))
            .unwrap();
            if i % 7 == 0 {
                let failed = policy.eval_rules(&conflict, &doc, &EvalOptions::default());
                assert!(failed[0].is_err(), "{failed:?}");
            }
            let found = policy.eval_rules(&targets, &doc, &EvalOptions::default());
            let names = [format!("c{i}"), format!("x{i}")].map(Value::from);
            assert_eq!(
                found[0].as_ref().unwrap(),
                &Some(Value::set(names.into_iter().collect())),
                "input {i}"
            );
            assert_eq!(
                found[1].as_ref().unwrap(),
                &Some(Value::from(format!("c{i}")))
            );
            let solutions = policy.eval(&query, Some(&doc)).unwrap();
            assert_eq!(solutions[0].expressions[0].1, Value::from(format!("c{i}")));
        }
    }
}
