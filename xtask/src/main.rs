//! `cargo xtask <command>`: the developer's one entry point.
//!
//! | command | what |
//! |---|---|
//! | `test` | fmt check, clippy -D warnings, tests of the default build at every SIMD level the CPU has, doc tests |
//! | `bench [--quick] [--peers] [--python] [--native] [--simd LEVEL] [--json PATH]` | the benchmark table (default build, SIMD dispatched at run time); `--python` adds the Python call overhead rows |
//! | `bench --dask [--scale S \| --quick] [CASE...]` | the opt-in Dask suite (LocalCluster of 2 worker processes) |
//! | `fuzz [--seconds N] [--cases N]` | the `crates/*/tests/fuzz_*.rs` proptest targets with many cases and fresh seeds, for a bounded time |
//! | `refdata` | regenerate tests/data from numpy/scipy (Python venv under target/) |
//! | `refcheck DIR` | run a directory of reference cases (manifest.toml + .npy) |

mod bench;
mod fuzz;
mod python;
mod refdata;
mod test;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask has a parent")
        .to_path_buf()
}

/// Runs a command from the workspace root, echoing it; `Err` with its description on failure.
pub fn run(cmd: &mut Command) -> Result<(), String> {
    cmd.current_dir(root());
    eprintln!("xtask: running {cmd:?}");
    let status = cmd
        .status()
        .map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed with {status}"))
    }
}

/// `cargo` as invoked by the current toolchain.
pub fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: cargo xtask <test | bench [--quick] [--peers] [--python] [--native] [--simd LEVEL] [--json PATH] | bench --dask [--scale S | --quick] | fuzz [--seconds N] [--cases N] | refdata | refcheck DIR>"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first() else {
        return usage();
    };
    let rest = &args[1..];
    let result = match cmd.as_str() {
        "test" => test::main(rest),
        "bench" => bench::main(rest),
        "fuzz" => fuzz::main(rest),
        "refdata" => refdata::refdata(rest),
        "refcheck" => refdata::refcheck(rest),
        _ => return usage(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
