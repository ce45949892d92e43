//! Arrays read from `.npy` files (or produced by ops), in their own dtype.

use std::path::Path;

use ndarray::ArrayD;
use ndarray_npy::{ReadNpyError, ReadNpyExt};

use super::Error;

/// An array read from a `.npy` file (or produced by an op), in its own dtype.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Value {
    /// `float64` (`<f8`).
    F64(ArrayD<f64>),
    /// `float32` (`<f4`).
    F32(ArrayD<f32>),
    /// `int64` (`<i8`); counts and indices.
    I64(ArrayD<i64>),
    /// `uint8` (`|u1`); images.
    U8(ArrayD<u8>),
    /// `bool` (`|b1`); masks.
    Bool(ArrayD<bool>),
}

impl Value {
    /// numpy's name for the dtype: `"float64"`, `"float32"`, `"int64"`, `"uint8"` or
    /// `"bool"`.
    pub fn dtype(&self) -> &'static str {
        match self {
            Value::F64(_) => "float64",
            Value::F32(_) => "float32",
            Value::I64(_) => "int64",
            Value::U8(_) => "uint8",
            Value::Bool(_) => "bool",
        }
    }
    /// The shape.
    pub fn shape(&self) -> &[usize] {
        match self {
            Value::F64(a) => a.shape(),
            Value::F32(a) => a.shape(),
            Value::I64(a) => a.shape(),
            Value::U8(a) => a.shape(),
            Value::Bool(a) => a.shape(),
        }
    }
    /// The values converted to `f64` (exact for f32, uint8 and bool (0/1); int64 beyond 2^53
    /// rounds).
    pub fn to_f64(&self) -> ArrayD<f64> {
        match self {
            Value::F64(a) => a.clone(),
            Value::F32(a) => a.mapv(f64::from),
            Value::I64(a) => a.mapv(|x| x as f64),
            Value::U8(a) => a.mapv(f64::from),
            Value::Bool(a) => a.mapv(|x| f64::from(u8::from(x))),
        }
    }
}

impl From<ArrayD<f64>> for Value {
    fn from(a: ArrayD<f64>) -> Self {
        Value::F64(a)
    }
}
impl From<ArrayD<f32>> for Value {
    fn from(a: ArrayD<f32>) -> Self {
        Value::F32(a)
    }
}
impl From<ArrayD<i64>> for Value {
    fn from(a: ArrayD<i64>) -> Self {
        Value::I64(a)
    }
}
impl From<ArrayD<u8>> for Value {
    fn from(a: ArrayD<u8>) -> Self {
        Value::U8(a)
    }
}
impl From<ArrayD<bool>> for Value {
    fn from(a: ArrayD<bool>) -> Self {
        Value::Bool(a)
    }
}
/// Counts become int64, numpy's `np.intp` on 64-bit platforms.
impl From<ArrayD<usize>> for Value {
    fn from(a: ArrayD<usize>) -> Self {
        Value::I64(a.mapv(|x| i64::try_from(x).expect("count fits in i64")))
    }
}

/// Reads a `.npy` file as whichever of `float64`, `float32`, `int64`, `uint8`, `bool` its
/// header declares (C or Fortran order).
pub fn load_npy(path: &Path) -> Result<Value, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let npy_err = |e: ReadNpyError| Error::Npy {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    // Try each dtype; only a descriptor mismatch moves on to the next.
    match ArrayD::<f64>::read_npy(&bytes[..]) {
        Ok(a) => return Ok(Value::F64(a)),
        Err(ReadNpyError::WrongDescriptor(_)) => {}
        Err(e) => return Err(npy_err(e)),
    }
    match ArrayD::<f32>::read_npy(&bytes[..]) {
        Ok(a) => return Ok(Value::F32(a)),
        Err(ReadNpyError::WrongDescriptor(_)) => {}
        Err(e) => return Err(npy_err(e)),
    }
    match ArrayD::<i64>::read_npy(&bytes[..]) {
        Ok(a) => return Ok(Value::I64(a)),
        Err(ReadNpyError::WrongDescriptor(_)) => {}
        Err(e) => return Err(npy_err(e)),
    }
    match ArrayD::<u8>::read_npy(&bytes[..]) {
        Ok(a) => return Ok(Value::U8(a)),
        Err(ReadNpyError::WrongDescriptor(_)) => {}
        Err(e) => return Err(npy_err(e)),
    }
    match ArrayD::<bool>::read_npy(&bytes[..]) {
        Ok(a) => Ok(Value::Bool(a)),
        Err(ReadNpyError::WrongDescriptor(d)) => Err(Error::Npy {
            path: path.to_path_buf(),
            reason: format!(
                "unsupported dtype {d}; refcheck reads little-endian float64 (<f8), \
                 float32 (<f4), int64 (<i8), uint8 (|u1) and bool (|b1)"
            ),
        }),
        Err(e) => Err(npy_err(e)),
    }
}
