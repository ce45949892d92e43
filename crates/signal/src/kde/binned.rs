//! Binned evaluation on a regular output grid: cubic binning onto a grid aligned with the
//! output (`r` cells per output step), one real FFT of the bins, the product with the
//! Gaussian's spectrum in closed form on the band of frequencies where it is not negligible,
//! and an inverse FFT folded onto the output grid. See the [module docs](super) for why.

use std::f64::consts::PI;

use ndarray::{Array1, Array2, Ix2};
use ndkern_core::{Error, Result};
use rayon::prelude::*;

use super::{invalid, GaussianKde, WeightAt, Weights, CUTOFF};
use crate::fft::{irfftn, next_fast_len, with_plans, C64};

/// Cells per kernel std of the 1-D binned grid: cubic binning's error is at most
/// `0.0703 / 16^4 = 1.1e-6` of a kernel's peak (derivation at [`BINNED_2D_PER_STD`]). The
/// output grid itself is used when it is this fine (`r = 1`), as on the bench row.
const BINNED_1D_PER_STD: f64 = 16.0;

/// Padding of the 1-D binned grid in kernel stds: samples dropped outside it, and the
/// circular convolution's wrap-around, reach an output point only from farther than
/// `CUTOFF` stds less two cells (`exp(-8.4^2 / 2) < 5e-16` of a kernel's peak).
const BINNED_1D_PAD: f64 = CUTOFF;

/// Cells per conditional kernel std of the 2-D binned grid. Cubic assignment is the transpose
/// of cubic Lagrange interpolation, whose error on the middle interval is at most
/// `(9/16) / 24 delta^4 max|f''''|`; a Gaussian's `max|g''''| = 3 g(0) / std^4`, so a
/// sample's error is at most `0.0703 (delta / std)^4 = 7.0e-6` of its bump's peak per axis at
/// 10 cells per std, `< 2e-5` for both axes with the other axis' stencil weights (sum of
/// absolute values 1.25) ([`GaussianKde::evaluate_binned_2d`]).
const BINNED_2D_PER_STD: f64 = 10.0;

/// Weights of the 4-point cubic Lagrange stencil at nodes -1, 0, 1, 2 for a point at `f` in
/// `[0, 1)`: they reproduce every cubic, so binning with them is exact for cubics.
#[inline(always)]
fn cubic_weights(f: f64) -> [f64; 4] {
    // Products by 1/6 and 1/2, not divisions: a division's latency would bound the binning.
    let (a, b, c, d) = (f + 1.0, f, f - 1.0, f - 2.0);
    let (bc, ad) = (b * c, a * d);
    const SIXTH: f64 = 1.0 / 6.0;
    [-bc * d * SIXTH, c * ad * 0.5, -b * ad * 0.5, bc * a * SIXTH]
}

/// Padding of the 2-D binned grid in marginal kernel stds: `exp(-6^2 / 2) = 1.5e-8`.
const BINNED_2D_PAD: f64 = 6.0;

/// Frequencies kept by the spectral product: those with `w^T C w <= BAND^2` (a box around that
/// ellipse, `|w_k| <= BAND / conditional std_k`). The Gaussian's spectrum `exp(-w^T C w / 2)`
/// carries `exp(-BAND^2 / 2) = 2.6e-18` of its mass outside, so dropping the rest changes a
/// density by less than that times the kernel's peak per unit of binned weight.
const BAND: f64 = 9.0;

ndkern_core::multiversion! {
    /// Cubic (4-point) binning of the whitened 1-D samples `z` (weights `w`) onto `bins`:
    /// a sample sits at cell coordinate `g = z ab[0] - ab[1]` and adds `w` times the stencil
    /// weights to cells `floor(g) - 1 ..= floor(g) + 2`; samples whose stencil leaves the first
    /// `used` cells are dropped (farther than the padding from every output point). Compiled
    /// per SIMD level.
    fn bin_cubic_1d[W: WeightAt](z: &[f64], w: W, ab: [f64; 2], used: usize, bins: &mut [f64]) {
        let top = used as f64 - 3.0;
        for (i, &zi) in z.iter().enumerate() {
            let wi = w.at(i);
            let g = zi * ab[0] - ab[1];
            if !(g >= 1.0 && g < top) {
                continue;
            }
            // Truncation is floor for g >= 1; the signed conversions are one instruction each.
            let j = g as i64;
            let c = cubic_weights(g - j as f64);
            let j = j as usize;
            let s = &mut bins[j - 1..j + 3];
            for (b, cp) in s.iter_mut().zip(c) {
                *b += wi * cp;
            }
        }
    }
}

ndkern_core::multiversion! {
    /// Cubic (4 x 4) binning of the whitened 2-D samples `z` (weights `w`) onto the
    /// row-major grid `bins` (`n1` columns): the data point is `x = (l0 z0, l2 z0 + l3 z1)`
    /// with `l = [l0, l2, l3]`, axis `k` has `(origin, delta, used cells)` in `geo[k]`.
    /// Samples whose stencil leaves the used cells are dropped. Compiled per SIMD level.
    fn bin_cubic[W: WeightAt](
        z: [&[f64]; 2],
        w: W,
        l: [f64; 3],
        geo: [(f64, f64, usize); 2],
        n1: usize,
        bins: &mut [f64],
    ) {
        let (t0, t1) = (geo[0].2, geo[1].2);
        for (i, (&z0, &z1)) in z[0].iter().zip(z[1]).enumerate() {
            let x = [l[0] * z0, l[1] * z0 + l[2] * z1];
            let g = [(x[0] - geo[0].0) / geo[0].1, (x[1] - geo[1].0) / geo[1].1];
            // The 4-point stencil needs cells j - 1 ..= j + 2 inside the padded grid.
            if !(g[0] >= 1.0 && g[0] < (t0 - 3) as f64 && g[1] >= 1.0 && g[1] < (t1 - 3) as f64)
            {
                continue; // farther than BINNED_2D_PAD sigma (less 2 cells) from every output
            }
            // Truncation is floor for g >= 1; the signed conversions are one instruction each.
            let (j0, j1) = (g[0] as i64, g[1] as i64);
            let (a, b) = (
                cubic_weights(g[0] - j0 as f64),
                cubic_weights(g[1] - j1 as f64),
            );
            let (j0, j1) = (j0 as usize, j1 as usize);
            let wi = w.at(i);
            for (p, &wa) in a.iter().enumerate() {
                let at = (j0 + p - 1) * n1 + j1 - 1;
                let k = wi * wa;
                for (v, &wb) in bins[at..at + 4].iter_mut().zip(&b) {
                    *v += k * wb;
                }
            }
        }
    }
}

fn too_large() -> Error {
    Error::TooLarge {
        what: "KDE grid",
        bytes: None,
        limit: ndkern_core::memory_limit(),
    }
}

/// A non-negative whole number of cells computed in `f64` from the caller's grid, as `usize`,
/// or [`Error::TooLarge`] when it does not fit (or is not a number).
fn cells(x: f64) -> Result<usize> {
    if (0.0..9.0e15).contains(&x) {
        Ok(x as usize)
    } else {
        Err(too_large())
    }
}

/// One axis of a binned grid. Output point `i` is fine cell `(halo + i) r`; the circular
/// transforms are `fine = r coarse` cells long, so sampling every `r`-th cell is a fold of
/// the spectrum onto `coarse` frequencies.
#[derive(Clone, Copy, Debug)]
struct AxisGrid {
    /// Fine cells per output step.
    r: usize,
    /// Fine spacing, `step / r`.
    delta: f64,
    /// Output steps of padding on each side.
    halo: usize,
    /// Circular length in output steps (a fast FFT length).
    coarse: usize,
    /// Circular length in fine cells.
    fine: usize,
    /// Fine cells that can hold data: the output span and its padding, `r (m - 1 + 2 halo) + 1`.
    used: usize,
    /// Coordinate of fine cell 0.
    origin: f64,
    /// Highest frequency index of the band kept ([`BAND`]).
    band: usize,
}

impl AxisGrid {
    /// The axis for `m` outputs on `[lo, hi]`, spacing at most `cond / per_std`, padding at
    /// least `pad * marginal`. Errors: a grid that does not fit in memory indices.
    fn new(
        (lo, hi, m): (f64, f64, usize),
        cond: f64,
        marginal: f64,
        per_std: f64,
        pad: f64,
    ) -> Result<Self> {
        let step = (hi - lo) / (m - 1) as f64;
        let r = next_fast_len(cells((step * per_std / cond).ceil().max(1.0))?, true)?;
        let halo = cells((pad * marginal / step).ceil())?;
        let span = halo
            .checked_mul(2)
            .and_then(|h| h.checked_add(m))
            .ok_or_else(too_large)?;
        let coarse = next_fast_len(span, true)?;
        let fine = coarse.checked_mul(r).ok_or_else(too_large)?;
        let period = coarse as f64 * step;
        Ok(AxisGrid {
            r,
            delta: step / r as f64,
            halo,
            coarse,
            fine,
            used: (span - 1) * r + 1,
            origin: lo - halo as f64 * step,
            band: cells((BAND * period / (2.0 * PI * cond)).ceil())?,
        })
    }

    /// The axis 0 of a 1-D evaluation: one cell, frequency 0 only.
    fn single() -> Self {
        AxisGrid {
            r: 1,
            delta: 1.0,
            halo: 0,
            coarse: 1,
            fine: 1,
            used: 1,
            origin: 0.0,
            band: 0,
        }
    }

    /// Frequencies kept, `-neg ..= pos`: at most the band, and distinct modulo `fine`.
    fn band_range(&self) -> (isize, isize) {
        let pos = self.band.min(self.fine / 2);
        let neg = self.band.min((self.fine - 1) / 2);
        (-(neg as isize), pos as isize)
    }
}

/// The circular convolution of the fine `bins` (row-major, `rows` rows of `g[1].fine` cells;
/// the rows from `rows` to `g[0].fine` are zero) with the Gaussian of covariance
/// `[c00, c01, c11]`, sampled at every `r`-th cell: a `g[0].coarse x g[1].coarse` grid whose
/// cell `(halo0 + i, halo1 + j)` is output point `(i, j)`. A real FFT per row keeps the band's
/// columns, a complex FFT per kept column, the product with the spectrum
/// `exp(-w^T C w / 2) / (delta0 delta1)` on the band, folded onto the coarse frequencies, and
/// one small inverse real FFT. `bins` is used as scratch.
fn smooth(bins: &mut [f64], rows: usize, g: [&AxisGrid; 2], c: [f64; 3]) -> Result<Array2<f64>> {
    let [a0, a1] = g;
    let (n0, n1) = (a0.fine, a1.fine);
    let (neg0, pos0) = a0.band_range();
    let (neg1, pos1) = a1.band_range();
    let cols = pos1 as usize + 1;
    let (rplan, cplan) =
        with_plans(|p| (p.real.plan_fft_forward(n1), p.complex.plan_fft_forward(n0)));
    // Rows: real FFT, the band's columns kept.
    let mut a = ndkern_core::try_filled_vec(
        "KDE spectrum",
        C64::default(),
        ndkern_core::checked_len("KDE spectrum", &[rows, cols])?,
    )?;
    bins.par_chunks_mut(n1)
        .zip(a.par_chunks_mut(cols))
        .for_each_init(
            || (rplan.make_output_vec(), rplan.make_scratch_vec()),
            |(out, scratch), (row, dst)| {
                rplan
                    .process_with_scratch(row, out, scratch)
                    .expect("buffer lengths come from the plan");
                dst.copy_from_slice(&out[..cols]);
            },
        );
    // Columns: complex FFT of each kept column (zero past `rows`).
    let mut b = ndkern_core::try_filled_vec(
        "KDE spectrum",
        C64::default(),
        ndkern_core::checked_len("KDE spectrum", &[cols, n0])?,
    )?;
    for (i, row) in a.chunks_exact(cols).enumerate() {
        for (k, &v) in row.iter().enumerate() {
            b[k * n0 + i] = v;
        }
    }
    if n0 > 1 {
        let scratch = cplan.get_inplace_scratch_len();
        b.par_chunks_mut(n0).for_each_init(
            || vec![C64::default(); scratch],
            |s, col| cplan.process_with_scratch(col, s),
        );
    }
    // Product with the spectrum, folded onto the coarse frequencies (the half spectrum of the
    // last axis: a negative frequency's value is the conjugate of its mirror's).
    let (m0, m1) = (a0.coarse as isize, a1.coarse as isize);
    let h1 = a1.coarse / 2 + 1;
    let mut z = ndkern_core::try_filled_vec(
        "KDE spectrum",
        C64::default(),
        ndkern_core::checked_len("KDE spectrum", &[a0.coarse, h1])?,
    )?;
    let (u0, u1) = (
        2.0 * PI / (n0 as f64 * a0.delta),
        2.0 * PI / (n1 as f64 * a1.delta),
    );
    let scale = 1.0 / (a0.delta * a1.delta);
    let wrap0 = |k: isize| k.rem_euclid(n0 as isize) as usize;
    for k1 in neg1..=pos1 {
        let t1 = k1.rem_euclid(m1) as usize;
        if t1 >= h1 {
            continue;
        }
        let w1 = k1 as f64 * u1;
        for k0 in neg0..=pos0 {
            let v = if k1 >= 0 {
                b[k1 as usize * n0 + wrap0(k0)]
            } else {
                b[(-k1) as usize * n0 + wrap0(-k0)].conj()
            };
            let w0 = k0 as f64 * u0;
            let q = c[0] * w0 * w0 + 2.0 * c[1] * w0 * w1 + c[2] * w1 * w1;
            z[k0.rem_euclid(m0) as usize * h1 + t1] += v * ((-0.5 * q).exp() * scale);
        }
    }
    let z = Array2::from_shape_vec((a0.coarse, h1), z)
        .expect("coarse0 x h1")
        .into_dyn();
    // irfftn divides by coarse0 coarse1; the fine transform's inverse by r0 r1 times that.
    let k = 1.0 / (a0.r as f64 * a1.r as f64);
    Ok(irfftn(&z, &[0, 1], a1.coarse)?
        .into_dimensionality::<Ix2>()
        .expect("2-D")
        .mapv_into(|v| v * k))
}

/// Samples per binning task: below this (or when a private grid per task would cost more than
/// a quarter of the samples' work) the 1-D binning runs on one thread.
const BIN_TASK: usize = 1 << 15;

impl GaussianKde {
    /// The 1-D samples binned onto `ax.fine` cells (cell coordinate `z ab[0] - ab[1]`): in
    /// parallel tasks with private grids summed at the end when there are many samples per
    /// grid cell.
    fn bins_1d(&self, ab: [f64; 2], ax: &AxisGrid) -> Result<Vec<f64>> {
        let z = &self.z[0];
        let bin = |lo: usize, hi: usize, out: &mut [f64]| match &self.w {
            Weights::Uniform(u) => bin_cubic_1d(&z[lo..hi], *u, ab, ax.used, out),
            Weights::Each(w) => bin_cubic_1d(&z[lo..hi], &w[lo..hi], ab, ax.used, out),
        };
        // At most one task per thread, each of at least BIN_TASK samples and 4 per grid cell.
        let min_per_task = BIN_TASK.max(ax.fine.max(1).saturating_mul(4));
        let ndkern_core::Split { tasks, chunk, .. } =
            ndkern_core::split_per_thread(z.len(), min_per_task, 1);
        let mut bins = ndkern_core::try_zeroed_vec::<f64>("KDE grid", ax.fine)?;
        // Task 0 bins into `bins` on this thread while the others fill private grids (at
        // most `n / 4` cells in all).
        let (parts, ()) = rayon::join(
            || {
                (1..tasks)
                    .into_par_iter()
                    .map(|t| {
                        let mut part = vec![0.0; ax.fine];
                        bin(t * chunk, ((t + 1) * chunk).min(z.len()), &mut part);
                        part
                    })
                    .collect::<Vec<_>>()
            },
            || bin(0, chunk.min(z.len()), &mut bins),
        );
        for part in parts {
            bins.iter_mut().zip(&part).for_each(|(b, p)| *b += p);
        }
        Ok(bins)
    }

    /// Density on the grid `linspace(lo, hi, m)`: cubic binning onto a grid `r` cells per
    /// output step with spacing at most `std / 16` (the output grid itself when that is fine
    /// enough), padded by 8.5 kernel stds, and one FFT convolution with the Gaussian's
    /// closed-form spectrum (see the [module docs](self)). The error is at most `1.1e-6` of the
    /// kernel's peak value `1 / (std sqrt(2 pi))` (cubic binning, derivation at
    /// `BINNED_2D_PER_STD`); the tests measure it against [`GaussianKde::evaluate_1d`].
    /// `O(n + M log M)` for `M` grid cells: use it for large `n`. Errors: not 1-D, `m < 2`,
    /// `lo >= hi`, a grid too large for memory.
    ///
    /// ```
    /// use ndarray::Array1;
    /// use ndkern_signal::{Bandwidth, GaussianKde};
    /// let x = Array1::from_shape_fn(1000, |i| ((i * 7919) % 1000) as f64 / 100.0);
    /// let kde = GaussianKde::new_1d(&x, Bandwidth::Scott, None).unwrap();
    /// let fast = kde.evaluate_binned_1d(0.0, 10.0, 101).unwrap();
    /// let grid: Vec<f64> = (0..101).map(|i| i as f64 * 0.1).collect();
    /// let exact = kde.evaluate_1d(&grid).unwrap();
    /// assert!(fast.iter().zip(&exact).all(|(a, b)| (a - b).abs() < 1e-6));
    /// ```
    pub fn evaluate_binned_1d(&self, lo: f64, hi: f64, m: usize) -> Result<Array1<f64>> {
        if self.d != 1 {
            return Err(invalid(
                "dataset",
                "binned evaluation is implemented for 1-D KDEs",
            ));
        }
        if m < 2 || lo.partial_cmp(&hi) != Some(std::cmp::Ordering::Less) || !(hi - lo).is_finite()
        {
            return Err(invalid(
                "grid",
                format!("need m >= 2 and lo < hi, got m = {m}, [{lo}, {hi}]"),
            ));
        }
        ndkern_core::check_alloc::<f64>("KDE output grid", m)?;
        let sigma = self.chol[0];
        let ax = AxisGrid::new((lo, hi, m), sigma, sigma, BINNED_1D_PER_STD, BINNED_1D_PAD)?;
        // The bins, and the FFT's output and scratch (about one complex buffer each).
        ndkern_core::check_alloc::<C64>("KDE grid", ax.fine.saturating_mul(2))?;
        let mut bins = self.bins_1d([sigma / ax.delta, ax.origin / ax.delta], &ax)?;
        let dens = smooth(
            &mut bins,
            1,
            [&AxisGrid::single(), &ax],
            [0.0, 0.0, sigma * sigma],
        )?;
        let step = (hi - lo) / (m - 1) as f64;
        Ok(Array1::from_shape_fn(m, |i| {
            if self.inside(lo + i as f64 * step) {
                ndkern_core::nan_max(dens[[0, ax.halo + i]], 0.0)
            } else {
                0.0
            }
        }))
    }

    /// 2-D density on the grid `linspace(lo[0], hi[0], m[0]) x linspace(lo[1], hi[1], m[1])`
    /// (`out[[i, j]]` at `(x0_i, x1_j)`) by cubic (4 x 4 Lagrange) binning onto a grid at most
    /// 1/10 of the kernel's conditional std fine per axis (`r` cells per output step), padded
    /// by 6 marginal kernel stds, and one circular 2-D FFT convolution whose kernel spectrum is
    /// the (correlated) Gaussian's Fourier transform in closed form, evaluated only on the band
    /// of frequencies where it is above `exp(-81 / 2)` and folded onto the output grid, so the
    /// inverse FFT is only as large as the output and its padding (wrap-around and dropped far
    /// samples weigh `< exp(-5.8^2 / 2) = 5e-8`). Cubic binning is fourth-order: a sample's
    /// error is at most its cubic-interpolation error, `< 2e-5` of its bump's peak at 10
    /// cells per std (derivation at `BINNED_2D_PER_STD`). The tests measure it against
    /// [`GaussianKde::evaluate`] with 300 and 2000 samples: `< 1e-4` of the peak.
    /// `O(n + M log M)` for `M` grid cells. Errors: not 2-D, reflection bounds set (evaluate
    /// those exactly), `m < 2` or `lo >= hi` on an axis, a grid too large for memory.
    ///
    /// ```
    /// use ndarray::Array2;
    /// use ndkern_signal::{Bandwidth, GaussianKde};
    /// let d = Array2::from_shape_fn((2, 500), |(k, i)| ((i * (3 + 4 * k) * 7919) % 1000) as f64 / 100.0);
    /// let kde = GaussianKde::new(&d, Bandwidth::Scott, None).unwrap();
    /// let g = kde.evaluate_binned_2d([0.0, 0.0], [10.0, 10.0], [21, 11]).unwrap();
    /// assert_eq!(g.shape(), &[21, 11]);
    /// let exact = kde.evaluate(&ndarray::array![[5.0], [4.0]]).unwrap()[0];
    /// assert!((g[[10, 4]] - exact).abs() < 1e-4 * g.iter().cloned().fold(0.0, f64::max));
    /// ```
    pub fn evaluate_binned_2d(
        &self,
        lo: [f64; 2],
        hi: [f64; 2],
        m: [usize; 2],
    ) -> Result<Array2<f64>> {
        if self.d != 2 {
            return Err(invalid(
                "dataset",
                "evaluate_binned_2d needs a 2-D KDE; use evaluate_binned_1d for 1-D data",
            ));
        }
        if self.box2.is_some() {
            return Err(invalid(
                "bounds",
                "binned evaluation of a reflected 2-D KDE is not implemented; use evaluate",
            ));
        }
        for k in 0..2 {
            if m[k] < 2
                || lo[k].partial_cmp(&hi[k]) != Some(std::cmp::Ordering::Less)
                || !(hi[k] - lo[k]).is_finite()
            {
                return Err(invalid(
                    "grid",
                    format!(
                        "need m >= 2 and finite lo < hi on axis {k}, got m = {}, [{}, {}]",
                        m[k], lo[k], hi[k]
                    ),
                ));
            }
        }
        ndkern_core::check_alloc::<f64>(
            "KDE output grid",
            ndkern_core::checked_len("KDE output grid", &m)?,
        )?;
        let (l, c) = (&self.chol, &self.covariance);
        let sigma = [c[0].sqrt(), c[3].sqrt()];
        // The binning error along axis k follows the kernel's curvature there, i.e. its
        // conditional std `sqrt(det / c_jj)` (< the marginal std when correlated); the band
        // of the spectrum reaches `BAND` over the same std.
        let det = c[0] * c[3] - c[1] * c[2];
        let cond = [(det / c[3]).sqrt(), (det / c[0]).sqrt()];
        let axis = |k: usize| {
            AxisGrid::new(
                (lo[k], hi[k], m[k]),
                cond[k],
                sigma[k],
                BINNED_2D_PER_STD,
                BINNED_2D_PAD,
            )
        };
        let (g0, g1) = (axis(0)?, axis(1)?);
        // Bins, the row spectra and the FFTs' buffers: about two complex buffers of the grid.
        let grid = ndkern_core::checked_len("KDE grid", &[g0.fine, g1.fine])?;
        ndkern_core::check_alloc::<C64>("KDE grid", grid.saturating_mul(2))?;
        let mut bins = ndkern_core::try_zeroed_vec::<f64>(
            "KDE grid",
            ndkern_core::checked_len("KDE grid", &[g0.used, g1.fine])?,
        )?;
        let z = [self.z[0].as_slice(), self.z[1].as_slice()];
        let l = [l[0], l[2], l[3]];
        let geo = [
            (g0.origin, g0.delta, g0.used),
            (g1.origin, g1.delta, g1.used),
        ];
        match &self.w {
            Weights::Uniform(u) => bin_cubic(z, *u, l, geo, g1.fine, &mut bins),
            Weights::Each(w) => bin_cubic(z, w.as_slice(), l, geo, g1.fine, &mut bins),
        }
        let dens = smooth(&mut bins, g0.used, [&g0, &g1], [c[0], c[1], c[3]])?;
        Ok(Array2::from_shape_fn((m[0], m[1]), |(i, j)| {
            ndkern_core::nan_max(dens[[g0.halo + i, g1.halo + j]], 0.0)
        }))
    }
}
