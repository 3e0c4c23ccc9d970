//! Personal accounts (MODEL.md, "Spending": the pooled fund's credits to personal accounts):
//! retirees' monthly credit, and active members' credits by age band or their own contribution
//! where higher (Jiangmen 001, 二档 personal accounts).

use crate::data::{MIN_AGE, N_AGES, N_STATUS, Status};
use crate::params::Month;
use crate::policy::contributions::ContributionBases;
use crate::population::{Cells, GROUPS, cell};
use crate::scenario::PolicySpec;

/// The pooled fund's credits to personal accounts in month `t` (yuan): `members` by status at
/// the start of the month, `bases` the expected contribution bases, `flexible_base` flexible
/// workers' base.
#[inline(always)]
pub(crate) fn credits(
    p: &PolicySpec,
    t: Month,
    members: &[f64; N_STATUS],
    cells: &Cells,
    bases: &ContributionBases,
    flexible_base: f64,
) -> f64 {
    let mut total = members[Status::Retiree as usize] * p.retiree_account_credit.at(t);
    if let Some(bands) = &p.account_credit_bands {
        // Active members' monthly credits by age band, or their own contribution (a share
        // of their base) where higher (Jiangmen 001, 二档 personal accounts).
        let own = p.account_credit_own_rate;
        let mut credits = 0.0;
        for g in GROUPS {
            let sex = g.sex();
            for a in 0..N_AGES {
                let age = (a + MIN_AGE) as f64;
                let band = bands.iter().find(|b| age < b[0]).map_or(0.0, |b| b[1]);
                let base = bases.of(sex, a);
                let gi = g as usize;
                for (st, b) in [
                    (Status::Enterprise, base),
                    (Status::Government, base),
                    (Status::Flexible, flexible_base),
                    (Status::ContinuingContributor, 0.0),
                ] {
                    let n = cells.n[cell(gi, st as usize, a)];
                    if n > 0.0 {
                        credits += n * band.max(own * b);
                    }
                }
            }
        }
        total += credits;
    }
    total
}
