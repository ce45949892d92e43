//! Q2: for M points in 2-D and a 2 x 2 matrix D, the M x M matrix of
//! d(x, y) = <D^-1 (x - y), x - y> (squared Mahalanobis distance).
//!
//! numpy/scipy: `cdist(X, X, 'mahalanobis', VI=np.linalg.inv(D)) ** 2`.
//! ndkern: `cdist(&x, &x, &Metric::SqMahalanobis(inv(D)))`: one Cholesky whitening of the
//! points, then a SIMD pass over all pairs (no per-pair matrix product).
//!
//! Run: `cargo run --release --example q02_mahalanobis_pairwise`

use ndarray::{array, Array2};
use ndkern::linalg::{cdist, Metric};

fn main() -> Result<(), ndkern::Error> {
    let m = 3000;
    let x = Array2::from_shape_fn((m, 2), |(i, j)| {
        let t = i as f64 * 0.618_033_988_75;
        if j == 0 {
            (t.fract() - 0.5) * 20.0
        } else {
            ((t * 7.3).sin()) * 5.0
        }
    });
    let d = array![[4.0, 1.2], [1.2, 2.0]];
    let det = d[[0, 0]] * d[[1, 1]] - d[[0, 1]] * d[[1, 0]];
    let vi = array![
        [d[[1, 1]] / det, -d[[0, 1]] / det],
        [-d[[1, 0]] / det, d[[0, 0]] / det]
    ];
    let t = std::time::Instant::now();
    let dist = cdist(&x, &x, &Metric::SqMahalanobis(vi.clone()))?;
    println!(
        "{m} x {m} squared Mahalanobis distances in {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    println!("d(x0, x1) = {:.6}", dist[[0, 1]]);
    // Independent check: the definition <D^-1 (x - y), x - y> on a sample of pairs.
    let mut worst = 0.0f64;
    for (i, j) in [(0, 1), (5, 2999), (1234, 77), (2999, 2998), (10, 10)] {
        let dx = [x[[i, 0]] - x[[j, 0]], x[[i, 1]] - x[[j, 1]]];
        let q = dx[0] * (vi[[0, 0]] * dx[0] + vi[[0, 1]] * dx[1])
            + dx[1] * (vi[[1, 0]] * dx[0] + vi[[1, 1]] * dx[1]);
        worst = worst.max((dist[[i, j]] - q).abs() / q.max(1.0));
    }
    println!("max relative error vs the definition: {worst:.1e}");
    assert!(worst < 1e-13);
    Ok(())
}
