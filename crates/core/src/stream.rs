//! Streaming (non-temporal) stores for large outputs that are already mapped.
//!
//! Why: an ordinary store to a line that is not in cache first reads the line from memory (the
//! read-for-ownership), so a kernel writing a 200 MB output moves 400 MB for it. A streaming
//! store writes whole lines to memory without that read, as `memcpy` does for large copies
//! (the copy that the benchmark table's floor is measured with). Kernels that build an output
//! row in cache (the window filters' innermost pass) hand it to [`stream_copy`] when
//! [`stream_worth`] says so:
//! - the output is at least [`STREAM_MIN_BYTES`] (smaller ones may still be in cache for
//!   whoever reads them next), and
//! - its pages are already resident (a caller's reused output). A freshly allocated output is
//!   zeroed by the kernel page by page on first touch, which leaves the zeroed lines in cache;
//!   an ordinary store then hits them, while a streaming store evicts them first, writing the
//!   line twice. Measured on a 3x3 box over 5000 x 5000 f64 (`suite --bench uniform3_2d`, runs
//!   alternated, streaming on every large output): into a reused output 26.7 / 26.7 -> 23.5 /
//!   22.9 ms median, allocating 42.4 / 38.8 -> 44.8 / 45.0 ms.
//!
//! With the residency test (`suite --bench uniform`, one build with and without streaming by a
//! temporary switch, runs alternated, load ~1.3), medians without -> with: 3x3 box 5000^2 f64
//! into a reused output 31.5 / 28.5 -> 23.7 / 24.1 ms, 3x3x3 box 256^3 f32 14.7 / 13.8 -> 10.4
//! / 13.7 ms, 31x31 box 4000^2 f32 11.4 / 14.0 -> 11.7 / 12.0 ms (compute-bound: no change);
//! the allocating calls do not stream and are unchanged (3x3 2-D 42.1 -> 41.1 / 42.8 ms).
//!
//! Streaming stores are weakly ordered: a thread that streamed calls [`stream_fence`] before
//! other threads may read what it wrote.

use crate::error::{Error, Result};
use crate::Element;

/// Outputs of at least this many bytes are candidates for streaming stores (8 times the 4 MiB
/// L2 of this machine's two cores: such an output is not cache-resident for its consumer).
pub const STREAM_MIN_BYTES: usize = 32 << 20;

/// True when kernels should write `out` with streaming stores: it is at least
/// [`STREAM_MIN_BYTES`] and its first, middle and last pages are resident (already faulted in).
///
/// ```
/// let small = vec![0.0f64; 1000];
/// assert!(!ndkern_core::stream_worth(&small));
/// ```
#[must_use]
pub fn stream_worth<T>(out: &[T]) -> bool {
    std::mem::size_of_val(out) >= STREAM_MIN_BYTES && resident(out)
}

/// Whether the pages holding the first, middle and last element of `v` are resident.
#[cfg(target_os = "linux")]
fn resident<T>(v: &[T]) -> bool {
    const PAGE: usize = 4096;
    let bytes = std::mem::size_of_val(v);
    if bytes == 0 {
        return false;
    }
    let start = v.as_ptr() as usize;
    [start, start + bytes / 2, start + bytes - 1]
        .iter()
        .all(|&a| {
            let page = a & !(PAGE - 1);
            let mut vec = 0u8;
            // SAFETY: mincore only reads the page tables of [page, page + PAGE), a page that
            // holds bytes of `v` (so it is mapped), and writes one status byte into `vec`.
            let r = unsafe { libc::mincore(page as *mut libc::c_void, PAGE, &mut vec) };
            r == 0 && vec & 1 == 1
        })
}

#[cfg(not(target_os = "linux"))]
fn resident<T>(_v: &[T]) -> bool {
    false
}

/// `dst.copy_from_slice(src)` with streaming stores for the 16-byte aligned middle of `dst`
/// (plain stores for the unaligned ends, and everywhere on targets other than x86-64). Call
/// [`stream_fence`] before other threads read `dst`. Slices of different lengths are an
/// [`Error::ShapeMismatch`] (nothing is written).
///
/// ```
/// let src = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
/// let mut dst = [0.0f32; 7];
/// ndkern_core::stream_copy(&mut dst, &src).unwrap();
/// ndkern_core::stream_fence();
/// assert_eq!(dst, src);
/// assert!(ndkern_core::stream_copy(&mut dst[..3], &src).is_err());
/// ```
pub fn stream_copy<T: Element>(dst: &mut [T], src: &[T]) -> Result<()> {
    if dst.len() != src.len() {
        return Err(Error::ShapeMismatch {
            expected: vec![src.len()],
            got: vec![dst.len()],
        });
    }
    #[cfg(target_arch = "x86_64")]
    {
        let size = std::mem::size_of::<T>();
        // Elements before the first 16-byte boundary of `dst` (element alignment divides 16).
        let head = ((dst.as_ptr() as usize).wrapping_neg() % 16 / size).min(dst.len());
        let (dh, dm) = dst.split_at_mut(head);
        let (sh, sm) = src.split_at(head);
        dh.copy_from_slice(sh);
        let per = 16 / size;
        let body = dm.len() / per * per;
        // SAFETY: `dm[..body]` starts on a 16-byte boundary and spans `body * size` bytes, a
        // multiple of 16; `sm` has the same length; both are valid for these bytes and do not
        // overlap (one is borrowed mutably). `T` is plain data (f32 or f64), so copying its
        // bytes copies its values. SSE2 is part of x86-64.
        unsafe {
            use std::arch::x86_64::{__m128i, _mm_loadu_si128, _mm_stream_si128};
            let d = dm.as_mut_ptr().cast::<__m128i>();
            let s = sm.as_ptr().cast::<__m128i>();
            for k in 0..body / per {
                _mm_stream_si128(d.add(k), _mm_loadu_si128(s.add(k)));
            }
        }
        dm[body..].copy_from_slice(&sm[body..]);
    }
    #[cfg(not(target_arch = "x86_64"))]
    dst.copy_from_slice(src);
    Ok(())
}

/// Orders this thread's earlier [`stream_copy`] stores before its later stores (`sfence`;
/// nothing on other targets).
///
/// ```
/// let mut rows = vec![0.0f64; 64];
/// for (k, r) in rows.chunks_mut(16).enumerate() {
///     ndkern_core::stream_copy(r, &[k as f64; 16]).unwrap();
/// }
/// ndkern_core::stream_fence(); // before handing `rows` to another thread
/// assert_eq!(rows[63], 3.0);
/// ```
pub fn stream_fence() {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `sfence` has no memory operands and no preconditions.
    unsafe {
        std::arch::x86_64::_mm_sfence();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_every_length_and_alignment() {
        let src: Vec<f64> = (0..100).map(|i| i as f64 * 1.5 - 7.0).collect();
        let srcf: Vec<f32> = src.iter().map(|&v| v as f32).collect();
        for off in 0..4 {
            for len in 0..40 {
                let mut d = vec![-1.0f64; off + len + 3];
                stream_copy(&mut d[off..off + len], &src[off..off + len]).unwrap();
                stream_fence();
                assert_eq!(&d[off..off + len], &src[off..off + len]);
                assert!(d[..off].iter().chain(&d[off + len..]).all(|&v| v == -1.0));
                let mut f = vec![-1.0f32; off + len + 3];
                stream_copy(&mut f[off..off + len], &srcf[off + 1..off + len + 1]).unwrap();
                stream_fence();
                assert_eq!(&f[off..off + len], &srcf[off + 1..off + len + 1]);
                assert!(f[..off].iter().chain(&f[off + len..]).all(|&v| v == -1.0));
            }
        }
    }

    #[test]
    fn length_mismatch_is_an_error_and_writes_nothing() {
        let mut d = [9.0f64; 4];
        let e = stream_copy(&mut d, &[1.0; 5]).unwrap_err();
        assert!(matches!(e, Error::ShapeMismatch { .. }), "{e}");
        assert_eq!(d, [9.0; 4]);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn streams_only_large_resident_outputs() {
        let n = STREAM_MIN_BYTES / 8;
        assert!(!stream_worth(&vec![0.0f64; n - 1]));
        // calloc'd and untouched: not resident, the kernel would zero it on first touch.
        let fresh = crate::zeros::<f64, _>(ndarray::Ix1(n));
        assert!(!stream_worth(fresh.as_slice().unwrap()));
        let mut used = fresh;
        used.fill(1.0);
        assert!(stream_worth(used.as_slice().unwrap()));
    }
}
