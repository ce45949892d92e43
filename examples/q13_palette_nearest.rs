//! Q13: colour quantization: every pixel of an (rows, cols, 3) image to the nearest of n
//! palette colours by Euclidean distance.
//!
//! numpy: `np.argmin(((img[..., None, :] - pal) ** 2).sum(-1), axis=-1)` (an (h, w, n)
//! temporary) or a cKDTree. ndkern: `nearest(&img, &palette)`: labels (h, w) and squared
//! distances, four pixels per SIMD vector, no distance matrix.
//!
//! Run: `cargo run --release --example q13_palette_nearest`

use ndarray::{Array2, Array3};
use ndkern::linalg::nearest;

fn main() -> Result<(), ndkern::Error> {
    let (h, w, n) = (480, 640, 64);
    let img = Array3::from_shape_fn((h, w, 3), |(i, j, c)| {
        ((i * (c + 3) + j * (7 - c) + i * j / 97) % 256) as f32
    });
    let pal = Array2::from_shape_fn((n, 3), |(k, c)| ((k * 37 + c * 101) % 256) as f32);
    let t = std::time::Instant::now();
    let (labels, d2) = nearest(&img, &pal)?;
    println!(
        "{h}x{w} pixels to {n} colours in {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    println!(
        "pixel (100, 200) -> colour {} (squared distance {})",
        labels[[100, 200]],
        d2[[100, 200]]
    );
    // Independent check: brute force on a grid of pixels.
    for i in (0..h).step_by(37) {
        for j in (0..w).step_by(41) {
            let dist = |k: usize| -> f64 {
                (0..3)
                    .map(|c| (img[[i, j, c]] as f64 - pal[[k, c]] as f64).powi(2))
                    .sum()
            };
            let best = (0..n).min_by(|&a, &b| dist(a).total_cmp(&dist(b))).unwrap();
            assert_eq!(dist(labels[[i, j]]), dist(best), "pixel ({i}, {j})");
            assert_eq!(d2[[i, j]], dist(best));
        }
    }
    println!("brute-force check passed");
    Ok(())
}
