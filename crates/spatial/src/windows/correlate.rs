//! Correlation and convolution with arbitrary kernels (scipy.ndimage `correlate1d`,
//! `convolve1d`, `correlate`, `convolve`), and [`ball_kernel`] (Q1).
//!
//! * 1-D: each lane is gathered into a border-extended line buffer and the output line is
//!   built tap by tap with SIMD `axpy` (`out += w[j] * ext[j..j + n]`, fused multiply-add), the
//!   direct method scipy uses, vectorized along the line.
//! * N-d: a kernel of rank 1 (an outer product of 1-D kernels, e.g. a 2-D Gaussian or a box)
//!   is detected (to 1e-14 relative) and run as one 1-D pass per axis: a 15x15 kernel costs 30
//!   taps per sample instead of 225. Constant borders with `cval != 0` keep the direct path,
//!   because padding each pass with `cval` would not equal padding the N-d array.
//! * Dense N-d kernels: the array is padded once per the border mode (any pad length, also
//!   kernels longer than the input), then every output row accumulates `w[k] * padded row` for
//!   each non-zero tap with SIMD `axpy`, rows in parallel. O(taps) per sample.
//! * Dense 2-D `f32` kernels of about 100 taps or more (at least 8 columns) go through row
//!   FFTs instead (`correlate_fft.rs`: `f64` transforms, the output
//!   within half an `f32` ulp of the exact sum; OpenCV's `filter2D` switches to a DFT above
//!   130 taps too). Inputs holding NaN or infinity fall back to the direct route, which keeps
//!   them local. BENCHMARKS.md row `correlate15_2d`.
//!
//! Weights are `f64` (scipy converts them to double too) and rounded to the element type once.
//! NaN/inf propagate as in scipy's direct sums and stay inside their windows: the 1-D filters
//! multiply every tap, zeros included (`0 * NaN = NaN`, as scipy's `correlate1d`); dense N-d
//! kernels skip zero taps (as scipy's `correlate`, which drops weights `<= DBL_EPSILON`), so a
//! NaN reaches only the outputs that weigh it with a non-zero weight.

use ndarray::{Array, ArrayBase, ArrayD, ArrayView1, ArrayViewMut, Axis, Data, Dimension, IxDyn};
use ndkern_core::{BorderMode, Element, Error, Result};
use rayon::prelude::*;

use super::correlate_fft;
use super::engine::run_separable;
use super::params::{check_axis, check_extent, check_shape, padding, per_axis};
use super::plan::{Kind, SepPass};

fn check_weights(w: &[f64]) -> Result<()> {
    if w.is_empty() {
        return Err(Error::InvalidParameter {
            name: "weights",
            reason: "the kernel is empty; give at least one weight".into(),
        });
    }
    Ok(())
}

/// 1-D correlation along `axis` (scipy.ndimage.correlate1d):
/// `out[i] = sum_j weights[j] * a[i + j - len/2 - origin]`, the array extended per `mode`.
///
/// ```
/// use ndarray::array;
/// use ndkern_spatial::{correlate1d, BorderMode};
/// let a = array![1.0, 2.0, 4.0, 8.0];
/// let d = correlate1d(&a, &[-1.0, 0.0, 1.0], 0, BorderMode::Nearest, 0).unwrap();
/// assert_eq!(d, array![1.0, 3.0, 6.0, 4.0]);
/// ```
#[must_use = "the filtered array is returned"]
pub fn correlate1d<T, S, D>(
    a: &ArrayBase<S, D>,
    weights: &[f64],
    axis: usize,
    mode: BorderMode,
    origin: isize,
) -> Result<Array<T, D>>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    let mut out = ndkern_core::try_zeros("output", a.raw_dim())?;
    correlate1d_into(a, weights, axis, mode, origin, out.view_mut())?;
    Ok(out)
}

/// [`correlate1d`] into `out` (the input's shape).
///
/// ```
/// use ndarray::{array, Array1};
/// use ndkern_spatial::{correlate1d_into, BorderMode};
/// let a = array![1.0f32, 2.0, 3.0];
/// let mut out = Array1::zeros(3);
/// correlate1d_into(&a, &[1.0, 1.0], 0, BorderMode::Constant(0.0), 0, out.view_mut()).unwrap();
/// assert_eq!(out, array![1.0, 3.0, 5.0]);
/// ```
pub fn correlate1d_into<T, S, D>(
    a: &ArrayBase<S, D>,
    weights: &[f64],
    axis: usize,
    mode: BorderMode,
    origin: isize,
    mut out: ArrayViewMut<'_, T, D>,
) -> Result<()>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    check_axis(axis, a.ndim())?;
    check_weights(weights)?;
    let (before, after) = padding(weights.len(), origin)?;
    if !a.is_empty() {
        check_extent(a.len_of(Axis(axis)), before, after)?;
    }
    let w: Vec<T> = weights.iter().map(|&x| T::of_f64(x)).collect();
    run_separable(
        a,
        &mut out,
        &[SepPass {
            axis,
            before,
            after,
            mode,
            kind: Kind::Fir(&w),
        }],
    )
}

/// scipy's convolution origin: the flipped kernel's origin, shifted by one for even lengths.
fn convolve_origin(len: usize, origin: isize) -> Result<isize> {
    origin
        .checked_neg()
        .and_then(|o| o.checked_sub(isize::from(len.is_multiple_of(2))))
        .ok_or_else(|| Error::InvalidParameter {
            name: "origin",
            reason: format!(
                "origin {origin} is invalid for size {len}; use {}..={}",
                -((len / 2) as i128),
                (len as i128 - 1) / 2
            ),
        })
}

/// 1-D convolution along `axis` (scipy.ndimage.convolve1d): correlation with the reversed
/// kernel, `out[i] = sum_j weights[j] * a[i - j + len/2 + origin]` (even lengths as scipy).
///
/// ```
/// use ndarray::array;
/// use ndkern_spatial::{convolve1d, BorderMode};
/// let a = array![1.0, 2.0, 4.0, 8.0];
/// let d = convolve1d(&a, &[1.0, 0.0, -1.0], 0, BorderMode::Nearest, 0).unwrap();
/// assert_eq!(d, array![1.0, 3.0, 6.0, 4.0]);
/// ```
#[must_use = "the filtered array is returned"]
pub fn convolve1d<T, S, D>(
    a: &ArrayBase<S, D>,
    weights: &[f64],
    axis: usize,
    mode: BorderMode,
    origin: isize,
) -> Result<Array<T, D>>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    let mut out = ndkern_core::try_zeros("output", a.raw_dim())?;
    convolve1d_into(a, weights, axis, mode, origin, out.view_mut())?;
    Ok(out)
}

/// [`convolve1d`] into `out` (the input's shape).
///
/// ```
/// use ndarray::{array, Array1};
/// use ndkern_spatial::{convolve1d_into, BorderMode};
/// let a = array![1.0, 2.0, 3.0];
/// let mut out = Array1::zeros(3);
/// convolve1d_into(&a, &[1.0, 1.0], 0, BorderMode::Constant(0.0), 0, out.view_mut()).unwrap();
/// assert_eq!(out, array![3.0, 5.0, 3.0]);
/// ```
pub fn convolve1d_into<T, S, D>(
    a: &ArrayBase<S, D>,
    weights: &[f64],
    axis: usize,
    mode: BorderMode,
    origin: isize,
    out: ArrayViewMut<'_, T, D>,
) -> Result<()>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    check_weights(weights)?;
    let rev: Vec<f64> = weights.iter().rev().copied().collect();
    let o = convolve_origin(weights.len(), origin)?;
    correlate1d_into(a, &rev, axis, mode, o, out)
}

/// The 1-D factors of a rank-1 kernel (`w = f_0 (x) f_1 (x) ...`), or `None`.
pub(crate) fn separable_factors(w: &ArrayD<f64>) -> Option<Vec<Vec<f64>>> {
    let nd = w.ndim();
    if nd < 2 || w.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let (m_idx, &wm) = w
        .indexed_iter()
        .max_by(|x, y| x.1.abs().total_cmp(&y.1.abs()))?;
    if wm == 0.0 {
        return None;
    }
    let m: Vec<usize> = m_idx.slice().to_vec();
    let mut factors = Vec::with_capacity(nd);
    for ax in 0..nd {
        let mut idx = m.clone();
        let f: Vec<f64> = (0..w.shape()[ax])
            .map(|k| {
                idx[ax] = k;
                w[IxDyn(&idx)]
            })
            .collect();
        factors.push(f);
    }
    // w[idx] must equal prod_a f_a[idx_a] / wm^(nd-1), to a few ulps of max|w|.
    let tol = 1e-14 * wm.abs();
    let scale = wm.powi(nd as i32 - 1);
    let ok = w.indexed_iter().all(|(idx, &v)| {
        let p: f64 = idx
            .slice()
            .iter()
            .enumerate()
            .map(|(ax, &k)| factors[ax][k])
            .product();
        (p / scale - v).abs() <= tol
    });
    if !ok {
        return None;
    }
    for f in factors.iter_mut().skip(1) {
        f.iter_mut().for_each(|x| *x /= wm);
    }
    Some(factors)
}

/// N-d correlation (scipy.ndimage.correlate): `out[x] = sum_k w[k] * a[x + k - shape/2 - origin]`,
/// `weights` with one axis per input axis, `origin` one value or one per axis.
///
/// ```
/// use ndarray::{array, Array2};
/// use ndkern_spatial::{correlate, BorderMode};
/// let a = Array2::from_shape_fn((3, 4), |(i, j)| (i * 4 + j) as f64);
/// let w = array![[0.0, 1.0], [1.0, 0.0]];
/// let c = correlate(&a, &w, BorderMode::Nearest, &[0]).unwrap();
/// // window [i-1..=i, j-1..=j]: a[i-1, j] + a[i, j-1]
/// assert_eq!(c[[2, 2]], 6.0 + 9.0);
/// ```
#[must_use = "the filtered array is returned"]
pub fn correlate<T, S, D, Sw, Dw>(
    a: &ArrayBase<S, D>,
    weights: &ArrayBase<Sw, Dw>,
    mode: BorderMode,
    origin: &[isize],
) -> Result<Array<T, D>>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
    Sw: Data<Elem = f64>,
    Dw: Dimension,
{
    let mut out = ndkern_core::try_zeros("output", a.raw_dim())?;
    correlate_into(a, weights, mode, origin, out.view_mut())?;
    Ok(out)
}

/// [`correlate`] into `out` (the input's shape).
///
/// ```
/// use ndarray::{array, Array2};
/// use ndkern_spatial::{correlate_into, BorderMode};
/// let a = array![[1.0, 2.0], [3.0, 4.0]];
/// let mut out = Array2::zeros((2, 2));
/// correlate_into(&a, &array![[2.0]], BorderMode::Wrap, &[0], out.view_mut()).unwrap();
/// assert_eq!(out, &a * 2.0);
/// ```
pub fn correlate_into<T, S, D, Sw, Dw>(
    a: &ArrayBase<S, D>,
    weights: &ArrayBase<Sw, Dw>,
    mode: BorderMode,
    origin: &[isize],
    mut out: ArrayViewMut<'_, T, D>,
) -> Result<()>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
    Sw: Data<Elem = f64>,
    Dw: Dimension,
{
    check_shape(a.shape(), out.shape())?;
    let nd = a.ndim();
    if weights.ndim() != nd {
        return Err(Error::InvalidParameter {
            name: "weights",
            reason: format!(
                "the kernel has {} dimension(s) and the input {nd}; give the kernel one axis \
                 per input axis (length-1 axes where it does not extend)",
                weights.ndim()
            ),
        });
    }
    if weights.is_empty() {
        return Err(Error::InvalidParameter {
            name: "weights",
            reason: format!("the kernel of shape {:?} is empty", weights.shape()),
        });
    }
    let origins = if nd == 0 {
        Vec::new()
    } else {
        per_axis("origin", origin, nd)?
    };
    let pads = weights
        .shape()
        .iter()
        .zip(&origins)
        .map(|(&w, &o)| padding(w, o))
        .collect::<Result<Vec<_>>>()?;
    if !a.is_empty() {
        // The padded array of the dense route: every axis extended by its kernel length - 1.
        let mut padded = Vec::with_capacity(nd);
        for (&n, &(before, after)) in a.shape().iter().zip(&pads) {
            padded.push(check_extent(n, before, after)?);
        }
        let len = ndkern_core::checked_len("the padded array of the correlation", &padded)?;
        ndkern_core::check_alloc::<T>("the padded array of the correlation", len)?;
    }
    let w = ndkern_core::try_to_owned("a copy of the weights", weights)?.into_dyn();
    if nd == 0 {
        let k = T::of_f64(w[IxDyn(&[])]);
        out.zip_mut_with(a, |o, &x| *o = k * x);
        return Ok(());
    }
    let constant_nonzero = matches!(mode, BorderMode::Constant(c) if c != 0.0);
    if !constant_nonzero {
        if let Some(factors) = separable_factors(&w) {
            let taps: Vec<Vec<T>> = factors
                .iter()
                .map(|f| f.iter().map(|&x| T::of_f64(x)).collect())
                .collect();
            let passes: Vec<SepPass<'_, T>> = taps
                .iter()
                .zip(&pads)
                .enumerate()
                .map(|(axis, (t, &(before, after)))| SepPass {
                    axis,
                    before,
                    after,
                    mode,
                    kind: Kind::Fir(t),
                })
                .collect();
            return run_separable(a, &mut out, &passes);
        }
    }
    if a.is_empty() {
        return Ok(());
    }
    if nd == 2
        && correlate_fft::correlate_fft_pays::<T>(a.shape(), &w.view())
        && correlate_fft::correlate_fft_2d(
            &a.view().into_dyn(),
            &w.view(),
            mode,
            &pads,
            out.view_mut().into_dyn(),
        )?
    {
        return Ok(());
    }
    let res = dense_correlate(&a.view().into_dyn(), &w, mode, &pads);
    out.assign(&res.into_dimensionality::<D>().expect("same ndim"));
    Ok(())
}

/// Direct N-d correlation of a non-empty array: pad once, then SIMD row updates per tap.
fn dense_correlate<T: Element>(
    a: &ndarray::ArrayViewD<'_, T>,
    w: &ArrayD<f64>,
    mode: BorderMode,
    pads: &[(usize, usize)],
) -> ArrayD<T> {
    let nd = a.ndim();
    let shape = a.shape().to_vec();
    let pshape: Vec<usize> = shape
        .iter()
        .zip(pads)
        .map(|(&n, &(b, f))| n + b + f)
        .collect();
    // Where each padded position along each axis comes from (None: the constant).
    let tables: Vec<Vec<Option<usize>>> = (0..nd)
        .map(|ax| {
            (0..pshape[ax])
                .map(|p| mode.source_index(p as isize - pads[ax].0 as isize, shape[ax]))
                .collect()
        })
        .collect();
    let cval = match mode {
        BorderMode::Constant(c) => T::of_f64(c),
        _ => T::zero(),
    };
    let last = nd - 1;
    let (n_last, p_last) = (shape[last], pshape[last]);
    let lanes: Vec<ArrayView1<'_, T>> = a.lanes(Axis(last)).into_iter().collect();
    let outer_shape = &shape[..last];
    let p_outer = &pshape[..last];
    let p_rows: usize = p_outer.iter().product();
    let mut padded = vec![cval; p_rows * p_last];
    padded.chunks_mut(p_last).enumerate().for_each(|(r, row)| {
        // Unravel the padded row index, map each axis to its source.
        let mut rest = r;
        let mut src = 0usize;
        let mut stride = 1usize;
        let mut inside = true;
        for ax in (0..last).rev() {
            let p = rest % p_outer[ax];
            rest /= p_outer[ax];
            match tables[ax][p] {
                Some(s) => src += s * stride,
                None => inside = false,
            }
            stride *= outer_shape[ax];
        }
        if inside {
            let lane = &lanes[src];
            for (v, t) in row.iter_mut().zip(&tables[last]) {
                if let Some(s) = t {
                    *v = lane[*s];
                }
            }
        }
    });
    // Non-zero taps as (row offset in the padded array, column offset, weight).
    let mut p_strides = vec![0usize; nd];
    let mut s = 1;
    for ax in (0..nd).rev() {
        p_strides[ax] = s;
        s *= pshape[ax];
    }
    let taps: Vec<(usize, T)> = w
        .indexed_iter()
        .filter(|(_, &v)| v != 0.0)
        .map(|(k, &v)| {
            let off = k.slice().iter().zip(&p_strides).map(|(a, b)| a * b).sum();
            (off, T::of_f64(v))
        })
        .collect();
    let rows: usize = outer_shape.iter().product();
    let mut out = vec![T::zero(); rows * n_last];
    let row_job = |(r, orow): (usize, &mut [T])| {
        let mut rest = r;
        let mut base = 0;
        for ax in (0..last).rev() {
            base += (rest % outer_shape[ax]) * p_strides[ax];
            rest /= outer_shape[ax];
        }
        dense_row(&padded, base, &taps, orow);
    };
    if ndkern_core::worth_parallel(out.len() * taps.len().max(1)) {
        out.par_chunks_mut(n_last.max(1))
            .enumerate()
            .for_each(row_job);
    } else {
        out.chunks_mut(n_last.max(1)).enumerate().for_each(row_job);
    }
    ArrayD::from_shape_vec(IxDyn(&shape), out).expect("shape matches")
}

ndkern_core::multiversion! {
    /// One output row of a dense correlation: `orow[j] = sum_k w_k * padded[base + off_k + j]`
    /// over the non-zero `taps` (offset, weight), fused multiply-adds in tap order.
    fn dense_row[T: Element](padded: &[T], base: usize, taps: &[(usize, T)], orow: &mut [T]) {
        let n_last = orow.len();
        // Register blocking: 4 vectors of outputs stay in registers across all taps, so each
        // output is stored once instead of once per tap.
        let l = T::LANES;
        let block = 4 * l;
        let mut j = 0;
        while j + block <= n_last {
            let mut acc = [T::splat(T::zero()); 4];
            for &(off, wk) in taps {
                let wv = T::splat(wk);
                let p = &padded[base + off + j..base + off + j + block];
                for (q, a) in acc.iter_mut().enumerate() {
                    *a = T::vmul_add(wv, T::load(&p[q * l..]), *a);
                }
            }
            for (q, a) in acc.iter().enumerate() {
                T::store(*a, &mut orow[j + q * l..j + (q + 1) * l]);
            }
            j += block;
        }
        for (jj, o) in orow.iter_mut().enumerate().skip(j) {
            let mut s = T::zero();
            for &(off, wk) in taps {
                s = wk.mul_add(padded[base + off + jj], s);
            }
            *o = s;
        }
    }
}

/// N-d convolution (scipy.ndimage.convolve): correlation with the kernel flipped along every
/// axis, origins as scipy (`-origin`, minus one more on even-length axes).
///
/// ```
/// use ndarray::{array, Array2};
/// use ndkern_spatial::{convolve, correlate, BorderMode};
/// let a = Array2::from_shape_fn((4, 4), |(i, j)| (i * j) as f64);
/// let w = array![[1.0, 2.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 3.0]];
/// let flipped = array![[3.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 2.0, 1.0]];
/// assert_eq!(
///     convolve(&a, &w, BorderMode::Reflect, &[0]).unwrap(),
///     correlate(&a, &flipped, BorderMode::Reflect, &[0]).unwrap()
/// );
/// ```
#[must_use = "the filtered array is returned"]
pub fn convolve<T, S, D, Sw, Dw>(
    a: &ArrayBase<S, D>,
    weights: &ArrayBase<Sw, Dw>,
    mode: BorderMode,
    origin: &[isize],
) -> Result<Array<T, D>>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
    Sw: Data<Elem = f64>,
    Dw: Dimension,
{
    let mut out = ndkern_core::try_zeros("output", a.raw_dim())?;
    convolve_into(a, weights, mode, origin, out.view_mut())?;
    Ok(out)
}

/// [`convolve`] into `out` (the input's shape).
///
/// ```
/// use ndarray::{array, Array1};
/// use ndkern_spatial::{convolve_into, BorderMode};
/// let a = array![0.0, 1.0, 0.0, 0.0];
/// let mut out = Array1::zeros(4);
/// convolve_into(&a, &array![1.0, 2.0, 3.0], BorderMode::Constant(0.0), &[0], out.view_mut())
///     .unwrap();
/// assert_eq!(out, array![1.0, 2.0, 3.0, 0.0]);
/// ```
pub fn convolve_into<T, S, D, Sw, Dw>(
    a: &ArrayBase<S, D>,
    weights: &ArrayBase<Sw, Dw>,
    mode: BorderMode,
    origin: &[isize],
    out: ArrayViewMut<'_, T, D>,
) -> Result<()>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
    Sw: Data<Elem = f64>,
    Dw: Dimension,
{
    let nd = weights.ndim();
    let mut flipped = weights.view();
    for ax in 0..nd {
        flipped.invert_axis(Axis(ax));
    }
    let origins = if nd == 0 || a.ndim() != nd {
        origin.to_vec()
    } else {
        per_axis("origin", origin, nd)?
            .iter()
            .zip(weights.shape())
            .map(|(&o, &len)| convolve_origin(len, o))
            .collect::<Result<_>>()?
    };
    correlate_into(a, &flipped, mode, &origins, out)
}

/// A ball (spherical) kernel of `radius` in `ndim` dimensions: shape `2*floor(radius)+1` per
/// axis, 1.0 where the squared distance from the centre is `<= radius^2`, else 0.0
/// (scikit-image `ball`/`disk` for integer radii). Divide by its sum for a mean (Q1).
///
/// ```
/// use ndkern_spatial::ball_kernel;
/// let b = ball_kernel(1.0, 3).unwrap();
/// assert_eq!(b.shape(), &[3, 3, 3]);
/// assert_eq!(b.sum(), 7.0); // the centre and its 6 face neighbours
/// ```
pub fn ball_kernel(radius: f64, ndim: usize) -> Result<ArrayD<f64>> {
    if !(radius.is_finite() && radius >= 0.0) {
        return Err(Error::InvalidParameter {
            name: "radius",
            reason: format!("the radius must be finite and >= 0, got {radius}"),
        });
    }
    let too_large = || Error::TooLarge {
        what: "the ball kernel ((2 * floor(radius) + 1)^ndim samples)",
        bytes: None,
        limit: ndkern_core::memory_limit(),
    };
    if radius >= (1u64 << 52) as f64 {
        return Err(too_large());
    }
    let r = radius.floor() as usize;
    let side = 2 * r + 1;
    ndkern_core::check_alloc::<usize>("the ball kernel's shape (ndim axes)", ndim)?;
    let shape = vec![side; ndim];
    let len = ndkern_core::checked_len(
        "the ball kernel ((2 * floor(radius) + 1)^ndim samples)",
        &shape,
    )?;
    ndkern_core::check_alloc::<f64>(
        "the ball kernel ((2 * floor(radius) + 1)^ndim samples)",
        len,
    )?;
    Ok(ArrayD::from_shape_fn(IxDyn(&shape), |idx| {
        let d2: f64 = idx
            .slice()
            .iter()
            .map(|&i| (i as f64 - r as f64).powi(2))
            .sum();
        if d2 <= radius * radius {
            1.0
        } else {
            0.0
        }
    }))
}
