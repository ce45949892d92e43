//! `cargo xtask fuzz [--seconds N] [--cases N]`: the index paths under random hostile input
//! for a bounded time.
//!
//! The fuzz targets are the `tests/fuzz_*.rs` files of the crates (binning, scatter,
//! histograms, block reduce): proptest properties that draw hostile inputs (out-of-range and
//! non-finite coordinates, edges, labels and weights; empty, 0-d and size-1 shapes; strided
//! views) and compare every result with the naive reference implementation. In the normal
//! test run they check a few dozen cases each; here each target is rerun with
//! `NDKERN_FUZZ_CASES` cases per property and a fresh random seed (proptest's default),
//! round after round, until the time budget (default 300 s) is spent, in the test profile
//! (overflow checks and debug assertions on). A failure prints proptest's minimal input and
//! its seed, and stops the run.
//!
//! Why not cargo-fuzz/libFuzzer: it needs a nightly toolchain and sanitizer runtimes, which
//! this project's machines and CI do not have; proptest is already a dependency and shrinks
//! failures to a minimal input.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::{cargo, root, run};

/// `(crate, test target)` for every `crates/*/tests/fuzz_*.rs`.
fn targets() -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let crates = root().join("crates");
    let dirs = std::fs::read_dir(&crates).map_err(|e| format!("cannot list crates/: {e}"))?;
    let mut dirs: Vec<PathBuf> = dirs.filter_map(|d| d.ok().map(|d| d.path())).collect();
    dirs.sort();
    for dir in dirs {
        let Ok(tests) = std::fs::read_dir(dir.join("tests")) else {
            continue;
        };
        let Some(name) = dir.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let mut files: Vec<String> = tests
            .filter_map(|t| t.ok())
            .filter_map(|t| t.file_name().to_str().map(str::to_string))
            .filter(|f| f.starts_with("fuzz_") && f.ends_with(".rs"))
            .map(|f| f.trim_end_matches(".rs").to_string())
            .collect();
        files.sort();
        for f in files {
            out.push((format!("ndkern-{name}"), f));
        }
    }
    Ok(out)
}

pub fn main(args: &[String]) -> Result<(), String> {
    let mut seconds = 300u64;
    let mut cases = 2000u64;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |flag: &str| -> Result<u64, String> {
            it.next()
                .and_then(|v| v.parse().ok())
                .ok_or(format!("{flag} needs a positive integer"))
        };
        match a.as_str() {
            "--seconds" => seconds = value("--seconds")?,
            "--cases" => cases = value("--cases")?,
            other => {
                return Err(format!(
                    "unknown argument {other:?}; usage: cargo xtask fuzz [--seconds N] [--cases N]"
                ))
            }
        }
    }
    let targets = targets()?;
    if targets.is_empty() {
        return Err("no crates/*/tests/fuzz_*.rs targets found".into());
    }
    // Build once, then run rounds until the budget is spent.
    for (krate, test) in &targets {
        run(cargo().args(["test", "--no-run", "-p", krate, "--test", test]))?;
    }
    let budget = Duration::from_secs(seconds);
    let start = Instant::now();
    let mut rounds = 0;
    while start.elapsed() < budget {
        for (krate, test) in &targets {
            run(cargo()
                .args(["test", "-q", "-p", krate, "--test", test])
                .env("NDKERN_FUZZ_CASES", cases.to_string())
                .env_remove("PROPTEST_RNG_SEED"))
            .map_err(|e| format!("fuzz target {krate}/{test} failed (round {rounds}): {e}"))?;
        }
        rounds += 1;
    }
    eprintln!(
        "xtask fuzz: {} target(s) x {rounds} round(s) of {cases} cases per property, no failure ({:.0} s)",
        targets.len(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
