//! Arrays in and out: float32/float64 arrays read in place (any strides), results handed to
//! numpy without a copy, and the dispatch macros that run one generic body per dtype.

use ndarray::{ArrayViewD, Dimension, Ix1, Ix2, Ix3};
use numpy::IntoPyArray;
use pyo3::prelude::*;
use pyo3::types::{PyFloat, PyTuple};

use crate::errors::invalid;

/// Defines an enum of typed numpy arrays, one variant per dtype, and its dtype-first
/// extraction: the argument's dtype is read once and only the matching variant is extracted.
/// pyo3's derive tries the variants in turn, and every miss builds a Python exception (~15 us
/// per argument: a float32 array for a float64-first enum, a uint8/bool image for
/// block_reduce; BENCHMARKS.md, "The Python door"). When no variant's dtype matches (a list,
/// another dtype, a read-only array for a writable one), the derive's trial order runs, for
/// its conversions and its error message.
///
/// ```ignore
/// dtype_enum! {
///     /// doc
///     pub enum Arr<'py>: PyReadonlyArrayDyn { F64 = f64, F32 = f32 }
/// }
/// ```
macro_rules! dtype_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident<'py>: $arr:ident { $($var:ident = $elem:ty),+ $(,)? }
    ) => {
        $(#[$meta])*
        $vis enum $name<'py> {
            $($var(numpy::$arr<'py, $elem>)),+
        }

        impl<'a, 'py> pyo3::FromPyObject<'a, 'py> for $name<'py> {
            type Error = pyo3::PyErr;

            fn extract(obj: pyo3::Borrowed<'a, 'py, pyo3::PyAny>) -> pyo3::PyResult<Self> {
                $(
                    if $crate::arrays::has_dtype::<$elem>(&obj) {
                        if let Ok(v) = obj.extract() {
                            return Ok(Self::$var(v));
                        }
                    }
                )+
                // The slow path, named like the outer type so its message reads the same.
                #[derive(pyo3::FromPyObject)]
                enum $name<'py> {
                    $($var(numpy::$arr<'py, $elem>)),+
                }
                Ok(match obj.extract::<$name<'py>>()? {
                    $($name::$var(v) => Self::$var(v)),+
                })
            }
        }
    };
}
pub(crate) use dtype_enum;

/// Whether `obj` is a numpy array whose dtype is `T`'s (the dtype-first test of
/// [`dtype_enum!`]; for a list of arrays, test its first item).
pub fn has_dtype<T: numpy::Element>(obj: &Borrowed<'_, '_, PyAny>) -> bool {
    use numpy::{PyArrayDescrMethods, PyUntypedArray, PyUntypedArrayMethods};
    obj.cast::<PyUntypedArray>()
        .is_ok_and(|a| a.dtype().is_equiv_to(&numpy::dtype::<T>(obj.py())))
}

dtype_enum! {
    /// A float32 or float64 array read in place (any strides).
    pub enum Arr<'py>: PyReadonlyArrayDyn { F64 = f64, F32 = f32 }
}

dtype_enum! {
    /// A float32 or float64 array written in place (any strides).
    pub enum ArrMut<'py>: PyReadwriteArrayDyn { F64 = f64, F32 = f32 }
}

/// `a` as a view of `D` dimensions (`Err` naming `name` otherwise).
pub fn dim<'a, T, D: Dimension>(
    a: ArrayViewD<'a, T>,
    name: &'static str,
) -> ndkern_core::Result<ndarray::ArrayView<'a, T, D>> {
    let nd = a.ndim();
    a.into_dimensionality::<D>().map_err(|_| {
        invalid(
            name,
            format!(
                "expected a {}-d array, got {nd} dimension(s)",
                D::NDIM.unwrap_or(0)
            ),
        )
    })
}

pub fn d1<'a, T>(
    a: ArrayViewD<'a, T>,
    name: &'static str,
) -> ndkern_core::Result<ndarray::ArrayView<'a, T, Ix1>> {
    dim::<T, Ix1>(a, name)
}

pub fn d2<'a, T>(
    a: ArrayViewD<'a, T>,
    name: &'static str,
) -> ndkern_core::Result<ndarray::ArrayView<'a, T, Ix2>> {
    dim::<T, Ix2>(a, name)
}

pub fn d3<'a, T>(
    a: ArrayViewD<'a, T>,
    name: &'static str,
) -> ndkern_core::Result<ndarray::ArrayView<'a, T, Ix3>> {
    dim::<T, Ix3>(a, name)
}

/// A result handed back to Python.
pub trait Out {
    fn out<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>>;
}

impl<T: numpy::Element, D: Dimension> Out for ndarray::Array<T, D> {
    fn out<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.into_pyarray(py).into_any())
    }
}

impl Out for f64 {
    fn out<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyFloat::new(py, self).into_any())
    }
}

impl Out for () {
    fn out<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(py.None().into_bound(py))
    }
}

impl<A: Out> Out for Vec<A> {
    fn out<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let items = self
            .into_iter()
            .map(|x| x.out(py))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyTuple::new(py, items)?.into_any())
    }
}

impl<A: Out, B: Out> Out for (A, B) {
    fn out<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let items = vec![self.0.out(py)?, self.1.out(py)?];
        Ok(PyTuple::new(py, items)?.into_any())
    }
}

impl<A: Out, B: Out, C: Out> Out for (A, B, C) {
    fn out<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let items = vec![self.0.out(py)?, self.1.out(py)?, self.2.out(py)?];
        Ok(PyTuple::new(py, items)?.into_any())
    }
}

/// usize indices and counts as numpy's intp (int64).
pub fn intp<D: Dimension>(a: ndarray::Array<usize, D>) -> ndarray::Array<i64, D> {
    a.mapv(|v| v as i64)
}

/// Runs `$body` (generic text, typed once per dtype) with `$a` the input view, in the pool
/// when the work estimate `$work` is large, and hands the result to Python.
macro_rules! dispatch {
    ($py:expr, $inp:expr, |$a:ident| $work:expr => $body:expr) => {
        match $inp {
            $crate::arrays::Arr::F64(i) => {
                let $a = i.as_array();
                let w = $work;
                $crate::arrays::Out::out($crate::runtime::compute($py, w, move || $body)?, $py)
            }
            $crate::arrays::Arr::F32(i) => {
                let $a = i.as_array();
                let w = $work;
                $crate::arrays::Out::out($crate::runtime::compute($py, w, move || $body)?, $py)
            }
        }
    };
}

/// [`dispatch!`] for two inputs of the same dtype.
macro_rules! dispatch2 {
    ($py:expr, $x:expr, $y:expr, |$a:ident, $b:ident| $work:expr => $body:expr) => {
        match ($x, $y) {
            ($crate::arrays::Arr::F64(i), $crate::arrays::Arr::F64(j)) => {
                let ($a, $b) = (i.as_array(), j.as_array());
                let w = $work;
                $crate::arrays::Out::out($crate::runtime::compute($py, w, move || $body)?, $py)
            }
            ($crate::arrays::Arr::F32(i), $crate::arrays::Arr::F32(j)) => {
                let ($a, $b) = (i.as_array(), j.as_array());
                let w = $work;
                $crate::arrays::Out::out($crate::runtime::compute($py, w, move || $body)?, $py)
            }
            _ => Err($crate::errors::dtype_mismatch()),
        }
    };
}

/// [`dispatch!`] for three inputs of the same dtype.
macro_rules! dispatch3 {
    ($py:expr, $x:expr, $y:expr, $z:expr, |$a:ident, $b:ident, $c:ident| $work:expr => $body:expr) => {
        match ($x, $y, $z) {
            (
                $crate::arrays::Arr::F64(i),
                $crate::arrays::Arr::F64(j),
                $crate::arrays::Arr::F64(k),
            ) => {
                let ($a, $b, $c) = (i.as_array(), j.as_array(), k.as_array());
                let w = $work;
                $crate::arrays::Out::out($crate::runtime::compute($py, w, move || $body)?, $py)
            }
            (
                $crate::arrays::Arr::F32(i),
                $crate::arrays::Arr::F32(j),
                $crate::arrays::Arr::F32(k),
            ) => {
                let ($a, $b, $c) = (i.as_array(), j.as_array(), k.as_array());
                let w = $work;
                $crate::arrays::Out::out($crate::runtime::compute($py, w, move || $body)?, $py)
            }
            _ => Err($crate::errors::dtype_mismatch()),
        }
    };
}

/// Runs `$body` with `$a` the input view and `$o` the output view (same dtype), returning
/// `None` to Python.
macro_rules! with_io {
    ($py:expr, $inp:expr, $out:expr, |$a:ident, $o:ident| $body:expr) => {
        match ($inp, $out) {
            ($crate::arrays::Arr::F64(i), $crate::arrays::ArrMut::F64(mut o)) => {
                let $a = i.as_array();
                let $o = o.as_array_mut();
                $crate::runtime::compute($py, $a.len(), move || $body)
            }
            ($crate::arrays::Arr::F32(i), $crate::arrays::ArrMut::F32(mut o)) => {
                let $a = i.as_array();
                let $o = o.as_array_mut();
                $crate::runtime::compute($py, $a.len(), move || $body)
            }
            _ => Err($crate::errors::dtype_mismatch()),
        }
    };
}
