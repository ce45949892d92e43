//! The 2-D cross-power pipeline behind [`cross_correlate_circular`](crate::cross_correlate_circular)
//! and [`phase_cross_correlation`](crate::phase_cross_correlation) for 2-D images.
//!
//! Why a dedicated path: the generic N-d route (`rfftn`, an element-wise product, `irfftn`,
//! then a separate argmax) moves every intermediate through memory four or five times and
//! walks the column FFTs with a strided gather per pass. Here:
//!
//! 1. rows: one real FFT per row (half spectrum, `n1 / 2 + 1` bins), rows in parallel;
//!    the mean is removed per row on the way (exactly: the row-mean differences go back into
//!    bin 0), so no demeaned copy of the image is ever made;
//! 2. columns: blocks of [`CB`] adjacent half-spectrum columns are gathered once into a
//!    contiguous buffer (two cache lines per row), transformed, multiplied with the other
//!    image's spectrum (and phase-normalized) *in the same block*, optionally kept for the
//!    upsampled DFT, inverse-transformed and scattered back: one read and one write of the
//!    half spectrum for forward FFT, product and inverse together;
//! 3. rows again: inverse real FFT per row, scaled, written out, with the argmax reduced in
//!    the same pass (per row block, then across blocks in C order, first maximum wins as in
//!    numpy).
//!
//! Plans come from the caller's [`FftPlans`] (planners cache every length), so repeated calls
//! plan nothing. Everything computes in `f64`.

use std::sync::Arc;

use ndarray::{Array2, ArrayView1, ArrayView2, ArrayViewMut2, Axis};
use ndkern_core::Element;
use rayon::prelude::*;
use realfft::{ComplexToReal, RealToComplex};
use rustfft::Fft;

use crate::fft::{FftPlans, C64};

/// Columns (complex bins) per block in the column stage: 8 x 16 B = two cache lines per row.
const CB: usize = 8;

/// Rows per task in the row stages.
const RB: usize = 4;

/// The four plans of a 2-D real transform of shape `(n0, n1)`.
pub(crate) struct Plans2 {
    pub n0: usize,
    pub n1: usize,
    /// Half-spectrum width `n1 / 2 + 1`.
    pub h1: usize,
    r2c: Arc<dyn RealToComplex<f64>>,
    c2r: Arc<dyn ComplexToReal<f64>>,
    fwd: Arc<dyn Fft<f64>>,
    inv: Arc<dyn Fft<f64>>,
}

impl Plans2 {
    pub fn new(p: &mut FftPlans, n0: usize, n1: usize) -> Self {
        Self {
            n0,
            n1,
            h1: n1 / 2 + 1,
            r2c: p.real.plan_fft_forward(n1),
            c2r: p.real.plan_fft_inverse(n1),
            fwd: p.complex.plan_fft_forward(n0),
            inv: p.complex.plan_fft_inverse(n0),
        }
    }

    /// Parseval weight of half-spectrum column `k1` in the full spectrum (its mirror counts
    /// too, except for bin 0 and, for even `n1`, the Nyquist bin).
    #[inline]
    pub fn weight(&self, k1: usize) -> f64 {
        if k1 == 0 || (self.n1.is_multiple_of(2) && k1 == self.n1 / 2) {
            1.0
        } else {
            2.0
        }
    }
}

/// Per-image statistics gathered by [`rows_forward`] when demeaning.
pub(crate) struct RowStats {
    /// `sum (x - mean)^2` over the whole image.
    pub ss: f64,
}

ndkern_core::multiversion! {
    /// Row `src` into `buf` as f64; with `demean`, minus its mean, returning (row sum, sum of
    /// squares about the row mean). Compiled per SIMD level.
    fn prep_row[T: Element](
        src: ArrayView1<'_, T>,
        buf: &mut [f64],
        demean: bool,
    ) -> Option<(f64, f64)> {
        for (b, &v) in buf.iter_mut().zip(src) {
            *b = v.as_f64();
        }
        if !demean {
            return None;
        }
        let sum: f64 = buf.iter().sum();
        let m = sum / buf.len() as f64;
        let mut ss = 0.0;
        for b in buf.iter_mut() {
            *b -= m;
            ss += *b * *b;
        }
        Some((sum, ss))
    }
}

/// Row half spectra `out[r, k1] = rfft(a[r, :])[k1]` (rows in parallel). With `demean`, the
/// spectrum is that of `a - mean(a)`: each row is centred on its own mean before the FFT (so
/// bins k1 >= 1 never see a large offset) and bin 0 gets `sum(row) - n1 * mean` back.
pub(crate) fn rows_forward<T: Element>(
    pl: &Plans2,
    a: &ArrayView2<T>,
    demean: bool,
) -> (Array2<C64>, RowStats) {
    let (n0, n1, h1) = (pl.n0, pl.n1, pl.h1);
    let mut out = Array2::<C64>::zeros((n0, h1)); // checked by the callers (`Plans2::check`)
                                                  // Per row: (row sum, sum of squares about the row mean).
    let mut sums = vec![(0.0f64, 0.0f64); n0];
    let r2c = &pl.r2c;
    out.axis_chunks_iter_mut(Axis(0), RB)
        .into_par_iter()
        .zip(sums.par_chunks_mut(RB))
        .enumerate()
        .for_each_init(
            || (vec![0.0f64; n1], r2c.make_scratch_vec()),
            |(buf, scratch), (blk, (mut rows, sums))| {
                for (i, (mut orow, s)) in rows.outer_iter_mut().zip(sums).enumerate() {
                    let r = blk * RB + i;
                    if let Some(st) = prep_row(a.row(r), buf, demean) {
                        *s = st;
                    }
                    let o = orow.as_slice_mut().expect("rows of a standard array");
                    r2c.process_with_scratch(buf, o, scratch)
                        .expect("buffer lengths come from the plan");
                }
            },
        );
    let mut ss = 0.0;
    if demean {
        let total: f64 = sums.iter().map(|s| s.0).sum();
        let m = total / (n0 * n1) as f64;
        for (r, &(sum, ssr)) in sums.iter().enumerate() {
            let d = sum - n1 as f64 * m;
            // Exact decomposition: sum (x - m)^2 = sum (x - m_r)^2 + n1 (m_r - m)^2.
            ss += ssr + d * d / n1 as f64;
            out[[r, 0]] = C64::new(d, 0.0);
        }
    }
    (out, RowStats { ss })
}

ndkern_core::multiversion! {
    /// Gathers columns `k1..k1 + w` of the row-major half spectrum into `buf` (column-major,
    /// `n0` per column). Compiled per SIMD level.
    fn gather(src: &ArrayView2<'_, C64>, buf: &mut [C64], n0: usize) {
        for (r, row) in src.outer_iter().enumerate() {
            for (c, &v) in row.iter().enumerate() {
                buf[c * n0 + r] = v;
            }
        }
    }
}

ndkern_core::multiversion! {
    /// [`gather`] backwards: `buf` (column-major) into the row-major `dst`.
    fn scatter(dst: &mut ArrayViewMut2<'_, C64>, buf: &[C64], n0: usize) {
        for (r, mut row) in dst.outer_iter_mut().enumerate() {
            for (c, v) in row.iter_mut().enumerate() {
                *v = buf[c * n0 + r];
            }
        }
    }
}

/// Column FFTs of a row half spectrum into the transposed layout `out[k1 * n0 + k0]` (the
/// full 2-D half spectrum, one contiguous column per `k1`). Returns `sum |X|^2` over the full
/// (Hermitian) spectrum.
pub(crate) fn columns_forward(pl: &Plans2, rows: &Array2<C64>) -> (Vec<C64>, f64) {
    let n0 = pl.n0;
    let mut out = vec![C64::default(); pl.h1 * n0];
    let fwd = &pl.fwd;
    let amp = rows
        .axis_chunks_iter(Axis(1), CB)
        .into_par_iter()
        .zip(out.par_chunks_mut(CB * n0))
        .enumerate()
        .map_init(
            || vec![C64::default(); fwd.get_inplace_scratch_len()],
            |scratch, (blk, (src, dst))| {
                gather(&src, dst, n0);
                fwd.process_with_scratch(dst, scratch);
                dst.chunks(n0)
                    .enumerate()
                    .map(|(c, col)| {
                        pl.weight(blk * CB + c) * col.iter().map(|v| v.norm_sqr()).sum::<f64>()
                    })
                    .sum::<f64>()
            },
        )
        .sum();
    (out, amp)
}

ndkern_core::multiversion! {
    /// The transformed columns `buf` (`n0` each, the first is column `k0`) times the other
    /// spectrum's `oth` through `combine`, returning their weighted squared amplitude (before
    /// `combine`). Compiled per SIMD level, with `combine` inlined.
    fn combine_columns[F: Fn(usize, &mut [C64], &[C64])](
        pl: &Plans2,
        buf: &mut [C64],
        oth: &[C64],
        k0: usize,
        combine: &F,
    ) -> f64 {
        let n0 = pl.n0;
        let mut amp = 0.0;
        for (c, (col, ocol)) in buf.chunks_mut(n0).zip(oth.chunks(n0)).enumerate() {
            let k1 = k0 + c;
            amp += pl.weight(k1) * col.iter().map(|v| v.norm_sqr()).sum::<f64>();
            combine(k1, col, ocol);
        }
        amp
    }
}

/// The cross stage: column FFTs of `rows` (row-major half spectrum of the first image),
/// `combine(k1, column, other_column)` in place (the other image's column from the transposed
/// spectrum `other`), optionally a copy of the combined columns into `keep` (transposed
/// layout), the inverse column FFTs, and the result written back into `rows`. Returns
/// `sum |X|^2` of the first image's full spectrum.
pub(crate) fn cross_columns(
    pl: &Plans2,
    rows: &mut Array2<C64>,
    other: &[C64],
    keep: Option<&mut [C64]>,
    combine: impl Fn(usize, &mut [C64], &[C64]) + Sync,
) -> f64 {
    let n0 = pl.n0;
    let blocks: Vec<ArrayViewMut2<C64>> = rows.axis_chunks_iter_mut(Axis(1), CB).collect();
    let keeps: Vec<Option<&mut [C64]>> = match keep {
        Some(k) => k.chunks_mut(CB * n0).map(Some).collect(),
        None => (0..blocks.len()).map(|_| None).collect(),
    };
    let (fwd, inv) = (&pl.fwd, &pl.inv);
    let scratch_len = fwd
        .get_inplace_scratch_len()
        .max(inv.get_inplace_scratch_len());
    blocks
        .into_par_iter()
        .zip(other.par_chunks(CB * n0))
        .zip(keeps)
        .enumerate()
        .map_init(
            || {
                (
                    vec![C64::default(); CB * n0],
                    vec![C64::default(); scratch_len],
                )
            },
            |(buf, scratch), (blk, ((mut dst, oth), keep))| {
                let w = dst.ncols();
                let buf = &mut buf[..w * n0];
                gather(&dst.view(), buf, n0);
                fwd.process_with_scratch(buf, scratch);
                let amp = combine_columns(pl, buf, oth, blk * CB, &combine);
                if let Some(k) = keep {
                    k.copy_from_slice(buf);
                }
                inv.process_with_scratch(buf, scratch);
                scatter(&mut dst, buf, n0);
                amp
            },
        )
        .sum()
}

ndkern_core::multiversion! {
    /// `line *= scale` and the running maximum of `score` over it into `best` (score, flat
    /// index from `base`, value; the first maximum wins). Compiled per SIMD level.
    fn scale_argmax[F: Fn(f64) -> f64](
        line: &mut [f64],
        scale: f64,
        score: &F,
        base: usize,
        best: &mut (f64, usize, f64),
    ) {
        for (j, v) in line.iter_mut().enumerate() {
            *v *= scale;
            let s = score(*v);
            if s > best.0 {
                *best = (s, base + j, *v);
            }
        }
    }
}

/// Inverse real FFT of every row of the half spectrum `rows`, times `scale`, written to `out`
/// when given, and the C-order argmax of `score(value)` (first maximum wins). Returns the
/// flat index and the (scaled) value there.
pub(crate) fn rows_inverse_argmax(
    pl: &Plans2,
    rows: &Array2<C64>,
    out: Option<&mut Array2<f64>>,
    scale: f64,
    score: impl Fn(f64) -> f64 + Sync,
) -> (usize, f64) {
    let (n1, h1) = (pl.n1, pl.h1);
    let c2r = &pl.c2r;
    let outs: Vec<Option<ArrayViewMut2<f64>>> = match out {
        Some(o) => o.axis_chunks_iter_mut(Axis(0), RB).map(Some).collect(),
        None => (0..rows.nrows().div_ceil(RB)).map(|_| None).collect(),
    };
    let best = rows
        .axis_chunks_iter(Axis(0), RB)
        .into_par_iter()
        .zip(outs)
        .enumerate()
        .map_init(
            || {
                (
                    vec![C64::default(); h1],
                    vec![0.0f64; n1],
                    c2r.make_scratch_vec(),
                )
            },
            |(spec, line, scratch), (blk, (src, mut dst))| {
                // (score, flat index, value); NEG_INFINITY loses to everything but NaN.
                let mut best = (f64::NEG_INFINITY, usize::MAX, f64::NAN);
                for (i, row) in src.outer_iter().enumerate() {
                    let r = blk * RB + i;
                    spec.iter_mut().zip(row).for_each(|(s, &v)| *s = v);
                    // numpy's irfft ignores the imaginary parts of bin 0 and Nyquist.
                    crate::fft::real_end_bins(spec, n1);
                    c2r.process_with_scratch(spec, line, scratch)
                        .expect("buffer lengths come from the plan");
                    scale_argmax(line, scale, &score, r * n1, &mut best);
                    if let Some(d) = dst.as_mut() {
                        d.row_mut(i)
                            .as_slice_mut()
                            .expect("rows of a standard array")
                            .copy_from_slice(line);
                    }
                }
                best
            },
        )
        .reduce(
            || (f64::NEG_INFINITY, usize::MAX, f64::NAN),
            |a, b| {
                if b.0 > a.0 || (b.0 == a.0 && b.1 < a.1) {
                    b
                } else {
                    a
                }
            },
        );
    if best.1 == usize::MAX {
        // All scores NaN: numpy's argmax returns the first NaN, index 0.
        return (0, f64::NAN);
    }
    (best.1, best.2)
}
