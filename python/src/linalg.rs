//! scipy.spatial.distance (cdist, pdist), scipy.cluster.vq (via nearest and kmeans), numpy's
//! gradient/polyfit/polyval, skimage's hessian_matrix[_eigvals] and frangi, and ndkern's own
//! linear algebra: hessian_eigvalsh, kmeans, nearest, pca, interpolate, estimate_kernel,
//! level_rows.

use ndarray::Array2;
use ndkern_linalg::{
    self as la, EigOrder, FrangiOptions, KMeansInit, KMeansOptions, KernelMode, Metric,
};
use ndkern_spatial::{self as sp, Spacing};
use numpy::{PyReadonlyArray2, PyReadonlyArrayDyn};
use pyo3::prelude::*;

use crate::arrays::{d1, d2, intp, Arr};
use crate::errors::bad_choice;
use crate::ndimage::border;
use crate::runtime::HEAVY;

fn metric(name: &str, w: Option<Vec<f64>>, vi: Option<Array2<f64>>) -> PyResult<Metric> {
    Ok(match (name, w, vi) {
        ("euclidean", None, None) => Metric::Euclidean,
        ("euclidean", Some(w), None) => Metric::Weighted(w),
        ("sqeuclidean", None, None) => Metric::SqEuclidean,
        ("sqeuclidean", Some(w), None) => Metric::SqWeighted(w),
        ("mahalanobis", None, Some(vi)) => Metric::Mahalanobis(vi),
        ("sqmahalanobis", None, Some(vi)) => Metric::SqMahalanobis(vi),
        (other, _, _) => {
            return Err(bad_choice(
                "metric",
                other,
                "'euclidean', 'sqeuclidean' (each with optional w), 'mahalanobis', \
                 'sqmahalanobis' (with VI)",
            ))
        }
    })
}

/// cdist(xa (m, d), xb (n, d), metric, w, vi) -> (m, n) in the inputs' dtype.
#[pyfunction]
#[pyo3(signature = (xa, xb, metric_name, w, vi))]
fn cdist<'py>(
    py: Python<'py>,
    xa: Arr<'py>,
    xb: Arr<'py>,
    metric_name: &str,
    w: Option<Vec<f64>>,
    vi: Option<PyReadonlyArray2<'py, f64>>,
) -> PyResult<Bound<'py, PyAny>> {
    let m = metric(metric_name, w, vi.map(|v| v.as_array().to_owned()))?;
    dispatch2!(py, xa, xb, |a, b| HEAVY => {
        la::cdist(&d2(a, "XA")?, &d2(b, "XB")?, &m)
    })
}

/// pdist(x (m, d), metric, w, vi) -> condensed (m (m - 1) / 2,) in the input's dtype.
#[pyfunction]
#[pyo3(signature = (x, metric_name, w, vi))]
fn pdist<'py>(
    py: Python<'py>,
    x: Arr<'py>,
    metric_name: &str,
    w: Option<Vec<f64>>,
    vi: Option<PyReadonlyArray2<'py, f64>>,
) -> PyResult<Bound<'py, PyAny>> {
    let m = metric(metric_name, w, vi.map(|v| v.as_array().to_owned()))?;
    dispatch!(py, x, |a| HEAVY => la::pdist(&d2(a, "X")?, &m))
}

/// nearest(points (..., d), centroids (k, d)) -> (index int64 (...), squared distance f64).
#[pyfunction]
fn nearest<'py>(
    py: Python<'py>,
    points: Arr<'py>,
    centroids: Arr<'py>,
) -> PyResult<Bound<'py, PyAny>> {
    dispatch2!(py, points, centroids, |p, c| HEAVY => {
        la::nearest(&p, &d2(c, "centroids")?).map(|(i, d)| (intp(i), d))
    })
}

/// kmeans(x (n, d), k, init centroids or None, seed, max_iter, tol, n_init) ->
/// (labels int64, centroids f64 (k, d), (inertia, n_iter, converged)).
#[pyfunction]
#[pyo3(signature = (x, k, init, seed, max_iter, tol, n_init))]
#[allow(clippy::too_many_arguments)]
fn kmeans<'py>(
    py: Python<'py>,
    x: Arr<'py>,
    k: usize,
    init: Option<PyReadonlyArray2<'py, f64>>,
    seed: u64,
    max_iter: usize,
    tol: f64,
    n_init: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let mut opts = KMeansOptions::new(k);
    opts.init = match init {
        Some(c) => KMeansInit::Given(c.as_array().to_owned()),
        None => KMeansInit::PlusPlus { seed },
    };
    opts.max_iter = max_iter;
    opts.tol = tol;
    opts.n_init = n_init;
    dispatch!(py, x, |a| HEAVY => {
        la::kmeans(&d2(a, "data")?, &opts).map(|r| {
            let info = ndarray::Array1::from(vec![
                r.inertia,
                r.n_iter as f64,
                if r.converged { 1.0 } else { 0.0 },
            ]);
            (intp(r.labels), r.centroids, info)
        })
    })
}

/// pca(x (n, d), n_components, whiten) -> (transformed (n, c) in x's dtype,
/// components (c, d), explained_variance, explained_variance_ratio, mean) as f64.
#[pyfunction]
fn pca<'py>(
    py: Python<'py>,
    x: Arr<'py>,
    n_components: usize,
    whiten: bool,
) -> PyResult<Bound<'py, PyAny>> {
    dispatch!(py, x, |a| HEAVY => {
        let a2 = d2(a, "x")?;
        let p = la::pca(&a2, n_components, whiten)?;
        let t = p.transform(&a2)?;
        Ok(vec![
            t.mapv(num_f64),
            p.components.clone(),
            p.explained_variance.clone().into_shape_with_order((n_components, 1))
                .map_err(|_| crate::errors::invalid("pca", "internal shape"))?,
            p.explained_variance_ratio.clone().into_shape_with_order((n_components, 1))
                .map_err(|_| crate::errors::invalid("pca", "internal shape"))?,
            p.mean.clone().insert_axis(ndarray::Axis(1)),
        ])
    })
}

fn num_f64<T: ndkern_core::Element>(v: T) -> f64 {
    v.to_f64().unwrap_or(f64::NAN)
}

fn eig_order(name: &str) -> PyResult<EigOrder> {
    match name {
        "ascending" => Ok(EigOrder::Ascending),
        "descending" => Ok(EigOrder::Descending),
        "abs" => Ok(EigOrder::AbsAscending),
        other => Err(bad_choice(
            "order",
            other,
            "'ascending', 'descending', 'abs'",
        )),
    }
}

/// hessian_eigvalsh(a 2-d/3-d, order) -> tuple of ndim arrays (a's dtype), fused.
#[pyfunction]
fn hessian_eigvalsh<'py>(py: Python<'py>, a: Arr<'py>, order: &str) -> PyResult<Bound<'py, PyAny>> {
    let o = eig_order(order)?;
    dispatch!(py, a, |x| x.len() => la::hessian_eigvalsh(&x, o))
}

/// hessian_matrix(image, sigma, mode, cval, use_gaussian_derivatives) -> tuple of the
/// upper-triangle planes (image's dtype).
#[pyfunction]
fn hessian_matrix<'py>(
    py: Python<'py>,
    image: Arr<'py>,
    sigma: f64,
    mode: &str,
    cval: f64,
    use_gaussian_derivatives: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let m = border(mode, cval)?;
    dispatch!(py, image, |x| x.len() => la::hessian_matrix(&x, sigma, m, use_gaussian_derivatives))
}

/// Hessian planes of one dtype.
enum Planes<'py> {
    F64(Vec<PyReadonlyArrayDyn<'py, f64>>),
    F32(Vec<PyReadonlyArrayDyn<'py, f32>>),
}

// Each plane is extracted once, by its dtype ([`Arr`] reads the dtype first): pyo3's derive
// tried a float64 list first, and its failure on float32 planes built a Python exception
// (~15 us per call, the cost `Arr` avoids; BENCHMARKS.md, "The Python door").
impl<'a, 'py> FromPyObject<'a, 'py> for Planes<'py> {
    type Error = PyErr;

    fn extract(obj: pyo3::Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let (mut f64s, mut f32s) = (Vec::new(), Vec::new());
        for plane in obj.extract::<Vec<Arr<'py>>>()? {
            match plane {
                Arr::F64(a) => f64s.push(a),
                Arr::F32(a) => f32s.push(a),
            }
        }
        match (f64s.is_empty(), f32s.is_empty()) {
            (_, true) => Ok(Planes::F64(f64s)),
            (true, false) => Ok(Planes::F32(f32s)),
            (false, false) => Err(pyo3::exceptions::PyTypeError::new_err(
                "hessian_eigvals: give every plane the same dtype (all float32 or all float64)",
            )),
        }
    }
}

/// hessian_eigvals(planes, order) -> tuple of eigenvalue planes (the planes' dtype).
#[pyfunction]
fn hessian_eigvals<'py>(
    py: Python<'py>,
    planes: Planes<'py>,
    order: &str,
) -> PyResult<Bound<'py, PyAny>> {
    use crate::arrays::Out;
    use crate::runtime::compute;
    let o = eig_order(order)?;
    match planes {
        Planes::F64(p) => {
            let v: Vec<_> = p.iter().map(|x| x.as_array()).collect();
            let n = v.first().map_or(0, |x| x.len());
            compute(py, n, move || la::hessian_eigvals(&v, o))?.out(py)
        }
        Planes::F32(p) => {
            let v: Vec<_> = p.iter().map(|x| x.as_array()).collect();
            let n = v.first().map_or(0, |x| x.len());
            compute(py, n, move || la::hessian_eigvals(&v, o))?.out(py)
        }
    }
}

/// frangi(image, sigmas, alpha, beta, gamma, black_ridges, mode, cval) -> image's dtype.
#[pyfunction]
#[pyo3(signature = (image, sigmas, alpha, beta, gamma, black_ridges, mode, cval))]
#[allow(clippy::too_many_arguments)]
fn frangi<'py>(
    py: Python<'py>,
    image: Arr<'py>,
    sigmas: Vec<f64>,
    alpha: f64,
    beta: f64,
    gamma: Option<f64>,
    black_ridges: bool,
    mode: &str,
    cval: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let opts = FrangiOptions {
        sigmas,
        alpha,
        beta,
        gamma,
        black_ridges,
        mode: border(mode, cval)?,
    };
    dispatch!(py, image, |x| x.len() => la::frangi(&x, &opts))
}

/// gradient(f, axes, uniform spacings, coordinate spacings, edge_order) -> tuple (f's dtype).
#[pyfunction]
fn gradient<'py>(
    py: Python<'py>,
    f: Arr<'py>,
    axes: Vec<usize>,
    spacing: Vec<(f64, Option<Vec<f64>>)>,
    edge_order: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let spacings: Vec<Spacing> = spacing
        .into_iter()
        .map(|(h, c)| match c {
            Some(c) => Spacing::Coords(c),
            None => Spacing::Uniform(h),
        })
        .collect();
    dispatch!(py, f, |a| a.len() => sp::gradient(&a, &spacings, Some(axes.as_slice()), edge_order))
}

/// polyfit(x, y, deg, w) -> float64 monomial coefficients, highest degree first.
#[pyfunction]
#[pyo3(signature = (x, y, deg, w))]
fn polyfit<'py>(
    py: Python<'py>,
    x: Arr<'py>,
    y: Arr<'py>,
    deg: usize,
    w: Option<Vec<f64>>,
) -> PyResult<Bound<'py, PyAny>> {
    dispatch2!(py, x, y, |a, b| a.len() => {
        la::polyfit(&d1(a, "x")?, &d1(b, "y")?, deg, w.as_deref())
            .map(|p| ndarray::Array1::from(p.to_monomial()))
    })
}

/// polyval(p, x) -> x's dtype (p converted to it).
#[pyfunction]
fn polyval<'py>(py: Python<'py>, p: Vec<f64>, x: Arr<'py>) -> PyResult<Bound<'py, PyAny>> {
    match x {
        Arr::F64(i) => {
            let a = i.as_array();
            use crate::arrays::Out;
            crate::runtime::compute(py, a.len(), move || la::polyval(&p, &a))?.out(py)
        }
        Arr::F32(i) => {
            let a = i.as_array();
            let p32: Vec<f32> = p.iter().map(|&v| v as f32).collect();
            use crate::arrays::Out;
            crate::runtime::compute(py, a.len(), move || la::polyval(&p32, &a))?.out(py)
        }
    }
}

/// interpolate(x, y, t) -> the degree n-1 interpolant through (x, y) at t (t's dtype).
#[pyfunction]
fn interpolate<'py>(
    py: Python<'py>,
    x: Arr<'py>,
    y: Arr<'py>,
    t: Arr<'py>,
) -> PyResult<Bound<'py, PyAny>> {
    dispatch3!(py, x, y, t, |a, b, c| c.len() + a.len() * a.len() => {
        la::interpolate(&d1(a, "xi")?, &d1(b, "yi")?).and_then(|p| p.eval_array(&c))
    })
}

/// estimate_kernel(input, output, size, convolve) -> float64 kernel of shape `size`.
#[pyfunction]
fn estimate_kernel<'py>(
    py: Python<'py>,
    input: Arr<'py>,
    output: Arr<'py>,
    size: Vec<usize>,
    convolve: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let mode = if convolve {
        KernelMode::Convolve
    } else {
        KernelMode::Correlate
    };
    dispatch2!(py, input, output, |a, b| HEAVY => la::estimate_kernel(&a, &b, &size, mode))
}

/// level_rows(image 2-d) -> image minus the least-squares line of every row (its dtype).
#[pyfunction]
fn level_rows<'py>(py: Python<'py>, image: Arr<'py>) -> PyResult<Bound<'py, PyAny>> {
    dispatch!(py, image, |a| a.len() => la::level_rows(&d2(a, "image")?))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(cdist, m)?)?;
    m.add_function(wrap_pyfunction!(pdist, m)?)?;
    m.add_function(wrap_pyfunction!(nearest, m)?)?;
    m.add_function(wrap_pyfunction!(kmeans, m)?)?;
    m.add_function(wrap_pyfunction!(pca, m)?)?;
    m.add_function(wrap_pyfunction!(hessian_eigvalsh, m)?)?;
    m.add_function(wrap_pyfunction!(hessian_matrix, m)?)?;
    m.add_function(wrap_pyfunction!(hessian_eigvals, m)?)?;
    m.add_function(wrap_pyfunction!(frangi, m)?)?;
    m.add_function(wrap_pyfunction!(gradient, m)?)?;
    m.add_function(wrap_pyfunction!(polyfit, m)?)?;
    m.add_function(wrap_pyfunction!(polyval, m)?)?;
    m.add_function(wrap_pyfunction!(interpolate, m)?)?;
    m.add_function(wrap_pyfunction!(estimate_kernel, m)?)?;
    m.add_function(wrap_pyfunction!(level_rows, m)?)?;
    Ok(())
}
