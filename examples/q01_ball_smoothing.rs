//! Q1 (second half): 3-D convolution of a gridded volume with a spherical (ball) kernel.
//!
//! scipy: `convolve(vol, ball / ball.sum(), mode="constant")` with `ball = skimage.morphology.ball(r)`.
//! ndkern: `convolve(&vol, &(ball_kernel(r, 3)? / sum), BorderMode::Constant(0.0), &[0])`. The
//! ball is not separable, so it runs as a direct N-d correlation: one SIMD row update per
//! non-zero tap.

use ndarray::Array3;
use ndkern::spatial::{ball_kernel, convolve, BorderMode};

fn main() {
    let n = 40;
    let vol = Array3::from_shape_fn((n, n, n), |(i, j, k)| ((i * 3 + j * 5 + k * 7) % 11) as f64);
    let r = 2.0;
    let ball = ball_kernel(r, 3).expect("valid radius");
    let taps = ball.sum();
    let kernel = &ball / taps;
    let smooth = convolve(&vol, &kernel, BorderMode::Constant(0.0), &[0]).expect("valid kernel");
    println!(
        "ball of radius {r}: {taps} voxels; smoothed[20, 20, 20] = {:.6}",
        smooth[[20, 20, 20]]
    );
    // Independent check: the mean over the voxels within distance r, summed directly.
    for &(i, j, k) in &[(20usize, 20usize, 20usize), (0, 0, 0), (39, 1, 17)] {
        let mut s = 0.0;
        for di in -2..=2isize {
            for dj in -2..=2isize {
                for dk in -2..=2isize {
                    if (di * di + dj * dj + dk * dk) as f64 > r * r {
                        continue;
                    }
                    let p = [i as isize + di, j as isize + dj, k as isize + dk];
                    if p.iter().all(|&c| (0..n as isize).contains(&c)) {
                        s += vol[[p[0] as usize, p[1] as usize, p[2] as usize]];
                    }
                }
            }
        }
        assert!(
            (smooth[[i, j, k]] - s / taps).abs() < 1e-12,
            "{:?}",
            (i, j, k)
        );
    }
}
