//! The items of the JSON report's long arrays (findings, objects checked), written by hand.
//!
//! They are most of a report, and most of what they hold is text: serde_json escapes a string
//! a byte at a time, and its calls through the formatter cost more than the writing. These
//! functions write the same bytes that serde_json's pretty printer writes for the derived
//! `Serialize` of each type (the tests of the parent module hold them to it), with strings checked
//! for characters to escape eight bytes at a time.

use crate::report::{Checked, Finding, ObjectRef, PathStep};

/// Item depth: an item of a top-level array is two levels in.
const DEPTH: usize = 2;

/// Appends `f` as an item of the findings array (its `{` where the cursor is).
pub(super) fn finding(out: &mut Vec<u8>, f: &Finding) {
    out.push(b'{');
    let inner = DEPTH + 1;
    field(out, inner, "rule", true);
    string(out, &f.rule);
    field(out, inner, "severity", false);
    string(out, f.severity.as_str());
    field(out, inner, "message", false);
    string(out, &f.message);
    field(out, inner, "file", false);
    string(out, &f.file);
    field(out, inner, "line", false);
    number(out, f.line);
    field(out, inner, "column", false);
    number(out, f.column);
    field(out, inner, "document", false);
    number(out, f.document);
    field(out, inner, "object", false);
    object_ref(out, &f.object, inner);
    field(out, inner, "path", false);
    path(out, &f.path, inner);
    if let Some(source) = &f.source_line {
        field(out, inner, "source", false);
        string(out, source);
    }
    close(out, DEPTH, b'}');
}

/// Appends `c` as an item of the objects-checked array.
pub(super) fn checked(out: &mut Vec<u8>, c: &Checked) {
    out.push(b'{');
    let inner = DEPTH + 1;
    field(out, inner, "file", true);
    string(out, &c.file);
    field(out, inner, "document", false);
    number(out, c.document);
    field(out, inner, "object", false);
    object_ref(out, &c.object, inner);
    close(out, DEPTH, b'}');
}

/// An object reference whose `{` is at `depth` (its fields one deeper); absent fields are null.
fn object_ref(out: &mut Vec<u8>, o: &ObjectRef, depth: usize) {
    out.push(b'{');
    let fields = [
        ("apiVersion", &o.api_version),
        ("kind", &o.kind),
        ("namespace", &o.namespace),
        ("name", &o.name),
    ];
    for (i, (name, value)) in fields.into_iter().enumerate() {
        field(out, depth + 1, name, i == 0);
        match value {
            Some(v) => string(out, v),
            None => out.extend_from_slice(b"null"),
        }
    }
    close(out, depth, b'}');
}

/// A field path whose `[` is at `depth`; an empty one closes on the line it opens.
fn path(out: &mut Vec<u8>, steps: &[PathStep], depth: usize) {
    out.push(b'[');
    if steps.is_empty() {
        out.push(b']');
        return;
    }
    for (i, step) in steps.iter().enumerate() {
        new_line(out, depth + 1, i == 0);
        match step {
            PathStep::Key(k) => string(out, k),
            PathStep::Index(n) => number(out, *n),
            // Rare: any JSON value, left to serde_json.
            PathStep::Other(v) => super::nested(out, v, depth + 1),
        }
    }
    close(out, depth, b']');
}

/// Starts a field of an object whose fields are at `depth`: `,` (unless first), a line break,
/// the indentation, the key and `": "`. Keys are plain names: nothing in them to escape.
fn field(out: &mut Vec<u8>, depth: usize, key: &str, first: bool) {
    new_line(out, depth, first);
    out.push(b'"');
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\": ");
}

/// `,` (unless `first`), a line break and the indentation of `depth`, in one copy.
fn new_line(out: &mut Vec<u8>, depth: usize, first: bool) {
    const LINES: &[u8] = b",\n                ";
    match LINES.get(usize::from(first)..2 + 2 * depth) {
        Some(line) => out.extend_from_slice(line),
        None => {
            out.extend_from_slice(if first { b"\n" } else { b",\n" });
            indent(out, depth);
        }
    }
}

/// Closes a non-empty container whose opening is at `depth`, on a line of its own.
fn close(out: &mut Vec<u8>, depth: usize, bracket: u8) {
    out.push(b'\n');
    indent(out, depth);
    out.push(bracket);
}

fn indent(out: &mut Vec<u8>, depth: usize) {
    for _ in 0..depth {
        out.extend_from_slice(b"  ");
    }
}

fn number(out: &mut Vec<u8>, n: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// Appends `s` as a JSON string, escaped as serde_json escapes it: `"` and `\` with a
/// backslash, the control characters U+0000 to U+001F as `\b`, `\t`, `\n`, `\f`, `\r` or
/// `\u00xx` (lowercase hex), nothing else.
fn string(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    out.reserve(b.len() + 2);
    out.push(b'"');
    // `b[start..i]` has been read and needs no escape: it is copied when an escape or the end
    // comes. Words of eight bytes without one are stepped over; the rest is read a byte at a
    // time.
    let (mut start, mut i) = (0, 0);
    while let Some(&c) = b.get(i) {
        if let Some(word) = b.get(i..i + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
            if !needs_escape(u64::from_le_bytes(word)) {
                i += 8;
                continue;
            }
        }
        if c < 0x20 || c == b'"' || c == b'\\' {
            out.extend_from_slice(b.get(start..i).unwrap_or_default());
            escape(out, c);
            start = i + 1;
        }
        i += 1;
    }
    out.extend_from_slice(b.get(start..).unwrap_or_default());
    out.push(b'"');
}

/// Appends the escape of `c`, a control character, `"` or `\`.
fn escape(out: &mut Vec<u8>, c: u8) {
    let short = match c {
        b'"' => b'"',
        b'\\' => b'\\',
        0x08 => b'b',
        b'\t' => b't',
        b'\n' => b'n',
        0x0c => b'f',
        b'\r' => b'r',
        _ => {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            let (hi, lo) = (HEX[usize::from(c >> 4 & 0xf)], HEX[usize::from(c & 0xf)]);
            return out.extend_from_slice(&[b'\\', b'u', b'0', b'0', hi, lo]);
        }
    };
    out.extend_from_slice(&[b'\\', short]);
}

/// Whether any of the eight bytes of `w` is below 0x20, a `"` or a `\` (each test is the
/// exact "has a zero byte" bit trick; see Hacker's Delight, 6-1).
fn needs_escape(w: u64) -> bool {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    let below_space = w.wrapping_sub(ONES * 0x20) & !w;
    let q = w ^ (ONES * u64::from(b'"'));
    let quote = q.wrapping_sub(ONES) & !q;
    let s = w ^ (ONES * u64::from(b'\\'));
    let backslash = s.wrapping_sub(ONES) & !s;
    (below_space | quote | backslash) & HIGHS != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(s: &str) -> String {
        let mut out = Vec::new();
        string(&mut out, s);
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        // Every ASCII byte, at every offset within an eight-byte word, among plain text.
        for c in 0u8..=0x7f {
            for offset in 0..17 {
                let mut s = "a".repeat(offset);
                s.push(char::from(c));
                s.push_str("bcdefghijklmnop");
                assert_eq!(written(&s), serde_json::to_string(&s).unwrap_or_default());
            }
        }
        for s in [
            "",
            "plain",
            "exactly8",
            "ünïcode \u{1F600} \u{7f} / and \\\\ \"\"",
            "\u{0}\u{1}\u{1f}\u{20}",
            "\t\n\r\u{8}\u{c}",
            "trailing \\",
        ] {
            assert_eq!(written(s), serde_json::to_string(s).unwrap_or_default());
        }
    }

    #[test]
    fn the_word_test_is_exact() {
        // A false "no escape" would write a raw control character or quote.
        for c in 0u8..=0xff {
            for pos in 0..8 {
                let mut bytes = [b'x'; 8];
                bytes[pos] = c;
                let expected = c < 0x20 || c == b'"' || c == b'\\';
                assert_eq!(
                    needs_escape(u64::from_le_bytes(bytes)),
                    expected,
                    "{c:#x} at {pos}"
                );
            }
        }
    }
}
