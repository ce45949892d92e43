//! Least-squares polynomials: fit in a Chebyshev basis on the mapped domain [-1, 1] with QR.
//!
//! `np.polyfit` builds a monomial Vandermonde matrix on the raw x. On x = 0..29 at degree 29
//! (Q21) its condition number is beyond 1e40 and the fit misses the data by tens. Mapping x
//! to [-1, 1] and using Chebyshev polynomials keeps the least-squares matrix nearly
//! orthogonal (condition ~ 1e1-1e4 for equispaced x at moderate degree), and Householder QR
//! solves it backward stably: [`polyfit`] returns a [`ChebPoly`], evaluated by Clenshaw's
//! recurrence.
//!
//! Monomial coefficients (numpy order, highest degree first) are available with
//! [`ChebPoly::to_monomial`]. **Conditioning warning:** on a domain far from [-1, 1] or at
//! high degree the monomial coefficients cannot represent the polynomial in f64 (on [0, 29]
//! at degree 29, evaluating even exactly rounded coefficients is off by ~1e10); use them for
//! low degrees (<= ~5 on moderate domains) and evaluate the [`ChebPoly`] otherwise. For exact
//! interpolation through n points use [`crate::interpolate`].
//!
//! ```
//! use ndarray::Array1;
//! let x = Array1::linspace(0.0, 10.0, 21);
//! let y = x.mapv(|v: f64| 3.0 * v * v - 2.0 * v + 1.0);
//! let p = ndkern_linalg::polyfit(&x, &y, 2, None).unwrap();
//! let c = p.to_monomial(); // numpy order: [3, -2, 1]
//! assert!((c[0] - 3.0).abs() < 1e-12 && (c[1] + 2.0).abs() < 1e-11 && (c[2] - 1.0).abs() < 1e-10);
//! assert!((p.eval(4.5) - (3.0 * 20.25 - 9.0 + 1.0)).abs() < 1e-10);
//! ```

use nalgebra::{DMatrix, DVector};
use ndarray::{Array, ArrayBase, Data, Dimension, Ix1};
use ndkern_core::{Element, Error, Result};

use crate::sizes::{exponent, ldexp};

/// A polynomial in Chebyshev form on a mapped domain: `p(x) = sum_k coef[k] T_k(t)` with
/// `t = (2x - (lo + hi)) / (hi - lo)` for `domain = [lo, hi]` (numpy's
/// `np.polynomial.Chebyshev(coef, domain)`).
#[derive(Clone, Debug, PartialEq)]
pub struct ChebPoly {
    /// Chebyshev coefficients, lowest degree first.
    pub coef: Vec<f64>,
    /// The x interval mapped to [-1, 1].
    pub domain: [f64; 2],
}

impl ChebPoly {
    /// The degree (number of coefficients minus one; 0 for an empty polynomial).
    ///
    /// ```
    /// let p = ndkern_linalg::ChebPoly { coef: vec![1.0, 2.0, 0.5], domain: [-1.0, 1.0] };
    /// assert_eq!(p.degree(), 2);
    /// ```
    pub fn degree(&self) -> usize {
        self.coef.len().saturating_sub(1)
    }

    fn map(&self, x: f64) -> f64 {
        let [lo, hi] = self.domain;
        let (num, den) = (2.0 * x - (lo + hi), hi - lo);
        if (num.is_finite() && den.is_finite()) || !x.is_finite() {
            num / den
        } else {
            // 2x, lo + hi or hi - lo overflowed (a domain near +-1e308): the same map in
            // halves, which cannot overflow for x inside the domain.
            (x - (0.5 * lo + 0.5 * hi)) / (0.5 * hi - 0.5 * lo)
        }
    }

    /// `p(x)` by Clenshaw's recurrence (backward stable).
    ///
    /// ```
    /// // T_2 on [0, 2]: t = x - 1, T_2(t) = 2t^2 - 1; at x = 0: 1.
    /// let p = ndkern_linalg::ChebPoly { coef: vec![0.0, 0.0, 1.0], domain: [0.0, 2.0] };
    /// assert_eq!(p.eval(0.0), 1.0);
    /// ```
    pub fn eval(&self, x: f64) -> f64 {
        clenshaw(&self.coef, self.map(x))
    }

    /// `p` at every element of `x` (any shape and layout), in `x`'s element type.
    ///
    /// # Errors
    /// [`Error::TooLarge`] when the output (sized like `x`, which may be a huge stride-0
    /// broadcast view) does not fit in memory.
    ///
    /// ```
    /// use ndarray::array;
    /// let p = ndkern_linalg::ChebPoly { coef: vec![1.0, 1.0], domain: [-1.0, 1.0] };
    /// assert_eq!(p.eval_array(&array![[0.0f32, 2.0]])?, array![[1.0f32, 3.0]]);
    /// # Ok::<(), ndkern_core::Error>(())
    /// ```
    pub fn eval_array<T, S, D>(&self, x: &ArrayBase<S, D>) -> Result<Array<T, D>>
    where
        T: Element,
        S: Data<Elem = T>,
        D: Dimension,
    {
        ndkern_core::check_alloc::<T>("the ChebPoly::eval_array output (sized like x)", x.len())?;
        Ok(x.mapv(|v| T::of_f64(self.eval(v.as_f64()))))
    }

    /// Monomial coefficients in numpy order (highest degree first), as `np.polyfit` returns
    /// them. See the module docs' conditioning warning: fine at low degree, meaningless at
    /// high degree on wide domains.
    ///
    /// ```
    /// // T_2 on [-1, 1] is 2x^2 - 1.
    /// let p = ndkern_linalg::ChebPoly { coef: vec![0.0, 0.0, 1.0], domain: [-1.0, 1.0] };
    /// assert_eq!(p.to_monomial(), vec![2.0, 0.0, -1.0]);
    /// ```
    pub fn to_monomial(&self) -> Vec<f64> {
        let n = self.coef.len();
        if n == 0 {
            return vec![0.0];
        }
        // Chebyshev -> power basis in t (lowest first): T_{k+1} = 2 t T_k - T_{k-1}.
        let mut q = vec![0.0; n];
        let mut tkm1 = vec![0.0; n];
        let mut tk = vec![0.0; n];
        tk[0] = 1.0;
        for (k, &c) in self.coef.iter().enumerate() {
            if k == 1 {
                tkm1 = std::mem::replace(&mut tk, vec![0.0; n]);
                tk[1] = 1.0;
            } else if k >= 2 {
                let mut next = vec![0.0; n];
                for i in 0..n {
                    let shifted = if i > 0 { 2.0 * tk[i - 1] } else { 0.0 };
                    next[i] = shifted - tkm1[i];
                }
                tkm1 = std::mem::replace(&mut tk, next);
            }
            for i in 0..n {
                q[i] += c * tk[i];
            }
        }
        // Substitute t = a x + b by Horner composition.
        let [lo, hi] = self.domain;
        let (a, b) = (2.0 / (hi - lo), -(lo + hi) / (hi - lo));
        let mut r = vec![0.0; n];
        for &c in q.iter().rev() {
            // r <- r * (a x + b) + c
            for i in (0..n).rev() {
                let lower = if i > 0 { r[i - 1] } else { 0.0 };
                r[i] = r[i] * b + lower * a;
            }
            r[0] += c;
        }
        r.reverse();
        r
    }
}

/// Clenshaw's recurrence for `sum_k c[k] T_k(t)`, in numpy's `chebval` form and order
/// (it never multiplies `t` by a zero start value, so `t = +-inf` gives +-inf, not NaN).
fn clenshaw(c: &[f64], t: f64) -> f64 {
    match c.len() {
        0 => 0.0,
        1 => c[0],
        2 => c[0] + c[1] * t,
        n => {
            let t2 = 2.0 * t;
            let (mut c0, mut c1) = (c[n - 2], c[n - 1]);
            for &ck in c[..n - 2].iter().rev() {
                let tmp = c0;
                c0 = ck - c1;
                c1 = tmp + c1 * t2;
            }
            c0 + c1 * t
        }
    }
}

/// Checks x/y/w and converts them to f64 vectors.
fn fit_inputs<T, S1, S2>(
    x: &ArrayBase<S1, Ix1>,
    y: &ArrayBase<S2, Ix1>,
    deg: usize,
    w: Option<&[f64]>,
) -> Result<(Vec<f64>, Vec<f64>, Vec<f64>)>
where
    T: Element,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
{
    if x.len() != y.len() {
        return Err(Error::ShapeMismatch {
            expected: vec![x.len()],
            got: vec![y.len()],
        });
    }
    let xs: Vec<f64> = x.iter().map(|v| v.as_f64()).collect();
    let ys: Vec<f64> = y.iter().map(|v| v.as_f64()).collect();
    if let Some(i) = xs.iter().position(|v| !v.is_finite()) {
        return Err(Error::InvalidParameter {
            name: "x",
            reason: format!("x[{i}] = {} is not finite; drop that point", xs[i]),
        });
    }
    if let Some(i) = ys.iter().position(|v| !v.is_finite()) {
        return Err(Error::InvalidParameter {
            name: "y",
            reason: format!("y[{i}] = {} is not finite; drop that point", ys[i]),
        });
    }
    let ws = match w {
        None => vec![1.0; xs.len()],
        Some(w) => {
            if w.len() != xs.len() {
                return Err(Error::ShapeMismatch {
                    expected: vec![xs.len()],
                    got: vec![w.len()],
                });
            }
            if let Some(i) = w.iter().position(|v| !v.is_finite()) {
                return Err(Error::InvalidParameter {
                    name: "w",
                    reason: format!("w[{i}] = {} is not finite", w[i]),
                });
            }
            w.to_vec()
        }
    };
    if deg >= xs.len() {
        return Err(Error::InvalidParameter {
            name: "deg",
            reason: format!(
                "degree {deg} needs at least {} points, got {}; lower the degree \
                 (use interpolate() for the exact polynomial through n points)",
                deg as u128 + 1,
                xs.len()
            ),
        });
    }
    // The least-squares matrix is n x (deg + 1): deg < n, but n (deg + 1) can still be far
    // beyond memory (1e5 points at degree 5e4).
    let cells = ndkern_core::checked_len("polyfit least-squares matrix", &[xs.len(), deg + 1])?;
    ndkern_core::check_alloc::<f64>("polyfit least-squares matrix", cells)?;
    Ok((xs, ys, ws))
}

/// Weighted least squares in the Chebyshev basis at points `t` (already mapped): minimizes
/// `sum (w_i (y_i - p(t_i)))^2` (numpy's weight convention) by Householder QR of the
/// column-normalized matrix.
fn cheb_lstsq(t: &[f64], y: &[f64], w: &[f64], deg: usize) -> Result<Vec<f64>> {
    let (n, m) = (t.len(), deg + 1);
    // Scaling all weights, or all of y, by a power of two changes no rounding and leaves the
    // solution (times that power for y) unchanged; doing it keeps the column norms and the
    // Householder products of data near 1e+-300 inside the f64 range, so overflow is never
    // reported as rank deficiency.
    let wexp = exponent(w.iter().fold(0.0f64, |s, v| s.max(v.abs())));
    let yexp = exponent(y.iter().fold(0.0f64, |s, v| s.max(v.abs())));
    let w: Vec<f64> = w.iter().map(|&v| ldexp(v, -wexp)).collect();
    let y: Vec<f64> = y.iter().map(|&v| ldexp(v, -yexp)).collect();
    let (w, y) = (w.as_slice(), y.as_slice());
    let mut a = DMatrix::<f64>::zeros(n, m);
    for (i, &ti) in t.iter().enumerate() {
        let (mut tkm1, mut tk) = (1.0, ti);
        for k in 0..m {
            let v = match k {
                0 => 1.0,
                1 => ti,
                _ => {
                    let next = 2.0 * ti * tk - tkm1;
                    tkm1 = tk;
                    tk = next;
                    next
                }
            };
            a[(i, k)] = v * w[i];
        }
    }
    if let Some(idx) = a.iter().position(|v| !v.is_finite()) {
        let (i, k) = (idx % n, idx / n);
        return Err(Error::InvalidParameter {
            name: "x",
            reason: format!(
                "the Chebyshev basis overflows: T_{k}(x[{i}] = {:e}) is not finite in f64; \
                 map x into [-1, 1] first (polyfit does) or lower the degree",
                t[i]
            ),
        });
    }
    // Column scaling (as numpy's polyfit does) so the rank test is scale-free.
    let scale: Vec<f64> = (0..m)
        .map(|k| {
            let s = a.column(k).norm();
            if s > 0.0 {
                s
            } else {
                1.0
            }
        })
        .collect();
    for (k, s) in scale.iter().enumerate() {
        a.column_mut(k).scale_mut(1.0 / s);
    }
    let mut b = DVector::from_iterator(n, y.iter().zip(w).map(|(y, w)| y * w));
    let qr = a.qr();
    let r = qr.r();
    let rmax = (0..m).fold(0.0f64, |s, k| ndkern_core::nan_max(s, r[(k, k)].abs()));
    let rank_tol = n.max(m) as f64 * f64::EPSILON * rmax;
    if let Some(k) = (0..m).find(|&k| r[(k, k)].is_nan() || r[(k, k)].abs() <= rank_tol) {
        return Err(Error::InvalidParameter {
            name: "deg",
            reason: format!(
                "the least-squares system is rank deficient (column {k} of {m}): degree {deg} \
                 needs at least {m} distinct x values with nonzero weight; lower the degree"
            ),
        });
    }
    qr.q_tr_mul(&mut b);
    let rhs = b.rows(0, m).into_owned();
    let c = r
        .solve_upper_triangular(&rhs)
        .expect("nonzero diagonal checked above");
    Ok((0..m).map(|k| ldexp(c[k] / scale[k], yexp)).collect())
}

/// Least-squares polynomial fit of degree `deg` (`np.polyfit(x, y, deg, w=w)`), returned in
/// the stable Chebyshev form on `domain = [min x, max x]`; [`ChebPoly::to_monomial`] gives
/// numpy's coefficient vector.
///
/// `w` multiplies the residuals (numpy: `w[i] = 1/sigma[i]`). Errors: x/y/w length mismatch,
/// a non-finite x, y or w, `deg >= len(x)`, or fewer than `deg + 1` distinct x values
/// (rank deficient; numpy only warns there).
///
/// ```
/// use ndarray::array;
/// let x = array![0.0, 1.0, 2.0, 3.0];
/// let y = array![1.0, 3.0, 5.0, 7.5];
/// let p = ndkern_linalg::polyfit(&x, &y, 1, None).unwrap();
/// let c = p.to_monomial();
/// // np.polyfit(x, y, 1) = [2.15, 0.9]
/// assert!((c[0] - 2.15).abs() < 1e-13 && (c[1] - 0.9).abs() < 1e-13);
/// assert!(ndkern_linalg::polyfit(&x, &y, 4, None).unwrap_err().to_string().contains("at least 5 points"));
/// ```
pub fn polyfit<T, S1, S2>(
    x: &ArrayBase<S1, Ix1>,
    y: &ArrayBase<S2, Ix1>,
    deg: usize,
    w: Option<&[f64]>,
) -> Result<ChebPoly>
where
    T: Element,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
{
    let (xs, ys, ws) = fit_inputs(x, y, deg, w)?;
    let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let domain = if hi > lo {
        [lo, hi]
    } else {
        // One distinct x (only degree 0 can fit): any interval around it; one that stays
        // a real interval next to 1e308 too.
        let d = f64::max(1.0, lo.abs() * 1e-15);
        if (lo + d).is_finite() && (lo - d).is_finite() {
            [lo - d, lo + d]
        } else if lo > 0.0 {
            [lo - 2.0 * d, lo]
        } else {
            [lo, lo + 2.0 * d]
        }
    };
    let p = ChebPoly {
        coef: Vec::new(),
        domain,
    };
    let t: Vec<f64> = xs.iter().map(|&v| p.map(v)).collect();
    Ok(ChebPoly {
        coef: cheb_lstsq(&t, &ys, &ws, deg)?,
        domain,
    })
}

/// `numpy.polynomial.chebyshev.chebfit(x, y, deg, w=w)`: least-squares Chebyshev
/// coefficients (lowest first) on the raw x (no domain mapping: accurate when x lies in
/// about [-1, 1]; otherwise prefer [`polyfit`]). Errors as [`polyfit`].
///
/// ```
/// use ndarray::array;
/// let x = array![-1.0, -0.5, 0.0, 0.5, 1.0];
/// let y = x.mapv(|t: f64| 2.0 * t * t - 1.0); // T_2
/// let c = ndkern_linalg::chebfit(&x, &y, 2, None).unwrap();
/// assert!(c[0].abs() < 1e-15 && c[1].abs() < 1e-15 && (c[2] - 1.0).abs() < 1e-15);
/// ```
pub fn chebfit<T, S1, S2>(
    x: &ArrayBase<S1, Ix1>,
    y: &ArrayBase<S2, Ix1>,
    deg: usize,
    w: Option<&[f64]>,
) -> Result<Vec<f64>>
where
    T: Element,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
{
    let (xs, ys, ws) = fit_inputs(x, y, deg, w)?;
    cheb_lstsq(&xs, &ys, &ws, deg)
}

/// `numpy.polynomial.chebyshev.chebval(x, c)`: `sum_k c[k] T_k(x)` at every element of `x`
/// by Clenshaw's recurrence (computed in f64, returned in `x`'s type). An empty `c` gives
/// zeros (like [`polyval`]; numpy's chebval raises there).
///
/// # Errors
/// [`Error::TooLarge`] when the output (sized like `x`, which may be a huge stride-0 broadcast
/// view) does not fit in memory.
///
/// ```
/// use ndarray::array;
/// let v = ndkern_linalg::chebval(&array![0.5f64, 2.0], &[1.0, 0.0, 1.0])?; // 1 + T_2
/// assert_eq!(v, array![0.5, 8.0]);
/// # Ok::<(), ndkern_core::Error>(())
/// ```
pub fn chebval<T, S, D>(x: &ArrayBase<S, D>, c: &[f64]) -> Result<Array<T, D>>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    ndkern_core::check_alloc::<T>("the chebval output (sized like x)", x.len())?;
    Ok(x.mapv(|v| T::of_f64(clenshaw(c, v.as_f64()))))
}

ndkern_core::multiversion! {
    /// [`polyval`]'s kernel over one chunk, compiled per SIMD level: Horner's rule,
    /// `T::LANES` elements per FMA vector, the tail scalar (fused too).
    fn horner[T: Element](p: &[T], xc: &[T], oc: &mut [T]) {
        let mut xi = xc.chunks_exact(T::LANES);
        let mut oi = oc.chunks_exact_mut(T::LANES);
        for (xv, ov) in (&mut xi).zip(&mut oi) {
            let v = T::load(xv);
            let mut acc = T::splat(T::zero());
            for &c in p {
                acc = T::vmul_add(acc, v, T::splat(c));
            }
            T::store(acc, ov);
        }
        for (xv, ov) in xi.remainder().iter().zip(oi.into_remainder()) {
            *ov = p.iter().fold(T::zero(), |acc, &c| acc.mul_add(*xv, c));
        }
    }
}

/// `np.polyval(p, x)`: the polynomial with numpy-order coefficients `p` (highest degree first)
/// at every element of `x`, by Horner's rule, `T::LANES` elements per FMA vector (no
/// reassociation: each element sees numpy's exact operation sequence, fused).
///
/// An empty `p` gives zeros (numpy: same).
///
/// # Errors
/// [`Error::TooLarge`] when the output (sized like `x`) or the C-order copy of a
/// non-contiguous `x` (a huge stride-0 broadcast view) does not fit in memory.
///
/// ```
/// use ndarray::array;
/// let v = ndkern_linalg::polyval(&[3.0, 0.0, 1.0], &array![[1.0, 2.0], [-1.0, 0.5]])?;
/// assert_eq!(v, array![[4.0, 13.0], [4.0, 1.75]]);
/// # Ok::<(), ndkern_core::Error>(())
/// ```
pub fn polyval<T, S, D>(p: &[T], x: &ArrayBase<S, D>) -> Result<Array<T, D>>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    // Output first: for a huge broadcast view it is refused before the C-order copy is tried.
    let mut out = ndkern_core::try_zeroed_vec::<T>("the polyval output (sized like x)", x.len())?;
    let xs = ndkern_core::try_standard_layout("a C-order copy of x", x)?;
    let xs = xs.as_slice().expect("standard layout is contiguous");
    if ndkern_core::worth_parallel(xs.len() * p.len().max(1)) {
        use rayon::prelude::*;
        out.par_chunks_mut(1 << 14)
            .zip(xs.par_chunks(1 << 14))
            .for_each(|(o, x)| horner(p, x, o));
    } else {
        horner(p, xs, &mut out);
    }
    Ok(Array::from_shape_vec(x.raw_dim(), out).expect("length matches shape"))
}
