//! Q20: recover a 5 x 5 convolution kernel from an input image and the output it produced,
//! by least squares over all full windows, saying "insufficient data" when the system is
//! rank deficient (the question's 6 x 6 example).
//!
//! ndkern: `estimate_kernel(&input, &output, &[5, 5], KernelMode::Convolve)`.
//!
//! Run: `cargo run --release --example q20_estimate_kernel`

use ndarray::Array2;
use ndkern::linalg::{estimate_kernel, KernelMode};

fn main() -> Result<(), ndkern::Error> {
    let hash = |i: usize| (((i as f64) * 12.9898).sin() * 43758.5453).fract();
    let input = Array2::from_shape_fn((40, 50), |(i, j)| hash(i * 50 + j));
    let k = Array2::from_shape_fn((5, 5), |(a, b)| {
        (a as f64 - 2.0) * 0.3 + (b as f64) * 0.1 - 0.05 * (a * b) as f64
    });
    // output = convolve(input, k) at every interior point (the border is never used).
    let mut output = Array2::zeros((40, 50));
    for i in 2..38 {
        for j in 2..48 {
            let mut acc = 0.0;
            for a in 0..5 {
                for b in 0..5 {
                    acc += k[[a, b]] * input[[i + 2 - a, j + 2 - b]];
                }
            }
            output[[i, j]] = acc;
        }
    }
    let est = estimate_kernel(&input, &output, &[5, 5], KernelMode::Convolve)?;
    let err = est
        .iter()
        .zip(k.iter())
        .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
    println!("recovered 5x5 kernel, max |error| {err:.1e}");
    assert!(err < 1e-10);
    // The question's example: a 6 x 6 pair has 4 full windows for 25 unknowns.
    let small_in = Array2::from_shape_fn((6, 6), |(i, j)| hash(i * 6 + j + 7));
    let mut small_out = Array2::zeros((6, 6));
    small_out.slice_mut(ndarray::s![..2, ..2]).fill(1.0);
    match estimate_kernel(&small_in, &small_out, &[5, 5], KernelMode::Convolve) {
        Err(e) => {
            println!("6x6 example: {e}");
            assert!(e.to_string().contains("insufficient data"));
        }
        Ok(_) => panic!("a 6x6 pair cannot determine a 5x5 kernel"),
    }
    Ok(())
}
