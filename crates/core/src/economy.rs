//! Economic drivers: wage growth, medical price growth, utilisation, employment growth,
//! collection rate, interest rate, the fertility factor and the retirement take-up, one value
//! per calendar year.
//!
//! Growth rates and levels follow AR(1) around the scenario's (dated) means with the given
//! stationary volatility; the annual shocks are correlated through the scenario's correlation
//! matrix (Cholesky), except the retirement take-up's, which are independent and drawn last.
//! Drivers take `&mut impl Rng` and never seed one: the engine derives each path's stream.

use crate::params::Month;
use crate::scenario::{DriverSpec, EconomySpec};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

pub(crate) use crate::scenario::{DRIVER_NAMES, N_DRIVERS};

/// One path's drivers, indexed by year offset from the start year.
#[derive(Clone, Debug, PartialEq)]
pub struct DriverPath {
    pub(crate) first_year: i32,
    /// Annual log growth of the average wage.
    pub wage_growth: Vec<f64>,
    /// Annual log growth of medical prices.
    pub medical_price_growth: Vec<f64>,
    /// Annual log growth of utilisation per member.
    pub utilisation_growth: Vec<f64>,
    /// Annual growth of active contributors.
    pub employment_growth: Vec<f64>,
    /// Share of due contributions collected (0–1).
    pub(crate) collection_rate: Vec<f64>,
    /// Annual interest rate on positive balances.
    pub interest_rate: Vec<f64>,
    /// Multiplier on the ASFR table (level × stochastic trend).
    pub fertility_factor: Vec<f64>,
    /// Share of the year's retirements that become the fund's retirees (0–1).
    pub(crate) retirement_take_up: Vec<f64>,
}

impl DriverPath {
    pub fn years(&self) -> usize {
        self.wage_growth.len()
    }
    pub(crate) fn year_index(&self, year: i32) -> usize {
        (year - self.first_year).clamp(0, self.years() as i32 - 1) as usize
    }
}

/// Range of a sampled annual growth rate (wages, medical prices, utilisation, employment):
/// draws outside it are truncated to it, so that no path leaves the model's domain (members
/// and money stay positive and finite) however wide a scenario's volatility.
pub(crate) const GROWTH_DRAW_RANGE: (f64, f64) = (-0.5, 1.0);

/// Range of a sampled annual interest rate, likewise.
pub(crate) const INTEREST_DRAW_RANGE: (f64, f64) = (-0.05, 0.5);

/// Year-by-year means of every driver for the scenario's horizon (the expected path).
pub struct DriverModel {
    first_year: i32,
    n_years: usize,
    means: [Vec<f64>; 6],
    vols: [f64; 6],
    phis: [f64; 6],
    /// Standard deviation of each driver's mean error (parameter uncertainty), drawn once a
    /// path.
    mean_errors: [f64; 6],
    /// Standard deviation of each driver's yearly change of its mean (regime uncertainty): a
    /// random walk of the mean, drawn year by year.
    mean_drifts: [f64; 6],
    fertility_level: Vec<f64>,
    fertility_drift: f64,
    fertility_vol: f64,
    /// Persistence of the log factor's deviation (1: random walk).
    fertility_phi: f64,
    /// Bounds of the factor (the TFR bounds over the ASFR table's total).
    fertility_bounds: (f64, f64),
    /// Lower-triangular Cholesky factor of the shock correlation.
    chol: [[f64; N_DRIVERS]; N_DRIVERS],
    /// The retirement take-up's yearly means, volatility, persistence and mean error (its
    /// shocks are independent of the correlated drivers').
    take_up_mean: Vec<f64>,
    take_up_vol: f64,
    take_up_phi: f64,
    take_up_mean_error: f64,
    take_up_mean_drift: f64,
}

/// A driver's mean in the first year of a projection starting at `start`: the rate the past
/// before the start is carried at (the same on every path; a path's shocks, mean error and
/// drift begin with its first year).
pub(crate) fn first_year_mean(d: &DriverSpec, start: Month) -> f64 {
    year_means(d, &[start.year()])[0]
}

fn year_means(d: &DriverSpec, years: &[i32]) -> Vec<f64> {
    // The mean of a year is the value in force in its July (mid-year).
    years
        .iter()
        .map(|&y| {
            d.mean
                .at(Month::new(y, 7).unwrap_or(Month::from_index(y * 12 + 6)))
        })
        .collect()
}

impl DriverModel {
    /// `table_tfr`: the total fertility of the ASFR table the factor multiplies.
    pub fn new(e: &EconomySpec, start: Month, end: Month, table_tfr: f64) -> DriverModel {
        let years: Vec<i32> = (start.year()..=end.year()).collect();
        let specs = [
            &e.wage_growth,
            &e.medical_price_growth,
            &e.utilisation_growth,
            &e.employment_growth,
            &e.collection_rate,
            &e.interest_rate,
        ];
        let means = specs.map(|d| year_means(d, &years));
        let vols = specs.map(|d| d.volatility);
        let phis = specs.map(|d| d.persistence);
        let mean_errors = specs.map(|d| d.mean_uncertainty);
        let mean_drifts = specs.map(|d| d.mean_drift);
        let fertility_level = years
            .iter()
            .map(|&y| e.fertility.level.at(Month::from_index(y * 12 + 6)))
            .collect();
        let corr = e.correlation.clone().unwrap_or_else(identity);
        let chol = crate::numeric::cholesky(&corr, &DRIVER_NAMES).unwrap_or_else(|_| {
            let mut id = [[0.0; N_DRIVERS]; N_DRIVERS];
            for (i, row) in id.iter_mut().enumerate() {
                row[i] = 1.0;
            }
            id
        });
        DriverModel {
            first_year: start.year(),
            n_years: years.len(),
            means,
            vols,
            phis,
            mean_errors,
            mean_drifts,
            fertility_level,
            fertility_drift: e.fertility.drift,
            fertility_vol: e.fertility.volatility,
            fertility_phi: e.fertility.persistence,
            fertility_bounds: fertility_bounds(&e.fertility, table_tfr),
            chol,
            take_up_mean: year_means(&e.retirement_take_up, &years),
            take_up_vol: e.retirement_take_up.volatility,
            take_up_phi: e.retirement_take_up.persistence,
            take_up_mean_error: e.retirement_take_up.mean_uncertainty,
            take_up_mean_drift: e.retirement_take_up.mean_drift,
        }
    }

    /// The fertility factor of year `k` from its log deviation, within the TFR bounds.
    fn fertility(&self, k: usize, log_dev: f64) -> f64 {
        let (lo, hi) = self.fertility_bounds;
        (self.fertility_level[k] * log_dev.exp()).clamp(lo, hi)
    }

    /// Bounds of the annual growth of the cost index (medical prices + utilisation) that a
    /// path can reach short of a six-standard-deviation shock in both, over the horizon.
    /// Each driver's reach is held within [`GROWTH_DRAW_RANGE`], where its draws are truncated.
    pub(crate) fn cost_growth_bounds(&self) -> (f64, f64) {
        let (floor, ceiling) = GROWTH_DRAW_RANGE;
        let reach = |d: usize, k: usize, sign: f64| {
            // The mean's random walk has moved by √(k + 1) yearly steps in year k.
            let walk = self.mean_drifts[d] * ((k + 1) as f64).sqrt();
            let spread = self.vols[d] + self.mean_errors[d] + walk;
            (self.means[d][k] + sign * 6.0 * spread).clamp(floor, ceiling)
        };
        let lo = (0..self.n_years)
            .map(|k| reach(1, k, -1.0) + reach(2, k, -1.0))
            .fold(f64::INFINITY, f64::min);
        let hi = (0..self.n_years)
            .map(|k| reach(1, k, 1.0) + reach(2, k, 1.0))
            .fold(f64::NEG_INFINITY, f64::max);
        (lo, hi)
    }

    pub fn n_years(&self) -> usize {
        self.n_years
    }

    /// The path with every shock zero: the deterministic projection.
    pub fn expected(&self) -> DriverPath {
        let mut log_dev = 0.0;
        let fert = (0..self.n_years)
            .map(|k| {
                if self.fertility_phi == 1.0 {
                    log_dev = self.fertility_drift * k as f64;
                } else if k > 0 {
                    log_dev = self.fertility_phi * log_dev + self.fertility_drift;
                }
                self.fertility(k, log_dev)
            })
            .collect();
        self.assemble(self.means.clone(), fert, self.take_up_mean.clone())
    }

    /// One stochastic path. Draws exactly `N_DRIVERS × years` standard normals, then, when a
    /// driver's mean is uncertain, `N_DRIVERS` more for the path's mean errors (correlated as
    /// the annual shocks: a calibrated mean's error is an average of those shocks), then, when
    /// a driver's mean drifts, `N_DRIVERS × years` more for the yearly steps of the means'
    /// random walks (correlated likewise), then, when the retirement take-up is uncertain,
    /// `years` + 1 more for it (independent; `years` more when its mean drifts), so that a
    /// scenario without any of these draws what it drew before.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> DriverPath {
        let mut values = self.means.clone();
        let mut dev = [0.0; 6];
        let mut log_fert = 0.0;
        let mut fert = Vec::with_capacity(self.n_years);
        for k in 0..self.n_years {
            let eps = self.correlated_shocks(rng);
            for d in 0..6 {
                dev[d] = ar1_step(dev[d], k, self.phis[d], self.vols[d], eps[d]);
                values[d][k] += dev[d];
            }
            let shock = self.fertility_vol * eps[6];
            log_fert = if k == 0 {
                shock
            } else if self.fertility_phi == 1.0 {
                log_fert + (self.fertility_drift + shock)
            } else {
                self.fertility_phi * log_fert + self.fertility_drift + shock
            };
            fert.push(self.fertility(k, log_fert));
        }
        if self.mean_errors.iter().any(|&e| e > 0.0) {
            let eps = self.correlated_shocks(rng);
            for d in 0..6 {
                let offset = self.mean_errors[d] * eps[d];
                values[d].iter_mut().for_each(|v| *v += offset);
            }
        }
        if self.mean_drifts.iter().any(|&e| e > 0.0) {
            let mut walk = [0.0; 6];
            for k in 0..self.n_years {
                let eps = self.correlated_shocks(rng);
                for d in 0..6 {
                    walk[d] += self.mean_drifts[d] * eps[d];
                    values[d][k] += walk[d];
                }
            }
        }
        // The collection rate is held at 0 below but not at 1 above: a unit's collection level
        // (solved on its base year's income) multiplies it, so its mean is what the level is
        // solved against, and a ceiling at 1 would cut the draws above the mean and lower the
        // mean collection below it (by 0.33 % of income at national-2025's 0.95 ± 4.57 points).
        values[4].iter_mut().for_each(|c| *c = c.max(0.0));
        // Growth rates are truncated to a domain the model can carry: no fall of more than
        // half, no more than a doubling in a year; interest rates likewise.
        for d in 0..4 {
            let (lo, hi) = GROWTH_DRAW_RANGE;
            values[d].iter_mut().for_each(|g| *g = g.clamp(lo, hi));
        }
        let (lo, hi) = INTEREST_DRAW_RANGE;
        values[5].iter_mut().for_each(|r| *r = r.clamp(lo, hi));
        let take_up = self.sample_take_up(rng);
        self.assemble(values, fert, take_up)
    }

    /// The retirement take-up of every year: AR(1) around its means plus one offset of the
    /// mean a path, at least 0 (a unit holds its product with its level within 0–1); its means
    /// without drawing where neither is uncertain.
    fn sample_take_up<R: Rng + ?Sized>(&self, rng: &mut R) -> Vec<f64> {
        let mut take_up = self.take_up_mean.clone();
        if self.take_up_vol == 0.0
            && self.take_up_mean_error == 0.0
            && self.take_up_mean_drift == 0.0
        {
            return take_up;
        }
        let mut dev = 0.0;
        for (k, v) in take_up.iter_mut().enumerate() {
            let eps: f64 = StandardNormal.sample(rng);
            dev = ar1_step(dev, k, self.take_up_phi, self.take_up_vol, eps);
            *v += dev;
        }
        let eps: f64 = StandardNormal.sample(rng);
        let offset = self.take_up_mean_error * eps;
        if self.take_up_mean_drift > 0.0 {
            let mut walk = 0.0;
            for v in take_up.iter_mut() {
                let eps: f64 = StandardNormal.sample(rng);
                walk += self.take_up_mean_drift * eps;
                *v += walk;
            }
        }
        // Held at 0 below, not at 1 above: a unit's take-up is this times its level, held
        // within 0–1 there (`PopulationModel::take_up`). A unit whose level is below 1 (solved
        // on its base year) takes the driver's upper tail too.
        take_up.iter_mut().for_each(|v| *v = (*v + offset).max(0.0));
        take_up
    }

    /// `N_DRIVERS` standard normals, correlated by the Cholesky factor.
    fn correlated_shocks<R: Rng + ?Sized>(&self, rng: &mut R) -> [f64; N_DRIVERS] {
        let mut z = [0.0; N_DRIVERS];
        for zi in z.iter_mut() {
            *zi = StandardNormal.sample(rng);
        }
        let mut eps = [0.0; N_DRIVERS];
        for i in 0..N_DRIVERS {
            eps[i] = (0..=i).map(|j| self.chol[i][j] * z[j]).sum();
        }
        eps
    }

    fn assemble(
        &self,
        v: [Vec<f64>; 6],
        fertility_factor: Vec<f64>,
        retirement_take_up: Vec<f64>,
    ) -> DriverPath {
        let [
            wage_growth,
            medical_price_growth,
            utilisation_growth,
            employment_growth,
            collection_rate,
            interest_rate,
        ] = v;
        DriverPath {
            first_year: self.first_year,
            wage_growth,
            medical_price_growth,
            utilisation_growth,
            employment_growth,
            collection_rate,
            interest_rate,
            fertility_factor,
            retirement_take_up,
        }
    }
}

/// The deviation of year `k` of an AR(1) process with persistence `phi` and stationary
/// standard deviation `vol`, from the year before's `dev` and a standard normal `eps` (year 0
/// starts in the stationary distribution).
#[inline]
fn ar1_step(dev: f64, k: usize, phi: f64, vol: f64, eps: f64) -> f64 {
    if k == 0 {
        vol * eps
    } else {
        phi * dev + vol * (1.0 - phi * phi).sqrt() * eps
    }
}

/// Bounds of the fertility factor: the scenario's TFR bounds over the table's total fertility
/// (none where the scenario gives none).
fn fertility_bounds(f: &crate::scenario::FertilitySpec, table_tfr: f64) -> (f64, f64) {
    let over = |tfr: f64| {
        if table_tfr > 0.0 {
            tfr / table_tfr
        } else {
            f64::INFINITY
        }
    };
    (
        f.tfr_min.map_or(0.0, over),
        f.tfr_max.map_or(f64::INFINITY, over),
    )
}

fn identity() -> Vec<Vec<f64>> {
    (0..N_DRIVERS)
        .map(|i| {
            (0..N_DRIVERS)
                .map(|j| f64::from(u8::from(i == j)))
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::check_correlation;
    use rand::{RngExt, SeedableRng};

    /// The first year's value of one driver (`pick`) on paths 0 … n − 1, each drawn from its
    /// own stream.
    fn first_year_draws(model: &DriverModel, n: usize, pick: fn(&DriverPath) -> f64) -> Vec<f64> {
        (0..n as u64)
            .map(|p| pick(&model.sample(&mut rand_chacha::ChaCha8Rng::seed_from_u64(p))))
            .collect()
    }

    fn fertility_model(extra: &str) -> DriverModel {
        let text = format!("[fertility]\nlevel = 0.8\nvolatility = 0.1\n{extra}\n");
        let spec: EconomySpec = toml::from_str(&text).unwrap();
        let start = Month::new(2023, 1).unwrap();
        DriverModel::new(&spec, start, start.plus(12 * 60 - 1), 1.3)
    }

    /// A persistence below 1 makes the log factor revert: its spread settles at
    /// volatility / √(1 − φ²) instead of growing with √years; the TFR bounds hold on every path.
    #[test]
    fn fertility_reverts_and_stays_within_its_bounds() {
        let bounded = fertility_model("persistence = 0.8\ntfr_min = 0.7\ntfr_max = 1.3");
        let walk = fertility_model("");
        let free = fertility_model("persistence = 0.8");
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let (mut min, mut max) = (f64::INFINITY, 0.0_f64);
        let (mut sum_sq_free, mut sum_sq_walk) = (0.0, 0.0);
        let n = 2000;
        for _ in 0..n {
            let f = bounded.sample(&mut rng).fertility_factor;
            min = min.min(f.iter().copied().fold(f64::INFINITY, f64::min));
            max = max.max(f.iter().copied().fold(0.0, f64::max));
            let last = free.sample(&mut rng).fertility_factor[59];
            sum_sq_free += (last / 0.8).ln().powi(2);
            let last = walk.sample(&mut rng).fertility_factor[59];
            sum_sq_walk += (last / 0.8).ln().powi(2);
        }
        // The factor times the table's TFR (1.3) stays within 0.7–1.3 and reaches both bounds.
        assert!(
            min >= 0.7 / 1.3 - 1e-12 && max <= 1.0 + 1e-12,
            "{min} {max}"
        );
        assert!(min < 0.7 / 1.3 + 1e-9 && max > 1.0 - 1e-9);
        let sd_free = (sum_sq_free / f64::from(n)).sqrt();
        let sd_walk = (sum_sq_walk / f64::from(n)).sqrt();
        let stationary = 0.1 / (1.0_f64 - 0.64).sqrt();
        assert!(
            (sd_free / stationary - 1.0).abs() < 0.06,
            "{sd_free} vs {stationary}"
        );
        assert!(
            (sd_walk / (0.1 * 60f64.sqrt()) - 1.0).abs() < 0.06,
            "{sd_walk}"
        );
        // The expected path: no drift, so the level itself, also with persistence.
        assert!(free.expected().fertility_factor.iter().all(|&f| f == 0.8));
    }

    /// A drift reverts too: the expected log factor tends to drift / (1 − φ).
    #[test]
    fn fertility_drift_settles_under_reversion() {
        let m = fertility_model("persistence = 0.5\ndrift = -0.05");
        let f = m.expected().fertility_factor;
        let settled = 0.8 * (-0.05_f64 / 0.5).exp();
        assert!((f[59] - settled).abs() < 1e-12, "{} vs {settled}", f[59]);
        assert!((f[1] - 0.8 * (-0.05_f64).exp()).abs() < 1e-15);
        let walk = fertility_model("drift = -0.05").expected().fertility_factor;
        assert!((walk[59] - 0.8 * (-0.05_f64 * 59.0).exp()).abs() < 1e-12);
    }

    fn wage_model(wage: &str) -> DriverModel {
        let text = format!(
            "wage_growth = {{ {wage} }}\nemployment_growth = {{ mean = 0.01, volatility = 0.02 }}\n"
        );
        let spec: EconomySpec = toml::from_str(&text).unwrap();
        let start = Month::new(2023, 1).unwrap();
        DriverModel::new(&spec, start, start.plus(12 * 8 - 1), 1.3)
    }

    /// Parameter uncertainty: one offset of the mean a path, held over every year, with the
    /// stated standard deviation; the annual shocks are those the path draws without it.
    #[test]
    fn mean_uncertainty_is_one_offset_a_path() {
        let known = wage_model("mean = 0.05, volatility = 0.01, persistence = 0.5");
        let uncertain = wage_model(
            "mean = 0.05, volatility = 0.01, persistence = 0.5, mean_uncertainty = 0.02",
        );
        let n = 4000;
        let mut offsets = Vec::with_capacity(n);
        for p in 0..n as u64 {
            let a = known.sample(&mut rand_chacha::ChaCha8Rng::seed_from_u64(p));
            let b = uncertain.sample(&mut rand_chacha::ChaCha8Rng::seed_from_u64(p));
            let offset = b.wage_growth[0] - a.wage_growth[0];
            for k in 0..a.wage_growth.len() {
                assert!((b.wage_growth[k] - a.wage_growth[k] - offset).abs() < 1e-15);
                // Drivers without mean uncertainty are untouched.
                assert_eq!(a.employment_growth[k], b.employment_growth[k]);
            }
            offsets.push(offset);
        }
        let mean = offsets.iter().sum::<f64>() / n as f64;
        let sd = (offsets.iter().map(|o| (o - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
        // Standard errors: 0.02/√4000 = 0.00032 for the mean, 0.02/√8000 = 0.00022 for the sd.
        assert!(mean.abs() < 0.001, "mean offset {mean}");
        assert!((sd - 0.02).abs() < 0.0007, "sd of the offsets {sd}");
        // The expected path ignores it.
        assert_eq!(
            known.expected().wage_growth,
            uncertain.expected().wage_growth
        );
    }

    /// The next random word after one path of `m` and after `N_DRIVERS × years + extra`
    /// standard normals, from the same seed: equal when the path drew exactly that many.
    fn draws_then(years: usize, m: &DriverModel, extra: usize) -> (u64, u64) {
        let mut a = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        m.sample(&mut a);
        let mut b = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for _ in 0..N_DRIVERS * years + extra {
            let _: f64 = StandardNormal.sample(&mut b);
        }
        (a.random::<u64>(), b.random::<u64>())
    }

    /// Without mean uncertainty a path draws exactly N_DRIVERS × years normals, as before the
    /// field existed; with it, N_DRIVERS more.
    #[test]
    fn mean_uncertainty_draws_only_where_given() {
        let years = 8;
        let (a, b) = draws_then(years, &wage_model("mean = 0.05, volatility = 0.01"), 0);
        assert_eq!(a, b);
        let (a, b) = draws_then(
            years,
            &wage_model("mean = 0.05, volatility = 0.01, mean_uncertainty = 0.01"),
            N_DRIVERS,
        );
        assert_eq!(a, b);
    }

    /// Regime uncertainty: the mean's random walk adds, to the path drawn without it, an
    /// offset whose yearly steps have the stated spread (variance of year k's offset
    /// (k + 1)·σ²), drawn after the mean errors; drivers without it are untouched, and it
    /// costs `N_DRIVERS × years` normals only where given.
    #[test]
    fn mean_drift_is_a_random_walk_of_the_mean() {
        let still = wage_model("mean = 0.05, volatility = 0.01, persistence = 0.5");
        let moving =
            wage_model("mean = 0.05, volatility = 0.01, persistence = 0.5, mean_drift = 0.01");
        let n = 4000;
        let (mut first, mut last, mut step) = (vec![], vec![], vec![]);
        for p in 0..n as u64 {
            let a = still.sample(&mut rand_chacha::ChaCha8Rng::seed_from_u64(p));
            let b = moving.sample(&mut rand_chacha::ChaCha8Rng::seed_from_u64(p));
            assert_eq!(a.employment_growth, b.employment_growth);
            let walk: Vec<f64> = (0..8)
                .map(|k| b.wage_growth[k] - a.wage_growth[k])
                .collect();
            first.push(walk[0]);
            last.push(walk[7]);
            step.push(walk[5] - walk[4]);
        }
        let sd = |v: &[f64]| {
            let m = v.iter().sum::<f64>() / v.len() as f64;
            let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64;
            (m, var.sqrt())
        };
        // Year 0: one step, 0.01; year 7: eight steps, 0.01·√8 = 0.02828; one step 0.01.
        // Standard errors of the sds: 1.1 % of each.
        for (v, want) in [(&first, 0.01), (&last, 0.01 * 8f64.sqrt()), (&step, 0.01)] {
            let (m, s) = sd(v);
            assert!(m.abs() < 4.0 * want / (n as f64).sqrt(), "{m}");
            assert!((s / want - 1.0).abs() < 0.045, "{s} vs {want}");
        }
        assert_eq!(still.expected().wage_growth, moving.expected().wage_growth);
        let (a, b) = draws_then(8, &moving, N_DRIVERS * 8);
        assert_eq!(a, b);
        // The cost index's reach widens with a walk of utilisation: by 6 × 0.02 × √8 at the
        // top in the last year (and not with a walk of wages).
        let cost = |extra: &str| {
            let text = format!(
                "utilisation_growth = {{ mean = 0.04, volatility = 0.01{extra} }}\nmedical_price_growth = {{ mean = 0.01 }}\n"
            );
            let spec: EconomySpec = toml::from_str(&text).unwrap();
            let start = Month::new(2023, 1).unwrap();
            DriverModel::new(&spec, start, start.plus(12 * 8 - 1), 1.3).cost_growth_bounds()
        };
        let (lo0, hi0) = cost("");
        let (lo1, hi1) = cost(", mean_drift = 0.02");
        assert!((hi0 - (0.05 + 0.06)).abs() < 1e-12, "{hi0}");
        assert!(
            (hi1 - hi0 - 6.0 * 0.02 * 8f64.sqrt()).abs() < 1e-12,
            "{hi1}"
        );
        assert!(
            (lo0 - lo1 - 6.0 * 0.02 * 8f64.sqrt()).abs() < 1e-12,
            "{lo1}"
        );
        let wide = wage_model("mean = 0.05, volatility = 0.01, mean_drift = 0.01");
        assert_eq!(wide.cost_growth_bounds(), still.cost_growth_bounds());
    }

    /// The retirement take-up: certain, a path draws nothing for it (its value is the mean);
    /// uncertain, it draws `years` + 1 normals after every other driver's, which are unchanged,
    /// and its spread is the stated volatility and mean uncertainty.
    #[test]
    fn retirement_take_up_draws_after_the_others() {
        let certain = wage_model("mean = 0.05, volatility = 0.01");
        let model = |extra: &str| {
            let text = format!(
                "wage_growth = {{ mean = 0.05, volatility = 0.01 }}\nemployment_growth = {{ mean = 0.01, volatility = 0.02 }}\nretirement_take_up = {{ mean = 0.8{extra} }}\n"
            );
            let spec: EconomySpec = toml::from_str(&text).unwrap();
            let start = Month::new(2023, 1).unwrap();
            DriverModel::new(&spec, start, start.plus(12 * 8 - 1), 1.3)
        };
        let fixed = model("");
        let uncertain = model(", volatility = 0.05, mean_uncertainty = 0.03");
        let years = 8;
        let n = 4000;
        let (mut first, mut change) = (Vec::with_capacity(n), Vec::with_capacity(n));
        for p in 0..n as u64 {
            let a = certain.sample(&mut rand_chacha::ChaCha8Rng::seed_from_u64(p));
            let b = fixed.sample(&mut rand_chacha::ChaCha8Rng::seed_from_u64(p));
            let c = uncertain.sample(&mut rand_chacha::ChaCha8Rng::seed_from_u64(p));
            assert_eq!(a.wage_growth, c.wage_growth);
            assert_eq!(a.employment_growth, c.employment_growth);
            assert_eq!(a.fertility_factor, c.fertility_factor);
            assert!(b.retirement_take_up.iter().all(|&t| t == 0.8));
            assert!(a.retirement_take_up.iter().all(|&t| t == 1.0));
            first.push(c.retirement_take_up[0]);
            change.push(c.retirement_take_up[7] - c.retirement_take_up[0]);
        }
        let sd = |v: &[f64]| {
            let m = v.iter().sum::<f64>() / v.len() as f64;
            let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64;
            (m, var.sqrt())
        };
        // A year's spread: √(0.05² + 0.03²) = 0.0583; a change over years (no persistence):
        // √2 × 0.05 = 0.0707 (the mean's offset cancels). Standard errors about 0.0007.
        let (m, s) = sd(&first);
        assert!((m - 0.8).abs() < 0.003, "{m}");
        assert!((s - 0.0583).abs() < 0.002, "{s}");
        let (m, s) = sd(&change);
        assert!(m.abs() < 0.004, "{m}");
        assert!((s - 0.0707).abs() < 0.0025, "{s}");
        // At a mean of 1 the draws are not held at 1 (a unit's level, below 1, multiplies
        // them; the unit holds the product within 0–1): about half lie above, and their mean
        // is the mean.
        let at_one = {
            let text = "wage_growth = { mean = 0.05, volatility = 0.01 }\nretirement_take_up = { mean = 1.0, volatility = 0.05, mean_uncertainty = 0.03 }\n";
            let spec: EconomySpec = toml::from_str(text).unwrap();
            let start = Month::new(2023, 1).unwrap();
            DriverModel::new(&spec, start, start.plus(12 * 8 - 1), 1.3)
        };
        let firsts = first_year_draws(&at_one, n, |d| d.retirement_take_up[0]);
        let above = firsts.iter().filter(|&&t| t > 1.0).count() as f64 / n as f64;
        assert!((above - 0.5).abs() < 0.03, "{above}");
        let (m, s) = sd(&firsts);
        assert!(
            (m - 1.0).abs() < 0.003 && (s - 0.0583).abs() < 0.002,
            "{m} {s}"
        );
        // The number of normals drawn.
        let (a, b) = draws_then(years, &fixed, 0);
        assert_eq!(a, b);
        let (a, b) = draws_then(years, &uncertain, years + 1);
        assert_eq!(a, b);
    }

    /// The collection rate's draws are held at 0 only: at a mean of 0.95 and a volatility of
    /// 0.0457 (national-2025's), draws above 1 are kept and the mean of the draws is the mean
    /// (a ceiling at 1 would lower it by 0.0032, the normal's E[(X − 1)+]).
    #[test]
    fn collection_draws_keep_their_upper_tail() {
        let text = "collection_rate = { mean = 0.95, volatility = 0.0457 }\n";
        let spec: EconomySpec = toml::from_str(text).unwrap();
        let start = Month::new(2025, 1).unwrap();
        let model = DriverModel::new(&spec, start, start.plus(11), 1.3);
        let n = 40_000;
        let draws = first_year_draws(&model, n, |d| d.collection_rate[0]);
        let mean = draws.iter().sum::<f64>() / n as f64;
        let above = draws.iter().filter(|&&c| c > 1.0).count() as f64 / n as f64;
        // P(X > 1) = 1 − Φ(0.05 / 0.0457) = 0.137; the mean's standard error is 0.00023.
        assert!((above - 0.137).abs() < 0.01, "{above}");
        assert!((mean - 0.95).abs() < 0.001, "{mean}");
        // No draw below 0, even far down.
        let low: EconomySpec =
            toml::from_str("collection_rate = { mean = 0.05, volatility = 0.1 }\n").unwrap();
        let low = DriverModel::new(&low, start, start.plus(11), 1.3);
        let low_draws = first_year_draws(&low, 2000, |d| d.collection_rate[0]);
        assert!(low_draws.iter().all(|&c| c >= 0.0));
        let zeros = low_draws.iter().filter(|&&c| c == 0.0).count();
        assert!(zeros > 500, "{zeros}");
    }

    #[test]
    fn correlation_checks() {
        let mut c = identity();
        assert!(check_correlation(&c).is_ok());
        c[0][1] = 0.9;
        assert!(check_correlation(&c).unwrap_err().contains("symmetric"));
        c[1][0] = 0.9;
        assert!(check_correlation(&c).is_ok());
        // 0.9, 0.9 and -0.9 among three variables is not a correlation matrix.
        c[0][2] = 0.9;
        c[2][0] = 0.9;
        c[1][2] = -0.9;
        c[2][1] = -0.9;
        assert!(
            check_correlation(&c)
                .unwrap_err()
                .contains("positive semi-definite")
        );
        let mut d = identity();
        d[3][3] = 0.5;
        assert!(check_correlation(&d).unwrap_err().contains("diagonal"));
    }
}
