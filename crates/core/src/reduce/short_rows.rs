//! Moments of many short contiguous rows: `sum`, `sum of squares` and `var` along a short last
//! axis (`a.var(axis=-1)` of a `(200, 200, 200, 8)` stack: 8 million rows of 8).
//!
//! One call per row through the general slice kernels costs more in horizontal reductions,
//! divisions and call overhead than the memory traffic of an 8-element row. Here four rows are
//! processed together: each row's partial sums stay in `f64x4` vectors, the four vectors are
//! transposed with one 4x4 shuffle, and four row totals come out of three vector adds. No
//! division per row (multiply by `1 / len`).
//!
//! The variance uses one pass shifted by the row's first element `c`: `S1 = sum(x - c)`,
//! `S2 = sum((x - c)^2)`, `SS = S2 - S1^2 / n`. Since `(c - mean)^2 <= SS`, the cancellation
//! is bounded: the relative error of `SS` is at most about `n^2` roundings — `256 eps = 6e-14`
//! for the `n <= SHORT_ROW = 16` rows this path takes, within the 1e-12 reference tolerance;
//! longer rows use the corrected two-pass.

use crate::element::{f64x4, Element};

/// Rows up to this length take the batched path.
pub(crate) const SHORT_ROW: usize = 16;

/// `(S1, S2)` partial vectors and scalar tails of one row, shifted by `c`.
#[inline(always)]
fn row_partials<T: Element>(row: &[T], c: f64) -> (f64x4, f64x4, f64, f64) {
    let cv = f64x4::splat(c);
    let zero = f64x4::splat(0.0);
    let (mut s1, mut s2) = (zero, zero);
    let mut chunks = row.chunks_exact(8);
    for ch in &mut chunks {
        let (a, b) = T::widen8(ch);
        let (ea, eb) = (a - cv, b - cv);
        s1 += ea + eb;
        s2 = ea.mul_add(ea, s2);
        s2 = eb.mul_add(eb, s2);
    }
    let (mut t1, mut t2) = (0.0, 0.0);
    for &v in chunks.remainder() {
        let e = v.as_f64() - c;
        t1 += e;
        t2 += e * e;
    }
    (s1, s2, t1, t2)
}

crate::multiversion! {
    /// For each row of the contiguous `(out.len(), len)` matrix `x` (`1 <= len <= SHORT_ROW`),
    /// `finish(S1, S2, c)` where `S1 = sum(x - c)`, `S2 = sum((x - c)^2)`, and `c` is the row's
    /// first element when `centered`, else 0.
    pub(crate) fn short_rows[T: Element](
        x: &[T],
        len: usize,
        centered: bool,
        out: &mut [f64],
        finish: impl Fn(f64, f64, f64) -> f64,
    ) {
        debug_assert!((1..=SHORT_ROW).contains(&len) && x.len() == len * out.len());
        let shift = |row: &[T]| if centered { row[0].as_f64() } else { 0.0 };
        let mut rows = x.chunks_exact(4 * len);
        let mut outs = out.chunks_exact_mut(4);
        for (block, o) in (&mut rows).zip(&mut outs) {
            let mut v1 = [f64x4::splat(0.0); 4];
            let mut v2 = [f64x4::splat(0.0); 4];
            let (mut t1, mut t2, mut cs) = ([0.0; 4], [0.0; 4], [0.0; 4]);
            for r in 0..4 {
                let row = &block[r * len..(r + 1) * len];
                cs[r] = shift(row);
                (v1[r], v2[r], t1[r], t2[r]) = row_partials(row, cs[r]);
            }
            // After the transpose, lane r of the sum of the four vectors is row r's total.
            let a = f64x4::transpose(v1);
            let b = f64x4::transpose(v2);
            let s1 = ((a[0] + a[1]) + (a[2] + a[3])) + f64x4::new(t1);
            let s2 = ((b[0] + b[1]) + (b[2] + b[3])) + f64x4::new(t2);
            let (s1, s2) = (s1.to_array(), s2.to_array());
            for r in 0..4 {
                o[r] = finish(s1[r], s2[r], cs[r]);
            }
        }
        for (row, o) in rows
            .remainder()
            .chunks_exact(len)
            .zip(outs.into_remainder())
        {
            let c = shift(row);
            let (v1, v2, t1, t2) = row_partials(row, c);
            *o = finish(v1.reduce_add() + t1, v2.reduce_add() + t2, c);
        }
    }
}
