//! The values a scenario file labels ASSUMPTION, found in its text (comments included), so that
//! each one's effect on the answer can be measured (`fundrisk sensitivity --labelled`).
//!
//! A value is labelled when
//! - the comment paragraph directly above its key (no blank line between) contains `ASSUMPTION`,
//! - the comment at the end of its line does, or
//! - it lies in an inline table whose `source` text does (`{ from = "2030-01", value = 0.045,
//!   source = "ASSUMPTION" }`, a driver's `{ mean = …, source = "ASSUMPTION: …" }`).
//!
//! A label may name the fields of its inline table it is about: `ASSUMPTION (members_retired_prev):
//! …` in the source of a unit's `base_year` labels that field alone, not the published figures
//! beside it. A table header whose comment paragraph says ASSUMPTION labels every value in the
//! table. Of a labelled item, every number that is not an integer is a value to move: a float
//! alone, or an array of numbers moved as a whole (a seasonality, benefit tiers); in a dated
//! entry only its `value`. Integers (years, months, counts) and text are reported, not moved. A `source` of a
//! table written over lines (a unit, `[policy.costs]`) names no single value: reported, not moved.

use super::Override;
use crate::error::{Error, Result};
use std::path::Path;
use toml_edit::{Document, Item, RawString, Table, Value};

/// The word that labels an assumption.
pub const LABEL: &str = "ASSUMPTION";

/// One labelled item of a scenario file.
#[derive(Clone, Debug, PartialEq)]
pub struct Labelled {
    /// Where it is, as `--set` takes it: `policy.wage_dispersion`,
    /// `economy.wage_growth.mean[1].value`, `units.jinan.policy.employer_rate`.
    pub path: String,
    /// Its line in the file (1-based).
    pub line: usize,
    /// The label's text: the comment or source that says ASSUMPTION (one line, at most 160
    /// characters).
    pub label: String,
    /// What can be moved.
    pub value: LabelledValue,
}

/// What a labelled item holds.
#[derive(Clone, Debug, PartialEq)]
pub enum LabelledValue {
    /// A number, moved by a factor.
    Number(f64),
    /// An array of numbers (nested arrays included), each moved by the same factor.
    Numbers(toml::Value),
    /// Not moved, and why (an integer, text, a table's source, zero).
    NotMoved(&'static str),
}

/// The fields a label names (`ASSUMPTION (a, b): …`), if it names any.
fn named_fields(label: &str) -> Option<Vec<&str>> {
    let after = label[label.find(LABEL)? + LABEL.len()..].trim_start();
    let inner = after.strip_prefix('(')?;
    let names: Vec<&str> = inner[..inner.find(')')?]
        .split(',')
        .map(str::trim)
        .collect();
    names
        .iter()
        .all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some(names)
}

impl Labelled {
    /// Whether `sensitivity --labelled` moves it (a number, or an array of numbers).
    pub fn is_moved(&self) -> bool {
        !matches!(self.value, LabelledValue::NotMoved(_))
    }

    /// The override that moves the value by `factor` (None when it is not moved).
    pub fn moved(&self, factor: f64) -> Option<Override> {
        let value = match &self.value {
            LabelledValue::Number(x) => toml::Value::Float(x * factor),
            LabelledValue::Numbers(v) => scaled(v, factor),
            LabelledValue::NotMoved(_) => return None,
        };
        Some(Override {
            path: self.path.clone(),
            value,
        })
    }

    /// The overrides that move the value by `factor` with the fields a scenario requires to
    /// equal it: a base year's `pooled_balance` is the unit's `initial_pooled_balance` and its
    /// `members_retired` the unit's `membership.retirees` (`base_year::apply` refuses them
    /// apart), so they move together. None when the value is not moved.
    pub fn moves(&self, factor: f64) -> Option<Vec<Override>> {
        let first = self.moved(factor)?;
        let linked = [
            ("base_year.pooled_balance", "initial_pooled_balance"),
            ("base_year.members_retired", "membership.retirees"),
        ];
        let mut all = vec![first];
        for (own, partner) in linked {
            if let Some(unit) = self.path.strip_suffix(own) {
                all.push(Override {
                    path: format!("{unit}{partner}"),
                    value: all[0].value.clone(),
                });
            }
        }
        Some(all)
    }

    /// The value as written, in words (`0.55`, `[0.92, …]`).
    pub fn value_text(&self) -> String {
        match &self.value {
            LabelledValue::Number(x) => format!("{x}"),
            LabelledValue::Numbers(v) => v.to_string(),
            LabelledValue::NotMoved(why) => format!("({why})"),
        }
    }
}

/// Every number in `v` times `factor` (integers become floats; infinity stays).
fn scaled(v: &toml::Value, factor: f64) -> toml::Value {
    match v {
        toml::Value::Float(x) => toml::Value::Float(x * factor),
        toml::Value::Integer(i) => toml::Value::Float(*i as f64 * factor),
        toml::Value::Array(xs) => {
            toml::Value::Array(xs.iter().map(|x| scaled(x, factor)).collect())
        }
        other => other.clone(),
    }
}

/// The labelled items of a scenario file's `text`, in the order they appear.
pub fn labelled_values(text: &str, file: &str) -> Result<Vec<Labelled>> {
    let doc = Document::parse(text).map_err(|e| Error::Parse {
        file: file.into(),
        line: 0,
        field: String::new(),
        message: format!("malformed TOML: {}", e.message().trim()),
    })?;
    let mut out = Vec::new();
    let line_starts = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let walker = Walker { text, line_starts };
    walker.table(doc.as_table(), "", None, &mut out);
    out.sort_by_key(|l| l.line);
    Ok(out)
}

/// The labelled items of a scenario file (`None`: the embedded default) and the name it is
/// known by in messages.
pub fn labelled_values_of_file(path: Option<&Path>) -> Result<(Vec<Labelled>, String)> {
    let (text, file) = match path {
        Some(p) => (
            std::fs::read_to_string(p).map_err(|source| Error::Io {
                path: p.to_path_buf(),
                source,
            })?,
            p.display().to_string(),
        ),
        None => (
            super::DEFAULT_SCENARIO.to_string(),
            super::DEFAULT_SCENARIO_FILE.to_string(),
        ),
    };
    Ok((labelled_values(&text, &file)?, file))
}

/// The items of `items` (labelled in `file`) whose paths `only` names, or all of them when it
/// names none; a name that is no labelled item's path is refused with the paths there are.
pub fn chosen(items: Vec<Labelled>, only: &[String], file: &str) -> Result<Vec<Labelled>> {
    if only.is_empty() {
        return Ok(items);
    }
    if let Some(missing) = only.iter().find(|o| !items.iter().any(|l| &l.path == *o)) {
        let paths: Vec<&str> = items.iter().map(|l| l.path.as_str()).collect();
        return Err(Error::Invalid(format!(
            "only: `{missing}` is not a value {file} labels ASSUMPTION; its labelled values are {}",
            paths.join(", ")
        )));
    }
    Ok(items
        .into_iter()
        .filter(|l| only.contains(&l.path))
        .collect())
}

struct Walker<'a> {
    text: &'a str,
    /// Byte offset of each line's start.
    line_starts: Vec<usize>,
}

impl Walker<'_> {
    fn raw<'s>(&'s self, r: Option<&'s RawString>) -> &'s str {
        match r {
            Some(r) => r
                .as_str()
                .or_else(|| r.span().and_then(|s| self.text.get(s)))
                .unwrap_or(""),
            None => "",
        }
    }

    fn line_of(&self, offset: Option<usize>) -> usize {
        offset.map_or(0, |o| self.line_starts.partition_point(|&s| s <= o))
    }

    /// The label in the comment paragraph at the end of `prefix` (the lines after its last
    /// blank line), if it says ASSUMPTION.
    fn paragraph_label(prefix: &str) -> Option<String> {
        let lines: Vec<&str> = prefix.lines().collect();
        let start = lines
            .iter()
            .rposition(|l| l.trim().is_empty())
            .map_or(0, |i| i + 1);
        let para = lines[start..]
            .iter()
            .map(|l| comment_text(l))
            .collect::<Vec<_>>()
            .join(" ");
        para.contains(LABEL).then(|| excerpt(&para))
    }

    /// A standard table's items (`label`: the table is labelled as a whole).
    fn table(&self, t: &Table, path: &str, label: Option<&str>, out: &mut Vec<Labelled>) {
        let header_label = Self::paragraph_label(self.raw(t.decor().prefix()));
        let label = label.map(str::to_string).or(header_label);
        for (k, item) in t.iter() {
            let key = t.key(k);
            let here = join(path, k);
            let line = self.line_of(key.and_then(|k| k.span()).map(|s| s.start));
            match item {
                Item::Table(sub) => self.table(sub, &here, label.as_deref(), out),
                Item::ArrayOfTables(arr) => {
                    for (i, sub) in arr.iter().enumerate() {
                        // A unit by its name, as `--set` takes it; other lists by index.
                        let elem = match sub.get("name").and_then(Item::as_str) {
                            Some(name) if k == "units" => format!("{here}.{name}"),
                            _ => format!("{here}[{i}]"),
                        };
                        self.table(sub, &elem, label.as_deref(), out);
                    }
                }
                Item::Value(v) => {
                    let own = key
                        .and_then(|k| Self::paragraph_label(self.raw(k.leaf_decor().prefix())))
                        .or_else(|| {
                            let s = self.raw(v.decor().suffix());
                            s.contains(LABEL).then(|| excerpt(comment_text(s)))
                        });
                    if k == "source" {
                        // A table written over lines: its source names no single value.
                        if let Some(s) = v.as_str().filter(|s| s.contains(LABEL)) {
                            out.push(Labelled {
                                path: here,
                                line,
                                label: excerpt(s),
                                value: LabelledValue::NotMoved("the source of a table"),
                            });
                        }
                        continue;
                    }
                    self.value(v, &here, line, own.or_else(|| label.clone()), out);
                }
                Item::None => {}
            }
        }
    }

    /// A value at `path` (`label`: it is labelled).
    fn value(
        &self,
        v: &Value,
        path: &str,
        line: usize,
        label: Option<String>,
        out: &mut Vec<Labelled>,
    ) {
        match v {
            Value::InlineTable(t) => {
                let source = t
                    .get("source")
                    .and_then(Value::as_str)
                    .filter(|s| s.contains(LABEL));
                // Fields named by the label, read from its whole text.
                let named_in = source.map(str::to_string).or_else(|| label.clone());
                let label = source.map(excerpt).or(label);
                let dated = t.contains_key("from") && t.contains_key("value");
                // A label that names fields of this table labels those alone.
                let named = named_in
                    .as_deref()
                    .and_then(named_fields)
                    .filter(|names| names.iter().all(|n| t.contains_key(n)));
                for (k, x) in t.iter() {
                    if k == "source" || k == "from" || (dated && k != "value") {
                        continue;
                    }
                    if named.as_ref().is_some_and(|names| !names.contains(&k)) {
                        continue;
                    }
                    let line = self.line_of(x.span().map(|s| s.start)).max(line);
                    self.value(x, &join(path, k), line, label.clone(), out);
                }
            }
            Value::Array(a) if a.iter().any(|x| matches!(x, Value::InlineTable(_))) => {
                for (i, x) in a.iter().enumerate() {
                    let line = self.line_of(x.span().map(|s| s.start)).max(line);
                    self.value(x, &format!("{path}[{i}]"), line, label.clone(), out);
                }
            }
            _ => {
                let Some(label) = label else { return };
                let value = match v {
                    Value::Float(f) if *f.value() == 0.0 => {
                        LabelledValue::NotMoved("zero: a factor does not move it")
                    }
                    Value::Float(f) => LabelledValue::Number(*f.value()),
                    Value::Array(_) => match numbers(v) {
                        Some(n) => LabelledValue::Numbers(n),
                        None => LabelledValue::NotMoved("not a list of numbers"),
                    },
                    Value::Integer(_) => {
                        LabelledValue::NotMoved("an integer (a year, month or count)")
                    }
                    Value::Boolean(_) => LabelledValue::NotMoved("a switch"),
                    _ => LabelledValue::NotMoved("text (a table or a choice)"),
                };
                out.push(Labelled {
                    path: path.to_string(),
                    line,
                    label,
                    value,
                });
            }
        }
    }
}

/// `v` as a TOML value if it is a number or a (nested) array of numbers.
fn numbers(v: &Value) -> Option<toml::Value> {
    match v {
        Value::Float(f) => Some(toml::Value::Float(*f.value())),
        Value::Integer(i) => Some(toml::Value::Integer(*i.value())),
        Value::Array(a) => a
            .iter()
            .map(numbers)
            .collect::<Option<Vec<_>>>()
            .map(toml::Value::Array),
        _ => None,
    }
}

/// A comment's words, without its `#`.
fn comment_text(line: &str) -> &str {
    line.trim().trim_start_matches('#').trim()
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// `s` on one line, at most 160 characters, from the label on when it is longer.
fn excerpt(s: &str) -> String {
    let mut one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 160
        && let Some(i) = one.find(LABEL).filter(|&i| i > 0)
    {
        one = format!("…{}", &one[i..]);
    }
    if one.chars().count() <= 160 {
        one
    } else {
        format!("{}…", one.chars().take(159).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"# A scenario. Every ASSUMPTION below is measured.

name = "x"

[data]
# ASSUMPTION: members die at 0.8 times the census rates.
mortality_level = 0.8
# Not labelled.
worker_flows = "builtin:f.csv"  # ASSUMPTION: national flows

[economy]
wage_growth = { mean = [
  { from = "2025-01", value = 0.05, source = "NBS" },
  { from = "2030-01", value = 0.045, source = "ASSUMPTION" },
], volatility = 0.02, source = "measured" }
interest_rate = { mean = 0.02, volatility = 0.003, source = "ASSUMPTION: deposit rates" }

[policy]
wage_dispersion = 0.55                 # ASSUMPTION
seasonality = [0.9, 1.1]  # ASSUMPTION
employee_rate = 0.02
minimum_years = { male = 25.0, female = 20 }  # ASSUMPTION: common rule

# ASSUMPTION: levels of 2024.
[policy.costs]
price_year = 2024
inpatient_mean = 28000.0

[[units]]
name = "jinan"
source = "bulletin; ASSUMPTION: retirees split alike"
initial_pooled_balance = 1e9
base_year = { year = 2024, pooled_income = 5.0e9, members_retired_prev = 1.0e5, source = "NHSA 2024 bulletin: pooled income 17,342.45 亿, spending 13,222.71 亿, balance 30,445.50 亿; members in service 27,491.84 万, retirees 10,457.50 万; ASSUMPTION (members_retired_prev): interpolated" }
rate = { a = 0.0, b = 2.0 }  # ASSUMPTION (b, c): c is not a field, so both are labelled
"#;

    #[test]
    fn labelled_values_are_found_where_the_text_labels_them() {
        let found = labelled_values(TEXT, "t.toml").expect("parses");
        let got: Vec<(&str, usize, &LabelledValue)> = found
            .iter()
            .map(|l| (l.path.as_str(), l.line, &l.value))
            .collect();
        use LabelledValue::*;
        assert_eq!(
            got,
            vec![
                ("data.mortality_level", 7, &Number(0.8)),
                (
                    "data.worker_flows",
                    9,
                    &NotMoved("text (a table or a choice)")
                ),
                ("economy.wage_growth.mean[1].value", 14, &Number(0.045)),
                ("economy.interest_rate.mean", 16, &Number(0.02)),
                ("economy.interest_rate.volatility", 16, &Number(0.003)),
                ("policy.wage_dispersion", 19, &Number(0.55)),
                (
                    "policy.seasonality",
                    20,
                    &Numbers(toml::Value::Array(vec![
                        toml::Value::Float(0.9),
                        toml::Value::Float(1.1)
                    ]))
                ),
                ("policy.minimum_years.male", 22, &Number(25.0)),
                (
                    "policy.minimum_years.female",
                    22,
                    &NotMoved("an integer (a year, month or count)")
                ),
                (
                    "policy.costs.price_year",
                    26,
                    &NotMoved("an integer (a year, month or count)")
                ),
                ("policy.costs.inpatient_mean", 27, &Number(28000.0)),
                ("units.jinan.source", 31, &NotMoved("the source of a table")),
                (
                    "units.jinan.base_year.members_retired_prev",
                    33,
                    &Number(1.0e5)
                ),
                (
                    "units.jinan.rate.a",
                    34,
                    &NotMoved("zero: a factor does not move it")
                ),
                ("units.jinan.rate.b", 34, &Number(2.0)),
            ]
        );
        // The comment paragraph above the first key does not label it: a blank line parts them.
        assert!(found.iter().all(|l| l.path != "name"));
        assert_eq!(
            found[0].label,
            "ASSUMPTION: members die at 0.8 times the census rates."
        );
        assert_eq!(found[1].label, "ASSUMPTION: national flows");
        // A long label is shown from the word on.
        assert_eq!(
            found[12].label,
            "…ASSUMPTION (members_retired_prev): interpolated"
        );
    }

    #[test]
    fn a_labelled_value_moves_by_its_factor_at_its_path() {
        let found = labelled_values(TEXT, "t.toml").expect("parses");
        let by = |p: &str| found.iter().find(|l| l.path == p).expect(p);
        let o = by("policy.wage_dispersion").moved(0.9).expect("a number");
        assert_eq!(
            o.to_text(),
            format!("policy.wage_dispersion = {}", 0.55 * 0.9)
        );
        let o = by("policy.seasonality").moved(1.1).expect("numbers");
        assert_eq!(
            o.value,
            toml::Value::Array(vec![
                toml::Value::Float(0.9 * 1.1),
                toml::Value::Float(1.1 * 1.1)
            ])
        );
        assert!(by("data.worker_flows").moved(1.1).is_none());
        // A base year's balance moves the opening balance with it.
        let balance = Labelled {
            path: "units.jinan.base_year.pooled_balance".into(),
            line: 1,
            label: LABEL.into(),
            value: LabelledValue::Number(2.0e9),
        };
        let texts: Vec<String> = balance
            .moves(0.9)
            .expect("a number")
            .iter()
            .map(Override::to_text)
            .collect();
        assert_eq!(
            texts,
            [
                "units.jinan.base_year.pooled_balance = 1800000000.0",
                "units.jinan.initial_pooled_balance = 1800000000.0",
            ]
        );
        assert_eq!(
            by("policy.wage_dispersion").moves(1.1).map(|m| m.len()),
            Some(1)
        );
        // The override reaches the dated entry it names, and only it.
        let o = by("economy.wage_growth.mean[1].value")
            .moved(1.1)
            .expect("a number");
        let text = super::super::apply_overrides(TEXT, "t.toml", &[o]).expect("applies");
        let t: toml::Table = toml::from_str(&text).expect("TOML");
        let mean = t["economy"]["wage_growth"]["mean"]
            .as_array()
            .expect("list");
        assert_eq!(mean[0]["value"].as_float(), Some(0.05));
        assert_eq!(mean[1]["value"].as_float(), Some(0.045 * 1.1));
    }
}
