//! # ndkern-signal
//!
//! Signal kernels along any axis of any ndarray view (f32 or f64, any strides), named and
//! behaving like their scipy / pandas / scikit-image counterparts:
//!
//! | module | functions | counterpart |
//! |---|---|---|
//! | [`fft`] | [`rfftn`], [`irfftn`], [`fftn`], [`FftPlans`], [`fftfreq`], [`fftshift`], [`next_fast_len`] | `numpy.fft`, `scipy.fft` |
//! | [`detrend`](mod@detrend) | [`detrend()`], [`detrend_into`], [`detrend_inplace`] | `scipy.signal.detrend` |
//! | [`rolling`] | [`rolling_sum`], [`rolling_mean`], [`rolling_var`], [`rolling_std`] and their `_into` twins | pandas `Series.rolling` |
//! | [`pearson`] | [`pearson_r`] (one series vs many) | `scipy.stats.pearsonr` per series |
//! | [`pipeline`] | [`detrend_rolling_pearson`] (Q3's chain, one pass) | `detrend` -> `rolling(center=True).mean()` -> slice -> `pearsonr` |
//! | [`convolve`](mod@convolve) | [`fftconvolve`], [`fftcorrelate`], [`convolve()`], [`correlate`], [`oaconvolve`] | `scipy.signal.fftconvolve`/`convolve`/`correlate`/`oaconvolve` |
//! | [`register`] | [`cross_correlate_circular`], [`phase_cross_correlation`], [`Correlator`] | `skimage.registration.phase_cross_correlation` |
//! | [`kde`] | [`GaussianKde`], [`Bandwidth`] | `scipy.stats.gaussian_kde` |
//! | [`spectrum`] | [`radial_power_spectrum`] | azimuthally averaged `abs(fft2)**2` |
//!
//! Transforms and accumulations run in `f64` (f32 input is widened, results come back as
//! f32), so f32 results carry f32 rounding only once.
//!
//! ```
//! use ndarray::Array1;
//! use ndkern_signal::{detrend, rolling_mean, Rolling, Trend};
//! let x = Array1::from_shape_fn(100, |t| 0.5 * t as f64 + (t as f64).sin());
//! let d = detrend(&x, 0, Trend::Linear, &[]).unwrap();
//! let m = rolling_mean(&d, 0, Rolling::new(9).center(true)).unwrap();
//! assert!(m[0].is_nan() && m[50].is_finite());
//! ```

pub mod convolve;
pub mod detrend;
pub mod fft;
pub mod kde;
mod lanes;
pub mod pearson;
pub mod pipeline;
#[doc(hidden)]
pub mod reference;
pub mod register;
pub mod rolling;
pub mod spectrum;
mod updft;
mod xspec;

pub use convolve::{convolve, correlate, fftconvolve, fftcorrelate, oaconvolve, Method, Mode};
pub use detrend::{detrend, detrend_inplace, detrend_into, Trend};
pub use fft::{fftfreq, fftn, fftshift, ifftshift, irfftn, next_fast_len, rfftn, FftPlans, C64};
pub use kde::{Bandwidth, GaussianKde};
pub use ndkern_core::{Element, Error, Result};
pub use pearson::pearson_r;
pub use pipeline::detrend_rolling_pearson;
pub use register::{
    cross_correlate_circular, phase_cross_correlation, CircularPeak, Correlator, Normalization,
    PhaseShift,
};
pub use rolling::{
    rolling_mean, rolling_mean_into, rolling_std, rolling_std_into, rolling_sum, rolling_sum_into,
    rolling_var, rolling_var_into, Rolling,
};
pub use spectrum::radial_power_spectrum;
