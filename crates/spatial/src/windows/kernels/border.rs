//! Border extension in place: the margins of an extended line filled from its own samples.

use ndkern_core::BorderMode;

/// Fills the border room of an extended line whose `n` samples sit at `ext[before..]`, per
/// `mode` (`fill` for the samples a constant mode puts outside).
pub(crate) fn extend_in_place<T: Copy>(
    ext: &mut [T],
    before: usize,
    n: usize,
    mode: BorderMode,
    fill: T,
) {
    let total = ext.len();
    for k in (0..before).chain(before + n..total) {
        ext[k] = match mode.source_index(k as isize - before as isize, n) {
            Some(src) => ext[before + src],
            None => fill,
        };
    }
}

/// The sample a constant `mode` puts outside the line, in `T` (zero for the other modes,
/// which never use it).
pub(crate) fn const_fill<T: ndkern_core::Element>(mode: BorderMode) -> T {
    match mode {
        BorderMode::Constant(c) => T::of_f64(c),
        _ => T::zero(),
    }
}
