//! The one accumulation pass behind histograms, binned statistics, bincount and label means.
//!
//! Every binning function reduces to "point `i` goes to cell `c_i` with value `v_i`". Cells are
//! computed a block of [`BLOCK`] points at a time into a small buffer by the vectorized
//! kernels of the kernels module (or their AVX-512 twin), then accumulated: [`count_sum_map`]
//! keeps count and sum side by side (histograms, Count/Sum/Mean: one cache line per point)
//! and adds the per-thread grids up in the pass that writes the result; [`Acc`] adds shifted
//! sums of squares, min, max and first/last point index when asked for ([`Want`]). With
//! enough points and a grid no larger than the point count, rayon hands out ranges of points
//! by work stealing and each thread adds into its own private grid; the grids are merged at
//! the end (no atomics; large grids merge in parallel). Q1 (mean of 10^7 points on 100^3
//! cells) went from 184 to 58 ms with the interleaved count+sum pass and the vectorized bins
//! (quick bench, 2 threads, load ~3; numpy's ravel_multi_index + bincount route: 538 ms in
//! the same run), then 47 ms (huge-page grids, quiet run). Since then: the AVX-512 cells
//! (x1.4), the points prefetched a page ahead (x1.3), the fused merge and a faster strided
//! value read; one thread, old against new build under load ~4: 130 -> 41 ms.
//!
//! Variances never use `E[x^2] - E[x]^2` on raw values: each cell keeps sums of `x - K` and
//! `(x - K)^2` around a shift `K` (the first value the cell saw), and merging two partial
//! grids re-shifts one of them exactly.

use std::sync::Mutex;

use ndkern_core::{filled_vec, worth_parallel, Error, Result};
use rayon::prelude::*;

/// Points per block of cell computation: a block of 3-d `f64` points (24 KiB), its cells
/// and its values (8 KiB each) stay in L1 between the passes over it (2048: 2-4% slower on
/// Q1).
pub(crate) const BLOCK: usize = 1024;
/// Marks a point that falls in no cell.
pub(crate) const NONE: usize = usize::MAX;

/// Which per-cell quantities to keep.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Want {
    pub sum: bool,
    pub var: bool,
    pub minmax: bool,
    pub order: bool,
}

/// Per-cell accumulators (struct of arrays; unused ones are empty).
#[derive(Clone, Debug)]
pub(crate) struct Acc {
    pub want: Want,
    pub count: Vec<u64>,
    pub sum: Vec<f64>,
    pub shift: Vec<f64>,
    pub s1: Vec<f64>,
    pub s2: Vec<f64>,
    pub min: Vec<f64>,
    pub max: Vec<f64>,
    pub first: Vec<usize>,
    pub last: Vec<usize>,
}

impl Acc {
    /// `Err` when one accumulator of `cells` cells would not fit in memory (checked once,
    /// before the pass allocates one per thread).
    pub fn check(cells: usize, want: Want) -> Result<()> {
        ndkern_core::check_alloc::<u8>("grid cells", cells.saturating_mul(Self::cell_bytes(want)))
    }

    /// Bytes per cell of an accumulator keeping `want`.
    pub fn cell_bytes(want: Want) -> usize {
        let words = 1
            + usize::from(want.sum)
            + 3 * usize::from(want.var)
            + 2 * usize::from(want.minmax)
            + 2 * usize::from(want.order);
        words * 8
    }

    pub fn new(cells: usize, want: Want) -> Self {
        let v = |on: bool, x: f64| if on { vec![x; cells] } else { Vec::new() };
        let u = |on: bool, x: usize| if on { vec![x; cells] } else { Vec::new() };
        Acc {
            want,
            count: vec![0; cells],
            sum: v(want.sum, 0.0),
            shift: v(want.var, 0.0),
            s1: v(want.var, 0.0),
            s2: v(want.var, 0.0),
            min: v(want.minmax, f64::INFINITY),
            max: v(want.minmax, f64::NEG_INFINITY),
            first: u(want.order, usize::MAX),
            last: u(want.order, 0),
        }
    }

    /// Adds value `x` of point `i` to cell `c` (`c < cells`, checked by the slice index).
    #[inline(always)]
    pub fn push(&mut self, c: usize, x: f64, i: usize) {
        let n = self.count[c];
        self.count[c] = n + 1;
        if self.want.sum {
            self.sum[c] += x;
        }
        if self.want.var {
            if n == 0 {
                self.shift[c] = x;
            }
            let d = x - self.shift[c];
            self.s1[c] += d;
            self.s2[c] += d * d;
        }
        if self.want.minmax {
            self.min[c] = nan_min(self.min[c], x);
            self.max[c] = nan_max(self.max[c], x);
        }
        if self.want.order {
            // Ranges of points reach an accumulator in any order (see `fold_chunks`).
            self.first[c] = self.first[c].min(i);
            self.last[c] = self.last[c].max(i);
        }
    }

    /// Merges `other` (a disjoint set of points) into `self`.
    pub fn merge(mut self, other: Acc) -> Acc {
        for c in 0..self.count.len() {
            let (na, nb) = (self.count[c], other.count[c]);
            if nb == 0 {
                continue;
            }
            self.count[c] = na + nb;
            if self.want.sum {
                self.sum[c] += other.sum[c];
            }
            if self.want.var {
                // An ill-shifted side (its first value far from its mean) carries rounding
                // error of size eps * m1^2; the merged sums keep that side's shift, so the
                // merged cell is still `ill_shifted` and gets recomputed two-pass. (Keeping a
                // well-placed shift would hide the error: merged in that order, [1e10, 1, 2,
                // ..] came out 4e-9 off with no flag.)
                let mine = (self.shift[c], self.s1[c], self.s2[c], na);
                let theirs = (other.shift[c], other.s1[c], other.s2[c], nb);
                let adopt = na > 0
                    && shifted_far(theirs.1, theirs.2, nb)
                    && !shifted_far(mine.1, mine.2, na);
                // The side whose shift the merged sums keep, and the side re-expressed around it.
                let (keep, add) = match (na, adopt) {
                    (0, _) => (theirs, None),
                    (_, true) => (theirs, Some(mine)),
                    _ => (mine, Some(theirs)),
                };
                let (k, mut s1, mut s2, _) = keep;
                if let Some((kb, t1, t2, n)) = add {
                    // Re-express the added sums around the kept shift: x - K = (x - Kb) + d.
                    let (d, n) = (kb - k, n as f64);
                    s1 += t1 + n * d;
                    s2 += t2 + 2.0 * d * t1 + n * d * d;
                }
                (self.shift[c], self.s1[c], self.s2[c]) = (k, s1, s2);
            }
            if self.want.minmax {
                self.min[c] = nan_min(self.min[c], other.min[c]);
                self.max[c] = nan_max(self.max[c], other.max[c]);
            }
            if self.want.order {
                self.first[c] = self.first[c].min(other.first[c]);
                self.last[c] = if na == 0 {
                    other.last[c]
                } else {
                    self.last[c].max(other.last[c])
                };
            }
        }
        self
    }

    /// Population variance of cell `c` (NaN when empty) from the shifted one-pass sums:
    /// non-finite when the sums overflowed or a value was NaN or infinite (see
    /// [`scaled_var`] for the recovery). Rounding can make the difference slightly negative:
    /// it is clamped at 0, NaN staying NaN.
    #[inline]
    pub fn var(&self, c: usize) -> f64 {
        shifted_var(self.s1[c], self.s2[c], self.count[c]).1
    }

    /// True when cell `c`'s shifted one-pass variance may have lost more than 10 bits: its
    /// rounding error is about `eps * (var + m1^2)` with `m1` the mean distance from the
    /// shift (the cell's first value), so a first value far from the cell's mean
    /// (`[1e10, 0, 0, ...]`) leaves `var` with a relative error of `eps * m1^2 / var`. Such
    /// cells are recomputed by the two-pass [`scaled_var`]; random data almost never needs it
    /// (`m1^2 / var` is then about 1), so the one pass stays the fast path.
    #[inline]
    pub fn ill_shifted(&self, c: usize) -> bool {
        shifted_far(self.s1[c], self.s2[c], self.count[c])
    }
}

/// Mean distance from the shift and clamped variance ([`Acc::var`]) of shifted sums `s1`,
/// `s2` of `n` values.
#[inline]
fn shifted_var(s1: f64, s2: f64, n: u64) -> (f64, f64) {
    let n = n as f64;
    let m1 = s1 / n;
    (m1, ndkern_core::clamp(s2 / n - m1 * m1, 0.0, f64::INFINITY))
}

/// The test of [`Acc::ill_shifted`] on shifted sums `s1`, `s2` of `n` values.
#[inline]
fn shifted_far(s1: f64, s2: f64, n: u64) -> bool {
    let (m1, var) = shifted_var(s1, s2, n);
    m1 * m1 > 1024.0 * var
}

/// Population variance and standard deviation of `vals` computed on scaled values (numpy's
/// two-pass `var` without its intermediate overflow): `x / 2^e` with `2^e` near `max |x|`,
/// so neither the mean nor the squares overflow; the variance is `var(x / 2^e) * 4^e` (inf
/// when it is truly above `f64::MAX`) and the deviation `std(x / 2^e) * 2^e` (finite when it
/// truly is). A NaN or infinite value gives NaN for both, as numpy. The slow path of
/// binned `Std`: run only for cells whose one-pass sums are not finite.
pub(crate) fn scaled_var(vals: &[f64]) -> (f64, f64) {
    if vals.is_empty() || vals.iter().any(|v| !v.is_finite()) {
        return (f64::NAN, f64::NAN);
    }
    let big = vals.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if big == 0.0 {
        return (0.0, 0.0);
    }
    // A power of two: the scaling is exact (barring underflow of values far below `big`,
    // which cannot change the result at f64 precision). Values below 1 need no scaling.
    let scale = if big > 1.0 {
        2f64.powi(big.log2().floor() as i32)
    } else {
        1.0
    };
    let n = vals.len() as f64;
    let mean = vals.iter().map(|v| v / scale).sum::<f64>() / n;
    let var = vals
        .iter()
        .map(|v| {
            let d = v / scale - mean;
            d * d
        })
        .sum::<f64>()
        / n;
    (var * scale * scale, var.sqrt() * scale)
}

/// NaN-propagating minimum (numpy `np.min`).
#[inline(always)]
pub(crate) fn nan_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.min(b)
    }
}

/// NaN-propagating maximum (numpy `np.max`).
#[inline(always)]
pub(crate) fn nan_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

/// Runs `body(acc, lo, hi)` over the `n` points, on one thread or, when there are enough
/// points and `grid_cells <= n`, over many small ranges handed out by rayon's work stealing
/// (so a thread slowed down by other load does not hold the others up), each thread adding
/// into its own private accumulator (`init()`, at most one per thread: merging costs
/// `grid_cells` each), merged with `merge` at the end. Ranges reach an accumulator in no
/// particular order: per-cell "first"/"last" must take the min/max point index.
///
/// `cell_bytes` is the size of one cell of an accumulator: the private accumulators are
/// limited to as many as fit under the allocation cap ([`private_parts`]), down to one serial
/// pass, so a grid that fits once is computed, never an abort on its second copy. The caller
/// checks (against the cap) that one accumulator and its result fit.
pub(crate) fn fold_chunks<A, B, I, M>(
    n: usize,
    grid_cells: usize,
    cell_bytes: usize,
    init: I,
    body: B,
    merge: M,
) -> Result<A>
where
    A: Send,
    B: Fn(&mut A, usize, usize) -> Result<()> + Sync,
    I: Fn() -> A + Sync,
    M: Fn(A, A) -> A + Sync,
{
    let parts = fold_parts(n, grid_cells, cell_bytes, &init, body)?;
    Ok(parts.into_iter().reduce(&merge).unwrap_or_else(init))
}

/// How many private accumulators of `part_bytes` each a pass on `threads` threads keeps:
/// one per thread, but no more than fit under `limit` beside one more of their size (the
/// merged result, or the output the caller writes from them). Below 2, the pass runs serially
/// into one accumulator.
pub(crate) fn private_parts(threads: usize, part_bytes: usize, limit: usize) -> usize {
    threads.min((limit / part_bytes.max(1)).saturating_sub(1))
}

/// [`fold_chunks`] without the merge: the private accumulators themselves (at least one), so
/// that a caller can fuse the merge with its last pass over the cells ([`count_sum_map`]).
pub(crate) fn fold_parts<A, B, I>(
    n: usize,
    grid_cells: usize,
    cell_bytes: usize,
    init: I,
    body: B,
) -> Result<Vec<A>>
where
    A: Send,
    B: Fn(&mut A, usize, usize) -> Result<()> + Sync,
    I: Fn() -> A + Sync,
{
    let threads = rayon::current_num_threads();
    // Accumulators the cap allows (checked only when the pass would go parallel).
    let parts = |t| {
        private_parts(
            t,
            grid_cells.saturating_mul(cell_bytes),
            ndkern_core::memory_limit(),
        )
    };
    if !worth_parallel(n) || grid_cells > n || threads < 2 || parts(threads) < 2 {
        let mut acc = init();
        body(&mut acc, 0, n)?;
        return Ok(vec![acc]);
    }
    let slots_n = parts(threads);
    // ~8 ranges per thread, each at least 16 blocks.
    let per = n.div_ceil(threads * 8).max(16 * BLOCK);
    let ranges = n.div_ceil(per);
    let slots: Vec<Mutex<Option<A>>> = (0..slots_n).map(|_| Mutex::new(None)).collect();
    (0..ranges).into_par_iter().try_for_each(|r| {
        // This thread's slot: uncontended when there is one per thread (any index is correct,
        // merely slower if shared: with fewer slots than threads, threads take turns).
        let t = rayon::current_thread_index().unwrap_or(0) % slots_n;
        let mut slot = slots[t].lock().unwrap_or_else(|e| e.into_inner());
        let acc = slot.get_or_insert_with(&init);
        body(acc, r * per, ((r + 1) * per).min(n))
    })?;
    let mut accs: Vec<A> = slots
        .into_iter()
        .filter_map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
        .collect();
    if accs.is_empty() {
        accs.push(init());
    }
    Ok(accs)
}

/// [`fold_chunks`] a block of [`BLOCK`] points at a time: `fill(start, cells)` writes the
/// cell of points `start..start + cells.len()` ([`NONE`] for none), then
/// `body(acc, start, cells)` accumulates them.
pub(crate) fn fold_blocks<A, F, B, I, M>(
    n: usize,
    grid_cells: usize,
    cell_bytes: usize,
    fill: F,
    init: I,
    body: B,
    merge: M,
) -> Result<A>
where
    A: Send,
    F: Fn(usize, &mut [usize]) -> Result<()> + Sync,
    B: Fn(&mut A, usize, &[usize]) + Sync,
    I: Fn() -> A + Sync,
    M: Fn(A, A) -> A + Sync,
{
    fold_chunks(
        n,
        grid_cells,
        cell_bytes,
        init,
        |acc, lo, hi| {
            let mut cells = vec![0usize; BLOCK.min(hi - lo)];
            let mut start = lo;
            while start < hi {
                let len = BLOCK.min(hi - start);
                fill(start, &mut cells[..len])?;
                body(acc, start, &cells[..len]);
                start += len;
            }
            Ok(())
        },
        merge,
    )
}

/// `f(&mut a[i], &b[i])` for every `i`, split across threads for grids large enough that the
/// merge of two private grids would otherwise be a serial tail (Q1's 10^6 cells).
pub(crate) fn zip_merge<X: Send + Sync>(a: &mut [X], b: &[X], f: impl Fn(&mut X, &X) + Sync) {
    const PAR: usize = 1 << 16;
    if a.len() >= 2 * PAR && rayon::current_num_threads() > 1 {
        a.par_chunks_mut(PAR)
            .zip(b.par_chunks(PAR))
            .for_each(|(x, y)| x.iter_mut().zip(y).for_each(|(p, q)| f(p, q)));
    } else {
        a.iter_mut().zip(b).for_each(|(p, q)| f(p, q));
    }
}

/// Cells per task when a per-cell pass over a large grid is split across threads.
const CELL_CHUNK: usize = 1 << 16;

/// The count-and-sum pass (histograms, `Count`/`Sum`/`Mean` statistics): like
/// [`fold_blocks`], but with an interleaved `[count, sum]` grid (one cache line per point;
/// the count held as an exact integer-valued `f64`, below 2^53) and a loop that does nothing
/// per point but one bounds-checked add ([`NONE`] fails the bounds check).
/// `values(start, out)` writes the values of points `start..start + out.len()` as `f64`;
/// without it only counts are kept (the sum passed to `finish` is then 0).
///
/// Returns `finish(count, sum)` per cell. The private grids are not merged into one: the
/// single pass that writes the result adds them up cell by cell (in thread order, as a merge
/// would), split across threads for large grids. For Q1 (10^6 cells) this replaces a merge,
/// two extractions and the division pass — five passes over 8 to 32 MB, three of them
/// serial and into fresh 4 KiB pages — by one parallel pass into a huge-page output.
pub(crate) fn count_sum_map<F, V, G>(
    n: usize,
    cells: usize,
    fill: F,
    values: Option<V>,
    finish: G,
) -> Result<Vec<f64>>
where
    F: Fn(usize, &mut [usize]) -> Result<()> + Sync,
    V: Fn(usize, &mut [f64]) + Sync,
    G: Fn(f64, f64) -> f64 + Sync,
{
    // One `[count, sum]` grid per thread (only when `cells <= n`, so the extra ones are
    // bounded by the input) and the result: 3 words per cell, checked before allocating.
    ndkern_core::check_alloc::<[f64; 3]>("histogram cells", cells)?;
    let grids = fold_parts(
        n,
        cells,
        std::mem::size_of::<[f64; 2]>(),
        // An all-zero `f64` fill comes from calloc untouched, so the huge-page advice holds:
        // the point-by-point adds land anywhere in a 16 MB grid (Q1), and 2 MiB pages spare
        // them most of the TLB misses of 4 KiB ones.
        || filled_vec([0.0f64; 2], cells),
        |acc, lo, hi| {
            let mut cell = [0usize; BLOCK];
            let mut val = [0.0f64; BLOCK];
            let mut start = lo;
            while start < hi {
                let len = BLOCK.min(hi - start);
                let (cell, val) = (&mut cell[..len], &mut val[..len]);
                fill(start, cell)?;
                match &values {
                    Some(read) => {
                        read(start, val);
                        for (&c, &v) in cell.iter().zip(val.iter()) {
                            if let Some(e) = acc.get_mut(c) {
                                e[0] += 1.0;
                                e[1] += v;
                            }
                        }
                    }
                    None => {
                        for &c in cell.iter() {
                            if let Some(e) = acc.get_mut(c) {
                                e[0] += 1.0;
                            }
                        }
                    }
                }
                start += len;
            }
            Ok(())
        },
    )?;
    let mut out = filled_vec(0.0f64, cells);
    let (first, rest) = grids
        .split_first()
        .expect("fold_parts returns at least one grid");
    let pass = |(k, o): (usize, &mut [f64])| merge_grids(o, k * CELL_CHUNK, first, rest, &finish);
    if cells >= 2 * CELL_CHUNK && rayon::current_num_threads() > 1 {
        out.par_chunks_mut(CELL_CHUNK).enumerate().for_each(pass);
    } else {
        out.chunks_mut(CELL_CHUNK).enumerate().for_each(pass);
    }
    Ok(out)
}

ndkern_core::multiversion! {
    /// `o[j] = finish(count, sum)` of cell `base + j` summed over the per-thread grids.
    fn merge_grids[G: Fn(f64, f64) -> f64](
        o: &mut [f64],
        base: usize,
        first: &[[f64; 2]],
        rest: &[Vec<[f64; 2]>],
        finish: &G,
    ) {
        for (j, o) in o.iter_mut().enumerate() {
            let mut e = first[base + j];
            for g in rest {
                e[0] += g[base + j][0];
                e[1] += g[base + j][1];
            }
            *o = finish(e[0], e[1]);
        }
    }
}

/// The error for a point that falls outside the grid under [`crate::binning::Outside::Error`].
pub(crate) fn outside_error(what: &'static str, i: usize, detail: String) -> Error {
    Error::InvalidParameter {
        name: what,
        reason: format!(
            "{what} {i} {detail}; fix or remove it, or use Outside::Drop to skip such points"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::{private_parts, Acc, Want};

    /// Merged in either order, a part whose first value is far from its mean keeps the
    /// merged cell flagged for the two-pass recompute (the hostile case `[1e10, 1, 2, ..]`
    /// split across two threads).
    #[test]
    fn merge_keeps_an_ill_shifted_part_visible() {
        let want = Want {
            var: true,
            ..Want::default()
        };
        let part = |vals: &[f64]| {
            let mut a = Acc::new(1, want);
            vals.iter().enumerate().for_each(|(i, &x)| a.push(0, x, i));
            a
        };
        let far: Vec<f64> = std::iter::once(1e10)
            .chain((1..50_000).map(|i| (i % 17) as f64))
            .collect();
        let near: Vec<f64> = (50_000..100_000).map(|i| (i % 17) as f64).collect();
        assert!(part(&far).ill_shifted(0) && !part(&near).ill_shifted(0));
        for merged in [part(&near).merge(part(&far)), part(&far).merge(part(&near))] {
            assert_eq!(merged.count[0], 100_000);
            assert!(merged.ill_shifted(0), "shift {}", merged.shift[0]);
        }
        // Two well-placed parts stay on the one-pass path.
        assert!(!part(&near).merge(part(&near[..1000])).ill_shifted(0));
    }

    #[test]
    fn private_tables_stay_under_the_cap_with_room_for_the_result() {
        // One per thread when they all fit beside one more.
        assert_eq!(private_parts(2, 100, 300), 2);
        assert_eq!(private_parts(8, 100, 1 << 20), 8);
        // Two fit, three do not: one table (serial) although two threads are free.
        assert_eq!(private_parts(2, 100, 299), 1);
        // A table that fits once but not twice: serial.
        assert_eq!(private_parts(4, 3 << 30, 4 << 30), 0);
        // Fewer tables than threads: threads share them.
        assert_eq!(private_parts(8, 100, 450), 3);
        // Empty accumulators never limit.
        assert_eq!(private_parts(2, 0, 1 << 20), 2);
    }
}
