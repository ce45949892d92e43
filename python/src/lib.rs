//! `ndkern._ndkern`: the compiled core of the `ndkern` Python package.
//!
//! The functions here are thin and strict: every array arrives already as float32 or float64
//! (the pure-Python layer in `python/ndkern/` applies scipy's and numpy's casting rules,
//! checks shapes and keywords, and allocates outputs), inputs are read in place through
//! rust-numpy views of any strides (negative, Fortran, non-contiguous: no copy), filters write
//! into the output array they are given, and every computation runs
//!
//! * with the GIL released (`Python::detach`), so other Python threads run meanwhile;
//! * inside the extension's own rayon pool (`set_num_threads`), so a caller that parallelises
//!   itself can run ndkern single-threaded;
//! * under `catch_unwind`: a Rust `Err` becomes `ValueError` with its message, a panic becomes
//!   `RuntimeError` — the interpreter never aborts.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

use ndarray::ArrayD;
use ndkern_core::{Axes, BorderMode};
use ndkern_spatial::{self as sp, GaussianOptions, WindowMode};
use numpy::{IntoPyArray, PyReadonlyArrayDyn, PyReadwriteArrayDyn};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;

/// The extension's rayon pool and the process it was started in; `None` until first use.
///
/// A forked child (multiprocessing's default start method on Linux) inherits the pool without
/// its threads: the process id tells, and the child starts a pool of its own (the parent's is
/// leaked, never dropped: its threads do not exist there).
static POOL: RwLock<Option<(u32, Arc<rayon::ThreadPool>)>> = RwLock::new(None);

/// The requested number of threads (0: rayon's default, one per core or RAYON_NUM_THREADS).
static NUM_THREADS: AtomicUsize = AtomicUsize::new(0);

fn build_pool(n: usize) -> PyResult<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .thread_name(|i| format!("ndkern-{i}"))
        .build()
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start ndkern's thread pool: {e}")))
}

fn pool() -> PyResult<Arc<rayon::ThreadPool>> {
    let pid = std::process::id();
    if let Some((p, pool)) = POOL.read().unwrap_or_else(|e| e.into_inner()).as_ref() {
        if *p == pid {
            return Ok(pool.clone());
        }
    }
    let mut w = POOL.write().unwrap_or_else(|e| e.into_inner());
    if let Some((p, pool)) = w.as_ref() {
        if *p == pid {
            return Ok(pool.clone());
        }
    }
    if let Some((_, inherited)) = w.take() {
        std::mem::forget(inherited);
    }
    let pool = Arc::new(build_pool(NUM_THREADS.load(Ordering::Relaxed))?);
    *w = Some((pid, pool.clone()));
    Ok(pool)
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".into()
    }
}

/// Runs `f` with the GIL released, catching panics: inside the pool for inputs of
/// `elements` large enough for ndkern to split them across threads, on the calling thread
/// below that (ndkern runs those serially anyway, and handing a job to a pool thread and
/// back costs several microseconds).
fn compute<R: Send>(
    py: Python<'_>,
    elements: usize,
    f: impl FnOnce() -> ndkern_core::Result<R> + Send,
) -> PyResult<R> {
    let r = if elements < ndkern_core::PARALLEL_THRESHOLD {
        py.detach(move || catch_unwind(AssertUnwindSafe(f)))
    } else {
        let pool = pool()?;
        py.detach(move || catch_unwind(AssertUnwindSafe(move || pool.install(f))))
    };
    match r {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(PyValueError::new_err(e.to_string())),
        Err(p) => Err(PyRuntimeError::new_err(format!(
            "ndkern internal error (a Rust panic, please report it): {}",
            panic_message(p.as_ref())
        ))),
    }
}

/// A float32 or float64 array read in place (any strides).
#[derive(FromPyObject)]
enum Arr<'py> {
    F64(PyReadonlyArrayDyn<'py, f64>),
    F32(PyReadonlyArrayDyn<'py, f32>),
}

/// A float32 or float64 array written in place (any strides).
#[derive(FromPyObject)]
enum ArrMut<'py> {
    F64(PyReadwriteArrayDyn<'py, f64>),
    F32(PyReadwriteArrayDyn<'py, f32>),
}

fn dtype_mismatch() -> PyErr {
    PyTypeError::new_err("input and output must have the same dtype (float32 or float64)")
}

/// Runs `$body` with `$a` the input view and `$o` the output view, for either dtype.
macro_rules! with_io {
    ($py:expr, $inp:expr, $out:expr, |$a:ident, $o:ident| $body:expr) => {
        match ($inp, $out) {
            (Arr::F64(i), ArrMut::F64(mut o)) => {
                let $a = i.as_array();
                let $o = o.as_array_mut();
                compute($py, $a.len(), move || $body)
            }
            (Arr::F32(i), ArrMut::F32(mut o)) => {
                let $a = i.as_array();
                let $o = o.as_array_mut();
                compute($py, $a.len(), move || $body)
            }
            _ => Err(dtype_mismatch()),
        }
    };
}

fn border(mode: &str, cval: f64) -> PyResult<BorderMode> {
    BorderMode::from_scipy(mode, cval).map_err(|e| PyValueError::new_err(e.to_string()))
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

/// The SIMD level the kernels run at: "avx512", "avx2" or "baseline" (the CPU's best, capped
/// by the environment variable NDKERN_SIMD read at first use).
#[pyfunction]
fn simd_level() -> &'static str {
    ndkern_core::simd::level().name()
}

/// Sets the number of worker threads of ndkern's pool (0: one per core, rayon's default).
#[pyfunction]
fn set_num_threads(n: usize) -> PyResult<()> {
    let p = Arc::new(build_pool(n)?);
    let mut w = POOL.write().unwrap_or_else(|e| e.into_inner());
    NUM_THREADS.store(n, Ordering::Relaxed);
    if let Some((pid, old)) = w.replace((std::process::id(), p)) {
        if pid != std::process::id() {
            std::mem::forget(old);
        }
    }
    Ok(())
}

/// The number of worker threads of ndkern's pool.
#[pyfunction]
fn get_num_threads() -> PyResult<usize> {
    Ok(pool()?.current_num_threads())
}

/// Panics on the calling thread or (`in_pool`) inside the pool, the GIL released (tests the
/// panic guard: each panic must come back as RuntimeError).
#[pyfunction]
fn _panic_for_test(py: Python<'_>, in_pool: bool) -> PyResult<()> {
    let elements = if in_pool { usize::MAX } else { 0 };
    compute(py, elements, || -> ndkern_core::Result<()> {
        panic!("deliberate test panic")
    })
}

#[pymodule]
fn _ndkern(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(uniform_filter1d, m)?)?;
    m.add_function(wrap_pyfunction!(uniform_filter, m)?)?;
    m.add_function(wrap_pyfunction!(window_sum, m)?)?;
    m.add_function(wrap_pyfunction!(local_mean_var, m)?)?;
    m.add_function(wrap_pyfunction!(correlate1d, m)?)?;
    m.add_function(wrap_pyfunction!(correlate, m)?)?;
    m.add_function(wrap_pyfunction!(gaussian_filter1d, m)?)?;
    m.add_function(wrap_pyfunction!(gaussian_filter, m)?)?;
    m.add_function(wrap_pyfunction!(reduce, m)?)?;
    m.add_function(wrap_pyfunction!(simd_level, m)?)?;
    m.add_function(wrap_pyfunction!(set_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(get_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_test, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
