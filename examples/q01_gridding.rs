//! Q1 (gridding half): scattered samples of a 3-D function, points `(n, 3)` and values
//! `(n,)`, mapped onto a regular grid with step 0.1 spanning the points' min..max. Points on a
//! cell edge are kept (numpy's closed last bin; the grid covers the maximum strictly inside);
//! several points in one cell get a defined rule (here the mean; `Statistic::{Sum, Count,
//! Last, ...}` are the alternatives). The smoothing half (3-D ball convolution) is in the
//! windows family.
//!
//! numpy: `ix = np.floor((pts - pts.min(0)) / 0.1).astype(int)`, `np.ravel_multi_index`, then
//! `np.bincount(flat, values) / np.bincount(flat)`. ndkern: `Grid::covering` +
//! `binned_statistic_dd`.
//!
//! Run: `cargo run --release --example q01_gridding`

use ndarray::{Array1, Array2};
use ndkern::spatial::binning::{binned_statistic_dd, cell_stats, Grid, Outside, Statistic};

fn f(x: f64, y: f64, z: f64) -> f64 {
    x + 2.0 * y + 3.0 * z
}

fn main() -> Result<(), ndkern::Error> {
    let n = 1_000_000;
    // A deterministic scatter in [0, 2] x [0, 1] x [0, 1.5], with some points exactly on
    // multiples of 0.1 and the box corners included.
    let mut s = 0x9e3779b97f4a7c15u64;
    let mut rnd = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let span = [2.0, 1.0, 1.5];
    let mut pts = Array2::from_shape_fn((n, 3), |(_, k)| {
        let r = rnd();
        if r < 0.1 {
            (rnd() * span[k] * 10.0).round() / 10.0
        } else {
            rnd() * span[k]
        }
    });
    pts.row_mut(0).assign(&ndarray::array![0.0, 0.0, 0.0]);
    pts.row_mut(1).assign(&ndarray::array![2.0, 1.0, 1.5]);
    let values: Array1<f64> = pts
        .rows()
        .into_iter()
        .map(|p| f(p[0], p[1], p[2]))
        .collect();

    let t = std::time::Instant::now();
    let grid = Grid::covering(&pts, &[0.1, 0.1, 0.1])?;
    let mean = binned_statistic_dd(
        &pts,
        &values,
        &grid,
        Statistic::Mean,
        f64::NAN,
        Outside::Error,
    )?;
    let dt = t.elapsed();
    println!(
        "grid {:?} from the points' min..max, step 0.1",
        grid.shape()
    );
    println!(
        "mean per cell of {n} points: {:.1} ms",
        dt.as_secs_f64() * 1e3
    );

    // Independent checks: no point lost (Outside::Error would have failed; the counts add up),
    // and f is increasing in x, y, z, so each cell's mean lies between f at the cell's lower
    // and upper corners.
    let st = cell_stats(&pts, &values, &grid, Outside::Error)?;
    let total: u64 = st.count().iter().sum();
    assert_eq!(total as usize, n, "every point lands in a cell");
    let axes = grid.axes();
    let mut checked = 0;
    for ((i, j, k), &m) in mean
        .view()
        .into_dimensionality::<ndarray::Ix3>()
        .unwrap()
        .indexed_iter()
    {
        if m.is_nan() {
            continue;
        }
        let lo = f(axes[0].edge(i)?, axes[1].edge(j)?, axes[2].edge(k)?);
        let hi = f(
            axes[0].edge(i + 1)?,
            axes[1].edge(j + 1)?,
            axes[2].edge(k + 1)?,
        );
        assert!(
            m >= lo - 1e-12 && m <= hi + 1e-12,
            "cell ({i},{j},{k}) mean {m} not in [{lo}, {hi}]"
        );
        checked += 1;
    }
    println!("{checked} non-empty cells, every mean within its cell's bounds of f; {total} points binned");
    println!(
        "mean[0, 0, 0] = {:.4}  (f at the cell centre: {:.4})",
        mean[[0, 0, 0]],
        f(0.05, 0.05, 0.05)
    );
    Ok(())
}
