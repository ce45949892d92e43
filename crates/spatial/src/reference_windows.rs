//! Naive scalar oracles for the window filters: every output sample computed directly from
//! its N-d window of the border-extended array, in `f64`, with no running sums, no separable
//! passes and no SIMD. Tests compare the fast paths against these. O(n * window) — small inputs
//! only.

use ndarray::{ArrayD, Dimension, IxDyn};

use crate::windows::WindowMode;
use ndkern_core::BorderMode;

/// The values of the N-d window of `shape` (scipy origin convention) around `idx`, each with
/// the window offset it sits at. `Shrink` leaves out-of-bounds samples out; `Constant(c)`
/// gives `c` for a sample outside the array along any axis.
pub fn window_values(
    a: &ArrayD<f64>,
    idx: &[usize],
    shape: &[usize],
    origins: &[isize],
    mode: WindowMode,
) -> Vec<(Vec<usize>, f64)> {
    let nd = a.ndim();
    let mut res = Vec::new();
    let total: usize = shape.iter().product();
    let mut k = vec![0usize; nd];
    for flat in 0..total {
        let mut rest = flat;
        for ax in (0..nd).rev() {
            k[ax] = rest % shape[ax];
            rest /= shape[ax];
        }
        let mut src = vec![0usize; nd];
        let mut outside = false;
        let mut constant = None;
        for ax in 0..nd {
            let before = (shape[ax] / 2) as isize + origins[ax];
            let i = idx[ax] as isize + k[ax] as isize - before;
            let n = a.shape()[ax];
            match mode {
                WindowMode::Shrink => {
                    if i < 0 || i >= n as isize {
                        outside = true;
                    } else {
                        src[ax] = i as usize;
                    }
                }
                WindowMode::Border(m) => match m.source_index(i, n) {
                    Some(s) => src[ax] = s,
                    None => {
                        if let BorderMode::Constant(c) = m {
                            constant = Some(c);
                        }
                    }
                },
            }
        }
        if outside {
            continue;
        }
        let v = constant.unwrap_or_else(|| a[IxDyn(&src)]);
        res.push((k.clone(), v));
    }
    res
}

/// Applies `f(index, window values)` at every element of `a`.
pub fn map_windows(
    a: &ArrayD<f64>,
    shape: &[usize],
    origins: &[isize],
    mode: WindowMode,
    f: impl Fn(&[(Vec<usize>, f64)]) -> f64,
) -> ArrayD<f64> {
    ArrayD::from_shape_fn(a.raw_dim(), |idx| {
        f(&window_values(a, idx.slice(), shape, origins, mode))
    })
}

/// Direct N-d correlation: `out[x] = sum_k w[k] * ext[x + k - shape/2 - origin]`.
pub fn correlate(
    a: &ArrayD<f64>,
    w: &ArrayD<f64>,
    mode: BorderMode,
    origins: &[isize],
) -> ArrayD<f64> {
    map_windows(a, w.shape(), origins, WindowMode::Border(mode), |vals| {
        vals.iter().map(|(k, v)| w[IxDyn(k)] * v).sum()
    })
}

/// N-d box sums (`mean = false`) or means; `Shrink` divides by the in-bounds count.
pub fn box_filter(
    a: &ArrayD<f64>,
    shape: &[usize],
    origins: &[isize],
    mode: WindowMode,
    mean: bool,
) -> ArrayD<f64> {
    map_windows(a, shape, origins, mode, |vals| {
        let s: f64 = vals.iter().map(|(_, v)| v).sum();
        if mean {
            s / vals.len() as f64
        } else {
            s
        }
    })
}

/// Two-pass mean and population variance of every N-d window.
pub fn mean_var(a: &ArrayD<f64>, shape: &[usize], mode: WindowMode) -> (ArrayD<f64>, ArrayD<f64>) {
    let origins = vec![0; a.ndim()];
    let m = box_filter(a, shape, &origins, mode, true);
    let v = map_windows(a, shape, &origins, mode, |vals| {
        let n = vals.len() as f64;
        let mu: f64 = vals.iter().map(|(_, v)| v).sum::<f64>() / n;
        vals.iter().map(|(_, v)| (v - mu) * (v - mu)).sum::<f64>() / n
    });
    (m, v)
}
