"""Write ndkern's numpy/scipy reference cases: inputs and expected outputs as .npy plus a
manifest.toml describing each case (see README, "Checking ndkern against your own numpy").

Run through `cargo xtask refdata`, which creates the pinned venv (xtask/refdata/requirements.txt)
under target/refdata-venv and calls `python generate.py tests/data`. Everything is seeded, so
rerunning with the same pins rewrites identical files.

Conventions the Rust side (src/refcheck.rs) relies on:

* `op` is `<crate>.<function>`, named after the numpy/scipy counterpart; `[case.params]` uses
  numpy keyword names (`axis` absent = None, an int, or a list; `keepdims`; `ddof`).
* Inputs are shared between cases; expected files are one per case.
* `rtol` is relative to max |expected| (finite entries): 1e-12 for float64, 1e-5 for float32,
  0 for integer results (counts must be exact).
* float32 expectations are numpy's own float32 results, checked here against the float64
  computation of the same float32 inputs; where numpy's float32 result is known to be wrong
  (numpy issue 11331) the expected value is the float64 result cast to float32 (the intent),
  and the case name says so.
"""

import os
import sys

import numpy as np

RTOL = {"float64": 1e-12, "float32": 1e-5}
DT = {"float64": "f64", "float32": "f32"}


class Writer:
    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.cases = []
        self.names = set()
        self.files = set()

    def save(self, fname, arr):
        assert fname not in self.files, f"file {fname} written twice"
        self.files.add(fname)
        np.save(os.path.join(self.out_dir, fname), arr, allow_pickle=False)
        return fname

    def case(self, name, op, inputs, expected, rtol, params, note=None):
        assert name not in self.names, f"duplicate case {name}"
        self.names.add(name)
        fname = self.save(f"{name}.expected.npy", expected)
        self.cases.append(
            dict(name=name, op=op, inputs=inputs, expected=fname, rtol=rtol,
                 params=params, note=note)
        )

    def manifest(self):
        lines = [
            "# ndkern reference cases, written by xtask/refdata/generate.py",
            f"# (numpy {np.__version__}). Do not edit by hand: run `cargo xtask refdata`.",
            "# Format: README.md, \"Checking ndkern against your own numpy\".",
            "",
        ]
        for c in self.cases:
            lines.append("[[case]]")
            lines.append(f"name = {toml_str(c['name'])}")
            lines.append(f"op = {toml_str(c['op'])}")
            lines.append("inputs = [" + ", ".join(toml_str(i) for i in c["inputs"]) + "]")
            lines.append(f"expected = {toml_str(c['expected'])}")
            lines.append(f"rtol = {c['rtol']!r}")
            if c["note"]:
                lines.append(f"note = {toml_str(c['note'])}")
            if c["params"]:
                lines.append("[case.params]")
                for k, v in c["params"].items():
                    lines.append(f"{k} = {toml_value(v)}")
            lines.append("")
        with open(os.path.join(self.out_dir, "manifest.toml"), "w") as f:
            f.write("\n".join(lines))


def toml_str(s):
    assert '"' not in s and "\\" not in s
    return f'"{s}"'


def toml_value(v):
    import numbers

    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, numbers.Integral):
        return str(int(v))
    if isinstance(v, numbers.Real):
        # repr round-trips; TOML spells the non-finite values inf, -inf, nan like Python.
        return repr(float(v))
    if isinstance(v, str):
        return toml_str(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    raise TypeError(v)


# --- numpy counterparts of each core op ---------------------------------------------------
# Each takes (a, axis, keepdims, **extra) in numpy's keyword meaning and returns numpy's result.

def np_norm_l2(a, axis, keepdims):
    # The numpy idiom for an L2 norm over any set of axes: sqrt of the sum of squares (equal
    # to np.linalg.norm of the flattened reduced axes).
    return np.sqrt(np.sum(a * a, axis=axis, keepdims=keepdims))


REDUCTIONS = {
    "core.sum": lambda a, axis, keepdims: np.sum(a, axis=axis, keepdims=keepdims),
    "core.mean": lambda a, axis, keepdims: np.mean(a, axis=axis, keepdims=keepdims),
    "core.var": lambda a, axis, keepdims, ddof: np.var(a, axis=axis, keepdims=keepdims, ddof=ddof),
    "core.std": lambda a, axis, keepdims, ddof: np.std(a, axis=axis, keepdims=keepdims, ddof=ddof),
    "core.norm_l2": np_norm_l2,
    "core.min": lambda a, axis, keepdims: np.min(a, axis=axis, keepdims=keepdims),
    "core.max": lambda a, axis, keepdims: np.max(a, axis=axis, keepdims=keepdims),
    "core.count_nonzero": lambda a, axis, keepdims: np.count_nonzero(
        a, axis=axis, keepdims=keepdims
    ),
}
HAS_DDOF = {"core.var", "core.std"}


def rel_err(actual, expected):
    """max |actual - expected| / max |expected| over finite entries (NaN positions must agree)."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape
    assert np.array_equal(np.isnan(actual), np.isnan(expected))
    fin = np.isfinite(expected)
    if not fin.any():
        return 0.0
    scale = np.max(np.abs(expected[fin])) or 1.0
    return float(np.max(np.abs(actual[fin] - expected[fin])) / scale)


def expected_for(op, a, axis, keepdims, extra):
    """numpy's result in the input's dtype, as an ndarray; float32 results checked against the
    float64 computation of the same inputs."""
    fn = REDUCTIONS[op]
    if op == "core.count_nonzero":
        return np.asarray(fn(a, axis, keepdims, **extra), dtype=np.int64)
    out = np.asarray(fn(a, axis, keepdims, **extra))
    assert out.dtype == a.dtype, (op, out.dtype, a.dtype)
    if a.dtype == np.float32:
        intent = np.asarray(fn(a.astype(np.float64), axis, keepdims, **extra))
        err = rel_err(out, intent)
        assert err < RTOL["float32"] / 10, (
            f"{op} axis={axis}: numpy float32 is {err:.2e} from the float64 result; "
            "use the float64 intent and say so in the case name"
        )
    return out


def axis_tag(axis):
    if axis is None:
        return "all"
    if isinstance(axis, int):
        return f"axis{axis}".replace("-", "m")
    return "axes" + "_".join(str(x).replace("-", "m") for x in axis)


def params_for(axis, keepdims, extra):
    p = {}
    if axis is not None:
        p["axis"] = list(axis) if isinstance(axis, tuple) else axis
    if keepdims:
        p["keepdims"] = True
    p.update(extra)
    return p


def make_input(rng, shape, dtype):
    """Normal values around 1 with ~25% exact zeros (so count_nonzero is not trivial)."""
    a = rng.standard_normal(shape) * 3.0 + 1.0
    a[rng.random(shape) < 0.25] = 0.0
    return a.astype(dtype)


# (tag, shape, fortran, [(axis, keepdims), ...]); axis in numpy's meaning.
LAYOUTS = [
    ("1d", (37,), False, [(None, False), (0, False), (-1, True)]),
    ("2d", (7, 9), False, [(None, True), (0, False), (1, False), (-1, True), ((0, 1), False)]),
    ("3d", (4, 5, 6), False, [(None, False), (1, False), ((0, 2), False), ((-1, 0), True)]),
    ("4d", (3, 4, 5, 6), False,
     [(2, False), (-4, False), ((0, 1, 2), False), ((1, 3), True), ((3, 0, 2), False)]),
    # Fortran-order file: ndarray-npy reads it as an F-layout array, so the Rust side reduces a
    # column-major view (outer axis contiguous).
    ("3d_fortran", (6, 7, 8), True, [(None, False), (0, False), (1, True), ((0, 2), False)]),
]


def reductions(w, rng):
    for dtype in ("float64", "float32"):
        dt = DT[dtype]
        for tag, shape, fortran, axis_list in LAYOUTS:
            a = make_input(rng, shape, dtype)
            if fortran:
                a = np.asfortranarray(a)
                assert a.flags.f_contiguous and not a.flags.c_contiguous
            inp = w.save(f"in_{dt}_{tag}.npy", a)
            for op in REDUCTIONS:
                short = op.split(".", 1)[1]
                ddofs = [0, 1] if op in HAS_DDOF else [None]
                for axis, keepdims in axis_list:
                    for ddof in ddofs:
                        extra = {} if ddof is None else {"ddof": ddof}
                        exp = expected_for(op, a, axis, keepdims, extra)
                        name = f"{short}_{dt}_{tag}_{axis_tag(axis)}"
                        if keepdims:
                            name += "_keepdims"
                        if ddof is not None:
                            name += f"_ddof{ddof}"
                        rtol = 0.0 if op == "core.count_nonzero" else RTOL[dtype]
                        w.case(name, op, [inp], exp, rtol, params_for(axis, keepdims, extra))


def nan_cases(w, rng):
    """NaN and infinity propagate as in numpy (these are not the nan* functions): a NaN in a
    reduced lane makes that output NaN for every float op, NaN counts as non-zero, and an
    infinity gives inf for sum/mean/norm and NaN for var/std (inf - inf)."""
    for dtype in ("float64", "float32"):
        dt = DT[dtype]
        a = make_input(rng, (6, 8), dtype)
        a[1, 2] = np.nan
        a[4, 5] = np.nan
        a[4, 7] = np.nan
        b = make_input(rng, (6, 8), dtype)
        b[2, 3] = np.inf
        b[5, 0] = -np.inf
        for tag, arr in (("nan", a), ("inf", b)):
            inp = w.save(f"in_{dt}_2d_{tag}.npy", arr)
            for op in REDUCTIONS:
                short = op.split(".", 1)[1]
                extra = {"ddof": 0} if op in HAS_DDOF else {}
                for axis in (None, 0, 1):
                    with np.errstate(invalid="ignore"):
                        # expected_for's float32 check compares NaN positions and finite values.
                        exp = expected_for(op, arr, axis, False, extra)
                    rtol = 0.0 if op == "core.count_nonzero" else RTOL[dtype]
                    w.case(f"{short}_{dt}_2d_{tag}_{axis_tag(axis)}", op, [inp], exp, rtol,
                           params_for(axis, False, extra))


def numpy_11331(w, rng):
    """numpy issue 11331: a float32 image stack reduced over (0, 1, 2) (the non-contiguous axes
    in front of the colour axis) is summed naively in float32 and drifts; the original report
    got 64.0 for a mean of 127.5. This is a small version: 16 frames of 32x32 RGB at a flat
    level of 100.1 with faint noise, where numpy's float32 mean is off by ~1.6e-4 relative.
    The expected value is the float64 mean of the same float32 data, cast to float32."""
    a = (100.1 + 1e-3 * rng.standard_normal((16, 32, 32, 3))).astype(np.float32)
    inp = w.save("in_f32_numpy11331.npy", a)
    axis = (0, 1, 2)
    intent = a.astype(np.float64).mean(axis=axis).astype(np.float32)
    numpy_f32 = a.mean(axis=axis)
    err = rel_err(numpy_f32, intent)
    assert err > 10 * RTOL["float32"], f"numpy 11331 case no longer shows the bug ({err:.1e})"
    w.case("mean_f32_numpy11331_expected_in_f64", "core.mean", [inp], intent, RTOL["float32"],
           params_for(axis, False, {}),
           note=f"numpy issue 11331: numpy's own float32 result is {err:.1e} off (relative); "
                "expected = float64 mean of the float32 input, cast to float32")


def questions(w, rng):
    # Q7: per-voxel variance along the last (time) axis of a (10, 10, 10, 5) stack.
    a = rng.standard_normal((10, 10, 10, 5)) * 2.0 + 5.0
    inp = w.save("in_q07_voxels.npy", a)
    w.case("q07_voxel_variance", "core.var", [inp], np.var(a, axis=-1), RTOL["float64"],
           {"axis": -1, "ddof": 0})
    # Q8: L2 norm of each of the d sub-arrays a[:, :, :, k] of an (a, b, c, d) array.
    b = rng.standard_normal((6, 5, 4, 3))
    inp = w.save("in_q08_subarrays.npy", b)
    w.case("q08_subarray_l2_norm", "core.norm_l2", [inp], np_norm_l2(b, (0, 1, 2), False),
           RTOL["float64"], {"axis": [0, 1, 2]})


def family_modules():
    """Other families' cases live beside this file in `cases_<family>.py`, each with a
    `generate(w, rng)` function. They are found by name (no list to edit), run in name order,
    and each gets its own rng seeded from its name, so adding cases to one family never changes
    another family's data."""
    import importlib.util
    import zlib

    here = os.path.dirname(os.path.abspath(__file__))
    for fname in sorted(os.listdir(here)):
        if fname.startswith("cases_") and fname.endswith(".py"):
            spec = importlib.util.spec_from_file_location(fname[:-3], os.path.join(here, fname))
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            name = fname[len("cases_"):-3]
            yield name, mod.generate, np.random.default_rng(zlib.crc32(fname.encode()))


def families():
    """(name, generate(w, rng), rng) for every family: `core` (this file), then one per
    `cases_<family>.py` module."""
    def core(w, rng):
        reductions(w, rng)
        nan_cases(w, rng)
        numpy_11331(w, rng)
        questions(w, rng)

    yield "core", core, np.random.default_rng(20240611)
    yield from family_modules()


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: generate.py OUT_DIR [FAMILY ...]  (writes OUT_DIR/<family>/)")
    out_root, only = sys.argv[1], set(sys.argv[2:])
    known = set()
    for name, generate, rng in families():
        known.add(name)
        if only and name not in only:
            continue
        out_dir = os.path.join(out_root, name)
        os.makedirs(out_dir, exist_ok=True)
        # Start clean so cases removed from this script do not linger as stale files.
        for f in os.listdir(out_dir):
            if f.endswith(".npy") or f == "manifest.toml":
                os.remove(os.path.join(out_dir, f))
        w = Writer(out_dir)
        generate(w, rng)
        w.manifest()
        total = sum(os.path.getsize(os.path.join(out_dir, f)) for f in os.listdir(out_dir))
        print(f"generate.py: {name}: {len(w.cases)} cases, {len(w.files) + 1} files, "
              f"{total / 1024:.0f} KiB in {out_dir} (numpy {np.__version__})")
    unknown = only - known
    if unknown:
        sys.exit(f"generate.py: unknown famil(y/ies) {sorted(unknown)}; known: {sorted(known)}")


if __name__ == "__main__":
    main()
