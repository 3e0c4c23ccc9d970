//! Statutory retirement ages, including the 2025 reform.
//!
//! Source: 全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定 (2024-09-13) and its
//! annex 国务院关于渐进式提高职工法定退休年龄的办法, with the comparison tables (附件 1–3,
//! 延迟法定退休年龄对照表). From 2025-01 the age rises over 15 years: men 60 → 63 and women 55 → 58
//! by one month for every 4 months of birth; women 50 → 55 by one month for every 2 months.

use crate::params::Month;

/// Retirement-age group of a member. Women's original age is 50 (workers) or 55 (cadres).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RetirementGroup {
    Male60 = 0,
    Female50 = 1,
    Female55 = 2,
}

pub(crate) const N_GROUPS: usize = 3;
pub(crate) const GROUPS: [RetirementGroup; N_GROUPS] = [
    RetirementGroup::Male60,
    RetirementGroup::Female50,
    RetirementGroup::Female55,
];

impl RetirementGroup {
    /// 0 = male, 1 = female.
    pub fn sex(self) -> usize {
        match self {
            RetirementGroup::Male60 => 0,
            _ => 1,
        }
    }

    /// (original age in years, first birth month affected, birth months per month of delay,
    /// maximum delay in months).
    #[inline]
    fn rule(self) -> (i32, Month, i32, i32) {
        // January of year y (Month::new(y, 1), without its range check: the step tables of
        // the whole horizon call this for every cell and month).
        let january = |y: i32| Month::from_index(y * 12);
        match self {
            RetirementGroup::Male60 => (60, january(1965), 4, 36),
            RetirementGroup::Female55 => (55, january(1970), 4, 36),
            RetirementGroup::Female50 => (50, january(1975), 2, 60),
        }
    }

    /// Statutory retirement age in months for a member born in `birth`.
    #[inline]
    pub(crate) fn age_months(self, birth: Month, reform: bool) -> i32 {
        let (base, first, step, max) = self.rule();
        let n = birth.since(first);
        let delay = if !reform || n < 0 {
            0
        } else {
            (n / step + 1).min(max)
        };
        base * 12 + delay
    }

    /// The month in which a member born in `birth` reaches the statutory retirement age.
    #[inline]
    pub(crate) fn retirement_month(self, birth: Month, reform: bool) -> Month {
        birth.plus(self.age_months(birth, reform))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RetirementGroup::*;

    fn m(s: &str) -> Month {
        s.parse().unwrap()
    }

    /// Rows of the official comparison tables (延迟法定退休年龄对照表, 2024-09-13): birth month →
    /// (retirement age, retirement month).
    #[test]
    fn official_comparison_table_rows() {
        // 附件1 (men, originally 60): born 1964-12 → 60, 2024-12 (before the reform).
        assert_eq!(Male60.retirement_month(m("1964-12"), true), m("2024-12"));
        // born 1965-01 … 1965-04 → 60 years 1 month: 2025-02 … 2025-05.
        assert_eq!(Male60.age_months(m("1965-01"), true), 60 * 12 + 1);
        assert_eq!(Male60.retirement_month(m("1965-01"), true), m("2025-02"));
        assert_eq!(Male60.retirement_month(m("1965-04"), true), m("2025-05"));
        // born 1965-05 → 60 years 2 months: 2025-07.
        assert_eq!(Male60.retirement_month(m("1965-05"), true), m("2025-07"));
        // born 1966-12 → 60 years 6 months: 2027-06.
        assert_eq!(Male60.retirement_month(m("1966-12"), true), m("2027-06"));
        // born 1976-09 and later → 63.
        assert_eq!(Male60.age_months(m("1976-08"), true), 62 * 12 + 11);
        assert_eq!(Male60.age_months(m("1976-09"), true), 63 * 12);
        assert_eq!(Male60.retirement_month(m("1980-01"), true), m("2043-01"));

        // 附件2 (women, originally 55): born 1970-01 → 55 years 1 month, 2025-02;
        // born 1981-09 and later → 58.
        assert_eq!(Female55.retirement_month(m("1970-01"), true), m("2025-02"));
        assert_eq!(Female55.age_months(m("1981-08"), true), 57 * 12 + 11);
        assert_eq!(Female55.age_months(m("1981-09"), true), 58 * 12);

        // 附件3 (women, originally 50): born 1975-01 and 1975-02 → 50 years 1 month:
        // 2025-02 and 2025-03; born 1975-03 → 50 years 2 months: 2025-05;
        // born 1984-11 and later → 55.
        assert_eq!(Female50.retirement_month(m("1975-01"), true), m("2025-02"));
        assert_eq!(Female50.retirement_month(m("1975-02"), true), m("2025-03"));
        assert_eq!(Female50.retirement_month(m("1975-03"), true), m("2025-05"));
        assert_eq!(Female50.age_months(m("1984-10"), true), 54 * 12 + 11);
        assert_eq!(Female50.age_months(m("1984-11"), true), 55 * 12);
        assert_eq!(Female50.retirement_month(m("1974-12"), true), m("2024-12"));
    }

    #[test]
    fn without_reform_ages_are_the_old_ones() {
        assert_eq!(Male60.age_months(m("1980-01"), false), 720);
        assert_eq!(Female50.age_months(m("1990-06"), false), 600);
        assert_eq!(Female55.age_months(m("1990-06"), false), 660);
    }
}
