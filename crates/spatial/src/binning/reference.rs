//! Naive oracles for the binning kernels: explicit edge lists scanned linearly, one `Vec` of
//! values per cell, element-by-element N-d walks. Slow and obvious on purpose; the tests and
//! benches compare the fast kernels against them.

use ndarray::{ArrayD, IxDyn};

/// The bin of `x` among explicit `edges` by a linear scan: `edges[i] <= x < edges[i+1]`, the
/// last bin closed; `None` outside or NaN.
pub fn bin_index(edges: &[f64], x: f64) -> Option<usize> {
    let n = edges.len() - 1;
    for i in 0..n {
        let upper_ok = if i == n - 1 {
            x <= edges[i + 1]
        } else {
            x < edges[i + 1]
        };
        if x >= edges[i] && upper_ok {
            return Some(i);
        }
    }
    None
}

/// Flat C-order cell of a point, `None` if any coordinate is outside.
pub fn cell_of(edges: &[Vec<f64>], p: &[f64]) -> Option<usize> {
    let mut c = 0;
    for (e, &x) in edges.iter().zip(p) {
        c = c * (e.len() - 1) + bin_index(e, x)?;
    }
    Some(c)
}

/// Values per cell (in point order) of `points` (rows) on the grid given by `edges`.
pub fn cell_values(edges: &[Vec<f64>], points: &[Vec<f64>], values: &[f64]) -> Vec<Vec<f64>> {
    let cells: usize = edges.iter().map(|e| e.len() - 1).product();
    let mut out = vec![Vec::new(); cells];
    for (p, &v) in points.iter().zip(values) {
        if let Some(c) = cell_of(edges, p) {
            out[c].push(v);
        }
    }
    out
}

/// A named statistic of one cell's values (`fill` when empty; count and sum give 0).
pub fn statistic(vals: &[f64], name: &str, fill: f64) -> f64 {
    let n = vals.len() as f64;
    match name {
        "count" => n,
        "sum" => vals.iter().sum(),
        _ if vals.is_empty() => fill,
        "mean" => vals.iter().sum::<f64>() / n,
        "std" => {
            let m = vals.iter().sum::<f64>() / n;
            (vals.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / n).sqrt()
        }
        "min" => vals.iter().copied().fold(f64::INFINITY, |a, b| {
            if a.is_nan() || b.is_nan() {
                f64::NAN
            } else {
                a.min(b)
            }
        }),
        "max" => vals.iter().copied().fold(f64::NEG_INFINITY, |a, b| {
            if a.is_nan() || b.is_nan() {
                f64::NAN
            } else {
                a.max(b)
            }
        }),
        "first" => vals[0],
        "last" => vals[vals.len() - 1],
        other => panic!("unknown statistic {other}"),
    }
}

/// np.bincount with optional weights.
pub fn bincount(x: &[usize], weights: Option<&[f64]>, minlength: usize) -> Vec<f64> {
    let len = x.iter().map(|&i| i + 1).max().unwrap_or(0).max(minlength);
    let mut out = vec![0.0; len];
    for (k, &i) in x.iter().enumerate() {
        out[i] += weights.map_or(1.0, |w| w[k]);
    }
    out
}

/// np.digitize for increasing or decreasing bins, by a linear scan.
pub fn digitize(x: f64, bins: &[f64], right: bool) -> usize {
    let inc = bins.windows(2).all(|w| w[0] <= w[1]);
    if x.is_nan() {
        return if inc { bins.len() } else { 0 };
    }
    if inc {
        bins.iter()
            .filter(|&&b| if right { b < x } else { b <= x })
            .count()
    } else {
        bins.iter()
            .filter(|&&b| if right { b >= x } else { b > x })
            .count()
    }
}

/// Block reduction with exact partial blocks: each output cell collects its elements by
/// walking the input element by element.
pub fn block_reduce(a: &ArrayD<f64>, block: &[usize], func: &str) -> ArrayD<f64> {
    let oshape: Vec<usize> = a
        .shape()
        .iter()
        .zip(block)
        .map(|(&n, &b)| n.div_ceil(b))
        .collect();
    let mut groups: Vec<Vec<f64>> = vec![Vec::new(); oshape.iter().product()];
    for (idx, &x) in a.indexed_iter() {
        let mut c = 0;
        for k in 0..a.ndim() {
            c = c * oshape[k] + idx[k] / block[k];
        }
        groups[c].push(x);
    }
    let out = groups
        .iter()
        .map(|g| {
            let nz = g.iter().filter(|&&x| x != 0.0).count() as f64;
            match func {
                "count_nonzero" => nz,
                "any" => f64::from(u8::from(nz > 0.0)),
                "fraction_nonzero" => nz / g.len() as f64,
                other => statistic(g, other, f64::NAN),
            }
        })
        .collect();
    ArrayD::from_shape_vec(IxDyn(&oshape), out).expect("one per block")
}
