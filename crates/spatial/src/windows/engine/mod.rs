//! The engine: runs a plan (a list of [`SepPass`]es) over memory — which walk, which buffers,
//! how the work splits across threads — and calls the kernel each pass's [`Kind`] names.
//!
//! | walk | file | takes |
//! |---|---|---|
//! | fused sweep: slabs of the outer axes buffered in cache, the innermost line last | `slabs.rs` | box and FIR plans, C-contiguous output |
//! | ring of first-pass rows (two stateless outer passes over the innermost line: 3-D boxes and Gaussians) | `ring.rs` | called by `slabs.rs` |
//! | the two-channel sweep of local moments | `moments.rs` | moments plans, C-contiguous outputs |
//! | vertical running sums over whole rows, then line buffers | `vertical.rs`, `lanes.rs` | moments plans, other layouts |
//! | rows as SIMD lanes, column strips in place | `iir.rs` | recursion plans, C-contiguous output |
//! | line buffers, one pass per axis | `lanes.rs` | every other layout |
//!
//! The engine imports the plan and the kernels; neither imports the engine.

mod iir;
mod lanes;
pub(crate) mod moments;
mod ring;
mod rows;
mod slabs;
mod vertical;

use ndarray::{ArrayBase, ArrayViewMut, Data, Dimension};
use ndkern_core::{Element, Result};

use crate::windows::params::check_shape;
use crate::windows::plan::{Kind, SepPass};

/// Runs a separable plan from `input` into `out` (same shape). On a C-contiguous output a box
/// or FIR plan runs as one fused sweep ([`slabs`]: input read once, output written once) and a
/// recursion plan on rows and strips ([`iir`]); otherwise (strided or permuted outputs) every
/// axis goes through line buffers ([`lanes`]). The routes are tested against each other and
/// against naive oracles.
pub(crate) fn run_separable<T, S, D>(
    input: &ArrayBase<S, D>,
    out: &mut ArrayViewMut<'_, T, D>,
    passes: &[SepPass<'_, T>],
) -> Result<()>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    check_shape(input.shape(), out.shape())?;
    let iir = !passes.is_empty() && passes.iter().all(|p| matches!(p.kind, Kind::Iir { .. }));
    if iir {
        if iir::run(input, out, passes)? {
            return Ok(());
        }
    } else if !passes.is_empty() && !input.is_empty() && out.is_standard_layout() {
        let src = ndkern_core::try_standard_layout("a C-order copy of the input", input)?;
        let s = src.as_slice().expect("standard layout");
        let shape = input.shape().to_vec();
        let d = out.as_slice_mut().expect("standard layout");
        if slabs::run(s, d, &shape, passes) {
            return Ok(());
        }
    }
    lanes::run(input, out, passes)
}
