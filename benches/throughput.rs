//! Throughput benchmarks (divan): one path and 10,000 paths of the default scenario (the one
//! `fundrisk run` runs without a file: national-2025), 10,000 paths of Shandong (all 18 units and
//! the adjustment fund), the random draws of those paths alone (the floor: the same ChaCha8
//! words per path, no model), a rate study, a comparison of two rates (as trials of one
//! projection, and as two runs), and membership alone (issue 22).
//!
//! `cargo bench --bench throughput` (all threads); `DIVAN_THREADS` does not apply: set
//! `RAYON_NUM_THREADS=1` for one thread. Figures are in `benches/README.md`.

use divan::Bencher;
use fundrisk::engine::ScenarioModel;
use fundrisk::engine::montecarlo::{RunOptions, path_rng};
use fundrisk::engine::{NullObserver, PathState, project};
use fundrisk::population::SmallCellDraws;
use fundrisk::risk::simulate;
use fundrisk::scenario::Scenario;
use rand::Rng;
use rayon::prelude::*;
use std::path::Path;

fn main() {
    divan::main();
}

fn scenario(file: &str) -> Scenario {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(file);
    Scenario::from_path(&p).expect("scenario")
}

fn model(s: &Scenario) -> ScenarioModel {
    let mut m = ScenarioModel::new(s);
    m.build_benefit_grids().unwrap();
    m
}

const SEED: u64 = 20191202;

/// Annual employment growth of a bench path: swinging between growth and decline, so that
/// the workers are sometimes scaled down (`keep`) as on many of the scenario's own paths.
fn swinging_growth(k: usize) -> f64 {
    [0.02, -0.01, 0.0, 0.015, -0.005][(k / 12) % 5]
}

/// Membership of the first unit of `file` by the cell-by-cell step the engine runs today, at
/// expected values.
fn membership_cells(b: Bencher, file: &str) {
    use fundrisk::population::cohorts::CellProjection;
    let s = scenario(file);
    let p = CellProjection::new(&s, &s.units[0]);
    b.bench_local(|| p.project(swinging_growth));
}

/// The same membership read from the cohort tables (survivors of the start, entry cohorts
/// with each status's scaling, retirees by month and cell), computed once per scenario.
fn membership_tables(b: Bencher, file: &str) {
    use fundrisk::population::cohorts::CohortTables;
    let s = scenario(file);
    let t = CohortTables::new(&s, &s.units[0]);
    eprintln!(
        "cohort tables of {}: {} bytes",
        s.units[0].spec.name,
        t.bytes()
    );
    b.bench_local(|| t.project(swinging_growth));
}

/// Membership alone (issue 22), national-2025's unit over its 132 months, by cells.
#[divan::bench(sample_count = 200)]
fn membership_cells_national(b: Bencher) {
    membership_cells(b, "national-2025.toml");
}

/// The same from the cohort tables.
#[divan::bench(sample_count = 200)]
fn membership_cohort_tables_national(b: Bencher) {
    membership_tables(b, "national-2025.toml");
}

/// The same two for a Shandong city (Jinan, 60 months).
#[divan::bench(sample_count = 200)]
fn membership_cells_jinan(b: Bencher) {
    membership_cells(b, "shandong-provincial.toml");
}

#[divan::bench(sample_count = 200)]
fn membership_cohort_tables_jinan(b: Bencher) {
    membership_tables(b, "shandong-provincial.toml");
}

const PATHS: usize = 10_000;

/// The default scenario of `fundrisk run` (national-2025, embedded in the program).
fn default_scenario() -> Scenario {
    Scenario::embedded_default().expect("the embedded default scenario")
}

/// One path of the default scenario (drivers, 132 months, every line), single-threaded.
#[divan::bench(sample_count = 50)]
fn one_path_default(b: Bencher) {
    let s = default_scenario();
    let m = model(&s);
    let mut state = PathState::<f64>::new(&m);
    let mut p = 0u64;
    b.bench_local(|| {
        p += 1;
        fundrisk::engine::montecarlo::run_path(&m, SEED, p, &mut state, &mut NullObserver);
    });
}

/// 10,000 paths of the default scenario, aggregated into the risk tables' accumulators.
#[divan::bench(sample_count = 3)]
fn paths_10k_default(b: Bencher) {
    let s = default_scenario();
    let m = model(&s);
    b.bench(|| simulate(&m, &s.spec.risk, &RunOptions::new(PATHS, SEED), &|_| {}).unwrap());
}

/// 10,000 paths of the Shandong scenario: 18 cities and the adjustment fund.
#[divan::bench(sample_count = 1)]
fn paths_10k_shandong(b: Bencher) {
    let s = scenario("shandong-provincial.toml");
    let m = model(&s);
    b.bench(|| simulate(&m, &s.spec.risk, &RunOptions::new(PATHS, SEED), &|_| {}).unwrap());
}

/// ChaCha8 words one path of `m` consumes (drivers and small-cell draws), averaged over 64.
fn words_per_path(m: &ScenarioModel) -> u64 {
    let mut state = PathState::<f64>::new(m);
    let n = 64;
    let total: u128 = (0..n)
        .map(|p| {
            let mut rng = path_rng(SEED, p);
            let drivers = m.drivers.sample(&mut rng);
            let mut counts = SmallCellDraws::new(&mut rng, m.small_cell_threshold);
            project(m, &drivers, &mut state, &mut counts, &mut NullObserver);
            rng.get_word_pos()
        })
        .sum();
    (total / u128::from(n)) as u64
}

/// The floor: the same random words as 10,000 paths of the default scenario, drawn in parallel
/// from the same streams, with no model.
#[divan::bench(sample_count = 3)]
fn random_draws_floor_10k_default(b: Bencher) {
    let s = default_scenario();
    let m = model(&s);
    let words = words_per_path(&m);
    eprintln!("(default scenario: {words} ChaCha8 words per path)");
    b.bench(|| {
        (0..PATHS as u64)
            .into_par_iter()
            .map(|p| {
                let mut rng = path_rng(SEED, p);
                (0..words).fold(0u32, |a, _| a ^ rng.next_u32())
            })
            .reduce(|| 0, |a, b| a ^ b)
    });
}

/// `solve-rate` on the default scenario: P(months<9) ≤ 20 % in every year, 1,000 paths a trial,
/// over 0–20 % to 0.01 point.
#[divan::bench(sample_count = 1)]
fn solve_rate_default(b: Bencher) {
    use fundrisk::study::{RateLine, SolveOptions, Target, solve_rates};
    let s = default_scenario();
    let o = SolveOptions {
        target: Target::parse("P(months<9)<=0.2").unwrap(),
        line: RateLine::Employer,
        from: s.spec.start,
        years: (s.spec.start.year(), s.end().year()),
        range: (0.0, 0.2),
        run: RunOptions::new(1000, SEED),
    };
    b.bench(|| solve_rates(&s, &[0], false, &o).unwrap());
}

/// The default scenario and a copy with another employer rate from 2027, as `compare` sees
/// them (the copy differs only in its rates).
fn rate_pair() -> [Scenario; 2] {
    use fundrisk::study::{RateLine, set_rate};
    let s = default_scenario();
    let mut other = s.clone();
    let from = fundrisk::params::Month::new(2027, 1).expect("a month");
    set_rate(&mut other, 0, RateLine::Employer, from, 0.08);
    [s, other]
}

/// `compare` of the default scenario with a rate change, 10,000 paths: the change runs as a
/// trial of the default's projection (`study::simulate_for_comparison`).
#[divan::bench(sample_count = 3)]
fn compare_rates_10k_default(b: Bencher) {
    let pair = rate_pair();
    assert!(fundrisk::study::differs_only_in_rates(&pair[0], &pair[1]));
    let opts = RunOptions::new(PATHS, SEED);
    b.bench(|| {
        fundrisk::study::simulate_for_comparison(&pair, &opts, &|_| {}, &mut |_, sim| {
            divan::black_box(sim);
            Ok(())
        })
        .unwrap()
    });
}

/// The same two scenarios each run on its own, as `compare` ran them before.
#[divan::bench(sample_count = 3)]
fn compare_rates_10k_default_separately(b: Bencher) {
    let pair = rate_pair();
    let opts = RunOptions::new(PATHS, SEED);
    b.bench(|| {
        for s in &pair {
            let m = model(s);
            divan::black_box(simulate(&m, &s.spec.risk, &opts, &|_| {}).unwrap());
        }
    });
}
