//! The monthly projection of every unit and fund along one path of the drivers.
//!
//! `ScenarioModel` holds everything that depends only on the scenario (built once and shared
//! by all paths); `project` runs one path, generic over the money type, and hands each fund's
//! month to an observer. The Monte Carlo engine and the exact ledger are the same code.

pub mod grid;
pub mod montecarlo;
pub mod unit;

use crate::economy::{DriverModel, DriverPath};
use crate::ledger::{FundBook, FundMonth, Money, N_INCOME, N_SPENDING, income, spending};
use crate::params::Month;
use crate::population::{Cells, Counts, MemberFlows};
use crate::scenario::Scenario;
use grid::ShiftGrid;
use std::sync::Arc;
pub use unit::{Memo, UnitModel};

/// What a fund is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FundKind {
    /// A unit's pooled fund (统筹基金).
    Pooled,
    /// A unit's separate maternity fund before its merger.
    Maternity,
}

#[derive(Clone, Debug)]
pub struct FundInfo {
    /// Name used in the `unit` column of every table.
    pub name: String,
    pub unit: usize,
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

/// Everything that depends only on the scenario.
pub struct ScenarioModel {
    pub start: Month,
    pub horizon: u32,
    pub units: Vec<UnitModel>,
    pub funds: Vec<FundInfo>,
    pub drivers: DriverModel,
    /// Cells (and monthly birth counts) below this many persons draw their counts on
    /// Monte Carlo paths (`run.small_cell_threshold`).
    pub small_cell_threshold: f64,
    /// [fund] → (opening balance, spending of the year before), yuan.
    fund_openings: Vec<(f64, f64)>,
    /// [unit] → index of its maternity fund in `funds`, if it has one.
    maternity_fund: Vec<Option<usize>>,
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
        let mut funds = Vec::new();
        let mut fund_openings = Vec::new();
        for (i, u) in scenario.units.iter().enumerate() {
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
        ScenarioModel {
            start,
            horizon,
            units,
            funds,
            drivers: DriverModel::new(&scenario.spec.economy, start, scenario.end()),
            small_cell_threshold: scenario.spec.run.small_cell_threshold,
            fund_openings,
            maternity_fund,
        }
    }

    pub fn month(&self, k: usize) -> Month {
        self.start.plus(k as i32)
    }

    /// Tabulates every unit's expected benefits against the cost shift, for fast Monte Carlo
    /// paths; units with the same costs and benefits share one grid. The range covers every
    /// shift a path can reach short of six-standard-deviation growth shocks; beyond it the
    /// engine evaluates the exact formula. Returns the bytes held.
    pub fn build_benefit_grids(&mut self) -> usize {
        let (lo, hi) = self.drivers.cost_growth_bounds();
        let years = self.drivers.n_years() as f64;
        let mut built: Vec<(String, Arc<ShiftGrid>)> = Vec::new();
        let mut bytes = 0;
        for u in &mut self.units {
            let key = u.benefit_grid_key();
            let grid = match built.iter().find(|(k, _)| *k == key) {
                Some((_, g)) => g.clone(),
                None => {
                    let gap = u.price_year_gap_months().abs() / 12.0;
                    let reach = lo.abs().max(hi.abs()) * gap;
                    let s_lo = -reach + lo.min(0.0) * years - 0.1;
                    let s_hi = reach + hi.max(0.0) * years + 0.1;
                    let g = Arc::new(u.build_benefit_grid(s_lo, s_hi));
                    bytes += g.bytes();
                    built.push((key, g.clone()));
                    g
                }
            };
            u.set_benefit_grid(grid);
        }
        bytes
    }
}

/// Receives each fund's month as the projection runs.
pub trait Observer<M: Money> {
    /// `k`: month offset from the start; `fund`: index into `ScenarioModel::funds`; `memo`:
    /// the membership and births of the fund's unit (the same for a unit's two funds).
    fn month(&mut self, k: usize, fund: usize, record: &FundMonth<M>, memo: &Memo);
}

impl<M: Money, F: FnMut(usize, usize, &FundMonth<M>, &Memo)> Observer<M> for F {
    fn month(&mut self, k: usize, fund: usize, record: &FundMonth<M>, memo: &Memo) {
        self(k, fund, record, memo)
    }
}

/// Per-path working state, reusable across paths so nothing is allocated per path-month.
pub struct PathState<M> {
    /// Read expected benefits from the units' benefit grids where they have one (Monte Carlo);
    /// false: evaluate them exactly every month (the exact ledger).
    pub use_grid: bool,
    cells: Vec<Cells>,
    books: Vec<FundBook<M>>,
    flows: MemberFlows,
}

impl<M: Money> PathState<M> {
    pub fn new(model: &ScenarioModel) -> PathState<M> {
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
        }
    }

    fn reset(&mut self, model: &ScenarioModel) {
        for (c, u) in self.cells.iter_mut().zip(&model.units) {
            c.n.copy_from_slice(&u.initial_cells.n);
        }
        for (b, &(bal, sp)) in self.books.iter_mut().zip(&model.fund_openings) {
            *b = FundBook::new(bal, sp);
        }
    }
}

/// Runs one path: every unit and fund, month by month.
pub fn project<M: Money>(
    model: &ScenarioModel,
    drivers: &DriverPath,
    state: &mut PathState<M>,
    counts: &mut impl Counts,
    observer: &mut impl Observer<M>,
) {
    state.reset(model);
    let mut paths: Vec<unit::UnitPath> = model.units.iter().map(|u| u.path(drivers)).collect();
    let zero_income = [M::default(); N_INCOME];
    let zero_spending = [M::default(); N_SPENDING];
    for k in 0..model.horizon as usize {
        let t = model.month(k);
        let yi = drivers.year_index(t.year());
        let rate = drivers.interest_rate[yi];
        for (u, um) in model.units.iter().enumerate() {
            let cells = &mut state.cells[u];
            if k > 0 && t.month() == 1 {
                crate::population::PopulationModel::age_one_year(cells);
            }
            let (lines, memo) = um.month(
                k,
                t,
                drivers,
                &mut paths[u],
                cells,
                &mut state.flows,
                counts,
                state.use_grid,
            );
            let mut inc = [M::default(); N_INCOME];
            let mut sp = [M::default(); N_SPENDING];
            for (i, x) in lines.income.iter().enumerate() {
                inc[i] = M::from_yuan(*x);
            }
            for (i, x) in lines.spending.iter().enumerate() {
                sp[i] = M::from_yuan(*x);
            }
            match model.maternity_fund[u] {
                Some(mf) if um.maternity_separate_in(t) => {
                    // Maternity lines go to the separate fund.
                    let mut m_inc = zero_income;
                    let mut m_sp = zero_spending;
                    m_inc[income::MATERNITY] = inc[income::MATERNITY];
                    inc[income::MATERNITY] = M::default();
                    for l in [spending::MATERNITY_MEDICAL, spending::MATERNITY_ALLOWANCE] {
                        m_sp[l] = sp[l];
                        sp[l] = M::default();
                    }
                    let rec = state.books[u].post(inc, sp, rate, M::default(), M::default());
                    observer.month(k, u, &rec, &memo);
                    let rec = state.books[mf].post(m_inc, m_sp, rate, M::default(), M::default());
                    observer.month(k, mf, &rec, &memo);
                }
                Some(mf) => {
                    // Merged: in the merger month the maternity balance moves into the pooled
                    // fund at the start of the month (no interest on it in that month).
                    let moved = if um.is_merger_month(t) {
                        state.books[mf].balance
                    } else {
                        M::default()
                    };
                    let rec = state.books[u].post(inc, sp, rate, moved, M::default());
                    observer.month(k, u, &rec, &memo);
                    let rate_m = if um.is_merger_month(t) { 0.0 } else { rate };
                    let rec = state.books[mf].post(
                        zero_income,
                        zero_spending,
                        rate_m,
                        -moved,
                        M::default(),
                    );
                    observer.month(k, mf, &rec, &memo);
                }
                None => {
                    let rec = state.books[u].post(inc, sp, rate, M::default(), M::default());
                    observer.month(k, u, &rec, &memo);
                }
            }
        }
    }
}

/// The expected path (every driver at its mean).
pub fn expected_drivers(model: &ScenarioModel) -> DriverPath {
    model.drivers.expected()
}
