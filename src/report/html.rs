//! `report.html`: one self-contained page (inline SVG and CSS, no scripts, nothing fetched)
//! with the headline, the charts, the assumptions and the run's metadata.

use super::charts;
use super::lang::Lang;
use crate::engine::FundKind;
use crate::error::Result;
use crate::params::Dated;
use crate::risk::Simulation;
use crate::scenario::{DriverSpec, Scenario};
use crate::study::{Measure, probability};

/// A fund name as part of a file name.
fn slug(name: &str) -> String {
    name.replace(['.', ' ', '/'], "_")
}

fn esc(s: &str) -> String {
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
    if sim.layout.kinds[e].is_none() && name == "all" {
        lang.t("all_funds").to_string()
    } else {
        name.clone()
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

fn dated_rows(label: &str, d: &Dated<f64>, lang: Lang, out: &mut String) {
    match d {
        Dated::Constant(v) => out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td></td></tr>",
            esc(label),
            lang.number(*v, 4)
        )),
        Dated::Schedule(es) => {
            for e in es {
                out.push_str(&format!(
                    "<tr><td>{} ({})</td><td>{}</td><td>{}</td></tr>",
                    esc(label),
                    e.from,
                    lang.number(e.value, 4),
                    esc(e.source.as_deref().unwrap_or(""))
                ));
            }
        }
    }
}

fn assumptions(s: &Scenario, lang: Lang) -> String {
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
    for u in &s.units {
        let p = &u.policy;
        o.push_str(&format!(
            "<h3>{} — {}</h3><table><tr><th>{}</th><th>{}</th><th>{}</th></tr>",
            lang.t("policy"),
            esc(&u.spec.name),
            lang.t("parameter"),
            lang.t("value"),
            lang.t("source")
        ));
        dated_rows("employer_rate", &p.employer_rate, lang, &mut o);
        if let Some(g) = &p.employer_rate_government {
            dated_rows("employer_rate_government", g, lang, &mut o);
        }
        dated_rows(
            "employer_to_personal_account",
            &p.employer_to_personal_account,
            lang,
            &mut o,
        );
        dated_rows("employee_rate", &p.employee_rate, lang, &mut o);
        dated_rows("base_floor", &p.base_floor, lang, &mut o);
        dated_rows("base_cap", &p.base_cap, lang, &mut o);
        dated_rows("flexible_rate", &p.flexible_rate, lang, &mut o);
        dated_rows(
            "retiree_account_credit",
            &p.retiree_account_credit,
            lang,
            &mut o,
        );
        if let Some(m) = &p.maternity {
            dated_rows("maternity.employer_rate", &m.employer_rate, lang, &mut o);
            dated_rows("maternity.leave_days", &m.leave_days, lang, &mut o);
        }
        o.push_str("</table>");
    }
    o
}

const STYLE: &str = "body{font-family:sans-serif;max-width:820px;margin:2em auto;color:#222}\
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc}\
.headline{background:#f3f6fa;border-left:4px solid #2166ac;padding:.8em 1em;font-size:1.05em}\
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}td,th{border:1px solid #ddd;padding:3px 6px;text-align:left}\
figure{margin:1em 0}figure svg{max-width:100%;height:auto}";

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
    let title = match lang {
        Lang::Zh if !s.spec.title.is_empty() => s.spec.title.clone(),
        _ => s.spec.name.clone(),
    };
    let mut html = format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>",
        if lang == Lang::Zh { "zh-CN" } else { "en" },
        esc(&title)
    );
    html.push_str(&format!(
        "<h1>{}: {}</h1><h2>{}</h2><p class=\"headline\" id=\"headline\">{}</p><h2>{}</h2>",
        lang.t("report_title"),
        esc(&title),
        lang.t("headline"),
        esc(&headline(sim, lang)),
        lang.t("charts")
    ));
    for (name, svg) in &svgs {
        html.push_str(&format!("<figure id=\"{}\">{svg}</figure>", esc(name)));
    }
    html.push_str(&format!("<h2>{}</h2>", lang.t("assumptions")));
    html.push_str(&assumptions(s, lang));
    html.push_str(&format!("<h2>{}</h2><table>", lang.t("metadata")));
    if let Some(obj) = meta.as_object() {
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
    Ok((html, svgs))
}
