//! Layer 2: random shapes, steps, negative strides and permuted axes, both dtypes, against
//! per-lane naive oracles; plus every bad input the issue lists.

use ndarray::{ArrayD, ArrayViewD, Axis, IxDyn, Slice};
use ndkern_signal::reference as naive;
use ndkern_signal::*;
use proptest::prelude::*;

/// A random 1..=3-d array and a view of it with random steps, flips and axis order.
fn arb_view() -> impl Strategy<Value = (ArrayD<f64>, Vec<usize>, Vec<isize>, Vec<usize>)> {
    (1usize..=3)
        .prop_flat_map(|nd| {
            (
                proptest::collection::vec(1usize..=9, nd),
                proptest::collection::vec(
                    prop_oneof![Just(1isize), Just(2), Just(-1), Just(-2)],
                    nd,
                ),
                Just((0..nd).collect::<Vec<usize>>()).prop_shuffle(),
            )
        })
        .prop_flat_map(|(shape, steps, perm)| {
            let n: usize = shape.iter().product();
            (
                proptest::collection::vec(-10.0f64..10.0, n),
                Just(shape),
                Just(steps),
                Just(perm),
            )
        })
        .prop_map(|(data, shape, steps, perm)| {
            (
                ArrayD::from_shape_vec(IxDyn(&shape), data).unwrap(),
                shape,
                steps,
                perm,
            )
        })
}

fn view<'a>(a: &'a ArrayD<f64>, steps: &[isize], perm: &[usize]) -> ArrayViewD<'a, f64> {
    let mut v = a.view();
    for (ax, &st) in steps.iter().enumerate() {
        v.slice_axis_inplace(Axis(ax), Slice::new(0, None, st));
    }
    v.permuted_axes(perm.to_vec())
}

/// Applies `f` to every lane of `v` along `axis` and compares with `got`.
fn check_lanes(
    v: &ArrayViewD<f64>,
    got: &ArrayD<f64>,
    axis: usize,
    tol: f64,
    f: impl Fn(&[f64]) -> Vec<f64>,
) {
    for (lane, out) in v.lanes(Axis(axis)).into_iter().zip(got.lanes(Axis(axis))) {
        let want = f(&lane.to_vec());
        for (g, w) in out.iter().zip(&want) {
            assert!(
                (g.is_nan() && w.is_nan()) || (g - w).abs() <= tol * (1.0 + w.abs()),
                "{g} vs {w}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn detrend_any_layout((a, _s, steps, perm) in arb_view(), ax in 0usize..3) {
        let v = view(&a, &steps, &perm);
        let axis = ax % v.ndim();
        let got = detrend(&v, axis as isize, Trend::Linear, &[]).unwrap();
        check_lanes(&v, &got, axis, 1e-10, naive::detrend_linear);
        // f32 path: same within f32 rounding.
        let v32 = v.mapv(|x| x as f32);
        let g32 = detrend(&v32, axis as isize, Trend::Linear, &[]).unwrap();
        check_lanes(&v32.mapv(f64::from).view(), &g32.mapv(f64::from), axis, 1e-4, naive::detrend_linear);
    }

    #[test]
    fn rolling_any_layout((mut a, _s, steps, perm) in arb_view(), ax in 0usize..3, w in 1usize..5, center: bool, nan_at in 0usize..50) {
        if nan_at < a.len() {
            a.as_slice_mut().unwrap()[nan_at] = f64::NAN;
        }
        let v = view(&a, &steps, &perm);
        let axis = ax % v.ndim();
        let n = v.shape()[axis];
        let w = w.min(n);
        let opt = Rolling::new(w).center(center).min_periods(1);
        let got = rolling_var(&v, axis as isize, opt, 1).unwrap();
        check_lanes(&v, &got, axis, 1e-10, |x| naive::rolling(x, w, 1, center, "var", 1));
        let got = rolling_mean(&v, axis as isize, opt).unwrap();
        check_lanes(&v, &got, axis, 1e-12, |x| naive::rolling(x, w, 1, center, "mean", 1));
    }

    #[test]
    fn pearson_any_layout((a, _s, steps, perm) in arb_view(), ax in 0usize..3) {
        let v = view(&a, &steps, &perm);
        let axis = ax % v.ndim();
        let n = v.shape()[axis];
        prop_assume!(n >= 3);
        let y = ndarray::Array1::from_shape_fn(n, |i| ((i * 7) % 5) as f64 + 0.1 * i as f64);
        let got = pearson_r(&v, &y, axis as isize).unwrap();
        for (lane, r) in v.lanes(Axis(axis)).into_iter().zip(got.iter()) {
            let want = naive::pearson(&lane.to_vec(), y.as_slice().unwrap());
            prop_assert!((r - want).abs() < 1e-10, "{} vs {}", r, want);
        }
    }

    #[test]
    fn fftconvolve_any_layout((a, _s, steps, perm) in arb_view(), k in proptest::collection::vec(-1.0f64..1.0, 1..5)) {
        let v = view(&a, &steps, &perm);
        // Convolve along the last axis with a kernel broadcast to the other axes' lengths.
        let nd = v.ndim();
        let mut kshape = v.shape().to_vec();
        kshape[nd - 1] = k.len();
        let kern = ArrayD::from_shape_fn(IxDyn(&kshape), |i| k[i[nd - 1]]);
        let got = fftconvolve(&v, &kern, Mode::Full, Some(&[nd - 1])).unwrap();
        check_lanes(&v, &got.slice_axis(Axis(nd - 1), Slice::from(0..v.shape()[nd - 1])).to_owned(), nd - 1, 1e-12, |x| {
            naive::convolve_full(x, &k)[..x.len()].to_vec()
        });
    }
}

#[test]
fn bad_inputs_are_errors_with_messages() {
    use ndarray::{array, Array1, Array2};
    let x = array![1.0f64, 2.0, 3.0];
    let empty = Array1::<f64>::zeros(0);
    let msg = |e: Error| e.to_string();
    // Rolling: window 0, window longer than the axis, min_periods > window, bad axis.
    assert!(msg(rolling_mean(&x, 0, Rolling::new(0)).unwrap_err()).contains("at least 1"));
    assert!(msg(rolling_mean(&x, 0, Rolling::new(4)).unwrap_err()).contains("longer than the axis"));
    assert!(
        msg(rolling_sum(&x, 0, Rolling::new(2).min_periods(3)).unwrap_err())
            .contains("min_periods 3 must be <= window 2")
    );
    assert!(rolling_std(&x, 1, Rolling::new(2), 1).is_err());
    assert!(rolling_mean(&empty, 0, Rolling::new(1)).is_err());
    // All-NaN series: documented NaN results, not errors.
    let nan = Array1::from_elem(5, f64::NAN);
    assert!(rolling_mean(&nan, 0, Rolling::new(2).min_periods(1))
        .unwrap()
        .iter()
        .all(|v| v.is_nan()));
    assert!(rolling_sum(&nan, 0, Rolling::new(2).min_periods(0))
        .unwrap()
        .iter()
        .all(|&v| v == 0.0));
    assert!(pearson_r(&nan, &array![1.0, 2.0, 3.0, 4.0, 5.0], 0).unwrap()[[]].is_nan());
    // Detrend: empty axis, breakpoint beyond the axis.
    assert!(msg(detrend(&empty, 0, Trend::Linear, &[]).unwrap_err()).contains("empty"));
    assert!(
        msg(detrend(&x, 0, Trend::Linear, &[7]).unwrap_err()).contains("beyond the axis length")
    );
    assert!(Trend::parse("quadratic").is_err());
    // Pearson: length mismatch, too short.
    assert!(matches!(
        pearson_r(&x, &array![1.0, 2.0], 0).unwrap_err(),
        Error::ShapeMismatch { .. }
    ));
    assert!(pearson_r(&array![1.0f64], &array![1.0], 0).is_err());
    // Convolution: empty, mismatched dimensionality, non-convolved axes differ, valid with neither larger.
    // scipy: fftconvolve of an empty input is an empty array; convolve/correlate raise.
    assert_eq!(
        fftconvolve(&x, &empty, Mode::Full, None).unwrap().shape(),
        &[0]
    );
    assert!(
        msg(convolve(&x, &empty, Mode::Full, Method::Auto, None).unwrap_err()).contains("empty")
    );
    let a2 = Array2::<f64>::zeros((3, 4));
    let b2 = Array2::<f64>::zeros((2, 5));
    assert!(
        msg(fftconvolve(&a2, &b2, Mode::Valid, None).unwrap_err()).contains("at least as large")
    );
    assert!(matches!(
        fftconvolve(&a2, &b2, Mode::Full, Some(&[1])).unwrap_err(),
        Error::ShapeMismatch { .. }
    ));
    assert!(fftconvolve(&a2, &b2, Mode::Full, Some(&[2])).is_err());
    assert!(Mode::parse("circular").is_err() && Method::parse("fast").is_err());
    // Registration: mismatched shapes, upsample_factor 0, empty.
    assert!(matches!(
        cross_correlate_circular(&a2, &b2).unwrap_err(),
        Error::ShapeMismatch { .. }
    ));
    assert!(matches!(
        phase_cross_correlation(&a2, &b2, 1, Normalization::Phase).unwrap_err(),
        Error::ShapeMismatch { .. }
    ));
    assert!(
        msg(phase_cross_correlation(&a2, &a2, 0, Normalization::Phase).unwrap_err())
            .contains("upsample_factor")
    );
    assert!(phase_cross_correlation(&empty, &empty, 1, Normalization::None).is_err());
    // KDE: bandwidth <= 0 or NaN, too few samples, NaN data, zero variance, bad weights, bounds.
    let d = array![0.5f64, 1.0, 2.0, 4.0];
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(
            msg(GaussianKde::new_1d(&d, Bandwidth::Factor(bad), None).unwrap_err())
                .contains("positive")
        );
    }
    assert!(GaussianKde::new_1d(&array![1.0f64], Bandwidth::Scott, None).is_err());
    assert!(GaussianKde::new_1d(&empty, Bandwidth::Scott, None).is_err());
    assert!(GaussianKde::new_1d(&array![1.0f64, f64::NAN, 2.0], Bandwidth::Scott, None).is_err());
    assert!(msg(
        GaussianKde::new_1d(&array![2.0f64, 2.0, 2.0], Bandwidth::Scott, None).unwrap_err()
    )
    .contains("singular"));
    assert!(GaussianKde::new_1d(&d, Bandwidth::Scott, Some(&[1.0, 2.0])).is_err());
    assert!(GaussianKde::new_1d(&d, Bandwidth::Scott, Some(&[1.0, -2.0, 1.0, 1.0])).is_err());
    assert!(GaussianKde::new_1d(&d, Bandwidth::Scott, Some(&[0.0; 4])).is_err());
    let kde = GaussianKde::new_1d(&d, Bandwidth::Scott, None).unwrap();
    assert!(kde.clone().with_bounds(1.0, f64::INFINITY).is_err()); // samples below 1
    assert!(kde.clone().with_bounds(3.0, 1.0).is_err());
    assert!(kde.evaluate_binned_1d(0.0, 1.0, 1).is_err());
    assert!(kde.evaluate(&Array2::<f64>::zeros((2, 3))).is_err());
    assert!(GaussianKde::new(&Array2::<f64>::zeros((3, 10)), Bandwidth::Scott, None).is_err());
    // FFT helpers.
    assert!(rfftn(&x, &[]).is_err() && rfftn(&x, &[1]).is_err() && rfftn(&a2, &[0, 0]).is_err());
    let s = rfftn(&x, &[0]).unwrap();
    assert!(msg(irfftn(&s, &[0], 7).unwrap_err()).contains("real length"));
    assert!(radial_power_spectrum(&Array2::<f64>::zeros((0, 4))).is_err());
}
