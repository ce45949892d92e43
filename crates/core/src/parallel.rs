//! The parallel driver's rules: split independent outer blocks across rayon workers only
//! when there is enough work to pay for it, and cut the work into tasks in one way.
//!
//! A rayon fork-join costs a few microseconds; below [`PARALLEL_THRESHOLD`] elements (~64 us
//! of memory-bound work) the calling thread does it alone ([`worth_parallel`]). Work is never
//! split inside a lane. How many tasks, and how large, is [`split`]'s single formula: as many
//! tasks as `total / min_per_task`, at least one, at most a few per thread (for load balance
//! when one thread is slowed by the others on a shared machine), all the same size but the
//! last. Kernels whose results depend on the cut (reductions summing per-task partials) get
//! the same chunks for the same thread count, so their bits are reproducible run to run.
//!
//! ```
//! assert!(!ndkern_core::worth_parallel(1000));
//! assert!(ndkern_core::worth_parallel(10_000_000) == (rayon::current_num_threads() > 1));
//! let s = ndkern_core::parallel::split(1000, 300);
//! assert!(s.tasks >= 1 && s.tasks <= 3 && s.chunk * s.tasks >= 1000);
//! ```

use std::ops::Range;

/// Elements below which a kernel stays on the calling thread.
pub const PARALLEL_THRESHOLD: usize = 1 << 16;

/// The default cap of [`split`]: tasks per rayon thread.
pub const TASKS_PER_THREAD: usize = 4;

/// True when `elements` of work are worth splitting across threads.
#[inline]
pub fn worth_parallel(elements: usize) -> bool {
    elements >= PARALLEL_THRESHOLD && rayon::current_num_threads() > 1
}

/// How `total` items are cut: `tasks` consecutive chunks of `chunk` items, the last one
/// shorter when `chunk` does not divide `total` (see [`split`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Split {
    /// The number of items split.
    pub total: usize,
    /// The number of tasks, at least 1.
    pub tasks: usize,
    /// Items per task: `total.div_ceil(tasks)` (0 when `total` is 0).
    pub chunk: usize,
}

impl Split {
    /// Whether there is more than one task.
    ///
    /// ```
    /// assert!(!ndkern_core::parallel::split(10, 100).is_parallel());
    /// ```
    #[inline]
    pub fn is_parallel(&self) -> bool {
        self.tasks > 1
    }

    /// The items of task `t` (empty past the end).
    ///
    /// ```
    /// let s = ndkern_core::parallel::split_per_thread(10, 1, 1);
    /// let n: usize = (0..s.tasks).map(|t| s.range(t).len()).sum();
    /// assert_eq!(n, 10);
    /// ```
    #[inline]
    pub fn range(&self, t: usize) -> Range<usize> {
        let lo = t.saturating_mul(self.chunk).min(self.total);
        lo..lo.saturating_add(self.chunk).min(self.total)
    }
}

/// Cuts `total` items into tasks of at least `min_per_task` items (a `min_per_task` of 0
/// counts as 1), at most [`TASKS_PER_THREAD`] per rayon thread, and never fewer than one task.
/// The one sizing rule of the workspace; [`split_per_thread`] takes another cap.
///
/// ```
/// use ndkern_core::parallel::{split, TASKS_PER_THREAD};
/// let s = split(1 << 20, 1 << 14);          // 64 tasks' worth, capped per thread
/// assert_eq!(s.tasks, (1 << 6).min(TASKS_PER_THREAD * rayon::current_num_threads()));
/// assert_eq!(s.chunk, (1usize << 20).div_ceil(s.tasks));
/// assert_eq!(split(100, 1000).tasks, 1);     // too little work: one task
/// ```
#[inline]
pub fn split(total: usize, min_per_task: usize) -> Split {
    split_per_thread(total, min_per_task, TASKS_PER_THREAD)
}

/// [`split`] with at most `per_thread` tasks per rayon thread (0 counts as 1): `tasks =
/// clamp(total / min_per_task, 1, threads * per_thread)`, `chunk = total.div_ceil(tasks)`.
///
/// ```
/// use ndkern_core::parallel::split_per_thread;
/// let threads = rayon::current_num_threads();
/// // One task per thread at most, each of at least 1000 items.
/// let s = split_per_thread(10_000, 1000, 1);
/// assert_eq!(s.tasks, threads.min(10));
/// // Rows per tile for ~8 tiles per thread.
/// assert_eq!(split_per_thread(5000, 1, 8).chunk, 5000usize.div_ceil((8 * threads).min(5000)));
/// ```
pub fn split_per_thread(total: usize, min_per_task: usize, per_thread: usize) -> Split {
    let cap = rayon::current_num_threads()
        .max(1)
        .saturating_mul(per_thread.max(1));
    let tasks = (total / min_per_task.max(1)).clamp(1, cap);
    Split {
        total,
        tasks,
        chunk: total.div_ceil(tasks),
    }
}

/// How many tasks to cut `elements` of work into: one unless [`worth_parallel`], else
/// [`split`] with tasks of at least [`PARALLEL_THRESHOLD`] / 4 elements.
#[inline]
pub fn task_count(elements: usize) -> usize {
    if !worth_parallel(elements) {
        return 1;
    }
    split(elements, PARALLEL_THRESHOLD / 4).tasks
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The formula, counted out for a given thread count: the most tasks of at least `min`
    /// items (at least one, at most `threads * per`), then the smallest chunk that covers.
    fn naive(total: usize, min: usize, per: usize, threads: usize) -> (usize, usize) {
        let cap = threads.max(1) * per.max(1);
        let mut tasks = 1;
        while tasks < cap
            && (tasks + 1)
                .checked_mul(min.max(1))
                .is_some_and(|n| n <= total)
        {
            tasks += 1;
        }
        let mut chunk = total / tasks;
        if chunk * tasks < total {
            chunk += 1;
        }
        (tasks, chunk)
    }

    #[test]
    fn split_matches_formula_and_covers_everything() {
        let threads = rayon::current_num_threads();
        for total in [
            0,
            1,
            2,
            7,
            100,
            999,
            1000,
            1001,
            1 << 16,
            1 << 20,
            12_345_678,
        ] {
            for min in [0, 1, 3, 1000, 1 << 14, usize::MAX] {
                for per in [0, 1, 2, 4, 8] {
                    let s = split_per_thread(total, min, per);
                    assert_eq!((s.tasks, s.chunk), naive(total, min, per, threads));
                    assert_eq!(s.total, total);
                    // The ranges tile 0..total in order, none empty but past the end.
                    let mut at = 0;
                    for t in 0..s.tasks {
                        let r = s.range(t);
                        assert_eq!(r.start, at);
                        at = r.end;
                    }
                    assert_eq!(at, total);
                    assert!(s.range(s.tasks).is_empty());
                }
            }
        }
        assert_eq!(split(5000, 7), split_per_thread(5000, 7, TASKS_PER_THREAD));
    }

    #[test]
    fn split_in_pools_of_one_and_three_threads() {
        for n in [1usize, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .expect("a small pool");
            pool.install(|| {
                assert_eq!(split(1 << 20, 1).tasks, TASKS_PER_THREAD * n);
                assert_eq!(split_per_thread(1 << 20, 1 << 15, 1).tasks, n);
                assert_eq!(split_per_thread(100, 1, 8).chunk, 100usize.div_ceil(8 * n));
                // task_count: 1 below the threshold or on one thread.
                assert_eq!(task_count(PARALLEL_THRESHOLD - 1), 1);
                let want = if n > 1 { 4 * n } else { 1 };
                assert_eq!(task_count(1 << 24), want);
                assert_eq!(task_count(PARALLEL_THRESHOLD), if n > 1 { 4 } else { 1 });
            });
        }
    }

    #[test]
    fn huge_totals_do_not_overflow() {
        let s = split_per_thread(usize::MAX, 1, usize::MAX);
        assert_eq!((s.tasks, s.chunk), (usize::MAX, 1));
        assert_eq!(s.range(s.tasks - 1).end, usize::MAX);
    }
}
