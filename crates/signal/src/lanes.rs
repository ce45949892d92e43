//! Lane plumbing shared by the along-axis kernels: numpy axis normalization, and a driver
//! that hands each lane to a kernel as a contiguous `f64` slice (any strides, any layout)
//! and writes the kernel's `f64` line back in the element type.

use ndarray::{ArrayBase, ArrayViewMut1, Data, DataMut, Dimension};
use ndkern_core::{for_each_lane, Element, Error, Result};

/// numpy's axis convention: `-ndim..ndim`, negative counts from the end.
pub(crate) fn norm_axis(axis: isize, ndim: usize) -> Result<usize> {
    let a = if axis < 0 { axis + ndim as isize } else { axis };
    if a < 0 || a as usize >= ndim {
        return Err(Error::AxisOutOfRange { axis, ndim });
    }
    Ok(a as usize)
}

/// `out` lane = `f(input lane as f64)` for every lane along `axis`; `f` writes `out.len()`
/// values (the lane length). Lanes run in parallel when the array is large.
pub(crate) fn map_lanes<T, S, So, D>(
    input: &ArrayBase<S, D>,
    output: &mut ArrayBase<So, D>,
    axis: usize,
    f: impl Fn(&[f64], &mut [f64]) + Sync + Send,
) -> Result<()>
where
    T: Element,
    S: Data<Elem = T>,
    So: DataMut<Elem = T>,
    D: Dimension,
{
    let n = input.shape().get(axis).copied().unwrap_or(0);
    for_each_lane(
        input,
        output,
        axis,
        || (vec![0.0f64; n], vec![0.0f64; n]),
        |lane, mut out: ArrayViewMut1<'_, T>, (buf, res)| {
            buf.iter_mut()
                .zip(lane.iter())
                .for_each(|(b, &v)| *b = v.as_f64());
            f(buf, res);
            out.iter_mut()
                .zip(res.iter())
                .for_each(|(o, &v)| *o = T::of_f64(v));
        },
    )
}

/// In-place twin of [`map_lanes`]: each lane of `a` is replaced by `f(lane)`, computed in a
/// per-worker `f64` buffer.
pub(crate) fn map_lanes_inplace<T, S, D>(
    a: &mut ArrayBase<S, D>,
    axis: usize,
    f: impl Fn(&mut [f64]) + Sync + Send,
) where
    T: Element,
    S: DataMut<Elem = T>,
    D: Dimension,
{
    use ndarray::Axis;
    use rayon::prelude::*;
    let n = a.shape()[axis];
    let work = |buf: &mut Vec<f64>, mut lane: ArrayViewMut1<'_, T>| {
        buf.iter_mut()
            .zip(lane.iter())
            .for_each(|(b, &v)| *b = v.as_f64());
        f(buf);
        lane.iter_mut()
            .zip(buf.iter())
            .for_each(|(o, &v)| *o = T::of_f64(v));
    };
    let parallel = ndkern_core::worth_parallel(a.len());
    let lanes = ndarray::Zip::from(a.lanes_mut(Axis(axis)));
    if parallel {
        lanes
            .into_par_iter()
            .for_each_init(|| vec![0.0; n], |b, (l,)| work(b, l));
    } else {
        let mut buf = vec![0.0; n];
        lanes.for_each(|l| work(&mut buf, l));
    }
}
