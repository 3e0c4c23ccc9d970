//! The `fundrisk` binary end to end: the ledger's identities, read back from its CSV, and bad
//! input refused with one line naming the file, the field and what is allowed, with nothing
//! written.

use rust_decimal::Decimal;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::str::FromStr;

mod common;

use common::edit;

fn fundrisk(args: &[&str]) -> Output {
    common::fundrisk(args)
}

/// The Guangdong merger scenario (three funds, a merger, a policy to check by hand).
fn guangdong_path() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/guangdong-merger.toml")
        .to_str()
        .unwrap()
        .to_string()
}

fn guangdong_text() -> String {
    std::fs::read_to_string(guangdong_path()).expect("Guangdong scenario")
}

struct Ledger {
    columns: HashMap<String, usize>,
    rows: Vec<Vec<String>>,
}

impl Ledger {
    fn read(path: &Path) -> Ledger {
        let mut r = csv::Reader::from_path(path).expect("ledger.csv");
        let columns = r
            .headers()
            .expect("header")
            .iter()
            .enumerate()
            .map(|(i, h)| (h.to_string(), i))
            .collect();
        let rows = r
            .records()
            .map(|x| x.expect("row").iter().map(str::to_string).collect())
            .collect();
        Ledger { columns, rows }
    }
    fn cell<'a>(&self, row: &'a [String], col: &str) -> &'a str {
        &row[*self
            .columns
            .get(col)
            .unwrap_or_else(|| panic!("column {col}"))]
    }
    fn dec(&self, row: &[String], col: &str) -> Decimal {
        let s = self.cell(row, col);
        Decimal::from_str(s).unwrap_or_else(|_| panic!("{col} = `{s}` is not yuan"))
    }
    fn num(&self, row: &[String], col: &str) -> f64 {
        self.cell(row, col).parse().expect("number")
    }
}

fn write_guangdong_ledger(dir: &Path) -> Ledger {
    let out = dir.join("ledger.csv");
    let o = fundrisk(&["ledger", &guangdong_path(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    Ledger::read(&out)
}

#[test]
fn ledger_identities_hold_on_every_row_to_the_fen() {
    let dir = tempfile::tempdir().unwrap();
    let l = write_guangdong_ledger(dir.path());
    for col in [
        "unit",
        "month",
        "income_total",
        "spending_total",
        "interest",
        "transfers_net",
        "pooled_balance",
        "avg_monthly_spending_12m",
        "months_of_capacity",
    ] {
        assert!(l.columns.contains_key(col), "missing column {col}");
    }
    let income: Vec<&String> = l
        .columns
        .keys()
        .filter(|c| c.starts_with("income_") && *c != "income_total")
        .collect();
    let spending: Vec<&String> = l
        .columns
        .keys()
        .filter(|c| c.starts_with("spending_") && *c != "spending_total")
        .collect();
    assert_eq!((income.len(), spending.len()), (8, 7));

    // Opening balances of the default scenario's two funds.
    let mut previous: HashMap<String, Decimal> = HashMap::from([
        ("guangdong".into(), Decimal::from(180_000_000_000u64)),
        (
            "guangdong.maternity".into(),
            Decimal::from(8_000_000_000u64),
        ),
    ]);
    let mut months_seen: HashMap<String, usize> = HashMap::new();
    let mut merger_transfers = Decimal::ZERO;
    for row in &l.rows {
        let unit = l.cell(row, "unit").to_string();
        let opening = previous[&unit];
        let inc = l.dec(row, "income_total");
        let sp = l.dec(row, "spending_total");
        let interest = l.dec(row, "interest");
        let transfers = l.dec(row, "transfers_net");
        let balance = l.dec(row, "pooled_balance");
        // Every money cell is whole fen.
        for d in [inc, sp, interest, transfers, balance] {
            assert_eq!(d, d.round_dp(2));
        }
        assert_eq!(
            balance,
            opening + inc - sp + interest + transfers,
            "{unit} {}",
            l.cell(row, "month")
        );
        assert_eq!(inc, income.iter().map(|c| l.dec(row, c)).sum::<Decimal>());
        assert_eq!(sp, spending.iter().map(|c| l.dec(row, c)).sum::<Decimal>());
        // Interest: a month of 1.5 % a year on a positive opening balance (plus what a merger
        // moves in at the start of the month), to the fen.
        let base = opening + l.dec(row, "transfer_merger");
        let expected_interest = if base > Decimal::ZERO {
            (base * Decimal::new(15, 3) / Decimal::from(12))
                .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        } else {
            Decimal::ZERO
        };
        let is_merger = l.cell(row, "month") == "2020-01";
        assert_eq!(
            interest,
            expected_interest,
            "{unit} {}",
            l.cell(row, "month")
        );
        let t = l.dec(row, "transfer_merger");
        merger_transfers += t;
        assert_eq!(
            t != Decimal::ZERO,
            is_merger,
            "merger transfer only in 2020-01"
        );
        let capacity = l.cell(row, "months_of_capacity");
        let avg = l.dec(row, "avg_monthly_spending_12m");
        if avg > Decimal::ZERO {
            let m = Decimal::from_str(capacity).expect("months");
            assert!(
                (m - balance / avg).abs() <= Decimal::new(6, 3),
                "{m} vs {}",
                balance / avg
            );
        } else {
            assert_eq!(capacity, "");
        }
        previous.insert(unit.clone(), balance);
        *months_seen.entry(unit).or_default() += 1;
    }
    assert_eq!(
        merger_transfers,
        Decimal::ZERO,
        "the merger moves money, it creates none"
    );
    assert_eq!(
        previous["guangdong.maternity"],
        Decimal::ZERO,
        "emptied by the merger"
    );
    assert_eq!(months_seen["guangdong"], 120);
    assert_eq!(months_seen["guangdong.maternity"], 120);
}

#[test]
fn total_membership_is_conserved_month_to_month() {
    let dir = tempfile::tempdir().unwrap();
    let l = write_guangdong_ledger(dir.path());
    let pooled: Vec<&Vec<String>> = l
        .rows
        .iter()
        .filter(|r| l.cell(r, "unit") == "guangdong")
        .collect();
    let members = |r: &[String]| -> f64 {
        [
            "enterprise",
            "government",
            "flexible",
            "continuing",
            "retiree",
        ]
        .iter()
        .map(|s| l.num(r, &format!("members_{s}")))
        .sum()
    };
    for w in pooled.windows(2) {
        let (a, b) = (w[0], w[1]);
        let expected = members(a) + l.num(a, "entries") - l.num(a, "exits") - l.num(a, "deaths");
        // Each of the nine cells is rounded to 0.01 person.
        assert!(
            (members(b) - expected).abs() < 0.05,
            "{}: {} vs {expected}",
            l.cell(b, "month"),
            members(b)
        );
        assert!(l.num(a, "deaths") > 0.0);
    }
    // Under the 2025 reform some months have no cohort reaching its retirement age (the age
    // rises a month every four or two months), but every year has retirements.
    for year in 2019..=2028 {
        let r: f64 = pooled
            .iter()
            .filter(|r| l.cell(r, "month").starts_with(&year.to_string()))
            .map(|r| l.num(r, "retirements"))
            .sum();
        assert!(r > 0.0, "{year}");
    }
}

/// The maternity allowance of every month, by hand: births to insured women with an allowance
/// (enterprise and government; flexible workers have none in the default scenario) × the
/// employer's average monthly wage of the year before (the unit's average, 000 §11) / 30 × the
/// expected days (178 + 0.2 × 30 for difficult births + 0.015 × 15 for multiple births,
/// 广东省实施〈女职工劳动保护特别规定〉办法 art. 11).
#[test]
fn maternity_allowance_by_hand_from_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let l = write_guangdong_ledger(dir.path());
    let days = 178.0 + 0.2 * 30.0 + 0.015 * 15.0;
    // 2018's average wage is 6,000 yuan a month; the expected path grows it by e^0.07 a year.
    let wage_prev = |year: i32| 6000.0 * (0.07 * f64::from(year - 2019)).exp();
    let by_key: HashMap<(String, String), &Vec<String>> = l
        .rows
        .iter()
        .map(|r| {
            (
                (
                    l.cell(r, "unit").to_string(),
                    l.cell(r, "month").to_string(),
                ),
                r,
            )
        })
        .collect();
    let mut checked = 0;
    for r in l.rows.iter().filter(|r| l.cell(r, "unit") == "guangdong") {
        let month = l.cell(r, "month").to_string();
        let year: i32 = month[..4].parse().unwrap();
        let births = l.num(r, "births_insured");
        // Before the merger the allowance is paid by the separate maternity fund.
        let payer = if month.as_str() < "2020-01" {
            assert_eq!(l.dec(r, "spending_maternity_allowance"), Decimal::ZERO);
            by_key[&("guangdong.maternity".to_string(), month.clone())]
        } else {
            r
        };
        let allowance = l.num(payer, "spending_maternity_allowance");
        let by_hand = births * wage_prev(year) / 30.0 * days;
        assert!(births > 1000.0);
        assert!(
            (allowance - by_hand).abs() <= 0.01 + 1e-4 * by_hand / births,
            "{month}: {allowance} vs {by_hand}"
        );
        checked += 1;
    }
    assert_eq!(checked, 120);
    // One month written out: 2019, 6,000 / 30 × 184.225 = 200 × 184.225 = 36,845 yuan a birth.
    assert!((6000.0 / 30.0 * days - 36_845.0).abs() < 1e-9);
}

/// Runs `fundrisk ledger` and `fundrisk run` on a bad scenario and checks the refusal.
fn assert_refused(scenario_text: &str, data: &[(&str, &str)], expected: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in data {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, scenario_text).unwrap();
    // Earlier output that must survive the failed run untouched.
    let ledger = dir.path().join("ledger.csv");
    std::fs::write(&ledger, "earlier output\n").unwrap();
    let run_dir: PathBuf = dir.path().join("report");
    for args in [
        vec!["check", file.to_str().unwrap()],
        vec![
            "ledger",
            file.to_str().unwrap(),
            "--out",
            ledger.to_str().unwrap(),
        ],
        vec![
            "run",
            file.to_str().unwrap(),
            "--out",
            run_dir.to_str().unwrap(),
        ],
    ] {
        let o = fundrisk(&args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
        assert!(
            stderr.contains("bad.toml") || data.iter().any(|(n, _)| stderr.contains(n)),
            "names the file: {stderr}"
        );
        for e in expected {
            assert!(stderr.contains(e), "{args:?}: `{e}` not in: {stderr}");
        }
    }
    assert_eq!(
        std::fs::read_to_string(&ledger).unwrap(),
        "earlier output\n"
    );
    assert!(!run_dir.exists(), "no partial report folder");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        left.len(),
        2 + data.len(),
        "no temporary files left: {left:?}"
    );
}

#[test]
fn malformed_toml_is_refused() {
    let text = edit(
        &guangdong_text(),
        "horizon_months = 120",
        "horizon_months = = 120",
    );
    assert_refused(&text, &[], &["bad.toml:"]);
}

#[test]
fn unknown_field_is_refused() {
    let text = edit(
        &guangdong_text(),
        "base_cap = 3.0",
        "base_cap = 3.0\nbase_ceiling = 3.0",
    );
    assert_refused(&text, &[], &["base_ceiling", "unknown field"]);
}

#[test]
fn rate_outside_zero_one_is_refused() {
    let text = edit(
        &guangdong_text(),
        "employee_rate = 0.02",
        "employee_rate = 1.5",
    );
    assert_refused(&text, &[], &["policy.employee_rate", "[0, 1]", "1.5"]);
}

#[test]
fn unit_rate_outside_zero_one_is_refused() {
    let text = format!(
        "{}\n[units.policy]\nemployer_rate = -0.01\n",
        guangdong_text()
    );
    assert_refused(&text, &[], &["units[0].policy.employer_rate", "[0, 1]"]);
}

#[test]
fn dated_entries_out_of_order_are_refused() {
    let text = edit(
        &guangdong_text(),
        "{ from = \"2023-01\", value = 0.0, source",
        "{ from = \"2018-06\", value = 0.0, source",
    );
    assert_refused(
        &text,
        &[],
        &["employer_to_personal_account", "2018-06", "order"],
    );
}

#[test]
fn missing_data_file_is_refused() {
    let text = edit(
        &guangdong_text(),
        "[data]",
        "[data]\nlife_table = \"no-such-table.csv\"",
    );
    assert_refused(&text, &[], &["data.life_table", "no-such-table.csv"]);
}

#[test]
fn nan_in_a_data_table_is_refused() {
    let table =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/life_table.csv"))
            .unwrap();
    let age20 = table
        .lines()
        .find(|l| l.starts_with("20,"))
        .expect("age 20")
        .to_string();
    let q20 = age20.split(',').nth(1).unwrap();
    let bad = edit(&table, &age20, &age20.replacen(q20, "NaN", 1));
    let text = edit(
        &guangdong_text(),
        "[data]",
        "[data]\nlife_table = \"lt.csv\"",
    );
    assert_refused(
        &text,
        &[("lt.csv", &bad)],
        &["lt.csv", "q_male", "NaN", "line"],
    );
}

fn header(path: &Path) -> Vec<String> {
    let mut r = csv::Reader::from_path(path).expect("csv");
    r.headers().unwrap().iter().map(str::to_string).collect()
}

#[test]
fn run_writes_the_tables_and_does_not_depend_on_threads() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    for (out, threads) in [(&a, "1"), (&b, "2")] {
        let o = fundrisk(&[
            "run",
            &guangdong_path(),
            "--paths",
            "70",
            "--seed",
            "11",
            "--threads",
            threads,
            "--keep-paths",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    for f in [
        "summary.csv",
        "exhaustion.csv",
        "warnings.csv",
        "ledger.csv",
    ] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f} differs between 1 and 2 threads"
        );
    }
    for f in ["summary.parquet", "paths.parquet"] {
        let bytes = std::fs::read(a.join(f)).unwrap();
        assert_eq!(&bytes[..4], b"PAR1", "{f} is Parquet");
    }
    let summary = header(&a.join("summary.csv"));
    let mut required = vec!["unit", "year"];
    let quantiles = ["p5", "p25", "p50", "p75", "p95"];
    let names: Vec<String> = quantiles
        .iter()
        .flat_map(|q| [format!("balance_{q}"), format!("months_{q}")])
        .chain(
            ["p_deficit", "p_months_lt_6", "p_months_lt_3", "p_exhausted"]
                .iter()
                .flat_map(|p| [p.to_string(), format!("{p}_se")]),
        )
        .collect();
    required.extend(names.iter().map(String::as_str));
    for c in required {
        assert!(summary.iter().any(|h| h == c), "summary.csv lacks {c}");
    }
    let warnings = header(&a.join("warnings.csv"));
    for band in [
        "excess",
        "high",
        "reasonable",
        "insufficient",
        "serious",
        "exhausted",
    ] {
        assert!(warnings.contains(&format!("share_{band}")));
        assert!(warnings.contains(&format!("share_{band}_se")));
    }
    let ex = header(&a.join("exhaustion.csv"));
    assert_eq!(
        ex[..2],
        ["unit".to_string(), "first_exhausted_year".to_string()]
    );
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(a.join("run.json")).unwrap()).unwrap();
    assert_eq!(meta["scenario"], "guangdong-merger");
    assert_eq!(meta["seed"], 11);
    assert_eq!(meta["paths"], 70);
    assert_eq!(meta["threads"], 1);
    assert_eq!(meta["scenario_hash"].as_str().unwrap().len(), 64);
    assert!(meta["wall_seconds"].as_f64().unwrap() > 0.0);
    assert!(meta["program_version"].is_string());
    // Units and years: the pooled fund, the maternity fund until its merger, and their total.
    let l = Ledger::read(&a.join("summary.csv"));
    let rows: Vec<(String, String)> = l
        .rows
        .iter()
        .map(|r| (l.cell(r, "unit").into(), l.cell(r, "year").into()))
        .collect();
    assert_eq!(rows.len(), 10 + 1 + 10);
    assert!(rows.contains(&("guangdong.maternity".into(), "2019".into())));
    assert!(!rows.contains(&("guangdong.maternity".into(), "2020".into())));
    assert!(rows.contains(&("all".into(), "2028".into())));
}

#[test]
fn run_refuses_zero_paths_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    let o = fundrisk(&["run", "--paths", "0", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--paths"));
    assert!(!out.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// Report options are checked before any work: an unknown money unit, or --pdf with no
/// Chromium to print with, is refused naming the option, and nothing is written.
#[test]
fn run_refuses_bad_report_options_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    let o = fundrisk(&[
        "run",
        "--money-unit",
        "euro",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("--money-unit") && stderr.contains("yuan, wan"),
        "{stderr}"
    );
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_fundrisk"))
        .args(["run", "--pdf", "--out", out.to_str().unwrap()])
        .env("CHROME", dir.path().join("no-such-chromium"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("--pdf needs headless Chromium"), "{stderr}");
    assert!(!out.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// Every scenario in `scenarios/` passes `check` and projects its exact ledger.
#[test]
fn every_scenario_file_checks_and_projects() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let out = tempfile::tempdir().unwrap();
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            let o = fundrisk(&["check", p.to_str().unwrap()]);
            assert!(
                o.status.success(),
                "{}: {}",
                p.display(),
                String::from_utf8_lossy(&o.stderr)
            );
            let csv = out.path().join("l.csv");
            let o = fundrisk(&[
                "ledger",
                p.to_str().unwrap(),
                "--out",
                csv.to_str().unwrap(),
            ]);
            assert!(
                o.status.success(),
                "{}: {}",
                p.display(),
                String::from_utf8_lossy(&o.stderr)
            );
            n += 1;
        }
    }
    assert!(n >= 4, "{n} scenarios");
}

/// A closed stdout (`fundrisk check | head -0`) is not a crash: the command still succeeds.
#[test]
fn closed_stdout_is_not_a_panic() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_fundrisk"))
        .arg("check")
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// With no scenario, every command takes the embedded from-today scenario (the national pooled
/// fund from the NHSA 2024 bulletin) with its base year solved: `check` prints the published
/// 2024, the ledger starts in 2025 with income and spending within the 10 % tolerance of the
/// published 2024 (with the scenario's own levels the 2025 income would be about 40 % above
/// it), and `run` names the scenario in run.json.
#[test]
fn the_default_is_the_from_today_national_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let o = fundrisk(&["check"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("national-2025"), "{text}");
    assert!(text.contains("2024: income 17342.45 published"), "{text}");
    assert!(text.contains("spending 13222.71 published"), "{text}");
    assert!(
        text.contains("members_active 27491.84 published, 27491.84 at the start"),
        "{text}"
    );
    assert!(
        text.contains("members_retired 10457.50 published, 10457.50 at the start"),
        "{text}"
    );

    let out = dir.path().join("ledger.csv");
    let o = fundrisk(&["ledger", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let l = Ledger::read(&out);
    assert_eq!(l.cell(&l.rows[0], "month"), "2025-01");
    let year_sum = |col: &str| -> f64 {
        l.rows
            .iter()
            .filter(|r| l.cell(r, "unit") == "national" && l.cell(r, "month").starts_with("2025"))
            .map(|r| l.num(r, col))
            .sum()
    };
    // On the bulletin's basis: the account credits paid from pooled money count as the
    // accounts' income, not as pooled income and spending (ledger::FundMonth::as_published).
    let credits = year_sum("spending_personal_account");
    assert!(credits > 5e10, "{credits}");
    let income = (year_sum("income_total") - credits) / 1.734245e12;
    let spending = (year_sum("spending_total") - credits) / 1.322271e12;
    assert!(
        (1.0..1.10).contains(&income),
        "2025 income / 2024 published {income}"
    );
    assert!(
        (1.0..1.10).contains(&spending),
        "2025 spending / 2024 published {spending}"
    );

    let run = dir.path().join("run");
    let o = fundrisk(&["run", "--paths", "8", "--out", run.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("run.json")).unwrap()).unwrap();
    assert_eq!(meta["scenario"], "national-2025");
    // The terminal ends with the overview's rows: the fund by its display name and the last
    // year's median months of capacity as in summary.csv.
    let stdout = String::from_utf8_lossy(&o.stdout);
    let summary = std::fs::read_to_string(run.join("summary.csv")).unwrap();
    let header: Vec<&str> = summary.lines().next().unwrap().split(',').collect();
    let last: Vec<&str> = summary.lines().last().unwrap().split(',').collect();
    let months: f64 = last[header.iter().position(|c| *c == "months_p50").unwrap()]
        .parse()
        .unwrap();
    let row = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("全国"))
        .unwrap_or_else(|| panic!("no overview row in: {stdout}"));
    assert!(
        row.contains(&format!("{months:.1}")),
        "{row} lacks {months:.1}"
    );
    assert!(stdout.contains("P(<6个月)"), "{stdout}");
}

/// `--set` changes a scenario without editing it: the same as the change made in a copy of the
/// file (summary.csv byte for byte), recorded in run.json and in the report's assumptions; a
/// unit is reached by its name; a bad value or path is refused naming the field.
#[test]
fn set_overrides_equal_the_same_change_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let text = guangdong_text();
    let edited = edit(
        &text,
        "employer_rate = [{ from = \"2019-01\", value = 0.05, source = \"ASSUMPTION: representative city rate\" }]",
        "employer_rate = 0.065",
    );
    let edited = edit(
        &edited,
        "average_wage_prev_year = 6000.0",
        "average_wage_prev_year = 6500.0",
    );
    // Beside the scenarios, so that its includes resolve.
    let copy = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("scenarios/set-test-{}.toml", std::process::id()));
    std::fs::write(&copy, edited).unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let o = fundrisk(&[
        "run",
        &guangdong_path(),
        "--paths",
        "40",
        "--set",
        "policy.employer_rate=0.065",
        "--set",
        "units.guangdong.average_wage_prev_year=6500",
        "--out",
        a.to_str().unwrap(),
    ]);
    let o2 = fundrisk(&[
        "run",
        copy.to_str().unwrap(),
        "--paths",
        "40",
        "--out",
        b.to_str().unwrap(),
    ]);
    std::fs::remove_file(&copy).unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        o2.status.success(),
        "{}",
        String::from_utf8_lossy(&o2.stderr)
    );
    let summary = |d: &Path| std::fs::read(d.join("summary.csv")).unwrap();
    assert_eq!(
        summary(&a),
        summary(&b),
        "the override and the edited file differ"
    );
    let plain = dir.path().join("c");
    let o3 = fundrisk(&[
        "run",
        &guangdong_path(),
        "--paths",
        "40",
        "--out",
        plain.to_str().unwrap(),
    ]);
    assert!(o3.status.success());
    assert_ne!(summary(&a), summary(&plain), "the override changed nothing");
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(a.join("run.json")).unwrap()).unwrap();
    assert_eq!(meta["overrides"][0], "policy.employer_rate = 0.065");
    let html = std::fs::read_to_string(a.join("report.html")).unwrap();
    assert!(html.contains("<code>policy.employer_rate = 0.065</code>"));
    for (set, expected) in [
        (
            "policy.employer_rate=1.5",
            "policy.employer_rate: 1.5 is outside the allowed range",
        ),
        (
            "units.shenzhen.policy.employer_rate=0.05",
            "no entry of `units` is named `shenzhen`",
        ),
        ("policy.employer_rat=0.05", "did you mean `employer_rate`"),
        ("employer_rate", "expected PATH=VALUE"),
    ] {
        let o = fundrisk(&["check", &guangdong_path(), "--set", set]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{set}: {stderr}");
        assert!(stderr.contains(expected), "{set}: {stderr}");
    }
}
