//! The GEMM trick for larger `d`: `|x|^2 + |y|^2 - 2 x.y` with the dot products from a
//! cache-tiled register-blocked micro-kernel, then a fix-up pass that keeps every entry
//! accurate.
//!
//! Blocking: the second set is packed once into panels of 8 points (`d x 8`, coordinates
//! minus the common mean), the first set per task into panels of 8 rows. The AVX-512 kernel
//! (used when the dispatched SIMD level, `ndkern_core::simd::level()`, is AVX-512) keeps an
//! 8 x 24 block of dot products in 24 `zmm` registers: per coordinate 3 loads, 8 broadcasts
//! and 24 FMAs, then the finishing operations on the registers; the `f64x4` kernel does 4 x 8
//! blocks. A whole tile (packing, kernels, fix-up and conversion) is one
//! `ndkern_core::multiversion!` leaf, so the `f64x4` kernel runs as AVX2+FMA code at the
//! AVX2 level (`NDKERN_SIMD=avx2` on an AVX-512 machine too) and as SSE2 only at the
//! baseline level. Column blocks of `NC` points (about 256 KiB packed) stay in L2 while each
//! row panel of a task's tile passes over them, so the output is written 8 rows at a time,
//! sequentially; rayon splits the rows into tiles.
//!
//! Accuracy: both sets are centred on their common mean first (the result is unchanged in
//! exact arithmetic and the offset of the data no longer cancels). With `s = |x|^2 + |y|^2`
//! (centred), the computed `v = s - 2 x.y` has absolute error at most `(2d + 2) u s`
//! (`u = 2^-53`: `d`-term dot product and norms, `|x.y| <= s/2`, two final roundings).
//! Entries with `v > tau s`, `tau = (2d + 2) 2^-20`, are thus within `2^-33` (1.2e-10) of
//! the exact value, relatively; every other entry (near-duplicates, the diagonal of
//! `cdist(x, x)`, any negative result) is recomputed by direct differences of the
//! uncentred points, so identical points give exactly 0. (Rounding the centred coordinates
//! moves an accepted entry by at most `2 u sqrt(2 / tau)` relatively, below 1e-13.) The
//! bound assumes fused multiply-adds, which every path uses (`f64x4::mul_add` is always
//! fused; at the baseline level it is the C library's `fma`). A fixed threshold such as
//! 1e-6 would guarantee only `(2d + 2) u / 1e-6` (1.4e-8 at d = 64); this one costs nothing
//! on typical data, where entries this small are near-duplicates (recomputing them is O(d)
//! each, like the direct kernel).

use ndkern_core::simd::Avx512;
use ndkern_core::{f64x4, Element};

use super::{RowTile, Tiled};

/// Rows of the first set per micro-panel.
const MR: usize = 8;
/// Points of the second set per packed panel.
const NR: usize = 8;
/// Panels per AVX-512 kernel call (`MR x GROUP * NR` dot products in registers).
const GROUP: usize = 3;
const GW: usize = GROUP * NR;

pub(super) struct Gemm<'a> {
    a: &'a [f64],
    b: &'a [f64],
    d: usize,
    n: usize,
    mu: Vec<f64>,
    /// Centred second set, panels of `NR` points, each `d x NR` (coordinate-major);
    /// padded with zero points to a multiple of `NR`.
    bp: Vec<f64>,
    /// Centred squared norms of the second set (zeros for padding).
    nb: Vec<f64>,
    /// Accept `v > tau * s` from the GEMM; recompute the rest directly.
    tau: f64,
    /// Column block (points), a multiple of `GW`.
    nc: usize,
    tile_rows: usize,
    /// Use the AVX-512 block: set from [`Avx512::new`] (the CPU has it and the dispatched
    /// level allows it).
    /// The AVX-512 block's token, when the dispatched level allows it.
    avx512: Option<Avx512>,
}

/// `sum c_k^2` in coordinate order, the same sequence for both sets.
#[inline(always)]
fn sqnorm(c: impl Iterator<Item = f64>) -> f64 {
    c.fold(0.0, |s, v| v.mul_add(v, s))
}

/// `sum (x_k - y_k)^2` of uncentred points: the fix-up. Eight independent lanes (two
/// `f64x4`), so the `d` FMAs do not wait on each other's latency (near-duplicate-rich data,
/// like the bench row's, sends ~1% of the entries here); still within a few ulps, and
/// exactly 0 for equal points.
#[inline(always)]
fn direct(x: &[f64], y: &[f64]) -> f64 {
    let mut acc = [f64x4::splat(0.0); 2];
    let (xc, yc) = (x.chunks_exact(8), y.chunks_exact(8));
    let (xr, yr) = (xc.remainder(), yc.remainder());
    for (a, b) in xc.zip(yc) {
        for (h, acc) in acc.iter_mut().enumerate() {
            let p = f64x4::new(a[4 * h..4 * h + 4].try_into().expect("4"));
            let q = f64x4::new(b[4 * h..4 * h + 4].try_into().expect("4"));
            let e = p - q;
            *acc = e.mul_add(e, *acc);
        }
    }
    let mut s = (acc[0] + acc[1]).reduce_add();
    for (p, q) in xr.iter().zip(yr) {
        let e = p - q;
        s = e.mul_add(e, s);
    }
    s
}

impl<'a> Gemm<'a> {
    /// `a`: the first set (m x d, row-major, whitened); `b`: the second (n x d).
    pub(super) fn new(a: &'a [f64], b: &'a [f64], d: usize) -> Gemm<'a> {
        let (m, n) = (a.len() / d, b.len() / d);
        let mut mu = vec![0.0; d];
        for r in a.chunks_exact(d).chain(b.chunks_exact(d)) {
            for (s, v) in mu.iter_mut().zip(r) {
                *s += v;
            }
        }
        let cnt = (m + n).max(1) as f64;
        mu.iter_mut().for_each(|s| *s /= cnt);
        let npad = n.div_ceil(NR) * NR;
        let mut bp = vec![0.0; npad * d];
        let mut nb = vec![0.0; npad];
        for (j, row) in b.chunks_exact(d).enumerate() {
            let panel = &mut bp[(j / NR) * d * NR..(j / NR + 1) * d * NR];
            for k in 0..d {
                panel[k * NR + j % NR] = row[k] - mu[k];
            }
            nb[j] = sqnorm(row.iter().zip(&mu).map(|(v, c)| v - c));
        }
        let nc = ((32 * 1024 / d) / GW).max(1) * GW;
        // About 8 tiles per thread for load balance, 16..=128 rows each (multiples of MR).
        let per = ndkern_core::split_per_thread(m, 1, 8).chunk;
        let tile_rows = per.div_ceil(MR).clamp(2, 16) * MR;
        let avx512 = Avx512::new();
        Gemm {
            a,
            b,
            d,
            n,
            mu,
            bp,
            nb,
            tau: (2 * d + 2) as f64 * (-20f64).exp2(),
            nc,
            tile_rows,
            avx512,
        }
    }

    /// One block: the `MR x np * NR` values `v = |x|^2 + |y|^2 - 2 x.y` (square-rooted when
    /// `sqrt`) of row panel `ap` (`d x MR`, norms `na`) against `np` panels from point `j`,
    /// into `g` (`MR x GW`, row-major); returns per row the lanes the bound does not vouch
    /// for (`v <= tau s`), which [`Gemm::write`] recomputes.
    #[inline(always)]
    fn block(
        &self,
        ap: &[f64],
        na: &[f64],
        j: usize,
        np: usize,
        sqrt: bool,
        g: &mut [f64; MR * GW],
    ) -> [u32; MR] {
        let d = self.d;
        let bp = &self.bp[j * d..(j + np * NR) * d];
        let nb = &self.nb[j..j + np * NR];
        let (ap, na) = (&ap[..d * MR], &na[..MR]);
        #[cfg(target_arch = "x86_64")]
        if let Some(t) = self.avx512 {
            use ndkern_core::simd::x86::gemm::{dist_block, NR as NR512};
            const { assert!(NR == NR512) };
            let tau = self.tau;
            return match np {
                1 => dist_block::<1, MR>(t, ap, bp, na, nb, d, tau, sqrt, g, GW),
                2 => dist_block::<2, MR>(t, ap, bp, na, nb, d, tau, sqrt, g, GW),
                _ => dist_block::<3, MR>(t, ap, bp, na, nb, d, tau, sqrt, g, GW),
            };
        }
        dots_f64x4(ap, bp, d, np, g);
        finish_f64x4(na, nb, self.tau, sqrt, np, g)
    }

    /// Writes rows `r0..r0 + rows` of the tile, points `j..j + w`, from `g`, after the
    /// fix-up of the lanes flagged in `bad` by direct differences of the uncentred points.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn write<T: Element>(
        &self,
        tile: &mut RowTile<'_, '_, T>,
        r0: usize,
        rows: usize,
        j: usize,
        w: usize,
        g: &mut [f64; MR * GW],
        bad: &[u32; MR],
    ) {
        let (d, n) = (self.d, self.n);
        for r in 0..rows {
            let i = tile.i0 + r0 + r;
            let start = tile.start(i);
            let (lo, hi) = (j.max(start), (j + w).min(n));
            if lo >= hi {
                continue;
            }
            let gr = &mut g[r * GW..r * GW + w];
            if bad[r] != 0 {
                let x = &self.a[i * d..(i + 1) * d];
                for (l, e) in gr.iter_mut().enumerate() {
                    if bad[r] & (1 << l) != 0 && j + l < n {
                        let v = direct(x, &self.b[(j + l) * d..(j + l + 1) * d]);
                        *e = if tile.sqrt { v.sqrt() } else { v };
                    }
                }
            }
            let out = &mut tile.rows[r0 + r][lo - start..hi - start];
            for (o, v) in out.iter_mut().zip(&gr[lo - j..hi - j]) {
                *o = T::of_f64(*v);
            }
        }
    }
}

/// The portable kernel: 4 rows x 8 points per block, `f64x4` across points (inlined into
/// the multiversioned tile, so AVX2+FMA at the AVX2 level).
#[inline(always)]
fn dots_f64x4(ap: &[f64], bp: &[f64], d: usize, np: usize, g: &mut [f64; MR * GW]) {
    for p in 0..np {
        let panel = &bp[p * d * NR..(p + 1) * d * NR];
        for h in 0..MR / 4 {
            let mut c = [[f64x4::splat(0.0); 2]; 4];
            for k in 0..d {
                let b0 = f64x4::new(panel[k * NR..k * NR + 4].try_into().expect("4"));
                let b1 = f64x4::new(panel[k * NR + 4..k * NR + 8].try_into().expect("4"));
                for (r, cr) in c.iter_mut().enumerate() {
                    let av = f64x4::splat(ap[k * MR + 4 * h + r]);
                    cr[0] = av.mul_add(b0, cr[0]);
                    cr[1] = av.mul_add(b1, cr[1]);
                }
            }
            for (r, cr) in c.iter().enumerate() {
                let o = (4 * h + r) * GW + p * NR;
                g[o..o + 4].copy_from_slice(&cr[0].to_array());
                g[o + 4..o + 8].copy_from_slice(&cr[1].to_array());
            }
        }
    }
}

/// `v = fma(-2, x.y, s)`, `s = |x|^2 + |y|^2`, in place over the dot products `g`; the lanes
/// with `!(v > tau s)` flagged per row (the same operations as the AVX-512 block).
#[inline(always)]
fn finish_f64x4(
    na: &[f64],
    nb: &[f64],
    tau: f64,
    sqrt: bool,
    np: usize,
    g: &mut [f64; MR * GW],
) -> [u32; MR] {
    let (m2, tau) = (f64x4::splat(-2.0), f64x4::splat(tau));
    let mut bad = [0u32; MR];
    for (r, br) in bad.iter_mut().enumerate() {
        let nar = f64x4::splat(na[r]);
        for c in (0..np * NR).step_by(4) {
            let s = nar + f64x4::new(nb[c..c + 4].try_into().expect("4"));
            let o = r * GW + c;
            let mut v = m2.mul_add(f64x4::new(g[o..o + 4].try_into().expect("4")), s);
            *br |= (!v.simd_gt(s * tau).to_bitmask() & 0b1111) << c;
            if sqrt {
                v = v.sqrt();
            }
            g[o..o + 4].copy_from_slice(&v.to_array());
        }
    }
    bad
}

impl Tiled for Gemm<'_> {
    fn tile_rows(&self) -> usize {
        self.tile_rows
    }

    fn tile<T: Element>(&self, tile: &mut RowTile<'_, '_, T>) {
        gemm_tile(self, tile);
    }
}

ndkern_core::multiversion! {
    /// One tile of rows against the whole second set: packing, the block kernels, the
    /// fix-up and the conversion, compiled per SIMD level (the leaf below rayon's split).
    fn gemm_tile[T: Element](k: &Gemm<'_>, tile: &mut RowTile<'_, '_, T>) {
        let (d, i0, nrows) = (k.d, tile.i0, tile.rows.len());
        let npanels = nrows.div_ceil(MR);
        // Pack this tile's rows: centred, panels of MR rows (d x MR), zero rows as padding.
        let mut ap = vec![0.0; npanels * d * MR];
        let mut na = vec![0.0; npanels * MR];
        for r in 0..nrows {
            let row = &k.a[(i0 + r) * d..(i0 + r + 1) * d];
            let panel = &mut ap[(r / MR) * d * MR..(r / MR + 1) * d * MR];
            for c in 0..d {
                panel[c * MR + r % MR] = row[c] - k.mu[c];
            }
            na[r] = sqnorm(row.iter().zip(&k.mu).map(|(v, c)| v - c));
        }
        let npad = k.n.div_ceil(NR) * NR;
        let align = |c: usize| c / NR * NR;
        let first = align(tile.start(i0));
        let mut g = [0.0f64; MR * GW];
        // Column blocks of `nc` points (about 256 KiB packed, L2-resident); each row panel
        // passes over a whole block, so its 8 output rows are written sequentially (measured:
        // 1.5-5x faster than GotoBLAS's order, which keeps a 24-point group in L1 but then
        // writes 24-column strips down all the tile's rows).
        for jb in (first..npad).step_by(k.nc) {
            let jend = (jb + k.nc).min(npad);
            for q in 0..npanels {
                let r0 = q * MR;
                let rows = MR.min(nrows - r0);
                let mut j = jb.max(align(tile.start(i0 + r0)));
                let apq = &ap[q * d * MR..(q + 1) * d * MR];
                while j < jend {
                    let np = ((jend - j) / NR).min(GROUP);
                    let bad = k.block(apq, &na[r0..], j, np, tile.sqrt, &mut g);
                    k.write(tile, r0, rows, j, np * NR, &mut g, &bad);
                    j += np * NR;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both kernels (AVX-512 when the CPU has it, and the portable one, forced) against
    /// naive direct differences, on shapes crossing every edge: 8-row panels, 1..=3-panel
    /// groups, padded points, near-duplicates that need the fix-up, and the `sqrt` finish.
    #[test]
    fn portable_and_avx512_kernels_against_direct_sums() {
        let mut s = 7u64;
        let mut r = move || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64 + 100.0
        };
        for (m, n, d) in [
            (1, 1, 6),
            (9, 23, 7),
            (17, 25, 16),
            (40, 49, 33),
            (8, 8, 64),
        ] {
            let a: Vec<f64> = (0..m * d).map(|_| r()).collect();
            let mut b: Vec<f64> = (0..n * d).map(|_| r()).collect();
            // Point 0 of b duplicates point 0 of a; point 1 (if any) is 1e-9 away from it.
            b[..d].copy_from_slice(&a[..d]);
            if n > 1 {
                b.copy_within(..d, d);
                b[d] += 1e-9;
            }
            for force_portable in [false, true] {
                for sqrt in [false, true] {
                    let mut g = Gemm::new(&a, &b, d);
                    if force_portable {
                        g.avx512 = None;
                    }
                    let mut out = vec![0.0f64; m * n];
                    let mut rows: Vec<&mut [f64]> = out.chunks_mut(n).collect();
                    for (t, chunk) in rows.chunks_mut(g.tile_rows()).enumerate() {
                        g.tile(&mut RowTile {
                            i0: t * g.tile_rows(),
                            rows: chunk,
                            upper: false,
                            sqrt,
                        });
                    }
                    for i in 0..m {
                        for j in 0..n {
                            let e: f64 =
                                (0..d).map(|k| (a[i * d + k] - b[j * d + k]).powi(2)).sum();
                            let e = if sqrt { e.sqrt() } else { e };
                            let got = out[i * n + j];
                            assert!(
                                (got - e).abs() <= 2f64.powi(-33) * e,
                                "portable={force_portable} sqrt={sqrt} ({m},{n},{d}) [{i},{j}]: {got:e} vs {e:e}"
                            );
                        }
                    }
                    assert_eq!(out[0], 0.0);
                }
            }
        }
    }
}
