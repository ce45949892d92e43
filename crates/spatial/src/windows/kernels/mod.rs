//! The kernels: pure functions on slices (rows, extended lines) that own the inner loops.
//! They know nothing of the plan or the engine — which rows form a window, how the array is
//! walked or split across threads — and import nothing from them. The hot leaves are
//! `ndkern_core::multiversion!` functions, dispatched at the SIMD level of
//! [`ndkern_core::simd::level()`].
//!
//! | file | computes |
//! |---|---|
//! | `box_sum.rs` | direct window sums of rows, the `f64` running-sum row steps, the lane route's box line, `Shrink` edges |
//! | `running.rs` | running `f64` window sums of one line (portable and AVX-512) |
//! | `fir.rs` | taps over rows, the lane route's correlation line |
//! | `moments.rs` | the two channels of local moments |
//! | `iir.rs` | the Young-van Vliet recursions (lines, row groups, column strips) |
//! | `border.rs` | border extension of a line in place |

pub(crate) mod border;
pub(crate) mod box_sum;
pub(crate) mod fir;
pub(crate) mod iir;
pub(crate) mod moments;
pub(crate) mod running;
