//! Q22: cloud motion between two 200 x 200 satellite patches: FFT cross-correlation (an
//! element-wise product with the conjugate spectrum, not a matrix product), the peak mapped
//! to a signed displacement (fftfreq convention), the normalized correlation coefficient, and
//! subpixel precision.
//!
//! numpy idiom: `c = np.fft.irfft2(np.fft.rfft2(a0) * np.conj(np.fft.rfft2(b0)), s=a.shape)`,
//! `np.unravel_index(c.argmax(), c.shape)` mapped with `np.fft.fftfreq(n, 1/n)`, and
//! `skimage.registration.phase_cross_correlation(b, a, upsample_factor=20)` for subpixel.
//! ndkern: `cross_correlate_circular(&a, &b)` and `phase_cross_correlation(&b, &a, 20, ..)`.

use ndarray::Array2;
use ndkern::signal::{
    cross_correlate_circular, fftconvolve, fftfreq, fftn, phase_cross_correlation, Mode,
    Normalization, C64,
};

/// Deterministic noise in [-0.5, 0.5).
fn noise(i: usize, seed: usize) -> f64 {
    let mut z = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (seed as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 31)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z >> 11) as f64 / (1u64 << 53) as f64 - 0.5
}

/// `img` moved by `(dy, dx)` pixels (subpixel) by the Fourier shift theorem.
fn shifted(img: &Array2<f64>, dy: f64, dx: f64) -> Array2<f64> {
    let (ny, nx) = img.dim();
    let mut f = fftn(&img.mapv(|v| C64::new(v, 0.0)).into_dyn(), &[0, 1], false).unwrap();
    let (fy, fx) = (fftfreq(ny, 1.0).unwrap(), fftfreq(nx, 1.0).unwrap());
    for (idx, v) in f.indexed_iter_mut() {
        let ang = -2.0 * std::f64::consts::PI * (fy[idx[0]] * dy + fx[idx[1]] * dx);
        *v *= C64::new(ang.cos(), ang.sin());
    }
    fftn(&f, &[0, 1], true)
        .unwrap()
        .mapv(|v| v.re)
        .into_dimensionality()
        .unwrap()
}

fn main() {
    let n = 200;
    // A cloud-like field: white noise smoothed by a 15 x 15 Gaussian blob.
    let raw = Array2::from_shape_fn((n, n), |(i, j)| noise(i * n + j, 1));
    let blob = Array2::from_shape_fn((15, 15), |(i, j)| {
        (-((i as f64 - 7.0).powi(2) + (j as f64 - 7.0).powi(2)) / 18.0).exp()
    });
    let clouds: Array2<f64> = fftconvolve(&raw, &blob, Mode::Same, None)
        .unwrap()
        .into_dimensionality()
        .unwrap();
    let (dy, dx) = (6.4, -11.75); // true motion between the two frames, pixels
    let frame0 = clouds.clone();
    let frame1 = shifted(&clouds, dy, dx)
        + Array2::from_shape_fn((n, n), |(i, j)| 0.02 * noise(i * n + j, 2));

    let p = cross_correlate_circular(&frame1, &frame0).unwrap();
    println!(
        "integer displacement (dy, dx) = {:?}, normalized correlation {:.4}",
        p.shift, p.ncc
    );
    assert_eq!(p.shift, vec![dy.round() as isize, dx.round() as isize]);
    assert!(p.ncc > 0.9);

    let t = std::time::Instant::now();
    let r = phase_cross_correlation(&frame1, &frame0, 20, Normalization::None).unwrap();
    println!(
        "subpixel displacement (upsample 20): ({:.3}, {:.3}) in {:.2} ms; true ({dy}, {dx}); error {:.4}",
        r.shift[0],
        r.shift[1],
        t.elapsed().as_secs_f64() * 1e3,
        r.error
    );
    // skimage convention: the shift registering frame0 onto frame1 is the motion itself.
    assert!((r.shift[0] - dy).abs() <= 0.05 + 1e-9 && (r.shift[1] - dx).abs() <= 0.05 + 1e-9);
}
