//! The direct-difference kernel for small `d`: `sum (x_k - y_k)^2` with the second set stored
//! as coordinate planes, `f64x4` vectors across its points. Exact to a few ulps for every
//! entry (no cancellation), and faster than the GEMM trick below the crossover in
//! `GEMM_MIN_D` (it needs no packing, norms or fix-up pass). A tile is one
//! `ndkern_core::multiversion!` leaf: AVX2+FMA or AVX-512 code at those dispatched levels.

use ndkern_core::{f64x4, Element};

use super::{RowTile, Tiled};

/// Coordinate planes of `n` whitened points (`d` planes of `n` values, padded to a multiple
/// of 4 with copies of the last point so padded lanes are harmless).
pub(super) struct Direct<'a> {
    a: &'a [f64],
    d: usize,
    n: usize,
    data: Vec<f64>,
    stride: usize,
}

impl<'a> Direct<'a> {
    /// `a`: the first set (m x d, row-major); `b`: the second (n x d).
    pub(super) fn new(a: &'a [f64], b: &[f64], d: usize) -> Direct<'a> {
        let n = b.len().checked_div(d).unwrap_or(0);
        let stride = n.div_ceil(4) * 4;
        let mut data = vec![0.0; stride * d];
        for k in 0..d {
            for i in 0..stride {
                let src = i.min(n.saturating_sub(1));
                data[k * stride + i] = if n > 0 { b[src * d + k] } else { 0.0 };
            }
        }
        Direct {
            a,
            d,
            n,
            data,
            stride,
        }
    }

    /// Squared distances from `a` (length d) to points `4c..4c+4`.
    #[inline(always)]
    fn sq4(&self, a: &[f64], c: usize) -> f64x4 {
        let mut acc = f64x4::splat(0.0);
        for (k, &ak) in a.iter().enumerate() {
            let s = &self.data[k * self.stride + 4 * c..k * self.stride + 4 * c + 4];
            let diff = f64x4::new([s[0], s[1], s[2], s[3]]) - f64x4::splat(ak);
            acc = diff.mul_add(diff, acc);
        }
        acc
    }
}

impl Tiled for Direct<'_> {
    fn tile_rows(&self) -> usize {
        16
    }

    fn tile<T: Element>(&self, tile: &mut RowTile<'_, '_, T>) {
        direct_tile(self, tile);
    }
}

ndkern_core::multiversion! {
    /// The rows of one tile, compiled per SIMD level (the leaf below rayon's split).
    fn direct_tile[T: Element](k: &Direct<'_>, tile: &mut RowTile<'_, '_, T>) {
        let d = k.d;
        let mut buf = vec![0.0f64; k.stride];
        for r in 0..tile.rows.len() {
            let i = tile.i0 + r;
            let start = tile.start(i);
            let ai = &k.a[i * d..(i + 1) * d];
            // Whole-vector stores into the f64 row buffer, then one conversion pass.
            for c in start / 4..k.stride / 4 {
                let v = k.sq4(ai, c);
                let v = if tile.sqrt { v.sqrt() } else { v };
                buf[4 * c..4 * c + 4].copy_from_slice(&v.to_array());
            }
            for (dst, x) in tile.rows[r].iter_mut().zip(&buf[start..k.n]) {
                *dst = T::of_f64(*x);
            }
        }
    }
}
