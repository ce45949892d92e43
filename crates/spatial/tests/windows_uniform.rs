//! Box filters and window sums against the naive N-d oracle (reference_windows), Q18's exact
//! numbers, NaN locality (scipy issue 7818), long-line drift and bad input.

use ndarray::{array, Array1, Array2, ArrayD, Axis, IxDyn, Slice};
use ndkern_core::testing::{max_rel_err, Rng};
use ndkern_spatial::reference_windows as naive;
use ndkern_spatial::{
    uniform_filter, uniform_filter1d, window_sum, window_sum_into, BorderMode, WindowMode,
};

const MODES: [WindowMode; 7] = [
    WindowMode::Border(BorderMode::Constant(0.0)),
    WindowMode::Border(BorderMode::Constant(1.5)),
    WindowMode::Border(BorderMode::Nearest),
    WindowMode::Border(BorderMode::Reflect),
    WindowMode::Border(BorderMode::Mirror),
    WindowMode::Border(BorderMode::Wrap),
    WindowMode::Shrink,
];

/// Deterministic values uniform in [-1, 3).
fn data(shape: &[usize], seed: u64) -> ArrayD<f64> {
    let mut g = Rng::new(seed);
    ArrayD::from_shape_fn(IxDyn(shape), |_| g.uniform(-1.0, 3.0))
}

#[test]
fn q18_exact_example() {
    let a = array![
        [179., 97., 77., 118., 144., 105.],
        [68., 56., 184., 210., 141., 230.],
        [178., 166., 218., 47., 106., 172.],
        [38., 183., 50., 185., 48., 87.],
        [60., 200., 228., 232., 6., 190.],
        [253., 75., 231., 166., 117., 134.]
    ];
    let b = array![
        [116., 95., 94., 220., 80., 223.],
        [135., 9., 166., 78., 5., 129.],
        [102., 167., 120., 81., 141., 29.],
        [83., 117., 81., 129., 255., 48.],
        [130., 231., 165., 7., 187., 169.],
        [44., 137., 16., 50., 229., 202.]
    ];
    let expected = array![
        [8423., 11816., 10372., 41125., 35287., 31747.],
        [29370., 65887., 38811., 61252., 51033., 51845.],
        [24756., 60119., 109133., 35101., 70005., 18757.],
        [8641., 62463., 126935., 14530., 2255., -64752.],
        [36623., 110426., 163513., 33812., -50035., -146450.],
        [22268., 100132., 130190., 83010., -10163., -88994.]
    ];
    let d = &a * &a - &b * &b;
    let s = window_sum(&d, &[3], WindowMode::Shrink, &[0]).unwrap();
    assert_eq!(s, expected);
    let s32 = window_sum(&d.mapv(|v| v as f32), &[3], WindowMode::Shrink, &[0]).unwrap();
    assert_eq!(s32, expected.mapv(|v| v as f32));
}

#[test]
fn all_modes_sizes_origins_vs_naive() {
    let shapes: [&[usize]; 5] = [&[7], &[1], &[5, 6], &[3, 4, 5], &[2, 1, 3]];
    for (si, shape) in shapes.iter().enumerate() {
        let a = data(shape, si as u64);
        let nd = shape.len();
        for size in [1usize, 2, 3, 4, 9] {
            for origin in [-(size as isize / 2), 0, (size as isize - 1) / 2] {
                for mode in MODES {
                    let sizes = vec![size; nd];
                    let origins = vec![origin; nd];
                    for mean in [false, true] {
                        let exp = naive::box_filter(&a, &sizes, &origins, mode, mean);
                        let got = if mean {
                            uniform_filter(&a, &[size], mode, &[origin]).unwrap()
                        } else {
                            window_sum(&a, &[size], mode, &[origin]).unwrap()
                        };
                        let e = max_rel_err(&got, &exp);
                        assert!(
                            e < 1e-13,
                            "{shape:?} size {size} origin {origin} {mode:?} mean {mean}: {e}"
                        );
                        let a32 = a.mapv(|v| v as f32);
                        let got32 = if mean {
                            uniform_filter(&a32, &[size], mode, &[origin]).unwrap()
                        } else {
                            window_sum(&a32, &[size], mode, &[origin]).unwrap()
                        };
                        let exp32 =
                            naive::box_filter(&a32.mapv(f64::from), &sizes, &origins, mode, mean);
                        let e = max_rel_err(got32.mapv(f64::from), &exp32);
                        assert!(e < 1e-6, "f32 {shape:?} size {size} {mode:?}: {e}");
                    }
                }
            }
        }
    }
}

#[test]
fn per_axis_sizes_and_1d_filter() {
    let a = data(&[6, 5, 4], 9);
    for mode in MODES {
        let exp = naive::box_filter(&a, &[4, 1, 3], &[1, 0, -1], mode, true);
        let got = uniform_filter(&a, &[4, 1, 3], mode, &[1, 0, -1]).unwrap();
        assert!(max_rel_err(&got, &exp) < 1e-13, "{mode:?}");
        let exp = naive::box_filter(&a, &[1, 5, 1], &[0, -2, 0], mode, true);
        let got = uniform_filter1d(&a, 5, 1, mode, -2).unwrap();
        assert!(max_rel_err(&got, &exp) < 1e-13, "{mode:?}");
    }
}

#[test]
fn strided_and_negative_step_views() {
    let base = data(&[9, 8, 7], 3);
    let mut v = base.view();
    v.slice_axis_inplace(Axis(0), Slice::new(1, None, -2));
    v.slice_axis_inplace(Axis(2), Slice::new(0, None, 3));
    let v = v.permuted_axes(IxDyn(&[2, 0, 1]));
    let owned = v.to_owned();
    for mode in MODES {
        let exp = naive::box_filter(&owned, &[3, 2, 5], &[0, 0, 1], mode, true);
        let got = uniform_filter(&v, &[3, 2, 5], mode, &[0, 0, 1]).unwrap();
        assert!(max_rel_err(&got, &exp) < 1e-13, "{mode:?}");
    }
    // into a strided, permuted output
    let mut out = ArrayD::<f64>::zeros(IxDyn(&[6, 10, 8]));
    let a = data(&[8, 5, 3], 4);
    {
        let mut ov = out.view_mut();
        ov.slice_axis_inplace(Axis(0), Slice::new(0, None, 2));
        ov.slice_axis_inplace(Axis(1), Slice::new(0, Some(5), 1));
        let ov = ov.permuted_axes(IxDyn(&[2, 1, 0]));
        window_sum_into(&a, &[3], BorderMode::Wrap, &[0], ov).unwrap();
    }
    let exp = naive::box_filter(&a, &[3, 3, 3], &[0, 0, 0], BorderMode::Wrap.into(), false);
    let mut back = out.view();
    back.slice_axis_inplace(Axis(0), Slice::new(0, None, 2));
    back.slice_axis_inplace(Axis(1), Slice::new(0, Some(5), 1));
    let back = back.permuted_axes(IxDyn(&[2, 1, 0])).to_owned();
    assert!(max_rel_err(&back, &exp) < 1e-13);
}

#[test]
fn nan_stays_in_its_windows() {
    // scipy issue 7818: one NaN spread through the running sum to the end of the line.
    let mut a = Array1::from_shape_fn(40, |i| i as f64);
    a[5] = f64::NAN;
    let m = uniform_filter1d(&a, 3, 0, BorderMode::Reflect, 0).unwrap();
    for (i, v) in m.iter().enumerate() {
        assert_eq!(v.is_nan(), (4..=6).contains(&i), "index {i}: {v}");
    }
    assert_eq!(m[20], 20.0);
    let mut b = Array2::<f32>::ones((6, 50));
    b[[2, 3]] = f32::NAN;
    let m = uniform_filter(&b, &[3, 5], BorderMode::Nearest, &[0]).unwrap();
    for ((i, j), v) in m.indexed_iter() {
        assert_eq!(
            v.is_nan(),
            (1..=3).contains(&i) && (1..=5).contains(&j),
            "{i},{j}"
        );
    }
}

#[test]
fn long_f32_line_error_independent_of_length() {
    // 1e7 samples of a value with no short binary expansion: a naive f32 running sum drifts.
    let n = 10_000_000;
    let a = Array1::from_elem(n, 0.1f32);
    let m = uniform_filter1d(&a, 31, 0, BorderMode::Nearest, 0).unwrap();
    let worst = m
        .iter()
        .map(|&v| (v as f64 - 0.1f32 as f64).abs())
        .fold(0.0, f64::max);
    assert!(worst <= 0.1 * f32::EPSILON as f64, "max error {worst}");
}

#[test]
fn bad_input_is_an_error() {
    let a = data(&[4, 5], 1);
    let msg = |e: ndkern_spatial::Error| e.to_string();
    // scipy.ndimage.uniform_filter(a, 0) does no filtering (it skips axes of size <= 1);
    // uniform_filter1d (scipy raises) and window_sum refuse size 0.
    assert_eq!(
        uniform_filter(&a, &[0], BorderMode::Reflect, &[0]).unwrap(),
        a
    );
    assert!(msg(uniform_filter1d(&a, 0, 0, BorderMode::Reflect, 0).unwrap_err()).contains("size"));
    assert!(msg(window_sum(&a, &[0], BorderMode::Reflect, &[0]).unwrap_err()).contains("size"));
    assert!(
        msg(uniform_filter(&a, &[3, 3, 3], BorderMode::Reflect, &[0]).unwrap_err())
            .contains("one per axis")
    );
    assert!(
        msg(uniform_filter(&a, &[3], BorderMode::Reflect, &[2]).unwrap_err()).contains("origin")
    );
    assert!(uniform_filter(&a, &[4], BorderMode::Reflect, &[-3]).is_err());
    assert!(uniform_filter(&a, &[4], BorderMode::Reflect, &[-2]).is_ok());
    assert!(uniform_filter1d(&a, 3, 2, BorderMode::Reflect, 0).is_err());
    let mut out = ArrayD::<f64>::zeros(IxDyn(&[4, 4]));
    assert!(
        msg(window_sum_into(&a, &[3], BorderMode::Reflect, &[0], out.view_mut()).unwrap_err())
            .contains("shape")
    );
    let e = ArrayD::<f64>::zeros(IxDyn(&[0, 3]));
    assert_eq!(
        uniform_filter(&e, &[3], BorderMode::Wrap, &[0])
            .unwrap()
            .shape(),
        &[0, 3]
    );
}

#[test]
fn vertical_rows_agree_with_lanes_on_large_arrays() {
    // Large enough for the parallel vertical passes; a transposed output forces the lane path.
    let a = data(&[410, 330], 21);
    for mode in MODES {
        for mean in [false, true] {
            let fast = if mean {
                uniform_filter(&a, &[7, 4], mode, &[0, 1]).unwrap()
            } else {
                window_sum(&a, &[7, 4], mode, &[0, 1]).unwrap()
            };
            let mut t = ArrayD::<f64>::zeros(IxDyn(&[330, 410]));
            let tv = t.view_mut().reversed_axes();
            if mean {
                ndkern_spatial::uniform_filter_into(&a, &[7, 4], mode, &[0, 1], tv).unwrap();
            } else {
                window_sum_into(&a, &[7, 4], mode, &[0, 1], tv).unwrap();
            }
            let lanes = t.reversed_axes();
            let e = max_rel_err(&fast, &lanes);
            assert!(e < 1e-13, "{mode:?} {mean}: {e}");
        }
    }
    let g = ndkern_spatial::gaussian_filter(&a, &[2.0], &Default::default()).unwrap();
    let mut t = ArrayD::<f64>::zeros(IxDyn(&[330, 410]));
    ndkern_spatial::gaussian_filter_into(
        &a,
        &[2.0],
        &Default::default(),
        t.view_mut().reversed_axes(),
    )
    .unwrap();
    assert!(max_rel_err(&g, t.reversed_axes().iter()) < 1e-14);
}
