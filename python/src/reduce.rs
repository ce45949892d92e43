//! numpy's axis reductions.

use ndarray::ArrayD;
use ndkern_core::Axes;
use numpy::IntoPyArray;
use pyo3::prelude::*;

use crate::arrays::Arr;
use crate::runtime::compute;

fn reduce_typed<T: ndkern_core::Element>(
    a: ndarray::ArrayViewD<'_, T>,
    op: &str,
    axes: Axes,
    ddof: usize,
) -> ndkern_core::Result<ArrayD<T>> {
    use ndkern_core::reduce as r;
    match op {
        "sum" => r::sum(&a, axes),
        "mean" => r::mean(&a, axes),
        "var" => r::var(&a, axes, ddof),
        "std" => r::std(&a, axes, ddof),
        "min" => r::min(&a, axes),
        "max" => r::max(&a, axes),
        "norm_l2" => r::norm_l2(&a, axes),
        other => Err(ndkern_core::Error::InvalidParameter {
            name: "op",
            reason: format!("unknown reduction {other:?}"),
        }),
    }
}

/// reduce(op, input, axes, keepdims, ddof) -> a new array (0-d for a full reduction).
///
/// `op`: sum, mean, var, std, min, max, norm_l2, count_nonzero (int64 result).
#[pyfunction]
fn reduce<'py>(
    py: Python<'py>,
    op: &str,
    input: Arr<'py>,
    axes: Option<Vec<isize>>,
    keepdims: bool,
    ddof: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let mut ax = match axes {
        None => Axes::all(),
        Some(v) => Axes::new(v),
    };
    if keepdims {
        ax = ax.keepdims();
    }
    let op = op.to_owned();
    if op == "count_nonzero" {
        let counts = match input {
            Arr::F64(i) => {
                let a = i.as_array();
                compute(py, a.len(), move || {
                    ndkern_core::reduce::count_nonzero(&a, ax)
                })?
            }
            Arr::F32(i) => {
                let a = i.as_array();
                compute(py, a.len(), move || {
                    ndkern_core::reduce::count_nonzero(&a, ax)
                })?
            }
        };
        return Ok(counts.mapv(|c| c as i64).into_pyarray(py).into_any());
    }
    Ok(match input {
        Arr::F64(i) => {
            let a = i.as_array();
            compute(py, a.len(), move || reduce_typed(a, &op, ax, ddof))?
                .into_pyarray(py)
                .into_any()
        }
        Arr::F32(i) => {
            let a = i.as_array();
            compute(py, a.len(), move || reduce_typed(a, &op, ax, ddof))?
                .into_pyarray(py)
                .into_any()
        }
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(reduce, m)?)?;
    Ok(())
}
