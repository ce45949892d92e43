//! The Python package's part of `cargo xtask test` (python/, issue 14).
//!
//! 1. A venv at `target/py-venv` (created with `python3 -m venv` when missing; `NDKERN_PYTHON`
//!    names another interpreter), with the pinned test requirements of
//!    `python/requirements-test.txt` installed — again only when that file changed (a copy of
//!    the installed file is kept in the venv).
//! 2. The wheel: `maturin build --release` (the pinned maturin, the workspace's `target/release`,
//!    so only the extension crate rebuilds after a Rust change; no target-cpu flags: the wheel
//!    is the portable build and dispatches SIMD at run time), installed into the venv with pip
//!    in place of the previous one. The tests run against the installed wheel, not the source
//!    tree.
//! 3. `python -X faulthandler -m pytest python/tests --doctest-modules --pyargs ndkern`: the
//!    scipy/numpy comparisons, bad-input and GIL tests, and every docstring example.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::{root, run};

fn venv_python(venv: &Path) -> PathBuf {
    venv.join("bin").join("python")
}

/// Creates the venv if missing and (re)installs the pinned requirements when they changed.
fn ensure_venv(venv: &Path, requirements: &Path) -> Result<PathBuf, String> {
    let py = venv_python(venv);
    if !py.exists() {
        let base = std::env::var("NDKERN_PYTHON").unwrap_or_else(|_| "python3".into());
        run(Command::new(&base).arg("-m").arg("venv").arg(venv))?;
    }
    let wanted = std::fs::read_to_string(requirements)
        .map_err(|e| format!("cannot read {}: {e}", requirements.display()))?;
    let stamp = venv.join("ndkern-requirements-installed.txt");
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(wanted.as_str()) {
        run(Command::new(&py).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--upgrade",
            "pip",
        ]))?;
        run(Command::new(&py)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
            ])
            .arg(requirements))?;
        std::fs::write(&stamp, &wanted)
            .map_err(|e| format!("cannot write {}: {e}", stamp.display()))?;
    }
    Ok(py)
}

/// Builds the wheel (`maturin build --release`, portable: no target-cpu flags) with the
/// maturin installed next to `py`, into `wheels` (cleared first), and installs it into `py`'s
/// environment in place of the previous one. Used by the tests and by `bench --python/--dask`.
pub(crate) fn install_wheel(py: &Path, wheels: &Path) -> Result<(), String> {
    if wheels.exists() {
        std::fs::remove_dir_all(wheels)
            .map_err(|e| format!("cannot clear {}: {e}", wheels.display()))?;
    }
    let maturin = py
        .parent()
        .ok_or("the venv's python has no parent directory")?
        .join("maturin");
    run(Command::new(maturin)
        .args([
            "build",
            "--release",
            "--quiet",
            "-m",
            "python/Cargo.toml",
            "-i",
        ])
        .arg(py)
        .arg("-o")
        .arg(wheels)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS"))?;
    let wheel = std::fs::read_dir(wheels)
        .map_err(|e| format!("cannot list {}: {e}", wheels.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .ok_or_else(|| format!("maturin left no wheel in {}", wheels.display()))?;
    run(Command::new(py)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--force-reinstall",
        ])
        .arg(&wheel))
}

/// The Python package's tests; see the module docs.
pub fn python_tests() -> Result<(), String> {
    let start = Instant::now();
    let root = root();
    let venv = root.join("target").join("py-venv");
    let py = ensure_venv(&venv, &root.join("python").join("requirements-test.txt"))?;
    install_wheel(&py, &root.join("target").join("py-wheels"))?;
    run(Command::new(&py)
        .args([
            "-X",
            "faulthandler",
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--doctest-modules",
            "python/tests",
            "--pyargs",
            "ndkern",
        ])
        .env("PYTHONDONTWRITEBYTECODE", "1"))?;
    eprintln!(
        "xtask test: Python package tests passed in {:.0} s",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
