//! # ndkern-spatial
//!
//! Spatial kernels on N-d arrays, scipy.ndimage / numpy / scikit-image semantics on top of
//! ndkern-core's line buffers, border modes and window sums:
//!
//! * [`windows`]: uniform/box filters, local statistics, N-d convolution, Gaussian filters,
//!   gradients (the items are re-exported at the crate root);
//! * [`binning`]: grids from points, histograms, binned statistics, scatter-add, label means,
//!   block reduce, masks.
//!
//! ```
//! use ndkern_spatial::BorderMode;
//! assert_eq!("nearest".parse::<BorderMode>().unwrap(), BorderMode::Nearest);
//! ```

pub mod binning;
#[doc(hidden)]
pub mod reference_windows;
pub mod windows;

pub use binning::{
    ang2pix, bincount, bincount_weighted, binned_statistic_dd, block_reduce, digitize, gather,
    histogram, histogramdd, label_stats, scatter_add, AxisBins, Grid, Outside, Statistic,
};
pub use ndkern_core::{BorderMode, Element, Error, Result};
pub use windows::*;
