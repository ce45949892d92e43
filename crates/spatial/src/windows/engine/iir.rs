//! The recursive Gaussian's walk over C-contiguous arrays: the recursion vectorized across
//! rows (innermost axis) or across columns (outer axes), every memory access sequential.
//!
//! # Why
//!
//! A Young-van Vliet recursion is sequential along its line, so one line at a time runs one
//! dependent multiply-add chain per sample, and gathering strided lanes costs more than the
//! recursion. Rows and strips instead (BENCHMARKS.md row `gaussian8_recursive_2d`, against
//! `gaussian8_2d` for the exact filter):
//!
//! - Innermost axis ([`horizontal`]): `GROUP` = 16 rows at a time. Four-by-four tiles are
//!   transposed (`f64x4::transpose`) into a buffer holding, for each extended column, the 16
//!   rows as four `f64x4` vectors (~530 KB for a 4000-long row: it stays in L2); the causal and
//!   the anti-causal recursions run in place on it with four independent vector chains, and
//!   the result is transposed back into the output rows.
//! - Outer axes ([`vertical`]): strips of up to `STRIP` columns run down whole rows (the
//!   recursion is elementwise across columns, so it vectorizes as it stands), in place on the
//!   output: the causal result of each row overwrites that row, and the anti-causal sweep
//!   reads it back from the bottom. Only the extension rows below the axis are buffered.
//!
//! The recursions run in `f64`. On the outer axes the causal intermediate is stored in the
//! output array, so for `f32` it is rounded to `f32` once more (relative error ~6e-8, far
//! below the method's own deviation from the exact Gaussian).

use ndarray::{ArrayBase, ArrayViewMut, Data, Dimension};
use ndkern_core::{worth_parallel, Element, Result};
use rayon::prelude::*;

use crate::windows::kernels::iir::{row_group, strip, Col, Iir, StripScratch, GROUP, STRIP};
use crate::windows::plan::{Kind, SepPass};

/// Runs a plan of recursions (every pass [`Kind::Iir`]) from `input` into `out`: on a
/// C-contiguous output the innermost axis first, from the input into the output (16 rows at a
/// time as SIMD lanes), then the outer axes in place as recursions down whole rows of column
/// strips; `false` (having done nothing) for other layouts, which take the lane route.
pub(crate) fn run<T, S, D>(
    input: &ArrayBase<S, D>,
    out: &mut ArrayViewMut<'_, T, D>,
    passes: &[SepPass<'_, T>],
) -> Result<bool>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    let nd = input.ndim();
    if !(out.is_standard_layout() && nd >= 1 && !input.is_empty()) {
        return Ok(false);
    }
    let src = ndkern_core::try_standard_layout("a C-order copy of the input", input)?;
    let s = src.as_slice().expect("standard layout");
    let shape = input.shape().to_vec();
    let dst = out.as_slice_mut().expect("standard layout");
    let iir = |p: &SepPass<'_, T>| match p.kind {
        Kind::Iir { b, a } => Iir {
            b,
            a,
            pad: p.before,
            mode: p.mode,
        },
        _ => unreachable!("the plan holds recursions only"),
    };
    match passes.last() {
        Some(p) if p.axis + 1 == nd => horizontal(s, dst, shape[nd - 1], &iir(p)),
        _ => dst.copy_from_slice(s),
    }
    for p in passes.iter().filter(|p| p.axis + 1 < nd) {
        vertical(dst, &shape, p.axis, &iir(p));
    }
    Ok(true)
}

/// The recursion along the innermost axis (rows of `n`) from `src` into `dst` (same length).
pub(crate) fn horizontal<T: Element>(src: &[T], dst: &mut [T], n: usize, f: &Iir) {
    if n == 0 || src.is_empty() {
        return;
    }
    let map = f.sources(n);
    let group = |(s, d): (&[T], &mut [T]), t: &mut Vec<Col>| row_group(s, d, n, f, &map, t);
    if worth_parallel(dst.len()) {
        src.par_chunks(GROUP * n)
            .zip(dst.par_chunks_mut(GROUP * n))
            .for_each_init(Vec::new, |t, sd| group(sd, t));
    } else {
        let mut t = Vec::new();
        src.chunks(GROUP * n)
            .zip(dst.chunks_mut(GROUP * n))
            .for_each(|sd| group(sd, &mut t));
    }
}

/// The recursion along outer `axis` of the C-contiguous `dst` of `shape`, in place.
pub(crate) fn vertical<T: Element>(dst: &mut [T], shape: &[usize], axis: usize, f: &Iir) {
    let n = shape[axis];
    let inner: usize = shape[axis + 1..].iter().product();
    if n == 0 || inner == 0 || dst.is_empty() {
        return;
    }
    let map = f.sources(n);
    let parallel = worth_parallel(dst.len());
    // Strips: at most STRIP columns, and two tasks per thread when there are few blocks.
    let blocks = dst.len() / (n * inner);
    let want = if parallel {
        (rayon::current_num_threads() * 2).div_ceil(blocks)
    } else {
        1
    };
    let cw = inner
        .div_ceil(want)
        .next_multiple_of(16)
        .clamp(16, STRIP)
        .min(inner);
    // Every strip as its rows (disjoint column ranges of the block's rows).
    let mut strips: Vec<Vec<&mut [T]>> = Vec::new();
    for d in dst.chunks_mut(n * inner) {
        let first = strips.len();
        strips.extend((0..inner.div_ceil(cw)).map(|_| Vec::with_capacity(n)));
        for row in d.chunks_mut(inner) {
            for (j, part) in row.chunks_mut(cw).enumerate() {
                strips[first + j].push(part);
            }
        }
    }
    let task = |rows: &mut Vec<&mut [T]>, sc: &mut StripScratch| strip(rows, f, &map, sc);
    if parallel {
        strips
            .par_iter_mut()
            .for_each_init(StripScratch::default, |sc, rows| task(rows, sc));
    } else {
        let mut sc = StripScratch::default();
        strips.iter_mut().for_each(|rows| task(rows, &mut sc));
    }
}
