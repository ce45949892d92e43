//! The fused sweep's last three levels when both outer passes are stateless (FIR taps or box
//! windows of up to `DIRECT_MAX` samples): each output row is built from a ring of the outer
//! pass's rows instead of buffered slabs.
//!
//! Why: on a volume (3-D box or Gaussian), the buffered route writes a batch of whole filtered
//! planes (256 KB each at 256^2 f32) and then a batch of filtered rows, which together with the
//! input planes of the window overflow this machine's 2 MB L2. Here, for output plane `z` and
//! row `y`, the first pass combines the window's input planes into one row (computed once per
//! extended row index and kept in a ring of the second pass's window length), the second pass
//! combines the ring's rows into the innermost line's extended buffer, and the line kernel
//! writes the output row: the intermediates are a few rows (L1), only the input planes of the
//! window (reused by the next output planes) live in L2.
//!
//! The arithmetic is the buffered route's (same kernels, same row order, same scales); which
//! columns fall in `fir_rows`'s scalar tail can differ, but its multiply-adds are fused like
//! the vector ones at every SIMD level, so the results are the same. It was measured faster
//! than the buffered route on the 3x3x3 box (BENCHMARKS.md rows `uniform3_3d` and
//! `uniform3_3d_into`); the Gaussian sigma 2 (17 taps, row `gaussian2_3d`) keeps the buffered
//! route (see [`WINDOW_BYTES`]).

use ndkern_core::Element;

use super::rows::row_out;
use crate::windows::kernels::border::{const_fill, extend_in_place};
use crate::windows::kernels::box_sum::{box_scale, sum_rows};
use crate::windows::kernels::fir::fir_rows;
use crate::windows::plan::{Kind, SepPass};

/// Bytes of input planes the first pass's window may span: they are re-read by the next output
/// planes, so they must stay in L2 (2 MB per core here). Longer windows (a 17-tap Gaussian
/// over 256 KB planes: 4.25 MB) take the buffered route, whose column blocks reuse each block
/// of input across a batch of output planes (measured slower here on the 256^3 f32 Gaussian
/// sigma 2, BENCHMARKS.md row `gaussian2_3d`).
pub(crate) const WINDOW_BYTES: usize = 1 << 20;

/// True when the first pass `p` over planes of `plane` elements of `T` fits [`WINDOW_BYTES`].
pub(crate) fn fits<T>(p: &SepPass<'_, T>, plane: usize) -> bool {
    p.window() * plane * std::mem::size_of::<T>() <= WINDOW_BYTES
}

/// `target = p(rows)` for a stateless pass at output index `i` of `n`.
fn combine<'r, T: Element>(
    p: &SepPass<'_, T>,
    i: usize,
    n: usize,
    row: impl Fn(usize) -> &'r [T],
    target: &mut [T],
) {
    match p.kind {
        Kind::Fir(taps) => fir_rows(row, taps, target),
        Kind::Box { w, mean, shrink } => {
            let scale = box_scale(i, n, w, p.before, mean, shrink);
            sum_rows(row, w, T::of_f64(scale), target);
        }
        Kind::Moments { .. } | Kind::Iir { .. } => unreachable!("stateless passes only"),
    }
}

/// One outer level's geometry: `n` slabs, the extended-index source map, the constant slab.
pub(crate) struct Outer<'a, 'p, 'k, T> {
    pub n: usize,
    pub pass: &'p SepPass<'k, T>,
    pub map: &'a [Option<usize>],
    pub cst: &'a [T],
}

/// Fills `out` (output planes `i0..` of `a`, each `ny * nx`) from `src` (all `a.n` input
/// planes): pass `a` over planes, `b` over rows of a plane (`ny` rows of `nx`), `c` along rows.
/// Output rows go through `stage` (streaming stores) when one is given.
#[allow(clippy::too_many_arguments)]
pub(crate) fn planes<T: Element>(
    a: &Outer<'_, '_, '_, T>,
    b: &Outer<'_, '_, '_, T>,
    c: &SepPass<'_, T>,
    nx: usize,
    src: &[T],
    out: &mut [T],
    i0: usize,
    ring: &mut Vec<T>,
    line: &mut Vec<T>,
    mut stage: Option<&mut Vec<T>>,
) {
    let ny = b.n;
    let plane = ny * nx;
    let (lena, lenb) = (a.pass.window(), b.pass.window());
    ring.resize(lenb * nx, T::zero());
    line.resize(nx + c.before + c.after, T::zero());
    let mut pl: Vec<&[T]> = Vec::with_capacity(lena);
    for (k, o) in out.chunks_exact_mut(plane).enumerate() {
        let i = i0 + k;
        pl.clear();
        pl.extend((i..i + lena).map(|e| match a.map[e] {
            Some(r) => &src[r * plane..(r + 1) * plane],
            None => a.cst,
        }));
        // Row `e1` (extended index along b's axis) of pass a's output plane, into ring slot.
        let a_row = |e1: usize, dst: &mut [T]| match b.map[e1] {
            Some(r) => combine(a.pass, i, a.n, |j| &pl[j][r * nx..(r + 1) * nx], dst),
            None => dst.copy_from_slice(b.cst),
        };
        for (y, oy) in o.chunks_exact_mut(nx).enumerate() {
            let first = if y == 0 { 0 } else { y + lenb - 1 };
            for e1 in first..y + lenb {
                let slot = e1 % lenb;
                a_row(e1, &mut ring[slot * nx..(slot + 1) * nx]);
            }
            let ring: &[T] = ring;
            let target = &mut line[c.before..c.before + nx];
            combine(
                b.pass,
                y,
                ny,
                |j| {
                    let slot = (y + j) % lenb;
                    &ring[slot * nx..(slot + 1) * nx]
                },
                target,
            );
            extend_in_place(line, c.before, nx, c.mode, const_fill(c.mode));
            row_out(c, line, oy, stage.as_deref_mut());
        }
    }
}
