//! The independent NumPy reference (`benches/reference/fundrisk_ref.py`) against the engine.
//!
//! - Its expected path must equal `fundrisk ledger` in every column of every row (all 38: the
//!   lines, interest, transfers, balances, months of capacity and the memo columns), to 1e-8
//!   relative beyond the ledger's printing, far inside the 0.01 % the issue asks, in all six
//!   scenarios (two of them include a calibration fragment) and in a variant of Jiangmen whose
//!   management rule fires.
//! - Its own Monte Carlo must agree with `fundrisk run` within Monte Carlo error, for a single
//!   fund (Huainan) and for two cities under Shandong's provincial adjustment fund.
//!
//! Each check was shown to fail when the model is broken on purpose (see each test). The tests
//! run when python3 with numpy is present (`.ci/run` installs numpy and sets
//! `FUNDRISK_REQUIRE_REFERENCE`); otherwise they say they are skipped.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn numpy_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import numpy"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("FUNDRISK_REQUIRE_REFERENCE").is_none(),
            "FUNDRISK_REQUIRE_REFERENCE is set but python3 with numpy is missing"
        );
        eprintln!("skipped: python3 with numpy not found");
    }
    ok
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the reference with `args`; returns its standard output, asserting it succeeded.
fn reference(scenario: &Path, args: &[&std::ffi::OsStr]) -> String {
    let out = Command::new("python3")
        .arg(root().join("benches/reference/fundrisk_ref.py"))
        .arg(scenario)
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{}: {text}{}",
        scenario.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// Every column of every ledger row. Leaving out one term of the exit rate shows as 1.8e-5 in
/// the membership columns; a cap multiple of 3 for the adjustment fund shows as 0.33 in
/// Shandong's `transfers_net`.
#[test]
fn reference_matches_every_line_of_the_ledger() {
    if !numpy_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut scenarios: Vec<PathBuf> = [
        "guangdong-merger",
        "huainan-merger",
        "shandong-provincial",
        "jiujiang-city",
        "jiangmen-integration",
        "national-backtest",
        "national-membership-2012",
        "national-long-range",
        "national-2025",
    ]
    .iter()
    .map(|name| root().join("scenarios").join(format!("{name}.toml")))
    .collect();
    // Jiangmen with its rule at 18 months of capacity, so that it fires on the expected path
    // (from December 2018) and the raised rates feed the later years.
    let text = std::fs::read_to_string(root().join("scenarios/jiangmen-integration.toml")).unwrap();
    assert!(text.contains("\nbelow_months = 6.0\n"));
    let rule = dir.path().join("jiangmen-rule.toml");
    std::fs::write(
        &rule,
        text.replace("\nbelow_months = 6.0\n", "\nbelow_months = 18.0\n"),
    )
    .unwrap();
    scenarios.push(rule);
    // Shandong with the other reading of the gap (without the levy), a 12 % employer rate (so
    // that the adjustment fund holds money after the gap payments) and other uses of half the
    // levies, so that both options are compared too; the Jiangmen variant stays last.
    let shandong =
        std::fs::read_to_string(root().join("scenarios/shandong-provincial.toml")).unwrap();
    assert!(
        shandong.contains("\nlevy_in_gap = true\n")
            && shandong.contains("\nother_uses_share = 0.0\n")
    );
    let rate_8 = "employer_rate = [{ from = \"2024-01\", value = 0.08, source = \"003 (二)\" }]";
    assert!(shandong.contains(rate_8));
    // … and minimum years dated by retirement (25 and 20 years until 2026-01).
    let min_years = "minimum_years = { male = 30.0, female = 25.0 }";
    assert!(shandong.contains(min_years));
    assert!(shandong.contains("\nbuyin_mode = \"lump_sum\""));
    assert!(shandong.contains("pooled_income_prev_year = 8.0396e+09\n"));
    let variant = dir.path().join("shandong-readings.toml");
    std::fs::write(
        &variant,
        shandong
            .replace("\nlevy_in_gap = true\n", "\nlevy_in_gap = false\n")
            .replace("\nother_uses_share = 0.0\n", "\nother_uses_share = 0.5\n")
            .replace(
                rate_8,
                "employer_rate = [{ from = \"2024-01\", value = 0.12, source = \"test\" }]",
            )
            .replace(
                "\ncap_multiple = 2.0 ",
                "\ngap_share_bands = [[0.05, 0.3], [0.15, 0.5], [inf, 0.7]]\ncap_multiple = 2.0 ",
            )
            .replace(
                "pooled_income_prev_year = 8.0396e+09\n",
                "pooled_income_prev_year = 8.0396e+09\nadjustment_assessment = 1.5\n",
            )
            .replace(
                "\nbuyin_mode = \"lump_sum\"",
                "\nbuyin_mode = \"lump_sum\"\nbuyin_monthly_share = 0.4",
            )
            .replace(min_years, "minimum_years = [{ from = \"2024-01\", value = { male = 25.0, female = 20.0 } }, { from = \"2026-01\", value = { male = 30.0, female = 25.0 } }]"),
    )
    .unwrap();
    scenarios.insert(scenarios.len() - 1, variant);
    // Jiujiang with one county (lianxi, in deficit every year) settled against approved budgets:
    // from 2023 a revenue budget it misses, so that its treasury pays the whole gap.
    let jiujiang = std::fs::read_to_string(root().join("scenarios/jiujiang-city.toml")).unwrap();
    let county = "pooled_income_prev_year = 1.6294e+08\n";
    assert_eq!(jiujiang.matches(county).count(), 1);
    let budgets = dir.path().join("jiujiang-budgets.toml");
    std::fs::write(
        &budgets,
        jiujiang.replace(
            county,
            "pooled_income_prev_year = 1.6294e+08\nrevenue_budget = [{ from = \"2021-01\", value = 1.0e8 }, { from = \"2023-01\", value = 5.0e8 }]\nspending_budget = 1.0e8\n",
        ),
    )
    .unwrap();
    scenarios.insert(scenarios.len() - 1, budgets);
    // Jiangmen with residents using care at 0.9 of the employees' rate, so that their account
    // runs into deficit and the treasury backstop pays each January, and with the residents'
    // rule judging their account alone (so that it fires).
    let jiangmen =
        std::fs::read_to_string(root().join("scenarios/jiangmen-integration.toml")).unwrap();
    assert!(jiangmen.contains("\nutilisation_level = 0.45 "));
    let backstop = dir.path().join("jiangmen-backstop.toml");
    std::fs::write(
        &backstop,
        jiangmen
            .replace("\nutilisation_level = 0.45 ", "\nutilisation_level = 0.9 ")
            .replace("\njudged_on = \"fund\"\n", "\njudged_on = \"account\"\n"),
    )
    .unwrap();
    scenarios.insert(scenarios.len() - 1, backstop);
    // Jiangmen with entrants aged 45–58 only (the built-in exit rates), so that members first
    // enrolled under the 25-year minimum (001 三 4) retire within the horizon and buy in: the
    // rule moves the buy-ins by more than half (checked on the ledger below).
    let flows = std::fs::read_to_string(root().join("data/worker_flows.csv")).unwrap();
    let older: String = flows
        .lines()
        .map(|line| {
            let cols: Vec<&str> = line.split(',').collect();
            match cols[0].parse::<usize>() {
                Ok(age) => {
                    let share = if (45..=58).contains(&age) {
                        1.0 / 14.0
                    } else {
                        0.0
                    };
                    format!("{},{},{},{share},{share}\n", cols[0], cols[1], cols[2])
                }
                Err(_) => format!("{line}\n"),
            }
        })
        .collect();
    std::fs::write(dir.path().join("older-entrants.csv"), older).unwrap();
    assert!(
        jiangmen.contains("\nmortality_level = 0.8\n")
            && jiangmen.contains("minimum_years_first_enrolled = {")
    );
    let older_text = jiangmen.replace(
        "\nmortality_level = 0.8\n",
        "\nmortality_level = 0.8\nworker_flows = \"older-entrants.csv\"\n",
    );
    let first_enrolled = dir.path().join("jiangmen-first-enrolled.toml");
    std::fs::write(&first_enrolled, &older_text).unwrap();
    let buyins = |text: &str| -> f64 {
        let file = dir.path().join("buyins.toml");
        std::fs::write(&file, text).unwrap();
        let ledger = dir.path().join("buyins.csv");
        common::fundrisk_ok([
            "ledger".as_ref(),
            file.as_os_str(),
            "--out".as_ref(),
            ledger.as_os_str(),
        ]);
        let csv = std::fs::read_to_string(&ledger).unwrap();
        csv.lines()
            .filter(|l| l.starts_with("employees,"))
            .map(|l| l.split(',').nth(5).unwrap().parse::<f64>().unwrap())
            .sum()
    };
    let without: String = older_text
        .lines()
        .filter(|l| !l.starts_with("minimum_years_first_enrolled"))
        .map(|l| format!("{l}\n"))
        .collect();
    let (with_rule, without_rule) = (buyins(&older_text), buyins(&without));
    assert!(
        with_rule > 1.5 * without_rule && without_rule > 0.0,
        "buy-ins with the rule {with_rule}, without {without_rule}"
    );
    scenarios.insert(scenarios.len() - 1, first_enrolled);
    for scenario in &scenarios {
        let ledger = dir.path().join("ledger.csv");
        common::fundrisk_ok([
            "ledger".as_ref(),
            scenario.as_os_str(),
            "--out".as_ref(),
            ledger.as_os_str(),
        ]);
        let text = reference(scenario, &["--ledger".as_ref(), ledger.as_os_str()]);
        assert!(text.contains("× 38 columns compared"), "{text}");
        if scenario == scenarios.last().unwrap() {
            let csv = std::fs::read_to_string(&ledger).unwrap();
            let fired = csv.lines().filter(|l| l.ends_with(",1")).count();
            // The rule fires (for both accounts alike), so the raised rates are compared too.
            assert!(
                fired >= 4 && fired % 2 == 0,
                "the rule fires in at least two Decembers for both accounts: {fired}"
            );
        }
    }
}

/// Runs `fundrisk run` and the reference's own Monte Carlo (its own random streams) on
/// `scenario` and asserts 0 disagreements: means and probabilities by their joint standard
/// errors, quantiles by the reference sample's order-statistic interval (5 standard
/// deviations).
fn monte_carlo_agrees(scenario: &Path, paths: &str) {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    common::fundrisk_ok([
        "run".as_ref(),
        scenario.as_os_str(),
        "--paths".as_ref(),
        paths.as_ref(),
        "--out".as_ref(),
        run.as_os_str(),
    ]);
    let summary = run.join("summary.csv");
    let text = reference(
        scenario,
        &[
            "--paths".as_ref(),
            paths.as_ref(),
            "--seed".as_ref(),
            "3".as_ref(),
            "--summary".as_ref(),
            summary.as_os_str(),
        ],
    );
    assert!(text.contains("summary: 0 disagreements"), "{text}");
}

/// A single fund with a maternity merger. A mistake in the AR(1) scaling of the driver shocks
/// shows as 9 disagreements at 2,000 paths.
#[test]
fn reference_monte_carlo_agrees_for_one_fund() {
    if !numpy_available() {
        return;
    }
    monte_carlo_agrees(&root().join("scenarios/huainan-merger.toml"), "1000");
}

/// The same fund with uncertain means (parameter uncertainty: one offset of the wage and
/// utilisation means a path, 2 and 3 points; regime uncertainty: the wage and utilisation
/// means walk by 3 and 2 points a year) and an uncertain retirement take-up (half of those
/// reaching retirement stay, ± 0.1 a year and ± 0.05 in its mean, walking 0.02 a year; the
/// rest leave): the reference draws its offsets, walks and take-ups from its own streams. A
/// reference without the take-up shows 15 disagreements (one with a certain take-up of 0.5
/// shows none: the take-up's spread is not visible at 1,000 paths); one without the walks, 50.
#[test]
fn reference_monte_carlo_agrees_with_uncertain_means() {
    if !numpy_available() {
        return;
    }
    let text = std::fs::read_to_string(root().join("scenarios/huainan-merger.toml")).unwrap();
    let changed = text
        .replace(
            "persistence = 0.6, source",
            "persistence = 0.6, mean_uncertainty = 0.02, mean_drift = 0.03, source",
        )
        .replace(
            "utilisation_growth = { mean = 0.05, volatility = 0.02, persistence = 0.5,",
            "utilisation_growth = { mean = 0.05, volatility = 0.02, persistence = 0.5, mean_uncertainty = 0.03, mean_drift = 0.02,",
        )
        .replace(
            "retirement_take_up = { mean = 1.0,",
            "retirement_take_up = { mean = 0.5, volatility = 0.1, mean_uncertainty = 0.05, mean_drift = 0.02,",
        );
    assert_eq!(changed.matches("mean_uncertainty").count(), 3);
    assert_eq!(changed.matches("mean_drift").count(), 3);
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("huainan-uncertain-means.toml");
    std::fs::write(&scenario, changed).unwrap();
    monte_carlo_agrees(&scenario, "1000");
}

/// Two cities under Shandong's adjustment fund (003 (四)): the old city's deficits draw on the
/// fund up to twice its levy. A cap multiple of 2.2 instead of 2 shows as 27 disagreements.
#[test]
fn reference_monte_carlo_agrees_under_provincial_adjustment() {
    if !numpy_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("two-cities.toml");
    std::fs::write(&scenario, common::two_city_shandong_text(1e5, 4e5)).unwrap();
    monte_carlo_agrees(&scenario, "1000");
}

/// The national pooled fund to 2070: 576 months of ageing cohorts, improving mortality and the
/// bounded, mean-reverting fertility factor, against the reference's own paths.
#[test]
fn reference_monte_carlo_agrees_over_the_long_range() {
    if !numpy_available() {
        return;
    }
    monte_carlo_agrees(&root().join("scenarios/national-long-range.toml"), "400");
}
