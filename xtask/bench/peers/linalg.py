"""Linear-algebra rows (benches/common/linalg.rs): numpy/scipy (the reference),
scikit-learn (KMeans lloyd, PCA covariance_eigh, pairwise distances), faiss and numba.
Inputs derive from `a` as the Rust side does (Q13 palette = the first 64 pixels, k-means
init = the first 10 samples)."""

import numpy as np

from .core import THREADS, Row, close, optional

nb = optional("numba")
faiss = optional("faiss")
if faiss is not None:
    faiss.omp_set_num_threads(THREADS)
try:
    import sklearn  # noqa: F401
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA
    from sklearn.metrics import pairwise_distances, pairwise_distances_argmin
    from sklearn.metrics.pairwise import euclidean_distances
except ImportError:
    sklearn = None

if nb is not None:
    nb.set_num_threads(min(THREADS, nb.config.NUMBA_NUM_THREADS))

    @nb.njit(parallel=True, cache=True)
    def nearest(px, pal):
        """Index of the nearest palette colour (squared distance) per pixel, prange over
        pixels."""
        n, d = px.shape
        k = pal.shape[0]
        out = np.empty(n, dtype=np.intp)
        for i in nb.prange(n):
            best, arg = np.inf, 0
            for c in range(k):
                s = 0.0
                for q in range(d):
                    t = px[i, q] - pal[c, q]
                    s += t * t
                if s < best:
                    best, arg = s, c
            out[i] = arg
        return out


def nearest_check(px, pal, tol=1e-9):
    """Labels equal the reference's, or where they differ the chosen colour is as near
    (float64 squared distance within `tol` of the minimum: a tie within the peer's
    precision)."""

    def check(ref, got):
        r = np.asarray(ref).ravel()
        g = np.asarray(got).ravel().astype(np.intp)
        if r.shape != g.shape:
            return False, np.inf, "shape %s, reference %s" % (g.shape, r.shape)
        bad = np.nonzero(r != g)[0]
        if bad.size == 0:
            return True, 0.0, ""
        x = px[bad]
        dr = ((x - pal[r[bad]]) ** 2).sum(1)
        dg = ((x - pal[g[bad]]) ** 2).sum(1)
        gap = float(np.max(dg - dr))
        ok = gap <= tol
        return ok, gap, "" if ok else "%d labels differ, worst distance gap %.3g > %.0e" % (
            bad.size, gap, tol)

    check.doc = ("labels equal, or the chosen colour's squared distance within %.0e of the "
                 "nearest (ties)" % tol)
    return check


def pca_check(tol):
    """Projections and variances within `tol`, each component's sign aligned first (PCA
    components are defined up to sign)."""
    inner = close(tol)

    def check(ref, got):
        (pr, vr), (pg, vg) = ref, got
        sign = np.sign((pr * pg).sum(0))
        return inner((pr, vr), (pg * sign, vg))

    check.doc = inner.doc + " (component signs aligned)"
    return check


def peers():
    from scipy.cluster.vq import kmeans2
    from scipy.spatial import cKDTree
    from scipy.spatial.distance import cdist

    def q12(a, w):
        def numpy_route():
            g = np.gradient(a)
            h = np.empty(a.shape + (3, 3))
            for i in range(3):
                for j in range(i, 3):
                    h[..., i, j] = h[..., j, i] = np.gradient(g[i], axis=j)
            return np.linalg.eigvalsh(h)

        def skimage_route():
            from skimage.feature import hessian_matrix, hessian_matrix_eigvals
            ev = hessian_matrix_eigvals(hessian_matrix(a, sigma=1, use_gaussian_derivatives=False))
            return np.moveaxis(ev, 0, -1)[..., ::-1]  # skimage: descending, leading axis

        routes = [("numpy: eigvalsh(stack(np.gradient(np.gradient(v))))", numpy_route)]
        if optional("skimage") is not None:
            # hessian_matrix(sigma=1) smooths first: a different task, timed for reference
            # only (its check fails unless it matches).
            routes.append(("scikit-image: hessian_matrix + hessian_matrix_eigvals",
                           skimage_route))
        return Row(routes, close(1e-9))

    def q2(a, w):
        vi = np.array([[0.3, -0.1], [-0.1, 0.6]])
        return Row([("scipy: cdist(x, x, 'mahalanobis', VI=vi) ** 2",
                     lambda: cdist(a, a, "mahalanobis", VI=vi) ** 2)], close(1e-12))

    def q13(a, w):
        px = a.reshape(-1, 3)
        pal = px[:64].copy()

        def gemm():
            d = (px * px).sum(1)[:, None] + (pal * pal).sum(1)[None, :] - 2.0 * px @ pal.T
            return d.argmin(1).reshape(a.shape[:2])

        tree = cKDTree(pal)
        routes = [("scipy: cKDTree(pal).query(px)", lambda: tree.query(px)[1].reshape(a.shape[:2])),
                  ("numpy: argmin(|x|^2 + |c|^2 - 2 x @ c.T)", gemm)]
        if sklearn is not None:
            routes.append(("scikit-learn: pairwise_distances_argmin(px, pal)",
                           lambda: pairwise_distances_argmin(px, pal).reshape(a.shape[:2])))
        if faiss is not None:
            index = faiss.IndexFlatL2(3)  # built in the setup, like the tree
            index.add(pal.astype(np.float32))
            px32 = np.ascontiguousarray(px, dtype=np.float32)  # float32 queries: setup
            routes.append(("faiss: IndexFlatL2(3).search(px32, 1) (index and px32 in setup)",
                           lambda: index.search(px32, 1)[1].reshape(a.shape[:2]),
                           # float32 distances: ties within its precision are accepted
                           nearest_check(px, pal, 1e-5)))
        if nb is not None:
            routes.append(("numba: @njit(parallel) argmin over 64 colours, prange over pixels",
                           lambda: nearest(px, pal).reshape(a.shape[:2])))
        return Row(routes, nearest_check(px, pal))

    def km(a, w):
        init = a[:10].copy()

        def sk_route():
            k = KMeans(10, init=init, n_init=1, max_iter=20, tol=0.0, algorithm="lloyd").fit(a)
            return k.cluster_centers_

        routes = [("scipy: kmeans2(x, x[:10], iter=20, minit='matrix')",
                   lambda: kmeans2(a, init, iter=20, minit="matrix")[0])]
        if sklearn is not None:
            routes.append(("scikit-learn: KMeans(10, init=C0, n_init=1, max_iter=20, tol=0, "
                           "algorithm='lloyd').fit(x)", sk_route))
        # Centroids after 20 Lloyd iterations from the same start (labels are ordered
        # differently by the two APIs: the centroids determine them).
        return Row(routes, close(1e-9))

    def q26(a, w):
        x = np.arange(a.shape[1], dtype=np.float64)

        def polyfit_route():
            c = np.polyfit(x, a.T, 1)
            return a - (np.outer(c[0], x) + c[1][:, None])

        from scipy.signal import detrend
        return Row([("numpy: np.polyfit(x, img.T, 1), subtract", polyfit_route),
                    ("scipy: scipy.signal.detrend(img, axis=1)", lambda: detrend(a, axis=1))],
                   close(1e-9))

    def q25(a, w):
        def svd_route():
            xc = a - a.mean(0)
            _, s, vt = np.linalg.svd(xc, full_matrices=False)
            return xc @ vt[:2].T, s[:2] ** 2 / (len(a) - 1)

        def sk_route():
            p = PCA(2, svd_solver="covariance_eigh")
            return p.fit_transform(a), p.explained_variance_

        routes = [("numpy: np.linalg.svd(x - mean), project", svd_route)]
        if sklearn is not None:
            routes.append(("scikit-learn: PCA(2, svd_solver='covariance_eigh').fit_transform(x)",
                           sk_route))
        return Row(routes, pca_check(1e-8))

    def cdist64(a):
        def gemm():
            n2 = (a * a).sum(1)
            return n2[:, None] + n2[None, :] - 2.0 * (a @ a.T)

        routes = [("scipy: cdist(x, x, 'sqeuclidean')", lambda: cdist(a, a, "sqeuclidean")),
                  ("numpy: |x|^2 + |x|^2 - 2 x @ x.T (OpenBLAS GEMM)", gemm)]
        if sklearn is not None:
            routes.append(("scikit-learn: euclidean_distances(x, squared=True)",
                           lambda: euclidean_distances(a, squared=True)))
            routes.append(("scikit-learn: pairwise_distances(x, metric='sqeuclidean', "
                           "n_jobs=%d)" % THREADS,
                           lambda: pairwise_distances(a, metric="sqeuclidean", n_jobs=THREADS)))
        # The GEMM form cancels: |x-y|^2 is good to ~1e-13 of the largest distance.
        return Row(routes, close(1e-9))

    return {
        "q12_hessian_eig": q12,
        "q2_mahalanobis": q2,
        "q13_nearest": q13,
        "kmeans_k10": km,
        "q26_level_rows": q26,
        "q25_pca": q25,
        "cdist_sqeuclidean": lambda a, w: cdist64(a),
    }
