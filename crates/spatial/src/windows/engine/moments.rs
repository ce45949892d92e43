//! The engine of moments plans (local mean and variance). On C-contiguous outputs, one sweep
//! (the fused sweep of `slabs.rs` with two `f64` channels): the shifted samples `d = x - K`
//! and their squares are
//! box-summed together, axis 0 first, into cache-resident `f64` slab buffers, the innermost
//! axis runs its running sums over both buffered lines, and each output row of the mean and the
//! variance is written once. The input is read once, instead of once per axis and channel.
//!
//! Running sums are `f64`, re-anchored every [`ANCHOR_EVERY`] outputs and after any non-finite
//! sum (so a NaN stays inside its windows); lines holding a non-finite value use core's
//! NaN-aware running sums.
//!
//! Outputs that are not C-contiguous (strided or permuted views) take the per-axis route
//! ([`per_axis`]: `f64` planes of window means, vertical running sums and line buffers).

use ndarray::{ArrayBase, ArrayViewMut, Axis, Data, Dimension, Zip};
use ndkern_core::{worth_parallel, BorderMode, Element, LineBuffer, Result, ANCHOR_EVERY};
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};

use super::lanes::run_in_place;
use super::slabs::BATCH_BYTES;
use super::vertical;
use crate::windows::kernels::border::extend_in_place;
use crate::windows::kernels::box_sum::{box_line, box_line_finite, shrink_edges};
use crate::windows::kernels::moments::{
    add_const2, add_rows2, add_shifted, mean_var_row, scale_row, shifted_line, step_shifted,
};
use crate::windows::kernels::running::long_box_line;
use crate::windows::plan::{Kind, SepPass};

/// One axis of the sweep.
struct Ax {
    n: usize,
    inner: usize,
    w: usize,
    before: usize,
    after: usize,
    /// Source index of every extended index (`None`: the constant).
    map: Vec<Option<usize>>,
}

struct Scratch {
    acc: Vec<[Vec<f64>; 2]>,
    buf: Vec<[Vec<f64>; 2]>,
    /// The extended lines of a 1-D array.
    line: [Vec<f64>; 2],
    /// The innermost axis's two filtered lines.
    out: [Vec<f64>; 2],
}

/// Adds (`sign = 1`) or removes (`-1`) the slab at extended index `e` to both channel sums.
type AddSlab<'a> = &'a dyn Fn(&mut [Vec<f64>; 2], usize, f64);

/// One running step of both channel sums (`step(acc, added, removed, scale, out)`: the slab at
/// extended index `added` in, `removed` out, the scaled sums written to `out`), fused into one
/// pass; `None` (having done nothing) when it does not apply (a constant slab), `Some(false)`
/// when some sum is not finite.
type StepSlab<'a> =
    &'a dyn Fn(&mut [Vec<f64>; 2], usize, usize, f64, [&mut [f64]; 2]) -> Option<bool>;

struct Sweep<'a> {
    axes: &'a [Ax],
    mode: BorderMode,
    shrink: bool,
    /// The two channels' value outside the array (`c - K`, `(c - K)^2`).
    outside: [f64; 2],
    k: f64,
    /// Set when some mean or variance came out non-finite (the caller then checks whether an
    /// overflow of the one-pass sums, rather than the data, made it so).
    non_finite: AtomicBool,
}

/// Runs a moments plan (one [`Kind::Moments`] pass per axis of `input`, in axis order, all
/// with the same border mode and `shrink`): local means of `x` and variances around the shift
/// `k` into `mean` and `var` (each the input's shape, any layout). Returns `Ok(false)` when
/// some output is not finite (the caller then checks for an overflow of the one-pass sums).
pub(crate) fn run<T, S, D>(
    input: &ArrayBase<S, D>,
    passes: &[SepPass<'_, T>],
    k: f64,
    mean: &mut ArrayViewMut<'_, T, D>,
    var: &mut ArrayViewMut<'_, T, D>,
) -> Result<bool>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    if !(mean.is_standard_layout() && var.is_standard_layout()) {
        return per_axis(input, passes, k, mean, var);
    }
    let src = ndkern_core::try_standard_layout("a C-order copy of the input", input)?;
    let s = src.as_slice().expect("standard layout");
    let m = mean.as_slice_mut().expect("standard layout");
    let v = var.as_slice_mut().expect("standard layout");
    Ok(sweep(s, input.shape(), passes, k, m, v))
}

/// Window sizes, (before, after) paddings, the border mode and `shrink` of a moments plan.
fn geometry<T>(passes: &[SepPass<'_, T>]) -> (Vec<usize>, Vec<(usize, usize)>, BorderMode, bool) {
    let mut shrink = false;
    let sizes = passes
        .iter()
        .map(|p| match p.kind {
            Kind::Moments { w, shrink: sh } => {
                shrink = sh;
                w
            }
            _ => unreachable!("a moments plan holds moments passes only"),
        })
        .collect();
    let pads = passes.iter().map(|p| (p.before, p.after)).collect();
    (sizes, pads, passes[0].mode, shrink)
}

/// The two channels' value outside the array: `c - k` and `(c - k)^2` for a constant border,
/// 0 otherwise (`Shrink` leaves outside samples out).
fn outside_of(border: BorderMode, shrink: bool, k: f64) -> [f64; 2] {
    match border {
        BorderMode::Constant(c) if !shrink => [c - k, (c - k) * (c - k)],
        _ => [0.0, 0.0],
    }
}

/// The per-axis route of a moments plan (outputs that are not C-contiguous): two `f64` planes
/// of window means of `d = x - k` and `d^2`. Axis 0 by vertical running sums over whole rows
/// of a C-order copy when the data are finite (`vertical.rs`; two sweeps, one per plane),
/// else by gathered lanes that give both window sums at once; later axes by line buffers in
/// place on the planes. Every kernel of this route is exact at every SIMD level.
fn per_axis<T, S, D>(
    a: &ArrayBase<S, D>,
    passes: &[SepPass<'_, T>],
    k: f64,
    mean: &mut ArrayViewMut<'_, T, D>,
    var: &mut ArrayViewMut<'_, T, D>,
) -> Result<bool>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    let (sizes, pads, border, shrink) = geometry(passes);
    let outside = outside_of(border, shrink, k);
    let mut m1 = ndkern_core::try_zeros::<f64, _>("f64 moments", a.raw_dim())?;
    let mut m2 = ndkern_core::try_zeros::<f64, _>("f64 moments", a.raw_dim())?;

    // Pass 1 (axis 0). C-contiguous finite data: vertical running sums over whole rows (two
    // sweeps, one per plane). Otherwise one gathered lane gives both window sums at once.
    let (w0, (b0, a0)) = (sizes[0], pads[0]);
    let n0 = a.len_of(Axis(0));
    let std_src = ndkern_core::try_standard_layout("a C-order copy of the input", a)?;
    let vertical = a.ndim() >= 2
        && std_src
            .as_slice()
            .is_some_and(|s| ndkern_core::sum(s).is_finite());
    if vertical {
        let src = std_src.as_slice().expect("checked");
        let g = vertical::Geometry::of(a.shape(), 0);
        let (o1, o2) = (outside[0], outside[1]);
        let finish = move |i: usize, s: f64| {
            if shrink {
                let lo = i.saturating_sub(b0);
                let hi = (i + w0 - b0).min(n0);
                s / (hi - lo) as f64
            } else {
                s / w0 as f64
            }
        };
        let m1s = m1.as_slice_mut().expect("standard layout");
        vertical::box_pass(src, m1s, g, w0, b0, border, o1, |v| v - k, finish);
        let m2s = m2.as_slice_mut().expect("standard layout");
        let sq = |v: f64| (v - k) * (v - k);
        vertical::box_pass(src, m2s, g, w0, b0, border, o2, sq, finish);
    } else {
        let proto = LineBuffer::<T>::new(n0, b0, a0, border)?;
        let make = || {
            (
                proto.clone(),
                vec![0.0f64; n0 + b0 + a0],
                vec![0.0f64; n0 + b0 + a0],
                vec![0.0f64; n0],
            )
        };
        let work = |(buf, e1, e2, out): &mut (LineBuffer<T>, Vec<f64>, Vec<f64>, Vec<f64>),
                    lane: ndarray::ArrayView1<'_, T>,
                    mut o1: ndarray::ArrayViewMut1<'_, f64>,
                    mut o2: ndarray::ArrayViewMut1<'_, f64>| {
            buf.gather(lane)
                .expect("every lane of axis 0 has the line buffer's length");
            shifted_line(buf.extended(), e1, e2, b0, n0, shrink, k);
            box_line(e1, out, w0, b0, true, shrink);
            o1.iter_mut().zip(out.iter()).for_each(|(o, &v)| *o = v);
            box_line(e2, out, w0, b0, true, shrink);
            o2.iter_mut().zip(out.iter()).for_each(|(o, &v)| *o = v);
        };
        let zip = Zip::from(a.lanes(Axis(0)))
            .and(m1.lanes_mut(Axis(0)))
            .and(m2.lanes_mut(Axis(0)));
        if worth_parallel(a.len()) {
            zip.into_par_iter()
                .for_each_init(make, |s, (l, o1, o2)| work(s, l, o1, o2));
        } else {
            let mut s = make();
            zip.for_each(|l, o1, o2| work(&mut s, l, o1, o2));
        }
    }

    // Later axes: box means of the two f64 planes; outside samples in the shifted space.
    for (axis, (&w, &(before, after))) in sizes.iter().zip(&pads).enumerate().skip(1) {
        if w == 1 {
            continue;
        }
        let (c1, c2) = match border {
            BorderMode::Constant(_) if !shrink => (
                BorderMode::Constant(outside[0]),
                BorderMode::Constant(outside[1]),
            ),
            other => (other, other),
        };
        let kern = move |e: &[f64], o: &mut [f64]| {
            if vertical {
                box_line_finite(e, o, w, before, true, shrink)
            } else {
                box_line(e, o, w, before, true, shrink)
            }
        };
        for (plane, border) in [(&mut m1, c1), (&mut m2, c2)] {
            run_in_place(&mut plane.view_mut(), axis, before, after, border, &kern)?;
        }
    }

    let mut finite = true;
    Zip::from(&mut *mean)
        .and(&mut *var)
        .and(&m1)
        .and(&m2)
        .for_each(|mo, vo, &d1, &d2| {
            *mo = T::of_f64(k + d1);
            let v = d2 - d1 * d1;
            // Rounding can leave a tiny negative for a constant window; NaN stays NaN.
            *vo = T::of_f64(if v < 0.0 { 0.0 } else { v });
            finite &= mo.is_finite() & vo.is_finite();
        });
    Ok(finite)
}

/// The sweep over the C-contiguous `src` of `shape` into the C-contiguous `mean` and `var`;
/// false when some output is not finite.
fn sweep<T: Element>(
    src: &[T],
    shape: &[usize],
    passes: &[SepPass<'_, T>],
    k: f64,
    mean: &mut [T],
    var: &mut [T],
) -> bool {
    if src.is_empty() {
        return true;
    }
    let (sizes, _, border, shrink) = geometry(passes);
    let axes: Vec<Ax> = passes
        .iter()
        .zip(&sizes)
        .map(|(p, &w)| {
            let (a, n, before, after) = (p.axis, shape[p.axis], p.before, p.after);
            Ax {
                n,
                inner: shape[a + 1..].iter().product(),
                w,
                before,
                after,
                map: (0..n + before + after)
                    .map(|e| border.source_index(e as isize - before as isize, n))
                    .collect(),
            }
        })
        .collect();
    let outside = outside_of(border, shrink, k);
    let sw = Sweep {
        axes: &axes,
        mode: border,
        shrink,
        outside,
        k,
        non_finite: AtomicBool::new(false),
    };
    let last = &axes[axes.len() - 1];
    let make = || Scratch {
        acc: axes
            .iter()
            .map(|a| [vec![0.0; a.inner], vec![0.0; a.inner]])
            .collect(),
        buf: axes.iter().map(|_| [Vec::new(), Vec::new()]).collect(),
        line: [
            vec![0.0; last.n + last.before + last.after],
            vec![0.0; last.n + last.before + last.after],
        ],
        out: [vec![0.0; last.n], vec![0.0; last.n]],
    };
    let a0 = &axes[0];
    let per = if worth_parallel(src.len()) && a0.inner > 1 {
        a0.n.div_ceil(rayon::current_num_threads() * 4)
            .max((2 * a0.w).min(a0.n))
    } else {
        a0.n
    };
    let task = |s: &mut Scratch, (t, (m, v)): (usize, (&mut [T], &mut [T]))| {
        sw.level0(src, m, v, t * per, s);
    };
    let chunk = per * a0.inner;
    let pieces = mean.chunks_mut(chunk).zip(var.chunks_mut(chunk));
    if worth_parallel(src.len()) && a0.inner > 1 {
        pieces
            .collect::<Vec<_>>()
            .into_par_iter()
            .enumerate()
            .for_each_init(make, |s, p| task(s, p));
    } else {
        let mut s = make();
        pieces.enumerate().for_each(|p| task(&mut s, p));
    }
    !sw.non_finite.load(Ordering::Relaxed)
}

impl Sweep<'_> {
    fn scale(&self, ax: &Ax, i: usize) -> f64 {
        if self.shrink {
            let lo = i.saturating_sub(ax.before);
            let hi = (i + ax.w - ax.before).min(ax.n);
            1.0 / (hi - lo) as f64
        } else {
            1.0 / ax.w as f64
        }
    }

    /// Axis 0: the input samples (shifted, and squared) into the first slab buffers.
    fn level0<T: Element>(
        &self,
        src: &[T],
        mean: &mut [T],
        var: &mut [T],
        i0: usize,
        s: &mut Scratch,
    ) {
        let ax = &self.axes[0];
        let inner = ax.inner;
        if self.axes.len() == 1 {
            // A 1-D array is one line.
            let [l1, l2] = &mut s.line;
            for (e, &m) in ax.map.iter().enumerate() {
                (l1[e], l2[e]) = match m {
                    Some(r) => {
                        let d = src[r].as_f64() - self.k;
                        (d, d * d)
                    }
                    None => (self.outside[0], self.outside[1]),
                };
            }
            self.finish_line(ax, l1, l2, &mut s.out, mean, var);
            return;
        }
        let k = self.k;
        let add = |acc: &mut [Vec<f64>; 2], e: usize, sign: f64| {
            let [a1, a2] = acc;
            match ax.map[e] {
                Some(r) => add_shifted(a1, a2, &src[r * inner..(r + 1) * inner], k, sign),
                None => add_const2(a1, a2, sign * self.outside[0], sign * self.outside[1]),
            }
        };
        // The running step with both rows inside the array, fused into one pass over the
        // sums (the common case; constant rows take `add`).
        let step = |acc: &mut [Vec<f64>; 2], ea: usize, es: usize, sc: f64, o: [&mut [f64]; 2]| {
            let (Some(ra), Some(rs)) = (ax.map[ea], ax.map[es]) else {
                return None;
            };
            let ([a1, a2], [o1, o2]) = (acc, o);
            let (xa, xs) = (
                &src[ra * inner..(ra + 1) * inner],
                &src[rs * inner..(rs + 1) * inner],
            );
            Some(step_shifted(a1, a2, xa, xs, k, sc, o1, o2))
        };
        self.slab_level(0, &add, Some(&step), mean, var, i0, s);
    }

    /// A level with slabs (`inner > 1`): running box sums of both channels into batched slab
    /// buffers, then the next level over each buffered slab.
    #[allow(clippy::too_many_arguments)]
    fn slab_level<T: Element>(
        &self,
        lv: usize,
        add: AddSlab<'_>,
        step: Option<StepSlab<'_>>,
        mean: &mut [T],
        var: &mut [T],
        i0: usize,
        s: &mut Scratch,
    ) {
        let ax = &self.axes[lv];
        let inner = ax.inner;
        let next = &self.axes[lv + 1];
        let line = lv + 2 == self.axes.len();
        let (stride, off) = if line {
            (inner + next.before + next.after, next.before)
        } else {
            (inner, 0)
        };
        let batch = (BATCH_BYTES / (16 * stride)).max(1);
        let mut acc = std::mem::take(&mut s.acc[lv]);
        let mut buf = std::mem::take(&mut s.buf[lv]);
        for b in buf.iter_mut() {
            if b.len() < batch * stride {
                b.resize(batch * stride, 0.0);
            }
        }
        let mut anchor = true;
        let mut recover = 0usize;
        let mut k0 = 0;
        for (ms, vs) in mean
            .chunks_mut(batch * inner)
            .zip(var.chunks_mut(batch * inner))
        {
            let cnt = ms.len() / inner;
            for j in 0..cnt {
                let (k, i) = (k0 + j, i0 + k0 + j);
                let sc = self.scale(ax, i);
                let at = j * stride + off..j * stride + off + inner;
                let out_row = |acc: &[Vec<f64>; 2], buf: &mut [Vec<f64>; 2]| {
                    let mut ok = true;
                    for (a, b) in acc.iter().zip(buf.iter_mut()) {
                        ok &= scale_row(&mut b[at.clone()], a, sc);
                    }
                    ok
                };
                // (A 1-wide window is always summed directly: exact.)
                let mut fresh = anchor || recover > 0 || ax.w == 1 || k % ANCHOR_EVERY == 0;
                if !fresh {
                    let [b1, b2] = &mut buf;
                    let o = [&mut b1[at.clone()], &mut b2[at.clone()]];
                    // A sum that turned non-finite (a non-finite sample, or an overflow such
                    // as squares of 1e200) is recomputed at this very window.
                    fresh = match step.and_then(|st| st(&mut acc, i + ax.w - 1, i - 1, sc, o)) {
                        Some(ok) => !ok,
                        None => {
                            add(&mut acc, i + ax.w - 1, 1.0);
                            add(&mut acc, i - 1, -1.0);
                            !out_row(&acc, &mut buf)
                        }
                    };
                }
                if fresh {
                    acc.iter_mut()
                        .for_each(|a| a.iter_mut().for_each(|v| *v = 0.0));
                    for e in i..i + ax.w {
                        add(&mut acc, e, 1.0);
                    }
                    anchor = !out_row(&acc, &mut buf);
                    // After a non-finite sum, windows are summed afresh until the huge values
                    // have left (a running sum holding them would absorb the small ones).
                    recover = if anchor {
                        ax.w
                    } else {
                        recover.saturating_sub(1)
                    };
                } else {
                    anchor = false;
                }
            }
            for (j, (m, v)) in ms
                .chunks_exact_mut(inner)
                .zip(vs.chunks_exact_mut(inner))
                .enumerate()
            {
                let [b1, b2] = &mut buf;
                let r1 = &mut b1[j * stride..(j + 1) * stride];
                let r2 = &mut b2[j * stride..(j + 1) * stride];
                if line {
                    extend_in_place(r1, next.before, inner, self.mode, self.outside[0]);
                    extend_in_place(r2, next.before, inner, self.mode, self.outside[1]);
                    self.finish_line(next, r1, r2, &mut s.out, m, v);
                } else {
                    let (r1, r2) = (&*r1, &*r2);
                    let nin = next.inner;
                    let add = |acc: &mut [Vec<f64>; 2], e: usize, sign: f64| {
                        let [a1, a2] = acc;
                        match next.map[e] {
                            Some(r) => add_rows2(
                                a1,
                                a2,
                                &r1[r * nin..(r + 1) * nin],
                                &r2[r * nin..(r + 1) * nin],
                                sign,
                            ),
                            None => {
                                add_const2(a1, a2, sign * self.outside[0], sign * self.outside[1])
                            }
                        }
                    };
                    self.slab_level(lv + 1, &add, None, m, v, 0, s);
                }
            }
            k0 += cnt;
        }
        s.acc[lv] = acc;
        s.buf[lv] = buf;
    }

    /// The innermost axis over the two extended lines, then mean = K + m1 and
    /// var = max(m2 - m1^2, 0) (NaN stays NaN).
    fn finish_line<T: Element>(
        &self,
        ax: &Ax,
        e1: &[f64],
        e2: &[f64],
        out: &mut [Vec<f64>; 2],
        mean: &mut [T],
        var: &mut [T],
    ) {
        let [m1, m2] = out;
        for (e, o) in [(e1, &mut *m1), (e2, &mut *m2)] {
            long_box_line(e, ax.w, ax.before, true, o);
            if self.shrink {
                shrink_edges(e, o, ax.w, ax.before);
            }
        }
        if !mean_var_row(mean, var, m1, m2, self.k) {
            self.non_finite.store(true, Ordering::Relaxed);
        }
    }
}
