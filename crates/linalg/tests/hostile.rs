//! Hostile inputs for every public function of ndkern-linalg: NaN/inf data, empty and 0-d
//! inputs, size-0 arrays with huge axes ((2^33, 0)), mismatched shapes, `deg = usize::MAX`,
//! `k = 0` / `k > n`, sigma NaN / 0 / 1e300, singular and indefinite VI (with and without
//! NaN), data near 1e+-300, f32 and f64, transposed and negative-stride views. Every case
//! asserts an `Err` whose message says what to change, or the numpy/scipy/skimage value
//! (hard-coded with the call that produced it), a naive reference (`ndkern_linalg::reference`)
//! or an identity (scaling by a power of two, transposition). Each case runs in its own child
//! process (`ndkern_core::testing::hostile`): an abort, a hang or a panic is a failure.

use ndarray::{array, s, Array, Array1, Array2, Array3, ArrayD, Axis, IxDyn};
use ndkern_core::testing::allclose;
use ndkern_core::testing::hostile::{ensure, err_contains, is_err, ok, Check, Suite};
use ndkern_core::testing::Rng;
use ndkern_core::BorderMode;
use ndkern_linalg::{
    cdist, chebfit, chebval, curve_fit, eigh3, eigvalsh, eigvalsh2, eigvalsh3, estimate_kernel,
    frangi, hessian, hessian_eigvals, hessian_eigvalsh, hessian_eigvalsh_into, hessian_matrix,
    interpolate, kmeans, level, level_rows, linefit, nearest, pca, pdist, polyfit, polyval,
    reference, ChebPoly, CurveFitOptions, EigOrder, FrangiOptions, KMeansInit, KMeansOptions,
    KernelMode, Metric,
};

const BIG: usize = 1 << 33;

fn rand2(seed: u64, r: usize, c: usize) -> Array2<f64> {
    let mut g = Rng::new(seed);
    Array2::from_shape_vec((r, c), g.vec(r * c, -1.0, 1.0)).unwrap()
}

fn vec_of<T: Copy + Into<f64>>(a: impl IntoIterator<Item = T>) -> Vec<f64> {
    a.into_iter().map(Into::into).collect()
}

fn all_nan(a: &[f64]) -> Check {
    ensure(
        a.iter().all(|v| v.is_nan()),
        format!("expected all NaN: {a:?}"),
    )
}

/// The empty (0, 2^33)-like arrays below have no elements: these views cost nothing.
fn empty2(r: usize, c: usize) -> Array2<f64> {
    Array2::zeros((r, c))
}

fn distance_cases(s: &mut Suite) {
    // --- shapes and sizes
    s.case("cdist mismatched columns", || {
        err_contains(
            cdist(&rand2(1, 3, 2), &rand2(2, 3, 3), &Metric::Euclidean),
            "shape",
        )
    });
    s.case("cdist (2^33, 0) x (2^33, 0): result too large", || {
        err_contains(
            cdist(&empty2(BIG, 0), &empty2(BIG, 0), &Metric::SqEuclidean),
            "cdist result",
        )
    });
    s.case(
        "cdist (2^33, 0) x (0, 0) is an empty (2^33, 0) result",
        || {
            let d = ok(cdist(&empty2(BIG, 0), &empty2(0, 0), &Metric::Euclidean))?;
            ensure(d.shape() == [BIG, 0], format!("{:?}", d.shape()))
        },
    );
    s.case("cdist (3, 0) x (2, 0) is zeros like scipy", || {
        let d = ok(cdist(&empty2(3, 0), &empty2(2, 0), &Metric::Euclidean))?;
        ensure(d == Array2::<f64>::zeros((3, 2)), format!("{d:?}"))
    });
    s.case("cdist of empty sets", || {
        let d = ok(cdist(&empty2(0, 4), &rand2(3, 5, 4), &Metric::Euclidean))?;
        ensure(d.shape() == [0, 5], format!("{:?}", d.shape()))
    });
    s.case("pdist (2^33, 0): 2^65 pairs is an Err, not a hang", || {
        err_contains(pdist(&empty2(BIG, 0), &Metric::Euclidean), "pdist result")
    });
    s.case("pdist (2^32 + 1, 0): pairs overflow", || {
        is_err(pdist(&empty2((1 << 32) + 1, 0), &Metric::SqEuclidean))
    });
    s.case("pdist (3, 0) is zeros", || {
        let d = ok(pdist(&empty2(3, 0), &Metric::Euclidean))?;
        ensure(d == Array1::<f64>::zeros(3), format!("{d:?}"))
    });
    s.case("pdist of 0 and 1 rows is empty", || {
        let a = ok(pdist(&empty2(0, 3), &Metric::Euclidean))?;
        let b = ok(pdist(&rand2(4, 1, 3), &Metric::Euclidean))?;
        ensure(a.is_empty() && b.is_empty(), "non-empty")
    });
    // --- NaN / inf points
    s.case("cdist NaN point", || {
        let mut a = rand2(5, 3, 2);
        a[[1, 1]] = f64::NAN;
        err_contains(cdist(&a, &rand2(6, 2, 2), &Metric::Euclidean), "xa[1, 1]")
    });
    s.case("cdist inf point in xb", || {
        let mut b = rand2(7, 3, 7);
        b[[2, 0]] = f64::NEG_INFINITY;
        err_contains(cdist(&rand2(8, 2, 7), &b, &Metric::SqEuclidean), "xb[2, 0]")
    });
    s.case("pdist NaN point f32", || {
        let mut a = rand2(9, 4, 2).mapv(|v| v as f32);
        a[[3, 0]] = f32::NAN;
        err_contains(pdist(&a, &Metric::Euclidean), "not finite")
    });
    // --- weights
    s.case("weights of the wrong length", || {
        is_err(cdist(
            &rand2(1, 2, 3),
            &rand2(2, 2, 3),
            &Metric::Weighted(vec![1.0, 2.0]),
        ))
    });
    s.case("negative weight", || {
        err_contains(
            cdist(
                &rand2(1, 2, 2),
                &rand2(2, 2, 2),
                &Metric::SqWeighted(vec![1.0, -1.0]),
            ),
            "w[1]",
        )
    });
    s.case("NaN weight", || {
        err_contains(
            cdist(
                &rand2(1, 2, 2),
                &rand2(2, 2, 2),
                &Metric::Weighted(vec![f64::NAN, 1.0]),
            ),
            "w[0]",
        )
    });
    // --- VI
    s.case(
        "VI with NaN is reported as non-finite, not as 'not positive definite'",
        || {
            let vi = array![[1.0, f64::NAN], [f64::NAN, 1.0]];
            let r = cdist(&rand2(1, 2, 2), &rand2(2, 2, 2), &Metric::Mahalanobis(vi));
            err_contains(r, "non-finite entry VI[")
        },
    );
    s.case(
        "VI with NaN on the diagonal of an otherwise singular matrix",
        || {
            let vi = array![[f64::NAN, 0.0], [0.0, 0.0]];
            err_contains(
                cdist(&rand2(1, 2, 2), &rand2(2, 2, 2), &Metric::SqMahalanobis(vi)),
                "non-finite",
            )
        },
    );
    s.case("VI with inf", || {
        let vi = array![[f64::INFINITY, 0.0], [0.0, 1.0]];
        err_contains(
            pdist(&rand2(3, 3, 2), &Metric::SqMahalanobis(vi)),
            "non-finite",
        )
    });
    s.case("singular VI", || {
        let vi = array![[1.0, 1.0], [1.0, 1.0]];
        err_contains(
            cdist(&rand2(1, 2, 2), &rand2(2, 2, 2), &Metric::Mahalanobis(vi)),
            "not positive definite",
        )
    });
    s.case("rank-deficient 3x3 VI", || {
        let vi = array![[2.0, 1.0, 1.0], [1.0, 2.0, 1.0], [1.0, 1.0, 0.0]];
        err_contains(
            pdist(&rand2(1, 4, 3), &Metric::SqMahalanobis(vi)),
            "positive definite",
        )
    });
    s.case("negative definite VI", || {
        let vi = array![[-1.0, 0.0], [0.0, -2.0]];
        err_contains(
            cdist(&rand2(1, 2, 2), &rand2(2, 2, 2), &Metric::SqMahalanobis(vi)),
            "positive definite",
        )
    });
    s.case("indefinite VI", || {
        let vi = array![[1.0, 2.0], [2.0, 1.0]];
        is_err(cdist(
            &rand2(1, 2, 2),
            &rand2(2, 2, 2),
            &Metric::SqMahalanobis(vi),
        ))
    });
    s.case("asymmetric VI", || {
        let vi = array![[1.0, 0.5], [0.0, 1.0]];
        err_contains(
            cdist(&rand2(1, 2, 2), &rand2(2, 2, 2), &Metric::SqMahalanobis(vi)),
            "symmetric",
        )
    });
    s.case("VI of the wrong shape", || {
        let vi = Array2::<f64>::eye(3);
        err_contains(
            cdist(&rand2(1, 2, 2), &rand2(2, 2, 2), &Metric::SqMahalanobis(vi)),
            "shape",
        )
    });
    s.case(
        "VI near 1e308 is positive definite (scaled Cholesky), distances scale",
        || {
            let vi = array![[2.0, 0.9], [0.9, 1.0]];
            let (a, b) = (rand2(10, 3, 2), rand2(11, 4, 2));
            let base = ok(cdist(&a, &b, &Metric::SqMahalanobis(vi.clone())))?;
            let f = 2f64.powi(1020);
            let big = ok(cdist(&a, &b, &Metric::SqMahalanobis(vi * f)))?;
            allclose(
                &(big / f).into_raw_vec_and_offset().0,
                &base.into_raw_vec_and_offset().0,
                1e-14,
                0.0,
            )
        },
    );
    s.case("VI near 1e-308 is positive definite too", || {
        let vi = array![[2.0, 0.9], [0.9, 1.0]];
        let (a, b) = (rand2(12, 3, 2), rand2(13, 4, 2));
        let base = ok(cdist(&a, &b, &Metric::SqMahalanobis(vi.clone())))?;
        let f = 2f64.powi(-1020);
        let small = ok(cdist(&a, &b, &Metric::SqMahalanobis(vi * f)))?;
        allclose(
            &(small / f).into_raw_vec_and_offset().0,
            &base.into_raw_vec_and_offset().0,
            1e-12,
            0.0,
        )
    });
    s.case(
        "Mahalanobis of identical points near 1e200 with VI 1e200 is 0, not NaN",
        || {
            let x = array![[1e200, -3e200], [2e200, 1e200]];
            let vi = array![[1e200, 0.0], [0.0, 1e200]];
            let d = ok(cdist(&x, &x, &Metric::Mahalanobis(vi)))?;
            ensure(
                d[[0, 0]] == 0.0 && d[[1, 1]] == 0.0 && d[[0, 1]] == f64::INFINITY,
                format!("{d:?}"),
            )
        },
    );
    s.case("pdist Mahalanobis overflow: inf like scipy, no NaN", || {
        let x = array![[1e200, 0.0], [-1e200, 0.0], [1e200, 0.0]];
        let vi = array![[1e200, 0.0], [0.0, 1.0]];
        let d = ok(pdist(&x, &Metric::SqMahalanobis(vi)))?;
        ensure(
            d[0] == f64::INFINITY && d[1] == 0.0 && d[2] == f64::INFINITY,
            format!("{d:?}"),
        )
    });
    // --- magnitudes (scipy: cdist([[1e200, 0]], [[-1e200, 0]]) = inf; of 1e-200 points 0)
    s.case(
        "euclidean of 1e200 points overflows to inf like scipy",
        || {
            let d = ok(cdist(
                &array![[1e200, 0.0]],
                &array![[-1e200, 0.0]],
                &Metric::Euclidean,
            ))?;
            ensure(d[[0, 0]] == f64::INFINITY, format!("{d:?}"))
        },
    );
    s.case(
        "GEMM path (d = 7) of 1e200 points: inf and exact 0, no NaN",
        || {
            let x = Array2::from_shape_fn((3, 7), |(i, j)| {
                if i == 1 {
                    -1e200
                } else {
                    1e200 * (1.0 + j as f64)
                }
            });
            let mut y = x.clone();
            y[[0, 0]] = 1e200;
            let d = ok(cdist(&x, &y, &Metric::Euclidean))?;
            ensure(
                d[[0, 0]] == 0.0
                    && d[[1, 1]] == 0.0
                    && d[[0, 1]] == f64::INFINITY
                    && d.iter().all(|v| !v.is_nan()),
                format!("{d:?}"),
            )
        },
    );
    s.case(
        "sqeuclidean of 1e-200 points underflows to 0 like scipy",
        || {
            let d = ok(cdist(
                &array![[1e-200, 0.0]],
                &array![[-1e-200, 0.0]],
                &Metric::SqEuclidean,
            ))?;
            ensure(d[[0, 0]] == 0.0, format!("{d:?}"))
        },
    );
    // --- layouts
    s.case(
        "cdist on transposed and reversed views equals the contiguous result",
        || {
            let a = rand2(14, 5, 9);
            let b = rand2(15, 6, 9);
            let at = a.t().to_owned();
            let view = at.t(); // transposed view of a transposed copy: same values, F-order
            let mut brev = b.clone();
            brev.invert_axis(Axis(0));
            let d1 = ok(cdist(&view, &brev.slice(s![..;-1, ..]), &Metric::Euclidean))?;
            let d2 = ok(cdist(&a, &b, &Metric::Euclidean))?;
            ensure(d1 == d2, "layout changed the result")
        },
    );
    s.case("cdist f32 against the naive reference", || {
        let a = rand2(16, 4, 3);
        let b = rand2(17, 5, 3);
        let d = ok(cdist(
            &a.mapv(|v| v as f32),
            &b.mapv(|v| v as f32),
            &Metric::SqEuclidean,
        ))?;
        let r = reference::cdist_sq(
            a.mapv(|v| v as f32 as f64).view(),
            b.mapv(|v| v as f32 as f64).view(),
            None,
        );
        allclose(
            &vec_of(d.iter().copied()),
            &r.into_raw_vec_and_offset().0,
            1e-6,
            1e-7,
        )
    });
    // --- nearest
    s.case("nearest with no centroids", || {
        err_contains(nearest(&rand2(1, 3, 2), &empty2(0, 2)), "no centroids")
    });
    s.case("nearest of mismatched d", || {
        err_contains(nearest(&rand2(1, 3, 2), &rand2(2, 2, 3)), "shape")
    });
    s.case("nearest of 0-d points", || {
        let p = ArrayD::<f64>::zeros(IxDyn(&[]));
        err_contains(nearest(&p, &rand2(2, 2, 1)), "last axis")
    });
    s.case("nearest NaN point", || {
        let mut p = rand2(3, 9, 2);
        p[[4, 1]] = f64::NAN;
        err_contains(nearest(&p, &rand2(4, 2, 2)), "point 4")
    });
    s.case("nearest NaN centroid", || {
        let mut c = rand2(4, 2, 2);
        c[[1, 0]] = f64::NAN;
        err_contains(nearest(&rand2(3, 9, 2), &c), "centroids")
    });
    s.case(
        "nearest of (2^33, 0) points, d = 0: label 0 everywhere, no work",
        || {
            let p = empty2(0, 0);
            let (l, d) = ok(nearest(&p, &empty2(2, 0)))?;
            ensure(l.is_empty() && d.is_empty(), "non-empty")
        },
    );
    s.case(
        "nearest of (2^33, 0) points: 2^33 labels over the cap is an Err",
        || is_err(nearest(&empty2(BIG, 0), &empty2(2, 0))),
    );
    s.case("nearest of (4, 0) points: label 0, distance 0", || {
        let (l, d) = ok(nearest(&empty2(4, 0), &empty2(3, 0)))?;
        ensure(
            l.to_vec() == vec![0; 4] && d.to_vec() == vec![0.0; 4],
            format!("{l:?}"),
        )
    });
    s.case("nearest of an empty (0, 5, 3) stack", || {
        let p = Array3::<f64>::zeros((0, 5, 3));
        let (l, _) = ok(nearest(&p, &rand2(5, 2, 3)))?;
        ensure(l.shape() == [0, 5], format!("{:?}", l.shape()))
    });
    s.case(
        "nearest near 1e200: labels of the exact distances, not ties at inf",
        || {
            let p = array![[1e200, 0.0], [-1e200, 0.0], [0.9e200, 0.1e200]];
            let c = array![[-1e200, 0.0], [1e200, 0.0]];
            let (l, d) = ok(nearest(&p, &c))?;
            ensure(
                // squared distances 0, 0 and 2e398 (inf in f64, as scipy's cdist gives)
                l.to_vec() == vec![1, 0, 1] && d[0] == 0.0 && d[2] == f64::INFINITY,
                format!("{l:?} {d:?}"),
            )
        },
    );
    s.case(
        "nearest near 1e200 with overflowing distance reports inf",
        || {
            let p = array![[1e200, 0.0]];
            let c = array![[-1e200, 0.0], [-2e200, 0.0]];
            let (l, d) = ok(nearest(&p, &c))?;
            ensure(l[0] == 0 && d[0] == f64::INFINITY, format!("{l:?} {d:?}"))
        },
    );
    s.case(
        "nearest near 1e-200: labels of the exact distances, not ties at 0",
        || {
            let p = array![[1e-200, 0.0], [3e-200, 0.0], [-5e-200, 1e-200]];
            let c = array![[0.0, 0.0], [2.5e-200, 0.0], [-4e-200, 0.0]];
            let (l, d) = ok(nearest(&p, &c))?;
            // exact squared distances: 1e-400 (underflows in f64), but the labels are exact.
            ensure(
                l.to_vec() == vec![0, 1, 2] && d.iter().all(|v| v.is_finite()),
                format!("{l:?} {d:?}"),
            )
        },
    );
    s.case(
        "nearest f32 on a transposed view equals the reference",
        || {
            let p = rand2(18, 3, 20); // 20 points stored as columns
            let c = rand2(19, 4, 3);
            let pv = p.t();
            let (l, _) = ok(nearest(&pv.mapv(|v| v as f32), &c.mapv(|v| v as f32)))?;
            let (rl, _) = reference::nearest(
                pv.mapv(|v| v as f32 as f64).view(),
                c.mapv(|v| v as f32 as f64).view(),
            );
            ensure(l.to_vec() == rl, format!("{l:?} vs {rl:?}"))
        },
    );
}

fn eigh_cases(s: &mut Suite) {
    let c = |v: f64| array![v, v];
    s.case("eigvalsh3 NaN beside zeros stays NaN (was 0)", move || {
        let (n, z) = (array![f64::NAN], array![0.0]);
        let l = ok(eigvalsh3([&n, &z, &z, &z, &z, &z], EigOrder::Ascending))?;
        all_nan(&[l[0][0], l[1][0], l[2][0]])
    });
    s.case(
        "eigvalsh3 NaN off-diagonal beside zeros stays NaN",
        move || {
            let (n, z) = (array![f64::NAN], array![0.0]);
            let l = ok(eigvalsh3([&z, &z, &z, &z, &n, &z], EigOrder::Descending))?;
            all_nan(&[l[0][0], l[1][0], l[2][0]])
        },
    );
    s.case("eigvalsh3 NaN in one lane leaves the others", move || {
        let mut xx = Array1::from_elem(9, 2.0);
        xx[4] = f64::NAN;
        let z = Array1::zeros(9);
        let o = Array1::from_elem(9, 1.0);
        let l = ok(eigvalsh3(
            [&xx, &o, &z, &xx.mapv(|_| 2.0), &z, &o],
            EigOrder::Ascending,
        ))?;
        ensure(
            l[0][4].is_nan() && l[0][3] == l[0][5] && l[0][3].is_finite(),
            format!("{:?}", l[0]),
        )
    });
    s.case("eigvalsh3 inf entry gives NaN (LAPACK)", move || {
        let (i, z) = (array![f64::INFINITY], array![0.0]);
        let l = ok(eigvalsh3([&z, &i, &z, &z, &z, &z], EigOrder::Ascending))?;
        all_nan(&[l[0][0], l[1][0], l[2][0]])
    });
    s.case("eigvalsh2 NaN stays NaN", move || {
        let l = ok(eigvalsh2(
            &array![f64::NAN, 1.0, 0.0, 0.0, 1.0],
            &Array1::zeros(5),
            &Array1::zeros(5),
            EigOrder::Ascending,
        ))?;
        ensure(
            l[0][0].is_nan() && l[1][0].is_nan() && l[1][1] == 1.0,
            format!("{l:?}"),
        )
    });
    s.case("eigvalsh2 mismatched shapes", move || {
        err_contains(
            eigvalsh2(&c(1.0), &array![1.0], &c(1.0), EigOrder::Ascending),
            "shape",
        )
    });
    s.case("eigvalsh3 mismatched shapes", move || {
        let z = c(0.0);
        is_err(eigvalsh3(
            [&z, &z, &z, &z, &z, &array![0.0, 0.0, 0.0]],
            EigOrder::Ascending,
        ))
    });
    s.case("eigh3 NaN", move || {
        let (n, z) = (array![f64::NAN], array![0.0]);
        let (w, v) = ok(eigh3([&n, &z, &z, &z, &z, &z], EigOrder::Ascending))?;
        all_nan(&[w[0][0], w[1][0], w[2][0], v[0][0][0]])
    });
    s.case("eigvalsh2/3 of empty and 0-d planes", move || {
        let e = Array2::<f64>::zeros((BIG, 0));
        let l = ok(eigvalsh2(&e, &e, &e, EigOrder::Ascending))?;
        let z = ndarray::arr0(3.0f64);
        let o = ndarray::arr0(0.0f64);
        let m = ok(eigvalsh3([&z, &o, &o, &z, &o, &z], EigOrder::Ascending))?;
        ensure(
            l[0].shape() == [BIG, 0] && m[1][()] == 3.0,
            format!("{:?}", m),
        )
    });
    s.case(
        "eigvalsh3 near 1e300 and 1e-300: scaled, like numpy",
        move || {
            // np.linalg.eigvalsh([[4,1,2],[1,3,0],[2,0,5]] * s) / s = [1.7765..., 3.4161..., 6.8074...]
            let m = |v: f64, s: f64| array![v * s];
            let mut out = vec![];
            for sc in [1e300, 1e-300, 1.0] {
                let l = ok(eigvalsh3(
                    [
                        &m(4.0, sc),
                        &m(1.0, sc),
                        &m(2.0, sc),
                        &m(3.0, sc),
                        &m(0.0, sc),
                        &m(5.0, sc),
                    ],
                    EigOrder::Ascending,
                ))?;
                out.push([l[0][0] / sc, l[1][0] / sc, l[2][0] / sc]);
            }
            allclose(&out[0], &out[2], 1e-13, 0.0)?;
            allclose(&out[1], &out[2], 1e-13, 0.0)
        },
    );
    s.case("eigvalsh 4x4 near 1e300 (numpy)", || {
        // np.linalg.eigvalsh(a * 1e300), a = [[4,1,2,.5],[1,3,0,1],[2,0,5,2],[.5,1,2,6]]
        let a = array![
            [4.0, 1.0, 2.0, 0.5],
            [1.0, 3.0, 0.0, 1.0],
            [2.0, 0.0, 5.0, 2.0],
            [0.5, 1.0, 2.0, 6.0]
        ];
        let w = ok(eigvalsh(&(a * 1e300)))?;
        allclose(
            &w.iter().copied().collect::<Vec<_>>(),
            &[
                1.5178496979984e+300,
                3.4759841368759345e+300,
                4.562273017532873e+300,
                8.443893147592795e+300,
            ],
            1e-13,
            0.0,
        )
    });
    s.case("eigvalsh 4x4 near 1e-300 (numpy)", || {
        let a = array![
            [4.0, 1.0, 2.0, 0.5],
            [1.0, 3.0, 0.0, 1.0],
            [2.0, 0.0, 5.0, 2.0],
            [0.5, 1.0, 2.0, 6.0]
        ];
        let w = ok(eigvalsh(&(a * 1e-300)))?;
        allclose(
            &w.iter().copied().collect::<Vec<_>>(),
            &[
                1.5178496979984015e-300,
                3.475984136875935e-300,
                4.562273017532873e-300,
                8.443893147592794e-300,
            ],
            1e-13,
            0.0,
        )
    });
    s.case("eigvalsh 4x4 with NaN gives NaN", || {
        let mut a = Array2::<f64>::eye(4);
        a[[2, 1]] = f64::NAN;
        let w = ok(eigvalsh(&a))?;
        all_nan(&w.iter().copied().collect::<Vec<_>>())
    });
    s.case(
        "eigvalsh of a (0, 2^31, 2^31) stack: empty, no 2^61 planes",
        || {
            let a = ArrayD::<f64>::zeros(IxDyn(&[0, 1 << 31, 1 << 31]));
            let w = ok(eigvalsh(&a))?;
            ensure(w.shape() == [0, 1 << 31], format!("{:?}", w.shape()))
        },
    );
    s.case("eigvalsh of (2^33, 0, 0)", || {
        let a = ArrayD::<f64>::zeros(IxDyn(&[BIG, 0, 0]));
        let w = ok(eigvalsh(&a))?;
        ensure(w.shape() == [BIG, 0], format!("{:?}", w.shape()))
    });
    s.case("eigvalsh non-square", || {
        err_contains(eigvalsh(&Array2::<f64>::zeros((2, 3))), "square")
    });
    s.case("eigvalsh 1-d and 0-d", || {
        is_err(eigvalsh(&Array1::<f64>::zeros(3)))?;
        is_err(eigvalsh(&ndarray::arr0(1.0f64)))
    });
    s.case("eigvalsh 1x1 and f32 2x2 on a transposed stack", || {
        let w1 = ok(eigvalsh(&array![[[7.0f64]]]))?;
        let a = array![[[2.0f32, 5.0], [1.0, 2.0]]]; // lower triangle read: [[2, 1], [1, 2]]
        let w2 = ok(eigvalsh(&a))?;
        ensure(
            w1[[0, 0]] == 7.0 && (w2[[0, 0]] - 1.0).abs() < 1e-6 && (w2[[0, 1]] - 3.0).abs() < 1e-6,
            format!("{w2:?}"),
        )
    });
}

fn hessian_cases(s: &mut Suite) {
    let img = || Array2::from_shape_fn((12, 13), |(i, j)| ((i * 7 + j * 3) % 11) as f64 * 0.1);
    s.case("hessian of 1-d and 4-d arrays", || {
        is_err(hessian(&Array1::<f64>::zeros(5)))?;
        err_contains(
            hessian(&ArrayD::<f64>::zeros(IxDyn(&[2, 2, 2, 2]))),
            "2-D and 3-D",
        )
    });
    s.case("hessian of an axis shorter than 2", || {
        is_err(hessian(&Array2::<f64>::zeros((1, 5))))
    });
    s.case("hessian of (2^33, 0)", || is_err(hessian(&empty2(BIG, 0))));
    s.case("hessian NaN stays local (np.gradient twice)", || {
        let mut a = Array2::<f64>::zeros((9, 9));
        a[[4, 4]] = f64::NAN;
        let h = ok(hessian(&a))?;
        ensure(
            h[0][[4, 4]].is_nan() && h[0][[0, 0]] == 0.0 && h[2][[8, 0]] == 0.0,
            "NaN spread or vanished",
        )
    });
    for (name, sigma) in [
        ("NaN", f64::NAN),
        ("0", 0.0),
        ("-1", -1.0),
        ("inf", f64::INFINITY),
    ] {
        s.case(format!("hessian_matrix sigma {name}"), move || {
            err_contains(
                hessian_matrix(&img(), sigma, BorderMode::Reflect, true),
                "sigma",
            )
        });
    }
    for gd in [true, false] {
        s.case(
            format!("hessian_matrix sigma 1e300 (gaussian derivatives {gd})"),
            move || is_err(hessian_matrix(&img(), 1e300, BorderMode::Reflect, gd)),
        );
        s.case(
            format!("hessian_matrix sigma 1e9 over the allocation cap ({gd})"),
            move || is_err(hessian_matrix(&img(), 1e9, BorderMode::Nearest, gd)),
        );
    }
    s.case(
        "hessian_matrix of a constant image is exactly 0 (skimage: 0.0)",
        || {
            let a = Array2::from_elem((8, 9), 3.7);
            let h = ok(hessian_matrix(&a, 1.5, BorderMode::Reflect, true))?;
            ensure(
                h.iter().all(|p| p.iter().all(|v| *v == 0.0)),
                "nonzero Hessian of a constant",
            )
        },
    );
    s.case(
        "hessian_matrix constant image, mode constant(0) = skimage",
        || {
            // skimage.feature.hessian_matrix(np.full((30, 31), 3.7), sigma=1.5, mode='constant',
            // cval=0, use_gaussian_derivatives=True) at [2, 3] and [0, 0], skimage 0.26 (the
            // shift by the midrange must not move the second pass's cval)
            let a = Array2::from_elem((30, 31), 3.7);
            let h = ok(hessian_matrix(&a, 1.5, BorderMode::Constant(0.0), true))?;
            allclose(
                &[
                    h[0][[2, 3]],
                    h[1][[2, 3]],
                    h[2][[2, 3]],
                    h[0][[0, 0]],
                    h[1][[0, 0]],
                    h[2][[0, 0]],
                ],
                &[
                    -0.24704593168277605,
                    0.0037354406465904553,
                    -0.08999248448249708,
                    0.06268936261162608,
                    0.2003709257943888,
                    0.06268936261162607,
                ],
                1e-10,
                1e-14,
            )
        },
    );
    s.case(
        "hessian_matrix constant 8x9 image, kernels longer than the image, constant(0) = skimage",
        || {
            // skimage.feature.hessian_matrix(np.full((8, 9), 3.7), sigma=1.5, mode='constant',
            // cval=0, use_gaussian_derivatives=True) at [4, 4] and [0, 0], skimage 0.26
            let a = Array2::from_elem((8, 9), 3.7);
            let h = ok(hessian_matrix(&a, 1.5, BorderMode::Constant(0.0), true))?;
            let got = [h[0][[4, 4]], h[1][[4, 4]], h[2][[4, 4]]];
            let got0 = [h[0][[0, 0]], h[1][[0, 0]], h[2][[0, 0]]];
            allclose(
                &got,
                &[-0.11360393182731257, 0.0, -0.03849499919557278],
                1e-10,
                1e-14,
            )?;
            allclose(
                &got0,
                &[
                    0.06268480928410601,
                    0.20037012479608157,
                    0.06268921073771645,
                ],
                1e-10,
                1e-14,
            )
        },
    );
    s.case("hessian_matrix f32 3-d constant is 0", || {
        let a = Array3::from_elem((5, 6, 7), -2.5f32);
        let h = ok(hessian_matrix(&a, 1.0, BorderMode::Mirror, false))?;
        ensure(
            h.len() == 6 && h.iter().all(|p| p.iter().all(|v| *v == 0.0)),
            "nonzero",
        )
    });
    s.case(
        "hessian_matrix near 1e300 does not overflow to NaN",
        move || {
            let a = img().mapv(|v| v * 1e300);
            let h = ok(hessian_matrix(&a, 1.0, BorderMode::Reflect, true))?;
            let b = ok(hessian_matrix(&img(), 1.0, BorderMode::Reflect, true))?;
            allclose(
                &h[1].mapv(|v| v / 1e300).into_raw_vec_and_offset().0,
                &b[1].clone().into_raw_vec_and_offset().0,
                1e-10,
                1e-14,
            )
        },
    );
    s.case("hessian_eigvals wrong number of planes", || {
        let p = vec![Array2::<f64>::zeros((2, 2)); 4];
        err_contains(hessian_eigvals(&p, EigOrder::Ascending), "got 4")
    });
    s.case("hessian_eigvals of no planes", || {
        let p: Vec<Array2<f64>> = vec![];
        is_err(hessian_eigvals(&p, EigOrder::Ascending))
    });
    s.case("hessian_eigvalsh 1-d, short axis, (2^33, 0)", || {
        is_err(hessian_eigvalsh(
            &Array1::<f64>::zeros(4),
            EigOrder::Ascending,
        ))?;
        is_err(hessian_eigvalsh(
            &Array3::<f64>::zeros((3, 1, 3)),
            EigOrder::Ascending,
        ))?;
        is_err(hessian_eigvalsh(&empty2(BIG, 0), EigOrder::Ascending))
    });
    s.case("hessian_eigvalsh_into wrong view count and shape", || {
        let a = Array2::<f64>::zeros((4, 5));
        let mut o = Array3::<f64>::zeros((3, 4, 5));
        let mut v: Vec<_> = o.outer_iter_mut().collect();
        err_contains(
            hessian_eigvalsh_into(&a, EigOrder::Ascending, &mut v),
            "3 output views",
        )?;
        let mut o2 = Array3::<f64>::zeros((2, 4, 6));
        let mut v2: Vec<_> = o2.outer_iter_mut().collect();
        err_contains(
            hessian_eigvalsh_into(&a, EigOrder::Ascending, &mut v2),
            "shape",
        )
    });
    s.case(
        "hessian_eigvalsh 3-d NaN stays NaN, equals the naive oracle elsewhere",
        || {
            let mut a =
                Array3::from_shape_fn((6, 5, 7), |(i, j, k)| ((i * 3 + j * 5 + k * 7) % 13) as f64);
            a[[3, 2, 3]] = f64::NAN;
            let l = ok(hessian_eigvalsh(&a, EigOrder::Ascending))?;
            let flat: Vec<f64> = a.iter().copied().collect();
            let r = reference::hessian_eigvalsh3(&flat, &[6, 5, 7]);
            for k in 0..3 {
                for ((idx, g), e) in l[k].indexed_iter().zip(&r[k]) {
                    // the stencils reach 2 elements: NaN there and only there
                    let near = [idx.0.abs_diff(3), idx.1.abs_diff(2), idx.2.abs_diff(3)]
                        .iter()
                        .all(|&d| d <= 2);
                    if g.is_nan() && !near {
                        return Err(format!("plane {k} at {idx:?}: {g}"));
                    }
                    if !g.is_nan() && !near && (g - e).abs() > 1e-12 * (1.0 + e.abs()) {
                        return Err(format!("plane {k} at {idx:?}: {g} vs {e}"));
                    }
                }
            }
            ensure(l[0][[3, 2, 3]].is_nan(), "NaN vanished")
        },
    );
    s.case(
        "hessian_eigvalsh on a negative-stride f32 view equals the flipped result",
        || {
            let a = Array3::from_shape_fn((5, 6, 7), |(i, j, k)| ((i * i + 2 * j * k) % 9) as f32);
            let mut rev = a.clone();
            rev.invert_axis(Axis(2));
            let l1 = ok(hessian_eigvalsh(
                &rev.slice(s![.., .., ..;-1]),
                EigOrder::Ascending,
            ))?;
            let l2 = ok(hessian_eigvalsh(&a, EigOrder::Ascending))?;
            ensure(l1 == l2, "layout changed the result")
        },
    );
    // --- frangi
    s.case(
        "frangi of a constant image is 0 (skimage.filters.frangi: 0.0)",
        || {
            let v = ok(frangi(
                &Array2::from_elem((8, 9), 3.7),
                &FrangiOptions::default(),
            ))?;
            ensure(
                v.iter().all(|x| *x == 0.0),
                format!("max {}", v.iter().fold(0.0f64, |a, b| a.max(*b))),
            )
        },
    );
    s.case(
        "frangi of a constant 3-d f32 image is 0 (skimage: 0.0)",
        || {
            let v = ok(frangi(
                &Array3::from_elem((5, 6, 7), -2.5f32),
                &FrangiOptions {
                    sigmas: vec![1.0, 2.0],
                    ..Default::default()
                },
            ))?;
            ensure(v.iter().all(|x| *x == 0.0), "nonzero")
        },
    );
    s.case("frangi of zeros, white ridges, is 0", || {
        let v = ok(frangi(
            &Array2::<f64>::zeros((7, 7)),
            &FrangiOptions {
                black_ridges: false,
                ..Default::default()
            },
        ))?;
        ensure(v.iter().all(|x| *x == 0.0), "nonzero")
    });
    s.case(
        "frangi with one NaN is NaN everywhere like skimage (gamma = NaN)",
        || {
            // skimage.filters.frangi(a) with a = ones((12, 12)), a[5, 5] = nan: 144 of 144 NaN
            let mut a = Array2::<f64>::ones((12, 12));
            a[[5, 5]] = f64::NAN;
            let v = ok(frangi(&a, &FrangiOptions::default()))?;
            all_nan(&v.iter().copied().collect::<Vec<_>>())
        },
    );
    s.case(
        "frangi with one NaN and a given gamma: NaN where the kernels reach it",
        || {
            let mut a = Array2::<f64>::ones((12, 12));
            a[[5, 5]] = f64::NAN;
            let v = ok(frangi(
                &a,
                &FrangiOptions {
                    gamma: Some(1.0),
                    ..Default::default()
                },
            ))?;
            ensure(
                v[[5, 5]].is_nan() && v[[0, 11]].is_nan(),
                "NaN turned into a number",
            )
        },
    );
    s.case("frangi no scales", || {
        err_contains(
            frangi(
                &Array2::<f64>::zeros((4, 4)),
                &FrangiOptions {
                    sigmas: vec![],
                    ..Default::default()
                },
            ),
            "scale",
        )
    });
    s.case("frangi NaN sigma", || {
        is_err(frangi(
            &Array2::<f64>::zeros((4, 4)),
            &FrangiOptions {
                sigmas: vec![1.0, f64::NAN],
                ..Default::default()
            },
        ))
    });
    s.case("frangi sigma 1e300", || {
        is_err(frangi(
            &Array2::<f64>::zeros((4, 4)),
            &FrangiOptions {
                sigmas: vec![1e300],
                ..Default::default()
            },
        ))
    });
    s.case("frangi alpha 0, beta NaN, gamma inf", || {
        is_err(frangi(
            &Array2::<f64>::zeros((4, 4)),
            &FrangiOptions {
                alpha: 0.0,
                ..Default::default()
            },
        ))?;
        is_err(frangi(
            &Array2::<f64>::zeros((4, 4)),
            &FrangiOptions {
                beta: f64::NAN,
                ..Default::default()
            },
        ))?;
        err_contains(
            frangi(
                &Array2::<f64>::zeros((4, 4)),
                &FrangiOptions {
                    gamma: Some(f64::INFINITY),
                    ..Default::default()
                },
            ),
            "gamma",
        )
    });
    s.case("frangi of 1-d and 4-d", || {
        is_err(frangi(&Array1::<f64>::zeros(9), &FrangiOptions::default()))?;
        is_err(frangi(
            &ArrayD::<f64>::zeros(IxDyn(&[3, 3, 3, 3])),
            &FrangiOptions::default(),
        ))
    });
    s.case(
        "frangi is scale invariant near 1e300 (gamma from the data)",
        || {
            let a = Array2::from_shape_fn((16, 16), |(i, _)| if i == 8 { 0.0 } else { 1.0 });
            let o = FrangiOptions {
                sigmas: vec![1.0, 2.0],
                ..Default::default()
            };
            let v1 = ok(frangi(&a, &o))?;
            let v2 = ok(frangi(&a.mapv(|v| v * 1e300), &o))?;
            allclose(
                &v2.into_raw_vec_and_offset().0,
                &v1.into_raw_vec_and_offset().0,
                1e-9,
                1e-12,
            )
        },
    );
}

fn interp_cases(s: &mut Suite) {
    s.case("interpolate no points", || {
        err_contains(
            interpolate(&Array1::<f64>::zeros(0), &Array1::<f64>::zeros(0)),
            "no points",
        )
    });
    s.case("interpolate length mismatch", || {
        is_err(interpolate(&array![1.0, 2.0], &array![1.0]))
    });
    s.case("interpolate NaN x, inf y", || {
        err_contains(
            interpolate(&array![0.0, f64::NAN], &array![1.0, 2.0]),
            "x[1]",
        )?;
        err_contains(
            interpolate(&array![0.0, 1.0], &array![1.0, f64::INFINITY]),
            "y[1]",
        )
    });
    s.case("interpolate duplicate nodes", || {
        err_contains(
            interpolate(&array![3.0, 1.0, 3.0], &array![1.0, 2.0, 3.0]),
            "duplicate",
        )
    });
    s.case("interpolate one point is the constant", || {
        let p = ok(interpolate(&array![2.0], &array![-5.0]))?;
        ensure(
            p.eval(2.0) == -5.0 && (p.eval(1e6) + 5.0).abs() < 1e-12,
            format!("{}", p.eval(1e6)),
        )
    });
    s.case("interpolant at NaN and inf is NaN (scipy)", || {
        let p = ok(interpolate(&array![0.0, 1.0, 2.0], &array![1.0, 2.0, 5.0]))?;
        all_nan(&[
            p.eval(f64::NAN),
            p.eval(f64::INFINITY),
            p.eval(f64::NEG_INFINITY),
        ])
    });
    for n in [1500usize, 3000] {
        // scipy.interpolate.barycentric_interpolate(x, y, xq), x = cos(pi j / (n - 1)),
        // y = 1 / (1 + 25 x^2), xq = [-0.987654, -0.5, 0.123456789, 0.72, 0.999], scipy 1.17.1
        let expect: [f64; 5] = if n == 1500 {
            [
                0.03939099847301093,
                0.1379310344827584,
                0.7240922671831139,
                0.07163323782234966,
                0.038535608347198144,
            ]
        } else {
            [
                0.03939099847301094,
                0.13793103448275845,
                0.7240922671831141,
                0.07163323782234958,
                0.038535608347198144,
            ]
        };
        s.case(
            format!("barycentric through {n} Chebyshev points = scipy (Runge)"),
            move || {
                let x = Array1::from_shape_fn(n, |j| {
                    (std::f64::consts::PI * j as f64 / (n - 1) as f64).cos()
                });
                let y = x.mapv(|v| 1.0 / (1.0 + 25.0 * v * v));
                let p = ok(interpolate(&x, &y))?;
                let xq = [-0.987654, -0.5, 0.123456789, 0.72, 0.999];
                let got: Vec<f64> = xq.iter().map(|&v| p.eval(v)).collect();
                allclose(&got, &expect, 1e-12, 1e-14)?;
                // and the function itself (Chebyshev interpolation converges geometrically)
                allclose(&got, &xq.map(|v| 1.0 / (1.0 + 25.0 * v * v)), 1e-12, 1e-14)
            },
        );
        // same nodes, y = sin(3x) + x^2 (scipy 1.17.1 barycentric_interpolate)
        let expect2: [f64; 5] = if n == 1500 {
            [
                0.7977782405480774,
                -0.7474949866040548,
                0.3772022891875648,
                1.3497834607786825,
                1.142090346055145,
            ]
        } else {
            [
                0.7977782405480772,
                -0.7474949866040541,
                0.3772022891875633,
                1.3497834607786838,
                1.1420903460551444,
            ]
        };
        s.case(
            format!("barycentric through {n} Chebyshev points = scipy (sin)"),
            move || {
                let x = Array1::from_shape_fn(n, |j| {
                    (std::f64::consts::PI * j as f64 / (n - 1) as f64).cos()
                });
                let y = x.mapv(|v| (3.0 * v).sin() + v * v);
                let p = ok(interpolate(&x, &y))?;
                let got: Vec<f64> = [-0.987654, -0.5, 0.123456789, 0.72, 0.999]
                    .iter()
                    .map(|&v| p.eval(v))
                    .collect();
                allclose(&got, &expect2, 1e-12, 1e-13)
            },
        );
    }
    s.case(
        "barycentric through 2000 Chebyshev points scaled to [1e300, 3e300]",
        || {
            let n = 2000;
            let t = Array1::from_shape_fn(n, |j| {
                (std::f64::consts::PI * j as f64 / (n - 1) as f64).cos()
            });
            let x = t.mapv(|v| 2e300 + 1e300 * v);
            let y = t.mapv(|v| 1e-300 * (v * v - 0.5));
            let p = ok(interpolate(&x, &y))?;
            let got = [p.eval(2.5e300) * 1e300, p.eval(1.2e300) * 1e300];
            allclose(&got, &[0.25 - 0.5, 0.64 - 0.5], 1e-10, 1e-12)
        },
    );
    s.case("interpolate nodes near 1e-310 (subnormal spacing)", || {
        let x = array![0.0, 1e-310, 3e-310];
        let y = array![1.0, 2.0, 10.0];
        let p = ok(interpolate(&x, &y))?;
        // the parabola through (0, 1), (1, 2), (3, 10) in units of 1e-310 is t^2 + 1: 5 at t = 2
        ensure(
            (p.eval(2e-310) - 5.0).abs() < 1e-9 && p.eval(1e-310) == 2.0,
            format!("{}", p.eval(2e-310)),
        )
    });
    s.case(
        "interpolate nodes at +-1e308 (differences overflow)",
        || {
            let x = array![-1.5e308, 0.0, 1.5e308];
            let y = array![1.0, 0.0, 1.0];
            let p = ok(interpolate(&x, &y))?;
            // (x / 1.5e308)^2
            allclose(
                &[p.eval(0.75e308), p.eval(-1.5e308)],
                &[0.25, 1.0],
                1e-14,
                0.0,
            )
        },
    );
    s.case(
        "interpolate y near 1e308 does not overflow between nodes",
        || {
            let x = array![0.0, 1.0, 2.0, 3.0];
            let y = array![1e308, 1.5e308, 1.7e308, 1.5e308];
            let p = ok(interpolate(&x, &y))?;
            let v = p.eval(1.5);
            ensure(v.is_finite() && v > 1.5e308, format!("{v}"))
        },
    );
    s.case("interpolate f32 eval_array on a reversed view", || {
        let p = ok(interpolate(
            &array![0.0f32, 1.0, 2.0],
            &array![1.0f32, 2.0, 5.0],
        ))?; // x^2 + 1
        let q = array![3.0f32, 0.5, 1.5];
        let v = ok(p.eval_array(&q.slice(s![..;-1])))?;
        allclose(&vec_of(v.iter().copied()), &[3.25, 1.25, 10.0], 1e-6, 0.0)
    });
    s.case(
        "interpolate Q21 equispaced degree 29 reproduces the nodes",
        || {
            let x = Array1::from_shape_fn(30, |i| i as f64);
            let y = x.mapv(|v| (v * 0.3).sin());
            let p = ok(interpolate(&x, &y))?;
            ensure(
                (0..30).all(|i| p.eval(i as f64) == y[i]),
                "node not reproduced",
            )?;
            // an identity: the interpolant of a polynomial of degree 3 is that polynomial
            let y3 = x.mapv(|v| v * v * v - 2.0 * v);
            let p3 = ok(interpolate(&x, &y3))?;
            let t = 17.25;
            ensure(
                ((p3.eval(t) - (t * t * t - 2.0 * t)) / (t * t * t)).abs() < 1e-9,
                format!("{}", p3.eval(t)),
            )
        },
    );
}

fn poly_cases(s: &mut Suite) {
    let x5 = || array![0.0, 1.0, 2.0, 3.0, 4.0];
    let y5 = || array![1.0, 3.0, 2.0, 5.0, 4.0];
    s.case(
        "polyfit deg = usize::MAX is an Err, not an overflow panic",
        move || err_contains(polyfit(&x5(), &y5(), usize::MAX, None), "degree"),
    );
    s.case("chebfit deg = usize::MAX", move || {
        is_err(chebfit(&x5(), &y5(), usize::MAX, None))
    });
    s.case("polyfit deg >= n", move || {
        err_contains(polyfit(&x5(), &y5(), 5, None), "at least 6 points")
    });
    s.case("polyfit of no points", || {
        is_err(polyfit(
            &Array1::<f64>::zeros(0),
            &Array1::<f64>::zeros(0),
            0,
            None,
        ))
    });
    s.case("polyfit length mismatch", move || {
        is_err(polyfit(&x5(), &array![1.0], 0, None))
    });
    s.case("polyfit NaN x, inf y, NaN w, short w", move || {
        err_contains(
            polyfit(&array![0.0, f64::NAN], &array![1.0, 2.0], 1, None),
            "x[1]",
        )?;
        err_contains(
            polyfit(&array![0.0, 1.0], &array![1.0, f64::INFINITY], 1, None),
            "y[1]",
        )?;
        err_contains(
            polyfit(&x5(), &y5(), 1, Some(&[1.0, 1.0, f64::NAN, 1.0, 1.0])),
            "w[2]",
        )?;
        is_err(polyfit(&x5(), &y5(), 1, Some(&[1.0])))
    });
    s.case(
        "polyfit repeated x is rank deficient (not 'overflow')",
        || {
            err_contains(
                polyfit(
                    &array![1.0, 1.0, 1.0, 2.0],
                    &array![1.0, 2.0, 3.0, 4.0],
                    2,
                    None,
                ),
                "rank deficient",
            )
        },
    );
    s.case("polyfit all x equal at degree 0 is the mean", || {
        let p = ok(polyfit(
            &array![1e308, 1e308, 1e308],
            &array![1.0, 2.0, 6.0],
            0,
            None,
        ))?;
        ensure((p.eval(1e308) - 3.0).abs() < 1e-14, format!("{p:?}"))
    });
    s.case("polyfit all-zero weights is rank deficient", move || {
        err_contains(polyfit(&x5(), &y5(), 1, Some(&[0.0; 5])), "nonzero weight")
    });
    s.case("polyfit = np.polyfit (deg 1 and 2)", move || {
        // np.polyfit([0,1,2,3,4], [1,3,2,5,4], 1) = [0.8, 1.4]; deg 2: [-0.142857..., 1.371428..., 1.114285...]
        let c1 = ok(polyfit(&x5(), &y5(), 1, None))?.to_monomial();
        let c2 = ok(polyfit(&x5(), &y5(), 2, None))?.to_monomial();
        allclose(&c1, &[0.8, 1.4000000000000001], 1e-13, 1e-14)?;
        allclose(
            &c2,
            &[-0.14285714285714277, 1.3714285714285706, 1.1142857142857123],
            1e-12,
            1e-14,
        )
    });
    s.case(
        "polyfit y near 1e300: coefficients scale (was overflow / 'rank deficient')",
        move || {
            let c = ok(polyfit(&x5(), &(y5() * 1e300), 2, None))?.to_monomial();
            allclose(
                &c.iter().map(|v| v / 1e300).collect::<Vec<_>>(),
                &[-0.14285714285714277, 1.3714285714285706, 1.1142857142857123],
                1e-12,
                1e-14,
            )
        },
    );
    s.case("polyfit y near 1e-310", move || {
        let c = ok(polyfit(&x5(), &(y5() * 1e-300), 1, None))?.to_monomial();
        allclose(
            &c.iter().map(|v| v / 1e-300).collect::<Vec<_>>(),
            &[0.8, 1.4],
            1e-12,
            1e-14,
        )
    });
    s.case(
        "polyfit weights near 1e300 and 1e-300 (only their ratios matter)",
        move || {
            let w = [1.0, 2.0, 1.0, 3.0, 1.0];
            let base = ok(polyfit(&x5(), &y5(), 1, Some(&w)))?.to_monomial();
            let hi = ok(polyfit(&x5(), &y5(), 1, Some(&w.map(|v| v * 1e300))))?.to_monomial();
            let lo = ok(polyfit(&x5(), &y5(), 1, Some(&w.map(|v| v * 1e-300))))?.to_monomial();
            allclose(&hi, &base, 1e-13, 1e-14)?;
            allclose(&lo, &base, 1e-13, 1e-14)
        },
    );
    s.case(
        "polyfit x spanning +-1e308 (2x overflows in the domain map)",
        || {
            let x = array![-1.5e308, -0.5e308, 0.5e308, 1.5e308];
            let y = array![1.0, 2.0, 3.0, 4.0];
            let p = ok(polyfit(&x, &y, 1, None))?;
            // y = 2.5 + x / 1e308
            allclose(
                &[
                    p.eval(0.0),
                    p.eval(1.5e308),
                    p.eval(0.5e308),
                    p.eval(-1e308),
                ],
                &[2.5, 4.0, 3.0, 1.5],
                1e-12,
                1e-12,
            )
        },
    );
    s.case(
        "polyfit huge degree allocation is capped (n (deg + 1))",
        || {
            // 2^17 points and degree 2^17 - 1: a 2^34-cell (128 GiB) matrix
            let n = 1 << 17;
            let x = Array1::from_shape_fn(n, |i| i as f64);
            err_contains(polyfit(&x, &x, n - 1, None), "polyfit least-squares matrix")
        },
    );
    s.case(
        "chebfit of x = 1e200 at degree 3: basis overflow named",
        || {
            err_contains(
                chebfit(
                    &array![1e200, 2e200, 3e200, 4e200],
                    &array![1.0, 2.0, 3.0, 4.0],
                    3,
                    None,
                ),
                "overflows",
            )
        },
    );
    s.case("chebfit = numpy chebfit (exact T_2 data)", || {
        let x = array![-1.0, -0.5, 0.0, 0.5, 1.0];
        let c = ok(chebfit(&x, &x.mapv(|t| 2.0 * t * t - 1.0), 2, None))?;
        allclose(&c, &[0.0, 0.0, 1.0], 0.0, 1e-15)
    });
    s.case(
        "polyfit f32 on a reversed view equals the forward fit",
        move || {
            let x = x5().mapv(|v| v as f32);
            let y = y5().mapv(|v| v as f32);
            let a = ok(polyfit(&x.slice(s![..;-1]), &y.slice(s![..;-1]), 1, None))?.to_monomial();
            allclose(&a, &[0.8, 1.4], 1e-6, 1e-6)
        },
    );
    s.case("polyval empty p is zeros, NaN propagates, 0-d x", || {
        let z = ok(polyval::<f64, _, _>(&[], &array![1.0, 2.0]))?;
        let n = ok(polyval(&[1.0, 2.0], &array![f64::NAN, 1.0]))?;
        let c = ok(polyval(&[2.0f32, 1.0], &ndarray::arr0(3.0f32)))?;
        ensure(
            z == array![0.0, 0.0] && n[0].is_nan() && n[1] == 3.0 && c[()] == 7.0,
            format!("{z:?} {n:?} {c:?}"),
        )
    });
    s.case("polyval of (2^33, 0) x", || {
        let v = ok(polyval(&[1.0, 2.0], &empty2(BIG, 0)))?;
        ensure(v.shape() == [BIG, 0], "shape")
    });
    s.case("polyval = naive Horner on a transposed view", || {
        let x = rand2(20, 3, 4);
        let p = [0.5, -1.0, 2.0, 3.0];
        let v = ok(polyval(&p, &x.t()))?;
        let r: Vec<f64> = x.t().iter().map(|&t| reference::polyval(&p, t)).collect();
        allclose(&v.iter().copied().collect::<Vec<_>>(), &r, 1e-15, 1e-15)
    });
    s.case("chebval empty c, NaN, inf", || {
        let z = ok(chebval(&array![0.5], &[]))?;
        let v = ok(chebval(
            &array![f64::NAN, f64::INFINITY, 2.0],
            &[1.0, 0.0, 1.0],
        ))?;
        ensure(
            z[0] == 0.0 && v[0].is_nan() && v[1] == f64::INFINITY && v[2] == 8.0,
            format!("{v:?}"),
        )
    });
    s.case(
        "ChebPoly on a domain at +-1e308 evaluates without overflow",
        || {
            let p = ChebPoly {
                coef: vec![0.0, 1.0],
                domain: [-1.5e308, 1.5e308],
            };
            allclose(
                &[p.eval(0.75e308), p.eval(-1.5e308)],
                &[0.5, -1.0],
                1e-15,
                0.0,
            )
        },
    );
    s.case("ChebPoly empty coef", || {
        let p = ChebPoly {
            coef: vec![],
            domain: [0.0, 1.0],
        };
        ensure(
            p.eval(0.3) == 0.0 && p.degree() == 0 && p.to_monomial() == vec![0.0],
            "empty poly",
        )
    });
}

fn fit_cases(s: &mut Suite) {
    s.case("linefit axis usize::MAX is not reported as axis -1", || {
        let r = linefit(&rand2(1, 3, 4), usize::MAX);
        match r {
            Ok(_) => Err("Ok".into()),
            Err(e) if e.to_string().contains("-1") => Err(format!("says -1: {e}")),
            Err(_) => Ok(()),
        }
    });
    s.case("linefit axis out of range", || {
        err_contains(linefit(&rand2(1, 3, 4), 2), "axis 2")
    });
    s.case("linefit lane of 1 and 0 points", || {
        err_contains(linefit(&rand2(1, 3, 1), 1), "at least 2")?;
        is_err(linefit(&empty2(3, 0), 1))
    });
    s.case("linefit of (0, 2^33): empty, no 2^33-long buffer", || {
        let (sl, ic) = ok(linefit(&empty2(0, BIG), 1))?;
        ensure(sl.is_empty() && ic.is_empty(), "non-empty")
    });
    s.case(
        "level of (0, 2^33) and (2^33, 0) along the long axis",
        || {
            let a = ok(level(&empty2(0, BIG), 1))?;
            let b = ok(level(&empty2(BIG, 0), 0))?;
            ensure(a.shape() == [0, BIG] && b.shape() == [BIG, 0], "shape")
        },
    );
    s.case("linefit NaN lane is NaN, others exact", || {
        let mut a = array![[1.0, 3.0, 5.0], [2.0, 2.0, 2.0]];
        a[[0, 1]] = f64::NAN;
        let (sl, ic) = ok(linefit(&a, 1))?;
        ensure(
            sl[0].is_nan() && ic[0].is_nan() && sl[1] == 0.0 && ic[1] == 2.0,
            format!("{sl:?} {ic:?}"),
        )
    });
    s.case("linefit near 1e308 (sums overflow): scaled, finite", || {
        let a = array![[1e308, 1.2e308, 1.4e308, 1.6e308]];
        let (sl, ic) = ok(linefit(&a, 1))?;
        allclose(&[sl[0], ic[0]], &[0.2e308, 1e308], 1e-14, 0.0)
    });
    s.case(
        "linefit near 1e-310 (subnormal sums): scaled, exact relative",
        || {
            let f = 2f64.powi(-1040);
            let a = array![[1.0, 3.0, 5.0, 7.0]].mapv(|v| v * f);
            let (sl, ic) = ok(linefit(&a, 1))?;
            allclose(&[sl[0] / f, ic[0] / f], &[2.0, 1.0], 1e-15, 0.0)
        },
    );
    s.case("level near 1e308 is the leveled residual", || {
        let a = array![[1e308, 1.5e308, 1.2e308]];
        let l = ok(level_rows(&a))?;
        // slope 0.1e308, intercept 1.2e308 - ... the naive two-pass line on a / 1e308:
        let (sr, ir) = reference::line(array![1.0, 1.5, 1.2].view());
        let expect: Vec<f64> = [1.0, 1.5, 1.2]
            .iter()
            .enumerate()
            .map(|(i, v)| (v - (sr * i as f64 + ir)) * 1e308)
            .collect();
        allclose(
            &l.iter().copied().collect::<Vec<_>>(),
            &expect,
            1e-12,
            1e295,
        )
    });
    s.case("linefit f32 on a transposed view = naive line", || {
        let a = rand2(21, 6, 3);
        let (sl, ic) = ok(linefit(&a.t().mapv(|v| v as f32), 1))?;
        for r in 0..3 {
            let (es, ei) = reference::line(a.column(r).mapv(|v| v as f32 as f64).view());
            allclose(&[sl[r] as f64, ic[r] as f64], &[es, ei], 1e-5, 1e-6)?;
        }
        Ok(())
    });
    s.case("linefit 3-d along axis 0 of a negative-stride view", || {
        let a = Array3::from_shape_fn((4, 2, 3), |(i, j, k)| (i * (j + 1)) as f64 + k as f64);
        let (sl, _) = ok(linefit(&a.slice(s![..;-1, .., ..]), 0))?;
        ensure(
            sl.iter()
                .zip([-1.0, -1.0, -1.0, -2.0, -2.0, -2.0])
                .all(|(a, b)| (a - b).abs() < 1e-14),
            format!("{sl:?}"),
        )
    });
    // --- pca
    s.case("pca n_components 0 and > d", || {
        err_contains(pca(&rand2(1, 5, 3), 0, false), "n_components")?;
        err_contains(pca(&rand2(1, 5, 3), 4, false), "n_components")
    });
    s.case("pca of 1 sample and of (2^33, 0)", || {
        err_contains(pca(&rand2(1, 1, 3), 1, false), "at least 2")?;
        is_err(pca(&empty2(BIG, 0), 1, false))
    });
    s.case("pca of (0, 2^33)", || {
        is_err(pca(&empty2(0, BIG), 1, false))
    });
    s.case("pca NaN and inf", || {
        let mut a = rand2(2, 6, 3);
        a[[2, 1]] = f64::NAN;
        err_contains(pca(&a, 1, false), "non-finite")?;
        a[[2, 1]] = f64::INFINITY;
        err_contains(pca(&a, 1, false), "non-finite")
    });
    s.case(
        "pca d x d moments over the cap (2 samples, 2^17 features)",
        || {
            let a = Array2::<f32>::zeros((2, 1 << 17));
            err_contains(pca(&a, 1, false), "PCA moment sums")
        },
    );
    s.case(
        "pca near 1e200: same components, variance scaled (was an Err)",
        || {
            let a = rand2(3, 40, 3) * array![[3.0, 1.0, 0.2]];
            let p1 = ok(pca(&a, 2, false))?;
            let f = 2f64.powi(700);
            let p2 = ok(pca(&(&a * f), 2, false))?;
            allclose(
                &p2.components.clone().into_raw_vec_and_offset().0,
                &p1.components.clone().into_raw_vec_and_offset().0,
                1e-12,
                1e-12,
            )?;
            allclose(
                &p2.explained_variance_ratio.to_vec(),
                &p1.explained_variance_ratio.to_vec(),
                1e-12,
                0.0,
            )?;
            allclose(&(p2.mean / f).to_vec(), &p1.mean.to_vec(), 1e-13, 1e-15)
        },
    );
    s.case(
        "pca near 1e300: variance overflows to inf honestly, components finite",
        || {
            let a = rand2(4, 30, 2) * 1e300;
            let p = ok(pca(&a, 1, false))?;
            ensure(
                p.explained_variance[0] == f64::INFINITY
                    && p.components.iter().all(|v| v.is_finite())
                    && (p.explained_variance_ratio[0] - 1.0).abs() <= 1.0,
                format!("{p:?}"),
            )
        },
    );
    s.case(
        "pca near 1e-200: components of the data, not of zeros",
        || {
            let a = rand2(5, 40, 3) * array![[3.0, 1.0, 0.2]];
            let p1 = ok(pca(&a, 2, false))?;
            let f = 2f64.powi(-700);
            let p2 = ok(pca(&(&a * f), 2, false))?;
            allclose(
                &p2.components.clone().into_raw_vec_and_offset().0,
                &p1.components.clone().into_raw_vec_and_offset().0,
                1e-10,
                1e-10,
            )?;
            // variances near 2^-1400 underflow to 0 (not representable); at 2^-500 (data
            // near 3e-151, squares near 1e-302) they are representable and scale by f^2
            ensure(
                p2.explained_variance.iter().all(|v| *v == 0.0),
                "variance not 0",
            )?;
            let f = 2f64.powi(-500);
            let p3 = ok(pca(&(&a * f), 2, false))?;
            allclose(
                &(p3.explained_variance / f / f).to_vec(),
                &p1.explained_variance.to_vec(),
                1e-10,
                0.0,
            )
        },
    );
    s.case(
        "pca of constant data: zero variance, ratio 0, no NaN",
        || {
            let p = ok(pca(&Array2::from_elem((5, 2), 7.0), 2, true))?;
            let t = ok(p.transform(&Array2::from_elem((3, 2), 7.0)))?;
            ensure(
                p.explained_variance.iter().all(|v| *v == 0.0) && t.iter().all(|v| *v == 0.0),
                format!("{p:?}"),
            )
        },
    );
    s.case("pca transform mismatched features and (2^33, 0)", || {
        let p = ok(pca(&rand2(6, 5, 3), 2, false))?;
        is_err(p.transform(&rand2(7, 2, 4)))?;
        is_err(p.transform(&empty2(BIG, 0)))?;
        let t = ok(p.transform(&empty2(0, 3)))?;
        ensure(t.shape() == [0, 2], "shape")
    });
    s.case("pca f32 transposed view = f64 contiguous", || {
        let a = rand2(8, 3, 10);
        let p1 = ok(pca(&a.t().mapv(|v| v as f32), 2, false))?;
        let p2 = ok(pca(
            &a.t().mapv(|v| v as f32 as f64).as_standard_layout(),
            2,
            false,
        ))?;
        allclose(
            &p1.explained_variance.to_vec(),
            &p2.explained_variance.to_vec(),
            1e-12,
            1e-15,
        )
    });
    // --- estimate_kernel
    let ek_in = || {
        Array2::from_shape_fn((8, 8), |(i, j)| {
            (((i * 8 + j) as f64 * 12.9898).sin() * 43758.5453).fract()
        })
    };
    s.case(
        "estimate_kernel size of the wrong length / even / zero",
        move || {
            err_contains(
                estimate_kernel(&ek_in(), &ek_in(), &[3], KernelMode::Correlate),
                "size",
            )?;
            err_contains(
                estimate_kernel(&ek_in(), &ek_in(), &[2, 3], KernelMode::Correlate),
                "odd",
            )?;
            is_err(estimate_kernel(
                &ek_in(),
                &ek_in(),
                &[0, 3],
                KernelMode::Correlate,
            ))
        },
    );
    s.case(
        "estimate_kernel size [usize::MAX, usize::MAX]: overflow is an Err",
        move || {
            is_err(estimate_kernel(
                &ek_in(),
                &ek_in(),
                &[usize::MAX, usize::MAX],
                KernelMode::Correlate,
            ))
        },
    );
    s.case(
        "estimate_kernel size [2^33 + 1, 1]: insufficient data, no huge tap list",
        move || {
            err_contains(
                estimate_kernel(&ek_in(), &ek_in(), &[BIG + 1, 1], KernelMode::Correlate),
                "insufficient data",
            )
        },
    );
    s.case("estimate_kernel shape mismatch", move || {
        is_err(estimate_kernel(
            &ek_in(),
            &Array2::<f64>::zeros((8, 7)),
            &[3, 3],
            KernelMode::Correlate,
        ))
    });
    s.case("estimate_kernel NaN in output is named", move || {
        let mut o = ek_in();
        o[[3, 3]] = f64::NAN;
        err_contains(
            estimate_kernel(&ek_in(), &o, &[3, 3], KernelMode::Correlate),
            "output",
        )
    });
    s.case("estimate_kernel of (2^33, 0)", || {
        is_err(estimate_kernel(
            &empty2(BIG, 0),
            &empty2(BIG, 0),
            &[1, 1],
            KernelMode::Correlate,
        ))
    });
    s.case("estimate_kernel of a 0-d pair is the ratio", || {
        let k = ok(estimate_kernel(
            &ndarray::arr0(2.0),
            &ndarray::arr0(6.0),
            &[],
            KernelMode::Convolve,
        ))?;
        ensure((k[IxDyn(&[])] - 3.0).abs() < 1e-15, format!("{k:?}"))
    });
    s.case(
        "estimate_kernel of zeros input: insufficient data (singular)",
        || {
            err_contains(
                estimate_kernel(
                    &Array2::<f64>::zeros((8, 8)),
                    &Array2::<f64>::zeros((8, 8)),
                    &[3, 3],
                    KernelMode::Correlate,
                ),
                "insufficient data",
            )
        },
    );
    let ek_pair = move |si: f64, so: f64| {
        let input = ek_in() * si;
        let k = array![[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.5]];
        let mut output = Array2::<f64>::zeros((8, 8));
        for i in 1..7 {
            for j in 1..7 {
                output[[i, j]] = (0..3)
                    .flat_map(|a| (0..3).map(move |b| (a, b)))
                    .map(|(a, b)| k[[a, b]] * ek_in()[[i + a - 1, j + b - 1]])
                    .sum::<f64>()
                    * so;
            }
        }
        (input, output, k)
    };
    for (name, si, so) in [
        ("1e300 / 1e300", 1e300, 1e300),
        ("1e-300 / 1", 1e-300, 1.0),
        ("1 / 1e-300", 1.0, 1e-300),
        ("1e200 / 1e-200", 1e200, 1e-200),
    ] {
        s.case(
            format!("estimate_kernel data near {name}: the kernel scales (was 'singular')"),
            move || {
                let (i, o, k) = ek_pair(si, so);
                let est = ok(estimate_kernel(&i, &o, &[3, 3], KernelMode::Correlate))?;
                let expect: Vec<f64> = k.iter().map(|v| v * so / si).collect();
                allclose(
                    &est.iter().copied().collect::<Vec<_>>(),
                    &expect,
                    1e-9,
                    1e-9 * so / si,
                )
            },
        );
    }
    s.case("estimate_kernel f32 on views: convolve flips", move || {
        let (i, o, k) = ek_pair(1.0, 1.0);
        let est = ok(estimate_kernel(
            &i.mapv(|v| v as f32).t(),
            &o.mapv(|v| v as f32).t(),
            &[3, 3],
            KernelMode::Convolve,
        ))?;
        // correlate(i^T, k^T) = (correlate(i, k))^T; convolve flips: estimate = k^T flipped
        let mut kt = k.t().to_owned();
        kt.invert_axis(Axis(0));
        kt.invert_axis(Axis(1));
        allclose(
            &est.iter().copied().collect::<Vec<_>>(),
            &kt.iter().copied().collect::<Vec<_>>(),
            1e-3,
            1e-3,
        )
    });
}

fn kmeans_cases(s: &mut Suite) {
    let blobs = || {
        Array2::from_shape_fn((30, 2), |(i, j)| {
            (i / 10) as f64 * 10.0 + ((i * 7 + j * 3) % 5) as f64 * 0.1
        })
    };
    s.case("kmeans k = 0", move || {
        err_contains(kmeans(&blobs(), &KMeansOptions::new(0)), "k = 0")
    });
    s.case("kmeans k > n", move || {
        err_contains(kmeans(&blobs(), &KMeansOptions::new(31)), "k = 31")
    });
    s.case("kmeans k = usize::MAX", move || {
        is_err(kmeans(&blobs(), &KMeansOptions::new(usize::MAX)))
    });
    s.case("kmeans of no samples", || {
        err_contains(
            kmeans(&empty2(0, 3), &KMeansOptions::new(1)),
            "at least one sample",
        )
    });
    s.case("kmeans of (5, 0): no features (was an index panic)", || {
        err_contains(kmeans(&empty2(5, 0), &KMeansOptions::new(2)), "feature")
    });
    s.case("kmeans of (2^33, 0)", || {
        is_err(kmeans(&empty2(BIG, 0), &KMeansOptions::new(3)))
    });
    s.case("kmeans NaN and inf samples", move || {
        let mut x = blobs();
        x[[4, 1]] = f64::NAN;
        err_contains(kmeans(&x, &KMeansOptions::new(3)), "x[4, 1]")?;
        x[[4, 1]] = f64::INFINITY;
        is_err(kmeans(&x, &KMeansOptions::new(3)))
    });
    s.case("kmeans tol NaN / negative, n_init 0", move || {
        is_err(kmeans(
            &blobs(),
            &KMeansOptions {
                tol: f64::NAN,
                ..KMeansOptions::new(2)
            },
        ))?;
        is_err(kmeans(
            &blobs(),
            &KMeansOptions {
                tol: -1.0,
                ..KMeansOptions::new(2)
            },
        ))?;
        err_contains(
            kmeans(
                &blobs(),
                &KMeansOptions {
                    n_init: 0,
                    ..KMeansOptions::new(2)
                },
            ),
            "n_init",
        )
    });
    s.case(
        "kmeans given centroids of the wrong shape / NaN",
        move || {
            is_err(kmeans(
                &blobs(),
                &KMeansOptions {
                    init: KMeansInit::Given(Array2::zeros((2, 3))),
                    ..KMeansOptions::new(2)
                },
            ))?;
            let mut c = Array2::<f64>::zeros((2, 2));
            c[[1, 1]] = f64::NAN;
            err_contains(
                kmeans(
                    &blobs(),
                    &KMeansOptions {
                        init: KMeansInit::Given(c),
                        ..KMeansOptions::new(2)
                    },
                ),
                "finite",
            )
        },
    );
    s.case(
        "kmeans max_iter 0 still returns consistent labels",
        move || {
            let init = array![[0.0, 0.0], [10.0, 10.0], [20.0, 20.0]];
            let r = ok(kmeans(
                &blobs(),
                &KMeansOptions {
                    init: KMeansInit::Given(init.clone()),
                    max_iter: 0,
                    ..KMeansOptions::new(3)
                },
            ))?;
            let (l, _) = reference::nearest(blobs().view(), init.view());
            ensure(
                r.centroids == init && r.labels.to_vec() == l && !r.converged,
                format!("{r:?}"),
            )
        },
    );
    s.case(
        "kmeans k = n puts every point in its own cluster",
        move || {
            let x = array![[0.0], [1.0], [5.0]];
            let r = ok(kmeans(&x, &KMeansOptions::new(3)))?;
            let mut l = r.labels.to_vec();
            l.sort();
            ensure(l == vec![0, 1, 2] && r.inertia == 0.0, format!("{r:?}"))
        },
    );
    s.case(
        "kmeans of identical points with k = 3: no NaN, inertia 0",
        || {
            let r = ok(kmeans(
                &Array2::from_elem((6, 2), 4.0),
                &KMeansOptions::new(3),
            ))?;
            ensure(
                r.inertia == 0.0 && r.centroids.iter().all(|v| *v == 4.0),
                format!("{r:?}"),
            )
        },
    );
    s.case("kmeans = reference Lloyd (given init, tol 0)", move || {
        let init = array![[0.0, 5.0], [9.0, 9.0], [25.0, 25.0]];
        let r = ok(kmeans(
            &blobs(),
            &KMeansOptions {
                init: KMeansInit::Given(init.clone()),
                tol: 0.0,
                ..KMeansOptions::new(3)
            },
        ))?;
        let (l, c) = reference::lloyd(blobs().view(), init.view(), 300);
        ensure(r.labels == l, format!("{:?} vs {l:?}", r.labels))?;
        allclose(
            &r.centroids.into_raw_vec_and_offset().0,
            &c.into_raw_vec_and_offset().0,
            1e-14,
            1e-14,
        )
    });
    for (name, f) in [
        ("1e200", 2f64.powi(660)),
        ("1e-200", 2f64.powi(-660)),
        ("1e300", 2f64.powi(997)),
    ] {
        s.case(
            format!("kmeans data near {name}: labels and scaled centroids of the unscaled run"),
            move || {
                let init = array![[0.0, 5.0], [9.0, 9.0], [25.0, 25.0]];
                let o = |c: Array2<f64>| KMeansOptions {
                    init: KMeansInit::Given(c),
                    tol: 0.0,
                    ..KMeansOptions::new(3)
                };
                let r1 = ok(kmeans(&blobs(), &o(init.clone())))?;
                let r2 = ok(kmeans(&(blobs() * f), &o(&init * f)))?;
                ensure(
                    r1.labels == r2.labels,
                    format!("{:?} vs {:?}", r1.labels, r2.labels),
                )?;
                allclose(
                    &(r2.centroids / f).into_raw_vec_and_offset().0,
                    &r1.centroids.into_raw_vec_and_offset().0,
                    1e-14,
                    1e-14,
                )?;
                // inertia scales by f^2: inf / 0 where that leaves the f64 range
                let inertia = r2.inertia / f / f;
                let scaled = r1.inertia * f * f;
                ensure(
                    (scaled.is_infinite() && r2.inertia.is_infinite())
                        || (scaled < 1e-300 && r2.inertia <= 1e-300)
                        || (inertia - r1.inertia).abs() <= 1e-12 * r1.inertia,
                    format!("{} vs {}", r2.inertia, r1.inertia),
                )
            },
        );
    }
    s.case(
        "kmeans++ near 1e200 separates the blobs like at unit scale",
        move || {
            let f = 2f64.powi(660);
            let r1 = ok(kmeans(&blobs(), &KMeansOptions::new(3)))?;
            let r2 = ok(kmeans(&(blobs() * f), &KMeansOptions::new(3)))?;
            ensure(
                r1.labels == r2.labels,
                format!("{:?} vs {:?}", r1.labels, r2.labels),
            )
        },
    );
    s.case("kmeans f32 transposed view = f64 contiguous", move || {
        let xt = blobs().t().to_owned().mapv(|v| v as f32);
        let init = array![[0.0, 5.0], [9.0, 9.0], [25.0, 25.0]];
        let o = KMeansOptions {
            init: KMeansInit::Given(init),
            tol: 0.0,
            ..KMeansOptions::new(3)
        };
        let r1 = ok(kmeans(&xt.t(), &o))?;
        let r2 = ok(kmeans(&xt.t().mapv(|v| v as f64), &o))?;
        ensure(r1.labels == r2.labels, "labels differ")
    });
}

fn curve_fit_cases(s: &mut Suite) {
    let x = || Array1::<f64>::linspace(0.0, 2.0, 20);
    let y = move || x().mapv(|t| 3.0 * (-1.5 * t).exp());
    let opts = CurveFitOptions::default;
    s.case(
        "curve_fit model NaN beside p0 (central difference): Err, not a hang",
        move || {
            // at p = [1, 1] the model is finite; at p[1] = 1 + h it is NaN
            let model = move |p: &[f64]| {
                x().mapv(|t| {
                    if p[1] > 1.0 {
                        f64::NAN
                    } else {
                        p[0] * (-p[1] * t).exp()
                    }
                })
            };
            err_contains(curve_fit(model, &y(), &[1.0, 1.0], &opts()), "not finite")
        },
    );
    s.case(
        "curve_fit model NaN everywhere except at p0 exactly",
        move || {
            let model =
                move |p: &[f64]| x().mapv(|t| if p == [1.0, 1.0] { p[0] * t } else { f64::NAN });
            is_err(curve_fit(model, &y(), &[1.0, 1.0], &opts()))
        },
    );
    s.case(
        "curve_fit model NaN away from p0: stops (converged false or Ok), no hang",
        move || {
            // finite for p[1] < 1.3; the optimum (1.5) lies in the NaN region
            let model = move |p: &[f64]| {
                x().mapv(|t| {
                    if p[1] >= 1.3 {
                        f64::NAN
                    } else {
                        p[0] * (-p[1] * t).exp()
                    }
                })
            };
            let r = ok(curve_fit(model, &y(), &[1.0, 1.0], &opts()))?;
            ensure(
                r.params.iter().all(|v| v.is_finite()) && r.params[1] < 1.3,
                format!("{r:?}"),
            )
        },
    );
    s.case("curve_fit model overflowing beside p0", move || {
        let model = move |p: &[f64]| {
            x().mapv(|t| {
                if p[0] > 1.0 {
                    f64::MAX * 2.0 * t
                } else {
                    p[0] * t
                }
            })
        };
        is_err(curve_fit(model, &y(), &[1.0], &opts()))
    });
    s.case("curve_fit model inf at p0", move || {
        err_contains(
            curve_fit(
                move |_: &[f64]| x().mapv(|_| f64::INFINITY),
                &y(),
                &[1.0],
                &opts(),
            ),
            "not finite",
        )
    });
    s.case("curve_fit empty p0", move || {
        err_contains(curve_fit(move |_: &[f64]| x(), &y(), &[], &opts()), "p0")
    });
    s.case("curve_fit more parameters than points", move || {
        err_contains(
            curve_fit(
                |_: &[f64]| array![1.0, 2.0],
                &array![1.0, 2.0],
                &[1.0, 1.0, 1.0],
                &opts(),
            ),
            "insufficient data",
        )
    });
    s.case("curve_fit all-NaN data", || {
        err_contains(
            curve_fit(
                |_: &[f64]| array![1.0, 2.0],
                &array![f64::NAN, f64::NAN],
                &[1.0],
                &CurveFitOptions::default(),
            ),
            "insufficient data",
        )
    });
    s.case("curve_fit inf in the data", || {
        err_contains(
            curve_fit(
                |p: &[f64]| array![p[0], p[0]],
                &array![1.0, f64::INFINITY],
                &[1.0],
                &CurveFitOptions::default(),
            ),
            "infinite",
        )
    });
    s.case("curve_fit model of the wrong shape", move || {
        err_contains(
            curve_fit(|_: &[f64]| array![1.0, 2.0], &y(), &[1.0], &opts()),
            "shape",
        )
    });
    s.case("curve_fit empty and (2^33, 0) data: insufficient", || {
        is_err(curve_fit(
            |_: &[f64]| Array1::zeros(0),
            &Array1::<f64>::zeros(0),
            &[1.0],
            &CurveFitOptions::default(),
        ))?;
        is_err(curve_fit(
            |_: &[f64]| Array2::zeros((BIG, 0)),
            &empty2(BIG, 0),
            &[1.0],
            &CurveFitOptions::default(),
        ))
    });
    s.case("curve_fit max_nfev 1 stops at once", move || {
        let model = move |p: &[f64]| x().mapv(|t| p[0] * (-p[1] * t).exp());
        let r = ok(curve_fit(
            model,
            &y(),
            &[1.0, 1.0],
            &CurveFitOptions {
                max_nfev: 1,
                ..opts()
            },
        ))?;
        ensure(!r.converged && r.nfev <= 5, format!("{r:?}"))
    });
    s.case("curve_fit NaN tolerances terminate", move || {
        let model = move |p: &[f64]| x().mapv(|t| p[0] * (-p[1] * t).exp());
        let r = ok(curve_fit(
            model,
            &y(),
            &[1.0, 1.0],
            &CurveFitOptions {
                ftol: f64::NAN,
                xtol: f64::NAN,
                gtol: f64::NAN,
                max_nfev: 0,
            },
        ))?;
        ensure(r.nfev <= 600, format!("{r:?}"))
    });
    s.case(
        "curve_fit recovers the parameters with NaN-masked f32 data",
        move || {
            let mut yd = y().mapv(|v| v as f32);
            yd[3] = f32::NAN;
            let model = move |p: &[f64]| x().mapv(|t| p[0] * (-p[1] * t).exp());
            let r = ok(curve_fit(model, &yd, &[1.0, 1.0], &opts()))?;
            allclose(&r.params, &[3.0, 1.5], 1e-5, 0.0)?;
            ensure(r.n_points == 19, format!("{}", r.n_points))
        },
    );
    s.case(
        "curve_fit data near 1e300 (residual squares overflow)",
        move || {
            let model = move |p: &[f64]| x().mapv(|t| p[0] * 1e300 * (-p[1] * t).exp());
            let yd = y() * 1e300;
            let r = ok(curve_fit(model, &yd, &[1.0, 1.0], &opts()))?;
            // ssr overflows to inf at p0; the fit must still end (Ok with a finite best guess)
            ensure(r.params.iter().all(|v| v.is_finite()), format!("{r:?}"))
        },
    );
}

fn extra_cases(s: &mut Suite) {
    // More layouts and dtypes for the distance family.
    for d in [1usize, 2, 5, 6, 8, 17] {
        s.case(
            format!("pdist = cdist upper triangle, d = {d}, f32 and f64"),
            move || {
                let x = rand2(100 + d as u64, 9, d);
                let p = ok(pdist(&x, &Metric::SqEuclidean))?;
                let c = ok(cdist(&x, &x, &Metric::SqEuclidean))?;
                let mut k = 0;
                for i in 0..9 {
                    for j in i + 1..9 {
                        if p[k] != c[[i, j]] {
                            return Err(format!("({i}, {j}): {} vs {}", p[k], c[[i, j]]));
                        }
                        k += 1;
                    }
                }
                let r = reference::cdist_sq(x.view(), x.view(), None);
                allclose(
                    &c.into_raw_vec_and_offset().0,
                    &r.into_raw_vec_and_offset().0,
                    1e-12,
                    1e-14,
                )?;
                let pf = ok(pdist(&x.mapv(|v| v as f32), &Metric::Euclidean))?;
                ensure(
                    pf.len() == 36 && pf.iter().all(|v| v.is_finite() && *v >= 0.0),
                    "f32 pdist",
                )
            },
        );
        s.case(
            format!("cdist Mahalanobis = naive quadratic form, d = {d}"),
            move || {
                let a = rand2(200 + d as u64, 4, d);
                let b = rand2(300 + d as u64, 5, d);
                let m = rand2(400 + d as u64, d, d);
                let vi = m.t().dot(&m) + Array2::<f64>::eye(d);
                let got = ok(cdist(&a, &b, &Metric::SqMahalanobis(vi.clone())))?;
                let r = reference::cdist_sq(a.view(), b.view(), Some(vi.view()));
                allclose(
                    &got.into_raw_vec_and_offset().0,
                    &r.into_raw_vec_and_offset().0,
                    1e-10,
                    1e-12,
                )
            },
        );
    }
    for d in [1usize, 3, 9] {
        s.case(
            format!("nearest = reference on random data, d = {d}"),
            move || {
                let p = rand2(500 + d as u64, 37, d);
                let c = rand2(600 + d as u64, 5, d);
                let (l, dist) = ok(nearest(&p, &c))?;
                let (rl, rd) = reference::nearest(p.view(), c.view());
                ensure(l.to_vec() == rl, "labels")?;
                allclose(&dist.to_vec(), &rd, 1e-12, 1e-14)
            },
        );
    }
    for order in [
        EigOrder::Ascending,
        EigOrder::Descending,
        EigOrder::AbsAscending,
    ] {
        s.case(
            format!("eigvalsh3 random 3x3 = nalgebra reference, {order:?}"),
            move || {
                let mut g = Rng::new(77);
                let m: Vec<Array1<f64>> =
                    (0..6).map(|_| Array1::from(g.vec(11, -2.0, 2.0))).collect();
                let l = ok(eigvalsh3([&m[0], &m[1], &m[2], &m[3], &m[4], &m[5]], order))?;
                for e in 0..11 {
                    let mut w = reference::eigvalsh3([
                        [m[0][e], m[1][e], m[2][e]],
                        [m[1][e], m[3][e], m[4][e]],
                        [m[2][e], m[4][e], m[5][e]],
                    ]);
                    match order {
                        EigOrder::Ascending => {}
                        EigOrder::Descending => w.reverse(),
                        EigOrder::AbsAscending => w.sort_by(|a, b| a.abs().total_cmp(&b.abs())),
                    }
                    allclose(&[l[0][e], l[1][e], l[2][e]], &w, 1e-10, 1e-12)?;
                }
                Ok(())
            },
        );
    }
    for (name, v) in [
        ("NaN", f64::NAN),
        ("inf", f64::INFINITY),
        ("-inf", f64::NEG_INFINITY),
    ] {
        s.case(
            format!("polyval / chebval / ChebPoly at {name}"),
            move || {
                let a = ok(polyval(&[1.0, 0.0, 0.0], &array![v]))?;
                let b = ok(chebval(&array![v], &[0.0, 1.0]))?;
                let p = ChebPoly {
                    coef: vec![1.0, 2.0],
                    domain: [0.0, 1.0],
                };
                let c = p.eval(v);
                if v.is_nan() {
                    all_nan(&[a[0], b[0], c])
                } else {
                    // np.polyval([1, 0, 0], +-inf) = nan (0 * inf in Horner's first step);
                    // chebval(+-inf, [0, 1]) = +-inf
                    ensure(
                        a[0].is_nan() && b[0] == v && c.is_infinite(),
                        format!("{a:?} {b:?} {c}"),
                    )
                }
            },
        );
        s.case(format!("linefit of a lane with {name}"), move || {
            let (sl, _) = ok(linefit(&array![[1.0, v, 3.0], [1.0, 2.0, 3.0]], 1))?;
            ensure(sl[0].is_nan() && sl[1] == 1.0, format!("{sl:?}"))
        });
        s.case(format!("interpolate rejects a {name} node"), move || {
            is_err(interpolate(&array![0.0, v], &array![1.0, 1.0]))
        });
        s.case(format!("polyfit rejects {name} in y"), move || {
            is_err(polyfit(&array![0.0, 1.0], &array![1.0, v], 1, None))
        });
        s.case(format!("pca rejects {name}"), move || {
            let mut a = rand2(9, 4, 2);
            a[[0, 0]] = v;
            is_err(pca(&a, 1, false))
        });
        s.case(format!("kmeans rejects {name}"), move || {
            let mut a = rand2(10, 4, 2);
            a[[3, 1]] = v;
            is_err(kmeans(&a, &KMeansOptions::new(2)))
        });
        s.case(format!("cdist weighted rejects weight {name}"), move || {
            is_err(cdist(
                &rand2(1, 2, 2),
                &rand2(2, 2, 2),
                &Metric::SqWeighted(vec![1.0, v]),
            ))
        });
        s.case(
            format!("estimate_kernel rejects {name} in the input"),
            move || {
                let mut a = rand2(11, 6, 6);
                a[[2, 2]] = v;
                err_contains(
                    estimate_kernel(&a, &rand2(12, 6, 6), &[1, 1], KernelMode::Correlate),
                    "input",
                )
            },
        );
        s.case(
            format!("hessian_matrix keeps {name} (no NaN-eating clamp)"),
            move || {
                let mut a = Array2::<f64>::zeros((9, 9));
                a[[4, 4]] = v;
                let h = ok(hessian_matrix(&a, 1.0, BorderMode::Reflect, true))?;
                ensure(
                    h[0][[4, 4]].is_nan() || h[0][[4, 4]].is_infinite(),
                    format!("{}", h[0][[4, 4]]),
                )
            },
        );
    }
    for k in [1usize, 2, 4] {
        s.case(
            format!("kmeans n_init 3, k = {k}: deterministic per seed"),
            move || {
                let x = rand2(13, 25, 3);
                let o = KMeansOptions {
                    n_init: 3,
                    ..KMeansOptions::new(k)
                };
                let a = ok(kmeans(&x, &o))?;
                let b = ok(kmeans(&x, &o))?;
                ensure(
                    a == b && a.labels.iter().all(|&l| l < k),
                    "nondeterministic or bad label",
                )
            },
        );
    }
    for deg in [0usize, 1, 3, 7] {
        s.case(
            format!("polyfit of a degree-{deg} polynomial is exact (identity)"),
            move || {
                let x = Array1::linspace(-3.0, 5.0, 12);
                let coeffs: Vec<f64> = (0..=deg).map(|i| 1.0 + i as f64 * 0.5).collect();
                let y = x.mapv(|t| reference::polyval(&coeffs, t));
                let p = ok(polyfit(&x, &y, deg, None))?;
                let got: Vec<f64> = x.iter().map(|&t| p.eval(t)).collect();
                allclose(&got, &y.to_vec(), 1e-11, 1e-11)
            },
        );
    }
    s.case("level_rows of 0-d-like (1, 2) rows and of f32", || {
        let l = ok(level_rows(&array![[5.0f32, 7.0]]))?;
        ensure(l.iter().all(|v| v.abs() < 1e-6), format!("{l:?}"))
    });
    s.case(
        "level along a negative-stride axis equals flipping the result",
        || {
            let a = rand2(14, 3, 6);
            let l1 = ok(level(&a.slice(s![.., ..;-1]), 1))?;
            let l2 = ok(level(&a, 1))?;
            let l2f: Vec<f64> = l2.slice(s![.., ..;-1]).iter().copied().collect();
            allclose(&l1.iter().copied().collect::<Vec<_>>(), &l2f, 1e-13, 1e-14)
        },
    );
    s.case("hessian_eigvals of 0-d planes", || {
        let p = vec![
            ndarray::arr0(1.0f64),
            ndarray::arr0(0.0),
            ndarray::arr0(-2.0),
        ];
        let l = ok(hessian_eigvals(&p, EigOrder::Descending))?;
        ensure(l[0][()] == 1.0 && l[1][()] == -2.0, format!("{l:?}"))
    });
    s.case("eigvalsh2 near 1e308 does not overflow", || {
        let l = ok(eigvalsh2(
            &array![1e308],
            &array![1e308],
            &array![-1e308],
            EigOrder::Ascending,
        ))?;
        let r = 2f64.sqrt() * 1e308;
        allclose(&[l[0][0], l[1][0]], &[-r, r], 1e-15, 0.0)
    });
    s.case("eigh3 f32 on a transposed 2-d grid: A v = lambda v", || {
        let a = Array2::from_shape_fn((3, 4), |(i, j)| (i + j) as f32).reversed_axes();
        let z = Array2::<f32>::zeros((4, 3));
        let one = Array2::<f32>::ones((4, 3));
        let (w, v) = ok(eigh3([&a, &one, &z, &a, &z, &one], EigOrder::Ascending))?;
        for e in [(0, 0), (3, 2)] {
            let m = [
                [a[e] as f64, 1.0, 0.0],
                [1.0, a[e] as f64, 0.0],
                [0.0, 0.0, 1.0],
            ];
            for k in 0..3 {
                for i in 0..3 {
                    let av: f64 = (0..3).map(|j| m[i][j] * v[k][j][e] as f64).sum();
                    if (av - w[k][e] as f64 * v[k][i][e] as f64).abs() > 1e-5 {
                        return Err(format!("{e:?} k={k}"));
                    }
                }
            }
        }
        Ok(())
    });
}

#[test]
fn hostile() {
    let mut s = Suite::new("hostile");
    broadcast_outputs(&mut s);
    distance_cases(&mut s);
    eigh_cases(&mut s);
    hessian_cases(&mut s);
    interp_cases(&mut s);
    poly_cases(&mut s);
    fit_cases(&mut s);
    kmeans_cases(&mut s);
    curve_fit_cases(&mut s);
    extra_cases(&mut s);
    assert!(s.len() >= 150, "only {} hostile cases", s.len());
    let _ = Array::<f64, _>::zeros(0); // keep the ndarray prelude import used on every path
    s.run();
}

/// Issue 13: outputs sized like the input. A stride-0 broadcast view with a huge logical
/// shape is one value in memory; every function whose output or working copy is sized by it
/// must refuse with `Error::TooLarge` (not abort), and small broadcast views give the naive
/// answer of the materialised array.
fn broadcast_outputs(s: &mut Suite) {
    use ndarray::{Ix1, Ix2, Ix3, Ix4};
    use ndkern_core::testing::hostile::{broadcast_view, broadcast_view_f32, too_large};
    let h2 = || broadcast_view(Ix2(1 << 20, 1 << 20));
    let tall = || broadcast_view(Ix2(1 << 36, 2));
    let wide = || broadcast_view(Ix2(2, 1 << 29));
    let c2 = array![[0.0, 0.0], [1.0, 1.0]];
    s.case("broadcast (2, 2^29): cdist copies", move || {
        too_large(cdist::<f64, _, _>(&wide(), &wide(), &Metric::Euclidean))
    });
    s.case("broadcast (2, 2^29): pdist copies", move || {
        too_large(pdist::<f64, _>(&wide(), &Metric::SqEuclidean))
    });
    let c = c2.clone();
    s.case("broadcast (2^36, 2): nearest", move || {
        too_large(nearest(&tall(), &c))
    });
    s.case("broadcast (2^36, 2): kmeans", move || {
        let opts = KMeansOptions {
            k: 2,
            ..KMeansOptions::new(2)
        };
        too_large(kmeans(&tall(), &opts))
    });
    s.case("broadcast (2^36, 2): Pca::transform", move || {
        let p = ok(pca(&rand2(3, 10, 2), 1, false))?;
        too_large(p.transform::<f64, _>(&tall()))
    });
    s.case("broadcast (2^36, 2): linefit along axis 1", move || {
        too_large(linefit::<f64, _, _>(&tall(), 1))
    });
    s.case("broadcast 2^40 (2-D): level", move || {
        too_large(level::<f64, _, _>(&h2(), 1))
    });
    s.case("broadcast 2^40 (2-D): level_rows", move || {
        too_large(level_rows::<f64, _>(&h2()))
    });
    s.case("broadcast 2^40 (2-D): hessian", move || {
        too_large(hessian::<f64, _, _>(&h2()))
    });
    s.case("broadcast 2^40 (2-D): hessian_matrix", move || {
        too_large(hessian_matrix::<f64, _, _>(
            &h2(),
            1.0,
            BorderMode::Reflect,
            true,
        ))
    });
    s.case(
        "broadcast 2^40 (2-D): hessian_matrix constant mode",
        move || {
            too_large(hessian_matrix::<f64, _, _>(
                &h2(),
                1.0,
                BorderMode::Constant(0.0),
                false,
            ))
        },
    );
    s.case("broadcast 2^40 (2-D): frangi", move || {
        too_large(frangi::<f64, _, _>(&h2(), &FrangiOptions::default()))
    });
    s.case("broadcast 2^42 (3-D f32): hessian_eigvalsh", move || {
        too_large(hessian_eigvalsh::<f32, _, _>(
            &broadcast_view_f32(Ix3(1 << 14, 1 << 14, 1 << 14)),
            EigOrder::Ascending,
        ))
    });
    s.case("broadcast 2^40 (2-D): eigvalsh2", move || {
        too_large(eigvalsh2::<f64, _, _>(
            &h2(),
            &h2(),
            &h2(),
            EigOrder::Ascending,
        ))
    });
    s.case("broadcast 2^40 (2-D): eigvalsh3", move || {
        let (a, b) = (h2(), h2());
        too_large(eigvalsh3::<f64, _, _>(
            [&a, &b, &a, &a, &b, &a],
            EigOrder::Ascending,
        ))
    });
    s.case("broadcast 2^40 (2-D): eigh3", move || {
        let (a, b) = (h2(), h2());
        too_large(eigh3::<f64, _, _>(
            [&a, &b, &a, &a, &b, &a],
            EigOrder::Ascending,
        ))
    });
    s.case("broadcast 2^40 (2-D): hessian_eigvals", move || {
        let (a, b, c) = (h2(), h2(), h2());
        too_large(hessian_eigvals::<f64, _, _>(
            &[a, b, c],
            EigOrder::Ascending,
        ))
    });
    s.case("broadcast stack (2^20, 2^20, 2, 2): eigvalsh", move || {
        too_large(eigvalsh::<f64, _, _>(&broadcast_view(Ix4(
            1 << 20,
            1 << 20,
            2,
            2,
        ))))
    });
    s.case("broadcast stack (2^19, 2^19, 4, 4): eigvalsh", move || {
        too_large(eigvalsh::<f64, _, _>(&broadcast_view(Ix4(
            1 << 19,
            1 << 19,
            4,
            4,
        ))))
    });
    s.case("broadcast 2^40 (2-D): polyval", move || {
        too_large(polyval::<f64, _, _>(&[1.0, 2.0], &h2()))
    });
    s.case("broadcast 2^40 (2-D f32): polyval", move || {
        too_large(polyval::<f32, _, _>(
            &[1.0, 2.0],
            &broadcast_view_f32(Ix2(1 << 20, 1 << 20)),
        ))
    });
    s.case("broadcast 2^40 (2-D): chebval", move || {
        too_large(chebval::<f64, _, _>(&h2(), &[1.0, 0.5]))
    });
    s.case("broadcast 2^40 (2-D): ChebPoly::eval_array", move || {
        let p = ChebPoly {
            coef: vec![1.0, 2.0],
            domain: [0.0, 1.0],
        };
        too_large(p.eval_array::<f64, _, _>(&h2()))
    });
    s.case("broadcast 2^40 (2-D): Interpolant::eval_array", move || {
        let p = ok(interpolate(&array![0.0, 1.0], &array![1.0, 3.0]))?;
        too_large(p.eval_array::<f64, _, _>(&h2()))
    });
    s.case("broadcast 2^40: curve_fit ydata", move || {
        let model = |p: &[f64]| Array1::from_elem(1, p[0]);
        too_large(curve_fit(
            model,
            &broadcast_view(Ix1(1 << 40)),
            &[1.0],
            &CurveFitOptions::default(),
        ))
    });

    // Small broadcast views vs the naive oracles on the materialised arrays.
    s.case("broadcast (4, 3) polyval = naive Horner", || {
        let row = array![0.5, -2.0, 3.25];
        let b = row.broadcast((4, 3)).unwrap();
        let p = [2.0, -1.0, 0.5];
        let got = ok(polyval(&p, &b))?;
        let want: Vec<f64> = b.iter().map(|&t| reference::polyval(&p, t)).collect();
        ensure(got.shape() == [4, 3], format!("{got:?}"))?;
        allclose(&vec_of(got.iter().copied()), &want, 1e-15, 1e-15)
    });
    let pts = rand2(7, 1, 3);
    s.case("broadcast (6, 3) cdist = naive distances", move || {
        let b = pts.broadcast((6, 3)).unwrap();
        let xb = rand2(8, 4, 3);
        let got = ok(cdist::<f64, _, _>(&b, &xb, &Metric::Euclidean))?;
        let want = reference::cdist_sq(b.to_owned().view(), xb.view(), None).mapv(f64::sqrt);
        allclose(
            &vec_of(got.iter().copied()),
            &vec_of(want.iter().copied()),
            1e-13,
            1e-14,
        )
    });
    s.case("broadcast (5, 2) nearest = naive nearest", || {
        let col = array![[0.25], [0.9], [-1.0], [0.5], [2.0]];
        let b = col.broadcast((5, 2)).unwrap();
        let c = array![[0.0, 0.0], [1.0, 1.0], [-1.0, -0.5]];
        let (l, d) = ok(nearest(&b, &c))?;
        let (wl, wd) = reference::nearest(b.to_owned().view(), c.view());
        ensure(l.to_vec() == wl, format!("labels {l:?} vs {wl:?}"))?;
        allclose(&d.to_vec(), &wd, 1e-14, 1e-15)
    });
    s.case(
        "broadcast (4, 6) linefit along axis 1 = naive line per row",
        || {
            let row = array![1.0, 3.0, 2.0, 5.0, 4.0, 7.5];
            let b = row.broadcast((4, 6)).unwrap();
            let (sl, ic) = ok(linefit::<f64, _, _>(&b, 1))?;
            let (ws, wi) = reference::line(row.view());
            allclose(&sl.to_vec(), &[ws; 4], 1e-13, 1e-14)?;
            allclose(&ic.to_vec(), &[wi; 4], 1e-13, 1e-14)
        },
    );
}
