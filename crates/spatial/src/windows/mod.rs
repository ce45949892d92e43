//! Sliding windows, convolution, Gaussian filters and gradients (scipy.ndimage semantics).
