"""Reference cases for ndkern-signal (tests/data/signal/): scipy.signal detrend / fftconvolve /
oaconvolve / convolve / correlate, pandas-equivalent rolling statistics written out in numpy, scipy.stats
pearsonr and gaussian_kde, scikit-image phase_cross_correlation, numpy fftshift and the numpy
idioms for circular cross-correlation and the radially averaged power spectrum.

Parameters use the counterpart's keyword names, floats and strings included (`type`, `mode`,
`bw_method`, `normalization`)."""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy import signal, stats
from skimage.registration import phase_cross_correlation

RTOL = {"float64": 1e-12, "float32": 1e-5}
DT = {"float64": "f64", "float32": "f32"}


# --- pandas Series.rolling semantics in numpy ---------------------------------------------

def rolling_np(x, window, min_periods, center, stat, ddof=1, axis=-1):
    """pandas `rolling(window, min_periods, center).<stat>()` along `axis`, by explicit windows
    (pandas FixedWindowIndexer bounds: end = i + 1 + offset, start = end - window, clipped;
    offset = (window - 1) // 2 when centred). NaN skipped and not counted."""
    x = np.moveaxis(np.asarray(x, dtype=np.float64), axis, -1)
    n = x.shape[-1]
    off = (window - 1) // 2 if center else 0
    mp = window if min_periods is None else min_periods
    out = np.full(x.shape, np.nan)
    for i in range(n):
        end = min(max(i + 1 + off, 0), n)
        start = min(max(i + 1 + off - window, 0), n)
        v = x[..., start:end]
        ok = ~np.isnan(v)
        cnt = ok.sum(-1)
        vz = np.where(ok, v, 0.0)
        s = vz.sum(-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            if stat == "sum":
                r = s
            elif stat == "mean":
                r = s / cnt
            else:
                m = s / cnt
                var = (np.where(ok, v - m[..., None], 0.0) ** 2).sum(-1) / (cnt - ddof)
                var = np.where(cnt > ddof, var, np.nan)
                r = np.sqrt(var) if stat == "std" else var
        out[..., i] = np.where(cnt >= mp, r, np.nan)
    return np.moveaxis(out, -1, axis)


def check_rolling_against_windows(rng):
    """Self-check of rolling_np against sliding_window_view on NaN-free data (trailing)."""
    x = rng.standard_normal(50)
    want = sliding_window_view(x, 7).mean(-1)
    got = rolling_np(x, 7, None, False, "mean")[6:]
    assert np.allclose(got, want, rtol=1e-14, atol=1e-14)


def generate(w, rng):
    check_rolling_against_windows(rng)
    detrend_cases(w, rng)
    rolling_cases(w, rng)
    pearson_cases(w, rng)
    conv_cases(w, rng)
    registration_cases(w, rng)
    kde_cases(w, rng)
    misc_cases(w, rng)
    # Last, so the random draws of the cases above (and their files) stay as they were.
    oaconvolve_cases(w, rng)


def detrend_cases(w, rng):
    for dtype in ("float64", "float32"):
        dt = DT[dtype]
        t = np.arange(40)
        a = (rng.standard_normal((3, 40, 5)) + 0.3 * t[None, :, None] - 4.0).astype(dtype)
        inp = w.save(f"detrend_in_{dt}.npy", a)
        for axis in (1, -1, 0):
            for typ in ("linear", "constant"):
                exp = signal.detrend(a, axis=axis, type=typ)
                assert exp.dtype == a.dtype
                w.case(f"detrend_{dt}_{typ}_axis{axis}".replace("-", "m"), "signal.detrend", [inp],
                       exp, RTOL[dtype], {"axis": axis, "type": typ})
        for bp in ([10, 25], [0, 1, 39], [20]):
            exp = signal.detrend(a, axis=1, type="linear", bp=bp)
            w.case(f"detrend_{dt}_linear_bp{'_'.join(map(str, bp))}", "signal.detrend", [inp], exp,
                   RTOL[dtype], {"axis": 1, "type": "linear", "bp": bp})
    # Fortran-order input.
    f = np.asfortranarray(rng.standard_normal((30, 6)) + np.arange(30)[:, None] * 0.1)
    inp = w.save("detrend_in_f64_fortran.npy", f)
    w.case("detrend_f64_fortran_axis0", "signal.detrend", [inp], signal.detrend(f, axis=0),
           RTOL["float64"], {"axis": 0, "type": "linear"})


def rolling_cases(w, rng):
    for dtype in ("float64", "float32"):
        dt = DT[dtype]
        a = (rng.standard_normal((4, 60)) * 2.0 + 10.0 + np.linspace(0, 5, 60)).astype(dtype)
        a[1, 7] = np.nan
        a[1, 30:34] = np.nan
        a[3, :] = np.nan
        a[2, 50] = np.nan
        inp = w.save(f"rolling_in_{dt}.npy", a)
        for stat in ("sum", "mean", "var", "std"):
            for window, mp, center in ((5, None, False), (5, 2, True), (6, 3, True), (60, 1, False),
                                       (1, None, False), (8, 0, False)):
                if stat in ("var", "std") and mp == 0:
                    continue
                params = {"axis": 1, "window": window, "center": center}
                if mp is not None:
                    params["min_periods"] = mp
                extra = {}
                if stat in ("var", "std"):
                    extra = {"ddof": 1}
                exp = rolling_np(a.astype(np.float64), window, mp, center, stat, axis=1, **extra)
                name = f"rolling_{stat}_{dt}_w{window}_mp{mp}_{'c' if center else 't'}"
                w.case(name, f"signal.rolling_{stat}", [inp], exp.astype(dtype), RTOL[dtype],
                       {**params, **extra})
    # Along axis 0 of a 3-D array, ddof 0.
    b = rng.standard_normal((30, 3, 4)) + 100.0
    inp = w.save("rolling_in_f64_3d.npy", b)
    for stat in ("mean", "var"):
        extra = {"ddof": 0} if stat == "var" else {}
        exp = rolling_np(b, 7, 3, True, stat, axis=0, **extra)
        w.case(f"rolling_{stat}_f64_3d_axis0", f"signal.rolling_{stat}", [inp], exp, RTOL["float64"],
               {"axis": 0, "window": 7, "min_periods": 3, "center": True, **extra})


def pearson_cases(w, rng):
    for dtype in ("float64", "float32"):
        dt = DT[dtype]
        y = rng.standard_normal(50)
        a = rng.standard_normal((3, 50, 4)) + 0.7 * y[None, :, None]
        a[1, 10, 2] = np.nan
        a = a.astype(dtype)
        y = y.astype(dtype)
        ia = w.save(f"pearson_a_{dt}.npy", a)
        iy = w.save(f"pearson_y_{dt}.npy", y)
        exp = stats.pearsonr(a.astype(np.float64), y.astype(np.float64)[None, :, None], axis=1).statistic
        w.case(f"pearson_r_{dt}_axis1", "signal.pearson_r", [ia, iy], exp.astype(dtype),
               RTOL[dtype], {"axis": 1})
        at = np.ascontiguousarray(np.moveaxis(a, 1, -1))
        it = w.save(f"pearson_a_{dt}_last.npy", at)
        exp = stats.pearsonr(at.astype(np.float64), y.astype(np.float64), axis=-1).statistic
        w.case(f"pearson_r_{dt}_axism1", "signal.pearson_r", [it, iy], exp.astype(dtype),
               RTOL[dtype], {"axis": -1})


def conv_cases(w, rng):
    for dtype in ("float64", "float32"):
        dt = DT[dtype]
        x1 = rng.standard_normal(57).astype(dtype)
        k1 = rng.standard_normal(9).astype(dtype)
        x2 = rng.standard_normal((20, 23)).astype(dtype)
        k2 = rng.standard_normal((5, 4)).astype(dtype)
        big = rng.standard_normal((6, 7)).astype(dtype)
        files = {n: w.save(f"conv_{n}_{dt}.npy", v) for n, v in
                 (("x1", x1), ("k1", k1), ("x2", x2), ("k2", k2), ("big", big))}
        for mode in ("full", "same", "valid"):
            for (a, b, an, bn) in ((x1, k1, "x1", "k1"), (x2, k2, "x2", "k2"), (k2, big, "k2", "big")):
                exp = signal.fftconvolve(a, b, mode=mode)
                w.case(f"fftconvolve_{dt}_{an}_{bn}_{mode}", "signal.fftconvolve",
                       [files[an], files[bn]], exp.astype(dtype), RTOL[dtype], {"mode": mode})
                for method in ("direct", "fft", "auto"):
                    exp = signal.correlate(a, b, mode=mode, method=method)
                    w.case(f"correlate_{dt}_{an}_{bn}_{mode}_{method}", "signal.correlate",
                           [files[an], files[bn]], exp.astype(dtype), RTOL[dtype],
                           {"mode": mode, "method": method})
                exp = signal.convolve(a, b, mode=mode, method="direct")
                w.case(f"convolve_{dt}_{an}_{bn}_{mode}_direct", "signal.convolve",
                       [files[an], files[bn]], exp.astype(dtype), RTOL[dtype],
                       {"mode": mode, "method": "direct"})
        # Along one axis of a 2-D pair (the other axis must match).
        k3 = rng.standard_normal((20, 6)).astype(dtype)
        f3 = w.save(f"conv_k3_{dt}.npy", k3)
        for mode in ("full", "same"):
            exp = signal.fftconvolve(x2, k3, mode=mode, axes=[1])
            w.case(f"fftconvolve_{dt}_x2_k3_axes1_{mode}", "signal.fftconvolve", [files["x2"], f3],
                   exp.astype(dtype), RTOL[dtype], {"mode": mode, "axes": [1]})


def oaconvolve_cases(w, rng):
    """scipy.signal.oaconvolve: a long signal with a short kernel (overlap-add engages), in
    both argument orders, 2-D along one axis with a length-1 (broadcast) kernel axis, and
    fftconvolve with broadcasting on a non-convolved axis."""
    for dtype in ("float64", "float32"):
        dt = DT[dtype]
        x = rng.standard_normal(2000).astype(dtype)
        k = rng.standard_normal(41).astype(dtype)
        ix, ik = w.save(f"oa_x_{dt}.npy", x), w.save(f"oa_k_{dt}.npy", k)
        for mode in ("full", "same", "valid"):
            exp = signal.oaconvolve(x, k, mode=mode)
            w.case(f"oaconvolve_{dt}_x_k_{mode}", "signal.oaconvolve", [ix, ik],
                   exp.astype(dtype), RTOL[dtype], {"mode": mode})
        exp = signal.oaconvolve(k, x, mode="full")
        w.case(f"oaconvolve_{dt}_k_x_full", "signal.oaconvolve", [ik, ix], exp.astype(dtype),
               RTOL[dtype], {"mode": "full"})
        rows = rng.standard_normal((2, 600)).astype(dtype)
        k1 = rng.standard_normal((1, 13)).astype(dtype)
        ir, ik1 = w.save(f"oa_rows_{dt}.npy", rows), w.save(f"oa_k1_{dt}.npy", k1)
        for mode in ("full", "same"):
            exp = signal.oaconvolve(rows, k1, mode=mode, axes=[1])
            w.case(f"oaconvolve_{dt}_rows_k1_axes1_{mode}", "signal.oaconvolve", [ir, ik1],
                   exp.astype(dtype), RTOL[dtype], {"mode": mode, "axes": [1]})
            exp = signal.fftconvolve(rows, k1, mode=mode, axes=[1])
            w.case(f"fftconvolve_{dt}_rows_k1_broadcast_{mode}", "signal.fftconvolve",
                   [ir, ik1], exp.astype(dtype), RTOL[dtype], {"mode": mode, "axes": [1]})


def smooth_image(rng, shape):
    img = rng.standard_normal(shape)
    f = np.fft.fftn(img)
    fy = np.fft.fftfreq(shape[0])[:, None]
    fx = np.fft.fftfreq(shape[1])[None, :]
    return np.real(np.fft.ifftn(f * np.exp(-(fy ** 2 + fx ** 2) * 200.0)))


def registration_cases(w, rng):
    # White noise on top of the smooth part keeps every Fourier bin well above rounding, so
    # phase normalization (which divides each bin by its magnitude) stays well conditioned.
    ref = smooth_image(rng, (48, 40))
    ref = ref + 0.2 * ref.std() * rng.standard_normal(ref.shape)
    ir = w.save("reg_reference.npy", ref)
    # Subpixel shift by the Fourier shift theorem, plus noise so the error is well conditioned.
    for k, (dy, dx) in enumerate(((3.0, -5.0), (-2.37, 4.61), (10.5, 0.25))):
        fy = np.fft.fftfreq(48)[:, None]
        fx = np.fft.fftfreq(40)[None, :]
        mov = np.real(np.fft.ifftn(np.fft.fftn(ref) * np.exp(-2j * np.pi * (fy * dy + fx * dx))))
        mov = mov + 0.05 * rng.standard_normal(mov.shape) * ref.std()
        im = w.save(f"reg_moving_{k}.npy", mov)
        for up in (1, 10, 100):
            for norm in ("phase", "none"):
                shift, err, phase = phase_cross_correlation(
                    ref, mov, upsample_factor=up, normalization=(None if norm == "none" else norm))
                exp = np.concatenate([shift, [err, phase]])
                w.case(f"phase_cross_correlation_{k}_up{up}_{norm}", "signal.phase_cross_correlation",
                       [ir, im], exp, 1e-9, {"upsample_factor": up, "normalization": norm},
                       note="expected = [shift..., error, phasediff]; rtol 1e-9 because error is "
                            "sqrt(1 - x) of FFT sums")
    # Circular cross-correlation surface of the mean-removed images (numpy idiom).
    a = rng.standard_normal((16, 21))
    b = np.roll(a, (3, -7), axis=(0, 1)) + 0.1 * rng.standard_normal(a.shape)
    ia, ib = w.save("xcorr_a.npy", a), w.save("xcorr_b.npy", b)
    a0, b0 = a - a.mean(), b - b.mean()
    corr = np.fft.irfft2(np.fft.rfft2(a0) * np.conj(np.fft.rfft2(b0)), s=a.shape)
    w.case("cross_correlate_circular_f64", "signal.cross_correlate_circular", [ia, ib], corr,
           RTOL["float64"], {})


def kde_cases(w, rng):
    x = rng.pareto(3.0, 300) + 0.0
    ix = w.save("kde_x.npy", x)
    pts = np.linspace(-1.0, 6.0, 41)
    ip = w.save("kde_pts.npy", pts)
    wts = rng.random(300) + 0.1
    iw = w.save("kde_weights.npy", wts)
    for bw in ("scott", "silverman", 0.3):
        k = stats.gaussian_kde(x, bw_method=bw)
        w.case(f"gaussian_kde_1d_{bw}", "signal.gaussian_kde", [ix, ip], k(pts), RTOL["float64"],
               {"bw_method": bw})
        kw = stats.gaussian_kde(x, bw_method=bw, weights=wts)
        w.case(f"gaussian_kde_1d_{bw}_weighted", "signal.gaussian_kde", [ix, ip, iw], kw(pts),
               RTOL["float64"], {"bw_method": bw})
    k = stats.gaussian_kde(x)
    for lo, hi in ((0.5, 2.0), (-np.inf, 1.0), (-5.0, 50.0)):
        v = np.array([k.integrate_box_1d(lo, hi)])
        w.case(f"integrate_box_1d_{lo}_{hi}".replace("-", "m").replace(".", "p"),
               "signal.integrate_box_1d", [ix], v, 1e-12, {"low": float(lo), "high": float(hi)})
    d2 = rng.standard_normal((2, 200))
    d2[1] = 0.6 * d2[0] + 0.8 * d2[1] + 1.0
    i2 = w.save("kde_2d.npy", d2)
    p2 = np.stack(np.meshgrid(np.linspace(-2, 2, 7), np.linspace(-1, 3, 6))).reshape(2, -1)
    ip2 = w.save("kde_2d_pts.npy", p2)
    for bw in ("scott", "silverman", 0.5):
        k2 = stats.gaussian_kde(d2, bw_method=bw)
        w.case(f"gaussian_kde_2d_{bw}", "signal.gaussian_kde", [i2, ip2], k2(p2), RTOL["float64"],
               {"bw_method": bw})


def misc_cases(w, rng):
    a = rng.standard_normal((5, 6, 7))
    ia = w.save("fftshift_in.npy", a)
    for axes in ([0], [1, 2], [0, 1, 2]):
        w.case(f"fftshift_axes{'_'.join(map(str, axes))}", "signal.fftshift", [ia],
               np.fft.fftshift(a, axes=axes), 0.0, {"axes": axes})
        w.case(f"ifftshift_axes{'_'.join(map(str, axes))}", "signal.ifftshift", [ia],
               np.fft.ifftshift(a, axes=axes), 0.0, {"axes": axes})
    # Radially averaged power spectrum, numpy idiom with bincount.
    for shape in ((32, 32), (24, 31)):
        img = smooth_image(rng, shape) + 0.1 * rng.standard_normal(shape)
        ii = w.save(f"rps_in_{shape[0]}x{shape[1]}.npy", img)
        p = np.abs(np.fft.fft2(img)) ** 2
        ky = np.fft.fftfreq(shape[0], 1.0 / shape[0])[:, None]
        kx = np.fft.fftfreq(shape[1], 1.0 / shape[1])[None, :]
        r = np.rint(np.sqrt(ky ** 2 + kx ** 2)).astype(int)
        kmax = int(np.rint(np.hypot(shape[0] // 2, shape[1] // 2)))
        with np.errstate(invalid="ignore"):
            prof = np.bincount(r.ravel(), p.ravel(), minlength=kmax + 1) / np.bincount(
                r.ravel(), minlength=kmax + 1)
        w.case(f"radial_power_spectrum_{shape[0]}x{shape[1]}", "signal.radial_power_spectrum",
               [ii], prof[: kmax + 1], RTOL["float64"], {})
