//! The bad inputs issue 4 lists: each is an `Err` whose message says what to change, never a
//! panic or an out-of-bounds write. Plus scikit-image issue 4940 (partial edge blocks).

use ndarray::{array, Array1, Array2, Array3};
use ndkern_spatial::binning::*;

fn msg<T: std::fmt::Debug>(r: Result<T, ndkern_spatial::Error>) -> String {
    r.expect_err("bad input must be an Err").to_string()
}

#[test]
fn zero_negative_step_bins_and_bad_ranges() {
    assert!(msg(AxisBins::uniform(0.0, 1.0, 0)).contains("at least 1"));
    assert!(msg(AxisBins::uniform(1.0, 1.0, 3)).contains("below the upper bound"));
    assert!(msg(AxisBins::uniform(2.0, 1.0, 3)).contains("below the upper bound"));
    assert!(msg(AxisBins::uniform(f64::NAN, 1.0, 3)).contains("finite"));
    assert!(msg(AxisBins::uniform(-1e308, 1e308, 3)).contains("overflows"));
    assert!(msg(AxisBins::from_step(0.0, 0.0, 3)).contains("positive"));
    assert!(msg(AxisBins::from_step(0.0, -0.1, 3)).contains("positive"));
    assert!(msg(AxisBins::from_step(0.0, f64::NAN, 3)).contains("positive"));
    assert!(msg(AxisBins::covering(0.0, 1e300, 1e-300)).contains("larger step"));
    assert!(msg(AxisBins::covering(1.0, 0.0, 0.1)).contains("min <= max"));
    assert!(msg(AxisBins::edges(vec![0.0, 2.0, 1.0])).contains("monotonically"));
    assert!(msg(AxisBins::edges(vec![0.0])).contains("at least 2"));
    assert!(msg(AxisBins::edges(vec![0.0, f64::INFINITY])).contains("finite"));
    assert!(msg(Grid::uniform(
        &[(0.0, 1.0), (0.0, 1.0)],
        &[1 << 30, 1 << 30]
    ))
    .contains("cells"));
    assert!(msg(Grid::covering(&array![[0.0, f64::NAN]], &[0.1, 0.1])).contains("non-finite"));
    assert!(
        msg(Grid::covering(&Array2::<f64>::zeros((0, 2)), &[0.1, 0.1])).contains("zero points")
    );
}

#[test]
fn mismatched_lengths_and_shapes() {
    let g = Grid::uniform(&[(0.0, 1.0), (0.0, 1.0)], &[2, 2]).unwrap();
    let pts = array![[0.1, 0.2], [0.3, 0.4]];
    assert!(msg(histogramdd(&array![[0.1], [0.2]], &g, false)).contains("(n, 2)"));
    assert!(msg(histogramdd_weighted(&pts, &array![1.0], &g, false)).contains("shape mismatch"));
    assert!(msg(binned_statistic_dd(
        &pts,
        &array![1.0, 2.0, 3.0],
        &g,
        Statistic::Mean,
        0.0,
        Outside::Drop
    ))
    .contains("shape mismatch"));
    assert!(msg(bincount_weighted(&array![0u8, 1], &array![1.0f64], 0)).contains("shape mismatch"));
    let mut t = Array2::<f64>::zeros((2, 2));
    assert!(msg(scatter_add(
        &mut t,
        &array![[0usize], [1]],
        &array![1.0, 2.0]
    ))
    .contains("(n, 2)"));
    assert!(
        msg(scatter_add(&mut t, &array![[0usize, 0]], &array![1.0, 2.0]))
            .contains("shape mismatch")
    );
    assert!(msg(label_stats(
        &array![[0u8, 1]],
        &array![[1.0, 2.0, 3.0]],
        None
    ))
    .contains("shape mismatch"));
    assert!(msg(masked_select(&array![1.0, 2.0], &array![true])).contains("shape mismatch"));
    let b = AxisBins::uniform(0.0, 1.0, 2).unwrap();
    assert!(msg(histogram_masked(&array![1.0, 2.0], &array![true], &b)).contains("shape mismatch"));
    assert!(msg(select_in_mask(&pts, &g, &array![[true, false, true]])).contains("shape mismatch"));
    assert!(msg(ragged_select(
        &Array3::<f32>::zeros((2, 3, 4)),
        &Array2::from_elem((3, 2), true)
    ))
    .contains("shape mismatch"));
    assert!(msg(block_reduce(
        &Array2::<f64>::zeros((4, 4)),
        &[2],
        BlockFunc::Sum
    ))
    .contains("one block size per axis"));
    assert!(msg(block_reduce(
        &Array2::<f64>::zeros((4, 4)),
        &[2, 0],
        BlockFunc::Sum
    ))
    .contains("at least 1"));
    assert!(msg(digitize(&array![1.0], &[0.0, 2.0, 1.0], false)).contains("monotonically"));
    assert!(msg(digitize(&array![1.0], &[], false)).contains("at least one"));
}

#[test]
fn negative_or_too_large_labels_and_indices_write_nothing() {
    assert!(msg(bincount(&array![0i32, -1, 2], 0)).contains("label 1"));
    assert!(msg(bincount(&array![u64::MAX], 0)).contains("labels must be in"));
    let mut t = Array1::<f64>::zeros(3);
    let e = msg(scatter_add_1d(&mut t, &array![0i64, 3], &array![1.0, 1.0]));
    assert!(e.contains("index 1") && e.contains("outside 0..3"), "{e}");
    assert_eq!(
        t,
        Array1::<f64>::zeros(3),
        "nothing written before the error"
    );
    let mut t2 = Array2::<f64>::zeros((2, 2));
    assert!(msg(scatter_add(&mut t2, &array![[0i8, -1]], &array![1.0])).contains("axis 1"));
    assert!(msg(label_stats(&array![0u8, 5], &array![1.0, 2.0], Some(3))).contains("outside 0..3"));
    assert!(msg(gather(&array![[1.0], [2.0]], &array![0u8, 2])).contains("outside the table"));
}

#[test]
fn nan_and_outside_points_error_or_drop_by_policy() {
    let g = Grid::uniform(&[(0.0, 1.0)], &[4]).unwrap();
    let pts = array![[0.5], [f64::NAN], [2.0], [1.0]];
    let v = array![1.0, 2.0, 3.0, 4.0];
    let e = msg(binned_statistic_dd(
        &pts,
        &v,
        &g,
        Statistic::Sum,
        0.0,
        Outside::Error,
    ));
    assert!(e.contains("point 1") && e.contains("Outside::Drop"), "{e}");
    let e = msg(cell_stats(
        &array![[0.5], [1.5]],
        &array![1.0, 2.0],
        &g,
        Outside::Error,
    ));
    assert!(e.contains("point 1"), "{e}");
    let s = binned_statistic_dd(&pts, &v, &g, Statistic::Sum, 0.0, Outside::Drop).unwrap();
    assert_eq!(s.as_slice().unwrap(), &[0.0, 0.0, 1.0, 4.0]); // 1.0 on the closed last edge
}

#[test]
fn healpix_bad_input() {
    let t = array![0.5];
    assert!(msg(ang2pix(0, &t, &t, Scheme::Ring)).contains("nside"));
    assert!(msg(ang2pix(3, &t, &t, Scheme::Nested)).contains("power of two"));
    assert!(msg(ang2pix(4, &array![4.0], &t, Scheme::Ring)).contains("[0, pi]"));
    assert!(msg(ang2pix(4, &array![f64::NAN], &t, Scheme::Ring)).contains("[0, pi]"));
    assert!(msg(ang2pix(4, &t, &array![f64::INFINITY], Scheme::Nested)).contains("phi"));
    assert!(msg(ang2pix(4, &t, &array![1.0, 2.0], Scheme::Ring)).contains("shape mismatch"));
    assert!(msg(healpix_map(4, &t, &t, &array![1.0, 2.0], Scheme::Ring)).contains("shape mismatch"));
}

/// scikit-image issue 4940: `block_reduce(np.ones((5, 5)), (2, 2), np.mean)` pads the image
/// with zeros, so the edge blocks come out 0.5 and 0.25 instead of 1. ndkern reduces a
/// partial block over the elements it has.
#[test]
fn skimage_4940_partial_edge_blocks_are_not_biased() {
    let a = Array2::<f64>::ones((5, 5));
    let m = block_reduce(&a, &[2, 2], BlockFunc::Mean).unwrap();
    assert_eq!(m.shape(), &[3, 3]);
    assert!(m.iter().all(|&x| x == 1.0), "{m:?}");
    let f = block_reduce(
        &Array2::<u8>::from_elem((5, 5), 1),
        &[2, 2],
        BlockFunc::FractionNonzero,
    )
    .unwrap();
    assert!(f.iter().all(|&x| x == 1.0));
    let mn = block_reduce(
        &Array2::<f64>::from_elem((5, 5), 3.0),
        &[2, 2],
        BlockFunc::Min,
    )
    .unwrap();
    assert!(
        mn.iter().all(|&x| x == 3.0),
        "zero padding would give a min of 0"
    );
    let s = block_reduce(&a, &[2, 2], BlockFunc::Sum).unwrap();
    assert_eq!(
        s,
        array![[4.0, 4.0, 2.0], [4.0, 4.0, 2.0], [2.0, 2.0, 1.0]].into_dyn()
    );
}
