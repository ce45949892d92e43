//! The fused separable engine: every pass of a separable filter (box sums, FIR taps) over a
//! C-contiguous array in ONE sweep that reads the input once and writes the output once.
//!
//! # Why
//!
//! Running the passes one after the other over the whole array costs a full read and write of
//! the array per axis, plus strided gathers for the inner axis: measured on a 5000 x 5000 f64
//! 3x3 box, that sat at 13% of the copy floor (107 ms against 14 ms). Here the output is built
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
//! [`DIRECT_MAX`] samples are direct sums in the element type, longer ones are `f64` running
//! sums re-anchored every [`ANCHOR_EVERY`] outputs, so error does not grow with the length.
//!
//! # NaN and infinity
//!
//! Direct sums keep a NaN inside the windows that contain it. A running sum would carry it on
//! (`inf - inf`), so a running sum that turns non-finite is re-anchored from its rows at the
//! next output (the outer axes), and a buffered row holding a non-finite value goes through
//! core's NaN-aware running sums (the inner axis): results equal the lane route's.

use ndkern_core::{
    extend_line, stream_copy, stream_fence, stream_worth, worth_parallel, BorderMode, Element,
    ANCHOR_EVERY,
};
use rayon::prelude::*;

use super::axis::{Kind, SepPass};
use super::rolling::{fits, planes, stateless, Outer};
use super::running_avx512::running_sums_avx512;
use super::uniform::{box_line, redo_segment, shrink_edges};

/// Box windows up to this many samples are direct sums; longer ones running sums.
pub(crate) const DIRECT_MAX: usize = 8;

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
/// pass-free axes merged. `None` when the passes are not in increasing axis order.
fn levels<'p, 'k, T>(
    shape: &[usize],
    passes: &'p [SepPass<'k, T>],
) -> Option<Vec<Level<'p, 'k, T>>> {
    if passes.windows(2).any(|w| w[0].axis >= w[1].axis) {
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
/// (having done nothing) when the passes are not in increasing axis order.
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
        // Two stateless outer passes over the innermost line: rows from a ring (rolling.rs).
        if lv + 3 == self.levels.len()
            && self.levels[lv + 2].inner == 1
            && stateless(Some(p))
            && fits(p, inner)
        {
            let (b, c) = (&self.levels[lv + 1], self.levels[lv + 2].pass);
            if let (Some(pb), Some(pc)) = (b.pass.filter(|_| stateless(b.pass)), c) {
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
        // (the slab stays in L1 for the line kernel; two builds alternated at load ~4: 5000^2
        // f64 3x3 box 77-79 -> 72.5-74 ms median, 4000^2 f32 31x31 box 38.0-38.3 -> 35.8-36.8
        // ms; at load ~1 the 31x31 box is unchanged, 18-19 ms either way); long tap sets keep
        // the batch, whose column blocks reuse input rows across it.
        let short = match p.kind {
            Kind::Fir(t) => t.len() <= DIRECT_MAX,
            Kind::Box { .. } => true,
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
                    }
                }
            }
            if deeper {
                for (j, o) in outs.chunks_exact_mut(inner).enumerate() {
                    let b = &mut buf[j * stride..(j + 1) * stride];
                    match line {
                        Some(q) => {
                            extend_in_place(b, q.before, inner, q.mode);
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

/// Fills the border room of an extended line whose `n` samples sit at `ext[before..]`.
pub(crate) fn extend_in_place<T: Element>(
    ext: &mut [T],
    before: usize,
    n: usize,
    mode: BorderMode,
) {
    let fill = match mode {
        BorderMode::Constant(c) => T::of_f64(c),
        _ => T::zero(),
    };
    let total = ext.len();
    for k in (0..before).chain(before + n..total) {
        ext[k] = match mode.source_index(k as isize - before as isize, n) {
            Some(src) => ext[before + src],
            None => fill,
        };
    }
}

/// The factor a box pass multiplies its window sum with at output `i` of `n`.
pub(crate) fn box_scale(
    i: usize,
    n: usize,
    w: usize,
    before: usize,
    mean: bool,
    shrink: bool,
) -> f64 {
    match (mean, shrink) {
        (false, _) => 1.0,
        (true, false) => 1.0 / w as f64,
        (true, true) => {
            let lo = i.saturating_sub(before);
            let hi = (i + w - before).min(n);
            1.0 / (hi - lo) as f64
        }
    }
}

/// [`row_kernel`] into an output row; with a `stage` (large, already mapped outputs:
/// [`ndkern_core::stream_worth`]) the row is computed there (in L1) and written out with
/// streaming stores, so the output's lines are not read from memory before being overwritten.
pub(crate) fn row_out<T: Element>(
    p: &SepPass<'_, T>,
    ext: &[T],
    out: &mut [T],
    stage: Option<&mut Vec<T>>,
) {
    match stage {
        Some(st) => {
            st.resize(out.len(), T::zero());
            row_kernel(p, ext, st);
            stream_copy(out, st).expect("the stage is resized to the row");
        }
        None => row_kernel(p, ext, out),
    }
}

/// The innermost pass over one extended row.
pub(crate) fn row_kernel<T: Element>(p: &SepPass<'_, T>, ext: &[T], out: &mut [T]) {
    let n = out.len();
    match p.kind {
        Kind::Fir(taps) => fir_rows(|j| &ext[j..j + n], taps, out),
        Kind::Box { w, mean, shrink } => {
            let inv = if mean { 1.0 / w as f64 } else { 1.0 };
            if w <= DIRECT_MAX {
                sum_rows(|j| &ext[j..j + n], w, T::of_f64(inv), out);
            } else {
                long_box_line(ext, w, p.before, mean, out);
            }
            if mean && shrink {
                shrink_edges(ext, out, w, p.before);
            }
        }
    }
}

/// Box sums (means with `mean`) of a window longer than [`DIRECT_MAX`] over one extended line:
/// running sums ([`running_sums_avx512`] at the AVX-512 dispatch level, else the
/// multiversioned [`running_sums`]), and
/// core's NaN-aware window sums for a line holding a non-finite sample (a running sum would
/// carry it to the end of the line: scipy issue 7818).
pub(crate) fn long_box_line<T: Element>(
    ext: &[T],
    w: usize,
    before: usize,
    mean: bool,
    out: &mut [T],
) {
    let inv = if mean { 1.0 / w as f64 } else { 1.0 };
    let finite = match running_sums_avx512(ext, w, inv, out) {
        Some(finite) => finite,
        None => {
            all_finite(ext) && {
                running_sums(ext, w, inv, out);
                true
            }
        }
    };
    if !finite {
        box_line(ext, out, w, before, mean, false);
    }
}

ndkern_core::multiversion! {
    /// True when every value is finite.
    pub(crate) fn all_finite[T: Element](x: &[T]) -> bool {
        let mut ok = true;
        for c in x.chunks(64) {
            ok &= c.iter().fold(true, |f, v| f & v.is_finite());
            if !ok {
                break;
            }
        }
        ok
    }
}

ndkern_core::multiversion! {
    /// `out[c] = sum_k taps[k] * row(k)[c]`: fused multiply-adds in tap order, four vectors of
    /// columns per step so the taps' loads are the only memory traffic.
    pub(crate) fn fir_rows['r, T: Element](
        row: impl Fn(usize) -> &'r [T],
        taps: &[T],
        out: &mut [T],
    ) {
        let n = out.len();
        let l = T::LANES;
        let z = T::splat(T::zero());
        let mut c = 0;
        while c + 4 * l <= n {
            let (mut a0, mut a1, mut a2, mut a3) = (z, z, z, z);
            for (k, &t) in taps.iter().enumerate() {
                let tv = T::splat(t);
                let r = &row(k)[c..c + 4 * l];
                a0 = T::vmul_add(tv, T::load(r), a0);
                a1 = T::vmul_add(tv, T::load(&r[l..]), a1);
                a2 = T::vmul_add(tv, T::load(&r[2 * l..]), a2);
                a3 = T::vmul_add(tv, T::load(&r[3 * l..]), a3);
            }
            let o = &mut out[c..c + 4 * l];
            T::store(a0, o);
            T::store(a1, &mut o[l..]);
            T::store(a2, &mut o[2 * l..]);
            T::store(a3, &mut o[3 * l..]);
            c += 4 * l;
        }
        while c + l <= n {
            let mut a = z;
            for (k, &t) in taps.iter().enumerate() {
                a = T::vmul_add(T::splat(t), T::load(&row(k)[c..c + l]), a);
            }
            T::store(a, &mut out[c..c + l]);
            c += l;
        }
        for (j, o) in out.iter_mut().enumerate().skip(c) {
            *o = taps
                .iter()
                .enumerate()
                .fold(T::zero(), |a, (k, &t)| t.mul_add(row(k)[j], a));
        }
    }
}

ndkern_core::multiversion! {
    /// `out[c] = scale * sum_{k < w} row(k)[c]` (direct box sums in the element type).
    pub(crate) fn sum_rows['r, T: Element](
        row: impl Fn(usize) -> &'r [T],
        w: usize,
        scale: T,
        out: &mut [T],
    ) {
        let n = out.len();
        let l = T::LANES;
        let sv = T::splat(scale);
        let z = T::splat(T::zero());
        let mut c = 0;
        while c + 2 * l <= n {
            let (mut a0, mut a1) = (z, z);
            for k in 0..w {
                let r = &row(k)[c..c + 2 * l];
                a0 = a0 + T::load(r);
                a1 = a1 + T::load(&r[l..]);
            }
            T::store(a0 * sv, &mut out[c..c + l]);
            T::store(a1 * sv, &mut out[c + l..c + 2 * l]);
            c += 2 * l;
        }
        for (j, o) in out.iter_mut().enumerate().skip(c) {
            *o = (0..w).fold(T::zero(), |a, k| a + row(k)[j]) * scale;
        }
    }
}

ndkern_core::multiversion! {
    /// `acc[c] += x[c]` in `f64`.
    fn acc_add[T: Element](acc: &mut [f64], x: &[T]) {
        for (a, &v) in acc.iter_mut().zip(x) {
            *a += v.as_f64();
        }
    }
}

ndkern_core::multiversion! {
    /// `acc[c] += add[c] - sub[c]` in `f64` (the running-sum step of an outer axis), then
    /// `out[c] = acc[c] * scale` rounded to `T`, in one pass over `acc` (each sum is loaded and
    /// stored once per output row); false when some sum is not finite.
    fn step_row[T: Element](
        acc: &mut [f64],
        add: &[T],
        sub: &[T],
        scale: f64,
        out: &mut [T],
    ) -> bool {
        let mut ok = true;
        for (((a, &x), &y), o) in acc.iter_mut().zip(add).zip(sub).zip(out.iter_mut()) {
            let v = *a + (x.as_f64() - y.as_f64());
            *a = v;
            ok &= v.is_finite();
            *o = T::of_f64(v * scale);
        }
        ok
    }
}

ndkern_core::multiversion! {
    /// `out[c] = acc[c] * scale` rounded to `T`; false when some sum is not finite (the running
    /// sum must then be re-anchored).
    fn finish_row[T: Element](acc: &[f64], scale: f64, out: &mut [T]) -> bool {
        let mut ok = true;
        for (o, &a) in out.iter_mut().zip(acc) {
            ok &= a.is_finite();
            *o = T::of_f64(a * scale);
        }
        ok
    }
}

thread_local! {
    /// Per-thread `f64` step buffer of [`running_sums`].
    static STEPS: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Running `f64` window sums of a finite extended line, `out[i] = inv * sum ext[i..i + w]`:
/// the steps `ext[i + w - 1] - ext[i - 1]` are first computed in `f64` in one vectorized pass
/// (the conversions leave the serial part), then the line is cut into segments re-anchored
/// from their samples, four of them advanced together so the four dependency chains overlap.
/// The sums are the same, bit for bit, as adding each step as it comes.
pub(crate) fn running_sums<T: Element>(ext: &[T], w: usize, inv: f64, out: &mut [T]) {
    let n = out.len();
    if w == 1 {
        // A 1-wide window is the sample itself (exactly).
        scale_line(ext, inv, out);
        return;
    }
    STEPS.with(|cell| {
        let mut d = cell.borrow_mut();
        if d.len() < n {
            d.resize(n, 0.0);
        }
        steps_and_scan(ext, w, inv, &mut d[..n], out);
    });
}

ndkern_core::multiversion! {
    /// `out[i] = ext[i] * inv` rounded to `T`.
    fn scale_line[T: Element](ext: &[T], inv: f64, out: &mut [T]) {
        for (o, &v) in out.iter_mut().zip(ext) {
            *o = T::of_f64(v.as_f64() * inv);
        }
    }
}

ndkern_core::multiversion! {
    /// The two passes of [`running_sums`] (`w >= 2`, `d.len() == out.len()`): the `f64`
    /// steps into `d`, then [`scan_segments`].
    fn steps_and_scan[T: Element](ext: &[T], w: usize, inv: f64, d: &mut [f64], out: &mut [T]) {
        let n = out.len();
        // d[i] = ext[i + w - 1] - ext[i - 1] for i >= 1 (d[0] unused).
        if n > 1 {
            for ((s, &a), &b) in d[1..n]
                .iter_mut()
                .zip(&ext[w..n + w - 1])
                .zip(&ext[..n - 1])
            {
                *s = a.as_f64() - b.as_f64();
            }
        }
        scan_segments(ext, d, w, inv, out);
    }
}

/// The serial part of [`running_sums`]: segment sums advanced by the steps `d`.
#[inline(always)]
fn scan_segments<T: Element>(ext: &[T], d: &[f64], w: usize, inv: f64, out: &mut [T]) {
    let n = out.len();
    let seg = ANCHOR_EVERY.min(n.div_ceil(4)).max(1);
    let start_sum = |b: usize| -> f64 { ext[b..b + w].iter().map(|v| v.as_f64()).sum() };
    let mut b = 0;
    // Groups of four full segments.
    while b + 4 * seg <= n {
        let st = [b, b + seg, b + 2 * seg, b + 3 * seg];
        // Not `st.map(start_sum)`: `array::map` is not inlined, and its closure would run at
        // the baseline level instead of this kernel's.
        let mut s = [
            start_sum(st[0]),
            start_sum(st[1]),
            start_sum(st[2]),
            start_sum(st[3]),
        ];
        for j in 0..4 {
            out[st[j]] = T::of_f64(s[j] * inv);
        }
        let (d0, d1, d2, d3) = (
            &d[st[0]..st[1]],
            &d[st[1]..st[2]],
            &d[st[2]..st[3]],
            &d[st[3]..st[3] + seg],
        );
        let (o01, o23) = out[b..b + 4 * seg].split_at_mut(2 * seg);
        let (o0, o1) = o01.split_at_mut(seg);
        let (o2, o3) = o23.split_at_mut(seg);
        for t in 1..seg {
            s[0] += d0[t];
            s[1] += d1[t];
            s[2] += d2[t];
            s[3] += d3[t];
            o0[t] = T::of_f64(s[0] * inv);
            o1[t] = T::of_f64(s[1] * inv);
            o2[t] = T::of_f64(s[2] * inv);
            o3[t] = T::of_f64(s[3] * inv);
        }
        // The line is finite, so a sum that ends non-finite overflowed (and a non-finite sum
        // stays non-finite): that segment is recomputed with sums that recover after it.
        if !(s[0] + s[1] + s[2] + s[3]).is_finite() {
            for (j, &b0) in st.iter().enumerate() {
                if !s[j].is_finite() {
                    redo_segment(&ext[b0..b0 + seg + w - 1], &mut out[b0..b0 + seg], w, inv);
                }
            }
        }
        b += 4 * seg;
    }
    // The rest one segment at a time.
    while b < n {
        let end = (b + seg).min(n);
        let mut s = start_sum(b);
        out[b] = T::of_f64(s * inv);
        for i in b + 1..end {
            s += d[i];
            out[i] = T::of_f64(s * inv);
        }
        if !s.is_finite() {
            redo_segment(&ext[b..end + w - 1], &mut out[b..end], w, inv);
        }
        b = end;
    }
}
