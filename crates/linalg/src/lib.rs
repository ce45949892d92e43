//! # ndkern-linalg
//!
//! Batched small linear algebra on arrays: per-voxel Hessians and their eigenvalues, weighted
//! distances, k-means, polynomial and line fits, PCA and kernel estimation (nalgebra for the
//! small dense solves).
//!
//! This crate is being built (issue "Linalg"); today it re-exports the core pieces its kernels
//! are made of.
//!
//! ```
//! use ndkern_linalg::Element;
//! assert_eq!(<f64 as Element>::LANES, 4);
//! ```

pub use ndkern_core::{Element, Error, Result};
