//! The syntax tree of a Rego module or query: plain data with spans, no behaviour.
//!
//! The parser produces it and the compiler consumes it; nothing else sees it. Operators are
//! already grouped by precedence, `if`-less rules have no body, and literals keep their source
//! text (numbers stay text so that the compiler can parse them exactly).

use crate::source::{Source, Span};
use std::sync::Arc;

/// A parsed `.rego` file.
#[derive(Clone, Debug)]
pub struct Module {
    /// The text it was parsed from.
    pub source: Arc<Source>,
    /// `package a.b.c` as `["a", "b", "c"]`.
    pub package: Vec<String>,
    /// Span of the package path.
    pub package_span: Span,
    /// The imports, in order.
    pub imports: Vec<Import>,
    /// The rules, in order.
    pub rules: Vec<Rule>,
    /// Every comment: its span and text without the leading `#`. Used for `# METADATA`.
    pub comments: Vec<(Span, String)>,
}

/// `import data.a.b as c`, `import input.x`, `import rego.v1`, `import future.keywords.in`.
#[derive(Clone, Debug)]
pub struct Import {
    /// The dotted path, first segment included: `["data", "a", "b"]`.
    pub path: Vec<String>,
    /// `as c`.
    pub alias: Option<String>,
    /// The whole import.
    pub span: Span,
}

/// One rule, default rule or function definition, with its `else` chain.
#[derive(Clone, Debug)]
pub struct Rule {
    /// The whole rule.
    pub span: Span,
    /// `default p := v`.
    pub is_default: bool,
    /// The rule's name (`p` in `p[k] := v`).
    pub name: String,
    /// Span of the name.
    pub name_span: Span,
    /// What the head defines.
    pub head: Head,
    /// The body after `if`; `None` when there is no `if` (the body is then `true`).
    pub body: Option<Body>,
    /// `else [:= value] [if] { ... }` clauses, in order.
    pub elses: Vec<Else>,
}

/// The kind of document a rule head defines.
#[derive(Clone, Debug)]
pub enum Head {
    /// `p := v`, `p = v` or `p` (value `true` when absent).
    Complete {
        /// The value; `None` means `true`.
        value: Option<Expr>,
    },
    /// `p contains x`.
    PartialSet {
        /// The member.
        key: Expr,
    },
    /// `p[k] := v`, `p[k] = v` or `p[k]` (value `true` when absent).
    PartialObject {
        /// The key.
        key: Expr,
        /// The value; `None` means `true`.
        value: Option<Expr>,
    },
    /// `f(a, b) := v`, `f(a, b) = v` or `f(a, b)` (value `true` when absent).
    Function {
        /// The parameters: variables or patterns (`f(1)`, `f([x, _])`).
        args: Vec<Expr>,
        /// The value; `None` means `true`.
        value: Option<Expr>,
    },
}

/// An `else` clause.
#[derive(Clone, Debug)]
pub struct Else {
    /// The whole clause.
    #[allow(dead_code)] // kept for diagnostics, as every node keeps its span
    pub span: Span,
    /// `else := v`; `None` means `true`.
    pub value: Option<Expr>,
    /// `else ... if { ... }`; `None` when there is no body (the body is then `true`).
    pub body: Option<Body>,
}

/// A sequence of literals, all of which must hold.
#[derive(Clone, Debug)]
pub struct Body {
    /// The whole body, braces included when present.
    #[allow(dead_code)] // kept for diagnostics, as every node keeps its span
    pub span: Span,
    /// The literals, in source order.
    pub literals: Vec<Literal>,
}

/// One line of a body, with its `with` modifiers.
#[derive(Clone, Debug)]
pub struct Literal {
    /// The whole literal, modifiers included.
    pub span: Span,
    /// What it says.
    pub kind: LiteralKind,
    /// `with target as value` modifiers, in order.
    pub with: Vec<With>,
}

/// The kinds of literal.
#[derive(Clone, Debug)]
pub enum LiteralKind {
    /// An expression that must be defined and not `false`.
    Expr(Expr),
    /// `not expr`.
    Not(Expr),
    /// `some x, y`: declares fresh local variables.
    Some(Vec<(String, Span)>),
    /// `some v in xs` or `some k, v in xs`.
    SomeIn {
        /// `k` in `some k, v in xs`; a variable or a pattern.
        key: Option<Expr>,
        /// `v`; a variable or a pattern.
        value: Expr,
        /// `xs`.
        collection: Expr,
    },
    /// `every v in xs { ... }` or `every k, v in xs { ... }`.
    Every {
        /// `k`, a variable.
        key: Option<(String, Span)>,
        /// `v`, a variable.
        value: (String, Span),
        /// `xs`.
        collection: Expr,
        /// The body that must hold for every element.
        body: Body,
    },
}

/// `with input.x as value` or `with data.a.b as value`.
#[derive(Clone, Debug)]
pub struct With {
    /// The whole modifier.
    pub span: Span,
    /// The target as a dotted path, first segment included: `["input", "x"]`.
    pub target: Vec<String>,
    /// The replacement value.
    pub value: Expr,
}

/// An expression with its span.
#[derive(Clone, Debug)]
pub struct Expr {
    /// The source range.
    pub span: Span,
    /// What it is.
    pub kind: ExprKind,
}

/// The kinds of expression.
#[derive(Clone, Debug)]
pub enum ExprKind {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A number literal as written (`-1.5e3` keeps its sign when the lexer took it).
    Number(String),
    /// A string literal, escapes already decoded.
    String(String),
    /// A variable, including `_`, `input` and `data`.
    Var(String),
    /// `head.field[index]...`: the head is a variable, a call, a literal or a parenthesised expr.
    Ref {
        /// The first term.
        head: Box<Expr>,
        /// The selectors after it, in order.
        path: Vec<RefArg>,
    },
    /// `f(a, b)` or `pkg.f(a)`: the dotted name and the arguments.
    Call {
        /// The name as written, split at dots: `["strings", "any_prefix_match"]`, `["data", "lib", "f"]`.
        name: Vec<String>,
        /// Span of the name.
        name_span: Span,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// `[a, b]`
    Array(Vec<Expr>),
    /// `{a, b}` (`set()` is an empty set call, lowered to `Set(vec![])`).
    Set(Vec<Expr>),
    /// `{k: v}`
    Object(Vec<(Expr, Expr)>),
    /// `[term | body]`
    ArrayCompr {
        /// The collected term.
        term: Box<Expr>,
        /// The body.
        body: Body,
    },
    /// `{term | body}`
    SetCompr {
        /// The collected term.
        term: Box<Expr>,
        /// The body.
        body: Body,
    },
    /// `{key: value | body}`
    ObjectCompr {
        /// The key.
        key: Box<Expr>,
        /// The value.
        value: Box<Expr>,
        /// The body.
        body: Body,
    },
    /// `lhs op rhs`.
    Binary {
        /// The operator.
        op: BinOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `-x` where `x` is not a number literal.
    Neg(Box<Expr>),
    /// `v in xs` or `k, v in xs` (membership, not iteration).
    Membership {
        /// `k` in `k, v in xs`.
        key: Option<Box<Expr>>,
        /// `v`.
        value: Box<Expr>,
        /// `xs`.
        collection: Box<Expr>,
    },
}

/// A selector in a reference.
#[derive(Clone, Debug)]
pub enum RefArg {
    /// `.name`
    Field(String, #[allow(dead_code)] Span),
    /// `[expr]`
    Index(Expr),
}

/// Binary operators, loosest first in the parser's precedence climb:
/// `:=` `=` < `in` < comparisons < `|` < `&` < `+ -` < `* / %`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// `:=`, declares and binds local variables.
    Assign,
    /// `=`, unification.
    Unify,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `|` (set union)
    Or,
    /// `&` (set intersection)
    And,
    /// `+`
    Add,
    /// `-` (subtraction or set difference)
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Assign => ":=",
            BinOp::Unify => "=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Or => "|",
            BinOp::And => "&",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
        }
    }
}
