//! The parallel driver's one rule: split independent outer blocks across rayon workers only
//! when there is enough work to pay for it.
//!
//! Measured on the 2-core development machine, a rayon fork-join costs a few microseconds;
//! below [`PARALLEL_THRESHOLD`] elements (~64 us of memory-bound work) the calling thread does
//! it alone. Work is never split inside a lane.
//!
//! ```
//! assert!(!ndkern_core::worth_parallel(1000));
//! assert!(ndkern_core::worth_parallel(10_000_000));
//! ```

/// Elements below which a kernel stays on the calling thread.
pub const PARALLEL_THRESHOLD: usize = 1 << 16;

/// True when `elements` of work are worth splitting across threads.
#[inline]
pub fn worth_parallel(elements: usize) -> bool {
    elements >= PARALLEL_THRESHOLD && rayon::current_num_threads() > 1
}

/// How many tasks to cut `elements` of work into: a few per thread for load balance, each at
/// least [`PARALLEL_THRESHOLD`] / 4 elements.
#[inline]
pub fn task_count(elements: usize) -> usize {
    if !worth_parallel(elements) {
        return 1;
    }
    let per_thread = 4;
    let max_tasks = rayon::current_num_threads() * per_thread;
    (elements / (PARALLEL_THRESHOLD / 4)).clamp(1, max_tasks)
}
