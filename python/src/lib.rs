//! `fundrisk._fundrisk`: the library for Python. Tables cross as dicts of columns (the
//! `fundrisk` Python package wraps them as polars DataFrames); errors as `fundrisk.FundriskError`
//! with the library's message (file, field path, allowed range); the GIL is released while
//! paths run.

use fundrisk_report::engine::ScenarioModel;
use fundrisk_report::engine::montecarlo::RunOptions;
use fundrisk_report::report::lang::Lang;
use fundrisk_report::report::table::{Table, Values};
use fundrisk_report::risk::simulate;
use fundrisk_report::scenario::{Override, Scenario};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

pyo3::create_exception!(
    _fundrisk,
    FundriskError,
    pyo3::exceptions::PyValueError,
    "A scenario or a request the library refuses: the message names the file, the field and what is allowed."
);

fn err(e: fundrisk_report::Error) -> PyErr {
    FundriskError::new_err(e.to_string())
}

/// A table as a dict of columns (lists, in order).
fn table_dict<'py>(py: Python<'py>, t: &Table) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (name, values) in &t.columns {
        let list = match values {
            Values::Str(v) => PyList::new(py, v)?,
            Values::Int(v) => PyList::new(py, v)?,
            Values::F64(v) => PyList::new(py, v)?,
        };
        d.set_item(name, list)?;
    }
    Ok(d)
}

/// A scenario loaded from its file (or the embedded default), its overrides applied and its
/// units' base years solved, as `fundrisk run` loads it.
#[pyclass(name = "Scenario", module = "fundrisk._fundrisk", frozen)]
struct PyScenario {
    inner: Scenario,
}

#[pyfunction]
#[pyo3(signature = (path=None, overrides=Vec::new()))]
fn load(path: Option<String>, overrides: Vec<String>) -> PyResult<PyScenario> {
    let parsed: Vec<Override> = overrides
        .iter()
        .map(|o| Override::parse(o))
        .collect::<Result<_, _>>()
        .map_err(err)?;
    let mut s = match path {
        Some(p) => Scenario::from_path_with(std::path::Path::new(&p), &parsed),
        None => Scenario::embedded_default_with(&parsed),
    }
    .map_err(err)?;
    fundrisk_report::base_year::apply(&mut s).map_err(err)?;
    Ok(PyScenario { inner: s })
}

/// Runs `work` on a thread of its own with the GIL released, while this thread checks for
/// Python signals every 50 ms: an interrupt (Ctrl-C in a terminal, the stop button of a
/// notebook) cancels the run through `RunOptions::cancel` and is raised once the workers have
/// stopped.
fn interruptible<T: Send>(
    py: Python<'_>,
    mut o: RunOptions,
    work: impl FnOnce(&RunOptions) -> Result<T, fundrisk_report::Error> + Send,
) -> PyResult<T> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let flag = Arc::new(AtomicBool::new(false));
    o.cancel = Some(Arc::clone(&flag));
    std::thread::scope(|scope| {
        let handle = scope.spawn(|| work(&o));
        while !handle.is_finished() {
            py.allow_threads(|| std::thread::sleep(std::time::Duration::from_millis(50)));
            if let Err(e) = py.check_signals() {
                flag.store(true, Ordering::Relaxed);
                let _ = handle.join();
                return Err(e);
            }
        }
        handle
            .join()
            .map_err(|_| FundriskError::new_err("the run panicked"))?
            .map_err(err)
    })
}

/// The Monte Carlo of `s` (run with the GIL released by the caller).
fn simulation(
    s: &Scenario,
    o: &RunOptions,
) -> Result<fundrisk_report::risk::Simulation, fundrisk_report::Error> {
    let mut model = ScenarioModel::new(s);
    model.build_benefit_grids()?;
    simulate(&model, &s.spec.risk, o, &|_| {})
}

fn options(
    s: &Scenario,
    paths: Option<usize>,
    seed: Option<u64>,
    threads: Option<usize>,
) -> RunOptions {
    let mut o = RunOptions::new(
        paths.unwrap_or(s.spec.run.paths as usize),
        seed.unwrap_or(s.spec.run.seed),
    );
    o.threads = threads;
    o
}

#[pymethods]
impl PyScenario {
    /// The scenario's identifier.
    #[getter]
    fn name(&self) -> String {
        self.inner.spec.name.clone()
    }

    /// The overrides applied, as `path = value`.
    #[getter]
    fn overrides(&self) -> Vec<String> {
        self.inner.overrides.clone()
    }

    /// What the scenario describes (as `fundrisk check` prints it).
    fn check(&self) -> String {
        fundrisk_report::scenario::describe(&self.inner)
    }

    /// Where each unit's opening position comes from, by unit name: `"base_year"` (a published
    /// base year its levels are solved to), `"sourced"` (the published figures its source
    /// names) or `"assumed"` (figures of the right order; reports mark its funds).
    #[getter]
    fn opening_positions(&self) -> Vec<(String, String)> {
        use fundrisk_report::scenario::OpeningPosition;
        self.inner
            .units
            .iter()
            .map(|u| {
                let kind = match u.spec.opening_position() {
                    OpeningPosition::BaseYear(_) => "base_year",
                    OpeningPosition::Sourced => "sourced",
                    OpeningPosition::Assumed => "assumed",
                };
                (u.spec.name.clone(), kind.to_string())
            })
            .collect()
    }

    /// The exact ledger of the expected path (yuan, to the fen) as a dict of columns.
    fn ledger<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = &self.inner;
        let rows = py.allow_threads(|| {
            let model = ScenarioModel::new(s);
            fundrisk_report::engine::exact::check_ledger_range(s, &model)?;
            Ok::<_, fundrisk_report::Error>(fundrisk_report::engine::exact::exact_ledger(&model))
        });
        table_dict(
            py,
            &fundrisk_report::report::ledger_table(&rows.map_err(err)?),
        )
    }

    /// Runs the Monte Carlo (the GIL released) and returns the tables `summary`, `warnings`,
    /// `exhaustion` and, with a pooling rule, `pooling`, each a dict of columns as the CSV files
    /// hold them.
    #[pyo3(signature = (paths=None, seed=None, threads=None))]
    fn run<'py>(
        &self,
        py: Python<'py>,
        paths: Option<usize>,
        seed: Option<u64>,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let s = &self.inner;
        let o = options(s, paths, seed, threads);
        let tables = interruptible(py, o, |o| {
            let sim = simulation(s, o)?;
            Ok((
                sim.summary(),
                sim.warnings(),
                sim.exhaustion(),
                sim.pooling(),
            ))
        })?;
        let d = PyDict::new(py);
        d.set_item("summary", table_dict(py, &tables.0)?)?;
        d.set_item("warnings", table_dict(py, &tables.1)?)?;
        d.set_item("exhaustion", table_dict(py, &tables.2)?)?;
        if let Some(p) = &tables.3 {
            d.set_item("pooling", table_dict(py, p)?)?;
        }
        Ok(d)
    }

    /// Runs and writes the whole report folder (tables, workbook, report.html, charts) as
    /// `fundrisk run --out DIR` does; returns the folder.
    #[pyo3(signature = (dir, paths=None, seed=None, threads=None, lang="zh"))]
    fn report(
        &self,
        py: Python<'_>,
        dir: String,
        paths: Option<usize>,
        seed: Option<u64>,
        threads: Option<usize>,
        lang: &str,
    ) -> PyResult<String> {
        let lang = Lang::parse(lang)
            .ok_or_else(|| FundriskError::new_err(format!("lang `{lang}`: expected zh or en")))?;
        let s = &self.inner;
        let o = options(s, paths, seed, threads);
        let out = py
            .allow_threads(|| {
                fundrisk_report::run::run_scenario(s, &o, std::path::Path::new(&dir), lang, &|_| {})
            })
            .map_err(err)?;
        Ok(out.dir.display().to_string())
    }

    /// The lowest rate of `line` (employer, employee or flexible) from `from_month` that meets
    /// `target` (e.g. "P(months<3)<=0.05") in every year of `years`, as `fundrisk solve-rate`:
    /// one row per unit (or group solved together), with the break-even rate.
    #[pyo3(signature = (target, years=None, line="employer", from_month=None, range=(0.0, 0.2), per_unit=false, paths=None, seed=None, threads=None))]
    #[allow(clippy::too_many_arguments)]
    fn solve_rate<'py>(
        &self,
        py: Python<'py>,
        target: &str,
        years: Option<(i32, i32)>,
        line: &str,
        from_month: Option<&str>,
        range: (f64, f64),
        per_unit: bool,
        paths: Option<usize>,
        seed: Option<u64>,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyDict>> {
        use fundrisk_report::study::{RateLine, SolveOptions, Target, answers_table, solve_rates};
        let s = &self.inner;
        let target = Target::parse(target).map_err(err)?;
        let years = years.unwrap_or((s.spec.start.year(), s.end().year()));
        let from = match from_month {
            Some(m) => m.parse::<fundrisk_report::params::Month>().map_err(|_| {
                FundriskError::new_err(format!("from_month `{m}`: expected YYYY-MM"))
            })?,
            None => fundrisk_report::params::Month::new(years.0, 1)
                .unwrap_or(s.spec.start)
                .max(s.spec.start),
        };
        let o = SolveOptions {
            target,
            line: RateLine::parse(line).map_err(err)?,
            from,
            years,
            range,
            run: options(s, paths, seed, threads),
        };
        let units: Vec<usize> = (0..s.units.len()).collect();
        let answers = py
            .allow_threads(|| solve_rates(s, &units, per_unit, &o))
            .map_err(err)?;
        table_dict(py, &answers_table(&answers, &target))
    }

    /// Each main assumption moved down and up, as `fundrisk sensitivity`: the last year's risk
    /// measures of `fund` (default: the total, or the only fund) and their changes.
    #[pyo3(signature = (fund=None, paths=None, seed=None, threads=None))]
    fn sensitivity<'py>(
        &self,
        py: Python<'py>,
        fund: Option<&str>,
        paths: Option<usize>,
        seed: Option<u64>,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let s = &self.inner;
        let o = options(s, paths, seed, threads);
        let t = py
            .allow_threads(|| fundrisk_report::study::sensitivity(s, &o, fund))
            .map_err(err)?;
        table_dict(py, &t.table())
    }

    /// Every value the scenario file labels ASSUMPTION moved down and up by the factors
    /// 1 − `step` and 1 + `step`, one at a time, as `fundrisk sensitivity --labelled` (`only`:
    /// these labelled paths alone): `{"sensitivity": …, "labels": …}`, the tables of
    /// `sensitivity.csv` and `labels.csv`.
    #[pyo3(signature = (step=0.1, only=Vec::new(), fund=None, paths=None, seed=None, threads=None))]
    #[allow(clippy::too_many_arguments)]
    fn labelled_sensitivity<'py>(
        &self,
        py: Python<'py>,
        step: f64,
        only: Vec<String>,
        fund: Option<&str>,
        paths: Option<usize>,
        seed: Option<u64>,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let s = &self.inner;
        let o = options(s, paths, seed, threads);
        // The scenario as it was loaded: its file (none: the embedded default) and overrides.
        let file = s.inputs.first().cloned();
        let overrides: Vec<Override> = s
            .overrides
            .iter()
            .map(|t| Override::parse(t))
            .collect::<Result<_, _>>()
            .map_err(err)?;
        let t = py
            .allow_threads(|| {
                fundrisk_report::study::labelled_sensitivity_of_file(
                    file.as_deref(),
                    &overrides,
                    &only,
                    &o,
                    fund,
                    step,
                )
            })
            .map_err(err)?;
        let d = PyDict::new(py);
        d.set_item("sensitivity", table_dict(py, &t.sensitivity.table())?)?;
        d.set_item("labels", table_dict(py, &t.labels_table())?)?;
        Ok(d)
    }
}

/// `other − base` per fund and year on common random numbers, as `fundrisk compare`: the
/// differences with their paired standard errors and each side's levels.
#[pyfunction]
#[pyo3(signature = (base, other, paths=None, seed=None, threads=None))]
fn compare<'py>(
    py: Python<'py>,
    base: &PyScenario,
    other: &PyScenario,
    paths: Option<usize>,
    seed: Option<u64>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyDict>> {
    let (a, b) = (&base.inner, &other.inner);
    let o = options(a, paths, seed, threads);
    let label = format!("{} - {}", b.spec.name, a.spec.name);
    let t = py
        .allow_threads(|| {
            // As `fundrisk compare`: a scenario that is the base but for its rates runs as a
            // trial of the base's projection.
            let both = [a.clone(), b.clone()];
            let mut sims = Vec::new();
            fundrisk_report::study::simulate_for_comparison(&both, &o, &|_| {}, &mut |_, sim| {
                sims.push(sim);
                Ok(())
            })?;
            fundrisk_report::study::compare(&sims[0], &sims[1], &label)
        })
        .map_err(err)?;
    table_dict(py, &t.table())
}

#[pymodule]
fn _fundrisk(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_class::<PyScenario>()?;
    m.add("FundriskError", m.py().get_type::<FundriskError>())?;
    Ok(())
}
