//! Rate studies on common random numbers.

mod common;

use fundrisk::data::DataSource;
use fundrisk::engine::ScenarioModel;
use fundrisk::engine::montecarlo::RunOptions;
use fundrisk::params::Month;
use fundrisk::risk::Simulation;
use fundrisk::risk::simulate;
use fundrisk::scenario::{GUANGDONG_MERGER_SCENARIO, Scenario};
use fundrisk::study::{
    Measure, RateLine, SolveOptions, Target, probability, set_rate, solve_rates,
};

fn default() -> Scenario {
    Scenario::parse(
        GUANGDONG_MERGER_SCENARIO,
        "test.toml",
        DataSource::default(),
    )
    .unwrap()
}

/// Two simulations agree to the bit: every fund's months of capacity and balances, every year.
fn assert_same_simulation(a: &Simulation, b: &Simulation, what: &str) {
    let l = &b.layout;
    assert_eq!(a.paths(), b.paths());
    for e in 0..l.n_entities() {
        for y in 0..=l.last_year[e] {
            let (x, z) = (a.months(e, y), b.months(e, y));
            assert!(
                x.iter().zip(&z).all(|(p, q)| p.to_bits() == q.to_bits()),
                "{what}: {} {y}",
                l.names[e]
            );
            assert_eq!(
                a.balances(e, y),
                b.balances(e, y),
                "{what}: {} {y}",
                l.names[e]
            );
        }
    }
}

fn run_at(s: &Scenario, rate: f64, opts: &RunOptions) -> Simulation {
    let mut t = s.clone();
    set_rate(
        &mut t,
        0,
        RateLine::Employer,
        Month::new(2021, 1).unwrap(),
        rate,
    );
    let mut model = ScenarioModel::new(&t);
    model.build_benefit_grids().unwrap();
    simulate(&model, &t.spec.risk, opts, &|_| {}).unwrap()
}

/// The solved rate meets the target in every year of the window and 0.01 point less does not,
/// checked again on separate runs with the same random numbers.
#[test]
fn solved_rate_meets_the_target_and_a_hundredth_of_a_point_less_does_not() {
    let s = default();
    let target = Target::parse("P(months<9)<=0.1").unwrap();
    let o = SolveOptions {
        target,
        line: RateLine::Employer,
        from: Month::new(2021, 1).unwrap(),
        years: (2022, 2028),
        range: (0.02, 0.08),
        run: RunOptions::new(96, 7),
    };
    let a = &solve_rates(&s, &[0], true, &o).unwrap()[0];
    let rate = a.rate.expect("a rate in range meets the target");
    assert!(a.probability <= 0.1);
    assert!(a.probability_below.expect("a rate below exists") > 0.1);
    assert!(
        (rate * 10_000.0 - (rate * 10_000.0).round()).abs() < 1e-9,
        "on the 0.01-point grid"
    );
    let holds = |r: f64| {
        let sim = run_at(&s, r, &o.run);
        (3..10).all(|y| target.holds(probability(&sim, Measure::MonthsBelow(9.0), 0, y).0))
    };
    assert!(holds(rate));
    assert!(!holds(rate - 0.0001));
    // The break-even rate balances expected income and spending over the window: below the
    // required rate, since this target asks for a growing buffer.
    assert!(
        a.break_even_rate > 0.0 && a.break_even_rate < rate,
        "{}",
        a.break_even_rate
    );
}

/// A higher rate never raises P(months<3), nor lowers any path's balance.
#[test]
fn higher_rates_never_raise_the_risk() {
    let s = default();
    let opts = RunOptions::new(64, 3);
    let rates = [0.02, 0.03, 0.04, 0.05];
    let sims: Vec<Simulation> = rates.iter().map(|&r| run_at(&s, r, &opts)).collect();
    for y in 0..10 {
        for w in sims.windows(2) {
            let (lo, hi) = (&w[0], &w[1]);
            for m in [
                Measure::MonthsBelow(3.0),
                Measure::MonthsBelow(6.0),
                Measure::Exhausted,
            ] {
                assert!(probability(hi, m, 0, y).0 <= probability(lo, m, 0, y).0);
            }
            for (a, b) in lo.balances(0, y).iter().zip(hi.balances(0, y)) {
                assert!(b >= *a, "year {y}: {b} < {a}");
            }
        }
    }
    // And the risk does move: at 2 % the fund runs into trouble that 5 % avoids.
    let p = |sim: &Simulation| probability(sim, Measure::MonthsBelow(3.0), 0, 9).0;
    assert!(p(&sims[0]) > p(&sims[3]));
}

/// A target no rate in range meets is reported as such, with the best rate tried.
#[test]
fn unreachable_target_is_reported() {
    let s = default();
    let o = SolveOptions {
        target: Target::parse("P(deficit)<=0.0").unwrap(),
        line: RateLine::Employer,
        from: Month::new(2021, 1).unwrap(),
        years: (2019, 2028),
        range: (0.0, 0.01),
        run: RunOptions::new(32, 1),
    };
    let a = &solve_rates(&s, &[0], true, &o).unwrap()[0];
    assert!(a.rate.is_none());
    assert_eq!(a.best_rate, 0.01);
    assert!(a.probability > 0.0);
}

/// A scenario compared with itself: every difference and standard error is exactly zero; the
/// merger compared with a separate maternity fund moves no money in the scheme as a whole.
#[test]
fn comparisons_on_common_random_numbers() {
    use fundrisk::engine::MaternityArrangement;
    use fundrisk::report::table::Values;
    // Funds large enough never to go negative: interest accrues on positive balances only, so
    // merging funds changes the total once one of them is negative (kept apart, the maternity
    // fund's spending outgrows its contributions).
    let text = GUANGDONG_MERGER_SCENARIO
        .replace(
            // The opening balance and the base year's year-end balance.
            "pooled_balance = 1.80e11",
            "pooled_balance = 1.80e12",
        )
        .replace(
            "initial_maternity_balance = 8.0e9",
            "initial_maternity_balance = 8.0e11",
        );
    assert!(
        text.contains("initial_pooled_balance = 1.80e12")
            && text.contains("initial_maternity_balance = 8.0e11")
    );
    let s = Scenario::parse(&text, "test.toml", DataSource::default()).unwrap();
    let opts = RunOptions::new(40, 5);
    let sim = |arr: MaternityArrangement| {
        let mut model = ScenarioModel::with_arrangement(&s, arr);
        model.build_benefit_grids().unwrap();
        simulate(&model, &s.spec.risk, &opts, &|_| {}).unwrap()
    };
    let a = sim(MaternityArrangement::AsScenario);
    let b = sim(MaternityArrangement::AsScenario);
    let d = fundrisk::study::compare(&a, &b, "self").unwrap();
    // Typed rows: each side's levels equal, every difference and its error exactly zero.
    assert_eq!(d.rows.len(), 21);
    for r in &d.rows {
        assert_eq!(r.base, r.other);
        assert!(r.months_quantile_diff.iter().all(|&x| x == 0.0));
        assert_eq!(r.p_months_lt_6.diff, 0.0);
        assert_eq!(r.balance_mean.se, 0.0);
    }
    let t = d.table();
    assert_eq!(t.n_rows(), 21);
    let mut numeric = 0;
    for (name, v) in &t.columns {
        if let Values::F64(x) = v {
            if let Some(stem) = name.strip_suffix("_base") {
                // A side's own level: the same on both sides of a self-comparison.
                let other = t.numbers(&format!("{stem}_other")).unwrap();
                assert!(x.iter().zip(&other).all(|(a, b)| a == b), "{name}");
                continue;
            }
            if name.ends_with("_other") {
                continue;
            }
            assert!(
                x.iter().all(|&d| d == 0.0 && d.is_sign_positive()),
                "{name}"
            );
            numeric += 1;
        }
    }
    assert!(numeric >= 10 + 10);
    let separate = sim(MaternityArrangement::Separate);
    let d = fundrisk::study::compare(&separate, &a, "merged - separate").unwrap();
    for r in d.of_unit("all") {
        assert!(
            r.balance_mean.diff.abs() < 1.0,
            "{}: {}",
            r.year,
            r.balance_mean.diff
        );
    }
    let t = d.table();
    let units = t.strings("unit").unwrap();
    let diff = t.numbers("balance_mean_diff").unwrap();
    for i in (0..t.n_rows()).filter(|&i| units[i] == "all") {
        assert!(diff[i].abs() < 1.0, "row {i}: {}", diff[i]);
    }
}

/// Each assumption moved down and up: the base row has no change, and the signs are the
/// actuarial ones (faster wages help, faster medical prices hurt the fund).
#[test]
fn sensitivity_moves_the_right_way() {
    use fundrisk::scenario::Driver;
    use fundrisk::study::{Assumption, Direction};
    let s = default();
    let t = fundrisk::study::sensitivity(&s, &RunOptions::new(32, 2), Some("guangdong")).unwrap();
    let change = |a: Assumption, d: Option<Direction>| t.row(a, d).unwrap().change.months_p50;
    let driver = |d: Driver, dir: Direction| change(Assumption::Driver(d), Some(dir));
    assert_eq!(change(Assumption::Base, None), 0.0);
    assert!(driver(Driver::WageGrowth, Direction::High) > 0.0);
    assert!(driver(Driver::WageGrowth, Direction::Low) < 0.0);
    assert!(driver(Driver::MedicalPriceGrowth, Direction::High) < 0.0);
    assert!(driver(Driver::UtilisationGrowth, Direction::Low) > 0.0);
    assert_eq!(t.rows.len(), 1 + 8 + 2 + 1);
    // Every change is the row's measures less the base row's.
    let base = *t.base();
    for r in &t.rows {
        let (m, c, b) = (r.measures.values(), r.change.values(), base.values());
        for i in 0..4 {
            assert_eq!(c[i], if m[i] == b[i] { 0.0 } else { m[i] - b[i] });
        }
    }
    // The table holds the same numbers under the documented columns.
    let table = t.table();
    assert_eq!(
        table.strings("assumption").unwrap()[1..3],
        ["wage_growth".to_string(), "wage_growth".to_string()]
    );
    assert_eq!(table.strings("direction").unwrap()[1..3], ["low", "high"]);
    assert_eq!(
        table.numbers("months_p50_change").unwrap()[2],
        driver(Driver::WageGrowth, Direction::High)
    );
    assert_eq!(table.numbers("year").unwrap()[0], t.year as f64);
}

/// Shandong-style per-unit rates, with the provincial adjustment fund and standalone.
#[test]
fn per_unit_rates_with_and_without_the_adjustment_fund() {
    use fundrisk::scenario::PoolingKind;
    let s = common::two_city_shandong(1.0e5, 3.0e5);
    let o = SolveOptions {
        target: Target::parse("P(months<3)<=0.1").unwrap(),
        line: RateLine::Employer,
        from: Month::new(2025, 1).unwrap(),
        years: (2026, 2028),
        range: (0.0, 0.2),
        run: RunOptions::new(48, 4),
    };
    let with_fund = solve_rates(&s, &[0, 1], true, &o).unwrap();
    let mut alone = s.clone();
    alone.spec.pooling.kind = PoolingKind::Single;
    let standalone = solve_rates(&alone, &[0, 1], true, &o).unwrap();
    // Both cities have a rate in range either way, each meeting the target with the next rate
    // down failing it; the fund changes what they need (which way depends on whether, at the
    // margin, a city pays levies or receives help).
    for a in with_fund.iter().chain(&standalone) {
        assert!(a.rate.is_some() && a.probability <= 0.1);
        assert!(a.probability_below.unwrap() > 0.1);
    }
    assert!(
        with_fund
            .iter()
            .zip(&standalone)
            .any(|(a, b)| a.rate != b.rate)
    );
    assert_eq!(
        (with_fund[1].unit.as_str(), standalone[1].unit.as_str()),
        ("old", "old")
    );
}

/// The library's errors name its own arguments, not the command line's flags (a Python binding
/// or a server calls it without flags); the CLI adds the flag.
#[test]
fn library_errors_name_arguments_not_flags() {
    let messages = [
        fundrisk::study::RateLine::parse("boss")
            .unwrap_err()
            .to_string(),
        fundrisk::shard::Shard::parse("3/3")
            .unwrap_err()
            .to_string(),
        {
            let s = common::two_city_shandong(1.0e5, 4.0e5);
            let mut model = ScenarioModel::new(&s);
            model.build_benefit_grids().unwrap();
            simulate(&model, &s.spec.risk, &RunOptions::new(0, 1), &|_| {})
                .err()
                .unwrap()
                .to_string()
        },
    ];
    for (m, word) in messages.iter().zip(["rate line", "shard", "paths"]) {
        assert!(m.contains(word) && !m.contains("--"), "{m}");
    }
}

/// The trials of a rate search run in one projection per path (`simulate_trials`) give each
/// trial's risk measures exactly as a run of its own scenario: every path's year-end months
/// and balance of every fund, to the bit.
#[test]
fn trials_in_one_run_equal_runs_of_their_own() {
    use fundrisk::risk::simulate_trials;
    use fundrisk::study::set_rate;
    let s = common::two_city_shandong(1.0e5, 3.0e5);
    let from = s.spec.start;
    let rates = [(0.06, 0.08), (0.09, 0.05)];
    let scenarios: Vec<Scenario> = rates
        .iter()
        .map(|&(a, b)| {
            let mut t = s.clone();
            set_rate(&mut t, 0, RateLine::Employer, from, a);
            set_rate(&mut t, 1, RateLine::Employer, from, b);
            t
        })
        .collect();
    let mut opts = RunOptions::new(130, 9);
    opts.threads = Some(2);
    let mut model = ScenarioModel::new(&s);
    model.build_benefit_grids().unwrap();
    let policies: Vec<Vec<_>> = scenarios
        .iter()
        .map(|t| t.units.iter().map(|u| u.policy.clone()).collect())
        .collect();
    let together = simulate_trials(&model, &s.spec.risk, &opts, &policies).unwrap();
    for (t, one) in scenarios.iter().zip(&together) {
        let mut m = ScenarioModel::new(t);
        m.build_benefit_grids().unwrap();
        let alone = simulate(&m, &t.spec.risk, &opts, &|_| {}).unwrap();
        assert_same_simulation(one, &alone, &t.spec.name);
    }
    assert_ne!(together[0].balances(0, 2), together[1].balances(0, 2));
}

/// With the adjustment fund the units' rates interact: every answer reported as met holds with
/// every other unit at its own answer (the reported trial), and 0.01 point less fails with the
/// others at theirs (each answer the lowest). Before a failing unit searched again above its
/// answer, Shandong's per-unit solve at 300 paths reported met answers that did not hold
/// together with every seed tried (seed 1: Jinan at 7.26 % with P(months < 3) = 0.053, Binzhou
/// at 9.60 % with 0.060, against a target of 0.05); before a unit whose rate below still met the
/// target searched again below, the rate below was tried with every unit lowered at once, and
/// an answer could be 0.01 point above the lowest (two cities at 48 paths: 5.36 % with the
/// rate below meeting the target too).
#[test]
fn per_unit_answers_hold_together_under_the_adjustment_fund() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/shandong-provincial.toml");
    let s = Scenario::from_path(&path).unwrap();
    let units: Vec<usize> = (0..s.units.len()).collect();
    let o = SolveOptions {
        target: Target::parse("P(months<3)<=0.05").unwrap(),
        line: RateLine::Employer,
        from: Month::new(2024, 1).unwrap(),
        years: (2024, 2028),
        range: (0.0, 0.2),
        run: RunOptions::new(300, 1),
    };
    let answers = solve_rates(&s, &units, true, &o).unwrap();
    assert_eq!(answers.len(), 18);
    for a in &answers {
        assert!(a.rate.is_some(), "{}: {a:?}", a.unit);
        assert!(a.probability <= 0.05, "{}: {a:?}", a.unit);
        assert!(
            a.probability_below.is_some_and(|p| p > 0.05),
            "{}: {a:?}",
            a.unit
        );
    }
}

/// `sensitivity --labelled` on Guangdong: each labelled value moved alone, on the same paths.
/// A moved value's row is what the scenario loaded with that one change gives; a move the
/// scenario refuses (a collection rate of 0.97 × 1.1 above 1) is reported with the scenario's
/// message and measured at a fraction of the step it allows; a dearer spouse's delivery does
/// not help.
#[test]
fn labelled_values_are_moved_one_at_a_time() {
    use fundrisk::scenario::Override;
    use fundrisk::scenario::labels::labelled_values;
    use fundrisk::study::{Assumption, Direction, labelled_sensitivity};
    let path = std::path::Path::new("scenarios/guangdong-merger.toml");
    let text = std::fs::read_to_string(path).unwrap();
    let wanted = [
        "economy.collection_rate.mean",
        "policy.maternity.spouse_cost_share",
    ];
    let items: Vec<_> = labelled_values(&text, "guangdong-merger.toml")
        .unwrap()
        .into_iter()
        .filter(|l| wanted.contains(&l.path.as_str()))
        .collect();
    assert_eq!(items.len(), 2);
    let load = |extra: &[Override]| {
        let mut s = Scenario::from_path_with(path, extra)?;
        fundrisk::base_year::apply(&mut s)?;
        Ok(s)
    };
    let opts = RunOptions::new(64, 2);
    let study = labelled_sensitivity(&items, &load, &opts, None, 0.1).unwrap();
    let rows = &study.sensitivity.rows;
    // The base, collection down and up, the spouses' share down and up.
    assert_eq!(rows.len(), 5);
    let collection = &study.outcomes[0];
    assert_eq!(collection.labelled.path, "economy.collection_rate.mean");
    assert_eq!(collection.measured, [Direction::Low, Direction::High]);
    // 0.97 × 1.1 and 0.97 × 1.05 = 1.0185 are above 1: measured at a quarter of the step,
    // 0.97 × 1.025 = 0.99425.
    assert!(
        collection.note.starts_with("× 1.1 refused: ")
            && collection.note.contains("collection_rate")
            && collection.note.ends_with("; measured at × 1.025"),
        "{}",
        collection.note
    );
    let up = study
        .sensitivity
        .row(
            Assumption::Labelled("economy.collection_rate.mean".into()),
            Some(Direction::High),
        )
        .unwrap();
    assert_eq!(up.value, "× 1.025 (0.99425)");
    assert_eq!(
        study.outcomes[1].measured,
        [Direction::Low, Direction::High]
    );
    let spouse = |d| {
        study
            .sensitivity
            .row(
                Assumption::Labelled("policy.maternity.spouse_cost_share".into()),
                Some(d),
            )
            .unwrap()
    };
    assert_eq!(spouse(Direction::High).value, "× 1.1 (0.55)");
    // The row is the scenario loaded with the one change, run alone.
    let moved = items[1].moved(1.1).unwrap();
    let alone = labelled_sensitivity(
        &[],
        &|_: &[Override]| load(std::slice::from_ref(&moved)),
        &opts,
        None,
        0.1,
    )
    .unwrap();
    assert_eq!(
        alone.sensitivity.rows[0].measures,
        spouse(Direction::High).measures
    );
    let base = study.sensitivity.base().months_p50;
    assert!(spouse(Direction::High).measures.months_p50 <= base);
    assert!(spouse(Direction::Low).measures.months_p50 >= base);
    assert!(
        spouse(Direction::High).measures.months_p50 < spouse(Direction::Low).measures.months_p50
    );
    assert_eq!(study.labelled_in_file, 2);
    // Of the file: every label counted, the chosen one moved.
    let chosen = fundrisk::study::labelled_sensitivity_of_file(
        Some(path),
        &[],
        &["policy.wage_dispersion".to_string()],
        &RunOptions::new(16, 2),
        None,
        0.1,
    )
    .unwrap();
    assert_eq!(chosen.outcomes.len(), 1);
    assert_eq!(
        chosen.labelled_in_file,
        labelled_values(&text, "x").unwrap().len()
    );
    assert!(chosen.labelled_in_file > 50);
    // labels.csv: one row per item, what was measured.
    let t = study.labels_table();
    assert_eq!(
        t.strings("measured").unwrap(),
        ["low and high", "low and high"]
    );
}

/// A study's trial takes a snapshot of the grids: it reuses the base's, and a grid it builds
/// for benefits of its own is dropped with it, not kept for the trials after it (a labelled
/// study moves a hundred values, many of them benefit parameters).
#[test]
fn a_snapshot_of_the_grids_shares_them_and_keeps_its_own() {
    use fundrisk::engine::GridCache;
    let s = default();
    let cache = GridCache::default();
    ScenarioModel::new(&s)
        .build_benefit_grids_from(&cache)
        .unwrap();
    let base = cache.len();
    assert!(base >= 1);
    let trial = cache.snapshot();
    assert_eq!(trial.len(), base);
    // The base again: nothing new.
    ScenarioModel::new(&s)
        .build_benefit_grids_from(&trial)
        .unwrap();
    assert_eq!(trial.len(), base);
    // Another inpatient cap: one grid more in the snapshot, none in the cache it came from.
    let moved = Scenario::from_path_with(
        std::path::Path::new("scenarios/guangdong-merger.toml"),
        &[fundrisk::scenario::Override::parse("policy.costs.inpatient_sigma=1.1").unwrap()],
    )
    .unwrap();
    ScenarioModel::new(&moved)
        .build_benefit_grids_from(&trial)
        .unwrap();
    assert!(trial.len() > base);
    assert_eq!(cache.len(), base);
}

/// The grids are kept by what the benefits are, not by the policy's text: Jiangmen's
/// critical-illness deductible is the resident income of the year before, which after 2021
/// grows with the scenario's expected wage growth. A trial moving that growth builds its own
/// grid (it reused the base's before, paying critical illness on the base's deductibles) and
/// simulates what the moved scenario simulates alone.
#[test]
fn a_grid_is_kept_by_the_benefits_it_tabulates() {
    use fundrisk::engine::GridCache;
    let path = std::path::Path::new("scenarios/jiangmen-integration.toml");
    let base = Scenario::from_path_with(path, &[]).unwrap();
    let cache = GridCache::default();
    ScenarioModel::new(&base)
        .build_benefit_grids_from(&cache)
        .unwrap();
    let held = cache.len();
    let moved = Scenario::from_path_with(
        path,
        &[fundrisk::scenario::Override::parse("economy.wage_growth.mean=0.095").unwrap()],
    )
    .unwrap();
    let trial = cache.snapshot();
    let mut from_cache = ScenarioModel::new(&moved);
    from_cache.build_benefit_grids_from(&trial).unwrap();
    assert!(
        trial.len() > held,
        "the moved scenario reused the base's grids"
    );
    let mut alone = ScenarioModel::new(&moved);
    alone.build_benefit_grids().unwrap();
    let opts = RunOptions::new(40, 5);
    let a = simulate(&from_cache, &moved.spec.risk, &opts, &|_| {}).unwrap();
    let b = simulate(&alone, &moved.spec.risk, &opts, &|_| {}).unwrap();
    assert_same_simulation(&a, &b, "wage growth moved");
}

/// A scenario that is another but for its contribution rates runs as a trial of the other's
/// projection in a comparison, with the results of a run of its own to the bit; one that moves
/// anything else (a driver, a benefit) runs on its own, also as it would alone.
#[test]
fn a_comparison_runs_rate_changes_as_trials_of_one_projection() {
    use fundrisk::scenario::Override;
    use fundrisk::study::{differs_only_in_rates, simulate_for_comparison};
    let path = std::path::Path::new("scenarios/guangdong-merger.toml");
    let with = |set: &[&str]| {
        let overrides: Vec<Override> = set.iter().map(|o| Override::parse(o).unwrap()).collect();
        Scenario::from_path_with(path, &overrides).unwrap()
    };
    let base = with(&[]);
    // Rates set on the command line and by a study; a new name changes nothing modelled.
    let rates = with(&["policy.employer_rate=0.062", "policy.flexible_rate=0.09"]);
    let mut study_rate = base.clone();
    set_rate(
        &mut study_rate,
        0,
        RateLine::Employer,
        Month::new(2022, 1).unwrap(),
        0.055,
    );
    study_rate.spec.name = "employer rate 5.5 % from 2022".into();
    let driver = with(&["economy.wage_growth.mean=0.08"]);
    let benefit = with(&["policy.costs.inpatient_sigma=1.1"]);
    assert!(differs_only_in_rates(&base, &base));
    assert!(differs_only_in_rates(&base, &rates));
    assert!(differs_only_in_rates(&base, &study_rate));
    assert!(!differs_only_in_rates(&base, &driver));
    assert!(!differs_only_in_rates(&base, &benefit));
    let mut renamed_unit = rates.clone();
    renamed_unit.units[0].spec.name = "another".into();
    assert!(!differs_only_in_rates(&base, &renamed_unit));

    let scenarios = [base, rates, driver, study_rate];
    let opts = RunOptions::new(60, 11);
    let counted = std::sync::atomic::AtomicUsize::new(0);
    let mut sims = Vec::new();
    simulate_for_comparison(
        &scenarios,
        &opts,
        &|n| {
            counted.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        },
        &mut |i, sim| {
            assert_eq!(i, sims.len(), "in order");
            sims.push(sim);
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(counted.into_inner(), 4 * 60);
    for (s, together) in scenarios.iter().zip(&sims) {
        let mut model = ScenarioModel::new(s);
        model.build_benefit_grids().unwrap();
        let alone = simulate(&model, &s.spec.risk, &opts, &|_| {}).unwrap();
        assert_same_simulation(together, &alone, &s.spec.name);
    }
    // The rates moved the answer (the test can fail): the whole fund's last year.
    let fund = sims[0].layout.n_entities() - 1;
    let last = sims[0].layout.last_year[fund];
    assert_ne!(sims[0].balances(fund, last), sims[1].balances(fund, last));
    assert_ne!(sims[0].balances(fund, last), sims[3].balances(fund, last));
}
