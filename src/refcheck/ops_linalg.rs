//! Ops of ndkern-linalg, named after their numpy/scipy/scikit-image counterparts
//! (`linalg.<function>`), with that counterpart's keyword names as parameters.

#[allow(unused_imports)] // used as soon as the table has entries
use super::{Call, Error, Op, Value};

pub(super) const LINALG_OPS: &[Op] = &[];
