//! Rust errors and panics as Python exceptions.
//!
//! * [`ndkern_core::Error::TooLarge`] (a result or work buffer sized by the caller's
//!   parameters over the memory cap, or refused by the allocator) -> `MemoryError`, as numpy;
//! * every other `Err` (bad input) -> `ValueError` carrying the message, which says what to
//!   change;
//! * a panic (an internal invariant broken: a bug) -> `RuntimeError`, never an abort.

use pyo3::exceptions::{PyMemoryError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::PyErr;

/// The Python exception of a Rust `Err`.
pub fn to_py(e: ndkern_core::Error) -> PyErr {
    match e {
        ndkern_core::Error::TooLarge { .. } => PyMemoryError::new_err(e.to_string()),
        _ => PyValueError::new_err(e.to_string()),
    }
}

/// The `RuntimeError` of a caught panic.
pub fn from_panic(p: &(dyn std::any::Any + Send)) -> PyErr {
    let msg = if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".into()
    };
    PyRuntimeError::new_err(format!(
        "ndkern internal error (a Rust panic, please report it): {msg}"
    ))
}

/// Two arrays that must share a dtype do not.
pub fn dtype_mismatch() -> PyErr {
    PyTypeError::new_err("the arrays must have the same dtype (float32 or float64)")
}

/// A `ValueError` for a bad argument found on the Rust side of the binding.
pub fn invalid(name: &'static str, reason: impl Into<String>) -> ndkern_core::Error {
    ndkern_core::Error::InvalidParameter {
        name,
        reason: reason.into(),
    }
}

/// A string argument the binding does not know.
pub fn bad_choice(name: &str, got: &str, choices: &str) -> PyErr {
    PyValueError::new_err(format!(
        "`{name}`: unknown value {got:?}; use one of {choices}"
    ))
}
