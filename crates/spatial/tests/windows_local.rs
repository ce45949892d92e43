//! Local mean/variance against the naive two-pass N-d oracle, stability on data offset by 1e6,
//! NaN locality and bad input.

use ndarray::{Array2, ArrayD, Axis, IxDyn, Slice};
use ndkern_core::testing::Rng;
use ndkern_spatial::reference_windows as naive;
use ndkern_spatial::{local_mean_var, local_std, BorderMode, WindowMode};

const MODES: [WindowMode; 7] = [
    WindowMode::Border(BorderMode::Constant(0.0)),
    WindowMode::Border(BorderMode::Constant(2.5)),
    WindowMode::Border(BorderMode::Nearest),
    WindowMode::Border(BorderMode::Reflect),
    WindowMode::Border(BorderMode::Mirror),
    WindowMode::Border(BorderMode::Wrap),
    WindowMode::Shrink,
];

fn data(shape: &[usize], seed: u64, offset: f64) -> ArrayD<f64> {
    let mut g = Rng::new(seed);
    ArrayD::from_shape_fn(IxDyn(shape), |_| offset + g.uniform(-2.0, 2.0))
}

fn max_abs(a: &ArrayD<f64>) -> f64 {
    a.iter().fold(0.0f64, |m, v| m.max(v.abs()))
}

fn err(a: &ArrayD<f64>, b: &ArrayD<f64>) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
        / max_abs(b).max(1e-300)
}

#[test]
fn mean_var_vs_two_pass_oracle() {
    let shapes: [&[usize]; 4] = [&[9], &[5, 7], &[3, 4, 5], &[1, 6]];
    for (si, shape) in shapes.iter().enumerate() {
        let a = data(shape, si as u64 + 1, 0.0);
        for size in [1usize, 2, 3, 5, 12] {
            for mode in MODES {
                let sizes = vec![size; shape.len()];
                let (em, ev) = naive::mean_var(&a, &sizes, mode);
                let (m, v) = local_mean_var(&a, &[size], mode).unwrap();
                assert!(err(&m, &em) < 1e-13, "{shape:?} {size} {mode:?} mean");
                assert!(
                    err(&v, &ev) < 1e-12,
                    "{shape:?} {size} {mode:?} var {}",
                    err(&v, &ev)
                );
                let a32 = a.mapv(|x| x as f32);
                let (em, ev) = naive::mean_var(&a32.mapv(f64::from), &sizes, mode);
                let (m, v) = local_mean_var(&a32, &[size], mode).unwrap();
                assert!(err(&m.mapv(f64::from), &em) < 1e-6, "{mode:?}");
                assert!(err(&v.mapv(f64::from), &ev) < 1e-6, "{mode:?}");
            }
        }
    }
}

#[test]
fn stable_on_data_offset_by_1e6() {
    // Noise of variance ~1.3 on top of 1e6: E[x^2] - E[x]^2 in f64 keeps ~6 digits, in f32 none.
    let a = data(&[40, 50], 7, 1e6);
    let (_, ev) = naive::mean_var(&a, &[15, 15], BorderMode::Reflect.into());
    let (_, v) = local_mean_var(&a, &[15], BorderMode::Reflect).unwrap();
    assert!(err(&v, &ev) < 1e-10, "f64 {}", err(&v, &ev));
    let a32 = a.mapv(|x| x as f32);
    let (_, ev) = naive::mean_var(&a32.mapv(f64::from), &[15, 15], BorderMode::Reflect.into());
    let (m, v) = local_mean_var(&a32, &[15], BorderMode::Reflect).unwrap();
    assert!(
        err(&v.mapv(f64::from), &ev) < 1e-5,
        "f32 {}",
        err(&v.mapv(f64::from), &ev)
    );
    assert!(m.iter().all(|&x| (x - 1e6).abs() < 2.0));
    let s = local_std(&a32, &[15], BorderMode::Reflect).unwrap();
    assert!(s.iter().all(|&x| x > 0.5 && x < 1.6));
}

#[test]
fn strided_views() {
    let base = data(&[10, 12], 3, 5.0);
    let mut v = base.view();
    v.slice_axis_inplace(Axis(1), Slice::new(0, None, -3));
    let v = v.reversed_axes();
    let owned = v.to_owned();
    let (em, ev) = naive::mean_var(&owned, &[3, 4], WindowMode::Shrink);
    let (m, var) = local_mean_var(&v, &[3, 4], WindowMode::Shrink).unwrap();
    assert!(err(&m, &em) < 1e-13 && err(&var, &ev) < 1e-12);
}

#[test]
fn nan_is_local() {
    let mut a = Array2::<f64>::from_shape_fn((8, 30), |(i, j)| (i * 31 + j) as f64);
    a[[3, 4]] = f64::NAN;
    let (m, v) = local_mean_var(&a, &[3, 5], BorderMode::Mirror).unwrap();
    for ((i, j), x) in m.indexed_iter() {
        let inside = (2..=4).contains(&i) && (2..=6).contains(&j);
        assert_eq!(x.is_nan(), inside, "{i} {j}");
        assert_eq!(v[[i, j]].is_nan(), inside, "{i} {j}");
    }
}

#[test]
fn bad_input() {
    let a = data(&[4, 5], 1, 0.0);
    assert!(local_mean_var(&a, &[0], BorderMode::Reflect).is_err());
    assert!(local_mean_var(&a, &[3, 3, 3], BorderMode::Reflect).is_err());
    let mut m = ArrayD::<f64>::zeros(IxDyn(&[4, 5]));
    let mut v = ArrayD::<f64>::zeros(IxDyn(&[5, 4]));
    assert!(ndkern_spatial::local_mean_var_into(
        &a,
        &[3],
        BorderMode::Reflect,
        m.view_mut(),
        v.view_mut()
    )
    .is_err());
}

/// The fused sweep (C-contiguous outputs) against the per-axis route (transposed outputs, itself
/// checked against the naive oracle above), on arrays large enough to run in parallel, with a
/// few NaNs (which must stay inside their windows on both routes) and long windows (running
/// sums re-anchored).
#[test]
fn fused_sweep_agrees_with_axis_route() {
    for (si, shape) in [&[260usize, 257][..], &[41, 40, 43]].iter().enumerate() {
        let mut a = data(shape, 7 + si as u64, 3.0);
        let n = a.len();
        for k in [n / 3, n / 2 + 17] {
            a.as_slice_mut().unwrap()[k] = f64::NAN;
        }
        for size in [3usize, 11] {
            for mode in [WindowMode::Border(BorderMode::Reflect), WindowMode::Shrink] {
                let (m, v) = local_mean_var(&a, &[size], mode).unwrap();
                let mut rev: Vec<usize> = shape.to_vec();
                rev.reverse();
                let mut mt = ArrayD::<f64>::zeros(IxDyn(&rev));
                let mut vt = ArrayD::<f64>::zeros(IxDyn(&rev));
                ndkern_spatial::local_mean_var_into(
                    &a,
                    &[size],
                    mode,
                    mt.view_mut().reversed_axes(),
                    vt.view_mut().reversed_axes(),
                )
                .unwrap();
                let (mt, vt) = (mt.reversed_axes(), vt.reversed_axes());
                for (got, want) in [(&m, &mt), (&v, &vt)] {
                    let scale = want
                        .iter()
                        .filter(|x| x.is_finite())
                        .fold(0.0f64, |s, x| s.max(x.abs()));
                    let nans = want.iter().filter(|x| x.is_nan()).count();
                    assert!(nans >= size, "{shape:?} {size}: the NaNs must show");
                    for (x, y) in got.iter().zip(want.iter()) {
                        assert_eq!(x.is_nan(), y.is_nan(), "{shape:?} {size} {mode:?}");
                        if y.is_finite() {
                            assert!(
                                (x - y).abs() <= 1e-12 * scale,
                                "{shape:?} {size} {mode:?} {x} {y}"
                            );
                        }
                    }
                }
            }
        }
    }
}
