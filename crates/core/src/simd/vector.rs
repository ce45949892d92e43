//! Portable SIMD vectors whose instruction set is the dispatched level, not the build's.
//!
//! `f32x8`, `f64x4` and `f64x8` hold a vector value (`std::arch`'s `__m256d` and friends on
//! x86-64, used as storage only) whose operations are lane loops marked `#[inline(always)]`. LLVM turns each loop into one vector instruction of the
//! function it is inlined into: 256-bit `vaddpd`/`vfmadd231pd` inside an AVX2+FMA kernel
//! compiled by [`crate::multiversion!`], 512-bit inside an AVX-512 one, two SSE2 halves in
//! the baseline copy. That is the point of the type: `wide` fixes the instruction set when
//! the crate is compiled, so a default build (what a dependent crate or a Python wheel gets)
//! ran SSE2 everywhere and was 1.2-3x slower than `-C target-cpu=native` on AVX2
//! (BENCHMARKS.md, "default vs native").
//!
//! Semantics are fixed and do not depend on the level:
//! * [`f64x4::mul_add`] is always fused (one rounding), as `f64::mul_add` is. On a CPU
//!   without FMA (the baseline level only) it becomes a call to the C library's `fma`.
//! * `min`/`max` ignore a NaN in one operand (`f64::min`); `fast_min`/`fast_max` are the
//!   x86 `minpd`/`maxpd` rule, `if a < b { a } else { b }`, which returns `b` when either
//!   is NaN.
//! * Comparisons return a mask vector (all bits set in true lanes) that combines with
//!   `&`, `|`, `!` and selects with [`f64x4::blend`].
//!
//! Transcendentals on vectors (`acos`, `cos`, `sin`) delegate to `wide`'s polynomial
//! versions, so results are the ones earlier releases computed.
//!
//! ```
//! use ndkern_core::f64x4;
//! let a = f64x4::new([1.0, 2.0, 3.0, 4.0]);
//! let b = a.mul_add(f64x4::splat(2.0), f64x4::splat(1.0));
//! assert_eq!(b.to_array(), [3.0, 5.0, 7.0, 9.0]);
//! assert_eq!(b.reduce_add(), 24.0);
//! assert!(a.simd_gt(f64x4::splat(2.5)).any());
//! ```

#![allow(non_camel_case_types)]

use std::ops::{
    Add, AddAssign, BitAnd, BitOr, BitXor, Div, DivAssign, Mul, MulAssign, Neg, Not, Sub, SubAssign,
};

macro_rules! portable_vector {
    ($(#[$doc:meta])* $name:ident, $t:ty, $bits:ty, $n:literal, $x86:ident, $align:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy)]
        #[repr(transparent)]
        pub struct $name(storage::$x86);

        impl Default for $name {
            #[inline(always)]
            fn default() -> Self {
                Self::splat(0.0)
            }
        }

        impl From<[$t; $n]> for $name {
            #[inline(always)]
            fn from(a: [$t; $n]) -> Self {
                Self::new(a)
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.to_array())
            }
        }

        impl PartialEq for $name {
            #[inline]
            fn eq(&self, o: &Self) -> bool {
                self.to_array() == o.to_array()
            }
        }

        impl $name {
            /// Number of lanes.
            pub const LANES: usize = $n;

            /// The vector of these lanes.
            #[inline(always)]
            pub fn new(a: [$t; $n]) -> Self {
                // SAFETY: the storage is `$n` lanes of `$t` (a SIMD vector type or an
                // array of the same size), plain old data either way.
                Self(unsafe { std::mem::transmute::<[$t; $n], storage::$x86>(a) })
            }
            /// Every lane equal to `x`.
            #[inline(always)]
            pub fn splat(x: $t) -> Self {
                Self::new([x; $n])
            }
            /// The lanes as an array.
            #[inline(always)]
            pub fn to_array(self) -> [$t; $n] {
                // SAFETY: as in `new`, the same bits reinterpreted.
                unsafe { std::mem::transmute::<storage::$x86, [$t; $n]>(self.0) }
            }
            /// The lanes as a borrowed array.
            #[inline(always)]
            pub fn as_array_ref(&self) -> &[$t; $n] {
                // SAFETY: same size, and the storage's alignment is at least the array's.
                unsafe { &*(self as *const Self).cast::<[$t; $n]>() }
            }
            /// Loads the first `LANES` elements of `s` (panics if `s` is shorter).
            #[inline(always)]
            pub fn from_slice(s: &[$t]) -> Self {
                let a: &[$t; $n] = s[..$n].try_into().expect("slice shorter than the vector");
                Self::new(*a)
            }
            #[inline(always)]
            fn map(self, f: impl Fn($t) -> $t) -> Self {
                Self::new(self.to_array().map(f))
            }
            #[inline(always)]
            fn zip(self, o: Self, f: impl Fn($t, $t) -> $t) -> Self {
                let (a, b) = (self.to_array(), o.to_array());
                Self::new(std::array::from_fn(|i| f(a[i], b[i])))
            }
            #[inline(always)]
            fn mask(self, o: Self, f: impl Fn($t, $t) -> bool) -> Self {
                let (a, b) = (self.to_array(), o.to_array());
                Self::new(std::array::from_fn(|i| {
                    <$t>::from_bits(if f(a[i], b[i]) { !0 } else { 0 })
                }))
            }
            #[inline(always)]
            fn bits(self, o: Self, f: impl Fn($bits, $bits) -> $bits) -> Self {
                let (a, b) = (self.to_bits(), o.to_bits());
                Self::from_bits(std::array::from_fn(|i| f(a[i], b[i])))
            }
            /// The raw bits of each lane.
            #[inline(always)]
            pub fn to_bits(self) -> [$bits; $n] {
                // SAFETY: as in `to_array`; every bit pattern is a valid integer.
                unsafe { std::mem::transmute::<storage::$x86, [$bits; $n]>(self.0) }
            }
            /// The vector whose lanes have these raw bits.
            #[inline(always)]
            pub fn from_bits(b: [$bits; $n]) -> Self {
                // SAFETY: every bit pattern is a valid float lane.
                Self(unsafe { std::mem::transmute::<[$bits; $n], storage::$x86>(b) })
            }

            /// `self * a + b` with one rounding.
            #[inline(always)]
            pub fn mul_add(self, a: Self, b: Self) -> Self {
                let (x, y, z) = (self.to_array(), a.to_array(), b.to_array());
                Self::new(std::array::from_fn(|i| x[i].mul_add(y[i], z[i])))
            }
            /// `b - self * a` with one rounding.
            #[inline(always)]
            pub fn mul_neg_add(self, a: Self, b: Self) -> Self {
                (-self).mul_add(a, b)
            }
            /// `self * a - b` with one rounding.
            #[inline(always)]
            pub fn mul_sub(self, a: Self, b: Self) -> Self {
                self.mul_add(a, -b)
            }
            /// Sum of the lanes, pairwise (lane order fixed, so the result is the same at
            /// every level).
            #[inline(always)]
            pub fn reduce_add(self) -> $t {
                let mut a = self.to_array();
                let mut w = $n / 2;
                while w > 0 {
                    for i in 0..w {
                        a[i] += a[i + w];
                    }
                    w /= 2;
                }
                a[0]
            }
            /// Largest lane (NaN lanes ignored unless all are NaN).
            #[inline(always)]
            pub fn reduce_max(self) -> $t {
                self.to_array().into_iter().fold(<$t>::NAN, <$t>::max)
            }
            /// Smallest lane (NaN lanes ignored unless all are NaN).
            #[inline(always)]
            pub fn reduce_min(self) -> $t {
                self.to_array().into_iter().fold(<$t>::NAN, <$t>::min)
            }
            /// Lane-wise minimum; a NaN in one operand yields the other (`f64::min`).
            #[inline(always)]
            pub fn min(self, o: Self) -> Self {
                self.zip(o, <$t>::min)
            }
            /// Lane-wise maximum; a NaN in one operand yields the other (`f64::max`).
            #[inline(always)]
            pub fn max(self, o: Self) -> Self {
                self.zip(o, <$t>::max)
            }
            /// `minpd`: `if a < b { a } else { b }` (returns `b` when either is NaN).
            #[inline(always)]
            pub fn fast_min(self, o: Self) -> Self {
                self.zip(o, |a, b| if a < b { a } else { b })
            }
            /// `maxpd`: `if a > b { a } else { b }` (returns `b` when either is NaN).
            #[inline(always)]
            pub fn fast_max(self, o: Self) -> Self {
                self.zip(o, |a, b| if a > b { a } else { b })
            }
            /// Lane-wise square root.
            #[inline(always)]
            pub fn sqrt(self) -> Self {
                self.map(<$t>::sqrt)
            }
            /// Lane-wise absolute value.
            #[inline(always)]
            pub fn abs(self) -> Self {
                self.map(<$t>::abs)
            }
            /// Lane-wise floor.
            #[inline(always)]
            pub fn floor(self) -> Self {
                self.map(<$t>::floor)
            }
            /// Lane-wise ceiling.
            #[inline(always)]
            pub fn ceil(self) -> Self {
                self.map(<$t>::ceil)
            }
            /// Lane-wise rounding to nearest, ties to even (`roundpd`'s default mode).
            #[inline(always)]
            pub fn round(self) -> Self {
                self.map(<$t>::round_ties_even)
            }
            /// Lane-wise reciprocal `1 / x` (exact division).
            #[inline(always)]
            pub fn recip(self) -> Self {
                self.map(|x| 1.0 / x)
            }
            /// Mask of `self == o`.
            #[inline(always)]
            pub fn simd_eq(self, o: Self) -> Self {
                self.mask(o, |a, b| a == b)
            }
            /// Mask of `self != o` (true for NaN).
            #[inline(always)]
            pub fn simd_ne(self, o: Self) -> Self {
                self.mask(o, |a, b| a != b)
            }
            /// Mask of `self < o`.
            #[inline(always)]
            pub fn simd_lt(self, o: Self) -> Self {
                self.mask(o, |a, b| a < b)
            }
            /// Mask of `self <= o`.
            #[inline(always)]
            pub fn simd_le(self, o: Self) -> Self {
                self.mask(o, |a, b| a <= b)
            }
            /// Mask of `self > o`.
            #[inline(always)]
            pub fn simd_gt(self, o: Self) -> Self {
                self.mask(o, |a, b| a > b)
            }
            /// Mask of `self >= o`.
            #[inline(always)]
            pub fn simd_ge(self, o: Self) -> Self {
                self.mask(o, |a, b| a >= b)
            }
            /// Mask of NaN lanes.
            #[inline(always)]
            pub fn is_nan(self) -> Self {
                self.mask(self, |a, b| a != b)
            }
            /// Mask of finite lanes.
            #[inline(always)]
            pub fn is_finite(self) -> Self {
                self.mask(self, |a, _| a.is_finite())
            }
            /// Mask of infinite lanes.
            #[inline(always)]
            pub fn is_inf(self) -> Self {
                self.mask(self, |a, _| a.is_infinite())
            }
            /// True when the sign bit of any lane is set (a mask lane is true).
            #[inline(always)]
            pub fn any(self) -> bool {
                self.to_bits().into_iter().fold(0, |m, x| m | x) >> (<$bits>::BITS - 1) != 0
            }
            /// True when the sign bit of every lane is set.
            #[inline(always)]
            pub fn all(self) -> bool {
                self.to_bits().into_iter().fold(!0, |m, x| m & x) >> (<$bits>::BITS - 1) != 0
            }
            /// True when no lane's sign bit is set.
            #[inline(always)]
            pub fn none(self) -> bool {
                !self.any()
            }
            /// For a mask `self`: `t` in lanes whose sign bit is set, `f` elsewhere
            /// (`blendv`).
            #[inline(always)]
            pub fn select(self, t: Self, f: Self) -> Self {
                let (m, t, f) = (self.to_bits(), t.to_array(), f.to_array());
                Self::new(std::array::from_fn(|i| {
                    if m[i] >> (<$bits>::BITS - 1) != 0 { t[i] } else { f[i] }
                }))
            }
            /// Same as [`Self::select`] (`wide`'s older name).
            #[inline(always)]
            pub fn blend(self, t: Self, f: Self) -> Self {
                self.select(t, f)
            }
            /// Bit `i` set when lane `i`'s sign bit is set (`movmskpd`).
            #[inline(always)]
            pub fn to_bitmask(self) -> u32 {
                let b = self.to_bits();
                let mut m = 0;
                for (i, x) in b.into_iter().enumerate() {
                    m |= ((x >> (<$bits>::BITS - 1)) as u32) << i;
                }
                m
            }
        }

        impl Add for $name {
            type Output = Self;
            #[inline(always)]
            fn add(self, o: Self) -> Self {
                self.zip(o, |a, b| a + b)
            }
        }
        impl Sub for $name {
            type Output = Self;
            #[inline(always)]
            fn sub(self, o: Self) -> Self {
                self.zip(o, |a, b| a - b)
            }
        }
        impl Mul for $name {
            type Output = Self;
            #[inline(always)]
            fn mul(self, o: Self) -> Self {
                self.zip(o, |a, b| a * b)
            }
        }
        impl Div for $name {
            type Output = Self;
            #[inline(always)]
            fn div(self, o: Self) -> Self {
                self.zip(o, |a, b| a / b)
            }
        }
        impl Add<$t> for $name {
            type Output = Self;
            #[inline(always)]
            fn add(self, o: $t) -> Self {
                self + Self::splat(o)
            }
        }
        impl Sub<$t> for $name {
            type Output = Self;
            #[inline(always)]
            fn sub(self, o: $t) -> Self {
                self - Self::splat(o)
            }
        }
        impl Mul<$t> for $name {
            type Output = Self;
            #[inline(always)]
            fn mul(self, o: $t) -> Self {
                self * Self::splat(o)
            }
        }
        impl Div<$t> for $name {
            type Output = Self;
            #[inline(always)]
            fn div(self, o: $t) -> Self {
                self / Self::splat(o)
            }
        }
        impl Neg for $name {
            type Output = Self;
            #[inline(always)]
            fn neg(self) -> Self {
                self.map(|a| -a)
            }
        }
        impl AddAssign for $name {
            #[inline(always)]
            fn add_assign(&mut self, o: Self) {
                *self = *self + o;
            }
        }
        impl SubAssign for $name {
            #[inline(always)]
            fn sub_assign(&mut self, o: Self) {
                *self = *self - o;
            }
        }
        impl MulAssign for $name {
            #[inline(always)]
            fn mul_assign(&mut self, o: Self) {
                *self = *self * o;
            }
        }
        impl DivAssign for $name {
            #[inline(always)]
            fn div_assign(&mut self, o: Self) {
                *self = *self / o;
            }
        }
        impl BitAnd for $name {
            type Output = Self;
            #[inline(always)]
            fn bitand(self, o: Self) -> Self {
                self.bits(o, |a, b| a & b)
            }
        }
        impl BitOr for $name {
            type Output = Self;
            #[inline(always)]
            fn bitor(self, o: Self) -> Self {
                self.bits(o, |a, b| a | b)
            }
        }
        impl BitXor for $name {
            type Output = Self;
            #[inline(always)]
            fn bitxor(self, o: Self) -> Self {
                self.bits(o, |a, b| a ^ b)
            }
        }
        impl Not for $name {
            type Output = Self;
            #[inline(always)]
            fn not(self) -> Self {
                self.bits(self, |a, _| !a)
            }
        }
    };
}

/// The storage of each vector. On x86-64 it is the `std::arch` vector type of that width, so
/// LLVM keeps one vector value (`<4 x double>`) through loops and phis and lowers each lane
/// loop of an operation to one instruction of the enclosing function's level (an array
/// storage left accumulators split into odd scalar/pair pieces by the SLP vectorizer). The
/// type itself needs no CPU feature: at the SSE2 baseline it is legalised into 128-bit halves.
/// Elsewhere, an aligned array.
mod storage {
    #[cfg(target_arch = "x86_64")]
    pub use std::arch::x86_64::{__m256 as F32x8, __m256d as F64x4, __m512d as F64x8};

    #[cfg(not(target_arch = "x86_64"))]
    mod arrays {
        #[derive(Clone, Copy)]
        #[repr(C, align(32))]
        pub struct F32x8([f32; 8]);
        #[derive(Clone, Copy)]
        #[repr(C, align(32))]
        pub struct F64x4([f64; 4]);
        #[derive(Clone, Copy)]
        #[repr(C, align(64))]
        pub struct F64x8([f64; 8]);
    }
    #[cfg(not(target_arch = "x86_64"))]
    pub use arrays::{F32x8, F64x4, F64x8};
}

portable_vector!(
    /// Eight `f32` lanes (one AVX register).
    f32x8, f32, u32, 8, F32x8, 32
);
portable_vector!(
    /// Four `f64` lanes (one AVX register).
    f64x4, f64, u64, 4, F64x4, 32
);
portable_vector!(
    /// Eight `f64` lanes (one AVX-512 register, two AVX ones).
    f64x8, f64, u64, 8, F64x8, 64
);

impl f64x4 {
    /// Lane-wise arc cosine (`wide`'s polynomial, a few ulp).
    #[inline(always)]
    pub fn acos(self) -> Self {
        Self::new(wide::f64x4::new(self.to_array()).acos().to_array())
    }
    /// Lane-wise cosine (`wide`'s polynomial, a few ulp).
    #[inline(always)]
    pub fn cos(self) -> Self {
        Self::new(wide::f64x4::new(self.to_array()).cos().to_array())
    }
    /// The 4x4 transpose of four rows.
    #[inline(always)]
    pub fn transpose(rows: [f64x4; 4]) -> [f64x4; 4] {
        let a = rows.map(f64x4::to_array);
        std::array::from_fn(|c| f64x4::new(std::array::from_fn(|r| a[r][c])))
    }
    /// Lane-wise sine and cosine (`wide`'s polynomials, a few ulp).
    #[inline(always)]
    pub fn sin_cos(self) -> (Self, Self) {
        let (s, c) = wide::f64x4::new(self.to_array()).sin_cos();
        (Self::new(s.to_array()), Self::new(c.to_array()))
    }
    /// Lane-wise sine (`wide`'s polynomial, a few ulp).
    #[inline(always)]
    pub fn sin(self) -> Self {
        Self::new(wide::f64x4::new(self.to_array()).sin().to_array())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lane_semantics_on_special_values() {
        let nan = f64::NAN;
        let a = f64x4::new([1.0, nan, -0.0, f64::INFINITY]);
        let b = f64x4::new([2.0, 3.0, nan, 1.0]);
        // min/max ignore one NaN; fast_* return the second operand.
        assert_eq!(a.min(b).to_array()[1], 3.0);
        assert_eq!(a.max(b).to_array()[2], -0.0);
        assert!(a.fast_min(b).to_array()[2].is_nan());
        assert_eq!(a.fast_max(b).to_array()[1], 3.0);
        assert_eq!(a.is_nan().to_bits(), [0, !0, 0, 0]);
        assert_eq!(a.is_finite().to_bits(), [!0, 0, !0, 0]);
        assert!(a.is_nan().any() && !a.is_nan().all() && !f64x4::splat(1.0).is_nan().any());
        let m = a.simd_lt(b);
        assert_eq!(m.blend(a, b).to_array()[0], 1.0);
        assert!(m.blend(a, b).to_array()[1] == 3.0);
        // Fused: (1 + 2^-30)^2 - 1 keeps the 2^-60 term only with one rounding.
        let e = 1.0 + 2f64.powi(-30);
        let r = f64x4::splat(e).mul_add(f64x4::splat(e), f64x4::splat(-1.0));
        assert_eq!(r.to_array()[0], e.mul_add(e, -1.0));
        assert_eq!(
            f64x4::new([0.5, 1.5, 2.5, -0.5]).round().to_array(),
            [0.0, 2.0, 2.0, -0.0]
        );
        let x = f32x8::new([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]);
        assert_eq!(x.reduce_add(), 36.0);
        assert_eq!(f64x8::splat(0.25).reduce_add(), 2.0);
        assert_eq!(x.reduce_max(), 8.0);
    }

    #[test]
    fn transcendentals_match_libm() {
        for x in [-1.0, -0.3, 0.0, 0.2, 0.999] {
            let v = f64x4::splat(x);
            assert!((v.acos().to_array()[0] - x.acos()).abs() < 1e-14);
            assert!((v.cos().to_array()[0] - x.cos()).abs() < 1e-14);
            assert!((v.sin().to_array()[0] - x.sin()).abs() < 1e-14);
        }
    }
}
