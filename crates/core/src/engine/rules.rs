//! Management rules (MODEL.md, "Fund, pooling and rules"): at each year end, a unit whose
//! pooled fund (or, under accounts pooling, whose fund) has fewer months of payment capacity
//! than a rule's threshold has its employer rate, or its residents' contribution and subsidy,
//! raised from the next January, up to the rule's ceiling.

use super::{FundKind, PathState, ScenarioModel};
use crate::ledger::{FundMonth, Money};
use crate::params::Month;
use crate::policy::contributions::Uplift;
use crate::scenario::{PolicySpec, PoolingKind, RuleKind, RuleScope};

/// Months of capacity of a posted month (+∞ without spending).
fn months_of<M: Money>(r: &FundMonth<M>) -> f64 {
    r.months_of_capacity.map_or(f64::INFINITY, |m| m.to_yuan())
}

/// Year-end management rules: on each unit's pooled fund, or, when the units are accounts of
/// one fund, on that fund's total (the sum of the accounts).
/// `policies`: the units' policies in force on this path (a trial's, or the units' own when
/// None), whose rates the rules' ceilings are measured from.
pub(super) fn year_end_rules<M: Money>(
    model: &ScenarioModel,
    policies: Option<&[PolicySpec]>,
    t: Month,
    state: &mut PathState<M>,
) {
    let is_pooled = |f: &usize| model.funds[*f].kind == FundKind::Pooled;
    // Accounts of one fund are judged on the fund: the sum of the accounts.
    let total_months = (model.pooling.spec.kind == PoolingKind::Accounts).then(|| {
        let (mut balance, mut avg) = (0.0, 0.0);
        for f in (0..model.funds.len()).filter(is_pooled) {
            balance += state.records[f].balance.to_yuan();
            avg += state.records[f].avg_spending_12m.to_yuan();
        }
        if avg > 0.0 {
            balance / avg
        } else {
            f64::INFINITY
        }
    });
    for f in (0..model.funds.len()).filter(is_pooled) {
        let u = model.funds[f].unit;
        let own = months_of(&state.records[f]);
        let policy = policies.map_or(&model.units[u].policy, |p| &p[u]);
        if apply_rules(
            model,
            policy,
            u,
            t,
            own,
            total_months,
            &mut state.rate_uplift[u],
        ) {
            state.memos[f].rule_fired = 1.0;
        }
    }
}

/// Evaluates the management rules for unit `u` at the year end `t` with `months` of capacity;
/// updates its employer-rate uplift from the next January and says whether a rule fired.
fn apply_rules(
    model: &ScenarioModel,
    policy: &PolicySpec,
    u: usize,
    t: Month,
    own_months: f64,
    fund_months: Option<f64>,
    uplift: &mut Uplift,
) -> bool {
    let mut fired = false;
    let next = t.plus(1);
    for (rule, applies) in &model.rules {
        // Under accounts pooling a rule judges the fund (the sum of the accounts) or the
        // account; otherwise the unit's own pooled fund.
        let months = match (rule.judged_on, fund_months) {
            (RuleScope::Fund, Some(m)) => m,
            _ => own_months,
        };
        if !applies[u] || months >= rule.below_months {
            continue;
        }
        let (current, base) = match rule.kind {
            RuleKind::RaiseEmployerRate => {
                (&mut uplift.employer_rate, policy.employer_rate.at(next))
            }
            RuleKind::RaiseResidentContribution => {
                (&mut uplift.resident_rate, policy.resident_rate.at(next))
            }
        };
        let room = (rule.ceiling - base).max(0.0);
        let new = (*current + rule.step).min(room);
        if new > *current + 1e-12 {
            *current = new;
            if rule.kind == RuleKind::RaiseResidentContribution {
                uplift.resident_subsidy += rule.subsidy_step;
            }
            fired = true;
        }
    }
    fired
}
