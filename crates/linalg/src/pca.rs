//! Principal component analysis from one pass over the data.
//!
//! numpy users center the data and take an SVD of the whole `(n, d)` matrix (`O(n d^2)`
//! with a large constant and an `n x d` copy). For the tall, narrow data PCA usually sees
//! (Q25: `n = 1e6`, `d = 4`) one pass accumulating the mean and `X^T X` in f64 (around the
//! first sample, so a large common offset cancels exactly), in parallel blocks, followed by a
//! `d x d` symmetric eigensolve (nalgebra) gives the same components: the eigenvectors of the
//! covariance are the right singular vectors, `explained_variance = s^2 / (n - 1)`. The
//! squared condition number of the covariance only matters for components whose variance is
//! below ~1e-8 of the largest, which carry no information at f64 precision anyway. The
//! per-block accumulation and the projection are `ndkern_core::multiversion!` leaves (AVX2+FMA
//! or AVX-512 code at those dispatched levels).
//!
//! Sign convention (scikit-learn's `svd_flip` on the components): the entry of largest
//! magnitude of every component is positive, so results are deterministic.
//!
//! ```
//! use ndarray::array;
//! let x = array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]];
//! let p = ndkern_linalg::pca(&x, 1, false).unwrap();
//! let s = std::f64::consts::FRAC_1_SQRT_2;
//! assert!((p.components[[0, 0]] - s).abs() < 1e-12 && (p.components[[0, 1]] - s).abs() < 1e-12);
//! assert!((p.explained_variance_ratio[0] - 1.0).abs() < 1e-12);
//! ```

use nalgebra::{DMatrix, SymmetricEigen};
use ndarray::{Array1, Array2, ArrayBase, Data, Ix2};
use ndkern_core::{Element, Error, Result};

use crate::sizes::{exponent, ldexp, pow2};
use rayon::prelude::*;

/// A fitted PCA (scikit-learn `PCA` attribute names).
#[derive(Clone, Debug, PartialEq)]
pub struct Pca {
    /// Per-feature mean, length d.
    pub mean: Array1<f64>,
    /// `(n_components, d)`: principal axes, by decreasing variance, unit length.
    pub components: Array2<f64>,
    /// Variance along each component (`ddof = 1`).
    pub explained_variance: Array1<f64>,
    /// Fraction of the total variance along each component.
    pub explained_variance_ratio: Array1<f64>,
    /// Whether [`Pca::transform`] scales each component to unit variance.
    pub whiten: bool,
}

/// Fits a PCA with `n_components` components to the rows of `x` (n x d); `whiten` makes
/// [`Pca::transform`] return unit-variance components.
///
/// Errors: `n_components = 0` or `> d`, fewer than 2 samples, a non-finite value, `d x d`
/// moment sums beyond memory. Data near 1e+-200 is fitted scaled by a power of two (the
/// explained variance overflows to inf only where it really exceeds f64).
///
/// ```
/// use ndarray::Array2;
/// let x = Array2::from_shape_fn((100, 3), |(i, j)| (i as f64) * [1.0, 2.0, 0.0][j] + ((i * 31 + j) % 7) as f64 * 0.01);
/// let p = ndkern_linalg::pca(&x, 2, false).unwrap();
/// assert!(p.explained_variance_ratio[0] > 0.999);
/// assert!(ndkern_linalg::pca(&x, 4, false).is_err());
/// ```
pub fn pca<T, S>(x: &ArrayBase<S, Ix2>, n_components: usize, whiten: bool) -> Result<Pca>
where
    T: Element,
    S: Data<Elem = T>,
{
    let (n, d) = x.dim();
    if n_components == 0 || n_components > d {
        return Err(Error::InvalidParameter {
            name: "n_components",
            reason: format!(
                "n_components = {n_components}: choose 1..={d} (the number of features)"
            ),
        });
    }
    if n < 2 {
        return Err(Error::InvalidParameter {
            name: "x",
            reason: format!("PCA needs at least 2 samples, got {n}"),
        });
    }
    // The moment sums are d x d per block of ROWS samples (d is not bounded by the data's
    // size: 2 samples of 1e5 features would ask for 80 GB).
    let blocks = n.div_ceil(ROWS) + 1;
    let cells = ndkern_core::checked_len("PCA moment sums (d x d per block)", &[d, d, blocks])?;
    ndkern_core::check_alloc::<f64>("PCA moment sums (d x d per block)", cells)?;
    let x0: Vec<f64> = x.row(0).iter().map(|v| v.as_f64()).collect();
    let (mut s1, mut s2) = match x.as_slice() {
        Some(flat) => moments_flat(flat, &x0),
        None => moments_rows(x, &x0),
    };
    // A NaN or inf anywhere makes the sums non-finite; only then look for it.
    let nonfinite = s1.iter().chain(&s2).any(|v| !v.is_finite());
    if nonfinite && x.iter().any(|v| !v.is_finite()) {
        return Err(Error::InvalidParameter {
            name: "x",
            reason: "x has a non-finite value; drop or impute those samples".into(),
        });
    }
    // Sums of squares that overflowed (data near 1e200) or sank below 1e-250 (data near
    // 1e-150, where the products underflow) are redone on x divided by a power of two:
    // the components are scale-free, the variances are multiplied back by 4^e.
    let trace: f64 = (0..d).map(|j| s2[j * d + j]).sum();
    let mut e = 0;
    // (Tiny sums: rescue unless the data is constant, which only this rare path scans for.)
    let tiny = trace < 1e-250
        && x.rows()
            .into_iter()
            .any(|r| r.iter().zip(&x0).any(|(v, c)| v.as_f64() != *c));
    if nonfinite || tiny {
        let big = x.iter().fold(0.0f64, |s, v| s.max(v.as_f64().abs()));
        e = exponent(big);
        let f = pow2(-e);
        ndkern_core::check_alloc::<f64>("a scaled f64 copy of the data", x.len())?;
        let xs = x.mapv(|v| v.as_f64() * f);
        let x0s: Vec<f64> = xs.row(0).to_vec();
        let flat = xs.as_slice().expect("fresh standard layout");
        (s1, s2) = moments_flat(flat, &x0s);
        s1.iter_mut().for_each(|v| *v = ldexp(*v, e));
    }
    let nf = n as f64;
    let m: Vec<f64> = s1.iter().map(|v| v / nf).collect();
    // Centred on the (scaled) first sample: the covariance below is of the scaled data.
    let ms: Vec<f64> = m.iter().map(|&v| ldexp(v, -e)).collect();
    let cov = DMatrix::from_fn(d, d, |i, j| {
        let (i, j) = if i <= j { (i, j) } else { (j, i) };
        (s2[i * d + j] - nf * ms[i] * ms[j]) / (nf - 1.0)
    });
    let eig = SymmetricEigen::new(cov);
    let mut order: Vec<usize> = (0..d).collect();
    order.sort_by(|&a, &b| eig.eigenvalues[b].total_cmp(&eig.eigenvalues[a]));
    let total: f64 = eig.eigenvalues.iter().map(|v| v.max(0.0)).sum();
    let mut components = Array2::zeros((n_components, d));
    let mut var = Array1::zeros(n_components);
    for (c, &k) in order.iter().take(n_components).enumerate() {
        let v = eig.eigenvectors.column(k);
        let big = (0..d)
            .max_by(|&a, &b| v[a].abs().total_cmp(&v[b].abs()))
            .unwrap_or(0);
        let sign = if v[big] < 0.0 { -1.0 } else { 1.0 };
        for j in 0..d {
            components[[c, j]] = sign * v[j];
        }
        var[c] = eig.eigenvalues[k].max(0.0);
    }
    let ratio = if total > 0.0 {
        &var / total
    } else {
        Array1::zeros(n_components)
    };
    var.mapv_inplace(|v| ldexp(v, 2 * e));
    Ok(Pca {
        mean: Array1::from_iter(m.iter().zip(&x0).map(|(a, b)| a + b)),
        components,
        explained_variance: var,
        explained_variance_ratio: ratio,
        whiten,
    })
}

/// Rows per parallel block of the moment pass and the projection.
const ROWS: usize = 8192;

/// Sums of `r = x - x0` and of `r r^T` (full d x d, row-major) over the rows of a
/// C-contiguous `(n, d)` slice: parallel blocks merged in block order (deterministic),
/// const-size rows for `d <= 8` so each row stays in registers.
fn moments_flat<T: Element>(flat: &[T], x0: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let d = x0.len();
    let block = |c: &[T]| -> (Vec<f64>, Vec<f64>) {
        macro_rules! fixed {
            ($($k:literal)*) => {
                match d {
                    $($k => moments_fixed::<T, $k>([(); $k], c, x0),)*
                    _ => moments_any(c, x0),
                }
            };
        }
        fixed!(1 2 3 4 5 6 7 8)
    };
    let parts: Vec<(Vec<f64>, Vec<f64>)> = if ndkern_core::worth_parallel(flat.len()) {
        flat.par_chunks(ROWS * d).map(block).collect()
    } else {
        flat.chunks(ROWS * d).map(block).collect()
    };
    merge(parts, d)
}

fn merge(parts: Vec<(Vec<f64>, Vec<f64>)>, d: usize) -> (Vec<f64>, Vec<f64>) {
    let mut s1 = vec![0.0; d];
    let mut s2 = vec![0.0; d * d];
    for (a, b) in parts {
        s1.iter_mut().zip(&a).for_each(|(x, y)| *x += y);
        s2.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
    }
    (s1, s2)
}

/// One row, centred on `x0`, into the sums `s1` and `s2` ([`moments_fixed`]'s step; a
/// function, not a closure, so that it is always inlined into the multiversioned copies).
#[inline(always)]
fn add_row<T: Element, const D: usize>(
    s1: &mut [f64; D],
    s2: &mut [[f64; D]; D],
    x0: &[f64; D],
    row: &[T],
) {
    let mut r = [0.0f64; D];
    for j in 0..D {
        r[j] = row[j].as_f64() - x0[j];
    }
    for j in 0..D {
        s1[j] += r[j];
        for k in 0..D {
            s2[j][k] += r[j] * r[k];
        }
    }
}

ndkern_core::multiversion! {
    /// [`moments_flat`]'s block kernel for a compile-time `D`: two rows per step into two
    /// accumulator sets (hides the FMA latency), summed at the end. Compiled per SIMD level
    /// (`_d` only names `D` for the dispatch wrapper's calls).
    fn moments_fixed[T: Element, const D: usize](
        _d: [(); D],
        c: &[T],
        x0: &[f64],
    ) -> (Vec<f64>, Vec<f64>) {
        let x0: [f64; D] = std::array::from_fn(|j| x0[j]);
        let mut s1 = [[0.0f64; D]; 2];
        let mut s2 = [[[0.0f64; D]; D]; 2];
        let mut pairs = c.chunks_exact(2 * D);
        for p in &mut pairs {
            add_row(&mut s1[0], &mut s2[0], &x0, &p[..D]);
            add_row(&mut s1[1], &mut s2[1], &x0, &p[D..]);
        }
        for row in pairs.remainder().chunks_exact(D) {
            add_row(&mut s1[0], &mut s2[0], &x0, row);
        }
        let s1v = (0..D).map(|j| s1[0][j] + s1[1][j]).collect();
        let s2v = (0..D * D)
            .map(|i| s2[0][i / D][i % D] + s2[1][i / D][i % D])
            .collect();
        (s1v, s2v)
    }
}

ndkern_core::multiversion! {
    /// [`moments_flat`]'s block kernel for any `d`.
    fn moments_any[T: Element](c: &[T], x0: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let d = x0.len();
        let mut s1 = vec![0.0; d];
        let mut s2 = vec![0.0; d * d];
        let mut r = vec![0.0; d];
        for row in c.chunks_exact(d.max(1)) {
            for ((r, v), (s, m)) in r.iter_mut().zip(row).zip(s1.iter_mut().zip(x0)) {
                *r = v.as_f64() - m;
                *s += *r;
            }
            for (srow, &rj) in s2.chunks_exact_mut(d).zip(&r) {
                for (s, &rk) in srow.iter_mut().zip(&r) {
                    *s += rj * rk;
                }
            }
        }
        (s1, s2)
    }
}

/// [`moments_flat`] for any other layout: row by row, parallel over row blocks.
fn moments_rows<T: Element, S: Data<Elem = T>>(
    x: &ArrayBase<S, Ix2>,
    x0: &[f64],
) -> (Vec<f64>, Vec<f64>) {
    let d = x0.len();
    let block = |rows: ndarray::ArrayView2<'_, T>| -> (Vec<f64>, Vec<f64>) {
        let mut buf = Vec::with_capacity(rows.len());
        buf.extend(rows.iter().copied());
        moments_any(&buf, x0)
    };
    let chunks: Vec<_> = x.axis_chunks_iter(ndarray::Axis(0), ROWS).collect();
    let parts: Vec<(Vec<f64>, Vec<f64>)> = if ndkern_core::worth_parallel(x.len()) {
        chunks.into_par_iter().map(block).collect()
    } else {
        chunks.into_iter().map(block).collect()
    };
    merge(parts, d)
}

/// Projection of contiguous rows `x` (n x d) onto `w` (k x d, scale folded in) after
/// subtracting `mean`, into `out` (n x k).
fn project_flat<T: Element>(x: &[T], mean: &[f64], w: &[f64], out: &mut [T]) {
    let (d, k) = (mean.len(), w.len() / mean.len().max(1));
    let block = |(xs, os): (&[T], &mut [T])| {
        macro_rules! fixed {
            ($($n:literal)*) => {
                match d {
                    $($n => project_fixed::<T, $n>([(); $n], xs, mean, w, os),)*
                    _ => project_any(xs, mean, w, os),
                }
            };
        }
        fixed!(1 2 3 4 5 6 7 8)
    };
    if k == 0 || d == 0 {
        return;
    }
    if ndkern_core::worth_parallel(x.len()) {
        x.par_chunks(ROWS * d)
            .zip(out.par_chunks_mut(ROWS * k))
            .for_each(block);
    } else {
        x.chunks(ROWS * d)
            .zip(out.chunks_mut(ROWS * k))
            .for_each(block);
    }
}

ndkern_core::multiversion! {
    /// [`project_flat`]'s block kernel for a compile-time `D`, per SIMD level (`_d` names `D`).
    fn project_fixed[T: Element, const D: usize](
        _d: [(); D],
        x: &[T],
        mean: &[f64],
        w: &[f64],
        out: &mut [T],
    ) {
        let k = w.len() / D;
        let mean: [f64; D] = std::array::from_fn(|j| mean[j]);
        for (row, o) in x.chunks_exact(D).zip(out.chunks_exact_mut(k)) {
            let r: [f64; D] = std::array::from_fn(|j| row[j].as_f64() - mean[j]);
            for (o, wc) in o.iter_mut().zip(w.chunks_exact(D)) {
                let mut v = 0.0;
                for j in 0..D {
                    v += r[j] * wc[j];
                }
                *o = T::of_f64(v);
            }
        }
    }
}

ndkern_core::multiversion! {
    /// [`project_flat`]'s block kernel for any `d`, per SIMD level.
    fn project_any[T: Element](x: &[T], mean: &[f64], w: &[f64], out: &mut [T]) {
        let d = mean.len();
        let k = w.len() / d;
        for (row, o) in x.chunks_exact(d).zip(out.chunks_exact_mut(k)) {
            for (o, wc) in o.iter_mut().zip(w.chunks_exact(d)) {
                let mut v = 0.0;
                for ((xv, m), wv) in row.iter().zip(mean).zip(wc) {
                    v += (xv.as_f64() - m) * wv;
                }
                *o = T::of_f64(v);
            }
        }
    }
}

impl Pca {
    /// Projects the rows of `x` (m x d) onto the components: `(x - mean) components^T`,
    /// divided by `sqrt(explained_variance)` when whitening. Returns `(m, n_components)`.
    ///
    /// Errors: `x` has a different number of features.
    ///
    /// ```
    /// use ndarray::array;
    /// let x = array![[0.0, 0.0], [2.0, 0.0], [4.0, 0.0]];
    /// let p = ndkern_linalg::pca(&x, 1, false).unwrap();
    /// assert_eq!(p.transform(&x).unwrap(), array![[-2.0], [0.0], [2.0]]);
    /// ```
    pub fn transform<T, S>(&self, x: &ArrayBase<S, Ix2>) -> Result<Array2<T>>
    where
        T: Element,
        S: Data<Elem = T>,
    {
        let d = self.mean.len();
        if x.ncols() != d {
            return Err(Error::ShapeMismatch {
                expected: vec![x.nrows(), d],
                got: x.shape().to_vec(),
            });
        }
        let k = self.components.nrows();
        let scale: Vec<f64> = (0..k)
            .map(|c| {
                if self.whiten && self.explained_variance[c] > 0.0 {
                    1.0 / self.explained_variance[c].sqrt()
                } else {
                    1.0
                }
            })
            .collect();
        // Components with the whitening scale folded in, row-major k x d.
        let w: Vec<f64> = (0..k)
            .flat_map(|c| (0..d).map(move |j| (c, j)))
            .map(|(c, j)| self.components[[c, j]] * scale[c])
            .collect();
        let mean = self.mean.as_slice().expect("owned 1-D");
        let mut out = ndkern_core::try_zeros::<T, _>("the transformed data", Ix2(x.nrows(), k))?;
        let o = out.as_slice_mut().expect("fresh standard layout");
        match x.as_slice() {
            Some(flat) => project_flat(flat, mean, &w, o),
            None => {
                // Other layouts: gather row blocks into a contiguous buffer first.
                let chunks: Vec<_> = x.axis_chunks_iter(ndarray::Axis(0), ROWS).collect();
                let run = |(rows, os): (ndarray::ArrayView2<'_, T>, &mut [T])| {
                    let buf: Vec<T> = rows.iter().copied().collect();
                    project_any(&buf, mean, &w, os);
                };
                if ndkern_core::worth_parallel(x.len()) {
                    chunks
                        .into_par_iter()
                        .zip(o.par_chunks_mut(ROWS * k.max(1)))
                        .for_each(run);
                } else {
                    chunks
                        .into_iter()
                        .zip(o.chunks_mut(ROWS * k.max(1)))
                        .for_each(run);
                }
            }
        }
        Ok(out)
    }
}
