"""Windows with halos for chunked filters: the border extension done once on the whole array.

A chunked filter that is *exactly* the single-machine filter on the whole array needs, for
every output chunk, the input window ``[start - L, stop + R)`` along each axis, where ``L``
and ``R`` are how far the filter reaches to the left and right (its radius, shifted by its
origin), and where the positions outside the array hold what the border mode says:

* ``reflect`` (numpy's ``symmetric``): ``d c b a | a b c d | d c b a``, period ``2n``;
* ``mirror`` (numpy's ``reflect``): ``d c b | a b c d | c b a``, period ``2n - 2``;
* ``nearest`` (numpy's ``edge``), ``wrap`` (period ``n``), ``constant`` (``cval``).

:func:`chunked` builds that: for every output chunk, one task fed by the input blocks its
window reads (its own block whole, a slice of each neighbour: only the halo travels between
workers), which copies them into the window once, with the positions outside the array taken
by the mode's rule from slices of the array itself (so a halo wider than the array, or than a
chunk, is no special case). With ``mode='shrink'`` (windows clipped to the array) the array is
not extended: edge windows are shorter, and the chunk function applies the same clipping the
whole-array call does.

The filter then runs on each window with its own border mode (which never reaches the kept
part) and the window's core is returned: output chunks are the input's chunks, uneven and
smaller-than-the-halo chunks included.

Tiles (``tile=True``, the Gaussian): ndkern's separable engine buffers a batch of planes
(all axes but the first) in L2, and a plane over 256 KiB drops it to one plane per batch:
a 256^3 float32 chunk (256 KiB planes) runs at full speed, its 272^3 window (289 KiB planes)
markedly slower per sample (BENCHMARKS.md, "ndkern.dask gauss3d: where the time goes, and
tiled windows", the per-chunk phase table). So a window whose planes exceed
:data:`TILE_PLANE_BYTES` is built and filtered in tiles along axis 1 (each tile with its own
halo on that axis), in two per-thread scratch buffers reused from task to task (no fresh
pages to fault in), each tile's core copied into the output chunk.
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
from typing import Any, Callable, List, Optional, Sequence, Tuple

import numpy as np

import dask.array as da

# ---------------------------------------------------------------------------------------------
# ndkern's thread pool inside a chunk

_POOL_SET_IN: Optional[int] = None

#: Merge chunks narrower than the halo before building windows (tests switch it off to
#: exercise windows that span many chunks).
MERGE_NARROW = True

#: With ``tile=True`` (the separable filters), a window whose planes (all axes but the first)
#: exceed this many bytes is filtered in tiles along axis 1 (see :func:`chunked`).
TILE_PLANE_BYTES = 192 << 10

#: Largest scratch buffer a worker thread keeps between tasks (bigger tiles get fresh arrays).
SCRATCH_KEEP_BYTES = 256 << 20

#: Shortest tile core along axis 1 (a tile is re-filtered with its own halo: short tiles
#: would spend more on halos than the smaller planes save).
TILE_MIN = 32


def chunk_threads() -> None:
    """Called at the start of every chunk task. On a dask.distributed worker, sizes ndkern's
    pool to the worker's thread count once per process (1 with ``threads_per_worker=1``): the
    worker's threads share it, so dask supplies the parallelism and nothing is
    oversubscribed. Elsewhere (the local threaded scheduler, in the caller's process) the pool
    is left as it is: one pool, shared by dask's threads, one thread per core."""
    global _POOL_SET_IN
    pid = os.getpid()
    if _POOL_SET_IN == pid:
        return
    n = None
    try:
        # a distributed worker has imported distributed; never import it here (slow)
        get_worker = sys.modules["distributed"].get_worker
        w = get_worker()
        n = getattr(w, "nthreads", None)
        if n is None:
            n = w.state.nthreads
    except Exception:  # not on a distributed worker (or distributed is not installed)
        n = None
    if n:
        import ndkern

        if ndkern.get_num_threads() != int(n):
            ndkern.set_num_threads(int(n))
    _POOL_SET_IN = pid


# ---------------------------------------------------------------------------------------------
# the border extension of one axis


def extension_index(n: int, left: int, right: int, mode: str) -> np.ndarray:
    """Source index of every position ``-left .. n + right - 1`` along an axis of length
    ``n > 0`` under scipy's border `mode` (ndkern's names); -1 where ``cval`` goes."""
    p = np.arange(-left, n + right, dtype=np.int64)
    if mode == "nearest":
        return np.clip(p, 0, n - 1)
    if mode == "wrap":
        return p % n
    if mode == "reflect":
        q = p % (2 * n)
        return np.where(q < n, q, 2 * n - 1 - q)
    if mode == "mirror":
        if n == 1:
            return np.zeros_like(p)
        q = p % (2 * n - 2)
        return np.where(q < n, q, 2 * n - 2 - q)
    if mode == "constant":
        return np.where((p >= 0) & (p < n), p, -1)
    raise ValueError(f"unknown border mode {mode!r}")


# ---------------------------------------------------------------------------------------------
# the plan: which input blocks fill which part of every window


class _Run:
    """Window positions ``dst .. dst + length`` along one axis, read from input block
    ``block`` at local index ``src`` with ``step`` (+1, -1, or 0: one sample repeated), or
    the cval (``block = -1``)."""

    __slots__ = ("block", "dst", "length", "src", "step")

    def __init__(self, block: int, dst: int, length: int, src: int, step: int) -> None:
        self.block, self.dst, self.length, self.src, self.step = block, dst, length, src, step

    def src_range(self) -> Tuple[int, int]:
        """Smallest and largest local index read."""
        last = self.src + self.step * (self.length - 1)
        return min(self.src, last), max(self.src, last)


def _bounds(chunks: Sequence[int]) -> List[Tuple[int, int]]:
    out, s = [], 0
    for c in chunks:
        out.append((s, s + c))
        s += c
    return out


def _merge(chunks: Tuple[int, ...], halo: int) -> Tuple[int, ...]:
    """`chunks` with every chunk narrower than `halo` merged into its neighbours (greedily,
    left to right; a narrow last group joins the one before)."""
    if halo <= 0 or min(chunks) >= halo:
        return chunks
    out: List[int] = []
    cur = 0
    for c in chunks:
        cur += c
        if cur >= halo:
            out.append(cur)
            cur = 0
    if cur:
        if out:
            out[-1] += cur
        else:
            out.append(cur)
    return tuple(out)


def _axis_runs(idx: np.ndarray, starts: np.ndarray) -> List[_Run]:
    """Splits the window's global source indices `idx` (-1: cval) into runs over the input
    blocks starting at `starts`."""
    blk = np.where(idx >= 0, np.searchsorted(starts, idx, side="right") - 1, -1)
    loc = np.where(idx >= 0, idx - starts[np.maximum(blk, 0)], 0)
    runs: List[_Run] = []
    k, m = 0, len(idx)
    while k < m:
        b = int(blk[k])
        step = 0
        if b >= 0 and k + 1 < m and int(blk[k + 1]) == b:
            step = int(loc[k + 1]) - int(loc[k])
            if step not in (-1, 0, 1):
                step = 0
        j = k + 1
        while j < m and int(blk[j]) == b and (b < 0 or int(loc[j]) == int(loc[j - 1]) + step):
            j += 1
        runs.append(_Run(b, k, j - k, int(loc[k]), step))
        k = j
    return runs


def _src_slice(start: int, stop_excl_len: int, step: int) -> slice:
    if step >= 0:
        return slice(start, start + max(stop_excl_len if step else 1, 1))
    stop = start - stop_excl_len
    return slice(start, stop if stop >= 0 else None, -1)


class _Spec:
    """What one window task needs besides its input slabs (a plain object, so dask passes
    it through untouched). ``ops``: per input slab, the runs ``(dst, length, src, step)``
    per axis it fills (``src`` relative to the slab); ``tiles``: None (one window) or
    ``(axis, left, right, ((lo, hi), ...))``, the core split along `axis` into those
    window-coordinate ranges, each filtered with the reach `left`/`right` around it; ``out``,
    ``rdtype``: the output chunk's shape and dtype."""

    __slots__ = ("shape", "dtype", "cval", "fill", "ops", "func", "core", "tiles", "out", "rdtype")

    def __init__(self, shape, dtype, cval, fill, ops, func, core, tiles, out, rdtype) -> None:  # noqa: ANN001
        self.shape, self.dtype, self.cval, self.fill = shape, dtype, cval, fill
        self.ops, self.func, self.core, self.tiles = ops, func, core, tiles
        self.out, self.rdtype = out, rdtype

    def __getstate__(self) -> tuple:
        return tuple(getattr(self, k) for k in self.__slots__)

    def __setstate__(self, state: tuple) -> None:
        for k, v in zip(self.__slots__, state):
            setattr(self, k, v)


def _op_slices(
    runs: Sequence[Tuple[int, int, int, int]], axis: int, lo: int, hi: int
) -> Optional[Tuple[tuple, tuple]]:
    """The (destination, source) slices of one slab's runs restricted to window positions
    ``lo .. hi`` along `axis` (destination relative to `lo`); None if it misses them."""
    dst, src = [], []
    for ax, (d, m, s, st) in enumerate(runs):
        if ax == axis:
            a, b = max(d, lo), min(d + m, hi)
            if a >= b:
                return None
            o = a - d
            s, m, d = s + st * o, b - a, a - lo
        dst.append(slice(d, d + m))
        src.append(_src_slice(s, m, st))
    return tuple(dst), tuple(src)


def _assemble(
    spec: _Spec, slabs: Sequence[np.ndarray], axis: int, lo: int, hi: int, scratch: bool = False
) -> np.ndarray:
    """The window's positions ``lo .. hi`` along `axis` (all of it: ``axis = -1``), copied
    from the slabs (the cval where no slab reaches); into this thread's scratch buffer with
    `scratch` (every position is written: the runs cover the window)."""
    shape = list(spec.shape)
    if axis >= 0:
        shape[axis] = hi - lo
    w = _scratch(0, tuple(shape), spec.dtype) if scratch else np.empty(tuple(shape), spec.dtype)
    if spec.fill:
        w.fill(spec.cval)
    for i, runs in spec.ops:
        sl = _op_slices(runs, axis, lo, hi) if axis >= 0 else _op_slices(runs, -1, 0, 0)
        if sl is not None:
            w[sl[0]] = slabs[i][sl[1]]
    return w


_SCRATCH = threading.local()


def _scratch(slot: int, shape: Tuple[int, ...], dtype: Any) -> np.ndarray:
    """A C-contiguous array of `shape` and `dtype` in this thread's scratch buffer `slot`
    (0: a tile's window, 1: its filtered result), grown as needed and kept between tasks, so
    a worker thread reuses the same (already faulted-in) memory for every tile it filters;
    above :data:`SCRATCH_KEEP_BYTES` a fresh array instead."""
    dtype = np.dtype(dtype)
    n = int(np.prod(shape)) * dtype.itemsize
    if n > SCRATCH_KEEP_BYTES:
        return np.empty(shape, dtype)  # too big to keep between tasks
    bufs = getattr(_SCRATCH, "bufs", None)
    if bufs is None:
        bufs = _SCRATCH.bufs = [np.empty(0, np.uint8), np.empty(0, np.uint8)]
    if bufs[slot].size < n:
        bufs[slot] = np.empty(0, np.uint8)  # free the old one first
        bufs[slot] = np.empty(n, np.uint8)
    return bufs[slot][:n].view(dtype).reshape(shape)


def _tiles(
    shape: Tuple[int, ...], core: Tuple[slice, ...], reach: Sequence[Tuple[int, int]],
    itemsize: int,
) -> Optional[tuple]:
    """How a window of `shape` (3-D or more) is filtered tile by tile: its core split along
    axis 1 into the fewest tiles whose windows (tile plus the filter's reach on axis 1) have
    planes (all axes but the first) of at most :data:`TILE_PLANE_BYTES`, no tile core shorter
    than :data:`TILE_MIN` or the reach. None: one window."""
    if len(shape) < 3:
        return None
    rest = int(np.prod(shape[2:])) * itemsize
    if shape[1] * rest <= TILE_PLANE_BYTES:
        return None
    left, right = reach[1]
    c0, c1 = core[1].start, core[1].stop
    n = c1 - c0
    longest = TILE_PLANE_BYTES // rest - left - right  # longest tile core that fits
    shortest = max(TILE_MIN, left + right)
    k = min(-(-n // max(longest, 1)), max(n // shortest, 1))
    if k <= 1:
        return None
    cuts = [c0 + (n * i) // k for i in range(k + 1)]
    return 1, left, right, tuple(zip(cuts[:-1], cuts[1:]))


def _window_task(spec: _Spec, *slabs: np.ndarray) -> np.ndarray:
    """One output chunk: its window assembled from the slabs of the input blocks it reads
    (one copy), the filter run on it, the core returned. With tiles, the window is built
    and filtered tile by tile (each tile with its own halo) into one output chunk."""
    chunk_threads()
    ops = spec.ops
    if spec.tiles is None:
        if len(ops) == 1 and not spec.fill and _whole(spec, ops[0][1]):
            w = slabs[0]  # the window is one whole block: no copy
        else:
            w = _assemble(spec, slabs, -1, 0, 0)
        r = spec.func(w)
        return r[(Ellipsis,) + spec.core]
    axis, left, right, tiles = spec.tiles
    out = np.empty(spec.out, spec.rdtype)
    c0 = spec.core[axis].start
    for t0, t1 in tiles:
        # the tile's window: its core plus the filter's reach (clipped to the window, which
        # is clipped to the array with 'shrink'), filtered into the second scratch buffer
        wlo, whi = max(t0 - left, 0), min(t1 + right, spec.shape[axis])
        w = _assemble(spec, slabs, axis, wlo, whi, scratch=True)
        r = spec.func(w, _scratch(1, w.shape, spec.rdtype))
        dst = [slice(None)] * len(spec.shape)
        dst[axis] = slice(t0 - c0, t1 - c0)
        src = list(spec.core)
        src[axis] = slice(t0 - wlo, t1 - wlo)
        out[tuple(dst)] = r[tuple(src)]
    return out


def _whole(spec: _Spec, runs: Sequence[Tuple[int, int, int, int]]) -> bool:
    """True if `runs` copy a whole slab of the window's shape unchanged."""
    return all(
        st == 1 and d == 0 and s == 0 and m == n for (d, m, s, st), n in zip(runs, spec.shape)
    )


class _Key:
    """A slicing key passed to a slab task untouched."""

    __slots__ = ("key",)

    def __init__(self, key: tuple) -> None:
        self.key = key

    def __getstate__(self) -> tuple:
        return self.key

    def __setstate__(self, state: tuple) -> None:
        self.key = state


def _slab(block: np.ndarray, key: _Key) -> np.ndarray:
    return block[key.key]


def chunked(
    x: Any,
    depth: Sequence[Tuple[int, int]],
    modes: Sequence[Optional[str]],
    cval: float,
    func: Callable[[np.ndarray], np.ndarray],
    dtype: Any,
    name: str,
    stacked: int = 0,
    params: Any = None,
    tile: bool = False,
) -> Any:
    """``func`` (a whole-array numpy -> numpy filter) applied chunk by chunk, so that the
    result equals ``func(x)`` on the whole array: every output chunk is computed from its
    window ``[start - L, stop + R)`` per axis (``depth[axis] = (L, R)``), the positions
    outside the array filled by ``modes[axis]`` (an ndkern border mode; ``'shrink'``: the
    window clipped to the array; None: no halo on that axis). Output chunks are `x`'s.
    With ``stacked = k``, `func` returns ``k`` results stacked on a new leading axis.
    `params`: everything `func` depends on, for the graph keys (None: keys unique per call).
    ``tile=True`` (only with ``stacked = 0``): large windows are filtered in tiles along
    axis 1 (see the module doc; exact for any filter whose reach is `depth`), and `func` is
    called as ``func(window, out)``, `out` a C-contiguous scratch array of the window's shape
    and the result's dtype to filter into (it returns the result).

    One task per output chunk, fed by the input blocks its window reads — the whole block
    for its own, a slab (a slicing task that runs where the block is, so only the halo
    travels) for each neighbour, however many chunks the halo spans.
    """
    import dask
    from dask.base import tokenize

    if tile and stacked:
        raise ValueError("chunked: tile=True takes a filter with one result (stacked=0)")
    dtype = np.dtype(dtype)
    ndim = x.ndim
    out_chunks = tuple(x.chunks)
    if x.size == 0:
        return da.zeros(
            ((stacked,) if stacked else ()) + x.shape,
            dtype=dtype,
            chunks=(((stacked,),) if stacked else ()) + out_chunks,
        )
    # chunks narrower than the halo: merged with their neighbours first (so a window spans
    # at most three blocks per axis), the result split back into the input's chunks
    merged = tuple(
        _merge(c, max(depth[ax]) if modes[ax] is not None and MERGE_NARROW else 0)
        for ax, c in enumerate(out_chunks)
    )
    if merged != out_chunks:
        r = chunked(
            x.rechunk(merged), depth, modes, cval, func, dtype, name, stacked, params, tile
        )
        return r.rechunk((((stacked,),) if stacked else ()) + out_chunks)
    if params is None:
        import uuid

        params = uuid.uuid4().hex
    token = tokenize(x, depth, modes, cval, name, dtype, stacked, params, tile)
    # per axis and output block: the runs filling its window, its core
    axis_plans = []
    for ax in range(ndim):
        n = x.shape[ax]
        bounds = _bounds(x.chunks[ax])
        starts = np.array([s for s, _ in bounds], dtype=np.int64)
        L, R = depth[ax]
        mode = modes[ax]
        plans = []
        for s, e in bounds:
            if (L == 0 and R == 0) or mode is None:
                idx = np.arange(s, e)
                lo = 0
            elif mode == "shrink":
                a, b = max(s - L, 0), min(e + R, n)
                idx = np.arange(a, b)
                lo = s - a
            else:
                idx = extension_index(n, L, R, mode)[s : e + L + R]
                lo = L
            plans.append((len(idx), _axis_runs(idx, starts), slice(lo, lo + e - s)))
        axis_plans.append(plans)

    reach = [depth[ax] if modes[ax] is not None else (0, 0) for ax in range(ndim)]
    blocks = x.to_delayed()
    task = dask.delayed(_window_task)
    slab = dask.delayed(_slab)
    grid = np.empty(tuple(len(c) for c in out_chunks), dtype=object)
    for out_idx in np.ndindex(*grid.shape):
        plans = [axis_plans[ax][i] for ax, i in enumerate(out_idx)]
        shape = tuple(p[0] for p in plans)
        core = tuple(p[2] for p in plans)
        fill = any(r.block < 0 for p in plans for r in p[1])
        # per axis and input block: the local index range read
        per_axis = []
        for ax, p in enumerate(plans):
            rng: dict = {}
            for r in p[1]:
                if r.block >= 0:
                    lo_, hi_ = r.src_range()
                    a0, b0 = rng.get(r.block, (lo_, hi_))
                    rng[r.block] = (min(a0, lo_), max(b0, hi_))
            per_axis.append(rng)
        slabs: dict = {}
        inputs = []
        ops = []
        for combo in itertools.product(*(p[1] for p in plans)):
            if any(r.block < 0 for r in combo):
                continue
            bidx = tuple(r.block for r in combo)
            if bidx not in slabs:
                box = tuple(
                    slice(per_axis[ax][b][0], per_axis[ax][b][1] + 1) for ax, b in enumerate(bidx)
                )
                whole = all(
                    sl.start == 0 and sl.stop == x.chunks[ax][b]
                    for ax, (sl, b) in enumerate(zip(box, bidx))
                )
                slabs[bidx] = (len(inputs), box)
                d = blocks[bidx]
                inputs.append(
                    d if whole else slab(d, _Key(box), dask_key_name=f"ndkern-halo-{token}-{len(inputs)}-" + "-".join(map(str, out_idx)))
                )
            i, box = slabs[bidx]
            ops.append(
                (i, tuple((r.dst, r.length, r.src - box[ax].start, r.step) for ax, r in enumerate(combo)))
            )
        cshape = ((stacked,) if stacked else ()) + tuple(c[i] for c, i in zip(out_chunks, out_idx))
        itemsize = max(x.dtype.itemsize, dtype.itemsize)
        d = task(
            _Spec(shape, x.dtype, cval, fill, ops, func, core,
                  _tiles(shape, core, reach, itemsize) if tile else None, cshape, dtype),
            *inputs,
            dask_key_name=f"ndkern-{name}-{token}-" + "-".join(map(str, out_idx)),
        )
        grid[out_idx] = da.from_delayed(
            d, cshape, dtype=dtype, meta=np.empty((0,) * len(cshape), dtype=dtype)
        )
    return da.block(grid.tolist()) if ndim else grid[()]
