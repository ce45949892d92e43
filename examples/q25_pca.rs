//! Q25: PCA: reduce (n, 4) data to 2 components, return the transformed data and the
//! explained variance; optional whitening.
//!
//! numpy: centre, `np.linalg.svd`, project. ndkern: `pca(&x, 2, whiten)` (one pass for the
//! mean and X^T X in f64, then a 4 x 4 symmetric eigensolve) and `.transform(&x)`.
//!
//! Run: `cargo run --release --example q25_pca`

use ndarray::{Array2, Axis};
use ndkern::linalg::pca;

fn main() -> Result<(), ndkern::Error> {
    let n = 1_000_000;
    let x = Array2::from_shape_fn((n, 4), |(i, j)| {
        let t = i as f64;
        let a = (t * 0.001).sin() * 5.0;
        let b = (t * 0.0173).cos() * 2.0;
        [
            a + 0.1 * b,
            0.5 * a - b,
            b + 3.0,
            0.01 * ((i * 7 + j) % 13) as f64,
        ][j]
    });
    let t = std::time::Instant::now();
    let p = pca(&x, 2, false)?;
    let z = p.transform(&x)?;
    println!(
        "PCA of {n} x 4 in {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    println!(
        "explained variance {:.5?}, ratio {:.5?}",
        p.explained_variance.to_vec(),
        p.explained_variance_ratio.to_vec()
    );
    // Independent checks: the transformed columns have the explained variances and are
    // uncorrelated; whitening gives unit variance.
    let zc = &z - &z.mean_axis(Axis(0)).unwrap();
    let cov = zc.t().dot(&zc) / (n - 1) as f64;
    for c in 0..2 {
        assert!((cov[[c, c]] - p.explained_variance[c]).abs() < 1e-9 * p.explained_variance[0]);
    }
    assert!(cov[[0, 1]].abs() < 1e-9 * p.explained_variance[0]);
    let zw = pca(&x, 2, true)?.transform(&x)?;
    let var0 = zw.column(0).mapv(|v| v * v).sum() / (n - 1) as f64;
    println!("whitened variance of component 0: {var0:.12}");
    assert!((var0 - 1.0).abs() < 1e-9);
    Ok(())
}
