//! Q7: the variance of every voxel along the last axis of a (10, 10, 10, 5) stack.
//!
//! numpy: `stack.var(axis=-1)`. ndkern: `reduce::var(&stack, -1, 0)` (ddof = 0 like numpy's
//! default; pass 1 for the sample variance).
//!
//! Run: `cargo run --release --example q07_voxel_variance`

use ndarray::Array4;
use ndkern::reduce;

fn main() -> Result<(), ndkern::Error> {
    // A time stack: voxel (i, j, k) holds 5 samples t = 0..5 of a linear ramp with slope
    // depending on the voxel, so its variance is known in closed form: slope^2 * var(0..5) = 2 slope^2.
    let stack = Array4::<f64>::from_shape_fn((10, 10, 10, 5), |(i, j, k, t)| {
        let slope = (i + j + k) as f64 * 0.1;
        100.0 + slope * t as f64
    });
    let var = reduce::var(&stack, -1, 0)?;
    println!("variance shape: {:?}", var.shape());
    println!("var[0, 0, 0] = {} (expected 0)", var[[0, 0, 0]]);
    println!(
        "var[9, 9, 9] = {:.6} (expected {:.6})",
        var[[9, 9, 9]],
        2.0 * 2.7f64.powi(2)
    );
    let worst = var
        .indexed_iter()
        .map(|(ix, &v)| {
            let slope = (ix[0] + ix[1] + ix[2]) as f64 * 0.1;
            (v - 2.0 * slope * slope).abs()
        })
        .fold(0.0, f64::max);
    println!("max |error| over all voxels vs the closed form: {worst:.2e}");
    assert!(worst < 1e-12);
    Ok(())
}
