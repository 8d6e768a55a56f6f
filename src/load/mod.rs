//! The manifest loader: turns what a user points `gavel scan` at (files, directories, `-` for
//! standard input, `.tar`/`.tar.gz`/`.tgz` archives) into [`Document`]s that can say where any of
//! their fields is written, and into [`LoadError`]s for everything that is not a manifest.
//!
//! Loading is two steps so that a scanner can stream and parallelise:
//!
//! 1. [`sources`] walks the inputs in a deterministic order and yields one [`SourceFile`] (name and
//!    text) at a time. It is sequential and cheap: reading bytes and checking they are text.
//! 2. [`documents`] parses one source into its documents. It is the expensive step and is pure, so
//!    the caller runs it on many sources at once (rayon). Nothing here holds more than the files
//!    in flight; a caller scanning millions of documents keeps its findings (with their
//!    positions) and drops the documents, whose text is shared with their file.
//!
//! ```no_run
//! use gavel::load;
//!
//! for source in load::sources(&["deploy/", "-"]) {
//!     let source = match source {
//!         Ok(source) => source,
//!         Err(err) => { eprintln!("{err}"); continue }
//!     };
//!     let (docs, errors) = load::documents(&source);
//!     for doc in &docs {
//!         let path = [gavel::Value::from("spec"), gavel::Value::from("replicas")];
//!         let at = doc.locate(&path);
//!         println!("{}:{}:{}", doc.file, at.line, at.column);
//!     }
//!     errors.iter().for_each(|err| eprintln!("{err}"));
//! }
//! ```
//!
//! # Why positions are computed lazily
//!
//! Values come from the crate's one YAML door ([`crate::yaml`], `serde_norway`), so a manifest
//! means the same to `gavel scan` as to `gavel eval`. Positions are computed from the document's
//! own text only when a finding asks for one ([`Document::locate`]), and the walk stops at the
//! node it was asked for. Most manifests are plain block-style YAML, where a scan of lines and
//! indentation finds a field at a small fraction of a parse's cost; it answers only where it is
//! certain to agree with the position-aware parser (`saphyr-parser`), which answers the rest
//! (flow collections, anchors, merge keys, quoted keys and the like). The document
//! keeps its file's text (one `Arc<str>` per file, shared by its documents) and its own byte
//! range, which is all `locate` needs.
//!
//! Measured on the shared 4,888-file corpus (release, one thread, texts in memory): loading takes
//! 1.01-1.11x the time of parsing alone with `serde_norway`; locating the root of all 10,521
//! documents takes about 20 ms more; a locate deep in a document costs at most one event pass over
//! it (the whole corpus: about half a parse). The alternative, one `saphyr` pass building values
//! and a position tree together, measured 0.64-0.91x of parsing alone, but it would be a second
//! YAML-to-value semantics (scalar resolution, tags, merge keys) beside `crate::yaml`, and would
//! hold a position for every node of every document for findings that are rare.

mod block;
mod input;
mod json;
mod locate;
mod parse;

use crate::value::Value;
use std::fmt;
use std::sync::{Arc, OnceLock};

pub use input::{sources, walk, Pending, Sources, Walk};
pub(crate) use json::Json;
pub use parse::{documents, MAX_DEPTH};

/// Files larger than this are refused rather than read, so one stray dump cannot exhaust memory.
pub const MAX_FILE_BYTES: u64 = 128 * 1024 * 1024;

/// One input's name and text: a file, standard input or an archive entry.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// How reports name it: the path as given (joined for directory entries), `<stdin>`, or
    /// `archive.tgz:inner/path.yaml` for an archive entry.
    pub name: Arc<str>,
    /// The whole text, valid UTF-8. Shared with every [`Document`] loaded from it.
    pub text: Arc<str>,
}

impl SourceFile {
    /// A source from a name and its text (for callers that have text from elsewhere).
    pub fn new(name: impl Into<Arc<str>>, text: impl Into<Arc<str>>) -> SourceFile {
        SourceFile {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// A 1-based line and column (in characters) in a source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
}

/// One Kubernetes object: a YAML or JSON document, or one item of a `kind: List`.
#[derive(Clone)]
pub struct Document {
    /// The source's name, as in [`SourceFile::name`].
    pub file: Arc<str>,
    /// 0-based index of the YAML document within the file (a JSON file's values count the same
    /// way). Empty documents count, as a YAML parser counts them, though none is returned.
    pub index: usize,
    /// For an item of a `List`, its index in `items`; paths given to [`Document::locate`] are
    /// then relative to the item.
    pub item: Option<usize>,
    /// The object, with YAML merge keys (`<<`) applied as Kubernetes applies them.
    pub value: Value,
    text: Arc<str>,
    span: Chunk,
    list: Option<Arc<OnceLock<Vec<locate::ItemSpan>>>>,
}

/// Locates many fields of one document: as [`Document::locate`], but the document's text is
/// tokenised once, as far as the fields asked for so far needed, and the events recorded for the
/// next field (a document with a dozen findings was parsed a dozen times). It is cheapest asked
/// in path order: each field is sought from the deepest node its path shares with the last
/// one's. A List item's fields are read from the item's own lines.
pub struct Locator<'d> {
    doc: &'d Document,
    /// The line scan of the text, once its text is checked (`Some(None)`: it cannot read it).
    /// For a List item it reads the item's own lines.
    lines: Option<Option<block::Reader<'d>>>,
    /// Lines of the document before the first one `lines` reads (a List item's first line).
    skipped: usize,
    recording: Option<locate::Recording<'d>>,
}

impl<'d> Locator<'d> {
    /// The position of `path`, as [`Document::locate`] gives it.
    pub fn locate(&mut self, path: &[Value]) -> Position {
        if let Some(item) = self.doc.item {
            return self
                .locate_in_item(item, path)
                .unwrap_or_else(|| self.doc.locate(path));
        }
        let doc = self.doc;
        let lines = self
            .lines
            .get_or_insert_with(|| block::Reader::new(doc.chunk_text()));
        if let Some(found) = lines.as_mut().and_then(|reader| reader.find(path)) {
            return doc.absolute(found).0;
        }
        let recording = self
            .recording
            .get_or_insert_with(|| locate::Recording::new(doc.chunk_text()));
        doc.absolute(recording.find(path)).0
    }

    /// A List item's field by the line scan of the item's own lines, read as a sequence whose
    /// first item is the item (the position parser reads the item's text for each field).
    fn locate_in_item(&mut self, item: usize, path: &[Value]) -> Option<Position> {
        let doc = self.doc;
        let lines = self.lines.get_or_insert_with(|| {
            let (text, first_line) = doc.item_span(item)?.own_lines(doc.chunk_text())?;
            self.skipped = first_line.saturating_sub(1);
            block::Reader::new(text)
        });
        let mut full = Vec::with_capacity(path.len() + 1);
        full.push(Value::int(0));
        full.extend_from_slice(path);
        let (at, matched) = lines.as_mut()?.find(&full)?;
        // The item itself must be found; what is found of `path` counts from there.
        let matched = matched.checked_sub(1)?;
        let at = Position {
            line: at.line + self.skipped,
            column: at.column,
        };
        Some(doc.absolute((at, matched)).0)
    }

    /// As [`Document::line_text`], without counting lines when `line` is that of the last
    /// position given.
    pub fn line_text(&self, line: usize) -> &'d str {
        let own = line
            .checked_sub(self.doc.span.line + self.skipped)
            .map(|skip| skip + 1);
        let reader = self.lines.as_ref().and_then(Option::as_ref);
        match (own, reader) {
            (Some(own), Some(reader)) => reader.line(own),
            _ => None,
        }
        .unwrap_or_else(|| self.doc.line_text(line))
    }
}

impl fmt::Debug for Document {
    // The file's text is left out: it can be megabytes, shared by every document of the file.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Document")
            .field("file", &self.file)
            .field("index", &self.index)
            .field("item", &self.item)
            .field("line", &self.span.line)
            .field("value", &self.value)
            .finish_non_exhaustive()
    }
}

/// Where a document's text sits in its file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Chunk {
    /// First byte of the document's text.
    pub start: usize,
    /// One past its last byte.
    pub end: usize,
    /// 1-based line of `start` in the file.
    pub line: usize,
}

impl Document {
    /// Where the node at `path` (object keys and array indices, from this object's root) is
    /// written. For an object key it is the key itself (`readinessProbe:`), where a reader looks.
    /// A path that does not exist in the text points at its nearest existing ancestor, and the
    /// empty path at the object's first line.
    ///
    /// The position is computed from the document's text on each call, which is what keeps
    /// loading cheap; for many fields of one document, [`Document::locator`] reads it once.
    pub fn locate(&self, path: &[Value]) -> Position {
        self.locate_prefix(path).0
    }

    /// As [`Document::locate`], also saying how many elements of `path` were found: fewer than
    /// `path.len()` means the position is that of the nearest ancestor.
    pub fn locate_prefix(&self, path: &[Value]) -> (Position, usize) {
        let chunk = self.chunk_text();
        match (self.item, &self.list) {
            (Some(item), Some(_)) => {
                if let Some(span) = self.item_span(item) {
                    if let Some(found) = locate::find_in_item(chunk, span, path) {
                        return self.absolute(found);
                    }
                }
                // The item index could not be built (the position parser disagrees with the
                // value parser); walk the whole list instead.
                let mut full = vec![Value::from("items"), Value::from(item as i64)];
                full.extend_from_slice(path);
                let (at, matched) = locate::find(chunk, &full);
                self.absolute((at, matched.saturating_sub(2)))
            }
            _ => self.absolute(
                block::Reader::new(chunk)
                    .and_then(|mut reader| reader.find(path))
                    .unwrap_or_else(|| locate::find(chunk, path)),
            ),
        }
    }

    /// A locator for many paths of this document.
    pub fn locator(&self) -> Locator<'_> {
        Locator {
            doc: self,
            lines: None,
            skipped: 0,
            recording: None,
        }
    }

    /// The text of a 1-based line of the file, without its line break (for code frames).
    pub fn line_text(&self, line: usize) -> &str {
        // Count from the document's own first line when we can: a file may hold thousands.
        let (from, skip) = match line.checked_sub(self.span.line) {
            Some(skip) => (self.span.start, skip),
            None => (0, line.saturating_sub(1)),
        };
        let rest = self.text.get(from..).unwrap_or("");
        rest.split('\n')
            .nth(skip)
            .map_or("", |l| l.strip_suffix('\r').unwrap_or(l))
    }

    /// The document's own text (for a `List` item, the whole list's).
    pub fn text(&self) -> &str {
        self.chunk_text()
    }

    /// Where a List item is in the list's text.
    fn item_span(&self, item: usize) -> Option<&locate::ItemSpan> {
        let spans = self.list.as_ref()?;
        spans
            .get_or_init(|| locate::list_items(self.chunk_text()))
            .get(item)
    }

    fn chunk_text(&self) -> &str {
        self.text.get(self.span.start..self.span.end).unwrap_or("")
    }

    fn absolute(&self, (at, matched): (Position, usize)) -> (Position, usize) {
        (
            Position {
                line: at.line + self.span.line - 1,
                column: at.column,
            },
            matched,
        )
    }
}

/// What kind of problem a [`LoadError`] is, for counting and for exit codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum LoadErrorKind {
    /// The input could not be read: missing, unreadable, not a regular file, too large.
    Read,
    /// A directory symlink leads back to one of its own ancestors.
    Loop,
    /// A `.tar`/`.tgz` archive is corrupt or truncated.
    Archive,
    /// The bytes are not UTF-8 text (binary data, another encoding).
    Encoding,
    /// The text is not valid YAML or JSON (including unrendered Helm templates).
    Syntax,
    /// A mapping has the same key twice.
    DuplicateKey,
    /// Nesting too deep or aliases expanding too far.
    Limit,
    /// A document that is not a Kubernetes object: not a mapping, or missing a required field.
    NotManifest,
}

impl LoadErrorKind {
    /// A short stable name (`read`, `syntax`, ...) for summaries and machine-readable output.
    pub fn name(self) -> &'static str {
        match self {
            LoadErrorKind::Read => "read",
            LoadErrorKind::Loop => "loop",
            LoadErrorKind::Archive => "archive",
            LoadErrorKind::Encoding => "encoding",
            LoadErrorKind::Syntax => "syntax",
            LoadErrorKind::DuplicateKey => "duplicate-key",
            LoadErrorKind::Limit => "limit",
            LoadErrorKind::NotManifest => "not-manifest",
        }
    }
}

/// An input, or a document of one, that could not be loaded. Loading goes on past it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    /// The source's name, as in [`SourceFile::name`] (or the path as given).
    pub file: Arc<str>,
    /// 1-based line, when the problem is at a place in the text.
    pub line: Option<usize>,
    /// 1-based column in characters, when known.
    pub column: Option<usize>,
    /// What kind of problem.
    pub kind: LoadErrorKind,
    /// A sentence saying what is wrong.
    pub message: String,
}

impl LoadError {
    pub(crate) fn new(file: &Arc<str>, kind: LoadErrorKind, message: impl Into<String>) -> Self {
        LoadError {
            file: file.clone(),
            line: None,
            column: None,
            kind,
            message: message.into(),
        }
    }

    pub(crate) fn at(mut self, at: Position) -> Self {
        self.line = Some(at.line);
        self.column = Some(at.column);
        self
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => {
                write!(f, "{}:{line}:{column}: {}", self.file, self.message)
            }
            (Some(line), None) => write!(f, "{}:{line}: {}", self.file, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for LoadError {}

// Documents cross threads in a parallel scan.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Document>();
    assert_send_sync::<SourceFile>();
    assert_send_sync::<LoadError>();
};
