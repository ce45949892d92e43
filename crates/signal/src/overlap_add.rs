//! Overlap-add FFT convolution (`scipy.signal.oaconvolve`): a long input convolved with a
//! short kernel in blocks, so the FFT length follows the kernel, not the signal.
//!
//! One big FFT of length `F ~ s1 + s2` costs about `F log2 F` per transform; cutting the long
//! input into blocks of `step = N - s2 + 1` samples and transforming each at a short length
//! `N` costs `N log2 N / step` per output sample, which is smaller whenever `s2 << s1`, and
//! each block's transforms stay in cache. `N` is the 5-smooth length minimizing
//! `(2 N log2 N c + b) / (N - s2 + 1)`, with `c` and the per-block cost `b` from the measured
//! cost model in [`convolve`](mod@crate::convolve) (scipy minimizes `N log2 N / (N - s2 + 1)`
//! by a Lambert W; its blocks run as one batched transform, so it has no `b`). Blocks overlap by `s2 - 1` output samples
//! and are added; they run in parallel, the kernel spectrum is computed once.
//!
//! The blocks are cut along one axis: the convolved axis with the largest long/short ratio
//! where the short side is under half the long one and a block is shorter than the long side
//! (either input may be the long one there: full convolution commutes). Other convolved axes
//! are transformed whole. Without such an axis this is [`fftconvolve`](crate::fftconvolve).
//! Results equal `fftconvolve`'s to rounding (tested), in `f64`.
//!
//! 1-D inputs (the common case: a long signal and a filter) take a lean path: realfft plans
//! and buffers reused across runs of 64 consecutive blocks per rayon task, each task adding
//! into its own range of the output, so a block costs its two transforms plus ~100 ns and the
//! block length is chosen with that cost. 1e6 samples x 41 taps: see `oaconvolve_1e6x41` in
//! BENCHMARKS.md.
//!
//! ```
//! use ndarray::Array1;
//! use ndkern_signal::{fftconvolve, oaconvolve, Mode};
//! let x = Array1::from_shape_fn(5000, |i| (i as f64 * 0.01).sin());
//! let k = Array1::from_shape_fn(31, |i| 1.0 / (1.0 + i as f64));
//! let a = oaconvolve(&x, &k, Mode::Same, None).unwrap();   // scipy.signal.oaconvolve(x, k, "same")
//! let b = fftconvolve(&x, &k, Mode::Same, None).unwrap();
//! assert!(a.iter().zip(&b).all(|(p, q)| (p - q).abs() < 1e-12));
//! ```

use ndarray::{ArrayBase, ArrayD, ArrayViewD, Axis, Data, Dimension, IxDyn, Slice, Zip};
use ndkern_core::{Element, Result};
use rayon::prelude::*;

use crate::convolve::{add_scaled, broadcast_pair, crop, fft_full, plan, Mode};
use crate::fft::{next_fast_len, with_plans, C64};

/// Where and how to cut blocks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct OaPlan {
    /// The axis cut into blocks.
    pub axis: usize,
    /// Block FFT length along `axis`.
    pub nfft: usize,
    /// Samples of the long input per block (`nfft - short + 1`).
    pub step: usize,
    /// Whether `in1` is the long input along `axis`.
    pub first_is_long: bool,
    /// Fixed cost of one block in ns (the cost model's term; the lean 1-D path's is smaller).
    pub block_ns: f64,
}

/// The 5-smooth block FFT length minimizing the estimated time per output sample for `s2`
/// taps: two transforms (the cost model in [`convolve`](mod@crate::convolve)) and a fixed
/// `per_block` ns.
pub(crate) fn block_len(s2: usize, per_block: f64) -> usize {
    use crate::convolve::FFT_NS_PER_UNIT;
    let per_output = |n: usize| {
        let n_f = n as f64;
        (2.0 * FFT_NS_PER_UNIT * n_f * n_f.log2() + per_block) / (n + 1 - s2) as f64
    };
    // `s2` is the short side of an existing array, so these lengths are far from overflow;
    // saturate anyway and stop at the first length with no smooth successor.
    let Ok(mut best) = next_fast_len(s2.max(2).saturating_mul(2), true) else {
        return usize::MAX;
    };
    let mut n = best;
    while n <= s2.max(64).saturating_mul(64) {
        if per_output(n) < per_output(best) {
            best = n;
        }
        match next_fast_len(n.saturating_add(1), true) {
            Ok(m) if m > n => n = m,
            _ => break,
        }
    }
    best
}

/// The overlap-add plan for shapes `s1`, `s2` over `axes`, or `None` when one FFT is better.
pub(crate) fn oa_plan(s1: &[usize], s2: &[usize], axes: &[usize]) -> Option<OaPlan> {
    axes.iter()
        .filter_map(|&ax| {
            let (long, short) = (s1[ax].max(s2[ax]), s1[ax].min(s2[ax]));
            if 2 * short >= long {
                return None;
            }
            let block_ns = if s1.len() == 1 {
                OA_1D_NS_PER_BLOCK
            } else {
                crate::convolve::OA_NS_PER_BLOCK
            };
            let nfft = block_len(short, block_ns);
            (nfft < long).then(|| {
                let p = OaPlan {
                    axis: ax,
                    nfft,
                    step: nfft + 1 - short,
                    first_is_long: s1[ax] >= s2[ax],
                    block_ns,
                };
                (long as f64 / short as f64, p)
            })
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, p)| p)
}

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

/// Fixed cost per block of [`oa_full_1d`] in ns (buffers and plans reused: a copy in, a
/// product and an add out; measured with the `oaconvolve_1e6x41` bench row).
pub(crate) const OA_1D_NS_PER_BLOCK: f64 = 100.0;

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
    // Both sizes are checked by `convolve::check_full` before this runs.
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

/// scipy `scipy.signal.oaconvolve(in1, in2, mode, axes)`: [`fftconvolve`](crate::fftconvolve)
/// by overlap-add (module docs); `axes = None` convolves over all axes. Same conventions
/// (0-d and empty inputs, `Same`'s shape) and errors as `fftconvolve`.
///
/// ```
/// use ndarray::Array2;
/// use ndkern_signal::{oaconvolve, Mode};
/// let rows = Array2::from_shape_fn((3, 4000), |(i, j)| ((i + j) % 7) as f32);
/// let k = Array2::from_elem((1, 5), 0.2f32);          // length 1 on axis 0: broadcast
/// let s = oaconvolve(&rows, &k, Mode::Valid, Some(&[1])).unwrap();
/// assert_eq!(s.shape(), &[3, 3996]);
/// ```
pub fn oaconvolve<T: Element, S1: Data<Elem = T>, S2: Data<Elem = T>, D: Dimension>(
    in1: &ArrayBase<S1, D>,
    in2: &ArrayBase<S2, D>,
    mode: Mode,
    axes: Option<&[usize]>,
) -> Result<ArrayD<T>> {
    if in1.ndim() == in2.ndim() {
        if let Some(r) = crate::convolve::trivial(in1, in2, true) {
            return Ok(r);
        }
    }
    let p = plan(in1.shape(), in2.shape(), axes, mode)?;
    let (a0, b0) = (in1.view().into_dyn(), in2.view().into_dyn());
    let (a, b) = broadcast_pair(&a0, &b0, &p.axes);
    let (x, y) = if p.swap { (&b, &a) } else { (&a, &b) };
    crate::convolve::check_full(x, y, &p.axes)?;
    let full = oa_full(x, y, &p.axes)?;
    Ok(crop(full, in1.shape(), in2.shape(), &p.axes, mode).mapv(T::of_f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_cut_long_axes_only() {
        let p = oa_plan(&[5000], &[31], &[0]).expect("long signal, short kernel");
        assert_eq!(p.step, p.nfft - 30);
        assert!(p.first_is_long && p.nfft < 5000);
        assert!(
            !oa_plan(&[31], &[5000], &[0])
                .expect("either order")
                .first_is_long
        );
        assert_eq!(oa_plan(&[100], &[60], &[0]), None);
        // The block length grows with the kernel and never drops to a handful of samples.
        let b = |s| block_len(s, crate::convolve::OA_NS_PER_BLOCK);
        assert!(b(2) >= 256 && b(101) > b(2));
    }
}
