//! Pairwise distances (`cdist`/`pdist`) for squared/plain Euclidean, per-dimension weighted
//! and Mahalanobis metrics, and the nearest centroid of every point (`nearest`).
//!
//! Every metric is a squared Euclidean distance after a linear map: Mahalanobis with inverse
//! covariance `VI = L L^T` (Cholesky) is `||L^T (x - y)||^2`, weights `w` are
//! `||sqrt(w) (x - y)||^2`. Both point sets are whitened once (`O((m + n) d^2)`, f64, so f32
//! input is computed in f64 and rounded once at the end), then one of two kernels runs:
//!
//! - `d < 6` (Q2 is `d = 2`): direct differences `sum (x_k - y_k)^2`, the second set stored
//!   as coordinate planes, `f64x4` across its points (`direct.rs`). No cancellation: every
//!   entry is within a few ulps. For small `d` nothing is reused between pairs anyway, and
//!   this kernel needs no packing or fix-up.
//! - `d >= 6`: the GEMM trick `|x|^2 + |y|^2 - 2 x.y` (`gemm.rs`): a cache-tiled AVX-512
//!   (when the dispatched SIMD level is AVX-512) or `f64x4` micro-kernel reuses every
//!   loaded coordinate across 8 x 24 pairs, so it runs near the FMA rate. Both sets are
//!   centred on their common mean first, and every entry the rounding bound does not vouch
//!   for (`v <= tau s`, `gemm.rs`) is recomputed by direct differences: every entry is
//!   within `2^-33` (1.2e-10) of the exact value relatively (typically 1e-15 of the
//!   maximum), identical points give exactly 0 (the diagonal of `cdist(x, x)`), nothing is
//!   negative.
//!
//! Both kernels fill tiles of rows (rayon over tiles), and each tile is one
//! `ndkern_core::multiversion!` leaf, so the `f64x4` code runs as AVX2+FMA (or AVX-512)
//! instructions at those dispatched levels even in a default build (`NDKERN_SIMD` caps it).
//!
//! The crossover, measured with `cdist(x, x)` of 2000 x d f64 points (native build, 2 cores
//! shared with other jobs at load ~4.7, medians of 9; direct / GEMM): d = 2: 7.7 / 4.1 ms,
//! d = 4: 6.2 / 4.5, d = 6: 11.9 / 3.2, d = 8: 12.0 / 6.4, d = 16: 24.8 / 8.2, d = 64:
//! 92 / 15. At 3000 x d (Q2's size, a 72 MB result) both kernels are bound by writing the
//! result and within noise of each other for d <= 5; the GEMM is clearly ahead from d = 6.
//! Below that the direct kernel is kept for its per-entry exactness. At 4000 x 64 (the
//! `cdist_sqeuclidean_64` bench row) the GEMM path took 32 ms where the direct kernel took
//! 182 ms in one A/B run (load 3.2); in `cargo xtask bench --quick --peers cdist` (load ~4)
//! 62.6 ms (32.7 GFLOP/s) against 306 ms for numpy's `|x|^2 + |y|^2 - 2 x @ y.T` with
//! 2-thread OpenBLAS (it makes several passes over the 128 MB result), 4.9x.
//!
//! For weighted and Mahalanobis metrics the guarantees hold for the whitened points: the
//! whitening itself (`x W`, one `d`-term product per coordinate) adds its own rounding, as
//! with any route through a Cholesky factor.
//!
//! `pdist` runs the same kernels on the upper triangle only (half the work) and writes the
//! condensed vector directly; its entries are bitwise those of `cdist(x, x)`.
//!
//! ```
//! use ndarray::array;
//! use ndkern_linalg::{cdist, Metric};
//! let xa = array![[0.0, 0.0], [1.0, 1.0]];
//! let xb = array![[3.0, 4.0]];
//! let d = cdist(&xa, &xb, &Metric::Euclidean).unwrap();
//! assert_eq!(d, array![[5.0], [13f64.sqrt()]]);
//! ```

mod direct;
mod gemm;
mod nearest;

use nalgebra::DMatrix;
use ndarray::{Array1, Array2, ArrayBase, Data, Ix1, Ix2};
use ndkern_core::{Element, Error, Result};
use rayon::prelude::*;

use crate::sizes::{checked_zeros, pow2};

pub(crate) use nearest::assign;
pub use nearest::nearest;

/// Dimension from which `cdist`/`pdist` use the GEMM trick (below: direct differences).
pub(crate) const GEMM_MIN_D: usize = 6;

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
                // An explicit scan: a NaN must not slip through a `max` fold.
                if let Some(k) = m.iter().position(|v| !v.is_finite()) {
                    let (i, j) = (k % d, k / d);
                    return Err(Error::InvalidParameter {
                        name: "VI",
                        reason: format!(
                            "the inverse covariance has a non-finite entry VI[{i}, {j}] = {}; \
                             pass a finite, symmetric positive definite matrix",
                            m[k]
                        ),
                    });
                }
                let scale = m.iter().fold(0.0f64, |s, v| s.max(v.abs()));
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
                // Factor VI / 4^e (largest entry near 1): the Cholesky sums can then neither
                // overflow (entries near 1e308) nor underflow (near 1e-308), so a failure
                // means VI really is not positive definite. L = 2^e L'.
                let e = if scale > 0.0 {
                    (scale.log2() / 2.0).round() as i32
                } else {
                    0
                };
                let l = (&m * pow2(-2 * e))
                    .cholesky()
                    .ok_or_else(|| Error::InvalidParameter {
                        name: "VI",
                        reason:
                            "the inverse covariance is not positive definite (Cholesky \
                                 failed: it is singular, indefinite or negative definite); pass \
                                 a positive definite matrix (the inverse of a full-rank covariance)"
                                .into(),
                    })?;
                // (x W)(x W)^T = x L L^T x^T with W = L.
                Ok(Some(l.l() * pow2(e)))
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

/// Rows `i0..i0 + rows.len()` of a distance matrix being written: row `i` holds the columns
/// from [`RowTile::start`] to `n` (all of them for `cdist`, `i + 1..` for `pdist`).
pub(crate) struct RowTile<'t, 'o, T> {
    pub(crate) i0: usize,
    pub(crate) rows: &'t mut [&'o mut [T]],
    upper: bool,
    pub(crate) sqrt: bool,
}

impl<T> RowTile<'_, '_, T> {
    /// First column stored for row `i`.
    #[inline(always)]
    pub(crate) fn start(&self, i: usize) -> usize {
        if self.upper {
            i + 1
        } else {
            0
        }
    }
}

/// A distance kernel that fills tiles of rows.
pub(crate) trait Tiled: Sync {
    fn tile_rows(&self) -> usize;
    fn tile<T: Element>(&self, tile: &mut RowTile<'_, '_, T>);
}

/// Fills `rows` (row `i` from column `i + 1` when `upper`) with the squared distances (or
/// distances when `sqrt`) between the whitened rows of `a` and `b` (`d` columns each).
fn fill<T: Element>(
    a: &[f64],
    b: &[f64],
    d: usize,
    rows: &mut [&mut [T]],
    upper: bool,
    sqrt: bool,
) {
    fn drive<K: Tiled, T: Element>(
        k: &K,
        rows: &mut [&mut [T]],
        upper: bool,
        sqrt: bool,
        work: usize,
    ) {
        let tr = k.tile_rows();
        let run = |(t, chunk): (usize, &mut [&mut [T]])| {
            k.tile(&mut RowTile {
                i0: t * tr,
                rows: chunk,
                upper,
                sqrt,
            })
        };
        if ndkern_core::worth_parallel(work) {
            rows.par_chunks_mut(tr).enumerate().for_each(run);
        } else {
            rows.chunks_mut(tr).enumerate().for_each(run);
        }
    }
    let work: usize = rows.iter().map(|r| r.len()).sum::<usize>() * d.max(1);
    if work == 0 || d == 0 {
        // Nothing to compute, or d = 0 (every distance is 0, as zeros() left it).
        return;
    }
    if d >= GEMM_MIN_D {
        drive(&gemm::Gemm::new(a, b, d), rows, upper, sqrt, work);
    } else {
        drive(&direct::Direct::new(a, b, d), rows, upper, sqrt, work);
    }
}

/// `scipy.spatial.distance.cdist(xa, xb, metric)`: the `(m, n)` matrix of distances between
/// the rows of `xa` (m x d) and `xb` (n x d).
///
/// Accuracy: every entry within `2^-33` relative of the exact distance of the (whitened)
/// points, f32 results within one f32 rounding of that; identical points at distance exactly
/// 0 (module docs).
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
    let (m, n) = (xa.nrows(), xb.nrows());
    // The result is sized by m * n (two inputs together): checked before any work.
    let mut out = checked_zeros::<T, _>("cdist result", Ix2(m, n))?;
    if n == 0 || m == 0 || d == 0 {
        // Nothing to compute (d = 0: every distance is 0, as try_zeros left it).
        return Ok(out);
    }
    let sqrt = !metric.is_squared();
    // f64 copies of both point sets (and their whitened twins): the inputs may be huge
    // broadcast views.
    let copies = xa.len().saturating_add(xb.len()).saturating_mul(2);
    ndkern_core::check_alloc::<f64>("f64 copies of the points", copies)?;
    let (a, b, e) = whiten_pair(xa, xb, &w, d);
    let flat = out.as_slice_mut().expect("fresh standard layout");
    let mut rows: Vec<&mut [T]> = flat.chunks_mut(n).collect();
    fill(&a, &b, d, &mut rows, false, sqrt && e == 0);
    if e != 0 {
        unscale(flat, e, sqrt);
    }
    Ok(out)
}

/// Both point sets whitened, and the exponent `e` they were divided by first (`2^e`): 0
/// normally; when whitening overflows (a non-finite whitened coordinate of finite points,
/// e.g. Mahalanobis with `|x| |W| ~ 1e300`, where `inf - inf` would give NaN for equal
/// points) the points are whitened again divided by `2^e` (largest |coordinate| in [0.5, 1)) and
/// the squared distances are multiplied back by `4^e` ([`unscale`]): inf where the distance
/// really overflows (like scipy's `(x - y) VI (x - y)`), exact 0 for equal points. The scan
/// is O((m + n) d), once per call; the rescaling path is taken only on overflow.
fn whiten_pair<T: Element, S1: Data<Elem = T>, S2: Data<Elem = T>>(
    xa: &ArrayBase<S1, Ix2>,
    xb: &ArrayBase<S2, Ix2>,
    w: &Option<DMatrix<f64>>,
    d: usize,
) -> (Vec<f64>, Vec<f64>, i32) {
    let a = whitened(rows_f64(xa), w, d);
    let b = whitened(rows_f64(xb), w, d);
    if w.is_none() || a.iter().chain(&b).all(|v| v.is_finite()) {
        return (a, b, 0);
    }
    let big = xa
        .iter()
        .chain(xb.iter())
        .fold(0.0f64, |s, v| s.max(v.as_f64().abs()));
    let e = crate::sizes::exponent(big);
    let f = pow2(-e);
    let scaled = |x: Vec<f64>| -> Vec<f64> { x.into_iter().map(|v| v * f).collect() };
    let a = whitened(rows_f64(xa).map(scaled), w, d);
    let b = whitened(rows_f64(xb).map(scaled), w, d);
    (a, b, e)
}

/// Squared distances of points divided by `2^e` back to the original scale (`* 4^e`), then
/// square-rooted when `sqrt`.
fn unscale<T: Element>(out: &mut [T], e: i32, sqrt: bool) {
    let f = pow2(2 * e);
    for v in out.iter_mut() {
        let x = v.as_f64() * f;
        *v = T::of_f64(if sqrt { x.sqrt() } else { x });
    }
}

/// `scipy.spatial.distance.pdist(x, metric)`: condensed pairwise distances of the rows of
/// `x`, pairs `(i, j)` with `i < j` in row-major order (length `m (m - 1) / 2`). Only the
/// upper triangle is computed; the values are bitwise those of `cdist(x, x)`.
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
    let d = x.ncols();
    check_points(x, "x")?;
    let w = metric.whitening(d)?;
    let m = x.nrows();
    // m (m - 1) / 2 pairs, checked: a (2^33, 0) array has 2^65 of them.
    let (even, other) = if m.is_multiple_of(2) {
        (m / 2, m.saturating_sub(1))
    } else {
        ((m - 1) / 2, m)
    };
    let pairs = even.checked_mul(other).ok_or(Error::TooLarge {
        what: "pdist result (m (m - 1) / 2 pairs)",
        bytes: None,
        limit: ndkern_core::memory_limit(),
    })?;
    let mut out = checked_zeros::<T, _>("pdist result (m (m - 1) / 2 pairs)", Ix1(pairs))?;
    if pairs == 0 || d == 0 {
        // No pairs, or d = 0: every distance is 0, as try_zeros left it.
        return Ok(out);
    }
    let sqrt = !metric.is_squared();
    // f64 copies of the points (and their whitened twins): `x` may be a huge broadcast view.
    ndkern_core::check_alloc::<f64>("f64 copies of the points", x.len().saturating_mul(2))?;
    let (a, _, e) = whiten_pair(x, &x.slice(ndarray::s![0..0, ..]), &w, d);
    let flat = out.as_slice_mut().expect("fresh standard layout");
    let mut rest = &mut *flat;
    let mut rows: Vec<&mut [T]> = Vec::with_capacity(m);
    for i in 0..m {
        let (row, tail) = rest.split_at_mut(m - 1 - i);
        rows.push(row);
        rest = tail;
    }
    fill(&a, &a, d, &mut rows, true, sqrt && e == 0);
    drop(rows);
    if e != 0 {
        unscale(flat, e, sqrt);
    }
    Ok(out)
}
