//! Layer 1: every signal kernel against its naive twin in `ndkern_signal::reference`
//! (or a mathematical identity), over many lengths, both dtypes.

use ndarray::{s, Array1, Array2, Array3, ArrayD, Axis, IxDyn};
use ndkern_core::testing::{max_rel_err, Rng};
use ndkern_signal::reference as naive;
use ndkern_signal::*;

/// Deterministic pseudo-random values in [-1, 1) (core's seeded test PRNG).
fn noise(n: usize, seed: u64) -> Vec<f64> {
    Rng::new(seed).vec(n, -1.0, 1.0)
}

#[test]
fn rfftn_matches_naive_dft_every_length() {
    for n in 1..=64 {
        let x = noise(n, n as u64);
        let a = Array1::from(x.clone());
        let spec = rfftn(&a, &[0]).unwrap();
        let want = naive::dft(
            &x.iter().map(|&v| C64::new(v, 0.0)).collect::<Vec<_>>(),
            false,
        );
        assert_eq!(spec.len(), n / 2 + 1);
        for k in 0..spec.len() {
            assert!(
                (spec[[k]] - want[k]).norm() < 1e-13 * n as f64,
                "n={n} k={k}"
            );
        }
        let back = irfftn(&spec, &[0], n).unwrap();
        assert!(
            max_rel_err(back.iter().copied(), x.iter().copied()) < 1e-14,
            "round trip n={n}"
        );
        // f32 input is widened: same spectrum as the f32 values in f64.
        let a32 = a.mapv(|v| v as f32);
        let s32 = rfftn(&a32, &[0]).unwrap();
        let s64 = rfftn(&a32.mapv(f64::from), &[0]).unwrap();
        assert_eq!(s32, s64);
    }
}

#[test]
fn rfftn_2d_strided_matches_separable_naive() {
    for &(ny, nx) in &[(1, 1), (3, 5), (6, 4), (7, 9), (16, 12)] {
        let big = Array2::from_shape_vec((2 * ny, nx + 3), noise(2 * ny * (nx + 3), 7)).unwrap();
        // Every other row, reversed columns: a strided view with a negative step.
        let a = big.slice(s![..;2, ..nx;-1]);
        let spec = rfftn(&a, &[0, 1]).unwrap();
        // Naive: full complex DFT along rows then columns.
        let mut full = a.mapv(|v| C64::new(v, 0.0));
        for mut r in full.rows_mut() {
            let d = naive::dft(&r.to_vec(), false);
            r.assign(&Array1::from(d));
        }
        for mut c in full.columns_mut() {
            let d = naive::dft(&c.to_vec(), false);
            c.assign(&Array1::from(d));
        }
        for ((i, j), v) in spec
            .view()
            .into_dimensionality::<ndarray::Ix2>()
            .unwrap()
            .indexed_iter()
        {
            assert!(
                (v - full[[i, j]]).norm() < 1e-12 * (nx * ny) as f64,
                "{ny}x{nx} at {i},{j}"
            );
        }
        let back = irfftn(&spec, &[0, 1], nx).unwrap();
        assert!(max_rel_err(back.iter().copied(), a.iter().copied()) < 1e-13);
        // Transform over the other axis order: axis 0 real, axis 1 complex.
        let spec2 = rfftn(&a, &[1, 0]).unwrap();
        assert_eq!(spec2.shape(), &[ny / 2 + 1, nx]);
        let back2 = irfftn(&spec2, &[1, 0], ny).unwrap();
        assert!(max_rel_err(back2.iter().copied(), a.iter().copied()) < 1e-13);
    }
}

#[test]
fn fftn_inverse_is_identity() {
    let a = ArrayD::from_shape_vec(
        IxDyn(&[5, 6]),
        noise(30, 3).into_iter().map(|v| C64::new(v, -v)).collect(),
    )
    .unwrap();
    let f = fftn(&a, &[0, 1], false).unwrap();
    let b = fftn(&f, &[0, 1], true).unwrap();
    assert!(a.iter().zip(&b).all(|(x, y)| (x - y).norm() < 1e-14));
}

#[test]
fn fftfreq_and_shifts_follow_numpy() {
    // np.fft.fftfreq(6, 0.5) and np.fft.fftfreq(7)
    assert_eq!(
        fftfreq(6, 0.5).unwrap().to_vec(),
        vec![0.0, 1.0 / 3.0, 2.0 / 3.0, -1.0, -2.0 / 3.0, -1.0 / 3.0]
    );
    let f7: Vec<f64> = fftfreq(7, 1.0).unwrap().iter().map(|v| v * 7.0).collect();
    assert!(f7
        .iter()
        .zip([0.0, 1.0, 2.0, 3.0, -3.0, -2.0, -1.0])
        .all(|(a, b)| (a - b).abs() < 1e-12));
    for n in 1..10 {
        let a = Array1::from_shape_fn(n, |i| i);
        let back = ifftshift(&fftshift(&a, &[0]).unwrap(), &[0]).unwrap();
        assert_eq!(a, back);
        // fftshift puts fftfreq in increasing order.
        let f = fftshift(&fftfreq(n, 1.0).unwrap(), &[0]).unwrap();
        assert!(f.windows(2).into_iter().all(|w| w[0] < w[1]));
    }
}

#[test]
fn next_fast_len_is_the_smallest_smooth_length() {
    let smooth = |mut n: usize, ps: &[usize]| {
        for &p in ps {
            while n.is_multiple_of(p) {
                n /= p;
            }
        }
        n == 1
    };
    for target in 1..3000 {
        for (real, ps) in [(true, &[2usize, 3, 5][..]), (false, &[2, 3, 5, 7, 11][..])] {
            let n = next_fast_len(target, real).unwrap();
            assert!(n >= target && smooth(n, ps), "{target} -> {n}");
            assert!(
                (target..n).all(|m| !smooth(m, ps)),
                "{target} -> {n} not smallest"
            );
        }
    }
    // Values printed by scipy.fft.next_fast_len(x, real): 1021 -> 1024, 97 -> 98 (complex),
    // 97 -> 100 (real), 1025 -> 1080 (real), 1025 -> 1029 (complex).
    assert_eq!(next_fast_len(97, true).unwrap(), 100);
    assert_eq!(next_fast_len(1025, true).unwrap(), 1080);
    assert_eq!(next_fast_len(1025, false).unwrap(), 1029);
}

#[test]
fn fftconvolve_and_direct_match_naive_every_length() {
    for n1 in 1..=20 {
        for n2 in 1..=12 {
            let a = Array1::from(noise(n1, n1 as u64));
            let b = Array1::from(noise(n2, 100 + n2 as u64));
            let full = naive::convolve_full(a.as_slice().unwrap(), b.as_slice().unwrap());
            for mode in [Mode::Full, Mode::Same, Mode::Valid] {
                // scipy's crop of the full result, centred.
                let len = match mode {
                    Mode::Full => full.len(),
                    Mode::Same => n1,
                    Mode::Valid => n1.max(n2) - n1.min(n2) + 1,
                };
                let start = (full.len() - len) / 2;
                let want = &full[start..start + len];
                for method in [Method::Fft, Method::Direct, Method::Auto] {
                    let got = convolve(&a, &b, mode, method, None).unwrap();
                    assert!(
                        max_rel_err(got.iter().copied(), want.iter().copied()) < 1e-13,
                        "{n1} {n2} {mode:?} {method:?}"
                    );
                }
                // Correlation = convolution with the reversed kernel.
                let rev = b.slice(s![..;-1]).to_owned();
                let c = correlate(&a, &b, mode, Method::Fft, None).unwrap();
                let cc = convolve(&a, &rev, mode, Method::Direct, None).unwrap();
                assert!(max_rel_err(c.iter().copied(), cc.iter().copied()) < 1e-13);
            }
        }
    }
}

#[test]
fn fftconvolve_along_one_axis_matches_rowwise_naive() {
    let a = Array2::from_shape_vec((4, 15), noise(60, 1)).unwrap();
    let k = Array2::from_shape_vec((4, 5), noise(20, 2)).unwrap();
    let c = fftconvolve(&a, &k, Mode::Full, Some(&[1])).unwrap();
    assert_eq!(c.shape(), &[4, 19]);
    for r in 0..4 {
        let want = naive::convolve_full(&a.row(r).to_vec(), &k.row(r).to_vec());
        let got: Vec<f64> = c.index_axis(Axis(0), r).iter().copied().collect();
        assert!(max_rel_err(got, want) < 1e-13);
    }
}

#[test]
fn detrend_matches_normal_equations() {
    for n in 1..40 {
        let x = noise(n, n as u64 + 5);
        let a = Array1::from_shape_fn(n, |t| x[t] + 3.0 * t as f64 - 7.0);
        let d = detrend(&a, 0, Trend::Linear, &[]).unwrap();
        let want = naive::detrend_linear(a.as_slice().unwrap());
        assert!(
            max_rel_err(d.iter().copied(), want.iter().copied()) < 1e-9
                || want.iter().all(|v| v.abs() < 1e-12),
            "n={n}"
        );
        assert!(
            d.iter()
                .zip(&want)
                .all(|(p, q)| (p - q).abs() < 1e-12 * (1.0 + 3.0 * n as f64)),
            "n={n}"
        );
        // Breakpoints: segments fitted independently.
        if n > 6 {
            let bp = [n / 3, n / 2];
            let d = detrend(&a, 0, Trend::Linear, &bp).unwrap();
            let mut want = Vec::new();
            for (lo, hi) in [(0, n / 3), (n / 3, n / 2), (n / 2, n)] {
                want.extend(naive::detrend_linear(&a.as_slice().unwrap()[lo..hi]));
            }
            assert!(
                d.iter().zip(&want).all(|(p, q)| (p - q).abs() < 1e-11),
                "bp n={n}"
            );
        }
    }
    // In place equals allocating; f32.
    let a = Array3::from_shape_fn((3, 20, 4), |(i, t, j)| {
        (i * 4 + j) as f32 * t as f32 * 0.1 + ((t * 7 + i) % 5) as f32
    });
    let d = detrend(&a, 1, Trend::Linear, &[]).unwrap();
    let mut b = a.clone();
    detrend_inplace(&mut b, 1, Trend::Linear, &[]).unwrap();
    assert_eq!(d, b);
    let c = detrend(&a, -2, Trend::Constant, &[]).unwrap();
    assert!(c.sum_axis(Axis(1)).iter().all(|v| v.abs() < 1e-4));
}

#[test]
fn rolling_matches_naive_with_nan() {
    let mut x = noise(97, 11);
    for i in [3, 4, 5, 40, 41, 90] {
        x[i] = f64::NAN;
    }
    let a = Array1::from(x.clone());
    for window in [1, 2, 3, 4, 7, 8, 30, 97] {
        for mp in [None, Some(0), Some(1), Some(window / 2)] {
            for center in [false, true] {
                let mut opt = Rolling::new(window).center(center);
                if let Some(m) = mp {
                    opt = opt.min_periods(m);
                }
                let m = mp.unwrap_or(window);
                let cases: [(&str, Array1<f64>); 4] = [
                    ("sum", rolling_sum(&a, 0, opt).unwrap()),
                    ("mean", rolling_mean(&a, 0, opt).unwrap()),
                    ("var", rolling_var(&a, 0, opt, 1).unwrap()),
                    ("std", rolling_std(&a, 0, opt, 0).unwrap()),
                ];
                for (stat, got) in cases {
                    let ddof = if stat == "std" { 0 } else { 1 };
                    let want = naive::rolling(&x, window, m, center, stat, ddof);
                    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                        assert!(
                            (g.is_nan() && w.is_nan()) || (g - w).abs() <= 1e-13 * (1.0 + w.abs()),
                            "{stat} w={window} mp={mp:?} c={center} i={i}: {g} vs {w}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn rolling_mean_does_not_drift_on_long_lines() {
    // 2e6 samples around 1e6 with unit noise: a naive running sum loses ~1e-7 relative;
    // the compensated, re-anchored one stays at rounding.
    let n = 2_000_000;
    let x: Vec<f64> = noise(n, 99).iter().map(|v| 1e6 + v).collect();
    let a = Array1::from(x.clone());
    let m = rolling_mean(&a, 0, Rolling::new(1000)).unwrap();
    let v = rolling_var(&a, 0, Rolling::new(1000), 1).unwrap();
    for i in [999, 1_000_000, n - 1] {
        // The oracle sums the window around 1e6 (x - 1e6 is exact, Sterbenz): a plain sum of
        // 1000 values near 1e6 is itself off by ~1e-9 (e.g. 15 ulp for seed 99 at i = 999,
        // checked against an exact rational sum), which is the size of the bound tested here.
        let w: Vec<f64> = x[i + 1 - 1000..=i].iter().map(|v| v - 1e6).collect();
        let want = naive::rolling(&w, 1000, 1000, false, "mean", 1)[999] + 1e6;
        assert!((m[i] - want).abs() < 1e-9, "{i}: {} vs {want}", m[i]);
        let wv = naive::rolling(&w, 1000, 1000, false, "var", 1)[999];
        assert!((v[i] - wv).abs() < 1e-9 * wv, "{i}: var {} vs {wv}", v[i]);
    }
}

#[test]
fn pearson_matches_naive_both_layouts() {
    let y: Vec<f64> = noise(30, 1);
    let a = Array3::from_shape_fn((4, 30, 5), |(i, t, j)| {
        y[t] * (i as f64 - 1.5) + noise(1, (i * 1000 + t * 10 + j) as u64)[0]
    });
    let r_mid = pearson_r(&a, &Array1::from(y.clone()), 1).unwrap();
    let at = a.view().permuted_axes([0, 2, 1]);
    let r_last = pearson_r(&at, &Array1::from(y.clone()), -1).unwrap();
    for i in 0..4 {
        for j in 0..5 {
            let x: Vec<f64> = a.slice(s![i, .., j]).to_vec();
            let want = naive::pearson(&x, &y);
            assert!((r_mid[[i, j]] - want).abs() < 1e-13);
            assert!((r_last[[i, j]] - want).abs() < 1e-13);
        }
    }
    // NaN in a series, or a constant series: NaN.
    let mut b = a.clone();
    b[[2, 7, 3]] = f64::NAN;
    b.slice_mut(s![0, .., 0]).fill(4.0);
    let r = pearson_r(&b, &Array1::from(y.clone()), 1).unwrap();
    assert!(r[[2, 3]].is_nan() && r[[0, 0]].is_nan() && r[[1, 1]].is_finite());
    let r = pearson_r(&b.view().permuted_axes([0, 2, 1]), &Array1::from(y), 2).unwrap();
    assert!(r[[2, 3]].is_nan() && r[[0, 0]].is_nan() && r[[1, 1]].is_finite());
}

fn roll2(a: &Array2<f64>, dy: isize, dx: isize) -> Array2<f64> {
    let (ny, nx) = a.dim();
    Array2::from_shape_fn((ny, nx), |(i, j)| {
        a[[
            (i as isize - dy).rem_euclid(ny as isize) as usize,
            (j as isize - dx).rem_euclid(nx as isize) as usize,
        ]]
    })
}

#[test]
fn circular_cross_correlation_finds_every_shift() {
    let b = Array2::from_shape_vec((9, 12), noise(108, 5)).unwrap();
    for dy in -4..=4 {
        for dx in -5..=6 {
            let a = roll2(&b, dy, dx);
            let p = cross_correlate_circular(&a, &b).unwrap();
            // A shift of n/2 is ambiguous; the fftfreq convention reports it as -n/2.
            let want_dx = if dx == 6 { -6 } else { dx };
            assert_eq!(p.shift, vec![dy, want_dx]);
            assert!((p.ncc - 1.0).abs() < 1e-12);
        }
    }
}

/// `img` shifted by a subpixel amount by the Fourier shift theorem.
fn fourier_shift(img: &Array2<f64>, dy: f64, dx: f64) -> Array2<f64> {
    let z = img.mapv(|v| C64::new(v, 0.0)).into_dyn();
    let mut f = fftn(&z, &[0, 1], false).unwrap();
    let (ny, nx) = img.dim();
    let (fy, fx) = (fftfreq(ny, 1.0).unwrap(), fftfreq(nx, 1.0).unwrap());
    for ((i, j), v) in f
        .view_mut()
        .into_dimensionality::<ndarray::Ix2>()
        .unwrap()
        .indexed_iter_mut()
    {
        let ang = -2.0 * std::f64::consts::PI * (fy[i] * dy + fx[j] * dx);
        *v *= C64::new(ang.cos(), ang.sin());
    }
    fftn(&f, &[0, 1], true)
        .unwrap()
        .mapv(|v| v.re)
        .into_dimensionality()
        .unwrap()
}

#[test]
fn phase_cross_correlation_subpixel_within_one_over_upsample() {
    // A smooth random image (low-pass filtered noise).
    let raw = Array2::from_shape_vec((40, 36), noise(40 * 36, 77)).unwrap();
    let img = {
        let k = Array2::from_shape_fn((7, 7), |(i, j)| {
            (-(((i as f64 - 3.0).powi(2) + (j as f64 - 3.0).powi(2)) / 4.0)).exp()
        });
        let c = fftconvolve(&raw, &k, Mode::Same, None).unwrap();
        c.into_dimensionality::<ndarray::Ix2>().unwrap()
    };
    let mut corr = Correlator::new(&img, 20, Normalization::None).unwrap();
    for &(dy, dx) in &[(0.0, 0.0), (2.3, -1.7), (-5.55, 3.05), (0.45, 10.0)] {
        let moved = fourier_shift(&img, dy, dx);
        for (up, norm) in [
            (1usize, Normalization::Phase),
            (20, Normalization::None),
            (100, Normalization::None),
            (100, Normalization::Phase),
        ] {
            let r = phase_cross_correlation(&img, &moved, up, norm).unwrap();
            // Without normalization the refined peak is within 1/upsample_factor. Phase
            // normalization gives every bin unit weight, including the near-empty high
            // frequencies of this low-pass image and the even-length Nyquist bins that a real
            // subpixel shift cannot represent, which moves the peak by a few hundredths.
            let tol = match (up, norm) {
                (1, _) => 0.5,
                (_, Normalization::Phase) => 0.05,
                _ => 1.0 / up as f64 + 1e-9,
            };
            assert!(
                (r.shift[0] + dy).abs() <= tol && (r.shift[1] + dx).abs() <= tol,
                "{dy},{dx} up={up}: {:?}",
                r.shift
            );
        }
        let r1 = corr.register(&moved).unwrap();
        let r2 = phase_cross_correlation(&img, &moved, 20, Normalization::None).unwrap();
        assert_eq!(r1, r2);
    }
}

/// Pareto(a = 3) samples on [0, inf) (numpy's `rng.pareto`: Lomax), by inverse CDF.
fn pareto(n: usize) -> Array1<f64> {
    Array1::from_iter(
        noise(n, 1234)
            .iter()
            .map(|u| (1.0 - (u + 1.0) / 2.0).powf(-1.0 / 3.0) - 1.0),
    )
}

#[test]
fn kde_exact_matches_naive_and_reflection_integrates_to_one() {
    let x = pareto(500);
    let kde = GaussianKde::new_1d(&x, Bandwidth::Silverman, None).unwrap();
    let sigma = kde.covariance()[[0, 0]].sqrt();
    let w = vec![1.0 / 500.0; 500];
    let pts: Vec<f64> = (0..50).map(|i| -1.0 + i as f64 * 0.1).collect();
    let got = kde.evaluate_1d(&pts).unwrap();
    for (p, g) in pts.iter().zip(&got) {
        assert!((g - naive::kde_1d(x.as_slice().unwrap(), &w, sigma, *p)).abs() < 1e-14);
    }
    // Plain KDE puts mass below 0; the reflected one integrates to 1 on [0, inf).
    let lost = kde.integrate_box_1d(f64::NEG_INFINITY, 0.0);
    assert!(lost > 0.01, "plain KDE mass below 0: {lost}");
    let refl = kde.clone().with_bounds(0.0, f64::INFINITY).unwrap();
    assert!((refl.integrate_box_1d(0.0, f64::INFINITY) - 1.0).abs() < 1e-12);
    assert_eq!(refl.integrate_box_1d(-5.0, 0.0), 0.0);
    // Independent check: trapezoid rule of the evaluated density on [0, 60].
    let h = 1e-3;
    let grid: Vec<f64> = (0..=60_000).map(|i| i as f64 * h).collect();
    let d = refl.evaluate_1d(&grid).unwrap();
    let trap = h * (d.sum() - 0.5 * (d[0] + d[d.len() - 1]));
    assert!((trap - 1.0).abs() < 1e-4, "trapezoid integral {trap}");
    // Density at the bound is not depressed: reflection doubles the contribution there.
    assert!(
        (refl.evaluate_1d(&[0.0]).unwrap()[0] - 2.0 * kde.evaluate_1d(&[0.0]).unwrap()[0]).abs()
            < 1e-12
    );
}

#[test]
fn kde_binned_within_1e4_of_exact_peak() {
    let x = pareto(100_000);
    for bounded in [false, true] {
        let mut kde = GaussianKde::new_1d(&x, Bandwidth::Scott, None).unwrap();
        if bounded {
            kde = kde.with_bounds(0.0, f64::INFINITY).unwrap();
        }
        let (lo, hi, m) = (0.0, 4.0, 401);
        let fast = kde.evaluate_binned_1d(lo, hi, m).unwrap();
        let grid: Vec<f64> = (0..m)
            .map(|i| lo + i as f64 * (hi - lo) / (m - 1) as f64)
            .collect();
        let exact = kde.evaluate_1d(&grid).unwrap();
        let peak = exact.iter().fold(0.0f64, |a, &b| a.max(b));
        let err = fast
            .iter()
            .zip(&exact)
            .fold(0.0f64, |a, (p, q)| a.max((p - q).abs()));
        println!("binned vs exact (n = 1e5, bounded = {bounded}): max abs error {err:.2e}, peak {peak:.4}");
        assert!(err < 1e-4 * peak, "binned error {err} vs peak {peak}");
    }
}

#[test]
fn kde_2d_matches_direct_formula() {
    let n = 300;
    let u = noise(n, 1);
    let v = noise(n, 2);
    let data = Array2::from_shape_fn(
        (2, n),
        |(r, i)| if r == 0 { u[i] } else { 0.5 * u[i] + v[i] },
    );
    let kde = GaussianKde::new(&data, Bandwidth::Scott, None).unwrap();
    let c = kde.covariance();
    let det = c[[0, 0]] * c[[1, 1]] - c[[0, 1]] * c[[1, 0]];
    let inv = [c[[1, 1]] / det, -c[[0, 1]] / det, c[[0, 0]] / det];
    let p = [0.2, -0.3];
    let want: f64 = (0..n)
        .map(|i| {
            let (dx, dy) = (p[0] - data[[0, i]], p[1] - data[[1, i]]);
            (-0.5 * (inv[0] * dx * dx + 2.0 * inv[1] * dx * dy + inv[2] * dy * dy)).exp()
        })
        .sum::<f64>()
        / (n as f64 * 2.0 * std::f64::consts::PI * det.sqrt());
    let got = kde
        .evaluate(&Array2::from_shape_vec((2, 1), p.to_vec()).unwrap())
        .unwrap()[0];
    assert!((got - want).abs() < 1e-14 * want.max(1.0));
    // Scott factor for d = 2: n^(-1/6).
    assert!((kde.factor() - (n as f64).powf(-1.0 / 6.0)).abs() < 1e-15);
}

#[test]
fn radial_power_spectrum_satisfies_parseval() {
    // sum over bins of count * mean = sum |F|^2 = N sum a^2; counts from the bin geometry.
    let (ny, nx) = (12, 17);
    let a = Array2::from_shape_vec((ny, nx), noise(ny * nx, 9)).unwrap();
    let p = radial_power_spectrum(&a).unwrap();
    let mut counts = vec![0.0; p.len()];
    for i in 0..ny {
        for j in 0..nx {
            let ky = fftfreq(ny, 1.0 / ny as f64).unwrap()[i];
            let kx = fftfreq(nx, 1.0 / nx as f64).unwrap()[j];
            counts[(ky.hypot(kx)).round() as usize] += 1.0;
        }
    }
    let total: f64 = p
        .iter()
        .zip(&counts)
        .map(|(m, c)| if *c > 0.0 { m * c } else { 0.0 })
        .sum();
    let want = (ny * nx) as f64 * a.iter().map(|v| v * v).sum::<f64>();
    assert!((total - want).abs() < 1e-12 * want);
}

/// The 2-D fast paths (fused row/column FFT stages, Hermitian-halved upsampled DFT) against
/// the generic N-d route, reached through a leading length-1 axis.
#[test]
fn two_d_registration_paths_match_the_nd_route() {
    for (k, &(n0, n1)) in [(16, 16), (17, 12), (12, 21), (33, 31), (64, 48)]
        .iter()
        .enumerate()
    {
        let img = Array2::from_shape_vec((n0, n1), noise(n0 * n1, 900 + k as u64)).unwrap();
        let moved = roll2(&img, 3, -2).mapv(|v| v * 0.9 + 0.3)
            + &Array2::from_shape_vec((n0, n1), noise(n0 * n1, 7))
                .unwrap()
                .mapv(|v| 0.05 * v);
        let as3 = |a: &Array2<f64>| a.clone().insert_axis(Axis(0));
        // Circular cross-correlation: surface, shift and ncc.
        let p2 = cross_correlate_circular(&moved, &img).unwrap();
        let p3 = cross_correlate_circular(&as3(&moved), &as3(&img)).unwrap();
        assert_eq!(p2.shift[..], p3.shift[1..]);
        assert!(
            max_rel_err(
                p2.correlation.iter().copied(),
                p3.correlation.iter().copied()
            ) < 1e-12
        );
        assert!((p2.ncc - p3.ncc).abs() < 1e-12);
        for up in [1usize, 2, 10, 100] {
            for norm in [Normalization::Phase, Normalization::None] {
                let r2 = phase_cross_correlation(&img, &moved, up, norm).unwrap();
                let r3 = phase_cross_correlation(&as3(&img), &as3(&moved), up, norm).unwrap();
                let tag = format!("{n0}x{n1} up={up} {norm:?}: {r2:?} vs {r3:?}");
                assert_eq!(r2.shift[..], r3.shift[1..], "{tag}");
                assert!((r2.error - r3.error).abs() < 1e-9, "{tag}");
                assert!((r2.phasediff - r3.phasediff).abs() < 1e-9, "{tag}");
            }
        }
    }
    // Strided and negative-stride views take the same path.
    let img = Array2::from_shape_vec((20, 30), noise(600, 3)).unwrap();
    let moved = roll2(&img, -4, 7);
    let v = img.slice(s![..;-1, ..]);
    let m = moved.slice(s![..;-1, ..]);
    let r = phase_cross_correlation(&v, &m, 10, Normalization::Phase).unwrap();
    assert_eq!(r.shift, vec![-4.0, -7.0]);
    let t = img.t();
    let mt = moved.t();
    let p = cross_correlate_circular(&mt, &t).unwrap();
    assert_eq!(p.shift, vec![7, -4]);
}

/// Q3's fused chain against the composition of the validated kernels.
#[test]
fn detrend_rolling_pearson_matches_the_composition() {
    let compose =
        |a: &ndarray::ArrayViewD<f64>, y: &Array1<f64>, ax: usize, w: usize, trim: usize| {
            let n = a.shape()[ax];
            let opt = Rolling::new(w).center(true);
            let d = detrend(a, ax as isize, Trend::Linear, &[]).unwrap();
            let m = rolling_mean(&d, ax as isize, opt).unwrap();
            let yd = detrend(y, 0, Trend::Linear, &[]).unwrap();
            let ym = rolling_mean(&yd, 0, opt).unwrap();
            pearson_r(
                &m.slice_axis(Axis(ax), (trim..n - trim).into()),
                &ym.slice(s![trim..n - trim]),
                ax as isize,
            )
            .unwrap()
        };
    for (case, &(shape, ax, w, trim)) in [
        ([120usize, 5, 11], 0usize, 21usize, 10usize),
        ([120, 5, 11], 0, 20, 30),
        ([7, 300, 3], 1, 361 / 3, 61),
        ([4, 3, 97], 2, 9, 4),
        ([3, 9, 60], 2, 1, 0),
    ]
    .iter()
    .enumerate()
    {
        let n = shape[ax];
        let len = shape.iter().product();
        let mut a = ArrayD::from_shape_vec(IxDyn(&shape), noise(len, 40 + case as u64)).unwrap();
        let y = Array1::from(noise(n, 99));
        // Part of every series follows y; one series gets a NaN; one is a pure line (NaN r).
        for (idx, v) in a.indexed_iter_mut() {
            let t = idx[ax];
            *v += 2.0 * y[t] * (idx[(ax + 1) % 3] as f64 - 1.5) + 0.03 * t as f64;
        }
        let mut nan_at = vec![1usize; 3];
        nan_at[ax] = n / 2;
        a[IxDyn(&nan_at)] = f64::NAN;
        let perm_ax = [2usize, 0, 1].iter().position(|&d| d == ax).unwrap();
        for (view, vax) in [
            (a.view(), ax),
            (a.view().permuted_axes(IxDyn(&[2, 0, 1])), perm_ax),
            (
                a.slice_each_axis(|d| {
                    ndarray::Slice::new(0, None, if d.axis.index() == ax { 1 } else { -1 })
                }),
                ax,
            ),
        ] {
            let got = detrend_rolling_pearson(&view, &y, vax as isize, w, trim).unwrap();
            let want = compose(&view, &y, vax, w, trim);
            assert_eq!(got.shape(), want.shape());
            assert!(got.iter().filter(|v| v.is_nan()).count() >= 1);
            assert!(
                max_rel_err(got.iter().copied(), want.iter().copied()) < 1e-11,
                "case {case}"
            );
        }
    }
    // f32 in, f32 out, and the 1-D case.
    let y = Array1::from_shape_fn(200, |t| (t as f32 * 0.1).sin());
    let r = detrend_rolling_pearson(&y.mapv(|v| 3.0 * v + 1.0), &y, 0, 15, 7).unwrap();
    assert_eq!(r.ndim(), 0);
    assert!((r[[]] - 1.0).abs() < 1e-5);
    // Bad input says what to change.
    let a = Array2::<f64>::zeros((50, 3));
    let y = Array1::<f64>::zeros(50);
    let msg = |e: Error| e.to_string();
    assert!(
        msg(detrend_rolling_pearson(&a, &y, 0, 11, 4).unwrap_err()).contains("trim >= window / 2")
    );
    assert!(msg(detrend_rolling_pearson(&a, &y, 0, 11, 25).unwrap_err()).contains("trim <="));
    assert!(detrend_rolling_pearson(&a, &y, 0, 0, 4).is_err());
    assert!(detrend_rolling_pearson(&a, &y, 0, 51, 30).is_err());
    assert!(detrend_rolling_pearson(&a, &y, 1, 2, 1).is_err());
    assert!(detrend_rolling_pearson(&a, &y, 2, 5, 4).is_err());
}

/// Overlap-add against the naive full convolution and against `fftconvolve` in every mode,
/// long input first or second, N-d with one cut axis, and scipy's length-1 broadcasting.
#[test]
fn oaconvolve_matches_naive_and_fftconvolve() {
    for &s1 in &[1usize, 40, 300, 1000, 5003] {
        for &s2 in &[1usize, 2, 3, 7, 31, 100] {
            let x = Array1::from(noise(s1, s1 as u64));
            let k = Array1::from(noise(s2, 1000 + s2 as u64));
            let want = naive::convolve_full(x.as_slice().unwrap(), k.as_slice().unwrap());
            for (a, b) in [(&x, &k), (&k, &x)] {
                let got = oaconvolve(a, b, Mode::Full, None).unwrap();
                assert!(
                    max_rel_err(got.iter().copied(), want.iter().copied()) < 1e-12,
                    "{s1} {s2}"
                );
                for mode in [Mode::Same, Mode::Valid] {
                    let o = oaconvolve(a, b, mode, None).unwrap();
                    let f = fftconvolve(a, b, mode, None).unwrap();
                    assert_eq!(o.shape(), f.shape());
                    assert!(max_rel_err(o.iter().copied(), f.iter().copied()) < 1e-12);
                }
            }
        }
    }
    // Long 1-D inputs: many parallel tasks of blocks, spills across task boundaries, and a
    // reversed (negative-stride) view.
    for &(s1, s2) in &[(200_003usize, 41usize), (99_991, 2), (150_000, 257)] {
        let x = Array1::from(noise(s1, 7 + s1 as u64));
        let k = Array1::from(noise(s2, 9 + s2 as u64));
        let xr = x.slice(ndarray::s![..;-1]);
        let xr_owned: Vec<f64> = xr.iter().copied().collect();
        let want = naive::convolve_full(&xr_owned, k.as_slice().unwrap());
        let got = oaconvolve(&xr, &k, Mode::Full, None).unwrap();
        assert!(
            max_rel_err(got.iter().copied(), want.iter().copied()) < 1e-12,
            "{s1} {s2}"
        );
    }
    let a = Array2::from_shape_vec((40, 3000), noise(120_000, 5)).unwrap();
    let k = Array2::from_shape_vec((3, 17), noise(51, 6)).unwrap();
    for mode in [Mode::Full, Mode::Same, Mode::Valid] {
        let o = oaconvolve(&a, &k, mode, None).unwrap();
        let f = fftconvolve(&a, &k, mode, None).unwrap();
        assert!(max_rel_err(o.iter().copied(), f.iter().copied()) < 1e-12);
        let d = convolve(&a, &k, mode, Method::Direct, None).unwrap();
        let auto = convolve(&a, &k, mode, Method::Auto, None).unwrap();
        assert!(max_rel_err(auto.iter().copied(), d.iter().copied()) < 1e-12);
    }
    // Broadcasting a length-1 non-convolved axis (either input), all three routes.
    let k1 = Array2::from_shape_vec((1, 25), noise(25, 8)).unwrap();
    let row = a.slice(s![3..4, ..]).to_owned();
    for (p, q) in [
        (&a, &k1),
        (
            &row,
            &Array2::from_shape_vec((40, 25), noise(1000, 9)).unwrap(),
        ),
    ] {
        let d = convolve(p, q, Mode::Same, Method::Direct, Some(&[1])).unwrap();
        // scipy `_centered(ret, in1.shape)`: in1's shape on every axis, so a broadcast
        // length-1 axis of in1 keeps the centre row (19 of 40) of the broadcast result.
        assert_eq!(d.shape(), p.shape());
        let centre = if p.nrows() == 1 { (40 - 1) / 2 } else { 0 };
        // Row i: the (broadcast) row of p convolved with the (broadcast) row of q.
        for i in [0usize, 17, 39].into_iter().filter(|&i| i < p.nrows()) {
            let b = i + centre;
            let pi = p.row(b.min(p.nrows() - 1)).to_vec();
            let qi = q.row(b.min(q.nrows() - 1)).to_vec();
            let full = naive::convolve_full(&pi, &qi);
            let start = (full.len() - pi.len()) / 2;
            let got = d.slice(s![i, ..]).to_vec();
            assert!(max_rel_err(got, full[start..start + pi.len()].to_vec()) < 1e-12);
        }
        for f in [
            fftconvolve(p, q, Mode::Same, Some(&[1])).unwrap(),
            oaconvolve(p, q, Mode::Same, Some(&[1])).unwrap(),
            convolve(p, q, Mode::Same, Method::Auto, Some(&[1])).unwrap(),
        ] {
            assert!(max_rel_err(f.iter().copied(), d.iter().copied()) < 1e-12);
        }
    }
    // Unequal non-convolved lengths that are not 1 stay an error.
    let bad = Array2::<f64>::zeros((7, 25));
    assert!(oaconvolve(&a, &bad, Mode::Same, Some(&[1])).is_err());
}

/// The `_into` twins write what the allocating functions return, into any layout.
#[test]
fn rolling_into_twins_match_allocating_versions() {
    let a = Array2::from_shape_vec((30, 7), noise(210, 12)).unwrap();
    let opt = Rolling::new(5).min_periods(2).center(true);
    let mut out = Array2::<f64>::zeros((7, 30));
    let mut t = out.view_mut().reversed_axes();
    rolling_sum_into(&a, 0, opt, &mut t).unwrap();
    assert_eq!(t, rolling_sum(&a, 0, opt).unwrap());
    rolling_var_into(&a, 0, opt, 1, &mut t).unwrap();
    assert_eq!(t, rolling_var(&a, 0, opt, 1).unwrap());
    rolling_std_into(&a, 1, opt, 0, &mut t).unwrap();
    assert_eq!(t, rolling_std(&a, 1, opt, 0).unwrap());
    let mut wrong = Array2::<f64>::zeros((30, 6));
    assert!(rolling_sum_into(&a, 0, opt, &mut wrong).is_err());
    assert!(rolling_var_into(&a, 0, opt, 1, &mut wrong).is_err());
    assert!(rolling_std_into(&a, 0, opt, 1, &mut wrong).is_err());
}

/// 2-D reflection: zero outside the box, the sum of the plain density at the mirror images
/// inside, and total mass 1 over a quarter plane for correlated positive data (a plain KDE
/// loses the mass across the edges).
#[test]
fn kde_2d_reflection_integrates_to_one_over_the_box() {
    let u = noise(800, 31);
    let e: Vec<f64> = u.iter().map(|&v| -(0.5 * (v + 1.0) + 1e-9).ln()).collect();
    let data = Array2::from_shape_fn((2, 400), |(k, i)| {
        if k == 0 {
            e[i]
        } else {
            0.5 * e[i] + e[400 + i]
        }
    });
    let plain = GaussianKde::new(&data, Bandwidth::Scott, None).unwrap();
    let kde = plain
        .clone()
        .with_bounds_2d([0.0, 0.0], [f64::INFINITY, f64::INFINITY])
        .unwrap();
    let h = 0.05;
    let m = 240; // [0, 12]^2
    let grid = Array2::from_shape_fn((2, m * m), |(k, j)| {
        let idx = if k == 0 { j / m } else { j % m };
        (idx as f64 + 0.5) * h
    });
    let mass = |k: &GaussianKde| k.evaluate(&grid).unwrap().sum() * h * h;
    let (reflected, unbounded) = (mass(&kde), mass(&plain));
    assert!((reflected - 1.0).abs() < 2e-3, "{reflected}");
    assert!(unbounded < 0.95, "{unbounded}");
    // Definition: the plain density summed over the images (x, -x) per axis.
    let p = [0.3, 0.7];
    let imgs = ndarray::array![[0.3, -0.3, 0.3, -0.3], [0.7, 0.7, -0.7, -0.7]];
    let want = plain.evaluate(&imgs).unwrap().sum();
    let got = kde.evaluate(&ndarray::array![[p[0]], [p[1]]]).unwrap()[0];
    assert!((got - want).abs() <= 1e-14 * want);
    assert_eq!(
        kde.evaluate(&ndarray::array![[-0.01], [1.0]]).unwrap()[0],
        0.0
    );
    // Bad input.
    assert!(plain
        .clone()
        .with_bounds_2d([1.0, 0.0], [0.5, 1.0])
        .is_err());
    assert!(plain
        .clone()
        .with_bounds_2d([0.2, 0.0], [9.0, 99.0])
        .is_err());
    let one = GaussianKde::new_1d(&Array1::from(noise(50, 2)), Bandwidth::Scott, None).unwrap();
    assert!(one.with_bounds_2d([0.0, 0.0], [1.0, 1.0]).is_err());
}

/// 2-D binned evaluation within 1e-4 of the exact peak for correlated data (the bound).
#[test]
fn kde_2d_binned_within_1e4_of_exact_peak() {
    // 300 samples: few bumps, so a sample's mid-cell binning error is not averaged away.
    for n in [300usize, 2000] {
        kde_2d_binned_case(n);
    }
}

fn kde_2d_binned_case(n: usize) {
    let u = noise(2 * n, 77);
    let data = Array2::from_shape_fn((2, n), |(k, i)| {
        let a = u[i] * 3.0;
        if k == 0 {
            a
        } else {
            0.6 * a + u[n + i] * 2.0 + 1.0
        }
    });
    // The whole data, and a window inside it (samples outside the padded grid are dropped
    // and the circular convolution wraps: both must stay below the bound).
    let boxes = [
        ([-4.0, -3.0], [4.0, 5.0], [41usize, 33]),
        ([-0.5, 0.0], [0.7, 1.9], [17usize, 24]),
    ];
    for (bw, (lo, hi, m)) in [Bandwidth::Scott, Bandwidth::Factor(0.1)]
        .into_iter()
        .flat_map(|bw| boxes.map(|b| (bw, b)))
    {
        let kde = GaussianKde::new(&data, bw, None).unwrap();
        let fast = kde.evaluate_binned_2d(lo, hi, m).unwrap();
        let pts = Array2::from_shape_fn((2, m[0] * m[1]), |(k, j)| {
            let idx = if k == 0 { j / m[1] } else { j % m[1] };
            lo[k] + idx as f64 * (hi[k] - lo[k]) / (m[k] - 1) as f64
        });
        let exact = kde.evaluate(&pts).unwrap();
        let peak = exact.iter().cloned().fold(0.0, f64::max);
        let worst = fast
            .iter()
            .zip(&exact)
            .fold(0.0f64, |w, (a, b)| w.max((a - b).abs()));
        assert!(worst < 1e-4 * peak, "{bw:?}: {worst} vs peak {peak}");
    }
    let kde = GaussianKde::new(&data, Bandwidth::Scott, None).unwrap();
    assert!(kde
        .evaluate_binned_2d([0.0, 0.0], [1.0, 1.0], [1, 5])
        .is_err());
    assert!(kde
        .evaluate_binned_2d([1.0, 0.0], [1.0, 1.0], [5, 5])
        .is_err());
    let bounded = kde
        .clone()
        .with_bounds_2d([-4.0, -9.0], [4.0, 9.0])
        .unwrap();
    assert!(bounded
        .evaluate_binned_2d([0.0, 0.0], [1.0, 1.0], [5, 5])
        .is_err());
    let one = GaussianKde::new_1d(&Array1::from(noise(50, 2)), Bandwidth::Scott, None).unwrap();
    assert!(one
        .evaluate_binned_2d([0.0, 0.0], [1.0, 1.0], [5, 5])
        .is_err());
}
