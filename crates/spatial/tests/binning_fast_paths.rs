//! The vectorized binning paths on inputs large enough to cross block boundaries (1024
//! points) and the parallel threshold (2^16), against the naive oracles in
//! `binning::reference`: the uniform bin kernel on edges, ulp neighbours and extreme values
//! (f32 and f64, C order, column-major and strided layouts); the interleaved count-and-sum
//! pass (Count/Sum/Mean, weighted histograms); the label kernels (bincount, add.at,
//! label_stats for 1..5 channels, gather) including a bad label in the last block.

use ndarray::{s, Array1, Array2, Array3};
use ndkern_core::testing::assert_allclose_msg;
use ndkern_spatial::binning::*;

/// Deterministic values in [0, 1).
fn unit(i: usize) -> f64 {
    ((i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11) as f64 / (1u64 << 53) as f64
}

fn next_up(x: f64) -> f64 {
    f64::from_bits(if x >= 0.0 {
        x.to_bits() + 1
    } else {
        x.to_bits() - 1
    })
}
fn next_down(x: f64) -> f64 {
    -next_up(-x)
}

/// Coordinate `i` of a test cloud on `b`: mostly uniform over a slightly wider range, some
/// exactly on an edge or one ulp either side, some NaN / ±inf / ±1e308.
fn coord(b: &AxisBins, i: usize) -> f64 {
    let (lo, hi) = b.bounds();
    let r = unit(i);
    let e = b
        .edge((unit(i + 7) * (b.len() + 1) as f64) as usize)
        .unwrap();
    match (r * 100.0) as usize {
        0 => f64::NAN,
        1 => f64::INFINITY,
        2 => f64::NEG_INFINITY,
        3 => 1e308,
        4 => -1e308,
        5..=14 => e,
        15..=19 => next_up(e),
        20..=24 => next_down(e),
        _ => lo - 0.1 * (hi - lo) + unit(i + 3) * 1.2 * (hi - lo),
    }
}

fn grids() -> Vec<Grid> {
    vec![
        Grid::uniform(&[(0.0, 1.0), (-3.0, 7.0), (0.1, 0.7)], &[10, 7, 3]).unwrap(),
        Grid::uniform(&[(-1e6, 1e6 / 3.0)], &[97]).unwrap(),
        Grid::new(vec![
            AxisBins::covering(0.0, 1.0, 0.1).unwrap(),
            AxisBins::edges(vec![-1.0, 0.0, 0.25, 2.0]).unwrap(),
        ])
        .unwrap(),
    ]
}

/// (points, values) for `g`, with n points.
fn cloud(g: &Grid, n: usize) -> (Array2<f64>, Array1<f64>) {
    let d = g.ndim();
    let p = Array2::from_shape_fn((n, d), |(i, k)| coord(&g.axes()[k], i * d + k));
    let v = Array1::from_shape_fn(n, |i| unit(5 * i + 1) * 10.0 - 3.0);
    (p, v)
}

fn naive_cells(g: &Grid, p: &Array2<f64>) -> Vec<Option<usize>> {
    let edges: Vec<Vec<f64>> = g.axes().iter().map(|a| a.edges_vec()).collect();
    p.rows()
        .into_iter()
        .map(|r| reference::cell_of(&edges, &r.to_vec()))
        .collect()
}

/// Per-cell count, sum and mean of `v` over the points' naive cells (`empty`: the mean of an
/// empty cell).
fn naive_stats(g: &Grid, p: &Array2<f64>, v: &Array1<f64>, empty: f64) -> [Vec<f64>; 3] {
    let (mut cnt, mut sum) = (vec![0.0; g.len()], vec![0.0; g.len()]);
    for (c, &x) in naive_cells(g, p).iter().zip(v) {
        if let Some(c) = *c {
            cnt[c] += 1.0;
            sum[c] += x;
        }
    }
    let mean = sum
        .iter()
        .zip(&cnt)
        .map(|(&s, &k)| if k == 0.0 { empty } else { s / k })
        .collect();
    [cnt, sum, mean]
}

#[test]
fn count_sum_mean_match_naive_across_blocks_layouts_and_threads() {
    for g in grids() {
        for n in [0, 1, 2047, 2049, 70_001] {
            let (p, v) = cloud(&g, n);
            let [cnt, sum, mean] = naive_stats(&g, &p, &v, -1.0);
            // C order, column-major, every other row (strided), and f32 points.
            let f = p.t().as_standard_layout().reversed_axes().to_owned();
            let wide = Array2::from_shape_fn((2 * n, g.ndim()), |(i, k)| p[[i / 2, k]]);
            let strided = wide.slice(s![..;2, ..]);
            for pts in [p.view(), f.view(), strided] {
                for (stat, want) in [
                    (Statistic::Count, &cnt),
                    (Statistic::Sum, &sum),
                    (Statistic::Mean, &mean),
                ] {
                    let got = binned_statistic_dd(&pts, &v, &g, stat, -1.0, Outside::Drop).unwrap();
                    let exact = if stat == Statistic::Count { 0.0 } else { 1e-12 };
                    assert_allclose_msg(
                        got.as_slice().unwrap(),
                        want,
                        exact,
                        exact,
                        format!("{stat:?} n={n}"),
                    );
                }
                let h = histogramdd(&pts, &g, false).unwrap();
                assert_allclose_msg(h.as_slice().unwrap(), &cnt, 0.0, 0.0, "histogramdd");
                let hw = histogramdd_weighted(&pts, &v, &g, false).unwrap();
                assert_allclose_msg(hw.as_slice().unwrap(), &sum, 1e-12, 1e-12, "weighted");
            }
            // f32 coordinates: the oracle bins the same f32 values read as f64.
            let p32 = p.mapv(|x| x as f32);
            let cells32 = naive_cells(&g, &p32.mapv(f64::from));
            let mut c32 = vec![0.0; g.len()];
            cells32.iter().flatten().for_each(|&c| c32[c] += 1.0);
            let v32 = v.mapv(|x| x as f32);
            let got = binned_statistic_dd(&p32, &v32, &g, Statistic::Count, 0.0, Outside::Drop);
            assert_allclose_msg(
                got.unwrap().as_slice().unwrap(),
                &c32,
                0.0,
                0.0,
                "f32 count",
            );
        }
    }
}

/// A grid of more than 2^17 cells (Q1's shape of problem): the private per-thread grids are
/// added up in the parallel pass that writes the result.
#[test]
fn count_sum_mean_on_a_large_grid_match_naive() {
    let g = Grid::uniform(&[(0.0, 1.0), (-3.0, 7.0), (0.1, 0.7)], &[64, 50, 45]).unwrap();
    assert!(g.len() > 1 << 17);
    let n = 300_001;
    let (p, v) = cloud(&g, n);
    let [cnt, sum, mean] = naive_stats(&g, &p, &v, f64::NAN);
    for (stat, want, tol) in [
        (Statistic::Count, &cnt, 0.0),
        (Statistic::Sum, &sum, 1e-12),
        (Statistic::Mean, &mean, 1e-12),
    ] {
        let got = binned_statistic_dd(&p, &v, &g, stat, f64::NAN, Outside::Drop).unwrap();
        assert_eq!(got.shape(), &[64, 50, 45]);
        assert_allclose_msg(got.as_slice().unwrap(), want, tol, tol, format!("{stat:?}"));
    }
    let h = histogramdd(&p, &g, false).unwrap();
    assert_allclose_msg(h.as_slice().unwrap(), &cnt, 0.0, 0.0, "histogramdd");
}

#[test]
fn outside_error_names_the_first_outside_point_in_a_late_block() {
    let g = Grid::uniform(&[(0.0, 1.0), (0.0, 1.0)], &[4, 4]).unwrap();
    let mut p = Array2::from_shape_fn((5000, 2), |(i, k)| unit(2 * i + k));
    p[[4321, 1]] = f64::NAN;
    p[[4999, 0]] = 2.0;
    let v = Array1::zeros(5000);
    let e = binned_statistic_dd(&p, &v, &g, Statistic::Mean, 0.0, Outside::Error).unwrap_err();
    assert!(e.to_string().contains("point 4321"), "{e}");
}

#[test]
fn label_kernels_match_naive_across_blocks_and_threads() {
    let n = 100_003;
    let m = 37;
    let lab: Array1<i32> = Array1::from_shape_fn(n, |i| (unit(i) * m as f64) as i32);
    let w = Array1::from_shape_fn(n, |i| unit(3 * i + 1) - 0.5);
    let lab_us: Vec<usize> = lab.iter().map(|&l| l as usize).collect();
    let want_c = reference::bincount(&lab_us, None, 50);
    let want_s = reference::bincount(&lab_us, Some(w.as_slice().unwrap()), 0);
    let c = bincount(&lab, 50).unwrap();
    assert_allclose_msg(
        &c.mapv(|x| x as f64).to_vec(),
        &want_c,
        0.0,
        0.0,
        "bincount",
    );
    let sw = bincount_weighted(&lab, &w, 0).unwrap();
    assert_allclose_msg(
        sw.as_slice().unwrap(),
        &want_s,
        1e-12,
        1e-12,
        "bincount weights",
    );
    // Reversed (negative stride) labels and values: the same sums.
    let sr = bincount_weighted(&lab.slice(s![..;-1]), &w.slice(s![..;-1]), 0).unwrap();
    assert_allclose_msg(sr.as_slice().unwrap(), &want_s, 1e-12, 1e-12, "reversed");
    let mut t = Array1::from_elem(m, 1.0f32);
    scatter_add_1d(&mut t, &lab, &w.mapv(|x| x as f32)).unwrap();
    let want_t: Vec<f64> = want_s.iter().map(|&s| 1.0 + s).collect();
    assert_allclose_msg(&t.mapv(f64::from).to_vec(), &want_t, 1e-5, 1e-5, "add.at");

    // A bad label in the last block: nothing is written, the error names it.
    let mut bad = lab.clone();
    bad[n - 2] = -4;
    bad[n - 1] = 99;
    let mut t2 = Array1::<f64>::zeros(m);
    let e = scatter_add_1d(&mut t2, &bad, &w).unwrap_err();
    assert!(e.to_string().contains(&format!("{}", n - 2)), "{e}");
    assert!(t2.iter().all(|&x| x == 0.0));
    assert!(bincount(&bad, 0).is_err());
    let e = gather(&Array2::<f64>::zeros((m, 3)), &bad).unwrap_err();
    assert!(e.to_string().contains(&format!("{}", n - 2)), "{e}");
}

#[test]
fn label_stats_and_gather_match_naive_for_each_channel_count() {
    let (h, w, m) = (301, 257, 23usize);
    let lab = Array2::from_shape_fn((h, w), |(i, j)| (unit(i * w + j) * m as f64) as u16);
    for ch in 1..=5 {
        let img = Array3::from_shape_fn((h, w, ch), |(i, j, c)| unit(7 * (i * w + j) + c) * 255.0);
        let mut cnt = vec![0usize; m];
        let mut sum = vec![0.0; m * ch];
        for ((i, j), &l) in lab.indexed_iter() {
            cnt[l as usize] += 1;
            for c in 0..ch {
                sum[l as usize * ch + c] += img[[i, j, c]];
            }
        }
        let st = label_stats(&lab, &img, Some(m)).unwrap();
        assert_eq!(st.count.to_vec(), cnt);
        assert_allclose_msg(st.sum.as_slice().unwrap(), &sum, 1e-12, 1e-12, "sums");
        let mean = st.mean();
        let out = gather(&mean, &lab).unwrap();
        for ((i, j), &l) in lab.indexed_iter() {
            for c in 0..ch {
                assert_eq!(out[[i, j, c]], mean[[l as usize, c]]);
            }
        }
        // Transposed labels and image: same statistics.
        let lt = lab.t();
        let mut it = img.view();
        it.swap_axes(0, 1);
        let stt = label_stats(&lt, &it, Some(m)).unwrap();
        assert_eq!(stt.count, st.count);
        assert_allclose_msg(
            stt.sum.as_slice().unwrap(),
            &sum,
            1e-12,
            1e-12,
            "transposed sums",
        );
    }
    // Zero channels still counts.
    let img0 = Array3::<f64>::zeros((h, w, 0));
    let st0 = label_stats(&lab, &img0, Some(m)).unwrap();
    assert_eq!(st0.count.iter().sum::<usize>(), h * w);
}

#[test]
fn block_reduce_matches_naive_on_large_u8_and_strided_inputs() {
    use ndarray::{ArrayD, IxDyn};
    // 3-d u8 with partial edge blocks, above the parallel threshold; widths 8, 4, 5, 1.
    let a = ndarray::Array3::from_shape_fn((37, 29, 103), |(i, j, k)| {
        u8::from(unit(i * 29 * 103 + j * 103 + k) > 0.6) * (1 + (k % 3) as u8)
    });
    let af = a.mapv(f64::from).into_dyn();
    for block in [[3, 2, 8], [4, 4, 4], [2, 7, 5], [1, 1, 1], [37, 29, 103]] {
        for func in [
            "sum",
            "mean",
            "min",
            "max",
            "count_nonzero",
            "any",
            "fraction_nonzero",
        ] {
            let got = block_reduce(&a, &block, func.parse().unwrap()).unwrap();
            let want = reference::block_reduce(&af, &block, func);
            assert_allclose_msg(
                got.as_slice().unwrap(),
                want.as_slice().unwrap(),
                1e-14,
                1e-14,
                format!("{func} {block:?}"),
            );
        }
    }
    // Non-contiguous rows (transposed, reversed) of f32 and bool.
    let t = a.mapv(|x| x as f32);
    let mut v = t.view();
    v.swap_axes(0, 2);
    v.invert_axis(ndarray::Axis(1));
    let vf = ArrayD::from_shape_fn(IxDyn(v.shape()), |ix| f64::from(v[[ix[0], ix[1], ix[2]]]));
    let b = v.mapv(|x| x != 0.0);
    for func in ["mean", "max", "fraction_nonzero"] {
        let got = block_reduce(&v, &[8, 3, 4], func.parse().unwrap()).unwrap();
        let want = reference::block_reduce(&vf, &[8, 3, 4], func);
        assert_allclose_msg(
            got.as_slice().unwrap(),
            want.as_slice().unwrap(),
            1e-14,
            1e-14,
            func,
        );
    }
    let got = block_reduce(&b, &[8, 3, 4], BlockFunc::CountNonzero).unwrap();
    let want = reference::block_reduce(&vf, &[8, 3, 4], "count_nonzero");
    assert_allclose_msg(
        got.as_slice().unwrap(),
        want.as_slice().unwrap(),
        0.0,
        0.0,
        "bool",
    );
}

#[test]
fn into_twins_match_the_allocating_functions_in_any_out_layout() {
    let g = Grid::uniform(&[(0.0, 1.0), (-3.0, 7.0), (0.1, 0.7)], &[10, 7, 3]).unwrap();
    let (p, v) = cloud(&g, 5000);
    // binned_statistic_dd_into: C-order and a transposed (non-contiguous) out.
    for stat in [Statistic::Mean, Statistic::Std, Statistic::Last] {
        let want = binned_statistic_dd(&p, &v, &g, stat, -1.0, Outside::Drop).unwrap();
        let mut out = ndarray::Array3::<f64>::zeros((10, 7, 3));
        binned_statistic_dd_into(&p, &v, &g, stat, -1.0, Outside::Drop, &mut out).unwrap();
        assert_eq!(out.into_dyn(), want);
        let mut t = ndarray::Array3::<f64>::zeros((3, 7, 10));
        let mut tv = t.view_mut().reversed_axes();
        binned_statistic_dd_into(&p, &v, &g, stat, -1.0, Outside::Drop, &mut tv).unwrap();
        assert_eq!(tv.to_owned().into_dyn(), want);
    }
    let mut bad = ndarray::Array3::<f64>::zeros((10, 7, 2));
    assert!(
        binned_statistic_dd_into(&p, &v, &g, Statistic::Sum, 0.0, Outside::Drop, &mut bad).is_err()
    );

    // histogram_into.
    let b = AxisBins::uniform(-3.0, 7.0, 13).unwrap();
    let col = p.column(1);
    let mut h = Array1::zeros(13);
    histogram_into(&col, &b, true, &mut h).unwrap();
    assert_eq!(h, histogram(&col, &b, true).unwrap());
    assert!(histogram_into(&col, &b, true, &mut Array1::zeros(12)).is_err());

    // bincount_into / bincount_weighted_into, including a strided out.
    let lab = Array1::from_shape_fn(5000, |i| (unit(i) * 9.0) as u32);
    let mut c = Array1::<usize>::zeros(12);
    bincount_into(&lab, &mut c).unwrap();
    assert_eq!(c, bincount(&lab, 12).unwrap());
    let mut w2 = Array1::<f64>::zeros(20);
    let mut ws = w2.slice_mut(s![..;2]);
    bincount_weighted_into(&lab, &v, &mut ws).unwrap();
    assert_eq!(ws.to_owned(), bincount_weighted(&lab, &v, 10).unwrap());
    assert!(bincount_into(&lab, &mut Array1::<usize>::zeros(8)).is_err());

    // gather_into: a bad label writes nothing; strided out.
    let labs = Array2::from_shape_fn((50, 40), |(i, j)| (unit(i * 40 + j) * 9.0) as u8);
    let table = Array2::from_shape_fn((9, 3), |(l, c)| (l * 3 + c) as f32);
    let mut o = Array3::<f32>::zeros((50, 40, 3));
    gather_into(&table, &labs, &mut o).unwrap();
    assert_eq!(o.clone().into_dyn(), gather(&table, &labs).unwrap());
    let mut ot = Array3::<f32>::zeros((3, 40, 50));
    let mut otv = ot.view_mut().reversed_axes();
    gather_into(&table, &labs, &mut otv).unwrap();
    assert_eq!(otv.to_owned(), o);
    let mut badl = labs.clone();
    badl[[49, 39]] = 9;
    let mut fresh = Array3::<f32>::from_elem((50, 40, 3), -1.0);
    assert!(gather_into(&table, &badl, &mut fresh).is_err());
    assert!(fresh.iter().all(|&x| x == -1.0));
    assert!(gather_into(&table, &labs, &mut Array3::<f32>::zeros((50, 40, 2))).is_err());

    // block_reduce_into.
    let img = Array2::from_shape_fn((50, 41), |(i, j)| unit(i * 41 + j));
    let want = block_reduce(&img, &[4, 4], BlockFunc::Mean).unwrap();
    let mut bo = Array2::<f64>::zeros((13, 11));
    block_reduce_into(&img, &[4, 4], BlockFunc::Mean, &mut bo).unwrap();
    assert_eq!(bo.clone().into_dyn(), want);
    let mut bt = Array2::<f64>::zeros((11, 13));
    let mut btv = bt.view_mut().reversed_axes();
    block_reduce_into(&img, &[4, 4], BlockFunc::Mean, &mut btv).unwrap();
    assert_eq!(btv.to_owned(), bo);
    assert!(
        block_reduce_into(&img, &[4, 4], BlockFunc::Mean, &mut Array2::zeros((13, 10))).is_err()
    );
}
