//! Points `(n, d)` -> flat cell indices, a block at a time, any strides.

use ndarray::{s, ArrayBase, ArrayViewMut1, Data, Ix1, Ix2, Zip};
use ndkern_core::{Element, Error, Result};

use super::accumulate::{outside_error, BLOCK, NONE};
#[cfg(target_arch = "x86_64")]
use super::cells_avx512;
use super::grid::{Grid, Outside};
use super::kernels::{add_bins, add_uniform_bins, to_cells, uniform_cells, UniformAxis};

/// Checks that `points` is `(n, grid.ndim())` and, if given, `values` has length `n`.
pub(crate) fn check_points<T, S, S2>(
    grid: &Grid,
    points: &ArrayBase<S, Ix2>,
    values: Option<&ArrayBase<S2, Ix1>>,
) -> Result<()>
where
    S: Data<Elem = T>,
    S2: Data<Elem = T>,
{
    let (n, d) = points.dim();
    if d != grid.ndim() {
        return Err(Error::InvalidParameter {
            name: "sample",
            reason: format!(
                "points have {d} coordinate(s) but the grid has {} dimension(s); pass points \
                 of shape (n, {})",
                grid.ndim(),
                grid.ndim()
            ),
        });
    }
    if let Some(v) = values {
        if v.len() != n {
            return Err(Error::ShapeMismatch {
                expected: vec![n],
                got: vec![v.len()],
            });
        }
    }
    Ok(())
}

/// Writes the flat cell of points `start..start + cells.len()` into `cells` ([`NONE`] when
/// outside the grid or NaN; `cells.len() <= BLOCK`). C-order points on up to 3 uniform axes
/// (Q1) take one interleaved vectorized pass ([`uniform_cells`]); anything else goes axis by
/// axis ([`fill_by_axis`]). With [`Outside::Error`], the first such point is an error.
pub(crate) fn fill_cells<T, S>(
    grid: &Grid,
    points: &ArrayBase<S, Ix2>,
    outside: Outside,
    start: usize,
    cells: &mut [usize],
) -> Result<()>
where
    T: Element,
    S: Data<Elem = T>,
{
    let len = cells.len();
    let rows = points.slice(s![start..start + len, ..]);
    // A C-order block of rows is one slice: columns are read from it by stepping through rows.
    let block = rows.as_slice();
    let ndim = grid.ndim();
    // C-order points on 1..=3 uniform axes (Q1): one interleaved pass, no column copies.
    let done = block.is_some_and(|b| match ndim {
        1 => uniform_block::<T, 1>(grid, b, cells),
        2 => uniform_block::<T, 2>(grid, b, cells),
        3 => uniform_block::<T, 3>(grid, b, cells),
        _ => false,
    });
    if !done {
        fill_by_axis(grid, &rows, block, cells);
    }
    if outside == Outside::Error {
        if let Some(j) = cells.iter().position(|&c| c == NONE) {
            let row: Vec<f64> = points.row(start + j).iter().map(|x| x.as_f64()).collect();
            return Err(outside_error(
                "point",
                start + j,
                format!("{row:?} is NaN or outside the grid"),
            ));
        }
    }
    Ok(())
}

/// [`uniform_cells`] (its AVX-512 intrinsics twin for `f64` points at the AVX-512 dispatch
/// level) when every axis of `grid` (with `D` axes) is uniform; false otherwise.
fn uniform_block<T: Element, const D: usize>(grid: &Grid, rows: &[T], cells: &mut [usize]) -> bool {
    let mut axes = [UniformAxis::new((0.0, 1.0, 0, 1.0, 1.0)); D];
    let mut strides = [0.0; D];
    for k in 0..D {
        match grid.axes()[k].uniform_params() {
            Some(u) => axes[k] = UniformAxis::new(u),
            None => return false,
        }
        strides[k] = grid.strides()[k] as f64;
    }
    #[cfg(target_arch = "x86_64")]
    if let (Some(rows), Some(avx512)) = (
        ndkern_core::downcast_slice::<T, f64>(rows),
        ndkern_core::simd::Avx512::new(),
    ) {
        cells_avx512::uniform_cells_f64::<D>(avx512, rows, &axes, &strides, cells);
        return true;
    }
    uniform_cells::<T, D>(rows, &axes, &strides, cells);
    true
}

/// The general cell computation, one axis at a time: the block's column is copied into a
/// contiguous `f64` buffer, then binned by [`add_uniform_bins`] or a binary search.
fn fill_by_axis<T: Element>(
    grid: &Grid,
    rows: &ndarray::ArrayView2<'_, T>,
    block: Option<&[T]>,
    cells: &mut [usize],
) {
    let len = cells.len();
    let ndim = grid.ndim();
    let mut buf = [0.0f64; BLOCK];
    let mut cf = [0.0f64; BLOCK];
    let (col, cf) = (&mut buf[..len], &mut cf[..len]);
    for (d, (ax, &stride)) in grid.axes().iter().zip(grid.strides()).enumerate() {
        let c = rows.column(d);
        match (c.as_slice(), block) {
            (Some(xs), _) => widen(xs, col),
            (None, Some(b)) => widen_column(b, ndim, d, col),
            (None, None) => col
                .iter_mut()
                .zip(c.iter())
                .for_each(|(o, &x)| *o = x.as_f64()),
        }
        match ax.uniform_params() {
            Some(u) => add_uniform_bins(col, &UniformAxis::new(u), stride as f64, cf),
            None => add_bins(col, |x| ax.index(x), stride as f64, cf),
        }
    }
    to_cells(cf, cells);
}

/// Values `start..start + out.len()` of `values` as `f64` into `out`.
#[inline]
pub(crate) fn read_values<T, S>(values: &ArrayBase<S, Ix1>, start: usize, out: &mut [f64])
where
    T: Element,
    S: Data<Elem = T>,
{
    let part = values.slice(s![start..start + out.len()]);
    match part.as_slice() {
        Some(xs) => widen(xs, out),
        // A strided column (Q1's values are a column of the points): `Zip` walks it with a
        // pointer and a stride, where the element iterator keeps an index per step.
        None => Zip::from(ArrayViewMut1::from(out))
            .and(&part)
            .for_each(|o, &x| *o = x.as_f64()),
    }
}

ndkern_core::multiversion! {
    /// `out[j] = xs[j]` as `f64`.
    fn widen[T: Element](xs: &[T], out: &mut [f64]) {
        out.iter_mut().zip(xs).for_each(|(o, &x)| *o = x.as_f64());
    }
}

ndkern_core::multiversion! {
    /// Coordinate `d` of the C-order rows of `ndim` values in `b`, as `f64`, into `out`.
    fn widen_column[T: Element](b: &[T], ndim: usize, d: usize, out: &mut [f64]) {
        out.iter_mut()
            .zip(b.chunks_exact(ndim))
            .for_each(|(o, r)| *o = r[d].as_f64());
    }
}
