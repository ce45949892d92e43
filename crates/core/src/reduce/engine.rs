//! The reduction engine: one walk for every axis reduction, two memory layouts.
//!
//! The reduced axes of every output element form a "group". After canonicalizing the group's
//! dims (see [`crate::strided`]), the engine picks one of two walks by where the densest axis
//! of the array is:
//!
//! * **Inner** (the densest axis is reduced, e.g. `var(axis=-1)` of a C-order stack): each
//!   output reduces its own group, lane by lane, with the contiguous slice kernels. Outputs
//!   are split across threads in contiguous chunks.
//! * **Outer** (the densest axis is kept, e.g. `mean(axis=0)` of a C-order matrix): whole rows
//!   along the kept dense axis are added into a row of accumulators ("vertical SIMD"), never
//!   transposing. Work is split over (outer output index, column block, row range) tasks whose
//!   partial accumulators are merged, so even a single output row uses every core. Rows of up
//!   to [`MAX_COL_BLOCK`] columns are walked whole (sequential reads), and sums add four
//!   contiguous rows per pass over the accumulators.
//!
//! Rows are accumulated in blocks of [`ROW_BLOCK`] and the blocks merged, so the error of a
//! vertical sum grows like `ROW_BLOCK + rows / ROW_BLOCK`, not like `rows`.

use ndarray::{ArrayD, IxDyn};
use rayon::prelude::*;

use crate::element::Element;
use crate::parallel::{task_count, worth_parallel};
use crate::strided::{canonical_dims, dims_len, for_each_offset, Dims};

/// Longest row the short-row fold of the outer walk builds (8 KiB of `f64` accumulators).
pub(crate) const COL_BLOCK: usize = 1024;
/// Widest column block of the outer walk: rows up to this many columns are walked whole
/// (64 KiB of `f64` accumulators, in L2), longer rows in equal blocks of at most this width.
/// Whole rows keep each task's reads sequential; 1024-column stripes of a 4000-column `f32`
/// matrix (4 KiB read, then a 16 KiB jump, per row) left the hardware prefetcher restarting
/// at every row (`mean_axis0` of BENCHMARKS.md: 0.84x numpy).
pub(crate) const MAX_COL_BLOCK: usize = 8192;
/// Rows accumulated before a partial is merged into the task's accumulator.
pub(crate) const ROW_BLOCK: usize = 256;

/// A read-only base pointer that may cross threads.
#[derive(Clone, Copy)]
pub(crate) struct Base<T>(pub(crate) *const T);
// SAFETY: `Base` is only read through, while the view it came from is borrowed for the whole
// reduction; the elements are `Sync` (`Element: Sync`).
unsafe impl<T: Sync> Send for Base<T> {}
// SAFETY: as above: shared read-only access.
unsafe impl<T: Sync> Sync for Base<T> {}

/// The elements reduced into one output: `outer` dims of lanes of `lane_len` at `lane_stride`.
pub(crate) struct Group<'p, T> {
    base: Base<T>,
    outer: &'p [(usize, isize)],
    lane_len: usize,
    lane_stride: isize,
}

impl<T: Element> Group<'_, T> {
    /// The whole group as one contiguous slice, when it is one (the common fast case).
    #[inline]
    pub(crate) fn as_slice(&self) -> Option<&[T]> {
        if self.outer.is_empty() && (self.lane_stride == 1 || self.lane_len <= 1) {
            // SAFETY: one lane of `lane_len` contiguous elements of the borrowed view.
            Some(unsafe { std::slice::from_raw_parts(self.base.0, self.lane_len) })
        } else {
            None
        }
    }

    /// Calls `f` on every lane as a contiguous slice (gathering strided lanes into `scratch`).
    #[inline]
    pub(crate) fn for_each_lane(&self, scratch: &mut Vec<T>, mut f: impl FnMut(&[T])) {
        let count = dims_len(self.outer);
        for_each_offset(self.outer, 0, count, |off| {
            // SAFETY: `off` and the lane's offsets `k * lane_stride` (k < lane_len) come from
            // the borrowed view's own shape and strides, so every address is an element of it.
            unsafe {
                let p = self.base.0.offset(off);
                if self.lane_stride == 1 {
                    f(std::slice::from_raw_parts(p, self.lane_len));
                } else {
                    scratch.clear();
                    scratch.extend(
                        (0..self.lane_len).map(|k| *p.offset(k as isize * self.lane_stride)),
                    );
                    f(scratch);
                }
            }
        });
    }
}

/// Where a row of the outer walk sits: output row `outer` (in the temporary `[outer..., m]`
/// layout), starting at column `col0`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RowPos {
    pub(crate) outer: usize,
    pub(crate) col0: usize,
}

/// One reduction operation, as the engine needs it for both walks.
pub(crate) trait Reducer<T: Element>: Sync {
    /// The per-output result.
    type Out: Copy + Send + Sync + Default;
    /// The per-column accumulator of the outer walk.
    type Acc: Copy + Send + Sync;

    /// Inner walk: reduce the group of output `index`.
    fn group(&self, g: &Group<'_, T>, scratch: &mut Vec<T>, index: usize) -> Self::Out;
    /// Inner walk over a contiguous matrix: `x` holds `out.len()` consecutive groups of
    /// `x.len() / out.len()` elements each (`var(axis=-1)` of a C-order array). Overridden
    /// where a batched loop beats one `group` call per output.
    fn rows(&self, x: &[T], out: &mut [Self::Out], first_index: usize) {
        let len = x.len() / out.len().max(1);
        let mut scratch = Vec::new();
        for (k, o) in out.iter_mut().enumerate() {
            let g = Group {
                base: Base(x[k * len..].as_ptr()),
                outer: &[],
                lane_len: len,
                lane_stride: 1,
            };
            *o = self.group(&g, &mut scratch, first_index + k);
        }
    }
    /// Outer walk: a fresh accumulator.
    fn acc_init(&self) -> Self::Acc;
    /// Outer walk: fold one row into `acc` (same length).
    fn acc_row(&self, acc: &mut [Self::Acc], row: &[T], pos: RowPos);
    /// Outer walk: fold four rows into `acc`, in order. Reducers whose per-row work is a
    /// light add override it with one pass that combines the four rows before touching the
    /// accumulator (a quarter of the accumulator loads and stores).
    #[inline(always)]
    fn acc_rows4(&self, acc: &mut [Self::Acc], rows: [&[T]; 4], pos: RowPos) {
        for row in rows {
            self.acc_row(acc, row, pos);
        }
    }
    /// Outer walk: merge a partial accumulator into another.
    fn acc_merge(&self, into: &mut [Self::Acc], from: &[Self::Acc]);
    /// Outer walk: the result of a finished accumulator over `n` elements at output `index`
    /// (index in the temporary `[outer..., m]` layout).
    fn finish(&self, acc: Self::Acc, n: usize, index: usize) -> Self::Out;
    /// For reducers whose outputs of disjoint parts merge into the output of the union (sums,
    /// extremes, counts) and that read no per-output data: that merge. It lets the outer walk
    /// fold several short rows into one long row (see [`Plan::folded`]).
    fn merge_out(&self, _a: Self::Out, _b: Self::Out) -> Option<Self::Out> {
        None
    }
}

/// How an array splits into kept (output) axes and reduced (group) axes.
pub(crate) struct Plan<T> {
    base: Base<T>,
    /// Kept axes in output order, raw strides.
    kept: Dims,
    /// Canonical reduced dims, outermost first, positive strides from `base + reduced_shift`.
    reduced: Dims,
    reduced_shift: isize,
    /// Elements per output.
    pub(crate) n: usize,
    /// The output shape (without keepdims).
    pub(crate) out_shape: Vec<usize>,
    /// Position of the kept dense axis (outer walk), or `None` for the inner walk.
    dense_kept: Option<usize>,
}

impl<T: Element> Plan<T> {
    /// Plans a reduction of the view at `ptr` with `dims` over the axes flagged in `mask`.
    pub(crate) fn new(ptr: *const T, dims: &[(usize, isize)], mask: &[bool]) -> Self {
        let kept: Dims = dims
            .iter()
            .zip(mask)
            .filter(|(_, &m)| !m)
            .map(|(&d, _)| d)
            .collect();
        let red_raw: Dims = dims
            .iter()
            .zip(mask)
            .filter(|(_, &m)| m)
            .map(|(&d, _)| d)
            .collect();
        let n = dims_len(&red_raw);
        let (reduced_shift, mut reduced) = canonical_dims(&red_raw);
        if reduced.is_empty() {
            reduced.push((1, 1));
        }
        let out_shape = kept.iter().map(|&(l, _)| l).collect();
        let red_min = if n > 1 {
            reduced.last().map_or(isize::MAX, |d| d.1)
        } else {
            isize::MAX
        };
        let dense = kept
            .iter()
            .enumerate()
            .filter(|(_, &(l, _))| l > 1)
            .min_by_key(|(_, &(_, s))| s.unsigned_abs());
        let dense_kept = match dense {
            Some((i, &(_, s))) if (s.unsigned_abs() as isize) < red_min => Some(i),
            _ => None,
        };
        Plan {
            base: Base(ptr),
            kept,
            reduced,
            reduced_shift,
            n,
            out_shape,
            dense_kept,
        }
    }

    /// Runs `r` and returns the outputs in the engine's native layout (pass it to a following
    /// pass's per-output data, or to [`Plan::to_output_order`]).
    pub(crate) fn run<R: Reducer<T>>(&self, r: &R) -> Vec<R::Out> {
        let n_out = dims_len(&self.kept);
        if n_out == 0 {
            return Vec::new();
        }
        match self.dense_kept {
            None => self.run_inner(r, n_out),
            Some(d) => match self.folded(r) {
                Some((k, plan)) => self.unfold(r, plan.run_outer(r, d), k),
                None => self.run_outer(r, d),
            },
        }
    }

    /// Outer walk over short contiguous rows (`m` columns, rows one after another: the
    /// `(64, 64, 64, 32)` array reduced over its first three axes) spends more on per-row calls
    /// than on adding. When the reducer's outputs merge, view `k` consecutive rows as one row of
    /// `k * m` columns (`k` dividing the row count, `k * m <= COL_BLOCK`); [`Plan::unfold`]
    /// merges the `k` partial results per column afterwards.
    fn folded<R: Reducer<T>>(&self, r: &R) -> Option<(usize, Plan<T>)> {
        let d = self.dense_kept?;
        let (m, s_in) = self.kept[d];
        let &(rows, stride) = self.reduced.last()?;
        if s_in != 1 || stride != m as isize || m * 2 > COL_BLOCK || rows < 2 {
            return None;
        }
        let zero = R::Out::default();
        r.merge_out(zero, zero)?;
        let k = (2..=COL_BLOCK / m).rev().find(|k| rows % k == 0)?;
        let mut kept = self.kept.clone();
        kept[d] = (k * m, 1);
        let mut reduced = self.reduced.clone();
        *reduced.last_mut().expect("checked above") = (rows / k, (k * m) as isize);
        let plan = Plan {
            base: self.base,
            kept,
            reduced,
            reduced_shift: self.reduced_shift,
            n: self.n / k,
            out_shape: self.out_shape.clone(),
            dense_kept: self.dense_kept,
        };
        Some((k, plan))
    }

    /// Merges the `k` partial columns of a folded run back into `m` columns per output row.
    fn unfold<R: Reducer<T>>(&self, r: &R, wide: Vec<R::Out>, k: usize) -> Vec<R::Out> {
        let m = self.native_row_len();
        wide.chunks(k * m)
            .flat_map(|row| {
                (0..m).map(move |j| {
                    (1..k).fold(row[j], |acc, t| {
                        r.merge_out(acc, row[t * m + j])
                            .expect("folded only when mergeable")
                    })
                })
            })
            .collect()
    }

    /// Native layout -> C order of `out_shape`.
    pub(crate) fn to_output_order<O: Copy>(&self, native: Vec<O>) -> Vec<O> {
        match self.dense_kept {
            Some(d) if !native.is_empty() => self.outer_to_output_order(native, d, self.kept[d].0),
            _ => native,
        }
    }

    /// Number of columns `m` of the outer walk's native layout (1 for the inner walk).
    pub(crate) fn native_row_len(&self) -> usize {
        self.dense_kept.map_or(1, |d| self.kept[d].0)
    }

    fn group_at(&self, offset: isize) -> Group<'_, T> {
        let (lane_len, lane_stride) = *self.reduced.last().expect("reduced dims are non-empty");
        // SAFETY (of the pointer arithmetic): `offset + reduced_shift` is the lowest address of
        // this output's group inside the borrowed view.
        let base = Base(self.base.0.wrapping_offset(offset + self.reduced_shift));
        Group {
            base,
            outer: &self.reduced[..self.reduced.len() - 1],
            lane_len,
            lane_stride,
        }
    }

    /// When the outputs' groups are consecutive contiguous runs (a C-order `(n_out, n)`
    /// matrix reduced along its rows), the whole input as one slice.
    fn as_row_matrix(&self, n_out: usize) -> Option<&[T]> {
        let (lane_len, lane_stride) = *self.reduced.last()?;
        if self.reduced.len() != 1 || lane_stride != 1 || lane_len != self.n || self.n == 0 {
            return None;
        }
        let kept: Dims = self.kept.iter().copied().filter(|&(l, _)| l > 1).collect();
        let merged = crate::strided::merge_dims(&kept);
        match merged.as_slice() {
            [] => {}
            [(_, s)] if *s == self.n as isize => {}
            _ => return None,
        }
        // SAFETY: the kept dims merge to one axis of stride n over n_out groups of n contiguous
        // elements starting at base + reduced_shift: n_out * n elements of the borrowed view.
        Some(unsafe {
            std::slice::from_raw_parts(self.base.0.offset(self.reduced_shift), n_out * self.n)
        })
    }

    fn run_inner<R: Reducer<T>>(&self, r: &R, n_out: usize) -> Vec<R::Out> {
        let mut out = vec![R::Out::default(); n_out];
        let tasks = task_count(n_out * self.n.max(1)).min(n_out);
        let chunk = n_out.div_ceil(tasks);
        if let Some(x) = self.as_row_matrix(n_out) {
            let n = self.n;
            let work = |(ci, slot): (usize, &mut [R::Out])| {
                let start = ci * chunk;
                r.rows(&x[start * n..(start + slot.len()) * n], slot, start);
            };
            if tasks > 1 {
                out.par_chunks_mut(chunk).enumerate().for_each(work);
            } else {
                out.chunks_mut(chunk).enumerate().for_each(work);
            }
            return out;
        }
        let work = |(ci, slot): (usize, &mut [R::Out])| {
            let mut scratch = Vec::new();
            let mut k = 0;
            for_each_offset(&self.kept, ci * chunk, slot.len(), |off| {
                slot[k] = r.group(&self.group_at(off), &mut scratch, ci * chunk + k);
                k += 1;
            });
        };
        if tasks > 1 {
            out.par_chunks_mut(chunk).enumerate().for_each(work);
        } else {
            out.chunks_mut(chunk).enumerate().for_each(work);
        }
        out
    }

    fn run_outer<R: Reducer<T>>(&self, r: &R, dense: usize) -> Vec<R::Out> {
        let (m, s_in) = self.kept[dense];
        let outer: Dims = self
            .kept
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != dense)
            .map(|(_, &d)| d)
            .collect();
        let n_outer = dims_len(&outer);
        let n_rows = dims_len(&self.reduced);
        let n_cb = m.div_ceil(MAX_COL_BLOCK);
        let col_block = m.div_ceil(n_cb);
        // Split rows too when outputs alone give too few tasks.
        let want = task_count(n_outer * m * n_rows);
        let n_rsplit = want
            .div_ceil(n_outer * n_cb)
            .min(n_rows.div_ceil(ROW_BLOCK))
            .max(1);
        let rows_per = n_rows.div_ceil(n_rsplit);
        let mut offsets = Vec::with_capacity(n_outer);
        for_each_offset(&outer, 0, n_outer, |o| offsets.push(o));
        let tasks: Vec<(usize, usize, usize)> = (0..n_outer)
            .flat_map(|o| (0..n_cb).flat_map(move |cb| (0..n_rsplit).map(move |rs| (o, cb, rs))))
            .collect();
        let run_task = |&(o, cb, rs): &(usize, usize, usize)| {
            let c0 = cb * col_block;
            let cols = col_block.min(m - c0);
            let r0 = rs * rows_per;
            let r1 = (r0 + rows_per).min(n_rows);
            let pos = RowPos { outer: o, col0: c0 };
            let base = offsets[o] + c0 as isize * s_in + self.reduced_shift;
            let mut acc = vec![r.acc_init(); cols];
            let mut block = vec![r.acc_init(); cols];
            let mut scratch = Vec::with_capacity(if s_in == 1 { 0 } else { cols });
            let mut b0 = r0;
            while b0 < r1 {
                let b1 = (b0 + ROW_BLOCK).min(r1);
                block.iter_mut().for_each(|a| *a = r.acc_init());
                let rows = RowBlock {
                    base,
                    cols,
                    s_in,
                    pos,
                    b0,
                    b1,
                };
                outer_row_block(self, r, rows, &mut block, &mut scratch);
                r.acc_merge(&mut acc, &block);
                b0 = b1;
            }
            acc
        };
        let partials: Vec<Vec<R::Acc>> = if tasks.len() > 1 && worth_parallel(n_outer * m * n_rows)
        {
            tasks.par_iter().map(run_task).collect()
        } else {
            tasks.iter().map(run_task).collect()
        };
        // Merge row splits, then finish into the temporary [outer..., m] layout.
        let mut tmp = vec![R::Out::default(); n_outer * m];
        for (ti, chunk) in partials.chunks(n_rsplit).enumerate() {
            let (o, cb) = (ti / n_cb, ti % n_cb);
            let mut acc = chunk[0].clone();
            for p in &chunk[1..] {
                r.acc_merge(&mut acc, p);
            }
            let c0 = cb * col_block;
            for (k, a) in acc.into_iter().enumerate() {
                let idx = o * m + c0 + k;
                tmp[idx] = r.finish(a, self.n, idx);
            }
        }
        tmp
    }

    /// Moves the dense kept axis from last (temporary layout) back to its output position.
    fn outer_to_output_order<O: Copy>(&self, tmp: Vec<O>, dense: usize, m: usize) -> Vec<O> {
        if dense == self.kept.len() - 1 {
            return tmp;
        }
        let mut shape: Vec<usize> = self
            .out_shape
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != dense)
            .map(|(_, &l)| l)
            .collect();
        shape.push(m);
        let a = ArrayD::from_shape_vec(IxDyn(&shape), tmp).expect("tmp has the planned size");
        // Axis `dense` of the output is the last axis of tmp; the others keep their order.
        let nd = shape.len();
        let perm: Vec<usize> = (0..nd)
            .map(|i| match i.cmp(&dense) {
                std::cmp::Ordering::Less => i,
                std::cmp::Ordering::Equal => nd - 1,
                std::cmp::Ordering::Greater => i - 1,
            })
            .collect();
        a.permuted_axes(IxDyn(&perm)).iter().copied().collect()
    }
}

/// Rows `b0..b1` of the reduced dims of one column block of the outer walk.
#[derive(Clone, Copy)]
struct RowBlock {
    /// Offset of the block's first column at reduced offset 0.
    base: isize,
    cols: usize,
    /// Stride between the block's columns.
    s_in: isize,
    pos: RowPos,
    b0: usize,
    b1: usize,
}

crate::multiversion! {
    /// Accumulates the rows of one [`RowBlock`] into `block`, compiled per SIMD level: rows
    /// can be short (32 columns in Q8's norm), so the reducer's row kernel must inline here
    /// rather than be dispatched once per row.
    fn outer_row_block[T: Element, R: Reducer<T>](
        plan: &Plan<T>,
        r: &R,
        rows: RowBlock,
        block: &mut [R::Acc],
        scratch: &mut Vec<T>
    ) {
        let RowBlock { base, cols, s_in, pos, b0, b1 } = rows;
        // SAFETY (of every `row` call): `base + roff + k * s_in` (k < cols) indexes an element
        // of the borrowed view: the outer offset, `roff` and the column come from its own
        // shape and strides, the reduced part shifted to its lowest address.
        let row = |roff: isize| unsafe {
            std::slice::from_raw_parts(plan.base.0.offset(base + roff), cols)
        };
        if s_in == 1 {
            // Contiguous rows go four at a time. The row offsets are gathered first: a loop
            // inside `for_each_offset`'s closure would not be compiled for this SIMD level.
            let mut offs = [0isize; ROW_BLOCK];
            let mut n = 0;
            for_each_offset(&plan.reduced, b0, b1 - b0, |roff| {
                offs[n] = roff;
                n += 1;
            });
            let mut quads = offs[..n].chunks_exact(4);
            for q in &mut quads {
                r.acc_rows4(block, [row(q[0]), row(q[1]), row(q[2]), row(q[3])], pos);
            }
            for &roff in quads.remainder() {
                r.acc_row(block, row(roff), pos);
            }
            return;
        }
        for_each_offset(&plan.reduced, b0, b1 - b0, |roff| {
            // SAFETY: as for `row`, column by column.
            unsafe {
                let p = plan.base.0.offset(base + roff);
                scratch.clear();
                scratch.extend((0..cols).map(|k| *p.offset(k as isize * s_in)));
            }
            r.acc_row(block, scratch, pos);
        });
    }
}
