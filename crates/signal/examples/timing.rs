//! Quick timings of the performance workloads (medians of a few runs):
//! `cargo run --release -p ndkern-signal --example timing`.

use ndarray::{s, Array1, Array2, Array3};
use ndkern_signal::*;
use std::time::Instant;

fn median_ms(mut f: impl FnMut(), reps: usize) -> f64 {
    f();
    let mut t: Vec<f64> = (0..reps)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    t.sort_by(|a, b| a.partial_cmp(b).unwrap());
    t[reps / 2]
}

fn v(i: usize) -> f64 {
    1.0 + ((i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11) as f64 / (1u64 << 53) as f64
}

fn main() {
    let which: Vec<String> = std::env::args().skip(1).collect();
    let on = |k: &str| which.is_empty() || which.iter().any(|w| w == k);
    if on("q3") {
        let (nt, nb, nc) = (2000, 60, 180);
        let a = Array3::from_shape_fn((nt, nb, nc), |(t, j, k)| v(t * nb * nc + j * nc + k));
        let y = Array1::from_shape_fn(nt, v);
        let w = 361;
        let trim = w / 2 + 120;
        let ms = median_ms(
            || {
                let r = detrend_rolling_pearson(&a, &y, 0, w, trim).unwrap();
                std::hint::black_box(r);
            },
            5,
        );
        println!("q3 fused detrend_rolling_pearson 2000x60x180 f64 w361: {ms:.1} ms");
        let ms = median_ms(
            || {
                let d = detrend(&a, 0, Trend::Linear, &[]).unwrap();
                let m = rolling_mean(&d, 0, Rolling::new(w).center(true)).unwrap();
                let yd = detrend(&y, 0, Trend::Linear, &[]).unwrap();
                let ym = rolling_mean(&yd, 0, Rolling::new(w).center(true)).unwrap();
                let r = pearson_r(
                    &m.slice(s![trim..nt - trim, .., ..]),
                    &ym.slice(s![trim..nt - trim]),
                    0,
                )
                .unwrap();
                std::hint::black_box(r);
            },
            5,
        );
        println!("q3 pipeline 2000x60x180 f64 w361: {ms:.1} ms (scipy+numpy 402 ms)");
    }
    if on("xcorr") {
        let a = Array2::from_shape_fn((1024, 1024), |(i, j)| v(i * 1024 + j));
        let b = Array2::from_shape_fn((1024, 1024), |(i, j)| v(i * 1024 + j + 7));
        let ms = median_ms(
            || {
                drop(std::hint::black_box(
                    cross_correlate_circular(&a, &b).unwrap(),
                ))
            },
            7,
        );
        println!("circular xcorr 1024x1024 f64: {ms:.1} ms (scipy rfft2 + argmax 22 ms)");
    }
    if on("phase") {
        let a = Array2::from_shape_fn((512, 512), |(i, j)| v(i * 512 + j));
        let b = Array2::from_shape_fn((512, 512), |(i, j)| {
            v(((i + 3) % 512) * 512 + (j + 500) % 512)
        });
        let ms = median_ms(
            || {
                drop(std::hint::black_box(
                    phase_cross_correlation(&a, &b, 100, Normalization::Phase).unwrap(),
                ))
            },
            7,
        );
        println!("phase_cross_correlation 512x512 up100: {ms:.1} ms (skimage 15.8 ms)");
        let ms = median_ms(
            || {
                drop(std::hint::black_box(
                    phase_cross_correlation(&a, &b, 1, Normalization::Phase).unwrap(),
                ))
            },
            7,
        );
        println!("phase_cross_correlation 512x512 up1 (FFT stages only): {ms:.1} ms");
        let mut c = Correlator::new(&a, 100, Normalization::Phase).unwrap();
        let ms = median_ms(|| drop(std::hint::black_box(c.register(&b).unwrap())), 7);
        println!("Correlator::register 512x512 up100: {ms:.1} ms");
    }
    if on("kde") {
        let x = Array1::from_shape_fn(100_000, |i| (2.0 - v(i)).powf(-1.0 / 3.0) - 1.0);
        let kde = GaussianKde::new_1d(&x, Bandwidth::Scott, None).unwrap();
        let grid: Vec<f64> = (0..2048).map(|i| i as f64 * 5.0 / 2047.0).collect();
        let ms = median_ms(
            || drop(std::hint::black_box(kde.evaluate_1d(&grid).unwrap())),
            3,
        );
        println!("gaussian_kde exact 1e5 x 2048: {ms:.1} ms (scipy 1124 ms)");
        let ms = median_ms(
            || {
                drop(std::hint::black_box(
                    kde.evaluate_binned_1d(0.0, 5.0, 2048).unwrap(),
                ))
            },
            7,
        );
        println!("gaussian_kde binned 1e5 x 2048: {ms:.2} ms");
    }
}
