//! Ops of ndkern-spatial's binning family (`spatial.histogramdd`, `spatial.bincount`, ...),
//! named after their numpy/scipy/scikit-image counterparts, with that counterpart's keyword
//! names as parameters.

#[allow(unused_imports)] // used as soon as the table has entries
use super::{Call, Error, Op, Value};

pub(super) const BINNING_OPS: &[Op] = &[];
