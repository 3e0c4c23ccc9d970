//! Running a scenario into an output folder.

use crate::engine::ScenarioModel;
use crate::engine::montecarlo::RunOptions;
use crate::error::Result;
use crate::report::lang::{Lang, MoneyUnit};
use crate::report::table::{Table, TableFiles};
use crate::report::{self, output::StagedDir};
use crate::risk::Simulation;
use crate::risk::simulate;
use crate::scenario::Scenario;
use std::path::{Path, PathBuf};

/// What a run wrote.
pub struct RunOutcome {
    pub dir: PathBuf,
    pub files: Vec<String>,
    pub simulation: Simulation,
    /// The funds ranked by risk, as the report and the workbook show them.
    pub overview: report::overview::Overview,
    pub names: report::names::DisplayNames,
    pub wall_seconds: f64,
}

/// Runs the Monte Carlo and the exact ledger of `s` and writes, into `dir` (atomically: a
/// temporary folder renamed at the end): `summary.csv`, `summary.parquet`, `exhaustion.csv`,
/// `warnings.csv`, `ledger.csv`, `paths.parquet` (with `keep_paths`) and, last, `run.json`.
pub fn run_scenario(
    s: &Scenario,
    opts: &RunOptions,
    dir: &Path,
    lang: Lang,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<RunOutcome> {
    run_scenario_with(s, opts, dir, &ReportOptions::new(lang), progress)
}

/// How a run's report is written: its language, the workbook's money unit and whether a PDF
/// is printed.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportOptions {
    pub lang: Lang,
    /// Money in the workbook (the CSV files hold yuan).
    pub money: MoneyUnit,
    /// Print `report.pdf` with this headless Chromium.
    pub pdf_with: Option<PathBuf>,
}

impl ReportOptions {
    pub fn new(lang: Lang) -> ReportOptions {
        ReportOptions {
            lang,
            money: MoneyUnit::default(),
            pdf_with: None,
        }
    }
}

/// [`run_scenario`] with the report's options.
pub fn run_scenario_with(
    s: &Scenario,
    opts: &RunOptions,
    dir: &Path,
    report_options: &ReportOptions,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<RunOutcome> {
    let started = std::time::Instant::now();
    let mut model = ScenarioModel::new(s);
    crate::engine::exact::check_ledger_range(s, &model)?;
    let staged = StagedDir::new(dir)?;
    model.build_benefit_grids()?;
    let sim = simulate(&model, &s.spec.risk, opts, progress)?;
    let threads = opts.threads.unwrap_or_else(rayon::current_num_threads);
    let run = serde_json::json!({
        "seed": opts.seed,
        "paths": opts.paths,
        "threads": threads,
        "keep_paths": opts.keep_paths,
    });
    finish_run(
        staged,
        s,
        &model,
        sim,
        report_options,
        opts.keep_paths,
        run,
        started,
    )
}

/// Writes a run's outputs from its simulation into `staged` (the tables, the ledger, the
/// workbook, the report and, last, `run.json` with `run`'s fields) and commits the folder.
/// Shared by `run` and by `merge`, which builds the simulation from shards.
#[allow(clippy::too_many_arguments)]
pub fn finish_run(
    staged: StagedDir,
    s: &Scenario,
    model: &ScenarioModel,
    sim: Simulation,
    report_options: &ReportOptions,
    keep_paths: bool,
    run: serde_json::Value,
    started: std::time::Instant,
) -> Result<RunOutcome> {
    let lang = report_options.lang;
    let names = report::names::DisplayNames::new(s, &sim.layout);
    let overview = report::overview::Overview::new(&sim);
    let mut files = Vec::new();
    let mut put = |name: &str, f: &dyn Fn(&Path) -> Result<()>| -> Result<()> {
        f(&staged.file(name))?;
        files.push(name.to_string());
        Ok(())
    };
    let summary = sim.summary();
    let (warnings, exhaustion, pooling) = (sim.warnings(), sim.exhaustion(), sim.pooling());
    put("summary.csv", &|p| summary.write_csv(p))?;
    put("summary.parquet", &|p| summary.write_parquet(p))?;
    put("exhaustion.csv", &|p| exhaustion.write_csv(p))?;
    put("warnings.csv", &|p| warnings.write_csv(p))?;
    if let Some(pooling) = &pooling {
        put("pooling.csv", &|p| pooling.write_csv(p))?;
    }
    let rows = crate::engine::exact::exact_ledger(model);
    put("ledger.csv", &|p| report::write_ledger_csv(p, &rows))?;
    put("report.xlsx", &|p| {
        let ledger = report::ledger_table(&rows);
        let named = |t: &Table| report::with_display_names(t, &names, lang);
        let about = about_table(s, &sim, report_options, lang);
        let overview_sheet = report::overview::overview_table(&overview, &names, lang);
        let months = report::overview::months_table(&sim, &overview, &names, lang);
        let (summary, warnings, exhaustion, ledger) = (
            named(&summary),
            named(&warnings),
            named(&exhaustion),
            named(&ledger),
        );
        let pooling_sheet = pooling
            .as_ref()
            .map(|t| named(&report::pooling_sheet(t, s.spec.pooling.kind)));
        let mut sheets = vec![
            (lang.t("sheet_about"), &about),
            (lang.t("sheet_overview"), &overview_sheet),
            (lang.t("sheet_months"), &months),
            (lang.t("sheet_summary"), &summary),
            (lang.t("sheet_warnings"), &warnings),
            (lang.t("sheet_exhaustion"), &exhaustion),
            (lang.t("sheet_ledger"), &ledger),
        ];
        if let Some(t) = &pooling_sheet {
            sheets.push((lang.t("sheet_pooling"), t));
        }
        report::xlsx::write_workbook_in(p, &sheets, lang, report_options.money)
    })?;
    if keep_paths {
        put("paths.parquet", &|p| {
            kept_paths(model, &sim).write_parquet(p)
        })?;
    }
    let wall_seconds = started.elapsed().as_secs_f64();
    files.push("report.html".into());
    if report_options.pdf_with.is_some() {
        files.push("report.pdf".into());
    }
    files.push("charts/".into());
    files.push("run.json".into());
    let mut meta = serde_json::json!({
        "scenario": s.spec.name,
        "scenario_title": s.spec.title,
        "scenario_file": s.file,
        "scenario_hash": s.hash,
        "overrides": s.overrides,
        "lang": if lang == Lang::Zh { "zh" } else { "en" },
        "small_cell_threshold": s.spec.run.small_cell_threshold,
        "random_counts_below_members": s.spec.run.random_counts_below_members,
        "program": "fundrisk",
        "program_version": env!("CARGO_PKG_VERSION"),
        "run_date": crate::report::run_date(),
        "wall_seconds": wall_seconds,
        "peak_memory_bytes": peak_memory_bytes(),
        "files": files,
    });
    if let (Some(m), Some(r)) = (meta.as_object_mut(), run.as_object()) {
        for (k, v) in r {
            m.insert(k.clone(), v.clone());
        }
    }
    let (html, svgs) = report::html::run_report(s, &sim, &overview, &names, lang, &meta, &rows)?;
    write_charts(&staged, &svgs)?;
    report::output::write_text(&staged.file("report.html"), &html)?;
    if let Some(chrome) = &report_options.pdf_with {
        report::pdf::print(
            chrome,
            &staged.file("report.html"),
            &staged.file("report.pdf"),
        )?;
    }
    report::output::write_json(&staged.file("run.json"), &meta)?;
    let dir = staged.commit()?;
    Ok(RunOutcome {
        dir,
        files,
        simulation: sim,
        overview,
        names,
        wall_seconds,
    })
}

/// The workbook's 说明/About sheet: the scenario, its file and hash, seed, paths, run date,
/// program version and money unit, then the report's notes on the measures.
fn about_table(s: &Scenario, sim: &Simulation, o: &ReportOptions, lang: Lang) -> Table {
    let mut rows: Vec<(String, String)> = vec![
        (
            lang.t("about_title").into(),
            report::html::scenario_title(s, lang),
        ),
        (lang.t("meta_scenario").into(), s.spec.name.clone()),
        (lang.t("meta_scenario_file").into(), s.file.clone()),
        (lang.t("meta_scenario_hash").into(), s.hash.clone()),
        (lang.t("meta_seed").into(), sim.seed.to_string()),
        (lang.t("meta_paths").into(), sim.paths().to_string()),
        (lang.t("meta_run_date").into(), report::run_date()),
        (
            lang.t("meta_program_version").into(),
            format!("fundrisk {}", env!("CARGO_PKG_VERSION")),
        ),
        (lang.t("about_money_unit").into(), o.money.name(lang).into()),
    ];
    for (i, note) in report::html::note_items(&s.spec.risk, lang)
        .into_iter()
        .enumerate()
    {
        rows.push((format!("{} {}", lang.t("notes"), i + 1), note));
    }
    let mut t = Table::default();
    t.str("item", rows.iter().map(|r| r.0.clone()).collect());
    t.str("content", rows.into_iter().map(|r| r.1).collect());
    t
}

/// A study's outputs: its table (as `csv_name`, and as the workbook's one sheet), its report
/// page and charts.
pub struct StudyOutput<'a> {
    pub csv_name: &'a str,
    pub table: &'a Table,
    /// Further tables: (CSV file name, workbook sheet name, table).
    pub extra_tables: &'a [(&'a str, &'a str, &'a Table)],
    pub report: report::studies::Report,
    pub lang: Lang,
}

/// Writes a study into `dir` atomically: its table as CSV, `report.xlsx`, `charts/*.svg`,
/// `report.html` and, last, `run.json`.
pub fn write_study(dir: &Path, out: &StudyOutput, meta: &serde_json::Value) -> Result<PathBuf> {
    let staged = StagedDir::new(dir)?;
    out.table.write_csv(&staged.file(out.csv_name))?;
    let mut sheets = vec![(out.lang.t("sheet_results"), out.table)];
    for (csv, sheet, table) in out.extra_tables {
        table.write_csv(&staged.file(csv))?;
        sheets.push((*sheet, *table));
    }
    report::xlsx::write_workbook(&staged.file("report.xlsx"), &sheets, out.lang)?;
    write_charts(&staged, &out.report.1)?;
    report::output::write_text(&staged.file("report.html"), &out.report.0)?;
    report::output::write_json(&staged.file("run.json"), meta)?;
    staged.commit()
}

/// Writes charts as `charts/<name>.svg` in a staged folder, each also as `charts/<name>.png` at
/// print resolution (rendered in parallel).
fn write_charts(staged: &StagedDir, svgs: &[(String, String)]) -> Result<()> {
    use rayon::prelude::*;
    let dir = staged.file("charts");
    std::fs::create_dir_all(&dir).map_err(|e| crate::error::Error::Output {
        path: dir.display().to_string(),
        message: e.to_string(),
    })?;
    for (name, svg) in svgs {
        report::output::write_text(&dir.join(name), svg)?;
    }
    let options = report::png::options();
    let pngs: Vec<(String, Vec<u8>)> = svgs
        .par_iter()
        .map(|(name, svg)| {
            let png = report::png::render(svg, &options)?;
            Ok((name.trim_end_matches(".svg").to_string() + ".png", png))
        })
        .collect::<Result<_>>()?;
    for (name, png) in pngs {
        let path = dir.join(&name);
        report::output::write_atomically(&path, |w| {
            std::io::Write::write_all(w, &png).map_err(|e| crate::error::Error::Output {
                path: path.display().to_string(),
                message: e.to_string(),
            })
        })?;
    }
    Ok(())
}

/// Every kept path's monthly series, long format.
fn kept_paths(model: &ScenarioModel, sim: &Simulation) -> Table {
    let h = model.horizon as usize;
    let nf = model.funds.len();
    let n = sim.acc.kept.len();
    let months: Vec<String> = (0..h).map(|k| model.month(k).to_string()).collect();
    let mut path = Vec::with_capacity(n);
    let mut unit = Vec::with_capacity(n);
    let mut month = Vec::with_capacity(n);
    let mut cols: Vec<Vec<f64>> = (0..7).map(|_| Vec::with_capacity(n)).collect();
    for (i, m) in sim.acc.kept.iter().enumerate() {
        let k = i % h;
        let f = (i / h) % nf;
        path.push((i / (h * nf)) as i64);
        unit.push(model.funds[f].name.clone());
        month.push(months[k].clone());
        let months_of_capacity = if m.avg_spending_12m > 0.0 {
            m.balance / m.avg_spending_12m
        } else {
            f64::INFINITY
        };
        for (c, v) in cols.iter_mut().zip([
            m.income_total,
            m.spending_total,
            m.interest,
            m.transfers_net,
            m.balance,
            m.avg_spending_12m,
            months_of_capacity,
        ]) {
            c.push(v);
        }
    }
    let mut t = Table::default();
    t.int("path", path);
    t.str("unit", unit);
    t.str("month", month);
    for (name, c) in [
        "income_total",
        "spending_total",
        "interest",
        "transfers_net",
        "pooled_balance",
        "avg_monthly_spending_12m",
        "months_of_capacity",
    ]
    .iter()
    .zip(cols)
    {
        t.f64(name, c);
    }
    t
}

/// The process's peak resident memory (Linux: VmHWM of /proc/self/status), if known.
pub fn peak_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
