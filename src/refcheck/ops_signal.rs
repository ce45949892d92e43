//! Ops of ndkern-signal, named after their numpy/scipy/scikit-image counterparts
//! (`signal.<function>`), with that counterpart's keyword names as parameters.
//!
//! | op | ndkern call | counterpart |
//! |---|---|---|
//! | `signal.detrend` | `detrend(a, axis, Trend::parse(type), bp)` | `scipy.signal.detrend(a, axis, type, bp)` |
//! | `signal.rolling_{sum,mean,var,std}` | `rolling_*(a, axis, Rolling{window, min_periods, center}, ddof)` | pandas `rolling(...).sum/mean/var/std(ddof)` along `axis` |
//! | `signal.pearson_r` | `pearson_r(a, y, axis)` | `scipy.stats.pearsonr(a, y, axis).statistic` |
//! | `signal.fftconvolve` | `fftconvolve(in1, in2, mode, axes)` | `scipy.signal.fftconvolve` |
//! | `signal.oaconvolve` | `oaconvolve(in1, in2, mode, axes)` | `scipy.signal.oaconvolve` |
//! | `signal.convolve`, `signal.correlate` | `convolve`/`correlate(in1, in2, mode, method)` | `scipy.signal.convolve`/`correlate` |
//! | `signal.phase_cross_correlation` | `phase_cross_correlation(ref, mov, upsample_factor, normalization)` | skimage, result `[shift..., error, phasediff]` |
//! | `signal.cross_correlate_circular` | `.correlation` | `irfft2(rfft2(a0) * conj(rfft2(b0)))` of mean-removed images |
//! | `signal.gaussian_kde` | `GaussianKde::new(data, bw_method, weights).evaluate(points)` | `scipy.stats.gaussian_kde(data, bw_method, weights)(points)` |
//! | `signal.integrate_box_1d` | `GaussianKde::integrate_box_1d(low, high)` | `gaussian_kde(data).integrate_box_1d(low, high)` |
//! | `signal.fftshift`, `signal.ifftshift` | `fftshift(a, axes)` | `numpy.fft.fftshift(a, axes)` |
//! | `signal.radial_power_spectrum` | `radial_power_spectrum(a)` | bincount of `abs(fft2(a))**2` by rounded radius |

use ndarray::{ArrayD, Ix1, Ix2};
use ndkern_signal as sig;

use super::{Call, Error, Op, Value};

/// A list of non-negative integers (`axes`, `bp`), `None` if absent.
fn usize_list(c: &Call<'_>, name: &str) -> Result<Option<Vec<usize>>, Error> {
    match c.param(name) {
        None => Ok(None),
        Some(toml::Value::Array(l)) => l
            .iter()
            .map(|v| match v {
                toml::Value::Integer(i) if *i >= 0 => Ok(*i as usize),
                other => {
                    Err(c.invalid(name, format!("entries must be integers >= 0, got {other}")))
                }
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(toml::Value::Integer(i)) if *i >= 0 => Ok(Some(vec![*i as usize])),
        Some(other) => Err(c.invalid(name, format!("expected a list of integers, got {other}"))),
    }
}

fn int_axis(c: &Call<'_>, default: i64) -> Result<isize, Error> {
    match c.param("axis") {
        None => Ok(default as isize),
        Some(toml::Value::Integer(i)) => Ok(*i as isize),
        Some(other) => Err(c.invalid("axis", format!("expected an integer, got {other}"))),
    }
}

fn rolling_opts(c: &Call<'_>) -> Result<sig::Rolling, Error> {
    let window = c.usize_or("window", 0)?;
    let mut r = sig::Rolling::new(window).center(c.bool_or("center", false)?);
    if c.param("min_periods").is_some() {
        r = r.min_periods(c.usize_or("min_periods", 0)?);
    }
    Ok(r)
}

fn mode(c: &Call<'_>) -> Result<sig::Mode, Error> {
    sig::Mode::parse(c.str_or("mode", "full")?).map_err(|e| c.invalid("mode", e.to_string()))
}

fn method(c: &Call<'_>) -> Result<sig::Method, Error> {
    sig::Method::parse(c.str_or("method", "auto")?).map_err(|e| c.invalid("method", e.to_string()))
}

fn bandwidth(c: &Call<'_>) -> Result<sig::Bandwidth, Error> {
    match c.param("bw_method") {
        None => Ok(sig::Bandwidth::Scott),
        Some(toml::Value::String(s)) if s == "scott" => Ok(sig::Bandwidth::Scott),
        Some(toml::Value::String(s)) if s == "silverman" => Ok(sig::Bandwidth::Silverman),
        Some(toml::Value::Float(f)) => Ok(sig::Bandwidth::Factor(*f)),
        Some(toml::Value::Integer(i)) => Ok(sig::Bandwidth::Factor(*i as f64)),
        Some(other) => Err(c.invalid(
            "bw_method",
            format!("expected \"scott\", \"silverman\" or a number, got {other}"),
        )),
    }
}

/// Two float inputs of the same dtype, run through `$body` with `$a`, `$b` bound.
macro_rules! pair_op {
    ($name:literal, |$a:ident, $b:ident, $c:ident| $body:expr) => {
        Op {
            name: $name,
            run: |$c: &Call<'_>| -> Result<Value, Error> {
                let [x, y] = $c.inputs::<2>()?;
                match (x, y) {
                    (Value::F64($a), Value::F64($b)) => {
                        Ok(Value::from(($body).map_err(|e| $c.kernel_error(e))?))
                    }
                    (Value::F32($a), Value::F32($b)) => {
                        Ok(Value::from(($body).map_err(|e| $c.kernel_error(e))?))
                    }
                    (other, _) => Err($c.unsupported_dtype(other)),
                }
            },
        }
    };
}

fn phase_op(c: &Call<'_>) -> Result<Value, Error> {
    let [r, m] = c.inputs::<2>()?;
    let up = c.usize_or("upsample_factor", 1)?;
    let norm = match c.str_or("normalization", "phase")? {
        "phase" => sig::Normalization::Phase,
        "none" => sig::Normalization::None,
        other => {
            return Err(c.invalid(
                "normalization",
                format!("use \"phase\" or \"none\", got {other:?}"),
            ))
        }
    };
    let res = match (r, m) {
        (Value::F64(r), Value::F64(m)) => sig::phase_cross_correlation(r, m, up, norm),
        (Value::F32(r), Value::F32(m)) => sig::phase_cross_correlation(r, m, up, norm),
        (other, _) => return Err(c.unsupported_dtype(other)),
    }
    .map_err(|e| c.kernel_error(e))?;
    let mut v = res.shift.clone();
    v.push(res.error);
    v.push(res.phasediff);
    Ok(Value::from(
        ArrayD::from_shape_vec(vec![v.len()], v).expect("1-D"),
    ))
}

fn kde_of(c: &Call<'_>, data: &Value) -> Result<sig::GaussianKde, Error> {
    let bw = bandwidth(c)?;
    let weights = match c.inputs {
        [_, _, w] => Some(w.to_f64().iter().copied().collect::<Vec<f64>>()),
        _ => None,
    };
    let d = data.to_f64();
    let kde = match d.ndim() {
        1 => sig::GaussianKde::new_1d(
            &d.into_dimensionality::<Ix1>().expect("1-D"),
            bw,
            weights.as_deref(),
        ),
        _ => sig::GaussianKde::new(
            &d.into_dimensionality::<Ix2>()
                .map_err(|e| c.kernel_error(e))?,
            bw,
            weights.as_deref(),
        ),
    };
    kde.map_err(|e| c.kernel_error(e))
}

fn kde_op(c: &Call<'_>) -> Result<Value, Error> {
    if c.inputs.len() < 2 || c.inputs.len() > 3 {
        return Err(Error::Inputs {
            case: c.case.into(),
            op: c.op.into(),
            reason: "takes dataset, points and optional weights".into(),
        });
    }
    let kde = kde_of(c, c.inputs[0])?;
    let pts = c.inputs[1].to_f64();
    let pts = if pts.ndim() == 1 {
        pts.insert_axis(ndarray::Axis(0))
    } else {
        pts
    };
    let p = pts
        .into_dimensionality::<Ix2>()
        .map_err(|e| c.kernel_error(e))?;
    let out = kde.evaluate(&p).map_err(|e| c.kernel_error(e))?;
    Ok(Value::from(out.into_dyn()))
}

fn integrate_op(c: &Call<'_>) -> Result<Value, Error> {
    let [data] = c.inputs::<1>()?;
    let kde = kde_of(c, data)?;
    let v = kde.integrate_box_1d(
        c.f64_or("low", f64::NEG_INFINITY)?,
        c.f64_or("high", f64::INFINITY)?,
    );
    Ok(Value::from(
        ArrayD::from_shape_vec(vec![1], vec![v]).expect("1 value"),
    ))
}

pub(super) const SIGNAL_OPS: &[Op] = &[
    float_op!("signal.detrend", |a, c| sig::detrend(
        a,
        int_axis(c, -1)?,
        sig::Trend::parse(c.str_or("type", "linear")?)
            .map_err(|e| c.invalid("type", e.to_string()))?,
        &usize_list(c, "bp")?.unwrap_or_default()
    )),
    float_op!("signal.rolling_sum", |a, c| sig::rolling_sum(
        a,
        int_axis(c, 0)?,
        rolling_opts(c)?
    )),
    float_op!("signal.rolling_mean", |a, c| sig::rolling_mean(
        a,
        int_axis(c, 0)?,
        rolling_opts(c)?
    )),
    float_op!("signal.rolling_var", |a, c| sig::rolling_var(
        a,
        int_axis(c, 0)?,
        rolling_opts(c)?,
        c.usize_or("ddof", 1)?
    )),
    float_op!("signal.rolling_std", |a, c| sig::rolling_std(
        a,
        int_axis(c, 0)?,
        rolling_opts(c)?,
        c.usize_or("ddof", 1)?
    )),
    pair_op!("signal.pearson_r", |a, y, c| {
        let y = y
            .view()
            .into_dimensionality::<Ix1>()
            .map_err(|e| c.kernel_error(e))?;
        sig::pearson_r(a, &y, int_axis(c, 0)?)
    }),
    pair_op!("signal.fftconvolve", |a, b, c| sig::fftconvolve(
        a,
        b,
        mode(c)?,
        usize_list(c, "axes")?.as_deref()
    )),
    pair_op!("signal.oaconvolve", |a, b, c| sig::oaconvolve(
        a,
        b,
        mode(c)?,
        usize_list(c, "axes")?.as_deref()
    )),
    pair_op!("signal.convolve", |a, b, c| sig::convolve(
        a,
        b,
        mode(c)?,
        method(c)?,
        None
    )),
    pair_op!("signal.correlate", |a, b, c| sig::correlate(
        a,
        b,
        mode(c)?,
        method(c)?,
        None
    )),
    Op {
        name: "signal.phase_cross_correlation",
        run: phase_op,
    },
    pair_op!("signal.cross_correlate_circular", |a, b, c| {
        sig::cross_correlate_circular(a, b).map(|p| p.correlation.mapv(|v| num_cast(v, a)))
    }),
    Op {
        name: "signal.gaussian_kde",
        run: kde_op,
    },
    Op {
        name: "signal.integrate_box_1d",
        run: integrate_op,
    },
    float_op!("signal.fftshift", |a, c| sig::fftshift(
        a,
        &usize_list(c, "axes")?.unwrap_or_else(|| (0..a.ndim()).collect())
    )),
    float_op!("signal.ifftshift", |a, c| sig::ifftshift(
        a,
        &usize_list(c, "axes")?.unwrap_or_else(|| (0..a.ndim()).collect())
    )),
    float_op!("signal.radial_power_spectrum", |a, c| {
        let a2 = a
            .view()
            .into_dimensionality::<Ix2>()
            .map_err(|e| c.kernel_error(e))?;
        sig::radial_power_spectrum(&a2).map(|p| p.into_dyn().mapv(|v| num_cast(v, a)))
    }),
];

/// `v` in the element type of `like` (f64 results of f32 inputs come back as f32).
fn num_cast<T: ndkern_signal::Element>(v: f64, _like: &ArrayD<T>) -> T {
    T::of_f64(v)
}
