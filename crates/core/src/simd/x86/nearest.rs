//! The AVX-512 nearest-centroid kernel of ndkern-linalg (`nearest`, k-means assignment) for
//! `D <= 8` coordinates: sixteen points per step in two `__m512d` per coordinate, the
//! portable `f64x4` kernel's per-lane operations (difference, fused multiply-add, strict
//! less-than select, first centroid on ties), so labels and distances are bitwise the same
//! while each instruction covers twice the points (moved here from linalg's
//! `distance/nearest.rs`, which finishes the last `n % 16` points with its scalar twin).

use std::arch::x86_64::*;

use crate::simd::Avx512;
use crate::Element;

/// For the first `16 * floor(n / 16)` of the `n = lab.len()` points of `pts` (`D`
/// coordinates each, C order), the index of the nearest of the centroids `c` (`k` rows of
/// `D`, first on ties) into `lab` and the squared distance into `dst`; returns how many points
/// it did. Panics when `pts.len() < D * n`, `dst.len() < n` or `c.len()` is not a multiple
/// of `D` (caller bugs).
pub fn assign_nearest<T: Element, const D: usize>(
    _avx512: Avx512,
    pts: &[T],
    c: &[f64],
    lab: &mut [usize],
    dst: &mut [f64],
) -> usize {
    let n = lab.len();
    assert!(D > 0 && pts.len() >= D * n && dst.len() >= n && c.len().is_multiple_of(D));
    // SAFETY: the token proves AVX-512F and DQ; the lengths were checked above.
    unsafe { assign::<T, D>(pts, c, lab, dst) }
}

/// # Safety
/// The CPU supports AVX-512F and AVX-512DQ; lengths as [`assign_nearest`] asserts.
#[target_feature(enable = "avx512f,avx512dq")]
unsafe fn assign<T: Element, const D: usize>(
    pts: &[T],
    c: &[f64],
    lab: &mut [usize],
    dst: &mut [f64],
) -> usize {
    let n = lab.len();
    let k = c.len() / D;
    let mut i = 0;
    let mut buf = [[0.0f64; 16]; D];
    while i + 16 <= n {
        let p = &pts[i * D..(i + 16) * D];
        for l in 0..16 {
            for j in 0..D {
                buf[j][l] = p[l * D + j].as_f64();
            }
        }
        let mut xa = [_mm512_setzero_pd(); D];
        let mut xb = [_mm512_setzero_pd(); D];
        for j in 0..D {
            // SAFETY: buf[j] holds 16 f64.
            unsafe {
                xa[j] = _mm512_loadu_pd(buf[j].as_ptr());
                xb[j] = _mm512_loadu_pd(buf[j].as_ptr().add(8));
            }
        }
        let inf = _mm512_set1_pd(f64::INFINITY);
        let (mut ba, mut bb) = (inf, inf);
        let (mut ia, mut ib) = (_mm512_setzero_pd(), _mm512_setzero_pd());
        for ci in 0..k {
            let cc = &c[ci * D..(ci + 1) * D];
            let (mut da, mut db) = (_mm512_setzero_pd(), _mm512_setzero_pd());
            for j in 0..D {
                let cj = _mm512_set1_pd(cc[j]);
                let (ea, eb) = (_mm512_sub_pd(xa[j], cj), _mm512_sub_pd(xb[j], cj));
                da = _mm512_fmadd_pd(ea, ea, da);
                db = _mm512_fmadd_pd(eb, eb, db);
            }
            let idx = _mm512_set1_pd(ci as f64);
            let la = _mm512_cmp_pd_mask::<_CMP_LT_OQ>(da, ba);
            let lb = _mm512_cmp_pd_mask::<_CMP_LT_OQ>(db, bb);
            ba = _mm512_mask_blend_pd(la, ba, da);
            ia = _mm512_mask_blend_pd(la, ia, idx);
            bb = _mm512_mask_blend_pd(lb, bb, db);
            ib = _mm512_mask_blend_pd(lb, ib, idx);
        }
        let (d8, l8) = (&mut dst[i..i + 16], &mut lab[i..i + 16]);
        // SAFETY: d8 and l8 hold 16 values of 8 bytes each (usize is 64-bit on x86_64); the
        // labels are exact small integers, converted by truncation.
        unsafe {
            _mm512_storeu_pd(d8.as_mut_ptr(), ba);
            _mm512_storeu_pd(d8.as_mut_ptr().add(8), bb);
            _mm512_storeu_si512(l8.as_mut_ptr().cast(), _mm512_cvttpd_epu64(ia));
            _mm512_storeu_si512(l8.as_mut_ptr().add(8).cast(), _mm512_cvttpd_epu64(ib));
        }
        i += 16;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_matches_a_scalar_oracle() {
        let Some(t) = Avx512::new() else { return };
        const D: usize = 3;
        let n = 37;
        let pts: Vec<f32> = (0..n * D).map(|i| ((i * 13) % 17) as f32 * 0.3).collect();
        let c: Vec<f64> = (0..5 * D).map(|i| ((i * 7) % 9) as f64 * 0.6).collect();
        let (mut lab, mut dst) = (vec![99; n], vec![f64::NAN; n]);
        let done = assign_nearest::<f32, D>(t, &pts, &c, &mut lab, &mut dst);
        assert_eq!(done, 32);
        for i in 0..done {
            let mut best = (0, f64::INFINITY);
            for ci in 0..5 {
                let mut s = 0.0f64;
                for j in 0..D {
                    let e = pts[i * D + j] as f64 - c[ci * D + j];
                    s = e.mul_add(e, s);
                }
                if s < best.1 {
                    best = (ci, s);
                }
            }
            assert_eq!((lab[i], dst[i]), best, "point {i}");
        }
        assert!(lab[done..].iter().all(|&l| l == 99));
    }
}
