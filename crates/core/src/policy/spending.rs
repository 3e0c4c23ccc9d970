//! Spending (MODEL.md, "Spending"): the benefits the pooled fund pays — first-tier inpatient,
//! critical illness, the second tier and outpatient care — as benefit scales applied to
//! log-normal annual costs per member by sex and age, so that the expected payment per user is an
//! exact sum of limited expected values; the regimes in force over the horizon; new members'
//! reduced caps and flexible workers' waiting periods; and the month's expected payments.

use crate::data::{N_AGES, N_STATUS, Status, WORKER_STATUSES};
use crate::ledger::SpendingLine;
use crate::params::{Dated, Month};
use crate::policy::grid::ShiftGrid;
use crate::policy::lognormal::LogNormal;
use crate::policy::scale::PiecewiseLinear;
use crate::population::{Cells, GROUPS};
use crate::scenario::{BenefitSpec, PolicySpec, Scenario, Unit};
use std::sync::Arc;

/// Step of the benefit grid in log cost shift (0.5 %): interpolation error about 1e-7.
pub(crate) const BENEFIT_GRID_STEP: f64 = 0.005;

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
    pub(crate) const WINDOWED: [BenefitKind; 3] = [
        BenefitKind::Inpatient,
        BenefitKind::CriticalIllness,
        BenefitKind::Tier2,
    ];

    /// Of tabulated kind `k` (the four of every unit, then three variants per new-member
    /// window): its benefit, and whether it is a reduced-cap variant.
    pub(crate) fn of_tabulated(k: usize) -> (BenefitKind, bool) {
        if k < N_BENEFIT_KINDS {
            (BenefitKind::ALL[k], false)
        } else {
            (BenefitKind::WINDOWED[(k - N_BENEFIT_KINDS) % 3], true)
        }
    }

    /// The fund's spending line that pays it.
    pub fn line(self) -> SpendingLine {
        match self {
            BenefitKind::Inpatient => SpendingLine::Inpatient,
            BenefitKind::CriticalIllness => SpendingLine::CriticalIllness,
            BenefitKind::Tier2 => SpendingLine::Tier2,
            BenefitKind::Outpatient => SpendingLine::Outpatient,
        }
    }

    /// Outpatient costs follow the outpatient cost curve; the others the inpatient one.
    pub(crate) fn is_outpatient(self) -> bool {
        self == BenefitKind::Outpatient
    }
}

/// Kinds of benefit tabulated per cell for every unit ([`BenefitKind::ALL`]).
pub(crate) const N_BENEFIT_KINDS: usize = 4;
/// Cells of the benefit grid: kind × (in service, retired) × sex × age.
pub(crate) const N_BENEFIT_CELLS: usize = N_BENEFIT_KINDS * 2 * 2 * N_AGES;

#[inline]
fn benefit_cell(kind: usize, retired: usize, sex: usize, a: usize) -> usize {
    ((kind * 2 + retired) * 2 + sex) * N_AGES + a
}

/// One hospital level's scales as functions of the member's annual allowed cost.
#[derive(Clone, Debug)]
pub(crate) struct LevelScales {
    pub(crate) share: f64,
    pub(crate) inpatient: PiecewiseLinear,
    pub(crate) tier2: PiecewiseLinear,
    pub(crate) critical_illness: PiecewiseLinear,
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
    pub(crate) levels: [Vec<LevelScales>; 2],
    /// For members of short continuous standing (`new_member_cap_factors`): per window, the
    /// first-tier inpatient, critical-illness and second-tier mixtures with reduced caps.
    pub(crate) new_member: Vec<[PiecewiseLinear; 2]>,
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

/// Entries of the last 24 months (most recent first) of residents, flexible workers and all
/// workers, for new members' reduced caps and flexible workers' waiting periods.
#[derive(Clone, Debug, Default)]
pub(crate) struct RecentEntries {
    resident: [f64; 24],
    flexible: [f64; 24],
    worker: [f64; 24],
}

impl RecentEntries {
    /// Records a month's entries by status (persons), pushing out the oldest month.
    pub fn record(&mut self, entries: &[f64; N_STATUS]) {
        self.resident.rotate_right(1);
        self.resident[0] = entries[Status::Resident as usize];
        self.flexible.rotate_right(1);
        self.flexible[0] = entries[Status::Flexible as usize];
        self.worker.rotate_right(1);
        self.worker[0] = WORKER_STATUSES.iter().map(|&st| entries[st as usize]).sum();
    }
}

/// Sum of the entries of months `from..to` ago (0 = this month's start).
fn window(ring: &[f64; 24], from: usize, to: usize) -> f64 {
    ring[from.min(24)..to.min(24)].iter().sum()
}

/// A unit's benefits: cost curves, probabilities of use and the regimes in force, month by
/// month (everything that depends on the scenario only), and the tabulated grid of expected
/// payments the Monte Carlo paths read.
#[derive(Clone)]
pub(crate) struct Benefits {
    /// log-mean of inpatient / outpatient cost at price-year levels per [sex][age].
    mu_in: [Vec<f64>; 2],
    mu_out: [Vec<f64>; 2],
    /// Probability of use in a year per [sex][age].
    p_in: [Vec<f64>; 2],
    p_out: [Vec<f64>; 2],
    sigma_in: f64,
    sigma_out: f64,
    /// Benefit regime index per month, and the distinct regimes.
    regime_of_month: Vec<usize>,
    regimes: Vec<BenefitRegime>,
    /// Expected payments per user tabulated against the cost shift (Monte Carlo only; shared
    /// by units with the same costs and benefits).
    grid: Option<Arc<ShiftGrid>>,
    /// [`Self::grid_key`], once asked for.
    key: std::sync::OnceLock<Arc<str>>,
}

/// Expected payments per user by the exact formulas ([`Benefits::expected_benefit`]) at one
/// regime and cost shift, per benefit cell, computed as they are first asked for and kept for
/// every `Benefits` with the same key ([`Benefits::grid_key`]). The base-year solve projects the
/// same base year at scores of collection and utilisation levels, and neither moves a payment
/// per user (the utilisation level scales the probabilities of use): measured on the default
/// scenario, 89 projections of twelve months spent 552 M instructions in these formulas, 17 %
/// of a one-path run. A value is computed by the same formula whoever asks first, so the
/// results are the same to the bit.
struct ExactPayments {
    key: Arc<str>,
    regime: usize,
    shift_bits: u64,
    /// The payment's bits per benefit cell, [`NOT_YET`] until computed.
    values: Vec<std::sync::atomic::AtomicU64>,
}

/// A NaN no formula returns (NaNs arising in arithmetic carry a zero payload): not computed.
const NOT_YET: u64 = u64::MAX;

/// How many (key, regime, shift) payments are kept: the twelve months of a base year for every
/// unit of a provincial scenario, and the exact ledger's months, with room to spare (each holds
/// 8 bytes per benefit cell, 11–30 kB).
const EXACT_PAYMENTS_KEPT: usize = 512;

static EXACT_PAYMENTS: std::sync::Mutex<std::collections::VecDeque<Arc<ExactPayments>>> =
    std::sync::Mutex::new(std::collections::VecDeque::new());

impl ExactPayments {
    /// The payment of cell `i`, computed by `formula` if no one has yet.
    #[inline]
    fn get(&self, i: usize, formula: impl FnOnce() -> f64) -> f64 {
        use std::sync::atomic::Ordering::Relaxed;
        let bits = self.values[i].load(Relaxed);
        if bits != NOT_YET {
            return f64::from_bits(bits);
        }
        let value = formula();
        self.values[i].store(value.to_bits(), Relaxed);
        value
    }
}

impl Benefits {
    /// The unit's cost curves, probabilities of use and benefit regimes over the horizon.
    pub fn new(scenario: &Scenario, unit: &Unit) -> Benefits {
        let start = scenario.spec.start;
        let horizon = scenario.spec.horizon_months;
        let t = &scenario.tables;
        let p = &unit.policy;
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

        Benefits {
            mu_in,
            mu_out,
            p_in,
            p_out,
            sigma_in: c.inpatient_sigma,
            sigma_out: c.outpatient_sigma,
            regime_of_month,
            regimes,
            grid: None,
            key: std::sync::OnceLock::new(),
        }
    }

    /// The exact payments kept for regime `ri` at cost shift `shift`, or new ones (empty).
    fn exact_payments(&self, ri: usize, shift: f64) -> Arc<ExactPayments> {
        let key = self.grid_key();
        let shift_bits = shift.to_bits();
        let mut kept = EXACT_PAYMENTS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(found) = kept
            .iter()
            .rev()
            .find(|e| e.regime == ri && e.shift_bits == shift_bits && e.key == key)
        {
            return found.clone();
        }
        let cells = self.n_kinds() * 2 * 2 * N_AGES;
        let new = Arc::new(ExactPayments {
            key,
            regime: ri,
            shift_bits,
            values: (0..cells)
                .map(|_| std::sync::atomic::AtomicU64::new(NOT_YET))
                .collect(),
        });
        if kept.len() == EXACT_PAYMENTS_KEPT {
            kept.pop_front();
        }
        kept.push_back(new.clone());
        new
    }

    /// Expected fund payment per user of a year (yuan) of benefit `kind` for a member of `sex`
    /// and age index `a` (retired or not) under regime `ri`, at cost shift `shift`: exact,
    /// through the lognormal limited expected value.
    pub(crate) fn expected_benefit(
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
    pub(crate) fn n_kinds(&self) -> usize {
        N_BENEFIT_KINDS + self.regimes.first().map_or(0, |r| r.new_member.len())
    }

    /// What the benefit grid depends on: units with equal keys can share one. It is what
    /// [`Self::expected_benefit`] reads: the regimes as derived (their scales, which hold what
    /// the policy's text does not, e.g. a critical-illness deductible indexed by the scenario's
    /// expected wage growth), the months they are in force, the cost curves and dispersions.
    /// Written out once per `Benefits` and shared (the grid cache and the exact payments keep
    /// it).
    pub(crate) fn grid_key(&self) -> Arc<str> {
        self.key
            .get_or_init(|| {
                format!(
                    "{:?}|{:?}|{:?}|{:?}|{}|{}",
                    self.regime_of_month,
                    self.regimes,
                    self.mu_in,
                    self.mu_out,
                    self.sigma_in,
                    self.sigma_out
                )
                .into()
            })
            .clone()
    }

    /// Bytes of the grid [`Self::build_grid`] would build over [s_lo, s_hi].
    pub(crate) fn grid_bytes(&self, s_lo: f64, s_hi: f64) -> usize {
        ShiftGrid::planned_bytes(
            self.regimes.len(),
            self.n_kinds() * 2 * 2 * N_AGES,
            s_lo,
            s_hi,
            BENEFIT_GRID_STEP,
        )
    }

    /// The grid of expected payments per user over cost shifts [s_lo, s_hi], tabulated as
    /// paths read it (from a copy of what [`Self::expected_benefit`] reads).
    pub(crate) fn build_grid(&self, s_lo: f64, s_hi: f64) -> ShiftGrid {
        let source = Benefits {
            grid: None,
            ..self.clone()
        };
        ShiftGrid::new(
            self.regimes.len(),
            self.n_kinds() * 2 * 2 * N_AGES,
            s_lo,
            s_hi,
            BENEFIT_GRID_STEP,
            move |ri, shift, out| {
                let this = &source;
                for kind in 0..this.n_kinds() {
                    // Reduced caps concern new members, never retirees.
                    let statuses = if kind >= N_BENEFIT_KINDS { 1 } else { 2 };
                    for r in 0..statuses {
                        for sex in 0..2 {
                            for a in 0..N_AGES {
                                out[benefit_cell(kind, r, sex, a)] =
                                    this.expected_benefit(ri, kind, r, sex, a, shift);
                            }
                        }
                    }
                }
            },
        )
    }

    pub(crate) fn set_grid(&mut self, grid: Arc<ShiftGrid>) {
        self.grid = Some(grid);
    }

    /// The month's expected payments of every benefit kind, at annual rates (yuan a year):
    /// members × probability of use per cell (`exposure`, a working space of
    /// [`Self::n_kinds`] × 2 × 2 × ages), members of short standing moved to their reduced-cap
    /// variants and flexible workers in their waiting period left out, times the expected
    /// payment per user at cost shift `shift` (log price + log utilisation) under month `k`'s
    /// regime: from the tabulated grid when `use_grid` and the shift lies on it, else exact.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub(crate) fn annual_payments(
        &self,
        p: &PolicySpec,
        k: usize,
        shift: f64,
        use_grid: bool,
        cells: &Cells,
        members: &[f64; N_STATUS],
        recent: &RecentEntries,
        exposure: &mut [f64],
    ) -> [f64; N_BENEFIT_KINDS] {
        let ri = self.regime_of_month[k];
        let point = if use_grid {
            self.grid.as_ref().and_then(|g| g.locate(shift))
        } else {
            None
        };
        // Shares of residents and of workers within each new-member window, and of flexible
        // workers still waiting (entries of the months before, over today's members;
        // ASSUMPTION: nobody is new at the start).
        let n_res = members[Status::Resident as usize];
        let n_work: f64 = WORKER_STATUSES.iter().map(|&st| members[st as usize]).sum();
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
                res_share[j] = (window(&recent.resident, from, to) / n_res).min(1.0);
            }
            if n_work > 0.0 {
                work_share[j] = (window(&recent.worker, from, to) / n_work).min(1.0);
            }
            from = to;
        }
        let n_flex_now = members[Status::Flexible as usize];
        let waiting = if n_flex_now > 0.0 && p.flexible_waiting_months > 0 {
            (window(&recent.flexible, 0, p.flexible_waiting_months as usize) / n_flex_now).min(1.0)
        } else {
            0.0
        };
        let n_windows = self.n_kinds() - N_BENEFIT_KINDS;
        // Exposure per benefit cell: members × the year's probability of use, in service (with
        // residents) and retired; members of short standing move from the full-cap kinds to
        // their reduced-cap variants.
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
        // The expected projections (no grid) keep what the formulas give: see ExactPayments.
        // A Monte Carlo path off its grid computes them (nothing kept per path-month).
        let exact = (!use_grid).then(|| self.exact_payments(ri, shift));
        // Expected annual payments per kind (variants add to their kind).
        let mut annual = [0.0; N_BENEFIT_KINDS]; // by BenefitKind
        let block = 2 * 2 * N_AGES;
        for kind in 0..self.n_kinds() {
            let into = BenefitKind::of_tabulated(kind).0 as usize;
            let ex = &exposure[kind * block..(kind + 1) * block];
            annual[into] += match (&point, &self.grid) {
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
                                    let formula =
                                        || self.expected_benefit(ri, kind, r, sex, a, shift);
                                    sum += e * match &exact {
                                        Some(kept) => {
                                            kept.get(benefit_cell(kind, r, sex, a), formula)
                                        }
                                        None => formula(),
                                    };
                                }
                            }
                        }
                    }
                    sum
                }
            };
        }
        annual
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::population::PopulationModel;

    /// The exact projections' kept payments are the formulas' to the bit: computed without
    /// keeping (a path off its grid), computed and kept, and read by another unit's benefits
    /// with the same key; the two unit models share one set of kept payments per regime and
    /// shift, holding what was asked for.
    #[test]
    fn kept_exact_payments_are_the_formulas() {
        let s = Scenario::embedded_default().expect("default scenario");
        let unit = &s.units[0];
        let p = &unit.policy;
        let (one, other) = (Benefits::new(&s, unit), Benefits::new(&s, unit));
        let cells = PopulationModel::new(&s, unit).initial_cells(unit, s.spec.start);
        let members = cells.status_totals();
        let recent = RecentEntries::default();
        let mut exposure = vec![0.0; one.n_kinds() * 2 * 2 * N_AGES];
        for shift in [0.0, 0.137, -0.05] {
            let mut at = |b: &Benefits, kept: bool| {
                b.annual_payments(p, 0, shift, !kept, &cells, &members, &recent, &mut exposure)
                    .map(f64::to_bits)
            };
            let by_formula = at(&one, false);
            assert_eq!(
                at(&one, true),
                by_formula,
                "computed and kept, shift {shift}"
            );
            assert_eq!(at(&other, true), by_formula, "read, shift {shift}");
            assert!(f64::from_bits(by_formula[BenefitKind::Inpatient as usize]) > 1e9);
            let kept = one.exact_payments(0, shift);
            assert!(Arc::ptr_eq(&kept, &other.exact_payments(0, shift)));
            let asked = kept
                .values
                .iter()
                .filter(|v| v.load(std::sync::atomic::Ordering::Relaxed) != NOT_YET)
                .count();
            assert!(asked > 100, "{asked} payments kept");
        }
    }
}
