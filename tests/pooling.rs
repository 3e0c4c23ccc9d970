//! Funds that move money between them: maternity mergers, the provincial adjustment fund and
//! city-unified pooling.

use fundrisk::data::DataSource;
use fundrisk::engine::exact::{LedgerRow, exact_ledger};
use fundrisk::engine::{FundKind, MaternityArrangement, ScenarioModel};
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
            let allowance = |r: &LedgerRow| {
                r.record.spending[fundrisk::ledger::SpendingLine::MaternityAllowance]
            };
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
        // The merger moves money without changing the scheme's total: the sum of both funds'
        // balances is the same either way, but for the fen roundings of the lines. Interest
        // accrues on positive balances only, so a fund that goes negative (Guangdong's separate
        // maternity fund at its 0.5 % rate; Huainan's ageing pooled fund) earns what the other
        // arrangement's does not: the identity is checked without interest, every month.
        let mut no_interest = s.clone();
        no_interest.spec.economy.interest_rate.mean = fundrisk::params::Dated::Constant(0.0);
        no_interest.spec.economy.interest_rate.volatility = 0.0;
        let merged = exact_ledger(&ScenarioModel::new(&no_interest));
        let separate = exact_ledger(&ScenarioModel::with_arrangement(
            &no_interest,
            MaternityArrangement::Separate,
        ));
        let totals = |rows: &[LedgerRow]| {
            let mut m: BTreeMap<String, Decimal> = BTreeMap::new();
            for r in rows {
                *m.entry(r.month.to_string()).or_insert(Decimal::ZERO) += r.record.balance;
            }
            m
        };
        let (a, b) = (totals(&merged), totals(&separate));
        assert_eq!(a.len(), s.spec.horizon_months as usize, "{file}");
        assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
        for ((month, a), b) in a.iter().zip(b.values()) {
            assert!(
                (*a - *b).abs() <= Decimal::ONE,
                "{file} {month}: {a} vs {b}"
            );
        }
    }
}

const UNITS_MARK: &str = "# ---- units: generated by";

/// A scenario file's policy part with the given units in place of its generated ones.
fn with_units(file: &str, units: &str) -> Scenario {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(file);
    let text = std::fs::read_to_string(p).unwrap();
    let head = text.split(UNITS_MARK).next().unwrap();
    scenario_text(&format!("{head}\n{units}"))
}

fn unit(name: &str, retirees: f64, balance: f64) -> String {
    format!(
        r#"[[units]]
name = "{name}"
initial_pooled_balance = {balance:e}
pooled_spending_prev_year = 2.0e9
pooled_income_prev_year = 2.2e9
average_wage_prev_year = 6000.0
membership = {{ enterprise = 5.0e5, government = 1.0e5, flexible = 5.0e4, retirees = {retirees:e} }}
"#
    )
}

/// Sums of a fund's lines by year.
fn by_year(
    rows: &[LedgerRow],
    unit: &str,
    f: impl Fn(&LedgerRow) -> Decimal,
) -> BTreeMap<i32, Decimal> {
    let mut m = BTreeMap::new();
    for r in rows.iter().filter(|r| r.unit == unit) {
        *m.entry(r.month.year()).or_insert(Decimal::ZERO) += f(r);
    }
    m
}

fn row<'a>(rows: &'a [LedgerRow], unit: &str, month: &str) -> &'a LedgerRow {
    rows.iter()
        .find(|r| r.unit == unit && r.month.to_string() == month)
        .unwrap()
}

/// Shandong (003 §(四)): levies are 3 % of last year's premium income, to the fen; a city whose
/// deficit exceeds twice its last levy receives exactly that cap, its own balance bearing the
/// rest; the adjustment fund's balance is its levies less its payments plus its interest.
#[test]
fn provincial_adjustment_levies_and_capped_payments() {
    // "old" has many retirees and runs a large deficit; "young" runs a surplus.
    let units = format!(
        "{}\n{}",
        unit("young", 1.0e5, 3.0e9),
        unit("old", 6.0e5, 3.0e9)
    );
    let s = with_units("shandong-provincial.toml", &units);
    let rows = exact_ledger(&ScenarioModel::new(&s));
    let three = Decimal::new(3, 2);
    let fen = |d: Decimal| {
        d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    };
    let income = |u: &str| by_year(&rows, u, |r| r.record.income_total);
    let spending = |u: &str| by_year(&rows, u, |r| r.record.spending_total);
    let mut levies: BTreeMap<(String, i32), Decimal> = BTreeMap::new();
    for u in ["young", "old"] {
        let inc = income(u);
        for year in 2024..=2028 {
            let jan = row(&rows, u, &format!("{year}-01")).record.transfers_net;
            let basis = if year == 2024 {
                Decimal::from(2_200_000_000u64)
            } else {
                inc[&(year - 1)]
            };
            assert_eq!(
                jan,
                -fen(basis * three),
                "{u} {year}: the levy is 3 % of last year's income"
            );
            levies.insert((u.to_string(), year), -jan);
        }
    }
    let inc = income("old");
    let sp = spending("old");
    for year in 2024..=2028 {
        let gap = sp[&year] - inc[&year];
        let cap_levy = if year == 2024 {
            levies[&("old".into(), 2024)]
        } else {
            levies[&("old".into(), year - 1)]
        };
        let cap = fen(cap_levy * Decimal::from(2));
        assert!(
            fen(gap * Decimal::new(5, 1)) > cap,
            "{year}: the constructed deficit exceeds the cap"
        );
        let dec = row(&rows, "old", &format!("{year}-12"))
            .record
            .transfers_net;
        assert_eq!(dec, cap, "{year}: the adjustment fund pays exactly the cap");
        // The young city, in surplus even with its levy counted as spending (levy_in_gap, the
        // literal reading of 003 三(四)), receives nothing.
        let young_levy = levies[&("young".into(), year)];
        let (yi, ys) = (income("young")[&year], spending("young")[&year]);
        assert!(yi - ys > young_levy, "{year}: {yi} − {ys} vs {young_levy}");
        assert_eq!(
            row(&rows, "young", &format!("{year}-12"))
                .record
                .transfers_net,
            Decimal::ZERO
        );
    }
    // The adjustment fund: balance = Σ levies − Σ payments + Σ interest, to the fen.
    let adj: Vec<&LedgerRow> = rows
        .iter()
        .filter(|r| r.kind == FundKind::Adjustment)
        .collect();
    assert_eq!(adj.len(), 60);
    let mut balance = Decimal::ZERO;
    for r in &adj {
        balance += r.record.transfers_net + r.record.interest;
        assert_eq!(r.record.balance, balance);
        assert_eq!(
            r.record.income_total + r.record.spending_total,
            Decimal::ZERO
        );
    }
    let total_levies: Decimal = levies.values().copied().sum();
    let paid: Decimal = (2024..=2028)
        .map(|y| row(&rows, "old", &format!("{y}-12")).record.transfers_net)
        .sum();
    let interest: Decimal = adj.iter().map(|r| r.record.interest).sum();
    assert_eq!(balance, total_levies - paid + interest);
    // Money moves between funds; none is created: all transfers sum to zero every month.
    for k in 0..60 {
        let t: Decimal = rows
            .iter()
            .filter(|r| r.month == s.spec.start.plus(k))
            .map(|r| r.record.transfers_net)
            .sum();
        assert_eq!(t, Decimal::ZERO);
    }
}

/// Jiujiang (004 三(四)): every county's gap is paid by the city fund and the county treasury
/// together, by the rules, in both readings of the 80/20 clause; the treasuries' payments are the
/// city fund's treasury income of the booking month; budgets grow from last year's figures.
#[test]
fn city_unified_settlement_by_the_rules() {
    use fundrisk::engine::{Memo, Observer};
    use fundrisk::ledger::FundMonth;
    use fundrisk::pooling::{Settlement, county_settlement};
    use fundrisk::scenario::OverspendSharing;
    struct Capture {
        settlements: Vec<(usize, usize, Settlement<Decimal>)>,
        treasury_income: BTreeMap<usize, Decimal>,
    }
    impl Observer<Decimal> for Capture {
        fn month(&mut self, k: usize, _f: usize, r: &FundMonth<Decimal>, _m: &Memo) {
            self.treasury_income
                .insert(k, r.income[fundrisk::ledger::IncomeLine::Treasury]);
        }
        fn settlement(&mut self, k: usize, u: usize, s: &Settlement<Decimal>) {
            self.settlements.push((k, u, *s));
        }
    }
    // Three counties: a rich one (within budget), a middling one and an old one.
    let units = format!(
        "{}\n{}\n{}",
        unit("met-within", 1.0e5, 1.0e9),
        unit("met-beyond", 3.0e5, 1.0e9),
        unit("missed", 6.0e5, 1.0e9)
    );
    // The literal readings (the whole gap shared once spending exceeds its budget; the
    // treasuries' money booked in March of the next year, 004 三(三) "次年3月底前完成"), then the
    // split reading booked in December.
    for (sharing, booking) in [
        (OverspendSharing::WholeGap, 3u32),
        (OverspendSharing::AboveBudget, 12u32),
    ] {
        let mut s = with_units("jiujiang-city.toml", &units);
        assert_eq!(s.spec.pooling.overspend_sharing, OverspendSharing::WholeGap);
        assert_eq!(s.spec.pooling.treasury_settlement_month, 3);
        s.spec.pooling.overspend_sharing = sharing;
        s.spec.pooling.treasury_settlement_month = booking;
        // Budgets growing 6 % a year from last year's figures; collection below the revenue
        // budget in the old county is what the rules are about.
        s.spec.pooling.spending_budget_growth = 0.0;
        let model = ScenarioModel::new(&s);
        assert_eq!(model.funds.len(), 1, "one city fund");
        let mut cap = Capture {
            settlements: vec![],
            treasury_income: BTreeMap::new(),
        };
        project_exactly(&model, &mut cap);
        assert_eq!(cap.settlements.len(), 3 * 5);
        let fen = |d: Decimal| {
            d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        };
        let mut last: BTreeMap<usize, (Decimal, Decimal)> = BTreeMap::new();
        let mut kinds = std::collections::BTreeSet::new();
        for (k, u, st) in &cap.settlements {
            let (prev_income, prev_spending) = last.get(u).copied().unwrap_or((
                Decimal::from(2_200_000_000u64),
                Decimal::from(2_000_000_000u64),
            ));
            assert_eq!(st.revenue_budget, fen(prev_income * Decimal::new(106, 2)));
            assert_eq!(st.spending_budget, prev_spending);
            assert_eq!(
                st.working_advance,
                fen(prev_spending * Decimal::new(125, 3))
            );
            let gap = (st.spending - st.income).max(Decimal::ZERO);
            assert_eq!(st.gap, gap);
            assert_eq!(st.received + st.treasury, gap);
            let expected = county_settlement(
                st.income,
                st.spending,
                st.revenue_budget,
                st.spending_budget,
                &s.spec.pooling,
            );
            assert_eq!((st.received, st.treasury), expected);
            if gap > Decimal::ZERO {
                let kind = if st.income < st.revenue_budget {
                    assert_eq!(
                        st.treasury, gap,
                        "missed revenue budget: the county pays all"
                    );
                    "missed"
                } else if st.spending <= st.spending_budget {
                    assert_eq!(
                        st.treasury,
                        Decimal::ZERO,
                        "within budget: the city pays all"
                    );
                    "within"
                } else {
                    let shared = match sharing {
                        OverspendSharing::WholeGap => gap,
                        OverspendSharing::AboveBudget => {
                            (st.spending - st.spending_budget).min(gap)
                        }
                    };
                    assert_eq!(
                        st.treasury,
                        fen(shared * Decimal::new(2, 1)),
                        "beyond budget: 80/20"
                    );
                    "beyond"
                };
                kinds.insert(kind);
            }
            last.insert(*u, (st.income, st.spending));
            // The treasuries' payments settled in December k are the city fund's treasury
            // income of the booking month: December itself, or March of the next year (three
            // months on), when the horizon reaches it.
            let total: Decimal = cap
                .settlements
                .iter()
                .filter(|(kk, _, _)| kk == k)
                .map(|(_, _, s)| s.treasury)
                .sum();
            let booked = if booking == 12 { *k } else { *k + 3 };
            if let Some(income) = cap.treasury_income.get(&booked) {
                assert_eq!(*income, total, "booked in month {booked}");
            }
            if booking != 12 {
                assert_eq!(cap.treasury_income[k], Decimal::ZERO, "nothing in December");
            }
        }
        // Treasury income only in the booking months.
        for (k, v) in &cap.treasury_income {
            if *v != Decimal::ZERO {
                assert_eq!(model.month(*k).month(), booking, "month {k}");
            }
        }
        assert!(
            kinds.contains("missed") && kinds.contains("beyond"),
            "{kinds:?}"
        );
    }
}

/// Jiangmen's 6-month rule (001 四(五)3) as a management rule: below 6 months at a year end the
/// employer rate rises by 0.5 point from January, up to 7 %; every firing is on the ledger.
#[test]
fn six_month_rule_raises_the_rate_up_to_the_ceiling() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/jiangmen-integration.toml");
    let text = std::fs::read_to_string(p).unwrap();
    // A fund that starts nearly empty and stays short.
    // The opening balance and the employees' base year's year-end balance.
    let text = text.replace("pooled_balance = 3.0e9", "pooled_balance = 1.0e8");
    let text = text.replace("inpatient_mean = 24000.0", "inpatient_mean = 40000.0");
    let s = scenario_text(&text);
    let without = {
        let mut s2 = s.clone();
        s2.spec.rules.clear();
        exact_ledger(&ScenarioModel::new(&s2))
    };
    let with = exact_ledger(&ScenarioModel::new(&s));
    let uplift = |r: &LedgerRow| r.memo.employer_rate_uplift;
    // Fired at the ends of 2018, 2019 and 2020: 0.5, 1.0, 1.5 points; then the 7 % ceiling
    // (5.5 % + 1.5) stops it.
    let fired: Vec<String> = with
        .iter()
        .filter(|r| r.unit == "employees" && r.memo.rule_fired == 1.0)
        .map(|r| r.month.to_string())
        .collect();
    assert_eq!(fired, ["2018-12", "2019-12", "2020-12"]);
    // The rule looks at the one fund (the sum of the two accounts), not at each account.
    for year in 2018..=2027 {
        let dec: Vec<&LedgerRow> = with
            .iter()
            .filter(|r| r.month.to_string() == format!("{year}-12") && r.kind == FundKind::Pooled)
            .collect();
        assert_eq!(dec.len(), 2);
        let balance: Decimal = dec.iter().map(|r| r.record.balance).sum();
        let avg: Decimal = dec.iter().map(|r| r.record.avg_spending_12m).sum();
        let months = balance / avg;
        let fired_here = dec[0].memo.rule_fired == 1.0;
        let below = months < Decimal::from(6);
        let at_ceiling = dec[0].memo.employer_rate_uplift >= 0.015 - 1e-12;
        assert_eq!(fired_here, below && !at_ceiling, "{year}: {months} months");
        assert!(
            dec.iter()
                .all(|r| r.memo.rule_fired == dec[0].memo.rule_fired)
        );
    }
    for (year, expected) in [
        (2018, 0.0),
        (2019, 0.005),
        (2020, 0.010),
        (2021, 0.015),
        (2027, 0.015),
    ] {
        let r = row(&with, "employees", &format!("{year}-06"));
        assert!(
            (uplift(r) - expected).abs() < 1e-12,
            "{year}: {}",
            uplift(r)
        );
    }
    // The employer line scales with the rate: 6.0 % against 5.5 % in 2019 (to the fen).
    let a =
        row(&with, "employees", "2019-03").record.income[fundrisk::ledger::IncomeLine::Employer];
    let b =
        row(&without, "employees", "2019-03").record.income[fundrisk::ledger::IncomeLine::Employer];
    let ratio = Decimal::new(60, 3) / Decimal::new(55, 3);
    assert!(
        (a - b * ratio).abs() <= Decimal::new(2, 2),
        "{a} vs {}",
        b * ratio
    );
    // Nothing else moves: spending is the same with and without the rule.
    assert_eq!(spending_by_month(&with), spending_by_month(&without));
}

/// Jiangmen (001 四(五)1): residents and employees are accounted separately inside one fund; the
/// residents' contribution is 1.2 % (2018) of the disposable income of 2016 plus the subsidy.
#[test]
fn jiangmen_accounts_are_separate_and_residents_pay_by_hand() {
    use fundrisk::ledger::IncomeLine;
    let s = scenario_file("jiangmen-integration.toml");
    let rows = exact_ledger(&ScenarioModel::new(&s));
    for r in rows.iter().filter(|r| r.kind == FundKind::Pooled) {
        let i = &r.record.income;
        let sp = &r.record.spending;
        if r.unit == "employees" {
            assert_eq!(
                i[IncomeLine::Resident] + i[IncomeLine::Subsidy],
                Decimal::ZERO
            );
            assert_eq!(r.memo.members[5], 0.0);
        } else {
            assert_eq!(r.unit, "residents");
            assert_eq!(
                i[IncomeLine::Employer] + i[IncomeLine::Employee] + i[IncomeLine::Flexible],
                Decimal::ZERO
            );
            // Tier 1 only: no second tier and no personal accounts.
            assert_eq!(sp[fundrisk::ledger::SpendingLine::Tier2], Decimal::ZERO);
            assert_eq!(
                sp[fundrisk::ledger::SpendingLine::PersonalAccount],
                Decimal::ZERO
            );
        }
    }
    // January 2018: residents × 1.2 % × 25,000 (2016) / 12 × 97 % collected; subsidy 490 / 12.
    let jan = row(&rows, "residents", "2018-01");
    let n = jan.memo.members[5];
    assert!((n - 2.4e6).abs() < 1.0);
    let contribution = n * 0.012 * 25_000.0 / 12.0 * 0.97;
    let subsidy = n * 490.0 / 12.0;
    let got = |l: IncomeLine| jan.record.income[l].to_string().parse::<f64>().unwrap();
    assert!(
        (got(IncomeLine::Resident) - contribution).abs() <= 0.006,
        "{} vs {contribution}",
        got(IncomeLine::Resident)
    );
    assert!((got(IncomeLine::Subsidy) - subsidy).abs() <= 0.006);
    // 2020: 1.6 % of the 2018 income (29,000) and a subsidy of 550.
    let jan20 = row(&rows, "residents", "2020-01");
    let n = jan20.memo.members[5];
    let got = jan20.record.income[IncomeLine::Resident]
        .to_string()
        .parse::<f64>()
        .unwrap();
    assert!((got - n * 0.016 * 29_000.0 / 12.0 * 0.97).abs() <= 0.006);

    // The fund is the sum of its accounts: at zero volatility the "jiangmen" rows of the
    // summary are the accounts' year-end balances added up.
    let model = {
        let mut m = ScenarioModel::new(&s.without_volatility());
        m.build_benefit_grids().unwrap();
        m
    };
    let opts = fundrisk::engine::montecarlo::RunOptions::new(8, 1);
    let sim = fundrisk::risk::simulate(&model, &s.spec.risk, &opts, &|_| {}).unwrap();
    let t = sim.summary();
    let units = t.strings("unit").unwrap();
    let p50 = t.numbers("balance_p50").unwrap();
    let years = t.numbers("year").unwrap();
    for i in (0..t.n_rows()).filter(|&i| units[i] == "jiangmen") {
        let year = years[i] as i32;
        let total: f64 = ["employees", "residents"]
            .iter()
            .map(|u| {
                row(&rows, u, &format!("{year}-12"))
                    .record
                    .balance
                    .to_string()
                    .parse::<f64>()
                    .unwrap()
            })
            .sum();
        assert!(
            (p50[i] - total).abs() <= 1e-4 * total.abs() + 1.0,
            "{year}: {} vs {total}",
            p50[i]
        );
    }
}

/// Jiangmen's caps tied to continuous contribution and the flexible workers' waiting period:
/// new members are paid less, from the second month on (nobody is new at the start), and
/// nothing but spending changes; with factors of 1 nothing changes at all.
#[test]
fn new_members_reduced_caps_and_waiting_period() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/jiangmen-integration.toml");
    let text = std::fs::read_to_string(p).unwrap();
    let ledger = |t: &str| exact_ledger(&ScenarioModel::new(&scenario_text(t)));
    let with = ledger(&text);
    let none = ledger(
        &text
            .replace("new_member_cap_factors = [[12.0, 0.5], [24.0, 0.7]]", "")
            .replace("flexible_waiting_months = 3", ""),
    );
    let ones = ledger(
        &text
            .replace(
                "new_member_cap_factors = [[12.0, 0.5], [24.0, 0.7]]",
                "new_member_cap_factors = [[12.0, 1.0], [24.0, 1.0]]",
            )
            .replace("flexible_waiting_months = 3", ""),
    );
    for (a, b) in ones.iter().zip(&none) {
        assert_eq!(
            a.record.spending, b.record.spending,
            "{} {}",
            a.unit, a.month
        );
    }
    let mut lower = 0;
    for (a, b) in with.iter().zip(&none) {
        assert_eq!(a.record.income, b.record.income);
        let (sa, sb) = (a.record.spending_total, b.record.spending_total);
        if a.month == s_start() {
            assert_eq!(sa, sb, "nobody is new at the start");
        } else {
            assert!(sa <= sb, "{} {}", a.unit, a.month);
            lower += usize::from(sa < sb);
        }
        // Personal-account credits do not depend on caps or waiting.
        let pa = fundrisk::ledger::SpendingLine::PersonalAccount;
        assert_eq!(a.record.spending[pa], b.record.spending[pa]);
    }
    assert!(lower > 200, "{lower} of 238 later fund-months pay less");
}

fn s_start() -> fundrisk::params::Month {
    fundrisk::params::Month::new(2018, 1).unwrap()
}

/// Jiangmen (001, with Guangdong's merger 000): the employees' maternity insurance is a fund of
/// its own until 2020-01, funded by its 0.5 % employer rate, and then joins the employees'
/// account with the rate; the residents' account, with no members in service, has no maternity
/// fund. In 2019 the maternity income is 0.5 % of what the employer's medical contributions are
/// at their rate, month by month (the same payroll and collection).
#[test]
fn jiangmen_maternity_is_a_fund_of_its_own_until_the_merger() {
    let s = scenario_file("jiangmen-integration.toml");
    let model = ScenarioModel::new(&s);
    let names: Vec<&str> = model.funds.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["employees", "residents", "employees.maternity"]);
    let rows = exact_ledger(&model);
    let employer_rate = s.units[0]
        .policy
        .employer_rate
        .at(fundrisk::params::Month::new(2019, 6).unwrap());
    let mut checked = 0;
    for r in rows.iter().filter(|r| r.unit == "employees.maternity") {
        let month = r.month.to_string();
        let pooled = rows
            .iter()
            .find(|p| p.unit == "employees" && p.month == r.month)
            .unwrap();
        let income: f64 = r.record.income[fundrisk::ledger::IncomeLine::Maternity]
            .try_into()
            .unwrap();
        if month.as_str() < "2020-01" && month.as_str() >= "2019-01" {
            // Employer medical income is what stays pooled after the personal-account share:
            // Jiangmen credits accounts from pooled money (bands), so all of it is pooled.
            let employer: f64 = pooled.record.income[fundrisk::ledger::IncomeLine::Employer]
                .try_into()
                .unwrap();
            let expected = employer * 0.005 / employer_rate;
            assert!(
                (income - expected).abs() <= 0.01 + 1e-9 * expected,
                "{month}: {income} vs {expected}"
            );
            checked += 1;
        }
        if month.as_str() >= "2020-01" {
            assert_eq!(income, 0.0, "{month}");
            assert_eq!(r.record.balance, Decimal::ZERO, "{month}");
        }
    }
    assert_eq!(checked, 12);
}

/// The treasury backstop (Jiangmen 001 四(一)(二)): an account in deficit at a year end receives
/// exactly its deficit from the treasury in January (`income_treasury`), to the fen; an account
/// in surplus receives nothing, and without the backstop nothing is paid.
#[test]
fn treasury_backstop_covers_the_year_end_deficit() {
    use fundrisk::ledger::IncomeLine;
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/jiangmen-integration.toml");
    let text = std::fs::read_to_string(p).unwrap();
    assert!(
        text.contains("\nutilisation_level = 0.45 ")
            && text.contains("\ntreasury_backstop = true\n")
    );
    // Residents using care like employees run their account into deficit.
    let text = text.replace("\nutilisation_level = 0.45 ", "\nutilisation_level = 0.9 ");
    let rows = exact_ledger(&ScenarioModel::new(&scenario_text(&text)));
    let mut paid = 0;
    for unit in ["employees", "residents"] {
        for year in 2019..=2027 {
            let dec = row(&rows, unit, &format!("{}-12", year - 1)).record.balance;
            let jan = row(&rows, unit, &format!("{year}-01")).record.income[IncomeLine::Treasury];
            let expected = if dec < Decimal::ZERO {
                -dec
            } else {
                Decimal::ZERO
            };
            assert_eq!(jan, expected, "{unit} {year}");
            paid += usize::from(jan > Decimal::ZERO);
        }
        // Only Januaries carry treasury money.
        for r in rows
            .iter()
            .filter(|r| r.unit == unit && r.month.month() != 1)
        {
            assert_eq!(
                r.record.income[IncomeLine::Treasury],
                Decimal::ZERO,
                "{}",
                r.month
            );
        }
    }
    assert!(paid >= 5, "{paid}");
    let without = text.replace(
        "\ntreasury_backstop = true\n",
        "\ntreasury_backstop = false\n",
    );
    let rows = exact_ledger(&ScenarioModel::new(&scenario_text(&without)));
    assert!(
        rows.iter()
            .all(|r| r.record.income[IncomeLine::Treasury] == Decimal::ZERO)
    );
}

/// The residents' contribution rule (001 四(五)3, financing adjusted below 6 months), judging
/// the residents' account on its own: their account in deficit at the end of 2018 raises the
/// 2019 residents' rate by 0.2 point of the 2017 disposable income (27,000) and the subsidy by
/// 30 yuan a head, by hand: n × (1.4 % + 0.2 %) × 27,000 / 12 × 97 % collected and
/// n × (subsidy + 30) / 12. Judged on the fund (the default), the same year does not fire it.
#[test]
fn residents_rule_raises_contribution_and_subsidy() {
    use fundrisk::ledger::IncomeLine;
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/jiangmen-integration.toml");
    let base = std::fs::read_to_string(p).unwrap();
    assert!(base.contains("\njudged_on = \"fund\"\n"));
    let hot = base.replace("\nutilisation_level = 0.45 ", "\nutilisation_level = 0.9 ");
    let by_account = hot.replace("\njudged_on = \"fund\"\n", "\njudged_on = \"account\"\n");
    let s = scenario_text(&by_account);
    let rows = exact_ledger(&ScenarioModel::new(&s));
    let dec = row(&rows, "residents", "2018-12");
    assert_eq!(
        dec.memo.rule_fired, 1.0,
        "the residents' account is short at the end of 2018"
    );
    let jan = row(&rows, "residents", "2019-01");
    let n = jan.memo.members[5];
    let policy = &s.units[1].policy;
    let m = fundrisk::params::Month::new(2019, 1).unwrap();
    let rate = policy.resident_rate.at(m) + 0.002;
    let subsidy = policy.resident_subsidy.at(m) + 30.0;
    let got = |l: IncomeLine| -> f64 { jan.record.income[l].try_into().unwrap() };
    let contribution = n * rate * 27_000.0 / 12.0 * 0.97;
    assert!(
        (got(IncomeLine::Resident) - contribution).abs() <= 0.006,
        "{} vs {contribution}",
        got(IncomeLine::Resident)
    );
    assert!((got(IncomeLine::Subsidy) - n * subsidy / 12.0).abs() <= 0.006);
    // Judged on the fund of both tiers, the residents' rule does not fire at the end of 2018.
    let rows = exact_ledger(&ScenarioModel::new(&scenario_text(&hot)));
    let jan_fund = row(&rows, "residents", "2019-01");
    let n = jan_fund.memo.members[5];
    let base_rate = policy.resident_rate.at(m);
    let got: f64 = jan_fund.record.income[IncomeLine::Resident]
        .try_into()
        .unwrap();
    assert!((got - n * base_rate * 27_000.0 / 12.0 * 0.97).abs() <= 0.006);
}

/// The treasury's bill in the summary: at zero volatility every path is the expected path, so
/// `p_treasury` is 1 in the years the ledger's treasury pays and 0 otherwise, and the 95th
/// percentile of the treasury income is the ledger's year sum.
#[test]
fn treasury_bill_in_the_summary() {
    use fundrisk::ledger::IncomeLine;
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/jiangmen-integration.toml");
    let text = std::fs::read_to_string(p)
        .unwrap()
        .replace("\nutilisation_level = 0.45 ", "\nutilisation_level = 0.9 ");
    let s = scenario_text(&text).without_volatility();
    let mut model = ScenarioModel::new(&s);
    model.build_benefit_grids().unwrap();
    let opts = fundrisk::engine::montecarlo::RunOptions::new(8, 1);
    let sim = fundrisk::risk::simulate(&model, &s.spec.risk, &opts, &|_| {}).unwrap();
    let t = sim.summary();
    let units = t.strings("unit").unwrap();
    let years = t.numbers("year").unwrap();
    let p = t.numbers("p_treasury").unwrap();
    let p95 = t.numbers("income_treasury_p95").unwrap();
    let rows = exact_ledger(&ScenarioModel::new(&s));
    let mut paying = 0;
    for i in (0..t.n_rows()).filter(|&i| units[i] == "residents") {
        let year = years[i] as i32;
        let ledger: f64 = rows
            .iter()
            .filter(|r| r.unit == "residents" && r.month.year() == year)
            .map(|r| -> f64 { r.record.income[IncomeLine::Treasury].try_into().unwrap() })
            .sum();
        assert_eq!(p[i], if ledger > 0.0 { 1.0 } else { 0.0 }, "{year}");
        assert!(
            (p95[i] - ledger).abs() <= 1e-6 * ledger.max(1.0) + 1.0,
            "{year}: {} vs {ledger}",
            p95[i]
        );
        paying += usize::from(ledger > 0.0);
    }
    assert!(paying >= 5, "{paying}");
}

/// Jiujiang (004 三(二)-(三)): a county with its approved budgets is settled against them — the
/// revenue budget 2.5 bn yuan in 2021-2022 and 2.6 bn from 2023, the spending budget 2.3 bn —
/// while a county without them keeps last year's figures grown.
#[test]
fn city_unified_settles_against_approved_budgets() {
    use fundrisk::engine::{Memo, Observer};
    use fundrisk::ledger::FundMonth;
    use fundrisk::pooling::Settlement;
    struct Capture(Vec<(usize, usize, Settlement<Decimal>)>);
    impl Observer<Decimal> for Capture {
        fn month(&mut self, _k: usize, _f: usize, _r: &FundMonth<Decimal>, _m: &Memo) {}
        fn settlement(&mut self, k: usize, u: usize, s: &Settlement<Decimal>) {
            self.0.push((k, u, *s));
        }
    }
    let budgeted = unit("budgeted", 3.0e5, 1.0e9)
        + "revenue_budget = [{ from = \"2021-01\", value = 2.5e9 }, { from = \"2023-01\", value = 2.6e9 }]\nspending_budget = 2.3e9\n";
    let units = format!("{budgeted}\n{}", unit("grown", 3.0e5, 1.0e9));
    let s = with_units("jiujiang-city.toml", &units);
    let model = ScenarioModel::new(&s);
    let mut cap = Capture(vec![]);
    project_exactly(&model, &mut cap);
    let fen = |d: Decimal| {
        d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    };
    let growth = Decimal::try_from(1.0 + s.spec.pooling.revenue_budget_growth).unwrap();
    let mut last_income = Decimal::from(2_200_000_000u64);
    assert!(cap.0.len() >= 8);
    for (k, u, st) in &cap.0 {
        let year = model.month(*k).year();
        if *u == 0 {
            let rb = if year < 2023 {
                2_500_000_000u64
            } else {
                2_600_000_000
            };
            assert_eq!(st.revenue_budget, Decimal::from(rb), "{year}");
            assert_eq!(
                st.spending_budget,
                Decimal::from(2_300_000_000u64),
                "{year}"
            );
        } else {
            assert_eq!(st.revenue_budget, fen(last_income * growth), "{year}");
            last_income = st.income;
        }
    }
}

/// The expected path in exact money (Decimal, expected counts, benefits evaluated exactly),
/// shown to `observer`.
fn project_exactly(model: &ScenarioModel, observer: &mut impl fundrisk::engine::Observer<Decimal>) {
    use fundrisk::engine::{PathState, expected_drivers, project};
    let mut state = PathState::<Decimal>::new(model);
    state.use_grid = false;
    project(
        model,
        &expected_drivers(model),
        &mut state,
        &mut fundrisk::population::Expected,
        observer,
    );
}
