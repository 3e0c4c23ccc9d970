//! `report.html`: one self-contained page (inline SVG and CSS, no scripts, nothing fetched)
//! with the headline, the charts, the assumptions and the run's metadata.

use super::charts;
use super::columns::{Kind, heading, kind, value_text};
use super::lang::Lang;
use super::table::{Table, Values};
use crate::engine::FundKind;
use crate::error::Result;
use crate::risk::Simulation;
use crate::scenario::{DriverSpec, Scenario};
use crate::study::{Measure, probability};

/// A fund name as part of a file name.
pub fn slug(name: &str) -> String {
    name.replace(['.', ' ', '/'], "_")
}

pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The entity the headline speaks of: the one pooled fund (or city fund) if there is only one,
/// otherwise the total of all funds.
pub fn headline_entity(sim: &Simulation) -> usize {
    let l = &sim.layout;
    let main: Vec<usize> = (0..l.n_entities())
        .filter(|&e| matches!(l.kinds[e], Some(FundKind::Pooled | FundKind::City)))
        .collect();
    match (main.as_slice(), l.has_total) {
        ([one], _) => *one,
        (_, true) => l.n_entities() - 1,
        _ => 0,
    }
}

/// How the headline names its fund.
fn fund_label(sim: &Simulation, e: usize, lang: Lang) -> String {
    let name = &sim.layout.names[e];
    if sim.layout.kinds[e].is_none() {
        fund_name(name, lang)
    } else {
        name.clone()
    }
}

/// A fund's name in a report: the total of all funds (`all`) in words, others as named.
pub fn fund_name(name: &str, lang: Lang) -> String {
    if name == "all" {
        lang.t("all_funds").to_string()
    } else {
        name.to_string()
    }
}

/// The headline numbers: (last year, P(months<6) and its se, P(exhausted within the horizon),
/// the median first year of exhaustion if at least half the paths run dry).
pub fn headline_numbers(sim: &Simulation) -> (i32, f64, f64, f64, Option<i32>) {
    let e = headline_entity(sim);
    let l = &sim.layout;
    let y = l.last_year[e];
    let (p, se) = probability(sim, Measure::MonthsBelow(6.0), e, y);
    let ny = l.n_years;
    let counts: Vec<u64> = (0..=ny)
        .map(|k| sim.acc.n_first_exhaustion[e * (ny + 1) + k])
        .collect();
    let n = sim.paths() as f64;
    let ever = counts[..ny].iter().sum::<u64>() as f64 / n;
    let mut cum = 0u64;
    let mut median = None;
    for (k, c) in counts[..ny].iter().enumerate() {
        cum += c;
        if cum as f64 >= n / 2.0 {
            median = Some(l.first_year + k as i32);
            break;
        }
    }
    (l.first_year + y as i32, p, se, ever, median)
}

fn headline(sim: &Simulation, lang: Lang) -> String {
    let (year, p, se, ever, median) = headline_numbers(sim);
    let name = fund_label(sim, headline_entity(sim), lang);
    let pct = |x: f64| lang.number(x * 100.0, 1);
    match lang {
        Lang::Zh => {
            let tail = match median {
                Some(m) => format!("累计结余首次出现赤字的年份中位数为{m}年。"),
                None => format!("预测期内累计结余出现赤字的概率为{}%。", pct(ever)),
            };
            format!(
                "在现行费率下，{year}年末{name}统筹基金可支付月数低于6个月的概率为{}%（±{}%）；{tail}",
                pct(p),
                pct(se)
            )
        }
        Lang::En => {
            let tail = match median {
                Some(m) => format!(
                    "the median year in which its accumulated balance first turns negative is {m}."
                ),
                None => format!(
                    "the probability that its accumulated balance turns negative within the horizon is {} %.",
                    pct(ever)
                ),
            };
            format!(
                "At current rates, the probability that the pooled fund {name} ends {year} with less than 6 months of payment capacity is {} % (±{} %); {tail}",
                pct(p),
                pct(se)
            )
        }
    }
}

/// The scenario's title in the report's language (its Chinese title, or its name).
pub fn scenario_title(s: &Scenario, lang: Lang) -> String {
    match lang {
        Lang::Zh if !s.spec.title.is_empty() => s.spec.title.clone(),
        _ => s.spec.name.clone(),
    }
}

/// A report page's parts.
pub struct Page<'a> {
    pub lang: Lang,
    pub title: String,
    /// The headline sentence, plain text.
    pub headline: String,
    /// Charts as (file name, SVG), inlined in order.
    pub svgs: &'a [(String, String)],
    /// Further sections after the charts: (heading, HTML).
    pub sections: Vec<(String, String)>,
    /// The run's metadata, shown as a table last.
    pub meta: &'a serde_json::Value,
}

/// One self-contained HTML page: title, headline, charts, sections, metadata.
pub fn page(p: &Page) -> String {
    let lang = p.lang;
    let mut html = format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>",
        if lang == Lang::Zh { "zh-CN" } else { "en" },
        esc(&p.title)
    );
    html.push_str(&format!(
        "<h1>{}</h1><h2>{}</h2><p class=\"headline\" id=\"headline\">{}</p><h2>{}</h2>",
        esc(&p.title),
        lang.t("headline"),
        esc(&p.headline),
        lang.t("charts")
    ));
    for (name, svg) in p.svgs {
        html.push_str(&format!("<figure id=\"{}\">{svg}</figure>", esc(name)));
    }
    for (heading, body) in &p.sections {
        html.push_str(&format!("<h2>{}</h2>{body}", esc(heading)));
    }
    html.push_str(&format!("<h2>{}</h2><table>", lang.t("metadata")));
    if let Some(obj) = p.meta.as_object() {
        for (k, v) in obj {
            if k == "files" || k == "scenario_title" {
                continue;
            }
            html.push_str(&format!(
                "<tr><td>{}</td><td>{}</td></tr>",
                esc(k),
                esc(v.to_string().trim_matches('"'))
            ));
        }
    }
    html.push_str("</table></body></html>\n");
    html
}

/// A table as HTML with headings and values in the report's language: shares as percentages,
/// money in 亿元 (yuan millions in English), thousands separators. `columns`: the columns to
/// show (all if None).
pub fn table_html(t: &Table, columns: Option<&[&str]>, lang: Lang) -> String {
    let shown: Vec<&(String, Values)> = t
        .columns
        .iter()
        .filter(|(n, _)| columns.is_none_or(|c| c.contains(&n.as_str())))
        .collect();
    let money_heading = |h: String| match lang {
        Lang::Zh => h.replace("（元）", "（亿元）"),
        Lang::En => h.replace("(yuan)", "(yuan, millions)"),
    };
    let mut o = String::from("<table class=\"data\"><tr>");
    for (name, _) in &shown {
        let h = heading(name, lang);
        let h = if kind(name) == Kind::Money {
            money_heading(h)
        } else {
            h
        };
        o.push_str(&format!("<th>{}</th>", esc(&h)));
    }
    o.push_str("</tr>");
    for r in 0..t.n_rows() {
        o.push_str("<tr>");
        for (name, v) in &shown {
            let cell = match v {
                Values::Str(x) => esc(&value_text(&x[r], lang)),
                Values::Int(x) => x[r].to_string(),
                Values::F64(x) => {
                    let x = x[r];
                    if x.is_nan() {
                        String::new()
                    } else {
                        match kind(name) {
                            Kind::Share => format!("{}%", lang.number(x * 100.0, 2)),
                            Kind::Integer => lang.number(x, 0),
                            Kind::Months => lang.number(x, 2),
                            Kind::Money => lang.number(x / lang.money_unit(), 2),
                            Kind::Quantity => lang.number(x, 1),
                        }
                    }
                }
            };
            let align = if matches!(v, Values::Str(_)) {
                ""
            } else {
                " class=\"n\""
            };
            o.push_str(&format!("<td{align}>{cell}</td>"));
        }
        o.push_str("</tr>");
    }
    o.push_str("</table>");
    o
}

/// Rows (parameter, value, source) of a serialised specification: dated entries become one
/// row per entry with the entry's source; nested tables extend the parameter's path.
fn spec_rows(
    v: &serde_json::Value,
    path: &str,
    source: &str,
    lang: Lang,
    out: &mut Vec<[String; 3]>,
) {
    use serde_json::Value;
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match v {
        Value::Null => {}
        Value::Object(m) if m.contains_key("from") && m.contains_key("value") => {
            let from = m["from"].as_str().unwrap_or_default();
            let src = m.get("source").and_then(Value::as_str).unwrap_or(source);
            spec_rows(&m["value"], &format!("{path} ({from})"), src, lang, out);
        }
        Value::Object(m) => {
            for (k, x) in m {
                spec_rows(x, &join(k), source, lang, out);
            }
        }
        Value::Array(xs) if xs.iter().all(|x| !x.is_object() && !x.is_array()) => {
            let cells: Vec<String> = xs.iter().map(|x| scalar(x, lang)).collect();
            out.push([path.to_string(), cells.join(", "), source.to_string()]);
        }
        Value::Array(xs) => {
            let dated = xs.iter().all(|x| x.get("from").is_some());
            for (i, x) in xs.iter().enumerate() {
                let p = if dated {
                    path.to_string()
                } else {
                    format!("{path}[{i}]")
                };
                spec_rows(x, &p, source, lang, out);
            }
        }
        x => out.push([path.to_string(), scalar(x, lang), source.to_string()]),
    }
}

fn scalar(v: &serde_json::Value, lang: Lang) -> String {
    match v {
        serde_json::Value::Bool(b) => lang.t(if *b { "yes" } else { "no" }).to_string(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => lang.number(x, 0),
            // As many decimals as the shortest exact form has.
            Some(x) => {
                let decimals = format!("{x}").split_once('.').map_or(0, |(_, f)| f.len());
                lang.number(x, decimals)
            }
            None => n.to_string(),
        },
        other => other.to_string(),
    }
}

/// A parameter table of a serialised specification.
fn spec_table(v: &serde_json::Value, lang: Lang) -> String {
    let mut rows = Vec::new();
    spec_rows(v, "", "", lang, &mut rows);
    let mut o = format!(
        "<table><tr><th>{}</th><th>{}</th><th>{}</th></tr>",
        lang.t("parameter"),
        lang.t("value"),
        lang.t("source")
    );
    for [p, v, src] in rows {
        o.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&p),
            esc(&v),
            esc(&src)
        ));
    }
    o.push_str("</table>");
    o
}

/// The assumptions table: every driver's mean, volatility and source, and each unit's policy
/// numbers with their sources.
pub fn assumptions(s: &Scenario, lang: Lang) -> String {
    let e = &s.spec.economy;
    let mut o = format!(
        "<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        lang.t("driver"),
        lang.t("mean"),
        lang.t("volatility"),
        lang.t("persistence"),
        lang.t("source")
    );
    let drivers: [(&str, &DriverSpec); 6] = [
        ("wage_growth", &e.wage_growth),
        ("medical_price_growth", &e.medical_price_growth),
        ("utilisation_growth", &e.utilisation_growth),
        ("employment_growth", &e.employment_growth),
        ("collection_rate", &e.collection_rate),
        ("interest_rate", &e.interest_rate),
    ];
    for (name, d) in drivers {
        o.push_str(&format!(
            "<tr><td>{name}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            lang.number(d.mean.at(s.spec.start), 4),
            lang.number(d.volatility, 4),
            lang.number(d.persistence, 2),
            esc(d.source.as_deref().unwrap_or(""))
        ));
    }
    o.push_str("</table>");
    // Every policy number of each unit, with its source; units with the same policy share
    // one table.
    let mut groups: Vec<(Vec<&str>, serde_json::Value)> = Vec::new();
    for u in &s.units {
        let v = serde_json::to_value(&u.policy).unwrap_or_default();
        match groups.iter_mut().find(|(_, g)| *g == v) {
            Some((names, _)) => names.push(&u.spec.name),
            None => groups.push((vec![&u.spec.name], v)),
        }
    }
    for (names, v) in &groups {
        o.push_str(&format!(
            "<h3>{} — {}</h3>",
            lang.t("policy"),
            esc(&names.join(", "))
        ));
        o.push_str(&spec_table(v, lang));
    }
    if s.spec.pooling.kind != crate::scenario::PoolingKind::Single {
        o.push_str(&format!("<h3>{}</h3>", lang.t("pooling_rule")));
        o.push_str(&spec_table(
            &serde_json::to_value(&s.spec.pooling).unwrap_or_default(),
            lang,
        ));
    }
    o
}

const STYLE: &str = "body{font-family:sans-serif;max-width:820px;margin:2em auto;color:#222}\
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc}\
.headline{background:#f3f6fa;border-left:4px solid #2166ac;padding:.8em 1em;font-size:1.05em}\
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}td,th{border:1px solid #ddd;padding:3px 6px;text-align:left}\
figure{margin:1em 0}figure svg{max-width:100%;height:auto}td.n{text-align:right}\
table.data{display:block;overflow-x:auto;max-width:100%}";

/// The report page and its charts as (file name, SVG).
pub fn run_report(
    s: &Scenario,
    sim: &Simulation,
    lang: Lang,
    meta: &serde_json::Value,
    ledger: &[crate::report::LedgerRow],
) -> Result<(String, Vec<(String, String)>)> {
    let mut svgs = Vec::new();
    let l = &sim.layout;
    let kinds = &l.kinds;
    for e in 0..l.n_entities() {
        let slug = slug(&l.names[e]);
        match kinds[e] {
            Some(FundKind::Maternity) => continue,
            Some(FundKind::Adjustment) => {}
            _ => svgs.push((
                format!("months_{slug}.svg"),
                charts::months_fan(sim, e, &s.spec.risk, lang)?,
            )),
        }
        svgs.push((
            format!("balance_{slug}.svg"),
            charts::balance_fan(sim, e, lang)?,
        ));
    }
    let he = headline_entity(sim);
    let slug = slug(&l.names[he]);
    // Income and spending by line of every fund that is not a pool of other funds' money.
    let funds: Vec<&str> = (0..l.n_entities())
        .filter(|&e| !matches!(l.kinds[e], None | Some(FundKind::Adjustment)))
        .map(|e| l.names[e].as_str())
        .collect();
    svgs.push((
        "lines.svg".to_string(),
        charts::lines_stacked(ledger, &funds, lang.t("lines_title"), lang)?,
    ));
    let units: Vec<&str> = s.units.iter().map(|u| u.spec.name.as_str()).collect();
    let pooled: Vec<&str> = (0..l.n_entities())
        .filter(|&e| matches!(l.kinds[e], Some(FundKind::Pooled | FundKind::City)))
        .map(|e| l.names[e].as_str())
        .chain(units.iter().copied())
        .collect();
    if s.units.iter().any(|u| u.policy.maternity.is_some()) {
        svgs.push((
            "births.svg".to_string(),
            charts::births_and_maternity(ledger, &pooled, lang)?,
        ));
    }
    svgs.push((
        "dependency.svg".to_string(),
        charts::dependency(ledger, &pooled, lang)?,
    ));
    let main: Vec<usize> = (0..l.n_entities())
        .filter(|&e| matches!(l.kinds[e], Some(FundKind::Pooled)))
        .collect();
    if main.len() > 1 {
        svgs.push((
            "heat_map.svg".to_string(),
            charts::risk_heat_map(sim, &main, lang)?,
        ));
    }
    if l.has_settlements {
        let city = s.spec.pooling.kind == crate::scenario::PoolingKind::CityUnified;
        svgs.push((
            "pooling.svg".to_string(),
            charts::pooling_flows(sim, city, lang)?,
        ));
    }
    svgs.push((
        format!("exhaustion_{slug}.svg"),
        charts::exhaustion_bars(sim, he, lang)?,
    ));
    let title = scenario_title(s, lang);
    let html = page(&Page {
        lang,
        title: format!("{}: {}", lang.t("report_title"), title),
        headline: headline(sim, lang),
        svgs: &svgs,
        sections: vec![(lang.t("assumptions").to_string(), assumptions(s, lang))],
        meta,
    });
    Ok((html, svgs))
}
