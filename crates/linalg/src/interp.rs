//! The exact polynomial through n points, in barycentric form.
//!
//! Q21: the degree-29 polynomial through x = 0..29. `np.polyfit(x, y, 29)` misses the nodes
//! by tens (its monomial Vandermonde system has condition > 1e40). The barycentric form
//! (Berrut and Trefethen 2004) needs no coefficients at all: with weights
//! `w_j = 1 / prod_{k != j} (x_j - x_k)`,
//!
//! `p(x) = l(x) sum_j w_j y_j / (x - x_j)`,  `l(x) = prod_j (x - x_j)`
//!
//! (the "first form", backward stable for any node set, Higham 2004), and `p(x_j) = y_j`
//! exactly. The products over n nodes leave the f64 range for n beyond a few hundred
//! (their magnitude is about `(capacity)^n`): scipy maps the nodes by `4 / (max - min)` and
//! multiplies in a random order; here every product is carried as a mantissa and a binary
//! exponent (`frexp`), so the weights, `l(x)` and the sum never overflow or underflow for any
//! n or node spacing, and only the final value is rounded to f64 (inf only where p(x) itself
//! overflows). The differences `x - x_j` are taken on the raw nodes, as scipy does.
//! Measured: on Q21 the nodes are reproduced exactly and values between them agree with the
//! exact rational interpolant (Python fractions) to ~1e-13 of its maximum
//! (tests/data/linalg); through 1500 and 3000 Chebyshev points of a smooth function the
//! result agrees with `scipy.interpolate.barycentric_interpolate` to ~1e-13 (this crate's
//! hostile tests), where plain products lost accuracy past ~1080 nodes and gave NaN at 1500.
//!
//! ```
//! use ndarray::array;
//! let p = ndkern_linalg::interpolate(&array![0.0, 1.0, 3.0], &array![1.0, 2.0, 10.0]).unwrap();
//! // The parabola through (0,1), (1,2), (3,10) is x^2 + 1.
//! assert_eq!(p.eval(1.0), 2.0);
//! assert!((p.eval(2.0) - 5.0).abs() < 1e-14);
//! ```

use ndarray::{Array, ArrayBase, Data, Dimension, Ix1};
use ndkern_core::{Element, Error, Result};

use crate::sizes::{exponent, frexp, ldexp};

/// The interpolating polynomial through `(x_j, y_j)` in barycentric form; see the module docs.
#[derive(Clone, Debug, PartialEq)]
pub struct Interpolant {
    /// The nodes.
    x: Vec<f64>,
    /// Barycentric weights divided by `2^wexp` (largest near 1).
    w: Vec<f64>,
    /// Values divided by `2^yexp` (largest below 1).
    y: Vec<f64>,
    /// The original values (returned exactly at the nodes).
    y_raw: Vec<f64>,
    wexp: i32,
    yexp: i32,
}

/// `a - b` as `(mantissa, exponent)` (`frexp`), also when the difference overflows.
#[inline]
fn diff_frexp(a: f64, b: f64) -> (f64, i32) {
    let d = a - b;
    if d.is_finite() {
        frexp(d)
    } else {
        let (m, e) = frexp(0.5 * a - 0.5 * b);
        (m, e + 1)
    }
}

/// Renormalizes a running product `(m, e)` once its mantissa drifts below `1e-270`
/// (~`2^-897`; each factor's mantissa is at least 1/2, so it never underflows in between).
#[inline]
fn renorm(m: &mut f64, e: &mut i32) {
    if m.abs() < 1e-270 {
        let (mm, me) = frexp(*m);
        *m = mm;
        *e += me;
    }
}

/// The polynomial of degree `n - 1` through the `n` points `(x, y)` (scipy's
/// `BarycentricInterpolator(x, y)`), nodes in any order.
///
/// Errors: length mismatch, no points, a non-finite x or y, duplicate x nodes.
///
/// ```
/// use ndarray::array;
/// let err = ndkern_linalg::interpolate(&array![0.0, 1.0, 1.0], &array![1.0, 2.0, 3.0]).unwrap_err();
/// assert!(err.to_string().contains("duplicate"));
/// ```
pub fn interpolate<T, S1, S2>(x: &ArrayBase<S1, Ix1>, y: &ArrayBase<S2, Ix1>) -> Result<Interpolant>
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
    if x.is_empty() {
        return Err(Error::InvalidParameter {
            name: "x",
            reason: "no points: give at least one (x, y) pair".into(),
        });
    }
    let xs: Vec<f64> = x.iter().map(|v| v.as_f64()).collect();
    let ys: Vec<f64> = y.iter().map(|v| v.as_f64()).collect();
    for (name, v) in [("x", &xs), ("y", &ys)] {
        if let Some(i) = v.iter().position(|a| !a.is_finite()) {
            return Err(Error::InvalidParameter {
                name,
                reason: format!("{name}[{i}] = {} is not finite; drop that point", v[i]),
            });
        }
    }
    let mut sorted = xs.clone();
    sorted.sort_by(f64::total_cmp);
    if let Some(d) = sorted.windows(2).find(|p| p[0] == p[1]) {
        return Err(Error::InvalidParameter {
            name: "x",
            reason: format!(
                "duplicate node x = {}: interpolation needs distinct x values; \
                 merge or drop the repeated points (or use polyfit for a least-squares fit)",
                d[0]
            ),
        });
    }
    // w_j = 1 / prod_{k != j} (x_j - x_k), each product as mantissa * 2^exponent.
    let raw: Vec<(f64, i32)> = xs
        .iter()
        .enumerate()
        .map(|(j, &xj)| {
            let (mut m, mut e) = (1.0f64, 0i32);
            for (k, &xk) in xs.iter().enumerate() {
                if k != j {
                    let (dm, de) = diff_frexp(xj, xk);
                    m *= dm;
                    e += de;
                    renorm(&mut m, &mut e);
                }
            }
            // 1 / (m 2^e) = (1 / m') 2^-(e + e'), m' = frexp(m) in [0.5, 1).
            let (mm, me) = frexp(m);
            (1.0 / mm, -(e + me))
        })
        .collect();
    let wexp = raw.iter().map(|&(_, e)| e).max().unwrap_or(0);
    let w = raw.iter().map(|&(m, e)| ldexp(m, e - wexp)).collect();
    let ymax = ys.iter().fold(0.0f64, |s, v| s.max(v.abs()));
    let yexp = exponent(ymax);
    let y = ys.iter().map(|&v| ldexp(v, -yexp)).collect();
    Ok(Interpolant {
        x: xs,
        w,
        y,
        y_raw: ys,
        wexp,
        yexp,
    })
}

impl Interpolant {
    /// `p(x)`; exactly `y_j` at a node `x_j`. NaN for a NaN or infinite `x` (scipy: NaN).
    ///
    /// ```
    /// use ndarray::array;
    /// let p = ndkern_linalg::interpolate(&array![1.0, 2.0], &array![5.0, 7.0]).unwrap();
    /// assert_eq!(p.eval(1.5), 6.0);
    /// ```
    pub fn eval(&self, x: f64) -> f64 {
        if !x.is_finite() {
            return f64::NAN;
        }
        // Pass 1: l(x) = prod (x - x_j) as lm 2^le, and the smallest exponent of x - x_j.
        let (mut lm, mut le) = (1.0f64, 0i32);
        let mut dmin = i32::MAX;
        for (j, &xj) in self.x.iter().enumerate() {
            let (dm, de) = diff_frexp(x, xj);
            if dm == 0.0 {
                return self.y_raw[j];
            }
            lm *= dm;
            le += de;
            renorm(&mut lm, &mut le);
            dmin = dmin.min(de);
        }
        // Pass 2: sum w_j y_j / (x - x_j), every term scaled by 2^dmin (the nearest node's
        // term is O(1), the others no larger), so the sum cannot overflow.
        let mut s = 0.0;
        for ((&xj, &wj), &yj) in self.x.iter().zip(&self.w).zip(&self.y) {
            let (dm, de) = diff_frexp(x, xj);
            s += ldexp(wj * yj / dm, dmin - de);
        }
        let (sm, se) = frexp(lm * s);
        ldexp(sm, se + le + self.wexp + self.yexp - dmin)
    }

    /// `p` at every element of `x` (any shape), in `x`'s element type.
    ///
    /// # Errors
    /// [`Error::TooLarge`] when the output (sized like `x`, which may be a huge stride-0
    /// broadcast view) does not fit in memory.
    ///
    /// ```
    /// use ndarray::array;
    /// let p = ndkern_linalg::interpolate(&array![0.0f32, 1.0], &array![0.0f32, 2.0]).unwrap();
    /// assert_eq!(p.eval_array(&array![0.25f32, 3.0]).unwrap(), array![0.5f32, 6.0]);
    /// ```
    pub fn eval_array<T, S, D>(&self, x: &ArrayBase<S, D>) -> Result<Array<T, D>>
    where
        T: Element,
        S: Data<Elem = T>,
        D: Dimension,
    {
        ndkern_core::check_alloc::<T>(
            "the Interpolant::eval_array output (sized like x)",
            x.len(),
        )?;
        Ok(x.mapv(|v| T::of_f64(self.eval(v.as_f64()))))
    }
}
