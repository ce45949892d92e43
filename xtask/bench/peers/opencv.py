"""OpenCV idioms (2-D images only), shared by the in-process OpenCV of the bench venv (the
pinned 4.x) and the OpenCV 5.x worker (`python -m peers.opencv REQUEST`, run in
target/bench-venv-cv5: a separate venv so both versions are timed in one run). This module
needs only numpy and cv2, so the worker's venv holds nothing else."""

import json
import os
import subprocess
import sys

import numpy as np


def routes(cv2, a, key):
    """OpenCV's idioms for the row whose peer key is `key`: a list of (idiom, fn, tol), tol
    None for the row's own check. scipy's mode 'reflect' is cv2.BORDER_REFLECT (d c b a |
    a b c d); OpenCV runs on its own thread pool."""
    if cv2 is None or a.ndim != 2:
        return []
    R = cv2.BORDER_REFLECT
    if key.startswith("uniform_filter_"):
        size = int(key.split("_")[2])
        if key.endswith("_out"):
            out = np.ones_like(a)
            return [("cv2.blur(a, (%d, %d), dst=out, borderType=BORDER_REFLECT)" % (size, size),
                     lambda: cv2.blur(a, (size, size), dst=out, borderType=R), None)]
        return [("cv2.blur(a, (%d, %d), borderType=BORDER_REFLECT)" % (size, size),
                 lambda: cv2.blur(a, (size, size), borderType=R), None)]
    if key == "local_mean_var_15":
        def local():
            m = cv2.blur(a, (15, 15), borderType=R)
            return m, cv2.blur(a * a, (15, 15), borderType=R) - m * m
        return [("m = cv2.blur(a, (15, 15)); cv2.blur(a*a, (15, 15)) - m*m", local, None)]
    if key.startswith("gaussian_"):
        sigma = {"gaussian_1p5": 1.5, "gaussian_8": 8.0, "gaussian_2": 2.0}[key]
        r = int(4.0 * sigma + 0.5)  # scipy's radius for truncate=4.0
        return [("cv2.GaussianBlur(a, (2r+1, 2r+1), %g, BORDER_REFLECT)" % sigma,
                 lambda: cv2.GaussianBlur(a, (2 * r + 1, 2 * r + 1), sigma, borderType=R), None)]
    if key == "correlate_dense15":
        from .core import data
        k = (data((15, 15), np.float64) / 225.0).astype(a.dtype)
        return [("cv2.filter2D(a, -1, k15x15, borderType=BORDER_REFLECT)",
                 lambda: cv2.filter2D(a, -1, k, borderType=R), None)]
    if key == "q18_diffsq":
        def q18():
            b = 3.0 - a
            return cv2.boxFilter(a * a - b * b, -1, (3, 3), normalize=False,
                                 borderType=cv2.BORDER_CONSTANT)
        return [("cv2.boxFilter(a*a - b*b, -1, (3, 3), normalize=False, BORDER_CONSTANT)", q18,
                 None)]
    if key == "q9_block_density":
        img = (a > 1.5).astype(np.uint8)
        h, w = img.shape[0] // 4 * 4, img.shape[1] // 4 * 4
        img = img[:h, :w]
        return [("cv2.resize((img != 0).astype(float32), (w/4, h/4), INTER_AREA)",
                 lambda: cv2.resize((img != 0).astype(np.float32), (w // 4, h // 4),
                                    interpolation=cv2.INTER_AREA), 1e-6)]
    return []


KEYS = ("uniform_filter_3", "uniform_filter_31", "uniform_filter_3_out", "uniform_filter_31_out",
        "local_mean_var_15", "gaussian_1p5", "gaussian_8", "gaussian_2", "correlate_dense15",
        "q18_diffsq", "q9_block_density")


class Cv5:
    """OpenCV 5.x in its own venv: one subprocess per row builds the same data, runs each
    idiom once (result saved for the check) and times it with the same policy."""

    def __init__(self, python, policy_name, tmpdir):
        self.python, self.policy, self.tmp = python, policy_name, tmpdir
        self.version = None

    def candidates(self, a, w, key):
        if a.ndim != 2 or key not in KEYS:
            return []
        req = {"shape": w["shape"], "dtype": w["dtype"], "key": key, "policy": self.policy,
               "out": os.path.join(self.tmp, "cv5")}
        cands = []
        state = {}

        def run():
            if "res" not in state:
                p = subprocess.run([self.python, "-m", "peers.opencv", json.dumps(req)],
                                   cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                   capture_output=True, text=True)
                if p.returncode != 0:
                    raise RuntimeError("OpenCV 5 worker failed: %s" % p.stderr.strip()[-500:])
                state["res"] = json.loads(p.stdout)
                self.version = state["res"]["version"]
            return state["res"]

        # Probe the idiom list without running (same list as in-process).
        for i, (idiom, _, tol) in enumerate(routes(_Stub(), a, key)):
            def fn(i=i):
                r = run()["routes"][i]
                got = np.load(r["file"], allow_pickle=False)
                os.remove(r["file"])
                got = tuple(got[k] for k in sorted(got.files))
                return got[0] if len(got) == 1 else got
            fn.timing = lambda i=i: run()["routes"][i]["timing"]
            cands.append((idiom, fn, tol))
        return cands


class _Stub:
    """Stands in for cv2 when only the idiom names are needed."""

    BORDER_REFLECT = BORDER_CONSTANT = INTER_AREA = 0


def _worker(req):
    import cv2

    from .core import POLICY, data, measure

    cv2.setNumThreads(len(os.sched_getaffinity(0)))
    a = data(req["shape"], np.dtype(req["dtype"]))
    out = []
    for i, (idiom, fn, _) in enumerate(routes(cv2, a, req["key"])):
        res = fn()
        parts = res if isinstance(res, tuple) else (res,)
        path = "%s-%d.npz" % (req["out"], i)
        np.savez(path, **{"p%d" % k: p for k, p in enumerate(parts)})
        del res, parts
        out.append({"idiom": idiom, "file": path,
                    "timing": measure(fn, POLICY[req["policy"]], warm=False)})
    json.dump({"version": cv2.__version__, "routes": out}, sys.stdout)


if __name__ == "__main__":
    _worker(json.loads(sys.argv[1]))


CV5 = None  # a Cv5 when target/bench-venv-cv5 exists (set by run.main)


def candidates(cv2, a, w, key, check_for):
    """The row's OpenCV candidates: the bench venv's OpenCV (4.x) in process and OpenCV 5
    through its worker; `check_for(tol)` makes the check of a route with its own
    tolerance."""
    out = []
    for idiom, fn, tol in routes(cv2, a, key):
        c = ("OpenCV: " + idiom, fn)
        out.append(c + (check_for(tol),) if tol is not None else c)
    if CV5 is not None:
        for idiom, fn, tol in CV5.candidates(a, w, key):
            c = ("OpenCV 5: " + idiom, fn)
            out.append(c + (check_for(tol),) if tol is not None else c)
    return out
