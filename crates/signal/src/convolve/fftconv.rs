//! The FFT executor: a full linear convolution by zero-padded real FFTs. Both inputs are
//! padded to `next_fast_len(s1 + s2 - 1)` along the convolved axes (5-smooth on the real
//! axis), their real spectra (`rfftn`, half the complex work) multiplied and the inverse
//! cropped to the full size. Plans come from the thread's cached
//! [`FftPlans`](crate::FftPlans).

use ndarray::{ArrayD, ArrayViewD, Axis, Slice};
use ndkern_core::{Element, Result};

use crate::fft::{next_fast_len, with_plans};

/// Full linear convolution by FFT, in f64.
pub(crate) fn fft_full<T: Element>(
    a: &ArrayViewD<T>,
    b: &ArrayViewD<T>,
    axes: &[usize],
) -> Result<ArrayD<f64>> {
    let full: Vec<usize> = axes
        .iter()
        .map(|&ax| a.shape()[ax] + b.shape()[ax] - 1)
        .collect();
    let k = axes.len();
    // Fast lengths; the real (last) axis wants 5-smooth, the complex ones allow 7 and 11.
    let fast: Vec<usize> = full
        .iter()
        .enumerate()
        .map(|(i, &n)| next_fast_len(n, i + 1 == k))
        .collect::<Result<_>>()?;
    let out = with_plans(|p| -> Result<ArrayD<f64>> {
        let mut sa = p.rfftn_shape(a, axes, &fast)?;
        let sb = p.rfftn_shape(b, axes, &fast)?;
        ndarray::Zip::from(&mut sa)
            .and(&sb)
            .for_each(|x, &y| *x *= y);
        p.irfftn(&sa, axes, fast[k - 1])
    })?;
    let mut v = out.view();
    for (&ax, &n) in axes.iter().zip(&full) {
        v.slice_axis_inplace(Axis(ax), Slice::from(0..n));
    }
    Ok(v.to_owned())
}
