"""Reference cases for ndkern-spatial's binning family (tests/data/binning/): numpy
histogram / histogramdd / digitize / bincount / add.at, scipy.stats.binned_statistic_dd,
skimage.measure.block_reduce (interior blocks only: skimage zero-pads partial edge blocks,
scikit-image issue 4940, which ndkern deliberately does not; float, uint8 and bool images),
np.extract (a[mask]) and healpy.ang2pix.

Parameters use the counterparts' keyword names (`bins`, `range`, `density`, `weights` as a
second input, `minlength`, `statistic`, `block_size`, `func`, `nside`, `nest`, `right`).
Histogram counts are compared as float64 (numpy's histogramdd dtype; np.histogram's int64
counts cast, exact). Samples include points exactly on inner edges and on the closed last
edge; binned_statistic_dd samples avoid the last edge's neighbourhood, where scipy keeps
points that round to the edge at 6 more decimals than the bin width (ndkern keeps exactly
the closed edge, like numpy)."""

import numpy as np

RTOL = {"float64": 1e-12, "float32": 1e-5}
DT = {"float64": "f64", "float32": "f32"}


def sample(rng, n, d, lo=0.0, hi=4.0, on_edges=True):
    """Points in [lo - 0.5, hi + 0.5) with ~20% exactly on the integer (and quarter) edges
    inside [lo, hi], including the last edge."""
    s = rng.uniform(lo - 0.5, hi + 0.5, size=(n, d))
    if on_edges:
        m = rng.random((n, d)) < 0.2
        s[m] = rng.integers(int(lo) * 4, int(hi) * 4 + 1, size=m.sum()) / 4.0
    return s


def histograms(w, rng):
    for dtype in ("float64", "float32"):
        dt = DT[dtype]
        rtol = RTOL[dtype]
        for d, n in ((1, 200), (2, 300), (3, 400)):
            s = sample(rng, n, d).astype(dtype)
            inp = w.save(f"sample_{dt}_{d}d.npy", s)
            wt = rng.standard_normal(n).astype(dtype)
            winp = w.save(f"weights_{dt}_{d}d.npy", wt)
            rng_ = [[0.0, 4.0]] * d
            for bins in (4, 8, 7):
                h, _ = np.histogramdd(s, bins=bins, range=rng_)
                w.case(f"histogramdd_{dt}_{d}d_b{bins}", "spatial.histogramdd", [inp], h, 0.0,
                       {"bins": bins, "range": rng_})
            h, _ = np.histogramdd(s, bins=[3 + k for k in range(d)], range=rng_, weights=wt)
            w.case(f"histogramdd_{dt}_{d}d_weighted", "spatial.histogramdd", [inp, winp], h,
                   RTOL["float64"] if dtype == "float64" else 1e-6,
                   {"bins": [3 + k for k in range(d)], "range": rng_},
                   note="f32 weights: numpy sums in float64 too")
            h, _ = np.histogramdd(s, bins=5, range=rng_, density=True)
            w.case(f"histogramdd_{dt}_{d}d_density", "spatial.histogramdd", [inp], h,
                   RTOL["float64"], {"bins": 5, "range": rng_, "density": True})
            edges = [[-0.25, 0.0, 0.5, 1.0, 2.5, 4.0], [0.0, 1.0, 1.75, 4.0],
                     [0.0, 0.25, 4.0]][:d]
            h, _ = np.histogramdd(s, bins=[np.array(e) for e in edges])
            w.case(f"histogramdd_{dt}_{d}d_edges", "spatial.histogramdd", [inp], h, 0.0,
                   {"bins": edges})
            # Default range: the sample's min..max.
            fin = s[np.all((s >= 0) & (s <= 4), axis=1)]
            finp = w.save(f"sample_{dt}_{d}d_inside.npy", fin)
            h, _ = np.histogramdd(fin, bins=6)
            w.case(f"histogramdd_{dt}_{d}d_autorange", "spatial.histogramdd", [finp], h, 0.0,
                   {"bins": 6})
        # np.histogram (1-d, any shape flattened)
        a = sample(rng, 60, 1).reshape(6, 10).astype(dtype)
        ainp = w.save(f"hist_a_{dt}.npy", a)
        aw = rng.random((6, 10)).astype(dtype)
        awinp = w.save(f"hist_w_{dt}.npy", aw)
        h, _ = np.histogram(a, bins=10, range=(0.0, 4.0))
        w.case(f"histogram_{dt}_b10", "spatial.histogram", [ainp], h.astype(np.float64), 0.0,
               {"bins": 10, "range": [0.0, 4.0]}, note="numpy's int64 counts as float64")
        h, _ = np.histogram(a, bins=[0.0, 0.3, 1.1, 2.0, 4.5], weights=aw, density=True)
        w.case(f"histogram_{dt}_edges_weighted_density", "spatial.histogram", [ainp, awinp],
               h.astype(np.float64), RTOL[dtype], {"bins": [0.0, 0.3, 1.1, 2.0, 4.5], "density": True},
               note="numpy sums float32 weights in float32 here; ndkern in float64")
        # np.digitize
        x = np.concatenate([sample(rng, 30, 1).ravel(), [np.nan, 0.0, 4.0]]).astype(dtype)
        xinp = w.save(f"digitize_x_{dt}.npy", x)
        for bins, tag in (([0.0, 1.0, 2.5, 4.0], "inc"), ([4.0, 2.5, 1.0, 0.0], "dec"),
                          ([1.0, 1.0, 3.0], "repeated")):
            for right in (False, True):
                e = np.digitize(x, np.array(bins, dtype=dtype), right=right).astype(np.int64)
                w.case(f"digitize_{dt}_{tag}_right{int(right)}", "spatial.digitize", [xinp], e,
                       0.0, {"bins": bins, "right": right})


def counts(w, rng):
    x = rng.integers(0, 50, size=500).astype(np.int64)
    xinp = w.save("bincount_x.npy", x)
    w.case("bincount_plain", "spatial.bincount", [xinp], np.bincount(x).astype(np.int64), 0.0, {})
    w.case("bincount_minlength", "spatial.bincount", [xinp],
           np.bincount(x, minlength=80).astype(np.int64), 0.0, {"minlength": 80})
    for dtype in ("float64", "float32"):
        wt = rng.standard_normal(500).astype(dtype)
        winp = w.save(f"bincount_w_{DT[dtype]}.npy", wt)
        w.case(f"bincount_weights_{DT[dtype]}", "spatial.bincount", [xinp, winp],
               np.bincount(x, weights=wt, minlength=60), RTOL["float64"] if dtype == "float64"
               else 1e-6, {"minlength": 60}, note="numpy returns float64 sums for any weights")
    # np.add.at: 1-d and 3-d targets, repeated indices.
    for dtype in ("float64", "float32"):
        dt = DT[dtype]
        for shape in ((40,), (4, 5, 6)):
            a = rng.standard_normal(shape).astype(dtype)
            idx = np.stack([rng.integers(0, n, size=300) for n in shape], axis=1).astype(np.int64)
            v = rng.standard_normal(300).astype(dtype)
            tag = f"{dt}_{len(shape)}d"
            ainp = w.save(f"add_at_a_{tag}.npy", a)
            iinp = w.save(f"add_at_idx_{tag}.npy", idx)
            vinp = w.save(f"add_at_v_{tag}.npy", v)
            exp = a.astype(np.float64).copy()
            np.add.at(exp, tuple(idx.T), v.astype(np.float64))
            w.case(f"add_at_{tag}", "spatial.add_at", [ainp, iinp, vinp], exp.astype(dtype),
                   RTOL[dtype], {},
                   note="expected: np.add.at in float64 then cast (ndkern accumulates f32 in f64)")


def binned_statistics(w, rng):
    from scipy import stats

    for dtype in ("float64", "float32"):
        dt = DT[dtype]
        for d in (1, 2, 3):
            s = sample(rng, 400, d)
            # keep points off the last edge's fuzzy neighbourhood (see module doc)
            s = s[~np.any((s > 4.0) & (s < 4.0 + 1e-4), axis=1)].astype(dtype)
            vals = (rng.standard_normal(len(s)) * 3 + 10).astype(dtype)
            sinp = w.save(f"bstat_sample_{dt}_{d}d.npy", s)
            vinp = w.save(f"bstat_values_{dt}_{d}d.npy", vals)
            rng_ = [[0.0, 4.0]] * d
            for st in ("count", "sum", "mean", "std", "min", "max"):
                r = stats.binned_statistic_dd(s.astype(np.float64), vals.astype(np.float64),
                                              statistic=st, bins=4, range=rng_)
                w.case(f"binned_statistic_dd_{dt}_{d}d_{st}", "spatial.binned_statistic_dd",
                       [sinp, vinp], r.statistic, RTOL["float64"] if dtype == "float64" else 1e-6,
                       {"statistic": st, "bins": 4, "range": rng_},
                       note="scipy computes in float64; ndkern accumulates in f64 too")


def blocks(w, rng):
    from skimage.measure import block_reduce

    funcs = {"sum": np.sum, "mean": np.mean, "min": np.min, "max": np.max,
             "count_nonzero": np.count_nonzero}
    for dtype in ("float64", "float32"):
        dt = DT[dtype]
        for shape, block in (((12, 12), (3, 3)), ((8, 6, 4), (2, 3, 2)), ((10,), (5,))):
            a = rng.standard_normal(shape)
            a[rng.random(shape) < 0.4] = 0.0
            a = a.astype(dtype)
            tag = f"{dt}_{len(shape)}d"
            inp = w.save(f"block_in_{tag}.npy", a)
            for fname, f in funcs.items():
                exp = np.asarray(block_reduce(a.astype(np.float64), block_size=block, func=f),
                                 dtype=np.float64)
                w.case(f"block_reduce_{tag}_{fname}", "spatial.block_reduce", [inp], exp,
                       RTOL["float64"] if dtype == "float64" else 1e-6,
                       {"block_size": list(block), "func": fname},
                       note="interior blocks only (shape divisible by block_size)")


def u8_and_masks(w, rng):
    """uint8 images and bool masks (Q9's images, Q5's masks): block_reduce of a uint8 image
    and of a mask (func=np.mean of a mask is Q9's fraction nonzero), np.extract (a[mask])."""
    from skimage.measure import block_reduce

    img = (rng.random((12, 16)) < 0.45).astype(np.uint8) * rng.integers(1, 255, (12, 16),
                                                                          dtype=np.uint8)
    mask = rng.random((12, 16)) < 0.3
    for name, a in (("u8", img), ("bool", mask)):
        inp = w.save(f"block_in_{name}.npy", a)
        for fname, f in (("sum", np.sum), ("mean", np.mean), ("max", np.max),
                         ("count_nonzero", np.count_nonzero)):
            exp = np.asarray(block_reduce(a, block_size=(3, 4), func=f), dtype=np.float64)
            w.case(f"block_reduce_{name}_{fname}", "spatial.block_reduce", [inp], exp,
                   RTOL["float64"], {"block_size": [3, 4], "func": fname},
                   note="interior blocks only; skimage reduces the uint8/bool array itself")
    for dtype in ("float64", "float32"):
        dt = DT[dtype]
        for shape in ((40,), (5, 6, 7)):
            a = rng.standard_normal(shape).astype(dtype)
            cond = rng.random(shape) < 0.4
            cinp = w.save(f"extract_cond_{dt}_{len(shape)}d.npy", cond)
            ainp = w.save(f"extract_arr_{dt}_{len(shape)}d.npy", a)
            w.case(f"extract_{dt}_{len(shape)}d", "spatial.extract", [cinp, ainp],
                   np.extract(cond, a), 0.0, {}, note="np.extract(condition, arr) == arr[mask]")


def healpix(w, rng):
    import healpy as hp

    n = 500
    theta = np.arccos(rng.uniform(-1, 1, n))
    phi = rng.uniform(-np.pi, 3 * np.pi, n)
    theta[:4] = [0.0, np.pi, np.pi / 2, 0.1]
    tinp = w.save("hp_theta_f64.npy", theta)
    pinp = w.save("hp_phi_f64.npy", phi)
    for nside in (1, 4, 64, 1024):
        for nest in (False, True):
            exp = hp.ang2pix(nside, theta, phi, nest=nest).astype(np.int64)
            w.case(f"ang2pix_n{nside}_{'nest' if nest else 'ring'}", "spatial.ang2pix",
                   [tinp, pinp], exp, 0.0, {"nside": nside, "nest": nest})
    for nside in (3, 100):
        exp = hp.ang2pix(nside, theta, phi, nest=False).astype(np.int64)
        w.case(f"ang2pix_n{nside}_ring", "spatial.ang2pix", [tinp, pinp], exp, 0.0,
               {"nside": nside, "nest": False}, note="ring scheme, nside not a power of two")


def generate(w, rng):
    histograms(w, rng)
    counts(w, rng)
    binned_statistics(w, rng)
    blocks(w, rng)
    healpix(w, rng)
    u8_and_masks(w, rng)  # last: the cases above keep their random data
