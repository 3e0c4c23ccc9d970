//! Policy rules: contributions, benefit scales, maternity, personal accounts.

pub mod contributions;
pub mod grid;
pub mod lognormal;
pub mod scale;
pub mod spending;
