//! OPA's `# METADATA` annotations: a comment block whose first line is `METADATA`, followed by
//! YAML (`title`, `description`, `custom`, ...), placed right before a rule or the package.
//! Using OPA's own format means other Rego tools read our rules' metadata too.

use crate::syntax::ast::Module;
use crate::value::Value;

/// What an annotation block is attached to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// The package (the block precedes `package`).
    Package,
    /// One definition of a rule: its name and its position among the module's rules.
    Rule {
        /// The rule's name.
        name: String,
        /// Index of the definition in the module's rules.
        index: usize,
    },
}

/// One parsed annotation block.
#[derive(Clone, Debug, PartialEq)]
pub struct Annotation {
    /// What it annotates.
    pub target: Target,
    /// The YAML document as a value (an object).
    pub value: Value,
    /// 1-based line of the `METADATA` comment.
    pub line: usize,
}

impl Annotation {
    /// A string field (`title`, `description`).
    pub fn text(&self, field: &str) -> Option<&str> {
        self.value.get(field).and_then(Value::as_str)
    }

    /// A string field under `custom` (`id`, `severity`, `remediation`).
    pub fn custom(&self, field: &str) -> Option<&str> {
        self.value
            .get("custom")
            .and_then(|c| c.get(field))
            .and_then(Value::as_str)
    }
}

/// Reads every annotation block of a module. A block that is not valid YAML is an error
/// naming its line.
pub(crate) fn annotations(module: &Module) -> Result<Vec<Annotation>, (usize, String)> {
    let src = &module.source;
    // Group comments into blocks of consecutive lines.
    let mut blocks: Vec<Vec<(usize, &str)>> = vec![];
    for (span, text) in &module.comments {
        let (line, _) = src.line_col(span.start as usize);
        match blocks.last_mut() {
            Some(b) if b.last().is_some_and(|(l, _)| *l + 1 == line) => b.push((line, text)),
            _ => blocks.push(vec![(line, text)]),
        }
    }
    let (package_line, _) = src.line_col(module.package_span.start as usize);
    let rule_lines: Vec<(usize, &str, usize)> = module
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (src.line_col(r.span.start as usize).0, r.name.as_str(), i))
        .collect();
    let mut out = vec![];
    for block in blocks {
        let Some(start) = block.iter().position(|(_, t)| t.trim() == "METADATA") else {
            continue;
        };
        let (line, _) = block[start];
        let yaml: String = block[start + 1..]
            .iter()
            .map(|(_, t)| t.strip_prefix(' ').unwrap_or(t))
            .collect::<Vec<_>>()
            .join("\n");
        let value = crate::yaml::parse(&yaml)
            .map_err(|e| (line, format!("invalid METADATA block: {e}")))?;
        let value = match value {
            Value::Null => Value::empty_object(),
            v @ Value::Object(_) => v,
            _ => return Err((line, "a METADATA block must be a YAML mapping".to_string())),
        };
        let end = block.last().map_or(line, |(l, _)| *l);
        // The next statement after the block: the package or the first rule below it.
        let next_rule = rule_lines.iter().find(|(l, _, _)| *l > end);
        let target = if package_line > end && next_rule.is_none_or(|(l, _, _)| *l > package_line) {
            Target::Package
        } else if let Some((_, name, index)) = next_rule {
            Target::Rule {
                name: name.to_string(),
                index: *index,
            }
        } else {
            continue;
        };
        out.push(Annotation {
            target,
            value,
            line,
        });
    }
    Ok(out)
}
