//! The fused Hessian-eigenvalue pass against the naive composition (`np.gradient` twice by
//! plain loops, then nalgebra's eigensolver per element) and against the two-step route, for
//! every small shape (including length-2 axes, where only one-sided stencils exist), strided
//! and permuted inputs, both dtypes and every order.

use ndarray::{s, Array2, Array3, ArrayView3, Axis};
use ndkern_core::testing::{max_rel_err, Rng};
use ndkern_linalg::{
    hessian, hessian_eigvals, hessian_eigvalsh, hessian_eigvalsh_into, reference, EigOrder,
};

fn field(shape: (usize, usize, usize), seed: u64) -> Array3<f64> {
    let mut g = Rng::new(seed);
    Array3::from_shape_fn(shape, |_| g.uniform(-2.0, 2.0))
}

/// Max |fused - naive| relative to max |naive| for a (any-layout) f64 view.
fn err_vs_naive(a: ArrayView3<'_, f64>) -> f64 {
    let own = a.as_standard_layout().into_owned();
    let want = reference::hessian_eigvalsh3(own.as_slice().unwrap(), own.shape());
    let got = hessian_eigvalsh(&a, EigOrder::Ascending).unwrap();
    assert!(got.iter().all(|g| g.shape() == a.shape()));
    max_rel_err(got.iter().flatten(), want.iter().flatten())
}

#[test]
fn every_small_shape_matches_naive() {
    for nz in 2..=6 {
        for ny in 2..=6 {
            for nx in [2, 3, 4, 5, 7, 9] {
                let a = field((nz, ny, nx), (nz * 100 + ny * 10 + nx) as u64);
                let e = err_vs_naive(a.view());
                assert!(e < 1e-13, "shape {:?}: {e}", a.shape());
            }
        }
    }
}

#[test]
fn strided_and_permuted_views() {
    let a = field((9, 10, 11), 7);
    assert!(err_vs_naive(a.slice(s![..;2, ..;-1, 1..;3])) < 1e-13);
    assert!(err_vs_naive(a.view().permuted_axes([2, 0, 1])) < 1e-13);
    assert!(err_vs_naive(a.view().reversed_axes()) < 1e-13);
}

#[test]
fn equals_two_step_route_for_every_order() {
    let a = field((12, 9, 17), 3);
    let h = hessian(&a).unwrap();
    for order in [
        EigOrder::Ascending,
        EigOrder::Descending,
        EigOrder::AbsAscending,
    ] {
        let two = hessian_eigvals(&h, order).unwrap();
        let one = hessian_eigvalsh(&a, order).unwrap();
        for (x, y) in one.iter().zip(&two) {
            // Same Hessian bits, same eigensolver: identical.
            assert_eq!(x, y, "{order:?}");
        }
    }
}

#[test]
fn f32_within_1e_5_and_2d_uses_two_step() {
    let a = field((8, 7, 6), 11);
    let a32 = a.mapv(|v| v as f32);
    let want = hessian_eigvalsh(&a32.mapv(f64::from), EigOrder::Ascending).unwrap();
    let got = hessian_eigvalsh(&a32, EigOrder::Ascending).unwrap();
    let scale = want
        .iter()
        .flat_map(|p| p.iter())
        .fold(0.0f64, |m, v| m.max(v.abs()));
    for (g, w) in got.iter().zip(&want) {
        for (x, y) in g.iter().zip(w) {
            assert!((f64::from(*x) - y).abs() <= 1e-6 * scale);
        }
    }
    let b = Array2::from_shape_fn((6, 9), |(i, j)| ((i * 7 + j * 3) % 5) as f64);
    let two = hessian_eigvals(&hessian(&b).unwrap(), EigOrder::Descending).unwrap();
    assert_eq!(hessian_eigvalsh(&b, EigOrder::Descending).unwrap(), two);
}

#[test]
fn into_strided_outputs() {
    let a = field((5, 6, 7), 5);
    let want = hessian_eigvalsh(&a, EigOrder::Ascending).unwrap();
    // Planes along the last axis (numpy's (..., 3) layout): every output view is strided.
    let mut out = ndarray::Array4::<f64>::zeros((5, 6, 7, 3));
    let mut views: Vec<_> = out.axis_iter_mut(Axis(3)).collect();
    hessian_eigvalsh_into(&a, EigOrder::Ascending, &mut views).unwrap();
    for (k, w) in want.iter().enumerate() {
        assert_eq!(out.index_axis(Axis(3), k), w);
    }
}

#[test]
fn bad_input() {
    let flat = Array3::<f64>::zeros((4, 1, 5));
    let e = hessian_eigvalsh(&flat, EigOrder::Ascending)
        .unwrap_err()
        .to_string();
    assert!(e.contains("axis 1"), "{e}");
    let e = hessian_eigvalsh(&ndarray::Array1::<f64>::zeros(5), EigOrder::Ascending).unwrap_err();
    assert!(e.to_string().contains("1-D"), "{e}");
    let a = field((3, 4, 5), 1);
    let mut o = Array3::<f64>::zeros((3, 4, 5));
    let mut two = vec![o.view_mut()];
    assert!(hessian_eigvalsh_into(&a, EigOrder::Ascending, &mut two).is_err());
    let mut p = Array3::<f64>::zeros((3, 4, 6));
    let mut q = Array3::<f64>::zeros((3, 4, 5));
    let mut r = Array3::<f64>::zeros((3, 4, 5));
    let mut views = vec![p.view_mut(), q.view_mut(), r.view_mut()];
    assert!(hessian_eigvalsh_into(&a, EigOrder::Ascending, &mut views).is_err());
}
