"""The machinery shared by every peer family: the suite's data, the optional libraries, the
candidates of a row, the result checks and the timing policy."""

import gc
import os
import time

import numpy as np

# This machine's cores: every peer that can thread gets all of them (2 here), as ndkern does.
THREADS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()

# Same repetition policy as benches/suite.rs: (min_reps, max_reps, budget_s, min_sample_s).
POLICY = {
    "smoke": (1, 1, 0.0, 0.0),
    "quick": (3, 7, 0.7, 0.005),
    "full": (10, 200, 3.0, 0.020),
}


def optional(name):
    """Import a peer library if it is installed (every peer beyond numpy/scipy is optional,
    so a venv without it still runs; its candidates are then simply absent)."""
    try:
        return __import__(name)
    except ImportError:
        return None


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


class Row:
    """The candidates of one workload. `cands` is a list of (label, fn) or (label, fn, check);
    the first is the reference idiom (numpy/scipy) every other candidate's result is checked
    against with its own check or the row's, `check(ref, got) -> (ok, error, detail)`
    (`check.doc` says how, for the JSON; a check with `approx` set marks an approximation,
    whose error is then shown next to its idiom in the table)."""

    def __init__(self, cands, check=None, check_doc=None):
        self.cands = [c for c in cands if c is not None]
        self.check = check or close(1e-9)
        self.check_doc = check_doc or getattr(self.check, "doc", "")


# ---------------------------------------------------------------------------------------------
# Checks: each returns (ok, max error, detail). Errors are relative to the reference's largest
# magnitude (for a density: relative to the peak), NaNs must sit where the reference has them.


def _parts(x):
    if isinstance(x, (tuple, list)):
        out = []
        for p in x:
            out.extend(_parts(p))
        return out
    return [np.asarray(x)]


def _rel_err(r, g, mask=None):
    r = np.asarray(r, dtype=np.float64)
    g = np.asarray(g, dtype=np.float64)
    if r.shape != g.shape:
        if r.size == g.size:
            g = g.reshape(r.shape)
        else:
            return np.inf, "shape %s, reference %s" % (g.shape, r.shape)
    if mask is not None:
        r, g = r[mask], g[mask]
    rn, gn = np.isnan(r), np.isnan(g)
    if not np.array_equal(rn, gn):
        return np.inf, "%d NaNs where the reference has %d" % (gn.sum(), rn.sum())
    r, g = r[~rn], g[~gn]
    if r.size == 0:
        return 0.0, ""
    scale = max(float(np.max(np.abs(r))), 1e-300)
    return float(np.max(np.abs(r - g))) / scale, ""


def close(tol, interior=0, approx=False):
    """Every part within `tol` of the reference, relative to the part's largest magnitude;
    `interior=r` compares only elements at least r from every edge (for peers whose border
    convention differs from scipy's 'reflect' — stated in the row's check text)."""

    def check(ref, got):
        rp, gp = _parts(ref), _parts(got)
        if len(rp) != len(gp):
            return False, np.inf, "%d outputs, reference %d" % (len(gp), len(rp))
        worst = 0.0
        for r, g in zip(rp, gp):
            mask = None
            if interior:
                r = np.asarray(r)
                g = np.asarray(g).reshape(r.shape)
                sl = tuple(slice(interior, n - interior) for n in r.shape)
                r, g = r[sl], g[sl]
            e, why = _rel_err(r, g, mask)
            if why:
                return False, e, why
            worst = max(worst, e)
        ok = worst <= tol
        return ok, worst, "" if ok else "max error %.3g of the largest value > %.3g" % (worst, tol)

    check.doc = "allclose: max |x - ref| <= %.1e x max |ref| per output%s" % (
        tol, ", interior (>= %d from each edge)" % interior if interior else "")
    check.approx = approx
    return check


def exact():
    def check(ref, got):
        rp, gp = _parts(ref), _parts(got)
        for r, g in zip(rp, gp):
            if r.size != g.size or not np.array_equal(r.ravel(), g.ravel()):
                n = r.size if r.size != g.size else int((r.ravel() != g.ravel()).sum())
                return False, np.inf, "%d of %d values differ" % (n, r.size)
        return True, 0.0, ""

    check.doc = "exact (integer/argmax results)"
    return check


# ---------------------------------------------------------------------------------------------


def measure(f, policy, warm=True):
    min_reps, max_reps, budget, min_sample = policy
    if warm:
        f()  # warm-up (JIT compilation, caches, thread pools)
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
