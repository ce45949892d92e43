//! Element-wise slice kernels: `scale`, `axpy`, and the "vertical" accumulators.
//!
//! The vertical accumulators add a whole row into a row of `f64` accumulators
//! (`acc[i] += x[i]`, `acc[i] += (x[i] - c[i])^2`, ...). They are how an outer axis is reduced
//! without transposing: OpenCV's `ColumnSum` keeps one running sum per column in vectors the
//! same way, and DESIGN.md section 3 asks for it ("vertical SIMD").
//!
//! ```
//! let x = [1.0f32, 2.0, 3.0];
//! let mut y = [10.0f32, 10.0, 10.0];
//! ndkern_core::axpy(2.0, &x, &mut y).unwrap();
//! assert_eq!(y, [12.0, 14.0, 16.0]);
//!
//! let mut acc = [0.0f64; 3];
//! ndkern_core::accumulate(&mut acc, &x).unwrap();
//! ndkern_core::accumulate(&mut acc, &x).unwrap();
//! assert_eq!(acc, [2.0, 4.0, 6.0]);
//! ```

use crate::element::{f64x4, Element};
use crate::error::{Error, Result};

#[inline(always)]
fn check_len(expected: usize, got: usize) -> Result<()> {
    if expected == got {
        Ok(())
    } else {
        Err(Error::ShapeMismatch {
            expected: vec![expected],
            got: vec![got],
        })
    }
}

crate::multiversion! {
    /// `out[i] = a * x[i]`. `Err` when the lengths differ.
    pub fn scale[T: Element](a: T, x: &[T], out: &mut [T]) -> Result<()> {
        check_len(x.len(), out.len())?;
        let av = T::splat(a);
        let mut xo = x.chunks_exact(T::LANES);
        let mut oo = out.chunks_exact_mut(T::LANES);
        for (c, o) in (&mut xo).zip(&mut oo) {
            T::store(av * T::load(c), o);
        }
        for (&v, o) in xo.remainder().iter().zip(oo.into_remainder()) {
            *o = a * v;
        }
        Ok(())
    }
}

crate::multiversion! {
    /// `y[i] += a * x[i]` (BLAS axpy; fused multiply-add where the target has FMA).
    pub fn axpy[T: Element](a: T, x: &[T], y: &mut [T]) -> Result<()> {
        check_len(x.len(), y.len())?;
        let av = T::splat(a);
        let mut xo = x.chunks_exact(T::LANES);
        let mut yo = y.chunks_exact_mut(T::LANES);
        for (c, o) in (&mut xo).zip(&mut yo) {
            let r = T::vmul_add(av, T::load(c), T::load(o));
            T::store(r, o);
        }
        for (&v, o) in xo.remainder().iter().zip(yo.into_remainder()) {
            *o = a.mul_add(v, *o);
        }
        Ok(())
    }
}

/// Vertical accumulation: `acc[i] += map(x[i], i)` in `f64`, eight elements per step.
#[inline(always)]
fn accumulate_map<T: Element>(
    acc: &mut [f64],
    x: &[T],
    map: impl Fn(f64x4, usize) -> f64x4,
    map_scalar: impl Fn(f64, usize) -> f64,
) -> Result<()> {
    check_len(acc.len(), x.len())?;
    let mut xo = x.chunks_exact(8);
    let mut ao = acc.chunks_exact_mut(8);
    let mut i = 0;
    for (c, a) in (&mut xo).zip(&mut ao) {
        let (v0, v1) = T::widen8(c);
        let a0 = <f64 as Element>::load(&a[..4]) + map(v0, i);
        let a1 = <f64 as Element>::load(&a[4..]) + map(v1, i + 4);
        <f64 as Element>::store(a0, &mut a[..4]);
        <f64 as Element>::store(a1, &mut a[4..]);
        i += 8;
    }
    for (&v, a) in xo.remainder().iter().zip(ao.into_remainder()) {
        *a += map_scalar(v.as_f64(), i);
        i += 1;
    }
    Ok(())
}

crate::multiversion! {
    /// `acc[i] += x[i]`, in `f64`.
    pub fn accumulate[T: Element](acc: &mut [f64], x: &[T]) -> Result<()> {
        accumulate_map(acc, x, |v, _| v, |v, _| v)
    }
}

crate::multiversion! {
    /// `acc[i] += x[i]^2`, in `f64`.
    pub fn accumulate_sq[T: Element](acc: &mut [f64], x: &[T]) -> Result<()> {
        accumulate_map(acc, x, |v, _| v * v, |v, _| v * v)
    }
}

crate::multiversion! {
    /// `acc[i] += (x[i] - center[i])^2`, in `f64` (second pass of a vertical variance).
    pub fn accumulate_dev_sq[T: Element](acc: &mut [f64], x: &[T], center: &[f64]) -> Result<()> {
        check_len(acc.len(), center.len())?;
        accumulate_map(
            acc,
            x,
            |v, i| {
                let d = v - <f64 as Element>::load(&center[i..i + 4]);
                d * d
            },
            |v, i| (v - center[i]) * (v - center[i]),
        )
    }
}
