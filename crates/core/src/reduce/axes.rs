//! Which axes a reduction runs over, numpy style: one axis, several, or all; negative axes
//! count from the end; `keepdims` keeps reduced axes as length 1.

use ndarray::Axis;

use crate::error::{Error, Result};

/// The axes of a reduction and whether they are kept as length-1 axes (numpy `keepdims`).
///
/// Built from an integer (`2`, `-1`), an `ndarray::Axis`, an array or vector of integers
/// (`[0, 1, 2]`), or [`Axes::all`]; `.keepdims()` switches keepdims on.
///
/// ```
/// use ndkern_core::Axes;
/// let a = Axes::from([0, -1]).keepdims();
/// assert_eq!(a.resolve(3).unwrap(), vec![true, false, true]);
/// assert!(Axes::from(3).resolve(3).is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Axes {
    list: Option<Vec<isize>>,
    keep: bool,
}

impl Axes {
    /// Every axis (numpy `axis=None`).
    pub fn all() -> Self {
        Axes {
            list: None,
            keep: false,
        }
    }
    /// The given axes (negative counts from the end).
    pub fn new(axes: impl IntoIterator<Item = isize>) -> Self {
        Axes {
            list: Some(axes.into_iter().collect()),
            keep: false,
        }
    }
    /// Keep the reduced axes as length-1 axes in the result (numpy `keepdims=True`).
    pub fn keepdims(mut self) -> Self {
        self.keep = true;
        self
    }
    /// Whether reduced axes are kept as length 1.
    pub fn keeps_dims(&self) -> bool {
        self.keep
    }
    /// A mask of length `ndim`: `true` for every reduced axis. `Err` for an axis out of range
    /// or named twice.
    pub fn resolve(&self, ndim: usize) -> Result<Vec<bool>> {
        let Some(list) = &self.list else {
            return Ok(vec![true; ndim]);
        };
        let mut mask = vec![false; ndim];
        for &ax in list {
            let a = if ax < 0 { ax + ndim as isize } else { ax };
            if a < 0 || a >= ndim as isize {
                return Err(Error::AxisOutOfRange { axis: ax, ndim });
            }
            if std::mem::replace(&mut mask[a as usize], true) {
                return Err(Error::RepeatedAxis { axis: a as usize });
            }
        }
        Ok(mask)
    }
}

impl From<isize> for Axes {
    fn from(a: isize) -> Self {
        Axes::new([a])
    }
}
impl From<i32> for Axes {
    fn from(a: i32) -> Self {
        Axes::new([a as isize])
    }
}
/// An axis past `isize::MAX` is out of range for every array, never a negative axis.
fn usize_axis(a: usize) -> isize {
    isize::try_from(a).unwrap_or(isize::MAX)
}

impl From<usize> for Axes {
    fn from(a: usize) -> Self {
        Axes::new([usize_axis(a)])
    }
}
impl From<Axis> for Axes {
    fn from(a: Axis) -> Self {
        Axes::new([usize_axis(a.index())])
    }
}
impl<const N: usize> From<[isize; N]> for Axes {
    fn from(a: [isize; N]) -> Self {
        Axes::new(a)
    }
}
impl<const N: usize> From<[i32; N]> for Axes {
    fn from(a: [i32; N]) -> Self {
        Axes::new(a.map(|x| x as isize))
    }
}
impl<const N: usize> From<[usize; N]> for Axes {
    fn from(a: [usize; N]) -> Self {
        Axes::new(a.map(usize_axis))
    }
}
impl From<Vec<isize>> for Axes {
    fn from(a: Vec<isize>) -> Self {
        Axes::new(a)
    }
}
impl From<&[isize]> for Axes {
    fn from(a: &[isize]) -> Self {
        Axes::new(a.iter().copied())
    }
}
impl From<Vec<usize>> for Axes {
    fn from(a: Vec<usize>) -> Self {
        Axes::new(a.into_iter().map(usize_axis))
    }
}
