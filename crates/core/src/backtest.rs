//! Backtests: a scenario started from a past year's published position and projected with only
//! what was known then (plus the policy events that happened), against what happened.
//!
//! Per year and line the forecast gives its median, its 5–95 % band and the percentile rank of
//! the actual among the paths; over all actuals, how many fell inside the 90 % band and the
//! median absolute percentage error of the median forecast at 1, 2, 3… years ahead.

use crate::base_year::fund_income_part;
use crate::data::Table as CsvTable;
use crate::data::{Status, members_in_service};
use crate::engine::montecarlo::{BLOCK_PATHS, PathFold, RunOptions, execute, n_blocks, run_path};
use crate::engine::{FundKind, Memo, Observer, PathState, ScenarioModel};
use crate::error::{Error, Result};
use crate::ledger::FundMonth;
use crate::params::Month;
use crate::risk::quantile_sorted;
use crate::scenario::Scenario;
use crate::table::Table;
use std::path::Path;

/// The lines a backtest forecasts, in the order of its tables:
/// - `pooled_income`: the pooled fund's income (contributions and subsidies, no interest), as
///   the bulletins count it: net of the personal-account credits paid from pooled money
///   ([`FundMonth::as_published`]);
/// - `pooled_spending`: the pooled fund's spending, likewise without those credits;
/// - `pooled_balance`: the pooled fund's balance at the year end (统筹基金累计结存);
/// - `fund_income`: the whole fund's income as the national bulletins count it: pooled income,
///   interest, the contributions credited to personal accounts and, from the year of a
///   maternity merger, the separate maternity fund's income and interest (职工医保基金收入;
///   before that year the bulletins publish maternity insurance apart);
/// - `members_active`: members in service at the year end (在职职工: employees, flexible
///   workers and continuing contributors), persons;
/// - `members_retiree`: retired members at the year end (退休人员), persons.
///
/// Members at a year end are the expected path's at the start of the next January (the
/// last year: the start of its December), as in [`membership_path`].
pub const LINES: [&str; 6] = [
    "pooled_income",
    "pooled_spending",
    "pooled_balance",
    "fund_income",
    "members_active",
    "members_retiree",
];

/// The lines a backtest forecasts, in the order of [`LINES`] (their names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BacktestLine {
    PooledIncome,
    PooledSpending,
    PooledBalance,
    FundIncome,
    MembersActive,
    MembersRetiree,
}

impl BacktestLine {
    pub const ALL: [BacktestLine; 6] = [
        BacktestLine::PooledIncome,
        BacktestLine::PooledSpending,
        BacktestLine::PooledBalance,
        BacktestLine::FundIncome,
        BacktestLine::MembersActive,
        BacktestLine::MembersRetiree,
    ];

    /// Its name in the tables and the actuals' `line` column (`pooled_income`, …).
    pub const fn name(self) -> &'static str {
        LINES[self as usize]
    }

    /// The line of a name of [`LINES`].
    pub fn of_name(name: &str) -> Option<BacktestLine> {
        BacktestLine::ALL.into_iter().find(|l| l.name() == name)
    }

    /// Whether the line counts persons (else yuan).
    pub fn is_persons(self) -> bool {
        matches!(
            self,
            BacktestLine::MembersActive | BacktestLine::MembersRetiree
        )
    }
}

impl std::fmt::Display for BacktestLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.name())
    }
}

/// A published figure to compare with the forecast.
#[derive(Clone, Debug, PartialEq)]
pub struct Actual {
    pub year: i32,
    pub line: BacktestLine,
    /// Yuan, or persons for the members lines.
    pub value: f64,
    pub source: String,
}

/// Reads actuals: a CSV with `year`, `line` (one of [`LINES`]), `actual` (yuan; persons for the
/// members lines) and an optional `source`; `#` lines are comments. A (year, line) given twice
/// is an error.
pub fn read_actuals(path: &Path) -> Result<Vec<Actual>> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Error::table(
            &shown,
            0,
            "-",
            "not UTF-8 text: save the table as UTF-8 CSV",
        )
    })?;
    let t = CsvTable::parse(&shown, &text)?;
    let years = t.f64s("year", 1900.0, 2200.0)?;
    let lines = t.strings("line", &LINES)?;
    let values = t.f64s("actual", -1e16, 1e16)?;
    let sources = if t.has_column("source") {
        t.strings_any("source")?
    } else {
        vec![String::new(); years.len()]
    };
    let mut out: Vec<Actual> = Vec::with_capacity(years.len());
    for (((y, line), value), source) in years.into_iter().zip(lines).zip(values).zip(sources) {
        if y.fract() != 0.0 {
            return Err(Error::table(
                &shown,
                0,
                "year",
                format!("{y} is not a whole year"),
            ));
        }
        let year = y as i32;
        let Some(line) = BacktestLine::of_name(&line) else {
            return Err(Error::table(
                &shown,
                0,
                "line",
                format!("{line} is not a line"),
            ));
        };
        if out.iter().any(|a| a.year == year && a.line == line) {
            return Err(Error::table(
                &shown,
                0,
                "line",
                format!("{line} of {year} is given twice"),
            ));
        }
        out.push(Actual {
            year,
            line,
            value,
            source,
        });
    }
    Ok(out)
}

/// Percentile rank (0–100) of `x` among `sorted` values: the share of values below it, values
/// equal to it counted half.
pub fn percentile_rank(sorted: &[f64], x: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let below = sorted.partition_point(|v| *v < x);
    let not_above = sorted.partition_point(|v| *v <= x);
    100.0 * (below as f64 + 0.5 * (not_above - below) as f64) / sorted.len() as f64
}

/// A forecast's quantiles of one year and line: the median, the 50 % band (p25–p75) and the
/// 90 % band (p5–p95).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bands {
    pub p5: f64,
    pub p25: f64,
    pub median: f64,
    pub p75: f64,
    pub p95: f64,
}

impl Bands {
    /// The quantiles of `sorted` (ascending) values.
    pub fn of(sorted: &[f64]) -> Bands {
        let q = |p: f64| quantile_sorted(sorted, p);
        Bands {
            p5: q(0.05),
            p25: q(0.25),
            median: q(0.5),
            p75: q(0.75),
            p95: q(0.95),
        }
    }
}

/// The forecast: per line, year and path, in path order.
pub struct Forecast {
    pub fund: String,
    pub first_year: i32,
    pub n_years: usize,
    pub paths: usize,
    /// [line][year][path], each year's values sorted ascending.
    pub values: Vec<Vec<Vec<f64>>>,
}

/// The backtest's fold for the executor: each path's year values of the lines, kept per path
/// (for exact quantiles) in block order.
struct LineFold<'a> {
    model: &'a ScenarioModel,
    seed: u64,
    pooled: usize,
    maternity: Option<usize>,
    merger: Option<Month>,
    n_years: usize,
}

impl PathFold for LineFold<'_> {
    type Worker = PathState<f64>;
    type Block = Vec<Vec<f64>>;

    fn worker(&self) -> PathState<f64> {
        PathState::new(self.model)
    }

    fn block(&self) -> Vec<Vec<f64>> {
        Vec::with_capacity(BLOCK_PATHS)
    }

    fn path(&self, p: usize, state: &mut PathState<f64>, block: &mut Vec<Vec<f64>>) {
        let mut obs = LineObserver {
            model: self.model,
            pooled: self.pooled,
            maternity: self.maternity,
            merger: self.merger,
            out: vec![0.0; LINES.len() * self.n_years],
            n_years: self.n_years,
        };
        run_path(self.model, self.seed, p as u64, state, &mut obs);
        block.push(obs.out);
    }
}

/// Folds one path into its year values of the backtest's lines.
struct LineObserver<'a> {
    model: &'a ScenarioModel,
    pooled: usize,
    maternity: Option<usize>,
    /// The unit's maternity merger: the maternity fund counts in `fund_income` from its year.
    merger: Option<Month>,
    /// [line][year]
    out: Vec<f64>,
    n_years: usize,
}

impl Observer<f64> for LineObserver<'_> {
    fn month(&mut self, k: usize, fund: usize, r: &FundMonth<f64>, memo: &Memo) {
        let t = self.model.month(k);
        let y = (t.year() - self.model.start.year()) as usize;
        let at = |line: usize| line * self.n_years + y;
        if fund == self.pooled {
            let (income, spending) = r.as_published();
            self.out[at(0)] += income;
            self.out[at(1)] += spending;
            if t.month() == 12 {
                self.out[at(2)] = r.balance;
            }
        }
        if fund == self.pooled || Some(fund) == self.maternity {
            let kind = self.model.funds[fund].kind;
            self.out[at(3)] += fund_income_part(kind, r, memo, self.merger, t.year());
        }
        if fund == self.pooled {
            // Year-end members: the start of December, replaced by the start of the next
            // January when the horizon has one.
            let year_end = match t.month() {
                12 => Some(y),
                1 if y > 0 => Some(y - 1),
                _ => None,
            };
            if let Some(ye) = year_end {
                self.out[4 * self.n_years + ye] = members_in_service(&memo.members);
                self.out[5 * self.n_years + ye] = memo.members[Status::Retiree as usize];
            }
        }
    }
}

/// Runs the backtest's paths (the same streams as `fundrisk run`) and keeps the lines of the
/// fund named `fund` (default: the first fund) and of its separate maternity fund.
pub fn forecast(s: &Scenario, fund: Option<&str>, opts: &RunOptions) -> Result<Forecast> {
    if opts.paths == 0 {
        return Err(Error::Invalid(
            "paths: a backtest needs at least 1 path".into(),
        ));
    }
    let mut model = ScenarioModel::new(s);
    model.build_benefit_grids()?;
    let pooled = match fund {
        Some(name) => model
            .funds
            .iter()
            .position(|f| f.name == name)
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "unit `{name}`: no such fund in {}; funds are {}",
                    s.file,
                    model
                        .funds
                        .iter()
                        .map(|f| f.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?,
        None => 0,
    };
    if !matches!(model.funds[pooled].kind, FundKind::Pooled | FundKind::City) {
        return Err(Error::Invalid(format!(
            "{} is not a pooled fund; a backtest follows a unit's pooled fund (or a city fund)",
            model.funds[pooled].name
        )));
    }
    // The unit's own separate maternity fund (a city fund pools counties: none of theirs).
    let maternity = model.funds.iter().position(|f| {
        model.funds[pooled].kind == FundKind::Pooled
            && f.kind == FundKind::Maternity
            && f.unit == model.funds[pooled].unit
    });
    let n_years = (s.end().year() - s.spec.start.year() + 1) as usize;
    let merger = s.units[model.funds[pooled].unit]
        .policy
        .maternity
        .as_ref()
        .and_then(|m| m.merger);
    let fold = LineFold {
        model: &model,
        seed: opts.seed,
        pooled,
        maternity,
        merger,
        n_years,
    };
    let per_block = execute(opts, 0..n_blocks(opts.paths), &fold, &|_| {})?;
    let per_path: Vec<Vec<f64>> = per_block.into_iter().flatten().collect();
    let mut values = vec![vec![Vec::with_capacity(opts.paths); n_years]; LINES.len()];
    for path in &per_path {
        for (l, by_year) in values.iter_mut().enumerate() {
            for (y, v) in by_year.iter_mut().enumerate() {
                v.push(path[l * n_years + y]);
            }
        }
    }
    for by_year in &mut values {
        for v in by_year.iter_mut() {
            v.sort_by(f64::total_cmp);
        }
    }
    Ok(Forecast {
        fund: model.funds[pooled].name.clone(),
        first_year: s.spec.start.year(),
        n_years,
        paths: opts.paths,
        values,
    })
}

/// One year and line of a backtest: the forecast's bands and, where one was published, the
/// actual and how it scored.
#[derive(Clone, Debug, PartialEq)]
pub struct BacktestRow {
    pub year: i32,
    pub line: BacktestLine,
    /// Years ahead of the origin (1 for the first projected year).
    pub horizon_years: i64,
    /// The published figure (yuan, or persons for the members lines).
    pub actual: Option<f64>,
    /// Where it was published.
    pub source: String,
    /// The forecast's quantiles over the paths.
    pub bands: Bands,
    pub mean: f64,
    /// Percentile rank of the actual among the paths (0–100).
    pub percentile_rank: Option<f64>,
    /// |median − actual| / |actual| (none for an actual of 0).
    pub abs_pct_error: Option<f64>,
    /// Continuous ranked probability score, in the line's units.
    pub crps: Option<f64>,
    /// Whether the actual lies in the 5–95 % band.
    pub inside_90: Option<bool>,
    /// Whether the actual lies in the 25–75 % band.
    pub inside_50: Option<bool>,
}

/// The scores of the actuals at one horizon.
#[derive(Clone, Debug, PartialEq)]
pub struct HorizonScore {
    pub horizon_years: i64,
    pub n_actuals: i64,
    pub n_inside_90: i64,
    pub n_inside_50: i64,
    /// Median of the absolute percentage errors of the median forecast (share; none without
    /// actuals).
    pub median_abs_pct_error: Option<f64>,
    /// Mean CRPS relative to the actual's size (share; none without actuals).
    pub mean_crps_relative: Option<f64>,
}

/// The backtest's results: one row per year and line, and the scores by years ahead.
#[derive(Clone, Debug, PartialEq)]
pub struct Backtest {
    pub rows: Vec<BacktestRow>,
    pub scores: Vec<HorizonScore>,
}

impl Backtest {
    /// The actuals scored and how many fell inside the 90 % band.
    pub fn inside_90(&self) -> (i64, i64) {
        let n = self.scores.iter().map(|s| s.n_actuals).sum();
        (self.scores.iter().map(|s| s.n_inside_90).sum(), n)
    }

    /// As the `backtest.csv` table (an absent value is an empty cell: NaN or "").
    pub fn rows_table(&self) -> Table {
        let rows = &self.rows;
        let nan = |v: Option<f64>| v.unwrap_or(f64::NAN);
        let yes = |v: Option<bool>| match v {
            Some(true) => "yes".to_string(),
            Some(false) => "no".to_string(),
            None => String::new(),
        };
        let mut t = Table::default();
        t.int("year", rows.iter().map(|r| i64::from(r.year)).collect());
        t.str(
            "line",
            rows.iter().map(|r| r.line.name().to_string()).collect(),
        );
        t.int(
            "horizon_years",
            rows.iter().map(|r| r.horizon_years).collect(),
        );
        t.f64("actual", rows.iter().map(|r| nan(r.actual)).collect());
        type Column = fn(&BacktestRow) -> f64;
        let columns: [(&str, Column); 8] = [
            ("forecast_median", |r| r.bands.median),
            ("forecast_p5", |r| r.bands.p5),
            ("forecast_p95", |r| r.bands.p95),
            ("forecast_mean", |r| r.mean),
            ("percentile_rank", |r| r.percentile_rank.unwrap_or(f64::NAN)),
            ("abs_pct_error", |r| r.abs_pct_error.unwrap_or(f64::NAN)),
            ("forecast_p25", |r| r.bands.p25),
            ("forecast_p75", |r| r.bands.p75),
        ];
        for (name, f) in columns {
            t.f64(name, rows.iter().map(f).collect());
        }
        t.f64("crps", rows.iter().map(|r| nan(r.crps)).collect());
        t.str("inside_90", rows.iter().map(|r| yes(r.inside_90)).collect());
        t.str("inside_50", rows.iter().map(|r| yes(r.inside_50)).collect());
        t.str("source", rows.iter().map(|r| r.source.clone()).collect());
        t
    }

    /// As the `backtest_scores.csv` table.
    pub fn scores_table(&self) -> Table {
        let s = &self.scores;
        let mut t = Table::default();
        t.int("horizon_years", s.iter().map(|x| x.horizon_years).collect());
        t.int("n_actuals", s.iter().map(|x| x.n_actuals).collect());
        t.int("n_inside_90", s.iter().map(|x| x.n_inside_90).collect());
        t.int("n_inside_50", s.iter().map(|x| x.n_inside_50).collect());
        t.f64(
            "median_abs_pct_error",
            s.iter()
                .map(|x| x.median_abs_pct_error.unwrap_or(f64::NAN))
                .collect(),
        );
        t.f64(
            "mean_crps_relative",
            s.iter()
                .map(|x| x.mean_crps_relative.unwrap_or(f64::NAN))
                .collect(),
        );
        t
    }
}

/// Compares the forecast with the actuals. Actuals of years outside the forecast are an error
/// (they would silently score nothing).
pub fn compare(f: &Forecast, actuals: &[Actual], file: &str) -> Result<Backtest> {
    let last_year = f.first_year + f.n_years as i32 - 1;
    if let Some(a) = actuals
        .iter()
        .find(|a| a.year < f.first_year || a.year > last_year)
    {
        return Err(Error::table(
            file,
            0,
            "year",
            format!(
                "{} is outside the forecast {}–{last_year}",
                a.year, f.first_year
            ),
        ));
    }
    let mut rows = Vec::new();
    for y in 0..f.n_years {
        for (l, line) in BacktestLine::ALL.into_iter().enumerate() {
            let v = &f.values[l][y];
            let yr = f.first_year + y as i32;
            let a = actuals.iter().find(|a| a.year == yr && a.line == line);
            let bands = Bands::of(v);
            let within = |lo: f64, hi: f64| a.map(|a| (lo..=hi).contains(&a.value));
            rows.push(BacktestRow {
                year: yr,
                line,
                horizon_years: y as i64 + 1,
                actual: a.map(|a| a.value),
                source: a.map_or(String::new(), |a| a.source.clone()),
                mean: v.iter().sum::<f64>() / v.len() as f64,
                percentile_rank: a.map(|a| percentile_rank(v, a.value)),
                abs_pct_error: a
                    .filter(|a| a.value != 0.0)
                    .map(|a| (bands.median - a.value).abs() / a.value.abs()),
                crps: a.map(|a| crps_sorted(v, a.value)),
                inside_90: within(bands.p5, bands.p95),
                inside_50: within(bands.p25, bands.p75),
                bands,
            });
        }
    }
    // Scores by years ahead, over the lines with an actual.
    let scores = (1..=f.n_years as i64)
        .map(|h| {
            let scored: Vec<&BacktestRow> = rows
                .iter()
                .filter(|r| r.horizon_years == h && r.actual.is_some())
                .collect();
            let mut errors: Vec<f64> = scored.iter().filter_map(|r| r.abs_pct_error).collect();
            errors.sort_by(f64::total_cmp);
            // CRPS relative to the actual's size, averaged: comparable across lines.
            let rel: Vec<f64> = scored
                .iter()
                .filter_map(|r| match (r.crps, r.actual) {
                    (Some(c), Some(a)) if a != 0.0 => Some(c / a.abs()),
                    _ => None,
                })
                .collect();
            let count = |f: fn(&BacktestRow) -> Option<bool>| {
                scored.iter().filter(|r| f(r) == Some(true)).count() as i64
            };
            HorizonScore {
                horizon_years: h,
                n_actuals: scored.len() as i64,
                n_inside_90: count(|r| r.inside_90),
                n_inside_50: count(|r| r.inside_50),
                median_abs_pct_error: (!errors.is_empty()).then(|| quantile_sorted(&errors, 0.5)),
                mean_crps_relative: (!rel.is_empty())
                    .then(|| rel.iter().sum::<f64>() / rel.len() as f64),
            }
        })
        .collect();
    Ok(Backtest { rows, scores })
}

/// The continuous ranked probability score of the forecast `sorted` (ascending) for the
/// actual `y`: mean|xᵢ − y| − ½ · mean over all pairs |xᵢ − xⱼ|, the pairs' sum taken exactly
/// from the sorted values as 2 Σᵢ (2i − n − 1) x₍ᵢ₎ (i from 1). In the line's units; 0 for a
/// forecast that is the actual for certain.
pub fn crps_sorted(sorted: &[f64], y: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let nf = n as f64;
    let to_actual = sorted.iter().map(|x| (x - y).abs()).sum::<f64>() / nf;
    let pairs: f64 = sorted
        .iter()
        .enumerate()
        .map(|(i, x)| (2.0 * (i as f64 + 1.0) - nf - 1.0) * x)
        .sum::<f64>()
        * 2.0;
    to_actual - 0.5 * pairs / (nf * nf)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CRPS by hand: paths 1, 2, 3 and actual 2: mean|x − 2| = 2/3; the nine pairs' |xᵢ − xⱼ|
    /// sum to 8; CRPS = 2/3 − ½ · 8/9 = 2/9. A certain forecast scores |x − y|; one on the
    /// actual, 0. Against a brute-force double sum on 200 values.
    #[test]
    fn crps_by_hand() {
        assert!((crps_sorted(&[1.0, 2.0, 3.0], 2.0) - 2.0 / 9.0).abs() < 1e-15);
        assert!((crps_sorted(&[5.0], 2.0) - 3.0).abs() < 1e-15);
        assert_eq!(crps_sorted(&[2.0, 2.0], 2.0), 0.0);
        let xs: Vec<f64> = (0..200)
            .map(|i| ((i * 37) % 200) as f64 * 0.7 - 20.0)
            .collect();
        let mut sorted = xs.clone();
        sorted.sort_by(f64::total_cmp);
        let y = 13.3;
        let n = xs.len() as f64;
        let brute = xs.iter().map(|x| (x - y).abs()).sum::<f64>() / n
            - 0.5
                * xs.iter()
                    .flat_map(|a| xs.iter().map(move |b| (a - b).abs()))
                    .sum::<f64>()
                / (n * n);
        assert!((crps_sorted(&sorted, y) - brute).abs() < 1e-9, "{brute}");
    }

    /// Ranks by hand among 1, 2, …, 100: 50.5 has 50 values below (50 %); 50 has 49 below
    /// and one equal (49.5 %); below all 0 %, above all 100 %.
    #[test]
    fn percentile_ranks_of_a_constructed_case() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile_rank(&v, 50.5), 50.0);
        assert_eq!(percentile_rank(&v, 50.0), 49.5);
        assert_eq!(percentile_rank(&v, 0.0), 0.0);
        assert_eq!(percentile_rank(&v, 1000.0), 100.0);
        // Ties: five equal values, the actual among them sits at their middle.
        let t = [1.0, 2.0, 2.0, 2.0, 2.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile_rank(&t, 2.0), 100.0 * (1.0 + 2.5) / 8.0);
    }

    /// A forecast whose paths are 1…100 in every year and line: an actual of 97 is outside
    /// the 5–95 % band (rank 96.5 %); 50 is inside with a median error of |50.5 − 50|/50.
    #[test]
    fn scores_of_a_constructed_forecast() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        let f = Forecast {
            fund: "x".into(),
            first_year: 2019,
            n_years: 2,
            paths: 100,
            values: vec![vec![v.clone(); 2]; LINES.len()],
        };
        let actuals = [
            Actual {
                year: 2019,
                line: BacktestLine::PooledBalance,
                value: 97.0,
                source: String::new(),
            },
            Actual {
                year: 2020,
                line: BacktestLine::PooledBalance,
                value: 50.0,
                source: String::new(),
            },
        ];
        let b = compare(&f, &actuals, "a.csv").unwrap();
        let row = |year: i32| {
            b.rows
                .iter()
                .find(|r| r.year == year && r.line == BacktestLine::PooledBalance)
                .unwrap()
        };
        assert_eq!(row(2019).percentile_rank, Some(96.5));
        assert_eq!(row(2020).percentile_rank, Some(49.5));
        assert_eq!(row(2019).inside_90, Some(false));
        assert_eq!(row(2020).inside_90, Some(true));
        assert_eq!(
            b.rows
                .iter()
                .filter(|r| r.percentile_rank.is_some())
                .count(),
            2
        );
        let n: Vec<i64> = b.scores.iter().map(|s| s.n_actuals).collect();
        let n_in: Vec<i64> = b.scores.iter().map(|s| s.n_inside_90).collect();
        assert_eq!((n, n_in), (vec![1, 1], vec![0, 1]));
        let mape: Vec<f64> = b
            .scores
            .iter()
            .map(|s| s.median_abs_pct_error.unwrap())
            .collect();
        assert!((mape[0] - (97.0 - 50.5) / 97.0).abs() < 1e-15);
        assert!((mape[1] - 0.5 / 50.0).abs() < 1e-15);
        // The tables say the same under their columns (an absent rank is an empty cell).
        let t = b.rows_table();
        let i = LINES.len() + 2;
        assert_eq!(t.strings("inside_90").unwrap()[i], "yes");
        assert_eq!(t.numbers("percentile_rank").unwrap()[i], 49.5);
        assert!(t.numbers("percentile_rank").unwrap()[0].is_nan());
        assert_eq!(
            b.scores_table().numbers("n_inside_90").unwrap(),
            vec![0.0, 1.0]
        );
        // An actual outside the forecast years is refused.
        let late = [Actual {
            year: 2021,
            ..actuals[0].clone()
        }];
        assert!(
            compare(&f, &late, "a.csv")
                .unwrap_err()
                .to_string()
                .contains("outside the forecast")
        );
    }
}

/// Members at a year end: the expected path's and the published figures (persons).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MembershipYear {
    pub year: i32,
    /// Active members on the expected path: workers of every status and continuing
    /// contributors.
    pub active_model: f64,
    pub retired_model: f64,
    pub active_published: Option<f64>,
    pub retired_published: Option<f64>,
}

impl MembershipYear {
    pub fn ratio_model(&self) -> f64 {
        100.0 * self.retired_model / self.active_model
    }
    pub fn ratio_published(&self) -> Option<f64> {
        Some(100.0 * self.retired_published? / self.active_published?)
    }
}

/// Published members in service and retired by year (persons) from a table with the columns
/// `year`, `basis` (`bulletin` or `flash`), `members_active` and `members_retired` (万人), as
/// data/calibration/employee_medical_insurance.csv: the bulletin's figure where a year has
/// both, empty cells skipped.
pub fn read_published_membership(path: &Path) -> Result<Vec<(i32, f64, f64)>> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let t = CsvTable::parse(&shown, &text)?;
    let years = t.f64s("year", 1900.0, 2200.0)?;
    let basis = t.strings("basis", &["bulletin", "flash"])?;
    let active = t.optional_f64s("members_active", 0.0, 1e7)?;
    let retired = t.optional_f64s("members_retired", 0.0, 1e7)?;
    let mut out: Vec<(i32, f64, f64, bool)> = Vec::new();
    for i in 0..years.len() {
        let (Some(a), Some(r)) = (active[i], retired[i]) else {
            continue;
        };
        let (year, bulletin) = (years[i] as i32, basis[i] == "bulletin");
        match out.iter_mut().find(|o| o.0 == year) {
            Some(o) if bulletin && !o.3 => *o = (year, a * 1e4, r * 1e4, true),
            Some(_) => {}
            None => out.push((year, a * 1e4, r * 1e4, bulletin)),
        }
    }
    out.sort_by_key(|o| o.0);
    Ok(out.into_iter().map(|(y, a, r, _)| (y, a, r)).collect())
}

/// The expected path's active members and retirees at each year end (the start of the next
/// January; the last year: the start of its December), summed over the scenario's pooled
/// (or city) funds, beside the published figures of the same years.
pub fn membership_path(s: &Scenario, published: &[(i32, f64, f64)]) -> Vec<MembershipYear> {
    let model = ScenarioModel::new(s);
    let mut by_month = vec![[0.0; 2]; model.horizon as usize];
    crate::engine::project_expected(
        &model,
        &mut |k: usize, f: usize, _rec: &FundMonth<f64>, memo: &Memo| {
            if matches!(model.funds[f].kind, FundKind::Pooled | FundKind::City) {
                by_month[k][0] += members_in_service(&memo.members);
                by_month[k][1] += memo.members[Status::Retiree as usize];
            }
        },
    );
    let (first, last) = (model.start.year(), model.month(model.horizon as usize - 1));
    (first..=last.year())
        .filter_map(|year| {
            let k = (0..model.horizon as usize)
                .find(|&k| model.month(k).year() == year + 1)
                .or_else(|| {
                    (0..model.horizon as usize).find(|&k| {
                        let t = model.month(k);
                        t.year() == year && t.month() == 12
                    })
                })?;
            let p = published.iter().find(|p| p.0 == year);
            Some(MembershipYear {
                year,
                active_model: by_month[k][0],
                retired_model: by_month[k][1],
                active_published: p.map(|p| p.1),
                retired_published: p.map(|p| p.2),
            })
        })
        .collect()
}

/// The comparison as a table: per year, active members and retirees (persons) of the model and
/// as published, retirees per 100 active members of both and their difference, and the
/// relative error of the active members.
pub fn membership_table(years: &[MembershipYear]) -> Table {
    let opt = |v: Option<f64>| v.unwrap_or(f64::NAN);
    let mut t = Table::default();
    t.int("year", years.iter().map(|y| i64::from(y.year)).collect());
    t.f64(
        "active_model",
        years.iter().map(|y| y.active_model).collect(),
    );
    t.f64(
        "active_published",
        years.iter().map(|y| opt(y.active_published)).collect(),
    );
    t.f64(
        "active_error",
        years
            .iter()
            .map(|y| opt(y.active_published.map(|p| y.active_model / p - 1.0)))
            .collect(),
    );
    t.f64(
        "retired_model",
        years.iter().map(|y| y.retired_model).collect(),
    );
    t.f64(
        "retired_published",
        years.iter().map(|y| opt(y.retired_published)).collect(),
    );
    t.f64(
        "retirees_per_100_model",
        years.iter().map(MembershipYear::ratio_model).collect(),
    );
    t.f64(
        "retirees_per_100_published",
        years.iter().map(|y| opt(y.ratio_published())).collect(),
    );
    t.f64(
        "retirees_per_100_difference",
        years
            .iter()
            .map(|y| opt(y.ratio_published().map(|p| y.ratio_model() - p)))
            .collect(),
    );
    t
}
