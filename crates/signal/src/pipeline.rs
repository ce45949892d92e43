//! Q3's whole chain in one pass per lane panel: linear detrend, centred rolling mean, trim,
//! and Pearson's r against a reference series treated the same way.
//!
//! Composing [`detrend`](crate::detrend()), [`rolling_mean`](crate::rolling_mean),
//! a slice and [`pearson_r`](crate::pearson_r) reads and writes the whole array three times
//! and keeps two full-size intermediates (for `2000 x 60 x 180` f64: 2 x 173 MB). Here each
//! panel of 64 adjacent series (contiguous along the axis of smallest stride: 512 bytes per
//! time step) is gathered once into an L2-sized `f64` buffer, and everything else happens
//! there, in groups of 8 series vectorized together:
//!
//! 1. the closed-form least-squares line (`sum x`, `sum (t - tm) x`, see
//!    [`detrend`](mod@crate::detrend)) and the residual, in place;
//! 2. the centred window sums of the residual for the kept outputs only (running, re-anchored
//!    every [`ANCHOR`] outputs so the error does not grow with the length);
//! 3. the three Pearson sums against the centred reference (`sum d yc`, `sum d`, `sum d^2`
//!    about the first kept mean, as [`pearson_r`](crate::pearson_r)).
//!
//! The input is read once and nothing of its size is written. Panels run in parallel; the
//! gather and the per-group chain are `ndkern_core::multiversion!` leaves (the 8 series of a
//! group are one AVX-512 or two AVX2 vectors at those dispatched levels).
//! A series containing NaN (or inf) gives NaN; a reference containing NaN gives all NaN.
//! Series whose one-pass sums overflow or underflow (data near `1e200` or `1e-188`) are
//! recomputed through the composed kernels on values scaled by a power of two (exact), as
//! are the rare NaN and constant series.
//!
//! ```
//! use ndarray::{Array1, Array2};
//! use ndkern_signal::detrend_rolling_pearson;
//! let y = Array1::from_shape_fn(400, |t| (t as f64 / 17.0).sin() + 0.01 * t as f64);
//! let a = Array2::from_shape_fn((400, 3), |(t, j)| match j {
//!     0 => -y[t] + 0.5 * t as f64,
//!     1 if t == 7 => f64::NAN,
//!     _ => 2.0 * y[t] + 3.0,
//! });
//! let r = detrend_rolling_pearson(&a, &y, 0, 21, 40).unwrap();
//! assert!((r[0] + 1.0).abs() < 1e-9 && r[1].is_nan() && (r[2] - 1.0).abs() < 1e-9);
//! ```

use ndarray::{ArrayBase, ArrayD, ArrayView2, ArrayViewD, Axis, Data, Dimension, Ix1, IxDyn};
use ndkern_core::{Element, Error, Result};
use rayon::prelude::*;

use crate::detrend::{detrend_line, Trend};
use crate::lanes::{
    centred_reference, ldexp, norm_product, pearson_scaled, scale_exponent, series_axis, TINY_SUM,
};
use crate::rolling::{rolling_line, Rolling, Stat};

/// Series per vector group (one 64-byte cache line of f64 per time step).
const L: usize = 8;
/// Vector groups per gathered panel: 64 series, 512 contiguous bytes per time step, so a
/// gather row crosses a page (and misses the TLB) 8 times less often than 8-series panels;
/// the panel buffer (`n * 64 * 8` bytes, 1 MB for n = 2000) stays in L2.
const G: usize = 8;

/// Outputs between exact recomputations of the running window sum.
pub const ANCHOR: usize = 256;

/// Window geometry shared by every panel.
struct Geometry {
    n: usize,
    window: usize,
    /// pandas' centre offset `(window - 1) / 2`: output `i` averages `i + off - window + 1 ..= i + off`.
    off: usize,
    trim: usize,
}

/// For every series of `a` along `axis` (negative counts from the end): scipy
/// `detrend(type='linear')`, pandas `rolling(window, center=True).mean()`, the slice
/// `[trim : n - trim]`, then Pearson's r against `y` treated identically. The result has
/// `a`'s shape without `axis`. Equal (to rounding) to composing [`crate::detrend()`],
/// [`crate::rolling_mean`] and [`crate::pearson_r`], in one pass (module docs).
///
/// Errors: axis out of range, `y.len()` not the axis length, `window` 0 or longer than the
/// axis, `trim` shorter than `window / 2` (some kept windows would be incomplete and their
/// means NaN), fewer than 2 samples left after trimming.
///
/// ```
/// use ndarray::{Array1, Array3};
/// let y = Array1::from_shape_fn(300, |t| (t as f32 * 0.05).cos());
/// let a = Array3::from_shape_fn((2, 300, 4), |(i, t, j)| y[t] * (1.0 + (i + j) as f32) + t as f32);
/// let r = ndkern_signal::detrend_rolling_pearson(&a, &y, 1, 31, 20).unwrap();
/// assert_eq!(r.shape(), &[2, 4]);
/// assert!(r.iter().all(|&v| (v - 1.0).abs() < 1e-4));
/// ```
pub fn detrend_rolling_pearson<T, S, S2, D>(
    a: &ArrayBase<S, D>,
    y: &ArrayBase<S2, Ix1>,
    axis: isize,
    window: usize,
    trim: usize,
) -> Result<ArrayD<T>>
where
    T: Element,
    S: Data<Elem = T>,
    S2: Data<Elem = T>,
    D: Dimension,
{
    let (ax, n) = series_axis(a.shape(), axis, y.len())?;
    let opt = Rolling::new(window).center(true);
    let mp = opt.check(n)?;
    let g = Geometry {
        n,
        window,
        off: (window - 1) / 2,
        trim,
    };
    if trim < window / 2 {
        return Err(Error::InvalidParameter {
            name: "trim",
            reason: format!(
                "trim {trim} leaves incomplete centred windows at the ends; use trim >= window / 2 = {}",
                window / 2
            ),
        });
    }
    // One r per series (and per-series scratch): `a` may be a huge broadcast view.
    let series = a.len() / n.max(1);
    ndkern_core::check_alloc::<f64>("one r per series", series.saturating_mul(2))?;
    // n >= 2 trim + 2, without computing 2 trim (trim may be near usize::MAX).
    if n < 2 || trim > (n - 2) / 2 {
        return Err(Error::InvalidParameter {
            name: "trim",
            reason: format!(
                "trimming {trim} samples at both ends of {n} leaves fewer than 2; use trim <= {}",
                n.saturating_sub(2) / 2
            ),
        });
    }
    // The reference series, treated by the lane kernels of detrend and rolling_mean.
    // Scaled by a power of two first (exact: r is unchanged), so a reference near 1e200 or
    // 1e-188 neither overflows nor underflows.
    let e = scale_exponent(y.iter().map(|v| v.as_f64())).unwrap_or(0);
    let mut yv: Vec<f64> = y.iter().map(|v| ldexp(v.as_f64(), -e)).collect();
    detrend_line(&mut yv, Trend::Linear, &[0, n]);
    let mut ym = vec![0.0; n];
    rolling_line(&yv, &mut ym, opt, mp, Stat::Mean);
    let (yc, syy) = centred_reference(ym[trim..n - trim].iter().copied());

    // Series axis first, the others by decreasing stride (the innermost one last).
    let v = a.view().into_dyn();
    let mut rest: Vec<usize> = (0..v.ndim()).filter(|&d| d != ax).collect();
    rest.sort_by_key(|&d| std::cmp::Reverse(v.strides()[d].unsigned_abs()));
    let mut order = vec![ax];
    order.extend(&rest);
    let mut pv = v.permuted_axes(IxDyn(&order));
    if pv.ndim() == 1 {
        pv.insert_axis_inplace(Axis(1));
    }
    let mut panels = Vec::new();
    collect_panels(pv.view(), &mut panels);
    let vals: Vec<Vec<f64>> = panels
        .par_iter()
        .map_init(
            || vec![[0.0f64; L]; G * n],
            |buf, p| {
                gather(p, buf, n);
                let groups = p.ncols().div_ceil(L);
                let mut r = Vec::with_capacity(groups * L);
                for (j, b) in buf.chunks_mut(n).take(groups).enumerate() {
                    let (vals, slow) = group(b, &g, &yc, syy);
                    r.extend(vals);
                    if slow != 0 {
                        // Sums that overflowed, underflowed or met NaN/inf: recompute those
                        // series one by one on scaled values (rare).
                        for l in (0..L).filter(|l| slow & (1 << l) != 0) {
                            let col = j * L + l;
                            if col < p.ncols() {
                                let x: Vec<f64> =
                                    p.column(col).iter().map(|v| v.as_f64()).collect();
                                r[col] = series_scaled(&x, &g, opt, mp, &yc, syy);
                            }
                        }
                    }
                }
                r.truncate(p.ncols());
                r
            },
        )
        .collect();
    let flat: Vec<T> = vals.iter().flatten().map(|&x| T::of_f64(x)).collect();
    let perm_shape: Vec<usize> = rest.iter().map(|&d| a.shape()[d]).collect();
    let out = ArrayD::from_shape_vec(IxDyn(&perm_shape), flat).expect("one r per series");
    // Back to `a`'s axis order without `axis`.
    let mut inv: Vec<usize> = (0..rest.len()).collect();
    inv.sort_by_key(|&i| rest[i]);
    let out = out.permuted_axes(IxDyn(&inv));
    Ok(ndkern_core::try_standard_layout("the output in axis order", &out)?.into_owned())
}

/// One series through the composed kernels on values scaled by a power of two: the slow path
/// for series whose one-pass sums overflowed or underflowed (data near `1e200` or `1e-188`).
/// NaN for a series holding NaN or inf.
fn series_scaled(x: &[f64], g: &Geometry, opt: Rolling, mp: usize, yc: &[f64], syy: f64) -> f64 {
    let Some(e) = scale_exponent(x.iter().copied()) else {
        return f64::NAN;
    };
    let n = g.n;
    let mut xs: Vec<f64> = x.iter().map(|&v| ldexp(v, -e)).collect();
    detrend_line(&mut xs, Trend::Linear, &[0, n]);
    let mut m = vec![0.0; n];
    rolling_line(&xs, &mut m, opt, mp, Stat::Mean);
    pearson_scaled(&m[g.trim..n - g.trim], yc, syy)
}

/// Splits `(n, r1, .., rk)` into 2-D panels `(n, <= G * L)` along the last axis, in C order.
fn collect_panels<'a, T>(v: ArrayViewD<'a, T>, out: &mut Vec<ArrayView2<'a, T>>) {
    if v.ndim() == 2 {
        let mut rest: ArrayView2<'a, T> = v.into_dimensionality().expect("2-D");
        while rest.ncols() > G * L {
            let (head, tail) = rest.split_at(Axis(1), G * L);
            out.push(head);
            rest = tail;
        }
        if rest.ncols() > 0 {
            out.push(rest);
        }
        return;
    }
    let mut rest = v;
    while rest.len_of(Axis(1)) > 0 {
        let (head, tail) = rest.split_at(Axis(1), 1);
        collect_panels(head.index_axis_move(Axis(1), 0), out);
        rest = tail;
    }
}

ndkern_core::multiversion! {
    /// Copies panel `p` (`n x <= G * L`) into `buf` as groups of `L` series: group `j` at
    /// `buf[j * n..(j + 1) * n]`, one `[f64; L]` per time step, unused lanes zero.
    fn gather[T: Element](p: &ArrayView2<'_, T>, buf: &mut [[f64; L]], n: usize) {
        let w = p.ncols();
        let groups = w.div_ceil(L);
        if w < groups * L {
            // The last group is partial: clear it so its spare lanes hold zeros, not stale data.
            buf[(groups - 1) * n..groups * n]
                .iter_mut()
                .for_each(|b| *b = [0.0; L]);
        }
        for (t, row) in p.outer_iter().enumerate() {
            match row.as_slice() {
                Some(s) => {
                    for (j, c) in s.chunks(L).enumerate() {
                        let b = &mut buf[j * n + t];
                        b.iter_mut().zip(c).for_each(|(d, v)| *d = v.as_f64());
                    }
                }
                None => {
                    for (i, v) in row.iter().enumerate() {
                        buf[(i / L) * n + t][i % L] = v.as_f64();
                    }
                }
            }
        }
    }
}

ndkern_core::multiversion! {
    /// The chain for one group of `L` series (`buf`: one `[f64; L]` per time step, overwritten).
    /// Returns the r values and a bit mask of the series whose sums are not trustworthy
    /// (not finite, or `sum d^2` below [`TINY_SUM`]): the caller recomputes those.
    fn group(buf: &mut [[f64; L]], g: &Geometry, yc: &[f64], syy: f64) -> ([f64; L], u32) {
        let n = g.n;
        let tm = (n as f64 - 1.0) * 0.5;
        // Pass 1: the two sums of the closed-form line.
        let (mut sx, mut stx) = ([0.0f64; L], [0.0f64; L]);
        for (t, x) in buf.iter().enumerate() {
            let dt = t as f64 - tm;
            for l in 0..L {
                sx[l] += x[l];
                stx[l] += dt * x[l];
            }
        }
        let nf = n as f64;
        let stt = nf * (nf * nf - 1.0) / 12.0;
        let mean: [f64; L] = std::array::from_fn(|l| sx[l] / nf);
        let slope: [f64; L] = std::array::from_fn(|l| stx[l] / stt);
        // Residual in place, as detrend's `x - (mean + slope (t - tm))`.
        for (t, b) in buf.iter_mut().enumerate() {
            let dt = t as f64 - tm;
            for l in 0..L {
                b[l] -= mean[l] + slope[l] * dt;
            }
        }
        // Pass 2: centred window means of the kept outputs and the Pearson sums.
        let inv_w = 1.0 / g.window as f64;
        let lo = |i: usize| i + g.off + 1 - g.window;
        let mut ws = [0.0f64; L];
        let (mut k, mut sxy, mut s1, mut s2) = ([0.0f64; L], [0.0f64; L], [0.0f64; L], [0.0f64; L]);
        for (q, (i, &c)) in (g.trim..n - g.trim).zip(yc).enumerate() {
            if q % ANCHOR == 0 {
                ws = [0.0; L];
                for b in &buf[lo(i)..=i + g.off] {
                    for l in 0..L {
                        ws[l] += b[l];
                    }
                }
            } else {
                let (add, sub) = (&buf[i + g.off], &buf[lo(i) - 1]);
                for l in 0..L {
                    ws[l] += add[l] - sub[l];
                }
            }
            if q == 0 {
                k = std::array::from_fn(|l| ws[l] * inv_w);
            }
            for l in 0..L {
                let d = ws[l] * inv_w - k[l];
                sxy[l] += d * c;
                s1[l] += d;
                s2[l] += d * d;
            }
        }
        let m = yc.len() as f64;
        let mut slow = 0u32;
        for l in 0..L {
            if !(s2[l].is_finite() && sxy[l].is_finite()) || s2[l] < TINY_SUM {
                slow |= 1 << l;
            }
        }
        let r = std::array::from_fn(|l| {
            let sxx = s2[l] - s1[l] * (s1[l] / m);
            let r = sxy[l] / norm_product(sxx, syy);
            if r.is_nan() {
                f64::NAN
            } else {
                r.clamp(-1.0, 1.0)
            }
        });
        (r, slow)
    }
}
