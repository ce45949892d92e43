//! The Python package's part of `cargo xtask test` (python/, issue 14).
//!
//! 1. A venv at `target/py-venv` (created with `python3 -m venv` when missing; `NDKERN_PYTHON`
//!    names another interpreter), with the pinned test requirements of
//!    `python/requirements-test.txt` installed — again only when that file changed (a copy of
//!    the installed file is kept in the venv).
//! 2. The package, installed the way the README tells a user to: `python -m pip install
//!    ./python` (pip builds the wheel with maturin from PyPI, the build backend of
//!    `python/pyproject.toml`, in an isolated build environment; a local path is always
//!    rebuilt and reinstalled, its dependencies only when missing). `CARGO_TARGET_DIR` is set
//!    to the workspace's `target/` (where maturin's `cargo metadata` points anyway; explicit,
//!    so the release compile is shared with `bench --python` whatever directory pip builds
//!    in), RUSTFLAGS are removed: the wheel is the portable build and dispatches SIMD at run
//!    time. The tests run against the installed package, not the source tree.
//! 3. `python -X faulthandler -m pytest python/tests --doctest-modules --pyargs ndkern` at the
//!    CPU's best SIMD level: the scipy/numpy comparisons, bad-input and GIL tests, and every
//!    docstring example.
//! 4. The SIMD-dispatched kernels again at every lower level this CPU runs (`NDKERN_SIMD=avx2`,
//!    `baseline`, as the Rust tests do): the files of [`LEVEL_SUBSET`], which compare every
//!    kernel family with scipy/numpy/skimage.

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
/// environment in place of the previous one. Used by `bench --python/--dask` (their venv
/// pins maturin; the tests install with `pip install ./python`, as a user does).
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

/// The test files rerun at the lower SIMD levels: each compares one family of kernels with
/// scipy/numpy/skimage (the bad-input, GIL, signature, dask and README tests do not depend on
/// the level).
pub const LEVEL_SUBSET: &[&str] = &[
    "python/tests/test_reductions.py",
    "python/tests/test_ndimage.py",
    "python/tests/test_numpy_names.py",
    "python/tests/test_scipy_names.py",
    "python/tests/test_skimage_names.py",
    "python/tests/test_own.py",
];

/// `python -m pip install ./python` into `py`'s environment (see the module docs).
pub(crate) fn pip_install_package(py: &Path) -> Result<(), String> {
    run(Command::new(py)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "./python",
        ])
        .env("CARGO_TARGET_DIR", root().join("target"))
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS"))
}

/// pytest in `py`'s environment, at SIMD level `level` (None: the CPU's best).
fn pytest(py: &Path, level: Option<&str>, args: &[&str]) -> Result<(), String> {
    let mut cmd = Command::new(py);
    cmd.args([
        "-X",
        "faulthandler",
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
    ])
    .args(args)
    .env("PYTHONDONTWRITEBYTECODE", "1");
    match level {
        Some(l) => cmd.env("NDKERN_SIMD", l),
        None => cmd.env_remove("NDKERN_SIMD"),
    };
    run(&mut cmd)
}

/// The Python package's tests; see the module docs. `levels`: the SIMD levels this CPU runs,
/// best first.
pub fn python_tests(levels: &[&str]) -> Result<(), String> {
    let start = Instant::now();
    let root = root();
    let venv = root.join("target").join("py-venv");
    let py = ensure_venv(&venv, &root.join("python").join("requirements-test.txt"))?;
    let t = Instant::now();
    pip_install_package(&py)?;
    eprintln!(
        "xtask test: `pip install ./python` took {:.0} s",
        t.elapsed().as_secs_f64()
    );
    pytest(
        &py,
        None,
        &["--doctest-modules", "python/tests", "--pyargs", "ndkern"],
    )?;
    for level in levels.iter().skip(1) {
        let t = Instant::now();
        pytest(&py, Some(level), LEVEL_SUBSET)?;
        eprintln!(
            "xtask test: Python kernel tests at SIMD level {level} passed in {:.0} s",
            t.elapsed().as_secs_f64()
        );
    }
    eprintln!(
        "xtask test: Python package tests passed in {:.0} s",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
