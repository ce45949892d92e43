//! Q15: central differences `(a[i+1, j] - a[i-1, j]) / (2 dx)` on interior points with a zero
//! border, exactly (the user's convolution attempt gave large errors).
//!
//! numpy: `out[1:-1] = (a[2:] - a[:-2]) / (2 * dx)`. ndkern: `gradient(&a, &[Spacing::Uniform(dx)],
//! Some(&[0]), 1)` gives numpy.gradient's values, whose interior is that formula bit for bit;
//! zero the border rows for the question's convention.

use ndarray::{s, Array2};
use ndkern::spatial::{gradient, Spacing};

fn main() {
    let dx = 0.01;
    let a = Array2::from_shape_fn((200, 300), |(i, j)| {
        let (x, y) = (i as f64 * dx, j as f64 * 0.02);
        (3.0 * x).sin() * (2.0 * y).cos() + 1e3
    });
    let mut d = gradient(&a, &[Spacing::Uniform(dx)], Some(&[0]), 1)
        .expect("valid input")
        .remove(0);
    d.slice_mut(s![0, ..]).fill(0.0);
    d.slice_mut(s![-1, ..]).fill(0.0);
    // Independent check: the slicing formula, bit for bit.
    let slicing = (&a.slice(s![2.., ..]) - &a.slice(s![..-2, ..])) / (2.0 * dx);
    assert_eq!(d.slice(s![1..a.nrows() - 1, ..]), slicing);
    let exact = 3.0 * (3.0 * 1.0f64).cos() * (2.0 * 2.0f64).cos();
    println!(
        "d/dx at x=1.0, y=2.0: {:.9} (analytic {:.9})",
        d[[100, 100]],
        exact
    );
    assert!((d[[100, 100]] - exact).abs() < 1e-3);
}
