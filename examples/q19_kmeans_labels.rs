//! Q19: k-means returning one flat label per sample and the number of iterations, stopping
//! when the centroids stop moving; iris-like data (150 x 4), k = 2..10, optional fixed
//! initial centroids.
//!
//! scipy: `kmeans2(data, k, minit='++')` (fixed iteration count, no convergence report).
//! ndkern: `kmeans(&x, &KMeansOptions { k, init, .. })` -> labels, centroids, inertia,
//! n_iter, converged.
//!
//! Run: `cargo run --release --example q19_kmeans_labels`

use ndarray::{s, Array2};
use ndkern::linalg::{kmeans, nearest, KMeansInit, KMeansOptions};

fn main() -> Result<(), ndkern::Error> {
    // Three iris-like groups of 50 (deterministic jitter).
    let means = [
        [5.0, 3.4, 1.5, 0.2],
        [5.9, 2.8, 4.3, 1.3],
        [6.6, 3.0, 5.6, 2.0],
    ];
    let x = Array2::from_shape_fn((150, 4), |(i, j)| {
        means[i / 50][j] + 0.3 * (((i * 7919 + j * 104_729) % 1000) as f64 / 500.0 - 1.0)
    });
    for k in 2..=10 {
        let r = kmeans(
            &x,
            &KMeansOptions {
                init: KMeansInit::PlusPlus { seed: 7 },
                n_init: 4,
                ..KMeansOptions::new(k)
            },
        )?;
        println!(
            "k = {k:2}: inertia {:8.3}, {:2} iterations, converged {}",
            r.inertia, r.n_iter, r.converged
        );
        // Independent checks: every label is the nearest centroid, and centroids are means.
        let (nl, _) = nearest(&x, &r.centroids)?;
        assert_eq!(nl, r.labels);
        for c in 0..k {
            let members: Vec<usize> = (0..150).filter(|&i| r.labels[i] == c).collect();
            assert!(!members.is_empty());
            for j in 0..4 {
                let m = members.iter().map(|&i| x[[i, j]]).sum::<f64>() / members.len() as f64;
                assert!((m - r.centroids[[c, j]]).abs() < 1e-9);
            }
        }
    }
    // Fixed initial centroids: the first sample of each group.
    let init = Array2::from_shape_fn((3, 4), |(c, j)| x[[c * 50, j]]);
    let r = kmeans(
        &x,
        &KMeansOptions {
            init: KMeansInit::Given(init),
            ..KMeansOptions::new(3)
        },
    )?;
    println!(
        "fixed init: labels {:?} ... after {} iterations",
        r.labels.slice(s![..10]).to_vec(),
        r.n_iter
    );
    for g in 0..3 {
        assert!(
            (0..50).all(|i| r.labels[g * 50 + i] == r.labels[g * 50]),
            "group {g} split"
        );
    }
    Ok(())
}
