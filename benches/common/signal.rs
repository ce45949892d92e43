//! Signal workloads (issue "Signal"): Q3's detrend / centred rolling mean / trim / Pearson
//! pipeline, 2-D circular cross-correlation, phase correlation with subpixel refinement,
//! overlap-add convolution of a long signal with a short kernel, and Gaussian KDE (exact and
//! binned, 1-D and 2-D). Peers are the scipy/numpy idioms in the peers package.

use std::rc::Rc;

use ndarray::{s, Array1, ArrayD, IxDyn};
use ndkern_signal as sig;

use super::{data, Case, Dtype, Out, Workload};

/// The signal rows of the benchmark table.
pub fn workloads() -> Vec<Workload> {
    vec![
        Workload {
            name: "q3_detrend_rolling_pearson",
            kernel: "detrend_rolling_pearson(&a, &y, 0, 361, 300) (one pass per 64-series panel)",
            dtype: Dtype::F64,
            shape: &[2000, 60, 180],
            smoke_shape: &[800, 3, 4],
            axes: Some(&[0]),
            peer: Some("q3_pipeline"),
            build: build_q3,
        },
        Workload {
            name: "xcorr_circular_2d",
            kernel: "cross_correlate_circular(&a, &b)",
            dtype: Dtype::F64,
            shape: &[1024, 1024],
            smoke_shape: &[32, 24],
            axes: None,
            peer: Some("xcorr_circular"),
            build: build_xcorr,
        },
        Workload {
            name: "phase_cross_correlation_up100",
            kernel: "phase_cross_correlation(&a, &b, 100, Phase)",
            dtype: Dtype::F64,
            shape: &[512, 512],
            smoke_shape: &[32, 32],
            axes: None,
            peer: Some("phase_cross_correlation"),
            build: build_phase,
        },
        Workload {
            name: "gaussian_kde_exact",
            kernel: "GaussianKde::new_1d(&x, Scott)?.evaluate_1d(&grid2048)",
            dtype: Dtype::F64,
            shape: &[100_000],
            smoke_shape: &[2_000],
            axes: None,
            peer: Some("gaussian_kde"),
            build: build_kde_exact,
        },
        Workload {
            name: "gaussian_kde_binned",
            kernel: "GaussianKde::new_1d(&x, Scott)?.evaluate_binned_1d(1, 2, 2048)",
            dtype: Dtype::F64,
            shape: &[100_000],
            smoke_shape: &[2_000],
            axes: None,
            peer: Some("gaussian_kde"),
            build: build_kde_binned,
        },
        Workload {
            name: "oaconvolve_1e6x41",
            kernel: "oaconvolve(&a, &a.slice(s![..41]), Full, None)",
            dtype: Dtype::F64,
            shape: &[1_000_000],
            smoke_shape: &[5_000],
            axes: None,
            peer: Some("oaconvolve_41"),
            build: build_oaconvolve,
        },
        Workload {
            name: "gaussian_kde_2d_exact",
            kernel: "GaussianKde::new(&x, Scott, None)?.evaluate(&grid64x64)",
            dtype: Dtype::F64,
            shape: &[2, 20_000],
            smoke_shape: &[2, 500],
            axes: None,
            peer: Some("gaussian_kde_2d"),
            build: build_kde2_exact,
        },
        Workload {
            name: "gaussian_kde_2d_binned",
            kernel:
                "GaussianKde::new(&x, Scott, None)?.evaluate_binned_2d([1, 1], [2, 2], [64, 64])",
            dtype: Dtype::F64,
            shape: &[2, 20_000],
            smoke_shape: &[2, 500],
            axes: None,
            peer: Some("gaussian_kde_2d"),
            build: build_kde2_binned,
        },
    ]
}

const W: usize = 361;

/// Naive Q3 treatment of one series: lstsq-free detrend, prefix-sum centred mean, trim.
fn naive_treat(x: &[f64], trim: usize) -> Vec<f64> {
    let d = sig::reference::detrend_linear(x);
    let mut cs = vec![0.0; d.len() + 1];
    for (i, v) in d.iter().enumerate() {
        cs[i + 1] = cs[i] + v;
    }
    let h = W / 2;
    (trim..d.len() - trim)
        .map(|i| (cs[i + h + 1] - cs[i - h]) / W as f64)
        .collect()
}

fn build_q3(shape: &[usize]) -> Case {
    let a = Rc::new(data::<f64>(shape));
    let n = shape[0];
    let trim = W / 2 + 120;
    let y: Array1<f64> = a.slice(s![.., 0, 0]).to_owned();
    let b = Rc::clone(&a);
    let y2 = y.clone();
    let lanes: usize = shape[1..].iter().product();
    Case {
        bytes: (8 * (n * lanes + lanes)) as u64,
        flops: None,
        fast: Box::new(move || {
            Out::F64(sig::detrend_rolling_pearson(&*a, &y, 0, W, trim).expect("shapes"))
        }),
        naive: Box::new(move || {
            let yt = naive_treat(&y2.to_vec(), trim);
            let flat = b.view().into_shape_with_order((n, lanes)).expect("C order");
            let r: Vec<f64> = (0..lanes)
                .map(|l| sig::reference::pearson(&naive_treat(&flat.column(l).to_vec(), trim), &yt))
                .collect();
            Out::F64(ArrayD::from_shape_vec(IxDyn(&b.shape()[1..]), r).expect("shape"))
        }),
        tol: 1e-9,
    }
}

/// Second image: the first rolled by (3, -5) with the shared data.
fn pair(shape: &[usize]) -> (Rc<ArrayD<f64>>, Rc<ArrayD<f64>>) {
    let a = data::<f64>(shape);
    let (ny, nx) = (shape[0], shape[1]);
    let b = ArrayD::from_shape_fn(IxDyn(shape), |i| a[[(i[0] + ny - 3) % ny, (i[1] + 5) % nx]]);
    (Rc::new(a), Rc::new(b))
}

fn build_xcorr(shape: &[usize]) -> Case {
    let (a, b) = pair(shape);
    let (a2, b2) = (Rc::clone(&a), Rc::clone(&b));
    let n: usize = shape.iter().product();
    Case {
        bytes: (8 * 3 * n) as u64,
        flops: None,
        fast: Box::new(move || {
            let p = sig::cross_correlate_circular(&*a, &*b).expect("same shape");
            Out::F64(
                ArrayD::from_shape_vec(IxDyn(&[2]), p.shift.iter().map(|&v| v as f64).collect())
                    .expect("2"),
            )
        }),
        // Naive: the shift is known by construction (a = roll(b, (-3, 5))).
        naive: Box::new(move || {
            let _ = (&a2, &b2);
            Out::F64(ArrayD::from_shape_vec(IxDyn(&[2]), vec![-3.0, 5.0]).expect("2"))
        }),
        tol: 0.0,
    }
}

fn build_phase(shape: &[usize]) -> Case {
    let (a, b) = pair(shape);
    let n: usize = shape.iter().product();
    Case {
        bytes: (8 * 2 * n) as u64,
        flops: None,
        fast: Box::new(move || {
            let r = sig::phase_cross_correlation(&*a, &*b, 100, sig::Normalization::Phase)
                .expect("same shape");
            Out::F64(ArrayD::from_shape_vec(IxDyn(&[2]), r.shift).expect("2"))
        }),
        naive: Box::new(|| {
            Out::F64(ArrayD::from_shape_vec(IxDyn(&[2]), vec![-3.0, 5.0]).expect("2"))
        }),
        tol: 0.0,
    }
}

fn grid() -> Vec<f64> {
    (0..2048).map(|i| 1.0 + i as f64 / 2047.0).collect()
}

fn build_kde_exact(shape: &[usize]) -> Case {
    let x = series(shape);
    let x2 = Rc::clone(&x);
    Case {
        bytes: (8 * (shape[0] + 2 * 2048)) as u64,
        flops: Some((shape[0] * 2048 * 20) as u64),
        fast: Box::new(move || {
            let kde = sig::GaussianKde::new_1d(&*x, sig::Bandwidth::Scott, None).expect("data");
            Out::F64(kde.evaluate_1d(&grid()).expect("1-D").into_dyn())
        }),
        naive: Box::new(move || Out::F64(naive_kde(&x2).into_dyn())),
        tol: 1e-12,
    }
}

fn build_kde_binned(shape: &[usize]) -> Case {
    let x = series(shape);
    let x2 = Rc::clone(&x);
    Case {
        bytes: (8 * (shape[0] + 2048)) as u64,
        flops: None,
        fast: Box::new(move || {
            let kde = sig::GaussianKde::new_1d(&*x, sig::Bandwidth::Scott, None).expect("data");
            Out::F64(
                kde.evaluate_binned_1d(1.0, 2.0, 2048)
                    .expect("grid")
                    .into_dyn(),
            )
        }),
        naive: Box::new(move || Out::F64(naive_kde(&x2).into_dyn())),
        // Linear binning error bound (module docs): < 1e-4 of the peak.
        tol: 1e-4,
    }
}

/// Scott-bandwidth KDE on the grid by the naive double loop.
fn naive_kde(x: &Array1<f64>) -> Array1<f64> {
    let n = x.len() as f64;
    let m = x.sum() / n;
    let var = x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n - 1.0);
    let sigma = var.sqrt() * n.powf(-0.2);
    let w = vec![1.0 / n; x.len()];
    let xs = x.to_vec();
    Array1::from(
        grid()
            .iter()
            .map(|&g| sig::reference::kde_1d(&xs, &w, sigma, g))
            .collect::<Vec<_>>(),
    )
}

const TAPS: usize = 41;

/// Full convolution of the signal with its own first 41 samples (the kernel the peer builds).
fn build_oaconvolve(shape: &[usize]) -> Case {
    let a = series(shape);
    let a2 = Rc::clone(&a);
    let n = shape[0];
    Case {
        bytes: (8 * (n + TAPS + n + TAPS - 1)) as u64,
        flops: None,
        fast: Box::new(move || {
            Out::F64(
                sig::oaconvolve(&*a, &a.slice(s![..TAPS]), sig::Mode::Full, None)
                    .expect("1-D pair"),
            )
        }),
        naive: Box::new(move || {
            let x = a2.to_vec();
            let full = sig::reference::convolve_full(&x, &x[..TAPS]);
            Out::F64(Array1::from(full).into_dyn())
        }),
        tol: 1e-12,
    }
}

const GRID2: usize = 64;

/// Column `(i, j)` of the 64 x 64 grid `linspace(1, 2, 64)^2`, C order (the peer's meshgrid 'ij').
fn grid2() -> ndarray::Array2<f64> {
    let g = |k: usize| 1.0 + k as f64 / (GRID2 - 1) as f64;
    ndarray::Array2::from_shape_fn((2, GRID2 * GRID2), |(r, c)| {
        if r == 0 {
            g(c / GRID2)
        } else {
            g(c % GRID2)
        }
    })
}

/// The shared data as a 1-D series.
fn series(shape: &[usize]) -> Rc<Array1<f64>> {
    Rc::new(
        data::<f64>(shape)
            .into_dimensionality::<ndarray::Ix1>()
            .expect("1-D"),
    )
}

/// The shared data as a `(2, n)` 2-D dataset.
fn dataset2(shape: &[usize]) -> Rc<ndarray::Array2<f64>> {
    Rc::new(
        data::<f64>(shape)
            .into_dimensionality::<ndarray::Ix2>()
            .expect("2-D"),
    )
}

fn build_kde2_exact(shape: &[usize]) -> Case {
    let x = dataset2(shape);
    let x2 = Rc::clone(&x);
    let (n, m) = (shape[1], GRID2 * GRID2);
    Case {
        bytes: (8 * (2 * n + 3 * m)) as u64,
        flops: Some((n * m * 20) as u64),
        fast: Box::new(move || {
            let kde = sig::GaussianKde::new(&*x, sig::Bandwidth::Scott, None).expect("data");
            Out::F64(kde.evaluate(&grid2()).expect("2-D").into_dyn())
        }),
        naive: Box::new(move || Out::F64(naive_kde2(&x2))),
        tol: 1e-12,
    }
}

fn build_kde2_binned(shape: &[usize]) -> Case {
    let x = dataset2(shape);
    let x2 = Rc::clone(&x);
    let n = shape[1];
    Case {
        bytes: (8 * (2 * n + GRID2 * GRID2)) as u64,
        flops: None,
        fast: Box::new(move || {
            let kde = sig::GaussianKde::new(&*x, sig::Bandwidth::Scott, None).expect("data");
            let g = kde
                .evaluate_binned_2d([1.0, 1.0], [2.0, 2.0], [GRID2, GRID2])
                .expect("grid");
            Out::F64(
                g.into_shape_with_order(GRID2 * GRID2)
                    .expect("C order")
                    .into_dyn(),
            )
        }),
        naive: Box::new(move || Out::F64(naive_kde2(&x2))),
        // Bilinear binning error bound (evaluate_binned_2d docs): about 8e-5 of the peak.
        tol: 1e-4,
    }
}

/// Scott-bandwidth 2-D KDE on the 64 x 64 grid by the naive double loop (sample covariance
/// with ddof 1 times `n^(-1/3)`, scipy's definition).
fn naive_kde2(x: &ndarray::Array2<f64>) -> ArrayD<f64> {
    let n = x.ncols();
    let (x0, x1) = (x.row(0).to_vec(), x.row(1).to_vec());
    let mean = |v: &[f64]| v.iter().sum::<f64>() / n as f64;
    let (m0, m1) = (mean(&x0), mean(&x1));
    let cross = |a: &[f64], ma: f64, b: &[f64], mb: f64| {
        a.iter()
            .zip(b)
            .map(|(p, q)| (p - ma) * (q - mb))
            .sum::<f64>()
            / (n - 1) as f64
    };
    let f2 = (n as f64).powf(-1.0 / 3.0);
    let c01 = cross(&x0, m0, &x1, m1) * f2;
    let cov = [
        cross(&x0, m0, &x0, m0) * f2,
        c01,
        c01,
        cross(&x1, m1, &x1, m1) * f2,
    ];
    let w = vec![1.0 / n as f64; n];
    let g = grid2();
    let v: Vec<f64> = g
        .columns()
        .into_iter()
        .map(|p| sig::reference::kde_2d(&x0, &x1, &w, cov, [p[0], p[1]]))
        .collect();
    Array1::from(v).into_dyn()
}
