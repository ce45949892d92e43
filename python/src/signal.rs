//! scipy.signal (detrend, convolve, correlate, fftconvolve, oaconvolve), numpy.fft's shifts,
//! skimage's phase_cross_correlation and ndkern's circular cross-correlation (Q22).

use ndkern_signal::{self as sg, Method, Mode, Normalization, Trend};
use pyo3::prelude::*;

use crate::arrays::Arr;
use crate::errors::{bad_choice, to_py};
use crate::runtime::HEAVY;

/// detrend(data, axis, type, bp) -> data's dtype.
#[pyfunction]
fn detrend<'py>(
    py: Python<'py>,
    data: Arr<'py>,
    axis: isize,
    kind: &str,
    bp: Vec<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    let t = Trend::parse(kind).map_err(to_py)?;
    dispatch!(py, data, |a| a.len() => sg::detrend(&a, axis, t, &bp))
}

/// convolve(op, in1, in2, mode, method, axes): op is "convolve", "correlate",
/// "fftconvolve" or "oaconvolve"; the inputs' dtype.
#[pyfunction]
#[pyo3(signature = (op, in1, in2, mode, method, axes))]
fn convolve<'py>(
    py: Python<'py>,
    op: &str,
    in1: Arr<'py>,
    in2: Arr<'py>,
    mode: &str,
    method: &str,
    axes: Option<Vec<usize>>,
) -> PyResult<Bound<'py, PyAny>> {
    let m = Mode::parse(mode).map_err(to_py)?;
    let me = Method::parse(method).map_err(to_py)?;
    let op = match op {
        "convolve" | "correlate" | "fftconvolve" | "oaconvolve" => op.to_owned(),
        other => {
            return Err(bad_choice(
                "op",
                other,
                "convolve, correlate, fftconvolve, oaconvolve",
            ))
        }
    };
    dispatch2!(py, in1, in2, |a, b| HEAVY => {
        let ax = axes.as_deref();
        match op.as_str() {
            "convolve" => sg::convolve(&a, &b, m, me, ax),
            "correlate" => sg::correlate(&a, &b, m, me, ax),
            "fftconvolve" => sg::fftconvolve(&a, &b, m, ax),
            _ => sg::oaconvolve(&a, &b, m, ax),
        }
    })
}

/// fftshift(x, axes, inverse) -> x's dtype (ifftshift when `inverse`).
#[pyfunction]
fn fftshift<'py>(
    py: Python<'py>,
    x: Arr<'py>,
    axes: Vec<usize>,
    inverse: bool,
) -> PyResult<Bound<'py, PyAny>> {
    dispatch!(py, x, |a| a.len() => if inverse {
        sg::ifftshift(&a, &axes)
    } else {
        sg::fftshift(&a, &axes)
    })
}

/// phase_cross_correlation(reference, moving, upsample_factor, normalization "phase"/None)
/// -> (shift float64, error, phasediff).
#[pyfunction]
#[pyo3(signature = (reference, moving, upsample_factor, normalization))]
fn phase_cross_correlation<'py>(
    py: Python<'py>,
    reference: Arr<'py>,
    moving: Arr<'py>,
    upsample_factor: usize,
    normalization: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let n = match normalization {
        None => Normalization::None,
        Some("phase") => Normalization::Phase,
        Some(other) => return Err(bad_choice("normalization", other, "'phase' or None")),
    };
    dispatch2!(py, reference, moving, |a, b| HEAVY => {
        sg::phase_cross_correlation(&a, &b, upsample_factor, n).map(|s| {
            (ndarray::Array1::from(s.shift), s.error, s.phasediff)
        })
    })
}

/// cross_correlate_circular(a, b) -> (correlation float64, shift int64, ncc) (Q22).
#[pyfunction]
fn cross_correlate_circular<'py>(
    py: Python<'py>,
    a: Arr<'py>,
    b: Arr<'py>,
) -> PyResult<Bound<'py, PyAny>> {
    dispatch2!(py, a, b, |x, y| HEAVY => {
        sg::cross_correlate_circular(&x, &y).map(|c| {
            let shift = ndarray::Array1::from(c.shift).mapv(|v| v as i64);
            (c.correlation, shift, c.ncc)
        })
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(detrend, m)?)?;
    m.add_function(wrap_pyfunction!(convolve, m)?)?;
    m.add_function(wrap_pyfunction!(fftshift, m)?)?;
    m.add_function(wrap_pyfunction!(phase_cross_correlation, m)?)?;
    m.add_function(wrap_pyfunction!(cross_correlate_circular, m)?)?;
    Ok(())
}
