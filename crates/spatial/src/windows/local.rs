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

use ndarray::{Array, ArrayBase, ArrayViewMut, Axis, Data, Dimension, Zip};
use ndkern_core::{worth_parallel, BorderMode, Element, LineBuffer, Result};
use rayon::prelude::*;

use super::axis::{run_in_place, Pass};
use super::params::{check_extent, check_shape, padding, per_axis, WindowMode};
use super::uniform::{box_line, box_line_finite};

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
    if mean.is_standard_layout() && var.is_standard_layout() {
        // One fused sweep: input read once, mean and variance written once.
        let src = ndkern_core::try_standard_layout("a C-order copy of the input", a)?;
        let s = src.as_slice().expect("standard layout");
        let shape = a.shape().to_vec();
        let m = mean.as_slice_mut().expect("standard layout");
        let v = var.as_slice_mut().expect("standard layout");
        if !super::local_fused::run(s, &shape, &sizes, &pads, mode, k, m, v) {
            recover_overflow(a, &sizes, &pads, mode, k, &mut mean, &mut var);
        }
        return Ok(());
    }
    let shrink = mode == WindowMode::Shrink;
    let mut m1 = ndkern_core::try_zeros::<f64, _>("f64 moments", a.raw_dim())?;
    let mut m2 = ndkern_core::try_zeros::<f64, _>("f64 moments", a.raw_dim())?;

    // Pass 1 (axis 0). C-contiguous finite data: vertical running sums over whole rows (two
    // sweeps, one per plane). Otherwise one gathered lane gives both window sums at once.
    let (w0, (b0, a0)) = (sizes[0], pads[0]);
    let n0 = a.len_of(Axis(0));
    let std_src = ndkern_core::try_standard_layout("a C-order copy of the input", a)?;
    let vertical = a.ndim() >= 2
        && std_src
            .as_slice()
            .is_some_and(|s| ndkern_core::sum(s).is_finite());
    if vertical {
        let src = std_src.as_slice().expect("checked");
        let g = super::vertical::Geometry::of(a.shape(), 0);
        let (o1, o2) = match mode {
            WindowMode::Border(BorderMode::Constant(c)) => (c - k, (c - k) * (c - k)),
            _ => (0.0, 0.0),
        };
        let finish = move |i: usize, s: f64| {
            if shrink {
                let lo = i.saturating_sub(b0);
                let hi = (i + w0 - b0).min(n0);
                s / (hi - lo) as f64
            } else {
                s / w0 as f64
            }
        };
        let m1s = m1.as_slice_mut().expect("standard layout");
        super::vertical::box_pass(src, m1s, g, w0, b0, mode.border(), o1, |v| v - k, finish);
        let m2s = m2.as_slice_mut().expect("standard layout");
        let sq = |v: f64| (v - k) * (v - k);
        super::vertical::box_pass(src, m2s, g, w0, b0, mode.border(), o2, sq, finish);
    } else {
        let proto = LineBuffer::<T>::new(n0, b0, a0, mode.border())?;
        let make = || {
            (
                proto.clone(),
                vec![0.0f64; n0 + b0 + a0],
                vec![0.0f64; n0 + b0 + a0],
                vec![0.0f64; n0],
            )
        };
        let work = |(buf, e1, e2, out): &mut (LineBuffer<T>, Vec<f64>, Vec<f64>, Vec<f64>),
                    lane: ndarray::ArrayView1<'_, T>,
                    mut o1: ndarray::ArrayViewMut1<'_, f64>,
                    mut o2: ndarray::ArrayViewMut1<'_, f64>| {
            buf.gather(lane)
                .expect("every lane of axis 0 has the line buffer's length");
            shifted_line(buf.extended(), e1, e2, b0, n0, shrink, k);
            box_line(e1, out, w0, b0, true, shrink);
            o1.iter_mut().zip(out.iter()).for_each(|(o, &v)| *o = v);
            box_line(e2, out, w0, b0, true, shrink);
            o2.iter_mut().zip(out.iter()).for_each(|(o, &v)| *o = v);
        };
        let zip = Zip::from(a.lanes(Axis(0)))
            .and(m1.lanes_mut(Axis(0)))
            .and(m2.lanes_mut(Axis(0)));
        if worth_parallel(a.len()) {
            zip.into_par_iter()
                .for_each_init(make, |s, (l, o1, o2)| work(s, l, o1, o2));
        } else {
            let mut s = make();
            zip.for_each(|l, o1, o2| work(&mut s, l, o1, o2));
        }
    }

    // Later axes: box means of the two f64 planes; outside samples in the shifted space.
    for (axis, (&w, &(before, after))) in sizes.iter().zip(&pads).enumerate().skip(1) {
        if w == 1 {
            continue;
        }
        let (c1, c2) = match mode {
            WindowMode::Border(BorderMode::Constant(c)) => (
                BorderMode::Constant(c - k),
                BorderMode::Constant((c - k) * (c - k)),
            ),
            other => (other.border(), other.border()),
        };
        let kern = move |e: &[f64], o: &mut [f64]| {
            if vertical {
                box_line_finite(e, o, w, before, true, shrink)
            } else {
                box_line(e, o, w, before, true, shrink)
            }
        };
        for (plane, border) in [(&mut m1, c1), (&mut m2, c2)] {
            let pass = Pass {
                axis,
                before,
                after,
                mode: border,
                kernel: &kern,
            };
            run_in_place(&mut plane.view_mut(), &pass)?;
        }
    }

    let mut finite = true;
    Zip::from(&mut mean)
        .and(&mut var)
        .and(&m1)
        .and(&m2)
        .for_each(|mo, vo, &d1, &d2| {
            *mo = T::of_f64(k + d1);
            let v = d2 - d1 * d1;
            // Rounding can leave a tiny negative for a constant window; NaN stays NaN.
            *vo = T::of_f64(if v < 0.0 { 0.0 } else { v });
            finite &= mo.is_finite() & vo.is_finite();
        });
    if !finite {
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

ndkern_core::multiversion! {
    /// `e1 = x - k` and `e2 = (x - k)^2` over an extended line whose samples are
    /// `ext[b0..b0 + n0]` (with `shrink`, the border room is 0 in both).
    fn shifted_line[T: Element](
        ext: &[T],
        e1: &mut [f64],
        e2: &mut [f64],
        b0: usize,
        n0: usize,
        shrink: bool,
        k: f64,
    ) {
        for (i, &x) in ext.iter().enumerate() {
            let inside = (b0..b0 + n0).contains(&i);
            let d = if shrink && !inside {
                0.0
            } else {
                x.as_f64() - k
            };
            e1[i] = d;
            e2[i] = d * d;
        }
    }
}
