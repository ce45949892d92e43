//! Sliding-window sums of any width, O(1) per sample, exact to `f64` rounding on any length.
//!
//! `window_sum(x, w)` is the sum of every run of `w` consecutive elements (the "valid" windows,
//! `x.len() - w + 1` of them). It is the engine of uniform/box filters, local means and
//! variances and rolling statistics, so it has to be both fast and trustworthy:
//!
//! * **O(1) per sample**: a running sum adds the entering and subtracts the leaving element.
//! * **No drift**: the running sum is kept in compensated `f64` (f32 input is widened) and is
//!   re-anchored (recomputed by a pairwise sum of the current window) every `max(w, 1024)`
//!   outputs, so the error is bounded by what accumulates between two anchors — a few `f64`
//!   roundings of the window's magnitude — independent of line length.
//!   The extra work is at most one window sum per `max(w, 1024)` outputs: under 2x, usually ~0.
//! * **NaN and inf stay local**: non-finite values are counted, not added, so a NaN poisons
//!   exactly the windows that contain it, never the rest of the line (scipy issue 7818 shows
//!   one NaN spreading to the end of the line through a naive running sum).
//! * **Overflow stays local too**: when finite values overflow to inf inside a window
//!   (`1e308 + 1e308`), that window and the next `w` are summed directly (scaled where the
//!   partial sums overflow) before the running sum restarts, so the windows after the
//!   overflow get their own finite sums, as numpy's direct sums do.
//!
//! ```
//! let x = [1.0f64, 2.0, f64::NAN, 4.0, 5.0, 6.0];
//! let mut out = [0.0; 4];
//! ndkern_core::window_sum(&x, 3, &mut out).unwrap();
//! assert!(out[0].is_nan() && out[1].is_nan() && out[2].is_nan());
//! assert_eq!(out[3], 15.0);
//! ```

use crate::element::Element;
use crate::error::{Error, Result};
use crate::prefix::CompensatedSum;
use crate::sum::sum;

/// Outputs between two re-anchorings of the running sum (at least the window width).
pub const ANCHOR_EVERY: usize = 1024;

/// Counts of the non-finite values inside the current window.
#[derive(Default, Clone, Copy)]
struct NonFinite {
    nan: usize,
    pos_inf: usize,
    neg_inf: usize,
}

impl NonFinite {
    #[inline(always)]
    fn update(&mut self, v: f64, delta: isize) {
        let slot = if v.is_nan() {
            &mut self.nan
        } else if v > 0.0 {
            &mut self.pos_inf
        } else {
            &mut self.neg_inf
        };
        *slot = slot.wrapping_add_signed(delta);
    }
    /// The IEEE sum of the window given its finite part.
    #[inline(always)]
    fn resolve(&self, finite_sum: f64) -> f64 {
        if self.nan > 0 || (self.pos_inf > 0 && self.neg_inf > 0) {
            f64::NAN
        } else if self.pos_inf > 0 {
            f64::INFINITY
        } else if self.neg_inf > 0 {
            f64::NEG_INFINITY
        } else {
            finite_sum
        }
    }
}

/// Exact-as-possible sum of the finite part of `x`, and the counts of its non-finite values.
/// When the finite values overflow on the way (`[1e308, 1e308, -1e308]`), they are summed
/// scaled down, so only a sum that is itself out of range becomes inf.
fn anchor<T: Element>(x: &[T]) -> (f64, NonFinite) {
    let s = sum(x);
    if s.is_finite() {
        return (s, NonFinite::default());
    }
    let mut nf = NonFinite::default();
    let mut finite = Vec::with_capacity(x.len());
    for &v in x {
        let v = v.as_f64();
        if v.is_finite() {
            finite.push(v);
        } else {
            nf.update(v, 1);
        }
    }
    let mut s = sum(&finite);
    if !s.is_finite() {
        const DOWN: f64 = 1.0 / 1024.0;
        finite.iter_mut().for_each(|v| *v *= DOWN);
        s = sum(&finite) * 1024.0;
    }
    (s, nf)
}

/// `out[i] = x[i] + ... + x[i + w - 1]` for every valid window; `out.len()` must be
/// `x.len() - w + 1` (zero when `w > x.len()`). Accumulated in `f64`, rounded once to `T`.
pub fn window_sum<T: Element>(x: &[T], w: usize, out: &mut [T]) -> Result<()> {
    window_sum_map(x, w, out, |s| s)
}

/// [`window_sum`] with a final map applied to each `f64` window sum before rounding to `T`
/// (`|s| s / w as f64` gives a moving average with a single rounding).
pub fn window_sum_map<T: Element>(
    x: &[T],
    w: usize,
    out: &mut [T],
    finish: impl Fn(f64) -> f64,
) -> Result<()> {
    if w == 0 {
        return Err(Error::InvalidParameter {
            name: "w",
            reason: "the window width must be at least 1".into(),
        });
    }
    let n_out = (x.len() + 1).saturating_sub(w);
    if out.len() != n_out {
        return Err(Error::ShapeMismatch {
            expected: vec![n_out],
            got: vec![out.len()],
        });
    }
    let every = ANCHOR_EVERY.max(w);
    // After an overflow, windows up to here are summed directly: the huge values that
    // overflowed would otherwise leave rounding error of their size in the running sum.
    let mut direct_until = 0;
    let mut i = 0;
    'segments: while i < n_out {
        // One anchored segment: exact start, then O(1) updates.
        let (s0, mut nf) = anchor(&x[i..i + w]);
        let mut s = CompensatedSum::new();
        s.add(s0);
        out[i] = T::of_f64(finish(nf.resolve(s0)));
        if !s0.is_finite() {
            // The window's finite values overflow: no running sum can start from here.
            direct_until = i + w;
        }
        if i < direct_until {
            i += 1;
            continue;
        }
        let end = (i + every).min(n_out);
        for j in i + 1..end {
            let leave = x[j - 1].as_f64();
            let enter = x[j + w - 1].as_f64();
            if leave.is_finite() {
                s.add(-leave);
            } else {
                nf.update(leave, -1);
            }
            if enter.is_finite() {
                s.add(enter);
            } else {
                nf.update(enter, 1);
            }
            let v = s.value();
            if !v.is_finite() {
                // The finite values overflowed: a running sum holding inf would poison every
                // window up to the next anchor, so this window and the next `w` are summed
                // afresh instead.
                direct_until = j + w;
                i = j;
                continue 'segments;
            }
            out[j] = T::of_f64(finish(nf.resolve(v)));
        }
        i = end;
    }
    Ok(())
}
