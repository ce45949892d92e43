//! The nearest centroid of every point (`nearest`) and the fused assign kernels k-means
//! shares: direct differences, `f64x4` across points, coordinates in registers across all
//! centroids, so the distance matrix is never stored. The `f64x4` kernels are
//! `ndkern_core::multiversion!` leaves (AVX2+FMA code at the AVX2 level); at the AVX-512
//! level (`ndkern_core::simd::Avx512::new()`) the fixed-`d` kernel is core's intrinsic twin
//! (`ndkern_core::simd::x86::nearest`), eight points per instruction, bitwise the same.

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
/// Errors: no centroids, different d, a non-finite coordinate. Coordinates whose squared
/// distances overflow (near 1e200) or, all of them, underflow (below 1e-120) are assigned
/// scaled by a power of two: the labels are those of the exact distances (numpy's
/// `argmin(cdist)` would see ties at inf or 0), the distances overflow to inf only where
/// the true value does.
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
    let p = ndkern_core::try_standard_layout("a C-order copy of the points", points)?;
    let flat = p.as_slice().expect("standard layout");
    ndkern_core::check_alloc::<f64>("f64 copies of the centroids", centroids.len())?;
    let c: Vec<f64> = centroids.iter().map(|v| v.as_f64()).collect();
    let npts = flat.len().checked_div(d).unwrap_or(dim.size());
    // With d = 0 the point count is not bounded by the data ((2^33, 0) points have no
    // elements but 2^33 labels): checked like numpy's MemoryError.
    ndkern_core::check_alloc::<usize>(
        "nearest labels and distances (2 per point)",
        npts.saturating_mul(2),
    )?;
    let mut labels = vec![0usize; npts];
    let mut dist = vec![0.0f64; npts];
    // Centroids near 1e-300 (all of them): squared distances would underflow to ties.
    let cbig = c.iter().fold(0.0f64, |s, v| s.max(v.abs()));
    let tiny = cbig < SMALL && flat.iter().all(|v| v.as_f64().abs() < SMALL);
    // A NaN or inf coordinate leaves a non-finite distance; only then scan for it.
    if tiny || !nearest_flat(flat, d, &c, &mut labels, &mut dist) {
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
        if tiny || dist.iter().any(|v| !v.is_finite()) {
            // Finite coordinates whose squared distances overflow (near 1e200) or underflow:
            // assign on everything divided by a power of two (exact), so the labels are
            // those of the true distances; the distances are multiplied back (inf where the
            // true squared distance overflows f64).
            let big = flat.iter().fold(cbig, |s, v| s.max(v.as_f64().abs()));
            let e = crate::sizes::exponent(big);
            let f = crate::sizes::pow2(-e);
            let ps: Vec<f64> = flat.iter().map(|v| v.as_f64() * f).collect();
            let cs: Vec<f64> = c.iter().map(|v| v * f).collect();
            nearest_flat(&ps, d, &cs, &mut labels, &mut dist);
            dist.iter_mut()
                .for_each(|v| *v = crate::sizes::ldexp(*v, 2 * e));
        }
    }
    Ok((
        Array::from_shape_vec(dim.clone(), labels).expect("one label per point"),
        Array::from_shape_vec(dim, dist).expect("one distance per point"),
    ))
}

/// Below this (about 1e-120) squared distances lose precision to underflow.
const SMALL: f64 = 1e-120;

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
    if let Some(t) = Avx512::new() {
        use ndkern_core::simd::x86::nearest::assign_nearest;
        macro_rules! fixed512 {
            ($($n:literal)*) => {
                // Sixteen points at a time in core's AVX-512 kernel, the rest one by one.
                let done = match d {
                    $($n => assign_nearest::<T, $n>(t, pts, c, lab, dst),)*
                    _ => usize::MAX,
                };
                if done != usize::MAX {
                    for j in done..lab.len() {
                        (lab[j], dst[j]) = assign_one(&pts[j * d..(j + 1) * d], c);
                    }
                    return;
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
