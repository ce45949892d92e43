//! Local mean and variance over a box window around every element, in one fused pass (Q16).
//!
//! OpenCV users compute `blur(x)` and `blur(x*x)` and subtract: two passes and the textbook
//! cancellation `E[x^2] - E[x]^2`, which loses everything on data like `1e6 + noise` (in f32 the
//! variance comes out 0 or negative; in f64 about 10 of 16 digits are gone). Here the data are
//! shifted by `K`, the mean of the finite samples of the whole array, before anything is
//! squared, and the two window sums of `d = x - K` and `d^2` come out of the same gathered line
//! in `f64` (running sums, O(1) per sample). The variance `mean(d^2) - mean(d)^2` then cancels
//! only the local offset `mean(x) - K` instead of the data's magnitude: on `1e6 + N(0, 1)` data
//! the f32 result agrees with a two-pass oracle to ~1e-7 relative.
//!
//! Window semantics are [`uniform_filter`](super::uniform_filter)'s with origin 0: a
//! [`BorderMode`] extends the array (`Constant(c)` samples are `c`), [`WindowMode::Shrink`]
//! takes the statistics of the in-bounds samples only. A NaN makes the mean and variance of
//! every window containing it NaN and nothing else.

use ndarray::{Array, ArrayBase, ArrayViewMut, Axis, Data, Dimension};
use ndkern_core::{BorderMode, Element, Result};

use super::engine::moments;
use super::params::{check_extent, check_shape, padding, per_axis, WindowMode};
use super::plan::{Kind, SepPass};

/// The mean of the finite samples (0 when there are none): the shift `K`.
fn shift_of<T: Element, S: Data<Elem = T>, D: Dimension>(a: &ArrayBase<S, D>) -> f64 {
    if let Some(x) = a.as_slice_memory_order() {
        // All finite (the usual case): core's SIMD sum.
        let s = ndkern_core::sum(x);
        if s.is_finite() && !x.is_empty() {
            return s / x.len() as f64;
        }
    }
    // A running mean (`m += v / n - m / n` never overflows, unlike a sum of values near
    // 1e308): only the shift of arrays holding non-finite or huge values is computed here.
    let (mut m, mut n) = (0.0f64, 0usize);
    for &v in a.iter() {
        let v = v.as_f64();
        if v.is_finite() {
            n += 1;
            m += v / n as f64 - m / n as f64;
        }
    }
    m
}

/// Local mean and population variance (`ddof = 0`) over a window of `size` (one value or one
/// per axis) centred on every element.
///
/// ```
/// use ndarray::array;
/// use ndkern_spatial::{local_mean_var, BorderMode};
/// let a = array![[1.0f64, 3.0, 5.0], [7.0, 9.0, 11.0]];
/// let (m, v) = local_mean_var(&a, &[1, 3], BorderMode::Nearest).unwrap();
/// let expected = array![[5.0 / 3.0, 3.0, 13.0 / 3.0], [23.0 / 3.0, 9.0, 31.0 / 3.0]];
/// assert!(m.iter().zip(&expected).all(|(x, y)| (x - y).abs() < 1e-12));
/// assert!((v[[0, 1]] - 8.0 / 3.0).abs() < 1e-12);
/// ```
#[must_use = "the local mean and variance are returned"]
#[allow(clippy::type_complexity)]
pub fn local_mean_var<T, S, D>(
    a: &ArrayBase<S, D>,
    size: &[usize],
    mode: impl Into<WindowMode>,
) -> Result<(Array<T, D>, Array<T, D>)>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    let mut m = ndkern_core::try_zeros("local mean output", a.raw_dim())?;
    let mut v = ndkern_core::try_zeros("local variance output", a.raw_dim())?;
    local_mean_var_into(a, size, mode, m.view_mut(), v.view_mut())?;
    Ok((m, v))
}

/// The local standard deviation: the square root of [`local_mean_var`]'s variance.
///
/// ```
/// use ndarray::array;
/// use ndkern_spatial::{local_std, WindowMode};
/// let a = array![1e6 + 1.0, 1e6 - 1.0, 1e6 + 1.0, 1e6 - 1.0];
/// let s = local_std(&a, &[2], WindowMode::Shrink).unwrap();
/// assert_eq!(s, array![0.0, 1.0, 1.0, 1.0]);
/// ```
#[must_use = "the local standard deviation is returned"]
pub fn local_std<T, S, D>(
    a: &ArrayBase<S, D>,
    size: &[usize],
    mode: impl Into<WindowMode>,
) -> Result<Array<T, D>>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    let (_, v) = local_mean_var(a, size, mode)?;
    Ok(v.mapv_into(|x| x.sqrt()))
}

/// [`local_mean_var`] into `mean` and `var` (each the input's shape).
///
/// ```
/// use ndarray::{array, Array1};
/// use ndkern_spatial::{local_mean_var_into, BorderMode};
/// let a = array![2.0f32, 4.0, 6.0];
/// let (mut m, mut v) = (Array1::zeros(3), Array1::zeros(3));
/// local_mean_var_into(&a, &[3], BorderMode::Wrap, m.view_mut(), v.view_mut()).unwrap();
/// assert_eq!(m, array![4.0, 4.0, 4.0]);
/// assert!((v[0] - 8.0 / 3.0).abs() < 1e-6);
/// ```
pub fn local_mean_var_into<T, S, D>(
    a: &ArrayBase<S, D>,
    size: &[usize],
    mode: impl Into<WindowMode>,
    mut mean: ArrayViewMut<'_, T, D>,
    mut var: ArrayViewMut<'_, T, D>,
) -> Result<()>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    let mode = mode.into();
    check_shape(a.shape(), mean.shape())?;
    check_shape(a.shape(), var.shape())?;
    if a.ndim() == 0 {
        // A 0-d array is its own window (numpy: the variance of [NaN] or [inf] is NaN).
        mean.assign(a);
        var.zip_mut_with(a, |v, &x| {
            *v = if x.is_finite() { T::zero() } else { T::nan() }
        });
        return Ok(());
    }
    let sizes = per_axis("size", size, a.ndim())?;
    let pads = sizes
        .iter()
        .map(|&w| padding(w, 0))
        .collect::<Result<Vec<_>>>()?;
    if a.is_empty() {
        return Ok(());
    }
    for (ax, &(before, after)) in pads.iter().enumerate() {
        check_extent(a.len_of(Axis(ax)), before, after)?;
    }
    let k = shift_of(a);
    // The plan: one moments pass per axis (1-wide windows included: they keep the sweep's
    // levels aligned with the axes). The engine runs it as one sweep on C-contiguous outputs
    // and per axis otherwise (engine/moments.rs).
    let shrink = mode == WindowMode::Shrink;
    let passes: Vec<SepPass<'_, T>> = sizes
        .iter()
        .zip(&pads)
        .enumerate()
        .map(|(axis, (&w, &(before, after)))| SepPass {
            axis,
            before,
            after,
            mode: mode.border(),
            kind: Kind::Moments { w, shrink },
        })
        .collect();
    if !moments::run(a, &passes, k, &mut mean, &mut var)? {
        recover_overflow(a, &sizes, &pads, mode, k, &mut mean, &mut var);
    }
    Ok(())
}

/// Most window samples the overflow recovery visits in all (beyond that, outputs that
/// overflowed stay non-finite rather than the call taking minutes).
const RECOVERY_BUDGET: u128 = 1 << 30;

/// The rare path after some mean or variance came out non-finite. When the shifted samples
/// `x - K` are small enough that the one-pass sums cannot overflow, the non-finite outputs
/// come from non-finite data (or from rounding to `f32`) and are right. Otherwise (data near
/// +-1e308, or squares of 1e200) every non-finite output whose window holds only finite
/// samples is recomputed directly with scaled two-pass moments, as numpy's `mean`/`var` of
/// the window would (finite where the result is: the variance of three 1e200 is 0).
#[cold]
fn recover_overflow<T, S, D>(
    a: &ArrayBase<S, D>,
    sizes: &[usize],
    pads: &[(usize, usize)],
    mode: WindowMode,
    k: f64,
    mean: &mut ArrayViewMut<'_, T, D>,
    var: &mut ArrayViewMut<'_, T, D>,
) where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    let mut dmax = a
        .iter()
        .map(|v| v.as_f64())
        .filter(|v| v.is_finite())
        .fold(0.0f64, |m, v| {
            let d = (v - k).abs();
            if d > m {
                d
            } else {
                m
            }
        });
    if let WindowMode::Border(BorderMode::Constant(c)) = mode {
        if c.is_finite() {
            dmax = if (c - k).abs() > dmax {
                (c - k).abs()
            } else {
                dmax
            };
        }
    }
    let volume: f64 = sizes.iter().map(|&w| w as f64).product();
    // The sums of d and d^2 over a window stay far below f64::MAX (and k + mean(d) finite).
    if dmax.is_finite() && dmax * dmax * volume * 4.0 < f64::MAX && k.abs() < f64::MAX / 4.0 {
        return;
    }
    let per_window: u128 = sizes.iter().map(|&w| w as u128).product();
    let mut budget = RECOVERY_BUDGET;
    let shape = a.shape().to_vec();
    let ad = a.view().into_dyn();
    let cval = match mode {
        WindowMode::Border(BorderMode::Constant(c)) => Some(c),
        _ => None,
    };
    let border = mode.border();
    let shrink = mode == WindowMode::Shrink;
    let mut md = mean.view_mut().into_dyn();
    let mut vd = var.view_mut().into_dyn();
    let nd = shape.len();
    let (mut vals, mut off, mut src) = (Vec::new(), vec![0usize; nd], Vec::with_capacity(nd));
    for (idx, mo) in md.indexed_iter_mut() {
        let vo = &mut vd[&idx];
        if mo.is_finite() && vo.is_finite() {
            continue;
        }
        if budget < per_window {
            return;
        }
        budget -= per_window;
        // Every sample of the window (the border mode's value outside the array).
        let idx = idx.slice();
        vals.clear();
        off.iter_mut().for_each(|o| *o = 0);
        'window: loop {
            src.clear();
            let mut inside = true;
            for ax in 0..nd {
                let p = idx[ax] as isize + off[ax] as isize - pads[ax].0 as isize;
                match border.source_index(p, shape[ax]) {
                    Some(s) if (0..shape[ax] as isize).contains(&p) || !shrink => src.push(s),
                    _ => inside = false,
                }
            }
            if inside {
                vals.push(ad[src.as_slice()].as_f64());
            } else if let (Some(c), false) = (cval, shrink) {
                vals.push(c);
            }
            for ax in (0..nd).rev() {
                off[ax] += 1;
                if off[ax] < sizes[ax] {
                    continue 'window;
                }
                off[ax] = 0;
            }
            break;
        }
        if vals.is_empty() || vals.iter().any(|v| !v.is_finite()) {
            continue;
        }
        let (m, v) = scaled_moments(&vals);
        *mo = T::of_f64(m);
        *vo = T::of_f64(v);
    }
}

/// Mean and population variance of finite values without intermediate overflow: the values
/// are scaled by a power of two (exact) to magnitudes below 2, the mean is the first value
/// plus the mean deviation from it (exact for a constant window: variance 0), and the
/// variance is scaled back (inf only when it is out of range).
fn scaled_moments(vals: &[f64]) -> (f64, f64) {
    let amax = vals
        .iter()
        .fold(0.0f64, |a, &v| if v.abs() > a { v.abs() } else { a });
    if amax == 0.0 {
        return (0.0, 0.0);
    }
    let scale = 2f64.powi(-(amax.log2().floor() as i32));
    let n = vals.len() as f64;
    let s0 = vals[0] * scale;
    let m = s0 + vals.iter().map(|&v| v * scale - s0).sum::<f64>() / n;
    let var = vals
        .iter()
        .map(|&v| (v * scale - m) * (v * scale - m))
        .sum::<f64>()
        / n;
    (m / scale, var / scale / scale)
}
