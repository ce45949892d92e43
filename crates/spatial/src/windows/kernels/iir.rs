//! Kernels of the recursive (Young-van Vliet) Gaussian: one extended line (the lane route),
//! a group of [`GROUP`] rows as SIMD lanes (innermost axis of a C-contiguous array) and a strip
//! of columns down whole rows (outer axes). The engine (`engine/iir.rs`) hands them rows; the
//! layouts and measurements are described there.

use ndkern_core::{f64x4, BorderMode, Element};

/// Rows filtered together along the innermost axis.
pub(crate) const GROUP: usize = 16;
/// `f64x4` vectors per extended column of a row group.
pub(crate) const VECS: usize = GROUP / 4;
/// Widest column strip of an outer-axis recursion (its three `f64` state rows, 48 KB, stay
/// in L1/L2; wide strips keep each row's read a long sequential run).
pub(crate) const STRIP: usize = 2048;

/// A recursion: `w[e] = b x[e] + a0 w[e-1] + a1 w[e-2] + a2 w[e-3]`, lines extended by `pad`
/// samples on each side per `mode`.
#[derive(Clone, Copy)]
pub(crate) struct Iir {
    pub b: f64,
    pub a: [f64; 3],
    pub pad: usize,
    pub mode: BorderMode,
}

impl Iir {
    /// The source index (or `None`: the constant) of every extended sample of a line of `n`.
    pub(crate) fn sources(&self, n: usize) -> Vec<Option<usize>> {
        (0..n + 2 * self.pad)
            .map(|e| self.mode.source_index(e as isize - self.pad as isize, n))
            .collect()
    }

    pub(crate) fn cval(&self) -> f64 {
        match self.mode {
            BorderMode::Constant(c) => c,
            _ => 0.0,
        }
    }
}

pub(crate) type Col = [f64x4; VECS];

/// One step of the recursion on a column of the group buffer (the previous output `s0`
/// enters last, so the dependency chain is one multiply-add per step).
#[inline(always)]
fn step(x: &Col, s: &[Col; 3], c: &[f64x4; 4]) -> Col {
    std::array::from_fn(|g| {
        c[1].mul_add(
            s[0][g],
            c[2].mul_add(s[1][g], c[3].mul_add(s[2][g], c[0] * x[g])),
        )
    })
}

ndkern_core::multiversion! {
    /// Causal then anti-causal recursion over an extended line, the middle written to `out`.
    pub(crate) fn recursive_line[T: Element](ext: &[T], out: &mut [T], b: f64, a: [f64; 3], pad: usize) {
        let len = ext.len();
        let mut w = vec![0.0f64; len];
        // Steady state: a constant input c gives w = c (the gain is 1).
        let x0 = ext[0].as_f64();
        let (mut w1, mut w2, mut w3) = (x0, x0, x0);
        for (wi, &x) in w.iter_mut().zip(ext) {
            let v = b * x.as_f64() + a[0] * w1 + a[1] * w2 + a[2] * w3;
            (w3, w2, w1) = (w2, w1, v);
            *wi = v;
        }
        let yl = w[len - 1];
        let (mut y1, mut y2, mut y3) = (yl, yl, yl);
        for i in (0..len).rev() {
            let v = b * w[i] + a[0] * y1 + a[1] * y2 + a[2] * y3;
            (y3, y2, y1) = (y2, y1, v);
            if (pad..pad + out.len()).contains(&i) {
                out[i - pad] = T::of_f64(v);
            }
        }
    }
}

ndkern_core::multiversion! {
    /// Up to [`GROUP`] rows: transposed into `t`, both recursions in place, transposed back.
    // `g` picks both the rows of a tile and the vector of a buffer column.
    #[allow(clippy::needless_range_loop)]
    pub(crate) fn row_group[T: Element](
        src: &[T],
        dst: &mut [T],
        n: usize,
        f: &Iir,
        map: &[Option<usize>],
        t: &mut Vec<Col>,
    ) {
        let k = src.len() / n;
        let pad = f.pad;
        let len = n + 2 * pad;
        let zero = f64x4::splat(0.0);
        t.clear();
        t.resize(len, [zero; VECS]);
        // Missing rows of a short group repeat the last row (their results are dropped).
        let rows: [&[T]; GROUP] = std::array::from_fn(|r| {
            let r = r.min(k - 1);
            &src[r * n..(r + 1) * n]
        });
        let row = |r: usize| rows[r];
        let mut c = 0;
        while c + 8 <= n {
            for g in 0..VECS {
                let x: [(f64x4, f64x4); 4] =
                    std::array::from_fn(|r| T::widen8(&rows[4 * g + r][c..]));
                let lo = f64x4::transpose([x[0].0, x[1].0, x[2].0, x[3].0]);
                let hi = f64x4::transpose([x[0].1, x[1].1, x[2].1, x[3].1]);
                for j in 0..4 {
                    t[pad + c + j][g] = lo[j];
                    t[pad + c + 4 + j][g] = hi[j];
                }
            }
            c += 8;
        }
        for c in c..n {
            t[pad + c] = std::array::from_fn(|g| {
                f64x4::new(std::array::from_fn(|r| row(4 * g + r)[c].as_f64()))
            });
        }
        let cv = [f64x4::splat(f.cval()); VECS];
        for e in (0..pad).chain(pad + n..len) {
            t[e] = match map[e] {
                Some(i) => t[pad + i],
                None => cv,
            };
        }
        let co = [
            f64x4::splat(f.b),
            f64x4::splat(f.a[0]),
            f64x4::splat(f.a[1]),
            f64x4::splat(f.a[2]),
        ];
        // Causal, from steady state on the first extended sample.
        let mut s = [t[0]; 3];
        for te in t.iter_mut() {
            let v = step(te, &s, &co);
            s = [v, s[0], s[1]];
            *te = v;
        }
        // Anti-causal, from steady state on the last; only the line itself is needed.
        s = [t[len - 1]; 3];
        for te in t[pad..].iter_mut().rev() {
            let v = step(te, &s, &co);
            s = [v, s[0], s[1]];
            *te = v;
        }
        let mut c = 0;
        while c + 4 <= n {
            for g in 0..VECS {
                let tr = f64x4::transpose([
                    t[pad + c][g],
                    t[pad + c + 1][g],
                    t[pad + c + 2][g],
                    t[pad + c + 3][g],
                ]);
                for (r, v) in tr.into_iter().enumerate() {
                    let r = 4 * g + r;
                    if r < k {
                        let v = v.to_array();
                        let o = &mut dst[r * n + c..r * n + c + 4];
                        for (o, v) in o.iter_mut().zip(v) {
                            *o = T::of_f64(v);
                        }
                    }
                }
            }
            c += 4;
        }
        for c in c..n {
            let col = &t[pad + c];
            for r in 0..k {
                dst[r * n + c] = T::of_f64(col[r / 4].to_array()[r % 4]);
            }
        }
    }
}

/// Per-task scratch of [`strip`]: three `f64` state rows and the bottom extension.
#[derive(Default)]
pub(crate) struct StripScratch {
    s: [Vec<f64>; 3],
    tail: Vec<f64>,
}

/// `s2 <- b x + a0 s0 + a1 s1 + a2 s2` elementwise, written to `out` too.
#[inline(always)]
fn vstep(x: impl Iterator<Item = f64>, s0: &[f64], s1: &[f64], s2: &mut [f64], f: &Iir) {
    let (b, [a0, a1, a2]) = (f.b, f.a);
    for (((v, p0), p1), xv) in s2.iter_mut().zip(s0).zip(s1).zip(x) {
        *v = b * xv + a0 * p0 + a1 * p1 + a2 * *v;
    }
}

ndkern_core::multiversion! {
    /// Both recursions down the rows of one strip (each row `cw` wide), in place.
    pub(crate) fn strip[T: Element](
        rows: &mut [&mut [T]],
        f: &Iir,
        map: &[Option<usize>],
        sc: &mut StripScratch,
    ) {
        let n = rows.len();
        let cw = rows[0].len();
        let pad = f.pad;
        let cval = f.cval();
        for s in &mut sc.s {
            s.clear();
            s.resize(cw, 0.0);
        }
        // The extension below the axis, saved before any row is overwritten.
        sc.tail.clear();
        for m in &map[n + pad..] {
            match *m {
                Some(r) => sc.tail.extend(rows[r].iter().map(|v| v.as_f64())),
                None => sc.tail.extend(std::iter::repeat_n(cval, cw)),
            }
        }
        let [mut s0, mut s1, mut s2] = std::mem::take(&mut sc.s);
        let mut tail = std::mem::take(&mut sc.tail);
        // Steady state on the first extended row.
        let first: Vec<f64> = match map[0] {
            Some(r) => rows[r].iter().map(|v| v.as_f64()).collect(),
            None => vec![cval; cw],
        };
        for s in [&mut s0, &mut s1, &mut s2] {
            s.copy_from_slice(&first);
        }
        // Causal: the extension above (rows not yet overwritten), the rows (each overwritten by
        // its result), the extension below (results kept in `tail`).
        for &m in &map[..pad] {
            match m {
                Some(r) => vstep(rows[r].iter().map(|v| v.as_f64()), &s0, &s1, &mut s2, f),
                None => vstep(std::iter::repeat(cval), &s0, &s1, &mut s2, f),
            }
            (s0, s1, s2) = (s2, s0, s1);
        }
        for row in rows.iter_mut() {
            vstep(row.iter().map(|v| v.as_f64()), &s0, &s1, &mut s2, f);
            for (o, &v) in row.iter_mut().zip(&s2) {
                *o = T::of_f64(v);
            }
            (s0, s1, s2) = (s2, s0, s1);
        }
        for t in tail.chunks_exact_mut(cw) {
            vstep(t.iter().copied(), &s0, &s1, &mut s2, f);
            t.copy_from_slice(&s2);
            (s0, s1, s2) = (s2, s0, s1);
        }
        // Anti-causal from steady state on the last extended row, down to the first row.
        let last = &tail[(pad - 1) * cw..];
        for s in [&mut s0, &mut s1, &mut s2] {
            s.copy_from_slice(last);
        }
        for t in tail.chunks_exact(cw).rev() {
            vstep(t.iter().copied(), &s0, &s1, &mut s2, f);
            (s0, s1, s2) = (s2, s0, s1);
        }
        for row in rows.iter_mut().rev() {
            vstep(row.iter().map(|v| v.as_f64()), &s0, &s1, &mut s2, f);
            for (o, &v) in row.iter_mut().zip(&s2) {
                *o = T::of_f64(v);
            }
            (s0, s1, s2) = (s2, s0, s1);
        }
        sc.s = [s0, s1, s2];
        sc.tail = tail;
    }
}
