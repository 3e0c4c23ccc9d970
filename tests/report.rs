//! The run report: self-contained, every chart present, the headline equal to the tables, one
//! language throughout.

mod common;

use fundrisk::data::DataSource;
use fundrisk::engine::montecarlo::RunOptions;
use fundrisk::report::lang::Lang;
use fundrisk::scenario::{DEFAULT_SCENARIO, Scenario};

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
    let s = Scenario::parse(DEFAULT_SCENARIO, "test.toml", DataSource::default()).unwrap();
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
