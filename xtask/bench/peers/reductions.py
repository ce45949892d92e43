"""Reductions (benches/common/mod.rs): numpy is the peer; its reductions are what a user
writes and numba adds nothing a user would reach for here."""

import numpy as np

from .core import Row, axis_arg, close


def peers_sum(a, w):
    ax, s = axis_arg(w["axes"])
    return Row([("numpy: a.sum(%s)" % s, lambda: a.sum(axis=ax))])


def peers_mean(a, w):
    ax, s = axis_arg(w["axes"])
    return Row([("numpy: a.mean(%s)" % s, lambda: a.mean(axis=ax))])


def peers_var(a, w):
    ax, s = axis_arg(w["axes"])
    return Row([("numpy: a.var(%s)" % s, lambda: a.var(axis=ax))])


def peers_norm_l2(a, w):
    axes = w["axes"]
    ax, s = axis_arg(axes)
    letters = "ijklmnopqrstuvwxyz"[: a.ndim]
    kept = "".join(c for d, c in enumerate(letters) if axes is not None and d not in axes)
    sub = "%s,%s->%s" % (letters, letters, kept)
    tol = 1e-5 if a.dtype == np.float32 else 1e-12
    return Row([
        ("numpy: np.sqrt((a*a).sum(%s))" % s, lambda: np.sqrt((a * a).sum(axis=ax))),
        ("numpy: np.sqrt(np.einsum('%s', a, a))" % sub, lambda: np.sqrt(np.einsum(sub, a, a))),
    ], close(tol))


PEERS = {
    "sum": peers_sum,
    "mean": peers_mean,
    "var": peers_var,
    "norm_l2": peers_norm_l2,
}
