//! `report.html`: one self-contained page (inline SVG and CSS, no scripts, nothing fetched)
//! with the headline, the charts, the assumptions and the run's metadata.

use super::charts;
use super::columns::{Kind, heading, kind, value_text};
use super::lang::Lang;
use super::names::DisplayNames;
use super::overview::{self, Overview};
use super::table::{Table, Values};
use crate::engine::FundKind;
use crate::error::Result;
use crate::risk::Simulation;
use crate::scenario::{DriverSpec, Scenario};

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

/// A fund's name in a report: the total of all funds (`all`) in words, others as named.
pub fn fund_name(name: &str, lang: Lang) -> String {
    if name == "all" {
        lang.t("all_funds").to_string()
    } else {
        name.to_string()
    }
}

/// The scenario's title in the report's language (its Chinese title, or its name).
pub fn scenario_title(s: &Scenario, lang: Lang) -> String {
    match lang {
        Lang::Zh if !s.spec.title.is_empty() => s.spec.title.clone(),
        Lang::En if !s.spec.title_en.is_empty() => s.spec.title_en.clone(),
        _ => s.spec.name.clone(),
    }
}

/// A report page's parts.
pub struct Page<'a> {
    pub lang: Lang,
    pub title: String,
    /// A line under the title: the scenario, the run's date, paths and seed (plain text).
    pub subtitle: String,
    /// HTML before the headline (a run's overview table).
    pub lead: String,
    /// The headline sentences, plain text.
    pub headline: Vec<String>,
    /// Charts as (file name, SVG), inlined in order.
    pub svgs: &'a [(String, String)],
    /// HTML between the headline and the charts (a table the headline refers to).
    pub after_headline: String,
    /// Further sections after the charts: (heading, HTML).
    pub sections: Vec<(String, String)>,
    /// The run's metadata, shown as a table last.
    pub meta: &'a serde_json::Value,
}

/// One self-contained HTML page: title, overview, headline, charts, sections, metadata.
pub fn page(p: &Page) -> String {
    let lang = p.lang;
    let mut html = format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>",
        if lang == Lang::Zh { "zh-CN" } else { "en" },
        esc(&p.title)
    );
    html.push_str(&format!("<h1>{}</h1>", esc(&p.title)));
    if !p.subtitle.is_empty() {
        html.push_str(&format!("<p class=\"subtitle\">{}</p>", esc(&p.subtitle)));
    }
    if !p.lead.is_empty() {
        html.push_str(&format!(
            "<h2>{}</h2><section class=\"lead\">{}</section>",
            lang.t("overview"),
            p.lead
        ));
    }
    html.push_str(&format!(
        "<h2>{}</h2><div class=\"headline\" id=\"headline\">",
        lang.t("headline")
    ));
    for sentence in &p.headline {
        html.push_str(&format!("<p>{}</p>", esc(sentence)));
    }
    html.push_str("</div>");
    html.push_str(&p.after_headline);
    html.push_str(&format!("<h2>{}</h2>", lang.t("charts")));
    for (name, svg) in p.svgs {
        html.push_str(&format!("<figure id=\"{}\">{svg}</figure>", esc(name)));
    }
    for (heading, body) in &p.sections {
        html.push_str(&format!("<h2>{}</h2>{body}", esc(heading)));
    }
    html.push_str(&format!(
        "<h2>{}</h2>{}</body></html>\n",
        lang.t("metadata"),
        meta_table(p.meta, lang)
    ));
    html
}

/// The run's metadata as a table in the report's language: labelled keys, times and memory in
/// readable units; the list of files and the title (shown above) left out.
pub fn meta_table(meta: &serde_json::Value, lang: Lang) -> String {
    use serde_json::Value;
    let mut o = String::from("<table class=\"meta\">");
    if let Some(obj) = meta.as_object() {
        for (k, v) in obj {
            if matches!(k.as_str(), "files" | "scenario_title" | "scenario_title_en") {
                continue;
            }
            let label = lang.t(&format!("meta_{k}"));
            let label = if label == "??" { k.as_str() } else { label };
            let value = match (k.as_str(), v) {
                ("wall_seconds", Value::Number(n)) => {
                    lang.number(n.as_f64().unwrap_or(f64::NAN), 1)
                }
                ("peak_memory_bytes", Value::Number(n)) => {
                    lang.number(n.as_f64().unwrap_or(f64::NAN) / 1_048_576.0, 0)
                }
                ("lang", Value::String(l)) => lang
                    .t(if l == "zh" { "lang_zh" } else { "lang_en" })
                    .to_string(),
                (_, Value::Bool(b)) => lang.t(if *b { "yes" } else { "no" }).to_string(),
                (_, Value::String(x)) => x.clone(),
                (_, Value::Null) => "—".into(),
                (_, Value::Array(xs)) => xs
                    .iter()
                    .map(|x| x.to_string().trim_matches('"').to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                (_, x) => x.to_string(),
            };
            o.push_str(&format!(
                "<tr><td>{}</td><td>{}</td></tr>",
                esc(label),
                esc(&value)
            ));
        }
    }
    o.push_str("</table>");
    o
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
                            // Years and counts of paths: no thousands separators.
                            Kind::Integer => format!("{x:.0}"),
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

/// A parameter's label in the report's language (the key itself if the dictionary has none;
/// a test keeps every bundled scenario's keys labelled).
pub fn param_label(key: &str, lang: Lang) -> String {
    match lang.t(&format!("param_{key}")) {
        "??" => key.to_string(),
        l => l.to_string(),
    }
}

/// A text value in the report's language: a scenario's word (`whole_gap`, `lump_sum`, …) by
/// the dictionary, the marker ASSUMPTION as 假设 in Chinese, other text unchanged.
fn text_value(s: &str, lang: Lang) -> String {
    match lang.t(&format!("value_{s}")) {
        "??" => match lang {
            Lang::Zh => s.replace("ASSUMPTION", "假设"),
            Lang::En => s.to_string(),
        },
        l => l.to_string(),
    }
}

/// Rows (parameter, value, source) of a serialised specification: dated entries become one
/// row per entry with the entry's source; nested tables extend the parameter's path (labels
/// joined by ›). Fields that name things (identifiers, display names) are left out.
fn spec_rows(
    v: &serde_json::Value,
    path: &str,
    source: &str,
    lang: Lang,
    out: &mut Vec<[String; 3]>,
) {
    use serde_json::Value;
    match v {
        Value::Null => {}
        Value::Object(m) if m.contains_key("from") && m.contains_key("value") => {
            let from = m["from"].as_str().unwrap_or_default();
            let src = m.get("source").and_then(Value::as_str).unwrap_or(source);
            let dated = lang.fill("dated_from", &[path, from]);
            spec_rows(&m["value"], &dated, src, lang, out);
        }
        Value::Object(m) => {
            let src = m.get("source").and_then(Value::as_str).unwrap_or(source);
            // A named entry (a tier, a hospital level) is labelled by its name.
            let here = match m.get("name").and_then(Value::as_str) {
                Some(n) if !path.is_empty() => format!("{path} › {}", text_value(n, lang)),
                _ => path.to_string(),
            };
            for (k, x) in m {
                if matches!(
                    k.as_str(),
                    "source" | "name" | "fund_name" | "fund_title" | "fund_title_en"
                ) {
                    continue;
                }
                let label = param_label(k, lang);
                let p = if here.is_empty() {
                    label
                } else {
                    format!("{here} › {label}")
                };
                spec_rows(x, &p, src, lang, out);
            }
        }
        Value::Array(xs) if xs.iter().all(|x| !x.is_object() && !x.is_array()) => {
            let cells: Vec<String> = xs.iter().map(|x| scalar(x, path, lang)).collect();
            out.push([
                path.to_string(),
                cells.join(", "),
                super::sources::source_text(source, lang),
            ]);
        }
        Value::Array(xs) if xs.iter().all(|x| x.is_array()) => {
            // Pairs such as [upper age, yuan] or [months, factor]: one cell.
            let cells: Vec<String> = xs
                .iter()
                .map(|x| {
                    let inner: Vec<String> = x
                        .as_array()
                        .map(|ys| ys.iter().map(|y| scalar(y, path, lang)).collect())
                        .unwrap_or_default();
                    format!("({})", inner.join(", "))
                })
                .collect();
            out.push([
                path.to_string(),
                cells.join(" "),
                super::sources::source_text(source, lang),
            ]);
        }
        Value::Array(xs) => {
            let dated = xs.iter().all(|x| x.get("from").is_some());
            for (i, x) in xs.iter().enumerate() {
                let named = x.get("name").is_some();
                let p = if dated || named {
                    path.to_string()
                } else {
                    format!("{path} #{}", i + 1)
                };
                spec_rows(x, &p, source, lang, out);
            }
        }
        x => out.push([
            path.to_string(),
            scalar(x, path, lang),
            super::sources::source_text(source, lang),
        ]),
    }
}

/// A value in the report's language: yes/no, words by the dictionary, numbers with as many
/// decimals as they have (years and months as written, without thousands separators).
fn scalar(v: &serde_json::Value, path: &str, lang: Lang) -> String {
    match v {
        serde_json::Value::Bool(b) => lang.t(if *b { "yes" } else { "no" }).to_string(),
        serde_json::Value::String(s) => text_value(s, lang),
        serde_json::Value::Number(n) => match n.as_f64() {
            // A year (price_year and the like) is written as a year.
            Some(x)
                if x.fract() == 0.0 && (1900.0..=2200.0).contains(&x) && is_year(path, lang) =>
            {
                format!("{x:.0}")
            }
            Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => lang.number(x, 0),
            // As many decimals as the shortest exact form has.
            Some(x) => {
                let decimals = format!("{x}").split_once('.').map_or(0, |(_, f)| f.len());
                lang.number(x, decimals)
            }
            None => n.to_string(),
        },
        // serde_json writes a non-finite number as null: an open top tier's `inf`.
        serde_json::Value::Null => "∞".into(),
        other => other.to_string(),
    }
}

/// Whether a parameter's label names a year.
fn is_year(path: &str, lang: Lang) -> bool {
    let label = param_label("price_year", lang);
    path.ends_with(&label) || path.contains("year") || path.contains('年')
}

/// Every parameter of a scenario as (label path, value): the start and horizon, the drivers,
/// the risk bands, the pooling rule (its kind's fields) and each unit's policy under the unit's
/// display name.
fn parameter_values(s: &Scenario, lang: Lang) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    let mut put = |label: &str, v: serde_json::Value| {
        let mut r = Vec::new();
        spec_rows(&v, label, "", lang, &mut r);
        rows.extend(r.into_iter().map(|[p, v, _]| (p, v)));
    };
    put(
        lang.t("param_start"),
        serde_json::json!(s.spec.start.to_string()),
    );
    put(
        lang.t("param_horizon_months"),
        serde_json::json!(s.spec.horizon_months),
    );
    let mut economy = serde_json::to_value(&s.spec.economy).unwrap_or_default();
    if let Some(m) = economy.as_object_mut() {
        m.retain(|k, _| k != "correlation" && k != "source");
        for d in m.values_mut().filter_map(|d| d.as_object_mut()) {
            d.remove("source");
        }
    }
    put(lang.t("driver"), economy);
    put(
        lang.t("param_risk"),
        serde_json::to_value(&s.spec.risk).unwrap_or_default(),
    );
    let kind = s.spec.pooling.kind;
    let mut pooling = serde_json::to_value(&s.spec.pooling).unwrap_or_default();
    if let Some(m) = pooling.as_object_mut() {
        m.retain(|k, _| k == "kind" || kind.fields().contains(&k.as_str()));
    }
    put(lang.t("param_pooling"), pooling);
    for u in &s.units {
        let title = match lang {
            Lang::Zh if !u.spec.title.is_empty() => &u.spec.title,
            Lang::En if !u.spec.title_en.is_empty() => &u.spec.title_en,
            _ => &u.spec.name,
        };
        put(title, serde_json::to_value(&u.policy).unwrap_or_default());
    }
    rows
}

/// The parameters that differ between scenarios `a` and `b`: a table of (parameter, a's value,
/// b's value), or a sentence that they are the same.
pub fn differences_table(a: &Scenario, b: &Scenario, lang: Lang) -> String {
    use std::collections::BTreeMap;
    let va: BTreeMap<String, String> = parameter_values(a, lang).into_iter().collect();
    let vb: BTreeMap<String, String> = parameter_values(b, lang).into_iter().collect();
    let mut keys: Vec<&String> = va.keys().chain(vb.keys()).collect();
    keys.sort();
    keys.dedup();
    let differing: Vec<&String> = keys
        .into_iter()
        .filter(|k| va.get(*k) != vb.get(*k))
        .collect();
    if differing.is_empty() {
        return format!("<p>{}</p>", lang.t("no_differences"));
    }
    let mut o = format!(
        "<table class=\"data differences\"><tr><th>{}</th><th>{}</th><th>{}</th></tr>",
        lang.t("parameter"),
        esc(&scenario_title(a, lang)),
        esc(&scenario_title(b, lang))
    );
    for k in differing {
        let cell = |m: &BTreeMap<String, String>| m.get(k).cloned().unwrap_or_else(|| "—".into());
        o.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(k),
            esc(&cell(&va)),
            esc(&cell(&vb))
        ));
    }
    o.push_str("</table>");
    o
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
    // Changes made outside the file come first: a reader must see them.
    let mut o = String::new();
    if !s.overrides.is_empty() {
        o.push_str(&format!(
            "<h3>{}</h3><table class=\"overrides\">",
            lang.t("overrides_title")
        ));
        for text in &s.overrides {
            o.push_str(&format!("<tr><td><code>{}</code></td></tr>", esc(text)));
        }
        o.push_str("</table>");
    }
    o.push_str(&format!(
        "<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        lang.t("driver"),
        lang.t("mean"),
        lang.t("volatility"),
        lang.t("persistence"),
        lang.t("mean_uncertainty"),
        lang.t("mean_drift"),
        lang.t("source")
    ));
    let drivers: [(&str, &DriverSpec); 7] = [
        ("wage_growth", &e.wage_growth),
        ("medical_price_growth", &e.medical_price_growth),
        ("utilisation_growth", &e.utilisation_growth),
        ("employment_growth", &e.employment_growth),
        ("collection_rate", &e.collection_rate),
        ("interest_rate", &e.interest_rate),
        ("retirement_take_up", &e.retirement_take_up),
    ];
    for (name, d) in drivers {
        o.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            lang.t(&format!("driver_{name}")),
            lang.number(d.mean.at(s.spec.start), 4),
            lang.number(d.volatility, 4),
            lang.number(d.persistence, 2),
            lang.number(d.mean_uncertainty, 4),
            lang.number(d.mean_drift, 4),
            esc(&super::sources::source_text(
                d.source.as_deref().unwrap_or(""),
                lang
            ))
        ));
    }
    o.push_str("</table>");
    // Every policy number of each unit, with its source; units with the same policy share
    // one table.
    let mut groups: Vec<(Vec<&str>, serde_json::Value)> = Vec::new();
    for u in &s.units {
        let v = serde_json::to_value(&u.policy).unwrap_or_default();
        let title = match lang {
            Lang::Zh if !u.spec.title.is_empty() => &u.spec.title,
            Lang::En if !u.spec.title_en.is_empty() => &u.spec.title_en,
            _ => &u.spec.name,
        };
        match groups.iter_mut().find(|(_, g)| *g == v) {
            Some((names, _)) => names.push(title),
            None => groups.push((vec![title], v)),
        }
    }
    for (names, v) in &groups {
        o.push_str(&format!(
            "<h3>{} — {}</h3>",
            lang.t("policy"),
            esc(&names.join(if lang == Lang::Zh { "、" } else { ", " }))
        ));
        o.push_str(&spec_table(v, lang));
    }
    let kind = s.spec.pooling.kind;
    if kind != crate::scenario::PoolingKind::Single {
        o.push_str(&format!("<h3>{}</h3>", lang.t("pooling_rule")));
        // Only the fields the scenario's own pooling kind reads.
        let mut v = serde_json::to_value(&s.spec.pooling).unwrap_or_default();
        if let Some(m) = v.as_object_mut() {
            m.retain(|k, _| k == "kind" || k == "source" || kind.fields().contains(&k.as_str()));
        }
        o.push_str(&spec_table(&v, lang));
    }
    o
}

const STYLE: &str = "body{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}\
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc}\
.subtitle{color:#555}.lead{overflow-x:auto}\
.headline{background:#f3f6fa;border-left:4px solid #2166ac;padding:.2em 1em;font-size:1.05em}\
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}td,th{border:1px solid #ddd;padding:3px 6px;text-align:left}\
th{background:#f0f0f0;vertical-align:bottom}\
figure{margin:1em 0}figure svg{max-width:100%;height:auto}td.n{text-align:right;white-space:nowrap}\
table.overview{font-size:.8em}table.overview th{font-weight:600}table.overview td:nth-child(2){white-space:nowrap}\
th{min-width:3em}\
table.data{display:block;overflow-x:auto;max-width:100%}.note{font-size:.85em;color:#444}\
@page{size:A4;margin:14mm}\
@media print{body{max-width:none;margin:0;font-size:10pt}table.overview{font-size:7pt}figure,tr,.headline{break-inside:avoid}\
h2,h3{break-after:avoid}table.data{display:table;overflow:visible}}";

/// The counties of a city-unified fund: over the horizon, each county's mean gap, the mean the
/// city fund bore, the mean, 95th percentile and probability of its treasury's payments, the
/// counties whose treasuries pay most first (money in 万元, or yuan thousands in English).
pub fn county_table(sim: &Simulation, names: &DisplayNames, lang: Lang) -> String {
    let l = &sim.layout;
    let n = sim.paths();
    let scale = match lang {
        Lang::Zh => 1e4,
        Lang::En => 1e3,
    };
    // Items: 3 gap, 4 received, 5 treasury (risk::SETTLEMENT_NAMES).
    let total = |u: usize, item: usize| -> Vec<f64> {
        let mut t = vec![0.0; n];
        for y in 0..l.n_years {
            for (a, x) in t.iter_mut().zip(sim.settlement_values(u, y, item)) {
                *a += x;
            }
        }
        t
    };
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let mut rows: Vec<(usize, f64, f64, f64, f64, f64)> = (0..l.unit_names.len())
        .map(|u| {
            let gap = total(u, 3);
            let received = total(u, 4);
            let mut treasury = total(u, 5);
            let p = treasury.iter().filter(|&&x| x > 0.0).count() as f64 / n.max(1) as f64;
            let m = mean(&treasury);
            treasury.sort_by(f64::total_cmp);
            let p95 = crate::risk::quantile_sorted(&treasury, 0.95);
            (u, mean(&gap), mean(&received), m, p95, p)
        })
        .collect();
    rows.sort_by(|a, b| {
        b.3.total_cmp(&a.3)
            .then(b.1.total_cmp(&a.1))
            .then(a.0.cmp(&b.0))
    });
    let mut o = format!(
        "<table class=\"data\" id=\"counties\"><tr>{}</tr>",
        [
            "county",
            "county_gap",
            "county_city_share",
            "county_treasury_mean",
            "county_treasury_p95",
            "county_treasury_p",
        ]
        .map(|k| format!("<th>{}</th>", lang.t(k)))
        .concat()
    );
    for (u, gap, received, m, p95, p) in rows {
        o.push_str(&format!(
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}%</td></tr>",
            esc(names.of(&l.unit_names[u], lang)),
            lang.number(gap / scale, 0),
            lang.number(received / scale, 0),
            lang.number(m / scale, 0),
            lang.number(p95 / scale, 0),
            lang.number(p * 100.0, 1)
        ));
    }
    o.push_str("</table>");
    o
}

/// The report's notes: months of capacity and its formula, the warning bands and their source,
/// the fan percentiles, year-end points, the 95 % intervals, and what 穿底 means.
pub fn notes(risk: &crate::scenario::RiskSpec, lang: Lang) -> String {
    format!(
        "<ul class=\"notes\">{}</ul>",
        note_items(risk, lang)
            .iter()
            .map(|i| format!("<li>{}</li>", esc(i)))
            .collect::<String>()
    )
}

/// The notes as sentences (for the page and the workbook's About sheet).
pub fn note_items(risk: &crate::scenario::RiskSpec, lang: Lang) -> Vec<String> {
    let n = |x: f64| lang.number(x, 0);
    vec![
        lang.t("note_months").to_string(),
        lang.fill(
            "note_bands",
            &[
                &n(risk.excess),
                &n(risk.high),
                &n(risk.reasonable),
                &n(risk.insufficient),
            ],
        ),
        lang.t("note_deficit").to_string(),
        lang.t("note_fans").to_string(),
        lang.t("note_plus_minus").to_string(),
        lang.t("note_expected_path").to_string(),
    ]
}

/// The line under a run report's title: scenario title, run date, paths and seed.
fn subtitle(s: &Scenario, sim: &Simulation, meta: &serde_json::Value, lang: Lang) -> String {
    let date = meta
        .get("run_date")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    lang.fill(
        "run_subtitle",
        &[
            &scenario_title(s, lang),
            date,
            &sim.paths().to_string(),
            &sim.seed.to_string(),
        ],
    )
}

/// The report page and its charts as (file name, SVG).
///
/// Order: the overview table of every fund ranked by risk, the headline sentences, then (with
/// several funds) the heat maps of P(months < 6) and of the share run dry, the pooling rule's
/// money (and, city-unified, the counties behind it), then each fund's fans in rank order,
/// the lines, births and dependency, the notes, the assumptions and the run's metadata.
#[allow(clippy::too_many_arguments)]
pub fn run_report(
    s: &Scenario,
    sim: &Simulation,
    ov: &Overview,
    names: &DisplayNames,
    lang: Lang,
    meta: &serde_json::Value,
    ledger: &[crate::engine::exact::LedgerRow],
) -> Result<(String, Vec<(String, String)>)> {
    let mut svgs = Vec::new();
    let l = &sim.layout;
    let funds_ranked: Vec<usize> = ov.ranked.iter().map(|f| f.entity).collect();
    let several = ov
        .ranked
        .iter()
        .filter(|f| l.kinds[f.entity] != Some(FundKind::Maternity))
        .count()
        > 1;
    if several {
        let rows: Vec<String> = funds_ranked
            .iter()
            .map(|&e| names.entity(e, lang).to_string())
            .collect();
        // The overview's own figures, by year: P(months < 6) and the share run dry.
        let years: Vec<i32> = (0..l.n_years).map(|y| l.first_year + y as i32).collect();
        let by_year = |pick: &dyn Fn(&overview::FundRisk, usize) -> f64| -> Vec<Vec<f64>> {
            ov.ranked
                .iter()
                .map(|f| {
                    (0..l.n_years)
                        .map(|y| {
                            if y < f.years.len() {
                                pick(f, y)
                            } else {
                                f64::NAN
                            }
                        })
                        .collect()
                })
                .collect()
        };
        svgs.push((
            "heat_map.svg".to_string(),
            charts::heat_map(
                lang.t("heat_title"),
                &rows,
                &years,
                &by_year(&|f, y| f.years[y].p_months_lt_6),
                lang,
            )?,
        ));
        svgs.push((
            "exhaustion_map.svg".to_string(),
            charts::heat_map(
                lang.t("exhaustion_heat_title"),
                &rows,
                &years,
                &by_year(&|f, y| f.run_dry_by[y]),
                lang,
            )?,
        ));
    } else {
        let main = ov.main(sim).entity;
        svgs.push((
            format!("exhaustion_{}.svg", slug(&l.names[main])),
            charts::exhaustion_bars(sim, main, names.entity(main, lang), lang)?,
        ));
    }
    let city = s.spec.pooling.kind == crate::scenario::PoolingKind::CityUnified;
    if l.has_settlements {
        svgs.push((
            "pooling.svg".to_string(),
            charts::pooling_flows(sim, city, lang)?,
        ));
    }
    // Each fund's fans, the riskiest first, the total last.
    let order: Vec<usize> = funds_ranked
        .iter()
        .copied()
        .chain(ov.total.as_ref().map(|t| t.entity))
        .collect();
    for &e in &order {
        let slug = slug(&l.names[e]);
        let name = names.entity(e, lang);
        match l.kinds[e] {
            Some(FundKind::Maternity) => continue,
            Some(FundKind::Adjustment) => {}
            _ => svgs.push((
                format!("months_{slug}.svg"),
                charts::months_fan(sim, e, name, &s.spec.risk, lang)?,
            )),
        }
        svgs.push((
            format!("balance_{slug}.svg"),
            charts::balance_fan(sim, e, name, lang)?,
        ));
    }
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
    let after_headline = if city && l.has_settlements {
        format!(
            "<h3>{}</h3>{}",
            lang.t("counties_title"),
            county_table(sim, names, lang)
        )
    } else {
        String::new()
    };
    let title = scenario_title(s, lang);
    let html = page(&Page {
        lang,
        title: format!("{}: {}", lang.t("report_title"), title),
        subtitle: subtitle(s, sim, meta, lang),
        lead: overview::table_html(ov, names, &s.spec.risk, lang),
        headline: overview::headline(ov, sim, names, lang),
        svgs: &svgs,
        after_headline,
        sections: vec![
            (lang.t("notes").to_string(), notes(&s.spec.risk, lang)),
            (lang.t("assumptions").to_string(), assumptions(s, lang)),
        ],
        meta,
    });
    Ok((html, svgs))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key of every bundled scenario's policy, pooling and driver specification.
    fn keys(v: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    out.insert(k.clone());
                    keys(x, out);
                }
            }
            serde_json::Value::Array(xs) => xs.iter().for_each(|x| keys(x, out)),
            _ => {}
        }
    }

    /// Every parameter of every bundled scenario has a label in both languages, so that no
    /// report shows a raw key.
    #[test]
    fn every_bundled_parameter_has_a_label() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join("scenarios");
        let mut all = std::collections::BTreeSet::new();
        for f in std::fs::read_dir(dir).unwrap() {
            let p = f.unwrap().path();
            if p.extension().is_some_and(|e| e == "toml") {
                let s = Scenario::from_path(&p).unwrap();
                for u in &s.units {
                    keys(&serde_json::to_value(&u.policy).unwrap(), &mut all);
                }
                keys(&serde_json::to_value(&s.spec.pooling).unwrap(), &mut all);
                // The drivers as the parameter list shows them (without the correlation
                // matrix, which has a table of its own).
                let mut economy = serde_json::to_value(&s.spec.economy).unwrap();
                economy.as_object_mut().unwrap().remove("correlation");
                keys(&economy, &mut all);
            }
        }
        assert!(all.len() > 100, "{} keys", all.len());
        let missing: Vec<&String> = all
            .iter()
            .filter(|k| param_label(k, Lang::Zh) == **k || param_label(k, Lang::En) == **k)
            .collect();
        assert!(
            missing.is_empty(),
            "parameters without a label: {missing:?}"
        );
    }

    #[test]
    fn values_and_years_read_as_words_and_years() {
        assert_eq!(text_value("whole_gap", Lang::Zh), "全部缺口");
        assert_eq!(text_value("ASSUMPTION: x", Lang::Zh), "假设: x");
        assert_eq!(text_value("ASSUMPTION: x", Lang::En), "ASSUMPTION: x");
        let year = serde_json::json!(2018);
        let path = param_label("price_year", Lang::Zh);
        assert_eq!(scalar(&year, &path, Lang::Zh), "2018");
        assert_eq!(
            scalar(&serde_json::json!(400000.0), "封顶线（元）", Lang::Zh),
            "400,000"
        );
        assert_eq!(scalar(&serde_json::Value::Null, "", Lang::En), "∞");
    }
}
