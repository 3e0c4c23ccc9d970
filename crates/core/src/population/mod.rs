//! Membership cells by retirement group (sex) × single-year age × status, and their monthly
//! flows: deaths, exits and entries of workers, retirements at the statutory age with the 2025
//! reform, continuing contributors short of the minimum years, and ageing each January.

pub mod cohorts;
pub mod counts;
pub mod retirement;

use crate::data::{MIN_AGE, N_AGES, N_STATUS, Status, WORKER_STATUSES};
use crate::numeric::normal_cdf;
use crate::params::Month;
use crate::scenario::{Scenario, Unit};
pub use counts::{Counts, Expected, SmallCellDraws};
pub(crate) use retirement::GROUPS;
pub(crate) use retirement::{N_GROUPS, RetirementGroup};

/// Number of cells of one unit.
pub(crate) const N_CELLS: usize = N_GROUPS * N_STATUS * N_AGES;

/// Flat index of a cell.
#[inline]
pub fn cell(g: usize, s: usize, a: usize) -> usize {
    (g * N_STATUS + s) * N_AGES + a
}

/// Worker cells (group × worker status × age) of the members first enrolled under a unit's
/// `minimum_years_first_enrolled`.
pub(crate) const N_FIRST_CELLS: usize = N_GROUPS * 3 * N_AGES;

/// Index in [`Cells::first`] of group `g`, worker status `w` (0–2) and age index `a`; the same
/// members weighted by their entry month are [`N_FIRST_CELLS`] further on.
#[inline]
fn first_cell(g: usize, w: usize, a: usize) -> usize {
    (g * 3 + w) * N_AGES + a
}

/// Counts of members (persons; expected values, so fractional) per cell.
#[derive(Clone, Debug, PartialEq)]
pub struct Cells {
    pub(crate) n: Vec<f64>,
    /// Of a unit with `minimum_years_first_enrolled`, per worker cell ([`N_FIRST_CELLS`]): the
    /// members in it first enrolled under the rule, then (from [`N_FIRST_CELLS`] on) the same
    /// weighted by the month of their entry (the end of month j, as an offset from the start),
    /// so that their mean entry month is the second over the first. They leave, die and retire
    /// as their cell does. Empty for other units.
    pub(crate) first: Vec<f64>,
}

impl Cells {
    pub(crate) fn zeros() -> Cells {
        Cells {
            n: vec![0.0; N_CELLS],
            first: Vec::new(),
        }
    }
    /// Members of every status, in one pass: each (group, status) row summed over ages in
    /// order, then the groups in order. The rows' sums run side by side (age by age), so the
    /// additions of one row need not wait for another's; each sum's order is that of a sum row
    /// by row, so the result is the same to the bit.
    #[inline(always)]
    pub(crate) fn status_totals(&self) -> [f64; N_STATUS] {
        const ROWS: usize = N_GROUPS * N_STATUS;
        let (rows, _) = self.n.as_chunks::<N_AGES>();
        let rows: &[[f64; N_AGES]; ROWS] = rows
            .try_into()
            .expect("cells hold N_GROUPS × N_STATUS rows of N_AGES");
        // As `Iterator::sum` of f64, which starts from −0.0.
        let mut row_sums = [-0.0; ROWS];
        for a in 0..N_AGES {
            for (sum, row) in row_sums.iter_mut().zip(rows) {
                *sum += row[a];
            }
        }
        let mut t = [0.0; N_STATUS];
        for g in 0..N_GROUPS {
            for (s, total) in t.iter_mut().enumerate() {
                *total += row_sums[g * N_STATUS + s];
            }
        }
        t
    }
    #[cfg(test)]
    pub(crate) fn status_total(&self, s: Status) -> f64 {
        (0..N_GROUPS)
            .map(|g| {
                self.n[cell(g, s as usize, 0)..cell(g, s as usize, 0) + N_AGES]
                    .iter()
                    .sum::<f64>()
            })
            .sum()
    }
    pub fn total(&self) -> f64 {
        self.n.iter().sum()
    }
}

/// Membership flows of one month, per status (persons).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MemberFlows {
    pub(crate) entries: [f64; N_STATUS],
    pub(crate) exits: [f64; N_STATUS],
    pub(crate) deaths: [f64; N_STATUS],
    /// Leaving the status by retirement (workers) or by completing the minimum years
    /// (continuing contributors).
    pub(crate) retire_out: [f64; N_STATUS],
    /// Arriving by retirement.
    pub(crate) retire_in: [f64; N_STATUS],
    /// Retirements of the month by sex (persons), for buy-ins.
    pub(crate) retirements_by_sex: [f64; 2],
    /// Years the month's retirees first enrolled under `minimum_years_first_enrolled` are short
    /// beyond what `retirements_by_sex` × the general mean shortfall counts for them (persons ×
    /// years; may be negative).
    pub(crate) first_enrolled_extra_years: f64,
}

/// Members at the start of a month (after the January ageing), per status, and the month's
/// flows (persons).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MonthSums {
    pub members: [f64; N_STATUS],
    pub flows: MemberFlows,
}

impl MonthSums {
    /// Number of figures in [`Self::values`].
    pub(crate) const N_VALUES: usize = 6 * N_STATUS + 2;

    /// Every figure: members, entries, exits, deaths, departures and arrivals by retirement
    /// (per status), then retirements by sex.
    pub fn values(&self) -> [f64; Self::N_VALUES] {
        let f = &self.flows;
        let mut v = [0.0; Self::N_VALUES];
        let parts: [&[f64]; 7] = [
            &self.members,
            &f.entries,
            &f.exits,
            &f.deaths,
            &f.retire_out,
            &f.retire_in,
            &f.retirements_by_sex,
        ];
        for (slot, x) in v.iter_mut().zip(parts.into_iter().flatten()) {
            *slot = *x;
        }
        v
    }
}

/// Ages the cells a year at the start of month `k` (offset from the start) when `t`, its
/// calendar month, is a January after the first month.
#[inline]
pub fn age_at_start_of(cells: &mut Cells, k: usize, t: Month) {
    if k > 0 && t.month() == 1 {
        PopulationModel::age_one_year(cells);
    }
}

/// Of `n` workers of a cell with monthly death probability `q`, exit probability `exit` and
/// retirement share `retire`: (deaths, exits, retirements) in that order, exits among the
/// survivors at the rate that gives n × `exit` on average, retirements among those left.
#[inline(always)]
pub(crate) fn worker_attrition(
    counts: &mut impl Counts,
    n: f64,
    q: f64,
    exit: f64,
    retire: f64,
) -> (f64, f64, f64) {
    let deaths = counts.binomial(n, q);
    let exits = counts.binomial(n - deaths, exit / (1.0 - q));
    let retirements = counts.binomial(n - deaths - exits, retire);
    (deaths, exits, retirements)
}

/// Constants of one unit's membership projection.
pub struct PopulationModel {
    /// Annual death probability in the life table's year, times the scenario's
    /// `mortality_level`: [sex][age].
    q_base: [Vec<f64>; 2],
    /// Annual rate of mortality improvement (the table's, times the scenario's multiplier):
    /// [sex][age].
    improvement: [Vec<f64>; 2],
    /// The life table's calendar year.
    life_table_year: i32,
    /// Monthly exit probability of workers: [sex][age].
    exit_month: [Vec<f64>; 2],
    /// Entrant age shares per sex.
    entry_share: [Vec<f64>; 2],
    /// Share of entrants of each worker status who are male.
    male_share: [f64; 3],
    /// Share of women of each worker status in the 55 group.
    female55: [f64; 3],
    reform: bool,
    pub(crate) buyin: BuyinModel,
    /// The scenario's expected retirement take-up (`economy.retirement_take_up`'s mean) in each
    /// month of the horizon (its year's July value): what the expected projections use; a
    /// Monte Carlo path passes its own to [`Self::step`].
    expected_take_up: Vec<f64>,
    /// The unit's `retirement_take_up_level`.
    take_up_level: f64,
    /// Whether the unit can ever have residents (it has some at the start: residents enter
    /// only to keep a number up) and continuing contributors (some retirees keep paying
    /// monthly); cells of a status it cannot have stay zero, and the month's step passes them.
    has_residents: bool,
    has_continuing: bool,
}

/// Retirees of a month short of the minimum contribution years (contribution years at
/// retirement assumed normal per sex): share short and the mean shortfall, in years.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Shortfall {
    pub short_share: [f64; 2],
    /// E[(minimum − years)⁺] per retiree of each sex, years.
    pub mean_shortfall: [f64; 2],
}

/// Buy-ins of missing years: the share of those short who keep paying monthly (the rest pay
/// at once) and, per month of the horizon, the shortfall of that month's retirees under the
/// minimum years then in force.
#[derive(Clone, Debug)]
pub struct BuyinModel {
    /// Share of retirees short of the minimum who keep paying monthly (0–1).
    pub(crate) monthly_share: f64,
    /// [month index]
    pub(crate) by_month: Vec<Shortfall>,
    /// The minimum of members first enrolled from a month on, if the unit has one.
    pub(crate) first_enrolled: Option<FirstEnrolledMinimum>,
}

/// `minimum_years_first_enrolled` of a unit: who it covers and their shortfall at retirement.
#[derive(Clone, Debug)]
pub(crate) struct FirstEnrolledMinimum {
    /// Entrants at the end of month j (offset from the start) are covered from this j on.
    pub(crate) first_entry_month: usize,
    /// Minimum years per sex.
    minimum: [f64; 2],
    prior_mean: f64,
    prior_sd: f64,
}

impl FirstEnrolledMinimum {
    /// E[(minimum − prior − local)⁺] for a retiree of `sex` with `local_years` since entering:
    /// the years bought in, with prior years ~ Normal(mean, sd).
    pub(crate) fn mean_shortfall(&self, sex: usize, local_years: f64) -> f64 {
        shortfall(
            self.minimum[sex] - local_years,
            self.prior_mean,
            self.prior_sd,
        )
        .1
    }
}

/// Of years at retirement ~ Normal(`mean`, `sd`) against a minimum `min`: the share short and
/// E[(min − years)⁺].
fn shortfall(min: f64, mean: f64, sd: f64) -> (f64, f64) {
    if sd <= 0.0 {
        return (f64::from(u8::from(mean < min)), (min - mean).max(0.0));
    }
    let z = (min - mean) / sd;
    let phi = (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
    (normal_cdf(z), (min - mean) * normal_cdf(z) + sd * phi)
}

impl BuyinModel {
    pub fn new(unit: &Unit, start: Month, horizon: u32) -> BuyinModel {
        let p = &unit.policy;
        let cy = &p.contribution_years;
        let by_month = (0..horizon.max(1) as i32)
            .map(|k| {
                let min = p.minimum_years.at(start.plus(k));
                let m = shortfall(min.male, cy.mean_male, cy.sd_male);
                let f = shortfall(min.female, cy.mean_female, cy.sd_female);
                Shortfall {
                    short_share: [m.0, f.0],
                    mean_shortfall: [m.1, f.1],
                }
            })
            .collect();
        BuyinModel {
            monthly_share: p.monthly_buyin_share(),
            by_month,
            first_enrolled: p
                .minimum_years_first_enrolled
                .as_ref()
                .map(|f| FirstEnrolledMinimum {
                    // Entrants at the end of month j are enrolled from month j + 1.
                    first_entry_month: usize::try_from(f.from.since(start) - 1).unwrap_or(0),
                    minimum: [f.male, f.female],
                    prior_mean: f.prior_years_mean,
                    prior_sd: f.prior_years_sd,
                }),
        }
    }

    /// The shortfall of month `k`'s retirees.
    pub fn at(&self, k: usize) -> &Shortfall {
        &self.by_month[k.min(self.by_month.len() - 1)]
    }
}

impl PopulationModel {
    /// Monthly death probability (annual / 12) by [sex][age] in calendar `year`:
    /// q(age, year) = level × q(age, table's year) × (1 − r(age))^(year − table's year), at
    /// most 1.
    pub fn q_month_in(&self, year: i32) -> [Vec<f64>; 2] {
        let years = year - self.life_table_year;
        [0, 1].map(|s| {
            self.q_base[s]
                .iter()
                .zip(&self.improvement[s])
                .map(|(q, r)| {
                    let factor = if *r == 0.0 || years == 0 {
                        1.0
                    } else {
                        (1.0 - r).powi(years)
                    };
                    (q * factor).min(1.0) / 12.0
                })
                .collect()
        })
    }

    pub fn new(scenario: &Scenario, unit: &Unit) -> PopulationModel {
        let t = &scenario.tables;
        let multiplier = scenario.spec.data.mortality_improvement;
        let improvement = [0, 1].map(|s| {
            t.life.improvement[s]
                .iter()
                .map(|r| (r * multiplier).min(1.0))
                .collect()
        });
        let exit_month = [0, 1].map(|s| t.flows.exit_rate[s].iter().map(|r| r / 12.0).collect());
        let st = &unit.structure.share;
        let male_share = [0, 1, 2].map(|k| {
            let male: f64 = st[k][0].iter().sum();
            let female: f64 = st[k][1].iter().sum();
            if male + female > 0.0 {
                male / (male + female)
            } else {
                0.5
            }
        });
        let f = &unit.policy.female_age55_share;
        PopulationModel {
            q_base: [0, 1].map(|s| {
                t.life.q[s]
                    .iter()
                    .map(|q| q * scenario.spec.data.mortality_level)
                    .collect()
            }),
            improvement,
            life_table_year: scenario.spec.data.life_table_year,
            exit_month,
            entry_share: t.flows.entry_share.clone(),
            male_share,
            female55: [f.enterprise, f.government, f.flexible],
            reform: unit.policy.retirement_reform,
            buyin: BuyinModel::new(unit, scenario.spec.start, scenario.spec.horizon_months),
            expected_take_up: (0..scenario.spec.horizon_months.max(1) as i32)
                .map(|k| {
                    let year = scenario.spec.start.plus(k).year();
                    let mid = Month::new(year, 7).unwrap_or(scenario.spec.start);
                    scenario.spec.economy.retirement_take_up.mean.at(mid)
                })
                .collect(),
            take_up_level: unit.spec.retirement_take_up_level,
            has_residents: unit.spec.membership.residents > 0.0,
            has_continuing: unit.policy.monthly_buyin_share() > 0.0,
        }
    }

    /// The unit's take-up of retirements (share 0–1) at the driver's value `driver`.
    #[inline]
    pub(crate) fn take_up(&self, driver: f64) -> f64 {
        (driver * self.take_up_level).clamp(0.0, 1.0)
    }

    /// The scenario's expected retirement take-up in month `k` (offset from the start; the
    /// last month's beyond the horizon).
    pub(crate) fn expected_take_up(&self, k: usize) -> f64 {
        self.expected_take_up
            .get(k)
            .or(self.expected_take_up.last())
            .copied()
            .unwrap_or(1.0)
    }

    /// The unit's membership at the start, from its totals and age-sex structure; workers past
    /// their statutory age at the start are counted as retirees. Women workers are split into
    /// the 50 and 55 groups by the status's `female_age55_share`, except at ages the 50 group
    /// has passed, where they are of the 55 group.
    pub(crate) fn initial_cells(&self, unit: &Unit, start: Month) -> Cells {
        let mut c = Cells::zeros();
        if self.buyin.first_enrolled.is_some() {
            // Nobody at the start is first enrolled under the rule (its `from` is not before
            // the start).
            c.first = vec![0.0; 2 * N_FIRST_CELLS];
        }
        let m = &unit.spec.membership;
        let totals = [
            m.enterprise,
            m.government,
            m.flexible,
            m.retirees,
            m.residents,
        ];
        let share = &unit.structure.share;
        for (k, &total) in totals.iter().enumerate() {
            let status = match k {
                3 => Status::Retiree,
                4 => Status::Resident,
                _ => WORKER_STATUSES[k],
            } as usize;
            for a in 0..N_AGES {
                c.n[cell(0, status, a)] += total * share[k][0][a];
                let fem = total * share[k][1][a];
                let f55 = if k >= 3 {
                    0.0
                } else {
                    // A woman at work at an age the 50-group has passed is of the 55 group.
                    let open = self.subcohorts_from(RetirementGroup::Female50, a, start, start);
                    1.0 - (1.0 - self.female55[k]) * f64::from(open) / 12.0
                };
                c.n[cell(1, status, a)] += fem * (1.0 - f55);
                c.n[cell(2, status, a)] += fem * f55;
            }
        }
        // Workers whose statutory age was reached before the start have retired.
        for g in GROUPS {
            for a in 0..N_AGES {
                let overdue = 12 - self.subcohorts_from(g, a, start, start);
                if overdue > 0 {
                    let share = overdue as f64 / 12.0;
                    for s in WORKER_STATUSES {
                        let i = cell(g as usize, s as usize, a);
                        let moved = c.n[i] * share;
                        c.n[i] -= moved;
                        c.n[cell(g as usize, Status::Retiree as usize, a)] += moved;
                    }
                }
            }
        }
        c
    }

    /// Number of the 12 birth-month subcohorts of cell (g, age index a) in `month`'s year whose
    /// retirement month is `from` or later.
    ///
    /// The retirement month rises strictly with the birth month (the statutory age never
    /// falls for a later birth), so the subcohorts retiring at `from` or later are the last
    /// 12 − b of the year, b the first whose retirement month is not before `from`: found by
    /// bisection (two evaluations at most ages, where the step tables once took twelve).
    fn subcohorts_from(&self, g: RetirementGroup, a: usize, month: Month, from: Month) -> u32 {
        // January of the birth year, as a month index (Month::new(y, b) is y·12 + b − 1).
        let january = (month.year() - (a + MIN_AGE) as i32) * 12;
        let retires_from = |b: i32| g.retirement_month(Month::from_index(january + b), self.reform);
        if retires_from(0) >= from {
            return 12;
        }
        if retires_from(11) < from {
            return 0;
        }
        // retires_from(lo) < from ≤ retires_from(hi).
        let (mut lo, mut hi) = (0, 11);
        while hi - lo > 1 {
            let mid = (lo + hi) / 2;
            if retires_from(mid) >= from {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        (12 - hi) as u32
    }

    /// (subcohorts retiring in `month`, subcohorts not yet retired at its start).
    pub(crate) fn retirement_counts(
        &self,
        g: RetirementGroup,
        a: usize,
        month: Month,
    ) -> (u32, u32) {
        let remaining = self.subcohorts_from(g, a, month, month);
        let later = self.subcohorts_from(g, a, month, month.plus(1));
        (remaining - later, remaining)
    }
}

/// Tables of the population model that depend only on the month, computed once per scenario
/// and unit so the monthly step does no date arithmetic.
pub(crate) struct MonthTables {
    /// [calendar year − the start's year][sex][a]: monthly death probability.
    pub(crate) q_month: Vec<[Vec<f64>; 2]>,
    /// [month offset]: index of the month's year in `q_month`.
    pub(crate) year_of: Vec<usize>,
    /// [month offset][g][a]: share of workers retiring in the month.
    pub(crate) retire_share: Vec<[Vec<f64>; N_GROUPS]>,
    /// [month offset][worker status]: entrants' shares by cell (g × age, summing to 1), or
    /// None where no cell can take entrants.
    pub(crate) entry_weights: Vec<[Option<Vec<f64>>; 3]>,
}

impl MonthTables {
    pub fn new(model: &PopulationModel, start: Month, horizon: u32) -> MonthTables {
        let mut retire_share = Vec::with_capacity(horizon as usize);
        let mut entry_weights = Vec::with_capacity(horizon as usize);
        let last = start.plus(horizon.max(1) as i32 - 1);
        let q_month = (start.year()..=last.year())
            .map(|y| model.q_month_in(y))
            .collect();
        let year_of = (0..horizon as i32)
            .map(|k| (start.plus(k).year() - start.year()) as usize)
            .collect();
        for k in 0..horizon as i32 {
            let t = start.plus(k);
            let mut share = GROUPS.map(|_| vec![0.0; N_AGES]);
            // 1 where workers of the cell can still be active, else 0.
            let mut can_work = GROUPS.map(|_| vec![0.0; N_AGES]);
            for (gi, g) in GROUPS.into_iter().enumerate() {
                for a in 0..N_AGES {
                    // Birth months are uniform in a cell: the share of its workers retiring
                    // in the month is the subcohorts retiring over those not yet retired.
                    let (retiring, remaining) = model.retirement_counts(g, a, t);
                    if remaining > 0 {
                        share[gi][a] = f64::from(retiring) / f64::from(remaining);
                        can_work[gi][a] = 1.0;
                    }
                }
            }
            entry_weights.push([0, 1, 2].map(|w| model.entry_weights(w, &can_work)));
            retire_share.push(share);
        }
        MonthTables {
            q_month,
            year_of,
            retire_share,
            entry_weights,
        }
    }
}

impl PopulationModel {
    /// Ages every cell by one year (each January); 100 is the open age group.
    pub(crate) fn age_one_year(cells: &mut Cells) {
        let rows = cells.n.chunks_exact_mut(N_AGES);
        for row in rows.chain(cells.first.chunks_exact_mut(N_AGES)) {
            let top = row[N_AGES - 1] + row[N_AGES - 2];
            row.copy_within(0..N_AGES - 2, 1);
            row[N_AGES - 1] = top;
            row[0] = 0.0;
        }
    }

    /// One month of flows, applied at the end of the month `k` (offset from the start):
    /// deaths, exits, retirements (of which the share `retirement_take_up` become the fund's
    /// retirees or continuing contributors; the rest leave), continuing contributors completing
    /// their years, and entries that bring each worker status to its target growth
    /// `employment_growth` (annual).
    /// `before`: the month's members by status (`cells.status_totals()`, which the caller
    /// has at hand).
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub(crate) fn step(
        &self,
        cells: &mut Cells,
        before: &[f64; N_STATUS],
        tables: &MonthTables,
        k: usize,
        employment_growth: f64,
        retirement_take_up: f64,
        resident_growth: f64,
        flows: &mut MemberFlows,
        counts: &mut impl Counts,
    ) {
        let after = self.attrition(cells, tables, k, retirement_take_up, flows, counts);
        let res = Status::Resident as usize;
        self.resident_entries(cells, before[res], after[res], resident_growth, flows);
        self.worker_entries(cells, before, &after, tables, k, employment_growth, flows);
    }

    /// The month's deaths, exits and retirements, and continuing contributors completing their
    /// years (the first part of [`Self::step`]): the flows into `flows` (reset first) and the
    /// members left in each status. Of the workers reaching retirement, the share
    /// `retirement_take_up` (the driver's value, at least 0) times the unit's level, held within
    /// 0–1, retire into the fund; the rest leave it, counted as exits.
    #[inline(always)]
    pub(crate) fn attrition(
        &self,
        cells: &mut Cells,
        tables: &MonthTables,
        k: usize,
        retirement_take_up: f64,
        flows: &mut MemberFlows,
        counts: &mut impl Counts,
    ) -> [f64; N_STATUS] {
        *flows = MemberFlows::default();
        let leaving_share = 1.0 - self.take_up(retirement_take_up);
        let res = Status::Resident as usize;
        // Members left in each status after deaths, exits and retirements.
        let mut after = [0.0; N_STATUS];
        let cont = Status::ContinuingContributor as usize;
        let ret = Status::Retiree as usize;
        let cont_exit = self.continuing_exit_rate(k);
        // Share of each sex's retirements who keep paying monthly (the rest retire outright).
        let to_cont_share = self
            .buyin
            .at(k)
            .short_share
            .map(|s| s * self.buyin.monthly_share);
        // Members first enrolled under `minimum_years_first_enrolled` (none tracked without it).
        let Cells { n: counts_n, first } = cells;
        // … with the general shortfall they are counted at in `retirements_by_sex`.
        let first_enrolled = self
            .buyin
            .first_enrolled
            .as_ref()
            .filter(|_| !first.is_empty())
            .map(|rule| (rule, self.buyin.at(k).mean_shortfall));
        for (g, group) in GROUPS
            .iter()
            .zip(counts_n.chunks_exact_mut(N_STATUS * N_AGES))
        {
            let gi = *g as usize;
            let sex = g.sex();
            let q = &tables.q_month[tables.year_of[k]][sex][..N_AGES];
            let exit = &self.exit_month[sex][..N_AGES];
            let retire = &tables.retire_share[k][gi][..N_AGES];
            // The group's rows by status, as fixed-size arrays (no bounds checks below).
            let (rows, _) = group.as_chunks_mut::<N_AGES>();
            let [workers @ .., cont_row, ret_row, res_row] = rows else {
                unreachable!("cells hold {N_STATUS} statuses per group")
            };
            for (si, row) in workers.iter_mut().enumerate() {
                let (mut d_sum, mut x_sum, mut r_sum, mut left) = (0.0, 0.0, 0.0, 0.0);
                for a in 0..N_AGES {
                    let n = row[a];
                    if n == 0.0 {
                        continue;
                    }
                    let (deaths, exits, mut retirements) =
                        worker_attrition(counts, n, q[a], exit[a], retire[a]);
                    row[a] = n - deaths - exits - retirements;
                    left += row[a];
                    d_sum += deaths;
                    x_sum += exits;
                    let mut in_fund = 0.0;
                    if retirements != 0.0 {
                        // Those who leave at retirement (none, without a draw, at a take-up
                        // of 1).
                        let leaving = counts.binomial(retirements, leaving_share);
                        retirements -= leaving;
                        x_sum += leaving;
                        r_sum += retirements;
                        let to_cont = retirements * to_cont_share[sex];
                        cont_row[a] += to_cont;
                        ret_row[a] += retirements - to_cont;
                        flows.retire_in[cont] += to_cont;
                        flows.retire_in[ret] += retirements - to_cont;
                        in_fund = retirements;
                    }
                    if let Some((rule, general_shortfall)) = first_enrolled {
                        // The first enrolled share the cell's flows; those retiring into the
                        // fund are short by their own rule (lump sums only, see validation).
                        let i = first_cell(gi, si, a);
                        let (members, by_month) = (first[i], first[N_FIRST_CELLS + i]);
                        if members > 0.0 {
                            let retiring = in_fund * (members / n);
                            if retiring > 0.0 {
                                let local_years = (k as f64 - by_month / members) / 12.0;
                                flows.first_enrolled_extra_years += retiring
                                    * (rule.mean_shortfall(sex, local_years)
                                        - general_shortfall[sex]);
                            }
                            let stay = row[a] / n;
                            first[i] = members * stay;
                            first[N_FIRST_CELLS + i] = by_month * stay;
                        }
                    }
                }
                after[si] += left;
                flows.deaths[si] += d_sum;
                flows.exits[si] += x_sum;
                flows.retire_out[si] += r_sum;
                flows.retirements_by_sex[sex] += r_sum;
            }
            for a in 0..N_AGES {
                let qa = q[a];
                // Continuing contributors: deaths, and completion of their years.
                let n = cont_row[a];
                if self.has_continuing && n > 0.0 {
                    let deaths = counts.binomial(n, qa);
                    let done = counts.binomial(n - deaths, cont_exit[sex]);
                    cont_row[a] = n - deaths - done;
                    ret_row[a] += done;
                    flows.deaths[cont] += deaths;
                    flows.retire_out[cont] += done;
                    flows.retire_in[ret] += done;
                }
                // Retirees and residents: deaths.
                let residents = usize::from(self.has_residents);
                for (st, row) in [(ret, &mut *ret_row), (res, &mut *res_row)]
                    .into_iter()
                    .take(1 + residents)
                {
                    let n = row[a];
                    if n == 0.0 {
                        continue;
                    }
                    let deaths = counts.binomial(n, qa);
                    row[a] = n - deaths;
                    flows.deaths[st] += deaths;
                    after[st] += row[a];
                }
            }
        }
        after
    }

    /// [`Self::attrition`] of the expected path: expected counts at the scenario's expected
    /// retirement take-up.
    pub(crate) fn attrition_expected(
        &self,
        cells: &mut Cells,
        tables: &MonthTables,
        k: usize,
        flows: &mut MemberFlows,
    ) -> [f64; N_STATUS] {
        self.attrition(
            cells,
            tables,
            k,
            self.expected_take_up(k),
            flows,
            &mut Expected,
        )
    }

    /// Entries (or extra exits) that bring each worker status to its target: `before` times
    /// the month's share of the annual `employment_growth` (the last part of [`Self::step`]).
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn worker_entries(
        &self,
        cells: &mut Cells,
        before: &[f64; N_STATUS],
        after: &[f64; N_STATUS],
        tables: &MonthTables,
        k: usize,
        employment_growth: f64,
        flows: &mut MemberFlows,
    ) {
        let monthly_growth = (1.0 + employment_growth).powf(1.0 / 12.0);
        // This month's entrants are first enrolled under the unit's own minimum, if it has one
        // (its tracked cells exist) and they enter late enough.
        let first_entries = !cells.first.is_empty()
            && self
                .buyin
                .first_enrolled
                .as_ref()
                .is_some_and(|r| k >= r.first_entry_month);
        for (w, s) in WORKER_STATUSES.iter().enumerate() {
            let si = *s as usize;
            let after = after[si];
            let target = before[si] * monthly_growth;
            let gap = target - after;
            if gap >= 0.0 {
                if let (Some(weights), true) = (&tables.entry_weights[k][w], gap > 0.0) {
                    self.add_entrants(cells, si, weights, gap);
                    flows.entries[si] += gap;
                    if first_entries {
                        // Entered at the end of month k: first enrolled under the rule.
                        for gi in 0..N_GROUPS {
                            for a in 0..N_AGES {
                                let (i, entrants) =
                                    (first_cell(gi, si, a), gap * weights[gi * N_AGES + a]);
                                cells.first[i] += entrants;
                                cells.first[N_FIRST_CELLS + i] += entrants * k as f64;
                            }
                        }
                    }
                }
            } else if after > 0.0 {
                let keep = target / after;
                for gi in 0..N_GROUPS {
                    for a in 0..N_AGES {
                        cells.n[cell(gi, si, a)] *= keep;
                    }
                }
                // The first enrolled (if tracked) are scaled with their status.
                let tracked = if cells.first.is_empty() {
                    &[][..]
                } else {
                    &[0, N_FIRST_CELLS][..]
                };
                for part in tracked {
                    for gi in 0..N_GROUPS {
                        let i = part + first_cell(gi, si, 0);
                        for x in &mut cells.first[i..i + N_AGES] {
                            *x *= keep;
                        }
                    }
                }
                flows.exits[si] += after - target;
            }
        }
    }

    /// `entrants` persons into status `si`, spread over its cells by `weights` (a month's
    /// entrant mix, [`MonthTables::entry_weights`]).
    #[inline(always)]
    fn add_entrants(&self, cells: &mut Cells, si: usize, weights: &[f64], entrants: f64) {
        for gi in 0..N_GROUPS {
            let i = cell(gi, si, 0);
            let row = &mut cells.n[i..i + N_AGES];
            for (n, wgt) in row.iter_mut().zip(&weights[gi * N_AGES..]) {
                *n += entrants * wgt;
            }
        }
    }

    /// Entrants' shares by cell (g × age) of worker status `w` in a month whose cells that can
    /// work are `can_work`: the status's sex and 55-group mix times the entrants' age profile.
    fn entry_weights(&self, w: usize, can_work: &[Vec<f64>; N_GROUPS]) -> Option<Vec<f64>> {
        let mut weights = vec![0.0; N_GROUPS * N_AGES];
        for g in GROUPS {
            let gi = g as usize;
            let sex_share = if gi == 0 {
                self.male_share[w]
            } else {
                let f = 1.0 - self.male_share[w];
                if gi == 2 {
                    f * self.female55[w]
                } else {
                    f * (1.0 - self.female55[w])
                }
            };
            for a in 0..N_AGES {
                weights[gi * N_AGES + a] =
                    sex_share * self.entry_share[g.sex()][a] * can_work[gi][a];
            }
        }
        let total: f64 = weights.iter().sum();
        (total > 0.0).then(|| weights.iter().map(|x| x / total).collect())
    }

    /// Residents entering (young adults ageing in, newcomers) to reach the growth target, by
    /// the entrants' age distribution, women in the first female group.
    #[inline(always)]
    fn resident_entries(
        &self,
        cells: &mut Cells,
        before: f64,
        after: f64,
        growth: f64,
        flows: &mut MemberFlows,
    ) {
        if before <= 0.0 {
            return;
        }
        let res = Status::Resident as usize;
        let target = before * (1.0 + growth).powf(1.0 / 12.0);
        let gap = target - after;
        if gap <= 0.0 {
            return;
        }
        let w: f64 = (0..2)
            .map(|s| self.entry_share[s].iter().sum::<f64>())
            .sum();
        if w <= 0.0 {
            return;
        }
        for (g, sex) in [(0, 0), (1, 1)] {
            for a in 0..N_AGES {
                cells.n[cell(g, res, a)] += gap * self.entry_share[sex][a] / w;
            }
        }
        flows.entries[res] += gap;
    }

    /// Monthly rate at which continuing contributors complete their minimum years in month `k`:
    /// one over the mean shortfall of those short under the minimum then in force, in months.
    fn continuing_exit_rate(&self, k: usize) -> [f64; 2] {
        let b = self.buyin.at(k);
        [0, 1].map(|s| {
            let share = b.short_share[s];
            if share <= 0.0 {
                return 1.0;
            }
            let months = 12.0 * b.mean_shortfall[s] / share;
            if months <= 1.0 { 1.0 } else { 1.0 / months }
        })
    }
}

impl PopulationModel {
    /// `months` months from `cells` at `start` through [`Self::step`] at expected values, with
    /// the annual employment growth `employment_growth(k)` of each month: every month's
    /// members and flows.
    pub(crate) fn project_expected(
        &self,
        tables: &MonthTables,
        cells: Cells,
        start: Month,
        months: usize,
        employment_growth: impl Fn(usize) -> f64,
        resident_growth: f64,
    ) -> Vec<MonthSums> {
        self.project_expected_reading(
            tables,
            cells,
            start,
            months,
            employment_growth,
            resident_growth,
            |_| (),
        )
        .into_iter()
        .map(|(sums, ())| sums)
        .collect()
    }

    /// [`Self::project_expected`], with `read` of the cells at the start of each month (after
    /// the January ageing) beside its sums.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn project_expected_reading<R>(
        &self,
        tables: &MonthTables,
        mut cells: Cells,
        start: Month,
        months: usize,
        employment_growth: impl Fn(usize) -> f64,
        resident_growth: f64,
        mut read: impl FnMut(&Cells) -> R,
    ) -> Vec<(MonthSums, R)> {
        let mut flows = MemberFlows::default();
        (0..months)
            .map(|k| {
                age_at_start_of(&mut cells, k, start.plus(k as i32));
                let members = cells.status_totals();
                let reading = read(&cells);
                self.step(
                    &mut cells,
                    &members,
                    tables,
                    k,
                    employment_growth(k),
                    self.expected_take_up(k),
                    resident_growth,
                    &mut flows,
                    &mut Expected,
                );
                (MonthSums { members, flows }, reading)
            })
            .collect()
    }
}

/// National published figures that `fundrisk check` prints beside each unit's.
pub(crate) struct NationalReference {
    /// Retirees per 100 active members of employee medical insurance, 2012 and 2022 (MOHRSS and
    /// NHSA bulletins: 6,624 / 19,861 and 9,636 / 26,607 万人; data/calibration/).
    pub(crate) retirees_per_100_active: (f64, f64),
    /// Average age of the labour force, 2019 (中国人力资本报告2021, Central University of Finance
    /// and Economics: 38.8 years).
    pub(crate) mean_age_labour_force: f64,
    /// Retirements a year as a share of active members, 2012–2022, implied by the bulletins:
    /// retirees grew from 6,624 to 9,636 万 (301 万 a year) while about 2.4 % of retirees died
    /// each year (the 2020 life table at the members' mortality level 0.8 on the national
    /// retiree structure), so about 500 万 retired a year against 23,200 万 active members on
    /// average.
    pub(crate) retirement_rate: f64,
    pub(crate) source: &'static str,
}

pub(crate) const NATIONAL_REFERENCE: NationalReference = NationalReference {
    retirees_per_100_active: (33.4, 36.2),
    mean_age_labour_force: 38.8,
    retirement_rate: 0.021,
    source: "retirees/100 active 2012–2022 from the bulletins; mean age of the labour force 2019; \
             retirements implied by the bulletins (docs/demography.md)",
};

/// The membership of a unit at the start of its projection and over its first year, as
/// `fundrisk check` prints it so an analyst sees at once whether the unit is plausible.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct StartDemography {
    /// Retirees per 100 active members (workers of every status and continuing
    /// contributors) at the start.
    pub(crate) retirees_per_100_active: f64,
    /// Mean exact age (years) of the active members at the start: a cell of age a (the
    /// calendar year minus the birth year) is a − 0.5 years old on average in January.
    pub(crate) mean_age_active: f64,
    /// Retirements in the first 12 months (expected path, with the scenario's mean employment
    /// growth) as a share (0–1) of the active members at the start.
    pub(crate) retirement_rate_first_year: f64,
    /// Deaths of retirees in the first 12 months as a share (0–1) of the retirees at the start.
    pub(crate) retiree_death_rate_first_year: f64,
}

impl StartDemography {
    pub fn of(scenario: &Scenario, unit: &Unit) -> StartDemography {
        let model = PopulationModel::new(scenario, unit);
        let start = scenario.spec.start;
        let months = scenario.spec.horizon_months.min(12);
        let tables = MonthTables::new(&model, start, months);
        let cells = model.initial_cells(unit, start);
        let totals = cells.status_totals();
        let (active0, retirees0) = (
            crate::data::members_in_service(&totals),
            totals[Status::Retiree as usize],
        );
        let mut age_sum = 0.0;
        for g in 0..N_GROUPS {
            for s in WORKER_STATUSES
                .iter()
                .map(|&s| s as usize)
                .chain([Status::ContinuingContributor as usize])
            {
                for a in 0..N_AGES {
                    age_sum += cells.n[cell(g, s, a)] * ((a + MIN_AGE) as f64 - 0.5);
                }
            }
        }
        let growth = scenario.spec.economy.employment_growth.mean.at(start);
        let sums = model.project_expected(
            &tables,
            cells,
            start,
            months as usize,
            |_| growth,
            unit.spec.membership.resident_growth,
        );
        let retirements: f64 = sums
            .iter()
            .map(|m| {
                WORKER_STATUSES
                    .iter()
                    .map(|&s| m.flows.retire_out[s as usize])
                    .sum::<f64>()
            })
            .sum();
        let retiree_deaths: f64 = sums
            .iter()
            .map(|m| m.flows.deaths[Status::Retiree as usize])
            .sum();
        let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
        StartDemography {
            retirees_per_100_active: 100.0 * ratio(retirees0, active0),
            mean_age_active: ratio(age_sum, active0),
            retirement_rate_first_year: ratio(retirements, active0),
            retiree_death_rate_first_year: ratio(retiree_deaths, retirees0),
        }
    }
}

/// Each unit's membership at the start, beside the national published figures (what `fundrisk
/// check` prints).
pub fn describe_start(s: &Scenario) -> String {
    let n = &NATIONAL_REFERENCE;
    use std::fmt::Write;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "demography at the start (expected path; national: {})",
        n.source
    );
    let _ = writeln!(
        o,
        "  {:<16} {:>18} {:>16} {:>22} {:>20}",
        "unit",
        "retirees/100 active",
        "mean age active",
        "retirements/yr % active",
        "retiree deaths/yr %"
    );
    for u in &s.units {
        let d = StartDemography::of(s, u);
        let _ = writeln!(
            o,
            "  {:<16} {:>18.1} {:>16.1} {:>22.2} {:>20.2}",
            u.spec.name,
            d.retirees_per_100_active,
            d.mean_age_active,
            100.0 * d.retirement_rate_first_year,
            100.0 * d.retiree_death_rate_first_year
        );
    }
    let _ = writeln!(
        o,
        "  {:<16} {:>18} {:>16.1} {:>22.2} {:>20}",
        "national",
        format!(
            "{:.1}–{:.1}",
            n.retirees_per_100_active.0, n.retirees_per_100_active.1
        ),
        n.mean_age_labour_force,
        100.0 * n.retirement_rate,
        "",
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::DataSource;
    use crate::scenario::{GUANGDONG_MERGER_SCENARIO, Scenario};

    fn scenario(buyin_mode: &str) -> Scenario {
        let text = GUANGDONG_MERGER_SCENARIO.replace(
            "buyin_mode = \"lump_sum\"",
            &format!("buyin_mode = \"{buyin_mode}\""),
        );
        Scenario::parse(&text, "test.toml", DataSource::default()).expect("default scenario")
    }

    /// The bisection of `subcohorts_from` counts what counting the twelve birth months one by
    /// one counts, for every group, age, month of 2015–2075 (before, through and after the
    /// 2025 reform's steps) and month from which retirements are counted, with and without
    /// the reform; the counts it gives cover 0, 12 and the partial counts between.
    #[test]
    fn subcohorts_by_bisection_are_the_counted_ones() {
        let s = scenario("lump_sum");
        let mut model = PopulationModel::new(&s, &s.units[0]);
        let mut seen = [false; 13];
        for reform in [true, false] {
            model.reform = reform;
            for g in GROUPS {
                for a in 0..N_AGES {
                    for month in (2015 * 12..2075 * 12).step_by(5).map(Month::from_index) {
                        let birth_year = month.year() - (a + MIN_AGE) as i32;
                        for from in [month, month.plus(1), month.plus(-7), month.plus(13)] {
                            let counted = (1..=12)
                                .filter(|&b| {
                                    let birth = Month::new(birth_year, b).expect("a month");
                                    g.retirement_month(birth, reform) >= from
                                })
                                .count() as u32;
                            assert_eq!(
                                model.subcohorts_from(g, a, month, from),
                                counted,
                                "{g:?}, age index {a}, {month}, from {from}, reform {reform}"
                            );
                            seen[counted as usize] = true;
                        }
                    }
                }
            }
        }
        assert!(seen.iter().all(|&s| s), "{seen:?}");
    }

    /// previous + entries + arrivals by retirement − exits − deaths − departures by retirement
    /// = current, per status, every month (including Januaries, when cells age a year), with
    /// growing and shrinking employment.
    #[test]
    fn membership_is_conserved_per_status() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for (mode, drawn) in [("lump_sum", false), ("monthly", false), ("monthly", true)] {
            // Some of those reaching retirement leave (exits) in the monthly modes.
            let take_up = if mode == "monthly" { 0.85 } else { 1.0 };
            let s = scenario(mode);
            let unit = &s.units[0];
            let model = PopulationModel::new(&s, unit);
            let horizon = s.spec.horizon_months;
            let tables = MonthTables::new(&model, s.spec.start, horizon);
            let mut cells = model.initial_cells(unit, s.spec.start);
            let mut flows = MemberFlows::default();
            let mut saw_entries = false;
            let mut saw_continuing = false;
            for k in 0..horizon as usize {
                if k > 0 && s.spec.start.plus(k as i32).month() == 1 {
                    let before: Vec<f64> = Status::ALL
                        .iter()
                        .map(|&st| cells.status_total(st))
                        .collect();
                    PopulationModel::age_one_year(&mut cells);
                    for (i, &st) in Status::ALL.iter().enumerate() {
                        assert!((cells.status_total(st) - before[i]).abs() < 1e-6);
                    }
                }
                let before: Vec<f64> = Status::ALL
                    .iter()
                    .map(|&st| cells.status_total(st))
                    .collect();
                // Employment grows in the first half and shrinks in the second.
                let growth = if k < horizon as usize / 2 {
                    0.03
                } else {
                    -0.05
                };
                if drawn {
                    // Every cell draws its counts (a threshold above any cell).
                    let mut draws = SmallCellDraws::new(&mut rng, 1e12);
                    let before = cells.status_totals();
                    model.step(
                        &mut cells, &before, &tables, k, growth, take_up, 0.0, &mut flows,
                        &mut draws,
                    );
                } else {
                    let before = cells.status_totals();
                    model.step(
                        &mut cells,
                        &before,
                        &tables,
                        k,
                        growth,
                        take_up,
                        0.0,
                        &mut flows,
                        &mut Expected,
                    );
                }
                for (i, &st) in Status::ALL.iter().enumerate() {
                    let si = st as usize;
                    let expected = before[i] + flows.entries[si] + flows.retire_in[si]
                        - flows.exits[si]
                        - flows.deaths[si]
                        - flows.retire_out[si];
                    let now = cells.status_total(st);
                    assert!(
                        (now - expected).abs() <= 1e-9 * before[i].max(1.0),
                        "{mode} month {k} {st:?}: {now} vs {expected}"
                    );
                    assert!(cells.n.iter().all(|&n| n >= 0.0));
                }
                saw_entries |= flows.entries[0] > 0.0;
                saw_continuing |= flows.retire_in[Status::ContinuingContributor as usize] > 0.0;
                // Retirements out of workers arrive as retirees or continuing contributors.
                let out: f64 = WORKER_STATUSES
                    .iter()
                    .map(|&w| flows.retire_out[w as usize])
                    .sum();
                let cont = Status::ContinuingContributor as usize;
                let arrived = flows.retire_in[cont] + flows.retire_in[Status::Retiree as usize]
                    - flows.retire_out[cont];
                assert!((out - arrived).abs() <= 1e-6 * out.max(1.0));
            }
            assert!(saw_entries);
            assert_eq!(saw_continuing, mode == "monthly");
        }
    }
    /// Jiangmen 001 三 4 ("2018年1月1日後(含1月1日)在我市首次參加二檔的參保人，最低累計繳費年限為25年")
    /// by hand, on the Guangdong unit with the rule from its start, 10 prior years (sd 0) and
    /// 25 years for both sexes. A male enterprise cell retiring in month 36 holds n members, 40 %
    /// of them first enrolled with a mean entry month of 12: they have 10 + (36 − 12)/12 = 12
    /// years, so each is 13 years short, against the general 0.583208 years of a man (minimum 25,
    /// years ~ Normal(32, 7): −7 Φ(−1) + 7 φ(−1)). With deaths n q, exits (n − d) x / (1 − q) and
    /// retirements (n − d − x) r, the month's extra years are 0.4 r (13 − 0.583208); the first
    /// enrolled left are 0.4 (n − d − x − r), their entry months weighted alike. Entrants are
    /// covered from the end of the month before `from`: with `from` two months after the start,
    /// the first month's entrants are not, the second month's are.
    #[test]
    fn first_enrolled_minimum_by_hand() {
        let rule = |from: &str| {
            let text = GUANGDONG_MERGER_SCENARIO.replace(
                "buyin_mode = \"lump_sum\"",
                &format!(
                    "buyin_mode = \"lump_sum\"\nminimum_years_first_enrolled = {{ from = \"{from}\", male = 25.0, female = 25.0, prior_years_mean = 10.0, prior_years_sd = 0.0 }}"
                ),
            );
            Scenario::parse(&text, "test.toml", DataSource::default()).expect("scenario")
        };
        let s = rule("2019-01");
        assert_eq!(s.spec.start, Month::new(2019, 1).unwrap());
        let unit = &s.units[0];
        let model = PopulationModel::new(&s, unit);
        let tables = MonthTables::new(&model, s.spec.start, s.spec.horizon_months);
        let k = 36;
        let ent = Status::Enterprise as usize;
        // The male enterprise cell with the most retirements in month k.
        let mut cells = model.initial_cells(unit, s.spec.start);
        assert_eq!(cells.first.len(), 2 * N_FIRST_CELLS);
        let a = (0..N_AGES)
            .max_by(|&x, &y| {
                let r = |a: usize| tables.retire_share[k][0][a] * cells.n[cell(0, ent, a)];
                r(x).total_cmp(&r(y))
            })
            .unwrap();
        let n = cells.n[cell(0, ent, a)];
        let (q, x, r) = (
            tables.q_month[tables.year_of[k]][0][a],
            model.exit_month[0][a],
            tables.retire_share[k][0][a],
        );
        assert!(n > 100.0 && r > 0.0);
        let i = first_cell(0, ent, a); // men, worker status `ent`
        cells.first[i] = 0.4 * n;
        cells.first[N_FIRST_CELLS + i] = 0.4 * n * 12.0;
        let mut flows = MemberFlows::default();
        model.attrition(&mut cells, &tables, k, 1.0, &mut flows, &mut Expected);
        let deaths = n * q;
        let exits = (n - deaths) * (x / (1.0 - q));
        let retirements = (n - deaths - exits) * r;
        let general = model.buyin.at(k).mean_shortfall[0];
        assert!((general - 0.583208).abs() < 1e-6, "{general}");
        let extra = 0.4 * retirements * (13.0 - general);
        let close = |u: f64, v: f64| (u - v).abs() <= 1e-9 * v.abs().max(1.0);
        assert!(
            close(flows.first_enrolled_extra_years, extra),
            "{} vs {extra}",
            flows.first_enrolled_extra_years
        );
        let left = n - deaths - exits - retirements;
        assert!(close(cells.first[i], 0.4 * left));
        assert!(close(cells.first[N_FIRST_CELLS + i], 0.4 * left * 12.0));

        // Entrants: with `from` two months after the start, month 0's are not covered, month
        // 1's are, at their month.
        let s = rule("2019-03");
        let unit = &s.units[0];
        let model = PopulationModel::new(&s, unit);
        let tables = MonthTables::new(&model, s.spec.start, s.spec.horizon_months);
        let mut cells = model.initial_cells(unit, s.spec.start);
        let mut flows = MemberFlows::default();
        let first_total =
            |c: &Cells, part: usize| -> f64 { c.first[part..part + N_FIRST_CELLS].iter().sum() };
        for k in 0..2 {
            let before = cells.status_totals();
            model.step(
                &mut cells,
                &before,
                &tables,
                k,
                0.05,
                1.0,
                0.0,
                &mut flows,
                &mut Expected,
            );
            let entries: f64 = WORKER_STATUSES
                .iter()
                .map(|&w| flows.entries[w as usize])
                .sum();
            assert!(entries > 0.0);
            if k == 0 {
                assert_eq!(first_total(&cells, 0), 0.0);
            } else {
                assert!(close(first_total(&cells, 0), entries));
                assert!(close(first_total(&cells, N_FIRST_CELLS), entries * 1.0));
            }
        }
        // Cells age each January, the first enrolled with them.
        let before = first_total(&cells, 0);
        PopulationModel::age_one_year(&mut cells);
        assert!(close(first_total(&cells, 0), before));
    }

    /// Of the workers reaching retirement, the take-up share retires into the fund and the rest
    /// leave, counted as exits: at 0.75 the workers' retirements are 0.75 of those at 1 and
    /// their exits grow by the other 0.25, the workers left are the same; the unit's level
    /// multiplies the driver (level 0.75 at a driver of 1 is the driver at 0.75, exactly).
    #[test]
    fn retirement_take_up_splits_retirements() {
        let s = scenario("lump_sum");
        let unit = &s.units[0];
        let model = PopulationModel::new(&s, unit);
        let tables = MonthTables::new(&model, s.spec.start, s.spec.horizon_months);
        let run = |m: &PopulationModel, take_up: f64| {
            let mut cells = m.initial_cells(unit, s.spec.start);
            let mut flows = MemberFlows::default();
            m.attrition(&mut cells, &tables, 0, take_up, &mut flows, &mut Expected);
            (cells, flows)
        };
        let workers =
            |f: &[f64; N_STATUS]| -> f64 { WORKER_STATUSES.iter().map(|&w| f[w as usize]).sum() };
        let (cells_1, all) = run(&model, 1.0);
        let (cells_q, some) = run(&model, 0.75);
        let retired_1 = workers(&all.retire_out);
        assert!(
            retired_1 > 1.0,
            "the first month has retirements: {retired_1}"
        );
        assert!((workers(&some.retire_out) - 0.75 * retired_1).abs() < 1e-9 * retired_1);
        let more_exits = workers(&some.exits) - workers(&all.exits);
        assert!((more_exits - 0.25 * retired_1).abs() < 1e-9 * retired_1);
        let ret = Status::Retiree as usize;
        let cont = Status::ContinuingContributor as usize;
        let arrivals = |f: &MemberFlows| f.retire_in[ret] + f.retire_in[cont];
        assert!((arrivals(&all) - arrivals(&some) - 0.25 * retired_1).abs() < 1e-9 * retired_1);
        for w in WORKER_STATUSES {
            assert_eq!(cells_1.status_total(w), cells_q.status_total(w));
        }
        let mut levelled = unit.clone();
        levelled.spec.retirement_take_up_level = 0.75;
        let (_, by_level) = run(&PopulationModel::new(&s, &levelled), 1.0);
        assert_eq!(by_level.retire_out, some.retire_out);
        assert_eq!(by_level.exits, some.exits);
        // A driver above 1 (the upper tail of an uncertain take-up) raises a unit whose level
        // is below 1: 1.2 × 0.75 = 0.9 of the retirements; the product is held at 1.
        let (_, above) = run(&PopulationModel::new(&s, &levelled), 1.2);
        assert!((workers(&above.retire_out) - 0.9 * retired_1).abs() < 1e-9 * retired_1);
        let (_, held) = run(&model, 1.2);
        assert_eq!(held.retire_out, all.retire_out);
    }
}
