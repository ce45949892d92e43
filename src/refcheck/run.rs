//! The manifest, the report, and running a directory of cases.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use ndarray::Dimension;
use serde::Deserialize;

use super::{find_op, load_npy, ops, Call, Error, Value};

// The manifest

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

// The report

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

// Running

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

/// Runs every case directory at or below `root` (each directory holding a `manifest.toml`;
/// ndkern's own data has one per family: `tests/data/core`, `tests/data/spatial`, ...) and
/// concatenates their reports. `Err` if a manifest is broken or no manifest is found.
///
/// ```
/// let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
/// let report = ndkern::refcheck::run_tree(&data).unwrap();
/// assert!(report.cases.iter().any(|c| c.op == "core.var"));
/// ```
pub fn run_tree(root: &Path) -> Result<Report, Error> {
    let mut dirs = Vec::new();
    collect_case_dirs(root, &mut dirs)?;
    if dirs.is_empty() {
        return Err(Error::NoCases {
            path: root.join("manifest.toml"),
        });
    }
    let mut cases = Vec::new();
    for d in dirs {
        cases.extend(run_dir(&d)?.cases);
    }
    Ok(Report {
        dir: root.to_path_buf(),
        cases,
    })
}

/// Directories at or below `dir` holding a `manifest.toml`, in sorted order.
fn collect_case_dirs(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    if dir.join("manifest.toml").is_file() {
        out.push(dir.to_path_buf());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| Error::Io {
        path: dir.to_path_buf(),
        reason: e.to_string(),
    })?;
    let mut subdirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    subdirs.sort();
    for sub in subdirs {
        collect_case_dirs(&sub, out)?;
    }
    Ok(())
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
