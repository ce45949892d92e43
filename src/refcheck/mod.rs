//! Run a directory of numpy/scipy reference cases through the matching ndkern calls.
//!
//! A case directory holds `.npy` files and a `manifest.toml` with one `[[case]]` table per
//! case: which op to run (named after its numpy/scipy counterpart, `core.var`), which `.npy`
//! files are its inputs, which one holds numpy's answer, the tolerance, and the numpy keyword
//! arguments (`[case.params]`). [`run_dir`] runs every case and returns a [`Report`] with one
//! line per case. ndkern's own cases live in `tests/data` (written by `cargo xtask refdata`
//! from pinned numpy/scipy); the same runner checks a user's own numpy outputs with
//! `cargo xtask refcheck DIR`.
//!
//! ```toml
//! [[case]]
//! name = "var_time_axis"          # unique within the manifest
//! op = "core.var"                 # <crate>.<numpy/scipy function>, see ops()
//! inputs = ["stack.npy"]          # relative to the manifest's directory
//! expected = "stack_var.npy"      # numpy's result
//! rtol = 1e-12                    # max |actual - expected| / max |expected|
//! note = "optional free text"
//! [case.params]                   # numpy keyword names; absent `axis` means None
//! axis = -1                       # an int or a list of ints
//! ddof = 1
//! keepdims = false
//! ```
//!
//! # How a case is judged
//!
//! * The input dtype is read from the `.npy` header: `float64`, `float32` or `int64`, C or
//!   Fortran order. The op runs on the input's dtype (no conversion), so a float32 case tests
//!   the float32 kernel.
//! * The result must have the expected file's dtype and exactly its shape (keepdims included).
//! * NaN in the expected array must be NaN in the result at the same positions and nowhere
//!   else; infinities must match exactly.
//! * The error is `max |actual - expected| / max |expected|` over the finite entries (an
//!   all-zero expected array uses the absolute error) and must be `<= rtol`. Counts
//!   (`core.count_nonzero`, int64) are compared the same way; use `rtol = 0` for exact.
//! * An unknown op, an unknown or invalid parameter, a missing file or a kernel error makes
//!   that case an [`Outcome::Error`] naming the culprit; the other cases still run.
//!
//! # Registered ops
//!
//! | op | ndkern call | numpy counterpart |
//! |---|---|---|
//! | `core.sum` | [`reduce::sum`] | `np.sum(a, axis, keepdims)` |
//! | `core.mean` | [`reduce::mean`] | `np.mean(a, axis, keepdims)` |
//! | `core.var` | [`reduce::var`] | `np.var(a, axis, ddof, keepdims)` |
//! | `core.std` | [`reduce::std`] | `np.std(a, axis, ddof, keepdims)` |
//! | `core.norm_l2` | [`reduce::norm_l2`] | `np.sqrt((a * a).sum(axis, keepdims))` |
//! | `core.min` | [`reduce::min`] | `np.min(a, axis, keepdims)` |
//! | `core.max` | [`reduce::max`] | `np.max(a, axis, keepdims)` |
//! | `core.count_nonzero` | [`reduce::count_nonzero`] | `np.count_nonzero(a, axis, keepdims)` (int64) |
//!
//! `core.norm_l2` is checked against the numpy idiom `np.sqrt((a * a).sum(axis))`, which for
//! any set of axes equals `np.linalg.norm` of those axes flattened (`np.linalg.norm` itself
//! only takes one or two axes).
//!
//! # Adding an op
//!
//! Ops live in tables of [`Op`] entries, one line per op; [`ops`] chains the tables. A new
//! family adds its table in its own file (`src/refcheck/ops_<family>.rs`) and one line to
//! `TABLES` in `registry.rs`, and
//! each op is one line:
//!
//! ```text
//! float_op!("core.var", |a, c| reduce::var(a, c.axes()?, c.usize_or("ddof", 0)?)),
//! ```
//!
//! where `a` is the single input as `&ArrayD<f32>` or `&ArrayD<f64>` and `c` the [`Call`]
//! that reads parameters (marking them used, so leftovers are reported as unknown).
//!
//! # Example
//!
//! ```
//! use ndarray::{array, Array1};
//! use ndkern::refcheck::{run_dir, Outcome};
//!
//! let dir = std::env::temp_dir().join(format!("ndkern-refcheck-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! // What a numpy script would write: np.save("a.npy", a); np.save("a_sum0.npy", a.sum(axis=0))
//! ndarray_npy::write_npy(dir.join("a.npy"), &array![[1.0, 2.0], [3.0, 4.5]]).unwrap();
//! ndarray_npy::write_npy(dir.join("a_sum0.npy"), &Array1::from(vec![4.0, 6.5])).unwrap();
//! std::fs::write(
//!     dir.join("manifest.toml"),
//!     r#"
//! [[case]]
//! name = "column_sums"
//! op = "core.sum"
//! inputs = ["a.npy"]
//! expected = "a_sum0.npy"
//! rtol = 1e-12
//! [case.params]
//! axis = 0
//! "#,
//! )
//! .unwrap();
//!
//! let report = run_dir(&dir).unwrap();
//! println!("{report}"); // PASS  column_sums  core.sum  float64  err 0.0e0  rtol 1e-12
//! assert!(report.passed());
//! assert_eq!(report.cases[0].outcome, Outcome::Pass);
//! std::fs::remove_dir_all(&dir).unwrap();
//! ```

use std::fmt;
use std::path::PathBuf;

/// An op with a single float input, run on its own dtype: the body is instantiated for
/// `a: &ArrayD<f64>` and `a: &ArrayD<f32>`, and must return a `Result` whose error is
/// displayable (the kernel's error type); anything convertible to a [`Value`] is accepted.
/// Defined before the op tables so every `ops_<family>.rs` can use it.
macro_rules! float_op {
    ($name:literal, |$a:ident, $c:ident| $body:expr) => {
        Op {
            name: $name,
            run: |$c: &Call<'_>| -> Result<Value, Error> {
                let [input] = $c.inputs::<1>()?;
                match input {
                    Value::F64($a) => Ok(Value::from(($body).map_err(|e| $c.kernel_error(e))?)),
                    Value::F32($a) => Ok(Value::from(($body).map_err(|e| $c.kernel_error(e))?)),
                    other => Err($c.unsupported_dtype(other)),
                }
            },
        }
    };
}

mod call;
mod ops_binning;
mod ops_core;
mod ops_linalg;
mod ops_signal;
mod ops_spatial;
mod registry;
mod run;
mod value;

pub use call::Call;
pub use registry::{find_op, ops, Op};
pub use run::{run_dir, run_tree, CaseReport, Outcome, Report};
pub use value::{load_npy, Value};

/// Why a directory or a case could not be run (a wrong result is an [`Outcome::Fail`], not an
/// error).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read.
    Io { path: PathBuf, reason: String },
    /// `manifest.toml` is not valid TOML, has an unknown key, or names a case twice.
    Manifest { path: PathBuf, reason: String },
    /// `manifest.toml` has no `[[case]]` (an empty check would pass silently).
    NoCases { path: PathBuf },
    /// A `.npy` file could not be parsed or has an unsupported dtype.
    Npy { path: PathBuf, reason: String },
    /// The case's `op` is not registered.
    UnknownOp {
        case: String,
        op: String,
        known: Vec<&'static str>,
    },
    /// A parameter in `[case.params]` that the op does not take.
    UnknownParameter {
        case: String,
        op: String,
        name: String,
    },
    /// A parameter of the wrong type or out of range (or a bad `rtol`).
    InvalidParameter {
        case: String,
        op: String,
        name: String,
        reason: String,
    },
    /// Wrong number of inputs, or an input dtype the op does not take.
    Inputs {
        case: String,
        op: String,
        reason: String,
    },
    /// The ndkern call returned an error.
    Kernel {
        case: String,
        op: String,
        message: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, reason } => write!(f, "cannot read {}: {reason}", path.display()),
            Error::Manifest { path, reason } => {
                write!(f, "invalid manifest {}: {reason}", path.display())
            }
            Error::NoCases { path } => write!(
                f,
                "manifest {} has no [[case]] tables; add at least one case",
                path.display()
            ),
            Error::Npy { path, reason } => write!(f, "cannot load {}: {reason}", path.display()),
            Error::UnknownOp { case, op, known } => write!(
                f,
                "case `{case}`: unknown op `{op}`; registered ops: {}",
                known.join(", ")
            ),
            Error::UnknownParameter { case, op, name } => write!(
                f,
                "case `{case}`: unknown parameter `{name}` for op `{op}`; remove it or check \
                 its spelling"
            ),
            Error::InvalidParameter {
                case,
                op,
                name,
                reason,
            } => write!(
                f,
                "case `{case}`: invalid parameter `{name}` for op `{op}`: {reason}"
            ),
            Error::Inputs { case, op, reason } => write!(f, "case `{case}`: op `{op}` {reason}"),
            Error::Kernel { case, op, message } => {
                write!(f, "case `{case}`: op `{op}` returned an error: {message}")
            }
        }
    }
}

impl std::error::Error for Error {}
