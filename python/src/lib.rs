//! `ndkern._ndkern`: the compiled core of the `ndkern` Python package.
//!
//! The functions here are thin and strict: arrays arrive already as float32 or float64 (or
//! int64 labels, bool masks) — the pure-Python layer in `python/ndkern/` applies scipy's and
//! numpy's casting rules, checks shapes and keywords, and allocates outputs. Inputs are read
//! in place through rust-numpy views of any strides (negative, Fortran, non-contiguous: no
//! copy), filters write into the output array they are given, and every computation runs
//! ([`runtime::compute`])
//!
//! * with the GIL released (`Python::detach`), so other Python threads run meanwhile;
//! * inside the extension's own rayon pool (`set_num_threads`, or per calling thread
//!   `_set_thread_workers`, i.e. `with ndkern.threads(n)`), so a caller that parallelises
//!   itself can run ndkern single-threaded;
//! * under `catch_unwind`: a Rust `Err` becomes `MemoryError` (an allocation over the memory
//!   cap) or `ValueError` with its message, a panic becomes `RuntimeError` — the interpreter
//!   never aborts ([`errors`]).
//!
//! One file per family: [`ndimage`] (filters), [`reduce`] (axis reductions), [`binning`]
//! (histograms, bincount, binned statistics, labels, masks, HEALPix), [`stats`] (KDE,
//! Pearson), [`signal`] (detrend, convolutions, FFT shifts, registration), [`linalg`]
//! (distances, k-means, PCA, Hessians, polynomials, interpolation, kernel estimation),
//! [`optimize`] (curve fitting over whole arrays with a Python model); [`bench`] times the Rust
//! calls behind the Python rows of `cargo xtask bench --python`.

#[macro_use]
mod arrays;
mod bench;
mod binning;
mod errors;
mod linalg;
mod ndimage;
mod optimize;
mod reduce;
mod runtime;
mod signal;
mod stats;

use pyo3::prelude::*;

#[pymodule]
fn _ndkern(m: &Bound<'_, PyModule>) -> PyResult<()> {
    runtime::register(m)?;
    ndimage::register(m)?;
    reduce::register(m)?;
    binning::register(m)?;
    stats::register(m)?;
    signal::register(m)?;
    linalg::register(m)?;
    optimize::register(m)?;
    bench::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
