//! numpy `histogram`, `histogramdd` and `digitize`.
//!
//! Uniform bins are found by arithmetic (see the grid module), arbitrary edges by one binary
//! search; counts are exact `u64` accumulations and weighted sums accumulate in `f64` (f32
//! weights included), returned as `f64` like numpy's `histogramdd`. Values outside the range
//! and NaN are dropped, as numpy drops them with an explicit range.

use ndarray::{Array, ArrayBase, ArrayD, Data, DataMut, Dimension, Ix1, Ix2};
use ndkern_core::{Element, Error, Result};

use super::accumulate::count_sum_map;
use super::grid::{AxisBins, Grid, Outside};
use super::points::{check_points, fill_cells, read_values};
use super::sample::write_out;

fn hist_core<T, S, S2>(
    points: &ArrayBase<S, Ix2>,
    grid: &Grid,
    weights: Option<&ArrayBase<S2, Ix1>>,
    density: bool,
) -> Result<Vec<f64>>
where
    T: Element,
    S: Data<Elem = T> + Sync,
    S2: Data<Elem = T> + Sync,
{
    check_points(grid, points, weights)?;
    let fill = |start, cells: &mut [usize]| fill_cells(grid, points, Outside::Drop, start, cells);
    let n = points.nrows();
    let mut hist = match weights {
        Some(w) => count_sum_map(
            n,
            grid.len(),
            fill,
            Some(|start, out: &mut [f64]| read_values(w, start, out)),
            |_, sum| sum,
        )?,
        None => count_sum_map(
            n,
            grid.len(),
            fill,
            None::<fn(usize, &mut [f64])>,
            |count, _| count,
        )?,
    };
    if density {
        // numpy: hist / cell volume / hist.sum()
        let total: f64 = hist.iter().sum();
        for (c, h) in hist.iter_mut().enumerate() {
            *h = *h / grid.volume(c) / total;
        }
    }
    Ok(hist)
}

/// numpy `histogramdd(sample, bins, range, density)`: counts of `points` (`(n, d)`) per cell
/// of `grid`, as `f64` (numpy's dtype). With `density`, each count is divided by the cell
/// volume and the total so the histogram integrates to 1 (NaN when no point is inside).
///
/// Errors: `points` not `(n, grid.ndim())`.
///
/// ```
/// use ndarray::array;
/// use ndkern_spatial::binning::{histogramdd, Grid};
/// let g = Grid::uniform(&[(0.0, 1.0), (0.0, 1.0)], &[2, 2]).unwrap();
/// let h = histogramdd(&array![[0.1, 0.9], [0.5, 0.5], [1.0, 1.0], [2.0, 0.0]], &g, false)
///     .unwrap();
/// // numpy: np.histogramdd(pts, bins=2, range=[(0, 1), (0, 1)])[0]
/// assert_eq!(h, array![[0.0, 1.0], [0.0, 2.0]].into_dyn());
/// ```
#[must_use = "the histogram is returned"]
pub fn histogramdd<T, S>(
    points: &ArrayBase<S, Ix2>,
    grid: &Grid,
    density: bool,
) -> Result<ArrayD<f64>>
where
    T: Element,
    S: Data<Elem = T> + Sync,
{
    let h = hist_core(points, grid, None::<&ArrayBase<S, Ix1>>, density)?;
    Ok(ArrayD::from_shape_vec(grid.shape(), h).expect("one entry per cell"))
}

/// numpy `histogramdd(sample, bins, range, weights=weights, density)`: sums of `weights` per
/// cell, accumulated in `f64`.
///
/// Errors: `points` not `(n, grid.ndim())`, `weights.len() != n`.
///
/// ```
/// use ndarray::array;
/// use ndkern_spatial::binning::{histogramdd_weighted, Grid};
/// let g = Grid::uniform(&[(0.0, 1.0)], &[2]).unwrap();
/// let h = histogramdd_weighted(&array![[0.1f32], [0.2], [0.7]], &array![1.0f32, 2.0, 4.0], &g,
///     false).unwrap();
/// assert_eq!(h.as_slice().unwrap(), &[3.0, 4.0]);
/// ```
#[must_use = "the histogram is returned"]
pub fn histogramdd_weighted<T, S, S2>(
    points: &ArrayBase<S, Ix2>,
    weights: &ArrayBase<S2, Ix1>,
    grid: &Grid,
    density: bool,
) -> Result<ArrayD<f64>>
where
    T: Element,
    S: Data<Elem = T> + Sync,
    S2: Data<Elem = T> + Sync,
{
    let h = hist_core(points, grid, Some(weights), density)?;
    Ok(ArrayD::from_shape_vec(grid.shape(), h).expect("one entry per cell"))
}

/// numpy `histogram(a, bins, range, density)` of the values of `a` (any shape, flattened),
/// as `f64` counts (numpy returns int64 counts; they are exact here too).
///
/// ```
/// use ndarray::array;
/// use ndkern_spatial::binning::{histogram, AxisBins};
/// let b = AxisBins::uniform(0.0, 4.0, 4).unwrap();
/// let h = histogram(&array![[0.0, 1.0], [1.5, 4.0]], &b, false).unwrap();
/// assert_eq!(h.to_vec(), vec![1.0, 2.0, 0.0, 1.0]);
/// ```
#[must_use = "the histogram is returned"]
pub fn histogram<T, S, D>(
    a: &ArrayBase<S, D>,
    bins: &AxisBins,
    density: bool,
) -> Result<Array<f64, Ix1>>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    let flat = flat_column(a)?;
    let grid = Grid::new(vec![bins.clone()])?;
    let h = hist_core(
        &flat,
        &grid,
        None::<&ArrayBase<ndarray::ViewRepr<&T>, Ix1>>,
        density,
    )?;
    Ok(Array::from(h))
}

/// [`histogram`] writing into `out` (length `bins.len()`).
///
/// Errors: `out` of the wrong length.
///
/// ```
/// use ndarray::{array, Array1};
/// use ndkern_spatial::binning::{histogram_into, AxisBins};
/// let mut h = Array1::zeros(4);
/// histogram_into(&array![0.0, 1.0, 1.5, 4.0], &AxisBins::uniform(0.0, 4.0, 4).unwrap(), false,
///     &mut h).unwrap();
/// assert_eq!(h.to_vec(), vec![1.0, 2.0, 0.0, 1.0]);
/// ```
pub fn histogram_into<T, S, D, So>(
    a: &ArrayBase<S, D>,
    bins: &AxisBins,
    density: bool,
    out: &mut ArrayBase<So, Ix1>,
) -> Result<()>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
    So: DataMut<Elem = f64>,
{
    if out.len() != bins.len() {
        return Err(Error::ShapeMismatch {
            expected: vec![bins.len()],
            got: vec![out.len()],
        });
    }
    let h = histogram(a, bins, density)?;
    write_out(out, &[bins.len()], h.as_slice().expect("fresh"))
}

/// numpy `histogram(a, bins, range, weights=weights, density)`; `weights` has `a`'s shape.
///
/// Errors: `weights.shape() != a.shape()`.
///
/// ```
/// use ndarray::array;
/// use ndkern_spatial::binning::{histogram_weighted, AxisBins};
/// let b = AxisBins::edges(vec![0.0, 1.0, 3.0]).unwrap();
/// let h = histogram_weighted(&array![0.5, 2.0, 3.0], &array![1.0, 10.0, 100.0], &b, false)
///     .unwrap();
/// assert_eq!(h.to_vec(), vec![1.0, 110.0]);
/// ```
#[must_use = "the histogram is returned"]
pub fn histogram_weighted<T, S, S2, D>(
    a: &ArrayBase<S, D>,
    weights: &ArrayBase<S2, D>,
    bins: &AxisBins,
    density: bool,
) -> Result<Array<f64, Ix1>>
where
    T: Element,
    S: Data<Elem = T>,
    S2: Data<Elem = T>,
    D: Dimension,
{
    if a.shape() != weights.shape() {
        return Err(Error::ShapeMismatch {
            expected: a.shape().to_vec(),
            got: weights.shape().to_vec(),
        });
    }
    // The weights' copy is sized by the input (a huge broadcast view): checked, not aborted.
    ndkern_core::check_alloc::<T>("histogram weights", weights.len())?;
    let flat = flat_column(a)?;
    let w: ndarray::Array1<T> = weights.iter().copied().collect();
    let grid = Grid::new(vec![bins.clone()])?;
    Ok(Array::from(hist_core(&flat, &grid, Some(&w), density)?))
}

/// `a`'s values in logical (C) order as an `(n, 1)` array: a view when `a` is standard
/// layout, a copy otherwise (checked against the allocation cap: a huge broadcast view is
/// `Error::TooLarge`, not an abort).
fn flat_column<T: Element, S: Data<Elem = T>, D: Dimension>(
    a: &ArrayBase<S, D>,
) -> Result<ndarray::CowArray<'_, T, Ix2>> {
    let n = a.len();
    Ok(match a.as_slice() {
        Some(sl) => ndarray::ArrayView2::from_shape((n, 1), sl)
            .expect("n x 1")
            .into(),
        None => {
            ndkern_core::check_alloc::<T>("histogram samples", n)?;
            ndarray::Array2::from_shape_vec((n, 1), a.iter().copied().collect())
                .expect("n x 1")
                .into()
        }
    })
}

/// numpy `digitize(x, bins, right)`: for increasing `bins`, the `i` with
/// `bins[i-1] <= x < bins[i]` (`right = false`) or `bins[i-1] < x <= bins[i]` (`right =
/// true`), so values below the first edge give 0 and values above the last give
/// `bins.len()`; for decreasing bins the mirror rule. NaN gives `bins.len()` for increasing
/// bins and 0 for decreasing ones (numpy sorts NaN last).
///
/// Errors: `bins` empty, containing NaN, or not monotonic.
///
/// ```
/// use ndarray::array;
/// use ndkern_spatial::binning::digitize;
/// let i = digitize(&array![0.2, 6.4, 3.0, 1.6], &[0.0, 1.0, 2.5, 4.0, 10.0], false).unwrap();
/// assert_eq!(i.to_vec(), vec![1, 4, 3, 2]);
/// ```
#[must_use = "the indices are returned"]
pub fn digitize<T, S, D>(x: &ArrayBase<S, D>, bins: &[f64], right: bool) -> Result<Array<usize, D>>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    if bins.is_empty() {
        return Err(Error::InvalidParameter {
            name: "bins",
            reason: "needs at least one edge".into(),
        });
    }
    if bins.iter().any(|b| b.is_nan()) {
        return Err(Error::InvalidParameter {
            name: "bins",
            reason: "edges must not be NaN".into(),
        });
    }
    let inc = bins.windows(2).all(|w| w[0] <= w[1]);
    let dec = bins.windows(2).all(|w| w[0] >= w[1]);
    if !inc && !dec {
        return Err(Error::InvalidParameter {
            name: "bins",
            reason: "bins must be monotonically increasing or decreasing".into(),
        });
    }
    let n = bins.len();
    // numpy: searchsorted(bins, x, side) with side = "left" if right else "right"; for
    // decreasing bins, n - searchsorted(bins[::-1], x, side).
    let search = |x: f64| -> usize {
        if x.is_nan() {
            return n; // NaN sorts after every edge
        }
        if inc {
            if right {
                bins.partition_point(|&b| b < x)
            } else {
                bins.partition_point(|&b| b <= x)
            }
        } else {
            // Edges below x (or at it, for side "right") form a suffix of decreasing bins.
            if right {
                n - bins.partition_point(|&b| b >= x)
            } else {
                n - bins.partition_point(|&b| b > x)
            }
        }
    };
    // The output is sized like `x`, which may be a huge broadcast view.
    ndkern_core::check_alloc::<usize>("digitize's output", x.len())?;
    Ok(x.mapv(|v| {
        let k = search(v.as_f64());
        if inc {
            k
        } else {
            n - k
        }
    }))
}
