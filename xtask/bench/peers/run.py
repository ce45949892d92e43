"""The driver: candidates per workload, checks, timings, JSON."""

import json
import os
import platform
import shutil
import sys
import tempfile

import numpy as np

from . import binning, linalg, opencv, reductions, signal, windows
from .core import POLICY, THREADS, data, measure


def all_peers():
    """Peer key (the suite's `Workload::peer`) -> fn(a, workload) -> Row. Add one entry per
    new task to its family's module."""
    table = dict(reductions.PEERS)
    for fam in (windows, binning, linalg, signal):
        table.update(fam.peers())
    return table


LIBS = {  # meta key -> module whose __version__ is reported
    "scipy": "scipy", "skimage": "skimage", "cv2": "cv2", "numba": "numba", "KDEpy": "KDEpy",
    "numpy_groupies": "numpy_groupies", "fast_histogram": "fast_histogram",
    "boost_histogram": "boost_histogram", "sklearn": "sklearn", "faiss": "faiss",
    "SimpleITK": "SimpleITK", "numbagg": "numbagg",
}


def blas_info():
    try:
        from threadpoolctl import threadpool_info

        return [
            {k: d.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
            for d in threadpool_info()
        ]
    except Exception as e:  # informational only
        return str(e)


def run_row(w, row, policy):
    """Check every candidate against the reference, time the accepted ones (and, for
    information, the rejected ones that ran), pick the fastest accepted one."""
    name = w["name"]
    cands = [c if len(c) == 3 else (c[0], c[1], row.check) for c in row.cands]
    ref_label, ref_fn, _ = cands[0]
    ref = ref_fn()  # also its warm-up
    timings = {ref_label: measure(ref_fn, policy, warm=False)}
    errors, rejected, checks, notes = {}, {}, {}, {}
    for label, fn, check in cands[1:]:
        try:
            got = fn()  # warm-up: JIT compilation, thread pools; never timed
        except Exception as e:  # a peer that cannot do the task is reported, not fatal
            rejected[label] = {"reason": "raised %s: %s" % (type(e).__name__, e)}
            print("peers: %s: REJECTED %s: %s" % (name, label, rejected[label]["reason"]),
                  file=sys.stderr)
            continue
        ok, err, detail = check(ref, got)
        del got
        errors[label] = err if np.isfinite(err) else None
        checks[label] = check.doc
        if getattr(check, "approx", False):
            notes[label] = "max err %.1e of peak vs %s" % (err, ref_label.split(":")[0])
        # OpenCV 5 is timed in its worker (same policy); everything else here.
        t = fn.timing() if hasattr(fn, "timing") else measure(fn, policy, warm=False)
        if ok:
            timings[label] = t
        else:
            rejected[label] = {"reason": detail, "median_s": t["median_s"]}
            print("peers: %s: REJECTED %s (%.3f ms): %s" % (name, label, t["median_s"] * 1e3,
                                                            detail), file=sys.stderr)
    del ref
    best = min(timings, key=lambda k: timings[k]["median_s"])
    r = dict(timings[best])
    idiom = best
    if best in notes:
        nd = w.get("max_rel_err")
        idiom += " [%s%s]" % (notes[best], "; ndkern %.1e" % nd if nd is not None else "")
    r.update({
        "idiom": idiom,
        "library": best.split(":")[0],
        "reference": ref_label,
        "check": row.check_doc,
        "checks": checks,
        "candidates": {k: v["median_s"] for k, v in timings.items()},
        "errors": errors,
        "approx_notes": notes,
        "rejected": rejected,
        "ndkern_max_rel_err_vs_naive": w.get("max_rel_err"),
    })
    return r


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: python xtask/bench/peers SUITE_JSON")
    with open(sys.argv[1]) as fh:
        suite = json.load(fh)
    mode = suite.get("mode", "full")
    policy = POLICY[mode]
    # OpenCV 5 next to the bench venv's pinned 4.x: its own venv (xtask sets it up and passes
    # NDKERN_PEERS_CV5; by hand, target/bench-venv-cv5 is used if it exists).
    here = os.path.dirname(os.path.abspath(__file__))
    cv5 = os.environ.get("NDKERN_PEERS_CV5")  # set but empty: xtask could not set it up
    if cv5 is None:
        cv5 = os.path.join(here, "..", "..", "..", "target", "bench-venv-cv5", "bin", "python")
    tmp = tempfile.mkdtemp(prefix="ndkern-peers-")
    if cv5 and os.path.exists(cv5):
        opencv.CV5 = opencv.Cv5(cv5, mode, tmp)
    table = all_peers()
    results = {}
    cache = {}
    for w in suite["workloads"]:
        peer = w.get("peer")
        if peer is None:
            continue
        if peer not in table:
            sys.exit("peers: no idiom named %r (workload %s)" % (peer, w["name"]))
        key = (tuple(w["shape"]), w["dtype"])
        if key not in cache:
            cache.clear()  # keep at most one array alive
            cache[key] = data(w["shape"], np.dtype(w["dtype"]))
        r = run_row(w, table[peer](cache[key], w), policy)
        results[w["name"]] = r
        print("peers: %-30s %-60s median %10.3f ms (of %d accepted, %d rejected)"
              % (w["name"], r["idiom"][:60], r["median_s"] * 1e3, len(r["candidates"]),
                 len(r["rejected"])), file=sys.stderr)
    meta = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "threads": THREADS,
        "blas": blas_info(),
        "openblas_env": {
            k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
        },
        "libs": {},
    }
    for key, mod in LIBS.items():
        m = sys.modules.get(mod)
        if m is not None and hasattr(m, "__version__"):
            meta["libs"][key] = m.__version__
            if key in ("scipy", "skimage", "cv2"):
                meta[key] = m.__version__
    if opencv.CV5 is not None and opencv.CV5.version:
        meta["libs"]["cv2 (OpenCV 5 venv)"] = opencv.CV5.version
    shutil.rmtree(tmp, ignore_errors=True)
    json.dump({"meta": meta, "results": results}, sys.stdout, indent=1)
    sys.stdout.write("\n")
