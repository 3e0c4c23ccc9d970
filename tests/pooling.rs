//! Funds that move money between them: maternity mergers, the provincial adjustment fund and
//! city-unified pooling.

use fundrisk::data::DataSource;
use fundrisk::engine::{FundKind, MaternityArrangement, ScenarioModel};
use fundrisk::report::{LedgerRow, exact_ledger};
use fundrisk::scenario::Scenario;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::Path;

fn scenario_file(name: &str) -> Scenario {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    Scenario::from_path(&p).expect("scenario")
}

#[allow(dead_code)]
fn scenario_text(text: &str) -> Scenario {
    Scenario::parse(text, "test.toml", DataSource::default()).expect("scenario")
}

/// Total spending of all funds per month.
fn spending_by_month(rows: &[LedgerRow]) -> BTreeMap<String, Decimal> {
    let mut m = BTreeMap::new();
    for r in rows {
        *m.entry(r.month.to_string()).or_insert(Decimal::ZERO) += r.record.spending_total;
    }
    m
}

/// The merger month moves the maternity balance into the pooled balance without creating or
/// losing a fen; separate and merged runs of the same scenario spend exactly the same.
#[test]
fn merger_moves_the_balance_to_the_fen_and_spending_does_not_depend_on_it() {
    for (file, merger) in [
        ("guangdong-merger.toml", "2020-01"),
        ("huainan-merger.toml", "2019-09"),
    ] {
        let s = scenario_file(file);
        let merged = exact_ledger(&ScenarioModel::new(&s));
        let pooled: Vec<&LedgerRow> = merged
            .iter()
            .filter(|r| r.kind == FundKind::Pooled)
            .collect();
        let maternity: Vec<&LedgerRow> = merged
            .iter()
            .filter(|r| r.kind == FundKind::Maternity)
            .collect();
        assert_eq!(pooled.len(), maternity.len());
        let k = pooled
            .iter()
            .position(|r| r.month.to_string() == merger)
            .expect("merger month");
        assert!(k > 0);
        let moved = pooled[k].record.transfer_merger;
        // Exactly the maternity fund's closing balance of the month before, in and out.
        assert_eq!(moved, maternity[k - 1].record.balance);
        assert!(moved > Decimal::ZERO);
        assert_eq!(maternity[k].record.transfer_merger, -moved);
        assert_eq!(maternity[k].record.balance, Decimal::ZERO);
        assert_eq!(maternity[k].record.interest, Decimal::ZERO);
        for r in &maternity[k..] {
            assert_eq!(r.record.balance, Decimal::ZERO);
            assert_eq!(
                r.record.income_total + r.record.spending_total,
                Decimal::ZERO
            );
        }
        // Before the merger the maternity lines are the maternity fund's, after it the pooled
        // fund's; births are the same either way.
        for (p, m) in pooled.iter().zip(&maternity) {
            let before = p.month.to_string().as_str() < merger;
            let allowance =
                |r: &LedgerRow| r.record.spending[fundrisk::ledger::spending::MATERNITY_ALLOWANCE];
            assert_eq!(allowance(p) == Decimal::ZERO, before, "{}", p.month);
            assert_eq!(allowance(m) == Decimal::ZERO, !before, "{}", p.month);
        }

        let separate = exact_ledger(&ScenarioModel::with_arrangement(
            &s,
            MaternityArrangement::Separate,
        ));
        assert_eq!(
            spending_by_month(&merged),
            spending_by_month(&separate),
            "{file}"
        );
        // Kept separate, the maternity fund never moves.
        assert!(
            separate
                .iter()
                .all(|r| r.record.transfer_merger == Decimal::ZERO)
        );
    }
}
