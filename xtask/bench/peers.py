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

    return {
        "uniform_filter_3": lambda a, axes: [("ndi.uniform_filter(a, 3)",
                                              lambda: ndi.uniform_filter(a, 3))],
        "uniform_filter_31": lambda a, axes: [("ndi.uniform_filter(a, 31)",
                                               lambda: ndi.uniform_filter(a, 31))],
        "local_mean_var_15": lambda a, axes: [("m = uniform_filter(a, 15); "
                                               "uniform_filter(a*a, 15) - m*m", lambda: local(a))],
        "correlate_dense15": lambda a, axes: [("ndi.correlate(a, k15x15)",
                                               (lambda k: lambda: ndi.correlate(a, k))(k15()))],
        "gaussian_1p5": lambda a, axes: [("ndi.gaussian_filter(a, 1.5)",
                                          lambda: ndi.gaussian_filter(a, 1.5))],
        "gaussian_8": lambda a, axes: [("ndi.gaussian_filter(a, 8)",
                                        lambda: ndi.gaussian_filter(a, 8.0))],
        "gaussian_2": lambda a, axes: [("ndi.gaussian_filter(a, 2)",
                                        lambda: ndi.gaussian_filter(a, 2.0))],
        "q18_diffsq": lambda a, axes: [("uniform_filter(a*a - b*b, 3, mode='constant') * 9",
                                        lambda: q18(a))],
        "gradient_stack": lambda a, axes: [("np.stack(np.gradient(a), -1)",
                                            lambda: np.stack(np.gradient(a), -1))],
    }


PEERS.update(_spatial_peers())


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
    try:
        import scipy

        meta["scipy"] = scipy.__version__
    except ImportError:
        pass
    json.dump({"meta": meta, "results": results}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
