//! One unit's month: contributions, benefits and maternity lines from its membership cells.

use super::MaternityArrangement;
use super::grid::ShiftGrid;
use std::sync::Arc;

/// Step of the benefit grid in log cost shift (0.5 %): interpolation error about 1e-7.
pub const BENEFIT_GRID_STEP: f64 = 0.005;
use crate::data::{Asfr, MIN_AGE, N_AGES, N_STATUS, Status, WORKER_STATUSES};
use crate::economy::DriverPath;
use crate::ledger::{N_INCOME, N_SPENDING, income, spending};
use crate::params::{Dated, Month};
use crate::policy::lognormal::{ClampedMeanTable, LogNormal};
use crate::policy::scale::PiecewiseLinear;
use crate::population::{
    BuyinModel, Cells, Counts, GROUPS, MemberFlows, MonthTables, PopulationModel, cell,
};
use crate::scenario::{BenefitSpec, MaternitySpec, PolicySpec, Scenario, Unit, WageReference};

/// One month's line amounts of a unit, yuan (f64; the ledger rounds them).
#[derive(Clone, Debug, Default)]
pub struct Lines {
    pub income: [f64; N_INCOME],
    pub spending: [f64; N_SPENDING],
}

/// Memo items of a unit's month: membership at the start of the month, flows and births.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Memo {
    /// Members by status at the start of the month (persons).
    pub members: [f64; N_STATUS],
    /// Births to insured women in the month.
    pub births_insured: f64,
    /// Births to uninsured spouses of insured men in the month.
    pub births_spouse: f64,
    /// Contributions credited to personal accounts (not pooled income), yuan.
    pub personal_account_income: f64,
    pub entries: f64,
    pub exits: f64,
    pub deaths: f64,
    pub retirements: f64,
    /// Added to the employer rate by management rules in this month (share of payroll).
    pub employer_rate_uplift: f64,
    /// 1 in the month a management rule fired for the unit (a year end), else 0.
    pub rule_fired: f64,
}

/// A benefit the pooled fund pays, tabulated per cell (its index is its place in the grid).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenefitKind {
    /// Inpatient care, first tier.
    Inpatient = 0,
    CriticalIllness = 1,
    /// Second-tier inpatient (Jiangmen's 二档).
    Tier2 = 2,
    Outpatient = 3,
}

impl BenefitKind {
    pub const ALL: [BenefitKind; N_BENEFIT_KINDS] = [
        BenefitKind::Inpatient,
        BenefitKind::CriticalIllness,
        BenefitKind::Tier2,
        BenefitKind::Outpatient,
    ];
    /// The benefits whose caps a new member's window reduces, in the order of each window's
    /// tabulated variants.
    pub const WINDOWED: [BenefitKind; 3] = [
        BenefitKind::Inpatient,
        BenefitKind::CriticalIllness,
        BenefitKind::Tier2,
    ];

    /// Of tabulated kind `k` (the four of every unit, then three variants per new-member
    /// window): its benefit, and whether it is a reduced-cap variant.
    pub fn of_tabulated(k: usize) -> (BenefitKind, bool) {
        if k < N_BENEFIT_KINDS {
            (BenefitKind::ALL[k], false)
        } else {
            (BenefitKind::WINDOWED[(k - N_BENEFIT_KINDS) % 3], true)
        }
    }

    /// Outpatient costs follow the outpatient cost curve; the others the inpatient one.
    pub fn is_outpatient(self) -> bool {
        self == BenefitKind::Outpatient
    }
}

/// Kinds of benefit tabulated per cell for every unit ([`BenefitKind::ALL`]).
pub const N_BENEFIT_KINDS: usize = 4;
/// Cells of the benefit grid: kind × (in service, retired) × sex × age.
pub const N_BENEFIT_CELLS: usize = N_BENEFIT_KINDS * 2 * 2 * N_AGES;

#[inline]
fn benefit_cell(kind: usize, retired: usize, sex: usize, a: usize) -> usize {
    ((kind * 2 + retired) * 2 + sex) * N_AGES + a
}

/// One hospital level's scales as functions of the member's annual allowed cost.
#[derive(Clone, Debug)]
pub struct LevelScales {
    pub share: f64,
    pub inpatient: PiecewiseLinear,
    pub tier2: PiecewiseLinear,
    pub critical_illness: PiecewiseLinear,
}

/// Benefit scales in force in a month, for members in service [0] and retirees [1]: each the
/// share-weighted mixture over hospital levels, so that its lognormal expectation is exact.
#[derive(Clone, Debug)]
pub struct BenefitRegime {
    pub inpatient: [PiecewiseLinear; 2],
    pub critical_illness: [PiecewiseLinear; 2],
    pub tier2: [PiecewiseLinear; 2],
    pub outpatient: [PiecewiseLinear; 2],
    /// Per hospital level (one level without `hospital_levels`), for [0] and [1].
    pub levels: [Vec<LevelScales>; 2],
    /// For members of short continuous standing (`new_member_cap_factors`): per window, the
    /// first-tier inpatient, critical-illness and second-tier mixtures with reduced caps.
    pub new_member: Vec<[PiecewiseLinear; 2]>,
}

fn scale(b: &BenefitSpec, retired: bool) -> PiecewiseLinear {
    scale_adjusted(b, retired, 0.0)
}

/// A benefit scale with every ratio moved by `ratio_delta` (and the retiree deltas if retired).
fn scale_adjusted(b: &BenefitSpec, retired: bool, ratio_delta: f64) -> PiecewiseLinear {
    let (dd, dr) = if retired {
        (b.retiree_deductible_delta, b.retiree_ratio_delta)
    } else {
        (0.0, 0.0)
    };
    let tiers: Vec<(f64, f64)> = b
        .tiers
        .iter()
        .map(|t| (t[0], (t[1] + dr + ratio_delta).clamp(0.0, 1.0)))
        .collect();
    PiecewiseLinear::coinsurance(b.deductible + dd, &tiers, b.cap)
}

impl BenefitRegime {
    /// Per level: the first tier f₁(X); the self-pay above the deductible
    /// A₁ = X − f₁(X) − min(X, d), on which the second tier pays t₂(A₁); the self-pay left,
    /// A₂ = A₁ − t₂(A₁), on which critical illness pays c(A₂). (Jiangmen 001: both the second
    /// tier and critical illness count self-pay "excluding the deductible"; stacking them in
    /// this order, so that together they never pay more than the member's cost, is an
    /// ASSUMPTION.)
    /// `wage_growth_mean`: the scenario's expected wage growth, which carries the resident
    /// income a critical-illness threshold may follow (`critical_illness_threshold_from`).
    pub fn new(p: &PolicySpec, t: Month, wage_growth_mean: &Dated<f64>) -> BenefitRegime {
        let base = p.inpatient.at(t);
        let levels_spec: Vec<(f64, BenefitSpec, f64, f64)> = match &p.hospital_levels {
            Some(ls) => ls
                .iter()
                .map(|l| {
                    let mut b = base.clone();
                    b.deductible = l.deductible;
                    b.tiers = vec![[f64::INFINITY, l.ratio]];
                    (
                        l.share,
                        b,
                        l.tier2_ratio_delta,
                        l.critical_illness_ratio_delta,
                    )
                })
                .collect(),
            None => vec![(1.0, base.clone(), 0.0, 0.0)],
        };
        let tier2 = p.tier2.as_ref().map(|d| d.at(t));
        let ci = p.critical_illness_at(t, wage_growth_mean);
        // The scales of every level, with the first tier's and critical illness's caps scaled
        // by `cap_factor` (1 for members of full standing).
        let build = |cap_factor: f64| {
            [false, true].map(|r| {
                levels_spec
                    .iter()
                    .map(|(share, b, d2, dci)| {
                        let mut b = b.clone();
                        b.cap *= cap_factor;
                        let f1 = scale(&b, r);
                        let deductible =
                            b.deductible + if r { b.retiree_deductible_delta } else { 0.0 };
                        let mut a1 = PiecewiseLinear::identity().minus(&f1);
                        if deductible > 0.0 {
                            a1 = a1.minus(&PiecewiseLinear::identity().capped(deductible));
                        }
                        let t2 = tier2.as_ref().map_or_else(PiecewiseLinear::zero, |s| {
                            let mut s = s.clone();
                            s.cap *= cap_factor;
                            a1.then(&scale_adjusted(&s, r, *d2))
                        });
                        let a2 = a1.minus(&t2);
                        let c = ci.as_ref().map_or_else(PiecewiseLinear::zero, |s| {
                            let mut s = s.clone();
                            s.cap *= cap_factor;
                            a2.then(&scale_adjusted(&s, r, *dci))
                        });
                        LevelScales {
                            share: *share,
                            inpatient: f1,
                            tier2: t2,
                            critical_illness: c,
                        }
                    })
                    .collect::<Vec<_>>()
            })
        };
        let levels = build(1.0);
        let mix =
            |lv: &[Vec<LevelScales>; 2], r: usize, f: &dyn Fn(&LevelScales) -> &PiecewiseLinear| {
                lv[r].iter().fold(PiecewiseLinear::zero(), |acc, l| {
                    acc.plus(&f(l).scaled(l.share))
                })
            };
        let inpatient = [0, 1].map(|r| mix(&levels, r, &|l| &l.inpatient));
        let critical_illness = [0, 1].map(|r| mix(&levels, r, &|l| &l.critical_illness));
        let tier2 = [0, 1].map(|r| mix(&levels, r, &|l| &l.tier2));
        let new_member: Vec<[PiecewiseLinear; 2]> = p
            .new_member_cap_factors
            .iter()
            .flatten()
            .flat_map(|w| {
                let lv = build(w[1]);
                [
                    [0, 1].map(|r| mix(&lv, r, &|l| &l.inpatient)),
                    [0, 1].map(|r| mix(&lv, r, &|l| &l.critical_illness)),
                    [0, 1].map(|r| mix(&lv, r, &|l| &l.tier2)),
                ]
            })
            .collect();
        let outpatient = [false, true].map(|r| {
            let primary = p
                .outpatient
                .as_ref()
                .map_or_else(PiecewiseLinear::zero, |o| scale(&o.at(t), r));
            match &p.outpatient_second_clinic {
                None => primary,
                Some(c) => {
                    // Referred and direct care at the second clinic, each up to its cap, on the
                    // second clinic's share of the cost; the primary scale on the rest.
                    let at = |ratio: f64| {
                        PiecewiseLinear::coinsurance(0.0, &[(f64::INFINITY, ratio)], c.cap)
                    };
                    let second = at(c.referred_ratio)
                        .scaled(c.referred_share)
                        .plus(&at(c.direct_ratio).scaled(1.0 - c.referred_share));
                    primary
                        .of_share(1.0 - c.share)
                        .plus(&second.of_share(c.share))
                }
            }
        });
        BenefitRegime {
            inpatient,
            critical_illness,
            tier2,
            outpatient,
            levels,
            new_member,
        }
    }

    /// The fund's payments for an annual allowed cost `x` at hospital level `level`:
    /// (first-tier inpatient, second tier, critical illness), yuan.
    pub fn payments(&self, level: usize, retired: bool, x: f64) -> (f64, f64, f64) {
        let l = &self.levels[usize::from(retired)][level];
        (
            l.inpatient.eval(x),
            l.tier2.eval(x),
            l.critical_illness.eval(x),
        )
    }
}

/// Per-path quantities of a unit derived from the drivers once per path.
pub struct UnitPath {
    /// Average monthly wage by calendar year, from two years before the start year.
    wage_by_year: Vec<f64>,
    first_wage_year: i32,
    /// Log medical price index per month, relative to the cost price year.
    log_price: Vec<f64>,
    /// Log utilisation index per month, relative to the cost price year.
    log_utilisation: Vec<f64>,
    /// Expected contribution base per [sex][age] for the (wage, floor, cap) in `base_key`:
    /// they change once a year (or with a dated floor or cap), not every month.
    base_by_age: Vec<f64>,
    base_key: (f64, f64, f64),
    /// Working space: members × probability of use per benefit cell, this month.
    exposure: Vec<f64>,
    /// Entries of the last 24 months (most recent first) of residents and flexible workers,
    /// for new members' reduced caps and waiting periods.
    resident_entries: [f64; 24],
    flexible_entries: [f64; 24],
    worker_entries: [f64; 24],
}

/// Sum of the entries of months `from..to` ago (0 = this month's start).
fn window(ring: &[f64; 24], from: usize, to: usize) -> f64 {
    ring[from.min(24)..to.min(24)].iter().sum()
}

impl UnitPath {
    fn wage(&self, year: i32) -> f64 {
        let i = (year - self.first_wage_year).clamp(0, self.wage_by_year.len() as i32 - 1);
        self.wage_by_year[i as usize]
    }
}

/// What management rules have added to a unit's financing, from the January after they fired.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Uplift {
    /// Added to the employer rate (share of payroll).
    pub employer_rate: f64,
    /// Added to the residents' contribution rate (share of the disposable income per resident).
    pub resident_rate: f64,
    /// Added to the subsidy per resident, yuan a year.
    pub resident_subsidy: f64,
}

/// Everything about a unit that depends only on the scenario.
pub struct UnitModel {
    pub name: String,
    pub population: PopulationModel,
    pub tables: MonthTables,
    pub initial_cells: Cells,
    policy: PolicySpec,
    maternity: Option<MaternitySpec>,
    merger: Option<Month>,
    arrangement: MaternityArrangement,
    buyin: BuyinModel,
    avg_wage_prev_year: f64,
    /// Whether the unit has members in service at the start.
    has_workers: bool,
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
    /// Annual growth of the number of residents.
    resident_growth: f64,
    /// Relative wage per [sex][age], normalised so members' average is 1 at the start.
    wage_rel: [Vec<f64>; 2],
    /// Tabulated expected contribution bases (Monte Carlo paths; the exact ledger uses the
    /// formula).
    base_tables: Vec<ClampedMeanTable>,
    /// log-mean of inpatient / outpatient cost at price-year levels per [sex][age].
    mu_in: [Vec<f64>; 2],
    mu_out: [Vec<f64>; 2],
    p_in: [Vec<f64>; 2],
    p_out: [Vec<f64>; 2],
    sigma_in: f64,
    sigma_out: f64,
    asfr: Asfr,
    /// Benefit regime index per month, and the distinct regimes.
    regime_of_month: Vec<usize>,
    regimes: Vec<BenefitRegime>,
    /// Months from the middle of the cost price year to the start.
    price_year_gap_months: f64,
    /// Expected payments per user tabulated against the cost shift (Monte Carlo only; shared
    /// by units with the same costs and benefits).
    benefit_grid: Option<Arc<ShiftGrid>>,
    start: Month,
}

impl UnitModel {
    pub fn new(scenario: &Scenario, unit: &Unit, arrangement: MaternityArrangement) -> UnitModel {
        let start = scenario.spec.start;
        let horizon = scenario.spec.horizon_months;
        let population = PopulationModel::new(scenario, unit);
        let tables = MonthTables::new(&population, start, horizon);
        let initial_cells = population.initial_cells(unit, start);
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

        let c = &p.costs;
        let level = unit.spec.utilisation_level;
        let mu =
            |mean: f64, rel: f64, sigma: f64| (mean * rel).max(1e-9).ln() - 0.5 * sigma * sigma;
        let mu_in = [0, 1].map(|s| {
            t.cost.inpatient_cost_rel[s]
                .iter()
                .map(|&r| mu(c.inpatient_mean, r, c.inpatient_sigma))
                .collect()
        });
        let mu_out = [0, 1].map(|s| {
            t.cost.outpatient_cost_rel[s]
                .iter()
                .map(|&r| mu(c.outpatient_mean, r, c.outpatient_sigma))
                .collect()
        });
        let p_in = [0, 1].map(|s| {
            t.cost.inpatient_use[s]
                .iter()
                .map(|&u| (u * level).min(1.0))
                .collect()
        });
        let p_out = [0, 1].map(|s| {
            t.cost.outpatient_use[s]
                .iter()
                .map(|&u| (u * level).min(1.0))
                .collect()
        });

        // Contribution-base tables, one per cap/floor ratio in force over the horizon.
        let mut base_tables: Vec<ClampedMeanTable> = Vec::new();
        for k in 0..horizon as i32 {
            let t = start.plus(k);
            let (f, c) = (p.base_floor.at(t), p.base_cap.at(t));
            if f > 0.0 && c >= f && !base_tables.iter().any(|b| b.ratio == c / f) {
                base_tables.push(ClampedMeanTable::new(p.wage_dispersion, c / f));
            }
        }
        // Distinct benefit regimes over the horizon.
        let wage_mean = &scenario.spec.economy.wage_growth.mean;
        let mut regimes: Vec<BenefitRegime> = Vec::new();
        type RegimeKey = (
            BenefitSpec,
            Option<BenefitSpec>,
            Option<BenefitSpec>,
            Option<BenefitSpec>,
        );
        let mut keys: Vec<RegimeKey> = Vec::new();
        let mut regime_of_month = Vec::with_capacity(horizon as usize);
        for k in 0..horizon as i32 {
            let m = start.plus(k);
            let key = (
                p.inpatient.at(m),
                p.critical_illness_at(m, wage_mean),
                p.outpatient.as_ref().map(|d| d.at(m)),
                p.tier2.as_ref().map(|d| d.at(m)),
            );
            let idx = keys.iter().position(|x| *x == key).unwrap_or_else(|| {
                keys.push(key);
                regimes.push(BenefitRegime::new(p, m, wage_mean));
                regimes.len() - 1
            });
            regime_of_month.push(idx);
        }

        let merger = match arrangement {
            MaternityArrangement::AsScenario => p.maternity.as_ref().and_then(|m| m.merger),
            MaternityArrangement::Separate => None,
        };
        let price_year_mid = Month::new(c.price_year, 7).unwrap_or(start);
        UnitModel {
            collection_level: unit.spec.collection_level,
            name: unit.spec.name.clone(),
            buyin: population.buyin.clone(),
            population,
            tables,
            initial_cells,
            policy: p.clone(),
            maternity: p.maternity.clone(),
            merger,
            arrangement,
            avg_wage_prev_year: unit.spec.average_wage_prev_year,
            first_resident_income_year: start.year() - p.resident_income_lag as i32,
            resident_income_by_year: {
                let lag = p.resident_income_lag as i32;
                let last = start.plus(horizon as i32 - 1).year();
                (start.year() - lag..=last - lag)
                    .map(|y| p.resident_income_of(y, &scenario.spec.economy.wage_growth.mean))
                    .collect()
            },
            has_workers: {
                let m = &unit.spec.membership;
                m.enterprise + m.government + m.flexible > 0.0
            },
            flexible_reference_factor: match p.flexible_base_reference {
                WageReference::Unit => 1.0,
                WageReference::Area => {
                    scenario.area_wage_prev_year / unit.spec.average_wage_prev_year
                }
            },
            resident_growth: unit.spec.membership.resident_growth,
            wage_rel,
            mu_in,
            mu_out,
            p_in,
            p_out,
            sigma_in: c.inpatient_sigma,
            sigma_out: c.outpatient_sigma,
            asfr: t.asfr.clone(),
            regime_of_month,
            regimes,
            price_year_gap_months: f64::from(start.since(price_year_mid)),
            start,
            benefit_grid: None,
            base_tables,
        }
    }

    /// Expected fund payment per user of a year (yuan) of benefit `kind` for a member of `sex`
    /// and age index `a` (retired or not) under regime `ri`, at cost shift `shift`: exact,
    /// through the lognormal limited expected value.
    pub fn expected_benefit(
        &self,
        ri: usize,
        kind: usize,
        retired: usize,
        sex: usize,
        a: usize,
        shift: f64,
    ) -> f64 {
        let regime = &self.regimes[ri];
        let (benefit, variant) = BenefitKind::of_tabulated(kind);
        let scale = match (variant, benefit) {
            (true, _) => &regime.new_member[kind - N_BENEFIT_KINDS][retired],
            (false, BenefitKind::Inpatient) => &regime.inpatient[retired],
            (false, BenefitKind::CriticalIllness) => &regime.critical_illness[retired],
            (false, BenefitKind::Tier2) => &regime.tier2[retired],
            (false, BenefitKind::Outpatient) => &regime.outpatient[retired],
        };
        let (mu, sigma) = if benefit.is_outpatient() {
            (self.mu_out[sex][a], self.sigma_out)
        } else {
            (self.mu_in[sex][a], self.sigma_in)
        };
        scale.expected(&LogNormal {
            mu: mu + shift,
            sigma,
        })
    }

    /// Benefit kinds of this unit: the four of every unit, then, per new-member window, the
    /// first tier, critical illness and the second tier with reduced caps.
    pub fn n_kinds(&self) -> usize {
        N_BENEFIT_KINDS + self.regimes.first().map_or(0, |r| r.new_member.len())
    }

    /// What the benefit grid depends on: units with equal keys can share one.
    pub fn benefit_grid_key(&self) -> String {
        format!(
            "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{}|{}",
            self.policy.inpatient,
            (
                &self.policy.outpatient,
                &self.policy.outpatient_second_clinic
            ),
            (
                &self.policy.critical_illness,
                &self.policy.critical_illness_threshold_from,
                &self.policy.resident_income,
                self.policy.resident_income_indexed,
                self.policy.resident_income_lag,
            ),
            (&self.policy.tier2, &self.policy.new_member_cap_factors),
            self.policy.hospital_levels,
            self.regime_of_month,
            self.mu_in,
            self.mu_out,
            self.sigma_in,
            self.sigma_out
        )
    }

    /// Tabulates expected payments per user over cost shifts [s_lo, s_hi].
    /// Bytes of the grid [`Self::build_benefit_grid`] would build over [s_lo, s_hi].
    pub fn benefit_grid_bytes(&self, s_lo: f64, s_hi: f64) -> usize {
        ShiftGrid::planned_bytes(
            self.regimes.len(),
            self.n_kinds() * 2 * 2 * N_AGES,
            s_lo,
            s_hi,
            BENEFIT_GRID_STEP,
        )
    }

    pub fn build_benefit_grid(&self, s_lo: f64, s_hi: f64) -> ShiftGrid {
        ShiftGrid::new(
            self.regimes.len(),
            self.n_kinds() * 2 * 2 * N_AGES,
            s_lo,
            s_hi,
            BENEFIT_GRID_STEP,
            |ri, shift, out| {
                for kind in 0..self.n_kinds() {
                    // Reduced caps concern new members, never retirees.
                    let statuses = if kind >= N_BENEFIT_KINDS { 1 } else { 2 };
                    for r in 0..statuses {
                        for sex in 0..2 {
                            for a in 0..N_AGES {
                                out[benefit_cell(kind, r, sex, a)] =
                                    self.expected_benefit(ri, kind, r, sex, a, shift);
                            }
                        }
                    }
                }
            },
        )
    }

    pub fn set_benefit_grid(&mut self, grid: Arc<ShiftGrid>) {
        self.benefit_grid = Some(grid);
    }

    pub fn benefit_grid(&self) -> Option<Arc<ShiftGrid>> {
        self.benefit_grid.clone()
    }

    /// The employer rate for enterprises in month `t` before any management rule.
    pub fn employer_rate(&self, t: Month) -> f64 {
        self.policy.employer_rate.at(t)
    }

    /// The residents' contribution rate in force in month `t` (share of the disposable income
    /// per resident), before management rules.
    pub fn resident_rate(&self, t: Month) -> f64 {
        self.policy.resident_rate.at(t)
    }

    /// Months from the middle of the cost price year to the start.
    pub fn price_year_gap_months(&self) -> f64 {
        self.price_year_gap_months
    }

    /// A separate maternity fund exists at some point of the horizon.
    /// A unit with maternity insurance before a merger (or kept separate) and members in
    /// service at the start: maternity insurance covers employees, so a unit of residents alone
    /// (Jiangmen's residents' account) has no maternity fund.
    pub fn has_separate_maternity_fund(&self) -> bool {
        self.maternity.is_some()
            && self.has_workers
            && (self.merger.is_some() || self.arrangement == MaternityArrangement::Separate)
    }

    /// The maternity fund is still separate in month `t`.
    pub fn maternity_separate_in(&self, t: Month) -> bool {
        self.maternity.is_some()
            && match self.arrangement {
                MaternityArrangement::Separate => true,
                MaternityArrangement::AsScenario => self.merger.is_some_and(|m| t < m),
            }
    }

    /// The month the separate maternity fund merges into the pooled fund, if it does.
    pub fn merger(&self) -> Option<Month> {
        self.merger
    }

    pub fn is_merger_month(&self, t: Month) -> bool {
        self.merger == Some(t)
    }

    pub fn path(&self, d: &DriverPath) -> UnitPath {
        let first = d.first_year - 2;
        let mut w = Vec::with_capacity(d.years() + 2);
        // The year before the start is given; two years before is deflated by the first
        // year's wage growth (an assumption: the history is not in the scenario).
        w.push(self.avg_wage_prev_year / d.wage_growth[0].exp());
        w.push(self.avg_wage_prev_year);
        for g in &d.wage_growth {
            let last = *w.last().unwrap_or(&self.avg_wage_prev_year);
            w.push(last * g.exp());
        }
        // Cost indices: before the start, history grows at the first year's rates (an
        // assumption); month k ≥ 1 adds a twelfth of its calendar year's rate.
        let n = self.tables.retire_share.len();
        let mut log_price = Vec::with_capacity(n);
        let mut log_utilisation = Vec::with_capacity(n);
        let (mut lp, mut lu) = (
            d.medical_price_growth[0] * self.price_year_gap_months / 12.0,
            d.utilisation_growth[0] * self.price_year_gap_months / 12.0,
        );
        for k in 0..n {
            if k > 0 {
                let yi = d.year_index(self.start.plus(k as i32).year());
                lp += d.medical_price_growth[yi] / 12.0;
                lu += d.utilisation_growth[yi] / 12.0;
            }
            log_price.push(lp);
            log_utilisation.push(lu);
        }
        UnitPath {
            wage_by_year: w,
            first_wage_year: first,
            log_price,
            log_utilisation,
            base_by_age: vec![0.0; 2 * N_AGES],
            base_key: (f64::NAN, f64::NAN, f64::NAN),
            exposure: vec![0.0; self.n_kinds() * 2 * 2 * N_AGES],
            resident_entries: [0.0; 24],
            flexible_entries: [0.0; 24],
            worker_entries: [0.0; 24],
        }
    }

    /// One month of the unit: lines from the cells at the start of the month, then the
    /// month's membership flows.
    #[allow(clippy::too_many_arguments)]
    pub fn month(
        &self,
        k: usize,
        t: Month,
        d: &DriverPath,
        up: &mut UnitPath,
        cells: &mut Cells,
        flows: &mut MemberFlows,
        counts: &mut impl Counts,
        use_grid: bool,
        uplift: Uplift,
    ) -> (Lines, Memo) {
        let rate_uplift = uplift.employer_rate;
        let p = &self.policy;
        let yi = d.year_index(t.year());
        let mut lines = Lines::default();
        let mut memo = Memo {
            members: cells.status_totals(),
            ..Memo::default()
        };

        // --- contributions ------------------------------------------------------------
        let wage = up.wage(t.year());
        let reference = up.wage(t.year() - p.base_reference_lag as i32);
        let floor = p.base_floor.at(t) * reference;
        let cap = p.base_cap.at(t) * reference;
        let collection = d.collection_rate[yi] * self.collection_level;
        let separate = self.maternity_separate_in(t);
        let maternity_rate = self
            .maternity
            .as_ref()
            .map_or(0.0, |m| m.employer_rate.at(t));
        let merged_extra = if self.maternity.is_some() && !separate && self.merger.is_some() {
            maternity_rate
        } else {
            0.0
        };
        let er_ent = p.employer_rate.at(t) + merged_extra + rate_uplift;
        let er_gov = p
            .employer_rate_government
            .as_ref()
            .map_or(p.employer_rate.at(t), |g| g.at(t))
            + merged_extra
            + rate_uplift;
        memo.employer_rate_uplift = rate_uplift;
        let er_pa = p.employer_to_personal_account.at(t);
        let ee = p.employee_rate.at(t);
        let ee_pa = p.employee_to_personal_account.at(t);
        let flex_covered = self.maternity.as_ref().is_some_and(|m| m.flexible_covered);
        if up.base_key != (wage, floor, cap) {
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
                    up.base_by_age[sex * N_AGES + a] = match table {
                        Some(b) => b.clamped_mean(mean, floor, cap),
                        None => {
                            LogNormal::with_mean(mean, p.wage_dispersion).clamped_mean(floor, cap)
                        }
                    };
                }
            }
            up.base_key = (wage, floor, cap);
        }
        let mut payroll = [0.0; 2]; // enterprise, government: Σ n × E[base]
        for g in GROUPS {
            let sex = g.sex();
            for a in 0..N_AGES {
                let ne = cells.n[cell(g as usize, Status::Enterprise as usize, a)];
                let ng = cells.n[cell(g as usize, Status::Government as usize, a)];
                let base = up.base_by_age[sex * N_AGES + a];
                payroll[0] += ne * base;
                payroll[1] += ng * base;
            }
        }
        let employer = (payroll[0] * er_ent + payroll[1] * er_gov) * collection;
        // The personal-account share applies to the medical rate only: the maternity rate
        // merged into it is pooled money (000 §4: the maternity fund joins the pooled fund).
        let to_accounts =
            (employer - (payroll[0] + payroll[1]) * merged_extra * collection) * er_pa;
        let employee = (payroll[0] + payroll[1]) * ee * collection;
        lines.income[income::EMPLOYER] = employer - to_accounts;
        lines.income[income::EMPLOYEE] = employee * (1.0 - ee_pa);
        let n_flex = memo.members[Status::Flexible as usize];
        let flex_base = p.flexible_base.at(t) * reference * self.flexible_reference_factor;
        let flex_pa = p.flexible_to_personal_account.at(t);
        let flex_rate = p.flexible_rate.at(t);
        lines.income[income::FLEXIBLE] =
            n_flex * flex_base * (flex_rate - flex_pa).max(0.0) * collection;
        memo.personal_account_income = to_accounts
            + employee * ee_pa
            + n_flex * flex_base * flex_pa.min(flex_rate) * collection;
        if separate {
            let covered = payroll[0]
                + payroll[1]
                + if flex_covered {
                    n_flex * flex_base
                } else {
                    0.0
                };
            lines.income[income::MATERNITY] = covered * maternity_rate * collection;
        }
        // Residents: a share of the disposable income per resident of an earlier year, plus
        // the fiscal subsidy, a twelfth a month (Jiangmen 001 三).
        let n_res = memo.members[Status::Resident as usize];
        if n_res > 0.0 {
            let i = t.year() - p.resident_income_lag as i32 - self.first_resident_income_year;
            let base = self.resident_income_by_year
                [(i.max(0) as usize).min(self.resident_income_by_year.len() - 1)];
            lines.income[income::RESIDENT] =
                n_res * (p.resident_rate.at(t) + uplift.resident_rate) * base / 12.0 * collection;
            lines.income[income::SUBSIDY] =
                n_res * (p.resident_subsidy.at(t) + uplift.resident_subsidy) / 12.0;
        }
        let n_cont = memo.members[Status::ContinuingContributor as usize];
        lines.income[income::BUYIN] = n_cont * floor * p.buyin_rate.at(t) * collection;

        // --- benefits -----------------------------------------------------------------
        let shift = up.log_price[k] + up.log_utilisation[k];
        let ri = self.regime_of_month[k];
        let season = p.seasonality[t.month0()];
        let point = if use_grid {
            self.benefit_grid.as_ref().and_then(|g| g.locate(shift))
        } else {
            None
        };
        // Shares of residents and of workers within each new-member window, and of flexible
        // workers still waiting (entries of the months before, over today's members;
        // ASSUMPTION: nobody is new at the start).
        let n_res = memo.members[Status::Resident as usize];
        let n_work: f64 = WORKER_STATUSES
            .iter()
            .map(|&st| memo.members[st as usize])
            .sum();
        let mut res_share = [0.0; 4];
        let mut work_share = [0.0; 4];
        let mut from = 0;
        for (j, w) in p
            .new_member_cap_factors
            .iter()
            .flatten()
            .take(4)
            .enumerate()
        {
            let to = w[0] as usize;
            if n_res > 0.0 {
                res_share[j] = (window(&up.resident_entries, from, to) / n_res).min(1.0);
            }
            if n_work > 0.0 {
                work_share[j] = (window(&up.worker_entries, from, to) / n_work).min(1.0);
            }
            from = to;
        }
        let n_flex_now = memo.members[Status::Flexible as usize];
        let waiting = if n_flex_now > 0.0 && p.flexible_waiting_months > 0 {
            (window(&up.flexible_entries, 0, p.flexible_waiting_months as usize) / n_flex_now)
                .min(1.0)
        } else {
            0.0
        };
        let n_windows = self.n_kinds() - N_BENEFIT_KINDS;
        // Exposure per benefit cell: members × the year's probability of use, in service (with
        // residents) and retired; members of short standing move from the full-cap kinds to
        // their reduced-cap variants.
        let exposure = &mut up.exposure;
        // The four kinds of every unit are written in full below; the reduced-cap variants
        // only accumulate.
        exposure[N_BENEFIT_CELLS..].fill(0.0);
        // Members by sex and age: [0] in service (flexible workers past their wait), [1]
        // retired, [2] residents, [3] workers (for the new-member windows).
        let mut by_age = [[[0.0; N_AGES]; 4]; 2];
        for (g, group) in GROUPS.iter().zip(cells.n.chunks_exact(N_STATUS * N_AGES)) {
            let sums = &mut by_age[g.sex()];
            let (rows, _) = group.as_chunks::<N_AGES>();
            for (st, row) in rows.iter().enumerate() {
                let (into, weight, worker) = match st {
                    s if s == Status::Retiree as usize => (1, 1.0, false),
                    s if s == Status::Resident as usize => (2, 1.0, false),
                    s if s == Status::Flexible as usize => (0, 1.0 - waiting, true),
                    s if s == Status::ContinuingContributor as usize => (0, 1.0, false),
                    _ => (0, 1.0, true),
                };
                for a in 0..N_AGES {
                    sums[into][a] += row[a] * weight;
                }
                if worker {
                    for a in 0..N_AGES {
                        sums[3][a] += row[a] * weight;
                    }
                }
            }
        }
        for (sex, [active, retired, resident, workers]) in by_age.iter().enumerate() {
            for benefit in BenefitKind::ALL {
                let kind = benefit as usize;
                let p = if benefit.is_outpatient() {
                    &self.p_out[sex][..N_AGES]
                } else {
                    &self.p_in[sex][..N_AGES]
                };
                let i0 = benefit_cell(kind, 0, sex, 0);
                for ((e, p), (a, r)) in exposure[i0..i0 + N_AGES]
                    .iter_mut()
                    .zip(p)
                    .zip(active.iter().zip(resident))
                {
                    *e = (a + r) * p;
                }
                let i1 = benefit_cell(kind, 1, sex, 0);
                for ((e, n), p) in exposure[i1..i1 + N_AGES].iter_mut().zip(retired).zip(p) {
                    *e = n * p;
                }
            }
            for j in 0..n_windows / 3 {
                for a in 0..N_AGES {
                    let m = (resident[a] * res_share[j] + workers[a] * work_share[j])
                        * self.p_in[sex][a];
                    if m > 0.0 {
                        for (off, benefit) in BenefitKind::WINDOWED.into_iter().enumerate() {
                            exposure[benefit_cell(N_BENEFIT_KINDS + 3 * j + off, 0, sex, a)] += m;
                            exposure[benefit_cell(benefit as usize, 0, sex, a)] -= m;
                        }
                    }
                }
            }
        }
        // Expected annual payments per kind (variants add to their kind).
        let mut annual = [0.0; N_BENEFIT_KINDS]; // by BenefitKind
        let block = 2 * 2 * N_AGES;
        for kind in 0..self.n_kinds() {
            let into = BenefitKind::of_tabulated(kind).0 as usize;
            let ex = &exposure[kind * block..(kind + 1) * block];
            annual[into] += match (&point, &self.benefit_grid) {
                (Some(pt), Some(g)) => {
                    // Row by row (in service, retired × sex), over the ages with members only.
                    let mut sum = 0.0;
                    for (row, ex) in ex.chunks_exact(N_AGES).enumerate() {
                        let Some(lo) = ex.iter().position(|&e| e != 0.0) else {
                            continue;
                        };
                        let hi = ex.iter().rposition(|&e| e != 0.0).map_or(lo, |h| h + 1);
                        let first = kind * block + row * N_AGES + lo;
                        sum += g.weighted_sum(ri, pt, first, &ex[lo..hi]);
                    }
                    sum
                }
                _ => {
                    let mut sum = 0.0;
                    for r in 0..2 {
                        for sex in 0..2 {
                            for a in 0..N_AGES {
                                let e = ex[(r * 2 + sex) * N_AGES + a];
                                if e != 0.0 {
                                    sum += e * self.expected_benefit(ri, kind, r, sex, a, shift);
                                }
                            }
                        }
                    }
                    sum
                }
            };
        }
        for (benefit, line) in [
            (BenefitKind::Inpatient, spending::INPATIENT),
            (BenefitKind::CriticalIllness, spending::CRITICAL_ILLNESS),
            (BenefitKind::Tier2, spending::TIER2),
            (BenefitKind::Outpatient, spending::OUTPATIENT),
        ] {
            lines.spending[line] = annual[benefit as usize] / 12.0 * season;
        }
        lines.spending[spending::PERSONAL_ACCOUNT] =
            memo.members[Status::Retiree as usize] * p.retiree_account_credit.at(t);
        if let Some(bands) = &p.account_credit_bands {
            // Active members' monthly credits by age band, or their own contribution (a share
            // of their base) where higher (Jiangmen 001, 二档 personal accounts).
            let own = p.account_credit_own_rate;
            let mut credits = 0.0;
            for g in GROUPS {
                let sex = g.sex();
                for a in 0..N_AGES {
                    let age = (a + MIN_AGE) as f64;
                    let band = bands.iter().find(|b| age < b[0]).map_or(0.0, |b| b[1]);
                    let base = up.base_by_age[sex * N_AGES + a];
                    let gi = g as usize;
                    for (st, b) in [
                        (Status::Enterprise, base),
                        (Status::Government, base),
                        (Status::Flexible, flex_base),
                        (Status::ContinuingContributor, 0.0),
                    ] {
                        let n = cells.n[cell(gi, st as usize, a)];
                        if n > 0.0 {
                            credits += n * band.max(own * b);
                        }
                    }
                }
            }
            lines.spending[spending::PERSONAL_ACCOUNT] += credits;
        }

        // --- maternity ----------------------------------------------------------------
        if let Some(m) = &self.maternity {
            let fert = d.fertility_factor[yi] * m.insured_fertility_relative / 12.0;
            let mut births = [0.0; 3]; // by worker status
            let mut spouse = 0.0;
            for g in GROUPS {
                let gi = g as usize;
                for a in 0..N_AGES {
                    let age = a + MIN_AGE;
                    if g.sex() == 1 {
                        let f = self.asfr.at(age) * fert;
                        if f == 0.0 {
                            continue;
                        }
                        for (w, s) in WORKER_STATUSES.iter().enumerate() {
                            births[w] += cells.n[cell(gi, *s as usize, a)] * f;
                        }
                    } else {
                        // Partners assumed two years younger (ASSUMPTION: the mean spousal age gap).
                        let f = self.asfr.at(age.saturating_sub(2)) * d.fertility_factor[yi] / 12.0;
                        if f == 0.0 {
                            continue;
                        }
                        for s in WORKER_STATUSES {
                            if s == Status::Flexible && !m.spouse_of_flexible_covered {
                                continue;
                            }
                            spouse +=
                                cells.n[cell(gi, s as usize, a)] * f * m.spouse_uninsured_share;
                        }
                    }
                }
            }
            for b in births.iter_mut() {
                *b = counts.poisson(*b);
            }
            let spouse = counts.poisson(spouse);
            let flex_births = if flex_covered { births[2] } else { 0.0 };
            memo.births_insured = births[0] + births[1] + flex_births;
            memo.births_spouse = spouse;
            let price = up.log_price[k].exp();
            lines.spending[spending::MATERNITY_MEDICAL] = (memo.births_insured
                + spouse * m.spouse_cost_share)
                * m.medical_cost_per_birth
                * price;
            let per_birth =
                m.allowance_per_birth(t, up.wage(t.year() - 1) * m.employer_wage_relative);
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
            lines.spending[spending::MATERNITY_ALLOWANCE] = with_allowance * per_birth;
        }

        // --- membership flows at the end of the month ----------------------------------
        self.population.step(
            cells,
            &memo.members,
            &self.tables,
            k,
            d.employment_growth[yi],
            self.resident_growth,
            flows,
            counts,
        );
        let at_once = 1.0 - self.buyin.monthly_share;
        if at_once > 0.0 {
            // Those who pay the shortfall at once (the rest became continuing contributors).
            let shortfall = self.buyin.at(k).mean_shortfall;
            let years = [0, 1].map(|s| flows.retirements_by_sex[s] * shortfall[s] * at_once);
            lines.income[income::BUYIN] +=
                (years[0] + years[1]) * 12.0 * floor * p.buyin_rate.at(t);
        }
        up.resident_entries.rotate_right(1);
        up.resident_entries[0] = flows.entries[Status::Resident as usize];
        up.flexible_entries.rotate_right(1);
        up.flexible_entries[0] = flows.entries[Status::Flexible as usize];
        up.worker_entries.rotate_right(1);
        up.worker_entries[0] = WORKER_STATUSES
            .iter()
            .map(|&st| flows.entries[st as usize])
            .sum();
        memo.entries = flows.entries.iter().sum();
        memo.exits = flows.exits.iter().sum();
        memo.deaths = flows.deaths.iter().sum();
        memo.retirements = flows.retirements_by_sex.iter().sum();
        (lines, memo)
    }
}
