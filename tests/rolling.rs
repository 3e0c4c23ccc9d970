//! The rolling-origin backtest (fundrisk::rolling): every origin sees only the data published by
//! its year's end, its base year meets the published whole-fund figures, and the scores are
//! counted as a hand count gives them.

use fundrisk::backtest::{Actual, BacktestLine, Forecast, LINES};
use fundrisk::engine::montecarlo::RunOptions;
use fundrisk::rolling::{self, ScoreGroup, Scored, run_origin, spec_of};
use fundrisk::scenario::{RollingSpec, Scenario};
use std::path::PathBuf;

mod common;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn template() -> (Scenario, String) {
    let path = root().join("scenarios/national-rolling.toml");
    (
        Scenario::from_path(&path).unwrap(),
        std::fs::read_to_string(&path).unwrap(),
    )
}

/// The template, its backtest section, the full published series and 8 paths on one thread:
/// what the origin tests below run with.
fn setup() -> (Scenario, String, RollingSpec, PathBuf, RunOptions) {
    let (t, text) = template();
    let r = spec_of(&t).unwrap();
    (
        t,
        text,
        r,
        root().join("data/calibration"),
        RunOptions::new(8, 1),
    )
}

/// For every origin 2016–2022: the forecast (every line, year and path) and the solved base
/// year are the same from the full series as from copies cut at the origin's year, so no
/// origin reads a later row. The cut copies do drop rows (at least the years 2023–2024 of
/// three files), so the test can fail.
#[test]
fn every_origin_sees_no_later_data() {
    let (t, text) = template();
    let r = spec_of(&t).unwrap();
    assert_eq!(r.origins, [2016, 2022]);
    let full = root().join("data/calibration");
    let opts = RunOptions::new(64, 7);
    for y in r.origins[0]..=r.origins[1] {
        let dir = tempfile::tempdir().unwrap();
        let dropped = common::series_up_to(y, dir.path());
        assert!(dropped >= 2 * (2024 - y) as usize, "origin {y}: {dropped}");
        let a = run_origin(&t, &text, &r, &full, y, &opts).unwrap();
        let b = run_origin(&t, &text, &r, dir.path(), y, &opts).unwrap();
        assert_eq!(a.forecast.values, b.forecast.values, "origin {y}");
        assert_eq!(
            a.fit.collection_factor, b.fit.collection_factor,
            "origin {y}"
        );
        assert_eq!(
            a.fit.utilisation_factor, b.fit.utilisation_factor,
            "origin {y}"
        );
        // The retirement take-up: its level and uncertainty from the years up to the origin.
        assert_eq!(
            a.scenario.units[0].spec.retirement_take_up_level,
            b.scenario.units[0].spec.retirement_take_up_level,
            "origin {y}"
        );
        assert_eq!(
            a.scenario.spec.economy.retirement_take_up.volatility,
            b.scenario.spec.economy.retirement_take_up.volatility,
            "origin {y}"
        );
        assert_eq!(
            a.scenario.spec.economy.collection_rate.volatility,
            b.scenario.spec.economy.collection_rate.volatility,
            "origin {y}"
        );
        let drift = a.scenario.spec.economy.wage_growth.mean_drift;
        assert!(drift > 0.0, "origin {y}");
        assert_eq!(
            drift, b.scenario.spec.economy.wage_growth.mean_drift,
            "origin {y}"
        );
        assert_eq!(a.scenario.spec.start.to_string(), format!("{}-01", y + 1));
        // The cut copies have no actuals; the full series has the later years'.
        assert!(b.actuals.is_empty(), "origin {y}");
        assert!(a.actuals.iter().all(|x| x.year > y && x.year <= 2024));
        assert!(a.actuals.len() >= 2 * (2024 - y) as usize, "origin {y}");
    }
}

/// Each origin's base year meets the published whole-fund income and the published year-end
/// pooled balance to 0.01 % (employee_medical_insurance.csv; 亿元 × 1e8), and opens at the
/// published position of the same year end.
#[test]
fn each_origin_opens_at_its_published_year_end() {
    let (t, text, r, full, opts) = setup();
    // (origin, fund income, pooled balance, in service, retired), from the CSV's rows.
    for (y, income, balance, active, retired) in [
        (2016, 10274.0, 7772.0, 21720.0, 7812.0),
        (2018, 13538.0, 11466.0, 23308.0, 8373.0),
        (2021, 19003.10, 17833.82, 26106.0, 9324.0),
    ] {
        let o = run_origin(&t, &text, &r, &full, y, &opts).unwrap();
        let f = &o.fit;
        assert!(
            (f.modelled.0 / (income * 1e8) - 1.0).abs() < 1e-4,
            "{y}: {f:?}"
        );
        assert!(
            (f.modelled.1 / (balance * 1e8) - 1.0).abs() < 1e-4,
            "{y}: {f:?}"
        );
        let u = &o.scenario.units[0].spec;
        assert_eq!(u.initial_pooled_balance, balance * 1e8);
        let m = &u.membership;
        let in_service = m.enterprise + m.government + m.flexible;
        assert!((in_service / (active * 1e4) - 1.0).abs() < 1e-12, "{y}");
        assert_eq!(m.retirees, retired * 1e4);
        assert_eq!(u.pooled_spending_prev_year, f.base_year.pooled_spending);
    }
}

/// With `parameter_uncertainty`, each origin's calibrated drivers carry the standard error of
/// their calibrated mean (the calibration of 2013 to the origin, nothing later) as
/// `mean_uncertainty` (the wage, whose drift the template fits, the local-level level's sd); the
/// drivers the template sets itself (medical prices) keep none; without it, none does.
#[test]
fn parameter_uncertainty_is_the_calibrated_means_standard_error() {
    let (t, text, mut r, full, opts) = setup();
    for y in [2016, 2022] {
        // The template fits the wage's drift: the wage's mean error is then the local-level
        // fit's level sd, the others' the AR(1) means'.
        let cal = fundrisk::calibrate::calibrate(&full, r.calibration_from, y, "test")
            .unwrap()
            .with_wage_drift(&full, 1999)
            .unwrap();
        let se = |d: &str| {
            cal.drivers
                .iter()
                .find(|e| e.driver == d)
                .map(|e| cal.mean_se(e))
                .unwrap()
        };
        let wage = cal.wage_drift.unwrap().2;
        assert_eq!(se("wage_growth"), wage.level_sd);
        let ar1 = cal
            .drivers
            .iter()
            .find(|e| e.driver == "wage_growth")
            .unwrap()
            .mean
            .se;
        assert_ne!(wage.level_sd, ar1);
        // The standard errors as estimated (their small-sample widening is tested below).
        r.variance_uncertainty = false;
        r.parameter_uncertainty = true;
        let o = run_origin(&t, &text, &r, &full, y, &opts).unwrap();
        let e = &o.scenario.spec.economy;
        assert_eq!(e.wage_growth.mean_uncertainty, se("wage_growth"), "{y}");
        assert_eq!(
            e.employment_growth.mean_uncertainty,
            se("employment_growth")
        );
        assert_eq!(
            e.utilisation_growth.mean_uncertainty,
            se("utilisation_growth")
        );
        assert!(e.utilisation_growth.mean_uncertainty > 0.005, "{y}");
        assert_eq!(e.medical_price_growth.mean_uncertainty, 0.0);
        r.parameter_uncertainty = false;
        let o = run_origin(&t, &text, &r, &full, y, &opts).unwrap();
        assert_eq!(o.scenario.spec.economy.wage_growth.mean_uncertainty, 0.0);
        assert_eq!(
            o.scenario.spec.economy.utilisation_growth.mean_uncertainty,
            0.0
        );
    }
}

/// With `wage_drift_from`, an origin's wage growth is the local-level model fitted to the
/// published wage's log growth of 1999 to the origin (the NBS figures of wages.csv, typed here):
/// its level's step as the drift, 0.0134 for origin 2016 and 0.0110 for 2022, as an independent
/// fit (a Kalman filter and golden-section search in Python, to ±0.0001: the search's grid is
/// 1 % in q) gives; its level at the origin as the mean and its noise as the volatility.
/// Without it, no drift; a template that sets its own keeps it.
#[test]
fn wage_drift_is_the_local_level_step_of_wage_growth() {
    let (t, text, mut r, full, opts) = setup();
    assert_eq!(r.wage_drift_from, Some(1999));
    let wages: [(i32, f64); 25] = [
        (1998, 7446.0),
        (1999, 8319.0),
        (2000, 9333.0),
        (2001, 10834.0),
        (2002, 12373.0),
        (2003, 13969.0),
        (2004, 15920.0),
        (2005, 18200.0),
        (2006, 20856.0),
        (2007, 24721.0),
        (2008, 28898.0),
        (2009, 32244.0),
        (2010, 36539.0),
        (2011, 41799.0),
        (2012, 46769.0),
        (2013, 51483.0),
        (2014, 56360.0),
        (2015, 62029.0),
        (2016, 67569.0),
        (2017, 74318.0),
        (2018, 82461.0),
        (2019, 90501.0),
        (2020, 97379.0),
        (2021, 106837.0),
        (2022, 114029.0),
    ];
    for (y, independent) in [(2016, 0.0134), (2022, 0.0110)] {
        let growth: std::collections::BTreeMap<i32, f64> = wages
            .windows(2)
            .filter(|w| w[1].0 <= y)
            .map(|w| (w[1].0, (w[1].1 / w[0].1).ln()))
            .collect();
        assert_eq!(growth.len() as i32, y - 1998);
        let fit = fundrisk::calibrate::estimate_local_level(&growth).unwrap();
        let o = run_origin(&t, &text, &r, &full, y, &opts).unwrap();
        let drift = o.scenario.spec.economy.wage_growth.mean_drift;
        // The wage line is the local-level fit's: its level as the mean, its noise as the
        // volatility (white). Through the calibration fragment, to six decimals.
        let w = &o.scenario.spec.economy.wage_growth;
        let mean = w.mean.at(o.scenario.spec.start);
        assert!(
            (mean - fit.level).abs() < 1e-6,
            "{y}: {mean} vs {}",
            fit.level
        );
        assert!((w.volatility - fit.noise).abs() < 1e-6, "{y}");
        assert_eq!(w.persistence, 0.0);
        assert!(
            (drift - fit.drift).abs() < 1e-6,
            "{y}: {drift} vs {}",
            fit.drift
        );
        assert!((drift - independent).abs() < 1e-4, "{y}: {drift}");
        let source = o.scenario.spec.economy.wage_growth.source.clone().unwrap();
        assert!(source.contains(&format!("1999–{y}")), "{source}");
    }
    let own = text.replace(
        "[economy]\n",
        "[economy]\nwage_growth = { mean = 0.05, mean_drift = 0.002 }\n",
    );
    assert_ne!(own, text);
    let o = run_origin(&t, &own, &r, &full, 2022, &opts).unwrap();
    assert_eq!(o.scenario.spec.economy.wage_growth.mean_drift, 0.002);
    r.wage_drift_from = None;
    let o = run_origin(&t, &text, &r, &full, 2022, &opts).unwrap();
    assert_eq!(o.scenario.spec.economy.wage_growth.mean_drift, 0.0);
}

/// With `retirement_take_up`, an origin's base year meets the published growth of retirees
/// (employee_medical_insurance.csv: 7,531 → 7,812 万 in 2016, 9,026 → 9,324 万 in 2021) to
/// 1e-9, at a take-up below 1 (the model's own retirements run ahead of the bulletins'), and the
/// take-up's volatility and mean uncertainty are the standard deviation of the published
/// retirees' log growth 2013–origin over the base year's growth per unit of take-up and over the
/// solved level (the driver's spread, which the level multiplies), computed here from the CSV's
/// figures. Without it, the take-up stays 1 and certain.
#[test]
fn retirement_take_up_meets_the_published_growth_of_retirees() {
    let (t, text, mut r, full, opts) = setup();
    assert!(r.retirement_take_up);
    // The spread as estimated (its small-sample widening is tested below).
    r.variance_uncertainty = false;
    // Retirees at the year ends 2012-2021, 万人 (the bulletin rows of the CSV).
    let retired = [
        6624.0, 6942.0, 7255.0, 7531.0, 7812.0, 8034.0, 8373.0, 8700.0, 9026.0, 9324.0,
    ];
    for y in [2016, 2021] {
        let i = (y - 2012) as usize;
        let o = run_origin(&t, &text, &r, &full, y, &opts).unwrap();
        let fit = o.fit.retirees.expect("a retirees fit");
        let published = retired[i] / retired[i - 1] - 1.0;
        assert!((fit.published_growth - published).abs() < 1e-12, "{y}");
        assert!((fit.modelled - published).abs() < 1e-9, "{y}: {fit:?}");
        assert!(fit.modelled_before > published, "{y}: {fit:?}");
        assert!(fit.take_up > 0.5 && fit.take_up < 1.0, "{y}: {fit:?}");
        let level = o.scenario.units[0].spec.retirement_take_up_level;
        assert!(
            (level - fit.take_up).abs() < 1e-12,
            "{y}: the driver's mean is 1"
        );
        // Growth rates 2013..=y.
        let g: Vec<f64> = (1..=i)
            .map(|k| (retired[k] / retired[k - 1]).ln())
            .collect();
        let n = g.len() as f64;
        let mean = g.iter().sum::<f64>() / n;
        let sd = (g.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let e = &o.scenario.spec.economy.retirement_take_up;
        // In take-up points, then over the level the driver multiplies.
        let want = sd / fit.growth_per_take_up / level;
        assert!(
            (e.volatility - want).abs() < 1e-12,
            "{y}: {} {want}",
            e.volatility
        );
        assert_eq!(e.mean_uncertainty, e.volatility);
        assert!(
            e.volatility > 0.01 && e.volatility < 0.5,
            "{y}: {}",
            e.volatility
        );
    }
    r.retirement_take_up = false;
    let o = run_origin(&t, &text, &r, &full, 2016, &opts).unwrap();
    assert!(o.fit.retirees.is_none());
    assert_eq!(o.scenario.units[0].spec.retirement_take_up_level, 1.0);
    assert_eq!(o.scenario.spec.economy.retirement_take_up.volatility, 0.0);
}

/// With `collection_volatility`, an origin's collection level varies as the published fund
/// income did beyond the average wage and the members in service: computed here from the CSVs'
/// figures (fund income 亿, average wage yuan, members in service 万, 2012-2018). Origin 2016
/// uses 2013-2016; origin 2022 only 2013-2018, since the template's merger (2019-12), halving
/// (2020-02, 2020-07) and outpatient reform (2022-01) take effect in, or the year before, each of
/// 2019-2022. The template's persistence is 0.5, so the level's volatility is the residuals' sd.
#[test]
fn collection_volatility_is_the_unexplained_growth_of_fund_income() {
    let (t, text, mut r, full, opts) = setup();
    assert!(r.collection_volatility);
    r.variance_uncertainty = false;
    let income: [f64; 7] = [6062.0, 7062.0, 8038.0, 9084.0, 10274.0, 12278.0, 13538.0];
    let wage: [f64; 7] = [
        46769.0, 51483.0, 56360.0, 62029.0, 67569.0, 74318.0, 82461.0,
    ];
    let active: [f64; 7] = [
        19861.0, 20501.0, 21041.0, 21362.0, 21720.0, 22288.0, 23308.0,
    ];
    let residual = |k: usize| {
        (income[k] / income[k - 1]).ln()
            - (wage[k] / wage[k - 1]).ln()
            - (active[k] / active[k - 1]).ln()
    };
    let sd = |v: &[f64]| {
        let n = v.len() as f64;
        let m = v.iter().sum::<f64>() / n;
        (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    };
    for (y, last) in [(2016, 4), (2022, 6)] {
        let want = sd(&(1..=last).map(residual).collect::<Vec<_>>());
        let o = run_origin(&t, &text, &r, &full, y, &opts).unwrap();
        let got = o.scenario.spec.economy.collection_rate.volatility;
        assert!((got - want).abs() < 1e-12, "{y}: {got} against {want}");
    }
    r.collection_volatility = false;
    let o = run_origin(&t, &text, &r, &full, 2022, &opts).unwrap();
    assert_eq!(o.scenario.spec.economy.collection_rate.volatility, 0.01);
}

/// With `variance_uncertainty`, every volatility an origin estimates as the sample standard
/// deviation of n annual values, and every calibrated mean's standard error (from the same
/// variance), is that of Student's t with n − 1 degrees of freedom, √((n − 1)/(n − 3)) times
/// the sample's. Origin 2016 estimates each on the four growth rates of
/// 2013–2016 (×√3); origin 2022 its members in service and retirees on the ten of 2013–2022
/// (×√(9/7)), spending per member on nine (2019, the year the fund takes in maternity, left
/// out: ×√(8/6)) and the collection level on the six of 2013–2018 (×√(5/3)). The wage's
/// local-level fit and the medical prices the template sets itself are left as they are.
#[test]
fn variance_uncertainty_is_students_t_on_the_values_estimated_from() {
    let (t, text, mut r, full, opts) = setup();
    for (y, members, spending, collection) in [
        (2016, 3.0_f64.sqrt(), 3.0_f64.sqrt(), 3.0_f64.sqrt()),
        (
            2022,
            (9.0_f64 / 7.0).sqrt(),
            (8.0_f64 / 6.0).sqrt(),
            (5.0_f64 / 3.0).sqrt(),
        ),
    ] {
        r.variance_uncertainty = false;
        let narrow = run_origin(&t, &text, &r, &full, y, &opts).unwrap();
        r.variance_uncertainty = true;
        let wide = run_origin(&t, &text, &r, &full, y, &opts).unwrap();
        let (a, b) = (&narrow.scenario.spec.economy, &wide.scenario.spec.economy);
        let ratio = |x: f64, y: f64| y / x;
        let close = |got: f64, want: f64, what: &str| {
            assert!(
                (got - want).abs() < 1e-12,
                "{y} {what}: {got} against {want}"
            );
        };
        close(
            ratio(
                a.employment_growth.volatility,
                b.employment_growth.volatility,
            ),
            members,
            "members in service",
        );
        close(
            ratio(
                a.utilisation_growth.volatility,
                b.utilisation_growth.volatility,
            ),
            spending,
            "spending per member",
        );
        close(
            ratio(a.collection_rate.volatility, b.collection_rate.volatility),
            collection,
            "collection level",
        );
        close(
            ratio(
                a.retirement_take_up.volatility,
                b.retirement_take_up.volatility,
            ),
            members,
            "retirement take-up",
        );
        assert_eq!(
            b.retirement_take_up.mean_uncertainty,
            b.retirement_take_up.volatility
        );
        // The calibrated means' standard errors rest on the same variances (the template
        // carries them, parameter_uncertainty).
        close(
            ratio(
                a.employment_growth.mean_uncertainty,
                b.employment_growth.mean_uncertainty,
            ),
            members,
            "members in service's mean",
        );
        close(
            ratio(
                a.utilisation_growth.mean_uncertainty,
                b.utilisation_growth.mean_uncertainty,
            ),
            spending,
            "spending per member's mean",
        );
        assert_eq!(a.wage_growth.volatility, b.wage_growth.volatility, "{y}");
        assert_eq!(
            a.wage_growth.mean_uncertainty, b.wage_growth.mean_uncertainty,
            "{y}"
        );
        assert_eq!(
            a.medical_price_growth.volatility,
            b.medical_price_growth.volatility
        );
        assert!(
            b.employment_growth
                .source
                .as_deref()
                .unwrap_or("")
                .contains("degrees of freedom")
        );
        // Only the spread moves: the same levels are solved.
        assert_eq!(narrow.fit.base_year, wide.fit.base_year, "{y}");
    }
}

fn scored(line: &'static str, horizon: i32, actual: f64, median: f64) -> Scored {
    Scored {
        origin: 2020,
        year: 2020 + horizon,
        line: BacktestLine::of_name(line).expect("a line"),
        horizon,
        actual,
        median,
        p5: 90.0,
        p25: 95.0,
        p75: 105.0,
        p95: 110.0,
        abs_pct_error: (median - actual).abs() / actual,
        crps_relative: 0.01,
    }
}

/// Scores counted by hand: four actuals against bands 90–110 (90 %) and 95–105 (50 %): 100 and
/// 104 inside both, 108 inside the 90 % band only, 120 outside both; the median errors 0, 0.04,
/// 0.08 and 0.2 have the median 0.06 over all, and per line and horizon their own.
#[test]
fn scores_by_hand() {
    let items = vec![
        scored("pooled_balance", 1, 100.0, 100.0),
        scored("pooled_balance", 2, 104.0, 99.84),
        scored("fund_income", 1, 108.0, 99.36),
        scored("fund_income", 1, 120.0, 96.0),
    ];
    let groups = rolling::scores(&items);
    let find = |line: &str, h: i32| -> &ScoreGroup {
        groups
            .iter()
            .find(|g| g.line.map_or("all", BacktestLine::name) == line && g.horizon == h)
            .unwrap()
    };
    let all = find("all", 0);
    assert_eq!((all.n, all.inside_90, all.inside_50), (4, 3, 2));
    assert!((all.median_abs_pct_error - 0.06).abs() < 1e-12, "{all:?}");
    assert!((all.mean_crps_relative - 0.01).abs() < 1e-15);
    let f1 = find("fund_income", 1);
    assert_eq!((f1.n, f1.inside_90, f1.inside_50), (2, 1, 0));
    assert!((f1.median_abs_pct_error - 0.14).abs() < 1e-12, "{f1:?}");
    let b = find("pooled_balance", 0);
    assert_eq!((b.n, b.inside_90, b.inside_50), (2, 2, 2));
    let one_ahead = find("all", 1);
    assert_eq!(one_ahead.n, 3);
    // No group without actuals.
    assert!(
        !groups
            .iter()
            .any(|g| g.line == Some(BacktestLine::MembersActive))
    );
    assert!(groups.iter().all(|g| g.n > 0));
}

/// `score` ranks an actual among the paths of its year and line: paths 1…100, actual 97 two
/// years after origin 2018: median 50.5, outside the 90 % band (5.95–95.05), APE 46.5/97.
#[test]
fn score_of_a_constructed_forecast() {
    let v: Vec<f64> = (1..=100).map(f64::from).collect();
    let f = Forecast {
        fund: "x".into(),
        first_year: 2019,
        n_years: 2,
        paths: 100,
        values: vec![vec![v; 2]; LINES.len()],
    };
    let a = [Actual {
        year: 2020,
        line: BacktestLine::PooledBalance,
        value: 97.0,
        source: String::new(),
    }];
    let s = rolling::score(2018, &f, &a);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].horizon, 2);
    assert_eq!(s[0].median, 50.5);
    assert!(!s[0].inside_90() && !s[0].inside_50());
    assert!((s[0].abs_pct_error - 46.5 / 97.0).abs() < 1e-15);
    assert!(
        (s[0].crps_relative * 97.0 - fundrisk::backtest::crps_sorted(&f.values[2][1], 97.0)).abs()
            < 1e-9
    );
}

/// A template with bad `[backtest]` fields is refused before any work, naming the field and the
/// allowed range.
#[test]
fn a_bad_backtest_section_is_named() {
    let (_, text) = template();
    for (from, to, field) in [
        (
            "origins = [2016, 2022]",
            "origins = [2022, 2016]",
            "backtest.origins",
        ),
        ("last_year = 2024", "last_year = 2020", "backtest.last_year"),
        (
            "calibration_from = 2013",
            "calibration_from = 2016",
            "backtest.calibration_from",
        ),
        (
            "reference_births = 1.202e7",
            "reference_births = -1.0",
            "backtest.reference_births",
        ),
        (
            "jump_tolerance = 0.20",
            "jump_tolerance = 1.5",
            "backtest.jump_tolerance",
        ),
        (
            "origins = [2016, 2022]",
            "origins = [2015, 2022]",
            "origin 2015: the series give fewer than 4 growth rates",
        ),
        (
            "wage_drift_from = 1999",
            "wage_drift_from = 2010",
            "backtest.wage_drift_from",
        ),
        (
            "wage_drift_from = 1999",
            "wage_drift_from = 1960",
            "wages.csv gives growth rates from 1996 on",
        ),
    ] {
        assert!(text.contains(from), "{from}");
        let bad = text.replace(from, to);
        let s = Scenario::parse(
            &bad,
            "rolling.toml",
            fundrisk::data::DataSource {
                base_dir: Some(root().join("scenarios")),
            },
        )
        .unwrap();
        // Origin 2015 passes the section's checks and is refused when it is built.
        let e = match spec_of(&s) {
            Err(e) => e.to_string(),
            Ok(r) => {
                let full = root().join("data/calibration");
                match run_origin(&s, &bad, &r, &full, r.origins[0], &RunOptions::new(4, 1)) {
                    Err(e) => e.to_string(),
                    Ok(_) => panic!("{to} was accepted"),
                }
            }
        };
        assert!(e.contains(field) && e.contains("rolling.toml"), "{e}");
    }
}

/// Every origin is built, solved and sized before the first forecast: with the series cut at
/// 2021, origin 2022 (the last) is refused for the figure it lacks, although the run was
/// cancelled before it began (a forecast of origin 2016 would have returned `Cancelled`).
#[test]
fn a_bad_origin_is_refused_before_any_forecast() {
    let (_, text) = template();
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("cut")).unwrap();
    std::fs::create_dir(tmp.path().join("t")).unwrap();
    assert!(common::series_up_to(2021, &tmp.path().join("cut")) > 0);
    let from = "series = \"../data/calibration\"";
    assert!(text.contains(from));
    let file = tmp.path().join("t/rolling.toml");
    std::fs::write(&file, text.replace(from, "series = \"../cut\"")).unwrap();
    let mut opts = RunOptions::new(64, 1);
    opts.cancel = Some(std::sync::Arc::new(std::sync::atomic::AtomicBool::new(
        true,
    )));
    let e = rolling::run(&file, &opts)
        .err()
        .expect("origin 2022 refused");
    let msg = e.to_string();
    assert!(
        !matches!(e, fundrisk::Error::Cancelled { .. })
            && msg.contains(
                "rolling.toml: backtest.origins: origin 2022: calibration window 2013–2022"
            ),
        "{msg}"
    );
    // With the origins up to 2021 only, the same cancelled run reaches the forecasts.
    let upto = text.replace("origins = [2016, 2022]", "origins = [2016, 2021]");
    std::fs::write(&file, upto.replace(from, "series = \"../cut\"")).unwrap();
    assert!(matches!(
        rolling::run(&file, &opts),
        Err(fundrisk::Error::Cancelled { .. })
    ));
}

/// `fundrisk backtest TEMPLATE` writes every scored actual, the scores and a report with one
/// fan chart per origin and line with actuals; the scores recount from the rows.
#[test]
fn the_rolling_command_writes_rows_scores_and_charts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bt");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_fundrisk"))
        .current_dir(root())
        .args([
            "backtest",
            "scenarios/national-rolling.toml",
            "--paths",
            "64",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Each origin says what it fitted, e.g. the wage growth's drift of 1999–2016.
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(
        said.contains("wage growth's mean walks ± 0.0134 a year (the local-level fit on the wage growth of 1999–2016)"),
        "{said}"
    );
    assert_eq!(said.matches("wage growth's mean walks").count(), 7);
    let mut rdr = csv::Reader::from_path(out.join("backtest.csv")).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    // 2017–2024 from 2016 … 2023–2024 from 2022: members every year but 2023, the pooled
    // balance and fund income every year (2023's balance derived from the 2024 bulletin), pooled
    // income and spending in 2023 and 2024.
    let expected: usize = (2016..=2022)
        .map(|y: i32| {
            let years = 2024 - y;
            2 * (years - 1) + 2 * years + 2 * 2
        })
        .sum::<i32>() as usize;
    assert_eq!(rows.len(), expected);
    let (mut n, mut inside) = (0, 0);
    let mut charts = std::collections::BTreeSet::new();
    for r in &rows {
        let actual: f64 = r[col("actual")].parse().unwrap();
        let (p5, p95): (f64, f64) = (
            r[col("forecast_p5")].parse().unwrap(),
            r[col("forecast_p95")].parse().unwrap(),
        );
        n += 1;
        inside += usize::from((p5..=p95).contains(&actual));
        charts.insert(format!(
            "origin{}_{}.svg",
            &r[col("origin")],
            &r[col("line")]
        ));
    }
    let mut rdr = csv::Reader::from_path(out.join("backtest_scores.csv")).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let scol = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let all = rdr
        .records()
        .map(|r| r.unwrap())
        .find(|r| &r[scol("line")] == "all" && &r[scol("horizon_years")] == "0")
        .unwrap();
    assert_eq!(all[scol("n_actuals")].parse::<usize>().unwrap(), n);
    assert_eq!(all[scol("n_inside_90")].parse::<usize>().unwrap(), inside);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_eq!(charts.len(), 7 * 6);
    for c in &charts {
        assert!(out.join("charts").join(c).exists(), "{c}");
        assert!(html.contains(&format!("id=\"{c}\"")), "{c}");
    }
}
