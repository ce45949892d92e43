"""Binning rows (benches/common/binning.rs): numpy's bincount/histogram idioms (the
reference), numpy-groupies, fast-histogram, boost-histogram (threaded fills) and numba loops
with one partial table per thread. Inputs derive from `a` exactly as the Rust side does,
outside the timed call."""

import numpy as np

from . import opencv
from .core import THREADS, Row, close, exact, optional

nb = optional("numba")
npg = optional("numpy_groupies")
fh = optional("fast_histogram")
bh = optional("boost_histogram")
cv2 = optional("cv2")

if nb is not None:
    nb.set_num_threads(min(THREADS, nb.config.NUMBA_NUM_THREADS))
    prange = nb.prange

    @nb.njit(parallel=True, cache=True)
    def scatter_add(idx, v, m, nchunk):
        """t[idx[i]] += v[i]: one table per chunk (prange), summed at the end."""
        n = idx.size
        part = np.zeros((nchunk, m))
        for c in prange(nchunk):
            for i in range(c * n // nchunk, (c + 1) * n // nchunk):
                part[c, idx[i]] += v[i]
        out = part[0].copy()
        for c in range(1, nchunk):
            for j in range(m):
                out[j] += part[c, j]
        return out

    @nb.njit(parallel=True, cache=True)
    def masked_hist(a, mask, bins, lo, hi, nchunk):
        """np.histogram(a[mask], bins, (lo, hi)) counts: per-chunk histograms, summed."""
        n = a.size
        part = np.zeros((nchunk, bins), dtype=np.int64)
        scale = bins / (hi - lo)
        for c in prange(nchunk):
            for i in range(c * n // nchunk, (c + 1) * n // nchunk):
                x = a[i]
                if mask[i] and x >= lo and x <= hi:
                    k = int((x - lo) * scale)
                    if k >= bins:
                        k = bins - 1
                    part[c, k] += 1
        out = part[0].copy()
        for c in range(1, nchunk):
            for j in range(bins):
                out[j] += part[c, j]
        return out

    @nb.njit(parallel=True, cache=True, error_model="numpy")
    def label_recolor(lab, img, m, nchunk):
        """Per-label channel means (per-chunk sums and counts), then means[lab]."""
        n, ch = img.shape
        s = np.zeros((nchunk, m, ch))
        cnt = np.zeros((nchunk, m))
        for c in prange(nchunk):
            for i in range(c * n // nchunk, (c + 1) * n // nchunk):
                k = lab[i]
                cnt[c, k] += 1.0
                for q in range(ch):
                    s[c, k, q] += img[i, q]
        mean = np.empty((m, ch))
        for k in range(m):
            t = 0.0
            for c in range(nchunk):
                t += cnt[c, k]
            for q in range(ch):
                u = 0.0
                for c in range(nchunk):
                    u += s[c, k, q]
                mean[k, q] = u / t
        out = np.empty((n, ch))
        for i in prange(n):
            for q in range(ch):
                out[i, q] = mean[lab[i], q]
        return out

    @nb.njit(parallel=True, cache=True)
    def block_density(img, b):
        """Fraction of nonzero pixels in each b x b block, prange over block rows."""
        h, w = img.shape
        H, W = h // b, w // b
        out = np.empty((H, W))
        inv = 1.0 / (b * b)
        for I in prange(H):
            for J in range(W):
                cnt = 0
                for di in range(b):
                    for dj in range(b):
                        if img[I * b + di, J * b + dj] != 0:
                            cnt += 1
                out[I, J] = cnt * inv
        return out


def peers():
    def q1(a, w):
        m = 100
        d = a.shape[1]
        v = a[:, 0]

        def bincount_route():
            # The cell indices are part of the task (ndkern's call computes them too).
            ix = np.minimum(((a - 1.0) * m).astype(np.intp), m - 1)
            flat = np.ravel_multi_index(tuple(ix.T), (m,) * d)
            s = np.bincount(flat, v, minlength=m ** d)
            c = np.bincount(flat, minlength=m ** d)
            with np.errstate(invalid="ignore"):
                return s / c

        def histogramdd_route():
            r = [(1.0, 2.0)] * d
            s, _ = np.histogramdd(a, bins=m, range=r, weights=v)
            c, _ = np.histogramdd(a, bins=m, range=r)
            with np.errstate(invalid="ignore"):
                return s / c

        def fh_route():
            cols = [a[:, k] for k in range(d)]
            r = [(1.0, 2.0)] * d
            s = fh.histogramdd(cols, bins=[m] * d, range=r, weights=v)
            c = fh.histogramdd(cols, bins=[m] * d, range=r)
            with np.errstate(invalid="ignore"):
                return s / c

        def bh_route():
            # Sum and count fills (a Mean storage would do both at once, but cannot thread).
            axes = [bh.axis.Regular(m, 1.0, 2.0, underflow=False, overflow=False)
                    for _ in range(d)]
            cols = [a[:, k] for k in range(d)]
            s = bh.Histogram(*axes, storage=bh.storage.Double())
            s.fill(*cols, weight=v, threads=0)
            c = bh.Histogram(*axes, storage=bh.storage.Double())
            c.fill(*cols, threads=0)
            with np.errstate(invalid="ignore"):
                return s.view() / c.view()

        routes = [("numpy: ix = ((pts - lo) * m).astype(intp); bincount(ravel_multi_index(ix), v)"
                   " / bincount(...)", bincount_route),
                  ("numpy: histogramdd(pts, weights=v) / histogramdd(pts)", histogramdd_route)]
        if fh is not None:
            routes.append(("fast_histogram: histogramdd(cols, 100, weights=v) / histogramdd(cols, "
                           "100)", fh_route))
        if bh is not None:
            routes.append(("boost_histogram: Regular(100, 1, 2)^3, storage.Double(), fill(*cols, "
                           "weight=v, threads=0) / fill(*cols, threads=0)", bh_route))
        return Row(routes, close(1e-12))

    def scatter(a, w):
        m = 49152
        idx = np.minimum(((a - 1.0) * m).astype(np.intp), m - 1)

        def add_at():
            t = np.zeros(m)
            np.add.at(t, idx, a)
            return t

        routes = [("numpy: np.add.at(t, idx, v)", add_at),
                  ("numpy: np.bincount(idx, v, minlength=m)",
                   lambda: np.bincount(idx, a, minlength=m))]
        if npg is not None:
            routes.append(("numpy_groupies: aggregate_nb(idx, v, 'sum', size=m)",
                           lambda: npg.aggregate_nb(idx, a, "sum", size=m)))
            routes.append(("numpy_groupies: aggregate(idx, v, 'sum', size=m)",
                           lambda: npg.aggregate(idx, a, "sum", size=m)))
        if nb is not None:
            routes.append(("numba: @njit(parallel) t[idx[i]] += v[i], one table per thread",
                           lambda: scatter_add(idx, a, m, THREADS)))
        return Row(routes, close(1e-12))

    def q14(a, w):
        m = 1000
        lab = np.minimum(((a[..., 0] - 1.0) * m).astype(np.intp), m - 1).ravel()
        img = a.reshape(-1, 3)

        def recolor():
            c = np.bincount(lab, minlength=m)
            s = np.stack([np.bincount(lab, img[:, k], minlength=m) for k in range(3)], 1)
            with np.errstate(invalid="ignore"):
                return (s / c[:, None])[lab].reshape(a.shape)

        def npg_route(fn):
            def run():
                with np.errstate(invalid="ignore"):
                    mean = np.stack([fn(lab, img[:, k], "mean", size=m, fill_value=np.nan)
                                     for k in range(3)], 1)
                return mean[lab].reshape(a.shape)
            return run

        routes = [("numpy: bincount per channel / counts, then means[labels]", recolor)]
        if npg is not None:
            routes.append(("numpy_groupies: aggregate_nb(lab, img[:, k], 'mean') per channel, "
                           "then means[labels]", npg_route(npg.aggregate_nb)))
            routes.append(("numpy_groupies: aggregate(lab, img[:, k], 'mean') per channel, "
                           "then means[labels]", npg_route(npg.aggregate)))
        if nb is not None:
            routes.append(("numba: @njit(parallel) per-thread sums/counts, then means[labels]",
                           lambda: label_recolor(lab, img, m, THREADS).reshape(a.shape)))
        return Row(routes, close(1e-12))

    def q9(a, w):
        img = (a > 1.5).astype(np.uint8)
        h, wd = img.shape[0] // 4 * 4, img.shape[1] // 4 * 4
        img = img[:h, :wd]  # whole blocks (no-op at the bench size)
        routes = [("numpy: (img != 0).reshape(h/4, 4, w/4, 4).mean(axis=(1, 3))",
                   lambda: (img != 0).reshape(h // 4, 4, wd // 4, 4).mean(axis=(1, 3)))]
        routes += opencv.candidates(cv2, a, w, "q9_block_density", close)
        if nb is not None:
            routes.append(("numba: @njit(parallel) count nonzero per 4x4 block",
                           lambda: block_density(img, 4)))
        return Row(routes, close(1e-15))

    def q5(a, w):
        mask = a > 1.3
        flat, mflat = a.ravel(), mask.ravel()
        weights = mflat.astype(np.float64)  # fast/boost-histogram take the mask as weights

        def bh_route():
            h = bh.Histogram(bh.axis.Regular(200, 1.0, 2.0))
            h.fill(flat, weight=weights, threads=0)
            return h.values()

        routes = [("numpy: np.histogram(a[mask], bins=200, range=(1, 2))",
                   lambda: np.histogram(a[mask], bins=200, range=(1.0, 2.0))[0])]
        if fh is not None:
            routes.append(("fast_histogram: histogram1d(a, 200, (1, 2), weights=mask)",
                           lambda: fh.histogram1d(flat, 200, (1.0, 2.0), weights=weights)))
        if bh is not None:
            routes.append(("boost_histogram: Regular(200, 1, 2).fill(a, weight=mask, threads=0)",
                           bh_route))
        if nb is not None:
            routes.append(("numba: @njit(parallel) masked histogram, one table per thread",
                           lambda: masked_hist(flat, mflat, 200, 1.0, 2.0, THREADS)))
        return Row(routes, exact())

    return {
        "q1_gridding_mean": q1,
        "scatter_add_49152": scatter,
        "q14_label_recolor": q14,
        "q9_block_density": q9,
        "q5_masked_histogram": q5,
    }
