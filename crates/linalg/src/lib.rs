//! # ndkern-linalg
//!
//! Batched small linear algebra on arrays: eigenvalues of per-voxel symmetric 2x2/3x3
//! fields and Hessians, weighted distances and nearest centroids, k-means, polynomial and
//! line fits, PCA, convolution-kernel estimation and Levenberg-Marquardt curve fitting
//! (nalgebra for the small dense solves). Every function takes any ndarray view (any strides
//! or layout), f32 or f64, accumulates in f64, and returns `Err` with a message saying what to
//! change on bad input.
//!
//! | numpy / scipy / skimage / sklearn | ndkern-linalg | question |
//! |---|---|---|
//! | `np.linalg.eigvalsh(H)` on a `(..., 3, 3)` stack | [`eigvalsh3`] on six planes (closed form, SIMD), [`eigvalsh`] on the stack | Q12 |
//! | `np.linalg.eigh` of 3x3 fields | [`eigh3`] | |
//! | `eigvalsh` of the `np.gradient`-twice Hessian, fused (no Hessian stored) | [`hessian_eigvalsh`] / [`hessian_eigvalsh_into`] | Q12 |
//! | `np.gradient` twice / `skimage.feature.hessian_matrix` | [`hessian`] / [`hessian_matrix`] | Q12 |
//! | `skimage.feature.hessian_matrix_eigvals`, `skimage.filters.frangi` | [`hessian_eigvals`], [`frangi`] | |
//! | `scipy.spatial.distance.cdist` / `pdist` | [`cdist`] / [`pdist`] with a [`Metric`] (direct differences below d = 6, tiled GEMM with an exact fix-up above) | Q2 |
//! | `argmin(cdist(x, c))`, `scipy.cluster.vq.vq` | [`nearest`] | Q13 |
//! | `sklearn.cluster.KMeans` (`scipy.cluster.vq.kmeans2` where they agree: see [`kmeans`]) | [`kmeans`] | Q19 |
//! | `np.polyfit` / `np.polyval` | [`polyfit`] (Chebyshev/QR, [`ChebPoly::to_monomial`]) / [`polyval`] | |
//! | `np.polynomial.chebyshev.chebfit` / `chebval` | [`chebfit`] / [`chebval`] | |
//! | `scipy.interpolate.barycentric_interpolate` | [`interpolate`] | Q21 |
//! | `np.polyfit(x, img.T, 1)`, `scipy.signal.detrend` | [`linefit`], [`level`], [`level_rows`] | Q26 |
//! | `sklearn.decomposition.PCA` | [`pca`], [`Pca::transform`] | Q25 |
//! | least-squares kernel from input/output | [`estimate_kernel`] | Q20 |
//! | `scipy.optimize.curve_fit` | [`curve_fit`] (N-d data, NaN-masked) | Q6 |
//!
//! Accuracy, measured against numpy/scipy/skimage reference data (`tests/data/linalg`, run by
//! `cargo xtask refcheck tests/data/linalg`): eigenvalues within 1e-15 of max|lambda| including
//! near-degenerate and 1e8-range spectra; Q21's degree-29 interpolant within 1e-14 of the exact
//! rational interpolant (scipy's barycentric_interpolate: 2e-10); distances, k-means labels and
//! centroids, PCA, Hessians and Frangi within 1e-14 of scipy/skimage.
//!
//! ```
//! use ndarray::array;
//! use ndkern_linalg::{cdist, Metric};
//! // Q2: squared Mahalanobis distances with VI = D^-1.
//! let x = array![[0.0, 0.0], [1.0, 2.0]];
//! let d = cdist(&x, &x, &Metric::SqMahalanobis(array![[1.0, 0.0], [0.0, 0.25]])).unwrap();
//! assert_eq!(d[[0, 1]], 2.0);
//! ```

mod curve_fit;
mod distance;
mod eigh;
mod hessian;
mod hessian_fused;
mod interp;
mod kernel_est;
mod kmeans;
mod linefit;
mod pca;
mod poly;
#[doc(hidden)]
pub mod reference;
mod sizes;

pub use curve_fit::{curve_fit, CurveFit, CurveFitOptions};
pub use distance::{cdist, nearest, pdist, Metric};
pub use eigh::{eigh3, eigvalsh, eigvalsh2, eigvalsh3, EigOrder};
pub use hessian::{frangi, hessian, hessian_eigvals, hessian_matrix, FrangiOptions};
pub use hessian_fused::{hessian_eigvalsh, hessian_eigvalsh_into};
pub use interp::{interpolate, Interpolant};
pub use kernel_est::{estimate_kernel, KernelMode};
pub use kmeans::{kmeans, KMeans, KMeansInit, KMeansOptions};
pub use linefit::{level, level_rows, linefit};
pub use ndkern_core::{Element, Error, Result};
pub use pca::{pca, Pca};
pub use poly::{chebfit, chebval, polyfit, polyval, ChebPoly};
