//! Polynomials, interpolation, line fits, PCA, kernel estimation and curve fitting against
//! identities (exact polynomials recovered, A v = lambda v, known kernels and parameters) and
//! the naive oracles in `reference.rs`.

#![allow(clippy::needless_range_loop)] // index loops mirror the math

use nalgebra::{DMatrix, SymmetricEigen};
use ndarray::{array, s, Array1, Array2, Array3, Axis};
use ndkern_linalg::reference;
use ndkern_linalg::*;
use proptest::prelude::*;

mod common;
use common::noise;

#[test]
fn polyfit_recovers_exact_polynomials_and_weights_act_like_repeats() {
    let p = [0.5, -2.0, 0.0, 3.0, -1.0]; // numpy order, degree 4
    let x = Array1::linspace(-4.0, 9.0, 31);
    let y = x.mapv(|v| reference::polyval(&p, v));
    let fit = polyfit(&x, &y, 4, None).unwrap();
    for (a, b) in fit.to_monomial().iter().zip(p) {
        assert!((a - b).abs() < 1e-11, "{a} vs {b}");
    }
    for &t in &[-4.0, 0.3, 8.9] {
        assert!((fit.eval(t) - reference::polyval(&p, t)).abs() < 1e-10 * 3000.0);
    }
    // Weight 2 on a point = that point repeated 4 times (numpy: w multiplies residuals).
    let mut r = noise(3);
    let yn = y.mapv(|v| v + r());
    let mut w = vec![1.0; 31];
    w[5] = 2.0;
    let a = polyfit(&x, &yn, 2, Some(&w)).unwrap().to_monomial();
    let mut xr: Vec<f64> = x.to_vec();
    let mut yr: Vec<f64> = yn.to_vec();
    for _ in 0..3 {
        xr.push(x[5]);
        yr.push(yn[5]);
    }
    let b = polyfit(&Array1::from(xr), &Array1::from(yr), 2, None)
        .unwrap()
        .to_monomial();
    for (u, v) in a.iter().zip(&b) {
        assert!((u - v).abs() < 1e-10 * v.abs().max(1.0));
    }
}

#[test]
fn polyfit_bad_inputs() {
    let x = array![0.0, 1.0, 2.0];
    let y = array![1.0, 2.0, 3.0];
    assert!(polyfit(&x, &y, 3, None)
        .unwrap_err()
        .to_string()
        .contains("at least 4 points"));
    let dup = array![1.0, 1.0, 1.0];
    assert!(polyfit(&dup, &y, 1, None)
        .unwrap_err()
        .to_string()
        .contains("distinct x"));
    assert!(polyfit(&array![0.0, f64::NAN, 2.0], &y, 1, None)
        .unwrap_err()
        .to_string()
        .contains("not finite"));
    assert!(polyfit(&x, &array![1.0, 2.0], 1, None).is_err());
    assert!(polyfit(&x, &y, 1, Some(&[1.0, 1.0])).is_err());
}

#[test]
fn polyval_simd_matches_naive_horner_every_length() {
    let p = [1.5, -0.25, 2.0, 0.125];
    let mut r = noise(9);
    for n in 0..=3 * 8 + 1 {
        let x = Array1::from_shape_simple_fn(n, &mut r) * 3.0;
        let got = polyval(&p, &x).unwrap();
        for (g, xv) in got.iter().zip(&x) {
            let want = reference::polyval(&p, *xv);
            assert!((g - want).abs() <= 1e-14 * want.abs().max(1.0));
        }
        let p32: Vec<f32> = p.iter().map(|&v| v as f32).collect();
        let x32 = x.mapv(|v| v as f32);
        let got = polyval(&p32, &x32).unwrap();
        for (g, xv) in got.iter().zip(&x32) {
            let want = reference::polyval(&p, f64::from(*xv));
            assert!((f64::from(*g) - want).abs() <= 1e-5 * want.abs().max(1.0));
        }
    }
    // Strided 2-D view.
    let x = Array2::from_shape_fn((5, 8), |(i, j)| i as f64 - j as f64 * 0.5);
    let v = x.slice(s![..;-2, 1..;3]);
    let got = polyval(&p, &v).unwrap();
    for (g, xv) in got.iter().zip(v.iter()) {
        assert_eq!(*g, polyval(&p, &array![*xv]).unwrap()[0]);
    }
}

#[test]
fn chebval_and_chebfit_identities() {
    // T_k(cos t) = cos(k t).
    let t = Array1::linspace(0.0, 3.0, 17);
    let x = t.mapv(f64::cos);
    for k in 0..7 {
        let mut c = vec![0.0; k + 1];
        c[k] = 1.0;
        let v = chebval(&x, &c).unwrap();
        for (a, tt) in v.iter().zip(&t) {
            assert!((a - (k as f64 * tt).cos()).abs() < 1e-13);
        }
        let back = chebfit(&x, &v, k, None).unwrap();
        for (i, b) in back.iter().enumerate() {
            assert!((b - c[i]).abs() < 1e-12);
        }
    }
}

#[test]
fn q21_interpolant_reproduces_nodes_and_polynomials() {
    let y = [
        126, 34, 78, 120, 83, 62, 104, 6, 70, 142, 147, 63, 35, 126, 9, 84, 7, 122, 93, 29, 95,
        141, 42, 102, 38, 96, 130, 83, 138, 148,
    ];
    let x = Array1::from_iter((0..30).map(f64::from));
    let yv = Array1::from_iter(y.iter().map(|&v| f64::from(v)));
    let p = interpolate(&x, &yv).unwrap();
    assert_eq!(p.eval_array(&x).unwrap(), yv);
    // A degree-5 polynomial through 6 shuffled nodes is reproduced everywhere.
    let q = [1.0, -3.0, 0.5, 2.0, -1.0, 4.0];
    let xs = array![3.0, -1.0, 0.5, 2.0, -2.5, 1.0];
    let p = interpolate(&xs, &xs.mapv(|v| reference::polyval(&q, v))).unwrap();
    for &t in &[-2.0, 0.0, 0.77, 2.9] {
        let want = reference::polyval(&q, t);
        assert!((p.eval(t) - want).abs() < 1e-12 * want.abs().max(1.0));
    }
    assert!(interpolate(&array![0.0, 1.0, 0.0], &array![1.0, 2.0, 3.0])
        .unwrap_err()
        .to_string()
        .contains("duplicate"));
    assert!(interpolate(&array![0.0, f64::NAN], &array![1.0, 2.0]).is_err());
    assert!(interpolate(&Array1::<f64>::zeros(0), &Array1::<f64>::zeros(0)).is_err());
}

#[test]
fn linefit_matches_naive_on_every_axis_and_layout() {
    let mut r = noise(21);
    let a = Array3::from_shape_simple_fn((4, 5, 6), &mut r);
    let v = a.slice(s![..;-1, .., 1..]).permuted_axes([2, 0, 1]); // (5, 4, 5)
    for axis in 0..3 {
        let (sl, ic) = linefit(&v, axis).unwrap();
        for (idx, lane) in v.lanes(Axis(axis)).into_iter().enumerate() {
            let (ws, wi) = reference::line(lane);
            assert!((sl.iter().nth(idx).unwrap() - ws).abs() < 1e-14);
            assert!((ic.iter().nth(idx).unwrap() - wi).abs() < 1e-14);
        }
        let lv = level(&v, axis).unwrap();
        for lane in lv.lanes(Axis(axis)) {
            let (s2, i2) = reference::line(lane);
            assert!(
                s2.abs() < 1e-14 && i2.abs() < 1e-14,
                "leveled lane still has a trend"
            );
        }
    }
    assert!(linefit(&a, 3)
        .unwrap_err()
        .to_string()
        .contains("out of range"));
    assert!(linefit(&Array2::<f64>::zeros((3, 1)), 1)
        .unwrap_err()
        .to_string()
        .contains("at least 2"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]
    #[test]
    fn level_rows_any_shape(rows in 0usize..6, cols in 2usize..40, seed in any::<u64>()) {
        let mut r = noise(seed);
        let a = Array2::from_shape_simple_fn((rows, cols), &mut r) * 100.0;
        let l = level_rows(&a.mapv(|v| v as f32)).unwrap();
        for (row, orig) in l.rows().into_iter().zip(a.rows()) {
            let (s, i) = reference::line(orig.mapv(|v| f64::from(v as f32)).view());
            for (k, v) in row.iter().enumerate() {
                let want = f64::from(orig[k] as f32) - (s * k as f64 + i);
                prop_assert!((f64::from(*v) - want).abs() < 1e-4);
            }
        }
    }
}

#[test]
fn pca_against_nalgebra_svd() {
    let mut r = noise(5);
    let n = 300;
    let x = Array2::from_shape_fn((n, 4), |(_, j)| r() * [4.0, 2.0, 1.0, 0.2][j]);
    let mix = array![
        [1.0, 0.3, 0.0, 0.1],
        [0.2, 1.0, 0.4, 0.0],
        [0.0, 0.1, 1.0, 0.3],
        [0.5, 0.0, 0.2, 1.0]
    ];
    let x = x.dot(&mix) + 1000.0; // large offset: the one-pass moments must not cancel
    let p = pca(&x, 2, false).unwrap();
    let mean = x.mean_axis(Axis(0)).unwrap();
    let xc = &x - &mean;
    let m = DMatrix::from_fn(n, 4, |i, j| xc[[i, j]]);
    let svd = m.clone().svd(false, true);
    let vt = svd.v_t.unwrap();
    let mut idx: Vec<usize> = (0..4).collect();
    idx.sort_by(|&a, &b| svd.singular_values[b].total_cmp(&svd.singular_values[a]));
    for c in 0..2 {
        let k = idx[c];
        let var = svd.singular_values[k].powi(2) / (n - 1) as f64;
        assert!((p.explained_variance[c] - var).abs() < 1e-10 * var);
        let dot: f64 = (0..4).map(|j| p.components[[c, j]] * vt[(k, j)]).sum();
        assert!(
            (dot.abs() - 1.0).abs() < 1e-10,
            "component {c} differs beyond sign"
        );
    }
    let total: f64 = svd.singular_values.iter().map(|s| s * s).sum::<f64>() / (n - 1) as f64;
    assert!((p.explained_variance_ratio[0] - p.explained_variance[0] / total).abs() < 1e-12);
    // Whitened transform: unit variance, uncorrelated.
    let pw = pca(&x, 3, true).unwrap();
    let t = pw.transform(&x).unwrap();
    let cov = t.t().dot(&t) / (n - 1) as f64;
    for i in 0..3 {
        for j in 0..3 {
            assert!((cov[[i, j]] - if i == j { 1.0 } else { 0.0 }).abs() < 1e-9);
        }
    }
    // Eigen identity on the covariance: C v = lambda v.
    let cm = xc.t().dot(&xc) / (n - 1) as f64;
    for c in 0..2 {
        let v = p.components.row(c);
        let cv = cm.dot(&v);
        for j in 0..4 {
            assert!(
                (cv[j] - p.explained_variance[c] * v[j]).abs() < 1e-9 * p.explained_variance[0]
            );
        }
    }
    let _ = SymmetricEigen::new(DMatrix::<f64>::identity(2, 2));
    assert!(pca(&x, 0, false).is_err() && pca(&x, 5, false).is_err());
    assert!(pca(&x.slice(s![..1, ..]), 1, false).is_err());
    assert!(p.transform(&Array2::<f64>::zeros((2, 3))).is_err());
}

#[test]
fn estimate_kernel_recovers_and_reports_insufficient_data() {
    let mut r = noise(8);
    let input = Array2::from_shape_simple_fn((14, 12), &mut r);
    let k = Array2::from_shape_simple_fn((3, 5), &mut r);
    let mut out = Array2::<f64>::zeros((14, 12));
    // Convolution (flipped kernel), interior only.
    for i in 1..13 {
        for j in 2..10 {
            let mut acc = 0.0;
            for a in 0..3 {
                for b in 0..5 {
                    acc += k[[a, b]] * input[[i + 1 - a, j + 2 - b]];
                }
            }
            out[[i, j]] = acc;
        }
    }
    let est = estimate_kernel(&input, &out, &[3, 5], KernelMode::Convolve).unwrap();
    for (a, b) in est.iter().zip(k.iter()) {
        assert!((a - b).abs() < 1e-12);
    }
    // Q20: 6x6 with a 5x5 kernel has 4 full windows for 25 unknowns.
    let small = Array2::from_shape_simple_fn((6, 6), &mut r);
    let e = estimate_kernel(&small, &small, &[5, 5], KernelMode::Convolve)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("insufficient data") && e.contains("4 full window"),
        "{e}"
    );
    // Enough windows but a constant input excites only one direction.
    let flat = Array2::<f64>::ones((20, 20));
    let e = estimate_kernel(&flat, &flat, &[3, 3], KernelMode::Correlate)
        .unwrap_err()
        .to_string();
    assert!(e.contains("insufficient data"), "{e}");
    assert!(estimate_kernel(&small, &small, &[4, 3], KernelMode::Correlate).is_err());
    assert!(estimate_kernel(
        &small,
        &small.slice(s![..5, ..]),
        &[3, 3],
        KernelMode::Correlate
    )
    .is_err());
}

#[test]
fn curve_fit_q6_with_nans_and_noise() {
    let mut r = noise(13);
    let (h, w) = (40, 50);
    let m1 = Array2::from_shape_simple_fn((h, w), &mut r);
    let m2 = Array2::from_shape_simple_fn((h, w), &mut r).mapv(|v| 1.5 + v);
    let m3 = Array2::from_shape_simple_fn((h, w), &mut r).mapv(|v| 2.0 + v);
    let model = |p: &[f64]| &m1 * 12.0 + m2.mapv(|v| v.powf(p[0])) - &m3 / p[1];
    let mut data = model(&[2.3, 0.6]);
    for i in 0..h {
        data[[i, (7 * i) % w]] = f64::NAN;
    }
    let fit = curve_fit(model, &data, &[1.0, 1.0], &CurveFitOptions::default()).unwrap();
    assert!(fit.converged);
    assert!(
        (fit.params[0] - 2.3).abs() < 1e-9 && (fit.params[1] - 0.6).abs() < 1e-9,
        "{:?}",
        fit.params
    );
    assert_eq!(fit.n_points, h * w - h);
    // With noise: first-order optimality (J^T r = 0) at the returned parameters.
    let noisy = &data + &Array2::from_shape_simple_fn((h, w), &mut r).mapv(|v| 0.05 * v);
    let fit = curve_fit(model, &noisy, &[1.0, 1.0], &CurveFitOptions::default()).unwrap();
    let ssr = |p: &[f64]| -> f64 {
        let f = model(p);
        noisy
            .iter()
            .zip(f.iter())
            .filter(|(y, _)| !y.is_nan())
            .map(|(y, f)| (y - f).powi(2))
            .sum()
    };
    // Analytic gradient of the SSR: d f / d a = m2^a ln m2, d f / d b = m3 / b^2.
    let (a, b) = (fit.params[0], fit.params[1]);
    let f = model(&fit.params);
    let (mut ga, mut gb, mut scale) = (0.0, 0.0, 0.0);
    for (((y, fv), v2), v3) in noisy.iter().zip(f.iter()).zip(m2.iter()).zip(m3.iter()) {
        if y.is_nan() {
            continue;
        }
        let res = y - fv;
        let (da, db) = (v2.powf(a) * v2.ln(), v3 / (b * b));
        ga += -2.0 * res * da;
        gb += -2.0 * res * db;
        scale += (res * da).abs() + (res * db).abs();
    }
    assert!(
        ga.abs() < 1e-9 * scale && gb.abs() < 1e-9 * scale,
        "gradient {ga} {gb} (scale {scale})"
    );
    let mut pp = fit.params.clone();
    pp[0] += 1e-4;
    assert!(ssr(&pp) >= fit.ssr);
    assert!(fit.cov[[0, 0]] > 0.0 && fit.cov[[1, 1]] > 0.0);
    // Bad inputs.
    let all_nan = Array2::from_elem((2, 2), f64::NAN);
    let e = curve_fit(
        |_p: &[f64]| Array2::zeros((2, 2)),
        &all_nan,
        &[1.0],
        &CurveFitOptions::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("insufficient data"));
    assert!(curve_fit(
        |_p: &[f64]| Array2::zeros((3, 2)),
        &data.slice(s![..2, ..2]),
        &[1.0],
        &CurveFitOptions::default()
    )
    .is_err());
    assert!(curve_fit(model, &data, &[], &CurveFitOptions::default()).is_err());
}

/// Every row kernel (d = 1..=10: the const-size paths for d <= 8, the general one beyond),
/// odd row counts, transposed and strided views, f32: components, variances and projections
/// against the naive two-pass covariance + nalgebra eigensolver (signs fixed as pca does).
#[test]
fn pca_layouts_and_dims_against_two_pass_oracle() {
    let mut r = noise(21);
    for d in 1..=10 {
        let n = 20_011; // > one parallel block, odd
        let x = Array2::from_shape_fn((n, d), |(_, j)| r() * (1.0 + j as f64) + 50.0);
        let mean = x.mean_axis(Axis(0)).unwrap();
        let xc = &x - &mean;
        let c = xc.t().dot(&xc) / (n - 1) as f64;
        let (w, mut v) = reference::eigh_desc(&c);
        for mut col in v.columns_mut() {
            let big = col
                .iter()
                .fold(0.0f64, |m, &e| if e.abs() > m.abs() { e } else { m });
            col.mapv_inplace(|e| e * big.signum());
        }
        let k = d.min(3);
        let want = xc.dot(&v.slice(s![.., ..k]));
        let xt = x.t().to_owned(); // (d, n) C order: x.t() of it is an F-order view
        let strided = {
            let mut big = Array2::<f64>::zeros((2 * n, d + 1));
            big.slice_mut(s![..;2, 1..]).assign(&x);
            big
        };
        let views = [x.view(), xt.t(), strided.slice(s![..;2, 1..])];
        for (li, xv) in views.iter().enumerate() {
            let p = pca(xv, k, false).unwrap();
            for cc in 0..k {
                assert!(
                    (p.explained_variance[cc] - w[cc]).abs() < 1e-10 * w[0],
                    "d {d} layout {li}"
                );
            }
            let t = p.transform(xv).unwrap();
            let scale = want.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            let err = t
                .iter()
                .zip(&want)
                .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
            assert!(err < 1e-9 * scale, "d {d} layout {li}: {err}");
        }
        let x32 = x.mapv(|v| v as f32);
        let p32 = pca(&x32, k, false).unwrap();
        let t32 = p32.transform(&x32).unwrap();
        let scale = want.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let err = t32
            .iter()
            .zip(&want)
            .fold(0.0f64, |m, (a, b)| m.max((f64::from(*a) - b).abs()));
        assert!(err < 1e-4 * scale, "d {d} f32: {err}");
    }
    let mut bad = Array2::<f64>::ones((10, 3));
    bad[[7, 1]] = f64::NAN;
    assert!(pca(&bad, 1, false)
        .unwrap_err()
        .to_string()
        .contains("non-finite"));
    // Sums of squares that overflow are redone on scaled data: the component is exact and
    // the variance (2e600 / 9) overflows to inf honestly (it used to be an Err).
    bad[[7, 1]] = 1e300;
    bad[[8, 1]] = -1e300;
    let p = pca(&bad, 1, false).unwrap();
    assert_eq!(p.components.row(0).to_vec(), vec![0.0, 1.0, 0.0]);
    assert_eq!(p.explained_variance[0], f64::INFINITY);
}
