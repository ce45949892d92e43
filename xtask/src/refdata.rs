//! `cargo xtask refdata` and `cargo xtask refcheck DIR`.
//!
//! `refdata` regenerates tests/data from pinned numpy/scipy: it creates a venv under
//! target/refdata-venv (`python3 -m venv`, or `$PYTHON -m venv`), installs
//! xtask/refdata/requirements.txt into it, runs xtask/refdata/generate.py, and then checks
//! the fresh data the way the test suite does. Commit tests/data afterwards.
//!
//! `refcheck DIR` runs any case directory (a manifest.toml plus .npy files; ours, or a user's
//! own numpy outputs) through `ndkern::refcheck::run_dir`, prints one line per case, and
//! fails (exit 1) if any case fails or names an unknown op or parameter.

use std::path::{Path, PathBuf};
use std::process::Command;

use ndkern::refcheck::Outcome;

use crate::{root, run};

/// The venv's Python interpreter.
fn venv_python(venv: &Path) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    }
}

pub fn refdata(args: &[String]) -> Result<(), String> {
    // Optional family names (`core`, `spatial`, ...): regenerate only tests/data/<family>.
    if let Some(a) = args.iter().find(|a| a.starts_with('-')) {
        return Err(format!(
            "usage: cargo xtask refdata [FAMILY ...], got {a:?} (set PYTHON to choose the interpreter)"
        ));
    }
    let root = root();
    let venv = root.join("target").join("refdata-venv");
    let python = venv_python(&venv);
    if !python.exists() {
        let base = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
        run(Command::new(&base).arg("-m").arg("venv").arg(&venv)).map_err(|e| {
            format!("{e}\n(needs Python 3.11+ with the venv module; set PYTHON to another one)")
        })?;
    }
    // pip is a no-op when the pins are already installed, so this also picks up new pins.
    run(Command::new(&python).args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "-r",
        "xtask/refdata/requirements.txt",
    ]))?;
    let data = root.join("tests").join("data");
    run(Command::new(&python)
        .arg("xtask/refdata/generate.py")
        .arg(&data)
        .args(args))?;
    eprintln!("xtask refdata: checking the new data against ndkern");
    check(&data).map_err(|e| format!("tests/data was written, but {e}"))?;
    eprintln!("xtask refdata: tests/data is up to date; commit it with the change that needed it");
    Ok(())
}

pub fn refcheck(args: &[String]) -> Result<(), String> {
    let [dir] = args else {
        return Err(format!(
            "usage: cargo xtask refcheck DIR (a directory with manifest.toml, or with subdirectories that have one), got {} argument(s)",
            args.len()
        ));
    };
    check(Path::new(dir))
}

/// Runs a case directory, prints the report, and turns any failure into an `Err` naming the
/// failing cases.
fn check(dir: &Path) -> Result<(), String> {
    let report = ndkern::refcheck::run_tree(dir).map_err(|e| e.to_string())?;
    println!("{report}");
    let failing: Vec<String> = report
        .failures()
        .map(|c| match &c.outcome {
            Outcome::Error(e) => format!("  {e}"),
            Outcome::Fail(why) => format!("  case `{}` ({}): {why}", c.name, c.op),
            _ => format!("  case `{}` ({})", c.name, c.op),
        })
        .collect();
    if failing.is_empty() {
        return Ok(());
    }
    const SHOWN: usize = 20;
    let more = failing.len().saturating_sub(SHOWN);
    Err(format!(
        "{} of {} reference case(s) did not pass:\n{}{}",
        failing.len(),
        report.cases.len(),
        failing[..failing.len().min(SHOWN)].join("\n"),
        if more > 0 {
            format!("\n  ... and {more} more (see the lines above)")
        } else {
            String::new()
        }
    ))
}
