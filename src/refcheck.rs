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
//! family adds its table to `TABLES` (in its own file under `src/refcheck/` if it grows), and
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

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use ndarray::{ArrayD, Dimension};
use ndarray_npy::{ReadNpyError, ReadNpyExt};
use ndkern_core::{reduce, Axes};
use serde::Deserialize;

// ---------------------------------------------------------------------------------------
// The op registry
// ---------------------------------------------------------------------------------------

/// One registered operation: the manifest's `op` name and the function that runs a case.
#[derive(Clone, Copy)]
pub struct Op {
    /// `<crate>.<function>`, named after the numpy/scipy counterpart (`core.var`).
    pub name: &'static str,
    /// Runs the op on a case's inputs and parameters.
    pub run: fn(&Call<'_>) -> Result<Value, Error>,
}

impl fmt::Debug for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Op").field("name", &self.name).finish()
    }
}

/// An op with a single float input, run on its own dtype: the body is instantiated for
/// `a: &ArrayD<f64>` and `a: &ArrayD<f32>`, and must return a `Result` whose error is
/// displayable (the kernel's error type); anything convertible to a [`Value`] is accepted.
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

/// ndkern-core: axis reductions (numpy semantics).
const CORE_OPS: &[Op] = &[
    float_op!("core.sum", |a, c| reduce::sum(a, c.axes()?)),
    float_op!("core.mean", |a, c| reduce::mean(a, c.axes()?)),
    float_op!("core.var", |a, c| reduce::var(
        a,
        c.axes()?,
        c.usize_or("ddof", 0)?
    )),
    float_op!("core.std", |a, c| reduce::std(
        a,
        c.axes()?,
        c.usize_or("ddof", 0)?
    )),
    float_op!("core.norm_l2", |a, c| reduce::norm_l2(a, c.axes()?)),
    float_op!("core.min", |a, c| reduce::min(a, c.axes()?)),
    float_op!("core.max", |a, c| reduce::max(a, c.axes()?)),
    float_op!("core.count_nonzero", |a, c| reduce::count_nonzero(
        a,
        c.axes()?
    )),
];

/// Every op table; a new family appends its table here.
const TABLES: &[&[Op]] = &[CORE_OPS];

/// All registered ops, in table order.
///
/// ```
/// assert!(ndkern::refcheck::ops().any(|op| op.name == "core.var"));
/// ```
pub fn ops() -> impl Iterator<Item = &'static Op> {
    TABLES.iter().flat_map(|t| t.iter())
}

/// The registered op called `name`, if any.
pub fn find_op(name: &str) -> Option<&'static Op> {
    ops().find(|op| op.name == name)
}

// ---------------------------------------------------------------------------------------
// Arrays read from .npy
// ---------------------------------------------------------------------------------------

/// An array read from a `.npy` file (or produced by an op), in its own dtype.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Value {
    /// `float64` (`<f8`).
    F64(ArrayD<f64>),
    /// `float32` (`<f4`).
    F32(ArrayD<f32>),
    /// `int64` (`<i8`); counts and indices.
    I64(ArrayD<i64>),
}

impl Value {
    /// numpy's name for the dtype: `"float64"`, `"float32"` or `"int64"`.
    pub fn dtype(&self) -> &'static str {
        match self {
            Value::F64(_) => "float64",
            Value::F32(_) => "float32",
            Value::I64(_) => "int64",
        }
    }
    /// The shape.
    pub fn shape(&self) -> &[usize] {
        match self {
            Value::F64(a) => a.shape(),
            Value::F32(a) => a.shape(),
            Value::I64(a) => a.shape(),
        }
    }
    /// The values converted to `f64` (exact for f32; int64 beyond 2^53 rounds).
    pub fn to_f64(&self) -> ArrayD<f64> {
        match self {
            Value::F64(a) => a.clone(),
            Value::F32(a) => a.mapv(f64::from),
            Value::I64(a) => a.mapv(|x| x as f64),
        }
    }
}

impl From<ArrayD<f64>> for Value {
    fn from(a: ArrayD<f64>) -> Self {
        Value::F64(a)
    }
}
impl From<ArrayD<f32>> for Value {
    fn from(a: ArrayD<f32>) -> Self {
        Value::F32(a)
    }
}
impl From<ArrayD<i64>> for Value {
    fn from(a: ArrayD<i64>) -> Self {
        Value::I64(a)
    }
}
/// Counts become int64, numpy's `np.intp` on 64-bit platforms.
impl From<ArrayD<usize>> for Value {
    fn from(a: ArrayD<usize>) -> Self {
        Value::I64(a.mapv(|x| i64::try_from(x).expect("count fits in i64")))
    }
}

/// Reads a `.npy` file as whichever of `float64`, `float32`, `int64` its header declares
/// (C or Fortran order).
pub fn load_npy(path: &Path) -> Result<Value, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let npy_err = |e: ReadNpyError| Error::Npy {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    // Try each dtype; only a descriptor mismatch moves on to the next.
    match ArrayD::<f64>::read_npy(&bytes[..]) {
        Ok(a) => return Ok(Value::F64(a)),
        Err(ReadNpyError::WrongDescriptor(_)) => {}
        Err(e) => return Err(npy_err(e)),
    }
    match ArrayD::<f32>::read_npy(&bytes[..]) {
        Ok(a) => return Ok(Value::F32(a)),
        Err(ReadNpyError::WrongDescriptor(_)) => {}
        Err(e) => return Err(npy_err(e)),
    }
    match ArrayD::<i64>::read_npy(&bytes[..]) {
        Ok(a) => Ok(Value::I64(a)),
        Err(ReadNpyError::WrongDescriptor(d)) => Err(Error::Npy {
            path: path.to_path_buf(),
            reason: format!(
                "unsupported dtype {d}; refcheck reads little-endian float64 (<f8), \
                 float32 (<f4) and int64 (<i8)"
            ),
        }),
        Err(e) => Err(npy_err(e)),
    }
}

// ---------------------------------------------------------------------------------------
// A call: one case's inputs and parameters, as seen by an op
// ---------------------------------------------------------------------------------------

/// One case as an op sees it: its inputs and its `[case.params]`. Reading a parameter marks
/// it used; parameters no op read are reported as unknown.
pub struct Call<'a> {
    case: &'a str,
    op: &'a str,
    inputs: &'a [&'a Value],
    params: &'a toml::Table,
    used: RefCell<BTreeSet<String>>,
}

impl<'a> Call<'a> {
    /// Exactly `N` inputs, or an error saying how many the op takes.
    pub fn inputs<const N: usize>(&self) -> Result<[&'a Value; N], Error> {
        <[&Value; N]>::try_from(self.inputs).map_err(|_| Error::Inputs {
            case: self.case.into(),
            op: self.op.into(),
            reason: format!(
                "takes {N} input file(s), the manifest lists {}",
                self.inputs.len()
            ),
        })
    }

    /// The raw parameter `name`, marking it used; `None` if absent.
    pub fn param(&self, name: &str) -> Option<&'a toml::Value> {
        self.used.borrow_mut().insert(name.to_owned());
        self.params.get(name)
    }

    /// numpy's `axis` (absent = None: all axes; an int; a list of ints) and `keepdims`
    /// (default false).
    pub fn axes(&self) -> Result<Axes, Error> {
        let axes = match self.param("axis") {
            None => Axes::all(),
            Some(toml::Value::Integer(i)) => Axes::new([self.isize_of("axis", *i)?]),
            Some(toml::Value::Array(list)) => {
                let mut v = Vec::with_capacity(list.len());
                for x in list {
                    match x {
                        toml::Value::Integer(i) => v.push(self.isize_of("axis", *i)?),
                        other => {
                            return Err(self.invalid(
                                "axis",
                                format!("list entries must be integers, got {other}"),
                            ))
                        }
                    }
                }
                Axes::new(v)
            }
            Some(other) => {
                return Err(self.invalid(
                    "axis",
                    format!(
                        "expected an integer or a list of integers (leave it out for None), \
                         got {other}"
                    ),
                ))
            }
        };
        Ok(if self.bool_or("keepdims", false)? {
            axes.keepdims()
        } else {
            axes
        })
    }

    /// A non-negative integer parameter, `default` if absent.
    pub fn usize_or(&self, name: &str, default: usize) -> Result<usize, Error> {
        match self.param(name) {
            None => Ok(default),
            Some(toml::Value::Integer(i)) => usize::try_from(*i)
                .map_err(|_| self.invalid(name, format!("must be >= 0, got {i}"))),
            Some(other) => Err(self.invalid(
                name,
                format!("expected a non-negative integer, got {other}"),
            )),
        }
    }

    /// A boolean parameter, `default` if absent.
    pub fn bool_or(&self, name: &str, default: bool) -> Result<bool, Error> {
        match self.param(name) {
            None => Ok(default),
            Some(toml::Value::Boolean(b)) => Ok(*b),
            Some(other) => Err(self.invalid(name, format!("expected true or false, got {other}"))),
        }
    }

    /// A float parameter (integers accepted), `default` if absent.
    pub fn f64_or(&self, name: &str, default: f64) -> Result<f64, Error> {
        match self.param(name) {
            None => Ok(default),
            Some(toml::Value::Float(x)) => Ok(*x),
            Some(toml::Value::Integer(i)) => Ok(*i as f64),
            Some(other) => Err(self.invalid(name, format!("expected a number, got {other}"))),
        }
    }

    /// A string parameter (numpy/scipy enum-like options such as `mode = "reflect"`),
    /// `default` if absent.
    pub fn str_or(&self, name: &str, default: &'a str) -> Result<&'a str, Error> {
        match self.param(name) {
            None => Ok(default),
            Some(toml::Value::String(s)) => Ok(s),
            Some(other) => Err(self.invalid(name, format!("expected a string, got {other}"))),
        }
    }

    /// [`Error::InvalidParameter`] for parameter `name` of this case.
    pub fn invalid(&self, name: &str, reason: impl Into<String>) -> Error {
        Error::InvalidParameter {
            case: self.case.into(),
            op: self.op.into(),
            name: name.into(),
            reason: reason.into(),
        }
    }

    /// [`Error::Kernel`]: the ndkern call itself returned an error.
    pub fn kernel_error(&self, e: impl fmt::Display) -> Error {
        Error::Kernel {
            case: self.case.into(),
            op: self.op.into(),
            message: e.to_string(),
        }
    }

    /// [`Error::Inputs`]: this op does not take `input`'s dtype.
    pub fn unsupported_dtype(&self, input: &Value) -> Error {
        Error::Inputs {
            case: self.case.into(),
            op: self.op.into(),
            reason: format!("does not take {} input", input.dtype()),
        }
    }

    fn isize_of(&self, name: &str, i: i64) -> Result<isize, Error> {
        isize::try_from(i).map_err(|_| self.invalid(name, format!("{i} is out of range")))
    }

    /// Parameters present in the manifest that no op read, sorted.
    fn unused(&self) -> Vec<String> {
        let used = self.used.borrow();
        self.params
            .keys()
            .filter(|k| !used.contains(k.as_str()))
            .cloned()
            .collect()
    }
}

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------
// The manifest
// ---------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    #[serde(default)]
    case: Vec<CaseSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseSpec {
    name: String,
    op: String,
    inputs: Vec<String>,
    expected: String,
    rtol: f64,
    #[serde(default)]
    params: toml::Table,
    #[allow(dead_code)] // free text for humans
    #[serde(default)]
    note: Option<String>,
}

// ---------------------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------------------

/// The verdict on one case.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Outcome {
    /// Same dtype, same shape, same NaN positions, and error `<= rtol`.
    Pass,
    /// The op ran but its result does not match; the reason says how.
    Fail(String),
    /// The case could not be run (unknown op or parameter, bad file, kernel error).
    Error(Error),
}

/// One line of a [`Report`].
#[derive(Clone, Debug, PartialEq)]
pub struct CaseReport {
    /// The case's `name`.
    pub name: String,
    /// The case's `op`.
    pub op: String,
    /// dtype of the first input (`"float64"`, ...), `"-"` if it could not be read.
    pub dtype: &'static str,
    /// `max |actual - expected| / max |expected|` over finite entries, if it was computed
    /// (infinite when NaN or infinity positions disagree).
    pub max_err: Option<f64>,
    /// The case's tolerance on `max_err`.
    pub rtol: f64,
    /// Pass, fail (why), or error (what).
    pub outcome: Outcome,
}

impl CaseReport {
    /// Whether the case passed.
    pub fn passed(&self) -> bool {
        self.outcome == Outcome::Pass
    }
}

impl fmt::Display for CaseReport {
    /// `PASS  name  op  dtype  err 1.2e-16  rtol 1e-12`, and the reason after FAIL / ERROR.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let w = f.width().unwrap_or(0);
        let tag = match self.outcome {
            Outcome::Pass => "PASS ",
            Outcome::Fail(_) => "FAIL ",
            Outcome::Error(_) => "ERROR",
        };
        let err = match self.max_err {
            Some(e) => format!("{e:.1e}"),
            None => "-".into(),
        };
        write!(
            f,
            "{tag}  {:w$}  {:20}  {:7}  err {err:>7}  rtol {:e}",
            self.name, self.op, self.dtype, self.rtol
        )?;
        match &self.outcome {
            Outcome::Pass => Ok(()),
            Outcome::Fail(why) => write!(f, "  {why}"),
            Outcome::Error(e) => write!(f, "  {e}"),
        }
    }
}

/// The result of [`run_dir`]: one [`CaseReport`] per case, in manifest order. Its `Display`
/// prints one line per case and a summary line.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The directory that was run.
    pub dir: PathBuf,
    /// One entry per `[[case]]`.
    pub cases: Vec<CaseReport>,
}

impl Report {
    /// Whether every case passed.
    pub fn passed(&self) -> bool {
        self.cases.iter().all(CaseReport::passed)
    }
    /// The cases that failed or could not be run.
    pub fn failures(&self) -> impl Iterator<Item = &CaseReport> {
        self.cases.iter().filter(|c| !c.passed())
    }
    /// The distinct ops the cases name (registered or not).
    pub fn ops_covered(&self) -> BTreeSet<&str> {
        self.cases.iter().map(|c| c.op.as_str()).collect()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let w = self.cases.iter().map(|c| c.name.len()).max().unwrap_or(0);
        for c in &self.cases {
            writeln!(f, "{c:w$}")?;
        }
        let failed = self
            .cases
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Fail(_)))
            .count();
        let errors = self
            .cases
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Error(_)))
            .count();
        write!(
            f,
            "{}: {} cases, {} passed, {failed} failed, {errors} could not run",
            self.dir.display(),
            self.cases.len(),
            self.cases.len() - failed - errors
        )
    }
}

// ---------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------

/// Runs every case of `dir/manifest.toml` (see the [module docs](self) for the format).
///
/// `Err` only when the directory as a whole cannot be run: no readable manifest, invalid TOML,
/// an unknown key, a duplicate case name, or no cases at all. Problems with one case (unknown
/// op or parameter, missing `.npy`, kernel error) are that case's [`Outcome::Error`], so one
/// typo does not hide the other results; check [`Report::passed`].
pub fn run_dir(dir: &Path) -> Result<Report, Error> {
    let path = dir.join("manifest.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::Io {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    let manifest: Manifest = toml::from_str(&text).map_err(|e| Error::Manifest {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    if manifest.case.is_empty() {
        return Err(Error::NoCases { path });
    }
    let mut names = BTreeSet::new();
    for c in &manifest.case {
        if !names.insert(c.name.as_str()) {
            return Err(Error::Manifest {
                path,
                reason: format!("case name `{}` appears more than once", c.name),
            });
        }
    }
    // Cases share inputs: read each file once (failures too, reported per case).
    let mut cache: HashMap<String, Result<Value, Error>> = HashMap::new();
    let mut cases = Vec::with_capacity(manifest.case.len());
    for spec in &manifest.case {
        for f in spec.inputs.iter().chain([&spec.expected]) {
            if !cache.contains_key(f) {
                cache.insert(f.clone(), load_npy(&dir.join(f)));
            }
        }
        cases.push(run_case(spec, &cache));
    }
    Ok(Report {
        dir: dir.to_path_buf(),
        cases,
    })
}

type Cache = HashMap<String, Result<Value, Error>>;

fn run_case(spec: &CaseSpec, cache: &Cache) -> CaseReport {
    let mut report = CaseReport {
        name: spec.name.clone(),
        op: spec.op.clone(),
        dtype: "-",
        max_err: None,
        rtol: spec.rtol,
        outcome: Outcome::Pass,
    };
    report.outcome = match check_case(spec, cache, &mut report) {
        Ok(outcome) => outcome,
        Err(e) => Outcome::Error(e),
    };
    report
}

fn check_case(spec: &CaseSpec, cache: &Cache, report: &mut CaseReport) -> Result<Outcome, Error> {
    let case = spec.name.as_str();
    let op = spec.op.as_str();
    let get = |f: &String| cache[f].as_ref().map_err(Clone::clone);
    let inputs = spec.inputs.iter().map(get).collect::<Result<Vec<_>, _>>()?;
    if let Some(first) = inputs.first() {
        report.dtype = first.dtype();
    }
    let Some(entry) = find_op(op) else {
        return Err(Error::UnknownOp {
            case: case.into(),
            op: op.into(),
            known: ops().map(|o| o.name).collect(),
        });
    };
    if !(spec.rtol >= 0.0 && spec.rtol.is_finite()) {
        return Err(Error::InvalidParameter {
            case: case.into(),
            op: op.into(),
            name: "rtol".into(),
            reason: format!("must be a finite number >= 0, got {}", spec.rtol),
        });
    }
    let expected = get(&spec.expected)?;
    let call = Call {
        case,
        op,
        inputs: &inputs,
        params: &spec.params,
        used: RefCell::new(BTreeSet::new()),
    };
    let actual = (entry.run)(&call)?;
    if let Some(name) = call.unused().into_iter().next() {
        return Err(Error::UnknownParameter {
            case: case.into(),
            op: op.into(),
            name,
        });
    }
    Ok(compare(&actual, expected, spec.rtol, &mut report.max_err))
}

/// Judges `actual` against `expected` (see the module docs), recording the error.
fn compare(actual: &Value, expected: &Value, rtol: f64, max_err: &mut Option<f64>) -> Outcome {
    if actual.dtype() != expected.dtype() {
        return Outcome::Fail(format!(
            "result dtype {} but the expected file holds {}",
            actual.dtype(),
            expected.dtype()
        ));
    }
    if actual.shape() != expected.shape() {
        return Outcome::Fail(format!(
            "result shape {:?} but expected shape {:?}",
            actual.shape(),
            expected.shape()
        ));
    }
    let (a, e) = (actual.to_f64(), expected.to_f64());
    let scale = e
        .iter()
        .filter(|x| x.is_finite())
        .fold(0.0f64, |m, x| m.max(x.abs()));
    let scale = if scale > 0.0 { scale } else { 1.0 };
    // Worst finite error and where; non-finite entries must match exactly.
    let mut worst = (0.0f64, None);
    for ((idx, &x), &y) in a.indexed_iter().zip(e.iter()) {
        let same_special = (x.is_nan() && y.is_nan()) || (y.is_infinite() && x == y);
        if !y.is_finite() || !x.is_finite() {
            if !same_special {
                *max_err = Some(f64::INFINITY);
                return Outcome::Fail(format!("at index {:?}: got {x}, expected {y}", idx.slice()));
            }
            continue;
        }
        let err = (x - y).abs() / scale;
        if err > worst.0 {
            worst = (err, Some((idx, x, y)));
        }
    }
    *max_err = Some(worst.0);
    match worst.1 {
        Some((idx, x, y)) if worst.0 > rtol => Outcome::Fail(format!(
            "error {:.2e} > rtol {rtol:e}, worst at index {:?}: got {x:e}, expected {y:e} \
             (max |expected| {scale:e})",
            worst.0,
            idx.slice()
        )),
        _ => Outcome::Pass,
    }
}
