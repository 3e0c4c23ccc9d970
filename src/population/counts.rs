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

/// Draws for cells (or monthly birth counts) below `threshold` persons; expected values above.
pub struct SmallCellDraws<'a, R: ?Sized> {
    pub rng: &'a mut R,
    /// Persons; 0 turns every draw off.
    pub threshold: f64,
}

impl<R: Rng + ?Sized> Counts for SmallCellDraws<'_, R> {
    fn binomial(&mut self, n: f64, p: f64) -> f64 {
        if n >= self.threshold || n <= 0.0 || p <= 0.0 {
            return n * p;
        }
        if p >= 1.0 {
            return n;
        }
        // A fractional cell has floor(n) or ceil(n) members, with the right mean.
        let whole = n.floor();
        let extra = u64::from(self.rng.random::<f64>() < n - whole);
        let trials = whole as u64 + extra;
        match Binomial::new(trials, p) {
            Ok(b) => (b.sample(self.rng) as f64).min(n),
            Err(_) => n * p,
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn draws_have_the_expected_mean_and_variance_below_the_threshold() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut c = SmallCellDraws {
            rng: &mut rng,
            threshold: 1000.0,
        };
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
        // At or above the threshold, expected values.
        assert_eq!(c.binomial(5000.0, 0.1), 500.0);
        assert_eq!(c.poisson(2000.0), 2000.0);
        assert_eq!(Expected.binomial(7.0, 0.5), 3.5);
    }
}
