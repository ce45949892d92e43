//! The slice kernels of the binning hot paths, written as straight-line loops over contiguous
//! slices (no branches that depend on the data, no early exits) so that LLVM vectorizes them:
//! the point -> bin arithmetic of a uniform axis and the range check of integer labels.
//!
//! Why: the scalar `AxisBins::index` spends its time in branches (range check, the two edge
//! corrections, the `Option`) per coordinate; here the same arithmetic runs over a block of a
//! column with compares turned into selects, and the bin leaves the float domain through the
//! `2^52` bit trick instead of a saturating cast. The result is identical to
//! `AxisBins::index`, bit for bit (the same subtract, multiply, floor and edge products);
//! `tests/binning_index.rs` checks this on edges, ulp neighbours, ±inf, NaN and 1e308.
//! Each kernel is a `multiversion!` leaf: compiled for SSE2, AVX2+FMA and AVX-512 and run at
//! the dispatched level ([`ndkern_core::simd::level`]). At the AVX-512 level, `f64` points take
//! the intrinsics twin of [`uniform_cells`] in the cells_avx512 module (8 points per compare),
//! checked against this kernel.

use ndkern_core::{Element, Label};

use super::accumulate::NONE;

/// A uniform axis with its parameters as `f64`, hoisted out of the loop.
#[derive(Clone, Copy, Debug)]
pub(crate) struct UniformAxis {
    pub lo: f64,
    pub hi: f64,
    /// Index of the last bin, as `f64` (exact: at most 2^40).
    pub last: f64,
    pub inv: f64,
    pub step: f64,
}

impl UniformAxis {
    /// From [`super::grid::AxisBins::uniform_params`]' tuple.
    pub(crate) fn new((lo, hi, last, inv, step): (f64, f64, usize, f64, f64)) -> Self {
        UniformAxis {
            lo,
            hi,
            last: last as f64,
            inv,
            step,
        }
    }
}

/// `2^52` (see [`to_cells`]).
const MAGIC: f64 = 4_503_599_627_370_496.0;

ndkern_core::multiversion! {
    /// `cells[j] += bin(xs[j]) * stride` for the uniform axis `u`, with cells held as exact
    /// integer-valued `f64` (below 2^53: grids have at most 2^40 cells) and NaN marking a point
    /// outside the grid: a NaN or out-of-range `xs[j]` adds NaN, and NaN stays NaN through the
    /// other axes. Float cells keep the loop free of 64-bit integer multiplies and blends.
    /// Each bin equals `uniform_index` (grid module) on the same `x`.
    pub(crate) fn add_uniform_bins(xs: &[f64], u: &UniformAxis, stride: f64, cells: &mut [f64]) {
        for (c, &x) in cells.iter_mut().zip(xs) {
            *c += uniform_term(x, u, stride);
        }
    }
}

/// `bin(x) * stride` on the uniform axis `u`, or NaN when `x` is NaN or outside `[lo, hi]`:
/// straight-line code (compares become selects) so loops over it vectorize.
#[inline(always)]
fn uniform_term(x: f64, u: &UniformAxis, stride: f64) -> f64 {
    let (lo, hi, last, inv, step) = (u.lo, u.hi, u.last, u.inv, u.step);
    // The arithmetic guess, clamped to [0, last] (NaN -> 0: rejected by `ok` below).
    let t = (x - lo) * inv;
    let t = if t > 0.0 { t } else { 0.0 };
    let t = if t < last { t } else { last };
    let mut f = t.floor();
    // One step each way onto numpy's edges `i * step + lo` (as `uniform_index`).
    f = if f > 0.0 && x < f * step + lo {
        f - 1.0
    } else {
        f
    };
    f = if f < last && x >= (f + 1.0) * step + lo {
        f + 1.0
    } else {
        f
    };
    let ok = x >= lo && x <= hi;
    if ok {
        f * stride
    } else {
        f64::NAN
    }
}

ndkern_core::multiversion! {
    /// The cells of C-order points with `D` coordinates each (`rows.len() == D * cells.len()`) on
    /// `D` uniform axes, in one pass: the loop reads the interleaved coordinates with shuffles
    /// (no per-axis column copies) and writes `usize` cells ([`NONE`] outside).
    pub(crate) fn uniform_cells[T: Element, const D: usize](
        rows: &[T],
        axes: &[UniformAxis; D],
        strides: &[f64; D],
        cells: &mut [usize],
    ) {
        for (c, r) in cells.iter_mut().zip(rows.chunks_exact(D)) {
            let mut cf = 0.0;
            for k in 0..D {
                cf += uniform_term(r[k].as_f64(), &axes[k], strides[k]);
            }
            *c = to_cell(cf);
        }
    }
}

ndkern_core::multiversion! {
    /// The bin of each value of `xs` where `ms` is set, on the uniform axis `u`, into `cells`
    /// (equal lengths); `discard` for a masked-out, NaN or out-of-range value. Straight-line
    /// code (the mask is a select, not a branch: Q5's mask is 70% set at random, and a
    /// branch on it mispredicted every third value), so the loop vectorizes. Each bin equals
    /// `uniform_index` (grid module) on the same `x`.
    pub(crate) fn masked_uniform_cells[T: Element](
        xs: &[T],
        ms: &[bool],
        u: &UniformAxis,
        discard: usize,
        cells: &mut [usize],
    ) {
        let d = discard as f64;
        for ((c, &x), &m) in cells.iter_mut().zip(xs).zip(ms) {
            let f = masked_bin(x.as_f64(), m, u, d);
            *c = (f + MAGIC).to_bits().wrapping_sub(MAGIC.to_bits()) as usize;
        }
    }
}

/// The bin of `x` on `u` as an integer-valued `f64`, or `discard` (an integer below 2^52) when
/// `!m`, `x` is NaN or outside `[lo, hi]`: [`uniform_term`]'s arithmetic without the guards
/// that only matter for discarded values (an in-range `x` never steps below bin 0; one `min`
/// undoes a step past the last bin), so fewer selects per value. Equal to `uniform_index`.
#[inline(always)]
fn masked_bin(x: f64, m: bool, u: &UniformAxis, discard: f64) -> f64 {
    let (lo, hi, last, inv, step) = (u.lo, u.hi, u.last, u.inv, u.step);
    // For x in [lo, hi] the guess is >= 0; above `last` only by rounding.
    let t = (x - lo) * inv;
    let mut f = (if t < last { t } else { last }).floor();
    f = if x < f * step + lo { f - 1.0 } else { f };
    f = if x >= (f + 1.0) * step + lo {
        f + 1.0
    } else {
        f
    };
    f = if f < last { f } else { last };
    if m && x >= lo && x <= hi {
        f
    } else {
        discard
    }
}

ndkern_core::multiversion! {
    /// `cells[j] += bin(xs[j]) * stride` for arbitrary bins (`bin` returns `None` outside),
    /// in the float-cell convention of [`add_uniform_bins`].
    pub(crate) fn add_bins[F: Fn(f64) -> Option<usize>](
        xs: &[f64],
        bin: F,
        stride: f64,
        cells: &mut [f64],
    ) {
        for (c, &x) in cells.iter_mut().zip(xs) {
            *c += bin(x).map_or(f64::NAN, |i| i as f64 * stride);
        }
    }
}

ndkern_core::multiversion! {
    /// Float cells (integer-valued or NaN) to `usize` cells, NaN -> [`NONE`]. Adding `2^52` puts
    /// the integer in the low mantissa bits, so subtracting bit patterns converts exactly
    /// without a saturating cast.
    pub(crate) fn to_cells(cf: &[f64], cells: &mut [usize]) {
        for (c, &f) in cells.iter_mut().zip(cf) {
            *c = to_cell(f);
        }
    }
}

#[inline(always)]
fn to_cell(f: f64) -> usize {
    let i = ((f + MAGIC).to_bits().wrapping_sub(MAGIC.to_bits())) as usize;
    if f >= 0.0 {
        i
    } else {
        NONE
    }
}

ndkern_core::multiversion! {
    /// The largest of `labels` read as `usize` by [`Label::to_index_wrapping`] (a negative label
    /// is `>= 2^63`), 0 when empty: one vectorized max decides whether a whole block is in range.
    pub(crate) fn max_wrapped[L: Label](labels: &[L]) -> usize {
        labels
            .iter()
            .fold(0usize, |m, &l| m.max(l.to_index_wrapping()))
    }
}

/// Position of the first label that is negative or `>= len`, if any.
#[inline]
pub(crate) fn first_bad_label<L: Label>(labels: &[L], len: usize) -> Option<usize> {
    if max_wrapped(labels) < len {
        return None;
    }
    labels.iter().position(|&l| l.to_index_wrapping() >= len)
}

/// How far ahead the streaming loops prefetch their input: one 4 KiB page, the distance the
/// hardware streamer cannot see across.
pub(crate) const PREFETCH_BYTES: usize = 4096;

/// Asks the CPU to bring the cache line at `p` into L1 (no-op off x86_64). A prefetch never
/// faults: `p` may point anywhere, past the end of a slice included (compute it with
/// `wrapping_add`).
#[inline(always)]
pub(crate) fn prefetch<T>(p: *const T) {
    ndkern_core::simd::prefetch_read(p);
}
