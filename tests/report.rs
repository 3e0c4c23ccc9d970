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
            // Beside it, the PNG at print resolution: 2.5 pixels per SVG pixel.
            let png =
                std::fs::read(out.join("charts").join(chart.replace(".svg", ".png"))).unwrap();
            assert_eq!(&png[1..4], b"PNG", "{chart}");
            let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
            let svg_width: f64 = svg
                .split("width=\"")
                .nth(1)
                .and_then(|w| w.split('"').next())
                .and_then(|w| w.parse().ok())
                .unwrap();
            assert_eq!(f64::from(width), (svg_width * 2.5).ceil(), "{chart}");
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
        let headline = headline_of(&html);
        let name = if lang == Lang::Zh {
            "广东省"
        } else {
            "Guangdong"
        };
        assert!(
            headline.contains(&pct) && headline.contains("2028") && headline.contains(name),
            "{headline}"
        );
        assert!(
            !headline.contains("guangdong"),
            "identifier in the headline: {headline}"
        );
        let text = without_cells(&html);
        match lang {
            Lang::Zh => assert!(cjk(&headline) && !headline.contains("probability")),
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
    let outcome =
        fundrisk::run::run_scenario(&s, &RunOptions::new(16, 1), &out, Lang::En, &|_| {}).unwrap();
    let l = &outcome.simulation.layout;
    // Rows: the two accounts, the employees' maternity fund (to its merger) and the whole
    // fund; a cell for every year each reports.
    assert_eq!(l.n_entities(), 4);
    let cells: usize = l.last_year.iter().map(|y| y + 1).sum();
    assert_eq!(cells, 3 * 10 + 2);
    let svg = std::fs::read_to_string(out.join("charts/heat_map.svg")).unwrap();
    // A background, the cells, the colour scale's 20 steps and its frame.
    assert_eq!(svg.matches("<rect").count(), 1 + cells + 20 + 1);
    // Rows by display name, years, every cell's value, the scale's 3 labels and the title.
    assert!(svg.contains("Employees") && svg.contains("Residents"));
    assert!(!svg.contains("employees"));
    assert_eq!(svg.matches("<text").count(), 4 + 10 + cells + 3 + 1);
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
        vec![
            "说明",
            "风险总览",
            "各年末可支付月数中位数",
            "汇总",
            "预警区间",
            "首次穿底年份",
            "期望路径台账"
        ]
    );
    // About: the run's seed and paths; money in 万元 (the default unit).
    let about = wb.worksheet_range("说明").unwrap();
    let about: Vec<(String, String)> = about
        .rows()
        .skip(1)
        .map(|r| (r[0].to_string(), r[1].to_string()))
        .collect();
    for (item, value) in [("随机种子", "5"), ("路径数", "48"), ("金额单位", "万元")] {
        assert!(
            about.iter().any(|(i, v)| i.contains(item) && v == value),
            "{item} = {value} not in {about:?}"
        );
    }
    let display = |id: &str| match id {
        "guangdong" => "广东省".to_string(),
        "guangdong.maternity" => "广东省生育保险基金".to_string(),
        "all" => "全部基金合计".to_string(),
        other => other.to_string(),
    };
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
            let money = fundrisk::report::columns::kind(&columns[c])
                == fundrisk::report::columns::Kind::Money;
            match text.parse::<f64>() {
                Ok(x) if x.is_finite() => {
                    let x = if money { x / 1e4 } else { x };
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
                Err(_) if columns[c] == "unit" => assert_eq!(cell.to_string(), display(text)),
                Err(_) => assert_eq!(cell.to_string(), text, "{}", columns[c]),
            }
        }
    }
    assert!(n > 1000, "compared {n} numbers");
    let heading = |name: &str| {
        let c = columns.iter().position(|x| x == name).unwrap();
        range.rows().next().unwrap()[c].to_string()
    };
    assert_eq!(heading("balance_mean"), "年末累计结余均值（万元）");
    // The overview sheet: each fund's last-year median months as in summary.csv.
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let col = |n: &str| columns.iter().position(|x| x == n).unwrap();
    let overview = wb.worksheet_range("风险总览").unwrap();
    let head: Vec<String> = overview
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let months_col = head
        .iter()
        .position(|h| h == "年末可支付月数（中位数）")
        .unwrap();
    let mut checked = 0;
    for row in overview.rows().skip(1) {
        let fund = row[1].to_string();
        let last = summary
            .lines()
            .rfind(|l| display(l.split(',').next().unwrap()) == fund)
            .unwrap();
        let expected: f64 = last
            .split(',')
            .nth(col("months_p50"))
            .unwrap()
            .parse()
            .unwrap();
        match &row[months_col] {
            Data::Float(y) => assert!((y - expected).abs() < 1e-9, "{fund}: {y} vs {expected}"),
            other => panic!("{fund}: {other:?}"),
        }
        checked += 1;
    }
    assert_eq!(checked, 3, "two funds and the total");
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

/// The headline's sentences (the text of its paragraphs).
fn headline_of(html: &str) -> String {
    html.split("id=\"headline\">")
        .nth(1)
        .unwrap()
        .split("</div>")
        .next()
        .unwrap()
        .replace("<p>", "")
        .replace("</p>", " ")
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
        // Guangdong's position is assumed: the page opens with the report's note.
        assert!(
            headline.starts_with(l.t("headline_assumed_all")),
            "{headline}"
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
    // What differs: the maternity arrangement, both sides named.
    assert!(html.contains("生育保险单独设立基金") && html.contains("按情景合并实施"));
}

/// compare of two scenarios: the page lists the parameters that differ with both values, and
/// each scenario's own levels beside the difference (base + difference = other).
#[test]
fn compare_report_shows_what_changed_and_both_levels() {
    let dir = tempfile::tempdir().unwrap();
    let base =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/guangdong-merger.toml");
    let text = std::fs::read_to_string(&base).unwrap();
    let text = common::edit(
        &text,
        "name = \"guangdong-merger\"",
        "name = \"guangdong-higher\"",
    );
    let text = common::edit(
        &text,
        "employer_rate = [{ from = \"2019-01\", value = 0.05,",
        "employer_rate = [{ from = \"2019-01\", value = 0.055,",
    );
    // Beside the scenarios, so that its includes resolve.
    let other = base.with_file_name(format!("compare-test-{}.toml", std::process::id()));
    std::fs::write(&other, text).unwrap();
    let out = dir.path().join("c");
    let o = common::fundrisk([
        "compare".as_ref(),
        base.as_os_str(),
        other.as_os_str(),
        "--paths".as_ref(),
        "32".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    std::fs::remove_file(&other).unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let differences = html
        .split("两方案的参数差异")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    let rows: Vec<Vec<String>> = differences.split("<tr>").skip(2).map(row_cells).collect();
    assert_eq!(rows.len(), 1, "one parameter differs: {rows:?}");
    assert!(rows[0][0].contains("单位缴费费率") && rows[0][0].contains("广东省"));
    assert_eq!(rows[0][1..], ["0.05".to_string(), "0.055".to_string()]);
    // Levels and differences: base + difference = other, in compare.csv.
    let mut csv = csv::Reader::from_path(out.join("compare.csv")).unwrap();
    let head: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    let mut n = 0;
    for rec in csv.records() {
        let rec = rec.unwrap();
        let v = |n: &str| rec[col(n)].parse::<f64>().unwrap();
        for name in ["balance_mean", "p_months_lt_6", "p_exhausted", "months_p50"] {
            let (b, o, d) = (
                v(&format!("{name}_base")),
                v(&format!("{name}_other")),
                v(&format!("{name}_diff")),
            );
            if b.is_finite() && o.is_finite() {
                assert!(
                    (b + d - o).abs() <= 1e-6 * o.abs().max(1.0),
                    "{name}: {b} + {d} != {o}"
                );
                n += 1;
            }
        }
    }
    assert!(n > 40, "{n} checked");
    assert!(!html.contains("2,028"), "a year with a thousands separator");
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

/// The text of each cell of an HTML table row (tags removed).
fn row_cells(row: &str) -> Vec<String> {
    row.split("<td")
        .skip(1)
        .map(|c| {
            let inner = c.split_once('>').map_or("", |x| x.1);
            inner.split("</td>").next().unwrap_or("").to_string()
        })
        .collect()
}

/// Visible text of a page: tags, styles and the title removed.
fn visible_text(html: &str) -> String {
    let body = html.split("</style>").nth(1).unwrap_or(html);
    let mut out = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Shandong: the overview lists all 19 funds (18 units and the adjustment fund) in risk order,
/// each with the figures of the summary table (last year and worst year) and of the exhaustion
/// table, the total after them; the headline names the funds at risk by their Chinese names;
/// the Chinese page shows no unit identifier and no snake_case identifier.
/// A report says which funds open from assumed positions (a unit's `source` beginning with
/// ASSUMPTION, no base year): the mark after each such fund's name, the note under the
/// overview, the headline's first sentence (all funds, or the ones listed) and the workbook's
/// `opening_position` column; a scenario opening from a published base year has none of them.
#[test]
fn assumed_opening_positions_are_marked_in_the_report() {
    use fundrisk::scenario::{OpeningPosition, Override};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let run = |s: &Scenario, lang: Lang| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("r");
        let done =
            fundrisk::run::run_scenario(s, &RunOptions::new(8, 2), &out, lang, &|_| {}).unwrap();
        let html = std::fs::read_to_string(out.join("report.html")).unwrap();
        // The terminal's table marks the same funds and ends with the note.
        let terminal =
            fundrisk::report::overview::terminal_text(&done.overview, &done.names, 30, lang);
        let marked = done.overview.ranked.iter().any(|f| f.opening_assumed);
        assert_eq!(terminal.contains('†'), marked, "{terminal}");
        assert_eq!(terminal.contains(lang.t("ov_assumed_note")), marked);
        (dir, out, html)
    };
    let rows_of = |html: &str| -> Vec<(String, String)> {
        let table = html.split("id=\"overview\"").nth(1).unwrap();
        let table = table.split("</table>").next().unwrap();
        table
            .split("<tr data-fund=\"")
            .skip(1)
            .map(|r| {
                (
                    r.split('"').next().unwrap().to_string(),
                    row_cells(r)[1].clone(),
                )
            })
            .collect()
    };
    // Shandong: every city's position is assumed, so every fund is marked.
    let shandong = Scenario::from_path(&root.join("shandong-provincial.toml")).unwrap();
    assert!(
        shandong
            .units
            .iter()
            .all(|u| u.spec.opening_position() == OpeningPosition::Assumed)
    );
    let (_d, out, html) = run(&shandong, Lang::Zh);
    let rows = rows_of(&html);
    assert_eq!(rows.len(), 20);
    assert!(rows.iter().all(|(_, name)| name.ends_with('†')), "{rows:?}");
    assert!(html.contains("id=\"assumed-positions\""));
    let headline = headline_of(&html);
    assert!(
        headline.starts_with(Lang::Zh.t("headline_assumed_all")),
        "{headline}"
    );
    {
        use calamine::{Reader, Xlsx, open_workbook};
        let mut wb: Xlsx<_> = open_workbook(out.join("report.xlsx")).unwrap();
        let sheet = wb.worksheet_range("风险总览").unwrap();
        let mut rows = sheet.rows();
        let header: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
        let col = header.iter().position(|h| h == "起始状况").unwrap();
        let values: Vec<String> = rows.map(|r| r[col].to_string()).collect();
        assert_eq!(values.len(), 20);
        assert!(values.iter().all(|v| v == "假设值"), "{values:?}");
    }
    // One city's base year given a published source: its fund loses the mark; the adjustment
    // fund and the total still hold assumed money; the headline lists the 18 of 19 funds.
    let mixed = Scenario::from_path_with(
        &root.join("shandong-provincial.toml"),
        &[Override::parse("units.jinan.base_year.source=\"Jinan 2023 bulletin (test)\"").unwrap()],
    )
    .unwrap();
    assert_eq!(
        mixed.units[0].spec.opening_position(),
        OpeningPosition::BaseYear(2023)
    );
    let (_d, _out, html) = run(&mixed, Lang::En);
    let rows = rows_of(&html);
    for (id, name) in &rows {
        assert_eq!(name.ends_with('†'), id != "jinan", "{id}: {name}");
    }
    let headline = headline_of(&html);
    let first = headline.split(". ").next().unwrap();
    assert!(first.starts_with("Note: 18 of 19 funds"), "{headline}");
    assert!(
        !first.contains("Jinan") && first.contains("Qingdao"),
        "{first}"
    );
    let long_range = Scenario::from_path(&root.join("national-long-range.toml")).unwrap();
    assert_eq!(
        long_range.units[0].spec.opening_position(),
        OpeningPosition::Sourced
    );
    // National 2025 opens from the 2024 bulletin (a solved base year): nothing marked.
    let national = Scenario::from_path(&root.join("national-2025.toml")).unwrap();
    assert_eq!(
        national.units[0].spec.opening_position(),
        OpeningPosition::BaseYear(2024)
    );
    let (_d, _out, html) = run(&national, Lang::Zh);
    assert!(!html.contains('†') && !html.contains("assumed-positions"));
    assert!(!headline_of(&html).contains("假设值"));
}

#[test]
fn shandong_overview_ranks_every_fund_with_the_summary_figures() {
    let p =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/shandong-provincial.toml");
    let s = Scenario::from_path(&p).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    fundrisk::run::run_scenario(&s, &RunOptions::new(64, 2), &out, Lang::Zh, &|_| {}).unwrap();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    // The overview comes first, before the headline and the charts.
    let at = |x: &str| html.find(x).unwrap();
    assert!(at("id=\"overview\"") < at("id=\"headline\"") && at("id=\"headline\"") < at("<figure"));
    let table = html
        .split("id=\"overview\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    let (body, foot) = table.split_once("<tfoot>").unwrap();
    let rows: Vec<(String, Vec<String>)> = body
        .split("<tr data-fund=\"")
        .skip(1)
        .map(|r| (r.split('"').next().unwrap().to_string(), row_cells(r)))
        .collect();
    assert_eq!(rows.len(), 19);
    assert!(foot.contains("data-fund=\"all\""));
    common::check_overview(&rows, &out);
    let names: std::collections::HashSet<String> = rows.iter().map(|r| r.0.clone()).collect();
    let mut expected: Vec<String> = s.units.iter().map(|u| u.spec.name.clone()).collect();
    expected.push("adjustment".into());
    assert_eq!(names, expected.into_iter().collect());
    // The headline names the riskiest fund by its Chinese name.
    let headline = headline_of(&html);
    let top = &s
        .units
        .iter()
        .find(|u| u.spec.name == rows[0].0)
        .unwrap()
        .spec
        .title;
    assert!(headline.contains(top.as_str()), "{headline}");
    // No identifier in the visible text of the Chinese page.
    let text = visible_text(&html);
    for u in &s.units {
        let id = &u.spec.name;
        let word = |w: &str| {
            text.split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
                .any(|x| x == w)
        };
        assert!(!word(id), "identifier {id} shown");
    }
    let snake: Vec<&str> = text
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .filter(|w| w.contains('_') && w.chars().any(|c| c.is_ascii_lowercase()))
        .collect();
    assert!(snake.is_empty(), "snake_case shown: {snake:?}");
}
