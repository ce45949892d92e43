//! Integer labels and indices ([`Label`]) and plain numeric samples ([`Sample`]): the element
//! types binning accepts beside `f32`/`f64` (images of `u8`, label rasters of `i32`, ...).

use std::fmt::Debug;

/// An integer label or index: `u8..u64`, `usize`, `i8..i64`, `isize`.
///
/// ```
/// use ndkern_spatial::binning::Label;
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
    /// use ndkern_spatial::binning::Label;
    /// assert_eq!(7i8.to_index_wrapping(), 7);
    /// assert!((-1i64).to_index_wrapping() >= 1 << 63);
    /// ```
    fn to_index_wrapping(self) -> usize;
}

/// A numeric sample read as `f64`: integers, `bool`, `f32`, `f64`.
///
/// ```
/// use ndkern_spatial::binning::Sample;
/// assert_eq!(200u8.to_f64(), 200.0);
/// assert!(!0u8.is_nonzero());
/// assert!(f64::NAN.is_nonzero()); // like numpy's count_nonzero
/// ```
pub trait Sample: Copy + Send + Sync + Debug + 'static {
    /// The value as `f64` (exact for all but integers beyond 2^53).
    fn to_f64(self) -> f64;
    /// True when the value is not zero (NaN counts as nonzero, as in numpy).
    fn is_nonzero(self) -> bool;
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

macro_rules! sample_impl {
    ($($t:ty),*) => {$(
        impl Sample for $t {
            #[inline(always)]
            fn to_f64(self) -> f64 {
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
    fn to_f64(self) -> f64 {
        f64::from(u8::from(self))
    }
    #[inline(always)]
    fn is_nonzero(self) -> bool {
        self
    }
}

/// The elements of `a` in logical (C) order: borrowed when `a` is standard layout.
pub(crate) fn flat<'a, X: Copy, S: ndarray::Data<Elem = X>, D: ndarray::Dimension>(
    a: &'a ndarray::ArrayBase<S, D>,
) -> std::borrow::Cow<'a, [X]> {
    match a.as_slice() {
        Some(s) => std::borrow::Cow::Borrowed(s),
        None => std::borrow::Cow::Owned(a.iter().copied().collect()),
    }
}

/// [`flat`] whose copy (made when `a` is not standard layout) is checked against the allocation
/// cap: a huge stride-0 broadcast view of labels, weights or values is [`Error::TooLarge`]
/// naming `what`, not an abort.
///
/// [`Error::TooLarge`]: ndkern_core::Error::TooLarge
pub(crate) fn try_flat<'a, X: Copy, S: ndarray::Data<Elem = X>, D: ndarray::Dimension>(
    what: &'static str,
    a: &'a ndarray::ArrayBase<S, D>,
) -> ndkern_core::Result<std::borrow::Cow<'a, [X]>> {
    if a.as_slice().is_none() {
        ndkern_core::check_alloc::<X>(what, a.len())?;
    }
    Ok(flat(a))
}

/// Writes the C-order `data` of shape `shape` into `out` (any layout), after checking that
/// `out` has that shape: the tail of every `_into` twin whose result is small next to its
/// input (histograms, counts, statistics).
pub(crate) fn write_out<A: Copy, S: ndarray::DataMut<Elem = A>, D: ndarray::Dimension>(
    out: &mut ndarray::ArrayBase<S, D>,
    shape: &[usize],
    data: &[A],
) -> ndkern_core::Result<()> {
    if out.shape() != shape {
        return Err(ndkern_core::Error::ShapeMismatch {
            expected: shape.to_vec(),
            got: out.shape().to_vec(),
        });
    }
    match out.as_slice_mut() {
        Some(o) => o.copy_from_slice(data),
        None => out.iter_mut().zip(data).for_each(|(o, &x)| *o = x),
    }
    Ok(())
}
