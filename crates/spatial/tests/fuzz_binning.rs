//! Fuzz-style property tests of the binning index paths (issue 13): histograms, scatter /
//! bincount and block reduce on random, often hostile inputs — bounds from 1e-300 to 1e300,
//! points on edges and one ulp either side, NaN, ±inf, ±1e308, labels negative or past the
//! end, empty axes, huge block sizes, transposed and reversed layouts — each compared with the
//! naive `binning::reference` oracle (or the promise: an `Err` that writes nothing).
//!
//! The number of cases per property is `NDKERN_FUZZ_CASES` (default 64, so `cargo test`
//! stays fast); `cargo xtask fuzz` runs it with a large count.

use ndarray::{s, Array1, Array2, ArrayD, Axis, IxDyn, ShapeBuilder};
use ndkern_core::testing::Rng;
use ndkern_spatial::binning::{reference, *};
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("NDKERN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(64)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// NaN-aware closeness: `|a - b| <= atol + rtol * |b|`, NaN == NaN, inf == inf.
fn same(a: f64, b: f64, rtol: f64, atol: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= atol + rtol * b.abs()
}

/// A random hostile uniform axis (or arbitrary edges): magnitudes from 1e-300 to 1e300, bin
/// counts 1..=64; `None` when the bounds are (rightly) refused.
fn axis(rng: &mut Rng) -> Option<AxisBins> {
    let scale = 10f64.powi(rng.below(601) as i32 - 300);
    let lo = match rng.below(4) {
        0 => 0.0,
        1 => -scale,
        2 => scale,
        _ => rng.uniform(-1.0, 1.0) * scale,
    };
    let width = scale * (0.1 + rng.unit() * 10.0);
    let bins = 1 + rng.below(64);
    if rng.below(4) == 0 {
        // Arbitrary edges, with repeats (zero-width bins).
        let mut e: Vec<f64> = (0..=bins).map(|_| lo + rng.unit() * width).collect();
        e.sort_by(f64::total_cmp);
        if rng.below(3) == 0 && e.len() > 2 {
            e[1] = e[0];
        }
        return AxisBins::edges(e).ok();
    }
    AxisBins::uniform(lo, lo + width, bins).ok()
}

/// A hostile coordinate for `b`: an edge, one ulp either side of it, inside, outside, NaN,
/// ±inf or ±1e308.
fn coord(rng: &mut Rng, b: &AxisBins) -> f64 {
    let e = b.edges_vec();
    let (lo, hi) = b.bounds();
    let edge = e[rng.below(e.len())];
    match rng.below(12) {
        0 => f64::NAN,
        1 => f64::INFINITY,
        2 => f64::NEG_INFINITY,
        3 => {
            if rng.below(2) == 0 {
                1e308
            } else {
                -1e308
            }
        }
        4 | 5 => edge,
        6 => f64::from_bits(edge.to_bits().wrapping_add(1)),
        7 => f64::from_bits(edge.to_bits().wrapping_sub(1)),
        8 => lo - (hi - lo) * rng.unit(),
        _ => lo + (hi - lo) * rng.unit(),
    }
}

/// A value: mostly moderate, sometimes NaN, ±inf, or huge (1e300: sums of a few hundred stay
/// finite whatever the order).
fn value(rng: &mut Rng) -> f64 {
    match rng.below(20) {
        0 => f64::NAN,
        1 => f64::INFINITY,
        2 => f64::NEG_INFINITY,
        3 => rng.uniform(-1.0, 1.0) * 1e300,
        4 => rng.uniform(-1.0, 1.0) * 1e-300,
        _ => rng.uniform(-10.0, 10.0),
    }
}

/// The same logical array in one of three layouts: C order, column-major (transposed
/// storage), or negative strides on every axis.
fn layout<D: ndarray::Dimension>(
    p: &ndarray::Array<f64, D>,
    kind: usize,
) -> ndarray::Array<f64, D> {
    match kind {
        0 => p.clone(),
        1 => {
            let mut f = ndarray::Array::zeros(p.raw_dim().f());
            f.assign(p);
            f
        }
        _ => {
            let mut rev = p.view();
            for k in 0..p.ndim() {
                rev.invert_axis(Axis(k));
            }
            let mut r = rev.to_owned();
            for k in 0..p.ndim() {
                r.invert_axis(Axis(k));
            }
            r
        }
    }
}

proptest! {
    #![proptest_config(config())]

    /// histogramdd / histogram (counts and weighted sums) on hostile grids and points agree
    /// with the linear scan over the edges.
    #[test]
    fn histograms_match_the_edge_scan(seed in any::<u64>(), d in 1usize..=4, n in 0usize..300,
                                      kind in 0usize..3) {
        let mut rng = Rng::new(seed);
        let axes: Vec<AxisBins> = (0..d).filter_map(|_| axis(&mut rng)).collect();
        prop_assume!(axes.len() == d);
        let edges: Vec<Vec<f64>> = axes.iter().map(|a| a.edges_vec()).collect();
        let p = Array2::from_shape_fn((n, d), |(_, k)| coord(&mut rng, &axes[k]));
        let w = Array1::from_shape_fn(n, |_| value(&mut rng));
        let grid = Grid::new(axes.clone()).unwrap();
        let pts = layout(&p, kind);
        let rows: Vec<Vec<f64>> = p.rows().into_iter().map(|r| r.to_vec()).collect();
        let cells = reference::cell_values(&edges, &rows, &w.to_vec());
        let h = histogramdd(&pts, &grid, false).unwrap();
        for (c, (&got, vals)) in h.iter().zip(&cells).enumerate() {
            prop_assert_eq!(got, vals.len() as f64, "cell {}", c);
        }
        let hw = histogramdd_weighted(&pts, &w, &grid, false).unwrap();
        for (&got, vals) in hw.iter().zip(&cells) {
            let want = reference::statistic(vals, "sum", 0.0);
            let scale: f64 = vals.iter().map(|x| x.abs()).filter(|x| x.is_finite()).sum();
            prop_assert!(same(got, want, 1e-12, 1e-12 * scale), "{} vs {}", got, want);
        }
        // 1-d: np.histogram of the first coordinate (flattened from a transposed 2-d view).
        let col: Vec<f64> = p.column(0).to_vec();
        let h1 = histogram(&Array1::from(col.clone()), &axes[0], false).unwrap();
        let want: Vec<f64> = reference::cell_values(&edges[..1],
            &col.iter().map(|&x| vec![x]).collect::<Vec<_>>(), &col)
            .iter().map(|c| c.len() as f64).collect();
        prop_assert_eq!(h1.to_vec(), want);
        // Grid::cell agrees with the reference cell of each point.
        for r in rows.iter().take(20) {
            prop_assert_eq!(grid.cell(r).unwrap(), reference::cell_of(&edges, r));
        }
    }

    /// Binned Std/Mean/Min/Max/Count of hostile values (NaN, inf, 1e300) agree with the
    /// naive per-cell statistics; Std also for values near ±1e308 (compared through the
    /// identity std(c x) = c std(x)).
    #[test]
    fn binned_statistics_match_per_cell_values(seed in any::<u64>(), n in 0usize..200,
                                               near_max in any::<bool>()) {
        let mut rng = Rng::new(seed);
        let g = Grid::uniform(&[(0.0, 1.0), (0.0, 1.0)], &[1 + rng.below(4), 1 + rng.below(4)])
            .unwrap();
        let edges: Vec<Vec<f64>> = g.axes().iter().map(|a| a.edges_vec()).collect();
        let p = Array2::from_shape_fn((n, 2), |(_, k)| coord(&mut rng, &g.axes()[k]));
        let vals = Array1::from_shape_fn(n, |_| {
            if near_max && rng.below(8) != 0 {
                rng.uniform(-1.0, 1.0) * 1.7e308
            } else {
                value(&mut rng)
            }
        });
        let rows: Vec<Vec<f64>> = p.rows().into_iter().map(|r| r.to_vec()).collect();
        let cells = reference::cell_values(&edges, &rows, &vals.to_vec());
        let stats: &[(Statistic, &str)] = if near_max {
            &[(Statistic::Std, "std"), (Statistic::Max, "max"), (Statistic::Count, "count")]
        } else {
            &[(Statistic::Std, "std"), (Statistic::Mean, "mean"), (Statistic::Min, "min"),
              (Statistic::Max, "max"), (Statistic::Count, "count"), (Statistic::Last, "last")]
        };
        for &(stat, name) in stats {
            let r = binned_statistic_dd(&p, &vals, &g, stat, -1.0, Outside::Drop).unwrap();
            for (&got, c) in r.iter().zip(&cells) {
                let big = c.iter().fold(0.0f64, |m, x| m.max(x.abs()));
                let want = if name == "std" && big > 1e150 {
                    let k = 2f64.powi(-600);
                    let scaled: Vec<f64> = c.iter().map(|x| x * k).collect();
                    reference::statistic(&scaled, name, -k) / k
                } else {
                    reference::statistic(c, name, -1.0)
                };
                let atol = if big.is_finite() { 1e-9 * big } else { 0.0 };
                prop_assert!(same(got, want, 1e-9, atol), "{}: {} vs {} ({:?})", name, got,
                             want, c);
            }
        }
    }

    /// bincount / bincount_into / scatter_add with labels that are sometimes negative or past
    /// the end: either equal to the reference, or an `Err` (naming the label) that writes
    /// nothing.
    #[test]
    fn scatter_matches_reference_or_refuses(seed in any::<u64>(), n in 0usize..400,
                                            len in 0usize..40, bad_rate in 0usize..4) {
        let mut rng = Rng::new(seed);
        let labels: Vec<i64> = (0..n)
            .map(|_| {
                if bad_rate > 0 && rng.below(100) < bad_rate {
                    match rng.below(3) {
                        0 => -1 - rng.below(5) as i64,
                        1 => (len + rng.below(3)) as i64,
                        _ => i64::MIN,
                    }
                } else if len == 0 {
                    0
                } else {
                    rng.below(len) as i64
                }
            })
            .collect();
        let w: Vec<f64> = (0..n).map(|_| value(&mut rng)).collect();
        let valid = labels.iter().all(|&l| l >= 0 && (l as usize) < len);
        let x = Array1::from(labels.clone());
        let wa = Array1::from(w.clone());
        let mut out = Array1::<f64>::from_elem(len, 0.5);
        let r = bincount_weighted_into(&x, &wa, &mut out);
        let idx: Vec<usize> = labels.iter().map(|&l| l.max(0) as usize).collect();
        if valid {
            prop_assert!(r.is_ok(), "{:?}", r);
            let want = reference::bincount(&idx, Some(&w), len);
            // Same order of additions as the reference: equal, NaN included.
            for (&g, &e) in out.iter().zip(&want) {
                prop_assert!(same(g, e, 0.0, 0.0), "{} vs {}", g, e);
            }
        } else {
            let e = r.unwrap_err().to_string();
            prop_assert!(e.contains("index") && !e.contains("Outside"), "{}", e);
            prop_assert!(out.iter().all(|&o| o == 0.5), "written on error");
        }
        // Counts, into a reversed view.
        let mut counts = Array1::<usize>::from_elem(len, 7);
        let rc = bincount_into(&x.slice(s![..;-1]), &mut counts);
        if valid {
            prop_assert!(rc.is_ok());
            let want = reference::bincount(&idx, None, len);
            prop_assert_eq!(counts.iter().map(|&c| c as f64).collect::<Vec<_>>(), want);
        } else {
            prop_assert!(rc.is_err() && counts.iter().all(|&c| c == 7));
        }
        // bincount sizes itself: an Err exactly when a label is negative.
        let b = bincount(&x, len);
        prop_assert_eq!(b.is_ok(), labels.iter().all(|&l| l >= 0));
        // N-d scatter_add into a (len0, len1) target.
        let (d0, d1) = (1 + len % 5, 1 + len / 5);
        let index = Array2::from_shape_fn((n, 2), |(i, k)| {
            let l = labels[i];
            if k == 0 { l % (d0 as i64 + 1) } else { l / (d0 as i64 + 1) }
        });
        // The target is a transposed view: (d0, d1) over (d1, d0) storage.
        let mut storage = Array2::<f64>::from_elem((d1, d0), 1.0);
        let rs = scatter_add(&mut storage.view_mut().reversed_axes(), &index, &wa);
        let t = storage.t();
        let ok_nd = index.rows().into_iter().all(|r| r[0] >= 0 && (r[0] as usize) < d0
                                                 && r[1] >= 0 && (r[1] as usize) < d1);
        prop_assert_eq!(rs.is_ok(), ok_nd, "{:?}", rs);
        if ok_nd {
            let flat: Vec<usize> = index.rows().into_iter()
                .map(|r| r[0] as usize * d1 + r[1] as usize).collect();
            let want = reference::bincount(&flat, Some(&w), d0 * d1);
            for (&g, &e) in t.iter().zip(&want) {
                let e = 1.0 + e;
                prop_assert!(same(g, e, 0.0, 0.0), "{} vs {}", g, e);
            }
        } else {
            prop_assert!(t.iter().all(|&x| x == 1.0), "written on error");
        }
    }

    /// block_reduce of random N-d arrays (0..=4 dims, empty axes, huge blocks, transposed or
    /// reversed views, f64 and f32) agrees with the element-by-element reference.
    #[test]
    fn block_reduce_matches_reference(seed in any::<u64>(), nd in 0usize..=4, f32_input in any::<bool>(),
                                      view in 0usize..3, func in 0usize..7) {
        let mut rng = Rng::new(seed);
        let shape: Vec<usize> = (0..nd).map(|_| rng.below(8)).collect();
        let block: Vec<usize> = (0..nd)
            .map(|_| match rng.below(10) {
                0 => usize::MAX,
                1 => 1 << 40,
                _ => 1 + rng.below(5),
            })
            .collect();
        let base = ArrayD::from_shape_fn(IxDyn(&shape), |_| {
            let x = value(&mut rng);
            if f32_input { f64::from(x as f32) } else { x }
        });
        let a = layout(&base, view);
        let name = ["sum", "mean", "min", "max", "count_nonzero", "any", "fraction_nonzero"][func];
        let f: BlockFunc = name.parse().unwrap();
        let got = if f32_input {
            block_reduce(&a.mapv(|x| x as f32), &block, f).unwrap()
        } else {
            block_reduce(&a, &block, f).unwrap()
        };
        let want = reference::block_reduce(&base, &block, name);
        let scale = reference::block_reduce(&base.mapv(|x| if x.is_finite() { x.abs() } else { 0.0 }),
                                            &block, "sum");
        prop_assert_eq!(got.shape(), want.shape());
        for ((&g, &e), &s) in got.iter().zip(&want).zip(&scale) {
            prop_assert!(same(g, e, 1e-12, 1e-12 * s), "{}: {} vs {}", name, g, e);
        }
    }

    /// digitize (increasing or decreasing edges, NaN and ±inf values) agrees with the
    /// linear count.
    #[test]
    fn digitize_matches_the_count(seed in any::<u64>(), nb in 1usize..12, right in any::<bool>(),
                                  decreasing in any::<bool>()) {
        let mut rng = Rng::new(seed);
        let mut bins: Vec<f64> = (0..nb).map(|_| (rng.below(7) as f64 - 3.0) * 0.5).collect();
        bins.sort_by(f64::total_cmp);
        if decreasing {
            bins.reverse();
        }
        let xs = Array1::from_shape_fn(50, |_| match rng.below(8) {
            0 => f64::NAN,
            1 => f64::INFINITY,
            2 => f64::NEG_INFINITY,
            3 => bins[rng.below(nb)],
            _ => rng.uniform(-2.0, 2.0),
        });
        let d = digitize(&xs, &bins, right).unwrap();
        for (&x, &got) in xs.iter().zip(&d) {
            prop_assert_eq!(got, reference::digitize(x, &bins, right), "x = {}", x);
        }
    }
}
