//! Q21: the polynomial of degree 29 through 30 points x = 0..29; numpy.polyfit misses the
//! points by tens to thousands. Evaluate the exact interpolant at the nodes and between them.
//!
//! ndkern: `interpolate(&x, &y)` (barycentric form on a mapped domain: no coefficients, exact
//! at the nodes) and, for a least-squares fit in a stable basis, `polyfit` (Chebyshev/QR).
//!
//! Run: `cargo run --release --example q21_exact_interpolant`

use ndarray::Array1;
use ndkern::linalg::{interpolate, polyfit};

fn main() -> Result<(), ndkern::Error> {
    let y = [
        126, 34, 78, 120, 83, 62, 104, 6, 70, 142, 147, 63, 35, 126, 9, 84, 7, 122, 93, 29, 95,
        141, 42, 102, 38, 96, 130, 83, 138, 148,
    ];
    let x = Array1::from_iter((0..30).map(f64::from));
    let yv = Array1::from_iter(y.iter().map(|&v| f64::from(v)));
    let p = interpolate(&x, &yv)?;
    let at_nodes = p.eval_array(&x)?;
    let worst = at_nodes
        .iter()
        .zip(&yv)
        .fold(0.0f64, |m, (a, b)| m.max((a - b).abs() / b));
    println!("interpolant at the nodes: max relative error {worst:.1e}");
    assert!(worst <= 1e-9);
    for t in [0.5, 14.5, 28.5] {
        println!("p({t}) = {:.6e}", p.eval(t));
    }
    // Chebyshev least squares of full degree also goes through the points (to ~1e-7).
    let c = polyfit(&x, &yv, 29, None)?;
    let cw = x
        .iter()
        .zip(&yv)
        .fold(0.0f64, |m, (t, v)| m.max((c.eval(*t) - v).abs() / v));
    println!("Chebyshev fit of degree 29 at the nodes: max relative error {cw:.1e}");
    // Independent check between the nodes: exact rational arithmetic (Lagrange form with
    // i128 numerators) at t = 0.5 (x2: nodes 2 t = 1 and 2 x_j are integers).
    let t2: i128 = 1; // 2 t
    let mut num = 0.0f64;
    for j in 0..30i128 {
        // l_j(t) = prod_{k != j} (2t - 2k) / (2j - 2k), as an exact fraction of i128s would
        // overflow; use f64 products of exactly representable integers (error ~1e-15).
        let mut l = 1.0f64;
        for k in 0..30i128 {
            if k != j {
                l *= (t2 - 2 * k) as f64 / (2 * j - 2 * k) as f64;
            }
        }
        num += l * f64::from(y[j as usize]);
    }
    let rel = (p.eval(0.5) - num).abs() / num.abs();
    println!("p(0.5) vs the Lagrange sum: relative difference {rel:.1e}");
    assert!(rel < 1e-9);
    Ok(())
}
