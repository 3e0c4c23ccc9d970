//! The overview a report opens with: every fund's risk in the last projected year and in its
//! worst year, funds ranked from the riskiest, and the sentences that name the funds at risk.
//!
//! Every figure is one of `summary.csv` (median months, P(current deficit), P(months < 6),
//! P(months < 3), P(balance < 0 at the year end)) or of `exhaustion.csv` (the cumulative share of
//! paths whose balance has turned negative at a month end by a year's end).

use super::html::esc;
use super::lang::Lang;
use super::names::DisplayNames;
use super::table::Table;
use crate::engine::FundKind;
use crate::risk::{Simulation, probability_se, quantile_sorted};
use crate::scenario::RiskSpec;
use std::cmp::Ordering;

/// A fund's risk measures at one year end.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct YearRisk {
    pub year: i32,
    /// Median year-end months of payment capacity (+∞ where nothing is spent).
    pub months_p50: f64,
    /// P(current-year deficit: income + interest < spending), share 0–1.
    pub p_deficit: f64,
    pub p_months_lt_6: f64,
    pub p_months_lt_3: f64,
    /// P(year-end balance < 0), share 0–1.
    pub p_exhausted: f64,
}

impl YearRisk {
    fn of(sim: &Simulation, e: usize, y: usize) -> YearRisk {
        let l = &sim.layout;
        let n = sim.paths().max(1) as f64;
        let i = e * l.n_years + y;
        let mut months = sim.months(e, y);
        months.sort_by(f64::total_cmp);
        YearRisk {
            year: l.first_year + y as i32,
            months_p50: quantile_sorted(&months, 0.5),
            p_deficit: sim.acc.n_deficit[i] as f64 / n,
            p_months_lt_6: sim.acc.n_months_lt_6[i] as f64 / n,
            p_months_lt_3: sim.acc.n_months_lt_3[i] as f64 / n,
            p_exhausted: sim.acc.n_exhausted[i] as f64 / n,
        }
    }

    /// Orders by severity: the balance below zero first, then below 3 and 6 months, then a
    /// current deficit, then fewer median months (an undefined median counts as unbounded).
    pub fn severity(&self, other: &YearRisk) -> Ordering {
        let months = |m: f64| if m.is_nan() { f64::INFINITY } else { m };
        self.p_exhausted
            .total_cmp(&other.p_exhausted)
            .then(self.p_months_lt_3.total_cmp(&other.p_months_lt_3))
            .then(self.p_months_lt_6.total_cmp(&other.p_months_lt_6))
            .then(self.p_deficit.total_cmp(&other.p_deficit))
            .then(months(other.months_p50).total_cmp(&months(self.months_p50)))
    }
}

/// One fund's line of the overview.
#[derive(Clone, Debug, PartialEq)]
pub struct FundRisk {
    /// Reported entity (index into the run's layout).
    pub entity: usize,
    /// The fund's identifier in the tables (`unit` column).
    pub id: String,
    /// The last projected year end the fund reports.
    pub last: YearRisk,
    /// The year end of the fund's highest severity ([`YearRisk::severity`]); the earliest of
    /// equals.
    pub worst: YearRisk,
    /// The first years by whose end the cumulative share of paths that ran dry exceeds 5 % and
    /// 50 %.
    pub exhausted_by: [Option<i32>; 2],
    /// Share of paths that run dry (a negative month-end balance) within the horizon.
    pub exhausted_ever: f64,
    /// Monte Carlo standard error of the last year's P(months < 6).
    pub p_months_lt_6_se: f64,
    /// Every year end the fund reports, from the first.
    pub years: Vec<YearRisk>,
    /// Per year: the cumulative share of paths run dry (a negative month-end balance) by its end.
    pub run_dry_by: Vec<f64>,
    /// The fund holds money of a unit whose opening position is assumed, not published
    /// ([`crate::risk::Layout::opening_assumed`]).
    pub opening_assumed: bool,
}

impl FundRisk {
    fn of(sim: &Simulation, e: usize) -> FundRisk {
        let l = &sim.layout;
        let n = sim.paths().max(1) as f64;
        let years: Vec<YearRisk> = (0..=l.last_year[e])
            .map(|y| YearRisk::of(sim, e, y))
            .collect();
        let worst = years
            .iter()
            .copied()
            .reduce(|w, y| {
                if y.severity(&w) == Ordering::Greater {
                    y
                } else {
                    w
                }
            })
            .expect("a reported fund has at least one year");
        let last = *years.last().expect("at least one year");
        let mut cumulative = 0.0;
        let mut exhausted_by = [None, None];
        let mut run_dry_by = Vec::with_capacity(years.len());
        for y in 0..=l.last_year[e] {
            cumulative += sim.acc.n_first_exhaustion[e * (l.n_years + 1) + y] as f64 / n;
            run_dry_by.push(cumulative);
            for (slot, level) in exhausted_by.iter_mut().zip([0.05, 0.5]) {
                if slot.is_none() && cumulative > level {
                    *slot = Some(l.first_year + y as i32);
                }
            }
        }
        FundRisk {
            entity: e,
            id: l.names[e].clone(),
            last,
            worst,
            exhausted_by,
            exhausted_ever: cumulative,
            p_months_lt_6_se: probability_se(last.p_months_lt_6, sim.paths()),
            years,
            run_dry_by,
            opening_assumed: l.opening_assumed[e],
        }
    }
}

/// The run's funds ranked by risk, and the total of all funds.
#[derive(Clone, Debug)]
pub struct Overview {
    /// Funds from the riskiest: by worst-year severity, then last-year severity, then
    /// identifier.
    pub ranked: Vec<FundRisk>,
    /// The sum of several funds (not a fund of its own), shown after the ranking.
    pub total: Option<FundRisk>,
    pub paths: usize,
}

impl Overview {
    pub fn new(sim: &Simulation) -> Overview {
        let l = &sim.layout;
        let mut ranked = Vec::new();
        let mut total = None;
        for e in 0..l.n_entities() {
            let f = FundRisk::of(sim, e);
            // The accounts' fund is the fund itself; another total is a sum of funds.
            if l.kinds[e].is_none() && !l.accounts {
                total = Some(f);
            } else {
                ranked.push(f);
            }
        }
        ranked.sort_by(|a, b| {
            b.worst
                .severity(&a.worst)
                .then(b.last.severity(&a.last))
                .then(a.id.cmp(&b.id))
        });
        Overview {
            ranked,
            total,
            paths: sim.paths(),
        }
    }

    /// The fund a single-fund headline speaks of: the one fund, the accounts' fund, or the
    /// total of several funds.
    pub fn main(&self, sim: &Simulation) -> &FundRisk {
        let l = &sim.layout;
        if let Some(f) = self
            .ranked
            .iter()
            .find(|f| l.accounts && l.kinds[f.entity].is_none())
        {
            return f;
        }
        let pooled: Vec<&FundRisk> = self
            .ranked
            .iter()
            .filter(|f| matches!(l.kinds[f.entity], Some(FundKind::Pooled | FundKind::City)))
            .collect();
        match (pooled.as_slice(), &self.total) {
            ([one], _) => one,
            (_, Some(t)) => t,
            _ => &self.ranked[0],
        }
    }

    /// Funds at risk of running dry: the cumulative share exhausted exceeds 5 % within the
    /// horizon, in rank order.
    pub fn running_dry(&self) -> Vec<&FundRisk> {
        self.ranked
            .iter()
            .filter(|f| f.exhausted_by[0].is_some())
            .collect()
    }

    /// Funds not running dry whose P(months < 6) exceeds one half at some year end.
    pub fn short_of_capacity(&self) -> Vec<&FundRisk> {
        self.ranked
            .iter()
            .filter(|f| f.exhausted_by[0].is_none() && f.worst.p_months_lt_6 > 0.5)
            .collect()
    }
}

fn pct(x: f64, lang: Lang) -> String {
    lang.number(x * 100.0, 1)
}

fn months_text(m: f64, lang: Lang) -> String {
    if m.is_nan() {
        "—".into()
    } else {
        lang.number(m, 1)
    }
}

/// The headline sentences: the funds at risk by name (or that none is), then the main fund's
/// last year with its 95 % interval.
pub fn headline(ov: &Overview, sim: &Simulation, names: &DisplayNames, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    let name = |f: &FundRisk| names.entity(f.entity, lang).to_string();
    let separator = lang.t("list_separator");
    let assumed: Vec<String> = ov
        .ranked
        .iter()
        .filter(|f| f.opening_assumed)
        .map(name)
        .collect();
    out.extend(assumed_note(&assumed, ov.ranked.len(), lang));
    if ov.ranked.len() > 1 {
        let dry = ov.running_dry();
        let short = ov.short_of_capacity();
        let last_year = ov.ranked.iter().map(|f| f.last.year).max().unwrap_or(0);
        let n = ov.ranked.len().to_string();
        let dry_text: Vec<String> = dry
            .iter()
            .map(|f| {
                let half = f.exhausted_by[1]
                    .map(|y| lang.fill("headline_dry_half", &[&y.to_string()]))
                    .unwrap_or_default();
                lang.fill(
                    "headline_dry_item",
                    &[&name(f), &pct(f.exhausted_ever, lang), &half],
                )
            })
            .collect();
        let short_text: Vec<String> = short
            .iter()
            .map(|f| {
                lang.fill(
                    "headline_short_item",
                    &[
                        &name(f),
                        &f.worst.year.to_string(),
                        &pct(f.worst.p_months_lt_6, lang),
                    ],
                )
            })
            .collect();
        let last_year = last_year.to_string();
        out.push(if dry.is_empty() {
            lang.fill("headline_dry_none", &[&n, &last_year])
        } else {
            lang.fill(
                "headline_dry_some",
                &[
                    &n,
                    &dry.len().to_string(),
                    &last_year,
                    &dry_text.join(separator),
                ],
            )
        });
        out.push(match (short.is_empty(), dry.is_empty()) {
            (false, true) => lang.fill(
                "headline_short_some",
                &[&short.len().to_string(), &short_text.join(separator)],
            ),
            (false, false) => lang.fill(
                "headline_short_some_more",
                &[&short.len().to_string(), &short_text.join(separator)],
            ),
            (true, true) => lang.t("headline_short_none").to_string(),
            (true, false) => lang.t("headline_short_none_other").to_string(),
        });
    }
    let f = ov.main(sim);
    let ci = 1.96 * f.p_months_lt_6_se;
    let tail = match f.exhausted_by[1] {
        Some(m) => lang.fill("headline_tail_half", &[&m.to_string()]),
        None => lang.fill("headline_tail_ever", &[&pct(f.exhausted_ever, lang)]),
    };
    out.push(lang.fill(
        "headline_main",
        &[
            &name(f),
            &f.last.year.to_string(),
            &months_text(f.last.months_p50, lang),
            &pct(f.last.p_months_lt_6, lang),
            &pct(ci, lang),
            &pct(f.last.p_deficit, lang),
            &tail,
        ],
    ));
    out
}

/// The sentence a headline opens with when some of its `of` funds (or units) open from assumed
/// positions: all of them, or the ones named in `assumed`; none when there are none.
pub(crate) fn assumed_note(assumed: &[String], of: usize, lang: Lang) -> Option<String> {
    if assumed.is_empty() {
        None
    } else if assumed.len() == of {
        Some(lang.t("headline_assumed_all").to_string())
    } else {
        Some(lang.fill(
            "headline_assumed_some",
            &[
                &assumed.len().to_string(),
                &of.to_string(),
                &assumed.join(lang.t("list_separator")),
            ],
        ))
    }
}

/// Marks a fund whose opening position is assumed, in the overview and its note.
pub const ASSUMED_MARK: &str = "†";

/// The colour of a months-of-capacity cell: the warning band's.
fn band_colour(m: f64, risk: &RiskSpec) -> &'static str {
    if m.is_nan() {
        ""
    } else if m < 0.0 {
        "#cb181d;color:#fff"
    } else if m < risk.insufficient {
        "#fcbba1"
    } else if m < risk.reasonable {
        "#fee6ce"
    } else if m < risk.high {
        "#edf8e9"
    } else if m < risk.excess {
        "#c7e9c0"
    } else {
        "#c6dbef"
    }
}

/// The colour of a probability cell: deeper as the risk grows (5 %, 20 %, 50 %).
fn probability_colour(p: f64) -> &'static str {
    if p > 0.5 {
        "#fc9272"
    } else if p > 0.2 {
        "#fcbba1"
    } else if p > 0.05 {
        "#fee5d9"
    } else {
        ""
    }
}

fn cell(text: String, colour: &str) -> String {
    if colour.is_empty() {
        format!("<td class=\"n\">{text}</td>")
    } else {
        format!("<td class=\"n\" style=\"background:{colour}\">{text}</td>")
    }
}

fn year_cells(r: &YearRisk, risk: &RiskSpec, lang: Lang) -> String {
    let p = |x: f64| cell(format!("{}%", pct(x, lang)), probability_colour(x));
    [
        cell(
            months_text(r.months_p50, lang),
            band_colour(r.months_p50, risk),
        ),
        p(r.p_deficit),
        p(r.p_months_lt_6),
        p(r.p_months_lt_3),
        p(r.p_exhausted),
    ]
    .concat()
}

fn fund_row(
    rank: Option<usize>,
    f: &FundRisk,
    names: &DisplayNames,
    risk: &RiskSpec,
    lang: Lang,
) -> String {
    let year = |y: Option<i32>| {
        y.map_or_else(|| lang.t("never_in_horizon").to_string(), |y| y.to_string())
    };
    format!(
        "<tr data-fund=\"{}\"><td class=\"n\">{}</td><td>{}</td>{}<td class=\"n\">{}</td>{}<td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
        esc(&f.id),
        rank.map_or(String::new(), |r| r.to_string()),
        esc(names.entity(f.entity, lang)) + if f.opening_assumed { ASSUMED_MARK } else { "" },
        year_cells(&f.last, risk, lang),
        f.worst.year,
        year_cells(&f.worst, risk, lang),
        year(f.exhausted_by[0]),
        year(f.exhausted_by[1]),
    )
}

/// The overview table: rank, fund, the last year's and the worst year's measures, the years
/// by which the cumulative share run dry exceeds 5 % and 50 %; colours by warning band and
/// by probability, explained under the table.
pub fn table_html(ov: &Overview, names: &DisplayNames, risk: &RiskSpec, lang: Lang) -> String {
    let last_year = ov.ranked.iter().map(|f| f.last.year).max().unwrap_or(0);
    let measures = [
        "ov_months_p50",
        "ov_p_deficit",
        "ov_p_months_lt_6",
        "ov_p_months_lt_3",
        "ov_p_exhausted",
    ]
    .map(|k| format!("<th>{}</th>", lang.t(k)))
    .concat();
    let last_heading = match lang {
        Lang::Zh => format!("{last_year}年末"),
        Lang::En => format!("End of {last_year}"),
    };
    let mut o = format!(
        "<table class=\"overview\" id=\"overview\"><thead><tr><th rowspan=\"2\">{}</th><th rowspan=\"2\">{}</th><th colspan=\"5\">{}</th><th colspan=\"6\">{}</th><th colspan=\"2\">{}</th></tr><tr>{measures}<th>{}</th>{measures}<th>{}</th><th>{}</th></tr></thead><tbody>",
        lang.t("ov_rank"),
        lang.t("ov_fund"),
        esc(&last_heading),
        lang.t("ov_worst_year"),
        lang.t("ov_exhausted_by"),
        lang.t("year"),
        lang.t("ov_over_5"),
        lang.t("ov_over_50"),
    );
    for (i, f) in ov.ranked.iter().enumerate() {
        o.push_str(&fund_row(Some(i + 1), f, names, risk, lang));
    }
    o.push_str("</tbody>");
    if let Some(t) = &ov.total {
        o.push_str("<tfoot>");
        o.push_str(&fund_row(None, t, names, risk, lang));
        o.push_str("</tfoot>");
    }
    o.push_str("</table>");
    if ov.ranked.iter().chain(&ov.total).any(|f| f.opening_assumed) {
        o.push_str(&format!(
            "<p class=\"note\" id=\"assumed-positions\">{ASSUMED_MARK} {}</p>",
            esc(lang.t("ov_assumed_note"))
        ));
    }
    o.push_str(&format!(
        "<p class=\"note\">{}</p>",
        esc(&match lang {
            Lang::Zh => format!(
                "按最差年份的风险排序（先比较年末累计结余为负的概率，再比较可支付月数低于3个月、低于6个月和当期赤字的概率，最后比较月数中位数）。月数的底色为预警区间：蓝色过多（>{}个月）、绿色较多或合理、橙色不足（<{}个月）、红色严重不足（<{}个月）；概率的底色越深风险越高（>5%、>20%、>50%）。{}条路径。",
                lang.number(risk.excess, 0),
                lang.number(risk.reasonable, 0),
                lang.number(risk.insufficient, 0),
                ov.paths
            ),
            Lang::En => format!(
                "P(deficit): a current-year deficit; P(run dry): a negative year-end balance. Ranked by the worst year's risk (first the probability of a negative year-end balance, then of less than 3 and 6 months of capacity and of a current deficit, then the median months). Months are shaded by warning band: blue excess (> {} months), green high or reasonable, orange insufficient (< {} months), red serious (< {} months); probabilities are shaded deeper as they rise (> 5 %, > 20 %, > 50 %). {} paths.",
                lang.number(risk.excess, 0),
                lang.number(risk.reasonable, 0),
                lang.number(risk.insufficient, 0),
                ov.paths
            ),
        })
    ));
    o
}

/// The overview as a table for the workbook: rank, fund (display name), the last year's and the
/// worst year's measures, and the years by which 5 % and 50 % have run dry (the total last,
/// without a rank).
pub fn overview_table(ov: &Overview, names: &DisplayNames, lang: Lang) -> Table {
    let funds: Vec<(Option<usize>, &FundRisk)> = ov
        .ranked
        .iter()
        .enumerate()
        .map(|(i, f)| (Some(i + 1), f))
        .chain(ov.total.iter().map(|t| (None, t)))
        .collect();
    let by = |k: usize| -> Vec<String> {
        funds
            .iter()
            .map(|(_, f)| {
                f.exhausted_by[k]
                    .map_or_else(|| lang.t("never_in_horizon").to_string(), |y| y.to_string())
            })
            .collect()
    };
    let mut t = Table::default();
    t.str(
        "rank",
        funds
            .iter()
            .map(|(r, _)| r.map_or_else(String::new, |r| r.to_string()))
            .collect(),
    );
    t.str(
        "fund_name",
        funds
            .iter()
            .map(|(_, f)| names.entity(f.entity, lang).to_string())
            .collect(),
    );
    for (prefix, pick) in [
        ("", (|f: &FundRisk| f.last) as fn(&FundRisk) -> YearRisk),
        ("worst_", |f: &FundRisk| f.worst),
    ] {
        let rows: Vec<YearRisk> = funds.iter().map(|(_, f)| pick(f)).collect();
        t.int(
            &format!("{}year", if prefix.is_empty() { "last_" } else { prefix }),
            rows.iter().map(|r| i64::from(r.year)).collect(),
        );
        t.f64(
            &format!("{prefix}months_p50"),
            rows.iter().map(|r| r.months_p50).collect(),
        );
        t.f64(
            &format!("{prefix}p_deficit"),
            rows.iter().map(|r| r.p_deficit).collect(),
        );
        t.f64(
            &format!("{prefix}p_months_lt_6"),
            rows.iter().map(|r| r.p_months_lt_6).collect(),
        );
        t.f64(
            &format!("{prefix}p_months_lt_3"),
            rows.iter().map(|r| r.p_months_lt_3).collect(),
        );
        t.f64(
            &format!("{prefix}p_exhausted"),
            rows.iter().map(|r| r.p_exhausted).collect(),
        );
    }
    t.str("exhausted_5_by", by(0));
    t.str("exhausted_50_by", by(1));
    t.str(
        "opening_position",
        funds
            .iter()
            .map(|(_, f)| {
                lang.t(if f.opening_assumed {
                    "position_assumed"
                } else {
                    "position_published"
                })
                .to_string()
            })
            .collect(),
    );
    t
}

/// Median year-end months of capacity as a units × years table (funds in rank order, the total
/// last), for the workbook.
pub fn months_table(sim: &Simulation, ov: &Overview, names: &DisplayNames, lang: Lang) -> Table {
    let l = &sim.layout;
    let funds: Vec<&FundRisk> = ov.ranked.iter().chain(ov.total.iter()).collect();
    let mut t = Table::default();
    t.str(
        "fund_name",
        funds
            .iter()
            .map(|f| names.entity(f.entity, lang).to_string())
            .collect(),
    );
    for y in 0..l.n_years {
        t.f64(
            &(l.first_year + y as i32).to_string(),
            funds
                .iter()
                .map(|f| f.years.get(y).map_or(f64::NAN, |r| r.months_p50))
                .collect(),
        );
    }
    t
}

/// Columns a terminal shows text in: two for a CJK character, one for others.
fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| if c as u32 >= 0x2E80 { 2 } else { 1 })
        .sum()
}

/// `s` padded with spaces to `width` terminal columns (left- or right-aligned).
fn pad(s: &str, width: usize, right: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(display_width(s)));
    if right {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}

/// The overview's first `rows` funds as an aligned plain-text table for the terminal.
pub fn terminal_text(ov: &Overview, names: &DisplayNames, rows: usize, lang: Lang) -> String {
    let head: Vec<&str> = [
        "ov_fund",
        "term_months",
        "term_p6",
        "term_p3",
        "term_exhausted",
        "term_by_5",
    ]
    .iter()
    .map(|k| lang.t(k))
    .collect();
    let mut table: Vec<Vec<String>> = vec![head.iter().map(|h| h.to_string()).collect()];
    for f in ov.ranked.iter().take(rows) {
        table.push(vec![
            names.entity(f.entity, lang).to_string()
                + if f.opening_assumed { ASSUMED_MARK } else { "" },
            months_text(f.last.months_p50, lang),
            format!("{}%", pct(f.last.p_months_lt_6, lang)),
            format!("{}%", pct(f.last.p_months_lt_3, lang)),
            format!("{}%", pct(f.last.p_exhausted, lang)),
            f.exhausted_by[0]
                .map_or_else(|| lang.t("never_in_horizon").to_string(), |y| y.to_string()),
        ]);
    }
    let widths: Vec<usize> = (0..head.len())
        .map(|c| {
            table
                .iter()
                .map(|r| display_width(&r[c]))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let last_year = ov.ranked.iter().map(|f| f.last.year).max().unwrap_or(0);
    let mut o = match lang {
        Lang::Zh => format!("{last_year}年末各基金风险（按风险排序；穿底 = 累计结余为负）：\n"),
        Lang::En => {
            format!("Funds by risk at the end of {last_year} (run dry = a negative balance):\n")
        }
    };
    for row in &table {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (x, &w))| pad(x, w, c > 0))
            .collect();
        o.push_str(&format!("  {}\n", cells.join("  ")));
    }
    if ov.ranked.iter().take(rows).any(|f| f.opening_assumed) {
        o.push_str(&format!("  {ASSUMED_MARK} {}\n", lang.t("ov_assumed_note")));
    }
    if ov.ranked.len() > rows {
        o.push_str(&match lang {
            Lang::Zh => format!("  ……共{}个基金，全表见 report.html\n", ov.ranked.len()),
            Lang::En => format!(
                "  … {} funds in all; the whole table is in report.html\n",
                ov.ranked.len()
            ),
        });
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_columns_count_cjk_twice() {
        assert_eq!(display_width("济南市"), 6);
        assert_eq!(display_width("P(<6)"), 5);
        assert_eq!(pad("济南", 6, false), "济南  ");
        assert_eq!(pad("1.0", 5, true), "  1.0");
    }
}
