//! Binning kernels against the naive oracles in `binning::reference`, over random shapes,
//! strided / reversed / transposed layouts, f32 and f64, points on edges, outside and NaN,
//! and both the serial and the parallel (private per-thread grid) paths.

use ndarray::{s, Array1, Array2, Array3, ArrayD, Axis, IxDyn};
use ndkern_core::testing::{allclose, Rng};
use ndkern_spatial::binning::*;
use proptest::prelude::*;

/// Random points in [-0.2, 1.2)^d with some exactly on edges of a 0..1 grid and some NaN.
fn points(n: usize, d: usize, seed: u64) -> Array2<f64> {
    let mut g = Rng::new(seed);
    let mut next = || g.unit();
    Array2::from_shape_fn((n, d), |_| {
        let r = next();
        if r < 0.05 {
            f64::NAN
        } else if r < 0.2 {
            (next() * 8.0).floor() / 4.0 - 0.25 // multiples of 1/4: edges of 4 or 8 bins
        } else {
            next() * 1.4 - 0.2
        }
    })
}

fn rows(a: &ndarray::ArrayView2<'_, f64>) -> Vec<Vec<f64>> {
    a.rows().into_iter().map(|r| r.to_vec()).collect()
}

/// The same points in three layouts: C order, reversed rows (negative stride), transposed
/// storage (column-major).
/// Each comes with whether its row order is reversed.
fn layouts(p: &Array2<f64>) -> Vec<(Array2<f64>, bool)> {
    // A negatively strided view copied keeps its order, so build the reversed-stride array
    // by inverting an owned copy's axis (the array then has a negative row stride).
    let mut rev = p.clone();
    rev.invert_axis(Axis(0));
    let f = p.t().as_standard_layout().reversed_axes().to_owned();
    assert!(p.nrows() < 2 || p.ncols() < 2 || !f.is_standard_layout());
    vec![(p.clone(), false), (rev, true), (f, false)]
}

const STATS: [&str; 8] = ["count", "sum", "mean", "std", "min", "max", "first", "last"];

fn check_stats(p: &Array2<f64>, v: &Array1<f64>, g: &Grid, edges: &[Vec<f64>]) {
    let naive = reference::cell_values(edges, &rows(&p.view()), &v.to_vec());
    for name in STATS {
        let st: Statistic = name.parse().unwrap();
        let got = binned_statistic_dd(p, v, g, st, -7.0, Outside::Drop).unwrap();
        let want: Vec<f64> = naive
            .iter()
            .map(|c| reference::statistic(c, name, -7.0))
            .collect();
        assert!(
            allclose(got.as_slice().unwrap(), &want, 1e-12, 1e-12).is_ok(),
            "{name}: {got:?} vs {want:?}"
        );
        // f32 inputs: the oracle bins the f32 coordinates (widened exactly) too.
        let p32 = p.mapv(|x| x as f32);
        let v32 = v.mapv(|x| x as f32);
        let naive32 = reference::cell_values(
            edges,
            &rows(&p32.mapv(f64::from).view()),
            &v32.mapv(f64::from).to_vec(),
        );
        let got32 = binned_statistic_dd(&p32, &v32, g, st, -7.0, Outside::Drop).unwrap();
        let want32: Vec<f64> = naive32
            .iter()
            .map(|c| reference::statistic(c, name, -7.0))
            .collect();
        assert!(
            allclose(got32.as_slice().unwrap(), &want32, 1e-12, 1e-12).is_ok(),
            "f32 {name}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60))]

    #[test]
    fn binned_statistic_dd_matches_naive(n in 0usize..300, d in 1usize..4, nb in 1usize..9, seed in any::<u64>()) {
        let p = points(n, d, seed);
        let v = Array1::from_shape_fn(n, |i| ((i * 7919) % 101) as f64 - 50.0);
        let g = Grid::uniform(&vec![(0.0, 1.0); d], &vec![nb; d]).unwrap();
        let edges: Vec<Vec<f64>> = g.axes().iter().map(|a| a.edges_vec()).collect();
        for (pl, reversed) in layouts(&p) {
            let vl = if reversed { v.slice(s![..;-1]).to_owned() } else { v.clone() };
            check_stats(&pl, &vl, &g, &edges);
        }
        // Arbitrary edges.
        let e: Vec<f64> = vec![-0.1, 0.0, 0.25, 0.3, 0.9, 1.0];
        let g = Grid::new(vec![AxisBins::edges(e.clone()).unwrap(); d]).unwrap();
        check_stats(&p, &v, &g, &vec![e; d]);
    }

    #[test]
    fn histogramdd_matches_naive(n in 0usize..300, d in 1usize..4, nb in 1usize..9, seed in any::<u64>()) {
        let p = points(n, d, seed);
        let w = Array1::from_shape_fn(n, |i| (i % 5) as f64 * 0.5);
        let g = Grid::uniform(&vec![(0.0, 1.0); d], &vec![nb; d]).unwrap();
        let edges: Vec<Vec<f64>> = g.axes().iter().map(|a| a.edges_vec()).collect();
        let pts = rows(&p.view());
        let counts = reference::cell_values(&edges, &pts, &vec![1.0; n]);
        let want: Vec<f64> = counts.iter().map(|c| c.len() as f64).collect();
        for (pl, _) in layouts(&p) {
            let h = histogramdd(&pl, &g, false).unwrap();
            prop_assert_eq!(h.as_slice().unwrap(), &want[..]);
        }
        let sums = reference::cell_values(&edges, &pts, w.as_slice().unwrap());
        let want_w: Vec<f64> = sums.iter().map(|c| c.iter().sum()).collect();
        let hw = histogramdd_weighted(&p, &w, &g, false).unwrap();
        prop_assert!(allclose(hw.as_slice().unwrap(), &want_w, 1e-14, 1e-14).is_ok());
        // Density integrates to one (when anything is inside).
        let total: f64 = want.iter().sum();
        let dens = histogramdd(&p, &g, true).unwrap();
        let vol = (1.0 / nb as f64).powi(d as i32);
        if total > 0.0 {
            let integral: f64 = dens.iter().map(|x| x * vol).sum();
            prop_assert!((integral - 1.0).abs() < 1e-12);
            let want_d: Vec<f64> = want.iter().map(|c| c / vol / total).collect();
            prop_assert!(allclose(dens.as_slice().unwrap(), &want_d, 1e-12, 1e-12).is_ok());
        }
    }

    #[test]
    fn bincount_and_scatter_add_match_naive(n in 0usize..400, m in 1usize..40, minlength in 0usize..50, seed in any::<u64>()) {
        let x: Vec<usize> = (0..n).map(|i| ((i as u64).wrapping_mul(seed | 1) >> 7) as usize % m).collect();
        let w: Vec<f64> = (0..n).map(|i| (i % 13) as f64 - 6.0).collect();
        let xa = Array1::from(x.iter().map(|&i| i as i64).collect::<Vec<_>>());
        let c = bincount(&xa, minlength).unwrap();
        let want = reference::bincount(&x, None, minlength);
        prop_assert_eq!(c.mapv(|k| k as f64).to_vec(), want);
        let cw = bincount_weighted(&xa, &Array1::from(w.clone()), minlength).unwrap();
        prop_assert!(allclose(cw.as_slice().unwrap(), &reference::bincount(&x, Some(&w), minlength), 1e-14, 1e-14).is_ok());
        // np.add.at on a 2-d target viewed through a reversed, transposed window.
        let (r, cc) = (m.div_ceil(4).max(1), 4);
        let idx = Array2::from_shape_fn((n, 2), |(i, k)| if k == 0 { x[i] % r } else { (x[i] / r) % cc });
        let mut big = Array2::<f32>::zeros((cc, r * 2));
        let mut naive = Array2::<f64>::zeros((r, cc));
        for i in 0..n {
            naive[[idx[[i, 0]], idx[[i, 1]]]] += w[i];
        }
        {
            let mut t = big.slice_mut(s![..;-1, ..;2]).reversed_axes();
            let w32 = Array1::from(w.iter().map(|&v| v as f32).collect::<Vec<_>>());
            scatter_add(&mut t, &idx, &w32).unwrap();
        }
        let back = big.slice(s![..;-1, ..;2]).reversed_axes().mapv(f64::from);
        let back_v: Vec<f64> = back.iter().copied().collect();
        let naive_v: Vec<f64> = naive.iter().copied().collect();
        prop_assert!(allclose(&back_v, &naive_v, 1e-6, 1e-6).is_ok());
    }

    #[test]
    fn label_stats_and_gather_match_naive(h in 1usize..20, w in 1usize..20, m in 1usize..10, ch in 1usize..4, seed in any::<u64>()) {
        let labels = Array2::from_shape_fn((h, w), |(i, j)| (((i * 31 + j * 17) as u64 ^ seed) % m as u64) as u32);
        let img = Array3::from_shape_fn((h, w, ch), |(i, j, c)| (i * w + j) as f64 + 100.0 * c as f64);
        let st = label_stats(&labels, &img, Some(m)).unwrap();
        let mean = st.mean();
        let out = gather(&mean, &labels).unwrap();
        for c in 0..ch {
            for l in 0..m {
                let vals: Vec<f64> = labels.indexed_iter().filter(|(_, &x)| x as usize == l).map(|((i, j), _)| img[[i, j, c]]).collect();
                prop_assert_eq!(st.count[l], vals.len());
                let want = reference::statistic(&vals, "mean", f64::NAN);
                prop_assert!(allclose(&[mean[[l, c]]], &[want], 1e-14, 1e-14).is_ok());
            }
            for ((i, j), &l) in labels.indexed_iter() {
                prop_assert_eq!(out[[i, j, c]].to_bits(), mean[[l as usize, c]].to_bits());
            }
        }
        // A transposed (non-contiguous) label raster with a single-channel image.
        let lt = labels.t();
        let it = img.index_axis(Axis(2), 0).t().to_owned();
        let st2 = label_stats(&lt, &it, Some(m)).unwrap();
        prop_assert_eq!(st2.count.clone(), st.count.clone());
    }

    #[test]
    fn digitize_matches_naive(xs in prop::collection::vec(prop_oneof![-5.0..5.0f64, Just(f64::NAN), Just(1.0), Just(-1.0)], 0..40), mut bins in prop::collection::vec(-3i32..3, 1..8), right in any::<bool>(), dec in any::<bool>()) {
        bins.sort();
        if dec { bins.reverse(); }
        let b: Vec<f64> = bins.iter().map(|&x| x as f64).collect();
        let got = digitize(&Array1::from(xs.clone()), &b, right).unwrap();
        let want: Vec<usize> = xs.iter().map(|&x| reference::digitize(x, &b, right)).collect();
        prop_assert_eq!(got.to_vec(), want);
    }

    #[test]
    fn block_reduce_matches_naive(shape in prop::collection::vec(0usize..9, 1..4), bs in prop::collection::vec(1usize..5, 3), flip in any::<bool>(), seed in any::<u64>()) {
        let nd = shape.len();
        let a = ArrayD::from_shape_fn(IxDyn(&shape), |ix| {
            let k = ndarray::Dimension::slice(&ix).iter().fold(seed % 97, |acc, &i| acc.wrapping_mul(31).wrapping_add(i as u64));
            if k % 3 == 0 { 0.0 } else { (k % 11) as f64 - 3.0 }
        });
        let mut v = a.view();
        if flip {
            v.invert_axis(Axis(0));
            if nd > 1 { v.swap_axes(0, nd - 1); }
        }
        let block = &bs[..nd];
        let owned = v.to_owned();
        for func in ["sum", "mean", "min", "max", "count_nonzero", "any", "fraction_nonzero"] {
            let got = block_reduce(&v, block, func.parse().unwrap()).unwrap();
            let want = reference::block_reduce(&owned, block, func);
            prop_assert_eq!(got.shape(), want.shape());
            prop_assert!(allclose(&got.iter().copied().collect::<Vec<_>>(), &want.iter().copied().collect::<Vec<_>>(), 1e-14, 1e-14).is_ok(), "{}", func);
        }
    }

    #[test]
    fn masks_match_naive(n in 0usize..200, seed in any::<u64>()) {
        let p = points(n, 2, seed).mapv(|x| if x.is_nan() { 0.5 } else { x });
        let g = Grid::uniform(&[(0.0, 1.0), (0.0, 1.0)], &[5, 5]).unwrap();
        let mask = Array2::from_shape_fn((5, 5), |(i, j)| (i * 5 + j) as u64 % 3 == seed % 3);
        let sel = select_in_mask(&p, &g, &mask).unwrap();
        let edges: Vec<Vec<f64>> = g.axes().iter().map(|a| a.edges_vec()).collect();
        let want: Vec<usize> = (0..n).filter(|&i| reference::cell_of(&edges, &[p[[i, 0]], p[[i, 1]]]).is_some_and(|c| mask.as_slice().unwrap()[c])).collect();
        prop_assert_eq!(sel, want);
        // masked histogram == histogram of the selection; 0 under the mask counts.
        let vals = p.column(0).to_owned();
        let m1 = Array1::from_shape_fn(n, |i| i % 2 == 0);
        let b = AxisBins::uniform(0.0, 1.0, 7).unwrap();
        let hm = histogram_masked(&vals, &m1, &b).unwrap();
        let h = histogram(&masked_select(&vals, &m1).unwrap(), &b, false).unwrap();
        prop_assert_eq!(hm, h);
    }
}

#[test]
fn parallel_path_matches_naive_including_first_last() {
    // 300k points on a 4x4 grid: above the parallel threshold, so private grids are merged.
    let n = 300_000;
    let p = points(n, 2, 42);
    let v = Array1::from_shape_fn(n, |i| ((i * 7919) % 1009) as f64 * 1e3 + 1e9);
    let g = Grid::uniform(&[(0.0, 1.0), (0.0, 1.0)], &[4, 4]).unwrap();
    let edges: Vec<Vec<f64>> = g.axes().iter().map(|a| a.edges_vec()).collect();
    let naive = reference::cell_values(&edges, &rows(&p.view()), v.as_slice().unwrap());
    let st = cell_stats(&p, &v, &g, Outside::Drop).unwrap();
    let sd = st.std(f64::NAN);
    for (c, vals) in naive.iter().enumerate() {
        assert_eq!(st.count().as_slice().unwrap()[c], vals.len() as u64);
        let want = reference::statistic(vals, "std", f64::NAN);
        // Values around 1e9 with spread 1e6: raw E[x^2]-E[x]^2 would lose ~6 digits here.
        assert!(
            (sd.as_slice().unwrap()[c] - want).abs() <= 1e-9 * want,
            "std {c}"
        );
        assert_eq!(st.first(f64::NAN).as_slice().unwrap()[c], vals[0]);
        assert_eq!(
            st.last(f64::NAN).as_slice().unwrap()[c],
            *vals.last().unwrap()
        );
    }
    let x: Array1<u16> = Array1::from_shape_fn(n, |i| (i % 1000) as u16);
    let c = bincount(&x, 0).unwrap();
    assert!(c.iter().all(|&k| k == n / 1000));
}

#[test]
fn ragged_select_keeps_frames() {
    let feat = Array3::from_shape_fn((4, 6, 3), |(f, p, k)| (f * 100 + p * 10 + k) as f32);
    let mask = Array2::from_shape_fn((4, 6), |(f, p)| (f + p) % 3 == 0);
    let r = ragged_select(&feat, &mask).unwrap();
    assert_eq!(r.frames(), 4);
    for f in 0..4 {
        let want: Vec<usize> = (0..6).filter(|&p| mask[[f, p]]).collect();
        assert_eq!(r.frame_index(f).unwrap(), &want[..]);
        for (row, &p) in r.frame(f).unwrap().rows().into_iter().zip(&want) {
            assert_eq!(row, feat.slice(s![f, p, ..]));
        }
    }
    // A transposed feature array gives the same answer.
    let ft = feat.view().permuted_axes([0, 1, 2]).to_owned();
    assert_eq!(ragged_select(&ft.view(), &mask).unwrap(), r);
}
