//! k-means clustering: k-means++ seeding (or given centroids) and Lloyd iterations with a
//! fused assign + accumulate pass.
//!
//! Each Lloyd iteration is one pass over the data: blocks of points are assigned to their
//! nearest centroid (four points per `f64x4`, the kernel of [`crate::nearest`]) and, while
//! the block is in cache, added into block-local per-cluster sums and counts, which are merged
//! at the end (rayon over blocks). Results are identical for any thread count: block sums are
//! merged in block order.
//!
//! Stopping (Q19: "stops when centroids stop moving"): when no label changes (strict
//! convergence), or when the total squared centroid shift is `<= tol * mean feature
//! variance` (scikit-learn's rule), or after `max_iter` iterations. The returned labels are
//! always the nearest-centroid assignment of the returned centroids, and `inertia` is their
//! sum of squared distances. An empty cluster takes the point farthest from its centroid
//! (scikit-learn's relocation), so exactly k clusters come back.
//!
//! These are scikit-learn's conventions (`KMeans(init=..., n_init=1, tol=...)`), not
//! `scipy.cluster.vq.kmeans2`'s: kmeans2 always runs `iter` rounds, keeps an empty
//! cluster's old centroid (`missing='warn'`) and returns the labels of its last assignment,
//! made before the last centroid update. With `KMeansInit::Given`, `tol = 0` and a run that
//! converges without an empty cluster, both give the same centroids and labels (the
//! refcheck op `linalg.kmeans2` implements scipy's loop itself on [`crate::nearest`]).
//!
//! ```
//! use ndarray::array;
//! use ndkern_linalg::{kmeans, KMeansInit, KMeansOptions};
//! let x = array![[0.0, 0.0], [0.0, 1.0], [10.0, 10.0], [10.0, 11.0]];
//! let opts = KMeansOptions { init: KMeansInit::Given(array![[0.0, 5.0], [9.0, 9.0]]), ..KMeansOptions::new(2) };
//! let r = kmeans(&x, &opts).unwrap();
//! assert_eq!(r.labels.to_vec(), vec![0, 0, 1, 1]);
//! assert_eq!(r.centroids, array![[0.0, 0.5], [10.0, 10.5]]);
//! assert_eq!(r.inertia, 1.0);
//! ```

use ndarray::{Array1, Array2, ArrayBase, Data, Ix2};
use ndkern_core::{Element, Error, Result};
use rayon::prelude::*;

use crate::distance::assign;
use crate::sizes::{exponent, ldexp, pow2};

/// How the initial centroids are chosen.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum KMeansInit {
    /// k-means++ (Arthur and Vassilvitskii 2007) from a seed; deterministic per seed.
    PlusPlus {
        /// Seed of the internal generator (run `r` of `n_init` uses `seed + r`).
        seed: u64,
    },
    /// These `(k, d)` centroids (scipy `kmeans2(minit='matrix')`, sklearn `init=array`).
    Given(Array2<f64>),
}

/// Options of [`kmeans`]; [`KMeansOptions::new`] gives scikit-learn's defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct KMeansOptions {
    /// Number of clusters, `1..=n`.
    pub k: usize,
    /// Initialization.
    pub init: KMeansInit,
    /// Maximum Lloyd iterations per run.
    pub max_iter: usize,
    /// Relative tolerance on the total squared centroid shift (times the mean feature
    /// variance); 0 runs until no label changes.
    pub tol: f64,
    /// Independent k-means++ runs (seeds `seed..seed + n_init`); the lowest inertia wins.
    /// Ignored (one run) for [`KMeansInit::Given`].
    pub n_init: usize,
}

impl KMeansOptions {
    /// `k` clusters, k-means++ with seed 0, `max_iter = 300`, `tol = 1e-4`, `n_init = 1`.
    ///
    /// ```
    /// let o = ndkern_linalg::KMeansOptions::new(3);
    /// assert_eq!((o.k, o.max_iter, o.n_init), (3, 300, 1));
    /// ```
    pub fn new(k: usize) -> Self {
        KMeansOptions {
            k,
            init: KMeansInit::PlusPlus { seed: 0 },
            max_iter: 300,
            tol: 1e-4,
            n_init: 1,
        }
    }
}

/// The result of [`kmeans`].
#[derive(Clone, Debug, PartialEq)]
pub struct KMeans {
    /// One label in `0..k` per sample (flat, not a list of index arrays).
    pub labels: Array1<usize>,
    /// `(k, d)` centroids.
    pub centroids: Array2<f64>,
    /// Sum of squared distances of the samples to their centroid.
    pub inertia: f64,
    /// Lloyd iterations run (of the returned run).
    pub n_iter: usize,
    /// True when the run stopped by the tolerance or by stable labels (not by `max_iter`).
    pub converged: bool,
}

/// SplitMix64: a tiny, well-mixed deterministic generator for seeding.
pub(crate) struct SplitMix(u64);
impl SplitMix {
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix(seed ^ 0x853C_49E6_748F_EA9B)
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub(crate) fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// k-means++: first centroid uniform, each next one drawn with probability proportional to
/// the squared distance to the nearest chosen centroid.
fn plus_plus<T: Element>(x: &[T], n: usize, d: usize, k: usize, seed: u64) -> Vec<f64> {
    let mut rng = SplitMix::new(seed);
    let first = ((rng.uniform() * n as f64) as usize).min(n - 1);
    let row = |i: usize| -> Vec<f64> { x[i * d..(i + 1) * d].iter().map(|v| v.as_f64()).collect() };
    let mut c: Vec<f64> = row(first);
    let mut dmin = vec![0.0; n];
    update_dmin(x, d, &c[..d], &mut dmin, true);
    for _ in 1..k {
        let total: f64 = dmin.iter().sum();
        let pick = if total > 0.0 {
            let target = rng.uniform() * total;
            let mut acc = 0.0;
            let mut pick = n - 1;
            for (i, &v) in dmin.iter().enumerate() {
                acc += v;
                if acc > target {
                    pick = i;
                    break;
                }
            }
            pick
        } else {
            // All points coincide with chosen centroids: any point will do.
            ((rng.uniform() * n as f64) as usize).min(n - 1)
        };
        let new: Vec<f64> = row(pick);
        update_dmin(x, d, &new, &mut dmin, false);
        c.extend(new);
    }
    c
}

ndkern_core::multiversion! {
    /// k-means++: `dmin[i] = min(dmin[i], |x_i - cj|^2)` for every point (`=` when `first`),
    /// compiled per SIMD level.
    fn update_dmin[T: Element](x: &[T], d: usize, cj: &[f64], dmin: &mut [f64], first: bool) {
        for (i, m) in dmin.iter_mut().enumerate() {
            let s: f64 = x[i * d..(i + 1) * d]
                .iter()
                .zip(cj)
                .map(|(a, b)| (a.as_f64() - b) * (a.as_f64() - b))
                .sum();
            *m = if first { s } else { m.min(s) };
        }
    }
}

/// One fused pass: labels, squared distances, per-cluster sums and counts, labels changed.
struct Pass {
    sums: Vec<f64>,
    counts: Vec<usize>,
    changed: usize,
}

const BLOCK: usize = 4096;

/// Moves the fresh labels `new` into `lab` (counting changes) and adds every point of `pts`
/// to its cluster's sum, in point order (the order, and so the rounding, of the plain loop).
/// Returns the number of changed labels.
#[inline(always)]
fn accumulate_fixed<T: Element, const D: usize>(
    pts: &[T],
    new: &[usize],
    lab: &mut [usize],
    sums: &mut [[f64; D]],
    counts: &mut [usize],
) -> usize {
    let mut changed = 0;
    for ((p, &l), old) in pts.chunks_exact(D).zip(new).zip(lab.iter_mut()) {
        changed += usize::from(*old != l);
        *old = l;
        counts[l] += 1;
        let s = &mut sums[l];
        for t in 0..D {
            s[t] += p[t].as_f64();
        }
    }
    changed
}

ndkern_core::multiversion! {
    fn accumulate[T: Element](
        pts: &[T],
        d: usize,
        new: &[usize],
        lab: &mut [usize],
        sums: &mut [f64],
        counts: &mut [usize],
    ) -> usize {
        macro_rules! fixed {
            ($($n:literal)*) => {
                match d {
                    $($n => {
                        let (s, _) = sums.as_chunks_mut::<$n>();
                        return accumulate_fixed::<T, $n>(pts, new, lab, s, counts);
                    })*
                    _ => {}
                }
            };
        }
        fixed!(1 2 3 4 5 6 7 8);
        let mut changed = 0;
        if d == 0 {
            counts[0] += new.len();
            for (old, &l) in lab.iter_mut().zip(new) {
                changed += usize::from(*old != l);
                *old = l;
            }
            return changed;
        }
        for ((p, &l), old) in pts.chunks_exact(d).zip(new).zip(lab.iter_mut()) {
            changed += usize::from(*old != l);
            *old = l;
            counts[l] += 1;
            for (s, v) in sums[l * d..(l + 1) * d].iter_mut().zip(p) {
                *s += v.as_f64();
            }
        }
        changed
    }
}

fn assign_accumulate<T: Element>(
    x: &[T],
    d: usize,
    c: &[f64],
    labels: &mut [usize],
    dist: &mut [f64],
) -> Pass {
    let k = c.len() / d.max(1);
    let run = |new: &mut Vec<usize>, start: usize, lab: &mut [usize], dst: &mut [f64]| -> Pass {
        let pts = &x[start * d..(start + lab.len()) * d];
        new.resize(lab.len(), 0);
        assign(pts, d, c, new, dst);
        let mut sums = vec![0.0; k * d];
        let mut counts = vec![0usize; k];
        let changed = accumulate(pts, d, new, lab, &mut sums, &mut counts);
        Pass {
            sums,
            counts,
            changed,
        }
    };
    let parts: Vec<Pass> = if ndkern_core::worth_parallel(labels.len() * k * d / 4) {
        labels
            .par_chunks_mut(BLOCK)
            .zip(dist.par_chunks_mut(BLOCK))
            .enumerate()
            .map_init(Vec::new, |new, (b, (l, s))| run(new, b * BLOCK, l, s))
            .collect()
    } else {
        let mut new = Vec::new();
        labels
            .chunks_mut(BLOCK)
            .zip(dist.chunks_mut(BLOCK))
            .enumerate()
            .map(|(b, (l, s))| run(&mut new, b * BLOCK, l, s))
            .collect()
    };
    // Merge in block order: the same result for any thread count.
    let mut total = Pass {
        sums: vec![0.0; k * d],
        counts: vec![0; k],
        changed: 0,
    };
    for p in parts {
        for (a, b) in total.sums.iter_mut().zip(&p.sums) {
            *a += b;
        }
        for (a, b) in total.counts.iter_mut().zip(&p.counts) {
            *a += b;
        }
        total.changed += p.changed;
    }
    total
}

/// One Lloyd run from centroids `c`.
fn lloyd<T: Element>(
    x: &[T],
    n: usize,
    d: usize,
    mut c: Vec<f64>,
    opts: &KMeansOptions,
    tol_abs: f64,
) -> KMeans {
    let k = opts.k;
    let mut labels = vec![usize::MAX; n];
    let mut dist = vec![0.0; n];
    let mut n_iter = 0;
    let mut converged = false;
    let mut fresh = false; // labels are the assignment of the current centroids
    while n_iter < opts.max_iter {
        let mut pass = assign_accumulate(x, d, &c, &mut labels, &mut dist);
        n_iter += 1;
        if pass.changed == 0 {
            converged = true;
            fresh = true;
            break;
        }
        // Empty clusters: move them to the points farthest from their centroids.
        let mut taken = if pass.counts.contains(&0) {
            vec![false; n]
        } else {
            Vec::new()
        };
        for j in 0..k {
            if pass.counts[j] > 0 {
                continue;
            }
            let far = (0..n)
                .filter(|&i| !taken[i] && pass.counts[labels[i]] > 1)
                .max_by(|&a, &b| dist[a].total_cmp(&dist[b]).then(b.cmp(&a)));
            if let Some(i) = far {
                taken[i] = true;
                let old = labels[i];
                pass.counts[old] -= 1;
                pass.counts[j] = 1;
                for t in 0..d {
                    pass.sums[old * d + t] -= x[i * d + t].as_f64();
                    pass.sums[j * d + t] = x[i * d + t].as_f64();
                }
                labels[i] = j;
                dist[i] = 0.0;
            }
        }
        let mut shift = 0.0;
        for j in 0..k {
            if pass.counts[j] == 0 {
                continue;
            }
            for t in 0..d {
                let v = pass.sums[j * d + t] / pass.counts[j] as f64;
                shift += (v - c[j * d + t]) * (v - c[j * d + t]);
                c[j * d + t] = v;
            }
        }
        fresh = false;
        if shift <= tol_abs {
            converged = true;
            break;
        }
    }
    if !fresh {
        // Labels and inertia of the final centroids.
        assign_accumulate(x, d, &c, &mut labels, &mut dist);
    }
    KMeans {
        labels: Array1::from(labels),
        centroids: Array2::from_shape_vec((k, d), c).expect("k x d"),
        inertia: dist.iter().sum(),
        n_iter,
        converged,
    }
}

/// k-means clustering of the rows of `x` (n x d); see the module docs for the algorithm and
/// stopping rule. Deterministic for a given seed (and thread count independent).
///
/// Errors: no samples or no features, `k = 0` or `k > n`, a non-finite coordinate, given
/// centroids not `(k, d)` or not finite, `n_init = 0`, negative or NaN `tol`. Data near
/// the ends of the f64 range (|x| beyond 2^400 or below 2^-400) is clustered scaled by a
/// power of two, so squared distances neither overflow nor underflow.
///
/// ```
/// use ndarray::Array2;
/// use ndkern_linalg::{kmeans, KMeansOptions};
/// let x = Array2::from_shape_fn((60, 2), |(i, j)| (i / 20) as f64 * 10.0 + ((i * 7 + j * 3) % 5) as f64 * 0.1);
/// let r = kmeans(&x, &KMeansOptions { n_init: 4, ..KMeansOptions::new(3) }).unwrap();
/// assert!(r.converged);
/// // Three well-separated groups of 20: each keeps one label.
/// for g in 0..3 {
///     assert!((0..20).all(|i| r.labels[g * 20 + i] == r.labels[g * 20]));
/// }
/// assert!(kmeans(&x, &KMeansOptions::new(0)).unwrap_err().to_string().contains("k = 0"));
/// ```
pub fn kmeans<T, S>(x: &ArrayBase<S, Ix2>, opts: &KMeansOptions) -> Result<KMeans>
where
    T: Element,
    S: Data<Elem = T>,
{
    let (n, d) = x.dim();
    let k = opts.k;
    if n == 0 || d == 0 {
        return Err(Error::InvalidParameter {
            name: "x",
            reason: format!(
                "x has shape ({n}, {d}): k-means needs at least one sample with at least one \
                 feature (scikit-learn: 'Found array with 0 sample(s)/feature(s)')"
            ),
        });
    }
    if k == 0 || k > n {
        return Err(Error::InvalidParameter {
            name: "k",
            reason: format!("k = {k} clusters for {n} samples: choose 1 <= k <= {n}"),
        });
    }
    if opts.tol.is_nan() || opts.tol < 0.0 {
        return Err(Error::InvalidParameter {
            name: "tol",
            reason: format!("tol = {} must be >= 0", opts.tol),
        });
    }
    if opts.n_init == 0 {
        return Err(Error::InvalidParameter {
            name: "n_init",
            reason: "n_init must be >= 1".into(),
        });
    }
    if let KMeansInit::Given(c) = &opts.init {
        if c.dim() != (k, d) {
            return Err(Error::ShapeMismatch {
                expected: vec![k, d],
                got: c.shape().to_vec(),
            });
        }
        if c.iter().any(|v| !v.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "init",
                reason: "initial centroids must be finite".into(),
            });
        }
    }
    // Every block of BLOCK points keeps k x d partial sums until they are merged in order:
    // sized by k (a parameter) times the block count.
    let partial = ndkern_core::checked_len("k-means partial sums", &[n.div_ceil(BLOCK) + 1, k, d])?;
    ndkern_core::check_alloc::<f64>("k-means partial sums", partial)?;
    // Row-major points, borrowed when `x` already is (no copy), converted per use.
    // `x` may be a huge broadcast view: its copy, the per-point labels, distances and flags
    // (and a scaled f64 copy on the rare rescaling path) are checked first.
    let xc = ndkern_core::try_standard_layout("a C-order copy of the points", x)?;
    ndkern_core::check_alloc::<f64>(
        "k-means per-point buffers",
        x.nrows().saturating_mul(4).saturating_add(x.len()),
    )?;
    let xs: &[T] = xc.as_slice().expect("standard layout");
    let mut big = 0.0f64;
    for (i, v) in xs.iter().enumerate() {
        let v = v.as_f64();
        if !v.is_finite() {
            return Err(Error::InvalidParameter {
                name: "x",
                reason: format!(
                    "x[{}, {}] is not finite; drop or impute that sample",
                    i / d,
                    i % d
                ),
            });
        }
        big = big.max(v.abs());
    }
    if let KMeansInit::Given(c) = &opts.init {
        big = c.iter().fold(big, |s, v| s.max(v.abs()));
    }
    // Squared distances of data near 1e+-200 overflow or underflow f64 (every point would
    // tie at inf or 0 and land in cluster 0): such data is clustered divided by a power of
    // two (exact; the same labels and, multiplied back, centroids), inertia multiplied back.
    if big > 2f64.powi(400) || (big > 0.0 && big < 2f64.powi(-400)) {
        let e = exponent(big);
        let f = pow2(-e);
        let scaled: Vec<f64> = xs.iter().map(|v| v.as_f64() * f).collect();
        let init = match &opts.init {
            KMeansInit::Given(c) => KMeansInit::Given(c.mapv(|v| v * f)),
            other => other.clone(),
        };
        let mut r = fit(
            &scaled,
            n,
            d,
            &KMeansOptions {
                init,
                ..opts.clone()
            },
        );
        r.centroids.mapv_inplace(|v| ldexp(v, e));
        r.inertia = ldexp(r.inertia, 2 * e);
        return Ok(r);
    }
    Ok(fit(xs, n, d, opts))
}

/// [`kmeans`] after validation: the tolerance, then one run from the given centroids or the
/// best of `n_init` k-means++ runs.
fn fit<T: Element>(xs: &[T], n: usize, d: usize, opts: &KMeansOptions) -> KMeans {
    let k = opts.k;
    // scikit-learn's tolerance: tol times the mean per-feature variance (two row-order
    // passes; skipped for tol = 0).
    let mean_var = if opts.tol == 0.0 {
        0.0
    } else {
        let mut m = vec![0.0; d];
        for row in xs.chunks_exact(d) {
            m.iter_mut().zip(row).for_each(|(m, v)| *m += v.as_f64());
        }
        m.iter_mut().for_each(|v| *v /= n as f64);
        let mut var = 0.0;
        for row in xs.chunks_exact(d) {
            var += row
                .iter()
                .zip(&m)
                .map(|(v, m)| (v.as_f64() - m) * (v.as_f64() - m))
                .sum::<f64>();
        }
        var / n as f64 / d as f64
    };
    let tol_abs = opts.tol * mean_var;
    match &opts.init {
        KMeansInit::Given(c) => lloyd(xs, n, d, c.iter().copied().collect(), opts, tol_abs),
        KMeansInit::PlusPlus { seed } => {
            let mut best: Option<KMeans> = None;
            for r in 0..opts.n_init {
                let c = plus_plus(xs, n, d, k, seed.wrapping_add(r as u64));
                let run = lloyd(xs, n, d, c, opts, tol_abs);
                if best.as_ref().is_none_or(|b| run.inertia < b.inertia) {
                    best = Some(run);
                }
            }
            best.expect("n_init >= 1")
        }
    }
}
