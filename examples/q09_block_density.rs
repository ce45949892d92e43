//! Q9: density map: the fraction of nonzero pixels in every 3x3 block of a 12x12 binary
//! image, giving 4x4.
//!
//! numpy/skimage: `block_reduce(img, (3, 3), np.mean)` on a 0/1 image (or
//! `img.reshape(4, 3, 4, 3).mean(axis=(1, 3))`). ndkern: `block_reduce(&img, &[3, 3],
//! BlockFunc::FractionNonzero)`; partial edge blocks (when the shape is not a multiple of the
//! block) are reduced over the pixels they have, not zero-padded (skimage issue 4940).
//!
//! Run: `cargo run --release --example q09_block_density`

use ndarray::{Array2, Ix2};
use ndkern::spatial::binning::{block_reduce, BlockFunc};

fn main() -> Result<(), ndkern::Error> {
    let img = Array2::from_shape_fn((12, 12), |(i, j)| u8::from((i * j + i) % 4 == 0));
    let d = block_reduce(&img, &[3, 3], BlockFunc::FractionNonzero)?
        .into_dimensionality::<Ix2>()
        .unwrap();
    println!("{d:.3}");
    // Independent check: the reshape-mean idiom, block by block.
    for ((bi, bj), &v) in d.indexed_iter() {
        let mut on = 0;
        for i in 0..3 {
            for j in 0..3 {
                on += usize::from(img[[bi * 3 + i, bj * 3 + j]] != 0);
            }
        }
        assert_eq!(v, on as f64 / 9.0);
    }
    // The large case (8000 x 8000 u8, 4x4 blocks) for timing.
    let big = Array2::from_shape_fn((8000, 8000), |(i, j)| u8::from((i ^ j) % 3 == 0));
    let t = std::time::Instant::now();
    let db = block_reduce(&big, &[4, 4], BlockFunc::FractionNonzero)?;
    println!(
        "8000x8000 u8, 4x4 blocks: {:.1} ms, shape {:?}",
        t.elapsed().as_secs_f64() * 1e3,
        db.shape()
    );
    Ok(())
}
