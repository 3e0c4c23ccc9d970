//! The rolling-origin backtest: one template scenario re-started at the end of every origin
//! year with only what was published by then, each forecast scored against what happened.
//!
//! For an origin year Y the template (a scenario with a `[backtest]` section, e.g.
//! `scenarios/national-rolling.toml`) becomes a scenario that
//! - starts in January of Y + 1 and runs to the end of `last_year`;
//! - takes its drivers from `fundrisk calibrate` on the growth rates of `calibration_from`–Y
//!   (the template's own `[economy]` fields override them, as with an `include`);
//! - opens its first unit at the published end of Y: members in service (split by the
//!   template's shares of enterprise, government and flexible workers) and retired, pooled
//!   balance, the year's average wage; the membership structure of the latest table serving Y;
//!   fertility at Y's births over the template's reference births;
//! - solves its base year Y on the whole-fund basis (`fund_income`, the pooled balance at the
//!   ends of Y − 1 and Y; `base_year::Basis::WholeFund`), since the bulletins before 2024 do
//!   not publish the pooled fund's own income and spending.
//!
//! Only rows of years ≤ Y are read for an origin (the calibration's window, the position's
//! year and the year before it), so a forecast is the same whether or not later rows are in
//! the files. The actuals are the later rows: members by status, pooled balance, the whole
//! fund's income, and the pooled income and spending where published.

use crate::backtest::{Actual, BacktestLine, Bands, Forecast, crps_sorted, forecast};
use crate::base_year::{self, BaseYearFit};
use crate::calibrate::{Series, calibrate, read_series};
use crate::data::DataSource;
use crate::engine::montecarlo::RunOptions;
use crate::error::{Error, Result};
use crate::risk::quantile_sorted;
use crate::scenario::{RollingSpec, Scenario, deep_merge};
use crate::table::Table;
use std::path::{Path, PathBuf};

/// The published series an origin reads, each by year (bulletin preferred to flash).
pub struct Published {
    /// Members in service and retired at the year end, 万人.
    active: Series,
    retired: Series,
    /// Whole fund's income, pooled balance at the year end, pooled income and spending, 亿元.
    fund_income: Series,
    pooled_balance: Series,
    pooled_income: Series,
    pooled_spending: Series,
    /// Average wage of the year, yuan.
    wage: Series,
    /// Births of the year, 万人.
    births: Series,
}

impl Published {
    /// Reads the series files of `dir` (`calibrate::SERIES`).
    pub fn read(dir: &Path) -> Result<Published> {
        let emi = "employee_medical_insurance.csv";
        let bases = ["bulletin", "flash"];
        Ok(Published {
            active: read_series(dir, emi, "members_active", &bases)?,
            retired: read_series(dir, emi, "members_retired", &bases)?,
            fund_income: read_series(dir, emi, "fund_income", &bases)?,
            pooled_balance: read_series(dir, emi, "pooled_balance", &bases)?,
            pooled_income: read_series(dir, emi, "pooled_income", &bases)?,
            pooled_spending: read_series(dir, emi, "pooled_spending", &bases)?,
            wage: read_series(dir, "wages.csv", "average_wage", &[])?,
            births: read_series(dir, "births.csv", "births_10k", &[])?,
        })
    }
}

/// One origin's run.
pub struct OriginRun {
    /// The origin year: the forecast starts in January of the next.
    pub origin: i32,
    /// The origin's scenario, base year solved.
    pub scenario: Scenario,
    /// Its TOML text (before the solve), for the record.
    pub text: String,
    pub fit: BaseYearFit,
    /// The local-level fit its wage growth was taken from (`[backtest].wage_drift_from`): the
    /// first and last year of growth rates and the fit; none when the template sets its own
    /// drift or asks for none.
    pub wage_drift: Option<crate::calibrate::WageFit>,
    pub forecast: Forecast,
    pub actuals: Vec<Actual>,
}

/// One scored actual of one origin.
#[derive(Clone, Debug, PartialEq)]
pub struct Scored {
    pub origin: i32,
    pub year: i32,
    pub line: BacktestLine,
    /// Years ahead: 1 for the year after the origin.
    pub horizon: i32,
    /// Yuan, or persons for the members lines.
    pub actual: f64,
    pub median: f64,
    pub p5: f64,
    pub p25: f64,
    pub p75: f64,
    pub p95: f64,
    /// |median − actual| / |actual|.
    pub abs_pct_error: f64,
    /// CRPS over |actual| (share).
    pub crps_relative: f64,
}

impl Scored {
    pub fn inside_90(&self) -> bool {
        (self.p5..=self.p95).contains(&self.actual)
    }
    pub fn inside_50(&self) -> bool {
        (self.p25..=self.p75).contains(&self.actual)
    }
}

/// Scores of a group of scored actuals (a line at a horizon, or all of them).
#[derive(Clone, Debug, PartialEq)]
pub struct ScoreGroup {
    /// A line, or None for all of them (`all` in the tables).
    pub line: Option<BacktestLine>,
    /// Years ahead, or 0 for all horizons.
    pub horizon: i32,
    pub n: usize,
    pub inside_90: usize,
    pub inside_50: usize,
    /// Median of the absolute percentage errors of the median forecast (share).
    pub median_abs_pct_error: f64,
    /// Mean CRPS over |actual| (share).
    pub mean_crps_relative: f64,
}

impl ScoreGroup {
    /// Share of the actuals inside the 90 % band.
    pub fn share_inside_90(&self) -> f64 {
        self.inside_90 as f64 / self.n as f64
    }

    /// Share of the actuals inside the 50 % band.
    pub fn share_inside_50(&self) -> f64 {
        self.inside_50 as f64 / self.n as f64
    }

    fn of(line: Option<BacktestLine>, horizon: i32, items: &[&Scored]) -> ScoreGroup {
        let mut errors: Vec<f64> = items.iter().map(|s| s.abs_pct_error).collect();
        errors.sort_by(f64::total_cmp);
        let n = items.len();
        ScoreGroup {
            line,
            horizon,
            n,
            inside_90: items.iter().filter(|s| s.inside_90()).count(),
            inside_50: items.iter().filter(|s| s.inside_50()).count(),
            median_abs_pct_error: if n == 0 {
                f64::NAN
            } else {
                quantile_sorted(&errors, 0.5)
            },
            mean_crps_relative: if n == 0 {
                f64::NAN
            } else {
                items.iter().map(|s| s.crps_relative).sum::<f64>() / n as f64
            },
        }
    }
}

/// The rolling backtest: every origin's run, every scored actual, and the scores by line and
/// years ahead (then by line over all horizons, by horizon over all lines, and over all).
pub struct Rolling {
    pub origins: Vec<OriginRun>,
    pub scored: Vec<Scored>,
    pub scores: Vec<ScoreGroup>,
}

/// The template's `[backtest]` section, checked: names the field and the allowed range.
pub fn spec_of(template: &Scenario) -> Result<RollingSpec> {
    let file = &template.file;
    let r = template.spec.backtest.clone().ok_or_else(|| {
        Error::field(
            file,
            "backtest",
            "missing: a rolling backtest's template has a [backtest] section (origins, last_year, calibration_from, series, reference_births, structures)",
        )
    })?;
    let [first, last] = r.origins;
    if !(1990..=2200).contains(&first) || first > last {
        return Err(Error::field(
            file,
            "backtest.origins",
            format!(
                "[{first}, {last}]: the first origin must be a year 1990–2200 and not after the last"
            ),
        ));
    }
    if r.last_year <= last || r.last_year > last + 30 {
        return Err(Error::field(
            file,
            "backtest.last_year",
            format!(
                "{}: must be after the last origin {last} and at most 30 years after it",
                r.last_year
            ),
        ));
    }
    if r.calibration_from >= first || r.calibration_from < first - 60 {
        return Err(Error::field(
            file,
            "backtest.calibration_from",
            format!(
                "{}: must be before the first origin {first} (and at most 60 years before)",
                r.calibration_from
            ),
        ));
    }
    if !(r.reference_births > 0.0 && r.reference_births <= 1e9) {
        return Err(Error::field(
            file,
            "backtest.reference_births",
            format!(
                "{} is outside the allowed range (0, 1e9] (persons a year)",
                r.reference_births
            ),
        ));
    }
    if !r.structures.iter().any(|t| t.from <= first) {
        return Err(Error::field(
            file,
            "backtest.structures",
            format!("no table serves the first origin {first}: give one with `from` ≤ {first}"),
        ));
    }
    if !(0.0..=1.0).contains(&r.jump_tolerance) {
        return Err(Error::field(
            file,
            "backtest.jump_tolerance",
            format!(
                "{} is outside the allowed range [0, 1] (share)",
                r.jump_tolerance
            ),
        ));
    }
    if let Some(from) = r.wage_drift_from {
        let latest = first - crate::calibrate::MIN_LOCAL_LEVEL_VALUES as i32 + 1;
        if !(1950..=latest).contains(&from) {
            return Err(Error::field(
                file,
                "backtest.wage_drift_from",
                format!(
                    "{from} is outside the allowed range [1950, {latest}]: the first origin {first} needs {} growth rates up to it",
                    crate::calibrate::MIN_LOCAL_LEVEL_VALUES
                ),
            ));
        }
    }
    if template.units.is_empty() {
        return Err(Error::field(file, "units", "a backtest needs one unit"));
    }
    Ok(r)
}

/// The folder of the template's series.
pub fn series_dir(template: &Scenario, r: &RollingSpec) -> PathBuf {
    let base = Path::new(&template.file)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    base.join(&r.series)
}

/// A published figure an origin needs, or an error naming the file, column and year.
fn needed(series: &Series, year: i32, dir: &Path) -> Result<f64> {
    series.values.get(&year).copied().ok_or_else(|| {
        Error::table(
            &dir.join(series.source.split(',').next().unwrap_or(""))
                .display()
                .to_string(),
            0,
            &series.name,
            format!("no figure for {year}: an origin {year} opens at that year's end"),
        )
    })
}

/// The scenario of origin `y` from the template (its file text) and the published series (the
/// calibration reads `dir` itself), used only up to `y`; with its TOML text. The base year is not
/// yet solved.
pub(crate) fn origin_scenario(
    template: &Scenario,
    template_text: &str,
    r: &RollingSpec,
    dir: &Path,
    p: &Published,
    y: i32,
) -> Result<(Scenario, String, Option<crate::calibrate::WageFit>)> {
    let file = &template.file;
    let to_toml_err = |e: toml::de::Error| Error::field(file, "backtest", e.to_string());
    let mut doc: toml::Table = toml::from_str(template_text).map_err(to_toml_err)?;
    doc.remove("backtest");
    doc.remove("include");
    let start = format!("{}-01", y + 1);
    doc.insert("start".into(), start.clone().into());
    doc.insert(
        "horizon_months".into(),
        i64::from(12 * (r.last_year - y)).into(),
    );
    // A maternity merger on or before the start is history: the funds open merged (the
    // origin's pooled balance holds the maternity balance, as the bulletins count it).
    let merged_before = doc
        .get_mut("policy")
        .and_then(toml::Value::as_table_mut)
        .and_then(|p| p.get_mut("maternity"))
        .and_then(toml::Value::as_table_mut)
        .is_some_and(|m| {
            let before = m
                .get("merger")
                .and_then(toml::Value::as_str)
                .is_some_and(|at| at <= start.as_str());
            if before {
                m.remove("merger");
            }
            before
        });
    // Drivers calibrated on the growth rates up to the origin, the template's own over them.
    let name = format!("{}-{}-{y}", template.spec.name, r.calibration_from);
    let mut cal = calibrate(dir, r.calibration_from, y, &name)
        .map_err(|e| Error::field(file, "backtest.origins", format!("origin {y}: {e}")))?;
    let own_drift = template_sets(&doc, "wage_growth", "mean_drift");
    if let Some(from) = r.wage_drift_from.filter(|_| !own_drift) {
        cal = cal.with_wage_drift(dir, from).map_err(|e| {
            Error::field(file, "backtest.wage_drift_from", format!("origin {y}: {e}"))
        })?;
    }
    for driver in ["wage_growth", "employment_growth", "utilisation_growth"] {
        if !cal.drivers.iter().any(|d| d.driver == driver) {
            return Err(Error::field(
                file,
                "backtest.origins",
                format!(
                    "origin {y}: the series give fewer than {} growth rates of {driver} in {}–{y}, too few to calibrate it; start the origins later or the calibration earlier",
                    crate::calibrate::MIN_VALUES,
                    r.calibration_from
                ),
            ));
        }
    }
    let frag: toml::Table = toml::from_str(&cal.to_toml()).map_err(to_toml_err)?;
    let mut economy = frag
        .get("economy")
        .and_then(toml::Value::as_table)
        .cloned()
        .unwrap_or_default();
    if let Some(own) = doc.get("economy").and_then(toml::Value::as_table) {
        deep_merge(&mut economy, own);
    }
    // Each calibrated driver the template leaves to the calibration: its mean's standard error
    // as its mean uncertainty (`parameter_uncertainty`), and its volatility and that error as
    // Student's t's (`variance_uncertainty`); not the wage's local-level fit, a likelihood fit
    // on the longer series.
    for d in cal.drivers.iter().filter(|d| d.driver != "fertility") {
        let own = |field| template_sets(&doc, &d.driver, field);
        let (own_mean, own_volatility) = (own("mean"), own("volatility"));
        let factor = match cal.local_level_of(d) {
            Some(_) => None,
            None => r.variance_uncertainty.then(|| small_sample_factor(d.n)),
        };
        let Some(t) = economy
            .get_mut(&d.driver)
            .and_then(toml::Value::as_table_mut)
        else {
            continue;
        };
        if r.parameter_uncertainty && !own_mean {
            let se = cal.mean_se(d) * factor.unwrap_or(1.0);
            t.entry("mean_uncertainty").or_insert(se.into());
        }
        if factor.is_some() && !own_volatility {
            widen_volatility(t, d.n);
        }
    }
    if r.collection_volatility {
        let residuals = collection_residuals(template, p, r.calibration_from, y);
        let persistence = economy
            .get("collection_rate")
            .and_then(|c| c.get("persistence"))
            .and_then(toml::Value::as_float)
            .unwrap_or(0.0);
        let sd = crate::calibrate::estimate_ar1(&residuals)
            .map(|(_, volatility, _)| volatility.value)
            .ok_or_else(|| {
                Error::field(
                    file,
                    "backtest.collection_volatility",
                    format!(
                        "origin {y}: fewer than {} years without a policy change in {}–{y} to estimate the collection level's volatility on",
                        crate::calibrate::MIN_VALUES,
                        r.calibration_from
                    ),
                )
            })?;
        let volatility = sd / (2.0 * (1.0 - persistence)).sqrt();
        let years: Vec<String> = residuals.keys().map(i32::to_string).collect();
        let collection = economy
            .entry("collection_rate")
            .or_insert_with(|| toml::Table::new().into());
        if let Some(t) = collection.as_table_mut() {
            t.insert("volatility".into(), volatility.into());
            append_source(
                t,
                &format!(
                    "volatility {volatility:.4}: the sd of the fund income's log growth less the wage's and the members in service's, {sd:.4}, in {} (years without a policy change up to the origin), over sqrt(2 (1 - {persistence}))",
                    years.join(", ")
                ),
            );
            if r.variance_uncertainty {
                widen_volatility(t, residuals.len());
            }
        }
    }
    let births = needed(&p.births, y, dir)? * 1e4;
    let level = births / r.reference_births;
    let mut fertility = economy
        .get("fertility")
        .and_then(toml::Value::as_table)
        .cloned()
        .unwrap_or_default();
    let mut entry = toml::Table::new();
    entry.insert("from".into(), start.clone().into());
    entry.insert("value".into(), level.into());
    entry.insert(
        "source".into(),
        format!(
            "births of {y} ({:.0} 万, births.csv) over the reference births {:.0} 万 (backtest.reference_births)",
            births / 1e4,
            r.reference_births / 1e4
        )
        .into(),
    );
    fertility.insert("level".into(), toml::Value::Array(vec![entry.into()]));
    economy.insert("fertility".into(), fertility.into());
    doc.insert("economy".into(), economy.into());
    if let Some(c) = frag.get("calibration") {
        doc.insert("calibration".into(), c.clone());
    }
    // The first unit at the published end of the origin year.
    let active = needed(&p.active, y, dir)? * 1e4;
    let retired = needed(&p.retired, y, dir)? * 1e4;
    let balance = needed(&p.pooled_balance, y, dir)? * 1e8;
    let balance_prev = needed(&p.pooled_balance, y - 1, dir)? * 1e8;
    let fund_income = needed(&p.fund_income, y, dir)? * 1e8;
    let wage = needed(&p.wage, y, dir)?;
    let structure = r
        .structures
        .iter()
        .filter(|t| t.from <= y)
        .max_by_key(|t| t.from)
        .map(|t| t.table.clone())
        .ok_or_else(|| {
            Error::field(
                file,
                "backtest.structures",
                format!("no table serves the origin {y}"),
            )
        })?;
    let u = &template.units[0].spec;
    let in_service = u.membership.enterprise + u.membership.government + u.membership.flexible;
    if in_service <= 0.0 {
        return Err(Error::field(
            file,
            "units[0].membership",
            "no members in service: the template's shares of enterprise, government and flexible workers split an origin's members",
        ));
    }
    let units = doc
        .get_mut("units")
        .and_then(toml::Value::as_array_mut)
        .and_then(|a| a.first_mut())
        .and_then(toml::Value::as_table_mut)
        .ok_or_else(|| Error::field(file, "units", "a backtest needs one unit"))?;
    units.insert("initial_pooled_balance".into(), balance.into());
    if merged_before {
        units.remove("initial_maternity_balance");
    }
    units.insert("average_wage_prev_year".into(), (wage / 12.0).into());
    let mut membership = units
        .get("membership")
        .and_then(toml::Value::as_table)
        .cloned()
        .unwrap_or_default();
    for (k, v) in [
        ("enterprise", u.membership.enterprise),
        ("government", u.membership.government),
        ("flexible", u.membership.flexible),
    ] {
        membership.insert(k.into(), (active * v / in_service).into());
    }
    membership.insert("retirees".into(), retired.into());
    membership.insert("structure".into(), structure.into());
    membership.insert(
        "source".into(),
        format!(
            "end of {y}: {:.2} 万 in service, {:.2} 万 retired (employee_medical_insurance.csv), split in service by the template's shares",
            active / 1e4,
            retired / 1e4
        )
        .into(),
    );
    units.insert("membership".into(), membership.into());
    let mut by = toml::Table::new();
    by.insert("year".into(), i64::from(y).into());
    by.insert("fund_income".into(), fund_income.into());
    by.insert("pooled_balance".into(), balance.into());
    by.insert("pooled_balance_prev".into(), balance_prev.into());
    by.insert("members_active".into(), active.into());
    by.insert("members_retired".into(), retired.into());
    if r.retirement_take_up {
        let retired_prev = needed(&p.retired, y - 1, dir)? * 1e4;
        by.insert("members_retired_prev".into(), retired_prev.into());
    }
    by.insert("jump_tolerance".into(), r.jump_tolerance.into());
    by.insert(
        "source".into(),
        format!("employee_medical_insurance.csv, rows {} and {y}", y - 1).into(),
    );
    units.insert("base_year".into(), by.into());
    let text = toml::to_string(&doc).map_err(|e| Error::field(file, "backtest", e.to_string()))?;
    let shown = format!("{file} (origin {y})");
    let base_dir = Path::new(file).parent().map(|p| {
        if p.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            p.to_path_buf()
        }
    });
    let s = Scenario::parse(&text, &shown, DataSource { base_dir })?;
    Ok((s, text, cal.wage_drift))
}

/// The actuals of the years after origin `y` up to `last_year`, from the published series.
fn actuals_from(p: &Published, y: i32, last_year: i32) -> Vec<Actual> {
    let mut out = Vec::new();
    for year in y + 1..=last_year {
        for (line, series, scale) in [
            (BacktestLine::PooledIncome, &p.pooled_income, 1e8),
            (BacktestLine::PooledSpending, &p.pooled_spending, 1e8),
            (BacktestLine::PooledBalance, &p.pooled_balance, 1e8),
            (BacktestLine::FundIncome, &p.fund_income, 1e8),
            (BacktestLine::MembersActive, &p.active, 1e4),
            (BacktestLine::MembersRetiree, &p.retired, 1e4),
        ] {
            if let Some(v) = series.values.get(&year) {
                out.push(Actual {
                    year,
                    line,
                    value: v * scale,
                    source: format!("{}, {year}", series.source),
                });
            }
        }
    }
    out
}

/// Runs one origin: its scenario, base year, forecast and the actuals it is scored on.
pub fn run_origin(
    template: &Scenario,
    template_text: &str,
    r: &RollingSpec,
    dir: &Path,
    y: i32,
    opts: &RunOptions,
) -> Result<OriginRun> {
    let published = Published::read(dir)?;
    prepare_origin(template, template_text, r, dir, &published, y)?.run(&published, r, opts)
}

/// An origin ready to forecast: its scenario with the base year solved, and the size of its
/// benefit tables checked.
struct PreparedOrigin {
    origin: i32,
    scenario: Scenario,
    text: String,
    fit: BaseYearFit,
    wage_drift: Option<crate::calibrate::WageFit>,
}

impl PreparedOrigin {
    /// The forecast and the actuals it is scored on.
    fn run(self, published: &Published, r: &RollingSpec, opts: &RunOptions) -> Result<OriginRun> {
        let forecast = forecast(&self.scenario, None, opts)?;
        Ok(OriginRun {
            origin: self.origin,
            actuals: actuals_from(published, self.origin, r.last_year),
            scenario: self.scenario,
            text: self.text,
            fit: self.fit,
            wage_drift: self.wage_drift,
            forecast,
        })
    }
}

/// Origin `y` up to its forecast: the scenario from the template and the series published by
/// the origin's year end, its base year solved, the retirement take-up's uncertainty, and its
/// benefit tables sized (an origin whose tables would exceed the limit is refused here).
fn prepare_origin(
    template: &Scenario,
    template_text: &str,
    r: &RollingSpec,
    dir: &Path,
    published: &Published,
    y: i32,
) -> Result<PreparedOrigin> {
    let (mut s, text, wage_drift) = origin_scenario(template, template_text, r, dir, published, y)?;
    let fit = base_year::apply(&mut s)?
        .into_iter()
        .next()
        .ok_or_else(|| Error::field(&s.file, "units[0].base_year", "no base year solved"))?;
    // The year before the start's pooled spending is the solved base year's.
    s.units[0].spec.pooled_spending_prev_year = fit.base_year.pooled_spending;
    s.spec.units[0].pooled_spending_prev_year = fit.base_year.pooled_spending;
    if let (true, Some(fit)) = (r.retirement_take_up, &fit.retirees) {
        let (sd, n) = take_up_uncertainty(&published.retired, r.calibration_from, y, fit)
            .ok_or_else(|| {
                Error::field(
                    &s.file,
                    "backtest.retirement_take_up",
                    format!(
                        "origin {y}: fewer than {} growth rates of members_retired in {}–{y}",
                        crate::calibrate::MIN_VALUES,
                        r.calibration_from
                    ),
                )
            })?;
        let sd = if r.variance_uncertainty {
            (sd * small_sample_factor(n)).min(0.5)
        } else {
            sd
        };
        // The unit's take-up is the driver times its level, so the driver's spread is the
        // take-up's over the level.
        let level = s.units[0].spec.retirement_take_up_level;
        let t = &mut s.spec.economy.retirement_take_up;
        t.volatility = sd / level;
        t.mean_uncertainty = sd / level;
        t.source = Some(format!(
            "level solved on the retirees of {} and {y}; volatility and mean uncertainty {:.4}: the sd of the retirees' log growth {}–{y} over the base year's growth per unit of take-up ({:.4}), {sd:.4} of take-up, over the solved level {level:.4}",
            y - 1,
            sd / level,
            r.calibration_from,
            fit.growth_per_take_up
        ));
    }
    crate::engine::ScenarioModel::new(&s).planned_benefit_grid_bytes()?;
    Ok(PreparedOrigin {
        origin: y,
        scenario: s,
        text,
        fit,
        wage_drift,
    })
}

/// By year of `from`–`y`: the fund income's log growth less the log growths of the average
/// wage and of the members in service, for the years with all three published and no dated
/// policy change of the template's first unit taking effect in them or in the year before.
pub(crate) fn collection_residuals(
    template: &Scenario,
    p: &Published,
    from: i32,
    y: i32,
) -> std::collections::BTreeMap<i32, f64> {
    let (income, wage, active) = (
        p.fund_income.log_growth(),
        p.wage.log_growth(),
        p.active.log_growth(),
    );
    (from..=y)
        .filter(|&year| {
            let first = crate::params::Month::from_index((year - 1) * 12);
            let last = crate::params::Month::from_index(year * 12 + 11);
            base_year::policy_change_between(template, 0, first, last).is_none()
        })
        .filter_map(|year| {
            Some((
                year,
                income.get(&year)? - wage.get(&year)? - active.get(&year)?,
            ))
        })
        .collect()
}

/// Whether the template's own `[economy]` sets `driver.field` (the calibration leaves it then).
fn template_sets(doc: &toml::Table, driver: &str, field: &str) -> bool {
    doc.get("economy")
        .and_then(|e| e.get(driver))
        .is_some_and(|t| t.get(field).is_some())
}

/// How much wider `[backtest].variance_uncertainty` takes a volatility estimated as the sample
/// standard deviation of `n` annual values (and a mean's standard error from it):
/// √((n − 1)/(n − 3)), the standard deviation of Student's t with n − 1 degrees of freedom over
/// the normal's (n ≥ 4, `calibrate::MIN_VALUES`; below, the t's variance is unbounded and the
/// factor is that of n = 4).
pub(crate) fn small_sample_factor(n: usize) -> f64 {
    let n = n.max(crate::calibrate::MIN_VALUES) as f64;
    ((n - 1.0) / (n - 3.0)).sqrt()
}

/// Multiplies `table`'s `volatility` by [`small_sample_factor`]`(n)` and says so in its source.
fn widen_volatility(table: &mut toml::Table, n: usize) {
    let factor = small_sample_factor(n);
    if let Some(v) = table.get("volatility").and_then(toml::Value::as_float) {
        table.insert("volatility".into(), (v * factor).into());
        append_source(
            table,
            &format!(
                "volatility x {factor:.4} (t with {} degrees of freedom: estimated on {n} values)",
                n.saturating_sub(1)
            ),
        );
    }
}

/// Adds `; what` to `table`'s `source`.
fn append_source(table: &mut toml::Table, what: &str) {
    let before = table
        .get("source")
        .and_then(toml::Value::as_str)
        .unwrap_or("");
    let source = format!("{before}; {what}");
    table.insert("source".into(), source.into());
}

/// The standard deviation of an origin's retirement take-up: that of the published retirees'
/// annual log growth over `from`–`y` (the calibration's window), over the base year's growth
/// of retirees per unit of take-up, held below 0.5; and the number of growth rates. None with
/// fewer than `calibrate::MIN_VALUES` growth rates.
pub(crate) fn take_up_uncertainty(
    retired: &Series,
    from: i32,
    y: i32,
    fit: &base_year::RetireesFit,
) -> Option<(f64, usize)> {
    if fit.growth_per_take_up <= 0.0 {
        return None;
    }
    let growth = crate::calibrate::in_window(retired.log_growth(), from, y);
    let (_, volatility, _) = crate::calibrate::estimate_ar1(&growth)?;
    Some((
        (volatility.value / fit.growth_per_take_up).min(0.5),
        growth.len(),
    ))
}

/// Every scored actual of an origin's forecast.
pub fn score(origin: i32, f: &Forecast, actuals: &[Actual]) -> Vec<Scored> {
    let mut out = Vec::new();
    for a in actuals {
        let l = a.line as usize;
        let y = a.year - f.first_year;
        if y < 0 || y as usize >= f.n_years || a.value == 0.0 {
            continue;
        }
        let v = &f.values[l][y as usize];
        let b = Bands::of(v);
        out.push(Scored {
            origin,
            year: a.year,
            line: a.line,
            horizon: a.year - origin,
            actual: a.value,
            median: b.median,
            p5: b.p5,
            p25: b.p25,
            p75: b.p75,
            p95: b.p95,
            abs_pct_error: (b.median - a.value).abs() / a.value.abs(),
            crps_relative: crps_sorted(v, a.value) / a.value.abs(),
        });
    }
    out
}

/// The scores by line and years ahead, by line, by years ahead and over all.
pub fn scores(scored: &[Scored]) -> Vec<ScoreGroup> {
    let max_h = scored.iter().map(|s| s.horizon).max().unwrap_or(0);
    let mut out = Vec::new();
    for line in BacktestLine::ALL.map(Some).into_iter().chain([None]) {
        for h in (1..=max_h).chain(std::iter::once(0)) {
            let items: Vec<&Scored> = scored
                .iter()
                .filter(|s| line.is_none_or(|l| s.line == l) && (h == 0 || s.horizon == h))
                .collect();
            if !items.is_empty() {
                out.push(ScoreGroup::of(line, h, &items));
            }
        }
    }
    out
}

/// Runs every origin of the template at `path` (its `[backtest]` section).
pub fn run(path: &Path, opts: &RunOptions) -> Result<Rolling> {
    let template = Scenario::from_path(path)?;
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let r = spec_of(&template)?;
    let dir = series_dir(&template, &r);
    // Every origin is built, solved and sized before the first forecast, so that a bad origin
    // (a figure its year needs and the series lack, tables beyond the limit) is refused before
    // minutes of the others' paths.
    let published = Published::read(&dir)?;
    let prepared = (r.origins[0]..=r.origins[1])
        .map(|y| prepare_origin(&template, &text, &r, &dir, &published, y))
        .collect::<Result<Vec<_>>>()?;
    let origins = prepared
        .into_iter()
        .map(|o| o.run(&published, &r, opts))
        .collect::<Result<Vec<_>>>()?;
    let scored: Vec<Scored> = origins
        .iter()
        .flat_map(|o| score(o.origin, &o.forecast, &o.actuals))
        .collect();
    let scores = scores(&scored);
    Ok(Rolling {
        origins,
        scored,
        scores,
    })
}

/// Every scored actual as a table: origin, year, line, years ahead, the actual and the
/// forecast's quantiles (yuan, or persons for the members lines), the absolute percentage
/// error of the median, the CRPS relative to the actual, and whether the actual fell inside
/// the 90 % and 50 % bands.
pub fn scored_table(scored: &[Scored]) -> Table {
    let col = |f: fn(&Scored) -> f64| scored.iter().map(f).collect::<Vec<f64>>();
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
    let mut t = Table::default();
    t.int(
        "origin",
        scored.iter().map(|s| i64::from(s.origin)).collect(),
    );
    t.int("year", scored.iter().map(|s| i64::from(s.year)).collect());
    t.str(
        "line",
        scored.iter().map(|s| s.line.name().to_string()).collect(),
    );
    t.int(
        "horizon_years",
        scored.iter().map(|s| i64::from(s.horizon)).collect(),
    );
    t.f64("actual", col(|s| s.actual));
    t.f64("forecast_median", col(|s| s.median));
    t.f64("forecast_p5", col(|s| s.p5));
    t.f64("forecast_p25", col(|s| s.p25));
    t.f64("forecast_p75", col(|s| s.p75));
    t.f64("forecast_p95", col(|s| s.p95));
    t.f64("abs_pct_error", col(|s| s.abs_pct_error));
    t.f64("crps_relative", col(|s| s.crps_relative));
    t.str(
        "inside_90",
        scored.iter().map(|s| yes_no(s.inside_90())).collect(),
    );
    t.str(
        "inside_50",
        scored.iter().map(|s| yes_no(s.inside_50())).collect(),
    );
    t
}

/// The scores as a table: line (`all` for every line), years ahead (0: every horizon), the
/// number of actuals, how many and what share fell inside the 90 % and 50 % bands, the median
/// absolute percentage error and the mean relative CRPS.
pub fn scores_table(scores: &[ScoreGroup]) -> Table {
    let mut t = Table::default();
    t.str(
        "line",
        scores
            .iter()
            .map(|g| g.line.map_or("all", BacktestLine::name).to_string())
            .collect(),
    );
    t.int(
        "horizon_years",
        scores.iter().map(|g| i64::from(g.horizon)).collect(),
    );
    t.int("n_actuals", scores.iter().map(|g| g.n as i64).collect());
    t.int(
        "n_inside_90",
        scores.iter().map(|g| g.inside_90 as i64).collect(),
    );
    t.f64(
        "share_inside_90",
        scores.iter().map(ScoreGroup::share_inside_90).collect(),
    );
    t.int(
        "n_inside_50",
        scores.iter().map(|g| g.inside_50 as i64).collect(),
    );
    t.f64(
        "share_inside_50",
        scores.iter().map(ScoreGroup::share_inside_50).collect(),
    );
    t.f64(
        "median_abs_pct_error",
        scores.iter().map(|g| g.median_abs_pct_error).collect(),
    );
    t.f64(
        "mean_crps_relative",
        scores.iter().map(|g| g.mean_crps_relative).collect(),
    );
    t
}
