//! `fundrisk._fundrisk`: the library for Python. Tables cross as dicts of columns (the
//! `fundrisk` Python package wraps them as polars DataFrames); errors as `fundrisk.FundriskError`
//! with the library's message (file, field path, allowed range); the GIL is released while
//! paths run.

use fundrisk::engine::ScenarioModel;
use fundrisk::engine::montecarlo::{RunOptions, simulate};
use fundrisk::report::lang::Lang;
use fundrisk::report::table::{Table, Values};
use fundrisk::scenario::{Override, Scenario};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

pyo3::create_exception!(
    _fundrisk,
    FundriskError,
    pyo3::exceptions::PyValueError,
    "A scenario or a request the library refuses: the message names the file, the field and what is allowed."
);

fn err(e: fundrisk::Error) -> PyErr {
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
    fundrisk::base_year::apply(&mut s).map_err(err)?;
    Ok(PyScenario { inner: s })
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
        fundrisk::scenario::describe(&self.inner)
    }

    /// The exact ledger of the expected path (yuan, to the fen) as a dict of columns.
    fn ledger<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = &self.inner;
        let rows = py.allow_threads(|| {
            let model = ScenarioModel::new(s);
            fundrisk::report::check_ledger_range(s, &model)?;
            Ok::<_, fundrisk::Error>(fundrisk::report::exact_ledger(&model))
        });
        table_dict(py, &fundrisk::report::ledger_table(&rows.map_err(err)?))
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
        let tables = py
            .allow_threads(|| {
                let mut model = ScenarioModel::new(s);
                model.build_benefit_grids()?;
                let sim = simulate(&model, &s.spec.risk, &o, &|_| {})?;
                Ok::<_, fundrisk::Error>((
                    sim.summary(),
                    sim.warnings(),
                    sim.exhaustion(),
                    sim.pooling(),
                ))
            })
            .map_err(err)?;
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
                fundrisk::run::run_scenario(s, &o, std::path::Path::new(&dir), lang, &|_| {})
            })
            .map_err(err)?;
        Ok(out.dir.display().to_string())
    }
}

#[pymodule]
fn _fundrisk(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_class::<PyScenario>()?;
    m.add("FundriskError", m.py().get_type::<FundriskError>())?;
    Ok(())
}
