//! One unit's month: contributions, benefits and maternity lines from its membership cells.

use super::MaternityArrangement;
use crate::policy::contributions::{ContributionBase, ContributionBases, Contributions, Uplift};
use crate::policy::grid::ShiftGrid;
use crate::policy::maternity::MaternityFunding;
use crate::policy::spending::{BenefitKind, Benefits, RecentEntries};
use crate::policy::{accounts, maternity};
use std::sync::Arc;

use crate::data::{Asfr, N_AGES, N_STATUS};
use crate::economy::{DriverPath, first_year_mean};
use crate::ledger::{IncomeLine, N_INCOME, N_SPENDING, SpendingLine};
use crate::params::Month;
use crate::population::{Cells, Counts, MemberFlows, MonthTables, PopulationModel};
use crate::scenario::{PolicySpec, Scenario, Unit};

/// One month's line amounts of a unit, yuan (f64; the ledger rounds them).
#[derive(Clone, Debug, Default)]
pub struct Lines {
    pub(crate) income: [f64; N_INCOME],
    pub(crate) spending: [f64; N_SPENDING],
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

/// Per-path quantities of a unit derived from the drivers once per path.
pub(crate) struct UnitPath {
    /// Average monthly wage by calendar year, from two years before the start year.
    wage_by_year: Vec<f64>,
    first_wage_year: i32,
    /// Log medical price index per month, relative to the cost price year.
    log_price: Vec<f64>,
    /// Log utilisation index per month, relative to the cost price year.
    log_utilisation: Vec<f64>,
    /// Expected contribution bases of the last (wage, floor, cap).
    bases: ContributionBases,
    /// Working space: members × probability of use per benefit cell, this month.
    exposure: Vec<f64>,
    /// Entries of the last 24 months, for new members' reduced caps and waiting periods.
    recent: RecentEntries,
}

impl UnitPath {
    fn wage(&self, year: i32) -> f64 {
        let i = (year - self.first_wage_year).clamp(0, self.wage_by_year.len() as i32 - 1);
        self.wage_by_year[i as usize]
    }
}

/// What a unit's month is given besides its own state: the month, the path's drivers and how
/// benefits are read (the rules' additions to its rates come with the rates, in
/// [`UnitModel::apply_rates`]).
#[derive(Clone, Copy)]
pub(crate) struct MonthInputs<'a> {
    /// Month index from the start (0-based).
    pub k: usize,
    pub t: Month,
    pub drivers: &'a DriverPath,
    /// Read expected benefits from the tabulated grid (Monte Carlo paths), not the exact
    /// formulas (the exact ledger).
    pub use_grid: bool,
}

/// A unit's month before its contribution rates are applied ([`UnitModel::month_before_rates`]):
/// what the rates apply to and every line that does not depend on them. Applying rates to it
/// ([`UnitModel::apply_rates`]) gives the month's lines; many trial rates can be applied to one.
#[derive(Clone, Copy, Debug)]
pub(crate) struct UnitMonth {
    pub base: ContributionBase,
    pub funding: MaternityFunding,
    /// The spending lines, yuan.
    pub spending: [f64; N_SPENDING],
    /// The memo, without the personal-account income and the rules' uplift.
    pub memo: Memo,
    /// Retirees' missing years paid at once this month (0 when every one pays monthly).
    buyin_years_at_once: Option<f64>,
}

/// Everything about a unit that depends only on the scenario.
pub(crate) struct UnitModel {
    pub(crate) name: String,
    pub(crate) population: PopulationModel,
    pub(crate) tables: MonthTables,
    pub(crate) initial_cells: Cells,
    pub(crate) policy: PolicySpec,
    merger: Option<Month>,
    arrangement: MaternityArrangement,
    avg_wage_prev_year: f64,
    /// Whether the unit has members in service at the start.
    has_workers: bool,
    /// Annual growth of the number of residents.
    resident_growth: f64,
    asfr: Asfr,
    /// Contribution bases, rates and collection (MODEL.md, "Contributions").
    contributions: Contributions,
    /// Cost curves, probabilities of use and benefit regimes (MODEL.md, "Spending").
    benefits: Benefits,
    /// Months from the middle of the cost price year to the start.
    price_year_gap_months: f64,
    /// Annual log growth of the wage, medical prices and utilisation before the start (from
    /// the costs' price year; the wage two years before the start): the first year's means,
    /// the same on every path. The past is known when the projection starts.
    past_wage_growth: f64,
    past_price_growth: f64,
    past_utilisation_growth: f64,
    start: Month,
    /// Where its opening position comes from.
    pub(crate) opening: crate::scenario::OpeningPosition,
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

        let merger = match arrangement {
            MaternityArrangement::AsScenario => p.maternity.as_ref().and_then(|m| m.merger),
            MaternityArrangement::Separate => None,
        };
        let price_year_mid = Month::new(p.costs.price_year, 7).unwrap_or(start);
        UnitModel {
            contributions: Contributions::new(scenario, unit, &initial_cells),
            name: unit.spec.name.clone(),
            population,
            tables,
            initial_cells,
            policy: p.clone(),
            merger,
            arrangement,
            avg_wage_prev_year: unit.spec.average_wage_prev_year,
            has_workers: {
                let m = &unit.spec.membership;
                m.enterprise + m.government + m.flexible > 0.0
            },
            resident_growth: unit.spec.membership.resident_growth,
            asfr: t.asfr.clone(),
            benefits: Benefits::new(scenario, unit),
            price_year_gap_months: f64::from(start.since(price_year_mid)),
            past_wage_growth: first_year_mean(&scenario.spec.economy.wage_growth, start),
            past_price_growth: first_year_mean(&scenario.spec.economy.medical_price_growth, start),
            past_utilisation_growth: first_year_mean(
                &scenario.spec.economy.utilisation_growth,
                start,
            ),
            start,
            opening: unit.spec.opening_position(),
        }
    }

    /// Benefit kinds of this unit (see [`Benefits::n_kinds`]).
    pub(crate) fn n_kinds(&self) -> usize {
        self.benefits.n_kinds()
    }

    /// What the benefit grid depends on: units with equal keys can share one.
    pub(crate) fn benefit_grid_key(&self) -> Arc<str> {
        self.benefits.grid_key()
    }

    /// Bytes of the grid [`Self::build_benefit_grid`] would build over [s_lo, s_hi].
    pub(crate) fn benefit_grid_bytes(&self, s_lo: f64, s_hi: f64) -> usize {
        self.benefits.grid_bytes(s_lo, s_hi)
    }

    /// Tabulates expected payments per user over cost shifts [s_lo, s_hi].
    pub(crate) fn build_benefit_grid(&self, s_lo: f64, s_hi: f64) -> ShiftGrid {
        self.benefits.build_grid(s_lo, s_hi)
    }

    pub(crate) fn set_benefit_grid(&mut self, grid: Arc<ShiftGrid>) {
        self.benefits.set_grid(grid);
    }

    /// Months from the middle of the cost price year to the start.
    #[cfg(test)]
    pub(crate) fn price_year_gap_months(&self) -> f64 {
        self.price_year_gap_months
    }

    /// The cost shift (log price plus log utilisation) the past adds from the middle of the
    /// costs' price year to the start: the same on every path.
    pub(crate) fn past_cost_shift(&self) -> f64 {
        (self.past_price_growth + self.past_utilisation_growth) * self.price_year_gap_months / 12.0
    }

    /// A separate maternity fund exists at some point of the horizon.
    /// A unit with maternity insurance before a merger (or kept separate) and members in
    /// service at the start: maternity insurance covers employees, so a unit of residents alone
    /// (Jiangmen's residents' account) has no maternity fund.
    pub(crate) fn has_separate_maternity_fund(&self) -> bool {
        self.policy.maternity.is_some()
            && self.has_workers
            && (self.merger.is_some() || self.arrangement == MaternityArrangement::Separate)
    }

    /// The maternity fund is still separate in month `t`.
    pub(crate) fn maternity_separate_in(&self, t: Month) -> bool {
        self.policy.maternity.is_some()
            && match self.arrangement {
                MaternityArrangement::Separate => true,
                MaternityArrangement::AsScenario => self.merger.is_some_and(|m| t < m),
            }
    }

    /// The month the separate maternity fund merges into the pooled fund, if it does.
    pub fn merger(&self) -> Option<Month> {
        self.merger
    }

    pub(crate) fn is_merger_month(&self, t: Month) -> bool {
        self.merger == Some(t)
    }

    pub fn path(&self, d: &DriverPath) -> UnitPath {
        let first = d.first_year - 2;
        let mut w = Vec::with_capacity(d.years() + 2);
        // The year before the start is given; two years before is deflated by the first
        // year's mean wage growth (an assumption: the history is not in the scenario; the
        // same on every path, as the past is).
        w.push(self.avg_wage_prev_year / self.past_wage_growth.exp());
        w.push(self.avg_wage_prev_year);
        for g in &d.wage_growth {
            let last = *w.last().unwrap_or(&self.avg_wage_prev_year);
            w.push(last * g.exp());
        }
        // Cost indices: before the start, history grows at the first year's mean rates (an
        // assumption; the same on every path: a path's shocks begin with its first year);
        // month k ≥ 1 adds a twelfth of its calendar year's rate.
        let n = self.tables.retire_share.len();
        let mut log_price = Vec::with_capacity(n);
        let mut log_utilisation = Vec::with_capacity(n);
        let (mut lp, mut lu) = (
            self.past_price_growth * self.price_year_gap_months / 12.0,
            self.past_utilisation_growth * self.price_year_gap_months / 12.0,
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
            bases: ContributionBases::default(),
            exposure: vec![0.0; self.n_kinds() * 2 * 2 * N_AGES],
            recent: RecentEntries::default(),
        }
    }

    /// One month of the unit at its own rates plus the rules' `uplift`: lines from the cells
    /// at the start of the month, then the month's membership flows (into `cells`, with
    /// `flows` as working space). The engine applies each trial's rates itself.
    #[cfg(test)]
    fn month(
        &self,
        m: &MonthInputs,
        uplift: Uplift,
        up: &mut UnitPath,
        cells: &mut Cells,
        flows: &mut MemberFlows,
        counts: &mut impl Counts,
    ) -> (Lines, Memo) {
        let before = self.month_before_rates(m, up, cells, flows, counts);
        self.apply_rates(&self.policy, m.t, &before, uplift)
    }

    /// The month's lines at the contribution rates of `p` (the unit's own policy, or a trial's)
    /// plus the rules' `uplift`, from what does not depend on them.
    #[cfg(test)]
    pub(crate) fn apply_rates(
        &self,
        p: &PolicySpec,
        t: Month,
        before: &UnitMonth,
        uplift: Uplift,
    ) -> (Lines, Memo) {
        let mut lines = Lines::default();
        let mut memo = Memo::default();
        self.apply_rates_into(p, t, before, uplift, &mut lines, &mut memo);
        (lines, memo)
    }

    /// [`Self::apply_rates`], written into `lines` and `memo` (every field set): the engine
    /// keeps one of each per path and overwrites them, rather than move new ones out every
    /// unit-month and trial.
    #[inline]
    pub(crate) fn apply_rates_into(
        &self,
        p: &PolicySpec,
        t: Month,
        before: &UnitMonth,
        uplift: Uplift,
        lines: &mut Lines,
        memo: &mut Memo,
    ) {
        lines.income = [0.0; N_INCOME];
        lines.spending = before.spending;
        *memo = before.memo;
        memo.employer_rate_uplift = uplift.employer_rate;
        memo.personal_account_income = Contributions::lines(
            p,
            t,
            &before.base,
            before.funding,
            uplift,
            &mut lines.income,
        );
        if let Some(years) = before.buyin_years_at_once {
            lines.income[IncomeLine::Buyin] +=
                years * 12.0 * before.base.floor * p.buyin_rate.at(t);
        }
    }

    /// The month before any contribution rate: the contributions' base, the spending lines,
    /// the memo and the buy-in years paid at once; then the month's membership flows. The
    /// rules' uplift in `m` is not used.
    ///
    /// On a processor with AVX2 the same code runs compiled for it (the cell loops in lanes of
    /// four); Rust never fuses or reorders floating-point operations, so both give the same
    /// result to the bit.
    #[inline]
    pub(crate) fn month_before_rates(
        &self,
        m: &MonthInputs,
        up: &mut UnitPath,
        cells: &mut Cells,
        flows: &mut MemberFlows,
        counts: &mut impl Counts,
    ) -> UnitMonth {
        #[cfg(target_arch = "x86_64")]
        if crate::numeric::has_avx2() {
            // SAFETY: the processor supports AVX2 (checked at run time just above).
            return unsafe { self.month_before_rates_avx2(m, up, cells, flows, counts) };
        }
        self.month_before_rates_body(m, up, cells, flows, counts)
    }

    /// [`Self::month_before_rates`] compiled for AVX2.
    ///
    /// # Safety
    /// The processor must support AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn month_before_rates_avx2(
        &self,
        m: &MonthInputs,
        up: &mut UnitPath,
        cells: &mut Cells,
        flows: &mut MemberFlows,
        counts: &mut impl Counts,
    ) -> UnitMonth {
        self.month_before_rates_body(m, up, cells, flows, counts)
    }

    #[inline(always)]
    fn month_before_rates_body(
        &self,
        m: &MonthInputs,
        up: &mut UnitPath,
        cells: &mut Cells,
        flows: &mut MemberFlows,
        counts: &mut impl Counts,
    ) -> UnitMonth {
        let MonthInputs {
            k,
            t,
            drivers: d,
            use_grid,
            ..
        } = *m;
        let p = &self.policy;
        let yi = d.year_index(t.year());
        let mut spending_lines = [0.0; N_SPENDING];
        let mut memo = Memo {
            members: cells.status_totals(),
            ..Memo::default()
        };

        // --- contributions' base (policy::contributions) --------------------------------
        let funding = MaternityFunding::of(
            self.policy.maternity.as_ref(),
            t,
            self.maternity_separate_in(t),
            self.merger,
        );
        let base = self.contributions.base(
            p,
            t,
            up.wage(t.year()),
            up.wage(t.year() - p.base_reference_lag as i32),
            d.collection_rate[yi],
            cells,
            &memo.members,
            &mut up.bases,
            use_grid,
        );

        // --- benefits (policy::spending) -----------------------------------------------
        let shift = up.log_price[k] + up.log_utilisation[k];
        let season = p.seasonality[t.month0()];
        let annual = self.benefits.annual_payments(
            p,
            k,
            shift,
            use_grid,
            cells,
            &memo.members,
            &up.recent,
            &mut up.exposure,
        );
        for benefit in BenefitKind::ALL {
            spending_lines[benefit.line()] = annual[benefit as usize] / 12.0 * season;
        }
        // --- personal accounts (policy::accounts) --------------------------------------
        spending_lines[SpendingLine::PersonalAccount] =
            accounts::credits(p, t, &memo.members, cells, &up.bases, base.flexible_base);

        // --- maternity (policy::maternity) ---------------------------------------------
        if let Some(m) = &self.policy.maternity {
            let births = maternity::month(
                m,
                &self.asfr,
                t,
                d.fertility_factor[yi],
                up.log_price[k].exp(),
                up.wage(t.year() - 1),
                cells,
                counts,
            );
            memo.births_insured = births.births_insured;
            memo.births_spouse = births.births_spouse;
            spending_lines[SpendingLine::MaternityMedical] = births.medical;
            spending_lines[SpendingLine::MaternityAllowance] = births.allowance;
        }

        // --- membership flows at the end of the month ----------------------------------
        self.population.step(
            cells,
            &memo.members,
            &self.tables,
            k,
            d.employment_growth[yi],
            d.retirement_take_up[yi],
            self.resident_growth,
            flows,
            counts,
        );
        let buyin = &self.population.buyin;
        let at_once = 1.0 - buyin.monthly_share;
        // Those who pay the shortfall at once (the rest became continuing contributors).
        let buyin_years_at_once = (at_once > 0.0).then(|| {
            let shortfall = buyin.at(k).mean_shortfall;
            let years = [0, 1].map(|s| flows.retirements_by_sex[s] * shortfall[s] * at_once);
            if buyin.first_enrolled.is_some() {
                // Members first enrolled under their own minimum (lump sums only).
                years[0] + years[1] + flows.first_enrolled_extra_years * at_once
            } else {
                years[0] + years[1]
            }
        });
        up.recent.record(&flows.entries);
        memo.entries = flows.entries.iter().sum();
        memo.exits = flows.exits.iter().sum();
        memo.deaths = flows.deaths.iter().sum();
        memo.retirements = flows.retirements_by_sex.iter().sum();
        UnitMonth {
            base,
            funding,
            spending: spending_lines,
            memo,
            buyin_years_at_once,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ScenarioModel;
    use crate::params::Dated;
    use crate::population::{Expected, age_at_start_of};

    /// A unit's path run month by month by hand: its per-path quantities, cells and flows.
    struct ByHand {
        up: UnitPath,
        cells: Cells,
        flows: MemberFlows,
    }

    impl ByHand {
        fn new(u: &UnitModel, drivers: &DriverPath) -> ByHand {
            ByHand {
                up: u.path(drivers),
                cells: u.initial_cells.clone(),
                flows: MemberFlows::default(),
            }
        }

        /// Ages the cells into month `k` (at `t`) and gives the month's inputs.
        fn inputs<'a>(
            &mut self,
            k: usize,
            t: Month,
            drivers: &'a DriverPath,
            use_grid: bool,
        ) -> MonthInputs<'a> {
            age_at_start_of(&mut self.cells, k, t);
            MonthInputs {
                k,
                t,
                drivers,
                use_grid,
            }
        }
    }

    /// The past before the start is the same on every path: the cost index of the first month
    /// (carried from the costs' price year at the first year's mean rates) and the wage two
    /// years before the start are the expected path's on drawn paths, whose own shocks move
    /// only the months from the second on. Checked with the costs' price year six and a half
    /// years before the start (as the rolling backtest's origin 2022 has it), where the first
    /// year's shock, once carried over the 78 months of history, spread that origin's pooled
    /// spending over −40 % to +70 % a year ahead.
    #[test]
    fn a_path_shocks_start_with_its_first_year_not_its_past() {
        use crate::scenario::Override;
        use rand::SeedableRng;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
        let overrides = [
            "policy.costs.price_year=2018",
            "economy.utilisation_growth={ mean = 0.08, volatility = 0.05 }",
            "economy.medical_price_growth={ mean = 0.02, volatility = 0.01 }",
            "economy.wage_growth={ mean = 0.06, volatility = 0.02 }",
            "policy.base_reference_lag=2",
        ]
        .map(|o| Override::parse(o).unwrap());
        let s = Scenario::from_path_with(&root.join("national-2025.toml"), &overrides).unwrap();
        let model = ScenarioModel::new(&s);
        let u = &model.units[0];
        // 2025-01 is 78 months after the middle of the price year 2018.
        assert_eq!(u.price_year_gap_months(), 78.0);
        let expected = u.path(&model.drivers.expected());
        let past_shift = (0.02 + 0.08) * 78.0 / 12.0;
        assert!((expected.log_price[0] + expected.log_utilisation[0] - past_shift).abs() < 1e-12);
        let wage_before = u.avg_wage_prev_year / 0.06f64.exp();
        assert!((expected.wage_by_year[0] - wage_before).abs() < 1e-9);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        for _ in 0..20 {
            let d = model.drivers.sample(&mut rng);
            assert_ne!(d.utilisation_growth[0], 0.08, "the first year is drawn");
            let drawn = u.path(&d);
            assert_eq!(
                drawn.log_price[0].to_bits(),
                expected.log_price[0].to_bits()
            );
            assert_eq!(
                drawn.log_utilisation[0].to_bits(),
                expected.log_utilisation[0].to_bits()
            );
            assert_eq!(
                drawn.wage_by_year[0].to_bits(),
                expected.wage_by_year[0].to_bits()
            );
            assert_eq!(drawn.wage_by_year[1], u.avg_wage_prev_year);
            // From the second month the path's own first-year rate moves the index.
            let step = drawn.log_utilisation[1] - drawn.log_utilisation[0];
            assert!((step - d.utilisation_growth[0] / 12.0).abs() < 1e-12);
        }
    }

    /// The copy of the unit month compiled for AVX2 gives the same bits as the portable one:
    /// every line, base, memo and cell, month by month, on drawn paths read from the benefit
    /// grid (Jiangmen: new-member windows, waiting flexible workers, maternity, residents; the
    /// national unit).
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_avx2_copy_of_a_month_equals_the_portable_one() {
        use rand::SeedableRng;
        if !crate::numeric::has_avx2() {
            return;
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
        for file in ["jiangmen-integration.toml", "national-2025.toml"] {
            let s = Scenario::from_path(&root.join(file)).unwrap();
            let mut model = ScenarioModel::new(&s);
            model.build_benefit_grids().unwrap();
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
            for _ in 0..2 {
                let drivers = model.drivers.sample(&mut rng);
                for u in &model.units {
                    let (mut a, mut b) = (ByHand::new(u, &drivers), ByHand::new(u, &drivers));
                    for k in 0..60 {
                        let t = model.month(k);
                        let m = a.inputs(k, t, &drivers, true);
                        b.inputs(k, t, &drivers, true);
                        let portable = u.month_before_rates_body(
                            &m,
                            &mut a.up,
                            &mut a.cells,
                            &mut a.flows,
                            &mut Expected,
                        );
                        // SAFETY: AVX2 was detected above.
                        let wide = unsafe {
                            u.month_before_rates_avx2(
                                &m,
                                &mut b.up,
                                &mut b.cells,
                                &mut b.flows,
                                &mut Expected,
                            )
                        };
                        // Debug prints each f64 so that it reads back to the same bits.
                        assert_eq!(
                            format!("{portable:?}"),
                            format!("{wide:?}"),
                            "{file} month {k}"
                        );
                        assert!(
                            a.cells
                                .n
                                .iter()
                                .zip(&b.cells.n)
                                .all(|(x, y)| x.to_bits() == y.to_bits()),
                            "{file} month {k}: cells"
                        );
                    }
                }
            }
        }
    }

    /// A trial's contribution rates applied to a month computed without them give, to the bit,
    /// the month of a unit whose policy has those rates: the base of the solve-rate design
    /// (one projection, many rates).
    #[test]
    fn rates_applied_afterwards_equal_a_run_with_those_rates() {
        let s = Scenario::embedded_default().unwrap();
        let mut trial = s.clone();
        trial.units[0].policy.employer_rate = Dated::Constant(0.093);
        trial.units[0].policy.employee_rate = Dated::Constant(0.021);
        let (base_model, trial_model) = (ScenarioModel::new(&s), ScenarioModel::new(&trial));
        let (base, direct) = (&base_model.units[0], &trial_model.units[0]);
        let drivers = crate::engine::expected_drivers(&base_model);
        let (mut a, mut b) = (ByHand::new(base, &drivers), ByHand::new(direct, &drivers));
        let uplift = Uplift {
            employer_rate: 0.005,
            ..Uplift::default()
        };
        for k in 0..30 {
            let t = base_model.month(k);
            let m = a.inputs(k, t, &drivers, false);
            b.inputs(k, t, &drivers, false);
            let before =
                base.month_before_rates(&m, &mut a.up, &mut a.cells, &mut a.flows, &mut Expected);
            let (own, _) = base.apply_rates(&base.policy, t, &before, uplift);
            let (applied, applied_memo) =
                base.apply_rates(&trial.units[0].policy, t, &before, uplift);
            let (expected, expected_memo) = direct.month(
                &m,
                uplift,
                &mut b.up,
                &mut b.cells,
                &mut b.flows,
                &mut Expected,
            );
            assert_eq!(applied.income, expected.income, "month {k}");
            assert_eq!(applied.spending, expected.spending, "month {k}");
            assert_eq!(applied_memo, expected_memo, "month {k}");
            // The trial's rates did change the money.
            assert!(own.income[IncomeLine::Employer] != applied.income[IncomeLine::Employer]);
        }
    }
}
