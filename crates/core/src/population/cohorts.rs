//! Membership as the survivors of the start plus entry cohorts (issue 22, the first part of the
//! reformulated projection).
//!
//! Of a unit whose counts are expected values, every flow of a month but the worker entries
//! and the scaling of a shrinking status is linear in the cells: deaths, exits, retirements
//! (into retirees and continuing contributors), completions of the minimum years and the ageing
//! each January. Residents do not depend on the workers at all. So the members and flows of
//! month k are
//!
//! ```text
//! sums(k) = retired_base(k)
//!         + Σ_w C_w(k) · [in_base_w(k) + Σ_{j<k} β'_w(j) · in_cohort_w(k, j)]
//!         + Σ_{i≤k} Σ_cells R(i, cell) · retiree(i, cell, k)
//! ```
//!
//! where `retired_base` carries the start's continuing contributors, retirees and residents,
//! `in_base_w` the start's members in service of worker status w, `in_cohort_w(k, j)` one
//! entrant who entered at the end of month j, and `retiree(i, cell, k)` one person retiring in
//! month i from a cell: all computed once per scenario. The path supplies β'_w(j), its entries
//! (the gap between the status's target and the members left after attrition) in units of the
//! status's scale; C_w(k), the product of the factors `keep` by which
//! [`PopulationModel::step`] scales a status whose target is below its members left (employment
//! falling faster than deaths, exits and retirements); and R(i, cell), its retirements from each
//! retiring cell, which leave that scaling behind.
//!
//! How often the scaling happens was measured on 1,000 paths of the scenarios' own drivers: 13
//! of 1,000 for a Shandong city, but 366 of 1,000 for the national unit (its workers' attrition
//! is only 0.12 % a month in the months the 2025 retirement reform leaves without retirements,
//! and its employment growth is 0 % a year from 2027 with a volatility of 1 point). So the
//! tables carry it rather than hand such paths back to the cell-by-cell step.

use super::{
    Cells, GROUPS, MemberFlows, MonthSums, MonthTables, PopulationModel, age_at_start_of, cell,
    worker_attrition,
};
use crate::data::{Asfr, MIN_AGE, N_AGES, PARTNER_AGE_GAP, Status, WORKER_STATUSES};
use crate::params::Month;
use crate::population::counts::Expected;
use crate::scenario::{Scenario, Unit};

/// Fields of an in-service row (one worker status in one month): members at the start,
/// deaths, exits, retirements, retirements of men and of women, the fertility exposure of its
/// women and of its men ([`FertilityExposure`]), then the retirements from each cell with
/// retirements in the month (in the order of the month's retiring cells).
const IN_MEMBERS: usize = 0;
const IN_DEATHS: usize = 1;
const IN_EXITS: usize = 2;
const IN_RETIREMENTS: usize = 3;
const IN_BY_SEX: usize = 4;
const IN_FERTILE_WOMEN: usize = 6;
const IN_FERTILE_PARTNERS: usize = 7;
const IN_SLOTS: usize = 8;

/// Members in service weighted by fertility, by worker status (the first reader of the cells
/// that the tables carry, issue 22): what the policy's `maternity::month` multiplies by the
/// month's fertility driver.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FertilityExposure {
    /// Σ women × the age-specific fertility rate at their age (births a year at rate 1).
    pub women: [f64; 3],
    /// Σ men × the rate at their age minus [`PARTNER_AGE_GAP`].
    pub partners: [f64; 3],
}

impl FertilityExposure {
    /// Of the members in service in `cells`.
    pub fn of(asfr: &Asfr, cells: &Cells) -> FertilityExposure {
        let mut e = FertilityExposure::default();
        for g in GROUPS {
            for a in 0..N_AGES {
                let age = a + MIN_AGE;
                let (into, rate) = if g.sex() == 1 {
                    (&mut e.women, asfr.at(age))
                } else {
                    (
                        &mut e.partners,
                        asfr.at(age.saturating_sub(PARTNER_AGE_GAP)),
                    )
                };
                if rate == 0.0 {
                    continue;
                }
                for (w, s) in WORKER_STATUSES.iter().enumerate() {
                    into[w] += cells.n[cell(g as usize, *s as usize, a)] * rate;
                }
            }
        }
        e
    }
}

/// Fields of a retired row (one person retiring in month i, in month k ≥ i): continuing
/// contributors and retirees at the start of month k, their deaths, continuing contributors
/// completing their years, and arrivals among continuing contributors and retirees.
const POST_FIELDS: usize = 8; // the last one empty: rows of 8 words
const POST_MEMBERS_CONT: usize = 0;
const POST_MEMBERS_RET: usize = 1;
const POST_DEATHS_CONT: usize = 2;
const POST_DEATHS_RET: usize = 3;
const POST_DONE_CONT: usize = 4;
const POST_IN_CONT: usize = 5;
const POST_IN_RET: usize = 6;

/// The deterministic parts of a unit's membership, computed once per scenario, and read by
/// [`CohortTables::project`] with a path's employment growth.
///
/// Members in service of worker status w in month k are C_w(k) times the start population's
/// plus Σ_{j<k} β'_w(j) times one entrant's who entered at the end of month j: C_w(k) is the
/// product of the factors (`keep`) by which the status was scaled in the months before k when
/// employment fell faster than attrition, and β'_w(j) = β_w(j) / C_w(j) the entries of month j
/// in units of the status's scale then. Those who retire leave the scaling behind: a person
/// retiring in month i from cell (group, age) ages, dies and completes the minimum years alike
/// on every path, so the continuing contributors and retirees of month k are the start's plus
/// Σ_{i≤k} Σ_cells R(i, cell) times one retiree's of that cell and month, where R is the path's
/// retirements (in-service sums, scaled). Residents do not depend on the path.
pub struct CohortTables {
    horizon: usize,
    start: Month,
    /// The most cells with retirements in any month.
    slots: usize,
    /// Length of an in-service row: [`IN_SLOTS`] + `slots`.
    in_stride: usize,
    /// [k]: the start population's continuing contributors, retirees and residents (with the
    /// residents' entries), the same on every path.
    retired_base: Vec<MonthSums>,
    /// [worker status][k · in_stride + field]: the start population's members in service.
    in_base: [Vec<f64>; 3],
    /// [worker status][tri(k, j) · in_stride + field] for j < k: one entrant who entered at the
    /// end of month j, in month k.
    in_cohorts: [Vec<f64>; 3],
    /// [(post_row(k, i) + s) · POST_FIELDS + field] for i ≤ k: one person retiring from the s-th
    /// retiring cell of month i, in month k (a month's rows side by side, as it reads them).
    post: Vec<f64>,
    /// [k][worker status]: whether the status can take entrants at the end of month k.
    can_enter: Vec<[bool; 3]>,
}

#[inline]
fn tri(k: usize, j: usize) -> usize {
    k * (k - 1) / 2 + j
}

/// First retired row of month k's retirees of month i (i ≤ k), in units of `slots` rows.
#[inline]
fn post_row(k: usize, i: usize, slots: usize) -> usize {
    (k * (k + 1) / 2 + i) * slots
}

/// Retirements into the fund from cell (g, a) of worker status `si` in month `k`, as
/// [`PopulationModel::attrition`] counts them at expected values (at the scenario's expected
/// retirement take-up: the tables are of the expected path's demography).
fn retirements_at(
    model: &PopulationModel,
    tables: &MonthTables,
    cells: &Cells,
    k: usize,
    si: usize,
    (g, a): (usize, usize),
) -> f64 {
    let sex = GROUPS[g].sex();
    let (_, _, retirements) = worker_attrition(
        &mut Expected,
        cells.n[cell(g, si, a)],
        tables.q_month[tables.year_of[k]][sex][a],
        model.exit_month[sex][a],
        tables.retire_share[k][g][a],
    );
    retirements - retirements * (1.0 - model.take_up(model.expected_take_up(k)))
}

/// Empties the rows of `statuses` in every group.
fn clear(cells: &mut Cells, statuses: &[Status]) {
    for g in 0..GROUPS.len() {
        for &s in statuses {
            let i = cell(g, s as usize, 0);
            cells.n[i..i + N_AGES].fill(0.0);
        }
    }
}

/// Statuses that are not workers'.
const RETIRED_AND_RESIDENTS: [Status; 3] = [
    Status::ContinuingContributor,
    Status::Retiree,
    Status::Resident,
];

impl CohortTables {
    /// Tables of a unit of `scenario` over its horizon.
    pub fn new(scenario: &Scenario, unit: &Unit) -> CohortTables {
        let model = PopulationModel::new(scenario, unit);
        let start = scenario.spec.start;
        let horizon = scenario.spec.horizon_months as usize;
        let tables = &MonthTables::new(&model, start, horizon as u32);
        let resident_growth = unit.spec.membership.resident_growth;
        let mut flows = MemberFlows::default();
        let retiring: Vec<Vec<(usize, usize)>> = (0..horizon)
            .map(|k| {
                (0..GROUPS.len())
                    .flat_map(|g| (0..N_AGES).map(move |a| (g, a)))
                    .filter(|&(g, a)| tables.retire_share[k][g][a] > 0.0)
                    .collect()
            })
            .collect();
        let slots = retiring.iter().map(Vec::len).max().unwrap_or(0);
        let in_stride = IN_SLOTS + slots;
        let initial = model.initial_cells(unit, start);

        // The start's continuing contributors, retirees and residents.
        let mut cells = initial.clone();
        clear(&mut cells, &WORKER_STATUSES);
        let mut retired_base = Vec::with_capacity(horizon);
        for k in 0..horizon {
            age_at_start_of(&mut cells, k, start.plus(k as i32));
            let members = cells.status_totals();
            let after = model.attrition_expected(&mut cells, tables, k, &mut flows);
            let res = Status::Resident as usize;
            model.resident_entries(
                &mut cells,
                members[res],
                after[res],
                resident_growth,
                &mut flows,
            );
            retired_base.push(MonthSums { members, flows });
        }

        // Members in service of one status from month `from` on, into rows of `out` (the row
        // of month k at `row(k)`).
        let in_service = |mut cells: Cells,
                          w: usize,
                          si: usize,
                          from: usize,
                          out: &mut [f64],
                          row: &dyn Fn(usize) -> usize| {
            let mut flows = MemberFlows::default();
            for k in from..horizon {
                age_at_start_of(&mut cells, k, start.plus(k as i32));
                let r = &mut out[row(k) * in_stride..][..in_stride];
                r[IN_MEMBERS] = cells.status_totals()[si];
                let fertility = FertilityExposure::of(&scenario.tables.asfr, &cells);
                r[IN_FERTILE_WOMEN] = fertility.women[w];
                r[IN_FERTILE_PARTNERS] = fertility.partners[w];
                for (s, &slot) in retiring[k].iter().enumerate() {
                    r[IN_SLOTS + s] = retirements_at(&model, tables, &cells, k, si, slot);
                }
                model.attrition_expected(&mut cells, tables, k, &mut flows);
                r[IN_DEATHS] = flows.deaths[si];
                r[IN_EXITS] = flows.exits[si];
                r[IN_RETIREMENTS] = flows.retire_out[si];
                r[IN_BY_SEX..IN_BY_SEX + 2].copy_from_slice(&flows.retirements_by_sex);
                clear(&mut cells, &RETIRED_AND_RESIDENTS);
            }
        };
        let in_base = [0, 1, 2].map(|w| {
            let si = WORKER_STATUSES[w] as usize;
            let mut cells = Cells::zeros();
            for g in 0..GROUPS.len() {
                let i = cell(g, si, 0);
                cells.n[i..i + N_AGES].copy_from_slice(&initial.n[i..i + N_AGES]);
            }
            let mut out = vec![0.0; horizon * in_stride];
            in_service(cells, w, si, 0, &mut out, &|k| k);
            out
        });
        let in_cohorts = [0, 1, 2].map(|w| {
            let si = WORKER_STATUSES[w] as usize;
            let mut out = vec![0.0; horizon * horizon.saturating_sub(1) / 2 * in_stride];
            for j in 0..horizon.saturating_sub(1) {
                let Some(weights) = &tables.entry_weights[j][w] else {
                    continue;
                };
                let mut cells = Cells::zeros();
                model.add_entrants(&mut cells, si, weights, 1.0);
                in_service(cells, w, si, j + 1, &mut out, &|k| tri(k, j));
            }
            out
        });

        // One person retiring from each retiring cell of each month.
        let (cont, ret) = (
            Status::ContinuingContributor as usize,
            Status::Retiree as usize,
        );
        let mut post = vec![0.0; horizon * (horizon + 1) / 2 * slots * POST_FIELDS];
        for i in 0..horizon {
            let b = model.buyin.at(i);
            for (s, &(g, a)) in retiring[i].iter().enumerate() {
                let to_cont = b.short_share[GROUPS[g].sex()] * model.buyin.monthly_share;
                let mut cells = Cells::zeros();
                cells.n[cell(g, cont, a)] = to_cont;
                cells.n[cell(g, ret, a)] = 1.0 - to_cont;
                for k in i..horizon {
                    let mut members = [0.0; 2];
                    if k > i {
                        age_at_start_of(&mut cells, k, start.plus(k as i32));
                        let totals = cells.status_totals();
                        members = [totals[cont], totals[ret]];
                    }
                    model.attrition_expected(&mut cells, tables, k, &mut flows);
                    let r = &mut post[(post_row(k, i, slots) + s) * POST_FIELDS..][..POST_FIELDS];
                    r[POST_MEMBERS_CONT] = members[0];
                    r[POST_MEMBERS_RET] = members[1];
                    r[POST_DEATHS_CONT] = flows.deaths[cont];
                    r[POST_DEATHS_RET] = flows.deaths[ret];
                    r[POST_DONE_CONT] = flows.retire_out[cont];
                    let arrivals = if k == i {
                        [to_cont, 1.0 - to_cont]
                    } else {
                        [0.0; 2]
                    };
                    r[POST_IN_CONT] = arrivals[0];
                    r[POST_IN_RET] = arrivals[1] + flows.retire_in[ret];
                }
            }
        }
        let can_enter = (0..horizon)
            .map(|k| [0, 1, 2].map(|w| tables.entry_weights[k][w].is_some()))
            .collect();
        CohortTables {
            horizon,
            start,
            slots,
            in_stride,
            retired_base,
            in_base,
            in_cohorts,
            post,
            can_enter,
        }
    }

    /// The path's members and flows of every month, from its annual employment growth by
    /// month (`employment_growth(k)`, as [`PopulationModel::step`] takes it), whether the
    /// workers grow or shrink.
    pub fn project(&self, employment_growth: impl Fn(usize) -> f64) -> Vec<MonthSums> {
        self.project_with_fertility(employment_growth)
            .into_iter()
            .map(|(sums, _)| sums)
            .collect()
    }

    /// [`Self::project`], with each month's fertility exposure of the members in service.
    pub fn project_with_fertility(
        &self,
        employment_growth: impl Fn(usize) -> f64,
    ) -> Vec<(MonthSums, FertilityExposure)> {
        let (h, stride, slots) = (self.horizon, self.in_stride, self.slots);
        let (cont, ret) = (
            Status::ContinuingContributor as usize,
            Status::Retiree as usize,
        );
        let mut out = Vec::with_capacity(h);
        // Per worker status: C_w, the scale of its members in service now, and β'_w(j).
        let mut scale = [1.0; 3];
        let mut entries: [Vec<f64>; 3] = std::array::from_fn(|_| Vec::with_capacity(h));
        // [i · slots + s]: the path's retirements from the s-th retiring cell of month i.
        let mut retired = vec![0.0; h * slots];
        let mut row = vec![0.0; stride];
        for k in 0..h {
            let mut sums = self.retired_base[k];
            let mut fertility = FertilityExposure::default();
            for w in 0..3 {
                row.copy_from_slice(&self.in_base[w][k * stride..(k + 1) * stride]);
                if k > 0 {
                    let cohorts = &self.in_cohorts[w][tri(k, 0) * stride..];
                    for (&beta, cohort) in entries[w].iter().zip(cohorts.chunks_exact(stride)) {
                        if beta != 0.0 {
                            for (x, c) in row.iter_mut().zip(cohort) {
                                *x += beta * c;
                            }
                        }
                    }
                }
                let (c, si) = (scale[w], WORKER_STATUSES[w] as usize);
                let f = &mut sums.flows;
                sums.members[si] += c * row[IN_MEMBERS];
                f.deaths[si] += c * row[IN_DEATHS];
                f.exits[si] += c * row[IN_EXITS];
                f.retire_out[si] += c * row[IN_RETIREMENTS];
                f.retirements_by_sex[0] += c * row[IN_BY_SEX];
                f.retirements_by_sex[1] += c * row[IN_BY_SEX + 1];
                fertility.women[w] = c * row[IN_FERTILE_WOMEN];
                fertility.partners[w] = c * row[IN_FERTILE_PARTNERS];
                for (r, x) in retired[k * slots..(k + 1) * slots]
                    .iter_mut()
                    .zip(&row[IN_SLOTS..])
                {
                    *r += c * x;
                }
            }
            // Continuing contributors and retirees who retired in this month or before.
            let rows =
                &self.post[post_row(k, 0, slots) * POST_FIELDS..][..(k + 1) * slots * POST_FIELDS];
            let mut acc = [0.0; POST_FIELDS];
            for (&r, p) in retired[..(k + 1) * slots]
                .iter()
                .zip(rows.chunks_exact(POST_FIELDS))
            {
                for (a, p) in acc.iter_mut().zip(p) {
                    *a += r * p;
                }
            }
            let f = &mut sums.flows;
            sums.members[cont] += acc[POST_MEMBERS_CONT];
            sums.members[ret] += acc[POST_MEMBERS_RET];
            f.deaths[cont] += acc[POST_DEATHS_CONT];
            f.deaths[ret] += acc[POST_DEATHS_RET];
            f.retire_out[cont] += acc[POST_DONE_CONT];
            f.retire_in[cont] += acc[POST_IN_CONT];
            f.retire_in[ret] += acc[POST_IN_RET];
            // Entries, or the scaling of a status shrinking faster than its attrition
            // (`PopulationModel::step`).
            let monthly_growth = (1.0 + employment_growth(k)).powf(1.0 / 12.0);
            for (w, s) in WORKER_STATUSES.iter().enumerate() {
                let si = *s as usize;
                let before = sums.members[si];
                let f = &mut sums.flows;
                let after = before - f.deaths[si] - f.exits[si] - f.retire_out[si];
                let target = before * monthly_growth;
                let gap = target - after;
                let mut beta = 0.0;
                if gap >= 0.0 {
                    if self.can_enter[k][w] && gap > 0.0 {
                        beta = gap;
                        f.entries[si] += gap;
                    }
                } else if after > 0.0 {
                    f.exits[si] += after - target;
                    scale[w] *= target / after;
                }
                entries[w].push(beta / scale[w]);
            }
            out.push((sums, fertility));
        }
        out
    }

    /// Bytes the tables hold.
    pub fn bytes(&self) -> usize {
        let words = self
            .in_base
            .iter()
            .chain(&self.in_cohorts)
            .map(Vec::len)
            .sum::<usize>()
            + self.post.len();
        words * 8 + self.retired_base.len() * std::mem::size_of::<MonthSums>()
    }

    /// The first month of the tables.
    pub fn start(&self) -> Month {
        self.start
    }
}

/// The direct projection the tables are checked against: a unit's cells month by month
/// through [`PopulationModel::step`] at expected values (what the engine runs today), with its
/// model, month tables and start population built once.
pub struct CellProjection {
    model: PopulationModel,
    tables: MonthTables,
    initial: Cells,
    start: Month,
    horizon: usize,
    resident_growth: f64,
    asfr: Asfr,
}

impl CellProjection {
    pub fn new(scenario: &Scenario, unit: &Unit) -> CellProjection {
        let model = PopulationModel::new(scenario, unit);
        let start = scenario.spec.start;
        let horizon = scenario.spec.horizon_months as usize;
        let tables = MonthTables::new(&model, start, horizon as u32);
        let initial = model.initial_cells(unit, start);
        CellProjection {
            model,
            tables,
            initial,
            start,
            horizon,
            resident_growth: unit.spec.membership.resident_growth,
            asfr: scenario.tables.asfr.clone(),
        }
    }

    /// [`Self::project`], with each month's fertility exposure read from the cells at its
    /// start.
    pub fn project_with_fertility(
        &self,
        employment_growth: impl Fn(usize) -> f64,
    ) -> Vec<(MonthSums, FertilityExposure)> {
        self.model.project_expected_reading(
            &self.tables,
            self.initial.clone(),
            self.start,
            self.horizon,
            employment_growth,
            self.resident_growth,
            |cells| FertilityExposure::of(&self.asfr, cells),
        )
    }

    /// Every month's members and flows under the annual employment growth
    /// `employment_growth(k)` of each month.
    pub fn project(&self, employment_growth: impl Fn(usize) -> f64) -> Vec<MonthSums> {
        self.model.project_expected(
            &self.tables,
            self.initial.clone(),
            self.start,
            self.horizon,
            employment_growth,
            self.resident_growth,
        )
    }
}

/// [`CellProjection`] of `unit` under `employment_growth`, built and run at once.
pub fn project_cells(
    scenario: &Scenario,
    unit: &Unit,
    employment_growth: impl Fn(usize) -> f64,
) -> Vec<MonthSums> {
    CellProjection::new(scenario, unit).project(employment_growth)
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
            let tabulated = t.project(growth);
            assert_eq!(direct.len(), 132);
            for (k, (a, b)) in tabulated.iter().zip(&direct).enumerate() {
                assert_close(a, b, 1e-9, &format!("month {k}"));
            }
            let last = direct.last().expect("months");
            assert!(last.flows.entries[Status::Enterprise as usize] > 0.0);
            saw_retirements |= last.flows.retire_in[Status::Retiree as usize] > 0.0;
        }
        assert!(saw_retirements);
    }

    /// Employment falling by half a year from month 30, and the national unit at 0 % growth
    /// (the 2025 reform's months without retirements shrink it faster than its attrition): the
    /// tables carry each status's scaling and give the cell projection's every figure.
    #[test]
    fn a_shrinking_status_is_carried() {
        let s = Scenario::embedded_default().expect("default scenario");
        let unit = &s.units[0];
        let t = CohortTables::new(&s, unit);
        let falling = |k: usize| if k < 30 { 0.01 } else { -0.5 };
        let flat = |_: usize| 0.0;
        let swinging = |k: usize| [0.06, -0.08, 0.0, -0.02, 0.005][(k / 12) % 5];
        let si = Status::Enterprise as usize;
        let cells = CellProjection::new(&s, unit);
        for growth in [&falling as &dyn Fn(usize) -> f64, &flat, &swinging] {
            let direct = cells.project_with_fertility(growth);
            let tabulated = t.project_with_fertility(growth);
            for (k, ((a, fa), (b, fb))) in tabulated.iter().zip(&direct).enumerate() {
                assert_close(a, b, 1e-9, &format!("month {k}"));
                for (x, y) in fa
                    .women
                    .iter()
                    .chain(&fa.partners)
                    .zip(fb.women.iter().chain(&fb.partners))
                {
                    assert!(
                        (x - y).abs() <= 1e-9 * x.abs().max(*y).max(1.0),
                        "month {k}: {x} vs {y}"
                    );
                }
            }
            // Women of working age bear children: the exposure is not empty.
            assert!(direct[60].1.women[0] > 0.0 && direct[60].1.partners[0] > 0.0);
        }
        // The falling path's exits in month 30 are the forced ones: more than attrition.
        let direct = project_cells(&s, unit, falling);
        let (m29, m30) = (&direct[29].flows, &direct[30].flows);
        assert!(m30.exits[si] > 10.0 * m29.exits[si]);
        // And the members in service shrink by half over the next year.
        let ratio = direct[42].members[si] / direct[30].members[si];
        assert!((0.45..0.55).contains(&ratio), "{ratio}");
    }
}
