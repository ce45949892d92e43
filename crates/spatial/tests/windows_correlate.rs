//! Correlation/convolution against the naive N-d oracle: every mode, 1-3 dims, odd and even
//! kernels, kernels longer than the input, origins, dense and separable kernels, strided
//! views, f32 and f64; NaN locality; bad input.

use ndarray::{array, Array1, ArrayD, Axis, IxDyn, Slice};
use ndkern_core::testing::{max_rel_err, Rng};
use ndkern_spatial::reference_windows as naive;
use ndkern_spatial::{
    ball_kernel, convolve, convolve1d, correlate, correlate1d, correlate_into, BorderMode,
};

const MODES: [BorderMode; 6] = [
    BorderMode::Constant(0.0),
    BorderMode::Constant(-1.25),
    BorderMode::Nearest,
    BorderMode::Reflect,
    BorderMode::Mirror,
    BorderMode::Wrap,
];

fn data(shape: &[usize], seed: u64) -> ArrayD<f64> {
    let mut g = Rng::new(seed);
    ArrayD::from_shape_fn(IxDyn(shape), |_| g.uniform(-2.0, 2.0))
}

fn outer(fs: &[&[f64]]) -> ArrayD<f64> {
    let shape: Vec<usize> = fs.iter().map(|f| f.len()).collect();
    ArrayD::from_shape_fn(IxDyn(&shape), |idx| {
        (0..fs.len()).map(|ax| fs[ax][idx[ax]]).product()
    })
}

#[test]
fn correlate1d_all_modes_vs_naive() {
    for (si, shape) in [&[7usize][..], &[1], &[4, 5], &[3, 2, 4]]
        .iter()
        .enumerate()
    {
        let a = data(shape, si as u64 + 10);
        for len in [1usize, 2, 3, 4, 11] {
            let w1 = data(&[len], len as u64);
            let wv: Vec<f64> = w1.iter().copied().collect();
            for axis in 0..shape.len() {
                for origin in [-(len as isize / 2), 0, (len as isize - 1) / 2] {
                    for mode in MODES {
                        let mut kshape = vec![1; shape.len()];
                        kshape[axis] = len;
                        let k = w1.clone().into_shape_with_order(IxDyn(&kshape)).unwrap();
                        let mut origins = vec![0; shape.len()];
                        origins[axis] = origin;
                        let exp = naive::correlate(&a, &k, mode, &origins);
                        let got = correlate1d(&a, &wv, axis, mode, origin).unwrap();
                        assert!(
                            max_rel_err(&got, &exp) < 1e-14,
                            "{shape:?} len {len} axis {axis} origin {origin} {mode:?} {got} {exp}"
                        );
                        let a32 = a.mapv(|v| v as f32);
                        let exp32 = naive::correlate(&a32.mapv(f64::from), &k, mode, &origins);
                        let got32 = correlate1d(&a32, &wv, axis, mode, origin).unwrap();
                        assert!(max_rel_err(got32.mapv(f64::from), &exp32) < 1e-5);
                    }
                }
            }
        }
    }
}

#[test]
fn correlate_nd_dense_and_separable_vs_naive() {
    let cases: Vec<(Vec<usize>, ArrayD<f64>)> = vec![
        (vec![6, 7], data(&[3, 3], 1)),
        (vec![5, 4], data(&[2, 4], 2)),
        (vec![3, 4], data(&[5, 6], 3)), // longer than the input
        (vec![4, 5, 6], data(&[3, 2, 3], 4)),
        (vec![9], data(&[4], 5)),
        (vec![6, 7], outer(&[&[1.0, 2.0, 1.0], &[-1.0, 0.0, 1.0]])), // separable (Sobel)
        (
            vec![4, 5, 3],
            outer(&[&[0.5, 0.25], &[1.0, 3.0, -2.0], &[2.0]]),
        ),
        (vec![3, 3], outer(&[&[0.1; 7], &[0.3; 8]])), // separable, longer than input
    ];
    for (ci, (shape, k)) in cases.iter().enumerate() {
        let a = data(shape, 100 + ci as u64);
        let nd = shape.len();
        for mode in MODES {
            for origin in [0isize, -1] {
                let origins = vec![origin; nd];
                if k.shape().iter().any(|&l| (l / 2) as isize + origin < 0) {
                    continue;
                }
                let exp = naive::correlate(&a, k, mode, &origins);
                let got = correlate(&a, k, mode, &[origin]).unwrap();
                let e = max_rel_err(&got, &exp);
                assert!(e < 1e-14, "case {ci} {mode:?} origin {origin}: {e}");
                let a32 = a.mapv(|v| v as f32);
                let exp32 = naive::correlate(&a32.mapv(f64::from), k, mode, &origins);
                let got32 = correlate(&a32, k, mode, &[origin]).unwrap();
                assert!(
                    max_rel_err(got32.mapv(f64::from), &exp32) < 1e-5,
                    "f32 case {ci}"
                );
            }
        }
    }
}

#[test]
fn convolve_is_correlate_with_flipped_kernel() {
    // Independent check by definition for odd kernels: (a * w)[i] = sum_j w[j] a[i - j + c].
    let a = data(&[8], 3);
    let w = [1.0, -2.0, 0.5];
    let got = convolve1d(&a, &w, 0, BorderMode::Constant(0.0), 0).unwrap();
    for i in 0..8 {
        let mut s = 0.0;
        for (j, wj) in w.iter().enumerate() {
            let src = i as isize - j as isize + 1;
            if (0..8).contains(&src) {
                s += wj * a[[src as usize]];
            }
        }
        assert!((got[[i]] - s).abs() < 1e-14);
    }
    let a2 = data(&[5, 6], 4);
    let w2 = data(&[3, 4], 5);
    let c = convolve(&a2, &w2, BorderMode::Wrap, &[0]).unwrap();
    // Convolution with a kernel is correlation with the kernel flipped (even axes shift by 1).
    let mut f = w2.view();
    f.invert_axis(Axis(0));
    f.invert_axis(Axis(1));
    let exp = naive::correlate(&a2, &f.to_owned(), BorderMode::Wrap, &[0, -1]);
    assert!(max_rel_err(&c, &exp) < 1e-14);
}

#[test]
fn strided_input_and_output() {
    let base = data(&[8, 9], 1);
    let mut v = base.view();
    v.slice_axis_inplace(Axis(0), Slice::new(0, None, -2));
    let v = v.reversed_axes();
    let k = data(&[3, 2], 9);
    let exp = naive::correlate(&v.to_owned(), &k, BorderMode::Mirror, &[0, 0]);
    let mut out = ArrayD::<f64>::zeros(IxDyn(&[4, 9]));
    correlate_into(
        &v,
        &k,
        BorderMode::Mirror,
        &[0],
        out.view_mut().reversed_axes(),
    )
    .unwrap();
    let back = out.view().reversed_axes().to_owned();
    assert!(max_rel_err(&back, &exp) < 1e-14);
}

#[test]
fn nan_stays_local() {
    let mut a = Array1::from_shape_fn(30, |i| i as f64);
    a[10] = f64::NAN;
    let c = correlate1d(&a, &[1.0, 2.0, 3.0, 4.0], 0, BorderMode::Reflect, 0).unwrap();
    for (i, v) in c.iter().enumerate() {
        assert_eq!(v.is_nan(), (9..=12).contains(&i), "{i}");
    }
}

#[test]
fn ball_kernel_shape_and_count() {
    let b = ball_kernel(2.0, 3).unwrap();
    assert_eq!(b.shape(), &[5, 5, 5]);
    // lattice points with x^2 + y^2 + z^2 <= 4: 33
    assert_eq!(b.sum(), 33.0);
    assert_eq!(
        ball_kernel(1.5, 2).unwrap(),
        array![[1., 1., 1.], [1., 1., 1.], [1., 1., 1.]].into_dyn()
    );
    assert!(ball_kernel(-1.0, 2).is_err());
}

#[test]
fn bad_input() {
    let a = data(&[4, 5], 1);
    assert!(correlate1d(&a, &[], 0, BorderMode::Reflect, 0).is_err());
    assert!(correlate1d(&a, &[1.0], 2, BorderMode::Reflect, 0).is_err());
    assert!(correlate1d(&a, &[1.0, 1.0, 1.0], 0, BorderMode::Reflect, 2).is_err());
    let k3 = data(&[2, 2, 2], 1);
    let e = correlate(&a, &k3, BorderMode::Reflect, &[0]).unwrap_err();
    assert!(e.to_string().contains("dimension"), "{e}");
    let empty = ArrayD::<f64>::zeros(IxDyn(&[0, 3]));
    assert!(correlate(&a, &empty, BorderMode::Reflect, &[0]).is_err());
    let mut out = ArrayD::<f64>::zeros(IxDyn(&[5, 4]));
    assert!(correlate_into(
        &a,
        &data(&[3, 3], 1),
        BorderMode::Reflect,
        &[0],
        out.view_mut()
    )
    .is_err());
}

#[test]
fn dense_register_blocked_rows_vs_naive() {
    // Rows longer than 4 vectors exercise the register-blocked loop and its remainder.
    for cols in [16usize, 32, 33, 70] {
        let a = data(&[5, cols], cols as u64);
        let k = data(&[3, 5], 77);
        for mode in MODES {
            let exp = naive::correlate(&a, &k, mode, &[0, 0]);
            let got = correlate(&a, &k, mode, &[0]).unwrap();
            assert!(max_rel_err(&got, &exp) < 1e-14, "{cols} {mode:?}");
            let a32 = a.mapv(|v| v as f32);
            let exp32 = naive::correlate(&a32.mapv(f64::from), &k, mode, &[0, 0]);
            let got32 = correlate(&a32, &k, mode, &[0]).unwrap();
            assert!(max_rel_err(got32.mapv(f64::from), &exp32) < 1e-5);
        }
    }
}
