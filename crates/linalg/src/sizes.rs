//! Checked sizes and exact power-of-two scaling shared by the linalg families.
//!
//! Every buffer whose size comes from two inputs together (an `m x n` distance matrix, a
//! `d x d` moment matrix, an `m x n` Jacobian) or from a parameter goes through
//! [`checked_zeros`] / `ndkern_core::check_alloc`, so an impossible size is
//! `Error::TooLarge`, never an abort. Data near the ends of the f64 range (1e+-300) is
//! scaled by a power of two ([`pow2`], exact) before squaring sums, and the result scaled
//! back, so overflow is reported only where the true value overflows.

use ndarray::{Array, Dimension};
use ndkern_core::{Element, Result};

/// `ndkern_core::try_zeros`: the element count checked for overflow and against the
/// allocation cap (`Error::TooLarge` naming `what`), a refused allocation an `Err`.
pub(crate) fn checked_zeros<T: Element, D: Dimension>(
    what: &'static str,
    dim: D,
) -> Result<Array<T, D>> {
    ndkern_core::try_zeros(what, dim)
}

/// `2^e`, exact for every `e` whose power is a normal or subnormal f64 (and 0 / inf
/// beyond), for `|e| <= 2000`.
pub(crate) fn pow2(e: i32) -> f64 {
    let e = e.clamp(-2000, 2000);
    let one = |k: i32| f64::from_bits(((k + 1023) as u64) << 52);
    // Two factors, each within the normal exponent range.
    let (a, b) = (e / 2, e - e / 2);
    one(a.clamp(-1022, 1023)) * one(b.clamp(-1022, 1023))
}

/// The exponent `e` with `2^(e-1) <= |x| < 2^e` for finite nonzero `x`, else 0: dividing by
/// `2^e` brings `x` into `[0.5, 1)`.
pub(crate) fn exponent(x: f64) -> i32 {
    if x == 0.0 || !x.is_finite() {
        return 0;
    }
    let x = x.abs();
    let bits = x.to_bits();
    let raw = ((bits >> 52) & 0x7ff) as i32;
    if raw == 0 {
        // Subnormal: scale into the normal range first.
        return exponent(x * pow2(64)) - 64;
    }
    raw - 1022
}

/// `(m, e)` with `x = m 2^e`, `0.5 <= |m| < 1` (C's `frexp`) for finite nonzero `x`;
/// `(x, 0)` for 0, inf and NaN.
#[inline]
pub(crate) fn frexp(x: f64) -> (f64, i32) {
    let bits = x.to_bits();
    let raw = ((bits >> 52) & 0x7ff) as i32;
    if raw == 0x7ff || x == 0.0 {
        return (x, 0);
    }
    if raw == 0 {
        let (m, e) = frexp(x * pow2(64));
        return (m, e - 64);
    }
    let m = f64::from_bits((bits & !(0x7ffu64 << 52)) | (1022u64 << 52));
    (m, raw - 1022)
}

/// `x * 2^e` without intermediate overflow or underflow (`ldexp`).
pub(crate) fn ldexp(x: f64, e: i32) -> f64 {
    let mut x = x;
    let mut e = e;
    while e > 1000 {
        x *= pow2(1000);
        e -= 1000;
    }
    while e < -1000 {
        x *= pow2(-1000);
        e += 1000;
    }
    x * pow2(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powers_and_exponents() {
        assert_eq!(pow2(0), 1.0);
        assert_eq!(pow2(-1074), f64::from_bits(1));
        assert_eq!(pow2(1023), 2f64.powi(1023));
        assert_eq!(pow2(1024), f64::INFINITY);
        for x in [1.0, 0.75, 3.0, 1e300, 1e-300, 5e-324, -2.5e-310] {
            let e = exponent(x);
            let m = ldexp(x.abs(), -e);
            assert!((0.5..1.0).contains(&m), "{x}: {e} {m}");
            assert_eq!(ldexp(m, e), x.abs());
            assert_eq!(frexp(x), (m.copysign(x), e));
        }
    }
}
