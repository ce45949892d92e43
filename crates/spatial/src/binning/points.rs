//! Points `(n, d)` -> flat cell indices, a block at a time, any strides.

use ndarray::{s, ArrayBase, Data, Ix1, Ix2};
use ndkern_core::{Element, Error, Result};

use super::accumulate::{outside_error, NONE};
use super::grid::{uniform_index, Grid, Outside};

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
/// outside the grid or NaN), column by column; with [`Outside::Error`], the first such point
/// is an error.
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
    cells.fill(0);
    let end = start + cells.len();
    for (d, (ax, &stride)) in grid.axes().iter().zip(grid.strides()).enumerate() {
        let col = points.slice(s![start..end, d]);
        // Hoist the bin kind out of the loop: uniform bins are pure arithmetic.
        match ax.uniform_params() {
            Some((lo, hi, last, inv, step)) => add_axis(cells, col, stride, |x| {
                uniform_index(x, lo, hi, last, inv, step)
            }),
            None => add_axis(cells, col, stride, |x| ax.index(x)),
        }
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

/// `cells[j] += bin(col[j]) * stride`, or [`NONE`] when the point is outside on this axis.
#[inline(always)]
fn add_axis<T: Element>(
    cells: &mut [usize],
    col: ndarray::ArrayView1<'_, T>,
    stride: usize,
    bin: impl Fn(f64) -> Option<usize>,
) {
    let put = |c: &mut usize, x: T| {
        *c = match bin(x.as_f64()) {
            Some(i) if *c != NONE => *c + i * stride,
            _ => NONE,
        };
    };
    match col.as_slice() {
        Some(xs) => cells.iter_mut().zip(xs).for_each(|(c, &x)| put(c, x)),
        None => cells
            .iter_mut()
            .zip(col.iter())
            .for_each(|(c, &x)| put(c, x)),
    }
}
