//! Accumulating slice kernels: `sum`, `sum_sq`, `sum_dev`, `dot`.
//!
//! All of them accumulate in `f64` (f32 input is widened eight lanes at a time), keep four
//! independent `f64x4` accumulators so the adds pipeline, and combine leaf blocks of
//! [`LEAF`] elements pairwise, the way numpy's pairwise sum does: the rounding error of a sum
//! of `n` terms grows like `log2(n / LEAF)`, not like `n`. The naive twins in
//! [`crate::reference`] are the oracles.
//!
//! ```
//! let x: Vec<f32> = (0..1000).map(|i| i as f32).collect();
//! assert_eq!(ndkern_core::sum(&x), 499_500.0);
//! assert_eq!(ndkern_core::dot(&x[..3], &[1.0, 1.0, 1.0]).unwrap(), 3.0);
//! ```

use crate::element::{f64x4, Element};
use crate::error::{Error, Result};

/// Elements per leaf block of the pairwise sums (a multiple of 16, the unroll width).
pub const LEAF: usize = 2048;

/// Splits `n` at a multiple of 16 near its middle, so both halves stay SIMD-aligned.
#[inline]
fn split_point(n: usize) -> usize {
    (n / 2).div_ceil(16) * 16
}

/// Slices at least this long are split across rayon workers (same pairwise tree, so the
/// result is identical to the serial one).
pub const PAR_SUM_MIN: usize = 1 << 20;

/// Pairwise combination of leaf results over `x`.
#[inline]
fn pairwise<T: Element>(x: &[T], leaf: &(impl Fn(&[T]) -> f64 + Sync)) -> f64 {
    if x.len() <= LEAF {
        leaf(x)
    } else {
        let (a, b) = x.split_at(split_point(x.len()));
        if x.len() >= PAR_SUM_MIN {
            let (p, q) = rayon::join(|| pairwise(a, leaf), || pairwise(b, leaf));
            p + q
        } else {
            pairwise(a, leaf) + pairwise(b, leaf)
        }
    }
}

/// Sum of `map(x_i)` over one leaf, sixteen elements per step into four accumulators.
#[inline(always)]
fn leaf_map<T: Element>(
    x: &[T],
    map: impl Fn(f64x4) -> f64x4,
    map_scalar: impl Fn(f64) -> f64,
) -> f64 {
    let zero = f64x4::splat(0.0);
    let (mut a0, mut a1, mut a2, mut a3) = (zero, zero, zero, zero);
    let mut chunks = x.chunks_exact(16);
    for c in &mut chunks {
        let (v0, v1) = T::widen8(&c[..8]);
        let (v2, v3) = T::widen8(&c[8..]);
        a0 += map(v0);
        a1 += map(v1);
        a2 += map(v2);
        a3 += map(v3);
    }
    let mut rem = chunks.remainder();
    if rem.len() >= 8 {
        // Short lanes (8..16 elements, common in axis reductions) still take the SIMD path.
        let (v0, v1) = T::widen8(rem);
        a0 += map(v0);
        a1 += map(v1);
        rem = &rem[8..];
    }
    let mut s = ((a0 + a1) + (a2 + a3)).reduce_add();
    for &v in rem {
        s += map_scalar(v.as_f64());
    }
    s
}

/// `(sum(x - c), sum((x - c)^2))` over one leaf in one pass.
#[inline(always)]
fn leaf_dev<T: Element>(x: &[T], c: f64) -> (f64, f64) {
    let cv = f64x4::splat(c);
    let zero = f64x4::splat(0.0);
    let (mut d0, mut d1, mut q0, mut q1) = (zero, zero, zero, zero);
    let mut chunks = x.chunks_exact(8);
    for ch in &mut chunks {
        let (v0, v1) = T::widen8(ch);
        let (e0, e1) = (v0 - cv, v1 - cv);
        d0 += e0;
        d1 += e1;
        q0 = e0.mul_add(e0, q0);
        q1 = e1.mul_add(e1, q1);
    }
    let (mut d, mut q) = ((d0 + d1).reduce_add(), (q0 + q1).reduce_add());
    for &v in chunks.remainder() {
        let e = v.as_f64() - c;
        d += e;
        q += e * e;
    }
    (d, q)
}

crate::multiversion! {
    /// One leaf of [`sum`], compiled per SIMD level.
    fn sum_leaf[T: Element](x: &[T]) -> f64 {
        leaf_map(x, |v| v, |v| v)
    }
}

crate::multiversion! {
    /// One leaf of [`sum_sq`], compiled per SIMD level.
    fn sum_sq_leaf[T: Element](x: &[T]) -> f64 {
        leaf_map(x, |v| v * v, |v| v * v)
    }
}

crate::multiversion! {
    /// One leaf of [`sum_dev`], compiled per SIMD level.
    fn dev_leaf[T: Element](x: &[T], c: f64) -> (f64, f64) {
        leaf_dev(x, c)
    }
}

/// Sum of the elements, accumulated in `f64`. The empty sum is 0.
#[inline]
pub fn sum<T: Element>(x: &[T]) -> f64 {
    let leaf = |b: &[T]| sum_leaf(b);
    // Short slices (one leaf) skip the recursive driver entirely: no call, no branch tree.
    if x.len() <= LEAF {
        leaf(x)
    } else {
        pairwise(x, &leaf)
    }
}

/// Sum of squares, accumulated in `f64`.
#[inline]
pub fn sum_sq<T: Element>(x: &[T]) -> f64 {
    let leaf = |b: &[T]| sum_sq_leaf(b);
    if x.len() <= LEAF {
        leaf(x)
    } else {
        pairwise(x, &leaf)
    }
}

/// `(sum(x - c), sum((x - c)^2))` in `f64`: the two sums of a corrected two-pass variance
/// (`c` is the mean from a first pass; the first sum is the rounding-error correction).
#[inline]
pub fn sum_dev<T: Element>(x: &[T], c: f64) -> (f64, f64) {
    if x.len() <= LEAF {
        dev_leaf(x, c)
    } else {
        sum_dev_tree(x, c)
    }
}

fn sum_dev_tree<T: Element>(x: &[T], c: f64) -> (f64, f64) {
    if x.len() <= LEAF {
        return dev_leaf(x, c);
    }
    let (a, b) = x.split_at(split_point(x.len()));
    let ((p, q), (r, s)) = if x.len() >= PAR_SUM_MIN {
        rayon::join(|| sum_dev_tree(a, c), || sum_dev_tree(b, c))
    } else {
        (sum_dev_tree(a, c), sum_dev_tree(b, c))
    };
    (p + r, q + s)
}

/// Dot product in `f64`. `Err` when the lengths differ.
#[inline]
pub fn dot<T: Element>(x: &[T], y: &[T]) -> Result<f64> {
    if x.len() != y.len() {
        return Err(Error::ShapeMismatch {
            expected: vec![x.len()],
            got: vec![y.len()],
        });
    }
    Ok(dot_leafs(x, y))
}

fn dot_leafs<T: Element>(x: &[T], y: &[T]) -> f64 {
    if x.len() > LEAF {
        let m = split_point(x.len());
        let (x0, x1) = x.split_at(m);
        let (y0, y1) = y.split_at(m);
        if x.len() >= PAR_SUM_MIN {
            let (p, q) = rayon::join(|| dot_leafs(x0, y0), || dot_leafs(x1, y1));
            return p + q;
        }
        return dot_leafs(x0, y0) + dot_leafs(x1, y1);
    }
    dot_leaf(x, y)
}

crate::multiversion! {
    /// One leaf of [`dot`] (equal lengths), compiled per SIMD level.
    fn dot_leaf[T: Element](x: &[T], y: &[T]) -> f64 {
        dot_leaf_body(x, y)
    }
}

#[inline(always)]
fn dot_leaf_body<T: Element>(x: &[T], y: &[T]) -> f64 {
    let zero = f64x4::splat(0.0);
    let (mut a0, mut a1, mut a2, mut a3) = (zero, zero, zero, zero);
    let mut cx = x.chunks_exact(16);
    let mut cy = y.chunks_exact(16);
    for (p, q) in (&mut cx).zip(&mut cy) {
        let (x0, x1) = T::widen8(&p[..8]);
        let (x2, x3) = T::widen8(&p[8..]);
        let (y0, y1) = T::widen8(&q[..8]);
        let (y2, y3) = T::widen8(&q[8..]);
        a0 = x0.mul_add(y0, a0);
        a1 = x1.mul_add(y1, a1);
        a2 = x2.mul_add(y2, a2);
        a3 = x3.mul_add(y3, a3);
    }
    let mut s = ((a0 + a1) + (a2 + a3)).reduce_add();
    for (&p, &q) in cx.remainder().iter().zip(cy.remainder()) {
        s += p.as_f64() * q.as_f64();
    }
    s
}
