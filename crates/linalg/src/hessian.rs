//! Per-element Hessians of 2-D/3-D arrays, their eigenvalues, and Frangi vesselness.
//!
//! A Hessian field is kept as its upper-triangle planes (`H00, H01, ..., Hnn` in
//! `itertools.combinations_with_replacement` order, skimage's `H_elems` list), never as a
//! `(..., 3, 3)` array; the eigenvalues come from the batched closed form of
//! [`crate::eigvalsh3`]. Two constructions:
//!
//! * [`hessian`]: `np.gradient` applied twice (Q12's formulation), via
//!   `ndkern_spatial::gradient`: `H_ij = gradient(gradient(a, axis=i), axis=j)`.
//! * [`hessian_matrix`]: `skimage.feature.hessian_matrix` (`order='rc'`). With
//!   `use_gaussian_derivatives` it applies two first-order Gaussian derivative filters at
//!   `sigma / sqrt 2` each (`truncate` 8, or 100 when some sigma <= 1, as skimage); without,
//!   a Gaussian smoothing (`truncate` 4) followed by `np.gradient` twice.
//!
//! [`frangi`] follows `skimage.filters.frangi` step by step (black or white ridges, `alpha`,
//! `beta`, `gamma` defaulting to half the maximum Hessian norm of the first scale, maximum
//! over scales).
//!
//! ```
//! use ndarray::Array2;
//! // f = x^2 + 3 x y - y^2 has the constant Hessian [[2, 3], [3, -2]]: eigenvalues -+sqrt 13.
//! let f = Array2::from_shape_fn((7, 8), |(i, j)| {
//!     let (x, y) = (i as f64, j as f64);
//!     x * x + 3.0 * x * y - y * y
//! });
//! let h = ndkern_linalg::hessian(&f).unwrap();
//! assert!((h[0][[3, 3]] - 2.0).abs() < 1e-12 && (h[1][[3, 3]] - 3.0).abs() < 1e-12);
//! let l = ndkern_linalg::hessian_eigvals(&h, ndkern_linalg::EigOrder::Ascending).unwrap();
//! assert!((l[0][[3, 4]] + 13f64.sqrt()).abs() < 1e-12);
//! ```

use ndarray::{Array, ArrayBase, Data, Dimension, Zip};
use ndkern_core::{BorderMode, Element, Error, Result};
use ndkern_spatial::{gaussian_filter, gradient, GaussianOptions, Spacing};

use crate::eigh::{eigvalsh2, eigvalsh3, EigOrder};

pub(crate) fn check_dims(ndim: usize) -> Result<()> {
    if ndim == 2 || ndim == 3 {
        Ok(())
    } else {
        Err(Error::InvalidParameter {
            name: "image",
            reason: format!("Hessians are computed for 2-D and 3-D arrays, got {ndim}-D"),
        })
    }
}

/// Upper-triangle planes `H_ij = gradient(gradient(a, i), j)` for `i <= j`.
fn gradient_twice<T, S, D>(a: &ArrayBase<S, D>) -> Result<Vec<Array<T, D>>>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    let n = a.ndim();
    // n first derivatives and n (n + 1) / 2 second ones, each of `a`'s size (a huge
    // broadcast view included): checked before the first is allocated.
    ndkern_core::check_alloc::<T>(
        "the Hessian planes",
        a.len().saturating_mul(n + n * (n + 1) / 2),
    )?;
    let first = gradient(a, &[Spacing::Uniform(1.0)], None, 1)?;
    let mut out = Vec::with_capacity(n * (n + 1) / 2);
    for (i, gi) in first.iter().enumerate() {
        let axes: Vec<usize> = (i..n).collect();
        out.extend(gradient(gi, &[Spacing::Uniform(1.0)], Some(&axes), 1)?);
    }
    Ok(out)
}

/// The finite-difference Hessian of a 2-D or 3-D array: `np.gradient` applied twice, unit
/// spacing, first-order edges (numpy's default), as upper-triangle planes
/// (`[H00, H01, H11]` in 2-D, `[H00, H01, H02, H11, H12, H22]` in 3-D).
///
/// numpy: `g = np.gradient(a); H[i][j] = np.gradient(g[i], axis=j)`.
/// Errors: not 2-D/3-D, or an axis shorter than 2.
///
/// ```
/// use ndarray::Array3;
/// let a = Array3::from_shape_fn((5, 6, 7), |(i, j, k)| (i * j * k) as f64);
/// let h = ndkern_linalg::hessian(&a).unwrap();
/// assert_eq!(h.len(), 6);
/// assert!((h[1][[2, 3, 4]] - 4.0).abs() < 1e-12); // d2/dx dy (x y z) = z
/// ```
#[must_use = "the Hessian planes are returned"]
pub fn hessian<T, S, D>(a: &ArrayBase<S, D>) -> Result<Vec<Array<T, D>>>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    check_dims(a.ndim())?;
    gradient_twice(a)
}

/// `skimage.feature.hessian_matrix(image, sigma, mode, cval, order='rc',
/// use_gaussian_derivatives)`: the Hessian at scale `sigma` as upper-triangle planes; see
/// the module docs for both constructions. `mode` is skimage's (default there:
/// `'constant'`, i.e. `BorderMode::Constant(0.0)`).
///
/// Errors: not 2-D/3-D, `sigma` not finite and > 0, the gradient/Gaussian errors.
///
/// ```
/// use ndarray::Array2;
/// use ndkern_core::BorderMode;
/// let mut a = Array2::<f64>::zeros((21, 21));
/// a[[10, 10]] = 1.0;
/// let h = ndkern_linalg::hessian_matrix(&a, 2.0, BorderMode::Constant(0.0), true).unwrap();
/// // A bright blob: negative curvature at its centre in both directions.
/// assert!(h[0][[10, 10]] < 0.0 && h[2][[10, 10]] < 0.0 && h[1][[10, 10]].abs() < 1e-15);
/// ```
#[must_use = "the Hessian planes are returned"]
pub fn hessian_matrix<T, S, D>(
    image: &ArrayBase<S, D>,
    sigma: f64,
    mode: BorderMode,
    use_gaussian_derivatives: bool,
) -> Result<Vec<Array<T, D>>>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    let n = image.ndim();
    check_dims(n)?;
    if !(sigma.is_finite() && sigma > 0.0) {
        return Err(Error::InvalidParameter {
            name: "sigma",
            reason: format!("sigma must be finite and > 0, got {sigma}"),
        });
    }
    // The Gaussian kernels have 2 ceil(truncate * sigma') + 1 taps: a
    // sigma of 1e300 must be an error here, not a size overflow or a huge allocation.
    let radius = if use_gaussian_derivatives {
        (if sigma > 1.0 { 8.0 } else { 100.0 }) * sigma * std::f64::consts::FRAC_1_SQRT_2
    } else {
        4.0 * sigma
    };
    let taps = radius.ceil() * 2.0 + 1.0;
    if taps.is_nan() || taps >= usize::MAX as f64 {
        return Err(Error::TooLarge {
            what: "Gaussian derivative kernel (sigma)",
            bytes: None,
            limit: ndkern_core::memory_limit(),
        });
    }
    ndkern_core::check_alloc::<f64>("Gaussian derivative kernel (sigma)", taps as usize)?;
    // Derivatives ignore a constant offset: with a data-derived border (every mode but
    // `Constant`) filter `image - c`, `c` the midrange of the finite values. The result is
    // the same in exact arithmetic; in floating point a constant image now gives an exactly
    // zero Hessian (skimage's too: scipy's antisymmetric derivative kernels cancel exactly),
    // and a large offset no longer costs digits. NaN and inf stay where they are. (With
    // `Constant(cval)` every separable pass pads its intermediate result with cval, so the
    // filter is not shift-equivariant there, in scipy either: no shift.)
    let image = centred(image, mode)?;
    let image = &image;
    if !use_gaussian_derivatives {
        let opts = GaussianOptions {
            mode,
            ..Default::default()
        };
        let smooth = gaussian_filter(image, &[sigma], &opts)?;
        return gradient_twice(&smooth);
    }
    // Two first-order Gaussian derivatives at sigma / sqrt 2 each (skimage 0.26).
    let truncate = if sigma > 1.0 { 8.0 } else { 100.0 };
    let s = [sigma * std::f64::consts::FRAC_1_SQRT_2];
    let order = |d: usize| -> GaussianOptions {
        GaussianOptions {
            order: (0..n).map(|k| usize::from(k == d)).collect(),
            mode,
            truncate,
            radius: None,
        }
    };
    let first: Vec<Array<T, D>> = (0..n)
        .map(|d| gaussian_filter(image, &s, &order(d)))
        .collect::<Result<_>>()?;
    let mut out = Vec::with_capacity(n * (n + 1) / 2);
    for (i, gi) in first.iter().enumerate() {
        for j in i..n {
            out.push(gaussian_filter(gi, &s, &order(j))?);
        }
    }
    Ok(out)
}

/// `image - c`, `c` the midrange of the finite values (`min` itself when all are equal, so
/// a constant image becomes exactly 0; `lo/2 + hi/2` otherwise, which cannot overflow); the
/// image unchanged for `BorderMode::Constant`.
fn centred<T, S, D>(image: &ArrayBase<S, D>, mode: BorderMode) -> Result<Array<T, D>>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    // `image` may be a huge broadcast view: the copy is checked.
    ndkern_core::check_alloc::<T>("a centred copy of the image", image.len())?;
    if matches!(mode, BorderMode::Constant(_)) {
        return Ok(image.to_owned());
    }
    let (lo, hi) = image
        .iter()
        .map(|v| v.as_f64())
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    let c = if lo > hi {
        0.0 // no finite value
    } else if lo == hi {
        lo
    } else {
        T::of_f64(0.5 * lo + 0.5 * hi).as_f64()
    };
    if c == 0.0 {
        return Ok(image.to_owned());
    }
    Ok(image.mapv(|v| T::of_f64(v.as_f64() - c)))
}

/// Eigenvalues of a Hessian given as upper-triangle planes (3 planes in 2-D, 6 in 3-D), one
/// plane per eigenvalue in `order`. skimage's `hessian_matrix_eigvals` is
/// [`EigOrder::Descending`]; `numpy.linalg.eigvalsh` is [`EigOrder::Ascending`].
///
/// Errors: not 3 or 6 planes, planes of different shapes.
///
/// ```
/// use ndarray::array;
/// use ndkern_linalg::{hessian_eigvals, EigOrder};
/// let h = vec![array![1.0], array![0.0], array![-2.0]];
/// let l = hessian_eigvals(&h, EigOrder::Descending).unwrap();
/// assert_eq!((l[0][0], l[1][0]), (1.0, -2.0));
/// ```
#[must_use = "the eigenvalues are returned"]
pub fn hessian_eigvals<T, S, D>(h: &[ArrayBase<S, D>], order: EigOrder) -> Result<Vec<Array<T, D>>>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    match h.len() {
        3 => Ok(eigvalsh2(&h[0], &h[1], &h[2], order)?.to_vec()),
        6 => Ok(eigvalsh3([&h[0], &h[1], &h[2], &h[3], &h[4], &h[5]], order)?.to_vec()),
        k => Err(Error::InvalidParameter {
            name: "h",
            reason: format!(
                "expected the 3 (2-D) or 6 (3-D) upper-triangle Hessian planes, got {k}"
            ),
        }),
    }
}

/// Options of [`frangi`] (`skimage.filters.frangi` keywords and defaults).
#[derive(Clone, Debug, PartialEq)]
pub struct FrangiOptions {
    /// Scales (default `[1, 3, 5, 7, 9]`, skimage's `range(1, 10, 2)`).
    pub sigmas: Vec<f64>,
    /// Plate-like structure sensitivity (3-D), default 0.5.
    pub alpha: f64,
    /// Blob-like structure sensitivity, default 0.5.
    pub beta: f64,
    /// Structuredness sensitivity; `None`: half the maximum Hessian norm at the first scale.
    pub gamma: Option<f64>,
    /// Detect black ridges (default) or white ones.
    pub black_ridges: bool,
    /// Border mode (default `Reflect`).
    pub mode: BorderMode,
}

impl Default for FrangiOptions {
    fn default() -> Self {
        FrangiOptions {
            sigmas: vec![1.0, 3.0, 5.0, 7.0, 9.0],
            alpha: 0.5,
            beta: 0.5,
            gamma: None,
            black_ridges: true,
            mode: BorderMode::Reflect,
        }
    }
}

/// Frangi vesselness of a 2-D or 3-D image, `skimage.filters.frangi` semantics: per scale,
/// Gaussian-derivative Hessian, eigenvalues sorted by |lambda|, the plate/blob/structure
/// factors (2-D: no plate factor), and the maximum over scales. Computed in f64 per element,
/// returned in the input's type.
///
/// Errors: not 2-D/3-D, no scales, a scale not > 0, non-finite `alpha`/`beta`/`gamma`.
///
/// ```
/// use ndarray::Array2;
/// use ndkern_linalg::{frangi, FrangiOptions};
/// // A dark horizontal line on a bright background responds on the line, not far from it.
/// let img = Array2::from_shape_fn((32, 32), |(i, _)| if i == 16 { 0.0 } else { 1.0 });
/// let v = frangi(&img, &FrangiOptions { sigmas: vec![1.0, 2.0], ..Default::default() }).unwrap();
/// assert!(v[[16, 16]] > 10.0 * v[[4, 16]]);
/// ```
#[must_use = "the vesselness is returned"]
pub fn frangi<T, S, D>(image: &ArrayBase<S, D>, opts: &FrangiOptions) -> Result<Array<T, D>>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    let n = image.ndim();
    check_dims(n)?;
    if opts.sigmas.is_empty() {
        return Err(Error::InvalidParameter {
            name: "sigmas",
            reason: "give at least one scale".into(),
        });
    }
    for (name, v) in [("alpha", opts.alpha), ("beta", opts.beta)] {
        if !(v.is_finite() && v != 0.0) {
            return Err(Error::InvalidParameter {
                name,
                reason: format!("{name} must be finite and non-zero, got {v}"),
            });
        }
    }
    // skimage normalizes to black ridges by negating the image for white ones.
    // `image` may be a huge broadcast view: the copy and the f64 planes are checked.
    ndkern_core::check_alloc::<T>("frangi's copy of the image", image.len())?;
    let img = if opts.black_ridges {
        image.to_owned()
    } else {
        image.mapv(|v| -v)
    };
    let mut best = ndkern_core::try_zeros::<f64, _>("frangi's output", image.raw_dim())?;
    let mut gamma = opts.gamma;
    if let Some(g) = gamma {
        if !g.is_finite() {
            return Err(Error::InvalidParameter {
                name: "gamma",
                reason: format!("gamma must be finite, got {g}"),
            });
        }
    }
    let (a2, b2) = (2.0 * opts.alpha * opts.alpha, 2.0 * opts.beta * opts.beta);
    for &sigma in &opts.sigmas {
        let h = hessian_matrix(&img, sigma, opts.mode, true)?;
        let l = hessian_eigvals(&h, EigOrder::AbsAscending)?;
        // Hessian norm s = sqrt(sum lambda^2) and gamma from the first scale.
        // As a running hypot: sqrt(sum lambda^2) without overflow for data near 1e300
        // (skimage squares and gives NaN there).
        let mut s = ndkern_core::try_zeros::<f64, _>("frangi's Hessian norms", image.raw_dim())?;
        for li in &l {
            Zip::from(&mut s)
                .and(li)
                .for_each(|s, &v| *s = s.hypot(v.as_f64()));
        }
        let g = match gamma {
            Some(g) => g,
            None => {
                // np.max: a NaN anywhere makes gamma (and so every value) NaN, as in skimage.
                let m = s.iter().fold(0.0f64, |a, &b| ndkern_core::nan_max(a, b)) / 2.0;
                let m = if m == 0.0 { 1.0 } else { m };
                gamma = Some(m);
                m
            }
        };

        // np.maximum, not f64::max: NaN stays NaN.
        let nmax = ndkern_core::nan_max::<f64>;
        let factor = |l1: f64, l2: f64, l3: Option<f64>, s: f64| -> f64 {
            let l2 = nmax(l2, 1e-10);
            let (ra, rb) = match l3 {
                None => (f64::INFINITY, l1.abs() / l2),
                Some(l3) => {
                    let l3 = nmax(l3, 1e-10);
                    (l2 / l3, l1.abs() / (l2 * l3).sqrt())
                }
            };
            (1.0 - (-(ra * ra) / a2).exp())
                * (-(rb * rb) / b2).exp()
                * (1.0 - (-0.5 * (s / g) * (s / g)).exp())
        };
        if n == 2 {
            Zip::from(&mut best)
                .and(&l[0])
                .and(&l[1])
                .and(&s)
                .for_each(|b, &l1, &l2, &s| {
                    *b = nmax(*b, factor(l1.as_f64(), l2.as_f64(), None, s))
                });
        } else {
            Zip::from(&mut best)
                .and(&l[0])
                .and(&l[1])
                .and(&l[2])
                .and(&s)
                .for_each(|b, &l1, &l2, &l3, &s| {
                    *b = nmax(*b, factor(l1.as_f64(), l2.as_f64(), Some(l3.as_f64()), s))
                });
        }
    }
    Ok(best.mapv(T::of_f64))
}
