//! Source positions, computed on demand from a document's text with a position-aware parser
//! (`saphyr-parser`'s event stream).
//!
//! Everything here streams events and keeps only counters and, for the duplicate-key search, one
//! key set per open mapping: no tree is built and nothing recurses, so a pathological document
//! costs time proportional to its length and never the stack. Walks stop as soon as the answer is
//! known, so locating a field near the top of a long document reads only that far.

use super::Position;
use crate::number::Number;
use crate::value::Value;
use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Span, StrInput};
use std::collections::HashMap;

/// Where one item of a `List` sits in the list document's text, so that a finding in item 4,000
/// parses only that item and not the 3,999 before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ItemSpan {
    /// First byte of the item's node (after the `- ` of a block sequence).
    start: usize,
    /// One past its last byte.
    end: usize,
    /// 1-based line of `start` within the list document.
    line: usize,
    /// 1-based column (characters) of `start`.
    column: usize,
}

impl ItemSpan {
    /// The item's text from the start of its first line (its `- ` included) and that line's
    /// number: a sequence whose first item is this one, for the line scan.
    pub(crate) fn own_lines<'t>(&self, text: &'t str) -> Option<(&'t str, usize)> {
        let before = text.get(..self.start)?;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Some((text.get(line_start..self.end)?, self.line))
    }
}

/// A stream of events that ends at the first syntax error: positions are best-effort, and the
/// value parser has already reported any error. It is read from the text, or from a
/// [`Recording`] of it, starting at its first event.
enum Events<'a, 'r> {
    Live {
        parser: Box<Parser<'a, StrInput<'a>>>,
        /// The stream ended at a syntax error.
        failed: bool,
    },
    Recorded {
        recording: &'r mut Recording<'a>,
        next: usize,
    },
}

impl<'a, 'r> Events<'a, 'r> {
    fn new(text: &'a str) -> Self {
        Events::Live {
            parser: Box::new(Parser::new_from_str(text)),
            failed: false,
        }
    }

    fn next(&mut self) -> Option<(Event<'a>, Span)> {
        match self {
            Events::Live { parser, failed } => match parser.next_event() {
                Some(Ok(pair)) => Some(pair),
                Some(Err(_)) => {
                    *failed = true;
                    None
                }
                None => None,
            },
            Events::Recorded { recording, next } => {
                let pair = recording.event(*next)?;
                *next += 1;
                Some(pair)
            }
        }
    }

    /// The first node of the first document.
    fn root(&mut self) -> Option<(Event<'a>, Span)> {
        loop {
            let (event, span) = self.next()?;
            match event {
                Event::StreamStart | Event::DocumentStart(_) | Event::Nothing => continue,
                Event::DocumentEnd | Event::StreamEnd => return None,
                _ => return Some((event, span)),
            }
        }
    }

    /// Consumes the rest of the node that `first` starts; returns the span of its last event.
    fn skip(&mut self, first: &Event<'a>, span: Span) -> Option<Span> {
        if !matches!(first, Event::MappingStart(..) | Event::SequenceStart(..)) {
            return Some(span);
        }
        let mut depth = 1usize;
        loop {
            let (event, span) = self.next()?;
            match event {
                Event::MappingStart(..) | Event::SequenceStart(..) => depth += 1,
                Event::MappingEnd | Event::SequenceEnd => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(span);
                    }
                }
                _ => {}
            }
        }
    }
}

fn position(mark: Marker) -> Position {
    Position {
        line: mark.line().max(1),
        column: mark.col() + 1,
    }
}

/// How far a path was followed.
struct Descent<'a> {
    /// The node the whole path leads to, not yet consumed; `None` when the path stopped early.
    node: Option<(Event<'a>, Span)>,
    /// Position of the deepest element found (the key of a mapping entry, the node of an item).
    best: Position,
    /// How many path elements were found.
    matched: usize,
}

/// Follows `path` from the root of the first document of `events`; `None` when there is no root.
fn descend<'a>(events: &mut Events<'a, '_>, path: &[Value]) -> Option<Descent<'a>> {
    let (mut event, mut span) = events.root()?;
    let mut best = position(span.start);
    let mut matched = 0;
    for want in path {
        let found = match event {
            Event::MappingStart(..) => entry(events, want),
            Event::SequenceStart(..) => item(events, want),
            _ => Err(None),
        };
        match found {
            Ok((at, value, value_span)) => {
                best = at;
                matched += 1;
                event = value;
                span = value_span;
            }
            // The mapping has no such key but merges others in: point at the `<<`.
            Err(Some(merge)) => {
                return Some(Descent {
                    node: None,
                    best: merge,
                    matched,
                })
            }
            Err(None) => {
                return Some(Descent {
                    node: None,
                    best,
                    matched,
                })
            }
        }
    }
    Some(Descent {
        node: Some((event, span)),
        best,
        matched,
    })
}

type Found<'a> = Result<(Position, Event<'a>, Span), Option<Position>>;

/// Finds the entry with key `want` in a mapping whose start was just read: its key's position
/// and its value's first event. The error carries the position of a merge key, if any.
fn entry<'a>(events: &mut Events<'a, '_>, want: &Value) -> Found<'a> {
    let mut merge = None;
    loop {
        let Some((key, key_span)) = events.next() else {
            return Err(merge);
        };
        if matches!(key, Event::MappingEnd) {
            return Err(merge);
        }
        let hit = match &key {
            Event::Scalar(text, style, ..) => {
                if *style == ScalarStyle::Plain && text == "<<" {
                    merge = Some(position(key_span.start));
                }
                key_matches(text, *style, want)
            }
            other => {
                events.skip(other, key_span).ok_or(merge)?;
                false
            }
        };
        let (value, value_span) = events.next().ok_or(merge)?;
        if hit {
            return Ok((position(key_span.start), value, value_span));
        }
        events.skip(&value, value_span).ok_or(merge)?;
    }
}

/// Finds item `want` of a sequence whose start was just read.
fn item<'a>(events: &mut Events<'a, '_>, want: &Value) -> Found<'a> {
    let Some(index) = index(want) else {
        return Err(None);
    };
    for _ in 0..index {
        let (event, span) = events.next().ok_or(None)?;
        if matches!(event, Event::SequenceEnd) {
            return Err(None);
        }
        events.skip(&event, span).ok_or(None)?;
    }
    match events.next() {
        Some((Event::SequenceEnd, _)) | None => Err(None),
        Some((event, span)) => Ok((position(span.start), event, span)),
    }
}

/// The sequence index a path element names, if it names one.
pub(super) fn index(want: &Value) -> Option<usize> {
    want.as_number()
        .and_then(Number::as_i64)
        .and_then(|i| usize::try_from(i).ok())
}

/// Whether a scalar key, as written, is the path element `want` (a path element is a value, so
/// `1` and `"1"` differ only in how the key was resolved; either is close enough for a position).
fn key_matches(text: &str, style: ScalarStyle, want: &Value) -> bool {
    match want {
        Value::String(s) => &**s == text,
        Value::Number(n) => style == ScalarStyle::Plain && Number::parse(text).as_ref() == Some(n),
        Value::Bool(b) => {
            style == ScalarStyle::Plain
                && text.eq_ignore_ascii_case(if *b { "true" } else { "false" })
        }
        Value::Null => {
            style == ScalarStyle::Plain && matches!(text, "" | "~" | "null" | "Null" | "NULL")
        }
        _ => false,
    }
}

/// The position of `path` in the first document of `text` (lines counted from the text's
/// start), and how many elements of the path were found. A text the position parser cannot
/// read at all gives its first line.
pub(crate) fn find(text: &str, path: &[Value]) -> (Position, usize) {
    found(descend(&mut Events::new(text), path))
}

fn found(descent: Option<Descent<'_>>) -> (Position, usize) {
    match descent {
        Some(d) => (d.best, d.matched),
        None => (Position { line: 1, column: 1 }, 0),
    }
}

/// The events of a text, read as far as the paths asked for so far needed (up to its end or
/// first syntax error at most): a document with many findings is tokenised once for all of them,
/// and only up to its last finding.
pub(crate) struct Recording<'a> {
    /// `None` once the text is read to its end.
    parser: Option<Box<Parser<'a, StrInput<'a>>>>,
    events: Vec<(Event<'a>, Span)>,
}

impl<'a> Recording<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Recording {
            parser: Some(Box::new(Parser::new_from_str(text))),
            events: Vec::new(),
        }
    }

    /// Event `i` of the text, reading on from the text when it has not been read yet.
    fn event(&mut self, i: usize) -> Option<(Event<'a>, Span)> {
        while self.events.len() <= i {
            match self.parser.as_mut()?.next_event() {
                Some(Ok(pair)) => self.events.push(pair),
                _ => {
                    self.parser = None;
                    return None;
                }
            }
        }
        self.events.get(i).cloned()
    }

    /// As [`find`] on the recorded text.
    pub(crate) fn find(&mut self, path: &[Value]) -> (Position, usize) {
        found(descend(
            &mut Events::Recorded {
                recording: self,
                next: 0,
            },
            path,
        ))
    }
}

/// The spans of the items of the `items` sequence of a `List` document.
pub(crate) fn list_items(text: &str) -> Vec<ItemSpan> {
    let mut events = Events::new(text);
    let mut spans = Vec::new();
    let Some(Descent {
        node: Some((Event::SequenceStart(..), _)),
        ..
    }) = descend(&mut events, &[Value::from("items")])
    else {
        return spans;
    };
    let lines = LineStarts::new(text);
    while let Some((event, span)) = events.next() {
        if matches!(event, Event::SequenceEnd) {
            break;
        }
        let Some(last) = events.skip(&event, span) else {
            break;
        };
        let (Some(start), Some(end)) = (lines.byte(text, span.start), lines.byte(text, last.end))
        else {
            break;
        };
        let at = position(span.start);
        spans.push(ItemSpan {
            start,
            end: end.max(start),
            line: at.line,
            column: at.column,
        });
    }
    spans
}

/// Locates `path` within one list item by parsing only the item's text, padded on its first line
/// so that columns and indentation stay as they are in the file. `None` when the item's text
/// cannot be read on its own, so the caller walks the whole list instead.
pub(crate) fn find_in_item(
    text: &str,
    item: &ItemSpan,
    path: &[Value],
) -> Option<(Position, usize)> {
    let body = text.get(item.start..item.end)?;
    let mut own = " ".repeat(item.column.saturating_sub(1));
    own.push_str(body);
    let mut events = Events::new(&own);
    let found = descend(&mut events, path)?;
    // An item that does not parse on its own (an alias of an anchor outside it, a tag handle
    // declared before the document) is read only up to the error: when that stopped the path
    // short, the walk of the whole list answers instead.
    if found.matched < path.len() && matches!(events, Events::Live { failed: true, .. }) {
        return None;
    }
    let at = Position {
        line: found.best.line + item.line - 1,
        column: found.best.column,
    };
    Some((at, found.matched))
}

/// A key written twice in one mapping.
pub(crate) struct Duplicate {
    pub key: String,
    pub first: Position,
    pub second: Position,
}

/// The first key that repeats an earlier key of the same mapping. Keys are compared as written,
/// which is what a reader compares.
pub(crate) fn first_duplicate(text: &str) -> Option<Duplicate> {
    enum Open {
        Map {
            keys: HashMap<String, Position>,
            want_key: bool,
        },
        Seq,
    }
    let mut events = Events::new(text);
    let mut open: Vec<Open> = Vec::new();
    while let Some((event, span)) = events.next() {
        let is_node = matches!(
            event,
            Event::Scalar(..)
                | Event::Alias(_)
                | Event::MappingStart(..)
                | Event::SequenceStart(..)
        );
        if is_node {
            if let Some(Open::Map { keys, want_key }) = open.last_mut() {
                if *want_key {
                    if let Event::Scalar(text, ..) = &event {
                        let second = position(span.start);
                        if let Some(&first) = keys.get(&**text) {
                            return Some(Duplicate {
                                key: text.to_string(),
                                first,
                                second,
                            });
                        }
                        keys.insert(text.to_string(), second);
                    }
                }
                *want_key = !*want_key;
            }
        }
        match event {
            Event::MappingStart(..) => open.push(Open::Map {
                keys: HashMap::new(),
                want_key: true,
            }),
            Event::SequenceStart(..) => open.push(Open::Seq),
            Event::MappingEnd | Event::SequenceEnd => {
                open.pop();
            }
            _ => {}
        }
    }
    None
}

/// Byte offsets of line starts, to turn the parser's character positions into byte offsets.
struct LineStarts(Vec<usize>);

impl LineStarts {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineStarts(starts)
    }

    fn byte(&self, text: &str, mark: Marker) -> Option<usize> {
        let start = *self.0.get(mark.line().checked_sub(1)?)?;
        let line = text.get(start..)?;
        let offset = line
            .char_indices()
            .nth(mark.col())
            .map_or(line.len(), |(i, _)| i);
        Some(start + offset)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn path(parts: &[&str]) -> Vec<Value> {
        parts
            .iter()
            .map(|p| {
                p.parse::<i64>()
                    .map_or_else(|_| Value::from(*p), Value::from)
            })
            .collect()
    }

    fn at(text: &str, p: &[&str]) -> (usize, usize, usize) {
        let (pos, matched) = find(text, &path(p));
        (pos.line, pos.column, matched)
    }

    const POD: &str = "\
# leading comment
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  initContainers:
  - name: a
    image: x
  - name: b
    readinessProbe:
      exec: {command: [cat, /tmp/ok]}
  containers: []
";

    #[test]
    fn keys_items_and_flow() {
        assert_eq!(at(POD, &[]), (2, 1, 0));
        assert_eq!(at(POD, &["metadata", "name"]), (5, 3, 2));
        assert_eq!(
            at(POD, &["spec", "initContainers", "1", "readinessProbe"]),
            (11, 5, 4)
        );
        assert_eq!(at(POD, &["spec", "initContainers", "1"]), (10, 5, 3));
        assert_eq!(
            at(
                POD,
                &[
                    "spec",
                    "initContainers",
                    "1",
                    "readinessProbe",
                    "exec",
                    "command",
                    "1"
                ]
            ),
            (12, 29, 7)
        );
    }

    #[test]
    fn missing_fields_point_at_the_nearest_ancestor() {
        assert_eq!(
            at(POD, &["spec", "initContainers", "0", "resources", "limits"]),
            (8, 5, 3)
        );
        assert_eq!(at(POD, &["spec", "initContainers", "7"]), (7, 3, 2));
        assert_eq!(at(POD, &["metadata", "name", "deeper"]), (5, 3, 2));
        assert_eq!(at(POD, &["nope"]), (2, 1, 0));
    }

    #[test]
    fn merge_keys_and_unreadable_text() {
        let text = "base: &b {x: 1}\nuse:\n  <<: *b\n  y: 2\n";
        assert_eq!(at(text, &["use", "x"]), (3, 3, 1));
        // Broken text gives what could be read before the break.
        assert_eq!(at("a: [1, 2\n", &["a", "1"]), (1, 8, 2));
        assert_eq!(at("a: b: c\n", &["a"]), (1, 1, 1));
        assert_eq!(at("", &["a"]), (1, 1, 0));
    }

    #[test]
    fn list_items_are_located_on_their_own() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- kind: A\n  spec:\n    x: 1\n# between\n- kind: B\n  spec: {x: 2}\n";
        let spans = list_items(text);
        assert_eq!(spans.len(), 2);
        let (pos, matched) = find_in_item(text, &spans[0], &path(&["spec", "x"])).unwrap();
        assert_eq!((pos.line, pos.column, matched), (6, 5, 2));
        let (pos, matched) = find_in_item(text, &spans[1], &path(&["spec", "x"])).unwrap();
        assert_eq!((pos.line, pos.column, matched), (9, 10, 2));

        let json = "{\"kind\": \"List\", \"items\": [\n  {\"kind\": \"A\"},\n  {\"kind\": \"B\", \"spec\": {\"x\": 1}}\n]}";
        let spans = list_items(json);
        assert_eq!(spans.len(), 2);
        let (pos, _) = find_in_item(json, &spans[1], &path(&["spec", "x"])).unwrap();
        assert_eq!((pos.line, pos.column), (3, 26));
    }

    #[test]
    fn duplicates_point_at_the_second_key() {
        let text = "a: 1\nb:\n  c: 1\n  d: [{c: 1}]\n  c: 2\n";
        let dup = first_duplicate(text).unwrap();
        assert_eq!(
            (dup.second.line, dup.second.column, dup.key.as_str()),
            (5, 3, "c")
        );
        assert_eq!(dup.first.line, 3);
        assert!(first_duplicate("a: {b: 1}\nb: {a: 1}\n").is_none());
    }

    #[test]
    fn deep_nesting_does_not_recurse() {
        let text = "[".repeat(200) + &"]".repeat(200);
        assert_eq!(at(&text, &["0", "0"]).2, 2);
        // The position parser refuses flow nesting past 255 levels; it must say so, not crash.
        let text = "[".repeat(100_000) + &"]".repeat(100_000);
        assert_eq!(at(&text, &["0", "0"]), (1, 1, 0));
        assert!(first_duplicate(&text).is_none());
        let mut text = String::new();
        for depth in 0..2_000 {
            text.push_str(&" ".repeat(depth));
            text.push_str("a:\n");
        }
        assert_eq!(at(&text, &["a", "a", "a"]), (3, 3, 3));
        assert!(first_duplicate(&text).is_none());
    }
}
