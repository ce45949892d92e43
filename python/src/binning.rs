//! numpy's and scipy's binning (histogram, histogramdd, bincount, digitize,
//! binned_statistic_dd), skimage's block_reduce and ndkern's label statistics, masks, ragged
//! selections and HEALPix maps.

use ndarray::ArrayViewD;
use ndkern_spatial::binning::{self as bn, AxisBins, BlockFunc, Grid, Outside, Scheme, Statistic};
use numpy::{PyReadonlyArray1, PyReadonlyArray2, PyReadonlyArrayDyn};
use pyo3::prelude::*;

use crate::arrays::{d1, d2, d3, intp, Arr, Out};
use crate::errors::to_py;
use crate::runtime::compute;

/// One axis' bins from Python: explicit `edges`, or `n` uniform bins over `[lo, hi]`.
type BinSpec = (Option<Vec<f64>>, f64, f64, usize);

fn axis_bins(spec: BinSpec) -> PyResult<AxisBins> {
    match spec {
        (Some(e), _, _, _) => AxisBins::edges(e),
        (None, lo, hi, n) => AxisBins::uniform(lo, hi, n),
    }
    .map_err(to_py)
}

fn grid(specs: Vec<BinSpec>) -> PyResult<Grid> {
    let axes = specs
        .into_iter()
        .map(axis_bins)
        .collect::<PyResult<Vec<_>>>()?;
    Grid::new(axes).map_err(to_py)
}

/// histogram(a, bins, weights, density) -> float64 counts (or weight sums / densities).
#[pyfunction]
#[pyo3(signature = (a, bins, weights, density))]
fn histogram<'py>(
    py: Python<'py>,
    a: Arr<'py>,
    bins: BinSpec,
    weights: Option<Arr<'py>>,
    density: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let b = axis_bins(bins)?;
    match weights {
        None => dispatch!(py, a, |x| x.len() => bn::histogram(&x, &b, density)),
        Some(w) => dispatch2!(py, a, w, |x, w| x.len() => {
            bn::histogram_weighted(&x, &w, &b, density)
        }),
    }
}

/// histogramdd(points (n, d), bins per axis, weights, density) -> float64 array.
#[pyfunction]
#[pyo3(signature = (points, bins, weights, density))]
fn histogramdd<'py>(
    py: Python<'py>,
    points: Arr<'py>,
    bins: Vec<BinSpec>,
    weights: Option<Arr<'py>>,
    density: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let g = grid(bins)?;
    match weights {
        None => dispatch!(py, points, |p| p.len() => {
            bn::histogramdd(&d2(p, "sample")?, &g, density)
        }),
        Some(w) => dispatch2!(py, points, w, |p, w| p.len() => {
            bn::histogramdd_weighted(&d2(p, "sample")?, &d1(w, "weights")?, &g, density)
        }),
    }
}

/// bincount(x int64 1-d, weights float64 or None, minlength) -> int64 or float64.
#[pyfunction]
#[pyo3(signature = (x, weights, minlength))]
fn bincount<'py>(
    py: Python<'py>,
    x: PyReadonlyArray1<'py, i64>,
    weights: Option<PyReadonlyArray1<'py, f64>>,
    minlength: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let xv = x.as_array();
    match weights {
        None => compute(py, xv.len(), move || bn::bincount(&xv, minlength))
            .and_then(|r| intp(r).out(py)),
        Some(w) => {
            let wv = w.as_array();
            compute(py, xv.len(), move || {
                bn::bincount_weighted(&xv, &wv, minlength)
            })?
            .out(py)
        }
    }
}

/// digitize(x, bins, right) -> int64 indices of x's shape.
#[pyfunction]
fn digitize<'py>(
    py: Python<'py>,
    x: Arr<'py>,
    bins: Vec<f64>,
    right: bool,
) -> PyResult<Bound<'py, PyAny>> {
    dispatch!(py, x, |a| a.len() => bn::digitize(&a, &bins, right).map(intp))
}

fn statistic(name: &str) -> PyResult<Statistic> {
    name.parse::<Statistic>().map_err(to_py)
}

/// binned_statistic_dd(points (n, d), values (n,), bins per axis, statistic, fill) ->
/// float64 array of the grid's shape (points outside the grid dropped).
#[pyfunction]
fn binned_statistic_dd<'py>(
    py: Python<'py>,
    points: Arr<'py>,
    values: Arr<'py>,
    bins: Vec<BinSpec>,
    statistic_name: &str,
    fill: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let g = grid(bins)?;
    let s = statistic(statistic_name)?;
    dispatch2!(py, points, values, |p, v| p.len() => {
        bn::binned_statistic_dd(&d2(p, "sample")?, &d1(v, "values")?, &g, s, fill, Outside::Drop)
    })
}

/// label_stats(labels int64, values, nlabels) -> (count int64 (m,), sums float64 (m, c)).
#[pyfunction]
#[pyo3(signature = (labels, values, nlabels))]
fn label_stats<'py>(
    py: Python<'py>,
    labels: PyReadonlyArrayDyn<'py, i64>,
    values: Arr<'py>,
    nlabels: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    let l = labels.as_array();
    dispatch!(py, values, |v| v.len() => {
        bn::label_stats(&l, &v, nlabels).map(|s| (intp(s.count), s.sum))
    })
}

/// label_mean(labels int64, values, nlabels) -> float64 `labels.shape + [channels]`: every
/// element takes the mean of its label (Q14's recolor: label_stats then gather).
#[pyfunction]
#[pyo3(signature = (labels, values, nlabels))]
fn label_mean<'py>(
    py: Python<'py>,
    labels: PyReadonlyArrayDyn<'py, i64>,
    values: Arr<'py>,
    nlabels: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    let l = labels.as_array();
    dispatch!(py, values, |v| v.len() => {
        let table = bn::label_stats(&l, &v, nlabels)?.mean();
        bn::gather::<f64, i64, _, _, _>(&table, &l)
    })
}

/// gather(table float64 (m, c), labels int64) -> `labels.shape + [c]`.
#[pyfunction]
fn gather<'py>(
    py: Python<'py>,
    table: PyReadonlyArray2<'py, f64>,
    labels: PyReadonlyArrayDyn<'py, i64>,
) -> PyResult<Bound<'py, PyAny>> {
    let (t, l) = (table.as_array(), labels.as_array());
    compute(py, l.len(), move || bn::gather::<f64, i64, _, _, _>(&t, &l))?.out(py)
}

crate::arrays::dtype_enum! {
    /// Samples block_reduce reads in place: floats, bytes and bools.
    enum Samples<'py>: PyReadonlyArrayDyn { F64 = f64, F32 = f32, U8 = u8, Bool = bool }
}

/// block_reduce(image, block, func) -> float64 (partial edge blocks reduced exactly).
#[pyfunction]
fn block_reduce<'py>(
    py: Python<'py>,
    image: Samples<'py>,
    block: Vec<usize>,
    func: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let f = func.parse::<BlockFunc>().map_err(to_py)?;
    fn run<'py, X: bn::Sample>(
        py: Python<'py>,
        a: ArrayViewD<'_, X>,
        block: Vec<usize>,
        f: BlockFunc,
    ) -> PyResult<Bound<'py, PyAny>> {
        compute(py, a.len(), move || bn::block_reduce(&a, &block, f))?.out(py)
    }
    match image {
        Samples::F64(i) => run(py, i.as_array(), block, f),
        Samples::F32(i) => run(py, i.as_array(), block, f),
        Samples::U8(i) => run(py, i.as_array(), block, f),
        Samples::Bool(i) => run(py, i.as_array(), block, f),
    }
}

/// ragged_select(features (frames, points, k), mask bool (frames, points)) ->
/// (offsets int64 (frames + 1,), index int64, values (total, k)).
#[pyfunction]
fn ragged_select<'py>(
    py: Python<'py>,
    features: Arr<'py>,
    mask: PyReadonlyArray2<'py, bool>,
) -> PyResult<Bound<'py, PyAny>> {
    let m = mask.as_array();
    dispatch!(py, features, |f| f.len() => {
        bn::ragged_select(&d3(f, "features")?, &m).map(|r| {
            let offsets = ndarray::Array1::from(r.offsets).mapv(|v| v as i64);
            let index = ndarray::Array1::from(r.index).mapv(|v| v as i64);
            (offsets, index, r.values)
        })
    })
}

fn scheme(nest: bool) -> Scheme {
    if nest {
        Scheme::Nested
    } else {
        Scheme::Ring
    }
}

/// ang2pix(nside, theta, phi, nest) -> int64 pixels of theta's shape.
#[pyfunction]
fn ang2pix<'py>(
    py: Python<'py>,
    nside: u32,
    theta: Arr<'py>,
    phi: Arr<'py>,
    nest: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let s = scheme(nest);
    dispatch2!(py, theta, phi, |t, p| t.len() => bn::ang2pix(nside, &t, &p, s).map(intp))
}

/// healpix_map(nside, theta, phi, values, nest) -> (count int64, sum float64), 12 nside^2.
#[pyfunction]
fn healpix_map<'py>(
    py: Python<'py>,
    nside: u32,
    theta: Arr<'py>,
    phi: Arr<'py>,
    values: Arr<'py>,
    nest: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let s = scheme(nest);
    dispatch3!(py, theta, phi, values, |t, p, v| t.len() => {
        bn::healpix_map(nside, &d1(t, "theta")?, &d1(p, "phi")?, &d1(v, "values")?, s)
            .map(|m| (intp(m.count), m.sum))
    })
}

/// select_in_mask(points (n, d), bins per axis, mask bool d-d) -> int64 indices of the points
/// in set cells.
#[pyfunction]
fn select_in_mask<'py>(
    py: Python<'py>,
    points: Arr<'py>,
    bins: Vec<BinSpec>,
    mask: PyReadonlyArrayDyn<'py, bool>,
) -> PyResult<Bound<'py, PyAny>> {
    let g = grid(bins)?;
    let m = mask.as_array();
    dispatch!(py, points, |p| p.len() => {
        bn::select_in_mask(&d2(p, "points")?, &g, &m)
            .map(|v| ndarray::Array1::from(v).mapv(|i| i as i64))
    })
}

/// histogram_masked(a, mask bool, bins) -> float64 counts of the values where mask is set.
#[pyfunction]
fn histogram_masked<'py>(
    py: Python<'py>,
    a: Arr<'py>,
    mask: PyReadonlyArrayDyn<'py, bool>,
    bins: BinSpec,
) -> PyResult<Bound<'py, PyAny>> {
    let b = axis_bins(bins)?;
    let m = mask.as_array();
    dispatch!(py, a, |x| x.len() => {
        if x.shape() != m.shape() {
            return Err(ndkern_core::Error::ShapeMismatch {
                expected: x.shape().to_vec(),
                got: m.shape().to_vec(),
            });
        }
        bn::histogram_masked(&x, &m, &b)
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(histogram, m)?)?;
    m.add_function(wrap_pyfunction!(histogramdd, m)?)?;
    m.add_function(wrap_pyfunction!(bincount, m)?)?;
    m.add_function(wrap_pyfunction!(digitize, m)?)?;
    m.add_function(wrap_pyfunction!(binned_statistic_dd, m)?)?;
    m.add_function(wrap_pyfunction!(label_stats, m)?)?;
    m.add_function(wrap_pyfunction!(label_mean, m)?)?;
    m.add_function(wrap_pyfunction!(gather, m)?)?;
    m.add_function(wrap_pyfunction!(block_reduce, m)?)?;
    m.add_function(wrap_pyfunction!(ragged_select, m)?)?;
    m.add_function(wrap_pyfunction!(ang2pix, m)?)?;
    m.add_function(wrap_pyfunction!(healpix_map, m)?)?;
    m.add_function(wrap_pyfunction!(select_in_mask, m)?)?;
    m.add_function(wrap_pyfunction!(histogram_masked, m)?)?;
    Ok(())
}
