//! The direct executor: a full linear convolution as one scaled, shifted copy of `in1` added
//! per tap of `in2` (an axpy over whole sub-arrays, lane by lane in an
//! `ndkern_core::multiversion!` leaf), `O(size1 * size2)`. [`add_scaled`] is also the
//! overlap-add executor's block accumulation.

use ndarray::{ArrayD, ArrayViewD, ArrayViewMutD, Axis, IxDyn, Slice};
use ndkern_core::Element;

/// Full linear convolution directly: one axpy of a shifted `a` per element of `b`.
pub(crate) fn direct_full<T: Element>(
    a: &ArrayViewD<T>,
    b: &ArrayViewD<T>,
    axes: &[usize],
) -> ArrayD<f64> {
    let nd = a.ndim();
    let mut shape = a.shape().to_vec();
    for &ax in axes {
        shape[ax] = a.shape()[ax] + b.shape()[ax] - 1;
    }
    // Sizes checked by the planner's `check_full`.
    let mut out = ndkern_core::zeros::<f64, _>(IxDyn(&shape));
    let af = a.mapv(|v| v.as_f64());
    for (j, &w) in b.indexed_iter() {
        let w = w.as_f64();
        let mut dst = out.view_mut();
        let mut src = af.view();
        for d in 0..nd {
            if axes.contains(&d) {
                dst.slice_axis_inplace(Axis(d), Slice::from(j[d]..j[d] + a.shape()[d]));
            } else {
                // Not convolved: tap j only meets in1's samples at the same index.
                dst.slice_axis_inplace(Axis(d), Slice::from(j[d]..j[d] + 1));
                src.slice_axis_inplace(Axis(d), Slice::from(j[d]..j[d] + 1));
            }
        }
        add_scaled(dst, w, src);
    }
    out
}

/// `dst += w src` over same-shape views: lane by lane along the last axis through the
/// multiversioned [`axpy`] when both lanes are contiguous (the usual case), else ndarray's
/// `scaled_add`. Each element gets the same `d + w s` either way.
pub(crate) fn add_scaled(mut dst: ArrayViewMutD<'_, f64>, w: f64, src: ArrayViewD<'_, f64>) {
    let nd = dst.ndim();
    if nd == 0 {
        dst.scaled_add(w, &src);
        return;
    }
    ndarray::Zip::from(dst.lanes_mut(Axis(nd - 1)))
        .and(src.lanes(Axis(nd - 1)))
        .for_each(|mut d, s| match (d.as_slice_mut(), s.as_slice()) {
            (Some(d), Some(s)) => axpy(w, s, d),
            _ => d.scaled_add(w, &s),
        });
}

ndkern_core::multiversion! {
    /// `d[i] += w s[i]` (unfused, as ndarray's `scaled_add`), compiled per SIMD level.
    fn axpy(w: f64, s: &[f64], d: &mut [f64]) {
        for (d, s) in d.iter_mut().zip(s) {
            *d += w * s;
        }
    }
}
