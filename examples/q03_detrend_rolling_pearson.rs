//! Q3: for every series along axis 1 of a 4-D `(35, 2000, 60, 180)` array: linear detrend,
//! centred rolling mean (window 360), trim `window/2 + 120` samples at both ends, then Pearson's
//! r against the equally treated 1-D series. A series with NaN gives r = NaN.
//!
//! numpy/scipy/pandas idiom: `scipy.signal.detrend(a, axis=1)`, then
//! `pd.DataFrame(...).rolling(360, center=True).mean()` (or a cumsum trick), slicing, and a
//! vectorised Pearson formula. ndkern: `detrend_rolling_pearson(&a, &y, 1, 360, trim)`, the
//! whole chain in one pass per panel of 64 series with no intermediate array (the example also
//! runs `detrend` -> `rolling_mean` -> slice -> `pearson_r` block by block and compares).
//!
//! Usage: `cargo run --release --example q03_detrend_rolling_pearson -- [A T B C]`
//! (default `4 2000 12 36`; the question's full shape `35 2000 60 180` is 3.0 GB of f32 input;
//! the fused call needs nothing else of that size, the composed check 2 x 86 MB of blocks).

use ndarray::{s, Array1, Array4, Axis};
use ndkern::signal::reference as naive;
use ndkern::signal::{detrend, detrend_rolling_pearson, pearson_r, rolling_mean, Rolling, Trend};

const WINDOW: usize = 360;

/// The Q3 treatment of a block `(a, t, b, c)` along axis 1, returning r of shape `(a, b, c)`.
fn treat_block(
    block: ndarray::ArrayView4<f32>,
    y_treated: &Array1<f32>,
    trim: usize,
) -> ndarray::ArrayD<f32> {
    let d = detrend(&block, 1, Trend::Linear, &[]).expect("non-empty axis");
    let m = rolling_mean(&d, 1, Rolling::new(WINDOW).center(true)).expect("window fits");
    let n = m.shape()[1];
    let kept = m.slice(s![.., trim..n - trim, .., ..]);
    pearson_r(&kept, y_treated, 1).expect("same length")
}

/// Detrend, centred rolling mean and trim of one series, by the naive reference kernels.
fn naive_treat(x: &[f64], trim: usize) -> Vec<f64> {
    let d = naive::detrend_linear(x);
    let m = naive::rolling(&d, WINDOW, WINDOW, true, "mean", 1);
    m[trim..m.len() - trim].to_vec()
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|s| s.parse().expect("four integers A T B C"))
        .collect();
    let [na, nt, nb, nc] = match args.as_slice() {
        [] => [4, 2000, 12, 36],
        [a, t, b, c] => [*a, *t, *b, *c],
        _ => panic!("give the shape as four integers: A T B C"),
    };
    let trim = WINDOW / 2 + 120;
    assert!(
        nt > 2 * trim + 2,
        "the time axis must be longer than {}",
        2 * trim + 2
    );
    let in_mb = (na * nt * nb * nc * 4) as f64 / 1e6;
    let block_mb = (nt * nb * nc * 4) as f64 / 1e6;
    println!("shape ({na}, {nt}, {nb}, {nc}) f32: input {in_mb:.1} MB (the composed check: 2 x {block_mb:.1} MB blocks)");

    // A reference series and data that follow it with per-series gain, trend and noise.
    let y = Array1::from_shape_fn(nt, |t| {
        let t = t as f32;
        (t / 97.0).sin() + 0.4 * (t / 23.0).cos() + 0.002 * t
    });
    let mut a = Array4::from_shape_fn((na, nt, nb, nc), |(i, t, j, k)| {
        let h = ((i * 7919 + t * 104_729 + j * 31 + k * 17) % 1000) as f32 / 1000.0 - 0.5;
        let gain = ((i + j + k) % 5) as f32 * 0.5 - 1.0;
        gain * y[t] + 0.01 * (i + k) as f32 * t as f32 / nt as f32 + 2.0 * h
    });
    a[[0, 1000, 0, 0]] = f32::NAN; // this series must give r = NaN

    // The whole chain in one pass per panel of series: no intermediate the size of the input.
    let start = std::time::Instant::now();
    let r = detrend_rolling_pearson(&a, &y, 1, WINDOW, trim).expect("shapes and window fit");
    let secs = start.elapsed().as_secs_f64();
    println!(
        "r: shape {:?}, {:.3} s ({:.0} series/s)",
        r.shape(),
        secs,
        (na * nb * nc) as f64 / secs
    );
    println!(
        "r[0, 0, 0] = {} (series with a NaN), r[0, 0, 1] = {:.4}, r[1, 2, 3] = {:.4}",
        r[[0, 0, 0]],
        r[[0, 0, 1]],
        r[[1, 2, 3]]
    );
    assert!(r[[0, 0, 0]].is_nan());

    // The same chain composed of the separate kernels, block by block along axis 0.
    let y_treated = {
        let d = detrend(&y, 0, Trend::Linear, &[]).unwrap();
        let m = rolling_mean(&d, 0, Rolling::new(WINDOW).center(true)).unwrap();
        m.slice(s![trim..nt - trim]).to_owned()
    };
    let start = std::time::Instant::now();
    let blocks: Vec<_> = a
        .axis_chunks_iter(Axis(0), 1)
        .map(|b| treat_block(b, &y_treated, trim))
        .collect();
    let views: Vec<_> = blocks.iter().map(|b| b.view()).collect();
    let composed = ndarray::concatenate(Axis(0), &views).unwrap();
    println!(
        "composed detrend -> rolling_mean -> slice -> pearson_r: {:.3} s",
        start.elapsed().as_secs_f64()
    );
    let worst = r
        .iter()
        .zip(&composed)
        .filter(|(p, _)| !p.is_nan())
        .fold(0.0f32, |m, (p, q)| m.max((p - q).abs()));
    assert!(
        worst < 1e-4 && composed[[0, 0, 0]].is_nan(),
        "fused vs composed: {worst}"
    );

    // Independent check: a few series through the naive f64 reference kernels.
    let yt = naive_treat(&y.mapv(f64::from).to_vec(), trim);
    for &(i, j, k) in &[
        (0, 0, 1),
        (1, 2, 3),
        (na - 1, nb - 1, nc - 1),
        (na / 2, nb / 2, 0),
    ] {
        let x: Vec<f64> = a
            .slice(s![i, .., j, k])
            .iter()
            .map(|&v| f64::from(v))
            .collect();
        let want = naive::pearson(&naive_treat(&x, trim), &yt);
        let got = f64::from(r[[i, j, k]]);
        assert!(
            (got - want).abs() < 1e-4,
            "({i}, {j}, {k}): {got} vs naive {want}"
        );
    }
    println!("checked 4 series against the naive reference pipeline (|dr| < 1e-4)");
}
