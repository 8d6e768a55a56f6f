//! The embedding API: collect policies and data in an [`Engine`], compile them once into a
//! [`Policy`], then evaluate queries against any number of inputs from any number of threads.

use crate::compile::{self, ir::Program, CompiledQuery};
use crate::error::{Diagnostic, Error};
use crate::eval::{Evaluator, Options};
use crate::source::Source;
use crate::syntax::{self, ast};
use crate::value::{Object, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Collects policy modules and data before compilation.
#[derive(Default)]
pub struct Engine {
    modules: Vec<ast::Module>,
    data: Value,
}

impl Default for Value {
    fn default() -> Value {
        Value::empty_object()
    }
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
        let source = Source::new(name, text);
        let module = syntax::parse_module(&source).map_err(Error::Policy)?;
        self.modules.push(module);
        Ok(())
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
        Ok(Policy {
            program,
            data: self.data,
        })
    }
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
        let data = data.cloned().unwrap_or_else(|| self.data.clone());
        let opts = Options {
            strict: options.strict_builtin_errors,
            print: options.print,
        };
        let mut ev = Evaluator::new(&self.program, data, input.cloned(), opts);
        let solutions = ev
            .query(&query.compiled, &query.source)
            .map_err(Error::Eval)?;
        let solutions = solutions
            .into_iter()
            .map(|s| Solution {
                expressions: query.texts.iter().cloned().zip(s.expressions).collect(),
                bindings: s.bindings.into_iter().collect(),
            })
            .collect();
        Ok(Evaluation {
            solutions,
            printed: ev.printed,
        })
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
