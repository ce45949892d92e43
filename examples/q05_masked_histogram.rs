//! Q5: a histogram (200 bins over (0, dmax)) of the voxels of a 3-D grid where a same-shape
//! bitmask is set. 0 is a valid data value, so "multiply by the mask and histogram
//! everything" is wrong: it counts every masked-out voxel as a 0.
//!
//! numpy: `np.histogram(data[mask], bins=200, range=(0, dmax))`. ndkern:
//! `histogram_masked(&data, &mask, &AxisBins::uniform(0.0, dmax, 200)?)` (no copy of the
//! selection).
//!
//! Run: `cargo run --release --example q05_masked_histogram`

use ndarray::Array3;
use ndkern::spatial::binning::{histogram, histogram_masked, masked_select, AxisBins};

fn main() -> Result<(), ndkern::Error> {
    let n = 128;
    let dmax = 10.0;
    let data = Array3::from_shape_fn((n, n, n), |(i, j, k)| {
        let v = ((i * 7 + j * 13 + k * 29) % 101) as f64 / 10.0;
        if (i + j + k) % 5 == 0 {
            0.0
        } else {
            v.min(dmax)
        }
    });
    let mask = Array3::from_shape_fn((n, n, n), |(i, j, k)| (i * j + k) % 3 != 0);
    let bins = AxisBins::uniform(0.0, dmax, 200)?;

    let t = std::time::Instant::now();
    let h = histogram_masked(&data, &mask, &bins)?;
    println!(
        "masked histogram of {n}^3 voxels: {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );

    // Independent check: histogram of the explicit selection, and a direct count of bin 0.
    let h2 = histogram(&masked_select(&data, &mask)?, &bins, false)?;
    assert_eq!(h, h2);
    let zeros_in_mask = data
        .iter()
        .zip(mask.iter())
        .filter(|(&d, &m)| m && d < dmax / 200.0)
        .count();
    assert_eq!(h[0] as usize, zeros_in_mask);
    let wrong = histogram(
        &(&data * &mask.mapv(|m| f64::from(u8::from(m)))),
        &bins,
        false,
    )?;
    println!(
        "bin 0: {} voxels under the mask; multiply-by-mask would report {}",
        h[0], wrong[0]
    );
    println!("total under the mask: {}", h.sum());
    Ok(())
}
