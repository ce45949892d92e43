//! The Gabor kernel of scikit-image (`skimage.filters.gabor_kernel`), for Q16's Gabor-filtered
//! images: a Gaussian envelope times a complex sinusoid, returned as its real and imaginary
//! parts (correlate with each, or with the real part for the even filter).

use ndarray::Array2;
use ndkern_core::{Error, Result};

/// Options of [`gabor_kernel`] (scikit-image keyword names and defaults).
///
/// ```
/// use ndkern_spatial::GaborOptions;
/// let o = GaborOptions::default();
/// assert_eq!((o.theta, o.bandwidth, o.n_stds, o.offset), (0.0, 1.0, 3.0, 0.0));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct GaborOptions {
    /// Orientation in radians.
    pub theta: f64,
    /// Bandwidth (octaves), used for the sigmas that are `None`.
    pub bandwidth: f64,
    /// Envelope standard deviation along x (default from `bandwidth` and `frequency`).
    pub sigma_x: Option<f64>,
    /// Envelope standard deviation along y.
    pub sigma_y: Option<f64>,
    /// Kernel half-size in standard deviations.
    pub n_stds: f64,
    /// Phase offset in radians.
    pub offset: f64,
}

impl Default for GaborOptions {
    fn default() -> Self {
        Self {
            theta: 0.0,
            bandwidth: 1.0,
            sigma_x: None,
            sigma_y: None,
            n_stds: 3.0,
            offset: 0.0,
        }
    }
}

/// The complex Gabor kernel of spatial `frequency` as `(real, imag)`, each of shape
/// `(2 y0 + 1, 2 x0 + 1)` exactly as scikit-image computes it.
///
/// ```
/// use ndkern_spatial::{gabor_kernel, GaborOptions};
/// let (re, im) = gabor_kernel(0.1, &GaborOptions { theta: 0.5, bandwidth: 1.2, ..Default::default() })
///     .unwrap();
/// assert_eq!(re.shape(), &[27, 27]);
/// // skimage.filters.gabor_kernel(0.1, theta=0.5, bandwidth=1.2)[3, 5]
/// assert!((re[[3, 5]] - 7.88014739484661e-05).abs() < 1e-18);
/// assert!((im[[3, 5]] + 1.716183104362144e-04).abs() < 1e-18);
/// ```
pub fn gabor_kernel(frequency: f64, o: &GaborOptions) -> Result<(Array2<f64>, Array2<f64>)> {
    let bad = |name: &'static str, v: f64| Error::InvalidParameter {
        name,
        reason: format!("must be finite and > 0, got {v}"),
    };
    if !(frequency.is_finite() && frequency > 0.0) {
        return Err(bad("frequency", frequency));
    }
    if !(o.n_stds.is_finite() && o.n_stds > 0.0) {
        return Err(bad("n_stds", o.n_stds));
    }
    let b = o.bandwidth;
    let prefactor = 1.0 / std::f64::consts::PI * (2f64.ln() / 2.0).sqrt() * (2f64.powf(b) + 1.0)
        / (2f64.powf(b) - 1.0);
    let sx = o.sigma_x.unwrap_or(prefactor / frequency);
    let sy = o.sigma_y.unwrap_or(prefactor / frequency);
    if !(sx.is_finite() && sx > 0.0) {
        return Err(bad("sigma_x", sx));
    }
    if !(sy.is_finite() && sy > 0.0) {
        return Err(bad("sigma_y", sy));
    }
    if !o.theta.is_finite() {
        return Err(Error::InvalidParameter {
            name: "theta",
            reason: format!("the orientation must be finite, got {}", o.theta),
        });
    }
    let (ct, st) = (o.theta.cos(), o.theta.sin());
    let n = o.n_stds;
    // The half-widths, as f64 first: a tiny frequency or a huge sigma gives a kernel that no
    // memory holds (an Err, not an overflowing `2 * x0 + 1`). The only NaN `f64::max` can see
    // is `inf * 0` (an overflowed `n_stds * sigma` times a zero cosine or sine), whose true
    // value 0 is what ignoring it gives.
    let half = |a: f64, b: f64| a.abs().max(b.abs()).max(1.0).ceil();
    let (x0f, y0f) = (
        half(n * sx * ct, n * sy * st),
        half(n * sy * ct, n * sx * st),
    );
    let too_large = || Error::TooLarge {
        what: "the Gabor kernel (2 * ceil(n_stds * sigma) + 1 per side)",
        bytes: None,
        limit: ndkern_core::memory_limit(),
    };
    if !(x0f < (1u64 << 40) as f64 && y0f < (1u64 << 40) as f64) {
        return Err(too_large());
    }
    let (x0, y0) = (x0f as isize, y0f as isize);
    let shape = ((2 * y0 + 1) as usize, (2 * x0 + 1) as usize);
    let len = ndkern_core::checked_len(
        "the Gabor kernel (2 * ceil(n_stds * sigma) + 1 per side)",
        &[shape.0, shape.1, 2],
    )?;
    ndkern_core::check_alloc::<f64>(
        "the Gabor kernel (2 * ceil(n_stds * sigma) + 1 per side)",
        len,
    )?;
    let norm = 2.0 * std::f64::consts::PI * sx * sy;
    let mut re = Array2::zeros(shape);
    let mut im = Array2::zeros(shape);
    for ((i, j), r) in re.indexed_iter_mut() {
        let (y, x) = ((i as isize - y0) as f64, (j as isize - x0) as f64);
        let rotx = x * ct + y * st;
        let roty = -x * st + y * ct;
        let g = (-0.5 * (rotx * rotx / (sx * sx) + roty * roty / (sy * sy))).exp() / norm;
        let phase = 2.0 * std::f64::consts::PI * frequency * rotx + o.offset;
        *r = g * phase.cos();
        im[[i, j]] = g * phase.sin();
    }
    Ok((re, im))
}
