//! Pooling structures over units (MODEL.md, "Fund, pooling and rules"): the rules that move
//! money between funds, or bring it in from county treasuries, at the year's turns.
//!
//! - `single`: each unit is its own fund; nothing moves.
//! - `provincial_adjustment` (Shandong, 003 §(四)): each January every unit pays a levy of
//!   `levy_rate` × its pooled premium income of the year before into the adjustment fund, a fund
//!   of its own. At the year end a unit with a current-year deficit D (spending over premium
//!   income) receives min(`gap_share` × D, `cap_multiple` × its levy of the year before); if the
//!   adjustment fund holds less than all requests, each is scaled down in proportion. The unit's
//!   own balance bears the rest.
//! - `city_unified` (Jiujiang, 004): one city fund holds every county's money. At the annual
//!   settlement a county whose spending S exceeds its income I has a gap G = S − I. If it met its
//!   revenue budget and S stayed within its spending budget, the city fund pays
//!   `within_budget_city_share` of G; if S exceeded the budget, the city fund pays
//!   `beyond_budget_city_share` of the whole G (`overspend_sharing = "whole_gap"`, the literal
//!   reading of 004 三(四)2(1)) or of the part of G above the budget, the part within it at
//!   `within_budget_city_share` (`"above_budget"`); the county treasury pays the rest. If it
//!   missed its revenue budget, the county treasury pays `missed_revenue_treasury_share` of G.
//!   Treasury payments are income of the city fund (`income_treasury`), booked in
//!   `treasury_settlement_month` of the next year (004 三(三): settled by the end of March) or,
//!   with 12, in the December settled. Budgets are last year's income and spending
//!   grown by the scenario's budget growth; the working advance (months × last year's average
//!   monthly spending) is reported, as a cash position, not booked.
//!
//! Every amount is computed in the ledger's money type, so the exact ledger settles to the fen.

use crate::ledger::Money;
use crate::params::{Dated, Month};
use crate::scenario::{OverspendSharing, PoolingKind, PoolingSpec};

/// One unit's settlement of one year.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Settlement<M> {
    /// The unit's pooled premium income and spending of the year.
    pub income: M,
    pub spending: M,
    /// Levy paid into the adjustment fund in January.
    pub(crate) levy: M,
    /// Current-year gap: spending over premium income, if positive.
    pub gap: M,
    /// Paid to the unit towards its gap: by the adjustment fund, or by the city fund.
    pub received: M,
    /// Paid by the county treasury towards the gap.
    pub treasury: M,
    pub revenue_budget: M,
    pub spending_budget: M,
    /// The working fund advanced to the county (a cash position, not booked).
    pub working_advance: M,
    /// Paid to the unit by the adjustment fund on its other uses (policy compensation and
    /// emergencies), in proportion to its levy.
    pub(crate) other_uses: M,
}

/// The adjustment fund's payments towards the units' deficits: min(share × gap, cap) each (each
/// unit its own share),
/// scaled down in proportion when the fund holds less than their sum (`available`).
pub(crate) fn adjustment_payments<M: Money>(
    gaps: &[M],
    caps: &[M],
    shares: &[f64],
    available: M,
) -> Vec<M> {
    let zero = M::default();
    let requests: Vec<M> = gaps
        .iter()
        .zip(caps)
        .zip(shares)
        .map(|((&g, &c), &share)| {
            if g <= zero {
                zero
            } else {
                let r = g.scale(share);
                if r > c { c } else { r }
            }
        })
        .collect();
    let mut total = zero;
    for &r in &requests {
        total += r;
    }
    if total <= available || total <= zero {
        return requests;
    }
    let factor = if available > zero {
        available.to_yuan() / total.to_yuan()
    } else {
        0.0
    };
    let mut paid: Vec<M> = requests.iter().map(|r| r.scale(factor)).collect();
    // Rounding must not pay out more than the fund holds.
    let mut sum = zero;
    for &p in &paid {
        sum += p;
    }
    if sum > available
        && let Some(last) = paid.iter_mut().rev().find(|p| **p > zero)
    {
        *last -= sum - available;
    }
    paid
}

/// The share of a unit's gap the adjustment fund bears (before the cap): by the gap's size
/// relative to the unit's premium income of the year (`gap_share_bands`: the first band whose
/// bound is above it, else the last) or `gap_share`, times the unit's assessment, at most 1.
pub(crate) fn gap_share(spec: &PoolingSpec, gap: f64, premium_income: f64, assessment: f64) -> f64 {
    let base = match &spec.gap_share_bands {
        None => spec.gap_share,
        Some(bands) => {
            let relative = if premium_income > 0.0 {
                gap / premium_income
            } else {
                f64::INFINITY
            };
            bands
                .iter()
                .find(|b| relative < b[0])
                .or(bands.last())
                .map_or(spec.gap_share, |b| b[1])
        }
    };
    (base * assessment).min(1.0)
}

/// The adjustment fund's other uses of a year: `share` of the year's levies, at most what it
/// holds (`available`, after the gap payments), to each unit in proportion to its levy; the
/// rounding remainder to the last unit with a levy, so that the payments sum to the amount.
pub(crate) fn other_uses<M: Money>(levies: &[M], share: f64, available: M) -> Vec<M> {
    let zero = M::default();
    let mut out = vec![zero; levies.len()];
    let total_levy = levies.iter().fold(zero, |a, l| a + *l);
    if share <= 0.0 || total_levy <= zero || available <= zero {
        return out;
    }
    let wanted = total_levy.scale(share);
    let amount = if wanted > available {
        available
    } else {
        wanted
    };
    let ratio = amount.to_yuan() / total_levy.to_yuan();
    let mut given = zero;
    let last = levies.iter().rposition(|l| *l > zero);
    for (u, l) in levies.iter().enumerate() {
        if Some(u) == last {
            out[u] = amount - given;
        } else if *l > zero {
            out[u] = l.scale(ratio);
            given += out[u];
        }
    }
    out
}

/// A county's annual settlement under city-unified pooling: (paid by the city fund, paid by
/// the county treasury).
pub fn county_settlement<M: Money>(
    income: M,
    spending: M,
    revenue_budget: M,
    spending_budget: M,
    p: &PoolingSpec,
) -> (M, M) {
    let zero = M::default();
    let gap = spending - income;
    if gap <= zero {
        return (zero, zero);
    }
    let treasury = if income >= revenue_budget {
        let over = spending - spending_budget;
        match p.overspend_sharing {
            _ if over <= zero => gap.scale(1.0 - p.within_budget_city_share),
            OverspendSharing::WholeGap => gap.scale(1.0 - p.beyond_budget_city_share),
            OverspendSharing::AboveBudget => {
                let beyond = if over > gap { gap } else { over };
                let within = gap - beyond;
                within.scale(1.0 - p.within_budget_city_share)
                    + beyond.scale(1.0 - p.beyond_budget_city_share)
            }
        }
    } else {
        gap.scale(p.missed_revenue_treasury_share)
    };
    (gap - treasury, treasury)
}

/// What a pooling rule needs to know of the model.
#[derive(Clone, Debug)]
pub(crate) struct PoolingRule {
    pub(crate) spec: PoolingSpec,
    /// The shared fund (adjustment or city), if any.
    pub(crate) pool_fund: Option<usize>,
    /// Each unit's pooled fund.
    pub(crate) unit_fund: Vec<usize>,
    /// Each unit's pooled premium income and spending of the year before the start, yuan.
    pub(crate) income_prev_year: Vec<f64>,
    pub(crate) spending_prev_year: Vec<f64>,
    /// First month of the scheme.
    pub(crate) start: Month,
    /// Each unit's assessment multiplier of its gap share (provincial_adjustment).
    pub(crate) assessment: Vec<f64>,
    /// Each unit's approved revenue and spending budgets, where given (city_unified), yuan a
    /// year.
    pub(crate) revenue_budget: Vec<Option<Dated<f64>>>,
    pub(crate) spending_budget: Vec<Option<Dated<f64>>>,
}

/// Year-to-date sums and last year's figures per unit.
#[derive(Clone, Debug)]
pub(crate) struct PoolState<M> {
    ytd_income: Vec<M>,
    ytd_spending: Vec<M>,
    last_income: Vec<M>,
    last_spending: Vec<M>,
    levy_this_year: Vec<M>,
    levy_last_year: Vec<Option<M>>,
    settlements: Vec<Settlement<M>>,
    /// city_unified: the county treasuries' share of last year's gaps, settled in December and
    /// not yet booked (it is booked in `treasury_settlement_month`).
    treasury_due: M,
}

impl<M: Money> PoolState<M> {
    pub fn new(rule: &PoolingRule) -> PoolState<M> {
        let n = rule.unit_fund.len();
        let mut s = PoolState {
            ytd_income: vec![M::default(); n],
            ytd_spending: vec![M::default(); n],
            last_income: vec![M::default(); n],
            last_spending: vec![M::default(); n],
            levy_this_year: vec![M::default(); n],
            levy_last_year: vec![None; n],
            settlements: vec![Settlement::default(); n],
            treasury_due: M::default(),
        };
        s.reset(rule);
        s
    }

    pub(crate) fn reset(&mut self, rule: &PoolingRule) {
        for u in 0..rule.unit_fund.len() {
            self.ytd_income[u] = M::default();
            self.ytd_spending[u] = M::default();
            self.last_income[u] = M::from_yuan(rule.income_prev_year[u]);
            self.last_spending[u] = M::from_yuan(rule.spending_prev_year[u]);
            self.levy_this_year[u] = M::default();
            self.levy_last_year[u] = None;
            self.settlements[u] = Settlement::default();
        }
        self.treasury_due = M::default();
    }
}

/// One fund's month before it is posted.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Posting<M> {
    pub(crate) transfer_merger: M,
    pub(crate) other_transfers: M,
    pub(crate) treasury_income: M,
}

impl PoolingRule {
    /// Applies month `t`'s rules. `unit_income` / `unit_spending`: each unit's pooled premium
    /// income and spending of the month; `balances`: funds' balances at the start of the month.
    /// Transfers and treasury income go into `postings`; at a year end each unit's settlement
    /// is handed to `settled`.
    #[allow(clippy::too_many_arguments)]
    pub fn apply<M: Money>(
        &self,
        t: Month,
        unit_income: &[M],
        unit_spending: &[M],
        balances: &[M],
        postings: &mut [Posting<M>],
        state: &mut PoolState<M>,
        settled: &mut impl FnMut(usize, &Settlement<M>),
    ) {
        let n = self.unit_fund.len();
        let zero = M::default();
        if self.spec.treasury_backstop && t.month() == 1 && t > self.start {
            // The treasury covers each pooled fund's deficit at the year end, in January
            // (units sharing one fund, as the counties of a city fund, are adjacent).
            for u in 0..n {
                let f = self.unit_fund[u];
                if (u == 0 || self.unit_fund[u - 1] != f) && balances[f] < zero {
                    postings[f].treasury_income += zero - balances[f];
                }
            }
        }
        if matches!(self.spec.kind, PoolingKind::Single | PoolingKind::Accounts) || t < self.start {
            return;
        }
        if t.month() == 1 {
            for u in 0..n {
                state.settlements[u] = Settlement::default();
            }
        }
        if t.month() == 1 && self.spec.kind == PoolingKind::ProvincialAdjustment {
            let rate = self.spec.levy_rate.at(t);
            let pool = self.pool_fund.unwrap_or(0);
            for u in 0..n {
                let levy = state.last_income[u].scale(rate);
                postings[self.unit_fund[u]].other_transfers -= levy;
                postings[pool].other_transfers += levy;
                state.levy_this_year[u] = levy;
                state.settlements[u].levy = levy;
            }
        }
        if self.spec.kind == PoolingKind::CityUnified
            && t.month() == self.spec.treasury_settlement_month
            && t.month() != 12
        {
            let pool = self.pool_fund.unwrap_or(0);
            postings[pool].treasury_income += state.treasury_due;
            state.treasury_due = zero;
        }
        for u in 0..n {
            state.ytd_income[u] += unit_income[u];
            state.ytd_spending[u] += unit_spending[u];
        }
        if t.month() != 12 {
            return;
        }
        match self.spec.kind {
            PoolingKind::ProvincialAdjustment => {
                let pool = self.pool_fund.unwrap_or(0);
                let gaps: Vec<M> = (0..n)
                    .map(|u| {
                        let gap = state.ytd_spending[u] - state.ytd_income[u];
                        if self.spec.levy_in_gap {
                            gap + state.levy_this_year[u]
                        } else {
                            gap
                        }
                    })
                    .collect();
                // The cap is a multiple of last year's levy; in the scheme's first year, of
                // this year's (ASSUMPTION: there is no levy of the year before).
                let caps: Vec<M> = (0..n)
                    .map(|u| {
                        state.levy_last_year[u]
                            .unwrap_or(state.levy_this_year[u])
                            .scale(self.spec.cap_multiple)
                    })
                    .collect();
                let holds = balances[pool] + postings[pool].other_transfers;
                let available = if holds > zero { holds } else { zero };
                // Each unit's share: by the size of its gap (bands) or the one share, times the
                // province's assessment of the unit, at most 1.
                let shares: Vec<f64> = (0..n)
                    .map(|u| {
                        gap_share(
                            &self.spec,
                            gaps[u].to_yuan(),
                            state.ytd_income[u].to_yuan(),
                            self.assessment[u],
                        )
                    })
                    .collect();
                let paid = adjustment_payments(&gaps, &caps, &shares, available);
                for u in 0..n {
                    postings[self.unit_fund[u]].other_transfers += paid[u];
                    postings[pool].other_transfers -= paid[u];
                    let s = &mut state.settlements[u];
                    s.gap = if gaps[u] > zero { gaps[u] } else { zero };
                    s.received = paid[u];
                }
                // Other uses: a share of the year's levies, as far as the fund holds it after
                // the gap payments, to the units in proportion to their levies.
                let left = available - paid.iter().fold(zero, |a, p| a + *p);
                let spent = other_uses(
                    &state.levy_this_year,
                    self.spec.other_uses_share.at(t),
                    left,
                );
                for u in 0..n {
                    postings[self.unit_fund[u]].other_transfers += spent[u];
                    postings[pool].other_transfers -= spent[u];
                    state.settlements[u].other_uses = spent[u];
                }
            }
            PoolingKind::CityUnified => {
                let pool = self.pool_fund.unwrap_or(0);
                for u in 0..n {
                    // The approved budgets where the scenario gives them, else last year's
                    // figures grown.
                    let rb = match &self.revenue_budget[u] {
                        Some(b) => M::from_yuan(b.at(t)),
                        None => state.last_income[u].scale(1.0 + self.spec.revenue_budget_growth),
                    };
                    let sb = match &self.spending_budget[u] {
                        Some(b) => M::from_yuan(b.at(t)),
                        None => {
                            state.last_spending[u].scale(1.0 + self.spec.spending_budget_growth)
                        }
                    };
                    let (city, treasury) = county_settlement(
                        state.ytd_income[u],
                        state.ytd_spending[u],
                        rb,
                        sb,
                        &self.spec,
                    );
                    if self.spec.treasury_settlement_month == 12 {
                        postings[pool].treasury_income += treasury;
                    } else {
                        state.treasury_due += treasury;
                    }
                    let gap = state.ytd_spending[u] - state.ytd_income[u];
                    state.settlements[u] = Settlement {
                        income: zero,
                        spending: zero,
                        levy: zero,
                        gap: if gap > zero { gap } else { zero },
                        received: city,
                        treasury,
                        revenue_budget: rb,
                        spending_budget: sb,
                        working_advance: state.last_spending[u]
                            .scale(self.spec.working_advance_months / 12.0),
                        other_uses: zero,
                    };
                }
            }
            PoolingKind::Single | PoolingKind::Accounts => {}
        }
        for u in 0..n {
            state.settlements[u].income = state.ytd_income[u];
            state.settlements[u].spending = state.ytd_spending[u];
            settled(u, &state.settlements[u]);
            state.last_income[u] = state.ytd_income[u];
            state.last_spending[u] = state.ytd_spending[u];
            state.ytd_income[u] = zero;
            state.ytd_spending[u] = zero;
            state.levy_last_year[u] = Some(state.levy_this_year[u]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn yuan(x: i64) -> Decimal {
        Decimal::from(x)
    }

    /// Shandong (003 §(四)): a city with a deficit of 100 m whose levy last year was 30 m asks
    /// 50 % × 100 m = 50 m, capped at 2 × 30 m = 60 m: it gets 50 m. A city with a deficit of
    /// 300 m asks 150 m, capped at 2 × 20 m = 40 m: it gets exactly 40 m, its own balance bears
    /// 260 m. A city in surplus gets nothing.
    #[test]
    fn adjustment_fund_pays_the_capped_share() {
        let gaps = [yuan(100_000_000), yuan(300_000_000), yuan(-5_000_000)];
        let caps = [yuan(60_000_000), yuan(40_000_000), yuan(10_000_000)];
        let half = [0.5; 3];
        let paid = adjustment_payments(&gaps, &caps, &half, yuan(1_000_000_000));
        assert_eq!(paid, vec![yuan(50_000_000), yuan(40_000_000), yuan(0)]);
        // A fund holding 45 m pays 45 / 90 of each request.
        let paid = adjustment_payments(&gaps, &caps, &half, yuan(45_000_000));
        assert_eq!(paid, vec![yuan(25_000_000), yuan(20_000_000), yuan(0)]);
        // An empty fund pays nothing.
        let paid = adjustment_payments(&gaps, &caps, &half, yuan(0));
        assert_eq!(paid, vec![yuan(0); 3]);
    }

    /// Shandong (003 三(四), 五(三)): bands [[5 %, 0.3], [15 %, 0.5], [inf, 0.7]] of the gap over
    /// premium income: a 40 m gap on 1,000 m of income (4 %) takes 0.3, 100 m (10 %) 0.5, 300 m
    /// 0.7; an assessment of 1.5 makes 0.5 into 0.75 and 0.7 into 1 (at most 1); no bands: 0.5.
    #[test]
    fn gap_share_by_size_and_assessment() {
        let mut p = PoolingSpec {
            gap_share_bands: Some(vec![[0.05, 0.3], [0.15, 0.5], [f64::INFINITY, 0.7]]),
            ..PoolingSpec::default()
        };
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(gap_share(&p, 40e6, 1e9, 1.0), 0.3));
        assert!(close(gap_share(&p, 100e6, 1e9, 1.0), 0.5));
        assert!(close(gap_share(&p, 300e6, 1e9, 1.0), 0.7));
        assert!(close(gap_share(&p, 100e6, 1e9, 1.5), 0.75));
        assert!(close(gap_share(&p, 300e6, 1e9, 1.5), 1.0));
        assert!(close(gap_share(&p, 300e6, 0.0, 1.0), 0.7));
        p.gap_share_bands = None;
        assert!(close(gap_share(&p, 300e6, 1e9, 1.0), 0.5));
    }

    /// Shandong (003 三(四)) other uses: levies of 30 m, 20 m and 0; half of the 50 m, 25 m, goes
    /// 15 m and 10 m by levy; a fund holding only 10 m after its gap payments pays 6 m and 4 m;
    /// with levies of 1/3 fen-odd amounts the payments still add up to the amount exactly.
    #[test]
    fn other_uses_by_levy() {
        let levies = [yuan(30_000_000), yuan(20_000_000), yuan(0)];
        assert_eq!(
            other_uses(&levies, 0.5, yuan(1_000_000_000)),
            vec![yuan(15_000_000), yuan(10_000_000), yuan(0)]
        );
        assert_eq!(
            other_uses(&levies, 0.5, yuan(10_000_000)),
            vec![yuan(6_000_000), yuan(4_000_000), yuan(0)]
        );
        assert_eq!(other_uses(&levies, 0.0, yuan(10_000_000)), vec![yuan(0); 3]);
        assert_eq!(other_uses(&levies, 0.5, yuan(0)), vec![yuan(0); 3]);
        let odd = [yuan(1), yuan(1), yuan(1)];
        let paid = other_uses(&odd, 0.5, yuan(1_000));
        assert_eq!(paid.iter().copied().sum::<Decimal>(), Decimal::new(150, 2));
    }

    /// Jiujiang (004): three counties with a revenue budget of 100 m and a spending budget of
    /// 110 m.
    #[test]
    fn county_gaps_are_shared_by_the_rules() {
        let p = PoolingSpec::default();
        let (rb, sb) = (yuan(100_000_000), yuan(110_000_000));
        // Met the revenue budget (income 102 m), overspend within the budget (spending 108 m):
        // the city fund pays the whole 6 m gap.
        assert_eq!(
            county_settlement(yuan(102_000_000), yuan(108_000_000), rb, sb, &p),
            (yuan(6_000_000), yuan(0))
        );
        // Met it (income 102 m), spending 120 m, over the 110 m budget: gap 18 m. Literally
        // (三(四)2(1): "基金支出超出基金收入的部分 … 基金支出超出预算的，由市级…承担80%，县(市、区)
        // 财政承担20%"), the whole gap is shared: the city pays 80 % × 18 m = 14.4 m, the
        // county treasury 20 % × 18 m = 3.6 m.
        assert_eq!(p.overspend_sharing, OverspendSharing::WholeGap);
        assert_eq!(
            county_settlement(yuan(102_000_000), yuan(120_000_000), rb, sb, &p),
            (yuan(14_400_000), yuan(3_600_000))
        );
        // The split reading: 10 m of the gap is beyond the spending budget: the city pays 8 m +
        // 80 % × 10 m = 16 m, the county treasury 20 % × 10 m = 2 m.
        let split = PoolingSpec {
            overspend_sharing: OverspendSharing::AboveBudget,
            ..PoolingSpec::default()
        };
        assert_eq!(
            county_settlement(yuan(102_000_000), yuan(120_000_000), rb, sb, &split),
            (yuan(16_000_000), yuan(2_000_000))
        );
        // Either way, spending within its budget leaves the whole gap to the city.
        assert_eq!(
            county_settlement(yuan(102_000_000), yuan(108_000_000), rb, sb, &split),
            (yuan(6_000_000), yuan(0))
        );
        // Missed it (income 95 m), spending 108 m: the county treasury pays the 13 m gap.
        assert_eq!(
            county_settlement(yuan(95_000_000), yuan(108_000_000), rb, sb, &p),
            (yuan(0), yuan(13_000_000))
        );
        // No gap, nothing to share.
        assert_eq!(
            county_settlement(yuan(102_000_000), yuan(101_000_000), rb, sb, &p),
            (yuan(0), yuan(0))
        );
    }
}
