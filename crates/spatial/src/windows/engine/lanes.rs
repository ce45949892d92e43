//! The lane route, for any layout: for each pass in turn, gather each lane of its axis into a
//! core [`LineBuffer`] (border-extended), run the pass's line kernel, scatter the result. The
//! first pass reads the input, later passes work in place on the output, so a separable N-d
//! filter allocates nothing but one line buffer per worker. Lanes run in parallel (rayon)
//! above core's size threshold; a lane is never split.
//!
//! The fused sweep (`slabs.rs`) is faster on C-contiguous outputs; this route serves strided
//! and permuted outputs, and every plan the sweep does not take. Both are tested against each
//! other (`tests/windows_fused.rs`) and against naive oracles.

use ndarray::{ArrayBase, ArrayViewMut, Axis, Data, Dimension, Zip};
use ndkern_core::{
    for_each_lane, scatter, worth_parallel, BorderMode, Element, LineBuffer, Result,
};
use rayon::prelude::*;

use crate::windows::kernels::box_sum::box_line;
use crate::windows::kernels::fir::correlate_line;
use crate::windows::kernels::iir::recursive_line;
use crate::windows::plan::{Kind, SepPass};

/// The line kernel of pass `p`: `ext` is the extended line (`p.before + out.len() + p.after`
/// samples).
fn line<T: Element>(p: &SepPass<'_, T>, ext: &[T], out: &mut [T]) {
    match p.kind {
        Kind::Box { w, mean, shrink } => box_line(ext, out, w, p.before, mean, shrink),
        Kind::Fir(taps) => correlate_line(ext, out, taps),
        Kind::Iir { b, a } => recursive_line(ext, out, b, a, p.before),
        Kind::Moments { .. } => unreachable!("moments run on their own two-channel sweep"),
    }
}

/// Runs `passes` in order: the first from `input` into `out`, the rest in place on `out`.
/// With no passes `out` becomes a copy of `input`.
pub(crate) fn run<T, S, D>(
    input: &ArrayBase<S, D>,
    out: &mut ArrayViewMut<'_, T, D>,
    passes: &[SepPass<'_, T>],
) -> Result<()>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    let Some((first, rest)) = passes.split_first() else {
        out.assign(input);
        return Ok(());
    };
    if input.is_empty() {
        return Ok(());
    }
    let n = input.len_of(Axis(first.axis));
    // One checked buffer; each worker clones it.
    let proto = LineBuffer::new(n, first.before, first.after, first.mode)?;
    for_each_lane(
        input,
        out,
        first.axis,
        || (proto.clone(), vec![T::zero(); n]),
        |lane, olane, (buf, l)| {
            buf.gather(lane).expect(LANE_LEN);
            line(first, buf.extended(), l);
            scatter(l, olane).expect(LANE_LEN);
        },
    )?;
    for p in rest {
        run_in_place(out, p.axis, p.before, p.after, p.mode, &|e, o| {
            line(p, e, o)
        })?;
    }
    Ok(())
}

/// One pass of `kernel` (`kernel(extended, out)`) along `axis` in place on `a`, lines extended
/// by `before` and `after` samples per `mode` (each lane is gathered before it is
/// overwritten).
pub(crate) fn run_in_place<T, D, K>(
    a: &mut ArrayViewMut<'_, T, D>,
    axis: usize,
    before: usize,
    after: usize,
    mode: BorderMode,
    kernel: &K,
) -> Result<()>
where
    T: Element,
    D: Dimension,
    K: Fn(&[T], &mut [T]) + Sync + ?Sized,
{
    if a.is_empty() {
        return Ok(());
    }
    let n = a.len_of(Axis(axis));
    let total = a.len();
    let proto = LineBuffer::new(n, before, after, mode)?;
    let make = || (proto.clone(), vec![T::zero(); n]);
    let work = |(buf, l): &mut (LineBuffer<T>, Vec<T>), lane: ArrayViewMut<'_, T, ndarray::Ix1>| {
        buf.gather(lane.view()).expect(LANE_LEN);
        kernel(buf.extended(), l);
        scatter(l, lane).expect(LANE_LEN);
    };
    let zip = Zip::from(a.lanes_mut(Axis(axis)));
    if worth_parallel(total) {
        zip.into_par_iter()
            .for_each_init(make, |s, (lane,)| work(s, lane));
    } else {
        let mut s = make();
        zip.for_each(|lane| work(&mut s, lane));
    }
    Ok(())
}

/// The lanes of one axis all have the buffer's length, by construction.
const LANE_LEN: &str = "every lane of the axis has the line buffer's length";
