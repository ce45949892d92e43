//! Q18: the sum of A^2 - B^2 over the 3 x 3 window around every element, the window clipped at
//! the borders (output has the input's shape).
//!
//! numpy/scipy idiom: `scipy.ndimage.uniform_filter(A**2 - B**2, 3, mode="constant") * 9`
//! (constant 0 padding makes the clipped sum). ndkern: `d` by a parallel `Zip` into
//! `ndkern::core::zeros`, then `window_sum(&d, &[3], WindowMode::Shrink, &[0])`.

use ndarray::{array, Zip};
use ndkern::spatial::{window_sum, WindowMode};

fn main() {
    let a = array![
        [179., 97., 77., 118., 144., 105.],
        [68., 56., 184., 210., 141., 230.],
        [178., 166., 218., 47., 106., 172.],
        [38., 183., 50., 185., 48., 87.],
        [60., 200., 228., 232., 6., 190.],
        [253., 75., 231., 166., 117., 134.]
    ];
    let b = array![
        [116., 95., 94., 220., 80., 223.],
        [135., 9., 166., 78., 5., 129.],
        [102., 167., 120., 81., 141., 29.],
        [83., 117., 81., 129., 255., 48.],
        [130., 231., 165., 7., 187., 169.],
        [44., 137., 16., 50., 229., 202.]
    ];
    // A^2 - B^2 on every core, into a buffer advised to use huge pages (`&a * &a - &b * &b`
    // gives the same values; on a large array this is what the BENCHMARKS row q18 times).
    let mut d = ndkern::core::zeros(a.raw_dim());
    Zip::from(&mut d)
        .and(&a)
        .and(&b)
        .par_for_each(|d, &x, &y| *d = x * x - y * y);
    assert_eq!(d, &a * &a - &b * &b);
    let s = window_sum(&d, &[3], WindowMode::Shrink, &[0]).expect("valid window");
    println!("3x3 clipped window sums of A^2 - B^2:\n{s}");
    // Independent check: the clipped window summed directly.
    for ((i, j), &v) in s.indexed_iter() {
        let mut direct = 0.0;
        for r in i.saturating_sub(1)..(i + 2).min(6) {
            for c in j.saturating_sub(1)..(j + 2).min(6) {
                direct += d[[r, c]];
            }
        }
        assert_eq!(v, direct);
    }
    // The numbers printed in the question.
    assert_eq!(s[[0, 0]], 8423.0);
    assert_eq!(s[[4, 5]], -146450.0);
    assert_eq!(s[[5, 5]], -88994.0);
}
