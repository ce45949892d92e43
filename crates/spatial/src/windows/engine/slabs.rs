//! The fused sweep: every pass of a separable box or FIR plan over a C-contiguous array in ONE
//! sweep that reads the input once and writes the output once.
//!
//! # Why
//!
//! Running the passes one after the other over the whole array costs a full read and write of
//! the array per axis, plus strided gathers for the inner axis (on a 5000 x 5000 f64 3x3 box
//! that sat at 13% of the copy floor; BENCHMARKS.md row `uniform3_2d_into` has the sweep's
//! figure and its floor). Here the output is built
//! slab by slab along the outermost filtered axis (a slab is a row of a 2-D image, a plane of a
//! volume): the outer pass combines the input slabs its window needs (they stay in L2, each is
//! read from memory once) into one cache-resident buffer, the next axis does the same inside
//! that buffer, and the innermost axis runs its 1-D line kernel on each buffered row and writes
//! the output row. Work splits into (outer block, run of slabs) tasks for rayon.
//!
//! # Arithmetic
//!
//! The passes run in scipy's order (axis 0 first) and every intermediate is rounded to the
//! element type, as scipy's successive 1-D filters do. FIR taps accumulate with fused
//! multiply-adds in tap order (register-blocked across columns); box windows of up to
//! `DIRECT_MAX` samples are direct sums in the element type, longer ones are `f64` running
//! sums re-anchored every [`ANCHOR_EVERY`] outputs, so error does not grow with the length.
//!
//! # NaN and infinity
//!
//! Direct sums keep a NaN inside the windows that contain it. A running sum would carry it on
//! (`inf - inf`), so a running sum that turns non-finite is re-anchored from its rows at the
//! next output (the outer axes), and a buffered row holding a non-finite value goes through
//! core's NaN-aware running sums (the inner axis): results equal the lane route's.

use ndkern_core::{
    extend_line, stream_fence, stream_worth, worth_parallel, BorderMode, Element, ANCHOR_EVERY,
};
use rayon::prelude::*;

use super::ring::{fits, planes, Outer};
use super::rows::row_out;
use crate::windows::kernels::border::{const_fill, extend_in_place};
use crate::windows::kernels::box_sum::{acc_add, box_scale, finish_row, step_row, sum_rows};
use crate::windows::kernels::fir::fir_rows;
use crate::windows::plan::{Kind, SepPass, DIRECT_MAX};

/// Bytes of filtered slabs buffered before the next level runs over them (fits L2 with the
/// input slabs of the window).
pub(crate) const BATCH_BYTES: usize = 512 << 10;

/// Bytes of one column block of the stateless outer passes (the window's rows of one block
/// stay in L1 while the batch is computed).
const COL_BYTES: usize = 1024;

/// One level of the sweep: `n` indices of slabs of `inner` contiguous elements, filtered by
/// `pass` (or not, for merged outer axes without a pass).
struct Level<'p, 'k, T> {
    n: usize,
    inner: usize,
    pass: Option<&'p SepPass<'k, T>>,
}

/// The levels of `shape` for `passes` (strictly increasing axes), trailing and adjacent
/// pass-free axes merged. `None` when the passes are not in increasing axis order or some
/// pass is neither a box nor FIR taps.
fn levels<'p, 'k, T>(
    shape: &[usize],
    passes: &'p [SepPass<'k, T>],
) -> Option<Vec<Level<'p, 'k, T>>> {
    if passes.windows(2).any(|w| w[0].axis >= w[1].axis)
        || passes
            .iter()
            .any(|p| !matches!(p.kind, Kind::Box { .. } | Kind::Fir(_)))
    {
        return None;
    }
    let last = passes.last()?.axis;
    let mut out: Vec<Level<'p, 'k, T>> = Vec::new();
    for ax in 0..=last {
        let pass = passes.iter().find(|p| p.axis == ax);
        let inner: usize = shape[ax + 1..].iter().product();
        match (pass, out.last_mut()) {
            (None, Some(prev)) if prev.pass.is_none() => {
                // Merge into the previous pass-free level: its slab becomes this axis's slab.
                prev.n *= shape[ax];
                prev.inner = inner;
            }
            _ => out.push(Level {
                n: shape[ax],
                inner,
                pass,
            }),
        }
    }
    Some(out)
}

/// Per-worker scratch: one slab buffer and one `f64` running-sum row per level, the extended
/// line of the innermost pass, and the staged output row of streamed outputs.
struct Scratch<T> {
    slab: Vec<Vec<T>>,
    acc: Vec<Vec<f64>>,
    ext: Vec<T>,
    stage: Vec<T>,
}

/// Runs `passes` from `src` into `dst` (both C-contiguous with `shape`). Returns `false`
/// (having done nothing) when the passes are not in increasing axis order or not all box or
/// FIR passes.
pub(crate) fn run<T: Element>(
    src: &[T],
    dst: &mut [T],
    shape: &[usize],
    passes: &[SepPass<'_, T>],
) -> bool {
    let Some(levels) = levels(shape, passes) else {
        return false;
    };
    if src.is_empty() {
        return true;
    }
    // Constant slabs (the cval of each level's mode) and extended-index source maps.
    let consts: Vec<Vec<T>> = levels
        .iter()
        .map(|l| match l.pass.map(|p| p.mode) {
            Some(BorderMode::Constant(c)) => vec![T::of_f64(c); l.inner],
            _ => Vec::new(),
        })
        .collect();
    let maps: Vec<Vec<Option<usize>>> = levels
        .iter()
        .map(|l| match l.pass {
            Some(p) => (0..l.n + p.before + p.after)
                .map(|e| p.mode.source_index(e as isize - p.before as isize, l.n))
                .collect(),
            None => Vec::new(),
        })
        .collect();
    let ctx = Ctx {
        levels: &levels,
        consts: &consts,
        maps: &maps,
        stream: stream_worth(dst),
    };
    let make = || Scratch {
        slab: levels.iter().map(|_| Vec::new()).collect(),
        acc: levels
            .iter()
            .map(|l| match l.pass.map(|p| p.kind) {
                Some(Kind::Box { w, .. }) if w > DIRECT_MAX => vec![0.0; l.inner],
                _ => Vec::new(),
            })
            .collect(),
        ext: match levels.last().and_then(|l| l.pass.filter(|_| l.inner == 1)) {
            Some(p) => vec![T::zero(); levels.last().map_or(0, |l| l.n) + p.before + p.after],
            None => Vec::new(),
        },
        stage: Vec::new(),
    };
    // Tasks: the leading pass-free level (if any) times runs of the first pass level.
    let (outer, lv) = if levels[0].pass.is_none() && levels.len() > 1 {
        (levels[0].n, 1)
    } else {
        (1, 0)
    };
    let l0 = &levels[lv];
    let block = l0.n * l0.inner;
    let parallel = worth_parallel(src.len());
    // A row (the innermost level) is never split.
    let per = if parallel && l0.inner > 1 {
        let want = (rayon::current_num_threads() * 4).div_ceil(outer).max(1);
        let min = match l0.pass.map(|p| p.kind) {
            Some(Kind::Box { w, .. }) => 2 * w,
            _ => 4,
        };
        l0.n.div_ceil(want).max(min.min(l0.n)).max(1)
    } else {
        l0.n
    };
    let task = |s: &mut Scratch<T>, (t, d): (usize, &mut [T])| {
        let chunks_per_block = l0.n.div_ceil(per);
        let (b, c) = (t / chunks_per_block, t % chunks_per_block);
        let i0 = c * per;
        let bsrc = &src[b * block..(b + 1) * block];
        ctx.level(lv, bsrc, d, i0, s);
        if ctx.stream {
            stream_fence();
        }
    };
    // Cut every outer block into runs of `per` slabs (each a contiguous part of `dst`).
    let mut pieces: Vec<&mut [T]> = Vec::new();
    for d in dst.chunks_mut(block) {
        pieces.extend(d.chunks_mut(per * l0.inner));
    }
    if parallel {
        pieces
            .into_par_iter()
            .enumerate()
            .for_each_init(make, |s, td| task(s, td));
    } else {
        let mut s = make();
        pieces
            .into_iter()
            .enumerate()
            .for_each(|td| task(&mut s, td));
    }
    true
}

struct Ctx<'a, 'p, 'k, T> {
    levels: &'a [Level<'p, 'k, T>],
    consts: &'a [Vec<T>],
    maps: &'a [Vec<Option<usize>>],
    /// Output rows go through [`row_out`]'s staged streaming stores.
    stream: bool,
}

impl<T: Element> Ctx<'_, '_, '_, T> {
    /// Fills `out` (slabs `i0..` of level `lv`, as many as fit) from `src` (all `n` slabs of
    /// level `lv`).
    fn level(&self, lv: usize, src: &[T], out: &mut [T], i0: usize, s: &mut Scratch<T>) {
        let l = &self.levels[lv];
        let inner = l.inner;
        let deeper = lv + 1 < self.levels.len();
        let Some(p) = l.pass else {
            for (k, o) in out.chunks_exact_mut(inner).enumerate() {
                let i = i0 + k;
                self.level(lv + 1, &src[i * inner..(i + 1) * inner], o, 0, s);
            }
            return;
        };
        // Two stateless outer passes over the innermost line: rows from a ring (ring.rs).
        if lv + 3 == self.levels.len()
            && self.levels[lv + 2].inner == 1
            && p.stateless()
            && fits(p, inner)
        {
            let (b, c) = (&self.levels[lv + 1], self.levels[lv + 2].pass);
            if let (Some(pb), Some(pc)) = (b.pass.filter(|q| q.stateless()), c) {
                let oa = Outer {
                    n: l.n,
                    pass: p,
                    map: &self.maps[lv],
                    cst: &self.consts[lv],
                };
                let ob = Outer {
                    n: b.n,
                    pass: pb,
                    map: &self.maps[lv + 1],
                    cst: &self.consts[lv + 1],
                };
                let mut ring = std::mem::take(&mut s.slab[lv]);
                let mut line = std::mem::take(&mut s.slab[lv + 1]);
                let stage = self.stream.then_some(&mut s.stage);
                planes(
                    &oa, &ob, pc, b.inner, src, out, i0, &mut ring, &mut line, stage,
                );
                s.slab[lv] = ring;
                s.slab[lv + 1] = line;
                return;
            }
        }
        if inner == 1 && !deeper {
            // The innermost axis: one line kernel over the whole (extended) row.
            extend_line(src, p.before, p.after, p.mode, &mut s.ext).expect("extended length");
            row_out(p, &s.ext, out, self.stream.then_some(&mut s.stage));
            return;
        }
        let map = &self.maps[lv];
        let cst = &self.consts[lv];
        let slab = |e: usize| -> &[T] {
            match map[e] {
                Some(r) => &src[r * inner..(r + 1) * inner],
                None => cst,
            }
        };
        // When the next level is the innermost line, each buffered slab is laid out as that
        // line's extended buffer (border room on both sides), so it is extended in place.
        let line = match self.levels.get(lv + 1) {
            Some(nl) if nl.inner == 1 && lv + 2 == self.levels.len() => nl.pass,
            _ => None,
        };
        let (stride, off) = match line {
            Some(q) => (inner + q.before + q.after, q.before),
            None => (inner, 0),
        };
        // Buffer a batch of slabs (~BATCH_BYTES) before descending: the input is then read in
        // long sequential runs and the output written in long runs, instead of alternating.
        // Box windows and short tap sets feeding the innermost line go one slab at a time
        // (the slab stays in L1 for the line kernel: measured faster on the `uniform3_2d` and
        // `uniform31_2d` rows of BENCHMARKS.md when this was chosen, never slower); long tap
        // sets keep the batch, whose column blocks reuse input rows across it.
        let short = match p.kind {
            Kind::Fir(t) => t.len() <= DIRECT_MAX,
            _ => true,
        };
        let batch = if deeper && line.is_some() && short {
            1
        } else if deeper {
            (BATCH_BYTES / (stride * std::mem::size_of::<T>())).max(1)
        } else {
            1
        };
        let mut buf = std::mem::take(&mut s.slab[lv]);
        if deeper && buf.len() < batch * stride {
            buf.resize(batch * stride, T::zero());
        }
        let mut acc = std::mem::take(&mut s.acc[lv]);
        let mut rows: Vec<&[T]> = Vec::with_capacity(p.before + p.after + 1);
        let mut anchor = true;
        let mut recover = 0usize;
        let mut k0 = 0;
        // Long tap sets go over the batch one block of columns at a time, so the window's
        // input rows of that block stay in L1 across the batch (short windows read their rows
        // whole: sequential streams, and little reuse to gain).
        let stateless = matches!(p.kind, Kind::Fir(t) if t.len() > DIRECT_MAX);
        let cb = if stateless {
            (COL_BYTES / std::mem::size_of::<T>()).min(inner)
        } else {
            inner
        };
        for outs in out.chunks_mut(batch * inner) {
            for c0 in (0..inner).step_by(cb) {
                let c1 = (c0 + cb).min(inner);
                for (j, o) in outs.chunks_exact_mut(inner).enumerate() {
                    let k = k0 + j;
                    let i = i0 + k;
                    let target: &mut [T] = if deeper {
                        &mut buf[j * stride + off + c0..j * stride + off + c1]
                    } else {
                        &mut o[c0..c1]
                    };
                    match p.kind {
                        Kind::Fir(taps) => {
                            rows.clear();
                            rows.extend((i..i + taps.len()).map(|e| &slab(e)[c0..c1]));
                            fir_rows(|j| rows[j], taps, target);
                        }
                        Kind::Box { w, mean, shrink } => {
                            let scale = box_scale(i, l.n, w, p.before, mean, shrink);
                            if w <= DIRECT_MAX {
                                rows.clear();
                                rows.extend((i..i + w).map(|e| &slab(e)[c0..c1]));
                                sum_rows(|j| rows[j], w, T::of_f64(scale), target);
                            } else {
                                // Running sums: one block spanning all columns (cb == inner).
                                // A step that turns a sum non-finite (a non-finite row, or an
                                // overflow such as 1e308 + 1e308) re-anchors at this very
                                // row, so the overflow never reaches the next windows.
                                let fresh = anchor
                                    || recover > 0
                                    || k % ANCHOR_EVERY == 0
                                    || !step_row(
                                        &mut acc,
                                        slab(i + w - 1),
                                        slab(i - 1),
                                        scale,
                                        target,
                                    );
                                if fresh {
                                    acc.iter_mut().for_each(|a| *a = 0.0);
                                    for e in i..i + w {
                                        acc_add(&mut acc, slab(e));
                                    }
                                    anchor = !finish_row(&acc, scale, target);
                                    // After a non-finite sum, windows are summed afresh until
                                    // the huge values have left (a running sum that held
                                    // 1e308 would have absorbed the small ones).
                                    recover = if anchor { w } else { recover.saturating_sub(1) };
                                } else {
                                    anchor = false;
                                }
                            }
                        }
                        Kind::Moments { .. } | Kind::Iir { .. } => {
                            unreachable!("`levels` takes box and FIR passes only")
                        }
                    }
                }
            }
            if deeper {
                for (j, o) in outs.chunks_exact_mut(inner).enumerate() {
                    let b = &mut buf[j * stride..(j + 1) * stride];
                    match line {
                        Some(q) => {
                            extend_in_place(b, q.before, inner, q.mode, const_fill(q.mode));
                            row_out(q, b, o, self.stream.then_some(&mut s.stage));
                        }
                        None => self.level(lv + 1, b, o, 0, s),
                    }
                }
            }
            k0 += outs.len() / inner;
        }
        s.slab[lv] = buf;
        s.acc[lv] = acc;
    }
}
