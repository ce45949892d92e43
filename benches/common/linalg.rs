//! Workloads of ndkern-linalg (issue 5's benchmark rows): Q12 Hessian + eigenvalues, Q2
//! pairwise Mahalanobis, cdist of 4000 x 64 points (the GEMM path), Q13 nearest palette colour,
//! k-means, Q26 row leveling, Q25 PCA.
//! Inputs derive from the suite's data in `[1, 2)` exactly as the peers package derives them. Naive
//! baselines are single-threaded scalar f64 loops (`ndkern_linalg::reference`, nalgebra's
//! per-matrix eigensolver for Q12).

use std::rc::Rc;

use ndarray::{array, Array2, ArrayD, Axis, Ix2, Ix3, IxDyn};
use ndkern_linalg as la;
use ndkern_linalg::reference;

use super::{data, Case, Dtype, Out, Workload};

fn mat(shape: &[usize]) -> Rc<Array2<f64>> {
    Rc::new(
        data::<f64>(shape)
            .into_dimensionality::<Ix2>()
            .expect("2-d"),
    )
}

fn build_q12(shape: &[usize]) -> Case {
    let a = Rc::new(
        data::<f64>(shape)
            .into_dimensionality::<Ix3>()
            .expect("3-d"),
    );
    let b = Rc::clone(&a);
    let n = a.len();
    let sh = shape.to_vec();
    // Eigenvalue planes along a new first axis (ndkern's plane layout; numpy's is (..., 3)).
    let mut planes = vec![3];
    planes.extend_from_slice(shape);
    let planes2 = planes.clone();
    Case {
        bytes: (8 * n * 4) as u64,
        flops: None,
        fast: Box::new(move || {
            let mut out = ndkern::core::zeros::<f64, _>(IxDyn(&planes));
            let mut views: Vec<_> = out
                .outer_iter_mut()
                .map(|v| v.into_dimensionality::<Ix3>().expect("3-d"))
                .collect();
            la::hessian_eigvalsh_into(&*a, la::EigOrder::Ascending, &mut views).expect("3-d");
            Out::F64(out)
        }),
        naive: Box::new(move || {
            let l = reference::hessian_eigvalsh3(b.as_slice().expect("C order"), &sh);
            Out::F64(ArrayD::from_shape_vec(IxDyn(&planes2), l.concat()).expect("shape"))
        }),
        tol: 1e-9,
    }
}

/// Q2's inverse matrix (the peers package uses the same).
fn q2_vi() -> Array2<f64> {
    array![[0.3, -0.1], [-0.1, 0.6]]
}

fn build_q2(shape: &[usize]) -> Case {
    let a = mat(shape);
    let b = Rc::clone(&a);
    let m = shape[0];
    Case {
        bytes: (8 * (2 * m + m * m)) as u64,
        flops: Some((5 * m * m) as u64),
        fast: Box::new(move || {
            Out::F64(
                la::cdist(&*a, &*a, &la::Metric::SqMahalanobis(q2_vi()))
                    .expect("valid")
                    .into_dyn(),
            )
        }),
        naive: Box::new(move || {
            let vi = q2_vi();
            Out::F64(reference::cdist_sq(b.view(), b.view(), Some(vi.view())).into_dyn())
        }),
        tol: 1e-12,
    }
}

fn build_cdist64(shape: &[usize]) -> Case {
    // cdist of m x d points against themselves; FLOP count of the GEMM core, 2 m^2 d.
    let a = mat(shape);
    let b = Rc::clone(&a);
    let (m, d) = (shape[0], shape[1]);
    Case {
        bytes: (8 * (m * d + m * m)) as u64,
        flops: Some((2 * m * m * d) as u64),
        fast: Box::new(move || {
            Out::F64(
                la::cdist(&*a, &*a, &la::Metric::SqEuclidean)
                    .expect("valid")
                    .into_dyn(),
            )
        }),
        naive: Box::new(move || Out::F64(reference::cdist_sq(b.view(), b.view(), None).into_dyn())),
        tol: 1e-12,
    }
}

fn build_q13(shape: &[usize]) -> Case {
    // Pixels (h, w, 3); palette = the first 64 pixels (the peers package: a.reshape(-1, 3)[:64]).
    let a = Rc::new(
        data::<f64>(shape)
            .into_dimensionality::<Ix3>()
            .expect("3-d"),
    );
    let pal = Rc::new(
        a.to_shape((shape[0] * shape[1], 3))
            .expect("C order")
            .slice(ndarray::s![..64, ..])
            .to_owned(),
    );
    let (b, pal2) = (Rc::clone(&a), Rc::clone(&pal));
    let n = shape[0] * shape[1];
    Case {
        bytes: (8 * 3 * n + 8 * n) as u64,
        flops: Some((3 * 64 * 3 * n) as u64),
        fast: Box::new(move || {
            let (l, _) = la::nearest(&*a, &*pal).expect("valid");
            Out::F64(l.mapv(|v| v as f64).into_dyn())
        }),
        naive: Box::new(move || {
            let flat = b.to_shape((n, 3)).expect("C order");
            let (l, _) = reference::nearest(flat.view(), pal2.view());
            Out::F64(
                ArrayD::from_shape_vec(
                    IxDyn(&[shape_hw(&b)[0], shape_hw(&b)[1]]),
                    l.into_iter().map(|v| v as f64).collect(),
                )
                .expect("shape"),
            )
        }),
        tol: 0.0,
    }
}

fn shape_hw(a: &ndarray::Array3<f64>) -> [usize; 2] {
    [a.shape()[0], a.shape()[1]]
}

fn build_kmeans(shape: &[usize]) -> Case {
    // k = 10, initial centroids = the first 10 samples, 20 Lloyd iterations (tol 0).
    let a = mat(shape);
    let b = Rc::clone(&a);
    let n = shape[0];
    Case {
        bytes: (8 * shape[0] * shape[1] * 20) as u64,
        flops: Some((3 * 10 * shape[1] * n * 20) as u64),
        fast: Box::new(move || {
            let init = a.slice(ndarray::s![..10, ..]).to_owned();
            let opts = la::KMeansOptions {
                init: la::KMeansInit::Given(init),
                max_iter: 20,
                tol: 0.0,
                ..la::KMeansOptions::new(10)
            };
            Out::F64(la::kmeans(&*a, &opts).expect("valid").centroids.into_dyn())
        }),
        naive: Box::new(move || {
            let init = b.slice(ndarray::s![..10, ..]).to_owned();
            let (_, c) = reference::lloyd(b.view(), init.view(), 20);
            Out::F64(c.into_dyn())
        }),
        tol: 1e-9,
    }
}

fn build_q26(shape: &[usize]) -> Case {
    let a = mat(shape);
    let b = Rc::clone(&a);
    Case {
        bytes: (8 * 2 * shape[0] * shape[1]) as u64,
        flops: None,
        fast: Box::new(move || Out::F64(la::level_rows(&*a).expect("valid").into_dyn())),
        naive: Box::new(move || {
            let mut out = (*b).clone();
            for mut row in out.rows_mut() {
                let (s, i) = reference::line(row.view());
                for (k, v) in row.iter_mut().enumerate() {
                    *v -= s * k as f64 + i;
                }
            }
            Out::F64(out.into_dyn())
        }),
        tol: 1e-10,
    }
}

fn build_q25(shape: &[usize]) -> Case {
    let a = mat(shape);
    let b = Rc::clone(&a);
    Case {
        bytes: (8 * shape[0] * (shape[1] + 2)) as u64,
        flops: None,
        fast: Box::new(move || {
            let p = la::pca(&*a, 2, false).expect("valid");
            Out::F64(p.transform(&*a).expect("same d").into_dyn())
        }),
        naive: Box::new(move || {
            // Two-pass covariance, nalgebra eigensolve (reference::eigh_desc), projection;
            // each component's largest-magnitude entry made positive (pca's sign rule).
            let mean = b.mean_axis(Axis(0)).expect("rows");
            let xc = &*b - &mean;
            let c = xc.t().dot(&xc) / (b.nrows() - 1) as f64;
            let (_, vecs) = reference::eigh_desc(&c);
            let mut v = vecs.slice(ndarray::s![.., ..2]).to_owned();
            for mut col in v.columns_mut() {
                let big = col
                    .iter()
                    .fold(0.0f64, |m, &e| if e.abs() > m.abs() { e } else { m });
                col.mapv_inplace(|e| e * big.signum());
            }
            Out::F64(xc.dot(&v).into_dyn())
        }),
        tol: 1e-9,
    }
}

/// The linalg rows of the benchmark table.
pub fn workloads() -> Vec<Workload> {
    vec![
        Workload {
            name: "q12_hessian_eigvals",
            kernel: "hessian_eigvalsh_into(&v, Ascending, &mut zeros(3 planes))",
            dtype: Dtype::F64,
            shape: &[128, 128, 128],
            smoke_shape: &[7, 8, 9],
            axes: None,
            peer: Some("q12_hessian_eig"),
            build: build_q12,
        },
        Workload {
            name: "q2_mahalanobis_3000",
            kernel: "cdist(&x, &x, &Metric::SqMahalanobis(vi))",
            dtype: Dtype::F64,
            shape: &[3000, 2],
            smoke_shape: &[37, 2],
            axes: None,
            peer: Some("q2_mahalanobis"),
            build: build_q2,
        },
        Workload {
            name: "cdist_sqeuclidean_64",
            kernel: "cdist(&x, &x, &Metric::SqEuclidean)",
            dtype: Dtype::F64,
            shape: &[4000, 64],
            smoke_shape: &[41, 64],
            axes: None,
            peer: Some("cdist_sqeuclidean"),
            build: build_cdist64,
        },
        Workload {
            name: "q13_nearest_64",
            kernel: "nearest(&img, &palette)",
            dtype: Dtype::F64,
            shape: &[1000, 1000, 3],
            smoke_shape: &[9, 10, 3],
            axes: None,
            peer: Some("q13_nearest"),
            build: build_q13,
        },
        Workload {
            name: "kmeans_200k_k10",
            kernel: "kmeans(&x, &KMeansOptions { k: 10, max_iter: 20, .. })",
            dtype: Dtype::F64,
            shape: &[200_000, 4],
            smoke_shape: &[300, 4],
            axes: None,
            peer: Some("kmeans_k10"),
            build: build_kmeans,
        },
        Workload {
            name: "q26_level_rows",
            kernel: "level_rows(&img)",
            dtype: Dtype::F64,
            shape: &[2500, 1500],
            smoke_shape: &[13, 17],
            axes: None,
            peer: Some("q26_level_rows"),
            build: build_q26,
        },
        Workload {
            name: "q25_pca_1e6x4",
            kernel: "pca(&x, 2, false)?.transform(&x)",
            dtype: Dtype::F64,
            shape: &[1_000_000, 4],
            smoke_shape: &[200, 4],
            axes: None,
            peer: Some("q25_pca"),
            build: build_q25,
        },
    ]
}
