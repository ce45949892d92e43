//! Lane plumbing shared by the along-axis kernels: numpy axis normalization, and a driver
//! that hands each lane to a kernel as a contiguous `f64` slice (any strides, any layout)
//! and writes the kernel's `f64` line back in the element type. The conversions are
//! `ndkern_core::multiversion!` leaves; kernels that want the dispatched level for their own
//! loops are multiversioned themselves (`rolling_line`, `detrend_line`).

use ndarray::{
    ArrayBase, ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2, Data, DataMut, Dimension,
};
use ndkern_core::{for_each_lane, Element, Error, Result};

/// numpy's axis convention: `-ndim..ndim`, negative counts from the end.
pub(crate) fn norm_axis(axis: isize, ndim: usize) -> Result<usize> {
    let a = if axis < 0 { axis + ndim as isize } else { axis };
    if a < 0 || a as usize >= ndim {
        return Err(Error::AxisOutOfRange { axis, ndim });
    }
    Ok(a as usize)
}

/// One-vs-many checks: `axis` normalized for a `shape`, and the series `y` as long as that
/// axis. Returns `(axis, length)`.
pub(crate) fn series_axis(shape: &[usize], axis: isize, y_len: usize) -> Result<(usize, usize)> {
    let ax = norm_axis(axis, shape.len())?;
    let n = shape[ax];
    if y_len != n {
        return Err(Error::ShapeMismatch {
            expected: vec![n],
            got: vec![y_len],
        });
    }
    Ok((ax, n))
}

/// `out` lane = `f(input lane as f64)` for every lane along `axis`; `f` writes `out.len()`
/// values (the lane length). Lanes run in parallel when the array is large.
pub(crate) fn map_lanes<T, S, So, D>(
    input: &ArrayBase<S, D>,
    output: &mut ArrayBase<So, D>,
    axis: usize,
    f: impl Fn(&[f64], &mut [f64]) + Sync + Send,
) -> Result<()>
where
    T: Element,
    S: Data<Elem = T>,
    So: DataMut<Elem = T>,
    D: Dimension,
{
    let n = input.shape().get(axis).copied().unwrap_or(0);
    if input.shape() == output.shape() && axis < input.ndim() {
        let stride_ok = panels_worthwhile(input.strides(), input.shape(), axis);
        if stride_ok {
            output.zip_mut_with(input, |o, &i| *o = i);
            map_lanes_inplace(output, axis, |x| {
                let tmp = x.to_vec();
                f(&tmp, x);
            });
            return Ok(());
        }
    }
    for_each_lane(
        input,
        output,
        axis,
        || (vec![0.0f64; n], vec![0.0f64; n]),
        |lane, out: ArrayViewMut1<'_, T>, (buf, res)| {
            lane_to_f64(lane, buf);
            f(buf, res);
            lane_from_f64(res, out);
        },
    )
}

ndkern_core::multiversion! {
    /// `buf[i] = lane[i]` in f64 (the shorter length), compiled per SIMD level.
    fn lane_to_f64[T: Element](lane: ArrayView1<'_, T>, buf: &mut [f64]) {
        match lane.as_slice() {
            Some(s) => buf.iter_mut().zip(s).for_each(|(b, &v)| *b = v.as_f64()),
            None => buf
                .iter_mut()
                .zip(lane.iter())
                .for_each(|(b, &v)| *b = v.as_f64()),
        }
    }
}

ndkern_core::multiversion! {
    /// `lane[i] = buf[i]` rounded to `T` (the shorter length), compiled per SIMD level.
    fn lane_from_f64[T: Element](buf: &[f64], lane: ArrayViewMut1<'_, T>) {
        let mut lane = lane;
        match lane.as_slice_mut() {
            Some(s) => s.iter_mut().zip(buf).for_each(|(o, &v)| *o = T::of_f64(v)),
            None => lane
                .iter_mut()
                .zip(buf)
                .for_each(|(o, &v)| *o = T::of_f64(v)),
        }
    }
}

ndkern_core::multiversion! {
    /// Panel `p` (`rows x n`, columns contiguous) into `buf` as `rows` lanes of `n` values,
    /// compiled per SIMD level.
    fn panel_to_f64[T: Element](p: ArrayView2<'_, T>, buf: &mut [f64], n: usize) {
        for (t, col) in p.columns().into_iter().enumerate() {
            for (r, &v) in col.iter().enumerate() {
                buf[r * n + t] = v.as_f64();
            }
        }
    }
}

ndkern_core::multiversion! {
    /// [`panel_to_f64`] backwards: the lanes of `buf` rounded into panel `p`.
    fn panel_from_f64[T: Element](buf: &[f64], p: ArrayViewMut2<'_, T>, n: usize) {
        let mut p = p;
        for (t, mut col) in p.columns_mut().into_iter().enumerate() {
            for (r, v) in col.iter_mut().enumerate() {
                *v = T::of_f64(buf[r * n + t]);
            }
        }
    }
}

/// In-place twin of [`map_lanes`]: each lane of `a` is replaced by `f(lane)`, computed in a
/// per-worker `f64` buffer.
pub(crate) fn map_lanes_inplace<T, S, D>(
    a: &mut ArrayBase<S, D>,
    axis: usize,
    f: impl Fn(&mut [f64]) + Sync + Send,
) where
    T: Element,
    S: DataMut<Elem = T>,
    D: Dimension,
{
    use ndarray::Axis;
    use rayon::prelude::*;
    let n = a.shape()[axis];
    // Outer axis: gather PANEL lanes at a time through contiguous panel columns.
    let done = for_each_panel(a.view_mut().into_dyn(), axis, |p| {
        let rows = p.nrows();
        let mut buf = vec![0.0f64; rows * n];
        panel_to_f64(p.view(), &mut buf, n);
        buf.chunks_mut(n).for_each(&f);
        panel_from_f64(&buf, p.view_mut(), n);
    });
    if done {
        return;
    }
    let work = |buf: &mut Vec<f64>, lane: ArrayViewMut1<'_, T>| {
        lane_to_f64(lane.view(), buf);
        f(buf);
        lane_from_f64(buf, lane);
    };
    let parallel = ndkern_core::worth_parallel(a.len());
    let lanes = ndarray::Zip::from(a.lanes_mut(Axis(axis)));
    if parallel {
        lanes
            .into_par_iter()
            .for_each_init(|| vec![0.0; n], |b, (l,)| work(b, l));
    } else {
        let mut buf = vec![0.0; n];
        lanes.for_each(|l| work(&mut buf, l));
    }
}

/// Lanes per panel: 16 f64 (two cache lines) read per step along the filtered axis.
pub(crate) const PANEL: usize = 16;

/// Splits `a` into 2-D panels `(rows <= PANEL, n)` whose rows are lanes along `axis` and whose
/// row index runs along the axis of smallest stride, so a panel column (one step along `axis`
/// for all its lanes) is contiguous in memory. `None` when `axis` already has the smallest
/// stride (walk lanes directly then).
pub(crate) fn panels<'a, B>(
    a: ndarray::ArrayViewMutD<'a, B>,
    axis: usize,
) -> Option<Vec<ndarray::ArrayViewMut2<'a, B>>> {
    let strides = a.strides().to_vec();
    let shape = a.shape().to_vec();
    let inner = (0..a.ndim())
        .filter(|&d| d != axis && shape[d] > 1)
        .min_by_key(|&d| strides[d].unsigned_abs())?;
    if strides[inner].unsigned_abs() >= strides[axis].unsigned_abs() || shape[axis] <= 1 {
        return None;
    }
    let mut order: Vec<usize> = (0..a.ndim()).filter(|&d| d != axis && d != inner).collect();
    order.push(inner);
    order.push(axis);
    let v = a.permuted_axes(order);
    let mut out = Vec::new();
    collect(v, &mut out);
    Some(out)
}

fn collect<'a, B>(v: ndarray::ArrayViewMutD<'a, B>, out: &mut Vec<ndarray::ArrayViewMut2<'a, B>>) {
    use ndarray::Axis;
    if v.ndim() == 2 {
        let mut rest = v.into_dimensionality::<ndarray::Ix2>().expect("2-D");
        while rest.nrows() > PANEL {
            let (head, tail) = rest.split_at(Axis(0), PANEL);
            out.push(head);
            rest = tail;
        }
        if rest.nrows() > 0 {
            out.push(rest);
        }
        return;
    }
    let mut rest = v;
    while rest.len_of(Axis(0)) > 0 {
        let (head, tail) = rest.split_at(Axis(0), 1);
        collect(head.index_axis_move(Axis(0), 0), out);
        rest = tail;
    }
}

/// Runs `g` on every panel of [`panels`], in parallel when the array is large; `false` if
/// `axis` is innermost (no panels).
pub(crate) fn for_each_panel<B: Send>(
    a: ndarray::ArrayViewMutD<'_, B>,
    axis: usize,
    g: impl Fn(&mut ndarray::ArrayViewMut2<'_, B>) + Sync + Send,
) -> bool {
    use rayon::prelude::*;
    let total = a.len();
    match panels(a, axis) {
        None => false,
        Some(mut ps) => {
            if ndkern_core::worth_parallel(total) {
                ps.par_iter_mut().for_each(&g);
            } else {
                ps.iter_mut().for_each(g);
            }
            true
        }
    }
}

/// Whether [`panels`] applies (the filtered axis is not the one of smallest stride).
pub(crate) fn panels_worthwhile(strides: &[isize], shape: &[usize], axis: usize) -> bool {
    (0..shape.len())
        .filter(|&d| d != axis && shape[d] > 1)
        .any(|d| strides[d].unsigned_abs() < strides[axis].unsigned_abs())
        && shape[axis] > 1
}

/// `floor(log2 m)` for a finite `m > 0` (subnormals included).
pub(crate) fn exponent(m: f64) -> i32 {
    if m < f64::MIN_POSITIVE {
        return exponent(m * 18_446_744_073_709_551_616.0) - 64;
    }
    ((m.to_bits() >> 52) & 0x7ff) as i32 - 1023
}

/// `x * 2^e`, exact unless the result overflows or is subnormal (`e` may exceed the
/// exponent range of one `f64`).
pub(crate) fn ldexp(mut x: f64, mut e: i32) -> f64 {
    let p = |e: i32| f64::from_bits(((e + 1023) as u64) << 52);
    while e > 1023 {
        x *= p(1023);
        e -= 1023;
    }
    while e < -1022 {
        x *= p(-1022);
        e += 1022;
    }
    x * p(e)
}

/// The power-of-two exponent that brings the largest finite `|v|` of `x` to `[1, 2)`, or
/// `None` when `x` holds a NaN or an infinity, and `Some(0)` when every value is zero.
/// Scaling by `2^-e` is exact, so moments of the scaled values neither overflow (values
/// near `1e308`) nor underflow (values near `1e-188`) and give the same correlations.
pub(crate) fn scale_exponent(x: impl IntoIterator<Item = f64>) -> Option<i32> {
    let mut m = 0.0f64;
    for v in x {
        if !v.is_finite() {
            return None;
        }
        m = m.max(v.abs());
    }
    Some(if m > 0.0 { exponent(m) } else { 0 })
}

/// Pearson's r of `x` against the centred reference `yc` (`syy = sum yc^2`), computed on
/// power-of-two-scaled values about the mean (two passes): the slow, always-finite path for
/// series whose one-pass sums overflowed or underflowed. NaN for non-finite or constant `x`.
pub(crate) fn pearson_scaled(x: &[f64], yc: &[f64], syy: f64) -> f64 {
    let Some(e) = scale_exponent(x.iter().copied()) else {
        return f64::NAN;
    };
    if x.iter().all(|&v| v == x[0]) {
        return f64::NAN; // constant input (scipy: NaN with ConstantInputWarning)
    }
    let xs: Vec<f64> = x.iter().map(|&v| ldexp(v, -e)).collect();
    let mx = xs.iter().sum::<f64>() / xs.len() as f64;
    let (mut sxx, mut sxy) = (0.0, 0.0);
    for (&v, &c) in xs.iter().zip(yc) {
        let d = v - mx;
        sxx += d * d;
        sxy += d * c;
    }
    let r = sxy / norm_product(sxx, syy);
    if r.is_nan() {
        f64::NAN
    } else {
        ndkern_core::clamp(r, -1.0, 1.0)
    }
}

/// The reference series of a one-vs-many correlation: scaled by a power of two (exact, so
/// r is unchanged), centred, and its sum of squares. A NaN or inf in `y` gives NaN centred
/// values (every r is then NaN).
pub(crate) fn centred_reference(y: impl Iterator<Item = f64> + Clone) -> (Vec<f64>, f64) {
    let e = scale_exponent(y.clone()).unwrap_or(0);
    let ys: Vec<f64> = y.map(|v| ldexp(v, -e)).collect();
    if ys.iter().all(|&v| v == ys[0]) {
        // Constant (scipy: NaN with ConstantInputWarning): exactly zero deviations, so every
        // r is 0/0, not a rounding artefact of the mean.
        return (vec![0.0; ys.len()], 0.0);
    }
    let my = ys.iter().sum::<f64>() / ys.len() as f64;
    let yc: Vec<f64> = ys.iter().map(|v| v - my).collect();
    let syy = yc.iter().map(|v| v * v).sum();
    (yc, syy)
}

/// Sums below this (squares of deviations near `1e-140` and smaller) have lost precision to
/// underflow; a series whose `sum d^2` is this small or not finite takes the scaled path.
pub(crate) const TINY_SUM: f64 = 1e-280;

/// `sqrt(sxx syy)`, as one square root when the product is a normal number (the usual case:
/// exactly what the textbook formula rounds to, so `r` of two lines is exactly +-1) and as a
/// product of square roots when it would overflow or underflow.
#[inline]
pub(crate) fn norm_product(sxx: f64, syy: f64) -> f64 {
    let p = sxx * syy;
    if p.is_finite() && p >= f64::MIN_POSITIVE {
        p.sqrt()
    } else {
        sxx.sqrt() * syy.sqrt()
    }
}
