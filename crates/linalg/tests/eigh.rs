//! Batched symmetric eigenvalues against nalgebra's SymmetricEigen (an independent LAPACK-style
//! QL/QR solver) and against eigenvalues fixed by construction (Q diag(l) Q^T).

#![allow(clippy::needless_range_loop)] // index loops mirror the math

use nalgebra::{Matrix3, SymmetricEigen};
use ndarray::{s, Array1, Array2, Array3, Axis};
use ndkern_core::testing::Rng;
use ndkern_linalg::{eigh3, eigvalsh, eigvalsh2, eigvalsh3, EigOrder};

/// A random rotation (the Q of a QR of a normal matrix).
fn rotation(rng: &mut Rng) -> Matrix3<f64> {
    let m = Matrix3::from_fn(|_, _| rng.normal());
    m.qr().q()
}

fn oracle(a: &Matrix3<f64>) -> [f64; 3] {
    let mut w: Vec<f64> = SymmetricEigen::new(*a)
        .eigenvalues
        .iter()
        .copied()
        .collect();
    w.sort_by(f64::total_cmp);
    [w[0], w[1], w[2]]
}

/// Six planes (1-D) from a list of symmetric matrices.
fn planes(ms: &[Matrix3<f64>]) -> [Array1<f64>; 6] {
    let idx = [(0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2)];
    idx.map(|(i, j)| ms.iter().map(|m| m[(i, j)]).collect())
}

fn check3(ms: &[Matrix3<f64>], truth: Option<&[[f64; 3]]>, tol: f64) {
    let p = planes(ms);
    let [l1, l2, l3] = eigvalsh3(
        [&p[0], &p[1], &p[2], &p[3], &p[4], &p[5]],
        EigOrder::Ascending,
    )
    .unwrap();
    for (e, m) in ms.iter().enumerate() {
        let got = [l1[e], l2[e], l3[e]];
        let want = oracle(m);
        let scale = want
            .iter()
            .fold(0.0f64, |a, x| a.max(x.abs()))
            .max(f64::MIN_POSITIVE);
        for k in 0..3 {
            assert!(
                (got[k] - want[k]).abs() <= tol * scale,
                "element {e}: got {got:?}, nalgebra {want:?}"
            );
            if let Some(t) = truth {
                assert!(
                    (got[k] - t[e][k]).abs() <= tol * scale,
                    "element {e}: got {got:?}, constructed {:?}",
                    t[e]
                );
            }
        }
    }
}

fn build(rng: &mut Rng, l: [f64; 3]) -> Matrix3<f64> {
    let q = rotation(rng);
    let m = q * Matrix3::from_diagonal(&l.into()) * q.transpose();
    (m + m.transpose()) * 0.5
}

#[test]
fn random_matrices_f64() {
    let mut rng = Rng::new(0x9E3779B97F4A7C15);
    let ms: Vec<_> = (0..5003)
        .map(|_| {
            let m = Matrix3::from_fn(|_, _| rng.normal());
            m + m.transpose()
        })
        .collect();
    check3(&ms, None, 1e-10);
}

#[test]
fn degenerate_and_badly_scaled() {
    let mut rng = Rng::new(12345);
    let spectra: Vec<[f64; 3]> = vec![
        [1.0, 1.0, -2.0],
        [-2.0, 1.0, 1.0],
        [3.0, 3.0, 3.0],
        [2.0, 2.0 + 1e-12, 2.0 - 1e-12],
        [1.0, 1.0 + 1e-9, 3.0],
        [1.0, 1.0 + 1e-6, -3.0],
        [1.0, 1.0 + 1e-4, -3.0],
        [1e-10, 1.0, 1e10],
        [-1e8, 1e-8, 1e8],
        [1e150, 1e150, -1e150],
        [1e-150, 3e-150, 2e-150],
        [0.0, 0.0, 0.0],
        [0.0, 0.0, 1.0],
        [5.0, -5.0, 0.0],
    ];
    let mut ms = Vec::new();
    let mut truth = Vec::new();
    for l in &spectra {
        for _ in 0..17 {
            ms.push(build(&mut rng, *l));
            let mut t = *l;
            t.sort_by(f64::total_cmp);
            truth.push(t);
        }
    }
    // Exactly diagonal and exactly repeated entries too.
    for l in &spectra {
        ms.push(Matrix3::from_diagonal(&(*l).into()));
        let mut t = *l;
        t.sort_by(f64::total_cmp);
        truth.push(t);
    }
    check3(&ms, Some(&truth), 1e-10);
}

#[test]
fn f32_input_within_1e_4() {
    let mut rng = Rng::new(777);
    let ms: Vec<_> = (0..1001)
        .map(|i| {
            let l = if i % 3 == 0 {
                [1.0, 1.0, 2.0]
            } else {
                [rng.normal(), rng.normal(), rng.normal()]
            };
            build(&mut rng, l)
        })
        .collect();
    let p = planes(&ms).map(|a| a.mapv(|x| x as f32));
    let [l1, l2, l3] = eigvalsh3(
        [&p[0], &p[1], &p[2], &p[3], &p[4], &p[5]],
        EigOrder::Ascending,
    )
    .unwrap();
    for (e, _) in ms.iter().enumerate() {
        // Oracle on the f32-rounded matrix, in f64.
        let m = Matrix3::new(
            p[0][e] as f64,
            p[1][e] as f64,
            p[2][e] as f64,
            p[1][e] as f64,
            p[3][e] as f64,
            p[4][e] as f64,
            p[2][e] as f64,
            p[4][e] as f64,
            p[5][e] as f64,
        );
        let want = oracle(&m);
        let scale = want.iter().fold(0.0f64, |a, x| a.max(x.abs()));
        let got = [l1[e], l2[e], l3[e]];
        for k in 0..3 {
            assert!(
                (f64::from(got[k]) - want[k]).abs() <= 1e-6 * scale,
                "{got:?} vs {want:?}"
            );
        }
    }
}

#[test]
fn orders() {
    let mut rng = Rng::new(99);
    let ms: Vec<_> = (0..50)
        .map(|_| {
            let l = [rng.normal(), rng.normal(), rng.normal()];
            build(&mut rng, l)
        })
        .collect();
    let p = planes(&ms);
    let pr = [&p[0], &p[1], &p[2], &p[3], &p[4], &p[5]];
    let asc = eigvalsh3(pr, EigOrder::Ascending).unwrap();
    let desc = eigvalsh3(pr, EigOrder::Descending).unwrap();
    let abs = eigvalsh3(pr, EigOrder::AbsAscending).unwrap();
    for e in 0..ms.len() {
        let a = [asc[0][e], asc[1][e], asc[2][e]];
        assert_eq!([desc[0][e], desc[1][e], desc[2][e]], [a[2], a[1], a[0]]);
        let mut b = a;
        b.sort_by(|x, y| x.abs().total_cmp(&y.abs()));
        assert_eq!([abs[0][e], abs[1][e], abs[2][e]], b);
    }
}

#[test]
fn eigenvectors_satisfy_av_equals_lambda_v() {
    let mut rng = Rng::new(4242);
    let mut ms: Vec<_> = (0..300)
        .map(|_| {
            let l = [rng.normal(), rng.normal(), rng.normal()];
            build(&mut rng, l)
        })
        .collect();
    ms.extend((0..30).map(|_| build(&mut rng, [1.0, 1.0, -1.0])));
    ms.extend((0..30).map(|_| build(&mut rng, [1e-9, 1.0, 1e9])));
    let p = planes(&ms);
    let (w, v) = eigh3(
        [&p[0], &p[1], &p[2], &p[3], &p[4], &p[5]],
        EigOrder::Descending,
    )
    .unwrap();
    for (e, m) in ms.iter().enumerate() {
        let want = oracle(m);
        let scale = want[0].abs().max(want[2].abs());
        for k in 0..3 {
            assert!((w[k][e] - want[2 - k]).abs() <= 1e-12 * scale);
            let x = nalgebra::Vector3::new(v[k][0][e], v[k][1][e], v[k][2][e]);
            assert!((x.norm() - 1.0).abs() < 1e-13);
            let r = m * x - x * w[k][e];
            assert!(r.norm() <= 1e-13 * scale, "residual {} at {e}", r.norm());
            for l in 0..k {
                let y = nalgebra::Vector3::new(v[l][0][e], v[l][1][e], v[l][2][e]);
                assert!(x.dot(&y).abs() < 1e-12);
            }
        }
    }
}

#[test]
fn two_by_two_against_nalgebra() {
    let mut rng = Rng::new(31337);
    let mut m2: Vec<[f64; 3]> = (0..1001)
        .map(|_| [rng.normal(), rng.normal(), rng.normal()])
        .collect();
    m2.extend([
        [1.0, 0.0, 1.0],
        [1e150, 1e-150, -1e150],
        [1e-200, 1e-200, 1e-200],
        [0.0; 3],
    ]);
    m2.extend([
        [1.0, 1e-9, 1.0 + 1e-9],
        [f64::MAX / 4.0, f64::MAX / 4.0, 0.0],
    ]);
    let pl: [Array1<f64>; 3] = std::array::from_fn(|k| m2.iter().map(|m| m[k]).collect());
    let [lo, hi] = eigvalsh2(&pl[0], &pl[1], &pl[2], EigOrder::Ascending).unwrap();
    for (e, m) in m2.iter().enumerate() {
        let mut w: Vec<f64> = SymmetricEigen::new(nalgebra::Matrix2::new(m[0], m[1], m[1], m[2]))
            .eigenvalues
            .iter()
            .copied()
            .collect();
        w.sort_by(f64::total_cmp);
        let scale = w[0].abs().max(w[1].abs()).max(f64::MIN_POSITIVE);
        assert!(
            (lo[e] - w[0]).abs() <= 1e-14 * scale,
            "{e}: {} vs {}",
            lo[e],
            w[0]
        );
        assert!(
            (hi[e] - w[1]).abs() <= 1e-14 * scale,
            "{e}: {} vs {}",
            hi[e],
            w[1]
        );
    }
}

#[test]
fn strided_planes_match_contiguous() {
    let mut rng = Rng::new(5);
    let base: Vec<Array3<f64>> = (0..6)
        .map(|_| Array3::from_shape_simple_fn((5, 7, 9), || rng.normal()))
        .collect();
    // Make it symmetric-positive-ish doesn't matter: planes define a symmetric matrix.
    let views: Vec<_> = base
        .iter()
        .map(|a| a.slice(s![..;-1, 1..;2, ..]).permuted_axes([2, 0, 1]))
        .collect();
    let owned: Vec<Array3<f64>> = views.iter().map(|v| v.to_owned()).collect();
    let a = eigvalsh3(std::array::from_fn(|k| &views[k]), EigOrder::Ascending).unwrap();
    let b = eigvalsh3(std::array::from_fn(|k| &owned[k]), EigOrder::Ascending).unwrap();
    for k in 0..3 {
        assert_eq!(a[k].shape(), &[9, 5, 3]);
        assert_eq!(a[k], b[k]);
    }
}

#[test]
fn nan_propagates_and_shapes_must_match() {
    let mut p: Vec<Array1<f64>> = (0..6).map(|k| Array1::from_elem(9, k as f64)).collect();
    p[1][4] = f64::NAN;
    let w = eigvalsh3(std::array::from_fn(|k| &p[k]), EigOrder::Ascending).unwrap();
    for k in 0..3 {
        assert!(w[k][4].is_nan());
        assert!(w[k][3].is_finite());
    }
    let short = Array1::<f64>::zeros(8);
    let err = eigvalsh3(
        [&p[0], &p[1], &short, &p[3], &p[4], &p[5]],
        EigOrder::Ascending,
    )
    .unwrap_err();
    assert!(err.to_string().contains("expected [9], got [8]"), "{err}");
}

#[test]
fn numpy_style_stack_all_sizes() {
    let mut rng = Rng::new(8);
    for n in 1..=5 {
        let a = Array3::from_shape_simple_fn((7, n, n), || rng.normal());
        let w = eigvalsh(&a).unwrap();
        assert_eq!(w.shape(), &[7, n]);
        for (e, m) in a.axis_iter(Axis(0)).enumerate() {
            // Lower triangle, mirrored.
            let full =
                nalgebra::DMatrix::from_fn(n, n, |i, j| if i >= j { m[[i, j]] } else { m[[j, i]] });
            let mut want: Vec<f64> = full.symmetric_eigenvalues().iter().copied().collect();
            want.sort_by(f64::total_cmp);
            let scale = want.iter().fold(0.0f64, |s, x| s.max(x.abs()));
            for k in 0..n {
                assert!((w[[e, k]] - want[k]).abs() <= 1e-12 * scale);
            }
        }
    }
    assert!(eigvalsh(&Array2::<f64>::zeros((2, 3))).is_err());
    assert!(eigvalsh(&Array1::<f64>::zeros(3)).is_err());
}

/// Matrices with one decoupled axis (two zero off-diagonals sharing an index): the guard's
/// vectorized decoupled path. Random, near-degenerate (2x2 block eigenvalues 1e-15 apart)
/// and exactly degenerate blocks, diagonal and zero matrices, each decoupled axis, mixed
/// with general matrices in the same vectors; NaN and inf in decoupled matrices.
#[test]
fn decoupled_axis_matrices() {
    let mut rng = Rng::new(99);
    let mut ms = Vec::new();
    for e in 0..400 {
        let axis = e % 3;
        let (a, b) = (rng.normal(), rng.normal());
        let split = match e % 5 {
            0 => 1e-15,
            1 => 0.0,
            _ => rng.normal(),
        };
        // 2x2 block with eigenvalues b, b + split, rotated by a random angle.
        let t = rng.unit() * 6.0;
        let (cs, sn) = (t.cos(), t.sin());
        let (l1, l2) = (b, b + split);
        let (bx, bxy, by) = (
            cs * cs * l1 + sn * sn * l2,
            cs * sn * (l1 - l2),
            sn * sn * l1 + cs * cs * l2,
        );
        let bxy = if e % 7 == 0 { 0.0 } else { bxy };
        let m = match axis {
            0 => Matrix3::new(a, 0.0, 0.0, 0.0, bx, bxy, 0.0, bxy, by),
            1 => Matrix3::new(bx, 0.0, bxy, 0.0, a, 0.0, bxy, 0.0, by),
            _ => Matrix3::new(bx, bxy, 0.0, bxy, by, 0.0, 0.0, 0.0, a),
        };
        ms.push(m);
        if e % 4 == 0 {
            let l = [rng.normal(), rng.normal(), rng.normal()];
            ms.push(build(&mut rng, l));
        }
        if e % 50 == 0 {
            ms.push(Matrix3::zeros());
        }
    }
    check3(&ms, None, 1e-12);
    // NaN / inf on a decoupled matrix: NaN, neighbours unaffected.
    let mut p: Vec<Array1<f64>> = (0..6)
        .map(|k| {
            Array1::from_elem(
                8,
                if [1, 2, 4].contains(&k) {
                    0.0
                } else {
                    k as f64
                },
            )
        })
        .collect();
    p[0][2] = f64::NAN;
    p[3][5] = f64::INFINITY;
    let w = eigvalsh3(std::array::from_fn(|k| &p[k]), EigOrder::Ascending).unwrap();
    for k in 0..3 {
        assert!(w[k][2].is_nan() && w[k][5].is_nan());
        assert_eq!(w[k][4], [0.0, 3.0, 5.0][k]);
    }
}
