//! Q4: points `(x, y)` in [0, 1)^2 and an N x N 0/1 mask (N = 5000): the indices of the points
//! that fall into "on" cells. The cell is found by arithmetic, `(x - lo) * inv_step`, never by
//! `digitize`.
//!
//! numpy: `ix = (pts * N).astype(int); np.nonzero(mask[ix[:, 0], ix[:, 1]])[0]`. ndkern:
//! `select_in_mask(&pts, &grid, &mask)`.
//!
//! Run: `cargo run --release --example q04_points_in_mask`

use ndarray::Array2;
use ndkern::spatial::binning::{select_in_mask, Grid};

fn main() -> Result<(), ndkern::Error> {
    let n_grid = 5000;
    let n = 2_000_000;
    let mut s = 12345u64;
    let mut rnd = move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let pts = Array2::from_shape_fn((n, 2), |_| rnd());
    // A mask of discs.
    let mask = Array2::from_shape_fn((n_grid, n_grid), |(i, j)| (i / 100 + j / 100) % 3 == 0);
    let grid = Grid::uniform(&[(0.0, 1.0), (0.0, 1.0)], &[n_grid, n_grid])?;

    let t = std::time::Instant::now();
    let sel = select_in_mask(&pts, &grid, &mask)?;
    println!(
        "{} of {n} points in 'on' cells of a {n_grid}x{n_grid} mask: {:.1} ms",
        sel.len(),
        t.elapsed().as_secs_f64() * 1e3
    );

    // Independent check: the numpy idiom (x * N truncated) on every point.
    let want: Vec<usize> = (0..n)
        .filter(|&i| {
            let (ix, iy) = (
                (pts[[i, 0]] * n_grid as f64) as usize,
                (pts[[i, 1]] * n_grid as f64) as usize,
            );
            mask[[ix, iy]]
        })
        .collect();
    assert_eq!(sel, want);
    println!("matches mask[(x*N).astype(int), (y*N).astype(int)] for every point");
    Ok(())
}
