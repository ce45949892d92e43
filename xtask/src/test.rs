//! `cargo xtask test`: the README's test command and exactly what CI runs.
//!
//! fmt check, clippy with warnings denied, the test suite in a default build and in a native
//! (`-C target-cpu=native`) build — so both branches of every `wide` method run — and the doc
//! tests. Needs only the Rust toolchain: reference data is committed in tests/data.

use crate::{cargo, run};

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
    // Default flags: the portable `wide` branches.
    run(cargo()
        .args(["test", "--workspace", "--all-targets"])
        .env_remove("RUSTFLAGS"))?;
    // Native flags (AVX-512 here): the wide branches users of `xtask bench` get. A separate
    // target dir keeps the two builds from invalidating each other. Examples are left out
    // here (the default build above already compiles them; they hold no tests) to keep CI
    // within its time budget.
    let native_dir = crate::root().join("target").join("native");
    run(cargo()
        .args([
            "test",
            "--workspace",
            "--lib",
            "--bins",
            "--tests",
            "--benches",
        ])
        .env("RUSTFLAGS", "-C target-cpu=native")
        .env("CARGO_TARGET_DIR", &native_dir))?;
    run(cargo()
        .args(["test", "--workspace", "--doc"])
        .env_remove("RUSTFLAGS"))?;
    eprintln!("xtask test: all checks passed");
    Ok(())
}
