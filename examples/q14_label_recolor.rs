//! Q14: recolor: an `(h, w, 3)` image and labels `(h, w)` in 1..M; every pixel takes the mean
//! colour of all pixels with its label, in O(N).
//!
//! numpy: `counts = np.bincount(lab.ravel()); sums = [np.bincount(lab.ravel(), img[..., c].ravel())
//! for c in range(3)]; out = (np.stack(sums, 1) / counts[:, None])[lab]`. ndkern:
//! `gather(&label_stats(&labels, &img, None)?.mean(), &labels)`.
//!
//! Run: `cargo run --release --example q14_label_recolor`

use ndarray::{Array2, Array3};
use ndkern::spatial::binning::{gather, label_stats};

fn main() -> Result<(), ndkern::Error> {
    let (h, w, m) = (2000, 2000, 1000u32);
    let labels = Array2::from_shape_fn((h, w), |(i, j)| 1 + ((i / 40) * 50 + j / 40) as u32 % m);
    let img = Array3::from_shape_fn((h, w, 3), |(i, j, c)| ((i * 3 + j * 5 + c * 7) % 256) as u8);

    let t = std::time::Instant::now();
    let st = label_stats(&labels, &img, Some(m as usize + 1))?;
    let out = gather(&st.mean(), &labels)?;
    println!(
        "label means + recolor of {h}x{w}x3, {m} labels: {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );

    // Independent check for a few labels: average the pixels directly.
    for lab in [1u32, 17, 500, m] {
        let mut sum = [0.0f64; 3];
        let mut cnt = 0usize;
        for ((i, j), &l) in labels.indexed_iter() {
            if l == lab {
                cnt += 1;
                for c in 0..3 {
                    sum[c] += f64::from(img[[i, j, c]]);
                }
            }
        }
        let (i, j) = labels.indexed_iter().find(|(_, &l)| l == lab).unwrap().0;
        for c in 0..3 {
            assert!((out[[i, j, c]] - sum[c] / cnt as f64).abs() < 1e-9);
        }
        println!(
            "label {lab}: {cnt} pixels, mean colour {:.2?}",
            [out[[i, j, 0]], out[[i, j, 1]], out[[i, j, 2]]]
        );
    }
    assert_eq!(st.count[0], 0, "label 0 unused");
    Ok(())
}
