//! Rate-adjustment studies and policy comparisons (MODEL.md, "Risk measures": rate studies).
//!
//! Every trial runs the same paths (the same seed and path count: common random numbers), so
//! differences between trials are differences of policy, not of luck. The required rate is found
//! by bisection on a grid of 0.01 percentage point; several units' rates are bisected together
//! (one run per step), each on its own condition; where they interact (an adjustment fund),
//! the answers are checked together and a unit failing there searches again above its answer,
//! one whose rate below still meets the target with the others at theirs below it.

use crate::engine::montecarlo::{ProjectionCache, RunOptions};
use crate::engine::{GridCache, MaternityArrangement, ScenarioModel};
use crate::error::{Error, Result};
use crate::params::Month;
use crate::policy::contributions::copy_trial_rates;
use crate::risk::{LINE_INCOME_TOTAL, LINE_SPENDING_TOTAL, Simulation, probability_se};
use crate::risk::{MONTHS_LT_3, MONTHS_LT_6};
use crate::risk::{simulate, simulate_trials_reporting};
use crate::scenario::labels::Labelled;
use crate::scenario::{Driver, Override, PolicySpec, PoolingKind, Scenario};
use crate::table::Table;

/// What a target bounds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Measure {
    /// Year-end months of payment capacity below a number.
    MonthsBelow(f64),
    /// Year-end balance below zero.
    Exhausted,
    /// A current-year deficit (income + interest < spending).
    Deficit,
}

/// A risk target such as `P(months<3)<=0.05`, to hold in every year of a window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Target {
    pub measure: Measure,
    /// `<` rather than `<=`.
    pub strict: bool,
    pub level: f64,
}

impl Target {
    /// Parses `P(months<X)`, `P(balance<0)` or `P(deficit)`, then `<=` or `<`, then a
    /// probability.
    pub fn parse(text: &str) -> Result<Target> {
        let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let bad = || {
            Error::Invalid(format!(
                "target `{text}`: expected P(months<X), P(balance<0) or P(deficit), then <= or <, then a probability in [0, 1], e.g. \"P(months<3)<=0.05\""
            ))
        };
        let inner_end = t.find(')').ok_or_else(bad)?;
        let inner = t.strip_prefix("P(").ok_or_else(bad)?;
        let inner = &inner[..inner_end - 2];
        let measure = if let Some(x) = inner.strip_prefix("months<") {
            let months: f64 = x.parse().map_err(|_| bad())?;
            if !(months.is_finite() && months > 0.0 && months <= 1200.0) {
                return Err(Error::Invalid(format!(
                    "target `{text}`: the months threshold {x} is outside the allowed range (0, 1200]"
                )));
            }
            Measure::MonthsBelow(months)
        } else if inner == "balance<0" {
            Measure::Exhausted
        } else if inner == "deficit" {
            Measure::Deficit
        } else {
            return Err(bad());
        };
        let rest = &t[inner_end + 1..];
        let (strict, level) = if let Some(x) = rest.strip_prefix("<=") {
            (false, x)
        } else if let Some(x) = rest.strip_prefix('<') {
            (true, x)
        } else {
            return Err(bad());
        };
        let level: f64 = level.parse().map_err(|_| bad())?;
        if !(0.0..=1.0).contains(&level) {
            return Err(bad());
        }
        Ok(Target {
            measure,
            strict,
            level,
        })
    }

    /// Whether probability `p` meets the target.
    pub fn holds(&self, p: f64) -> bool {
        if self.strict {
            p < self.level
        } else {
            p <= self.level
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let m = match self.measure {
            Measure::MonthsBelow(x) => format!("months<{x}"),
            Measure::Exhausted => "balance<0".into(),
            Measure::Deficit => "deficit".into(),
        };
        let op = if self.strict { "<" } else { "<=" };
        write!(f, "P({m}){op}{}", self.level)
    }
}

/// The probability of a target's event for entity `e` in year index `y`, and its standard error.
pub fn probability(sim: &Simulation, measure: Measure, e: usize, y: usize) -> (f64, f64) {
    let n = sim.paths();
    let count = match measure {
        Measure::MonthsBelow(x) => sim.months(e, y).iter().filter(|&&m| m < x).count(),
        Measure::Exhausted => sim.balances(e, y).iter().filter(|&&b| b < 0.0).count(),
        Measure::Deficit => sim.surpluses(e, y).iter().filter(|&&s| s < 0.0).count(),
    };
    let p = count as f64 / n as f64;
    (p, probability_se(p, n))
}

/// Which contribution rate a study moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateLine {
    /// The employer rate (government employers keep their difference from it).
    Employer,
    Employee,
    Flexible,
}

impl RateLine {
    pub fn parse(s: &str) -> Result<RateLine> {
        match s {
            "employer" => Ok(RateLine::Employer),
            "employee" => Ok(RateLine::Employee),
            "flexible" => Ok(RateLine::Flexible),
            _ => Err(Error::Invalid(format!(
                "rate line `{s}`: expected employer, employee or flexible"
            ))),
        }
    }
}

/// `s` with unit `u`'s rate line set to `rate` from `from` on.
pub fn set_rate(s: &mut Scenario, u: usize, line: RateLine, from: Month, rate: f64) {
    let start = s.spec.start;
    set_policy_rate(&mut s.units[u].policy, start, line, from, rate);
}

/// [`set_rate`] on one unit's policy of a scenario starting in `start`.
fn set_policy_rate(p: &mut PolicySpec, start: Month, line: RateLine, from: Month, rate: f64) {
    let src = "trial rate of a study";
    match line {
        RateLine::Employer => {
            if let Some(g) = &p.employer_rate_government {
                let gap = g.at(from) - p.employer_rate.at(from);
                p.employer_rate_government =
                    Some(g.with_value_from(start, from, (rate + gap).clamp(0.0, 1.0), src));
            }
            p.employer_rate = p.employer_rate.with_value_from(start, from, rate, src);
        }
        RateLine::Employee => {
            p.employee_rate = p.employee_rate.with_value_from(start, from, rate, src)
        }
        RateLine::Flexible => {
            p.flexible_rate = p.flexible_rate.with_value_from(start, from, rate, src)
        }
    }
}

/// The rate line's current value of unit `u` in month `t`.
pub fn current_rate(s: &Scenario, u: usize, line: RateLine, t: Month) -> f64 {
    let p = &s.units[u].policy;
    match line {
        RateLine::Employer => p.employer_rate.at(t),
        RateLine::Employee => p.employee_rate.at(t),
        RateLine::Flexible => p.flexible_rate.at(t),
    }
}

/// How to run a rate study.
#[derive(Clone, Debug)]
pub struct SolveOptions {
    pub target: Target,
    pub line: RateLine,
    /// First month of the trial rate.
    pub from: Month,
    /// Calendar years in which the target must hold.
    pub years: (i32, i32),
    /// Allowed rates.
    pub range: (f64, f64),
    pub run: RunOptions,
}

/// One unit's answer.
#[derive(Clone, Debug)]
pub struct RateAnswer {
    pub unit: String,
    /// The entity whose risk the target bounds (the unit's fund, or the shared fund).
    pub entity: String,
    /// The lowest rate on the 0.01-point grid meeting the target, or None if none in range.
    pub rate: Option<f64>,
    /// The rate to report: `rate`, or the best (highest) rate tried when none meets it.
    pub best_rate: f64,
    /// The target's probability at `best_rate` in the binding year, with its standard error.
    pub binding_year: i32,
    pub probability: f64,
    pub probability_se: f64,
    /// At 0.01 point less (None at the bottom of the range).
    pub probability_below: Option<f64>,
    /// Expected pooled income = expected pooled spending over the window.
    pub break_even_rate: f64,
    /// The rate in force before the study, at `from`.
    pub current_rate: f64,
    /// Every rate tried for this unit's group, with the target's worst-year probability there
    /// and its standard error, in the order tried.
    pub trials: Vec<(f64, f64, f64)>,
}

/// The reported entity of unit `u` under the scenario's pooling.
fn entity_of(s: &Scenario, sim: &Simulation, u: usize) -> Result<usize> {
    let name = match s.spec.pooling.kind {
        PoolingKind::CityUnified | PoolingKind::Accounts => s.spec.pooling.fund_name.clone(),
        _ => s.units[u].spec.name.clone(),
    };
    sim.entity(&name)
        .ok_or_else(|| Error::Invalid(format!("no fund named `{name}` in the results")))
}

/// Runs `s` on the study's common random numbers, with the benefit grids of `grids` where
/// they serve (a trial that moves no cost or benefit builds none).
fn run(s: &Scenario, opts: &RunOptions, grids: &GridCache) -> Result<Simulation> {
    let mut model = ScenarioModel::new(s);
    model.build_benefit_grids_from(grids)?;
    simulate(&model, &s.spec.risk, opts, &|_| {})
}

/// Refuses, before a study projects any path, one of its scenarios whose benefit tables would
/// exceed the limit ([`ScenarioModel::planned_benefit_grid_bytes`]), naming `what` the study
/// made of it (a variation, a compared scenario) beside the scenario's file and field: the
/// study stops at once rather than after the runs before it.
fn refuse_oversized_tables(s: &Scenario, what: impl FnOnce() -> String) -> Result<()> {
    ScenarioModel::new(s)
        .planned_benefit_grid_bytes()
        .map(|_| ())
        .map_err(|e| in_study(e, &what()))
}

/// `e`, with what the study made of its scenario before the message.
fn in_study(e: Error, what: &str) -> Error {
    match e {
        Error::Field {
            file,
            field,
            message,
        } => Error::Field {
            file,
            field,
            message: format!("{what}: {message}"),
        },
        other => Error::Invalid(format!("{what}: {other}")),
    }
}

/// Each scenario simulated with its maternity fund kept separate, then as the scenario has it
/// (`compare --separate-maternity`; `each(i, separate, as_scenario)` gets them in order). Every
/// scenario's tables are sized before the first run, and a scenario's two simulations share
/// its benefit grids (the arrangement moves money between funds, not what benefits cost), so
/// the blocks the first fills the second reads.
pub fn simulate_separate_maternity(
    scenarios: &[Scenario],
    opts: &RunOptions,
    progress: &(dyn Fn(usize) + Sync),
    each: &mut dyn FnMut(usize, Simulation, Simulation) -> Result<()>,
) -> Result<()> {
    for s in scenarios {
        refuse_oversized_tables(s, || format!("compared scenario `{}`", s.spec.name))?;
    }
    for (i, s) in scenarios.iter().enumerate() {
        let grids = GridCache::default();
        let sim = |arrangement| {
            let mut model = ScenarioModel::with_arrangement(s, arrangement);
            model.build_benefit_grids_from(&grids)?;
            simulate(&model, &s.spec.risk, opts, progress)
        };
        let separate = sim(MaternityArrangement::Separate)?;
        let as_scenario = sim(MaternityArrangement::AsScenario)?;
        each(i, separate, as_scenario)?;
    }
    Ok(())
}

/// A target checked over a window's years in one fund, or over a group's funds.
#[derive(Clone, Copy, Debug)]
struct WindowCheck {
    /// The fund (entity) of the worst year.
    entity: usize,
    /// The year with the highest probability of the target's event.
    worst_year: i32,
    /// The event's probability in that year, and its standard error.
    probability: f64,
    se: f64,
    /// The target holds in every year of the window (in every fund of a group).
    holds: bool,
}

/// The target over the window's years in entity `e`.
fn check(sim: &Simulation, t: &Target, e: usize, years: (i32, i32)) -> WindowCheck {
    let l = &sim.layout;
    let mut worst = (years.0, -1.0, 0.0);
    let mut ok = true;
    for y in 0..l.n_years {
        let year = l.first_year + y as i32;
        if year < years.0 || year > years.1 || y > l.last_year[e] {
            continue;
        }
        let (p, se) = probability(sim, t.measure, e, y);
        ok &= t.holds(p);
        if p > worst.1 {
            worst = (year, p, se);
        }
    }
    WindowCheck {
        entity: e,
        worst_year: worst.0,
        probability: worst.1.max(0.0),
        se: worst.2,
        holds: ok,
    }
}

/// Mean pooled income and spending of entity `e` over the window's years.
fn window_totals(sim: &Simulation, e: usize, years: (i32, i32)) -> (f64, f64) {
    let l = &sim.layout;
    let (mut inc, mut sp) = (0.0, 0.0);
    for y in 0..l.n_years {
        let year = l.first_year + y as i32;
        if year >= years.0 && year <= years.1 && y <= l.last_year[e] {
            inc += sim.line_mean(e, y, LINE_INCOME_TOTAL);
            sp += sim.line_mean(e, y, LINE_SPENDING_TOTAL);
        }
    }
    (inc, sp)
}

/// Solves the rates of `units`, bisected together (one run per step). `per_unit`: each unit
/// has its own rate and its own fund's condition; otherwise (and always under a shared fund)
/// the units take one rate that must meet the target in every unit's fund.
pub fn solve_rates(
    s: &Scenario,
    units: &[usize],
    per_unit: bool,
    o: &SolveOptions,
) -> Result<Vec<RateAnswer>> {
    if units.is_empty() {
        return Err(Error::Invalid("no unit to solve".into()));
    }
    let (lo_rate, hi_rate) = o.range;
    if !(0.0..=1.0).contains(&lo_rate) || !(lo_rate..=1.0).contains(&hi_rate) {
        return Err(Error::Invalid(format!(
            "rate range {lo_rate},{hi_rate}: rates must satisfy 0 ≤ low ≤ high ≤ 1"
        )));
    }
    let shared = matches!(
        s.spec.pooling.kind,
        PoolingKind::CityUnified | PoolingKind::Accounts
    );
    // Groups whose funds share money (the adjustment fund): a group's risk depends on the
    // others' rates too.
    let interacting = s.spec.pooling.kind == PoolingKind::ProvincialAdjustment;
    // Grid of 0.01 point = 1e-4.
    let to_rate = |bp: i64| bp as f64 / 10_000.0;
    let n = units.len();
    let groups: Vec<Vec<usize>> = if shared || !per_unit {
        vec![units.to_vec()]
    } else {
        units.iter().map(|&u| vec![u]).collect()
    };
    let g_n = groups.len();
    let hi_bp_initial = (hi_rate * 10_000.0).round() as i64;
    let lo_bp_initial = (lo_rate * 10_000.0).round() as i64;
    let mut lo = vec![lo_bp_initial; g_n];
    let mut hi = vec![hi_bp_initial; g_n];
    // Trial rates leave costs, benefits and membership alone: one model (with its benefit
    // grids) serves every trial, and the trials of a pass share one projection of each path
    // (`simulate_trials`), each trial's money equal to a run of its own scenario.
    let mut model = ScenarioModel::new(s);
    model.build_benefit_grids()?;
    // … and the passes after the first replay each path's months before rates from the first
    // (as far as `ProjectionCache` holds them), projecting only money.
    let cache = ProjectionCache::new(&model, o.run.paths);
    let trials = |vectors: &[Vec<i64>]| -> Result<Vec<Simulation>> {
        let policies: Vec<Vec<PolicySpec>> = vectors
            .iter()
            .map(|bps| {
                let mut policies: Vec<PolicySpec> =
                    s.units.iter().map(|u| u.policy.clone()).collect();
                for (g, members) in groups.iter().enumerate() {
                    for &u in members {
                        let rate = to_rate(bps[g]);
                        set_policy_rate(&mut policies[u], s.spec.start, o.line, o.from, rate);
                    }
                }
                policies
            })
            .collect();
        simulate_trials_reporting(
            &model,
            &s.spec.risk,
            &o.run,
            &policies,
            Some(&cache),
            &|_| {},
        )
    };
    // A group's condition: the target in every member's fund; its worst year.
    let group_check = |sim: &Simulation, g: usize| -> Result<WindowCheck> {
        let mut worst: Option<WindowCheck> = None;
        let mut all_ok = true;
        for &u in &groups[g] {
            let c = check(sim, &o.target, entity_of(s, sim, u)?, o.years);
            all_ok &= c.holds;
            if worst.is_none_or(|w| c.probability > w.probability) {
                worst = Some(c);
            }
        }
        let mut c = worst.ok_or_else(|| Error::Invalid("empty group".into()))?;
        c.holds = all_ok;
        Ok(c)
    };
    // Every trial's worst-year probability per group, for the report's risk-against-rate chart;
    // each trial's group checks are computed once, here, and used by the search too.
    type Checks = Vec<WindowCheck>;
    let mut history: Vec<Vec<(f64, f64, f64)>> = vec![Vec::new(); g_n];
    // `only`: a trial that moves that group alone (the others at their answers) records only
    // its own entry.
    let mut record = |bps: &[i64], sim: &Simulation, only: Option<usize>| -> Result<Checks> {
        let checks: Checks = (0..g_n)
            .map(|g| group_check(sim, g))
            .collect::<Result<_>>()?;
        for (g, (h, (bp, c))) in history.iter_mut().zip(bps.iter().zip(&checks)).enumerate() {
            if only.is_none_or(|o| o == g) {
                h.push((to_rate(*bp), c.probability, c.se));
            }
        }
        Ok(checks)
    };
    // Search, lo failing and hi meeting: each pass tries up to `trials_per_pass` rates evenly
    // inside every open bracket in one projection, and keeps the smallest rate that meets the
    // target with the largest failing one below it (15 a pass narrow a bracket of 2,000
    // points of 0.01 to 125, then 8, then 1).
    // Each trial keeps every path's year-end values for its quantiles: at most 15 trials a pass,
    // and at most MAX_PATH_TRIALS, fewer trials a pass for more paths.
    let trials_per_pass = (MAX_PATH_TRIALS / o.run.paths.max(1)).clamp(1, 15) as i64;
    // Up to `n` rates evenly inside the bracket (lo, hi).
    let inside = |lo: i64, hi: i64, n: i64| -> Vec<i64> {
        let gap = hi - lo;
        let n = n.min(gap - 1);
        let mut p: Vec<i64> = (1..=n).map(|j| lo + gap * j / (n + 1)).collect();
        p.dedup();
        p
    };
    // The trials of a pass: row j holds each group's j-th rate, or its `hi` where it has fewer.
    let rows = |points: &[Vec<i64>], hi: &[i64]| -> Vec<Vec<i64>> {
        let width = points.iter().map(Vec::len).max().unwrap_or(0);
        (0..width)
            .map(|j| {
                (0..g_n)
                    .map(|g| points[g].get(j).copied().unwrap_or(hi[g]))
                    .collect()
            })
            .collect()
    };
    // A group's bracket after a pass: the smallest of its rates that met the target becomes
    // its hi, the largest failing one below it its lo.
    let narrow = |points: &[i64], meets: &[bool], lo: &mut i64, hi: &mut i64| {
        for (&point, &met) in points.iter().zip(meets) {
            if met {
                *hi = point;
                break;
            }
            *lo = point;
        }
    };
    // The ends of the range (does the top meet the target; does the bottom already?) and, in
    // the same projection, the first rates inside it.
    let first: Vec<Vec<i64>> = (0..g_n)
        .map(|g| inside(lo[g], hi[g], trials_per_pass - 2))
        .collect();
    let mut vectors = vec![hi.clone(), lo.clone()];
    vectors.extend(rows(&first, &hi));
    let mut sims = trials(&vectors)?.into_iter();
    let (top, bottom) = match (sims.next(), sims.next()) {
        (Some(top), Some(bottom)) => (top, bottom),
        _ => return Err(Error::Invalid("a trial produced no result".into())),
    };
    let top_checks = record(&hi, &top, None)?;
    let bottom_checks = record(&lo, &bottom, None)?;
    let mut first_meets: Vec<Vec<bool>> = vec![Vec::new(); g_n];
    for (bps, sim) in vectors[2..].iter().zip(sims) {
        let checks = record(bps, &sim, None)?;
        for g in 0..g_n {
            first_meets[g].push(checks[g].holds);
        }
    }
    let mut met_top = vec![false; g_n];
    let mut done = vec![false; g_n];
    for g in 0..g_n {
        met_top[g] = top_checks[g].holds;
        if bottom_checks[g].holds {
            hi[g] = lo[g];
            done[g] = true;
        }
        if !met_top[g] {
            done[g] = true;
        }
        if !done[g] {
            narrow(&first[g], &first_meets[g], &mut lo[g], &mut hi[g]);
        }
    }
    // Break-even from the two ends of the range: pooled income is linear in the rate, spending
    // does not depend on it.
    let (r0, r1) = (to_rate(lo_bp_initial), to_rate(hi_bp_initial));
    let mut break_even = vec![f64::NAN; g_n];
    for (g, b) in break_even.iter_mut().enumerate() {
        let (mut i1, mut s1, mut i0) = (0.0, 0.0, 0.0);
        for &u in &groups[g] {
            let e = entity_of(s, &top, u)?;
            let (a, b) = window_totals(&top, e, o.years);
            i1 += a;
            s1 += b;
            i0 += window_totals(&bottom, entity_of(s, &bottom, u)?, o.years).0;
            if shared {
                break;
            }
        }
        if r1 > r0 && i1 > i0 {
            *b = r1 + (s1 - i1) * (r1 - r0) / (i1 - i0);
        }
    }
    // With interacting units (an adjustment fund), a group's answer was found with the others
    // at their rates of that trial, not at their answers: the answers are checked together,
    // and each group's rate 0.01 point below its answer with the others at theirs. A group
    // that fails at its answer searches again above it, one that still meets the target
    // below it searches again below (raising a rate only adds to the fund), until every
    // answer holds and its rate below fails with the others at theirs (at most eight rounds;
    // an answer that still fails is reported as not met).
    let mut rounds = 0;
    let (sim_at, at_checks, below_probability) = loop {
        while (0..g_n).any(|g| !done[g] && hi[g] - lo[g] > 1) {
            let points: Vec<Vec<i64>> = (0..g_n)
                .map(|g| {
                    if done[g] {
                        Vec::new()
                    } else {
                        inside(lo[g], hi[g], trials_per_pass)
                    }
                })
                .collect();
            let vectors = rows(&points, &hi);
            let sims = trials(&vectors)?;
            let mut meets: Vec<Vec<bool>> = vec![Vec::new(); g_n];
            for (bps, sim) in vectors.iter().zip(&sims) {
                let checks = record(bps, sim, None)?;
                for g in 0..g_n {
                    meets[g].push(checks[g].holds);
                }
            }
            for g in 0..g_n {
                narrow(&points[g], &meets[g], &mut lo[g], &mut hi[g]);
            }
        }
        // Every group at its answer, and 0.01 point below it: groups that do not interact all
        // lowered in the same trial; interacting ones each alone, the others at their answers
        // (once every answer holds together, in passes of at most `trials_per_pass`).
        let at: Vec<i64> = hi.clone();
        let below_groups: Vec<usize> = (0..g_n)
            .filter(|&g| met_top[g] && hi[g] > lo_bp_initial)
            .collect();
        let mut vectors = vec![at.clone()];
        if !interacting && !below_groups.is_empty() {
            vectors.push((0..g_n).map(|g| (hi[g] - 1).max(lo_bp_initial)).collect());
        }
        let mut sims = trials(&vectors)?.into_iter();
        let sim_at = sims
            .next()
            .ok_or_else(|| Error::Invalid("a trial produced no result".into()))?;
        let at_checks = record(&at, &sim_at, None)?;
        rounds += 1;
        let failing: Vec<usize> = (0..g_n)
            .filter(|&g| met_top[g] && !at_checks[g].holds && hi[g] < hi_bp_initial)
            .collect();
        let mut below_checks: Vec<Option<WindowCheck>> = vec![None; g_n];
        if !interacting {
            if let Some(sim) = sims.next() {
                let checks = record(&vectors[1], &sim, None)?;
                for &g in &below_groups {
                    below_checks[g] = Some(checks[g]);
                }
            }
        } else if failing.is_empty() || rounds >= 8 {
            let lowered: Vec<Vec<i64>> = below_groups
                .iter()
                .map(|&g| {
                    let mut v = at.clone();
                    v[g] = hi[g] - 1;
                    v
                })
                .collect();
            for (chunk_groups, chunk) in below_groups
                .chunks(trials_per_pass.max(1) as usize)
                .zip(lowered.chunks(trials_per_pass.max(1) as usize))
            {
                let sims = trials(chunk)?;
                if sims.len() != chunk.len() {
                    return Err(Error::Invalid("a trial produced no result".into()));
                }
                for ((&g, bps), sim) in chunk_groups.iter().zip(chunk).zip(&sims) {
                    // Only the group moved is the row's trial; the others stand at their
                    // answers.
                    below_checks[g] = Some(record(bps, sim, Some(g))?[g]);
                }
            }
        }
        let slack: Vec<usize> = (0..g_n)
            .filter(|&g| at_checks[g].holds && below_checks[g].is_some_and(|c| c.holds))
            .collect();
        if (failing.is_empty() && slack.is_empty()) || rounds >= 8 {
            let below_probability: Vec<Option<f64>> = below_checks
                .iter()
                .map(|c| c.map(|c| c.probability))
                .collect();
            break (sim_at, at_checks, below_probability);
        }
        for g in 0..g_n {
            done[g] = !failing.contains(&g) && !slack.contains(&g);
        }
        // The interaction moves an answer by a few hundredths of a point: search the next
        // 0.16 point above (or below) it first (one pass), then twice as far each round.
        let reach = 16i64 << (rounds - 1);
        for &g in &failing {
            lo[g] = hi[g];
            hi[g] = (hi[g] + reach).min(hi_bp_initial);
        }
        for &g in &slack {
            // The rate below meets the target with the others at their answers.
            hi[g] -= 1;
            lo[g] = (hi[g] - reach).max(lo_bp_initial);
            if hi[g] == lo_bp_initial || hi[g] - lo[g] <= 1 {
                // Nothing left between: the next round checks the new answer and its rate below.
                lo[g] = (hi[g] - 1).max(lo_bp_initial);
            }
        }
    };
    let mut answers = Vec::with_capacity(n);
    for (g, members) in groups.iter().enumerate() {
        let at = at_checks[g];
        let p_below = below_probability[g];
        for &u in members {
            answers.push(RateAnswer {
                unit: s.units[u].spec.name.clone(),
                entity: sim_at.layout.names[at.entity].clone(),
                // Met where the answer holds with every other unit at its own answer.
                rate: (met_top[g] && at.holds).then(|| to_rate(hi[g])),
                best_rate: to_rate(hi[g]),
                binding_year: at.worst_year,
                probability: at.probability,
                probability_se: at.se,
                probability_below: p_below,
                break_even_rate: break_even[g],
                current_rate: current_rate(s, u, o.line, o.from),
                trials: history[g].clone(),
            });
        }
    }
    Ok(answers)
}

/// The answers as a table (`solve_rate.csv`).
pub fn answers_table(answers: &[RateAnswer], target: &Target) -> Table {
    let mut t = Table::default();
    t.str("unit", answers.iter().map(|a| a.unit.clone()).collect());
    t.str("fund", answers.iter().map(|a| a.entity.clone()).collect());
    t.str("target", vec![target.to_string(); answers.len()]);
    t.str(
        "met",
        answers
            .iter()
            .map(|a| if a.rate.is_some() { "yes" } else { "no" }.to_string())
            .collect(),
    );
    t.f64(
        "required_rate",
        answers.iter().map(|a| a.best_rate).collect(),
    );
    t.f64(
        "current_rate",
        answers.iter().map(|a| a.current_rate).collect(),
    );
    t.f64(
        "break_even_rate",
        answers.iter().map(|a| a.break_even_rate).collect(),
    );
    t.int(
        "binding_year",
        answers.iter().map(|a| i64::from(a.binding_year)).collect(),
    );
    t.f64(
        "probability",
        answers.iter().map(|a| a.probability).collect(),
    );
    t.f64(
        "probability_se",
        answers.iter().map(|a| a.probability_se).collect(),
    );
    t.f64(
        "probability_at_0_01_point_less",
        answers
            .iter()
            .map(|a| a.probability_below.unwrap_or(f64::NAN))
            .collect(),
    );
    t
}

/// 1 where a path's value is below `x`, else 0.
fn below(v: Vec<f64>, x: f64) -> Vec<f64> {
    v.iter().map(|&a| f64::from(u8::from(a < x))).collect()
}

/// Per-path values of an entity-year: (simulation, entity, year index) → one value per path.
type PathValues = dyn Fn(&Simulation, usize, usize) -> Vec<f64>;

/// A difference `other − base` of a mean or a probability over paths, with the standard error
/// of the paired (common random numbers) differences.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PairedDifference {
    pub diff: f64,
    pub se: f64,
}

/// One side's own levels at a year end, so that a reader sees where a difference starts from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Levels {
    /// Median months of capacity.
    pub months_p50: f64,
    /// Mean year-end balance (yuan).
    pub balance_mean: f64,
    /// P(months of capacity < 6) (share 0–1).
    pub p_months_lt_6: f64,
    /// P(year-end balance < 0) (share 0–1).
    pub p_exhausted: f64,
}

impl Levels {
    const NAMES: [&'static str; 4] = ["months_p50", "balance_mean", "p_months_lt_6", "p_exhausted"];
    fn values(&self) -> [f64; 4] {
        [
            self.months_p50,
            self.balance_mean,
            self.p_months_lt_6,
            self.p_exhausted,
        ]
    }
}

/// One fund's year end in a comparison.
#[derive(Clone, Debug, PartialEq)]
pub struct DifferenceRow {
    /// The fund's name in the runs (matched by name on both sides).
    pub unit: String,
    pub year: i32,
    /// Quantiles of months of capacity, other − base, in the order of [`crate::risk::QUANTILES`].
    pub months_quantile_diff: [f64; 5],
    /// Quantiles of the year-end balance (yuan), other − base, likewise.
    pub balance_quantile_diff: [f64; 5],
    pub base: Levels,
    pub other: Levels,
    /// Mean year-end balance (yuan).
    pub balance_mean: PairedDifference,
    /// P(current deficit in the year).
    pub p_deficit: PairedDifference,
    pub p_months_lt_6: PairedDifference,
    pub p_months_lt_3: PairedDifference,
    /// P(year-end balance < 0).
    pub p_exhausted: PairedDifference,
}

impl DifferenceRow {
    /// The difference of the median months of capacity.
    pub fn months_p50_diff(&self) -> f64 {
        let median = crate::risk::QUANTILES
            .iter()
            .position(|(q, _)| *q == 0.5)
            .unwrap_or(2);
        self.months_quantile_diff[median]
    }

    const PAIRED: [&'static str; 5] = [
        "balance_mean",
        "p_deficit",
        "p_months_lt_6",
        "p_months_lt_3",
        "p_exhausted",
    ];
    fn paired(&self) -> [PairedDifference; 5] {
        [
            self.balance_mean,
            self.p_deficit,
            self.p_months_lt_6,
            self.p_months_lt_3,
            self.p_exhausted,
        ]
    }
}

/// A comparison's result: `other − base` per fund and year on common random numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct Differences {
    /// The comparison's key (the `scenario` column).
    pub label: String,
    /// Paths on each side.
    pub paths: usize,
    pub rows: Vec<DifferenceRow>,
}

impl Differences {
    /// The rows of fund `unit`, in year order.
    pub fn of_unit<'a>(&'a self, unit: &'a str) -> impl Iterator<Item = &'a DifferenceRow> + 'a {
        self.rows.iter().filter(move |r| r.unit == unit)
    }

    /// As the `compare.csv` table: scenario, unit, year, paths; the quantile differences
    /// (`months_p5_diff` …, `balance_p5_diff` …); each side's levels (`_base`, `_other`); each
    /// paired difference and its standard error (`_diff`, `_diff_se`).
    pub fn table(&self) -> Table {
        let rows = &self.rows;
        let n = rows.len();
        let mut t = Table::default();
        t.str("scenario", vec![self.label.clone(); n]);
        t.str("unit", rows.iter().map(|r| r.unit.clone()).collect());
        t.int("year", rows.iter().map(|r| i64::from(r.year)).collect());
        t.int("paths", vec![self.paths as i64; n]);
        type Quantiles = fn(&DifferenceRow) -> &[f64; 5];
        let quantiles: [(&str, Quantiles); 2] = [
            ("months", |r| &r.months_quantile_diff),
            ("balance", |r| &r.balance_quantile_diff),
        ];
        for (name, pick) in quantiles {
            for (i, (_, qn)) in crate::risk::QUANTILES.iter().enumerate() {
                t.f64(
                    &format!("{name}_{qn}_diff"),
                    rows.iter().map(|r| pick(r)[i]).collect(),
                );
            }
        }
        for (i, name) in Levels::NAMES.iter().enumerate() {
            t.f64(
                &format!("{name}_base"),
                rows.iter().map(|r| r.base.values()[i]).collect(),
            );
            t.f64(
                &format!("{name}_other"),
                rows.iter().map(|r| r.other.values()[i]).collect(),
            );
        }
        for (i, name) in DifferenceRow::PAIRED.iter().enumerate() {
            t.f64(
                &format!("{name}_diff"),
                rows.iter().map(|r| r.paired()[i].diff).collect(),
            );
            t.f64(
                &format!("{name}_diff_se"),
                rows.iter().map(|r| r.paired()[i].se).collect(),
            );
        }
        t
    }
}

/// Whether `other` is `base` but for the contribution rates a trial applies
/// ([`copy_trial_rates`]), so that it runs as a trial of `base`'s projection with the results
/// of a run of its own, to the bit. Compared is everything a model is built from: the
/// scenario's settings (start, horizon, economy, pooling, rules, risk, run and data), its
/// tables and its units (their figures, solved levels and merged policies, with `base`'s
/// rates written into `other`'s) and the units' names, which its outputs carry; not compared
/// are words (the scenario's name, the titles, description and sources, its file, hash and
/// overrides) and the policy tables as written, whose merged result is compared.
pub fn differs_only_in_rates(base: &Scenario, other: &Scenario) -> bool {
    model_inputs(base, base) == model_inputs(other, base)
}

/// What [`differs_only_in_rates`] compares of `s`, written out, with the rates of `rates_of`'s
/// units written into its own (a unit more or fewer than `rates_of` shows in the units).
fn model_inputs(s: &Scenario, rates_of: &Scenario) -> String {
    let mut t = s.clone();
    for (u, r) in t.units.iter_mut().zip(&rates_of.units) {
        copy_trial_rates(&mut u.policy, &r.policy);
        u.spec.title.clear();
        u.spec.title_en.clear();
        u.spec.source = None;
        u.spec.policy = toml::Table::new();
    }
    let spec = &mut t.spec;
    for words in [
        &mut spec.name,
        &mut spec.title,
        &mut spec.title_en,
        &mut spec.description,
    ] {
        words.clear();
    }
    spec.policy = toml::Table::new();
    spec.units.clear();
    spec.include.clear();
    format!(
        "{:?}|{:?}|{:?}|{}",
        t.spec,
        t.tables,
        t.units,
        t.area_wage_prev_year.to_bits()
    )
}

/// The most path-trials a pass of trials holds: each trial keeps every path's year-end values
/// for its quantiles (30,000 are about 0.6 GB for Shandong's 19 funds).
const MAX_PATH_TRIALS: usize = 30_000;

/// Simulates `scenarios` for comparison with the first on common random numbers, handing each
/// simulation to `each` with its index, in order: those that are the first but for their
/// contribution rates ([`differs_only_in_rates`]) as trials of its projection (membership,
/// benefits and everything else before the rates projected once a path; passes of at most
/// [`MAX_PATH_TRIALS`] path-trials), the others each on its own, sharing the benefit grids they
/// can. Each simulation equals, bit for bit, a run of its own scenario. At most one pass's
/// simulations are held at a time (the caller keeps what it needs, e.g. the first). `progress`
/// counts every scenario's paths as they finish (a path of a pass of trials once per trial).
pub fn simulate_for_comparison(
    scenarios: &[Scenario],
    opts: &RunOptions,
    progress: &(dyn Fn(usize) + Sync),
    each: &mut dyn FnMut(usize, Simulation) -> Result<()>,
) -> Result<()> {
    let per_pass = (MAX_PATH_TRIALS / opts.paths.max(1)).max(1);
    simulate_for_comparison_by(scenarios, opts, per_pass, progress, each)
}

/// [`simulate_for_comparison`] with at most `per_pass` trials a pass.
fn simulate_for_comparison_by(
    scenarios: &[Scenario],
    opts: &RunOptions,
    per_pass: usize,
    progress: &(dyn Fn(usize) + Sync),
    each: &mut dyn FnMut(usize, Simulation) -> Result<()>,
) -> Result<()> {
    let Some(base) = scenarios.first() else {
        return Ok(());
    };
    // `differs_only_in_rates`, with the base's inputs written out once.
    let base_inputs = model_inputs(base, base);
    let trials: Vec<usize> = (0..scenarios.len())
        .filter(|&i| {
            i == 0 || (!opts.keep_paths && model_inputs(&scenarios[i], base) == base_inputs)
        })
        .collect();
    // Every scenario run on its own is sized before the first run (the trials share the
    // first's tables).
    for (i, s) in scenarios.iter().enumerate() {
        if !trials.contains(&i) {
            refuse_oversized_tables(s, || format!("compared scenario `{}`", s.spec.name))?;
        }
    }
    let grids = GridCache::default();
    let mut model = ScenarioModel::new(base);
    model.build_benefit_grids_from(&grids)?;
    // The simulations of the pass under way, by scenario index.
    let mut pass: Vec<(usize, Simulation)> = Vec::new();
    for (i, s) in scenarios.iter().enumerate() {
        let sim = match trials.iter().position(|&t| t == i) {
            Some(at) => {
                if !pass.iter().any(|(j, _)| *j == i) {
                    let chunk = &trials[at..(at + per_pass).min(trials.len())];
                    let policies: Vec<Vec<PolicySpec>> = chunk
                        .iter()
                        .map(|&j| {
                            scenarios[j]
                                .units
                                .iter()
                                .map(|u| u.policy.clone())
                                .collect()
                        })
                        .collect();
                    // The first alone is a run of the model's own policies.
                    let sims = if chunk == [0] {
                        vec![simulate(&model, &base.spec.risk, opts, progress)?]
                    } else {
                        simulate_trials_reporting(
                            &model,
                            &base.spec.risk,
                            opts,
                            &policies,
                            None,
                            progress,
                        )?
                    };
                    pass = chunk.iter().copied().zip(sims).collect();
                }
                let at = pass
                    .iter()
                    .position(|(j, _)| *j == i)
                    .expect("the pass holds its trials");
                pass.swap_remove(at).1
            }
            None => {
                let mut model = ScenarioModel::new(s);
                model.build_benefit_grids_from(&grids.snapshot())?;
                simulate(&model, &s.spec.risk, opts, progress)?
            }
        };
        each(i, sim)?;
    }
    Ok(())
}

/// Differences `other − base` per fund (matched by name) and year, on common random numbers:
/// quantiles of months of capacity and of the year-end balance, the mean balance and the
/// probabilities, each mean and probability with its paired standard error; and each side's
/// own median months, mean balance, P(months < 6) and P(balance < 0).
pub fn compare(base: &Simulation, other: &Simulation, label: &str) -> Result<Differences> {
    if base.paths() != other.paths() {
        return Err(Error::Invalid(
            "a comparison needs the same paths in every run".into(),
        ));
    }
    let (lb, lo) = (&base.layout, &other.layout);
    let mut cells: Vec<(usize, usize, usize, usize)> = Vec::new(); // (e_base, e_other, y_base, y_other)
    for (eb, name) in lb.names.iter().enumerate() {
        let Some(eo) = lo.names.iter().position(|n| n == name) else {
            continue;
        };
        for yb in 0..=lb.last_year[eb] {
            let year = lb.first_year + yb as i32;
            let yo = year - lo.first_year;
            if yo >= 0 && (yo as usize) <= lo.last_year[eo] {
                cells.push((eb, eo, yb, yo as usize));
            }
        }
    }
    let sorted = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v
    };
    let diff_q = |a: &[f64], b: &[f64], q: f64| {
        let (x, y) = (
            crate::risk::quantile_sorted(b, q),
            crate::risk::quantile_sorted(a, q),
        );
        if x == y { 0.0 } else { x - y }
    };
    let quantile_diffs = |a: Vec<f64>, b: Vec<f64>| {
        let (a, b) = (sorted(a), sorted(b));
        crate::risk::QUANTILES.map(|(q, _)| diff_q(&a, &b, q))
    };
    let levels = |sim: &Simulation, e: usize, y: usize| Levels {
        months_p50: crate::risk::quantile_sorted(&sorted(sim.months(e, y)), 0.5),
        balance_mean: crate::risk::mean_and_se(&sim.balances(e, y)).0,
        p_months_lt_6: crate::risk::mean_and_se(&below(sim.months(e, y), MONTHS_LT_6)).0,
        p_exhausted: crate::risk::mean_and_se(&below(sim.balances(e, y), 0.0)).0,
    };
    let rows = cells
        .iter()
        .map(|&(eb, eo, yb, yo)| {
            // The mean of the paired differences and its standard error (−0 and an undefined
            // error written as 0).
            let paired = |f: &PathValues| {
                let (a, b) = (f(base, eb, yb), f(other, eo, yo));
                let d: Vec<f64> = a.iter().zip(&b).map(|(x, y)| y - x).collect();
                let (diff, se) = crate::risk::mean_and_se(&d);
                PairedDifference {
                    diff: if diff == 0.0 { 0.0 } else { diff },
                    se: if se.is_nan() { 0.0 } else { se },
                }
            };
            DifferenceRow {
                unit: lb.names[eb].clone(),
                year: lb.first_year + yb as i32,
                months_quantile_diff: quantile_diffs(base.months(eb, yb), other.months(eo, yo)),
                balance_quantile_diff: quantile_diffs(
                    base.balances(eb, yb),
                    other.balances(eo, yo),
                ),
                base: levels(base, eb, yb),
                other: levels(other, eo, yo),
                balance_mean: paired(&|s, e, y| s.balances(e, y)),
                p_deficit: paired(&|s, e, y| below(s.surpluses(e, y), 0.0)),
                p_months_lt_6: paired(&|s, e, y| below(s.months(e, y), MONTHS_LT_6)),
                p_months_lt_3: paired(&|s, e, y| below(s.months(e, y), MONTHS_LT_3)),
                p_exhausted: paired(&|s, e, y| below(s.balances(e, y), 0.0)),
            }
        })
        .collect();
    Ok(Differences {
        label: label.to_string(),
        paths: base.paths(),
        rows,
    })
}

/// An assumption that `sensitivity` moves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Assumption {
    /// The scenario as it is (the row every change is measured from).
    Base,
    /// A driver's mean, by one annual volatility (at least one point).
    Driver(Driver),
    /// The fertility level, ±20 %.
    Fertility,
    /// The 2025 retirement-age reform, switched off.
    RetirementAge,
    /// A value the scenario file labels ASSUMPTION, at its path (`policy.wage_dispersion`),
    /// moved by a factor ([`labelled_sensitivity`]).
    Labelled(String),
}

impl Assumption {
    /// Its name in tables (`assumption` column) and in the label dictionary (a labelled
    /// value's: its path).
    pub fn name(&self) -> &str {
        match self {
            Assumption::Base => "base",
            Assumption::Driver(d) => d.name(),
            Assumption::Fertility => "fertility",
            Assumption::RetirementAge => "retirement_age",
            Assumption::Labelled(path) => path,
        }
    }
}

/// Which way an assumption was moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Low,
    High,
}

impl Direction {
    pub fn name(self) -> &'static str {
        match self {
            Direction::Low => "low",
            Direction::High => "high",
        }
    }
}

/// The headline risk measures of one fund's last year that `sensitivity` reports.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HeadlineMeasures {
    /// Median months of capacity at the year end.
    pub months_p50: f64,
    /// P(months of capacity < 6) at the year end (share 0–1).
    pub p_months_lt_6: f64,
    /// P(months of capacity < 3) at the year end (share 0–1).
    pub p_months_lt_3: f64,
    /// P(year-end balance < 0) (share 0–1).
    pub p_exhausted: f64,
}

impl HeadlineMeasures {
    /// The measures' names as table columns, in the order of [`HeadlineMeasures::values`].
    pub(crate) const NAMES: [&'static str; 4] = [
        "months_p50",
        "p_months_lt_6",
        "p_months_lt_3",
        "p_exhausted",
    ];

    pub fn values(&self) -> [f64; 4] {
        [
            self.months_p50,
            self.p_months_lt_6,
            self.p_months_lt_3,
            self.p_exhausted,
        ]
    }

    /// `self − base`, measure by measure (an undefined or zero difference is 0).
    pub(crate) fn change_from(&self, base: &HeadlineMeasures) -> HeadlineMeasures {
        let d = |a: f64, b: f64| {
            let d = a - b;
            if d.is_nan() || d == 0.0 { 0.0 } else { d }
        };
        HeadlineMeasures {
            months_p50: d(self.months_p50, base.months_p50),
            p_months_lt_6: d(self.p_months_lt_6, base.p_months_lt_6),
            p_months_lt_3: d(self.p_months_lt_3, base.p_months_lt_3),
            p_exhausted: d(self.p_exhausted, base.p_exhausted),
        }
    }
}

/// One row of a sensitivity study: an assumption moved one way, and what it did.
#[derive(Clone, Debug, PartialEq)]
pub struct SensitivityRow {
    pub assumption: Assumption,
    /// None for the base row.
    pub direction: Option<Direction>,
    /// What the assumption was moved to, in words (e.g. "mean +1.00 points").
    pub value: String,
    pub measures: HeadlineMeasures,
    /// `measures` − the base row's.
    pub change: HeadlineMeasures,
}

impl SensitivityRow {
    /// The row of the scenario as it is.
    fn base(measures: HeadlineMeasures) -> SensitivityRow {
        SensitivityRow {
            assumption: Assumption::Base,
            direction: None,
            value: "as the scenario".into(),
            measures,
            change: measures.change_from(&measures),
        }
    }
}

/// A sensitivity study's result: the fund and year it is about, and a row per variation (the
/// base first).
#[derive(Clone, Debug, PartialEq)]
pub struct Sensitivity {
    /// The fund's name in the run (its unit or fund key).
    pub fund: String,
    /// The last projected year (its year end).
    pub year: i32,
    pub rows: Vec<SensitivityRow>,
}

impl Sensitivity {
    /// The base row's measures.
    pub fn base(&self) -> &HeadlineMeasures {
        &self.rows[0].measures
    }

    /// The row of `assumption` moved `direction`.
    pub fn row(
        &self,
        assumption: Assumption,
        direction: Option<Direction>,
    ) -> Option<&SensitivityRow> {
        self.rows
            .iter()
            .find(|r| r.assumption == assumption && r.direction == direction)
    }

    /// As the `sensitivity.csv` table: assumption, direction, value, fund, year, the four
    /// measures, then their changes (`_change`).
    pub fn table(&self) -> Table {
        let rows = &self.rows;
        let mut t = Table::default();
        t.str(
            "assumption",
            rows.iter()
                .map(|r| r.assumption.name().to_string())
                .collect(),
        );
        t.str(
            "direction",
            rows.iter()
                .map(|r| r.direction.map_or("", Direction::name).to_string())
                .collect(),
        );
        t.str("value", rows.iter().map(|r| r.value.clone()).collect());
        t.str("fund", vec![self.fund.clone(); rows.len()]);
        t.int("year", vec![i64::from(self.year); rows.len()]);
        for (i, name) in HeadlineMeasures::NAMES.iter().enumerate() {
            t.f64(name, rows.iter().map(|r| r.measures.values()[i]).collect());
        }
        for (i, name) in HeadlineMeasures::NAMES.iter().enumerate() {
            t.f64(
                &format!("{name}_change"),
                rows.iter().map(|r| r.change.values()[i]).collect(),
            );
        }
        t
    }
}

/// One assumption moved one way.
struct Variation {
    assumption: Assumption,
    direction: Direction,
    /// What it was moved to, in words.
    value: String,
    apply: Box<dyn Fn(&mut Scenario)>,
}

fn driver_variations(out: &mut Vec<Variation>, s: &Scenario) {
    type Pick = fn(&mut crate::scenario::EconomySpec) -> &mut crate::scenario::DriverSpec;
    let drivers: [(Driver, Pick, f64); 4] = [
        (Driver::WageGrowth, |e| &mut e.wage_growth, 0.01),
        (
            Driver::MedicalPriceGrowth,
            |e| &mut e.medical_price_growth,
            0.01,
        ),
        (
            Driver::UtilisationGrowth,
            |e| &mut e.utilisation_growth,
            0.01,
        ),
        (Driver::EmploymentGrowth, |e| &mut e.employment_growth, 0.01),
    ];
    for (driver, pick, floor) in drivers {
        // The stated range: one annual volatility (at least one point) either way.
        let mut e = s.spec.economy.clone();
        let delta = pick(&mut e).volatility.max(floor);
        for (direction, sign) in [(Direction::Low, -1.0), (Direction::High, 1.0)] {
            out.push(Variation {
                assumption: Assumption::Driver(driver),
                direction,
                value: format!("mean {:+.2} points", sign * delta * 100.0),
                apply: Box::new(move |t: &mut Scenario| {
                    let d = pick(&mut t.spec.economy);
                    d.mean = d.mean.map(|m| m + sign * delta);
                }),
            });
        }
    }
}

/// `sensitivity`: each main assumption moved down and up by its stated range (drivers: one
/// annual volatility, at least one point; fertility: ±20 %; the retirement-age reform: off),
/// the headline risk measures of the last year for `entity` and their change from the base, all
/// on common random numbers.
pub fn sensitivity(s: &Scenario, opts: &RunOptions, entity: Option<&str>) -> Result<Sensitivity> {
    let mut vars = Vec::new();
    driver_variations(&mut vars, s);
    for (direction, f) in [(Direction::Low, 0.8), (Direction::High, 1.2)] {
        vars.push(Variation {
            assumption: Assumption::Fertility,
            direction,
            value: format!("level × {f}"),
            apply: Box::new(move |t: &mut Scenario| {
                let fert = &mut t.spec.economy.fertility;
                fert.level = fert.level.map(|l| l * f);
            }),
        });
    }
    vars.push(Variation {
        assumption: Assumption::RetirementAge,
        direction: Direction::Low,
        value: "no 2025 reform".into(),
        apply: Box::new(|t: &mut Scenario| {
            for u in &mut t.units {
                u.policy.retirement_reform = false;
            }
        }),
    });
    let measure = |sim: &Simulation| headline(sim, entity);
    // Every variation's scenario, its benefit tables sized before the first run.
    let mut moved = Vec::with_capacity(vars.len());
    for v in &vars {
        let mut t = s.clone();
        (v.apply)(&mut t);
        refuse_oversized_tables(&t, || {
            format!(
                "sensitivity's variation {} {} ({})",
                v.assumption.name(),
                v.direction.name(),
                v.value
            )
        })?;
        moved.push(t);
    }
    let grids = GridCache::default();
    let (base, fund, year) = measure(&run(s, opts, &grids)?)?;
    let mut rows = vec![SensitivityRow::base(base)];
    for (v, t) in vars.iter().zip(&moved) {
        let measures = measure(&run(t, opts, &grids.snapshot())?)?.0;
        rows.push(SensitivityRow {
            assumption: v.assumption.clone(),
            direction: Some(v.direction),
            value: v.value.clone(),
            measures,
            change: measures.change_from(&base),
        });
    }
    Ok(Sensitivity { fund, year, rows })
}

/// The headline measures of `entity`'s last year (default: the last fund, the total), and the
/// fund and year they are about.
fn headline(sim: &Simulation, entity: Option<&str>) -> Result<(HeadlineMeasures, String, i32)> {
    let e = match entity {
        Some(name) => sim
            .entity(name)
            .ok_or_else(|| Error::Invalid(format!("no fund named `{name}`")))?,
        None => sim.layout.n_entities() - 1,
    };
    let y = sim.layout.last_year[e];
    let mut m = sim.months(e, y);
    m.sort_by(f64::total_cmp);
    Ok((
        HeadlineMeasures {
            months_p50: crate::risk::quantile_sorted(&m, 0.5),
            p_months_lt_6: probability(sim, Measure::MonthsBelow(MONTHS_LT_6), e, y).0,
            p_months_lt_3: probability(sim, Measure::MonthsBelow(MONTHS_LT_3), e, y).0,
            p_exhausted: probability(sim, Measure::Exhausted, e, y).0,
        },
        sim.layout.names[e].clone(),
        sim.layout.first_year + y as i32,
    ))
}

/// A moved value in words: numbers to six significant digits.
fn short(v: &toml::Value) -> String {
    match v {
        toml::Value::Float(x) if x.is_finite() && *x != 0.0 => {
            let digits = (5 - x.abs().log10().floor() as i32).clamp(0, 12) as usize;
            let t = format!("{x:.digits$}");
            if t.contains('.') {
                t.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                t
            }
        }
        toml::Value::Array(xs) => {
            format!("[{}]", xs.iter().map(short).collect::<Vec<_>>().join(", "))
        }
        other => other.to_string(),
    }
}

/// What became of one labelled item in [`labelled_sensitivity`].
#[derive(Clone, Debug, PartialEq)]
pub struct LabelOutcome {
    pub labelled: Labelled,
    /// The directions it was moved and measured in.
    pub measured: Vec<Direction>,
    /// Why it was not moved, or what the scenario said of a move it refused (empty: none).
    pub note: String,
}

/// A labelled-values study: the sensitivity rows (the base first, then each moved value down
/// and up) and what became of every labelled item.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelledSensitivity {
    pub sensitivity: Sensitivity,
    /// The factor each value was moved by, down and up: 1 − step and 1 + step.
    pub step: f64,
    pub outcomes: Vec<LabelOutcome>,
    /// The items the scenario file labels, before a choice of some (`only`).
    pub labelled_in_file: usize,
}

impl LabelledSensitivity {
    /// As the `labels.csv` table: path, line, value, label, measured (`low and high`, `low`,
    /// `high` or `no`), note.
    pub fn labels_table(&self) -> Table {
        let o = &self.outcomes;
        let mut t = Table::default();
        t.str("path", o.iter().map(|x| x.labelled.path.clone()).collect());
        t.int("line", o.iter().map(|x| x.labelled.line as i64).collect());
        t.str("value", o.iter().map(|x| x.labelled.value_text()).collect());
        t.str(
            "label",
            o.iter().map(|x| x.labelled.label.clone()).collect(),
        );
        t.str(
            "measured",
            o.iter()
                .map(|x| match x.measured[..] {
                    [] => "no".to_string(),
                    [d] => d.name().to_string(),
                    _ => "low and high".to_string(),
                })
                .collect(),
        );
        t.str("note", o.iter().map(|x| x.note.clone()).collect());
        t
    }
}

/// [`labelled_sensitivity`] of a scenario file (`None`: the embedded default) with `overrides`:
/// its labelled values found in its text, kept to the paths in `only` when it names any (each
/// must be a labelled value's path), each move loaded as [`Scenario::from_path_with`] does with
/// the move after `overrides`, and its base year solved ([`crate::base_year::apply`]).
pub fn labelled_sensitivity_of_file(
    path: Option<&std::path::Path>,
    overrides: &[Override],
    only: &[String],
    opts: &RunOptions,
    entity: Option<&str>,
    step: f64,
) -> Result<LabelledSensitivity> {
    use crate::scenario::labels::{chosen, labelled_values_of_file};
    let (items, file) = labelled_values_of_file(path)?;
    let labelled_in_file = items.len();
    let items = chosen(items, only, &file)?;
    let load = |extra: &[Override]| -> Result<Scenario> {
        let mut all = overrides.to_vec();
        all.extend_from_slice(extra);
        let mut s = match path {
            Some(p) => Scenario::from_path_with(p, &all)?,
            None => Scenario::embedded_default_with(&all)?,
        };
        crate::base_year::apply(&mut s)?;
        Ok(s)
    };
    let mut study = labelled_sensitivity(&items, &load, opts, entity, step)?;
    study.labelled_in_file = labelled_in_file;
    Ok(study)
}

/// `sensitivity --labelled`: every value the scenario file labels ASSUMPTION
/// ([`crate::scenario::labels::labelled_values`]) moved by the factors 1 − `step` and
/// 1 + `step`, one at a time, the scenario loaded again by `load` with the move as an override
/// (so its base year is solved again: a level the base year solves absorbs the move), and the
/// headline risk measures of the last year for `entity` and their change from the base, all on
/// common random numbers. A move the scenario refuses (a share above 1, a base year it cannot
/// meet) is tried again at half the step, down to an eighth; the row shows the factor used and
/// the note the scenario's message; a move refused at every step is not measured.
pub fn labelled_sensitivity(
    labelled: &[Labelled],
    load: &dyn Fn(&[Override]) -> Result<Scenario>,
    opts: &RunOptions,
    entity: Option<&str>,
    step: f64,
) -> Result<LabelledSensitivity> {
    if !(step > 0.0 && step < 1.0) {
        return Err(Error::Invalid(format!(
            "step {step}: the factor moved by is 1 ± step, step in (0, 1)"
        )));
    }
    let grids = GridCache::default();
    let (base, fund, year) = headline(&run(&load(&[])?, opts, &grids)?, entity)?;
    let mut rows = vec![SensitivityRow::base(base)];
    let mut outcomes = Vec::with_capacity(labelled.len());
    for l in labelled {
        let mut notes = Vec::new();
        let mut measured = Vec::new();
        if let crate::scenario::labels::LabelledValue::NotMoved(why) = &l.value {
            notes.push(why.to_string());
        }
        for (direction, sign) in [(Direction::Low, -1.0), (Direction::High, 1.0)] {
            // The step, or (when the scenario refuses the move) half of it, down to an eighth.
            let mut refused = None;
            for halvings in 0..4 {
                let factor = 1.0 + sign * step / f64::from(1 << halvings);
                let Some(moves) = l.moves(factor) else { break };
                // A move whose benefit tables would exceed the limit is refused like a value
                // the scenario refuses, before any of its tables is built.
                let prepared = load(&moves).and_then(|s| {
                    let mut model = ScenarioModel::new(&s);
                    // The base's grids are reused; a grid this move needs is dropped after it.
                    model.build_benefit_grids_from(&grids.snapshot())?;
                    Ok((s, model))
                });
                let (scenario, model) = match prepared {
                    Ok(prepared) => prepared,
                    Err(e) => {
                        refused.get_or_insert(format!("× {factor} refused: {e}"));
                        continue;
                    }
                };
                if let Some(r) = refused.take() {
                    notes.push(format!("{r}; measured at × {factor}"));
                }
                let sim = simulate(&model, &scenario.spec.risk, opts, &|_| {})?;
                let measures = headline(&sim, entity)?.0;
                measured.push(direction);
                rows.push(SensitivityRow {
                    assumption: Assumption::Labelled(l.path.clone()),
                    direction: Some(direction),
                    value: format!("× {factor} ({})", short(&moves[0].value)),
                    measures,
                    change: measures.change_from(&base),
                });
                break;
            }
            if let Some(r) = refused {
                notes.push(format!("{r} (and at an eighth of the step)"));
            }
        }
        outcomes.push(LabelOutcome {
            labelled: l.clone(),
            measured,
            note: notes.join("; "),
        });
    }
    Ok(LabelledSensitivity {
        sensitivity: Sensitivity { fund, year, rows },
        step,
        outcomes,
        labelled_in_file: labelled.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rate study's later passes replay the months before rates its first pass projected:
    /// three trials' results of a first pass (which records) and of a second pass with other
    /// rates (which replays) equal, to the bit, those of projections without the cache: on
    /// Shandong (the adjustment fund, rules) and on Jiujiang (counties drawing random counts,
    /// whose draws a replay does not repeat).
    #[test]
    fn replayed_passes_equal_projected_ones() {
        for file in ["shandong-provincial.toml", "jiujiang-city.toml"] {
            replayed_passes_equal_projected_ones_in(file);
        }
    }

    /// A comparison's trials in passes of one, two and three (the cap a large path count
    /// sets), with a driver change run alone between them: each simulation, handed over in
    /// order, is a run of its own scenario's.
    #[test]
    fn comparison_trials_in_passes_equal_runs_of_their_own() {
        use crate::data::DataSource;
        use crate::scenario::GUANGDONG_MERGER_SCENARIO;
        let base = Scenario::parse(
            GUANGDONG_MERGER_SCENARIO,
            "test.toml",
            DataSource::default(),
        )
        .unwrap();
        let from = Month::new(2021, 1).unwrap();
        let at = |rate: f64| {
            let mut t = base.clone();
            set_rate(&mut t, 0, RateLine::Employer, from, rate);
            t
        };
        let mut driver = base.clone();
        driver.spec.economy.wage_growth.mean = crate::params::Dated::Constant(0.09);
        let scenarios = [base.clone(), at(0.06), driver, at(0.045), at(0.07)];
        let opts = RunOptions::new(30, 8);
        let alone: Vec<String> = scenarios
            .iter()
            .map(|s| {
                format!(
                    "{:?}",
                    run(s, &opts, &GridCache::default()).unwrap().summary()
                )
            })
            .collect();
        assert_ne!(alone[0], alone[4]);
        // One trial a pass (each the later rates alone), two, three (the last alone).
        for per_pass in 1..=3 {
            let mut handed = Vec::new();
            simulate_for_comparison_by(&scenarios, &opts, per_pass, &|_| {}, &mut |i, sim| {
                handed.push((i, format!("{:?}", sim.summary())));
                Ok(())
            })
            .unwrap();
            assert_eq!(
                handed.iter().map(|h| h.0).collect::<Vec<_>>(),
                [0, 1, 2, 3, 4]
            );
            for ((_, together), (own, s)) in handed.iter().zip(alone.iter().zip(&scenarios)) {
                assert_eq!(together, own, "{} in passes of {per_pass}", s.spec.name);
            }
        }
    }

    fn replayed_passes_equal_projected_ones_in(file: &str) {
        use crate::risk::simulate_trials;
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../scenarios")
            .join(file);
        let s = Scenario::from_path(&path).unwrap();
        let mut model = ScenarioModel::new(&s);
        model.build_benefit_grids().unwrap();
        let opts = RunOptions::new(70, 3);
        let rates = |r: [f64; 3]| -> Vec<Vec<PolicySpec>> {
            r.iter()
                .map(|&rate| {
                    s.units
                        .iter()
                        .map(|u| {
                            let mut p = u.policy.clone();
                            set_policy_rate(
                                &mut p,
                                s.spec.start,
                                RateLine::Employer,
                                s.spec.start,
                                rate,
                            );
                            p
                        })
                        .collect()
                })
                .collect()
        };
        let same = |a: &[Simulation], b: &[Simulation]| {
            for (x, y) in a.iter().zip(b) {
                assert_eq!(format!("{:?}", x.summary()), format!("{:?}", y.summary()));
                assert_eq!(
                    format!("{:?}", x.exhaustion()),
                    format!("{:?}", y.exhaustion())
                );
            }
        };
        let cache = ProjectionCache::new(&model, opts.paths);
        assert_eq!(cache.paths_kept(), 70);
        let replayed = |policies: &[Vec<PolicySpec>]| {
            simulate_trials_reporting(&model, &s.spec.risk, &opts, policies, Some(&cache), &|_| {})
                .unwrap()
        };
        for trial in [[0.07, 0.09, 0.11], [0.08, 0.10, 0.12]] {
            let policies = rates(trial);
            let direct = simulate_trials(&model, &s.spec.risk, &opts, &policies).unwrap();
            same(&replayed(&policies), &direct);
        }
        // The trials differ (the test can fail).
        let sims = replayed(&rates([0.07, 0.12, 0.12]));
        assert_ne!(
            format!("{:?}", sims[0].summary()),
            format!("{:?}", sims[1].summary())
        );
        assert_eq!(
            format!("{:?}", sims[1].summary()),
            format!("{:?}", sims[2].summary())
        );
    }

    /// A study's trials share benefit grids: a trial that moves wage growth uses the base's
    /// grid (the same values, so the same results), one that moves medical price growth covers
    /// another range and builds its own.
    #[test]
    fn trials_share_the_benefit_grids_they_can() {
        let s = Scenario::embedded_default().unwrap();
        let grids = GridCache::default();
        let mut base = ScenarioModel::new(&s);
        let bytes = base.build_benefit_grids_from(&grids).unwrap();
        assert!(bytes > 0 && grids.len() == 1);
        let mut wage = s.clone();
        wage.spec.economy.wage_growth.mean = crate::params::Dated::Constant(0.01);
        let mut wage_model = ScenarioModel::new(&wage);
        assert_eq!(wage_model.build_benefit_grids_from(&grids).unwrap(), bytes);
        assert_eq!(grids.len(), 1);
        let mut price = s.clone();
        price.spec.economy.medical_price_growth.volatility *= 2.0;
        ScenarioModel::new(&price)
            .build_benefit_grids_from(&grids)
            .unwrap();
        assert_eq!(grids.len(), 2);
        // The shared grid gives what a grid of its own gives.
        let mut own = ScenarioModel::new(&wage);
        own.build_benefit_grids().unwrap();
        let opts = RunOptions::new(40, 7);
        let a = simulate(&wage_model, &wage.spec.risk, &opts, &|_| {}).unwrap();
        let b = simulate(&own, &wage.spec.risk, &opts, &|_| {}).unwrap();
        assert_eq!(format!("{:?}", a.summary()), format!("{:?}", b.summary()));
    }

    #[test]
    fn targets_parse() {
        let t = Target::parse("P(months<3)<=0.05").unwrap();
        assert_eq!(t.measure, Measure::MonthsBelow(3.0));
        assert!(!t.strict && t.level == 0.05);
        assert!(t.holds(0.05) && !t.holds(0.0501));
        let t = Target::parse(" P(balance<0) < 0.01 ").unwrap();
        assert_eq!(t.measure, Measure::Exhausted);
        assert!(t.strict && !t.holds(0.01));
        assert_eq!(
            Target::parse("P(deficit)<=0.2").unwrap().measure,
            Measure::Deficit
        );
        for bad in [
            "P(months<3)",
            "months<3<=0.05",
            "P(spending)<=0.1",
            "P(deficit)<=1.5",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Target::parse("P(months<6)<0.1").unwrap().to_string(),
            "P(months<6)<0.1"
        );
    }
}
