//! fundrisk-report: what fundrisk writes — tables (CSV, Parquet), charts (SVG, PNG), report
//! pages, workbooks and PDF ([`report`]), run and study folders ([`run`]) and sharded runs
//! ([`shard`]) — over the model in `fundrisk-core`, whose modules are re-exported here so that
//! one `use fundrisk_report::…` reaches both.

// Cell arithmetic indexes several parallel arrays by age and group; index loops read clearer.
#![allow(clippy::needless_range_loop)]

pub use fundrisk_core::*;

pub mod report;
pub mod run;
pub mod shard;
