//! Policy rules: contributions, benefit scales, maternity, personal accounts.

pub mod lognormal;
pub mod scale;
