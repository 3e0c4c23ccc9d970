//! The Monte Carlo engine: agreement with the exact ledger at zero volatility, determinism
//! across threads and chunking, driver statistics, and the risk measures' own consistency.

use fundrisk::data::DataSource;
use fundrisk::engine::ScenarioModel;
use fundrisk::engine::exact::exact_ledger;
use fundrisk::engine::montecarlo::{RunOptions, path_rng, run_path};
use fundrisk::ledger::{FundMonth, N_INCOME, N_SPENDING};
use fundrisk::report::table::{Table, Values};
use fundrisk::risk::Simulation;
use fundrisk::risk::simulate;
use fundrisk::scenario::{GUANGDONG_MERGER_SCENARIO, Scenario};
use rust_decimal::prelude::ToPrimitive;

fn scenario(text: &str) -> Scenario {
    Scenario::parse(text, "test.toml", DataSource::default()).expect("scenario")
}

mod common;

use common::edit;

/// The model Monte Carlo runs use: expected benefits read from the benefit grids.
fn mc_model(s: &Scenario) -> ScenarioModel {
    let mut model = ScenarioModel::new(s);
    assert!(model.build_benefit_grids().unwrap() > 0);
    model
}

fn run(s: &Scenario, paths: usize, threads: usize, chunk_blocks: usize) -> Simulation {
    let model = mc_model(s);
    let mut opts = RunOptions::new(paths, s.spec.run.seed);
    opts.threads = Some(threads);
    opts.chunk_blocks = chunk_blocks;
    simulate(&model, &s.spec.risk, &opts, &|_| {}).expect("simulate")
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(a.abs()) + 0.011
}

/// MODEL.md: with all volatilities zero the engine reproduces the deterministic projection;
/// issue 3: every path equals the exact ledger to within 0.01 % on every line.
#[test]
fn zero_volatility_paths_equal_the_exact_ledger() {
    let s = scenario(GUANGDONG_MERGER_SCENARIO).without_volatility();
    let model = ScenarioModel::new(&s);
    let ledger = exact_ledger(&model);
    let h = model.horizon as usize;
    // Paths read benefits from the grids, the ledger evaluates them exactly.
    let model = mc_model(&s);
    let mut state = fundrisk::engine::PathState::<f64>::new(&model);
    assert!(state.use_grid);
    for p in [0u64, 1, 977] {
        let mut months: Vec<Option<FundMonth<f64>>> = vec![None; model.funds.len() * h];
        run_path(
            &model,
            42,
            p,
            &mut state,
            &mut |k: usize, f: usize, r: &FundMonth<f64>, _: &fundrisk::engine::Memo| {
                months[f * h + k] = Some(r.clone())
            },
        );
        for (i, row) in ledger.iter().enumerate() {
            let mc = months[i].as_ref().expect("every fund-month observed");
            let d = &row.record;
            let pairs = (0..N_INCOME)
                .map(|l| (mc.income[l], d.income[l]))
                .chain((0..N_SPENDING).map(|l| (mc.spending[l], d.spending[l])))
                .chain([
                    (mc.interest, d.interest),
                    (mc.transfers_net, d.transfers_net),
                    (mc.balance, d.balance),
                    (mc.avg_spending_12m, d.avg_spending_12m),
                ]);
            for (j, (a, b)) in pairs.enumerate() {
                let b = b.to_f64().unwrap();
                assert!(
                    close(a, b, 1e-4),
                    "path {p}, {} {}: line {j}: {a} vs {b}",
                    row.unit,
                    row.month
                );
            }
        }
    }
    // And the aggregated run: every path the same, so quantiles collapse onto the ledger.
    let sim = run(&s, 70, 2, 1);
    let t = sim.summary();
    let dec = ledger
        .iter()
        .filter(|r| r.unit == "guangdong" && r.month.month() == 12);
    let p5 = t.numbers("balance_p5").unwrap();
    let p95 = t.numbers("balance_p95").unwrap();
    let births = t.numbers("births_insured_mean").unwrap();
    let retirees = t.numbers("members_retiree_mean").unwrap();
    for (y, year) in (2019..=2028).enumerate() {
        let rows: Vec<_> = ledger
            .iter()
            .filter(|r| r.unit == "guangdong" && r.month.year() == year)
            .collect();
        let b: f64 = rows.iter().map(|r| r.memo.births_insured).sum();
        assert!(
            close(births[y], b, 1e-6),
            "{year}: births {} vs {b}",
            births[y]
        );
        let december = rows.last().unwrap().memo.members[4];
        assert!(close(retirees[y], december, 1e-6));
    }
    for (y, row) in dec.enumerate() {
        let b = row.record.balance.to_f64().unwrap();
        assert!(
            close(p5[y], b, 1e-4) && close(p95[y], b, 1e-4),
            "{}: {} {} {b}",
            row.month,
            p5[y],
            p95[y]
        );
    }
}

fn assert_same_bits(a: &Table, b: &Table) {
    assert_eq!(a.columns.len(), b.columns.len());
    for ((na, va), (nb, vb)) in a.columns.iter().zip(&b.columns) {
        assert_eq!(na, nb);
        match (va, vb) {
            (Values::F64(x), Values::F64(y)) => {
                let xb: Vec<u64> = x.iter().map(|v| v.to_bits()).collect();
                let yb: Vec<u64> = y.iter().map(|v| v.to_bits()).collect();
                assert_eq!(xb, yb, "column {na}");
            }
            _ => assert_eq!(va, vb, "column {na}"),
        }
    }
}

/// Path p's stream comes from (seed, p) alone: 1 or 2 threads, any work chunking, the same
/// bits. 150 paths: two full blocks and a partial one. Also with members first enrolled under
/// their own minimum (tracked per path: nothing of one path may reach the next).
#[test]
fn results_are_bit_identical_across_threads_and_chunking() {
    let s = scenario(GUANGDONG_MERGER_SCENARIO);
    let first_enrolled = scenario(&edit(
        GUANGDONG_MERGER_SCENARIO,
        "buyin_mode = \"lump_sum\"",
        "buyin_mode = \"lump_sum\"\nminimum_years_first_enrolled = { from = \"2019-01\", male = 25.0, female = 25.0, prior_years_mean = 5.0, prior_years_sd = 3.0 }",
    ));
    for s in [&s, &first_enrolled] {
        let a = run(s, 150, 1, 1);
        let b = run(s, 150, 2, 1);
        let c = run(s, 150, 2, 3);
        for other in [&b, &c] {
            assert_same_bits(&a.summary(), &other.summary());
            assert_same_bits(&a.exhaustion(), &other.exhaustion());
            assert_same_bits(&a.warnings(), &other.warnings());
        }
    }
    let a = run(&s, 150, 1, 1);
    // The first paths of a longer run are the same paths.
    let d = run(&s, 200, 2, 1);
    assert_eq!(a.balances(0, 3)[..150], d.balances(0, 3)[..150]);
    // A different seed gives different paths.
    let mut s2 = s.clone();
    s2.spec.run.seed += 1;
    assert_ne!(run(&s2, 150, 2, 1).balances(0, 3), a.balances(0, 3));
}

/// Over many paths the drivers' sample means, volatilities, lag-one autocorrelations and
/// cross-correlations match the scenario. Tolerances are 4 standard errors: of a mean σ/√n, of
/// a standard deviation σ/√(2n), of a correlation (1 − ρ²)/√n.
#[test]
fn driver_statistics_match_the_scenario() {
    let text = edit(
        GUANGDONG_MERGER_SCENARIO,
        "[economy.fertility]",
        "correlation = [
  [1.0, 0.5, 0.0, 0.3, 0.0, 0.0, 0.0],
  [0.5, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0],
  [0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0],
  [0.3, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0],
  [0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0],
  [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0],
  [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0],
]

[economy.fertility]",
    );
    let s = scenario(&text);
    let model = ScenarioModel::new(&s);
    let n = 20_000;
    let paths: Vec<_> = (0..n)
        .map(|p| model.drivers.sample(&mut path_rng(9, p as u64)))
        .collect();
    let nf = n as f64;
    let stats = |x: &[f64]| {
        let m = x.iter().sum::<f64>() / nf;
        let sd = (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (nf - 1.0)).sqrt();
        (m, sd)
    };
    let corr = |x: &[f64], y: &[f64]| {
        let (mx, sx) = stats(x);
        let (my, sy) = stats(y);
        x.iter()
            .zip(y)
            .map(|(a, b)| (a - mx) * (b - my))
            .sum::<f64>()
            / (nf - 1.0)
            / sx
            / sy
    };
    let e = &s.spec.economy;
    let year = 4; // 2023
    let col = |f: &dyn Fn(&fundrisk::economy::DriverPath) -> f64| -> Vec<f64> {
        paths.iter().map(f).collect()
    };
    for (name, spec, get) in [
        (
            "wage",
            &e.wage_growth,
            &(|d: &fundrisk::economy::DriverPath, y: usize| d.wage_growth[y])
                as &dyn Fn(&fundrisk::economy::DriverPath, usize) -> f64,
        ),
        ("price", &e.medical_price_growth, &|d, y| {
            d.medical_price_growth[y]
        }),
        ("utilisation", &e.utilisation_growth, &|d, y| {
            d.utilisation_growth[y]
        }),
        ("employment", &e.employment_growth, &|d, y| {
            d.employment_growth[y]
        }),
        ("interest", &e.interest_rate, &|d, y| d.interest_rate[y]),
    ] {
        let x = col(&|d| get(d, year));
        let x_prev = col(&|d| get(d, year - 1));
        let (m, sd) = stats(&x);
        let mean = spec.mean.at(fundrisk::params::Month::new(2023, 7).unwrap());
        let vol = spec.volatility;
        assert!(
            (m - mean).abs() < 4.0 * vol / nf.sqrt(),
            "{name} mean {m} vs {mean}"
        );
        assert!(
            (sd - vol).abs() < 4.0 * vol / (2.0 * nf).sqrt(),
            "{name} sd {sd} vs {vol}"
        );
        let phi = spec.persistence;
        let r = corr(&x, &x_prev);
        assert!(
            (r - phi).abs() < 4.0 * (1.0 - phi * phi) / nf.sqrt(),
            "{name} AR(1) {r} vs {phi}"
        );
    }
    let wage = col(&|d| d.wage_growth[year]);
    let price = col(&|d| d.medical_price_growth[year]);
    let employment = col(&|d| d.employment_growth[year]);
    let util = col(&|d| d.utilisation_growth[year]);
    // The shocks are correlated; with persistence the levels' correlation depends on both AR
    // coefficients: for wage (φ 0.6) and price (φ 0.5) with shock correlation 0.5 the stationary
    // correlation is 0.5 √((1−0.36)(1−0.25)) / (1 − 0.6 × 0.5) = 0.4949.
    let expected_wp = 0.5 * ((1.0f64 - 0.36) * (1.0 - 0.25)).sqrt() / (1.0 - 0.3);
    let r = corr(&wage, &price);
    assert!(
        (r - expected_wp).abs() < 4.0 * (1.0 - expected_wp.powi(2)) / nf.sqrt(),
        "wage-price {r} vs {expected_wp}"
    );
    let expected_we = 0.3 * ((1.0f64 - 0.36) * (1.0 - 0.25)).sqrt() / (1.0 - 0.3);
    let r = corr(&wage, &employment);
    assert!(
        (r - expected_we).abs() < 4.0 / nf.sqrt(),
        "wage-employment {r} vs {expected_we}"
    );
    let r = corr(&wage, &util);
    assert!(r.abs() < 4.0 / nf.sqrt(), "wage-utilisation {r}");
    // Fertility: a log random walk with volatility 0.03 a year: by year k (from 0) the log
    // factor's standard deviation is 0.03 √(k + 1).
    let lf: Vec<f64> = col(&|d| d.fertility_factor[year].ln());
    let (_, sd) = stats(&lf);
    let expected = 0.03 * ((year + 1) as f64).sqrt();
    assert!(
        (sd - expected).abs() < 4.0 * expected / (2.0 * nf).sqrt(),
        "fertility sd {sd} vs {expected}"
    );
}

/// Probabilities lie in [0, 1], quantiles are ordered, and band shares sum to one.
#[test]
fn risk_measures_are_consistent() {
    let s = scenario(GUANGDONG_MERGER_SCENARIO);
    let sim = run(&s, 130, 2, 1);
    let t = sim.summary();
    for name in ["p_deficit", "p_months_lt_6", "p_months_lt_3", "p_exhausted"] {
        for p in t.numbers(name).unwrap() {
            assert!((0.0..=1.0).contains(&p), "{name} {p}");
        }
        for se in t.numbers(&format!("{name}_se")).unwrap() {
            assert!((0.0..=0.5 / (130f64).sqrt() + 1e-12).contains(&se));
        }
    }
    for prefix in ["balance", "months"] {
        let q: Vec<Vec<f64>> = ["p5", "p25", "p50", "p75", "p95"]
            .iter()
            .map(|p| t.numbers(&format!("{prefix}_{p}")).unwrap())
            .collect();
        for row in 0..t.n_rows() {
            for w in q.windows(2) {
                assert!(
                    w[0][row] <= w[1][row],
                    "{prefix} quantiles out of order in row {row}"
                );
            }
        }
    }
    // P(months < 3) ≤ P(months < 6), and the lower quantiles tell the same story.
    let lt6 = t.numbers("p_months_lt_6").unwrap();
    let lt3 = t.numbers("p_months_lt_3").unwrap();
    assert!(lt3.iter().zip(&lt6).all(|(a, b)| a <= b));
    let w = sim.warnings();
    for row in 0..w.n_rows() {
        let total: f64 = fundrisk::risk::BANDS
            .iter()
            .map(|b| w.numbers(&format!("share_{b}")).unwrap()[row])
            .sum();
        assert!((total - 1.0).abs() < 1e-12);
    }
    // Months of capacity on every path is its year-end balance over its average spending.
    let model = mc_model(&s);
    let mut opts = RunOptions::new(20, 5);
    opts.keep_paths = true;
    let kept = simulate(&model, &s.spec.risk, &opts, &|_| {}).unwrap();
    let h = model.horizon as usize;
    let nf = model.funds.len();
    for p in 0..20 {
        for y in 0..10 {
            let k = y * 12 + 11;
            let m = kept.acc.kept[(p * nf) * h + k];
            let months = kept.months(0, y)[p];
            assert_eq!(kept.balances(0, y)[p], m.balance);
            assert!((months - m.balance / m.avg_spending_12m).abs() < 1e-9);
        }
    }
}

fn first_negative_year(s: &Scenario) -> Option<i32> {
    let model = ScenarioModel::new(s);
    exact_ledger(&model)
        .iter()
        .find(|r| r.unit == "guangdong" && r.record.balance.is_sign_negative())
        .map(|r| r.month.year())
}

/// A fund whose spending is far above its income runs dry in the year the exact ledger says;
/// a comfortable one never does.
#[test]
fn exhaustion_is_flagged_in_the_right_year() {
    // The opening balance and the base year's year-end balance are one figure.
    let low =
        GUANGDONG_MERGER_SCENARIO.replace("pooled_balance = 1.80e11", "pooled_balance = 3.0e10");
    assert_eq!(low.matches("pooled_balance = 3.0e10").count(), 2);
    let dry = edit(
        &low,
        "value = 0.05, source = \"ASSUMPTION: representative city rate\"",
        "value = 0.025, source = \"test\"",
    );
    let s = scenario(&dry);
    let year = first_negative_year(&s).expect("the dry scenario runs dry");
    assert!((2019..=2022).contains(&year), "{year}");
    // Without volatility every path runs dry in that year.
    let sim = run(&s.without_volatility(), 64, 2, 1);
    let ex = sim.exhaustion();
    let years = ex.strings("first_exhausted_year").unwrap();
    let share = ex.numbers("share").unwrap();
    let units = ex.strings("unit").unwrap();
    let row = (0..years.len())
        .find(|&i| units[i] == "guangdong" && years[i] == year.to_string())
        .unwrap();
    assert_eq!(share[row], 1.0);
    let t = sim.summary();
    let y_col = t.numbers("year").unwrap();
    let p_ex = t.numbers("p_exhausted").unwrap();
    let u = t.strings("unit").unwrap();
    for i in 0..t.n_rows() {
        if u[i] == "guangdong" {
            assert_eq!(
                p_ex[i],
                if y_col[i] as i32 >= year { 1.0 } else { 0.0 },
                "{}",
                y_col[i]
            );
        }
    }
    // With volatility most paths run dry in that year or the next.
    let sim = run(&s, 128, 2, 1);
    let ex = sim.exhaustion();
    let years = ex.strings("first_exhausted_year").unwrap();
    let share = ex.numbers("share").unwrap();
    let near: f64 = (0..years.len())
        .filter(|&i| ex.strings("unit").unwrap()[i] == "guangdong")
        .filter(|&i| years[i] == year.to_string() || years[i] == (year + 1).to_string())
        .map(|i| share[i])
        .sum();
    assert!(near > 0.8, "{near}");

    let comfortable = edit(
        GUANGDONG_MERGER_SCENARIO,
        "value = 0.05, source = \"ASSUMPTION: representative city rate\"",
        "value = 0.09, source = \"test\"",
    );
    let s = scenario(&comfortable);
    assert_eq!(first_negative_year(&s), None);
    // The pooled fund never runs dry (the separate maternity fund of 2019 is not what the
    // employer medical rate funds: at its 0.5 % rate it runs short on some paths).
    let sim = run(&s, 128, 2, 1);
    let t = sim.summary();
    let units = t.strings("unit").unwrap();
    let p_ex = t.numbers("p_exhausted").unwrap();
    let pooled: Vec<f64> = (0..t.n_rows())
        .filter(|&i| units[i] == "guangdong")
        .map(|i| p_ex[i])
        .collect();
    assert_eq!(pooled.len(), 10);
    assert!(pooled.iter().all(|&p| p == 0.0), "{pooled:?}");
    let ex = sim.exhaustion();
    let never = (0..ex.n_rows())
        .find(|&i| {
            ex.strings("unit").unwrap()[i] == "guangdong"
                && ex.strings("first_exhausted_year").unwrap()[i] == "never"
        })
        .unwrap();
    assert_eq!(ex.numbers("share").unwrap()[never], 1.0);
}

/// A run can be cancelled from another thread (a server's request, a notebook's interrupt):
/// set before it starts, nothing runs; set while it runs (here by the progress callback after
/// the first block), the blocks not yet started are skipped and the run says how far it got.
#[test]
fn a_run_can_be_cancelled() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let s = fundrisk::scenario::Scenario::parse(
        fundrisk::scenario::GUANGDONG_MERGER_SCENARIO,
        "test.toml",
        fundrisk::data::DataSource::default(),
    )
    .unwrap();
    let mut model = fundrisk::engine::ScenarioModel::new(&s);
    model.build_benefit_grids().unwrap();
    let flag = Arc::new(AtomicBool::new(true));
    let mut opts = fundrisk::engine::montecarlo::RunOptions::new(640, 1);
    opts.threads = Some(1);
    opts.cancel = Some(Arc::clone(&flag));
    let before = fundrisk::risk::simulate(&model, &s.spec.risk, &opts, &|_| {});
    assert!(
        matches!(
            before,
            Err(fundrisk::Error::Cancelled {
                done: 0,
                paths: 640
            })
        ),
        "{:?}",
        before.err()
    );
    flag.store(false, Ordering::Relaxed);
    let during = fundrisk::risk::simulate(&model, &s.spec.risk, &opts, &|_| {
        flag.store(true, Ordering::Relaxed)
    });
    match during {
        Err(fundrisk::Error::Cancelled { done, paths }) => {
            assert!((64..640).contains(&done) && paths == 640, "{done}")
        }
        other => panic!("not cancelled: {:?}", other.err()),
    }
    flag.store(false, Ordering::Relaxed);
    assert!(fundrisk::risk::simulate(&model, &s.spec.risk, &opts, &|_| {}).is_ok());
}

/// The quantile `q` of `sorted` values and the half-width of its 95 % Monte Carlo interval,
/// from the order statistics n·q ∓ 1.96·√(n·q·(1−q)) (distribution-free).
fn quantile_with_error(sorted: &[f64], q: f64) -> (f64, f64) {
    let n = sorted.len() as f64;
    let at = |r: f64| sorted[(r.round().max(0.0) as usize).min(sorted.len() - 1)];
    let spread = 1.96 * (n * q * (1.0 - q)).sqrt();
    (at(n * q), (at(n * q + spread) - at(n * q - spread)) / 2.0)
}

/// Random counts decided by a unit's size (`run.random_counts_below_members`): Shandong's
/// cities (450,000 members and more) take expected values where they drew their small cells
/// before. On the same driver paths (the drivers are drawn first from each path's stream), no
/// reported quantile of months of capacity and no P(months < 6) moves beyond its Monte Carlo
/// error, and the expected-value run draws nothing for those units.
#[test]
fn large_units_without_random_counts_move_no_quantile_beyond_monte_carlo_error() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut s = Scenario::from_path(&root.join("scenarios/shandong-provincial.toml")).unwrap();
    fundrisk::base_year::apply(&mut s).unwrap();
    assert_eq!(s.spec.run.random_counts_below_members, 200_000.0);
    let paths = 400;
    let sim = |s: &Scenario| {
        let model = mc_model(s);
        assert!(
            model
                .random_counts
                .iter()
                .all(|&r| r == (s.spec.run.random_counts_below_members > 1e9))
        );
        let mut opts = RunOptions::new(paths, 11);
        opts.threads = Some(2);
        simulate(&model, &s.spec.risk, &opts, &|_| {}).unwrap()
    };
    let expected = sim(&s);
    let mut drawn = s.clone();
    drawn.spec.run.random_counts_below_members = 1e10;
    let drawn = sim(&drawn);
    let l = &expected.layout;
    let (mut checked, mut moved) = (0, 0usize);
    for e in 0..l.n_entities() {
        for y in 0..=l.last_year[e] {
            let mut a = expected.months(e, y);
            let mut b = drawn.months(e, y);
            if a.iter().chain(&b).any(|m| !m.is_finite()) {
                continue;
            }
            a.sort_by(f64::total_cmp);
            b.sort_by(f64::total_cmp);
            for q in [0.05, 0.5, 0.95] {
                let (qa, err) = quantile_with_error(&a, q);
                let (qb, _) = quantile_with_error(&b, q);
                assert!(
                    (qa - qb).abs() <= err.max(1e-9),
                    "{} {}: quantile {q} of months {qa} vs {qb} (Monte Carlo error ±{err})",
                    l.names[e],
                    l.first_year + y as i32
                );
                moved += usize::from(qa != qb);
                checked += 1;
            }
            let p6 = |v: &[f64]| v.iter().filter(|&&m| m < 6.0).count() as f64 / paths as f64;
            let (pa, pb) = (p6(&a), p6(&b));
            let se = (pa.max(pb).max(1.0 / paths as f64) / paths as f64).sqrt();
            assert!(
                (pa - pb).abs() <= 1.96 * se,
                "{}: P(months < 6) {pa} vs {pb}",
                l.names[e]
            );
        }
    }
    // The comparison is not empty, and the draws did change the paths (a test that could not
    // see a difference would pass for the wrong reason).
    assert!(checked >= 250, "{checked}");
    assert!(
        moved > checked / 2,
        "{moved} of {checked} quantiles moved at all"
    );
}

/// Several trials' contribution rates projected in one pass (`project_trials`: membership,
/// benefits and draws once, money per trial) give, month by month and fund by fund, the same
/// records to the bit as a separate projection of each trial's scenario, on a drawn path of two
/// cities under the provincial adjustment fund whose small cells draw their counts.
#[test]
fn trials_in_one_pass_equal_separate_projections() {
    use fundrisk::engine::{PathState, project, project_trials};
    use fundrisk::ledger::FundMonth;
    use fundrisk::population::SmallCellDraws;
    use fundrisk::study::{RateLine, set_rate};
    let mut base = common::two_city_shandong(1e4, 4e5);
    // Every unit draws its small cells' counts: the draws must be shared by the trials.
    base.spec.run.random_counts_below_members = 1e10;
    // A management rule that fires, with a ceiling measured from each trial's own rate (one
    // trial's rate, 10 %, is above it).
    base.spec.rules.push(
        serde_json::from_str(
            r#"{"kind": "raise_employer_rate", "below_months": 60.0, "step": 0.03, "ceiling": 0.095}"#,
        )
        .unwrap(),
    );
    let from = base.spec.start;
    let trials: Vec<Scenario> = [(0.05, 0.06), (0.07, 0.09), (0.1, 0.04)]
        .iter()
        .map(|&(a, b)| {
            let mut s = base.clone();
            set_rate(&mut s, 0, RateLine::Employer, from, a);
            set_rate(&mut s, 1, RateLine::Employer, from, b);
            set_rate(&mut s, 1, RateLine::Employee, from, 0.025);
            s
        })
        .collect();
    let model = mc_model(&base);
    type Record = (usize, usize, FundMonth<f64>, fundrisk::engine::Memo);
    let path = 3u64;
    // Each trial on its own.
    let separate: Vec<Vec<Record>> = trials
        .iter()
        .map(|s| {
            let m = mc_model(s);
            let mut rng = path_rng(base.spec.run.seed, path);
            let drivers = m.drivers.sample(&mut rng);
            let mut counts = SmallCellDraws::new(&mut rng, m.small_cell_threshold);
            let mut state = PathState::new(&m);
            let mut out = Vec::new();
            project(
                &m,
                &drivers,
                &mut state,
                &mut counts,
                &mut |k: usize, f: usize, r: &FundMonth<f64>, memo: &fundrisk::engine::Memo| {
                    out.push((k, f, r.clone(), *memo))
                },
            );
            out
        })
        .collect();
    // All trials in one pass over the base model.
    let mut rng = path_rng(base.spec.run.seed, path);
    let drivers = model.drivers.sample(&mut rng);
    let mut counts = SmallCellDraws::new(&mut rng, model.small_cell_threshold);
    let mut states: Vec<PathState<f64>> = trials.iter().map(|_| PathState::new(&model)).collect();
    let policies: Vec<Vec<_>> = trials
        .iter()
        .map(|s| s.units.iter().map(|u| u.policy.clone()).collect())
        .collect();
    let mut outs: Vec<Vec<Record>> = vec![Vec::new(); trials.len()];
    let mut observers: Vec<_> = outs
        .iter_mut()
        .map(|out| {
            move |k: usize, f: usize, r: &FundMonth<f64>, memo: &fundrisk::engine::Memo| {
                out.push((k, f, r.clone(), *memo))
            }
        })
        .collect();
    project_trials(
        &model,
        &drivers,
        &mut states,
        &policies,
        &mut counts,
        &mut observers,
    );
    drop(observers);
    for (c, (one_pass, alone)) in outs.iter().zip(&separate).enumerate() {
        assert_eq!(one_pass.len(), alone.len());
        for (a, b) in one_pass.iter().zip(alone) {
            assert_eq!(a.0, b.0);
            assert_eq!(a.1, b.1);
            assert_eq!(a.2, b.2, "trial {c}, month {}, fund {}", a.0, a.1);
            assert_eq!(a.3, b.3, "trial {c}, month {}, fund {}", a.0, a.1);
        }
    }
    // The trials differ from one another (the rates matter), the rule fired with different
    // uplifts in different trials, and the cities drew.
    assert!(outs[0].last().unwrap().2.balance != outs[1].last().unwrap().2.balance);
    let uplifts =
        |o: &Vec<Record>| -> Vec<f64> { o.iter().map(|r| r.3.employer_rate_uplift).collect() };
    assert!(outs.iter().any(|o| uplifts(o).iter().any(|&x| x > 0.0)));
    assert!(uplifts(&outs[0]) != uplifts(&outs[2]));
    assert!(model.random_counts.iter().any(|&r| r));
}
