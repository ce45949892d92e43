//! # ndkern-spatial
//!
//! Spatial kernels on N-d arrays: binning and histograms, sliding windows (uniform, local
//! statistics), N-d convolution, Gaussian filters and gradients — scipy.ndimage semantics on
//! top of ndkern-core's line buffers, border modes and window sums.
//!
//! This crate is being built (issues "Spatial windows" and "Spatial binning"); today it
//! re-exports the core pieces its kernels are made of.
//!
//! ```
//! use ndkern_spatial::BorderMode;
//! assert_eq!("nearest".parse::<BorderMode>().unwrap(), BorderMode::Nearest);
//! ```

pub use ndkern_core::{BorderMode, Element, Error, Result};
