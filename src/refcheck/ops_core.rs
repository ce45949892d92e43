//! Ops of ndkern-core: axis reductions with numpy semantics.

use ndkern_core::reduce;

use super::{Call, Error, Op, Value};

/// ndkern-core: axis reductions (numpy semantics).
pub(super) const CORE_OPS: &[Op] = &[
    float_op!("core.sum", |a, c| reduce::sum(a, c.axes()?)),
    float_op!("core.mean", |a, c| reduce::mean(a, c.axes()?)),
    float_op!("core.var", |a, c| reduce::var(
        a,
        c.axes()?,
        c.usize_or("ddof", 0)?
    )),
    float_op!("core.std", |a, c| reduce::std(
        a,
        c.axes()?,
        c.usize_or("ddof", 0)?
    )),
    float_op!("core.norm_l2", |a, c| reduce::norm_l2(a, c.axes()?)),
    float_op!("core.min", |a, c| reduce::min(a, c.axes()?)),
    float_op!("core.max", |a, c| reduce::max(a, c.axes()?)),
    float_op!("core.count_nonzero", |a, c| reduce::count_nonzero(
        a,
        c.axes()?
    )),
];
