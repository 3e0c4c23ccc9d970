//! Policy rules, one module per section of MODEL.md: [`contributions`] ("Contributions"),
//! [`spending`] ("Spending": benefit kinds, scales, regimes and the month's expected payments),
//! [`accounts`] (the personal-account credits of "Spending"), [`maternity`] ("Maternity"); and
//! the mathematics they share: [`scale`] (benefit scales as piecewise-linear functions),
//! [`lognormal`] (exact expectations under log-normal costs), [`grid`] (expected payments
//! tabulated against the cost shift). `engine::unit` composes them with the population into a
//! unit's month.

pub mod accounts;
pub mod contributions;
pub mod grid;
pub(crate) mod lognormal;
pub mod maternity;
pub mod scale;
pub mod spending;
