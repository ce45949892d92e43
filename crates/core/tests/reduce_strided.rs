//! Layer 2: axis reductions on random shapes (0-4 dims, empty axes included), random steps,
//! negative strides and permuted axes, both dtypes, against the naive N-d oracle
//! `reference::reduce_nd`; plus the error cases and numpy issue 11331.

use ndarray::{Array, ArrayD, ArrayViewD, Axis, IxDyn, SliceInfoElem};
use ndkern_core::testing::{assert_close_scaled, Rng};
use ndkern_core::{reduce, reference, Axes, Element};
use proptest::prelude::*;

/// A base array, then a strided, possibly reversed, permuted view of it.
#[derive(Debug, Clone)]
struct Case {
    shape: Vec<usize>,
    steps: Vec<isize>,
    perm: Vec<usize>,
    axes: Vec<usize>,
    all: bool,
    keepdims: bool,
    seed: u64,
}

fn case() -> impl Strategy<Value = Case> {
    (0usize..=4)
        .prop_flat_map(|nd| {
            (
                proptest::collection::vec(0usize..7, nd),
                proptest::collection::vec(
                    prop_oneof![Just(1isize), Just(2), Just(-1), Just(-2), Just(3)],
                    nd,
                ),
                Just((0..nd).collect::<Vec<_>>()).prop_shuffle(),
                proptest::collection::vec(any::<bool>(), nd),
                any::<bool>(),
                any::<bool>(),
                any::<u64>(),
            )
        })
        .prop_map(|(shape, steps, perm, pick, all, keepdims, seed)| Case {
            axes: (0..shape.len()).filter(|&i| pick[i]).collect(),
            shape,
            steps,
            perm,
            all,
            keepdims,
            seed,
        })
}

fn base<T: Element>(shape: &[usize], seed: u64) -> ArrayD<T> {
    let mut g = Rng::new(seed);
    Array::from_shape_fn(IxDyn(shape), |_| {
        T::of_f64(g.below(2000) as f64 / 100.0 - 7.0)
    })
}

fn view<'a, T>(a: &'a ArrayD<T>, c: &Case) -> ArrayViewD<'a, T> {
    let info: Vec<SliceInfoElem> = c
        .steps
        .iter()
        .map(|&st| SliceInfoElem::Slice {
            start: 0,
            end: None,
            step: st,
        })
        .collect();
    a.slice(info.as_slice()).permuted_axes(IxDyn(&c.perm))
}

fn axes_of(c: &Case) -> (Axes, Vec<bool>) {
    let nd = c.shape.len();
    let (ax, mask) = if c.all {
        (Axes::all(), vec![true; nd])
    } else {
        let mut m = vec![false; nd];
        c.axes.iter().for_each(|&i| m[i] = true);
        (Axes::new(c.axes.iter().map(|&i| i as isize)), m)
    };
    (if c.keepdims { ax.keepdims() } else { ax }, mask)
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn check<T: Element>(c: &Case) {
    let a = base::<T>(&c.shape, c.seed);
    let v = view(&a, c);
    let (axes, mask) = axes_of(c);
    let tol = if T::DTYPE == "float32" { 2e-6 } else { 1e-12 };
    let refd = |f: &dyn Fn(&[f64]) -> f64| reference::reduce_nd(&v, &mask, c.keepdims, f);
    assert_close_scaled(
        &reduce::sum(&v, axes.clone()).unwrap(),
        &refd(&|g| g.iter().sum()),
        tol,
        "sum",
    );
    assert_close_scaled(
        &reduce::mean(&v, axes.clone()).unwrap(),
        &refd(&|g| mean(g)),
        tol,
        "mean",
    );
    let n: usize = v
        .shape()
        .iter()
        .zip(&mask)
        .filter(|(_, &m)| m)
        .map(|(&l, _)| l)
        .product();
    for ddof in [0usize, 1] {
        let var = |g: &[f64]| {
            let m = mean(g);
            // numpy: divide by max(n - ddof, 0) (inf or NaN when that is 0)
            g.iter().map(|x| (x - m).powi(2)).sum::<f64>() / g.len().saturating_sub(ddof) as f64
        };
        assert_close_scaled(
            &reduce::var(&v, axes.clone(), ddof).unwrap(),
            &refd(&var),
            tol,
            "var",
        );
        let sd = reduce::std(&v, axes.clone(), ddof).unwrap();
        assert_close_scaled(&sd, &refd(&|g| var(g).sqrt()), tol, "std");
    }
    let norm = |g: &[f64]| g.iter().map(|x| x * x).sum::<f64>().sqrt();
    assert_close_scaled(
        &reduce::norm_l2(&v, axes.clone()).unwrap(),
        &refd(&norm),
        tol,
        "norm_l2",
    );
    if n > 0 {
        let mn = |g: &[f64]| g.iter().copied().fold(f64::INFINITY, f64::min);
        let mx = |g: &[f64]| g.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert_close_scaled(
            &reduce::min(&v, axes.clone()).unwrap(),
            &refd(&mn),
            0.0,
            "min",
        );
        assert_close_scaled(
            &reduce::max(&v, axes.clone()).unwrap(),
            &refd(&mx),
            0.0,
            "max",
        );
    } else {
        assert!(reduce::min(&v, axes.clone()).is_err() && reduce::max(&v, axes.clone()).is_err());
    }
    let cnz = reduce::count_nonzero(&v, axes.clone()).unwrap();
    let want = reference::reduce_nd(&v, &mask, c.keepdims, |g| {
        g.iter().filter(|&&x| x != 0.0).count()
    });
    assert_eq!(cnz, want, "count_nonzero");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]
    #[test]
    fn reductions_match_naive_oracle_f64(c in case()) { check::<f64>(&c); }
    #[test]
    fn reductions_match_naive_oracle_f32(c in case()) { check::<f32>(&c); }
}

#[test]
fn large_layouts_use_both_walks_and_all_threads() {
    // Big enough to cross the parallel threshold in both the inner and the outer walk, and
    // the row-splitting path (one output row, many rows).
    for shape in [
        vec![300usize, 7, 40],
        vec![70_000, 3],
        vec![3, 70_000],
        vec![40, 40, 40, 5],
    ] {
        let a = base::<f64>(&shape, 42);
        let nd = shape.len();
        for ax in 0..nd {
            let mut mask = vec![false; nd];
            mask[ax] = true;
            let got = reduce::var(&a, ax, 1).unwrap();
            let want = reference::reduce_nd(&a, &mask, false, |g| {
                let m = mean(g);
                g.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (g.len() - 1) as f64
            });
            assert_close_scaled(&got, &want, 1e-12, "var large");
            let got = reduce::sum(&a.t(), ax).unwrap();
            let want = reference::reduce_nd(&a.t(), &mask, false, |g| g.iter().sum());
            assert_close_scaled(&got, &want, 1e-12, "sum transposed large");
        }
    }
}

#[test]
fn outer_walk_whole_rows_four_at_a_time() {
    // The outer walk adds contiguous rows four at a time (row counts not multiples of 4 leave
    // a remainder), walks rows of up to MAX_COL_BLOCK columns whole and wider ones in equal
    // blocks (9001 columns: two), with outer kept dims too; against the naive oracle.
    let cases: [(&[usize], &[usize]); 5] = [
        (&[1003, 37], &[0]),
        (&[517, 9001], &[0]),
        (&[5, 203, 300], &[1]),
        (&[6, 203, 300], &[0, 1]),
        (&[2, 2, 4001], &[0, 1]),
    ];
    for (shape, axes) in cases {
        let mask: Vec<bool> = (0..shape.len()).map(|i| axes.contains(&i)).collect();
        let ax = || Axes::new(axes.iter().map(|&i| i as isize));
        for f32_input in [false, true] {
            let a64 = base::<f64>(shape, 7);
            let tol = if f32_input { 2e-6 } else { 1e-13 };
            let check = |got: ArrayD<f64>, f: &dyn Fn(&[f64]) -> f64, what: &str| {
                let want = reference::reduce_nd(&a64, &mask, false, f);
                assert_close_scaled(
                    &got,
                    &want,
                    tol,
                    format!("{what} {shape:?} f32 {f32_input}"),
                );
            };
            let var = |g: &[f64]| {
                let m = mean(g);
                g.iter().map(|x| (x - m).powi(2)).sum::<f64>() / g.len() as f64
            };
            let norm = |g: &[f64]| g.iter().map(|x| x * x).sum::<f64>().sqrt();
            if f32_input {
                let a = a64.mapv(|v| v as f32);
                let a64 = a.mapv(|v| v as f64); // the oracle sees the f32 values
                let up = |r: ArrayD<f32>| r.mapv(|v| v as f64);
                let want = |f: &dyn Fn(&[f64]) -> f64| reference::reduce_nd(&a64, &mask, false, f);
                let sc = |g: ArrayD<f64>, w: ArrayD<f64>, what: &str| {
                    assert_close_scaled(&g, &w, tol, format!("{what} {shape:?} f32"))
                };
                sc(
                    up(reduce::sum(&a, ax()).unwrap()),
                    want(&|g| g.iter().sum()),
                    "sum",
                );
                sc(up(reduce::mean(&a, ax()).unwrap()), want(&mean), "mean");
                sc(up(reduce::var(&a, ax(), 0).unwrap()), want(&var), "var");
                sc(
                    up(reduce::norm_l2(&a, ax()).unwrap()),
                    want(&norm),
                    "norm_l2",
                );
            } else {
                check(reduce::sum(&a64, ax()).unwrap(), &|g| g.iter().sum(), "sum");
                check(reduce::mean(&a64, ax()).unwrap(), &mean, "mean");
                check(reduce::var(&a64, ax(), 0).unwrap(), &var, "var");
                check(reduce::norm_l2(&a64, ax()).unwrap(), &norm, "norm_l2");
            }
        }
    }
    // A NaN or an infinity in one row of a group of four reaches only its column.
    let mut a = base::<f32>(&[1003, 37], 8);
    a[[501, 5]] = f32::NAN;
    a[[502, 6]] = f32::INFINITY;
    let s = reduce::sum(&a, 0).unwrap();
    assert!(s[[5]].is_nan() && s[[6]] == f32::INFINITY);
    assert!(s
        .iter()
        .enumerate()
        .all(|(j, v)| j == 5 || j == 6 || v.is_finite()));
}

#[test]
fn f32_mean_along_strided_axis_has_no_numpy_11331_error() {
    // numpy sums float32 naively along a non-contiguous axis; past 2^24 the running sum stops
    // growing by 1. Here: 2e7 rows of ones (and 2s) in a C-order (n, 2) array, reduced over
    // axis 0 — the strided axis. numpy 2.x gives a mean of ~0.839 for the ones column.
    let n = 20_000_000usize;
    let a = Array::from_shape_fn((n, 2), |(_, j)| (j + 1) as f32);
    let m = reduce::mean(&a, 0).unwrap();
    assert_eq!(m[[0]], 1.0);
    assert_eq!(m[[1]], 2.0);
    let s = reduce::sum(&a, 0).unwrap();
    assert_eq!(s[[0]], n as f32);
    let v = reduce::var(&a.column(1), 0, 0).unwrap();
    assert_eq!(v[[]], 0.0);
}

#[test]
fn norm_is_overflow_and_underflow_safe() {
    let a = ndarray::array![[1e200, 3e-200, 0.0], [1e200, 4e-200, 0.0]];
    let n = reduce::norm_l2(&a, 0).unwrap();
    assert!(
        (n[[0]] / (2f64.sqrt() * 1e200) - 1.0).abs() < 1e-15,
        "{}",
        n[[0]]
    );
    assert!((n[[1]] / 5e-200 - 1.0).abs() < 1e-15, "{}", n[[1]]);
    assert_eq!(n[[2]], 0.0);
    let b = ndarray::array![[f64::INFINITY, f64::NAN], [1.0, 1.0]];
    let n = reduce::norm_l2(&b, 0).unwrap();
    assert_eq!(n[[0]], f64::INFINITY);
    assert!(n[[1]].is_nan());
    // The outer walk (kept dense axis) takes the same fallback.
    let c = Array::from_shape_fn((5000, 3), |(_, j)| [1e200, 1e-200, 1.0][j]);
    let n = reduce::norm_l2(&c, 0).unwrap();
    let r = (5000f64).sqrt();
    for (j, s) in [1e200, 1e-200, 1.0].iter().enumerate() {
        assert!(
            (n[[j]] / (r * s) - 1.0).abs() < 1e-13,
            "col {j}: {}",
            n[[j]]
        );
    }
}

#[test]
fn bad_input_is_an_error_with_a_message() {
    let a = Array::<f64, _>::zeros((2, 3, 4));
    let e = reduce::sum(&a, 3).unwrap_err().to_string();
    assert!(e.contains("axis 3") && e.contains("-3..3"), "{e}");
    let e = reduce::sum(&a, -4).unwrap_err().to_string();
    assert!(e.contains("axis -4"), "{e}");
    let e = reduce::mean(&a, [0, -3]).unwrap_err().to_string();
    assert!(e.contains("more than once"), "{e}");
    // ddof >= n: numpy divides by max(n - ddof, 0) = 0 (with a warning): 0 / 0 = NaN here.
    assert!(reduce::var(&a, 0, 2).unwrap().iter().all(|v| v.is_nan()));
    let empty = Array::<f32, _>::zeros((0, 3));
    assert!(reduce::max(&empty, 0)
        .unwrap_err()
        .to_string()
        .contains("max"));
    assert_eq!(
        reduce::sum(&empty, 0).unwrap(),
        ndarray::arr1(&[0.0f32; 3]).into_dyn()
    );
    assert!(reduce::mean(&empty, 0).unwrap().iter().all(|v| v.is_nan()));
    // `_into` with a wrong output shape.
    let mut out = Array::<f64, _>::zeros((3, 3)).into_dyn();
    let e = reduce::sum_into(&a, 0, out.view_mut())
        .unwrap_err()
        .to_string();
    assert!(e.contains("[3, 4]") && e.contains("[3, 3]"), "{e}");
    let mut out = Array::<f64, _>::zeros((3, 4)).into_dyn();
    reduce::sum_into(&a.mapv(|_| 1.0), 0, out.view_mut()).unwrap();
    assert!(out.iter().all(|&v| v == 2.0));
    // 0-d input: reducing "all" of one element.
    let z = ndarray::arr0(5.0f64);
    assert_eq!(reduce::sum(&z, Axes::all()).unwrap()[[]], 5.0);
    assert_eq!(
        reduce::min(&z.view().insert_axis(Axis(0)), 0).unwrap()[[]],
        5.0
    );
}

#[test]
fn short_row_batches_match_oracle_for_every_length_and_row_count() {
    // The row-matrix walk batches rows of up to 16 elements four at a time: cover every row
    // length around that limit and row counts that leave every remainder, with an offset that
    // would expose E[x^2] - E[x]^2 cancellation, and non-finite values in first/other places.
    for len in 1..=18usize {
        for rows in 0..=9usize {
            let a = Array::from_shape_fn((rows, len), |(i, j)| {
                1e6 + ((i * 31 + j * 17) % 23) as f64 * 0.25 - (j % 3) as f64
            });
            let mask = [false, true];
            let var_ref = reference::reduce_nd(&a, &mask, false, |g| {
                let m = mean(g);
                g.iter().map(|x| (x - m).powi(2)).sum::<f64>() / g.len() as f64
            });
            assert_close_scaled(&reduce::var(&a, 1, 0).unwrap(), &var_ref, 1e-9, "short var");
            let sum_ref = reference::reduce_nd(&a, &mask, false, |g| g.iter().sum());
            assert_close_scaled(&reduce::sum(&a, 1).unwrap(), &sum_ref, 1e-15, "short sum");
            let nrm = reference::reduce_nd(&a, &mask, false, |g| {
                g.iter().map(|x| x * x).sum::<f64>().sqrt()
            });
            assert_close_scaled(&reduce::norm_l2(&a, 1).unwrap(), &nrm, 1e-15, "short norm");
            if rows > 0 {
                for (pos, bad) in [
                    (0, f64::NAN),
                    (len - 1, f64::INFINITY),
                    (len / 2, f64::NEG_INFINITY),
                ] {
                    let mut b = a.clone();
                    b[[rows - 1, pos]] = bad;
                    // numpy: any NaN or inf in a lane makes its variance NaN (inf - inf).
                    let v = reduce::var(&b, 1, 0).unwrap();
                    assert!(
                        v[[rows - 1]].is_nan(),
                        "len {len} pos {pos}: {}",
                        v[[rows - 1]]
                    );
                    let s = reduce::sum(&b, 1).unwrap();
                    assert_eq!(s[[rows - 1]].is_nan(), bad.is_nan(), "sum len {len}");
                }
            }
        }
    }
}
