//! fundrisk-core: the model of fundrisk, Monte Carlo risk forecasts for Chinese social medical
//! insurance funds, with no files, charts or command line (those are `fundrisk-report` and
//! `fundrisk`).
//!
//! Organised by the concepts of the model (see `shared/MODEL.md`), dependencies running one way:
//! [`params`] (dated values) → [`scenario`] (the TOML format and its validation), [`data`]
//! (calibration tables), [`calibrate`] (driver estimates from public series) → the domain:
//! [`population`] (membership cells and flows), [`economy`] (drivers), [`policy`]
//! (contributions, benefit scales, maternity), [`pooling`] (money between funds) → [`engine`]
//! (one path's monthly projection and the Monte Carlo executor), [`ledger`] (fund accounting,
//! exact in Decimal) → [`risk`] (risk measures over paths) → the studies: [`base_year`],
//! [`backtest`], [`rolling`], [`study`] (solve-rate, compare, sensitivity). Results leave as
//! typed structs or as a [`table::Table`] of named columns.

// Cell arithmetic indexes several parallel arrays by age and group; index loops read clearer.
#![allow(clippy::needless_range_loop)]

pub mod backtest;
pub mod base_year;
pub mod calibrate;
pub mod data;
pub mod economy;
pub mod engine;
pub mod error;
pub mod ledger;
pub(crate) mod numeric;
pub mod params;
pub mod policy;
pub mod pooling;
pub mod population;
pub mod risk;
pub mod rolling;
pub mod scenario;
pub mod study;
pub mod table;

pub use error::{Error, Result};
