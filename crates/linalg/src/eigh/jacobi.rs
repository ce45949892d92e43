//! Cyclic Jacobi for one symmetric 3x3 matrix: the accurate fallback of the closed form.
//!
//! Jacobi rotations are backward stable and resolve (near-)equal eigenvalues to full
//! precision, where the trigonometric closed form loses up to half the digits. It costs
//! ~10x the closed form, so [`super`] calls it only for the elements its guard flags
//! (typically none or a few per million on image Hessians).

/// Eigen-decomposition of the symmetric matrix `a` (only read symmetrically; the caller
/// passes a symmetric matrix). Returns the eigenvalues (unsorted) and the eigenvectors as
/// columns: `v[i][k]` is component `i` of the eigenvector of `values[k]`.
pub(crate) fn jacobi3(mut a: [[f64; 3]; 3]) -> ([f64; 3], [[f64; 3]; 3]) {
    let mut v = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    if a.iter().flatten().any(|x| !x.is_finite()) {
        return ([f64::NAN; 3], [[f64::NAN; 3]; 3]);
    }
    // Quadratic convergence: 3x3 needs 4-6 sweeps; the cap only guards against a bug.
    for _sweep in 0..64 {
        let mut rotated = false;
        for (p, q) in [(0, 1), (0, 2), (1, 2)] {
            let apq = a[p][q];
            // An off-diagonal element below the rounding level of its diagonal changes
            // nothing: drop it (Numerical Recipes' criterion, with underflow guard).
            let tiny = 1e-18 * (a[p][p].abs() + a[q][q].abs());
            if apq.abs() <= tiny || apq.abs() < 1e-300 {
                a[p][q] = 0.0;
                a[q][p] = 0.0;
                continue;
            }
            rotated = true;
            let theta = (a[q][q] - a[p][p]) / (2.0 * apq);
            // Smaller root of t^2 + 2 t theta - 1 = 0 (rotation angle <= pi/4).
            let t = if theta.abs() > 1e150 {
                0.5 / theta
            } else {
                theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt())
            };
            let c = 1.0 / (t * t + 1.0).sqrt();
            let s = t * c;
            // A <- A P (columns p, q), then A <- P^T A (rows p, q), V <- V P.
            for row in a.iter_mut() {
                let (x, y) = (row[p], row[q]);
                row[p] = c * x - s * y;
                row[q] = s * x + c * y;
            }
            let (rp, rq) = (a[p], a[q]);
            for k in 0..3 {
                a[p][k] = c * rp[k] - s * rq[k];
                a[q][k] = s * rp[k] + c * rq[k];
            }
            a[p][q] = 0.0;
            a[q][p] = 0.0;
            for row in v.iter_mut() {
                let (x, y) = (row[p], row[q]);
                row[p] = c * x - s * y;
                row[q] = s * x + c * y;
            }
        }
        if !rotated {
            break;
        }
    }
    ([a[0][0], a[1][1], a[2][2]], v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagonalizes_and_keeps_vectors_orthonormal() {
        let a = [[4.0, 1.0, -2.0], [1.0, 2.0, 0.5], [-2.0, 0.5, 3.0]];
        let (w, v) = jacobi3(a);
        for k in 0..3 {
            for i in 0..3 {
                let av: f64 = (0..3).map(|j| a[i][j] * v[j][k]).sum();
                assert!((av - w[k] * v[i][k]).abs() < 1e-14, "A v = lambda v");
            }
            for l in 0..3 {
                let d: f64 = (0..3).map(|i| v[i][k] * v[i][l]).sum();
                assert!((d - f64::from(u8::from(k == l))).abs() < 1e-14);
            }
        }
    }
}
