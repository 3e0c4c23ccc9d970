//! The files of a table: CSV and Parquet through polars.

pub use crate::table::{Table, Values};

use crate::error::{Error, Result};
use crate::report::output::write_atomically;
use polars::prelude::{Column, CsvWriter, DataFrame, ParquetWriter, SerWriter};
use std::path::Path;

/// Writing and reading a [`Table`] as files (CSV for people, Parquet for programs).
pub trait TableFiles: Sized {
    /// As a polars frame (infinite and NaN values as nulls).
    fn to_polars(&self) -> Result<DataFrame>;
    /// Writes CSV (atomically). Text that a spreadsheet would take for a formula (beginning
    /// with `=`, `+`, `-` or `@`) is written after an apostrophe, so Excel and WPS show it as
    /// text instead of evaluating it.
    fn write_csv(&self, path: &Path) -> Result<()>;
    /// Writes Parquet (atomically).
    fn write_parquet(&self, path: &Path) -> Result<()>;
    /// Writes Parquet keeping every value bit for bit, infinities and NaN included (atomically).
    fn write_parquet_exact(&self, path: &Path) -> Result<()>;
    /// Reads a Parquet file of string, 64-bit integer and 64-bit float columns (as written by
    /// [`TableFiles::write_parquet_exact`]); nulls are refused.
    fn read_parquet(path: &Path) -> Result<Self>;
}

impl TableFiles for Table {
    fn to_polars(&self) -> Result<DataFrame> {
        polars_frame(self, false)
    }
    fn write_csv(&self, path: &Path) -> Result<()> {
        csv(self, path)
    }
    fn write_parquet(&self, path: &Path) -> Result<()> {
        parquet(self, path, false)
    }
    fn write_parquet_exact(&self, path: &Path) -> Result<()> {
        parquet(self, path, true)
    }
    fn read_parquet(path: &Path) -> Result<Table> {
        read_parquet(path)
    }
}

/// As a polars frame; `exact`: keep infinite and NaN values as they are (intermediate files
/// that must round-trip bit for bit) instead of writing them as nulls (tables people read).
fn polars_frame(table: &Table, exact: bool) -> Result<DataFrame> {
    let columns: Vec<Column> = table
        .columns
        .iter()
        .map(|(n, v)| match v {
            Values::Str(x) => Column::new(n.as_str().into(), x),
            Values::Int(x) => Column::new(n.as_str().into(), x),
            // Unbounded (months of capacity without spending) and undefined values are
            // written as empty cells (nulls), never as `inf` or `NaN`.
            Values::F64(x) if exact => Column::new(n.as_str().into(), x),
            Values::F64(x) => Column::new(
                n.as_str().into(),
                x.iter()
                    .map(|v| v.is_finite().then_some(*v))
                    .collect::<Vec<Option<f64>>>(),
            ),
        })
        .collect();
    DataFrame::new(table.n_rows(), columns)
        .map_err(|e| Error::Invalid(format!("building a table: {e}")))
}

fn csv(table: &Table, path: &Path) -> Result<()> {
    let safe = Table {
        columns: table
            .columns
            .iter()
            .map(|(n, v)| match v {
                Values::Str(x) => (
                    n.clone(),
                    Values::Str(x.iter().map(|t| cell_text(t)).collect()),
                ),
                other => (n.clone(), other.clone()),
            })
            .collect(),
    };
    let mut df = polars_frame(&safe, false)?;
    write_atomically(path, |w| {
        CsvWriter::new(w)
            .include_header(true)
            .with_float_scientific(Some(false))
            .finish(&mut df)
            .map_err(|e| Error::Output {
                path: path.display().to_string(),
                message: e.to_string(),
            })
    })
}

fn read_parquet(path: &Path) -> Result<Table> {
    use polars::prelude::{DataType, ParquetReader, SerReader};
    let shown = path.display().to_string();
    let bad = |m: String| Error::Reading {
        path: shown.clone(),
        message: m,
    };
    let file = std::fs::File::open(path).map_err(|e| bad(e.to_string()))?;
    let df = ParquetReader::new(file)
        .finish()
        .map_err(|e| bad(format!("not a readable Parquet file: {e}")))?;
    let mut t = Table::default();
    for c in df.columns() {
        let name = c.name().to_string();
        let nulls = || bad(format!("column `{name}` has empty cells"));
        if c.null_count() > 0 {
            return Err(nulls());
        }
        match c.dtype() {
            DataType::Int64 => t.int(
                &name,
                c.i64()
                    .map_err(|e| bad(e.to_string()))?
                    .into_no_null_iter()
                    .collect(),
            ),
            DataType::Float64 => t.f64(
                &name,
                c.f64()
                    .map_err(|e| bad(e.to_string()))?
                    .into_no_null_iter()
                    .collect(),
            ),
            DataType::String => t.str(
                &name,
                c.str()
                    .map_err(|e| bad(e.to_string()))?
                    .iter()
                    .map(|v| v.unwrap_or_default().to_string())
                    .collect(),
            ),
            other => return Err(bad(format!("column `{name}` has type {other}"))),
        }
    }
    Ok(t)
}

fn parquet(table: &Table, path: &Path, exact: bool) -> Result<()> {
    let mut df = polars_frame(table, exact)?;
    write_atomically(path, |w| {
        ParquetWriter::new(w)
            .finish(&mut df)
            .map(|_| ())
            .map_err(|e| Error::Output {
                path: path.display().to_string(),
                message: e.to_string(),
            })
    })
}

/// A text cell as a spreadsheet should show it: text beginning with `=`, `+`, `-` or `@`
/// gets a leading apostrophe (the spreadsheets' mark for literal text).
pub fn cell_text(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}
