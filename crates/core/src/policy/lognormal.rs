//! Closed forms for the lognormal: the limited expected value and the clamped mean.
//!
//! Benefit formulas and contribution bases are piecewise-linear functions of a lognormal
//! amount, so their expectations are exact sums of limited expected values: no sampling.

pub use crate::numeric::normal_cdf;

/// X ~ LN(mu, sigma): log X is normal with mean `mu` and standard deviation `sigma` ≥ 0.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LogNormal {
    pub(crate) mu: f64,
    pub(crate) sigma: f64,
}

impl LogNormal {
    /// The lognormal with the given mean (> 0) and log-scale dispersion `sigma`.
    pub(crate) fn with_mean(mean: f64, sigma: f64) -> LogNormal {
        LogNormal {
            mu: mean.ln() - 0.5 * sigma * sigma,
            sigma,
        }
    }

    pub fn mean(&self) -> f64 {
        (self.mu + 0.5 * self.sigma * self.sigma).exp()
    }

    /// Limited expected value LEV(b) = E[min(X, b)], with LEV(b) = 0 for b ≤ 0 and E[X] for b = ∞.
    pub fn lev(&self, b: f64) -> f64 {
        if b <= 0.0 {
            return 0.0;
        }
        if b.is_infinite() {
            return self.mean();
        }
        if self.sigma <= 0.0 {
            return self.mu.exp().min(b);
        }
        let s = self.sigma;
        let z = (b.ln() - self.mu) / s;
        self.mean() * normal_cdf(z - s) + b * normal_cdf(-z)
    }

    /// E[min(max(X, floor), cap)] for 0 ≤ floor ≤ cap: the expected contribution base when wages
    /// are lognormal and the base is clamped to [floor, cap].
    pub fn clamped_mean(&self, floor: f64, cap: f64) -> f64 {
        debug_assert!(floor <= cap);
        floor + self.lev(cap) - self.lev(floor)
    }
}

/// E[clamp(m·L, floor, cap)] for L lognormal with mean 1 and log-sd `sigma`, tabulated once in
/// x = ln(m / floor) for one ratio cap / floor and interpolated (Catmull-Rom, step 0.002), so a
/// path's yearly contribution bases need no `erfc` (they were a seventh of a run's time).
/// Outside the table, and for other ratios, the exact formula.
#[derive(Clone, Debug)]
pub struct ClampedMeanTable {
    sigma: f64,
    /// cap / floor.
    pub(crate) ratio: f64,
    x0: f64,
    step: f64,
    /// E[clamp(e^x L, 1, ratio)] at x0 + i·step.
    values: Vec<f64>,
}

impl ClampedMeanTable {
    const STEP: f64 = 0.002;
    /// Tables kept by [`Self::shared`]: a scenario has one or two (sigma, ratio) pairs; a
    /// long-lived caller (a Python session, a server) that loads many scenarios keeps the last
    /// ones only.
    const SHARED_KEPT: usize = 32;

    /// The table for (`sigma`, `ratio`), built once per process and shared: the base-year solve
    /// builds a unit's model dozens of times, and each table costs some 10,000 closed-form
    /// clamped means (about 40 % of a default run's fixed part before it was shared). Equal
    /// to [`Self::new`] to the bit.
    pub fn shared(sigma: f64, ratio: f64) -> std::sync::Arc<ClampedMeanTable> {
        use std::sync::{Arc, Mutex, OnceLock, PoisonError};
        type Kept = Vec<((u64, u64), Arc<ClampedMeanTable>)>;
        static KEPT: OnceLock<Mutex<Kept>> = OnceLock::new();
        let key = (sigma.to_bits(), ratio.to_bits());
        let kept = KEPT.get_or_init(|| Mutex::new(Vec::new()));
        // A panic elsewhere while the lock was held leaves the list whole (pushes and removes
        // only), so a poisoned lock is still usable.
        if let Some((_, t)) = kept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|(k, _)| *k == key)
        {
            return Arc::clone(t);
        }
        // Built outside the lock: two threads may both build it; either copy is the same.
        let table = Arc::new(ClampedMeanTable::new(sigma, ratio));
        let mut kept = kept.lock().unwrap_or_else(PoisonError::into_inner);
        if !kept.iter().any(|(k, _)| *k == key) {
            if kept.len() >= Self::SHARED_KEPT {
                kept.remove(0);
            }
            kept.push((key, Arc::clone(&table)));
        }
        table
    }

    pub fn new(sigma: f64, ratio: f64) -> ClampedMeanTable {
        // Where the clamp bites: from well below the floor to well above the cap.
        let reach = 6.0 + 8.0 * sigma;
        let x0 = -reach;
        let x1 = ratio.max(1.0).ln() + reach;
        let n = ((x1 - x0) / Self::STEP).ceil() as usize + 4;
        let values = (0..n)
            .map(|i| {
                let m = (x0 + i as f64 * Self::STEP).exp();
                LogNormal::with_mean(m, sigma).clamped_mean(1.0, ratio)
            })
            .collect();
        ClampedMeanTable {
            sigma,
            ratio,
            x0,
            step: Self::STEP,
            values,
        }
    }

    /// E[clamp(X, floor, cap)] for X lognormal with mean `mean`; `cap / floor` must be the
    /// table's ratio (else the exact formula is used).
    pub fn clamped_mean(&self, mean: f64, floor: f64, cap: f64) -> f64 {
        let exact = || LogNormal::with_mean(mean, self.sigma).clamped_mean(floor, cap);
        if floor <= 0.0 || mean <= 0.0 || (cap / floor - self.ratio).abs() > 1e-12 * self.ratio {
            return exact();
        }
        let u = ((mean / floor).ln() - self.x0) / self.step;
        let i = u.floor();
        if !(1.0..(self.values.len() as f64 - 2.0)).contains(&i) {
            return exact();
        }
        let w = crate::numeric::catmull_rom(u - i);
        let j = i as usize - 1;
        let v = &self.values[j..j + 4];
        floor * (w[0] * v[0] + w[1] * v[1] + w[2] * v[2] + w[3] * v[3])
    }
}

#[cfg(test)]
mod tests {
    /// The table agrees with the exact clamped mean to 1e-9 relative between its points.
    #[test]
    fn clamped_mean_table_matches_the_formula() {
        let t = ClampedMeanTable::new(0.5, 3.0 / 0.6);
        let mut worst: f64 = 0.0;
        for i in 0..5000 {
            let mean = 100.0 + i as f64 * 7.3;
            let (floor, cap) = (2000.0, 10_000.0);
            let exact = LogNormal::with_mean(mean, 0.5).clamped_mean(floor, cap);
            let got = t.clamped_mean(mean, floor, cap);
            worst = worst.max((got / exact - 1.0).abs());
        }
        assert!(worst < 1e-9, "{worst}");
        // Another ratio falls back to the formula exactly.
        let exact = LogNormal::with_mean(5000.0, 0.5).clamped_mean(2000.0, 8000.0);
        assert_eq!(t.clamped_mean(5000.0, 2000.0, 8000.0), exact);
    }

    /// A shared table is the table `new` builds, to the bit, built once per (sigma, ratio);
    /// another sigma or ratio gets its own.
    #[test]
    fn shared_tables_equal_new_ones_and_are_built_once() {
        let (sigma, ratio) = (0.4375, 3.0 / 0.6);
        let a = ClampedMeanTable::shared(sigma, ratio);
        let b = ClampedMeanTable::shared(sigma, ratio);
        assert!(std::sync::Arc::ptr_eq(&a, &b));
        let fresh = ClampedMeanTable::new(sigma, ratio);
        assert_eq!((a.x0, a.step, a.ratio), (fresh.x0, fresh.step, fresh.ratio));
        assert!(
            a.values
                .iter()
                .zip(&fresh.values)
                .all(|(x, y)| x.to_bits() == y.to_bits())
        );
        assert_eq!(a.values.len(), fresh.values.len());
        let other = ClampedMeanTable::shared(sigma, 4.0);
        assert!(!std::sync::Arc::ptr_eq(&a, &other));
        assert_eq!(other.ratio, 4.0);
        let other_sigma = ClampedMeanTable::shared(0.5, ratio);
        assert_eq!(other_sigma.sigma, 0.5);
    }

    use super::*;

    /// E[min(X, b)] by numeric integration over the normal density of log X (Simpson's rule on
    /// ±12 σ with 200,000 intervals).
    fn lev_numeric(d: &LogNormal, b: f64) -> f64 {
        let n = 200_000;
        let (lo, hi) = (d.mu - 12.0 * d.sigma, d.mu + 12.0 * d.sigma);
        let h = (hi - lo) / n as f64;
        let f = |y: f64| {
            let z = (y - d.mu) / d.sigma;
            let dens = (-0.5 * z * z).exp() / (d.sigma * (2.0 * std::f64::consts::PI).sqrt());
            y.exp().min(b) * dens
        };
        let mut s = f(lo) + f(hi);
        for i in 1..n {
            let w = if i % 2 == 1 { 4.0 } else { 2.0 };
            s += w * f(lo + i as f64 * h);
        }
        s * h / 3.0
    }

    #[test]
    fn normal_cdf_known_values() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-15);
        assert!((normal_cdf(1.959963984540054) - 0.975).abs() < 1e-12);
        assert!((normal_cdf(-3.0) - 0.0013498980316301).abs() < 1e-13);
    }

    #[test]
    fn lev_matches_numeric_integration() {
        // A hospital-cost-like lognormal: mean 12,000 yuan, sigma 1.1.
        let d = LogNormal::with_mean(12_000.0, 1.1);
        for b in [600.0, 5_000.0, 12_000.0, 120_000.0, 200_000.0] {
            let exact = d.lev(b);
            let numeric = lev_numeric(&d, b);
            assert!(
                (exact - numeric).abs() < 1e-6 * numeric,
                "b = {b}: closed form {exact}, integration {numeric}"
            );
        }
        assert!((d.lev(f64::INFINITY) - 12_000.0).abs() < 1e-9);
        assert_eq!(d.lev(0.0), 0.0);
        // Far above the mass, LEV tends to the mean.
        assert!((d.lev(1e12) - 12_000.0).abs() < 1e-6);
    }

    #[test]
    fn clamped_base_matches_brute_force_sum() {
        // Wages: mean 8,000 yuan a month, sigma 0.5; base floored at 60 % and capped at 300 % of
        // an average wage of 7,500 (the national rule for bases: 60 %–300 %).
        let d = LogNormal::with_mean(8_000.0, 0.5);
        let (floor, cap) = (0.6 * 7_500.0, 3.0 * 7_500.0);
        let closed = d.clamped_mean(floor, cap);
        // Brute force: the base of each of 1,000,000 equally likely wage quantiles.
        let n = 1_000_000;
        let mut sum = 0.0;
        for i in 0..n {
            let u = (i as f64 + 0.5) / n as f64;
            let z = inverse_normal(u);
            let wage = (d.mu + d.sigma * z).exp();
            sum += wage.clamp(floor, cap);
        }
        let brute = sum / n as f64;
        assert!(
            (closed - brute).abs() < 2e-4 * brute,
            "closed {closed}, brute {brute}"
        );
        // And against a hand-checkable degenerate case: no dispersion, wage below the floor.
        let point = LogNormal::with_mean(3_000.0, 0.0);
        assert!((point.clamped_mean(4_500.0, 22_500.0) - 4_500.0).abs() < 1e-9);
    }

    /// Inverse normal by bisection on `normal_cdf` (test helper: slow but exact enough).
    fn inverse_normal(u: f64) -> f64 {
        let (mut lo, mut hi) = (-10.0, 10.0);
        for _ in 0..80 {
            let mid = 0.5 * (lo + hi);
            if normal_cdf(mid) < u {
                lo = mid
            } else {
                hi = mid
            }
        }
        0.5 * (lo + hi)
    }
}
