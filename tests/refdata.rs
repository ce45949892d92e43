//! Reference data: every case in tests/data (numpy/scipy outputs written by
//! `cargo xtask refdata`) through `ndkern::refcheck::run_dir`, plus the runner's own error
//! paths (unknown op, unknown or invalid parameter, shape and NaN mismatches).

use std::path::{Path, PathBuf};

use ndarray::{array, ArrayD};
use ndkern::refcheck::{ops, run_dir, run_tree, Error, Outcome};

#[test]
fn reference_data_passes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("data");
    let report = run_tree(&dir).unwrap_or_else(|e| panic!("cannot run {}: {e}", dir.display()));
    let failing: Vec<String> = report.failures().map(|c| c.to_string()).collect();
    assert!(
        failing.is_empty(),
        "{} of {} reference cases fail:\n{}",
        failing.len(),
        report.cases.len(),
        failing.join("\n")
    );
    // Every registered op has data, so an emptied directory or a dropped family cannot pass.
    let covered = report.ops_covered();
    let missing: Vec<&str> = ops()
        .map(|op| op.name)
        .filter(|name| !covered.contains(name))
        .collect();
    assert!(
        missing.is_empty(),
        "registered ops without reference cases in tests/data: {missing:?}"
    );
    // The named seed-question cases are present.
    for name in ["q07_voxel_variance", "q08_subarray_l2_norm"] {
        assert!(
            report.cases.iter().any(|c| c.name == name),
            "case {name} missing"
        );
    }
}

/// A fresh case directory with `a.npy` (2x3 f64, one NaN), `a32.npy` (the same in f32),
/// `sum0.npy` (sums over axis 0), `count1.npy` (non-zero counts over axis 1; NaN counts) and
/// the given manifest.
fn case_dir(tag: &str, manifest: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ndkern-refdata-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let a = array![[1.0, 2.0, f64::NAN], [3.0, 4.0, 5.0]];
    ndarray_npy::write_npy(dir.join("a.npy"), &a).unwrap();
    ndarray_npy::write_npy(dir.join("sum0.npy"), &array![4.0, 6.0, f64::NAN]).unwrap();
    ndarray_npy::write_npy(dir.join("a32.npy"), &a.mapv(|x| x as f32)).unwrap();
    let counts: ArrayD<i64> = array![3i64, 3].into_dyn();
    ndarray_npy::write_npy(dir.join("count1.npy"), &counts).unwrap();
    std::fs::write(dir.join("manifest.toml"), manifest).unwrap();
    dir
}

fn case(op: &str, inputs: &str, expected: &str, params: &str) -> String {
    format!(
        "[[case]]\nname = \"c\"\nop = \"{op}\"\ninputs = [{inputs}]\nexpected = \"{expected}\"\n\
         rtol = 1e-12\n[case.params]\n{params}\n"
    )
}

fn single_outcome(tag: &str, manifest: &str) -> Outcome {
    let dir = case_dir(tag, manifest);
    let report = run_dir(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(report.cases.len(), 1);
    report.cases[0].outcome.clone()
}

#[test]
fn nan_positions_and_int_counts_pass() {
    let m = case("core.sum", "\"a.npy\"", "sum0.npy", "axis = 0");
    assert_eq!(single_outcome("nan", &m), Outcome::Pass);
    let m = case("core.count_nonzero", "\"a.npy\"", "count1.npy", "axis = -1");
    assert_eq!(single_outcome("count", &m), Outcome::Pass);
}

#[test]
fn unknown_op_is_named() {
    let m = case("core.median", "\"a.npy\"", "sum0.npy", "");
    match single_outcome("op", &m) {
        Outcome::Error(e @ Error::UnknownOp { .. }) => {
            assert!(e.to_string().contains("core.median"), "{e}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_and_invalid_parameters_are_named() {
    let m = case("core.sum", "\"a.npy\"", "sum0.npy", "axis = 0\naxes = 1");
    match single_outcome("unknown", &m) {
        Outcome::Error(Error::UnknownParameter { name, .. }) => assert_eq!(name, "axes"),
        other => panic!("{other:?}"),
    }
    let m = case("core.var", "\"a.npy\"", "sum0.npy", "axis = 0\nddof = -1");
    match single_outcome("ddof", &m) {
        Outcome::Error(Error::InvalidParameter { name, .. }) => assert_eq!(name, "ddof"),
        other => panic!("{other:?}"),
    }
    let m = case("core.sum", "\"a.npy\"", "sum0.npy", "axis = \"rows\"");
    match single_outcome("axis", &m) {
        Outcome::Error(e @ Error::InvalidParameter { .. }) => {
            assert!(e.to_string().contains("`axis`"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    // A kernel error (axis out of range) is reported, not a panic.
    let m = case("core.sum", "\"a.npy\"", "sum0.npy", "axis = 2");
    assert!(matches!(
        single_outcome("range", &m),
        Outcome::Error(Error::Kernel { .. })
    ));
}

#[test]
fn mismatches_fail() {
    // keepdims changes the shape: (1, 3) is not (3,).
    let m = case(
        "core.sum",
        "\"a.npy\"",
        "sum0.npy",
        "axis = 0\nkeepdims = true",
    );
    assert!(matches!(single_outcome("shape", &m), Outcome::Fail(_)));
    // Right shape, wrong values: column maxima are not column sums.
    let m = case("core.max", "\"a.npy\"", "sum0.npy", "axis = 0");
    assert!(matches!(single_outcome("values", &m), Outcome::Fail(_)));
    // float32 input gives a float32 result; the expected file is float64.
    let m = case("core.sum", "\"a32.npy\"", "sum0.npy", "axis = 0");
    assert!(matches!(single_outcome("dtype", &m), Outcome::Fail(_)));
    // Two inputs for a one-input op.
    let m = case("core.sum", "\"a.npy\", \"a.npy\"", "sum0.npy", "axis = 0");
    assert!(matches!(
        single_outcome("inputs", &m),
        Outcome::Error(Error::Inputs { .. })
    ));
}

#[test]
fn manifest_level_errors() {
    let dir = case_dir("empty", "# no cases\n");
    assert!(matches!(run_dir(&dir), Err(Error::NoCases { .. })));
    std::fs::write(
        dir.join("manifest.toml"),
        "[[case]]\nname = \"c\"\nop = \"core.sum\"\ninputs = [\"a.npy\"]\nexpected = \"sum0.npy\"\nrtol = 0.0\ntolerance = 1\n",
    )
    .unwrap();
    let err = run_dir(&dir).unwrap_err();
    assert!(err.to_string().contains("tolerance"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
