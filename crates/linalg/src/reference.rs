//! Naive scalar versions of the kernels, used as test and bench oracles.
