//! AVX-512 running window sums of one line: the steps, their scan and the scaled, rounded
//! output in one pass, eight samples per step.
//!
//! Dispatch: taken when [`ndkern_core::simd::level()`] is `Avx512` (an [`Avx512`] token; so
//! `NDKERN_SIMD=avx2` or `baseline` turns it off). Otherwise the caller runs the portable
//! route, whose leaves are `multiversion!` kernels: compiled for AVX2+FMA at the `Avx2`
//! level (the AVX2 twin of this kernel) and for SSE2 at the baseline.
//!
//! Why: the portable route ([`super::fused::running_sums`]) makes three passes over a row
//! (steps into an `f64` buffer, the serial scan, scale and round) after a fourth that checks
//! the row is finite; on a 31x31 box over 4000 x 4000 f32 the row pass was more than half of
//! the single-thread time. Here each block of eight outputs loads its added and removed
//! samples, widens them to `f64`, scans the eight steps in a register (three shifted adds),
//! adds the running carry, and stores `inv * sum` rounded to the element type; the next carry
//! is the old one plus the block's total, which does not depend on the carry, so the serial
//! dependency is one vector add per eight samples.
//!
//! Measured (one build, this route against the portable one by a temporary switch, runs
//! alternated, load ~1.2, `suite --bench`): 31x31 box on 4000 x 4000 f32 into a reused output
//! 13.4 / 13.5 -> 10.1 / 13.3 ms median (min 13.0 / 13.1 -> 9.5 / 10.3), allocating 17.4 /
//! 17.4 -> 14.1 / 17.8 ms (min 16.3 / 16.4 -> 13.4 / 13.7); `local_mean_var` 15x15 on
//! 5000 x 5000 f32 (quick runs) 77-98 -> 62-64 ms.
//!
//! Arithmetic: segments of [`ANCHOR_EVERY`] outputs start from the direct `f64` sum of their
//! window, as in the portable route; within a segment the steps are associated blockwise
//! instead of left to right, so results can differ from it in the last bits of the `f64` sum
//! (before rounding to `f32` they agree to ~1e-16 relative). A non-finite sample makes every
//! later sum of its segment non-finite, so the last sum of each segment tells whether the line
//! was finite; on `false` the caller recomputes the line with NaN-aware sums.

#[cfg(target_arch = "x86_64")]
use ndkern_core::simd::Avx512;
use ndkern_core::{Element, ANCHOR_EVERY};
use std::any::TypeId;

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
        // A 1-wide window is the sample itself: the portable route copies it exactly.
        let (Some(_avx512), true) = (Avx512::new(), w >= 2) else {
            return None;
        };
        assert!(ext.len() + 1 >= out.len() + w, "extended line too short");
        let n = out.len();
        let (pe, po) = (ext.as_ptr(), out.as_mut_ptr());
        let mut finite = true;
        for b in (0..n).step_by(ANCHOR_EVERY) {
            let e = (b + ANCHOR_EVERY).min(n);
            let s0: f64 = ext[b..b + w].iter().map(|v| v.as_f64()).sum();
            // SAFETY: AVX-512 F is present (the `Avx512` token above proves it); outputs
            // b..e are inside `out`, and every sample read, `ext[i - 1]` and `ext[i + w - 1]`
            // for i in b+1..e, is inside `ext` (e + w - 2 < n + w - 1 <= ext.len()); `T` is
            // the type the TypeId test names, so the casts reinterpret the same values.
            let last = unsafe {
                if TypeId::of::<T>() == TypeId::of::<f32>() {
                    segment_f32(pe.cast(), po.cast(), b, e, w, s0, inv)
                } else if TypeId::of::<T>() == TypeId::of::<f64>() {
                    segment_f64(pe.cast(), po.cast(), b, e, w, s0, inv)
                } else {
                    return None;
                }
            };
            finite &= last.is_finite();
        }
        Some(finite)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (ext, w, inv, out);
        None
    }
}

/// Defines the segment kernel for one element type: `$load8` widens eight samples at a
/// pointer to `f64`, `$store8` rounds eight `f64` and stores them. Returns the last sum.
#[cfg(target_arch = "x86_64")]
macro_rules! segment_kernel {
    ($name:ident, $t:ty, $load8:expr, $store8:expr) => {
        #[target_feature(enable = "avx512f")]
        unsafe fn $name(
            ext: *const $t,
            out: *mut $t,
            b: usize,
            e: usize,
            w: usize,
            s0: f64,
            inv: f64,
        ) -> f64 {
            use std::arch::x86_64::*;
            // SAFETY (whole body): the caller guarantees outputs b..e and samples
            // ext[b..e + w - 1] are valid.
            unsafe {
                *out.add(b) = (s0 * inv) as $t;
                let zero = _mm512_setzero_si512();
                let top = _mm512_set1_epi64(7);
                let vinv = _mm512_set1_pd(inv);
                let mut carry = _mm512_set1_pd(s0);
                let mut i = b + 1;
                while i + 8 <= e {
                    let d = _mm512_sub_pd($load8(ext.add(i + w - 1)), $load8(ext.add(i - 1)));
                    let di = _mm512_castpd_si512(d);
                    let s1 =
                        _mm512_add_pd(d, _mm512_castsi512_pd(_mm512_alignr_epi64::<7>(di, zero)));
                    let s1i = _mm512_castpd_si512(s1);
                    let s2 =
                        _mm512_add_pd(s1, _mm512_castsi512_pd(_mm512_alignr_epi64::<6>(s1i, zero)));
                    let s2i = _mm512_castpd_si512(s2);
                    let s4 =
                        _mm512_add_pd(s2, _mm512_castsi512_pd(_mm512_alignr_epi64::<4>(s2i, zero)));
                    $store8(out.add(i), _mm512_mul_pd(_mm512_add_pd(s4, carry), vinv));
                    carry = _mm512_add_pd(carry, _mm512_permutexvar_pd(top, s4));
                    i += 8;
                }
                let mut s = _mm512_cvtsd_f64(carry);
                while i < e {
                    s += (*ext.add(i + w - 1) as f64) - (*ext.add(i - 1) as f64);
                    *out.add(i) = (s * inv) as $t;
                    i += 1;
                }
                s
            }
        }
    };
}

#[cfg(target_arch = "x86_64")]
segment_kernel!(
    segment_f32,
    f32,
    |p: *const f32| std::arch::x86_64::_mm512_cvtps_pd(std::arch::x86_64::_mm256_loadu_ps(p)),
    |p: *mut f32, v| std::arch::x86_64::_mm256_storeu_ps(p, std::arch::x86_64::_mm512_cvtpd_ps(v))
);

#[cfg(target_arch = "x86_64")]
segment_kernel!(
    segment_f64,
    f64,
    |p: *const f64| std::arch::x86_64::_mm512_loadu_pd(p),
    |p: *mut f64, v| std::arch::x86_64::_mm512_storeu_pd(p, v)
);

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
