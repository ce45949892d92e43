//! The error type of ndkern-core: bad input is an `Err` that says what to change.

use std::fmt;

/// Errors returned by ndkern-core for invalid input.
///
/// Every variant names what was wrong and what was expected, so the message alone tells the
/// caller what to change.
///
/// ```
/// use ndarray::Array2;
/// let a = Array2::<f64>::zeros((2, 3));
/// let err = ndkern_core::reduce::sum(&a, 5).unwrap_err();
/// assert!(err.to_string().contains("axis 5"));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// An axis index outside `-ndim..ndim`.
    AxisOutOfRange { axis: isize, ndim: usize },
    /// The same axis named twice.
    RepeatedAxis { axis: usize },
    /// Two shapes that must agree do not.
    ShapeMismatch {
        expected: Vec<usize>,
        got: Vec<usize>,
    },
    /// A parameter outside its valid range.
    InvalidParameter { name: &'static str, reason: String },
    /// A reduction with no identity over zero elements (`min`/`max` of an empty axis).
    EmptyReduction { op: &'static str },
    /// A result or work buffer sized by the caller's parameters that cannot be allocated:
    /// its size overflows `usize`, exceeds the memory cap ([`crate::memory_limit`]), or the
    /// allocator refused it. numpy raises `MemoryError`/`ValueError` here.
    TooLarge {
        /// What was being sized (`"histogram cells"`, `"KDE grid"`, ...).
        what: &'static str,
        /// The bytes asked for; `None` when the size arithmetic overflowed.
        bytes: Option<u128>,
        /// The cap in bytes.
        limit: usize,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::AxisOutOfRange { axis, ndim } => write!(
                f,
                "axis {axis} is out of range for an array of {ndim} dimension(s); \
                 use an axis in {}..{ndim} (negative counts from the end)",
                -(*ndim as isize)
            ),
            Error::RepeatedAxis { axis } => {
                write!(
                    f,
                    "axis {axis} is named more than once; name each axis once"
                )
            }
            Error::ShapeMismatch { expected, got } => {
                write!(f, "shape mismatch: expected {expected:?}, got {got:?}")
            }
            Error::InvalidParameter { name, reason } => {
                write!(f, "invalid parameter `{name}`: {reason}")
            }
            Error::EmptyReduction { op } => write!(
                f,
                "`{op}` of an empty selection has no value (no identity); \
                 reduce over axes that have at least one element"
            ),
            Error::TooLarge { what, bytes, limit } => {
                match bytes {
                    Some(b) => write!(f, "{what} would need {b} bytes, ")?,
                    None => write!(f, "the size of {what} overflows the address space, ")?,
                }
                write!(
                    f,
                    "more than can be allocated here ({limit} bytes); \
                     use smaller sizes, fewer bins or a coarser grid \
                     (or raise NDKERN_MAX_ALLOC_BYTES)"
                )
            }
        }
    }
}

impl std::error::Error for Error {}

/// Shorthand for `Result<T, ndkern_core::Error>`.
pub type Result<T> = std::result::Result<T, Error>;
