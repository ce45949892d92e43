"""numpy peers for `cargo xtask bench --peers`.

Usage: peers.py SUITE_JSON

Reads the workloads that benches/suite.rs just timed (name, shape, dtype, axes, peer), builds
the same data (the suite's formula: value i = 1 + frac(i * 0x9E3779B97F4A7C15 / 2**64) to 53
bits, numpy's uint64 arithmetic wraps exactly like Rust's wrapping_mul), times every numpy
idiom listed for the workload's peer with the suite's repetition policy, and prints JSON to
stdout: {"meta": {...}, "results": {name: {"median_s", "min_s", "idiom", "candidates"}}}.
Where a task has several idioms, the best median is the peer (a fair fight is against the
fastest thing a numpy user would write).

xtask runs this in target/bench-venv (numpy/scipy pinned in requirements.txt) with
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from the environment: they are set on some
machines here and slow a current numpy.
"""

import gc
import json
import os
import platform
import sys
import time

import numpy as np

try:  # OpenCV is a peer for the 2-D window rows; optional so numpy-only venvs still work.
    import cv2

    REFLECT = cv2.BORDER_REFLECT
except ImportError:
    cv2 = None

# Same repetition policy as benches/suite.rs: (min_reps, max_reps, budget_s, min_sample_s).
POLICY = {
    "smoke": (1, 1, 0.0, 0.0),
    "quick": (3, 7, 0.7, 0.005),
    "full": (10, 200, 3.0, 0.020),
}


def data(shape, dtype):
    """The suite's deterministic data, built in chunks to bound temporaries."""
    n = int(np.prod(shape, dtype=np.int64))
    out = np.empty(n, dtype=dtype)
    step = 1 << 23
    mul = np.uint64(0x9E3779B97F4A7C15)
    for s in range(0, n, step):
        e = min(n, s + step)
        i = np.arange(s, e, dtype=np.uint64)
        h = (i * mul) >> np.uint64(11)
        out[s:e] = 1.0 + h.astype(np.float64) * (2.0**-53)
    return out.reshape(shape)


def axis_arg(axes):
    """numpy's axis argument and how a user would spell it."""
    if axes is None:
        return None, ""
    if len(axes) == 1:
        return axes[0], "axis=%d" % axes[0]
    return tuple(axes), "axis=(%s)" % ", ".join(str(x) for x in axes)


def peers_sum(a, axes):
    ax, s = axis_arg(axes)
    return [("a.sum(%s)" % s, lambda: a.sum(axis=ax))]


def peers_mean(a, axes):
    ax, s = axis_arg(axes)
    return [("a.mean(%s)" % s, lambda: a.mean(axis=ax))]


def peers_var(a, axes):
    ax, s = axis_arg(axes)
    return [("a.var(%s)" % s, lambda: a.var(axis=ax))]


def peers_norm_l2(a, axes):
    ax, s = axis_arg(axes)
    letters = "ijklmnopqrstuvwxyz"[: a.ndim]
    kept = "".join(c for d, c in enumerate(letters) if axes is not None and d not in axes)
    sub = "%s,%s->%s" % (letters, letters, kept)
    return [
        ("np.sqrt(np.einsum('%s', a, a))" % sub, lambda: np.sqrt(np.einsum(sub, a, a))),
        ("np.sqrt((a*a).sum(%s))" % s, lambda: np.sqrt((a * a).sum(axis=ax))),
    ]


# Peer name (the suite's `Workload::peer`) -> idioms. Add one entry per new numpy task.
PEERS = {
    "sum": peers_sum,
    "mean": peers_mean,
    "var": peers_var,
    "norm_l2": peers_norm_l2,
}


def _spatial_peers():
    """scipy.ndimage idioms for benches/common/spatial.rs (same parameters, mode "reflect")."""
    from scipy import ndimage as ndi

    def k15():
        return data((15, 15), np.float64) / 225.0

    def q18(a):
        b = 3.0 - a
        return ndi.uniform_filter(a * a - b * b, 3, mode="constant") * 9.0

    def local(a):
        m = ndi.uniform_filter(a, 15)
        return m, ndi.uniform_filter(a * a, 15) - m * m

    def with_cv2(a, scipy_route, cv2_route):
        """scipy's idiom, plus OpenCV's for 2-D images (scipy's mode "reflect" is
        cv2.BORDER_REFLECT: d c b a | a b c d). OpenCV runs on its own thread pool."""
        routes = [scipy_route]
        if cv2 is not None and a.ndim == 2:
            routes.append(cv2_route)
        return routes

    def cv2_local(a):
        m = cv2.blur(a, (15, 15), borderType=REFLECT)
        return m, cv2.blur(a * a, (15, 15), borderType=REFLECT) - m * m

    def cv2_q18(a):
        b = 3.0 - a
        return cv2.boxFilter(a * a - b * b, -1, (3, 3), normalize=False,
                             borderType=cv2.BORDER_CONSTANT)

    def cv2_gauss(a, sigma):
        r = int(4.0 * sigma + 0.5)  # scipy's radius for truncate=4.0
        return cv2.GaussianBlur(a, (2 * r + 1, 2 * r + 1), sigma, borderType=REFLECT)

    def uniform(size):
        return lambda a, axes: with_cv2(
            a, ("ndi.uniform_filter(a, %d)" % size, lambda: ndi.uniform_filter(a, size)),
            ("cv2.blur(a, (%d, %d), borderType=BORDER_REFLECT)" % (size, size),
             lambda: cv2.blur(a, (size, size), borderType=REFLECT)))

    def uniform_out(size):
        """The `_into` rows: both peers write into one preallocated, faulted-in output."""
        def routes(a, axes):
            out = np.ones_like(a)
            return with_cv2(
                a, ("ndi.uniform_filter(a, %d, output=out)" % size,
                    lambda: ndi.uniform_filter(a, size, output=out)),
                ("cv2.blur(a, (%d, %d), dst=out, borderType=BORDER_REFLECT)" % (size, size),
                 lambda: cv2.blur(a, (size, size), dst=out, borderType=REFLECT)))
        return routes

    def gauss(sigma, label):
        return lambda a, axes: with_cv2(
            a, ("ndi.gaussian_filter(a, %s)" % label, lambda: ndi.gaussian_filter(a, sigma)),
            ("cv2.GaussianBlur(a, (2r+1, 2r+1), %s, BORDER_REFLECT)" % label,
             lambda: cv2_gauss(a, sigma)))

    def correlate15(a, axes):
        k = k15()
        return with_cv2(a, ("ndi.correlate(a, k15x15)", lambda: ndi.correlate(a, k)),
                        ("cv2.filter2D(a, -1, k15x15, borderType=BORDER_REFLECT)",
                         lambda: cv2.filter2D(a, -1, k.astype(a.dtype), borderType=REFLECT)))

    return {
        "copy": lambda a, axes: [("a.copy()", lambda: a.copy())],
        "uniform_filter_3": uniform(3),
        "uniform_filter_31": uniform(31),
        "uniform_filter_3_out": uniform_out(3),
        "uniform_filter_31_out": uniform_out(31),
        "local_mean_var_15": lambda a, axes: with_cv2(
            a, ("m = uniform_filter(a, 15); uniform_filter(a*a, 15) - m*m", lambda: local(a)),
            ("m = cv2.blur(a, (15, 15)); cv2.blur(a*a, (15, 15)) - m*m", lambda: cv2_local(a))),
        "correlate_dense15": correlate15,
        "gaussian_1p5": gauss(1.5, "1.5"),
        "gaussian_8": gauss(8.0, "8"),
        "gaussian_2": gauss(2.0, "2"),
        "q18_diffsq": lambda a, axes: with_cv2(
            a, ("uniform_filter(a*a - b*b, 3, mode='constant') * 9", lambda: q18(a)),
            ("cv2.boxFilter(a*a - b*b, -1, (3, 3), normalize=False, BORDER_CONSTANT)",
             lambda: cv2_q18(a))),
        "gradient_stack": lambda a, axes: [("np.stack(np.gradient(a), -1)",
                                            lambda: np.stack(np.gradient(a), -1))],
    }


PEERS.update(_spatial_peers())


def _binning_peers():
    """numpy idioms for benches/common/binning.rs; inputs derived from `a` exactly as the Rust
    side does, outside the timed call."""

    def q1(a):
        m = 100
        v = a[:, 0]

        def bincount_route():
            # The cell indices are part of the task (ndkern's call computes them too).
            ix = np.minimum(((a - 1.0) * m).astype(np.intp), m - 1)
            flat = np.ravel_multi_index(tuple(ix.T), (m,) * a.shape[1])
            s = np.bincount(flat, v, minlength=m ** a.shape[1])
            c = np.bincount(flat, minlength=m ** a.shape[1])
            with np.errstate(invalid="ignore"):
                return s / c

        def histogramdd_route():
            r = [(1.0, 2.0)] * a.shape[1]
            s, _ = np.histogramdd(a, bins=m, range=r, weights=v)
            c, _ = np.histogramdd(a, bins=m, range=r)
            with np.errstate(invalid="ignore"):
                return s / c

        return [("ix = ((pts - lo) * m).astype(intp); bincount(ravel_multi_index(ix), v) / "
                 "bincount(...)", bincount_route),
                ("histogramdd(pts, weights=v) / histogramdd(pts)", histogramdd_route)]

    def scatter(a):
        m = 49152
        idx = np.minimum(((a - 1.0) * m).astype(np.intp), m - 1)

        def add_at():
            t = np.zeros(m)
            np.add.at(t, idx, a)
            return t

        return [("np.add.at(t, idx, v)", add_at),
                ("np.bincount(idx, v, minlength=m)", lambda: np.bincount(idx, a, minlength=m))]

    def q14(a):
        m = 1000
        lab = np.minimum(((a[..., 0] - 1.0) * m).astype(np.intp), m - 1).ravel()
        img = a.reshape(-1, 3)

        def recolor():
            c = np.bincount(lab, minlength=m)
            s = np.stack([np.bincount(lab, img[:, k], minlength=m) for k in range(3)], 1)
            with np.errstate(invalid="ignore"):
                return (s / c[:, None])[lab].reshape(a.shape)

        return [("bincount per channel / counts, then means[labels]", recolor)]

    def q9(a):
        img = (a > 1.5).astype(np.uint8)
        h, w = img.shape
        return [("(img != 0).reshape(h/4, 4, w/4, 4).mean(axis=(1, 3))",
                 lambda: (img != 0).reshape(h // 4, 4, w // 4, 4).mean(axis=(1, 3)))]

    def q5(a):
        mask = a > 1.3
        return [("np.histogram(a[mask], bins=200, range=(1, 2))",
                 lambda: np.histogram(a[mask], bins=200, range=(1.0, 2.0)))]

    return {
        "q1_gridding_mean": lambda a, axes: q1(a),
        "scatter_add_49152": lambda a, axes: scatter(a),
        "q14_label_recolor": lambda a, axes: q14(a),
        "q9_block_density": lambda a, axes: q9(a),
        "q5_masked_histogram": lambda a, axes: q5(a),
    }


PEERS.update(_binning_peers())


def _linalg_peers():
    """numpy/scipy idioms for benches/common/linalg.rs; inputs derived from `a` exactly as the
    Rust side does (Q13 palette = the first 64 pixels, k-means init = the first 10 samples)."""
    from scipy.cluster.vq import kmeans2
    from scipy.spatial import cKDTree
    from scipy.spatial.distance import cdist

    def q12(a):
        def numpy_route():
            g = np.gradient(a)
            h = np.empty(a.shape + (3, 3))
            for i in range(3):
                for j in range(i, 3):
                    h[..., i, j] = h[..., j, i] = np.gradient(g[i], axis=j)
            return np.linalg.eigvalsh(h)

        def skimage_route():
            from skimage.feature import hessian_matrix, hessian_matrix_eigvals
            return hessian_matrix_eigvals(hessian_matrix(a, sigma=1, use_gaussian_derivatives=False))

        routes = [("eigvalsh(stack(np.gradient(np.gradient(v))))", numpy_route)]
        try:
            import skimage  # noqa: F401
            routes.append(("skimage hessian_matrix + hessian_matrix_eigvals", skimage_route))
        except ImportError:
            pass
        return routes

    def q2(a):
        vi = np.array([[0.3, -0.1], [-0.1, 0.6]])
        return [("cdist(x, x, 'mahalanobis', VI=vi) ** 2",
                 lambda: cdist(a, a, "mahalanobis", VI=vi) ** 2)]

    def q13(a):
        px = a.reshape(-1, 3)
        pal = px[:64].copy()

        def gemm():
            d = (px * px).sum(1)[:, None] + (pal * pal).sum(1)[None, :] - 2.0 * px @ pal.T
            return d.argmin(1).reshape(a.shape[:2])

        tree = cKDTree(pal)
        return [("cKDTree(pal).query(px)", lambda: tree.query(px)[1].reshape(a.shape[:2])),
                ("argmin(|x|^2 + |c|^2 - 2 x @ c.T)", gemm)]

    def km(a):
        init = a[:10].copy()
        return [("kmeans2(x, x[:10], iter=20, minit='matrix')",
                 lambda: kmeans2(a, init, iter=20, minit="matrix"))]

    def q26(a):
        x = np.arange(a.shape[1], dtype=np.float64)

        def polyfit_route():
            c = np.polyfit(x, a.T, 1)
            return a - (np.outer(c[0], x) + c[1][:, None])

        from scipy.signal import detrend
        return [("np.polyfit(x, img.T, 1), subtract", polyfit_route),
                ("scipy.signal.detrend(img, axis=1)", lambda: detrend(a, axis=1))]

    def q25(a):
        def svd_route():
            xc = a - a.mean(0)
            _, s, vt = np.linalg.svd(xc, full_matrices=False)
            return xc @ vt[:2].T, s[:2] ** 2 / (len(a) - 1)

        return [("np.linalg.svd(x - mean), project", svd_route)]

    def cdist64(a):
        def gemm():
            n2 = (a * a).sum(1)
            return n2[:, None] + n2[None, :] - 2.0 * (a @ a.T)

        return [("cdist(x, x, 'sqeuclidean')", lambda: cdist(a, a, "sqeuclidean")),
                ("|x|^2 + |x|^2 - 2 x @ x.T (OpenBLAS GEMM)", gemm)]

    return {
        "q12_hessian_eig": lambda a, axes: q12(a),
        "q2_mahalanobis": lambda a, axes: q2(a),
        "q13_nearest": lambda a, axes: q13(a),
        "kmeans_k10": lambda a, axes: km(a),
        "q26_level_rows": lambda a, axes: q26(a),
        "q25_pca": lambda a, axes: q25(a),
        "cdist_sqeuclidean": lambda a, axes: cdist64(a),
    }


PEERS.update(_linalg_peers())


def _signal_peers():
    """scipy/numpy idioms for benches/common/signal.rs; inputs derived from `a` as the Rust side
    does (Q3 reference series = a[:, 0, 0]; second image = a rolled by (3, -5))."""
    from scipy import signal as ss
    from scipy import stats

    def q3(a):
        w, trim = 361, 361 // 2 + 120
        n = a.shape[0]

        def treat(x):
            d = ss.detrend(x, axis=0)
            cs = np.concatenate([np.zeros((1,) + x.shape[1:]), np.cumsum(d, axis=0)])
            h = w // 2
            i = np.arange(trim, n - trim)
            return (cs[i + h + 1] - cs[i - h]) / w

        def run():
            m = treat(a)
            y = treat(a[:, 0, 0])
            m = m - m.mean(axis=0)
            y = y - y.mean()
            return np.tensordot(y, m, axes=(0, 0)) / np.sqrt((y * y).sum() * (m * m).sum(axis=0))

        return [("detrend + cumsum centred mean + vectorized pearson", run)]

    def xcorr(a):
        b = np.roll(a, (3, -5), axis=(0, 1))

        def run():
            a0, b0 = a - a.mean(), b - b.mean()
            c = np.fft.irfft2(np.fft.rfft2(a0) * np.conj(np.fft.rfft2(b0)), s=a.shape)
            return np.unravel_index(c.argmax(), c.shape)

        def run_scipy():
            import scipy.fft as sf
            a0, b0 = a - a.mean(), b - b.mean()
            c = sf.irfft2(sf.rfft2(a0) * np.conj(sf.rfft2(b0)), s=a.shape)
            return np.unravel_index(c.argmax(), c.shape)

        return [("np.fft.irfft2(rfft2(a0) * conj(rfft2(b0))).argmax()", run),
                ("scipy.fft.irfft2(...) argmax", run_scipy)]

    def phase(a):
        from skimage.registration import phase_cross_correlation
        b = np.roll(a, (3, -5), axis=(0, 1))
        return [("skimage phase_cross_correlation(a, b, upsample_factor=100)",
                 lambda: phase_cross_correlation(a, b, upsample_factor=100))]

    def kde(a):
        g = 1.0 + np.arange(2048) / 2047.0
        return [("stats.gaussian_kde(x)(grid2048)", lambda: stats.gaussian_kde(a)(g))]

    def oaconvolve(a):
        k = a[:41]
        return [("ss.oaconvolve(a, a[:41])", lambda: ss.oaconvolve(a, k)),
                ("ss.convolve(a, a[:41]) (method auto)", lambda: ss.convolve(a, k)),
                ("np.convolve(a, a[:41])", lambda: np.convolve(a, k))]

    def kde_2d(a):
        g = 1.0 + np.arange(64) / 63.0
        xx, yy = np.meshgrid(g, g, indexing="ij")
        pts = np.vstack([xx.ravel(), yy.ravel()])
        return [("stats.gaussian_kde(x)(grid64x64)", lambda: stats.gaussian_kde(a)(pts))]

    return {
        "q3_pipeline": lambda a, axes: q3(a),
        "xcorr_circular": lambda a, axes: xcorr(a),
        "phase_cross_correlation": lambda a, axes: phase(a),
        "gaussian_kde": lambda a, axes: kde(a),
        "oaconvolve_41": lambda a, axes: oaconvolve(a),
        "gaussian_kde_2d": lambda a, axes: kde_2d(a),
    }


PEERS.update(_signal_peers())


def measure(f, policy):
    min_reps, max_reps, budget, min_sample = policy
    f()  # warm-up
    iters = 1
    if min_sample > 0:
        t = time.perf_counter()
        f()
        one = max(time.perf_counter() - t, 1e-9)
        iters = max(1, min(1 << 20, int(-(-min_sample // one))))
    samples = []
    gc_was = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        while len(samples) < min_reps or (
            len(samples) < max_reps and time.perf_counter() - start < budget
        ):
            t = time.perf_counter()
            for _ in range(iters):
                f()
            samples.append((time.perf_counter() - t) / iters)
    finally:
        if gc_was:
            gc.enable()
    samples.sort()
    k = len(samples)
    med = samples[k // 2] if k % 2 else 0.5 * (samples[k // 2 - 1] + samples[k // 2])
    return {"median_s": med, "min_s": samples[0], "reps": k, "iters": iters}


def blas_info():
    try:
        from threadpoolctl import threadpool_info

        return [
            {k: d.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
            for d in threadpool_info()
        ]
    except Exception as e:  # informational only
        return str(e)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: peers.py SUITE_JSON")
    with open(sys.argv[1]) as fh:
        suite = json.load(fh)
    policy = POLICY[suite.get("mode", "full")]
    results = {}
    cache = {}
    for w in suite["workloads"]:
        peer = w.get("peer")
        if peer is None:
            continue
        if peer not in PEERS:
            sys.exit("peers.py: no numpy idiom named %r (workload %s)" % (peer, w["name"]))
        key = (tuple(w["shape"]), w["dtype"])
        if key not in cache:
            cache.clear()  # keep at most one array alive
            cache[key] = data(w["shape"], np.dtype(w["dtype"]))
        a = cache[key]
        cands = {}
        for idiom, f in PEERS[peer](a, w["axes"]):
            cands[idiom] = measure(f, policy)
        best = min(cands, key=lambda k: cands[k]["median_s"])
        r = dict(cands[best])
        r["idiom"] = best
        r["candidates"] = {k: v["median_s"] for k, v in cands.items()}
        results[w["name"]] = r
        print(
            "peers: %-20s %-45s median %10.3f ms" % (w["name"], best, r["median_s"] * 1e3),
            file=sys.stderr,
        )
    meta = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas": blas_info(),
        "openblas_env": {
            k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
        },
    }
    for mod in ("scipy", "skimage", "cv2"):
        try:
            meta[mod] = __import__(mod).__version__
        except ImportError:
            pass
    json.dump({"meta": meta, "results": results}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
