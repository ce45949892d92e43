//! The fused separable engine (C-contiguous outputs) against the line-buffer route (transposed
//! outputs, itself checked against naive oracles in the other tests): widths that leave partial
//! column blocks and partial SIMD vectors, 2-D and 3-D, direct box sums, running box sums,
//! FIR taps, every border mode, f32 and f64, with NaNs that must stay inside their windows.

use ndarray::{ArrayD, IxDyn};
use ndkern_core::testing::Rng;
use ndkern_spatial::{
    correlate1d, gaussian_filter, uniform_filter, window_sum, BorderMode, GaussianOptions,
    WindowMode,
};

fn data(shape: &[usize], seed: u64) -> ArrayD<f64> {
    let mut g = Rng::new(seed);
    ArrayD::from_shape_fn(IxDyn(shape), |_| g.uniform(-1.0, 3.0))
}

/// Runs `f` into a C-contiguous output and into a transposed one; both must agree.
fn check<T: ndkern_core::Element>(
    a: &ArrayD<T>,
    what: &str,
    tol: f64,
    f: impl Fn(&ArrayD<T>, ndarray::ArrayViewMutD<'_, T>),
) {
    let mut fast = ArrayD::<T>::zeros(a.raw_dim());
    f(a, fast.view_mut());
    let mut rev = a.shape().to_vec();
    rev.reverse();
    let mut t = ArrayD::<T>::zeros(IxDyn(&rev));
    f(a, t.view_mut().reversed_axes());
    let t = t.reversed_axes();
    let scale = t
        .iter()
        .filter(|v| v.is_finite())
        .fold(0.0f64, |m, v| m.max(v.as_f64().abs()));
    for (x, y) in fast.iter().zip(t.iter()) {
        assert_eq!(x.is_nan(), y.is_nan(), "{what} {:?}", a.shape());
        if y.is_finite() {
            let d = (x.as_f64() - y.as_f64()).abs();
            assert!(d <= tol * scale, "{what} {:?}: {x} vs {y}", a.shape());
        }
    }
}

const MODES: [BorderMode; 5] = [
    BorderMode::Constant(0.5),
    BorderMode::Nearest,
    BorderMode::Reflect,
    BorderMode::Mirror,
    BorderMode::Wrap,
];

fn run_all<T: ndkern_core::Element>(tol: f64) {
    for shape in [&[37usize, 300][..], &[9, 11, 701], &[300, 5]] {
        let mut a64 = data(shape, shape.len() as u64);
        let n = a64.len();
        a64.as_slice_mut().unwrap()[n / 2] = f64::NAN;
        let a: ArrayD<T> = a64.mapv(T::of_f64);
        for mode in MODES {
            for size in [3usize, 4, 13] {
                check(&a, &format!("uniform {size} {mode:?}"), tol, |x, o| {
                    ndkern_spatial::uniform_filter_into(x, &[size], mode, &[0], o).unwrap()
                });
            }
            check(&a, "window_sum shrink", tol, |x, o| {
                ndkern_spatial::window_sum_into(x, &[12], WindowMode::Shrink, &[0], o).unwrap()
            });
            let g = GaussianOptions {
                mode,
                ..Default::default()
            };
            check(&a, &format!("gaussian {mode:?}"), tol, |x, o| {
                ndkern_spatial::gaussian_filter_into(x, &[1.5], &g, o).unwrap()
            });
            check(&a, &format!("correlate1d axis 0 {mode:?}"), tol, |x, o| {
                ndkern_spatial::correlate1d_into(x, &[1.0, -2.0, 0.5, 3.0], 0, mode, 1, o).unwrap()
            });
        }
    }
    // The allocating forms take the fused route too.
    let a: ArrayD<T> = data(&[20, 30], 5).mapv(T::of_f64);
    let _ = uniform_filter(&a, &[3], BorderMode::Reflect, &[0]).unwrap();
    let _ = window_sum(&a, &[3], WindowMode::Shrink, &[0]).unwrap();
    let _ = gaussian_filter(&a, &[2.0], &GaussianOptions::default()).unwrap();
    let _ = correlate1d(&a, &[1.0, 2.0], 1, BorderMode::Wrap, 0).unwrap();
}

#[test]
fn fused_route_agrees_with_line_route_f64() {
    run_all::<f64>(1e-13);
}

#[test]
fn fused_route_agrees_with_line_route_f32() {
    run_all::<f32>(1e-5);
}

/// Outputs of at least `STREAM_MIN_BYTES` that are already mapped (a reused `_into` output)
/// are written with streaming stores; a fresh one is not. Both must give the same values, and
/// the same as a small output (ordinary stores) holding the same rows.
#[test]
fn streamed_outputs_equal_ordinary_ones() {
    use ndkern_spatial::uniform_filter_into;
    let min = ndkern_core::STREAM_MIN_BYTES;
    // 2-D f64 (innermost row kernel) and 3-D f32 (the ring route of engine/ring.rs).
    let n2 = ((min / 8) as f64).sqrt() as usize + 2;
    let n3 = ((min / 4) as f64).cbrt() as usize + 2;
    for (shape, size) in [
        (vec![n2, n2], 3usize),
        (vec![n2, n2], 31),
        (vec![n3, n3, n3], 3),
    ] {
        let a = data(&shape, 11);
        let check = |fresh: &ArrayD<f64>, reused: &ArrayD<f64>| {
            assert!(
                fresh.iter().zip(reused).all(|(x, y)| x == y),
                "{shape:?} {size}"
            );
        };
        if shape.len() == 2 {
            let fresh = uniform_filter(&a, &[size], BorderMode::Reflect, &[0]).unwrap();
            let mut out = ArrayD::from_elem(IxDyn(&shape), 7.0);
            assert!(ndkern_core::stream_worth(out.as_slice().unwrap()));
            uniform_filter_into(&a, &[size], BorderMode::Reflect, &[0], out.view_mut()).unwrap();
            check(&fresh, &out);
            // The first rows alone (a small output): the same values.
            let top = a.slice_axis(ndarray::Axis(0), ndarray::Slice::from(..size + 5));
            let small = uniform_filter(&top.to_owned(), &[size], BorderMode::Reflect, &[0]);
            let small = small.unwrap();
            let head = out.slice_axis(ndarray::Axis(0), ndarray::Slice::from(..3));
            let want = small.slice_axis(ndarray::Axis(0), ndarray::Slice::from(..3));
            assert!(head.iter().zip(want).all(|(x, y)| x == y));
        } else {
            let a = a.mapv(|v| v as f32);
            let fresh = uniform_filter(&a, &[size], BorderMode::Reflect, &[0]).unwrap();
            let mut out = ArrayD::from_elem(IxDyn(&shape), 7.0f32);
            assert!(ndkern_core::stream_worth(out.as_slice().unwrap()));
            uniform_filter_into(&a, &[size], BorderMode::Reflect, &[0], out.view_mut()).unwrap();
            check(&fresh.mapv(f64::from), &out.mapv(f64::from));
        }
    }
}
