//! `min` and `max` of a slice with numpy's NaN rule: any NaN makes the result NaN.
//!
//! The SIMD loop uses the fast min/max instructions (which drop NaN like `fmin`) and checks
//! each vector for NaN separately, so a NaN anywhere returns NaN at once.
//!
//! ```
//! assert_eq!(ndkern_core::max(&[1.0f64, 5.0, -2.0]), Some(5.0));
//! assert!(ndkern_core::min(&[1.0f32, f32::NAN]).unwrap().is_nan());
//! assert_eq!(ndkern_core::min::<f64>(&[]), None);
//! ```

use crate::element::Element;

#[inline(always)]
fn extreme<T: Element>(
    x: &[T],
    vpick: impl Fn(T::V, T::V) -> T::V,
    pick: impl Fn(T, T) -> T,
) -> Option<T> {
    let first = *x.first()?;
    let mut acc = T::splat(first);
    let mut chunks = x.chunks_exact(T::LANES);
    for c in &mut chunks {
        let v = T::load(c);
        if T::any_nan(v) {
            return Some(T::nan());
        }
        acc = vpick(acc, v);
    }
    let mut lanes = vec![first; T::LANES];
    T::store(acc, &mut lanes);
    let mut r = lanes.into_iter().fold(first, &pick);
    for &v in chunks.remainder() {
        if v.is_nan() {
            return Some(v);
        }
        r = pick(r, v);
    }
    Some(r)
}

/// Slices at least this long are split in halves across rayon workers.
const PAR_MIN: usize = 1 << 20;

/// Smallest element; NaN if any element is NaN; `None` for an empty slice.
#[inline]
pub fn min<T: Element>(x: &[T]) -> Option<T> {
    if x.len() >= PAR_MIN {
        let (a, b) = x.split_at(x.len() / 2);
        let (p, q) = rayon::join(|| min(a), || min(b));
        return Some(nan_min(p?, q?));
    }
    min_leaf(x)
}

crate::multiversion! {
    /// [`min`] of one serial block, compiled per SIMD level.
    fn min_leaf[T: Element](x: &[T]) -> Option<T> {
        extreme(x, T::vmin, |a, b| if b < a { b } else { a })
    }
}

/// Largest element; NaN if any element is NaN; `None` for an empty slice.
#[inline]
pub fn max<T: Element>(x: &[T]) -> Option<T> {
    if x.len() >= PAR_MIN {
        let (a, b) = x.split_at(x.len() / 2);
        let (p, q) = rayon::join(|| max(a), || max(b));
        return Some(nan_max(p?, q?));
    }
    max_leaf(x)
}

crate::multiversion! {
    /// [`max`] of one serial block, compiled per SIMD level.
    fn max_leaf[T: Element](x: &[T]) -> Option<T> {
        extreme(x, T::vmax, |a, b| if b > a { b } else { a })
    }
}

/// NaN-propagating scalar minimum (numpy `np.minimum`).
#[inline(always)]
pub fn nan_min<T: Element>(a: T, b: T) -> T {
    if b < a || b.is_nan() {
        b
    } else {
        a
    }
}

/// `x` limited to `[lo, hi]`, NaN staying NaN (`np.clip`). `f64::max(x, 0.0)` turns a NaN
/// into `0.0`; every clamp in ndkern goes through this one instead.
///
/// ```
/// assert_eq!(ndkern_core::clamp(-1.0f64, 0.0, 1.0), 0.0);
/// assert_eq!(ndkern_core::clamp(0.5f32, 0.0, 1.0), 0.5);
/// assert!(ndkern_core::clamp(f64::NAN, 0.0, 1.0).is_nan());
/// ```
#[inline(always)]
pub fn clamp<T: PartialOrd + Copy>(x: T, lo: T, hi: T) -> T {
    if x < lo {
        lo
    } else if x > hi {
        hi
    } else {
        x
    }
}

/// NaN-propagating scalar maximum (numpy `np.maximum`).
#[inline(always)]
pub fn nan_max<T: Element>(a: T, b: T) -> T {
    if b > a || b.is_nan() {
        b
    } else {
        a
    }
}
