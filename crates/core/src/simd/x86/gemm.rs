//! The AVX-512 register block of ndkern-linalg's GEMM-route distances (`cdist`/`pdist` with
//! squared Euclidean distances from `d = 6`): `MR x 8 NP` dot products held in `__m512d`
//! registers, then `v = |x|^2 + |y|^2 - 2 x.y` and the per-lane flag of entries the
//! cancellation bound does not vouch for (moved here from linalg's `distance/gemm.rs`; the
//! portable `f64x4` block it twins stays there and runs below the AVX-512 level).
//!
//! The finishing operations are the portable block's (`s = na + nb`, `v = s - 2 dot` fused,
//! `v > tau s`), so both give the same bits; linalg's tests compare them.

use std::arch::x86_64::*;

use crate::simd::Avx512;

/// Columns per panel: one `__m512d`.
pub const NR: usize = 8;

/// One block: for rows `r < MR` of the packed row panel `ap` (`d x MR`, coordinate-major,
/// squared norms `na`) against `NP` packed column panels `bp` (`NP` panels of `d x NR`,
/// squared norms `nb`), writes `v = na[r] + nb[c] - 2 dot(r, c)` (square-rooted when
/// `sqrt`) to `g[r * gw + c]`, `c < NP * NR`, and returns per row the bit mask of columns
/// whose `v <= tau * (na[r] + nb[c])` (bit `c`), which the caller recomputes directly.
///
/// Panics when a slice is shorter than that (a caller bug).
#[allow(clippy::too_many_arguments)]
pub fn dist_block<const NP: usize, const MR: usize>(
    _avx512: Avx512,
    ap: &[f64],
    bp: &[f64],
    na: &[f64],
    nb: &[f64],
    d: usize,
    tau: f64,
    sqrt: bool,
    g: &mut [f64],
    gw: usize,
) -> [u32; MR] {
    assert!(
        NP * NR <= 32 && gw >= NP * NR,
        "block wider than its mask or row stride"
    );
    assert!(
        ap.len() >= d * MR && bp.len() >= NP * d * NR,
        "panels shorter than d"
    );
    assert!(
        na.len() >= MR && nb.len() >= NP * NR,
        "norms shorter than the block"
    );
    assert!(
        MR == 0 || g.len() >= (MR - 1) * gw + NP * NR,
        "output block too short"
    );
    // SAFETY: the token proves the CPU runs AVX-512F; the lengths were checked above.
    unsafe { block::<NP, MR>(ap, bp, na, nb, d, tau, sqrt, g, gw) }
}

/// # Safety
/// The CPU supports AVX-512F; the slices have the lengths [`dist_block`] asserts.
#[allow(clippy::too_many_arguments)]
#[target_feature(enable = "avx512f")]
unsafe fn block<const NP: usize, const MR: usize>(
    ap: &[f64],
    bp: &[f64],
    na: &[f64],
    nb: &[f64],
    d: usize,
    tau: f64,
    sqrt: bool,
    g: &mut [f64],
    gw: usize,
) -> [u32; MR] {
    let mut c = [[_mm512_setzero_pd(); NP]; MR];
    let (a, b) = (ap.as_ptr(), bp.as_ptr());
    for k in 0..d {
        let mut bv = [_mm512_setzero_pd(); NP];
        for (p, v) in bv.iter_mut().enumerate() {
            // SAFETY: p * d * NR + k * NR + 8 <= NP * d * NR <= bp.len().
            *v = unsafe { _mm512_loadu_pd(b.add(p * d * NR + k * NR)) };
        }
        for (r, cr) in c.iter_mut().enumerate() {
            // SAFETY: k * MR + r < d * MR <= ap.len().
            let av = _mm512_set1_pd(unsafe { *a.add(k * MR + r) });
            for p in 0..NP {
                cr[p] = _mm512_fmadd_pd(av, bv[p], cr[p]);
            }
        }
    }
    let (two, tauv) = (_mm512_set1_pd(2.0), _mm512_set1_pd(tau));
    let mut bad = [0u32; MR];
    for (r, cr) in c.iter().enumerate() {
        let nar = _mm512_set1_pd(na[r]);
        for (p, dot) in cr.iter().enumerate() {
            // SAFETY: p * NR + 8 <= NP * NR <= nb.len().
            let s = _mm512_add_pd(nar, unsafe { _mm512_loadu_pd(nb.as_ptr().add(p * NR)) });
            let mut v = _mm512_fnmadd_pd(two, *dot, s);
            let ok = _mm512_cmp_pd_mask::<_CMP_GT_OQ>(v, _mm512_mul_pd(s, tauv));
            bad[r] |= u32::from(!ok) << (p * NR);
            if sqrt {
                v = _mm512_sqrt_pd(v);
            }
            // SAFETY: r * gw + p * NR + 8 <= (MR - 1) * gw + NP * NR <= g.len().
            unsafe { _mm512_storeu_pd(g.as_mut_ptr().add(r * gw + p * NR), v) };
        }
    }
    bad
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_matches_a_scalar_oracle() {
        let Some(t) = Avx512::new() else { return };
        const MR: usize = 4;
        const NP: usize = 2;
        let d = 5;
        let ap: Vec<f64> = (0..d * MR)
            .map(|i| ((i * 7) % 11) as f64 * 0.25 - 1.0)
            .collect();
        let bp: Vec<f64> = (0..NP * d * NR)
            .map(|i| ((i * 5) % 13) as f64 * 0.5 - 3.0)
            .collect();
        let na: Vec<f64> = (0..MR)
            .map(|r| (0..d).map(|k| ap[k * MR + r].powi(2)).sum())
            .collect();
        let col = |c: usize, k: usize| bp[(c / NR) * d * NR + k * NR + c % NR];
        let nb: Vec<f64> = (0..NP * NR)
            .map(|c| (0..d).map(|k| col(c, k).powi(2)).sum())
            .collect();
        let gw = NP * NR + 3;
        let mut g = vec![f64::NAN; MR * gw];
        dist_block::<NP, MR>(t, &ap, &bp, &na, &nb, d, 0.0, false, &mut g, gw);
        for r in 0..MR {
            for c in 0..NP * NR {
                let want: f64 = (0..d).map(|k| (ap[k * MR + r] - col(c, k)).powi(2)).sum();
                assert!(
                    (g[r * gw + c] - want).abs() <= 1e-12 * (1.0 + want),
                    "{r} {c}"
                );
            }
        }
    }
}
