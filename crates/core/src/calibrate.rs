//! Calibration of the economic drivers from public annual series (`data/calibration/`).
//!
//! Each driver of MODEL.md ("Economy") is an AR(1) deviation around a mean with a stationary
//! volatility, and the drivers' annual shocks are correlated. From a series of annual log growth
//! rates x₁…xₙ this module estimates:
//!
//! - the mean, x̄, with standard error s/√n · √((1+φ)/(1−φ)) (the AR(1) inflation of the variance
//!   of a mean);
//! - the volatility, the sample standard deviation s, with standard error s/√(2(n−1));
//! - the persistence φ, the lag-1 autocorrelation (Yule–Walker), held to [0, 0.95] as the
//!   scenario format requires, with standard error √((1−φ²)/n);
//! - the correlation of two drivers' shocks eₜ = (xₜ − x̄) − φ(xₜ₋₁ − x̄) over the years both have,
//!   with standard error (1−r²)/√(m−3) (Fisher's approximation; m shocks).
//!
//! The estimates are written as a TOML fragment a scenario includes (`include = [...]`), with the
//! window and the standard error of every estimate, so the scenarios say which calibration they
//! use. Only years inside the window are read: a backtest calibrates on the years before it
//! starts.

use crate::data::Table;
use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::path::Path;

/// An estimate and its standard error.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    pub value: f64,
    pub se: f64,
}

/// An annual series of levels by calendar year.
#[derive(Clone, Debug, Default)]
pub struct Series {
    pub name: String,
    /// Where it comes from (file and column), for the fragment's comments.
    pub source: String,
    pub values: BTreeMap<i32, f64>,
}

impl Series {
    /// Log growth rates ln(v_t / v_{t−1}) for the years t whose year before is also present.
    pub(crate) fn log_growth(&self) -> BTreeMap<i32, f64> {
        self.values
            .iter()
            .filter_map(|(&y, &v)| {
                let prev = self.values.get(&(y - 1))?;
                (v > 0.0 && *prev > 0.0).then(|| (y, (v / prev).ln()))
            })
            .collect()
    }
}

/// The estimates of one AR(1) driver from its annual values.
#[derive(Clone, Debug, PartialEq)]
pub struct DriverEstimate {
    /// The driver's name in `[economy]` (e.g. `wage_growth`).
    pub driver: String,
    /// What was measured, for the comment and the `source` field.
    pub measure: String,
    pub first_year: i32,
    pub last_year: i32,
    pub n: usize,
    pub mean: Estimate,
    pub volatility: Estimate,
    pub persistence: Estimate,
    /// The annual values the estimates come from.
    pub values: BTreeMap<i32, f64>,
}

/// Largest persistence written: the scenario format needs φ < 1, and short series cannot tell
/// 0.95 from a unit root.
pub(crate) const MAX_PERSISTENCE: f64 = 0.95;

/// Fewest annual values an estimate is made from.
pub(crate) const MIN_VALUES: usize = 4;

/// Mean, volatility and persistence of an AR(1) series of annual values by year, with
/// standard errors. The lag-1 products are taken over consecutive years only (a gap in the
/// series breaks the chain), scaled to the n − 1 products of a series without gaps.
pub(crate) fn estimate_ar1(values: &BTreeMap<i32, f64>) -> Option<(Estimate, Estimate, Estimate)> {
    let n = values.len();
    if n < MIN_VALUES || values.values().any(|v| !v.is_finite()) {
        return None;
    }
    let nf = n as f64;
    let mean = values.values().sum::<f64>() / nf;
    let ss: f64 = values.values().map(|v| (v - mean).powi(2)).sum();
    let sd = (ss / (nf - 1.0)).sqrt();
    let (mut lag, mut pairs) = (0.0, 0usize);
    for (y, x) in values {
        if let Some(prev) = values.get(&(y - 1)) {
            lag += (prev - mean) * (x - mean);
            pairs += 1;
        }
    }
    let phi = if ss > 0.0 && pairs > 0 {
        (lag / ss * (nf - 1.0) / pairs as f64).clamp(0.0, MAX_PERSISTENCE)
    } else {
        0.0
    };
    let inflation = ((1.0 + phi) / (1.0 - phi)).sqrt();
    Some((
        Estimate {
            value: mean,
            se: sd / nf.sqrt() * inflation,
        },
        Estimate {
            value: sd,
            se: sd / (2.0 * (nf - 1.0)).sqrt(),
        },
        Estimate {
            value: phi,
            se: ((1.0 - phi * phi) / nf).sqrt(),
        },
    ))
}

/// A local-level fit of the wage's log growth: the first and last year of growth rates, and the
/// fit.
pub type WageFit = (i32, i32, LocalLevel);

/// The local-level model of an annual series: yₜ = μₜ + εₜ, μₜ₊₁ = μₜ + ηₜ, with white
/// noise ε (sd `noise`) and a random walk of the level μ whose yearly steps η have sd `drift`
/// (Harvey's "random walk plus noise", the simplest model in which the mean itself moves).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LocalLevel {
    /// Growth rates it was estimated on.
    pub n: usize,
    /// Standard deviation of the level's yearly step (the mean's drift).
    pub drift: f64,
    /// Standard deviation of the noise around the level.
    pub noise: f64,
    /// The level filtered to the last year (the estimate of the mean now), and its standard
    /// deviation (the filter's, before the next year's step).
    pub level: f64,
    pub level_sd: f64,
}

/// The Kalman filter of the local-level model with signal-to-noise ratio `q` = drift² / noise²
/// on consecutive annual values `y` (the level diffuse before the first): the log-likelihood
/// with the noise variance concentrated out (constants dropped), that variance, and the level
/// and its variance (in units of the noise variance) one year after the last value.
pub(crate) fn local_level_filter(y: &[f64], q: f64) -> (f64, f64, f64, f64) {
    let (mut level, mut p) = (y[0], 1.0 + q);
    let (mut sum_v2_f, mut sum_log_f) = (0.0, 0.0);
    for &x in &y[1..] {
        let f = p + 1.0;
        let v = x - level;
        let gain = p / f;
        level += gain * v;
        p = p * (1.0 - gain) + q;
        sum_v2_f += v * v / f;
        sum_log_f += f.ln();
    }
    let m = (y.len() - 1) as f64;
    let noise_var = sum_v2_f / m;
    (
        -0.5 * m * noise_var.ln() - 0.5 * sum_log_f,
        noise_var,
        level,
        p,
    )
}

/// The local-level model fitted by maximum likelihood to `values` (consecutive years; `None`
/// with a gap, fewer than [`MIN_LOCAL_LEVEL_VALUES`] or a constant series). The ratio q is
/// searched over e⁻¹²…e⁸ in steps of 0.01 in ln q (the drift's precision, 0.5 %); at the lower
/// end the series shows no drift (q = 0 is the boundary where short series often put it).
pub fn estimate_local_level(values: &BTreeMap<i32, f64>) -> Option<LocalLevel> {
    let n = values.len();
    let (&first, &last) = (values.keys().next()?, values.keys().next_back()?);
    if n < MIN_LOCAL_LEVEL_VALUES
        || (last - first) as usize != n - 1
        || values.values().any(|v| !v.is_finite())
    {
        return None;
    }
    let y: Vec<f64> = values.values().copied().collect();
    let (_, best) = (-1200..=800)
        .map(|i| f64::from(i) * 0.01)
        .map(|ln_q| (local_level_filter(&y, ln_q.exp()).0, ln_q))
        .filter(|(l, _)| l.is_finite())
        .fold(
            (f64::NEG_INFINITY, f64::NAN),
            |a, b| if b.0 > a.0 { b } else { a },
        );
    if best.is_nan() {
        return None;
    }
    let q = best.exp();
    let (_, noise_var, level, p) = local_level_filter(&y, q);
    Some(LocalLevel {
        n,
        drift: (q * noise_var).sqrt(),
        noise: noise_var.sqrt(),
        level,
        // `p` is the level's variance a year after the last value: less the step, at it.
        level_sd: ((p - q).max(0.0) * noise_var).sqrt(),
    })
}

/// Fewest consecutive annual values a local-level model is fitted to: its drift is told from
/// its noise only over many years.
pub const MIN_LOCAL_LEVEL_VALUES: usize = 10;

impl DriverEstimate {
    /// Estimates a driver from its annual values (years in order, gaps allowed).
    pub fn new(driver: &str, measure: &str, values: BTreeMap<i32, f64>) -> Option<DriverEstimate> {
        let (mean, volatility, persistence) = estimate_ar1(&values)?;
        Some(DriverEstimate {
            driver: driver.to_string(),
            measure: measure.to_string(),
            first_year: *values.keys().next()?,
            last_year: *values.keys().next_back()?,
            n: values.len(),
            mean,
            volatility,
            persistence,
            values,
        })
    }

    /// The AR(1) shocks eₜ = (xₜ − x̄) − φ(xₜ₋₁ − x̄), by year, for the years whose year before
    /// has a value.
    pub fn shocks(&self) -> BTreeMap<i32, f64> {
        let m = self.mean.value;
        let phi = self.persistence.value;
        self.values
            .iter()
            .filter_map(|(&y, &x)| {
                let prev = self.values.get(&(y - 1))?;
                Some((y, (x - m) - phi * (prev - m)))
            })
            .collect()
    }
}

/// Correlation of two drivers' shocks over the years both have, with its standard error.
pub(crate) fn shock_correlation(
    a: &DriverEstimate,
    b: &DriverEstimate,
) -> Option<(Estimate, usize)> {
    let (sa, sb) = (a.shocks(), b.shocks());
    let pairs: Vec<(f64, f64)> = sa
        .iter()
        .filter_map(|(y, x)| sb.get(y).map(|z| (*x, *z)))
        .collect();
    let m = pairs.len();
    if m < MIN_VALUES {
        return None;
    }
    let mf = m as f64;
    let (ma, mb) = (
        pairs.iter().map(|p| p.0).sum::<f64>() / mf,
        pairs.iter().map(|p| p.1).sum::<f64>() / mf,
    );
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, z) in &pairs {
        sab += (x - ma) * (z - mb);
        saa += (x - ma).powi(2);
        sbb += (z - mb).powi(2);
    }
    if saa <= 0.0 || sbb <= 0.0 {
        return None;
    }
    let r = (sab / (saa * sbb).sqrt()).clamp(-1.0, 1.0);
    Some((
        Estimate {
            value: r,
            se: (1.0 - r * r) / (mf - 3.0).max(1.0).sqrt(),
        },
        m,
    ))
}

/// Drivers in the order of `economy.correlation`.
pub(crate) const CORRELATION_ORDER: [&str; 7] = crate::scenario::DRIVER_NAMES;

/// A calibration: driver estimates, their shock correlations and what could not be estimated.
#[derive(Clone, Debug)]
pub struct Calibration {
    pub name: String,
    /// Years of growth rates read (inclusive).
    pub window: (i32, i32),
    pub drivers: Vec<DriverEstimate>,
    /// (i, j) in `drivers`, i < j.
    pub correlations: Vec<(usize, usize, Estimate, usize)>,
    /// Drivers left to the scenario, with the reason.
    pub not_estimated: Vec<(String, String)>,
    /// Files read.
    pub sources: Vec<String>,
    /// The drift of the wage growth's mean (regime uncertainty), when asked for
    /// ([`Calibration::with_wage_drift`]).
    pub wage_drift: Option<WageFit>,
}

impl Calibration {
    /// The standard error of `driver`'s mean as the fragment writes it: the local-level fit's
    /// level for the wage when it carries the drift, else the AR(1) mean's.
    pub fn mean_se(&self, d: &DriverEstimate) -> f64 {
        self.local_level_of(d)
            .map_or(d.mean.se, |(.., fit)| fit.level_sd)
    }

    /// The local-level fit that replaces `d`'s AR(1) estimates: the wage's, when the drift was
    /// asked for.
    pub(crate) fn local_level_of(&self, d: &DriverEstimate) -> Option<WageFit> {
        self.wage_drift.filter(|_| d.driver == "wage_growth")
    }

    /// Adds the drift of the wage growth's mean: the local-level model fitted to the wage's log
    /// growth (`wages.csv` in `dir`) of `from` to the window's last year. The fragment's
    /// `wage_growth` is then that model: the level at the window's end as the mean, the noise as
    /// the volatility (persistence 0) and the level's step as `mean_drift`
    /// ([`Calibration::mean_se`] gives the level's standard deviation as the mean's error). Refused when the series starts after `from` or gives
    /// fewer than [`MIN_LOCAL_LEVEL_VALUES`] consecutive growth rates.
    pub fn with_wage_drift(mut self, dir: &Path, from: i32) -> Result<Calibration> {
        let to = self.window.1;
        let all = read_series(dir, "wages.csv", "average_wage", &[])?.log_growth();
        if let Some(&first) = all.keys().next().filter(|&&first| first > from) {
            return Err(Error::Invalid(format!(
                "{from}: {} gives growth rates from {first} on; start there or later",
                dir.join("wages.csv").display()
            )));
        }
        let fit = estimate_local_level(&in_window(all, from, to)).ok_or_else(|| {
            Error::Invalid(format!(
                "the wage growth rates of {from}–{to} ({}) are not {MIN_LOCAL_LEVEL_VALUES} or more consecutive years; start earlier or give the series' earlier years",
                dir.join("wages.csv").display()
            ))
        })?;
        self.wage_drift = Some((from, to, fit));
        Ok(self)
    }
}

/// Reads one numeric column of a calibration table by year, keeping rows with `basis` in
/// `bases` (first match wins per year; tables without a `basis` column keep every row).
pub(crate) fn read_series(dir: &Path, file: &str, column: &str, bases: &[&str]) -> Result<Series> {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).map_err(|source| Error::Io {
        path: path.clone(),
        source,
    })?;
    let shown = path.display().to_string();
    let table = Table::parse(&shown, &text)?;
    let years = table.f64s("year", 1900.0, 2200.0)?;
    let values = table.optional_f64s(column, 0.0, f64::MAX)?;
    let basis = if table.has_column("basis") {
        Some(table.strings("basis", &["bulletin", "flash"])?)
    } else {
        None
    };
    let mut out = Series {
        name: column.to_string(),
        source: format!("{file}, column {column}"),
        values: BTreeMap::new(),
    };
    for rank_basis in bases.iter().map(Some).chain(std::iter::once(None)) {
        for (i, (&y, v)) in years.iter().zip(&values).enumerate() {
            let year = y as i32;
            let Some(v) = v else { continue };
            let keep = match (&basis, rank_basis) {
                (Some(b), Some(want)) => b[i] == *want,
                (None, None) => true,
                _ => false,
            };
            if keep && !out.values.contains_key(&year) {
                out.values.insert(year, *v);
            }
        }
    }
    Ok(out)
}

/// Keeps the growth rates of years in [from, to].
pub(crate) fn in_window(g: BTreeMap<i32, f64>, from: i32, to: i32) -> BTreeMap<i32, f64> {
    g.into_iter()
        .filter(|(y, _)| (from..=to).contains(y))
        .collect()
}

/// The series files `calibrate` reads from its folder.
pub const SERIES: [&str; 3] = ["wages.csv", "employee_medical_insurance.csv", "births.csv"];

/// The first year whose published employee fund includes maternity insurance (含生育保险): the
/// NHSA bulletins from 2019 on, after 国办发〔2019〕10号 merged the two insurances
/// (`employee_medical_insurance.csv`; the MOHRSS bulletins before count maternity insurance
/// apart). The growth of fund spending per member into that year mixes the change of basis
/// (maternity spending, about 6 % of the fund's) with the year's growth, so the calibration
/// leaves that growth rate out of `utilisation_growth`.
pub const FUND_INCLUDES_MATERNITY_FROM: i32 = 2019;

/// Calibrates the drivers from the tables in `dir` on growth rates of years `from..=to`.
///
/// - `wage_growth`: the average wage of urban non-private units (`wages.csv`);
/// - `employment_growth`: members in service of employee medical insurance
///   (`employee_medical_insurance.csv`, bulletin figures first, then flash figures);
/// - `utilisation_growth`: fund spending per member, pooled fund and personal accounts
///   together, without the growth into [`FUND_INCLUDES_MATERNITY_FROM`] (a change of the
///   bulletins' basis). The public series do not separate medical prices from volume, so the whole
///   growth of cost per member is put here and `medical_price_growth` is left to the scenario
///   (a scenario that includes this fragment and keeps its own price growth must lower its
///   utilisation mean accordingly);
/// - `fertility`: the drift and volatility of log births (`births.csv`); births also move
///   with the number of women of childbearing age, and in these years with the 2016 two-child
///   policy, which this does not separate (its volatility is an upper bound), and no shock
///   correlation is estimated with it.
pub fn calibrate(dir: &Path, from: i32, to: i32, name: &str) -> Result<Calibration> {
    if from >= to {
        return Err(Error::Invalid(format!(
            "calibration window {from}–{to}: the first year must be before the last"
        )));
    }
    let bases = ["bulletin", "flash"];
    let wage = read_series(dir, "wages.csv", "average_wage", &[])?;
    let active = read_series(
        dir,
        "employee_medical_insurance.csv",
        "members_active",
        &bases,
    )?;
    let total = read_series(
        dir,
        "employee_medical_insurance.csv",
        "members_total",
        &bases,
    )?;
    let spending = read_series(
        dir,
        "employee_medical_insurance.csv",
        "fund_spending",
        &bases,
    )?;
    let births = read_series(dir, "births.csv", "births_10k", &[])?;
    // The window must lie within the years the series cover: a growth rate of year y needs
    // y - 1 and y.
    let (first, last) = wage
        .values
        .iter()
        .fold((i32::MAX, i32::MIN), |(a, b), (y, _)| {
            (a.min(*y), b.max(*y))
        });
    if from <= first || to > last {
        return Err(Error::Invalid(format!(
            "calibration window {from}–{to}: the series in {} give growth rates for {}–{} only",
            dir.display(),
            first + 1,
            last
        )));
    }
    let per_member = Series {
        name: "fund_spending per member".into(),
        source: "employee_medical_insurance.csv, fund_spending / members_total".into(),
        values: spending
            .values
            .iter()
            .filter_map(|(y, s)| total.values.get(y).map(|m| (*y, s / m)))
            .collect(),
    };
    let basis_change = if (from..=to).contains(&FUND_INCLUDES_MATERNITY_FROM) {
        format!(
            "; without {FUND_INCLUDES_MATERNITY_FROM}, when the fund starts to include maternity insurance"
        )
    } else {
        String::new()
    };
    let utilisation_measure = format!(
        "log growth of fund spending per member, price and volume together (employee_medical_insurance.csv{basis_change})"
    );
    let candidates = [
        (
            "wage_growth",
            "log growth of the average wage of urban non-private units (wages.csv)",
            &wage,
        ),
        (
            "employment_growth",
            "log growth of members in service (employee_medical_insurance.csv)",
            &active,
        ),
        ("utilisation_growth", &utilisation_measure, &per_member),
        ("fertility", "log growth of births (births.csv)", &births),
    ];
    let mut drivers = Vec::new();
    let mut not_estimated = Vec::new();
    for (driver, measure, series) in candidates {
        let mut g = in_window(series.log_growth(), from, to);
        if driver == "utilisation_growth" {
            g.remove(&FUND_INCLUDES_MATERNITY_FROM);
        }
        match DriverEstimate::new(driver, measure, g.clone()) {
            Some(d) => drivers.push(d),
            None => not_estimated.push((
                driver.to_string(),
                format!(
                    "{} growth rates in {from}–{to} ({}); at least {MIN_VALUES} are needed",
                    g.len(),
                    series.source
                ),
            )),
        }
    }
    for (driver, why) in [
        (
            "medical_price_growth",
            "no public price series separates medical prices from volume; left to the scenario",
        ),
        (
            "collection_rate",
            "the bulletins publish no collection rate; left to the scenario",
        ),
        (
            "interest_rate",
            "the bulletins publish no return on fund balances; left to the scenario",
        ),
    ] {
        not_estimated.push((driver.to_string(), why.to_string()));
    }
    // Fertility's shocks of these years are the 2016 universal two-child policy and its
    // aftermath, which scenarios carry in `fertility.level`: no correlation is estimated with it.
    let mut correlations = Vec::new();
    let correlated = drivers.iter().filter(|d| d.driver != "fertility").count();
    for i in 0..correlated {
        for j in i + 1..correlated {
            if let Some((r, m)) = shock_correlation(&drivers[i], &drivers[j]) {
                correlations.push((i, j, r, m));
            }
        }
    }
    let years: Vec<i32> = drivers
        .iter()
        .flat_map(|d| [d.first_year, d.last_year])
        .collect();
    let window = (
        years.iter().copied().min().unwrap_or(from),
        years.iter().copied().max().unwrap_or(to),
    );
    Ok(Calibration {
        name: name.to_string(),
        window,
        drivers,
        correlations,
        not_estimated,
        sources: ["wages.csv", "employee_medical_insurance.csv", "births.csv"]
            .iter()
            .map(|f| dir.join(f).display().to_string())
            .collect(),
        wage_drift: None,
    })
}

/// Significant digits for the fragment.
fn num(x: f64) -> String {
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0');
    let s = s
        .strip_suffix('.')
        .map_or(s.to_string(), |t| format!("{t}.0"));
    if s == "-0.0" { "0.0".into() } else { s }
}

impl Calibration {
    /// The correlation matrix of the shocks in [`CORRELATION_ORDER`]: estimated pairs, 0 for
    /// pairs with a driver not estimated, 1 on the diagonal.
    pub(crate) fn correlation_matrix(&self) -> Vec<Vec<f64>> {
        let idx = |name: &str| CORRELATION_ORDER.iter().position(|n| *n == name);
        let mut c = vec![vec![0.0; 7]; 7];
        for (i, row) in c.iter_mut().enumerate() {
            row[i] = 1.0;
        }
        for &(i, j, r, _) in &self.correlations {
            if let (Some(a), Some(b)) = (idx(&self.drivers[i].driver), idx(&self.drivers[j].driver))
            {
                c[a][b] = r.value;
                c[b][a] = r.value;
            }
        }
        c
    }

    /// The TOML fragment: a `[calibration]` table with the window and every standard error,
    /// and the estimated `[economy]` fields, each with a source naming the calibration.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        let (a, b) = self.window;
        out.push_str(&format!(
            "# Calibration `{}`: written by `fundrisk calibrate` from {}.\n# Growth rates of {a}–{b}. \
             A scenario uses it with `include = [\"...this file...\"]`; its own fields override these.\n",
            self.name,
            self.sources.join(", ")
        ));
        for (d, why) in &self.not_estimated {
            out.push_str(&format!("# Not estimated: {d}: {why}.\n"));
        }
        out.push_str(&format!(
            "\n[calibration]\nname = \"{}\"\nwindow = [{a}, {b}]\nsources = [{}]\n",
            self.name,
            self.sources
                .iter()
                .map(|s| format!("\"{}\"", s.replace('\\', "/")))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        out.push_str("\n[calibration.standard_errors]\n");
        for d in &self.drivers {
            if d.driver == "fertility" {
                out.push_str(&format!(
                    "\"fertility.drift\" = {}\n\"fertility.volatility\" = {}\n",
                    num(d.mean.se),
                    num(d.volatility.se)
                ));
            } else if self.local_level_of(d).is_some() {
                // The local-level fit's level (no standard errors of its noise and step).
                out.push_str(&format!(
                    "\"{}.mean\" = {}\n",
                    d.driver,
                    num(self.mean_se(d))
                ));
            } else {
                out.push_str(&format!(
                    "\"{0}.mean\" = {1}\n\"{0}.volatility\" = {2}\n\"{0}.persistence\" = {3}\n",
                    d.driver,
                    num(d.mean.se),
                    num(d.volatility.se),
                    num(d.persistence.se)
                ));
            }
        }
        for &(i, j, r, _) in &self.correlations {
            out.push_str(&format!(
                "\"correlation.{}.{}\" = {}\n",
                self.drivers[i].driver,
                self.drivers[j].driver,
                num(r.se)
            ));
        }
        out.push_str("\n[economy]\n");
        for d in self.drivers.iter().filter(|d| d.driver != "fertility") {
            out.push_str(&format!(
                "# {}, {}–{} ({} values): mean {} (se {}), volatility {} (se {}), persistence {} (se {})\n",
                d.measure,
                d.first_year,
                d.last_year,
                d.n,
                num(d.mean.value),
                num(d.mean.se),
                num(d.volatility.value),
                num(d.volatility.se),
                num(d.persistence.value),
                num(d.persistence.se)
            ));
            // With the wage's drift asked for, the wage line is the local-level fit's: its level
            // now as the mean, its noise as the volatility (white), and the level's step.
            if let Some((from, to, fit)) = self.local_level_of(d) {
                out.push_str(&format!(
                    "# local-level model (random walk plus noise) fitted by maximum likelihood to the wage's log growth of {from}–{to} ({} values), used below instead: level at {to} {} (sd {}), level step sd {}, noise sd {}\n",
                    fit.n,
                    num(fit.level),
                    num(fit.level_sd),
                    num(fit.drift),
                    num(fit.noise)
                ));
                out.push_str(&format!(
                    "{} = {{ mean = {}, volatility = {}, persistence = 0, mean_drift = {}, source = \"calibration {}: the local-level model fitted by maximum likelihood to the wage's log growth of {from}–{to} (wages.csv, {} years): the level at {to} {:.4} (sd {:.4}) as the mean, the noise sd {:.4} as the volatility, the level's step sd {:.4} as mean_drift\" }}\n",
                    d.driver,
                    num(fit.level),
                    num(fit.noise),
                    num(fit.drift),
                    self.name,
                    fit.n,
                    fit.level,
                    fit.level_sd,
                    fit.noise,
                    fit.drift
                ));
                continue;
            }
            out.push_str(&format!(
                "{} = {{ mean = {}, volatility = {}, persistence = {}, source = \"calibration {}: {}, {}–{}\" }}\n",
                d.driver,
                num(d.mean.value),
                num(d.volatility.value),
                num(d.persistence.value),
                self.name,
                d.measure,
                d.first_year,
                d.last_year
            ));
        }
        out.push_str("# Correlation of the annual shocks, in the order wage, medical price, utilisation,\n# employment, collection, interest, fertility; 0 where a driver is not estimated.\n");
        for &(i, j, r, m) in &self.correlations {
            out.push_str(&format!(
                "#   {} × {}: {} (se {}, {m} shocks)\n",
                self.drivers[i].driver,
                self.drivers[j].driver,
                num(r.value),
                num(r.se)
            ));
        }
        let rows: Vec<String> = self
            .correlation_matrix()
            .iter()
            .map(|r| {
                format!(
                    "  [{}]",
                    r.iter().map(|x| num(*x)).collect::<Vec<_>>().join(", ")
                )
            })
            .collect();
        out.push_str(&format!("correlation = [\n{},\n]\n", rows.join(",\n")));
        if let Some(f) = self.drivers.iter().find(|d| d.driver == "fertility") {
            out.push_str(&format!(
                "\n[economy.fertility]\n# {}, {}–{} ({} values): drift {} (se {}), volatility {} (se {})\n\
                 drift = {}\nvolatility = {}\nsource = \"calibration {}: {}, {}–{}\"\n",
                f.measure,
                f.first_year,
                f.last_year,
                f.n,
                num(f.mean.value),
                num(f.mean.se),
                num(f.volatility.value),
                num(f.volatility.se),
                num(f.mean.value),
                num(f.volatility.value),
                self.name,
                f.measure,
                f.first_year,
                f.last_year
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::economy::DriverModel;
    use crate::params::Month;
    use crate::scenario::EconomySpec;
    use rand::SeedableRng;

    /// Within `k` standard errors.
    fn near(e: Estimate, truth: f64, k: f64) -> bool {
        (e.value - truth).abs() <= k * e.se
    }

    /// Series drawn by the engine's own driver model from known parameters (100 years per
    /// path, 20 paths, so 2,000 growth rates per driver) are recovered within two standard
    /// errors: means, volatilities, persistences and the shock correlation.
    #[test]
    fn recovers_known_parameters_of_a_synthetic_series() {
        let text = r#"
            wage_growth = { mean = 0.07, volatility = 0.02, persistence = 0.5 }
            employment_growth = { mean = 0.02, volatility = 0.015, persistence = 0.3 }
            utilisation_growth = { mean = 0.04, volatility = 0.01, persistence = 0.0 }
            correlation = [
              [1.0, 0.0, 0.0, 0.6, 0.0, 0.0, 0.0],
              [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0],
              [0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0],
              [0.6, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0],
              [0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0],
              [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0],
              [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0],
            ]
        "#;
        let spec: EconomySpec = toml::from_str(text).unwrap();
        let model = DriverModel::new(
            &spec,
            Month::new(1901, 1).unwrap(),
            Month::new(2000, 12).unwrap(),
            1.3,
        );
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        // Paths are independent: each is its own stretch of years, so lags never cross paths.
        let mut series: [BTreeMap<i32, f64>; 3] = Default::default();
        for p in 0..20 {
            let d = model.sample(&mut rng);
            for (k, y) in (0..100).map(|k| (k, p * 1000 + k as i32)) {
                series[0].insert(y, d.wage_growth[k]);
                series[1].insert(y, d.employment_growth[k]);
                series[2].insert(y, d.utilisation_growth[k]);
            }
        }
        let [w, e, u] = series;
        let w = DriverEstimate::new("wage_growth", "synthetic", w).unwrap();
        let e = DriverEstimate::new("employment_growth", "synthetic", e).unwrap();
        let u = DriverEstimate::new("utilisation_growth", "synthetic", u).unwrap();
        for (d, (m, v, phi)) in [
            (&w, (0.07, 0.02, 0.5)),
            (&e, (0.02, 0.015, 0.3)),
            (&u, (0.04, 0.01, 0.0)),
        ] {
            assert!(
                near(d.mean, m, 2.0),
                "{}: mean {:?} vs {m}",
                d.driver,
                d.mean
            );
            assert!(
                near(d.volatility, v, 2.0),
                "{}: volatility {:?} vs {v}",
                d.driver,
                d.volatility
            );
            // φ = 0 sits on the boundary the estimate is clamped to.
            assert!(
                near(d.persistence, phi, 2.0)
                    || (phi == 0.0 && d.persistence.value < 2.0 * d.persistence.se),
                "{}: persistence {:?} vs {phi}",
                d.driver,
                d.persistence
            );
        }
        let (r, m) = shock_correlation(&w, &e).unwrap();
        assert!(m > 1900);
        assert!(near(r, 0.6, 2.0), "correlation {r:?} vs 0.6");
        let (r0, _) = shock_correlation(&w, &u).unwrap();
        assert!(near(r0, 0.0, 2.0), "correlation {r0:?} vs 0");
    }

    /// Hand-computed: x = 1, 2, 3, 4, 5 has mean 3, s = √2.5, lag-1 autocorrelation
    /// Σ(xₜ−3)(xₜ₊₁−3)/Σ(xₜ−3)² = (2 + 0 + 0 + 2)/10 = 0.4.
    /// The filter by hand on y = (0, 1, 3) with q = 1: a₂ = 0, P₂ = 2; F₂ = 3, v₂ = 1,
    /// a₃ = 2/3, P₃ = 5/3; F₃ = 8/3, v₃ = 7/3, a₄ = 2/3 + 5/8 · 7/3 = 2.125, P₄ = 13/8.
    /// Σ v²/F = 1/3 + 49/24 = 57/24, the noise variance 57/48, and the log-likelihood
    /// −ln(57/48) − ½ ln 8.
    #[test]
    fn local_level_filter_by_hand() {
        let (l, var, level, p) = local_level_filter(&[0.0, 1.0, 3.0], 1.0);
        assert!((var - 57.0 / 48.0).abs() < 1e-15, "{var}");
        assert!((level - 2.125).abs() < 1e-15, "{level}");
        assert!((p - 13.0 / 8.0).abs() < 1e-15, "{p}");
        let want = -(57.0f64 / 48.0).ln() - 0.5 * 8.0f64.ln();
        assert!((l - want).abs() < 1e-14, "{l} vs {want}");
    }

    /// On a long simulated random walk plus noise (drift 0.01, noise 0.02) the fit recovers
    /// both within their sampling error; on white noise it finds (almost) no drift; a gap or a
    /// short series is refused.
    #[test]
    fn local_level_recovers_a_known_drift() {
        use rand::SeedableRng;
        use rand_distr::{Distribution, StandardNormal};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let mut z = || -> f64 { StandardNormal.sample(&mut rng) };
        let (mut walk, mut noisy, mut white) = (0.08, BTreeMap::new(), BTreeMap::new());
        for y in 0..2000 {
            noisy.insert(y, walk + 0.02 * z());
            white.insert(y, 0.08 + 0.02 * z());
            walk += 0.01 * z();
        }
        let fit = estimate_local_level(&noisy).unwrap();
        assert!((fit.drift / 0.01 - 1.0).abs() < 0.15, "{fit:?}");
        assert!((fit.noise / 0.02 - 1.0).abs() < 0.06, "{fit:?}");
        let still = estimate_local_level(&white).unwrap();
        assert!(still.drift < 0.001, "{still:?}");
        assert!((still.noise / 0.02 - 1.0).abs() < 0.05, "{still:?}");
        let mut gap = noisy.clone();
        gap.remove(&1000);
        assert!(estimate_local_level(&gap).is_none());
        let short: BTreeMap<i32, f64> = (0..9).map(|y| (y, f64::from(y))).collect();
        assert!(estimate_local_level(&short).is_none());
    }

    /// The growth of fund spending per member into 2019, when the bulletins' fund starts to
    /// include maternity insurance, is left out of the utilisation calibration: 2013–2022
    /// gives nine growth rates, and their mean is the one by hand from the bulletins' figures
    /// (fund spending over members, 亿元 over 万人, data/calibration).
    #[test]
    fn utilisation_leaves_out_the_maternity_basis_change() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/calibration");
        let utilisation = |to: i32| -> DriverEstimate {
            let c = calibrate(&dir, 2013, to, "t").unwrap();
            c.drivers
                .into_iter()
                .find(|d| d.driver == "utilisation_growth")
                .unwrap()
        };
        let u = utilisation(2022);
        let years: Vec<i32> = u.values.keys().copied().collect();
        assert_eq!(
            years,
            [2013, 2014, 2015, 2016, 2017, 2018, 2020, 2021, 2022]
        );
        let per_member = |s: f64, m: f64| s / m;
        let figures = [
            (2012, 4868.0, 26486.0),
            (2013, 5830.0, 27443.0),
            (2014, 6697.0, 28296.0),
            (2015, 7532.0, 28893.0),
            (2016, 8287.0, 29532.0),
            (2017, 9467.0, 30323.0),
            (2018, 10707.0, 31681.0),
            (2019, 12663.0, 32925.0),
            (2020, 12867.0, 34455.0),
            (2021, 14746.73, 35431.0),
            (2022, 15243.80, 36243.0),
        ];
        let growth: Vec<f64> = figures
            .windows(2)
            .filter(|w| w[1].0 != FUND_INCLUDES_MATERNITY_FROM)
            .map(|w| (per_member(w[1].1, w[1].2) / per_member(w[0].1, w[0].2)).ln())
            .collect();
        let mean = growth.iter().sum::<f64>() / growth.len() as f64;
        assert!(
            (u.mean.value - mean).abs() < 1e-12,
            "{} {mean}",
            u.mean.value
        );
        // With the 2019 growth (12.9 %, about 6 points of it the change of basis) the mean
        // would be about half a point higher.
        assert!((0.0770..0.0780).contains(&mean), "{mean}");
        // A window ending before 2019 is not touched.
        assert_eq!(utilisation(2018).values.len(), 6);
        // 2023's fund spending is derived from the 2024 bulletin (19,102.54 over +7.6 %), so the
        // window to 2024 has 2023's and 2024's growth too.
        let u = utilisation(2024);
        assert_eq!(u.values.len(), 11);
        let (s23, m23) = (19102.54 / 1.076, 37095.0);
        let want = [
            (
                2023,
                (per_member(s23, m23) / per_member(15243.80, 36243.0)).ln(),
            ),
            (
                2024,
                (per_member(19102.54, 37948.34) / per_member(s23, m23)).ln(),
            ),
        ];
        for (y, g) in want {
            assert!((u.values[&y] - g).abs() < 1e-6, "{y}: {} {g}", u.values[&y]);
        }
    }

    #[test]
    fn ar1_estimates_by_hand() {
        let by_year = |x: &[f64]| -> BTreeMap<i32, f64> {
            x.iter()
                .enumerate()
                .map(|(i, v)| (2000 + i as i32, *v))
                .collect()
        };
        let (m, v, phi) = estimate_ar1(&by_year(&[1.0, 2.0, 3.0, 4.0, 5.0])).unwrap();
        assert_eq!(m.value, 3.0);
        assert!((v.value - 2.5f64.sqrt()).abs() < 1e-15);
        assert!((phi.value - 0.4).abs() < 1e-15);
        assert!((m.se - 2.5f64.sqrt() / 5f64.sqrt() * (1.4f64 / 0.6).sqrt()).abs() < 1e-15);
        assert!((v.se - 2.5f64.sqrt() / 8f64.sqrt()).abs() < 1e-15);
        assert!((phi.se - (0.84f64 / 5.0).sqrt()).abs() < 1e-15);
        assert!(
            estimate_ar1(&by_year(&[1.0, 2.0, 3.0])).is_none(),
            "too few values"
        );
    }

    #[test]
    fn log_growth_skips_gaps() {
        let s = Series {
            values: [(2010, 100.0), (2011, 110.0), (2013, 121.0), (2014, 133.1)]
                .into_iter()
                .collect(),
            ..Series::default()
        };
        let g = s.log_growth();
        assert_eq!(g.keys().copied().collect::<Vec<_>>(), vec![2011, 2014]);
        assert!((g[&2011] - 1.1f64.ln()).abs() < 1e-15);
    }
}
