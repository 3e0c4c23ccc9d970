//! `fundrisk calibrate` and `fundrisk backtest` end to end: the committed calibration fragments
//! are exactly what the command writes from the committed series; scenarios include them; the
//! backtest writes its tables, report and scores, and its numbers agree with each other.

use std::path::Path;
use std::process::{Command, Output};

mod common;

fn fundrisk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fundrisk"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("the fundrisk binary runs")
}

fn ok(args: &[&str]) -> String {
    let o = fundrisk(args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The fragments in data/calibration/ (embedded as `builtin:calibration/...`) must be what
/// `calibrate` writes from the series beside them: editing a series without re-running the
/// calibration fails here.
#[test]
fn committed_fragments_are_what_calibrate_writes() {
    let dir = tempfile::tempdir().unwrap();
    for years in ["2013-2019", "2013-2018"] {
        let out = dir.path().join(format!("{years}.toml"));
        let printed = ok(&[
            "calibrate",
            "--data",
            "data/calibration",
            "--years",
            years,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(printed.contains("wage_growth: mean"), "{printed}");
        let written = std::fs::read_to_string(&out).unwrap();
        let committed = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(format!("data/calibration/national-{years}.toml")),
        )
        .unwrap();
        assert_eq!(
            written, committed,
            "re-run `fundrisk calibrate --years {years}`"
        );
        // Every estimate has its standard error, and the window is recorded.
        let last: i32 = years[5..].parse().unwrap();
        assert!(written.contains(&format!("window = [2013, {last}]")));
        for field in [
            "wage_growth.mean",
            "wage_growth.volatility",
            "wage_growth.persistence",
            "employment_growth.mean",
            "utilisation_growth.mean",
            "fertility.volatility",
            "correlation.wage_growth.employment_growth",
        ] {
            assert!(written.contains(&format!("\"{field}\" = ")), "{field}");
        }
    }
}

/// The national backtest (origin end-2018) sees no later data: with every row after 2018
/// deleted from the calibration series, `calibrate --years 2013-2018` writes the same fragment
/// byte for byte, and the backtest run on that fragment gives the same forecast, bit for bit,
/// as the committed one. Changing a later year's figure cannot move the forecast.
#[test]
fn the_backtest_origin_sees_no_later_data() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path();
    std::fs::create_dir_all(cut.join("data/calibration")).unwrap();
    std::fs::create_dir_all(cut.join("scenarios")).unwrap();
    let dropped = common::series_up_to(2018, &cut.join("data/calibration"));
    assert!(dropped >= 15, "{dropped}");
    let run = |cwd: &Path, args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_fundrisk"))
            .current_dir(cwd)
            .args(args)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    let fragment = "data/calibration/national-2013-2018.toml";
    run(
        cut,
        &[
            "calibrate",
            "--data",
            "data/calibration",
            "--years",
            "2013-2018",
            "--name",
            "national-2013-2018",
            "--out",
            fragment,
        ],
    );
    assert_eq!(
        std::fs::read_to_string(cut.join(fragment)).unwrap(),
        std::fs::read_to_string(root.join(fragment)).unwrap()
    );
    std::fs::copy(
        root.join("scenarios/national-backtest.toml"),
        cut.join("scenarios/national-backtest.toml"),
    )
    .unwrap();
    let actuals = root.join("data/calibration/backtest_actuals.csv");
    let forecast = |cwd: &Path, out: &Path| {
        run(
            cwd,
            &[
                "backtest",
                "scenarios/national-backtest.toml",
                "--actuals",
                actuals.to_str().unwrap(),
                "--paths",
                "200",
                "--out",
                out.to_str().unwrap(),
            ],
        );
        std::fs::read(out.join("backtest.csv")).unwrap()
    };
    let full = forecast(root, &dir.path().join("out-full"));
    let cut_only = forecast(cut, &dir.path().join("out-cut"));
    assert!(full == cut_only, "the forecast moved with data after 2018");
}

/// A window that reaches past the data estimates from what is there; a window with too few
/// years is refused with the reason.
#[test]
fn calibrate_reports_what_it_could_not_estimate() {
    let text = ok(&["calibrate", "--years", "2013-2019"]);
    assert!(text.contains("# Not estimated: collection_rate"), "{text}");
    let o = fundrisk(&["calibrate", "--years", "2019-2013"]);
    assert_eq!(o.status.code(), Some(2));
    let o = fundrisk(&["calibrate", "--data", "no/such/folder"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(err.contains("no/such/folder/wages.csv"), "{err}");
}

/// `calibrate --wage-drift-from 1999` writes the wage growth as the local-level fit on the
/// wage's growth of 1999–2024 (step 1.52 points a year, level 3.41 %, noise 0.84 points, as an
/// independent Python fit gives to ±0.01 point; the level's sd 0.75 points as the mean's
/// standard error), which a scenario including the fragment reads as
/// `economy.wage_growth.mean_drift`; without the option no drift is written; too short a window
/// is refused, naming the option.
#[test]
fn calibrate_writes_the_wage_drift_when_asked() {
    let text = ok(&[
        "calibrate",
        "--years",
        "2013-2024",
        "--wage-drift-from",
        "1999",
    ]);
    let series = fundrisk::calibrate::calibrate(Path::new("data/calibration"), 2013, 2024, "x")
        .unwrap()
        .with_wage_drift(Path::new("data/calibration"), 1999)
        .unwrap();
    let fit = series.wage_drift.unwrap().2;
    assert_eq!(fit.n, 26);
    // The wage line is the fit's (level 0.0341, noise 0.0084, step 0.0152 in the Python fit).
    assert!(
        text.contains("wage_growth = { mean = 0.034073, volatility = 0.008401, persistence = 0, mean_drift = 0.015232,"),
        "{text}"
    );
    assert!(text.contains("\"wage_growth.mean\" = 0.007531\n"), "{text}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fragment.toml"), &text).unwrap();
    let scenario = std::fs::read_to_string("scenarios/national-2025.toml")
        .unwrap()
        .replace(
            "include = [\"builtin:calibration/national-2013-2019.toml\"]",
            "include = [\"fragment.toml\"]",
        );
    assert!(scenario.contains("\"fragment.toml\""));
    let path = dir.path().join("national.toml");
    std::fs::write(&path, scenario).unwrap();
    let s = fundrisk::scenario::Scenario::from_path(&path).unwrap();
    // The scenario's own wage_growth (without a drift) keeps the fragment's drift, written to
    // six decimals.
    let drift = s.spec.economy.wage_growth.mean_drift;
    assert!((drift - fit.drift).abs() < 1e-6, "{drift} vs {}", fit.drift);
    assert!((drift - 0.0152).abs() < 1e-4, "{drift}");
    let plain = ok(&["calibrate", "--years", "2013-2024"]);
    assert!(!plain.contains("mean_drift"), "{plain}");
    let o = fundrisk(&[
        "calibrate",
        "--years",
        "2013-2024",
        "--wage-drift-from",
        "2020",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--wage-drift-from") && err.contains("2020–2024"),
        "{err}"
    );
}

/// An included fragment's fields apply under the scenario's own; a fragment with a table other
/// than [calibration] and [economy] is refused, naming the include.
#[test]
fn scenarios_include_fragments_under_their_own_fields() {
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/national-backtest.toml"),
    )
    .unwrap()
    .replace(
        "include = [\"../data/calibration/national-2013-2018.toml\"]",
        "include = [\"fragment.toml\"]",
    );
    std::fs::write(
        dir.path().join("fragment.toml"),
        "[economy]\nwage_growth = { mean = 0.123, volatility = 0.01, persistence = 0.2 }\n\
         interest_rate = { mean = 0.5, volatility = 0.0 }\n",
    )
    .unwrap();
    let file = dir.path().join("s.toml");
    std::fs::write(&file, &base).unwrap();
    let text = ok(&["check", file.to_str().unwrap()]);
    // The fragment's wage growth (the scenario sets none); the scenario's own interest rate.
    let row = |name: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        row("wage growth"),
        "wage growth 12.30 % 1.00 % 0.20",
        "{text}"
    );
    assert!(
        row("interest rate").starts_with("interest rate 1.50 %"),
        "{text}"
    );
    std::fs::write(
        dir.path().join("fragment.toml"),
        "[policy]\nemployee_rate = 0.5\n",
    )
    .unwrap();
    let o = fundrisk(&["check", file.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err.contains("include[0]") && err.contains("only [calibration] and [economy]"),
        "{err}"
    );
    std::fs::remove_file(dir.path().join("fragment.toml")).unwrap();
    let o = fundrisk(&["check", file.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("include[0]") && err.contains("fragment.toml"),
        "{err}"
    );
}

/// The national backtest: 6 years × 6 lines, actuals where published, percentile ranks in
/// [0, 100], the band holding the median, the scores agreeing with the rows, and the report
/// with one fan per line.
#[test]
fn backtest_writes_rows_scores_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bt");
    let printed = ok(&[
        "backtest",
        "scenarios/national-backtest.toml",
        "--actuals",
        "data/calibration/backtest_actuals.csv",
        "--paths",
        "300",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        printed.contains("actuals inside the 90 % band"),
        "{printed}"
    );
    let mut rdr = csv::Reader::from_path(out.join("backtest.csv")).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 36);
    let num = |r: &csv::StringRecord, c: &str| r[col(c)].parse::<f64>().unwrap_or(f64::NAN);
    let mut with_actual = 0;
    let mut inside = [0usize; 6];
    let mut n = [0usize; 6];
    for r in &rows {
        let (p5, med, p95) = (
            num(r, "forecast_p5"),
            num(r, "forecast_median"),
            num(r, "forecast_p95"),
        );
        assert!(p5 <= med && med <= p95, "{r:?}");
        let actual = num(r, "actual");
        if actual.is_nan() {
            assert!(num(r, "percentile_rank").is_nan());
            continue;
        }
        with_actual += 1;
        let h = num(r, "horizon_years") as usize - 1;
        n[h] += 1;
        let rank = num(r, "percentile_rank");
        assert!((0.0..=100.0).contains(&rank));
        let is_inside = (p5..=p95).contains(&actual);
        assert_eq!(&r[col("inside_90")], if is_inside { "yes" } else { "no" });
        inside[h] += usize::from(is_inside);
        let ape = (med - actual).abs() / actual;
        assert!((num(r, "abs_pct_error") - ape).abs() < 1e-12);
    }
    assert_eq!(with_actual, 25);
    let mut rdr = csv::Reader::from_path(out.join("backtest_scores.csv")).unwrap();
    for (h, r) in rdr.records().enumerate() {
        let r = r.unwrap();
        assert_eq!(r[1].parse::<usize>().unwrap(), n[h]);
        assert_eq!(r[2].parse::<usize>().unwrap(), inside[h]);
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for line in fundrisk::backtest::LINES {
        assert!(out.join(format!("charts/backtest_{line}.svg")).exists());
        assert!(html.contains(&format!("id=\"backtest_{line}.svg\"")));
    }
    assert!(out.join("run.json").exists() && out.join("report.xlsx").exists());
}

/// The backtest's members lines of a run without volatility are the expected path's year-end
/// members (`membership_path`, which `fundrisk demography` prints) on every path, and the
/// retirees grow year on year as the published series does.
#[test]
fn backtest_members_are_the_expected_membership_without_volatility() {
    use fundrisk::backtest::{LINES, forecast, membership_path};
    let s = fundrisk::scenario::Scenario::from_path(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/national-backtest.toml"),
    )
    .unwrap()
    .without_volatility();
    let f = forecast(
        &s,
        None,
        &fundrisk::engine::montecarlo::RunOptions::new(3, 1),
    )
    .unwrap();
    let m = membership_path(&s, &[]);
    assert_eq!(m.len(), f.n_years);
    let active = LINES.iter().position(|l| *l == "members_active").unwrap();
    let retiree = LINES.iter().position(|l| *l == "members_retiree").unwrap();
    for (y, year) in m.iter().enumerate() {
        for (line, expected) in [(active, year.active_model), (retiree, year.retired_model)] {
            let v = &f.values[line][y];
            assert!(expected > 1e7, "{expected}");
            assert!(
                v.iter().all(|x| (x - expected).abs() <= 1e-9 * expected),
                "{} line {line}: {v:?} vs {expected}",
                year.year
            );
        }
    }
    let r = &f.values[retiree];
    assert!(r.windows(2).all(|w| w[1][0] > w[0][0]), "{r:?}");
}

/// Actuals outside the forecast years, or of an unknown line, are refused before anything is
/// written.
#[test]
fn backtest_refuses_bad_actuals() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bt");
    for (text, expected) in [
        (
            "year,line,actual\n2030,pooled_balance,1e12\n",
            "outside the forecast",
        ),
        (
            "year,line,actual\n2019,balance,1e12\n",
            "not one of pooled_income",
        ),
        (
            "year,line,actual\n2019,pooled_balance,NaN\n",
            "NaN is outside",
        ),
        (
            "year,line,actual\n2019,pooled_balance,1\n2019,pooled_balance,2\n",
            "given twice",
        ),
    ] {
        let file = dir.path().join("actuals.csv");
        std::fs::write(&file, text).unwrap();
        let o = fundrisk(&[
            "backtest",
            "scenarios/national-backtest.toml",
            "--actuals",
            file.to_str().unwrap(),
            "--paths",
            "10",
            "--out",
            out.to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains(expected) && err.contains("actuals.csv"),
            "{err}"
        );
        assert!(!out.exists());
    }
}

/// Every series file parses (header, no ragged rows, numbers where numbers are), and the
/// cross-checks data/calibration/README.md claims hold: each row's pooled and account balances
/// add up to its fund balance (to the bulletins' rounding), and the bulletin's 2020 income and
/// spending agree with the 2021 bulletin's growth rates.
#[test]
fn calibration_series_parse_and_add_up() {
    use fundrisk::data::Table;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/calibration");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            let text = std::fs::read_to_string(&path).unwrap();
            let t = Table::parse(&path.display().to_string(), &text).unwrap();
            assert!(t.n_rows() > 0);
            files += 1;
        }
    }
    assert_eq!(files, 6);
    let text = std::fs::read_to_string(dir.join("employee_medical_insurance.csv")).unwrap();
    let t = Table::parse("employee_medical_insurance.csv", &text).unwrap();
    let col = |c: &str| t.optional_f64s(c, 0.0, 1e7).unwrap();
    let (years, basis) = (
        t.f64s("year", 2000.0, 2100.0).unwrap(),
        t.strings("basis", &["bulletin", "flash"]).unwrap(),
    );
    let (total, pooled, accounts) = (
        col("fund_balance"),
        col("pooled_balance"),
        col("account_balance"),
    );
    let mut checked = 0;
    for i in 0..years.len() {
        if let (Some(t), Some(p), Some(a)) = (total[i], pooled[i], accounts[i]) {
            assert!(
                (p + a - t).abs() <= 1.01,
                "{} {}: {p} + {a} vs {t}",
                years[i],
                basis[i]
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "{checked}");
    let row = |y: f64, b: &str| {
        (0..years.len())
            .find(|&i| years[i] == y && basis[i] == b)
            .unwrap()
    };
    let (income, spending) = (col("fund_income"), col("fund_spending"));
    let (r20, r21) = (row(2020.0, "bulletin"), row(2021.0, "bulletin"));
    assert!((income[r21].unwrap() / income[r20].unwrap() - 1.208).abs() < 0.0005);
    assert!((spending[r21].unwrap() / spending[r20].unwrap() - 1.146).abs() < 0.0005);
}
