//! Output tables and the files they are written to.

pub mod charts;
pub mod html;
pub mod lang;
pub mod output;
pub mod table;

use crate::data::Status;
use crate::engine::{FundKind, Memo, PathState, ScenarioModel, expected_drivers, project};
use crate::error::{Error, Result};
use crate::ledger::{FundMonth, INCOME_LINES, SPENDING_LINES};
use crate::params::Month;
use rust_decimal::Decimal;
use std::path::Path;

/// One row of the exact ledger: a fund's month in yuan, rounded to the fen.
#[derive(Clone, Debug)]
pub struct LedgerRow {
    pub unit: String,
    pub kind: FundKind,
    pub month: Month,
    pub record: FundMonth<Decimal>,
    pub memo: Memo,
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

/// Column names of `ledger.csv`, in order.
pub fn ledger_columns() -> Vec<String> {
    let mut c: Vec<String> = vec!["unit".into(), "month".into()];
    c.extend(INCOME_LINES.iter().map(|s| s.to_string()));
    c.push("income_total".into());
    c.extend(SPENDING_LINES.iter().map(|s| s.to_string()));
    c.push("spending_total".into());
    for s in [
        "interest",
        "transfer_merger",
        "transfers_net",
        "pooled_balance",
        "avg_monthly_spending_12m",
        "months_of_capacity",
    ] {
        c.push(s.into());
    }
    for s in [
        "personal_account_income",
        "births_insured",
        "births_spouse",
        "members_enterprise",
        "members_government",
        "members_flexible",
        "members_continuing",
        "members_retiree",
        "members_resident",
        "entries",
        "exits",
        "deaths",
        "retirements",
        "employer_rate_uplift",
        "rule_fired",
    ] {
        c.push(s.into());
    }
    c
}

fn yuan(d: Decimal) -> String {
    format!("{d:.2}")
}

/// Writes the ledger as CSV (atomically: a temporary file renamed into place).
///
/// Money columns are yuan with two decimals. `months_of_capacity` is empty where there is no
/// spending to cover (unbounded). Memo columns (membership, births, personal-account income)
/// are filled on a unit's pooled-fund rows and left empty on its maternity-fund rows.
pub fn write_ledger_csv(path: &Path, rows: &[LedgerRow]) -> Result<()> {
    output::write_atomically(path, |w| {
        let mut csv = csv::Writer::from_writer(w);
        let err = |e: csv::Error| Error::Output {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        csv.write_record(ledger_columns()).map_err(err)?;
        for r in rows {
            let rec = &r.record;
            let mut cells: Vec<String> = vec![r.unit.clone(), r.month.to_string()];
            cells.extend(rec.income.iter().map(|d| yuan(*d)));
            cells.push(yuan(rec.income_total));
            cells.extend(rec.spending.iter().map(|d| yuan(*d)));
            cells.push(yuan(rec.spending_total));
            cells.push(yuan(rec.interest));
            cells.push(yuan(rec.transfer_merger));
            cells.push(yuan(rec.transfers_net));
            cells.push(yuan(rec.balance));
            cells.push(yuan(rec.avg_spending_12m));
            cells.push(rec.months_of_capacity.map(yuan).unwrap_or_default());
            if matches!(r.kind, FundKind::Pooled | FundKind::City) {
                let m = &r.memo;
                cells.push(format!("{:.2}", m.personal_account_income));
                cells.push(format!("{:.4}", m.births_insured));
                cells.push(format!("{:.4}", m.births_spouse));
                for s in Status::ALL {
                    cells.push(format!("{:.2}", m.members[s as usize]));
                }
                for v in [m.entries, m.exits, m.deaths, m.retirements] {
                    cells.push(format!("{v:.2}"));
                }
                cells.push(format!("{:.4}", m.employer_rate_uplift));
                cells.push(format!("{}", m.rule_fired));
            } else {
                cells.extend(std::iter::repeat_n(String::new(), 15));
            }
            csv.write_record(&cells).map_err(err)?;
        }
        csv.flush().map_err(|e| Error::Output {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Ok(())
    })
}
