//! How many members of a cell die, leave or retire in a month, and how many births occur:
//! expected values for large cells, binomial and Poisson draws for small ones, so that a small
//! county carries its own idiosyncratic risk (MODEL.md, "Membership").

use rand::{Rng, RngExt};
use rand_distr::{Binomial, Distribution, Poisson};

/// Counts of events in a month.
pub trait Counts {
    /// Of `n` members (possibly fractional), how many have an event of probability `p`.
    fn binomial(&mut self, n: f64, p: f64) -> f64;
    /// Events with expected count `mean`.
    fn poisson(&mut self, mean: f64) -> f64;
}

/// Expected values throughout (the exact ledger and large cells).
pub struct Expected;

impl Counts for Expected {
    #[inline]
    fn binomial(&mut self, n: f64, p: f64) -> f64 {
        n * p
    }
    #[inline]
    fn poisson(&mut self, mean: f64) -> f64 {
        mean
    }
}

/// Below this expected count, binomial draws use inversion.
const INVERSION_MEAN: f64 = 10.0;

/// A binomial(`trials`, `p`) draw by sequential inversion, for p ≤ 0.5 and a small mean: one
/// uniform, then P(k + 1) = P(k) · (trials − k)/(k + 1) · p/(1 − p) from P(0) = (1 − p)^trials.
fn binomial_inversion<R: Rng + ?Sized>(rng: &mut R, trials: u64, p: f64) -> u64 {
    let mut u: f64 = rng.random();
    // Squeeze: P(0) = (1 − p)^trials ≥ 1 − trials·p, so a uniform below that bound is 0
    // without the exp and log (most small cells' draws; the result is the same as without).
    if u <= 1.0 - trials as f64 * p {
        return 0;
    }
    let mut pk = (trials as f64 * (-p).ln_1p()).exp();
    let odds = p / (1.0 - p);
    let mut k = 0;
    while u > pk && k < trials {
        u -= pk;
        pk *= odds * (trials - k) as f64 / (k + 1) as f64;
        k += 1;
    }
    k
}

/// Draws for cells (or monthly birth counts) below `threshold` persons; expected values above.
pub struct SmallCellDraws<'a, R: ?Sized> {
    rng: &'a mut R,
    /// Persons; 0 turns every draw off.
    threshold: f64,
}

impl<'a, R: ?Sized> SmallCellDraws<'a, R> {
    /// Draws from `rng` for cells below `small_cell_threshold` persons.
    pub fn new(rng: &'a mut R, small_cell_threshold: f64) -> Self {
        SmallCellDraws {
            rng,
            threshold: small_cell_threshold,
        }
    }
}

impl<R: Rng + ?Sized> Counts for SmallCellDraws<'_, R> {
    /// Large cells (the common case) take the expected value inline; small ones draw.
    #[inline]
    fn binomial(&mut self, n: f64, p: f64) -> f64 {
        if n >= self.threshold || n <= 0.0 || p <= 0.0 {
            return n * p;
        }
        self.draw_binomial(n, p)
    }

    fn poisson(&mut self, mean: f64) -> f64 {
        if mean >= self.threshold || mean <= 0.0 {
            return mean;
        }
        match Poisson::new(mean) {
            Ok(d) => d.sample(self.rng),
            Err(_) => mean,
        }
    }
}

impl<R: Rng + ?Sized> SmallCellDraws<'_, R> {
    #[inline(never)]
    fn draw_binomial(&mut self, n: f64, p: f64) -> f64 {
        if p >= 1.0 {
            return n;
        }
        // A fractional cell has floor(n) or ceil(n) members, with the right mean.
        let whole = n.floor();
        let extra = u64::from(self.rng.random::<f64>() < n - whole);
        let trials = whole as u64 + extra;
        // Most small cells expect only a few events a month: inversion from zero costs about
        // the mean in multiplications, where building rand_distr's sampler (BTPE setup) for
        // every cell and month dominated the run (profiled: an eighth of all time).
        if trials as f64 * p.min(1.0 - p) < INVERSION_MEAN {
            let k = if p <= 0.5 {
                binomial_inversion(self.rng, trials, p)
            } else {
                trials - binomial_inversion(self.rng, trials, 1.0 - p)
            };
            return (k as f64).min(n);
        }
        match Binomial::new(trials, p) {
            Ok(b) => (b.sample(self.rng) as f64).min(n),
            Err(_) => n * p,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn draws_have_the_expected_mean_and_variance_below_the_threshold() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut c = SmallCellDraws::new(&mut rng, 1000.0);
        let n = 200.5;
        let p = 0.1;
        let draws: Vec<f64> = (0..20_000).map(|_| c.binomial(n, p)).collect();
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / draws.len() as f64;
        // Mean n p = 20.05 with standard error sqrt(n p (1 − p) / 20 000) ≈ 0.03.
        assert!((mean - n * p).abs() < 0.15, "{mean}");
        // Variance ≈ n p (1 − p) = 18.0 (plus a little from the fractional member).
        assert!((var - n * p * (1.0 - p)).abs() < 1.0, "{var}");
        assert!(draws.iter().all(|&x| x == x.floor() && x <= n));
        let births: Vec<f64> = (0..20_000).map(|_| c.poisson(12.0)).collect();
        let mean = births.iter().sum::<f64>() / births.len() as f64;
        assert!((mean - 12.0).abs() < 0.15, "{mean}");
        // Small means go through inversion: mean, variance and P(0) = 0.95^30 or 0.95^31.
        let (n, p) = (30.4, 0.05);
        let draws: Vec<f64> = (0..40_000).map(|_| c.binomial(n, p)).collect();
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / draws.len() as f64;
        assert!((mean - n * p).abs() < 0.03, "{mean}");
        assert!((var - n * p * (1.0 - p)).abs() < 0.08, "{var}");
        let p0 = draws.iter().filter(|&&x| x == 0.0).count() as f64 / draws.len() as f64;
        let expected_p0 = 0.6 * 0.95f64.powi(30) + 0.4 * 0.95f64.powi(31);
        assert!((p0 - expected_p0).abs() < 0.01, "{p0} vs {expected_p0}");
        // p above one half by symmetry.
        let draws: Vec<f64> = (0..40_000).map(|_| c.binomial(12.0, 0.9)).collect();
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        assert!((mean - 10.8).abs() < 0.03, "{mean}");
        assert!(draws.iter().all(|&x| x <= 12.0));
        // At or above the threshold, expected values.
        assert_eq!(c.binomial(5000.0, 0.1), 500.0);
        // A unit that does not draw (run.random_counts_below_members) is projected with
        // `Expected`: expected values in its small cells too; the drawing one draws again.
        assert_eq!(Expected.binomial(30.4, 0.05), 30.4 * 0.05);
        assert_eq!(Expected.poisson(3.5), 3.5);
        let drawn: Vec<f64> = (0..50).map(|_| c.binomial(30.4, 0.05)).collect();
        assert!(drawn.iter().all(|&x| x == x.floor()) && drawn.iter().any(|&x| x > 0.0));
        assert_eq!(c.poisson(2000.0), 2000.0);
        assert_eq!(Expected.binomial(7.0, 0.5), 3.5);
    }
}
