//! Box filters: `uniform_filter1d`, `uniform_filter` (scipy.ndimage) and `window_sum`, the
//! windowed sum they are built on.
//!
//! Each axis is one pass of core's running window sum over a border-extended line: O(1) work
//! per sample whatever the window size (a 31-wide window costs what a 3-wide one does), `f64`
//! accumulation with re-anchoring (no drift on 10^7-long lines: the error does not grow with
//! the length), and a NaN poisons only the windows that contain it (scipy issue 7818 shows one
//! NaN spreading to the end of the line through scipy's running sum; here it does not).
//!
//! Like scipy, an N-d filter is the sequence of 1-D filters over the axes, so
//! `mode = Constant(cval)` pads every pass with `cval` (exactly scipy's result). Beyond scipy,
//! [`WindowMode::Shrink`] clips the window at the edges: sums take the in-bounds samples, means
//! divide by their count (Q18).
//!
//! ```
//! use ndarray::array;
//! use ndkern_spatial::{uniform_filter, BorderMode};
//! let a = array![[1.0f64, 2.0, 3.0], [4.0, 5.0, 6.0]];
//! // scipy.ndimage.uniform_filter(a, size=[1, 3], mode="nearest")
//! let m = uniform_filter(&a, &[1, 3], BorderMode::Nearest, &[0]).unwrap();
//! let expected = array![[4.0 / 3.0, 2.0, 8.0 / 3.0], [13.0 / 3.0, 5.0, 17.0 / 3.0]];
//! assert!(m.iter().zip(&expected).all(|(x, y)| (x - y).abs() < 1e-15));
//! ```

use ndarray::{Array, ArrayBase, ArrayViewMut, Data, Dimension};
use ndkern_core::{BorderMode, Element, Result};

use super::engine::run_separable;
use super::params::{check_axis, check_extent, padding, per_axis, WindowMode};
use super::plan::{Kind, SepPass};

/// The passes of a box filter over `axes` with `sizes` and `origins` (one per axis of the
/// array); axes with size 1 and origin 0 are identities and skipped.
fn box_filter_into<T, S, D>(
    a: &ArrayBase<S, D>,
    sizes: &[usize],
    origins: &[isize],
    mode: WindowMode,
    mean: bool,
    mut out: ArrayViewMut<'_, T, D>,
) -> Result<()>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    let shrink = mode == WindowMode::Shrink;
    let mut geo = Vec::new();
    for (axis, (&w, &o)) in sizes.iter().zip(origins).enumerate() {
        if w == 0 && mean {
            // scipy.ndimage.uniform_filter skips axes of size 0 (no filtering, origin unused).
            continue;
        }
        let (before, after) = padding(w, o)?;
        if w > 1 {
            if !a.is_empty() {
                check_extent(a.len_of(ndarray::Axis(axis)), before, after)?;
            }
            geo.push((axis, w, before, after));
        }
    }
    // A sum pass after others sees sums of `prod(previous sizes)` samples: outside the array
    // that is `cval` times that count, so the N-d sum is exact for any constant.
    let mut seen = 1.0;
    let mut passes: Vec<SepPass<'_, T>> = Vec::with_capacity(geo.len());
    for &(axis, w, before, after) in &geo {
        let border = match mode.border() {
            BorderMode::Constant(c) if !mean => BorderMode::Constant(c * seen),
            m => m,
        };
        passes.push(SepPass {
            axis,
            before,
            after,
            mode: border,
            kind: Kind::Box { w, mean, shrink },
        });
        seen *= w as f64;
    }
    run_separable(a, &mut out, &passes)
}

/// The mean over a window of `size` samples along `axis` (scipy.ndimage.uniform_filter1d).
///
/// `origin` shifts the window as in scipy (`size / 2 + origin` samples before each output;
/// it must lie in `-(size/2)..=(size-1)/2`); `mode` is a [`BorderMode`](ndkern_core::BorderMode)
/// or [`WindowMode::Shrink`]. f32 input is summed in `f64` and rounded once.
///
/// ```
/// use ndarray::array;
/// use ndkern_spatial::{uniform_filter1d, BorderMode};
/// let a = array![2.0f64, 8.0, 0.0, 4.0, 1.0];
/// // scipy.ndimage.uniform_filter1d(a, 3)  (mode "reflect")
/// let m = uniform_filter1d(&a, 3, 0, BorderMode::Reflect, 0).unwrap();
/// let expected = array![4.0, 10.0 / 3.0, 4.0, 5.0 / 3.0, 2.0];
/// assert!(m.iter().zip(&expected).all(|(x, y)| (x - y).abs() < 1e-15));
/// ```
#[must_use = "the filtered array is returned"]
pub fn uniform_filter1d<T, S, D>(
    a: &ArrayBase<S, D>,
    size: usize,
    axis: usize,
    mode: impl Into<WindowMode>,
    origin: isize,
) -> Result<Array<T, D>>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    let mut out = ndkern_core::try_zeros("output", a.raw_dim())?;
    uniform_filter1d_into(a, size, axis, mode, origin, out.view_mut())?;
    Ok(out)
}

/// [`uniform_filter1d`] into `out` (the input's shape).
///
/// ```
/// use ndarray::{array, Array1};
/// use ndkern_spatial::{uniform_filter1d_into, WindowMode};
/// let a = array![3.0, 6.0, 9.0];
/// let mut out = Array1::zeros(3);
/// uniform_filter1d_into(&a, 3, 0, WindowMode::Shrink, 0, out.view_mut()).unwrap();
/// assert_eq!(out, array![4.5, 6.0, 7.5]);
/// ```
pub fn uniform_filter1d_into<T, S, D>(
    a: &ArrayBase<S, D>,
    size: usize,
    axis: usize,
    mode: impl Into<WindowMode>,
    origin: isize,
    out: ArrayViewMut<'_, T, D>,
) -> Result<()>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    check_axis(axis, a.ndim())?;
    let mut sizes = vec![1; a.ndim()];
    let mut origins = vec![0; a.ndim()];
    sizes[axis] = size;
    origins[axis] = origin;
    padding(size, origin)?;
    box_filter_into(a, &sizes, &origins, mode.into(), true, out)
}

/// The mean over a box window (scipy.ndimage.uniform_filter): `size` and `origin` hold one
/// value for every axis or one per axis.
///
/// A size of 0 on an axis means no filtering along it, as in scipy (which skips axes of size
/// 0 or 1; the origin of a size-0 axis is not used). [`uniform_filter1d`] and [`window_sum`]
/// reject size 0 with an `Err` (scipy's `uniform_filter1d` raises). A window longer than
/// memory allows for the border-extended line (`size = usize::MAX`, or `1e9` samples on a
/// short line) is [`Error::TooLarge`](ndkern_core::Error::TooLarge).
///
/// ```
/// use ndarray::Array2;
/// use ndkern_spatial::{uniform_filter, BorderMode};
/// let a = Array2::from_shape_fn((4, 5), |(i, j)| (i * 5 + j) as f32);
/// // a linear ramp is its own 3x3 mean away from the edges
/// let m = uniform_filter(&a, &[3], BorderMode::Mirror, &[0]).unwrap();
/// assert!((m[[2, 2]] - a[[2, 2]]).abs() < 1e-5 && (m[[1, 3]] - a[[1, 3]]).abs() < 1e-5);
/// ```
#[must_use = "the filtered array is returned"]
pub fn uniform_filter<T, S, D>(
    a: &ArrayBase<S, D>,
    size: &[usize],
    mode: impl Into<WindowMode>,
    origin: &[isize],
) -> Result<Array<T, D>>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    let mut out = ndkern_core::try_zeros("output", a.raw_dim())?;
    uniform_filter_into(a, size, mode, origin, out.view_mut())?;
    Ok(out)
}

/// [`uniform_filter`] into `out` (the input's shape).
///
/// ```
/// use ndarray::{array, Array2};
/// use ndkern_spatial::{uniform_filter_into, BorderMode};
/// let a = array![[1.0, 1.0], [3.0, 3.0]];
/// let mut out = Array2::zeros((2, 2));
/// uniform_filter_into(&a, &[2, 1], BorderMode::Nearest, &[0], out.view_mut()).unwrap();
/// assert_eq!(out, array![[1.0, 1.0], [2.0, 2.0]]);
/// ```
pub fn uniform_filter_into<T, S, D>(
    a: &ArrayBase<S, D>,
    size: &[usize],
    mode: impl Into<WindowMode>,
    origin: &[isize],
    out: ArrayViewMut<'_, T, D>,
) -> Result<()>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    let sizes = per_axis("size", size, a.ndim())?;
    let origins = per_axis("origin", origin, a.ndim())?;
    box_filter_into(a, &sizes, &origins, mode.into(), true, out)
}

/// The sum over a box window around every element: [`uniform_filter`] times the window size,
/// computed directly (one rounding). With [`WindowMode::Shrink`] the window is clipped to the
/// array (Q18: 3x3 sums of `A^2 - B^2` with smaller windows at the edges).
///
/// ```
/// use ndarray::array;
/// use ndkern_spatial::{window_sum, WindowMode};
/// let a = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]];
/// let s = window_sum(&a, &[3], WindowMode::Shrink, &[0]).unwrap();
/// assert_eq!(s, array![[12.0, 21.0, 16.0], [27.0, 45.0, 33.0], [24.0, 39.0, 28.0]]);
/// ```
#[must_use = "the window sums are returned"]
pub fn window_sum<T, S, D>(
    a: &ArrayBase<S, D>,
    size: &[usize],
    mode: impl Into<WindowMode>,
    origin: &[isize],
) -> Result<Array<T, D>>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    let mut out = ndkern_core::try_zeros("output", a.raw_dim())?;
    window_sum_into(a, size, mode, origin, out.view_mut())?;
    Ok(out)
}

/// [`window_sum`] into `out` (the input's shape).
///
/// ```
/// use ndarray::{array, Array1};
/// use ndkern_spatial::{window_sum_into, BorderMode};
/// let a = array![1.0, 2.0, 3.0];
/// let mut out = Array1::zeros(3);
/// window_sum_into(&a, &[2], BorderMode::Wrap, &[0], out.view_mut()).unwrap();
/// assert_eq!(out, array![4.0, 3.0, 5.0]);
/// ```
pub fn window_sum_into<T, S, D>(
    a: &ArrayBase<S, D>,
    size: &[usize],
    mode: impl Into<WindowMode>,
    origin: &[isize],
    out: ArrayViewMut<'_, T, D>,
) -> Result<()>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    let sizes = per_axis("size", size, a.ndim())?;
    let origins = per_axis("origin", origin, a.ndim())?;
    box_filter_into(a, &sizes, &origins, mode.into(), false, out)
}
