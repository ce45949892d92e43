//! Q11: the gradient of a 50^3 volume along x, y and z as one `(50, 50, 50, 3)` array.
//!
//! numpy: `np.stack(np.gradient(vol), axis=-1)`. ndkern: `gradient_stacked(&vol, &[], 1)`
//! (numpy.gradient semantics: central differences inside, one-sided at the edges).

use ndarray::Array3;
use ndkern::spatial::{gradient_stacked, Spacing};

fn main() {
    let n = 50;
    let vol = Array3::from_shape_fn((n, n, n), |(i, j, k)| {
        let (x, y, z) = (i as f64 * 0.1, j as f64 * 0.1, k as f64 * 0.1);
        (x * y).sin() + z * z
    });
    let g = gradient_stacked(&vol, &[Spacing::Uniform(0.1)], 1).expect("valid volume");
    println!("gradient shape: {:?}", g.shape());
    println!(
        "d/dx, d/dy, d/dz at (10, 20, 30): {:?}",
        g.slice(ndarray::s![10, 20, 30, ..])
    );
    assert_eq!(g.shape(), &[n, n, n, 3]);
    // Independent check: numpy's formulas written out for a few voxels.
    for &(i, j, k) in &[(10, 20, 30), (0, 5, 49), (49, 49, 0)] {
        let at = |p: [usize; 3]| vol[p];
        for ax in 0..3 {
            let mut lo = [i, j, k];
            let mut hi = [i, j, k];
            let c = [i, j, k][ax];
            let (num, den) = if c == 0 {
                hi[ax] += 1;
                (at(hi) - at(lo), 0.1)
            } else if c == n - 1 {
                lo[ax] -= 1;
                (at(hi) - at(lo), 0.1)
            } else {
                lo[ax] -= 1;
                hi[ax] += 1;
                (at(hi) - at(lo), 0.2)
            };
            assert_eq!(
                g[[i, j, k, ax]],
                num / den,
                "voxel {:?} axis {ax}",
                (i, j, k)
            );
        }
    }
    // Against the analytic derivative inside (second-order accurate).
    let (x, y, z) = (1.0f64, 2.0f64, 3.0f64);
    let exact = [y * (x * y).cos(), x * (x * y).cos(), 2.0 * z];
    for ax in 0..3 {
        assert!((g[[10, 20, 30, ax]] - exact[ax]).abs() < 0.05);
    }
}
