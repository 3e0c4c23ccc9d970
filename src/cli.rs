//! Command-line interface: argument parsing and calls into the library; no model logic.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use fundrisk::engine::ScenarioModel;
use fundrisk::engine::montecarlo::RunOptions;
use fundrisk::report;
use fundrisk::scenario::Scenario;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(
    name = "fundrisk",
    version,
    about = "Risk forecasts for Chinese social medical insurance funds"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate a scenario file and print what it describes.
    Check {
        /// Scenario TOML file (default: the embedded Guangdong merger scenario).
        scenario: Option<PathBuf>,
    },
    /// Write the expected path as an exact ledger (yuan, rounded to the fen), one row per unit
    /// and month.
    Ledger {
        scenario: Option<PathBuf>,
        /// Output CSV file.
        #[arg(long, default_value = "ledger.csv")]
        out: PathBuf,
    },
    /// Run the Monte Carlo forecast of a scenario and write its tables into a folder
    /// (default reports/<scenario-name>/), replacing it only when complete.
    Run {
        /// Scenario TOML file (default: the embedded Guangdong merger scenario).
        scenario: Option<PathBuf>,
        /// Number of paths (default: the scenario's run.paths).
        #[arg(long)]
        paths: Option<usize>,
        /// Seed of the random streams (default: the scenario's run.seed).
        #[arg(long)]
        seed: Option<u64>,
        /// Worker threads (default: one per core). Results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
        /// Output folder.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Also write every path's monthly series (paths.parquet).
        #[arg(long)]
        keep_paths: bool,
    },
}

/// A progress bar on a terminal; nothing when stderr is not one.
fn progress_bar(len: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} paths  {elapsed} (eta {eta})")
    {
        bar.set_style(style);
    }
    bar
}

fn load(path: Option<&Path>) -> Result<Scenario> {
    Ok(match path {
        Some(p) => Scenario::from_path(p)?,
        None => Scenario::embedded_default()?,
    })
}

pub fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { scenario } => {
            let s = load(scenario.as_deref())?;
            print!("{}", fundrisk::scenario::describe(&s));
            Ok(())
        }
        Command::Ledger { scenario, out } => {
            let s = load(scenario.as_deref())?;
            let model = ScenarioModel::new(&s);
            let rows = report::exact_ledger(&model);
            report::write_ledger_csv(&out, &rows)
                .with_context(|| format!("writing the ledger of {}", s.spec.name))?;
            println!("wrote {} ({} rows)", out.display(), rows.len());
            Ok(())
        }
        Command::Run {
            scenario,
            paths,
            seed,
            threads,
            out,
            keep_paths,
        } => {
            let s = load(scenario.as_deref())?;
            let dir = out.unwrap_or_else(|| Path::new("reports").join(&s.spec.name));
            let mut opts = RunOptions::new(
                paths.unwrap_or(s.spec.run.paths as usize),
                seed.unwrap_or(s.spec.run.seed),
            );
            if threads == Some(0) {
                anyhow::bail!("--threads must be at least 1");
            }
            opts.threads = threads;
            opts.keep_paths = keep_paths;
            let bar = progress_bar(opts.paths as u64);
            let outcome = fundrisk::run::run_scenario(&s, &opts, &dir, &|n| bar.inc(n as u64))?;
            bar.finish_and_clear();
            println!(
                "{}: {} paths in {:.1} s; wrote {} ({})",
                s.spec.name,
                opts.paths,
                outcome.wall_seconds,
                outcome.dir.display(),
                outcome.files.join(", ")
            );
            Ok(())
        }
    }
}
