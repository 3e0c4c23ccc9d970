//! Calibration tables (CSV): life table, fertility, cost curve, wage profile, worker flows and
//! membership structure. Each file starts with `#` comment lines naming its source.
//!
//! A table is named in a scenario either as `builtin:NAME.csv` (the copy of `data/NAME.csv`
//! embedded in the binary) or as a path relative to the scenario file.

use crate::error::{Error, Result};
use std::collections::HashMap;
use std::path::PathBuf;

/// Lowest and highest single-year age of the membership cells (100 is open-ended).
pub const MIN_AGE: usize = 16;
pub const MAX_AGE: usize = 100;
pub const N_AGES: usize = MAX_AGE - MIN_AGE + 1;

const BUILTIN: &[(&str, &str)] = &[
    (
        "life_table.csv",
        include_str!("../../../data/life_table.csv"),
    ),
    ("asfr.csv", include_str!("../../../data/asfr.csv")),
    (
        "cost_curve.csv",
        include_str!("../../../data/cost_curve.csv"),
    ),
    (
        "wage_profile.csv",
        include_str!("../../../data/wage_profile.csv"),
    ),
    (
        "worker_flows.csv",
        include_str!("../../../data/worker_flows.csv"),
    ),
    (
        "worker_flows_national.csv",
        include_str!("../../../data/worker_flows_national.csv"),
    ),
    (
        "membership_structure.csv",
        include_str!("../../../data/membership_structure.csv"),
    ),
    (
        "membership_structure_national_2013.csv",
        include_str!("../../../data/membership_structure_national_2013.csv"),
    ),
    (
        "membership_structure_national_2016.csv",
        include_str!("../../../data/membership_structure_national_2016.csv"),
    ),
    (
        "membership_structure_national_2020.csv",
        include_str!("../../../data/membership_structure_national_2020.csv"),
    ),
    (
        "membership_structure_national_2019.csv",
        include_str!("../../../data/membership_structure_national_2019.csv"),
    ),
    (
        "membership_structure_national_2023.csv",
        include_str!("../../../data/membership_structure_national_2023.csv"),
    ),
    (
        "membership_structure_national_2025.csv",
        include_str!("../../../data/membership_structure_national_2025.csv"),
    ),
    (
        "membership_structure_guangdong_2018.csv",
        include_str!("../../../data/membership_structure_guangdong_2018.csv"),
    ),
    (
        "membership_structure_guangdong_2019.csv",
        include_str!("../../../data/membership_structure_guangdong_2019.csv"),
    ),
    (
        "membership_structure_anhui_2019.csv",
        include_str!("../../../data/membership_structure_anhui_2019.csv"),
    ),
    (
        "membership_structure_jiangxi_2021.csv",
        include_str!("../../../data/membership_structure_jiangxi_2021.csv"),
    ),
    (
        "membership_structure_shandong_2024.csv",
        include_str!("../../../data/membership_structure_shandong_2024.csv"),
    ),
];

/// Calibration fragments embedded in the program (`builtin:calibration/NAME.toml`), written by
/// `fundrisk calibrate` into `data/calibration/`.
const BUILTIN_FRAGMENTS: [(&str, &str); 2] = [
    (
        "calibration/national-2013-2019.toml",
        include_str!("../../../data/calibration/national-2013-2019.toml"),
    ),
    (
        "calibration/national-2013-2018.toml",
        include_str!("../../../data/calibration/national-2013-2018.toml"),
    ),
];

/// A built-in text by name: (`builtin:NAME`, its text), or an error listing what there is.
fn builtin(
    list: &[(&str, &str)],
    name: &str,
    what: &str,
    scenario_file: &str,
    field: &str,
) -> Result<(String, String)> {
    list.iter()
        .find(|(n, _)| *n == name)
        .map(|(n, text)| (format!("builtin:{n}"), text.to_string()))
        .ok_or_else(|| {
            let names: Vec<&str> = list.iter().map(|(n, _)| *n).collect();
            Error::field(
                scenario_file,
                field,
                format!(
                    "no built-in {what} `{name}`; built-in {what}s are {}",
                    names.join(", ")
                ),
            )
        })
}

/// Where a scenario's relative table paths are resolved.
#[derive(Clone, Debug, Default)]
pub struct DataSource {
    /// The folder of the scenario file; None for the embedded default scenario.
    pub base_dir: Option<PathBuf>,
}

/// Reads a regular file (following links); a FIFO, device or folder is refused before it is
/// opened, so that reading cannot block.
pub(crate) fn read_regular_file(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a folder, pipe or device cannot be an input)",
        ));
    }
    std::fs::read(path)
}

impl DataSource {
    /// The file a reference names (relative to the scenario's folder); None for a built-in.
    pub(crate) fn file_of(&self, reference: &str) -> Option<PathBuf> {
        (!reference.starts_with("builtin:")).then(|| self.path_of(reference))
    }

    fn path_of(&self, reference: &str) -> PathBuf {
        match &self.base_dir {
            Some(dir) => dir.join(reference),
            None => PathBuf::from(reference),
        }
    }

    /// The bytes a reference names, built-in or on disk, for the scenario's fingerprint.
    pub(crate) fn bytes_of(&self, reference: &str) -> Option<Vec<u8>> {
        match reference.strip_prefix("builtin:") {
            Some(name) => BUILTIN
                .iter()
                .chain(BUILTIN_FRAGMENTS.iter())
                .find(|(n, _)| *n == name)
                .map(|(_, text)| text.as_bytes().to_vec()),
            None => read_regular_file(&self.path_of(reference)).ok(),
        }
    }

    /// Reads an included TOML fragment: (its name for messages, its text).
    pub(crate) fn read_fragment(
        &self,
        reference: &str,
        scenario_file: &str,
        field: &str,
    ) -> Result<(String, String)> {
        match reference.strip_prefix("builtin:") {
            Some(name) => builtin(&BUILTIN_FRAGMENTS, name, "fragment", scenario_file, field),
            None => self.read(reference, scenario_file, field),
        }
    }

    /// Reads a table's text. `field` names the scenario field that refers to it, for errors.
    pub fn read(
        &self,
        reference: &str,
        scenario_file: &str,
        field: &str,
    ) -> Result<(String, String)> {
        if let Some(name) = reference.strip_prefix("builtin:") {
            return builtin(BUILTIN, name, "table", scenario_file, field);
        }
        let path = self.path_of(reference);
        let bytes = read_regular_file(&path).map_err(|e| {
            Error::field(
                scenario_file,
                field,
                format!("cannot read data file {}: {e}", path.display()),
            )
        })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            Error::table(
                &path.display().to_string(),
                0,
                "-",
                format!(
                    "not UTF-8 text (byte {}): save the table as UTF-8 CSV",
                    e.utf8_error().valid_up_to()
                ),
            )
        })?;
        Ok((path.display().to_string(), text))
    }
}

/// A parsed CSV table: named columns of raw cells, with their line numbers for errors.
pub struct Table {
    pub(crate) file: String,
    headers: Vec<String>,
    rows: Vec<(u64, Vec<String>)>,
}

impl Table {
    pub fn parse(file: &str, text: &str) -> Result<Table> {
        let mut rdr = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = rdr
            .headers()
            .map_err(|e| Error::table(file, 1, "-", format!("bad header: {e}")))?
            .iter()
            .map(str::to_string)
            .collect();
        if headers.is_empty() || headers.iter().all(String::is_empty) {
            return Err(Error::table(
                file,
                1,
                "-",
                "the table is empty (no header row)",
            ));
        }
        let mut rows = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                let msg = match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => format!("ragged row: {len} cells where the header has {expected_len}"),
                    _ => e.to_string(),
                };
                Error::table(file, line, "-", msg)
            })?;
            let line = rec.position().map(|p| p.line()).unwrap_or(0);
            rows.push((line, rec.iter().map(str::to_string).collect()));
        }
        if rows.is_empty() {
            return Err(Error::table(
                file,
                1,
                "-",
                "the table has a header but no rows",
            ));
        }
        Ok(Table {
            file: file.to_string(),
            headers,
            rows,
        })
    }

    fn col(&self, name: &str) -> Result<usize> {
        self.headers.iter().position(|h| h == name).ok_or_else(|| {
            Error::table(
                &self.file,
                1,
                name,
                format!(
                    "missing column; the header has: {}",
                    self.headers.join(", ")
                ),
            )
        })
    }

    /// Number of data rows.
    pub fn n_rows(&self) -> usize {
        self.rows.len()
    }

    /// Whether the header has column `name`.
    pub(crate) fn has_column(&self, name: &str) -> bool {
        self.headers.iter().any(|h| h == name)
    }

    /// A numeric column whose every cell must be a finite number in [lo, hi].
    pub fn f64s(&self, name: &str, lo: f64, hi: f64) -> Result<Vec<f64>> {
        let c = self.col(name)?;
        self.rows
            .iter()
            .map(|(line, cells)| {
                let s = cells[c].as_str();
                if s.is_empty() {
                    return Err(Error::table(
                        &self.file,
                        *line,
                        name,
                        format!("empty cell; expected a number in [{lo}, {hi}]"),
                    ));
                }
                self.number(*line, name, s, lo, hi)
            })
            .collect()
    }

    /// A numeric column whose cells are empty (not published) or finite numbers in [lo, hi].
    pub fn optional_f64s(&self, name: &str, lo: f64, hi: f64) -> Result<Vec<Option<f64>>> {
        let c = self.col(name)?;
        self.rows
            .iter()
            .map(|(line, cells)| {
                let s = cells[c].as_str();
                if s.is_empty() {
                    return Ok(None);
                }
                self.number(*line, name, s, lo, hi).map(Some)
            })
            .collect()
    }

    fn number(&self, line: u64, name: &str, s: &str, lo: f64, hi: f64) -> Result<f64> {
        let v: f64 = s.parse().map_err(|_| {
            Error::table(
                &self.file,
                line,
                name,
                format!("`{s}` is not a number; expected a number in [{lo}, {hi}]"),
            )
        })?;
        if !v.is_finite() || v < lo || v > hi {
            return Err(Error::table(
                &self.file,
                line,
                name,
                format!("{s} is outside the allowed range [{lo}, {hi}]"),
            ));
        }
        Ok(v)
    }

    /// A text column, any value.
    pub(crate) fn strings_any(&self, name: &str) -> Result<Vec<String>> {
        let c = self.col(name)?;
        Ok(self
            .rows
            .iter()
            .map(|(_, cells)| cells[c].clone())
            .collect())
    }

    pub fn strings(&self, name: &str, allowed: &[&str]) -> Result<Vec<String>> {
        let c = self.col(name)?;
        self.rows
            .iter()
            .map(|(line, cells)| {
                let s = &cells[c];
                if allowed.contains(&s.as_str()) {
                    Ok(s.clone())
                } else {
                    Err(Error::table(
                        &self.file,
                        *line,
                        name,
                        format!("`{s}` is not one of {}", allowed.join(", ")),
                    ))
                }
            })
            .collect()
    }

    /// An integer age column, each in [lo, hi].
    pub fn ages(&self, name: &str, lo: usize, hi: usize) -> Result<Vec<usize>> {
        let c = self.col(name)?;
        self.rows
            .iter()
            .map(|(line, cells)| {
                let s = cells[c].as_str();
                s.parse::<usize>()
                    .ok()
                    .filter(|a| (lo..=hi).contains(a))
                    .ok_or_else(|| {
                        Error::table(
                            &self.file,
                            *line,
                            name,
                            format!("`{s}` is not a whole age in [{lo}, {hi}]"),
                        )
                    })
            })
            .collect()
    }

    pub fn line(&self, row: usize) -> u64 {
        self.rows[row].0
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Checks that `ages` (one per row, possibly repeated per `key`) covers lo..=hi exactly once
    /// per key: no gaps, no overlaps.
    pub(crate) fn check_age_coverage(
        &self,
        ages: &[usize],
        keys: &[String],
        lo: usize,
        hi: usize,
    ) -> Result<()> {
        let mut seen: HashMap<&str, Vec<bool>> = HashMap::new();
        for (i, (&a, k)) in ages.iter().zip(keys).enumerate() {
            let v = seen
                .entry(k.as_str())
                .or_insert_with(|| vec![false; hi - lo + 1]);
            if v[a - lo] {
                return Err(Error::table(
                    &self.file,
                    self.line(i),
                    "age",
                    format!("age {a} appears twice{}", key_note(k)),
                ));
            }
            v[a - lo] = true;
        }
        for (k, v) in &seen {
            if let Some(gap) = v.iter().position(|x| !x) {
                return Err(Error::table(
                    &self.file,
                    0,
                    "age",
                    format!(
                        "age {} is missing{}: ages must run {lo}-{hi} without gaps",
                        gap + lo,
                        key_note(k)
                    ),
                ));
            }
        }
        Ok(())
    }
}

fn key_note(k: &str) -> String {
    if k.is_empty() {
        String::new()
    } else {
        format!(" for {k}")
    }
}

/// Index 0 = male, 1 = female.
pub type BySex<T> = [T; 2];

/// Annual probability of death by sex and age 16–100 in the table's year, and the annual rate
/// of mortality improvement r: q(age, t) = q(age) × (1 − r(age))^(t − year).
#[derive(Clone, Debug)]
pub struct LifeTable {
    pub q: BySex<Vec<f64>>,
    /// Annual rate of improvement by sex and age 16–100 (0 where the table has no
    /// `improvement_male`/`improvement_female` columns).
    pub improvement: BySex<Vec<f64>>,
    /// Annual probability of death of the table at every age it gives, from its lowest age
    /// (0 or 16) to 100: for life expectancies.
    pub(crate) q_all_ages: BySex<Vec<f64>>,
    /// The table's lowest age: 0 for a complete table, 16 for one of the members' ages only.
    pub first_age: usize,
}

impl LifeTable {
    /// Highest annual rate of improvement a table may give.
    pub(crate) const MAX_IMPROVEMENT: f64 = 0.1;

    /// Complete expectation of life at `age` (years) with a constant force of mortality within
    /// each year of age; 100 is the open age group (person-years l/m). None below the table's
    /// lowest age.
    pub fn life_expectancy(&self, sex: usize, age: usize) -> Option<f64> {
        if age < self.first_age || age > MAX_AGE {
            return None;
        }
        let q = &self.q_all_ages[sex];
        let force = |q: f64| -(1.0 - q).ln();
        let (mut survivors, mut years) = (1.0, 0.0);
        for &qa in &q[age - self.first_age..MAX_AGE - self.first_age] {
            let m = force(qa);
            years += if m > 0.0 {
                survivors * qa / m
            } else {
                survivors
            };
            survivors *= 1.0 - qa;
        }
        let m_open = force(q[MAX_AGE - self.first_age]);
        Some(
            years
                + if m_open > 0.0 {
                    survivors / m_open
                } else {
                    f64::INFINITY
                },
        )
    }
}

/// Years by which a man's partner is younger: a man of age a is a partner of the women of
/// a − 2, whose fertility he is counted at (ASSUMPTION: the mean spousal age gap).
pub const PARTNER_AGE_GAP: usize = 2;

/// Age-specific fertility by age of mother 15–49 (births per woman per year).
#[derive(Clone, Debug)]
pub struct Asfr {
    pub(crate) by_age: Vec<f64>,
}

impl Asfr {
    pub const MIN: usize = 15;
    pub const MAX: usize = 49;
    pub fn at(&self, age: usize) -> f64 {
        if (Self::MIN..=Self::MAX).contains(&age) {
            self.by_age[age - Self::MIN]
        } else {
            0.0
        }
    }
    pub fn total_fertility(&self) -> f64 {
        self.by_age.iter().sum()
    }
}

#[derive(Clone, Debug)]
pub struct CostCurve {
    pub(crate) inpatient_use: BySex<Vec<f64>>,
    pub(crate) inpatient_cost_rel: BySex<Vec<f64>>,
    pub(crate) outpatient_use: BySex<Vec<f64>>,
    pub(crate) outpatient_cost_rel: BySex<Vec<f64>>,
}

#[derive(Clone, Debug)]
pub struct WageProfile {
    pub(crate) rel: BySex<Vec<f64>>,
}

#[derive(Clone, Debug)]
pub struct WorkerFlows {
    /// Annual exit rate by sex and age.
    pub(crate) exit_rate: BySex<Vec<f64>>,
    /// Share of new entrants at each age, per sex (sums to 1).
    pub(crate) entry_share: BySex<Vec<f64>>,
}

/// Member status in the membership cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// Employee of an enterprise (企业职工).
    Enterprise = 0,
    /// Employee of a government or public institution (机关事业单位).
    Government = 1,
    /// Flexible worker (灵活就业人员), paying both shares on their own base.
    Flexible = 2,
    /// Past statutory retirement age and short of the minimum contribution years, still
    /// paying monthly (Shandong 003 (二) 统一筹资标准: "也可继续按月缴费至最低缴费年限").
    ContinuingContributor = 3,
    /// Retiree (退休人员): pays nothing.
    Retiree = 4,
    /// Adult urban-rural resident (城乡居民, Jiangmen 一档 only): pays a flat contribution a year,
    /// with a fiscal subsidy; never retires.
    Resident = 5,
}

pub const N_STATUS: usize = 6;
pub(crate) const WORKER_STATUSES: [Status; 3] =
    [Status::Enterprise, Status::Government, Status::Flexible];

/// Members in service (在职职工 as the bulletins count them): employees, flexible workers and
/// continuing contributors; `members` is indexed by [`Status`] (persons).
pub fn members_in_service(members: &[f64; N_STATUS]) -> f64 {
    members[Status::Enterprise as usize]
        + members[Status::Government as usize]
        + members[Status::Flexible as usize]
        + members[Status::ContinuingContributor as usize]
}

impl Status {
    pub const ALL: [Status; N_STATUS] = [
        Status::Enterprise,
        Status::Government,
        Status::Flexible,
        Status::ContinuingContributor,
        Status::Retiree,
        Status::Resident,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Status::Enterprise => "enterprise",
            Status::Government => "government",
            Status::Flexible => "flexible",
            Status::ContinuingContributor => "continuing",
            Status::Retiree => "retiree",
            Status::Resident => "resident",
        }
    }
}

/// Share of each status's members at each sex and age (each status sums to 1).
#[derive(Clone, Debug)]
pub struct MembershipStructure {
    /// [status][sex][age - 16]
    pub share: Vec<BySex<Vec<f64>>>,
}

fn by_sex_columns(
    t: &Table,
    male: &str,
    female: &str,
    lo: f64,
    hi: f64,
) -> Result<BySex<Vec<f64>>> {
    let ages = t.ages("age", MIN_AGE, MAX_AGE)?;
    t.check_age_coverage(&ages, &vec![String::new(); ages.len()], MIN_AGE, MAX_AGE)?;
    let m = t.f64s(male, lo, hi)?;
    let f = t.f64s(female, lo, hi)?;
    let mut out = [vec![0.0; N_AGES], vec![0.0; N_AGES]];
    for (i, &a) in ages.iter().enumerate() {
        out[0][a - MIN_AGE] = m[i];
        out[1][a - MIN_AGE] = f[i];
    }
    Ok(out)
}

/// Columns keyed by `sex` (M/F) and `age`, covering 16–100 for both sexes.
fn sex_age_rows(t: &Table) -> Result<(Vec<usize>, Vec<usize>)> {
    let ages = t.ages("age", MIN_AGE, MAX_AGE)?;
    let sexes = t.strings("sex", &["M", "F"])?;
    t.check_age_coverage(&ages, &sexes, MIN_AGE, MAX_AGE)?;
    let sex_idx = sexes.iter().map(|s| usize::from(s == "F")).collect();
    Ok((ages, sex_idx))
}

impl LifeTable {
    /// A table of ages 16–100, or a complete one of ages 0–100 (the engine uses 16–100).
    pub fn parse(file: &str, text: &str) -> Result<LifeTable> {
        let t = Table::parse(file, text)?;
        let ages = t.ages("age", 0, MAX_AGE)?;
        let lowest = ages.iter().copied().min().unwrap_or(MIN_AGE);
        let first_age = if lowest < MIN_AGE { 0 } else { MIN_AGE };
        if lowest != first_age {
            return Err(Error::table(
                file,
                t.line(ages.iter().position(|&a| a == lowest).unwrap_or(0)),
                "age",
                format!(
                    "the ages start at {lowest}: a life table runs 16–100, or 0–100 for a complete one"
                ),
            ));
        }
        t.check_age_coverage(&ages, &vec![String::new(); ages.len()], first_age, MAX_AGE)?;
        let column = |name: &str, hi: f64, optional: bool| -> Result<Vec<f64>> {
            let mut out = vec![0.0; MAX_AGE - first_age + 1];
            if optional && !t.has_column(name) {
                return Ok(out);
            }
            for (i, v) in t.f64s(name, 0.0, hi)?.into_iter().enumerate() {
                out[ages[i] - first_age] = v;
            }
            Ok(out)
        };
        let members = |v: &Vec<f64>| v[MIN_AGE - first_age..].to_vec();
        let q_all_ages = [
            column("q_male", 1.0, false)?,
            column("q_female", 1.0, false)?,
        ];
        let improvement = [
            column("improvement_male", Self::MAX_IMPROVEMENT, true)?,
            column("improvement_female", Self::MAX_IMPROVEMENT, true)?,
        ];
        Ok(LifeTable {
            q: [members(&q_all_ages[0]), members(&q_all_ages[1])],
            improvement: [members(&improvement[0]), members(&improvement[1])],
            q_all_ages,
            first_age,
        })
    }
}

impl Asfr {
    pub fn parse(file: &str, text: &str) -> Result<Asfr> {
        let t = Table::parse(file, text)?;
        let ages = t.ages("age", Self::MIN, Self::MAX)?;
        t.check_age_coverage(
            &ages,
            &vec![String::new(); ages.len()],
            Self::MIN,
            Self::MAX,
        )?;
        let v = t.f64s("asfr", 0.0, 1.0)?;
        let mut by_age = vec![0.0; Self::MAX - Self::MIN + 1];
        for (i, &a) in ages.iter().enumerate() {
            by_age[a - Self::MIN] = v[i];
        }
        Ok(Asfr { by_age })
    }
}

impl CostCurve {
    pub fn parse(file: &str, text: &str) -> Result<CostCurve> {
        let t = Table::parse(file, text)?;
        let (ages, sex) = sex_age_rows(&t)?;
        let cols = [
            t.f64s("inpatient_use", 0.0, 1.0)?,
            t.f64s("inpatient_cost_rel", 0.0, 1e3)?,
            t.f64s("outpatient_use", 0.0, 1.0)?,
            t.f64s("outpatient_cost_rel", 0.0, 1e3)?,
        ];
        let mut out: Vec<BySex<Vec<f64>>> = (0..4)
            .map(|_| [vec![0.0; N_AGES], vec![0.0; N_AGES]])
            .collect();
        for i in 0..ages.len() {
            for (c, col) in cols.iter().enumerate() {
                out[c][sex[i]][ages[i] - MIN_AGE] = col[i];
            }
        }
        let mut it = out.into_iter();
        let mut next = || it.next().unwrap_or_else(|| [vec![], vec![]]);
        Ok(CostCurve {
            inpatient_use: next(),
            inpatient_cost_rel: next(),
            outpatient_use: next(),
            outpatient_cost_rel: next(),
        })
    }
}

impl WageProfile {
    pub fn parse(file: &str, text: &str) -> Result<WageProfile> {
        let t = Table::parse(file, text)?;
        Ok(WageProfile {
            rel: by_sex_columns(&t, "rel_male", "rel_female", 0.0, 100.0)?,
        })
    }
}

impl WorkerFlows {
    pub fn parse(file: &str, text: &str) -> Result<WorkerFlows> {
        let t = Table::parse(file, text)?;
        let exit_rate = by_sex_columns(&t, "exit_rate_male", "exit_rate_female", 0.0, 1.0)?;
        let entry_share = by_sex_columns(&t, "entry_share_male", "entry_share_female", 0.0, 1.0)?;
        for (s, col) in entry_share.iter().enumerate() {
            let sum: f64 = col.iter().sum();
            if (sum - 1.0).abs() > 1e-4 {
                let name = if s == 0 {
                    "entry_share_male"
                } else {
                    "entry_share_female"
                };
                return Err(Error::table(
                    file,
                    0,
                    name,
                    format!("shares sum to {sum:.6}; they must sum to 1"),
                ));
            }
        }
        Ok(WorkerFlows {
            exit_rate,
            entry_share,
        })
    }
}

impl MembershipStructure {
    /// `resident` rows are optional (a table for employee schemes may leave them out).
    pub(crate) const STATUSES: [&'static str; 5] = [
        "enterprise",
        "government",
        "flexible",
        "retiree",
        "resident",
    ];

    pub fn parse(file: &str, text: &str) -> Result<MembershipStructure> {
        let t = Table::parse(file, text)?;
        let ages = t.ages("age", MIN_AGE, MAX_AGE)?;
        let sexes = t.strings("sex", &["M", "F"])?;
        let statuses = t.strings("status", &Self::STATUSES)?;
        let shares = t.f64s("share", 0.0, 1.0)?;
        let keys: Vec<String> = sexes
            .iter()
            .zip(&statuses)
            .map(|(s, st)| format!("{st} {s}"))
            .collect();
        t.check_age_coverage(&ages, &keys, MIN_AGE, MAX_AGE)?;
        let mut share: Vec<BySex<Vec<f64>>> = (0..Self::STATUSES.len())
            .map(|_| [vec![0.0; N_AGES], vec![0.0; N_AGES]])
            .collect();
        for i in 0..ages.len() {
            let st = Self::STATUSES
                .iter()
                .position(|s| *s == statuses[i])
                .unwrap_or(0);
            share[st][usize::from(sexes[i] == "F")][ages[i] - MIN_AGE] = shares[i];
        }
        for (st, by_sex) in share.iter().enumerate() {
            let sum: f64 = by_sex.iter().flatten().sum();
            let optional_and_absent = Self::STATUSES[st] == "resident" && sum == 0.0;
            if (sum - 1.0).abs() > 1e-4 && !optional_and_absent {
                return Err(Error::table(
                    file,
                    0,
                    "share",
                    format!(
                        "shares of status `{}` sum to {sum:.6}; each status must sum to 1",
                        Self::STATUSES[st]
                    ),
                ));
            }
        }
        Ok(MembershipStructure { share })
    }
}

/// Reads the text of a data table for a scenario field.
pub fn load<T>(
    src: &DataSource,
    reference: &str,
    scenario_file: &str,
    field: &str,
    parse: impl Fn(&str, &str) -> Result<T>,
) -> Result<T> {
    let (name, text) = src.read(reference, scenario_file, field)?;
    parse(&name, &text)
}

pub fn builtin_names() -> impl Iterator<Item = &'static str> {
    BUILTIN.iter().map(|(n, _)| *n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_tables_parse() {
        let src = DataSource { base_dir: None };
        let lt = load(
            &src,
            "builtin:life_table.csv",
            "s.toml",
            "data.life_table",
            LifeTable::parse,
        )
        .unwrap();
        assert_eq!(lt.q[0].len(), N_AGES);
        let asfr = load(&src, "builtin:asfr.csv", "s.toml", "data.asfr", Asfr::parse).unwrap();
        assert!((asfr.total_fertility() - 1.30).abs() < 1e-3);
        load(
            &src,
            "builtin:cost_curve.csv",
            "s.toml",
            "data.cost_curve",
            CostCurve::parse,
        )
        .unwrap();
        load(
            &src,
            "builtin:wage_profile.csv",
            "s.toml",
            "data.wage_profile",
            WageProfile::parse,
        )
        .unwrap();
        load(
            &src,
            "builtin:worker_flows.csv",
            "s.toml",
            "data.worker_flows",
            WorkerFlows::parse,
        )
        .unwrap();
        load(
            &src,
            "builtin:membership_structure.csv",
            "s.toml",
            "x",
            MembershipStructure::parse,
        )
        .unwrap();
    }

    #[test]
    fn nan_cell_is_refused_with_line_and_column() {
        let mut text = String::from("# test\nage,asfr\n15,0.01\n16,NaN\n");
        for a in 17..=49 {
            text.push_str(&format!("{a},0.01\n"));
        }
        let e = Asfr::parse("asfr_bad.csv", &text)
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("asfr_bad.csv")
                && e.contains("line 4")
                && e.contains("`asfr`")
                && e.contains("[0, 1]"),
            "{e}"
        );
    }

    #[test]
    fn gaps_and_ragged_rows_are_refused() {
        let gap = "age,asfr\n15,0.01\n17,0.02\n";
        let e = Asfr::parse("g.csv", gap).err().unwrap().to_string();
        assert!(e.contains("missing"), "{e}");
        let ragged = "age,asfr\n15,0.01\n16,0.02,9\n";
        let e = Asfr::parse("r.csv", ragged).err().unwrap().to_string();
        assert!(e.contains("ragged"), "{e}");
        let empty = "# only a comment\n";
        assert!(Asfr::parse("e.csv", empty).is_err());
    }

    #[test]
    fn missing_file_names_the_field() {
        let src = DataSource {
            base_dir: Some(PathBuf::from("/nonexistent")),
        };
        let e = load(
            &src,
            "life.csv",
            "scen.toml",
            "data.life_table",
            LifeTable::parse,
        )
        .err()
        .unwrap()
        .to_string();
        assert!(
            e.starts_with(
                "scen.toml: data.life_table: cannot read data file /nonexistent/life.csv"
            ),
            "{e}"
        );
    }
}
