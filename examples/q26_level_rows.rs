//! Q26: level an image (2500 x 1500) by fitting a line to every row and subtracting it,
//! without a Python loop over rows.
//!
//! numpy: `np.polyfit(x, img.T, 1)` then subtract the lines. ndkern: `level_rows(&img)`
//! (closed-form slope/intercept per row from two f64 SIMD reductions, rows in parallel), or
//! `linefit(&img, 1)` for the slopes and intercepts.
//!
//! Run: `cargo run --release --example q26_level_rows`

use ndarray::Array2;
use ndkern::linalg::{level_rows, linefit, polyfit};

fn main() -> Result<(), ndkern::Error> {
    let (h, w) = (2500, 1500);
    let img = Array2::from_shape_fn((h, w), |(r, c)| {
        let tilt = 0.01 * r as f64 - 3.0;
        100.0 + tilt * c as f64 + ((r * 31 + c * 17) % 23) as f64 * 0.1
    });
    let t = std::time::Instant::now();
    let flat = level_rows(&img)?;
    println!(
        "leveled {h} x {w} in {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let (slope, icpt) = linefit(&img, 1)?;
    println!("row 0: slope {:.6}, intercept {:.6}", slope[0], icpt[0]);
    // Independent check: polyfit (QR) on a few rows, and flat rows have no trend left.
    let x = ndarray::Array1::from_iter((0..w).map(|c| c as f64));
    for r in [0, 1234, 2499] {
        let c = polyfit(&x, &img.row(r), 1, None)?.to_monomial();
        assert!((c[0] - slope[r]).abs() < 1e-10 && (c[1] - icpt[r]).abs() < 1e-8);
        let (s2, _) = linefit(&flat.row(r).insert_axis(ndarray::Axis(0)), 1)?;
        assert!(s2[0].abs() < 1e-12);
    }
    println!("checks against polyfit passed");
    Ok(())
}
