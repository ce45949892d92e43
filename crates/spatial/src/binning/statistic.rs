//! Binned statistics of scattered values (scipy.stats `binned_statistic_dd`) and the one-pass
//! per-cell summary ([`CellStats`]) they are read from.
//!
//! Q1's "several points in one cell" gets a defined answer: pick `Mean`, `Sum`, `Count`,
//! `Min`, `Max`, `Std`, `First` or `Last` (by point order). All are computed by one pass
//! over the points (see the accumulate module) with `f64` accumulators, so f32 values do not
//! drift; results are `f64`, as scipy returns them.
//!
//! Differences from scipy: a point exactly on the last edge is kept (numpy's closed last
//! bin) but a point beyond it by any amount is dropped, where scipy also keeps points that
//! round to the last edge at 6 more decimals than the smallest bin width.
//!
//! `Std` (and [`CellStats::var`]): a cell holding a NaN or an infinite value gives NaN, as
//! scipy's `np.std` per bin does. The one-pass shifted sums are used whenever they are
//! finite; a cell whose sums overflow (values near `±1e154` and beyond, up to `±f64::MAX`) is
//! recomputed on a slow path from its values scaled by a power of two, so its deviation is
//! finite wherever the true one is: numpy squares the unscaled deviations and returns `inf`
//! there (`np.std([1e200, 3e200])` is `inf`, here `1e200`). Squares that underflow give 0 as
//! in numpy (`np.std([1e-300, 3e-300])` is `0.0`).

use ndarray::{s, ArrayBase, ArrayD, Data, DataMut, Dimension, Ix1, Ix2, IxDyn};
use ndkern_core::{Element, Error, Result};

use super::accumulate::{count_sum_map, fold_blocks, scaled_var, Acc, Want, BLOCK, NONE};
use super::grid::{Grid, Outside};
use super::points::{check_points, fill_cells, read_values};
use super::sample::write_out;

/// Which statistic [`binned_statistic_dd`] reports per cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Statistic {
    /// Number of points (0 for empty cells).
    Count,
    /// Sum of values (0 for empty cells).
    Sum,
    /// Mean of values.
    Mean,
    /// Population standard deviation (ddof = 0, scipy's `std`).
    Std,
    /// Smallest value (NaN propagates).
    Min,
    /// Largest value (NaN propagates).
    Max,
    /// Value of the lowest-indexed point in the cell.
    First,
    /// Value of the highest-indexed point in the cell ("last write wins", like `a[idx] = v`).
    Last,
}

impl std::str::FromStr for Statistic {
    type Err = Error;
    /// scipy's names: `"count"`, `"sum"`, `"mean"`, `"std"`, `"min"`, `"max"`, plus `"first"`
    /// and `"last"`.
    ///
    /// ```
    /// use ndkern_spatial::binning::Statistic;
    /// assert_eq!("mean".parse::<Statistic>().unwrap(), Statistic::Mean);
    /// assert!("median".parse::<Statistic>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "count" => Statistic::Count,
            "sum" => Statistic::Sum,
            "mean" => Statistic::Mean,
            "std" => Statistic::Std,
            "min" => Statistic::Min,
            "max" => Statistic::Max,
            "first" => Statistic::First,
            "last" => Statistic::Last,
            other => {
                return Err(Error::InvalidParameter {
                    name: "statistic",
                    reason: format!(
                        "unknown statistic {other:?}; use one of count, sum, mean, std, min, \
                         max, first, last"
                    ),
                })
            }
        })
    }
}

/// Per-cell count, sum, variance, min, max, first and last value, from one pass.
///
/// ```
/// use ndarray::array;
/// use ndkern_spatial::binning::{cell_stats, Grid, Outside};
/// let g = Grid::uniform(&[(0.0, 2.0)], &[2]).unwrap();
/// let st = cell_stats(&array![[0.5], [0.7], [1.5]], &array![1.0, 3.0, 5.0], &g, Outside::Drop)
///     .unwrap();
/// assert_eq!(st.count().as_slice().unwrap(), &[2, 1]);
/// assert_eq!(st.mean(f64::NAN)[[0]], 2.0);
/// assert_eq!(st.std(f64::NAN)[[0]], 1.0);
/// assert_eq!(st.last(f64::NAN)[[0]], 3.0);
/// ```
#[derive(Clone, Debug)]
pub struct CellStats {
    shape: Vec<usize>,
    acc: Acc,
    values: Vec<f64>,
    /// `(cell, var, std)`, sorted by cell, for the cells whose one-pass sums are not finite
    /// (a NaN or infinite value, or an overflow near +-1e308) or ill-conditioned (the first
    /// value far from the cell's mean, [`Acc::ill_shifted`]): recomputed by [`scaled_var`].
    fixed: Vec<(usize, f64, f64)>,
}

impl CellStats {
    fn grid<X: Copy>(&self, v: Vec<X>) -> ArrayD<X> {
        ArrayD::from_shape_vec(IxDyn(&self.shape), v).expect("one entry per cell")
    }
    fn per_cell(&self, fill: f64, f: impl Fn(usize) -> f64) -> ArrayD<f64> {
        self.grid(
            (0..self.acc.count.len())
                .map(|c| if self.acc.count[c] == 0 { fill } else { f(c) })
                .collect(),
        )
    }
    /// Points per cell.
    pub fn count(&self) -> ArrayD<u64> {
        self.grid(self.acc.count.clone())
    }
    /// Sum per cell (0 when empty).
    pub fn sum(&self) -> ArrayD<f64> {
        self.grid(self.acc.sum.clone())
    }
    /// Mean per cell, `fill` when empty.
    pub fn mean(&self, fill: f64) -> ArrayD<f64> {
        self.per_cell(fill, |c| self.acc.sum[c] / self.acc.count[c] as f64)
    }
    /// The recomputed `(var, std)` of cell `c` when it has one (its one-pass variance is not
    /// finite or is ill-conditioned: [`recover_var`]).
    fn fixed(&self, c: usize) -> Option<(f64, f64)> {
        let k = self.fixed.binary_search_by_key(&c, |f| f.0).ok()?;
        Some((self.fixed[k].1, self.fixed[k].2))
    }
    /// Population variance (ddof = 0) per cell, `fill` when empty; NaN for a cell holding
    /// a NaN or infinite value (numpy's `var`).
    pub fn var(&self, fill: f64) -> ArrayD<f64> {
        self.per_cell(fill, |c| match self.fixed(c) {
            Some((v, _)) => v,
            None => self.acc.var(c),
        })
    }
    /// Population standard deviation per cell, `fill` when empty; NaN for a cell holding
    /// a NaN or infinite value (numpy's `std`, scipy's `binned_statistic_dd(..., 'std')`).
    pub fn std(&self, fill: f64) -> ArrayD<f64> {
        self.per_cell(fill, |c| match self.fixed(c) {
            Some((_, s)) => s,
            None => self.acc.var(c).sqrt(),
        })
    }
    /// Minimum per cell, `fill` when empty.
    pub fn min(&self, fill: f64) -> ArrayD<f64> {
        self.per_cell(fill, |c| self.acc.min[c])
    }
    /// Maximum per cell, `fill` when empty.
    pub fn max(&self, fill: f64) -> ArrayD<f64> {
        self.per_cell(fill, |c| self.acc.max[c])
    }
    /// Value of the first point (lowest index) per cell, `fill` when empty.
    pub fn first(&self, fill: f64) -> ArrayD<f64> {
        self.per_cell(fill, |c| self.values[self.acc.first[c]])
    }
    /// Value of the last point (highest index) per cell, `fill` when empty.
    pub fn last(&self, fill: f64) -> ArrayD<f64> {
        self.per_cell(fill, |c| self.values[self.acc.last[c]])
    }
}

fn want_all() -> Want {
    Want {
        sum: true,
        var: true,
        minmax: true,
        order: true,
    }
}

fn want_for(statistic: Statistic) -> Want {
    let mut w = Want::default();
    match statistic {
        Statistic::Count => {}
        Statistic::Sum | Statistic::Mean => w.sum = true,
        Statistic::Std => w.var = true,
        Statistic::Min | Statistic::Max => w.minmax = true,
        Statistic::First | Statistic::Last => w.order = true,
    }
    w
}

fn accumulate<T, S, S2>(
    points: &ArrayBase<S, Ix2>,
    values: &ArrayBase<S2, Ix1>,
    grid: &Grid,
    outside: Outside,
    want: Want,
) -> Result<CellStats>
where
    T: Element,
    S: Data<Elem = T> + Sync,
    S2: Data<Elem = T> + Sync,
{
    check_points(grid, points, Some(values))?;
    Acc::check(grid.len(), want)?;
    if want.order {
        // Order statistics keep every value: `values` may be a huge broadcast view.
        ndkern_core::check_alloc::<f64>("the values kept for order statistics", values.len())?;
    }
    let n = points.nrows();
    let acc = fold_blocks(
        n,
        grid.len(),
        Acc::cell_bytes(want),
        |start, cells| fill_cells(grid, points, outside, start, cells),
        || Acc::new(grid.len(), want),
        |acc, start, cells| {
            let vs = values.slice(s![start..start + cells.len()]);
            for (j, (&c, &v)) in cells.iter().zip(vs.iter()).enumerate() {
                if c != NONE {
                    acc.push(c, v.as_f64(), start + j);
                }
            }
        },
        Acc::merge,
    )?;
    let fixed = if want.var {
        recover_var(points, values, grid, &acc)?
    } else {
        Vec::new()
    };
    let values = if want.order {
        ndkern_core::check_alloc::<f64>("binned values", values.len())?;
        values.iter().map(|x| x.as_f64()).collect()
    } else {
        Vec::new()
    };
    Ok(CellStats {
        shape: grid.shape(),
        acc,
        values,
        fixed,
    })
}

/// The slow path of the variance: for each cell whose one-pass variance is not finite
/// (a NaN or infinite value, or sums that overflowed for data near +-1e308) or may have lost
/// more than 10 bits to cancellation (its shift, the cell's first value, far from its mean:
/// [`Acc::ill_shifted`]), its values are
/// collected in a second pass over the points and the variance recomputed on scaled values
/// ([`scaled_var`]). Returns `(cell, var, std)` sorted by cell; empty (no second pass) when
/// every cell is finite.
fn recover_var<T, S, S2>(
    points: &ArrayBase<S, Ix2>,
    values: &ArrayBase<S2, Ix1>,
    grid: &Grid,
    acc: &Acc,
) -> Result<Vec<(usize, f64, f64)>>
where
    T: Element,
    S: Data<Elem = T>,
    S2: Data<Elem = T>,
{
    let bad: Vec<usize> = (0..acc.count.len())
        .filter(|&c| acc.count[c] > 0 && (!acc.var(c).is_finite() || acc.ill_shifted(c)))
        .collect();
    if bad.is_empty() {
        return Ok(Vec::new());
    }
    let mut vals: Vec<Vec<f64>> = vec![Vec::new(); bad.len()];
    let mut cells = [0usize; BLOCK];
    let n = points.nrows();
    let mut start = 0;
    while start < n {
        let len = BLOCK.min(n - start);
        // The first pass already applied the `Outside` policy: drop here.
        fill_cells(grid, points, Outside::Drop, start, &mut cells[..len])?;
        for (j, &c) in cells[..len].iter().enumerate() {
            if c != NONE {
                if let Ok(k) = bad.binary_search(&c) {
                    vals[k].push(values[start + j].as_f64());
                }
            }
        }
        start += len;
    }
    Ok(bad
        .into_iter()
        .zip(&vals)
        .map(|(c, v)| {
            let (var, std) = scaled_var(v);
            (c, var, std)
        })
        .collect())
}

/// Every per-cell statistic of `values` at `points` (`(n, d)`) on `grid`, in one pass.
///
/// Errors: `points` not `(n, grid.ndim())`, `values.len() != n`, and under
/// [`Outside::Error`] a point outside the grid or with a NaN coordinate.
///
/// ```
/// use ndarray::array;
/// use ndkern_spatial::binning::{cell_stats, Grid, Outside};
/// let g = Grid::uniform(&[(0.0, 1.0)], &[1]).unwrap();
/// let st = cell_stats(&array![[0.2], [0.4]], &array![2.0, 4.0], &g, Outside::Drop).unwrap();
/// assert_eq!(st.max(0.0)[[0]], 4.0);
/// ```
pub fn cell_stats<T, S, S2>(
    points: &ArrayBase<S, Ix2>,
    values: &ArrayBase<S2, Ix1>,
    grid: &Grid,
    outside: Outside,
) -> Result<CellStats>
where
    T: Element,
    S: Data<Elem = T> + Sync,
    S2: Data<Elem = T> + Sync,
{
    accumulate(points, values, grid, outside, want_all())
}

/// scipy.stats `binned_statistic_dd(sample, values, statistic, bins, range)`: `statistic` of
/// the `values` whose `points` fall in each cell of `grid`, `fill` for empty cells (scipy
/// uses NaN; `Count` and `Sum` give 0 for empty cells, as in scipy).
///
/// Errors: as [`cell_stats`].
///
/// ```
/// use ndarray::array;
/// use ndkern_spatial::binning::{binned_statistic_dd, Grid, Outside, Statistic};
/// // Q1: several points in one cell -> their mean; empty cells -> NaN.
/// let g = Grid::uniform(&[(0.0, 1.0), (0.0, 1.0)], &[2, 2]).unwrap();
/// let pts = array![[0.1, 0.1], [0.2, 0.3], [0.9, 0.9]];
/// let m = binned_statistic_dd(&pts, &array![1.0, 3.0, 7.0], &g, Statistic::Mean, f64::NAN,
///     Outside::Drop).unwrap();
/// assert_eq!(m[[0, 0]], 2.0);
/// assert_eq!(m[[1, 1]], 7.0);
/// assert!(m[[0, 1]].is_nan());
/// ```
#[must_use = "the statistic is returned, not written in place"]
pub fn binned_statistic_dd<T, S, S2>(
    points: &ArrayBase<S, Ix2>,
    values: &ArrayBase<S2, Ix1>,
    grid: &Grid,
    statistic: Statistic,
    fill: f64,
    outside: Outside,
) -> Result<ArrayD<f64>>
where
    T: Element,
    S: Data<Elem = T> + Sync,
    S2: Data<Elem = T> + Sync,
{
    // Count, Sum, Mean (Q1): the interleaved count-and-sum pass, finished straight into the
    // result (no per-cell summary in between).
    let simple = |finish: fn(f64, f64, f64) -> f64| -> Result<ArrayD<f64>> {
        check_points(grid, points, Some(values))?;
        let out = count_sum_map(
            points.nrows(),
            grid.len(),
            |start, cells| fill_cells(grid, points, outside, start, cells),
            Some(|start, out: &mut [f64]| read_values(values, start, out)),
            |count, sum| finish(count, sum, fill),
        )?;
        Ok(ArrayD::from_shape_vec(IxDyn(&grid.shape()), out).expect("one entry per cell"))
    };
    match statistic {
        Statistic::Count => return simple(|count, _, _| count),
        Statistic::Sum => return simple(|_, sum, _| sum),
        // The same division as `CellStats::mean`.
        Statistic::Mean => {
            return simple(|count, sum, fill| if count == 0.0 { fill } else { sum / count })
        }
        _ => {}
    }
    let st = accumulate(points, values, grid, outside, want_for(statistic))?;
    Ok(match statistic {
        Statistic::Count => st.count().mapv(|c| c as f64),
        Statistic::Sum => st.sum(),
        Statistic::Mean => st.mean(fill),
        Statistic::Std => st.std(fill),
        Statistic::Min => st.min(fill),
        Statistic::Max => st.max(fill),
        Statistic::First => st.first(fill),
        Statistic::Last => st.last(fill),
    })
}

/// [`binned_statistic_dd`] writing into `out` (shape `grid.shape()`, any layout).
///
/// Errors: as [`binned_statistic_dd`], and `out` of the wrong shape.
///
/// ```
/// use ndarray::{array, Array2};
/// use ndkern_spatial::binning::{binned_statistic_dd_into, Grid, Outside, Statistic};
/// let g = Grid::uniform(&[(0.0, 1.0), (0.0, 1.0)], &[2, 2]).unwrap();
/// let mut out = Array2::zeros((2, 2));
/// binned_statistic_dd_into(&array![[0.1, 0.1], [0.2, 0.3]], &array![1.0, 3.0], &g,
///     Statistic::Mean, f64::NAN, Outside::Drop, &mut out).unwrap();
/// assert_eq!(out[[0, 0]], 2.0);
/// ```
#[allow(clippy::too_many_arguments)] // scipy's argument list plus `out`
pub fn binned_statistic_dd_into<T, S, S2, So, Do>(
    points: &ArrayBase<S, Ix2>,
    values: &ArrayBase<S2, Ix1>,
    grid: &Grid,
    statistic: Statistic,
    fill: f64,
    outside: Outside,
    out: &mut ArrayBase<So, Do>,
) -> Result<()>
where
    T: Element,
    S: Data<Elem = T> + Sync,
    S2: Data<Elem = T> + Sync,
    So: DataMut<Elem = f64>,
    Do: Dimension,
{
    if out.shape() != &grid.shape()[..] {
        return Err(Error::ShapeMismatch {
            expected: grid.shape(),
            got: out.shape().to_vec(),
        });
    }
    let r = binned_statistic_dd(points, values, grid, statistic, fill, outside)?;
    write_out(
        out,
        &grid.shape(),
        r.as_slice().expect("fresh C-order result"),
    )
}
