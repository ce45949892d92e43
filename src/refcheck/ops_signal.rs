//! Ops of ndkern-signal, named after their numpy/scipy/scikit-image counterparts
//! (`signal.<function>`), with that counterpart's keyword names as parameters.

#[allow(unused_imports)] // used as soon as the table has entries
use super::{Call, Error, Op, Value};

pub(super) const SIGNAL_OPS: &[Op] = &[];
