//! Signal workloads (issue "Signal"): Q3's detrend / centred rolling mean / trim / Pearson
//! pipeline, 2-D circular cross-correlation, phase correlation with subpixel refinement, and
//! Gaussian KDE (exact and binned). Peers are the scipy/numpy idioms in peers.py.

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
    let x = Rc::new(
        data::<f64>(shape)
            .into_dimensionality::<ndarray::Ix1>()
            .expect("1-D"),
    );
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
    let x = Rc::new(
        data::<f64>(shape)
            .into_dimensionality::<ndarray::Ix1>()
            .expect("1-D"),
    );
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
