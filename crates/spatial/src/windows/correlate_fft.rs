//! Dense 2-D correlation through row FFTs: the route of [`correlate`](super::correlate) for
//! large non-separable `f32` kernels.
//!
//! Why: the direct dense route costs one multiply-add per non-zero tap per sample (225 for
//! the 15x15 kernel of BENCHMARKS.md's `correlate15_2d` row) and OpenCV's `filter2D` switches
//! to a DFT above 130 taps. Here the work is split by axis:
//!
//! * along the rows, in the frequency domain: each border-extended input row (or overlap-save
//!   chunk of it, `L` samples) is transformed once with a real FFT in `f64`;
//! * along the columns, directly: output row `i` is `sum_ki X_{i+ki} * conj(W_ki)` over the
//!   `kh` kernel rows, `kh` complex multiply-adds per frequency bin (planes of real and
//!   imaginary parts, SIMD at the dispatched level), then one inverse FFT.
//!
//! Per sample that is about two FFT butterflies' worth of work plus `kh` complex
//! multiply-adds per bin (half a bin per sample) instead of `kh * kw` taps; the kernel's
//! spectra and a ring of the last `kh` row spectra stay in cache. Rows are split into bands,
//! one rayon task each (a band recomputes the `kh - 1` row spectra it shares with the next).
//!
//! Border modes and origins are those of the direct route: every extended row is built from
//! `BorderMode::source_index`, so the result is the same sum up to rounding. The transforms
//! are `f64` whatever the element type: the error is ~1e-16 of `max|x| * sum|w|` over the
//! row chunk (measured by `tests/correlate_fft.rs`), far below the rounding of an `f32`
//! output. NaN and infinity would spread along a whole row through a transform, so when the
//! input holds any (or an `f64` sum overflows), [`correlate_fft_2d`] stops and returns
//! `Ok(false)`: the caller runs the direct route, which keeps them local.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use ndarray::{ArrayView2, ArrayViewD, ArrayViewMut2, ArrayViewMutD, Axis, Ix2};
use ndkern_core::{f64x8, BorderMode, Element, Result};
use rayon::prelude::*;
use realfft::num_complex::Complex;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};

/// Longest row chunk (samples) one transform covers; wider rows are cut into overlap-save
/// chunks.
const MAX_CHUNK: usize = 8192;

/// Bins per block of the spectral multiply-add (two `f64x8` of real and imaginary parts).
const BLOCK: usize = 16;

/// The cost model, in nanoseconds of one core at the AVX2 level (fitted with the timing
/// harness of `tests/correlate_fft.rs`): one `f64` real FFT costs `COST_FFT * L log2 L`, one
/// complex multiply-add of a bin `COST_MAC`, every sample of a chunk `COST_SAMPLE` (widening,
/// narrowing, layout), every chunk of a row `COST_CHUNK` (a chunk re-reads its stripe of
/// every input row), one direct tap of one sample `COST_TAP`.
const COST_FFT: f64 = 0.15;
const COST_MAC: f64 = 0.25;
const COST_SAMPLE: f64 = 1.5;
const COST_CHUNK: f64 = 4000.0;
const COST_TAP: f64 = 0.105;

/// A row chunk plan: transform length `l`, outputs per chunk `v = l - kw + 1`, chunk count.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ChunkPlan {
    pub(crate) l: usize,
    pub(crate) v: usize,
    pub(crate) chunks: usize,
    /// Modelled cost per output row (arbitrary units, comparable with [`direct_cost`]).
    pub(crate) cost: f64,
}

/// Even transform lengths `2^a 3^b 5^c` in `16..=MAX_CHUNK`, ascending.
fn fast_lengths() -> Vec<usize> {
    let mut v = Vec::new();
    let mut p2 = 2;
    while p2 <= MAX_CHUNK {
        let mut p3 = p2;
        while p3 <= MAX_CHUNK {
            let mut p5 = p3;
            while p5 <= MAX_CHUNK {
                if p5 >= 16 {
                    v.push(p5);
                }
                p5 *= 5;
            }
            p3 *= 3;
        }
        p2 *= 2;
    }
    v.sort_unstable();
    v
}

/// The cheapest chunk length for rows of `n1` samples and a `kh x kw` kernel (`None` when
/// no length fits: `kw` too long for [`MAX_CHUNK`]).
pub(crate) fn chunk_plan(n1: usize, kh: usize, kw: usize) -> Option<ChunkPlan> {
    fast_lengths()
        .into_iter()
        // The ring of row spectra and the doubled kernel spectra (48 bytes per bin and kernel
        // row) within ~1 MiB, so that they stay in a core's L2.
        .filter(|&l| l >= 2 * kw && (l == 16 || 24 * kh * l <= 1 << 20))
        .map(|l| {
            let v = l - (kw - 1);
            let chunks = n1.div_ceil(v).max(1);
            let lf = l as f64;
            let per_chunk = COST_FFT * 2.0 * lf * lf.log2()
                + COST_MAC * (kh * (l / 2 + 1)) as f64
                + COST_SAMPLE * lf
                + COST_CHUNK;
            ChunkPlan {
                l,
                v,
                chunks,
                cost: chunks as f64 * per_chunk,
            }
        })
        .min_by(|a, b| a.cost.total_cmp(&b.cost))
}

/// Modelled cost per output row of the direct route: `taps` non-zero taps on `n1` samples.
pub(crate) fn direct_cost(n1: usize, taps: usize) -> f64 {
    COST_TAP * (n1 * taps) as f64
}

/// Whether [`correlate_fft_2d`] should run for this input shape, element type and kernel:
/// a 2-D `f32` array, a finite kernel whose non-zero taps cost more directly than the row
/// transforms and spectral multiply-adds (in practice: about 100 taps or more, and at least
/// 8 columns; see the module docs for why `f64` keeps the direct route).
pub(crate) fn correlate_fft_pays<T: Element>(shape: &[usize], w: &ArrayViewD<'_, f64>) -> bool {
    if T::DTYPE != "float32" || shape.len() != 2 || w.ndim() != 2 {
        return false;
    }
    let (kh, kw) = (w.shape()[0], w.shape()[1]);
    if kw < 8 || shape[0] == 0 || shape[1] == 0 || w.iter().any(|v| !v.is_finite()) {
        return false;
    }
    // An f32 input times these weights cannot overflow f64 through a transform.
    if w.iter().map(|v| v.abs()).sum::<f64>() > 1e200 {
        return false;
    }
    let taps = w.iter().filter(|&&v| v != 0.0).count();
    match chunk_plan(shape[1], kh, kw) {
        Some(p) => p.cost < direct_cost(shape[1], taps),
        None => false,
    }
}

/// Everything the bands share.
struct Ctx<'a, T> {
    a: ArrayView2<'a, T>,
    kh: usize,
    /// Padding before the first row and column (the border-extended row `p` is input row
    /// `source_index(p - b0)`).
    b0: usize,
    b1: usize,
    mode: BorderMode,
    cval: f64,
    /// Source column of each extended column (`None`: the constant).
    cols: Vec<Option<usize>>,
    plan: ChunkPlan,
    /// Bins of one transform (`l / 2 + 1`) and their padded count (a multiple of [`BLOCK`]).
    bins: usize,
    bp: usize,
    fwd: Arc<dyn RealToComplex<f64>>,
    inv: Arc<dyn ComplexToReal<f64>>,
    /// `conj(FFT(w[ki, ..])) / l` per kernel row: per block of [`BLOCK`] bins, rows `0..kh`,
    /// each `BLOCK` real parts then `BLOCK` imaginary parts.
    wspec: Vec<f64>,
}

/// Dense 2-D correlation `out[i, j] = sum_{ki, kj} w[ki, kj] * ext[i + ki, j + kj]`, `ext` the
/// input extended per `mode` by `pads[ax].0` samples before (and `pads[ax].1` after) along
/// each axis — what the direct route of `correlate` computes — through row FFTs (module
/// docs). `a`, `w` and `out` are 2-D (`out` the input's shape, any strides).
///
/// Returns `Ok(false)`, `out` partly written, when the input or `cval` holds NaN or infinity
/// or an `f64` transform overflowed: run the direct route then. `Err` only for an allocation
/// over the cap. Panics on shapes the caller has not checked (not 2-D, `out` of another shape).
pub(crate) fn correlate_fft_2d<T: Element>(
    a: &ArrayViewD<'_, T>,
    w: &ArrayViewD<'_, f64>,
    mode: BorderMode,
    pads: &[(usize, usize)],
    out: ArrayViewMutD<'_, T>,
) -> Result<bool> {
    let (kh, kw) = (w.shape()[0], w.shape()[1]);
    let plan = match chunk_plan(a.shape()[1], kh, kw) {
        Some(p) => p,
        None => return Ok(false),
    };
    correlate_fft_2d_with(a, w, mode, pads, out, plan.l)
}

/// [`correlate_fft_2d`] with the chunk length `l` given (even, `>= 2 * kw`): tests use short
/// chunks to cover the overlap-save seams.
pub(crate) fn correlate_fft_2d_with<T: Element>(
    a: &ArrayViewD<'_, T>,
    w: &ArrayViewD<'_, f64>,
    mode: BorderMode,
    pads: &[(usize, usize)],
    out: ArrayViewMutD<'_, T>,
    l: usize,
) -> Result<bool> {
    let a = a.view().into_dimensionality::<Ix2>().expect("a 2-D input");
    let w = w.view().into_dimensionality::<Ix2>().expect("a 2-D kernel");
    let mut out = out.into_dimensionality::<Ix2>().expect("a 2-D output");
    assert_eq!(a.shape(), out.shape(), "the output has the input's shape");
    assert!(
        l.is_multiple_of(2) && l >= 2 * w.ncols(),
        "chunk length {l}"
    );
    let (n0, n1) = a.dim();
    if n0 == 0 || n1 == 0 {
        return Ok(true);
    }
    let (kh, kw) = w.dim();
    let cval = match mode {
        BorderMode::Constant(c) => c,
        _ => 0.0,
    };
    if !cval.is_finite() || w.iter().any(|v| !v.is_finite()) {
        return Ok(false);
    }
    let v = l - (kw - 1);
    let plan = ChunkPlan {
        l,
        v,
        chunks: n1.div_ceil(v),
        cost: 0.0,
    };
    let (b0, b1) = (pads[0].0, pads[1].0);
    let wp = n1 + kw - 1;
    ndkern_core::check_alloc::<Option<usize>>("the column map of the correlation", wp)?;
    let cols: Vec<Option<usize>> = (0..wp)
        .map(|q| mode.source_index(q as isize - b1 as isize, n1))
        .collect();
    let mut planner = RealFftPlanner::<f64>::new();
    let fwd = planner.plan_fft_forward(l);
    let inv = planner.plan_fft_inverse(l);
    let bins = l / 2 + 1;
    let bp = bins.div_ceil(BLOCK) * BLOCK;
    let wlen = ndkern_core::checked_len("the kernel spectra of the correlation", &[2, kh, bp])?;
    let mut wspec = ndkern_core::try_zeroed_vec::<f64>("the kernel spectra", wlen)?;
    {
        let mut line = vec![0.0f64; l];
        let mut spec = fwd.make_output_vec();
        let mut scratch = fwd.make_scratch_vec();
        let scale = 1.0 / l as f64;
        for (ki, wrow) in w.outer_iter().enumerate() {
            line.iter_mut().for_each(|x| *x = 0.0);
            line.iter_mut().zip(wrow.iter()).for_each(|(d, &s)| *d = s);
            fwd.process_with_scratch(&mut line, &mut spec, &mut scratch)
                .expect("buffers sized by the plan");
            for (f, c) in spec.iter().enumerate() {
                let at = ((f / BLOCK) * kh + ki) * 2 * BLOCK + f % BLOCK;
                wspec[at] = c.re * scale;
                wspec[at + BLOCK] = -c.im * scale;
            }
        }
    }
    let ctx = Ctx {
        a,
        kh,
        b0,
        b1,
        mode,
        cval,
        cols,
        plan,
        bins,
        bp,
        fwd,
        inv,
        wspec,
    };
    let abort = AtomicBool::new(false);
    let work = n0.saturating_mul(n1).saturating_mul(kh * kw);
    let band = if ndkern_core::worth_parallel(work) {
        let tasks = rayon::current_num_threads() * 3;
        n0.div_ceil(tasks).max(4 * kh).max(16)
    } else {
        n0
    };
    let bands: Vec<(usize, ArrayViewMut2<'_, T>)> = out
        .axis_chunks_iter_mut(Axis(0), band)
        .enumerate()
        .map(|(b, o)| (b * band, o))
        .collect();
    if bands.len() > 1 {
        bands
            .into_par_iter()
            .try_for_each(|(r0, o)| run_band(&ctx, r0, o, &abort))?;
    } else {
        for (r0, o) in bands {
            run_band(&ctx, r0, o, &abort)?;
        }
    }
    Ok(!abort.load(Ordering::Relaxed))
}

/// Fills `line` with extended row `p`, extended columns `c0..c0 + line.len()` (zeros past
/// the extended width: they reach no output that is kept).
fn fill_line<T: Element>(ctx: &Ctx<'_, T>, p: usize, c0: usize, line: &mut [f64]) {
    let (n0, n1) = ctx.a.dim();
    let wp = ctx.cols.len();
    let end = (c0 + line.len()).min(wp);
    line[end.saturating_sub(c0)..]
        .iter_mut()
        .for_each(|x| *x = 0.0);
    let src = ctx.mode.source_index(p as isize - ctx.b0 as isize, n0);
    let Some(sr) = src else {
        line[..end.saturating_sub(c0)]
            .iter_mut()
            .for_each(|x| *x = ctx.cval);
        return;
    };
    let row = ctx.a.row(sr);
    // Interior columns: extended column q is input column q - b1.
    let lo = c0.max(ctx.b1).min(end);
    let hi = (ctx.b1 + n1).min(end).max(lo);
    let border = |q: usize| match ctx.cols[q] {
        Some(s) => row[s].as_f64(),
        None => ctx.cval,
    };
    for q in c0..lo {
        line[q - c0] = border(q);
    }
    match row.as_slice() {
        Some(r) => widen(&r[lo - ctx.b1..hi - ctx.b1], &mut line[lo - c0..hi - c0]),
        None => line[lo - c0..hi - c0]
            .iter_mut()
            .zip(row.slice(ndarray::s![lo - ctx.b1..hi - ctx.b1]))
            .for_each(|(d, s)| *d = s.as_f64()),
    }
    for q in hi..end {
        line[q - c0] = border(q);
    }
}

ndkern_core::multiversion! {
    /// `dst[i] = src[i]` widened to `f64`.
    fn widen[T: Element](src: &[T], dst: &mut [f64]) {
        dst.iter_mut().zip(src).for_each(|(d, s)| *d = s.as_f64());
    }
}

/// Output rows per batch of the spectral multiply-adds: the batch's row spectra, one block of
/// bins at a time, stay in L1 while every row of the batch and every kernel row use them.
const BATCH: usize = 16;

ndkern_core::multiversion! {
    /// Spectral multiply-adds of a batch of `nb` output rows: `acc[t] = sum_k X_{t+k} * W_k`
    /// per bin. `ring` holds `slots` row spectra, block after block of [`BLOCK`] bins (per
    /// block: each slot's `BLOCK` real parts then `BLOCK` imaginary parts); the spectrum of
    /// the batch's row `t + k` is in slot `(first + t + k) % slots`. `w` holds the `kh`
    /// kernel spectra in the same layout; `acc` gets, per output row, all blocks. Fused
    /// multiply-adds in `k` order.
    fn spectral_mac(
        ring: &[f64],
        slots: usize,
        first: usize,
        w: &[f64],
        kh: usize,
        nb: usize,
        acc: &mut [f64]
    ) {
        const S: usize = 2 * BLOCK;
        let nblk = w.len() / (kh * S);
        for b in 0..nblk {
            let xb = &ring[b * slots * S..(b + 1) * slots * S];
            let wb = &w[b * kh * S..(b + 1) * kh * S];
            for t in 0..nb {
                let a = (first + t) % slots;
                let e = (a + kh).min(slots);
                let wrap = a + kh - e;
                let xs = xb[a * S..e * S].chunks_exact(S).chain(xb[..wrap * S].chunks_exact(S));
                let z = f64x8::splat(0.0);
                let (mut r0, mut i0, mut r1, mut i1) = (z, z, z, z);
                for (xc, wc) in xs.zip(wb.chunks_exact(S)) {
                    let xr0 = f64x8::from_slice(&xc[0..8]);
                    let xr1 = f64x8::from_slice(&xc[8..16]);
                    let xi0 = f64x8::from_slice(&xc[16..24]);
                    let xi1 = f64x8::from_slice(&xc[24..32]);
                    let wr0 = f64x8::from_slice(&wc[0..8]);
                    let wr1 = f64x8::from_slice(&wc[8..16]);
                    let wi0 = f64x8::from_slice(&wc[16..24]);
                    let wi1 = f64x8::from_slice(&wc[24..32]);
                    r0 = xr0.mul_add(wr0, r0);
                    r1 = xr1.mul_add(wr1, r1);
                    i0 = xr0.mul_add(wi0, i0);
                    i1 = xr1.mul_add(wi1, i1);
                    r0 = xi0.mul_neg_add(wi0, r0);
                    r1 = xi1.mul_neg_add(wi1, r1);
                    i0 = xi0.mul_add(wr0, i0);
                    i1 = xi1.mul_add(wr1, i1);
                }
                let o = (t * nblk + b) * S;
                let a = &mut acc[o..o + S];
                a[0..8].copy_from_slice(&r0.to_array());
                a[8..16].copy_from_slice(&r1.to_array());
                a[16..24].copy_from_slice(&i0.to_array());
                a[24..32].copy_from_slice(&i1.to_array());
            }
        }
    }
}

/// Output rows `r0..r0 + out.nrows()`, every chunk, in batches of [`BATCH`] rows.
fn run_band<T: Element>(
    ctx: &Ctx<'_, T>,
    r0: usize,
    mut out: ArrayViewMut2<'_, T>,
    abort: &AtomicBool,
) -> Result<()> {
    let (kh, l, bins, bp) = (ctx.kh, ctx.plan.l, ctx.bins, ctx.bp);
    let rows = out.nrows();
    let n1 = ctx.a.ncols();
    let nblk = bp / BLOCK;
    let slots = BATCH + kh - 1;
    let what = "the row spectra of the correlation";
    let mut ring = ndkern_core::try_zeroed_vec::<f64>(what, 2 * slots * bp)?;
    let mut acc = ndkern_core::try_zeroed_vec::<f64>(what, 2 * BATCH * bp)?;
    let mut line = vec![0.0f64; l];
    let mut y = vec![0.0f64; l];
    let mut spec = ctx.fwd.make_output_vec();
    let mut scratch = vec![Complex::<f64>::default(); ctx.fwd.get_scratch_len()];
    let mut iscratch = vec![Complex::<f64>::default(); ctx.inv.get_scratch_len()];
    for c in 0..ctx.plan.chunks {
        let c0 = c * ctx.plan.v;
        let nv = ctx.plan.v.min(n1 - c0);
        // Extended rows r0.. go to slot (p - r0) % slots; `next` is the first not yet there.
        let mut next = r0;
        let mut i0 = r0;
        while i0 < r0 + rows {
            let nb = BATCH.min(r0 + rows - i0);
            while next < i0 + nb + kh - 1 {
                if abort.load(Ordering::Relaxed) {
                    return Ok(());
                }
                fill_line(ctx, next, c0, &mut line);
                ctx.fwd
                    .process_with_scratch(&mut line, &mut spec, &mut scratch)
                    .expect("buffers sized by the plan");
                if !spec[0].re.is_finite() {
                    abort.store(true, Ordering::Relaxed);
                    return Ok(());
                }
                let m = (next - r0) % slots;
                for (b, zs) in spec.chunks(BLOCK).enumerate() {
                    let at = (b * slots + m) * 2 * BLOCK;
                    let (re, im) = ring[at..at + 2 * BLOCK].split_at_mut(BLOCK);
                    for ((z, r), i) in zs.iter().zip(re).zip(im) {
                        *r = z.re;
                        *i = z.im;
                    }
                }
                next += 1;
            }
            spectral_mac(
                &ring,
                slots,
                (i0 - r0) % slots,
                &ctx.wspec,
                kh,
                nb,
                &mut acc,
            );
            for t in 0..nb {
                let at = &acc[t * nblk * 2 * BLOCK..(t + 1) * nblk * 2 * BLOCK];
                for (zs, a) in spec.chunks_mut(BLOCK).zip(at.chunks_exact(2 * BLOCK)) {
                    let (re, im) = a.split_at(BLOCK);
                    for ((z, &r), &i) in zs.iter_mut().zip(re).zip(im) {
                        *z = Complex::new(r, i);
                    }
                }
                spec[0].im = 0.0;
                spec[bins - 1].im = 0.0;
                ctx.inv
                    .process_with_scratch(&mut spec, &mut y, &mut iscratch)
                    .expect("buffers sized by the plan");
                let mut orow = out.row_mut(i0 + t - r0);
                let mut orow = orow.slice_mut(ndarray::s![c0..c0 + nv]);
                let finite = match orow.as_slice_mut() {
                    Some(o) => narrow(&y[..nv], o),
                    None => {
                        orow.iter_mut()
                            .zip(&y[..nv])
                            .for_each(|(o, &v)| *o = T::of_f64(v));
                        y[..nv].iter().all(|v| v.is_finite())
                    }
                };
                if !finite {
                    abort.store(true, Ordering::Relaxed);
                    return Ok(());
                }
            }
            i0 += nb;
        }
    }
    Ok(())
}

ndkern_core::multiversion! {
    /// `dst[i] = src[i]` rounded to the element type; whether every `src[i]` is finite.
    fn narrow[T: Element](src: &[f64], dst: &mut [T]) -> bool {
        let mut finite = true;
        for (d, &s) in dst.iter_mut().zip(src) {
            *d = T::of_f64(s);
            finite &= s.is_finite();
        }
        finite
    }
}
