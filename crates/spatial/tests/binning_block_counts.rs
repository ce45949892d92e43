//! `block_reduce`'s nonzero counts (CountNonzero, Any, FractionNonzero) against the naive
//! oracle on both sides of the column-counter widths: u16 counters while an output row folds
//! at most `u16::MAX` input rows (Q9's 4x4 blocks), u32 counters above, for `u8`, `bool` and
//! `f32` (NaN counts as nonzero, as numpy's `count_nonzero`).

use ndarray::{Array2, ArrayD, IxDyn};
use ndkern_core::testing::Rng;
use ndkern_spatial::binning::{block_reduce, reference, BlockFunc};

const FUNCS: [(BlockFunc, &str); 3] = [
    (BlockFunc::CountNonzero, "count_nonzero"),
    (BlockFunc::Any, "any"),
    (BlockFunc::FractionNonzero, "fraction_nonzero"),
];

fn check(a: &Array2<f64>, block: [usize; 2]) {
    for (f, name) in FUNCS {
        let want = reference::block_reduce(&a.clone().into_dyn(), &block, name);
        let got = block_reduce(a, &block, f).unwrap();
        assert_eq!(
            got,
            want,
            "f64 {name} block {block:?} shape {:?}",
            a.shape()
        );
        let u8s = a.mapv(|x| if x.is_nan() { 255u8 } else { x as u8 });
        assert_eq!(
            block_reduce(&u8s, &block, f).unwrap(),
            want,
            "u8 {name} {block:?}"
        );
        let bools = a.mapv(|x| x != 0.0);
        assert_eq!(
            block_reduce(&bools, &block, f).unwrap(),
            want,
            "bool {name} {block:?}"
        );
        let f32s = a.mapv(|x| x as f32);
        assert_eq!(
            block_reduce(&f32s, &block, f).unwrap(),
            want,
            "f32 {name} {block:?}"
        );
    }
}

/// A 0/1/NaN image, mostly zeros in places, with `ones` the chance of a 1 in 16.
fn image(h: usize, w: usize, ones: usize, seed: u64) -> Array2<f64> {
    let mut r = Rng::new(seed);
    Array2::from_shape_fn((h, w), |_| match r.below(16) {
        0 => f64::NAN,
        k if k <= ones => 1.0,
        _ => 0.0,
    })
}

#[test]
fn q9_like_blocks_match_naive() {
    // 4x4 blocks with partial edge blocks on both axes; above the parallel threshold.
    check(&image(403, 302, 6, 1), [4, 4]);
    check(&image(64, 65, 15, 2), [3, 5]);
    check(&image(10, 9, 0, 3), [1, 1]);
}

#[test]
fn counter_width_boundary_matches_naive() {
    // 65535 rows per output row: the u16 counters at their limit (a column of all ones).
    let mut a = image(65_536, 3, 8, 4);
    a.column_mut(1).fill(1.0);
    check(&a, [65_535, 2]);
    // 65536 and more: u32 counters.
    check(&a, [65_536, 2]);
    let b = image(70_001, 2, 8, 5);
    check(&b, [70_000, 1]);
}

#[test]
fn three_d_blocks_fold_rows_of_two_axes() {
    // Rows per output row = 300 * 300 = 90000 > u16::MAX over two leading axes: u32.
    let a = ArrayD::from_shape_fn(IxDyn(&[300, 300, 2]), |i| {
        f64::from(u8::from((i[0] * 7 + i[1] * 3 + i[2]) % 5 == 0))
    });
    for (f, name) in FUNCS {
        let want = reference::block_reduce(&a, &[300, 300, 1], name);
        assert_eq!(block_reduce(&a, &[300, 300, 1], f).unwrap(), want, "{name}");
        let want = reference::block_reduce(&a, &[200, 300, 2], name);
        assert_eq!(block_reduce(&a, &[200, 300, 2], f).unwrap(), want, "{name}");
    }
}
