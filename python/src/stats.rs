//! scipy.stats: gaussian_kde (the object), pearsonr; ndkern's detrend_rolling_pearson (Q3).

use ndkern_signal::{self as sg, Bandwidth, GaussianKde};
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray2};
use pyo3::prelude::*;

use crate::arrays::{d1, Arr};
use crate::errors::bad_choice;
use crate::runtime::{compute, HEAVY};

/// A fitted Gaussian KDE (1-D or 2-D), built by `ndkern.stats.gaussian_kde`.
#[pyclass(module = "ndkern._ndkern", name = "Kde", frozen)]
pub struct Kde {
    inner: GaussianKde,
}

#[pymethods]
impl Kde {
    /// Kde(dataset float64 (d, n), bw ("scott", "silverman" or "factor"), factor, weights,
    /// bounds (lo, hi) or None).
    #[new]
    #[pyo3(signature = (dataset, bw, factor, weights, bounds))]
    fn new(
        py: Python<'_>,
        dataset: PyReadonlyArray2<'_, f64>,
        bw: &str,
        factor: f64,
        weights: Option<Vec<f64>>,
        bounds: Option<(f64, f64)>,
    ) -> PyResult<Self> {
        let b = match bw {
            "scott" => Bandwidth::Scott,
            "silverman" => Bandwidth::Silverman,
            "factor" => Bandwidth::Factor(factor),
            other => {
                return Err(bad_choice(
                    "bw_method",
                    other,
                    "'scott', 'silverman', a number",
                ))
            }
        };
        let d = dataset.as_array();
        let inner = compute(py, d.len(), move || {
            let k = GaussianKde::new(&d, b, weights.as_deref())?;
            match bounds {
                Some((lo, hi)) => k.with_bounds(lo, hi),
                None => Ok(k),
            }
        })?;
        Ok(Kde { inner })
    }

    /// The density at each column of `points` (float64 (d, m)).
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        points: PyReadonlyArray2<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let p = points.as_array();
        let k = &self.inner;
        Ok(compute(py, HEAVY, move || k.evaluate(&p))?.into_pyarray(py))
    }

    /// The probability mass in [lo, hi] (1-D).
    fn integrate_box_1d(&self, py: Python<'_>, lo: f64, hi: f64) -> PyResult<f64> {
        let k = &self.inner;
        compute(py, 0, move || Ok(k.integrate_box_1d(lo, hi)))
    }

    #[getter]
    fn factor(&self) -> f64 {
        self.inner.factor()
    }

    #[getter]
    fn neff(&self) -> f64 {
        self.inner.neff()
    }

    #[getter]
    fn covariance<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray2<f64>> {
        self.inner.covariance().into_pyarray(py)
    }
}

/// pearson_r(a, y 1-d, axis) -> r of y against every series of a along axis (a's dtype).
#[pyfunction]
fn pearson_r<'py>(
    py: Python<'py>,
    a: Arr<'py>,
    y: Arr<'py>,
    axis: isize,
) -> PyResult<Bound<'py, PyAny>> {
    dispatch2!(py, a, y, |x, y| x.len() => sg::pearson_r(&x, &d1(y, "y")?, axis))
}

/// detrend_rolling_pearson(a, y 1-d, axis, window, trim) -> r per series (Q3).
#[pyfunction]
fn detrend_rolling_pearson<'py>(
    py: Python<'py>,
    a: Arr<'py>,
    y: Arr<'py>,
    axis: isize,
    window: usize,
    trim: usize,
) -> PyResult<Bound<'py, PyAny>> {
    dispatch2!(py, a, y, |x, y| x.len() => {
        sg::detrend_rolling_pearson(&x, &d1(y, "y")?, axis, window, trim)
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Kde>()?;
    m.add_function(wrap_pyfunction!(pearson_r, m)?)?;
    m.add_function(wrap_pyfunction!(detrend_rolling_pearson, m)?)?;
    Ok(())
}
