//! Radially (azimuthally) averaged power spectrum of a 2-D array.
//!
//! `P = |fft2(a)|^2` (numpy's unnormalized transform); every frequency `(ky, kx)` (signed, in
//! cycles per image, fftfreq convention) falls in the integer radius bin
//! `round(sqrt(ky^2 + kx^2))`, and the result is the mean of `P` per bin, bins `0..=kmax`.
//! The numpy idiom is `np.bincount(r.ravel(), P.ravel()) / np.bincount(r.ravel())` on
//! `fftshift`ed arrays; here the half spectrum from a real FFT is used with the mirrored
//! columns counted twice, so no full complex spectrum is formed.
//!
//! ```
//! use ndarray::Array2;
//! let a = Array2::from_shape_fn((16, 16), |(i, _)| (2.0 * std::f64::consts::PI * 3.0 * i as f64 / 16.0).cos());
//! let p = ndkern_signal::radial_power_spectrum(&a).unwrap();
//! let peak = p.iter().enumerate().fold((0, 0.0), |b, (k, &v)| if v > b.1 { (k, v) } else { b }).0;
//! assert_eq!(peak, 3);
//! ```

use ndarray::{Array1, ArrayBase, Data, Ix2};
use ndkern_core::{Element, Error, Result};

use crate::fft::{rfftn, signed_index};

/// Mean `|fft2(a)|^2` per integer radius bin `0..=kmax` (see the [module docs](self)).
/// Bins no frequency falls into are NaN. Errors: an empty array.
pub fn radial_power_spectrum<T: Element, S: Data<Elem = T>>(
    a: &ArrayBase<S, Ix2>,
) -> Result<Array1<f64>> {
    let (ny, nx) = a.dim();
    if ny == 0 || nx == 0 {
        return Err(Error::InvalidParameter {
            name: "a",
            reason: format!("the array is empty ({ny} x {nx}); give at least one sample"),
        });
    }
    let spec = rfftn(a, &[0, 1])?;
    let bin = |ky: isize, kx: isize| (((ky * ky + kx * kx) as f64).sqrt().round()) as usize;
    let kmax = bin((ny / 2) as isize, (nx / 2) as isize);
    let mut sum = vec![0.0f64; kmax + 1];
    let mut count = vec![0.0f64; kmax + 1];
    let half = spec.shape()[1];
    for iy in 0..ny {
        let ky = signed_index(iy, ny);
        for ix in 0..half {
            let p = spec[[iy, ix]].norm_sqr();
            let b = bin(ky, ix as isize);
            sum[b] += p;
            count[b] += 1.0;
            // Columns 1..nx-half of the full spectrum are mirrors: (-ky, -ix) has equal power.
            if ix >= 1 && ix < nx - half + 1 {
                let b2 = bin(-ky, -(ix as isize));
                sum[b2] += p;
                count[b2] += 1.0;
            }
        }
    }
    Ok(Array1::from_shape_fn(kmax + 1, |k| {
        if count[k] > 0.0 {
            sum[k] / count[k]
        } else {
            f64::NAN
        }
    }))
}
