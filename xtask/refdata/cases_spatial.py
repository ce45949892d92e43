"""Reference cases for ndkern-spatial's window filters (tests/data/spatial/): scipy.ndimage
uniform_filter1d / uniform_filter / correlate1d / convolve1d / correlate / convolve /
gaussian_filter1d / gaussian_filter and numpy.gradient, for every border mode x dtype x
(1-D, 2-D, 3-D) x odd/even sizes, kernels longer than the input, and origins.

Parameters use scipy's keyword names (`size`, `axis`, `mode`, `cval`, `origin`, `sigma`,
`order`, `truncate`, `radius`; numpy.gradient: `varargs` for a scalar spacing, `axis`,
`edge_order`). float32 inputs: scipy computes in double and rounds the output to float32,
so the float32 expected values are scipy's own float32 results (rtol 1e-5).

generate.py's manifest writer writes ints, bools and lists only; float and string parameters
need it extended (same approach as cases_signal.py, done once per run)."""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy import ndimage

RTOL = {"float64": 1e-12, "float32": 1e-5}
DT = {"float64": "f64", "float32": "f32"}
MODES = [("constant", 0.0), ("constant", 1.5), ("nearest", 0.0), ("reflect", 0.0),
         ("mirror", 0.0), ("wrap", 0.0)]
SHAPES = {"1d": (13,), "2d": (6, 7), "3d": (4, 5, 3)}


def mode_tag(mode, cval):
    return mode if cval == 0.0 else f"{mode}{cval:g}".replace(".", "p").replace("-", "m")


def mode_params(mode, cval):
    p = {"mode": mode}
    if cval != 0.0:
        p["cval"] = float(cval)
    return p


def generate(w, rng):
    inputs = {}
    for dtype in ("float64", "float32"):
        for tag, shape in SHAPES.items():
            a = (rng.standard_normal(shape) * 2.0 + 0.5).astype(dtype)
            inputs[(dtype, tag)] = (a, w.save(f"in_{DT[dtype]}_{tag}.npy", a))
    kernels = {}

    def kernel(name, arr):
        if name not in kernels:
            kernels[name] = (arr, w.save(f"k_{name}.npy", np.asarray(arr, dtype=np.float64)))
        return kernels[name]

    w1 = {n: kernel(f"w1_{n}", rng.standard_normal(n)) for n in (4, 5, 16)}
    for dtype in ("float64", "float32"):
        dt, rtol = DT[dtype], RTOL[dtype]
        for tag, shape in SHAPES.items():
            a, inp = inputs[(dtype, tag)]
            nd = len(shape)
            for mode, cval in MODES:
                mt = mode_tag(mode, cval)
                mp = mode_params(mode, cval)
                pre = f"{dt}_{tag}_{mt}"
                # uniform_filter1d: odd, even with origin, longer than the input
                for size, axis, origin in ((3, -1, 0), (4, 0, -1), (15, 0, 0)):
                    exp = ndimage.uniform_filter1d(a, size, axis=axis, mode=mode, cval=cval,
                                                   origin=origin)
                    w.case(f"uniform_filter1d_{pre}_s{size}_ax{axis}_o{origin}".replace("-", "m"),
                           "spatial.uniform_filter1d", [inp], exp, rtol,
                           dict(size=size, axis=axis, origin=origin, **mp))
                # uniform_filter: one size; per-axis sizes and origins
                exp = ndimage.uniform_filter(a, 3, mode=mode, cval=cval)
                w.case(f"uniform_filter_{pre}_s3", "spatial.uniform_filter", [inp], exp, rtol,
                       dict(size=3, **mp))
                sizes = [2, 5, 8][:nd]
                origins = [-1, 1, 0][:nd]
                exp = ndimage.uniform_filter(a, sizes, mode=mode, cval=cval, origin=origins)
                w.case(f"uniform_filter_{pre}_sizes_origins", "spatial.uniform_filter", [inp],
                       exp, rtol, dict(size=sizes, origin=origins, **mp))
                # correlate1d / convolve1d
                for n, axis, origin in ((5, -1, 0), (4, 0, 1), (16, 0, 0)):
                    wk, wf = w1[n]
                    exp = ndimage.correlate1d(a, wk, axis=axis, mode=mode, cval=cval,
                                              origin=origin)
                    w.case(f"correlate1d_{pre}_n{n}_ax{axis}_o{origin}".replace("-", "m"),
                           "spatial.correlate1d", [inp, wf], exp, rtol,
                           dict(axis=axis, origin=origin, **mp))
                    if n != 16:
                        exp = ndimage.convolve1d(a, wk, axis=axis, mode=mode, cval=cval,
                                                 origin=origin)
                        w.case(f"convolve1d_{pre}_n{n}_ax{axis}_o{origin}".replace("-", "m"),
                               "spatial.convolve1d", [inp, wf], exp, rtol,
                               dict(axis=axis, origin=origin, **mp))
                # correlate / convolve: dense odd, dense even with origin, longer than input,
                # separable (outer product)
                dense = kernel(f"dense3_{tag}", rng.standard_normal((3,) * nd))
                even = kernel(f"even_{tag}", rng.standard_normal([2, 4, 3][:nd]))
                big = kernel(f"big_{tag}", rng.standard_normal([15, 8, 5][:nd]))
                vecs = [np.array([1.0, 2.0, 1.0]), np.array([-1.0, 0.0, 1.0, 0.5]),
                        np.array([0.25, 0.5])][:nd]
                sep = np.asarray(vecs[0])
                for v in vecs[1:]:
                    sep = np.multiply.outer(sep, v)
                sepk = kernel(f"sep_{tag}", sep)
                for kname, (k, kf), origin in (("dense3", dense, 0), ("even", even, -1),
                                               ("big", big, 0), ("sep", sepk, 0)):
                    exp = ndimage.correlate(a, k, mode=mode, cval=cval, origin=origin)
                    w.case(f"correlate_{pre}_{kname}_o{origin}".replace("-", "m"),
                           "spatial.correlate", [inp, kf], exp, rtol,
                           dict(origin=origin, **mp))
                    if kname in ("dense3", "even"):
                        exp = ndimage.convolve(a, k, mode=mode, cval=cval, origin=origin)
                        w.case(f"convolve_{pre}_{kname}_o{origin}".replace("-", "m"),
                               "spatial.convolve", [inp, kf], exp, rtol,
                               dict(origin=origin, **mp))
                # gaussian_filter1d: orders 0..3, truncate, explicit radius
                for sigma, order, axis, extra in ((1.5, 0, -1, {}), (0.8, 1, 0, {}),
                                                  (1.2, 2, -1, {"truncate": 2.5}),
                                                  (2.0, 3, 0, {}), (3.0, 0, 0, {"radius": 2}),
                                                  (6.0, 0, -1, {})):
                    exp = ndimage.gaussian_filter1d(a, sigma, axis=axis, order=order, mode=mode,
                                                    cval=cval, **extra)
                    name = f"gaussian_filter1d_{pre}_sig{sigma:g}_ord{order}_ax{axis}"
                    name += "".join(f"_{k}{v:g}" for k, v in extra.items())
                    w.case(name.replace("-", "m").replace(".", "p"), "spatial.gaussian_filter1d",
                           [inp], exp, rtol,
                           dict(sigma=float(sigma), axis=axis, order=order, **mp,
                                **{k: (float(v) if k == "truncate" else v)
                                   for k, v in extra.items()}))
                # gaussian_filter: one sigma; per-axis sigmas (one zero) and orders
                exp = ndimage.gaussian_filter(a, 1.0, mode=mode, cval=cval)
                w.case(f"gaussian_filter_{pre}_sig1", "spatial.gaussian_filter", [inp], exp,
                       rtol, dict(sigma=1.0, **mp))
                sig = [0.7, 0.0, 1.9][:nd]
                orders = [1, 0, 2][:nd]
                exp = ndimage.gaussian_filter(a, sig, order=orders, mode=mode, cval=cval)
                w.case(f"gaussian_filter_{pre}_sigmas_orders", "spatial.gaussian_filter", [inp],
                       exp, rtol, dict(sigma=[float(s) for s in sig], order=orders, **mp))
            # numpy.gradient per axis: scalar spacing, edge orders 1 and 2
            for axis in range(nd):
                for edge_order in (1, 2):
                    exp = np.gradient(a, 0.5, axis=axis, edge_order=edge_order)
                    w.case(f"gradient_{dt}_{tag}_ax{axis}_e{edge_order}", "spatial.gradient",
                           [inp], exp, rtol,
                           dict(varargs=0.5, axis=axis, edge_order=edge_order))
            # coordinates along axis 0 (non-uniform)
            x = np.cumsum(rng.uniform(0.5, 1.5, shape[0]))
            xf = w.save(f"coords_{dt}_{tag}.npy", x)
            for edge_order in (1, 2):
                exp = np.gradient(a, x, axis=0, edge_order=edge_order)
                assert exp.dtype == a.dtype
                w.case(f"gradient_{dt}_{tag}_coords_e{edge_order}", "spatial.gradient",
                       [inp, xf], exp, rtol, dict(axis=0, edge_order=edge_order))
    nan_cases(w)


def nan_cases(w):
    """scipy issue 7818: scipy's running sum in uniform_filter1d lets one NaN spread to the end
    of the line. ndkern keeps it in its windows; the expected value is the intent, computed
    with numpy sliding windows, and the note says how far scipy's own answer is off."""
    a = np.arange(20.0)
    a[4] = np.nan
    inp = w.save("in_f64_nan_line.npy", a)
    padded = np.pad(a, 1, mode="symmetric")
    intent = sliding_window_view(padded, 3).mean(axis=-1)
    scipy_res = ndimage.uniform_filter1d(a, 3, mode="reflect")
    spread = int(np.isnan(scipy_res).sum())
    w.case("uniform_filter1d_f64_nan_scipy7818_intent", "spatial.uniform_filter1d", [inp],
           intent, RTOL["float64"], dict(size=3, mode="reflect"),
           note=f"scipy issue 7818: scipy's result has {spread} NaN outputs (expected 3); "
                "expected = numpy sliding-window mean")
    # correlate1d: scipy's direct sum keeps NaN local; reference is scipy's own
    exp = ndimage.correlate1d(a, [1.0, 2.0, 3.0, 4.0], mode="nearest")
    k = w.save("k_nan_w4.npy", np.array([1.0, 2.0, 3.0, 4.0]))
    w.case("correlate1d_f64_nan_local", "spatial.correlate1d", [inp, k], exp, RTOL["float64"],
           dict(mode="nearest"))
