//! numpy's `allclose` / `assert_allclose` for test assertions.

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
