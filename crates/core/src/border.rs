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
    /// from in a line of `n > 0` samples; `None` means the constant value.
    #[inline]
    pub fn source_index(self, i: isize, n: usize) -> Option<usize> {
        let n_i = n as isize;
        if (0..n_i).contains(&i) {
            return Some(i as usize);
        }
        match self {
            BorderMode::Constant(_) => None,
            BorderMode::Nearest => Some(i.clamp(0, n_i - 1) as usize),
            BorderMode::Reflect => {
                let m = i.rem_euclid(2 * n_i);
                Some(if m < n_i { m } else { 2 * n_i - 1 - m } as usize)
            }
            BorderMode::Mirror => {
                if n == 1 {
                    return Some(0);
                }
                let p = 2 * n_i - 2;
                let m = i.rem_euclid(p);
                Some(if m < n_i { m } else { p - m } as usize)
            }
            BorderMode::Wrap => Some(i.rem_euclid(n_i) as usize),
        }
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
    let total = before + n + after;
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
