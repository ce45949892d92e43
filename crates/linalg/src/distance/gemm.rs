//! The GEMM trick for larger `d`: `|x|^2 + |y|^2 - 2 x.y` with the dot products from a
//! cache-tiled register-blocked micro-kernel, then a fix-up pass that keeps every entry
//! accurate.
//!
//! Blocking: the second set is packed once into panels of 8 points (`d x 8`, coordinates
//! minus the common mean), the first set per task into panels of 8 rows. The AVX-512 kernel
//! (runtime-detected) keeps an 8 x 24 block of dot products in 24 `zmm` registers: per
//! coordinate 3 loads, 8 broadcasts and 24 FMAs; the `f64x4` kernel does 4 x 8 blocks. Column
//! blocks of `NC` points (about 256 KiB of packed data) stay in L2 while a task's row panels
//! pass over them; rayon splits the rows into tiles.
//!
//! Accuracy: both sets are centred on their common mean first (the result is unchanged in
//! exact arithmetic and the offset of the data no longer cancels). With `s = |x|^2 + |y|^2`
//! (centred), the computed `v = s - 2 x.y` has absolute error at most `(2d + 2) u s`
//! (`u = 2^-53`: `d`-term dot product and norms, `|x.y| <= s/2`, two final roundings).
//! Entries with `v > tau s`, `tau = (2d + 2) 2^-20`, are thus within `2^-33` (1.2e-10) of
//! the exact value, relatively; every other entry (near-duplicates, the diagonal of
//! `cdist(x, x)`, any negative result) is recomputed by direct differences of the
//! uncentred points, so identical points give exactly 0.

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
    avx512: bool,
}

/// `sum c_k^2` in coordinate order, the same sequence for both sets.
#[inline]
fn sqnorm(c: impl Iterator<Item = f64>) -> f64 {
    c.fold(0.0, |s, v| v.mul_add(v, s))
}

/// `sum (x_k - y_k)^2` of uncentred points: the fix-up.
#[inline]
fn direct(x: &[f64], y: &[f64]) -> f64 {
    x.iter().zip(y).fold(0.0, |s, (p, q)| {
        let e = p - q;
        e.mul_add(e, s)
    })
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
        let per = m.div_ceil(8 * rayon::current_num_threads().max(1));
        let tile_rows = per.div_ceil(MR).clamp(2, 16) * MR;
        #[cfg(target_arch = "x86_64")]
        let avx512 = std::arch::is_x86_feature_detected!("avx512f");
        #[cfg(not(target_arch = "x86_64"))]
        let avx512 = false;
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

    /// Dot products of row panel `ap` (`d x MR`) with `np` panels of the second set starting
    /// at panel `p0`, into `g` (`MR x GW`, row-major).
    #[inline]
    fn dots(&self, ap: &[f64], p0: usize, np: usize, g: &mut [f64; MR * GW]) {
        let d = self.d;
        let bp = &self.bp[p0 * d * NR..(p0 + np) * d * NR];
        #[cfg(target_arch = "x86_64")]
        if self.avx512 {
            // SAFETY: the CPU supports AVX-512F (detected in `new`); `ap` holds d x MR and
            // `bp` np panels of d x NR values (checked by the slicing above and below).
            unsafe {
                let ap = &ap[..d * MR];
                match np {
                    1 => avx512::dots::<1>(ap, bp, d, g),
                    2 => avx512::dots::<2>(ap, bp, d, g),
                    _ => avx512::dots::<3>(ap, bp, d, g),
                }
            }
            return;
        }
        dots_f64x4(ap, bp, d, np, g);
    }

    /// Distances of a row panel (`rows` valid rows from tile row `r0`) to the `w` points
    /// from `j`, from the dot products `g`; fix-up where the GEMM result is not trusted.
    #[allow(clippy::too_many_arguments)]
    fn epilogue<T: Element>(
        &self,
        tile: &mut RowTile<'_, '_, T>,
        r0: usize,
        rows: usize,
        na: &[f64],
        j: usize,
        w: usize,
        g: &[f64; MR * GW],
    ) {
        let (d, n) = (self.d, self.n);
        let (m2, tau) = (f64x4::splat(-2.0), f64x4::splat(self.tau));
        for r in 0..rows {
            let i = tile.i0 + r0 + r;
            let start = tile.start(i);
            if j + w <= start {
                continue;
            }
            let nai = f64x4::splat(na[r0 + r]);
            let out = &mut *tile.rows[r0 + r];
            for c in (0..w).step_by(4) {
                let j4 = j + c;
                if j4 + 4 <= start || j4 >= n {
                    continue;
                }
                let s = nai + f64x4::new(self.nb[j4..j4 + 4].try_into().expect("4"));
                let g4 = f64x4::new(g[r * GW + c..r * GW + c + 4].try_into().expect("4"));
                let mut v = m2.mul_add(g4, s);
                let ok = v.simd_gt(s * tau).to_bitmask();
                if ok != 0b1111 {
                    let mut arr = v.to_array();
                    let x = &self.a[i * d..(i + 1) * d];
                    for (l, e) in arr.iter_mut().enumerate() {
                        if ok & (1 << l) == 0 && j4 + l < n {
                            *e = direct(x, &self.b[(j4 + l) * d..(j4 + l + 1) * d]);
                        }
                    }
                    v = f64x4::new(arr);
                }
                if tile.sqrt {
                    v = v.sqrt();
                }
                let arr = v.to_array();
                if j4 >= start && j4 + 4 <= n {
                    let dst: &mut [T; 4] = (&mut out[j4 - start..j4 - start + 4])
                        .try_into()
                        .expect("4");
                    for (o, x) in dst.iter_mut().zip(arr) {
                        *o = T::of_f64(x);
                    }
                } else {
                    for (l, x) in arr.into_iter().enumerate() {
                        let col = j4 + l;
                        if col >= start && col < n {
                            out[col - start] = T::of_f64(x);
                        }
                    }
                }
            }
        }
    }
}

/// The portable kernel: 4 rows x 8 points per block, `f64x4` across points.
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

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::{GW, MR, NR};
    use std::arch::x86_64::*;

    /// `MR x NP*NR` dot products, all in registers: per coordinate `NP` loads, `MR`
    /// broadcasts, `MR * NP` FMAs (the same per-lane FMA chain as the portable kernel).
    ///
    /// # Safety
    /// The CPU must support AVX-512F; `ap.len() >= d * MR`, `bp.len() >= NP * d * NR`.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn dots<const NP: usize>(
        ap: &[f64],
        bp: &[f64],
        d: usize,
        g: &mut [f64; MR * GW],
    ) {
        debug_assert!(ap.len() >= d * MR && bp.len() >= NP * d * NR);
        let mut c = [[_mm512_setzero_pd(); NP]; MR];
        let (a, b) = (ap.as_ptr(), bp.as_ptr());
        for k in 0..d {
            let mut bv = [_mm512_setzero_pd(); NP];
            for (p, v) in bv.iter_mut().enumerate() {
                // SAFETY: p * d * NR + k * NR + 8 <= NP * d * NR (caller's contract).
                *v = unsafe { _mm512_loadu_pd(b.add(p * d * NR + k * NR)) };
            }
            for (r, cr) in c.iter_mut().enumerate() {
                // SAFETY: k * MR + r < d * MR.
                let av = _mm512_set1_pd(unsafe { *a.add(k * MR + r) });
                for p in 0..NP {
                    cr[p] = _mm512_fmadd_pd(av, bv[p], cr[p]);
                }
            }
        }
        for (r, cr) in c.iter().enumerate() {
            for (p, v) in cr.iter().enumerate() {
                // SAFETY: r * GW + p * NR + 8 <= MR * GW.
                unsafe { _mm512_storeu_pd(g.as_mut_ptr().add(r * GW + p * NR), *v) };
            }
        }
    }
}

impl Tiled for Gemm<'_> {
    fn tile_rows(&self) -> usize {
        self.tile_rows
    }

    fn tile<T: Element>(&self, tile: &mut RowTile<'_, '_, T>) {
        let (d, i0, nrows) = (self.d, tile.i0, tile.rows.len());
        let npanels = nrows.div_ceil(MR);
        // Pack this tile's rows: centred, panels of MR rows (d x MR), zero rows as padding.
        let mut ap = vec![0.0; npanels * d * MR];
        let mut na = vec![0.0; npanels * MR];
        for r in 0..nrows {
            let row = &self.a[(i0 + r) * d..(i0 + r + 1) * d];
            let panel = &mut ap[(r / MR) * d * MR..(r / MR + 1) * d * MR];
            for k in 0..d {
                panel[k * MR + r % MR] = row[k] - self.mu[k];
            }
            na[r] = sqnorm(row.iter().zip(&self.mu).map(|(v, c)| v - c));
        }
        let npad = self.n.div_ceil(NR) * NR;
        let align = |c: usize| c / NR * NR;
        let first = align(tile.start(i0));
        let mut g = [0.0f64; MR * GW];
        for jb in (first..npad).step_by(self.nc) {
            let jend = (jb + self.nc).min(npad);
            for q in 0..npanels {
                let r0 = q * MR;
                let rows = MR.min(nrows - r0);
                let mut j = jb.max(align(tile.start(i0 + r0)));
                let apq = &ap[q * d * MR..(q + 1) * d * MR];
                while j < jend {
                    let np = ((jend - j) / NR).min(GROUP);
                    self.dots(apq, j / NR, np, &mut g);
                    self.epilogue(tile, r0, rows, &na, j, np * NR, &g);
                    j += np * NR;
                }
            }
        }
    }
}
