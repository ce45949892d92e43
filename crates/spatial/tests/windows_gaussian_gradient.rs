//! Gaussian filters and gradients: mathematical identities (moments of the kernels, exactness
//! on polynomials, agreement with the direct N-d correlation), numpy's slicing formula for
//! Q15, and the bad inputs the issue lists. scipy/numpy values themselves are checked by the
//! reference data (tests/data/spatial).

use ndarray::{s, Array1, Array2, Array3, ArrayD, IxDyn};
use ndkern_spatial::reference_windows as naive;
use ndkern_spatial::{
    correlate, gaussian_filter, gaussian_filter1d, gaussian_kernel1d, gaussian_kernel2d,
    gaussian_kernel_nd, gradient, gradient_stacked, BorderMode, GaussianOptions, Spacing,
};

#[test]
fn kernel_moments() {
    // Derivative kernels of order k annihilate polynomials of degree < k and map x^k to k!
    // (sampling and truncation errors ~exp(-2 pi^2 sigma^2) and exp(-r^2 / 2 sigma^2): tiny at
    // sigma = 2, r = 12 sigma).
    let (sigma, r) = (2.0, 24);
    for order in 0..=3usize {
        let k = gaussian_kernel1d(sigma, order, r).unwrap();
        for deg in 0..=order {
            let m: f64 = k
                .iter()
                .enumerate()
                .map(|(i, w)| w * (i as f64 - r as f64).powi(deg as i32))
                .sum();
            // the kernel is the derivative of the Gaussian: sum w(x) x^k = (-1)^k k! for deg = k
            let fact = (1..=deg).product::<usize>() as f64;
            let expect = if deg == order {
                if order % 2 == 0 {
                    fact
                } else {
                    -fact
                }
            } else {
                0.0
            };
            assert!(
                (m - expect).abs() < 1e-10,
                "order {order} deg {deg}: {m} vs {expect}"
            );
        }
    }
}

#[test]
fn gaussian_equals_direct_nd_correlation_with_outer_kernel() {
    let a = ArrayD::from_shape_fn(IxDyn(&[7, 9]), |i| {
        ((i[0] * 13 + i[1] * 7) % 11) as f64 - 5.0
    });
    for mode in [
        BorderMode::Reflect,
        BorderMode::Wrap,
        BorderMode::Constant(0.0),
    ] {
        let o = GaussianOptions {
            mode,
            ..Default::default()
        };
        let g = gaussian_filter(&a, &[1.0, 1.5], &o).unwrap();
        // scipy: radius = int(4 * sigma + 0.5)
        let k = gaussian_kernel_nd(&[1.0, 1.5], &[4, 6], 2).unwrap();
        let exp = naive::correlate(&a, &k, mode, &[0, 0]);
        let err = g
            .iter()
            .zip(&exp)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
        assert!(err < 1e-13, "{mode:?} {err}");
        // the dense path (kernel not detected as separable is not forced here; both agree)
        let c = correlate(&a, &k, mode, &[0]).unwrap();
        let err = c
            .iter()
            .zip(&exp)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
        assert!(err < 1e-13);
    }
    let k2 = gaussian_kernel2d(2.0, 6).unwrap();
    assert!((k2.sum() - 1.0).abs() < 1e-14);
    assert_eq!(k2.shape(), &[13, 13]);
}

#[test]
fn gradient_exact_on_quadratics_and_coordinates() {
    // edge_order 2 is exact for quadratics, also on a non-uniform grid
    let x: Vec<f64> = vec![0.0, 0.5, 1.7, 2.0, 3.1, 4.0];
    let f = Array1::from_iter(x.iter().map(|&v| 3.0 * v * v - v + 2.0));
    let g = gradient(&f, &[Spacing::Coords(x.clone())], None, 2).unwrap();
    for (i, &v) in x.iter().enumerate() {
        assert!((g[0][i] - (6.0 * v - 1.0)).abs() < 1e-12, "{i}");
    }
    let a = Array3::from_shape_fn((5, 6, 7), |(i, j, k)| {
        (i * i) as f64 + 2.0 * (j * k) as f64 - 0.5 * (k * k) as f64
    });
    let st = gradient_stacked(&a, &[Spacing::Uniform(1.0)], 2).unwrap();
    assert_eq!(st.shape(), &[5, 6, 7, 3]);
    for ((i, j, k), _) in a.indexed_iter() {
        let want = [2.0 * i as f64, 2.0 * k as f64, 2.0 * j as f64 - k as f64];
        for d in 0..3 {
            assert!((st[[i, j, k, d]] - want[d]).abs() < 1e-12);
        }
    }
}

#[test]
fn q15_interior_equals_slicing_formula_bit_for_bit() {
    let a = Array2::from_shape_fn((40, 30), |(i, j)| ((i * 7 + j * 3) as f64).sin() * 1e3);
    let dx = 0.37;
    let g = gradient(&a, &[Spacing::Uniform(dx)], Some(&[0]), 1).unwrap();
    let slicing = (&a.slice(s![2.., ..]) - &a.slice(s![..-2, ..])) / (2.0 * dx);
    assert_eq!(g[0].slice(s![1..a.nrows() - 1, ..]), slicing);
    let a32 = a.mapv(|v| v as f32);
    let g32 = gradient(&a32, &[Spacing::Uniform(dx)], Some(&[0]), 1).unwrap();
    let slicing32 = (&a32.slice(s![2.., ..]) - &a32.slice(s![..-2, ..])) / (2.0 * dx) as f32;
    assert_eq!(g32[0].slice(s![1..a.nrows() - 1, ..]), slicing32);
}

#[test]
fn bad_input() {
    let a = Array2::<f64>::zeros((4, 5));
    let d = GaussianOptions::default();
    let e = gaussian_filter(&a, &[-1.0], &d).unwrap_err();
    assert!(e.to_string().contains("sigma"), "{e}");
    let o = GaussianOptions {
        truncate: 0.0,
        ..Default::default()
    };
    assert!(gaussian_filter(&a, &[1.0], &o)
        .unwrap_err()
        .to_string()
        .contains("truncate"));
    let o = GaussianOptions {
        order: vec![4],
        ..Default::default()
    };
    assert!(gaussian_filter(&a, &[1.0], &o)
        .unwrap_err()
        .to_string()
        .contains("order"));
    assert!(gaussian_filter1d(&a, 1.0, 2, &d).is_err());
    assert!(gaussian_filter1d(&a, 0.0, 0, &d).is_err());
    assert!(gaussian_filter(&a, &[1.0, 2.0, 3.0], &d).is_err());
    assert!(gaussian_kernel1d(f64::NAN, 0, 3).is_err());
    // gradient
    assert!(gradient(&a, &[], None, 3).is_err());
    let thin = Array2::<f64>::zeros((2, 5));
    let e = gradient(&thin, &[], None, 2).unwrap_err();
    assert!(e.to_string().contains("at least 3"), "{e}");
    assert!(gradient(&a, &[Spacing::Coords(vec![0.0, 1.0])], Some(&[0]), 1).is_err());
    assert!(gradient(&a, &[Spacing::Uniform(0.0)], None, 1).is_err());
    assert!(gradient(&a, &[], Some(&[0, 0]), 1).is_err());
    assert!(gradient(&a, &[], Some(&[2]), 1).is_err());
}

#[test]
fn gabor_kernel_matches_scikit_image() {
    use ndkern_spatial::{gabor_kernel, GaborOptions};
    // skimage.filters.gabor_kernel(0.25, theta=pi/3, sigma_x=2.0, sigma_y=3.5, n_stds=2,
    // offset=0.3) with scikit-image 0.26.0: shape (9, 15), [1, 2] and sum of |g|.
    let o = GaborOptions {
        theta: std::f64::consts::PI / 3.0,
        sigma_x: Some(2.0),
        sigma_y: Some(3.5),
        n_stds: 2.0,
        offset: 0.3,
        ..Default::default()
    };
    let (re, im) = gabor_kernel(0.25, &o).unwrap();
    assert_eq!(re.shape(), &[9, 15]);
    assert!((re[[1, 2]] - 9.256451001861942e-05).abs() < 1e-17);
    assert!((im[[1, 2]] + 6.297449510860233e-04).abs() < 1e-17);
    let abs_sum: f64 = re.iter().zip(&im).map(|(a, b)| a.hypot(*b)).sum();
    assert!((abs_sum - 0.9205829832382947).abs() < 1e-13);
    assert!(gabor_kernel(0.0, &GaborOptions::default()).is_err());
    assert!(gabor_kernel(
        0.1,
        &GaborOptions {
            n_stds: -1.0,
            ..Default::default()
        }
    )
    .is_err());
}

#[test]
fn stacked_gradient_equals_per_axis_gradients() {
    // Large enough for the parallel contiguous path; per-axis results come from the lane path.
    let a = Array3::from_shape_fn((40, 50, 41), |(i, j, k)| {
        ((i * 7 + j * 3 + k) as f64 * 0.37).sin() * (1.0 + k as f64)
    });
    let x: Vec<f64> = (0..50).map(|j| (j as f64).powf(1.3)).collect();
    for edge in [1, 2] {
        let sp = [
            Spacing::Uniform(0.5),
            Spacing::Coords(x.clone()),
            Spacing::Uniform(2.0),
        ];
        let st = gradient_stacked(&a, &sp, edge).unwrap();
        let per = gradient(&a, &sp, None, edge).unwrap();
        for (ax, g) in per.iter().enumerate() {
            assert_eq!(
                st.index_axis(ndarray::Axis(3), ax),
                g.view().into_dyn(),
                "{ax} {edge}"
            );
        }
        let a32 = a.mapv(|v| v as f32);
        let st = gradient_stacked(&a32, &sp, edge).unwrap();
        let per = gradient(&a32, &sp, None, edge).unwrap();
        for (ax, g) in per.iter().enumerate() {
            assert_eq!(st.index_axis(ndarray::Axis(3), ax), g.view().into_dyn());
        }
    }
}
