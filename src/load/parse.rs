//! One source's text into documents: splitting a YAML stream at its document markers, parsing
//! each document on its own (so a broken one hides nothing after it), unwrapping `kind: List`,
//! and checking that each object is a Kubernetes object. Every problem becomes a located
//! [`LoadError`]; nothing here panics on any input.

use super::json::Json;
use super::locate;
use super::{Chunk, Document, LoadError, LoadErrorKind, Position, SourceFile};
use crate::value::{Object, Value};
use crate::yaml;
use std::sync::{Arc, OnceLock};

/// Nesting limit, imposed by both parsers (`serde_norway` and `serde_json` stop at 128 levels):
/// real manifests stay under 30, and the limit keeps every later recursive walk off the stack's
/// edge.
pub const MAX_DEPTH: usize = 128;

const HELM_HINT: &str =
    " (this looks like an unrendered Helm template: render it first with `helm template`)";

/// Parses every document of `file`: the objects, and an error for each document that is not one.
///
/// A `.json` file (by name) is read as a stream of JSON values; anything else as a YAML stream,
/// which covers JSON too. Empty documents (`---` alone, only comments, or an empty file) are
/// skipped without an error. Each item of a `List` (`kind: List`, or any `*List` kind with an
/// `items` sequence) is returned as its own document. A leading byte-order mark is ignored.
pub fn documents(file: &SourceFile) -> (Vec<Document>, Vec<LoadError>) {
    let mut load = Load {
        file,
        docs: Vec::new(),
        errors: Vec::new(),
    };
    let start = if file.text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    if file.name.to_ascii_lowercase().ends_with(".json") {
        load.json(start);
    } else {
        load.yaml(start);
    }
    if !load.errors.is_empty() && file.text.contains("{{") {
        for err in load
            .errors
            .iter_mut()
            .filter(|e| e.kind == LoadErrorKind::Syntax)
        {
            err.message.push_str(HELM_HINT);
        }
    }
    (load.docs, load.errors)
}

struct Load<'a> {
    file: &'a SourceFile,
    docs: Vec<Document>,
    errors: Vec<LoadError>,
}

impl Load<'_> {
    fn yaml(&mut self, start: usize) {
        for (index, piece) in split(&self.file.text, start).into_iter().enumerate() {
            let chunk = piece.chunk;
            let Some(body) = self.file.text.get(chunk.start..chunk.end) else {
                continue;
            };
            if !piece.content {
                continue;
            }
            match yaml::parse(body) {
                Ok(Value::Null) => {}
                Ok(value) => {
                    // Merge keys are rare; skip the walk when the text cannot hold one.
                    let value = if body.contains("<<") {
                        apply_merges(&value).unwrap_or(value)
                    } else {
                        value
                    };
                    self.object(value, chunk, index);
                }
                Err(err) => {
                    let at = err.location().map(|l| Position {
                        line: chunk.line + l.line().max(1) - 1,
                        column: l.column().max(1),
                    });
                    let message = err.to_string();
                    let error = self.parse_error(&message, at, chunk, "YAML");
                    self.errors.push(error);
                }
            }
        }
    }

    fn json(&mut self, start: usize) {
        let text = self.file.text.get(start..).unwrap_or("");
        let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Json>();
        let (mut from, mut line) = (0, 1);
        for index in 0.. {
            let Some(next) = stream.next() else { break };
            let chunk = Chunk {
                start: start + from,
                end: start + stream.byte_offset(),
                line,
            };
            match next {
                Ok(Json(Value::Null)) => {}
                Ok(Json(value)) => self.object(value, chunk, index),
                Err(err) => {
                    let at = Position {
                        line: err.line().max(1),
                        column: err.column().max(1),
                    };
                    let chunk = Chunk {
                        end: self.file.text.len(),
                        ..chunk
                    };
                    let error = self.parse_error(&err.to_string(), Some(at), chunk, "JSON");
                    self.errors.push(error);
                    // A JSON stream cannot be resumed after an error.
                    break;
                }
            }
            let to = stream.byte_offset();
            line += text
                .get(from..to)
                .map_or(0, |s| s.bytes().filter(|&b| b == b'\n').count());
            from = to;
        }
    }

    /// Classifies a parser's error; `at` is already in file lines.
    fn parse_error(
        &self,
        message: &str,
        at: Option<Position>,
        chunk: Chunk,
        lang: &str,
    ) -> LoadError {
        let body = self.file.text.get(chunk.start..chunk.end).unwrap_or("");
        let in_file = |p: Position| Position {
            line: p.line + chunk.line - 1,
            column: p.column,
        };
        let doc_start = in_file(locate::find(body, &[]).0);
        let error = |kind, text: String| LoadError::new(&self.file.name, kind, text);
        if message.contains("duplicate entry with key") || message.contains("duplicate key `") {
            // The parsers point at the mapping or past the value; a reader wants the second key.
            if let Some(dup) = locate::first_duplicate(body) {
                let text = format!(
                    "duplicate key `{}` (first at line {})",
                    dup.key,
                    in_file(dup.first).line
                );
                return error(LoadErrorKind::DuplicateKey, text).at(in_file(dup.second));
            }
            let text = format!("duplicate key: {}", reword(message, chunk.line - 1));
            return error(LoadErrorKind::DuplicateKey, text).at(at.unwrap_or(doc_start));
        }
        if message.contains("recursion limit exceeded") {
            let text = format!("nesting deeper than {MAX_DEPTH} levels");
            return error(LoadErrorKind::Limit, text).at(at.unwrap_or(doc_start));
        }
        if message.contains("repetition limit exceeded") {
            let text =
                "aliases expand past the size limit (an alias bomb such as \"billion laughs\"); \
                        the document was refused"
                    .to_string();
            return error(LoadErrorKind::Limit, text).at(doc_start);
        }
        let text = format!("invalid {lang}: {}", reword(message, chunk.line - 1));
        error(LoadErrorKind::Syntax, text).at(at.unwrap_or(doc_start))
    }

    /// Checks one parsed document and keeps it, or its items if it is a list.
    fn object(&mut self, value: Value, chunk: Chunk, index: usize) {
        let body = self.file.text.get(chunk.start..chunk.end).unwrap_or("");
        let kind = value.get("kind").and_then(Value::as_str).unwrap_or("");
        let items = value.get("items").and_then(Value::as_array);
        let Some(items) = items.filter(|_| kind.ends_with("List")) else {
            if kind == "List" {
                let at = locate::find(body, &[Value::from("kind")]).0;
                self.reject(chunk, at, "a `List` needs an `items` sequence".to_string());
                return;
            }
            match check(&value) {
                Ok(()) => self.docs.push(self.document(value, chunk, index, None)),
                Err((message, path)) => {
                    let at = locate::find(body, &path).0;
                    self.reject(chunk, at, message);
                }
            }
            return;
        };
        let shared = Arc::new(OnceLock::new());
        for (i, item) in items.iter().enumerate() {
            match check(item) {
                Ok(()) => {
                    let mut doc = self.document(item.clone(), chunk, index, Some(i));
                    doc.list = Some(shared.clone());
                    self.docs.push(doc);
                }
                Err((message, path)) => {
                    let mut full = vec![Value::from("items"), Value::from(i as i64)];
                    full.extend(path);
                    let at = locate::find(body, &full).0;
                    self.reject(chunk, at, format!("`List` item {i}: {message}"));
                }
            }
        }
    }

    fn document(&self, value: Value, span: Chunk, index: usize, item: Option<usize>) -> Document {
        Document {
            file: self.file.name.clone(),
            index,
            item,
            value,
            text: self.file.text.clone(),
            span,
            list: None,
        }
    }

    fn reject(&mut self, chunk: Chunk, at: Position, message: String) {
        let at = Position {
            line: at.line + chunk.line - 1,
            column: at.column,
        };
        self.errors
            .push(LoadError::new(&self.file.name, LoadErrorKind::NotManifest, message).at(at));
    }
}

/// Whether a value is a Kubernetes object; if not, why and the path of the node to point at.
fn check(value: &Value) -> Result<(), (String, Vec<Value>)> {
    let Some(object) = value.as_object() else {
        return Err((
            format!("a manifest must be a mapping, not {}", describe(value)),
            Vec::new(),
        ));
    };
    let get = |key: &str| object.get(&Value::from(key));
    let missing: Vec<&str> = ["apiVersion", "kind", "metadata"]
        .into_iter()
        .filter(|k| get(k).is_none())
        .collect();
    if !missing.is_empty() {
        let names: Vec<String> = missing.iter().map(|k| format!("`{k}`")).collect();
        return Err((
            format!("not a Kubernetes object: missing {}", names.join(" and ")),
            Vec::new(),
        ));
    }
    for key in ["apiVersion", "kind"] {
        if let Some(v) = get(key).filter(|v| v.as_str().is_none()) {
            return Err((
                format!("`{key}` must be a string, not {}", describe(v)),
                vec![Value::from(key)],
            ));
        }
    }
    if let Some(v) = get("metadata").filter(|v| v.as_object().is_none()) {
        return Err((
            format!("`metadata` must be a mapping, not {}", describe(v)),
            vec![Value::from("metadata")],
        ));
    }
    Ok(())
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) | Value::Set(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// Applies YAML merge keys (`<<: *base`, `<<: [*a, *b]`) as Kubernetes' YAML reader does: the
/// mapping's own keys win, then earlier merged mappings over later ones. `None` when nothing
/// changed, so documents without merge keys are not copied. Recursion is bounded by the parser's
/// nesting limit.
fn apply_merges(value: &Value) -> Option<Value> {
    match value {
        Value::Array(items) => {
            let mut changed: Option<Vec<Value>> = None;
            for (i, item) in items.iter().enumerate() {
                if let Some(new) = apply_merges(item) {
                    let copy = changed.get_or_insert_with(|| (**items).clone());
                    if let Some(slot) = copy.get_mut(i) {
                        *slot = new;
                    }
                }
            }
            changed.map(Value::array)
        }
        Value::Object(map) => {
            let mut changed: Option<Object> = None;
            for (key, item) in map.iter() {
                if let Some(new) = apply_merges(item) {
                    changed
                        .get_or_insert_with(|| (**map).clone())
                        .insert(key.clone(), new);
                }
            }
            let merge = Value::from("<<");
            let current = changed.as_ref().unwrap_or(map);
            let sources: Vec<&Object> = match current.get(&merge) {
                Some(Value::Object(one)) => vec![one],
                Some(Value::Array(many)) => many.iter().filter_map(Value::as_object).collect(),
                _ => return changed.map(Value::object),
            };
            let mut merged = current.clone();
            merged.remove(&merge);
            for source in sources {
                for (key, item) in source.iter() {
                    merged.entry(key.clone()).or_insert_with(|| item.clone());
                }
            }
            Some(Value::object(merged))
        }
        _ => None,
    }
}

/// Drops the parser's own ` at line N column M` (the error is already located) and moves any
/// further positions it mentions from document lines to file lines.
fn reword(message: &str, line_offset: usize) -> String {
    const AT: &str = " at line ";
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    let mut first = true;
    while let Some(i) = rest.find(AT) {
        out.push_str(&rest[..i]);
        let after = &rest[i + AT.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let line = after[..digits].parse::<usize>().ok();
        let tail = &after[digits..];
        let column = tail
            .strip_prefix(" column ")
            .map(|t| t.bytes().take_while(u8::is_ascii_digit).count())
            .filter(|&n| n > 0);
        match (line, column) {
            (Some(line), Some(n)) => {
                let column_text = &tail[" column ".len()..][..n];
                if !first {
                    out.push_str(&format!("{AT}{} column {column_text}", line + line_offset));
                }
                first = false;
                rest = &tail[" column ".len() + n..];
            }
            _ => {
                out.push_str(AT);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// One YAML document's place in the stream.
struct Piece {
    chunk: Chunk,
    /// Whether it has anything but blank lines, comments and directives.
    content: bool,
}

/// Splits a YAML stream into its documents' texts at `---` and `...` lines. The YAML spec forbids
/// these markers at the start of a line inside any node, so a line scan finds exactly the
/// parser's document boundaries without parsing. Comments and directives before a `---` stay
/// with the document they precede; a trailing piece that holds only comments is not a document.
fn split(text: &str, start: usize) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut current = Piece {
        chunk: Chunk {
            start,
            end: start,
            line: 1,
        },
        content: false,
    };
    let mut marked = false;
    let (mut pos, mut line) = (start, 1);
    let mut ends = memchr::memchr_iter(b'\n', &text.as_bytes()[start..]).map(|i| start + i + 1);
    while pos < text.len() {
        let end = ends.next().unwrap_or(text.len());
        let row = &text[pos..end];
        let marker = |m: &str| {
            row.strip_prefix(m)
                .is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t', '\r', '\n']))
        };
        if marker("---") {
            if current.content || marked {
                current.chunk.end = pos;
                pieces.push(current);
                current = Piece {
                    chunk: Chunk {
                        start: pos,
                        end: pos,
                        line,
                    },
                    content: false,
                };
            }
            marked = true;
            let rest = row[3..].trim();
            current.content |= !rest.is_empty() && !rest.starts_with('#');
        } else if marker("...") {
            current.chunk.end = end;
            if current.content || marked {
                pieces.push(current);
            }
            current = Piece {
                chunk: Chunk {
                    start: end,
                    end,
                    line: line + 1,
                },
                content: false,
            };
            marked = false;
        } else if !current.content {
            // Only until a document is known to have content (most lines are past that point).
            let trimmed = row.trim_start();
            if !(trimmed.is_empty() || trimmed.starts_with('#') || row.starts_with('%')) {
                current.content = true;
            }
        }
        pos = end;
        line += 1;
    }
    current.chunk.end = text.len();
    if current.content || marked {
        pieces.push(current);
    }
    pieces
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<(String, usize, bool)> {
        split(text, 0)
            .into_iter()
            .map(|p| {
                (
                    text[p.chunk.start..p.chunk.end].to_string(),
                    p.chunk.line,
                    p.content,
                )
            })
            .collect()
    }

    #[test]
    fn splitting_follows_document_markers() {
        assert_eq!(spans(""), vec![]);
        assert_eq!(spans("# only\n\n"), vec![]);
        assert_eq!(
            spans("# c\n---\na: 1\n"),
            vec![("# c\n---\na: 1\n".into(), 1, true)]
        );
        assert_eq!(
            spans("a: 1\n---\n---\nb: |\n  ---x\n...\n# tail\n"),
            vec![
                ("a: 1\n".into(), 1, true),
                ("---\n".into(), 2, false),
                ("---\nb: |\n  ---x\n...\n".into(), 3, true),
            ]
        );
        assert_eq!(
            spans("--- {a: 1}\r\n--- # c\r\n"),
            vec![
                ("--- {a: 1}\r\n".into(), 1, true),
                ("--- # c\r\n".into(), 2, false),
            ]
        );
        assert_eq!(
            spans("%YAML 1.2\n---\na: 1\n"),
            vec![("%YAML 1.2\n---\na: 1\n".into(), 1, true)]
        );
        assert_eq!(
            spans("a: 1\n----\nb: 2"),
            vec![("a: 1\n----\nb: 2".into(), 1, true)]
        );
    }

    #[test]
    fn reword_moves_positions_to_file_lines() {
        assert_eq!(
            reword("did not find expected ',' at line 2 column 2, while parsing a flow sequence at line 1 column 4", 10),
            "did not find expected ',', while parsing a flow sequence at line 11 column 4"
        );
        assert_eq!(
            reword("EOF while parsing at line 3", 0),
            "EOF while parsing at line 3"
        );
    }

    #[test]
    fn merges_follow_kubernetes() {
        let v = yaml::parse("a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n  x: 0\n")
            .unwrap();
        let merged = apply_merges(&v).unwrap();
        let c = merged.get("c").unwrap();
        assert_eq!(c.get("x"), Some(&Value::int(0)));
        assert_eq!(c.get("y"), Some(&Value::int(1)));
        assert_eq!(c.get("z"), Some(&Value::int(2)));
        assert!(c.get("<<").is_none());
        assert!(apply_merges(&yaml::parse("a: {b: [1, {c: 2}]}").unwrap()).is_none());
    }
}
