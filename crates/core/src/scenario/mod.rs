//! Scenarios: parsing a TOML file, merging unit policy overrides, validating every field with
//! its path, and loading the data tables it names.

pub mod labels;
pub mod spec;

use crate::data::{
    self, Asfr, CostCurve, DataSource, LifeTable, MembershipStructure, WageProfile, WorkerFlows,
};
use crate::error::{Error, Result};
use crate::params::{Dated, Month};
use sha2::{Digest, Sha256};
pub use spec::*;
use std::path::Path;

/// The default scenario, embedded in the binary: the national employee pooled fund from the
/// latest published position (the NHSA 2024 bulletin), 2025–2035. Its base year is solved by
/// `base_year::apply`, which every command runs after loading.
pub const DEFAULT_SCENARIO: &str = include_str!("../../../../scenarios/national-2025.toml");
pub const DEFAULT_SCENARIO_FILE: &str = "scenarios/national-2025.toml (embedded)";

/// Guangdong's merger of maternity insurance into employee medical insurance (2020–2027): the
/// policy study with three funds, used by examples and tests; embedded so that it runs anywhere.
pub const GUANGDONG_MERGER_SCENARIO: &str =
    include_str!("../../../../scenarios/guangdong-merger.toml");

/// The calibration tables a scenario uses.
#[derive(Clone, Debug)]
pub struct Tables {
    pub life: LifeTable,
    pub asfr: Asfr,
    pub cost: CostCurve,
    pub wage: WageProfile,
    pub flows: WorkerFlows,
}

/// A unit with its merged, validated policy and membership structure.
#[derive(Clone, Debug)]
pub struct Unit {
    pub spec: UnitSpec,
    pub policy: PolicySpec,
    pub structure: MembershipStructure,
}

/// A validated scenario, ready to project.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub spec: ScenarioSpec,
    /// The file it came from, for messages.
    pub file: String,
    /// SHA-256 of the scenario text (hex), recorded with every run.
    pub hash: String,
    pub tables: Tables,
    pub units: Vec<Unit>,
    /// The files it was read from: the scenario, its included fragments and its data tables
    /// (none for built-ins). No output may be written over or around them.
    pub inputs: Vec<std::path::PathBuf>,
    /// The scenario area's average monthly wage of the year before the start, yuan: every
    /// unit's `average_wage_prev_year` weighted by its members in service at the start (a
    /// province of cities). Kept when a copy is cut down to one unit (a base-year solve).
    pub area_wage_prev_year: f64,
    /// The changes made outside the file (`path = value`, as given), applied before parsing.
    pub overrides: Vec<String>,
}

impl Scenario {
    pub fn from_path(path: &Path) -> Result<Scenario> {
        Scenario::from_path_with(path, &[])
    }

    pub fn embedded_default() -> Result<Scenario> {
        // Relative table paths of the default scenario resolve against its folder in the
        // source tree; it uses built-in tables only, so it runs anywhere.
        Scenario::embedded_default_with(&[])
    }

    pub fn parse(text: &str, file: &str, source: DataSource) -> Result<Scenario> {
        // The file alone first, so that its own errors carry its line numbers.
        let own: ScenarioSpec = deserialize_toml(text, file)?;
        let mut hasher = Sha256::new();
        hasher.update(text.as_bytes());
        let spec = if own.include.is_empty() {
            own
        } else {
            let merged = with_includes(text, &own.include, file, &source, &mut hasher)?;
            serde_path_to_error::deserialize(toml::Value::Table(merged)).map_err(|e| {
                Error::field(
                    file,
                    e.path().to_string(),
                    format!(
                        "{} (with the included fragments)",
                        e.inner().message().trim()
                    ),
                )
            })?
        };
        let v = Validator {
            file,
            start: spec.start,
            end: spec.start.plus(spec.horizon_months as i32 - 1),
        };
        v.scenario(&spec)?;
        let tables = Tables {
            life: data::load(
                &source,
                &spec.data.life_table,
                file,
                "data.life_table",
                LifeTable::parse,
            )?,
            asfr: data::load(&source, &spec.data.asfr, file, "data.asfr", Asfr::parse)?,
            cost: data::load(
                &source,
                &spec.data.cost_curve,
                file,
                "data.cost_curve",
                CostCurve::parse,
            )?,
            wage: data::load(
                &source,
                &spec.data.wage_profile,
                file,
                "data.wage_profile",
                WageProfile::parse,
            )?,
            flows: data::load(
                &source,
                &spec.data.worker_flows,
                file,
                "data.worker_flows",
                WorkerFlows::parse,
            )?,
        };
        let mut units = Vec::with_capacity(spec.units.len());
        for (i, u) in spec.units.iter().enumerate() {
            let policy = merged_policy(&spec.policy, &u.policy, i, file)?;
            v.policy(&policy, &|key: &str| field_of(&u.policy, i, key))?;
            let structure = data::load(
                &source,
                &u.membership.structure,
                file,
                &format!("units[{i}].membership.structure"),
                MembershipStructure::parse,
            )?;
            units.push(Unit {
                spec: u.clone(),
                policy,
                structure,
            });
        }
        // Every table the scenario reads, by reference and content, is part of its hash (a
        // shard run with one table and merged with another is refused), and every file it
        // reads is an input no output may replace.
        let d = &spec.data;
        let mut references: Vec<&str> = spec.include.iter().map(String::as_str).collect();
        references.extend([
            d.life_table.as_str(),
            d.asfr.as_str(),
            d.cost_curve.as_str(),
            d.wage_profile.as_str(),
            d.worker_flows.as_str(),
        ]);
        references.extend(units.iter().map(|u| u.spec.membership.structure.as_str()));
        let mut inputs = Vec::new();
        for reference in references {
            hasher.update(reference.as_bytes());
            if let Some(bytes) = source.bytes_of(reference) {
                hasher.update(Sha256::digest(&bytes));
            }
            if let Some(path) = source.file_of(reference).filter(|p| !inputs.contains(p)) {
                inputs.push(path);
            }
        }
        let hash: String = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let (mut weighted, mut members) = (0.0, 0.0);
        for u in &spec.units {
            let m = &u.membership;
            let n = m.enterprise + m.government + m.flexible;
            weighted += n * u.average_wage_prev_year;
            members += n;
        }
        let area_wage_prev_year = if members > 0.0 {
            weighted / members
        } else {
            0.0
        };
        Ok(Scenario {
            spec,
            file: file.to_string(),
            hash,
            tables,
            units,
            inputs,
            area_wage_prev_year,
            overrides: Vec::new(),
        })
    }

    /// [`Scenario::from_path`] with `overrides` applied to the file's text before it is parsed
    /// (and validated like it); without overrides the file's own text is parsed (and hashed).
    pub fn from_path_with(path: &Path, overrides: &[Override]) -> Result<Scenario> {
        let bytes = data::read_regular_file(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let file = path.display().to_string();
        let text = String::from_utf8(bytes).map_err(|_| Error::Parse {
            file: file.clone(),
            line: 0,
            field: String::new(),
            message: "not UTF-8 text".into(),
        })?;
        let base = path.parent().map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        });
        let source = DataSource {
            base_dir: base.map(Path::to_path_buf),
        };
        let mut s = Scenario::parse_with(&text, &file, source, overrides)?;
        s.inputs.insert(0, path.to_path_buf());
        Ok(s)
    }

    /// [`Scenario::parse`] with `overrides` applied first (none: the text as it is).
    pub(crate) fn parse_with(
        text: &str,
        file: &str,
        source: DataSource,
        overrides: &[Override],
    ) -> Result<Scenario> {
        if overrides.is_empty() {
            return Scenario::parse(text, file, source);
        }
        let changed = apply_overrides(text, file, overrides)?;
        let mut s = Scenario::parse(&changed, file, source)?;
        s.overrides = overrides.iter().map(Override::to_text).collect();
        Ok(s)
    }

    /// The embedded default scenario with `overrides` applied.
    pub fn embedded_default_with(overrides: &[Override]) -> Result<Scenario> {
        Scenario::parse_with(
            DEFAULT_SCENARIO,
            DEFAULT_SCENARIO_FILE,
            DataSource {
                base_dir: Some("scenarios".into()),
            },
            overrides,
        )
    }

    pub fn end(&self) -> Month {
        self.spec.start.plus(self.spec.horizon_months as i32 - 1)
    }

    /// A copy with every driver volatility set to zero (the expected path).
    pub fn without_volatility(&self) -> Scenario {
        let mut s = self.clone();
        let e = &mut s.spec.economy;
        for d in [
            &mut e.wage_growth,
            &mut e.medical_price_growth,
            &mut e.utilisation_growth,
            &mut e.employment_growth,
            &mut e.collection_rate,
            &mut e.interest_rate,
            &mut e.retirement_take_up,
        ] {
            d.volatility = 0.0;
            d.mean_uncertainty = 0.0;
            d.mean_drift = 0.0;
        }
        e.fertility.volatility = 0.0;
        // No idiosyncratic draws either: every path is the expected path.
        s.spec.run.small_cell_threshold = 0.0;
        s
    }
}

/// A change to a scenario made outside its file (`--set path=value` on the command line, the
/// Python package's `overrides`): a dotted path into the scenario as written — `policy.employer_rate`,
/// `economy.wage_growth.mean`, `units.jinan.policy.employer_rate` (a unit by its name) or
/// `units[0].initial_pooled_balance` — and a TOML value (`0.085`, `"2021-01"`, `[0.1, 0.2]`,
/// `{ from = "2025-01", value = 0.09 }`; text that is not a TOML value is taken as a string).
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    pub path: String,
    pub value: toml::Value,
}

impl Override {
    /// Parses `path=value`.
    pub fn parse(text: &str) -> Result<Override> {
        let bad = |m: &str| Error::Invalid(format!("override `{text}`: {m}"));
        let (path, raw) = text
            .split_once('=')
            .ok_or_else(|| bad("expected PATH=VALUE, e.g. policy.employer_rate=0.085"))?;
        let path = path.trim();
        if path.is_empty()
            || path
                .split('.')
                .any(|s| s.is_empty() || s.chars().any(char::is_whitespace))
        {
            return Err(bad("the path is dotted names, e.g. policy.employer_rate"));
        }
        let raw = raw.trim();
        let value = toml::from_str::<toml::Table>(&format!("v = {raw}"))
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(|| toml::Value::String(raw.to_string()));
        Ok(Override {
            path: path.to_string(),
            value,
        })
    }

    /// `path = value` as TOML writes it.
    pub(crate) fn to_text(&self) -> String {
        format!("{} = {}", self.path, self.value)
    }
}

/// `text` with `overrides` applied in order, as TOML text to parse. A path through `units`
/// picks a unit by name (`units.jinan`) or index (`units[0]`); missing tables on the way are
/// created (the parse then says whether the field exists).
pub(crate) fn apply_overrides(text: &str, file: &str, overrides: &[Override]) -> Result<String> {
    let mut table: toml::Table = toml::from_str(text).map_err(|e| Error::Parse {
        file: file.into(),
        line: 0,
        field: String::new(),
        message: format!("malformed TOML: {}", e.message().trim()),
    })?;
    for o in overrides {
        let fail = |m: String| Error::field(file, o.path.clone(), m);
        let segments: Vec<&str> = o.path.split('.').collect();
        set_at(&mut table, &segments, &o.value, &fail)?;
    }
    toml::to_string(&table).map_err(|e| Error::field(file, "overrides", e.to_string()))
}

/// Sets `value` at the path `segments` below `here` (see [`apply_overrides`]).
fn set_at(
    here: &mut toml::Table,
    segments: &[&str],
    value: &toml::Value,
    fail: &dyn Fn(String) -> Error,
) -> Result<()> {
    let Some((segment, rest)) = segments.split_first() else {
        return Err(fail("an empty path".into()));
    };
    // `name[i]`: element i of the list `name`.
    let (name, index) = match segment.split_once('[') {
        Some((n, tail)) => {
            let i = tail
                .strip_suffix(']')
                .and_then(|x| x.parse::<usize>().ok())
                .ok_or_else(|| fail(format!("`{segment}`: expected NAME[INDEX]")))?;
            (n, Some(i))
        }
        None => (*segment, None),
    };
    if rest.is_empty() && index.is_none() {
        here.insert(name.to_string(), value.clone());
        return Ok(());
    }
    let entry = here
        .entry(name.to_string())
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    let (target, rest) = match (entry, index) {
        (toml::Value::Array(xs), Some(i)) => {
            let n = xs.len();
            let x = xs
                .get_mut(i)
                .ok_or_else(|| fail(format!("`{name}` has {n} entries, no [{i}]")))?;
            (x, rest)
        }
        (toml::Value::Array(xs), None) => {
            // An entry (a unit) by its name: the next segment.
            let Some((wanted, rest)) = rest.split_first() else {
                return Err(fail(format!(
                    "`{name}` is a list: name an entry or [INDEX]"
                )));
            };
            let names: Vec<String> = xs
                .iter()
                .filter_map(|x| x.get("name").and_then(|n| n.as_str()).map(String::from))
                .collect();
            let x = xs
                .iter_mut()
                .find(|x| x.get("name").and_then(|n| n.as_str()) == Some(*wanted))
                .ok_or_else(|| {
                    fail(format!(
                        "no entry of `{name}` is named `{wanted}`; the names are {}",
                        names.join(", ")
                    ))
                })?;
            (x, rest)
        }
        (_, Some(_)) => return Err(fail(format!("`{name}` is not a list"))),
        (v, None) => (v, rest),
    };
    if rest.is_empty() {
        *target = value.clone();
        return Ok(());
    }
    let table = target
        .as_table_mut()
        .ok_or_else(|| fail(format!("`{name}` is a value, not a table")))?;
    set_at(table, rest, value, fail)
}

/// The scenario text merged over its included fragments (in order, each over the one before).
/// Every fragment's text goes into `hasher`, so that a run's scenario hash covers them.
fn with_includes(
    text: &str,
    includes: &[String],
    file: &str,
    source: &DataSource,
    hasher: &mut Sha256,
) -> Result<toml::Table> {
    let own: toml::Table = toml::from_str(text).map_err(|e| Error::Parse {
        file: file.into(),
        line: 0,
        field: String::new(),
        message: format!("malformed TOML: {}", e.message().trim()),
    })?;
    let mut merged = toml::Table::new();
    for (i, reference) in includes.iter().enumerate() {
        let field = format!("include[{i}]");
        let (name, fragment_text) = source.read_fragment(reference, file, &field)?;
        hasher.update(fragment_text.as_bytes());
        let fragment: toml::Table = toml::from_str(&fragment_text).map_err(|e| Error::Parse {
            file: name.clone(),
            line: line_at(&fragment_text, e.span()),
            field: String::new(),
            message: format!("malformed TOML: {}", e.message().trim()),
        })?;
        if let Some(k) = fragment
            .keys()
            .find(|k| !["calibration", "economy"].contains(&k.as_str()))
        {
            return Err(Error::field(
                file,
                field,
                format!(
                    "{name} has a `{k}` table; an included fragment may hold only [calibration] and [economy]"
                ),
            ));
        }
        deep_merge(&mut merged, &fragment);
    }
    deep_merge(&mut merged, &own);
    Ok(merged)
}

/// The field path of a policy key for unit `i`: the unit's override if it has one.
fn field_of(unit_policy: &toml::Table, i: usize, key: &str) -> String {
    let top = key.split(['.', '[']).next().unwrap_or(key);
    if unit_policy.contains_key(top) {
        format!("units[{i}].policy.{key}")
    } else {
        format!("policy.{key}")
    }
}

pub(crate) fn deep_merge(base: &mut toml::Table, over: &toml::Table) {
    for (k, v) in over {
        match (base.get_mut(k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => deep_merge(b, o),
            _ => {
                base.insert(k.clone(), v.clone());
            }
        }
    }
}

fn merged_policy(
    global: &toml::Table,
    unit: &toml::Table,
    i: usize,
    file: &str,
) -> Result<PolicySpec> {
    let mut merged = global.clone();
    deep_merge(&mut merged, unit);
    serde_path_to_error::deserialize(toml::Value::Table(merged)).map_err(|e| {
        let path = e.path().to_string();
        let msg = with_suggestion(e.inner().message());
        let field = if path == "." {
            String::new()
        } else {
            field_of(unit, i, &path)
        };
        let msg = msg.replace("missing field", "missing policy field");
        Error::field(
            file,
            if field.is_empty() {
                format!("units[{i}].policy")
            } else {
                field
            },
            msg,
        )
    })
}

/// A serde message about an unknown field or variant with "did you mean `x`?" added when one of
/// the expected names is close to the one written (Jaro–Winkler similarity 0.8 or more).
pub(crate) fn with_suggestion(message: &str) -> String {
    let names = |s: &str| -> Vec<String> {
        s.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    let Some(rest) = message
        .strip_prefix("unknown field ")
        .or_else(|| message.strip_prefix("unknown variant "))
    else {
        return message.to_string();
    };
    let (got, expected) = match rest.split_once(", expected") {
        Some((g, e)) => (names(g), names(e)),
        None => return message.to_string(),
    };
    let Some(got) = got.first() else {
        return message.to_string();
    };
    let best = expected
        .iter()
        .map(|e| (strsim::jaro_winkler(got, e), e))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((score, name)) if score >= 0.8 => format!("{message}; did you mean `{name}`?"),
        _ => message.to_string(),
    }
}

/// The 1-based line of the start of `span` in `text` (0 when there is no span).
fn line_at(text: &str, span: Option<std::ops::Range<usize>>) -> usize {
    span.map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
        .unwrap_or(0)
}

/// Deserializes TOML text, reporting the line and the field path of the first error.
fn deserialize_toml<T: serde::de::DeserializeOwned>(text: &str, file: &str) -> Result<T> {
    let line_of = |span| line_at(text, span);
    let de = toml::Deserializer::parse(text).map_err(|e| Error::Parse {
        file: file.into(),
        line: line_of(e.span()),
        field: String::new(),
        message: format!("malformed TOML: {}", e.message().trim()),
    })?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        Error::Parse {
            file: file.into(),
            line: line_of(e.inner().span()),
            field: if path == "." || path.is_empty() {
                String::new()
            } else {
                format!("{path}: ")
            },
            message: with_suggestion(e.inner().message().trim()),
        }
    })
}

/// A number as a message shows it: large ones in scientific notation (1e15, not sixteen digits).
fn shown(v: f64) -> String {
    if v.is_finite() && v.abs() >= 1e9 {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// Largest amount of money (yuan, absolute) a scenario may state for a balance or a year's
/// flow: with the drivers' truncation (economy::GROWTH_DRAW_RANGE) and horizons of at most
/// 100 years, every path stays far inside f64, and the exact ledger checks its own range.
pub(crate) const MAX_MONEY: f64 = 1e15;

/// Longest unit or fund name, in characters.
pub(crate) const MAX_NAME_CHARS: usize = 64;

/// Earliest calendar year a scenario may name (a start, a price year, a life table's year).
pub(crate) const MIN_YEAR: i32 = 1950;

/// Range checks with field paths. Every check returns the first problem as an error.
struct Validator<'a> {
    file: &'a str,
    start: Month,
    end: Month,
}

impl Validator<'_> {
    fn err(&self, field: impl Into<String>, msg: impl Into<String>) -> Error {
        Error::field(self.file, field, msg)
    }

    fn range(&self, field: &str, v: f64, lo: f64, hi: f64, what: &str) -> Result<()> {
        if v.is_nan() || v < lo || v > hi {
            return Err(self.err(
                field,
                format!(
                    "{} is outside the allowed range [{}, {}] ({what})",
                    shown(v),
                    shown(lo),
                    shown(hi)
                ),
            ));
        }
        Ok(())
    }

    /// A display name (a title in reports): at most 100 characters, none of them a control
    /// character (it is printed in pages, charts and sheet cells).
    fn display_name(&self, field: &str, title: &str) -> Result<()> {
        if title.chars().count() > 100 || title.chars().any(char::is_control) {
            return Err(self.err(
                field,
                "a display name is at most 100 characters, with no control characters (line breaks, tabs)"
                    .to_string(),
            ));
        }
        Ok(())
    }

    /// A unit's or fund's name names rows, sheets and files: 1–64 letters or digits, `-` or
    /// `_`, starting with a letter or digit; not `all` (the total of every fund).
    fn fund_name(&self, field: &str, name: &str) -> Result<()> {
        let ok_chars = name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
        let ok_start = name.chars().next().is_some_and(char::is_alphanumeric);
        let shown: String = name
            .chars()
            .take(40)
            .collect::<String>()
            .escape_debug()
            .to_string();
        if !ok_chars || !ok_start || name.chars().count() > MAX_NAME_CHARS {
            return Err(self.err(
                field,
                format!(
                    "`{shown}` must be 1–{MAX_NAME_CHARS} letters or digits, `-` or `_`, starting with a letter or digit (it names rows, sheets and files)"
                ),
            ));
        }
        if name.eq_ignore_ascii_case("all") {
            return Err(self.err(field, "`all` is reserved: it names the total of every fund"));
        }
        Ok(())
    }

    fn dated<T: Clone>(&self, field: &str, d: &Dated<T>) -> Result<()> {
        d.check_order().map_err(|m| self.err(field, m))?;
        if let Dated::Schedule(es) = d {
            if let Some(first) = es.first().filter(|e| e.from > self.start) {
                return Err(self.err(
                    format!("{field}[0].from"),
                    format!(
                        "{} is after the start ({}): the first entry must apply from the start, so that every month has a value",
                        first.from, self.start
                    ),
                ));
            }
            for (k, e) in es.iter().enumerate() {
                if e.from > self.end {
                    return Err(self.err(
                        format!("{field}[{k}].from"),
                        format!(
                            "{} is after the end of the horizon ({}); it would never apply",
                            e.from, self.end
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    fn dated_range(&self, field: &str, d: &Dated<f64>, lo: f64, hi: f64, what: &str) -> Result<()> {
        self.dated(field, d)?;
        match d {
            Dated::Constant(v) => self.range(field, *v, lo, hi, what),
            Dated::Schedule(es) => {
                for (k, e) in es.iter().enumerate() {
                    self.range(&format!("{field}[{k}].value"), e.value, lo, hi, what)?;
                }
                Ok(())
            }
        }
    }

    fn scenario(&self, s: &ScenarioSpec) -> Result<()> {
        if s.name.is_empty()
            || !s
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(self.err(
                "name",
                format!(
                    "`{}` must be non-empty letters, digits, - or _ (it names the output folder)",
                    s.name
                ),
            ));
        }
        if !(1..=1200).contains(&s.horizon_months) {
            return Err(self.err(
                "horizon_months",
                format!(
                    "{} is outside the allowed range [1, 1200] months",
                    s.horizon_months
                ),
            ));
        }
        if !(1900..=2100).contains(&s.data.life_table_year) {
            return Err(self.err(
                "data.life_table_year",
                format!(
                    "{} is outside the allowed range [1900, 2100]",
                    s.data.life_table_year
                ),
            ));
        }
        self.range(
            "data.mortality_improvement",
            s.data.mortality_improvement,
            0.0,
            2.0,
            "multiplier of the life table's improvement rates",
        )?;
        self.range(
            "data.mortality_level",
            s.data.mortality_level,
            0.2,
            2.0,
            "multiplier of the life table's death probabilities",
        )?;
        if s.run.paths == 0 || s.run.paths > 10_000_000 {
            return Err(self.err(
                "run.paths",
                format!("{} is outside the allowed range [1, 10000000]", s.run.paths),
            ));
        }
        self.range(
            "run.small_cell_threshold",
            s.run.small_cell_threshold,
            0.0,
            1e9,
            "persons",
        )?;
        self.range(
            "run.random_counts_below_members",
            s.run.random_counts_below_members,
            0.0,
            1e10,
            "persons",
        )?;
        let e = &s.economy;
        for (name, drv, lo, hi, unit) in [
            ("wage_growth", &e.wage_growth, -0.5, 0.5, "annual rate"),
            (
                "medical_price_growth",
                &e.medical_price_growth,
                -0.5,
                0.5,
                "annual rate",
            ),
            (
                "utilisation_growth",
                &e.utilisation_growth,
                -0.5,
                0.5,
                "annual rate",
            ),
            (
                "employment_growth",
                &e.employment_growth,
                -0.5,
                0.5,
                "annual rate",
            ),
            ("collection_rate", &e.collection_rate, 0.0, 1.0, "share 0-1"),
            ("interest_rate", &e.interest_rate, -0.05, 0.5, "annual rate"),
            (
                "retirement_take_up",
                &e.retirement_take_up,
                0.0,
                1.0,
                "share 0-1",
            ),
        ] {
            self.dated_range(&format!("economy.{name}.mean"), &drv.mean, lo, hi, unit)?;
            self.range(
                &format!("economy.{name}.volatility"),
                drv.volatility,
                0.0,
                1.0,
                "standard deviation",
            )?;
            self.range(
                &format!("economy.{name}.persistence"),
                drv.persistence,
                0.0,
                0.999,
                "AR(1) coefficient",
            )?;
            self.range(
                &format!("economy.{name}.mean_uncertainty"),
                drv.mean_uncertainty,
                0.0,
                0.5,
                "standard deviation of the mean's error",
            )?;
            self.range(
                &format!("economy.{name}.mean_drift"),
                drv.mean_drift,
                0.0,
                0.1,
                "standard deviation of the mean's yearly change",
            )?;
        }
        self.dated_range(
            "economy.fertility.level",
            &e.fertility.level,
            0.0,
            5.0,
            "multiplier on the ASFR table",
        )?;
        self.range(
            "economy.fertility.drift",
            e.fertility.drift,
            -0.5,
            0.5,
            "annual log drift",
        )?;
        self.range(
            "economy.fertility.volatility",
            e.fertility.volatility,
            0.0,
            1.0,
            "annual standard deviation",
        )?;
        self.range(
            "economy.fertility.persistence",
            e.fertility.persistence,
            0.0,
            1.0,
            "AR(1) coefficient of the log factor; 1 is a random walk",
        )?;
        let (lo, hi) = (
            e.fertility.tfr_min.unwrap_or(0.0),
            e.fertility.tfr_max.unwrap_or(10.0),
        );
        self.range(
            "economy.fertility.tfr_min",
            lo,
            0.0,
            10.0,
            "births per woman",
        )?;
        self.range(
            "economy.fertility.tfr_max",
            hi,
            0.0,
            10.0,
            "births per woman",
        )?;
        if lo > hi {
            return Err(self.err(
                "economy.fertility.tfr_min",
                format!("{lo} is above tfr_max {hi}"),
            ));
        }
        if let Some(c) = &e.correlation {
            check_correlation(c).map_err(|m| self.err("economy.correlation", m))?;
        }
        let r = &s.risk;
        for (k, v) in [
            ("excess", r.excess),
            ("high", r.high),
            ("reasonable", r.reasonable),
            ("insufficient", r.insufficient),
        ] {
            self.range(&format!("risk.{k}"), v, 0.0, 1200.0, "months")?;
        }
        if !(r.excess > r.high
            && r.high > r.reasonable
            && r.reasonable > r.insufficient
            && r.insufficient >= 0.0)
        {
            return Err(self.err(
                "risk",
                "warning bands must satisfy excess > high > reasonable > insufficient ≥ 0 (months)",
            ));
        }
        if s.units.is_empty() {
            return Err(self.err("units", "a scenario needs at least one unit ([[units]])"));
        }
        self.pooling(s)?;
        for (i, r) in s.rules.iter().enumerate() {
            let f = |k: &str| format!("rules[{i}].{k}");
            self.range(&f("below_months"), r.below_months, 0.0, 1200.0, "months")?;
            self.range(&f("step"), r.step, 0.0, 1.0, "share of payroll or income")?;
            self.range(
                &f("ceiling"),
                r.ceiling,
                0.0,
                1.0,
                "share of payroll or income",
            )?;
            self.range(
                &f("subsidy_step"),
                r.subsidy_step,
                0.0,
                1e5,
                "yuan a year per resident",
            )?;
            for (k, name) in r.units.iter().flatten().enumerate() {
                if !s.units.iter().any(|u| &u.name == name) {
                    return Err(self.err(
                        f(&format!("units[{k}]")),
                        format!(
                            "`{name}` is not the name of a unit; units are {}",
                            s.units
                                .iter()
                                .map(|u| u.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
            }
        }
        for (i, u) in s.units.iter().enumerate() {
            let f = |k: &str| format!("units[{i}].{k}");
            self.fund_name(&f("name"), &u.name)?;
            self.display_name(&f("title"), &u.title)?;
            self.display_name(&f("title_en"), &u.title_en)?;
            if let Some(j) = s.units[..i]
                .iter()
                .position(|o| o.name.to_lowercase() == u.name.to_lowercase())
            {
                return Err(self.err(
                    f("name"),
                    format!(
                        "`{}` is also the name of units[{j}] (`{}`); unit names must be unique, ignoring case (they name files)",
                        u.name, s.units[j].name
                    ),
                ));
            }
            self.range(
                &f("initial_pooled_balance"),
                u.initial_pooled_balance,
                -MAX_MONEY,
                MAX_MONEY,
                "yuan",
            )?;
            self.range(
                &f("pooled_spending_prev_year"),
                u.pooled_spending_prev_year,
                0.0,
                1e15,
                "yuan a year",
            )?;
            for (k, v) in [
                ("pooled_spending_prev_year", u.pooled_spending_prev_year),
                (
                    "maternity_spending_prev_year",
                    u.maternity_spending_prev_year,
                ),
            ] {
                if v > 0.0 && v < 1.0 {
                    return Err(self.err(
                        f(k),
                        format!(
                            "{v} is below 1 yuan a year: give 0 (no spending) or at least 1 (months of capacity divide by it)"
                        ),
                    ));
                }
            }
            self.range(
                &f("average_wage_prev_year"),
                u.average_wage_prev_year,
                1.0,
                1e7,
                "yuan a month",
            )?;
            self.range(
                &f("initial_maternity_balance"),
                u.initial_maternity_balance,
                -1e15,
                1e15,
                "yuan",
            )?;
            self.range(
                &f("maternity_spending_prev_year"),
                u.maternity_spending_prev_year,
                0.0,
                1e15,
                "yuan a year",
            )?;
            self.range(
                &f("utilisation_level"),
                u.utilisation_level,
                0.0,
                10.0,
                "multiplier on use probabilities",
            )?;
            self.range(
                &f("collection_level"),
                u.collection_level,
                0.0,
                10.0,
                "multiplier on the collection rate",
            )?;
            self.range(
                &f("retirement_take_up_level"),
                u.retirement_take_up_level,
                0.0,
                10.0,
                "multiplier on economy.retirement_take_up",
            )?;
            let m = &u.membership;
            for (k, v) in [
                ("enterprise", m.enterprise),
                ("government", m.government),
                ("flexible", m.flexible),
                ("retirees", m.retirees),
                ("residents", m.residents),
            ] {
                self.range(&f(&format!("membership.{k}")), v, 0.0, 1e10, "persons")?;
            }
            self.range(
                &f("membership.resident_growth"),
                m.resident_growth,
                -0.5,
                0.5,
                "annual growth",
            )?;
        }
        Ok(())
    }

    fn pooling(&self, s: &ScenarioSpec) -> Result<()> {
        let p = &s.pooling;
        if p.kind == PoolingKind::Single {
            return self.pooling_fields(p);
        }
        self.fund_name("pooling.fund_name", &p.fund_name)?;
        self.display_name("pooling.fund_title", &p.fund_title)?;
        self.display_name("pooling.fund_title_en", &p.fund_title_en)?;
        if let Some(i) = s
            .units
            .iter()
            .position(|u| u.name.to_lowercase() == p.fund_name.to_lowercase())
        {
            return Err(self.err(
                "pooling.fund_name",
                format!("`{}` is also the name of units[{i}]", p.fund_name),
            ));
        }
        if p.kind == PoolingKind::Accounts {
            return self.pooling_fields(p);
        }
        for (i, u) in s.units.iter().enumerate() {
            match u.pooled_income_prev_year {
                None => {
                    return Err(self.err(
                        format!("units[{i}].pooled_income_prev_year"),
                        format!(
                            "is required by `{}` pooling (yuan, last year's pooled premium income, 0 – 10¹⁵)",
                            p.kind.name()
                        ),
                    ));
                }
                Some(v) => self.range(
                    &format!("units[{i}].pooled_income_prev_year"),
                    v,
                    0.0,
                    1e15,
                    "yuan a year",
                )?,
            }
            for (k, b) in [
                ("revenue_budget", &u.revenue_budget),
                ("spending_budget", &u.spending_budget),
            ] {
                if let Some(b) = b {
                    self.dated_range(&format!("units[{i}].{k}"), b, 0.0, MAX_MONEY, "yuan a year")?;
                }
            }
            self.range(
                &format!("units[{i}].adjustment_assessment"),
                u.adjustment_assessment,
                0.0,
                10.0,
                "multiplier of the share of a gap",
            )?;
        }
        if let Some(m) = p.start
            && (m < self.start || m > self.end || m.month() != 1)
        {
            return Err(self.err(
                "pooling.start",
                format!(
                    "{m} must be a January within the horizon ({} – {})",
                    self.start, self.end
                ),
            ));
        }
        self.pooling_fields(p)
    }

    /// The pooling fields' ranges, whatever the kind (a field of another kind is still checked).
    fn pooling_fields(&self, p: &PoolingSpec) -> Result<()> {
        self.range(
            "pooling.initial_balance",
            p.initial_balance,
            -MAX_MONEY,
            MAX_MONEY,
            "yuan",
        )?;
        self.dated_range("pooling.levy_rate", &p.levy_rate, 0.0, 1.0, "share 0–1")?;
        self.dated_range(
            "pooling.other_uses_share",
            &p.other_uses_share,
            0.0,
            1.0,
            "share 0–1 of the year's levies",
        )?;
        for (k, v) in [
            ("gap_share", p.gap_share),
            ("within_budget_city_share", p.within_budget_city_share),
            ("beyond_budget_city_share", p.beyond_budget_city_share),
            (
                "missed_revenue_treasury_share",
                p.missed_revenue_treasury_share,
            ),
        ] {
            self.range(&format!("pooling.{k}"), v, 0.0, 1.0, "share 0–1")?;
        }
        if let Some(bands) = &p.gap_share_bands {
            if bands.is_empty() {
                return Err(self.err("pooling.gap_share_bands", "needs at least one band"));
            }
            let mut last = 0.0;
            for (k, [bound, share]) in bands.iter().enumerate() {
                if bound.is_nan() || *bound <= last {
                    return Err(self.err(
                        format!("pooling.gap_share_bands[{k}]"),
                        format!("bound {bound} is not above the one before ({last}): bounds must increase"),
                    ));
                }
                last = *bound;
                self.range(
                    &format!("pooling.gap_share_bands[{k}][1]"),
                    *share,
                    0.0,
                    1.0,
                    "share 0–1",
                )?;
            }
        }
        self.range(
            "pooling.cap_multiple",
            p.cap_multiple,
            0.0,
            100.0,
            "multiple of last year's levy",
        )?;
        for (k, v) in [
            ("revenue_budget_growth", p.revenue_budget_growth),
            ("spending_budget_growth", p.spending_budget_growth),
        ] {
            self.range(&format!("pooling.{k}"), v, -0.5, 0.5, "annual growth")?;
        }
        self.range(
            "pooling.working_advance_months",
            p.working_advance_months,
            0.0,
            12.0,
            "months",
        )?;
        self.range(
            "pooling.treasury_settlement_month",
            f64::from(p.treasury_settlement_month),
            1.0,
            12.0,
            "month of the year",
        )
    }

    fn benefit(&self, field: &str, b: &Dated<BenefitSpec>) -> Result<()> {
        self.dated(field, b)?;
        let entries: Vec<(String, &BenefitSpec)> = match b {
            Dated::Constant(v) => vec![(field.to_string(), v)],
            Dated::Schedule(es) => es
                .iter()
                .enumerate()
                .map(|(k, e)| (format!("{field}[{k}].value"), &e.value))
                .collect(),
        };
        for (f, b) in entries {
            self.range(
                &format!("{f}.deductible"),
                b.deductible,
                0.0,
                1e8,
                "yuan a year",
            )?;
            if b.cap.is_nan() || b.cap <= 0.0 {
                return Err(self.err(
                    format!("{f}.cap"),
                    format!("{} must be > 0 yuan (inf for no cap)", b.cap),
                ));
            }
            if b.tiers.is_empty() {
                return Err(self.err(
                    format!("{f}.tiers"),
                    "needs at least one [upper bound, ratio] tier",
                ));
            }
            let mut prev = b.deductible;
            for (k, t) in b.tiers.iter().enumerate() {
                if t[0].is_nan() || t[0] <= prev {
                    return Err(self.err(
                        format!("{f}.tiers[{k}]"),
                        format!(
                            "upper bound {} must exceed the previous bound or deductible ({prev})",
                            t[0]
                        ),
                    ));
                }
                self.range(
                    &format!("{f}.tiers[{k}]"),
                    t[1],
                    0.0,
                    1.0,
                    "ratio paid by the fund",
                )?;
                self.range(
                    &format!("{f}.tiers[{k}]"),
                    t[1] + b.retiree_ratio_delta,
                    0.0,
                    1.0,
                    "ratio plus retiree_ratio_delta",
                )?;
                prev = t[0];
            }
            self.range(
                &format!("{f}.retiree_deductible_delta"),
                b.deductible + b.retiree_deductible_delta,
                0.0,
                1e8,
                "deductible plus retiree_deductible_delta, yuan",
            )?;
        }
        Ok(())
    }

    fn policy(&self, p: &PolicySpec, at: &dyn Fn(&str) -> String) -> Result<()> {
        let share = |k: &str, d: &Dated<f64>| self.dated_range(&at(k), d, 0.0, 1.0, "share 0–1");
        share("employer_rate", &p.employer_rate)?;
        if let Some(g) = &p.employer_rate_government {
            share("employer_rate_government", g)?;
        }
        share(
            "employer_to_personal_account",
            &p.employer_to_personal_account,
        )?;
        share("employee_rate", &p.employee_rate)?;
        share(
            "employee_to_personal_account",
            &p.employee_to_personal_account,
        )?;
        self.dated_range(
            &at("base_floor"),
            &p.base_floor,
            0.0,
            10.0,
            "share of the reference average wage",
        )?;
        self.dated_range(
            &at("base_cap"),
            &p.base_cap,
            0.0,
            10.0,
            "share of the reference average wage",
        )?;
        // Compared month by month: at every month either schedule changes.
        let mut months = p.base_floor.change_months(self.start);
        months.extend(p.base_cap.change_months(self.start));
        if let Some(m) = months
            .into_iter()
            .filter(|&m| m <= self.end)
            .find(|&m| p.base_floor.at(m) > p.base_cap.at(m))
        {
            return Err(self.err(
                at("base_floor"),
                format!(
                    "{} in {m} exceeds base_cap {} in force then; the floor must not exceed the cap in any month",
                    p.base_floor.at(m),
                    p.base_cap.at(m)
                ),
            ));
        }
        if !(1..=2).contains(&p.base_reference_lag) {
            return Err(self.err(
                at("base_reference_lag"),
                format!(
                    "{} is outside the allowed range [1, 2] years",
                    p.base_reference_lag
                ),
            ));
        }
        self.range(
            &at("wage_dispersion"),
            p.wage_dispersion,
            0.0,
            3.0,
            "log-scale standard deviation",
        )?;
        self.dated_range(
            &at("flexible_base"),
            &p.flexible_base,
            0.0,
            10.0,
            "share of the reference average wage",
        )?;
        share("flexible_rate", &p.flexible_rate)?;
        share(
            "flexible_to_personal_account",
            &p.flexible_to_personal_account,
        )?;
        self.dated_range(
            &at("retiree_account_credit"),
            &p.retiree_account_credit,
            0.0,
            1e5,
            "yuan per retiree per month",
        )?;
        let f55 = &p.female_age55_share;
        for (k, v) in [
            ("enterprise", f55.enterprise),
            ("government", f55.government),
            ("flexible", f55.flexible),
        ] {
            self.range(
                &at(&format!("female_age55_share.{k}")),
                v,
                0.0,
                1.0,
                "share 0–1",
            )?;
        }
        if let Some(m) = p.buyin_monthly_share {
            self.range(&at("buyin_monthly_share"), m, 0.0, 1.0, "share 0–1")?;
        }
        self.dated(&at("minimum_years"), &p.minimum_years)?;
        let entries: Vec<(String, &MinYearsSpec)> = match &p.minimum_years {
            Dated::Constant(v) => vec![(at("minimum_years"), v)],
            Dated::Schedule(es) => es
                .iter()
                .enumerate()
                .map(|(k, e)| (format!("{}[{k}].value", at("minimum_years")), &e.value))
                .collect(),
        };
        for (field, v) in entries {
            self.range(&format!("{field}.male"), v.male, 0.0, 50.0, "years")?;
            self.range(&format!("{field}.female"), v.female, 0.0, 50.0, "years")?;
        }
        if let Some(f) = &p.minimum_years_first_enrolled {
            let field = at("minimum_years_first_enrolled");
            if f.from < self.start {
                return Err(self.err(
                    format!("{field}.from"),
                    format!(
                        "{} is before the start ({}): which members at the start first enrolled after it is not known (allowed: the start or later)",
                        f.from, self.start
                    ),
                ));
            }
            self.range(&format!("{field}.male"), f.male, 0.0, 50.0, "years")?;
            self.range(&format!("{field}.female"), f.female, 0.0, 50.0, "years")?;
            self.range(
                &format!("{field}.prior_years_mean"),
                f.prior_years_mean,
                0.0,
                60.0,
                "years",
            )?;
            self.range(
                &format!("{field}.prior_years_sd"),
                f.prior_years_sd,
                0.0,
                30.0,
                "years",
            )?;
            let monthly = p.monthly_buyin_share();
            if monthly > 0.0 {
                return Err(self.err(
                    field,
                    format!(
                        "buy-ins must be paid at once with it (buyin_mode = \"lump_sum\", buyin_monthly_share 0; here a monthly share of {}): members first enrolled under it who keep paying monthly are not modelled",
                        shown(monthly)
                    ),
                ));
            }
        }
        let cy = &p.contribution_years;
        self.range(
            &at("contribution_years.mean_male"),
            cy.mean_male,
            0.0,
            60.0,
            "years",
        )?;
        self.range(
            &at("contribution_years.mean_female"),
            cy.mean_female,
            0.0,
            60.0,
            "years",
        )?;
        self.range(
            &at("contribution_years.sd_male"),
            cy.sd_male,
            0.0,
            30.0,
            "years",
        )?;
        self.range(
            &at("contribution_years.sd_female"),
            cy.sd_female,
            0.0,
            30.0,
            "years",
        )?;
        share("buyin_rate", &p.buyin_rate)?;
        self.benefit(&at("inpatient"), &p.inpatient)?;
        if let Some(o) = &p.outpatient {
            self.benefit(&at("outpatient"), o)?;
        }
        if let Some(c) = &p.outpatient_second_clinic {
            for (k, v) in [
                ("share", c.share),
                ("referred_share", c.referred_share),
                ("referred_ratio", c.referred_ratio),
                ("direct_ratio", c.direct_ratio),
            ] {
                self.range(
                    &at(&format!("outpatient_second_clinic.{k}")),
                    v,
                    0.0,
                    1.0,
                    "share 0–1",
                )?;
            }
            self.range(
                &at("outpatient_second_clinic.cap"),
                c.cap,
                0.0,
                MAX_MONEY,
                "yuan a year",
            )?;
            if p.outpatient.is_none() {
                return Err(self.err(
                    at("outpatient_second_clinic"),
                    "needs `outpatient`, the primary clinic's scale",
                ));
            }
        }
        if let Some(c) = &p.critical_illness {
            self.benefit(&at("critical_illness"), c)?;
        }
        if let Some(t2) = &p.tier2 {
            self.benefit(&at("tier2"), t2)?;
        }
        if let Some(levels) = &p.hospital_levels {
            if levels.is_empty() {
                return Err(self.err(at("hospital_levels"), "needs at least one level"));
            }
            for (k, l) in levels.iter().enumerate() {
                let f = |x: &str| at(&format!("hospital_levels[{k}].{x}"));
                self.range(&f("share"), l.share, 0.0, 1.0, "share of inpatient cost")?;
                self.range(&f("deductible"), l.deductible, 0.0, 1e8, "yuan a year")?;
                self.range(&f("ratio"), l.ratio, 0.0, 1.0, "ratio paid by the fund")?;
                self.range(
                    &f("tier2_ratio_delta"),
                    l.tier2_ratio_delta,
                    -1.0,
                    1.0,
                    "ratio points",
                )?;
                self.range(
                    &f("critical_illness_ratio_delta"),
                    l.critical_illness_ratio_delta,
                    -1.0,
                    1.0,
                    "ratio points",
                )?;
            }
            let total: f64 = levels.iter().map(|l| l.share).sum();
            if (total - 1.0).abs() > 1e-9 {
                return Err(self.err(
                    at("hospital_levels"),
                    format!("the shares add up to {total}; they must add up to 1"),
                ));
            }
        }
        if let Some(bands) = &p.account_credit_bands {
            let mut prev = 0.0;
            for (k, b) in bands.iter().enumerate() {
                if b[0].is_nan() || b[0] <= prev {
                    return Err(self.err(
                        at(&format!("account_credit_bands[{k}]")),
                        format!(
                            "upper age {} must exceed the previous band's ({prev})",
                            b[0]
                        ),
                    ));
                }
                self.range(
                    &at(&format!("account_credit_bands[{k}]")),
                    b[1],
                    0.0,
                    1e5,
                    "yuan per member per month",
                )?;
                prev = b[0];
            }
        }
        if let Some(w) = &p.new_member_cap_factors {
            let mut prev = 0.0;
            for (k, x) in w.iter().enumerate() {
                let f = at(&format!("new_member_cap_factors[{k}]"));
                if !(x[0] > prev && x[0] <= 24.0 && x[0].fract() == 0.0) {
                    return Err(self.err(
                        f,
                        format!(
                            "months {} must be whole, above the previous window ({prev}) and at most 24",
                            x[0]
                        ),
                    ));
                }
                self.range(&f, x[1], 0.0, 1.0, "factor on the caps")?;
                prev = x[0];
            }
        }
        if p.flexible_waiting_months > 24 {
            return Err(self.err(
                at("flexible_waiting_months"),
                format!(
                    "{} is outside the allowed range [0, 24] months",
                    p.flexible_waiting_months
                ),
            ));
        }
        self.dated_range(
            &at("resident_rate"),
            &p.resident_rate,
            0.0,
            1.0,
            "share of disposable income",
        )?;
        self.dated_range(
            &at("resident_income"),
            &p.resident_income,
            0.0,
            1e7,
            "yuan a year",
        )?;
        self.dated_range(
            &at("resident_subsidy"),
            &p.resident_subsidy,
            0.0,
            1e6,
            "yuan per resident a year",
        )?;
        if p.resident_income_lag > 5 {
            return Err(self.err(
                at("resident_income_lag"),
                format!(
                    "{} is outside the allowed range [0, 5] years",
                    p.resident_income_lag
                ),
            ));
        }
        self.range(
            &at("account_credit_own_rate"),
            p.account_credit_own_rate,
            0.0,
            1.0,
            "share of the base a month",
        )?;
        let c = &p.costs;
        if c.price_year < MIN_YEAR {
            return Err(self.err(
                at("costs.price_year"),
                format!(
                    "{} is outside the allowed range [{MIN_YEAR}, {}] (the year of the cost levels, not after the start)",
                    c.price_year,
                    self.start.year()
                ),
            ));
        }
        if c.price_year > self.start.year() {
            return Err(self.err(
                at("costs.price_year"),
                format!(
                    "{} is after the start year {}",
                    c.price_year,
                    self.start.year()
                ),
            ));
        }
        self.range(
            &at("costs.inpatient_mean"),
            c.inpatient_mean,
            1.0,
            1e8,
            "yuan a year per user",
        )?;
        self.range(
            &at("costs.inpatient_sigma"),
            c.inpatient_sigma,
            0.0,
            4.0,
            "log-scale standard deviation",
        )?;
        self.range(
            &at("costs.outpatient_mean"),
            c.outpatient_mean,
            1.0,
            1e8,
            "yuan a year per user",
        )?;
        self.range(
            &at("costs.outpatient_sigma"),
            c.outpatient_sigma,
            0.0,
            4.0,
            "log-scale standard deviation",
        )?;
        if p.seasonality.len() != 12 {
            return Err(self.err(
                at("seasonality"),
                format!(
                    "has {} factors; it needs 12 (January–December)",
                    p.seasonality.len()
                ),
            ));
        }
        for (k, &s) in p.seasonality.iter().enumerate() {
            self.range(
                &at(&format!("seasonality[{k}]")),
                s,
                0.0,
                12.0,
                "month-of-year factor",
            )?;
        }
        let mean = p.seasonality.iter().sum::<f64>() / 12.0;
        if (mean - 1.0).abs() > 1e-9 {
            return Err(self.err(
                at("seasonality"),
                format!("the 12 factors average {mean:.12}; they must average exactly 1"),
            ));
        }
        if let Some(m) = &p.maternity {
            if let Some(mm) = m.merger
                && (mm <= self.start || mm > self.end)
            {
                return Err(self.err(at("maternity.merger"), format!("{mm} is outside the horizon ({} – {}); omit it if the funds merged before the start", self.start.plus(1), self.end)));
            }
            share("maternity.employer_rate", &m.employer_rate)?;
            self.dated_range(
                &at("maternity.leave_days"),
                &m.leave_days,
                0.0,
                1000.0,
                "days",
            )?;
            for (k, v) in [
                ("difficult_share", m.difficult_share),
                ("multiple_share", m.multiple_share),
                ("spouse_cost_share", m.spouse_cost_share),
                ("spouse_uninsured_share", m.spouse_uninsured_share),
            ] {
                self.range(&at(&format!("maternity.{k}")), v, 0.0, 1.0, "share 0–1")?;
            }
            for (k, v) in [
                ("difficult_extra_days", m.difficult_extra_days),
                ("multiple_extra_days", m.multiple_extra_days),
            ] {
                self.range(&at(&format!("maternity.{k}")), v, 0.0, 365.0, "days")?;
            }
            self.range(
                &at("maternity.medical_cost_per_birth"),
                m.medical_cost_per_birth,
                0.0,
                1e7,
                "yuan per birth",
            )?;
            self.range(
                &at("maternity.insured_fertility_relative"),
                m.insured_fertility_relative,
                0.0,
                10.0,
                "multiplier",
            )?;
            self.range(
                &at("maternity.employer_wage_relative"),
                m.employer_wage_relative,
                0.0,
                10.0,
                "multiplier",
            )?;
        }
        Ok(())
    }
}

/// A plain-text description of a validated scenario, for `fundrisk check`.
pub fn describe(s: &Scenario) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let sp = &s.spec;
    let _ = writeln!(o, "{}: OK", s.file);
    let _ = writeln!(o, "scenario  {} — {}", sp.name, sp.title);
    let _ = writeln!(
        o,
        "horizon   {} to {} ({} months)",
        sp.start,
        s.end(),
        sp.horizon_months
    );
    let _ = writeln!(
        o,
        "pooling   {:?}, {} unit(s)",
        sp.pooling.kind,
        s.units.len()
    );
    let _ = writeln!(
        o,
        "runs      {} paths by default, seed {}",
        sp.run.paths, sp.run.seed
    );
    let e = &sp.economy;
    let _ = writeln!(
        o,
        "economy   (mean in the first year, volatility, persistence)"
    );
    for (n, d) in [
        ("wage growth", &e.wage_growth),
        ("medical price growth", &e.medical_price_growth),
        ("utilisation growth", &e.utilisation_growth),
        ("employment growth", &e.employment_growth),
        ("collection rate", &e.collection_rate),
        ("interest rate", &e.interest_rate),
        ("retirement take-up", &e.retirement_take_up),
    ] {
        let _ = write!(
            o,
            "  {n:<22} {:>7.2} %  {:>5.2} %  {:.2}",
            100.0 * d.mean.at(sp.start),
            100.0 * d.volatility,
            d.persistence
        );
        if d.mean_uncertainty > 0.0 {
            let _ = write!(o, "  mean ± {:.2} %", 100.0 * d.mean_uncertainty);
        }
        if d.mean_drift > 0.0 {
            let _ = write!(o, "  mean moves ± {:.2} % a year", 100.0 * d.mean_drift);
        }
        let _ = writeln!(o);
    }
    for u in &s.units {
        let m = &u.spec.membership;
        let p = &u.policy;
        let _ = writeln!(o, "unit {}", u.spec.name);
        let _ = writeln!(
            o,
            "  members        {:.0} enterprise, {:.0} government, {:.0} flexible, {:.0} retirees, {:.0} residents",
            m.enterprise, m.government, m.flexible, m.retirees, m.residents
        );
        let _ = writeln!(
            o,
            "  pooled balance {:.2} 亿元 at the start; spending {:.2} 亿元 the year before",
            u.spec.initial_pooled_balance / 1e8,
            u.spec.pooled_spending_prev_year / 1e8
        );
        let source = u.spec.source.as_deref().unwrap_or("none given");
        let _ = match u.spec.opening_position() {
            OpeningPosition::BaseYear(y) => writeln!(
                o,
                "  position       published: the base year {y}, its levels solved (below)"
            ),
            OpeningPosition::Sourced => writeln!(o, "  position       as its source: {source}"),
            OpeningPosition::Assumed => writeln!(
                o,
                "  position       ASSUMED, not a published position (source: {}); the report marks its funds",
                u.spec
                    .base_year
                    .as_ref()
                    .and_then(|b| b.source.as_deref())
                    .unwrap_or(source)
            ),
        };
        let _ = writeln!(
            o,
            "  employer rate  {:.2} % at the start; employee {:.2} %",
            100.0 * p.employer_rate.at(sp.start),
            100.0 * p.employee_rate.at(sp.start)
        );
        if let Some(mat) = &p.maternity {
            let _ = writeln!(
                o,
                "  maternity      rate {:.2} %, leave {} days, {}",
                100.0 * mat.employer_rate.at(sp.start),
                mat.leave_days.at(sp.start),
                match mat.merger {
                    Some(m) => format!("merged into the pooled fund in {m}"),
                    None => "merged before the start".into(),
                }
            );
        }
    }
    o
}

/// Validates a correlation matrix: 7×7, symmetric, unit diagonal, entries in [−1, 1], positive
/// semi-definite. The message names the offending entry.
pub(crate) fn check_correlation(c: &[Vec<f64>]) -> std::result::Result<(), String> {
    let order = DRIVER_NAMES.join(", ");
    if c.len() != N_DRIVERS || c.iter().any(|r| r.len() != N_DRIVERS) {
        return Err(format!(
            "must be a {N_DRIVERS}×{N_DRIVERS} matrix in the order {order}"
        ));
    }
    for i in 0..N_DRIVERS {
        if (c[i][i] - 1.0).abs() > 1e-12 {
            return Err(format!(
                "diagonal entry [{i}][{i}] ({}) is {}; it must be 1",
                DRIVER_NAMES[i], c[i][i]
            ));
        }
        for j in 0..N_DRIVERS {
            if !(-1.0..=1.0).contains(&c[i][j]) {
                return Err(format!(
                    "entry [{i}][{j}] is {}; correlations lie in [-1, 1]",
                    c[i][j]
                ));
            }
            if (c[i][j] - c[j][i]).abs() > 1e-12 {
                return Err(format!(
                    "not symmetric: [{i}][{j}] = {} but [{j}][{i}] = {}",
                    c[i][j], c[j][i]
                ));
            }
        }
    }
    crate::numeric::cholesky(c, &DRIVER_NAMES).map(|_| ())
}

#[cfg(test)]
mod override_tests {
    use super::*;

    #[test]
    fn overrides_parse_and_land_where_their_paths_say() {
        let o = Override::parse("policy.maternity.leave_days = 188").unwrap();
        assert_eq!(o.path, "policy.maternity.leave_days");
        assert_eq!(o.value, toml::Value::Integer(188));
        assert_eq!(
            Override::parse("start=2025-01").unwrap().value,
            toml::Value::String("2025-01".into())
        );
        let text = "name = \"x\"\n[[units]]\nname = \"a\"\nb = 1\n[[units]]\nname = \"c\"\nb = 2\n";
        let sets = [
            Override::parse("units.c.b=5").unwrap(),
            Override::parse("units[0].b=7").unwrap(),
            Override::parse("policy.employer_rate=0.08").unwrap(),
        ];
        let out: toml::Table = toml::from_str(&apply_overrides(text, "t", &sets).unwrap()).unwrap();
        let units = out["units"].as_array().unwrap();
        assert_eq!(units[0]["b"].as_integer(), Some(7));
        assert_eq!(units[1]["b"].as_integer(), Some(5));
        assert_eq!(out["policy"]["employer_rate"].as_float(), Some(0.08));
        let bad = apply_overrides(text, "t", &[Override::parse("units[5].b=1").unwrap()]);
        assert!(
            bad.unwrap_err()
                .to_string()
                .contains("has 2 entries, no [5]")
        );
    }
}
