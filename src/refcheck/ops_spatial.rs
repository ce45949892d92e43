//! Ops of ndkern-spatial, named after their numpy/scipy/scikit-image counterparts
//! (`spatial.<function>`), with that counterpart's keyword names as parameters.
//!
//! Window filters read scipy.ndimage's keywords: `size`, `axis` (negative counts from the
//! end, default -1), `mode` (default `"reflect"`) with `cval`, `origin` (an int or one per
//! axis), `sigma`, `order`, `truncate`, `radius`. Kernel ops take the kernel as a second,
//! float64 input file. `spatial.gradient` is `np.gradient(a, varargs, axis=axis,
//! edge_order=edge_order)` for one axis, with a scalar `varargs` or a coordinates file as the
//! second input.

use ndarray::ArrayD;
use ndkern_spatial as sp;
use ndkern_spatial::{BorderMode, GaussianOptions, Spacing};

use super::{Call, Error, Op, Value};

fn mode(c: &Call<'_>) -> Result<BorderMode, Error> {
    let name = c.str_or("mode", "reflect")?;
    let cval = c.f64_or("cval", 0.0)?;
    BorderMode::from_scipy(name, cval).map_err(|e| c.invalid("mode", e.to_string()))
}

/// scipy's `axis` (default -1) as an index into `ndim` axes.
fn axis(c: &Call<'_>, ndim: usize) -> Result<usize, Error> {
    let ax = match c.param("axis") {
        None => -1,
        Some(toml::Value::Integer(i)) => *i,
        Some(other) => return Err(c.invalid("axis", format!("expected an integer, got {other}"))),
    };
    let nd = ndim as i64;
    if ax < -nd || ax >= nd {
        return Err(c.invalid(
            "axis",
            format!("{ax} is out of range for {ndim} dimension(s)"),
        ));
    }
    Ok(ax.rem_euclid(nd.max(1)) as usize)
}

/// An integer or a list of integers (`default` when absent).
fn ints(c: &Call<'_>, name: &str, default: i64) -> Result<Vec<i64>, Error> {
    match c.param(name) {
        None => Ok(vec![default]),
        Some(toml::Value::Integer(i)) => Ok(vec![*i]),
        Some(toml::Value::Array(list)) => list
            .iter()
            .map(|v| match v {
                toml::Value::Integer(i) => Ok(*i),
                other => {
                    Err(c.invalid(name, format!("list entries must be integers, got {other}")))
                }
            })
            .collect(),
        Some(other) => Err(c.invalid(name, format!("expected an integer or a list, got {other}"))),
    }
}

fn usizes(c: &Call<'_>, name: &str, default: i64) -> Result<Vec<usize>, Error> {
    ints(c, name, default)?
        .into_iter()
        .map(|i| usize::try_from(i).map_err(|_| c.invalid(name, format!("must be >= 0, got {i}"))))
        .collect()
}

fn isizes(c: &Call<'_>, name: &str) -> Result<Vec<isize>, Error> {
    Ok(ints(c, name, 0)?.into_iter().map(|i| i as isize).collect())
}

/// A float or a list of floats (integers accepted).
fn floats(c: &Call<'_>, name: &str) -> Result<Vec<f64>, Error> {
    let one = |v: &toml::Value| match v {
        toml::Value::Float(x) => Ok(*x),
        toml::Value::Integer(i) => Ok(*i as f64),
        other => Err(c.invalid(name, format!("expected a number, got {other}"))),
    };
    match c.param(name) {
        None => Err(c.invalid(name, "is required")),
        Some(toml::Value::Array(list)) => list.iter().map(one).collect(),
        Some(v) => Ok(vec![one(v)?]),
    }
}

fn gaussian_options(c: &Call<'_>) -> Result<GaussianOptions, Error> {
    Ok(GaussianOptions {
        order: usizes(c, "order", 0)?,
        mode: mode(c)?,
        truncate: c.f64_or("truncate", 4.0)?,
        radius: match c.param("radius") {
            None => None,
            Some(_) => Some(usizes(c, "radius", 0)?),
        },
    })
}

/// The second input (a float64 kernel or coordinates file).
fn second<'a>(c: &Call<'a>) -> Result<&'a ArrayD<f64>, Error> {
    let [_, k] = c.inputs::<2>()?;
    match k {
        Value::F64(k) => Ok(k),
        other => Err(c.unsupported_dtype(other)),
    }
}

/// An op whose first input is the float array (run on its own dtype) and whose optional
/// second input is float64; `$a` is the first input, `$c` the call.
macro_rules! spatial_op {
    ($name:literal, |$a:ident, $c:ident| $body:expr) => {
        Op {
            name: $name,
            run: |$c: &Call<'_>| -> Result<Value, Error> {
                let first = $c
                    .inputs
                    .first()
                    .ok_or_else(|| $c.invalid("inputs", "needs an input"))?;
                match first {
                    Value::F64($a) => Ok(Value::from(($body).map_err(|e| $c.kernel_error(e))?)),
                    Value::F32($a) => Ok(Value::from(($body).map_err(|e| $c.kernel_error(e))?)),
                    other => Err($c.unsupported_dtype(other)),
                }
            },
        }
    };
}

fn gradient_op<T: sp::Element>(a: &ArrayD<T>, c: &Call<'_>) -> Result<ArrayD<T>, Error> {
    let ax = axis(c, a.ndim())?;
    let spacing = if c.inputs.len() == 2 {
        Spacing::Coords(second(c)?.iter().copied().collect())
    } else {
        Spacing::Uniform(c.f64_or("varargs", 1.0)?)
    };
    let edge = c.usize_or("edge_order", 1)?;
    let mut out = ArrayD::zeros(a.raw_dim());
    sp::gradient_axis_into(a, &spacing, ax, edge, out.view_mut()).map_err(|e| c.kernel_error(e))?;
    Ok(out)
}

pub(super) const SPATIAL_OPS: &[Op] = &[
    spatial_op!("spatial.uniform_filter1d", |a, c| sp::uniform_filter1d(
        a,
        c.usize_or("size", 0)?,
        axis(c, a.ndim())?,
        mode(c)?,
        isizes(c, "origin")?[0]
    )),
    spatial_op!("spatial.uniform_filter", |a, c| sp::uniform_filter(
        a,
        &usizes(c, "size", 3)?,
        mode(c)?,
        &isizes(c, "origin")?
    )),
    spatial_op!("spatial.correlate1d", |a, c| sp::correlate1d(
        a,
        second(c)?.as_slice().unwrap_or(&[]),
        axis(c, a.ndim())?,
        mode(c)?,
        isizes(c, "origin")?[0]
    )),
    spatial_op!("spatial.convolve1d", |a, c| sp::convolve1d(
        a,
        second(c)?.as_slice().unwrap_or(&[]),
        axis(c, a.ndim())?,
        mode(c)?,
        isizes(c, "origin")?[0]
    )),
    spatial_op!("spatial.correlate", |a, c| sp::correlate(
        a,
        second(c)?,
        mode(c)?,
        &isizes(c, "origin")?
    )),
    spatial_op!("spatial.convolve", |a, c| sp::convolve(
        a,
        second(c)?,
        mode(c)?,
        &isizes(c, "origin")?
    )),
    spatial_op!("spatial.gaussian_filter1d", |a, c| sp::gaussian_filter1d(
        a,
        floats(c, "sigma")?[0],
        axis(c, a.ndim())?,
        &gaussian_options(c)?
    )),
    spatial_op!("spatial.gaussian_filter", |a, c| sp::gaussian_filter(
        a,
        &floats(c, "sigma")?,
        &gaussian_options(c)?
    )),
    spatial_op!("spatial.gradient", |a, c| Ok::<_, Error>(gradient_op(
        a, c
    )?)),
];
