//! Command-line interface: argument parsing and calls into the library; no model logic.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use fundrisk::engine::ScenarioModel;
use fundrisk::report;
use fundrisk::scenario::Scenario;
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
    /// Run a scenario and write its outputs into a folder (default reports/<scenario-name>/).
    Run {
        scenario: Option<PathBuf>,
        #[arg(long)]
        out: Option<PathBuf>,
    },
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
        Command::Run { scenario, out } => {
            let s = load(scenario.as_deref())?;
            let dir = out.unwrap_or_else(|| Path::new("reports").join(&s.spec.name));
            let written = fundrisk::run::run_deterministic(&s, &dir)?;
            println!("wrote {}", written.display());
            Ok(())
        }
    }
}
