//! The along-axis driver every separable filter runs on: for each axis in turn, gather each
//! lane into a core [`LineBuffer`] (border-extended), run a contiguous line kernel, scatter the
//! result. The first pass reads the input, later passes work in place on the output, so a
//! separable N-d filter allocates nothing but one line buffer per worker. Lanes run in parallel
//! (rayon) above core's size threshold; a lane is never split.

use ndarray::{ArrayBase, ArrayViewMut, Axis, Data, Dimension, Zip};
use ndkern_core::{
    for_each_lane, scatter, worth_parallel, BorderMode, Element, LineBuffer, Result,
};
use rayon::prelude::*;

use super::params::check_shape;

/// A line kernel: `kernel(extended, out)` with `extended.len() == before + out.len() + after`.
pub(crate) type LineKernel<'k, T> = &'k (dyn Fn(&[T], &mut [T]) + Sync);

/// One along-axis pass.
pub(crate) struct Pass<'k, T> {
    pub axis: usize,
    pub before: usize,
    pub after: usize,
    pub mode: BorderMode,
    pub kernel: LineKernel<'k, T>,
}

/// Runs `passes` in order: the first from `input` into `out`, the rest in place on `out`.
/// With no passes `out` becomes a copy of `input`.
pub(crate) fn run_passes<T, S, D>(
    input: &ArrayBase<S, D>,
    out: &mut ArrayViewMut<'_, T, D>,
    passes: &[Pass<'_, T>],
) -> Result<()>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    check_shape(input.shape(), out.shape())?;
    let Some((first, rest)) = passes.split_first() else {
        out.assign(input);
        return Ok(());
    };
    if input.is_empty() {
        return Ok(());
    }
    let n = input.len_of(Axis(first.axis));
    for_each_lane(
        input,
        out,
        first.axis,
        || {
            (
                LineBuffer::new(n, first.before, first.after, first.mode),
                vec![T::zero(); n],
            )
        },
        |lane, olane, (buf, line)| {
            buf.gather(lane);
            (first.kernel)(buf.extended(), line);
            scatter(line, olane);
        },
    )?;
    for p in rest {
        run_in_place(out, p);
    }
    Ok(())
}

/// One pass in place on `a` (each lane is gathered before it is overwritten).
pub(crate) fn run_in_place<T: Element, D: Dimension>(
    a: &mut ArrayViewMut<'_, T, D>,
    p: &Pass<'_, T>,
) {
    if a.is_empty() {
        return;
    }
    let n = a.len_of(Axis(p.axis));
    let total = a.len();
    let make = || {
        (
            LineBuffer::new(n, p.before, p.after, p.mode),
            vec![T::zero(); n],
        )
    };
    let work = |(buf, line): &mut (LineBuffer<T>, Vec<T>),
                lane: ArrayViewMut<'_, T, ndarray::Ix1>| {
        buf.gather(lane.view());
        (p.kernel)(buf.extended(), line);
        scatter(line, lane);
    };
    let zip = Zip::from(a.lanes_mut(Axis(p.axis)));
    if worth_parallel(total) {
        zip.into_par_iter()
            .for_each_init(make, |s, (lane,)| work(s, lane));
    } else {
        let mut s = make();
        zip.for_each(|lane| work(&mut s, lane));
    }
}
