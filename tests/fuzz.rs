//! A property test: random mutations of real policies never make the parser or compiler panic,
//! `GAVEL_FUZZ_SECS` sets how long it runs
//! (default 5 seconds, so the suite stays fast; run it for minutes by hand); `GAVEL_FUZZ_TRACE`
//! names a file that holds the input being tried, to catch one that hangs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gavel::Engine;
use std::path::Path;
use std::time::{Duration, Instant};

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    ":=",
    "=",
    "==",
    " if ",
    " else ",
    " contains ",
    " not ",
    " some ",
    " in ",
    " every ",
    " with ",
    " as ",
    "\n",
    ";",
    ",",
    "|",
    "&",
    ".",
    "_",
    "x",
    "\"",
    "`",
    "#",
    "1e400",
    "-",
    "input",
    "data",
    "default ",
    "package ",
    "import ",
    "\u{e9}",
    "\\u",
    "0.1",
    "set()",
];

fn seeds() -> Vec<String> {
    let mut out = vec![];
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in [
        root.join("tests/cases"),
        root.join("../shared/rego-conformance/v1"),
    ] {
        let mut stack = vec![dir];
        while let Some(d) = stack.pop() {
            let Ok(rd) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in rd.filter_map(Result::ok) {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if let Ok(text) = std::fs::read_to_string(&p) {
                    if let Ok(v) = serde_norway::from_str::<serde_norway::Value>(&text) {
                        for case in v["cases"].as_sequence().into_iter().flatten() {
                            for m in case["modules"].as_sequence().into_iter().flatten() {
                                if let Some(s) = m.as_str() {
                                    out.push(s.to_string());
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    out.sort();
    out
}

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut bytes: Vec<char> = text.chars().collect();
    for _ in 0..=rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(4) {
            0 if !bytes.is_empty() => {
                let end = (at + rng.below(8)).min(bytes.len());
                bytes.drain(at.min(end)..end);
            }
            1 => {
                let tok = TOKENS[rng.below(TOKENS.len())];
                for (i, c) in tok.chars().enumerate() {
                    bytes.insert(at + i, c);
                }
            }
            2 if bytes.len() > 1 => {
                let other = rng.below(bytes.len());
                let at = at.min(bytes.len() - 1);
                bytes.swap(at, other);
            }
            _ => {
                let dup: String = bytes.iter().skip(at).take(rng.below(20)).collect();
                for (i, c) in dup.chars().enumerate() {
                    bytes.insert(at + i, c);
                }
            }
        }
    }
    bytes.into_iter().collect()
}

#[test]
fn mutated_policies_never_panic() {
    let seeds = seeds();
    assert!(!seeds.is_empty());
    let secs = std::env::var("GAVEL_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut inputs, mut compiled) = (0usize, 0usize);
    while Instant::now() < deadline {
        let seed = &seeds[rng.below(seeds.len())];
        let text = mutate(&mut rng, seed);
        inputs += 1;
        if let Ok(path) = std::env::var("GAVEL_FUZZ_TRACE") {
            let _ = std::fs::write(path, &text);
        }
        let result = std::panic::catch_unwind(|| {
            let mut engine = Engine::new();
            if engine.add_policy("fuzz.rego", &text).is_err() {
                return false;
            }
            engine.compile().is_ok()
        });
        match result {
            Ok(true) => compiled += 1,
            Ok(false) => {}
            Err(_) => panic!("panicked on input:\n{text}"),
        }
    }
    println!("fuzz: {inputs} inputs in {secs}s, {compiled} compiled");
}
