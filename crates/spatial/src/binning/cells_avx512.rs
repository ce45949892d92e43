//! Dispatch of the AVX-512 twin of [`super::kernels::uniform_cells`] for `f64` points
//! (`ndkern_core::simd::x86::cells`: 8 points per iteration in 512-bit registers; why and
//! how are described there), taken when the dispatched SIMD level is AVX-512 (an [`Avx512`]
//! token from [`ndkern_core::simd`]: the CPU has it and `NDKERN_SIMD` does not cap the
//! level). Below that level the caller runs the portable kernel, a `multiversion!` leaf
//! (AVX2+FMA at the `Avx2` level). The cells are the portable kernel's, bit for bit (tested
//! below on edges, ulp neighbours, ±inf, NaN and huge values).

use ndkern_core::simd::x86::cells as core_cells;
use ndkern_core::simd::Avx512;

use super::accumulate::NONE;
use super::kernels::{uniform_cells, UniformAxis};

// Both kernels mark a point outside the grid the same way.
const _: () = assert!(NONE == core_cells::NONE);

/// [`uniform_cells`] for `f64` rows: the cell of each of the `cells.len()` C-order points
/// with `D` (1 to 3) coordinates each in `rows`, [`NONE`] for a point outside the grid; the
/// full vectors of eight points in the core kernel, the rest in the portable one. Panics
/// when `rows.len() != D * cells.len()` (a caller bug, never data-dependent).
pub(crate) fn uniform_cells_f64<const D: usize>(
    avx512: Avx512,
    rows: &[f64],
    axes: &[UniformAxis; D],
    strides: &[f64; D],
    cells: &mut [usize],
) {
    let core_axes = axes.map(|a| core_cells::UniformAxis {
        lo: a.lo,
        hi: a.hi,
        last: a.last,
        inv: a.inv,
        step: a.step,
    });
    let done = core_cells::uniform_cells_f64::<D>(avx512, rows, &core_axes, strides, cells);
    uniform_cells::<f64, D>(&rows[done * D..], axes, strides, &mut cells[done..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn next_up(x: f64) -> f64 {
        if x.is_nan() || x == f64::INFINITY {
            x
        } else if x == 0.0 {
            5e-324
        } else if x > 0.0 {
            f64::from_bits(x.to_bits() + 1)
        } else {
            f64::from_bits(x.to_bits() - 1)
        }
    }

    /// Values around every edge of `axis` (on, one ulp either side), outside it, specials.
    fn probes(a: &UniformAxis, bins: usize) -> Vec<f64> {
        let mut v = vec![
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e308,
            -1e308,
            0.0,
            -0.0,
            5e-324,
        ];
        for i in 0..=bins {
            let e = if i == bins {
                a.hi
            } else {
                i as f64 * a.step + a.lo
            };
            v.extend([e, next_up(e), -next_up(-e), e + 0.5 * a.step]);
        }
        v
    }

    fn check<const D: usize>(tok: Avx512, axes: [UniformAxis; D], bins: [usize; D]) {
        let mut strides = [1.0; D];
        for k in (0..D.saturating_sub(1)).rev() {
            strides[k] = strides[k + 1] * bins[k + 1] as f64;
        }
        let per: Vec<Vec<f64>> = (0..D).map(|k| probes(&axes[k], bins[k])).collect();
        // Enough points that every probe meets the others in some lane; all lengths up to
        // three vectors plus one.
        let npts = per.iter().map(Vec::len).max().unwrap() * 3;
        let rows: Vec<f64> = (0..npts * D)
            .map(|i| {
                let (j, k) = (i / D, i % D);
                per[k][(j * (k + 1) * 7 + j / 3) % per[k].len()]
            })
            .collect();
        for len in (0..=25).chain([npts]) {
            let rows = &rows[..len * D];
            let mut want = vec![0usize; len];
            uniform_cells::<f64, D>(rows, &axes, &strides, &mut want);
            let mut got = vec![7usize; len];
            uniform_cells_f64::<D>(tok, rows, &axes, &strides, &mut got);
            assert_eq!(got, want, "len {len}, D {D}");
        }
    }

    fn axis(lo: f64, hi: f64, n: usize) -> UniformAxis {
        let b = super::super::grid::AxisBins::uniform(lo, hi, n).expect("valid axis");
        UniformAxis::new(b.uniform_params().expect("uniform"))
    }

    #[test]
    fn matches_portable_kernel() {
        let Some(tok) = Avx512::new() else {
            return; // below the AVX-512 level: the kernel is not used
        };
        check(tok, [axis(1.0, 2.0, 100)], [100]);
        check(tok, [axis(0.1, 0.4, 3)], [3]);
        check(
            tok,
            [axis(-1e6, 1e6, 7), axis(0.0, 1.0 / 3.0, 199)],
            [7, 199],
        );
        check(
            tok,
            [
                axis(1.0, 2.0, 100),
                axis(-3.5, 2.25, 13),
                axis(1e-9, 2e-9, 5),
            ],
            [100, 13, 5],
        );
        check(
            tok,
            [
                axis(-1e300, 1e300, 11),
                axis(0.0, 1e300, 2),
                axis(5.0, 6.0, 1),
            ],
            [11, 2, 1],
        );
    }
}
