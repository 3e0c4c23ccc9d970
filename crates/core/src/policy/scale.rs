//! Benefit scales as piecewise-linear functions of the annual allowed medical cost.
//!
//! A deductible, coinsurance tiers, an annual cap, a second tier on what the first leaves, and
//! critical-illness cover above a threshold are each piecewise linear in the cost X, and so is
//! any composition of them. The expected fund payment is then an exact sum of lognormal limited
//! expected values: E f(X) = s_n E[X] + Σ_k (s_{k-1} − s_k) LEV(x_k).

use super::lognormal::LogNormal;

/// f(x) = Σ_k slopes[k] · (min(x, x_{k+1}) − min(x, x_k)) with x_0 = 0 and x_{n+1} = ∞, where
/// x_1 < … < x_n are `knots` (all > 0). f(0) = 0; f is defined for x ≥ 0.
#[derive(Clone, Debug, PartialEq)]
pub struct PiecewiseLinear {
    knots: Vec<f64>,
    slopes: Vec<f64>,
}

impl PiecewiseLinear {
    pub fn zero() -> Self {
        PiecewiseLinear {
            knots: vec![],
            slopes: vec![0.0],
        }
    }

    pub fn identity() -> Self {
        PiecewiseLinear {
            knots: vec![],
            slopes: vec![1.0],
        }
    }

    /// A coinsurance scale: nothing below `deductible`; then `ratio_k` of the cost between
    /// consecutive bounds of `tiers` = [(upper bound of cost, ratio)], the last bound may be ∞;
    /// the total payment capped at `cap` (∞ for none). Bounds are on the cost itself.
    pub(crate) fn coinsurance(deductible: f64, tiers: &[(f64, f64)], cap: f64) -> Self {
        let mut knots = Vec::new();
        let mut slopes = vec![0.0];
        let mut lower = deductible.max(0.0);
        if lower > 0.0 {
            knots.push(lower);
        } else {
            slopes.clear();
        }
        for &(upper, ratio) in tiers {
            if upper <= lower {
                continue;
            }
            slopes.push(ratio);
            if upper.is_finite() {
                knots.push(upper);
                lower = upper;
            } else {
                lower = f64::INFINITY;
                break;
            }
        }
        if lower.is_finite() {
            // Above the last bound the fund pays nothing more.
            slopes.push(0.0);
        }
        if slopes.is_empty() {
            slopes.push(0.0);
        }
        PiecewiseLinear { knots, slopes }.capped(cap)
    }

    pub fn eval(&self, x: f64) -> f64 {
        let mut y = 0.0;
        let mut prev = 0.0;
        for (k, &knot) in self.knots.iter().enumerate() {
            if x <= knot {
                return y + self.slopes[k] * (x - prev);
            }
            y += self.slopes[k] * (knot - prev);
            prev = knot;
        }
        y + self.slopes[self.knots.len()] * (x - prev)
    }

    /// Builds f from its values at `xs` (increasing, > 0) and the slope beyond the last one.
    fn from_points(xs: &[f64], ys: &[f64], final_slope: f64) -> Self {
        let mut knots = Vec::with_capacity(xs.len());
        let mut slopes = Vec::with_capacity(xs.len() + 1);
        let (mut px, mut py) = (0.0, 0.0);
        for (&x, &y) in xs.iter().zip(ys) {
            if x <= px {
                continue;
            }
            slopes.push((y - py) / (x - px));
            knots.push(x);
            px = x;
            py = y;
        }
        slopes.push(final_slope);
        PiecewiseLinear { knots, slopes }.simplified()
    }

    /// Drops knots where the slope does not change.
    fn simplified(mut self) -> Self {
        let mut k = 0;
        while k < self.knots.len() {
            if (self.slopes[k] - self.slopes[k + 1]).abs() <= 1e-12 {
                self.knots.remove(k);
                self.slopes.remove(k + 1);
            } else {
                k += 1;
            }
        }
        self
    }

    /// min(f(x), cap) for a non-decreasing f.
    pub(crate) fn capped(self, cap: f64) -> Self {
        if !cap.is_finite() {
            return self;
        }
        match self.first_reaching(cap) {
            None => self,
            Some(x_star) => {
                let mut xs: Vec<f64> = self.knots.iter().copied().filter(|&k| k < x_star).collect();
                xs.push(x_star);
                let ys: Vec<f64> = xs.iter().map(|&x| self.eval(x).min(cap)).collect();
                PiecewiseLinear::from_points(&xs, &ys, 0.0)
            }
        }
    }

    /// The smallest x > 0 with f(x) = y, for a non-decreasing f; None if f never reaches y.
    fn first_reaching(&self, y: f64) -> Option<f64> {
        if y <= 0.0 {
            return None;
        }
        let (mut px, mut py) = (0.0, 0.0);
        for (k, &knot) in self.knots.iter().enumerate() {
            let ky = py + self.slopes[k] * (knot - px);
            if ky >= y {
                return Some(px + (y - py) / self.slopes[k]);
            }
            px = knot;
            py = ky;
        }
        let s = self.slopes[self.knots.len()];
        (s > 0.0).then(|| px + (y - py) / s)
    }

    /// outer(self(x)) for a non-decreasing `self`: e.g. a second tier applied to the
    /// out-of-pocket amount the first tier leaves.
    pub fn then(&self, outer: &PiecewiseLinear) -> PiecewiseLinear {
        let mut xs: Vec<f64> = self.knots.clone();
        for &k in &outer.knots {
            if let Some(x) = self.first_reaching(k) {
                xs.push(x);
            }
        }
        xs.sort_by(f64::total_cmp);
        xs.dedup_by(|a, b| (*a - *b).abs() <= 1e-9 * b.abs().max(1.0));
        let ys: Vec<f64> = xs.iter().map(|&x| outer.eval(self.eval(x))).collect();
        let inner_final = self.slopes[self.knots.len()];
        let outer_final = outer.slopes[outer.knots.len()];
        let final_slope = if inner_final > 0.0 {
            outer_final * inner_final
        } else {
            0.0
        };
        PiecewiseLinear::from_points(&xs, &ys, final_slope)
    }

    /// self(x) − other(x).
    pub fn minus(&self, other: &PiecewiseLinear) -> PiecewiseLinear {
        self.combine(other, -1.0)
    }

    /// self(x) + other(x).
    pub fn plus(&self, other: &PiecewiseLinear) -> PiecewiseLinear {
        self.combine(other, 1.0)
    }

    fn combine(&self, other: &PiecewiseLinear, sign: f64) -> PiecewiseLinear {
        let mut xs: Vec<f64> = self.knots.iter().chain(&other.knots).copied().collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        let ys: Vec<f64> = xs
            .iter()
            .map(|&x| self.eval(x) + sign * other.eval(x))
            .collect();
        let fs = self.slopes[self.knots.len()] + sign * other.slopes[other.knots.len()];
        PiecewiseLinear::from_points(&xs, &ys, fs)
    }

    /// x ↦ f(c · x): the scale applied to a share `c` of the cost (zero for c ≤ 0). Its knots
    /// are f's divided by c and its slopes f's times c.
    pub(crate) fn of_share(&self, c: f64) -> PiecewiseLinear {
        if c <= 0.0 {
            return PiecewiseLinear::zero();
        }
        PiecewiseLinear {
            knots: self.knots.iter().map(|k| k / c).collect(),
            slopes: self.slopes.iter().map(|s| s * c).collect(),
        }
    }

    /// c · f(x).
    pub fn scaled(&self, c: f64) -> PiecewiseLinear {
        PiecewiseLinear {
            knots: self.knots.clone(),
            slopes: self.slopes.iter().map(|s| s * c).collect(),
        }
    }

    /// E[f(X)] for X ~ `cost`, exactly, through limited expected values.
    pub fn expected(&self, cost: &LogNormal) -> f64 {
        let n = self.knots.len();
        let mut e = self.slopes[n] * cost.mean();
        for k in 0..n {
            e += (self.slopes[k] - self.slopes[k + 1]) * cost.lev(self.knots[k]);
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn coinsurance_by_hand() {
        // Jiangmen Tier 1 at a level-2 hospital (001 一檔待遇 住院統籌): deductible 600,
        // fund pays 80 %, annual cap 200,000.
        let f = PiecewiseLinear::coinsurance(600.0, &[(f64::INFINITY, 0.80)], 200_000.0);
        assert!(close(f.eval(500.0), 0.0));
        assert!(close(f.eval(3_000.0), 0.8 * 2_400.0)); // 1,920
        assert!(close(f.eval(50_000.0), 0.8 * 49_400.0)); // 39,520
        assert!(close(f.eval(300_000.0), 200_000.0)); // 239,520 capped
        assert!(close(f.eval(250_600.0), 200_000.0));
    }

    /// A scale on a share of the cost: 70 % above 100 up to a cap of 600 on 30 % of the cost
    /// pays nothing to a cost of 333.33, 0.7 × (0.3 × 1,000 − 100) = 140 at 1,000 and the cap
    /// from 0.3 x = 100 + 600 / 0.7; its expectation over a lognormal cost X equals the scale's
    /// own over 0.3 X (log-mean moved by ln 0.3).
    #[test]
    fn scale_on_a_share_of_the_cost() {
        let f = PiecewiseLinear::coinsurance(100.0, &[(f64::INFINITY, 0.7)], 600.0);
        let g = f.of_share(0.3);
        assert!(close(g.eval(300.0), 0.0));
        assert!(close(g.eval(1_000.0), 140.0));
        assert!(close(g.eval((100.0 + 600.0 / 0.7) / 0.3), 600.0));
        assert!(close(g.eval(1e7), 600.0));
        let x = LogNormal {
            mu: 7.0,
            sigma: 1.1,
        };
        let shifted = LogNormal {
            mu: 7.0 + 0.3f64.ln(),
            sigma: 1.1,
        };
        assert!(close(g.expected(&x), f.expected(&shifted)));
        assert_eq!(f.of_share(0.0), PiecewiseLinear::zero());
    }

    #[test]
    fn second_tier_on_out_of_pocket() {
        // Tier 2 (001 二檔待遇): on what Tier 1 leaves (excluding the deductible is not modelled
        // here): 50 % up to 5,000, 85 % to 200,000, 90 % above, cap 200,000.
        let t1 = PiecewiseLinear::coinsurance(600.0, &[(f64::INFINITY, 0.80)], 200_000.0);
        let oop = PiecewiseLinear::identity().minus(&t1);
        let t2 = PiecewiseLinear::coinsurance(
            0.0,
            &[(5_000.0, 0.5), (200_000.0, 0.85), (f64::INFINITY, 0.90)],
            200_000.0,
        );
        let f = oop.then(&t2);
        for x in [300.0, 3_000.0, 50_000.0, 300_000.0, 2_000_000.0] {
            let y = x - t1.eval(x);
            assert!(close(f.eval(x), t2.eval(y)), "x = {x}");
        }
        // 50,000: Tier 1 pays 39,520, leaves 10,480; Tier 2 pays 2,500 + 0.85 × 5,480 = 7,158.
        assert!(close(f.eval(50_000.0), 7_158.0));
    }

    #[test]
    fn expectation_matches_monte_carlo_quadrature() {
        let t1 =
            PiecewiseLinear::coinsurance(600.0, &[(5_000.0, 0.7), (f64::INFINITY, 0.8)], 200_000.0);
        let cost = LogNormal::with_mean(15_000.0, 1.2);
        // Quadrature over 400,000 equally likely quantiles of log X.
        let n = 400_000;
        let mut sum = 0.0;
        for i in 0..n {
            let u = (i as f64 + 0.5) / n as f64;
            let (mut lo, mut hi) = (-10.0f64, 10.0f64);
            for _ in 0..60 {
                let mid = 0.5 * (lo + hi);
                if super::super::lognormal::normal_cdf(mid) < u {
                    lo = mid
                } else {
                    hi = mid
                }
            }
            let x = (cost.mu + cost.sigma * 0.5 * (lo + hi)).exp();
            sum += t1.eval(x);
        }
        let q = sum / n as f64;
        let e = t1.expected(&cost);
        assert!((e - q).abs() < 1e-3 * q, "exact {e}, quadrature {q}");
    }
}
