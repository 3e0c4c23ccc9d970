//! Running a scenario into an output folder.

use crate::engine::ScenarioModel;
use crate::error::Result;
use crate::report::{self, output::StagedDir};
use crate::scenario::Scenario;
use std::path::{Path, PathBuf};

/// Writes the deterministic outputs (ledger.csv, then run.json last) into `dir` atomically.
pub fn run_deterministic(s: &Scenario, dir: &Path) -> Result<PathBuf> {
    let started = std::time::Instant::now();
    let staged = StagedDir::new(dir)?;
    let model = ScenarioModel::new(s);
    let rows = report::exact_ledger(&model);
    report::write_ledger_csv(&staged.file("ledger.csv"), &rows)?;
    let meta = serde_json::json!({
        "scenario": s.spec.name,
        "scenario_file": s.file,
        "scenario_hash": s.hash,
        "program_version": env!("CARGO_PKG_VERSION"),
        "kind": "deterministic",
        "wall_seconds": started.elapsed().as_secs_f64(),
    });
    report::output::write_text(
        &staged.file("run.json"),
        &serde_json::to_string_pretty(&meta).unwrap_or_default(),
    )?;
    staged.commit()
}
