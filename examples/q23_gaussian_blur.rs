//! Q23: Gaussian blur with a separable 1-D kernel (radius 3 sigma, normalized to sum 1, zero
//! padding, same output size), and the 2-D Gaussian kernel itself (outer product).
//!
//! scipy: `gaussian_filter(img, sigma, mode="constant", truncate=3.0)`; the kernel:
//! `np.outer(k, k)`. ndkern: `gaussian_filter` with `GaussianOptions { truncate: 3.0, mode:
//! BorderMode::Constant(0.0), .. }` and `gaussian_kernel2d(sigma, radius)`.

use ndarray::Array2;
use ndkern::spatial::{correlate, gaussian_filter, gaussian_kernel2d, BorderMode, GaussianOptions};

fn main() {
    let sigma = 2.0;
    let radius = (3.0 * sigma + 0.5) as usize; // scipy: int(truncate * sigma + 0.5)
    let k2 = gaussian_kernel2d(sigma, radius).expect("valid sigma");
    println!(
        "2-D kernel {:?}, sum {:.15}, centre {:.6}",
        k2.shape(),
        k2.sum(),
        k2[[radius, radius]]
    );
    assert!((k2.sum() - 1.0).abs() < 1e-14);

    let img = Array2::from_shape_fn((120, 160), |(i, j)| ((i / 10 + j / 10) % 2) as f64);
    let opts = GaussianOptions {
        truncate: 3.0,
        mode: BorderMode::Constant(0.0),
        ..Default::default()
    };
    let blurred = gaussian_filter(&img, &[sigma], &opts).expect("valid options");
    // Independent check: direct 2-D correlation with the outer-product kernel.
    let direct = correlate(&img, &k2, BorderMode::Constant(0.0), &[0]).expect("valid kernel");
    let err = blurred
        .iter()
        .zip(&direct)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    println!(
        "blurred[60, 80] = {:.6}; max |separable - direct 2-D| = {err:.1e}",
        blurred[[60, 80]]
    );
    assert!(err < 1e-14);
    assert_eq!(blurred.shape(), img.shape());
}
