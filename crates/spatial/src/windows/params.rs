//! Parameter handling shared by the window filters: per-axis broadcasting, origin checks, and
//! [`WindowMode`], the border option of window statistics (a [`BorderMode`] or `Shrink`).

use ndkern_core::{BorderMode, Error, Result};

/// How a window statistic treats samples outside the array.
///
/// `Border(mode)` extends the array with one of scipy.ndimage's border modes (the window always
/// has `size` samples). `Shrink` clips the window to the array: sums take only the in-bounds
/// samples and means divide by their count (Q18's "smaller windows at the edges"). scipy has no
/// `Shrink`; a window sum with `Shrink` equals scipy's sum with `mode="constant", cval=0`.
///
/// ```
/// use ndkern_spatial::{BorderMode, WindowMode};
/// let m: WindowMode = BorderMode::Wrap.into();
/// assert_eq!(m, WindowMode::Border(BorderMode::Wrap));
/// assert_eq!(WindowMode::default(), WindowMode::Border(BorderMode::Reflect));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum WindowMode {
    /// Extend the array per the border mode (scipy semantics).
    Border(BorderMode),
    /// Clip the window to the array; statistics use only the in-bounds samples.
    Shrink,
}

impl Default for WindowMode {
    fn default() -> Self {
        WindowMode::Border(BorderMode::Reflect)
    }
}

impl From<BorderMode> for WindowMode {
    fn from(m: BorderMode) -> Self {
        WindowMode::Border(m)
    }
}

impl WindowMode {
    /// The border mode used to extend lines: `Shrink` extends with zeros (and divides by the
    /// in-bounds count where a mean is taken).
    pub(crate) fn border(self) -> BorderMode {
        match self {
            WindowMode::Border(m) => m,
            WindowMode::Shrink => BorderMode::Constant(0.0),
        }
    }
}

/// Broadcasts a per-axis parameter: one value for every axis, or exactly `ndim` values.
pub(crate) fn per_axis<V: Copy>(name: &'static str, v: &[V], ndim: usize) -> Result<Vec<V>> {
    match v.len() {
        1 => Ok(vec![v[0]; ndim]),
        n if n == ndim => Ok(v.to_vec()),
        n => Err(Error::InvalidParameter {
            name,
            reason: format!("give one value or one per axis ({ndim}), got {n} values"),
        }),
    }
}

/// Checks a window size (`>= 1`).
pub(crate) fn check_size(size: usize) -> Result<()> {
    if size == 0 {
        return Err(Error::InvalidParameter {
            name: "size",
            reason: "the window size must be at least 1".into(),
        });
    }
    Ok(())
}

/// Samples before/after each output for a window of `size` shifted by `origin` (scipy:
/// `before = size / 2 + origin`, which must lie in `0..size`). The arithmetic is exact for any
/// `size` and `origin` (`origin = isize::MAX` is an `Err`, not an overflow).
pub(crate) fn padding(size: usize, origin: isize) -> Result<(usize, usize)> {
    check_size(size)?;
    let before = (size / 2) as i128 + origin as i128;
    if before < 0 || before >= size as i128 {
        let lo = -((size / 2) as i128);
        let hi = lo + size as i128 - 1;
        return Err(Error::InvalidParameter {
            name: "origin",
            reason: format!("origin {origin} is invalid for size {size}; use {lo}..={hi}"),
        });
    }
    let before = before as usize;
    Ok((before, size - 1 - before))
}

/// Bytes budgeted per sample of a border-extended line: the line itself, its source-index map
/// (`Option<usize>`) and the working copies of the line kernels.
type ExtendedSample = [u64; 4];

/// Checks that a line of `n` samples extended by `before + after` border samples can be
/// allocated: the length must not overflow and must fit [`ndkern_core::memory_limit`]
/// ([`Error::TooLarge`] otherwise, e.g. a window of `1e9` samples on a 5-sample line).
pub(crate) fn check_extent(n: usize, before: usize, after: usize) -> Result<usize> {
    let ext = n
        .checked_add(before)
        .and_then(|e| e.checked_add(after))
        .ok_or(Error::TooLarge {
            what: "the border-extended line (array length + window - 1)",
            bytes: None,
            limit: ndkern_core::memory_limit(),
        })?;
    ndkern_core::check_alloc::<ExtendedSample>(
        "the border-extended line (array length + window - 1)",
        ext,
    )?;
    Ok(ext)
}

/// Checks an axis index.
pub(crate) fn check_axis(axis: usize, ndim: usize) -> Result<()> {
    if axis >= ndim {
        return Err(Error::AxisOutOfRange {
            axis: axis as isize,
            ndim,
        });
    }
    Ok(())
}

/// Checks that an output has the input's shape.
pub(crate) fn check_shape(expected: &[usize], got: &[usize]) -> Result<()> {
    if expected != got {
        return Err(Error::ShapeMismatch {
            expected: expected.to_vec(),
            got: got.to_vec(),
        });
    }
    Ok(())
}
