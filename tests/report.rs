//! The run report: self-contained, every chart present, the headline equal to the tables, one
//! language throughout.

mod common;

use fundrisk::data::DataSource;
use fundrisk::engine::montecarlo::RunOptions;
use fundrisk::report::lang::Lang;
use fundrisk::scenario::{GUANGDONG_MERGER_SCENARIO, Scenario};

fn cjk(s: &str) -> bool {
    s.chars().any(|c| {
        ('\u{4e00}'..='\u{9fff}').contains(&c)
            || ('\u{3000}'..='\u{303f}').contains(&c)
            || ('\u{ff00}'..='\u{ffef}').contains(&c)
    })
}

/// Removes the contents of table cells (the scenario's own sources and names are data).
fn without_cells(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find("<td>") {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let j = rest.find("</td>").map_or(rest.len(), |j| j + 5);
        rest = &rest[j..];
    }
    out.push_str(rest);
    out
}

#[test]
fn report_has_every_chart_and_the_summary_numbers_in_one_language() {
    let s = Scenario::parse(
        GUANGDONG_MERGER_SCENARIO,
        "test.toml",
        DataSource::default(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let opts = RunOptions::new(64, 3);
    for lang in [Lang::Zh, Lang::En] {
        let out = dir.path().join(format!("{lang:?}"));
        let outcome = fundrisk::run::run_scenario(&s, &opts, &out, lang, &|_| {}).unwrap();
        let html = std::fs::read_to_string(out.join("report.html")).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"));
        // Self-contained: no scripts, nothing fetched.
        for bad in ["<script", "src=\"http", "href=\"http", "@import", "url("] {
            assert!(!html.contains(bad), "{bad}");
        }
        for chart in [
            "months_guangdong.svg",
            "balance_guangdong.svg",
            "months_all.svg",
            "balance_all.svg",
            "lines.svg",
            "births.svg",
            "dependency.svg",
        ] {
            assert!(
                html.contains(&format!("<figure id=\"{chart}\"><svg")),
                "{chart}"
            );
            let svg = std::fs::read_to_string(out.join("charts").join(chart)).unwrap();
            assert!(svg.contains("<polyline"), "{chart} draws its lines");
            if chart.starts_with("months") || chart.starts_with("balance") {
                assert!(svg.contains("<polygon"), "{chart} draws its bands");
            }
        }
        let bars = std::fs::read_to_string(out.join("charts/exhaustion_guangdong.svg")).unwrap();
        assert!(html.contains("<figure id=\"exhaustion_guangdong.svg\"><svg"));
        assert!(bars.matches("<rect").count() >= 2, "bars drawn");
        // The headline's probability is the summary's P(months < 6) in the last year.
        let sim = &outcome.simulation;
        let t = sim.summary();
        let units = t.strings("unit").unwrap();
        let years = t.numbers("year").unwrap();
        let p = t.numbers("p_months_lt_6").unwrap();
        let i = (0..t.n_rows())
            .find(|&i| units[i] == "guangdong" && years[i] == 2028.0)
            .unwrap();
        let pct = format!("{:.1}", p[i] * 100.0);
        let headline = html
            .split("id=\"headline\">")
            .nth(1)
            .unwrap()
            .split("</p>")
            .next()
            .unwrap();
        assert!(
            headline.contains(&pct) && headline.contains("2028") && headline.contains("guangdong"),
            "{headline}"
        );
        let text = without_cells(&html);
        match lang {
            Lang::Zh => assert!(cjk(headline) && !headline.contains("probability")),
            Lang::En => assert!(!cjk(&text), "Chinese left in the English report"),
        }
    }
}

/// Multi-fund scenarios get the heat map of P(months < 6), one cell per fund and year.
#[test]
fn multi_fund_report_has_the_heat_map() {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/jiangmen-integration.toml");
    let s = Scenario::from_path(&p).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    fundrisk::run::run_scenario(&s, &RunOptions::new(16, 1), &out, Lang::En, &|_| {}).unwrap();
    let svg = std::fs::read_to_string(out.join("charts/heat_map.svg")).unwrap();
    // A background and 2 funds × 10 years of cells.
    assert_eq!(svg.matches("<rect").count(), 1 + 2 * 10);
    assert!(svg.contains("employees") && svg.contains("residents"));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<figure id=\"heat_map.svg\"><svg"));
}

/// Pooling scenarios chart their rule's money: the adjustment fund's levies and payments.
#[test]
fn pooling_report_charts_the_adjustment_fund() {
    let s = common::two_city_shandong(1.0e5, 4.0e5);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    fundrisk::run::run_scenario(&s, &RunOptions::new(16, 1), &out, Lang::Zh, &|_| {}).unwrap();
    let svg = std::fs::read_to_string(out.join("charts/pooling.svg")).unwrap();
    assert!(svg.contains("调剂金下拨合计") && svg.contains("<polyline"));
    for chart in ["balance_adjustment.svg", "heat_map.svg"] {
        assert!(out.join("charts").join(chart).exists(), "{chart}");
    }
}

/// The workbook: one sheet per table with headings in the report's language, frozen header
/// rows, and the same numbers as summary.csv.
#[test]
fn workbook_holds_the_summary_numbers() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let s = Scenario::parse(
        GUANGDONG_MERGER_SCENARIO,
        "test.toml",
        DataSource::default(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    fundrisk::run::run_scenario(&s, &RunOptions::new(48, 5), &out, Lang::Zh, &|_| {}).unwrap();
    let mut wb: Xlsx<_> = open_workbook(out.join("report.xlsx")).unwrap();
    assert_eq!(
        wb.sheet_names(),
        vec!["汇总", "预警区间", "首次穿底年份", "期望路径台账"]
    );
    for sheet in wb.sheet_names() {
        let range = wb.worksheet_range(&sheet).unwrap();
        let header = range.rows().next().unwrap();
        for cell in header {
            let h = cell.to_string();
            assert!(cjk(&h), "{sheet}: heading `{h}` is not in Chinese");
        }
    }
    // summary.csv, cell by cell.
    let mut csv = csv::Reader::from_path(out.join("summary.csv")).unwrap();
    let columns: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    let range = wb.worksheet_range("汇总").unwrap();
    let sheet_rows: Vec<&[Data]> = range.rows().skip(1).collect();
    let mut n = 0;
    for (r, rec) in csv.records().enumerate() {
        let rec = rec.unwrap();
        assert_eq!(sheet_rows[r].len(), columns.len());
        for (c, text) in rec.iter().enumerate() {
            let cell = &sheet_rows[r][c];
            match text.parse::<f64>() {
                Ok(x) if x.is_finite() => {
                    let y = match cell {
                        Data::Float(y) => *y,
                        Data::Int(y) => *y as f64,
                        other => panic!("row {r} {}: {other:?} for {x}", columns[c]),
                    };
                    assert!(
                        (x - y).abs() <= 1e-9 * x.abs().max(1.0),
                        "row {r} {}: csv {x}, xlsx {y}",
                        columns[c]
                    );
                    n += 1;
                }
                Ok(_) => assert_eq!(cell, &Data::Empty, "non-finite left blank"),
                Err(_) => assert_eq!(cell.to_string(), text, "{}", columns[c]),
            }
        }
    }
    assert!(n > 1000, "compared {n} numbers");
    assert_eq!(
        sheet_rows.len(),
        csv::Reader::from_path(out.join("summary.csv"))
            .unwrap()
            .records()
            .count()
    );
}

fn fundrisk(args: &[&str]) -> std::process::Output {
    common::fundrisk_ok(args)
}

fn headline_of(html: &str) -> String {
    html.split("id=\"headline\">")
        .nth(1)
        .unwrap()
        .split("</p>")
        .next()
        .unwrap()
        .to_string()
}

/// Asserts a study's folder: every chart inline and on disk, the workbook, the page in one
/// language. Returns the page.
fn check_study(dir: &std::path::Path, charts: &[&str], lang: Lang) -> String {
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    for bad in ["<script", "src=\"http", "href=\"http", "url("] {
        assert!(!html.contains(bad), "{bad}");
    }
    for chart in charts {
        assert!(
            html.contains(&format!("<figure id=\"{chart}\"><svg")),
            "{chart} in the page"
        );
        assert!(dir.join("charts").join(chart).exists(), "{chart} on disk");
    }
    assert!(dir.join("report.xlsx").exists() && dir.join("run.json").exists());
    let text = without_cells(&html);
    match lang {
        Lang::En => assert!(!cjk(&text), "Chinese left in the English report"),
        Lang::Zh => {
            let h = headline_of(&html);
            assert!(cjk(&h), "{h}");
            for word in ["probability", "rate of", "months", "balance"] {
                assert!(!h.contains(word), "English in the Chinese headline: {h}");
            }
        }
    }
    html
}

/// solve-rate: risk against the rate with the solved rate marked; the headline's rate is the
/// table's.
#[test]
fn solve_rate_report_marks_the_solved_rate() {
    let dir = tempfile::tempdir().unwrap();
    for lang in ["zh", "en"] {
        let out = dir.path().join(lang);
        let guangdong = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/guangdong-merger.toml");
        fundrisk(&[
            "solve-rate",
            guangdong.to_str().unwrap(),
            "--target",
            "P(months<9)<=0.2",
            "--years",
            "2024-2028",
            "--paths",
            "48",
            "--lang",
            lang,
            "--out",
            out.to_str().unwrap(),
        ]);
        let l = Lang::parse(lang).unwrap();
        let html = check_study(&out, &["risk_vs_rate.svg"], l);
        let mut csv = csv::Reader::from_path(out.join("solve_rate.csv")).unwrap();
        let h = csv.headers().unwrap().clone();
        let rec = csv.records().next().unwrap().unwrap();
        let col = |name: &str| rec[h.iter().position(|c| c == name).unwrap()].to_string();
        let rate: f64 = col("required_rate").parse().unwrap();
        let headline = headline_of(&html);
        assert!(
            headline.contains(&format!("{:.2}", rate * 100.0)),
            "{headline} lacks {rate}"
        );
        // The solved rate is drawn as a vertical line at its x position among the trials.
        let svg = std::fs::read_to_string(out.join("charts/risk_vs_rate.svg")).unwrap();
        assert!(svg.matches("<circle").count() >= 4, "trial points");
        assert!(svg.contains("<polyline"));
    }
}

/// compare: the differences of P(months < 6) and of the mean balance with their bands.
#[test]
fn compare_report_draws_differences_with_bands() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c");
    let scenario =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/guangdong-merger.toml");
    fundrisk(&[
        "compare",
        scenario.to_str().unwrap(),
        "--separate-maternity",
        "--paths",
        "32",
        "--out",
        out.to_str().unwrap(),
    ]);
    let charts = [
        "difference_p6_guangdong_0.svg",
        "difference_balance_guangdong_0.svg",
    ];
    let html = check_study(&out, &charts, Lang::Zh);
    for chart in charts {
        let svg = std::fs::read_to_string(out.join("charts").join(chart)).unwrap();
        assert!(
            svg.contains("<polygon") && svg.contains("<polyline"),
            "{chart}"
        );
    }
    assert!(headline_of(&html).contains("合并实施"));
}

/// sensitivity: two tornado charts with one bar per assumption and direction.
#[test]
fn sensitivity_report_has_tornado_charts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    fundrisk(&[
        "sensitivity",
        "--paths",
        "32",
        "--lang",
        "en",
        "--out",
        out.to_str().unwrap(),
    ]);
    let charts = ["tornado_months_p50.svg", "tornado_p_months_lt_6.svg"];
    let html = check_study(&out, &charts, Lang::En);
    let svg = std::fs::read_to_string(out.join("charts/tornado_months_p50.svg")).unwrap();
    // 4 drivers and fertility moved both ways, the retirement reform one way: up to 11 bars
    // (a bar of zero width is still drawn), plus the background, legend box and keys.
    let rects = svg.matches("<rect").count();
    assert!((11..=16).contains(&rects), "{rects} rectangles");
    assert!(headline_of(&html).contains("median months"));
    for label in ["Wage growth", "Fertility", "Retirement-age reform"] {
        assert!(svg.contains(label), "{label}");
    }
}
