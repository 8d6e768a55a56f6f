//! The compiled form the evaluator runs: names resolved, variables numbered, bodies ordered.
//!
//! Every variable is a slot in its rule's frame, every reference to `data` is resolved to a rule
//! or a static path, and every operator is a call of a built-in. Nothing here refers back to
//! the syntax tree except spans (for error messages).

use crate::builtins::Builtin;
use crate::source::{Source, Span};
use crate::value::Value;
use std::sync::Arc;

/// Index of a variable in its frame.
pub type Slot = usize;
/// Index of a rule in [`Program::rules`].
pub type RuleId = usize;

/// A compiled policy set.
#[derive(Debug, Default)]
pub struct Program {
    /// Every rule (all definitions of one path together).
    pub rules: Vec<RuleSet>,
    /// The package tree, for references to `data` that do not name a rule statically.
    pub tree: DataNode,
    /// For each rule, whether its value never depends on `input` (see `purity`).
    pub input_free: Vec<bool>,
}

/// A node of the package tree: packages hold rules and other packages.
#[derive(Debug, Default)]
pub struct DataNode {
    /// Child nodes by name, sorted.
    pub children: std::collections::BTreeMap<Arc<str>, DataNode>,
    /// The rule at this path, if any.
    pub rule: Option<RuleId>,
}

/// What a rule defines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleKind {
    /// One value.
    Complete,
    /// A set built from every definition.
    PartialSet,
    /// An object built from every definition.
    PartialObject,
    /// A function of `arity` arguments.
    Function {
        /// Number of parameters.
        arity: usize,
    },
}

/// All definitions of one rule path.
#[derive(Debug)]
pub struct RuleSet {
    /// `["pkg", "name"]` (without `data`).
    pub path: Vec<Arc<str>>,
    /// What it defines.
    pub kind: RuleKind,
    /// The definitions, in source order.
    pub defs: Vec<RuleDef>,
    /// The `default` value: a constant, or a closed term such as a comprehension.
    pub default: Option<Term>,
    /// Frame size for evaluating a non-constant default.
    pub default_frame: usize,
    /// Where it was first defined.
    pub source: Arc<Source>,
    /// Span of the first definition's name.
    pub span: Span,
}

/// One definition, with its `else` chain.
#[derive(Clone, Debug)]
pub struct RuleDef {
    /// Slots in this definition's frame.
    pub frame_size: usize,
    /// Function parameters (patterns).
    pub params: Vec<Term>,
    /// Object key or set member.
    pub key: Option<Term>,
    /// The value; `true` when the rule head has none.
    pub value: Term,
    /// The body, already ordered for safety.
    pub body: Body,
    /// `else` clauses: value and body, tried in order when the body has no solution.
    pub elses: Vec<(Term, Body)>,
    /// The definition's source.
    pub source: Arc<Source>,
}

/// A conjunction of literals.
pub type Body = Vec<Literal>;

/// One literal of a body.
#[derive(Debug, Clone)]
pub struct Literal {
    /// What to evaluate.
    pub kind: LiteralKind,
    /// `with` modifiers.
    pub with: Vec<WithMod>,
    /// For error messages.
    pub span: Span,
}

/// The kinds of literal.
#[derive(Debug, Clone)]
pub enum LiteralKind {
    /// Holds for every value of the term that is not `false`.
    Expr(Term),
    /// `a = b` or `a := b`: unification.
    Unify(Term, Term),
    /// `not`: holds when the body has no solution.
    Not(Body),
    /// `some k, v in xs`: iterate `xs`, unifying `k` and `v`.
    SomeIn {
        /// Key pattern.
        key: Option<Term>,
        /// Value pattern.
        value: Term,
        /// The collection.
        collection: Term,
    },
    /// `every k, v in xs { body }`.
    Every {
        /// Key slot.
        key: Option<Slot>,
        /// Value slot.
        value: Slot,
        /// The collection.
        collection: Term,
        /// Must hold for every element.
        body: Body,
        /// Slots local to the body, cleared per element.
        locals: Vec<Slot>,
    },
    /// The body of a function inlined at a call (see `compile::inline`): its literals, in the
    /// caller's frame, whose errors name the function's file.
    Inline {
        /// The function.
        function: RuleId,
        /// Its body, with its slots moved into the caller's frame.
        body: Body,
    },
    /// Always holds (a `some x` declaration).
    True,
}

/// `with target as value`.
#[derive(Debug, Clone)]
pub struct WithMod {
    /// `input` or `data`.
    pub root: WithRoot,
    /// Path below the root.
    pub path: Vec<Value>,
    /// The replacement.
    pub value: Term,
}

/// The document a `with` replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WithRoot {
    /// `input`
    Input,
    /// `data`
    Data,
}

/// The function a call invokes.
#[derive(Debug, Clone)]
pub enum Callee {
    /// A built-in.
    Builtin(&'static Builtin),
    /// A user function.
    Rule {
        /// The function.
        id: RuleId,
        /// Its number of parameters.
        arity: usize,
    },
    /// `print`, which writes to the evaluator's sink.
    Print,
}

impl Callee {
    /// Whether a call with `nargs` arguments passes its result to the last one.
    pub fn has_output(&self, nargs: usize) -> bool {
        match self {
            Callee::Builtin(b) => nargs == b.arity + 1,
            Callee::Rule { arity, .. } => nargs == arity + 1,
            Callee::Print => false,
        }
    }
}

/// A compiled term.
#[derive(Debug, Clone)]
pub enum Term {
    /// A constant.
    Value(Value),
    /// A variable.
    Var(Slot),
    /// The input document.
    Input,
    /// The value of a rule.
    Rule(RuleId),
    /// The `data` document at a static path that does not name a rule: base data merged with
    /// the rules below it.
    Data(Arc<[Arc<str>]>),
    /// `head[path...]`, iterating over unbound variables.
    Ref(Box<Term>, Vec<Term>),
    /// A call; when `args` has one more than the arity, the last is the output.
    Call(Callee, Vec<Term>, Span),
    /// `[a, b]`
    Array(Vec<Term>),
    /// `{a, b}`
    Set(Vec<Term>),
    /// `{k: v}`
    Object(Vec<(Term, Term)>),
    /// `[t | body]`
    ArrayCompr(Box<Term>, Body),
    /// `{t | body}`
    SetCompr(Box<Term>, Body),
    /// `{k: v | body}`
    ObjectCompr(Box<Term>, Box<Term>, Body),
    /// `v in xs` or `k, v in xs`.
    Member(Option<Box<Term>>, Box<Term>, Box<Term>),
}

impl Term {
    /// The value of a constant term.
    pub fn as_const(&self) -> Option<&Value> {
        match self {
            Term::Value(v) => Some(v),
            _ => None,
        }
    }
}
