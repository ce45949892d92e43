//! Prefix sums (numpy `cumsum`) with a compensated `f64` accumulator.
//!
//! A cumulative sum is inherently sequential, so this kernel is scalar; what it adds over
//! numpy is accuracy: the running total is kept in `f64` with Neumaier compensation, so the
//! error of every prefix stays near one rounding of the exact value instead of growing with
//! the index (numpy's `cumsum` adds naively in the input type).
//!
//! ```
//! let mut out = [0.0f32; 4];
//! ndkern_core::prefix_sum(&[1.0f32, 2.0, 3.0, 4.0], &mut out).unwrap();
//! assert_eq!(out, [1.0, 3.0, 6.0, 10.0]);
//! ```

use crate::element::Element;
use crate::error::{Error, Result};

/// A Neumaier-compensated `f64` accumulator.
#[derive(Clone, Copy, Debug, Default)]
pub struct CompensatedSum {
    sum: f64,
    comp: f64,
}

impl CompensatedSum {
    /// A zero accumulator.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds `x`, keeping the rounding error of the addition in the compensation term.
    #[inline(always)]
    pub fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if !t.is_finite() {
            // inf/NaN: the compensation has no meaning; let IEEE rules decide the total.
            self.sum = t;
            return;
        }
        if self.sum.abs() >= x.abs() {
            self.comp += (self.sum - t) + x;
        } else {
            self.comp += (x - t) + self.sum;
        }
        self.sum = t;
    }
    /// The compensated total.
    #[inline(always)]
    pub fn value(&self) -> f64 {
        self.sum + self.comp
    }
}

/// `out[i] = x[0] + ... + x[i]`, accumulated in compensated `f64`.
pub fn prefix_sum<T: Element>(x: &[T], out: &mut [T]) -> Result<()> {
    if x.len() != out.len() {
        return Err(Error::ShapeMismatch {
            expected: vec![x.len()],
            got: vec![out.len()],
        });
    }
    let mut acc = CompensatedSum::new();
    for (&v, o) in x.iter().zip(out.iter_mut()) {
        acc.add(v.as_f64());
        *o = T::of_f64(acc.value());
    }
    Ok(())
}
