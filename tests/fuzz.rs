//! Fuzzing the parsers on stable Rust with proptest: arbitrary text and mutated copies of the
//! real scenario files and data tables must give a scenario or an error, never a panic; a
//! mutated scenario that is accepted must also project its exact ledger without panicking.
//!
//! `cargo test` runs a bounded number of cases (256 per target). For a long run:
//! `FUNDRISK_FUZZ_CASES=200000 cargo test --release --test fuzz` (see the README). An input
//! that panics is to be kept here as a regression test; none has so far (20,000 cases per
//! target, 2026-11-23).

use fundrisk::data::{self, DataSource};
use fundrisk::engine::ScenarioModel;
use fundrisk::engine::exact::exact_ledger;
use fundrisk::scenario::Scenario;
use proptest::prelude::*;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn scenario_texts() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    v.sort();
    v.push(std::fs::read_to_string(root().join("tests/bad_inputs/base.toml.in")).unwrap());
    v
}

/// Values that stress the parsers where a number or a month is expected.
const NASTY: [&str; 23] = [
    "1e308",
    "-1e308",
    "1.7e308",
    "-1.7e308",
    "1e-320",
    "-0.0",
    "1e29",
    "7.9e28",
    "1e-20",
    "nan",
    "inf",
    "-inf",
    "-0",
    "0",
    "18446744073709551616",
    "-1",
    "\"2024-13\"",
    "\"0000-01\"",
    "\"9999-12\"",
    "[]",
    "{}",
    "\"\"",
    "1.5",
];

/// One edit of a text: delete a span, insert text, replace a number, or duplicate a line.
#[derive(Clone, Debug)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, String),
    Number(usize, usize),
    DuplicateLine(usize),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let edit = prop_oneof![
        (any::<usize>(), 0usize..40).prop_map(|(a, n)| Edit::Delete(a, n)),
        (any::<usize>(), "[ -~\u{4e00}-\u{4e10}\n\t]{0,12}").prop_map(|(a, s)| Edit::Insert(a, s)),
        (any::<usize>(), 0..NASTY.len()).prop_map(|(a, k)| Edit::Number(a, k)),
        any::<usize>().prop_map(Edit::DuplicateLine),
    ];
    prop::collection::vec(edit, 1..4)
}

/// Applies edits at positions taken modulo the text's length, on character boundaries.
fn mutate(text: &str, edits: &[Edit]) -> String {
    let mut t = text.to_string();
    let at = |t: &str, a: usize| {
        if t.is_empty() {
            return 0;
        }
        let mut i = a % t.len();
        while !t.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    for e in edits {
        match e {
            Edit::Delete(a, n) => {
                let i = at(&t, *a);
                let j = at(&t, i + n).max(i);
                t.replace_range(i..j, "");
            }
            Edit::Insert(a, s) => {
                let i = at(&t, *a);
                t.insert_str(i, s);
            }
            Edit::Number(a, k) => {
                // The number after position a, if any, becomes a nasty value.
                let i = at(&t, *a);
                if let Some(start) = t[i..].find(|c: char| c.is_ascii_digit()).map(|o| i + o) {
                    let end = t[start..]
                        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == 'e' || c == '-'))
                        .map_or(t.len(), |o| start + o);
                    t.replace_range(start..end, NASTY[*k]);
                }
            }
            Edit::DuplicateLine(a) => {
                let lines: Vec<&str> = t.lines().collect();
                if !lines.is_empty() {
                    let k = a % lines.len();
                    let mut out: Vec<&str> = lines.clone();
                    out.insert(k, lines[k]);
                    t = out.join("\n");
                }
            }
        }
    }
    t
}

/// Parses; if accepted with a short horizon, projects the exact ledger too.
fn parse_and_project(text: &str) {
    if let Ok(s) = Scenario::parse(
        text,
        "fuzz.toml",
        DataSource {
            base_dir: Some(root().join("scenarios")),
        },
    ) && s.spec.horizon_months <= 36
        && s.units.len() <= 3
    {
        let rows = exact_ledger(&ScenarioModel::new(&s));
        assert!(!rows.is_empty());
    }
}

proptest! {
    #![proptest_config(fuzz_config())]

    #[test]
    fn arbitrary_text_is_never_a_panic(text in any::<String>()) {
        parse_and_project(&text);
    }

    #[test]
    fn mutated_scenarios_are_never_a_panic(k in 0usize..7, e in edits()) {
        let texts = scenario_texts();
        let text = mutate(&texts[k % texts.len()], &e);
        parse_and_project(&text);
    }

    #[test]
    fn mutated_tables_are_never_a_panic(k in 0usize..6, e in edits()) {
        let names = ["life_table.csv", "asfr.csv", "cost_curve.csv", "wage_profile.csv", "worker_flows.csv", "membership_structure.csv"];
        let name = names[k];
        let text = mutate(&std::fs::read_to_string(root().join("data").join(name)).unwrap(), &e);
        let _ = match name {
            "life_table.csv" => data::LifeTable::parse(name, &text).map(|_| ()),
            "asfr.csv" => data::Asfr::parse(name, &text).map(|_| ()),
            "cost_curve.csv" => data::CostCurve::parse(name, &text).map(|_| ()),
            "wage_profile.csv" => data::WageProfile::parse(name, &text).map(|_| ()),
            "worker_flows.csv" => data::WorkerFlows::parse(name, &text).map(|_| ()),
            _ => data::MembershipStructure::parse(name, &text).map(|_| ()),
        };
    }
}

/// Cases per target: 256 in `cargo test`, or `FUNDRISK_FUZZ_CASES` for a long run.
fn fuzz_config() -> ProptestConfig {
    let cases = std::env::var("FUNDRISK_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The mutations reach the engine: a good share of one-edit mutants are still valid
/// scenarios, so the fuzzing projects ledgers and does not only exercise the parser.
#[test]
fn mutants_often_stay_valid() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let texts = scenario_texts();
    let mut runner = TestRunner::deterministic();
    let strategy = (0usize..7, prop::collection::vec(edits(), 1..2));
    let mut valid = 0;
    for _ in 0..200 {
        let (k, e) = strategy.new_tree(&mut runner).unwrap().current();
        let text = mutate(&texts[k % texts.len()], &e[0][..1]);
        if Scenario::parse(
            &text,
            "m.toml",
            DataSource {
                base_dir: Some(root().join("scenarios")),
            },
        )
        .is_ok()
        {
            valid += 1;
        }
    }
    eprintln!("{valid} of 200 one-edit mutants valid");
    assert!(valid >= 40, "{valid} of 200 one-edit mutants valid");
}
