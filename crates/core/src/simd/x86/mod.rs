//! Kernels written with x86-64 `std::arch` intrinsics for one SIMD level. Each is a safe
//! function that takes the level's proof-of-detection token ([`super::Avx512`]), so callers
//! reach it only when [`super::level()`] allows that level (`NDKERN_SIMD` caps it too) and
//! need no `unsafe` of their own; below that level they run their portable
//! `multiversion!` kernel.
//!
//! * [`running`]: running window sums of one line (the long box windows of
//!   ndkern-spatial's fused sweep and `local_mean_var`).
//! * [`cells`]: the cell of each point on up to three uniform axes (ndkern-spatial's
//!   binning: histograms, binned statistics).
//! * [`gemm`]: the register block of ndkern-linalg's GEMM-route distances.
//! * [`nearest`]: nearest centroid of sixteen points at a time (linalg's `nearest`, k-means).

pub mod cells;
pub mod gemm;
pub mod nearest;
pub mod running;
