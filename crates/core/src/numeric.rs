//! Small numerical routines the model shares (no model concepts here): the standard normal
//! distribution function, Catmull-Rom weights for interpolating tabulated curves, the Cholesky
//! factor of a correlation matrix and secant steps towards a target.

/// Standard normal distribution function Φ(x), through `erfc` so the tails keep full precision.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// Secant steps towards `value(x) = target` from the points (x0, y0) and (x1, y1): at most 30,
/// until `close(y)` or two values coincide. The last point (x, value(x)); NaN where a step would
/// leave the positive numbers (the solved quantities are multipliers).
pub(crate) fn secant(
    value: impl Fn(f64) -> f64,
    (mut x0, mut y0): (f64, f64),
    (mut x1, mut y1): (f64, f64),
    target: f64,
    close: impl Fn(f64) -> bool,
) -> (f64, f64) {
    for _ in 0..30 {
        if close(y1) || y1 == y0 {
            break;
        }
        let x2 = x1 + (target - y1) * (x1 - x0) / (y1 - y0);
        if !(x2.is_finite() && x2 > 0.0) {
            return (f64::NAN, f64::NAN);
        }
        (x0, y0) = (x1, y1);
        (x1, y1) = (x2, value(x2));
    }
    (x1, y1)
}

/// Catmull-Rom weights of the points i−1, i, i+1, i+2 at fraction `t` ∈ [0, 1) from i.
#[inline]
pub(crate) fn catmull_rom(t: f64) -> [f64; 4] {
    let t2 = t * t;
    let t3 = t2 * t;
    [
        0.5 * (-t3 + 2.0 * t2 - t),
        0.5 * (3.0 * t3 - 5.0 * t2 + 2.0),
        0.5 * (-3.0 * t3 + 4.0 * t2 + t),
        0.5 * (t3 - t2),
    ]
}

/// Cholesky factor of an N×N positive semi-definite matrix `c` (zero pivots allowed within
/// tolerance); `names` name the rows in the message when it is not.
pub fn cholesky<const N: usize>(
    c: &[Vec<f64>],
    names: &[&str; N],
) -> Result<[[f64; N]; N], String> {
    let mut l = [[0.0; N]; N];
    for i in 0..N {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let d = c[i][i] - s;
                if d < -1e-9 {
                    return Err(format!(
                        "the matrix is not positive semi-definite (pivot {d:.3e} at {})",
                        names[i]
                    ));
                }
                l[i][i] = d.max(0.0).sqrt();
            } else {
                l[i][j] = if l[j][j] > 1e-12 {
                    (c[i][j] - s) / l[j][j]
                } else {
                    0.0
                };
            }
        }
    }
    Ok(l)
}

/// Whether the processor supports AVX2: the hot loops then run in a copy compiled for it (the
/// same arithmetic, in wider lanes; detected once, then a cached load).
#[cfg(target_arch = "x86_64")]
#[inline]
pub(crate) fn has_avx2() -> bool {
    std::arch::is_x86_feature_detected!("avx2")
}
