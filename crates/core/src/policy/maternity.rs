//! Maternity (MODEL.md, "Maternity"): births to insured women and to uninsured spouses of
//! insured men, drawn as counts in small cells; the medical costs of births and the maternity
//! allowance; and how maternity insurance is financed in a month (separate, or merged into the
//! employer's medical rate).

use crate::data::{Asfr, MIN_AGE, N_AGES, PARTNER_AGE_GAP, Status, WORKER_STATUSES};
use crate::params::Month;
use crate::population::{Cells, Counts, GROUPS, cell};
use crate::scenario::MaternitySpec;

/// How maternity insurance is financed in a month: its employer rate, whether it is still a
/// separate fund, and the rate merged into the employer's medical rate.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct MaternityFunding {
    /// The maternity employer rate (share of payroll), 0 without maternity insurance.
    pub(crate) rate: f64,
    /// The maternity fund is separate this month: its contributions are its own income.
    pub(crate) separate: bool,
    /// Added to the employer's medical rate after a merger (share of payroll; pooled money,
    /// never credited to personal accounts).
    pub(crate) merged_into_employer: f64,
    /// Flexible workers are covered by maternity insurance.
    pub(crate) flexible_covered: bool,
}

impl MaternityFunding {
    /// The funding in month `t` of maternity insurance `m` (None: the unit has none), which is
    /// `separate` this month or, after the merger month `merger`, merged.
    pub fn of(m: Option<&MaternitySpec>, t: Month, separate: bool, merger: Option<Month>) -> Self {
        let rate = m.map_or(0.0, |m| m.employer_rate.at(t));
        MaternityFunding {
            rate,
            separate,
            merged_into_employer: if m.is_some() && !separate && merger.is_some() {
                rate
            } else {
                0.0
            },
            flexible_covered: m.is_some_and(|m| m.flexible_covered),
        }
    }
}

/// A month's births and maternity spending.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct MaternityMonth {
    /// Births to insured women (those whose allowance and costs the fund pays).
    pub(crate) births_insured: f64,
    /// Births to uninsured spouses of insured men.
    pub(crate) births_spouse: f64,
    /// Medical costs of births, yuan.
    pub(crate) medical: f64,
    /// Maternity allowance, yuan.
    pub(crate) allowance: f64,
}

/// The month's births and maternity spending under maternity insurance `m`: `asfr` the
/// age-specific fertility table, `fertility_factor` the year's driver, `price_index` the
/// medical price index (1 in the cost price year), `average_wage_prev_year` the unit's average
/// monthly wage of the year before; births drawn by `counts` in small cells.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(crate) fn month(
    m: &MaternitySpec,
    asfr: &Asfr,
    t: Month,
    fertility_factor: f64,
    price_index: f64,
    average_wage_prev_year: f64,
    cells: &Cells,
    counts: &mut impl Counts,
) -> MaternityMonth {
    let fert = fertility_factor * m.insured_fertility_relative / 12.0;
    let mut births = [0.0; 3]; // by worker status
    let mut spouse = 0.0;
    // Only the ages at which a woman, or a man's partner, can have a birth (the rate is zero
    // elsewhere, and such ages were skipped anyway).
    let women = Asfr::MIN.saturating_sub(MIN_AGE)..=(Asfr::MAX - MIN_AGE).min(N_AGES - 1);
    let men = (Asfr::MIN + PARTNER_AGE_GAP).saturating_sub(MIN_AGE)
        ..=(Asfr::MAX + PARTNER_AGE_GAP - MIN_AGE).min(N_AGES - 1);
    for g in GROUPS {
        let gi = g as usize;
        let ages = if g.sex() == 1 {
            women.clone()
        } else {
            men.clone()
        };
        for a in ages {
            let age = a + MIN_AGE;
            if g.sex() == 1 {
                let f = asfr.at(age) * fert;
                if f == 0.0 {
                    continue;
                }
                for (w, s) in WORKER_STATUSES.iter().enumerate() {
                    births[w] += cells.n[cell(gi, *s as usize, a)] * f;
                }
            } else {
                let f = asfr.at(age.saturating_sub(PARTNER_AGE_GAP)) * fertility_factor / 12.0;
                if f == 0.0 {
                    continue;
                }
                for s in WORKER_STATUSES {
                    if s == Status::Flexible && !m.spouse_of_flexible_covered {
                        continue;
                    }
                    spouse += cells.n[cell(gi, s as usize, a)] * f * m.spouse_uninsured_share;
                }
            }
        }
    }
    for b in births.iter_mut() {
        *b = counts.poisson(*b);
    }
    let spouse = counts.poisson(spouse);
    let flex_births = if m.flexible_covered { births[2] } else { 0.0 };
    let births_insured = births[0] + births[1] + flex_births;
    let medical =
        (births_insured + spouse * m.spouse_cost_share) * m.medical_cost_per_birth * price_index;
    let per_birth = m.allowance_per_birth(t, average_wage_prev_year * m.employer_wage_relative);
    let with_allowance = births[0]
        + if m.allowance_government {
            births[1]
        } else {
            0.0
        }
        + if m.allowance_flexible {
            flex_births
        } else {
            0.0
        };
    MaternityMonth {
        births_insured,
        births_spouse: spouse,
        medical,
        allowance: with_allowance * per_birth,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cohort tables' fertility exposure is what `month` multiplies by the month's driver: on
    /// the national unit's start, births to insured women and to uninsured partners at
    /// expected values equal the exposure × fertility factor / 12 × the scenario's relative
    /// fertility and uninsured share, by hand.
    #[test]
    fn fertility_exposure_gives_the_maternity_births() {
        use crate::population::cohorts::FertilityExposure;
        use crate::population::{Expected, PopulationModel};
        use crate::scenario::Scenario;
        let s = Scenario::embedded_default().expect("default scenario");
        let unit = &s.units[0];
        let m = unit.policy.maternity.as_ref().expect("national maternity");
        let model = PopulationModel::new(&s, unit);
        let cells = model.initial_cells(unit, s.spec.start);
        let e = FertilityExposure::of(&s.tables.asfr, &cells);
        let factor = 1.3;
        let got = month(
            m,
            &s.tables.asfr,
            s.spec.start,
            factor,
            1.0,
            8000.0,
            &cells,
            &mut Expected,
        );
        let flex = if m.flexible_covered { e.women[2] } else { 0.0 };
        let insured =
            (e.women[0] + e.women[1] + flex) * factor * m.insured_fertility_relative / 12.0;
        let flex_partners = if m.spouse_of_flexible_covered {
            e.partners[2]
        } else {
            0.0
        };
        let spouse = (e.partners[0] + e.partners[1] + flex_partners) * factor / 12.0
            * m.spouse_uninsured_share;
        assert!(insured > 1000.0 && spouse > 0.0);
        assert!(
            (got.births_insured - insured).abs() <= 1e-12 * insured,
            "{} vs {insured}",
            got.births_insured
        );
        assert!(
            (got.births_spouse - spouse).abs() <= 1e-12 * spouse,
            "{} vs {spouse}",
            got.births_spouse
        );
    }
}
