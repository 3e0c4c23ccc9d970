//! Benefit formulas by hand: Jiangmen's two tiers and critical illness (001 四(四)).

use fundrisk::params::Month;
use fundrisk::policy::spending::BenefitRegime;
use fundrisk::scenario::Scenario;
use std::path::Path;

/// Level-2 hospital (001 四(四)1(1)): deductible 600 and 80 % for a worker, 500 and 85 % for a
/// retiree, cap 200,000. Tier 2 (2(1)) on the self-pay above the deductible: 50 % to 5,000,
/// 85 % to 200,000, 90 % above. Critical illness (1(4)) on what is left above the threshold, the disposable
/// income per resident of two years before (2018: 2016's, 25,000): 60 % to 120,000.
///
/// Worker, 3,000: Tier 1 0.8 × 2,400 = 1,920; self-pay above the deductible 3,000 − 1,920 − 600
/// = 480; Tier 2 0.5 × 480 = 240; left 240 < 25,000: no critical illness.
/// Worker, 50,000: Tier 1 0.8 × 49,400 = 39,520; self-pay 9,880; Tier 2 2,500 + 0.85 × 4,880
/// = 6,648; left 3,232: none.
/// Worker, 300,000: Tier 1 min(239,520, 200,000) = 200,000; self-pay 99,400; Tier 2 2,500 +
/// 0.85 × 94,400 = 82,740; left 16,660 < 25,000: none (3,996 above the 10,000 of 2017).
/// Worker, 418,850: Tier 1 200,000; self-pay 218,250; Tier 2 2,500 + 0.85 × 195,000 + 0.9 ×
/// 18,250 (90 % above 200,000) = 184,675; left 33,575; critical illness 0.6 × 8,575 = 5,145.
/// Retiree, 3,000: Tier 1 0.85 × 2,500 = 2,125; self-pay 375; Tier 2 187.50.
/// Retiree, 50,000: Tier 1 0.85 × 49,500 = 42,075; self-pay 7,425; Tier 2 2,500 + 0.85 × 2,425
/// = 4,561.25; left 2,863.75: none.
/// Retiree, 300,000: Tier 1 200,000; self-pay 99,500; Tier 2 2,500 + 0.85 × 94,500 = 82,825;
/// left 16,675: none.
#[test]
fn jiangmen_level_two_payments_by_hand() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/jiangmen-integration.toml");
    let s = Scenario::from_path(&p).expect("scenario");
    let regime = BenefitRegime::new(
        &s.units[0].policy,
        Month::new(2018, 6).unwrap(),
        &s.spec.economy.wage_growth.mean,
    );
    let level2 = 1;
    let cases = [
        (false, 3_000.0, (1_920.0, 240.0, 0.0)),
        (false, 50_000.0, (39_520.0, 6_648.0, 0.0)),
        (false, 300_000.0, (200_000.0, 82_740.0, 0.0)),
        (false, 418_850.0, (200_000.0, 184_675.0, 5_145.0)),
        (true, 3_000.0, (2_125.0, 187.5, 0.0)),
        (true, 50_000.0, (42_075.0, 4_561.25, 0.0)),
        (true, 300_000.0, (200_000.0, 82_825.0, 0.0)),
    ];
    for (retired, x, (t1, t2, ci)) in cases {
        let (a, b, c) = regime.payments(level2, retired, x);
        let ok = |u: f64, v: f64| (u - v).abs() < 1e-6;
        assert!(
            ok(a, t1) && ok(b, t2) && ok(c, ci),
            "retired {retired}, {x}: ({a}, {b}, {c}) vs ({t1}, {t2}, {ci})"
        );
        // Together they never pay more than the cost.
        assert!(a + b + c <= x);
    }
    // At a non-designated hospital, Tier 2 and critical illness pay 10 points less: worker,
    // 300,000: Tier 1 min(0.4 × 298,500, 200,000) = 119,400; self-pay 300,000 − 119,400 − 1,500
    // = 179,100; Tier 2 0.4 × 5,000 + 0.75 × 174,100 = 132,575; left 46,525; critical illness
    // 0.5 × (46,525 − 25,000) = 10,762.50.
    let (a, b, c) = regime.payments(3, false, 300_000.0);
    assert!(
        (a - 119_400.0).abs() < 1e-6 && (b - 132_575.0).abs() < 1e-6 && (c - 10_762.5).abs() < 1e-6,
        "({a}, {b}, {c})"
    );
}

/// The scale the engine takes the expectation of is the share-weighted mixture of the levels.
#[test]
fn hospital_mix_is_the_share_weighted_sum_of_levels() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/jiangmen-integration.toml");
    let s = Scenario::from_path(&p).expect("scenario");
    let regime = BenefitRegime::new(
        &s.units[0].policy,
        Month::new(2020, 1).unwrap(),
        &s.spec.economy.wage_growth.mean,
    );
    let shares = [0.15, 0.45, 0.35, 0.05];
    for r in [false, true] {
        for x in [100.0, 700.0, 4_000.0, 60_000.0, 250_000.0, 900_000.0] {
            let mut mix = (0.0, 0.0, 0.0);
            for (l, w) in shares.iter().enumerate() {
                let (a, b, c) = regime.payments(l, r, x);
                mix.0 += w * a;
                mix.1 += w * b;
                mix.2 += w * c;
            }
            let i = usize::from(r);
            assert!((regime.inpatient[i].eval(x) - mix.0).abs() < 1e-6);
            assert!((regime.tier2[i].eval(x) - mix.1).abs() < 1e-6);
            assert!((regime.critical_illness[i].eval(x) - mix.2).abs() < 1e-6);
        }
    }
}

/// The maternity allowance by hand (000 §11; 广东省实施〈女职工劳动保护特别规定〉办法 art. 11): the
/// employer's average monthly wage of the year before / 30 × the days: 178 statutory days, 30 more
/// for the 20 % of difficult births and 15 per extra baby for the 1.5 % of multiple births, so
/// 178 + 6 + 0.225 = 184.225 days a birth; at a wage of 9,000 yuan a month, 9,000 / 30 × 184.225
/// = 55,267.50 yuan. No factor below the employer's wage (the scenarios' 0.85 is gone).
#[test]
fn guangdong_maternity_allowance_by_hand() {
    for name in ["guangdong-merger", "jiangmen-integration"] {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/{name}.toml"));
        let s = Scenario::from_path(&p).expect("scenario");
        let m = s.units[0].policy.maternity.as_ref().expect("maternity");
        let t = Month::new(2021, 6).unwrap();
        assert_eq!(m.employer_wage_relative, 1.0, "{name}");
        assert!((m.allowance_days(t) - 184.225).abs() < 1e-9, "{name}");
        assert!(
            (m.allowance_per_birth(t, 9_000.0) - 55_267.5).abs() < 1e-6,
            "{name}"
        );
    }
    // Elsewhere the national rule: 15 days for a difficult birth (女职工劳动保护特别规定 art. 7).
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/huainan-merger.toml");
    let s = Scenario::from_path(&p).expect("scenario");
    let m = s.units[0].policy.maternity.as_ref().expect("maternity");
    assert_eq!(m.difficult_extra_days, 15.0);
    assert_eq!(m.employer_wage_relative, 1.0);
}

/// Shandong 003 三(二): flexible workers pay on 60 % of the **province's** average wage. Two units:
/// `city` (6,000 yuan a month, 250,000 in service) and `rich` (9,000 yuan, 750,000 in service):
/// the area's wage is (6,000 × 250,000 + 9,000 × 750,000) / 1,000,000 = 8,250 yuan, so with
/// `flexible_base_reference = "area"` the city's flexible income is 8,250 / 6,000 = 1.375 times,
/// and the rich unit's 8,250 / 9,000 times, what it is on their own wages, in every month.
#[test]
fn flexible_base_on_the_area_wage_by_hand() {
    use fundrisk::engine::ScenarioModel;
    use fundrisk::engine::exact::exact_ledger;
    use fundrisk::ledger::IncomeLine;
    let base = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs/base.toml.in"),
    )
    .unwrap();
    let two_units = format!(
        "{base}\n[[units]]\nname = \"rich\"\ninitial_pooled_balance = 3.0e9\npooled_spending_prev_year = 2.4e9\naverage_wage_prev_year = 9000.0\nmembership = {{ enterprise = 6.0e5, government = 1.0e5, flexible = 5.0e4, retirees = 1.8e5 }}\n"
    );
    let area = two_units.replace(
        "[policy]\n",
        "[policy]\nflexible_base_reference = \"area\"\n",
    );
    let parse = |t: &str| {
        Scenario::parse(t, "t.toml", fundrisk::data::DataSource::default()).expect("scenario")
    };
    let (own, by_area) = (parse(&two_units), parse(&area));
    assert!((by_area.area_wage_prev_year - 8250.0).abs() < 1e-9);
    let flexible = |s: &Scenario| -> Vec<(String, f64)> {
        exact_ledger(&ScenarioModel::new(s))
            .iter()
            .map(|r| {
                let v: f64 = r.record.income[IncomeLine::Flexible].try_into().unwrap();
                (r.unit.clone(), v)
            })
            .collect()
    };
    let (a, b) = (flexible(&own), flexible(&by_area));
    assert_eq!(a.len(), b.len());
    assert_eq!(a.len(), 2 * 24);
    for ((unit, x), (_, y)) in a.iter().zip(&b) {
        let ratio = if unit == "city" {
            1.375
        } else {
            8250.0 / 9000.0
        };
        assert!(*x > 1e6, "{unit}: {x}");
        assert!((y / x - ratio).abs() < 1e-8, "{unit}: {y} / {x}");
    }
}

/// Jiangmen's critical-illness threshold (001 四(四)1(4)): the disposable income per resident of
/// two years before: 2021's threshold is 2019's 32,316 yuan; 2023's is 2021's 37,068 (the last
/// published); 2025's is 2023's, 37,068 grown by the expected wage index over 2022 and 2023,
/// 37,068 × e^(g₂₀₂₂ + g₂₀₂₃), with g the scenario's mean log wage growth. The residents'
/// contribution base is the same series.
#[test]
fn jiangmen_critical_illness_threshold_follows_income() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/jiangmen-integration.toml");
    let s = Scenario::from_path(&p).expect("scenario");
    let policy = &s.units[0].policy;
    let g = &s.spec.economy.wage_growth.mean;
    let at = |y: i32| {
        policy
            .critical_illness_at(Month::new(y, 3).unwrap(), g)
            .unwrap()
            .deductible
    };
    assert_eq!(at(2021), 32_316.0);
    assert_eq!(at(2023), 37_068.0);
    let growth = g.at(Month::new(2022, 7).unwrap()) + g.at(Month::new(2023, 7).unwrap());
    assert!(growth > 0.05, "{growth}");
    assert!((at(2025) - 37_068.0 * growth.exp()).abs() < 1e-6);
    assert_eq!(policy.resident_income_of(2019, g), 32_316.0);
    // Without indexing the last value would stay: the threshold would fall behind incomes.
    let mut flat = policy.clone();
    flat.resident_income_indexed = false;
    assert_eq!(flat.resident_income_of(2023, g), 37_068.0);
}

/// Tier-2 outpatient at two clinics (001 四(四)2(3)): the primary clinic pays 70 % up to 600 a
/// year (Tier 1's 180 and Tier 2's 420) on 70 % of the cost; the second clinic 60 % (referred,
/// half the care) or 50 % (direct) up to 480 a year on the other 30 %.
/// Cost 2,000: primary min(0.7 × 1,400, 600) = 600; second, on 600: ½ × 360 + ½ × 300 = 330;
/// total 930. Cost 5,000: primary 600; second, on 1,500: ½ min(900, 480) + ½ min(750, 480)
/// = 480; total 1,080. Cost 500: primary 0.7 × 350 = 245; second, on 150: ½ × 90 + ½ × 75 =
/// 82.50; total 327.50. The residents (Tier 1 only) keep 70 % up to 180.
#[test]
fn jiangmen_two_clinics_by_hand() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/jiangmen-integration.toml");
    let s = Scenario::from_path(&p).expect("scenario");
    let t = Month::new(2020, 1).unwrap();
    let g = &s.spec.economy.wage_growth.mean;
    let employees = BenefitRegime::new(&s.units[0].policy, t, g);
    for (x, paid) in [(2_000.0, 930.0), (5_000.0, 1_080.0), (500.0, 327.5)] {
        let got = employees.outpatient[0].eval(x);
        assert!((got - paid).abs() < 1e-9, "{x}: {got} vs {paid}");
    }
    let residents = BenefitRegime::new(&s.units[1].policy, t, g);
    assert!((residents.outpatient[0].eval(2_000.0) - 180.0).abs() < 1e-9);
    assert!((residents.outpatient[0].eval(200.0) - 140.0).abs() < 1e-9);
}

/// Spouse births (社会保险法 art. 54: the unemployed spouses of employees whose employer pays
/// maternity insurance): with only flexible workers in service, no spouse births are counted,
/// unless `spouse_of_flexible_covered`; with only employees, the flag changes nothing.
#[test]
fn spouse_births_only_for_employees_by_default() {
    let text = fundrisk::scenario::GUANGDONG_MERGER_SCENARIO;
    let members = "membership = { enterprise = 3.3e7, government = 3.0e6, flexible = 2.5e6,";
    assert!(text.contains(members));
    let spouse_births =
        |t: &str| -> f64 { guangdong_rows(t).iter().map(|r| r.memo.births_spouse).sum() };
    let covered = |t: &str| {
        t.replace(
            "spouse_uninsured_share = 0.3",
            "spouse_uninsured_share = 0.3\nspouse_of_flexible_covered = true",
        )
    };
    let flexible_only = text.replace(
        members,
        "membership = { enterprise = 0.0, government = 0.0, flexible = 2.5e6,",
    );
    assert_eq!(spouse_births(&flexible_only), 0.0);
    assert!(spouse_births(&covered(&flexible_only)) > 1_000.0);
    let employees_only = text.replace(
        members,
        "membership = { enterprise = 3.3e7, government = 3.0e6, flexible = 0.0,",
    );
    let a = spouse_births(&employees_only);
    assert!(a > 100_000.0, "{a}");
    assert_eq!(a, spouse_births(&covered(&employees_only)));
}

/// Minimum contribution years dated by the month of retirement (Shandong 003 三(二): 30 and 25
/// years, cities in transition by 2026-01; here from 25 and 20). With
/// contribution years at retirement normal (men 32 ± 7, women 27 ± 7): before 2026 a man is short
/// with probability Φ(−1) = 0.158655 and by (25 − 32) Φ(−1) + 7 φ(−1) = 0.583208 years on
/// average; from 2026-01, Φ(−2/7) = 0.387548 and 1.905810 years; women the same, five years
/// lower.
#[test]
fn minimum_years_dated_by_retirement_month() {
    use fundrisk::population::BuyinModel;
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/shandong-provincial.toml");
    let text = std::fs::read_to_string(&p).unwrap();
    let constant = "minimum_years = { male = 30.0, female = 25.0 }";
    assert!(text.contains(constant));
    let dated = text.replace(
        constant,
        "minimum_years = [{ from = \"2024-01\", value = { male = 25.0, female = 20.0 } }, { from = \"2026-01\", value = { male = 30.0, female = 25.0 } }]",
    );
    let s = Scenario::parse(
        &dated,
        "shandong-provincial.toml",
        fundrisk::data::DataSource {
            base_dir: Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")),
        },
    )
    .expect("scenario");
    let b = BuyinModel::new(&s.units[0], s.spec.start, s.spec.horizon_months);
    assert_eq!(s.spec.start, Month::new(2024, 1).unwrap());
    let close = |a: f64, b: f64| (a - b).abs() < 1e-6;
    for (k, share, shortfall) in [
        (0, 0.158655, 0.583208),
        (23, 0.158655, 0.583208),
        (24, 0.387548, 1.905810),
        (59, 0.387548, 1.905810),
    ] {
        let m = b.at(k);
        for sex in 0..2 {
            assert!(close(m.short_share[sex], share), "{k} {sex}: {m:?}");
            assert!(close(m.mean_shortfall[sex], shortfall), "{k} {sex}: {m:?}");
        }
    }
}

/// A mix of buy-ins (Shandong 003 三(二): those short pay at once or keep paying monthly): with
/// 40 % paying monthly, the first month's lump sums are 60 % of the all-at-once run's (no one
/// continues yet), and the continuing contributors at the start of the second month are 40 % of
/// the all-monthly run's.
#[test]
fn buyin_mix_by_hand() {
    use fundrisk::ledger::IncomeLine;
    let text = fundrisk::scenario::GUANGDONG_MERGER_SCENARIO;
    let lump = "buyin_mode = \"lump_sum\"";
    assert!(text.contains(lump));
    let run = guangdong_rows;
    let (all_at_once, mixed, monthly) = (
        run(text),
        run(&text.replace(lump, &format!("{lump}\nbuyin_monthly_share = 0.4"))),
        run(&text.replace(lump, "buyin_mode = \"monthly\"")),
    );
    let buyin = |r: &fundrisk::engine::exact::LedgerRow| -> f64 {
        r.record.income[IncomeLine::Buyin].try_into().unwrap()
    };
    assert!(buyin(&all_at_once[0]) > 1e6);
    assert!((buyin(&mixed[0]) - 0.6 * buyin(&all_at_once[0])).abs() <= 0.01);
    let continuing = |r: &fundrisk::engine::exact::LedgerRow| r.memo.members[3];
    assert!(continuing(&monthly[1]) > 100.0);
    assert!(
        (continuing(&mixed[1]) - 0.4 * continuing(&monthly[1])).abs()
            < 1e-6 * continuing(&monthly[1])
    );
}

/// The exact ledger rows of the pooled fund `guangdong` of a variant of the Guangdong scenario.
fn guangdong_rows(text: &str) -> Vec<fundrisk::engine::exact::LedgerRow> {
    let s = Scenario::parse(
        text,
        "guangdong-merger.toml",
        fundrisk::data::DataSource {
            base_dir: Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")),
        },
    )
    .expect("scenario");
    fundrisk::engine::exact::exact_ledger(&fundrisk::engine::ScenarioModel::new(&s))
        .into_iter()
        .filter(|r| r.unit == "guangdong")
        .collect()
}
