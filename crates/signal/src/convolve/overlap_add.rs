//! The overlap-add executor (`scipy.signal.oaconvolve`'s algorithm): a long input convolved
//! with a short kernel in blocks, so the FFT length follows the kernel, not the signal.
//!
//! One big FFT of length `F ~ s1 + s2` costs about `F log2 F` per transform; cutting the long
//! input into blocks of `step = N - s2 + 1` samples and transforming each at a short length
//! `N` costs `N log2 N / step` per output sample, which is smaller whenever `s2 << s1`, and
//! each block's transforms stay in cache. The planner picks the cut axis and `N`
//! ([`oa_plan`]); blocks overlap by `s2 - 1` output samples and are added; they run in
//! parallel, the kernel spectrum is computed once. Without a plan this is the FFT executor.
//!
//! 1-D inputs (the common case: a long signal and a filter) take a lean path: realfft plans
//! and buffers reused across runs of 64 consecutive blocks per rayon task, each task adding
//! into its own range of the output, so a block costs its two transforms plus ~100 ns
//! (the planner's `OA_1D_NS_PER_BLOCK`). 1e6 samples x 41 taps: see `oaconvolve_1e6x41` in
//! BENCHMARKS.md.

use ndarray::{ArrayD, ArrayViewD, Axis, IxDyn, Slice, Zip};
use ndkern_core::{Element, Result};
use rayon::prelude::*;

use super::direct::add_scaled;
use super::fftconv::fft_full;
use super::planner::oa_plan;
use crate::fft::{next_fast_len, with_plans, C64};

/// Full linear convolution by overlap-add (falls back to one FFT without a plan).
pub(crate) fn oa_full<T: Element>(
    a: &ArrayViewD<T>,
    b: &ArrayViewD<T>,
    axes: &[usize],
) -> Result<ArrayD<f64>> {
    let Some(op) = oa_plan(a.shape(), b.shape(), axes) else {
        return fft_full(a, b, axes);
    };
    let (long, short) = if op.first_is_long { (a, b) } else { (b, a) };
    if a.ndim() == 1 {
        let out = oa_full_1d(long, short, op.nfft);
        return Ok(ArrayD::from_shape_vec(IxDyn(&[out.len()]), out).expect("1-D length"));
    }
    let (ax, k, nd) = (op.axis, axes.len(), a.ndim());
    let fast: Vec<usize> = axes
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            if d == ax {
                Ok(op.nfft)
            } else {
                next_fast_len(a.shape()[d] + b.shape()[d] - 1, i + 1 == k)
            }
        })
        .collect::<Result<_>>()?;
    let kspec = with_plans(|p| p.rfftn_shape(short, axes, &fast))?;
    let mut out_shape = long.shape().to_vec();
    for &d in axes {
        out_shape[d] = a.shape()[d] + b.shape()[d] - 1;
    }
    let n_long = long.shape()[ax];
    let starts: Vec<usize> = (0..n_long).step_by(op.step).collect();
    let blocks: Vec<Result<ArrayD<f64>>> = starts
        .par_iter()
        .map(|&st| {
            let blk = long.slice_axis(Axis(ax), Slice::from(st..(st + op.step).min(n_long)));
            with_plans(|p| {
                let mut s = p.rfftn_shape(&blk, axes, &fast)?;
                match (s.as_slice_mut(), kspec.as_slice()) {
                    (Some(x), Some(y)) => cmul(x, y),
                    _ => Zip::from(&mut s).and(&kspec).for_each(|x, &y| *x *= y),
                }
                p.irfftn(&s, axes, fast[k - 1])
            })
        })
        .collect();
    let mut out = ndkern_core::try_zeros::<f64, _>("the overlap-add output", IxDyn(&out_shape))?;
    for (&st, blk) in starts.iter().zip(blocks) {
        let blk = blk?;
        let blen = (st + op.step).min(n_long) - st;
        let mut src = blk.view();
        let mut dst = out.view_mut();
        for d in (0..nd).filter(|d| axes.contains(d)) {
            // This block's linear convolution: blen + short - 1 along the cut axis (no
            // circular wrap since that is <= nfft), the whole output elsewhere.
            let (off, len) = if d == ax {
                (st, (blen + short.shape()[ax] - 1).min(out_shape[ax] - st))
            } else {
                (0, out_shape[d])
            };
            src.slice_axis_inplace(Axis(d), Slice::from(0..len));
            dst.slice_axis_inplace(Axis(d), Slice::from(off..off + len));
        }
        // `d + 1 * s` is exactly `d + s`.
        add_scaled(dst, 1.0, src);
    }
    Ok(out)
}

/// Blocks per parallel task of [`oa_full_1d`].
const OA_1D_BLOCKS_PER_TASK: usize = 64;

/// Full linear convolution of two 1-D inputs by overlap-add with FFT length `nfft`: tasks of
/// [`OA_1D_BLOCKS_PER_TASK`] consecutive blocks each own a disjoint range of the output and
/// reuse one set of buffers and plans; the `s2 - 1` samples a task's last block spills past
/// its range are returned and added after the parallel pass.
fn oa_full_1d<T: Element>(long: &ArrayViewD<T>, short: &ArrayViewD<T>, nfft: usize) -> Vec<f64> {
    let (n1, n2) = (long.len(), short.len());
    let step = nfft + 1 - n2;
    let (fwd, inv) = with_plans(|p| (p.real.plan_fft_forward(nfft), p.real.plan_fft_inverse(nfft)));
    let mut kspec = fwd.make_output_vec();
    let mut kin = fwd.make_input_vec();
    kin.iter_mut()
        .zip(short.iter())
        .for_each(|(d, s)| *d = s.as_f64() / nfft as f64);
    fwd.process(&mut kin, &mut kspec)
        .expect("planned lengths (a forward real FFT has no other error)");
    // Both sizes are checked by the planner's `check_full` before this runs.
    let long: Vec<f64> = long.iter().map(|v| v.as_f64()).collect();
    let mut out: Vec<f64> = ndkern_core::filled_vec(0.0, n1 + n2 - 1);
    let span = step * OA_1D_BLOCKS_PER_TASK;
    let spills: Vec<(usize, Vec<f64>)> = out
        .par_chunks_mut(span)
        .enumerate()
        .map(|(t, dst)| {
            let (mut x, mut spec) = (fwd.make_input_vec(), fwd.make_output_vec());
            let mut scratch = fwd.make_scratch_vec();
            let mut iscratch = inv.make_scratch_vec();
            let mut spill = vec![0.0; n2 - 1];
            let (lo, hi) = (t * span, (t * span + span).min(n1));
            for st in (lo..hi).step_by(step) {
                let blen = step.min(n1 - st);
                x[..blen].copy_from_slice(&long[st..st + blen]);
                x[blen..].iter_mut().for_each(|v| *v = 0.0);
                fwd.process_with_scratch(&mut x, &mut spec, &mut scratch)
                    .expect("planned lengths (a forward real FFT has no other error)");
                cmul(&mut spec, &kspec);
                // The product of two real spectra has exactly real bins 0 and (even `nfft`)
                // Nyquist unless a sample was NaN or inf; numpy's irfft ignores those imaginary
                // parts, and realfft would report them as an error.
                crate::fft::real_end_bins(&mut spec, nfft);
                inv.process_with_scratch(&mut spec, &mut x, &mut iscratch)
                    .expect("planned lengths, real end bins");
                overlap_add(&x[..blen + n2 - 1], st - lo, dst, &mut spill);
            }
            (lo + dst.len(), spill)
        })
        .collect();
    for (at, spill) in spills {
        out.iter_mut()
            .skip(at)
            .zip(spill)
            .for_each(|(d, v)| *d += v);
    }
    out
}

ndkern_core::multiversion! {
    /// `x[i] *= y[i]` for complex spectra (the shorter length), compiled per SIMD level.
    fn cmul(x: &mut [C64], y: &[C64]) {
        x.iter_mut().zip(y).for_each(|(a, b)| *a *= b);
    }
}

ndkern_core::multiversion! {
    /// Adds block `x` at offset `at` of `dst`; what runs past `dst`'s end goes into `spill`
    /// (index 0 = just past the end). Compiled per SIMD level.
    fn overlap_add(x: &[f64], at: usize, dst: &mut [f64], spill: &mut [f64]) {
        let inside = x.len().min(dst.len().saturating_sub(at));
        let start = at.min(dst.len());
        for (d, v) in dst[start..start + inside].iter_mut().zip(&x[..inside]) {
            *d += v;
        }
        let past = (at + inside).saturating_sub(dst.len());
        for (s, v) in spill[past..].iter_mut().zip(&x[inside..]) {
            *s += v;
        }
    }
}
