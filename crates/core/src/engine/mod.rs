//! The monthly projection of every unit and fund along one path of the drivers.
//!
//! `ScenarioModel` holds everything that depends only on the scenario (built once and shared
//! by all paths); `project` runs one path, generic over the money type, and hands each fund's
//! month to an observer. The Monte Carlo engine and the exact ledger are the same code.

pub mod exact;
pub mod montecarlo;
mod rules;
pub mod unit;

use crate::economy::{DriverModel, DriverPath};
use crate::ledger::{FundBook, FundMonth, IncomeLine, Money, N_INCOME, N_SPENDING, SpendingLine};
use crate::params::Month;
use crate::policy::contributions::Uplift;
use crate::policy::grid::ShiftGrid;
use crate::pooling::{PoolState, PoolingRule, Posting, Settlement};
use crate::population::{Cells, Counts, MemberFlows};
use crate::scenario::{PolicySpec, PoolingKind, RuleSpec, Scenario};
use std::sync::Arc;
pub use unit::Memo;
pub(crate) use unit::UnitModel;

/// What a fund is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FundKind {
    /// A unit's pooled fund (统筹基金).
    Pooled,
    /// A unit's separate maternity fund before its merger.
    Maternity,
    /// The provincial adjustment fund (调剂金) of `provincial_adjustment` pooling.
    Adjustment,
    /// The one city fund of `city_unified` pooling, holding every county's money.
    City,
}

#[derive(Clone, Debug)]
pub struct FundInfo {
    /// Name used in the `unit` column of every table.
    pub name: String,
    pub(crate) unit: usize,
    pub kind: FundKind,
}

/// How maternity insurance is run, for comparing "separate" with "merged".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum MaternityArrangement {
    /// As the scenario says (merged at `policy.maternity.merger`, if given).
    #[default]
    AsScenario,
    /// A separate maternity fund over the whole horizon (no merger).
    Separate,
}

/// Most memory the benefit tables of one scenario may take (bytes).
pub const MAX_GRID_BYTES: usize = 1 << 30;
const MIB: f64 = (1u64 << 20) as f64;

/// Everything that depends only on the scenario.
pub struct ScenarioModel {
    pub(crate) start: Month,
    pub horizon: u32,
    pub(crate) units: Vec<UnitModel>,
    pub funds: Vec<FundInfo>,
    pub drivers: DriverModel,
    /// Cells (and monthly birth counts) below this many persons draw their counts on
    /// Monte Carlo paths (`run.small_cell_threshold`).
    pub small_cell_threshold: f64,
    /// [unit] → whether the unit draws random counts at all: fewer members at the start than
    /// `run.random_counts_below_members`.
    pub random_counts: Vec<bool>,
    /// [fund] → (opening balance, spending of the year before), yuan.
    fund_openings: Vec<(f64, f64)>,
    /// [unit] → index of its maternity fund in `funds`, if it has one.
    maternity_fund: Vec<Option<usize>>,
    /// How units share money, with the fund indices it needs.
    pub(crate) pooling: PoolingRule,
    /// Management rules and, per rule, which units they apply to.
    pub(crate) rules: Vec<(RuleSpec, Vec<bool>)>,
    /// The scenario's file, for messages.
    file: String,
}

impl ScenarioModel {
    pub fn new(scenario: &Scenario) -> ScenarioModel {
        ScenarioModel::with_arrangement(scenario, MaternityArrangement::AsScenario)
    }

    pub fn with_arrangement(
        scenario: &Scenario,
        arrangement: MaternityArrangement,
    ) -> ScenarioModel {
        let start = scenario.spec.start;
        let horizon = scenario.spec.horizon_months;
        let units: Vec<UnitModel> = scenario
            .units
            .iter()
            .map(|u| UnitModel::new(scenario, u, arrangement))
            .collect();
        let pooling_spec = &scenario.spec.pooling;
        let city = pooling_spec.kind == PoolingKind::CityUnified;
        let mut funds = Vec::new();
        let mut fund_openings = Vec::new();
        let mut unit_fund = Vec::with_capacity(units.len());
        if city {
            // One city fund holds every county's balance from the start (004).
            funds.push(FundInfo {
                name: pooling_spec.fund_name.clone(),
                unit: 0,
                kind: FundKind::City,
            });
            fund_openings.push((
                scenario
                    .units
                    .iter()
                    .map(|u| u.spec.initial_pooled_balance)
                    .sum(),
                scenario
                    .units
                    .iter()
                    .map(|u| u.spec.pooled_spending_prev_year)
                    .sum(),
            ));
            unit_fund.resize(units.len(), 0);
        } else {
            for (i, u) in scenario.units.iter().enumerate() {
                unit_fund.push(funds.len());
                funds.push(FundInfo {
                    name: u.spec.name.clone(),
                    unit: i,
                    kind: FundKind::Pooled,
                });
                fund_openings.push((
                    u.spec.initial_pooled_balance,
                    u.spec.pooled_spending_prev_year,
                ));
            }
        }
        let mut maternity_fund = vec![None; units.len()];
        for (i, (u, m)) in scenario.units.iter().zip(&units).enumerate() {
            if m.has_separate_maternity_fund() {
                maternity_fund[i] = Some(funds.len());
                funds.push(FundInfo {
                    name: format!("{}.maternity", u.spec.name),
                    unit: i,
                    kind: FundKind::Maternity,
                });
                fund_openings.push((
                    u.spec.initial_maternity_balance,
                    u.spec.maternity_spending_prev_year,
                ));
            }
        }
        let pool_fund = match pooling_spec.kind {
            PoolingKind::Single | PoolingKind::Accounts => None,
            PoolingKind::CityUnified => Some(0),
            PoolingKind::ProvincialAdjustment => {
                funds.push(FundInfo {
                    name: pooling_spec.fund_name.clone(),
                    unit: 0,
                    kind: FundKind::Adjustment,
                });
                fund_openings.push((pooling_spec.initial_balance, 0.0));
                Some(funds.len() - 1)
            }
        };
        let pooling = PoolingRule {
            spec: pooling_spec.clone(),
            pool_fund,
            unit_fund,
            income_prev_year: scenario
                .units
                .iter()
                .map(|u| u.spec.pooled_income_prev_year.unwrap_or(0.0))
                .collect(),
            spending_prev_year: scenario
                .units
                .iter()
                .map(|u| u.spec.pooled_spending_prev_year)
                .collect(),
            start: pooling_spec.start.unwrap_or(start),
            assessment: scenario
                .units
                .iter()
                .map(|u| u.spec.adjustment_assessment)
                .collect(),
            revenue_budget: scenario
                .units
                .iter()
                .map(|u| u.spec.revenue_budget.clone())
                .collect(),
            spending_budget: scenario
                .units
                .iter()
                .map(|u| u.spec.spending_budget.clone())
                .collect(),
        };
        let random_counts = units
            .iter()
            .map(|u| u.initial_cells.total() < scenario.spec.run.random_counts_below_members)
            .collect();
        ScenarioModel {
            start,
            horizon,
            units,
            funds,
            drivers: DriverModel::new(
                &scenario.spec.economy,
                start,
                scenario.end(),
                scenario.tables.asfr.total_fertility(),
            ),
            small_cell_threshold: scenario.spec.run.small_cell_threshold,
            random_counts,
            fund_openings,
            maternity_fund,
            pooling,
            rules: scenario
                .spec
                .rules
                .iter()
                .map(|r| {
                    let applies = scenario
                        .units
                        .iter()
                        .map(|u| r.units.as_ref().is_none_or(|us| us.contains(&u.spec.name)))
                        .collect();
                    (r.clone(), applies)
                })
                .collect(),
            file: scenario.file.clone(),
        }
    }

    pub fn month(&self, k: usize) -> Month {
        self.start.plus(k as i32)
    }

    /// The range of cost shifts a unit's benefit grid covers: every shift a path can reach
    /// short of six-standard-deviation growth shocks (the past from the price year to the
    /// start moves it by the same amount on every path; the horizon's growth moves it within
    /// its bounds).
    fn benefit_grid_range(&self) -> impl Fn(&UnitModel) -> (f64, f64) + use<> {
        let (lo, hi) = self.drivers.cost_growth_bounds();
        let years = self.drivers.n_years() as f64;
        move |u: &UnitModel| {
            let past = u.past_cost_shift();
            (
                past + lo.min(0.0) * years - 0.1,
                past + hi.max(0.0) * years + 0.1,
            )
        }
    }

    /// Bytes the benefit grids of [`Self::build_benefit_grids`] will take (units with the same
    /// benefits share one), known before any is built; refused, naming the scenario's file,
    /// beyond [`MAX_GRID_BYTES`]. `fundrisk check` reports it, so a scenario it passes is one a
    /// run does not refuse for its tables' size.
    pub fn planned_benefit_grid_bytes(&self) -> crate::Result<usize> {
        let range = self.benefit_grid_range();
        let mut keys: Vec<Arc<str>> = Vec::new();
        let mut planned = 0usize;
        for u in &self.units {
            let key = u.benefit_grid_key();
            if !keys.contains(&key) {
                let (s_lo, s_hi) = range(u);
                planned = planned.saturating_add(u.benefit_grid_bytes(s_lo, s_hi));
                keys.push(key);
            }
        }
        if planned > MAX_GRID_BYTES {
            let (lo, hi) = self.drivers.cost_growth_bounds();
            return Err(crate::Error::field(
                &self.file,
                "economy",
                format!(
                    "the benefit tables would take {:.0} MiB (limit {:.0} MiB): the cost index can move by {:.0} % to {:.0} % a year over {} years; lower the volatility of economy.medical_price_growth or economy.utilisation_growth, or the horizon",
                    planned as f64 / MIB,
                    MAX_GRID_BYTES as f64 / MIB,
                    100.0 * lo,
                    100.0 * hi,
                    self.drivers.n_years()
                ),
            ));
        }
        Ok(planned)
    }

    /// Tabulates every unit's expected benefits against the cost shift, for fast Monte Carlo
    /// paths; units with the same costs and benefits share one grid. The range covers every
    /// shift a path can reach short of six-standard-deviation growth shocks; beyond it the
    /// engine evaluates the exact formula. The size is known before anything is built; more
    /// than [`MAX_GRID_BYTES`] is refused. Returns the bytes held.
    pub fn build_benefit_grids(&mut self) -> crate::Result<usize> {
        self.build_benefit_grids_from(&GridCache::default())
    }

    /// [`Self::build_benefit_grids`], taking from `cache` every grid already built for the
    /// same benefits over the same range (a study's trials that change drivers but not costs
    /// or benefits build none), and leaving there the ones it builds.
    pub fn build_benefit_grids_from(&mut self, cache: &GridCache) -> crate::Result<usize> {
        self.planned_benefit_grid_bytes()?;
        let range = self.benefit_grid_range();
        let mut built = cache.grids.lock().unwrap_or_else(|e| e.into_inner());
        // The distinct grids this model holds (units with equal keys share one).
        let mut held: Vec<Arc<ShiftGrid>> = Vec::new();
        for u in &mut self.units {
            let key = u.benefit_grid_key();
            let (s_lo, s_hi) = range(u);
            let same = |g: &&CachedGrid| {
                g.0 == key && g.1.to_bits() == s_lo.to_bits() && g.2.to_bits() == s_hi.to_bits()
            };
            let grid = match built.iter().find(same) {
                Some((.., g)) => g.clone(),
                None => {
                    let g = Arc::new(u.build_benefit_grid(s_lo, s_hi));
                    built.push((key, s_lo, s_hi, g.clone()));
                    g
                }
            };
            if !held.iter().any(|h| Arc::ptr_eq(h, &grid)) {
                held.push(grid.clone());
            }
            u.set_benefit_grid(grid);
        }
        Ok(held.iter().map(|g| g.bytes()).sum())
    }
}

/// Benefit grids kept between the models of a study ([`ScenarioModel::build_benefit_grids_from`]):
/// each with the benefits' key and the range of cost shifts it covers.
#[derive(Default)]
pub struct GridCache {
    grids: std::sync::Mutex<Vec<CachedGrid>>,
}

/// A grid of [`GridCache`]: the benefits' key, the lowest and highest cost shift covered, the
/// grid.
type CachedGrid = (Arc<str>, f64, f64, Arc<ShiftGrid>);

impl GridCache {
    /// Grids held.
    pub fn len(&self) -> usize {
        self.grids.lock().map_or(0, |g| g.len())
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A cache holding the grids this one holds now (shared, not copied): what a study's trial
    /// adds to it is dropped with it, so trials that each change the benefits (a labelled
    /// value moved) do not pile their grids up.
    pub fn snapshot(&self) -> GridCache {
        GridCache {
            grids: std::sync::Mutex::new(self.grids.lock().map(|g| g.clone()).unwrap_or_default()),
        }
    }
}

/// Receives each fund's month as the projection runs.
pub trait Observer<M: Money> {
    /// `k`: month offset from the start; `fund`: index into `ScenarioModel::funds`; `memo`:
    /// the membership and births of the fund's unit (the same for a unit's two funds).
    fn month(&mut self, k: usize, fund: usize, record: &FundMonth<M>, memo: &Memo);

    /// A unit's settlement of the year ending in month `k` (pooling other than `single`).
    fn settlement(&mut self, _k: usize, _unit: usize, _settlement: &Settlement<M>) {}
}

impl<M: Money, F: FnMut(usize, usize, &FundMonth<M>, &Memo)> Observer<M> for F {
    fn month(&mut self, k: usize, fund: usize, record: &FundMonth<M>, memo: &Memo) {
        self(k, fund, record, memo)
    }
}

/// An observer that keeps nothing (benchmarks, counting random draws).
pub struct NullObserver;

impl<M: Money> Observer<M> for NullObserver {
    fn month(&mut self, _k: usize, _fund: usize, _record: &FundMonth<M>, _memo: &Memo) {}
}

/// Per-path working state, reusable across paths so nothing is allocated per path-month.
pub struct PathState<M> {
    /// Read expected benefits from the units' benefit grids where they have one (Monte Carlo);
    /// false: evaluate them exactly every month (the exact ledger).
    pub use_grid: bool,
    cells: Vec<Cells>,
    books: Vec<FundBook<M>>,
    flows: MemberFlows,
    pool: PoolState<M>,
    /// Per fund, the month being assembled.
    income: Vec<[M; N_INCOME]>,
    spending: Vec<[M; N_SPENDING]>,
    postings: Vec<Posting<M>>,
    memos: Vec<Memo>,
    balances: Vec<M>,
    /// Per unit, the month's pooled premium income and spending.
    unit_income: Vec<M>,
    unit_spending: Vec<M>,
    /// Per unit, what management rules have added to its financing.
    rate_uplift: Vec<Uplift>,
    /// Per fund, the month just posted.
    records: Vec<FundMonth<M>>,
}

impl<M: Money> PathState<M> {
    pub fn new(model: &ScenarioModel) -> PathState<M> {
        let nf = model.funds.len();
        let nu = model.units.len();
        PathState {
            use_grid: true,
            cells: model
                .units
                .iter()
                .map(|u| u.initial_cells.clone())
                .collect(),
            books: model
                .fund_openings
                .iter()
                .map(|&(b, s)| FundBook::new(b, s))
                .collect(),
            flows: MemberFlows::default(),
            pool: PoolState::new(&model.pooling),
            income: vec![[M::default(); N_INCOME]; nf],
            spending: vec![[M::default(); N_SPENDING]; nf],
            postings: vec![Posting::default(); nf],
            memos: vec![Memo::default(); nf],
            balances: vec![M::default(); nf],
            unit_income: vec![M::default(); nu],
            unit_spending: vec![M::default(); nu],
            rate_uplift: vec![Uplift::default(); nu],
            records: vec![FundMonth::default(); nf],
        }
    }

    /// The membership back to the start (only the first state of a trials' projection holds
    /// it: the others keep money only).
    fn reset_cells(&mut self, model: &ScenarioModel) {
        for (c, u) in self.cells.iter_mut().zip(&model.units) {
            c.n.copy_from_slice(&u.initial_cells.n);
            c.first.clone_from(&u.initial_cells.first);
        }
    }

    /// The books, the pooling state and the rules' uplifts back to the start.
    fn reset_money(&mut self, model: &ScenarioModel) {
        for (b, &(bal, sp)) in self.books.iter_mut().zip(&model.fund_openings) {
            *b = FundBook::new(bal, sp);
        }
        self.pool.reset(&model.pooling);
        self.rate_uplift.fill(Uplift::default());
    }
}

/// Adds a memo's additive items (a city fund's memo sums its counties').
fn add_memo(total: &mut Memo, m: &Memo) {
    for (a, b) in total.members.iter_mut().zip(&m.members) {
        *a += b;
    }
    total.births_insured += m.births_insured;
    total.births_spouse += m.births_spouse;
    total.personal_account_income += m.personal_account_income;
    total.entries += m.entries;
    total.exits += m.exits;
    total.deaths += m.deaths;
    total.retirements += m.retirements;
    total.employer_rate_uplift = total.employer_rate_uplift.max(m.employer_rate_uplift);
    total.rule_fired = total.rule_fired.max(m.rule_fired);
}

/// Runs one path: every unit and fund, month by month. Each month: every unit's lines are
/// computed and routed to its funds (maternity lines to a separate maternity fund before its
/// merger; the maternity balance moved at the start of the merger month), the pooling rule
/// adds its transfers, then every fund is posted in fund order.
pub fn project<M: Money>(
    model: &ScenarioModel,
    drivers: &DriverPath,
    state: &mut PathState<M>,
    counts: &mut impl Counts,
    observer: &mut impl Observer<M>,
) {
    project_trials(
        model,
        drivers,
        std::slice::from_mut(state),
        &[],
        counts,
        std::slice::from_mut(observer),
    );
}

/// Runs one path under several sets of contribution rates at once (a rate study's trials):
/// membership, benefits and the contributions' base are projected once, in `states[0]`; each
/// trial `c` applies its units' policies `policies[c][u]` (every trial the units' own when
/// `policies` is empty) and keeps its own money, pooling and rules in `states[c]`, seen by
/// `observers[c]`. Each trial's months equal, to the bit, a [`project`] of a scenario with
/// those rates.
pub fn project_trials<M: Money, O: Observer<M>>(
    model: &ScenarioModel,
    drivers: &DriverPath,
    states: &mut [PathState<M>],
    policies: &[Vec<PolicySpec>],
    counts: &mut impl Counts,
    observers: &mut [O],
) {
    project_trials_with(
        model,
        drivers,
        states,
        policies,
        counts,
        observers,
        UnitMonths::Project(None),
    );
}

/// Where [`project_trials_with`] takes each unit's month before rates from.
pub(crate) enum UnitMonths<'a> {
    /// Projected from the path's cells; also recorded (month by month, units in order) when a
    /// record is given.
    Project(Option<&'a mut Vec<unit::UnitMonth>>),
    /// Replayed from such a record of the same path: no membership or benefit is projected.
    Replay(&'a [unit::UnitMonth]),
}

/// [`project_trials`], with the units' months before rates projected (and perhaps recorded) or
/// replayed from a record of the same path: a rate study's later passes replay what its first
/// pass projected, with the same bits (the months before rates do not depend on rates).
pub(crate) fn project_trials_with<M: Money, O: Observer<M>>(
    model: &ScenarioModel,
    drivers: &DriverPath,
    states: &mut [PathState<M>],
    policies: &[Vec<PolicySpec>],
    counts: &mut impl Counts,
    observers: &mut [O],
    mut months: UnitMonths,
) {
    let trials: usize = states.len();
    assert!(policies.is_empty() || policies.len() == trials);
    assert_eq!(observers.len(), trials);
    let replay = matches!(months, UnitMonths::Replay(_));
    if !replay {
        states[0].reset_cells(model);
    }
    for state in states.iter_mut() {
        state.reset_money(model);
    }
    let mut paths: Vec<unit::UnitPath> = if replay {
        Vec::new()
    } else {
        model.units.iter().map(|u| u.path(drivers)).collect()
    };
    let n_units = model.units.len();
    let zero = M::default();
    // A unit-month's lines and memo at a trial's rates, overwritten for each.
    let mut lines = unit::Lines::default();
    let mut memo = Memo::default();
    for k in 0..model.horizon as usize {
        let t = model.month(k);
        let yi = drivers.year_index(t.year());
        let rate = drivers.interest_rate[yi];
        for state in states.iter_mut() {
            state.income.fill([zero; N_INCOME]);
            state.spending.fill([zero; N_SPENDING]);
            state.postings.fill(Posting::default());
            state.memos.fill(Memo::default());
            for (f, b) in state.books.iter().enumerate() {
                state.balances[f] = b.balance;
            }
        }
        for (u, um) in model.units.iter().enumerate() {
            // A replayed month is read where it is recorded, not copied.
            let projected: unit::UnitMonth;
            let before: &unit::UnitMonth = match &mut months {
                UnitMonths::Replay(record) => &record[k * n_units + u],
                UnitMonths::Project(record) => {
                    let shared = &mut states[0];
                    let cells = &mut shared.cells[u];
                    crate::population::age_at_start_of(cells, k, t);
                    // A unit that draws no random counts is projected with expected values, in
                    // code compiled for them (no per-cell test of whether to draw).
                    let inputs = unit::MonthInputs {
                        k,
                        t,
                        drivers,
                        use_grid: shared.use_grid,
                    };
                    let (up, flows) = (&mut paths[u], &mut shared.flows);
                    let before = if model.random_counts[u] {
                        um.month_before_rates(&inputs, up, cells, flows, counts)
                    } else {
                        um.month_before_rates(
                            &inputs,
                            up,
                            cells,
                            flows,
                            &mut crate::population::Expected,
                        )
                    };
                    if let Some(record) = record {
                        record.push(before);
                    }
                    projected = before;
                    &projected
                }
            };
            for (c, state) in states.iter_mut().enumerate() {
                let policy = policies.get(c).map_or(&um.policy, |p| &p[u]);
                um.apply_rates_into(
                    policy,
                    t,
                    before,
                    state.rate_uplift[u],
                    &mut lines,
                    &mut memo,
                );
                route_unit_month(model, u, um, t, &lines, &memo, state);
            }
        }
        for (c, (state, observer)) in states.iter_mut().zip(observers.iter_mut()).enumerate() {
            let policies = policies.get(c).map(|p| p.as_slice());
            post_month(model, policies, k, t, rate, state, observer);
        }
    }
}

/// Routes a unit's month into the funds of `state`: maternity lines to a separate maternity
/// fund before its merger (the maternity balance moved at the start of the merger month), the
/// rest to the unit's pooled fund.
fn route_unit_month<M: Money>(
    model: &ScenarioModel,
    u: usize,
    um: &UnitModel,
    t: Month,
    lines: &unit::Lines,
    memo: &Memo,
    state: &mut PathState<M>,
) {
    let zero = M::default();
    let memo = *memo;
    let pf = model.pooling.unit_fund[u];
    let mut inc = [zero; N_INCOME];
    let mut sp = [zero; N_SPENDING];
    for (i, x) in lines.income.iter().enumerate() {
        inc[i] = M::from_yuan(*x);
    }
    for (i, x) in lines.spending.iter().enumerate() {
        sp[i] = M::from_yuan(*x);
    }
    if let Some(mf) = model.maternity_fund[u] {
        state.memos[mf] = memo;
        if um.maternity_separate_in(t) {
            // Maternity lines go to the separate fund.
            state.income[mf][IncomeLine::Maternity] = inc[IncomeLine::Maternity];
            inc[IncomeLine::Maternity] = zero;
            for l in [
                SpendingLine::MaternityMedical,
                SpendingLine::MaternityAllowance,
            ] {
                state.spending[mf][l] = sp[l];
                sp[l] = zero;
            }
        } else if um.is_merger_month(t) {
            // The maternity balance moves into the pooled fund at the start of the
            // month and earns the month's interest there (FundBook::post).
            let moved = state.books[mf].balance;
            state.postings[pf].transfer_merger += moved;
            state.postings[mf].transfer_merger -= moved;
        }
    }
    let mut unit_income = zero;
    let mut unit_spending = zero;
    for i in 0..N_INCOME {
        state.income[pf][i] += inc[i];
        unit_income += inc[i];
    }
    for i in 0..N_SPENDING {
        state.spending[pf][i] += sp[i];
        unit_spending += sp[i];
    }
    state.unit_income[u] = unit_income;
    state.unit_spending[u] = unit_spending;
    add_memo(&mut state.memos[pf], &memo);
}

/// Posts a month of `state`: the pooling rule's transfers, every fund's books, the year-end
/// rules, then the observer.
fn post_month<M: Money>(
    model: &ScenarioModel,
    policies: Option<&[PolicySpec]>,
    k: usize,
    t: Month,
    rate: f64,
    state: &mut PathState<M>,
    observer: &mut impl Observer<M>,
) {
    model.pooling.apply(
        t,
        &state.unit_income,
        &state.unit_spending,
        &state.balances,
        &mut state.postings,
        &mut state.pool,
        &mut |u, s| observer.settlement(k, u, s),
    );
    for f in 0..model.funds.len() {
        let p = state.postings[f];
        // The month's income lines are reset at the start of the next month.
        state.income[f][IncomeLine::Treasury] += p.treasury_income;
        state.books[f].post_into(
            &state.income[f],
            &state.spending[f],
            rate,
            p.transfer_merger,
            p.other_transfers,
            &mut state.records[f],
        );
    }
    if t.month() == 12 && !model.rules.is_empty() {
        rules::year_end_rules(model, policies, t, state);
    }
    for f in 0..model.funds.len() {
        observer.month(k, f, &state.records[f], &state.memos[f]);
    }
}

/// The expected path (every driver at its mean).
pub fn expected_drivers(model: &ScenarioModel) -> DriverPath {
    model.drivers.expected()
}

/// Projects the expected path in f64 (every driver at its mean, expected counts, benefits
/// evaluated exactly rather than from the grids), showing `observer` every fund-month.
pub(crate) fn project_expected(model: &ScenarioModel, observer: &mut impl Observer<f64>) {
    let drivers = expected_drivers(model);
    let mut state = PathState::<f64>::new(model);
    state.use_grid = false;
    project(
        model,
        &drivers,
        &mut state,
        &mut crate::population::Expected,
        observer,
    );
}
