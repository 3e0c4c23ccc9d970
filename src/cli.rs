//! Command-line interface: argument parsing and calls into the library; no model logic.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use fundrisk::engine::ScenarioModel;
use fundrisk::engine::montecarlo::RunOptions;
use fundrisk::report;
use fundrisk::report::lang::Lang;
use fundrisk::report::studies::{Comparison, RateQuestion};
use fundrisk::run::{StudyOutput, write_study};
use fundrisk::scenario::{Override, Scenario};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Prints a line to stdout, ignoring a closed pipe (`fundrisk check | head` must not panic;
/// the results are in files, what is printed is a summary).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

#[derive(Parser)]
#[command(
    name = "fundrisk",
    version,
    about = "Risk forecasts for Chinese social medical insurance funds"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Change a scenario field without editing the file: PATH=VALUE with a dotted path as the
    /// file is written (policy.employer_rate=0.085, economy.wage_growth.mean=0.04,
    /// units.jinan.policy.employer_rate=0.09, units[0].initial_pooled_balance=1e9) and a TOML
    /// value. Repeatable; applied in order, validated like the file, recorded in run.json and in
    /// the report's assumptions.
    #[arg(long = "set", global = true, value_name = "PATH=VALUE")]
    set: Vec<String>,
}

/// The `--set` overrides of this invocation, for every scenario it loads.
static OVERRIDES: std::sync::OnceLock<Vec<Override>> = std::sync::OnceLock::new();

fn overrides() -> &'static [Override] {
    OVERRIDES.get().map_or(&[], Vec::as_slice)
}

/// How many paths, from which seed, on how many threads.
#[derive(clap::Args, Clone, Debug)]
struct RunArgs {
    /// Number of paths (default: the scenario's run.paths).
    #[arg(long)]
    paths: Option<usize>,
    /// Seed of the random streams (default: the scenario's run.seed).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Language of the report: zh (default) or en.
    #[arg(long, default_value = "zh")]
    lang: String,
}

/// How a run's report is written.
#[derive(clap::Args)]
struct ReportArgs {
    /// Money unit of the workbook: yuan, wan (万元, default) or yi (亿元). The CSV files hold yuan.
    #[arg(long, default_value = "wan")]
    money_unit: String,
    /// Also print the report to report.pdf (A4) with headless Chromium ($CHROME, or chromium,
    /// chromium-browser or google-chrome on PATH).
    #[arg(long)]
    pdf: bool,
}

impl ReportArgs {
    /// The report's options, checked before any work: the money unit's name and, with --pdf,
    /// a Chromium to print with.
    fn options(&self, lang: Lang) -> Result<fundrisk::run::ReportOptions> {
        let money = report::lang::MoneyUnit::parse(&self.money_unit).ok_or_else(|| {
            anyhow::anyhow!(
                "--money-unit `{}`: expected yuan, wan (万元) or yi (亿元)",
                self.money_unit
            )
        })?;
        let pdf_with = if self.pdf {
            Some(report::pdf::find_chromium().ok_or_else(|| {
                anyhow::anyhow!(
                    "--pdf needs headless Chromium and none was found (set CHROME to its path, or install Debian's `chromium`); run without --pdf to write the HTML report only"
                )
            })?)
        } else {
            None
        };
        Ok(fundrisk::run::ReportOptions {
            lang,
            money,
            pdf_with,
        })
    }
}

impl RunArgs {
    fn options(&self, s: &Scenario) -> Result<RunOptions> {
        if self.paths == Some(0) {
            anyhow::bail!("--paths must be at least 1");
        }
        if self.threads == Some(0) {
            anyhow::bail!("--threads must be at least 1");
        }
        let max_threads = max_threads();
        if let Some(t) = self.threads.filter(|&t| t > max_threads) {
            anyhow::bail!(
                "--threads {t} is outside the allowed range [1, {max_threads}] (four times this machine's cores)"
            );
        }
        if let Some(p) = self.paths.filter(|&p| p > MAX_PATHS) {
            anyhow::bail!(
                "--paths {p} is outside the allowed range [1, {MAX_PATHS}] (split larger runs into shards)"
            );
        }
        let mut o = RunOptions::new(
            self.paths.unwrap_or(s.spec.run.paths as usize),
            self.seed.unwrap_or(s.spec.run.seed),
        );
        o.threads = self.threads;
        Ok(o)
    }

    fn lang(&self) -> Result<Lang> {
        parse_lang(&self.lang)
    }
}

/// Most paths one run may have (`--paths`); larger runs are split into shards.
const MAX_PATHS: usize = 100_000_000;

/// Most worker threads (`--threads`): four times the cores, at least 8.
fn max_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(2, std::num::NonZeroUsize::get)
        .saturating_mul(4)
        .max(8)
}

fn parse_lang(s: &str) -> Result<Lang> {
    Lang::parse(s).ok_or_else(|| anyhow::anyhow!("--lang `{s}`: expected zh or en"))
}

#[derive(Subcommand)]
enum Command {
    /// Estimate the economic drivers (mean, volatility, persistence, shock correlations, each
    /// with its standard error) from the public series in a folder, and write them as a TOML
    /// fragment a scenario includes.
    Calibrate {
        /// Folder of the series (wages.csv, employee_medical_insurance.csv, births.csv).
        #[arg(long, default_value = "data/calibration")]
        data: PathBuf,
        /// Years of growth rates used, FIRST-LAST (e.g. 2013-2019: growth from 2012 to 2019).
        #[arg(long, default_value = "2013-2019")]
        years: String,
        /// Name recorded in the fragment (default: national-FIRST-LAST).
        #[arg(long)]
        name: Option<String>,
        /// Also fit the drift of the wage growth's mean (regime uncertainty,
        /// `wage_growth.mean_drift`): the local-level model on the wage's growth rates of this
        /// year to the last of --years (at least ten; wages.csv from 1995).
        #[arg(long, value_name = "YEAR")]
        wage_drift_from: Option<i32>,
        /// Output TOML file (default: print it).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Forecast past years from a scenario that starts at a published position, and compare
    /// each year and line with what happened: median, 5–95 % and 25–75 % bands, percentile
    /// rank of the actual; how many actuals fell inside the bands; the median absolute
    /// percentage error and the CRPS by years ahead. A template with a `[backtest]` section
    /// (scenarios/national-rolling.toml) runs from every origin year it names, each with only
    /// the data published by then, and scores all origins together.
    Backtest {
        /// Scenario TOML file: a template with `[backtest]` (scenarios/national-rolling.toml)
        /// or a single origin with --actuals (scenarios/national-backtest.toml).
        scenario: PathBuf,
        /// Actuals of a single-origin backtest: CSV with year, line (pooled_income,
        /// pooled_spending, pooled_balance, fund_income, members_active, members_retiree),
        /// actual (yuan; persons for members) and source. A rolling template takes its actuals
        /// from its series instead.
        #[arg(long)]
        actuals: Option<PathBuf>,
        /// The pooled fund followed (default: the first fund).
        #[arg(long)]
        unit: Option<String>,
        #[command(flatten)]
        run: RunArgs,
        /// Output folder.
        #[arg(long, default_value = "reports/backtest")]
        out: PathBuf,
    },
    /// The expected path's active members and retirees against the published series, year by
    /// year: a table, a chart of retirees per 100 active members and a report.
    Demography {
        /// Scenario TOML file, e.g. scenarios/national-membership-2012.toml.
        scenario: PathBuf,
        /// Published members: CSV with year, basis, members_active and members_retired (万人).
        #[arg(
            long,
            default_value = "data/calibration/employee_medical_insurance.csv"
        )]
        actuals: PathBuf,
        /// Output folder.
        #[arg(long, default_value = "reports/demography")]
        out: PathBuf,
        /// Language of the report: zh (default) or en.
        #[arg(long, default_value = "zh")]
        lang: String,
    },
    /// Validate a scenario file and print what it describes.
    Check {
        /// Scenario TOML file (default: the embedded national-2025 scenario, from the latest bulletin).
        scenario: Option<PathBuf>,
    },
    /// Write the expected path as an exact ledger (yuan, rounded to the fen), one row per unit
    /// and month.
    Ledger {
        scenario: Option<PathBuf>,
        /// Output CSV file.
        #[arg(long, default_value = "ledger.csv")]
        out: PathBuf,
    },
    /// Run the Monte Carlo forecast of a scenario and write its tables into a folder
    /// (default reports/<scenario-name>/), replacing it only when complete.
    Run {
        /// Scenario TOML file (default: the embedded national-2025 scenario, from the latest bulletin).
        scenario: Option<PathBuf>,
        #[command(flatten)]
        run: RunArgs,
        /// Output folder.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Also write every path's monthly series (paths.parquet).
        #[arg(long)]
        keep_paths: bool,
        #[command(flatten)]
        report: ReportArgs,
        /// Run only shard K of M (0 <= K < M) of the paths, with the streams a single run gives
        /// them, and write its per-path results to Parquet in the output folder (default
        /// reports/<scenario-name>-shard-K-of-M/); `fundrisk merge` combines the shards.
        #[arg(long)]
        shard: Option<String>,
    },
    /// Combine the folders of `run --shard K/M` into the outputs of a single run of the same
    /// paths (bit-identical tables), checking that they are the shards of one run.
    Merge {
        /// Shard folders (all M of them, in any order).
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// The scenario file (default: the one the shards were run from); its hash must match.
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// Output folder (default reports/<scenario-name>/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Language of the report: zh (default) or en.
        #[arg(long, default_value = "zh")]
        lang: String,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Find the lowest contribution rate that meets a risk target in every year of a window,
    /// by bisection on common random numbers; also the break-even rate.
    SolveRate {
        /// Scenario TOML file (default: the embedded national-2025 scenario, from the latest bulletin).
        scenario: Option<PathBuf>,
        /// e.g. "P(months<3)<=0.05", "P(balance<0)<0.01", "P(deficit)<=0.2".
        #[arg(long)]
        target: String,
        /// Years in which the target must hold, e.g. 2025-2034 (default: the whole horizon).
        #[arg(long)]
        years: Option<String>,
        /// The rate moved: employer, employee or flexible.
        #[arg(long, default_value = "employer")]
        line: String,
        /// First month of the trial rate, YYYY-MM (default: January of the window's first year).
        #[arg(long)]
        from: Option<String>,
        /// Allowed rates "low,high" as shares.
        #[arg(long, default_value = "0,0.2")]
        range: String,
        /// Solve each unit's own rate (and, with a provincial adjustment fund, also standalone).
        #[arg(long)]
        per_unit: bool,
        #[command(flatten)]
        run: RunArgs,
        /// Output folder (default reports/<scenario-name>-solve-rate/).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Move each main assumption down and up by its stated range and report the change in the
    /// headline risk measures of the last year (on common random numbers).
    Sensitivity {
        /// Scenario TOML file (default: the embedded national-2025 scenario, from the latest bulletin).
        scenario: Option<PathBuf>,
        /// The fund reported (default: the total of all funds, or the only one).
        #[arg(long)]
        unit: Option<String>,
        /// Instead of the main assumptions, move every value the scenario file labels
        /// ASSUMPTION (in a comment on its line or the paragraph above it, or in its inline
        /// table's source) down and up by --step, one at a time; also writes labels.csv, every
        /// labelled item and whether it was moved.
        #[arg(long)]
        labelled: bool,
        /// With --labelled: each value is moved by the factors 1 - step and 1 + step.
        #[arg(long, default_value_t = 0.1, requires = "labelled")]
        step: f64,
        /// With --labelled: move only this labelled value (its path, as labels.csv lists it;
        /// repeatable).
        #[arg(long, requires = "labelled")]
        only: Vec<String>,
        #[command(flatten)]
        run: RunArgs,
        /// Output folder (default reports/<scenario-name>-sensitivity/, with --labelled
        /// reports/<scenario-name>-labelled/).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Run scenarios on common random numbers and write the differences of each from the
    /// first, per unit and year, with paired standard errors.
    Compare {
        /// Scenario files; the first is the baseline.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        /// Compare each scenario's separate maternity fund (baseline) with its merger.
        #[arg(long)]
        separate_maternity: bool,
        #[command(flatten)]
        run: RunArgs,
        /// Output folder (default reports/<first-scenario-name>-compare/).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// A progress bar on a terminal; nothing when stderr is not one.
fn progress_bar(len: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} paths  {elapsed} (eta {eta})")
    {
        bar.set_style(style);
    }
    bar
}

fn load(path: Option<&Path>) -> Result<Scenario> {
    Ok(load_with_fits(path)?.0)
}

/// A scenario with its units' base years solved (fundrisk::base_year), and the fits.
fn load_with_fits(
    path: Option<&Path>,
) -> Result<(Scenario, Vec<fundrisk::base_year::BaseYearFit>)> {
    let mut s = match path {
        Some(p) => Scenario::from_path_with(p, overrides())?,
        None => Scenario::embedded_default_with(overrides())?,
    };
    let fits = fundrisk::base_year::apply(&mut s)?;
    Ok((s, fits))
}

/// `dir`, checked to be writable before any work is done: a study can run for minutes, and an
/// output folder that cannot be written must not be found last.
fn writable(dir: PathBuf, inputs: &[PathBuf]) -> Result<PathBuf> {
    report::output::check_output(&dir, inputs)?;
    drop(report::output::StagedDir::new(&dir)?);
    Ok(dir)
}

/// `inputs` and one more file.
fn with_file(inputs: &[PathBuf], file: &Path) -> Vec<PathBuf> {
    let mut all = inputs.to_vec();
    all.push(file.to_path_buf());
    all
}

fn parse_years(s: &str) -> Result<(i32, i32)> {
    let bad = || anyhow::anyhow!("--years `{s}`: expected YEAR-YEAR, e.g. 2025-2034");
    let (a, b) = s.split_once('-').ok_or_else(bad)?;
    let (a, b): (i32, i32) = (
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    );
    if a > b {
        return Err(bad());
    }
    Ok((a, b))
}

fn parse_range(s: &str) -> Result<(f64, f64)> {
    let bad = || anyhow::anyhow!("--range `{s}`: expected LOW,HIGH as shares, e.g. 0,0.2");
    let (a, b) = s.split_once(',').ok_or_else(bad)?;
    let (lo, hi): (f64, f64) = (
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    );
    if !(0.0 <= lo && lo <= hi && hi <= 1.0) {
        anyhow::bail!("--range {lo},{hi}: rates must satisfy 0 ≤ low ≤ high ≤ 1");
    }
    Ok((lo, hi))
}

#[allow(clippy::too_many_arguments)]
fn solve_rate(
    scenario: Option<PathBuf>,
    target: &str,
    years: Option<String>,
    line: &str,
    from: Option<String>,
    range: &str,
    per_unit: bool,
    run_args: &RunArgs,
    out: Option<PathBuf>,
) -> Result<()> {
    use fundrisk::study::{RateLine, SolveOptions, Target, answers_table, solve_rates};
    let s = load(scenario.as_deref())?;
    let dir = writable(
        out.unwrap_or_else(|| Path::new("reports").join(format!("{}-solve-rate", s.spec.name))),
        &s.inputs,
    )?;
    let target = Target::parse(target)?;
    let years = match years {
        Some(y) => parse_years(&y)?,
        None => (s.spec.start.year(), s.end().year()),
    };
    if years.0 < s.spec.start.year() || years.1 > s.end().year() {
        anyhow::bail!(
            "--years {}-{} is outside the horizon {}-{}",
            years.0,
            years.1,
            s.spec.start.year(),
            s.end().year()
        );
    }
    let from = match from {
        Some(m) => m
            .parse::<fundrisk::params::Month>()
            .map_err(|_| anyhow::anyhow!("--from `{m}`: expected YYYY-MM"))?,
        None => fundrisk::params::Month::new(years.0, 1)
            .unwrap_or(s.spec.start)
            .max(s.spec.start),
    };
    if from < s.spec.start || from > s.end() {
        anyhow::bail!(
            "--from {from} is outside the horizon {} to {}",
            s.spec.start,
            s.end()
        );
    }
    let run = run_args.options(&s)?;
    let lang = run_args.lang()?;
    let o = SolveOptions {
        target,
        line: RateLine::parse(line).context("--line")?,
        from,
        years,
        range: parse_range(range)?,
        run,
    };
    let units: Vec<usize> = (0..s.units.len()).collect();
    let answers = solve_rates(&s, &units, per_unit, &o)?;
    let mut table = answers_table(&answers, &target);
    if per_unit && s.spec.pooling.kind == fundrisk::scenario::PoolingKind::ProvincialAdjustment {
        let mut alone = s.clone();
        alone.spec.pooling.kind = fundrisk::scenario::PoolingKind::Single;
        let standalone = solve_rates(&alone, &units, true, &o)?;
        table.f64(
            "standalone_rate",
            standalone.iter().map(|a| a.best_rate).collect(),
        );
        table.str(
            "standalone_met",
            standalone
                .iter()
                .map(|a| if a.rate.is_some() { "yes" } else { "no" }.to_string())
                .collect(),
        );
    }
    for a in &answers {
        match a.rate {
            Some(r) => say!(
                "{}: {target} in {}-{} needs the {line} rate at {:.2} % from {from} (now {:.2} %); {} {}: p = {:.4} ± {:.4}; break-even {:.2} %",
                a.unit,
                years.0,
                years.1,
                r * 100.0,
                a.current_rate * 100.0,
                a.entity,
                a.binding_year,
                a.probability,
                a.probability_se,
                a.break_even_rate * 100.0
            ),
            None => say!(
                "{}: no {line} rate up to {:.2} % meets {target} in {}-{}; at {:.2} % the worst year is {} with p = {:.4} ± {:.4}",
                a.unit,
                o.range.1 * 100.0,
                years.0,
                years.1,
                a.best_rate * 100.0,
                a.binding_year,
                a.probability,
                a.probability_se
            ),
        }
    }
    let meta = serde_json::json!({
        "scenario": s.spec.name,
        "scenario_hash": s.hash,
        "overrides": s.overrides,
        "target": target.to_string(),
        "years": [years.0, years.1],
        "line": line,
        "from": from.to_string(),
        "paths": o.run.paths,
        "seed": o.run.seed,
        "program_version": env!("CARGO_PKG_VERSION"),
    });
    let question = RateQuestion {
        target: &target,
        line: o.line,
        from,
        years,
        range: o.range,
    };
    let report = report::studies::solve_rate_report(&s, &answers, &question, &table, &meta, lang)?;
    let out = StudyOutput {
        csv_name: "solve_rate.csv",
        table: &table,
        extra_tables: &[],
        report,
        lang,
    };
    let dir = write_study(&dir, &out, &meta)?;
    say!("wrote {}", dir.display());
    Ok(())
}

/// The name of the fund a simulation's headline speaks of.
fn headline_fund(sim: &fundrisk::risk::Simulation) -> String {
    sim.layout.names[report::html::headline_entity(sim)].clone()
}

fn compare(
    files: &[PathBuf],
    separate_maternity: bool,
    run_args: &RunArgs,
    out: Option<PathBuf>,
) -> Result<()> {
    let scenarios: Vec<Scenario> = files.iter().map(|f| load(Some(f))).collect::<Result<_>>()?;
    let first = &scenarios[0];
    let inputs: Vec<PathBuf> = scenarios.iter().flat_map(|s| s.inputs.clone()).collect();
    let dir = writable(
        out.unwrap_or_else(|| Path::new("reports").join(format!("{}-compare", first.spec.name))),
        &inputs,
    )?;
    let o = run_args.options(first)?;
    let lang = run_args.lang()?;
    let mut comparisons = Vec::new();
    // The fund the report charts: the headline fund of the first baseline.
    let mut fund = None;
    if separate_maternity {
        let bar = progress_bar((o.paths * 2 * scenarios.len()) as u64);
        fundrisk::study::simulate_separate_maternity(
            &scenarios,
            &o,
            &|n| bar.inc(n as u64),
            &mut |i, base, merged| {
                let s = &scenarios[i];
                let key = format!("{}: merged - separate", s.spec.name);
                fund.get_or_insert_with(|| headline_fund(&base));
                comparisons.push(Comparison {
                    base: s.spec.name.clone(),
                    other: s.spec.name.clone(),
                    separate_maternity: true,
                    differences: fundrisk::study::compare(&base, &merged, &key)?,
                });
                Ok(())
            },
        )?;
        bar.finish_and_clear();
    } else {
        if scenarios.len() < 2 {
            anyhow::bail!("compare needs two scenarios or more (or --separate-maternity)");
        }
        // Scenarios that are the first but for their contribution rates run as trials of its
        // projection.
        let bar = progress_bar((o.paths * scenarios.len()) as u64);
        let mut base = None;
        fundrisk::study::simulate_for_comparison(
            &scenarios,
            &o,
            &|n| bar.inc(n as u64),
            &mut |i, sim| {
                let Some(base) = &base else {
                    fund = Some(headline_fund(&sim));
                    base = Some(sim);
                    return Ok(());
                };
                let s = &scenarios[i];
                let key = format!("{} - {}", s.spec.name, first.spec.name);
                comparisons.push(Comparison {
                    base: first.spec.name.clone(),
                    other: s.spec.name.clone(),
                    separate_maternity: false,
                    differences: fundrisk::study::compare(base, &sim, &key)?,
                });
                Ok(())
            },
        )?;
        bar.finish_and_clear();
    }
    let all = report::studies::comparisons_table(&comparisons)?;
    let meta = serde_json::json!({
        "scenarios": scenarios
            .iter()
            .map(|s| (s.spec.name.clone(), s.hash.clone()))
            .collect::<Vec<_>>(),
        "separate_maternity": separate_maternity,
        "paths": o.paths,
        "seed": o.seed,
        "program_version": env!("CARGO_PKG_VERSION"),
    });
    let fund = fund.unwrap_or_default();
    let report =
        report::studies::compare_report(first, &scenarios, &comparisons, &fund, &meta, lang)?;
    let out = StudyOutput {
        csv_name: "compare.csv",
        table: &all,
        extra_tables: &[],
        report,
        lang,
    };
    let dir = write_study(&dir, &out, &meta)?;
    say!("wrote {} ({} rows)", dir.display(), all.n_rows());
    Ok(())
}

fn demography(scenario: &Path, actuals: &Path, out: &Path, lang: &str) -> Result<()> {
    use fundrisk::backtest::{membership_path, membership_table, read_published_membership};
    let s = load(Some(scenario))?;
    let out = &writable(out.to_path_buf(), &with_file(&s.inputs, actuals))?;
    let lang = parse_lang(lang)?;
    let published = read_published_membership(actuals)?;
    let years = membership_path(&s, &published);
    say!(
        "{}: expected path against {} (万人)",
        s.spec.name,
        actuals.display()
    );
    say!(
        "{:<6} {:>10} {:>10} {:>10} {:>10} {:>12} {:>12}",
        "year",
        "active",
        "published",
        "retired",
        "published",
        "ret./100",
        "published"
    );
    let opt = |v: Option<f64>, scale: f64, decimals: usize| {
        v.map_or("-".to_string(), |v| format!("{:.*}", decimals, v / scale))
    };
    for y in &years {
        say!(
            "{:<6} {:>10.0} {:>10} {:>10.0} {:>10} {:>12.2} {:>12}",
            y.year,
            y.active_model / 1e4,
            opt(y.active_published, 1e4, 0),
            y.retired_model / 1e4,
            opt(y.retired_published, 1e4, 0),
            y.ratio_model(),
            opt(y.ratio_published(), 1.0, 2)
        );
    }
    let table = membership_table(&years);
    let meta = serde_json::json!({
        "scenario": s.spec.name,
        "scenario_hash": s.hash,
        "overrides": s.overrides,
        "actuals": actuals.display().to_string(),
        "program_version": env!("CARGO_PKG_VERSION"),
    });
    let report = report::studies::demography_report(&s, &years, &table, &meta, lang)?;
    let output = StudyOutput {
        csv_name: "demography.csv",
        table: &table,
        extra_tables: &[],
        report,
        lang,
    };
    let dir = write_study(out, &output, &meta)?;
    say!("wrote {}", dir.display());
    Ok(())
}

fn backtest(
    scenario: &Path,
    actuals: &Path,
    unit: Option<&str>,
    run: &RunArgs,
    out: &Path,
) -> Result<()> {
    use fundrisk::backtest::{compare, forecast, read_actuals};
    let s = load(Some(scenario))?;
    let out = &writable(out.to_path_buf(), &with_file(&s.inputs, actuals))?;
    let lang = run.lang()?;
    let opts = run.options(&s)?;
    let actual = read_actuals(actuals)?;
    let f = forecast(&s, unit, &opts)?;
    let b = compare(&f, &actual, &actuals.display().to_string())?;
    say!(
        "{}: {} paths, fund {}; money in 亿元, members in 万人",
        s.spec.name,
        opts.paths,
        f.fund
    );
    say!(
        "{:<6} {:<16} {:>10} {:>10} {:>10} {:>10} {:>8}",
        "year",
        "line",
        "actual",
        "median",
        "p5",
        "p95",
        "rank %"
    );
    let missing = |x: Option<f64>, show: &dyn Fn(f64) -> String| x.map_or("-".to_string(), show);
    for r in &b.rows {
        let scale = if r.line.is_persons() { 1e4 } else { 1e8 };
        let yi = |x: f64| format!("{:.0}", x / scale);
        say!(
            "{:<6} {:<16} {:>10} {:>10} {:>10} {:>10} {:>8}",
            r.year,
            r.line,
            missing(r.actual, &yi),
            yi(r.bands.median),
            yi(r.bands.p5),
            yi(r.bands.p95),
            missing(r.percentile_rank, &|x| format!("{x:.1}"))
        );
    }
    let (inside, n) = b.inside_90();
    say!(
        "{} of {} actuals inside the 90 % band, {} inside the 50 % band",
        inside,
        n,
        b.scores.iter().map(|h| h.n_inside_50).sum::<i64>()
    );
    for h in &b.scores {
        if let Some(m) = h.median_abs_pct_error {
            let c = h.mean_crps_relative.unwrap_or(f64::NAN);
            say!(
                "{} year(s) ahead: median absolute percentage error {:.1} %, mean CRPS {:.1} % of the actual ({} actuals)",
                h.horizon_years,
                m * 100.0,
                c * 100.0,
                h.n_actuals
            );
        }
    }
    let meta = serde_json::json!({
        "scenario": s.spec.name,
        "scenario_hash": s.hash,
        "overrides": s.overrides,
        "actuals": actuals.display().to_string(),
        "fund": f.fund,
        "paths": opts.paths,
        "seed": opts.seed,
        "program_version": env!("CARGO_PKG_VERSION"),
    });
    let report = report::studies::backtest_report(&s, &f, &b, &meta, lang)?;
    write_backtest(out, &b.rows_table(), &b.scores_table(), report, lang, &meta)
}

fn rolling_backtest(scenario: &Path, run: &RunArgs, out: &Path) -> Result<()> {
    use fundrisk::rolling;
    if !overrides().is_empty() {
        anyhow::bail!(
            "--set: the rolling backtest rebuilds each origin from the template's file; edit a copy of the template instead"
        );
    }
    let template = Scenario::from_path(scenario)?;
    if template.spec.backtest.is_none() {
        anyhow::bail!(
            "{}: no [backtest] section: give --actuals for a single-origin backtest, or a rolling template such as scenarios/national-rolling.toml",
            scenario.display()
        );
    }
    let spec = rolling::spec_of(&template)?;
    let series = rolling::series_dir(&template, &spec);
    let mut inputs = template.inputs.clone();
    for f in fundrisk::calibrate::SERIES {
        inputs.push(series.join(f));
    }
    let out = &writable(out.to_path_buf(), &inputs)?;
    let lang = run.lang()?;
    let opts = run.options(&template)?;
    let r = rolling::run(scenario, &opts)?;
    say!(
        "{}: origins {}–{}, {} paths each; forecasts to {}",
        template.spec.name,
        spec.origins[0],
        spec.origins[1],
        opts.paths,
        spec.last_year
    );
    for o in &r.origins {
        let f = &o.fit;
        say!(
            "origin {}: collection level × {:.4}, utilisation level × {:.4}; base-year pooled income {:.0} 亿, spending {:.0} 亿; first year {:+.1} % / {:+.1} %",
            o.origin,
            f.collection_factor,
            f.utilisation_factor,
            f.base_year.pooled_income / 1e8,
            f.base_year.pooled_spending / 1e8,
            100.0 * f.growth.0,
            100.0 * f.growth.1
        );
        if spec.collection_volatility {
            say!(
                "  collection level ± {:.4} (the fund income's growth beyond wages and members, before the origin)",
                o.scenario.spec.economy.collection_rate.volatility
            );
        }
        if let Some((from, to, fit)) = o.wage_drift {
            say!(
                "  wage growth's mean walks ± {:.4} a year (the local-level fit on the wage growth of {from}–{to})",
                fit.drift
            );
        }
        if let Some(t) = &f.retirees {
            let e = &o.scenario.spec.economy.retirement_take_up;
            say!(
                "  retirees {:+.2} % in {} (model at take-up 1: {:+.2} %) → retirement take-up {:.3}, ± {:.3} a year and in its mean",
                100.0 * t.published_growth,
                o.origin,
                100.0 * t.modelled_before,
                t.take_up,
                e.volatility
            );
        }
    }
    say!(
        "{:<16} {:>6} {:>5} {:>9} {:>9} {:>8} {:>8}",
        "line",
        "ahead",
        "n",
        "in 90 %",
        "in 50 %",
        "MdAPE %",
        "CRPS %"
    );
    for g in r
        .scores
        .iter()
        .filter(|g| g.horizon == 0 || g.line.is_none())
    {
        say!(
            "{:<16} {:>6} {:>5} {:>8.0}% {:>8.0}% {:>8.1} {:>8.1}",
            g.line.map_or("all", fundrisk::backtest::BacktestLine::name),
            if g.horizon == 0 {
                "all".to_string()
            } else {
                g.horizon.to_string()
            },
            g.n,
            100.0 * g.share_inside_90(),
            100.0 * g.share_inside_50(),
            100.0 * g.median_abs_pct_error,
            100.0 * g.mean_crps_relative
        );
    }
    let scores = rolling::scores_table(&r.scores);
    let scored = rolling::scored_table(&r.scored);
    let meta = serde_json::json!({
        "scenario": template.spec.name,
        "scenario_hash": template.hash,
        "origins": spec.origins,
        "last_year": spec.last_year,
        "origin_scenario_hashes": r.origins.iter().map(|o| (o.origin.to_string(), o.scenario.hash.clone())).collect::<std::collections::BTreeMap<_, _>>(),
        "paths": opts.paths,
        "seed": opts.seed,
        "program_version": env!("CARGO_PKG_VERSION"),
    });
    let report = report::studies::rolling_report(&template, &r, &scores, &scored, &meta, lang)?;
    write_backtest(out, &scored, &scores, report, lang, &meta)
}

/// A backtest's folder: its rows as backtest.csv, its scores as backtest_scores.csv (and a
/// sheet), the report and run.json.
fn write_backtest(
    out: &Path,
    rows: &fundrisk::report::table::Table,
    scores: &fundrisk::report::table::Table,
    report: report::studies::Report,
    lang: Lang,
    meta: &serde_json::Value,
) -> Result<()> {
    let extra = [("backtest_scores.csv", lang.t("scores"), scores)];
    let output = StudyOutput {
        csv_name: "backtest.csv",
        table: rows,
        extra_tables: &extra,
        report,
        lang,
    };
    let dir = write_study(out, &output, meta)?;
    say!("wrote {}", dir.display());
    Ok(())
}

fn merge(
    dirs: &[PathBuf],
    scenario: Option<&Path>,
    out: Option<PathBuf>,
    lang: &str,
    report_args: &ReportArgs,
) -> Result<()> {
    let lang = parse_lang(lang)?;
    let report_options = report_args.options(lang)?;
    let started = std::time::Instant::now();
    let shards = fundrisk::shard::check_shards(dirs)?;
    let first = &shards[0].1;
    let file = scenario.map_or_else(|| PathBuf::from(&first.scenario_file), Path::to_path_buf);
    let s = if scenario.is_none()
        && first.scenario_file == fundrisk::scenario::DEFAULT_SCENARIO_FILE
    {
        load(None)?
    } else {
        load(Some(&file)).context("reading the scenario of the shards (give it with --scenario)")?
    };
    let dir = out.unwrap_or_else(|| Path::new("reports").join(&s.spec.name));
    let mut inputs = s.inputs.clone();
    inputs.extend(dirs.iter().cloned());
    report::output::check_output(&dir, &inputs)?;
    let staged = report::output::StagedDir::new(&dir)?;
    let model = ScenarioModel::new(&s);
    fundrisk::engine::exact::check_ledger_range(&s, &model)?;
    let sim = fundrisk::shard::merge_shards(&model, &s, &shards)?;
    let run = serde_json::json!({
        "seed": first.seed,
        "paths": first.paths,
        "shards": first.shards,
        "merged_from": dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>(),
        "keep_paths": false,
    });
    let outcome = fundrisk::run::finish_run(
        staged,
        &s,
        &model,
        sim,
        &report_options,
        false,
        run,
        started,
    )?;
    say!(
        "{}: merged {} shards, {} paths, in {:.1} s; wrote {} ({})",
        s.spec.name,
        first.shards,
        first.paths,
        outcome.wall_seconds,
        outcome.dir.display(),
        outcome.files.join(", ")
    );
    Ok(())
}

/// `fundrisk sensitivity`: the main assumptions, or (`labelled`) every value the scenario file
/// labels ASSUMPTION.
fn sensitivity(
    scenario: Option<&Path>,
    unit: Option<&str>,
    (labelled, step, only): (bool, f64, &[String]),
    run: &RunArgs,
    out: Option<PathBuf>,
) -> Result<()> {
    let s = load(scenario)?;
    let suffix = if labelled { "labelled" } else { "sensitivity" };
    let dir = writable(
        out.unwrap_or_else(|| Path::new("reports").join(format!("{}-{suffix}", s.spec.name))),
        &s.inputs,
    )?;
    let o = run.options(&s)?;
    let mut meta = serde_json::json!({
        "scenario": s.spec.name,
        "scenario_hash": s.hash,
        "overrides": s.overrides,
        "paths": o.paths,
        "seed": o.seed,
        "program_version": env!("CARGO_PKG_VERSION"),
    });
    let lang = run.lang()?;
    if !labelled {
        let study = fundrisk::study::sensitivity(&s, &o, unit)?;
        let table = study.table();
        let report = report::studies::sensitivity_report(&s, &study, &meta, lang)?;
        let out = StudyOutput {
            csv_name: "sensitivity.csv",
            table: &table,
            extra_tables: &[],
            report,
            lang,
        };
        let dir = write_study(&dir, &out, &meta)?;
        say!("wrote {} ({} rows)", dir.display(), table.n_rows());
        return Ok(());
    }
    use fundrisk::scenario::labels::{chosen, labelled_values_of_file};
    let (items, file) = labelled_values_of_file(scenario)?;
    let in_file = items.len();
    let moves = chosen(items, only, &file)?
        .iter()
        .filter(|l| l.is_moved())
        .count();
    say!(
        "{}: {} items labelled ASSUMPTION, {} values to move by ±{} % ({} runs of {} paths)",
        file,
        in_file,
        moves,
        step * 100.0,
        1 + 2 * moves,
        o.paths
    );
    let study =
        fundrisk::study::labelled_sensitivity_of_file(scenario, overrides(), only, &o, unit, step)?;
    meta["step"] = serde_json::json!(step);
    meta["only"] = serde_json::json!(only);
    let table = study.sensitivity.table();
    let labels = study.labels_table();
    let report = report::studies::labelled_sensitivity_report(&s, &study, &meta, lang)?;
    let extra = [("labels.csv", lang.t("labelled_values"), &labels)];
    let out = StudyOutput {
        csv_name: "sensitivity.csv",
        table: &table,
        extra_tables: &extra,
        report,
        lang,
    };
    let dir = write_study(&dir, &out, &meta)?;
    say!(
        "wrote {} ({} rows, {} labelled items)",
        dir.display(),
        table.n_rows(),
        labels.n_rows()
    );
    Ok(())
}

pub fn main() -> Result<()> {
    let cli = Cli::parse();
    let parsed: Vec<Override> = cli
        .set
        .iter()
        .map(|t| Override::parse(t).context("--set"))
        .collect::<Result<_>>()?;
    let _ = OVERRIDES.set(parsed);
    match cli.command {
        Command::SolveRate {
            scenario,
            target,
            years,
            line,
            from,
            range,
            per_unit,
            run,
            out,
        } => solve_rate(
            scenario, &target, years, &line, from, &range, per_unit, &run, out,
        ),
        Command::Sensitivity {
            scenario,
            unit,
            labelled,
            step,
            only,
            run,
            out,
        } => sensitivity(
            scenario.as_deref(),
            unit.as_deref(),
            (labelled, step, &only),
            &run,
            out,
        ),
        Command::Compare {
            scenarios,
            separate_maternity,
            run,
            out,
        } => compare(&scenarios, separate_maternity, &run, out),
        Command::Calibrate {
            data,
            years,
            name,
            wage_drift_from,
            out,
        } => {
            let (from, to) = parse_years(&years)?;
            let name = name.unwrap_or_else(|| format!("national-{from}-{to}"));
            let mut c = fundrisk::calibrate::calibrate(&data, from, to, &name)?;
            if let Some(drift_from) = wage_drift_from {
                c = c
                    .with_wage_drift(&data, drift_from)
                    .map_err(|e| anyhow::anyhow!("--wage-drift-from: {e}"))?;
            }
            let text = c.to_toml();
            match out {
                Some(path) => {
                    let inputs: Vec<PathBuf> = fundrisk::calibrate::SERIES
                        .iter()
                        .map(|f| data.join(f))
                        .collect();
                    report::output::check_output(&path, &inputs)?;
                    report::output::write_text(&path, &text)?;
                    for d in &c.drivers {
                        say!(
                            "{}: mean {:.4} ± {:.4}, volatility {:.4} ± {:.4}, persistence {:.2} ± {:.2} ({} years, {}-{})",
                            d.driver,
                            d.mean.value,
                            d.mean.se,
                            d.volatility.value,
                            d.volatility.se,
                            d.persistence.value,
                            d.persistence.se,
                            d.n,
                            d.first_year,
                            d.last_year
                        );
                    }
                    say!("wrote {}", path.display());
                }
                None => say!("{}", text.trim_end()),
            }
            Ok(())
        }
        Command::Backtest {
            scenario,
            actuals,
            unit,
            run,
            out,
        } => match actuals {
            Some(actuals) => backtest(&scenario, &actuals, unit.as_deref(), &run, &out),
            None if unit.is_some() => Err(anyhow::anyhow!(
                "--unit applies to a single-origin backtest with --actuals; a rolling template follows its one unit"
            )),
            None => rolling_backtest(&scenario, &run, &out),
        },
        Command::Demography {
            scenario,
            actuals,
            out,
            lang,
        } => demography(&scenario, &actuals, &out, &lang),
        Command::Check { scenario } => {
            let (s, fits) = load_with_fits(scenario.as_deref())?;
            let model = ScenarioModel::new(&s);
            fundrisk::engine::exact::check_ledger_range(&s, &model)?;
            let grid_bytes = model.planned_benefit_grid_bytes()?;
            say!("{}", fundrisk::scenario::describe(&s).trim_end());
            say!(
                "benefit tables at most {:.1} MiB for the Monte Carlo paths, filled as paths reach them (limit {} MiB)",
                grid_bytes as f64 / (1u64 << 20) as f64,
                fundrisk::engine::MAX_GRID_BYTES >> 20
            );
            say!("{}", fundrisk::population::describe_start(&s).trim_end());
            if !fits.is_empty() {
                say!("{}", fundrisk::base_year::describe(&fits).trim_end());
            }
            let first = fundrisk::base_year::first_years_against_given(&s);
            if !first.is_empty() {
                say!(
                    "{}",
                    fundrisk::base_year::describe_first_years(&first).trim_end()
                );
            }
            let (items, _) =
                fundrisk::scenario::labels::labelled_values_of_file(scenario.as_deref())?;
            let moves = items.iter().filter(|l| l.is_moved()).count();
            say!(
                "Labelled ASSUMPTION: {} items, {} of them values `sensitivity --labelled` moves",
                items.len(),
                moves
            );
            Ok(())
        }
        Command::Ledger { scenario, out } => {
            let s = load(scenario.as_deref())?;
            report::output::check_output(&out, &s.inputs)?;
            let model = ScenarioModel::new(&s);
            fundrisk::engine::exact::check_ledger_range(&s, &model)?;
            let rows = fundrisk::engine::exact::exact_ledger(&model);
            report::write_ledger_csv(&out, &rows)
                .with_context(|| format!("writing the ledger of {}", s.spec.name))?;
            say!("wrote {} ({} rows)", out.display(), rows.len());
            Ok(())
        }
        Command::Merge {
            shards,
            scenario,
            out,
            lang,
            report,
        } => merge(&shards, scenario.as_deref(), out, &lang, &report),
        Command::Run {
            scenario,
            run,
            out,
            keep_paths,
            report,
            shard: Some(shard),
        } => {
            if report.pdf {
                anyhow::bail!("--pdf: a shard writes no report; print the merged run's report");
            }
            let shard = fundrisk::shard::Shard::parse(&shard).context("--shard")?;
            if keep_paths {
                anyhow::bail!("--keep-paths cannot be combined with --shard");
            }
            let s = load(scenario.as_deref())?;
            let dir = out.unwrap_or_else(|| {
                Path::new("reports").join(format!(
                    "{}-shard-{}-of-{}",
                    s.spec.name, shard.index, shard.count
                ))
            });
            report::output::check_output(&dir, &s.inputs)?;
            let mut opts = run.options(&s)?;
            opts.keep_paths = keep_paths;
            let bar = progress_bar(shard.paths(opts.paths).len() as u64);
            let m = fundrisk::shard::run_shard(&s, &opts, shard, &dir, &|n| bar.inc(n as u64))?;
            bar.finish_and_clear();
            say!(
                "{}: shard {}/{}: paths {}-{} of {} in {:.1} s; wrote {}",
                s.spec.name,
                m.shard,
                m.shards,
                m.first_path,
                m.end_path.saturating_sub(1),
                m.paths,
                m.wall_seconds,
                dir.display()
            );
            Ok(())
        }
        Command::Run {
            scenario,
            run,
            out,
            keep_paths,
            report,
            shard: None,
        } => {
            let lang = run.lang()?;
            let report_options = report.options(lang)?;
            let s = load(scenario.as_deref())?;
            let dir = out.unwrap_or_else(|| Path::new("reports").join(&s.spec.name));
            report::output::check_output(&dir, &s.inputs)?;
            let mut opts = run.options(&s)?;
            opts.keep_paths = keep_paths;
            let bar = progress_bar(opts.paths as u64);
            let outcome =
                fundrisk::run::run_scenario_with(&s, &opts, &dir, &report_options, &|n| {
                    bar.inc(n as u64)
                })?;
            bar.finish_and_clear();
            say!(
                "{}: {} paths in {:.1} s; wrote {} ({})",
                s.spec.name,
                opts.paths,
                outcome.wall_seconds,
                outcome.dir.display(),
                outcome.files.join(", ")
            );
            say!(
                "{}",
                report::overview::terminal_text(&outcome.overview, &outcome.names, 8, lang)
                    .trim_end()
            );
            Ok(())
        }
    }
}
