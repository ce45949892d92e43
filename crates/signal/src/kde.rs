//! Gaussian kernel density estimation in 1-D and 2-D (scipy.stats.gaussian_kde semantics),
//! with boundary reflection, exact SIMD evaluation and binned FFT evaluation.
//!
//! * **Bandwidth**: the kernel covariance is the (weighted, unbiased) data covariance times
//!   `factor^2`, with `factor` from Scott (`neff^(-1/(d+4))`), Silverman
//!   (`(neff (d+2)/4)^(-1/(d+4))`) or given ([`Bandwidth`]), `neff = 1 / sum w_i^2` — exactly
//!   scipy's `covariance_factor`.
//! * **Exact evaluation** whitens the data once (`z = L^-1 x`, `L L^T` = kernel covariance),
//!   then each evaluation point is one SIMD pass of `w_i exp(-|z - z_i|^2 / 2)` over the data
//!   (`f64x8`, with a branch-free exp for non-positive arguments within 2 ulp; the sum is an
//!   `ndkern_core::multiversion!` leaf, so one AVX-512 or two AVX2+FMA vectors per step at
//!   those dispatched levels), points in parallel on rayon. `O(n m)`. In 1-D the samples
//!   are sorted once and each point sums only those within 8.5 kernel widths (the rest weigh
//!   `< 2e-16` of the total), which for data spread over many bandwidths cuts most of the work.
//! * **Binned evaluation** ([`GaussianKde::evaluate_binned_1d`]): linear binning of the data
//!   onto a grid at most `sigma / 64` fine, one FFT convolution with the Gaussian truncated at
//!   `8 sigma` (truncation `< 1e-14` relative), output read off the grid. `O(n + M log M)`.
//!   Linear binning is second-order: the error is about `(delta/sigma)^2 / 24` of the peak,
//!   `< 1e-5` at `sigma / 64`; the tests measure it against the exact path. 2-D
//!   ([`GaussianKde::evaluate_binned_2d`]): cubic (4 x 4) binning at 1/10 of the kernel's
//!   conditional std per axis and one circular 2-D FFT convolution with the Gaussian's
//!   closed-form spectrum, within 1e-4 of the peak (tested, correlated data). 2e4 samples on a
//!   64 x 64 grid: see BENCHMARKS.md (`gaussian_kde_2d_binned`).
//! * **Reflection** ([`GaussianKde::with_bounds`], 1-D): every sample also contributes its
//!   mirror images about the bounds, and the density is zero outside, so a density of data on
//!   `[0, inf)` (Q24's Pareto samples) integrates to 1 over `[0, inf)` instead of losing the
//!   mass that a plain KDE puts below 0. In 2-D ([`GaussianKde::with_bounds_2d`], a box) the
//!   evaluation point is mirrored instead (exact for correlated bandwidths too).
//!
//! ```
//! use ndarray::Array1;
//! use ndkern_signal::{Bandwidth, GaussianKde};
//! let x = Array1::from_shape_fn(200, |i| (i as f64 * 0.37).sin() * 2.0);
//! let kde = GaussianKde::new_1d(&x, Bandwidth::Scott, None).unwrap();
//! let total = kde.integrate_box_1d(-100.0, 100.0);
//! assert!((total - 1.0).abs() < 1e-12);
//! ```

use ndarray::{Array1, Array2, ArrayBase, Data, Ix1, Ix2};
use ndkern_core::f64x8;
use ndkern_core::{Element, Error, Result};
use rayon::prelude::*;

use crate::convolve::{fftconvolve, Mode};
use crate::fft::{irfftn, next_fast_len, rfftn, signed_index, C64};

/// Cells per conditional kernel std of the 2-D binned grid. Cubic assignment is the transpose
/// of cubic Lagrange interpolation, whose error on the middle interval is at most
/// `(9/16) / 24 delta^4 max|f''''|`; a Gaussian's `max|g''''| = 3 g(0) / std^4`, so a
/// sample's error is at most `0.0703 (delta / std)^4 = 7.0e-6` of its bump's peak per axis at
/// 10 cells per std, `< 2e-5` for both axes with the other axis' stencil weights (sum of
/// absolute values 1.25) ([`GaussianKde::evaluate_binned_2d`]).
const BINNED_2D_PER_STD: f64 = 10.0;

/// Weights of the 4-point cubic Lagrange stencil at nodes -1, 0, 1, 2 for a point at `f` in
/// `[0, 1)`: they reproduce every cubic, so binning with them is exact for cubics.
#[inline(always)]
fn cubic_weights(f: f64) -> [f64; 4] {
    let (a, b, c, d) = (f + 1.0, f, f - 1.0, f - 2.0);
    [
        -b * c * d / 6.0,
        a * c * d / 2.0,
        -a * b * d / 2.0,
        a * b * c / 6.0,
    ]
}

/// Padding of the 2-D binned grid in marginal kernel stds: `exp(-6^2 / 2) = 1.5e-8`.
const BINNED_2D_PAD: f64 = 6.0;

/// How the bandwidth factor is chosen (scipy's `bw_method`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bandwidth {
    /// Scott's rule, `neff^(-1/(d+4))` (scipy default).
    Scott,
    /// Silverman's rule, `(neff (d + 2) / 4)^(-1/(d+4))`.
    Silverman,
    /// A given factor multiplying the data standard deviation (scipy's scalar `bw_method`).
    Factor(f64),
}

/// A fitted Gaussian KDE (scipy `gaussian_kde`), 1-D or 2-D.
#[derive(Clone, Debug)]
pub struct GaussianKde {
    d: usize,
    /// Whitened coordinates, one row per dimension, reflections appended (1-D bounds).
    z: Vec<Vec<f64>>,
    /// Normalized weights, repeated for reflections.
    w: Vec<f64>,
    /// Lower-triangular Cholesky factor of the kernel covariance (row-major d x d).
    chol: Vec<f64>,
    covariance: Vec<f64>,
    factor: f64,
    neff: f64,
    /// `1 / ((2 pi)^(d/2) det L)`.
    norm: f64,
    bounds: Option<(f64, f64)>,
    /// 2-D reflection box `[(lo0, hi0), (lo1, hi1)]` ([`GaussianKde::with_bounds_2d`]).
    box2: Option<[(f64, f64); 2]>,
    n: usize,
}

/// Kernel support in whitened units: `exp(-CUTOFF^2 / 2) = 2e-16`, so dropping samples
/// farther than this changes a density by less than `2e-16` of the total weight.
const CUTOFF: f64 = 8.5;

/// Sorts 1-D whitened samples (and their weights) so evaluation can skip far samples.
fn sort_1d(z: &mut [f64], w: &mut [f64]) {
    let mut idx: Vec<usize> = (0..z.len()).collect();
    idx.sort_by(|&a, &b| z[a].total_cmp(&z[b]));
    let zs: Vec<f64> = idx.iter().map(|&i| z[i]).collect();
    let ws: Vec<f64> = idx.iter().map(|&i| w[i]).collect();
    z.copy_from_slice(&zs);
    w.copy_from_slice(&ws);
}

fn invalid(name: &'static str, reason: impl Into<String>) -> Error {
    Error::InvalidParameter {
        name,
        reason: reason.into(),
    }
}

/// A non-negative whole number of cells computed in `f64` from the caller's grid, as `usize`,
/// or [`Error::TooLarge`] naming `what` when it does not fit (or is not a number).
fn cells(what: &'static str, x: f64) -> Result<usize> {
    if (0.0..9.0e15).contains(&x) {
        Ok(x as usize)
    } else {
        Err(Error::TooLarge {
            what,
            bytes: None,
            limit: ndkern_core::memory_limit(),
        })
    }
}

/// Internal cells of one binned-grid axis: `(m - 1) r + 1 + 2 half`, checked, with room for
/// the FFT buffers (`C64`, a few per cell) under the memory cap.
fn grid_cells(m: usize, r: usize, half: usize) -> Result<usize> {
    let over = || Error::TooLarge {
        what: "KDE grid",
        bytes: None,
        limit: ndkern_core::memory_limit(),
    };
    (m - 1)
        .checked_mul(r)
        .and_then(|v| v.checked_add(1))
        .and_then(|v| half.checked_mul(2).and_then(|h| v.checked_add(h)))
        .ok_or_else(over)
}

/// `exp(x)` for `x <= 0`, eight lanes, without `wide`'s special-case branches and selects
/// (the kernel sum's arguments are never positive, NaN or infinite-and-positive): `x` is
/// clamped at -708 (so far samples add `exp(-708) = 3e-308` instead of 0: absolute, and
/// below any density worth reporting), `x = k ln2 + r` with `|r| <= ln2 / 2` by a two-part
/// `ln2`, `exp(r)` by its degree-13 Taylor polynomial (truncation `< 4e-18`) in Estrin form,
/// and `2^k` built in the exponent bits. Within 2 ulp of `f64::exp` (unit test).
#[inline(always)]
fn exp_nonpos(x: f64x8) -> f64x8 {
    let x = x.max(f64x8::splat(-708.0));
    let k = (x * f64x8::splat(std::f64::consts::LOG2_E)).round();
    let r = k.mul_neg_add(f64x8::splat(0.693_145_751_953_125), x);
    let r = k.mul_neg_add(f64x8::splat(1.428_606_820_309_417_2e-6), r);
    let c = |n: u32| f64x8::splat(1.0 / (1..=n).map(f64::from).product::<f64>());
    let (r2, one) = (r * r, f64x8::splat(1.0));
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let lo = r4.mul_add(
        r2.mul_add(r.mul_add(c(7), c(6)), r.mul_add(c(5), c(4))),
        r2.mul_add(r.mul_add(c(3), c(2)), r + one),
    );
    let hi = r4.mul_add(
        r.mul_add(c(13), c(12)),
        r2.mul_add(r.mul_add(c(11), c(10)), r.mul_add(c(9), c(8))),
    );
    let p = r8.mul_add(hi, lo);
    let biased = (k + f64x8::splat(1023.0 + 4_503_599_627_370_496.0)).to_bits();
    let two_k = f64x8::from_bits(biased.map(|b| b << 52));
    p * two_k
}

ndkern_core::multiversion! {
    /// `sum_i w_i exp(-|z_i - zp|^2 / 2)` over samples stored as `D` coordinate rows, eight
    /// samples per step in one `f64x8` (one AVX-512 or two AVX2 vectors at those dispatched
    /// levels) with [`exp_nonpos`], which dominates the cost; `D` is a constant so the coordinate
    /// loop unrolls.
    fn kernel_sum[const D: usize](zp: [f64; D], z: [&[f64]; D], w: &[f64]) -> f64 {
        let p = zp.map(f64x8::splat);
        let half = f64x8::splat(-0.5);
        let mut acc = f64x8::splat(0.0);
        let n = w.len();
        let body = n - n % 8;
        let lane =
            |s: &[f64], i: usize| f64x8::from(<[f64; 8]>::try_from(&s[i..i + 8]).expect("8 lanes"));
        for i in (0..body).step_by(8) {
            let mut q = f64x8::splat(0.0);
            for (row, &pk) in z.iter().zip(&p) {
                let d = lane(row, i) - pk;
                q = d.mul_add(d, q);
            }
            acc = exp_nonpos(q * half).mul_add(lane(w, i), acc);
        }
        let mut s = acc.reduce_add();
        for i in body..n {
            let q: f64 = z
                .iter()
                .zip(&zp)
                .map(|(row, &pk)| (row[i] - pk) * (row[i] - pk))
                .sum();
            s += w[i] * (-0.5 * q).exp();
        }
        s
    }
}

ndkern_core::multiversion! {
    /// Linear binning of the whitened 1-D samples `z` (weights `w`) onto `bins` (cell `j` at
    /// `origin + j delta`, data `x = z sigma`; `geo = [sigma, origin, delta]`); samples
    /// outside the grid are dropped. Compiled per SIMD level.
    fn bin_linear(z: &[f64], w: &[f64], geo: [f64; 3], bins: &mut [f64]) {
        let [sigma, origin, delta] = geo;
        let total = bins.len();
        for (&z, &w) in z.iter().zip(w) {
            let g = (z * sigma - origin) / delta;
            if g < 0.0 || g > (total - 1) as f64 {
                continue; // farther than 8 sigma from every output point
            }
            let j = (g.floor() as usize).min(total - 2);
            let f = g - j as f64;
            bins[j] += w * (1.0 - f);
            bins[j + 1] += w * f;
        }
    }
}

ndkern_core::multiversion! {
    /// Cubic (4 x 4) binning of the whitened 2-D samples `z` (weights `w`) onto the
    /// row-major grid `bins` (`n1` columns): the data point is `x = (l0 z0, l2 z0 + l3 z1)`
    /// with `l = [l0, l2, l3]`, axis `k` has `(origin, delta, used cells)` in `geo[k]`.
    /// Samples whose stencil leaves the used cells are dropped. Compiled per SIMD level.
    fn bin_cubic(
        z: [&[f64]; 2],
        w: &[f64],
        l: [f64; 3],
        geo: [(f64, f64, usize); 2],
        n1: usize,
        bins: &mut [f64],
    ) {
        let (t0, t1) = (geo[0].2, geo[1].2);
        for i in 0..w.len() {
            let (z0, z1) = (z[0][i], z[1][i]);
            let x = [l[0] * z0, l[1] * z0 + l[2] * z1];
            let g = [(x[0] - geo[0].0) / geo[0].1, (x[1] - geo[1].0) / geo[1].1];
            // The 4-point stencil needs cells j - 1 ..= j + 2 inside the padded grid.
            if !(g[0] >= 1.0 && g[0] < (t0 - 3) as f64 && g[1] >= 1.0 && g[1] < (t1 - 3) as f64)
            {
                continue; // farther than BINNED_2D_PAD sigma (less 2 cells) from every output
            }
            let (j0, j1) = (g[0].floor() as usize, g[1].floor() as usize);
            let (a, b) = (
                cubic_weights(g[0] - j0 as f64),
                cubic_weights(g[1] - j1 as f64),
            );
            let wi = w[i];
            for (p, &wa) in a.iter().enumerate() {
                let row = &mut bins[(j0 + p - 1) * n1..(j0 + p) * n1];
                for (q, &wb) in b.iter().enumerate() {
                    row[j1 + q - 1] += wi * wa * wb;
                }
            }
        }
    }
}

/// Standard normal CDF, accurate to ~1e-16 absolute (series for |x| < 3, continued fraction
/// for the tails).
pub(crate) fn normal_cdf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x.is_infinite() {
        return if x > 0.0 { 1.0 } else { 0.0 };
    }
    let t = x / std::f64::consts::SQRT_2;
    if t.abs() < 3.0 {
        0.5 * (1.0 + erf_series(t))
    } else if t > 0.0 {
        1.0 - 0.5 * erfc_cf(t)
    } else {
        0.5 * erfc_cf(-t)
    }
}

/// erf by its Maclaurin series (|t| < 3: terms peak near 1e3, so ~1e-13 relative to 1).
fn erf_series(t: f64) -> f64 {
    // erf t = 2/sqrt(pi) exp(-t^2) sum_k 2^k t^(2k+1) / (1*3*...*(2k+1)), all terms positive.
    let t2 = t * t;
    let mut term = t;
    let mut sum = t;
    let mut k = 0.0;
    while term.abs() > 1e-17 * sum.abs() {
        k += 1.0;
        term *= 2.0 * t2 / (2.0 * k + 1.0);
        sum += term;
    }
    2.0 / std::f64::consts::PI.sqrt() * (-t2).exp() * sum
}

/// erfc by its continued fraction (t >= 3), modified Lentz.
fn erfc_cf(t: f64) -> f64 {
    // erfc t = exp(-t^2)/sqrt(pi) * 1/(t + (1/2)/(t + 1/(t + (3/2)/(t + 2/(t + ...)))))
    let tiny = 1e-300;
    let mut f = t;
    let mut c = t;
    let mut d = 0.0;
    for k in 1..200 {
        let a = k as f64 * 0.5;
        d = t + a * d;
        d = if d.abs() < tiny { tiny } else { d };
        c = t + a / c;
        c = if c.abs() < tiny { tiny } else { c };
        d = 1.0 / d;
        let delta = c * d;
        f *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    (-t * t).exp() / std::f64::consts::PI.sqrt() / f
}

impl GaussianKde {
    /// scipy `gaussian_kde(dataset, bw_method, weights)` for a `(d, n)` dataset, `d` 1 or 2.
    /// Errors: `d` not 1 or 2, fewer than 2 samples, NaN/inf data, a non-positive or
    /// non-finite bandwidth factor, bad weights (wrong length, negative, zero sum), zero
    /// variance (singular covariance).
    ///
    /// ```
    /// use ndarray::Array2;
    /// use ndkern_signal::{Bandwidth, GaussianKde};
    /// let data = Array2::from_shape_fn((2, 100), |(r, i)| ((i * (r + 3)) % 17) as f64 + r as f64 * (i as f64).sin());
    /// let kde = GaussianKde::new(&data, Bandwidth::Silverman, None).unwrap();
    /// let p = kde.evaluate(&Array2::from_shape_vec((2, 1), vec![8.0, 8.0]).unwrap()).unwrap();
    /// assert!(p[0] > 0.0);
    /// ```
    pub fn new<T: Element, S: Data<Elem = T>>(
        dataset: &ArrayBase<S, Ix2>,
        bw: Bandwidth,
        weights: Option<&[f64]>,
    ) -> Result<Self> {
        let (d, n) = dataset.dim();
        if d != 1 && d != 2 {
            return Err(invalid(
                "dataset",
                format!("give a (d, n) dataset with d = 1 or 2, got d = {d}"),
            ));
        }
        if n < 2 {
            return Err(invalid(
                "dataset",
                format!("need at least 2 samples, got {n}"),
            ));
        }
        let x: Vec<Vec<f64>> = dataset
            .outer_iter()
            .map(|r| r.iter().map(|v| v.as_f64()).collect())
            .collect();
        if x.iter().flatten().any(|v| !v.is_finite()) {
            return Err(invalid(
                "dataset",
                "contains NaN or infinity; remove those samples",
            ));
        }
        let w: Vec<f64> = match weights {
            None => vec![1.0 / n as f64; n],
            Some(w) => {
                if w.len() != n {
                    return Err(Error::ShapeMismatch {
                        expected: vec![n],
                        got: vec![w.len()],
                    });
                }
                if w.iter().any(|v| !v.is_finite() || *v < 0.0) {
                    return Err(invalid("weights", "weights must be finite and >= 0"));
                }
                // Scaled by the largest weight first, so weights near 1e308 do not overflow
                // the sum and subnormal ones keep their ratios.
                let big = w.iter().fold(0.0f64, |a, &b| a.max(b));
                if big <= 0.0 {
                    return Err(invalid(
                        "weights",
                        "weights sum to 0; give at least one positive weight",
                    ));
                }
                let ws: Vec<f64> = w.iter().map(|v| v / big).collect();
                let s: f64 = ws.iter().sum();
                ws.iter().map(|v| v / s).collect()
            }
        };
        let neff = 1.0 / w.iter().map(|v| v * v).sum::<f64>();
        let factor = match bw {
            Bandwidth::Scott => neff.powf(-1.0 / (d as f64 + 4.0)),
            Bandwidth::Silverman => (neff * (d as f64 + 2.0) / 4.0).powf(-1.0 / (d as f64 + 4.0)),
            Bandwidth::Factor(f) => {
                if !(f.is_finite() && f > 0.0) {
                    return Err(invalid(
                        "bw_method",
                        format!("the bandwidth factor must be a positive number, got {f}"),
                    ));
                }
                f
            }
        };
        // Weighted unbiased covariance, numpy cov(aweights=w): divide by 1 - sum w^2.
        let mean: Vec<f64> = x
            .iter()
            .map(|r| r.iter().zip(&w).map(|(a, b)| a * b).sum())
            .collect();
        let fact = 1.0 - w.iter().map(|v| v * v).sum::<f64>();
        let mut cov = vec![0.0; d * d];
        for r in 0..d {
            for c in 0..d {
                let s: f64 = (0..n)
                    .map(|i| w[i] * (x[r][i] - mean[r]) * (x[c][i] - mean[c]))
                    .sum();
                cov[r * d + c] = s / fact * factor * factor;
            }
        }
        // Cholesky of the kernel covariance.
        let mut l = vec![0.0; d * d];
        l[0] = cov[0].sqrt();
        if d == 2 {
            l[2] = cov[2] / l[0];
            l[3] = (cov[3] - l[2] * l[2]).sqrt();
        }
        let det: f64 = (0..d).map(|k| l[k * d + k]).product();
        let spread: Vec<f64> = x
            .iter()
            .map(|r| {
                let (lo, hi) = r
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                        (a.min(v), b.max(v))
                    });
                hi - lo
            })
            .collect();
        // A constant dimension (range exactly 0) is singular, even when rounding in the mean
        // leaves a covariance of ~1e-33 or the Cholesky divides by 0 (scipy: LinAlgError).
        if spread.contains(&0.0) {
            return Err(invalid("dataset", "the data covariance is singular (zero variance or collinear samples); a KDE needs spread in every dimension"));
        }
        if (0..d).any(|k| !cov[k * d + k].is_finite() || !det.is_finite()) {
            return Err(invalid(
                "dataset",
                format!(
                    "the kernel covariance overflows f64 (data ranges {spread:?}, bandwidth \
                     factor {factor}); rescale the data or use a smaller bandwidth factor"
                ),
            ));
        }
        if (0..d).any(|k| spread[k] > 0.0 && cov[k * d + k] < f64::MIN_POSITIVE) {
            return Err(invalid(
                "dataset",
                format!(
                    "the kernel covariance underflows f64 (data ranges {spread:?}, bandwidth \
                     factor {factor}); rescale the data or use a larger bandwidth factor"
                ),
            ));
        }
        if !(det.is_finite() && det > 0.0)
            || (0..d).any(|k| l[k * d + k] <= 1e-12 * cov[k * d + k].sqrt())
        {
            return Err(invalid("dataset", "the data covariance is singular (zero variance or collinear samples); a KDE needs spread in every dimension"));
        }
        let mut kde = GaussianKde {
            d,
            z: vec![],
            w: w.clone(),
            chol: l,
            covariance: cov,
            factor,
            neff,
            norm: 1.0 / ((2.0 * std::f64::consts::PI).powf(d as f64 / 2.0) * det),
            bounds: None,
            box2: None,
            n,
        };
        let mut z = vec![vec![0.0; n]; d];
        for i in 0..n {
            let p: Vec<f64> = (0..d).map(|r| x[r][i]).collect();
            let q = kde.whiten(&p);
            for r in 0..d {
                z[r][i] = q[r];
            }
        }
        if d == 1 {
            sort_1d(&mut z[0], &mut kde.w);
        }
        kde.z = z;
        Ok(kde)
    }

    /// 1-D convenience: scipy `gaussian_kde(x, bw_method, weights)` for a 1-D array.
    ///
    /// ```
    /// use ndarray::array;
    /// use ndkern_signal::{Bandwidth, GaussianKde};
    /// let kde = GaussianKde::new_1d(&array![1.0f32, 2.0, 2.5, 4.0], Bandwidth::Factor(0.5), None).unwrap();
    /// assert_eq!(kde.factor(), 0.5);
    /// ```
    pub fn new_1d<T: Element, S: Data<Elem = T>>(
        x: &ArrayBase<S, Ix1>,
        bw: Bandwidth,
        weights: Option<&[f64]>,
    ) -> Result<Self> {
        let v = x.view().insert_axis(ndarray::Axis(0));
        Self::new(&v, bw, weights)
    }

    /// Reflects the density at `lo` and `hi` (1-D; use `f64::INFINITY` for no upper bound):
    /// density zero outside, mass of the tails folded back inside, so it integrates to 1 on
    /// `[lo, hi]`. Errors: not 1-D, `lo >= hi`, samples outside the bounds.
    ///
    /// ```
    /// use ndarray::array;
    /// use ndkern_signal::{Bandwidth, GaussianKde};
    /// let kde = GaussianKde::new_1d(&array![0.1f64, 0.3, 0.2, 1.5, 0.05], Bandwidth::Scott, None).unwrap()
    ///     .with_bounds(0.0, f64::INFINITY).unwrap();
    /// assert!((kde.integrate_box_1d(0.0, 1e9) - 1.0).abs() < 1e-12);
    /// assert_eq!(kde.evaluate_1d(&[-0.1]).unwrap()[0], 0.0);
    /// ```
    pub fn with_bounds(mut self, lo: f64, hi: f64) -> Result<Self> {
        if self.d != 1 {
            return Err(invalid(
                "bounds",
                "reflection is implemented for 1-D data only",
            ));
        }
        if lo.partial_cmp(&hi) != Some(std::cmp::Ordering::Less) {
            return Err(invalid("bounds", format!("need lo < hi, got [{lo}, {hi}]")));
        }
        let s = self.chol[0];
        let n = self.n;
        let z0: Vec<f64> = self.z[0][..n].to_vec();
        if z0.iter().any(|&z| z * s < lo || z * s > hi) {
            return Err(invalid(
                "bounds",
                format!("every sample must lie in [{lo}, {hi}]"),
            ));
        }
        let mut z = z0.clone();
        let mut w = self.w[..n].to_vec();
        for b in [lo, hi] {
            if b.is_finite() {
                let zb = b / s;
                z.extend(z0.iter().map(|&v| 2.0 * zb - v));
                w.extend_from_slice(&self.w[..n]);
            }
        }
        sort_1d(&mut z, &mut w);
        self.z = vec![z];
        self.w = w;
        self.bounds = Some((lo, hi));
        Ok(self)
    }

    /// Reflects a 2-D density at the edges of the box `[lo[0], hi[0]] x [lo[1], hi[1]]`
    /// (infinite edges allowed): zero outside, and inside the sum of the plain density at
    /// the point and at its mirror images about every finite edge (and, at corners, about
    /// both), `f(x) = sum_R f_plain(R x)`. Mirroring the evaluation point rather than the
    /// samples reflects each kernel exactly even when the bandwidth covariance is correlated,
    /// so the density integrates to 1 over the box. Up to 9 plain evaluations per point.
    /// Errors: not 2-D, an empty box side, samples outside the box.
    ///
    /// ```
    /// use ndarray::Array2;
    /// use ndkern_signal::{Bandwidth, GaussianKde};
    /// let d = Array2::from_shape_fn((2, 300), |(k, i)| ((i * (7 + k) * 7919) % 1000) as f64 / 400.0);
    /// let kde = GaussianKde::new(&d, Bandwidth::Scott, None).unwrap()
    ///     .with_bounds_2d([0.0, 0.0], [f64::INFINITY, f64::INFINITY]).unwrap();
    /// let p = ndarray::array![[-0.1, 0.5], [0.5, 0.5]];
    /// let v = kde.evaluate(&p).unwrap();
    /// assert!(v[0] == 0.0 && v[1] > 0.0);
    /// ```
    pub fn with_bounds_2d(mut self, lo: [f64; 2], hi: [f64; 2]) -> Result<Self> {
        if self.d != 2 {
            return Err(invalid(
                "bounds",
                "with_bounds_2d needs a 2-D KDE; use with_bounds for 1-D data",
            ));
        }
        for k in 0..2 {
            if lo[k].partial_cmp(&hi[k]) != Some(std::cmp::Ordering::Less) {
                return Err(invalid(
                    "bounds",
                    format!("need lo < hi on axis {k}, got [{}, {}]", lo[k], hi[k]),
                ));
            }
        }
        // Samples back in data coordinates: x = L z.
        let l = &self.chol;
        let outside = (0..self.n).any(|i| {
            let (z0, z1) = (self.z[0][i], self.z[1][i]);
            let x = [l[0] * z0, l[2] * z0 + l[3] * z1];
            (0..2).any(|k| x[k] < lo[k] || x[k] > hi[k])
        });
        if outside {
            return Err(invalid(
                "bounds",
                format!("every sample must lie in the box {lo:?} .. {hi:?}"),
            ));
        }
        self.box2 = Some([(lo[0], hi[0]), (lo[1], hi[1])]);
        Ok(self)
    }

    /// The mirror images of coordinate `x` about the finite edges of `(lo, hi)`, itself first.
    fn images(x: f64, (lo, hi): (f64, f64)) -> impl Iterator<Item = f64> {
        [
            Some(x),
            lo.is_finite().then_some(2.0 * lo - x),
            hi.is_finite().then_some(2.0 * hi - x),
        ]
        .into_iter()
        .flatten()
    }

    fn whiten(&self, p: &[f64]) -> Vec<f64> {
        let l = &self.chol;
        if self.d == 1 {
            vec![p[0] / l[0]]
        } else {
            let a = p[0] / l[0];
            vec![a, (p[1] - l[2] * a) / l[3]]
        }
    }

    fn inside(&self, x: f64) -> bool {
        self.bounds.is_none_or(|(lo, hi)| x >= lo && x <= hi)
    }

    /// The bandwidth factor (scipy `kde.factor`).
    pub fn factor(&self) -> f64 {
        self.factor
    }
    /// Effective number of samples `1 / sum w^2` (scipy `kde.neff`).
    pub fn neff(&self) -> f64 {
        self.neff
    }
    /// Kernel covariance `d x d` (scipy `kde.covariance`).
    pub fn covariance(&self) -> Array2<f64> {
        Array2::from_shape_vec((self.d, self.d), self.covariance.clone()).expect("d x d")
    }

    /// Exact density at each column of `points` (`(d, m)`), scipy `kde(points)`. Errors:
    /// wrong number of rows.
    pub fn evaluate<T: Element, S: Data<Elem = T>>(
        &self,
        points: &ArrayBase<S, Ix2>,
    ) -> Result<Array1<f64>> {
        if points.nrows() != self.d {
            return Err(Error::ShapeMismatch {
                expected: vec![self.d, points.ncols()],
                got: points.shape().to_vec(),
            });
        }
        let cols: Vec<Vec<f64>> = points
            .columns()
            .into_iter()
            .map(|c| c.iter().map(|v| v.as_f64()).collect())
            .collect();
        let out: Vec<f64> = cols
            .par_iter()
            .map(|p| {
                if p.iter().any(|v| v.is_nan()) {
                    return f64::NAN;
                }
                if (self.d == 1 && !self.inside(p[0])) || p.iter().any(|v| v.is_infinite()) {
                    // Outside the bounds, or infinitely far from every sample (scipy:
                    // exp(-inf) = 0; the SIMD exp would leave exp(-708) per sample).
                    return 0.0;
                }
                let zp = self.whiten(p);
                if self.d == 1 {
                    // Sorted samples: only those within CUTOFF contribute.
                    let z = &self.z[0];
                    let a = z.partition_point(|&v| v < zp[0] - CUTOFF);
                    let b = z.partition_point(|&v| v <= zp[0] + CUTOFF);
                    return self.norm * kernel_sum([zp[0]], [&z[a..b]], &self.w[a..b]);
                }
                let rows: Vec<&[f64]> = self.z.iter().map(|r| r.as_slice()).collect();
                if let Some(bx) = self.box2 {
                    if (0..2).any(|k| p[k] < bx[k].0 || p[k] > bx[k].1) {
                        return 0.0;
                    }
                    let mut total = 0.0;
                    for x0 in Self::images(p[0], bx[0]) {
                        for x1 in Self::images(p[1], bx[1]) {
                            let zi = self.whiten(&[x0, x1]);
                            total += kernel_sum([zi[0], zi[1]], [rows[0], rows[1]], &self.w);
                        }
                    }
                    return self.norm * total;
                }
                self.norm * kernel_sum([zp[0], zp[1]], [rows[0], rows[1]], &self.w)
            })
            .collect();
        Ok(Array1::from(out))
    }

    /// 1-D exact density at each of `x`. Errors: the KDE is not 1-D.
    ///
    /// ```
    /// use ndarray::array;
    /// use ndkern_signal::{Bandwidth, GaussianKde};
    /// let kde = GaussianKde::new_1d(&array![-1.0f64, 1.0], Bandwidth::Factor(1.0), None).unwrap();
    /// let p = kde.evaluate_1d(&[0.0]).unwrap();
    /// let s = 2f64.sqrt(); // data std of [-1, 1]
    /// let want = (-0.5f64 / (s * s)).exp() / (s * (2.0 * std::f64::consts::PI).sqrt());
    /// assert!((p[0] - want).abs() < 1e-15);
    /// ```
    pub fn evaluate_1d(&self, x: &[f64]) -> Result<Array1<f64>> {
        let v = ndarray::ArrayView2::from_shape((1, x.len()), x).expect("1 x m");
        self.evaluate(&v)
    }

    /// scipy `kde.integrate_box_1d(lo, hi)`: the probability mass in `[lo, hi]` (with
    /// reflection, of the bounded density). Returns NaN for a 2-D KDE or a NaN bound.
    pub fn integrate_box_1d(&self, lo: f64, hi: f64) -> f64 {
        if self.d != 1 {
            return f64::NAN;
        }
        if lo.is_nan() || hi.is_nan() {
            return f64::NAN;
        }
        let (lo, hi) = match self.bounds {
            Some((a, b)) => (ndkern_core::nan_max(lo, a), ndkern_core::nan_min(hi, b)),
            None => (lo, hi),
        };
        if hi <= lo {
            return 0.0;
        }
        let s = self.chol[0];
        let (zl, zh) = (lo / s, hi / s);
        self.z[0]
            .iter()
            .zip(&self.w)
            .map(|(&z, &w)| w * (normal_cdf(zh - z) - normal_cdf(zl - z)))
            .sum()
    }

    /// Density on the grid `linspace(lo, hi, m)` by linear binning and one FFT convolution
    /// (see the [module docs](self) for the error; use it for large `n`). Errors: not 1-D,
    /// `m < 2`, `lo >= hi`.
    ///
    /// ```
    /// use ndarray::Array1;
    /// use ndkern_signal::{Bandwidth, GaussianKde};
    /// let x = Array1::from_shape_fn(1000, |i| ((i * 7919) % 1000) as f64 / 100.0);
    /// let kde = GaussianKde::new_1d(&x, Bandwidth::Scott, None).unwrap();
    /// let fast = kde.evaluate_binned_1d(0.0, 10.0, 101).unwrap();
    /// let grid: Vec<f64> = (0..101).map(|i| i as f64 * 0.1).collect();
    /// let exact = kde.evaluate_1d(&grid).unwrap();
    /// assert!(fast.iter().zip(&exact).all(|(a, b)| (a - b).abs() < 1e-4));
    /// ```
    pub fn evaluate_binned_1d(&self, lo: f64, hi: f64, m: usize) -> Result<Array1<f64>> {
        if self.d != 1 {
            return Err(invalid(
                "dataset",
                "binned evaluation is implemented for 1-D KDEs",
            ));
        }
        if m < 2 || lo.partial_cmp(&hi) != Some(std::cmp::Ordering::Less) || !(hi - lo).is_finite()
        {
            return Err(invalid(
                "grid",
                format!("need m >= 2 and lo < hi, got m = {m}, [{lo}, {hi}]"),
            ));
        }
        ndkern_core::check_alloc::<f64>("KDE output grid", m)?;
        let sigma = self.chol[0];
        let step_out = (hi - lo) / (m - 1) as f64;
        // Internal grid: output points are every r-th internal point, spacing <= sigma / 64.
        let r = cells("KDE grid", (step_out / (sigma / 64.0)).ceil().max(1.0))?;
        let delta = step_out / r as f64;
        let half = cells("KDE grid", (8.0 * sigma / delta).ceil())?;
        let total = grid_cells(m, r, half)?;
        // The FFT convolution holds about four complex buffers of the padded length.
        ndkern_core::check_alloc::<C64>("KDE grid", total.saturating_mul(4))?;
        let origin = lo - half as f64 * delta;
        let mut bins = ndkern_core::try_zeros::<f64, _>("KDE grid", ndarray::Ix1(total))?;
        bin_linear(
            &self.z[0],
            &self.w,
            [sigma, origin, delta],
            bins.as_slice_mut().expect("fresh array"),
        );
        let c = 1.0 / (sigma * (2.0 * std::f64::consts::PI).sqrt());
        let kernel = Array1::from_shape_fn(2 * half + 1, |k| {
            let t = (k as f64 - half as f64) * delta / sigma;
            c * (-0.5 * t * t).exp()
        });
        let dens = fftconvolve(&bins, &kernel, Mode::Valid, None)?;
        Ok(Array1::from_shape_fn(m, |i| {
            let x = lo + i as f64 * step_out;
            if self.inside(x) {
                ndkern_core::nan_max(dens[[i * r]], 0.0)
            } else {
                0.0
            }
        }))
    }

    /// 2-D density on the grid `linspace(lo[0], hi[0], m[0]) x linspace(lo[1], hi[1], m[1])`
    /// (`out[[i, j]]` at `(x0_i, x1_j)`) by cubic (4 x 4 Lagrange) binning onto a grid at most 1/10 of the
    /// kernel's conditional std fine per axis, padded by 6 marginal kernel stds, and one
    /// circular 2-D FFT convolution whose kernel spectrum is the (correlated) Gaussian's
    /// Fourier transform in closed form (one forward and one inverse real FFT; wrap-around
    /// and dropped far samples weigh `< exp(-5.8^2 / 2) = 5e-8`). Cubic binning is
    /// fourth-order: a sample's error is at most its cubic-interpolation error, `< 2e-5` of
    /// its bump's peak at 10 cells per std (derivation at `BINNED_2D_PER_STD`). The tests
    /// measure it against [`GaussianKde::evaluate`] with 300 and 2000 samples: `< 1e-4` of
    /// the peak. `O(n + M log M)` for `M` grid cells. Errors: not 2-D,
    /// reflection bounds set (evaluate those exactly), `m < 2` or `lo >= hi` on an axis.
    ///
    /// ```
    /// use ndarray::Array2;
    /// use ndkern_signal::{Bandwidth, GaussianKde};
    /// let d = Array2::from_shape_fn((2, 500), |(k, i)| ((i * (3 + 4 * k) * 7919) % 1000) as f64 / 100.0);
    /// let kde = GaussianKde::new(&d, Bandwidth::Scott, None).unwrap();
    /// let g = kde.evaluate_binned_2d([0.0, 0.0], [10.0, 10.0], [21, 11]).unwrap();
    /// assert_eq!(g.shape(), &[21, 11]);
    /// let exact = kde.evaluate(&ndarray::array![[5.0], [4.0]]).unwrap()[0];
    /// assert!((g[[10, 4]] - exact).abs() < 1e-4 * g.iter().cloned().fold(0.0, f64::max));
    /// ```
    pub fn evaluate_binned_2d(
        &self,
        lo: [f64; 2],
        hi: [f64; 2],
        m: [usize; 2],
    ) -> Result<Array2<f64>> {
        if self.d != 2 {
            return Err(invalid(
                "dataset",
                "evaluate_binned_2d needs a 2-D KDE; use evaluate_binned_1d for 1-D data",
            ));
        }
        if self.box2.is_some() {
            return Err(invalid(
                "bounds",
                "binned evaluation of a reflected 2-D KDE is not implemented; use evaluate",
            ));
        }
        for k in 0..2 {
            if m[k] < 2
                || lo[k].partial_cmp(&hi[k]) != Some(std::cmp::Ordering::Less)
                || !(hi[k] - lo[k]).is_finite()
            {
                return Err(invalid(
                    "grid",
                    format!(
                        "need m >= 2 and finite lo < hi on axis {k}, got m = {}, [{}, {}]",
                        m[k], lo[k], hi[k]
                    ),
                ));
            }
        }
        let l = &self.chol;
        let c = &self.covariance;
        let sigma = [c[0].sqrt(), c[3].sqrt()];
        // The binning error along axis k follows the kernel's curvature there, i.e. its
        // conditional std `sqrt(det / c_jj)` (< the marginal std when correlated).
        let det = c[0] * c[3] - c[1] * c[2];
        let cond = [(det / c[3]).sqrt(), (det / c[0]).sqrt()];
        // Per axis: refinement r, internal spacing, padding (cells), transform length, origin.
        // The grid pads BINNED_2D_PAD marginal sigmas around the output box, so the
        // circular convolution's wrap-around and the samples dropped outside reach an output
        // point only from farther than that many kernel widths.
        ndkern_core::check_alloc::<f64>(
            "KDE output grid",
            ndkern_core::checked_len("KDE output grid", &m)?,
        )?;
        let mut used = [0usize; 2];
        let geo: Vec<(usize, f64, usize, usize, f64)> = (0..2)
            .map(|k| {
                let step_out = (hi[k] - lo[k]) / (m[k] - 1) as f64;
                let r = cells(
                    "KDE grid",
                    (step_out / (cond[k] / BINNED_2D_PER_STD)).ceil().max(1.0),
                )?;
                let delta = step_out / r as f64;
                let half = cells("KDE grid", (BINNED_2D_PAD * sigma[k] / delta).ceil())?;
                let total = grid_cells(m[k], r, half)?;
                used[k] = total;
                let len = next_fast_len(total, k == 1)?;
                Ok((r, delta, half, len, lo[k] - half as f64 * delta))
            })
            .collect::<Result<_>>()?;
        let (t0, t1) = (used[0], used[1]);
        let grid = ndkern_core::checked_len("KDE grid", &[geo[0].3, geo[1].3])?;
        // Bins, their half spectrum and the inverse: about three complex buffers of the grid.
        ndkern_core::check_alloc::<C64>("KDE grid", grid.saturating_mul(3))?;
        let mut bins =
            ndkern_core::try_zeros::<f64, _>("KDE grid", ndarray::Ix2(geo[0].3, geo[1].3))?;
        bin_cubic(
            [&self.z[0], &self.z[1]],
            &self.w[..self.n],
            [l[0], l[2], l[3]],
            [(geo[0].4, geo[0].1, t0), (geo[1].4, geo[1].1, t1)],
            geo[1].3,
            bins.as_slice_mut().expect("fresh array"),
        );
        // Circular convolution with the sampled Gaussian: its DFT is the Gaussian's Fourier
        // transform `exp(-w^T C w / 2) / (d0 d1)` at `w_k = 2 pi f_k / (n_k d_k)` (aliases
        // below 1e-300 at 32 samples per conditional std), so no kernel array or kernel FFT.
        let (n0, n1) = (geo[0].3, geo[1].3);
        let mut spec = rfftn(&bins, &[0, 1])?;
        let scale = 1.0 / (geo[0].1 * geo[1].1);
        let (u0, u1) = (
            2.0 * std::f64::consts::PI / (n0 as f64 * geo[0].1),
            2.0 * std::f64::consts::PI / (n1 as f64 * geo[1].1),
        );
        spec.axis_iter_mut(ndarray::Axis(0))
            .into_par_iter()
            .enumerate()
            .for_each(|(f0, mut row)| {
                let w0 = signed_index(f0, n0) as f64 * u0;
                for (f1, v) in row.iter_mut().enumerate() {
                    let w1 = f1 as f64 * u1;
                    let q = c[0] * w0 * w0 + (c[1] + c[2]) * w0 * w1 + c[3] * w1 * w1;
                    *v *= (-0.5 * q).exp() * scale;
                }
            });
        let dens = irfftn(&spec, &[0, 1], n1)?;
        let (r0, r1) = (geo[0].0, geo[1].0);
        let (h0, h1) = (geo[0].2, geo[1].2);
        Ok(Array2::from_shape_fn((m[0], m[1]), |(i, j)| {
            ndkern_core::nan_max(dens[[h0 + i * r0, h1 + j * r1]], 0.0)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The branch-free exp against `f64::exp` on a dense sweep of `[-708, 0]`, the
    /// reduction's boundaries `(k + 1/2) ln2`, and the clamp below -708.
    #[test]
    fn exp_nonpos_within_2_ulp() {
        let ln2 = std::f64::consts::LN_2;
        let mut xs: Vec<f64> = (0..=200_000)
            .map(|i| -708.0 * i as f64 / 200_000.0)
            .collect();
        for k in 0..1021 {
            let b = -(k as f64 + 0.5) * ln2;
            xs.extend([b, b.next_up(), b.next_down()]);
        }
        xs.extend([0.0, -0.0, -1e-300, -5e-324, -1e-17]);
        for ch in xs.chunks(8) {
            let mut v = [0.0; 8];
            v[..ch.len()].copy_from_slice(ch);
            let got = exp_nonpos(f64x8::from(v)).to_array();
            for (&x, &g) in v.iter().zip(&got) {
                let want = x.exp();
                let ulp = want.next_up() - want;
                assert!((g - want).abs() <= 2.0 * ulp, "x = {x}: {g} vs {want}");
            }
        }
        for x in [-708.5, -745.0, -1e5, f64::NEG_INFINITY] {
            let got = exp_nonpos(f64x8::splat(x)).to_array()[0];
            assert!(
                (0.0..=(-708f64).exp() * (1.0 + 1e-15)).contains(&got),
                "{x}: {got}"
            );
        }
    }
}
