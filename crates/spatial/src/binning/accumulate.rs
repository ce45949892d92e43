//! The one accumulation pass behind histograms, binned statistics, bincount and label means.
//!
//! Every binning function reduces to "point `i` goes to cell `c_i` with value `v_i`". Cells are
//! computed a block of [`BLOCK`] points at a time into a small buffer (one column of the
//! points at a time, so any stride pattern streams), then an [`Acc`] adds each point to its
//! cell: count, sum, shifted sum of squares, min, max and first/last point index, each kept
//! only when asked for ([`Want`]). With enough points and a grid no larger than the point
//! count, each rayon task accumulates into a private grid and the grids are merged at the end
//! (no atomics, no locks); otherwise one thread does it.
//!
//! Variances never use `E[x^2] - E[x]^2` on raw values: each cell keeps sums of `x - K` and
//! `(x - K)^2` around a shift `K` (the first value the cell saw), and merging two partial
//! grids re-shifts one of them exactly.

use ndkern_core::{task_count, worth_parallel, Error, Result};
use rayon::prelude::*;

/// Points per block of cell computation.
pub(crate) const BLOCK: usize = 2048;
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
            // Points arrive in increasing index order within one accumulator.
            if n == 0 {
                self.first[c] = i;
            }
            self.last[c] = i;
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
                if na == 0 {
                    self.shift[c] = other.shift[c];
                    self.s1[c] = other.s1[c];
                    self.s2[c] = other.s2[c];
                } else {
                    // Re-express other's sums around self's shift: x - Ka = (x - Kb) + d.
                    let d = other.shift[c] - self.shift[c];
                    let nb = nb as f64;
                    self.s1[c] += other.s1[c] + nb * d;
                    self.s2[c] += other.s2[c] + 2.0 * d * other.s1[c] + nb * d * d;
                }
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

    /// Population variance of cell `c` (NaN when empty).
    pub fn var(&self, c: usize) -> f64 {
        let n = self.count[c] as f64;
        let m1 = self.s1[c] / n;
        (self.s2[c] / n - m1 * m1).max(0.0)
    }
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

/// Runs `body(acc, start, cells)` over blocks of the `n` points, where `fill(start, cells)`
/// writes the cell of points `start..start + cells.len()` ([`NONE`] for none). Splits the
/// points across rayon tasks with private accumulators (`init()`) when there are enough of
/// them and `grid_cells <= n`, merging with `merge`.
pub(crate) fn fold_blocks<A, F, B, I, M>(
    n: usize,
    grid_cells: usize,
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
    let run = |lo: usize, hi: usize| -> Result<A> {
        let mut acc = init();
        let mut cells = vec![0usize; BLOCK.min(hi - lo)];
        let mut start = lo;
        while start < hi {
            let len = BLOCK.min(hi - start);
            fill(start, &mut cells[..len])?;
            body(&mut acc, start, &cells[..len]);
            start += len;
        }
        Ok(acc)
    };
    if !worth_parallel(n) || grid_cells > n {
        return run(0, n);
    }
    // One private grid per thread (not per task): merging costs grid_cells per task.
    let tasks = task_count(n).min(rayon::current_num_threads()).max(1);
    let per = n.div_ceil(tasks);
    (0..tasks)
        .into_par_iter()
        .map(|t| run((t * per).min(n), ((t + 1) * per).min(n)))
        .try_reduce_with(|a, b| Ok(merge(a, b)))
        .unwrap_or_else(|| Ok(init()))
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
