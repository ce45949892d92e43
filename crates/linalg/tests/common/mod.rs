//! Helpers shared by linalg's integration tests: deterministic data and relative error.
#![allow(dead_code)] // each test file uses a different part

use ndarray::Array2;

/// A deterministic stream of values in [-1, 1) (64-bit LCG, top 53 bits).
pub fn lcg(seed: u64) -> impl FnMut() -> f64 {
    let mut s = seed;
    move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    }
}

/// Largest |got - want| relative to max |want|.
pub fn max_rel(got: &Array2<f64>, want: &Array2<f64>) -> f64 {
    let scale = want
        .iter()
        .fold(0.0f64, |m, v| m.max(v.abs()))
        .max(f64::MIN_POSITIVE);
    got.iter()
        .zip(want)
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()))
        / scale
}
