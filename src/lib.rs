//! fundrisk: Monte Carlo risk forecasts for Chinese social medical insurance funds.
//!
//! The library is organised by the concepts of the model (see `shared/MODEL.md`):
//! [`scenario`] (the TOML format and its validation), [`params`] (dated values), [`data`]
//! (calibration tables), [`calibrate`] (driver estimates from public series), [`population`] (membership cells and flows), [`economy`] (drivers),
//! [`policy`] (contributions, benefit scales, maternity), [`engine`] (one path's monthly
//! projection and the Monte Carlo engine), [`ledger`] (fund accounting, exact in Decimal), [`risk`]
//! (risk measures over paths), [`backtest`] (forecasts of past years against what happened), [`report`] (tables and files) and [`run`] (a run into a folder).

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
pub mod params;
pub mod policy;
pub mod pooling;
pub mod population;
pub mod report;
pub mod risk;
pub mod rolling;
pub mod run;
pub mod scenario;
pub mod shard;
pub mod study;

pub use error::{Error, Result};
