//! Binning scattered points into grids, histograms, binned statistics, scatter-add, label
//! statistics, block reduction and mask selection, with numpy/scipy/scikit-image semantics.
//!
//! # Why
//!
//! numpy's answers to "put these points on a grid" are either slow (`histogramdd` sorts and
//! searches: 2.45 s for 1e7 points on a 100^3 grid, measured on the 2-core dev machine) or
//! need index gymnastics (`np.ravel_multi_index` + `bincount`: 1.05 s). Here the bin of a point
//! on a uniform axis is one subtract and one multiply ([`AxisBins::index`]), corrected by at
//! most an ulp-sized step so it agrees with numpy's edges exactly, and a single pass over the
//! points yields count, sum, shifted sum of squares, min, max, first and last per cell, with
//! per-thread private grids merged at the end.
//!
//! | numpy / scipy / skimage | ndkern |
//! |---|---|
//! | `np.histogram(a, bins, range, weights, density)` | [`histogram`], [`histogram_weighted`], [`histogram_into`] |
//! | `np.histogramdd(sample, bins, range, weights, density)` | [`histogramdd`], [`histogramdd_weighted`] with a [`Grid`] |
//! | `np.digitize(x, bins, right)` | [`digitize`] |
//! | `scipy.stats.binned_statistic_dd(sample, values, statistic, bins, range)` | [`binned_statistic_dd`], [`binned_statistic_dd_into`], [`cell_stats`] |
//! | `np.bincount(x, weights, minlength)` | [`bincount`], [`bincount_weighted`], [`bincount_into`], [`bincount_weighted_into`] |
//! | `np.add.at(a, idx, v)` | [`scatter_add`], [`scatter_add_1d`] |
//! | `scipy.ndimage.mean(img, labels, index)`, then `means[labels]` | [`label_stats`], [`gather`], [`gather_into`] |
//! | `skimage.measure.block_reduce(image, block_size, func)` | [`block_reduce`], [`block_reduce_into`] |
//! | `a[mask]`, `np.histogram(a[mask], ...)` | [`masked_select`], [`histogram_masked`] |
//! | `np.nonzero(mask[ix, iy])` for points | [`select_in_mask`] |
//! | `[feat[f][mask[f]] for f in frames]` | [`ragged_select`] ([`Ragged`]) |
//! | `healpy.ang2pix(nside, theta, phi, nest)` + `np.add.at` | [`ang2pix`], [`healpix_map`] |
//!
//! # SIMD level
//!
//! The vectorizable leaves (the point -> cell kernels, the column copies, the label range
//! check, `block_reduce`'s slab kernel, the merge of per-thread histograms) are
//! `ndkern_core::multiversion!` kernels: they run as AVX-512, AVX2+FMA or SSE2 code per
//! [`ndkern_core::simd::level()`] (the CPU, capped by `NDKERN_SIMD`), not the build's target
//! flags. At the AVX-512 level, `f64` points on uniform axes take an intrinsics kernel (8
//! points per compare) whose cells are the portable kernel's, bit for bit. The scatter loops
//! (`acc[cell] += v`) are scalar at every level: their cost is the random access.
//!
//! # Policies
//!
//! * Points outside the grid and NaN coordinates: [`Outside::Drop`] (numpy) or
//!   [`Outside::Error`]. The last bin is closed (`x == hi` is kept), every other bin is
//!   half-open, exactly as numpy.
//! * Integer indices and labels ([`Label`]: `u8..u64`, `i8..i64`, `usize`) must be in range:
//!   a negative or too-large one is an `Err` naming it, raised before anything is written.
//! * Sums accumulate in `f64` (f32 inputs included); statistics are returned as `f64`, as
//!   numpy's `histogramdd` and scipy's `binned_statistic_dd` return them.

mod accumulate;
mod block;
#[cfg(target_arch = "x86_64")]
mod cells_avx512;
mod grid;
mod healpix;
mod histogram;
mod kernels;
mod mask;
mod points;
#[doc(hidden)]
pub mod reference;
mod sample;
mod scatter;
mod statistic;

pub use block::{block_reduce, block_reduce_into, BlockFunc};
pub use grid::{AxisBins, Grid, Outside, MAX_CELLS};
pub use healpix::{ang2pix, healpix_map, HealpixMap, Scheme};
pub use histogram::{
    digitize, histogram, histogram_into, histogram_weighted, histogramdd, histogramdd_weighted,
};
pub use mask::{histogram_masked, masked_select, ragged_select, select_in_mask, Ragged};
/// Core's element traits for integer labels and numeric samples, under their binning names.
pub use ndkern_core::{Label, Sample};
pub use scatter::{
    bincount, bincount_into, bincount_weighted, bincount_weighted_into, gather, gather_into,
    label_stats, scatter_add, scatter_add_1d, LabelStats,
};
pub use statistic::{
    binned_statistic_dd, binned_statistic_dd_into, cell_stats, CellStats, Statistic,
};
