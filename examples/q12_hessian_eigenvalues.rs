//! Q12: the Hessian of every voxel of a 3-D image and its three eigenvalues per voxel.
//!
//! numpy: `g = np.gradient(v); H = [[np.gradient(gi, axis=j) for j ...] for gi in g]`, stack
//! to `(..., 3, 3)` and `np.linalg.eigvalsh` (LAPACK per voxel). ndkern: `hessian_eigvalsh`,
//! one fused pass (the same np.gradient-twice arithmetic row by row into small buffers, closed
//! form on four voxels per SIMD vector, exact decoupled/Jacobi paths where eigenvalues nearly
//! coincide): no Hessian plane and no (..., 3, 3) array. The check below builds the six
//! planes separately with `hessian`.
//!
//! Run: `cargo run --release --example q12_hessian_eigenvalues`

use ndarray::Array3;
use ndkern::linalg::{hessian, hessian_eigvalsh, EigOrder};

fn main() -> Result<(), ndkern::Error> {
    let n = 64;
    let v = Array3::from_shape_fn((n, n, n), |(i, j, k)| {
        let (x, y, z) = (i as f64 / 8.0, j as f64 / 9.0, k as f64 / 7.0);
        (x * y).sin() + (y - z).cos() * x + 0.1 * z * z * z
    });
    let t = std::time::Instant::now();
    let l = hessian_eigvalsh(&v, EigOrder::Ascending)?;
    println!(
        "{n}^3 Hessian + eigenvalues in {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    println!(
        "eigenvalues at the centre: {:.5} {:.5} {:.5}",
        l[0][[32, 32, 32]],
        l[1][[32, 32, 32]],
        l[2][[32, 32, 32]]
    );
    let h = hessian(&v)?;
    // Independent check: the eigenvalues' symmetric functions are the matrix invariants
    // (trace, sum of principal 2x2 minors, determinant), at every voxel.
    let mut worst = 0.0f64;
    for ((i, j), k) in (0..n)
        .flat_map(|i| (0..n).map(move |j| (i, j)))
        .flat_map(|ij| (0..n).map(move |k| (ij, k)))
    {
        let e = |p: usize| h[p][[i, j, k]];
        let (a, b, c, d, f, g) = (e(0), e(1), e(2), e(3), e(4), e(5)); // xx xy xz yy yz zz
        let (l1, l2, l3) = (l[0][[i, j, k]], l[1][[i, j, k]], l[2][[i, j, k]]);
        let s = l1.abs().max(l3.abs()).max(1e-300);
        let tr = a + d + g;
        let i2 = a * d - b * b + a * g - c * c + d * g - f * f;
        let det = a * (d * g - f * f) - b * (b * g - f * c) + c * (b * f - d * c);
        worst = worst
            .max((l1 + l2 + l3 - tr).abs() / s)
            .max((l1 * l2 + l1 * l3 + l2 * l3 - i2).abs() / (s * s))
            .max((l1 * l2 * l3 - det).abs() / (s * s * s));
        assert!(l1 <= l2 && l2 <= l3);
    }
    println!("max invariant mismatch (relative to max |lambda|^k): {worst:.1e}");
    assert!(worst < 1e-12);
    Ok(())
}
