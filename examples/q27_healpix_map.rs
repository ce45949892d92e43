//! Q27: values at sphere positions (theta, phi) accumulated into a HEALPix map of a given
//! nside.
//!
//! healpy/numpy: `pix = hp.ang2pix(nside, theta, phi); m = np.bincount(pix, values,
//! minlength=12 * nside**2)` (or `np.add.at`). ndkern: `healpix_map(nside, &theta, &phi,
//! &values, Scheme::Ring)` (pixel indices from the cdshealpix crate, checked against healpy
//! reference values in tests/data/binning).
//!
//! Run: `cargo run --release --example q27_healpix_map`

use ndarray::Array1;
use ndkern::spatial::binning::{healpix_map, Scheme};

fn main() -> Result<(), ndkern::Error> {
    let nside = 64u32;
    let n = 2_000_000;
    let mut s = 7u64;
    let mut rnd = move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    // Uniform on the sphere: cos(theta) uniform in [-1, 1], phi uniform in [0, 2 pi).
    let theta: Array1<f64> = (0..n).map(|_| (2.0 * rnd() - 1.0).acos()).collect();
    let phi: Array1<f64> = (0..n).map(|_| 2.0 * std::f64::consts::PI * rnd()).collect();
    let values = theta.mapv(f64::cos); // z = cos(theta)

    let t = std::time::Instant::now();
    let map = healpix_map(nside, &theta, &phi, &values, Scheme::Ring)?;
    println!(
        "{n} samples into nside {nside} ({} pixels): {:.1} ms",
        map.count.len(),
        t.elapsed().as_secs_f64() * 1e3
    );

    // Independent checks: nothing lost; HEALPix pixels have equal area, so uniform samples
    // give counts with mean n/npix and Poisson spread; in the ring scheme pixel numbers grow
    // from north to south, so the mean z of the first pixels is near +1 and of the last near -1.
    let npix = map.count.len();
    assert_eq!(map.count.sum(), n);
    assert!((map.sum.sum() - values.sum()).abs() < 1e-6);
    let expect = n as f64 / npix as f64;
    let chi2: f64 = map
        .count
        .iter()
        .map(|&c| (c as f64 - expect).powi(2) / expect)
        .sum::<f64>()
        / npix as f64;
    println!("counts: mean {expect:.1} per pixel, reduced chi^2 vs equal area {chi2:.3} (about 1 expected)");
    assert!((chi2 - 1.0).abs() < 0.1);
    let mean = map.mean(f64::NAN);
    println!(
        "mean z in pixel 0: {:.4}, in the last pixel: {:.4}",
        mean[0],
        mean[npix - 1]
    );
    assert!(mean[0] > 0.99 && mean[npix - 1] < -0.99);
    let nested = healpix_map(nside, &theta, &phi, &values, Scheme::Nested)?;
    let (mut a, mut b) = (map.count.to_vec(), nested.count.to_vec());
    a.sort_unstable();
    b.sort_unstable();
    assert_eq!(a, b, "ring and nested number the same pixels differently");
    Ok(())
}
