//! Q10: features `(frames, points, 128)` and boolean masks `(frames, points)` (foreground and
//! background): per frame, the selected points with their 128 features, keeping the
//! per-frame grouping although each frame keeps a different count.
//!
//! numpy: `[feat[f][fg[f]] for f in range(frames)]` (a Python list of arrays). ndkern:
//! `ragged_select(&feat, &fg)` -> one CSR result (`offsets`, `index`, `values`), with
//! `r.frame(f)` giving frame f's rows.
//!
//! Run: `cargo run --release --example q10_ragged_select`

use ndarray::{s, Array2, Array3};
use ndkern::spatial::binning::ragged_select;

fn main() -> Result<(), ndkern::Error> {
    let (frames, points, k) = (50, 400, 128);
    let feat = Array3::from_shape_fn((frames, points, k), |(f, p, c)| {
        (f * 1000 + p) as f32 + c as f32 * 1e-3
    });
    let fg = Array2::from_shape_fn((frames, points), |(f, p)| (p * (f + 1)) % 7 < 3);
    let bg = fg.mapv(|m| !m);
    let rf = ragged_select(&feat, &fg)?;
    let rb = ragged_select(&feat, &bg)?;
    println!(
        "foreground counts per frame (first 5): {:?}",
        (0..5)
            .map(|f| rf.frame(f).map(|v| v.nrows()))
            .collect::<Result<Vec<_>, _>>()?
    );
    println!(
        "total foreground {} + background {} = {}",
        rf.values.nrows(),
        rb.values.nrows(),
        frames * points
    );
    // Independent check: the list-comprehension idiom, frame by frame.
    for f in 0..frames {
        let want: Vec<usize> = (0..points).filter(|&p| fg[[f, p]]).collect();
        assert_eq!(rf.frame_index(f)?, &want[..]);
        for (row, &p) in rf.frame(f)?.rows().into_iter().zip(&want) {
            assert_eq!(row, feat.slice(s![f, p, ..]));
        }
    }
    assert_eq!(rf.values.nrows() + rb.values.nrows(), frames * points);
    println!("every frame's rows equal feat[f][mask[f]]");
    Ok(())
}
