//! The AVX-512 kernel of ndkern-spatial's binning: the cell of `f64` points on up to three
//! uniform axes, 8 points per iteration in 512-bit registers (moved here from
//! ndkern-spatial's `binning/cells_avx512.rs`; the portable kernel it twins, `uniform_cells`,
//! stays there and finishes the points this one leaves).
//!
//! Why: the portable kernel is bound by its compares. Each axis needs four (the range check
//! on both sides and the two edge corrections that make the bin agree with numpy's edges),
//! and in a `-C target-cpu=native` build (measured before runtime dispatch) LLVM's preferred
//! 256-bit vectors on AVX-512 machines ran them 4 points at a time on the one port that
//! writes mask registers: about 23 instructions and 7.5 cycles per 3-d point, 84% of Q1's
//! accumulation pass in `perf`. (The portable kernel's AVX-512 `multiversion!` copy has no
//! 256-bit preference and uses 512-bit vectors, but still more compares per point than this
//! kernel: 19 per 8 3-d points against 12; not re-measured.) Here 8 points share each compare, the
//! clamps are `vmaxpd`/`vminpd`, the range check is two chained masked compares, the edge
//! corrections are masked adds and the cell leaves the float domain through one masked
//! `vcvttpd2uqq` that also writes [`NONE`] for rejected points.
//!
//! The arithmetic is the portable kernel's, operation for operation (the same subtract,
//! multiply, floor and non-fused edge products), so the cells are identical, bit for bit;
//! the unit tests below check this against a scalar transcription on edges, ulp neighbours,
//! ±inf, NaN and huge values for every length up to a few vectors, and ndkern-spatial checks
//! it against its portable kernel.

use std::arch::x86_64::*;

use crate::simd::Avx512;

/// The cell written for a point outside the grid or with a NaN coordinate.
pub const NONE: usize = usize::MAX;

/// How far ahead (in `f64`, 4 KiB) the loop prefetches the points it will read.
const PREFETCH: usize = 512;

/// A uniform axis: bins of width `step` from `lo`, the last one closed at `hi`; `last` is
/// the index of the last bin (exact as `f64`) and `inv` the reciprocal width the first guess
/// multiplies by. Bin `i` holds `i * step + lo <= x < (i + 1) * step + lo` (numpy's edges).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UniformAxis {
    /// First edge.
    pub lo: f64,
    /// Last edge (inclusive).
    pub hi: f64,
    /// Index of the last bin.
    pub last: f64,
    /// `1 / step` (or the caller's equivalent guess factor).
    pub inv: f64,
    /// Bin width.
    pub step: f64,
}

/// The flat cell (`sum_k bin_k * strides[k]`) of each of the first `8 * floor(n / 8)` of the
/// `n = cells.len()` C-order points with `D` (1 to 3) coordinates each in `rows`, [`NONE`]
/// for a point outside the grid; returns how many points it did (the caller finishes the
/// rest with its portable kernel). `strides` and cells must stay below 2^53 (exact `f64`).
/// Panics when `D` is not 1 to 3 or `rows.len() != D * cells.len()`.
pub fn uniform_cells_f64<const D: usize>(
    _avx512: Avx512,
    rows: &[f64],
    axes: &[UniformAxis; D],
    strides: &[f64; D],
    cells: &mut [usize],
) -> usize {
    assert!((1..=3).contains(&D) && rows.len() == D * cells.len());
    // SAFETY: the `Avx512` token proves AVX-512 F and DQ (and BW, VL); the lengths are
    // checked above.
    unsafe { cells_f64::<D>(rows, axes, strides, cells) }
}

/// The body of [`uniform_cells_f64`].
///
/// # Safety
/// The CPU supports AVX-512F and AVX-512DQ; `rows.len() == D * cells.len()`, `D` in 1..=3.
#[target_feature(enable = "avx512f,avx512dq")]
unsafe fn cells_f64<const D: usize>(
    rows: &[f64],
    axes: &[UniformAxis; D],
    strides: &[f64; D],
    cells: &mut [usize],
) -> usize {
    let n = cells.len();
    let full = n - n % 8;
    let splat = |f: fn(&UniformAxis) -> f64| axes.map(|a| _mm512_set1_pd(f(&a)));
    let (lo, hi, last) = (splat(|a| a.lo), splat(|a| a.hi), splat(|a| a.last));
    let (inv, step) = (splat(|a| a.inv), splat(|a| a.step));
    let stride = strides.map(|s| _mm512_set1_pd(s));
    let zero = _mm512_setzero_pd();
    let one = _mm512_set1_pd(1.0);
    let none = _mm512_set1_epi64(NONE as i64);
    let (p, out) = (rows.as_ptr(), cells.as_mut_ptr());
    let mut i = 0;
    while i < full {
        // SAFETY: i + 8 <= n, so the 8 * D values from p + i * D are inside `rows`.
        let xs = unsafe { load_axes::<D>(p.add(i * D)) };
        // One prefetch per cache line read, a page ahead: the hardware streamer stops at 4 KiB
        // page boundaries, and the points (240 MB in Q1) are not in huge pages. Measured on
        // Q1, one thread: 64 -> 48 ms (2 KiB ahead: 50, 8 KiB: 48). A prefetch never faults,
        // so running past the end of `rows` is harmless (the address is only computed).
        for l in 0..D {
            _mm_prefetch::<_MM_HINT_T0>(p.wrapping_add(i * D + PREFETCH + 8 * l).cast());
        }
        let mut ok: __mmask8 = 0xff;
        let mut cf = zero;
        for k in 0..D {
            let x = xs[k];
            // In range and not NaN: `x >= lo && x <= hi` (ordered compares).
            ok = _mm512_mask_cmp_pd_mask::<_CMP_GE_OQ>(ok, x, lo[k]);
            ok = _mm512_mask_cmp_pd_mask::<_CMP_LE_OQ>(ok, x, hi[k]);
            // The guess clamped to [0, last]: maxpd/minpd return the second operand for a
            // NaN, as the portable selects do (`t > 0 ? t : 0`, `t < last ? t : last`).
            let t = _mm512_mul_pd(_mm512_sub_pd(x, lo[k]), inv[k]);
            let t = _mm512_min_pd(_mm512_max_pd(t, zero), last[k]);
            let mut f = _mm512_roundscale_pd::<{ _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC }>(t);
            // One step down onto edge `f * step + lo`. The portable kernel also asks f > 0;
            // at f = 0 the edge is `lo` itself, so the step only fires for x < lo, a point
            // the range check rejects anyway.
            let edge = _mm512_add_pd(_mm512_mul_pd(f, step[k]), lo[k]);
            let below = _mm512_cmp_pd_mask::<_CMP_LT_OQ>(x, edge);
            f = _mm512_mask_sub_pd(f, below, f, one);
            // One step up onto edge `(f + 1) * step + lo`; the portable `f < last` guard is
            // the min with `last` after the step (f <= last before it).
            let edge = _mm512_add_pd(_mm512_mul_pd(_mm512_add_pd(f, one), step[k]), lo[k]);
            let above = _mm512_cmp_pd_mask::<_CMP_GE_OQ>(x, edge);
            f = _mm512_min_pd(_mm512_mask_add_pd(f, above, f, one), last[k]);
            // f * stride and the running cell are integers below 2^53: exact, fused or not.
            cf = _mm512_fmadd_pd(f, stride[k], cf);
        }
        let c = _mm512_mask_cvttpd_epu64(none, ok, cf);
        // SAFETY: i + 8 <= n = cells.len().
        unsafe { _mm512_storeu_si512(out.add(i).cast(), c) };
        i += 8;
    }
    full
}

/// Coordinates `0..D` of the 8 C-order points at `p`, one register per axis.
///
/// # Safety
/// `p` points to at least `8 * D` readable `f64`; the CPU supports AVX-512F.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn load_axes<const D: usize>(p: *const f64) -> [__m512d; D] {
    // SAFETY: the caller guarantees 8 * D readable values.
    let r: [__m512d; 3] = unsafe {
        [
            _mm512_loadu_pd(p),
            if D > 1 {
                _mm512_loadu_pd(p.add(8))
            } else {
                _mm512_setzero_pd()
            },
            if D > 2 {
                _mm512_loadu_pd(p.add(16))
            } else {
                _mm512_setzero_pd()
            },
        ]
    };
    let mut xs = [_mm512_setzero_pd(); D];
    for (k, x) in xs.iter_mut().enumerate() {
        *x = match D {
            1 => r[0],
            // Lane j is value 2j + k of the 16 in r0, r1.
            2 => _mm512_permutex2var_pd(r[0], idx(|j| 2 * j + k), r[1]),
            // Lane j is value 3j + k of the 24 in r0, r1, r2: first from r0/r1 (values
            // below 16), then the rest from r2 over the partial result.
            _ => {
                let a = _mm512_permutex2var_pd(r[0], idx(|j| (3 * j + k) % 16), r[1]);
                let b = idx(|j| if 3 * j + k < 16 { j } else { 3 * j + k - 8 });
                _mm512_permutex2var_pd(a, b, r[2])
            }
        };
    }
    xs
}

/// The permutation index vector with lane `j` = `f(j)` (`f(j) < 16`).
#[inline(always)]
fn idx(f: impl Fn(usize) -> usize) -> __m512i {
    let v: [i64; 8] = std::array::from_fn(|j| f(j) as i64);
    // SAFETY: [i64; 8] and __m512i have the same size; unaligned load of a local.
    unsafe { _mm512_loadu_si512(v.as_ptr().cast()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The portable kernel's arithmetic, one point at a time (a transcription of
    /// ndkern-spatial's `uniform_term` and `to_cell`).
    fn scalar<const D: usize>(r: &[f64], axes: &[UniformAxis; D], strides: &[f64; D]) -> usize {
        let mut cf = 0.0;
        for k in 0..D {
            let (x, u) = (r[k], axes[k]);
            let t = (x - u.lo) * u.inv;
            let t = if t > 0.0 { t } else { 0.0 };
            let t = if t < u.last { t } else { u.last };
            let mut f = t.floor();
            if f > 0.0 && x < f * u.step + u.lo {
                f -= 1.0;
            }
            if f < u.last && x >= (f + 1.0) * u.step + u.lo {
                f += 1.0;
            }
            cf += if x >= u.lo && x <= u.hi {
                f * strides[k]
            } else {
                f64::NAN
            };
        }
        const MAGIC: f64 = 4_503_599_627_370_496.0;
        let i = ((cf + MAGIC).to_bits().wrapping_sub(MAGIC.to_bits())) as usize;
        if cf >= 0.0 {
            i
        } else {
            NONE
        }
    }

    fn next_up(x: f64) -> f64 {
        if x.is_nan() || x == f64::INFINITY {
            x
        } else if x == 0.0 {
            5e-324
        } else if x > 0.0 {
            f64::from_bits(x.to_bits() + 1)
        } else {
            f64::from_bits(x.to_bits() - 1)
        }
    }

    /// numpy-style uniform axis parameters.
    fn axis(lo: f64, hi: f64, n: usize) -> UniformAxis {
        let step = (hi - lo) / n as f64;
        UniformAxis {
            lo,
            hi,
            last: (n - 1) as f64,
            inv: n as f64 / (hi - lo),
            step,
        }
    }

    /// Values around every edge of `a` (on, one ulp either side), outside it, specials.
    fn probes(a: &UniformAxis, bins: usize) -> Vec<f64> {
        let mut v = vec![
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e308,
            -1e308,
            0.0,
            -0.0,
            5e-324,
        ];
        for i in 0..=bins {
            let e = if i == bins {
                a.hi
            } else {
                i as f64 * a.step + a.lo
            };
            v.extend([e, next_up(e), -next_up(-e), e + 0.5 * a.step]);
        }
        v
    }

    fn check<const D: usize>(tok: Avx512, axes: [UniformAxis; D], bins: [usize; D]) {
        let mut strides = [1.0; D];
        for k in (0..D.saturating_sub(1)).rev() {
            strides[k] = strides[k + 1] * bins[k + 1] as f64;
        }
        let per: Vec<Vec<f64>> = (0..D).map(|k| probes(&axes[k], bins[k])).collect();
        let npts = per.iter().map(Vec::len).max().unwrap() * 3;
        let rows: Vec<f64> = (0..npts * D)
            .map(|i| {
                let (j, k) = (i / D, i % D);
                per[k][(j * (k + 1) * 7 + j / 3) % per[k].len()]
            })
            .collect();
        for len in (0..=25).chain([npts]) {
            let rows = &rows[..len * D];
            let mut got = vec![7usize; len];
            let done = uniform_cells_f64::<D>(tok, rows, &axes, &strides, &mut got);
            assert_eq!(done, len - len % 8);
            for j in 0..done {
                let want = scalar(&rows[j * D..(j + 1) * D], &axes, &strides);
                assert_eq!(got[j], want, "len {len}, D {D}, point {j}");
            }
            assert!(
                got[done..].iter().all(|&c| c == 7),
                "wrote past the full vectors"
            );
        }
    }

    #[test]
    fn matches_the_portable_arithmetic() {
        let Some(tok) = Avx512::new() else {
            return; // below the AVX-512 level
        };
        check(tok, [axis(1.0, 2.0, 100)], [100]);
        check(tok, [axis(0.1, 0.4, 3)], [3]);
        check(
            tok,
            [axis(-1e6, 1e6, 7), axis(0.0, 1.0 / 3.0, 199)],
            [7, 199],
        );
        check(
            tok,
            [
                axis(1.0, 2.0, 100),
                axis(-3.5, 2.25, 13),
                axis(1e-9, 2e-9, 5),
            ],
            [100, 13, 5],
        );
        check(
            tok,
            [
                axis(-1e300, 1e300, 11),
                axis(0.0, 1e300, 2),
                axis(5.0, 6.0, 1),
            ],
            [11, 2, 1],
        );
    }
}
