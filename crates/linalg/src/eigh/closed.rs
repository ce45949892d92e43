//! The closed-form (trigonometric) eigenvalues of symmetric 2x2 and 3x3 matrices, four
//! elements at a time in `f64x4`.
//!
//! 3x3 (Smith 1961, Kopp 2008): with `q = tr(A)/3`, `p = sqrt(tr((A - qI)^2)/6)` and
//! `r = det((A - qI)/p)/2`, the eigenvalues are `q + 2p cos(acos(r)/3 + 2 pi k/3)`.
//! Each matrix is first divided by its largest |entry| (no overflow or underflow for any
//! finite input, also at 1e+-150 scales), then multiplied back.
//!
//! Accuracy: away from degeneracy the error is a few ulps of max |lambda|. Where two
//! eigenvalues nearly coincide, `r` is within `1e-6` of +-1 and `cos(acos(r)/3 +- ..)`
//! amplifies the rounding error of `r` by `1/sqrt(1 - |r|)` (up to ~1e-8 relative in the
//! degenerate pair). Those elements, and those with `p < 1e-6` (all three nearly equal),
//! are flagged and recomputed by cyclic Jacobi ([`super::jacobi`]); the tests check the
//! result against nalgebra to `1e-10 max|lambda|` on random, two- and three-fold degenerate
//! and badly scaled matrices.
//!
//! The block functions are `ndkern_core::multiversion!` leaves (AVX2+FMA or AVX-512 code at
//! those dispatched levels); [`eigvals3_kernel`] is the same body for callers that are
//! multiversioned themselves (the fused Hessian pass inlines it).

use ndkern_core::f64x4;

use super::jacobi::jacobi3;

/// `1 - |r|` below which an element is handed to Jacobi.
const R_GUARD: f64 = 1e-6;
/// Scaled spread `p` below which an element is handed to Jacobi.
const P_GUARD: f64 = 1e-6;

/// Eigenvalues (ascending) of four 3x3 symmetric matrices `[xx, xy, xz, yy, yz, zz]` by the
/// closed form, and a lane mask (bit k) of the lanes the guard hands to Jacobi.
#[inline(always)]
fn closed4(m: [f64x4; 6]) -> ([f64x4; 3], u32) {
    let [a00, a01, a02, a11, a12, a22] = m;
    let zero = f64x4::splat(0.0);
    let one = f64x4::splat(1.0);
    let scale = a00
        .abs()
        .max(a01.abs())
        .max(a02.abs())
        .max(a11.abs())
        .max(a12.abs())
        .max(a22.abs());
    // A zero matrix has scale 0: divide by 1 instead (its eigenvalues are 0 either way).
    let inv = scale.simd_gt(zero).select(one / scale, one);
    let (a00, a01, a02, a11, a12, a22) = (
        a00 * inv,
        a01 * inv,
        a02 * inv,
        a11 * inv,
        a12 * inv,
        a22 * inv,
    );
    let third = f64x4::splat(1.0 / 3.0);
    let q = (a00 + a11 + a22) * third;
    let (b00, b11, b22) = (a00 - q, a11 - q, a22 - q);
    let p1 = a01 * a01 + a02 * a02 + a12 * a12;
    let p2 = b00 * b00 + b11 * b11 + b22 * b22 + p1 + p1;
    let p = (p2 * f64x4::splat(1.0 / 6.0)).sqrt();
    let det = b00 * (b11 * b22 - a12 * a12) - a01 * (a01 * b22 - a12 * a02)
        + a02 * (a01 * a12 - b11 * a02);
    // p = 0 only for multiples of the identity, which the guard sends to Jacobi.
    let p_safe = p.simd_gt(zero).select(p, one);
    let r_raw = det / (f64x4::splat(2.0) * p_safe * p_safe * p_safe);
    let r = r_raw.max(f64x4::splat(-1.0)).min(one);
    let phi = r.acos() * third;
    let two_p = p + p;
    // One sin_cos: cos(phi + 2 pi/3) = -cos(phi)/2 - sin(phi) sqrt(3)/2.
    let (s0, c0) = phi.sin_cos();
    let c2 = f64x4::splat(-0.5) * c0 - f64x4::splat(0.75f64.sqrt()) * s0;
    let e_hi = q + two_p * c0;
    let e_lo = q + two_p * c2;
    let e_mid = q + q + q - e_hi - e_lo;
    // Guard: NaN compares false, so NaN/inf elements also go to Jacobi.
    let good =
        (one - r_raw.abs()).simd_gt(f64x4::splat(R_GUARD)) & p.simd_gt(f64x4::splat(P_GUARD));
    let bad = !good.to_bitmask() & 0xF;
    ([e_lo * scale, e_mid * scale, e_hi * scale], bad)
}

/// Eigenvalues (ascending) of four 3x3 symmetric matrices in which one axis is decoupled
/// (two off-diagonal entries sharing an index are exactly 0, e.g. diagonal matrices): that
/// axis' diagonal entry plus the 2x2 eigenvalues of the rest (the hypot form of
/// [`eigvals2_block`], a few ulps of max |lambda| however close the eigenvalues are). Also
/// returns the mask (bit k) of the lanes where this applies (decoupled, finite).
///
/// Exactly degenerate spectra are where the trigonometric form loses digits; on image
/// Hessians they are mostly of this kind (flat or axis-aligned neighbourhoods), so they are
/// solved here, four at a time, instead of by scalar Jacobi.
#[inline(always)]
fn decoupled4(m: [f64x4; 6]) -> ([f64x4; 3], u32) {
    let [a00, a01, a02, a11, a12, a22] = m;
    let zero = f64x4::splat(0.0);
    let one = f64x4::splat(1.0);
    let (z01, z02, z12) = (a01.simd_eq(zero), a02.simd_eq(zero), a12.simd_eq(zero));
    let (c0, c1, c2) = (z01 & z02, z01 & z12, z02 & z12);
    // The decoupled diagonal entry and the 2x2 block [[bx, bxy], [bxy, by]] of the others.
    let single = c0.select(a00, c1.select(a11, a22));
    let bx = c0.select(a11, a00);
    let bxy = c0.select(a12, c1.select(a02, a01));
    let by = c0.select(a22, c1.select(a22, a11));
    let scale = bx.abs().max(bxy.abs()).max(by.abs());
    let inv = scale.simd_gt(zero).select(one / scale, one);
    let (x, b, y) = (bx * inv, bxy * inv, by * inv);
    let half = f64x4::splat(0.5);
    let mean = (x + y) * half;
    let h = (x - y) * half;
    let d = (h * h + b * b).sqrt();
    // A diagonal block is its own spectrum (exact, like LAPACK).
    let diag = bxy.simd_eq(zero);
    let lo2 = diag.select(bx.min(by), (mean - d) * scale);
    let hi2 = diag.select(bx.max(by), (mean + d) * scale);
    let (a, c) = (single.min(lo2), single.max(lo2));
    // Any NaN or inf entry makes the sum non-finite (those lanes go to Jacobi, which
    // returns NaN like LAPACK).
    let sum = a00 + a01 + a02 + a11 + a12 + a22;
    let ok = (c0 | c1 | c2) & sum.abs().simd_lt(f64x4::splat(f64::INFINITY));
    ([a, c.min(hi2), c.max(hi2)], ok.to_bitmask() & 0xF)
}

ndkern_core::multiversion! {
    /// Eigenvalues (ascending) of the 3x3 symmetric matrices whose upper-triangle planes are
    /// `m = [xx, xy, xz, yy, yz, zz]` (all the same length as the outputs), written to `lo`,
    /// `mid`, `hi`: the closed form, [`decoupled4`] wherever one axis is decoupled (exact for
    /// diagonal matrices), and scalar Jacobi for the other lanes the closed form's guard rejects.
    /// Dispatched per SIMD level; [`eigvals3_kernel`] is the inlinable body.
    pub(crate) fn eigvals3_block(m: [&[f64]; 6], lo: &mut [f64], mid: &mut [f64], hi: &mut [f64]) {
        eigvals3_kernel(m, lo, mid, hi);
    }
}

/// `s[i..i + w]` (`w <= 4`) as a vector, padded with zeros (zero matrices in the lanes
/// that are not stored).
#[inline(always)]
fn load4(s: &[f64], i: usize, w: usize) -> f64x4 {
    if w == 4 {
        f64x4::new([s[i], s[i + 1], s[i + 2], s[i + 3]])
    } else {
        let mut a = [0.0; 4];
        a[..w].copy_from_slice(&s[i..i + w]);
        f64x4::new(a)
    }
}

/// The body of [`eigvals3_block`], `#[inline(always)]` so that a multiversioned caller
/// compiles it at its own level.
#[inline(always)]
pub(crate) fn eigvals3_kernel(m: [&[f64]; 6], lo: &mut [f64], mid: &mut [f64], hi: &mut [f64]) {
    let n = lo.len();
    let (lo, mid, hi) = (&mut lo[..n], &mut mid[..n], &mut hi[..n]);
    // Explicit element lists and `load4` rather than `array::map` or a closure, which LLVM
    // leaves as calls (compiled at the baseline level) inside the multiversioned copies.
    let m: [&[f64]; 6] = [
        &m[0][..n],
        &m[1][..n],
        &m[2][..n],
        &m[3][..n],
        &m[4][..n],
        &m[5][..n],
    ];
    let mut i = 0;
    while i < n {
        let w = (n - i).min(4);
        let v = [
            load4(m[0], i, w),
            load4(m[1], i, w),
            load4(m[2], i, w),
            load4(m[3], i, w),
            load4(m[4], i, w),
            load4(m[5], i, w),
        ];
        let ([l, md, h], bad) = closed4(v);
        // Lanes with a zero off-diagonal entry may be decoupled: solved exactly there.
        let zero = f64x4::splat(0.0);
        let maybe = (v[1].simd_eq(zero) | v[2].simd_eq(zero) | v[4].simd_eq(zero)).any();
        if w == 4 && bad == 0 && !maybe {
            lo[i..i + 4].copy_from_slice(&l.to_array());
            mid[i..i + 4].copy_from_slice(&md.to_array());
            hi[i..i + 4].copy_from_slice(&h.to_array());
        } else {
            let (mut l, mut md, mut h) = (l.to_array(), md.to_array(), h.to_array());
            let mut jac = bad;
            if bad != 0 || maybe {
                let ([dl, dm, dh], dec) = decoupled4(v);
                let (dl, dm, dh) = (dl.to_array(), dm.to_array(), dh.to_array());
                for k in 0..4 {
                    if dec & (1 << k) != 0 {
                        [l[k], md[k], h[k]] = [dl[k], dm[k], dh[k]];
                    }
                }
                jac = bad & !dec;
            }
            for k in 0..w {
                let j = i + k;
                if jac & (1 << k) != 0 {
                    [lo[j], mid[j], hi[j]] = jacobi_sorted(m, j);
                } else {
                    [lo[j], mid[j], hi[j]] = [l[k], md[k], h[k]];
                }
            }
        }
        i += 4;
    }
}

/// Element `j` of the planes as a full symmetric matrix.
#[inline]
pub(crate) fn matrix3(m: [&[f64]; 6], j: usize) -> [[f64; 3]; 3] {
    [
        [m[0][j], m[1][j], m[2][j]],
        [m[1][j], m[3][j], m[4][j]],
        [m[2][j], m[4][j], m[5][j]],
    ]
}

/// Jacobi eigenvalues of element `j`, ascending, computed on the matrix scaled to max
/// |entry| = 1 (same scaling as the closed form).
fn jacobi_sorted(m: [&[f64]; 6], j: usize) -> [f64; 3] {
    let a = matrix3(m, j);
    // `f64::max` would skip a NaN entry (and a NaN beside zeros would come out as 0).
    let s = a
        .iter()
        .flatten()
        .fold(0.0f64, |acc, x| ndkern_core::nan_max(acc, x.abs()));
    if !s.is_finite() || s == 0.0 {
        // NaN propagates, inf gives NaN (like LAPACK), zero gives zeros.
        let v = if s == 0.0 { 0.0 } else { f64::NAN };
        return [v; 3];
    }
    let (mut w, _) = jacobi3(a.map(|row| row.map(|x| x / s)));
    w.sort_by(f64::total_cmp);
    w.map(|x| x * s)
}

ndkern_core::multiversion! {
    /// Eigenvalues (ascending) of the 2x2 symmetric matrices `[[xx, xy], [xy, yy]]`:
    /// `(xx + yy)/2 -+ hypot((xx - yy)/2, xy)`, scaled to max |entry| = 1 first. Error a few
    /// ulps of max |lambda| for every input (no cancellation-prone branch). Dispatched per SIMD
    /// level.
    pub(crate) fn eigvals2_block(m: [&[f64]; 3], lo: &mut [f64], hi: &mut [f64]) {
        eigvals2_kernel(m, lo, hi);
    }
}

#[inline(always)]
fn eigvals2_kernel(m: [&[f64]; 3], lo: &mut [f64], hi: &mut [f64]) {
    let n = lo.len();
    let half = f64x4::splat(0.5);
    let mut i = 0;
    let one = |j: usize, lo: &mut [f64], hi: &mut [f64]| {
        let (a, b, c) = (m[0][j], m[1][j], m[2][j]);
        let s = a.abs().max(b.abs()).max(c.abs());
        let s = if s > 0.0 && s.is_finite() { s } else { 1.0 };
        let (a, b, c) = (a / s, b / s, c / s);
        let mean = 0.5 * (a + c);
        let d = (0.5 * (a - c)).hypot(b);
        lo[j] = (mean - d) * s;
        hi[j] = (mean + d) * s;
    };
    while i + 4 <= n {
        let ld = |s: &[f64]| f64x4::new([s[i], s[i + 1], s[i + 2], s[i + 3]]);
        let (a, b, c) = (ld(m[0]), ld(m[1]), ld(m[2]));
        let scale = a.abs().max(b.abs()).max(c.abs());
        let sa = scale.to_array();
        if sa.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
            for j in i..i + 4 {
                one(j, lo, hi);
            }
            i += 4;
            continue;
        }
        let inv = f64x4::splat(1.0) / scale;
        let (a, b, c) = (a * inv, b * inv, c * inv);
        let mean = (a + c) * half;
        let h = (a - c) * half;
        // Entries are <= 1 after scaling, so the plain sqrt cannot overflow or underflow
        // harmfully (a squared term below 1e-300 is negligible next to the other).
        let d = (h * h + b * b).sqrt();
        let (l, u) = (
            ((mean - d) * scale).to_array(),
            ((mean + d) * scale).to_array(),
        );
        lo[i..i + 4].copy_from_slice(&l);
        hi[i..i + 4].copy_from_slice(&u);
        i += 4;
    }
    for j in i..n {
        one(j, lo, hi);
    }
}
