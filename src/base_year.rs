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

use crate::engine::{FundKind, Memo, ScenarioModel, project_expected};
use crate::error::{Error, Result};
use crate::ledger::FundMonth;
use crate::params::Month;
use crate::scenario::{PoolingKind, Scenario};

/// Largest relative difference between a unit's opening members and its published base-year
/// members (share): rounding in the bulletins' 万人 and a split by status.
const MEMBERS_TOLERANCE: f64 = 0.005;

/// What the base-year solve found for one unit.
#[derive(Clone, Debug, PartialEq)]
pub struct BaseYearFit {
    pub unit: String,
    pub year: i32,
    /// Published pooled income and spending of the base year, yuan.
    pub published: (f64, f64),
    /// The model's base year with the scenario's own levels, yuan.
    pub modelled_before: (f64, f64),
    /// The model's base year with the solved levels, yuan.
    pub modelled: (f64, f64),
    /// Solved multipliers of the unit's `collection_level` and `utilisation_level`.
    pub collection_factor: f64,
    pub utilisation_factor: f64,
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

/// The unit's pooled income (premiums, no interest) and spending over the first twelve
/// months of `s`'s expected path, yuan.
fn first_year(s: &Scenario, unit: usize) -> (f64, f64) {
    let model = ScenarioModel::new(s);
    let months = model.horizon.min(12) as usize;
    let (mut income, mut spending) = (0.0, 0.0);
    project_expected(
        &model,
        &mut |k: usize, f: usize, rec: &FundMonth<f64>, _memo: &Memo| {
            let info = &model.funds[f];
            if k < months && info.unit == unit && info.kind == FundKind::Pooled {
                income += rec.income_total;
                spending += rec.spending_total;
            }
        },
    );
    (income, spending)
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
        for (k, v) in [
            ("pooled_income", by.pooled_income),
            ("pooled_spending", by.pooled_spending),
        ] {
            if !(v > 0.0 && v <= crate::scenario::MAX_MONEY) {
                return Err(Error::field(
                    &s.file,
                    field(k),
                    format!("{v} is outside the allowed range (0, 1e15] (yuan a year)"),
                ));
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
        // Income is linear in the collection level; benefits nearly linear in the utilisation
        // level (use probabilities are capped at 1), so each is solved by secant steps from
        // two runs, to a relative error below 1e-9.
        let run = |collection: f64, utilisation: f64| {
            let mut b = base_year_scenario(s, i);
            b.units[0].spec.collection_level *= collection;
            b.units[0].spec.utilisation_level *= utilisation;
            first_year(&b, 0)
        };
        let before = run(1.0, 1.0);
        // `at_one`: the value at factor 1, the run with the scenario's own levels (`before`).
        let secant = |value: &dyn Fn(f64) -> f64, at_one: f64, target: f64| {
            let (mut x0, mut y0) = (1.0, at_one);
            let (mut x1, mut y1) = (1.1, value(1.1));
            for _ in 0..30 {
                if (y1 / target - 1.0).abs() < 1e-9 || y1 == y0 {
                    break;
                }
                let x2 = x1 + (target - y1) * (x1 - x0) / (y1 - y0);
                if !(x2.is_finite() && x2 > 0.0) {
                    return f64::NAN;
                }
                (x0, y0) = (x1, y1);
                (x1, y1) = (x2, value(x2));
            }
            x1
        };
        let collection_factor = secant(&|x| run(x, 1.0).0, before.0, by.pooled_income);
        let utilisation_factor = secant(&|x| run(1.0, x).1, before.1, by.pooled_spending);
        for (k, f, what) in [
            ("pooled_income", collection_factor, "collection level"),
            ("pooled_spending", utilisation_factor, "utilisation level"),
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
        let modelled = run(collection_factor, utilisation_factor);
        for (k, got, want) in [
            ("pooled_income", modelled.0, by.pooled_income),
            ("pooled_spending", modelled.1, by.pooled_spending),
        ] {
            if (got / want - 1.0).abs() > 1e-4 {
                return Err(Error::field(
                    &s.file,
                    field(k),
                    format!("the solved base year gives {got:.0} against {want:.0}"),
                ));
            }
        }
        let u = &mut s.units[i].spec;
        u.collection_level *= collection_factor;
        u.utilisation_level *= utilisation_factor;
        s.spec.units[i] = u.clone();
        let first = first_year(&alone(s, i), 0);
        let growth = (
            first.0 / by.pooled_income - 1.0,
            first.1 / by.pooled_spending - 1.0,
        );
        let mut explained_by = None;
        for (line, g) in [("pooled income", growth.0), ("pooled spending", growth.1)] {
            if g.abs() > by.jump_tolerance {
                match policy_change_in_first_year(s, i) {
                    Some(change) => explained_by = Some(change),
                    None => {
                        return Err(Error::field(
                            &s.file,
                            format!("units[{i}]"),
                            format!(
                                "`{name}`: {line} jumps {:+.1} % from the base year {} to {}, beyond the tolerance of {:.0} %, and no dated policy change in {} explains it",
                                100.0 * g,
                                by.year,
                                s.spec.start.year(),
                                100.0 * by.jump_tolerance,
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
            published: (by.pooled_income, by.pooled_spending),
            modelled_before: before,
            modelled,
            collection_factor,
            utilisation_factor,
            first_year: first,
            growth,
            explained_by,
            members,
        });
    }
    Ok(fits)
}

/// A dated policy entry of unit `i` (or its maternity merger) taking effect in the first
/// projected year: `field from MONTH`.
fn policy_change_in_first_year(s: &Scenario, i: usize) -> Option<String> {
    let (first, last) = (s.spec.start, s.spec.start.plus(11));
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
        "base year (亿元; levels solved so that the model's base year meets the published one)"
    );
    for f in fits {
        let _ = writeln!(
            o,
            "  {:<16} {}: income {:.2} published, {:.2} modelled with the scenario's levels → collection level × {:.4}; spending {:.2} published, {:.2} modelled → utilisation level × {:.4}",
            f.unit,
            f.year,
            f.published.0 / 1e8,
            f.modelled_before.0 / 1e8,
            f.collection_factor,
            f.published.1 / 1e8,
            f.modelled_before.1 / 1e8,
            f.utilisation_factor
        );
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
