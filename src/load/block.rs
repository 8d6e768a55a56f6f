//! A fast way to locate fields in block-style YAML, the way nearly every manifest is written:
//! it reads lines and their indentation instead of tokenising the text, which costs a small
//! fraction of a parse.
//!
//! It answers only where a line scan is certain to agree with the position-aware parser
//! ([`super::locate`]): at anything else on the lines it reads (a flow collection or quoted
//! scalar left open at the end of a line, a quoted or complex key, an anchor, tag or alias on
//! the path, a merge key in a mapping it searches, a tab in indentation, a directive, an item
//! without a node, a node the parser places elsewhere, such as a block scalar item) it gives
//! up, and the parser answers instead; so it does where the two parsers could disagree about
//! the text (line breaks and marks only one of them knows, what only the position parser
//! refuses). Block scalars are skipped by their indentation without reading their content,
//! which may look like anything. Tests compare the two on every field of the fixtures, of
//! generated documents (`block_generated.rs`) and of the shared corpus when it is present.

use super::Position;
use crate::value::Value;

/// The scan met something it cannot be sure of: ask the parser.
#[derive(Debug)]
struct Unsure;

type Scanned<T> = Result<T, Unsure>;

/// Locates fields in one document's text, read line by line. It remembers the way it took to
/// the last field, so that the next one, which is usually in the same container, starts from
/// the deepest node the two paths share instead of from the top.
pub(crate) struct Reader<'a> {
    text: &'a str,
    /// The nodes found for the last path's elements but its last.
    trail: Vec<Step>,
    /// Number and byte offset of the line of the last position given.
    last_line: (usize, usize),
}

/// A path element found on the way to a field, and where the scan stood at its node.
struct Step {
    want: Value,
    at: Position,
    line_start: usize,
    node: Node,
    pos: usize,
    line: usize,
}

impl<'a> Reader<'a> {
    /// `None` when the two parsers could read the text's lines differently: it has a lone `\r`
    /// (a line break to the position parser), a `\0` (where it stops), a byte-order mark, a
    /// NEL or a Unicode line or paragraph separator (line breaks to the value parser), or a tab
    /// right after a colon (which the position parser refuses).
    pub(crate) fn new(text: &'a str) -> Option<Self> {
        let b = text.as_bytes();
        let lone_cr = b.contains(&b'\r') && text.split('\r').skip(1).any(|r| !r.starts_with('\n'));
        let unusual =
            !text.is_ascii() && text.contains(['\u{feff}', '\u{85}', '\u{2028}', '\u{2029}']);
        let colon_tab = b.contains(&b'\t') && b.windows(2).any(|w| w == b":\t");
        let odd = b.contains(&0) || lone_cr || unusual || colon_tab;
        (!odd).then_some(Reader {
            text,
            trail: Vec::new(),
            last_line: (0, 0),
        })
    }

    /// As `locate::find`: the position of `path` in the first document of the text and how
    /// many of its elements were found, or `None` when the scan cannot be certain of it.
    pub(crate) fn find(&mut self, path: &[Value]) -> Option<(Position, usize)> {
        let (at, line_start, matched) = self.descend(path).ok()?;
        self.last_line = (at.line, line_start);
        Some((at, matched))
    }

    /// The text of line `number` (1-based, in this text), when it is the line of the last
    /// position found.
    pub(crate) fn line(&self, number: usize) -> Option<&'a str> {
        if number != self.last_line.0 || number == 0 {
            return None;
        }
        let rest = self.text.get(self.last_line.1..)?;
        let row = rest.split_once('\n').map_or(rest, |(row, _)| row);
        Some(row.strip_suffix('\r').unwrap_or(row))
    }

    fn descend(&mut self, path: &[Value]) -> Scanned<(Position, usize, usize)> {
        // The longest prefix of `path` that the last path found the nodes of.
        let shared = self
            .trail
            .iter()
            .zip(path)
            .take_while(|(step, want)| step.want == **want)
            .count();
        self.trail.truncate(shared);
        let mut scan = Scan::new(self.text);
        let (mut best, mut line_start, mut node) = match self.trail.last() {
            Some(step) => {
                scan.seek(step.pos, step.line);
                (step.at, step.line_start, step.node)
            }
            None => {
                scan.open()?;
                let root = scan.peek()?.ok_or(Unsure)?;
                let shape = parse(&root)?;
                // A root that is no collection is no manifest, and the position parser may
                // refuse what follows it (a comment, then more text) where the value parser
                // does not.
                if shape.props || (shape.dash_count == 0 && shape.key.is_none()) {
                    return Err(Unsure);
                }
                let node = if path.is_empty() {
                    Node::Leaf
                } else {
                    node_of_line(&shape)?
                };
                (at(root.number, root.indent), scan.pos, node)
            }
        };
        let mut matched = shared;
        for (i, want) in path.iter().enumerate().skip(shared) {
            let more = i + 1 < path.len();
            let found = match node {
                Node::Map { indent } => entry(&mut scan, indent, want, more)?,
                Node::Seq { indent, dash } => item(&mut scan, indent, dash, want, more)?,
                Node::Leaf => None,
            };
            let Some((position, start, next)) = found else {
                break;
            };
            best = position;
            line_start = start;
            matched += 1;
            node = next;
            if more {
                self.trail.push(Step {
                    want: want.clone(),
                    at: best,
                    line_start,
                    node,
                    pos: scan.pos,
                    line: scan.line,
                });
            }
        }
        Ok((best, line_start, matched))
    }
}

fn at(line: usize, column: usize) -> Position {
    Position {
        line,
        column: column + 1,
    }
}

/// A node whose first line is the scan's current line.
#[derive(Clone, Copy, Debug)]
enum Node {
    /// A block mapping whose keys are at column `indent`; its first key is the node after the
    /// line's sequence dashes.
    Map { indent: usize },
    /// A block sequence whose dashes are at column `indent`; its first item follows dash number
    /// `dash` of the line.
    Seq { indent: usize, dash: usize },
    /// Anything a path cannot go into: a scalar or null.
    Leaf,
}

/// The node that starts a line: the first of its sequences, else its mapping or scalar.
fn node_of_line(shape: &Shape<'_>) -> Scanned<Node> {
    if let Some(indent) = shape.dash(0) {
        return Ok(Node::Seq { indent, dash: 0 });
    }
    node_after_dashes(shape)
}

/// The node that follows a line's dashes (the line has something there).
fn node_after_dashes(shape: &Shape<'_>) -> Scanned<Node> {
    if shape.props {
        return Err(Unsure);
    }
    match (shape.key, shape.value) {
        (Some(Key::Plain(_)), _) => Ok(Node::Map { indent: shape.node }),
        (Some(Key::Quoted), _) => Err(Unsure),
        (None, Kind::Plain | Kind::Quoted | Kind::Block | Kind::EmptyFlow) => Ok(Node::Leaf),
        (None, Kind::Empty | Kind::Flow | Kind::Alias) => Err(Unsure),
    }
}

/// Finds the entry `want` of the mapping whose keys are at `indent` and whose first entry is on
/// the current line: the key's position and, when the path goes on (`more`), its value.
fn entry(scan: &mut Scan<'_>, indent: usize, want: &Value, more: bool) -> Scanned<Found> {
    let Value::String(want) = want else {
        return Err(Unsure);
    };
    loop {
        let line = scan.peek()?.ok_or(Unsure)?;
        let shape = parse(&line)?;
        let Some(Key::Plain(key)) = shape.key else {
            return Err(Unsure);
        };
        if shape.node != indent || key == "<<" {
            return Err(Unsure);
        }
        if key == &**want {
            let position = at(line.number, indent);
            let start = scan.pos;
            if !more {
                // The parser reads on to the value's first token, for an empty value the next
                // line's, which it may refuse where the value parser does not: as strict here
                // as when the path goes on, so that a resumed reader answers as a fresh one.
                if shape.value == Kind::Empty {
                    entry_value(scan, &shape, indent)?;
                }
                return Ok(Some((position, start, Node::Leaf)));
            }
            return Ok(Some((position, start, entry_value(scan, &shape, indent)?)));
        }
        scan.consume(&shape);
        // A sequence may sit at its key's own indentation.
        scan.skip_deeper(indent, true)?;
        match scan.peek()? {
            Some(next) if next.indent == indent && !next.starts_with_dash() => {}
            _ => return Ok(None),
        }
    }
}

/// The value of the entry on the current line, whose key is at `indent`.
fn entry_value(scan: &mut Scan<'_>, shape: &Shape<'_>, indent: usize) -> Scanned<Node> {
    if shape.props {
        return Err(Unsure);
    }
    match shape.value {
        Kind::Plain | Kind::Quoted | Kind::Block | Kind::EmptyFlow => Ok(Node::Leaf),
        Kind::Flow | Kind::Alias => Err(Unsure),
        Kind::Empty => {
            scan.consume(shape);
            match scan.peek()? {
                Some(next) if next.indent > indent => node_of_line(&parse(&next)?),
                // A block scalar's header at its key's indentation: the value parser takes it
                // for the value, the position parser refuses it.
                Some(next) if next.content.starts_with(['|', '>']) => Err(Unsure),
                Some(next) if next.indent == indent && next.starts_with_dash() => {
                    parse(&next)?;
                    Ok(Node::Seq { indent, dash: 0 })
                }
                _ => Ok(Node::Leaf),
            }
        }
    }
}

/// Finds item `want` of the sequence whose dashes are at `indent` and whose first item follows
/// dash number `dash` of the current line.
fn item(
    scan: &mut Scan<'_>,
    indent: usize,
    mut dash: usize,
    want: &Value,
    more: bool,
) -> Scanned<Found> {
    // As the parser: a path element that is not an index goes no further.
    let Some(index) = super::locate::index(want) else {
        return Ok(None);
    };
    for _ in 0..index {
        let line = scan.peek()?.ok_or(Unsure)?;
        scan.consume(&parse(&line)?);
        scan.skip_deeper(indent, false)?;
        match scan.peek()? {
            Some(next) if next.indent == indent && next.starts_with_dash() => dash = 0,
            _ => return Ok(None),
        }
    }
    let line = scan.peek()?.ok_or(Unsure)?;
    let shape = parse(&line)?;
    if let Some(inner) = shape.dash(dash + 1) {
        return Ok(Some((
            at(line.number, inner),
            scan.pos,
            Node::Seq {
                indent: inner,
                dash: dash + 1,
            },
        )));
    }
    if misplaced(&shape) {
        return Err(Unsure);
    }
    if shape.value != Kind::Empty || shape.key.is_some() {
        let node = if more {
            node_after_dashes(&shape)?
        } else {
            Node::Leaf
        };
        return Ok(Some((at(line.number, shape.node), scan.pos, node)));
    }
    // Nothing after the dash: the item is the node on the next line, if it is deeper.
    scan.consume(&shape);
    match scan.peek()? {
        Some(next) if next.indent > indent => {
            let next_shape = parse(&next)?;
            if next_shape.dash_count == 0 && misplaced(&next_shape) {
                return Err(Unsure);
            }
            let node = if more {
                node_of_line(&next_shape)?
            } else {
                Node::Leaf
            };
            Ok(Some((at(next.number, next.indent), scan.pos, node)))
        }
        _ => Err(Unsure),
    }
}

/// A node after a line's dashes that the parser may place elsewhere than where the scan finds
/// it: one with an anchor or tag, a block scalar (at its first line of content) or an alias.
fn misplaced(shape: &Shape<'_>) -> bool {
    shape.props || shape.key.is_none() && matches!(shape.value, Kind::Block | Kind::Alias)
}

/// A path element found: its position, the byte offset of its line and the node it leads to.
type Found = Option<(Position, usize, Node)>;

/// A line with something on it.
struct Line<'a> {
    /// 1-based, from the start of the text.
    number: usize,
    /// Leading spaces.
    indent: usize,
    /// The rest, without the line break.
    content: &'a str,
}

impl Line<'_> {
    fn starts_with_dash(&self) -> bool {
        let b = self.content.as_bytes();
        b.first() == Some(&b'-') && matches!(b.get(1), None | Some(b' ' | b'\t'))
    }
}

/// The text from the start of the current line on.
struct Scan<'a> {
    text: &'a str,
    /// Byte offset of the current line.
    pos: usize,
    /// Its 1-based number.
    line: usize,
    /// Where its text ends (before `\r\n` or `\n`), and where the next line starts.
    end: usize,
    next: usize,
}

impl<'a> Scan<'a> {
    fn new(text: &'a str) -> Self {
        let mut scan = Scan {
            text,
            pos: 0,
            line: 1,
            end: 0,
            next: 0,
        };
        scan.measure();
        scan
    }

    fn measure(&mut self) {
        let b = self.text.as_bytes();
        let rest = b.get(self.pos..).unwrap_or_default();
        let (mut end, next) = match memchr::memchr(b'\n', rest) {
            Some(i) => (self.pos + i, self.pos + i + 1),
            None => (b.len(), b.len()),
        };
        if end > self.pos && b[end - 1] == b'\r' {
            end -= 1;
        }
        (self.end, self.next) = (end, next);
    }

    /// The current line without its line break; `None` at the end of the text.
    fn raw(&self) -> Option<&'a str> {
        if self.pos >= self.text.len() {
            return None;
        }
        self.text.get(self.pos..self.end)
    }

    /// Moves to the line that starts at byte `pos`, number `line`.
    fn seek(&mut self, pos: usize, line: usize) {
        (self.pos, self.line) = (pos, line);
        self.measure();
    }

    fn advance(&mut self) {
        if self.pos < self.text.len() {
            self.pos = self.next;
            self.line += 1;
            self.measure();
        }
    }

    /// Steps over what precedes the document's first node: blank and comment lines and a
    /// `---` with at most a comment after it. Directives, and a node on the `---` line, are
    /// left to the parser.
    fn open(&mut self) -> Scanned<()> {
        while let Some(row) = self.raw() {
            let rest = row.trim_start_matches([' ', '\t']);
            if rest.is_empty() || rest.starts_with('#') {
                self.advance();
            } else if row.starts_with('%') {
                return Err(Unsure);
            } else if row.starts_with("---") && is_marker(row) {
                if !blank_or_comment(row[3..].trim_start_matches([' ', '\t'])) {
                    return Err(Unsure);
                }
                self.advance();
                return Ok(());
            } else {
                return Ok(());
            }
        }
        Ok(())
    }

    /// The next line with something on it, stepping over blank and comment lines; `None` at the
    /// end of the document.
    fn peek(&mut self) -> Scanned<Option<Line<'a>>> {
        while let Some(row) = self.raw() {
            if is_marker(row) {
                return Ok(None);
            }
            let indent = indent_of(row);
            let content = &row[indent..];
            if content.starts_with('\t') {
                if content.trim().is_empty() {
                    self.advance();
                    continue;
                }
                return Err(Unsure);
            }
            if content.is_empty() || content.starts_with('#') {
                self.advance();
                continue;
            }
            return Ok(Some(Line {
                number: self.line,
                indent,
                content,
            }));
        }
        Ok(None)
    }

    /// Steps past the current line, and past the content of a block scalar it opens.
    fn consume(&mut self, shape: &Shape<'_>) {
        self.advance();
        let Some(parent) = shape.block_parent else {
            return;
        };
        while let Some(row) = self.raw() {
            let indent = indent_of(row);
            if indent > parent || row.trim().is_empty() {
                self.advance();
            } else {
                break;
            }
        }
    }

    /// Steps over the lines deeper than `limit` (and, with `dashes`, the sequence items at
    /// `limit`): the rest of the node the current line was part of.
    fn skip_deeper(&mut self, limit: usize, dashes: bool) -> Scanned<()> {
        while let Some(line) = self.peek()? {
            if line.indent > limit || (dashes && line.indent == limit && line.starts_with_dash()) {
                // Only a quote, a bracket or a block scalar's header carries a node past its
                // line; a line without one is stepped over unread.
                let opens = |c: &u8| matches!(c, b'"' | b'\'' | b'[' | b'{' | b'|' | b'>');
                if line.content.as_bytes().iter().any(opens) {
                    let shape = parse(&line)?;
                    self.consume(&shape);
                } else {
                    self.advance();
                }
            } else {
                break;
            }
        }
        Ok(())
    }
}

/// The number of spaces a line starts with (a byte loop: most lines are indented, and
/// `trim_start_matches` decodes a character at a time).
fn indent_of(row: &str) -> usize {
    row.bytes().position(|b| b != b' ').unwrap_or(row.len())
}

/// A `---` or `...` line: the end of the document.
fn is_marker(row: &str) -> bool {
    ["---", "..."].iter().any(|m| {
        row.strip_prefix(m)
            .is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t']))
    })
}

fn blank_or_comment(rest: &str) -> bool {
    rest.is_empty() || rest.starts_with('#')
}

/// Sequences opened on one line (`- - - x`) that the scan follows.
const MAX_DASHES: usize = 4;

/// What a line holds, as far as following a path and skipping nodes need.
#[derive(Debug)]
struct Shape<'a> {
    /// Columns of the sequence dashes that open the line (the first `dash_count`).
    dashes: [usize; MAX_DASHES],
    dash_count: usize,
    /// Column of the node after them.
    node: usize,
    /// The key, when that node is a mapping entry.
    key: Option<Key<'a>>,
    /// The entry's value, or the node itself when it is not an entry.
    value: Kind,
    /// The value has an anchor or a tag.
    props: bool,
    /// When the line ends in a block scalar's header: the column its content is deeper than.
    block_parent: Option<usize>,
}

impl Shape<'_> {
    /// The column of dash `i`.
    fn dash(&self, i: usize) -> Option<usize> {
        self.dashes[..self.dash_count].get(i).copied()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Key<'a> {
    Plain(&'a str),
    Quoted,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Nothing (the value is on the next lines, or null).
    Empty,
    Plain,
    /// A quoted scalar closed on the line.
    Quoted,
    /// A flow collection closed on the line, with something in it.
    Flow,
    /// `{}` or `[]`: nothing for a path to go into.
    EmptyFlow,
    /// A block scalar's header.
    Block,
    Alias,
}

/// Reads a line's structure; `Unsure` when it could be read more than one way by a line scan,
/// or goes on past the line other than as a block scalar.
fn parse<'a>(line: &Line<'a>) -> Scanned<Shape<'a>> {
    let text = line.content;
    let b = text.as_bytes();
    let mut i = 0;
    let mut dashes = [0; MAX_DASHES];
    let mut dash_count = 0;
    while b.get(i) == Some(&b'-') && matches!(b.get(i + 1), None | Some(b' ')) {
        *dashes.get_mut(dash_count).ok_or(Unsure)? = line.indent + i;
        dash_count += 1;
        i = skip_spaces(b, i + 1);
    }
    let node = line.indent + i;
    let (mut kind, mut props, mut end) = token(b, i)?;
    let mut key = None;
    let mut owner = match dash_count {
        0 => line.indent,
        n => dashes[n - 1],
    };
    // A token followed by `: ` is a key; the value follows.
    let colon = |at: usize| b.get(at) == Some(&b':') && matches!(b.get(at + 1), None | Some(b' '));
    match kind {
        Kind::Plain => {
            if let Some(colon_at) = plain_key_end(b, i) {
                let text = text[i..colon_at].trim_end_matches([' ', '\t']);
                // An empty key; a tab right after the colon, which the position parser refuses.
                if text.is_empty() || b.get(colon_at + 1) == Some(&b'\t') {
                    return Err(Unsure);
                }
                key = Some(Key::Plain(text));
                end = colon_at + 1;
            }
        }
        Kind::Quoted => {
            let after = skip_spaces(b, end);
            if colon(after) {
                key = Some(Key::Quoted);
                end = after + 1;
            }
        }
        _ => {}
    }
    if key.is_some() {
        if props {
            return Err(Unsure);
        }
        owner = node;
        let (value, value_props, value_end) = token(b, skip_spaces(b, end))?;
        kind = value;
        props = value_props;
        end = value_end;
    }
    // After a quoted scalar or a flow collection only a comment may follow, after a space (the
    // position parser refuses one glued to the closing quote or bracket).
    if matches!(kind, Kind::Quoted | Kind::Flow | Kind::EmptyFlow) {
        let rest = skip_spaces(b, end);
        if rest < b.len() && (b[rest] != b'#' || rest == end) {
            return Err(Unsure);
        }
    }
    Ok(Shape {
        dashes,
        dash_count,
        node,
        key,
        value: kind,
        props,
        block_parent: (kind == Kind::Block).then_some(owner),
    })
}

/// Skips spaces and tabs from `i`.
fn skip_spaces(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    i
}

/// Reads the node that starts at `i`: its kind, whether anchors or tags precede it, and where it
/// ends (a plain scalar runs to the end of the line: its key, if any, is found by the caller).
fn token(b: &[u8], mut i: usize) -> Scanned<(Kind, bool, usize)> {
    let mut props = false;
    while matches!(b.get(i), Some(b'&' | b'!')) {
        props = true;
        while b.get(i).is_some_and(|c| !matches!(c, b' ' | b'\t')) {
            i += 1;
        }
        i = skip_spaces(b, i);
    }
    let Some(&c) = b.get(i) else {
        return Ok((Kind::Empty, props, i));
    };
    let next_blank = matches!(b.get(i + 1), None | Some(b' ' | b'\t'));
    match c {
        b'#' => Ok((Kind::Empty, props, b.len())),
        b'*' => Ok((Kind::Alias, props, b.len())),
        b'"' | b'\'' => Ok((Kind::Quoted, props, quoted_end(b, i)?)),
        b'[' | b'{' => {
            let end = flow_end(b, i)?;
            let inside = &b[i + 1..end - 1];
            let kind = if inside.iter().all(|c| matches!(c, b' ' | b'\t')) {
                Kind::EmptyFlow
            } else {
                Kind::Flow
            };
            Ok((kind, props, end))
        }
        b'|' | b'>' => {
            // A header: a chomping indicator, then at most a comment. Not an indentation
            // indicator: with one, the position parser refuses a less indented comment
            // before the content, which the value parser reads.
            let mut j = i + 1;
            while b.get(j).is_some_and(|c| matches!(c, b'+' | b'-')) {
                j += 1;
            }
            if b.get(j).is_some_and(u8::is_ascii_digit) {
                return Err(Unsure);
            }
            let rest = skip_spaces(b, j);
            if rest < b.len() && (b[rest] != b'#' || rest == j) {
                return Err(Unsure);
            }
            Ok((Kind::Block, props, b.len()))
        }
        b'?' | b':' | b'-' if next_blank => Err(Unsure),
        b',' | b']' | b'}' | b'%' | b'@' | b'`' => Err(Unsure),
        _ => Ok((Kind::Plain, props, b.len())),
    }
}

/// Where the plain scalar at `i` is ended by `: ` or a final `:` (making it a key), unless a
/// comment comes first.
fn plain_key_end(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i;
    while j < b.len() {
        match b[j] {
            b':' if matches!(b.get(j + 1), None | Some(b' ' | b'\t')) => return Some(j),
            b'#' if j > i && matches!(b[j - 1], b' ' | b'\t') => return None,
            _ => {}
        }
        j += 1;
    }
    None
}

/// One past the quote that closes the quoted scalar at `i`.
fn quoted_end(b: &[u8], i: usize) -> Scanned<usize> {
    let quote = b[i];
    let mut j = i + 1;
    while j < b.len() {
        if quote == b'"' && b[j] == b'\\' {
            j += 2;
            continue;
        }
        if b[j] == quote {
            if quote == b'\'' && b.get(j + 1) == Some(&b'\'') {
                j += 2;
                continue;
            }
            return Ok(j + 1);
        }
        j += 1;
    }
    Err(Unsure)
}

/// One past the bracket that closes the flow collection at `i`.
fn flow_end(b: &[u8], i: usize) -> Scanned<usize> {
    let mut depth = 0usize;
    let mut token_start = true;
    let mut j = i;
    while j < b.len() {
        match b[j] {
            b'[' | b'{' => {
                depth += 1;
                token_start = true;
            }
            b']' | b'}' => {
                depth = depth.checked_sub(1).ok_or(Unsure)?;
                if depth == 0 {
                    return Ok(j + 1);
                }
                token_start = false;
            }
            b',' | b' ' | b'\t' | b':' => token_start = true,
            b'"' | b'\'' if token_start => {
                j = quoted_end(b, j)?;
                token_start = false;
                continue;
            }
            b'#' if j > 0 && matches!(b[j - 1], b' ' | b'\t') => return Err(Unsure),
            _ => token_start = false,
        }
        j += 1;
    }
    Err(Unsure)
}

#[cfg(test)]
#[path = "block_generated.rs"]
mod generated;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::load::locate;

    fn find(text: &str, path: &[Value]) -> Option<(Position, usize)> {
        Reader::new(text)?.find(path)
    }

    /// Every path to a node of `value`, and beside each mapping and sequence one that is not
    /// there (a missing key, an index past the end, a path on into a scalar).
    fn paths(value: &Value, prefix: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
        out.push(prefix.clone());
        match value {
            Value::Object(map) => {
                for (k, v) in map.iter() {
                    prefix.push(k.clone());
                    paths(v, prefix, out);
                    prefix.pop();
                }
                prefix.push(Value::from("not-there"));
                out.push(prefix.clone());
                prefix.pop();
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    prefix.push(Value::from(i as i64));
                    paths(v, prefix, out);
                    prefix.pop();
                }
                for extra in [Value::from(items.len() as i64), Value::from("name")] {
                    prefix.push(extra);
                    out.push(prefix.clone());
                    prefix.pop();
                }
            }
            _ => {
                prefix.push(Value::from(0));
                out.push(prefix.clone());
                prefix.pop();
            }
        }
    }

    /// The paths of the first document of `text` (none of a text that does not load).
    pub(super) fn document_paths(text: &str) -> Vec<Vec<Value>> {
        let mut all = Vec::new();
        if let Some(Ok(value)) = crate::yaml::parse_all(text).into_iter().next() {
            paths(&value, &mut Vec::new(), &mut all);
        }
        all
    }

    /// Checks that the scan agrees with the parser on every path of the first document of
    /// `text`, wherever it answers; returns how many paths it answered and how many there were.
    fn agrees(text: &str) -> (usize, usize) {
        let all = document_paths(text);
        (compare(text, &all, "fixture"), all.len())
    }

    /// As [`disagreements`], asserting that there are none; returns how many were answered.
    fn compare(text: &str, paths: &[Vec<Value>], name: &str) -> usize {
        let (answered, failures) = disagreements(text, paths);
        assert!(failures.is_empty(), "{name}: {}", failures.join("\n"));
        answered
    }

    /// Locates each path with one reader (each path starting from where the last one shares
    /// with it) and with a fresh one: the two must agree, and where they answer, so must the
    /// parser, and the reader must give the text of the line it found. Returns how many paths
    /// were answered, and each disagreement.
    pub(super) fn disagreements<'p>(
        text: &str,
        paths: impl IntoIterator<Item = &'p Vec<Value>>,
    ) -> (usize, Vec<String>) {
        let mut recording = locate::Recording::new(text);
        let mut reader = Reader::new(text);
        let (mut answered, mut failures) = (0, Vec::new());
        for path in paths {
            let resumed = reader.as_mut().and_then(|r| r.find(path));
            let fresh = find(text, path);
            let problem = match resumed {
                _ if resumed != fresh => Some(format!("fresh reader gives {fresh:?}")),
                None => None,
                Some(found) => {
                    answered += 1;
                    let parser = recording.find(path);
                    let line = text.lines().nth(found.0.line - 1);
                    let given = reader.as_ref().and_then(|r| r.line(found.0.line));
                    if found != parser {
                        Some(format!("parser gives {parser:?}"))
                    } else if given != line {
                        Some(format!("line text {given:?}, not {line:?}"))
                    } else {
                        None
                    }
                }
            };
            if let Some(problem) = problem {
                failures.push(format!(
                    "{path:?}: scan gives {resumed:?}, {problem}, in {text:?}"
                ));
            }
        }
        (answered, failures)
    }

    fn answers_all(text: &str) {
        let (answered, all) = agrees(text);
        assert_eq!(answered, all, "not every path answered in\n{text}");
    }

    #[test]
    fn answers_block_style_as_the_parser_does() {
        answers_all(
            "\
# leading comment
apiVersion: v1
kind: Pod
metadata:
  name: web   # trailing comment
  labels: {}
spec:
  initContainers:
  - name: a
    image: x
    restartPolicy: Always

  -   name: b
      args:
        - -config
        - \"quoted\"
        - 'it''s'
        -
          nested: item
        - - inner
          - list
  containers:
    - name: c
      resources: {}
  volumes: []
",
        );
        // Paths into flow collections are left to the parser; the scan steps over them.
        let flows = "\
spec:
  containers:
    - name: c
      command: [sh, -c, \"echo [x]\", 'a '' b', {k: v}]
      env:
      - {name: A, value: \"1\"}
      resources: {}
  after: 1
";
        agrees(flows);
        for path in &document_paths(flows) {
            // `command` is a flow sequence; `env` a block sequence of flow mappings.
            let into_flow = path.get(3) == Some(&Value::from("command")) && path.len() > 4
                || path.get(3) == Some(&Value::from("env")) && path.len() > 5;
            assert_eq!(find(flows, path).is_none(), into_flow, "{path:?}");
        }
        // Block scalars are skipped by indentation, whatever their content looks like. The
        // parser places an item that is a block scalar at its content, which the scan leaves
        // to it; it still steps over it to the next item.
        let blocks = "\
data:
  script: |
    key: not a key
    - not an item
    \"unclosed
    # not a comment

  folded: >-
      text
  after: 1
  list:
  - |
    item text: x
  - key: |+
      x: \"
    next: 2
";
        let all = document_paths(blocks);
        let block_item = [Value::from("data"), Value::from("list"), Value::from(0)];
        for path in &all {
            assert_eq!(
                find(blocks, path).is_none(),
                path.starts_with(&block_item),
                "{path:?}"
            );
        }
        assert_eq!(agrees(blocks), (all.len() - 2, all.len()));
        answers_all("---\nkind: A\nspec:\n  x: 1\n...\n");
        answers_all("--- # marker comment\r\nkind: A\r\nspec:\r\n  x: 1\r\n");
        answers_all("- a\n- b: 1\n  c:\n  - d\n");
        answers_all("key with spaces: 1\nurl:value: 2\na#b: 3\nspaced   : 4\n");
        answers_all("items:\n- # the node is on the next line\n  name: a\n-   - b\n    - c\n");
    }

    #[test]
    fn gives_up_where_a_line_scan_could_be_wrong() {
        let unsure = [
            // Flow collections and quoted scalars that go on past their line.
            ("a: [1,\n  2]\nb: 1\n", &["b"][..]),
            ("a: \"x\n  y\"\nb: 1\n", &["b"]),
            ("a: 'x\ny: z'\nb: 1\n", &["b"]),
            // Keys it does not read: quoted, complex, merge keys, anchors and tags.
            ("\"a\": 1\n", &["a"]),
            ("? a\n: 1\n", &["a"]),
            ("base: &b {x: 1}\nuse:\n  <<: *b\n  y: 2\n", &["use", "x"]),
            ("a: &x\n  b: 1\n", &["a", "b"]),
            ("a: !!map\n  b: 1\n", &["a", "b"]),
            ("a: *x\n", &["a", "b"]),
            ("a:\n- *x\n", &["a", "0"]),
            // Into a flow collection.
            ("a: {b: 1}\n", &["a", "b"]),
            // Tabs, directives, byte-order marks, a node on the marker line.
            ("a:\n\tb: 1\n", &["a", "b"]),
            ("%YAML 1.2\n---\na: 1\n", &["a"]),
            ("\u{feff}a: 1\n", &["a"]),
            ("a: 1\rb: 2\n", &["b"]),
            ("a: 1\n\0b: 2\n", &["a"]),
            ("--- {a: 1}\n", &["a"]),
            ("--- |\n  text\n", &[]),
            // Found by a review's generator: where the parsers place a node differently (a block
            // scalar item on the line after its dash, a scalar root), and where the position
            // parser refuses what the value parser reads (line breaks and marks it does not
            // know, a tab after a colon or dash, a comment glued to a quote or bracket, a block
            // header at its key's indentation or with an indentation indicator).
            ("-\n  |\n  x\n", &["0"]),
            ("|\n  x\n", &[]),
            ("# c\n\u{feff}- 1\n", &["0"]),
            ("a: |\n  x\n\u{85}\nb: 1\n", &["b"]),
            ("a: 1\nb:\tx\n", &["a"]),
            ("- a\n-\tb\n", &["1"]),
            ("a: 'x'#c\nb: 1\n", &["a"]),
            ("a: [x]#c\nb: 1\n", &["b"]),
            ("a:\n|\n  x\n", &["a"]),
            ("k:\n  a: 1\n  b:\n  >\n   x\n", &["k", "b"]),
            ("a: >2\n # c\nb: 1\n", &["a"]),
            // An item without a node, a key wanted that is not a string.
            ("a:\n-\n- b\n", &["a", "0"]),
            ("1: x\n", &["1"]),
        ];
        for (text, path) in unsure {
            let path: Vec<Value> = path
                .iter()
                .map(|p| {
                    p.parse::<i64>()
                        .map_or_else(|_| Value::from(*p), Value::from)
                })
                .collect();
            assert_eq!(find(text, &path), None, "{text:?} {path:?}");
        }
        // Where it gives up, the parser still answers; where it answers, it agrees.
        for (text, _) in unsure {
            agrees(text);
        }
    }

    #[test]
    fn malformed_text_never_panics() {
        for text in [
            "",
            "-",
            "- ",
            ":",
            "a:",
            "a: |",
            "a: |x",
            "a: [",
            "a: \"",
            "a: '",
            "a: ]",
            "- - -",
            "a:\n  - b\n - c\n",
            "a: b: c\n",
            "...\n",
            "---\n---\n",
        ] {
            for path in [vec![], vec![Value::from("a")], vec![Value::from(0)]] {
                let _ = find(text, &path);
                let _ = find(&format!("{text}\n  x: 1\n"), &path);
            }
        }
    }

    /// Every document of the shared corpus, when it is beside the checkout: on the paths of its
    /// nodes (a sample of them for large documents) the scan agrees with the parser, and it
    /// answers nearly all of them.
    #[test]
    fn agrees_with_the_parser_on_the_corpus() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
        if !root.is_dir() {
            eprintln!("../shared/corpus not found: corpus test skipped");
            return;
        }
        let (mut answered, mut all, mut docs) = (0, 0, 0);
        for source in crate::load::sources(&[root.to_string_lossy().as_ref()]) {
            let Ok(source) = source else { continue };
            let (documents, _) = crate::load::documents(&source);
            for doc in documents.iter().filter(|d| d.item.is_none()) {
                let text = doc.chunk_text();
                let mut every = Vec::new();
                paths(&doc.value, &mut Vec::new(), &mut every);
                // At most 40 paths a document, spread over it.
                let step = every.len().div_ceil(40).max(1);
                let sample: Vec<_> = every.into_iter().step_by(step).collect();
                all += sample.len();
                answered += compare(text, &sample, &doc.file);
                docs += 1;
            }
        }
        eprintln!("corpus: {docs} documents, {answered} of {all} paths answered by the line scan");
        assert!(docs > 5_000, "corpus looks truncated");
        assert!(answered * 100 > all * 90, "{answered} of {all}");
    }
}
