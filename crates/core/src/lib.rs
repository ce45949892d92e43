//! # ndkern-core
//!
//! The foundation of ndkern: the [`Element`] trait that pairs `f32`/`f64` with their SIMD
//! vectors, the SIMD slice kernels every other crate builds on, the strided layer that turns
//! any ndarray view into contiguous work, border modes and line buffers for along-axis filters,
//! the parallel driver, and numpy-style axis reductions.
//!
//! ## Slice kernels
//!
//! | kernel | what | accumulation |
//! |---|---|---|
//! | [`sum`], [`sum_sq`], [`sum_dev`], [`dot`] | reductions of a slice | `f64`, 4 accumulators, pairwise blocks |
//! | [`min`], [`max`] | extremes, NaN-propagating | exact |
//! | [`scale`], [`axpy`] | `a*x`, `a*x + y` | element type, FMA |
//! | [`accumulate`], [`accumulate_sq`], [`accumulate_dev_sq`] | row into `f64` accumulators | `f64` |
//! | [`prefix_sum`] | cumulative sum | compensated `f64` |
//! | [`window_sum`] | sliding-window sums, any width | `f64`, re-anchored: no drift |
//!
//! Each has a naive twin in [`reference`] that the tests compare against for every length
//! `0..=3*LANES+1`.
//!
//! ## Layouts
//!
//! [`canonicalize`] reduces any view (negative strides, permuted axes, slices) to the densest
//! order with contiguous axes merged; [`LineBuffer`] and [`for_each_lane`] give along-axis
//! filters a contiguous, border-extended copy of each lane ([`BorderMode`] has scipy.ndimage's
//! five modes).
//!
//! ## Reductions
//!
//! [`reduce`] has `sum`, `mean`, `var`, `std`, `norm_l2`, `min`, `max`, `count_nonzero` over
//! any [`Axes`], numpy semantics, `f64` accumulation and all cores:
//!
//! ```
//! use ndarray::Array3;
//! use ndkern_core::reduce;
//! let a = Array3::from_shape_fn((4, 3, 2), |(i, j, k)| (i * 6 + j * 2 + k) as f32);
//! let m = reduce::mean(&a, 0).unwrap();           // numpy: a.mean(axis=0)
//! assert_eq!(m[[0, 0]], 9.0);
//! let v = reduce::var(&a, [0, 1], 1).unwrap();    // numpy: a.var(axis=(0, 1), ddof=1)
//! assert_eq!(v.shape(), &[2]);
//! ```

mod alloc;
mod border;
mod element;
mod elementwise;
mod error;
mod line_buffer;
mod minmax;
pub mod parallel;
mod prefix;
pub mod reduce;
#[doc(hidden)]
pub mod reference;
pub mod simd;
mod stream;
mod strided;
mod sum;
#[doc(hidden)]
pub mod testing;
mod window;

pub use alloc::{
    check_alloc, checked_len, filled_vec, memory_limit, try_filled_vec, try_standard_layout,
    try_to_owned, try_zeroed_vec, try_zeros, zeros, ZeroBits, HUGE_PAGE_MIN_BYTES,
};
pub use border::{extend_line, BorderMode};
pub use element::{downcast_slice, downcast_slice_mut, Element, Label, Sample};
pub use elementwise::{accumulate, accumulate_dev_sq, accumulate_sq, axpy, scale};
pub use error::{Error, Result};
pub use line_buffer::{for_each_lane, scatter, LineBuffer};
pub use minmax::{clamp, max, min, nan_max, nan_min};
pub use parallel::{
    split, split_per_thread, task_count, worth_parallel, Split, PARALLEL_THRESHOLD,
};
pub use prefix::{prefix_sum, CompensatedSum};
pub use reduce::Axes;
pub use simd::{f32x8, f64x4, f64x8, Level};
pub use stream::{stream_copy, stream_fence, stream_worth, STREAM_MIN_BYTES};
pub use strided::{
    canonical_dims, canonicalize, dims_len, dims_of, for_each_offset, merge_dims, Dims,
};
pub use sum::{dot, sum, sum_dev, sum_sq, LEAF, PAR_SUM_MIN};
pub use window::{window_sum, window_sum_map, ANCHOR_EVERY};
