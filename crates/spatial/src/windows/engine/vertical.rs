//! "Vertical" running box sums along an outer axis of a C-contiguous array (DESIGN section 3): instead of
//! gathering strided lanes, whole rows (the contiguous block of all inner axes at one index of
//! the filtered axis) are combined — `acc += row[i + w] - row[i]` for running box sums,
//! `out_row += w_k * in_row[i + k]` for FIR taps — the way OpenCV's `ColumnSum` keeps one
//! running sum per column. Every memory access is sequential, and the work splits into
//! independent (outer block, column chunk) tasks for rayon.
//!
//! Running sums are kept in `f64` and re-anchored (recomputed from the rows) every
//! [`ANCHOR_EVERY`] outputs, so the error does not grow with the axis length. Non-finite input
//! would poison a running sum (`inf - inf`), so callers use these passes only on finite data
//! and fall back to core's NaN-aware line kernels otherwise.

use ndkern_core::{worth_parallel, BorderMode, Element, ANCHOR_EVERY};
use rayon::prelude::*;

use crate::windows::kernels::box_sum::{add_const, add_mapped, finish_mapped};

/// The geometry of a vertical pass: `outer` blocks of `n` rows of `inner` contiguous samples.
#[derive(Clone, Copy)]
pub(crate) struct Geometry {
    pub outer: usize,
    pub n: usize,
    pub inner: usize,
}

impl Geometry {
    /// The geometry of `axis` in a C-contiguous array of `shape`.
    pub fn of(shape: &[usize], axis: usize) -> Self {
        Self {
            outer: shape[..axis].iter().product(),
            n: shape[axis],
            inner: shape[axis + 1..].iter().product(),
        }
    }
}

/// Where extended row `e` (`0..n + before + after`) comes from: `Some(row)` or the constant.
fn source_rows(g: Geometry, before: usize, after: usize, mode: BorderMode) -> Vec<Option<usize>> {
    (0..g.n + before + after)
        .map(|e| mode.source_index(e as isize - before as isize, g.n))
        .collect()
}

/// Runs `task(block, first_row, dst_rows)` over output row ranges: every block's rows are
/// cut into contiguous ranges (each a contiguous slice of `dst`), in parallel when large.
fn for_each_row_range<U: Element>(
    dst: &mut [U],
    g: Geometry,
    min_rows: usize,
    task: impl Fn(usize, usize, &mut [U]) + Sync + Send,
) {
    let (n, inner) = (g.n, g.inner);
    let block_len = n * inner;
    if block_len == 0 {
        return;
    }
    let total = g.outer * block_len;
    let parallel = worth_parallel(total);
    let per_block = if parallel {
        // A few ranges per thread in all, each at least `min_rows` rows.
        let want = (rayon::current_num_threads() * 4).div_ceil(g.outer);
        (n / want.max(1)).max(min_rows).max(1)
    } else {
        n
    };
    let block = |(b, d): (usize, &mut [U])| {
        let rows = |(r, dr): (usize, &mut [U])| task(b, r * per_block, dr);
        if parallel {
            d.par_chunks_mut(per_block * inner)
                .enumerate()
                .for_each(rows);
        } else {
            d.chunks_mut(per_block * inner).enumerate().for_each(rows);
        }
    };
    if parallel {
        dst.par_chunks_mut(block_len).enumerate().for_each(block);
    } else {
        dst.chunks_mut(block_len).enumerate().for_each(block);
    }
}

/// Running box sums along the axis: `dst[i] = finish(i, sum of map(ext rows i..i+w))`.
/// `outside` is the mapped value of a constant-mode row (ignored for index modes).
#[allow(clippy::too_many_arguments)]
pub(crate) fn box_pass<S: Element, U: Element>(
    src: &[S],
    dst: &mut [U],
    g: Geometry,
    w: usize,
    before: usize,
    mode: BorderMode,
    outside: f64,
    map: impl Fn(f64) -> f64 + Sync + Send,
    finish: impl Fn(usize, f64) -> f64 + Sync + Send,
) {
    let after = w - 1 - before;
    let rows = source_rows(g, before, after, mode);
    let (n, inner) = (g.n, g.inner);
    let block_len = n * inner;
    for_each_row_range(dst, g, 2 * w, |b, i0, d| {
        let base = b * block_len;
        let mut acc = vec![0.0f64; inner];
        let add_row = |acc: &mut [f64], e: usize, sign: f64| match rows[e] {
            Some(r) => {
                let row = &src[base + r * inner..base + (r + 1) * inner];
                add_mapped(acc, row, sign, &map);
            }
            None => add_const(acc, sign * outside),
        };
        let (mut anchor, mut recover) = (true, 0usize);
        for (k, out) in d.chunks_exact_mut(inner).enumerate() {
            let i = i0 + k;
            let mut fresh = anchor || recover > 0 || w == 1 || k % ANCHOR_EVERY == 0;
            if !fresh {
                add_row(&mut acc, i + w - 1, 1.0);
                add_row(&mut acc, i - 1, -1.0);
                // A sum turned non-finite (an overflow of the mapped values, e.g. squares of
                // 1e200) is recomputed at this row, so it never reaches the next windows.
                fresh = !finish_mapped(out, &acc, i, &finish);
            }
            if fresh {
                // (Re-)anchor: the window summed from its rows (every row when w = 1, which
                // keeps a 1-wide window exact).
                acc.iter_mut().for_each(|a| *a = 0.0);
                for e in i..i + w {
                    add_row(&mut acc, e, 1.0);
                }
                anchor = !finish_mapped(out, &acc, i, &finish);
                // After a non-finite sum, windows are summed afresh until the huge values
                // have left (a running sum holding them would have absorbed the small ones).
                recover = if anchor { w } else { recover.saturating_sub(1) };
            }
        }
    });
}
