//! # ndkern
//!
//! Fast, exact array kernels for the problems numpy, scipy and OpenCV users hit every day.
//! Every kernel takes any ndarray view (any dimension, any strides, `f32` or `f64`), runs SIMD
//! on every core, and agrees with the numpy/scipy function it is named after — and is more
//! accurate where those have known precision bugs (numpy's float32 sums along strided axes).
//!
//! The facade re-exports the four crates:
//!
//! | module | crate | what |
//! |---|---|---|
//! | [`core`] / [`kernels`] | ndkern-core | element trait, SIMD slice kernels, strided layer, border modes, line buffers, axis reductions |
//! | [`spatial`] | ndkern-spatial | binning, windows, convolution, Gaussian, gradient |
//! | [`linalg`] | ndkern-linalg | Hessians + eigenvalues, distances, k-means, polynomials, PCA |
//! | [`signal`] | ndkern-signal | FFT correlation, detrend, rolling statistics, Pearson, KDE |
//!
//! and [`refcheck`], which runs a directory of numpy/scipy reference cases (a `manifest.toml`
//! plus `.npy` files) through the matching ndkern calls.
//!
//! ```
//! use ndarray::Array4;
//! // Q7: variance of every voxel along the last axis of a (10, 10, 10, 5) stack.
//! let a = Array4::<f64>::from_shape_fn((10, 10, 10, 5), |(i, j, k, t)| (i * j + k * t) as f64);
//! let v = ndkern::reduce::var(&a, -1, 0).unwrap();
//! assert_eq!(v.shape(), &[10, 10, 10]);
//! ```

pub use ndkern_core as core;
pub use ndkern_core as kernels;
pub use ndkern_core::{reduce, Axes, BorderMode, Element, Error};
pub use ndkern_linalg as linalg;
pub use ndkern_signal as signal;
pub use ndkern_spatial as spatial;

pub mod refcheck;
