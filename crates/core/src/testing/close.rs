//! numpy's `allclose` / `assert_allclose` for test assertions, and the two scale-relative
//! variants the kernel tests use (error over the largest expected magnitude).

use crate::Element;
use ndarray::{ArrayBase, Data, Dimension};
use std::borrow::Borrow;
use std::fmt::Display;

/// `|a - e| <= atol + rtol * |e|` elementwise, NaN matching NaN and equal infinities matching
/// (numpy's `assert_allclose(equal_nan=True)`); `Err` names the first mismatch.
///
/// ```
/// use ndkern_core::testing::allclose;
/// assert!(allclose(&[1.0, f64::NAN], &[1.0 + 1e-12, f64::NAN], 1e-9, 0.0).is_ok());
/// assert!(allclose(&[1.0], &[1.1], 1e-9, 0.0).is_err());
/// ```
pub fn allclose(actual: &[f64], expected: &[f64], rtol: f64, atol: f64) -> Result<(), String> {
    if actual.len() != expected.len() {
        return Err(format!(
            "length {} != expected length {}",
            actual.len(),
            expected.len()
        ));
    }
    for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        let ok = if e.is_nan() || a.is_nan() {
            e.is_nan() && a.is_nan()
        } else if e.is_infinite() || a.is_infinite() {
            a == e
        } else {
            (a - e).abs() <= atol + rtol * e.abs()
        };
        if !ok {
            return Err(format!(
                "element {i}: got {a:e}, expected {e:e} (rtol {rtol:e}, atol {atol:e})"
            ));
        }
    }
    Ok(())
}

/// Panics with the first mismatch unless [`allclose`] holds.
///
/// ```
/// ndkern_core::testing::assert_allclose(&[2.0], &[2.0], 0.0, 0.0);
/// ```
#[track_caller]
pub fn assert_allclose(actual: &[f64], expected: &[f64], rtol: f64, atol: f64) {
    if let Err(m) = allclose(actual, expected, rtol, atol) {
        panic!("assert_allclose failed: {m}");
    }
}

/// [`assert_allclose`] whose panic message starts with `what` (numpy's `err_msg`).
///
/// ```
/// ndkern_core::testing::assert_allclose_msg(&[1.0], &[1.0 + 1e-15], 1e-12, 0.0, "sum n=1");
/// ```
#[track_caller]
pub fn assert_allclose_msg(
    actual: &[f64],
    expected: &[f64],
    rtol: f64,
    atol: f64,
    what: impl Display,
) {
    if let Err(m) = allclose(actual, expected, rtol, atol) {
        panic!("{what}: {m}");
    }
}

/// The scale-relative error `max |a - e| / max |e|` (the scale is the largest finite `|e|`,
/// at least `f64::MIN_POSITIVE`): the error measure of a kernel whose rounding is relative to
/// the data's magnitude rather than to each element. NaN against NaN and equal infinities
/// count as exact; NaN against a number, unequal infinities or different lengths give
/// `f64::INFINITY`, so `max_rel_err(..) < tol` fails on them.
///
/// ```
/// use ndkern_core::testing::max_rel_err;
/// assert_eq!(max_rel_err([1.0, 0.0, f64::NAN], [1.0, 1e-20, f64::NAN]), 1e-20);
/// assert_eq!(max_rel_err(&[1.0, 2.0], &[1.0, 4.0]), 0.5);
/// assert_eq!(max_rel_err([f64::NAN], [0.0]), f64::INFINITY);
/// ```
pub fn max_rel_err<A: Borrow<f64>, E: Borrow<f64>>(
    actual: impl IntoIterator<Item = A>,
    expected: impl IntoIterator<Item = E>,
) -> f64 {
    let a: Vec<f64> = actual.into_iter().map(|v| *v.borrow()).collect();
    let e: Vec<f64> = expected.into_iter().map(|v| *v.borrow()).collect();
    if a.len() != e.len() {
        return f64::INFINITY;
    }
    let scale = e
        .iter()
        .filter(|v| v.is_finite())
        .fold(f64::MIN_POSITIVE, |m, v| m.max(v.abs()));
    a.iter().zip(&e).fold(0.0f64, |m, (&x, &y)| {
        if (x.is_nan() && y.is_nan()) || x == y {
            m
        } else if !x.is_finite() || !y.is_finite() {
            f64::INFINITY
        } else {
            m.max((x - y).abs() / scale)
        }
    })
}

/// Panics unless `actual` (f32 or f64) has `expected`'s shape and every element is within
/// `tol * max(1, max finite |expected|)` of it (NaN matching NaN, infinities exact): the check
/// for a reduction whose rounding error grows with the magnitude of the whole array.
///
/// ```
/// use ndarray::array;
/// let got = array![1000.0f32, f32::NAN];
/// ndkern_core::testing::assert_close_scaled(&got, &array![1000.0001, f64::NAN], 1e-6, "sum");
/// ```
#[track_caller]
pub fn assert_close_scaled<T, S, S2, D>(
    actual: &ArrayBase<S, D>,
    expected: &ArrayBase<S2, D>,
    tol: f64,
    what: impl Display,
) where
    T: Element,
    S: Data<Elem = T>,
    S2: Data<Elem = f64>,
    D: Dimension,
{
    assert_eq!(actual.shape(), expected.shape(), "{what}: shape");
    let scale = expected
        .iter()
        .filter(|v| v.is_finite())
        .fold(1.0f64, |m, v| m.max(v.abs()));
    let a: Vec<f64> = actual.iter().map(|v| v.as_f64()).collect();
    let e: Vec<f64> = expected.iter().copied().collect();
    assert_allclose_msg(&a, &e, 0.0, tol * scale, what);
}
