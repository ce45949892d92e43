//! A call: one case's inputs and parameters, as seen by an op.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt;

use ndkern_core::Axes;

use super::{Error, Value};

/// One case as an op sees it: its inputs and its `[case.params]`. Reading a parameter marks
/// it used; parameters no op read are reported as unknown.
pub struct Call<'a> {
    pub(super) case: &'a str,
    pub(super) op: &'a str,
    pub(super) inputs: &'a [&'a Value],
    pub(super) params: &'a toml::Table,
    pub(super) used: RefCell<BTreeSet<String>>,
}

impl<'a> Call<'a> {
    /// Exactly `N` inputs, or an error saying how many the op takes.
    pub fn inputs<const N: usize>(&self) -> Result<[&'a Value; N], Error> {
        <[&Value; N]>::try_from(self.inputs).map_err(|_| Error::Inputs {
            case: self.case.into(),
            op: self.op.into(),
            reason: format!(
                "takes {N} input file(s), the manifest lists {}",
                self.inputs.len()
            ),
        })
    }

    /// The raw parameter `name`, marking it used; `None` if absent.
    pub fn param(&self, name: &str) -> Option<&'a toml::Value> {
        self.used.borrow_mut().insert(name.to_owned());
        self.params.get(name)
    }

    /// numpy's `axis` (absent = None: all axes; an int; a list of ints) and `keepdims`
    /// (default false).
    pub fn axes(&self) -> Result<Axes, Error> {
        let axes = match self.param("axis") {
            None => Axes::all(),
            Some(toml::Value::Integer(i)) => Axes::new([self.isize_of("axis", *i)?]),
            Some(toml::Value::Array(list)) => {
                let mut v = Vec::with_capacity(list.len());
                for x in list {
                    match x {
                        toml::Value::Integer(i) => v.push(self.isize_of("axis", *i)?),
                        other => {
                            return Err(self.invalid(
                                "axis",
                                format!("list entries must be integers, got {other}"),
                            ))
                        }
                    }
                }
                Axes::new(v)
            }
            Some(other) => {
                return Err(self.invalid(
                    "axis",
                    format!(
                        "expected an integer or a list of integers (leave it out for None), \
                         got {other}"
                    ),
                ))
            }
        };
        Ok(if self.bool_or("keepdims", false)? {
            axes.keepdims()
        } else {
            axes
        })
    }

    /// A non-negative integer parameter, `default` if absent.
    pub fn usize_or(&self, name: &str, default: usize) -> Result<usize, Error> {
        match self.param(name) {
            None => Ok(default),
            Some(toml::Value::Integer(i)) => usize::try_from(*i)
                .map_err(|_| self.invalid(name, format!("must be >= 0, got {i}"))),
            Some(other) => Err(self.invalid(
                name,
                format!("expected a non-negative integer, got {other}"),
            )),
        }
    }

    /// A boolean parameter, `default` if absent.
    pub fn bool_or(&self, name: &str, default: bool) -> Result<bool, Error> {
        match self.param(name) {
            None => Ok(default),
            Some(toml::Value::Boolean(b)) => Ok(*b),
            Some(other) => Err(self.invalid(name, format!("expected true or false, got {other}"))),
        }
    }

    /// A float parameter (integers accepted), `default` if absent.
    pub fn f64_or(&self, name: &str, default: f64) -> Result<f64, Error> {
        match self.param(name) {
            None => Ok(default),
            Some(toml::Value::Float(x)) => Ok(*x),
            Some(toml::Value::Integer(i)) => Ok(*i as f64),
            Some(other) => Err(self.invalid(name, format!("expected a number, got {other}"))),
        }
    }

    /// A string parameter (numpy/scipy enum-like options such as `mode = "reflect"`),
    /// `default` if absent.
    pub fn str_or(&self, name: &str, default: &'a str) -> Result<&'a str, Error> {
        match self.param(name) {
            None => Ok(default),
            Some(toml::Value::String(s)) => Ok(s),
            Some(other) => Err(self.invalid(name, format!("expected a string, got {other}"))),
        }
    }

    /// [`Error::InvalidParameter`] for parameter `name` of this case.
    pub fn invalid(&self, name: &str, reason: impl Into<String>) -> Error {
        Error::InvalidParameter {
            case: self.case.into(),
            op: self.op.into(),
            name: name.into(),
            reason: reason.into(),
        }
    }

    /// [`Error::Kernel`]: the ndkern call itself returned an error.
    pub fn kernel_error(&self, e: impl fmt::Display) -> Error {
        Error::Kernel {
            case: self.case.into(),
            op: self.op.into(),
            message: e.to_string(),
        }
    }

    /// [`Error::Inputs`]: this op does not take `input`'s dtype.
    pub fn unsupported_dtype(&self, input: &Value) -> Error {
        Error::Inputs {
            case: self.case.into(),
            op: self.op.into(),
            reason: format!("does not take {} input", input.dtype()),
        }
    }

    fn isize_of(&self, name: &str, i: i64) -> Result<isize, Error> {
        isize::try_from(i).map_err(|_| self.invalid(name, format!("{i} is out of range")))
    }

    /// Parameters present in the manifest that no op read, sorted.
    pub(super) fn unused(&self) -> Vec<String> {
        let used = self.used.borrow();
        self.params
            .keys()
            .filter(|k| !used.contains(k.as_str()))
            .cloned()
            .collect()
    }
}
