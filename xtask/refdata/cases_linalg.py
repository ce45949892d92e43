"""Reference cases for ndkern-linalg (tests/data/linalg/): numpy/scipy results, and for Q21 the
exact rational interpolant computed with fractions.Fraction.

Parameters use the counterparts' keyword names: `linalg.cdist` with `metric = "sqeuclidean"` is
`scipy.spatial.distance.cdist(XA, XB, 'sqeuclidean')`; the optional third input is `w` (weighted
Euclidean) or `VI` (Mahalanobis). `metric = "sqmahalanobis"` (Q2: `cdist(.., 'mahalanobis')**2`)
is ndkern's name for the squared Mahalanobis distance, which scipy has no metric string for.
"""

from fractions import Fraction

import numpy as np
from scipy.cluster.vq import kmeans2
from scipy.interpolate import barycentric_interpolate
from scipy.spatial.distance import cdist, pdist

F64, F32 = 1e-12, 1e-5

Q21_Y = [126, 34, 78, 120, 83, 62, 104, 6, 70, 142, 147, 63, 35, 126, 9, 84, 7, 122, 93, 29,
         95, 141, 42, 102, 38, 96, 130, 83, 138, 148]


def sym(rng, shape, n):
    a = rng.standard_normal(shape + (n, n))
    return a + np.swapaxes(a, -1, -2)


def rotate(rng, lam):
    q, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    m = q @ np.diag(lam) @ q.T
    return 0.5 * (m + m.T)


def eig_cases(w, rng):
    for n, shape in ((2, (7, 5)), (3, (60,)), (3, (4, 3, 2)), (4, (6,))):
        a = sym(rng, shape, n)
        f = w.save(f"eig_sym{n}_{'x'.join(map(str, shape))}.npy", a)
        w.case(f"eigvalsh_f64_{n}x{n}_{len(shape)}d", "linalg.eigvalsh", [f],
               np.linalg.eigvalsh(a), F64, {})
        a32 = a.astype(np.float32)
        f = w.save(f"eig_sym{n}_{'x'.join(map(str, shape))}_f32.npy", a32)
        exp = np.linalg.eigvalsh(a32.astype(np.float64)).astype(np.float32)
        assert np.max(np.abs(np.linalg.eigvalsh(a32) - exp)) <= F32 / 10 * np.max(np.abs(exp))
        w.case(f"eigvalsh_f32_{n}x{n}_{len(shape)}d", "linalg.eigvalsh", [f], exp, F32, {},
               note="expected: float64 eigvalsh of the float32 input, cast to float32")
    # Near-degenerate and badly scaled 3x3 (two/three equal eigenvalues, 1e-8..1e8 range).
    spectra = [(1, 1, -2), (-2, 1, 1), (3, 3, 3), (2, 2 + 1e-12, 2 - 1e-12), (1, 1 + 1e-7, 5),
               (1e-8, 1, 1e8), (0, 0, 1), (5, -5, 0)]
    a = np.array([rotate(rng, lam) for lam in spectra for _ in range(4)])
    f = w.save("eig_degenerate3.npy", a)
    w.case("eigvalsh_f64_3x3_degenerate_scaled", "linalg.eigvalsh", [f], np.linalg.eigvalsh(a),
           1e-10, {}, note="per-matrix max|lambda| differs by 1e8: rtol relative to the global max")


def poly_cases(w, rng):
    x = np.linspace(-3.0, 7.0, 40)
    y = 0.5 * x**3 - 2 * x**2 + x - 4 + 0.3 * rng.standard_normal(x.size)
    fx, fy = w.save("poly_x.npy", x), w.save("poly_y.npy", y)
    for deg in (0, 1, 3, 5):
        w.case(f"polyfit_f64_deg{deg}", "linalg.polyfit", [fx, fy], np.polyfit(x, y, deg),
               1e-10, {"deg": deg}, note="monomial coefficients: rtol 1e-10 (basis conversion)")
    Y = np.stack([y, -2 * y + x, np.cos(x)], axis=1)
    fY = w.save("poly_y2d.npy", Y)
    w.case("polyfit_f64_deg2_columns", "linalg.polyfit", [fx, fY], np.polyfit(x, Y, 2),
           1e-10, {"deg": 2})
    wt = rng.uniform(0.2, 2.0, x.size)
    fw = w.save("poly_w.npy", wt)
    w.case("polyfit_f64_deg3_weighted", "linalg.polyfit", [fx, fy, fw],
           np.polyfit(x, y, 3, w=wt), 1e-10, {"deg": 3})
    # polyval: numpy order coefficients; f32 and f64, 2-D x.
    p = np.array([0.25, -1.5, 2.0, 0.5, -3.0])
    xs = rng.uniform(-2, 2, (9, 11))
    fp, fxs = w.save("polyval_p.npy", p), w.save("polyval_x.npy", xs)
    w.case("polyval_f64", "linalg.polyval", [fp, fxs], np.polyval(p, xs), F64, {})
    p32, xs32 = p.astype(np.float32), xs.astype(np.float32)
    fp32, fxs32 = w.save("polyval_p_f32.npy", p32), w.save("polyval_x_f32.npy", xs32)
    w.case("polyval_f32", "linalg.polyval", [fp32, fxs32], np.polyval(p32, xs32), F32, {})
    # Chebyshev fit/eval on [-1, 1].
    t = np.cos(np.linspace(0, np.pi, 25))
    yt = np.exp(t) + 0.01 * rng.standard_normal(t.size)
    ft, fyt = w.save("cheb_x.npy", t), w.save("cheb_y.npy", yt)
    w.case("chebfit_f64_deg6", "linalg.chebfit", [ft, fyt],
           np.polynomial.chebyshev.chebfit(t, yt, 6), F64, {"deg": 6})
    c = np.array([1.0, -0.5, 0.25, 0.125, -0.0625])
    fc = w.save("chebval_c.npy", c)
    xe = rng.uniform(-1.2, 1.2, (5, 6))
    fxe = w.save("chebval_x.npy", xe)
    w.case("chebval_f64", "linalg.chebval", [fxe, fc], np.polynomial.chebyshev.chebval(xe, c),
           F64, {})


def exact_interpolant(xs, ys):
    """Newton divided differences in exact rational arithmetic; returns p(x) for a Fraction x."""
    xs = [Fraction(v) for v in xs]
    coef = [Fraction(v) for v in ys]
    n = len(xs)
    for j in range(1, n):
        for i in range(n - 1, j - 1, -1):
            coef[i] = (coef[i] - coef[i - 1]) / (xs[i] - xs[i - j])

    def p(x):
        x = Fraction(x)
        acc = coef[-1]
        for i in range(n - 2, -1, -1):
            acc = acc * (x - xs[i]) + coef[i]
        return acc

    return p


def q21_cases(w, rng):
    xi = np.arange(30, dtype=np.float64)
    yi = np.array(Q21_Y, dtype=np.float64)
    fxi, fyi = w.save("q21_x.npy", xi), w.save("q21_y.npy", yi)
    p = exact_interpolant(xi, yi)
    # At the nodes: y itself (np.polyfit(x, y, 29) misses these by tens).
    w.case("q21_interpolant_at_nodes", "linalg.barycentric_interpolate", [fxi, fyi, fxi], yi,
           1e-15, {}, note="Q21: the exact interpolant reproduces y at the nodes")
    # Between the nodes: quarter points, midpoints near the ends, and random points; the
    # expected values are the exact rational interpolant at the (exact binary) float x.
    xe = np.concatenate([np.arange(0, 29.01, 0.25), rng.uniform(0, 29, 40), [0.5, 28.5, 0.1]])
    exp = np.array([float(p(v)) for v in xe])
    fxe = w.save("q21_xeval.npy", xe)
    w.case("q21_interpolant_between_nodes", "linalg.barycentric_interpolate", [fxi, fyi, fxe],
           exp, 1e-9, {},
           note="expected = exact rational interpolant (fractions.Fraction, Newton form); "
                f"scipy barycentric_interpolate is off by "
                f"{np.max(np.abs(barycentric_interpolate(xi, yi, xe) - exp)) / np.max(np.abs(exp)):.1e}")
    # A small well-conditioned case against scipy itself.
    xs = np.sort(rng.uniform(-1, 1, 8))
    ys = rng.standard_normal(8)
    xq = rng.uniform(-1, 1, 13)
    f1, f2, f3 = w.save("bary_x.npy", xs), w.save("bary_y.npy", ys), w.save("bary_xq.npy", xq)
    w.case("barycentric_interpolate_random8", "linalg.barycentric_interpolate", [f1, f2, f3],
           barycentric_interpolate(xs, ys, xq), 1e-11, {})


def distance_cases(w, rng):
    for dt, rtol in (("f64", F64), ("f32", F32)):
        npdt = np.float64 if dt == "f64" else np.float32
        xa = (rng.standard_normal((23, 3)) * 2 + 5).astype(npdt)
        xb = (rng.standard_normal((17, 3)) * 2 + 5).astype(npdt)
        a64, b64 = xa.astype(np.float64), xb.astype(np.float64)
        fa, fb = w.save(f"dist_xa_{dt}.npy", xa), w.save(f"dist_xb_{dt}.npy", xb)
        c = rng.standard_normal((3, 3))
        vi = c @ c.T + 0.5 * np.eye(3)
        wt = rng.uniform(0.1, 3.0, 3)
        fvi, fw = w.save(f"dist_vi_{dt}.npy", vi.astype(npdt)), w.save(f"dist_w_{dt}.npy", wt.astype(npdt))
        note = None if dt == "f64" else "expected: scipy (float64) on the float32 input, cast to float32"
        cast = lambda e: e.astype(npdt)
        w.case(f"cdist_sqeuclidean_{dt}", "linalg.cdist", [fa, fb],
               cast(cdist(a64, b64, "sqeuclidean")), rtol, {"metric": "sqeuclidean"}, note=note)
        w.case(f"cdist_euclidean_{dt}", "linalg.cdist", [fa, fb],
               cast(cdist(a64, b64, "euclidean")), rtol, {"metric": "euclidean"}, note=note)
        w.case(f"cdist_euclidean_weighted_{dt}", "linalg.cdist", [fa, fb, fw],
               cast(cdist(a64, b64, "euclidean", w=wt.astype(npdt).astype(np.float64))), rtol,
               {"metric": "euclidean"},
               note=note)
        w.case(f"cdist_mahalanobis_{dt}", "linalg.cdist", [fa, fb, fvi],
               cast(cdist(a64, b64, "mahalanobis", VI=vi.astype(npdt).astype(np.float64))),
               rtol, {"metric": "mahalanobis"}, note=note)
        w.case(f"pdist_euclidean_{dt}", "linalg.pdist", [fa],
               cast(pdist(a64, "euclidean")), rtol, {"metric": "euclidean"}, note=note)
        w.case(f"pdist_sqeuclidean_{dt}", "linalg.pdist", [fa],
               cast(pdist(a64, "sqeuclidean")), rtol, {"metric": "sqeuclidean"}, note=note)
    # d = 16 takes the GEMM route (d >= 6): points offset by 1000 with unit spread, so the
    # |x|^2 + |y|^2 - 2 x.y form would lose ~6 digits without centring and the fix-up. Its
    # own generator, so the cases after it keep their data.
    rng16 = np.random.default_rng(16)
    for dt, rtol in (("f64", F64), ("f32", F32)):
        npdt = np.float64 if dt == "f64" else np.float32
        xa = (rng16.standard_normal((41, 16)) + 1000.0).astype(npdt)
        xb = (rng16.standard_normal((29, 16)) + 1000.0).astype(npdt)
        xb[3] = xa[5]  # an exact duplicate: distance 0
        a64, b64 = xa.astype(np.float64), xb.astype(np.float64)
        fa, fb = w.save(f"dist16_xa_{dt}.npy", xa), w.save(f"dist16_xb_{dt}.npy", xb)
        c = rng16.standard_normal((16, 16))
        vi = (c @ c.T / 16 + 0.5 * np.eye(16)).astype(npdt)
        fvi = w.save(f"dist16_vi_{dt}.npy", vi)
        note = None if dt == "f64" else "expected: scipy (float64) on the float32 input, cast to float32"
        for metric in ("sqeuclidean", "euclidean"):
            w.case(f"cdist_{metric}_d16_{dt}", "linalg.cdist", [fa, fb],
                   cdist(a64, b64, metric).astype(npdt), rtol, {"metric": metric}, note=note)
        w.case(f"cdist_mahalanobis_d16_{dt}", "linalg.cdist", [fa, fb, fvi],
               cdist(a64, b64, "mahalanobis", VI=vi.astype(np.float64)).astype(npdt), rtol,
               {"metric": "mahalanobis"}, note=note)
        w.case(f"pdist_sqeuclidean_d16_{dt}", "linalg.pdist", [fa],
               pdist(a64, "sqeuclidean").astype(npdt), rtol, {"metric": "sqeuclidean"}, note=note)
    # Q2: squared Mahalanobis <D^-1 (x - y), x - y> of 2-D points, D a covariance.
    pts = rng.standard_normal((120, 2)) * [3.0, 1.0] + [100.0, -50.0]
    dmat = np.array([[4.0, 1.2], [1.2, 2.0]])
    vi = np.linalg.inv(dmat)
    fp, fvi = w.save("q02_points.npy", pts), w.save("q02_vi.npy", vi)
    w.case("q02_sqmahalanobis", "linalg.cdist", [fp, fp, fvi],
           cdist(pts, pts, "mahalanobis", VI=vi) ** 2, F64, {"metric": "sqmahalanobis"},
           note="Q2: scipy cdist 'mahalanobis' squared (VI = inv(D))")
    # Q13: nearest palette colour of every pixel (labels, int64).
    img = rng.uniform(0, 255, (12, 10, 3))
    pal = rng.uniform(0, 255, (16, 3))
    fi, fpal = w.save("q13_image.npy", img), w.save("q13_palette.npy", pal)
    from scipy.cluster.vq import vq
    w.case("q13_vq_labels", "linalg.vq", [fi, fpal],
           vq(img.reshape(-1, 3), pal)[0].astype(np.int64).reshape(12, 10), 0.0, {},
           note="scipy.cluster.vq.vq on the flattened pixels, reshaped to (12, 10)")


def kmeans_cases(w, rng):
    # Q19: iris-like data (150 x 4, three groups), fixed initial centroids.
    means = np.array([[5.0, 3.4, 1.5, 0.2], [5.9, 2.8, 4.3, 1.3], [6.6, 3.0, 5.6, 2.0]])
    x = np.concatenate([m + 0.3 * rng.standard_normal((50, 4)) for m in means])
    fx = w.save("q19_iris_like.npy", x)
    for k in (2, 3, 5, 8):
        init = x[rng.choice(150, k, replace=False)]
        fi = w.save(f"q19_init_k{k}.npy", init)
        cent, lab = kmeans2(x, init, iter=100, minit="matrix")
        assert len(np.unique(lab)) == k, "an empty cluster: pick another seed"
        w.case(f"q19_kmeans2_k{k}_centroids", "linalg.kmeans2", [fx, fi], cent, F64,
               {"iter": 100}, note="scipy kmeans2(minit='matrix') centroids after 100 iterations")
        w.case(f"q19_kmeans2_k{k}_labels", "linalg.kmeans2_labels", [fx, fi],
               lab.astype(np.int64), 0.0, {"iter": 100},
               note="scipy kmeans2(minit='matrix') labels (its second return value)")


def pca_cases(w, rng):
    # Q25: (n, 4) data to 2 components; numpy SVD, components' largest entry made positive.
    n = 500
    lat = rng.standard_normal((n, 4)) * [5.0, 2.0, 0.5, 0.1]
    q, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    x = lat @ q.T + [10.0, -3.0, 7.0, 1.0]
    fx = w.save("q25_data.npy", x)
    xc = x - x.mean(axis=0)
    u, s, vt = np.linalg.svd(xc, full_matrices=False)
    sign = np.sign(vt[np.arange(4), np.argmax(np.abs(vt), axis=1)])
    vt = vt * sign[:, None]
    var = s**2 / (n - 1)
    for k in (1, 2, 4):
        t = xc @ vt[:k].T
        w.case(f"q25_pca_{k}", "linalg.pca", [fx], t, 1e-11, {"n_components": k},
               note="numpy SVD of the centred data; sign: largest |entry| of each component > 0")
        w.case(f"q25_pca_{k}_whiten", "linalg.pca", [fx], t / np.sqrt(var[:k]), 1e-10,
               {"n_components": k, "whiten": True})
    w.case("q25_pca_explained_variance", "linalg.pca_explained_variance", [fx], var[:2], 1e-11,
           {"n_components": 2}, note="s**2 / (n - 1) from numpy SVD")


def kernel_cases(w, rng):
    from scipy.ndimage import correlate
    for shape, ksize in (((16, 14), (3, 3)), ((20, 20), (5, 5)), ((9, 10, 11), (3, 3, 3))):
        a = rng.standard_normal(shape)
        k = rng.standard_normal(ksize)
        out = correlate(a, k, mode="constant")
        tag = "x".join(map(str, ksize))
        fa, fo = w.save(f"q20_in_{tag}.npy", a), w.save(f"q20_out_{tag}.npy", out)
        w.case(f"q20_estimate_kernel_{tag}", "linalg.estimate_kernel", [fa, fo], k, 1e-10,
               {"size": list(ksize)},
               note="output = scipy.ndimage.correlate(input, k); expected = k")


def detrend_cases(w, rng):
    # Q26: level every row of an image (scipy.signal.detrend type='linear').
    from scipy.signal import detrend
    img = rng.standard_normal((30, 40)) + np.arange(40) * 0.3 + np.arange(30)[:, None] * 2.0
    f = w.save("q26_image.npy", img)
    for axis in (1, 0):
        w.case(f"q26_detrend_axis{axis}", "linalg.detrend", [f], detrend(img, axis=axis), F64,
               {"axis": axis}, note="scipy.signal.detrend(type='linear')")
    f32 = w.save("q26_image_f32.npy", img.astype(np.float32))
    w.case("q26_detrend_axis1_f32", "linalg.detrend", [f32],
           detrend(img.astype(np.float32).astype(np.float64), axis=1).astype(np.float32), F32,
           {"axis": 1}, note="expected: float64 detrend of the float32 input, cast")


def hessian_cases(w, rng):
    import warnings
    from skimage.feature import hessian_matrix, hessian_matrix_eigvals
    from skimage.filters import frangi
    warnings.simplefilter("ignore", FutureWarning)
    yy, xx = np.mgrid[0:24, 0:26]
    img2 = np.sin(xx / 3.0) * np.cos(yy / 4.0) + 0.1 * rng.standard_normal((24, 26))
    img2[12, :] -= 2.0  # a dark line
    img3 = rng.standard_normal((10, 11, 12))
    img3 = np.cumsum(np.cumsum(img3, axis=0), axis=2) * 0.1
    for tag, img in (("2d", img2), ("3d", img3)):
        f = w.save(f"hess_img_{tag}.npy", img)
        g = np.gradient(img)
        h = [np.gradient(g[i], axis=j) for i in range(img.ndim) for j in range(i, img.ndim)]
        w.case(f"hessian_np_gradient_twice_{tag}", "linalg.hessian", [f], np.stack(h), F64, {},
               note="Q12: H[i][j] = np.gradient(np.gradient(a)[i], axis=j), i <= j")
        n = img.ndim
        m = np.empty(img.shape + (n, n))
        k = 0
        for i in range(n):
            for j in range(i, n):
                m[..., i, j] = m[..., j, i] = h[k]
                k += 1
        w.case(f"q12_hessian_eigvalsh_{tag}", "linalg.hessian_eigvalsh", [f],
               np.linalg.eigvalsh(m), F64, {},
               note="Q12: np.linalg.eigvalsh of the stacked np.gradient-twice Hessian")
        for sigma in (1, 2):
            for gd in (False, True):
                hm = np.stack(hessian_matrix(img, sigma=sigma, use_gaussian_derivatives=gd))
                w.case(f"hessian_matrix_{tag}_sigma{sigma}_{'gauss' if gd else 'smooth'}",
                       "linalg.hessian_matrix", [f], hm, F64,
                       {"sigma": sigma, "use_gaussian_derivatives": gd},
                       note="skimage.feature.hessian_matrix, mode='constant', order='rc'")
        hm = hessian_matrix(img, sigma=1, use_gaussian_derivatives=True)
        fh = w.save(f"hess_elems_{tag}.npy", np.stack(hm))
        w.case(f"hessian_matrix_eigvals_{tag}", "linalg.hessian_matrix_eigvals", [fh],
               hessian_matrix_eigvals(hm), F64, {},
               note="skimage.feature.hessian_matrix_eigvals (descending)")
        img32 = img.astype(np.float32)
        f32 = w.save(f"hess_img_{tag}_f32.npy", img32)
        exp = np.stack(hessian_matrix(img32.astype(np.float64), sigma=2,
                                      use_gaussian_derivatives=True)).astype(np.float32)
        w.case(f"hessian_matrix_{tag}_f32", "linalg.hessian_matrix", [f32], exp, F32,
               {"sigma": 2, "use_gaussian_derivatives": True},
               note="expected: float64 skimage on the float32 input, cast")
    f2 = w.save("frangi_img_2d.npy", img2)
    for black in (True, False):
        w.case(f"frangi_2d_black{int(black)}", "linalg.frangi", [f2],
               frangi(img2, sigmas=[1, 2, 3], black_ridges=black), 1e-10,
               {"sigmas": [1, 2, 3], "black_ridges": black},
               note="skimage.filters.frangi, mode='reflect'")
    f3 = w.save("frangi_img_3d.npy", img3)
    w.case("frangi_3d", "linalg.frangi", [f3], frangi(img3, sigmas=[1, 2]), 1e-10,
           {"sigmas": [1, 2]}, note="skimage.filters.frangi, mode='reflect'")


def generate(w, rng):
    eig_cases(w, rng)
    poly_cases(w, rng)
    q21_cases(w, rng)
    distance_cases(w, rng)
    kmeans_cases(w, rng)
    pca_cases(w, rng)
    kernel_cases(w, rng)
    detrend_cases(w, rng)
    hessian_cases(w, rng)
