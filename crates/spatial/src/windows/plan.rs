//! The plan: what a separable window filter computes, one [`SepPass`] per filtered axis.
//!
//! # Why
//!
//! Front ends (`uniform.rs`, `correlate.rs`, `gaussian.rs`, `recursive.rs`, `local.rs`) check
//! the user's parameters and build a list of passes; they never walk memory. The engine
//! (`engine/`) takes a plan, picks the walk that suits the layout (one fused sweep over a
//! C-contiguous array, line buffers otherwise) and runs the kernel each pass's [`Kind`] names
//! (`kernels/`). Dependencies point one way: front ends -> plan -> engine -> kernels; the plan
//! is plain data and imports nothing of the others.

use ndkern_core::BorderMode;

/// Box windows up to this many samples are direct sums in the element type; longer ones are
/// `f64` running sums (the plan decides the arithmetic, so every engine route agrees).
pub(crate) const DIRECT_MAX: usize = 8;

/// What a separable pass computes along its axis.
#[derive(Clone, Copy)]
pub(crate) enum Kind<'k, T> {
    /// Box sums of width `w` (`mean`: divided by `w`, or by the in-bounds count when
    /// `shrink`).
    Box { w: usize, mean: bool, shrink: bool },
    /// FIR taps (correlation).
    Fir(&'k [T]),
    /// Box sums of width `w` of the shifted samples `d = x - shift` and of `d^2`, in `f64`
    /// (local mean and variance; `shrink`: the in-bounds samples only).
    Moments { w: usize, shrink: bool },
    /// The Young-van Vliet recursion `y[e] = b x[e] + a0 y[e-1] + a1 y[e-2] + a2 y[e-3]`,
    /// causal then anti-causal, over the line extended by `before` (= `after`) samples.
    Iir { b: f64, a: [f64; 3] },
}

/// One pass of a separable filter: `kind` along `axis`, the line extended by `before` and
/// `after` samples per `mode`.
#[derive(Clone, Copy)]
pub(crate) struct SepPass<'k, T> {
    pub axis: usize,
    pub before: usize,
    pub after: usize,
    pub mode: BorderMode,
    pub kind: Kind<'k, T>,
}

impl<T> SepPass<'_, T> {
    /// Samples of the window (taps, box width, or the extended line's margins for a
    /// recursion).
    pub(crate) fn window(&self) -> usize {
        match self.kind {
            Kind::Fir(t) => t.len(),
            Kind::Box { w, .. } | Kind::Moments { w, .. } => w,
            Kind::Iir { .. } => self.before + self.after + 1,
        }
    }

    /// True for a pass whose output rows are a fixed combination of input rows (FIR taps or a
    /// direct box window): no running state between outputs.
    pub(crate) fn stateless(&self) -> bool {
        match self.kind {
            Kind::Fir(_) => true,
            Kind::Box { w, .. } => w <= DIRECT_MAX,
            Kind::Moments { .. } | Kind::Iir { .. } => false,
        }
    }
}
