//! ndkern's curve_fit (Q6): Levenberg-Marquardt over whole N-d arrays with NaN-masked data,
//! the model a Python callable (so the GIL is held while it runs; the fit's own linear
//! algebra is small).

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};

use ndarray::ArrayD;
use ndkern_linalg::{self as la, CurveFitOptions};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArrayDyn};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::errors::{from_panic, to_py};

/// curve_fit(model, ydata float64, p0, ftol, xtol, gtol, max_nfev) ->
/// (params, cov, ssr, n_points, nfev, converged). `model(p)` must return a float64 array of
/// ydata's shape; an exception it raises ends the fit and is re-raised.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn curve_fit<'py>(
    py: Python<'py>,
    model: Bound<'py, PyAny>,
    ydata: PyReadonlyArrayDyn<'py, f64>,
    p0: Vec<f64>,
    ftol: f64,
    xtol: f64,
    gtol: f64,
    max_nfev: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let y = ydata.as_array();
    let shape = y.shape().to_vec();
    let failed: RefCell<Option<PyErr>> = RefCell::new(None);
    let nan = || ArrayD::from_elem(shape.clone(), f64::NAN);
    let f = |p: &[f64]| -> ArrayD<f64> {
        if failed.borrow().is_some() {
            return nan();
        }
        let r = model
            .call1((PyArray1::from_slice(py, p),))
            .and_then(|v| v.extract::<PyReadonlyArrayDyn<'py, f64>>())
            .map(|a| a.as_array().to_owned());
        match r {
            Ok(a) => a,
            Err(e) => {
                *failed.borrow_mut() = Some(e);
                nan()
            }
        }
    };
    let opts = CurveFitOptions {
        ftol,
        xtol,
        gtol,
        max_nfev,
    };
    let r = catch_unwind(AssertUnwindSafe(|| la::curve_fit(f, &y, &p0, &opts)));
    if let Some(e) = failed.into_inner() {
        return Err(e);
    }
    let fit = match r {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => return Err(to_py(e)),
        Err(p) => return Err(from_panic(p.as_ref())),
    };
    let items: Vec<Bound<'py, PyAny>> = vec![
        PyArray1::from_vec(py, fit.params).into_any(),
        fit.cov.into_pyarray(py).into_any(),
        fit.ssr.into_pyobject(py)?.into_any(),
        fit.n_points.into_pyobject(py)?.into_any(),
        fit.nfev.into_pyobject(py)?.into_any(),
        pyo3::types::PyBool::new(py, fit.converged)
            .to_owned()
            .into_any(),
    ];
    Ok(PyTuple::new(py, items)?.into_any())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(curve_fit, m)?)?;
    Ok(())
}
