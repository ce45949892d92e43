"""scikit-image's ``skimage.measure.block_reduce`` computed by ndkern."""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence, Union

import numpy as np

from . import _ndkern
from ._support import F32, F64

__all__ = ["block_reduce"]

_FUNCS = {
    np.sum: "sum",
    np.mean: "mean",
    np.min: "min",
    np.max: "max",
    np.amin: "min",
    np.amax: "max",
    np.count_nonzero: "count_nonzero",
    np.any: "any",
}


def _name(func: Any) -> Optional[str]:
    try:
        return _FUNCS.get(func)
    except TypeError:  # unhashable
        return None


def block_reduce(
    image: Any,
    block_size: Union[int, Sequence[int]] = 2,
    func: Callable = np.sum,
    cval: float = 0,
    func_kwargs: Optional[dict] = None,
) -> np.ndarray:
    """Down-samples `image` by applying `func` to each block of `block_size`
    (skimage.measure.block_reduce); partial edge blocks are padded with `cval`, as skimage.

    ``np.sum``, ``np.mean``, ``np.min``/``np.max``, ``np.count_nonzero`` and ``np.any`` run
    as one ndkern pass over the image read in place (float, uint8 and bool images; other
    integer images up to 32 bits converted exactly); any other `func` (or `func_kwargs`) is
    applied by numpy to a blocked view, as skimage does. The result has `func`'s dtype.

    >>> import numpy as np
    >>> from ndkern.measure import block_reduce
    >>> img = np.arange(16).reshape(4, 4)
    >>> block_reduce(img, (2, 2), np.max)
    array([[ 5,  7],
           [13, 15]])
    >>> block_reduce(np.eye(6) != 0, (3, 3), np.mean)          # Q9: fraction of set pixels
    array([[0.33333333, 0.        ],
           [0.        , 0.33333333]])
    """
    a = np.asarray(image)
    if np.isscalar(block_size):
        block = (int(block_size),) * a.ndim
    else:
        block = tuple(int(b) for b in block_size)
        if len(block) != a.ndim:
            raise ValueError(
                "`block_size` must be a scalar or have the same length as `image.shape`"
            )
    if any(b < 1 for b in block):
        raise ValueError(
            "Down-sampling factors must be >= 1. Use `skimage.transform.resize` to "
            "up-sample an image."
        )
    kw = func_kwargs or {}
    pad = [(0, (b - s % b) % b) for s, b in zip(a.shape, block)]
    if any(p[1] for p in pad):
        a = np.pad(a, pad, mode="constant", constant_values=cval)
    probe = np.zeros((1,) * (2 * a.ndim), dtype=a.dtype)
    out_dt = np.asarray(func(probe, axis=tuple(range(a.ndim, 2 * a.ndim)), **kw)).dtype
    name = None if kw else _name(func)
    src = a
    if name is not None and a.dtype not in (F32, F64, np.dtype(np.uint8), np.dtype(np.bool_)):
        if a.dtype.kind in "iu" and a.dtype.itemsize <= 4:
            src = a.astype(F64)
        else:
            name = None
    if name is not None and not src.dtype.isnative:
        src = src.astype(src.dtype.newbyteorder("="))
    if name is None or a.size == 0:
        shape = []
        for s, b in zip(a.shape, block):
            shape += [s // b, b]
        nd = a.ndim
        blocked = a.reshape(shape).transpose(list(range(0, 2 * nd, 2)) + list(range(1, 2 * nd, 2)))
        return func(blocked, axis=tuple(range(nd, 2 * nd)), **kw)
    r = _ndkern.block_reduce(src, list(block), name)
    return r.astype(out_dt, copy=False)
