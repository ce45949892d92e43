//! Naive scalar twins of every kernel: the oracles of the tests and the baselines of the
//! benches. Written for obviousness, not speed; sums are plain left-to-right `f64` loops.
#![allow(missing_docs)]

use ndarray::{ArrayBase, ArrayD, Data, Dimension, IxDyn};

use crate::border::BorderMode;
use crate::element::Element;

pub fn sum<T: Element>(x: &[T]) -> f64 {
    x.iter().map(|v| v.as_f64()).sum()
}

pub fn sum_sq<T: Element>(x: &[T]) -> f64 {
    x.iter().map(|v| v.as_f64() * v.as_f64()).sum()
}

pub fn sum_dev<T: Element>(x: &[T], c: f64) -> (f64, f64) {
    let d: f64 = x.iter().map(|v| v.as_f64() - c).sum();
    let d2: f64 = x.iter().map(|v| (v.as_f64() - c).powi(2)).sum();
    (d, d2)
}

pub fn dot<T: Element>(x: &[T], y: &[T]) -> f64 {
    x.iter().zip(y).map(|(a, b)| a.as_f64() * b.as_f64()).sum()
}

pub fn min<T: Element>(x: &[T]) -> Option<T> {
    let mut it = x.iter().copied();
    let first = it.next()?;
    Some(it.fold(first, |a, b| {
        if a.is_nan() || b.is_nan() {
            T::nan()
        } else {
            a.min(b)
        }
    }))
}

pub fn max<T: Element>(x: &[T]) -> Option<T> {
    let mut it = x.iter().copied();
    let first = it.next()?;
    Some(it.fold(first, |a, b| {
        if a.is_nan() || b.is_nan() {
            T::nan()
        } else {
            a.max(b)
        }
    }))
}

pub fn scale<T: Element>(a: T, x: &[T]) -> Vec<T> {
    x.iter().map(|&v| a * v).collect()
}

pub fn axpy<T: Element>(a: T, x: &[T], y: &[T]) -> Vec<T> {
    x.iter().zip(y).map(|(&u, &v)| a * u + v).collect()
}

pub fn prefix_sum<T: Element>(x: &[T]) -> Vec<T> {
    let mut s = 0.0f64;
    x.iter()
        .map(|v| {
            s += v.as_f64();
            T::of_f64(s)
        })
        .collect()
}

/// Every valid window summed from scratch: O(n w), no running state to drift.
pub fn window_sum<T: Element>(x: &[T], w: usize) -> Vec<T> {
    if w == 0 || w > x.len() {
        return Vec::new();
    }
    (0..=x.len() - w)
        .map(|i| T::of_f64(sum(&x[i..i + w])))
        .collect()
}

/// The extended line by the textbook definitions of the modes (np.pad equivalents), computed
/// by walking outward one sample at a time rather than by index arithmetic.
pub fn extend_line<T: Element>(
    line: &[T],
    before: usize,
    after: usize,
    mode: BorderMode,
) -> Vec<T> {
    let n = line.len() as isize;
    let fill = match mode {
        BorderMode::Constant(c) => T::of_f64(c),
        _ => T::zero(),
    };
    let at = |i: isize| -> T {
        if n == 0 {
            return fill;
        }
        let mut i = i;
        match mode {
            BorderMode::Constant(_) => {
                if (0..n).contains(&i) {
                    line[i as usize]
                } else {
                    fill
                }
            }
            BorderMode::Nearest => line[i.clamp(0, n - 1) as usize],
            BorderMode::Wrap => {
                while i < 0 {
                    i += n;
                }
                while i >= n {
                    i -= n;
                }
                line[i as usize]
            }
            BorderMode::Reflect => {
                // Fold at the half-sample points -0.5 and n - 0.5 until inside.
                while !(0..n).contains(&i) {
                    if i < 0 {
                        i = -i - 1;
                    } else {
                        i = 2 * n - i - 1;
                    }
                }
                line[i as usize]
            }
            BorderMode::Mirror => {
                if n == 1 {
                    return line[0];
                }
                // Fold at the sample points 0 and n - 1 until inside.
                while !(0..n).contains(&i) {
                    if i < 0 {
                        i = -i;
                    } else {
                        i = 2 * (n - 1) - i;
                    }
                }
                line[i as usize]
            }
        }
    };
    (-(before as isize)..n + after as isize).map(at).collect()
}

/// Naive N-d reduction: for every output index, collect the reduced elements by walking the
/// whole input with plain multi-indices, then apply `f` to them (as `f64`).
pub fn reduce_nd<T: Element, S: Data<Elem = T>, D: Dimension, O: Clone + Default>(
    a: &ArrayBase<S, D>,
    mask: &[bool],
    keepdims: bool,
    f: impl Fn(&[f64]) -> O,
) -> ArrayD<O> {
    let out_shape: Vec<usize> = a
        .shape()
        .iter()
        .zip(mask)
        .filter_map(|(&l, &m)| if m { keepdims.then_some(1) } else { Some(l) })
        .collect();
    let n_out: usize = out_shape.iter().product();
    let mut groups: Vec<Vec<f64>> = vec![Vec::new(); n_out];
    for (idx, v) in a.view().into_dyn().indexed_iter() {
        let mut lin = 0usize;
        for (ax, &m) in mask.iter().enumerate() {
            if !m {
                lin = lin * a.shape()[ax] + idx[ax];
            }
        }
        groups[lin].push(v.as_f64());
    }
    let vals: Vec<O> = groups.iter().map(|g| f(g)).collect();
    ArrayD::from_shape_vec(IxDyn(&out_shape), vals).expect("reference output shape")
}
