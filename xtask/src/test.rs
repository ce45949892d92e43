//! `cargo xtask test`: the README's test command and exactly what CI runs.
//!
//! fmt check, clippy with warnings denied, then the test suite of the default build (what a
//! dependent crate or a Python wheel gets) once per SIMD level this CPU supports
//! (`NDKERN_SIMD=avx512|avx2|baseline`, see `ndkern_core::simd`), so every dispatched kernel
//! copy runs on one machine with one build, and the doc tests. Runtime dispatch made the
//! separate `-C target-cpu=native` test build redundant: the native copies are the ones the
//! default build dispatches to. Needs only the Rust toolchain: reference data is committed
//! in tests/data.

use crate::{cargo, run};

/// The SIMD levels of `ndkern_core::simd::Level` that this CPU runs, best first.
pub(crate) fn supported_levels() -> Vec<&'static str> {
    let mut levels = Vec::new();
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::is_x86_feature_detected as has;
        let avx2 = has!("avx") && has!("avx2") && has!("fma");
        if avx2 && has!("avx512f") && has!("avx512dq") && has!("avx512bw") && has!("avx512vl") {
            levels.push("avx512");
        }
        if avx2 {
            levels.push("avx2");
        }
    }
    levels.push("baseline");
    levels
}

pub fn main(args: &[String]) -> Result<(), String> {
    if let Some(a) = args.first() {
        return Err(format!("`xtask test` takes no arguments, got {a:?}"));
    }
    run(cargo().args(["fmt", "--all", "--check"]))?;
    run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    let levels = supported_levels();
    for (i, level) in levels.iter().enumerate() {
        eprintln!("xtask test: SIMD level {level}");
        let mut cmd = cargo();
        // The best level builds and runs everything (examples and benches compile here);
        // the lower levels rerun the same test binaries with the dispatch capped.
        if i == 0 {
            cmd.args(["test", "--workspace", "--all-targets"]);
        } else {
            cmd.args(["test", "--workspace", "--lib", "--bins", "--tests"]);
        }
        run(cmd.env_remove("RUSTFLAGS").env("NDKERN_SIMD", level))?;
    }
    run(cargo()
        .args(["test", "--workspace", "--doc"])
        .env_remove("RUSTFLAGS"))?;
    crate::python::python_tests(&levels)?;
    eprintln!(
        "xtask test: all checks passed (SIMD levels {})",
        levels.join(", ")
    );
    Ok(())
}
