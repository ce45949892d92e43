//! Rolling (moving-window) sum, mean, variance and standard deviation along an axis, with
//! pandas semantics: `Series.rolling(window, min_periods, center).sum()/.mean()/.var(ddof)/.std(ddof)`.
//!
//! * Window of output `i`: samples `i + off - window + 1 ..= i + off`, clipped to the lane,
//!   with `off = (window - 1) / 2` when `center` and 0 otherwise (pandas' `FixedWindowIndexer`).
//! * NaN is missing data: skipped and not counted. An output is NaN unless the window holds at
//!   least `min_periods` non-NaN samples (default: `window`, as pandas).
//!   `min_periods = 0` gives a sum of 0 over an all-NaN window.
//! * `inf` is a value: it makes the sum/mean of its windows `inf` (or NaN for `inf - inf`) and
//!   their variance NaN, like pandas.
//!
//! Accuracy: the running sums are compensated (Neumaier) `f64`, variance uses sums of
//! deviations from a shift that is re-centred on the window mean, and every
//! `max(window, 1024)` outputs the sums are recomputed from scratch (re-anchored), so the error
//! does not grow with lane length. pandas and polars use Kahan too; bottleneck accumulates
//! float32 input in float32 and drifts. O(1) per sample for any window.
//!
//! Overflow stays local: when finite samples make the running moments overflow
//! (`1e308 + 1e308`), that window is recomputed directly on values scaled by a power of two
//! (so its mean, variance or std is finite whenever it is representable; a sum that exceeds
//! the range is `inf`) and the running moments are re-anchored at each following window until
//! they are finite again, so the overflow never reaches the windows after it.
//!
//! ```
//! use ndarray::array;
//! use ndkern_signal::{rolling_mean, Rolling};
//! let x = array![1.0f64, 2.0, f64::NAN, 4.0, 5.0];
//! // pandas: pd.Series(x).rolling(3, min_periods=2, center=True).mean()
//! let m = rolling_mean(&x, 0, Rolling::new(3).min_periods(2).center(true)).unwrap();
//! assert_eq!(m[0], 1.5);
//! assert_eq!(m[2], 3.0);
//! assert_eq!(m[4], 4.5);
//! ```

use ndarray::{Array, ArrayBase, Data, DataMut, Dimension};
use ndkern_core::{CompensatedSum, Element, Error, Result, ANCHOR_EVERY};

use crate::lanes::{ldexp, map_lanes, norm_axis, scale_exponent};

/// Window options for the rolling statistics (pandas `rolling(window, min_periods, center)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rolling {
    /// Window length in samples (>= 1, <= the axis length).
    pub window: usize,
    /// Least number of non-NaN samples for a result; `None` means `window` (pandas default).
    pub min_periods: Option<usize>,
    /// Label each window at its centre instead of its right end.
    pub center: bool,
}

impl Rolling {
    /// A trailing window of `window` samples, `min_periods = window`.
    pub fn new(window: usize) -> Self {
        Self {
            window,
            min_periods: None,
            center: false,
        }
    }
    /// Sets `min_periods`.
    pub fn min_periods(mut self, m: usize) -> Self {
        self.min_periods = Some(m);
        self
    }
    /// Sets `center`.
    pub fn center(mut self, c: bool) -> Self {
        self.center = c;
        self
    }
    /// Validates the window for an axis of `n` samples; returns the effective `min_periods`.
    pub(crate) fn check(&self, n: usize) -> Result<usize> {
        if self.window == 0 {
            return Err(Error::InvalidParameter {
                name: "window",
                reason: "the window must hold at least 1 sample".into(),
            });
        }
        if self.window > n {
            return Err(Error::InvalidParameter {
                name: "window",
                reason: format!(
                    "window {} is longer than the axis ({n} samples); use a window of at most {n}",
                    self.window
                ),
            });
        }
        let mp = self.min_periods.unwrap_or(self.window);
        if mp > self.window {
            return Err(Error::InvalidParameter {
                name: "min_periods",
                reason: format!("min_periods {mp} must be <= window {}", self.window),
            });
        }
        Ok(mp)
    }
}

/// Which statistic a rolling pass produces.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Stat {
    Sum,
    Mean,
    Var(usize),
    Std(usize),
}

/// Running moments of the finite samples in a window, about a shift `k`.
struct Moments {
    /// Whether the second moment is needed (var/std); sum/mean skip it.
    second: bool,
    k: f64,
    s1: CompensatedSum,
    s2: CompensatedSum,
    count: usize,
    pos_inf: usize,
    neg_inf: usize,
}

impl Moments {
    /// Fresh moments of `x` (re-anchoring), shifted by the mean of its finite values.
    #[inline(always)]
    fn of(x: &[f64], second: bool) -> Self {
        let (mut s, mut c) = (0.0, 0usize);
        for &v in x.iter().filter(|v| v.is_finite()) {
            s += v;
            c += 1;
        }
        // Sums and means need no shift: the compensated sum of the raw values is exact to
        // rounding however far the values move (a shift far from later windows would round
        // every later `v - k`). Variances shift by the window mean (no cancellation).
        let k = if c == 0 || !second {
            0.0
        } else if s.is_finite() {
            s / c as f64
        } else {
            // Finite values whose sum overflowed (near 1e308): the mean of scaled values.
            scaled_mean(x)
        };
        let mut m = Moments {
            second,
            k,
            s1: CompensatedSum::new(),
            s2: CompensatedSum::new(),
            count: 0,
            pos_inf: 0,
            neg_inf: 0,
        };
        for &v in x {
            m.add(v, 1.0);
        }
        m
    }
    #[inline(always)]
    fn add(&mut self, v: f64, sign: f64) {
        if v.is_nan() {
            return;
        }
        let delta = if sign > 0.0 { 1isize } else { -1 };
        if v.is_infinite() {
            let slot = if v > 0.0 {
                &mut self.pos_inf
            } else {
                &mut self.neg_inf
            };
            *slot = slot.wrapping_add_signed(delta);
        } else {
            let d = v - self.k;
            self.s1.add(sign * d);
            if self.second {
                self.s2.add(sign * d * d);
            }
        }
        self.count = self.count.wrapping_add_signed(delta);
    }
    /// Whether the shift `k` has drifted so far from the window (its mean more than 100
    /// window standard deviations and more than `1e-12 |k|` away) that the rounding of
    /// `v - k` and the cancellation in `s2 - s1^2 / n` would cost more than ~1e-12 of the
    /// variance: then re-anchor. O(1) per output.
    #[inline(always)]
    fn stale(&self) -> bool {
        let n = self.count - self.pos_inf - self.neg_inf;
        if n == 0 {
            return false;
        }
        let s1 = self.s1.value();
        let q = s1 * s1 / n as f64;
        // The second test keeps a constant window whose mean is not representable (the
        // shift a few ulps off, zero spread) from re-anchoring at every output.
        q > 1e4 * (self.s2.value() - q) && (s1 / n as f64).abs() > 1e-12 * self.k.abs()
    }

    /// Whether [`Moments::finish`] has a finite answer unless the finite values' own
    /// statistic overflows: enough samples, none infinite.
    #[inline(always)]
    fn finite_expected(&self, stat: Stat, min_periods: usize) -> bool {
        let need = match stat {
            Stat::Sum | Stat::Mean => 1,
            Stat::Var(ddof) | Stat::Std(ddof) => ddof.saturating_add(1),
        };
        self.count >= min_periods.max(need) && self.pos_inf == 0 && self.neg_inf == 0
    }

    #[inline(always)]
    fn finish(&self, stat: Stat, min_periods: usize) -> f64 {
        let n = self.count;
        if n < min_periods {
            return f64::NAN;
        }
        let finite_n = n - self.pos_inf - self.neg_inf;
        let inf = if self.pos_inf > 0 && self.neg_inf > 0 {
            Some(f64::NAN)
        } else if self.pos_inf > 0 {
            Some(f64::INFINITY)
        } else if self.neg_inf > 0 {
            Some(f64::NEG_INFINITY)
        } else {
            None
        };
        let s1 = self.s1.value();
        match stat {
            Stat::Sum => inf.unwrap_or(s1 + self.k * finite_n as f64),
            Stat::Mean => {
                if n == 0 {
                    f64::NAN
                } else {
                    inf.unwrap_or(self.k + s1 / n as f64)
                }
            }
            Stat::Var(ddof) | Stat::Std(ddof) => {
                if inf.is_some() || n <= ddof {
                    return f64::NAN;
                }
                // NaN-preserving clamp of the rounding below 0 (an overflowed s2 is NaN/inf
                // here and takes the caller's recovery path, never 0).
                let var = ndkern_core::nan_max(
                    (self.s2.value() - s1 * s1 / n as f64) / (n - ddof) as f64,
                    0.0,
                );
                if matches!(stat, Stat::Std(_)) {
                    var.sqrt()
                } else {
                    var
                }
            }
        }
    }
}

/// The mean of the finite values of `x`, computed on values scaled by a power of two so
/// that values near `1e308` do not overflow the sum.
fn scaled_mean(x: &[f64]) -> f64 {
    let e = scale_exponent(x.iter().copied().filter(|v| v.is_finite())).unwrap_or(0);
    let (mut s, mut c) = (0.0, 0usize);
    for &v in x.iter().filter(|v| v.is_finite()) {
        s += ldexp(v, -e);
        c += 1;
    }
    ldexp(s / c.max(1) as f64, e)
}

/// The statistic of one window of finite values (the caller checked
/// [`Moments::finite_expected`]) computed directly on values scaled by a power of two: the
/// slow path for windows whose running moments overflowed (values near `1e308`). The result
/// is `inf` only when the statistic itself is not representable (`std` often is when `var`
/// is not).
fn direct_scaled(x: &[f64], stat: Stat) -> f64 {
    let vals: Vec<f64> = x.iter().copied().filter(|v| v.is_finite()).collect();
    let e = scale_exponent(vals.iter().copied()).unwrap_or(0);
    let xs: Vec<f64> = vals.iter().map(|&v| ldexp(v, -e)).collect();
    let n = xs.len() as f64;
    let sum: f64 = xs.iter().sum();
    match stat {
        Stat::Sum => ldexp(sum, e),
        Stat::Mean => ldexp(sum / n, e),
        Stat::Var(ddof) | Stat::Std(ddof) => {
            let m = sum / n;
            let ss: f64 = xs.iter().map(|v| (v - m) * (v - m)).sum();
            let var = ss / (n - ddof as f64);
            if matches!(stat, Stat::Std(_)) {
                ldexp(var.sqrt(), e)
            } else {
                ldexp(var, 2 * e)
            }
        }
    }
}

ndkern_core::multiversion! {
    /// One lane: `out[i]` = the statistic of the window labelled `i`.
    pub(crate) fn rolling_line(
        x: &[f64],
        out: &mut [f64],
        opt: Rolling,
        min_periods: usize,
        stat: Stat,
    ) {
        let n = x.len() as isize;
        let w = opt.window as isize;
        let off = if opt.center { (w - 1) / 2 } else { 0 };
        let bounds = |i: isize| {
            (
                (i + off - w + 1).clamp(0, n) as usize,
                (i + off + 1).clamp(0, n) as usize,
            )
        };
        let every = ANCHOR_EVERY.max(opt.window);
        let second = matches!(stat, Stat::Var(_) | Stat::Std(_));
        let mut m = Moments::of(&[], second);
        let (mut lo, mut hi) = (0usize, 0usize);
        for (i, o) in out.iter_mut().enumerate() {
            let (a, b) = bounds(i as isize);
            if i % every == 0 {
                m = Moments::of(&x[a..b], second);
            } else {
                // Windows only move right: add what enters, remove what leaves.
                for &v in &x[hi..b] {
                    m.add(v, 1.0);
                }
                for &v in &x[lo..a] {
                    m.add(v, -1.0);
                }
            }
            lo = a;
            hi = b;
            if second && m.stale() {
                // A level shift (a huge value that left, a jump in the data) moved the window
                // far from the shift: re-anchor now, not at the next regular anchor.
                m = Moments::of(&x[a..b], second);
            }
            *o = m.finish(stat, min_periods);
            if !o.is_finite() && m.finite_expected(stat, min_periods) {
                // Finite samples, non-finite result: the running moments overflowed here or
                // in an earlier window (1e308 + 1e308). Re-anchor on this window, so the
                // overflow does not poison the windows after it, and if this window's own
                // moments overflow, compute its statistic directly on scaled values.
                m = Moments::of(&x[a..b], second);
                *o = m.finish(stat, min_periods);
                if !o.is_finite() {
                    *o = direct_scaled(&x[a..b], stat);
                }
            }
        }
    }
}

fn rolling<T, S, So, D>(
    a: &ArrayBase<S, D>,
    axis: isize,
    opt: Rolling,
    stat: Stat,
    out: &mut ArrayBase<So, D>,
) -> Result<()>
where
    T: Element,
    S: Data<Elem = T>,
    So: DataMut<Elem = T>,
    D: Dimension,
{
    let ax = norm_axis(axis, a.ndim())?;
    let mp = opt.check(a.shape()[ax])?;
    map_lanes(a, out, ax, |x, y| rolling_line(x, y, opt, mp, stat))
}

/// pandas `rolling(window, min_periods, center).sum()` along `axis` (negative counts from the
/// end); see the [module docs](crate::rolling). Errors: axis out of range, `window` 0 or longer
/// than the axis, `min_periods > window`.
///
/// ```
/// use ndarray::array;
/// let x = array![1.0f64, 2.0, 4.0, 7.0];
/// let r = ndkern_signal::rolling_sum(&x, 0, ndkern_signal::Rolling::new(2)).unwrap();
/// assert!(r[0].is_nan());
/// assert_eq!(r[3], 11.0);
/// ```
#[must_use = "returns a new array"]
pub fn rolling_sum<T: Element, S: Data<Elem = T>, D: Dimension>(
    a: &ArrayBase<S, D>,
    axis: isize,
    opt: Rolling,
) -> Result<Array<T, D>> {
    let mut out = ndkern_core::try_zeros::<T, D>("the rolling output", a.raw_dim())?;
    rolling(a, axis, opt, Stat::Sum, &mut out)?;
    Ok(out)
}

/// pandas `rolling(...).mean()` along `axis`; see [`rolling_sum`] and the
/// [module docs](crate::rolling).
///
/// ```
/// use ndarray::array;
/// let x = array![1.0f64, 2.0, 4.0, 7.0];
/// let r = ndkern_signal::rolling_mean(&x, 0, ndkern_signal::Rolling::new(2)).unwrap();
/// assert_eq!(r[3], 5.5);
/// ```
#[must_use = "returns a new array"]
pub fn rolling_mean<T: Element, S: Data<Elem = T>, D: Dimension>(
    a: &ArrayBase<S, D>,
    axis: isize,
    opt: Rolling,
) -> Result<Array<T, D>> {
    let mut out = ndkern_core::try_zeros::<T, D>("the rolling output", a.raw_dim())?;
    rolling(a, axis, opt, Stat::Mean, &mut out)?;
    Ok(out)
}

/// pandas `rolling(...).var(ddof)` along `axis` (pandas' default `ddof` is 1); NaN where the
/// window has `<= ddof` samples. See [`rolling_sum`] and the [module docs](crate::rolling).
///
/// ```
/// use ndarray::array;
/// let x = array![1.0f64, 2.0, 4.0, 7.0];
/// let r = ndkern_signal::rolling_var(&x, 0, ndkern_signal::Rolling::new(2), 1).unwrap();
/// assert_eq!(r[3], 4.5);
/// ```
#[must_use = "returns a new array"]
pub fn rolling_var<T: Element, S: Data<Elem = T>, D: Dimension>(
    a: &ArrayBase<S, D>,
    axis: isize,
    opt: Rolling,
    ddof: usize,
) -> Result<Array<T, D>> {
    let mut out = ndkern_core::try_zeros::<T, D>("the rolling output", a.raw_dim())?;
    rolling(a, axis, opt, Stat::Var(ddof), &mut out)?;
    Ok(out)
}

/// pandas `rolling(...).std(ddof)` along `axis`: the square root of [`rolling_var`].
///
/// ```
/// use ndarray::array;
/// let x = array![1.0f64, 3.0, 5.0];
/// let r = ndkern_signal::rolling_std(&x, 0, ndkern_signal::Rolling::new(3), 1).unwrap();
/// assert_eq!(r[2], 2.0);
/// ```
#[must_use = "returns a new array"]
pub fn rolling_std<T: Element, S: Data<Elem = T>, D: Dimension>(
    a: &ArrayBase<S, D>,
    axis: isize,
    opt: Rolling,
    ddof: usize,
) -> Result<Array<T, D>> {
    let mut out = ndkern_core::try_zeros::<T, D>("the rolling output", a.raw_dim())?;
    rolling(a, axis, opt, Stat::Std(ddof), &mut out)?;
    Ok(out)
}

/// [`rolling_mean`] writing into `out` (same shape as `a`).
///
/// ```
/// use ndarray::{array, Array1};
/// let mut out = Array1::<f32>::zeros(3);
/// let opt = ndkern_signal::Rolling::new(2).min_periods(1);
/// ndkern_signal::rolling_mean_into(&array![1.0f32, 3.0, 5.0], 0, opt, &mut out).unwrap();
/// assert_eq!(out.to_vec(), vec![1.0, 2.0, 4.0]);
/// ```
pub fn rolling_mean_into<T: Element, S: Data<Elem = T>, So: DataMut<Elem = T>, D: Dimension>(
    a: &ArrayBase<S, D>,
    axis: isize,
    opt: Rolling,
    out: &mut ArrayBase<So, D>,
) -> Result<()> {
    check_out(a.shape(), out.shape())?;
    rolling(a, axis, opt, Stat::Mean, out)
}

/// [`rolling_sum`] writing into `out` (same shape as `a`). Errors as [`rolling_sum`], plus
/// `out` of another shape.
///
/// ```
/// use ndarray::{array, Array1};
/// let mut out = Array1::<f64>::zeros(4);
/// ndkern_signal::rolling_sum_into(&array![1.0, 2.0, 4.0, 7.0], 0, ndkern_signal::Rolling::new(2), &mut out).unwrap();
/// assert_eq!(out[3], 11.0);
/// ```
pub fn rolling_sum_into<T: Element, S: Data<Elem = T>, So: DataMut<Elem = T>, D: Dimension>(
    a: &ArrayBase<S, D>,
    axis: isize,
    opt: Rolling,
    out: &mut ArrayBase<So, D>,
) -> Result<()> {
    check_out(a.shape(), out.shape())?;
    rolling(a, axis, opt, Stat::Sum, out)
}

/// [`rolling_var`] writing into `out` (same shape as `a`).
///
/// ```
/// use ndarray::{array, Array1};
/// let mut out = Array1::<f32>::zeros(4);
/// ndkern_signal::rolling_var_into(&array![1.0f32, 2.0, 4.0, 7.0], 0, ndkern_signal::Rolling::new(2), 1, &mut out).unwrap();
/// assert_eq!(out[3], 4.5);
/// ```
pub fn rolling_var_into<T: Element, S: Data<Elem = T>, So: DataMut<Elem = T>, D: Dimension>(
    a: &ArrayBase<S, D>,
    axis: isize,
    opt: Rolling,
    ddof: usize,
    out: &mut ArrayBase<So, D>,
) -> Result<()> {
    check_out(a.shape(), out.shape())?;
    rolling(a, axis, opt, Stat::Var(ddof), out)
}

/// [`rolling_std`] writing into `out` (same shape as `a`).
///
/// ```
/// use ndarray::{array, Array1};
/// let mut out = Array1::<f64>::zeros(3);
/// ndkern_signal::rolling_std_into(&array![1.0, 3.0, 5.0], 0, ndkern_signal::Rolling::new(3), 1, &mut out).unwrap();
/// assert_eq!(out[2], 2.0);
/// ```
pub fn rolling_std_into<T: Element, S: Data<Elem = T>, So: DataMut<Elem = T>, D: Dimension>(
    a: &ArrayBase<S, D>,
    axis: isize,
    opt: Rolling,
    ddof: usize,
    out: &mut ArrayBase<So, D>,
) -> Result<()> {
    check_out(a.shape(), out.shape())?;
    rolling(a, axis, opt, Stat::Std(ddof), out)
}

/// `out` must have the input's shape.
fn check_out(a: &[usize], out: &[usize]) -> Result<()> {
    if a != out {
        return Err(Error::ShapeMismatch {
            expected: a.to_vec(),
            got: out.to_vec(),
        });
    }
    Ok(())
}
