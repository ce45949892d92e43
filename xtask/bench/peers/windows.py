"""Window rows (benches/common/spatial.rs): scipy.ndimage (the reference, mode 'reflect'),
OpenCV 4 and 5 for 2-D images (opencv.py), numba loops (a running box, Q18's fused 3x3 sums, the gradient stack)
and SimpleITK (recursive Gaussian, box mean/sigma; ITK's borders are not scipy's 'reflect',
so those candidates are checked on the interior)."""

import numpy as np

from . import opencv
from .core import THREADS, Row, close, data, optional

cv2 = optional("cv2")
nb = optional("numba")
sitk = optional("SimpleITK")
if sitk is not None:
    sitk.ProcessObject.SetGlobalDefaultNumberOfThreads(THREADS)

if nb is not None:
    nb.set_num_threads(min(THREADS, nb.config.NUMBA_NUM_THREADS))
    prange = nb.prange

    @nb.njit(cache=True)
    def _refl(i, n):
        """scipy's 'reflect' index (d c b a | a b c d)."""
        p = 2 * n
        i = i % p
        return i if i < n else p - 1 - i

    @nb.njit(cache=True)
    def _hrun(col, r, inv, out_row):
        """Running horizontal sum of `col` over 2r+1 taps, reflected at the ends."""
        w = col.shape[0]
        s = 0.0
        for k in range(-r, r + 1):
            s += col[_refl(k, w)]
        out_row[0] = s * inv
        for j in range(1, w):
            if j - r - 1 >= 0 and j + r < w:
                s += col[j + r] - col[j - r - 1]
            else:
                s += col[_refl(j + r, w)] - col[_refl(j - r - 1, w)]
            out_row[j] = s * inv

    @nb.njit(parallel=True, cache=True)
    def box2d(a, size, out, nchunk):
        """uniform_filter(a, size) (mode 'reflect'): per block of rows a running column sum
        (f64) slid down the block, then a running sum along the row."""
        h, w = a.shape
        r = size // 2
        inv = 1.0 / (size * size)
        for c in prange(nchunk):
            i0 = c * h // nchunk
            i1 = (c + 1) * h // nchunk
            col = np.zeros(w)
            for k in range(i0 - r, i0 + r + 1):
                row = a[_refl(k, h)]
                for j in range(w):
                    col[j] += row[j]
            for i in range(i0, i1):
                if i > i0:
                    add = a[_refl(i + r, h)]
                    sub = a[_refl(i - r - 1, h)]
                    for j in range(w):
                        col[j] += add[j] - sub[j]
                _hrun(col, r, inv, out[i])
        return out

    @nb.njit(parallel=True, cache=True)
    def box2d_mean_var(a, size, m, v, nchunk):
        """Local mean and variance (E[x^2] - E[x]^2) over a size x size window, one pass of
        running column sums of x and x^2."""
        h, w = a.shape
        r = size // 2
        inv = 1.0 / (size * size)
        for c in prange(nchunk):
            i0 = c * h // nchunk
            i1 = (c + 1) * h // nchunk
            col = np.zeros(w)
            col2 = np.zeros(w)
            mr = np.empty(w)
            m2r = np.empty(w)
            for k in range(i0 - r, i0 + r + 1):
                row = a[_refl(k, h)]
                for j in range(w):
                    x = np.float64(row[j])
                    col[j] += x
                    col2[j] += x * x
            for i in range(i0, i1):
                if i > i0:
                    add = a[_refl(i + r, h)]
                    sub = a[_refl(i - r - 1, h)]
                    for j in range(w):
                        x = np.float64(add[j])
                        y = np.float64(sub[j])
                        col[j] += x - y
                        col2[j] += x * x - y * y
                _hrun(col, r, inv, mr)
                _hrun(col2, r, inv, m2r)
                for j in range(w):
                    m[i, j] = mr[j]
                    v[i, j] = m2r[j] - mr[j] * mr[j]
        return m, v

    @nb.njit(parallel=True, cache=True)
    def q18_loop(a):
        """3x3 window sums of a*a - b*b, b = 3 - a, zero outside (scipy mode 'constant')."""
        h, w = a.shape
        out = np.empty((h, w))
        for i in prange(h):
            col = np.zeros(w)
            for ii in range(max(i - 1, 0), min(i + 2, h)):
                for j in range(w):
                    x = a[ii, j]
                    b = 3.0 - x
                    col[j] += x * x - b * b
            for j in range(w):
                s = col[j]
                if j > 0:
                    s += col[j - 1]
                if j + 1 < w:
                    s += col[j + 1]
                out[i, j] = s
        return out

    @nb.njit(cache=True)
    def gradient3(a):
        """np.stack(np.gradient(a), -1) for a 3-D array: central differences inside,
        np.gradient's first-order differences at the edges, written straight into (n0, n1,
        n2, 3)."""
        n0, n1, n2 = a.shape
        return gradient3_into(a, np.empty((n0, n1, n2, 3)))

    @nb.njit(parallel=True, cache=True)
    def gradient3_into(a, out):
        """The loop of `gradient3`, into an output allocated by the caller."""
        n0, n1, n2 = a.shape
        for i in prange(n0):
            im, ip = max(i - 1, 0), min(i + 1, n0 - 1)
            fi = 0.5 if 0 < i < n0 - 1 else 1.0
            for j in range(n1):
                jm, jp = max(j - 1, 0), min(j + 1, n1 - 1)
                fj = 0.5 if 0 < j < n1 - 1 else 1.0
                for k in range(n2):
                    km, kp = max(k - 1, 0), min(k + 1, n2 - 1)
                    fk = 0.5 if 0 < k < n2 - 1 else 1.0
                    out[i, j, k, 0] = (a[ip, j, k] - a[im, j, k]) * fi
                    out[i, j, k, 1] = (a[i, jp, k] - a[i, jm, k]) * fj
                    out[i, j, k, 2] = (a[i, j, kp] - a[i, j, km]) * fk
        return out


# ndkern's own bound for its recursive Gaussian (spatial::RECURSIVE_MAX_DEVIATION, sigma >= 3):
# a recursive peer is accepted within it and its measured error is shown in the table.
GAUSS_RECURSIVE_TOL = 1.5e-2


def _nchunk(h):
    return max(1, min(h, 4 * THREADS))


def _tol(a):
    return 1e-6 if a.dtype == np.float32 else 1e-12


class _Keep:
    """Holds the last SimpleITK output image so the numpy view of it stays valid."""

    img = None


def _sitk_out(img):
    _Keep.img = img
    return sitk.GetArrayViewFromImage(img)


def _sitk(a, sitk_fn):
    return _sitk_out(sitk_fn(sitk.GetImageFromArray(a)))


def peers():
    from scipy import ndimage as ndi

    def with_cv2(a, w, key, routes):
        """OpenCV's routes for 2-D images (opencv.py; scipy's 'reflect' is
        cv2.BORDER_REFLECT)."""
        return routes + opencv.candidates(cv2, a, w, key, close)

    def uniform(size, into):
        key = "uniform_filter_%d%s" % (size, "_out" if into else "")

        def row(a, w):
            out = np.ones_like(a) if into else None
            kw = ", output=out" if into else ""
            routes = with_cv2(a, w, key, [("scipy: ndi.uniform_filter(a, %d%s)" % (size, kw),
                                           lambda: ndi.uniform_filter(a, size, output=out))])
            if nb is not None and a.ndim == 2:
                nc = _nchunk(a.shape[0])
                routes.append((
                    "numba: @njit(parallel) running box %dx%d (f64 column sums, prange over "
                    "row blocks)%s" % (size, size, " into out" if into else ""),
                    (lambda: box2d(a, size, out, nc)) if into else
                    (lambda: box2d(a, size, np.empty_like(a), nc))))
            if sitk is not None and not into and a.ndim == 3:
                r = size // 2
                routes.append(("SimpleITK: BoxMean(img, radius=%d) (%d threads)" % (r, THREADS),
                               lambda: _sitk(a, lambda im: sitk.BoxMean(im, [r] * a.ndim)),
                               close(_tol(a), interior=r)))
            return Row(routes, close(_tol(a)))
        return row

    def local(a, w):
        size = 15

        def scipy_route():
            m = ndi.uniform_filter(a, size)
            return m, ndi.uniform_filter(a * a, size) - m * m

        def sitk_route():
            # BoxSigma is the sample standard deviation (n - 1): var = s^2 (n - 1) / n.
            img = sitk.GetImageFromArray(a)
            r = [size // 2] * a.ndim
            m = sitk.GetArrayFromImage(sitk.BoxMean(img, r))
            sig = sitk.BoxSigma(img, r)  # alive while its view is read
            s = sitk.GetArrayViewFromImage(sig)
            n = size ** a.ndim
            return m, s * s * ((n - 1) / n)

        routes = with_cv2(a, w, "local_mean_var_15", [(
            "scipy: m = uniform_filter(a, 15); uniform_filter(a*a, 15) - m*m", scipy_route)])
        if nb is not None and a.ndim == 2:
            nc = _nchunk(a.shape[0])
            routes.append(("numba: @njit(parallel) one pass of running sums of x and x^2",
                           lambda: box2d_mean_var(a, size, np.empty_like(a), np.empty_like(a), nc)))
        if sitk is not None:
            routes.append(("SimpleITK: BoxMean + BoxSigma(img, radius=7), var = s^2 (n-1)/n",
                           sitk_route, close(1e-4, interior=size // 2)))
        # float32 E[x^2] - E[x]^2 cancels: the reference itself is good to ~1e-6 of its peak.
        return Row(routes, close(1e-4))

    def gauss(sigma, key):
        def row(a, w):
            routes = with_cv2(a, w, key, [("scipy: ndi.gaussian_filter(a, %g)" % sigma,
                                           lambda: ndi.gaussian_filter(a, sigma))])
            approx = "recursive" in w["name"] or a.ndim == 3
            if sitk is not None and approx:
                routes.append((
                    "SimpleITK: SmoothingRecursiveGaussian(img, %g) (%d threads)" % (sigma, THREADS),
                    lambda: _sitk(a, lambda im: sitk.SmoothingRecursiveGaussian(im, sigma)),
                    # A recursive (IIR) Gaussian approximates the FIR one: accepted within
                    # ndkern's bound for its own recursive Gaussian, on the interior (ITK
                    # extends borders differently from scipy's 'reflect').
                    close(GAUSS_RECURSIVE_TOL, interior=int(4 * sigma + 0.5), approx=True)))
            return Row(routes, close(1e-5 if a.dtype == np.float32 else 1e-12))
        return row

    def correlate15(a, w):
        k = data((15, 15), np.float64) / 225.0
        return Row(with_cv2(a, w, "correlate_dense15", [
            ("scipy: ndi.correlate(a, k15x15)", lambda: ndi.correlate(a, k))]), close(1e-5))

    def q18(a, w):
        def scipy_route():
            b = 3.0 - a
            return ndi.uniform_filter(a * a - b * b, 3, mode="constant") * 9.0

        routes = with_cv2(a, w, "q18_diffsq", [
            ("scipy: uniform_filter(a*a - b*b, 3, mode='constant') * 9", scipy_route)])
        if nb is not None and a.ndim == 2:
            routes.append(("numba: @njit(parallel) 3x3 sums of a*a - b*b, prange over rows",
                           lambda: q18_loop(a)))
        return Row(routes, close(1e-12))

    def gradient(a, w):
        routes = [("numpy: np.stack(np.gradient(a), -1)", lambda: np.stack(np.gradient(a), -1))]
        if nb is not None and a.ndim == 3:
            routes.append(("numba: @njit(parallel) central differences into (n, n, n, 3)",
                           lambda: gradient3(a)))
            # numpy's allocator advises huge pages, numba's does not: the same loop into an
            # np.empty output is ~2x faster on a fresh 400 MB output (the stronger idiom).
            routes.append(("numba: the same loop into np.empty((n, n, n, 3))",
                           lambda: gradient3_into(a, np.empty(a.shape + (3,)))))
        return Row(routes, close(1e-12))

    return {
        "copy": lambda a, w: Row([("numpy: a.copy()", lambda: a.copy())]),
        "uniform_filter_3": uniform(3, False),
        "uniform_filter_31": uniform(31, False),
        "uniform_filter_3_out": uniform(3, True),
        "uniform_filter_31_out": uniform(31, True),
        "local_mean_var_15": local,
        "correlate_dense15": correlate15,
        "gaussian_1p5": gauss(1.5, "gaussian_1p5"),
        "gaussian_8": gauss(8.0, "gaussian_8"),
        "gaussian_2": gauss(2.0, "gaussian_2"),
        "q18_diffsq": q18,
        "gradient_stack": gradient,
    }
