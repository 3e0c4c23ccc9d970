//! Risk measures over Monte Carlo paths (MODEL.md, "Risk measures").
//!
//! Each path's months are folded, as they are projected, into a per-path record of year sums
//! and year-end values ([`PathRecord`]); records are added into fixed blocks of paths
//! ([`BlockAccumulator`]) and the blocks merged in path order, so every sum is taken in the
//! same order whatever the number of threads. Only year-end balances and months of capacity
//! are kept per path (for exact quantiles); monthly series only with `keep_paths`.

use crate::data::Status;
use crate::engine::montecarlo::{
    PathFold, ProjectionCache, RunOptions, execute, n_blocks, run_path_trials,
};
use crate::engine::{FundKind, Memo, Observer, PathState, ScenarioModel};
use crate::error::{Error, Result};
use crate::ledger::{FundMonth, INCOME_LINES, N_INCOME, N_SPENDING, SPENDING_LINES};
use crate::pooling::Settlement;
use crate::scenario::{OpeningPosition, PolicySpec, PoolingKind, RiskSpec};
use crate::table::Table;

/// The months of capacity that every table reports the risk of falling below (MODEL.md, "Risk
/// measures": P(M < 6) and P(M < 3), the columns `p_months_lt_6` and `p_months_lt_3`),
/// whatever the scenario's warning bands.
pub(crate) const MONTHS_LT_6: f64 = 6.0;
pub(crate) const MONTHS_LT_3: f64 = 3.0;

/// Year-sum lines kept per fund: the income lines, the spending lines, then these four.
pub const N_LINES: usize = N_INCOME + N_SPENDING + 4;
pub(crate) const LINE_INCOME_TOTAL: usize = N_INCOME + N_SPENDING;
pub(crate) const LINE_SPENDING_TOTAL: usize = LINE_INCOME_TOTAL + 1;
pub(crate) const LINE_INTEREST: usize = LINE_INCOME_TOTAL + 2;
pub(crate) const LINE_TRANSFERS: usize = LINE_INCOME_TOTAL + 3;

/// Membership and births kept per unit and year: births in the year (insured women, uninsured
/// spouses) and members at the year end (active, retired).
pub const MEMO_NAMES: [&str; 6] = [
    "births_insured",
    "births_spouse",
    "members_active",
    "members_retiree",
    "rule_fired",
    "employer_rate_uplift",
];
const N_MEMO: usize = MEMO_NAMES.len();

/// A unit's yearly settlement items, in the order of [`Settlement`]'s fields.
pub const SETTLEMENT_NAMES: [&str; 10] = [
    "income",
    "spending",
    "levy",
    "gap",
    "received",
    "treasury",
    "revenue_budget",
    "spending_budget",
    "working_advance",
    "other_uses",
];
const N_SETTLE: usize = SETTLEMENT_NAMES.len();

fn settlement_items(s: &Settlement<f64>) -> [f64; N_SETTLE] {
    [
        s.income,
        s.spending,
        s.levy,
        s.gap,
        s.received,
        s.treasury,
        s.revenue_budget,
        s.spending_budget,
        s.working_advance,
        s.other_uses,
    ]
}

/// The warning bands of months of payment capacity, from comfortable to exhausted.
pub const BANDS: [&str; 6] = [
    "excess",
    "high",
    "reasonable",
    "insufficient",
    "serious",
    "exhausted",
];

/// Band index of a year end: exhausted if the balance is negative, else by months of capacity.
/// Thresholds from the scenario's `[risk]`: excess > 15, high 9–15, reasonable 6–9,
/// insufficient 3–6, serious 0–3.
pub fn band(balance: f64, months: f64, r: &RiskSpec) -> usize {
    if balance < 0.0 {
        5
    } else if months > r.excess {
        0
    } else if months >= r.high {
        1
    } else if months >= r.reasonable {
        2
    } else if months >= r.insufficient {
        3
    } else {
        4
    }
}

/// What is reported on: every fund of the model and, with more than one fund, their total
/// (`all`: the whole scheme's money, in which transfers between funds cancel).
#[derive(Clone, Debug)]
pub struct Layout {
    pub names: Vec<String>,
    pub(crate) n_funds: usize,
    pub has_total: bool,
    /// The total is the accounts' fund (`accounts` pooling): the pooled funds' sum only.
    pub accounts: bool,
    pub first_year: i32,
    /// Month of the year of the first month, 0 = January.
    first_year_month0: usize,
    pub n_years: usize,
    pub(crate) horizon: usize,
    /// Per entity: the last year index reported (a maternity fund ends before its merger).
    pub last_year: Vec<usize>,
    /// Per entity: what fund it is (None for the total).
    pub kinds: Vec<Option<FundKind>>,
    /// Per entity: whether it holds money of a unit whose opening position is assumed
    /// ([`crate::scenario::OpeningPosition::Assumed`]): a unit's own funds by its unit, a city
    /// or adjustment fund and the total by any of the units.
    pub opening_assumed: Vec<bool>,
    /// Units, and whether a pooling rule settles their years (`pooling.csv`).
    pub unit_names: Vec<String>,
    pub has_settlements: bool,
    year_of_month: Vec<usize>,
    is_year_end: Vec<bool>,
    risk: RiskSpec,
}

impl Layout {
    pub fn new(model: &ScenarioModel, risk: &RiskSpec) -> Layout {
        let horizon = model.horizon as usize;
        let first_year = model.start.year();
        let year_of_month: Vec<usize> = (0..horizon)
            .map(|k| (model.month(k).year() - first_year) as usize)
            .collect();
        let n_years = year_of_month.last().map_or(0, |y| y + 1);
        let is_year_end = (0..horizon)
            .map(|k| k + 1 == horizon || model.month(k).month() == 12)
            .collect();
        let n_funds = model.funds.len();
        let accounts = model.pooling.spec.kind == PoolingKind::Accounts;
        let has_total = n_funds > 1 || accounts;
        let mut names: Vec<String> = model.funds.iter().map(|f| f.name.clone()).collect();
        let mut last_year: Vec<usize> = model
            .funds
            .iter()
            .map(|f| match (f.kind, model.units[f.unit].merger()) {
                // A year is reported while the separate fund exists at its start.
                (FundKind::Maternity, Some(m)) => (m.plus(-1).year() - first_year) as usize,
                _ => n_years - 1,
            })
            .collect();
        if has_total {
            // The accounts' fund carries its own name; otherwise the total of all funds.
            names.push(if accounts {
                model.pooling.spec.fund_name.clone()
            } else {
                "all".into()
            });
            last_year.push(n_years - 1);
        }
        let mut kinds: Vec<Option<FundKind>> = model.funds.iter().map(|f| Some(f.kind)).collect();
        if has_total {
            kinds.push(None);
        }
        let assumed = |u: usize| model.units[u].opening == OpeningPosition::Assumed;
        let any_assumed = (0..model.units.len()).any(assumed);
        let mut opening_assumed: Vec<bool> = model
            .funds
            .iter()
            .map(|f| match f.kind {
                FundKind::Pooled | FundKind::Maternity => assumed(f.unit),
                FundKind::City | FundKind::Adjustment => any_assumed,
            })
            .collect();
        if has_total {
            opening_assumed.push(any_assumed);
        }
        Layout {
            names,
            kinds,
            opening_assumed,
            unit_names: model.units.iter().map(|u| u.name.clone()).collect(),
            has_settlements: matches!(
                model.pooling.spec.kind,
                PoolingKind::ProvincialAdjustment | PoolingKind::CityUnified
            ),
            n_funds,
            has_total,
            accounts,
            first_year,
            first_year_month0: model.start.month0(),
            n_years,
            horizon,
            last_year,
            year_of_month,
            is_year_end,
            risk: risk.clone(),
        }
    }

    /// Whether year index `y` ends with a projected December (a year the pooling settles).
    pub(crate) fn has_december(&self, y: usize) -> bool {
        // The last projected month of year y is a December unless the horizon ends earlier.
        let last = (0..self.horizon)
            .rev()
            .find(|&k| self.year_of_month[k] == y);
        last.is_some_and(|k| (self.first_year_month0 + k) % 12 == 11)
    }

    pub fn n_entities(&self) -> usize {
        self.names.len()
    }

    fn total(&self) -> usize {
        self.n_funds
    }
}

/// Months of capacity as a number: +∞ where there is no spending to cover.
fn months_of(balance: f64, avg_spending: f64) -> f64 {
    if avg_spending > 0.0 {
        balance / avg_spending
    } else if balance >= 0.0 {
        f64::INFINITY
    } else {
        f64::NEG_INFINITY
    }
}

/// One fund's month of a kept path (`--keep-paths`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct KeptMonth {
    pub income_total: f64,
    pub spending_total: f64,
    pub interest: f64,
    pub transfers_net: f64,
    pub balance: f64,
    pub avg_spending_12m: f64,
}

/// One path folded into year sums and year-end values (reused from path to path).
pub struct PathRecord {
    n_years: usize,
    /// [entity][year][line]
    lines: Vec<f64>,
    /// [entity][year]
    balance_end: Vec<f64>,
    avg_end: Vec<f64>,
    /// [entity][year][memo item]
    memo: Vec<f64>,
    /// [unit][year][settlement item]
    settled: Vec<f64>,
    /// [entity]: year index of the first month-end with a negative balance.
    first_negative: Vec<Option<usize>>,
    /// [month]: totals over funds.
    total_balance: Vec<f64>,
    total_avg: Vec<f64>,
    /// [fund][month], when paths are kept.
    kept: Option<Vec<KeptMonth>>,
}

impl PathRecord {
    pub fn new(layout: &Layout, keep: bool) -> PathRecord {
        let e = layout.n_entities();
        let y = layout.n_years;
        PathRecord {
            n_years: y,
            lines: vec![0.0; e * y * N_LINES],
            balance_end: vec![0.0; e * y],
            avg_end: vec![0.0; e * y],
            memo: vec![0.0; e * y * N_MEMO],
            settled: vec![0.0; layout.unit_names.len() * y * N_SETTLE],
            first_negative: vec![None; e],
            total_balance: vec![0.0; layout.horizon],
            total_avg: vec![0.0; layout.horizon],
            kept: keep.then(|| vec![KeptMonth::default(); layout.n_funds * layout.horizon]),
        }
    }

    pub(crate) fn reset(&mut self) {
        self.lines.fill(0.0);
        self.balance_end.fill(0.0);
        self.avg_end.fill(0.0);
        self.memo.fill(0.0);
        self.settled.fill(0.0);
        self.first_negative.fill(None);
        self.total_balance.fill(0.0);
        self.total_avg.fill(0.0);
    }

    fn add_lines(&mut self, e: usize, y: usize, r: &FundMonth<f64>) {
        let base = (e * self.n_years + y) * N_LINES;
        let l = &mut self.lines[base..base + N_LINES];
        for (i, x) in r.income.iter().enumerate() {
            l[i] += x;
        }
        for (i, x) in r.spending.iter().enumerate() {
            l[N_INCOME + i] += x;
        }
        l[LINE_INCOME_TOTAL] += r.income_total;
        l[LINE_SPENDING_TOTAL] += r.spending_total;
        l[LINE_INTEREST] += r.interest;
        l[LINE_TRANSFERS] += r.transfers_net;
    }

    /// Folds fund `f`'s month `k` into the record.
    #[inline]
    pub(crate) fn observe(
        &mut self,
        layout: &Layout,
        k: usize,
        f: usize,
        r: &FundMonth<f64>,
        memo: &Memo,
    ) {
        let y = layout.year_of_month[k];
        self.add_lines(f, y, r);
        // A unit's pooled fund (or the city fund) carries its membership.
        if matches!(layout.kinds[f], Some(FundKind::Pooled | FundKind::City)) {
            let retired = memo.members[Status::Retiree as usize];
            let active = memo.members.iter().sum::<f64>() - retired;
            let entities = if layout.has_total { 2 } else { 1 };
            for e in [f, layout.total()].into_iter().take(entities) {
                let m = &mut self.memo[(e * self.n_years + y) * N_MEMO..][..N_MEMO];
                m[0] += memo.births_insured;
                m[1] += memo.births_spouse;
                if layout.is_year_end[k] {
                    // Members at the start of the year's last month.
                    m[2] += active;
                    m[3] += retired;
                    m[4] = m[4].max(memo.rule_fired);
                    m[5] = m[5].max(memo.employer_rate_uplift);
                }
            }
        }
        if layout.is_year_end[k] {
            self.balance_end[f * self.n_years + y] = r.balance;
            self.avg_end[f * self.n_years + y] = r.avg_spending_12m;
        }
        if r.balance < 0.0 && self.first_negative[f].is_none() {
            self.first_negative[f] = Some(y);
        }
        // The total of all funds, or the accounts' fund: the sum of the accounts alone (a
        // separate maternity fund is another insurance's until it merges).
        if layout.has_total && (!layout.accounts || layout.kinds[f] == Some(FundKind::Pooled)) {
            self.add_lines(layout.total(), y, r);
            self.total_balance[k] += r.balance;
            self.total_avg[k] += r.avg_spending_12m;
        }
        if let Some(kept) = &mut self.kept {
            kept[f * layout.horizon + k] = KeptMonth {
                income_total: r.income_total,
                spending_total: r.spending_total,
                interest: r.interest,
                transfers_net: r.transfers_net,
                balance: r.balance,
                avg_spending_12m: r.avg_spending_12m,
            };
        }
    }

    /// Keeps unit `u`'s settlement of the year ending in month `k`.
    pub(crate) fn settle(&mut self, layout: &Layout, k: usize, u: usize, s: &Settlement<f64>) {
        let y = layout.year_of_month[k];
        let base = (u * self.n_years + y) * N_SETTLE;
        self.settled[base..base + N_SETTLE].copy_from_slice(&settlement_items(s));
    }

    /// Completes the record after the path's last month (the total's month-level values).
    pub fn finish(&mut self, layout: &Layout) {
        if !layout.has_total {
            return;
        }
        let t = layout.total();
        for k in 0..layout.horizon {
            let y = layout.year_of_month[k];
            if layout.is_year_end[k] {
                self.balance_end[t * self.n_years + y] = self.total_balance[k];
                self.avg_end[t * self.n_years + y] = self.total_avg[k];
            }
            if self.total_balance[k] < 0.0 && self.first_negative[t].is_none() {
                self.first_negative[t] = Some(y);
            }
        }
    }
}

/// Folds a path's months and settlements into a [`PathRecord`].
pub struct RecordObserver<'a> {
    pub(crate) layout: &'a Layout,
    pub(crate) record: PathRecord,
}

impl<'a> RecordObserver<'a> {
    fn new(layout: &'a Layout, keep_paths: bool) -> RecordObserver<'a> {
        RecordObserver {
            layout,
            record: PathRecord::new(layout, keep_paths),
        }
    }
}

impl Observer<f64> for RecordObserver<'_> {
    #[inline]
    fn month(&mut self, k: usize, fund: usize, record: &FundMonth<f64>, memo: &Memo) {
        self.record.observe(self.layout, k, fund, record, memo);
    }
    fn settlement(&mut self, k: usize, unit: usize, s: &Settlement<f64>) {
        self.record.settle(self.layout, k, unit, s);
    }
}

/// Sums and counts over a block of paths, and the block's year-end values.
#[derive(Clone, Debug)]
pub struct BlockAccumulator {
    pub paths: usize,
    /// [entity][year][line]
    pub sum_lines: Vec<f64>,
    /// [entity][year][memo item]
    pub sum_memo: Vec<f64>,
    /// [entity][year]
    pub n_deficit: Vec<u64>,
    pub n_months_lt_6: Vec<u64>,
    pub n_months_lt_3: Vec<u64>,
    pub n_exhausted: Vec<u64>,
    /// [entity][year][band]
    pub n_band: Vec<u64>,
    /// [entity][year index of first exhaustion, or n_years for never]
    pub n_first_exhaustion: Vec<u64>,
    /// [path in block][entity][year]
    pub balance_end: Vec<f64>,
    pub months_end: Vec<f64>,
    /// Income + interest − spending of the year.
    pub surplus: Vec<f64>,
    /// Treasury income of the year (county treasuries, backstop), yuan.
    pub treasury: Vec<f64>,
    /// [path in block][unit][year][settlement item], with pooling only.
    pub settled: Vec<f64>,
    /// [path in block][fund][month], when paths are kept.
    pub kept: Vec<KeptMonth>,
}

impl BlockAccumulator {
    pub fn new(layout: &Layout) -> BlockAccumulator {
        let ey = layout.n_entities() * layout.n_years;
        BlockAccumulator {
            paths: 0,
            sum_lines: vec![0.0; ey * N_LINES],
            sum_memo: vec![0.0; ey * N_MEMO],
            n_deficit: vec![0; ey],
            n_months_lt_6: vec![0; ey],
            n_months_lt_3: vec![0; ey],
            n_exhausted: vec![0; ey],
            n_band: vec![0; ey * BANDS.len()],
            n_first_exhaustion: vec![0; layout.n_entities() * (layout.n_years + 1)],
            balance_end: Vec::new(),
            months_end: Vec::new(),
            surplus: Vec::new(),
            treasury: Vec::new(),
            settled: Vec::new(),
            kept: Vec::new(),
        }
    }

    /// The first (entity, year) of a finished path whose year-end balance or year's lines are
    /// not finite numbers; None for a sound path.
    pub(crate) fn non_finite(layout: &Layout, rec: &PathRecord) -> Option<(usize, usize)> {
        let ny = layout.n_years;
        (0..layout.n_entities() * ny)
            .find(|&i| {
                !rec.balance_end[i].is_finite()
                    || rec.lines[i * N_LINES..(i + 1) * N_LINES]
                        .iter()
                        .any(|x| !x.is_finite())
            })
            .map(|i| (i / ny, i % ny))
    }

    /// Adds one finished path.
    pub fn add(&mut self, layout: &Layout, rec: &PathRecord) {
        let ny = layout.n_years;
        for e in 0..layout.n_entities() {
            for y in 0..ny {
                let i = e * ny + y;
                let lines = &rec.lines[i * N_LINES..(i + 1) * N_LINES];
                for (s, x) in self.sum_lines[i * N_LINES..(i + 1) * N_LINES]
                    .iter_mut()
                    .zip(lines)
                {
                    *s += x;
                }
                for (s, x) in self.sum_memo[i * N_MEMO..(i + 1) * N_MEMO]
                    .iter_mut()
                    .zip(&rec.memo[i * N_MEMO..(i + 1) * N_MEMO])
                {
                    *s += x;
                }
                let balance = rec.balance_end[i];
                let months = months_of(balance, rec.avg_end[i]);
                self.balance_end.push(balance);
                self.months_end.push(months);
                let surplus =
                    lines[LINE_INCOME_TOTAL] + lines[LINE_INTEREST] - lines[LINE_SPENDING_TOTAL];
                self.surplus.push(surplus);
                // The year's lines open with the income lines, in their order.
                self.treasury
                    .push(lines[crate::ledger::IncomeLine::Treasury as usize]);
                self.n_deficit[i] += u64::from(surplus < 0.0);
                self.n_months_lt_6[i] += u64::from(months < MONTHS_LT_6);
                self.n_months_lt_3[i] += u64::from(months < MONTHS_LT_3);
                self.n_exhausted[i] += u64::from(balance < 0.0);
                self.n_band[i * BANDS.len() + band(balance, months, &layout.risk)] += 1;
            }
            let first = rec.first_negative[e]
                .filter(|&y| y <= layout.last_year[e])
                .unwrap_or(ny);
            self.n_first_exhaustion[e * (ny + 1) + first] += 1;
        }
        if layout.has_settlements {
            self.settled.extend_from_slice(&rec.settled);
        }
        if let Some(k) = &rec.kept {
            self.kept.extend_from_slice(k);
        }
        self.paths += 1;
    }

    /// Adds the next block (in path order).
    pub fn merge(&mut self, other: BlockAccumulator) {
        self.paths += other.paths;
        for (a, b) in self.sum_lines.iter_mut().zip(&other.sum_lines) {
            *a += b;
        }
        for (a, b) in self.sum_memo.iter_mut().zip(&other.sum_memo) {
            *a += b;
        }
        for (a, b) in [
            (&mut self.n_deficit, &other.n_deficit),
            (&mut self.n_months_lt_6, &other.n_months_lt_6),
            (&mut self.n_months_lt_3, &other.n_months_lt_3),
            (&mut self.n_exhausted, &other.n_exhausted),
            (&mut self.n_band, &other.n_band),
            (&mut self.n_first_exhaustion, &other.n_first_exhaustion),
        ] {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        self.balance_end.extend_from_slice(&other.balance_end);
        self.months_end.extend_from_slice(&other.months_end);
        self.surplus.extend_from_slice(&other.surplus);
        self.treasury.extend_from_slice(&other.treasury);
        self.settled.extend_from_slice(&other.settled);
        self.kept.extend_from_slice(&other.kept);
    }
}

/// Quantile by linear interpolation between order statistics (type 7, as numpy's default), of
/// sorted values; infinite values are handled without producing NaN.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    let w = h - lo as f64;
    let (a, b) = (sorted[lo], sorted[hi]);
    if w == 0.0 || a == b {
        a
    } else if a.is_infinite() || b.is_infinite() {
        if w < 1.0 && a.is_infinite() { a } else { b }
    } else {
        a + w * (b - a)
    }
}

/// Monte Carlo standard error of a probability estimated from `n` paths.
pub fn probability_se(p: f64, n: usize) -> f64 {
    if n == 0 {
        f64::NAN
    } else {
        (p * (1.0 - p) / n as f64).sqrt()
    }
}

pub const QUANTILES: [(f64, &str); 5] = [
    (0.05, "p5"),
    (0.25, "p25"),
    (0.50, "p50"),
    (0.75, "p75"),
    (0.95, "p95"),
];

/// The merged result of a Monte Carlo run.
pub struct Simulation {
    pub layout: Layout,
    pub acc: BlockAccumulator,
    pub seed: u64,
}

impl Simulation {
    pub fn paths(&self) -> usize {
        self.acc.paths
    }

    fn gather(&self, v: &[f64], e: usize, y: usize) -> Vec<f64> {
        let stride = self.layout.n_entities() * self.layout.n_years;
        let offset = e * self.layout.n_years + y;
        v.iter().skip(offset).step_by(stride).copied().collect()
    }

    /// Year-end pooled balances of entity `e` in year index `y`, one per path, in path order.
    pub fn balances(&self, e: usize, y: usize) -> Vec<f64> {
        self.gather(&self.acc.balance_end, e, y)
    }

    /// Year-end months of capacity (+∞ where there is no spending), one per path.
    pub fn months(&self, e: usize, y: usize) -> Vec<f64> {
        self.gather(&self.acc.months_end, e, y)
    }

    /// The year's income + interest − spending of entity `e`, one per path.
    pub(crate) fn surpluses(&self, e: usize, y: usize) -> Vec<f64> {
        self.gather(&self.acc.surplus, e, y)
    }

    /// The year's treasury income of entity `e` (county treasuries, backstop), one per path.
    pub fn treasury(&self, e: usize, y: usize) -> Vec<f64> {
        self.gather(&self.acc.treasury, e, y)
    }

    /// The entity named `name`, if reported.
    pub fn entity(&self, name: &str) -> Option<usize> {
        self.layout.names.iter().position(|n| n == name)
    }

    /// Mean of a year-sum line of entity `e` in year index `y` (see [`N_LINES`]).
    pub(crate) fn line_mean(&self, e: usize, y: usize, line: usize) -> f64 {
        self.acc.sum_lines[(e * self.layout.n_years + y) * N_LINES + line] / self.paths() as f64
    }

    /// (entity, year index) pairs reported, in order.
    pub fn rows(&self) -> Vec<(usize, usize)> {
        let l = &self.layout;
        (0..l.n_entities())
            .flat_map(|e| (0..=l.last_year[e]).map(move |y| (e, y)))
            .collect()
    }

    /// A table with the key columns `unit`, `year` and `paths` for `rows`.
    /// `names`: the unit column's names, indexed by the rows' first element.
    fn keyed_table(&self, rows: &[(usize, usize)], names: &[String]) -> Table {
        let l = &self.layout;
        let mut t = Table::default();
        t.str(
            "unit",
            rows.iter().map(|&(e, _)| names[e].clone()).collect(),
        );
        t.int(
            "year",
            rows.iter()
                .map(|&(_, y)| i64::from(l.first_year) + y as i64)
                .collect(),
        );
        t.int("paths", vec![self.paths() as i64; rows.len()]);
        t
    }

    /// `summary`: one row per unit and year.
    pub fn summary(&self) -> Table {
        let l = &self.layout;
        let n = self.paths();
        let nf = n as f64;
        let rows = self.rows();
        let mut t = self.keyed_table(&rows, &l.names);
        let line_names: Vec<String> = INCOME_LINES
            .iter()
            .chain(SPENDING_LINES.iter())
            .chain(
                [
                    "income_total",
                    "spending_total",
                    "interest",
                    "transfers_net",
                ]
                .iter(),
            )
            .map(|s| format!("{s}_mean"))
            .collect();
        for (li, name) in line_names.iter().enumerate() {
            t.f64(
                name,
                rows.iter()
                    .map(|&(e, y)| self.acc.sum_lines[(e * l.n_years + y) * N_LINES + li] / nf)
                    .collect(),
            );
        }
        for (mi, name) in MEMO_NAMES.iter().enumerate() {
            t.f64(
                &format!("{name}_mean"),
                rows.iter()
                    .map(|&(e, y)| self.acc.sum_memo[(e * l.n_years + y) * N_MEMO + mi] / nf)
                    .collect(),
            );
        }
        let mut balance_mean = Vec::new();
        let mut balance_mean_se = Vec::new();
        let mut bq = vec![Vec::new(); QUANTILES.len()];
        let mut mq = vec![Vec::new(); QUANTILES.len()];
        let mut shortfall = Vec::new();
        let mut shortfall_se = Vec::new();
        let mut cvar = Vec::new();
        for &(e, y) in &rows {
            let mut b = self.balances(e, y);
            let (mean, se) = mean_and_se(&b);
            balance_mean.push(mean);
            balance_mean_se.push(se);
            let short: Vec<f64> = b.iter().map(|x| (-x).max(0.0)).collect();
            let (s, s_se) = mean_and_se(&short);
            shortfall.push(s);
            shortfall_se.push(s_se);
            b.sort_by(f64::total_cmp);
            let tail = (n as f64 * 0.05).ceil().max(1.0) as usize;
            cvar.push(b[..tail.min(n)].iter().sum::<f64>() / tail.min(n) as f64);
            let mut m = self.months(e, y);
            m.sort_by(f64::total_cmp);
            for (qi, (q, _)) in QUANTILES.iter().enumerate() {
                bq[qi].push(quantile_sorted(&b, *q));
                mq[qi].push(quantile_sorted(&m, *q));
            }
        }
        t.f64("balance_mean", balance_mean);
        t.f64("balance_mean_se", balance_mean_se);
        for (qi, (_, name)) in QUANTILES.iter().enumerate() {
            t.f64(&format!("balance_{name}"), std::mem::take(&mut bq[qi]));
        }
        for (qi, (_, name)) in QUANTILES.iter().enumerate() {
            t.f64(&format!("months_{name}"), std::mem::take(&mut mq[qi]));
        }
        for (name, counts) in [
            ("p_deficit", &self.acc.n_deficit),
            ("p_months_lt_6", &self.acc.n_months_lt_6),
            ("p_months_lt_3", &self.acc.n_months_lt_3),
            ("p_exhausted", &self.acc.n_exhausted),
        ] {
            let p: Vec<f64> = rows
                .iter()
                .map(|&(e, y)| counts[e * l.n_years + y] as f64 / nf)
                .collect();
            let se = p.iter().map(|&p| probability_se(p, n)).collect();
            t.f64(name, p);
            t.f64(&format!("{name}_se"), se);
        }
        // The treasury's bill: how likely it pays in a year, and its 95th percentile.
        let (mut p_treasury, mut p_treasury_se, mut treasury_p95) = (vec![], vec![], vec![]);
        for &(e, y) in &rows {
            let mut v = self.treasury(e, y);
            let p = v.iter().filter(|&&x| x > 0.0).count() as f64 / nf;
            p_treasury.push(p);
            p_treasury_se.push(probability_se(p, n));
            v.sort_by(f64::total_cmp);
            treasury_p95.push(quantile_sorted(&v, 0.95));
        }
        t.f64("p_treasury", p_treasury);
        t.f64("p_treasury_se", p_treasury_se);
        t.f64("income_treasury_p95", treasury_p95);
        t.f64("expected_shortfall", shortfall);
        t.f64("expected_shortfall_se", shortfall_se);
        t.f64("balance_cvar5", cvar);
        t
    }

    /// `exhaustion`: per unit, the distribution of the first year the balance goes negative.
    pub fn exhaustion(&self) -> Table {
        let l = &self.layout;
        let n = self.paths();
        let (mut unit, mut year, mut count, mut share, mut se, mut cum) =
            (vec![], vec![], vec![], vec![], vec![], vec![]);
        for e in 0..l.n_entities() {
            let mut c = 0.0;
            let years = (0..=l.last_year[e]).chain(std::iter::once(l.n_years));
            for y in years {
                let k = self.acc.n_first_exhaustion[e * (l.n_years + 1) + y];
                let p = k as f64 / n as f64;
                unit.push(l.names[e].clone());
                year.push(if y == l.n_years {
                    "never".to_string()
                } else {
                    (l.first_year + y as i32).to_string()
                });
                count.push(k as i64);
                share.push(p);
                se.push(probability_se(p, n));
                if y < l.n_years {
                    c += p;
                }
                // On the `never` row: the share exhausted at some point of the horizon.
                cum.push(c);
            }
        }
        let mut t = Table::default();
        t.str("unit", unit);
        t.str("first_exhausted_year", year);
        t.int("paths", count);
        t.f64("share", share);
        t.f64("share_se", se);
        t.f64("cumulative_share", cum);
        t
    }

    /// `warnings`: per unit and year, the share of paths in each warning band at the year end.
    pub fn warnings(&self) -> Table {
        let l = &self.layout;
        let n = self.paths();
        let rows = self.rows();
        let mut t = self.keyed_table(&rows, &l.names);
        for (b, name) in BANDS.iter().enumerate() {
            let p: Vec<f64> = rows
                .iter()
                .map(|&(e, y)| {
                    self.acc.n_band[(e * l.n_years + y) * BANDS.len() + b] as f64 / n as f64
                })
                .collect();
            let se = p.iter().map(|&p| probability_se(p, n)).collect();
            t.f64(&format!("share_{name}"), p);
            t.f64(&format!("share_{name}_se"), se);
        }
        t
    }
}

impl Simulation {
    /// A settlement item of unit `u` in year index `y`, one per path, in path order.
    pub fn settlement_values(&self, u: usize, y: usize, item: usize) -> Vec<f64> {
        let l = &self.layout;
        let per_path = l.unit_names.len() * l.n_years * N_SETTLE;
        let offset = (u * l.n_years + y) * N_SETTLE + item;
        self.acc
            .settled
            .iter()
            .skip(offset)
            .step_by(per_path)
            .copied()
            .collect()
    }

    /// `pooling`: per unit and settled year, the pooling rule's levies, gaps and who paid them:
    /// means of every item, the probability of a gap, of a payment from the shared fund and of
    /// a county-treasury payment (each with its standard error), and quantiles of the
    /// treasury's payment. None without a pooling rule.
    pub fn pooling(&self) -> Option<Table> {
        let l = &self.layout;
        if !l.has_settlements {
            return None;
        }
        let n = self.paths();
        // Settled years: those whose December is in the horizon.
        let settled_years: Vec<usize> = (0..l.n_years).filter(|&y| l.has_december(y)).collect();
        let rows: Vec<(usize, usize)> = (0..l.unit_names.len())
            .flat_map(|u| settled_years.iter().map(move |&y| (u, y)))
            .collect();
        let mut t = self.keyed_table(&rows, &l.unit_names);
        let values: Vec<Vec<Vec<f64>>> = rows
            .iter()
            .map(|&(u, y)| {
                (0..N_SETTLE)
                    .map(|i| self.settlement_values(u, y, i))
                    .collect()
            })
            .collect();
        for (i, name) in SETTLEMENT_NAMES.iter().enumerate() {
            t.f64(
                &format!("{name}_mean"),
                values.iter().map(|v| mean_and_se(&v[i]).0).collect(),
            );
        }
        for (i, name) in [(3, "p_gap"), (4, "p_received"), (5, "p_treasury")] {
            let p: Vec<f64> = values
                .iter()
                .map(|v| v[i].iter().filter(|&&x| x > 0.0).count() as f64 / n as f64)
                .collect();
            let se = p.iter().map(|&p| probability_se(p, n)).collect();
            t.f64(name, p);
            t.f64(&format!("{name}_se"), se);
        }
        for (q, name) in [(0.5, "p50"), (0.75, "p75"), (0.95, "p95")] {
            t.f64(
                &format!("treasury_{name}"),
                values
                    .iter()
                    .map(|v| {
                        let mut x = v[5].clone();
                        x.sort_by(f64::total_cmp);
                        quantile_sorted(&x, q)
                    })
                    .collect(),
            );
        }
        Some(t)
    }
}

/// Mean and its Monte Carlo standard error (sample standard deviation / √n).
pub(crate) fn mean_and_se(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mean = v.iter().sum::<f64>() / n;
    if v.len() < 2 {
        return (mean, f64::NAN);
    }
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

// ---- The risk measures' Monte Carlo: the engine's executor with the risk fold ----

/// Runs `opts.paths` paths and returns the aggregated risk measures. `progress` is called with
/// the number of paths just finished (from worker threads).
pub fn simulate(
    model: &ScenarioModel,
    risk: &RiskSpec,
    opts: &RunOptions,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Simulation> {
    let layout = Layout::new(model, risk);
    let blocks = simulate_blocks(model, &layout, opts, 0..n_blocks(opts.paths), progress)?;
    let mut total = BlockAccumulator::new(&layout);
    for b in blocks {
        total.merge(b);
    }
    Ok(Simulation {
        layout,
        acc: total,
        seed: opts.seed,
    })
}

/// The risk measures' fold: per path, one projection with every trial's money
/// ([`run_path_trials`]; one trial of the units' own policies when `policies` is empty), each
/// trial's record added to its own block accumulator, with the first path (if any) whose values
/// are not finite numbers.
struct RiskFold<'a> {
    model: &'a ScenarioModel,
    layout: &'a Layout,
    seed: u64,
    keep_paths: bool,
    /// `policies[c][u]`: unit `u`'s policy in trial `c`.
    policies: &'a [Vec<PolicySpec>],
    /// The paths' months before rates kept between a rate study's passes.
    cache: Option<&'a ProjectionCache>,
}

impl<'a> PathFold for RiskFold<'a> {
    type Worker = (Vec<PathState<f64>>, Vec<RecordObserver<'a>>);
    /// Per trial: its accumulator and the first broken (path, fund, year).
    type Block = Vec<(BlockAccumulator, Option<(usize, usize, usize)>)>;

    fn worker(&self) -> Self::Worker {
        let n = self.policies.len().max(1);
        (
            (0..n).map(|_| PathState::new(self.model)).collect(),
            (0..n)
                .map(|_| RecordObserver::new(self.layout, self.keep_paths))
                .collect(),
        )
    }

    fn block(&self) -> Self::Block {
        (0..self.policies.len().max(1))
            .map(|_| (BlockAccumulator::new(self.layout), None))
            .collect()
    }

    fn path(&self, p: usize, (states, observers): &mut Self::Worker, block: &mut Self::Block) {
        let layout = self.layout;
        for o in observers.iter_mut() {
            o.record.reset();
        }
        run_path_trials(
            self.model,
            self.seed,
            p as u64,
            states,
            self.policies,
            observers,
            self.cache,
        );
        for (obs, (acc, broken)) in observers.iter_mut().zip(block.iter_mut()) {
            let record = &mut obs.record;
            record.finish(layout);
            if broken.is_none() {
                *broken = BlockAccumulator::non_finite(layout, record).map(|(e, y)| (p, e, y));
            }
            acc.add(layout, record);
        }
    }
}

/// A value that is not a finite number is an error naming where it arose (path, fund, year),
/// never a blank cell: the inputs' bounds should make it impossible, and this says so if they
/// do not.
fn non_finite(layout: &Layout, (p, e, y): (usize, usize, usize), seed: u64) -> Error {
    Error::Invalid(format!(
        "path {p}: fund `{}` has a balance or line that is not a finite number in {} (seed {}); the scenario's values drive it out of range",
        layout.names[e],
        layout.first_year + y as i32,
        seed
    ))
}

/// Runs the paths of blocks `blocks` of a run of `opts.paths` paths and returns each block's
/// accumulator, in block order: merged in order, they give exactly what [`simulate`] gives for
/// those paths, so a run can be split into shards of whole blocks and merged bit for bit.
pub fn simulate_blocks(
    model: &ScenarioModel,
    layout: &Layout,
    opts: &RunOptions,
    blocks: std::ops::Range<usize>,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<BlockAccumulator>> {
    let fold = RiskFold {
        model,
        layout,
        seed: opts.seed,
        keep_paths: opts.keep_paths,
        policies: &[],
        cache: None,
    };
    let blocks = execute(opts, blocks, &fold, progress)?;
    blocks
        .into_iter()
        .map(|block| {
            let [(acc, broken)]: [_; 1] = block.try_into().expect("one trial a block");
            match broken {
                Some(broken) => Err(non_finite(layout, broken, opts.seed)),
                None => Ok(acc),
            }
        })
        .collect()
}

/// Runs `opts.paths` paths once for several trials' policies (`policies[c][u]`: unit `u`'s
/// policy in trial `c`) and returns each trial's risk measures: each equal, bit for bit, to
/// [`simulate`] of a model built from that trial's scenario, for the cost of one projection
/// of membership and benefits plus one of money per trial.
pub fn simulate_trials(
    model: &ScenarioModel,
    risk: &RiskSpec,
    opts: &RunOptions,
    policies: &[Vec<PolicySpec>],
) -> Result<Vec<Simulation>> {
    simulate_trials_reporting(model, risk, opts, policies, None, &|_| {})
}

/// [`simulate_trials`], keeping each path's months before rates in `cache` (if given) the
/// first time it is projected and replaying them afterwards (the same results to the bit, for
/// the cost of the money alone), and telling `progress` of paths as they finish: each path
/// counts once per trial (a path of three trials is three paths done).
pub fn simulate_trials_reporting(
    model: &ScenarioModel,
    risk: &RiskSpec,
    opts: &RunOptions,
    policies: &[Vec<PolicySpec>],
    cache: Option<&ProjectionCache>,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<Simulation>> {
    let layout = Layout::new(model, risk);
    let fold = RiskFold {
        model,
        layout: &layout,
        seed: opts.seed,
        keep_paths: false,
        policies,
        cache,
    };
    let trials = policies.len().max(1);
    let blocks = execute(opts, 0..n_blocks(opts.paths), &fold, &|n| {
        progress(n * trials)
    })?;
    let mut totals: Vec<BlockAccumulator> = policies
        .iter()
        .map(|_| BlockAccumulator::new(&layout))
        .collect();
    for block in blocks {
        for (c, (acc, broken)) in block.into_iter().enumerate() {
            if let Some(broken) = broken {
                return Err(non_finite(&layout, broken, opts.seed));
            }
            totals[c].merge(acc);
        }
    }
    Ok(totals
        .into_iter()
        .map(|acc| Simulation {
            layout: layout.clone(),
            acc,
            seed: opts.seed,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_by_hand() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile_sorted(&v, 0.5), 3.0);
        assert_eq!(quantile_sorted(&v, 0.25), 2.0);
        // h = 4 × 0.05 = 0.2: 1 + 0.2 × (2 − 1).
        assert!((quantile_sorted(&v, 0.05) - 1.2).abs() < 1e-12);
        let w = [1.0, f64::INFINITY, f64::INFINITY];
        assert_eq!(quantile_sorted(&w, 0.25), f64::INFINITY);
        assert_eq!(quantile_sorted(&w, 0.0), 1.0);
        assert!((probability_se(0.5, 100) - 0.05).abs() < 1e-15);
    }

    #[test]
    fn bands_follow_the_thresholds() {
        let r = RiskSpec::default();
        assert_eq!(band(-1.0, -0.5, &r), 5);
        assert_eq!(band(1.0, 2.9, &r), 4);
        assert_eq!(band(1.0, 3.0, &r), 3);
        assert_eq!(band(1.0, 6.0, &r), 2);
        assert_eq!(band(1.0, 9.0, &r), 1);
        assert_eq!(band(1.0, 15.0, &r), 1);
        assert_eq!(band(1.0, 15.01, &r), 0);
        assert_eq!(band(0.0, f64::INFINITY, &r), 0);
    }

    /// A path whose year-end balance or lines are not finite is found, with its fund and year
    /// (the Monte Carlo turns it into an error instead of a blank cell).
    #[test]
    fn non_finite_paths_are_found() {
        use crate::data::DataSource;
        use crate::scenario::{GUANGDONG_MERGER_SCENARIO, Scenario};
        let s =
            Scenario::parse(GUANGDONG_MERGER_SCENARIO, "t.toml", DataSource::default()).unwrap();
        let model = crate::engine::ScenarioModel::new(&s);
        let layout = Layout::new(&model, &s.spec.risk);
        let mut rec = PathRecord::new(&layout, false);
        assert_eq!(BlockAccumulator::non_finite(&layout, &rec), None);
        let ny = layout.n_years;
        rec.balance_end[ny + 2] = f64::NAN;
        assert_eq!(BlockAccumulator::non_finite(&layout, &rec), Some((1, 2)));
        rec.reset();
        rec.lines[(3 * N_LINES) + 1] = f64::INFINITY;
        assert_eq!(BlockAccumulator::non_finite(&layout, &rec), Some((0, 3)));
    }
}
