//! Membership as the survivors of the start plus entry cohorts (issue 22, the first part of the
//! reformulated projection).
//!
//! Of a unit whose counts are expected values, every flow of a month but the worker entries
//! is linear in the cells: deaths, exits, retirements (into retirees and continuing
//! contributors), completions of the minimum years and the ageing each January. Residents do
//! not depend on the workers at all. So while no worker status shrinks faster than its own
//! attrition, the members and flows of month k are
//!
//! ```text
//! sums(k) = base(k) + Σ_w Σ_{j<k} β_w(j) · cohort_w(k, j)
//! ```
//!
//! where `base` projects the start population (with the residents' entries), `cohort_w(k, j)`
//! one entrant of worker status w who entered at the end of month j (by the month's entrant
//! mix), both computed once per scenario, and β_w(j) the entries of the path: the gap between
//! the status's target and the members left after attrition in month j. Retirees and continuing
//! contributors are in the cohorts too: an entrant's retirement month and survival are the
//! same on every path.
//!
//! What is not linear: when a status's target is below its members left (`keep` in
//! [`PopulationModel::step`], employment falling faster than deaths, exits and retirements),
//! every member of the status is scaled. [`CohortTables::project`] then reports the month, and
//! the caller projects the path cell by cell. How often that happens was measured on 1,000
//! paths of the scenarios' own drivers: 13 of 1,000 for a Shandong city, but 366 of 1,000 for
//! the national unit. Its workers' attrition is 0.37 % a month at the median, yet only 0.12 %
//! (1.4 % a year) in the months the 2025 retirement reform leaves without retirements, and its
//! employment growth is 0 % a year from 2027 with a volatility of 1 point. So the engine must
//! carry that scaling (each status's cumulative factor, with the retirements of every month at
//! the factor of their month), not fall back: the reason these tables are not yet what the
//! engine runs on.

use super::{Cells, MemberFlows, MonthSums, MonthTables, PopulationModel, age_at_start_of};
use crate::data::{Status, WORKER_STATUSES};
use crate::params::Month;
use crate::population::counts::Expected;
use crate::scenario::{Scenario, Unit};

/// A path's membership could not be read from the tables: in month `month` (offset from the
/// start) the target of a worker status was below its members left after attrition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShrinkingStatus {
    pub month: usize,
    pub status: Status,
}

/// The deterministic parts of a unit's membership, computed once per scenario: the start
/// population's sums and one entrant's sums per worker status and entry month.
pub struct CohortTables {
    horizon: usize,
    start: Month,
    /// [k]: the start population (with the residents' entries).
    base: Vec<MonthSums>,
    /// [worker status][k·(k−1)/2 + j] for j < k: one entrant who entered at the end of month
    /// j, in month k.
    cohorts: [Vec<MonthSums>; 3],
    /// [k][worker status]: whether the status can take entrants at the end of month k.
    can_enter: Vec<[bool; 3]>,
}

#[inline]
fn tri(k: usize, j: usize) -> usize {
    k * (k - 1) / 2 + j
}

impl CohortTables {
    /// Tables of a unit of `scenario` over its horizon.
    pub fn new(scenario: &Scenario, unit: &Unit) -> CohortTables {
        let model = PopulationModel::new(scenario, unit);
        let start = scenario.spec.start;
        let horizon = scenario.spec.horizon_months as usize;
        let tables = &MonthTables::new(&model, start, horizon as u32);
        let resident_growth = unit.spec.membership.resident_growth;
        let mut flows = MemberFlows::default();
        // The start population, with the residents' entries (they depend on residents only).
        let mut cells = model.initial_cells(unit, start);
        let mut base = Vec::with_capacity(horizon);
        for k in 0..horizon {
            age_at_start_of(&mut cells, k, start.plus(k as i32));
            let members = cells.status_totals();
            let after = model.attrition(&mut cells, tables, k, &mut flows, &mut Expected);
            let res = Status::Resident as usize;
            model.resident_entries(
                &mut cells,
                members[res],
                after[res],
                resident_growth,
                &mut flows,
            );
            base.push(MonthSums { members, flows });
        }
        let can_enter = (0..horizon)
            .map(|k| [0, 1, 2].map(|w| tables.entry_weights[k][w].is_some()))
            .collect();
        let cohorts = [0, 1, 2].map(|w| {
            let si = WORKER_STATUSES[w] as usize;
            let mut out = vec![MonthSums::default(); horizon * horizon.saturating_sub(1) / 2];
            for j in 0..horizon.saturating_sub(1) {
                let Some(weights) = &tables.entry_weights[j][w] else {
                    continue;
                };
                let mut cells = Cells::zeros();
                model.add_entrants(&mut cells, si, weights, 1.0);
                for k in j + 1..horizon {
                    age_at_start_of(&mut cells, k, start.plus(k as i32));
                    let members = cells.status_totals();
                    model.attrition(&mut cells, tables, k, &mut flows, &mut Expected);
                    out[tri(k, j)] = MonthSums { members, flows };
                }
            }
            out
        });
        CohortTables {
            horizon,
            start,
            base,
            cohorts,
            can_enter,
        }
    }

    /// The path's members and flows of every month, from its annual employment growth by
    /// month (`employment_growth(k)`, as [`PopulationModel::step`] takes it); or the first
    /// month in which a worker status would shrink faster than its attrition.
    pub fn project(
        &self,
        employment_growth: impl Fn(usize) -> f64,
    ) -> Result<Vec<MonthSums>, ShrinkingStatus> {
        let mut out = Vec::with_capacity(self.horizon);
        // [worker status][j]: entries at the end of month j.
        let mut entries: [Vec<f64>; 3] = std::array::from_fn(|_| Vec::with_capacity(self.horizon));
        for k in 0..self.horizon {
            let mut sums = self.base[k];
            for (w, cohort) in self.cohorts.iter().enumerate() {
                for (j, &beta) in entries[w].iter().enumerate() {
                    if beta != 0.0 {
                        sums.add_scaled(beta, &cohort[tri(k, j)]);
                    }
                }
            }
            let monthly_growth = (1.0 + employment_growth(k)).powf(1.0 / 12.0);
            for (w, s) in WORKER_STATUSES.iter().enumerate() {
                let si = *s as usize;
                let before = sums.members[si];
                let f = &sums.flows;
                let after = before - f.deaths[si] - f.exits[si] - f.retire_out[si];
                let gap = before * monthly_growth - after;
                let beta = if gap >= 0.0 {
                    if self.can_enter[k][w] { gap } else { 0.0 }
                } else if after > 0.0 {
                    return Err(ShrinkingStatus {
                        month: k,
                        status: *s,
                    });
                } else {
                    0.0
                };
                sums.flows.entries[si] += beta;
                entries[w].push(beta);
            }
            out.push(sums);
        }
        Ok(out)
    }

    /// Bytes the tables hold.
    pub fn bytes(&self) -> usize {
        let n = self.base.len() + self.cohorts.iter().map(Vec::len).sum::<usize>();
        n * std::mem::size_of::<MonthSums>()
    }

    /// The first month of the tables.
    pub fn start(&self) -> Month {
        self.start
    }
}

/// The direct projection the tables are checked against: the unit's cells month by month
/// through [`PopulationModel::step`] at expected values, with the annual employment growth
/// `employment_growth(k)` of each month.
pub fn project_cells(
    scenario: &Scenario,
    unit: &Unit,
    employment_growth: impl Fn(usize) -> f64,
) -> Vec<MonthSums> {
    let model = PopulationModel::new(scenario, unit);
    let start = scenario.spec.start;
    let horizon = scenario.spec.horizon_months as usize;
    let tables = MonthTables::new(&model, start, horizon as u32);
    model.project_expected(
        &tables,
        model.initial_cells(unit, start),
        start,
        horizon,
        employment_growth,
        unit.spec.membership.resident_growth,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every figure of two months' sums agrees to `rel` relative (of the larger, at least 1
    /// person).
    fn assert_close(a: &MonthSums, b: &MonthSums, rel: f64, what: &str) {
        for (i, (x, y)) in a.values().iter().zip(b.values()).enumerate() {
            assert!(
                (x - y).abs() <= rel * x.abs().max(y.abs()).max(1.0),
                "{what}: figure {i}: {x} vs {y}"
            );
        }
    }

    /// The national unit over 132 months, under its expected growth and under a growth path
    /// that swings between +6 % and −1 % a year: the tables give every month's members and
    /// flows of the cell-by-cell projection, with retirees, continuing contributors and entries.
    #[test]
    fn tables_equal_the_cell_projection() {
        let s = Scenario::embedded_default().expect("default scenario");
        let unit = &s.units[0];
        let t = CohortTables::new(&s, unit);
        let expected = |k: usize| {
            s.spec
                .economy
                .employment_growth
                .mean
                .at(s.spec.start.plus(k as i32))
        };
        let swinging = |k: usize| [0.06, -0.01, 0.0, 0.02, 0.005][(k / 12) % 5];
        let mut saw_retirements = false;
        for growth in [&expected as &dyn Fn(usize) -> f64, &swinging] {
            let direct = project_cells(&s, unit, growth);
            let tabulated = t.project(growth).expect("no status shrinks");
            assert_eq!(direct.len(), 132);
            for (k, (a, b)) in tabulated.iter().zip(&direct).enumerate() {
                assert_close(a, b, 1e-9, &format!("month {k}"));
            }
            let last = direct.last().expect("months");
            assert!(last.flows.entries[Status::Enterprise as usize] > 0.0);
            saw_retirements |= last.flows.retire_in[Status::Retiree as usize] > 0.0;
        }
        assert!(saw_retirements);
        // 8 bytes × 38 fields × (132 + 3 × 132 · 131 / 2) months.
        assert_eq!(t.bytes(), 8 * 38 * (132 + 3 * 132 * 131 / 2));
    }

    /// Employment falling by half a year from month 30 shrinks the workers faster than their
    /// attrition: the tables name that month (the caller then projects cell by cell), and
    /// agree with the cells before it.
    #[test]
    fn a_shrinking_status_is_reported_in_its_month() {
        let s = Scenario::embedded_default().expect("default scenario");
        let unit = &s.units[0];
        let t = CohortTables::new(&s, unit);
        let growth = |k: usize| if k < 30 { 0.01 } else { -0.5 };
        let err = t.project(growth).expect_err("the status shrinks");
        assert_eq!(
            err,
            ShrinkingStatus {
                month: 30,
                status: Status::Enterprise
            }
        );
        let direct = project_cells(&s, unit, growth);
        let ok = t
            .project(|k| if k < 30 { 0.01 } else { 0.0 })
            .expect("grows");
        for k in 0..30 {
            assert_close(&ok[k], &direct[k], 1e-9, &format!("month {k}"));
        }
        // The cell projection's exits in month 30 are the forced ones: more than attrition.
        let month30 = &direct[30];
        let si = Status::Enterprise as usize;
        assert!(month30.flows.exits[si] > ok[30].flows.exits[si] * 2.0);
    }
}
