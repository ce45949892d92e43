//! # ndkern-linalg
//!
//! Batched small linear algebra on arrays: eigenvalues of per-voxel symmetric 2x2/3x3
//! fields, weighted distances and nearest centroids, k-means, polynomial and line fits,
//! PCA, convolution-kernel estimation and Levenberg-Marquardt curve fitting (nalgebra for
//! the small dense solves).
//!
//! | numpy / scipy / sklearn | ndkern-linalg |
//! |---|---|
//! | `np.linalg.eigvalsh(H)` on a `(..., 3, 3)` stack | [`eigvalsh3`] on six planes, [`eigvalsh`] on the stack |
//! | `np.linalg.eigh` | [`eigh3`] |
//!
//! ```
//! use ndkern_linalg::Element;
//! assert_eq!(<f64 as Element>::LANES, 4);
//! ```

mod curve_fit;
mod distance;
mod eigh;
mod hessian;
mod interp;
mod kernel_est;
mod kmeans;
mod linefit;
mod pca;
mod poly;
#[doc(hidden)]
pub mod reference;

pub use curve_fit::{curve_fit, CurveFit, CurveFitOptions};
pub use distance::{cdist, nearest, pdist, Metric};
pub use eigh::{eigh3, eigvalsh, eigvalsh2, eigvalsh3, EigOrder};
pub use hessian::{frangi, hessian, hessian_eigvals, hessian_matrix, FrangiOptions};
pub use interp::{interpolate, Interpolant};
pub use kernel_est::{estimate_kernel, KernelMode};
pub use kmeans::{kmeans, KMeans, KMeansInit, KMeansOptions};
pub use linefit::{level, level_rows, linefit};
pub use ndkern_core::{Element, Error, Result};
pub use pca::{pca, Pca};
pub use poly::{chebfit, chebval, polyfit, polyval, ChebPoly};
