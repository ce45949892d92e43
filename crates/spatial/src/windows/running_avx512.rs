//! Dispatch of the AVX-512 running window sums of one line
//! (`ndkern_core::simd::x86::running`: the steps, their scan and the scaled, rounded output in
//! one pass, eight samples per step; the measurements and the arithmetic are described
//! there).
//!
//! Taken when [`ndkern_core::simd::level()`] is `Avx512` (an `Avx512` token; so
//! `NDKERN_SIMD=avx2` or `baseline` turns it off). Otherwise the caller runs the portable
//! route ([`super::fused::running_sums`]), whose leaves are `multiversion!` kernels: compiled
//! for AVX2+FMA at the `Avx2` level (the AVX2 twin of this kernel) and for SSE2 at the
//! baseline. Within a segment of `ANCHOR_EVERY` outputs the intrinsics kernel associates the
//! `f64` steps blockwise, so its sums can differ from the portable route's in the last bits
//! (before rounding to `f32` they agree to ~1e-16 relative); a `false` return (some sum not
//! finite) makes the caller recompute the line with NaN-aware sums.

use ndkern_core::Element;

/// Fills `out[i] = inv * sum ext[i..i + w]` (`ext` holds `out.len() + w - 1` samples) and
/// returns whether every sum was finite; `None` (having done nothing) when the dispatched
/// level is below AVX-512 (no `Avx512` token: the CPU lacks it or `NDKERN_SIMD` caps the
/// level), `T` is neither `f32` nor `f64`, or `w < 2`.
pub(crate) fn running_sums_avx512<T: Element + 'static>(
    ext: &[T],
    w: usize,
    inv: f64,
    out: &mut [T],
) -> Option<bool> {
    #[cfg(target_arch = "x86_64")]
    {
        use ndkern_core::simd::{x86::running, Avx512};
        use ndkern_core::{downcast_slice, downcast_slice_mut};
        // A 1-wide window is the sample itself: the portable route copies it exactly.
        let (Some(avx512), true) = (Avx512::new(), w >= 2) else {
            return None;
        };
        if let (Some(e), Some(o)) = (downcast_slice::<T, f32>(ext), downcast_slice_mut(out)) {
            Some(running::running_sums_f32(avx512, e, w, inv, o))
        } else if let (Some(e), Some(o)) = (downcast_slice::<T, f64>(ext), downcast_slice_mut(out))
        {
            Some(running::running_sums_f64(avx512, e, w, inv, o))
        } else {
            None
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (ext, w, inv, out);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::windows::fused::running_sums;

    /// Direct `f64` window sums, the oracle.
    fn direct<T: Element>(ext: &[T], w: usize, inv: f64, n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| ext[i..i + w].iter().map(|v| v.as_f64()).sum::<f64>() * inv)
            .collect()
    }

    fn check<T: Element>(tol: f64) {
        // Lengths around the block of eight and the anchoring segments.
        for n in [1, 2, 7, 8, 9, 16, 17, 100, 1023, 1024, 1025, 2049, 4000] {
            for w in [2, 3, 9, 31, 64] {
                let ext: Vec<T> = (0..n + w - 1)
                    .map(|i| T::of_f64(1e6 + ((i * 7919) % 1009) as f64 * 0.37))
                    .collect();
                let inv = 1.0 / w as f64;
                let mut out = vec![T::zero(); n];
                let Some(finite) = running_sums_avx512(&ext, w, inv, &mut out) else {
                    return; // no AVX-512 here: the portable route is tested elsewhere
                };
                assert!(finite);
                let mut portable = vec![T::zero(); n];
                running_sums(&ext, w, inv, &mut portable);
                let want = direct(&ext, w, inv, n);
                for i in 0..n {
                    let (a, p) = (out[i].as_f64(), portable[i].as_f64());
                    assert!(
                        (a - want[i]).abs() <= tol * want[i].abs(),
                        "n {n} w {w} i {i}"
                    );
                    assert!((a - p).abs() <= tol * want[i].abs(), "n {n} w {w} i {i}");
                }
            }
        }
    }

    #[test]
    fn agrees_with_direct_sums_f64() {
        check::<f64>(1e-13);
    }

    #[test]
    fn agrees_with_direct_sums_f32() {
        // One rounding to f32 (the f64 sums agree far below that).
        check::<f32>(1.2e-7);
    }

    #[test]
    fn reports_non_finite_lines() {
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            for pos in [0, 5, 40, 1030, 2999] {
                let (n, w) = (3000, 31);
                let mut ext = vec![1.0f64; n + w - 1];
                ext[pos] = bad;
                let mut out = vec![0.0; n];
                if let Some(finite) = running_sums_avx512(&ext, w, 1.0, &mut out) {
                    assert!(!finite, "{bad} at {pos}");
                }
            }
        }
        let mut out = vec![0.0f32; 10];
        let ext = vec![2.0f32; 12];
        if let Some(finite) = running_sums_avx512(&ext, 3, 1.0, &mut out) {
            assert!(finite);
            assert!(out.iter().all(|&v| v == 6.0));
        }
    }
}
