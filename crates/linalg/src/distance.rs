//! Pairwise distances (`cdist`/`pdist`) for squared/plain Euclidean, per-dimension weighted
//! and Mahalanobis metrics, and the nearest centroid of every point (`nearest`).
//!
//! Every metric is a squared Euclidean distance after a linear map: Mahalanobis with inverse
//! covariance `VI = L L^T` (Cholesky) is `||L^T (x - y)||^2`, weights `w` are
//! `||sqrt(w) (x - y)||^2`. Both point sets are whitened once (`O((m + n) d^2)`), then one
//! kernel computes squared differences with the second set stored as coordinate planes,
//! `f64x4` vectors across its points. Differences are taken directly (not
//! `|x|^2 + |y|^2 - 2 x.y`), so nearby points far from the origin lose no digits, and f32
//! input is computed in f64 and rounded once. `nearest` fuses the same kernel with the argmin,
//! so the distance matrix is never stored.
//!
//! ```
//! use ndarray::array;
//! use ndkern_linalg::{cdist, Metric};
//! let xa = array![[0.0, 0.0], [1.0, 1.0]];
//! let xb = array![[3.0, 4.0]];
//! let d = cdist(&xa, &xb, &Metric::Euclidean).unwrap();
//! assert_eq!(d, array![[5.0], [13f64.sqrt()]]);
//! ```

use nalgebra::DMatrix;
use ndarray::{Array, Array1, Array2, ArrayBase, Axis, Data, Dimension, Ix2, RemoveAxis};
use ndkern_core::{f64x4, Element, Error, Result};
use rayon::prelude::*;

/// A distance between two points `x`, `y` of dimension `d` (scipy.spatial.distance names).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Metric {
    /// `sum (x - y)^2` (`'sqeuclidean'`).
    SqEuclidean,
    /// `sqrt(sum (x - y)^2)` (`'euclidean'`).
    Euclidean,
    /// `sum w (x - y)^2` (`'sqeuclidean', w=w`); weights `>= 0`, length d.
    SqWeighted(Vec<f64>),
    /// `sqrt(sum w (x - y)^2)` (`'euclidean', w=w`).
    Weighted(Vec<f64>),
    /// `(x - y)^T VI (x - y)`, VI symmetric positive definite (Q2: VI = D^-1).
    SqMahalanobis(Array2<f64>),
    /// `sqrt((x - y)^T VI (x - y))` (`'mahalanobis', VI=VI`).
    Mahalanobis(Array2<f64>),
}

impl Metric {
    fn is_squared(&self) -> bool {
        matches!(
            self,
            Metric::SqEuclidean | Metric::SqWeighted(_) | Metric::SqMahalanobis(_)
        )
    }

    /// The whitening map `W` (d x d, row-vector convention: `x' = x W`), or `None` for the
    /// identity.
    fn whitening(&self, d: usize) -> Result<Option<DMatrix<f64>>> {
        match self {
            Metric::SqEuclidean | Metric::Euclidean => Ok(None),
            Metric::SqWeighted(w) | Metric::Weighted(w) => {
                if w.len() != d {
                    return Err(Error::ShapeMismatch {
                        expected: vec![d],
                        got: vec![w.len()],
                    });
                }
                if let Some(i) = w.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
                    return Err(Error::InvalidParameter {
                        name: "w",
                        reason: format!("weight w[{i}] = {} must be finite and >= 0", w[i]),
                    });
                }
                Ok(Some(DMatrix::from_diagonal(
                    &nalgebra::DVector::from_iterator(d, w.iter().map(|v| v.sqrt())),
                )))
            }
            Metric::SqMahalanobis(vi) | Metric::Mahalanobis(vi) => {
                if vi.shape() != [d, d] {
                    return Err(Error::ShapeMismatch {
                        expected: vec![d, d],
                        got: vi.shape().to_vec(),
                    });
                }
                let m = DMatrix::from_fn(d, d, |i, j| vi[[i, j]]);
                let scale = m.iter().fold(0.0f64, |s, v| s.max(v.abs()));
                if !scale.is_finite() {
                    return Err(Error::InvalidParameter {
                        name: "VI",
                        reason: "the inverse covariance has a non-finite entry".into(),
                    });
                }
                let asym = (&m - m.transpose())
                    .iter()
                    .fold(0.0f64, |s, v| s.max(v.abs()));
                if asym > 1e-12 * scale {
                    return Err(Error::InvalidParameter {
                        name: "VI",
                        reason: format!(
                            "the inverse covariance must be symmetric (max |VI - VI^T| = {asym:.3e}); \
                             pass (VI + VI^T) / 2"
                        ),
                    });
                }
                let l = m.cholesky().ok_or_else(|| Error::InvalidParameter {
                    name: "VI",
                    reason: "the inverse covariance is not positive definite (Cholesky failed); \
                             pass a positive definite matrix (the inverse of a full-rank covariance)"
                        .into(),
                })?;
                // (x W)(x W)^T = x L L^T x^T with W = L.
                Ok(Some(l.l()))
            }
        }
    }
}

/// Points (rows of a 2-D array, or the last axis of an N-d array) as f64 rows, whitened.
fn whitened(rows: impl Iterator<Item = Vec<f64>>, w: &Option<DMatrix<f64>>, d: usize) -> Vec<f64> {
    let mut out = Vec::new();
    for r in rows {
        match w {
            None => out.extend_from_slice(&r),
            Some(w) => {
                for j in 0..d {
                    out.push((0..d).map(|i| r[i] * w[(i, j)]).sum());
                }
            }
        }
    }
    out
}

fn check_points<T: Element, S: Data<Elem = T>>(
    x: &ArrayBase<S, Ix2>,
    name: &'static str,
) -> Result<()> {
    if let Some(i) = x.iter().position(|v| !v.is_finite()) {
        let (r, c) = (i / x.ncols().max(1), i % x.ncols().max(1));
        return Err(Error::InvalidParameter {
            name,
            reason: format!("{name}[{r}, {c}] is not finite; drop or fill that point"),
        });
    }
    Ok(())
}

fn rows_f64<T: Element, S: Data<Elem = T>>(
    x: &ArrayBase<S, Ix2>,
) -> impl Iterator<Item = Vec<f64>> + '_ {
    x.rows()
        .into_iter()
        .map(|r| r.iter().map(|v| v.as_f64()).collect())
}

/// Coordinate planes of `n` whitened points (`d` planes of `n` values, padded to a multiple
/// of 4 with copies of the last point so padded lanes are harmless).
struct Planes {
    data: Vec<f64>,
    stride: usize,
}

impl Planes {
    fn new(rows: &[f64], d: usize) -> Planes {
        let n = rows.len().checked_div(d).unwrap_or(0);
        let stride = n.div_ceil(4) * 4;
        let mut data = vec![0.0; stride * d];
        for k in 0..d {
            for i in 0..stride {
                let src = i.min(n.saturating_sub(1));
                data[k * stride + i] = if n > 0 { rows[src * d + k] } else { 0.0 };
            }
        }
        Planes { data, stride }
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

/// `scipy.spatial.distance.cdist(xa, xb, metric)`: the `(m, n)` matrix of distances between
/// the rows of `xa` (m x d) and `xb` (n x d).
///
/// Errors: different column counts, a non-finite coordinate, weights of the wrong length or
/// negative, VI not d x d, not symmetric or not positive definite.
///
/// ```
/// use ndarray::array;
/// use ndkern_linalg::{cdist, Metric};
/// // Q2: d(x, y) = <D^-1 (x - y), x - y> with D = diag(4, 1).
/// let pts = array![[0.0, 0.0], [2.0, 1.0]];
/// let vi = array![[0.25, 0.0], [0.0, 1.0]];
/// let d = cdist(&pts, &pts, &Metric::SqMahalanobis(vi)).unwrap();
/// assert_eq!(d, array![[0.0, 2.0], [2.0, 0.0]]);
/// ```
#[must_use = "the distance matrix is returned"]
pub fn cdist<T, S1, S2>(
    xa: &ArrayBase<S1, Ix2>,
    xb: &ArrayBase<S2, Ix2>,
    metric: &Metric,
) -> Result<Array2<T>>
where
    T: Element,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
{
    let d = xa.ncols();
    if xb.ncols() != d {
        return Err(Error::ShapeMismatch {
            expected: vec![xb.nrows(), d],
            got: xb.shape().to_vec(),
        });
    }
    check_points(xa, "xa")?;
    check_points(xb, "xb")?;
    let w = metric.whitening(d)?;
    let a = whitened(rows_f64(xa), &w, d);
    let b = Planes::new(&whitened(rows_f64(xb), &w, d), d);
    let (m, n) = (xa.nrows(), xb.nrows());
    let mut out = ndkern_core::zeros::<T, _>(Ix2(m, n));
    let sqrt = !metric.is_squared();
    // One reused f64 row buffer per worker: whole-vector stores, then one conversion pass.
    let row = |buf: &mut Vec<f64>, i: usize, o: &mut [T]| {
        let ai = &a[i * d..(i + 1) * d];
        for (c, bc) in buf.chunks_exact_mut(4).enumerate() {
            let v = b.sq4(ai, c);
            let v = if sqrt { v.sqrt() } else { v };
            bc.copy_from_slice(&v.to_array());
        }
        for (dst, x) in o.iter_mut().zip(buf.iter()) {
            *dst = T::of_f64(*x);
        }
    };
    let padded = n.div_ceil(4) * 4;
    let flat = out.as_slice_mut().expect("fresh standard layout");
    if n > 0 && ndkern_core::worth_parallel(m * n * d.max(1)) {
        flat.par_chunks_mut(n)
            .enumerate()
            .for_each_init(|| vec![0.0; padded], |buf, (i, o)| row(buf, i, o));
    } else if n > 0 {
        let mut buf = vec![0.0; padded];
        flat.chunks_mut(n)
            .enumerate()
            .for_each(|(i, o)| row(&mut buf, i, o));
    }
    Ok(out)
}

/// `scipy.spatial.distance.pdist(x, metric)`: condensed pairwise distances of the rows of
/// `x`, pairs `(i, j)` with `i < j` in row-major order (length `m (m - 1) / 2`).
///
/// Errors: as [`cdist`].
///
/// ```
/// use ndarray::array;
/// use ndkern_linalg::{pdist, Metric};
/// let x = array![[0.0], [1.0], [3.0]];
/// assert_eq!(pdist(&x, &Metric::SqEuclidean).unwrap(), array![1.0, 9.0, 4.0]);
/// ```
#[must_use = "the distances are returned"]
pub fn pdist<T, S>(x: &ArrayBase<S, Ix2>, metric: &Metric) -> Result<Array1<T>>
where
    T: Element,
    S: Data<Elem = T>,
{
    let full = cdist(x, x, metric)?;
    let m = x.nrows();
    let mut out = Vec::with_capacity(m * m.saturating_sub(1) / 2);
    for i in 0..m {
        out.extend(full.row(i).iter().skip(i + 1).copied());
    }
    Ok(Array1::from(out))
}

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
    if std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512dq")
    {
        macro_rules! fixed512 {
            ($($n:literal)*) => {
                match d {
                    // SAFETY: the CPU supports AVX-512F and DQ (checked just above).
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
                $($n => assign_fixed::<T, $n>(pts, c, lab, dst),)*
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
#[inline]
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

/// `D`-dimensional points, eight per step (two `f64x4` of points share each centroid's
/// broadcasts); coordinates stay in registers across all centroids.
fn assign_fixed<T: Element, const D: usize>(
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

/// Any `d`: four points per `f64x4`, coordinates in a reused buffer.
fn assign_any<T: Element>(pts: &[T], d: usize, c: &[f64], lab: &mut [usize], dst: &mut [f64]) {
    let n = lab.len();
    let mut i = 0;
    let mut x: Vec<f64x4> = Vec::with_capacity(d);
    while i + 4 <= n {
        x.clear();
        x.extend(
            (0..d).map(|j| f64x4::new(std::array::from_fn(|l| pts[(i + l) * d + j].as_f64()))),
        );
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
