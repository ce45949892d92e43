//! Sliding windows, convolution, Gaussian filters and gradients (scipy.ndimage semantics).
//!
//! | function | scipy / numpy | algorithm |
//! |---|---|---|
//! | [`uniform_filter1d`], [`uniform_filter`], [`window_sum`] | `scipy.ndimage.uniform_filter[1d]` | running sums, O(1) per sample |
//! | [`local_mean_var`], [`local_std`] | `uniform_filter(x)`, `uniform_filter(x*x) - m*m` | one fused shifted pass |
//! | [`correlate1d`], [`convolve1d`], [`correlate`], [`convolve`] | `scipy.ndimage.correlate[1d]`, `convolve[1d]` | SIMD taps; rank-1 kernels as 1-D passes |
//! | [`gaussian_filter1d`], [`gaussian_filter`], [`gaussian_kernel1d`] | `scipy.ndimage.gaussian_filter[1d]` | exact separable FIR |
//! | [`gaussian_filter_recursive`] | (none: opt-in approximation) | Young-van Vliet IIR, O(1) per sample |
//! | [`gradient`], [`gradient_stacked`] | `numpy.gradient`, `np.stack(np.gradient(a), -1)` | one pass per axis, numpy's arithmetic |
//! | [`gabor_kernel`] | `skimage.filters.gabor_kernel` | |
//! | [`ball_kernel`] | `skimage.morphology.ball` | |
//!
//! Every filter takes any view (any strides, any dimension), `f32` or `f64`, all five scipy
//! border modes, and has an `_into` twin writing into a caller's array.
//!
//! # How they run
//!
//! Front ends -> plan -> engine -> kernels, with no arrow back:
//!
//! - front ends (`uniform.rs`, `correlate.rs`, `gaussian.rs`, `recursive.rs`, `local.rs`)
//!   check the parameters and build a plan: one `SepPass` per filtered axis, whose `Kind` is a
//!   box, FIR taps, local moments or a recursion (`plan.rs`);
//! - the engine (`engine/`) walks memory and threads for a plan and calls the kernel each pass
//!   names;
//! - the kernels (`kernels/`) are functions on slices (rows, extended lines) that know nothing
//!   of the walk.
//!
//! Box and FIR plans on a C-contiguous output run as ONE fused sweep (`engine/slabs.rs`): the
//! outermost filtered axis combines the input slabs its window needs (rows of an image, planes
//! of a volume) into a batch of cache-resident buffers, each further axis does the same inside
//! them, and the innermost axis runs its line kernel on each buffered row (extended in place)
//! and writes the output row. The input is read from memory once and the output written once,
//! instead of a read and a write of the whole array per axis; rayon splits the outermost axis
//! into runs of slabs. When the last three levels are two stateless outer passes (FIR taps, box
//! windows of up to 8) over the innermost line (3-D boxes and Gaussians), each output row is
//! built from a ring of first-pass rows instead of buffered planes (`engine/ring.rs`: the
//! intermediates stay in L1). Recursion plans run on rows as SIMD lanes along the innermost
//! axis and in-place column strips along outer axes (`engine/iir.rs`). Moments plans
//! (`local_mean_var`) run the same sweep with two `f64` channels (`engine/moments.rs`), for
//! every output layout (strided outputs through C-order temporaries). Other layouts of the
//! other plans (strided or permuted outputs) go through core's line buffers on every axis
//! (`engine/lanes.rs`); both routes are tested against each other (`tests/windows_fused.rs`)
//! and against naive N-d oracles. Dense N-d correlation (non-separable kernels) pads the array
//! once and runs register-blocked rows of taps (in `correlate.rs`).
//!
//! # SIMD level
//!
//! The kernels that own the inner loops (FIR taps, direct and running box sums, the outer-axis
//! running-sum steps, the two-channel sums of `local_mean_var`, dense N-d rows, the recursive
//! Gaussian's row groups and column strips, gradients) are `ndkern_core::multiversion!`
//! leaves, dispatched below the rayon split: they run as AVX-512, AVX2+FMA or SSE2 code per
//! [`ndkern_core::simd::level()`] (the CPU, capped by `NDKERN_SIMD`), whatever the build's
//! target flags. Results are the same at every level (no reassociation; `mul_add` is fused at
//! every level), except the long-window running sums at the AVX-512 level, which take an
//! intrinsics kernel (`kernels/running.rs`) whose `f64` sums are associated blockwise (within
//! ~1e-16 relative before rounding).
//!
//! Timings: BENCHMARKS.md rows `uniform3_2d`, `uniform31_2d`, `uniform3_3d` (and their
//! `_into` twins, which write into a preallocated output), `local_var15_2d`,
//! `correlate15_2d`, `gaussian1p5_2d`, `gaussian8_2d`, `gaussian8_recursive_2d`,
//! `gaussian2_3d`, `q18_window_sum_diffsq` and `q11_gradient_stack`, each with the copy floor
//! of its array. The allocating forms also pay the fresh output's first-touch page faults;
//! their outputs come from core's `try_zeros`, which advises transparent huge pages for
//! buffers of 4 MiB or more, as numpy does (`crates/core/src/alloc.rs`).
//!
//! # NaN and infinity
//!
//! They propagate like scipy's direct sums and stay local: an output is NaN exactly when its
//! window holds a NaN (for dense N-d kernels: with a non-zero weight, as scipy). Box filters
//! count non-finite samples instead of adding them (core's running sums), so one NaN never
//! spreads down the line through the running sum (scipy issue 7818 does; tested).
//!
//! # Overflow and huge values
//!
//! Finite samples whose sum is out of range (`1e308 + 1e308`) make inf in the windows that
//! hold them and nowhere else: every running sum (row kernels, outer axes, the two channels of
//! `local_mean_var`) recomputes the window where its value turns non-finite and sums the next
//! windows afresh until the huge samples have left (scipy's running sums carry inf on to the
//! end of the line). `local_mean_var` recomputes a window whose one-pass moments overflow
//! (squares of 1e200) with scaled two-pass moments: a window of equal 1e200 has variance 0,
//! as numpy's `var`. Two limits, shared with scipy's running sums: a huge value that does
//! not overflow (1e300 next to 1.0) is absorbed by a running sum, so the windows after it can
//! lose the small values until the next re-anchor (at most
//! [`ANCHOR_EVERY`](ndkern_core::ANCHOR_EVERY) outputs); and f32 box windows of up to 8
//! samples are summed in f32, so near `f32::MAX` they overflow where scipy's double sums do
//! not. Window, kernel and radius sizes are checked: a border-extended line or kernel that
//! does not fit in memory (`size = usize::MAX`, a window of 1e9 on 5 samples, `sigma = 1e300`)
//! is [`Error::TooLarge`](ndkern_core::Error::TooLarge), an origin outside the window (also
//! `isize::MAX`) an `InvalidParameter`.
//!
//! # Accuracy
//!
//! Against scipy.ndimage / numpy reference data (902 cases in tests/data/spatial: every mode
//! x dtype x 1-3 d, odd/even sizes, kernels longer than the input, origins), the largest error
//! relative to max |ref| is 9e-15 in f64 (Gaussian derivatives) and 2e-6 in f32 (2-D Gaussian,
//! f32 taps); box windows of up to 8 samples are direct sums in the element type, longer ones
//! `f64` running sums; gradients equal the reference exactly in every case.

mod correlate;
mod correlate_fft;
mod engine;
mod gabor;
mod gaussian;
mod gradient;
mod kernels;
mod local;
mod params;
mod plan;
mod recursive;
mod uniform;

pub use correlate::{
    ball_kernel, convolve, convolve1d, convolve1d_into, convolve_into, correlate, correlate1d,
    correlate1d_into, correlate_into,
};
pub use gabor::{gabor_kernel, GaborOptions};
pub use gaussian::{
    gaussian_filter, gaussian_filter1d, gaussian_filter1d_into, gaussian_filter_into,
    gaussian_kernel1d, gaussian_kernel2d, gaussian_kernel_nd, GaussianOptions,
};
pub use gradient::{gradient, gradient_axis_into, gradient_stacked, Spacing};
pub use local::{local_mean_var, local_mean_var_into, local_std};
pub use params::WindowMode;
pub use recursive::{
    gaussian_filter_recursive, gaussian_filter_recursive_into, RECURSIVE_MAX_DEVIATION,
};
pub use uniform::{
    uniform_filter, uniform_filter1d, uniform_filter1d_into, uniform_filter_into, window_sum,
    window_sum_into,
};
