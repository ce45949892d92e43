//! Binned KDE evaluation against the exact sum ([`GaussianKde::evaluate`], itself tested
//! against the naive formula and scipy in `kernels.rs` / `hostile.rs`), at the error bounds
//! the docs state: cubic binning's `0.0703 (delta / std)^4` of a kernel's peak per unit of
//! weight, with spacing at most `std / 16` in 1-D (`1.1e-6`) and `std / 10` (conditional)
//! per axis in 2-D (`2e-5`, 1.25 for the other axis' stencil: `< 2.6e-5`), over grids that
//! take the output grid itself (`r = 1`), refine it (`r > 1`), and cut a window out of the
//! data (dropped samples, circular wrap-around), with uniform, given and reflected weights.

use ndarray::{Array1, Array2};
use ndkern_core::testing::Rng;
use ndkern_signal::{Bandwidth, GaussianKde};

/// Max absolute difference.
fn max_abs(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()))
}

fn linspace(lo: f64, hi: f64, m: usize) -> Vec<f64> {
    (0..m)
        .map(|i| lo + i as f64 * (hi - lo) / (m - 1) as f64)
        .collect()
}

/// The 1-D binned density against the exact one on `linspace(lo, hi, m)`: max error over the
/// kernel's peak value `1 / (std sqrt(2 pi))` times `mass` (the total weight, 1 or more
/// with reflections).
fn err_1d(kde: &GaussianKde, (lo, hi, m): (f64, f64, usize), mass: f64) -> f64 {
    let fast = kde.evaluate_binned_1d(lo, hi, m).unwrap();
    let exact = kde.evaluate_1d(&linspace(lo, hi, m)).unwrap();
    let std = kde.covariance()[[0, 0]].sqrt();
    let peak = 1.0 / (std * (2.0 * std::f64::consts::PI).sqrt());
    max_abs(fast.as_slice().unwrap(), exact.as_slice().unwrap()) / (peak * mass)
}

/// The bench row's data (`benches/common` `value(i)`): a golden-ratio sequence in [1, 2).
fn suite_data(n: usize) -> Array1<f64> {
    Array1::from_shape_fn(n, |i| {
        1.0 + ((i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11) as f64
            * (1.0 / (1u64 << 53) as f64)
    })
}

#[test]
fn binned_1d_within_the_stated_bound_on_every_grid_kind() {
    let mut rng = Rng::new(16);
    // Two clusters of different widths: the density has both sharp and flat parts.
    let x = Array1::from_shape_fn(3000, |i| {
        if i % 3 == 0 {
            4.0 + 0.3 * rng.normal()
        } else {
            rng.normal()
        }
    });
    let kde = GaussianKde::new_1d(&x, Bandwidth::Scott, None).unwrap();
    let std = kde.covariance()[[0, 0]].sqrt();
    let grids = [
        (-4.0, 7.0, 4001),               // output step std / 50: r = 1
        (-4.0, 7.0, 41),                 // step ~ 1.1 std: r > 1
        (-4.0, 7.0, 2),                  // two points, r large
        (0.5, 1.5, 333),                 // a window: far samples dropped, wrap-around
        (-2.0 * std, 2.0 * std, 20_001), // very fine: padding of many output steps
    ];
    for g in grids {
        let e = err_1d(&kde, g, 1.0);
        assert!(e < 1.1e-6, "grid {g:?}: error {e:.3e} of the kernel peak");
    }
}

#[test]
fn binned_1d_weighted_and_reflected_within_the_bound() {
    let mut rng = Rng::new(7);
    let x: Array1<f64> = Array1::from_shape_fn(2000, |_| -rng.unit().max(1e-12).ln());
    let w: Vec<f64> = (0..2000).map(|i| 1.0 + (i % 7) as f64).collect();
    let weighted = GaussianKde::new_1d(&x, Bandwidth::Silverman, Some(&w)).unwrap();
    for g in [(0.0, 5.0, 501), (0.0, 5.0, 23), (-1.0, 9.0, 1000)] {
        let e = err_1d(&weighted, g, 1.0);
        assert!(e < 1.1e-6, "weighted, grid {g:?}: {e:.3e}");
    }
    // Reflected at 0 (and at 0 and 12): the mirrored samples add their weight again.
    for (hi, mass) in [(f64::INFINITY, 2.0), (12.0, 3.0)] {
        let refl = weighted.clone().with_bounds(0.0, hi).unwrap();
        for g in [(0.0, 5.0, 501), (-1.0, 6.0, 57)] {
            let e = err_1d(&refl, g, mass);
            assert!(e < 1.1e-6, "reflected [0, {hi}], grid {g:?}: {e:.3e}");
        }
        // Zero outside the bounds, as the exact path.
        let below = refl.evaluate_binned_1d(-1.0, -0.5, 5).unwrap();
        assert!(below.iter().all(|&v| v == 0.0));
    }
}

/// The bench row itself (`gaussian_kde_binned`: 1e5 samples, 2048 points on [1, 2], the
/// output grid at std / 59 so binned onto it directly) — the module docs quote `< 1e-8` of
/// the density's peak, against KDEpy's `6e-6` (linear binning on the same grid). Enough
/// samples for the parallel binning tasks.
#[test]
fn binned_1d_bench_row_error_below_1e8_of_the_peak() {
    let x = suite_data(100_000);
    let kde = GaussianKde::new_1d(&x, Bandwidth::Scott, None).unwrap();
    let fast = kde.evaluate_binned_1d(1.0, 2.0, 2048).unwrap();
    // Every 8th point exactly (the exact sum over 1e5 samples is slow in debug builds).
    let idx: Vec<usize> = (0..2048).step_by(8).chain([2047]).collect();
    let pts: Vec<f64> = idx.iter().map(|&i| 1.0 + i as f64 / 2047.0).collect();
    let exact = kde.evaluate_1d(&pts).unwrap();
    let peak = exact.iter().cloned().fold(0.0, f64::max);
    let got: Vec<f64> = idx.iter().map(|&i| fast[i]).collect();
    let e = max_abs(&got, exact.as_slice().unwrap()) / peak;
    assert!(e < 1e-8, "bench row error {e:.3e} of the peak");
}

#[test]
fn uniform_weights_equal_explicit_equal_weights() {
    let mut rng = Rng::new(3);
    let x = Array1::from(rng.vec(500, -2.0, 3.0));
    let a = GaussianKde::new_1d(&x, Bandwidth::Scott, None).unwrap();
    let b = GaussianKde::new_1d(&x, Bandwidth::Scott, Some(&[0.25; 500])).unwrap();
    assert!((a.factor() - b.factor()).abs() < 1e-15 * a.factor());
    let (fa, fb) = (
        a.evaluate_binned_1d(-3.0, 4.0, 300).unwrap(),
        b.evaluate_binned_1d(-3.0, 4.0, 300).unwrap(),
    );
    let scale = fa.iter().cloned().fold(0.0, f64::max);
    assert!(max_abs(fa.as_slice().unwrap(), fb.as_slice().unwrap()) < 1e-14 * scale);
    let p = [-1.0, 0.3, 2.9];
    let (ea, eb) = (a.evaluate_1d(&p).unwrap(), b.evaluate_1d(&p).unwrap());
    assert!(max_abs(ea.as_slice().unwrap(), eb.as_slice().unwrap()) < 1e-14 * scale);
    let (ia, ib) = (a.integrate_box_1d(-1.0, 1.0), b.integrate_box_1d(-1.0, 1.0));
    assert!((ia - ib).abs() < 1e-14);
}

/// Setting bounds again replaces them (the reflections are rebuilt from the samples, not
/// from the previous reflections): equal to setting the second bounds directly.
#[test]
fn with_bounds_twice_equals_the_last_bounds() {
    let mut rng = Rng::new(11);
    let x = Array1::from(rng.vec(400, 0.0, 2.0));
    let kde = GaussianKde::new_1d(&x, Bandwidth::Scott, None).unwrap();
    let twice = kde
        .clone()
        .with_bounds(0.0, 2.0)
        .unwrap()
        .with_bounds(-0.5, f64::INFINITY)
        .unwrap();
    let once = kde.with_bounds(-0.5, f64::INFINITY).unwrap();
    let p = linspace(-0.6, 2.5, 40);
    let (a, b) = (
        twice.evaluate_1d(&p).unwrap(),
        once.evaluate_1d(&p).unwrap(),
    );
    assert!(max_abs(a.as_slice().unwrap(), b.as_slice().unwrap()) < 1e-14);
    assert!((twice.integrate_box_1d(-0.5, 1e3) - 1.0).abs() < 1e-12);
}

/// 2-D binned against exact, relative to the kernel's peak `1 / (2 pi sqrt(det C))`:
/// correlated data, weights, and grids with `r = 1` (output step below std / 10) and `r > 1`.
#[test]
fn binned_2d_within_the_stated_bound() {
    let mut rng = Rng::new(5);
    let n = 1500;
    let u: Vec<f64> = (0..2 * n).map(|_| rng.normal()).collect();
    let data = Array2::from_shape_fn((2, n), |(k, i)| {
        if k == 0 {
            u[i]
        } else {
            -0.7 * u[i] + 0.5 * u[n + i] + 2.0
        }
    });
    let w: Vec<f64> = (0..n).map(|i| 0.5 + (i % 5) as f64).collect();
    for weights in [None, Some(w.as_slice())] {
        let kde = GaussianKde::new(&data, Bandwidth::Scott, weights).unwrap();
        let c = kde.covariance();
        let det = c[[0, 0]] * c[[1, 1]] - c[[0, 1]] * c[[1, 0]];
        let peak = 1.0 / (2.0 * std::f64::consts::PI * det.sqrt());
        for (lo, hi, m) in [
            ([-3.0, 0.0], [3.0, 4.0], [301usize, 211]), // fine: r = 1 on both axes
            ([-3.0, 0.0], [3.0, 4.0], [25usize, 18]),   // coarse: r > 1
            ([-0.5, 1.5], [0.5, 2.5], [40usize, 9]),    // a window, mixed r
        ] {
            let fast = kde.evaluate_binned_2d(lo, hi, m).unwrap();
            let (x0, x1) = (linspace(lo[0], hi[0], m[0]), linspace(lo[1], hi[1], m[1]));
            let pts = Array2::from_shape_fn((2, m[0] * m[1]), |(k, j)| {
                if k == 0 {
                    x0[j / m[1]]
                } else {
                    x1[j % m[1]]
                }
            });
            let exact = kde.evaluate(&pts).unwrap();
            let e = max_abs(fast.as_slice().unwrap(), exact.as_slice().unwrap()) / peak;
            assert!(
                e < 2.6e-5,
                "weights {}, grid {m:?}: {e:.3e}",
                weights.is_some()
            );
        }
    }
}

#[test]
fn binned_grids_too_large_are_errors() {
    let kde = GaussianKde::new_1d(&suite_data(100), Bandwidth::Scott, None).unwrap();
    // A step of 1e300 kernel widths, and an output longer than memory.
    assert!(kde.evaluate_binned_1d(0.0, 1e300, 2).is_err());
    assert!(kde.evaluate_binned_1d(0.0, 1.0, usize::MAX).is_err());
    let d = Array2::from_shape_fn((2, 50), |(k, i)| ((i * (3 + k)) % 11) as f64);
    let k2 = GaussianKde::new(&d, Bandwidth::Scott, None).unwrap();
    assert!(k2
        .evaluate_binned_2d([0.0, 0.0], [1e300, 1.0], [2, 2])
        .is_err());
    assert!(k2
        .evaluate_binned_2d([0.0, 0.0], [1.0, 1.0], [1 << 40, 1 << 40])
        .is_err());
}
