//! cdist / pdist / nearest / kmeans against the naive oracles in `reference.rs`, on strided
//! and permuted views, both dtypes, and the bad inputs of the issue.

#![allow(clippy::needless_range_loop)] // index loops mirror the math

use ndarray::{array, s, Array2, Array3, ShapeBuilder};
use ndkern_linalg::reference;
use ndkern_linalg::{cdist, kmeans, nearest, pdist, KMeansInit, KMeansOptions, Metric};
use proptest::prelude::*;

mod common;
use common::noise;
use ndkern_core::testing::max_rel_err;

#[test]
fn all_metrics_against_naive_quadratic_forms() {
    let mut r = noise(1);
    let xa = Array2::from_shape_simple_fn((37, 3), &mut r) * 10.0;
    let xb = Array2::from_shape_simple_fn((29, 3), &mut r) * 10.0;
    let c = Array2::from_shape_simple_fn((3, 3), &mut r);
    let vi = c.dot(&c.t()) + Array2::<f64>::eye(3) * 0.3;
    let w = vec![0.5, 2.0, 0.0];
    let wm = Array2::from_diag(&ndarray::arr1(&w));
    let cases: Vec<(Metric, Option<Array2<f64>>, bool)> = vec![
        (Metric::SqEuclidean, None, false),
        (Metric::Euclidean, None, true),
        (Metric::SqWeighted(w.clone()), Some(wm.clone()), false),
        (Metric::Weighted(w), Some(wm), true),
        (Metric::SqMahalanobis(vi.clone()), Some(vi.clone()), false),
        (Metric::Mahalanobis(vi.clone()), Some(vi), true),
    ];
    for (metric, m, root) in cases {
        let want = reference::cdist_sq(xa.view(), xb.view(), m.as_ref().map(|m| m.view()));
        let want = if root { want.mapv(f64::sqrt) } else { want };
        let got = cdist(&xa, &xb, &metric).unwrap();
        assert!(
            max_rel_err(&got, &want) < 1e-14,
            "{metric:?}: {}",
            max_rel_err(&got, &want)
        );
        // pdist is the strict upper triangle of cdist(x, x).
        let p = pdist(&xa, &metric).unwrap();
        let full = cdist(&xa, &xa, &metric).unwrap();
        let mut k = 0;
        for i in 0..xa.nrows() {
            for j in i + 1..xa.nrows() {
                assert_eq!(p[k], full[[i, j]]);
                k += 1;
            }
        }
        assert_eq!(k, p.len());
    }
}

#[test]
fn nearby_points_far_from_origin_keep_their_digits() {
    // |x|^2 + |y|^2 - 2 x.y would lose ~12 digits here; direct differences lose none.
    let xa: Array2<f64> = array![[1e6 + 0.001, 1e6], [1e6, 1e6 + 0.002]];
    let xb = array![[1e6, 1e6]];
    let d = cdist(&xa, &xb, &Metric::SqEuclidean).unwrap();
    // The differences of the stored values are exact (Sterbenz): so is their square, to 1 ulp.
    let (d0, d1) = (xa[[0, 0]] - 1e6, xa[[1, 1]] - 1e6);
    assert!((d[[0, 0]] - d0 * d0).abs() <= 2e-16 * d0 * d0, "{d}");
    assert!((d[[1, 0]] - d1 * d1).abs() <= 2e-16 * d1 * d1, "{d}");
}

#[test]
fn f32_input_is_computed_in_f64() {
    let mut r = noise(2);
    let xa = Array2::from_shape_simple_fn((50, 4), &mut r).mapv(|v| (v * 1000.0 + 5e4) as f32);
    let xb = Array2::from_shape_simple_fn((40, 4), &mut r).mapv(|v| (v * 1000.0 + 5e4) as f32);
    let want = reference::cdist_sq(xa.mapv(f64::from).view(), xb.mapv(f64::from).view(), None);
    let got = cdist(&xa, &xb, &Metric::SqEuclidean)
        .unwrap()
        .mapv(f64::from);
    // One f32 rounding of the exact value.
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() <= 6e-8 * w.abs(), "{g} vs {w}");
    }
}

#[test]
fn bad_inputs_say_what_to_change() {
    let x = array![[0.0, 1.0], [2.0, 3.0]];
    let y3 = array![[0.0, 1.0, 2.0]];
    assert!(cdist(&x, &y3, &Metric::Euclidean)
        .unwrap_err()
        .to_string()
        .contains("shape mismatch"));
    let nonsym = array![[1.0, 0.5], [0.0, 1.0]];
    let e = cdist(&x, &x, &Metric::Mahalanobis(nonsym))
        .unwrap_err()
        .to_string();
    assert!(e.contains("symmetric"), "{e}");
    let indefinite = array![[1.0, 2.0], [2.0, 1.0]];
    let e = cdist(&x, &x, &Metric::Mahalanobis(indefinite))
        .unwrap_err()
        .to_string();
    assert!(e.contains("positive definite"), "{e}");
    let e = cdist(&x, &x, &Metric::Mahalanobis(Array2::eye(3)))
        .unwrap_err()
        .to_string();
    assert!(e.contains("expected [2, 2]"), "{e}");
    let e = cdist(&x, &x, &Metric::Weighted(vec![1.0, -1.0]))
        .unwrap_err()
        .to_string();
    assert!(e.contains(">= 0"), "{e}");
    let nan = array![[0.0, f64::NAN]];
    assert!(cdist(&nan, &x, &Metric::Euclidean)
        .unwrap_err()
        .to_string()
        .contains("not finite"));
    assert!(nearest(&nan, &x)
        .unwrap_err()
        .to_string()
        .contains("not finite"));
    let empty = Array2::<f64>::zeros((0, 2));
    assert!(nearest(&x, &empty)
        .unwrap_err()
        .to_string()
        .contains("no centroids"));
}

#[test]
fn nearest_on_an_image_matches_naive_argmin() {
    let mut r = noise(3);
    let img = Array3::from_shape_simple_fn((13, 11, 3), &mut r) * 128.0 + 128.0;
    let pal = Array2::from_shape_simple_fn((16, 3), &mut r) * 128.0 + 128.0;
    let (labels, d2) = nearest(&img, &pal).unwrap();
    let flat = img.to_shape((13 * 11, 3)).unwrap().to_owned();
    let (wl, wd) = reference::nearest(flat.view(), pal.view());
    assert_eq!(labels.iter().copied().collect::<Vec<_>>(), wl);
    for (a, b) in d2.iter().zip(&wd) {
        assert!((a - b).abs() <= 1e-12 * b.max(1.0));
    }
    // A permuted, reversed view gives the same per-pixel answer.
    let v = img.slice(s![..;-1, .., ..]);
    let (lv, _) = nearest(&v, &pal).unwrap();
    assert_eq!(lv.slice(s![..;-1, ..]), labels);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn cdist_any_layout(m in 0usize..9, n in 0usize..9, d in 1usize..5, fortran in any::<bool>(), seed in any::<u64>(), f32_ in any::<bool>()) {
        let mut r = noise(seed);
        let shape = if fortran { (m, d).f() } else { (m, d).into_shape_with_order() };
        let xa = Array2::from_shape_simple_fn(shape, &mut r);
        let xb = Array2::from_shape_simple_fn((n + 1, d * 2), &mut r);
        let xb = xb.slice(s![..;-1, ..;2]);
        let want = reference::cdist_sq(xa.view(), xb.view(), None);
        if f32_ {
            let got = cdist(&xa.mapv(|v| v as f32), &xb.mapv(|v| v as f32), &Metric::SqEuclidean).unwrap();
            let want = reference::cdist_sq(xa.mapv(|v| f64::from(v as f32)).view(), xb.mapv(|v| f64::from(v as f32)).view(), None);
            for (g, w) in got.iter().zip(&want) { prop_assert!((f64::from(*g) - w).abs() <= 1e-7 * w.max(1e-30)); }
        } else {
            let got = cdist(&xa, &xb, &Metric::SqEuclidean).unwrap();
            prop_assert!(max_rel_err(&got, &want) < 1e-14);
        }
    }
}

fn blobs(n_per: usize, seed: u64) -> Array2<f64> {
    let mut r = noise(seed);
    let centres = [
        [0.0, 0.0, 0.0],
        [6.0, 0.0, 1.0],
        [0.0, 7.0, -2.0],
        [5.0, 5.0, 5.0],
    ];
    Array2::from_shape_fn((4 * n_per, 3), |(i, j)| centres[i / n_per][j] + r())
}

#[test]
fn kmeans_given_init_matches_textbook_lloyd() {
    let x = blobs(40, 7);
    for (k, seed) in [(2, 1u64), (3, 2), (4, 3), (6, 4)] {
        let mut r = noise(seed);
        let init = Array2::from_shape_fn((k, 3), |_| r() * 4.0 + 2.0);
        let opts = KMeansOptions {
            init: KMeansInit::Given(init.clone()),
            tol: 0.0,
            ..KMeansOptions::new(k)
        };
        let got = kmeans(&x, &opts).unwrap();
        let (labels, cent) = reference::lloyd(x.view(), init.view(), 300);
        // The reference keeps empty clusters in place; only compare when none went empty.
        if (0..k).all(|c| labels.iter().any(|&l| l == c)) {
            assert_eq!(got.labels, labels, "k = {k}");
            assert!(max_rel_err(&got.centroids, &cent) < 1e-13);
        }
        assert!(got.converged);
        // Identities: labels are the nearest-centroid assignment; inertia their distances.
        let (nl, nd) = nearest(&x, &got.centroids).unwrap();
        assert_eq!(nl, got.labels);
        assert!((nd.sum() - got.inertia).abs() < 1e-9 * got.inertia);
    }
}

#[test]
fn kmeans_plus_plus_is_deterministic_and_finds_the_blobs() {
    let x = blobs(50, 11);
    let opts = KMeansOptions {
        init: KMeansInit::PlusPlus { seed: 42 },
        n_init: 3,
        ..KMeansOptions::new(4)
    };
    let a = kmeans(&x, &opts).unwrap();
    let b = kmeans(&x, &opts).unwrap();
    assert_eq!(a, b);
    assert!(a.n_iter >= 1 && a.converged);
    for g in 0..4 {
        let l = a.labels[g * 50];
        assert!((0..50).all(|i| a.labels[g * 50 + i] == l), "blob {g} split");
    }
    // f32 input: same labels.
    let a32 = kmeans(&x.mapv(|v| v as f32), &opts).unwrap();
    assert_eq!(a32.labels, a.labels);
}

#[test]
fn kmeans_relocates_empty_clusters_and_rejects_bad_k() {
    let x = blobs(10, 5);
    // Two initial centroids far away from every point: they would stay empty.
    let init = array![
        [0.0, 0.0, 0.0],
        [100.0, 100.0, 100.0],
        [-100.0, -100.0, -100.0]
    ];
    let r = kmeans(
        &x,
        &KMeansOptions {
            init: KMeansInit::Given(init),
            ..KMeansOptions::new(3)
        },
    )
    .unwrap();
    for c in 0..3 {
        assert!(r.labels.iter().any(|&l| l == c), "cluster {c} empty");
    }
    assert!(kmeans(&x, &KMeansOptions::new(0))
        .unwrap_err()
        .to_string()
        .contains("k = 0"));
    assert!(kmeans(&x, &KMeansOptions::new(41))
        .unwrap_err()
        .to_string()
        .contains("1 <= k <= 40"));
    let bad = KMeansOptions {
        init: KMeansInit::Given(Array2::zeros((2, 2))),
        ..KMeansOptions::new(2)
    };
    assert!(kmeans(&x, &bad)
        .unwrap_err()
        .to_string()
        .contains("expected [2, 3]"));
    let mut xn = x.clone();
    xn[[3, 1]] = f64::NAN;
    assert!(kmeans(&xn, &KMeansOptions::new(2))
        .unwrap_err()
        .to_string()
        .contains("not finite"));
}

/// Every assign kernel (d = 1..=8 const-size, 9 and 11 general) and every remainder length
/// (n = 0..=21 around the 8-point step), f64 and f32, against the naive argmin; a NaN in
/// any point is reported, also when it is in the vector part of a block.
#[test]
fn nearest_every_dimension_and_remainder() {
    let mut r = noise(17);
    for d in (1..=9).chain([11]) {
        for n in 0..=21 {
            let x = Array2::from_shape_simple_fn((n, d), &mut r);
            let c = Array2::from_shape_simple_fn((7, d), &mut r);
            let (l, d2) = nearest(&x, &c).unwrap();
            let (wl, wd) = reference::nearest(x.view(), c.view());
            assert_eq!(l.to_vec(), wl, "d {d} n {n}");
            for (a, b) in d2.iter().zip(&wd) {
                assert!((a - b).abs() <= 1e-14, "d {d} n {n}");
            }
            let x32 = x.mapv(|v| v as f32);
            let c32 = c.mapv(|v| v as f32);
            let (l32, _) = nearest(&x32, &c32).unwrap();
            let (wl32, _) =
                reference::nearest(x32.mapv(f64::from).view(), c32.mapv(f64::from).view());
            assert_eq!(l32.to_vec(), wl32, "f32 d {d} n {n}");
            if n > 0 {
                let mut bad = x.clone();
                bad[[n / 2, d - 1]] = f64::NAN;
                let e = nearest(&bad, &c).unwrap_err().to_string();
                assert!(e.contains(&format!("point {}", n / 2)), "{e}");
            }
        }
    }
}
