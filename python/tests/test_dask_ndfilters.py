"""ndkern.dask.ndfilters against the single-machine ndkern call on the whole array: every
filter, every border mode, several chunkings (one chunk, many, uneven, chunks smaller than the
halo), float32/float64 and integer input; dtype, meta, chunks and laziness."""

from __future__ import annotations

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
import dask  # noqa: E402

import ndkern  # noqa: E402
from conftest import MODES, assert_close  # noqa: E402
from ndkern import ndimage as ndi  # noqa: E402
from ndkern.dask import ndfilters as nf  # noqa: E402

SHAPE = (13, 11)
CHUNKINGS = {
    "one": (13, 11),
    "many": (4, 3),
    "uneven": ((5, 1, 7), (2, 6, 3)),
    "below_halo": ((2, 1, 3, 1, 6), (1, 2, 8)),
}
# float64 on every chunking, float32 on the two that stress the halo
RUNS = [(np.float64, c) for c in CHUNKINGS] + [(np.float32, "uneven"), (np.float32, "below_halo")]
SHRINK_MODES = MODES + ["shrink"]


def data(dtype, shape=SHAPE, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.uniform(-1, 1, size=shape) + 2.0).astype(dtype)


def check(result, expected, chunks):
    assert isinstance(result, da.Array)
    assert result.dtype == expected.dtype, (result.dtype, expected.dtype)
    assert result._meta.dtype == expected.dtype and type(result._meta) is np.ndarray
    assert result.chunks == chunks, (result.chunks, chunks)
    got = result.compute(scheduler="sync")
    if expected.dtype.kind == "c":
        assert got.dtype == expected.dtype
        assert_close(got.real, expected.real)
        assert_close(got.imag, expected.imag)
    else:
        assert_close(got, expected)


# (id, dask call, whole-array call); `mode` and `cval` are filled in by the test
FILTERS = [
    ("uniform3", lambda x, m, c: nf.uniform_filter(x, 3, mode=m, cval=c),
     lambda a, m, c: ndi.uniform_filter(a, 3, mode=m, cval=c)),
    ("uniform_sizes_origins", lambda x, m, c: nf.uniform_filter(x, (4, 5), mode=m, cval=c, origin=(1, -2)),
     lambda a, m, c: ndi.uniform_filter(a, (4, 5), mode=m, cval=c, origin=(1, -2))),
    ("uniform_wide", lambda x, m, c: nf.uniform_filter(x, (15, 2), mode=m, cval=c),
     lambda a, m, c: ndi.uniform_filter(a, (15, 2), mode=m, cval=c)),
    ("uniform1d", lambda x, m, c: nf.uniform_filter1d(x, 4, axis=0, mode=m, cval=c, origin=-1),
     lambda a, m, c: ndi.uniform_filter1d(a, 4, axis=0, mode=m, cval=c, origin=-1)),
    ("gauss2", lambda x, m, c: nf.gaussian_filter(x, 2.0, mode=m, cval=c),
     lambda a, m, c: ndi.gaussian_filter(a, 2.0, mode=m, cval=c)),
    ("gauss_orders", lambda x, m, c: nf.gaussian_filter(x, (1.0, 1.5), order=(1, 2), mode=m, cval=c),
     lambda a, m, c: ndi.gaussian_filter(a, (1.0, 1.5), order=(1, 2), mode=m, cval=c)),
    ("gauss_radius_axes", lambda x, m, c: nf.gaussian_filter(x, 3.0, mode=m, cval=c, radius=2, axes=(1,)),
     lambda a, m, c: ndi.gaussian_filter(a, 3.0, mode=m, cval=c, radius=2, axes=(1,))),
    ("gauss_wide", lambda x, m, c: nf.gaussian_filter(x, 5.0, mode=m, cval=c),
     lambda a, m, c: ndi.gaussian_filter(a, 5.0, mode=m, cval=c)),
    ("gauss1d", lambda x, m, c: nf.gaussian_filter1d(x, 1.5, axis=1, order=1, mode=m, cval=c),
     lambda a, m, c: ndi.gaussian_filter1d(a, 1.5, axis=1, order=1, mode=m, cval=c)),
    ("correlate", lambda x, m, c: nf.correlate(x, W33, mode=m, cval=c),
     lambda a, m, c: ndi.correlate(a, W33, mode=m, cval=c)),
    ("correlate_even_origin", lambda x, m, c: nf.correlate(x, W24, mode=m, cval=c, origin=(0, 1)),
     lambda a, m, c: ndi.correlate(a, W24, mode=m, cval=c, origin=(0, 1))),
    ("convolve_even_origin", lambda x, m, c: nf.convolve(x, W24, mode=m, cval=c, origin=(-1, -2)),
     lambda a, m, c: ndi.convolve(a, W24, mode=m, cval=c, origin=(-1, -2))),
    ("convolve_rank1", lambda x, m, c: nf.convolve(x, np.outer([1.0, 2.0, 1.0], [1.0, 0.0, -1.0]), mode=m, cval=c),
     lambda a, m, c: ndi.convolve(a, np.outer([1.0, 2.0, 1.0], [1.0, 0.0, -1.0]), mode=m, cval=c)),
    ("correlate_axes", lambda x, m, c: nf.correlate(x, [1.0, -3.0, 0.5, 2.0], mode=m, cval=c, axes=0, origin=1),
     lambda a, m, c: ndi.correlate(a, [1.0, -3.0, 0.5, 2.0], mode=m, cval=c, axes=0, origin=1)),
    ("correlate1d", lambda x, m, c: nf.correlate1d(x, [1.0, 3.0], axis=0, mode=m, cval=c),
     lambda a, m, c: ndi.correlate1d(a, [1.0, 3.0], axis=0, mode=m, cval=c)),
    ("convolve1d", lambda x, m, c: nf.convolve1d(x, [1.0, 3.0, -2.0, 0.5], axis=1, mode=m, cval=c, origin=1),
     lambda a, m, c: ndi.convolve1d(a, [1.0, 3.0, -2.0, 0.5], axis=1, mode=m, cval=c, origin=1)),
]
W33 = np.array([[0.0, 1.0, 0.5], [1.0, -4.0, 1.0], [0.25, 1.0, 0.0]])
W24 = np.array([[1.0, 2.0, -1.0, 0.5], [0.5, -1.0, 3.0, 1.0]])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", FILTERS, ids=[f[0] for f in FILTERS])
def test_filters_equal_whole_array(case, mode):
    _, dask_call, ref_call = case
    for dtype, chunking in RUNS:
        a = data(dtype)
        x = da.from_array(a, chunks=CHUNKINGS[chunking])
        for cval in ([0.0, 1.5] if mode == "constant" else [0.0]):
            check(dask_call(x, mode, cval), ref_call(a, mode, cval), x.chunks)


@pytest.mark.parametrize("dtype, chunking", RUNS)
@pytest.mark.parametrize("mode", SHRINK_MODES)
def test_window_statistics(mode, dtype, chunking):
    a = data(dtype)
    x = da.from_array(a, chunks=CHUNKINGS[chunking])
    cval = 1.5 if mode == "constant" else 0.0
    check(nf.window_sum(x, (3, 6), mode=mode, cval=cval, origin=(1, -2)),
          ndkern.window_sum(a, (3, 6), mode=mode, cval=cval, origin=(1, -2)), x.chunks)
    check(nf.window_sum(x, 4, mode=mode, cval=cval), ndkern.window_sum(a, 4, mode=mode, cval=cval), x.chunks)
    m, v = nf.local_mean_var(x, (5, 3), mode=mode, cval=cval)
    em, ev = ndkern.local_mean_var(a, (5, 3), mode=mode, cval=cval)
    check(m, em, x.chunks)
    check(v, ev, x.chunks)
    m, v = ndkern.dask.local_mean_var(x, 16, mode=mode, cval=cval)  # wider than the array
    em, ev = ndkern.local_mean_var(a, 16, mode=mode, cval=cval)
    check(m, em, x.chunks)
    check(v, ev, x.chunks)


@pytest.mark.parametrize("mode", MODES)
def test_3d_uneven_and_per_axis_modes(mode):
    a = data(np.float64, (9, 7, 10), seed=3)
    x = da.from_array(a, chunks=((2, 7), (1, 3, 3), (4, 4, 2)))
    modes = [mode, "wrap", "constant"]
    check(nf.gaussian_filter(x, (1.0, 2.0, 0.7), mode=modes, cval=-1.0),
          ndi.gaussian_filter(a, (1.0, 2.0, 0.7), mode=modes, cval=-1.0), x.chunks)
    check(nf.gaussian_filter(x, 1.2, order=(0, 1, 2), mode=mode, cval=2.0),
          ndi.gaussian_filter(a, 1.2, order=(0, 1, 2), mode=mode, cval=2.0), x.chunks)
    check(nf.uniform_filter(x, (2, 5, 3), mode=modes[::-1], cval=0.5, axes=(2, 0, 1)),
          ndi.uniform_filter(a, (2, 5, 3), mode=modes[::-1], cval=0.5, axes=(2, 0, 1)), x.chunks)
    w = np.random.default_rng(1).normal(size=(3, 2, 5))
    check(nf.correlate(x, w, mode=mode, cval=0.25), ndi.correlate(a, w, mode=mode, cval=0.25), x.chunks)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", [np.int16, np.uint8, np.int64, bool, np.float16])
def test_other_dtypes(mode, dtype):
    """Integer/bool/float16 input: scipy's rule (computed in float64, stored in the input
    dtype after every pass), the constant border with a cval the dtype cannot hold."""
    a = (np.random.default_rng(2).uniform(0, 50, size=SHAPE)).astype(dtype)
    x = da.from_array(a, chunks=(4, 3))
    cval = 2.5
    check(nf.uniform_filter(x, 3, mode=mode, cval=cval), ndi.uniform_filter(a, 3, mode=mode, cval=cval), x.chunks)
    check(nf.gaussian_filter(x, 1.0, mode=mode, cval=cval), ndi.gaussian_filter(a, 1.0, mode=mode, cval=cval), x.chunks)
    check(nf.correlate(x, W33, mode=mode, cval=cval), ndi.correlate(a, W33, mode=mode, cval=cval), x.chunks)
    check(nf.window_sum(x, 3, mode=mode, cval=cval), ndkern.window_sum(a, 3, mode=mode, cval=cval), x.chunks)
    check(nf.uniform_filter(x, 3, mode=mode, cval=cval, output=np.float32),
          ndi.uniform_filter(a, 3, mode=mode, cval=cval, output=np.float32), x.chunks)


def test_float32_constant_cval_not_representable():
    a = data(np.float32)
    x = da.from_array(a, chunks=(2, 3))
    check(nf.gaussian_filter(x, 1.0, mode="constant", cval=0.1),
          ndi.gaussian_filter(a, 1.0, mode="constant", cval=0.1), x.chunks)


def test_complex_input():
    rng = np.random.default_rng(5)
    a = rng.normal(size=SHAPE) + 1j * rng.normal(size=SHAPE)
    x = da.from_array(a, chunks=(4, 5))
    check(nf.gaussian_filter(x, 1.0, mode="wrap"), ndi.gaussian_filter(a, 1.0, mode="wrap"), x.chunks)
    w = W33 + 0.5j
    check(nf.correlate(x, w, mode="mirror"), ndi.correlate(a, w, mode="mirror"), x.chunks)


def test_1d_and_size1_axes():
    a = data(np.float64, (40,))
    x = da.from_array(a, chunks=7)
    for mode in MODES:
        check(nf.gaussian_filter(x, 3.0, mode=mode), ndi.gaussian_filter(a, 3.0, mode=mode), x.chunks)
    b = data(np.float64, (1, 9, 1))
    y = da.from_array(b, chunks=(1, 2, 1))
    for mode in MODES:
        check(nf.uniform_filter(y, 3, mode=mode), ndi.uniform_filter(b, 3, mode=mode), y.chunks)
        check(nf.gaussian_filter(y, 1.0, mode=mode), ndi.gaussian_filter(b, 1.0, mode=mode), y.chunks)


def test_empty():
    a = np.zeros((0, 5))
    x = da.from_array(a, chunks=(1, 2))
    r = nf.gaussian_filter(x, 1.0)
    assert r.shape == (0, 5) and r.compute().shape == (0, 5)


def test_dask_image_wrap_is_right_here():
    """dask-image runs the mode per chunk, so its `wrap` wraps each chunk onto itself; here
    the array wraps as a whole."""
    a = np.zeros(12)
    a[0] = 1.0
    x = da.from_array(a, chunks=4)
    r = nf.uniform_filter(x, 3, mode="wrap").compute()
    assert r[-1] == pytest.approx(1 / 3) and r[3] == 0.0


def test_lazy_and_numpy_input():
    calls = []

    def load(block):
        if block.size:  # (dask calls it once on an empty array to learn the meta)
            calls.append(1)
        return block

    a = data(np.float64)
    x = da.from_array(a, chunks=(4, 3)).map_blocks(load, dtype=a.dtype)
    r = nf.gaussian_filter(nf.uniform_filter(x, 3), 1.0)
    assert calls == []  # nothing computed
    assert_close(r.compute(scheduler="sync"), ndi.gaussian_filter(ndi.uniform_filter(a, 3), 1.0))
    # a numpy array is taken too (as one chunk)
    assert_close(nf.uniform_filter(a, 3).compute(), ndi.uniform_filter(a, 3))


def test_threaded_scheduler_and_graph_size():
    a = data(np.float32, (64, 48))
    x = da.from_array(a, chunks=(16, 16))
    r = nf.gaussian_filter(x, 1.0)
    assert_close(r.compute(scheduler="threads"), ndi.gaussian_filter(a, 1.0))
    # windows: one rechunk task per chunk on top of the slicing; no explosion
    assert len(dict(r.__dask_graph__())) < 40 * x.npartitions


def test_errors_raise_at_call_time():
    x = da.zeros((6, 6), chunks=3)
    with pytest.raises(RuntimeError):
        nf.uniform_filter(x, 3, mode="bogus")
    with pytest.raises(ValueError):
        nf.uniform_filter(x, 3, origin=2)
    with pytest.raises(RuntimeError):
        nf.gaussian_filter(x, (1.0, 2.0, 3.0))
    with pytest.raises(RuntimeError):
        nf.correlate(x, np.ones(3))
    with pytest.raises(TypeError):
        nf.uniform_filter(x, 3, output=np.empty((6, 6)))


@pytest.mark.parametrize("mode", SHRINK_MODES)
def test_windows_spanning_many_chunks(mode, monkeypatch):
    """Without the merge of narrow chunks: every window reads many blocks (and a halo wider
    than the whole array reads each block several times, reflected or wrapped)."""
    from ndkern.dask import _halo

    monkeypatch.setattr(_halo, "MERGE_NARROW", False)
    a = data(np.float64, (9, 7), seed=4)
    x = da.from_array(a, chunks=((1, 2, 1, 3, 2), (2, 1, 1, 3)))
    if mode == "shrink":
        check(nf.window_sum(x, (5, 19), origin=(2, -3)), ndkern.window_sum(a, (5, 19), origin=(2, -3)), x.chunks)
        m, v = nf.local_mean_var(x, (7, 4), mode="shrink")
        check(v, ndkern.local_mean_var(a, (7, 4), mode="shrink")[1], x.chunks)
        return
    check(nf.gaussian_filter(x, (1.0, 4.0), mode=mode, cval=0.5),
          ndi.gaussian_filter(a, (1.0, 4.0), mode=mode, cval=0.5), x.chunks)
    check(nf.uniform_filter(x, (6, 3), mode=mode, cval=-1.0, origin=(-3, 1)),
          ndi.uniform_filter(a, (6, 3), mode=mode, cval=-1.0, origin=(-3, 1)), x.chunks)
    check(nf.correlate(x, W24, mode=mode, cval=2.0), ndi.correlate(a, W24, mode=mode, cval=2.0), x.chunks)


# chunkings of a (7, 40, 6) volume for the tiled windows (axis 1 is the one cut into tiles)
TILED_CHUNKINGS = {
    "one": (7, 40, 6),
    "many": (3, 9, 4),
    "uneven": ((2, 5), (17, 3, 20), (1, 5)),
    "below_halo": ((1, 2, 4), (2, 1, 30, 7), (3, 3)),
}


@pytest.mark.parametrize("chunking", TILED_CHUNKINGS)
@pytest.mark.parametrize("mode", MODES)
def test_gaussian_tiled_windows(mode, chunking, monkeypatch):
    """Windows filtered tile by tile along axis 1 (forced on small arrays: any plane over
    64 bytes, tiles as short as the halo), each tile with its own halo, through the per-thread
    scratch buffers, into one output chunk: equal to the whole-array call for every mode and
    chunking, float and integer dtypes, derivative orders, per-axis sigmas and radii."""
    from ndkern.dask import _halo

    monkeypatch.setattr(_halo, "TILE_PLANE_BYTES", 64)
    monkeypatch.setattr(_halo, "TILE_MIN", 1)
    cval = 1.5 if mode == "constant" else 0.0
    for dtype in (np.float64, np.float32, np.int16):
        a = (data(np.float64, (7, 40, 6), seed=5) * 30).astype(dtype)
        x = da.from_array(a, chunks=TILED_CHUNKINGS[chunking])
        check(nf.gaussian_filter(x, 1.5, mode=mode, cval=cval),
              ndi.gaussian_filter(a, 1.5, mode=mode, cval=cval), x.chunks)
        check(nf.gaussian_filter(x, (0.8, 2.5, 1.0), order=(0, 1, 2), mode=mode, radius=(1, 6, 2)),
              ndi.gaussian_filter(a, (0.8, 2.5, 1.0), order=(0, 1, 2), mode=mode, radius=(1, 6, 2)),
              x.chunks)
    # the threaded scheduler: several threads, each with its own scratch buffers
    b = data(np.float32, (9, 64, 5, 3), seed=6)
    y = da.from_array(b, chunks=(4, (20, 30, 14), 5, 2))
    r = nf.gaussian_filter(y, 2.0, mode=mode, cval=cval)
    assert_close(r.compute(scheduler="threads"), ndi.gaussian_filter(b, 2.0, mode=mode, cval=cval))


def test_gaussian_tiles_equal_scipy():
    """The tiled path against scipy itself (an independent implementation), on a volume big
    enough for the default tiling: a (20, 200, 300) float32 window's planes exceed
    TILE_PLANE_BYTES, so each chunk is filtered in tiles."""
    import scipy.ndimage as sn

    from ndkern.dask import _halo

    a = data(np.float32, (20, 200, 300), seed=7)
    x = da.from_array(a, chunks=(10, 200, 300))
    spec = _halo._tiles((36, 216, 316), (slice(8, 28), slice(8, 208), slice(8, 308)), [(8, 8)] * 3, 4)
    assert spec is not None and spec[0] == 1 and len(spec[3]) > 1  # tiled by default
    for mode in MODES:
        assert_close(nf.gaussian_filter(x, 2.0, mode=mode).compute(), sn.gaussian_filter(a, 2.0, mode=mode))


def test_tile_scratch_kept_only_up_to_its_cap(monkeypatch):
    """Tiles bigger than SCRATCH_KEEP_BYTES get fresh arrays (the thread keeps nothing that
    big); smaller ones reuse the thread's buffers. Results equal either way."""
    from ndkern.dask import _halo

    monkeypatch.setattr(_halo, "TILE_PLANE_BYTES", 64)
    monkeypatch.setattr(_halo, "TILE_MIN", 1)
    monkeypatch.setattr(_halo, "_SCRATCH", __import__("threading").local())
    a = data(np.float64, (6, 50, 8), seed=8)
    x = da.from_array(a, chunks=(3, 50, 8))
    e = ndi.gaussian_filter(a, 1.0, mode="nearest")
    monkeypatch.setattr(_halo, "SCRATCH_KEEP_BYTES", 1000)  # below one tile window
    assert_close(nf.gaussian_filter(x, 1.0, mode="nearest").compute(scheduler="sync"), e)
    assert all(b.size <= 1000 for b in getattr(_halo._SCRATCH, "bufs", []))
    monkeypatch.setattr(_halo, "SCRATCH_KEEP_BYTES", 1 << 30)
    assert_close(nf.gaussian_filter(x, 1.0, mode="nearest").compute(scheduler="sync"), e)
    assert min(b.size for b in _halo._SCRATCH.bufs) > 1000


def test_tile_plan():
    """The tiles cover the core exactly, in order, each at least the halo and TILE_MIN long;
    windows whose planes fit TILE_PLANE_BYTES, and 2-D windows, are not tiled."""
    from ndkern.dask._halo import TILE_MIN, TILE_PLANE_BYTES, _tiles

    core = (slice(8, 264),) * 3
    axis, left, right, tiles = _tiles((272, 272, 272), core, [(8, 8)] * 3, 4)
    assert (axis, left, right) == (1, 8, 8)
    assert tiles == ((8, 136), (136, 264))  # 272 x 144 x 272 float32 tile windows
    assert all((t1 - t0 + 16) * 272 * 4 <= TILE_PLANE_BYTES for t0, t1 in tiles)
    assert _tiles((272, 240, 256), (slice(8, 264), slice(0, 240), slice(0, 256)), [(8, 8), (0, 0), (0, 0)], 1) is None
    assert _tiles((272, 272), (slice(8, 264),) * 2, [(8, 8)] * 2, 8) is None
    # rows too long for any tile: as many tiles as TILE_MIN allows, never shorter
    axis, left, right, tiles = _tiles((40, 100, 10**6), (slice(0, 40), slice(3, 97), slice(0, 10**6)), [(0, 0), (3, 3), (0, 0)], 8)
    assert tiles[0][0] == 3 and tiles[-1][1] == 97
    assert all(t1 - t0 >= TILE_MIN for t0, t1 in tiles) and len(tiles) == 94 // TILE_MIN
    assert all(a[1] == b[0] for a, b in zip(tiles, tiles[1:]))


needs_own = pytest.mark.skipif(
    not all(hasattr(ndkern, n) for n in ("gradient", "hessian_eigvalsh", "gaussian_filter_recursive")),
    reason="the ndkern bindings are not built in",
)


@needs_own
@pytest.mark.parametrize("dtype, chunking", RUNS)
def test_gradient_and_hessian(dtype, chunking):
    a = data(dtype) ** 3
    x = da.from_array(a, chunks=CHUNKINGS[chunking])
    for eo in (1, 2):
        g = nf.gradient(x, 0.5, 2.0, edge_order=eo)
        e = ndkern.gradient(a, 0.5, 2.0, edge_order=eo)
        for gi, ei in zip(g, e):
            check(gi, ei, x.chunks)
        check(nf.gradient(x, axis=1, edge_order=eo), ndkern.gradient(a, axis=1, edge_order=eo), x.chunks)
    check(nd_gradient_uniform(x), ndkern.gradient(a, np.arange(11) * 0.25, axis=1), x.chunks)
    h = ndkern.dask.hessian_eigvalsh(x)
    e = ndkern.hessian_eigvalsh(a)
    assert h.shape == e.shape and h.dtype == e.dtype
    assert_close(h.compute(), e)
    b = data(dtype, (9, 8, 7), seed=7) ** 2
    y = da.from_array(b, chunks=((2, 7), (3, 1, 4), 3))
    assert_close(nf.hessian_eigvalsh(y, "abs").compute(), ndkern.hessian_eigvalsh(b, "abs"))


def nd_gradient_uniform(x):
    return nf.gradient(x, np.arange(11) * 0.25, axis=1)


@needs_own
@pytest.mark.parametrize("mode", MODES)
def test_gaussian_filter_recursive(mode):
    a = data(np.float64, (120, 90), seed=5)
    x = da.from_array(a, chunks=(32, (20, 50, 20)))
    for sigma in (1.0, (3.0, 0.0)):
        r = nf.gaussian_filter_recursive(x, sigma, mode=mode, cval=0.5)
        e = ndkern.gaussian_filter_recursive(a, sigma, mode=mode, cval=0.5)
        assert r.chunks == x.chunks and r.dtype == e.dtype
        np.testing.assert_allclose(r.compute(), e, rtol=0, atol=1e-9)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_dask_image_derivative_names_equal_scipy(mode, dtype):
    """dask-image's other derivative filters, composed of exact passes: equal to scipy."""
    import scipy.ndimage as sn

    a = data(dtype, (12, 9, 7), seed=6)
    x = da.from_array(a, chunks=((5, 1, 6), (2, 7), 3))
    cv = 0.5
    check(nf.sobel(x, 1, mode=mode, cval=cv), sn.sobel(a, 1, mode=mode, cval=cv), x.chunks)
    check(nf.prewitt(x, 0, mode=mode, cval=cv), sn.prewitt(a, 0, mode=mode, cval=cv), x.chunks)
    check(nf.laplace(x, mode=mode, cval=cv), sn.laplace(a, mode=mode, cval=cv), x.chunks)
    check(nf.gaussian_laplace(x, 1.2, mode=mode, cval=cv), sn.gaussian_laplace(a, 1.2, mode=mode, cval=cv), x.chunks)
    check(nf.gaussian_gradient_magnitude(x, (1.0, 0.7, 1.5), mode=mode, cval=cv),
          sn.gaussian_gradient_magnitude(a, (1.0, 0.7, 1.5), mode=mode, cval=cv), x.chunks)
