//! Subpixel refinement of a 2-D phase correlation: skimage's upsampled DFT
//! (`_upsampled_dft`, Guizar-Sicairos et al. 2008) as two complex matrix products, halved by
//! the Hermitian symmetry of the cross-power spectrum of real images.
//!
//! The refined surface on a `region x region` grid (points `1 / u` apart around the coarse
//! peak) is `up[v0, v1] = sum_{k0, k1} E0[v0, k0] P[k0, k1] E1[v1, k1]` with
//! `E[v, k] = exp(2 pi i (v - off) s_k / (n u))` (`s_k` the fftfreq index). skimage evaluates it
//! as two dense `tensordot`s: `region * n0 * n1 + region^2 * n1` complex multiply-adds
//! (31 M + 12 M for 512 x 512 at `u = 100`). Here:
//!
//! * `Q = E0 P` is formed only for the `n1 / 2 + 1` stored columns of the half spectrum; the
//!   mirrored columns follow from `P[-k0, -k1] = conj(P[k0, k1])` as
//!   `Q[v0, -k1] = conj(Q[v0, k1] + (conj(E0[v0, h]) - E0[v0, h]) P[h, k1])`, where the
//!   correction is the Nyquist row `h = n0 / 2` of even `n0` (whose frequency is its own
//!   mirror but not its own conjugate); that halves the larger product;
//! * the second product pairs columns `m` and `n1 - m` the same way: a pair adds
//!   `2 Re(R E1) - i corr P[h, m] E1` with `R` the corrected `Q`, so it runs over half the
//!   columns too (plus a rank-1 term for the Nyquist row and the two self-mirrored columns);
//! * both products run in [`cgemm`], a register-blocked split-complex kernel (4 rows x 16
//!   columns of accumulators, `f64x8` FMAs), row blocks in parallel, each row block an
//!   `ndkern_core::multiversion!` leaf (AVX2+FMA or AVX-512 code at those levels);
//! * the twiddles come from a two-level table of `exp(2 pi i j / (n u))` indexed by the exact
//!   integer `(v - off) s_k mod n u` (the offset is a whole number of upsampled pixels
//!   whenever the coarse shift was rounded to `1 / u`), so the `region * n` complex
//!   exponentials cost one complex multiply each instead of a `sin_cos`.

use ndkern_core::f64x8;
use rayon::prelude::*;

use crate::fft::{signed_index, C64};

/// Rows per register block of [`cgemm`].
const MR: usize = 4;
/// Columns per register block of [`cgemm`] (two `f64x8`).
const NR: usize = 16;

/// `C = A B` for complex matrices: `a` is `m x k` row-major (interleaved complex), `b` is
/// `k x np` row-major as split real/imaginary arrays with `np % NR == 0`. Returns `C` as
/// split arrays of `m x np` (row-major).
pub(crate) fn cgemm(
    a: &[C64],
    m: usize,
    k: usize,
    br: &[f64],
    bi: &[f64],
    np: usize,
) -> (Vec<f64>, Vec<f64>) {
    debug_assert!(np.is_multiple_of(NR) && a.len() == m * k && br.len() == k * np);
    let mb = m.div_ceil(MR);
    // A packed per row block: for each kk, MR real parts then MR imaginary parts.
    let mut pa = vec![0.0f64; mb * k * 2 * MR];
    for (i, row) in a.chunks(k.max(1)).enumerate().take(m) {
        let (blk, r) = (i / MR, i % MR);
        for (kk, v) in row.iter().enumerate() {
            let base = (blk * k + kk) * 2 * MR;
            pa[base + r] = v.re;
            pa[base + MR + r] = v.im;
        }
    }
    let mut cr = vec![0.0f64; mb * MR * np];
    let mut ci = vec![0.0f64; mb * MR * np];
    cr.par_chunks_mut(MR * np)
        .zip(ci.par_chunks_mut(MR * np))
        .enumerate()
        .for_each(|(blk, (crb, cib))| {
            let pa = &pa[blk * k * 2 * MR..(blk + 1) * k * 2 * MR];
            cgemm_block(pa, br, bi, k, np, crb, cib);
        });
    cr.truncate(m * np);
    ci.truncate(m * np);
    (cr, ci)
}

ndkern_core::multiversion! {
    /// One row block of [`cgemm`]: `MR` packed rows of `A` (`pa`, for each `kk` the `MR` real
    /// then `MR` imaginary parts) against all `np` columns of `B`, into the split-complex
    /// `crb`, `cib` (`MR x np`). Compiled per SIMD level (the leaf below rayon's split).
    #[allow(clippy::too_many_arguments)]
    fn cgemm_block(
        pa: &[f64],
        br: &[f64],
        bi: &[f64],
        k: usize,
        np: usize,
        crb: &mut [f64],
        cib: &mut [f64],
    ) {
        let load = |s: &[f64], o: usize| f64x8::new(s[o..o + 8].try_into().expect("8 lanes"));
        for j0 in (0..np).step_by(NR) {
            let z = f64x8::splat(0.0);
            let mut acr = [[z; 2]; MR];
            let mut aci = [[z; 2]; MR];
            for kk in 0..k {
                let o = kk * np + j0;
                let (br0, br1) = (load(br, o), load(br, o + 8));
                let (bi0, bi1) = (load(bi, o), load(bi, o + 8));
                let ap = &pa[kk * 2 * MR..(kk + 1) * 2 * MR];
                for r in 0..MR {
                    let (xr, xi) = (f64x8::splat(ap[r]), f64x8::splat(ap[MR + r]));
                    // (xr + i xi)(br + i bi) = (xr br - xi bi) + i (xr bi + xi br)
                    acr[r][0] = xi.mul_neg_add(bi0, xr.mul_add(br0, acr[r][0]));
                    acr[r][1] = xi.mul_neg_add(bi1, xr.mul_add(br1, acr[r][1]));
                    aci[r][0] = xi.mul_add(br0, xr.mul_add(bi0, aci[r][0]));
                    aci[r][1] = xi.mul_add(br1, xr.mul_add(bi1, aci[r][1]));
                }
            }
            for r in 0..MR {
                for h in 0..2 {
                    let o = r * np + j0 + 8 * h;
                    crb[o..o + 8].copy_from_slice(&acr[r][h].to_array());
                    cib[o..o + 8].copy_from_slice(&aci[r][h].to_array());
                }
            }
        }
    }
}

/// Two-level table of `exp(2 pi i j / nu) = hi[j / l] * lo[j % l]` for a whole offset.
struct Table {
    off: i128,
    nu: i128,
    l: usize,
    lo: Vec<C64>,
    hi: Vec<C64>,
}

/// The upsampling twiddles of one axis: `E[v, k] = exp(2 pi i (v - off) s_k / (n u))`.
struct Twiddles {
    n: usize,
    u: f64,
    off: f64,
    /// Present when the offset is a whole number (the coarse shift rounded to `1 / u`).
    table: Option<Table>,
}

impl Twiddles {
    fn new(n: usize, u: usize, off: f64) -> Self {
        let nu = (n * u) as i128;
        let table = if (off - off.round()).abs() < 1e-6 && nu > 0 {
            // Two-level table: exp(2 pi i j / nu) = hi[j / l] * lo[j % l].
            let l = (nu as f64).sqrt().ceil() as usize;
            let tw = |j: usize| {
                let (s, c) = (std::f64::consts::TAU * j as f64 / nu as f64).sin_cos();
                C64::new(c, s)
            };
            let lo: Vec<C64> = (0..l).map(tw).collect();
            let hi: Vec<C64> = (0..(nu as usize).div_ceil(l)).map(|h| tw(h * l)).collect();
            Some(Table {
                off: off.round() as i128,
                nu,
                l,
                lo,
                hi,
            })
        } else {
            None
        };
        Self {
            n,
            u: u as f64,
            off,
            table,
        }
    }

    #[inline]
    fn at(&self, v: usize, k: usize) -> C64 {
        let s = signed_index(k, self.n);
        match &self.table {
            Some(t) => {
                let j = ((v as i128 - t.off) * s as i128).rem_euclid(t.nu) as usize;
                t.hi[j / t.l] * t.lo[j % t.l]
            }
            None => {
                // skimage's float kernel: (v - off) * fftfreq(n, u)[k].
                let f = s as f64 / (self.n as f64 * self.u);
                let (sn, cs) = (std::f64::consts::TAU * (v as f64 - self.off) * f).sin_cos();
                C64::new(cs, sn)
            }
        }
    }
}

/// skimage `_upsampled_dft(P.conj(), region, u, offsets).conj()` of a 2-D cross-power
/// spectrum `P` of two real images, given by its half spectrum in transposed layout
/// (`pt[k1 * n0 + k0] = P[k0, k1]`, `k1 < n1 / 2 + 1`), reduced to skimage's argmax: returns
/// `(v0, v1, up[v0, v1])` for the first largest `|up|` in C order.
pub(crate) fn upsampled_peak_2d(
    pt: &[C64],
    n0: usize,
    n1: usize,
    region: usize,
    u: usize,
    offsets: [f64; 2],
) -> (usize, usize, C64) {
    let h1 = n1 / 2 + 1;
    let rp = region.next_multiple_of(NR);
    let t0 = Twiddles::new(n0, u, offsets[0]);
    let t1 = Twiddles::new(n1, u, offsets[1]);
    // B of the first product: E0^T (n0 x rp), zero beyond `region`.
    let mut e0r = vec![0.0f64; n0 * rp];
    let mut e0i = vec![0.0f64; n0 * rp];
    for k0 in 0..n0 {
        for v0 in 0..region {
            let e = t0.at(v0, k0);
            e0r[k0 * rp + v0] = e.re;
            e0i[k0 * rp + v0] = e.im;
        }
    }
    // Q^T for the stored columns: (h1 x rp).
    let (c1r, c1i) = cgemm(pt, h1, n0, &e0r, &e0i, rp);
    let nyq = n0.is_multiple_of(2).then_some(n0 / 2);
    // (conj(E0[v0, h]) - E0[v0, h]) = i corr[v0], corr = -2 Im E0[v0, h]
    let corr: Vec<f64> = (0..rp)
        .map(|v0| match nyq {
            Some(h) if v0 < region => -2.0 * t0.at(v0, h).im,
            _ => 0.0,
        })
        .collect();
    // Second product over the column pairs (m, n1 - m), m = 1..=mp: with
    // R[v0, m] = Q[v0, m] + i corr[v0] P[h, m] the mirrored column is conj(R), and
    // E1[v1, n1 - m] = conj(E1[v1, m]), so a pair contributes
    // Q E + conj(R E) = 2 Re(R E) - i corr[v0] P[h, m] E1[v1, m]: one product of half the
    // length (`B = E1 R^T`, real part used) plus a rank-1 term `z[v1] = sum_m P[h, m] E1[v1, m]`.
    let mp = (n1 - 1) / 2;
    let mut rr = vec![0.0f64; mp * rp];
    let mut ri = vec![0.0f64; mp * rp];
    for m in 1..=mp {
        let p_h = nyq.map_or(C64::default(), |h| pt[m * n0 + h]);
        for v0 in 0..rp {
            rr[(m - 1) * rp + v0] = c1r[m * rp + v0] - corr[v0] * p_h.im;
            ri[(m - 1) * rp + v0] = c1i[m * rp + v0] + corr[v0] * p_h.re;
        }
    }
    let e1: Vec<C64> = (0..region * mp)
        .map(|i| t1.at(i / mp.max(1), 1 + i % mp.max(1)))
        .collect();
    let (br, _) = cgemm(&e1, region, mp, &rr, &ri, rp);
    let z: Vec<C64> = (0..region)
        .map(|v1| match nyq {
            Some(h) => (1..=mp).map(|m| pt[m * n0 + h] * t1.at(v1, m)).sum(),
            None => C64::default(),
        })
        .collect();
    // Column 0 (E1 = 1) and, for even n1, the Nyquist column (its own mirror) directly.
    let nyq1 = n1.is_multiple_of(2).then_some(n1 / 2);
    let up = |v0: usize, v1: usize| {
        let mut u = C64::new(c1r[v0], c1i[v0]);
        if let Some(h) = nyq1 {
            u += C64::new(c1r[h * rp + v0], c1i[h * rp + v0]) * t1.at(v1, h);
        }
        u + C64::new(
            2.0 * br[v1 * rp + v0] + corr[v0] * z[v1].im,
            -corr[v0] * z[v1].re,
        )
    };
    let mut best = (f64::NEG_INFINITY, 0usize, 0usize, C64::default());
    for v0 in 0..region {
        for v1 in 0..region {
            let u = up(v0, v1);
            let a = u.norm();
            // numpy's argmax: the first maximum, and a NaN beats every number.
            if a > best.0 || (a.is_nan() && !best.0.is_nan()) {
                best = (a, v0, v1, u);
            }
        }
    }
    (best.1, best.2, best.3)
}
