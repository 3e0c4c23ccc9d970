//! Calendar months and dated policy parameters.
//!
//! Policy numbers change over time (Jiangmen's Tier 2 rate 4.5 % → 4.3 % → 4.0 %, Shandong's
//! switch to 8 % in 2024-01). Following OpenFisca's parameters, each one is a list of values
//! dated by the month they take effect, each entry optionally carrying its source; the value in
//! force in a month is the latest entry not after it.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A calendar month, stored as months since year 0 (`year * 12 + month0`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month(i32);

impl Month {
    /// Years a month written in a scenario may have.
    pub(crate) const MIN_YEAR: i32 = 1900;
    pub(crate) const MAX_YEAR: i32 = 2300;

    /// `month` is 1–12.
    pub fn new(year: i32, month: u32) -> Option<Month> {
        if (1..=12).contains(&month) && (Self::MIN_YEAR..=Self::MAX_YEAR).contains(&year) {
            Some(Month(year * 12 + month as i32 - 1))
        } else {
            None
        }
    }
    pub fn year(self) -> i32 {
        self.0.div_euclid(12)
    }
    /// 1–12.
    pub fn month(self) -> u32 {
        self.0.rem_euclid(12) as u32 + 1
    }
    /// 0–11, for seasonality tables.
    pub(crate) fn month0(self) -> usize {
        self.0.rem_euclid(12) as usize
    }
    pub fn plus(self, months: i32) -> Month {
        Month(self.0 + months)
    }
    /// Months from `earlier` to `self` (negative if `earlier` is later).
    pub fn since(self, earlier: Month) -> i32 {
        self.0 - earlier.0
    }
    /// The absolute month index, for arithmetic on birth cohorts.
    pub fn index(self) -> i32 {
        self.0
    }
    pub(crate) fn from_index(index: i32) -> Month {
        Month(index)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

impl FromStr for Month {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("'{s}' is not a month: expected YYYY-MM, e.g. 2019-07");
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        if !(Month::MIN_YEAR..=Month::MAX_YEAR).contains(&year) {
            return Err(format!(
                "'{s}': the year {year} is outside the allowed range [{}, {}]",
                Month::MIN_YEAR,
                Month::MAX_YEAR
            ));
        }
        Month::new(year, month).ok_or_else(|| format!("'{s}': the month {month} is not 01–12"))
    }
}

impl Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(de::Error::custom)
    }
}

/// One dated entry: `{ from = "2019-07", value = 0.065, source = "…" }`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatedEntry<T> {
    pub(crate) from: Month,
    pub(crate) value: T,
    /// The policy document and clause, or the public statistic, this value comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) source: Option<String>,
}

/// A parameter whose value changes over time. In a scenario file it is written either as a
/// plain value (in force for the whole horizon) or as a list of dated entries in strictly
/// increasing order of `from`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Dated<T> {
    Constant(T),
    Schedule(Vec<DatedEntry<T>>),
}

impl<T: Clone> Dated<T> {
    /// The value in force in `month`: the latest entry not after it. Before the first entry the
    /// first value applies (a scenario's history starts with its first entry).
    pub fn at(&self, month: Month) -> T {
        match self {
            Dated::Constant(v) => v.clone(),
            Dated::Schedule(entries) => {
                let i = entries.partition_point(|e| e.from <= month);
                entries[i.saturating_sub(1)].value.clone()
            }
        }
    }

    /// The same schedule with `value` in force from `from` on (later entries dropped): how a
    /// study sets a trial rate. `start`: the first month the schedule must cover.
    pub(crate) fn with_value_from(
        &self,
        start: Month,
        from: Month,
        value: T,
        source: &str,
    ) -> Dated<T> {
        let mut entries: Vec<DatedEntry<T>> = match self {
            Dated::Constant(v) => vec![DatedEntry {
                from: start.min(from),
                value: v.clone(),
                source: None,
            }],
            Dated::Schedule(es) => es.iter().filter(|e| e.from < from).cloned().collect(),
        };
        entries.retain(|e| e.from < from);
        entries.push(DatedEntry {
            from,
            value,
            source: Some(source.to_string()),
        });
        Dated::Schedule(entries)
    }

    /// Every value, for range checks.
    /// The months from which a value changes: `start`, and every entry's `from` after it.
    pub(crate) fn change_months(&self, start: Month) -> Vec<Month> {
        let mut out = vec![start];
        if let Dated::Schedule(entries) = self {
            out.extend(entries.iter().map(|e| e.from).filter(|&m| m > start));
        }
        out
    }

    pub fn values(&self) -> Vec<&T> {
        match self {
            Dated::Constant(v) => vec![v],
            Dated::Schedule(entries) => entries.iter().map(|e| &e.value).collect(),
        }
    }

    /// Checks the schedule is non-empty and strictly increasing; returns a message otherwise.
    pub(crate) fn check_order(&self) -> Result<(), String> {
        if let Dated::Schedule(entries) = self {
            if entries.is_empty() {
                return Err("a dated list needs at least one entry".into());
            }
            for w in entries.windows(2) {
                if w[1].from == w[0].from {
                    return Err(format!(
                        "dated entries must be in strictly increasing order of `from`: {} appears twice",
                        w[1].from
                    ));
                }
                if w[1].from < w[0].from {
                    return Err(format!(
                        "dated entries must be in strictly increasing order of `from`: {} comes after {}",
                        w[1].from, w[0].from
                    ));
                }
            }
        }
        Ok(())
    }

    pub fn map<U>(&self, f: impl Fn(&T) -> U) -> Dated<U> {
        match self {
            Dated::Constant(v) => Dated::Constant(f(v)),
            Dated::Schedule(es) => Dated::Schedule(
                es.iter()
                    .map(|e| DatedEntry {
                        from: e.from,
                        value: f(&e.value),
                        source: e.source.clone(),
                    })
                    .collect(),
            ),
        }
    }
}

impl<T> From<T> for Dated<T> {
    fn from(v: T) -> Self {
        Dated::Constant(v)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Dated<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct DatedVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for DatedVisitor<T> {
            type Value = Dated<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a value, or a list of dated entries [{from = \"YYYY-MM\", value = …}]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                let entries =
                    Vec::<DatedEntry<T>>::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
                Ok(Dated::Schedule(entries))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                T::deserialize(de::value::F64Deserializer::new(v)).map(Dated::Constant)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                T::deserialize(de::value::I64Deserializer::new(v)).map(Dated::Constant)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                T::deserialize(de::value::U64Deserializer::new(v)).map(Dated::Constant)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                T::deserialize(de::value::BoolDeserializer::new(v)).map(Dated::Constant)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                T::deserialize(de::value::StrDeserializer::new(v)).map(Dated::Constant)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Dated::Constant)
            }
        }
        d.deserialize_any(DatedVisitor(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Month {
        s.parse().unwrap()
    }

    #[test]
    fn month_parse_and_arithmetic() {
        assert_eq!(m("2019-07").to_string(), "2019-07");
        assert_eq!(m("2019-12").plus(1), m("2020-01"));
        assert_eq!(m("2020-01").since(m("2019-07")), 6);
        assert_eq!(m("2024-03").month0(), 2);
        assert!("2019-13".parse::<Month>().is_err());
        assert!("2019-7".parse::<Month>().is_err());
        assert!("201907".parse::<Month>().is_err());
    }

    #[test]
    fn latest_entry_not_after_month_applies() {
        // Jiangmen Tier 2 rate (001 二檔繳費費率): 2017H2 4.5 %, 2018 4.3 %, from 2019 4.0 %.
        let d: Dated<f64> = Dated::Schedule(vec![
            DatedEntry {
                from: m("2017-07"),
                value: 0.045,
                source: None,
            },
            DatedEntry {
                from: m("2018-01"),
                value: 0.043,
                source: None,
            },
            DatedEntry {
                from: m("2019-01"),
                value: 0.040,
                source: None,
            },
        ]);
        assert_eq!(d.at(m("2017-06")), 0.045);
        assert_eq!(d.at(m("2017-12")), 0.045);
        assert_eq!(d.at(m("2018-01")), 0.043);
        assert_eq!(d.at(m("2018-12")), 0.043);
        assert_eq!(d.at(m("2030-05")), 0.040);
        assert!(d.check_order().is_ok());
    }

    #[test]
    fn out_of_order_entries_are_refused() {
        let d: Dated<f64> = Dated::Schedule(vec![
            DatedEntry {
                from: m("2019-01"),
                value: 0.04,
                source: None,
            },
            DatedEntry {
                from: m("2019-01"),
                value: 0.05,
                source: None,
            },
        ]);
        assert!(d.check_order().unwrap_err().contains("strictly increasing"));
    }

    #[test]
    fn parses_plain_value_or_list() {
        #[derive(Deserialize)]
        struct T {
            a: Dated<f64>,
            b: Dated<f64>,
        }
        let t: T = toml::from_str(
            "a = 0.08\nb = [{from = \"2019-07\", value = 0.065, source = \"x\"}, {from = \"2024-01\", value = 0.08}]",
        )
        .unwrap();
        assert_eq!(t.a.at(m("2000-01")), 0.08);
        assert_eq!(t.b.at(m("2023-12")), 0.065);
        assert_eq!(t.b.at(m("2024-01")), 0.08);
    }
}
