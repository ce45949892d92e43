//! The flat views behind binning's inputs and outputs: C-order element slices of any layout
//! ([`try_flat`], borrowed when already contiguous) and the copy into an `_into` output
//! ([`write_out`]). The element traits binning accepts beside `f32`/`f64` — integer labels
//! and indices, plain numeric samples — are core's [`ndkern_core::Label`] and
//! [`ndkern_core::Sample`] (re-exported as `binning::Label` and `binning::Sample`).

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
