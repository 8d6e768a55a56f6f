//! Integration tests of the manifest loader over `tests/fixtures/load/`: positions of fields in
//! every kind of input, and one test per kind of bad input (each must give a clear, located
//! error while every other input still loads). Archives, undecodable bytes, symlink loops and
//! FIFOs are made at run time under Cargo's per-test temporary directory rather than committed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "common/scratch.rs"]
mod common_scratch;

use gavel::load::{self, Document, LoadError, LoadErrorKind, Position};
use gavel::Value;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/load")
        .join(rel)
}

/// A fresh scratch directory for one test.
fn scratch(test: &str) -> PathBuf {
    common_scratch::scratch("load", test)
}

/// Loads everything under `paths`, as a scanner would but sequentially.
fn load_all<P: AsRef<Path>>(paths: &[P]) -> (Vec<Document>, Vec<LoadError>) {
    let (mut docs, mut errors) = (Vec::new(), Vec::new());
    for source in load::sources(paths) {
        match source {
            Ok(source) => {
                let (d, e) = load::documents(&source);
                docs.extend(d);
                errors.extend(e);
            }
            Err(err) => errors.push(err),
        }
    }
    (docs, errors)
}

fn path(parts: &[&str]) -> Vec<Value> {
    parts
        .iter()
        .map(|p| {
            p.parse::<i64>()
                .map_or_else(|_| Value::from(*p), Value::from)
        })
        .collect()
}

fn at(line: usize, column: usize) -> Position {
    Position { line, column }
}

fn named<'a>(docs: &'a [Document], name: &str) -> &'a Document {
    docs.iter()
        .find(|d| {
            d.value
                .get("metadata")
                .and_then(|m| m.get("name"))
                .and_then(Value::as_str)
                == Some(name)
        })
        .unwrap_or_else(|| panic!("no document named {name}"))
}

/// The only error about a file whose name ends with `suffix`.
fn error_for<'a>(errors: &'a [LoadError], suffix: &str) -> &'a LoadError {
    let found: Vec<_> = errors.iter().filter(|e| e.file.ends_with(suffix)).collect();
    assert_eq!(found.len(), 1, "errors for {suffix}: {found:#?}");
    found[0]
}

// ---------------------------------------------------------------------------------------------
// Positions

#[test]
fn nested_field_points_at_its_key() {
    let (docs, errors) = load_all(&[fixture("good/deployment.yaml")]);
    assert!(errors.is_empty(), "{errors:#?}");
    let doc = &docs[0];
    let probe = path(&[
        "spec",
        "template",
        "spec",
        "initContainers",
        "1",
        "readinessProbe",
    ]);
    assert_eq!(doc.locate(&probe), at(20, 11));
    assert_eq!(doc.line_text(20).trim(), "readinessProbe:");
    assert_eq!(
        doc.locate(&path(&["spec", "template", "spec", "initContainers", "1"])),
        at(17, 11)
    );
    // Inside a flow mapping.
    let port = path(&[
        "spec",
        "template",
        "spec",
        "initContainers",
        "1",
        "readinessProbe",
        "httpGet",
        "port",
    ]);
    assert_eq!(doc.locate(&port), at(21, 37));
    // The empty path is the object's first line (after the leading comment).
    assert_eq!(doc.locate(&[]), at(2, 1));
    assert_eq!((doc.index, doc.item), (0, None));
}

/// Every path into `v` (keys and indices), with a missing key below each object.
fn paths_of(v: &Value, prefix: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    out.push(prefix.clone());
    match v {
        Value::Object(o) => {
            prefix.push(Value::from("no-such-key"));
            out.push(prefix.clone());
            prefix.pop();
            for (k, child) in o.iter() {
                prefix.push(k.clone());
                paths_of(child, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                prefix.push(Value::from(i as i64));
                paths_of(child, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

#[test]
fn a_locator_finds_every_field_where_locate_does() {
    let (docs, _) = load_all(&[fixture("good"), scratch_with_many_findings()]);
    let mut checked = 0;
    for doc in &docs {
        let mut paths = vec![];
        paths_of(&doc.value, &mut vec![], &mut paths);
        // In document order each field needs more of the text than the one before; backwards,
        // the first field reads it all.
        for backwards in [false, true] {
            let mut locator = doc.locator();
            let order: Vec<_> = if backwards {
                paths.iter().rev().collect()
            } else {
                paths.iter().collect()
            };
            for p in order {
                let at = locator.locate(p);
                assert_eq!(at, doc.locate(p), "{} {p:?}", doc.file);
                // The line of a position just given, and any other line, as the document has it.
                for line in [at.line, at.line + 1, doc.locate(&[]).line] {
                    assert_eq!(locator.line_text(line), doc.line_text(line), "{p:?} {line}");
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 300, "{checked}");
}

/// A multi-document file whose documents hold flow and block collections, anchors and
/// comments, for the locator test.
fn scratch_with_many_findings() -> PathBuf {
    let dir = scratch("locator");
    let text = "# lead\napiVersion: v1\nkind: Pod\nmetadata: {name: a, labels: {x: '1'}}\n\
                spec:\n  containers:\n  - name: app # c\n    image: &img nginx\n    \
                ports: [{containerPort: 80}, {containerPort: 81}]\n  - {name: b, image: *img}\n\
                ---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  \
                \"quoted key\": |\n    text\n  other: x\n";
    fs::write(dir.join("many.yaml"), text).unwrap();
    // Lists: items at the key's indentation and deeper, comments and blank lines between them,
    // a block scalar ending an item, a flow item, nested sequences, and a JSON list.
    let list = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  \
                metadata:\n    name: p\n  spec:\n    containers:\n    - name: a\n      \
                args:\n      - - x\n        - y\n\n# between\n- kind: ConfigMap\n  \
                metadata: {name: c}\n  data:\n    k: |\n      line\n\n      more\n\
                - {kind: Secret, metadata: {name: s}}\n---\nkind: List\nitems:\n  \
                - kind: Pod\n    spec:\n      containers: [{name: b}]\n  - kind: Pod\n    \
                spec:\n      containers:\n        - name: c # comment\n          \
                ports:\n          - containerPort: 80\n";
    fs::write(dir.join("lists.yaml"), list).unwrap();
    // Items that do not parse on their own: an alias of an anchor in an earlier item or at the
    // list's root, and a tag handle declared by a directive.
    let aliases = "x: &s {a: 1}\nkind: List\nitems:\n- kind: Pod\n  apiVersion: v1\n  \
                   metadata: &m\n    name: n\n- kind: Pod\n  metadata: *m\n  apiVersion: v1\n  \
                   spec:\n    a: 1\n- kind: Pod\n  spec: *s\n  apiVersion: v1\n  \
                   metadata: {name: q}\n";
    fs::write(dir.join("aliases.yaml"), aliases).unwrap();
    let tagged = "%TAG !e! tag:example.com,2000:\n---\nkind: List\nitems:\n- kind: Pod\n  \
                  apiVersion: v1\n  spec: !e!foo 1\n  metadata:\n    name: t\n";
    fs::write(dir.join("tagged.yaml"), tagged).unwrap();
    let json =
        r#"{"kind": "List", "items": [{"kind": "Pod", "spec": {"containers": [{"name": "j"}]}}]}"#;
    fs::write(dir.join("list.json"), json).unwrap();
    dir
}

#[test]
fn list_items_that_do_not_parse_alone_are_located_in_the_whole_list() {
    let (docs, errors) = load_all(&[scratch_with_many_findings().join("aliases.yaml")]);
    assert!(errors.is_empty(), "{errors:#?}");
    let item = |i| docs.iter().find(|d| d.item == Some(i)).unwrap();
    assert_eq!(item(1).locate(&path(&["apiVersion"])), at(10, 3));
    assert_eq!(item(1).locate(&path(&["spec", "a"])), at(12, 5));
    assert_eq!(item(2).locate(&path(&["apiVersion"])), at(15, 3));
    assert_eq!(item(2).locator().locate(&path(&["apiVersion"])), at(15, 3));
}

#[test]
fn a_locator_finds_the_fields_of_the_corpus_list_items_where_locate_does() {
    use rayon::prelude::*;
    let Some(dir) = corpus() else {
        eprintln!("../shared/corpus not found: corpus test skipped");
        return;
    };
    let (docs, _) = load_all(&[dir]);
    let items: Vec<&Document> = docs.iter().filter(|d| d.item.is_some()).collect();
    let checked: usize = items
        .par_iter()
        .map(|doc| {
            let mut paths = Vec::new();
            node_paths(&doc.value, &mut Vec::new(), &mut paths, 400);
            let mut locator = doc.locator();
            for p in &paths {
                let at = locator.locate(p);
                assert_eq!(at, doc.locate(p), "{}[{}] {p:?}", doc.file, doc.index);
                assert_eq!(locator.line_text(at.line), doc.line_text(at.line));
            }
            paths.len()
        })
        .sum();
    println!("list items: {} items, {checked} paths", items.len());
    assert!(items.len() > 40, "{}", items.len());
}

#[test]
fn missing_field_points_at_nearest_ancestor() {
    let (docs, _) = load_all(&[fixture("good/deployment.yaml")]);
    let doc = &docs[0];
    let limits = path(&[
        "spec",
        "template",
        "spec",
        "initContainers",
        "1",
        "resources",
        "limits",
    ]);
    // The container exists, its resources do not: point at the container.
    assert_eq!(doc.locate_prefix(&limits), (at(17, 11), 5));
    let nowhere = path(&["spec", "template", "spec", "volumes", "0"]);
    assert_eq!(doc.locate_prefix(&nowhere), (at(13, 5), 3));
}

#[test]
fn field_in_second_document_of_a_stream() {
    let (docs, errors) = load_all(&[fixture("good/multi.yaml")]);
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(
        docs.len(),
        2,
        "empty and comment-only documents are skipped"
    );
    let config = named(&docs, "settings");
    // Documents 0 and 1 are the empty ones; the Service is 2.
    assert_eq!(named(&docs, "web").index, 2);
    assert_eq!(config.index, 3);
    assert_eq!(config.locate(&path(&["data", "retries"])), at(20, 3));
    assert_eq!(config.locate(&[]), at(14, 1));
    assert_eq!(
        named(&docs, "web").locate(&path(&["spec", "ports", "0", "port"])),
        at(12, 5)
    );
}

#[test]
fn list_items_are_documents_with_their_own_paths() {
    let (docs, errors) = load_all(&[fixture("good/list.yaml")]);
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(
        docs.len(),
        2,
        "the List itself is not a document, its items are"
    );
    let pod = named(&docs, "runner");
    assert_eq!((pod.index, pod.item), (0, Some(1)));
    assert_eq!(pod.value.get("kind").and_then(Value::as_str), Some("Pod"));
    let privileged = path(&["spec", "containers", "0", "securityContext", "privileged"]);
    assert_eq!(pod.locate(&privileged), at(20, 9));
    assert_eq!(pod.locate(&[]), at(10, 3));
    assert_eq!(
        pod.locate_prefix(&path(&["spec", "volumes"])),
        (at(14, 3), 1)
    );
    assert_eq!(
        named(&docs, "builder").locate(&path(&["metadata", "name"])),
        at(9, 5)
    );
}

#[test]
fn json_files_are_located_too() {
    let (docs, errors) = load_all(&[fixture("good/service.json")]);
    assert!(errors.is_empty(), "{errors:#?}");
    let doc = &docs[0];
    assert_eq!(
        doc.locate(&path(&["spec", "ports", "1", "targetPort"])),
        at(12, 20)
    );
    assert_eq!(
        doc.locate(&path(&["metadata", "annotations", "note"])),
        at(6, 21)
    );
    assert_eq!(
        doc.value
            .get("spec")
            .and_then(|s| s.get("type"))
            .and_then(Value::as_str),
        Some("LoadBalancer")
    );
}

#[test]
fn anchors_aliases_and_merge_keys_resolve() {
    let (docs, errors) = load_all(&[fixture("good/anchors.yaml")]);
    assert!(errors.is_empty(), "{errors:#?}");
    let meta = docs[0].value.get("metadata").unwrap();
    let notes = meta.get("annotations").unwrap();
    assert_eq!(notes.get("app").and_then(Value::as_str), Some("shop"));
    assert_eq!(
        notes.get("tier").and_then(Value::as_str),
        Some("overridden")
    );
    assert!(notes.get("<<").is_none());
    assert_eq!(
        docs[0]
            .value
            .get("data")
            .unwrap()
            .get("again")
            .and_then(Value::as_str),
        Some("shared")
    );
    // A merged-in key is written nowhere in the mapping: point at the `<<`.
    assert_eq!(
        docs[0].locate(&path(&["metadata", "annotations", "app"])),
        at(10, 5)
    );
}

#[test]
fn archive_entries_are_streamed_and_located() {
    let dir = scratch("archive");
    let tgz = dir.join("bundle.tgz");
    {
        let gz = flate2::write::GzEncoder::new(
            fs::File::create(&tgz).unwrap(),
            flate2::Compression::default(),
        );
        let mut tar = tar::Builder::new(gz);
        let mut add = |name: &str, body: &[u8]| {
            let mut header = tar::Header::new_gnu();
            header.set_size(body.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            tar.append_data(&mut header, name, body).unwrap();
        };
        add(
            "app/deployment.yaml",
            &fs::read(fixture("good/deployment.yaml")).unwrap(),
        );
        add("app/README.md", b"# not a manifest, not read\n");
        add(
            "app/._deployment.yaml",
            b"\x00\x05\x16\x07 macOS resource fork, skipped",
        );
        add(
            "app/service.json",
            &fs::read(fixture("good/service.json")).unwrap(),
        );
        add(
            "app/latin1.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: caf\xe9}\n",
        );
        tar.into_inner().unwrap().finish().unwrap();
    }
    let (docs, errors) = load_all(&[&tgz]);
    let names: Vec<&str> = docs.iter().map(|d| &*d.file).collect();
    let prefix = tgz.display().to_string();
    assert_eq!(
        names,
        [
            format!("{prefix}:app/deployment.yaml"),
            format!("{prefix}:app/service.json")
        ]
    );
    let probe = path(&[
        "spec",
        "template",
        "spec",
        "initContainers",
        "1",
        "readinessProbe",
    ]);
    assert_eq!(docs[0].locate(&probe), at(20, 11));
    // The entry that is not UTF-8 is an error naming the entry, with its line and column.
    let err = error_for(&errors, "bundle.tgz:app/latin1.yaml");
    assert_eq!(
        (err.kind, err.line, err.column),
        (LoadErrorKind::Encoding, Some(3), Some(21))
    );
    assert_eq!(errors.len(), 1, "{errors:#?}");

    // The same archive uncompressed, and a truncated copy: the entries before the damage load.
    let tar_path = dir.join("bundle.tar");
    let mut plain = Vec::new();
    std::io::copy(
        &mut flate2::read::GzDecoder::new(fs::File::open(&tgz).unwrap()),
        &mut plain,
    )
    .unwrap();
    fs::write(&tar_path, &plain).unwrap();
    let (docs, _) = load_all(&[tar_path]);
    assert_eq!(docs.len(), 2);
}

// ---------------------------------------------------------------------------------------------
// Bad input: each gives a clear error and the rest still loads.

/// Loads the whole `bad/` directory and the `good/` one together.
fn bad_and_good() -> (Vec<Document>, Vec<LoadError>) {
    load_all(&[fixture("bad"), fixture("good")])
}

#[test]
fn bad_inputs_do_not_stop_the_good_ones() {
    let (docs, errors) = bad_and_good();
    let files: std::collections::BTreeSet<&str> = docs
        .iter()
        .map(|d| d.file.rsplit('/').next().unwrap_or(""))
        .collect();
    assert_eq!(
        files.into_iter().collect::<Vec<_>>(),
        [
            "anchors.yaml",
            "deployment.yaml",
            "list-item-not-manifest.yaml",
            "list.yaml",
            "malformed.yaml",
            "multi.yaml",
            "service.json"
        ]
    );
    for err in &errors {
        assert!(
            err.line.is_some() && err.column.is_some(),
            "unlocated: {err}"
        );
        let shown = err.to_string();
        assert!(
            shown.starts_with(&format!(
                "{}:{}:{}: ",
                err.file,
                err.line.unwrap(),
                err.column.unwrap()
            )),
            "{shown}"
        );
    }
    // Directory order is sorted: errors come file by file in name order.
    let order: Vec<&str> = errors
        .iter()
        .map(|e| e.file.rsplit('/').next().unwrap_or(""))
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
}

#[test]
fn malformed_yaml_is_located_and_later_documents_load() {
    let (docs, errors) = bad_and_good();
    let err = error_for(&errors, "malformed.yaml");
    assert_eq!(err.kind, LoadErrorKind::Syntax);
    assert_eq!((err.line, err.column), (Some(7), Some(8)), "{err}");
    assert!(err.message.starts_with("invalid YAML: "), "{err}");
    assert!(
        !err.message.contains("at line 1 "),
        "positions are file lines: {err}"
    );
    assert_eq!(named(&docs, "after-the-broken-one").index, 1);
}

#[test]
fn scalar_and_list_documents_are_not_manifests() {
    let (_, errors) = bad_and_good();
    let scalar = error_for(&errors, "scalar.yaml");
    assert_eq!(scalar.kind, LoadErrorKind::NotManifest);
    assert_eq!(scalar.message, "a manifest must be a mapping, not a string");
    assert_eq!((scalar.line, scalar.column), (Some(1), Some(1)));
    let list = error_for(&errors, "sequence.yaml");
    assert_eq!(list.message, "a manifest must be a mapping, not a list");
}

#[test]
fn missing_kind_or_metadata_is_named() {
    let (_, errors) = bad_and_good();
    assert_eq!(
        error_for(&errors, "no-kind.yaml").message,
        "not a Kubernetes object: missing `kind`"
    );
    let no_meta = error_for(&errors, "no-metadata.yaml");
    assert_eq!(
        no_meta.message,
        "not a Kubernetes object: missing `metadata`"
    );
    assert_eq!(
        (no_meta.kind, no_meta.line),
        (LoadErrorKind::NotManifest, Some(1))
    );
    let item = error_for(&errors, "list-item-not-manifest.yaml");
    assert_eq!(
        item.message,
        "`List` item 1: not a Kubernetes object: missing `metadata`"
    );
    assert_eq!((item.line, item.column), (Some(8), Some(3)));
}

#[test]
fn duplicate_key_reports_the_second_key() {
    let (_, errors) = bad_and_good();
    let err = error_for(&errors, "duplicate-key.yaml");
    assert_eq!(err.kind, LoadErrorKind::DuplicateKey);
    assert_eq!((err.line, err.column), (Some(8), Some(3)));
    assert_eq!(err.message, "duplicate key `mode` (first at line 6)");
}

#[test]
fn alias_bomb_is_refused() {
    let started = Instant::now();
    let (_, errors) = bad_and_good();
    let err = error_for(&errors, "alias-bomb.yaml");
    assert_eq!(err.kind, LoadErrorKind::Limit);
    assert!(err.message.contains("alias"), "{err}");
    assert_eq!(
        err.line,
        Some(2),
        "points at the document, past its leading comment"
    );
    assert!(
        started.elapsed().as_secs() < 30,
        "refused quickly, not after expanding"
    );
}

#[test]
fn deep_nesting_is_refused_without_overflow() {
    let (_, errors) = bad_and_good();
    let err = error_for(&errors, "deep.yaml");
    assert_eq!(err.kind, LoadErrorKind::Limit);
    assert_eq!(err.message, "nesting deeper than 128 levels");
    assert_eq!(err.line, Some(6));

    // Far deeper than any stack could recurse, in YAML and in JSON.
    let dir = scratch("deep");
    let depth = 1_000_000;
    fs::write(
        dir.join("flow.yaml"),
        "[".repeat(depth) + &"]".repeat(depth),
    )
    .unwrap();
    fs::write(
        dir.join("deep.json"),
        "[".repeat(depth) + &"]".repeat(depth),
    )
    .unwrap();
    let mut block = String::new();
    for level in 0..2_000 {
        block.push_str(&" ".repeat(level));
        block.push_str("a:\n");
    }
    fs::write(dir.join("block.yaml"), block).unwrap();
    let (docs, errors) = load_all(&[dir]);
    assert!(docs.is_empty());
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(
        errors.iter().all(|e| e.kind == LoadErrorKind::Limit),
        "{errors:#?}"
    );
}

#[test]
fn unrendered_helm_template_says_to_render_it() {
    let (_, errors) = bad_and_good();
    let err = error_for(&errors, "helm-template.yaml");
    assert_eq!(err.kind, LoadErrorKind::Syntax);
    assert!(
        err.message.contains("render it first with `helm template`"),
        "{err}"
    );
}

#[test]
fn empty_and_comment_only_files_are_no_error_and_no_document() {
    let (docs, errors) = load_all(&[fixture("bad/empty.yaml"), fixture("bad/comments-only.yaml")]);
    assert!(
        docs.is_empty() && errors.is_empty(),
        "{docs:#?} {errors:#?}"
    );
}

#[test]
fn invalid_utf8_and_binary_files_are_refused() {
    let dir = scratch("encoding");
    fs::write(
        dir.join("latin1.yaml"),
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\xe9\n",
    )
    .unwrap();
    fs::write(
        dir.join("binary.yaml"),
        b"\x7fELF\x02\x01\x01\x00\x00\x00\x00",
    )
    .unwrap();
    fs::write(dir.join("utf16.yaml"), b"\xff\xfea\x00:\x00 \x001\x00").unwrap();
    fs::write(
        dir.join("fine.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine}\n",
    )
    .unwrap();
    fs::write(
        dir.join("bom.yaml"),
        "\u{feff}apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bom}\n",
    )
    .unwrap();
    let (docs, errors) = load_all(&[dir]);
    assert_eq!(docs.len(), 2, "{errors:#?}");
    assert_eq!(
        named(&docs, "bom").locate(&path(&["metadata", "name"])),
        at(3, 12)
    );
    let latin = error_for(&errors, "latin1.yaml");
    assert_eq!(
        (latin.kind, latin.line, latin.column),
        (LoadErrorKind::Encoding, Some(4), Some(12))
    );
    assert!(
        latin.message.contains("not valid UTF-8 (byte 0xe9)"),
        "{latin}"
    );
    assert!(error_for(&errors, "binary.yaml").message.contains("binary"));
    assert!(error_for(&errors, "utf16.yaml").message.contains("UTF-16"));
}

#[test]
fn symlink_loop_is_reported_once_and_the_walk_goes_on() {
    let dir = scratch("loop");
    fs::create_dir_all(dir.join("a/b")).unwrap();
    fs::copy(
        fixture("good/deployment.yaml"),
        dir.join("a/b/deployment.yaml"),
    )
    .unwrap();
    std::os::unix::fs::symlink("..", dir.join("a/b/up")).unwrap();
    // A second link to a directory that is not an ancestor is not a loop: it is read once.
    std::os::unix::fs::symlink("b", dir.join("a/same")).unwrap();
    let (docs, errors) = load_all(&[dir.join("a")]);
    assert_eq!(docs.len(), 1, "{errors:#?}");
    let err = error_for(&errors, "up");
    assert_eq!(err.kind, LoadErrorKind::Loop);
    assert!(err.message.contains("directory loop"), "{err}");
}

#[test]
fn files_past_the_size_limit_are_refused() {
    let dir = scratch("too-large");
    // A sparse file: its size is past the limit without writing it.
    let big = fs::File::create(dir.join("huge.yaml")).unwrap();
    big.set_len(load::MAX_FILE_BYTES + 1).unwrap();
    fs::copy(fixture("good/service.json"), dir.join("service.json")).unwrap();
    // Found in a directory, and named on the command line.
    for inputs in [
        vec![dir.clone()],
        vec![dir.join("huge.yaml"), dir.join("service.json")],
    ] {
        let (docs, errors) = load_all(&inputs);
        assert_eq!(docs.len(), 1, "{errors:#?}");
        let err = error_for(&errors, "huge.yaml");
        assert_eq!(err.kind, LoadErrorKind::Read);
        assert!(err.message.contains("larger than 128 MiB"), "{err}");
    }
}

#[test]
fn unreadable_inputs_are_errors() {
    let dir = scratch("unreadable");
    std::os::unix::fs::symlink("missing-target.yaml", dir.join("dangling.yaml")).unwrap();
    let fifo = dir.join("pipe.yaml");
    let made_fifo = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    fs::copy(fixture("good/service.json"), dir.join("service.json")).unwrap();
    let missing = dir.join("does-not-exist.yaml");
    let (docs, errors) = load_all(&[dir.clone(), missing]);
    assert_eq!(docs.len(), 1, "{errors:#?}");
    let dangling = error_for(&errors, "dangling.yaml");
    assert_eq!(
        (dangling.kind, dangling.message.as_str()),
        (
            LoadErrorKind::Read,
            "dangling symlink: its target does not exist"
        )
    );
    assert_eq!(
        error_for(&errors, "does-not-exist.yaml").message,
        "no such file or directory"
    );
    if made_fifo {
        // Found in a directory, a FIFO is reported rather than read (a read would block).
        assert!(error_for(&errors, "pipe.yaml")
            .message
            .contains("not a regular file"));
    } else {
        eprintln!("mkfifo unavailable: FIFO case not checked");
    }
}

#[test]
fn corrupt_archives_are_errors() {
    let dir = scratch("corrupt");
    // Valid gzip header, garbage after it.
    let mut bytes = vec![0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0xff];
    bytes.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    fs::write(dir.join("broken.tgz"), &bytes).unwrap();
    // A tar whose first header is fine but whose body is cut short.
    let mut tar = tar::Builder::new(Vec::new());
    let body = fs::read(fixture("good/deployment.yaml")).unwrap();
    let mut header = tar::Header::new_gnu();
    header.set_size(body.len() as u64);
    header.set_cksum();
    tar.append_data(&mut header, "deployment.yaml", &body[..])
        .unwrap();
    let whole = tar.into_inner().unwrap();
    fs::write(dir.join("truncated.tar"), &whole[..700]).unwrap();
    fs::write(
        dir.join("not-a.tar"),
        b"apiVersion: v1\nthis is not a tar archive at all, just text padding it out",
    )
    .unwrap();

    let inputs = [
        dir.join("broken.tgz"),
        dir.join("truncated.tar"),
        dir.join("not-a.tar"),
        fixture("good/service.json"),
    ];
    let (docs, errors) = load_all(&inputs);
    assert_eq!(
        docs.len(),
        1,
        "the input after the archives still loads: {errors:#?}"
    );
    for name in ["broken.tgz", "truncated.tar", "not-a.tar"] {
        let err = error_for(&errors, name);
        assert_eq!(err.kind, LoadErrorKind::Archive, "{err}");
        assert!(
            err.message.contains("corrupt or truncated archive"),
            "{err}"
        );
    }
}

#[test]
fn duplicate_keys_in_json_are_refused() {
    let dir = scratch("json");
    fs::write(
        dir.join("dup.json"),
        "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"A\",\n  \"kind\": \"B\"\n}\n",
    )
    .unwrap();
    fs::write(
        dir.join("broken.json"),
        "{\n  \"apiVersion\": \"v1\",\n  \"kind\": }\n",
    )
    .unwrap();
    let (_, errors) = load_all(&[dir]);
    let dup = error_for(&errors, "dup.json");
    assert_eq!(
        (dup.kind, dup.line, dup.column),
        (LoadErrorKind::DuplicateKey, Some(4), Some(3))
    );
    let broken = error_for(&errors, "broken.json");
    assert_eq!((broken.kind, broken.line), (LoadErrorKind::Syntax, Some(3)));
    assert!(broken.message.starts_with("invalid JSON: "), "{broken}");
}

#[test]
fn named_files_are_read_whatever_their_extension_and_dirs_only_manifests() {
    let dir = scratch("names");
    fs::write(
        dir.join("manifest.txt"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: txt}\n",
    )
    .unwrap();
    fs::create_dir_all(dir.join("sub/.git")).unwrap();
    fs::write(dir.join("sub/.git/config.yaml"), "not: a manifest\n").unwrap();
    fs::write(dir.join("sub/notes.txt"), "ignored\n").unwrap();
    fs::copy(fixture("good/service.json"), dir.join("sub/z.json")).unwrap();
    fs::copy(fixture("good/list.yaml"), dir.join("sub/a.YML")).unwrap();
    let (docs, errors) = load_all(&[dir.join("manifest.txt"), dir.join("sub")]);
    assert!(errors.is_empty(), "{errors:#?}");
    let order: Vec<String> = docs
        .iter()
        .map(|d| d.file.rsplit('/').next().unwrap_or("").to_string())
        .collect();
    assert_eq!(order, ["manifest.txt", "a.YML", "a.YML", "z.json"]);
}

// ---------------------------------------------------------------------------------------------
// The shared corpus

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    dir.is_dir().then_some(dir)
}

/// Paths to every node of a value, capped so that a huge document does not dominate.
fn node_paths(value: &Value, prefix: &mut Vec<Value>, out: &mut Vec<Vec<Value>>, cap: usize) {
    if out.len() >= cap {
        return;
    }
    out.push(prefix.clone());
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter() {
                prefix.push(key.clone());
                node_paths(child, prefix, out, cap);
                prefix.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                prefix.push(Value::from(i as i64));
                node_paths(child, prefix, out, cap);
                prefix.pop();
            }
        }
        _ => {}
    }
}

#[test]
fn loads_the_whole_corpus() {
    use rayon::prelude::*;
    let Some(dir) = corpus() else {
        eprintln!("../shared/corpus not found: corpus test skipped");
        return;
    };
    let started = Instant::now();
    let sources: Vec<_> = load::sources(&[dir]).collect();
    let files = sources.len();
    let results: Vec<_> = sources
        .par_iter()
        .map(|source| match source {
            Ok(source) => load::documents(source),
            Err(err) => (Vec::new(), vec![err.clone()]),
        })
        .collect();
    let loaded = started.elapsed();
    let docs: Vec<&Document> = results.iter().flat_map(|(d, _)| d).collect();
    let errors: Vec<&LoadError> = results.iter().flat_map(|(_, e)| e).collect();
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for err in &errors {
        *by_kind.entry(err.kind.name()).or_default() += 1;
    }
    println!(
        "corpus: {files} files, {} documents, {} errors {by_kind:?} in {loaded:?}",
        docs.len(),
        errors.len()
    );
    for err in &errors {
        println!("  {err}");
    }

    // Every node of every document (up to 12 per document) is found where the value parser put
    // it, except keys that only exist through a merge key.
    let (mut exact, mut nearest) = (0usize, 0usize);
    let mut misses = Vec::new();
    let started = Instant::now();
    let checked: Vec<(usize, usize, Vec<String>)> = docs
        .par_iter()
        .map(|doc| {
            let mut paths = Vec::new();
            node_paths(&doc.value, &mut Vec::new(), &mut paths, 12);
            let (mut exact, mut nearest, mut misses) = (0, 0, Vec::new());
            for p in &paths {
                let (pos, matched) = doc.locate_prefix(p);
                assert!(pos.line >= 1 && pos.column >= 1);
                if matched == p.len() {
                    exact += 1;
                } else {
                    nearest += 1;
                    if misses.len() < 2 {
                        let shown: Vec<String> = p.iter().map(|v| v.to_string()).collect();
                        misses.push(format!("{}[{}] {}", doc.file, doc.index, shown.join(".")));
                    }
                }
            }
            (exact, nearest, misses)
        })
        .collect();
    for (e, n, m) in checked {
        exact += e;
        nearest += n;
        misses.extend(m);
    }
    println!(
        "locate: {exact} paths found exactly, {nearest} by nearest ancestor, in {:?}",
        started.elapsed()
    );
    for miss in misses.iter().take(10) {
        println!("  nearest only: {miss}");
    }
    assert!(
        files > 4000 && docs.len() > 10_000,
        "corpus looks truncated"
    );
    assert!(
        nearest * 1000 <= exact,
        "more than 0.1% of paths not found exactly"
    );
}

/// Release-mode timing on the corpus: `cargo test --release --test load -- --ignored --nocapture`.
/// Compares parsing alone (reading every file and parsing every document into values with the
/// YAML library) with the whole loader (walk, read, check text, split, parse, validate), and the
/// cost of locating every document's root.
#[test]
#[ignore = "timing, run by hand in release mode"]
fn corpus_timing() {
    use serde::Deserialize;
    let Some(dir) = corpus() else {
        eprintln!("../shared/corpus not found");
        return;
    };
    let files: Vec<PathBuf> = load::sources(&[&dir])
        .filter_map(Result::ok)
        .map(|s| PathBuf::from(&*s.name))
        .collect();
    for round in 0..3 {
        let started = Instant::now();
        let mut parsed = 0;
        for file in &files {
            let text = fs::read_to_string(file).unwrap_or_default();
            // `yaml::parse_all` would do, but it never ends on a malformed stream; stop at the
            // first error as a plain parse would.
            for doc in serde_norway::Deserializer::from_str(text.trim_start_matches('\u{feff}')) {
                match serde_norway::Value::deserialize(doc) {
                    Ok(v) => {
                        let _ = gavel::yaml::from_yaml(v);
                        parsed += 1;
                    }
                    Err(_) => break,
                }
            }
        }
        let parse_only = started.elapsed();

        let started = Instant::now();
        let mut docs = Vec::new();
        for source in load::sources(&[&dir]).flatten() {
            docs.extend(load::documents(&source).0);
        }
        let loader = started.elapsed();

        let started = Instant::now();
        let lines: usize = docs.iter().map(|d| d.locate(&[]).line).sum();
        let locate = started.elapsed();
        println!(
            "round {round}: parse only {parse_only:?} ({parsed} documents); loader {loader:?} ({} documents, {:.2}x); \
             locating every root {locate:?} ({lines})",
            docs.len(),
            loader.as_secs_f64() / parse_only.as_secs_f64()
        );
    }
}

#[test]
fn items_of_a_large_list_are_located_without_rereading_the_list() {
    let dir = scratch("large-list");
    let mut text = String::from("apiVersion: v1\nkind: List\nitems:\n");
    let items = 20_000;
    for i in 0..items {
        text.push_str(&format!(
            "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: c{i}\n  data:\n    key: \"{i}\"\n"
        ));
    }
    fs::write(dir.join("big.yaml"), text).unwrap();
    let (docs, errors) = load_all(&[dir]);
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(docs.len(), items);
    let started = Instant::now();
    // Every item's field once: with the shared item index this reads the list once, not 20,000
    // times.
    for (i, doc) in docs.iter().enumerate() {
        assert_eq!(doc.item, Some(i));
        assert_eq!(doc.locate(&path(&["data", "key"])), at(4 + 6 * i + 5, 5));
    }
    assert!(
        started.elapsed().as_secs() < 60,
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn a_walk_leaves_files_unread_until_asked() {
    let dir = scratch("walk");
    fs::write(
        dir.join("a.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n",
    )
    .unwrap();
    fs::write(dir.join("b.yaml"), b"\xff\xfebinary").unwrap();
    fs::create_dir(dir.join("c")).unwrap();
    fs::write(dir.join("c/d.json"), "{}").unwrap();
    let paths = [dir.clone(), dir.join("missing.yaml")];
    let walked: Vec<load::Pending> = load::walk(&paths).collect();
    let names: Vec<String> = walked.iter().map(|p| p.name().to_string()).collect();
    let name = |rel: &str| dir.join(rel).to_string_lossy().to_string();
    assert_eq!(
        names,
        [
            name("a.yaml"),
            name("b.yaml"),
            name("c/d.json"),
            name("missing.yaml")
        ]
    );
    // The files are found but not read: even the one that is not text is not an error yet. The
    // missing path is an error of the walk itself.
    assert!(matches!(walked[1], load::Pending::File { .. }));
    assert!(matches!(walked[2], load::Pending::File { .. }));
    assert!(
        matches!(&walked[3], load::Pending::Ready(Err(e)) if e.message.contains("no such file"))
    );
    let read: Vec<Result<String, String>> = walked
        .into_iter()
        .map(|p| p.read().map(|s| s.text.to_string()).map_err(|e| e.message))
        .collect();
    assert_eq!(
        read[0].as_deref(),
        Ok("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n")
    );
    assert!(
        matches!(&read[1], Err(m) if m.contains("UTF-16")),
        "{read:?}"
    );
    assert_eq!(read[2].as_deref(), Ok("{}"));
    assert!(read[3].is_err());
}
