//! Fund accounting, generic over the money type: `f64` in the Monte Carlo hot loop and
//! `rust_decimal::Decimal` for the exact ledger of the expected path, where every line is
//! rounded to the fen each month and the balance is carried from the rounded lines, so that
//! B(t) = B(t−1) + income − spending + interest + transfers holds exactly.

use rust_decimal::prelude::*;
use std::fmt::Debug;
use std::ops::{Add, AddAssign, Index, IndexMut, Neg, Sub, SubAssign};

/// Money on a fund's books.
pub trait Money:
    Copy
    + Debug
    + Default
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + AddAssign
    + SubAssign
    + Neg<Output = Self>
    + Send
    + Sync
{
    /// A line amount in yuan (Decimal: rounded to the fen, half away from zero).
    fn from_yuan(x: f64) -> Self;
    fn to_yuan(self) -> f64;
    /// One month of interest at `annual_rate` on this balance (Decimal: rounded to the fen).
    fn monthly_interest(self, annual_rate: f64) -> Self;
    /// self / 12, unrounded (for the 12-month average).
    fn twelfth(self) -> Self;
    /// self / other as months of capacity (Decimal: rounded to 0.01); None if other ≤ 0.
    fn months_over(self, other: Self) -> Option<Self>;
    /// self × share (Decimal: rounded to the fen).
    fn scale(self, share: f64) -> Self;
}

impl Money for f64 {
    #[inline]
    fn from_yuan(x: f64) -> Self {
        x
    }
    #[inline]
    fn to_yuan(self) -> f64 {
        self
    }
    #[inline]
    fn monthly_interest(self, annual_rate: f64) -> Self {
        self * annual_rate / 12.0
    }
    #[inline]
    fn twelfth(self) -> Self {
        self / 12.0
    }
    #[inline]
    fn months_over(self, other: Self) -> Option<Self> {
        (other > 0.0).then(|| self / other)
    }
    #[inline]
    fn scale(self, share: f64) -> Self {
        self * share
    }
}

fn fen(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

impl Money for Decimal {
    fn from_yuan(x: f64) -> Self {
        fen(Decimal::from_f64_retain(x).unwrap_or_default())
    }
    fn to_yuan(self) -> f64 {
        self.to_f64().unwrap_or(f64::NAN)
    }
    fn monthly_interest(self, annual_rate: f64) -> Self {
        let rate = Decimal::from_f64(annual_rate).unwrap_or_default();
        fen(self * rate / Decimal::from(12))
    }
    fn twelfth(self) -> Self {
        self / Decimal::from(12)
    }
    fn months_over(self, other: Self) -> Option<Self> {
        (other > Decimal::ZERO).then(|| fen(self / other))
    }
    fn scale(self, share: f64) -> Self {
        fen(self * Decimal::from_f64(share).unwrap_or_default())
    }
}

/// Income lines of a fund (pooled income; personal-account parts are never here).
pub const INCOME_LINES: [&str; 8] = [
    "income_employer",
    "income_employee",
    "income_flexible",
    "income_buyin",
    "income_maternity",
    "income_treasury",
    "income_resident",
    "income_subsidy",
];
pub const N_INCOME: usize = INCOME_LINES.len();
/// The income lines of a fund, in the order of [`INCOME_LINES`] (their index in a month's
/// income array).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IncomeLine {
    Employer,
    Employee,
    Flexible,
    /// Buy-in of missing contribution years.
    Buyin,
    /// Maternity contributions (the separate maternity fund, before a merger).
    Maternity,
    /// Payments from county treasuries at the annual settlement (city-unified pooling).
    Treasury,
    /// Residents' own contributions.
    Resident,
    /// Fiscal subsidies for residents.
    Subsidy,
}

impl IncomeLine {
    pub const ALL: [IncomeLine; N_INCOME] = [
        IncomeLine::Employer,
        IncomeLine::Employee,
        IncomeLine::Flexible,
        IncomeLine::Buyin,
        IncomeLine::Maternity,
        IncomeLine::Treasury,
        IncomeLine::Resident,
        IncomeLine::Subsidy,
    ];
    /// Its column name (`income_employer`, …) and label key.
    pub const fn name(self) -> &'static str {
        INCOME_LINES[self as usize]
    }
}

/// Spending lines of a fund.
pub const SPENDING_LINES: [&str; 7] = [
    "spending_inpatient",
    "spending_critical_illness",
    "spending_tier2",
    "spending_outpatient",
    "spending_personal_account",
    "spending_maternity_medical",
    "spending_maternity_allowance",
];
pub const N_SPENDING: usize = SPENDING_LINES.len();
/// The spending lines of a fund, in the order of [`SPENDING_LINES`] (their index in a month's
/// spending array).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SpendingLine {
    Inpatient,
    CriticalIllness,
    /// Second-tier inpatient benefits (Jiangmen 二档).
    Tier2,
    Outpatient,
    /// Personal-account credits paid from pooled money.
    PersonalAccount,
    MaternityMedical,
    MaternityAllowance,
}

impl SpendingLine {
    pub const ALL: [SpendingLine; N_SPENDING] = [
        SpendingLine::Inpatient,
        SpendingLine::CriticalIllness,
        SpendingLine::Tier2,
        SpendingLine::Outpatient,
        SpendingLine::PersonalAccount,
        SpendingLine::MaternityMedical,
        SpendingLine::MaternityAllowance,
    ];
    /// Its column name (`spending_inpatient`, …) and label key.
    pub const fn name(self) -> &'static str {
        SPENDING_LINES[self as usize]
    }
}

/// A month's income array is indexed by its lines: `income[IncomeLine::Treasury]`.
impl<T> Index<IncomeLine> for [T; N_INCOME] {
    type Output = T;
    #[inline]
    fn index(&self, line: IncomeLine) -> &T {
        &self[line as usize]
    }
}

impl<T> IndexMut<IncomeLine> for [T; N_INCOME] {
    #[inline]
    fn index_mut(&mut self, line: IncomeLine) -> &mut T {
        &mut self[line as usize]
    }
}

/// A month's spending array is indexed by its lines: `spending[SpendingLine::Tier2]`.
impl<T> Index<SpendingLine> for [T; N_SPENDING] {
    type Output = T;
    #[inline]
    fn index(&self, line: SpendingLine) -> &T {
        &self[line as usize]
    }
}

impl<T> IndexMut<SpendingLine> for [T; N_SPENDING] {
    #[inline]
    fn index_mut(&mut self, line: SpendingLine) -> &mut T {
        &mut self[line as usize]
    }
}

/// One fund's month on the books.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FundMonth<M> {
    pub income: [M; N_INCOME],
    pub spending: [M; N_SPENDING],
    pub income_total: M,
    pub spending_total: M,
    pub interest: M,
    /// Balance moved in (+) or out (−) by a merger of funds.
    pub transfer_merger: M,
    pub transfers_net: M,
    /// Accumulated balance at the end of the month.
    pub balance: M,
    /// Pooled spending as the bulletins count it (without the credits paid into personal
    /// accounts) over the 12 months to this one, / 12.
    pub avg_spending_12m: M,
    /// balance / avg_spending_12m; None when there is no spending (unbounded).
    pub months_of_capacity: Option<M>,
}

/// The credits a month pays from pooled money into personal accounts (`spending_personal_account`:
/// retirees' credits, 国办发〔2021〕14号, and credits by age band such as Jiangmen's; the
/// employer's share credited to accounts is netted from income when it is collected). The
/// bulletins count them as the accounts' income, not as pooled income or spending: the 2024
/// bulletin's pooled income 17,342.45 亿 plus account income 6,390.02 亿 is the fund's income
/// 23,732.47 亿 exactly. The ledger books them as pooled spending (the fund's cash is the same
/// either way).
pub(crate) fn account_credits<M: Money>(spending: &[M; N_SPENDING]) -> M {
    spending[SpendingLine::PersonalAccount]
}

impl<M: Money> FundMonth<M> {
    /// The month's pooled (income, spending) as the bulletins count them: net of the account
    /// credits ([`account_credits`]).
    pub fn as_published(&self) -> (M, M) {
        let credits = account_credits(&self.spending);
        (self.income_total - credits, self.spending_total - credits)
    }
}

/// The books of one fund: its balance and the last twelve months of spending.
#[derive(Clone, Debug)]
pub(crate) struct FundBook<M> {
    pub(crate) balance: M,
    window: [M; 12],
    pos: usize,
    window_sum: M,
}

impl<M: Money> FundBook<M> {
    /// `spending_prev_year`: the fund's spending of the year before the start, which stands in
    /// for the months before the projection in the 12-month average.
    pub fn new(opening_balance: f64, spending_prev_year: f64) -> FundBook<M> {
        let prev = M::from_yuan(spending_prev_year);
        let month = prev.twelfth();
        let mut window_sum = M::default();
        for _ in 0..12 {
            window_sum += month;
        }
        FundBook {
            balance: M::from_yuan(opening_balance),
            window: [month; 12],
            pos: 0,
            window_sum,
        }
    }

    /// [`Self::post_into`], returning the month.
    #[cfg(test)]
    pub(crate) fn post(
        &mut self,
        income: [M; N_INCOME],
        spending: [M; N_SPENDING],
        annual_rate: f64,
        transfer_merger: M,
        other_transfers: M,
    ) -> FundMonth<M> {
        let mut month = FundMonth::default();
        self.post_into(
            &income,
            &spending,
            annual_rate,
            transfer_merger,
            other_transfers,
            &mut month,
        );
        month
    }

    /// Posts a month. Interest is earned on a positive opening balance (plus a merger's transfer
    /// at the start of the month) only: a negative balance is an advance from the treasury and
    /// earns nothing.
    ///
    /// The month is written into `month`: a path keeps one record per fund and overwrites it.
    #[inline]
    pub(crate) fn post_into(
        &mut self,
        income: &[M; N_INCOME],
        spending: &[M; N_SPENDING],
        annual_rate: f64,
        transfer_merger: M,
        other_transfers: M,
        month: &mut FundMonth<M>,
    ) {
        // Money moved in by a merger at the start of the month earns the month's interest in
        // its new fund.
        let base = self.balance + transfer_merger;
        let interest = if base > M::default() {
            base.monthly_interest(annual_rate)
        } else {
            M::default()
        };
        let mut income_total = M::default();
        for &x in income {
            income_total += x;
        }
        let mut spending_total = M::default();
        for &x in spending {
            spending_total += x;
        }
        let transfers_net = transfer_merger + other_transfers;
        self.balance = self.balance + income_total - spending_total + interest + transfers_net;
        // Months of capacity divide by pooled spending as the bulletins count it, as 可支付月数
        // is published.
        let paid = spending_total - account_credits(spending);
        self.window_sum = self.window_sum + paid - self.window[self.pos];
        self.window[self.pos] = paid;
        // The next slot of the twelve (a comparison, not a division, in the hot loop).
        self.pos = if self.pos == 11 { 0 } else { self.pos + 1 };
        let avg = self.window_sum.twelfth();
        month.income = *income;
        month.spending = *spending;
        month.income_total = income_total;
        month.spending_total = spending_total;
        month.interest = interest;
        month.transfer_merger = transfer_merger;
        month.transfers_net = transfers_net;
        month.balance = self.balance;
        month.avg_spending_12m = avg;
        month.months_of_capacity = self.balance.months_over(avg);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_enums_follow_the_column_order() {
        for (i, l) in IncomeLine::ALL.iter().enumerate() {
            assert_eq!(*l as usize, i);
            assert!(l.name().starts_with("income_"));
        }
        for (i, l) in SpendingLine::ALL.iter().enumerate() {
            assert_eq!(*l as usize, i);
            assert!(l.name().starts_with("spending_"));
        }
        assert_eq!(IncomeLine::Treasury.name(), "income_treasury");
        assert_eq!(SpendingLine::Tier2.name(), "spending_tier2");
        assert_eq!(IncomeLine::Subsidy as usize, N_INCOME - 1);
        assert_eq!(SpendingLine::MaternityAllowance as usize, N_SPENDING - 1);
        // The month's arrays are indexed by their lines.
        let mut income = [0.0; N_INCOME];
        income[IncomeLine::Treasury] = 5.0;
        assert_eq!(income, [0.0, 0.0, 0.0, 0.0, 0.0, 5.0, 0.0, 0.0]);
        let mut spending = [0.0; N_SPENDING];
        spending[SpendingLine::Tier2] = 2.0;
        assert_eq!(spending[SpendingLine::Tier2], spending[2]);
        assert_eq!(spending.iter().sum::<f64>(), 2.0);
    }

    /// Months of capacity divide by pooled spending as the bulletins count it: a month paying
    /// 100 yuan of benefits and crediting 20 to personal accounts, after a year before of 1,200
    /// (100 a month), leaves a 12-month average of (11 × 100 + 100) / 12 = 100, not 101.67;
    /// the balance pays all 120: 1,030 / 100 = 10.30 months. In Decimal, to the fen.
    #[test]
    fn months_of_capacity_leave_out_the_account_credits() {
        let mut book = FundBook::<Decimal>::new(1_000.0, 1_200.0);
        let mut spending = [Decimal::ZERO; N_SPENDING];
        spending[SpendingLine::Inpatient] = Decimal::new(100, 0);
        spending[SpendingLine::PersonalAccount] = Decimal::new(20, 0);
        let mut income = [Decimal::ZERO; N_INCOME];
        income[IncomeLine::Employer] = Decimal::new(150, 0);
        let r = book.post(income, spending, 0.0, Decimal::ZERO, Decimal::ZERO);
        assert_eq!(r.spending_total, Decimal::new(120, 0));
        assert_eq!(r.balance, Decimal::new(1_030, 0));
        assert_eq!(r.avg_spending_12m, Decimal::new(100, 0));
        assert_eq!(r.months_of_capacity, Some(Decimal::new(1030, 2)));
    }

    #[test]
    fn decimal_lines_are_rounded_to_the_fen() {
        assert_eq!(Decimal::from_yuan(1234.565), Decimal::new(123457, 2));
        assert_eq!(Decimal::from_yuan(-0.005), Decimal::new(-1, 2));
        assert_eq!(
            Decimal::new(10_000_000, 2).monthly_interest(0.015),
            Decimal::new(12_500, 2)
        );
    }

    #[test]
    fn balance_identity_and_capacity_by_hand() {
        // Opening 1,200 yuan; last year's spending 1,200 (100 a month).
        let mut b: FundBook<Decimal> = FundBook::new(1200.0, 1200.0);
        let mut inc = [Decimal::ZERO; N_INCOME];
        inc[IncomeLine::Employer] = Decimal::from_yuan(150.004);
        let mut sp = [Decimal::ZERO; N_SPENDING];
        sp[SpendingLine::Inpatient] = Decimal::from_yuan(220.0);
        let m = b.post(inc, sp, 0.12, Decimal::ZERO, Decimal::ZERO);
        // interest 1,200 × 1 % = 12; balance 1,200 + 150 − 220 + 12 = 1,142.
        assert_eq!(m.interest, Decimal::new(1200, 2));
        assert_eq!(m.balance, Decimal::new(114200, 2));
        // average: (11 × 100 + 220) / 12 = 110; months 1,142 / 110 = 10.38.
        assert_eq!(m.avg_spending_12m, Decimal::from(110));
        assert_eq!(m.months_of_capacity, Some(Decimal::new(1038, 2)));
        // A negative balance earns nothing.
        let mut neg: FundBook<f64> = FundBook::new(-10.0, 0.0);
        let m = neg.post([0.0; N_INCOME], [0.0; N_SPENDING], 0.05, 0.0, 0.0);
        assert_eq!(m.interest, 0.0);
        assert_eq!(m.months_of_capacity, None);
    }
}
