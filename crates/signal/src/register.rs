//! Image registration by FFT cross-correlation: the circular cross-correlation peak with its
//! signed shift and normalized correlation coefficient (Q22), and scikit-image's
//! `phase_cross_correlation` with subpixel refinement by the upsampled matrix-multiply DFT
//! (Guizar-Sicairos, Thurman & Fienup 2008).
//!
//! The cross-power spectrum `F(a) * conj(F(b))` is an element-wise product (not a matrix
//! product); its inverse transform is the circular correlation `c[k] = sum_n a[n + k] b[n]`,
//! whose peak index maps to a signed displacement by the fftfreq convention
//! ([`crate::fft::signed_index`]). Subpixel refinement does not zero-pad the whole spectrum by
//! `upsample_factor`: it evaluates the inverse DFT only on a `1.5 * upsample_factor` wide
//! neighbourhood of the coarse peak, one small matrix product per axis, `O(N u)` instead of
//! `O(N u^2 log)`.
//!
//! [`Correlator`] keeps the FFT plans and the reference spectrum, so registering a sequence of
//! frames against one reference transforms each frame once.
//!
//! ```
//! use ndarray::Array2;
//! use ndkern_signal::{phase_cross_correlation, Normalization};
//! let img = Array2::from_shape_fn((32, 32), |(i, j)| ((i * 7 + j * 3) % 11) as f64 + (i as f64 * 0.3).sin());
//! let moved = Array2::from_shape_fn((32, 32), |(i, j)| img[[(i + 32 - 3) % 32, (j + 5) % 32]]);
//! let r = phase_cross_correlation(&img, &moved, 1, Normalization::Phase).unwrap();
//! assert_eq!(r.shift, vec![-3.0, 5.0]);    // skimage: shift that registers `moved` onto `img`
//! ```

use ndarray::{Array2, ArrayBase, ArrayD, ArrayView2, Axis, Data, Dimension, IxDyn, Zip};
use ndkern_core::{Element, Error, Result};

use crate::fft::{signed_index, FftPlans, C64};
use crate::xspec::{self, Plans2};

/// Spectrum normalization of [`phase_cross_correlation`] (skimage's `normalization`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Normalization {
    /// Divide the cross-power spectrum by its magnitude (phase correlation), skimage default.
    Phase,
    /// Plain cross-correlation.
    None,
}

/// The result of [`phase_cross_correlation`]: skimage's `(shift, error, phasediff)`.
#[derive(Clone, Debug, PartialEq)]
pub struct PhaseShift {
    /// Shift (in pixels, per axis) that registers the moving image with the reference.
    pub shift: Vec<f64>,
    /// Translation-invariant normalized RMS error between the images.
    pub error: f64,
    /// Global phase difference of the two images (zero for real, non-negative images).
    pub phasediff: f64,
}

/// The result of [`cross_correlate_circular`].
#[derive(Clone, Debug, PartialEq)]
pub struct CircularPeak {
    /// Circular cross-correlation of the mean-removed images, `c[k] = sum_n a'[n+k] b'[n]`.
    pub correlation: ArrayD<f64>,
    /// Signed displacement of `a` relative to `b` (fftfreq convention): `a ~ roll(b, shift)`.
    pub shift: Vec<isize>,
    /// Normalized correlation coefficient at the peak: `c[peak] / sqrt(sum a'^2 sum b'^2)`,
    /// in [-1, 1] (1 for an exact circular shift).
    pub ncc: f64,
}

fn check_pair(a: &[usize], b: &[usize]) -> Result<()> {
    if a != b {
        return Err(Error::ShapeMismatch {
            expected: a.to_vec(),
            got: b.to_vec(),
        });
    }
    if a.is_empty() || a.contains(&0) {
        return Err(Error::InvalidParameter {
            name: "reference_image",
            reason: format!("images must be non-empty with at least one axis, got shape {a:?}"),
        });
    }
    Ok(())
}

/// The full complex spectrum of a real array (numpy `fftn`), from a real FFT plus the
/// Hermitian mirror `X[-k] = conj(X[k])`: half the transform work, and exactly Hermitian, so
/// phase normalization of near-zero bins cannot create an imaginary part (scipy.fft does the
/// same for real input).
fn real_spectrum<T: Element, S: Data<Elem = T>, D: Dimension>(
    p: &mut FftPlans,
    a: &ArrayBase<S, D>,
) -> Result<ArrayD<C64>> {
    let nd = a.ndim();
    let axes: Vec<usize> = (0..nd).collect();
    let half = p.rfftn(a, &axes)?;
    let shape = a.shape().to_vec();
    let n_last = shape[nd - 1];
    let h = half.shape()[nd - 1];
    let mut full = crate::fft::try_zeros_c64("the full spectrum", IxDyn(&shape))?;
    full.slice_axis_mut(Axis(nd - 1), (0..h).into())
        .assign(&half);
    if n_last > h && nd == 2 {
        let n0 = shape[0];
        let half2 = half
            .view()
            .into_dimensionality::<ndarray::Ix2>()
            .expect("2-D");
        let mut full2 = full
            .view_mut()
            .into_dimensionality::<ndarray::Ix2>()
            .expect("2-D");
        for i in 0..n0 {
            for j in h..n_last {
                full2[[i, j]] = half2[[(n0 - i) % n0, n_last - j]].conj();
            }
        }
    } else if n_last > h {
        let mut idx = vec![0usize; nd];
        let mut src = vec![0usize; nd];
        for (flat, v) in full.iter_mut().enumerate() {
            // Index of this element (C order).
            let mut rem = flat;
            for d in (0..nd).rev() {
                idx[d] = rem % shape[d];
                rem /= shape[d];
            }
            if idx[nd - 1] < h {
                continue;
            }
            for d in 0..nd {
                src[d] = (shape[d] - idx[d]) % shape[d];
            }
            *v = half[IxDyn(&src)].conj();
        }
    }
    Ok(full)
}

fn full_fft(p: &mut FftPlans, mut z: ArrayD<C64>, inverse: bool) -> ArrayD<C64> {
    for ax in 0..z.ndim() {
        p.fft_axis_unchecked(&mut z, ax, inverse);
    }
    z
}

/// First index of the largest `|z|` (numpy argmax order: C order, first wins; a NaN wins
/// over every number, as in numpy).
fn argmax_abs(z: &ArrayD<C64>) -> (Vec<usize>, C64) {
    let mut best = (0usize, -1.0f64);
    for (i, v) in z.iter().enumerate() {
        let m = v.norm_sqr();
        if m.is_nan() {
            best = (i, m);
            break;
        }
        if m > best.1 {
            best = (i, m);
        }
    }
    let mut idx = vec![0; z.ndim()];
    let mut rem = best.0;
    for d in (0..z.ndim()).rev() {
        idx[d] = rem % z.shape()[d];
        rem /= z.shape()[d];
    }
    let v = z[IxDyn(&idx)];
    (idx, v)
}

/// Circular cross-correlation of two same-shape real images over all axes, its peak as a
/// signed shift, and the normalized correlation coefficient there (Q22). Errors: shapes
/// differ, empty images.
///
/// ```
/// use ndarray::Array2;
/// let b = Array2::from_shape_fn((20, 20), |(i, j)| ((i * i + 3 * j) % 7) as f32);
/// let a = Array2::from_shape_fn((20, 20), |(i, j)| b[[(i + 20 - 2) % 20, (j + 20 + 4) % 20]]);
/// let p = ndkern_signal::cross_correlate_circular(&a, &b).unwrap();
/// assert_eq!(p.shift, vec![2, -4]);
/// assert!((p.ncc - 1.0).abs() < 1e-9);
/// ```
pub fn cross_correlate_circular<T, S1, S2, D>(
    a: &ArrayBase<S1, D>,
    b: &ArrayBase<S2, D>,
) -> Result<CircularPeak>
where
    T: Element,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
    D: Dimension,
{
    check_pair(a.shape(), b.shape())?;
    if a.ndim() == 2 && a.shape().iter().all(|&n| n >= 2) {
        check_2d(a.shape()[0], a.shape()[1])?;
        return Ok(circular_2d(
            &a.view().into_dimensionality().expect("2-D"),
            &b.view().into_dimensionality().expect("2-D"),
        ));
    }
    let axes: Vec<usize> = (0..a.ndim()).collect();
    let demean = |x: ArrayD<f64>| {
        let m = x.sum() / x.len() as f64;
        x.mapv(|v| v - m)
    };
    // f64 copies of both images (demeaned: two each): they may be huge broadcast views.
    ndkern_core::check_alloc::<f64>(
        "f64 copies of the images",
        a.len().saturating_add(b.len()).saturating_mul(2),
    )?;
    let a0 = demean(a.view().into_dyn().mapv(|v| v.as_f64()));
    let b0 = demean(b.view().into_dyn().mapv(|v| v.as_f64()));
    let saa: f64 = a0.iter().map(|v| v * v).sum();
    let sbb: f64 = b0.iter().map(|v| v * v).sum();
    let n_last = a.shape()[a.ndim() - 1];
    let corr = crate::fft::with_plans(|p| -> Result<ArrayD<f64>> {
        let mut fa = p.rfftn(&a0, &axes)?;
        let fb = p.rfftn(&b0, &axes)?;
        Zip::from(&mut fa).and(&fb).for_each(|x, &y| *x *= y.conj());
        p.irfftn(&fa, &axes, n_last)
    })?;
    let mut best = (0usize, f64::NEG_INFINITY);
    for (i, &v) in corr.iter().enumerate() {
        if v > best.1 {
            best = (i, v);
        }
    }
    let mut shift = vec![0isize; a.ndim()];
    let mut rem = best.0;
    for d in (0..a.ndim()).rev() {
        let n = a.shape()[d];
        shift[d] = signed_index(rem % n, n);
        rem /= n;
    }
    // sqrt of each factor: images near 1e100 would overflow the product.
    let denom = saa.sqrt() * sbb.sqrt();
    let ncc = if denom > 0.0 {
        (best.1 / denom).clamp(-1.0, 1.0)
    } else {
        f64::NAN
    };
    Ok(CircularPeak {
        correlation: corr,
        shift,
        ncc,
    })
}

/// [`cross_correlate_circular`] of 2-D images by the fused pipeline in [`crate::xspec`]:
/// mean removal inside the row FFTs, product inside the column FFTs, argmax inside the
/// inverse row FFTs.
/// `Err` when the 2-D path's buffers for `n0 x n1` images would not fit: two half spectra,
/// the column spectra and the real cross-correlation, about three complex planes. Images
/// may be huge broadcast views, so this is checked before the first spectrum is allocated.
fn check_2d(n0: usize, n1: usize) -> Result<()> {
    ndkern_core::check_alloc::<C64>("the 2-D spectra", n0.saturating_mul(n1).saturating_mul(3))
}

fn circular_2d<T: Element>(a: &ArrayView2<T>, b: &ArrayView2<T>) -> CircularPeak {
    let (n0, n1) = a.dim();
    let pl = crate::fft::with_plans(|p| Plans2::new(p, n0, n1));
    let ((mut ra, sa), (rb, sb)) = rayon::join(
        || xspec::rows_forward(&pl, a, true),
        || xspec::rows_forward(&pl, b, true),
    );
    let (stb, _) = xspec::columns_forward(&pl, &rb);
    drop(rb);
    xspec::cross_columns(&pl, &mut ra, &stb, None, |_, col, other| {
        col.iter_mut().zip(other).for_each(|(x, &y)| *x *= y.conj());
    });
    let mut corr = Array2::<f64>::zeros((n0, n1)); // checked by the caller
    let scale = 1.0 / (n0 * n1) as f64;
    let (flat, peak) = xspec::rows_inverse_argmax(&pl, &ra, Some(&mut corr), scale, |v| v);
    let shift = vec![signed_index(flat / n1, n0), signed_index(flat % n1, n1)];
    let denom = sa.ss.sqrt() * sb.ss.sqrt();
    let ncc = if denom > 0.0 {
        (peak / denom).clamp(-1.0, 1.0)
    } else {
        f64::NAN
    };
    CircularPeak {
        correlation: corr.into_dyn(),
        shift,
        ncc,
    }
}

ndkern_core::multiversion! {
    /// Complex dot product of split (re, im) rows, four independent accumulators; compiled per
    /// SIMD level (the accumulators are one vector).
    fn cdot(ar: &[f64], ai: &[f64], br: &[f64], bi: &[f64]) -> C64 {
        let (mut re, mut im) = ([0.0f64; 4], [0.0f64; 4]);
        let n4 = ar.len() / 4 * 4;
        for k in (0..n4).step_by(4) {
            for l in 0..4 {
                re[l] += ar[k + l] * br[k + l] - ai[k + l] * bi[k + l];
                im[l] += ar[k + l] * bi[k + l] + ai[k + l] * br[k + l];
            }
        }
        let mut r = C64::new(re.iter().sum(), im.iter().sum());
        for k in n4..ar.len() {
            r += C64::new(ar[k], ai[k]) * C64::new(br[k], bi[k]);
        }
        r
    }
}

/// The `(size, n)` upsampling kernel of one axis, split into re/im rows.
fn dft_kernel(size: usize, n: usize, factor: f64, offset: f64) -> (Vec<f64>, Vec<f64>) {
    let mut re = vec![0.0; size * n];
    let mut im = vec![0.0; size * n];
    for v in 0..size {
        for k in 0..n {
            // exp(-2 pi i (v - offset) * fftfreq(n, factor)[k])
            let f = signed_index(k, n) as f64 / (n as f64 * factor);
            let ang = -2.0 * std::f64::consts::PI * (v as f64 - offset) * f;
            re[v * n + k] = ang.cos();
            im[v * n + k] = ang.sin();
        }
    }
    (re, im)
}

/// skimage `_upsampled_dft`: the inverse DFT of `data` on a `size`^ndim grid of points spaced
/// `1/factor` starting at `-offset` (per axis), by one matrix product per axis. 2-D runs as
/// two split-complex matrix products with contiguous dot products, rows in parallel.
fn upsampled_dft(data: &ArrayD<C64>, size: usize, factor: f64, offsets: &[f64]) -> ArrayD<C64> {
    use rayon::prelude::*;
    if data.ndim() == 2 {
        let (n0, n1) = (data.shape()[0], data.shape()[1]);
        // Logical (C) order whatever the layout: no standard-layout copy needed.
        let dr: Vec<f64> = data.iter().map(|c| c.re).collect();
        let di: Vec<f64> = data.iter().map(|c| c.im).collect();
        let (k1r, k1i) = dft_kernel(size, n1, factor, offsets[1]);
        let (k0r, k0i) = dft_kernel(size, n0, factor, offsets[0]);
        // t[v1][r] = sum_k d[r, k] k1[v1, k]  (stored transposed: rows v1, length n0)
        let t: Vec<C64> = (0..size * n0)
            .into_par_iter()
            .map(|idx| {
                let (v1, r) = (idx / n0, idx % n0);
                let row = r * n1..(r + 1) * n1;
                let kr = v1 * n1..(v1 + 1) * n1;
                cdot(&dr[row.clone()], &di[row], &k1r[kr.clone()], &k1i[kr])
            })
            .collect();
        let tr: Vec<f64> = t.iter().map(|c| c.re).collect();
        let ti: Vec<f64> = t.iter().map(|c| c.im).collect();
        let out: Vec<C64> = (0..size * size)
            .into_par_iter()
            .map(|idx| {
                let (v0, v1) = (idx / size, idx % size);
                let kr = v0 * n0..(v0 + 1) * n0;
                let tt = v1 * n0..(v1 + 1) * n0;
                cdot(&k0r[kr.clone()], &k0i[kr], &tr[tt.clone()], &ti[tt])
            })
            .collect();
        return ArrayD::from_shape_vec(IxDyn(&[size, size]), out).expect("size x size");
    }
    let mut cur = data.clone();
    for ax in (0..data.ndim()).rev() {
        let n = data.shape()[ax];
        let mut shape = cur.shape().to_vec();
        shape[ax] = size;
        let mut next = ArrayD::<C64>::zeros(IxDyn(&shape));
        let (kr, ki) = dft_kernel(size, n, factor, offsets[ax]);
        for v in 0..size {
            let mut dst = next.index_axis_mut(Axis(ax), v);
            for k in 0..n {
                let w = C64::new(kr[v * n + k], ki[v * n + k]);
                let src = cur.index_axis(Axis(ax), k);
                Zip::from(&mut dst).and(&src).for_each(|d, &s| *d += w * s);
            }
        }
        cur = next;
    }
    cur
}

/// skimage's upsampled region is `ceil(1.5 u)` points per axis; the refinement holds the
/// region (`region^ndim` complex values; 2-D: about `region^2` reals) and one `region x n`
/// kernel per axis. Checked before anything is allocated, so `upsample_factor = 1e9` is an
/// [`Error::TooLarge`] (skimage: `MemoryError`), not an abort.
fn check_upsampled(shape: &[usize], u: usize) -> Result<()> {
    let what = "upsampled DFT region (upsample_factor)";
    let region = u.checked_add(u.div_ceil(2)).ok_or(Error::TooLarge {
        what,
        bytes: None,
        limit: ndkern_core::memory_limit(),
    })?;
    let mut dims = vec![region; shape.len()];
    // The refined surface and the intermediate products of the same order coexist.
    dims.push(2);
    let cells = ndkern_core::checked_len(what, &dims)?;
    ndkern_core::check_alloc::<C64>(what, cells)?;
    for &n in shape {
        let k = ndkern_core::checked_len(what, &[region, n, 2])?;
        ndkern_core::check_alloc::<C64>(what, k)?;
    }
    // The twiddle tables of the 2-D path index `n u` exactly in i128.
    for &n in shape {
        ndkern_core::checked_len(what, &[n, u])?;
    }
    Ok(())
}

/// Registration against a fixed reference: keeps the FFT plans and the reference spectrum.
///
/// ```
/// use ndarray::Array2;
/// use ndkern_signal::{Correlator, Normalization};
/// let img = Array2::from_shape_fn((16, 16), |(i, j)| ((i * 5 + j * j) % 13) as f64);
/// let mut c = Correlator::new(&img, 10, Normalization::None).unwrap();
/// let moved = Array2::from_shape_fn((16, 16), |(i, j)| img[[(i + 1) % 16, (j + 16 - 2) % 16]]);
/// let r = c.register(&moved).unwrap();
/// assert_eq!(r.shift, vec![1.0, -2.0]);
/// ```
pub struct Correlator {
    plans: FftPlans,
    shape: Vec<usize>,
    spectrum: Spectrum,
    src_amp: f64,
    upsample_factor: usize,
    normalization: Normalization,
}

/// The reference spectrum a [`Correlator`] keeps.
enum Spectrum {
    /// N-d: the full complex spectrum.
    Full(ArrayD<C64>),
    /// 2-D: the half spectrum, column-transformed, in transposed layout (see [`crate::xspec`]).
    Half2 { pl: Plans2, st: Vec<C64> },
}

impl Correlator {
    /// Transforms `reference` once. Errors: empty reference, `upsample_factor == 0`, an
    /// upsampled region too large to allocate (`ceil(1.5 upsample_factor)` points per axis).
    pub fn new<T: Element, S: Data<Elem = T>, D: Dimension>(
        reference: &ArrayBase<S, D>,
        upsample_factor: usize,
        normalization: Normalization,
    ) -> Result<Self> {
        check_pair(reference.shape(), reference.shape())?;
        if upsample_factor == 0 {
            return Err(Error::InvalidParameter {
                name: "upsample_factor",
                reason: "must be at least 1 (1 = whole-pixel shifts)".into(),
            });
        }
        if upsample_factor > 1 {
            check_upsampled(reference.shape(), upsample_factor)?;
        }
        let mut plans = FftPlans::new();
        let shape = reference.shape().to_vec();
        let (spectrum, src_amp) = if shape.len() == 2 && shape.iter().all(|&n| n >= 2) {
            check_2d(shape[0], shape[1])?;
            let pl = Plans2::new(&mut plans, shape[0], shape[1]);
            let r2 = reference.view().into_dimensionality().expect("2-D");
            let (rows, _) = xspec::rows_forward(&pl, &r2, false);
            let (st, amp) = xspec::columns_forward(&pl, &rows);
            (Spectrum::Half2 { pl, st }, amp)
        } else {
            let src_freq = real_spectrum(&mut plans, reference)?;
            let amp = src_freq.iter().map(|v| v.norm_sqr()).sum();
            (Spectrum::Full(src_freq), amp)
        };
        Ok(Self {
            plans,
            shape,
            spectrum,
            src_amp,
            upsample_factor,
            normalization,
        })
    }

    /// skimage `phase_cross_correlation(reference, moving, upsample_factor, normalization)`
    /// for this correlator's reference. Errors: `moving` has another shape, NaN in either
    /// image (skimage raises `ValueError`).
    pub fn register<T: Element, S: Data<Elem = T>, D: Dimension>(
        &mut self,
        moving: &ArrayBase<S, D>,
    ) -> Result<PhaseShift> {
        check_pair(&self.shape, moving.shape())?;
        if let Spectrum::Half2 { pl, st } = &self.spectrum {
            let m2 = moving.view().into_dimensionality().expect("2-D");
            return self.register_2d(pl, st, &m2);
        }
        let Spectrum::Full(src_freq) = &self.spectrum else {
            unreachable!("2-D handled above")
        };
        let target = real_spectrum(&mut self.plans, moving)?;
        let target_amp: f64 = target.iter().map(|v| v.norm_sqr()).sum();
        let mut product = src_freq * &target.mapv(|v| v.conj());
        if self.normalization == Normalization::Phase {
            let floor = 100.0 * f64::EPSILON;
            product.mapv_inplace(|v| v / ndkern_core::nan_max(v.norm(), floor));
        }
        let cc = full_fft(&mut self.plans, product.clone(), true);
        let (maxima, peak) = argmax_abs(&cc);
        let up = |region: usize, u: f64, offsets: &[f64]| {
            let conj = product.mapv(|v| v.conj());
            let up = upsampled_dft(&conj, region, u, offsets).mapv(|v| v.conj());
            argmax_abs(&up)
        };
        self.finish(&maxima, peak, target_amp, up)
    }

    /// The 2-D register: fused cross stage, argmax in the inverse row FFTs, Hermitian-halved
    /// upsampled DFT ([`crate::updft`]).
    fn register_2d<T: Element>(
        &self,
        pl: &Plans2,
        st: &[C64],
        moving: &ArrayView2<T>,
    ) -> Result<PhaseShift> {
        let (n0, n1) = (pl.n0, pl.n1);
        check_2d(n0, n1)?;
        let (mut rows, _) = xspec::rows_forward(pl, moving, false);
        let mut pt = if self.upsample_factor > 1 {
            vec![C64::default(); pl.h1 * n0]
        } else {
            Vec::new()
        };
        let phase = self.normalization == Normalization::Phase;
        let floor = 100.0 * f64::EPSILON;
        let keep = (self.upsample_factor > 1).then_some(&mut pt[..]);
        let target_amp = xspec::cross_columns(pl, &mut rows, st, keep, |_, col, src| {
            for (t, &s) in col.iter_mut().zip(src) {
                let p = s * t.conj();
                *t = if phase {
                    p / ndkern_core::nan_max(p.norm(), floor)
                } else {
                    p
                };
            }
        });
        // skimage: argmax of |ifftn(product)| (the inverse is real for a Hermitian product).
        let scale = 1.0 / (n0 * n1) as f64;
        let (flat, v) = xspec::rows_inverse_argmax(pl, &rows, None, scale, f64::abs);
        // `finish` divides the coarse peak by the size, as for the unnormalized N-d inverse.
        let peak = C64::new(v / scale, 0.0);
        let up = |region: usize, u: f64, offsets: &[f64]| {
            let (v0, v1, val) = crate::updft::upsampled_peak_2d(
                &pt,
                n0,
                n1,
                region,
                self.upsample_factor,
                [offsets[0], offsets[1]],
            );
            debug_assert!(u == self.upsample_factor as f64);
            (vec![v0, v1], val)
        };
        self.finish(&[flat / n1, flat % n1], peak, target_amp, up)
    }

    /// skimage's bookkeeping after the coarse peak (`maxima`, unnormalized inverse value
    /// `peak`): signed shifts, the optional upsampled refinement (`up(region, u, offsets)`
    /// returns the argmax of the refined surface and its value), error and phase difference.
    fn finish(
        &self,
        maxima: &[usize],
        peak: C64,
        target_amp: f64,
        up: impl FnOnce(usize, f64, &[f64]) -> (Vec<usize>, C64),
    ) -> Result<PhaseShift> {
        let size: f64 = self.shape.iter().map(|&n| n as f64).product();
        let mut shifts: Vec<f64> = maxima
            .iter()
            .zip(&self.shape)
            .map(|(&k, &n)| {
                if k > n / 2 {
                    k as f64 - n as f64
                } else {
                    k as f64
                }
            })
            .collect();
        let (cc_max, src_amp, target_amp) = if self.upsample_factor == 1 {
            // ifft is normalized by 1/size; skimage's amplitudes are divided by size to match.
            (peak / size, self.src_amp / size, target_amp / size)
        } else {
            let u = self.upsample_factor as f64;
            shifts.iter_mut().for_each(|s| *s = (*s * u).round() / u);
            let region = (u * 1.5).ceil();
            let dftshift = (region / 2.0).trunc();
            let offsets: Vec<f64> = shifts.iter().map(|s| dftshift - s * u).collect();
            let (m, v) = up(region as usize, u, &offsets);
            for (s, &mi) in shifts.iter_mut().zip(&m) {
                *s += (mi as f64 - dftshift) / u;
            }
            (v, self.src_amp, target_amp)
        };
        for (s, &n) in shifts.iter_mut().zip(&self.shape) {
            if n == 1 {
                *s = 0.0;
            }
        }
        if cc_max.re.is_nan() || cc_max.im.is_nan() || src_amp.is_nan() || target_amp.is_nan() {
            return Err(Error::InvalidParameter {
                name: "moving_image",
                reason: "NaN values found in the images (or their spectra overflow); remove \
                         them first (skimage raises ValueError here too)"
                    .into(),
            });
        }
        let err = 1.0 - cc_max.norm_sqr() / (src_amp * target_amp);
        // Real images: the peak is real up to rounding, so the phase difference is 0 or pi;
        // a rounding-level imaginary part (of either sign) would flip pi to -pi at random.
        let im = if cc_max.im.abs() <= 64.0 * f64::EPSILON * cc_max.re.abs() {
            0.0
        } else {
            cc_max.im
        };
        Ok(PhaseShift {
            shift: shifts,
            error: err.abs().sqrt(),
            phasediff: im.atan2(cc_max.re),
        })
    }
}

/// skimage `skimage.registration.phase_cross_correlation(reference_image, moving_image,
/// upsample_factor=..., normalization=...)` (no masks, `disambiguate=False`): the shift that
/// registers `moving` with `reference`, to `1 / upsample_factor` of a pixel, plus skimage's
/// error and phase difference. Errors: shapes differ, empty images, `upsample_factor == 0`,
/// an upsampled region too large to allocate (`ceil(1.5 upsample_factor)` points per axis),
/// NaN in either image (skimage raises `ValueError` there too).
///
/// Conventions: everything is computed in `f64`, also for `f32` images (skimage keeps
/// `float32` and so carries float32 rounding into `error`; the shifts are the same multiples
/// of `1 / upsample_factor`). The phase difference of real images is 0 or pi up to rounding;
/// it is reported as exactly `0` or `pi` when the peak's imaginary part is at rounding level
/// (skimage returns `pi` or `-pi` there, following the sign of its rounding noise).
///
/// ```
/// use ndarray::Array1;
/// use ndkern_signal::{phase_cross_correlation, Normalization};
/// let x = Array1::from_shape_fn(64, |i| (-((i as f64 - 30.0) / 4.0).powi(2)).exp());
/// let y = Array1::from_shape_fn(64, |i| (-((i as f64 - 32.5) / 4.0).powi(2)).exp());
/// let r = phase_cross_correlation(&x, &y, 20, Normalization::None).unwrap();
/// assert!((r.shift[0] + 2.5).abs() <= 0.05);
/// ```
pub fn phase_cross_correlation<T, S1, S2, D>(
    reference: &ArrayBase<S1, D>,
    moving: &ArrayBase<S2, D>,
    upsample_factor: usize,
    normalization: Normalization,
) -> Result<PhaseShift>
where
    T: Element,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
    D: Dimension,
{
    check_pair(reference.shape(), moving.shape())?;
    Correlator::new(reference, upsample_factor, normalization)?.register(moving)
}
