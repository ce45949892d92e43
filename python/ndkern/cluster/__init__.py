"""scipy.cluster's names computed by ndkern: ``ndkern.cluster.vq`` (``kmeans2``, ``vq``)."""

from . import vq

__all__ = ["vq"]
