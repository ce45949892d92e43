//! The op registry: every table of ops, chained.

use std::fmt;

use super::ops_binning::BINNING_OPS;
use super::ops_core::CORE_OPS;
use super::ops_linalg::LINALG_OPS;
use super::ops_signal::SIGNAL_OPS;
use super::ops_spatial::SPATIAL_OPS;
use super::{Call, Error, Value};

/// One registered operation: the manifest's `op` name and the function that runs a case.
#[derive(Clone, Copy)]
pub struct Op {
    /// `<crate>.<function>`, named after the numpy/scipy counterpart (`core.var`).
    pub name: &'static str,
    /// Runs the op on a case's inputs and parameters.
    pub run: fn(&Call<'_>) -> Result<Value, Error>,
}

impl fmt::Debug for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Op").field("name", &self.name).finish()
    }
}

/// Every op table; a new family appends its table here.
const TABLES: &[&[Op]] = &[CORE_OPS, SPATIAL_OPS, BINNING_OPS, LINALG_OPS, SIGNAL_OPS];

/// All registered ops, in table order.
///
/// ```
/// assert!(ndkern::refcheck::ops().any(|op| op.name == "core.var"));
/// ```
pub fn ops() -> impl Iterator<Item = &'static Op> {
    TABLES.iter().flat_map(|t| t.iter())
}

/// The registered op called `name`, if any.
pub fn find_op(name: &str) -> Option<&'static Op> {
    ops().find(|op| op.name == name)
}
