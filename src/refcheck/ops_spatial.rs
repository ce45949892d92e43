//! Ops of ndkern-spatial, named after their numpy/scipy/scikit-image counterparts
//! (`spatial.<function>`), with that counterpart's keyword names as parameters.

#[allow(unused_imports)] // used as soon as the table has entries
use super::{Call, Error, Op, Value};

pub(super) const SPATIAL_OPS: &[Op] = &[];
