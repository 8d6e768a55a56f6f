//! Inputs to sources: walking files, directories, standard input and tar archives in a
//! deterministic order, reading each into text, and turning every way that can fail into a
//! [`LoadError`] so that one bad input never stops the rest.
//!
//! Rules, chosen so that pointing gavel at a repository does the expected thing:
//! - A path named on the command line is read whatever its extension (`-` is standard input, read
//!   once), except that `.tar`, `.tar.gz` and `.tgz` files are read as archives.
//! - Directories are walked recursively in byte order of names; only `.yaml`, `.yml` and `.json`
//!   files are read. Hidden entries are walked like any other, as `kubectl apply -R` does (kyverno
//!   keeps test manifests in `.chainsaw-test/`), except `.git`. Archives inside directories are
//!   not opened (a chart's `.tgz` holds unrendered templates).
//! - Symlinks are followed; a directory reached twice is walked once, and a symlink leading back to
//!   a directory being walked is reported as a loop.
//! - Archives are streamed (never unpacked to disk) on a helper thread that stays at most a few
//!   entries ahead, in archive order; entries are named `archive.tgz:inner/path.yaml`.

use super::{LoadError, LoadErrorKind, SourceFile, MAX_FILE_BYTES};
use flate2::read::GzDecoder;
use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;

/// How many archive entries may be read ahead of the consumer.
const ARCHIVE_READ_AHEAD: usize = 4;

/// Walks `paths` and yields each source in order, read: see the module rules above. Errors come
/// in the stream, in the place of the input they are about, and the walk goes on.
pub fn sources<P: AsRef<Path>>(paths: &[P]) -> Sources {
    Sources(walk(paths))
}

/// The iterator returned by [`sources`].
pub struct Sources(Walk);

impl Iterator for Sources {
    type Item = Result<SourceFile, LoadError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(Pending::read)
    }
}

/// As [`sources`], but files are yielded before they are read: a parallel consumer reads them
/// on its own threads ([`Pending::read`]) instead of one at a time in the walk.
pub fn walk<P: AsRef<Path>>(paths: &[P]) -> Walk {
    let stack = paths
        .iter()
        .rev()
        .map(|p| Work::Path {
            path: p.as_ref().to_path_buf(),
            named: true,
            listed: None,
        })
        .collect();
    Walk {
        stack,
        walking: HashSet::new(),
        walked: HashSet::new(),
        stdin_read: false,
        archive: None,
    }
}

/// A source found by [`walk`]: a file still to read, or what was read already (standard input,
/// archive entries) or went wrong.
pub enum Pending {
    /// A file to read, as `name`.
    File {
        /// Where it is.
        path: PathBuf,
        /// How reports name it.
        name: Arc<str>,
    },
    /// A source read, or an error.
    Ready(Result<SourceFile, LoadError>),
}

impl Pending {
    /// How reports name the source.
    pub fn name(&self) -> &str {
        match self {
            Pending::File { name, .. } => name,
            Pending::Ready(Ok(source)) => &source.name,
            Pending::Ready(Err(err)) => &err.file,
        }
    }

    /// Reads the source (a file's bytes, checked to be UTF-8 text).
    ///
    /// # Errors
    /// The file cannot be read, is too large, or is not UTF-8 text.
    pub fn read(self) -> Result<SourceFile, LoadError> {
        match self {
            Pending::File { path, name } => match File::open(&path) {
                Ok(file) => read_file(file, &name),
                Err(err) => Err(LoadError::new(
                    &name,
                    LoadErrorKind::Read,
                    format!("cannot read: {err}"),
                )),
            },
            Pending::Ready(result) => result,
        }
    }
}

/// The iterator returned by [`walk`].
pub struct Walk {
    stack: Vec<Work>,
    /// Canonical paths of the directories being walked (the current branch), to detect loops.
    walking: HashSet<PathBuf>,
    /// Canonical paths of every directory walked, so that two links to one directory read it once.
    walked: HashSet<PathBuf>,
    stdin_read: bool,
    archive: Option<Receiver<Result<SourceFile, LoadError>>>,
}

enum Work {
    /// A path to visit; `named` when the user gave it, rather than found in a directory.
    Path {
        path: PathBuf,
        named: bool,
        listed: Option<Listed>,
    },
    /// The walk of this (canonical) directory is over.
    Leave(PathBuf),
}

/// What a directory's listing already says about an entry that is not a symlink, so that the
/// walk needs no `stat` of it: most entries of a large tree are regular files.
enum Listed {
    File,
    /// A directory, and its canonical path (its parent's, joined with its name).
    Dir(PathBuf),
}

impl Iterator for Walk {
    type Item = Pending;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(archive) = &self.archive {
                match archive.recv() {
                    Ok(item) => return Some(Pending::Ready(item)),
                    Err(_) => self.archive = None,
                }
            }
            match self.stack.pop()? {
                Work::Leave(dir) => {
                    self.walking.remove(&dir);
                }
                Work::Path {
                    path,
                    named,
                    listed,
                } => {
                    if let Some(item) = self.visit(path, named, listed) {
                        return Some(item);
                    }
                }
            }
        }
    }
}

impl Walk {
    fn visit(&mut self, path: PathBuf, named: bool, listed: Option<Listed>) -> Option<Pending> {
        // Most files of a large tree are not manifests: they are passed over before their name
        // is made.
        if matches!(listed, Some(Listed::File)) && !is_manifest(&path) {
            return None;
        }
        let name: Arc<str> = Arc::from(path.to_string_lossy().as_ref());
        match listed {
            // Its size is checked when it is opened.
            Some(Listed::File) => return Some(Pending::File { path, name }),
            Some(Listed::Dir(canonical)) => return self.enter_canonical(path, &name, canonical),
            None => {}
        }
        let fail =
            |kind, message: String| Some(Pending::Ready(Err(LoadError::new(&name, kind, message))));
        if named && path.as_os_str() == "-" {
            if std::mem::replace(&mut self.stdin_read, true) {
                return fail(
                    LoadErrorKind::Read,
                    "standard input was already read (`-` given twice)".into(),
                );
            }
            let name: Arc<str> = Arc::from("<stdin>");
            return Some(Pending::Ready(read_text(io::stdin().lock(), &name)));
        }
        let meta = match fs::metadata(&path) {
            Ok(meta) => meta,
            Err(err) => return fail(LoadErrorKind::Read, describe_missing(&path, &err)),
        };
        if meta.is_dir() {
            return self.enter(path, &name);
        }
        if !named && !is_manifest(&path) {
            return None;
        }
        if !meta.is_file() && !named {
            // Reading a FIFO found in a directory would block the walk; one named on the command
            // line is read, for `gavel scan <(helm template ...)`.
            return fail(
                LoadErrorKind::Read,
                "not a regular file (a FIFO, socket or device); skipped".into(),
            );
        }
        // The size limit is per manifest: an archive may be larger, its entries may not.
        if named && is_archive(&path) {
            self.archive = Some(spawn_archive(path, name));
            return None;
        }
        // Its size is checked when it is opened.
        Some(Pending::File { path, name })
    }

    /// Queues a directory's entries, sorted, unless it was walked already or is a loop.
    fn enter(&mut self, path: PathBuf, name: &Arc<str>) -> Option<Pending> {
        let fail =
            |kind, message: String| Some(Pending::Ready(Err(LoadError::new(name, kind, message))));
        let canonical = match fs::canonicalize(&path) {
            Ok(c) => c,
            Err(err) => return fail(LoadErrorKind::Read, format!("cannot read directory: {err}")),
        };
        self.enter_canonical(path, name, canonical)
    }

    /// As [`Walk::enter`], for a directory whose canonical path is known.
    fn enter_canonical(
        &mut self,
        path: PathBuf,
        name: &Arc<str>,
        canonical: PathBuf,
    ) -> Option<Pending> {
        let fail =
            |kind, message: String| Some(Pending::Ready(Err(LoadError::new(name, kind, message))));
        if self.walking.contains(&canonical) {
            let message = format!(
                "directory loop: this symlink leads back to {}, which is being walked; skipped",
                canonical.display()
            );
            return fail(LoadErrorKind::Loop, message);
        }
        if !self.walked.insert(canonical.clone()) {
            return None;
        }
        let entries = match fs::read_dir(&path) {
            Ok(entries) => entries,
            Err(err) => return fail(LoadErrorKind::Read, format!("cannot read directory: {err}")),
        };
        let mut listing = Vec::new();
        for entry in entries {
            match entry {
                Ok(entry) => {
                    let name = entry.file_name();
                    // The type comes with the listing on most file systems (no `stat`); a
                    // symlink, or a type the listing does not give, is looked at by `visit`.
                    let listed = match entry.file_type() {
                        Ok(t) if t.is_file() => Some(Listed::File),
                        Ok(t) if t.is_dir() => Some(Listed::Dir(canonical.join(&name))),
                        _ => None,
                    };
                    listing.push((name, listed));
                }
                Err(err) => {
                    return fail(LoadErrorKind::Read, format!("cannot read directory: {err}"))
                }
            }
        }
        listing.retain(|(n, _)| n != ".git");
        listing.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        self.walking.insert(canonical.clone());
        self.stack.push(Work::Leave(canonical));
        self.stack
            .extend(listing.into_iter().rev().map(|(n, listed)| Work::Path {
                path: path.join(n),
                named: false,
                listed,
            }));
        None
    }
}

fn describe_missing(path: &Path, err: &io::Error) -> String {
    let dangling = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    match err.kind() {
        io::ErrorKind::NotFound if dangling => "dangling symlink: its target does not exist".into(),
        io::ErrorKind::NotFound => "no such file or directory".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => format!("cannot read: {err}"),
    }
}

fn extension_is(path: &str, extensions: &[&str]) -> bool {
    let lower = path.to_ascii_lowercase();
    extensions.iter().any(|ext| lower.ends_with(ext))
}

fn is_manifest(path: &Path) -> bool {
    extension_is(&path.to_string_lossy(), &[".yaml", ".yml", ".json"])
}

fn is_archive(path: &Path) -> bool {
    extension_is(&path.to_string_lossy(), &[".tar", ".tar.gz", ".tgz"])
}

fn too_large() -> String {
    format!(
        "larger than {} MiB; refused",
        MAX_FILE_BYTES / (1024 * 1024)
    )
}

/// Reads a source's text: [`read_all`], then [`text`].
fn read_text(reader: impl Read, name: &Arc<str>) -> Result<SourceFile, LoadError> {
    read_all(reader, name, 0).and_then(|bytes| text(name, bytes))
}

/// An opened file: refused before reading when its size is past [`MAX_FILE_BYTES`], else read
/// into a buffer of its size.
fn read_file(file: File, name: &Arc<str>) -> Result<SourceFile, LoadError> {
    let size = file
        .metadata()
        .map_or(0, |m| if m.is_file() { m.len() } else { 0 });
    if size > MAX_FILE_BYTES {
        return Err(LoadError::new(name, LoadErrorKind::Read, too_large()));
    }
    read_all(file, name, size as usize).and_then(|bytes| text(name, bytes))
}

/// Reads at most [`MAX_FILE_BYTES`] (one byte more tells that there was more), into a buffer
/// of `expected` bytes to start with.
fn read_all(reader: impl Read, name: &Arc<str>, expected: usize) -> Result<Vec<u8>, LoadError> {
    // One byte more than expected, so that reading to the end does not grow the buffer.
    let mut bytes = Vec::with_capacity(expected.saturating_add(1));
    match reader.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes) {
        Ok(_) if bytes.len() as u64 > MAX_FILE_BYTES => {
            Err(LoadError::new(name, LoadErrorKind::Read, too_large()))
        }
        Ok(_) => Ok(bytes),
        Err(err) => Err(LoadError::new(
            name,
            LoadErrorKind::Read,
            format!("cannot read: {err}"),
        )),
    }
}

/// Checks that bytes are UTF-8 text, saying where they are not.
fn text(name: &Arc<str>, bytes: Vec<u8>) -> Result<SourceFile, LoadError> {
    let fail = |message: &str| LoadError::new(name, LoadErrorKind::Encoding, message);
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        return Err(fail(
            "UTF-16 text is not supported: convert the file to UTF-8",
        ));
    }
    if bytes.contains(&0) {
        return Err(fail(
            "binary data (contains NUL bytes), not a YAML or JSON manifest",
        ));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile {
            name: name.clone(),
            text: Arc::from(text),
        }),
        Err(err) => {
            let bytes = err.as_bytes();
            let valid = err.utf8_error().valid_up_to();
            let before = bytes.get(..valid).unwrap_or_default();
            let line_start = before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let column = String::from_utf8_lossy(&before[line_start..])
                .chars()
                .count()
                + 1;
            let byte = bytes.get(valid).copied().unwrap_or(0);
            let message =
                format!("not valid UTF-8 (byte 0x{byte:02x}): manifests must be UTF-8 text");
            Err(fail(&message).at(super::Position { line, column }))
        }
    }
}

/// Streams an archive's manifest entries from a helper thread; the bounded channel keeps memory
/// to a few entries, and dropping the receiver ends the thread at its next send.
fn spawn_archive(path: PathBuf, name: Arc<str>) -> Receiver<Result<SourceFile, LoadError>> {
    let (send, receive) = sync_channel(ARCHIVE_READ_AHEAD);
    let spawned = std::thread::Builder::new()
        .name("gavel-archive".into())
        .spawn({
            let send = send.clone();
            let name = name.clone();
            move || read_archive(&path, &name, &send)
        });
    if let Err(err) = spawned {
        let message = format!("cannot read archive: {err}");
        // The receiver is still here, so this send cannot fail for want of one.
        let _ = send.send(Err(LoadError::new(&name, LoadErrorKind::Read, message)));
    }
    receive
}

fn read_archive(path: &Path, name: &Arc<str>, send: &SyncSender<Result<SourceFile, LoadError>>) {
    let corrupt = |err: io::Error| {
        Err(LoadError::new(
            name,
            LoadErrorKind::Archive,
            format!("corrupt or truncated archive: {err}"),
        ))
    };
    let file = match File::open(path) {
        Ok(file) => file,
        Err(err) => {
            let _ = send.send(Err(LoadError::new(
                name,
                LoadErrorKind::Read,
                format!("cannot read: {err}"),
            )));
            return;
        }
    };
    let mut reader = BufReader::new(file);
    // Sniff gzip by its magic number rather than trust the extension.
    let gzip = match reader.fill_buf() {
        Ok(head) => head.starts_with(&[0x1f, 0x8b]),
        Err(err) => {
            let _ = send.send(corrupt(err));
            return;
        }
    };
    let reader: Box<dyn Read> = if gzip {
        Box::new(GzDecoder::new(reader))
    } else {
        Box::new(reader)
    };
    let mut archive = tar::Archive::new(reader);
    let entries = match archive.entries() {
        Ok(entries) => entries,
        Err(err) => {
            let _ = send.send(corrupt(err));
            return;
        }
    };
    for entry in entries {
        let mut entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let _ = send.send(corrupt(err));
                return;
            }
        };
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let inner = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        // `._name` entries are the resource forks that macOS tar adds: binary, never manifests.
        let junk = inner
            .split('/')
            .any(|part| part == ".git" || part.starts_with("._"));
        if junk || !is_manifest(Path::new(&inner)) {
            continue;
        }
        let entry_name: Arc<str> = Arc::from(format!("{name}:{}", inner.trim_start_matches("./")));
        let item = if entry.size() > MAX_FILE_BYTES {
            Err(LoadError::new(
                &entry_name,
                LoadErrorKind::Read,
                too_large(),
            ))
        } else {
            let mut bytes = Vec::new();
            match entry.read_to_end(&mut bytes) {
                // A cut-off archive gives a short entry without an error: never parse half a file.
                Ok(_) if (bytes.len() as u64) < entry.size() => {
                    let message = format!("{inner} is cut short");
                    let _ = send.send(corrupt(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        message,
                    )));
                    return;
                }
                Ok(_) => text(&entry_name, bytes),
                Err(err) => {
                    let _ = send.send(corrupt(err));
                    return;
                }
            }
        };
        if send.send(item).is_err() {
            return;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn utf8_errors_are_located() {
        let name: Arc<str> = Arc::from("x.yaml");
        let err = text(&name, b"a: 1\nb: caf\xe9\n".to_vec()).unwrap_err();
        assert_eq!(
            (err.line, err.column, err.kind),
            (Some(2), Some(7), LoadErrorKind::Encoding)
        );
        assert!(text(&name, b"\x7fELF\x02\x01\x01\x00".to_vec())
            .unwrap_err()
            .message
            .contains("binary"));
        assert!(text(&name, b"\xff\xfea\x00".to_vec())
            .unwrap_err()
            .message
            .contains("UTF-16"));
        assert_eq!(&*text(&name, "é: 1".into()).unwrap().text, "é: 1");
    }

    #[test]
    fn names_select_files() {
        assert!(is_manifest(Path::new("a/b.YML")));
        assert!(!is_manifest(Path::new("a/b.yaml.bak")));
        assert!(is_archive(Path::new("x.TGZ")) && is_archive(Path::new("x.tar.gz")));
    }
}
