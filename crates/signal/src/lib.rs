//! # ndkern-signal
//!
//! Signal kernels along any axis: FFT convolution and correlation, phase correlation, detrend,
//! rolling statistics, one-vs-many Pearson correlation and kernel density estimates
//! (rustfft/realfft for the transforms).
//!
//! This crate is being built (issue "Signal"); today it re-exports the core pieces its kernels
//! are made of.
//!
//! ```
//! use ndkern_signal::Element;
//! assert_eq!(<f32 as Element>::LANES, 8);
//! ```

pub use ndkern_core::{Element, Error, Result};
