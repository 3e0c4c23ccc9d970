//! The exact ledger (MODEL.md, "The deterministic ledger"): the expected path — every driver at
//! its mean, expected counts, benefits from the exact log-normal formulas — projected in
//! `Decimal` and rounded to the fen, the reference every Monte Carlo path at zero volatility
//! equals.

use crate::engine::{FundKind, Memo, PathState, ScenarioModel, expected_drivers, project};
use crate::error::Error;
use crate::ledger::FundMonth;
use crate::params::Month;
use rust_decimal::Decimal;

/// One row of the exact ledger: a fund's month in yuan, rounded to the fen.
#[derive(Clone, Debug)]
pub struct LedgerRow {
    pub unit: String,
    pub kind: FundKind,
    pub month: Month,
    pub record: FundMonth<Decimal>,
    pub memo: Memo,
}

/// Largest amount (yuan) the exact ledger carries: well inside what `Decimal` holds (7.9e28)
/// once months of capacity divide a balance by a month's spending.
pub(crate) const LEDGER_LIMIT: f64 = 1e24;

/// Checks, on the f64 expected path (fast), that every fund's lines and balance stay finite and
/// within [`LEDGER_LIMIT`], so that the exact ledger can be computed: a scenario whose money
/// grows beyond it is refused before any work, naming the fund and the month.
pub fn check_ledger_range(
    s: &crate::scenario::Scenario,
    model: &ScenarioModel,
) -> crate::Result<()> {
    let mut first: Option<(usize, usize, f64)> = None;
    super::project_expected(
        model,
        &mut |k: usize, f: usize, rec: &FundMonth<f64>, _memo: &Memo| {
            if first.is_some() {
                return;
            }
            let worst = [
                rec.balance,
                rec.income_total,
                rec.spending_total,
                rec.interest,
                rec.transfers_net,
                rec.transfer_merger,
            ]
            .into_iter()
            .find(|v| !v.is_finite() || v.abs() > LEDGER_LIMIT);
            if let Some(v) = worst {
                first = Some((k, f, v));
            }
        },
    );
    match first {
        None => Ok(()),
        Some((k, f, v)) => Err(Error::field(
            &s.file,
            "economy",
            format!(
                "the expected path of fund `{}` reaches {v:e} yuan in {}, beyond what the exact ledger carries ({LEDGER_LIMIT:e}): lower the growth means or shorten horizon_months",
                model.funds[f].name,
                model.month(k)
            ),
        )),
    }
}

/// The expected path as an exact Decimal ledger: one row per fund and month, ordered by fund
/// (in the scenario's order, pooled funds first) and month.
pub fn exact_ledger(model: &ScenarioModel) -> Vec<LedgerRow> {
    let drivers = expected_drivers(model);
    let mut state = PathState::<Decimal>::new(model);
    state.use_grid = false;
    let mut rows: Vec<Vec<LedgerRow>> =
        vec![Vec::with_capacity(model.horizon as usize); model.funds.len()];
    project(
        model,
        &drivers,
        &mut state,
        &mut crate::population::Expected,
        &mut |k: usize, f: usize, rec: &FundMonth<Decimal>, memo: &Memo| {
            let info = &model.funds[f];
            rows[f].push(LedgerRow {
                unit: info.name.clone(),
                kind: info.kind,
                month: model.month(k),
                record: rec.clone(),
                memo: *memo,
            });
        },
    );
    rows.into_iter().flatten().collect()
}
