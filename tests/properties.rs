//! Properties over random valid scenarios (proptest): the ledger identity to the fen,
//! conservation of membership, doubling every count doubles every money line and leaves months
//! of capacity unchanged, a higher contribution rate never lowers any path's balance, and zero
//! volatility gives the ledger. Scenarios vary membership, rates, costs, balances, wages, the
//! horizon, the maternity merger and the pooling of two units.

use fundrisk::data::DataSource;
use fundrisk::engine::exact::{LedgerRow, exact_ledger};
use fundrisk::engine::montecarlo::run_path;
use fundrisk::engine::{Memo, PathState, ScenarioModel};
use fundrisk::ledger::{FundMonth, Money};
use fundrisk::scenario::{PoolingKind, Scenario};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// What a random scenario is made of.
#[derive(Clone, Debug)]
struct Params {
    enterprise: f64,
    government: f64,
    flexible: f64,
    retirees: f64,
    employer_rate: f64,
    employee_rate: f64,
    to_accounts: f64,
    inpatient_mean: f64,
    balance: f64,
    wage: f64,
    horizon: u32,
    merger: Option<u32>,
    two_units: bool,
    pooling: &'static str,
}

fn params() -> impl Strategy<Value = Params> {
    (
        (0.0..5e5f64, 0.0..1e5f64, 0.0..5e4f64, 0.0..2e5f64),
        (0.0..0.15f64, 0.0..0.04f64, 0.0..0.5f64),
        (5e3..6e4f64, -5e8..5e9f64, 2e3..1.5e4f64),
        (12u32..40, prop::option::of(1u32..11), any::<bool>()),
        prop::sample::select(vec!["single", "provincial_adjustment", "city_unified"]),
    )
        .prop_map(
            |(
                (enterprise, government, flexible, retirees),
                (employer_rate, employee_rate, to_accounts),
                (inpatient_mean, balance, wage),
                (horizon, merger, two_units),
                pooling,
            )| Params {
                enterprise,
                government,
                flexible,
                retirees,
                employer_rate,
                employee_rate,
                to_accounts,
                inpatient_mean,
                balance,
                wage,
                horizon,
                merger,
                two_units,
                pooling: if two_units { pooling } else { "single" },
            },
        )
}

/// The scenario's text, with every count and opening figure multiplied by `scale`.
fn text(p: &Params, scale: f64) -> String {
    let maternity = match p.merger {
        Some(m) => format!(
            "[policy.maternity]\nmerger = \"2024-{:02}\"\nemployer_rate = 0.005\nleave_days = 158.0\nmedical_cost_per_birth = 5000.0\n",
            m + 1
        ),
        None => "[policy.maternity]\nleave_days = 158.0\nmedical_cost_per_birth = 5000.0\n".into(),
    };
    let unit = |name: &str, share: f64| {
        format!(
            "[[units]]\nname = \"{name}\"\ninitial_pooled_balance = {}\npooled_spending_prev_year = {}\npooled_income_prev_year = {}\naverage_wage_prev_year = {}\ninitial_maternity_balance = {}\nmaternity_spending_prev_year = {}\nmembership = {{ enterprise = {}, government = {}, flexible = {}, retirees = {} }}\n",
            p.balance * share * scale,
            8e8 * share * scale,
            9e8 * share * scale,
            p.wage,
            5e7 * share * scale,
            6e7 * share * scale,
            p.enterprise * share * scale,
            p.government * share * scale,
            p.flexible * share * scale,
            p.retirees * share * scale,
        )
    };
    let units = if p.two_units {
        format!("{}\n{}", unit("a", 0.7), unit("b", 0.3))
    } else {
        unit("a", 1.0)
    };
    format!(
        "name = \"prop\"\nstart = \"2024-01\"\nhorizon_months = {}\n\n[run]\nsmall_cell_threshold = 0.0\n\n[pooling]\nkind = \"{}\"\n\n\
         [economy]\nwage_growth = {{ mean = 0.05, volatility = 0.02, persistence = 0.5 }}\n\
         utilisation_growth = {{ mean = 0.03, volatility = 0.02 }}\nemployment_growth = {{ mean = 0.01, volatility = 0.02 }}\n\n\
         [policy]\nemployer_rate = {}\nemployee_rate = {}\nemployer_to_personal_account = {}\n\
         inpatient = {{ deductible = 1000.0, tiers = [[inf, 0.85]], cap = 400000.0 }}\n\
         outpatient = {{ deductible = 0.0, tiers = [[inf, 0.5]], cap = 2000.0 }}\n\n\
         [policy.costs]\nprice_year = 2023\ninpatient_mean = {}\ninpatient_sigma = 1.0\noutpatient_mean = 2500.0\noutpatient_sigma = 1.0\n\n{maternity}\n{units}",
        p.horizon, p.pooling, p.employer_rate, p.employee_rate, p.to_accounts, p.inpatient_mean,
    )
}

fn p_start() -> fundrisk::params::Month {
    fundrisk::params::Month::new(2024, 1).unwrap()
}

fn parse(text: &str) -> Scenario {
    Scenario::parse(text, "prop.toml", DataSource::default()).expect("a valid scenario")
}

fn ledger(s: &Scenario) -> Vec<LedgerRow> {
    exact_ledger(&ScenarioModel::new(s))
}

/// Year-end (and every month's) balances of every fund along path `p`, [fund][month].
fn path_balances(model: &ScenarioModel, seed: u64, p: u64) -> Vec<Vec<f64>> {
    let h = model.horizon as usize;
    let mut out = vec![vec![0.0; h]; model.funds.len()];
    let mut state = PathState::<f64>::new(model);
    run_path(
        model,
        seed,
        p,
        &mut state,
        &mut |k: usize, f: usize, r: &FundMonth<f64>, _: &Memo| out[f][k] = r.balance,
    );
    out
}

fn d(x: Decimal) -> f64 {
    x.to_f64().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// B(t) = B(t−1) + income − spending + interest + transfers, exactly in the ledger's
    /// decimal yuan, with the totals the sums of their lines, on every row.
    #[test]
    fn ledger_identity_to_the_fen(p in params()) {
        let s = parse(&text(&p, 1.0));
        let rows = ledger(&s);
        // Each fund's opening balance, as the ledger rounds it.
        let fen = |x: f64| <Decimal as Money>::from_yuan(x);
        let opening = |name: &str| -> Decimal {
            let units = &s.units;
            if let Some(u) = units.iter().find(|u| u.spec.name == name) {
                return fen(u.spec.initial_pooled_balance);
            }
            if let Some(u) = units.iter().find(|u| format!("{}.maternity", u.spec.name) == name) {
                return fen(u.spec.initial_maternity_balance);
            }
            match s.spec.pooling.kind {
                PoolingKind::CityUnified => {
                    fen(units.iter().map(|u| u.spec.initial_pooled_balance).sum())
                }
                _ => fen(s.spec.pooling.initial_balance),
            }
        };
        for (i, r) in rows.iter().enumerate() {
            let rec = &r.record;
            prop_assert_eq!(rec.income_total, rec.income.iter().copied().sum::<Decimal>());
            prop_assert_eq!(rec.spending_total, rec.spending.iter().copied().sum::<Decimal>());
            let before = if i > 0 && rows[i - 1].unit == r.unit {
                rows[i - 1].record.balance
            } else {
                opening(&r.unit)
            };
            prop_assert_eq!(
                rec.balance,
                before + rec.income_total - rec.spending_total + rec.interest + rec.transfers_net,
                "{} {}", r.unit, r.month
            );
        }
        // Money moved between funds sums to zero every month (pooling, mergers).
        let months = s.spec.horizon_months as usize;
        for k in 0..months {
            let net: Decimal = rows
                .iter()
                .filter(|r| r.month == s.spec.start.plus(k as i32))
                .map(|r| r.record.transfers_net)
                .sum();
            prop_assert_eq!(net, Decimal::ZERO, "month {}", k);
        }
    }

    /// Members at the start of a month = members at the start of the month before + entries −
    /// exits − deaths (retirements and the continuing contributors' completions move members
    /// between statuses only).
    #[test]
    fn membership_is_conserved(p in params()) {
        let s = parse(&text(&p, 1.0));
        let rows = ledger(&s);
        for w in rows.windows(2) {
            let (a, b) = (&w[0], &w[1]);
            if a.unit != b.unit || !matches!(a.kind, fundrisk::engine::FundKind::Pooled | fundrisk::engine::FundKind::City) {
                continue;
            }
            let total = |r: &LedgerRow| r.memo.members.iter().sum::<f64>();
            let expected = total(a) + a.memo.entries - a.memo.exits - a.memo.deaths;
            prop_assert!(
                (total(b) - expected).abs() <= 1e-9 * expected.abs().max(1.0),
                "{} {}: {} vs {}", b.unit, b.month, total(b), expected
            );
        }
    }

    /// Twice every count and opening figure: every money line twice (to the ledger's rounding
    /// of a fen per line), months of capacity the same (to its 0.01).
    #[test]
    fn doubling_membership_doubles_money_and_keeps_months(p in params()) {
        let one = ledger(&parse(&text(&p, 1.0)));
        let two = ledger(&parse(&text(&p, 2.0)));
        prop_assert_eq!(one.len(), two.len());
        for (a, b) in one.iter().zip(&two) {
            let k = a.month.since(p_start()) as f64;
            let (ra, rb) = (&a.record, &b.record);
            // Each line is rounded to the fen on its own: twice a line is within 2 fen. The
            // treasury's line is a share of a county's gap over a year of such lines (settled in
            // December, booked the next March), so its rounding compounds like a balance's over
            // twelve months.
            let treasury = fundrisk::ledger::IncomeLine::Treasury as usize;
            let income = ra.income.iter().zip(&rb.income).enumerate()
                .map(|(i, xy)| (if i == treasury { 0.02 * 20.0 * 12.0 } else { 0.02 }, xy));
            let spending = ra.spending.iter().zip(&rb.spending).map(|xy| (0.02, xy));
            for (tol, (x, y)) in income.chain(spending) {
                prop_assert!((d(*y) - 2.0 * d(*x)).abs() <= tol + 1e-9 * d(*y).abs(),
                    "{} {}: {} vs 2 × {}", a.unit, a.month, y, x);
            }
            // The rounding compounds in balances (at most 2 fen per line and month), and so in
            // what is computed from them: interest and the balance a merger moves.
            let tol = 0.02 * 20.0 * (k + 1.0);
            for (x, y) in [
                (ra.balance, rb.balance),
                (ra.interest, rb.interest),
                (ra.transfers_net, rb.transfers_net),
            ] {
                prop_assert!((d(y) - 2.0 * d(x)).abs() <= tol + 1e-9 * d(y).abs(),
                    "{} {}: {} vs 2 × {}", a.unit, a.month, y, x);
            }
            match (ra.months_of_capacity, rb.months_of_capacity) {
                (Some(x), Some(y)) => prop_assert!((d(x) - d(y)).abs() <= 0.011 + 1e-7 * d(x).abs(),
                    "{} {}: months {} vs {}", a.unit, a.month, x, y),
                (None, None) => {}
                other => prop_assert!(false, "{:?}", other),
            }
        }
    }

    /// On the same random paths, a higher employer rate never lowers any fund's balance in any
    /// month. Not under management rules (they respond to the balance), and not under
    /// city-unified pooling: there, meeting the revenue budget changes who pays a county's gap
    /// (the treasury pays all of it only when the budget is missed, 004 三(四)2), so a little
    /// more income can bring the city fund less treasury money: a real property of the rule.
    #[test]
    fn a_higher_rate_never_lowers_a_balance(p in params(), extra in 0.001..0.05f64) {
        let mut p = p;
        if p.pooling == "city_unified" {
            p.pooling = "provincial_adjustment";
        }
        let mut higher = p.clone();
        higher.employer_rate += extra;
        let (s1, s2) = (parse(&text(&p, 1.0)), parse(&text(&higher, 1.0)));
        let (mut m1, mut m2) = (ScenarioModel::new(&s1), ScenarioModel::new(&s2));
        m1.build_benefit_grids().unwrap();
        m2.build_benefit_grids().unwrap();
        for path in 0..4u64 {
            let (b1, b2) = (path_balances(&m1, 11, path), path_balances(&m2, 11, path));
            for (f, (x, y)) in b1.iter().zip(&b2).enumerate() {
                // The adjustment fund may receive less when units need less: only units' funds.
                if m1.funds[f].kind == fundrisk::engine::FundKind::Adjustment {
                    continue;
                }
                for (k, (a, b)) in x.iter().zip(y).enumerate() {
                    prop_assert!(*b >= *a - 1e-6 * a.abs().max(1.0),
                        "path {} {} month {}: {} < {}", path, m1.funds[f].name, k, b, a);
                }
            }
        }
    }

    /// With every volatility at zero, any path is the exact ledger's path (to its rounding).
    #[test]
    fn zero_volatility_gives_the_ledger(p in params(), seed in any::<u64>()) {
        let s = parse(&text(&p, 1.0)).without_volatility();
        let rows = ledger(&s);
        let mut model = ScenarioModel::new(&s);
        model.build_benefit_grids().unwrap();
        let h = model.horizon as usize;
        let balances = path_balances(&model, seed, 3);
        for (i, r) in rows.iter().enumerate() {
            let (f, k) = (i / h, i % h);
            let b = d(r.record.balance);
            // Lines are rounded to the fen in the ledger (about 20 a month) and grids carry
            // 1e-7 of relative error: both compound over the months.
            let tol = 0.01 * 20.0 * (k as f64 + 1.0) + 1e-6 * b.abs();
            prop_assert!((balances[f][k] - b).abs() <= tol, "{} {}: {} vs {}", r.unit, r.month, balances[f][k], b);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Issue 22: membership read from the cohort tables (the survivors of the start plus entry
    /// cohorts, computed once per scenario) equals the direct cell-by-cell projection on every
    /// month, status and flow, and on the fertility exposure of the members in service, for
    /// random scenarios and random employment growth, rising or falling (a status shrinking
    /// faster than its attrition is scaled).
    #[test]
    fn cohort_tables_equal_the_cell_projection(
        p in params(),
        growth in prop::collection::vec(-0.3..0.08f64, 4),
    ) {
        use fundrisk::population::cohorts::{CellProjection, CohortTables};
        let s = parse(&text(&p, 1.0));
        let growth_of = |k: usize| growth[k / 12];
        let close = |x: f64, y: f64| (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0);
        for unit in &s.units {
            let tables = CohortTables::new(&s, unit);
            let tabulated = tables.project_with_fertility(growth_of);
            let direct = CellProjection::new(&s, unit).project_with_fertility(growth_of);
            prop_assert_eq!(tabulated.len(), direct.len());
            for (k, ((a, fa), (b, fb))) in tabulated.iter().zip(&direct).enumerate() {
                let pairs = a.values().into_iter().zip(b.values());
                for (i, (x, y)) in pairs.enumerate() {
                    prop_assert!(close(x, y), "{} month {k}, field {i}: {x} vs {y}", unit.spec.name);
                }
                for w in 0..3 {
                    prop_assert!(close(fa.women[w], fb.women[w]), "{} month {k}: women", unit.spec.name);
                    prop_assert!(close(fa.partners[w], fb.partners[w]), "{} month {k}: partners", unit.spec.name);
                }
            }
        }
    }
}
