//! cdist / pdist across the direct/GEMM crossover (`GEMM_MIN_D`) against the naive quadratic
//! forms of `reference.rs`: every d from 0 to past the crossover and wide ones, shapes at the
//! tile edges (8-row panels, 24-point kernel groups, row tiles, column blocks), the accuracy
//! guarantee of the fix-up on adversarial data (offset 1e6, near-duplicates, the diagonal),
//! f32 input, and random strided/negative-step/permuted views of every metric (proptest).

#![allow(clippy::needless_range_loop)] // index loops mirror the math

use ndarray::{s, Array2, ArrayView2, ShapeBuilder};
use ndkern_linalg::reference;
use ndkern_linalg::{cdist, pdist, Metric};
use proptest::prelude::*;

mod common;
use common::noise;
use ndkern_core::testing::max_rel_err;

/// The per-entry guarantee: within 2^-33 relative of the exact value, 0 exactly when the
/// points are equal (plus a few ulps for the naive reference's own rounding, `d` terms).
fn check_entrywise(got: &Array2<f64>, want: &Array2<f64>, d: usize, what: &str) {
    let tol = 2f64.powi(-33) + (d as f64 + 2.0) * f64::EPSILON;
    for ((i, j), w) in want.indexed_iter() {
        let g = got[[i, j]];
        if *w == 0.0 {
            assert_eq!(g, 0.0, "{what}: [{i}, {j}] should be exactly 0");
        } else {
            assert!(
                (g - w).abs() <= tol * w,
                "{what}: [{i}, {j}] = {g:e}, exact {w:e} (rel {:e})",
                (g - w).abs() / w
            );
        }
    }
}

/// pdist must be the strict upper triangle of cdist(x, x), bit for bit.
fn check_pdist_is_upper(x: ArrayView2<'_, f64>, metric: &Metric) {
    let p = pdist(&x, metric).unwrap();
    let full = cdist(&x, &x, metric).unwrap();
    let m = x.nrows();
    assert_eq!(p.len(), m * m.saturating_sub(1) / 2);
    let mut k = 0;
    for i in 0..m {
        for j in i + 1..m {
            assert_eq!(p[k].to_bits(), full[[i, j]].to_bits(), "({i}, {j}) of {m}");
            k += 1;
        }
    }
}

#[test]
fn every_d_and_tile_edge_against_naive() {
    let mut r = noise(11);
    let dims = [0usize, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 16, 17, 31, 64, 65];
    let shapes = [
        (0usize, 0usize),
        (0, 5),
        (5, 0),
        (1, 1),
        (1, 9),
        (7, 8),
        (8, 8),
        (9, 23),
        (16, 24),
        (17, 25),
        (33, 47),
        (24, 49),
    ];
    for &d in &dims {
        for &(m, n) in &shapes {
            let xa = Array2::from_shape_simple_fn((m, d), &mut r) * 3.0 + 1.5;
            let xb = Array2::from_shape_simple_fn((n, d), &mut r) * 3.0 + 1.5;
            let want = reference::cdist_sq(xa.view(), xb.view(), None);
            let got = cdist(&xa, &xb, &Metric::SqEuclidean).unwrap();
            assert_eq!(got.dim(), (m, n));
            check_entrywise(&got, &want, d, &format!("d={d} {m}x{n}"));
            let e = cdist(&xa, &xb, &Metric::Euclidean).unwrap();
            assert!(
                max_rel_err(&e, want.mapv(f64::sqrt)) < 1e-13,
                "d={d} {m}x{n}"
            );
            check_pdist_is_upper(xa.view(), &Metric::SqEuclidean);
            check_pdist_is_upper(xa.view(), &Metric::Euclidean);
        }
    }
}

#[test]
fn row_tiles_and_column_blocks() {
    // Row tiles are 16..=128 rows, column blocks about 32768 / d points (504 for d = 64):
    // cross both, with odd remainders.
    let mut r = noise(12);
    for (m, n, d) in [
        (129, 61, 8),
        (300, 37, 9),
        (17, 505, 64),
        (40, 1030, 33),
        (261, 260, 20),
    ] {
        let xa = Array2::from_shape_simple_fn((m, d), &mut r);
        let xb = Array2::from_shape_simple_fn((n, d), &mut r);
        let want = reference::cdist_sq(xa.view(), xb.view(), None);
        let got = cdist(&xa, &xb, &Metric::SqEuclidean).unwrap();
        check_entrywise(&got, &want, d, &format!("d={d} {m}x{n}"));
        check_pdist_is_upper(xa.view(), &Metric::SqEuclidean);
        check_pdist_is_upper(xb.view(), &Metric::SqEuclidean);
    }
}

#[test]
fn offset_data_and_near_duplicates_keep_their_digits() {
    // Points offset by 1e6 with unit spread: |x|^2 ~ 1e13 d, so the plain GEMM trick would
    // lose ~13 digits; near-duplicates (1e-7 apart) would lose everything. Exact duplicates
    // and the diagonal must be exactly 0.
    for d in [6usize, 16, 64] {
        let mut r = noise(d as u64);
        let m = 60;
        let mut x = Array2::from_shape_simple_fn((m, d), &mut r) + 1e6;
        for i in (0..m).step_by(3) {
            // Row i + 1: a near-duplicate of row i; row i + 2: an exact duplicate.
            let row = x.row(i).to_owned();
            x.row_mut(i + 1).assign(&row);
            x[[i + 1, i % d]] += 1e-7 * (1 + i % 5) as f64;
            x.row_mut(i + 2).assign(&row);
        }
        let y = x.slice(s![..;-2, ..]).to_owned();
        for (a, b) in [(&x, &x), (&x, &y)] {
            let want = reference::cdist_sq(a.view(), b.view(), None);
            let got = cdist(a, b, &Metric::SqEuclidean).unwrap();
            assert!(max_rel_err(&got, &want) <= 1e-12, "d={d}");
            check_entrywise(&got, &want, d, &format!("offset d={d}"));
        }
        let full = cdist(&x, &x, &Metric::SqEuclidean).unwrap();
        assert!(full.diag().iter().all(|v| *v == 0.0), "diagonal of d={d}");
        assert!(pdist(&x, &Metric::Euclidean)
            .unwrap()
            .iter()
            .all(|v| *v >= 0.0));
        check_pdist_is_upper(x.view(), &Metric::SqEuclidean);
        // f32: the exact f64 value (of the f32 inputs), rounded once.
        let xf = x.mapv(|v| v as f32);
        let want = reference::cdist_sq(xf.mapv(f64::from).view(), xf.mapv(f64::from).view(), None);
        let got = cdist(&xf, &xf, &Metric::SqEuclidean).unwrap();
        for (g, w) in got.iter().zip(&want) {
            let g = f64::from(*g);
            assert!(
                (g - w).abs() <= (2f64.powi(-24) + 2f64.powi(-33)) * w,
                "f32 d={d}: {g:e} vs {w:e}"
            );
        }
    }
}

fn metric_and_matrix(
    kind: u8,
    d: usize,
    r: &mut impl FnMut() -> f64,
) -> (Metric, Option<Array2<f64>>, bool) {
    match kind % 6 {
        0 => (Metric::SqEuclidean, None, false),
        1 => (Metric::Euclidean, None, true),
        2 | 3 => {
            let w: Vec<f64> = (0..d)
                .map(|k| if k % 4 == 3 { 0.0 } else { r().abs() * 3.0 })
                .collect();
            let wm = Array2::from_diag(&ndarray::Array1::from(w.clone()));
            if kind % 6 == 2 {
                (Metric::SqWeighted(w), Some(wm), false)
            } else {
                (Metric::Weighted(w), Some(wm), true)
            }
        }
        _ => {
            let c = Array2::from_shape_simple_fn((d, d), &mut *r);
            let vi = c.dot(&c.t()) + Array2::<f64>::eye(d) * 0.3;
            if kind % 6 == 4 {
                (Metric::SqMahalanobis(vi.clone()), Some(vi), false)
            } else {
                (Metric::Mahalanobis(vi.clone()), Some(vi), true)
            }
        }
    }
}

#[test]
fn all_metrics_above_the_crossover() {
    let mut r = noise(13);
    for d in [8usize, 13, 40] {
        let xa = Array2::from_shape_simple_fn((45, d), &mut r) * 10.0;
        let xb = Array2::from_shape_simple_fn((31, d), &mut r) * 10.0;
        for kind in 0..6 {
            let (metric, mat, root) = metric_and_matrix(kind, d, &mut r);
            let want = reference::cdist_sq(xa.view(), xb.view(), mat.as_ref().map(|m| m.view()));
            let want = if root { want.mapv(f64::sqrt) } else { want };
            let got = cdist(&xa, &xb, &metric).unwrap();
            assert!(
                max_rel_err(&got, &want) < 1e-12,
                "{metric:?} d={d}: {}",
                max_rel_err(&got, &want)
            );
            check_pdist_is_upper(xa.view(), &metric);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn any_layout_dtype_and_metric(
        m in 0usize..30, n in 0usize..30, d in 1usize..20, kind in 0u8..6,
        fortran in any::<bool>(), f32_ in any::<bool>(), seed in any::<u64>(),
    ) {
        let mut r = noise(seed);
        let shape = if fortran { (m, d).f() } else { (m, d).into_shape_with_order() };
        let xa = Array2::from_shape_simple_fn(shape, &mut r) * 4.0 + 2.0;
        // Negative row step, every other column.
        let big = Array2::from_shape_simple_fn((n + 1, 2 * d), &mut r) * 4.0 + 2.0;
        let xb = big.slice(s![..;-1, ..;2]);
        let (metric, mat, root) = metric_and_matrix(kind, d, &mut r);
        let mv = mat.as_ref().map(|m| m.view());
        if f32_ {
            let (af, bf) = (xa.mapv(|v| v as f32), xb.mapv(|v| v as f32));
            let want = reference::cdist_sq(af.mapv(f64::from).view(), bf.mapv(f64::from).view(), mv);
            let want = if root { want.mapv(f64::sqrt) } else { want };
            let scale = want.iter().fold(0.0f64, |a, v| a.max(*v));
            let got = cdist(&af, &bf.t().t(), &metric).unwrap();
            for (g, w) in got.iter().zip(&want) {
                prop_assert!((f64::from(*g) - w).abs() <= 2f64.powi(-24) * w + 1e-12 * scale);
            }
            let p = pdist(&af, &metric).unwrap();
            let full = cdist(&af, &af, &metric).unwrap();
            let mut k = 0;
            for i in 0..m { for j in i + 1..m { prop_assert_eq!(p[k], full[[i, j]]); k += 1; } }
        } else {
            let want = reference::cdist_sq(xa.view(), xb.view(), mv);
            let want = if root { want.mapv(f64::sqrt) } else { want };
            let got = cdist(&xa, &xb, &metric).unwrap();
            prop_assert!(max_rel_err(&got, &want) < 1e-12);
            check_pdist_is_upper(xa.view(), &metric);
        }
    }
}
