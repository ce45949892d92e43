"""scipy.spatial's names computed by ndkern: ``ndkern.spatial.distance`` (``cdist``,
``pdist``)."""

from . import distance

__all__ = ["distance"]
