//! Fuzzing the point -> bin index path with extreme values (±inf, NaN, ±1e308, subnormals,
//! values exactly on edges and one ulp either side): the index is either `None` or in range,
//! and always equals the naive linear scan over numpy's edges (`reference::bin_index`).

use ndarray::Array2;
use ndkern_spatial::binning::{histogramdd, reference, AxisBins, Grid};
use proptest::prelude::*;

fn extreme() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(1e308),
        Just(-1e308),
        Just(f64::MAX),
        Just(f64::MIN_POSITIVE),
        Just(5e-324),
        Just(-0.0),
        Just(0.0),
        -1e6..1e6f64,
        -2.0..2.0f64,
    ]
}

fn next_up(x: f64) -> f64 {
    if x.is_nan() || x == f64::INFINITY {
        return x;
    }
    if x == 0.0 {
        return 5e-324;
    }
    f64::from_bits(if x > 0.0 {
        x.to_bits() + 1
    } else {
        x.to_bits() - 1
    })
}
fn next_down(x: f64) -> f64 {
    -next_up(-x)
}

/// Checks one value against the naive scan and the range invariant.
fn check(b: &AxisBins, x: f64) {
    let edges = b.edges_vec();
    let got = b.index(x);
    assert_eq!(
        got,
        reference::bin_index(&edges, x),
        "x = {x:e}, edges {edges:?}"
    );
    if let Some(i) = got {
        assert!(i < b.len());
    }
}

fn uniform_bins() -> impl Strategy<Value = AxisBins> {
    (
        prop_oneof![-1e6..1e6f64, Just(-1e300), Just(0.0), Just(0.1)],
        prop_oneof![1e-9..1e6f64, Just(1e300), Just(0.1), Just(1.0 / 3.0)],
        1usize..200,
    )
        .prop_filter_map("finite", |(lo, w, n)| AxisBins::uniform(lo, lo + w, n).ok())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn uniform_index_matches_naive(b in uniform_bins(), xs in prop::collection::vec(extreme(), 1..20), k in 0usize..200) {
        for &x in &xs {
            check(&b, x);
        }
        // Exactly on an edge and one ulp either side.
        let e = b.edge(k.min(b.len())).unwrap();
        for x in [e, next_up(e), next_down(e)] {
            check(&b, x);
        }
    }

    #[test]
    fn edges_index_matches_naive(mut e in prop::collection::vec(-1e3..1e3f64, 2..30), xs in prop::collection::vec(extreme(), 1..20), k in 0usize..30) {
        e.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let b = AxisBins::edges(e.clone()).unwrap();
        for &x in &xs {
            check(&b, x);
        }
        let ek = e[k.min(e.len() - 1)];
        for x in [ek, next_up(ek), next_down(ek)] {
            check(&b, x);
        }
    }

    #[test]
    fn from_step_and_covering_keep_max(lo in -1e6..1e6f64, span in 0.0..1e4f64, step in 1e-3..10.0f64) {
        let b = AxisBins::covering(lo, lo + span, step).unwrap();
        // The maximum and the minimum are never lost (Q1: points on an edge are kept).
        prop_assert!(b.index(lo).is_some());
        prop_assert!(b.index(lo + span).is_some());
        let s = AxisBins::from_step(lo, step, 7).unwrap();
        prop_assert_eq!(s.len(), 7);
        check(&s, lo + 3.0 * step);
    }

    #[test]
    fn histogramdd_with_extreme_points_never_writes_out_of_bounds(
        pts in prop::collection::vec((extreme(), extreme()), 0..60),
        b0 in uniform_bins(), b1 in uniform_bins(),
    ) {
        let n = pts.len();
        let a = Array2::from_shape_fn((n, 2), |(i, j)| if j == 0 { pts[i].0 } else { pts[i].1 });
        let e = [b0.edges_vec(), b1.edges_vec()];
        let g = Grid::new(vec![b0, b1]).unwrap();
        let h = histogramdd(&a, &g, false).unwrap();
        let mut naive = vec![0.0; g.len()];
        for p in &pts {
            if let Some(c) = reference::cell_of(&e, &[p.0, p.1]) {
                naive[c] += 1.0;
            }
        }
        prop_assert_eq!(h.as_slice().unwrap(), &naive[..]);
    }
}

#[test]
fn numpy_edge_rule_on_tenths() {
    // np.histogram([0.3, 0.6, 0.7, 1.0], bins=10, range=(0, 1)): 0.3 lands in bin 2 (edges are
    // linspace: 0.30000000000000004 > 0.3), 0.6 in bin 5, 0.7 in bin 6, 1.0 in the last bin.
    let b = AxisBins::uniform(0.0, 1.0, 10).unwrap();
    assert_eq!(b.index(0.3), Some(2));
    assert_eq!(b.index(0.6), Some(5));
    assert_eq!(b.index(0.7), Some(6));
    assert_eq!(b.index(1.0), Some(9));
}
