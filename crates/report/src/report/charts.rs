//! Charts drawn with plotters' SVG backend (text stays text, so Chinese needs no font files).

use super::lang::Lang;
use crate::error::{Error, Result};
use crate::risk::{QUANTILES, Simulation, quantile_sorted};
use crate::scenario::RiskSpec;
use plotters::prelude::*;

fn err(e: impl std::fmt::Display) -> Error {
    Error::Invalid(format!("drawing a chart: {e}"))
}

/// Quantiles 5/25/50/75/95 per reported year of one entity: (years, [q][year]).
fn quantiles(sim: &Simulation, e: usize, months: bool, scale: f64) -> (Vec<i32>, [Vec<f64>; 5]) {
    let l = &sim.layout;
    let mut years = Vec::new();
    let mut q: [Vec<f64>; 5] = Default::default();
    for y in 0..=l.last_year[e] {
        years.push(l.first_year + y as i32);
        let mut v = if months {
            sim.months(e, y)
        } else {
            sim.balances(e, y)
        };
        v.sort_by(f64::total_cmp);
        for (i, (p, _)) in QUANTILES.iter().enumerate() {
            q[i].push(quantile_sorted(&v, *p) / scale);
        }
    }
    (years, q)
}

/// A legend entry's key.
#[derive(Clone, Copy)]
pub enum Key {
    /// A filled box (a band, a bar, a stacked layer).
    Box(ShapeStyle),
    /// A short line (a series).
    Line(ShapeStyle),
    /// A dot (marked points).
    Dot(RGBColor),
    /// A short vertical tick (a marked value).
    Tick(RGBColor),
}

/// A legend key: a short line in `style`.
fn line_key(style: impl Into<ShapeStyle>) -> Key {
    Key::Line(style.into())
}

/// A legend key: a small box in `style`.
fn box_key(style: impl Into<ShapeStyle>) -> Key {
    Key::Box(style.into())
}

/// Font sizes requested from plotters, whose SVG text is drawn at 0.806 of the size asked:
/// 15 gives 12 px at the page's width (the charts are 760 px wide, the page 820).
const FONT: u32 = 15;
const TITLE_FONT: u32 = 20;

/// The legend box's border colour: a grey of its own, so that a reader of the SVG (the browser
/// test) can find the legend box.
pub const LEGEND_BORDER: RGBColor = RGBColor(0x99, 0x99, 0x98);

/// Width (px) of the strip at the right of a chart that holds the legend of `labels`, so that
/// the legend never covers the data: the longest label (CJK characters a full em, others about
/// 0.55 em) plus the key and padding, at most 300.
fn legend_width<S: AsRef<str>>(labels: &[S]) -> u32 {
    let em = f64::from(FONT) * 0.806;
    let widest = labels
        .iter()
        .map(|l| {
            l.as_ref()
                .chars()
                .map(|c| if c as u32 >= 0x2E80 { em } else { 0.58 * em })
                .sum::<f64>()
        })
        .fold(0.0, f64::max);
    ((widest + 44.0).ceil() as u32).clamp(60, 300)
}

/// The legend `entries` in the strip right of `chart`'s plotting area that the chart's builder
/// reserved (`margin_right` of [`legend_width`]), drawn on `area` (the chart's drawing area, so
/// nothing clips it) on a white box with a [`LEGEND_BORDER`].
fn draw_legend(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    chart: &YearChart<'_, '_>,
    entries: &[(String, Key)],
) -> Result<()> {
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    if entries.is_empty() {
        return Ok(());
    }
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let (bx, by) = area.get_base_pixel();
    let labels: Vec<&str> = entries.iter().map(|(l, _)| l.as_str()).collect();
    let (x0, y0) = (xr.end - bx + 8, yr.start - by);
    let w = legend_width(&labels) as i32 - 10;
    let line = (f64::from(FONT) * 0.806 * 1.6).round() as i32;
    let h = line * entries.len() as i32 + 8;
    area.draw(&Rectangle::new(
        [(x0, y0), (x0 + w, y0 + h)],
        WHITE.filled(),
    ))
    .map_err(err)?;
    area.draw(&Rectangle::new([(x0, y0), (x0 + w, y0 + h)], LEGEND_BORDER))
        .map_err(err)?;
    let text =
        TextStyle::from(("sans-serif", FONT).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    for (i, (label, key)) in entries.iter().enumerate() {
        let y = y0 + 4 + line * i as i32 + line / 2;
        let kx = x0 + 6;
        match *key {
            Key::Box(style) => area.draw(&Rectangle::new([(kx, y - 5), (kx + 14, y + 5)], style)),
            Key::Line(style) => area.draw(&PathElement::new(vec![(kx, y), (kx + 14, y)], style)),
            Key::Dot(c) => area.draw(&Circle::new((kx + 7, y), 4, c.filled())),
            Key::Tick(c) => area.draw(&PathElement::new(
                vec![(kx + 7, y - 6), (kx + 7, y + 6)],
                c.stroke_width(3),
            )),
        }
        .map_err(err)?;
        area.draw(&Text::new(label.clone(), (kx + 20, y), text.clone()))
            .map_err(err)?;
    }
    Ok(())
}

const BAND_COLOURS: [RGBColor; 5] = [
    RGBColor(198, 219, 239), // excess
    RGBColor(199, 233, 192), // high
    RGBColor(237, 248, 233), // reasonable
    RGBColor(254, 230, 206), // insufficient
    RGBColor(252, 187, 161), // serious
];

/// The exhausted band's colour (below zero: the fund has run dry).
const EXHAUSTED_COLOUR: RGBColor = RGBColor(203, 24, 29);
/// The fans' hue: a dark neutral over the pale warning bands.
const FAN_COLOUR: RGBColor = RGBColor(37, 37, 37);

/// A fan chart: 5–95 and 25–75 bands and the median of `q` over `years` in a dark neutral hue,
/// on pale horizontal `bands` [(from, to, colour, label)] and, where the range goes below zero,
/// the exhausted band (`exhausted_label`); with `points` (year, value) marked over it (a
/// backtest's actuals). The legend sits right of the plotted data.
#[allow(clippy::too_many_arguments)]
fn fan(
    title: &str,
    y_label: &str,
    years: &[i32],
    q: &[Vec<f64>; 5],
    bands: &[(f64, f64, RGBColor, String)],
    exhausted_label: Option<&str>,
    points: &[(i32, f64)],
    lang: Lang,
) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 400)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let finite = |v: f64| if v.is_finite() { Some(v) } else { None };
        let lo = q[0]
            .iter()
            .filter_map(|&v| finite(v))
            .fold(0.0_f64, f64::min);
        let lo = points.iter().map(|p| p.1).fold(lo, f64::min);
        let hi = q[4]
            .iter()
            .filter_map(|&v| finite(v))
            .fold(bands.iter().map(|b| b.0).fold(1.0, f64::max), f64::max);
        let hi = points.iter().map(|p| p.1).fold(hi, f64::max);
        let pad = (hi - lo).abs() * 0.05 + 1e-9;
        let (y0, y1) = (lo - pad, hi + pad);
        let clip = |v: f64| v.clamp(y0, y1);
        let exhausted = exhausted_label.filter(|_| lo < 0.0);
        let mut labels: Vec<String> = bands.iter().map(|b| b.3.clone()).collect();
        labels.extend(exhausted.map(str::to_string));
        labels.extend(
            ["band_5_95", "band_25_75", "median", "actual"]
                .iter()
                .map(|k| lang.t(k).to_string()),
        );
        let year_values: Vec<f64> = years.iter().map(|&y| f64::from(y)).collect();
        let (x0, x1) = (
            year_values.first().copied().unwrap_or(0.0) - 0.3,
            year_values.last().copied().unwrap_or(0.0) + 0.3,
        );
        let mut entries: Vec<(String, Key)> = Vec::new();
        let mut chart = year_axes(
            &root,
            title,
            y_label,
            &year_values,
            (y0, y1),
            1,
            legend_width(&labels),
            lang,
        )?;
        let exhausted_band =
            exhausted.map(|l| (y0, 0.0, EXHAUSTED_COLOUR.mix(0.35), l.to_string()));
        let pale: Vec<(f64, f64, RGBAColor, String)> = bands
            .iter()
            .map(|(a, b, c, l)| (*a, *b, c.to_rgba(), l.clone()))
            .chain(exhausted_band)
            .collect();
        for (a, b, colour, label) in &pale {
            let (a, b) = (clip(*a), clip(*b));
            if b > a {
                let c = *colour;
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x0, a), (x1, b)],
                        c.filled(),
                    )))
                    .map_err(err)?;
                entries.push(((label.as_str()).to_string(), box_key(c.filled())));
            }
        }
        let xs: Vec<f64> = years.iter().map(|&y| f64::from(y)).collect();
        let band = |lo: &[f64], hi: &[f64]| -> Vec<(f64, f64)> {
            let mut pts: Vec<(f64, f64)> = xs.iter().zip(lo).map(|(&x, &v)| (x, clip(v))).collect();
            pts.extend(xs.iter().zip(hi).rev().map(|(&x, &v)| (x, clip(v))));
            pts
        };
        for (lo, hi, alpha, label) in [
            (&q[0], &q[4], 0.22, lang.t("band_5_95")),
            (&q[1], &q[3], 0.42, lang.t("band_25_75")),
        ] {
            let fill = FAN_COLOUR.mix(alpha).filled();
            chart
                .draw_series(std::iter::once(Polygon::new(band(lo, hi), fill)))
                .map_err(err)?;
            entries.push(((label).to_string(), box_key(fill)));
        }
        chart
            .draw_series(LineSeries::new(
                xs.iter().zip(&q[2]).map(|(&x, &v)| (x, clip(v))),
                BLACK.stroke_width(2),
            ))
            .map_err(err)?;
        entries.push((
            (lang.t("median")).to_string(),
            line_key(BLACK.stroke_width(2)),
        ));
        if !points.is_empty() {
            let red = RGBColor(203, 24, 29);
            chart
                .draw_series(
                    points
                        .iter()
                        .map(|&(y, v)| Circle::new((f64::from(y), v), 5, red.filled())),
                )
                .map_err(err)?;
            entries.push((lang.t("actual").to_string(), Key::Dot(red)));
        }
        draw_legend(&root, &chart, &entries)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// Fan chart of year-end months of payment capacity of entity `e`, on the warning bands.
pub fn months_fan(
    sim: &Simulation,
    e: usize,
    name: &str,
    risk: &RiskSpec,
    lang: Lang,
) -> Result<String> {
    let (years, q) = quantiles(sim, e, true, 1.0);
    let top = q[4]
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(risk.excess + 3.0, f64::max);
    let bands = [
        (
            risk.excess,
            top * 2.0,
            BAND_COLOURS[0],
            lang.t("band_excess"),
        ),
        (risk.high, risk.excess, BAND_COLOURS[1], lang.t("band_high")),
        (
            risk.reasonable,
            risk.high,
            BAND_COLOURS[2],
            lang.t("band_reasonable"),
        ),
        (
            risk.insufficient,
            risk.reasonable,
            BAND_COLOURS[3],
            lang.t("band_insufficient"),
        ),
        (
            0.0,
            risk.insufficient,
            BAND_COLOURS[4],
            lang.t("band_serious"),
        ),
    ]
    .map(|(a, b, c, l)| (a, b, c, l.to_string()));
    fan(
        &format!("{name} — {}", lang.t("months_title")),
        lang.t("months_axis"),
        &years,
        &q,
        &bands,
        Some(lang.t("band_exhausted")),
        &[],
        lang,
    )
}

/// Fan chart of the year-end pooled balance of entity `e`, in 亿元 or yuan millions.
pub fn balance_fan(sim: &Simulation, e: usize, name: &str, lang: Lang) -> Result<String> {
    let (years, q) = quantiles(sim, e, false, lang.money_unit());
    fan(
        &format!("{name} — {}", lang.t("balance_title")),
        lang.t("balance_axis"),
        &years,
        &q,
        &[],
        Some(lang.t("band_exhausted")),
        &[],
        lang,
    )
}

/// A backtest's fan for one line: the forecast's bands and median by year (`values[year]`,
/// sorted, yuan or persons) with the actuals marked, in 亿元 or 万人 (millions in English).
pub fn backtest_fan(
    title: &str,
    first_year: i32,
    values: &[Vec<f64>],
    actuals: &[(i32, f64)],
    persons: bool,
    lang: Lang,
) -> Result<String> {
    let (scale, axis) = if persons {
        (lang.persons_unit(), lang.t("persons_axis"))
    } else {
        (lang.money_unit(), lang.t("amount_axis"))
    };
    let years: Vec<i32> = (0..values.len()).map(|y| first_year + y as i32).collect();
    let mut q: [Vec<f64>; 5] = Default::default();
    for v in values {
        for (i, (p, _)) in QUANTILES.iter().enumerate() {
            q[i].push(quantile_sorted(v, *p) / scale);
        }
    }
    let points: Vec<(i32, f64)> = actuals.iter().map(|&(y, v)| (y, v / scale)).collect();
    fan(title, axis, &years, &q, &[], None, &points, lang)
}

/// Bars of the share of paths whose balance first turns negative in each year (and never).
pub fn exhaustion_bars(sim: &Simulation, e: usize, name: &str, lang: Lang) -> Result<String> {
    let l = &sim.layout;
    let ny = l.n_years;
    let n = sim.paths() as f64;
    let shares: Vec<f64> = (0..=ny)
        .map(|k| sim.acc.n_first_exhaustion[e * (ny + 1) + k] as f64 / n * 100.0)
        .collect();
    let labels: Vec<String> = (0..ny)
        .map(|k| (l.first_year + k as i32).to_string())
        .chain(std::iter::once(lang.t("never").to_string()))
        .collect();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 320)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let top = shares.iter().copied().fold(1.0, f64::max) * 1.1;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!("{name} — {}", lang.t("exhaustion_title")),
                ("sans-serif", TITLE_FONT),
            )
            .margin(12)
            .x_label_area_size(FONT + 14)
            .y_label_area_size(y_label_area((0.0, top), 0, lang))
            .build_cartesian_2d(-0.5..ny as f64 + 0.5, 0.0..top)
            .map_err(err)?;
        let labels_ref = &labels;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .max_light_lines(0)
            .label_style(("sans-serif", FONT))
            .axis_desc_style(("sans-serif", FONT))
            .x_labels(ny + 2)
            .x_label_formatter(&|x| {
                // Bars are centred on whole numbers; label those only.
                if x.fract() == 0.0 && *x >= 0.0 {
                    labels_ref.get(*x as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_desc(lang.t("share_of_paths"))
            .y_label_formatter(&|y| lang.number(*y, 0))
            .draw()
            .map_err(err)?;
        let red = RGBColor(178, 24, 43);
        let grey = RGBColor(150, 150, 150);
        chart
            .draw_series(shares.iter().enumerate().map(|(k, &v)| {
                let c = if k == ny { grey } else { red };
                let x = k as f64;
                Rectangle::new([(x - 0.4, 0.0), (x + 0.4, v)], c.mix(0.8).filled())
            }))
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

type YearChart<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// Width (px) of the y label area for tick labels of `range` with `decimals`, so that the
/// axis title stands clear of the widest tick label.
fn y_label_area(range: (f64, f64), decimals: usize, lang: Lang) -> u32 {
    let widest = [range.0, range.1]
        .iter()
        .map(|&v| lang.number(v, decimals).chars().count())
        .max()
        .unwrap_or(4) as f64;
    (widest * 0.58 * f64::from(FONT) * 0.806 + 2.2 * f64::from(FONT)).ceil() as u32
}

/// Axes for yearly series over `y` (from, to), years on x (no thousands separators), with a
/// strip of `legend` px at the right for the legend.
#[allow(clippy::too_many_arguments)]
fn year_axes<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    title: &str,
    y_label: &str,
    years: &[f64],
    y: (f64, f64),
    decimals: usize,
    legend: u32,
    lang: Lang,
) -> Result<YearChart<'a, 'b>> {
    let (x0, x1) = (
        years.first().copied().unwrap_or(0.0) - 0.3,
        years.last().copied().unwrap_or(0.0) + 0.3,
    );
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", TITLE_FONT))
        .margin(12)
        .margin_right(12 + legend)
        .x_label_area_size(2 * FONT + 14)
        .y_label_area_size(y_label_area(y, decimals, lang))
        .build_cartesian_2d(x0..x1, y.0..y.1)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .max_light_lines(0)
        .label_style(("sans-serif", FONT))
        .axis_desc_style(("sans-serif", FONT))
        .x_desc(lang.t("year"))
        .y_desc(y_label)
        .x_labels(years.len().min(12))
        .x_label_formatter(&|x| format!("{:.0}", x))
        .y_label_formatter(&|y| lang.number(*y, decimals))
        .draw()
        .map_err(err)?;
    Ok(chart)
}

/// Spending by line (stacked, expected path) with total income as a line, per year, for the
/// funds in `funds` of the exact ledger; maternity lines are their own layers.
pub fn lines_stacked(
    rows: &[crate::engine::exact::LedgerRow],
    funds: &[&str],
    title: &str,
    lang: Lang,
) -> Result<String> {
    use crate::ledger::{N_SPENDING, SPENDING_LINES};
    use std::collections::BTreeMap;
    let unit = lang.money_unit();
    let mut by_year: BTreeMap<i32, ([f64; N_SPENDING], f64)> = BTreeMap::new();
    for r in rows.iter().filter(|r| funds.contains(&r.unit.as_str())) {
        let e = by_year
            .entry(r.month.year())
            .or_insert(([0.0; N_SPENDING], 0.0));
        for (a, x) in e.0.iter_mut().zip(&r.record.spending) {
            *a += rust_decimal::prelude::ToPrimitive::to_f64(x).unwrap_or(0.0) / unit;
        }
        e.1 += rust_decimal::prelude::ToPrimitive::to_f64(&r.record.income_total).unwrap_or(0.0)
            / unit;
    }
    let years: Vec<f64> = by_year.keys().map(|&y| f64::from(y)).collect();
    let layers: Vec<usize> = (0..N_SPENDING)
        .filter(|&l| by_year.values().any(|v| v.0[l] != 0.0))
        .collect();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 400)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let top = by_year
            .values()
            .map(|v| v.0.iter().sum::<f64>().max(v.1))
            .fold(1.0, f64::max)
            * 1.1;
        let mut labels: Vec<&str> = layers.iter().map(|&l| lang.t(SPENDING_LINES[l])).collect();
        labels.push(lang.t("income_total"));
        let mut entries: Vec<(String, Key)> = Vec::new();
        let mut chart = year_axes(
            &root,
            title,
            lang.t("money_axis"),
            &years,
            (0.0, top),
            0,
            legend_width(&labels),
            lang,
        )?;
        let palette = [
            RGBColor(33, 102, 172),
            RGBColor(103, 169, 207),
            RGBColor(146, 197, 222),
            RGBColor(209, 229, 240),
            RGBColor(253, 219, 199),
            RGBColor(239, 138, 98),
            RGBColor(178, 24, 43),
        ];
        let mut base = vec![0.0; years.len()];
        for &l in &layers {
            let top_line: Vec<f64> = by_year
                .values()
                .zip(&base)
                .map(|(v, b)| b + v.0[l])
                .collect();
            let mut pts: Vec<(f64, f64)> = years
                .iter()
                .copied()
                .zip(top_line.iter().copied())
                .collect();
            pts.extend(years.iter().copied().zip(base.iter().copied()).rev());
            let c = palette[l % palette.len()];
            chart
                .draw_series(std::iter::once(Polygon::new(pts, c.mix(0.85).filled())))
                .map_err(err)?;
            entries.push(((lang.t(SPENDING_LINES[l])).to_string(), box_key(c.filled())));
            base = top_line;
        }
        chart
            .draw_series(LineSeries::new(
                years.iter().copied().zip(by_year.values().map(|v| v.1)),
                BLACK.stroke_width(2),
            ))
            .map_err(err)?;
        entries.push((
            (lang.t("income_total")).to_string(),
            line_key(BLACK.stroke_width(2)),
        ));
        draw_legend(&root, &chart, &entries)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// Yearly series of the expected path as lines on one axis: (label, values per year).
fn year_lines(
    title: &str,
    y_label: &str,
    years: &[f64],
    series: &[(String, Vec<f64>)],
    lang: Lang,
) -> Result<String> {
    let top = finite_values(series).fold(1e-9, f64::max) * 1.15;
    year_lines_in(title, y_label, years, series, (0.0, top), lang)
}

fn finite_values(series: &[(String, Vec<f64>)]) -> impl Iterator<Item = f64> + '_ {
    series
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .filter(|v| v.is_finite())
}

/// [`year_lines`] on the vertical range `range`.
fn year_lines_in(
    title: &str,
    y_label: &str,
    years: &[f64],
    series: &[(String, Vec<f64>)],
    range: (f64, f64),
    lang: Lang,
) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 360)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        year_lines_on(&root, title, y_label, years, series, range, 0, lang)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// Draws yearly lines on `area` (the `first_colour`-th colour first), legend at the right.
#[allow(clippy::too_many_arguments)]
fn year_lines_on(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    title: &str,
    y_label: &str,
    years: &[f64],
    series: &[(String, Vec<f64>)],
    range: (f64, f64),
    first_colour: usize,
    lang: Lang,
) -> Result<()> {
    let labels: Vec<&str> = series.iter().map(|(l, _)| l.as_str()).collect();
    let mut entries: Vec<(String, Key)> = Vec::new();
    let mut chart = year_axes(
        area,
        title,
        y_label,
        years,
        range,
        1,
        legend_width(&labels),
        lang,
    )?;
    let colours = [
        RGBColor(33, 102, 172),
        RGBColor(178, 24, 43),
        RGBColor(77, 146, 33),
    ];
    for (i, (label, v)) in series.iter().enumerate() {
        let c = colours[(i + first_colour) % colours.len()];
        chart
            .draw_series(LineSeries::new(
                years.iter().copied().zip(v.iter().copied()),
                c.stroke_width(2),
            ))
            .map_err(err)?;
        entries.push(((label.as_str()).to_string(), line_key(c.stroke_width(2))));
    }
    draw_legend(area, &chart, &entries)
}

/// Births to insured women (thousands a year) and maternity spending (亿元 or yuan millions a
/// year) on the expected path of the units in `units`.
pub fn births_and_maternity(
    rows: &[crate::engine::exact::LedgerRow],
    units: &[&str],
    lang: Lang,
) -> Result<String> {
    use crate::ledger::SpendingLine;
    use rust_decimal::prelude::ToPrimitive;
    use std::collections::BTreeMap;
    let mut by_year: BTreeMap<i32, [f64; 2]> = BTreeMap::new();
    for r in rows {
        let e = by_year.entry(r.month.year()).or_insert([0.0; 2]);
        if units.contains(&r.unit.as_str()) {
            e[0] += r.memo.births_insured / 1000.0;
        }
        let m = r.record.spending[SpendingLine::MaternityMedical]
            + r.record.spending[SpendingLine::MaternityAllowance];
        e[1] += m.to_f64().unwrap_or(0.0) / lang.money_unit();
    }
    let years: Vec<f64> = by_year.keys().map(|&y| f64::from(y)).collect();
    // Two panels, one unit per axis: births above, money below.
    let births: Vec<(String, Vec<f64>)> = vec![(
        lang.t("births").into(),
        by_year.values().map(|v| v[0]).collect(),
    )];
    let money: Vec<(String, Vec<f64>)> = vec![(
        lang.t("maternity_spending").into(),
        by_year.values().map(|v| v[1]).collect(),
    )];
    let top = |series: &[(String, Vec<f64>)]| finite_values(series).fold(1e-9, f64::max) * 1.15;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 600)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let (upper, lower) = root.split_vertically(300);
        year_lines_on(
            &upper,
            lang.t("births_title"),
            lang.t("births_axis"),
            &years,
            &births,
            (0.0, top(&births)),
            0,
            lang,
        )?;
        year_lines_on(
            &lower,
            lang.t("maternity_title"),
            lang.t("money_axis"),
            &years,
            &money,
            (0.0, top(&money)),
            1,
            lang,
        )?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// Retirees per 100 active members, the model's and the published, by year.
pub fn retiree_ratio_comparison(
    years: &[f64],
    model: &[f64],
    published: &[f64],
    lang: Lang,
) -> Result<String> {
    let series = [
        (lang.t("model_expected").into(), model.to_vec()),
        (lang.t("published").into(), published.to_vec()),
    ];
    // Zoomed on the data, whole units, at least 10 wide: the differences are tenths.
    let lo = finite_values(&series).fold(f64::INFINITY, f64::min);
    let hi = finite_values(&series).fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo.is_finite() {
        let mid = 0.5 * (lo + hi);
        let half = (0.5 * (hi - lo) + 2.0).max(5.0);
        ((mid - half).floor().max(0.0), (mid + half).ceil())
    } else {
        (0.0, 1.0)
    };
    year_lines_in(
        lang.t("demography_chart"),
        lang.t("dependency_axis"),
        years,
        &series,
        (lo, hi),
        lang,
    )
}

/// Retirees per 100 contributors at each year end on the expected path of `units`.
pub fn dependency(
    rows: &[crate::engine::exact::LedgerRow],
    units: &[&str],
    lang: Lang,
) -> Result<String> {
    use crate::data::Status;
    use std::collections::BTreeMap;
    let mut by_year: BTreeMap<i32, [f64; 2]> = BTreeMap::new();
    for r in rows
        .iter()
        .filter(|r| units.contains(&r.unit.as_str()) && r.month.month() == 12)
    {
        let e = by_year.entry(r.month.year()).or_insert([0.0; 2]);
        e[0] += r.memo.members[Status::Retiree as usize];
        e[1] += crate::data::members_in_service(&r.memo.members);
    }
    let years: Vec<f64> = by_year.keys().map(|&y| f64::from(y)).collect();
    let ratio: Vec<f64> = by_year
        .values()
        .map(|v| {
            if v[1] > 0.0 {
                100.0 * v[0] / v[1]
            } else {
                f64::NAN
            }
        })
        .collect();
    year_lines(
        lang.t("dependency_title"),
        lang.t("dependency_axis"),
        &years,
        &[(lang.t("dependency").into(), ratio)],
        lang,
    )
}

/// White (0) to dark red (1).
fn heat_colour(p: f64) -> RGBColor {
    let t = if p.is_finite() {
        p.clamp(0.0, 1.0)
    } else {
        0.0
    };
    RGBColor(
        255 - (t * 152.0) as u8,
        255 - (t * 255.0) as u8,
        255 - (t * 242.0) as u8,
    )
}

/// A heat map of shares (0–1) by row (a fund) and year (`values[row][year]`, NaN where a fund
/// reports no year): each cell coloured from white to dark red with its value in percent, the
/// row labels centred on their rows, the years centred on their columns, and the colour scale
/// at the right.
pub fn heat_map(
    title: &str,
    rows: &[String],
    years: &[i32],
    values: &[Vec<f64>],
    lang: Lang,
) -> Result<String> {
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    let n_rows = rows.len();
    let n_years = years.len();
    let height = 120 + 26 * n_rows as u32;
    let scale_width = 90;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", TITLE_FONT))
            .margin(12)
            .margin_right(12 + scale_width)
            .x_label_area_size(FONT + 14)
            .y_label_area_size(legend_width(rows))
            .build_cartesian_2d(0.0..n_years.max(1) as f64, 0.0..n_rows.max(1) as f64)
            .map_err(err)?;
        // Row r from the top is drawn between y = n_rows − r − 1 and n_rows − r.
        let y_of = |r: usize| (n_rows - 1 - r) as f64;
        let mut cells = Vec::new();
        let mut texts = Vec::new();
        let centred = Pos::new(HPos::Center, VPos::Center);
        for (r, row) in values.iter().enumerate() {
            for (k, &p) in row.iter().enumerate().take(n_years) {
                if p.is_nan() {
                    continue;
                }
                let (x, y) = (k as f64, y_of(r));
                cells.push(Rectangle::new(
                    [(x + 0.03, y + 0.06), (x + 0.97, y + 0.94)],
                    heat_colour(p).filled(),
                ));
                let ink: &RGBColor = if p > 0.55 { &WHITE } else { &BLACK };
                texts.push(Text::new(
                    lang.number(p * 100.0, 0),
                    (x + 0.5, y + 0.5),
                    TextStyle::from(("sans-serif", FONT).into_font())
                        .color(ink)
                        .pos(centred),
                ));
            }
        }
        chart.draw_series(cells).map_err(err)?;
        chart.draw_series(texts).map_err(err)?;
        let labels: Vec<(f64, String)> = rows
            .iter()
            .enumerate()
            .map(|(r, name)| (y_of(r) + 0.5, name.clone()))
            .collect();
        category_labels(&root, &chart, 0.0, &labels)?;
        // Years under the middle of their columns.
        let below = TextStyle::from(("sans-serif", FONT).into_font())
            .pos(Pos::new(HPos::Center, VPos::Top));
        for (k, year) in years.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(k as f64 + 0.5, 0.0));
            root.draw(&Text::new(year.to_string(), (px, py + 6), below.clone()))
                .map_err(err)?;
        }
        // The colour scale: 0 % at the bottom to 100 % at the top, right of the cells.
        let (right, top) = chart.backend_coord(&(n_years.max(1) as f64, n_rows.max(1) as f64));
        let (_, bottom) = chart.backend_coord(&(0.0, 0.0));
        let (x0, x1) = (right + 18, right + 34);
        let steps = 20;
        let span = (bottom - top).max(1);
        for i in 0..steps {
            let ya = bottom - span * i / steps;
            let yb = bottom - span * (i + 1) / steps;
            let p = (f64::from(i) + 0.5) / f64::from(steps);
            root.draw(&Rectangle::new(
                [(x0, yb), (x1, ya)],
                heat_colour(p).filled(),
            ))
            .map_err(err)?;
        }
        root.draw(&Rectangle::new([(x0, top), (x1, bottom)], LEGEND_BORDER))
            .map_err(err)?;
        let left = TextStyle::from(("sans-serif", FONT).into_font())
            .pos(Pos::new(HPos::Left, VPos::Center));
        for p in [0, 50, 100] {
            let y = bottom - span * p / 100;
            root.draw(&Text::new(format!("{p}%"), (x1 + 4, y), left.clone()))
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// The pooling rule's money per settled year, summed over units: levies into the adjustment
/// fund and its payments out (provincial adjustment), or the city fund's and the county
/// treasuries' shares of the gaps with the treasuries' 95th percentile (city-unified).
pub fn pooling_flows(sim: &Simulation, city: bool, lang: Lang) -> Result<String> {
    let l = &sim.layout;
    let n_units = l.unit_names.len();
    let unit = lang.money_unit();
    let settled: Vec<usize> = (0..l.n_years)
        .filter(|&y| (0..n_units).any(|u| sim.settlement_values(u, y, 0).iter().any(|&x| x != 0.0)))
        .collect();
    let years: Vec<f64> = settled
        .iter()
        .map(|&y| f64::from(l.first_year + y as i32))
        .collect();
    // Per path, the sum over units of an item; then its mean or a quantile.
    let totals = |y: usize, item: usize| -> Vec<f64> {
        let mut t = vec![0.0; sim.paths()];
        for u in 0..n_units {
            for (a, x) in t.iter_mut().zip(sim.settlement_values(u, y, item)) {
                *a += x / unit;
            }
        }
        t
    };
    let mean = |v: Vec<f64>| v.iter().sum::<f64>() / v.len().max(1) as f64;
    // Items: 2 levy, 4 received, 5 treasury (see risk::SETTLEMENT_NAMES).
    let series: Vec<(String, Vec<f64>)> = if city {
        vec![
            (
                lang.t("city_share").into(),
                settled.iter().map(|&y| mean(totals(y, 4))).collect(),
            ),
            (
                lang.t("treasury_mean").into(),
                settled.iter().map(|&y| mean(totals(y, 5))).collect(),
            ),
            (
                lang.t("treasury_p95").into(),
                settled
                    .iter()
                    .map(|&y| {
                        let mut v = totals(y, 5);
                        v.sort_by(f64::total_cmp);
                        quantile_sorted(&v, 0.95)
                    })
                    .collect(),
            ),
        ]
    } else {
        vec![
            (
                lang.t("levies").into(),
                settled.iter().map(|&y| mean(totals(y, 2))).collect(),
            ),
            (
                lang.t("payments").into(),
                settled.iter().map(|&y| mean(totals(y, 4))).collect(),
            ),
        ]
    };
    year_lines(
        lang.t(if city {
            "city_title"
        } else {
            "adjustment_title"
        }),
        lang.t("money_axis"),
        &years,
        &series,
        lang,
    )
}

/// Category labels drawn at the left of a chart's plotting area, centred on `y` positions of the
/// chart's coordinates (plotters' numeric axes place ticks at round numbers, not on bars).
fn category_labels(
    root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    chart: &YearChart<'_, '_>,
    x_left: f64,
    labels: &[(f64, String)],
) -> Result<()> {
    let style = TextStyle::from(("sans-serif", FONT).into_font()).pos(
        plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Right,
            plotters::style::text_anchor::VPos::Center,
        ),
    );
    for (y, label) in labels {
        let (px, py) = chart.backend_coord(&(x_left, *y));
        root.draw(&Text::new(label.clone(), (px - 6, py), style.clone()))
            .map_err(err)?;
    }
    Ok(())
}

/// A difference over years (`other − base`) with its 95 % band (± 1.96 paired standard errors)
/// and the zero line.
pub fn difference_band(
    title: &str,
    y_label: &str,
    years: &[i32],
    diff: &[f64],
    se: &[f64],
    lang: Lang,
) -> Result<String> {
    let xs: Vec<f64> = years.iter().map(|&y| f64::from(y)).collect();
    let lo: Vec<f64> = diff.iter().zip(se).map(|(d, s)| d - 1.96 * s).collect();
    let hi: Vec<f64> = diff.iter().zip(se).map(|(d, s)| d + 1.96 * s).collect();
    let finite = |v: &&f64| v.is_finite();
    let y0 = lo.iter().filter(finite).fold(0.0_f64, |a, &b| a.min(b));
    let y1 = hi.iter().filter(finite).fold(0.0_f64, |a, &b| a.max(b));
    // An all-zero difference (the policies agree) still gets a readable axis.
    let (y0, y1) = if y1 - y0 < 1e-9 {
        (-1.0, 1.0)
    } else {
        (y0, y1)
    };
    let pad = (y1 - y0) * 0.08;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 360)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let legend = legend_width(&[lang.t("band_95_ci"), lang.t("difference")]);
        let mut entries: Vec<(String, Key)> = Vec::new();
        let mut chart = year_axes(
            &root,
            title,
            y_label,
            &xs,
            (y0 - pad, y1 + pad),
            2,
            legend,
            lang,
        )?;
        let blue = RGBColor(33, 102, 172);
        let mut band: Vec<(f64, f64)> = xs.iter().copied().zip(lo.iter().copied()).collect();
        band.extend(xs.iter().copied().zip(hi.iter().copied()).rev());
        let fill = blue.mix(0.25).filled();
        chart
            .draw_series(std::iter::once(Polygon::new(band, fill)))
            .map_err(err)?;
        entries.push(((lang.t("band_95_ci")).to_string(), box_key(fill)));
        let (x0, x1) = (
            xs.first().copied().unwrap_or(0.0),
            xs.last().copied().unwrap_or(0.0),
        );
        chart
            .draw_series(LineSeries::new(
                [(x0 - 0.3, 0.0), (x1 + 0.3, 0.0)],
                BLACK.mix(0.6),
            ))
            .map_err(err)?;
        chart
            .draw_series(LineSeries::new(
                xs.iter().copied().zip(diff.iter().copied()),
                blue.stroke_width(2),
            ))
            .map_err(err)?;
        entries.push((
            (lang.t("difference")).to_string(),
            line_key(blue.stroke_width(2)),
        ));
        draw_legend(&root, &chart, &entries)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// One unit's (or group's) risk at the rates a rate study tried.
#[derive(Clone, Debug)]
pub struct RateCurve {
    pub label: String,
    /// (rate, probability, standard error), shares 0–1.
    pub points: Vec<(f64, f64, f64)>,
    /// The solved rate, if one met the target.
    pub solved: Option<f64>,
    pub current: f64,
}

const PALETTE: [RGBColor; 8] = [
    RGBColor(33, 102, 172),
    RGBColor(178, 24, 43),
    RGBColor(77, 146, 33),
    RGBColor(118, 42, 131),
    RGBColor(230, 97, 1),
    RGBColor(1, 133, 113),
    RGBColor(140, 81, 10),
    RGBColor(64, 64, 64),
];

/// The curves of a rate chart in the order they are drawn and named: those needing the highest
/// rate first (a unit that cannot meet the target first of all); at most `PALETTE.len() − 1`
/// are named when there are more curves than colours, the rest drawn light as "other units".
fn named_curves(curves: &[RateCurve]) -> (Vec<usize>, usize) {
    let mut order: Vec<usize> = (0..curves.len()).collect();
    let key = |c: &RateCurve| c.solved.unwrap_or(f64::INFINITY);
    order.sort_by(|&a, &b| key(&curves[b]).total_cmp(&key(&curves[a])).then(a.cmp(&b)));
    let n_named = if curves.len() > PALETTE.len() {
        PALETTE.len() - 1
    } else {
        curves.len()
    };
    (order, n_named)
}

/// The target's probability against the trial rate (percent on both axes), with ±1.96 s.e.
/// bars, the target level as a horizontal line and each solved rate marked by a vertical line.
pub fn risk_vs_rate(
    title: &str,
    y_label: &str,
    curves: &[RateCurve],
    target_level: f64,
    lang: Lang,
) -> Result<String> {
    // The window: around the current and solved rates (1.5 points either side), so the
    // bisection's ends far out in the range do not squeeze the interesting part.
    let marks = curves
        .iter()
        .flat_map(|c| [Some(c.current), c.solved].into_iter().flatten());
    let (m0, m1) = marks.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), r| {
        (a.min(r), b.max(r))
    });
    let all = curves.iter().flat_map(|c| c.points.iter().map(|p| p.0));
    let (r0, r1) = all.fold((m0, m1), |(a, b), r| (a.min(r), b.max(r)));
    let (mut x0, mut x1) = ((m0 - 0.015).max(r0) * 100.0, (m1 + 0.015).min(r1) * 100.0);
    if !x0.is_finite() || x1 <= x0 {
        (x0, x1) = (r0.min(0.0) * 100.0, r1.max(0.01) * 100.0);
    }
    let inside = |r: f64| (x0 - 1e-9..=x1 + 1e-9).contains(&(r * 100.0));
    let mut y1 = target_level * 100.0;
    for &(r, p, se) in curves.iter().flat_map(|c| c.points.iter()) {
        if inside(r) {
            y1 = y1.max((p + 1.96 * se) * 100.0);
        }
    }
    let padx = (x1 - x0) * 0.04;
    let (x0, x1, y1) = (x0 - padx, x1 + padx, (y1 * 1.1).max(1.0));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 420)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut labels: Vec<&str> = vec![lang.t("target_level"), lang.t("others")];
        let (order, n_named) = named_curves(curves);
        labels.extend(order[..n_named].iter().map(|&i| curves[i].label.as_str()));
        let mut entries: Vec<(String, Key)> = Vec::new();
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", TITLE_FONT))
            .margin(12)
            .margin_right(12 + legend_width(&labels))
            .x_label_area_size(2 * FONT + 14)
            .y_label_area_size(y_label_area((0.0, y1), 0, lang))
            .build_cartesian_2d(x0..x1, 0.0..y1)
            .map_err(err)?;
        chart
            .configure_mesh()
            .max_light_lines(0)
            .label_style(("sans-serif", FONT))
            .axis_desc_style(("sans-serif", FONT))
            .x_desc(lang.t("rate_axis"))
            .y_desc(y_label)
            .x_label_formatter(&|x| lang.number(*x, 2))
            .y_label_formatter(&|y| lang.number(*y, 0))
            .draw()
            .map_err(err)?;
        let red = RGBColor(178, 24, 43);
        chart
            .draw_series(LineSeries::new(
                [(x0, target_level * 100.0), (x1, target_level * 100.0)],
                red.stroke_width(1),
            ))
            .map_err(err)?;
        entries.push(((lang.t("target_level")).to_string(), line_key(red)));
        let (order, n_named) = named_curves(curves);
        let light = RGBColor(170, 170, 170);
        for (rank, &i) in order.iter().enumerate() {
            let c = &curves[i];
            let named = rank < n_named;
            let colour = if named { PALETTE[rank] } else { light };
            let mut p: Vec<(f64, f64, f64)> =
                c.points.iter().copied().filter(|q| inside(q.0)).collect();
            p.sort_by(|a, b| a.0.total_cmp(&b.0));
            p.dedup_by(|a, b| a.0 == b.0);
            chart
                .draw_series(LineSeries::new(
                    p.iter().map(|&(r, q, _)| (r * 100.0, q * 100.0)),
                    colour.stroke_width(if named { 2 } else { 1 }),
                ))
                .map_err(err)?;
            if !named {
                continue;
            }
            entries.push((c.label.clone(), line_key(colour.stroke_width(2))));
            chart
                .draw_series(p.iter().map(|&(r, q, se)| {
                    PathElement::new(
                        vec![
                            (r * 100.0, ((q - 1.96 * se) * 100.0).max(0.0)),
                            (r * 100.0, (q + 1.96 * se) * 100.0),
                        ],
                        colour.mix(0.6),
                    )
                }))
                .map_err(err)?;
            chart
                .draw_series(
                    p.iter()
                        .map(|&(r, q, _)| Circle::new((r * 100.0, q * 100.0), 3, colour.filled())),
                )
                .map_err(err)?;
            if let Some(r) = c.solved {
                chart
                    .draw_series(LineSeries::new(
                        [(r * 100.0, 0.0), (r * 100.0, y1)],
                        colour.stroke_width(1),
                    ))
                    .map_err(err)?;
                // Each named curve's rate on a line of its own, so the labels do not pile up.
                chart
                    .draw_series(std::iter::once(Text::new(
                        format!("{} %", lang.number(r * 100.0, 2)),
                        (r * 100.0, y1 * (0.97 - 0.06 * rank as f64)),
                        ("sans-serif", FONT).into_font().color(&colour),
                    )))
                    .map_err(err)?;
            }
        }
        if n_named < curves.len() {
            entries.push((lang.t("others").to_string(), line_key(light)));
        }
        // Each distinct current rate once.
        let mut current: Vec<f64> = curves
            .iter()
            .map(|c| c.current)
            .filter(|&r| inside(r))
            .collect();
        current.sort_by(f64::total_cmp);
        current.dedup_by(|a, b| (*a - *b).abs() < 1e-12);
        let grey = RGBColor(120, 120, 120);
        for (k, r) in current.into_iter().enumerate() {
            let top = 0.5 - 0.07 * k as f64;
            chart
                .draw_series(LineSeries::new(
                    [(r * 100.0, 0.0), (r * 100.0, y1 * top)],
                    grey.stroke_width(1),
                ))
                .map_err(err)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    lang.t("current_rate"),
                    (r * 100.0, y1 * (top + 0.02)),
                    ("sans-serif", FONT).into_font().color(&grey),
                )))
                .map_err(err)?;
        }
        draw_legend(&root, &chart, &entries)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// Required and current rates by unit (percent), one row per unit.
pub fn rates_by_unit(title: &str, rows: &[(String, f64, f64, bool)], lang: Lang) -> Result<String> {
    let n = rows.len();
    let top = rows
        .iter()
        .map(|r| r.1.max(r.2) * 100.0)
        .fold(1.0, f64::max)
        * 1.1;
    let height = 110 + 24 * n as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut entries: Vec<(String, Key)> = Vec::new();
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", TITLE_FONT))
            .margin(12)
            .margin_right(12 + legend_width(&[lang.t("required_rate"), lang.t("current_rate")]))
            .x_label_area_size(2 * FONT + 14)
            .y_label_area_size(legend_width(
                &rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
            ))
            .build_cartesian_2d(0.0..top, -0.5..n as f64 - 0.5)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .max_light_lines(0)
            .label_style(("sans-serif", FONT))
            .axis_desc_style(("sans-serif", FONT))
            .x_desc(lang.t("rate_axis"))
            .x_label_formatter(&|x| lang.number(*x, 1))
            .y_label_formatter(&|_| String::new())
            .draw()
            .map_err(err)?;
        let blue = RGBColor(33, 102, 172);
        let grey = RGBColor(120, 120, 120);
        let y_of = |k: usize| (n - 1 - k) as f64;
        chart
            .draw_series(rows.iter().enumerate().map(|(k, r)| {
                let c = if r.3 { blue } else { RGBColor(178, 24, 43) };
                Rectangle::new(
                    [(0.0, y_of(k) - 0.32), (r.1 * 100.0, y_of(k) + 0.32)],
                    c.mix(0.8).filled(),
                )
            }))
            .map_err(err)?;
        entries.push((
            (lang.t("required_rate")).to_string(),
            box_key(blue.filled()),
        ));
        chart
            .draw_series(rows.iter().enumerate().map(|(k, r)| {
                PathElement::new(
                    vec![(r.2 * 100.0, y_of(k) - 0.45), (r.2 * 100.0, y_of(k) + 0.45)],
                    grey.stroke_width(3),
                )
            }))
            .map_err(err)?;
        entries.push((lang.t("current_rate").to_string(), Key::Tick(grey)));
        let labels: Vec<(f64, String)> = rows
            .iter()
            .enumerate()
            .map(|(k, r)| (y_of(k), r.0.clone()))
            .collect();
        category_labels(&root, &chart, 0.0, &labels)?;
        draw_legend(&root, &chart, &entries)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// One assumption of a tornado chart: its label and the change of the measure when the
/// assumption is moved down and up.
#[derive(Clone, Debug)]
pub struct TornadoBar {
    pub label: String,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

/// A tornado chart: bars of the change from the base for each assumption moved down (blue)
/// and up (red), the widest at the top.
pub fn tornado(title: &str, x_label: &str, bars: &[TornadoBar], lang: Lang) -> Result<String> {
    let width = |b: &TornadoBar| b.low.unwrap_or(0.0).abs().max(b.high.unwrap_or(0.0).abs());
    let mut sorted: Vec<&TornadoBar> = bars.iter().collect();
    sorted.sort_by(|a, b| width(b).total_cmp(&width(a)));
    let m = sorted.iter().map(|b| width(b)).fold(1e-9, f64::max) * 1.15;
    let n = sorted.len();
    let height = 110 + 30 * n as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut entries: Vec<(String, Key)> = Vec::new();
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", TITLE_FONT))
            .margin(12)
            .margin_right(12 + legend_width(&[lang.t("moved_low"), lang.t("moved_high")]))
            .x_label_area_size(2 * FONT + 14)
            .y_label_area_size(legend_width(
                &sorted.iter().map(|b| b.label.as_str()).collect::<Vec<_>>(),
            ))
            .build_cartesian_2d(-m..m, -0.5..n as f64 - 0.5)
            .map_err(err)?;
        let decimals = if m < 0.1 {
            3
        } else if m < 10.0 {
            2
        } else {
            1
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .max_light_lines(0)
            .label_style(("sans-serif", FONT))
            .axis_desc_style(("sans-serif", FONT))
            .x_desc(x_label)
            .x_label_formatter(&|x| lang.number(*x, decimals))
            .y_label_formatter(&|_| String::new())
            .draw()
            .map_err(err)?;
        let y_of = |k: usize| (n - 1 - k) as f64;
        let blue = RGBColor(33, 102, 172);
        let red = RGBColor(178, 24, 43);
        for (side, colour, key) in [(0, blue, "moved_low"), (1, red, "moved_high")] {
            chart
                .draw_series(sorted.iter().enumerate().filter_map(|(k, b)| {
                    let v = if side == 0 { b.low } else { b.high }?;
                    Some(Rectangle::new(
                        [(0.0, y_of(k) - 0.35), (v, y_of(k) + 0.35)],
                        colour.mix(0.8).filled(),
                    ))
                }))
                .map_err(err)?;
            entries.push(((lang.t(key)).to_string(), box_key(colour.filled())));
        }
        chart
            .draw_series(LineSeries::new(
                [(0.0, -0.5), (0.0, n as f64 - 0.5)],
                BLACK.stroke_width(1),
            ))
            .map_err(err)?;
        let labels: Vec<(f64, String)> = sorted
            .iter()
            .enumerate()
            .map(|(k, b)| (y_of(k), b.label.clone()))
            .collect();
        category_labels(&root, &chart, -m, &labels)?;
        draw_legend(&root, &chart, &entries)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}
