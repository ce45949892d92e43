//! One-vs-many Pearson correlation: `r` of one series against every series along an axis of
//! an N-d array, in one streaming pass.
//!
//! The reference series is centred once (`yc = y - mean y`, `Syy = sum yc^2`, in `f64`).
//! Each series then needs three running sums over one pass: `sum (x - k) yc`,
//! `sum (x - k)` and `sum (x - k)^2` with `k` its first sample (a shift that keeps the variance
//! sum free of cancellation), giving `r = Sxy / sqrt(Sxx Syy)`. When the axis is not the
//! innermost one the sums run over whole hyper-rows at once ("vertical" accumulation), so
//! memory is read in order. No copy of the input, no `(n, k)` reshape as numpy's
//! `corrcoef` would need. Both loops are `ndkern_core::multiversion!` leaves (the vertical one
//! vectorizes across series at the dispatched level).
//!
//! A series containing NaN, or with zero variance, gives NaN (scipy.stats.pearsonr returns NaN
//! with a warning); a reference `y` containing NaN gives all NaN.
//!
//! Extreme magnitudes: `y` is scaled by a power of two (exact) before centring, and a series
//! whose one-pass sums overflow or underflow (data near `1e200` or `1e-188`) is recomputed on
//! power-of-two-scaled values, so scipy's answers hold there too (its own tests: 0.727 for
//! values near 1e-188, 0.866 near 1e90, 0.351 near 1e200).
//!
//! ```
//! use ndarray::{array, Array2};
//! let y = array![1.0f64, 2.0, 3.0, 5.0];
//! let a = Array2::from_shape_fn((3, 4), |(i, t)| if i == 0 { y[t] } else { -(t as f64) * i as f64 });
//! let r = ndkern_signal::pearson_r(&a, &y, 1).unwrap();
//! assert!((r[0] - 1.0).abs() < 1e-12);
//! assert!(r[1] < -0.9);
//! ```

use ndarray::{ArrayBase, ArrayD, ArrayView1, Axis, Data, Dimension, Ix1, Zip};
use ndkern_core::{Element, Error, Result};

use crate::lanes::{centred_reference, norm_product, pearson_scaled, series_axis, TINY_SUM};

ndkern_core::multiversion! {
    /// `(sum d yc, sum d, sum d^2)` of one series with `d = x - x[0]`, compiled per SIMD level.
    fn lane_sums[T: Element](lane: ArrayView1<'_, T>, yc: &[f64]) -> (f64, f64, f64) {
        let k = lane[0].as_f64();
        let (mut sxy, mut s1, mut s2) = (0.0, 0.0, 0.0);
        for (&x, &c) in lane.iter().zip(yc) {
            let d = x.as_f64() - k;
            sxy += d * c;
            s1 += d;
            s2 += d * d;
        }
        (sxy, s1, s2)
    }
}

ndkern_core::multiversion! {
    /// One time step `row` of every series into the running sums (`d = x - k`, weight `c`),
    /// compiled per SIMD level (independent series: vectorized across them).
    fn row_sums[T: Element](row: &[T], k: &[f64], c: f64, acc: [&mut [f64]; 3]) {
        let [pxy, p1, p2] = acc;
        let n = row.len();
        let (k, pxy, p1, p2) = (&k[..n], &mut pxy[..n], &mut p1[..n], &mut p2[..n]);
        for i in 0..n {
            let d = row[i].as_f64() - k[i];
            pxy[i] += d * c;
            p1[i] += d;
            p2[i] += d * d;
        }
    }
}

/// Pearson's r of `y` against every series of `a` along `axis` (negative counts from the
/// end): the result has `a`'s shape without `axis`. `y.len()` must equal the axis length
/// (>= 2).
///
/// ```
/// use ndarray::array;
/// let a = array![[1.0f32, 2.0], [2.0, 4.0], [3.0, 5.0]];
/// let r = ndkern_signal::pearson_r(&a, &array![0.0f32, 1.0, 2.0], 0).unwrap();
/// assert!((r[0] - 1.0).abs() < 1e-6);
/// ```
pub fn pearson_r<T, S, S2, D>(
    a: &ArrayBase<S, D>,
    y: &ArrayBase<S2, Ix1>,
    axis: isize,
) -> Result<ArrayD<T>>
where
    T: Element,
    S: Data<Elem = T>,
    S2: Data<Elem = T>,
    D: Dimension,
{
    let (ax, n) = series_axis(a.shape(), axis, y.len())?;
    if n < 2 {
        return Err(Error::InvalidParameter {
            name: "y",
            reason: format!("a correlation needs at least 2 samples, the axis has {n}"),
        });
    }
    let (yc, syy) = centred_reference(y.iter().map(|v| v.as_f64()));
    let a = a.view().into_dyn();
    let finish = |sxy: f64, s1: f64, s2: f64, lane: ArrayView1<T>| {
        if !(s2.is_finite() && sxy.is_finite()) || s2 < TINY_SUM {
            // Overflow (data near 1e200), underflow (near 1e-188), NaN/inf or a constant
            // series: recompute this series on scaled values (rare, two passes).
            let x: Vec<f64> = lane.iter().map(|v| v.as_f64()).collect();
            return T::of_f64(pearson_scaled(&x, &yc, syy));
        }
        let sxx = s2 - s1 * (s1 / n as f64);
        let r = sxy / norm_product(sxx, syy);
        // NaN (from NaN data or 0/0) stays NaN; rounding past +-1 is clamped.
        T::of_f64(if r.is_nan() {
            f64::NAN
        } else {
            r.clamp(-1.0, 1.0)
        })
    };
    let stride = a.strides()[ax].unsigned_abs();
    let innermost = a
        .strides()
        .iter()
        .enumerate()
        .all(|(i, s)| i == ax || a.shape()[i] <= 1 || s.unsigned_abs() >= stride);
    // One r per series (and, on the vertical path, four f64 sums per series): `a` may be a
    // huge broadcast view.
    let series = a.len() / a.len_of(Axis(ax)).max(1);
    ndkern_core::check_alloc::<f64>("per-series sums", series.saturating_mul(5))?;
    if innermost {
        // Lane-wise: each series is (nearly) contiguous.
        let out = Zip::from(a.lanes(Axis(ax))).par_map_collect(|lane| {
            let (sxy, s1, s2) = lane_sums(lane, &yc);
            finish(sxy, s1, s2, lane)
        });
        return Ok(out);
    }
    // Vertical: accumulate whole hyper-rows a[.., t, ..] into per-series f64 sums.
    let k = a.index_axis(Axis(ax), 0).mapv(|v| v.as_f64());
    let mut sxy = ArrayD::<f64>::zeros(k.raw_dim());
    let mut s1 = sxy.clone();
    let mut s2 = sxy.clone();
    for (t, row) in a.axis_iter(Axis(ax)).enumerate() {
        let c = yc[t];
        // Standard-layout hyper-rows (all five arrays then share the element order): one
        // multiversioned pass over the slices.
        if let (Some(r), Some(kf), Some(pxy), Some(p1), Some(p2)) = (
            row.as_slice(),
            k.as_slice(),
            sxy.as_slice_mut(),
            s1.as_slice_mut(),
            s2.as_slice_mut(),
        ) {
            row_sums(r, kf, c, [pxy, p1, p2]);
            continue;
        }
        Zip::from(&mut sxy)
            .and(&mut s1)
            .and(&mut s2)
            .and(&row)
            .and(&k)
            .for_each(|pxy, p1, p2, &x, &k| {
                let d = x.as_f64() - k;
                *pxy += d * c;
                *p1 += d;
                *p2 += d * d;
            });
    }
    Ok(Zip::from(&sxy)
        .and(&s1)
        .and(&s2)
        .and(a.lanes(Axis(ax)))
        .map_collect(|&p, &q, &r, lane| finish(p, q, r, lane)))
}
