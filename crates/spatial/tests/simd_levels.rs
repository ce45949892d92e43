//! The kernels give the same results, bit for bit, at every SIMD level this CPU runs
//! (`ndkern_core::simd::set_level`): the `multiversion!` leaves compile one body per level and
//! nothing in them reassociates. The one documented exception is the long-window running sum
//! at the AVX-512 level (an intrinsics kernel that associates its `f64` steps blockwise), so
//! long box windows and `local_mean_var`'s fused sweep are compared below that level only.
//!
//! One test function: the level is process-wide, and this file is its own process.

use ndarray::{Array2, Array3};
use ndkern_core::simd::{self, Level};
use ndkern_core::testing::Rng;
use ndkern_core::Element;
use ndkern_spatial::binning::{self, BlockFunc, Grid, Outside, Statistic};
use ndkern_spatial::{
    correlate, gaussian_filter, gaussian_filter_recursive, gradient, gradient_stacked,
    local_mean_var, local_mean_var_into, uniform_filter, window_sum, BorderMode, GaussianOptions,
    Spacing, WindowMode,
};

/// Deterministic, irregular values with a few non-finite samples when `specials`.
fn data(n: usize, seed: u64, specials: bool) -> Vec<f64> {
    let mut g = Rng::new(seed);
    (0..n)
        .map(|i| {
            let v = g.uniform(-100.0, 100.0);
            match (specials, i % 997) {
                (true, 13) => f64::NAN,
                (true, 500) => f64::INFINITY,
                _ => v,
            }
        })
        .collect()
}

fn arr2<T: Element>(r: usize, c: usize, seed: u64, specials: bool) -> Array2<T> {
    let v = data(r * c, seed, specials)
        .into_iter()
        .map(T::of_f64)
        .collect();
    Array2::from_shape_vec((r, c), v).unwrap()
}

fn arr3<T: Element>(a: usize, b: usize, c: usize, seed: u64) -> Array3<T> {
    let v = data(a * b * c, seed, false)
        .into_iter()
        .map(T::of_f64)
        .collect();
    Array3::from_shape_vec((a, b, c), v).unwrap()
}

/// The bits of every value (as `f64`: exact for `f32`), every NaN as one canonical NaN (the
/// sign and payload of a NaN are not part of the result: `fma` in software at the baseline
/// and `vfmadd` propagate them differently).
fn bits<'a, T: Element>(x: impl IntoIterator<Item = &'a T>) -> Vec<u64> {
    x.into_iter()
        .map(|v| {
            let v = v.as_f64();
            if v.is_nan() {
                f64::NAN.to_bits()
            } else {
                v.to_bits()
            }
        })
        .collect()
}

/// `f` at every supported level; `exact_at_avx512 = false` skips the AVX-512 level.
fn same_at_levels(name: &str, exact_at_avx512: bool, f: &dyn Fn() -> Vec<u64>) {
    let mut want: Option<Vec<u64>> = None;
    for l in Level::ALL.into_iter().filter(|l| l.is_supported()) {
        if l == Level::Avx512 && !exact_at_avx512 {
            continue;
        }
        simd::set_level(l).unwrap();
        let got = f();
        match &want {
            None => want = Some(got),
            Some(w) => {
                assert_eq!(w.len(), got.len(), "{name}: length at {l}");
                let diff = w.iter().zip(&got).position(|(a, b)| a != b);
                assert!(diff.is_none(), "{name}: first difference at {l}: {diff:?}");
            }
        }
    }
}

fn windows<T: Element>() {
    let t = std::any::type_name::<T>();
    let a = arr2::<T>(203, 157, 1, true);
    let v = arr3::<T>(23, 31, 37, 2);
    let modes = [
        BorderMode::Reflect,
        BorderMode::Constant(1.5),
        BorderMode::Wrap,
    ];
    for mode in modes {
        // Direct box sums (fused sweep; 3-D: the rolling route).
        same_at_levels(&format!("box 3x5 {t} {mode:?}"), true, &|| {
            bits(&uniform_filter(&a, &[3, 5], mode, &[0]).unwrap())
        });
        same_at_levels(&format!("box 3^3 {t} {mode:?}"), true, &|| {
            bits(&uniform_filter(&v, &[3], mode, &[0]).unwrap())
        });
        // Long windows: running sums (outer axis: step_row; inner: running_sums).
        same_at_levels(&format!("box 17x13 {t} {mode:?}"), false, &|| {
            bits(&uniform_filter(&a, &[17, 13], mode, &[1]).unwrap())
        });
        let g = GaussianOptions {
            mode,
            ..GaussianOptions::default()
        };
        same_at_levels(&format!("gaussian 2-D {t} {mode:?}"), true, &|| {
            bits(&gaussian_filter(&a, &[1.5, 3.0], &g).unwrap())
        });
        same_at_levels(&format!("gaussian 3-D {t} {mode:?}"), true, &|| {
            bits(&gaussian_filter(&v, &[1.0, 2.0, 0.7], &g).unwrap())
        });
        same_at_levels(&format!("recursive {t} {mode:?}"), true, &|| {
            bits(&gaussian_filter_recursive(&a, &[2.0, 5.0], mode).unwrap())
        });
    }
    // Dense (not rank-1) kernel.
    let k = ndarray::array![[0.5, -1.0, 0.25], [2.0, 0.0, 1.0], [-0.75, 0.125, 3.0]];
    same_at_levels(&format!("dense correlate {t}"), true, &|| {
        bits(&correlate(&a, &k, BorderMode::Mirror, &[0]).unwrap())
    });
    same_at_levels(&format!("window_sum shrink {t}"), true, &|| {
        bits(&window_sum(&a, &[4, 3], WindowMode::Shrink, &[0]).unwrap())
    });
    // Strided output: the lane route (core line buffers, box_line_finite for local stats).
    same_at_levels(&format!("box lanes {t}"), true, &|| {
        let mut out = Array2::<T>::zeros((157, 203));
        let o = out.view_mut().reversed_axes();
        ndkern_spatial::uniform_filter_into(&a, &[5, 3], BorderMode::Nearest, &[0], o).unwrap();
        bits(&out)
    });
    let finite = arr2::<T>(97, 83, 3, false);
    same_at_levels(&format!("local lanes {t}"), true, &|| {
        let mut m = Array2::<T>::zeros((83, 97));
        let mut s = Array2::<T>::zeros((83, 97));
        let (mo, so) = (m.view_mut().reversed_axes(), s.view_mut().reversed_axes());
        local_mean_var_into(&finite, &[5, 7], BorderMode::Reflect, mo, so).unwrap();
        let mut b = bits(&m);
        b.extend(bits(&s));
        b
    });
    same_at_levels(&format!("local fused {t}"), false, &|| {
        let (m, s) = local_mean_var(&a, &[5, 7], WindowMode::Shrink).unwrap();
        let mut b = bits(&m);
        b.extend(bits(&s));
        b
    });
    same_at_levels(&format!("gradient {t}"), true, &|| {
        let x: Vec<f64> = (0..157).map(|i| (i as f64).powf(1.3)).collect();
        let sp = [Spacing::Uniform(0.5), Spacing::Coords(x)];
        let mut b = Vec::new();
        for g in gradient(&a, &sp, None, 2).unwrap() {
            b.extend(bits(&g));
        }
        b.extend(bits(&gradient_stacked(&v, &[], 1).unwrap()));
        b
    });
}

fn binning_kernels() {
    let p3 = Array2::from_shape_vec((20011, 3), data(3 * 20011, 4, true)).unwrap();
    let p3f = p3.mapv(|x| x as f32);
    let vals = ndarray::Array1::from(data(20011, 5, false));
    let grid = Grid::uniform(
        &[(-90.0, 90.0), (-100.0, 60.0), (-50.0, 100.0)],
        &[17, 9, 31],
    )
    .unwrap();
    same_at_levels("histogramdd f64", true, &|| {
        bits(&binning::histogramdd(&p3, &grid, false).unwrap())
    });
    same_at_levels("histogramdd f32", true, &|| {
        bits(&binning::histogramdd(&p3f, &grid, false).unwrap())
    });
    // Column-major points: the axis-by-axis cells.
    let mut pf = Array2::<f64>::zeros((3, 20011));
    pf.assign(&p3.t());
    let pf = pf.reversed_axes();
    same_at_levels("binned mean column-major", true, &|| {
        let r = binning::binned_statistic_dd(
            &pf,
            &vals,
            &grid,
            Statistic::Mean,
            f64::NAN,
            Outside::Drop,
        )
        .unwrap();
        bits(&r)
    });
    let img = Array2::from_shape_fn((301, 203), |(i, j)| ((i * 7 + j * 13) % 5) as u8);
    let fimg = arr2::<f64>(301, 203, 6, true);
    same_at_levels("block_reduce", true, &|| {
        let mut b = Vec::new();
        for f in [BlockFunc::FractionNonzero, BlockFunc::Mean, BlockFunc::Max] {
            b.extend(bits(&binning::block_reduce(&img, &[4, 3], f).unwrap()));
            b.extend(bits(&binning::block_reduce(&fimg, &[3, 8], f).unwrap()));
        }
        b
    });
    let labels = ndarray::Array1::from_shape_fn(20011, |i| (i * 31) % 977);
    same_at_levels("bincount", true, &|| {
        bits(&binning::bincount_weighted(&labels, &vals, 0).unwrap())
    });
}

#[test]
fn every_level_gives_the_same_bits() {
    let start = simd::level();
    windows::<f32>();
    windows::<f64>();
    binning_kernels();
    simd::set_level(start).unwrap();
}
