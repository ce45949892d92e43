//! Ops of ndkern-spatial's binning family (`spatial.histogramdd`, `spatial.bincount`, ...),
//! named after their numpy/scipy/scikit-image/healpy counterparts, with that counterpart's
//! keyword names as parameters.
//!
//! | op | inputs | parameters | counterpart |
//! |---|---|---|---|
//! | `spatial.histogram` | `a` [, `weights`] | `bins` (int or edges), `range`, `density` | `np.histogram(...)[0]` (as float64) |
//! | `spatial.histogramdd` | `sample` [, `weights`] | `bins` (int, ints or edge lists), `range`, `density` | `np.histogramdd(...)[0]` |
//! | `spatial.digitize` | `x` | `bins`, `right` | `np.digitize` |
//! | `spatial.bincount` | `x` (int64) [, `weights`] | `minlength` | `np.bincount` |
//! | `spatial.add_at` | `a`, `indices` (int64 `(n, a.ndim)`), `values` | | `np.add.at(a, tuple(indices.T), values)` |
//! | `spatial.binned_statistic_dd` | `sample`, `values` | `statistic`, `bins`, `range` | `scipy.stats.binned_statistic_dd(...).statistic` |
//! | `spatial.block_reduce` | `image` (float, uint8 or bool) | `block_size`, `func` | `skimage.measure.block_reduce` |
//! | `spatial.extract` | `condition` (bool), `arr` | | `np.extract(condition, arr)` (`arr[mask]`) |
//! | `spatial.ang2pix` | `theta`, `phi` | `nside`, `nest` | `healpy.ang2pix` |

use ndarray::{ArrayD, ArrayView1, ArrayView2, Ix1, Ix2};
use ndkern_core::Element;
use ndkern_spatial::binning::{self, AxisBins, Grid, Outside, Scheme, Statistic};

use super::{Call, Error, Op, Value};

/// f32/f64 inputs of one dtype.
trait Pick: Element + binning::Sample {
    fn pick(v: &Value) -> Option<&ArrayD<Self>>;
}
impl Pick for f64 {
    fn pick(v: &Value) -> Option<&ArrayD<f64>> {
        match v {
            Value::F64(a) => Some(a),
            _ => None,
        }
    }
}
impl Pick for f32 {
    fn pick(v: &Value) -> Option<&ArrayD<f32>> {
        match v {
            Value::F32(a) => Some(a),
            _ => None,
        }
    }
}

/// Runs `$f::<T>(c)` with `T` the first input's float dtype.
macro_rules! by_dtype {
    ($c:ident, $f:ident) => {
        match $c.inputs.first() {
            Some(Value::F64(_)) => $f::<f64>($c),
            Some(Value::F32(_)) => $f::<f32>($c),
            Some(other) => Err($c.unsupported_dtype(other)),
            None => Err($c.invalid("inputs", "needs at least one input")),
        }
    };
}

fn input<'a>(c: &Call<'a>, k: usize) -> Result<&'a Value, Error> {
    c.inputs
        .get(k)
        .copied()
        .ok_or_else(|| c.invalid("inputs", format!("needs input {k}")))
}

fn float_input<'a, T: Pick>(c: &Call<'a>, k: usize) -> Result<&'a ArrayD<T>, Error> {
    let v = input(c, k)?;
    T::pick(v).ok_or_else(|| c.unsupported_dtype(v))
}

fn dim1<'a, X>(c: &Call<'_>, a: &'a ArrayD<X>, what: &str) -> Result<ArrayView1<'a, X>, Error> {
    a.view()
        .into_dimensionality::<Ix1>()
        .map_err(|_| c.invalid(what, format!("must be 1-d, got shape {:?}", a.shape())))
}

fn dim2<'a, X>(c: &Call<'_>, a: &'a ArrayD<X>, what: &str) -> Result<ArrayView2<'a, X>, Error> {
    a.view()
        .into_dimensionality::<Ix2>()
        .map_err(|_| c.invalid(what, format!("must be 2-d, got shape {:?}", a.shape())))
}

fn float_of(c: &Call<'_>, name: &str, v: &toml::Value) -> Result<f64, Error> {
    match v {
        toml::Value::Float(x) => Ok(*x),
        toml::Value::Integer(i) => Ok(*i as f64),
        other => Err(c.invalid(name, format!("expected a number, got {other}"))),
    }
}

fn floats_of(c: &Call<'_>, name: &str, v: &toml::Value) -> Result<Vec<f64>, Error> {
    match v {
        toml::Value::Array(a) => a.iter().map(|x| float_of(c, name, x)).collect(),
        other => Err(c.invalid(name, format!("expected a list of numbers, got {other}"))),
    }
}

fn kernel<T>(c: &Call<'_>, r: ndkern_core::Result<T>) -> Result<T, Error> {
    r.map_err(|e| c.kernel_error(e))
}

/// numpy's default range of one dimension: min..max of the data, widened by 0.5 when equal.
fn auto_range<T: Element>(col: ArrayView1<'_, T>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for &x in col {
        lo = lo.min(x.as_f64());
        hi = hi.max(x.as_f64());
    }
    if col.is_empty() {
        (0.0, 1.0)
    } else if lo == hi {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    }
}

/// numpy's `bins` (an int, one int per dimension, or one edge list per dimension) and
/// `range` (one `[lo, hi]` per dimension, default min..max of the sample).
fn grid_of<T: Element>(c: &Call<'_>, sample: ArrayView2<'_, T>) -> Result<Grid, Error> {
    let d = sample.ncols();
    let bins = c.param("bins");
    let range: Option<Vec<(f64, f64)>> = match c.param("range") {
        None => None,
        Some(toml::Value::Array(rs)) => Some(
            rs.iter()
                .map(|r| {
                    let v = floats_of(c, "range", r)?;
                    match v[..] {
                        [lo, hi] => Ok((lo, hi)),
                        _ => Err(c.invalid("range", "each entry must be [lo, hi]")),
                    }
                })
                .collect::<Result<_, _>>()?,
        ),
        Some(other) => return Err(c.invalid("range", format!("expected a list, got {other}"))),
    };
    let uniform = |k: usize, n: i64| -> Result<AxisBins, Error> {
        let n =
            usize::try_from(n).map_err(|_| c.invalid("bins", format!("must be >= 1, got {n}")))?;
        let (lo, hi) = match &range {
            Some(r) => *r
                .get(k)
                .ok_or_else(|| c.invalid("range", format!("needs {d} entries")))?,
            None => auto_range(sample.column(k)),
        };
        kernel(c, AxisBins::uniform(lo, hi, n))
    };
    let axes = match bins {
        None => (0..d)
            .map(|k| uniform(k, 10))
            .collect::<Result<Vec<_>, _>>()?,
        Some(toml::Value::Integer(n)) => {
            (0..d).map(|k| uniform(k, *n)).collect::<Result<_, _>>()?
        }
        Some(toml::Value::Array(list)) => list
            .iter()
            .enumerate()
            .map(|(k, b)| match b {
                toml::Value::Integer(n) => uniform(k, *n),
                toml::Value::Array(_) => kernel(c, AxisBins::edges(floats_of(c, "bins", b)?)),
                other => Err(c.invalid("bins", format!("unexpected entry {other}"))),
            })
            .collect::<Result<_, _>>()?,
        Some(other) => return Err(c.invalid("bins", format!("unexpected value {other}"))),
    };
    kernel(c, Grid::new(axes))
}

fn run_histogramdd<T: Pick>(c: &Call<'_>) -> Result<Value, Error> {
    let sample = dim2(c, float_input::<T>(c, 0)?, "sample")?;
    let grid = grid_of(c, sample)?;
    let density = c.bool_or("density", false)?;
    let h = if c.inputs.len() > 1 {
        let w = dim1(c, float_input::<T>(c, 1)?, "weights")?;
        kernel(
            c,
            binning::histogramdd_weighted(&sample, &w, &grid, density),
        )?
    } else {
        kernel(c, binning::histogramdd(&sample, &grid, density))?
    };
    Ok(Value::from(h))
}

fn run_histogram<T: Pick>(c: &Call<'_>) -> Result<Value, Error> {
    let a = float_input::<T>(c, 0)?;
    let flat: ndarray::Array1<T> = a.iter().copied().collect();
    let col = flat.view().insert_axis(ndarray::Axis(1));
    // np.histogram's `bins` (an int or the edges) and `range` ([lo, hi], default min..max).
    let bins = match c.param("bins") {
        Some(b @ toml::Value::Array(_)) => kernel(c, AxisBins::edges(floats_of(c, "bins", b)?))?,
        _ => {
            let n = c.usize_or("bins", 10)?;
            let (lo, hi) = match c.param("range") {
                Some(r) => match floats_of(c, "range", r)?[..] {
                    [lo, hi] => (lo, hi),
                    _ => return Err(c.invalid("range", "must be [lo, hi]")),
                },
                None => auto_range(col.column(0)),
            };
            kernel(c, AxisBins::uniform(lo, hi, n))?
        }
    };
    let density = c.bool_or("density", false)?;
    let h = if c.inputs.len() > 1 {
        let w = float_input::<T>(c, 1)?;
        kernel(c, binning::histogram_weighted(a, w, &bins, density))?
    } else {
        kernel(c, binning::histogram(a, &bins, density))?
    };
    Ok(Value::from(h.into_dyn()))
}

fn run_digitize<T: Pick>(c: &Call<'_>) -> Result<Value, Error> {
    let x = float_input::<T>(c, 0)?;
    let bins = match c.param("bins") {
        Some(b) => floats_of(c, "bins", b)?,
        None => return Err(c.invalid("bins", "is required")),
    };
    let right = c.bool_or("right", false)?;
    Ok(Value::from(kernel(c, binning::digitize(x, &bins, right))?))
}

fn int_input<'a>(c: &Call<'a>, k: usize) -> Result<&'a ArrayD<i64>, Error> {
    match input(c, k)? {
        Value::I64(a) => Ok(a),
        other => Err(c.unsupported_dtype(other)),
    }
}

fn run_bincount(c: &Call<'_>) -> Result<Value, Error> {
    let x = dim1(c, int_input(c, 0)?, "x")?;
    let minlength = c.usize_or("minlength", 0)?;
    match c.inputs.get(1) {
        None => Ok(Value::from(
            kernel(c, binning::bincount(&x, minlength))?.into_dyn(),
        )),
        Some(Value::F64(w)) => {
            let w = dim1(c, w, "weights")?;
            Ok(Value::from(
                kernel(c, binning::bincount_weighted(&x, &w, minlength))?.into_dyn(),
            ))
        }
        Some(Value::F32(w)) => {
            let w = dim1(c, w, "weights")?;
            Ok(Value::from(
                kernel(c, binning::bincount_weighted(&x, &w, minlength))?.into_dyn(),
            ))
        }
        Some(other) => Err(c.unsupported_dtype(other)),
    }
}

fn run_add_at<T: Pick>(c: &Call<'_>) -> Result<Value, Error>
where
    ArrayD<T>: Into<Value>,
{
    let mut a = float_input::<T>(c, 0)?.clone();
    let idx = dim2(c, int_input(c, 1)?, "indices")?;
    let v = dim1(c, float_input::<T>(c, 2)?, "values")?;
    kernel(c, binning::scatter_add(&mut a, &idx, &v))?;
    Ok(a.into())
}

fn run_binned_statistic_dd<T: Pick>(c: &Call<'_>) -> Result<Value, Error> {
    let sample = dim2(c, float_input::<T>(c, 0)?, "sample")?;
    let values = dim1(c, float_input::<T>(c, 1)?, "values")?;
    let grid = grid_of(c, sample)?;
    let stat: Statistic = kernel(c, c.str_or("statistic", "mean")?.parse())?;
    Ok(Value::from(kernel(
        c,
        binning::binned_statistic_dd(&sample, &values, &grid, stat, f64::NAN, Outside::Drop),
    )?))
}

/// `block_reduce` of a float, uint8 or bool image (Q9's images are uint8 or masks).
fn run_block_reduce(c: &Call<'_>) -> Result<Value, Error> {
    let image = input(c, 0)?;
    let block: Vec<usize> = match c.param("block_size") {
        Some(toml::Value::Integer(b)) => {
            vec![usize::try_from(*b).unwrap_or(0); image.shape().len()]
        }
        Some(b) => floats_of(c, "block_size", b)?
            .iter()
            .map(|&x| x as usize)
            .collect(),
        None => return Err(c.invalid("block_size", "is required")),
    };
    let func = kernel(c, c.str_or("func", "sum")?.parse())?;
    let out = match image {
        Value::F64(a) => binning::block_reduce(a, &block, func),
        Value::F32(a) => binning::block_reduce(a, &block, func),
        Value::U8(a) => binning::block_reduce(a, &block, func),
        Value::Bool(a) => binning::block_reduce(a, &block, func),
        other => return Err(c.unsupported_dtype(other)),
    };
    Ok(Value::from(kernel(c, out)?))
}

/// `np.extract(condition, arr)` (= `arr[condition]` for equal shapes): [`binning::masked_select`].
fn run_extract<T: Pick>(c: &Call<'_>) -> Result<Value, Error>
where
    Value: From<ArrayD<T>>,
{
    let cond = match input(c, 0)? {
        Value::Bool(m) => m,
        other => return Err(c.unsupported_dtype(other)),
    };
    let arr = float_input::<T>(c, 1)?;
    let out = kernel(c, binning::masked_select(arr, cond))?;
    Ok(Value::from(out.into_dyn()))
}

fn run_ang2pix<T: Pick>(c: &Call<'_>) -> Result<Value, Error> {
    let theta = float_input::<T>(c, 0)?;
    let phi = float_input::<T>(c, 1)?;
    let nside =
        u32::try_from(c.usize_or("nside", 1)?).map_err(|_| c.invalid("nside", "too large"))?;
    let scheme = if c.bool_or("nest", false)? {
        Scheme::Nested
    } else {
        Scheme::Ring
    };
    Ok(Value::from(kernel(
        c,
        binning::ang2pix(nside, theta, phi, scheme),
    )?))
}

pub(super) const BINNING_OPS: &[Op] = &[
    Op {
        name: "spatial.histogram",
        run: |c| by_dtype!(c, run_histogram),
    },
    Op {
        name: "spatial.histogramdd",
        run: |c| by_dtype!(c, run_histogramdd),
    },
    Op {
        name: "spatial.digitize",
        run: |c| by_dtype!(c, run_digitize),
    },
    Op {
        name: "spatial.bincount",
        run: run_bincount,
    },
    Op {
        name: "spatial.add_at",
        run: |c| by_dtype!(c, run_add_at),
    },
    Op {
        name: "spatial.binned_statistic_dd",
        run: |c| by_dtype!(c, run_binned_statistic_dd),
    },
    Op {
        name: "spatial.block_reduce",
        run: run_block_reduce,
    },
    Op {
        name: "spatial.extract",
        run: |c| match c.inputs.get(1) {
            Some(Value::F64(_)) => run_extract::<f64>(c),
            Some(Value::F32(_)) => run_extract::<f32>(c),
            Some(other) => Err(c.unsupported_dtype(other)),
            None => Err(c.invalid("inputs", "needs condition and arr")),
        },
    },
    Op {
        name: "spatial.ang2pix",
        run: |c| by_dtype!(c, run_ang2pix),
    },
];
