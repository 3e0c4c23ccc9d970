//! Golden tables: six scenarios (and three studies, `tests/golden/studies.sha256`) run with a
//! fixed seed and few paths, and the SHA-256 of every
//! table they write compared with `tests/golden/tables.sha256`. A refactoring (issue 21's
//! workspace split, issue 22's engine) must leave every byte of every table as it was; a change
//! of the model that moves them regenerates the file on purpose:
//! `FUNDRISK_BLESS=1 cargo test --release --test golden`, and says why in its commit.

use fundrisk::engine::montecarlo::RunOptions;
use fundrisk::report::lang::Lang;
use fundrisk::scenario::Scenario;
use sha2::{Digest, Sha256};
use std::path::Path;

const SCENARIOS: [&str; 6] = [
    "national-2025",
    "guangdong-merger",
    "huainan-merger",
    "jiangmen-integration",
    "jiujiang-city",
    "shandong-provincial",
];
const TABLES: [&str; 5] = [
    "summary.csv",
    "warnings.csv",
    "exhaustion.csv",
    "pooling.csv",
    "ledger.csv",
];

#[test]
fn every_table_of_six_scenarios_is_as_recorded() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let mut lines = Vec::new();
    for name in SCENARIOS {
        let mut s = Scenario::from_path(&root.join(format!("scenarios/{name}.toml"))).unwrap();
        fundrisk::base_year::apply(&mut s).unwrap();
        let mut opts = RunOptions::new(128, 7);
        opts.threads = Some(2);
        let out = dir.path().join(name);
        fundrisk::run::run_scenario(&s, &opts, &out, Lang::Zh, &|_| {}).unwrap();
        for table in TABLES {
            let path = out.join(table);
            if path.exists() {
                let hash = Sha256::digest(std::fs::read(&path).unwrap());
                let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
                lines.push(format!("{hex}  {name}/{table}"));
            }
        }
    }
    let actual = lines.join("\n") + "\n";
    let golden = root.join("tests/golden/tables.sha256");
    if std::env::var_os("FUNDRISK_BLESS").is_some() {
        std::fs::write(&golden, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&golden).unwrap();
    let differing: Vec<&str> = actual
        .lines()
        .zip(expected.lines())
        .filter(|(a, e)| a != e)
        .map(|(a, _)| a.split_whitespace().nth(1).unwrap_or(""))
        .collect();
    assert!(
        differing.is_empty() && actual.lines().count() == expected.lines().count(),
        "tables changed: {differing:?} (if the model changed on purpose, regenerate with FUNDRISK_BLESS=1 and say why)"
    );
}

/// The study commands' tables: `compare` (two scenarios, and a separate maternity fund against
/// its merger), `sensitivity` and a single-origin `backtest`, run through the command with a fixed seed and few paths.
const STUDIES: [(&str, &[&str], &[&str]); 4] = [
    (
        "compare-merger",
        &[
            "compare",
            "scenarios/guangdong-merger.toml",
            "--separate-maternity",
        ],
        &["compare.csv"],
    ),
    (
        "compare-two",
        &[
            "compare",
            "scenarios/national-2025.toml",
            "scenarios/national-long-range.toml",
        ],
        &["compare.csv"],
    ),
    (
        "sensitivity",
        &["sensitivity", "scenarios/national-2025.toml"],
        &["sensitivity.csv"],
    ),
    (
        "backtest",
        &[
            "backtest",
            "scenarios/national-backtest.toml",
            "--actuals",
            "data/calibration/backtest_actuals.csv",
        ],
        &["backtest.csv", "backtest_scores.csv"],
    ),
];

#[test]
fn every_study_table_is_as_recorded() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let mut lines = Vec::new();
    for (name, args, tables) in STUDIES {
        let out = dir.path().join(name);
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_fundrisk"))
            .args(args)
            .args(["--paths", "64", "--seed", "7", "--threads", "2", "--out"])
            .arg(&out)
            .current_dir(root)
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&status.stderr)
        );
        for table in tables {
            let hash = Sha256::digest(std::fs::read(out.join(table)).unwrap());
            let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
            lines.push(format!("{hex}  {name}/{table}"));
        }
    }
    let actual = lines.join("\n") + "\n";
    let golden = root.join("tests/golden/studies.sha256");
    if std::env::var_os("FUNDRISK_BLESS").is_some() {
        std::fs::write(&golden, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&golden).unwrap();
    assert_eq!(
        actual, expected,
        "study tables changed (if the model changed on purpose, regenerate with FUNDRISK_BLESS=1 and say why)"
    );
}
