//! HEALPix pixel indices (healpy `ang2pix`) and map accumulation (Q27).
//!
//! The indexing itself comes from the `cdshealpix` crate (CDS Strasbourg, the maintainers of
//! the HEALPix Java/Python tools at CDS), ring and nested schemes; this module adds healpy's
//! conventions (colatitude `theta` in `[0, pi]`, longitude `phi` in radians), input checks
//! and accumulation of values into a map with the same one-pass label statistics as
//! [`label_stats`](super::label_stats).

use ndarray::{Array, Array1, ArrayBase, Data, Dimension, Ix1, Zip};
use ndkern_core::{Element, Error, Result};

use super::scatter::label_stats;

/// HEALPix pixel numbering.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Scheme {
    /// Ring scheme (healpy's default, `nest=False`): any `nside >= 1`.
    Ring,
    /// Nested scheme (`nest=True`): `nside` a power of two.
    Nested,
}

fn check_nside(nside: u32, scheme: Scheme) -> Result<()> {
    if nside == 0 || nside > cdshealpix::NSIDE_MAX {
        return Err(Error::InvalidParameter {
            name: "nside",
            reason: format!("must be in 1..={}, got {nside}", cdshealpix::NSIDE_MAX),
        });
    }
    if scheme == Scheme::Nested && !nside.is_power_of_two() {
        return Err(Error::InvalidParameter {
            name: "nside",
            reason: format!(
                "the nested scheme needs a power of two, got {nside}; use Scheme::Ring or \
                 nside = {}",
                nside.next_power_of_two()
            ),
        });
    }
    Ok(())
}

/// healpy `ang2pix(nside, theta, phi, nest)`: the pixel of each position, colatitude
/// `theta` in `[0, pi]` and longitude `phi` (any finite value, taken modulo 2 pi), radians.
///
/// Errors: `nside` 0 or above 2^29, not a power of two for [`Scheme::Nested`];
/// `theta`/`phi` shapes differ; `theta` outside `[0, pi + 1e-5]` (healpy's tolerance) or NaN;
/// `phi` not finite.
///
/// ```
/// use ndarray::array;
/// use ndkern_spatial::binning::{ang2pix, Scheme};
/// // healpy: ang2pix(1, [0.1, pi/2, 3.0], [0.1, 0.0, 4.0]) == [0, 4, 10]
/// let p = ang2pix(1, &array![0.1, std::f64::consts::FRAC_PI_2, 3.0], &array![0.1, 0.0, 4.0],
///     Scheme::Ring).unwrap();
/// assert_eq!(p.to_vec(), vec![0, 4, 10]);
/// ```
#[must_use = "the pixel indices are returned"]
pub fn ang2pix<T, S, S2, D>(
    nside: u32,
    theta: &ArrayBase<S, D>,
    phi: &ArrayBase<S2, D>,
    scheme: Scheme,
) -> Result<Array<usize, D>>
where
    T: Element,
    S: Data<Elem = T>,
    S2: Data<Elem = T>,
    D: Dimension,
{
    check_nside(nside, scheme)?;
    if theta.shape() != phi.shape() {
        return Err(Error::ShapeMismatch {
            expected: theta.shape().to_vec(),
            got: phi.shape().to_vec(),
        });
    }
    // The output is sized like `theta`, which may be a huge broadcast view: checked before
    // the validation pass reads it.
    ndkern_core::check_alloc::<usize>("ang2pix's output", theta.len())?;
    // Validate first: cdshealpix panics on a latitude outside [-pi/2, pi/2]. healpy accepts
    // theta up to pi + 1e-5 (so that a float32 pi, 3.1415927, is the south pole); the
    // latitude is clamped below.
    let pi = std::f64::consts::PI;
    let mut bad = None;
    Zip::from(theta).and(phi).for_each(|&t, &p| {
        let (t, p) = (t.as_f64(), p.as_f64());
        if bad.is_none() && !((0.0..=pi + 1e-5).contains(&t) && p.is_finite()) {
            bad = Some((t, p));
        }
    });
    if let Some((t, p)) = bad {
        return Err(Error::InvalidParameter {
            name: "theta",
            reason: format!(
                "position (theta {t}, phi {p}) is invalid; theta must be a colatitude in \
                 [0, pi] and phi finite (radians)"
            ),
        });
    }
    let layer = match scheme {
        Scheme::Nested => Some(cdshealpix::nested::get(nside.trailing_zeros() as u8)),
        Scheme::Ring => None,
    };
    let half_pi = std::f64::consts::FRAC_PI_2;
    Ok(Zip::from(theta).and(phi).map_collect(|&t, &p| {
        // theta is colatitude; the clamp takes theta in (pi, pi + 1e-5] to the south pole.
        let lat = ndkern_core::clamp(half_pi - t.as_f64(), -half_pi, half_pi);
        let lon = p.as_f64().rem_euclid(2.0 * pi);
        let h = match layer {
            Some(l) => l.hash(lon, lat),
            None => cdshealpix::ring::hash(nside, lon, lat),
        };
        h as usize
    }))
}

/// A HEALPix map accumulated from values at positions: count and sum per pixel.
#[derive(Clone, Debug, PartialEq)]
pub struct HealpixMap {
    /// Samples per pixel, length `12 * nside^2`.
    pub count: Array1<usize>,
    /// Sum of values per pixel (`f64`).
    pub sum: Array1<f64>,
}

impl HealpixMap {
    /// Mean per pixel, `fill` where no sample fell (healpy's `UNSEEN` is `-1.6375e30`).
    ///
    /// ```
    /// use ndarray::array;
    /// use ndkern_spatial::binning::{healpix_map, Scheme};
    /// let m = healpix_map(1, &array![0.1, 0.1], &array![0.1, 0.2], &array![1.0, 3.0],
    ///     Scheme::Nested).unwrap();
    /// assert_eq!(m.mean(f64::NAN)[0], 2.0);
    /// ```
    #[must_use]
    pub fn mean(&self, fill: f64) -> Array1<f64> {
        Zip::from(&self.sum)
            .and(&self.count)
            .map_collect(|&s, &c| if c == 0 { fill } else { s / c as f64 })
    }
}

/// Q27: values at sphere positions accumulated into a HEALPix map of `nside` (healpy:
/// `pix = ang2pix(nside, theta, phi)` then `np.bincount(pix, values, 12 * nside**2)` and
/// `np.bincount(pix, minlength=...)`).
///
/// Errors: as [`ang2pix`], plus `values.len() != theta.len()` and a map of `12 * nside^2`
/// pixels too large to allocate ([`Error::TooLarge`]).
///
/// ```
/// use ndarray::array;
/// use ndkern_spatial::binning::{healpix_map, Scheme};
/// let m = healpix_map(2, &array![0.5, 2.5], &array![1.0, 1.0], &array![4.0, 6.0], Scheme::Ring)
///     .unwrap();
/// assert_eq!(m.sum.len(), 48);
/// assert_eq!(m.sum.sum(), 10.0);
/// ```
#[must_use = "the map is returned"]
pub fn healpix_map<T, S, S2, S3>(
    nside: u32,
    theta: &ArrayBase<S, Ix1>,
    phi: &ArrayBase<S2, Ix1>,
    values: &ArrayBase<S3, Ix1>,
    scheme: Scheme,
) -> Result<HealpixMap>
where
    T: Element,
    S: Data<Elem = T>,
    S2: Data<Elem = T>,
    S3: Data<Elem = T>,
{
    if values.len() != theta.len() {
        return Err(Error::ShapeMismatch {
            expected: vec![theta.len()],
            got: vec![values.len()],
        });
    }
    // 12 * nside^2 pixels (below 2^62 for nside <= 2^29): a count and a sum each, checked
    // before the positions are even read (nside = 2^16 is 5e10 pixels, 800 GB).
    check_nside(nside, scheme)?;
    let npix = 12 * (nside as usize) * (nside as usize);
    ndkern_core::check_alloc::<[f64; 2]>("HEALPix map", npix)?;
    let pix = ang2pix(nside, theta, phi, scheme)?;
    let v: Array1<f64> = values.mapv(|x| x.as_f64());
    let st = label_stats(&pix, &v, Some(npix))?;
    Ok(HealpixMap {
        count: st.count,
        sum: st.sum.column(0).to_owned(),
    })
}
