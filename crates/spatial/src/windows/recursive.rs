//! The recursive (IIR) Gaussian of Young and van Vliet (1995): an explicitly chosen fast
//! approximation of [`gaussian_filter`](super::gaussian_filter) for large sigma.
//!
//! The exact filter costs `2 * round(4 sigma) + 1` multiply-adds per sample and axis (65 at
//! sigma 8); this one costs a third-order causal plus a third-order anti-causal recursion, 8
//! multiply-adds per sample and axis whatever sigma is (BENCHMARKS.md rows
//! `gaussian8_recursive_2d` and `gaussian8_2d`: 4000 x 4000 f32 at sigma 8, the same image
//! through both). It is an approximation, never chosen silently: the impulse response is not exactly Gaussian, and the error shrinks as sigma
//! grows. Measured against the exact filter (random data in [0, 1) on a 96 x 150 image and a
//! unit step, reflect / nearest / wrap borders, `tests/windows_recursive.rs`), the largest
//! deviation relative to the data range is:
//!
//! | sigma | 1 | 2 | 3 | 5 | 8 | 12 | 32 |
//! |---|---|---|---|---|---|---|---|
//! | random data | 5.3e-2 | 1.5e-2 | 8.5e-3 | 4.8e-3 | 3.3e-3 | 2.0e-3 | 1.4e-3 |
//! | unit step | 3.6e-2 | 1.8e-2 | 1.2e-2 | 1.2e-2 | 9.6e-3 | 7.3e-3 | 3.7e-3 |
//!
//! (step at sigma 4: 1.27e-2), so the documented (tested) bound is
//! [`RECURSIVE_MAX_DEVIATION`] = 1.5e-2 for sigma >= 3, and 6e-2 below. Use
//! [`gaussian_filter`](super::gaussian_filter)
//! when that is too coarse.
//!
//! Borders: each line is extended by `ceil(6 sigma) + 3` samples per the border mode (the
//! same extension scipy uses), the causal recursion starts in steady state on the first
//! extended sample and the anti-causal one on the last, so the start-up transient has decayed
//! before the line itself is reached. Recursions run in `f64`; f32 results are rounded once
//! per axis (on a C-contiguous output the outer axes' causal intermediate is stored in the
//! output, so it is rounded to f32 too: ~6e-8 relative, see `engine/iir.rs`). NaN or
//! infinity spreads along the whole line (an IIR filter has infinite support).
//! Finite data near +-1e308, whose recursions (a few times the data) overflow, is filtered
//! again scaled by a power of two, so it gets the finite result (found from the outputs at
//! index 0 of each filtered axis, where every overflow shows; the common path is unchanged).

use ndarray::{Array, ArrayBase, ArrayViewMut, Data, Dimension};
use ndkern_core::{BorderMode, Element, Error, Result};

use super::engine::run_separable;
use super::params::{check_extent, check_shape, per_axis};
use super::plan::{Kind, SepPass};

/// The documented bound on the deviation of [`gaussian_filter_recursive`] from
/// [`gaussian_filter`](super::gaussian_filter), relative to the data range (max - min), for
/// sigma >= 3 (measured worst case 1.27e-2, a unit step at sigma 4; see the module docs).
pub const RECURSIVE_MAX_DEVIATION: f64 = 1.5e-2;

/// Young-van Vliet coefficients for `sigma` (>= 0.5): `(b, [a1, a2, a3])` of the recursion
/// `w[n] = b * x[n] + a1 * w[n-1] + a2 * w[n-2] + a3 * w[n-3]`.
fn coefficients(sigma: f64) -> (f64, [f64; 3]) {
    let q = if sigma >= 2.5 {
        0.98711 * sigma - 0.96330
    } else {
        3.97156 - 4.14554 * (1.0 - 0.26891 * sigma).sqrt()
    };
    let (q2, q3) = (q * q, q * q * q);
    let b0 = 1.57825 + 2.44413 * q + 1.4281 * q2 + 0.422205 * q3;
    let b1 = 2.44413 * q + 2.85619 * q2 + 1.26661 * q3;
    let b2 = -(1.4281 * q2 + 1.26661 * q3);
    let b3 = 0.422205 * q3;
    let a = [b1 / b0, b2 / b0, b3 / b0];
    (1.0 - (a[0] + a[1] + a[2]), a)
}

/// Extension samples on each side of a line.
fn pad_of(sigma: f64) -> usize {
    (6.0 * sigma).ceil() as usize + 3
}

/// Recursive Gaussian filter (Young-van Vliet), `sigma` one value or one per axis (each
/// `>= 0.5`, or `0` to leave an axis alone), any border mode: an O(1)-per-sample approximation
/// of [`gaussian_filter`](super::gaussian_filter) for large sigma, within
/// [`RECURSIVE_MAX_DEVIATION`] (1.5e-2) of it relative to the data range for sigma >= 3
/// (measured; see the module docs). Order-0 smoothing only.
///
/// ```
/// use ndarray::Array2;
/// use ndkern_spatial::{gaussian_filter, gaussian_filter_recursive, BorderMode, GaussianOptions};
/// let a = Array2::from_shape_fn((64, 64), |(i, j)| ((i * 7 + j * 3) % 11) as f64);
/// let fast = gaussian_filter_recursive(&a, &[8.0], BorderMode::Reflect).unwrap();
/// let exact = gaussian_filter(&a, &[8.0], &GaussianOptions::default()).unwrap();
/// let dev = fast.iter().zip(&exact).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max);
/// assert!(dev < 1.5e-2 * 10.0); // data range 10
/// ```
#[must_use = "the filtered array is returned"]
pub fn gaussian_filter_recursive<T, S, D>(
    a: &ArrayBase<S, D>,
    sigma: &[f64],
    mode: BorderMode,
) -> Result<Array<T, D>>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    let mut out = ndkern_core::try_zeros("output", a.raw_dim())?;
    gaussian_filter_recursive_into(a, sigma, mode, out.view_mut())?;
    Ok(out)
}

/// [`gaussian_filter_recursive`] into `out` (the input's shape).
///
/// ```
/// use ndarray::Array1;
/// use ndkern_spatial::{gaussian_filter_recursive_into, BorderMode};
/// let a = Array1::<f32>::from_elem(100, 3.0);
/// let mut out = Array1::zeros(100);
/// gaussian_filter_recursive_into(&a, &[10.0], BorderMode::Nearest, out.view_mut()).unwrap();
/// assert!(out.iter().all(|&v| (v - 3.0).abs() < 1e-5)); // constants are preserved
/// ```
pub fn gaussian_filter_recursive_into<T, S, D>(
    a: &ArrayBase<S, D>,
    sigma: &[f64],
    mode: BorderMode,
    mut out: ArrayViewMut<'_, T, D>,
) -> Result<()>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    let nd = a.ndim();
    let sigmas = if nd == 0 {
        Vec::new()
    } else {
        per_axis("sigma", sigma, nd)?
    };
    for &s in &sigmas {
        if !(s.is_finite() && (s == 0.0 || s >= 0.5)) {
            return Err(Error::InvalidParameter {
                name: "sigma",
                reason: format!(
                    "the recursive Gaussian needs sigma >= 0.5 (or 0 to skip an axis), got {s}; \
                     use gaussian_filter for small sigma"
                ),
            });
        }
    }
    let axes: Vec<(usize, f64)> = sigmas
        .iter()
        .enumerate()
        .filter(|(_, &s)| s > 0.0)
        .map(|(ax, &s)| (ax, s))
        .collect();
    check_shape(a.shape(), out.shape())?;
    for &(ax, s) in &axes {
        // Each line is extended by `ceil(6 sigma) + 3` samples on both sides.
        if 6.0 * s >= (1u64 << 52) as f64 {
            return Err(Error::TooLarge {
                what: "the border-extended line of the recursive Gaussian (6 sigma per side)",
                bytes: None,
                limit: ndkern_core::memory_limit(),
            });
        }
        if !a.is_empty() {
            let ext = check_extent(a.len_of(ndarray::Axis(ax)), pad_of(s), pad_of(s))?;
            // The row kernels hold 16 rows of the extended line as f64 lanes.
            ndkern_core::check_alloc::<[f64; 16]>(
                "the border-extended lines of the recursive Gaussian (6 sigma per side)",
                ext,
            )?;
        }
    }
    run(a, &mut out, &axes, mode)?;
    if overflowed(&out, &axes) && a.iter().all(|v| v.is_finite()) {
        // Finite data near +-1e308 overflowed inside a recursion (whose intermediates reach
        // a few times the data): the filter is linear, so it is rerun on the data scaled by a
        // power of two (exact) and the result scaled back (the rare path: a copy).
        let scaled = a.mapv(|v| T::of_f64(v.as_f64() * OVERFLOW_SCALE));
        run(&scaled, &mut out, &axes, mode)?;
        out.mapv_inplace(|v| T::of_f64(v.as_f64() / OVERFLOW_SCALE));
    }
    Ok(())
}

/// The power of two finite data is scaled by when the recursions overflowed.
const OVERFLOW_SCALE: f64 = 1.0 / 65536.0;

/// True when some output is non-finite at index 0 of a filtered axis. A non-finite value in a
/// recursion never turns finite again, and every line's anti-causal pass ends at its index 0,
/// so a non-finite state anywhere in a line shows there (and later passes spread it across
/// their lines): checking these hyperplanes (`N / n` samples per axis) finds any.
fn overflowed<T: Element, D: Dimension>(
    out: &ArrayViewMut<'_, T, D>,
    axes: &[(usize, f64)],
) -> bool {
    !out.is_empty()
        && axes.iter().any(|&(ax, _)| {
            out.slice_axis(ndarray::Axis(ax), ndarray::Slice::from(0..1))
                .iter()
                .any(|v| !v.is_finite())
        })
}

/// Runs the recursions of `axes` from `a` into `out` (same shape): the plan is one
/// [`Kind::Iir`] pass per axis, each line extended by [`pad_of`] samples on both sides.
fn run<T, S, D>(
    a: &ArrayBase<S, D>,
    out: &mut ArrayViewMut<'_, T, D>,
    axes: &[(usize, f64)],
    mode: BorderMode,
) -> Result<()>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    let passes: Vec<SepPass<'_, T>> = axes
        .iter()
        .map(|&(axis, sigma)| {
            let (b, a) = coefficients(sigma);
            SepPass {
                axis,
                before: pad_of(sigma),
                after: pad_of(sigma),
                mode,
                kind: Kind::Iir { b, a },
            }
        })
        .collect();
    run_separable(a, out, &passes)
}
