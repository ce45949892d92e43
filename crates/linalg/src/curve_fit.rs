//! Nonlinear least squares (Levenberg-Marquardt) for a model over whole N-d arrays, with
//! NaN-masked data (Q6: fit `a`, `b` in `mod1 * 12 + mod2^a - mod3 / b` to a 2-D data array
//! that has NaNs).
//!
//! `scipy.optimize.curve_fit` wants 1-D data without NaN. Here the model closure maps
//! parameters to an array of the data's shape (any ndarray expression), NaN positions of the
//! data are left out of the residuals, the Jacobian is taken by central differences
//! (step `eps^(1/3) max(|p|, 1)`, error ~1e-10 relative), and the damped normal equations
//! `(J^T J + lambda diag(J^T J)) dp = J^T r` (Marquardt's scaling, Nielsen's damping update)
//! are solved by Cholesky in f64. A small, dependency-free implementation: the
//! levenberg-marquardt crate would pull a second nalgebra version into the workspace.
//!
//! ```
//! use ndarray::Array1;
//! use ndkern_linalg::{curve_fit, CurveFitOptions};
//! let x = Array1::linspace(0.0, 2.0, 30);
//! let mut y = x.mapv(|t: f64| 3.0 * (-1.5 * t).exp());
//! y[4] = f64::NAN; // masked
//! let fit = curve_fit(|p: &[f64]| x.mapv(|t| p[0] * (-p[1] * t).exp()), &y, &[1.0, 1.0],
//!                     &CurveFitOptions::default()).unwrap();
//! assert!((fit.params[0] - 3.0).abs() < 1e-9 && (fit.params[1] - 1.5).abs() < 1e-9);
//! assert_eq!(fit.n_points, 29);
//! ```

use nalgebra::{DMatrix, DVector};
use ndarray::{Array, Array2, ArrayBase, Data, Dimension};
use ndkern_core::{Element, Error, Result};

/// Stopping rules of [`curve_fit`] (MINPACK's names).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CurveFitOptions {
    /// Stop when the relative reduction of the sum of squares is `<= ftol`.
    pub ftol: f64,
    /// Stop when the step is `<= xtol (|p| + xtol)`.
    pub xtol: f64,
    /// Stop when `max |J^T r| <= gtol`.
    pub gtol: f64,
    /// Maximum model evaluations (Jacobians included); 0 means `200 (n + 1)`.
    pub max_nfev: usize,
}

impl Default for CurveFitOptions {
    fn default() -> Self {
        CurveFitOptions {
            ftol: 1e-14,
            xtol: 1e-14,
            gtol: 0.0,
            max_nfev: 0,
        }
    }
}

/// The result of [`curve_fit`].
#[derive(Clone, Debug, PartialEq)]
pub struct CurveFit {
    /// Best-fit parameters.
    pub params: Vec<f64>,
    /// Estimated covariance of the parameters, `inv(J^T J) * SSR / (m - n)` (scipy's
    /// `pcov` with `absolute_sigma=False`); infinite when `m <= n`.
    pub cov: Array2<f64>,
    /// Sum of squared residuals at `params`.
    pub ssr: f64,
    /// Number of data points used (not NaN).
    pub n_points: usize,
    /// Model evaluations.
    pub nfev: usize,
    /// True when a tolerance was met (false: `max_nfev` reached).
    pub converged: bool,
}

/// Fits `model(params)` (an array of `ydata`'s shape) to `ydata` by least squares, skipping
/// NaN data, starting from `p0`. See the module docs.
///
/// Errors: empty `p0`; fewer non-NaN points than parameters ("insufficient data"); a model
/// array of another shape; a non-finite model value at a data point at `p0`, or a
/// non-finite Jacobian there (the model is NaN/inf just beside `p0`). A model that turns
/// non-finite later ends the iteration (`converged: false`, the last finite parameters)
/// rather than looping.
///
/// ```
/// use ndarray::Array2;
/// use ndkern_linalg::{curve_fit, CurveFitOptions};
/// // Q6: data = mod1 * 12 + mod2^a - mod3 / b, with NaNs in the data.
/// let m1 = Array2::from_shape_fn((20, 30), |(i, j)| ((i + 2 * j) % 7) as f64 * 0.1);
/// let m2 = Array2::from_shape_fn((20, 30), |(i, j)| 1.0 + ((3 * i + j) % 5) as f64 * 0.3);
/// let m3 = Array2::from_shape_fn((20, 30), |(i, j)| 2.0 + ((i * j) % 4) as f64);
/// let model = |p: &[f64]| &m1 * 12.0 + m2.mapv(|v| v.powf(p[0])) - &m3 / p[1];
/// let mut data = model(&[1.7, 0.8]);
/// data[[3, 4]] = f64::NAN;
/// let fit = curve_fit(model, &data, &[1.0, 1.0], &CurveFitOptions::default()).unwrap();
/// assert!((fit.params[0] - 1.7).abs() < 1e-9 && (fit.params[1] - 0.8).abs() < 1e-9);
/// ```
pub fn curve_fit<T, S, D, F>(
    model: F,
    ydata: &ArrayBase<S, D>,
    p0: &[f64],
    opts: &CurveFitOptions,
) -> Result<CurveFit>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
    F: Fn(&[f64]) -> Array<f64, D>,
{
    let n = p0.len();
    if n == 0 {
        return Err(Error::InvalidParameter {
            name: "p0",
            reason: "give an initial value for every parameter (p0 is empty)".into(),
        });
    }
    // Data points in logical order, with their flat index among all elements (`ydata` may be
    // a huge broadcast view: y, the mask, the model values and residuals are checked).
    ndkern_core::check_alloc::<f64>(
        "curve_fit's per-point buffers",
        ydata.len().saturating_mul(4),
    )?;
    let y: Vec<f64> = ydata.iter().map(|v| v.as_f64()).collect();
    let mask: Vec<usize> = (0..y.len()).filter(|&i| !y[i].is_nan()).collect();
    let m = mask.len();
    if m < n {
        return Err(Error::InvalidParameter {
            name: "ydata",
            reason: format!(
                "insufficient data: {m} non-NaN point(s) for {n} parameter(s); \
                 a fit needs at least as many points as parameters"
            ),
        });
    }
    if let Some(&i) = mask.iter().find(|&&i| !y[i].is_finite()) {
        return Err(Error::InvalidParameter {
            name: "ydata",
            reason: format!("data element {i} is infinite; use NaN to mask it"),
        });
    }
    // The Jacobian is m x n (and J^T J n x n): sized by two inputs together.
    ndkern_core::check_alloc::<f64>(
        "curve_fit Jacobian",
        ndkern_core::checked_len("curve_fit Jacobian", &[m, n])?,
    )?;
    let max_nfev = if opts.max_nfev == 0 {
        200 * (n + 1)
    } else {
        opts.max_nfev
    };
    let nfev = std::cell::Cell::new(0usize);
    let shape = ydata.shape().to_vec();
    // Model values at the data points.
    let mut eval = |p: &[f64]| -> Result<Vec<f64>> {
        nfev.set(nfev.get() + 1);
        let f = model(p);
        if f.shape() != shape.as_slice() {
            return Err(Error::ShapeMismatch {
                expected: shape.clone(),
                got: f.shape().to_vec(),
            });
        }
        let flat: Vec<f64> = f.iter().copied().collect();
        Ok(mask.iter().map(|&i| flat[i]).collect())
    };
    let resid = |f: &[f64]| -> Vec<f64> { mask.iter().zip(f).map(|(&i, fi)| y[i] - fi).collect() };
    let ssr_of = |r: &[f64]| -> f64 { r.iter().map(|v| v * v).sum() };

    let mut p = p0.to_vec();
    let f0 = eval(&p)?;
    if let Some(i) = f0.iter().position(|v| !v.is_finite()) {
        return Err(Error::InvalidParameter {
            name: "p0",
            reason: format!(
                "the model is not finite at data point {} for p0 = {p0:?}; start elsewhere",
                mask[i]
            ),
        });
    }
    let mut r = resid(&f0);
    let mut ssr = ssr_of(&r);
    let h_rel = f64::EPSILON.cbrt();
    let jacobian =
        |p: &[f64], eval: &mut dyn FnMut(&[f64]) -> Result<Vec<f64>>| -> Result<DMatrix<f64>> {
            let mut j = DMatrix::<f64>::zeros(m, n);
            let mut q = p.to_vec();
            for k in 0..n {
                let h = h_rel * p[k].abs().max(1.0);
                q[k] = p[k] + h;
                let fp = eval(&q)?;
                q[k] = p[k] - h;
                let fm = eval(&q)?;
                q[k] = p[k];
                for i in 0..m {
                    j[(i, k)] = (fp[i] - fm[i]) / (2.0 * h);
                }
            }
            Ok(j)
        };
    let mut jac = jacobian(&p, &mut eval)?;
    if let Some(i) = jac.iter().position(|v| !v.is_finite()) {
        return Err(Error::InvalidParameter {
            name: "p0",
            reason: format!(
                "the model is not finite (or its difference quotient overflows) near p0 = \
                 {p0:?}: the Jacobian entry for data point {} and parameter {} is {}; \
                 start where the model is finite in a neighbourhood of p0",
                mask[i % m],
                i / m,
                jac[i]
            ),
        });
    }
    let mut converged = false;
    let mut lambda = -1.0;
    let mut nu = 2.0;
    while nfev.get() < max_nfev {
        let rv = DVector::from_column_slice(&r);
        let a = jac.transpose() * &jac;
        let g = jac.transpose() * &rv;
        if g.amax() <= opts.gtol {
            converged = true;
            break;
        }
        let diag: Vec<f64> = (0..n).map(|k| a[(k, k)].max(1e-300)).collect();
        if lambda < 0.0 {
            lambda = 1e-3 * diag.iter().cloned().fold(0.0, f64::max);
        }
        let mut damped = a.clone();
        for k in 0..n {
            damped[(k, k)] += lambda * diag[k];
        }
        let Some(ch) = damped.cholesky() else {
            // Not positive definite at this damping: raise it. This path evaluates no model,
            // so it needs its own bound (a NaN or overflowing Jacobian never factors).
            lambda *= nu;
            nu *= 2.0;
            if !lambda.is_finite() {
                break;
            }
            continue;
        };
        let dp = ch.solve(&g);
        let pnorm = p.iter().map(|v| v * v).sum::<f64>().sqrt();
        if dp.norm() <= opts.xtol * (pnorm + opts.xtol) {
            converged = true;
            break;
        }
        let pn: Vec<f64> = p.iter().zip(dp.iter()).map(|(a, b)| a + b).collect();
        let fnew = eval(&pn)?;
        let rn = resid(&fnew);
        let ssr_new = ssr_of(&rn);
        // Predicted reduction of SSR by the linear model: dp^T (lambda D dp + g) (times 2 / 2).
        let pred: f64 = (0..n)
            .map(|k| dp[k] * (lambda * diag[k] * dp[k] + g[k]))
            .sum();
        let rho = if ssr_new.is_finite() && pred > 0.0 {
            (ssr - ssr_new) / pred
        } else {
            -1.0
        };
        if rho > 0.0 {
            let rel = (ssr - ssr_new) / ssr.max(f64::MIN_POSITIVE);
            p = pn;
            r = rn;
            ssr = ssr_new;
            lambda *= (1.0f64 / 3.0).max(1.0 - (2.0 * rho - 1.0).powi(3));
            nu = 2.0;
            if rel <= opts.ftol || ssr == 0.0 {
                converged = true;
                break;
            }
            jac = jacobian(&p, &mut eval)?;
            if jac.iter().any(|v| !v.is_finite()) {
                // The model turned NaN/inf beside the new point: no further step can be
                // trusted; stop with the parameters found so far (converged: false).
                break;
            }
        } else {
            lambda *= nu;
            nu *= 2.0;
        }
    }
    // Covariance at the solution.
    let a = jac.transpose() * &jac;
    let cov = if m > n && jac.iter().all(|v| v.is_finite()) {
        let s2 = ssr / (m - n) as f64;
        match a.try_inverse() {
            Some(inv) => Array2::from_shape_fn((n, n), |(i, j)| inv[(i, j)] * s2),
            None => Array2::from_elem((n, n), f64::INFINITY),
        }
    } else {
        Array2::from_elem((n, n), f64::INFINITY)
    };
    Ok(CurveFit {
        params: p,
        cov,
        ssr,
        n_points: m,
        nfev: nfev.get(),
        converged,
    })
}
