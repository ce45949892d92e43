//! Helpers shared by linalg's integration tests: deterministic data from core's seeded PRNG.

use ndkern_core::testing::Rng;

/// A deterministic stream of values uniform in [-1, 1).
pub fn noise(seed: u64) -> impl FnMut() -> f64 {
    let mut g = Rng::new(seed);
    move || g.uniform(-1.0, 1.0)
}
