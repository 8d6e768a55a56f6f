//! Generated documents for the line scan's differential test: wherever [`Reader`] answers, it must
//! answer as the position parser does. The fixtures in `block.rs` cover the cases someone thought
//! of; a review's random generator found bugs in their combinations (such as a block scalar item on
//! the line after its dash, or a block scalar as the root). This is that generator, kept as a
//! regression test: it renders random trees in block style out of fragments a line scan could
//! misread, mutates each result a few characters at a time, and compares the scan with the parser
//! on every path of each document that both parsers read to its end. Where the position parser
//! stops at an error it answers from what it read before; the fixtures cover the scan giving up on
//! what it refuses.
//!
//! It is deterministic (a fixed seed, a small xorshift generator), so a failure reproduces.

use super::tests::{disagreements, document_paths};
use crate::test_rng::Rng;
use fragment::{BLOCK_CONTENT, FLOWS, KEYS, MUTATIONS, ODD, PLAIN_MORE, PROPERTIES, QUOTED, WORDS};

/// Documents generated; each is checked as written and as three mutations. Of the 60,000
/// texts about 11,000 are read by both parsers, with some 58,000 paths looked up twice each:
/// 2 to 3 seconds in a debug build.
const DOCUMENTS: usize = 15_000;

#[test]
fn generated_documents_agree_with_the_parser() {
    let mut rng = Rng::new(0x9E37_79B9_7F4A_7C15);
    let mut tally = Tally::default();
    for _ in 0..DOCUMENTS {
        let text = document(&mut rng);
        check(&mut rng, &text, &mut tally);
        for _ in 0..3 {
            let mutated = mutate(&mut rng, &text);
            check(&mut rng, &mutated, &mut tally);
        }
    }
    let Tally {
        documents,
        lookups,
        answered,
        failures,
    } = &tally;
    eprintln!(
        "generated: {documents} documents, {answered} of {lookups} lookups answered by the scan"
    );
    for failure in failures.iter().take(5) {
        eprintln!("{failure}");
    }
    assert!(failures.is_empty(), "{} disagreements", failures.len());
    // Much of what the generator writes is left to the parser (about 70% of lookups), but the
    // scan must answer a fair share, or the test could pass by never answering.
    assert!(*documents > 10_000, "{documents} documents");
    assert!(answered * 100 > lookups * 25, "{answered} of {lookups}");
}

#[derive(Default)]
struct Tally {
    documents: usize,
    lookups: usize,
    answered: usize,
    failures: Vec<String>,
}

/// When both parsers read the first document of `text`: on each of its paths, a reader shared
/// by all of them (in their depth-first order, then shuffled, so that it resumes from
/// unrelated trails too) answers as a fresh one, and where it answers, as the parser does and
/// with the text of the line it found.
fn check(rng: &mut Rng, text: &str, tally: &mut Tally) {
    // A text that does not load has no paths (one that does has at least its root's).
    let all = document_paths(text);
    if all.is_empty() || !saphyr_ok(text) {
        return;
    }
    let mut order: Vec<usize> = (0..all.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    order.splice(0..0, 0..all.len());
    tally.documents += 1;
    tally.lookups += order.len();
    let (answered, failures) = disagreements(text, order.iter().map(|&i| &all[i]));
    tally.answered += answered;
    tally.failures.extend(failures);
}

/// The position parser reads the first document to its end without an error. Where it stops
/// early it answers from what it read, which the scan does not try to match.
fn saphyr_ok(text: &str) -> bool {
    use saphyr_parser::{Event, Parser};
    let mut parser = Parser::new_from_str(text);
    loop {
        match parser.next_event() {
            Some(Ok((Event::DocumentEnd | Event::StreamEnd, _))) => return true,
            Some(Ok(_)) => {}
            _ => return false,
        }
    }
}

/// The shape of a document; its scalars and how it is written are chosen as it is rendered.
enum Tree {
    Map(Vec<(String, Tree)>),
    Seq(Vec<Tree>),
    Scalar,
}

fn tree(rng: &mut Rng, depth: usize) -> Tree {
    // Seldom a scalar at the root: such a document has two paths, both left to the parser.
    let scalar = if depth == 0 {
        rng.chance(10)
    } else {
        depth > 4 || rng.chance(40)
    };
    if scalar {
        return Tree::Scalar;
    }
    // Mostly not empty: an empty collection is written `{}` or `[]`.
    let n = rng.below(4) + usize::from(rng.chance(80));
    if rng.chance(50) {
        return Tree::Seq((0..n).map(|_| tree(rng, depth + 1)).collect());
    }
    let mut entries: Vec<(String, Tree)> = Vec::new();
    for _ in 0..n {
        // Now and then a key about as long as an implicit key may be (1,024 characters).
        let key = if rng.chance(3) {
            "k".repeat(1020 + rng.below(10))
        } else {
            rng.pick(KEYS).to_owned()
        };
        // Now and then a duplicate key.
        if entries.iter().any(|(k, _)| *k == key) && !rng.chance(3) {
            continue;
        }
        entries.push((key, tree(rng, depth + 1)));
    }
    Tree::Map(entries)
}

/// The lines rendered so far, each with whether a comment or blank line may follow it (not
/// inside a multi-line scalar, where it would be content or an error).
struct Out {
    lines: Vec<(String, bool)>,
}

impl Out {
    fn push(&mut self, line: String) {
        self.lines.push((line, true));
    }

    fn append(&mut self, s: &str) {
        if let Some((line, _)) = self.lines.last_mut() {
            line.push_str(s);
        }
    }

    /// The last line opens a scalar that goes on: nothing may come between it and the next.
    fn hold(&mut self) {
        if let Some((_, free)) = self.lines.last_mut() {
            *free = false;
        }
    }

    fn column(&self) -> usize {
        self.lines
            .last()
            .map_or(0, |(line, _)| line.chars().count())
    }
}

/// Appends a scalar to the current line; its continuation lines are deeper than `indent`.
fn scalar(rng: &mut Rng, out: &mut Out, indent: usize) {
    let pad = |n: usize| " ".repeat(n);
    let cont = indent + 1 + rng.below(3);
    match rng.below(22) {
        0..=6 => out.append(rng.pick(WORDS)),
        7 => {
            // Multi-line plain.
            out.append(rng.pick(&["x", "a b", "-c"]));
            for _ in 0..=rng.below(3) {
                out.hold();
                out.push(pad(cont) + rng.pick(PLAIN_MORE));
            }
        }
        8 => out.append(rng.pick(QUOTED)),
        9 => {
            // Multi-line quoted.
            let quote = rng.pick(&["\"", "'"]);
            out.append(&format!("{quote}first"));
            for _ in 0..rng.below(3) {
                out.hold();
                out.push(pad(cont) + rng.pick(&["mid", "a: b", "- x", "# y", "|", ""]));
            }
            out.hold();
            out.push(format!("{}last{quote}", pad(cont)));
        }
        10 | 11 => out.append(rng.pick(FLOWS)),
        12 => {
            // Multi-line flow.
            out.append(rng.pick(&["[a,", "{a: 1,", "[", "{"]));
            out.hold();
            out.push(pad(cont) + "b: c");
            out.hold();
            out.push(pad(cont) + rng.pick(&["]", "}"]));
        }
        13..=16 => {
            // A block scalar: a header with indentation and chomping indicators, a comment or
            // trailing spaces, then content that looks like anything, at varying depths, with
            // blank lines of any length.
            let indicator = rng.below(3);
            out.append(rng.pick(&["|", ">"]));
            if indicator > 0 {
                out.append(&indicator.to_string());
            }
            out.append(rng.pick(&["", "", "-", "+"]));
            if rng.chance(20) {
                out.append(" # c");
            }
            if rng.chance(10) {
                out.append("   ");
            }
            let base = if indicator > 0 {
                indent + indicator
            } else {
                cont
            };
            for j in 0..rng.below(5) {
                out.hold();
                let content = rng.pick(BLOCK_CONTENT);
                if content.is_empty() {
                    out.push(pad(rng.below(base + 3)));
                } else {
                    let extra = if j > 0 && rng.chance(30) {
                        rng.below(3)
                    } else {
                        0
                    };
                    out.push(pad(base + extra) + content);
                }
            }
            if rng.chance(30) {
                out.push(String::new());
            }
        }
        17 => out.append(rng.pick(PROPERTIES)),
        // No value: null, or what the next lines hold.
        18 => out.append(rng.pick(&["# comment", "", "  ", "\t"])),
        19 => out.append(rng.pick(ODD)),
        _ => {
            out.append(rng.pick(WORDS));
            out.append(rng.pick(&["", "", "", "", " # c", "   # c", " #", "  "]));
        }
    }
}

/// Renders `t` as the value of the key or dash at column `indent` that ends the current line.
fn value(rng: &mut Rng, out: &mut Out, t: &Tree, indent: usize, after_key: bool) {
    let step = 1 + rng.below(3);
    match t {
        Tree::Scalar if rng.chance(8) => {
            // On the next line.
            out.push(" ".repeat(indent + step));
            scalar(rng, out, indent);
        }
        Tree::Scalar => {
            out.append(rng.pick(&[" ", " ", " ", "  ", "\t"]));
            scalar(rng, out, indent);
        }
        Tree::Map(entries) if entries.is_empty() => out.append(" {}"),
        Tree::Seq(items) if items.is_empty() => out.append(" []"),
        // Compact, on the dash's line: `- key: value`, `- - item`.
        Tree::Map(entries) if !after_key && rng.chance(60) => {
            out.append(rng.pick(&[" ", " ", "   "]));
            map_body(rng, out, entries, out.column(), true);
        }
        Tree::Seq(items) if !after_key && rng.chance(60) => {
            out.append(rng.pick(&[" ", " ", "  "]));
            seq_body(rng, out, items, out.column(), true);
        }
        Tree::Map(entries) => {
            if rng.chance(15) {
                out.append(rng.pick(&[" # c", " &m", " !!map", "  "]));
            }
            map_body(rng, out, entries, indent + step, false);
        }
        Tree::Seq(items) => {
            if rng.chance(10) {
                out.append(rng.pick(&[" # c", " &s", " !!seq"]));
            }
            // A mapping's sequence may sit at its key's indentation.
            let at = if after_key && rng.chance(50) {
                indent
            } else {
                indent + step
            };
            seq_body(rng, out, items, at, false);
        }
    }
}

/// Now and then, between nodes: a comment at any indentation, a line of spaces, a line with a
/// tab.
fn filler(rng: &mut Rng, out: &mut Out, indent: usize) {
    if !out.lines.last().is_none_or(|&(_, free)| free) {
        return;
    }
    if rng.chance(12) {
        let comment = rng.pick(&[" c", "", "#", " - x", " a: b"]);
        out.push(format!("{}#{comment}", " ".repeat(rng.below(indent + 5))));
    }
    if rng.chance(6) {
        out.push(" ".repeat(rng.below(indent + 5)));
    }
    if rng.chance(2) {
        out.push(rng.pick(&["\t", " \t", "\t# c"]).to_owned());
    }
}

/// Entries at column `col`, the first on the current line when `inline`.
fn map_body(rng: &mut Rng, out: &mut Out, entries: &[(String, Tree)], col: usize, inline: bool) {
    for (i, (key, v)) in entries.iter().enumerate() {
        if i > 0 || !inline {
            filler(rng, out, col);
            out.push(" ".repeat(col));
        }
        out.append(key);
        out.append(rng.pick(&[":", ":", ":", " :"]));
        value(rng, out, v, col, true);
    }
}

/// Items with their dashes at column `col`, the first on the current line when `inline`.
fn seq_body(rng: &mut Rng, out: &mut Out, items: &[Tree], col: usize, inline: bool) {
    for (i, v) in items.iter().enumerate() {
        if i > 0 || !inline {
            filler(rng, out, col);
            out.push(" ".repeat(col));
        }
        out.append("-");
        if !rng.chance(5) {
            value(rng, out, v, col, false);
            continue;
        }
        // The item's node on the next line, after nothing, a space or a comment.
        out.append(rng.pick(&["", " ", " # c"]));
        let at = col + 1 + rng.below(3);
        match v {
            Tree::Map(entries) if !entries.is_empty() => map_body(rng, out, entries, at, false),
            Tree::Seq(items) if !items.is_empty() => seq_body(rng, out, items, at, false),
            _ => {
                out.push(" ".repeat(at));
                scalar(rng, out, col);
            }
        }
    }
}

/// A random document, indented now and then, with what may come before and after it (a
/// marker, a directive, a comment, a second document, no final line break), CRLF line breaks
/// now and then and trailing spaces on some lines.
fn document(rng: &mut Rng) -> String {
    let t = tree(rng, 0);
    let mut out = Out { lines: Vec::new() };
    let root = if rng.chance(10) { rng.below(3) } else { 0 };
    match &t {
        Tree::Map(entries) if !entries.is_empty() => map_body(rng, &mut out, entries, root, false),
        Tree::Seq(items) if !items.is_empty() => seq_body(rng, &mut out, items, root, false),
        _ => {
            out.push(" ".repeat(root));
            scalar(rng, &mut out, 0);
        }
    }
    let mut text = String::from(match rng.below(12) {
        0 => "---\n",
        1 => "--- # c\n",
        2 => "# head\n\n",
        3 => "%YAML 1.1\n---\n",
        _ => "",
    });
    let newline = if rng.chance(8) { "\r\n" } else { "\n" };
    for (line, _) in &out.lines {
        text.push_str(line);
        if rng.chance(2) {
            text.push_str("  ");
        }
        text.push_str(newline);
    }
    match rng.below(10) {
        0 => text.push_str("...\n"),
        1 => text.push_str("---\nnext: doc\n"),
        2 => text.push_str("# tail"),
        3 => {
            text.pop();
        }
        _ => {}
    }
    text
}

/// `text` with one to three characters inserted, replaced or removed: near misses of valid
/// documents, which the scan must tell from them.
fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..=rng.below(3) {
        if chars.is_empty() {
            break;
        }
        let at = rng.below(chars.len());
        let c = MUTATIONS[rng.below(MUTATIONS.len())];
        match rng.below(3) {
            0 => chars.insert(at, c),
            1 => chars[at] = c,
            _ => {
                chars.remove(at);
            }
        }
    }
    chars.into_iter().collect()
}

/// The fragments documents are made of, most of them ones a line scan could misread. Kept
/// several to a line: formatted one to a line, the tables would be most of the file.
#[rustfmt::skip]
mod fragment {
    /// Plain keys with indicators at their start or inside, that look like markers, that
    /// resolve to no string, that are quoted, or that are not ASCII.
    pub(super) const KEYS: &[&str] = &[
        "a", "b", "name", "image", "key with spaces", "url:value", "a#b", "-a", "?a", "a:",
        "ünï", "日本語", "a[b]", "a{b}", "---a", "...a", "a,b", "a'b", "a\"b", "$x", "a!b", "a&b",
        "a*b", "a|b", "a>b", "a%b", "a@b", "'q'", "\"dq\"", "'a b': ", "1", "true", "null", "~",
        "x.y/z", "spaced   ", "k\t", "0o7", "-", "--", "a -b", "a - b", "a: b", "k#", "ǅ", "😀",
    ];

    /// One-line plain scalars, many starting with or holding an indicator.
    pub(super) const WORDS: &[&str] = &[
        "x", "hello world", "-config", "a-b", "1", "1.5", "true", "null", "~", "", "a:b", "a#b",
        "http://x/y", "-", "--", "?x", ":x", "x:", "é", "日本", "a  b", "[x", "x]", "{x", "x}",
        "x,y", "@x", "`x", "%x", "x'y", "x\"y", "0x1F", ".inf", "<<", "=", "|x", ">x", "!x", "&x",
        "*x", "x # c", "x #c", "x# c",
    ];

    /// Continuation lines of a multi-line plain scalar, that look like other nodes.
    pub(super) const PLAIN_MORE: &[&str] = &[
        "y", "- z", "|", ">", "\"q", "'q", "[a", "a]", "#x", "a #b", "---", "...", "&a", "*b",
        "!t", "? x", "- - w", "k:v", "x\t",
    ];

    /// Quoted scalars closed on their line, with escapes, doubled quotes or indicators inside.
    pub(super) const QUOTED: &[&str] = &[
        "'x'", "'it''s'", "''", "\"\"", r#""a\"b""#, r#""a\\""#, "'a: b'", "\"# x\"", "'[x'",
        "\"x\" # c", "'x'   ", r#""\t""#, "'a''''b'",
    ];

    /// Flow collections closed on their line, empty or with brackets and quotes inside.
    pub(super) const FLOWS: &[&str] = &[
        "[]", "{}", "[ ]", "{ }", "[a, b]", "{a: 1}", "[a, [b, c]]", "{a: [b], c: {d: e}}",
        r#"["]", ']']"#, "[a #b]", "[x] # c", "{a: 'b}'}", "[a:b]", "[{}]", r#"[a, "b, c"]"#,
    ];

    /// Lines of a block scalar's content that look like anything but content.
    pub(super) const BLOCK_CONTENT: &[&str] = &[
        "text", "key: not a key", "- not an item", "\"unclosed", "'unclosed", "# not a comment",
        "---", "...", "[x", "{", "|", "> x", "  deeper", "\t tab", "a: |", "- - x", "&a", "*a",
        "%x", "",
    ];

    /// Anchors, tags and aliases, some with no node after them.
    pub(super) const PROPERTIES: &[&str] = &[
        "&a x", "*a", "!!str x", "!t x", "&a", "!!null", "& x",
    ];

    /// Tabs, comments glued to a node, and characters that are line breaks or spaces to one of
    /// the parsers and not to the other.
    pub(super) const ODD: &[&str] = &[
        "x\t", "x \t# c", "\tx", "'x'#c", "[x]#c", "x#c", "\u{a0}", "\u{85}x", "x\u{2028}y",
        "\u{feff}x",
    ];

    /// What a mutation puts into a document: indicators, blanks and line breaks.
    pub(super) const MUTATIONS: &[char] = &[
        ' ', '\t', '#', ':', '-', '\'', '"', '|', '>', '[', ']', '{', '}', ',', '?', '&', '*', '!',
        '\n', '\r', '%', '@', 'x', '\u{85}',
    ];
}
