//! Border modes: how a line is extended past its ends (scipy.ndimage meanings).
//!
//! One enum serves the whole workspace. For a line `a b c d`:
//!
//! | mode | extension |
//! |---|---|
//! | `Constant(k)` | `k k k \| a b c d \| k k k` |
//! | `Nearest` | `a a a \| a b c d \| d d d` |
//! | `Reflect` | `c b a \| a b c d \| d c b` (half-sample symmetric, numpy `symmetric`) |
//! | `Mirror` | `d c b \| a b c d \| c b a` (whole-sample symmetric, numpy `reflect`) |
//! | `Wrap` | `b c d \| a b c d \| a b c` (periodic) |
//!
//! Padding may be longer than the line: the extension simply continues periodically
//! (reflect has period `2n`, mirror `2n - 2`, wrap `n`), which is what scipy computes. A
//! one-element line mirrors to itself.
//!
//! ```
//! use ndkern_core::BorderMode;
//! let line = [1.0, 2.0, 3.0, 4.0];
//! let mut out = [0.0; 10];
//! ndkern_core::extend_line(&line, 3, 3, BorderMode::Mirror, &mut out).unwrap();
//! assert_eq!(out, [4.0, 3.0, 2.0, 1.0, 2.0, 3.0, 4.0, 3.0, 2.0, 1.0]);
//! ```

use std::str::FromStr;

use crate::element::Element;
use crate::error::{Error, Result};

/// How values outside an array are defined (scipy.ndimage `mode`).
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum BorderMode {
    /// Every outside value is the constant (scipy `constant` with `cval`).
    Constant(f64),
    /// The nearest edge value repeats (scipy `nearest`).
    Nearest,
    /// Half-sample symmetric: the edge value is repeated once (scipy `reflect`, the default).
    #[default]
    Reflect,
    /// Whole-sample symmetric about the edge value (scipy `mirror`).
    Mirror,
    /// Periodic (scipy `wrap`).
    Wrap,
}

impl BorderMode {
    /// Parses a scipy mode name (`"constant"`, `"nearest"`, `"reflect"`, `"mirror"`, `"wrap"`;
    /// also scipy's aliases `"grid-constant"`, `"grid-mirror"` and `"grid-wrap"`), with `cval` for
    /// the constant mode.
    pub fn from_scipy(name: &str, cval: f64) -> Result<Self> {
        Ok(match name {
            "constant" | "grid-constant" => BorderMode::Constant(cval),
            "nearest" => BorderMode::Nearest,
            "reflect" | "grid-mirror" => BorderMode::Reflect,
            "mirror" => BorderMode::Mirror,
            "wrap" | "grid-wrap" => BorderMode::Wrap,
            other => {
                return Err(Error::InvalidParameter {
                    name: "mode",
                    reason: format!(
                        "unknown border mode {other:?}; use one of constant, nearest, \
                         reflect, mirror, wrap"
                    ),
                })
            }
        })
    }

    /// Where sample `i` (any integer, negative before the start) of the extended line comes
    /// from in a line of `n` samples; `None` means the constant value (and is the answer for
    /// every mode when `n == 0`: there is no sample to copy).
    ///
    /// ```
    /// use ndkern_core::BorderMode;
    /// assert_eq!(BorderMode::Reflect.source_index(-1, 4), Some(0));
    /// assert_eq!(BorderMode::Mirror.source_index(-1, 4), Some(1));
    /// assert_eq!(BorderMode::Wrap.source_index(isize::MIN, 3), Some(1));
    /// assert_eq!(BorderMode::Nearest.source_index(5, 0), None);
    /// ```
    #[inline]
    pub fn source_index(self, i: isize, n: usize) -> Option<usize> {
        if (0..n as i128).contains(&(i as i128)) {
            return Some(i as usize);
        }
        if n == 0 {
            return None;
        }
        // i128: `2 * n` and `i + ...` cannot overflow for any isize/usize input.
        let (i, n_i) = (i as i128, n as i128);
        let src = match self {
            BorderMode::Constant(_) => return None,
            BorderMode::Nearest => i.clamp(0, n_i - 1),
            BorderMode::Reflect => {
                let m = i.rem_euclid(2 * n_i);
                if m < n_i {
                    m
                } else {
                    2 * n_i - 1 - m
                }
            }
            BorderMode::Mirror => {
                if n == 1 {
                    return Some(0);
                }
                let p = 2 * n_i - 2;
                let m = i.rem_euclid(p);
                if m < n_i {
                    m
                } else {
                    p - m
                }
            }
            BorderMode::Wrap => i.rem_euclid(n_i),
        };
        Some(src as usize)
    }
}

impl FromStr for BorderMode {
    type Err = Error;
    /// Parses a scipy mode name; `constant` gets `cval = 0`.
    fn from_str(s: &str) -> Result<Self> {
        BorderMode::from_scipy(s, 0.0)
    }
}

/// Writes `before` extension samples, the line, and `after` extension samples into `out`
/// (`out.len() == before + line.len() + after`). An empty line extends to the constant (or to
/// zero for the modes that need a sample to copy).
pub fn extend_line<T: Element>(
    line: &[T],
    before: usize,
    after: usize,
    mode: BorderMode,
    out: &mut [T],
) -> Result<()> {
    let n = line.len();
    let total = before
        .checked_add(n)
        .and_then(|t| t.checked_add(after))
        .ok_or(Error::TooLarge {
            what: "the extended line (before + line + after)",
            bytes: None,
            limit: crate::memory_limit(),
        })?;
    if out.len() != total {
        return Err(Error::ShapeMismatch {
            expected: vec![total],
            got: vec![out.len()],
        });
    }
    out[before..before + n].copy_from_slice(line);
    let fill = match mode {
        BorderMode::Constant(c) => T::of_f64(c),
        _ => T::zero(),
    };
    if n == 0 {
        out.iter_mut().for_each(|o| *o = fill);
        return Ok(());
    }
    let mut write = |k: usize| {
        let i = k as isize - before as isize;
        out[k] = match mode.source_index(i, n) {
            Some(src) => line[src],
            None => fill,
        };
    };
    (0..before).for_each(&mut write);
    (before + n..total).for_each(&mut write);
    Ok(())
}
