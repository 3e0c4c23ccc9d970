//! The demographic tables from published figures (data/tools/make_demography.py) and the
//! membership flows against the published national series.

use fundrisk::data::{
    Asfr, DataSource, LifeTable, MAX_AGE, MIN_AGE, MembershipStructure, builtin_names, load,
};
use fundrisk::scenario::Scenario;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Rows of a committed CSV (comment lines skipped) as maps of column → text.
fn csv_rows(rel: &str) -> Vec<std::collections::HashMap<String, String>> {
    let text = std::fs::read_to_string(root().join(rel)).unwrap();
    let mut lines = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty());
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    lines
        .map(|l| {
            let cells = split_csv(l);
            header.iter().cloned().zip(cells).collect()
        })
        .collect()
}

/// Splits a CSV line on commas outside double quotes.
fn split_csv(line: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted) = (Vec::new(), String::new(), false);
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn life_table() -> LifeTable {
    load(
        &DataSource::default(),
        "builtin:life_table.csv",
        "t.toml",
        "data.life_table",
        LifeTable::parse,
    )
    .unwrap()
}

/// Life expectancy at `age` of an abridged table of central death rates by group
/// (starts 0, 1, 5, 10, …, 100+), each group's rate times `level`, with a constant force
/// within each group: computed here from the UN rates independently of the graduation.
fn abridged_life_expectancy(starts: &[usize], m: &[f64], level: f64, age: usize) -> f64 {
    let (mut survivors, mut years) = (1.0, 0.0);
    for (i, &a) in starts.iter().enumerate() {
        let rate = m[i] * level;
        if i + 1 == starts.len() {
            years += survivors / rate;
            break;
        }
        let width = (starts[i + 1] - a) as f64;
        if starts[i + 1] <= age {
            survivors = 1.0;
            continue;
        }
        // Part of the group from `age` on when `age` falls inside it.
        let w = if a < age {
            width - (age - a) as f64
        } else {
            width
        };
        let left = (-rate * w).exp();
        years += survivors * (1.0 - left) / rate;
        survivors *= left;
    }
    years
}

/// The graduated single-year life table gives the 2020 census life expectancy at birth (NBS:
/// male 75.37, female 80.88), and at 60 the life expectancy of the UN abridged table it was
/// graduated from, levelled to the same census figure: within 0.05 years.
#[test]
fn graduated_life_table_reproduces_census_life_expectancy() {
    let t = life_table();
    assert_eq!(t.first_age, 0);
    let rows = csv_rows("data/sources/wpp2024_china_mx5.csv");
    for (sex, code, census_e0) in [(0, "M", 75.37), (1, "F", 80.88)] {
        let e0 = t.life_expectancy(sex, 0).unwrap();
        assert!(
            (e0 - census_e0).abs() <= 0.05,
            "{code}: e0 {e0:.3} against the census {census_e0}"
        );
        let group: Vec<_> = rows.iter().filter(|r| r["sex"] == code).collect();
        let starts: Vec<usize> = group
            .iter()
            .map(|r| r["age_start"].parse().unwrap())
            .collect();
        let m: Vec<f64> = group
            .iter()
            .map(|r| r["m_2015_2020"].parse().unwrap())
            .collect();
        // The abridged table's own level factor that meets the census e0.
        let (mut lo, mut hi) = (0.5, 2.0);
        for _ in 0..100 {
            let mid = 0.5 * (lo + hi);
            if abridged_life_expectancy(&starts, &m, mid, 0) > census_e0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let abridged_e60 = abridged_life_expectancy(&starts, &m, lo, 60);
        let e60 = t.life_expectancy(sex, 60).unwrap();
        assert!(
            (e60 - abridged_e60).abs() <= 0.05,
            "{code}: e60 {e60:.3} of the graduated table against {abridged_e60:.3} of the abridged one"
        );
        // Plausible order: 19-21 years for men at 60, 23-25 for women.
        assert!((18.0..26.0).contains(&e60), "{code}: e60 {e60}");
    }
    // Improvement rates are given at every age, between 0 and 3 % a year.
    for sex in 0..2 {
        assert!(t.improvement[sex].iter().all(|r| (0.0..=0.03).contains(r)));
        assert!(t.improvement[sex][60 - MIN_AGE] > 0.005);
    }
}

/// The census ASFR sums to the census total fertility rate, 1.30.
#[test]
fn census_fertility_sums_to_the_census_tfr() {
    let a = load(
        &DataSource::default(),
        "builtin:asfr.csv",
        "t.toml",
        "data.asfr",
        Asfr::parse,
    )
    .unwrap();
    assert!((a.total_fertility() - 1.30).abs() < 1e-4);
    // The peak of the census schedule is at 26-30.
    let peak = (Asfr::MIN..=Asfr::MAX)
        .max_by(|&x, &y| a.at(x).total_cmp(&a.at(y)))
        .unwrap();
    assert!((26..=30).contains(&peak), "peak at {peak}");
}

/// Every built-in structure: each status's shares sum to 1, workers are of working age and
/// retirees of retirement age.
#[test]
fn each_status_age_shares_sum_to_one() {
    let names: Vec<&str> = builtin_names()
        .filter(|n| n.starts_with("membership_structure"))
        .collect();
    assert!(names.len() >= 9, "{names:?}");
    for name in names {
        let st = load(
            &DataSource::default(),
            &format!("builtin:{name}"),
            "t.toml",
            "units[0].membership.structure",
            MembershipStructure::parse,
        )
        .unwrap();
        for (k, status) in st.share.iter().enumerate() {
            let total: f64 = status.iter().flatten().sum();
            assert!((total - 1.0).abs() < 1e-5, "{name} status {k}: {total}");
        }
        // Ages are the calendar year minus the birth year, in January: men work to 60 (they
        // retire in the course of the year they reach it) and are retired from 61.
        let men_workers_past_60: f64 = st.share[0][0][61 - MIN_AGE..].iter().sum();
        let men_retirees_to_60: f64 = st.share[3][0][..61 - MIN_AGE].iter().sum();
        assert_eq!(men_workers_past_60, 0.0, "{name}");
        assert_eq!(men_retirees_to_60, 0.0, "{name}");
        assert!(st.share[0][0][60 - MIN_AGE] > 0.0, "{name}");
        assert!(st.share[3][0][MAX_AGE - MIN_AGE] >= 0.0);
    }
}

/// Retirees per 100 active members and active members at each year end of the expected path,
/// against the bulletins (2013-2022): within 1.0 retiree per 100 active members and 3 %.
#[test]
fn national_membership_from_2012_follows_the_published_series() {
    use fundrisk::backtest::{membership_path, read_published_membership};
    let s = Scenario::from_path(&root().join("scenarios/national-membership-2012.toml")).unwrap();
    let published =
        read_published_membership(&root().join("data/calibration/employee_medical_insurance.csv"))
            .unwrap();
    // The bulletin's figure where a year has a bulletin and a flash report.
    assert!(published.iter().any(|p| p.0 == 2019 && p.1 == 24224e4));
    let years = membership_path(&s, &published);
    let mut lines = String::new();
    let mut compared = 0;
    for y in &years {
        let (Some(active), Some(ratio)) = (y.active_published, y.ratio_published()) else {
            continue;
        };
        lines += &format!(
            "{}: retirees/100 active {:.2} (published {ratio:.2}); active {:.0} 万 ({:.0})\n",
            y.year,
            y.ratio_model(),
            y.active_model / 1e4,
            active / 1e4
        );
        assert!(
            (y.ratio_model() - ratio).abs() <= 1.0,
            "{}: retirees per 100 active {:.2} against {ratio:.2}\n{lines}",
            y.year,
            y.ratio_model()
        );
        assert!(
            (y.active_model / active - 1.0).abs() <= 0.03,
            "{}: active {:.0} against {active:.0}\n{lines}",
            y.year,
            y.active_model
        );
        compared += 1;
    }
    assert_eq!(compared, 10, "2013-2022 compared\n{lines}");
    // The ratio rises over the decade, as published (33.9 to 36.2).
    let ratio = |year: i32| years.iter().find(|y| y.year == year).unwrap().ratio_model();
    assert!(ratio(2022) - ratio(2013) > 1.5, "{lines}");
    println!("{lines}");
}

/// Mortality improves: q in 2030 is q in 2020 times (1 − r)^10, and before 2020 it is higher;
/// `mortality_level` scales it and `mortality_improvement = 0` freezes it.
#[test]
fn mortality_improves_from_the_table_year() {
    use fundrisk::population::PopulationModel;
    let base =
        std::fs::read_to_string(root().join("scenarios/national-membership-2012.toml")).unwrap();
    let scenario = |extra: &str| {
        let text = base.replace("mortality_improvement = 1.0", extra);
        Scenario::parse(&text, "t.toml", DataSource::default()).unwrap()
    };
    let t = life_table();
    let age70 = 70 - MIN_AGE;
    for (extra, level, multiplier) in [
        ("mortality_improvement = 1.0", 0.8, 1.0),
        ("mortality_improvement = 0.0", 0.8, 0.0),
        ("mortality_improvement = 0.5", 0.8, 0.5),
    ] {
        let s = scenario(extra);
        let m = PopulationModel::new(&s, &s.units[0]);
        for sex in 0..2 {
            let q = t.q[sex][age70];
            let r = t.improvement[sex][age70] * multiplier;
            for year in [2013, 2020, 2030, 2070] {
                let expected = level * q * (1.0 - r).powi(year - 2020) / 12.0;
                let got = m.q_month_in(year)[sex][age70];
                assert!(
                    (got - expected).abs() <= 1e-15 * expected.max(1e-12),
                    "{extra} sex {sex} {year}: {got} vs {expected}"
                );
            }
            if multiplier > 0.0 {
                assert!(m.q_month_in(2030)[sex][age70] < m.q_month_in(2020)[sex][age70]);
                assert!(m.q_month_in(2013)[sex][age70] > m.q_month_in(2020)[sex][age70]);
            } else {
                assert_eq!(
                    m.q_month_in(2070)[sex][age70],
                    m.q_month_in(2020)[sex][age70]
                );
            }
        }
    }
}
