//! Reports of the studies: `compare` (differences with their bands), `solve-rate` (risk against
//! the rate, the solved rate marked) and `sensitivity` (tornado charts). Each is a page like
//! the run report, built from the study's table so that the page and the CSV agree.

use super::charts::{self, RateCurve, TornadoBar};
use super::columns::value_text;
use super::html::{Page, assumptions, page, scenario_title, slug, table_html};
use super::lang::Lang;
use super::table::Table;
use crate::error::{Error, Result};
use crate::scenario::Scenario;
use crate::study::{
    DifferenceRow, Differences, Direction, HeadlineMeasures, LabelledSensitivity, Measure,
    RateAnswer, RateLine, Sensitivity, Target,
};

/// A study's page and its charts as (file name, SVG).
pub type Report = (String, Vec<(String, String)>);

fn pct(x: f64, lang: Lang) -> String {
    lang.number(x * 100.0, 1)
}

fn signed(x: f64, decimals: usize, lang: Lang) -> String {
    let s = lang.number(x, decimals);
    if s.starts_with('−') || s.chars().all(|c| c == '0' || c == '.') {
        s
    } else {
        format!("+{s}")
    }
}

/// The note a study's headline opens with when units open from assumed positions
/// ([`crate::scenario::OpeningPosition::Assumed`]): all of them, or the ones listed.
fn assumed_positions_note(
    s: &Scenario,
    names: &super::names::DisplayNames,
    lang: Lang,
) -> Option<String> {
    use crate::scenario::OpeningPosition;
    let assumed: Vec<String> = s
        .units
        .iter()
        .filter(|u| u.spec.opening_position() == OpeningPosition::Assumed)
        .map(|u| names.of(&u.spec.name, lang).to_string())
        .collect();
    super::overview::assumed_note(&assumed, s.units.len(), lang)
}

/// A study's page: its title, headline and charts, its whole table and the scenario's
/// assumptions (the headline opening with a note where units open from assumed positions).
#[allow(clippy::too_many_arguments)]
fn study_page(
    s: &Scenario,
    title_key: &str,
    headline: String,
    svgs: Vec<(String, String)>,
    table: &Table,
    extra_sections: Vec<(String, String)>,
    meta: &serde_json::Value,
    lang: Lang,
) -> Report {
    let names = super::names::DisplayNames::for_scenario(s);
    let table = &super::with_display_names(table, &names, lang);
    let mut sentences: Vec<String> = assumed_positions_note(s, &names, lang)
        .into_iter()
        .collect();
    sentences.push(headline);
    let html = page(&Page {
        lang,
        subtitle: String::new(),
        lead: String::new(),
        after_headline: String::new(),
        title: format!("{}: {}", lang.t(title_key), scenario_title(s, lang)),
        headline: sentences,
        svgs: &svgs,
        sections: [(lang.t("results").to_string(), table_html(table, None, lang))]
            .into_iter()
            .chain(extra_sections)
            .chain([
                (
                    lang.t("notes").to_string(),
                    super::html::notes(&s.spec.risk, lang),
                ),
                (lang.t("assumptions").to_string(), assumptions(s, lang)),
            ])
            .collect(),
        meta,
    });
    (html, svgs)
}

/// A risk target in words.
pub fn target_text(t: &Target, lang: Lang) -> String {
    let level = pct(t.level, lang);
    let op = lang.t(if t.strict {
        "target_below"
    } else {
        "target_at_most"
    });
    match t.measure {
        Measure::MonthsBelow(x) => lang.fill("target_months_below", &[&x.to_string(), op, &level]),
        Measure::Exhausted => lang.fill("target_exhausted", &[op, &level]),
        Measure::Deficit => lang.fill("target_deficit", &[op, &level]),
    }
}

fn line_text(line: RateLine, lang: Lang) -> &'static str {
    lang.t(match line {
        RateLine::Employer => "rate_line_employer",
        RateLine::Employee => "rate_line_employee",
        RateLine::Flexible => "rate_line_flexible",
    })
}

/// What a rate study asked.
pub struct RateQuestion<'a> {
    pub target: &'a Target,
    pub line: RateLine,
    pub from: crate::params::Month,
    pub years: (i32, i32),
    pub range: (f64, f64),
}

fn solve_headline(answers: &[RateAnswer], q: &RateQuestion, lang: Lang) -> String {
    let target = target_text(q.target, lang);
    let line = line_text(q.line, lang);
    let (y0, y1) = q.years;
    let top = pct(q.range.1, lang);
    if let [a] = answers {
        return match a.rate {
            Some(r) => lang.fill(
                "solve_rate_answer",
                &[
                    &target,
                    &y0.to_string(),
                    &y1.to_string(),
                    &a.unit,
                    line,
                    &q.from.to_string(),
                    &lang.number(r * 100.0, 2),
                    &lang.number(a.current_rate * 100.0, 2),
                    &lang.number(a.break_even_rate * 100.0, 2),
                ],
            ),
            None => lang.fill(
                "solve_rate_unmet",
                &[
                    &target,
                    &y0.to_string(),
                    &y1.to_string(),
                    &a.unit,
                    line,
                    &top,
                    &a.binding_year.to_string(),
                    &pct(a.probability, lang),
                    &pct(1.96 * a.probability_se, lang),
                ],
            ),
        };
    }
    let n = answers.len();
    let raised = answers
        .iter()
        .filter(|a| a.rate.is_some_and(|r| r > a.current_rate + 1e-12))
        .count();
    let unmet = answers.iter().filter(|a| a.rate.is_none()).count();
    let highest = answers
        .iter()
        .max_by(|a, b| a.best_rate.total_cmp(&b.best_rate));
    let (hu, hr) = highest.map_or((String::new(), 0.0), |a| (a.unit.clone(), a.best_rate));
    let mut s = lang.fill(
        "solve_rate_units",
        &[
            &target,
            &y0.to_string(),
            &y1.to_string(),
            &n.to_string(),
            &raised.to_string(),
            line,
            &hu,
            &lang.number(hr * 100.0, 2),
        ],
    );
    if unmet > 0 {
        s.push_str(&lang.fill("solve_rate_units_unmet", &[&unmet.to_string(), &top]));
    }
    s
}

/// The `solve-rate` report: risk against the trial rate with the solved rate marked, the
/// required and current rate of each unit, the answers table and the assumptions.
pub fn solve_rate_report(
    s: &Scenario,
    answers: &[RateAnswer],
    q: &RateQuestion,
    table: &Table,
    meta: &serde_json::Value,
    lang: Lang,
) -> Result<Report> {
    let names = super::names::DisplayNames::for_scenario(s);
    let answers: Vec<RateAnswer> = answers
        .iter()
        .cloned()
        .map(|mut a| {
            a.unit = names.of(&a.unit, lang).to_string();
            a
        })
        .collect();
    let answers = answers.as_slice();
    // One curve per group of units solved together (units sharing their trials).
    let mut curves: Vec<RateCurve> = Vec::new();
    for a in answers {
        if let Some(c) = curves
            .iter_mut()
            .find(|c| c.points == a.trials && c.solved == a.rate && c.current == a.current_rate)
        {
            c.label.push_str(&format!(", {}", a.unit));
            continue;
        }
        curves.push(RateCurve {
            label: a.unit.clone(),
            points: a.trials.clone(),
            solved: a.rate,
            current: a.current_rate,
        });
    }
    let mut svgs = vec![(
        "risk_vs_rate.svg".to_string(),
        charts::risk_vs_rate(
            &lang.fill(
                "titled_target",
                &[lang.t("risk_rate_title"), &q.target.to_string()],
            ),
            lang.t("probability_axis"),
            &curves,
            q.target.level,
            lang,
        )?,
    )];
    if answers.len() > 1 {
        let rows: Vec<(String, f64, f64, bool)> = answers
            .iter()
            .map(|a| {
                (
                    a.unit.clone(),
                    a.best_rate,
                    a.current_rate,
                    a.rate.is_some(),
                )
            })
            .collect();
        svgs.push((
            "rates_by_unit.svg".to_string(),
            charts::rates_by_unit(lang.t("rates_title"), &rows, lang)?,
        ));
    }
    let headline = solve_headline(answers, q, lang);
    Ok(study_page(
        s,
        "solve_report_title",
        headline,
        svgs,
        table,
        Vec::new(),
        meta,
        lang,
    ))
}

/// One comparison of a `compare` study: its sides and its result (whose label is the key in the
/// `scenario` column).
pub struct Comparison {
    pub base: String,
    pub other: String,
    /// The base is the scenario with a separate maternity fund, the other its merger.
    pub separate_maternity: bool,
    pub differences: Differences,
}

/// The `compare.csv` table of several comparisons, one after another.
pub fn comparisons_table(comparisons: &[Comparison]) -> Result<Table> {
    let mut tables = comparisons.iter().map(|c| c.differences.table());
    let mut all = tables.next().unwrap_or_default();
    for t in tables {
        all.append(t)?;
    }
    Ok(all)
}

impl Comparison {
    /// The comparison in words, naming the scenarios by their titles in `scenarios` (by their
    /// identifiers if not found).
    fn label(&self, scenarios: &[Scenario], lang: Lang) -> String {
        let title = |name: &str| {
            scenarios
                .iter()
                .find(|s| s.spec.name == name)
                .map_or_else(|| name.to_string(), |s| scenario_title(s, lang))
        };
        let (other, base) = (title(&self.other), title(&self.base));
        match (self.separate_maternity, lang) {
            (true, _) => lang.fill("compare_merged_label", &[&other]),
            (false, _) => format!("{other} − {base}"),
        }
    }
}

/// The `compare` report: for each comparison, the difference in P(months < 6) and in the mean
/// year-end balance of `fund` with their 95 % bands, and the differences table.
pub fn compare_report(
    base: &Scenario,
    scenarios: &[Scenario],
    comparisons: &[Comparison],
    fund: &str,
    meta: &serde_json::Value,
    lang: Lang,
) -> Result<Report> {
    let mut svgs = Vec::new();
    let mut headline = String::new();
    let unit = lang.money_unit();
    let fund_key = fund;
    let names = super::names::DisplayNames::for_scenario(base);
    let fund = &names.of(fund_key, lang).to_string();
    for (i, c) in comparisons.iter().enumerate() {
        let rows: Vec<&DifferenceRow> = c.differences.of_unit(fund_key).collect();
        let Some(last) = rows.last() else {
            continue;
        };
        let years: Vec<i32> = rows.iter().map(|r| r.year).collect();
        let label = c.label(scenarios, lang);
        type Pick = fn(&DifferenceRow) -> f64;
        let pick = |f: Pick, scale: f64| rows.iter().map(|r| f(r) * scale).collect::<Vec<_>>();
        svgs.push((
            format!("difference_p6_{}_{i}.svg", slug(fund_key)),
            charts::difference_band(
                &format!("{label} — {fund} — {}", lang.t("diff_p6_title")),
                lang.t("pp_axis"),
                &years,
                &pick(|r| r.p_months_lt_6.diff, 100.0),
                &pick(|r| r.p_months_lt_6.se, 100.0),
                lang,
            )?,
        ));
        svgs.push((
            format!("difference_balance_{}_{i}.svg", slug(fund_key)),
            charts::difference_band(
                &format!("{label} — {fund} — {}", lang.t("diff_balance_title")),
                lang.t("money_axis"),
                &years,
                &pick(|r| r.balance_mean.diff, 1.0 / unit),
                &pick(|r| r.balance_mean.se, 1.0 / unit),
                lang,
            )?,
        ));
        let year = last.year;
        let (p6, bal) = (last.p_months_lt_6, last.balance_mean);
        headline.push_str(&lang.fill(
            "compare_headline",
            &[
                &label,
                &year.to_string(),
                fund,
                &signed(p6.diff * 100.0, 1, lang),
                &lang.number(1.96 * p6.se * 100.0, 1),
                &signed(bal.diff / unit, 2, lang),
                &lang.number(1.96 * bal.se / unit, 2),
            ],
        ));
    }
    if svgs.is_empty() {
        return Err(Error::Invalid(format!(
            "no row of the comparison is about the fund `{fund_key}`"
        )));
    }
    // The page's table: the headline fund's rows and the main columns, with readable labels,
    // each side's level next to the difference.
    let rows: Vec<(String, &DifferenceRow)> = comparisons
        .iter()
        .flat_map(|c| {
            let label = c.label(scenarios, lang);
            c.differences
                .of_unit(fund_key)
                .map(move |r| (label.clone(), r))
        })
        .collect();
    let mut shown = Table::default();
    shown.str("scenario", rows.iter().map(|(l, _)| l.clone()).collect());
    type Column = fn(&DifferenceRow) -> f64;
    let columns: [(&str, Column); 16] = [
        ("year", |r| f64::from(r.year)),
        ("months_p50_base", |r| r.base.months_p50),
        ("months_p50_other", |r| r.other.months_p50),
        ("months_p50_diff", |r| r.months_p50_diff()),
        ("p_months_lt_6_base", |r| r.base.p_months_lt_6),
        ("p_months_lt_6_other", |r| r.other.p_months_lt_6),
        ("p_months_lt_6_diff", |r| r.p_months_lt_6.diff),
        ("p_months_lt_6_diff_se", |r| r.p_months_lt_6.se),
        ("p_exhausted_base", |r| r.base.p_exhausted),
        ("p_exhausted_other", |r| r.other.p_exhausted),
        ("p_exhausted_diff", |r| r.p_exhausted.diff),
        ("p_exhausted_diff_se", |r| r.p_exhausted.se),
        ("balance_mean_base", |r| r.base.balance_mean),
        ("balance_mean_other", |r| r.other.balance_mean),
        ("balance_mean_diff", |r| r.balance_mean.diff),
        ("balance_mean_diff_se", |r| r.balance_mean.se),
    ];
    for (name, f) in columns {
        shown.f64(name, rows.iter().map(|(_, r)| f(r)).collect());
    }
    // What differs between the scenarios of each comparison.
    let mut differences = String::new();
    for c in comparisons {
        let find = |name: &str| scenarios.iter().find(|s| s.spec.name == name);
        differences.push_str(&format!(
            "<h3>{}</h3>",
            super::html::esc(&c.label(scenarios, lang))
        ));
        if c.separate_maternity {
            differences.push_str(&format!(
                "<table class=\"data\"><tr><th>{}</th><th>{}</th><th>{}</th></tr><tr><td>{}</td><td>{}</td><td>{}</td></tr></table>",
                lang.t("parameter"),
                lang.t("compare_base"),
                lang.t("compare_alternative"),
                lang.t("maternity_arrangement"),
                lang.t("separate_fund"),
                lang.t("merged_as_scenario")
            ));
        } else if let (Some(a), Some(b)) = (find(&c.base), find(&c.other)) {
            differences.push_str(&super::html::differences_table(a, b, lang));
        }
    }
    let html = page(&Page {
        lang,
        subtitle: String::new(),
        lead: String::new(),
        after_headline: String::new(),
        title: format!(
            "{}: {}",
            lang.t("compare_report_title"),
            scenario_title(base, lang)
        ),
        headline: vec![headline.trim_end().to_string()],
        svgs: &svgs,
        sections: vec![
            (lang.t("differences").to_string(), differences),
            (
                format!("{} — {fund}", lang.t("results")),
                table_html(&shown, None, lang),
            ),
            (
                lang.t("notes").to_string(),
                super::html::notes(&base.spec.risk, lang),
            ),
            (lang.t("assumptions").to_string(), assumptions(base, lang)),
        ],
        meta,
    });
    Ok((html, svgs))
}

/// The `sensitivity` report: tornado charts of the change in the median months of capacity
/// and in P(months < 6), the table and the assumptions.
pub fn sensitivity_report(
    s: &Scenario,
    study: &Sensitivity,
    meta: &serde_json::Value,
    lang: Lang,
) -> Result<Report> {
    sensitivity_page(s, study, None, meta, lang)
}

/// The bars a tornado chart shows at most: a labelled-values study moves a hundred values,
/// and a chart of them all could not be read.
const TORNADO_BARS: usize = 30;

/// The `sensitivity --labelled` report: as [`sensitivity_report`] (the tornado charts show the
/// 30 largest changes), with a sentence counting the labelled items and the table of them.
pub fn labelled_sensitivity_report(
    s: &Scenario,
    study: &LabelledSensitivity,
    meta: &serde_json::Value,
    lang: Lang,
) -> Result<Report> {
    sensitivity_page(s, &study.sensitivity, Some(study), meta, lang)
}

fn sensitivity_page(
    s: &Scenario,
    study: &Sensitivity,
    labelled: Option<&LabelledSensitivity>,
    meta: &serde_json::Value,
    lang: Lang,
) -> Result<Report> {
    let fund = super::names::DisplayNames::for_scenario(s)
        .of(&study.fund, lang)
        .to_string();
    let year = study.year;
    let mut svgs = Vec::new();
    let mut widest: Option<(String, Option<f64>, Option<f64>)> = None;
    type Pick = fn(&HeadlineMeasures) -> f64;
    let panels: [(&str, Pick, f64, &str, &str); 2] = [
        (
            "months_p50",
            |m| m.months_p50,
            1.0,
            "tornado_months_title",
            "months_change_axis",
        ),
        (
            "p_months_lt_6",
            |m| m.p_months_lt_6,
            100.0,
            "tornado_p6_title",
            "pp_axis",
        ),
    ];
    for (measure, pick, scale, key, axis) in panels {
        let mut bars: Vec<TornadoBar> = Vec::new();
        for row in &study.rows {
            let Some(direction) = row.direction else {
                continue;
            };
            let label = value_text(row.assumption.name(), lang);
            let i = match bars.iter().position(|b| b.label == label) {
                Some(i) => i,
                None => {
                    bars.push(TornadoBar {
                        label,
                        low: None,
                        high: None,
                    });
                    bars.len() - 1
                }
            };
            let v = Some(pick(&row.change) * scale);
            match direction {
                Direction::Low => bars[i].low = v,
                Direction::High => bars[i].high = v,
            }
        }
        let width = |t: &TornadoBar| t.low.unwrap_or(0.0).abs().max(t.high.unwrap_or(0.0).abs());
        // The widest TORNADO_BARS (the chart orders them itself).
        bars.sort_by(|a, b| width(b).total_cmp(&width(a)));
        bars.truncate(TORNADO_BARS);
        if measure == "months_p50" {
            widest = bars
                .iter()
                .max_by(|a, b| width(a).total_cmp(&width(b)))
                .map(|b| (b.label.clone(), b.low, b.high));
        }
        svgs.push((
            format!("tornado_{measure}.svg"),
            charts::tornado(
                &format!("{fund} — {year} — {}", lang.t(key)),
                lang.t(axis),
                &bars,
                lang,
            )?,
        ));
    }
    let base = study.base().months_p50;
    let change = |v: Option<f64>| v.map_or("—".to_string(), |x| signed(x, 2, lang));
    let headline = widest.map_or_else(String::new, |(name, low, high)| {
        lang.fill(
            "sensitivity_headline",
            &[
                &year.to_string(),
                &fund,
                &lang.number(base, 2),
                &name,
                &change(low),
                &change(high),
            ],
        )
    });
    let (headline, extra) = match labelled {
        None => (headline, Vec::new()),
        Some(l) => {
            let moved = l.outcomes.iter().filter(|o| !o.measured.is_empty()).count();
            let (n, step) = (l.outcomes.len(), lang.number(l.step * 100.0, 0));
            let count = if l.labelled_in_file > n {
                lang.fill(
                    "labelled_summary_only",
                    &[
                        &l.labelled_in_file.to_string(),
                        &n.to_string(),
                        &moved.to_string(),
                        &step,
                        &(n - moved).to_string(),
                    ],
                )
            } else {
                lang.fill(
                    "labelled_summary",
                    &[
                        &n.to_string(),
                        &moved.to_string(),
                        &step,
                        &(n - moved).to_string(),
                    ],
                )
            };
            (
                format!("{count} {headline}"),
                vec![(
                    lang.t("labelled_values").to_string(),
                    table_html(&l.labels_table(), None, lang),
                )],
            )
        }
    };
    Ok(study_page(
        s,
        "sensitivity_report_title",
        headline,
        svgs,
        &study.table(),
        extra,
        meta,
        lang,
    ))
}

/// The `backtest` report: one fan per line with the actuals marked, the headline score (how
/// many actuals fell inside the 90 % band, the median absolute percentage error by years
/// ahead), the scores and rows tables and the assumptions.
pub fn backtest_report(
    s: &Scenario,
    f: &crate::backtest::Forecast,
    b: &crate::backtest::Backtest,
    meta: &serde_json::Value,
    lang: Lang,
) -> Result<Report> {
    let mut svgs = Vec::new();
    for (l, line) in crate::backtest::BacktestLine::ALL.into_iter().enumerate() {
        let points: Vec<(i32, f64)> = b
            .rows
            .iter()
            .filter(|r| r.line == line)
            .filter_map(|r| r.actual.map(|a| (r.year, a)))
            .collect();
        let title = format!(
            "{} — {}",
            super::names::DisplayNames::for_scenario(s).of(&f.fund, lang),
            lang.t(&format!("line_{line}"))
        );
        svgs.push((
            format!("backtest_{line}.svg"),
            charts::backtest_fan(
                &title,
                f.first_year,
                &f.values[l],
                &points,
                line.is_persons(),
                lang,
            )?,
        ));
    }
    let (total_inside, total) = b.inside_90();
    let by_ahead: Vec<String> = b
        .scores
        .iter()
        .enumerate()
        .filter_map(|(h, s)| s.median_abs_pct_error.map(|m| (h, m)))
        .map(|(h, m)| {
            let key = if h == 0 {
                "error_one_year_ahead"
            } else {
                "error_years_ahead"
            };
            lang.fill(key, &[&(h + 1).to_string(), &pct(m, lang)])
        })
        .collect();
    let last = f.first_year + f.n_years as i32 - 1;
    let headline = lang.fill(
        "backtest_headline",
        &[
            &f.first_year.to_string(),
            &last.to_string(),
            &total.to_string(),
            &total_inside.to_string(),
            &by_ahead.join(lang.t("list_separator_comma")),
        ],
    );
    let html = page(&Page {
        lang,
        subtitle: String::new(),
        lead: String::new(),
        after_headline: String::new(),
        title: format!("{}: {}", lang.t("backtest"), scenario_title(s, lang)),
        headline: vec![headline],
        svgs: &svgs,
        sections: vec![
            (
                lang.t("scores").to_string(),
                table_html(&b.scores_table(), None, lang),
            ),
            (
                lang.t("results").to_string(),
                table_html(&b.rows_table(), None, lang),
            ),
            (lang.t("assumptions").to_string(), assumptions(s, lang)),
        ],
        meta,
    });
    Ok((html, svgs))
}

/// The membership of a scenario's expected path against the published series
/// (`fundrisk demography`): a chart of retirees per 100 active members and the table.
pub fn demography_report(
    s: &Scenario,
    years: &[crate::backtest::MembershipYear],
    table: &Table,
    meta: &serde_json::Value,
    lang: Lang,
) -> Result<Report> {
    let shown: Vec<&crate::backtest::MembershipYear> = years
        .iter()
        .filter(|y| y.ratio_published().is_some())
        .collect();
    let svg = charts::retiree_ratio_comparison(
        &shown.iter().map(|y| f64::from(y.year)).collect::<Vec<_>>(),
        &shown.iter().map(|y| y.ratio_model()).collect::<Vec<_>>(),
        &shown
            .iter()
            .map(|y| y.ratio_published().unwrap_or(f64::NAN))
            .collect::<Vec<_>>(),
        lang,
    )?;
    let svgs = vec![("retiree_ratio.svg".to_string(), svg)];
    let worst = shown
        .iter()
        .map(|y| {
            (
                y.year,
                y.ratio_model() - y.ratio_published().unwrap_or(f64::NAN),
            )
        })
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()));
    let headline = match worst {
        Some((year, d)) => lang.fill(
            "demography_headline",
            &[
                &shown.first().map_or(0, |y| y.year).to_string(),
                &shown.last().map_or(0, |y| y.year).to_string(),
                &format!("{d:.2}"),
                &year.to_string(),
            ],
        ),
        None => lang.t("demography_no_year").to_string(),
    };
    Ok(study_page(
        s,
        "demography",
        headline,
        svgs,
        table,
        Vec::new(),
        meta,
        lang,
    ))
}

/// The rolling-origin backtest (`fundrisk backtest` on a template with `[backtest]`): the
/// scores over all origins first, then every origin's fan charts with the actuals, each
/// origin's base year, and every scored actual.
pub fn rolling_report(
    template: &Scenario,
    r: &crate::rolling::Rolling,
    scores: &Table,
    scored: &Table,
    meta: &serde_json::Value,
    lang: Lang,
) -> Result<Report> {
    let mut svgs = Vec::new();
    for o in &r.origins {
        for (l, line) in crate::backtest::BacktestLine::ALL.into_iter().enumerate() {
            let points: Vec<(i32, f64)> = o
                .actuals
                .iter()
                .filter(|a| a.line == line)
                .map(|a| (a.year, a.value))
                .collect();
            if points.is_empty() {
                continue;
            }
            let title = lang.fill(
                "origin_chart_title",
                &[&o.origin.to_string(), lang.t(&format!("line_{line}"))],
            );
            svgs.push((
                format!("origin{}_{line}.svg", o.origin),
                charts::backtest_fan(
                    &title,
                    o.forecast.first_year,
                    &o.forecast.values[l],
                    &points,
                    line.is_persons(),
                    lang,
                )?,
            ));
        }
    }
    let all = r.scores.iter().find(|g| g.line.is_none() && g.horizon == 0);
    let one_year: Vec<String> = r
        .scores
        .iter()
        .filter_map(|g| g.line.filter(|_| g.horizon == 1).map(|line| (g, line)))
        .map(|(g, line)| {
            format!(
                "{} {}%",
                lang.t(&format!("line_{line}")),
                pct(g.median_abs_pct_error, lang)
            )
        })
        .collect();
    let (first, last) = (
        r.origins.first().map_or(0, |o| o.origin),
        r.origins.last().map_or(0, |o| o.origin),
    );
    let counts = all.map(|a| {
        (
            a.n,
            a.inside_90,
            pct(a.share_inside_90(), lang),
            a.inside_50,
            pct(a.share_inside_50(), lang),
        )
    });
    let n_origins = r.origins.len();
    let headline = match counts {
        Some((n, in90, p90, in50, p50)) => lang.fill(
            "rolling_headline",
            &[
                &first.to_string(),
                &last.to_string(),
                &n_origins.to_string(),
                &n.to_string(),
                &in90.to_string(),
                &p90,
                &in50.to_string(),
                &p50,
                &one_year.join(lang.t("list_separator_comma")),
            ],
        ),
        None => lang.t("no_actuals").to_string(),
    };
    let fits: Vec<crate::base_year::BaseYearFit> =
        r.origins.iter().map(|o| o.fit.clone()).collect();
    let base_years = format!(
        "<pre>{}</pre>",
        super::html::esc(&crate::base_year::describe(&fits))
    );
    let html = page(&Page {
        lang,
        subtitle: String::new(),
        lead: String::new(),
        after_headline: String::new(),
        title: format!("{}: {}", lang.t("backtest"), scenario_title(template, lang)),
        headline: vec![headline],
        svgs: &svgs,
        sections: vec![
            (lang.t("scores").to_string(), table_html(scores, None, lang)),
            (lang.t("base_years").to_string(), base_years),
            (
                lang.t("results").to_string(),
                table_html(scored, None, lang),
            ),
            (
                lang.t("assumptions").to_string(),
                assumptions(template, lang),
            ),
        ],
        meta,
    });
    Ok((html, svgs))
}
