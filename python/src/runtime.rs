//! The extension's thread pools and the one way every computation runs: the GIL released,
//! inside ndkern's pool (large inputs) or on the calling thread (small ones), panics caught.
//!
//! Two controls pick the pool, as scipy.fft's `workers`: `set_num_threads(n)` sizes the
//! process-wide pool, and `_set_thread_workers(n)` (the `ndkern.threads(n)` context manager)
//! overrides it for the calling thread only, so a caller that parallelises itself (dask,
//! joblib, its own threads) runs each of its threads' calls on a pool of `n` without touching
//! what the other threads get.

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

use crate::errors::{from_panic, to_py};

/// The extension's rayon pool and the process it was started in; `None` until first use.
///
/// A forked child (multiprocessing's default start method on Linux) inherits the pool without
/// its threads: the process id tells, and the child starts a pool of its own (the parent's is
/// leaked, never dropped: its threads do not exist there).
static POOL: RwLock<Option<(u32, Arc<rayon::ThreadPool>)>> = RwLock::new(None);

/// The requested number of threads (0: rayon's default, one per core or RAYON_NUM_THREADS).
static NUM_THREADS: AtomicUsize = AtomicUsize::new(0);

/// Pools by size, for the per-thread override: made on first use and kept (idle rayon threads
/// sleep).
type SizedPools = Vec<(usize, Arc<rayon::ThreadPool>)>;

/// The per-thread override's pools and the process they were started in (a forked child
/// starts its own).
static SIZED: Mutex<(u32, SizedPools)> = Mutex::new((0, Vec::new()));

thread_local! {
    /// The calling thread's override of the pool size (0: none, the process-wide pool).
    static THREAD_WORKERS: Cell<usize> = const { Cell::new(0) };
}

/// Work estimate that always runs in the pool (kernels whose cost grows faster than their
/// input: pairwise distances, k-means, KDE, convolutions).
pub const HEAVY: usize = usize::MAX;

fn build_pool(n: usize) -> PyResult<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .thread_name(|i| format!("ndkern-{i}"))
        .build()
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start ndkern's thread pool: {e}")))
}

/// The pool of `n` threads of the per-thread override.
fn sized_pool(n: usize) -> PyResult<Arc<rayon::ThreadPool>> {
    let pid = std::process::id();
    let mut g = SIZED.lock().unwrap_or_else(|e| e.into_inner());
    if g.0 != pid {
        // inherited from the parent of a fork: those threads do not exist here
        std::mem::forget(std::mem::take(&mut g.1));
        g.0 = pid;
    }
    if let Some((_, p)) = g.1.iter().find(|(k, _)| *k == n) {
        return Ok(p.clone());
    }
    let p = Arc::new(build_pool(n)?);
    g.1.push((n, p.clone()));
    Ok(p)
}

/// The pool the calling thread's computations run in: its override's, else the process-wide.
fn pool() -> PyResult<Arc<rayon::ThreadPool>> {
    match THREAD_WORKERS.with(Cell::get) {
        0 => process_pool(),
        n => sized_pool(n),
    }
}

fn process_pool() -> PyResult<Arc<rayon::ThreadPool>> {
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

/// Runs `f` with the GIL released, catching panics: inside the pool when the work estimate
/// `elements` is large enough for ndkern to split it across threads, on the calling thread
/// below that (ndkern runs those serially anyway, and handing a job to a pool thread and
/// back costs several microseconds).
pub fn compute<R: Send>(
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
        Ok(Err(e)) => Err(to_py(e)),
        Err(p) => Err(from_panic(p.as_ref())),
    }
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

/// The number of worker threads the calling thread's computations run on: its override
/// (`_set_thread_workers`) if set, else the process-wide pool's.
#[pyfunction]
fn get_num_threads() -> PyResult<usize> {
    match THREAD_WORKERS.with(Cell::get) {
        0 => Ok(process_pool()?.current_num_threads()),
        n => Ok(n),
    }
}

/// Sets the calling thread's pool size (0: back to the process-wide pool) and returns the
/// previous setting; `ndkern.threads(n)` restores it on exit.
#[pyfunction]
fn _set_thread_workers(n: usize) -> usize {
    THREAD_WORKERS.with(|c| c.replace(n))
}

/// The number of threads of the pool a computation of `elements` runs in from the calling
/// thread (1 below the parallel threshold: the calling thread alone); tests the controls.
#[pyfunction]
fn _compute_threads_for_test(py: Python<'_>, elements: usize) -> PyResult<usize> {
    compute(py, elements, || {
        Ok(if rayon::current_thread_index().is_some() {
            rayon::current_num_threads()
        } else {
            1
        })
    })
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

/// Returns `Err(TooLarge)` from Rust (tests its mapping to MemoryError).
#[pyfunction]
fn _too_large_for_test(py: Python<'_>) -> PyResult<()> {
    compute(py, 0, || -> ndkern_core::Result<()> {
        Err(ndkern_core::Error::TooLarge {
            what: "test buffer",
            bytes: Some(1 << 60),
            limit: 1 << 30,
        })
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(simd_level, m)?)?;
    m.add_function(wrap_pyfunction!(set_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(get_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(_set_thread_workers, m)?)?;
    m.add_function(wrap_pyfunction!(_compute_threads_for_test, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_test, m)?)?;
    m.add_function(wrap_pyfunction!(_too_large_for_test, m)?)?;
    Ok(())
}
