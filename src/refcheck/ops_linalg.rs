//! Ops of ndkern-linalg, named after their numpy/scipy/scikit-image counterparts
//! (`linalg.<function>`), with that counterpart's keyword names as parameters.
//!
//! Multi-input ops take every input in one dtype (the first input's). `linalg.cdist` and
//! `linalg.pdist` take scipy's `metric` string (`"sqmahalanobis"`, Q2's squared Mahalanobis,
//! is ndkern's addition: scipy has no string for it).

use ndarray::{ArrayD, Axis, Ix1, IxDyn};
use ndkern_linalg as la;

use super::{Call, Error, Op, Value};

/// The inputs of a case as f64 or f32 arrays (all the first input's dtype).
enum Inputs<'a> {
    F64(Vec<&'a ArrayD<f64>>),
    F32(Vec<&'a ArrayD<f32>>),
}

fn inputs<'a>(c: &Call<'a>, min: usize, max: usize) -> Result<Inputs<'a>, Error> {
    let n = c.inputs.len();
    if n < min || n > max {
        return Err(c.invalid(
            "inputs",
            format!("takes {min}..={max} input files, the manifest lists {n}"),
        ));
    }
    match c.inputs[0] {
        Value::F64(_) => c
            .inputs
            .iter()
            .map(|v| match v {
                Value::F64(a) => Ok(a),
                other => Err(c.unsupported_dtype(other)),
            })
            .collect::<Result<_, _>>()
            .map(Inputs::F64),
        Value::F32(_) => c
            .inputs
            .iter()
            .map(|v| match v {
                Value::F32(a) => Ok(a),
                other => Err(c.unsupported_dtype(other)),
            })
            .collect::<Result<_, _>>()
            .map(Inputs::F32),
        other => Err(c.unsupported_dtype(other)),
    }
}

/// Runs `$body` with `$a: Vec<&ArrayD<T>>` for the case's dtype `T`.
macro_rules! multi_op {
    ($name:literal, $min:literal..=$max:literal, |$a:ident, $c:ident| $body:expr) => {
        Op {
            name: $name,
            run: |$c: &Call<'_>| -> Result<Value, Error> {
                match inputs($c, $min, $max)? {
                    Inputs::F64($a) => Ok(Value::from(($body).map_err(|e| $c.kernel_error(e))?)),
                    Inputs::F32($a) => Ok(Value::from(($body).map_err(|e| $c.kernel_error(e))?)),
                }
            },
        }
    };
}

fn vec1<T: Clone>(a: &ArrayD<T>, name: &'static str) -> Result<ndarray::Array1<T>, la::Error> {
    a.clone()
        .into_dimensionality::<Ix1>()
        .map_err(|_| la::Error::InvalidParameter {
            name,
            reason: format!("expected a 1-D array, got shape {:?}", a.shape()),
        })
}

/// `np.polyfit(x, y, deg, w=w)`: y 1-D, or 2-D with one fit per column (numpy's layout
/// `(deg + 1, K)`).
fn polyfit_op<T: la::Element>(a: &[&ArrayD<T>], deg: usize) -> la::Result<ArrayD<T>> {
    let x = vec1(a[0], "x")?;
    let w: Option<Vec<f64>> = a.get(2).map(|w| w.iter().map(|v| v.as_f64()).collect());
    let fit = |y: ndarray::Array1<T>| -> la::Result<Vec<T>> {
        Ok(la::polyfit(&x, &y, deg, w.as_deref())?
            .to_monomial()
            .into_iter()
            .map(T::of_f64)
            .collect())
    };
    match a[1].ndim() {
        1 => Ok(
            ArrayD::from_shape_vec(IxDyn(&[deg + 1]), fit(vec1(a[1], "y")?)?)
                .expect("deg + 1 coefficients"),
        ),
        2 => {
            let k = a[1].shape()[1];
            let mut out = ArrayD::zeros(IxDyn(&[deg + 1, k]));
            for (j, col) in a[1].axis_iter(Axis(1)).enumerate() {
                let c = fit(col.iter().copied().collect())?;
                for (i, v) in c.into_iter().enumerate() {
                    out[[i, j]] = v;
                }
            }
            Ok(out)
        }
        _ => Err(la::Error::InvalidParameter {
            name: "y",
            reason: "y must be 1-D or 2-D (one fit per column)".into(),
        }),
    }
}

/// `numpy.polynomial.chebyshev.chebfit(x, y, deg)`.
fn chebfit_op<T: la::Element>(a: &[&ArrayD<T>], deg: usize) -> la::Result<ArrayD<T>> {
    let v = la::chebfit(&vec1(a[0], "x")?, &vec1(a[1], "y")?, deg, None)?;
    Ok(
        ArrayD::from_shape_vec(IxDyn(&[v.len()]), v.into_iter().map(T::of_f64).collect())
            .expect("1-D"),
    )
}

fn mat2<T: Clone>(a: &ArrayD<T>, name: &'static str) -> Result<ndarray::Array2<T>, la::Error> {
    a.clone()
        .into_dimensionality::<ndarray::Ix2>()
        .map_err(|_| la::Error::InvalidParameter {
            name,
            reason: format!("expected a 2-D array, got shape {:?}", a.shape()),
        })
}

/// `scipy.spatial.distance.cdist` / `pdist` with scipy's `metric` string; the optional
/// last input is `w` (weighted Euclidean) or `VI` (Mahalanobis).
fn cdist_op<T: la::Element>(
    a: &[&ArrayD<T>],
    metric: &str,
    pairwise: bool,
) -> la::Result<ArrayD<T>> {
    let xa = mat2(a[0], "XA")?;
    let extra = if pairwise { a.get(1) } else { a.get(2) };
    let m = match (metric, extra) {
        ("sqeuclidean", None) => la::Metric::SqEuclidean,
        ("euclidean", None) => la::Metric::Euclidean,
        ("sqeuclidean", Some(w)) => la::Metric::SqWeighted(w.iter().map(|v| v.as_f64()).collect()),
        ("euclidean", Some(w)) => la::Metric::Weighted(w.iter().map(|v| v.as_f64()).collect()),
        ("mahalanobis", Some(vi)) => la::Metric::Mahalanobis(mat2(vi, "VI")?.mapv(|v| v.as_f64())),
        ("sqmahalanobis", Some(vi)) => {
            la::Metric::SqMahalanobis(mat2(vi, "VI")?.mapv(|v| v.as_f64()))
        }
        _ => {
            return Err(la::Error::InvalidParameter {
                name: "inputs",
                reason: format!(
                    "metric {metric:?} with {} extra input(s): use sqeuclidean/euclidean \
                     (optional w) or mahalanobis/sqmahalanobis (with VI)",
                    usize::from(extra.is_some())
                ),
            })
        }
    };
    if pairwise {
        Ok(la::pdist(&xa, &m)?.into_dyn())
    } else {
        Ok(la::cdist(&xa, &mat2(a[1], "XB")?, &m)?.into_dyn())
    }
}

/// `scipy.cluster.vq.kmeans2(data, k=init, iter, minit='matrix')` with scipy's own
/// conventions, which are not those of [`la::kmeans`] (scikit-learn's): exactly `iter`
/// rounds, no early stop, of "label every point with its nearest centroid
/// ([`la::nearest`], scipy's `vq`), move every centroid to the mean of its points"; a
/// cluster left empty keeps its previous centroid (scipy's `missing='warn'`; `la::kmeans`
/// moves it to the farthest point, like scikit-learn); the labels returned are those of
/// the last assignment, made before the last update (`la::kmeans` returns the assignment of
/// its final centroids). The reference cases converge without an empty cluster, where the
/// two conventions agree; this op follows scipy everywhere else too.
/// Returns `(centroids, labels)`.
#[allow(clippy::type_complexity)]
fn kmeans2_op<T: la::Element>(
    a: &[&ArrayD<T>],
    iter: usize,
) -> la::Result<(ndarray::Array2<f64>, ndarray::Array1<usize>)> {
    let x = mat2(a[0], "data")?.mapv(|v| v.as_f64());
    let mut c = mat2(a[1], "k")?.mapv(|v| v.as_f64());
    if iter < 1 {
        return Err(la::Error::InvalidParameter {
            name: "iter",
            reason: format!("Invalid iter ({iter}), must be a positive integer."),
        });
    }
    let (k, d) = c.dim();
    let mut labels = ndarray::Array1::<usize>::zeros(x.nrows());
    for _ in 0..iter {
        labels = la::nearest(&x, &c)?.0;
        let mut sums = ndarray::Array2::<f64>::zeros((k, d));
        let mut counts = vec![0usize; k];
        for (row, &l) in x.rows().into_iter().zip(&labels) {
            counts[l] += 1;
            let mut s = sums.row_mut(l);
            s += &row;
        }
        for (j, &cnt) in counts.iter().enumerate() {
            if cnt > 0 {
                let m = &sums.row(j) / cnt as f64;
                c.row_mut(j).assign(&m);
            }
        }
    }
    Ok((c, labels))
}

fn to_t<T: la::Element>(a: ndarray::ArrayD<f64>) -> ArrayD<T> {
    a.mapv(T::of_f64)
}

fn kmeans2_centroids<T: la::Element>(a: &[&ArrayD<T>], iter: usize) -> la::Result<ArrayD<T>> {
    Ok(to_t(kmeans2_op(a, iter)?.0.into_dyn()))
}

fn pca_variance<T: la::Element>(a: &ArrayD<T>, k: usize) -> la::Result<ArrayD<T>> {
    Ok(to_t(
        la::pca(&mat2(a, "x")?, k, false)?
            .explained_variance
            .into_dyn(),
    ))
}

fn kernel_op<T: la::Element>(a: &[&ArrayD<T>], size: &[usize]) -> la::Result<ArrayD<T>> {
    Ok(to_t(la::estimate_kernel(
        a[0],
        a[1],
        size,
        la::KernelMode::Correlate,
    )?))
}

/// Planes stacked along a new first axis (skimage's list of `H_elems` as one array).
fn stack0<T: la::Element>(planes: Vec<ArrayD<T>>) -> la::Result<ArrayD<T>> {
    let views: Vec<_> = planes.iter().map(|p| p.view()).collect();
    ndarray::stack(Axis(0), &views).map_err(|e| la::Error::InvalidParameter {
        name: "planes",
        reason: e.to_string(),
    })
}

/// Planes of a stacked `(k, ...)` array.
fn unstack0<T: la::Element>(a: &ArrayD<T>) -> Vec<ArrayD<T>> {
    a.axis_iter(Axis(0)).map(|p| p.to_owned()).collect()
}

/// Q12: eigenvalues (ascending, last axis) of the np.gradient-twice Hessian.
fn hessian_eigvalsh_op<T: la::Element>(a: &ArrayD<T>) -> la::Result<ArrayD<T>> {
    let l = la::hessian_eigvalsh(a, la::EigOrder::Ascending)?;
    let views: Vec<_> = l.iter().map(|p| p.view()).collect();
    ndarray::stack(Axis(a.ndim()), &views).map_err(|e| la::Error::InvalidParameter {
        name: "image",
        reason: e.to_string(),
    })
}

fn frangi_op<T: la::Element>(a: &ArrayD<T>, c: &Call<'_>) -> Result<la::Result<ArrayD<T>>, Error> {
    let sigmas: Vec<f64> = match c.param("sigmas") {
        None => la::FrangiOptions::default().sigmas,
        Some(toml::Value::Array(v)) => v
            .iter()
            .map(|x| x.as_float().or(x.as_integer().map(|i| i as f64)))
            .collect::<Option<_>>()
            .ok_or_else(|| c.invalid("sigmas", "expected a list of numbers"))?,
        Some(_) => return Err(c.invalid("sigmas", "expected a list of numbers")),
    };
    let opts = la::FrangiOptions {
        sigmas,
        alpha: c.f64_or("alpha", 0.5)?,
        beta: c.f64_or("beta", 0.5)?,
        gamma: match c.param("gamma") {
            None => None,
            Some(_) => Some(c.f64_or("gamma", 1.0)?),
        },
        black_ridges: c.bool_or("black_ridges", true)?,
        mode: ndkern_core::BorderMode::from_scipy(
            c.str_or("mode", "reflect")?,
            c.f64_or("cval", 0.0)?,
        )
        .map_err(|e| c.invalid("mode", e.to_string()))?,
    };
    Ok(la::frangi(a, &opts))
}

/// ndkern-linalg: eigenvalues, polynomials, interpolation.
pub(super) const LINALG_OPS: &[Op] = &[
    float_op!("linalg.eigvalsh", |a, c| la::eigvalsh(a)),
    multi_op!("linalg.polyfit", 2..=3, |a, c| polyfit_op(
        &a,
        c.usize_or("deg", 1)?
    )),
    multi_op!("linalg.polyval", 2..=2, |a, c| vec1(a[0], "p")
        .and_then(|p| la::polyval(p.as_slice().expect("owned 1-D"), a[1]))),
    multi_op!("linalg.chebfit", 2..=2, |a, c| chebfit_op(
        &a,
        c.usize_or("deg", 1)?
    )),
    multi_op!("linalg.chebval", 2..=2, |a, c| vec1(a[1], "c").and_then(
        |cf| {
            let cf: Vec<f64> = cf.iter().map(|v| ndkern_core::Sample::as_f64(*v)).collect();
            la::chebval(a[0], &cf)
        }
    )),
    multi_op!("linalg.barycentric_interpolate", 3..=3, |a, c| vec1(
        a[0], "xi"
    )
    .and_then(|xi| la::interpolate(&xi, &vec1(a[1], "yi")?))
    .and_then(|p| p.eval_array(a[2]))),
    multi_op!("linalg.cdist", 2..=3, |a, c| cdist_op(
        &a,
        c.str_or("metric", "euclidean")?,
        false
    )),
    multi_op!("linalg.pdist", 1..=2, |a, c| cdist_op(
        &a,
        c.str_or("metric", "euclidean")?,
        true
    )),
    multi_op!("linalg.vq", 2..=2, |a, c| mat2(a[1], "code_book")
        .and_then(|cb| la::nearest(a[0], &cb))
        .map(|(labels, _)| labels.mapv(|l| l as i64))),
    multi_op!("linalg.kmeans2", 2..=2, |a, c| kmeans2_centroids(
        &a,
        c.usize_or("iter", 10)?
    )),
    multi_op!("linalg.kmeans2_labels", 2..=2, |a, c| kmeans2_op(
        &a,
        c.usize_or("iter", 10)?
    )
    .map(|r| r.1.mapv(|l| l as i64).into_dyn())),
    float_op!("linalg.pca", |a, c| {
        let k = c.usize_or("n_components", 1)?;
        let whiten = c.bool_or("whiten", false)?;
        mat2(a, "x").and_then(|x| la::pca(&x, k, whiten)?.transform(&x).map(|t| t.into_dyn()))
    }),
    float_op!("linalg.pca_explained_variance", |a, c| {
        let k = c.usize_or("n_components", 1)?;
        pca_variance(a, k)
    }),
    multi_op!("linalg.estimate_kernel", 2..=2, |a, c| {
        let size: Vec<usize> = match c.param("size") {
            Some(toml::Value::Array(v)) => v
                .iter()
                .map(|x| x.as_integer().and_then(|i| usize::try_from(i).ok()))
                .collect::<Option<_>>()
                .ok_or_else(|| c.invalid("size", "expected a list of non-negative integers"))?,
            _ => return Err(c.invalid("size", "expected a list of kernel lengths")),
        };
        kernel_op(&a, &size)
    }),
    float_op!("linalg.detrend", |a, c| {
        let axis = c.usize_or("axis", a.ndim().saturating_sub(1))?;
        la::level(a, axis)
    }),
    float_op!("linalg.hessian", |a, c| la::hessian(a).and_then(stack0)),
    float_op!("linalg.hessian_eigvalsh", |a, c| hessian_eigvalsh_op(a)),
    float_op!("linalg.hessian_matrix", |a, c| {
        let sigma = c.f64_or("sigma", 1.0)?;
        let mode = ndkern_core::BorderMode::from_scipy(
            c.str_or("mode", "constant")?,
            c.f64_or("cval", 0.0)?,
        )
        .map_err(|e| c.invalid("mode", e.to_string()))?;
        let gauss = c.bool_or("use_gaussian_derivatives", false)?;
        la::hessian_matrix(a, sigma, mode, gauss).and_then(stack0)
    }),
    float_op!("linalg.hessian_matrix_eigvals", |a, c| la::hessian_eigvals(
        &unstack0(a),
        la::EigOrder::Descending
    )
    .and_then(stack0)),
    float_op!("linalg.frangi", |a, c| frangi_op(a, c)?),
];
