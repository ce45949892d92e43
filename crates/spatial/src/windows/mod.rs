//! Sliding windows, convolution, Gaussian filters and gradients (scipy.ndimage semantics).
//!
//! | function | scipy / numpy | algorithm |
//! |---|---|---|
//! | [`uniform_filter1d`], [`uniform_filter`], [`window_sum`] | `scipy.ndimage.uniform_filter[1d]` | running sums, O(1) per sample |
//! | [`local_mean_var`], [`local_std`] | `uniform_filter(x)`, `uniform_filter(x*x) - m*m` | one fused shifted pass |
//! | [`correlate1d`], [`convolve1d`], [`correlate`], [`convolve`] | `scipy.ndimage.correlate[1d]`, `convolve[1d]` | SIMD taps; rank-1 kernels as 1-D passes |
//! | [`ball_kernel`] | `skimage.morphology.ball` | |
//!
//! Every filter takes any view (any strides, any dimension), `f32` or `f64`, all five scipy
//! border modes, and has an `_into` twin writing into a caller's array.

mod axis;
mod correlate;
mod local;
mod params;
mod uniform;

pub use correlate::{
    ball_kernel, convolve, convolve1d, convolve1d_into, convolve_into, correlate, correlate1d,
    correlate1d_into, correlate_into,
};
pub use local::{local_mean_var, local_mean_var_into, local_std};
pub use params::WindowMode;
pub use uniform::{
    uniform_filter, uniform_filter1d, uniform_filter1d_into, uniform_filter_into, window_sum,
    window_sum_into,
};
