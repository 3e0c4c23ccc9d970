//! fundrisk: Monte Carlo risk forecasts for Chinese social medical insurance funds.
//!
//! The library is three crates whose dependencies run one way (docs/architecture.md):
//! `fundrisk-core` (the model, up to the risk measures and studies; no polars, plotters,
//! rust_xlsxwriter, clap or indicatif), `fundrisk-report` (tables, charts, pages, workbooks, run
//! folders, shards) and this crate, the `fundrisk` command, a thin layer over both. This library
//! re-exports their modules under one name, `fundrisk::…`, for the tests, the benchmarks and
//! programs that want everything.

pub use fundrisk_report::*;
