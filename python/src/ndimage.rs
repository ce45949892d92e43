//! scipy.ndimage's linear filters and ndkern's window statistics, written into the output
//! array the Python layer allocated (any strides).

use ndkern_core::BorderMode;
use ndkern_spatial::{self as sp, GaussianOptions, WindowMode};
use numpy::PyReadonlyArrayDyn;
use pyo3::prelude::*;

use crate::arrays::{Arr, ArrMut};
use crate::errors::{dtype_mismatch, to_py};
use crate::runtime::compute;

pub fn border(mode: &str, cval: f64) -> PyResult<BorderMode> {
    BorderMode::from_scipy(mode, cval).map_err(to_py)
}

fn window_mode(mode: &str, cval: f64) -> PyResult<WindowMode> {
    if mode == "shrink" {
        Ok(WindowMode::Shrink)
    } else {
        Ok(border(mode, cval)?.into())
    }
}

/// uniform_filter1d(input, size, axis, mode, cval, origin, output)
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn uniform_filter1d(
    py: Python<'_>,
    input: Arr<'_>,
    size: usize,
    axis: usize,
    mode: &str,
    cval: f64,
    origin: isize,
    output: ArrMut<'_>,
) -> PyResult<()> {
    let m = window_mode(mode, cval)?;
    with_io!(py, input, output, |a, o| sp::uniform_filter1d_into(
        &a, size, axis, m, origin, o
    ))
}

/// uniform_filter(input, sizes, mode, cval, origins, output)
#[pyfunction]
fn uniform_filter(
    py: Python<'_>,
    input: Arr<'_>,
    sizes: Vec<usize>,
    mode: &str,
    cval: f64,
    origins: Vec<isize>,
    output: ArrMut<'_>,
) -> PyResult<()> {
    let m = window_mode(mode, cval)?;
    with_io!(py, input, output, |a, o| sp::uniform_filter_into(
        &a, &sizes, m, &origins, o
    ))
}

/// window_sum(input, sizes, mode, cval, origins, output)
#[pyfunction]
fn window_sum(
    py: Python<'_>,
    input: Arr<'_>,
    sizes: Vec<usize>,
    mode: &str,
    cval: f64,
    origins: Vec<isize>,
    output: ArrMut<'_>,
) -> PyResult<()> {
    let m = window_mode(mode, cval)?;
    with_io!(py, input, output, |a, o| sp::window_sum_into(
        &a, &sizes, m, &origins, o
    ))
}

/// local_mean_var(input, sizes, mode, cval, mean_out, var_out)
#[pyfunction]
fn local_mean_var(
    py: Python<'_>,
    input: Arr<'_>,
    sizes: Vec<usize>,
    mode: &str,
    cval: f64,
    mean: ArrMut<'_>,
    var: ArrMut<'_>,
) -> PyResult<()> {
    let m = window_mode(mode, cval)?;
    match (input, mean, var) {
        (Arr::F64(i), ArrMut::F64(mut mo), ArrMut::F64(mut vo)) => {
            let (a, mo, vo) = (i.as_array(), mo.as_array_mut(), vo.as_array_mut());
            compute(py, a.len(), move || {
                sp::local_mean_var_into(&a, &sizes, m, mo, vo)
            })
        }
        (Arr::F32(i), ArrMut::F32(mut mo), ArrMut::F32(mut vo)) => {
            let (a, mo, vo) = (i.as_array(), mo.as_array_mut(), vo.as_array_mut());
            compute(py, a.len(), move || {
                sp::local_mean_var_into(&a, &sizes, m, mo, vo)
            })
        }
        _ => Err(dtype_mismatch()),
    }
}

/// correlate1d(input, weights, axis, mode, cval, origin, output, convolve)
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn correlate1d(
    py: Python<'_>,
    input: Arr<'_>,
    weights: Vec<f64>,
    axis: usize,
    mode: &str,
    cval: f64,
    origin: isize,
    output: ArrMut<'_>,
    convolve: bool,
) -> PyResult<()> {
    let m = border(mode, cval)?;
    with_io!(py, input, output, |a, o| if convolve {
        sp::convolve1d_into(&a, &weights, axis, m, origin, o)
    } else {
        sp::correlate1d_into(&a, &weights, axis, m, origin, o)
    })
}

/// correlate(input, weights, mode, cval, origins, output, convolve)
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn correlate(
    py: Python<'_>,
    input: Arr<'_>,
    weights: PyReadonlyArrayDyn<'_, f64>,
    mode: &str,
    cval: f64,
    origins: Vec<isize>,
    output: ArrMut<'_>,
    convolve: bool,
) -> PyResult<()> {
    let m = border(mode, cval)?;
    let w = weights.as_array();
    with_io!(py, input, output, |a, o| if convolve {
        sp::convolve_into(&a, &w, m, &origins, o)
    } else {
        sp::correlate_into(&a, &w, m, &origins, o)
    })
}

/// gaussian_filter1d(input, sigma, axis, order, mode, cval, truncate, radius, output)
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn gaussian_filter1d(
    py: Python<'_>,
    input: Arr<'_>,
    sigma: f64,
    axis: usize,
    order: usize,
    mode: &str,
    cval: f64,
    truncate: f64,
    radius: Option<usize>,
    output: ArrMut<'_>,
) -> PyResult<()> {
    let opts = GaussianOptions {
        order: vec![order],
        mode: border(mode, cval)?,
        truncate,
        radius: radius.map(|r| vec![r]),
    };
    with_io!(py, input, output, |a, o| sp::gaussian_filter1d_into(
        &a, sigma, axis, &opts, o
    ))
}

/// gaussian_filter(input, sigmas, orders, mode, cval, truncate, radii, output)
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn gaussian_filter(
    py: Python<'_>,
    input: Arr<'_>,
    sigmas: Vec<f64>,
    orders: Vec<usize>,
    mode: &str,
    cval: f64,
    truncate: f64,
    radii: Option<Vec<usize>>,
    output: ArrMut<'_>,
) -> PyResult<()> {
    let opts = GaussianOptions {
        order: orders,
        mode: border(mode, cval)?,
        truncate,
        radius: radii,
    };
    with_io!(py, input, output, |a, o| sp::gaussian_filter_into(
        &a, &sigmas, &opts, o
    ))
}

/// gaussian_filter_recursive(input, sigmas, mode, cval, output): Young-van Vliet IIR.
#[pyfunction]
fn gaussian_filter_recursive(
    py: Python<'_>,
    input: Arr<'_>,
    sigmas: Vec<f64>,
    mode: &str,
    cval: f64,
    output: ArrMut<'_>,
) -> PyResult<()> {
    let m = border(mode, cval)?;
    with_io!(
        py,
        input,
        output,
        |a, o| sp::gaussian_filter_recursive_into(&a, &sigmas, m, o)
    )
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(uniform_filter1d, m)?)?;
    m.add_function(wrap_pyfunction!(uniform_filter, m)?)?;
    m.add_function(wrap_pyfunction!(window_sum, m)?)?;
    m.add_function(wrap_pyfunction!(local_mean_var, m)?)?;
    m.add_function(wrap_pyfunction!(correlate1d, m)?)?;
    m.add_function(wrap_pyfunction!(correlate, m)?)?;
    m.add_function(wrap_pyfunction!(gaussian_filter1d, m)?)?;
    m.add_function(wrap_pyfunction!(gaussian_filter, m)?)?;
    m.add_function(wrap_pyfunction!(gaussian_filter_recursive, m)?)?;
    Ok(())
}
