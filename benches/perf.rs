//! The performance harness of docs/performance.md: `cargo bench --bench perf`.
//!
//! It builds its inputs under `target/perf/` (kept between runs): the documents of
//! `../shared/corpus` copied until there are at least `--docs` of them, and a synthetic set of
//! workloads with native sidecars of the same size. Then, in one run, it measures each figure
//! beside the baseline it is judged against and prints the ratio:
//!
//! - per-document evaluation, one thread: gavel against regorus on the same rules and documents
//!   (the bundled ruleset, and `../shared/bench/sidecars.rego`);
//! - `gavel scan` end to end against the parse floor (reading and parsing the same files with
//!   the same YAML parser, nothing else), on one thread and on two;
//! - two threads against one;
//! - the SARIF and JUnit reports of the same scans (two threads, once each): time and peak
//!   memory against the JSON report's;
//! - start-up: `gavel scan` of one small file;
//! - peak memory of a scan of `--memory-docs` documents.
//!
//! Wall-clock figures are the best of `--runs` runs, baseline and subject taking turns, because
//! the machines are shared and noisy. Options: `--docs N` (100000), `--eval-docs N` (2000, the
//! evaluation sample), `--memory-docs N` (1000000, 0 to skip), `--runs N` (3), `--corpus DIR`
//! (../shared/corpus), `--work DIR` (target/perf), `--profile-rules` to time each bundled
//! rule alone over the evaluation sample instead (best of `--runs`), and `--eval-only` to time only gavel's
//! evaluation of the sample.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/common/regorus_engine.rs"]
mod regorus_engine;

// The allocator of the gavel binary, so that the parse floor is measured on equal terms.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use gavel::load;
use gavel::{catalog, Engine, EvalOptions, Policy, RuleRef, Value};
use rayon::prelude::*;
use serde::Deserialize;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const GAVEL: &str = env!("CARGO_BIN_EXE_gavel");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// The Kubernetes version the bundled rules target (gavel scan's default).
const KUBE_VERSION: &str = "1.33";
/// Documents per file of the synthetic sets.
const DOCS_PER_FILE: usize = 100;

struct Options {
    docs: usize,
    /// Documents in the evaluation sample (regorus needs milliseconds for each).
    eval_docs: usize,
    memory_docs: usize,
    runs: usize,
    corpus: PathBuf,
    work: PathBuf,
    /// Only time each bundled rule alone over the evaluation sample (for finding hot rules).
    profile_rules: bool,
    /// Only time gavel's evaluation of the sample (bundled rules and sidecars.rego), best of
    /// `runs`: the quick loop while optimising the evaluator.
    eval_only: bool,
}

fn options() -> Options {
    let mut o = Options {
        docs: 100_000,
        eval_docs: 2_000,
        memory_docs: 1_000_000,
        runs: 3,
        corpus: Path::new(ROOT).join("../shared/corpus"),
        work: Path::new(ROOT).join("target/perf"),
        profile_rules: false,
        eval_only: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--docs" => o.docs = value().parse().unwrap(),
            "--eval-docs" => o.eval_docs = value().parse().unwrap(),
            "--memory-docs" => o.memory_docs = value().parse().unwrap(),
            "--runs" => o.runs = value().parse::<usize>().unwrap().max(1),
            "--corpus" => o.corpus = value().into(),
            "--work" => o.work = value().into(),
            "--measure-child" => measure_child(args.collect()),
            "--profile-rules" => o.profile_rules = true,
            "--eval-only" => o.eval_only = true,
            // `cargo bench` passes `--bench`; filters and other flags mean nothing here.
            _ => {}
        }
    }
    o
}

/// One line of the results table.
struct Row {
    what: String,
    subject: String,
    baseline: String,
    ratio: String,
    target: String,
}

fn main() {
    let o = options();
    let mut rows = vec![];
    fs::create_dir_all(&o.work).unwrap();
    println!(
        "gavel performance harness: inputs under {}",
        o.work.display()
    );

    let corpus_set = if o.corpus.is_dir() {
        Some(replicate_corpus(&o.corpus, &o.work.join("corpus"), o.docs))
    } else {
        println!(
            "no corpus at {}: measuring the synthetic set only",
            o.corpus.display()
        );
        None
    };
    let synthetic_set = synthetic(&o.work.join("synthetic"), o.docs);

    // 1. Per-document evaluation, one thread, against regorus: half the sample from the corpus
    // (every n-th document), the rest synthetic.
    let mut sample = vec![];
    let half = o.eval_docs / 2;
    if let Some(set) = &corpus_set {
        let all = unique_documents(&set.original);
        let step = (all.len() / half.max(1)).max(1);
        sample.extend(all.into_iter().step_by(step).take(half));
    }
    let rest = o.eval_docs.saturating_sub(sample.len());
    sample.extend(
        unique_documents(std::slice::from_ref(&synthetic_set.dir))
            .into_iter()
            .take(rest),
    );
    println!(
        "\n# per-document evaluation, one thread ({} documents)",
        sample.len()
    );
    let bundled = catalog::policy(KUBE_VERSION).unwrap();
    if o.profile_rules {
        profile_rules(&bundled, &sample, o.runs);
        return;
    }
    if o.eval_only {
        eval_only(&bundled, &sample, o.runs);
        return;
    }
    let regorus_bundled = regorus_engine::bundled(KUBE_VERSION);
    rows.push(compare_engines(
        "bundled ruleset",
        &bundled,
        regorus_bundled,
        "data.gavel.rules",
        &sample,
        o.runs,
    ));
    let bench_policy = Path::new(ROOT).join("../shared/bench/sidecars.rego");
    if let Ok(text) = fs::read_to_string(&bench_policy) {
        let mut engine = Engine::new();
        engine.add_policy("sidecars.rego", &text).unwrap();
        let policy = engine.compile().unwrap();
        let mut theirs = regorus::Engine::new();
        theirs.add_policy("sidecars.rego".into(), text).unwrap();
        rows.push(compare_engines(
            "sidecars.rego",
            &policy,
            theirs,
            "data.bench.sidecars",
            &sample,
            o.runs,
        ));
    } else {
        println!("no {}: skipped", bench_policy.display());
    }

    // 2. Scan end to end against the parse floor, and two threads against one.
    let mut sets = vec![];
    if let Some(set) = &corpus_set {
        sets.push(("corpus", &set.replicated));
    }
    sets.push(("synthetic", &synthetic_set));
    for (label, set) in sets {
        println!(
            "\n# scan end to end: {label}, {} documents in {} files ({} MB)",
            set.docs,
            set.files.len(),
            set.bytes / 1_000_000
        );
        let mut parse = [Duration::MAX; 2];
        let mut scan = [Duration::MAX; 2];
        // The same scan without any rule: what walking, reading, parsing and the scan's own
        // bookkeeping cost, so that the rest of the distance to the floor is the rules'.
        let mut bare = Duration::MAX;
        let mut peak_kb = 0;
        for run in 0..o.runs {
            for (t, threads) in [1, 2].into_iter().enumerate() {
                parse[t] = parse[t].min(parse_floor(&set.files, threads));
                let r = gavel_scan(&set.dir, threads, "json");
                scan[t] = scan[t].min(r.wall);
                peak_kb = peak_kb.max(r.peak_kb);
            }
            bare = bare.min(gavel_scan_with(&set.dir, 1, "json", &["--no-builtin"]).wall);
            println!(
                "  run {}: parse {:.2?} / {:.2?}, scan {:.2?} / {:.2?} (1 / 2 threads), \
                 without rules {:.2?} (1 thread)",
                run + 1,
                parse[0],
                parse[1],
                scan[0],
                scan[1],
                bare
            );
        }
        for t in 0..2 {
            rows.push(Row {
                what: format!("scan {label}, {} thread(s), vs parse floor", t + 1),
                subject: format!("{:.2?}", scan[t]),
                baseline: format!("{:.2?}", parse[t]),
                ratio: format!("{:.2}x", secs(scan[t]) / secs(parse[t])),
                target: "<= 1.5x".into(),
            });
        }
        rows.push(Row {
            what: format!("scan {label} without rules (`--no-builtin`), 1 thread, vs parse floor"),
            subject: format!("{bare:.2?}"),
            baseline: format!("{:.2?}", parse[0]),
            ratio: format!("{:.2}x", secs(bare) / secs(parse[0])),
            target: String::new(),
        });
        rows.push(Row {
            what: format!("peak memory, scan {label}, JSON report"),
            subject: format!("{} MB", peak_kb / 1024),
            baseline: String::new(),
            ratio: String::new(),
            target: String::new(),
        });
        // The other machine-readable formats, once each on two threads, against the JSON scan.
        for (format, name) in [("sarif", "SARIF"), ("junit", "JUnit")] {
            let r = gavel_scan(&set.dir, 2, format);
            rows.push(Row {
                what: format!("scan {label}, 2 threads, {name} report (time, peak memory)"),
                subject: format!("{:.2?}, {} MB", r.wall, r.peak_kb / 1024),
                baseline: format!("{:.2?}, {} MB (JSON report)", scan[1], peak_kb / 1024),
                ratio: format!("{:.2}x", secs(r.wall) / secs(scan[1])),
                target: String::new(),
            });
        }
        rows.push(Row {
            what: format!("scan {label}, 2 threads vs 1"),
            subject: format!("{:.2?}", scan[1]),
            baseline: format!("{:.2?}", scan[0]),
            ratio: format!("{:.2}x faster", secs(scan[0]) / secs(scan[1])),
            target: ">= 1.8x".into(),
        });
    }

    // 3. Start-up: one small file, bundled rules compiled included.
    let small = Path::new(ROOT).join("examples/manifests/clean.yaml");
    let mut startup: Vec<Duration> = (0..21)
        .map(|_| gavel_scan(&small, 0, "human").wall)
        .collect();
    startup.sort();
    let baseline = (0..21)
        .map(|_| {
            let t = Instant::now();
            Command::new(GAVEL).arg("--version").output().unwrap();
            t.elapsed()
        })
        .min()
        .unwrap();
    println!(
        "\n# start-up: median {:.1?}, best {:.1?} (gavel --version: {:.1?})",
        startup[10], startup[0], baseline
    );
    rows.push(Row {
        what: "start-up: scan of one small file (median of 21)".into(),
        subject: format!("{:.1?}", startup[10]),
        baseline: format!("{baseline:.1?} (`gavel --version`)"),
        ratio: format!("{:.1}x", secs(startup[10]) / secs(baseline)),
        target: "< 20 ms".into(),
    });

    // 4. Peak memory.
    if o.memory_docs > 0 {
        let set = synthetic(&o.work.join("synthetic-memory"), o.memory_docs);
        println!(
            "\n# peak memory: {} documents ({} MB of YAML)",
            set.docs,
            set.bytes / 1_000_000
        );
        let run = gavel_scan(&set.dir, 2, "human");
        let floor = gavel_scan(&small, 2, "human");
        println!(
            "  scan: {:.2?}, peak {} MB (one small file: {} MB)",
            run.wall,
            run.peak_kb / 1024,
            floor.peak_kb / 1024
        );
        rows.push(Row {
            what: format!(
                "peak memory, {} documents, 2 threads, human report",
                set.docs
            ),
            subject: format!("{} MB", run.peak_kb / 1024),
            baseline: format!("{} MB (one small file)", floor.peak_kb / 1024),
            ratio: format!("{:.1}x", run.peak_kb as f64 / floor.peak_kb as f64),
            target: "< 300 MB".into(),
        });
    }

    let table = table(&rows);
    println!("\n{table}");
    fs::write(o.work.join("results.md"), &table).unwrap();
    println!("(also in {})", o.work.join("results.md").display());
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn table(rows: &[Row]) -> String {
    let mut out =
        String::from("| Figure | gavel | Baseline | Ratio | Target |\n|---|---|---|---|---|\n");
    for r in rows {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            r.what, r.subject, r.baseline, r.ratio, r.target
        )
        .unwrap();
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Inputs

/// A set of files to scan.
struct InputSet {
    dir: PathBuf,
    files: Vec<PathBuf>,
    docs: usize,
    bytes: u64,
}

struct CorpusSet {
    /// The corpus as it is.
    original: Vec<PathBuf>,
    /// Its copies, together at least the asked number of documents.
    replicated: InputSet,
}

/// Manifest files under `dir`, sorted.
fn manifest_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file()
                && matches!(
                    path.extension().and_then(|e| e.to_str()),
                    Some("yaml" | "yml" | "json")
                )
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The objects gavel finds in some files.
fn count_documents(files: &[PathBuf]) -> usize {
    load::sources(files)
        .flatten()
        .map(|s| load::documents(&s).0.len())
        .sum()
}

fn input_set(dir: &Path) -> InputSet {
    let files = manifest_files(dir);
    let bytes = files
        .iter()
        .map(|f| fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        .sum();
    InputSet {
        dir: dir.to_path_buf(),
        docs: count_documents(&files),
        files,
        bytes,
    }
}

/// Copies the corpus into `dir/copy-N/` until the copies hold at least `docs` documents.
fn replicate_corpus(corpus: &Path, dir: &Path, docs: usize) -> CorpusSet {
    let original = manifest_files(corpus);
    let per_copy = count_documents(&original).max(1);
    let copies = docs.div_ceil(per_copy);
    let stamp = dir.join(format!("copies-{copies}"));
    if !stamp.exists() {
        println!("copying the corpus {copies} times into {}", dir.display());
        let _ = fs::remove_dir_all(dir);
        (0..copies).into_par_iter().for_each(|c| {
            for f in &original {
                let rel = f.strip_prefix(corpus).unwrap();
                let to = dir.join(format!("copy-{c:03}")).join(rel);
                fs::create_dir_all(to.parent().unwrap()).unwrap();
                fs::copy(f, &to).unwrap();
            }
        });
        fs::write(&stamp, "").unwrap();
    }
    CorpusSet {
        original,
        replicated: input_set(dir),
    }
}

/// Writes (once) `docs` synthetic workloads into `dir`, `DOCS_PER_FILE` per file.
fn synthetic(dir: &Path, docs: usize) -> InputSet {
    let stamp = dir.join(format!("docs-{docs}"));
    if !stamp.exists() {
        println!("writing {docs} synthetic workloads into {}", dir.display());
        let _ = fs::remove_dir_all(dir);
        fs::create_dir_all(dir).unwrap();
        let files = docs.div_ceil(DOCS_PER_FILE);
        (0..files).into_par_iter().for_each(|f| {
            let mut text = String::new();
            let first = f * DOCS_PER_FILE;
            for i in first..(first + DOCS_PER_FILE).min(docs) {
                text.push_str("---\n");
                text.push_str(&workload(i));
            }
            fs::write(dir.join(format!("part-{f:05}.yaml")), text).unwrap();
        });
        fs::write(&stamp, "").unwrap();
    }
    input_set(dir)
}

/// A stable pseudo-random number for `i` (splitmix64).
fn mix(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// One synthetic workload: an app behind native sidecars (a mesh proxy, a log shipper), often
/// after a one-shot init container, in one of the workload kinds. About one in five has
/// something to report (no readiness probe, no memory limit, a sidecar without startupProbe, a
/// legacy sidecar), as in a reasonably kept organisation.
fn workload(i: usize) -> String {
    let h = mix(i as u64);
    let bit = |n: u32, one_in: u64| (h >> n).is_multiple_of(one_in);
    let team = (h >> 8) % 40;
    let (kind, api, job) = match h % 20 {
        0..=9 => ("Deployment", "apps/v1", false),
        10..=12 => ("StatefulSet", "apps/v1", false),
        13..=15 => ("Job", "batch/v1", true),
        16..=17 => ("CronJob", "batch/v1", true),
        _ => ("Pod", "v1", false),
    };
    let app_probes = if bit(16, 12) {
        String::new()
    } else {
        "  readinessProbe:\n    httpGet: {path: /ready, port: http}\n    periodSeconds: 5\n  \
         livenessProbe:\n    httpGet: {path: /healthz, port: http}\n    periodSeconds: 10\n"
            .to_string()
    };
    let memory_limit = if bit(20, 10) {
        ""
    } else {
        "\n    limits: {memory: 512Mi}"
    };
    let mut spec = format!(
        "containers:\n- name: app\n  image: registry.example.com/team-{team}/service-{}:1.{}.{}\n  \
         args: [--listen=:8080, --metrics=:9090]\n  ports:\n  - {{name: http, containerPort: 8080}}\n  \
         - {{name: metrics, containerPort: 9090}}\n{app_probes}  resources:\n    \
         requests: {{cpu: 250m, memory: 256Mi}}{memory_limit}\n",
        (h >> 12) % 500,
        (h >> 24) % 30,
        (h >> 28) % 10
    );
    let proxy = "- name: istio-proxy\n  image: docker.io/istio/proxyv2:1.24.2\n  \
                 args: [proxy, sidecar]\n  ports:\n  - {name: http-envoy-prom, containerPort: 15090}\n  \
                 readinessProbe:\n    httpGet: {path: /healthz/ready, port: 15021}\n    periodSeconds: 2\n  \
                 resources:\n    requests: {cpu: 100m, memory: 128Mi}\n    limits: {memory: 1Gi}\n";
    let legacy = bit(32, 25);
    if legacy {
        spec.push_str(proxy);
    }
    let mut init = String::new();
    if bit(36, 3) {
        init.push_str(
            "- name: migrate\n  image: registry.example.com/tools/migrate:2.4.1\n  \
             command: [/migrate, up, --wait]\n  resources:\n    requests: {cpu: 50m, memory: 64Mi}\n    \
             limits: {memory: 64Mi}\n",
        );
    }
    if !legacy && !bit(40, 4) {
        init.push_str(proxy);
        init.push_str("  restartPolicy: Always\n");
        if !bit(44, 10) {
            init.push_str(
                "  startupProbe:\n    httpGet: {path: /healthz/ready, port: 15021}\n    \
                 periodSeconds: 1\n    failureThreshold: 600\n",
            );
        }
    }
    if bit(48, 3) {
        init.push_str(
            "- name: log-shipper\n  image: cr.fluentbit.io/fluent/fluent-bit:3.1.9\n  \
             restartPolicy: Always\n  startupProbe:\n    httpGet: {path: /api/v1/health, port: 2020}\n  \
             resources:\n    requests: {cpu: 20m, memory: 32Mi}\n    limits: {memory: 64Mi}\n",
        );
    }
    if !init.is_empty() {
        spec.push_str("initContainers:\n");
        spec.push_str(&init);
    }
    spec.push_str(if job {
        "restartPolicy: Never\n"
    } else if kind == "Pod" {
        "restartPolicy: Always\n"
    } else {
        ""
    });
    spec.push_str("terminationGracePeriodSeconds: 30\n");
    let labels = format!("app: service-{i}\n  team: team-{team}");
    let head = format!(
        "apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: service-{i}\n  namespace: team-{team}\n  \
         labels:\n    {}\n",
        labels.replace("\n  ", "\n    ")
    );
    let template = |depth: usize| {
        let pad = " ".repeat(depth);
        format!(
            "{pad}template:\n{pad}  metadata:\n{pad}    labels:\n{pad}      {}\n{pad}  spec:\n{}",
            labels.replace("\n  ", &format!("\n{pad}      ")),
            indent(&spec, depth + 4)
        )
    };
    match kind {
        "Pod" => format!("{head}spec:\n{}", indent(&spec, 2)),
        "CronJob" => format!(
            "{head}spec:\n  schedule: \"*/15 * * * *\"\n  jobTemplate:\n    spec:\n      backoffLimit: 2\n{}",
            template(6)
        ),
        "Job" => format!("{head}spec:\n  backoffLimit: 2\n{}", template(2)),
        _ => format!(
            "{head}spec:\n  replicas: 3\n  selector:\n    matchLabels:\n      app: service-{i}\n{}",
            template(2)
        ),
    }
}

fn indent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    text.lines().map(|l| format!("{pad}{l}\n")).collect()
}

/// Every object of some files, in memory.
fn unique_documents(paths: &[PathBuf]) -> Vec<Value> {
    load::sources(paths)
        .flatten()
        .flat_map(|s| load::documents(&s).0)
        .map(|d| d.value)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Measurements

/// Evaluates the finding rules of `policy` over `docs` in gavel and in regorus, one thread.
fn compare_engines(
    label: &str,
    policy: &Policy,
    regorus: regorus::Engine,
    tree: &str,
    docs: &[Value],
    runs: usize,
) -> Row {
    let rules: Vec<(RuleRef, String)> = policy
        .rules()
        .iter()
        .filter(|r| !r.is_function && catalog::is_finding_rule(r.path.last().unwrap()))
        .map(|r| (r.id, format!("data.{}", r.path.join("."))))
        .collect();
    let targets: Vec<(RuleRef, Option<Vec<usize>>)> =
        rules.iter().map(|(r, _)| (*r, None)).collect();
    // Both engines get their own values, converted before the clock starts.
    let theirs: Vec<regorus::Value> = docs
        .iter()
        .map(|d| regorus::Value::from_json_str(&d.to_json_string()).unwrap())
        .collect();
    let mut ours_time = Duration::MAX;
    let mut theirs_time = Duration::MAX;
    let mut tree_time = Duration::MAX;
    let mut ours_results = 0;
    let mut theirs_results = 0;
    for _ in 0..runs {
        let t = Instant::now();
        ours_results = 0;
        for doc in docs {
            for v in policy
                .eval_rules(&targets, doc, &EvalOptions::default())
                .into_iter()
                .flatten()
                .flatten()
            {
                ours_results += result_count(&v);
            }
        }
        ours_time = ours_time.min(t.elapsed());

        // As regorus' documentation recommends for threads: an engine cloned per thread.
        let mut engine = regorus.clone();
        let t = Instant::now();
        theirs_results = 0;
        for doc in &theirs {
            engine.set_input(doc.clone());
            for (_, path) in &rules {
                let v = engine.eval_rule(path.clone()).unwrap();
                if let Ok(items) = v.as_set() {
                    theirs_results += items.len();
                } else if let Ok(items) = v.as_array() {
                    theirs_results += items.len();
                }
            }
        }
        theirs_time = theirs_time.min(t.elapsed());

        // regorus' other way: one query for the whole package tree, which shares the helper
        // rules' values between the finding rules (and evaluates a few rules more).
        let mut engine = regorus.clone();
        let t = Instant::now();
        for doc in &theirs {
            engine.set_input(doc.clone());
            engine.eval_query(tree.to_string(), false).unwrap();
        }
        tree_time = tree_time.min(t.elapsed());
        println!(
            "  {label}: gavel {ours_time:.2?}, regorus {theirs_time:.2?} rule by rule, \
             {tree_time:.2?} as one query of {tree} ({} rules)",
            rules.len()
        );
    }
    let (theirs_time, how) = if tree_time < theirs_time {
        (tree_time, format!("one query of `{tree}`"))
    } else {
        (theirs_time, "rule by rule".to_string())
    };
    if ours_results != theirs_results {
        println!("  WARNING: gavel found {ours_results} results, regorus {theirs_results}");
    }
    let per_doc = |d: Duration| d.as_secs_f64() * 1e6 / docs.len() as f64;
    Row {
        what: format!(
            "evaluation, {label}, 1 thread, {} docs ({ours_results} results)",
            docs.len()
        ),
        subject: format!("{:.1} µs/doc", per_doc(ours_time)),
        baseline: format!(
            "{:.1} µs/doc (regorus 0.11, {how}, its faster way)",
            per_doc(theirs_time)
        ),
        ratio: format!("{:.1}x faster", secs(theirs_time) / secs(ours_time)),
        target: ">= 3x".into(),
    }
}

/// Each finding rule of `policy` alone (with the rules it needs) over `docs`, costliest first:
/// the best of `runs` passes, after one pass of every rule (the first rule timed would otherwise
/// pay for filling the thread's lasting memo and regex cache, and look several times costlier).
fn profile_rules(policy: &Policy, docs: &[Value], runs: usize) {
    let rules: Vec<_> = policy
        .rules()
        .iter()
        .filter(|r| !r.is_function && catalog::is_finding_rule(r.path.last().unwrap()))
        .collect();
    let all: Vec<(RuleRef, Option<Vec<usize>>)> = rules.iter().map(|r| (r.id, None)).collect();
    for doc in docs {
        let _ = policy.eval_rules(&all, doc, &EvalOptions::default());
    }
    let mut times: Vec<(Duration, String)> = rules
        .iter()
        .map(|r| {
            let targets = [(r.id, None)];
            let mut best = Duration::MAX;
            for _ in 0..runs {
                let t = Instant::now();
                for doc in docs {
                    let _ = policy.eval_rules(&targets, doc, &EvalOptions::default());
                }
                best = best.min(t.elapsed());
            }
            (best, r.path.join("."))
        })
        .collect();
    times.sort_by_key(|t| std::cmp::Reverse(t.0));
    for (t, name) in times {
        let per_doc = t.as_secs_f64() * 1e6 / docs.len() as f64;
        println!("  {per_doc:8.1} µs/doc  {name}");
    }
}

/// gavel's evaluation of the sample alone, with the bundled rules and with sidecars.rego.
fn eval_only(bundled: &Policy, docs: &[Value], runs: usize) {
    let mut policies = vec![("bundled ruleset", bundled)];
    let bench = fs::read_to_string(Path::new(ROOT).join("../shared/bench/sidecars.rego"))
        .ok()
        .map(|text| {
            let mut engine = Engine::new();
            engine.add_policy("sidecars.rego", &text).unwrap();
            engine.compile().unwrap()
        });
    if let Some(p) = &bench {
        policies.push(("sidecars.rego", p));
    }
    for (label, policy) in policies {
        let targets: Vec<(RuleRef, Option<Vec<usize>>)> = policy
            .rules()
            .iter()
            .filter(|r| !r.is_function && catalog::is_finding_rule(r.path.last().unwrap()))
            .map(|r| (r.id, None))
            .collect();
        let mut best = Duration::MAX;
        let mut results = 0;
        for _ in 0..runs {
            let t = Instant::now();
            results = 0;
            for doc in docs {
                for v in policy
                    .eval_rules(&targets, doc, &EvalOptions::default())
                    .into_iter()
                    .flatten()
                    .flatten()
                {
                    results += result_count(&v);
                }
            }
            best = best.min(t.elapsed());
        }
        let per_doc = best.as_secs_f64() * 1e6 / docs.len() as f64;
        println!("  {label}: {per_doc:.1} µs/doc ({results} results, best of {runs})");
    }
}

fn result_count(v: &Value) -> usize {
    match v {
        Value::Set(s) => s.len(),
        Value::Array(a) => a.len(),
        _ => 1,
    }
}

/// Reads and parses every file with the YAML parser gavel uses (JSON files with serde_json, as
/// gavel does), keeping nothing.
fn parse_floor(files: &[PathBuf], threads: usize) -> Duration {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let t = Instant::now();
    pool.install(|| {
        files.par_iter().for_each(|f| {
            let Ok(text) = fs::read_to_string(f) else {
                return;
            };
            if f.extension().is_some_and(|e| e == "json") {
                for v in serde_json::Deserializer::from_str(&text).into_iter::<serde_json::Value>()
                {
                    if v.is_err() {
                        break;
                    }
                }
            } else {
                for doc in serde_norway::Deserializer::from_str(&text) {
                    if serde_norway::Value::deserialize(doc).is_err() {
                        break;
                    }
                }
            }
        });
    });
    t.elapsed()
}

/// What a run of the gavel binary took.
struct Run {
    wall: Duration,
    peak_kb: u64,
}

/// `gavel scan PATH -j THREADS --format FORMAT` (all cores when `threads` is 0), the report
/// thrown away; measured by a child of this harness so that the peak memory is that of the scan
/// alone.
fn gavel_scan(path: &Path, threads: usize, format: &str) -> Run {
    gavel_scan_with(path, threads, format, &[])
}

/// [`gavel_scan`] with more options.
fn gavel_scan_with(path: &Path, threads: usize, format: &str, extra: &[&str]) -> Run {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command.arg("--measure-child").arg(GAVEL).args([
        "scan",
        "--format",
        format,
        "--output",
        "/dev/null",
    ]);
    if threads > 0 {
        command.arg("-j").arg(threads.to_string());
    }
    command.args(extra);
    let out = command.arg(path).stderr(Stdio::inherit()).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let mut fields = text.split_whitespace();
    let wall = Duration::from_nanos(fields.next().unwrap().parse().unwrap());
    let peak_kb = fields.next().unwrap().parse().unwrap();
    Run { wall, peak_kb }
}

/// Runs a command, then prints its wall time in nanoseconds and its peak resident memory in KB
/// (the largest of this process' children: there is only the one).
fn measure_child(command: Vec<String>) -> ! {
    let t = Instant::now();
    let status = Command::new(&command[0])
        .args(&command[1..])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    let wall = t.elapsed();
    // 1 means findings and 2 input errors (the corpus has some), both expected; a signal or
    // anything above 2 is a failure.
    assert!(
        status.code().is_some_and(|c| c <= 2),
        "{command:?}: {status}"
    );
    let usage =
        nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN).unwrap();
    println!("{} {}", wall.as_nanos(), usage.max_rss());
    std::process::exit(0);
}
