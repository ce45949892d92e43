//! The reducers: what each numpy reduction does per lane (inner walk) and per row (outer walk).

use super::engine::{Group, Reducer, RowPos};
use super::short_rows::{short_rows, SHORT_ROW};
use crate::element::{f64x4, Element};
use crate::elementwise::{accumulate, accumulate_dev_sq, accumulate_sq};
use crate::minmax::{self, nan_max, nan_min};
use crate::prefix::CompensatedSum;
use crate::sum::{sum, sum_dev, sum_sq};

fn add_into(into: &mut [f64], from: &[f64]) {
    into.iter_mut().zip(from).for_each(|(a, b)| *a += b);
}

/// Sum of a group's lanes, each lane summed pairwise, lanes combined with compensation.
fn group_sum<T: Element>(g: &Group<'_, T>, scratch: &mut Vec<T>, f: impl Fn(&[T]) -> f64) -> f64 {
    if let Some(x) = g.as_slice() {
        return f(x);
    }
    let mut acc = CompensatedSum::new();
    g.for_each_lane(scratch, |lane| acc.add(f(lane)));
    acc.value()
}

/// Row-matrix walk of an uncentered moment: the batched short-row kernel for short rows,
/// `long` (a slice kernel) per row otherwise.
fn rows_with<T: Element>(
    x: &[T],
    out: &mut [f64],
    pick: impl Fn(f64, f64, f64) -> f64,
    long: impl Fn(&[T]) -> f64,
) {
    let len = x.len() / out.len().max(1);
    if (1..=SHORT_ROW).contains(&len) {
        return short_rows(x, len, false, out, pick);
    }
    for (row, o) in x.chunks_exact(len.max(1)).zip(out.iter_mut()) {
        *o = long(row);
    }
}

/// `sum(x)` (`Power::One`) or `sum(x^2)` (`Power::Two`) in `f64`: one reducer, the two
/// uncentered moments differ only in which slice kernel, short-row total and row accumulator
/// they use.
#[derive(Clone, Copy)]
pub(crate) enum Power {
    One,
    Two,
}

pub(crate) struct PowerSum(pub(crate) Power);

/// `sum(x)` in `f64`.
pub(crate) const SUM: PowerSum = PowerSum(Power::One);
/// `sum(x^2)` in `f64`.
pub(crate) const SUM_SQ: PowerSum = PowerSum(Power::Two);

impl PowerSum {
    fn slice<T: Element>(&self, x: &[T]) -> f64 {
        match self.0 {
            Power::One => sum(x),
            Power::Two => sum_sq(x),
        }
    }
}

impl<T: Element> Reducer<T> for PowerSum {
    type Out = f64;
    type Acc = f64;
    fn group(&self, g: &Group<'_, T>, s: &mut Vec<T>, _: usize) -> f64 {
        group_sum(g, s, |x| self.slice(x))
    }
    fn rows(&self, x: &[T], out: &mut [f64], _: usize) {
        let pick = |s1, s2, _| match self.0 {
            Power::One => s1,
            Power::Two => s2,
        };
        rows_with(x, out, pick, |r| self.slice(r))
    }
    fn acc_init(&self) -> f64 {
        0.0
    }
    fn acc_row(&self, acc: &mut [f64], row: &[T], _: RowPos) {
        match self.0 {
            Power::One => accumulate(acc, row),
            Power::Two => accumulate_sq(acc, row),
        }
        .expect("row and accumulator lengths agree");
    }
    #[inline(always)]
    fn acc_rows4(&self, acc: &mut [f64], rows: [&[T]; 4], _: RowPos) {
        match self.0 {
            Power::One => add_rows4(acc, rows, |v| v, |v| v),
            Power::Two => add_rows4(acc, rows, |v| v * v, |v| v * v),
        }
    }
    fn acc_merge(&self, into: &mut [f64], from: &[f64]) {
        add_into(into, from)
    }
    fn finish(&self, acc: f64, _: usize, _: usize) -> f64 {
        acc
    }
    fn merge_out(&self, a: f64, b: f64) -> Option<f64> {
        Some(a + b)
    }
}

/// `acc[i] += (f(a[i]) + f(b[i])) + (f(c[i]) + f(d[i]))` in `f64` for rows `[a, b, c, d]`:
/// the outer walk's four-row step of a sum (`f` the identity) or a sum of squares. Inlined
/// into the dispatched row-block leaf. Rounding: the four rows are added pairwise before the
/// accumulator (as accurate as adding them one by one, within an ulp per step).
#[inline(always)]
fn add_rows4<T: Element>(
    acc: &mut [f64],
    rows: [&[T]; 4],
    f: impl Fn(f64x4) -> f64x4,
    fs: impl Fn(f64) -> f64,
) {
    let n = acc.len();
    let [a, b, c, d] = rows;
    let (a, b, c, d) = (&a[..n], &b[..n], &c[..n], &d[..n]);
    let mut i = 0;
    while i + 8 <= n {
        let (a0, a1) = T::widen8(&a[i..i + 8]);
        let (b0, b1) = T::widen8(&b[i..i + 8]);
        let (c0, c1) = T::widen8(&c[i..i + 8]);
        let (d0, d1) = T::widen8(&d[i..i + 8]);
        let s0 = (f(a0) + f(b0)) + (f(c0) + f(d0));
        let s1 = (f(a1) + f(b1)) + (f(c1) + f(d1));
        let o = &mut acc[i..i + 8];
        let r0 = <f64 as Element>::load(&o[..4]) + s0;
        let r1 = <f64 as Element>::load(&o[4..]) + s1;
        <f64 as Element>::store(r0, &mut o[..4]);
        <f64 as Element>::store(r1, &mut o[4..]);
        i += 8;
    }
    let tail = acc[i..]
        .iter_mut()
        .zip(&a[i..])
        .zip(&b[i..])
        .zip(&c[i..])
        .zip(&d[i..]);
    for ((((o, x), y), z), w) in tail {
        *o += (fs(x.as_f64()) + fs(y.as_f64())) + (fs(z.as_f64()) + fs(w.as_f64()));
    }
}

/// Sum of squared deviations from the mean. Inner walk: corrected two-pass inside the group
/// (`sum(d^2) - sum(d)^2 / n` with `d = x - mean`). Outer walk: deviations from `center`, the
/// per-output means of a previous [`SUM`] pass in the native layout, rows of `m` columns.
pub(crate) struct SumDevSq<'c> {
    pub(crate) center: &'c [f64],
    pub(crate) m: usize,
}
impl<T: Element> Reducer<T> for SumDevSq<'_> {
    type Out = f64;
    type Acc = f64;
    fn group(&self, g: &Group<'_, T>, s: &mut Vec<T>, _: usize) -> f64 {
        if let Some(x) = g.as_slice() {
            return dev_sq(x);
        }
        let mut n = 0usize;
        let mut total = CompensatedSum::new();
        g.for_each_lane(s, |lane| {
            n += lane.len();
            total.add(sum(lane));
        });
        if n == 0 {
            return f64::NAN;
        }
        let mean = total.value() / n as f64;
        let (mut d, mut d2) = (CompensatedSum::new(), CompensatedSum::new());
        g.for_each_lane(s, |lane| {
            let (a, b) = sum_dev(lane, mean);
            d.add(a);
            d2.add(b);
        });
        let d = d.value();
        corrected_ss(d2.value(), d, 1.0 / n as f64)
    }
    fn rows(&self, x: &[T], out: &mut [f64], _: usize) {
        let len = x.len() / out.len().max(1);
        if (1..=SHORT_ROW).contains(&len) {
            let inv_n = 1.0 / len as f64;
            // Blocks of rows, so the check below reads outputs still in cache.
            const BLOCK: usize = 4096;
            for (xb, ob) in x.chunks(len * BLOCK).zip(out.chunks_mut(BLOCK)) {
                short_rows(xb, len, true, ob, |s1, s2, _| corrected_ss(s2, s1, inv_n));
                // Shifting by the first element can overflow where deviations from the mean
                // do not (`[1e308, -1e308, 1e308]`): redo non-finite rows two-pass (rare).
                if ob.iter().any(|o| !o.is_finite()) {
                    for (row, o) in xb.chunks_exact(len).zip(ob.iter_mut()) {
                        if !o.is_finite() {
                            *o = dev_sq(row);
                        }
                    }
                }
            }
            return;
        }
        for (row, o) in x.chunks_exact(len.max(1)).zip(out.iter_mut()) {
            *o = dev_sq(row);
        }
    }
    fn acc_init(&self) -> f64 {
        0.0
    }
    fn acc_row(&self, acc: &mut [f64], row: &[T], pos: RowPos) {
        let c0 = pos.outer * self.m + pos.col0;
        accumulate_dev_sq(acc, row, &self.center[c0..c0 + row.len()])
            .expect("row, center and accumulator lengths agree");
    }
    fn acc_merge(&self, into: &mut [f64], from: &[f64]) {
        add_into(into, from)
    }
    fn finish(&self, acc: f64, _: usize, _: usize) -> f64 {
        acc
    }
}

/// Corrected two-pass sum of squared deviations of one contiguous slice.
#[inline(always)]
fn dev_sq<T: Element>(x: &[T]) -> f64 {
    if x.is_empty() {
        return f64::NAN;
    }
    let n = x.len() as f64;
    let (d, d2) = sum_dev(x, sum(x) / n);
    corrected_ss(d2, d, 1.0 / n)
}

/// The corrected sum of squared deviations `d2 - d^2 / n` (`inv_n = 1 / n`), with a slightly
/// negative rounding result clamped to 0 and NaN kept (`ndkern_core::clamp`). When the squares
/// of finite deviations overflowed (`d2 = inf`, `d` finite), the variance is inf, as numpy's —
/// not the NaN of `inf - inf`; an infinite input still gives NaN (`d` is not finite then).
#[inline(always)]
fn corrected_ss(d2: f64, d: f64, inv_n: f64) -> f64 {
    if d2 == f64::INFINITY && d.is_finite() {
        return d2;
    }
    crate::clamp(d2 - d * d * inv_n, 0.0, f64::INFINITY)
}

/// `max(|x|)` as `f64`, NaN-propagating (scale of the overflow-safe norm).
pub(crate) struct MaxAbs;
impl<T: Element> Reducer<T> for MaxAbs {
    type Out = f64;
    type Acc = f64;
    fn group(&self, g: &Group<'_, T>, s: &mut Vec<T>, _: usize) -> f64 {
        let mut m = 0.0f64;
        g.for_each_lane(s, |lane| {
            let hi = minmax::max(lane).map_or(0.0, |v| v.as_f64());
            let lo = minmax::min(lane).map_or(0.0, |v| v.as_f64());
            m = nan_max(nan_max(m, hi.abs()), lo.abs());
        });
        m
    }
    fn acc_init(&self) -> f64 {
        0.0
    }
    fn acc_row(&self, acc: &mut [f64], row: &[T], _: RowPos) {
        acc.iter_mut()
            .zip(row)
            .for_each(|(a, v)| *a = nan_max(*a, v.as_f64().abs()));
    }
    fn acc_merge(&self, into: &mut [f64], from: &[f64]) {
        into.iter_mut()
            .zip(from)
            .for_each(|(a, &b)| *a = nan_max(*a, b));
    }
    fn finish(&self, acc: f64, _: usize, _: usize) -> f64 {
        acc
    }
    fn merge_out(&self, a: f64, b: f64) -> Option<f64> {
        Some(nan_max(a, b))
    }
}

/// `sum((x / scale)^2)` with a per-output `scale` in the native layout (rare fallback path of
/// the overflow-safe norm, scalar on purpose).
pub(crate) struct ScaledSumSq<'c> {
    pub(crate) scale: &'c [f64],
    pub(crate) m: usize,
}
impl<T: Element> Reducer<T> for ScaledSumSq<'_> {
    type Out = f64;
    type Acc = f64;
    fn group(&self, g: &Group<'_, T>, s: &mut Vec<T>, index: usize) -> f64 {
        // Divide, not multiply by 1 / scale: for a subnormal scale the reciprocal is inf.
        let sc = self.scale[index];
        let mut acc = CompensatedSum::new();
        g.for_each_lane(s, |lane| {
            acc.add(lane.iter().map(|v| (v.as_f64() / sc).powi(2)).sum());
        });
        acc.value()
    }
    fn acc_init(&self) -> f64 {
        0.0
    }
    fn acc_row(&self, acc: &mut [f64], row: &[T], pos: RowPos) {
        let c0 = pos.outer * self.m + pos.col0;
        for ((a, v), sc) in acc.iter_mut().zip(row).zip(&self.scale[c0..]) {
            *a += (v.as_f64() / sc).powi(2);
        }
    }
    fn acc_merge(&self, into: &mut [f64], from: &[f64]) {
        add_into(into, from)
    }
    fn finish(&self, acc: f64, _: usize, _: usize) -> f64 {
        acc
    }
}

/// `min` or `max` with numpy's NaN propagation.
pub(crate) struct Extreme {
    pub(crate) is_max: bool,
}
impl<T: Element> Reducer<T> for Extreme {
    type Out = T;
    type Acc = T;
    fn group(&self, g: &Group<'_, T>, s: &mut Vec<T>, _: usize) -> T {
        let mut r = self.acc_init_t::<T>();
        g.for_each_lane(s, |lane| {
            let v = if self.is_max {
                minmax::max(lane)
            } else {
                minmax::min(lane)
            };
            if let Some(v) = v {
                r = self.pick(r, v);
            }
        });
        r
    }
    fn acc_init(&self) -> T {
        self.acc_init_t::<T>()
    }
    fn acc_row(&self, acc: &mut [T], row: &[T], _: RowPos) {
        if self.is_max {
            acc.iter_mut()
                .zip(row)
                .for_each(|(a, &v)| *a = nan_max(*a, v));
        } else {
            acc.iter_mut()
                .zip(row)
                .for_each(|(a, &v)| *a = nan_min(*a, v));
        }
    }
    fn acc_merge(&self, into: &mut [T], from: &[T]) {
        into.iter_mut()
            .zip(from)
            .for_each(|(a, &b)| *a = self.pick(*a, b));
    }
    fn finish(&self, acc: T, _: usize, _: usize) -> T {
        acc
    }
    fn merge_out(&self, a: T, b: T) -> Option<T> {
        Some(self.pick(a, b))
    }
}
impl Extreme {
    fn acc_init_t<T: Element>(&self) -> T {
        if self.is_max {
            T::neg_infinity()
        } else {
            T::infinity()
        }
    }
    fn pick<T: Element>(&self, a: T, b: T) -> T {
        if self.is_max {
            nan_max(a, b)
        } else {
            nan_min(a, b)
        }
    }
}

/// Number of elements `!= 0` (NaN counts, like numpy).
pub(crate) struct CountNonzero;
impl<T: Element> Reducer<T> for CountNonzero {
    type Out = usize;
    type Acc = usize;
    fn group(&self, g: &Group<'_, T>, s: &mut Vec<T>, _: usize) -> usize {
        let mut c = 0;
        g.for_each_lane(s, |lane| {
            c += lane.iter().filter(|&&v| v != T::zero()).count()
        });
        c
    }
    fn acc_init(&self) -> usize {
        0
    }
    fn acc_row(&self, acc: &mut [usize], row: &[T], _: RowPos) {
        acc.iter_mut()
            .zip(row)
            .for_each(|(a, &v)| *a += usize::from(v != T::zero()));
    }
    fn acc_merge(&self, into: &mut [usize], from: &[usize]) {
        into.iter_mut().zip(from).for_each(|(a, b)| *a += b);
    }
    fn finish(&self, acc: usize, _: usize, _: usize) -> usize {
        acc
    }
    fn merge_out(&self, a: usize, b: usize) -> Option<usize> {
        Some(a + b)
    }
}
