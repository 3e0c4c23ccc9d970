//! Output tables and the files they are written to.

pub mod charts;
pub mod columns;
pub mod html;
pub mod lang;
pub mod names;
pub mod output;
pub mod overview;
pub mod pdf;
pub mod png;
pub mod sources;
pub mod studies;
pub mod table;
pub mod xlsx;

use crate::data::Status;
use crate::engine::FundKind;
use crate::engine::exact::LedgerRow;
use crate::error::{Error, Result};
use crate::ledger::{INCOME_LINES, SPENDING_LINES};
use rust_decimal::Decimal;
use std::path::Path;

/// A table with its `unit` and `fund` columns' identifiers replaced by display names (for the
/// workbook and the pages).
pub fn with_display_names(
    t: &table::Table,
    names: &names::DisplayNames,
    lang: lang::Lang,
) -> table::Table {
    let mut out = t.clone();
    for (name, values) in &mut out.columns {
        if let (true, table::Values::Str(v)) = (name == "unit" || name == "fund", values) {
            for x in v.iter_mut() {
                *x = names.of(x, lang).to_string();
            }
        }
    }
    out
}

/// The pooling table as the workbook shows it: the key columns and only the settlement items
/// of the scenario's pooling kind (`pooling.csv` keeps every column).
pub fn pooling_sheet(t: &table::Table, kind: crate::scenario::PoolingKind) -> table::Table {
    let item_of = |name: &str| -> Option<String> {
        let stem = name.strip_suffix("_se").unwrap_or(name);
        let stem = stem.strip_suffix("_mean").unwrap_or(stem);
        if let Some(x) = stem.strip_prefix("p_") {
            return Some(x.to_string());
        }
        if stem.starts_with("treasury_p") {
            return Some("treasury".into());
        }
        Some(stem.to_string())
    };
    table::Table {
        columns: t
            .columns
            .iter()
            .filter(|(name, _)| {
                matches!(name.as_str(), "unit" | "year" | "paths")
                    || item_of(name).is_some_and(|i| kind.settles(&i))
            })
            .cloned()
            .collect(),
    }
}

/// Today's date (UTC) as YYYY-MM-DD, for a report's metadata.
pub fn run_date() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    chrono::DateTime::from_timestamp(i64::try_from(secs).unwrap_or(0), 0)
        .map_or_else(String::new, |t| t.format("%Y-%m-%d").to_string())
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

/// One cell of a ledger row, before formatting.
enum Cell {
    /// Yuan, exact to the fen.
    Money(Decimal),
    /// A memo quantity with its number of decimals in the CSV.
    Number(f64, usize),
    Empty,
}

/// The cells of a ledger row, in the order of [`ledger_columns`] after `unit` and `month`.
fn ledger_cells(r: &LedgerRow) -> Vec<Cell> {
    let rec = &r.record;
    let mut cells: Vec<Cell> = rec.income.iter().map(|d| Cell::Money(*d)).collect();
    cells.push(Cell::Money(rec.income_total));
    cells.extend(rec.spending.iter().map(|d| Cell::Money(*d)));
    cells.push(Cell::Money(rec.spending_total));
    for d in [
        rec.interest,
        rec.transfer_merger,
        rec.transfers_net,
        rec.balance,
        rec.avg_spending_12m,
    ] {
        cells.push(Cell::Money(d));
    }
    cells.push(rec.months_of_capacity.map_or(Cell::Empty, Cell::Money));
    if matches!(r.kind, FundKind::Pooled | FundKind::City) {
        let m = &r.memo;
        cells.push(Cell::Number(m.personal_account_income, 2));
        cells.push(Cell::Number(m.births_insured, 4));
        cells.push(Cell::Number(m.births_spouse, 4));
        for s in Status::ALL {
            cells.push(Cell::Number(m.members[s as usize], 2));
        }
        for v in [m.entries, m.exits, m.deaths, m.retirements] {
            cells.push(Cell::Number(v, 2));
        }
        cells.push(Cell::Number(m.employer_rate_uplift, 4));
        cells.push(Cell::Number(m.rule_fired, 0));
    } else {
        cells.extend(std::iter::repeat_with(|| Cell::Empty).take(15));
    }
    cells
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
            let mut cells: Vec<String> = vec![r.unit.clone(), r.month.to_string()];
            cells.extend(ledger_cells(r).into_iter().map(|c| match c {
                Cell::Money(d) => format!("{d:.2}"),
                Cell::Number(x, decimals) => format!("{x:.decimals$}"),
                Cell::Empty => String::new(),
            }));
            csv.write_record(&cells).map_err(err)?;
        }
        csv.flush().map_err(|e| Error::Output {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Ok(())
    })
}

/// The ledger as a table of numbers (for the workbook): the columns of `ledger.csv`, money
/// rounded to the fen, empty cells as NaN.
pub fn ledger_table(rows: &[LedgerRow]) -> table::Table {
    use rust_decimal::prelude::ToPrimitive;
    let names = ledger_columns();
    let mut columns: Vec<Vec<f64>> = vec![Vec::with_capacity(rows.len()); names.len() - 2];
    for r in rows {
        for (c, cell) in columns.iter_mut().zip(ledger_cells(r)) {
            c.push(match cell {
                Cell::Money(d) => d.round_dp(2).to_f64().unwrap_or(f64::NAN),
                Cell::Number(x, _) => x,
                Cell::Empty => f64::NAN,
            });
        }
    }
    let mut t = table::Table::default();
    t.str("unit", rows.iter().map(|r| r.unit.clone()).collect());
    t.str("month", rows.iter().map(|r| r.month.to_string()).collect());
    for (name, c) in names[2..].iter().zip(columns) {
        t.f64(name, c);
    }
    t
}
