//! Local mean and variance of a C-contiguous array in one sweep (the fused engine of
//! [`super::fused`] with two channels): the shifted samples `d = x - K` and their squares are
//! box-summed together, axis 0 first, into cache-resident `f64` slab buffers, the innermost
//! axis runs its running sums over both buffered lines, and each output row of the mean and the
//! variance is written once. The input is read once, instead of once per axis and channel.
//!
//! Running sums are `f64`, re-anchored every [`ANCHOR_EVERY`] outputs and after any non-finite
//! sum (so a NaN stays inside its windows); lines holding a non-finite value use core's
//! NaN-aware running sums.

use ndkern_core::{worth_parallel, BorderMode, Element, ANCHOR_EVERY};
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};

use super::fused::{long_box_line, BATCH_BYTES};
use super::params::WindowMode;
use super::uniform::shrink_edges;

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

/// Local mean and variance over windows of `sizes` (with `pads` = (before, after) per axis) of
/// the C-contiguous `src` of `shape`, shifted by `k`, into the C-contiguous `mean` and `var`.
/// Returns false when some output is not finite.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run<T: Element>(
    src: &[T],
    shape: &[usize],
    sizes: &[usize],
    pads: &[(usize, usize)],
    mode: WindowMode,
    k: f64,
    mean: &mut [T],
    var: &mut [T],
) -> bool {
    if src.is_empty() {
        return true;
    }
    let border = mode.border();
    let axes: Vec<Ax> = (0..shape.len())
        .map(|a| {
            let (n, (before, after)) = (shape[a], pads[a]);
            Ax {
                n,
                inner: shape[a + 1..].iter().product(),
                w: sizes[a],
                before,
                after,
                map: (0..n + before + after)
                    .map(|e| border.source_index(e as isize - before as isize, n))
                    .collect(),
            }
        })
        .collect();
    let outside = match mode {
        WindowMode::Border(BorderMode::Constant(c)) => [c - k, (c - k) * (c - k)],
        _ => [0.0, 0.0],
    };
    let sw = Sweep {
        axes: &axes,
        mode: border,
        shrink: mode == WindowMode::Shrink,
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
        self.slab_level(0, &add, mean, var, i0, s);
    }

    /// A level with slabs (`inner > 1`): running box sums of both channels into batched slab
    /// buffers, then the next level over each buffered slab.
    fn slab_level<T: Element>(
        &self,
        lv: usize,
        add: AddSlab<'_>,
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
                let mut out_row = |acc: &[Vec<f64>; 2]| {
                    let mut ok = true;
                    for (a, b) in acc.iter().zip(buf.iter_mut()) {
                        ok &= scale_row(&mut b[j * stride + off..j * stride + off + inner], a, sc);
                    }
                    ok
                };
                // (A 1-wide window is always summed directly: exact.)
                let mut fresh = anchor || recover > 0 || ax.w == 1 || k % ANCHOR_EVERY == 0;
                if !fresh {
                    add(&mut acc, i + ax.w - 1, 1.0);
                    add(&mut acc, i - 1, -1.0);
                    // A sum that turned non-finite (a non-finite sample, or an overflow such
                    // as squares of 1e200) is recomputed at this very window.
                    fresh = !out_row(&acc);
                }
                if fresh {
                    acc.iter_mut()
                        .for_each(|a| a.iter_mut().for_each(|v| *v = 0.0));
                    for e in i..i + ax.w {
                        add(&mut acc, e, 1.0);
                    }
                    anchor = !out_row(&acc);
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
                    self.slab_level(lv + 1, &add, m, v, 0, s);
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

/// Fills the border room of an extended line whose `n` samples sit at `ext[before..]`
/// (`fill` for constant samples).
fn extend_in_place(ext: &mut [f64], before: usize, n: usize, mode: BorderMode, fill: f64) {
    let total = ext.len();
    for k in (0..before).chain(before + n..total) {
        ext[k] = match mode.source_index(k as isize - before as isize, n) {
            Some(src) => ext[before + src],
            None => fill,
        };
    }
}

ndkern_core::multiversion! {
    /// Both channel sums of an input row: `a1 += sign * d`, `a2 += sign * d * d` with
    /// `d = x - k` (the leaves below run at the dispatched SIMD level).
    fn add_shifted[T: Element](a1: &mut [f64], a2: &mut [f64], row: &[T], k: f64, sign: f64) {
        for ((p, q), &x) in a1.iter_mut().zip(a2.iter_mut()).zip(row) {
            let d = x.as_f64() - k;
            *p += sign * d;
            *q += sign * (d * d);
        }
    }
}

ndkern_core::multiversion! {
    /// Both channel sums of a buffered slab: `a1 += sign * r1`, `a2 += sign * r2`.
    fn add_rows2(a1: &mut [f64], a2: &mut [f64], r1: &[f64], r2: &[f64], sign: f64) {
        for (p, &x) in a1.iter_mut().zip(r1) {
            *p += sign * x;
        }
        for (q, &x) in a2.iter_mut().zip(r2) {
            *q += sign * x;
        }
    }
}

ndkern_core::multiversion! {
    /// A constant slab: `a1 += v1`, `a2 += v2`.
    fn add_const2(a1: &mut [f64], a2: &mut [f64], v1: f64, v2: f64) {
        a1.iter_mut().for_each(|p| *p += v1);
        a2.iter_mut().for_each(|q| *q += v2);
    }
}

ndkern_core::multiversion! {
    /// `out = a * sc`; false when some sum is not finite.
    fn scale_row(out: &mut [f64], a: &[f64], sc: f64) -> bool {
        let mut ok = true;
        for (o, &v) in out.iter_mut().zip(a) {
            ok &= v.is_finite();
            *o = v * sc;
        }
        ok
    }
}

ndkern_core::multiversion! {
    /// `mean = k + m1`, `var = max(m2 - m1^2, 0)` (NaN stays NaN), rounded to `T`; false when
    /// some output is not finite.
    fn mean_var_row[T: Element](
        mean: &mut [T],
        var: &mut [T],
        m1: &[f64],
        m2: &[f64],
        k: f64,
    ) -> bool {
        let mut ok = true;
        for (((mo, vo), &d1), &d2) in mean.iter_mut().zip(var.iter_mut()).zip(m1).zip(m2) {
            let (m, v) = (T::of_f64(k + d1), d2 - d1 * d1);
            let v = T::of_f64(if v < 0.0 { 0.0 } else { v });
            ok &= m.is_finite() & v.is_finite();
            (*mo, *vo) = (m, v);
        }
        ok
    }
}
