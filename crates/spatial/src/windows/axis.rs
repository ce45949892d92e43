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
    // One checked buffer; each worker clones it.
    let proto = LineBuffer::new(n, first.before, first.after, first.mode)?;
    for_each_lane(
        input,
        out,
        first.axis,
        || (proto.clone(), vec![T::zero(); n]),
        |lane, olane, (buf, line)| {
            buf.gather(lane).expect(LANE_LEN);
            (first.kernel)(buf.extended(), line);
            scatter(line, olane).expect(LANE_LEN);
        },
    )?;
    for p in rest {
        run_in_place(out, p)?;
    }
    Ok(())
}

/// One pass in place on `a` (each lane is gathered before it is overwritten).
pub(crate) fn run_in_place<T: Element, D: Dimension>(
    a: &mut ArrayViewMut<'_, T, D>,
    p: &Pass<'_, T>,
) -> Result<()> {
    if a.is_empty() {
        return Ok(());
    }
    let n = a.len_of(Axis(p.axis));
    let total = a.len();
    let proto = LineBuffer::new(n, p.before, p.after, p.mode)?;
    let make = || (proto.clone(), vec![T::zero(); n]);
    let work = |(buf, line): &mut (LineBuffer<T>, Vec<T>),
                lane: ArrayViewMut<'_, T, ndarray::Ix1>| {
        buf.gather(lane.view()).expect(LANE_LEN);
        (p.kernel)(buf.extended(), line);
        scatter(line, lane).expect(LANE_LEN);
    };
    let zip = Zip::from(a.lanes_mut(Axis(p.axis)));
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

/// What a separable pass computes along its axis.
#[derive(Clone, Copy)]
pub(crate) enum Kind<'k, T> {
    /// Running box sums of width `w` (`mean`: divided by `w`, or by the in-bounds count when
    /// `shrink`).
    Box { w: usize, mean: bool, shrink: bool },
    /// FIR taps (correlation).
    Fir(&'k [T]),
}

/// One pass of a separable filter.
pub(crate) struct SepPass<'k, T> {
    pub axis: usize,
    pub before: usize,
    pub after: usize,
    pub mode: BorderMode,
    pub kind: Kind<'k, T>,
}

impl<T: Element> Kind<'_, T> {
    fn line(&self, before: usize, ext: &[T], out: &mut [T]) {
        match *self {
            Kind::Box { w, mean, shrink } => {
                super::uniform::box_line(ext, out, w, before, mean, shrink)
            }
            Kind::Fir(taps) => super::correlate::correlate_line(ext, out, taps),
        }
    }
}

/// Runs a separable filter: on a C-contiguous output all passes in one fused sweep
/// ([`super::fused`]: input read once, output written once); otherwise (strided or permuted
/// outputs) every axis through line buffers ([`run_passes`]). Both routes are tested against
/// each other and against naive oracles.
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
    if !passes.is_empty() && !input.is_empty() && out.is_standard_layout() {
        let src = ndkern_core::try_standard_layout("a C-order copy of the input", input)?;
        let s = src.as_slice().expect("standard layout");
        let shape = input.shape().to_vec();
        let d = out.as_slice_mut().expect("standard layout");
        if super::fused::run(s, d, &shape, passes) {
            return Ok(());
        }
    }
    let kernels: Vec<_> = passes
        .iter()
        .map(|p| {
            let (kind, before) = (p.kind, p.before);
            move |e: &[T], o: &mut [T]| kind.line(before, e, o)
        })
        .collect();
    let lane_passes: Vec<Pass<'_, T>> = passes
        .iter()
        .zip(&kernels)
        .map(|(p, k)| Pass {
            axis: p.axis,
            before: p.before,
            after: p.after,
            mode: p.mode,
            kernel: k,
        })
        .collect();
    run_passes(input, out, &lane_passes)
}
