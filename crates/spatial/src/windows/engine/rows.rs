//! The innermost pass of a sweep: one extended row in, one output row out, optionally through
//! a staged buffer written with streaming stores.

use ndkern_core::{stream_copy, Element};

use crate::windows::kernels::box_sum::{shrink_edges, sum_rows};
use crate::windows::kernels::fir::fir_rows;
use crate::windows::kernels::running::long_box_line;
use crate::windows::plan::{Kind, SepPass, DIRECT_MAX};

/// [`row_kernel`] into an output row; with a `stage` (large, already mapped outputs:
/// [`ndkern_core::stream_worth`]) the row is computed there (in L1) and written out with
/// streaming stores, so the output's lines are not read from memory before being overwritten.
pub(crate) fn row_out<T: Element>(
    p: &SepPass<'_, T>,
    ext: &[T],
    out: &mut [T],
    stage: Option<&mut Vec<T>>,
) {
    match stage {
        Some(st) => {
            st.resize(out.len(), T::zero());
            row_kernel(p, ext, st);
            stream_copy(out, st).expect("the stage is resized to the row");
        }
        None => row_kernel(p, ext, out),
    }
}

/// The innermost pass over one extended row.
fn row_kernel<T: Element>(p: &SepPass<'_, T>, ext: &[T], out: &mut [T]) {
    let n = out.len();
    match p.kind {
        Kind::Fir(taps) => fir_rows(|j| &ext[j..j + n], taps, out),
        Kind::Box { w, mean, shrink } => {
            let inv = if mean { 1.0 / w as f64 } else { 1.0 };
            if w <= DIRECT_MAX {
                sum_rows(|j| &ext[j..j + n], w, T::of_f64(inv), out);
            } else {
                long_box_line(ext, w, p.before, mean, out);
            }
            if mean && shrink {
                shrink_edges(ext, out, w, p.before);
            }
        }
        Kind::Moments { .. } | Kind::Iir { .. } => {
            unreachable!("the sweep takes box and FIR passes only")
        }
    }
}
