//! Output allocation that asks the kernel for transparent huge pages, as numpy does.
//!
//! Why: a freshly allocated output is mapped lazily, and the first write to each 4 KiB page
//! takes a page fault in which the kernel zero-fills that page. On this machine (2 cores,
//! THP mode `madvise`) first-touching 200 MiB costs 90-130 ms in 4 KiB pages but ~31 ms in
//! 2 MiB huge pages (`/tmp` C probe: calloc + one write per cache line, 3 runs each) — for a
//! memory-bound filter that writes a 200 MB output, the faults are half of the call.
//! numpy calls `madvise(MADV_HUGEPAGE)` on every allocation of 4 MiB or more, so its outputs
//! get huge pages; [`zeros`] does the same for ndkern's allocating functions.
//!
//! The advice is only advice: on other systems, with THP disabled, or for small arrays,
//! [`zeros`] is exactly `Array::zeros`. Like numpy's `NUMPY_MADVISE_HUGEPAGE`, the environment
//! variable `NDKERN_MADVISE_HUGEPAGE=0` turns it off (read once per process), which is also how
//! its effect is measured: `NDKERN_MADVISE_HUGEPAGE=0 cargo xtask bench --quick uniform3`.

use crate::Element;
use ndarray::{Array, Dimension};

/// Buffers of at least this many bytes get the huge-page advice (numpy's threshold).
pub const HUGE_PAGE_MIN_BYTES: usize = 4 << 20;

/// A zero-filled array of shape `dim` (C order) whose buffer, when it is at least
/// [`HUGE_PAGE_MIN_BYTES`], is advised to be backed by transparent huge pages before its first
/// write. Allocating kernels use it for their outputs.
///
/// ```
/// use ndarray::Ix2;
/// let a = ndkern_core::zeros::<f32, _>(Ix2(3, 4));
/// assert_eq!(a.shape(), &[3, 4]);
/// assert!(a.iter().all(|&x| x == 0.0));
/// ```
#[must_use]
pub fn zeros<T: Element, D: Dimension>(dim: D) -> Array<T, D> {
    let v = filled_vec(T::zero(), dim.size());
    Array::from_shape_vec(dim, v).expect("buffer length equals the shape's size")
}

/// `vec![value; n]` for output buffers, with the huge-page advice of [`zeros`] when the buffer
/// is at least [`HUGE_PAGE_MIN_BYTES`]. The advice takes effect when `value`'s bytes are all
/// zero (`0.0`, `0`, `false`, `T::default()` of numbers): then the buffer comes from calloc
/// untouched; other fill values touch every page before the advice is given.
///
/// ```
/// let v = ndkern_core::filled_vec(0u32, 10);
/// assert_eq!(v, vec![0; 10]);
/// ```
#[must_use]
pub fn filled_vec<T: Clone>(value: T, n: usize) -> Vec<T> {
    // `vec![0.0; n]` allocates with calloc: large buffers are fresh, untouched mappings.
    let v = vec![value; n];
    advise_huge_pages(&v);
    v
}

#[cfg(target_os = "linux")]
fn advise_huge_pages<T>(v: &[T]) {
    const PAGE: usize = 4096;
    let bytes = std::mem::size_of_val(v);
    if bytes < HUGE_PAGE_MIN_BYTES || !huge_pages_enabled() {
        return;
    }
    let start = v.as_ptr() as usize;
    let aligned = (start + PAGE - 1) & !(PAGE - 1);
    let len = bytes - (aligned - start);
    // SAFETY: MADV_HUGEPAGE only changes how the kernel backs the pages of this range, never
    // their contents; the range [aligned, aligned + len) lies inside `v`'s allocation, which
    // outlives the call. The result is ignored: the advice is optional.
    unsafe {
        libc::madvise(aligned as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
    }
}

/// False when `NDKERN_MADVISE_HUGEPAGE` is set to `0`.
#[cfg(target_os = "linux")]
fn huge_pages_enabled() -> bool {
    static ENABLED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ENABLED.get_or_init(|| std::env::var("NDKERN_MADVISE_HUGEPAGE").map_or(true, |v| v != "0"))
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages<T>(_v: &[T]) {}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Ix1, Ix3};

    #[test]
    fn large_and_small_buffers_are_zero_with_the_requested_shape() {
        let big = zeros::<f64, _>(Ix1(HUGE_PAGE_MIN_BYTES / 8 + 3));
        assert!(big.iter().all(|&x| x == 0.0));
        let small = zeros::<f32, _>(Ix3(2, 0, 5));
        assert_eq!(small.shape(), &[2, 0, 5]);
        assert!(big.is_standard_layout());
    }
}
