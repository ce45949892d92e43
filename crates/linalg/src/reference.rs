//! Naive scalar versions of the kernels, used as test and bench oracles. Straight from the
//! definitions, f64 throughout, no blocking, no SIMD, no whitening.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

/// `(x - y)^T M (x - y)` for a full d x d matrix `m` (identity when `None`).
pub fn quad_form(
    x: ArrayView1<'_, f64>,
    y: ArrayView1<'_, f64>,
    m: Option<ArrayView2<'_, f64>>,
) -> f64 {
    let d = x.len();
    let diff: Vec<f64> = (0..d).map(|i| x[i] - y[i]).collect();
    match m {
        None => diff.iter().map(|v| v * v).sum(),
        Some(m) => (0..d)
            .map(|i| (0..d).map(|j| diff[i] * m[[i, j]] * diff[j]).sum::<f64>())
            .sum(),
    }
}

/// All pairwise squared distances `(x - y)^T M (x - y)` between rows.
pub fn cdist_sq(
    xa: ArrayView2<'_, f64>,
    xb: ArrayView2<'_, f64>,
    m: Option<ArrayView2<'_, f64>>,
) -> Array2<f64> {
    Array2::from_shape_fn((xa.nrows(), xb.nrows()), |(i, j)| {
        quad_form(xa.row(i), xb.row(j), m)
    })
}

/// Index of the nearest centroid (first on ties) and its squared distance, per row.
pub fn nearest(x: ArrayView2<'_, f64>, c: ArrayView2<'_, f64>) -> (Vec<usize>, Vec<f64>) {
    x.rows()
        .into_iter()
        .map(|r| {
            let mut best = (0, f64::INFINITY);
            for (k, cr) in c.rows().into_iter().enumerate() {
                let d = quad_form(r, cr, None);
                if d < best.1 {
                    best = (k, d);
                }
            }
            best
        })
        .unzip()
}

/// Least-squares line through `(i, y_i)`, `i = 0..n`, by the textbook two-pass formulas.
pub fn line(y: ArrayView1<'_, f64>) -> (f64, f64) {
    let n = y.len() as f64;
    let xm = (n - 1.0) / 2.0;
    let ym = y.sum() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, v) in y.iter().enumerate() {
        sxy += (i as f64 - xm) * (v - ym);
        sxx += (i as f64 - xm) * (i as f64 - xm);
    }
    let s = sxy / sxx;
    (s, ym - s * xm)
}

/// Naive Horner evaluation of numpy-order coefficients.
pub fn polyval(p: &[f64], x: f64) -> f64 {
    p.iter().fold(0.0, |acc, c| acc * x + c)
}

/// Lloyd's algorithm, textbook: assign every point, then recompute every mean; stops when
/// no label changes or after `max_iter` iterations. Empty clusters keep their centroid.
pub fn lloyd(
    x: ArrayView2<'_, f64>,
    init: ArrayView2<'_, f64>,
    max_iter: usize,
) -> (Array1<usize>, Array2<f64>) {
    let mut c = init.to_owned();
    let mut labels = vec![usize::MAX; x.nrows()];
    for _ in 0..max_iter {
        let (l, _) = nearest(x, c.view());
        if l == labels {
            break;
        }
        labels = l;
        for k in 0..c.nrows() {
            let members: Vec<usize> = (0..x.nrows()).filter(|&i| labels[i] == k).collect();
            if members.is_empty() {
                continue;
            }
            for j in 0..c.ncols() {
                c[[k, j]] = members.iter().map(|&i| x[[i, j]]).sum::<f64>() / members.len() as f64;
            }
        }
    }
    let (l, _) = nearest(x, c.view());
    (Array1::from(l), c)
}

/// Eigenvalues (ascending) of one symmetric 3x3 matrix by nalgebra's `SymmetricEigen`
/// (implicit QL, independent of this crate's closed form and Jacobi).
pub fn eigvalsh3(m: [[f64; 3]; 3]) -> [f64; 3] {
    let a = nalgebra::Matrix3::from_fn(|i, j| m[i][j]);
    let mut w: Vec<f64> = nalgebra::SymmetricEigen::new(a)
        .eigenvalues
        .iter()
        .copied()
        .collect();
    w.sort_by(f64::total_cmp);
    [w[0], w[1], w[2]]
}

/// `np.gradient(f, axis)` (unit spacing, first-order edges) of a C-order array, plain loops.
pub fn gradient_axis(f: &[f64], shape: &[usize], axis: usize) -> Vec<f64> {
    let n = shape[axis];
    let inner: usize = shape[axis + 1..].iter().product();
    let outer: usize = shape[..axis].iter().product();
    let mut out = vec![0.0; f.len()];
    for o in 0..outer {
        for i in 0..n {
            for k in 0..inner {
                let at = |j: usize| f[(o * n + j) * inner + k];
                out[(o * n + i) * inner + k] = if i == 0 {
                    at(1) - at(0)
                } else if i == n - 1 {
                    at(n - 1) - at(n - 2)
                } else {
                    (at(i + 1) - at(i - 1)) / 2.0
                };
            }
        }
    }
    out
}

/// Eigenvalues (descending) and eigenvectors (columns, same order) of a small symmetric
/// matrix by nalgebra's `SymmetricEigen`.
pub fn eigh_desc(c: &Array2<f64>) -> (Vec<f64>, Array2<f64>) {
    let d = c.nrows();
    let e = nalgebra::SymmetricEigen::new(nalgebra::DMatrix::from_fn(d, d, |i, j| c[[i, j]]));
    let mut idx: Vec<usize> = (0..d).collect();
    idx.sort_by(|&x, &y| e.eigenvalues[y].total_cmp(&e.eigenvalues[x]));
    let w = idx.iter().map(|&k| e.eigenvalues[k]).collect();
    let v = Array2::from_shape_fn((d, d), |(j, k)| e.eigenvectors[(j, idx[k])]);
    (w, v)
}

/// Q12 naively: `np.gradient` twice ([`gradient_axis`]) then [`eigvalsh3`] per element of a
/// C-order 3-D array; three planes (ascending) in C order.
pub fn hessian_eigvalsh3(f: &[f64], shape: &[usize]) -> [Vec<f64>; 3] {
    let g: Vec<Vec<f64>> = (0..3).map(|ax| gradient_axis(f, shape, ax)).collect();
    let mut h = Vec::new();
    for (i, gi) in g.iter().enumerate() {
        for j in i..3 {
            h.push(gradient_axis(gi, shape, j));
        }
    }
    let mut out: [Vec<f64>; 3] = std::array::from_fn(|_| Vec::with_capacity(f.len()));
    #[allow(clippy::needless_range_loop)] // e indexes six planes at once
    for e in 0..f.len() {
        let m = [
            [h[0][e], h[1][e], h[2][e]],
            [h[1][e], h[3][e], h[4][e]],
            [h[2][e], h[4][e], h[5][e]],
        ];
        for (o, l) in out.iter_mut().zip(eigvalsh3(m)) {
            o.push(l);
        }
    }
    out
}
