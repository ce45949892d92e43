//! The nearest centroid of every point (`nearest`) and the fused assign kernels k-means
//! shares: direct differences, `f64x4` across points, coordinates in registers across all
//! centroids, so the distance matrix is never stored. The `f64x4` kernels are
//! `ndkern_core::multiversion!` leaves (AVX2+FMA code at the AVX2 level); at the AVX-512
//! level (`ndkern_core::simd::Avx512::new()`) the fixed-`d` kernel is an intrinsic twin that
//! covers eight points per instruction.

use ndarray::{Array, ArrayBase, Axis, Data, Dimension, Ix2, RemoveAxis};
#[cfg(target_arch = "x86_64")]
use ndkern_core::simd::Avx512;
use ndkern_core::{f64x4, Element, Error, Result};
use rayon::prelude::*;

use super::check_points;

/// Index of and squared distance to the nearest of `centroids` (k x d) for every point of
/// `points` (any shape `(..., d)`: the last axis holds the coordinates), by squared
/// Euclidean distance (`np.argmin(cdist(points, centroids), axis=-1)` without the matrix).
/// Ties go to the lowest index. Distances are computed in f64 and returned as f64.
///
/// Errors: no centroids, different d, a non-finite coordinate.
///
/// ```
/// use ndarray::array;
/// // Q13: assign pixels to the nearest palette colour.
/// let img = array![[[250.0f32, 10.0, 10.0], [20.0, 20.0, 30.0]]];
/// let palette = array![[0.0f32, 0.0, 0.0], [255.0, 0.0, 0.0]];
/// let (labels, d2) = ndkern_linalg::nearest(&img, &palette).unwrap();
/// assert_eq!(labels, array![[1, 0]]);
/// assert_eq!(d2[[0, 0]], 225.0);
/// ```
#[allow(clippy::type_complexity)]
#[must_use = "the assignment is returned"]
pub fn nearest<T, S1, S2, D>(
    points: &ArrayBase<S1, D>,
    centroids: &ArrayBase<S2, Ix2>,
) -> Result<(Array<usize, D::Smaller>, Array<f64, D::Smaller>)>
where
    T: Element,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
    D: Dimension + RemoveAxis,
{
    let nd = points.ndim();
    if nd == 0 {
        return Err(Error::InvalidParameter {
            name: "points",
            reason: "points need a last axis of coordinates".into(),
        });
    }
    let d = points.shape()[nd - 1];
    if centroids.ncols() != d {
        return Err(Error::ShapeMismatch {
            expected: vec![centroids.nrows(), d],
            got: centroids.shape().to_vec(),
        });
    }
    if centroids.nrows() == 0 {
        return Err(Error::InvalidParameter {
            name: "centroids",
            reason: "no centroids: give at least one".into(),
        });
    }
    check_points(centroids, "centroids")?;
    let dim = points.raw_dim().remove_axis(Axis(nd - 1));
    let p = points.as_standard_layout();
    let flat = p.as_slice().expect("standard layout");
    let c: Vec<f64> = centroids.iter().map(|v| v.as_f64()).collect();
    let npts = flat.len().checked_div(d).unwrap_or(dim.size());
    let mut labels = vec![0usize; npts];
    let mut dist = vec![0.0f64; npts];
    // A NaN or inf coordinate leaves a non-finite distance; only then scan for it.
    if !nearest_flat(flat, d, &c, &mut labels, &mut dist) {
        if let Some(i) = flat.iter().position(|v| !v.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "points",
                reason: format!(
                    "coordinate {} of point {} is not finite",
                    i % d.max(1),
                    i / d.max(1)
                ),
            });
        }
    }
    Ok((
        Array::from_shape_vec(dim.clone(), labels).expect("one label per point"),
        Array::from_shape_vec(dim, dist).expect("one distance per point"),
    ))
}

/// Fused assign: labels and squared distances of the contiguous points `flat` (n x d)
/// against centroids `c` (k x d, f64, row-major), in parallel blocks. Returns false when
/// some distance is not finite (a NaN/inf coordinate, or overflow).
pub(crate) fn nearest_flat<T: Element>(
    flat: &[T],
    d: usize,
    c: &[f64],
    labels: &mut [usize],
    dist: &mut [f64],
) -> bool {
    let k = c.len().checked_div(d).unwrap_or(1);
    const CHUNK: usize = 4096;
    let block = |start: usize, lab: &mut [usize], dst: &mut [f64]| -> bool {
        assign(&flat[start * d..(start + lab.len()) * d], d, c, lab, dst);
        dst.iter().all(|v| v.is_finite())
    };
    if ndkern_core::worth_parallel(labels.len() * k * d.max(1) / 4) {
        labels
            .par_chunks_mut(CHUNK)
            .zip(dist.par_chunks_mut(CHUNK))
            .enumerate()
            .map(|(b, (l, s))| block(b * CHUNK, l, s))
            .reduce(|| true, |a, b| a && b)
    } else {
        block(0, labels, dist)
    }
}

/// Nearest centroid of each point of `pts` (contiguous, `lab.len()` points of `d`
/// coordinates), one thread: const-size kernels for `d <= 8`, a general one beyond.
pub(crate) fn assign<T: Element>(
    pts: &[T],
    d: usize,
    c: &[f64],
    lab: &mut [usize],
    dst: &mut [f64],
) {
    if d == 0 {
        // Every centroid is at distance 0: the first wins.
        lab.fill(0);
        dst.fill(0.0);
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if Avx512::new().is_some() {
        macro_rules! fixed512 {
            ($($n:literal)*) => {
                match d {
                    // SAFETY: `Avx512::new()` returned a token, so the CPU supports
                    // AVX-512F and DQ (and the dispatched level allows them).
                    $($n => return unsafe { avx512::assign_fixed::<T, $n>(pts, c, lab, dst) },)*
                    _ => {}
                }
            };
        }
        fixed512!(1 2 3 4 5 6 7 8);
    }
    macro_rules! fixed {
        ($($n:literal)*) => {
            match d {
                $($n => assign_fixed::<T, $n>([(); $n], pts, c, lab, dst),)*
                _ => assign_any(pts, d, c, lab, dst),
            }
        };
    }
    fixed!(1 2 3 4 5 6 7 8)
}

/// The AVX-512 twin of [`assign_fixed`]: sixteen points per step in two `__m512d` (eight
/// points each), the same per-lane operations (difference, fused multiply-add, strict
/// less-than select), so labels and distances are bitwise those of the `f64x4` kernel while
/// each instruction covers twice the points (kmeans_200k_k10: the assign pass is most of a
/// Lloyd iteration).
#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::assign_one;
    use ndkern_core::Element;
    use std::arch::x86_64::*;

    /// # Safety
    /// The CPU must support AVX-512F and AVX-512DQ.
    #[target_feature(enable = "avx512f,avx512dq")]
    pub(super) unsafe fn assign_fixed<T: Element, const D: usize>(
        pts: &[T],
        c: &[f64],
        lab: &mut [usize],
        dst: &mut [f64],
    ) {
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
            // SAFETY: d8 and l8 hold 16 values of 8 bytes each (usize is 64-bit on x86_64);
            // the labels are exact small integers, converted by truncation.
            unsafe {
                _mm512_storeu_pd(d8.as_mut_ptr(), ba);
                _mm512_storeu_pd(d8.as_mut_ptr().add(8), bb);
                _mm512_storeu_si512(l8.as_mut_ptr().cast(), _mm512_cvttpd_epu64(ia));
                _mm512_storeu_si512(l8.as_mut_ptr().add(8).cast(), _mm512_cvttpd_epu64(ib));
            }
            i += 16;
        }
        for j in i..n {
            (lab[j], dst[j]) = assign_one(&pts[j * D..(j + 1) * D], c);
        }
    }
}

/// Squared distances from point `p` to every centroid, the running minimum and its index
/// (first on ties): the scalar twin of the vector kernels (same operation order).
#[inline(always)]
fn assign_one<T: Element>(p: &[T], c: &[f64]) -> (usize, f64) {
    let d = p.len();
    let (mut bl, mut bd) = (0, f64::INFINITY);
    for (ci, cc) in c.chunks_exact(d).enumerate() {
        let mut s = 0.0f64;
        for (x, y) in p.iter().zip(cc) {
            let e = x.as_f64() - y;
            s = e.mul_add(e, s);
        }
        if s < bd {
            bd = s;
            bl = ci;
        }
    }
    (bl, bd)
}

ndkern_core::multiversion! {
    /// `D`-dimensional points, eight per step (two `f64x4` of points share each centroid's
    /// broadcasts); coordinates stay in registers across all centroids. Compiled per SIMD level
    /// (`_d` only names `D` for the dispatch wrapper's calls).
    fn assign_fixed[T: Element, const D: usize](
        _d: [(); D],
        pts: &[T],
        c: &[f64],
        lab: &mut [usize],
        dst: &mut [f64],
    ) {
        let n = lab.len();
        let mut i = 0;
        while i + 8 <= n {
            let p = &pts[i * D..(i + 8) * D];
            let ld = |o: usize, j: usize| {
                f64x4::new([
                    p[o * D + j].as_f64(),
                    p[(o + 1) * D + j].as_f64(),
                    p[(o + 2) * D + j].as_f64(),
                    p[(o + 3) * D + j].as_f64(),
                ])
            };
            let xa: [f64x4; D] = std::array::from_fn(|j| ld(0, j));
            let xb: [f64x4; D] = std::array::from_fn(|j| ld(4, j));
            let inf = f64x4::splat(f64::INFINITY);
            let (mut ba, mut bb) = (inf, inf);
            let (mut ia, mut ib) = (f64x4::splat(0.0), f64x4::splat(0.0));
            for (ci, cc) in c.chunks_exact(D).enumerate() {
                let (mut da, mut db) = (f64x4::splat(0.0), f64x4::splat(0.0));
                for j in 0..D {
                    let cj = f64x4::splat(cc[j]);
                    let (ea, eb) = (xa[j] - cj, xb[j] - cj);
                    da = ea.mul_add(ea, da);
                    db = eb.mul_add(eb, db);
                }
                let idx = f64x4::splat(ci as f64);
                let (la, lb) = (da.simd_lt(ba), db.simd_lt(bb));
                ba = la.select(da, ba);
                ia = la.select(idx, ia);
                bb = lb.select(db, bb);
                ib = lb.select(idx, ib);
            }
            dst[i..i + 4].copy_from_slice(&ba.to_array());
            dst[i + 4..i + 8].copy_from_slice(&bb.to_array());
            for (l, v) in lab[i..i + 8]
                .iter_mut()
                .zip(ia.to_array().into_iter().chain(ib.to_array()))
            {
                *l = v as usize;
            }
            i += 8;
        }
        for j in i..n {
            (lab[j], dst[j]) = assign_one(&pts[j * D..(j + 1) * D], c);
        }
    }
}

ndkern_core::multiversion! {
    /// Any `d`: four points per `f64x4`, coordinates in a reused buffer. Compiled per SIMD level.
    fn assign_any[T: Element](pts: &[T], d: usize, c: &[f64], lab: &mut [usize], dst: &mut [f64]) {
        let n = lab.len();
        let mut i = 0;
        let mut x: Vec<f64x4> = Vec::with_capacity(d);
        while i + 4 <= n {
            // A plain loop: `extend` over a mapped range stays a call (baseline code) inside
            // the multiversioned copies.
            x.clear();
            for j in 0..d {
                let p = |l: usize| pts[(i + l) * d + j].as_f64();
                x.push(f64x4::new([p(0), p(1), p(2), p(3)]));
            }
            let mut best = f64x4::splat(f64::INFINITY);
            let mut best_idx = f64x4::splat(0.0);
            for (ci, cc) in c.chunks_exact(d).enumerate() {
                let mut acc = f64x4::splat(0.0);
                for (xj, &cj) in x.iter().zip(cc) {
                    let e = *xj - f64x4::splat(cj);
                    acc = e.mul_add(e, acc);
                }
                let better = acc.simd_lt(best);
                best = better.select(acc, best);
                best_idx = better.select(f64x4::splat(ci as f64), best_idx);
            }
            dst[i..i + 4].copy_from_slice(&best.to_array());
            for (l, v) in lab[i..i + 4].iter_mut().zip(best_idx.to_array()) {
                *l = v as usize;
            }
            i += 4;
        }
        for j in i..n {
            (lab[j], dst[j]) = assign_one(&pts[j * d..(j + 1) * d], c);
        }
    }
}
