//! `detrend`: remove the mean or the least-squares line along an axis (scipy.signal.detrend).
//!
//! scipy builds a design matrix and calls `lstsq` per segment on a moved-axis copy. The fit of
//! a line to equally spaced samples has a closed form: with `t = 0..n`, `tm = (n-1)/2` and
//! `Stt = n (n^2 - 1) / 12`, the slope is `sum((t - tm) x) / Stt` and the line passes through
//! `(tm, mean x)`. Both sums come from one pass over the lane (accumulated in `f64`), the
//! residual from a second pass that writes the output, so the only memory is the output
//! itself (or nothing, with [`detrend_inplace`]). Breakpoints split a lane into independently
//! fitted segments exactly as scipy's `bp`.
//!
//! NaN in a segment makes that whole segment NaN (a least-squares line through NaN is
//! undefined; scipy's `lstsq` raises instead). Finite values whose sums overflow (near
//! `1e308`) are fitted again on values scaled by a power of two, so the residual is finite
//! wherever it is representable (numpy's `mean` gives `inf` there).
//!
//! ```
//! use ndarray::array;
//! use ndkern_signal::{detrend, Trend};
//! let x = array![1.0f64, 3.0, 5.0, 7.5];
//! let d = detrend(&x, -1, Trend::Linear, &[]).unwrap();  // scipy.signal.detrend(x)
//! let lin = detrend(&array![2.0f64, 4.0, 6.0], 0, Trend::Linear, &[]).unwrap();
//! assert!(lin.iter().all(|v| v.abs() < 1e-12));
//! assert!((d.sum()).abs() < 1e-12);
//! ```

use ndarray::{Array, ArrayBase, Data, DataMut, Dimension};
use ndkern_core::{Element, Error, Result};

use crate::lanes::{ldexp, map_lanes, map_lanes_inplace, norm_axis, scale_exponent};

/// What [`detrend`] removes (scipy's `type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trend {
    /// The mean (`type='constant'`); breakpoints are ignored, as in scipy.
    Constant,
    /// The least-squares line of each segment (`type='linear'`).
    Linear,
}

impl Trend {
    /// scipy's spelling: `"linear"`/`"l"` or `"constant"`/`"c"`.
    ///
    /// ```
    /// assert_eq!(ndkern_signal::Trend::parse("c").unwrap(), ndkern_signal::Trend::Constant);
    /// ```
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "linear" | "l" => Ok(Trend::Linear),
            "constant" | "c" => Ok(Trend::Constant),
            _ => Err(Error::InvalidParameter {
                name: "type",
                reason: format!("use \"linear\" or \"constant\", got {s:?}"),
            }),
        }
    }
}

/// Segment boundaries `0 = b0 < b1 < ... < n` from scipy's `bp` (sorted, deduplicated).
fn segments(bp: &[usize], n: usize) -> Result<Vec<usize>> {
    if let Some(&b) = bp.iter().find(|&&b| b > n) {
        return Err(Error::InvalidParameter {
            name: "bp",
            reason: format!("breakpoint {b} is beyond the axis length {n}; use values in 0..={n}"),
        });
    }
    let mut b: Vec<usize> = bp.iter().copied().chain([0, n]).collect();
    b.sort_unstable();
    b.dedup();
    Ok(b)
}

/// The slow path of [`detrend_line`] for a segment of finite values whose sums overflowed
/// (values near `1e308`): fit on values scaled by a power of two (exact), scale back.
/// Returns `false` (and leaves `seg` alone) when it holds a NaN or an infinity.
fn detrend_scaled(seg: &mut [f64], kind: Trend) -> bool {
    let Some(e) = scale_exponent(seg.iter().copied()) else {
        return false; // NaN or inf in the segment: the one-pass result (NaN) stands
    };
    seg.iter_mut().for_each(|v| *v = ldexp(*v, -e));
    detrend_line(seg, kind, &[0, seg.len()]);
    seg.iter_mut().for_each(|v| *v = ldexp(*v, e));
    true
}

ndkern_core::multiversion! {
    /// Removes the trend of one lane in place (segments from [`segments`]).
    pub(crate) fn detrend_line(x: &mut [f64], kind: Trend, bounds: &[usize]) {
        match kind {
            Trend::Constant => {
                let mean = x.iter().sum::<f64>() / x.len() as f64;
                if !mean.is_finite() && detrend_scaled(x, kind) {
                    return;
                }
                x.iter_mut().for_each(|v| *v -= mean);
            }
            Trend::Linear => {
                for w in bounds.windows(2) {
                    let seg = &mut x[w[0]..w[1]];
                    let n = seg.len() as f64;
                    let tm = (n - 1.0) * 0.5;
                    // One pass: sum x and sum (t - tm) x with two accumulators each.
                    let (mut sx, mut stx) = (0.0, 0.0);
                    for (t, &v) in seg.iter().enumerate() {
                        sx += v;
                        stx += (t as f64 - tm) * v;
                    }
                    let mean = sx / n;
                    let stt = n * (n * n - 1.0) / 12.0;
                    let slope = if stt > 0.0 { stx / stt } else { 0.0 };
                    // Finite values whose sums overflowed: the scaled fit (rare).
                    if !(mean.is_finite() && slope.is_finite()) && detrend_scaled(seg, kind) {
                        continue;
                    }
                    for (t, v) in seg.iter_mut().enumerate() {
                        *v -= mean + slope * (t as f64 - tm);
                    }
                }
            }
        }
    }
}

fn check(
    shape: &[usize],
    ndim: usize,
    axis: isize,
    bp: &[usize],
    kind: Trend,
) -> Result<(usize, Vec<usize>)> {
    let ax = norm_axis(axis, ndim)?;
    let n = shape[ax];
    if n == 0 {
        return Err(Error::InvalidParameter {
            name: "data",
            reason: format!("axis {ax} is empty; detrend needs at least one sample"),
        });
    }
    let bounds = match kind {
        Trend::Linear => segments(bp, n)?,
        Trend::Constant => vec![0, n],
    };
    Ok((ax, bounds))
}

/// scipy `scipy.signal.detrend(data, axis, type, bp)`: `data` minus its mean (constant) or
/// minus the least-squares line of every segment between breakpoints (linear), along `axis`
/// (negative counts from the end). Any strides; result in `T`, computed in `f64`.
///
/// Errors: axis out of range, an empty axis, a breakpoint beyond the axis length.
///
/// ```
/// use ndarray::Array2;
/// use ndkern_signal::{detrend, Trend};
/// let a = Array2::from_shape_fn((3, 50), |(i, t)| (i as f32) * t as f32 + 2.0);
/// let d = detrend(&a, 1, Trend::Linear, &[]).unwrap();
/// assert!(d.iter().all(|v| v.abs() < 1e-4));
/// ```
#[must_use = "detrend returns a new array"]
pub fn detrend<T: Element, S: Data<Elem = T>, D: Dimension>(
    data: &ArrayBase<S, D>,
    axis: isize,
    kind: Trend,
    bp: &[usize],
) -> Result<Array<T, D>> {
    let mut out = ndkern_core::try_zeros::<T, D>("detrend's output", data.raw_dim())?;
    detrend_into(data, axis, kind, bp, &mut out)?;
    Ok(out)
}

/// [`detrend`] writing into `out` (same shape as `data`).
///
/// ```
/// use ndarray::{array, Array1};
/// use ndkern_signal::{detrend_into, Trend};
/// let mut out = Array1::<f64>::zeros(3);
/// detrend_into(&array![1.0, 2.0, 6.0], 0, Trend::Constant, &[], &mut out).unwrap();
/// assert_eq!(out.to_vec(), vec![-2.0, -1.0, 3.0]);
/// ```
pub fn detrend_into<T: Element, S: Data<Elem = T>, So: DataMut<Elem = T>, D: Dimension>(
    data: &ArrayBase<S, D>,
    axis: isize,
    kind: Trend,
    bp: &[usize],
    out: &mut ArrayBase<So, D>,
) -> Result<()> {
    let (ax, bounds) = check(data.shape(), data.ndim(), axis, bp, kind)?;
    map_lanes(data, out, ax, |x, y| {
        y.copy_from_slice(x);
        detrend_line(y, kind, &bounds);
    })
}

/// [`detrend`] in place (scipy's `overwrite_data=True`, but guaranteed).
///
/// ```
/// use ndarray::array;
/// use ndkern_signal::{detrend_inplace, Trend};
/// let mut a = array![[0.0f64, 1.0, 2.0], [5.0, 5.0, 8.0]];
/// detrend_inplace(&mut a, -1, Trend::Constant, &[]).unwrap();
/// assert_eq!(a.row(1).to_vec(), vec![-1.0, -1.0, 2.0]);
/// ```
pub fn detrend_inplace<T: Element, S: DataMut<Elem = T>, D: Dimension>(
    data: &mut ArrayBase<S, D>,
    axis: isize,
    kind: Trend,
    bp: &[usize],
) -> Result<()> {
    let (ax, bounds) = check(data.shape(), data.ndim(), axis, bp, kind)?;
    map_lanes_inplace(data, ax, |x| detrend_line(x, kind, &bounds));
    Ok(())
}
