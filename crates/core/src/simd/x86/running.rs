//! AVX-512 running window sums of one line: the steps, their scan and the scaled, rounded
//! output in one pass, eight samples per step (moved here from ndkern-spatial's
//! `windows/kernels/running.rs`; that module keeps the element-type dispatch and the
//! fallback).
//!
//! Why: the portable route (ndkern-spatial's `running_sums`) makes three passes over a row
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

use std::arch::x86_64::*;

use crate::simd::Avx512;
use crate::ANCHOR_EVERY;

/// Defines the safe line function and its segment kernel for one element type: `$load8`
/// widens eight samples at a pointer to `f64`, `$store8` rounds eight `f64` and stores them.
macro_rules! running_kernel {
    ($(#[$doc:meta])* $line:ident, $segment:ident, $t:ty, $load8:expr, $store8:expr) => {
        $(#[$doc])*
        ///
        /// Fills `out[i] = inv * sum ext[i..i + w]` (`ext` holds at least `out.len() + w - 1`
        /// samples) and returns whether every sum was finite. Panics when `w < 2` (a 1-wide
        /// window is the sample itself: copy it) or `ext` is too short.
        pub fn $line(_avx512: Avx512, ext: &[$t], w: usize, inv: f64, out: &mut [$t]) -> bool {
            assert!(w >= 2, "running sums need a window of at least 2 samples");
            assert!(ext.len() + 1 >= out.len() + w, "extended line too short");
            let n = out.len();
            let (pe, po) = (ext.as_ptr(), out.as_mut_ptr());
            let mut finite = true;
            for b in (0..n).step_by(ANCHOR_EVERY) {
                let e = (b + ANCHOR_EVERY).min(n);
                let s0: f64 = ext[b..b + w].iter().map(|&v| f64::from(v)).sum();
                // SAFETY: the `Avx512` token proves AVX-512 F; outputs b..e are inside `out`,
                // and every sample read, `ext[i - 1]` and `ext[i + w - 1]` for i in b+1..e, is
                // inside `ext` (e + w - 2 < n + w - 1 <= ext.len(), asserted above).
                let last = unsafe { $segment(pe, po, b, e, w, s0, inv) };
                finite &= last.is_finite();
            }
            finite
        }

        /// One segment `b..e` of the line, from the direct sum `s0` of its first window;
        /// returns the last sum.
        ///
        /// # Safety
        /// The CPU supports AVX-512 F; `out` is valid for writes of elements `b..e` and `ext`
        /// for reads of elements `b..e + w - 1`.
        #[target_feature(enable = "avx512f")]
        unsafe fn $segment(
            ext: *const $t,
            out: *mut $t,
            b: usize,
            e: usize,
            w: usize,
            s0: f64,
            inv: f64,
        ) -> f64 {
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
                    s += f64::from(*ext.add(i + w - 1)) - f64::from(*ext.add(i - 1));
                    *out.add(i) = (s * inv) as $t;
                    i += 1;
                }
                s
            }
        }
    };
}

running_kernel!(
    /// Running window sums of an `f32` line, summed in `f64` and rounded once.
    running_sums_f32,
    segment_f32,
    f32,
    |p: *const f32| _mm512_cvtps_pd(_mm256_loadu_ps(p)),
    |p: *mut f32, v| _mm256_storeu_ps(p, _mm512_cvtpd_ps(v))
);

running_kernel!(
    /// Running window sums of an `f64` line.
    running_sums_f64,
    segment_f64,
    f64,
    |p: *const f64| _mm512_loadu_pd(p),
    |p: *mut f64, v| _mm512_storeu_pd(p, v)
);

#[cfg(test)]
mod tests {
    use super::*;

    /// Direct `f64` window sums, the oracle.
    fn direct(ext: &[f64], w: usize, inv: f64, n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| ext[i..i + w].iter().sum::<f64>() * inv)
            .collect()
    }

    #[test]
    fn agrees_with_direct_sums() {
        let Some(tok) = Avx512::new() else {
            return; // below the AVX-512 level
        };
        // Lengths around the block of eight and the anchoring segments.
        for n in [1, 2, 7, 8, 9, 16, 17, 100, 1023, 1024, 1025, 2049, 4000] {
            for w in [2, 3, 9, 31, 64] {
                let ext: Vec<f64> = (0..n + w - 1)
                    .map(|i| 1e6 + ((i * 7919) % 1009) as f64 * 0.37)
                    .collect();
                let inv = 1.0 / w as f64;
                let want = direct(&ext, w, inv, n);
                let mut out = vec![0.0; n];
                assert!(running_sums_f64(tok, &ext, w, inv, &mut out));
                let ext32: Vec<f32> = ext.iter().map(|&v| v as f32).collect();
                let want32 = direct(
                    &ext32.iter().map(|&v| f64::from(v)).collect::<Vec<_>>(),
                    w,
                    inv,
                    n,
                );
                let mut out32 = vec![0.0f32; n];
                assert!(running_sums_f32(tok, &ext32, w, inv, &mut out32));
                for i in 0..n {
                    assert!(
                        (out[i] - want[i]).abs() <= 1e-13 * want[i].abs(),
                        "n {n} w {w} i {i}"
                    );
                    let d = (f64::from(out32[i]) - want32[i]).abs();
                    assert!(d <= 1.2e-7 * want32[i].abs(), "f32 n {n} w {w} i {i}");
                }
            }
        }
    }

    #[test]
    fn reports_non_finite_lines() {
        let Some(tok) = Avx512::new() else {
            return;
        };
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            for pos in [0, 5, 40, 1030, 2999] {
                let (n, w) = (3000, 31);
                let mut ext = vec![1.0f64; n + w - 1];
                ext[pos] = bad;
                let mut out = vec![0.0; n];
                assert!(
                    !running_sums_f64(tok, &ext, w, 1.0, &mut out),
                    "{bad} at {pos}"
                );
            }
        }
        let mut out = vec![0.0f32; 10];
        assert!(running_sums_f32(tok, &[2.0f32; 12], 3, 1.0, &mut out));
        assert!(out.iter().all(|&v| v == 6.0));
    }
}
