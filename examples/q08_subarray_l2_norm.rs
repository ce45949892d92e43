//! Q8: the L2 norm of each of the d sub-arrays (a, b, c) of an (a, b, c, d) array.
//!
//! numpy: `np.sqrt((x * x).sum(axis=(0, 1, 2)))` (shape `(d,)`). ndkern:
//! `reduce::norm_l2(&x, [0, 1, 2])`, accumulated in f64 and safe against overflow (values
//! near 1e200 do not turn into inf).
//!
//! Run: `cargo run --release --example q08_subarray_l2_norm`

use ndarray::Array4;
use ndkern::reduce;

fn main() -> Result<(), ndkern::Error> {
    let (a, b, c, d) = (8, 6, 4, 3);
    // Sub-array l is filled with the constant l + 1, so its norm is (l + 1) * sqrt(a b c).
    let x = Array4::<f64>::from_shape_fn((a, b, c, d), |(_, _, _, l)| (l + 1) as f64);
    let norms = reduce::norm_l2(&x, [0, 1, 2])?;
    println!("norms (shape {:?}): {norms}", norms.shape());
    for l in 0..d {
        let want = (l + 1) as f64 * ((a * b * c) as f64).sqrt();
        assert!((norms[[l]] - want).abs() <= 1e-12 * want);
    }
    // The same with huge values: numpy's sqrt((x*x).sum()) overflows to inf here.
    let big = x.mapv(|v| v * 1e200);
    let big_norms = reduce::norm_l2(&big, [0, 1, 2])?;
    println!("norms of x * 1e200: {big_norms:e}");
    assert!(big_norms.iter().all(|v| v.is_finite()));
    Ok(())
}
