//! `report.xlsx`: the run's tables as worksheets for analysts who work in Excel: headings in
//! the report's language, numbers stored as numbers with display formats, frozen header rows.

use super::columns::{Kind, heading, kind, value_text};
use super::lang::{Lang, MoneyUnit};
use super::output::write_atomically;
use super::table::{Table, Values};
use crate::error::{Error, Result};
use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};
use std::io::Write;
use std::path::Path;

fn xlsx_err(path: &Path) -> impl Fn(XlsxError) -> Error + '_ {
    move |e| Error::Output {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// The display format of a numeric column: shares and rates as percentages, years and counts
/// of paths as integers, months with two decimals, money and people with thousands separators.
fn number_format(name: &str) -> &'static str {
    match kind(name) {
        Kind::Share => "0.00%",
        Kind::Integer => "0",
        Kind::Months => "0.00",
        Kind::Money => "#,##0.00",
        Kind::Quantity if name.starts_with("births") => "#,##0.0",
        Kind::Quantity => "#,##0.00",
    }
}

/// The heading of a column in the workbook: money columns in `money`'s unit.
fn sheet_heading(name: &str, lang: Lang, money: MoneyUnit) -> String {
    let h = heading(name, lang);
    if kind(name) != Kind::Money || money == MoneyUnit::Yuan {
        return h;
    }
    match lang {
        Lang::Zh => h.replace("（元）", &format!("（{}）", money.name(lang))),
        Lang::En => h.replace("(yuan)", &format!("({})", money.name(lang))),
    }
}

/// How many leading columns name a row (text columns and the year): frozen with the header.
fn key_columns(table: &Table) -> u16 {
    table
        .columns
        .iter()
        .take_while(|(name, v)| matches!(v, Values::Str(_)) || name == "year" || name == "rank")
        .count()
        .min(3) as u16
}

fn write_sheet(
    ws: &mut Worksheet,
    table: &Table,
    lang: Lang,
    money: MoneyUnit,
) -> std::result::Result<(), XlsxError> {
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_background_color("#DCE6F1");
    for (c, (name, values)) in table.columns.iter().enumerate() {
        let col = u16::try_from(c).unwrap_or(u16::MAX);
        ws.write_string_with_format(0, col, sheet_heading(name, lang, money), &header)?;
        let scale = if kind(name) == Kind::Money {
            money.yuan()
        } else {
            1.0
        };
        match values {
            Values::Str(v) => {
                let widest = v.iter().map(|s| s.chars().count()).max().unwrap_or(4);
                for (r, s) in v.iter().enumerate() {
                    ws.write_string(r as u32 + 1, col, value_text(s, lang))?;
                }
                ws.set_column_width(col, (widest as f64 * 2.0).clamp(10.0, 60.0))?;
            }
            Values::Int(v) => {
                let f = Format::new().set_num_format(number_format(name));
                for (r, x) in v.iter().enumerate() {
                    ws.write_number_with_format(r as u32 + 1, col, *x as f64, &f)?;
                }
                ws.set_column_width(col, 10)?;
            }
            Values::F64(v) => {
                let f = Format::new().set_num_format(number_format(name));
                // Non-finite values (unbounded months of capacity, a missing quantity) are left
                // blank, as in the CSV files' empty cells.
                for (r, x) in v.iter().enumerate().filter(|(_, x)| x.is_finite()) {
                    ws.write_number_with_format(r as u32 + 1, col, *x / scale, &f)?;
                }
                ws.set_column_width(col, 16)?;
            }
        }
    }
    ws.set_row_height(0, 48)?;
    let rows = table.n_rows() as u32;
    if rows > 0 && !table.columns.is_empty() {
        ws.autofilter(0, 0, rows, table.columns.len() as u16 - 1)?;
    }
    ws.set_freeze_panes(1, key_columns(table))?;
    Ok(())
}

/// Writes `sheets` (sheet name, table) as a workbook at `path`, atomically, money in yuan.
pub fn write_workbook(path: &Path, sheets: &[(&str, &Table)], lang: Lang) -> Result<()> {
    write_workbook_in(path, sheets, lang, MoneyUnit::Yuan)
}

/// Writes `sheets` (sheet name, table) as a workbook at `path`, atomically, money in `money`:
/// headings in the report's language, autofilters, the header row and key columns frozen.
pub fn write_workbook_in(
    path: &Path,
    sheets: &[(&str, &Table)],
    lang: Lang,
    money: MoneyUnit,
) -> Result<()> {
    let mut wb = Workbook::new();
    for (name, table) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).map_err(xlsx_err(path))?;
        write_sheet(ws, table, lang, money).map_err(xlsx_err(path))?;
    }
    let bytes = wb.save_to_buffer().map_err(xlsx_err(path))?;
    write_atomically(path, |w| {
        w.write_all(&bytes).map_err(|e| Error::Output {
            path: path.display().to_string(),
            message: e.to_string(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::number_format;

    #[test]
    fn formats_by_column() {
        assert_eq!(number_format("p_months_lt_6_se"), "0.00%");
        assert_eq!(number_format("share_high"), "0.00%");
        assert_eq!(number_format("required_rate"), "0.00%");
        assert_eq!(number_format("year"), "0");
        assert_eq!(number_format("months_p50"), "0.00");
        assert_eq!(number_format("pooled_balance"), "#,##0.00");
    }
}
