//! Least-squares line fits of every lane along an axis, in closed form, and the leveling
//! (trend removal) built on them.
//!
//! Q26 levels a 2500 x 1500 image by fitting `y = slope * x + intercept` (x = 0..n-1) to
//! every row and subtracting it. numpy users call `np.polyfit(x, img.T, 1)` (a lstsq on a
//! Vandermonde matrix) or loop over rows. With x fixed at `0..n-1`, `xbar = (n-1)/2` and
//! `Sxx = n(n^2-1)/12` are known, so each lane needs only `sum y` and
//! `sum (x - xbar) y`: two f64-accumulated SIMD reductions ([`ndkern_core::sum`],
//! [`ndkern_core::dot`]), lanes in parallel.
//!
//! ```
//! use ndarray::array;
//! let img = array![[1.0, 3.0, 5.0], [2.0, 2.0, 2.0]];
//! let (slope, icpt) = ndkern_linalg::linefit(&img, 1).unwrap();
//! assert_eq!((slope[0], icpt[0]), (2.0, 1.0));
//! assert_eq!(ndkern_linalg::level_rows(&img).unwrap(), array![[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]);
//! ```

use ndarray::{Array, ArrayBase, ArrayView1, Axis, Data, Dimension, Ix2, RemoveAxis, Zip};
use ndkern_core::{Element, Error, Result};

use crate::sizes::{exponent, ldexp};

/// Checks `axis` and the lane length (at least two points).
fn lane_axis(shape: &[usize], axis: usize) -> Result<usize> {
    if axis >= shape.len() {
        return Err(Error::AxisOutOfRange {
            // usize::MAX must not read as axis -1.
            axis: isize::try_from(axis).unwrap_or(isize::MAX),
            ndim: shape.len(),
        });
    }
    let n = shape[axis];
    if n < 2 {
        return Err(Error::InvalidParameter {
            name: "axis",
            reason: format!(
                "a line fit needs at least 2 points per lane, axis {axis} has {n}; \
                 fit along a longer axis"
            ),
        });
    }
    Ok(n)
}

/// Slope and intercept of one lane (x = 0..n-1), with the centred weights `c[i] = i - xbar`.
fn fit_lane<T: Element>(lane: ArrayView1<'_, T>, centred: &[T]) -> (f64, f64) {
    let n = lane.len() as f64;
    let xbar = 0.5 * (n - 1.0);
    let sxx = n * (n * n - 1.0) / 12.0;
    let (sy, sxy) = match lane.as_slice() {
        Some(s) => (
            ndkern_core::sum(s),
            ndkern_core::dot(s, centred).expect("same length"),
        ),
        None => lane.iter().zip(centred).fold((0.0, 0.0), |(a, b), (y, c)| {
            (a + y.as_f64(), b + c.as_f64() * y.as_f64())
        }),
    };
    let slope = sxy / sxx;
    let icpt = sy / n - slope * xbar;
    // Sums that overflowed (data near 1e308) or sank into the subnormal range (data near
    // 1e-308) are recomputed on the lane scaled by a power of two; O(1) per lane otherwise.
    if (sy.is_finite() && sxy.is_finite() && icpt.is_finite())
        && (sy.abs() >= TINY || sxy.abs() >= TINY || (sy == 0.0 && sxy == 0.0))
    {
        return (slope, icpt);
    }
    fit_lane_scaled(lane, centred, (slope, icpt))
}

/// Sums below this are recomputed scaled (their relative precision is going).
const TINY: f64 = 1e-290;

/// [`fit_lane`] for a lane whose sums left the f64 range: the lane divided by `2^e` (its
/// largest |value| in [0.5, 1)), fitted, and the fit multiplied back (inf only where the
/// slope or intercept itself overflows). A lane with NaN or inf keeps `fallback`.
#[cold]
fn fit_lane_scaled<T: Element>(
    lane: ArrayView1<'_, T>,
    centred: &[T],
    fallback: (f64, f64),
) -> (f64, f64) {
    let mut big = 0.0f64;
    for v in lane.iter() {
        let v = v.as_f64();
        if !v.is_finite() {
            return fallback;
        }
        big = big.max(v.abs());
    }
    if big == 0.0 {
        return (0.0, 0.0);
    }
    let e = exponent(big);
    let n = lane.len() as f64;
    let xbar = 0.5 * (n - 1.0);
    let sxx = n * (n * n - 1.0) / 12.0;
    let (sy, sxy) = lane.iter().zip(centred).fold((0.0, 0.0), |(a, b), (y, c)| {
        let y = ldexp(y.as_f64(), -e);
        (a + y, b + c.as_f64() * y)
    });
    let slope = sxy / sxx;
    (ldexp(slope, e), ldexp(sy / n - slope * xbar, e))
}

fn centred<T: Element>(n: usize) -> Vec<T> {
    let xbar = 0.5 * (n as f64 - 1.0);
    // i - xbar is a multiple of 1/2: exact in f32 for n < 2^23.
    (0..n).map(|i| T::of_f64(i as f64 - xbar)).collect()
}

/// Line fit `y = slope * x + intercept` with `x = 0, 1, ..., n-1` of every lane along `axis`
/// (`np.polyfit(np.arange(n), a_moved_to_axis0, 1)` for all lanes at once). Returns
/// `(slope, intercept)`, each with `axis` removed. NaN in a lane gives NaN for that lane.
///
/// Errors: `axis` out of range, fewer than 2 points along `axis`.
///
/// ```
/// use ndarray::array;
/// let a = array![[0.0f32, 1.0], [2.0, 5.0], [4.0, 9.0]]; // columns: 2x, 4x + 1
/// let (s, b) = ndkern_linalg::linefit(&a, 0).unwrap();
/// assert_eq!(s, array![2.0f32, 4.0]);
/// assert_eq!(b, array![0.0f32, 1.0]);
/// ```
#[allow(clippy::type_complexity)]
#[must_use = "the fits are returned"]
pub fn linefit<T, S, D>(
    a: &ArrayBase<S, D>,
    axis: usize,
) -> Result<(Array<T, D::Smaller>, Array<T, D::Smaller>)>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension + RemoveAxis,
{
    let n = lane_axis(a.shape(), axis)?;
    let dim = a.raw_dim().remove_axis(Axis(axis));
    let mut slope = ndkern_core::try_zeros::<T, _>("linefit's slopes", dim.clone())?;
    let mut icpt = ndkern_core::try_zeros::<T, _>("linefit's intercepts", dim)?;
    if a.is_empty() {
        // No lane (another axis is 0): nothing to fit, and no n-long weight buffer (n may be
        // 2^33 on an empty array).
        return Ok((slope, icpt));
    }
    let c = centred::<T>(n);
    let z = Zip::from(&mut slope)
        .and(&mut icpt)
        .and(a.lanes(Axis(axis)));
    let f = |s: &mut T, b: &mut T, lane: ArrayView1<'_, T>| {
        let (m, q) = fit_lane(lane, &c);
        *s = T::of_f64(m);
        *b = T::of_f64(q);
    };
    if ndkern_core::worth_parallel(a.len()) {
        z.par_for_each(f);
    } else {
        z.for_each(f);
    }
    Ok((slope, icpt))
}

ndkern_core::multiversion! {
    /// `y[i] -= s i + b` over a contiguous lane, compiled per SIMD level.
    fn level_lane[T: Element](y: &mut [T], s: f64, b: f64) {
        for (i, y) in y.iter_mut().enumerate() {
            *y = T::of_f64(y.as_f64() - (s * i as f64 + b));
        }
    }
}

/// `a` minus its least-squares line along `axis` (`scipy.signal.detrend(a, axis,
/// type='linear')` with x = 0..n-1): every lane leveled. Same shape as `a`, standard layout.
///
/// Errors: as [`linefit`].
///
/// ```
/// use ndarray::array;
/// let a = array![[1.0f64, 2.0], [3.0, 6.0], [5.0, 7.0]];
/// let l = ndkern_linalg::level(&a, 0).unwrap();
/// assert!(l.iter().zip([0.0, -0.5, 0.0, 1.0, 0.0, -0.5]).all(|(x, y): (&f64, f64)| (x - y).abs() < 1e-14));
/// ```
#[must_use = "the leveled array is returned"]
pub fn level<T, S, D>(a: &ArrayBase<S, D>, axis: usize) -> Result<Array<T, D>>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension + RemoveAxis,
{
    // The output is sized like `a` (a huge broadcast view included): checked before the fit.
    ndkern_core::check_alloc::<T>("level's output", a.len())?;
    let (slope, icpt) = linefit(a, axis)?;
    let mut out = ndkern_core::try_standard_layout("level's output", a)?.into_owned();
    let z = Zip::from(out.lanes_mut(Axis(axis))).and(&slope).and(&icpt);
    let f = |mut lane: ndarray::ArrayViewMut1<'_, T>, s: &T, b: &T| {
        let (s, b) = (s.as_f64(), b.as_f64());
        match lane.as_slice_mut() {
            Some(y) => level_lane(y, s, b),
            None => {
                for (i, y) in lane.iter_mut().enumerate() {
                    *y = T::of_f64(y.as_f64() - (s * i as f64 + b));
                }
            }
        }
    };
    if ndkern_core::worth_parallel(a.len()) {
        z.par_for_each(f);
    } else {
        z.for_each(f);
    }
    Ok(out)
}

/// Q26: level an image by removing the least-squares line of every row
/// ([`level`] along axis 1).
///
/// ```
/// use ndarray::Array2;
/// let img = Array2::from_shape_fn((4, 6), |(r, c)| 0.5 * c as f64 - r as f64 + if c == 2 { 1.0 } else { 0.0 });
/// let flat = ndkern_linalg::level_rows(&img).unwrap();
/// assert!(flat.rows().into_iter().all(|row| row.sum().abs() < 1e-12));
/// ```
#[must_use = "the leveled image is returned"]
pub fn level_rows<T, S>(a: &ArrayBase<S, Ix2>) -> Result<Array<T, Ix2>>
where
    T: Element,
    S: Data<Elem = T>,
{
    level(a, 1)
}
