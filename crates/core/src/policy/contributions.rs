//! Contributions (MODEL.md, "Contributions"): the pooled fund's income from employers,
//! employees, flexible workers, residents and the fiscal subsidy, and the buy-in of missing years
//! by continuing contributors, with the shares credited to personal accounts; each base the
//! expected log-normal wage clamped to the floor and cap in force (a share of the reference
//! wage).

use crate::data::{N_AGES, N_STATUS, Status, WORKER_STATUSES};
use crate::ledger::{IncomeLine, N_INCOME};
use crate::params::Month;
use crate::policy::lognormal::{ClampedMeanTable, LogNormal};
use crate::policy::maternity::MaternityFunding;
use crate::population::{Cells, GROUPS, cell};
use crate::scenario::{PolicySpec, Scenario, Unit, WageReference};

/// What management rules have added to a unit's financing, from the January after they fired.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Uplift {
    /// Added to the employer rate (share of payroll).
    pub(crate) employer_rate: f64,
    /// Added to the residents' contribution rate (share of the disposable income per resident).
    pub(crate) resident_rate: f64,
    /// Added to the subsidy per resident, yuan a year.
    pub(crate) resident_subsidy: f64,
}

/// Expected contribution bases per [sex][age] for one (wage, floor, cap): they change once a
/// year (or with a dated floor or cap), not every month, so a path keeps the last ones.
#[derive(Clone, Debug)]
pub(crate) struct ContributionBases {
    by_age: Vec<f64>,
    key: (f64, f64, f64),
}

impl Default for ContributionBases {
    fn default() -> ContributionBases {
        ContributionBases {
            by_age: vec![0.0; 2 * N_AGES],
            key: (f64::NAN, f64::NAN, f64::NAN),
        }
    }
}

impl ContributionBases {
    /// The expected base of a member of `sex` and age index `a`, yuan a month.
    pub fn of(&self, sex: usize, a: usize) -> f64 {
        self.by_age[sex * N_AGES + a]
    }
}

/// What a month's contributions are levied on, whatever the rates (see
/// [`Contributions::base`]).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct ContributionBase {
    /// The base floor in force, yuan a month (the buy-in's base).
    pub floor: f64,
    /// Share of due contributions collected (the driver times the unit's level).
    pub collection: f64,
    /// Σ members × expected base, enterprise and government employees, yuan a month.
    pub payroll: [f64; 2],
    /// Flexible workers (persons) and their base, yuan a month.
    pub flexible: f64,
    pub flexible_base: f64,
    /// Residents (persons) and the disposable income per resident their rate applies to,
    /// yuan a year.
    pub residents: f64,
    pub resident_income: f64,
    /// Continuing contributors (persons).
    pub continuing: f64,
}

/// A unit's contribution model: what depends on the scenario only.
pub(crate) struct Contributions {
    /// Relative wage per [sex][age], normalised so members' average is 1 at the start.
    wage_rel: [Vec<f64>; 2],
    /// Tabulated expected contribution bases (Monte Carlo paths; the exact ledger uses the
    /// formula).
    base_tables: Vec<std::sync::Arc<ClampedMeanTable>>,
    /// Disposable income per resident by the year it was earned, from the first year the
    /// residents' contributions of the horizon refer to (`resident_income_lag` years before the
    /// start) to the last: tabulated once, so that no month sums growth rates again.
    resident_income_by_year: Vec<f64>,
    first_resident_income_year: i32,
    /// Flexible workers' reference wage over the unit's: 1, or the area's average wage over the
    /// unit's (`flexible_base_reference = "area"`).
    flexible_reference_factor: f64,
    /// Multiplier on the collection rate (the unit's `collection_level`).
    collection_level: f64,
}

impl Contributions {
    /// The unit's contribution model; `initial_cells`: its membership at the start (the wage
    /// relativities are normalised over its members in service).
    pub fn new(scenario: &Scenario, unit: &Unit, initial_cells: &Cells) -> Contributions {
        let start = scenario.spec.start;
        let horizon = scenario.spec.horizon_months;
        let t = &scenario.tables;
        let p = &unit.policy;

        // Wage relativities normalised over the initial active members.
        let mut num = 0.0;
        let mut den = 0.0;
        for g in GROUPS {
            for s in WORKER_STATUSES {
                for a in 0..N_AGES {
                    let n = initial_cells.n[cell(g as usize, s as usize, a)];
                    num += n * t.wage.rel[g.sex()][a];
                    den += n;
                }
            }
        }
        let norm = if den > 0.0 && num > 0.0 {
            num / den
        } else {
            1.0
        };
        let wage_rel = [0, 1].map(|s| t.wage.rel[s].iter().map(|r| r / norm).collect());

        // Contribution-base tables, one per cap/floor ratio in force over the horizon.
        let mut base_tables: Vec<std::sync::Arc<ClampedMeanTable>> = Vec::new();
        for k in 0..horizon as i32 {
            let t = start.plus(k);
            let (f, c) = (p.base_floor.at(t), p.base_cap.at(t));
            if f > 0.0 && c >= f && !base_tables.iter().any(|b| b.ratio == c / f) {
                base_tables.push(ClampedMeanTable::shared(p.wage_dispersion, c / f));
            }
        }
        Contributions {
            wage_rel,
            base_tables,
            first_resident_income_year: start.year() - p.resident_income_lag as i32,
            resident_income_by_year: {
                let lag = p.resident_income_lag as i32;
                let last = start.plus(horizon as i32 - 1).year();
                (start.year() - lag..=last - lag)
                    .map(|y| p.resident_income_of(y, &scenario.spec.economy.wage_growth.mean))
                    .collect()
            },
            flexible_reference_factor: match p.flexible_base_reference {
                WageReference::Unit => 1.0,
                WageReference::Area => {
                    scenario.area_wage_prev_year / unit.spec.average_wage_prev_year
                }
            },
            collection_level: unit.spec.collection_level,
        }
    }

    /// What a month's contributions are levied on, whatever the rates: the payrolls, the
    /// flexible workers' and residents' bases and counts, the floor and the collection rate.
    /// `wage`: this year's average monthly wage; `reference`: the wage the floor, the cap and
    /// flexible workers' base refer to; `collection_rate`: the driver's share collected (times
    /// the unit's level here); `members`: by status at the start of the month.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub fn base(
        &self,
        p: &PolicySpec,
        t: Month,
        wage: f64,
        reference: f64,
        collection_rate: f64,
        cells: &Cells,
        members: &[f64; N_STATUS],
        bases: &mut ContributionBases,
        use_grid: bool,
    ) -> ContributionBase {
        let floor = p.base_floor.at(t) * reference;
        let cap = p.base_cap.at(t) * reference;
        let collection = collection_rate * self.collection_level;
        if bases.key != (wage, floor, cap) {
            let table = if use_grid {
                (floor > 0.0).then(|| cap / floor).and_then(|r| {
                    self.base_tables
                        .iter()
                        .find(|b| (b.ratio - r).abs() <= 1e-12 * r)
                })
            } else {
                None
            };
            for sex in 0..2 {
                for a in 0..N_AGES {
                    let mean = wage * self.wage_rel[sex][a];
                    bases.by_age[sex * N_AGES + a] = match table {
                        Some(b) => b.clamped_mean(mean, floor, cap),
                        None => {
                            LogNormal::with_mean(mean, p.wage_dispersion).clamped_mean(floor, cap)
                        }
                    };
                }
            }
            bases.key = (wage, floor, cap);
        }
        let mut payroll = [0.0; 2]; // enterprise, government: Σ n × E[base]
        for g in GROUPS {
            let sex = g.sex();
            for a in 0..N_AGES {
                let ne = cells.n[cell(g as usize, Status::Enterprise as usize, a)];
                let ng = cells.n[cell(g as usize, Status::Government as usize, a)];
                let base = bases.by_age[sex * N_AGES + a];
                payroll[0] += ne * base;
                payroll[1] += ng * base;
            }
        }
        // Residents: a share of the disposable income per resident of an earlier year
        // (Jiangmen 001 三).
        let i = t.year() - p.resident_income_lag as i32 - self.first_resident_income_year;
        let resident_income = self.resident_income_by_year
            [(i.max(0) as usize).min(self.resident_income_by_year.len() - 1)];
        ContributionBase {
            floor,
            collection,
            payroll,
            flexible: members[Status::Flexible as usize],
            flexible_base: p.flexible_base.at(t) * reference * self.flexible_reference_factor,
            residents: members[Status::Resident as usize],
            resident_income,
            continuing: members[Status::ContinuingContributor as usize],
        }
    }

    /// The month's contribution lines at the rates of `p` in month `t` plus the rules'
    /// `uplift`, on `base`: writes them into `income` and returns the contributions credited to
    /// personal accounts (yuan).
    pub fn lines(
        p: &PolicySpec,
        t: Month,
        base: &ContributionBase,
        maternity: MaternityFunding,
        uplift: Uplift,
        income: &mut [f64; N_INCOME],
    ) -> f64 {
        let ContributionBase {
            floor,
            collection,
            payroll,
            flexible: n_flex,
            flexible_base: flex_base,
            residents: n_res,
            resident_income,
            continuing: n_cont,
        } = *base;
        let er_ent = p.employer_rate.at(t) + maternity.merged_into_employer + uplift.employer_rate;
        let er_gov = p
            .employer_rate_government
            .as_ref()
            .map_or(p.employer_rate.at(t), |g| g.at(t))
            + maternity.merged_into_employer
            + uplift.employer_rate;
        let er_pa = p.employer_to_personal_account.at(t);
        let ee = p.employee_rate.at(t);
        let ee_pa = p.employee_to_personal_account.at(t);
        let employer = (payroll[0] * er_ent + payroll[1] * er_gov) * collection;
        // The personal-account share applies to the medical rate only: the maternity rate
        // merged into it is pooled money (000 §4: the maternity fund joins the pooled fund).
        let to_accounts = (employer
            - (payroll[0] + payroll[1]) * maternity.merged_into_employer * collection)
            * er_pa;
        let employee = (payroll[0] + payroll[1]) * ee * collection;
        income[IncomeLine::Employer] = employer - to_accounts;
        income[IncomeLine::Employee] = employee * (1.0 - ee_pa);
        let flex_pa = p.flexible_to_personal_account.at(t);
        let flex_rate = p.flexible_rate.at(t);
        income[IncomeLine::Flexible] =
            n_flex * flex_base * (flex_rate - flex_pa).max(0.0) * collection;
        let personal_account_income = to_accounts
            + employee * ee_pa
            + n_flex * flex_base * flex_pa.min(flex_rate) * collection;
        if maternity.separate {
            let covered = payroll[0]
                + payroll[1]
                + if maternity.flexible_covered {
                    n_flex * flex_base
                } else {
                    0.0
                };
            income[IncomeLine::Maternity] = covered * maternity.rate * collection;
        }
        // Residents: their contribution plus the fiscal subsidy, a twelfth a month.
        if n_res > 0.0 {
            income[IncomeLine::Resident] =
                n_res * (p.resident_rate.at(t) + uplift.resident_rate) * resident_income / 12.0
                    * collection;
            income[IncomeLine::Subsidy] =
                n_res * (p.resident_subsidy.at(t) + uplift.resident_subsidy) / 12.0;
        }
        income[IncomeLine::Buyin] = n_cont * floor * p.buyin_rate.at(t) * collection;
        personal_account_income
    }
}

/// Writes into `into` the fields of a policy that a trial of rates applies (the engine's
/// projection of several trials' rates at once) from `from`: those [`Contributions::lines`] reads (every
/// contribution line's rate and share to personal accounts, the residents' contribution and
/// subsidy, the buy-in rate, which the buy-ins paid at once read too) and the management rules'
/// bases (the employer and resident rates). Everything else of a trial's policy is the model's.
pub(crate) fn copy_trial_rates(into: &mut PolicySpec, from: &PolicySpec) {
    into.employer_rate = from.employer_rate.clone();
    into.employer_rate_government = from.employer_rate_government.clone();
    into.employer_to_personal_account = from.employer_to_personal_account.clone();
    into.employee_rate = from.employee_rate.clone();
    into.employee_to_personal_account = from.employee_to_personal_account.clone();
    into.flexible_rate = from.flexible_rate.clone();
    into.flexible_to_personal_account = from.flexible_to_personal_account.clone();
    into.resident_rate = from.resident_rate.clone();
    into.resident_subsidy = from.resident_subsidy.clone();
    into.buyin_rate = from.buyin_rate.clone();
}
