//! Base-year calibration: a unit that gives its published base year (the year before the
//! start: pooled income, pooled spending, year-end pooled balance) has its levels solved so
//! that the model's base year meets them — the collection level (bases and collection) and the
//! utilisation level (the cost level of every benefit line, common to all ages) — and opens at
//! the published balance. A first projected year that jumps against the base year by more than
//! the unit's tolerance is refused unless a dated policy change in that year explains it.
//!
//! The model's base year is the scenario moved back twelve months, with the unit alone, its
//! worker counts and average wage deflated by the base year's mean growth of employment and
//! wages (the retirees' and residents' counts as given). Income is linear in the collection
//! level and benefits nearly so in the utilisation level; each level is solved by secant steps.

use crate::data::Status;
use crate::engine::{FundKind, Memo, ScenarioModel, project_expected};
use crate::error::{Error, Result};
use crate::ledger::{FundMonth, account_credits};
use crate::numeric::secant;
use crate::params::Month;
use crate::scenario::{DEFAULT_JUMP_TOLERANCE, PoolingKind, Scenario};

/// Largest relative difference between a unit's opening members and its published base-year
/// members (share): rounding in the bulletins' 万人 and a split by status.
const MEMBERS_TOLERANCE: f64 = 0.005;

/// A figure of a base year's run.
type Measure = fn(&YearFigures) -> f64;

/// What the base-year solve found for one unit.
#[derive(Clone, Debug, PartialEq)]
pub struct BaseYearFit {
    pub unit: String,
    pub year: i32,
    /// The figures met are assumed, not published (the base year's `source` begins with
    /// ASSUMPTION): the levels make the unit consistent with them, nothing more.
    pub assumed: bool,
    /// Which published figures the levels were solved to meet.
    pub basis: Basis,
    /// The published figures the levels meet, yuan: pooled income and spending (pooled basis),
    /// or the whole fund's income and the year-end pooled balance (whole-fund basis).
    pub published: (f64, f64),
    /// The same two figures of the model's base year with the scenario's own levels, yuan.
    pub modelled_before: (f64, f64),
    /// The same two figures of the model's base year with the solved levels, yuan.
    pub modelled: (f64, f64),
    /// The solved base year's figures.
    pub base_year: YearFigures,
    /// Solved multipliers of the unit's `collection_level` and `utilisation_level`.
    pub collection_factor: f64,
    pub utilisation_factor: f64,
    /// With a published account income: (published, modelled with the scenario's credit,
    /// modelled with the solved one), yuan, and the solved multiplier of the retirees' account
    /// credit.
    pub account_income: Option<AccountIncomeFit>,
    /// With the retirees a year before the base year: the growth of retirees over the base
    /// year and the retirement take-up level solved to meet it.
    pub retirees: Option<RetireesFit>,
    /// Pooled income and spending of the first projected year, yuan.
    pub first_year: (f64, f64),
    /// Growth of income and spending from the base year to the first projected year.
    pub growth: (f64, f64),
    /// The dated policy change of the first projected year that explains a jump beyond the
    /// tolerance, if one was needed.
    pub explained_by: Option<String>,
    /// Published members (in service, retired) at the base year's end and the unit's opening
    /// members, persons, where the base year gives them (checked within 0.5 %).
    pub members: Vec<MembersCheck>,
}

/// A base year's personal-account income, published and modelled, and the retirees' account
/// credit's factor solved to meet it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AccountIncomeFit {
    /// Yuan.
    pub published: f64,
    /// With the scenario's credit, yuan.
    pub modelled_before: f64,
    /// With the solved credit, yuan.
    pub modelled: f64,
    /// Multiplier of `policy.retiree_account_credit`.
    pub credit_factor: f64,
}

/// A base year's growth of retirees, published and modelled, and the unit's retirement take-up
/// level solved to meet it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetireesFit {
    /// `members_retired` / `members_retired_prev` − 1.
    pub published_growth: f64,
    /// The model's base-year growth of retirees with the scenario's take-up.
    pub modelled_before: f64,
    /// With the solved take-up.
    pub modelled: f64,
    /// Multiplier of the unit's `retirement_take_up_level`.
    pub take_up_factor: f64,
    /// The take-up solved: the driver's mean in the base year times the unit's level (0–1).
    pub take_up: f64,
    /// Change of the base year's growth of retirees per unit of take-up (the share of the
    /// retirees' stock that retires into the fund in a year at a take-up of 1).
    pub growth_per_take_up: f64,
}

/// The published figures a base year's levels are solved to meet.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Basis {
    /// The pooled fund's own income and spending (published from the 2024 bulletin on), yuan.
    Pooled { income: f64, spending: f64 },
    /// The whole fund's income as the bulletins count it and the pooled balance at the end of
    /// the year before, yuan: for years whose bulletins publish the pooled fund's balances but
    /// not its income and spending. The collection level meets the fund income; the
    /// utilisation level, the year-end pooled balance.
    WholeFund { fund_income: f64, balance_prev: f64 },
    /// The pooled fund's spending alone, yuan: for units whose year before gives no income (a
    /// province's or city's spending without its income). The utilisation level meets it; the
    /// collection level stays the scenario's, and only spending is held to the jump tolerance.
    Spending { spending: f64 },
}

/// One published members figure of a base year against the unit's opening members.
#[derive(Clone, Debug, PartialEq)]
pub struct MembersCheck {
    /// `members_active` or `members_retired`.
    pub field: &'static str,
    /// Persons.
    pub published: f64,
    /// Persons.
    pub opening: f64,
}

/// A unit's first twelve months on a scenario's expected path, yuan.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct YearFigures {
    /// Pooled premium income (contributions, buy-ins, subsidies; no interest) as the bulletins
    /// count it: net of the personal-account credits the pooled fund pays
    /// ([`FundMonth::as_published`]).
    pub pooled_income: f64,
    /// Pooled spending as the bulletins count it: without those credits.
    pub pooled_spending: f64,
    /// The whole fund's income as the bulletins count it: pooled income, pooled interest,
    /// contributions credited to personal accounts and, from the year of a maternity merger,
    /// the separate maternity fund's income and interest (see [`maternity_in_fund_income`]).
    pub fund_income: f64,
    /// Pooled balance after the twelfth month.
    pub pooled_balance_end: f64,
    /// Personal-account income as the bulletins count it: members' own contributions credited
    /// plus the credits paid from pooled money.
    pub account_income: f64,
}

/// Whether the national bulletins' fund income of `year` holds the maternity fund of a unit
/// whose maternity insurance merges in `merger`: from the year of the merger on (the 2019
/// bulletin counts the whole year's maternity income after the merger of that year); before it
/// the maternity fund is published apart.
pub(crate) fn maternity_in_fund_income(merger: Option<Month>, year: i32) -> bool {
    merger.is_some_and(|m| year >= m.year())
}

/// A fund-month's part of the whole fund's income as the bulletins count it (职工医保基金收入):
/// a pooled (or city) fund's income, interest and contributions credited to personal accounts;
/// a separate maternity fund's income and interest from the year of its merger on; nothing of
/// other funds.
pub(crate) fn fund_income_part(
    kind: FundKind,
    rec: &FundMonth<f64>,
    memo: &Memo,
    merger: Option<Month>,
    year: i32,
) -> f64 {
    match kind {
        FundKind::Pooled | FundKind::City => {
            rec.income_total + rec.interest + memo.personal_account_income
        }
        FundKind::Maternity if maternity_in_fund_income(merger, year) => {
            rec.income_total + rec.interest
        }
        _ => 0.0,
    }
}

/// The unit's figures over the first twelve months of `s`'s expected path.
fn first_year(s: &Scenario, unit: usize) -> YearFigures {
    let model = ScenarioModel::new(s);
    let months = model.horizon.min(12) as usize;
    let merger = s.units[unit]
        .policy
        .maternity
        .as_ref()
        .and_then(|m| m.merger);
    let mut y = YearFigures::default();
    project_expected(
        &model,
        &mut |k: usize, f: usize, rec: &FundMonth<f64>, memo: &Memo| {
            let info = &model.funds[f];
            if k >= months || info.unit != unit {
                return;
            }
            y.fund_income += fund_income_part(info.kind, rec, memo, merger, model.month(k).year());
            if info.kind == FundKind::Pooled {
                y.account_income += memo.personal_account_income + account_credits(&rec.spending);
                let (income, spending) = rec.as_published();
                y.pooled_income += income;
                y.pooled_spending += spending;
                y.pooled_balance_end = rec.balance;
            }
        },
    );
    y
}

/// A unit without a base year: the pooled income and spending of the year before the start
/// its scenario gives, against the model's own first projected year (the unit alone on its
/// expected path, as the bulletins count them).
#[derive(Clone, Debug, PartialEq)]
pub struct FirstYearCheck {
    pub unit: String,
    /// `pooled_income_prev_year`, yuan (not every scenario gives it).
    pub income_given: Option<f64>,
    /// `pooled_spending_prev_year`, yuan.
    pub spending_given: f64,
    /// The first twelve projected months, yuan.
    pub income_first: f64,
    pub spending_first: f64,
}

impl FirstYearCheck {
    /// The first year's growth of income and spending over the figures given (None where
    /// nothing is given to grow from).
    pub fn growth(&self) -> (Option<f64>, Option<f64>) {
        let g = |first: f64, given: f64| (given > 0.0).then(|| first / given - 1.0);
        (
            self.income_given.and_then(|i| g(self.income_first, i)),
            g(self.spending_first, self.spending_given),
        )
    }
}

/// Every unit without a base year: its first projected year against the year before's
/// figures it gives. A jump there means the figures given are not what the model makes of
/// the unit (a base year solves the levels so that they are).
pub fn first_years_against_given(s: &Scenario) -> Vec<FirstYearCheck> {
    (0..s.units.len())
        .filter(|&i| s.units[i].spec.base_year.is_none())
        .map(|i| {
            let y = first_year(&alone(s, i), 0);
            let u = &s.units[i].spec;
            FirstYearCheck {
                unit: u.name.clone(),
                income_given: u.pooled_income_prev_year,
                spending_given: u.pooled_spending_prev_year,
                income_first: y.pooled_income,
                spending_first: y.pooled_spending,
            }
        })
        .collect()
}

/// [`first_years_against_given`] for `fundrisk check`: a line per unit, the jumps beyond
/// [`DEFAULT_JUMP_TOLERANCE`] marked.
pub fn describe_first_years(checks: &[FirstYearCheck]) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    if checks.is_empty() {
        return o;
    }
    let _ = writeln!(
        o,
        "first projected year against the year before given (亿元; units without a base year, each alone on its expected path; ! beyond {:.0} %)",
        100.0 * DEFAULT_JUMP_TOLERANCE
    );
    let pct = |g: Option<f64>| match g {
        Some(g) => format!(
            "{:+.1} %{}",
            100.0 * g,
            if g.abs() > DEFAULT_JUMP_TOLERANCE {
                " !"
            } else {
                ""
            }
        ),
        None => "—".into(),
    };
    let mut jumps = 0;
    for c in checks {
        let (gi, gs) = c.growth();
        jumps += usize::from(gi.is_some_and(|g| g.abs() > DEFAULT_JUMP_TOLERANCE))
            + usize::from(gs.is_some_and(|g| g.abs() > DEFAULT_JUMP_TOLERANCE));
        let given = c
            .income_given
            .map_or_else(|| "—".to_string(), |i| format!("{:.2}", i / 1e8));
        let _ = writeln!(
            o,
            "  {:<16} income {given} → {:.2} ({}); spending {:.2} → {:.2} ({})",
            c.unit,
            c.income_first / 1e8,
            pct(gi),
            c.spending_given / 1e8,
            c.spending_first / 1e8,
            pct(gs),
        );
    }
    if jumps > 0 {
        let _ = writeln!(
            o,
            "  {jumps} jump(s) beyond {:.0} %: the year before's figures given are not what the model makes of those units; give them a [units.base_year] of published figures to solve their levels (README, \"Re-basing a scenario\")",
            100.0 * DEFAULT_JUMP_TOLERANCE
        );
    }
    o
}

/// The growth of unit 0's retirees over the twelve months of `b` (a base-year scenario) on
/// its expected path: the retirees at the start of the thirteenth month over those at the
/// start of the first.
fn retiree_growth(b: &Scenario) -> f64 {
    let mut b = b.clone();
    b.spec.horizon_months = 13;
    let model = ScenarioModel::new(&b);
    let mut at = [f64::NAN; 2];
    project_expected(
        &model,
        &mut |k: usize, f: usize, _: &FundMonth<f64>, memo: &Memo| {
            let info = &model.funds[f];
            if info.unit == 0 && info.kind == FundKind::Pooled && (k == 0 || k == 12) {
                at[k / 12] = memo.members[Status::Retiree as usize];
            }
        },
    );
    at[1] / at[0] - 1.0
}

/// Unit `i` alone under single pooling, without management rules, over twelve months: its own
/// pooled income and spending, whatever the scenario's pooling.
fn alone(s: &Scenario, i: usize) -> Scenario {
    let mut b = s.clone();
    b.spec.horizon_months = s.spec.horizon_months.min(12);
    b.spec.pooling.kind = PoolingKind::Single;
    b.spec.rules.clear();
    b.units = vec![s.units[i].clone()];
    b.spec.units = vec![s.spec.units[i].clone()];
    b
}

/// The scenario of unit `i`'s base year: the unit alone, moved back twelve months, its worker
/// counts and average wage deflated by the base year's mean growth.
fn base_year_scenario(s: &Scenario, i: usize) -> Scenario {
    let mut b = alone(s, i);
    let start = s.spec.start.plus(-12);
    let mid = Month::new(start.year(), 7).unwrap_or(start);
    let e = &s.spec.economy;
    let wage_growth = e.wage_growth.mean.at(mid);
    let employment_growth = e.employment_growth.mean.at(mid);
    b.spec.start = start;
    b.spec.horizon_months = 12;
    b.area_wage_prev_year /= 1.0 + wage_growth;
    let u = &mut b.units[0].spec;
    u.average_wage_prev_year /= 1.0 + wage_growth;
    let m = &mut u.membership;
    for n in [&mut m.enterprise, &mut m.government, &mut m.flexible] {
        *n /= 1.0 + employment_growth;
    }
    b
}

/// Solves every unit's base year (units without one are left as they are) and checks the jump
/// to the first projected year. Returns one fit per unit with a base year.
pub fn apply(s: &mut Scenario) -> Result<Vec<BaseYearFit>> {
    let mut fits = Vec::new();
    for i in 0..s.units.len() {
        let Some(by) = s.units[i].spec.base_year.clone() else {
            continue;
        };
        let field = |k: &str| format!("units[{i}].base_year.{k}");
        let name = s.units[i].spec.name.clone();
        if by.year != s.spec.start.year() - 1 || s.spec.start.month() != 1 {
            return Err(Error::field(
                &s.file,
                field("year"),
                format!(
                    "{} is not the year before the start ({}): a base year is the calendar year before a start in January",
                    by.year, s.spec.start
                ),
            ));
        }
        let basis = match (
            by.pooled_income,
            by.pooled_spending,
            by.fund_income,
            by.pooled_balance_prev,
        ) {
            (Some(income), Some(spending), None, None) => Basis::Pooled { income, spending },
            (None, Some(spending), None, None) => Basis::Spending { spending },
            (None, None, Some(fund_income), Some(balance_prev)) => Basis::WholeFund {
                fund_income,
                balance_prev,
            },
            _ => {
                return Err(Error::field(
                    &s.file,
                    field("pooled_income"),
                    "give either pooled_income and pooled_spending (the pooled fund's own figures), pooled_spending alone (its spending, where the year's income is not given) or fund_income and pooled_balance_prev (the whole fund's income and the pooled balance a year before), not a mix",
                ));
            }
        };
        let money = |k: &str, v: f64, lo_open: bool| -> Result<()> {
            let ok = if lo_open {
                v > 0.0 && v <= crate::scenario::MAX_MONEY
            } else {
                v.abs() <= crate::scenario::MAX_MONEY
            };
            if ok {
                Ok(())
            } else {
                let range = if lo_open {
                    "(0, 1e15] (yuan a year)"
                } else {
                    "[-1e15, 1e15] (yuan)"
                };
                Err(Error::field(
                    &s.file,
                    field(k),
                    format!("{v} is outside the allowed range {range}"),
                ))
            }
        };
        match basis {
            Basis::Pooled { income, spending } => {
                money("pooled_income", income, true)?;
                money("pooled_spending", spending, true)?;
            }
            Basis::Spending { spending } => money("pooled_spending", spending, true)?,
            Basis::WholeFund {
                fund_income,
                balance_prev,
            } => {
                money("fund_income", fund_income, true)?;
                money("pooled_balance_prev", balance_prev, false)?;
            }
        }
        if by.pooled_balance.is_nan() || by.pooled_balance.abs() > crate::scenario::MAX_MONEY {
            return Err(Error::field(
                &s.file,
                field("pooled_balance"),
                format!(
                    "{} is outside the allowed range [-1e15, 1e15] (yuan)",
                    by.pooled_balance
                ),
            ));
        }
        if !(0.0..=1.0).contains(&by.jump_tolerance) {
            return Err(Error::field(
                &s.file,
                field("jump_tolerance"),
                format!(
                    "{} is outside the allowed range [0, 1] (share)",
                    by.jump_tolerance
                ),
            ));
        }
        if (s.units[i].spec.initial_pooled_balance - by.pooled_balance).abs() > 0.5 {
            return Err(Error::field(
                &s.file,
                format!("units[{i}].initial_pooled_balance"),
                format!(
                    "{} differs from base_year.pooled_balance {}: the opening balance is the published year-end balance",
                    s.units[i].spec.initial_pooled_balance, by.pooled_balance
                ),
            ));
        }
        let m = &s.units[i].spec.membership;
        let mut members = Vec::new();
        for (k, published, opening, what) in [
            (
                "members_active",
                by.members_active,
                m.enterprise + m.government + m.flexible,
                "enterprise + government + flexible",
            ),
            (
                "members_retired",
                by.members_retired,
                m.retirees,
                "retirees",
            ),
        ] {
            let Some(published) = published else {
                continue;
            };
            if !(published > 0.0 && published <= 2e9) {
                return Err(Error::field(
                    &s.file,
                    field(k),
                    format!("{published} is outside the allowed range (0, 2e9] (persons)"),
                ));
            }
            if (opening - published).abs() > MEMBERS_TOLERANCE * published {
                return Err(Error::field(
                    &s.file,
                    format!("units[{i}].membership"),
                    format!(
                        "{what} = {opening} differs from base_year.{k} {published} by more than 0.5 %: the opening members are the published year-end members"
                    ),
                ));
            }
            members.push(MembersCheck {
                field: k,
                published,
                opening,
            });
        }
        // The retirement take-up level, first: retirees do not depend on the money levels,
        // and benefits and credits depend on retirees. The base year's growth of retirees is
        // nearly linear in it (retirements scale with it; deaths barely move).
        let retirees = match (by.members_retired_prev, by.members_retired) {
            (None, _) => None,
            (Some(_), None) => {
                return Err(Error::field(
                    &s.file,
                    field("members_retired_prev"),
                    "is given without members_retired: the take-up is solved on the growth from one to the other",
                ));
            }
            (Some(prev), Some(now)) => {
                if !(prev > 0.0 && prev <= 2e9) {
                    return Err(Error::field(
                        &s.file,
                        field("members_retired_prev"),
                        format!("{prev} is outside the allowed range (0, 2e9] (persons)"),
                    ));
                }
                let published_growth = now / prev - 1.0;
                let growth_at = |level: f64| {
                    let mut b = base_year_scenario(s, i);
                    b.units[0].spec.retirement_take_up_level *= level;
                    retiree_growth(&b)
                };
                let modelled_before = growth_at(1.0);
                let at_09 = growth_at(0.9);
                let mean = s
                    .spec
                    .economy
                    .retirement_take_up
                    .mean
                    .at(s.spec.start.plus(-6));
                let level_before = s.units[i].spec.retirement_take_up_level;
                let growth_per_take_up = (modelled_before - at_09) / (0.1 * mean * level_before);
                let (x1, y1) = secant(
                    growth_at,
                    (1.0, modelled_before),
                    (0.9, at_09),
                    published_growth,
                    |y| (y - published_growth).abs() < 1e-12,
                );
                let level = level_before * x1;
                if !(x1.is_finite() && x1 > 0.0 && mean * level <= 1.0)
                    || (y1 - published_growth).abs() > 1e-9
                {
                    return Err(Error::field(
                        &s.file,
                        field("members_retired_prev"),
                        format!(
                            "the model's base year cannot meet the published growth of retirees ({:+.2} %): the retirement take-up would have to be {:.3} (allowed (0, 1]; the model gives {:+.2} % at the scenario's take-up)",
                            100.0 * published_growth,
                            mean * level,
                            100.0 * modelled_before
                        ),
                    ));
                }
                s.units[i].spec.retirement_take_up_level = level;
                Some(RetireesFit {
                    published_growth,
                    modelled_before,
                    modelled: y1,
                    take_up_factor: x1,
                    take_up: mean * level,
                    growth_per_take_up,
                })
            }
        };
        if let (Some(a), Basis::Pooled { .. }) = (by.account_income, basis) {
            money("account_income", a, true)?;
        } else if by.account_income.is_some() {
            return Err(Error::field(
                &s.file,
                field("account_income"),
                "is solved with the pooled basis only (pooled_income and pooled_spending): the bulletins that publish the accounts' income publish the pooled fund's own figures too",
            ));
        }
        // Income is linear in the collection level; benefits nearly linear in the utilisation
        // level (use probabilities are capped at 1), so each is solved by secant steps from
        // two runs, to a relative error below 1e-9. `credit` multiplies the retirees' account
        // credit.
        let run_with = |collection: f64, utilisation: f64, credit: f64| {
            let mut b = base_year_scenario(s, i);
            b.units[0].spec.collection_level *= collection;
            b.units[0].spec.utilisation_level *= utilisation;
            let p = &mut b.units[0].policy;
            p.retiree_account_credit = p.retiree_account_credit.map(|v| v * credit);
            if let Basis::WholeFund { balance_prev, .. } = basis {
                b.units[0].spec.initial_pooled_balance = balance_prev;
            }
            first_year(&b, 0)
        };
        let run = |collection: f64, utilisation: f64| run_with(collection, utilisation, 1.0);
        // What each level is solved to meet: (the measure of a base year, its published value).
        let (income_of, spending_of): (Measure, Measure) = match basis {
            Basis::Pooled { .. } | Basis::Spending { .. } => {
                (|y| y.pooled_income, |y| y.pooled_spending)
            }
            Basis::WholeFund { .. } => (|y| y.fund_income, |y| y.pooled_balance_end),
        };
        let before = run(1.0, 1.0);
        let (income_target, spending_target, income_field, spending_field) = match basis {
            Basis::Pooled { income, spending } => {
                (income, spending, "pooled_income", "pooled_spending")
            }
            // Income is not solved: its target is the model's own (the collection level stays).
            Basis::Spending { spending } => (
                income_of(&before),
                spending,
                "pooled_income",
                "pooled_spending",
            ),
            Basis::WholeFund { fund_income, .. } => (
                fund_income,
                by.pooled_balance,
                "fund_income",
                "pooled_balance",
            ),
        };
        // Secant steps from the factor `x_start`, whose value is `y_start`.
        // The year-end balance falls as the utilisation level rises; the secant does not mind.
        let close =
            |y: f64, target: f64| (y - target).abs() < 1e-9 * target.abs().max(income_target);
        let secant = |value: &dyn Fn(f64) -> f64, x_start: f64, y_start: f64, target: f64| {
            if close(y_start, target) {
                return x_start;
            }
            let next = (x_start * 1.1, value(x_start * 1.1));
            secant(value, (x_start, y_start), next, target, |y| {
                close(y, target)
            })
            .0
        };
        let mut credit_factor = 1.0;
        let (collection_factor, utilisation_factor) = match (basis, by.account_income) {
            // Income does not depend on the utilisation level, nor spending on the collection
            // level: two independent solves from the scenario's own levels.
            (Basis::Spending { .. }, _) => (
                1.0,
                secant(
                    &|x| spending_of(&run(1.0, x)),
                    1.0,
                    spending_of(&before),
                    spending_target,
                ),
            ),
            (Basis::Pooled { .. }, None) => (
                secant(
                    &|x| income_of(&run(x, 1.0)),
                    1.0,
                    income_of(&before),
                    income_target,
                ),
                secant(
                    &|x| spending_of(&run(1.0, x)),
                    1.0,
                    spending_of(&before),
                    spending_target,
                ),
            ),
            // The accounts' income holds the members' own contributions (collection level c)
            // and the retirees' credits (factor r), which the pooled income is net of: income
            // = c·G − r·C, accounts = c·E + r·C. The two solves alternate (each step shrinks
            // the error by E/G, the accounts' share of contributions, about a quarter); the
            // spending (benefits) depends on neither.
            (Basis::Pooled { .. }, Some(accounts)) => {
                let account_of = |y: &YearFigures| y.account_income;
                let (mut c, mut r) = (1.0, 1.0);
                // The base year at (c, r), each step's start (the scenario's own levels first).
                let mut now = before;
                for _ in 0..40 {
                    c = secant(
                        &|x| income_of(&run_with(x, 1.0, r)),
                        c,
                        income_of(&now),
                        income_target,
                    );
                    r = secant(
                        &|x| account_of(&run_with(c, 1.0, x)),
                        r,
                        account_of(&run_with(c, 1.0, r)),
                        accounts,
                    );
                    if !(c.is_finite() && r.is_finite()) {
                        break;
                    }
                    now = run_with(c, 1.0, r);
                    if close(income_of(&now), income_target) && close(account_of(&now), accounts) {
                        break;
                    }
                }
                credit_factor = r;
                (
                    c,
                    secant(
                        &|x| spending_of(&run(1.0, x)),
                        1.0,
                        spending_of(&before),
                        spending_target,
                    ),
                )
            }
            // The fund's income holds interest, which moves with spending, and the balance
            // moves with income: the two solves alternate until both are met.
            (Basis::WholeFund { .. }, _) => {
                let (mut c, mut u) = (1.0, 1.0);
                let mut now = before;
                for _ in 0..10 {
                    c = secant(
                        &|x| income_of(&run(x, u)),
                        c,
                        income_of(&now),
                        income_target,
                    );
                    if !c.is_finite() {
                        break;
                    }
                    u = secant(
                        &|x| spending_of(&run(c, x)),
                        u,
                        spending_of(&run(c, u)),
                        spending_target,
                    );
                    if !u.is_finite() {
                        break;
                    }
                    now = run(c, u);
                    if close(income_of(&now), income_target)
                        && close(spending_of(&now), spending_target)
                    {
                        break;
                    }
                }
                (c, u)
            }
        };
        for (k, f, what) in [
            (income_field, collection_factor, "collection level"),
            (spending_field, utilisation_factor, "utilisation level"),
            (
                "account_income",
                credit_factor,
                "retirees' account credit (policy.retiree_account_credit, which must not be 0)",
            ),
        ] {
            if !(f.is_finite() && f > 0.0 && f <= 10.0) {
                return Err(Error::field(
                    &s.file,
                    field(k),
                    format!(
                        "the model's base year cannot meet it: the {what} would have to be multiplied by {f:.3} (allowed (0, 10])"
                    ),
                ));
            }
        }
        let solved = run_with(collection_factor, utilisation_factor, credit_factor);
        let account_income = by.account_income.map(|published| AccountIncomeFit {
            published,
            modelled_before: before.account_income,
            modelled: solved.account_income,
            credit_factor,
        });
        for (k, got, want) in [
            (income_field, income_of(&solved), income_target),
            (spending_field, spending_of(&solved), spending_target),
            (
                "account_income",
                solved.account_income,
                by.account_income.unwrap_or(solved.account_income),
            ),
        ] {
            if (got - want).abs() > 1e-4 * want.abs().max(income_target) {
                return Err(Error::field(
                    &s.file,
                    field(k),
                    format!("the solved base year gives {got:.0} against {want:.0}"),
                ));
            }
        }
        let p = &mut s.units[i].policy;
        p.retiree_account_credit = p.retiree_account_credit.map(|v| v * credit_factor);
        let u = &mut s.units[i].spec;
        u.collection_level *= collection_factor;
        u.utilisation_level *= utilisation_factor;
        s.spec.units[i] = u.clone();
        let first = first_year(&alone(s, i), 0);
        // Growth against the solved base year's pooled income and spending (on the pooled
        // basis, the published ones).
        let growth = (
            first.pooled_income / solved.pooled_income - 1.0,
            first.pooled_spending / solved.pooled_spending - 1.0,
        );
        let mut explained_by = None;
        // Without a given income, the model's base-year income is its own: its growth into the
        // first year is not a jump against anything given.
        let income_given = !matches!(basis, Basis::Spending { .. });
        for (line, g) in [("pooled income", growth.0), ("pooled spending", growth.1)] {
            if g.abs() > by.jump_tolerance && (income_given || line == "pooled spending") {
                match policy_change_in_first_year(s, i) {
                    Some(change) => explained_by = Some(change),
                    None => {
                        return Err(Error::field(
                            &s.file,
                            format!("units[{i}]"),
                            format!(
                                "`{name}`: {line} jumps {:+.1} % from the base year {} to {}, beyond the tolerance of {:.0} %, and no dated policy change in {} or {} explains it",
                                100.0 * g,
                                by.year,
                                s.spec.start.year(),
                                100.0 * by.jump_tolerance,
                                by.year,
                                s.spec.start.year()
                            ),
                        ));
                    }
                }
            }
        }
        fits.push(BaseYearFit {
            unit: name,
            year: by.year,
            assumed: s.units[i].spec.opening_position()
                == crate::scenario::OpeningPosition::Assumed,
            basis,
            published: (income_target, spending_target),
            modelled_before: (income_of(&before), spending_of(&before)),
            modelled: (income_of(&solved), spending_of(&solved)),
            base_year: solved,
            collection_factor,
            utilisation_factor,
            account_income,
            retirees,
            first_year: (first.pooled_income, first.pooled_spending),
            growth,
            explained_by,
            members,
        });
    }
    Ok(fits)
}

/// A dated policy entry of unit `i` (or its maternity merger) taking effect in the base year
/// or the first projected year, either of which moves one year's total against the other:
/// `field from MONTH`.
fn policy_change_in_first_year(s: &Scenario, i: usize) -> Option<String> {
    policy_change_between(s, i, s.spec.start.plus(-12), s.spec.start.plus(11))
}

/// The first dated policy change of unit `i` (a schedule's later entry, or the maternity
/// merger) taking effect in the months `first`–`last`, named.
pub(crate) fn policy_change_between(
    s: &Scenario,
    i: usize,
    first: Month,
    last: Month,
) -> Option<String> {
    let policy = &s.units[i].policy;
    if let Some(m) = policy
        .maternity
        .as_ref()
        .and_then(|m| m.merger)
        .filter(|m| *m >= first && *m <= last)
    {
        return Some(format!("policy.maternity.merger {m}"));
    }
    let value = serde_json::to_value(policy).ok()?;
    find_from(&value, "policy", first, last)
}

fn find_from(v: &serde_json::Value, path: &str, first: Month, last: Month) -> Option<String> {
    match v {
        // A dated schedule's first entry is the value in force from the start, not a change;
        // a later entry taking effect in the first projected year is.
        serde_json::Value::Array(items) => items.iter().enumerate().find_map(|(k, x)| {
            let here = format!("{path}[{k}]");
            let change = (k > 0)
                .then(|| x.get("from").and_then(|f| f.as_str()))
                .flatten()
                .and_then(|f| f.parse::<Month>().ok())
                .filter(|m| *m >= first && *m <= last);
            match change {
                Some(m) => Some(format!("{here} from {m}")),
                None => find_from(x, &here, first, last),
            }
        }),
        serde_json::Value::Object(map) => map
            .iter()
            .find_map(|(k, x)| find_from(x, &format!("{path}.{k}"), first, last)),
        _ => None,
    }
}

/// Each unit's base year: published and modelled, the levels solved, the first projected year's
/// growth and the published members beside the opening ones (what `fundrisk check` prints).
pub fn describe(fits: &[BaseYearFit]) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "base year (亿元; levels solved so that the model's base year meets the published one, or the assumed one where its source says ASSUMPTION)"
    );
    for f in fits {
        let given = if f.assumed { "assumed" } else { "published" };
        match f.basis {
            Basis::Pooled { .. } => {
                let _ = writeln!(
                    o,
                    "  {:<16} {}: income {:.2} {given}, {:.2} modelled with the scenario's levels → collection level × {:.4}; spending {:.2} {given}, {:.2} modelled → utilisation level × {:.4}",
                    f.unit,
                    f.year,
                    f.published.0 / 1e8,
                    f.modelled_before.0 / 1e8,
                    f.collection_factor,
                    f.published.1 / 1e8,
                    f.modelled_before.1 / 1e8,
                    f.utilisation_factor
                );
                if let Some(a) = &f.account_income {
                    let _ = writeln!(
                        o,
                        "  {:<16} {}: account income {:.2} published, {:.2} modelled with the scenario's credit → retirees' account credit × {:.4}",
                        "",
                        f.year,
                        a.published / 1e8,
                        a.modelled_before / 1e8,
                        a.credit_factor
                    );
                }
            }
            Basis::Spending { .. } => {
                let _ = writeln!(
                    o,
                    "  {:<16} {}: spending {:.2} {given}, {:.2} modelled with the scenario's levels → utilisation level × {:.4}; income not given ({:.2} modelled, collection level kept)",
                    f.unit,
                    f.year,
                    f.published.1 / 1e8,
                    f.modelled_before.1 / 1e8,
                    f.utilisation_factor,
                    f.base_year.pooled_income / 1e8,
                );
            }
            Basis::WholeFund { balance_prev, .. } => {
                let _ = writeln!(
                    o,
                    "  {:<16} {}: whole-fund income {:.2} published, {:.2} modelled with the scenario's levels → collection level × {:.4}; pooled balance {:.2} → {:.2} published, {:.2} modelled → utilisation level × {:.4}; so pooled income {:.2}, spending {:.2}",
                    f.unit,
                    f.year,
                    f.published.0 / 1e8,
                    f.modelled_before.0 / 1e8,
                    f.collection_factor,
                    balance_prev / 1e8,
                    f.published.1 / 1e8,
                    f.modelled_before.1 / 1e8,
                    f.utilisation_factor,
                    f.base_year.pooled_income / 1e8,
                    f.base_year.pooled_spending / 1e8
                );
            }
        }
        if let Some(r) = &f.retirees {
            let _ = writeln!(
                o,
                "  {:<16} {}: retirees {:+.2} % published, {:+.2} % modelled with the scenario's take-up → retirement take-up level × {:.4}, take-up {:.4} (growth per unit of take-up {:.2} points)",
                "",
                f.year,
                100.0 * r.published_growth,
                100.0 * r.modelled_before,
                r.take_up_factor,
                r.take_up,
                100.0 * r.growth_per_take_up
            );
        }
        let _ = writeln!(
            o,
            "  {:<16} {}: income {:.2} ({:+.1} %), spending {:.2} ({:+.1} %){}",
            "",
            f.year + 1,
            f.first_year.0 / 1e8,
            100.0 * f.growth.0,
            f.first_year.1 / 1e8,
            100.0 * f.growth.1,
            f.explained_by
                .as_ref()
                .map_or(String::new(), |c| format!("; the jump is explained by {c}"))
        );
        if !f.members.is_empty() {
            let shown: Vec<String> = f
                .members
                .iter()
                .map(|m| {
                    format!(
                        "{} {:.2} published, {:.2} at the start ({:+.2} %)",
                        m.field,
                        m.published / 1e4,
                        m.opening / 1e4,
                        100.0 * (m.opening / m.published - 1.0)
                    )
                })
                .collect();
            let _ = writeln!(o, "  {:<16} 万人: {}", "", shown.join("; "));
        }
    }
    o
}
