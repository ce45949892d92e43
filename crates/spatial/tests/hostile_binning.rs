//! Hostile inputs for every public binning function and type (issue 13): extreme sizes
//! (2^40 cells, `usize::MAX` bins and labels, nside 2^16, huge blocks), NaN/inf in data,
//! weights, edges and ranges, empty and 0-d inputs, size-0 axes, mismatched shapes, labels
//! out of range / negative / huge, huge and tiny magnitudes, transposed and negative-stride
//! views. Each case runs in a guarded child process (4 GiB address-space cap, 10 s) and
//! asserts an `Err` with a useful message or the numpy-equivalent value: from numpy/scipy
//! (numpy 2.4.6, scipy 1.17.1, values hard-coded with the call that produced them), from the
//! naive `binning::reference` oracle, or from an identity.

use ndarray::{array, s, Array1, Array2, Array3, ArrayD, ArrayView2, IxDyn};
use ndkern_core::testing::allclose;
use ndkern_core::testing::hostile::{ensure, err_contains, is_err, ok, Check, Suite};
use ndkern_spatial::binning::{reference, *};

/// An `Err` mentioning `needle` and not suggesting `Outside::Drop` (the functions checked
/// with it take no `Outside` argument).
fn err_no_drop<T>(r: ndkern_spatial::Result<T>, needle: &str) -> Check {
    err_contains_ok(&r, needle)?;
    let m = r.err().map(|e| e.to_string()).unwrap_or_default();
    ensure(
        !m.contains("Outside"),
        format!("message suggests Outside: {m}"),
    )
}

fn err_contains_ok<T>(r: &ndkern_spatial::Result<T>, needle: &str) -> Check {
    match r {
        Ok(_) => Err(format!("expected an Err mentioning {needle:?}, got Ok")),
        Err(e) => {
            let m = e.to_string();
            ensure(
                m.to_lowercase().contains(&needle.to_lowercase()),
                format!("Err {m:?} does not mention {needle:?}"),
            )
        }
    }
}

fn too_large<T>(r: ndkern_spatial::Result<T>) -> Check {
    match r {
        Err(ndkern_spatial::Error::TooLarge { .. }) => Ok(()),
        Err(e) => Err(format!("expected Error::TooLarge, got {e}")),
        Ok(_) => Err("expected Error::TooLarge, got Ok".into()),
    }
}

fn unit() -> AxisBins {
    AxisBins::uniform(0.0, 1.0, 4).unwrap()
}

fn grid2() -> Grid {
    Grid::uniform(&[(0.0, 1.0), (0.0, 1.0)], &[2, 2]).unwrap()
}

fn v(a: &ArrayD<f64>) -> Vec<f64> {
    a.iter().copied().collect()
}

/// The std (or another statistic) of `vals` all in one cell of a 1-cell grid.
fn one_cell(vals: &[f64], stat: Statistic) -> ndkern_spatial::Result<f64> {
    let n = vals.len();
    let pts = Array2::from_elem((n, 1), 0.5);
    let g = Grid::uniform(&[(0.0, 1.0)], &[1]).unwrap();
    let r = binned_statistic_dd(
        &pts,
        &Array1::from(vals.to_vec()),
        &g,
        stat,
        f64::NAN,
        Outside::Drop,
    )?;
    Ok(r[[0]])
}

fn axis_bins(s: &mut Suite) {
    s.case("uniform 0 bins", || {
        err_contains(AxisBins::uniform(0.0, 1.0, 0), "at least 1")
    });
    s.case("uniform usize::MAX bins", || {
        err_contains(AxisBins::uniform(0.0, 1.0, usize::MAX), "bins")
    });
    s.case("uniform 2^40 + 1 bins", || {
        err_contains(AxisBins::uniform(0.0, 1.0, MAX_CELLS + 1), "fewer bins")
    });
    s.case("uniform 2^40 bins is a valid axis", || {
        let b = ok(AxisBins::uniform(0.0, 1.0, MAX_CELLS))?;
        ensure(
            b.len() == MAX_CELLS && b.index(1.0) == Some(MAX_CELLS - 1),
            "last bin",
        )
    });
    s.case("uniform NaN lower bound", || {
        err_contains(AxisBins::uniform(f64::NAN, 1.0, 3), "finite")
    });
    s.case("uniform inf upper bound", || {
        err_contains(AxisBins::uniform(0.0, f64::INFINITY, 3), "finite")
    });
    s.case("uniform -inf lower bound", || {
        err_contains(AxisBins::uniform(f64::NEG_INFINITY, 0.0, 3), "finite")
    });
    s.case("uniform lo == hi", || {
        err_contains(AxisBins::uniform(1.0, 1.0, 3), "below the upper")
    });
    s.case("uniform lo > hi", || {
        err_contains(AxisBins::uniform(2.0, 1.0, 3), "below the upper")
    });
    // numpy: np.histogram(a, 4, range=(-1e308, 1e308)) raises "Too many bins for data range".
    s.case("uniform width overflows", || {
        err_contains(AxisBins::uniform(-1e308, 1e308, 4), "overflows")
    });
    s.case("uniform subnormal width: bin width underflows", || {
        err_contains(AxisBins::uniform(0.0, 1e-310, 4), "too narrow")
    });
    s.case("uniform one ulp of 0 wide", || {
        err_contains(AxisBins::uniform(0.0, 5e-324, 1), "too narrow")
    });
    s.case("uniform 2^40 bins over 1e-300", || {
        err_contains(AxisBins::uniform(0.0, 1e-300, MAX_CELLS), "too narrow")
    });
    s.case("from_step zero step", || {
        err_contains(AxisBins::from_step(0.0, 0.0, 3), "positive")
    });
    s.case("from_step NaN step", || {
        err_contains(AxisBins::from_step(0.0, f64::NAN, 3), "positive")
    });
    s.case("from_step inf step", || {
        err_contains(AxisBins::from_step(0.0, f64::INFINITY, 3), "positive")
    });
    s.case("from_step negative step", || {
        err_contains(AxisBins::from_step(0.0, -1.0, 3), "positive")
    });
    s.case("from_step usize::MAX bins", || {
        is_err(AxisBins::from_step(0.0, 1.0, usize::MAX))
    });
    s.case("from_step upper edge overflows", || {
        err_contains(AxisBins::from_step(1e308, 1e308, 2), "finite")
    });
    s.case("covering span of 1e600 steps", || {
        err_contains(AxisBins::covering(0.0, 1e300, 1e-300), "larger step")
    });
    s.case("covering with NaN max", || {
        err_contains(AxisBins::covering(0.0, f64::NAN, 0.1), "min <= max")
    });
    s.case("covering with inf max", || {
        err_contains(AxisBins::covering(0.0, f64::INFINITY, 0.1), "min <= max")
    });
    s.case("covering with subnormal step", || {
        is_err(AxisBins::covering(0.0, 1.0, 5e-324))
    });
    s.case("covering a single value", || {
        let b = ok(AxisBins::covering(5.0, 5.0, 0.1))?;
        ensure(b.len() == 1 && b.index(5.0) == Some(0), format!("{b:?}"))
    });
    s.case("edges empty", || {
        err_contains(AxisBins::edges(vec![]), "at least 2")
    });
    s.case("edges single", || {
        err_contains(AxisBins::edges(vec![1.0]), "at least 2")
    });
    s.case("edges NaN", || {
        err_contains(AxisBins::edges(vec![0.0, f64::NAN, 1.0]), "finite")
    });
    s.case("edges -inf", || {
        err_contains(AxisBins::edges(vec![f64::NEG_INFINITY, 0.0]), "finite")
    });
    s.case("edges decreasing", || {
        err_contains(AxisBins::edges(vec![0.0, 2.0, 1.0]), "monotonically")
    });
    s.case("edge past the end (edges)", || {
        let b = AxisBins::edges(vec![0.0, 1.0, 3.0]).unwrap();
        err_contains(b.edge(3), "edge 3")
    });
    s.case("edge usize::MAX (uniform)", || {
        err_contains(unit().edge(usize::MAX), "0..=4")
    });
    s.case("edge len is the upper bound", || {
        let b = AxisBins::edges(vec![0.0, 1.0, 3.0]).unwrap();
        ensure(
            ok(b.edge(2))? == 3.0 && ok(unit().edge(4))? == 1.0,
            "last edges",
        )
    });
    s.case("width of bin len", || err_contains(unit().width(4), "0..4"));
    s.case("width usize::MAX (no overflow)", || {
        err_contains(unit().width(usize::MAX), "does not exist")
    });
    s.case("width of a zero-width bin", || {
        let b = AxisBins::edges(vec![0.0, 1.0, 1.0, 10.0]).unwrap();
        ensure(ok(b.width(1))? == 0.0 && ok(b.width(2))? == 9.0, "widths")
    });
    s.case("index NaN, +-inf, 1e308", || {
        let b = unit();
        ensure(
            [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e308, -1e308]
                .iter()
                .all(|&x| b.index(x).is_none()),
            "all outside",
        )
    });
    s.case("index -0.0 and the closed last edge", || {
        let b = unit();
        ensure(
            b.index(-0.0) == Some(0)
                && b.index(1.0) == Some(3)
                && b.index(f64::from_bits(1.0f64.to_bits() + 1)).is_none(),
            "edges",
        )
    });
}

fn grids(s: &mut Suite) {
    s.case("grid with no axes", || {
        err_contains(Grid::new(vec![]), "at least one dimension")
    });
    s.case("grid of 2^41 cells", || {
        err_contains(
            Grid::uniform(&[(0.0, 1.0); 3], &[1 << 20, 1 << 20, 2]),
            "cells",
        )
    });
    s.case("grid of 2^80 cells (product overflows)", || {
        err_contains(
            Grid::uniform(&[(0.0, 1.0); 2], &[1 << 40, 1 << 40]),
            "cells",
        )
    });
    s.case("grid range/bins lengths differ", || {
        err_contains(Grid::uniform(&[(0.0, 1.0)], &[2, 2]), "shape mismatch")
    });
    s.case("covering with a NaN point", || {
        err_contains(
            Grid::covering(&array![[0.0, f64::NAN]], &[0.1, 0.1]),
            "non-finite",
        )
    });
    s.case("covering with an inf point", || {
        err_contains(
            Grid::covering(&array![[0.0], [f64::INFINITY]], &[0.1]),
            "non-finite",
        )
    });
    s.case("covering zero points", || {
        err_contains(
            Grid::covering(&Array2::<f64>::zeros((0, 2)), &[0.1, 0.1]),
            "zero points",
        )
    });
    s.case("covering zero coordinates", || {
        is_err(Grid::covering(&Array2::<f64>::zeros((3, 0)), &[]))
    });
    s.case("covering step count differs", || {
        err_contains(
            Grid::covering(&array![[0.0, 1.0]], &[0.1]),
            "shape mismatch",
        )
    });
    s.case("covering 1e-300 steps over 1e300", || {
        is_err(Grid::covering(&array![[0.0], [1e300]], &[1e-300]))
    });
    s.case("covering 3 axes of 2^20 bins: too many cells", || {
        let p = array![[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]];
        err_contains(Grid::covering(&p, &[1e-6, 1e-6, 1e-6]), "cells")
    });
    s.case("cell with too few coordinates", || {
        err_contains(grid2().cell(&[0.5]), "1 coordinate")
    });
    s.case("cell with no coordinates", || is_err(grid2().cell(&[])));
    s.case("cell with too many coordinates", || {
        is_err(grid2().cell(&[0.5, 0.5, 0.5]))
    });
    s.case("cell NaN / outside / corner", || {
        let g = grid2();
        ensure(
            ok(g.cell(&[f64::NAN, 0.5]))?.is_none()
                && ok(g.cell(&[0.5, 1.5]))?.is_none()
                && ok(g.cell(&[1.0, 1.0]))? == Some(3)
                && ok(g.cell(&[0.0, 0.5]))? == Some(1),
            "cells",
        )
    });
}

fn histograms(s: &mut Suite) {
    s.case("histogram of 2^40 bins on 3 values", || {
        let b = AxisBins::uniform(0.0, 1.0, MAX_CELLS).unwrap();
        too_large(histogram(&array![0.1, 0.5, 0.9], &b, false))
    });
    s.case("histogram of 2^30 bins: over the memory cap", || {
        let b = AxisBins::uniform(0.0, 1.0, 1 << 30).unwrap();
        too_large(histogram(&array![0.1], &b, false))
    });
    s.case("histogramdd of 2^40 cells", || {
        let g = Grid::uniform(&[(0.0, 1.0); 2], &[1 << 20, 1 << 20]).unwrap();
        too_large(histogramdd(&array![[0.5, 0.5]], &g, false))
    });
    s.case("histogramdd_weighted of 2^40 cells", || {
        let g = Grid::uniform(&[(0.0, 1.0); 2], &[1 << 20, 1 << 20]).unwrap();
        is_err(histogramdd_weighted(
            &array![[0.5, 0.5]],
            &array![1.0],
            &g,
            true,
        ))
    });
    s.case("histogram_into of 2^40 bins", || {
        let b = AxisBins::uniform(0.0, 1.0, MAX_CELLS).unwrap();
        is_err(histogram_into(
            &array![0.5],
            &b,
            false,
            &mut Array1::zeros(3),
        ))
    });
    // np.histogram([0.1, nan, 0.6, inf, -inf, 1.0], bins=4, range=(0, 1))[0] == [1, 0, 1, 1]
    s.case("histogram drops NaN and inf", || {
        let h = ok(histogram(
            &array![0.1, f64::NAN, 0.6, f64::INFINITY, f64::NEG_INFINITY, 1.0],
            &unit(),
            false,
        ))?;
        allclose(&h.to_vec(), &[1.0, 0.0, 1.0, 1.0], 0.0, 0.0)
    });
    // np.histogram([-1e308, 0, 8e307, 5e307, 1e308], bins=4, range=(-8e307, 8e307))[0]
    // == [0, 0, 1, 2]
    s.case("histogram near f64::MAX", || {
        let b = AxisBins::uniform(-8e307, 8e307, 4).unwrap();
        let h = ok(histogram(
            &array![-1e308, 0.0, 8e307, 5e307, 1e308],
            &b,
            false,
        ))?;
        allclose(&h.to_vec(), &[0.0, 0.0, 1.0, 2.0], 0.0, 0.0)
    });
    // np.histogram([1e-300, 2e-300, 3e-300, 4e-300], bins=3, range=(1e-300, 4e-300))[0]
    // == [1, 1, 2]
    s.case("histogram of tiny magnitudes", || {
        let b = AxisBins::uniform(1e-300, 4e-300, 3).unwrap();
        let h = ok(histogram(
            &array![1e-300, 2e-300, 3e-300, 4e-300],
            &b,
            false,
        ))?;
        allclose(&h.to_vec(), &[1.0, 1.0, 2.0], 0.0, 0.0)
    });
    s.case("histogram of an empty array", || {
        let h = ok(histogram(&Array1::<f64>::zeros(0), &unit(), false))?;
        allclose(&h.to_vec(), &[0.0; 4], 0.0, 0.0)
    });
    s.case("histogram of a size-0 axis", || {
        let h = ok(histogram(&Array2::<f32>::zeros((0, 7)), &unit(), false))?;
        allclose(&h.to_vec(), &[0.0; 4], 0.0, 0.0)
    });
    s.case("histogram of a 0-d array", || {
        let h = ok(histogram(&ndarray::arr0(0.3), &unit(), false))?;
        allclose(&h.to_vec(), &[0.0, 1.0, 0.0, 0.0], 0.0, 0.0)
    });
    // np.histogram([0.1, 0.2, 0.7], bins=2, range=(0, 1), density=True)[0] == [4/3, 2/3]
    s.case("histogram density", || {
        let b = AxisBins::uniform(0.0, 1.0, 2).unwrap();
        let h = ok(histogram(&array![0.1, 0.2, 0.7], &b, true))?;
        allclose(
            &h.to_vec(),
            &[1.3333333333333333, 0.6666666666666666],
            1e-15,
            0.0,
        )
    });
    // np.histogram([5.0], bins=2, range=(0, 1), density=True)[0] == [nan, nan]
    s.case("histogram density with nothing inside is NaN", || {
        let b = AxisBins::uniform(0.0, 1.0, 2).unwrap();
        let h = ok(histogram(&array![5.0], &b, true))?;
        allclose(&h.to_vec(), &[f64::NAN, f64::NAN], 0.0, 0.0)
    });
    // np.histogram([0.1, 0.2, 0.7], 2, (0, 1), weights=[1, nan, 2])[0] == [nan, 2]
    s.case("histogram weighted NaN stays in its bin", || {
        let b = AxisBins::uniform(0.0, 1.0, 2).unwrap();
        let h = ok(histogram_weighted(
            &array![0.1, 0.2, 0.7],
            &array![1.0, f64::NAN, 2.0],
            &b,
            false,
        ))?;
        allclose(&h.to_vec(), &[f64::NAN, 2.0], 0.0, 0.0)
    });
    // weights=[inf, -inf, 2] -> [nan, 2]
    s.case("histogram weighted inf - inf", || {
        let b = AxisBins::uniform(0.0, 1.0, 2).unwrap();
        let h = ok(histogram_weighted(
            &array![0.1, 0.2, 0.7],
            &array![f64::INFINITY, f64::NEG_INFINITY, 2.0],
            &b,
            false,
        ))?;
        allclose(&h.to_vec(), &[f64::NAN, 2.0], 0.0, 0.0)
    });
    // weights=[1e308, 1e308, 2] -> [inf, 2]
    s.case("histogram weighted sum overflows to inf", || {
        let b = AxisBins::uniform(0.0, 1.0, 2).unwrap();
        let h = ok(histogram_weighted(
            &array![0.1, 0.2, 0.7],
            &array![1e308, 1e308, 2.0],
            &b,
            false,
        ))?;
        allclose(&h.to_vec(), &[f64::INFINITY, 2.0], 0.0, 0.0)
    });
    s.case("histogram weighted f32 weights near f32::MAX", || {
        let b = AxisBins::uniform(0.0, 1.0, 1).unwrap();
        let h = ok(histogram_weighted(
            &array![0.1f32, 0.2],
            &array![3e38f32, 3e38],
            &b,
            false,
        ))?;
        // Accumulated in f64: 6e38 (numpy's float32 histogram would give inf).
        allclose(&h.to_vec(), &[2.0 * f64::from(3e38f32)], 1e-15, 0.0)
    });
    s.case("histogram weighted shape mismatch", || {
        err_contains(
            histogram_weighted(&array![[0.1, 0.2]], &array![[1.0], [2.0]], &unit(), false),
            "shape mismatch",
        )
    });
    // np.histogram([0, 1, 1, 2, 10, 11], bins=[0, 1, 1, 10])[0] == [1, 0, 4]
    s.case("histogram with a zero-width bin", || {
        let b = AxisBins::edges(vec![0.0, 1.0, 1.0, 10.0]).unwrap();
        let h = ok(histogram(
            &array![0.0, 1.0, 1.0, 2.0, 10.0, 11.0],
            &b,
            false,
        ))?;
        allclose(&h.to_vec(), &[1.0, 0.0, 4.0], 0.0, 0.0)
    });
    s.case("histogram of a transposed array", || {
        let a = Array2::from_shape_fn((3, 5), |(i, j)| (i * 5 + j) as f64 / 15.0);
        let h = ok(histogram(&a.t(), &unit(), false))?;
        let want = ok(histogram(&a, &unit(), false))?;
        allclose(&h.to_vec(), &want.to_vec(), 0.0, 0.0)
    });
    s.case("histogram of a negative-stride array", || {
        let a = Array1::from_shape_fn(11, |i| i as f64 / 10.0);
        let h = ok(histogram(&a.slice(s![..;-2]), &unit(), false))?;
        // 1.0, 0.8, 0.6, 0.4, 0.2, 0.0 -> [0.0, 0.2], [0.4], [0.6], [0.8, 1.0]
        allclose(&h.to_vec(), &[2.0, 1.0, 1.0, 2.0], 0.0, 0.0)
    });
    s.case("histogram_into wrong length", || {
        err_contains(
            histogram_into(&array![0.5], &unit(), false, &mut Array1::zeros(3)),
            "shape mismatch",
        )
    });
    s.case("histogram_into a strided output", || {
        let mut o = Array1::from_elem(8, -1.0);
        ok(histogram_into(
            &array![0.1, 0.9, 0.95],
            &unit(),
            false,
            &mut o.slice_mut(s![..;2]),
        ))?;
        allclose(
            &o.to_vec(),
            &[1.0, -1.0, 0.0, -1.0, 0.0, -1.0, 2.0, -1.0],
            0.0,
            0.0,
        )
    });
    // np.histogramdd([[.5, .5], [nan, .2], [1, 1], [0, .99]], bins=[2, 3],
    //     range=[(0, 1), (0, 1)])[0] == [[0, 0, 1], [0, 1, 1]]
    s.case("histogramdd with a NaN row", || {
        let g = Grid::uniform(&[(0.0, 1.0), (0.0, 1.0)], &[2, 3]).unwrap();
        let p = array![[0.5, 0.5], [f64::NAN, 0.2], [1.0, 1.0], [0.0, 0.99]];
        let h = ok(histogramdd(&p, &g, false))?;
        allclose(&v(&h), &[0.0, 0.0, 1.0, 0.0, 1.0, 1.0], 0.0, 0.0)
    });
    s.case("histogramdd points of the wrong width", || {
        err_contains(
            histogramdd(&array![[0.1], [0.2]], &grid2(), false),
            "(n, 2)",
        )
    });
    s.case("histogramdd weights of the wrong length", || {
        err_contains(
            histogramdd_weighted(&array![[0.1, 0.1]], &array![1.0, 2.0], &grid2(), false),
            "shape mismatch",
        )
    });
    s.case("histogramdd of zero points", || {
        let h = ok(histogramdd(&Array2::<f64>::zeros((0, 2)), &grid2(), false))?;
        allclose(&v(&h), &[0.0; 4], 0.0, 0.0)
    });
    s.case("histogramdd of transposed and reversed points", || {
        let p = Array2::from_shape_fn((2, 9), |(k, i)| ((i * 7 + k * 3) % 10) as f64 / 9.0);
        let pt = p.t(); // (9, 2), column-major
        let want = ok(histogramdd(&pt.to_owned(), &grid2(), false))?;
        let a = ok(histogramdd(&pt, &grid2(), false))?;
        let b = ok(histogramdd(&pt.slice(s![..;-1, ..]), &grid2(), false))?;
        allclose(&v(&a), &v(&want), 0.0, 0.0)?;
        allclose(&v(&b), &v(&want), 0.0, 0.0)
    });
    s.case("histogramdd 5-d on mixed edges vs reference", || {
        let axes = vec![
            AxisBins::uniform(0.0, 1.0, 2).unwrap(),
            AxisBins::edges(vec![0.0, 0.3, 0.31, 1.0]).unwrap(),
            AxisBins::uniform(0.0, 1.0, 1).unwrap(),
            AxisBins::uniform(0.0, 1.0, 3).unwrap(),
            AxisBins::edges(vec![0.0, 1.0]).unwrap(),
        ];
        let edges: Vec<Vec<f64>> = axes.iter().map(|a| a.edges_vec()).collect();
        let g = Grid::new(axes).unwrap();
        let p = Array2::from_shape_fn((40, 5), |(i, k)| ((i * 13 + k * 7) % 23) as f64 / 20.0);
        let rows: Vec<Vec<f64>> = p.rows().into_iter().map(|r| r.to_vec()).collect();
        let want: Vec<f64> = reference::cell_values(&edges, &rows, &vec![1.0; 40])
            .iter()
            .map(|c| c.len() as f64)
            .collect();
        allclose(&v(&ok(histogramdd(&p, &g, false))?), &want, 0.0, 0.0)
    });
    // np.digitize([nan, -inf, inf, 1, 2.5], [0, 1, 2, 3]) == [4, 0, 4, 2, 3]
    s.case("digitize NaN and inf", || {
        let d = ok(digitize(
            &array![f64::NAN, f64::NEG_INFINITY, f64::INFINITY, 1.0, 2.5],
            &[0.0, 1.0, 2.0, 3.0],
            false,
        ))?;
        ensure(d.to_vec() == vec![4, 0, 4, 2, 3], format!("{d:?}"))
    });
    // np.digitize([nan, -inf, inf, 1, 2.5], [3, 2, 1, 0]) == [0, 4, 0, 2, 1]
    s.case("digitize decreasing bins with NaN and inf", || {
        let d = ok(digitize(
            &array![f64::NAN, f64::NEG_INFINITY, f64::INFINITY, 1.0, 2.5],
            &[3.0, 2.0, 1.0, 0.0],
            false,
        ))?;
        ensure(d.to_vec() == vec![0, 4, 0, 2, 1], format!("{d:?}"))
    });
    // np.digitize([nan, 1, 2], [0, 1, 2], right=True) == [3, 1, 2]
    s.case("digitize right", || {
        let d = ok(digitize(
            &array![f64::NAN, 1.0, 2.0],
            &[0.0, 1.0, 2.0],
            true,
        ))?;
        ensure(d.to_vec() == vec![3, 1, 2], format!("{d:?}"))
    });
    // np.digitize([inf, -inf, 0], [-inf, 0, inf]) == [3, 1, 2]
    s.case("digitize infinite edges", || {
        let d = ok(digitize(
            &array![f64::INFINITY, f64::NEG_INFINITY, 0.0],
            &[f64::NEG_INFINITY, 0.0, f64::INFINITY],
            false,
        ))?;
        ensure(d.to_vec() == vec![3, 1, 2], format!("{d:?}"))
    });
    s.case("digitize no edges", || {
        err_contains(digitize(&array![1.0], &[], false), "at least one")
    });
    s.case("digitize NaN edge", || {
        err_contains(digitize(&array![1.0], &[0.0, f64::NAN], false), "NaN")
    });
    s.case("digitize non-monotonic edges", || {
        err_contains(digitize(&array![1.0], &[0.0, 2.0, 1.0], false), "monoton")
    });
    s.case("digitize empty and 0-d input", || {
        let e = ok(digitize(&Array1::<f32>::zeros(0), &[0.0, 1.0], false))?;
        let z = ok(digitize(&ndarray::arr0(0.5f32), &[0.0, 1.0], false))?;
        ensure(e.is_empty() && z[()] == 1, format!("{e:?} {z:?}"))
    });
    s.case("digitize transposed input keeps positions", || {
        let a = array![[0.5, 1.5], [2.5, 3.5]];
        let d = ok(digitize(&a.t(), &[0.0, 1.0, 2.0, 3.0], false))?;
        ensure(d == array![[1, 3], [2, 4]], format!("{d:?}"))
    });
}

fn statistics(s: &mut Suite) {
    // scipy.stats.binned_statistic_dd([[.1], [.2], [.7]], [1, nan, 5], 'std', bins=[2],
    //     range=[(0, 1)]).statistic == [nan, 0]
    s.case("binned std of a cell holding NaN is NaN", || {
        let g = Grid::uniform(&[(0.0, 1.0)], &[2]).unwrap();
        let r = ok(binned_statistic_dd(
            &array![[0.1], [0.2], [0.7]],
            &array![1.0, f64::NAN, 5.0],
            &g,
            Statistic::Std,
            f64::NAN,
            Outside::Drop,
        ))?;
        allclose(&v(&r), &[f64::NAN, 0.0], 0.0, 0.0)
    });
    // ... values [1, inf, 5] -> [nan, 0]
    s.case("binned std of a cell holding inf is NaN", || {
        let g = Grid::uniform(&[(0.0, 1.0)], &[2]).unwrap();
        let r = ok(binned_statistic_dd(
            &array![[0.1], [0.2], [0.7]],
            &array![1.0, f64::INFINITY, 5.0],
            &g,
            Statistic::Std,
            f64::NAN,
            Outside::Drop,
        ))?;
        allclose(&v(&r), &[f64::NAN, 0.0], 0.0, 0.0)
    });
    s.case("binned std of a lone inf is NaN", || {
        let r = ok(one_cell(&[f64::NEG_INFINITY], Statistic::Std))?;
        ensure(r.is_nan(), format!("{r}"))
    });
    s.case("cell_stats var of a cell holding NaN is NaN", || {
        let g = Grid::uniform(&[(0.0, 1.0)], &[2]).unwrap();
        let st = ok(cell_stats(
            &array![[0.1], [0.2], [0.7], [0.8]],
            &array![f64::NAN, 1.0, 2.0, 4.0],
            &g,
            Outside::Drop,
        ))?;
        allclose(&v(&st.var(-1.0)), &[f64::NAN, 1.0], 0.0, 0.0)
    });
    // np.std([1.3e154] + [-1e153] * 10) == 4.024717022032482e+153 (scipy's binned std too)
    s.case("binned std of an outlier near sqrt(f64::MAX)", || {
        let mut vals = vec![1.3e154];
        vals.extend([-1e153; 10]);
        let r = ok(one_cell(&vals, Statistic::Std))?;
        allclose(&[r], &[4.024717022032482e153], 1e-13, 0.0)
    });
    // Identity: the population std of {a, -a} is a. numpy overflows in (x - mean)**2 and
    // returns inf; the scaled two-pass gives the finite answer.
    s.case("binned std of +-1e308 is 1e308", || {
        let r = ok(one_cell(&[1e308, -1e308], Statistic::Std))?;
        allclose(&[r], &[1e308], 1e-15, 0.0)
    });
    s.case("binned std of +-1.5e308 repeated", || {
        let r = ok(one_cell(
            &[-1.5e308, 1.5e308, 1.5e308, -1.5e308],
            Statistic::Std,
        ))?;
        allclose(&[r], &[1.5e308], 1e-15, 0.0)
    });
    // Identity: std of {1e200, 3e200} is 1e200 (numpy: inf, from squaring 1e200).
    s.case("binned std of 1e200 and 3e200", || {
        let r = ok(one_cell(&[1e200, 3e200], Statistic::Std))?;
        allclose(&[r], &[1e200], 1e-15, 0.0)
    });
    s.case("cell_stats var of 1e200 and 3e200 overflows to inf", || {
        let g = Grid::uniform(&[(0.0, 1.0)], &[1]).unwrap();
        let st = ok(cell_stats(
            &array![[0.1], [0.2]],
            &array![1e200, 3e200],
            &g,
            Outside::Drop,
        ))?;
        let (var, std) = (st.var(0.0)[[0]], st.std(0.0)[[0]]);
        ensure(
            var == f64::INFINITY && (std - 1e200).abs() < 1e185,
            format!("var {var}, std {std}"),
        )
    });
    s.case("binned std of a constant 1e308 cell is 0", || {
        let r = ok(one_cell(&[1e308, 1e308, 1e308], Statistic::Std))?;
        allclose(&[r], &[0.0], 0.0, 0.0)
    });
    s.case("binned std of tiny magnitudes", || {
        // np.std([1e-300, 3e-300]) == 0.0: the squared deviations underflow (numpy and here).
        let r = ok(one_cell(&[1e-300, 3e-300], Statistic::Std))?;
        allclose(&[r], &[0.0], 0.0, 0.0)
    });
    s.case("binned std of subnormals", || {
        let r = ok(one_cell(&[5e-324, 5e-324], Statistic::Std))?;
        allclose(&[r], &[0.0], 0.0, 0.0)
    });
    s.case(
        "binned std with an overflowing cell next to a finite one",
        || {
            let g = Grid::uniform(&[(0.0, 1.0)], &[2]).unwrap();
            let r = ok(binned_statistic_dd(
                &array![[0.1], [0.7], [0.2], [0.8]],
                &array![1e308, 1.0, -1e308, 3.0],
                &g,
                Statistic::Std,
                f64::NAN,
                Outside::Drop,
            ))?;
            allclose(&v(&r), &[1e308, 1.0], 1e-15, 0.0)
        },
    );
    // scipy binned_statistic_dd(..., [1e308, 1e308], 'mean') == [inf] (the sum overflows)
    s.case("binned mean of 1e308 twice is inf as scipy", || {
        let r = ok(one_cell(&[1e308, 1e308], Statistic::Mean))?;
        allclose(&[r], &[f64::INFINITY], 0.0, 0.0)
    });
    s.case("binned min/max keep NaN", || {
        let a = ok(one_cell(&[1.0, f64::NAN, -3.0], Statistic::Min))?;
        let b = ok(one_cell(&[1.0, f64::NAN, -3.0], Statistic::Max))?;
        ensure(a.is_nan() && b.is_nan(), format!("{a} {b}"))
    });
    s.case("binned min/max of +-inf", || {
        let a = ok(one_cell(&[1.0, f64::INFINITY, -1e308], Statistic::Min))?;
        let b = ok(one_cell(&[1.0, f64::INFINITY, -1e308], Statistic::Max))?;
        allclose(&[a, b], &[-1e308, f64::INFINITY], 0.0, 0.0)
    });
    s.case("binned first/last", || {
        let a = ok(one_cell(&[f64::NAN, 2.0, 7.0], Statistic::First))?;
        let b = ok(one_cell(&[f64::NAN, 2.0, 7.0], Statistic::Last))?;
        ensure(a.is_nan() && b == 7.0, format!("{a} {b}"))
    });
    s.case(
        "binned statistic: NaN coordinate under Outside::Error",
        || {
            let g = Grid::uniform(&[(0.0, 1.0)], &[2]).unwrap();
            let r = binned_statistic_dd(
                &array![[0.1], [f64::NAN]],
                &array![1.0, 2.0],
                &g,
                Statistic::Std,
                f64::NAN,
                Outside::Error,
            );
            err_contains_ok(&r, "point 1")?;
            err_contains(r, "Outside::Drop")
        },
    );
    s.case("binned statistic: values of the wrong length", || {
        err_contains(
            binned_statistic_dd(
                &array![[0.1, 0.1]],
                &array![1.0, 2.0],
                &grid2(),
                Statistic::Mean,
                f64::NAN,
                Outside::Drop,
            ),
            "shape mismatch",
        )
    });
    for stat in [
        Statistic::Mean,
        Statistic::Std,
        Statistic::Min,
        Statistic::First,
    ] {
        s.case(format!("binned {stat:?} on 2^40 cells"), move || {
            let g = Grid::uniform(&[(0.0, 1.0); 2], &[1 << 20, 1 << 20]).unwrap();
            too_large(binned_statistic_dd(
                &array![[0.5, 0.5]],
                &array![1.0],
                &g,
                stat,
                f64::NAN,
                Outside::Drop,
            ))
        });
    }
    s.case("cell_stats on 2^40 cells", || {
        let g = Grid::uniform(&[(0.0, 1.0); 2], &[1 << 20, 1 << 20]).unwrap();
        too_large(cell_stats(
            &array![[0.5, 0.5]],
            &array![1.0],
            &g,
            Outside::Drop,
        ))
    });
    s.case("binned statistic of zero points", || {
        let g = Grid::uniform(&[(0.0, 1.0)], &[3]).unwrap();
        let p = Array2::<f64>::zeros((0, 1));
        let e = Array1::<f64>::zeros(0);
        let m = ok(binned_statistic_dd(
            &p,
            &e,
            &g,
            Statistic::Std,
            -7.0,
            Outside::Drop,
        ))?;
        let c = ok(binned_statistic_dd(
            &p,
            &e,
            &g,
            Statistic::Count,
            -7.0,
            Outside::Drop,
        ))?;
        allclose(&v(&m), &[-7.0; 3], 0.0, 0.0)?;
        allclose(&v(&c), &[0.0; 3], 0.0, 0.0)
    });
    s.case("binned_statistic_dd_into wrong shape", || {
        err_contains(
            binned_statistic_dd_into(
                &array![[0.1, 0.1]],
                &array![1.0],
                &grid2(),
                Statistic::Sum,
                0.0,
                Outside::Drop,
                &mut Array2::zeros((2, 3)),
            ),
            "shape mismatch",
        )
    });
    s.case("binned_statistic_dd_into a transposed output", || {
        let mut o = Array2::from_elem((2, 2), -1.0);
        ok(binned_statistic_dd_into(
            &array![[0.1, 0.9], [0.2, 0.8]],
            &array![1.0, 3.0],
            &grid2(),
            Statistic::Mean,
            0.0,
            Outside::Drop,
            &mut o.view_mut().reversed_axes(),
        ))?;
        // Cell (0, 1) of the result is o[1, 0].
        allclose(
            &o.iter().copied().collect::<Vec<_>>(),
            &[0.0, 0.0, 2.0, 0.0],
            0.0,
            0.0,
        )
    });
    s.case("binned std f32 values near f32::MAX", || {
        let g = Grid::uniform(&[(0.0, 1.0)], &[1]).unwrap();
        let r = ok(binned_statistic_dd(
            &array![[0.1f32], [0.2]],
            &array![3e38f32, -3e38],
            &g,
            Statistic::Std,
            f64::NAN,
            Outside::Drop,
        ))?;
        allclose(&v(&r), &[f64::from(3e38f32)], 1e-15, 0.0)
    });
    s.case(
        "binned statistics of transposed points vs reference",
        || {
            let g = Grid::uniform(&[(0.0, 1.0), (0.0, 1.0)], &[3, 2]).unwrap();
            let p = Array2::from_shape_fn((2, 30), |(k, i)| ((i * 11 + k * 5) % 13) as f64 / 12.0);
            let pt = p.t();
            let vals = Array1::from_shape_fn(30, |i| (i as f64 - 10.0) * 1e150);
            let edges: Vec<Vec<f64>> = g.axes().iter().map(|a| a.edges_vec()).collect();
            let rows: Vec<Vec<f64>> = pt.rows().into_iter().map(|r| r.to_vec()).collect();
            let cells = reference::cell_values(&edges, &rows, &vals.to_vec());
            for (stat, name) in [
                (Statistic::Std, "std"),
                (Statistic::Mean, "mean"),
                (Statistic::Max, "max"),
            ] {
                let r = ok(binned_statistic_dd(
                    &pt,
                    &vals,
                    &g,
                    stat,
                    f64::NAN,
                    Outside::Drop,
                ))?;
                let want: Vec<f64> = cells
                    .iter()
                    .map(|c| reference::statistic(c, name, f64::NAN))
                    .collect();
                allclose(&v(&r), &want, 1e-12, 0.0)?;
            }
            Ok(())
        },
    );
    s.case("statistic name unknown", || {
        err_contains("median".parse::<Statistic>(), "unknown statistic")
    });
}

fn counts(s: &mut Suite) {
    s.case("bincount negative value", || {
        err_no_drop(bincount(&array![0i32, -1, 2], 0), "label 1")
    });
    s.case("bincount i64::MIN", || {
        err_no_drop(bincount(&array![i64::MIN], 0), "non-negative")
    });
    s.case("bincount u64::MAX", || {
        err_no_drop(bincount(&array![u64::MAX], 0), "labels must be in")
    });
    s.case("bincount value 2^40", || {
        err_no_drop(bincount(&array![1u64 << 40], 0), "label 0")
    });
    s.case("bincount value 2^39: table over the cap", || {
        too_large(bincount(&array![1usize << 39], 0))
    });
    s.case("bincount minlength usize::MAX", || {
        too_large(bincount(&array![1u8], usize::MAX))
    });
    s.case("bincount minlength 2^40", || {
        too_large(bincount(&array![1u8], 1 << 40))
    });
    s.case("bincount_weighted minlength usize::MAX", || {
        too_large(bincount_weighted(&array![1u8], &array![1.0], usize::MAX))
    });
    s.case("bincount_weighted negative", || {
        err_no_drop(bincount_weighted(&array![-3i8], &array![1.0], 0), "label 0")
    });
    // np.bincount([0, 3, 3], minlength=2) == [1, 0, 0, 2]
    s.case("bincount with a small minlength", || {
        let c = ok(bincount(&array![0u16, 3, 3], 2))?;
        ensure(c.to_vec() == vec![1, 0, 0, 2], format!("{c:?}"))
    });
    // np.bincount(np.array([], int), minlength=3) == [0, 0, 0]
    s.case("bincount of nothing with minlength", || {
        let c = ok(bincount(&Array1::<i32>::zeros(0), 3))?;
        let e = ok(bincount(&Array1::<i32>::zeros(0), 0))?;
        ensure(
            c.to_vec() == vec![0, 0, 0] && e.is_empty(),
            format!("{c:?} {e:?}"),
        )
    });
    s.case("bincount of a reversed view", || {
        let x = array![0usize, 1, 1, 4, 4, 4];
        let c = ok(bincount(&x.slice(s![..;-1]), 0))?;
        ensure(c.to_vec() == vec![1, 2, 0, 0, 3], format!("{c:?}"))
    });
    // np.bincount([1, 1, 2], weights=[nan, 1, inf]) == [0, nan, inf]
    s.case("bincount_weighted NaN and inf", || {
        let c = ok(bincount_weighted(
            &array![1u8, 1, 2],
            &array![f64::NAN, 1.0, f64::INFINITY],
            0,
        ))?;
        allclose(&c.to_vec(), &[0.0, f64::NAN, f64::INFINITY], 0.0, 0.0)
    });
    // np.bincount([0, 0], weights=[1e308, 1e308]) == [inf]
    s.case("bincount_weighted overflow is inf", || {
        let c = ok(bincount_weighted(&array![0u8, 0], &array![1e308, 1e308], 0))?;
        allclose(&c.to_vec(), &[f64::INFINITY], 0.0, 0.0)
    });
    s.case("bincount_weighted length mismatch", || {
        err_contains(
            bincount_weighted(&array![0u8, 1], &array![1.0f64], 0),
            "shape mismatch",
        )
    });
    s.case("bincount_into a value past out", || {
        let mut o = Array1::<usize>::zeros(3);
        let r = bincount_into(&array![0u8, 5], &mut o);
        err_no_drop(r, "longer `out`")?;
        ensure(o.iter().all(|&c| c == 0), "nothing written")
    });
    s.case("bincount_into an empty out", || {
        err_no_drop(
            bincount_into(&array![0u8], &mut Array1::<usize>::zeros(0)),
            "index 0",
        )
    });
    s.case("bincount_into negative", || {
        err_no_drop(
            bincount_into(&array![-1i16], &mut Array1::<usize>::zeros(4)),
            "-1",
        )
    });
    s.case("bincount_weighted_into a value past out", || {
        let mut o = Array1::<f64>::zeros(2);
        err_no_drop(
            bincount_weighted_into(&array![0u32, 2], &array![1.0f32, 2.0], &mut o),
            "longer `out`",
        )
    });
    s.case("bincount_weighted_into length mismatch", || {
        is_err(bincount_weighted_into(
            &array![0u32, 1],
            &array![1.0],
            &mut Array1::<f64>::zeros(2),
        ))
    });
    s.case("bincount_into a strided out", || {
        let mut o = Array1::<usize>::from_elem(6, 9);
        ok(bincount_into(
            &array![0u8, 2, 2],
            &mut o.slice_mut(s![..;2]),
        ))?;
        ensure(o.to_vec() == vec![1, 9, 0, 9, 2, 9], format!("{o:?}"))
    });
    // t = np.zeros((2, 3)); np.add.at(t, ([0, 1, 0], [2, 0, 2]), [1, 2, 3])
    // -> [[0, 0, 4], [2, 0, 0]]
    s.case("scatter_add 2-d", || {
        let mut t = Array2::<f64>::zeros((2, 3));
        ok(scatter_add(
            &mut t,
            &array![[0usize, 2], [1, 0], [0, 2]],
            &array![1.0, 2.0, 3.0],
        ))?;
        allclose(
            &t.iter().copied().collect::<Vec<_>>(),
            &[0.0, 0.0, 4.0, 2.0, 0.0, 0.0],
            0.0,
            0.0,
        )
    });
    s.case("scatter_add out of range on axis 1 writes nothing", || {
        let mut t = Array2::<f64>::zeros((2, 2));
        let r = scatter_add(&mut t, &array![[0i8, 1], [1, 2]], &array![1.0, 1.0]);
        err_no_drop(r, "axis 1")?;
        ensure(t.iter().all(|&x| x == 0.0), "nothing written")
    });
    s.case("scatter_add negative index", || {
        let mut t = Array2::<f64>::zeros((2, 2));
        err_no_drop(
            scatter_add(&mut t, &array![[-1i64, 0]], &array![1.0]),
            "not wrapped",
        )
    });
    s.case("scatter_add index rows of the wrong width", || {
        let mut t = Array2::<f64>::zeros((2, 2));
        err_contains(
            scatter_add(&mut t, &array![[0usize, 0, 0]], &array![1.0]),
            "(n, 2)",
        )
    });
    s.case("scatter_add values of the wrong length", || {
        let mut t = Array2::<f64>::zeros((2, 2));
        err_contains(
            scatter_add(&mut t, &array![[0usize, 0]], &array![1.0, 2.0]),
            "shape mismatch",
        )
    });
    s.case("scatter_add into a transposed target", || {
        let mut t = Array2::<f64>::zeros((3, 2));
        {
            let mut tt = t.view_mut().reversed_axes(); // (2, 3)
            ok(scatter_add(
                &mut tt,
                &array![[1usize, 2], [0, 1]],
                &array![5.0, 7.0],
            ))?;
        }
        // tt[1, 2] is t[2, 1]; tt[0, 1] is t[1, 0].
        allclose(
            &t.iter().copied().collect::<Vec<_>>(),
            &[0.0, 0.0, 7.0, 0.0, 0.0, 5.0],
            0.0,
            0.0,
        )
    });
    // t = np.zeros(3, np.float32); np.add.at(t, [0, 0], np.float32([3e38, 3e38])) -> [inf, 0, 0]
    s.case("scatter_add f32 overflow is inf", || {
        let mut t = Array1::<f32>::zeros(3);
        ok(scatter_add_1d(
            &mut t,
            &array![0u8, 0],
            &array![3e38f32, 3e38],
        ))?;
        ensure(
            t.to_vec() == vec![f32::INFINITY, 0.0, 0.0],
            format!("{t:?}"),
        )
    });
    s.case("scatter_add NaN stays in its cell", || {
        let mut t = Array1::<f64>::zeros(3);
        ok(scatter_add_1d(
            &mut t,
            &array![1u8, 2],
            &array![f64::NAN, 2.0],
        ))?;
        allclose(&t.to_vec(), &[0.0, f64::NAN, 2.0], 0.0, 0.0)
    });
    s.case("scatter_add of no points", || {
        let mut t = Array2::<f64>::ones((2, 2));
        ok(scatter_add(
            &mut t,
            &Array2::<usize>::zeros((0, 2)),
            &Array1::zeros(0),
        ))?;
        ensure(t.iter().all(|&x| x == 1.0), "unchanged")
    });
    s.case("scatter_add into a size-0 axis", || {
        let mut t = Array2::<f64>::zeros((3, 0));
        err_no_drop(
            scatter_add(&mut t, &array![[0usize, 0]], &array![1.0]),
            "0..0",
        )
    });
    s.case("scatter_add_1d i64::MIN", || {
        let mut t = Array1::<f64>::zeros(3);
        err_no_drop(
            scatter_add_1d(&mut t, &array![i64::MIN], &array![1.0]),
            "index 0",
        )
    });
    s.case("scatter_add_1d u64::MAX", || {
        let mut t = Array1::<f64>::zeros(3);
        err_no_drop(
            scatter_add_1d(&mut t, &array![1u64, u64::MAX], &array![1.0, 1.0]),
            "index 1",
        )
    });
    s.case("scatter_add_1d into an empty target", || {
        let mut t = Array1::<f64>::zeros(0);
        err_no_drop(
            scatter_add_1d(&mut t, &array![0usize], &array![1.0]),
            "0..0",
        )
    });
    s.case("scatter_add_1d with a reversed index view", || {
        let mut t = Array1::<f64>::zeros(4);
        let idx = array![0usize, 1, 3];
        ok(scatter_add_1d(
            &mut t,
            &idx.slice(s![..;-1]),
            &array![1.0, 2.0, 4.0],
        ))?;
        allclose(&t.to_vec(), &[4.0, 2.0, 0.0, 1.0], 0.0, 0.0)
    });
    s.case("scatter_add_1d long input vs reference bincount", || {
        let n = 50_000;
        let idx = Array1::from_shape_fn(n, |i| (i * 7919) % 97);
        let w = Array1::from_shape_fn(n, |i| (i % 13) as f64 - 6.0);
        let mut t = Array1::<f64>::zeros(97);
        ok(scatter_add_1d(&mut t, &idx, &w))?;
        let want = reference::bincount(&idx.to_vec(), Some(&w.to_vec()), 97);
        allclose(&t.to_vec(), &want, 1e-12, 0.0)
    });
}

fn labels(s: &mut Suite) {
    // scipy.ndimage.mean([1, 2, 4, 8], labels=[0, 1, 1, 3], index=[0, 1, 2, 3])
    // == [1, 3, nan, 8]
    s.case("label_stats means as scipy.ndimage.mean", || {
        let st = ok(label_stats(
            &array![0u8, 1, 1, 3],
            &array![1.0, 2.0, 4.0, 8.0],
            None,
        ))?;
        allclose(
            &st.mean().column(0).to_vec(),
            &[1.0, 3.0, f64::NAN, 8.0],
            0.0,
            0.0,
        )
    });
    s.case("label_stats negative label", || {
        err_no_drop(
            label_stats(&array![0i32, -5], &array![1.0, 2.0], None),
            "label 1",
        )
    });
    s.case("label_stats label >= nlabels", || {
        err_no_drop(
            label_stats(&array![0u8, 5], &array![1.0, 2.0], Some(3)),
            "raise nlabels",
        )
    });
    s.case("label_stats nlabels usize::MAX", || {
        too_large(label_stats(&array![0u8], &array![1.0], Some(usize::MAX)))
    });
    s.case("label_stats nlabels 2^40", || {
        too_large(label_stats(&array![0u8], &array![1.0], Some(1 << 40)))
    });
    s.case("label_stats label 2^39 without nlabels", || {
        too_large(label_stats(&array![1u64 << 39], &array![1.0], None))
    });
    s.case("label_stats label u64::MAX", || {
        err_no_drop(
            label_stats(&array![u64::MAX], &array![1.0], None),
            "labels must be in",
        )
    });
    s.case("label_stats shape mismatch", || {
        err_contains(
            label_stats(&array![0u8, 1], &array![1.0, 2.0, 3.0], None),
            "shape mismatch",
        )
    });
    s.case("label_stats 2^40 channels over no pixels", || {
        let lab = Array1::<u8>::zeros(0);
        let vals = ArrayView2::<f64>::from_shape((0, 1 << 40), &[]).unwrap();
        too_large(label_stats(&lab, &vals, Some(1 << 20)))
    });
    s.case("label_stats with zero channels", || {
        let st = ok(label_stats(
            &array![0u8, 2, 2],
            &Array2::<f64>::zeros((3, 0)),
            None,
        ))?;
        ensure(
            st.count.to_vec() == vec![1, 0, 2] && st.sum.dim() == (3, 0),
            format!("{st:?}"),
        )
    });
    s.case("label_stats of nothing", || {
        let st = ok(label_stats(
            &Array1::<u8>::zeros(0),
            &Array1::<f64>::zeros(0),
            None,
        ))?;
        ensure(
            st.count.is_empty() && st.sum.dim() == (0, 1),
            format!("{st:?}"),
        )
    });
    s.case("label_stats NaN stays in its label", || {
        let st = ok(label_stats(
            &array![0u8, 1, 1],
            &array![1.0, f64::NAN, 2.0],
            None,
        ))?;
        allclose(&st.mean().column(0).to_vec(), &[1.0, f64::NAN], 0.0, 0.0)
    });
    s.case("label_stats of transposed labels and values", || {
        let lab = array![[0u8, 1, 2], [2, 1, 0]];
        let img = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
        let a = ok(label_stats(&lab.t(), &img.t(), None))?;
        let b = ok(label_stats(&lab, &img, None))?;
        ensure(a == b, format!("{a:?} vs {b:?}"))
    });
    s.case("label_stats u8 image sums do not wrap", || {
        let st = ok(label_stats(
            &array![0u8, 0, 0],
            &array![255u8, 255, 255],
            None,
        ))?;
        allclose(&st.sum.column(0).to_vec(), &[765.0], 0.0, 0.0)
    });
    s.case("label_stats 6 channels vs reference", || {
        let lab = Array1::from_shape_fn(40, |i| (i * 7) % 5);
        let img = Array2::from_shape_fn((40, 6), |(i, c)| (i * 6 + c) as f64);
        let st = ok(label_stats(&lab, &img, None))?;
        for c in 0..6 {
            let col: Vec<f64> = img.column(c).to_vec();
            let want = reference::bincount(&lab.to_vec(), Some(&col), 5);
            allclose(&st.sum.column(c).to_vec(), &want, 0.0, 0.0)?;
        }
        Ok(())
    });
    s.case("gather a label past the table", || {
        err_no_drop(
            gather(&array![[1.0], [2.0]], &array![0u8, 2]),
            "row for every label",
        )
    });
    s.case("gather a negative label", || {
        err_no_drop(gather(&array![[1.0], [2.0]], &array![-1i32]), "label 0")
    });
    s.case("gather u64::MAX", || {
        err_no_drop(gather(&array![[1.0], [2.0]], &array![u64::MAX]), "label 0")
    });
    s.case("gather from an empty table", || {
        is_err(gather(&Array2::<f64>::zeros((0, 3)), &array![0u8]))
    });
    s.case("gather 2^62 columns (no abort)", || {
        let t = ArrayView2::<f64>::from_shape((0, 1 << 62), &[]).unwrap();
        is_err(gather(&t, &array![0u8, 0]))
    });
    s.case("gather of no labels", || {
        let o = ok(gather(&array![[1.0, 2.0]], &Array2::<u8>::zeros((0, 4))))?;
        ensure(o.shape() == [0, 4, 2], format!("{:?}", o.shape()))
    });
    s.case("gather with 0-d labels", || {
        let o = ok(gather(&array![[1.0, 2.0], [3.0, 4.0]], &ndarray::arr0(1u8)))?;
        ensure(
            o.shape() == [2] && o.iter().copied().eq([3.0, 4.0]),
            format!("{o:?}"),
        )
    });
    s.case("gather_into wrong shape", || {
        err_contains(
            gather_into(&array![[1.0]], &array![0u8, 0], &mut Array2::zeros((3, 1))),
            "shape mismatch",
        )
    });
    s.case("gather_into a label past the table writes nothing", || {
        let mut o = Array2::from_elem((2, 1), -1.0);
        err_no_drop(
            gather_into(&array![[1.0]], &array![0u8, 1], &mut o),
            "row for every label",
        )?;
        ensure(o.iter().all(|&x| x == -1.0), "nothing written")
    });
    s.case("gather_into a transposed output", || {
        let mut o = Array2::<f64>::zeros((2, 3));
        ok(gather_into(
            &array![[1.0, 2.0], [3.0, 4.0]],
            &array![1u8, 0, 1],
            &mut o.view_mut().reversed_axes(),
        ))?;
        allclose(
            &o.iter().copied().collect::<Vec<_>>(),
            &[3.0, 1.0, 3.0, 4.0, 2.0, 4.0],
            0.0,
            0.0,
        )
    });
}

fn masks(s: &mut Suite) {
    // a = np.arange(12.).reshape(3, 4).T; m = (np.arange(12).reshape(3, 4).T % 3) != 0
    // a[m] == [4, 8, 1, 5, 2, 10, 7, 11]
    s.case("masked_select of a transposed array is in C order", || {
        let a = Array2::from_shape_fn((3, 4), |(i, j)| (i * 4 + j) as f64);
        let m = Array2::from_shape_fn((3, 4), |(i, j)| (i * 4 + j) % 3 != 0);
        let r = ok(masked_select(&a.t(), &m.t()))?;
        allclose(
            &r.to_vec(),
            &[4.0, 8.0, 1.0, 5.0, 2.0, 10.0, 7.0, 11.0],
            0.0,
            0.0,
        )
    });
    // a3 = np.arange(24.).reshape(2, 3, 4).transpose(2, 0, 1); a3[(a3 % 5) < 2]
    // == [0, 16, 20, 1, 5, 21, 6, 10, 11, 15]
    s.case("masked_select of a permuted 3-d array", || {
        let a = Array3::from_shape_fn((2, 3, 4), |(i, j, k)| (i * 12 + j * 4 + k) as f64);
        let p = a.view().permuted_axes([2, 0, 1]);
        let m = p.mapv(|x| (x as usize) % 5 < 2);
        let r = ok(masked_select(&p, &m))?;
        allclose(
            &r.to_vec(),
            &[0.0, 16.0, 20.0, 1.0, 5.0, 21.0, 6.0, 10.0, 11.0, 15.0],
            0.0,
            0.0,
        )
    });
    s.case("masked_select with a transposed mask only", || {
        let a = array![[1, 2], [3, 4]];
        let m = array![[true, false], [true, false]]; // m.t() = [[t, t], [f, f]]
        let r = ok(masked_select(&a, &m.t()))?;
        ensure(r.to_vec() == vec![1, 2], format!("{r:?}"))
    });
    // np.arange(6.)[::-1][[T, F, T, T, F, F]] == [5, 3, 2]
    s.case("masked_select of a reversed view", || {
        let a = Array1::from_shape_fn(6, |i| i as f64);
        let m = array![true, false, true, true, false, false];
        let r = ok(masked_select(&a.slice(s![..;-1]), &m))?;
        allclose(&r.to_vec(), &[5.0, 3.0, 2.0], 0.0, 0.0)
    });
    s.case("masked_select shape mismatch", || {
        err_contains(
            masked_select(&array![1.0, 2.0], &array![true]),
            "shape mismatch",
        )
    });
    s.case("masked_select empty and 0-d", || {
        let e = ok(masked_select(
            &Array2::<f64>::zeros((0, 3)),
            &Array2::from_elem((0, 3), true),
        ))?;
        let t = ok(masked_select(&ndarray::arr0(7), &ndarray::arr0(true)))?;
        let f = ok(masked_select(&ndarray::arr0(7), &ndarray::arr0(false)))?;
        ensure(
            e.is_empty() && t.to_vec() == vec![7] && f.is_empty(),
            "selections",
        )
    });
    s.case("masked_select keeps NaN", || {
        let r = ok(masked_select(&array![f64::NAN, 1.0], &array![true, false]))?;
        ensure(r.len() == 1 && r[0].is_nan(), format!("{r:?}"))
    });
    s.case("histogram_masked of 2^40 bins", || {
        let b = AxisBins::uniform(0.0, 1.0, MAX_CELLS).unwrap();
        too_large(histogram_masked(&array![0.5], &array![true], &b))
    });
    s.case("histogram_masked of 2^40 bins, strided input", || {
        let b = AxisBins::uniform(0.0, 1.0, MAX_CELLS).unwrap();
        let a = array![0.5, 0.1, 0.2, 0.3];
        let m = array![true, true, true, true];
        too_large(histogram_masked(&a.slice(s![..;2]), &m.slice(s![..;2]), &b))
    });
    s.case(
        "histogram_masked drops NaN and inf, keeps masked zeros",
        || {
            let a = array![0.0, f64::NAN, f64::INFINITY, 0.0, 1.0];
            let m = array![true, true, true, false, true];
            let h = ok(histogram_masked(&a, &m, &unit()))?;
            allclose(&h.to_vec(), &[1.0, 0.0, 0.0, 1.0], 0.0, 0.0)
        },
    );
    s.case(
        "histogram_masked of transposed views as histogram(a[mask])",
        || {
            let a = Array2::from_shape_fn((4, 5), |(i, j)| (i * 5 + j) as f64 / 19.0);
            let m = Array2::from_shape_fn((4, 5), |(i, j)| (i + 2 * j) % 3 != 0);
            let h = ok(histogram_masked(&a.t(), &m.t(), &unit()))?;
            let sel = ok(masked_select(&a.t(), &m.t()))?;
            let want = ok(histogram(&sel, &unit(), false))?;
            allclose(&h.to_vec(), &want.to_vec(), 0.0, 0.0)
        },
    );
    s.case("histogram_masked shape mismatch", || {
        err_contains(
            histogram_masked(&array![1.0, 2.0], &array![true], &unit()),
            "shape mismatch",
        )
    });
    s.case("select_in_mask NaN and outside points", || {
        let m = array![[true, true], [true, true]];
        let p = array![
            [0.1, f64::NAN],
            [0.5, 0.5],
            [f64::INFINITY, 0.1],
            [1.0, 1.0]
        ];
        let r = ok(select_in_mask(&p, &grid2(), &m))?;
        ensure(r == vec![1, 3], format!("{r:?}"))
    });
    s.case("select_in_mask mask of the wrong shape", || {
        err_contains(
            select_in_mask(&array![[0.1, 0.1]], &grid2(), &array![[true, false, true]]),
            "shape mismatch",
        )
    });
    s.case("select_in_mask points of the wrong width", || {
        is_err(select_in_mask(
            &array![[0.1]],
            &grid2(),
            &array![[true, true], [true, true]],
        ))
    });
    s.case("select_in_mask transposed mask", || {
        // mask.t()[0, 1] is mask[1, 0].
        let m = array![[false, false], [true, false]];
        let r = ok(select_in_mask(
            &array![[0.1, 0.9], [0.9, 0.1]],
            &grid2(),
            &m.t(),
        ))?;
        ensure(r == vec![0], format!("{r:?}"))
    });
    s.case("ragged frame past the end", || {
        let r = ok(ragged_select(
            &Array3::<f32>::zeros((2, 3, 1)),
            &Array2::from_elem((2, 3), true),
        ))?;
        err_contains(r.frame(2), "frame 2")?;
        err_contains(r.frame(usize::MAX), "0..2")
    });
    s.case("ragged frame_index past the end", || {
        let r = ok(ragged_select(
            &Array3::<f32>::zeros((2, 3, 1)),
            &Array2::from_elem((2, 3), true),
        ))?;
        err_contains(r.frame_index(usize::MAX), "does not exist")
    });
    s.case("ragged hand-built with no offsets", || {
        let r = Ragged::<f64> {
            offsets: vec![],
            index: vec![],
            values: Array2::zeros((0, 2)),
        };
        ensure(r.frames() == 0, "frames")?;
        is_err(r.frame(0))
    });
    s.case("ragged hand-built with inconsistent offsets", || {
        let r = Ragged::<f64> {
            offsets: vec![0, 5, 2],
            index: vec![0, 1],
            values: Array2::zeros((2, 2)),
        };
        err_contains(r.frame(0), "offsets")?;
        err_contains(r.frame_index(1), "offsets")
    });
    s.case("ragged_select mask shape mismatch", || {
        err_contains(
            ragged_select(
                &Array3::<f64>::zeros((2, 3, 4)),
                &Array2::from_elem((3, 2), true),
            ),
            "shape mismatch",
        )
    });
    s.case("ragged_select of zero frames and zero features", || {
        let a = ok(ragged_select(
            &Array3::<f64>::zeros((0, 3, 4)),
            &Array2::from_elem((0, 3), true),
        ))?;
        let b = ok(ragged_select(
            &Array3::<f64>::zeros((2, 3, 0)),
            &Array2::from_elem((2, 3), true),
        ))?;
        ensure(
            a.offsets == vec![0] && a.frames() == 0 && b.values.dim() == (6, 0),
            format!("{a:?} {b:?}"),
        )
    });
    s.case("ragged_select of a permuted features view", || {
        let base = Array3::from_shape_fn((4, 2, 3), |(k, f, p)| (f * 100 + p * 10 + k) as f64);
        let feat = base.view().permuted_axes([1, 2, 0]); // (2, 3, 4)
        let m = array![[false, true, true], [true, false, false]];
        let r = ok(ragged_select(&feat, &m))?;
        let f1 = ok(r.frame(1))?;
        ensure(
            r.offsets == vec![0, 2, 3]
                && ok(r.frame_index(0))? == [1, 2]
                && f1.row(0).to_vec() == vec![100.0, 101.0, 102.0, 103.0],
            format!("{r:?}"),
        )
    });
}

fn reference_check(a: ArrayD<f64>, block: Vec<usize>, func: &'static str) -> Check {
    let got = ok(block_reduce(&a, &block, func.parse().unwrap()))?;
    let want = reference::block_reduce(&a, &block, func);
    ensure(
        got.shape() == want.shape(),
        format!("{:?} vs {:?}", got.shape(), want.shape()),
    )?;
    allclose(&v(&got), &v(&want), 1e-12, 0.0)
}

fn blocks(s: &mut Suite) {
    s.case("block_reduce zero block", || {
        err_contains(
            block_reduce(&Array2::<f64>::zeros((2, 2)), &[1, 0], BlockFunc::Sum),
            "at least 1",
        )
    });
    s.case("block_reduce block count differs", || {
        err_contains(
            block_reduce(&Array2::<f64>::zeros((2, 2)), &[2], BlockFunc::Sum),
            "one block size per axis",
        )
    });
    s.case("block_reduce usize::MAX block", || {
        let a = Array2::from_shape_fn((3, 5), |(i, j)| (i * 5 + j) as f64);
        let r = ok(block_reduce(&a, &[usize::MAX, usize::MAX], BlockFunc::Mean))?;
        ensure(r.shape() == [1, 1] && r[[0, 0]] == 7.0, format!("{r:?}"))
    });
    s.case("block_reduce 2^40 block, fraction nonzero", || {
        let a = array![[0u8, 1, 2], [0, 0, 3]];
        let r = ok(block_reduce(
            &a,
            &[1 << 40, 1 << 40],
            BlockFunc::FractionNonzero,
        ))?;
        allclose(&v(&r), &[0.5], 0.0, 0.0)
    });
    s.case("block_reduce huge block on one axis only", || {
        reference_check(
            ArrayD::from_shape_fn(IxDyn(&[4, 7]), |i| (i[0] * 7 + i[1]) as f64),
            vec![usize::MAX, 2],
            "max",
        )
    });
    s.case("block_reduce 0-d input", || {
        let r = ok(block_reduce(&ndarray::arr0(4.5), &[], BlockFunc::Mean))?;
        ensure(r.ndim() == 0 && r[IxDyn(&[])] == 4.5, format!("{r:?}"))
    });
    s.case("block_reduce size-0 axis", || {
        let r = ok(block_reduce(
            &Array2::<f64>::zeros((0, 5)),
            &[2, 2],
            BlockFunc::Sum,
        ))?;
        ensure(r.shape() == [0, 3], format!("{:?}", r.shape()))
    });
    s.case("block_reduce size-0 last axis", || {
        let r = ok(block_reduce(
            &Array2::<f64>::zeros((5, 0)),
            &[2, 2],
            BlockFunc::Max,
        ))?;
        ensure(r.shape() == [3, 0], format!("{:?}", r.shape()))
    });
    s.case("block_reduce NaN stays in its block", || {
        let a = array![[1.0, f64::NAN, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0]];
        for f in [
            BlockFunc::Mean,
            BlockFunc::Min,
            BlockFunc::Max,
            BlockFunc::Sum,
        ] {
            let r = ok(block_reduce(&a, &[2, 2], f))?;
            ensure(
                r[[0, 0]].is_nan() && r[[0, 1]].is_finite(),
                format!("{f:?}: {r:?}"),
            )?;
        }
        Ok(())
    });
    s.case("block_reduce NaN counts as nonzero", || {
        let r = ok(block_reduce(
            &array![f64::NAN, 0.0, 0.0, 0.0],
            &[2],
            BlockFunc::CountNonzero,
        ))?;
        allclose(&v(&r), &[1.0, 0.0], 0.0, 0.0)
    });
    s.case(
        "block_reduce inf - inf is NaN, 1e308 + 1e308 is inf",
        || {
            let a = array![f64::INFINITY, f64::NEG_INFINITY, 1e308, 1e308];
            let r = ok(block_reduce(&a, &[2], BlockFunc::Sum))?;
            let m = ok(block_reduce(&a, &[2], BlockFunc::Mean))?;
            allclose(&v(&r), &[f64::NAN, f64::INFINITY], 0.0, 0.0)?;
            allclose(&v(&m), &[f64::NAN, f64::INFINITY], 0.0, 0.0)
        },
    );
    s.case("block_reduce tiny magnitudes", || {
        let r = ok(block_reduce(
            &array![5e-324, 5e-324, 1e-310, 3e-310],
            &[2],
            BlockFunc::Sum,
        ))?;
        allclose(&v(&r), &[1e-323, 4e-310], 1e-12, 0.0)
    });
    s.case("block_reduce u8 sums do not wrap", || {
        let r = ok(block_reduce(
            &Array2::from_elem((2, 2), 255u8),
            &[2, 2],
            BlockFunc::Sum,
        ))?;
        allclose(&v(&r), &[1020.0], 0.0, 0.0)
    });
    s.case("block_reduce f32 input gives f64 (documented)", || {
        let a = array![[1.0f32, 2.0], [3.0, 4.5]];
        let r: ArrayD<f64> = ok(block_reduce(&a, &[2, 2], BlockFunc::Mean))?;
        allclose(&v(&r), &[2.625], 0.0, 0.0)
    });
    s.case("block_reduce f32 near f32::MAX does not overflow", || {
        let r = ok(block_reduce(&array![3e38f32, 3e38], &[2], BlockFunc::Sum))?;
        allclose(&v(&r), &[2.0 * f64::from(3e38f32)], 1e-15, 0.0)
    });
    s.case("block_reduce bool", || {
        let r = ok(block_reduce(
            &array![[true, false, true], [false, false, true]],
            &[2, 2],
            BlockFunc::Any,
        ))?;
        allclose(&v(&r), &[1.0, 1.0], 0.0, 0.0)
    });
    s.case("block_reduce transposed input vs reference", || {
        let a = Array2::from_shape_fn((5, 7), |(i, j)| ((i * 7 + j) as f64).sin());
        let t = a.t();
        let got = ok(block_reduce(&t, &[3, 2], BlockFunc::Mean))?;
        let want = reference::block_reduce(&t.to_owned().into_dyn(), &[3, 2], "mean");
        allclose(&v(&got), &v(&want), 1e-12, 0.0)
    });
    s.case("block_reduce negative-stride input vs reference", || {
        let a = Array3::from_shape_fn((4, 5, 6), |(i, j, k)| (i * 30 + j * 6 + k) as f64 - 50.0);
        let r = a.slice(s![..;-1, .., ..;-2]);
        let got = ok(block_reduce(&r, &[3, 2, 2], BlockFunc::Min))?;
        let want = reference::block_reduce(&r.to_owned().into_dyn(), &[3, 2, 2], "min");
        allclose(&v(&got), &v(&want), 0.0, 0.0)
    });
    for func in [
        "sum",
        "mean",
        "min",
        "max",
        "count_nonzero",
        "any",
        "fraction_nonzero",
    ] {
        s.case(format!("block_reduce 5-d {func} vs reference"), move || {
            let a = ArrayD::from_shape_fn(IxDyn(&[3, 1, 4, 2, 5]), |i| {
                ((i[0] * 7 + i[2] * 3 + i[3] * 5 + i[4]) % 4) as f64 - 1.0
            });
            reference_check(a, vec![2, 3, 3, 1, 4], func)
        });
    }
    s.case("block_reduce_into wrong shape", || {
        is_err(block_reduce_into(
            &Array2::<f64>::zeros((4, 4)),
            &[2, 2],
            BlockFunc::Sum,
            &mut Array2::zeros((2, 3)),
        ))
    });
    s.case("block_reduce_into a transposed output", || {
        let a = Array2::from_shape_fn((4, 6), |(i, j)| (i * 6 + j) as f64);
        let mut o = Array2::<f64>::zeros((3, 2));
        ok(block_reduce_into(
            &a,
            &[2, 2],
            BlockFunc::Max,
            &mut o.view_mut().reversed_axes(),
        ))?;
        // Result [[7, 9, 11], [19, 21, 23]] stored transposed.
        allclose(
            &o.iter().copied().collect::<Vec<_>>(),
            &[7.0, 19.0, 9.0, 21.0, 11.0, 23.0],
            0.0,
            0.0,
        )
    });
    s.case("block function name unknown", || {
        err_contains("median".parse::<BlockFunc>(), "unknown block function")
    });
}

fn t() -> Array1<f64> {
    array![0.5]
}

fn healpix(s: &mut Suite) {
    s.case("ang2pix nside 0", || {
        err_contains(ang2pix(0, &t(), &t(), Scheme::Ring), "nside")
    });
    s.case("ang2pix nside 2^30", || {
        err_contains(ang2pix(1 << 30, &t(), &t(), Scheme::Ring), "nside")
    });
    s.case("ang2pix nside u32::MAX", || {
        is_err(ang2pix(u32::MAX, &t(), &t(), Scheme::Nested))
    });
    s.case("ang2pix nested nside 3", || {
        err_contains(ang2pix(3, &t(), &t(), Scheme::Nested), "power of two")
    });
    s.case("ang2pix NaN theta", || {
        err_contains(ang2pix(4, &array![f64::NAN], &t(), Scheme::Ring), "[0, pi")
    });
    s.case("ang2pix theta past pi", || {
        err_contains(ang2pix(4, &array![3.2], &t(), Scheme::Ring), "[0, pi")
    });
    // healpy accepts theta <= pi + 1e-5 (check_theta_valid): a float32 pi (3.1415927) is the
    // south pole, whose ring holds the last 4 of the 12 * 4^2 = 192 pixels.
    s.case("ang2pix float32 pi is the south pole", || {
        let p = ok(ang2pix(
            4,
            &array![std::f32::consts::PI],
            &array![0.0f32],
            Scheme::Ring,
        ))?;
        ensure((188..192).contains(&p[0]), format!("{p:?}"))
    });
    s.case("ang2pix theta pi + 2e-5", || {
        err_contains(
            ang2pix(4, &array![std::f64::consts::PI + 2e-5], &t(), Scheme::Ring),
            "[0, pi",
        )
    });
    s.case("ang2pix inf phi", || {
        err_contains(
            ang2pix(4, &t(), &array![f64::INFINITY], Scheme::Nested),
            "phi",
        )
    });
    s.case("ang2pix shape mismatch", || {
        err_contains(
            ang2pix(4, &t(), &array![1.0, 2.0], Scheme::Ring),
            "shape mismatch",
        )
    });
    s.case("ang2pix empty input", || {
        let p = ok(ang2pix(
            4,
            &Array1::<f64>::zeros(0),
            &Array1::zeros(0),
            Scheme::Ring,
        ))?;
        ensure(p.is_empty(), "empty")
    });
    // Identity: the poles are the first and last pixel of the ring scheme (12 nside^2 pixels).
    s.case("ang2pix nside 2^16 at the poles", || {
        let n = 1u32 << 16;
        let npix = 12 * (n as usize) * (n as usize);
        let p = ok(ang2pix(
            n,
            &array![0.0, std::f64::consts::PI],
            &array![0.0, 0.0],
            Scheme::Ring,
        ))?;
        ensure(
            p[0] < 4 && p[1] >= npix - 4 && p[1] < npix,
            format!("{p:?}"),
        )
    });
    s.case("ang2pix nside 2^29 nested stays in range", || {
        let n = 1u32 << 29;
        let npix = 12 * (n as usize) * (n as usize);
        let p = ok(ang2pix(
            n,
            &array![0.3, 3.0],
            &array![1e300, -1e300],
            Scheme::Nested,
        ))?;
        ensure(p.iter().all(|&q| q < npix), format!("{p:?}"))
    });
    s.case("healpix_map nside 2^16", || {
        too_large(healpix_map(1 << 16, &t(), &t(), &t(), Scheme::Ring))
    });
    s.case("healpix_map nside 2^29", || {
        too_large(healpix_map(1 << 29, &t(), &t(), &t(), Scheme::Nested))
    });
    s.case("healpix_map values of the wrong length", || {
        err_contains(
            healpix_map(4, &t(), &t(), &array![1.0, 2.0], Scheme::Ring),
            "shape mismatch",
        )
    });
    s.case("healpix_map NaN value stays in its pixel", || {
        let m = ok(healpix_map(
            1,
            &array![0.1, 0.1, 3.0],
            &array![0.1, 0.1, 4.0],
            &array![f64::NAN, 1.0, 2.0],
            Scheme::Ring,
        ))?;
        let mean = m.mean(-1.0);
        ensure(
            mean[0].is_nan() && mean[10] == 2.0 && m.count.sum() == 3 && mean[5] == -1.0,
            format!("{mean:?}"),
        )
    });
}

#[test]
fn hostile_binning() {
    let mut s = Suite::new("hostile_binning");
    broadcast_outputs(&mut s);
    binned_std_precision(&mut s);
    axis_bins(&mut s);
    grids(&mut s);
    histograms(&mut s);
    statistics(&mut s);
    counts(&mut s);
    labels(&mut s);
    masks(&mut s);
    blocks(&mut s);
    healpix(&mut s);
    private_tables(&mut s);
    assert!(s.len() >= 150, "only {} hostile binning cases", s.len());
    s.run();
}

/// Issue 13: outputs sized like the input. A stride-0 broadcast view of 2^40 elements is one
/// value in memory; every function whose output or working copy is sized by it must refuse
/// with `Error::TooLarge` (not abort), and small broadcast views give the naive answer of the
/// materialised array.
fn broadcast_outputs(s: &mut Suite) {
    use ndarray::{Ix1, Ix2, Ix3};
    use ndkern_core::testing::hostile::{broadcast_view, too_large};
    let h1 = || broadcast_view(Ix1(1 << 40));
    let h2 = || broadcast_view(Ix2(1 << 20, 1 << 20));
    s.case("broadcast 2^40: digitize", move || {
        too_large(digitize(&h1(), &[0.0, 1.0, 2.0], false))
    });
    s.case("broadcast 2^40 (2-D): digitize", move || {
        too_large(digitize(&h2(), &[0.0, 1.0], true))
    });
    s.case("broadcast 2^40: ang2pix", move || {
        too_large(ang2pix(4, &h1(), &h1(), Scheme::Ring))
    });
    s.case("broadcast 2^40 (2-D): block_reduce block 1", move || {
        too_large(block_reduce(&h2(), &[1, 1], BlockFunc::Sum))
    });
    s.case(
        "broadcast 2^40 (2-D): block_reduce block (1, 2)",
        move || too_large(block_reduce(&h2(), &[1, 2], BlockFunc::Max)),
    );
    s.case("broadcast 2^40 (2-D): histogram's sample copy", move || {
        too_large(histogram(
            &h2(),
            &AxisBins::uniform(0.0, 2.0, 4).unwrap(),
            false,
        ))
    });
    s.case(
        "broadcast 2^40: histogram_weighted's weights copy",
        move || {
            let a = [0.5];
            too_large(histogram_weighted(
                &ndarray::ArrayView1::from(&a[..])
                    .broadcast(1usize << 40)
                    .unwrap(),
                &h1(),
                &AxisBins::uniform(0.0, 2.0, 4).unwrap(),
                false,
            ))
        },
    );
    s.case(
        "small broadcast (3, 4): histogram counts all 12 in one bin",
        move || {
            let b = AxisBins::uniform(-10.0, 10.0, 4).unwrap();
            let h = ok(histogram(&broadcast_view(Ix2(3, 4)), &b, false))?;
            ensure(
                h.sum() == 12.0 && h.iter().filter(|&&c| c == 12.0).count() == 1,
                format!("{h:?}"),
            )
        },
    );
    s.case("broadcast 2^33 mask and values: masked_select", move || {
        let t = [true];
        let tv = ndarray::ArrayView1::from(&t[..]);
        let m = tv.broadcast(1usize << 33).unwrap();
        too_large(masked_select(&broadcast_view(Ix1(1 << 33)), &m))
    });
    s.case("broadcast (2^16, 2^16) mask: ragged_select", move || {
        let t = [true];
        let m = ndarray::ArrayView2::from_shape((1, 1), &t[..]).unwrap();
        let m = m.broadcast((1 << 16, 1 << 16)).unwrap();
        let f = broadcast_view(Ix3(1 << 16, 1 << 16, 4));
        too_large(ragged_select(&f, &m))
    });
    s.case(
        "broadcast values: binned First keeps every value, checked",
        move || {
            let g = ok(Grid::uniform(&[(0.0, 1.0)], &[2]))?;
            let pts = broadcast_view(Ix2(1 << 34, 1));
            too_large(binned_statistic_dd(
                &pts,
                &broadcast_view(Ix1(1 << 34)),
                &g,
                Statistic::First,
                f64::NAN,
                Outside::Drop,
            ))
        },
    );
    // Labels, indices and weights: the C-order copies of a non-contiguous view are checked.
    s.case("broadcast 2^40 labels: bincount", || {
        let z = [3u32];
        let x = ndarray::ArrayView1::from(&z[..]);
        let x = x.broadcast(1usize << 40).unwrap();
        too_large(bincount(&x, 0))
    });
    s.case(
        "broadcast 2^40 labels and weights: bincount_weighted",
        move || {
            let z = [3u32];
            let x = ndarray::ArrayView1::from(&z[..]);
            let x = x.broadcast(1usize << 40).unwrap();
            too_large(bincount_weighted(&x, &h1(), 0))
        },
    );
    s.case("broadcast 2^40 labels: bincount_into", || {
        let z = [3u32];
        let x = ndarray::ArrayView1::from(&z[..]);
        let x = x.broadcast(1usize << 40).unwrap();
        let mut out = Array1::<usize>::zeros(4);
        too_large(bincount_into(&x, &mut out))
    });
    s.case(
        "broadcast 2^40 labels and weights: bincount_weighted_into",
        move || {
            let z = [3u32];
            let x = ndarray::ArrayView1::from(&z[..]);
            let x = x.broadcast(1usize << 40).unwrap();
            let mut out = Array1::<f64>::zeros(4);
            too_large(bincount_weighted_into(&x, &h1(), &mut out))
        },
    );
    s.case("broadcast 2^40 (2-D) labels: label_stats", move || {
        let z = [1u16];
        let l = ndarray::ArrayView2::from_shape((1, 1), &z[..]).unwrap();
        let l = l.broadcast((1 << 20, 1 << 20)).unwrap();
        too_large(label_stats(&l, &h2(), Some(4)))
    });
    s.case("broadcast 2^40 (2-D) labels: gather", || {
        let z = [1u16];
        let l = ndarray::ArrayView2::from_shape((1, 1), &z[..]).unwrap();
        let l = l.broadcast((1 << 20, 1 << 20)).unwrap();
        too_large(gather(&array![[10.0, 1.0], [20.0, 2.0]], &l))
    });
    s.case("broadcast (2^40, 1) table: gather", || {
        let t = broadcast_view(Ix2(1 << 40, 1));
        too_large(gather(&t, &array![0u8, 1, 0]))
    });
    s.case("broadcast (2^40, 1) table: gather_into", || {
        let t = broadcast_view(Ix2(1 << 40, 1));
        let mut out = Array2::<f64>::zeros((3, 1));
        too_large(gather_into(&t, &array![0u8, 1, 0], &mut out))
    });
    s.case(
        "broadcast 2^40 index and values: scatter_add_1d",
        move || {
            let z = [2u32];
            let i = ndarray::ArrayView1::from(&z[..]);
            let i = i.broadcast(1usize << 40).unwrap();
            let mut t = Array1::<f64>::zeros(4);
            too_large(scatter_add_1d(&mut t, &i, &h1()))?;
            ensure(
                t.iter().all(|&x| x == 0.0),
                format!("target written: {t:?}"),
            )
        },
    );
    s.case("broadcast (2^40, 1) index: scatter_add", move || {
        let z = [2u32];
        let i = ndarray::ArrayView2::from_shape((1, 1), &z[..]).unwrap();
        let i = i.broadcast((1usize << 40, 1)).unwrap();
        let mut t = Array1::<f64>::zeros(4);
        too_large(scatter_add(&mut t, &i, &h1()))
    });

    // Small broadcast views vs the naive oracles on the materialised arrays.
    s.case(
        "broadcast (3, 4) labels: bincount(_weighted) = naive counts",
        || {
            let row = array![0u8, 2, 2, 5];
            let b = row.broadcast((3, 4)).unwrap();
            // A non-contiguous 1-D view: every other element.
            let z = [0u8, 9, 2, 9, 2, 9, 5, 9];
            let strided = ndarray::ArrayView1::from(&z[..]);
            let strided = strided.slice(s![..;2]);
            let c = ok(bincount(&strided, 0))?;
            let w = array![0.5, 1.0, 2.0, 4.0];
            let cw = ok(bincount_weighted(&strided, &w.slice(s![..]), 7))?;
            let mut want = vec![0usize; 6];
            let mut want_w = vec![0.0; 7];
            for (&l, &wv) in strided.iter().zip(&w) {
                want[l as usize] += 1;
                want_w[l as usize] += wv;
            }
            // A column of the broadcast (3, 4): stride 0.
            let bc = ok(bincount(&b.column(1), 0))?;
            ensure(
                c.to_vec() == want && cw.to_vec() == want_w && bc.to_vec() == vec![0, 0, 3],
                format!("{c:?} {cw:?} {bc:?}"),
            )
        },
    );
    s.case(
        "broadcast (3, 4) labels: label_stats and gather = naive",
        || {
            let row = array![0u8, 2, 2, 1];
            let b = row.broadcast((3, 4)).unwrap();
            let vals = Array2::from_shape_fn((3, 4), |(i, j)| (i * 4 + j) as f64);
            let st = ok(label_stats(&b, &vals, None))?;
            let mut cnt = [0usize; 3];
            let mut sum = [0.0; 3];
            for (&l, &v) in b.iter().zip(vals.iter()) {
                cnt[l as usize] += 1;
                sum[l as usize] += v;
            }
            let table = array![[10.0, -1.0], [20.0, -2.0], [30.0, -3.0]];
            let g = ok(gather(&table, &b))?;
            let want: Vec<f64> = b
                .iter()
                .flat_map(|&l| table.row(l as usize).to_vec())
                .collect();
            // A broadcast table: every row the same.
            let one = array![[7.0, 8.0]];
            let bt = one.broadcast((3, 2)).unwrap();
            let gt = ok(gather(&bt, &array![2u8, 0]))?;
            ensure(
                st.count.to_vec() == cnt.to_vec()
                    && st.sum.column(0).to_vec() == sum.to_vec()
                    && g.shape() == [3, 4, 2]
                    && g.iter().copied().collect::<Vec<_>>() == want
                    && gt.iter().copied().collect::<Vec<_>>() == vec![7.0, 8.0, 7.0, 8.0],
                format!("{st:?} {g:?} {gt:?}"),
            )
        },
    );
    s.case("broadcast index: scatter_add_1d = naive np.add.at", || {
        let z = [3u32, 1];
        let i = ndarray::ArrayView1::from(&z[..]);
        let i = i.slice(s![..;-1]); // [1, 3], stride -1
        let mut t = array![1.0, 1.0, 1.0, 1.0];
        ok(scatter_add_1d(&mut t, &i, &array![0.5, 2.0]))?;
        let two = array![2u32];
        let col = two.broadcast(3).unwrap();
        let mut t2 = Array1::<f64>::zeros(4);
        let v = array![1.0, 2.0, 4.0];
        ok(scatter_add_1d(&mut t2, &col, &v.slice(s![..;-1])))?;
        ensure(
            t.to_vec() == vec![1.0, 1.5, 1.0, 3.0] && t2.to_vec() == vec![0.0, 0.0, 7.0, 0.0],
            format!("{t:?} {t2:?}"),
        )
    });

    // Small broadcast views vs the naive oracles on the materialised arrays.
    s.case("broadcast (5, 7) digitize = naive", || {
        let row = Array1::from_shape_fn(7, |i| i as f64 * 0.7 - 1.0);
        let b = row.broadcast((5, 7)).unwrap();
        let bins = [-0.5, 0.0, 1.0, 2.5];
        let got = ok(digitize(&b, &bins, false))?;
        let want: Vec<usize> = b
            .iter()
            .map(|&x| reference::digitize(x, &bins, false))
            .collect();
        ensure(
            got.iter().copied().collect::<Vec<_>>() == want,
            format!("{got:?} vs {want:?}"),
        )
    });
    s.case("broadcast (6, 9) block_reduce = naive", || {
        let col = Array2::from_shape_fn((6, 1), |(i, _)| (i * 3 % 5) as f64 - 1.25);
        let b = col.broadcast((6, 9)).unwrap();
        let got = ok(block_reduce(&b, &[4, 2], BlockFunc::Sum))?;
        let want = reference::block_reduce(&b.to_owned().into_dyn(), &[4, 2], "sum");
        allclose(
            &got.iter().copied().collect::<Vec<_>>(),
            &want.iter().copied().collect::<Vec<_>>(),
            1e-14,
            0.0,
        )
    });
    s.case("broadcast (4, 5) masked_select = C-order selection", || {
        let row = Array1::from_shape_fn(5, |i| i as f64);
        let b = row.broadcast((4, 5)).unwrap();
        let m = Array2::from_shape_fn((4, 5), |(i, j)| (i + j) % 3 == 0);
        let got = ok(masked_select(&b, &m))?;
        let mat = b.to_owned();
        let want: Vec<f64> = mat
            .iter()
            .zip(m.iter())
            .filter(|(_, &k)| k)
            .map(|(&x, _)| x)
            .collect();
        ensure(got.to_vec() == want, format!("{got:?} vs {want:?}"))
    });
}

/// Issue 13: binned std with a first value far from the cell mean (the one-pass sums are
/// shifted by a cell's first value) is recomputed two-pass; the naive two-pass reference.
/// rtol 1e-12. Threads merge their accumulators in any order; a merge keeps the shift of an
/// ill-shifted part, so the merged cell stays flagged (before that fix, `[1e10, 1, 2, ..]` came
/// out 4e-9 off when the far part merged into a well-placed one: seen on an AMD host at the
/// baseline level, and pinned by `merge_keeps_an_ill_shifted_part_visible` in accumulate.rs).
fn binned_std_precision(s: &mut Suite) {
    let run = |vals: Vec<f64>| -> Result<(f64, f64), String> {
        let n = vals.len();
        let g = ok(Grid::uniform(&[(0.0, 1.0)], &[1]))?;
        let pts = Array2::from_elem((n, 1), 0.5);
        let got = ok(binned_statistic_dd(
            &pts,
            &Array1::from(vals.clone()),
            &g,
            Statistic::Std,
            f64::NAN,
            Outside::Drop,
        ))?;
        Ok((got[[0]], reference::statistic(&vals, "std", f64::NAN)))
    };
    for n in [3usize, 100, 5000, 100_000] {
        s.case(
            format!("binned std of [1e10, 0 x {}] = naive two-pass", n - 1),
            move || {
                let mut v = vec![0.0; n];
                v[0] = 1e10;
                let (got, want) = run(v)?;
                allclose(&[got], &[want], 1e-12, 0.0)
            },
        );
        s.case(
            format!("binned std of [1e10, 1, 2, ..] ({n} values) = naive two-pass"),
            move || {
                let v: Vec<f64> = (0..n)
                    .map(|i| if i == 0 { 1e10 } else { (i % 17) as f64 })
                    .collect();
                let (got, want) = run(v)?;
                allclose(&[got], &[want], 1e-12, 0.0)
            },
        );
    }
    s.case(
        "binned std of [1e8 + small noise] keeps the noise (first value far below)",
        move || {
            let v: Vec<f64> = (0..20_000)
                .map(|i| {
                    if i == 0 {
                        -3e9
                    } else {
                        1e8 + (i % 13) as f64 * 0.25
                    }
                })
                .collect();
            let (got, want) = run(v)?;
            allclose(&[got], &[want], 1e-12, 0.0)
        },
    );
    s.case(
        "binned std of [1e200, 3e200] is the true 1e200 (numpy overflows to inf; documented)",
        move || {
            let (got, _) = run(vec![1e200, 3e200])?;
            allclose(&[got], &[1e200], 1e-15, 0.0)
        },
    );
}

/// Issue 13: per-thread private tables. A table that fits under the allocation cap once but
/// not once per thread is computed with fewer tables (serially), not aborted on the second
/// copy; sized from the cap of the process (4 GiB in the hostile child).
fn private_tables(s: &mut Suite) {
    s.case(
        "label_stats: a table that fits once, not once per thread",
        || {
            // u8 labels and values, one channel: a table of `nlabels` rows of [count, sum] is
            // 16 B per label. With n = cap / 16 pixels and nlabels = n / 2 (so the table has n
            // cells and the pass would go parallel), the inputs (2n B), the table (8n B) and the
            // counts beside it (4n B) fit in 14n = 7/8 of the cap; a second private table would
            // need 18n.
            let n = ndkern_core::memory_limit() / 16;
            let nlabels = n / 2;
            let mut lab = Array1::<u8>::zeros(n);
            let mut val = Array1::<u8>::zeros(n);
            lab[n - 1] = 5;
            val[n - 1] = 7;
            val[0] = 3;
            let st = ok(label_stats(&lab, &val, Some(nlabels)))?;
            ensure(
                st.count.len() == nlabels && st.sum.dim() == (nlabels, 1),
                format!("shapes {} {:?}", st.count.len(), st.sum.dim()),
            )?;
            ensure(
                st.count[0] == n - 1 && st.count[5] == 1 && st.sum[[0, 0]] == 3.0,
                format!("label 0: {} {}", st.count[0], st.sum[[0, 0]]),
            )?;
            ensure(
                st.sum[[5, 0]] == 7.0,
                format!("label 5 sum {}", st.sum[[5, 0]]),
            )?;
            // Every other label is empty (counts add up to n, sums to 10).
            ensure(
                st.count.iter().sum::<usize>() == n && st.sum.iter().sum::<f64>() == 10.0,
                "other labels not empty",
            )
        },
    );
}
