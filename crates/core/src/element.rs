//! The element trait: the one seam between scalar types and SIMD vectors.
//!
//! Every kernel in ndkern is generic over [`Element`], implemented for `f32` (vector type
//! [`f32x8`]) and `f64` ([`f64x4`]). The vectors are [`crate::simd`]'s portable ones: their
//! instruction set is the one of the kernel copy they are inlined into, chosen at run time
//! by [`crate::multiversion!`], not the one the crate was built with.
//!
//! Accumulating kernels (sums, sums of squares, dot products, running window sums) never
//! accumulate in `f32`: they widen eight elements at a time into two `f64x4` vectors with
//! [`Element::widen8`] and sum in `f64`. That costs nothing measurable on memory-bound
//! reductions and removes numpy's float32 drift (numpy issue 11331).
//!
//! ```
//! use ndkern_core::Element;
//! let v = <f32 as Element>::load(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]);
//! assert_eq!(<f32 as Element>::reduce_add(v), 36.0);
//! ```
//!
//! Beside the floats, kernels that only read values (binning's images of `u8`, masks of
//! `bool`) take any [`Sample`]: the one trait that reads a number as `f64`, which `Element`
//! extends (so `f32 -> f64` widening is written once). Integer labels and indices are
//! [`Label`]s: one unsigned compare checks both of their bounds.

use std::fmt::{Debug, Display};
use std::iter::Sum;
use std::ops::{Add, AddAssign, Mul, Sub};

pub use crate::simd::{f32x8, f64x4};
use num_traits::{Float, FromPrimitive, ToPrimitive};

/// A numeric sample read as `f64`: the integers, `bool`, `f32` and `f64` (numpy's
/// numeric dtypes). Every [`Element`] is one, so generic code over `Element` calls
/// `x.as_f64()` directly; code over concrete types imports this trait.
///
/// ```
/// use ndkern_core::Sample;
/// assert_eq!(200u8.as_f64(), 200.0);
/// assert_eq!(1.5f32.as_f64(), 1.5);
/// assert!(!0u8.is_nonzero());
/// assert!(f64::NAN.is_nonzero()); // like numpy's count_nonzero
/// ```
pub trait Sample: Copy + Send + Sync + Debug + 'static {
    /// The value as `f64`: lossless for `f32`, the integers up to 2^53 and `bool`; larger
    /// integers round to nearest (as numpy's `astype(float64)`).
    fn as_f64(self) -> f64;
    /// True when the value is not zero (NaN counts as nonzero, as in numpy).
    fn is_nonzero(self) -> bool;
}

macro_rules! sample_impl {
    ($($t:ty),*) => {$(
        impl Sample for $t {
            #[inline(always)]
            fn as_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn is_nonzero(self) -> bool {
                self != (0 as $t)
            }
        }
    )*};
}
sample_impl!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize, f32, f64);

impl Sample for bool {
    #[inline(always)]
    fn as_f64(self) -> f64 {
        f64::from(u8::from(self))
    }
    #[inline(always)]
    fn is_nonzero(self) -> bool {
        self
    }
}

/// An integer label or index: `u8..u64`, `usize`, `i8..i64`, `isize` (the label rasters and
/// index arrays of binning's `bincount`, `scatter_add`, `label_stats`, `gather`).
///
/// ```
/// use ndkern_core::Label;
/// assert_eq!(5u8.to_index(), Some(5));
/// assert_eq!((-1i32).to_index(), None);
/// ```
pub trait Label: Copy + Send + Sync + Debug + 'static {
    /// The value as an index, `None` when negative (or beyond `usize`).
    fn to_index(self) -> Option<usize>;
    /// The value cast to `usize` as `as` does: a negative value wraps to `>= 2^63`, above any
    /// valid index, so one unsigned comparison `l.to_index_wrapping() < len` checks both
    /// bounds (and vectorizes).
    ///
    /// ```
    /// use ndkern_core::Label;
    /// assert_eq!(7i8.to_index_wrapping(), 7);
    /// assert!((-1i64).to_index_wrapping() >= 1 << 63);
    /// ```
    fn to_index_wrapping(self) -> usize;
}

macro_rules! label_impl {
    ($($t:ty),*) => {$(
        impl Label for $t {
            #[inline(always)]
            fn to_index(self) -> Option<usize> {
                usize::try_from(self).ok()
            }
            #[inline(always)]
            fn to_index_wrapping(self) -> usize {
                self as usize
            }
        }
    )*};
}
label_impl!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);

/// A floating-point element type with a SIMD vector twin. Reading it as `f64` is
/// [`Sample::as_f64`] (lossless for `f32`, the identity for `f64`).
pub trait Element:
    Sample
    + Float
    + crate::ZeroBits
    + FromPrimitive
    + ToPrimitive
    + Default
    + Debug
    + Display
    + Sum
    + AddAssign
    + Send
    + Sync
    + 'static
{
    /// The SIMD vector of `LANES` elements.
    type V: Copy
        + Debug
        + Add<Output = Self::V>
        + Sub<Output = Self::V>
        + Mul<Output = Self::V>
        + Send
        + Sync;
    /// Number of elements in [`Element::V`].
    const LANES: usize;
    /// The numpy dtype name, `"float32"` or `"float64"`.
    const DTYPE: &'static str;

    /// A vector with every lane equal to `x`.
    fn splat(x: Self) -> Self::V;
    /// Loads the first `LANES` elements of `s` (`s.len() >= LANES`).
    fn load(s: &[Self]) -> Self::V;
    /// Loads `s` (`s.len() <= LANES`) and fills the remaining lanes with zero.
    fn load_partial(s: &[Self]) -> Self::V;
    /// Stores the vector into the first `min(LANES, out.len())` elements of `out`.
    fn store(v: Self::V, out: &mut [Self]);
    /// `a * b + c` with one rounding (FMA at the AVX2 level and above, the C library's
    /// `fma` at the x86 baseline).
    fn vmul_add(a: Self::V, b: Self::V, c: Self::V) -> Self::V;
    /// Sum of the lanes.
    fn reduce_add(v: Self::V) -> Self;
    /// Lane-wise minimum (ignores a NaN in one operand, like `fmin`).
    fn vmin(a: Self::V, b: Self::V) -> Self::V;
    /// Lane-wise maximum (ignores a NaN in one operand, like `fmax`).
    fn vmax(a: Self::V, b: Self::V) -> Self::V;
    /// True when any lane is NaN.
    fn any_nan(v: Self::V) -> bool;
    /// Widens the first eight elements of `chunk` (`chunk.len() >= 8`) to two `f64x4`.
    fn widen8(chunk: &[Self]) -> (f64x4, f64x4);
    /// Rounds an `f64` to this type (round to nearest).
    fn of_f64(x: f64) -> Self;
}

impl Element for f32 {
    type V = f32x8;
    const LANES: usize = 8;
    const DTYPE: &'static str = "float32";

    #[inline(always)]
    fn splat(x: f32) -> f32x8 {
        f32x8::splat(x)
    }
    #[inline(always)]
    fn load(s: &[f32]) -> f32x8 {
        f32x8::from_slice(s)
    }
    #[inline(always)]
    fn load_partial(s: &[f32]) -> f32x8 {
        let mut a = [0.0f32; 8];
        a[..s.len()].copy_from_slice(s);
        f32x8::new(a)
    }
    #[inline(always)]
    fn store(v: f32x8, out: &mut [f32]) {
        let n = out.len().min(8);
        out[..n].copy_from_slice(&v.to_array()[..n]);
    }
    #[inline(always)]
    fn vmul_add(a: f32x8, b: f32x8, c: f32x8) -> f32x8 {
        a.mul_add(b, c)
    }
    #[inline(always)]
    fn reduce_add(v: f32x8) -> f32 {
        v.reduce_add()
    }
    #[inline(always)]
    fn vmin(a: f32x8, b: f32x8) -> f32x8 {
        a.fast_min(b)
    }
    #[inline(always)]
    fn vmax(a: f32x8, b: f32x8) -> f32x8 {
        a.fast_max(b)
    }
    #[inline(always)]
    fn any_nan(v: f32x8) -> bool {
        v.is_nan().any()
    }
    #[inline(always)]
    fn widen8(chunk: &[f32]) -> (f64x4, f64x4) {
        let c: &[f32; 8] = chunk[..8].try_into().expect("widen8 needs 8 elements");
        widen8_f32(c)
    }
    #[inline(always)]
    fn of_f64(x: f64) -> f32 {
        x as f32
    }
}

impl Element for f64 {
    type V = f64x4;
    const LANES: usize = 4;
    const DTYPE: &'static str = "float64";

    #[inline(always)]
    fn splat(x: f64) -> f64x4 {
        f64x4::splat(x)
    }
    #[inline(always)]
    fn load(s: &[f64]) -> f64x4 {
        f64x4::from_slice(s)
    }
    #[inline(always)]
    fn load_partial(s: &[f64]) -> f64x4 {
        let mut a = [0.0f64; 4];
        a[..s.len()].copy_from_slice(s);
        f64x4::new(a)
    }
    #[inline(always)]
    fn store(v: f64x4, out: &mut [f64]) {
        let n = out.len().min(4);
        out[..n].copy_from_slice(&v.to_array()[..n]);
    }
    #[inline(always)]
    fn vmul_add(a: f64x4, b: f64x4, c: f64x4) -> f64x4 {
        a.mul_add(b, c)
    }
    #[inline(always)]
    fn reduce_add(v: f64x4) -> f64 {
        v.reduce_add()
    }
    #[inline(always)]
    fn vmin(a: f64x4, b: f64x4) -> f64x4 {
        a.fast_min(b)
    }
    #[inline(always)]
    fn vmax(a: f64x4, b: f64x4) -> f64x4 {
        a.fast_max(b)
    }
    #[inline(always)]
    fn any_nan(v: f64x4) -> bool {
        v.is_nan().any()
    }
    #[inline(always)]
    fn widen8(chunk: &[f64]) -> (f64x4, f64x4) {
        (Self::load(&chunk[..4]), Self::load(&chunk[4..8]))
    }
    #[inline(always)]
    fn of_f64(x: f64) -> f64 {
        x
    }
}

/// f32 -> f64 widening of eight lanes: a lane loop that compiles to `vcvtps2pd` in an AVX
/// kernel copy and to two `cvtps2pd` at the SSE2 baseline.
#[inline(always)]
fn widen8_f32(c: &[f32; 8]) -> (f64x4, f64x4) {
    (
        f64x4::new(std::array::from_fn(|i| c[i] as f64)),
        f64x4::new(std::array::from_fn(|i| c[4 + i] as f64)),
    )
}

/// `x` as a slice of `U` when `T` and `U` are the same type (`None` otherwise): the safe way
/// for a generic kernel to reach a type-specific fast path.
///
/// ```
/// let x = [1.0f64, 2.0];
/// assert_eq!(ndkern_core::downcast_slice::<f64, f64>(&x), Some(&x[..]));
/// assert_eq!(ndkern_core::downcast_slice::<f64, f32>(&x), None);
/// ```
#[inline(always)]
pub fn downcast_slice<T: Element, U: Element>(x: &[T]) -> Option<&[U]> {
    (std::any::TypeId::of::<T>() == std::any::TypeId::of::<U>()).then(|| {
        // SAFETY: `T` and `U` are the same type, so the same layout, length and lifetime.
        unsafe { std::slice::from_raw_parts(x.as_ptr().cast::<U>(), x.len()) }
    })
}

/// The mutable twin of [`downcast_slice`].
///
/// ```
/// let mut x = [1.0f32, 2.0];
/// ndkern_core::downcast_slice_mut::<f32, f32>(&mut x).unwrap()[0] = 5.0;
/// assert_eq!(x[0], 5.0);
/// ```
#[inline(always)]
pub fn downcast_slice_mut<T: Element, U: Element>(x: &mut [T]) -> Option<&mut [U]> {
    (std::any::TypeId::of::<T>() == std::any::TypeId::of::<U>()).then(|| {
        // SAFETY: as in `downcast_slice`; the borrow of `x` is moved into the result.
        unsafe { std::slice::from_raw_parts_mut(x.as_mut_ptr().cast::<U>(), x.len()) }
    })
}
