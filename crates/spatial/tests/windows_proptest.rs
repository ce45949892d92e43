//! Property tests: random shapes (0-3 dims, empty axes included), random steps (negative
//! too), permuted axes, both dtypes, every mode, against the naive N-d oracles of
//! `reference_windows`.

use ndarray::{ArrayD, Axis, IxDyn, Slice};
use ndkern_core::testing::Rng;
use ndkern_spatial::reference_windows as naive;
use ndkern_spatial::{
    correlate, gaussian_filter, gaussian_kernel_nd, local_mean_var, uniform_filter, window_sum,
    BorderMode, GaussianOptions, WindowMode,
};
use proptest::prelude::*;

fn mode_of(i: usize) -> WindowMode {
    match i {
        0 => BorderMode::Constant(0.75).into(),
        1 => BorderMode::Nearest.into(),
        2 => BorderMode::Reflect.into(),
        3 => BorderMode::Mirror.into(),
        4 => BorderMode::Wrap.into(),
        _ => WindowMode::Shrink,
    }
}

fn err(a: &ArrayD<f64>, b: &ArrayD<f64>) -> f64 {
    let scale = b.iter().fold(1.0f64, |m, v| m.max(v.abs()));
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
        / scale
}

/// A base array, then a view with the given steps (sign = direction) and axis permutation.
fn view_case() -> impl Strategy<Value = (Vec<usize>, Vec<isize>, Vec<usize>, u64)> {
    (0usize..=3)
        .prop_flat_map(|nd| {
            (
                prop::collection::vec(0usize..=6, nd),
                prop::collection::vec(prop::sample::select(vec![-2isize, -1, 1, 2, 3]), nd),
                Just((0..nd).collect::<Vec<usize>>()).prop_shuffle(),
                any::<u64>(),
            )
        })
        .prop_map(|(shape, steps, perm, seed)| (shape, steps, perm, seed))
}

fn build(shape: &[usize], steps: &[isize], perm: &[usize], seed: u64) -> ArrayD<f64> {
    let mut g = Rng::new(seed);
    let base = ArrayD::from_shape_fn(IxDyn(shape), |_| g.uniform(-2.0, 2.0));
    let mut v = base.view();
    for (ax, &st) in steps.iter().enumerate() {
        v.slice_axis_inplace(Axis(ax), Slice::new(0, None, st));
    }
    v.permuted_axes(IxDyn(perm)).to_owned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn box_filters_match_naive((shape, steps, perm, seed) in view_case(),
                               size in 1usize..=5, m in 0usize..6, f32_ in any::<bool>()) {
        let base = build(&shape, &steps, &perm, seed);
        // the same values as a strided, permuted view of a larger array
        let mut big = ArrayD::<f64>::zeros(IxDyn(&base.shape().iter().map(|&n| 2 * n).collect::<Vec<_>>()));
        let mut view = big.view_mut();
        for ax in 0..base.ndim() {
            view.slice_axis_inplace(Axis(ax), Slice::new(0, None, -2));
        }
        view.assign(&base);
        let view = big.slice_each_axis(|_| Slice::new(0, None, -2));
        let mode = mode_of(m);
        let nd = base.ndim();
        let origin = if size > 1 { -1 } else { 0 };
        let (sizes, origins) = (vec![size; nd], vec![origin; nd]);
        let exp_mean = naive::box_filter(&base, &sizes, &origins, mode, true);
        let exp_sum = naive::box_filter(&base, &sizes, &origins, mode, false);
        if f32_ {
            let v32 = view.mapv(|x| x as f32);
            let e32 = naive::box_filter(&v32.mapv(f64::from), &sizes, &origins, mode, true);
            let got = uniform_filter(&v32, &[size], mode, &[origin]).unwrap();
            prop_assert!(err(&got.mapv(f64::from), &e32) < 1e-5);
        } else {
            let got = uniform_filter(&view, &[size], mode, &[origin]).unwrap();
            prop_assert!(err(&got, &exp_mean) < 1e-13);
            let got = window_sum(&view, &[size], mode, &[origin]).unwrap();
            prop_assert!(err(&got, &exp_sum) < 1e-13);
        }
        if nd > 0 {
            let (em, ev) = naive::mean_var(&base, &sizes, mode);
            let (gm, gv) = local_mean_var(&view, &[size], mode).unwrap();
            prop_assert!(err(&gm, &em) < 1e-13 && err(&gv, &ev) < 1e-12);
        }
    }

    #[test]
    fn correlate_and_gaussian_match_naive((shape, steps, perm, seed) in view_case(),
                                          klen in prop::collection::vec(1usize..=4, 3),
                                          m in 0usize..5, sigma in 0.3f64..1.5) {
        let a = build(&shape, &steps, &perm, seed);
        let nd = a.ndim();
        let mode = match mode_of(m) { WindowMode::Border(b) => b, WindowMode::Shrink => unreachable!() };
        let kshape: Vec<usize> = klen[..nd].to_vec();
        let k = build(&kshape, &vec![1; nd], &(0..nd).collect::<Vec<_>>(), seed ^ 0x55);
        let exp = naive::correlate(&a, &k, mode, &vec![0; nd]);
        let got = correlate(&a, &k, mode, &[0]).unwrap();
        prop_assert!(err(&got, &exp) < 1e-13);
        if nd > 0 {
            let r = (4.0 * sigma + 0.5) as usize;
            let g = gaussian_filter(&a, &[sigma], &GaussianOptions { mode, ..Default::default() }).unwrap();
            let gk = gaussian_kernel_nd(&[sigma], &[r], nd).unwrap();
            let exp = naive::correlate(&a, &gk, mode, &vec![0; nd]);
            // scipy's sequential passes pad each pass with cval: equal to the N-d kernel for
            // index modes and cval = 0 only
            if !matches!(mode, BorderMode::Constant(c) if c != 0.0) {
                prop_assert!(err(&g, &exp) < 1e-13);
            }
        }
    }
}
