//! Principal component analysis from one pass over the data.
//!
//! numpy users center the data and take an SVD of the whole `(n, d)` matrix (`O(n d^2)`
//! with a large constant and an `n x d` copy). For the tall, narrow data PCA usually sees
//! (Q25: `n = 1e6`, `d = 4`) one pass accumulating the mean and `X^T X` in f64 (around the
//! first sample, so a large common offset cancels exactly), in parallel blocks, followed by a
//! `d x d` symmetric eigensolve (nalgebra) gives the same components: the eigenvectors of the
//! covariance are the right singular vectors, `explained_variance = s^2 / (n - 1)`. The
//! squared condition number of the covariance only matters for components whose variance is
//! below ~1e-8 of the largest, which carry no information at f64 precision anyway.
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
/// Errors: `n_components = 0` or `> d`, fewer than 2 samples, a non-finite value.
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
    if x.iter().any(|v| !v.is_finite()) {
        return Err(Error::InvalidParameter {
            name: "x",
            reason: "x has a non-finite value; drop or impute those samples".into(),
        });
    }
    let x0: Vec<f64> = x.row(0).iter().map(|v| v.as_f64()).collect();
    // One pass: sums of (x - x0) and of its outer products (upper triangle), per block.
    let block = |rows: ndarray::ArrayView2<'_, T>| -> (Vec<f64>, Vec<f64>) {
        let mut s1 = vec![0.0; d];
        let mut s2 = vec![0.0; d * d];
        let mut r = vec![0.0; d];
        let mut add = |row: &mut dyn Iterator<Item = T>| {
            for (j, v) in row.enumerate() {
                r[j] = v.as_f64() - x0[j];
                s1[j] += r[j];
            }
            for i in 0..d {
                for j in i..d {
                    s2[i * d + j] += r[i] * r[j];
                }
            }
        };
        // Contiguous blocks: walk the flat slice (no per-row view overhead for small d).
        if let Some(flat) = rows.as_slice() {
            for row in flat.chunks_exact(d.max(1)) {
                add(&mut row.iter().copied());
            }
        } else {
            for row in rows.rows() {
                add(&mut row.iter().copied());
            }
        }
        (s1, s2)
    };
    const ROWS: usize = 8192;
    let chunks: Vec<_> = x.axis_chunks_iter(ndarray::Axis(0), ROWS).collect();
    let parts: Vec<(Vec<f64>, Vec<f64>)> = if ndkern_core::worth_parallel(n * d) {
        chunks.into_par_iter().map(block).collect()
    } else {
        chunks.into_iter().map(block).collect()
    };
    let mut s1 = vec![0.0; d];
    let mut s2 = vec![0.0; d * d];
    for (a, b) in parts {
        s1.iter_mut().zip(&a).for_each(|(x, y)| *x += y);
        s2.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
    }
    let nf = n as f64;
    let m: Vec<f64> = s1.iter().map(|v| v / nf).collect();
    let cov = DMatrix::from_fn(d, d, |i, j| {
        let (i, j) = if i <= j { (i, j) } else { (j, i) };
        (s2[i * d + j] - nf * m[i] * m[j]) / (nf - 1.0)
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
    Ok(Pca {
        mean: Array1::from_iter(m.iter().zip(&x0).map(|(a, b)| a + b)),
        components,
        explained_variance: var,
        explained_variance_ratio: ratio,
        whiten,
    })
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
        let mut out = Array2::<T>::zeros((x.nrows(), k));
        let f = |(row, mut o): (ndarray::ArrayView1<'_, T>, ndarray::ArrayViewMut1<'_, T>)| {
            for c in 0..k {
                let v: f64 = (0..d)
                    .map(|j| (row[j].as_f64() - self.mean[j]) * self.components[[c, j]])
                    .sum();
                o[c] = T::of_f64(v * scale[c]);
            }
        };
        let it = x.rows().into_iter().zip(out.rows_mut());
        if ndkern_core::worth_parallel(x.len()) {
            x.axis_iter(ndarray::Axis(0))
                .into_par_iter()
                .zip(out.axis_iter_mut(ndarray::Axis(0)))
                .for_each(f);
        } else {
            it.for_each(f);
        }
        Ok(out)
    }
}
