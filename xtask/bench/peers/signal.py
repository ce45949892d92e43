"""Signal rows (benches/common/signal.rs): numpy/scipy/scikit-image (the reference),
`scipy.fft` with all workers, numbagg's moving means for Q3 and KDEpy's FFTKDE for the
binned KDE rows. Inputs derive from `a` as the Rust side does (Q3 reference series =
a[:, 0, 0]; second image = a rolled by (3, -5))."""

import numpy as np

from .core import THREADS, Row, close, exact, optional

numbagg = optional("numbagg")
KDEpy = optional("KDEpy")

# ndkern's bound for its binned KDE (benches/common/signal.rs: linear binning, < 1e-4 of the
# peak). A binned peer is accepted within the same bound against the exact sum, and both
# errors are shown in the table.
KDE_BINNED_TOL = 1e-4


def peers():
    import scipy.fft as sf
    from scipy import signal as ss
    from scipy import stats

    def q3(a, w):
        win, trim = 361, 361 // 2 + 120
        n = a.shape[0]
        h = win // 2

        def pearson(m, y):
            m = m - m.mean(axis=0)
            y = y - y.mean()
            return np.tensordot(y, m, axes=(0, 0)) / np.sqrt((y * y).sum() * (m * m).sum(axis=0))

        def treat(x):
            d = ss.detrend(x, axis=0)
            cs = np.concatenate([np.zeros((1,) + x.shape[1:]), np.cumsum(d, axis=0)])
            i = np.arange(trim, n - trim)
            return (cs[i + h + 1] - cs[i - h]) / win

        def treat_nbg(x):
            # move_mean's window ends at t: the centred mean at i is move_mean[i + h].
            d = ss.detrend(x, axis=0)
            return numbagg.move_mean(d, window=win, axis=0)[trim + h:n - trim + h]

        routes = [("numpy: detrend + cumsum centred mean + vectorized pearson",
                   lambda: pearson(treat(a), treat(a[:, 0, 0])))]
        if numbagg is not None:
            routes.append(("numbagg: detrend + move_mean(d, 361, axis=0) + vectorized pearson",
                           lambda: pearson(treat_nbg(a), treat_nbg(a[:, 0, 0]))))
        return Row(routes, close(1e-9))

    def xcorr(a, w):
        b = np.roll(a, (3, -5), axis=(0, 1))

        def run(fft, **kw):
            def f():
                a0, b0 = a - a.mean(), b - b.mean()
                c = fft.irfft2(fft.rfft2(a0, **kw) * np.conj(fft.rfft2(b0, **kw)), s=a.shape, **kw)
                return np.unravel_index(c.argmax(), c.shape)
            return f

        return Row([("numpy: np.fft.irfft2(rfft2(a0) * conj(rfft2(b0))).argmax()", run(np.fft)),
                    ("scipy: scipy.fft.irfft2(...) argmax", run(sf)),
                    ("scipy: scipy.fft.irfft2(..., workers=-1) argmax (%d threads)" % THREADS,
                     run(sf, workers=-1))], exact())

    def phase(a, w):
        from skimage.registration import phase_cross_correlation
        b = np.roll(a, (3, -5), axis=(0, 1))

        def threaded():
            with sf.set_workers(-1):
                return phase_cross_correlation(a, b, upsample_factor=100)[0]

        return Row([("scikit-image: phase_cross_correlation(a, b, upsample_factor=100)",
                     lambda: phase_cross_correlation(a, b, upsample_factor=100)[0]),
                    ("scikit-image: phase_cross_correlation(...) in scipy.fft.set_workers(-1)",
                     threaded)], close(1e-9))

    def kde_check():
        return close(KDE_BINNED_TOL, approx=True)

    def kde(a, w):
        g = 1.0 + np.arange(2048) / 2047.0
        routes = [("scipy: stats.gaussian_kde(x)(grid2048)", lambda: stats.gaussian_kde(a)(g))]
        if KDEpy is not None and "binned" in w["name"]:
            # KDEpy's 'scott' is scipy's Scott bandwidth here (std * n^-1/5; its IQR guard
            # does not bind for this data). FFTKDE wants every point strictly inside its grid
            # and the data start at 1.0: the grid gets one more step on each side, dropped.
            ge = 1.0 + np.arange(-1, 2049) / 2047.0
            routes.append(("KDEpy: FFTKDE(bw='scott').fit(x).evaluate(grid2048 + 1 step each "
                           "side)[1:-1]",
                           lambda: KDEpy.FFTKDE(bw="scott").fit(a).evaluate(ge)[1:-1],
                           kde_check()))
            # The same width as a number skips KDEpy's percentile (IQR) step: ~2x faster, so
            # it is the stronger idiom; the std is computed inside the timing, as a user would.
            routes.append(("KDEpy: FFTKDE(bw=std(x, ddof=1) * n**-0.2).fit(x).evaluate(...)",
                           lambda: KDEpy.FFTKDE(bw=float(np.std(a, ddof=1)) * len(a) ** -0.2)
                           .fit(a).evaluate(ge)[1:-1],
                           kde_check()))
        return Row(routes, close(1e-9))

    def kde_2d(a, w):
        g = 1.0 + np.arange(64) / 63.0
        xx, yy = np.meshgrid(g, g, indexing="ij")
        pts = np.vstack([xx.ravel(), yy.ravel()])
        routes = [("scipy: stats.gaussian_kde(x)(grid64x64)", lambda: stats.gaussian_kde(a)(pts))]
        if KDEpy is not None and "binned" in w["name"]:
            # FFTKDE has one scalar bandwidth (an isotropic kernel); scipy and ndkern use the
            # data's full covariance. The nearest scalar: scipy's bandwidth matrix's
            # geometric-mean scale, sqrt(det(cov))^(1/2).
            # One more grid step on each side (FFTKDE wants the points strictly inside).
            ge = 1.0 + np.arange(-1, 65) / 63.0
            gx, gy = np.meshgrid(ge, ge, indexing="ij")
            grid = np.column_stack([gx.ravel(), gy.ravel()])
            xt = a.T.copy()

            def kdepy_2d():
                cov = np.cov(a) * len(a[0]) ** (-2.0 / 6.0)  # scipy's Scott factor, d = 2
                bw = np.sqrt(np.sqrt(np.linalg.det(cov)))
                return KDEpy.FFTKDE(bw=bw).fit(xt).evaluate(grid).reshape(66, 66)[1:-1, 1:-1]

            routes.append(("KDEpy: FFTKDE(bw=scalar Scott).fit(x.T).evaluate(grid66x66)[1:-1, "
                           "1:-1]",
                           kdepy_2d, kde_check()))
        return Row(routes, close(1e-9))

    def oaconvolve(a, w):
        k = a[:41]
        return Row([("scipy: ss.oaconvolve(a, a[:41])", lambda: ss.oaconvolve(a, k)),
                    ("scipy: ss.convolve(a, a[:41]) (method auto)", lambda: ss.convolve(a, k)),
                    ("numpy: np.convolve(a, a[:41])", lambda: np.convolve(a, k))], close(1e-12))

    return {
        "q3_pipeline": q3,
        "xcorr_circular": xcorr,
        "phase_cross_correlation": phase,
        "gaussian_kde": kde,
        "oaconvolve_41": oaconvolve,
        "gaussian_kde_2d": kde_2d,
    }
