//! Q17: 3 x 3 moving average (the 8 neighbours and the centre) of float arrays up to
//! 5000 x 5000 x 16 layers, faster than scipy.ndimage.convolve (here 1000 x 1000 x 16).
//!
//! scipy: `uniform_filter(a, size=(3, 3, 1))` (or `convolve` with a 3x3x1 kernel of 1/9).
//! ndkern: `uniform_filter(&a, &[3, 3, 1], BorderMode::Reflect, &[0])`: running sums, O(1) per
//! sample, each layer filtered independently.

use std::time::Instant;

use ndarray::Array3;
use ndkern::spatial::{uniform_filter, BorderMode};

fn main() {
    let (h, w, layers) = (1000, 1000, 16);
    let a = Array3::from_shape_fn((h, w, layers), |(i, j, k)| {
        ((i * 7 + j * 13 + k * 3) % 101) as f32 * 0.01
    });
    let t = Instant::now();
    let m = uniform_filter(&a, &[3, 3, 1], BorderMode::Reflect, &[0]).expect("valid window");
    println!(
        "3x3 moving average of {h}x{w}x{layers} f32: {:?}",
        t.elapsed()
    );
    // Independent check: the 9 neighbours averaged directly (reflect at the edges).
    let refl = |i: isize, n: usize| -> usize {
        if i < 0 {
            (-i - 1) as usize
        } else if i >= n as isize {
            2 * n - 1 - i as usize
        } else {
            i as usize
        }
    };
    for &(i, j, k) in &[(0usize, 0usize, 0usize), (500, 500, 7), (999, 3, 15)] {
        let mut s = 0.0f64;
        for di in -1..=1isize {
            for dj in -1..=1isize {
                s += a[[refl(i as isize + di, h), refl(j as isize + dj, w), k]] as f64;
            }
        }
        assert!(
            (m[[i, j, k]] as f64 - s / 9.0).abs() < 1e-6,
            "{:?}",
            (i, j, k)
        );
    }
    println!("m[500, 500, 7] = {}", m[[500, 500, 7]]);
}
