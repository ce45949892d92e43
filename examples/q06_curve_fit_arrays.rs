//! Q6: fit (a, b) so that `mod1 * 12 + mod2 ** a - mod3 / b` best matches a 2-D data array
//! that contains NaNs.
//!
//! scipy: flatten, drop NaNs, wrap the model for `curve_fit`. ndkern: `curve_fit` takes the
//! model as a closure returning an array of the data's shape and skips NaN data itself
//! (Levenberg-Marquardt, f64).
//!
//! Run: `cargo run --release --example q06_curve_fit_arrays`

use ndarray::Array2;
use ndkern::linalg::{curve_fit, CurveFitOptions};

fn main() -> Result<(), ndkern::Error> {
    let (h, w) = (60, 80);
    let m1 = Array2::from_shape_fn((h, w), |(i, j)| ((i * 3 + j) % 17) as f64 / 17.0);
    let m2 = Array2::from_shape_fn((h, w), |(i, j)| 1.0 + ((i + 5 * j) % 13) as f64 / 6.0);
    let m3 = Array2::from_shape_fn((h, w), |(i, j)| 0.5 + ((7 * i + j) % 11) as f64 / 4.0);
    let model = |p: &[f64]| &m1 * 12.0 + m2.mapv(|v| v.powf(p[0])) - &m3 / p[1];
    let (a_true, b_true) = (1.37, 0.42);
    let mut data = model(&[a_true, b_true]);
    // Deterministic small noise and a NaN stripe.
    for ((i, j), v) in data.indexed_iter_mut() {
        *v += 1e-3 * (((i * 31 + j * 17) % 29) as f64 / 14.0 - 1.0);
        if j == 40 || (i + j) % 97 == 0 {
            *v = f64::NAN;
        }
    }
    let fit = curve_fit(model, &data, &[1.0, 1.0], &CurveFitOptions::default())?;
    println!(
        "a = {:.6} (true {a_true}), b = {:.6} (true {b_true}); {} points used, {} model calls, converged {}",
        fit.params[0], fit.params[1], fit.n_points, fit.nfev, fit.converged
    );
    println!(
        "standard errors: {:.2e}, {:.2e}",
        fit.cov[[0, 0]].sqrt(),
        fit.cov[[1, 1]].sqrt()
    );
    // Independent check: the generating parameters, within the noise-induced uncertainty.
    assert!((fit.params[0] - a_true).abs() < 1e-3 && (fit.params[1] - b_true).abs() < 1e-3);
    assert_eq!(fit.n_points, data.iter().filter(|v| !v.is_nan()).count());
    Ok(())
}
