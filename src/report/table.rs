//! A column table as the library hands it out (risk measures, study results), and its
//! writers: CSV and Parquet through polars.

use crate::error::{Error, Result};
use crate::report::output::write_atomically;
use polars::prelude::{Column, CsvWriter, DataFrame, ParquetWriter, SerWriter};
use std::path::Path;

/// The values of one column.
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    Str(Vec<String>),
    Int(Vec<i64>),
    F64(Vec<f64>),
}

impl Values {
    pub fn len(&self) -> usize {
        match self {
            Values::Str(v) => v.len(),
            Values::Int(v) => v.len(),
            Values::F64(v) => v.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Named columns of equal length, in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub columns: Vec<(String, Values)>,
}

impl Table {
    pub fn str(&mut self, name: &str, v: Vec<String>) {
        self.columns.push((name.to_string(), Values::Str(v)));
    }
    pub fn int(&mut self, name: &str, v: Vec<i64>) {
        self.columns.push((name.to_string(), Values::Int(v)));
    }
    pub fn f64(&mut self, name: &str, v: Vec<f64>) {
        self.columns.push((name.to_string(), Values::F64(v)));
    }

    /// Appends the rows of a table with the same columns.
    pub fn append(&mut self, other: Table) -> Result<()> {
        if self.columns.len() != other.columns.len() {
            return Err(Error::Invalid("tables with different columns".into()));
        }
        for ((na, a), (nb, b)) in self.columns.iter_mut().zip(other.columns) {
            match (a, b) {
                (Values::Str(x), Values::Str(y)) if *na == nb => x.extend(y),
                (Values::Int(x), Values::Int(y)) if *na == nb => x.extend(y),
                (Values::F64(x), Values::F64(y)) if *na == nb => x.extend(y),
                _ => return Err(Error::Invalid(format!("column {na} differs"))),
            }
        }
        Ok(())
    }

    pub fn n_rows(&self) -> usize {
        self.columns.first().map_or(0, |(_, v)| v.len())
    }

    pub fn column(&self, name: &str) -> Option<&Values> {
        self.columns.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// A numeric column as f64 (None if absent or a text column).
    pub fn numbers(&self, name: &str) -> Option<Vec<f64>> {
        match self.column(name)? {
            Values::F64(v) => Some(v.clone()),
            Values::Int(v) => Some(v.iter().map(|&x| x as f64).collect()),
            Values::Str(_) => None,
        }
    }

    pub fn strings(&self, name: &str) -> Option<&[String]> {
        match self.column(name)? {
            Values::Str(v) => Some(v),
            _ => None,
        }
    }

    pub fn to_polars(&self) -> Result<DataFrame> {
        self.polars(false)
    }

    /// As a polars frame; `exact`: keep infinite and NaN values as they are (intermediate files
    /// that must round-trip bit for bit) instead of writing them as nulls (tables people read).
    fn polars(&self, exact: bool) -> Result<DataFrame> {
        let columns: Vec<Column> = self
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
        DataFrame::new(self.n_rows(), columns)
            .map_err(|e| Error::Invalid(format!("building a table: {e}")))
    }

    /// Writes CSV (atomically). Text that a spreadsheet would take for a formula (beginning
    /// with `=`, `+`, `-` or `@`) is written after an apostrophe, so Excel and WPS show it as
    /// text instead of evaluating it.
    pub fn write_csv(&self, path: &Path) -> Result<()> {
        let safe = Table {
            columns: self
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
        let mut df = safe.to_polars()?;
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

    /// Writes Parquet (atomically).
    pub fn write_parquet(&self, path: &Path) -> Result<()> {
        self.parquet(path, false)
    }

    /// Writes Parquet keeping every value bit for bit, infinities and NaN included (atomically).
    pub fn write_parquet_exact(&self, path: &Path) -> Result<()> {
        self.parquet(path, true)
    }

    /// Reads a Parquet file of string, 64-bit integer and 64-bit float columns (as written by
    /// [`Table::write_parquet_exact`]); nulls are refused.
    pub fn read_parquet(path: &Path) -> Result<Table> {
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

    fn parquet(&self, path: &Path, exact: bool) -> Result<()> {
        let mut df = self.polars(exact)?;
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
