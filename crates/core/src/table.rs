//! A column table as the library hands it out (risk measures, study results): named columns of
//! equal length. Its files (CSV, Parquet) are written by the report crate.

use crate::error::{Error, Result};

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
}
