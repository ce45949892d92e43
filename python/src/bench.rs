//! Timing hooks of `cargo xtask bench --python` (`xtask/bench/python_rows.py`): the Rust call
//! behind a Python row, timed in Rust in the same process as the Python call.
//!
//! The Python door's overhead is the Python call's time minus the Rust call's. Timing the
//! Rust call in a separate process (the suite binary) leaves machine drift between the two in
//! the difference; here the Rust call runs in the interpreter's process, on the same arrays,
//! through the same `compute` path (GIL released, the same pool), without the Python
//! argument handling, the array conversion or the result wrapping — so the bench can
//! alternate the two calls round by round.

use std::time::Instant;

use ndkern_core::{reduce, Axes, BorderMode};
use ndkern_spatial as sp;
use pyo3::prelude::*;

use crate::arrays::{Arr, ArrMut};
use crate::errors::{bad_choice, dtype_mismatch};
use crate::runtime::compute;

/// Calls `f` `reps` times back to back; each call's wall time in seconds (result dropped
/// inside the timing, as the Python call's is).
fn times<R>(
    reps: usize,
    mut f: impl FnMut() -> ndkern_core::Result<R>,
) -> ndkern_core::Result<Vec<f64>> {
    let mut t = Vec::with_capacity(reps);
    for _ in 0..reps {
        let t0 = Instant::now();
        let r = f()?;
        drop(std::hint::black_box(r));
        t.push(t0.elapsed().as_secs_f64());
    }
    Ok(t)
}

const ROWS: &str = "'q7_var_last_axis', 'q8_norm_l2_axes012', 'uniform3_2d', 'uniform3_2d_into'";

/// `_time_rust(row, input, reps, output=None)` -> the per-call times (s) of the Rust call of
/// bench row `row` on `input` (`output`: the `_into` rows' destination), `reps` calls back to
/// back with the GIL released once, in the pool `compute` picks for this size.
///
/// Rows: `q7_var_last_axis` (`reduce::var(&a, -1, 0)`), `q8_norm_l2_axes012`
/// (`reduce::norm_l2(&a, [0, 1, 2])`), `uniform3_2d` (`uniform_filter(&a, &[3], Reflect,
/// &[0])`), `uniform3_2d_into` (`uniform_filter_into(&a, &[3], Reflect, &[0], out)`).
#[pyfunction]
#[pyo3(signature = (row, input, reps, output=None))]
fn _time_rust(
    py: Python<'_>,
    row: &str,
    input: Arr<'_>,
    reps: usize,
    output: Option<ArrMut<'_>>,
) -> PyResult<Vec<f64>> {
    macro_rules! typed {
        ($i:expr) => {{
            let a = $i.as_array();
            match row {
                "q7_var_last_axis" => {
                    compute(py, a.len(), || times(reps, || reduce::var(&a, -1, 0)))
                }
                "q8_norm_l2_axes012" => compute(py, a.len(), || {
                    times(reps, || reduce::norm_l2(&a, Axes::new(vec![0, 1, 2])))
                }),
                "uniform3_2d" => compute(py, a.len(), || {
                    times(reps, || {
                        sp::uniform_filter(&a, &[3], BorderMode::Reflect, &[0])
                    })
                }),
                "uniform3_2d_into" => Err(pyo3::exceptions::PyTypeError::new_err(
                    "uniform3_2d_into needs `output`, an array of the input's shape and dtype",
                )),
                other => Err(bad_choice("row", other, ROWS)),
            }
        }};
    }
    match (input, output) {
        (Arr::F64(i), None) => typed!(i),
        (Arr::F32(i), None) => typed!(i),
        (Arr::F64(i), Some(ArrMut::F64(mut o))) if row == "uniform3_2d_into" => {
            let (a, mut o) = (i.as_array(), o.as_array_mut());
            compute(py, a.len(), || {
                times(reps, || {
                    sp::uniform_filter_into(&a, &[3], BorderMode::Reflect, &[0], o.view_mut())
                })
            })
        }
        (Arr::F32(i), Some(ArrMut::F32(mut o))) if row == "uniform3_2d_into" => {
            let (a, mut o) = (i.as_array(), o.as_array_mut());
            compute(py, a.len(), || {
                times(reps, || {
                    sp::uniform_filter_into(&a, &[3], BorderMode::Reflect, &[0], o.view_mut())
                })
            })
        }
        (_, Some(ArrMut::F64(_) | ArrMut::F32(_))) if row == "uniform3_2d_into" => {
            Err(dtype_mismatch())
        }
        (_, Some(_)) => Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "`output` is for the uniform3_2d_into row only, not {row:?}"
        ))),
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_time_rust, m)?)?;
    Ok(())
}
