//! Gaussian kernel density estimation in 1-D and 2-D (scipy.stats.gaussian_kde semantics),
//! with boundary reflection, exact SIMD evaluation and binned FFT evaluation.
//!
//! * **Bandwidth**: the kernel covariance is the (weighted, unbiased) data covariance times
//!   `factor^2`, with `factor` from Scott (`neff^(-1/(d+4))`), Silverman
//!   (`(neff (d+2)/4)^(-1/(d+4))`) or given ([`Bandwidth`]), `neff = 1 / sum w_i^2` — exactly
//!   scipy's `covariance_factor`. Fitting is a few vectorised passes over the data (min/max,
//!   weighted moments, whitening) and nothing else: the sort that the exact 1-D evaluation
//!   wants is done on its first call and kept, so a binned evaluation of a fresh KDE never
//!   pays it (see BENCHMARKS.md `gaussian_kde_binned`, which times fit + evaluation).
//! * **Exact evaluation** whitens the data once (`z = L^-1 x`, `L L^T` = kernel covariance),
//!   then each evaluation point is one SIMD pass of `w_i exp(-|z - z_i|^2 / 2)` over the data
//!   (`f64x8`, with a branch-free exp for non-positive arguments within 2 ulp; the sum is an
//!   `ndkern_core::multiversion!` leaf, so one AVX-512 or two AVX2+FMA vectors per step at
//!   those dispatched levels), points in parallel on rayon. `O(n m)`. In 1-D the samples
//!   are sorted (once, on the first exact evaluation) and each point sums only those within
//!   8.5 kernel widths (the rest weigh `< 2e-16` of the total), which for data spread over
//!   many bandwidths cuts most of the work.
//! * **Binned evaluation** ([`GaussianKde::evaluate_binned_1d`],
//!   [`GaussianKde::evaluate_binned_2d`]): cubic (4-point Lagrange, per axis) binning of the
//!   samples onto a grid whose spacing divides the output step (`r` cells per step, the output
//!   grid itself when it is fine enough: `r = 1` on the bench rows), one real FFT of the bins,
//!   the product with the Gaussian's spectrum in closed form on the frequencies where it is
//!   above `exp(-81 / 2)` (no kernel array, no kernel FFT, most of the spectrum skipped), and
//!   an inverse FFT only as long as the output grid plus its padding (the spectrum is folded
//!   `r` times, which samples every `r`-th cell). `O(n + M log M)` for `M` grid cells.
//!   Cubic binning is the transpose of cubic interpolation, so its error is fourth-order:
//!   at most `0.0703 (delta / std)^4` of a kernel's peak per axis for spacing `delta`
//!   (derivation at `binned::BINNED_2D_PER_STD`); the spacing is at most `std / 16` in 1-D
//!   (`< 1.1e-6` of the kernel peak) and `std / 10` of the conditional std per axis in 2-D
//!   (`< 2e-5`), and the tests measure it against the exact path. KDEpy's `FFTKDE`, the
//!   strongest peer of the bench rows, bins linearly on the output grid (second-order: on
//!   `gaussian_kde_binned` about `6e-6` of the peak, this path `< 1e-8`).
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

use std::sync::OnceLock;

use ndarray::{Array2, ArrayBase, Data, Ix1, Ix2};
use ndkern_core::f64x8;
use ndkern_core::{Element, Error, Result};

mod binned;
mod exact;

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
    /// Whitened coordinates, one row per dimension, in the caller's order; in 1-D with
    /// bounds the reflections follow the `n` samples.
    z: Vec<Vec<f64>>,
    /// Normalized weights (repeated for reflections).
    w: Weights,
    /// 1-D: `(z, w)` sorted by `z`, built by the first exact evaluation.
    sorted: OnceLock<(Vec<f64>, Vec<f64>)>,
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

/// The normalized sample weights: one value for all (the unweighted fit, which stores no
/// array and so skips a pass and an `n`-sized allocation), or one per sample.
#[derive(Clone, Debug)]
enum Weights {
    Uniform(f64),
    Each(Vec<f64>),
}

impl Weights {
    /// The first `n` weights repeated `copies` times (1-D reflections).
    fn repeat_head(&self, n: usize, copies: usize) -> Weights {
        match self {
            Weights::Uniform(u) => Weights::Uniform(*u),
            Weights::Each(w) => Weights::Each(w[..n].repeat(copies)),
        }
    }

    /// All `len` weights as an array.
    fn to_vec(&self, len: usize) -> Vec<f64> {
        match self {
            Weights::Uniform(u) => vec![*u; len],
            Weights::Each(w) => w.clone(),
        }
    }
}

/// A weight source for the SIMD leaves: `f64` is one weight for every sample, `&[f64]` one
/// per sample, so the unweighted fit needs no weight array.
trait WeightAt: Copy {
    /// Weight of sample `i`.
    fn at(self, i: usize) -> f64;
    /// Weights of samples `i .. i + 8`.
    fn lanes(self, i: usize) -> f64x8;
}

impl WeightAt for f64 {
    #[inline(always)]
    fn at(self, _: usize) -> f64 {
        self
    }
    #[inline(always)]
    fn lanes(self, _: usize) -> f64x8 {
        f64x8::splat(self)
    }
}

impl WeightAt for &[f64] {
    #[inline(always)]
    fn at(self, i: usize) -> f64 {
        self[i]
    }
    #[inline(always)]
    fn lanes(self, i: usize) -> f64x8 {
        f64x8::from(<[f64; 8]>::try_from(&self[i..i + 8]).expect("8 lanes"))
    }
}

fn invalid(name: &'static str, reason: impl Into<String>) -> Error {
    Error::InvalidParameter {
        name,
        reason: reason.into(),
    }
}

ndkern_core::multiversion! {
    /// `sum_i w_i (a_i - ma) (b_i - mb)` with eight partial sums (one `f64x8`), compiled
    /// per SIMD level: the weighted central moments of the fit.
    fn weighted_comoment[W: WeightAt](a: &[f64], ma: f64, b: &[f64], mb: f64, w: W) -> f64 {
        let lane = |s: &[f64], i: usize| s.lanes(i);
        let (pa, pb) = (f64x8::splat(ma), f64x8::splat(mb));
        let mut acc = f64x8::splat(0.0);
        let n = a.len().min(b.len());
        let body = n - n % 8;
        for i in (0..body).step_by(8) {
            acc = ((lane(a, i) - pa) * (lane(b, i) - pb)).mul_add(w.lanes(i), acc);
        }
        let mut s = acc.reduce_add();
        for i in body..n {
            s += w.at(i) * (a[i] - ma) * (b[i] - mb);
        }
        s
    }
}

ndkern_core::multiversion! {
    /// Whitens data rows in place, `z = L^-1 x` for the lower-triangular `l` (row-major
    /// `d x d`): `z0 = x0 / l0`, and in 2-D `z1 = (x1 - l2 z0) / l3`, compiled per SIMD level.
    fn whiten_rows(x: &mut [Vec<f64>], l: &[f64]) {
        if let [x0, x1] = x {
            for (a, b) in x0.iter_mut().zip(x1.iter_mut()) {
                *a /= l[0];
                *b = (*b - l[2] * *a) / l[3];
            }
        } else if let [x0] = x {
            x0.iter_mut().for_each(|v| *v /= l[0]);
        }
    }
}

/// `(z, w)` reordered by `z` (total order), for the 1-D exact evaluation's window search.
fn sorted_pairs(z: &[f64], w: &Weights) -> (Vec<f64>, Vec<f64>) {
    match w {
        Weights::Uniform(u) => {
            let mut zs = z.to_vec();
            zs.sort_unstable_by(f64::total_cmp);
            (zs, vec![*u; z.len()])
        }
        Weights::Each(w) => {
            let mut p: Vec<(f64, f64)> = z.iter().copied().zip(w.iter().copied()).collect();
            p.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
            p.into_iter().unzip()
        }
    }
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
        // f64 copies of the samples (raw and whitened): `dataset` may be a huge broadcast view.
        ndkern_core::check_alloc::<f64>(
            "the KDE's f64 copies of the samples",
            ndkern_core::checked_len("KDE samples", &[d, n, 2])?,
        )?;
        let mut x: Vec<Vec<f64>> = dataset
            .outer_iter()
            .map(|r| match r.as_slice() {
                Some(s) => s.iter().map(|v| v.as_f64()).collect(),
                None => r.iter().map(|v| v.as_f64()).collect(),
            })
            .collect();
        // min and max propagate NaN, and are infinite when a sample is.
        let mut spread = Vec::with_capacity(d);
        for r in &x {
            let (lo, hi) = (ndkern_core::min(r), ndkern_core::max(r));
            match (lo, hi) {
                (Some(lo), Some(hi)) if lo.is_finite() && hi.is_finite() => spread.push(hi - lo),
                _ => {
                    return Err(invalid(
                        "dataset",
                        "contains NaN or infinity; remove those samples",
                    ))
                }
            }
        }
        let w = match weights {
            None => Weights::Uniform(1.0 / n as f64),
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
                let s = ndkern_core::sum(&ws);
                Weights::Each(ws.iter().map(|v| v / s).collect())
            }
        };
        let sum_w2 = match &w {
            Weights::Uniform(u) => u * u * n as f64,
            Weights::Each(w) => ndkern_core::sum_sq(w),
        };
        let neff = 1.0 / sum_w2;
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
            .map(|r| match &w {
                Weights::Uniform(_) => ndkern_core::sum(r) / n as f64,
                Weights::Each(w) => ndkern_core::dot(r, w).expect("n weights"),
            })
            .collect();
        let fact = 1.0 - sum_w2;
        let mut cov = vec![0.0; d * d];
        for r in 0..d {
            for c in r..d {
                let s = match &w {
                    Weights::Uniform(u) => weighted_comoment(&x[r], mean[r], &x[c], mean[c], *u),
                    Weights::Each(w) => {
                        weighted_comoment(&x[r], mean[r], &x[c], mean[c], w.as_slice())
                    }
                };
                cov[r * d + c] = s / fact * factor * factor;
                cov[c * d + r] = cov[r * d + c];
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
        whiten_rows(&mut x, &l);
        Ok(GaussianKde {
            d,
            z: x,
            w,
            sorted: OnceLock::new(),
            chol: l,
            covariance: cov,
            factor,
            neff,
            norm: 1.0 / ((2.0 * std::f64::consts::PI).powf(d as f64 / 2.0) * det),
            bounds: None,
            box2: None,
            n,
        })
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
        for b in [lo, hi] {
            if b.is_finite() {
                let zb = b / s;
                z.extend(z0.iter().map(|&v| 2.0 * zb - v));
            }
        }
        self.w = self.w.repeat_head(n, z.len() / n);
        self.z = vec![z];
        self.sorted = OnceLock::new();
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
}
