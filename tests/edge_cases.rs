//! Numerical edge cases give defined output, never a panic, `inf` or `NaN` in a table: a unit
//! without spending (months of capacity unbounded: empty cells), a unit without members, a
//! one-month and a 600-month horizon, and a balance that goes negative and recovers.

use std::path::Path;
use std::process::Command;

fn base() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs/base.toml.in"),
    )
    .unwrap()
}

mod common;

use common::edit;

/// Runs `run` and `ledger` on `scenario` text; returns the run folder (kept in `dir`).
fn run(dir: &Path, scenario: &str, paths: &str) -> std::path::PathBuf {
    let file = dir.join("s.toml");
    std::fs::write(&file, scenario).unwrap();
    let out = dir.join("run");
    for args in [
        vec![
            "run",
            file.to_str().unwrap(),
            "--paths",
            paths,
            "--out",
            out.to_str().unwrap(),
        ],
        vec![
            "ledger",
            file.to_str().unwrap(),
            "--out",
            dir.join("ledger.csv").to_str().unwrap(),
        ],
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_fundrisk"))
            .args(&args)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    out
}

/// Every cell of every CSV in `dir` (and the ledger beside it) is a number, text or empty;
/// never `inf` or `NaN`.
fn assert_no_inf_or_nan(dir: &Path) {
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.push(dir.parent().unwrap().join("ledger.csv"));
    assert!(files.len() >= 5);
    for f in files {
        let mut rdr = csv::Reader::from_path(&f).unwrap();
        for rec in rdr.records() {
            for cell in rec.unwrap().iter() {
                let lower = cell.to_ascii_lowercase();
                assert!(
                    !matches!(lower.as_str(), "inf" | "-inf" | "nan" | "+inf" | "infinity"),
                    "{}: `{cell}`",
                    f.display()
                );
            }
        }
    }
}

/// The column `name` of a CSV as text cells.
fn column(path: &Path, name: &str) -> Vec<String> {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let c = rdr
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == name)
        .unwrap();
    rdr.records().map(|r| r.unwrap()[c].to_string()).collect()
}

#[test]
fn a_unit_without_spending_has_unbounded_capacity_as_empty_cells() {
    let dir = tempfile::tempdir().unwrap();
    let text = edit(
        &edit(
            &base(),
            "average_wage_prev_year = 6000.0\n",
            "average_wage_prev_year = 6000.0\nutilisation_level = 0.0\n",
        ),
        "pooled_spending_prev_year = 8.0e8",
        "pooled_spending_prev_year = 0.0",
    );
    let out = run(dir.path(), &text, "16");
    assert_no_inf_or_nan(&out);
    // No spending at all: months of capacity are unbounded in every year, the band is excess.
    let months = column(&out.join("summary.csv"), "months_p50");
    assert!(
        !months.is_empty() && months.iter().all(String::is_empty),
        "{months:?}"
    );
    let excess = column(&out.join("warnings.csv"), "share_excess");
    assert!(excess.iter().all(|s| s == "1.0" || s == "1"), "{excess:?}");
    let ledger_months = column(&dir.path().join("ledger.csv"), "months_of_capacity");
    assert!(ledger_months.iter().all(String::is_empty));
}

#[test]
fn a_unit_without_members_runs() {
    let dir = tempfile::tempdir().unwrap();
    let text = edit(
        &base(),
        "membership = { enterprise = 2.0e5, government = 3.0e4, flexible = 2.0e4, retirees = 6.0e4 }",
        "membership = { enterprise = 0.0 }",
    );
    let out = run(dir.path(), &text, "16");
    assert_no_inf_or_nan(&out);
    let income = column(&dir.path().join("ledger.csv"), "income_total");
    assert!(income.iter().all(|x| x == "0.00"), "{income:?}");
}

#[test]
fn one_month_and_600_month_horizons() {
    for (months, years) in [("1", 1), ("600", 50)] {
        let dir = tempfile::tempdir().unwrap();
        // A one-month horizon cannot hold the base's 2025 rate change (it would never apply).
        let text = edit(
            &edit(
                &base(),
                "horizon_months = 24",
                &format!("horizon_months = {months}"),
            ),
            r#"[{ from = "2024-01", value = 0.06 }, { from = "2025-01", value = 0.065 }]"#,
            "0.06",
        );
        let out = run(dir.path(), &text, "8");
        assert_no_inf_or_nan(&out);
        let ledger = column(&dir.path().join("ledger.csv"), "month");
        assert_eq!(ledger.len(), months.parse::<usize>().unwrap());
        let summary_years = column(&out.join("summary.csv"), "year");
        assert_eq!(summary_years.len(), years, "{months} months");
    }
}

/// A fund that overspends until its employer rate rises: the balance goes below zero (no
/// interest is earned on it) and comes back above.
#[test]
fn a_balance_goes_negative_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let text = edit(
        &edit(
            &base(),
            "initial_pooled_balance = 1.0e9",
            "initial_pooled_balance = 1.0e8",
        ),
        r#"employer_rate = [{ from = "2024-01", value = 0.06 }, { from = "2025-01", value = 0.065 }]"#,
        r#"employer_rate = [{ from = "2024-01", value = 0.01 }, { from = "2025-01", value = 0.20 }]"#,
    );
    let text = edit(&text, "horizon_months = 24", "horizon_months = 36");
    let out = run(dir.path(), &text, "16");
    assert_no_inf_or_nan(&out);
    let ledger = dir.path().join("ledger.csv");
    let balance: Vec<f64> = column(&ledger, "pooled_balance")
        .iter()
        .map(|x| x.parse().unwrap())
        .collect();
    let interest: Vec<f64> = column(&ledger, "interest")
        .iter()
        .map(|x| x.parse().unwrap())
        .collect();
    let first_negative = balance
        .iter()
        .position(|b| *b < 0.0)
        .expect("goes negative");
    assert!(
        balance[first_negative..].iter().any(|b| *b > 0.0),
        "recovers"
    );
    assert!(*balance.last().unwrap() > 0.0, "ends above zero");
    // A month that opens below zero earns no interest.
    for k in 1..balance.len() {
        if balance[k - 1] < 0.0 {
            assert_eq!(interest[k], 0.0, "month {k}");
        }
    }
    let exhausted = column(&out.join("exhaustion.csv"), "first_exhausted_year");
    assert!(exhausted.iter().any(|y| y == "2024"), "{exhausted:?}");
}
