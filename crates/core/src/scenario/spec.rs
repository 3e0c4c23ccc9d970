//! The scenario file format (TOML). Every field, its unit and its default is documented in
//! `docs/scenario-format.md`; keep the two in step.

use crate::params::{Dated, Month};
use serde::{Deserialize, Serialize};

fn d<T: From<f64>>(v: f64) -> T {
    T::from(v)
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    /// Short identifier, used for the default output folder `reports/<name>/`.
    pub name: String,
    /// The scenario's title in Chinese reports (default: `name`).
    #[serde(default)]
    pub title: String,
    /// The scenario's title in English reports (default: `name`).
    #[serde(default)]
    pub title_en: String,
    #[serde(default)]
    pub description: String,
    /// First projected month.
    pub start: Month,
    /// Number of months projected (1–1200).
    pub horizon_months: u32,
    #[serde(default)]
    pub run: RunSpec,
    #[serde(default)]
    pub data: DataSpec,
    #[serde(default)]
    pub economy: EconomySpec,
    #[serde(default)]
    pub risk: RiskSpec,
    #[serde(default)]
    pub pooling: PoolingSpec,
    /// Policy parameters shared by every unit; a unit's own `policy` table overrides them key by key.
    #[serde(default)]
    pub policy: toml::Table,
    pub units: Vec<UnitSpec>,
    /// Management rules evaluated at every year end (MODEL.md, "Fund, pooling and rules").
    #[serde(default)]
    pub rules: Vec<RuleSpec>,
    /// Calibration fragments merged under this file, in order: paths relative to it, or
    /// `builtin:calibration/NAME.toml`. A fragment holds `[calibration]` and `[economy]` only;
    /// this file's own fields override the fragment's, field by field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// What a calibration fragment records of itself (written by `fundrisk calibrate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibration: Option<CalibrationSpec>,
    /// A rolling-origin backtest of which this scenario is the template (`fundrisk backtest`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backtest: Option<RollingSpec>,
}

/// A rolling-origin backtest: the scenario is a template re-started at the end of each origin
/// year with only the data published by then — its first unit positioned at the published
/// year end, its drivers calibrated on the growth rates up to the origin, its base year solved
/// on the whole fund's published income and pooled balance — and projected to `last_year`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RollingSpec {
    /// First and last origin year (the end of an origin year is its starting position).
    pub origins: [i32; 2],
    /// The last year forecast: the latest year with published actuals.
    pub last_year: i32,
    /// First year of growth rates of every origin's driver calibration.
    pub calibration_from: i32,
    /// Folder of the published series (`wages.csv`, `employee_medical_insurance.csv`,
    /// `births.csv`), relative to the scenario file.
    pub series: String,
    /// Births a year at fertility level 1 (the ASFR table's year), persons: an origin's
    /// fertility level is its own year's births over these.
    pub reference_births: f64,
    /// Membership structures of the first unit by the first origin year each serves (an origin
    /// takes the latest whose `from` is not after it).
    pub structures: Vec<DatedTable>,
    /// Every origin's `base_year.jump_tolerance` (share 0–1).
    #[serde(default = "default_jump_tolerance")]
    pub jump_tolerance: f64,
    /// Whether each origin's calibrated drivers carry the standard error of their mean as
    /// `mean_uncertainty` (parameter uncertainty), unless the template sets it.
    #[serde(default)]
    pub parameter_uncertainty: bool,
    /// Whether each origin solves its retirement take-up level on the published growth of
    /// retirees over its base year (`base_year.members_retired_prev`) and carries that level's
    /// uncertainty: the standard deviation of the published retirees' log growth over the
    /// calibration window, over the base year's growth per unit of take-up, as both the
    /// take-up's annual volatility and its mean's uncertainty.
    #[serde(default)]
    pub retirement_take_up: bool,
    /// Whether each origin's `economy.collection_rate` volatility is estimated on the published
    /// series up to it: the standard deviation of the fund income's annual log growth less the
    /// log growths of the average wage and of the members in service (the growth a constant
    /// collection level does not explain), over the calibration window, leaving out each year
    /// in which or after which a dated policy change of the template takes effect; over
    /// √(2 (1 − persistence)), the level's.
    #[serde(default)]
    pub collection_volatility: bool,
    /// Whether the variance an origin estimates from n annual values is carried with its own
    /// uncertainty: each volatility estimated as the sample standard deviation of n values (the
    /// calibrated drivers without a template value, the collection level's with
    /// `collection_volatility`, the retirement take-up's with `retirement_take_up`) and, with
    /// `parameter_uncertainty`, each calibrated mean's standard error (s/√n, from the same
    /// estimated variance) are multiplied by √((n − 1)/(n − 3)), the standard deviation of
    /// Student's t with n − 1 degrees of freedom over the normal's: the predictive distribution
    /// of a next value, and of the mean, when the variance is estimated from the same n values
    /// (×1.73 at n = 4, ×1.13 at n = 10). The wage's local-level fit (`wage_drift_from`) is a
    /// likelihood fit on the longer series and is left as it is.
    #[serde(default)]
    pub variance_uncertainty: bool,
    /// First year of the wage growth rates on which each origin estimates the drift of the
    /// wage growth's mean (`economy.wage_growth.mean_drift`, regime uncertainty): the
    /// local-level model fitted to the growth rates of this year to the origin. Absent: no
    /// drift (unless the template sets one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wage_drift_from: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// A data table serving from a year on.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatedTable {
    pub from: i32,
    pub table: String,
}

/// The record of a calibration (`fundrisk calibrate`): its name, the years of growth rates it
/// was estimated on, the files it read and the standard error of every estimate.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalibrationSpec {
    pub name: String,
    /// First and last year of the growth rates used.
    pub window: [i32; 2],
    #[serde(default)]
    pub sources: Vec<String>,
    /// Standard errors by field (`wage_growth.mean`, `correlation.wage_growth.employment_growth`).
    #[serde(default)]
    pub standard_errors: std::collections::BTreeMap<String, f64>,
}

/// What a management rule does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// If a unit's pooled fund has fewer than `below_months` of payment capacity at a year
    /// end, its employer rate rises by `step` from the next January, up to `ceiling`.
    RaiseEmployerRate,
    /// The same for the residents' contribution rate (share of the disposable income per
    /// resident, `resident_rate`), up to `ceiling`; the subsidy per resident rises by
    /// `subsidy_step` yuan a year each time.
    RaiseResidentContribution,
}

/// What a management rule judges under `accounts` pooling.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleScope {
    /// The fund: the sum of its accounts (Jiangmen 001 四(五)3 "当基金累计结余低于6个月支付能力时",
    /// the 医保基金 of both tiers).
    #[default]
    Fund,
    /// Each account on its own (the fund is "分账核算" by residents and employees, 四(五)1).
    Account,
}

/// A management rule, e.g. Jiangmen's "below 6 months of capacity, rates are adjusted".
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub kind: RuleKind,
    /// Months of payment capacity at the year end below which the rule fires.
    pub below_months: f64,
    /// Added to the employer rate (share of payroll) each time it fires.
    pub step: f64,
    /// The employer rate the rule never lifts it above (share of payroll).
    pub ceiling: f64,
    /// Units it applies to; default: every unit with a pooled fund of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<Vec<String>>,
    /// Under `accounts` pooling: the fund's months of capacity or each account's.
    #[serde(default)]
    pub judged_on: RuleScope,
    /// raise_resident_contribution: added to the subsidy per resident each time it fires, yuan
    /// a year.
    #[serde(default)]
    pub subsidy_step: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSpec {
    /// Default number of Monte Carlo paths.
    #[serde(default = "default_paths")]
    pub paths: u32,
    /// Default seed of the random streams.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Cells with fewer members than this (persons), and monthly birth counts below it, draw
    /// binomial / Poisson counts in Monte Carlo runs; larger ones use expected values. 0: none.
    #[serde(default = "default_small_cell_threshold")]
    pub small_cell_threshold: f64,
    /// Units with fewer members than this at the start (persons: employees, flexible workers,
    /// continuing contributors, retirees and residents) draw the counts of their small cells as
    /// `small_cell_threshold` says; larger units take expected values in every cell. ASSUMPTION:
    /// in a unit of hundreds of thousands of members the binomial noise of deaths, exits and
    /// births is far below the noise of the economic drivers (measured in
    /// docs/assumptions.md and tests/montecarlo.rs); a county is small enough for it to matter.
    /// 0: no unit draws; a very large value: every unit does.
    #[serde(default = "default_random_counts_below_members")]
    pub random_counts_below_members: f64,
}
fn default_small_cell_threshold() -> f64 {
    1000.0
}
fn default_random_counts_below_members() -> f64 {
    200_000.0
}
fn default_paths() -> u32 {
    2000
}
fn default_seed() -> u64 {
    20_190_701
}
impl Default for RunSpec {
    fn default() -> Self {
        RunSpec {
            paths: default_paths(),
            seed: default_seed(),
            small_cell_threshold: default_small_cell_threshold(),
            random_counts_below_members: default_random_counts_below_members(),
        }
    }
}

/// Calibration tables: `builtin:NAME.csv` or a path relative to the scenario file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSpec {
    #[serde(default = "default_life_table")]
    pub life_table: String,
    #[serde(default = "default_asfr")]
    pub asfr: String,
    #[serde(default = "default_cost_curve")]
    pub cost_curve: String,
    #[serde(default = "default_wage_profile")]
    pub wage_profile: String,
    #[serde(default = "default_worker_flows")]
    pub worker_flows: String,
    /// Calendar year of the life table's rates (its improvement runs from there).
    #[serde(default = "default_life_table_year")]
    pub life_table_year: i32,
    /// Multiplier of the life table's improvement rates (0: mortality frozen at the table's
    /// year; 1: the table's rates).
    #[serde(default = "unit_multiplier")]
    pub mortality_improvement: f64,
    /// Multiplier of the life table's death probabilities for the members (insured workers
    /// and retirees are a selected part of the census population).
    #[serde(default = "unit_multiplier")]
    pub mortality_level: f64,
}
fn default_life_table_year() -> i32 {
    2020
}
fn unit_multiplier() -> f64 {
    1.0
}
fn default_life_table() -> String {
    "builtin:life_table.csv".into()
}
fn default_asfr() -> String {
    "builtin:asfr.csv".into()
}
fn default_cost_curve() -> String {
    "builtin:cost_curve.csv".into()
}
fn default_wage_profile() -> String {
    "builtin:wage_profile.csv".into()
}
fn default_worker_flows() -> String {
    "builtin:worker_flows.csv".into()
}
impl Default for DataSpec {
    fn default() -> Self {
        DataSpec {
            life_table: default_life_table(),
            asfr: default_asfr(),
            cost_curve: default_cost_curve(),
            wage_profile: default_wage_profile(),
            worker_flows: default_worker_flows(),
            life_table_year: default_life_table_year(),
            mortality_improvement: unit_multiplier(),
            mortality_level: unit_multiplier(),
        }
    }
}

/// A stochastic driver: an annual rate following AR(1) around a dated mean.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DriverSpec {
    /// Mean (annual rate, or level for collection and interest rates).
    pub mean: Dated<f64>,
    /// Standard deviation of the stationary distribution around the mean.
    #[serde(default)]
    pub volatility: f64,
    /// AR(1) coefficient, in [0, 1).
    #[serde(default)]
    pub persistence: f64,
    /// Standard deviation of the error of the mean itself (parameter uncertainty: the standard
    /// error of a calibrated mean, annual rate or level): each path draws one offset of its
    /// mean, held over the whole horizon. 0 takes the mean as known.
    #[serde(default)]
    pub mean_uncertainty: f64,
    /// Standard deviation of the yearly change of the mean itself (regime uncertainty, annual
    /// rate or level): the mean follows a random walk from the first year of the horizon, so a
    /// path's mean can move as wage growth moved from 14 % to 3 % over 2007–2024. 0 keeps the
    /// dated mean (plus the one offset of `mean_uncertainty`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub mean_drift: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

impl DriverSpec {
    fn with_mean(m: f64) -> Self {
        DriverSpec {
            mean: d(m),
            volatility: 0.0,
            persistence: 0.0,
            mean_uncertainty: 0.0,
            mean_drift: 0.0,
            source: None,
        }
    }
}

/// The fertility factor: a log random walk with drift multiplying ASFR, times a dated level
/// that carries policy shocks (two-child 2016, three-child 2021).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FertilitySpec {
    /// Multiplier on the ASFR table (1 = the table's total fertility), dated.
    #[serde(default = "one")]
    pub level: Dated<f64>,
    /// Annual drift of the log factor.
    #[serde(default)]
    pub drift: f64,
    /// Annual volatility of the log factor.
    #[serde(default)]
    pub volatility: f64,
    /// Persistence φ of the log factor's deviation: x(k) = φ x(k−1) + drift + volatility ε(k).
    /// 1 (the default) is a random walk with drift; below 1 the deviation reverts towards
    /// drift / (1 − φ).
    #[serde(default = "random_walk")]
    pub persistence: f64,
    /// Bounds of the total fertility rate the factor may imply (births per woman): the factor
    /// is held within [tfr_min, tfr_max] / the ASFR table's total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tfr_min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tfr_max: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}
fn random_walk() -> f64 {
    1.0
}
fn one() -> Dated<f64> {
    Dated::Constant(1.0)
}
impl Default for FertilitySpec {
    fn default() -> Self {
        FertilitySpec {
            level: one(),
            drift: 0.0,
            volatility: 0.0,
            persistence: random_walk(),
            tfr_min: None,
            tfr_max: None,
            source: None,
        }
    }
}

/// The correlated economic drivers (MODEL.md, "Stochastic drivers"), in the order of
/// `economy.correlation`; each is the `economy` field of its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Driver {
    WageGrowth,
    MedicalPriceGrowth,
    UtilisationGrowth,
    EmploymentGrowth,
    CollectionRate,
    InterestRate,
    Fertility,
}

/// Number of correlated drivers.
pub(crate) const N_DRIVERS: usize = 7;

impl Driver {
    /// Every driver, in the order of `economy.correlation`.
    pub const ALL: [Driver; N_DRIVERS] = [
        Driver::WageGrowth,
        Driver::MedicalPriceGrowth,
        Driver::UtilisationGrowth,
        Driver::EmploymentGrowth,
        Driver::CollectionRate,
        Driver::InterestRate,
        Driver::Fertility,
    ];

    /// The driver's field name under `economy` (and its name in tables).
    pub const fn name(self) -> &'static str {
        DRIVER_NAMES[self as usize]
    }

    /// The driver whose field name is `name`.
    pub fn from_name(name: &str) -> Option<Driver> {
        Driver::ALL.into_iter().find(|d| d.name() == name)
    }
}

/// The drivers' field names, in the order of `economy.correlation`.
pub(crate) const DRIVER_NAMES: [&str; N_DRIVERS] = [
    "wage_growth",
    "medical_price_growth",
    "utilisation_growth",
    "employment_growth",
    "collection_rate",
    "interest_rate",
    "fertility",
];

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EconomySpec {
    /// Annual growth of the average wage (log rate).
    #[serde(default = "default_wage_growth")]
    pub wage_growth: DriverSpec,
    /// Annual growth of medical prices (log rate).
    #[serde(default = "default_medical_price_growth")]
    pub medical_price_growth: DriverSpec,
    /// Annual growth of utilisation per member (log rate).
    #[serde(default = "default_utilisation_growth")]
    pub utilisation_growth: DriverSpec,
    /// Annual growth of the number of active contributors.
    #[serde(default = "default_employment_growth")]
    pub employment_growth: DriverSpec,
    /// Share of due contributions actually collected (level, 0–1).
    #[serde(default = "default_collection_rate")]
    pub collection_rate: DriverSpec,
    /// Annual interest rate on a positive pooled balance (level).
    #[serde(default = "default_interest_rate")]
    pub interest_rate: DriverSpec,
    #[serde(default)]
    pub fertility: FertilitySpec,
    /// Share of the workers reaching their retirement who become the fund's retirees (level,
    /// 0–1; the rest leave employee insurance at retirement, for example for the residents'
    /// scheme when short of the minimum years). Its annual shocks are independent of the
    /// correlated drivers' and drawn after them. Default: 1, every retirement stays.
    #[serde(default = "default_retirement_take_up")]
    pub retirement_take_up: DriverSpec,
    /// Correlation of the annual shocks, in the order wage, medical price, utilisation,
    /// employment, collection, interest, fertility. Default: identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation: Option<Vec<Vec<f64>>>,
}
fn default_wage_growth() -> DriverSpec {
    DriverSpec::with_mean(0.06)
}
fn default_medical_price_growth() -> DriverSpec {
    DriverSpec::with_mean(0.03)
}
fn default_utilisation_growth() -> DriverSpec {
    DriverSpec::with_mean(0.02)
}
fn default_employment_growth() -> DriverSpec {
    DriverSpec::with_mean(0.01)
}
fn default_collection_rate() -> DriverSpec {
    DriverSpec::with_mean(0.98)
}
fn default_interest_rate() -> DriverSpec {
    DriverSpec::with_mean(0.015)
}
fn default_retirement_take_up() -> DriverSpec {
    DriverSpec::with_mean(1.0)
}
impl Default for EconomySpec {
    fn default() -> Self {
        EconomySpec {
            wage_growth: default_wage_growth(),
            medical_price_growth: default_medical_price_growth(),
            utilisation_growth: default_utilisation_growth(),
            employment_growth: default_employment_growth(),
            collection_rate: default_collection_rate(),
            interest_rate: default_interest_rate(),
            fertility: FertilitySpec::default(),
            retirement_take_up: default_retirement_take_up(),
            correlation: None,
        }
    }
}

/// Warning bands on months of payment capacity (defaults from national guidance; see
/// POLICIES.md "Cross-cutting national rules").
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskSpec {
    #[serde(default = "f15")]
    pub excess: f64,
    #[serde(default = "f9")]
    pub high: f64,
    #[serde(default = "f6")]
    pub reasonable: f64,
    #[serde(default = "f3")]
    pub insufficient: f64,
}
fn f15() -> f64 {
    15.0
}
fn f9() -> f64 {
    9.0
}
fn f6() -> f64 {
    6.0
}
fn f3() -> f64 {
    3.0
}
impl Default for RiskSpec {
    /// Every field at its serde default: the defaults are written once, on the fields.
    fn default() -> Self {
        toml::from_str("").expect("every [risk] field has a default")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PoolingKind {
    /// Each unit is one fund of its own.
    #[default]
    Single,
    /// Shandong (003 §(四)): units keep their balances; each January they pay a levy on last
    /// year's pooled premium income into a provincial adjustment fund, which shares their
    /// current-year deficits at the year end, up to a cap.
    ProvincialAdjustment,
    /// Jiujiang (004): one city balance; counties' gaps are shared between the city fund and
    /// the county treasuries at the annual settlement.
    CityUnified,
    /// Jiangmen (001 四(五)): one fund in which each unit (employees, residents) is an account
    /// of its own; the fund (`fund_name`) is the sum of the accounts, and management rules look
    /// at the fund.
    Accounts,
}

impl PoolingKind {
    /// The `[pooling]` fields this kind reads besides `kind`, the fund's names and `source`
    /// (the others are ignored, and the reports leave them out).
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            PoolingKind::Single | PoolingKind::Accounts => &["treasury_backstop"],
            PoolingKind::ProvincialAdjustment => &[
                "start",
                "initial_balance",
                "levy_rate",
                "gap_share",
                "gap_share_bands",
                "cap_multiple",
                "levy_in_gap",
                "other_uses_share",
                "treasury_backstop",
            ],
            PoolingKind::CityUnified => &[
                "revenue_budget_growth",
                "spending_budget_growth",
                "within_budget_city_share",
                "beyond_budget_city_share",
                "overspend_sharing",
                "missed_revenue_treasury_share",
                "treasury_settlement_month",
                "working_advance_months",
                "treasury_backstop",
            ],
        }
    }

    /// Whether a unit's yearly settlement item (`levy`, `treasury`, … of `pooling.csv`) means
    /// something under this kind: levies and other uses belong to the adjustment fund, county
    /// treasuries, budgets and working advances to the city fund.
    pub fn settles(self, item: &str) -> bool {
        match item {
            "income" | "spending" | "gap" | "received" => true,
            "levy" | "other_uses" => self == PoolingKind::ProvincialAdjustment,
            "treasury" | "revenue_budget" | "spending_budget" | "working_advance" => {
                self == PoolingKind::CityUnified
            }
            _ => false,
        }
    }

    /// The name as written in a scenario.
    pub fn name(self) -> &'static str {
        match self {
            PoolingKind::Single => "single",
            PoolingKind::ProvincialAdjustment => "provincial_adjustment",
            PoolingKind::CityUnified => "city_unified",
            PoolingKind::Accounts => "accounts",
        }
    }
}

/// How units share money. Fields other than `kind` apply to the kind named in their comment.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolingSpec {
    #[serde(default)]
    pub kind: PoolingKind,
    /// Name of the shared fund in every table: the adjustment fund or the city fund.
    #[serde(default = "default_pool_fund_name")]
    pub fund_name: String,
    /// The shared fund's name in Chinese reports (default: 省级调剂金, 市级统筹基金 or 基金合计 by
    /// kind).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fund_title: String,
    /// The shared fund's name in English reports (default by kind).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fund_title_en: String,
    /// provincial_adjustment: first month of the scheme (its January levies start the year).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Month>,
    /// provincial_adjustment: the adjustment fund's balance at the start, yuan.
    #[serde(default)]
    pub initial_balance: f64,
    /// provincial_adjustment: levy as a share of last year's pooled premium income.
    #[serde(default = "three_percent")]
    pub levy_rate: Dated<f64>,
    /// provincial_adjustment: share of a unit's current-year deficit the adjustment fund bears
    /// before the cap.
    #[serde(default = "half_share")]
    pub gap_share: f64,
    /// provincial_adjustment: the share of a gap by its size (003 三(四): "根据缺口额度、省级
    /// 考核评价等因素，合理确定…分担比例"): [[upper bound of the gap as a share of the unit's premium
    /// income of the year (exclusive; the last may be inf), share], …] in increasing order of
    /// bound; a gap beyond the last bound takes the last share. Without it, `gap_share`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gap_share_bands: Option<Vec<[f64; 2]>>,
    /// provincial_adjustment: the fund pays a unit at most this multiple of the unit's levy of
    /// the year before.
    #[serde(default = "two")]
    pub cap_multiple: f64,
    /// provincial_adjustment: whether a unit's current-year gap counts its levy as spending.
    /// 003 三(四) shares a city's "当期…职工医保基金收支缺口"; in the social insurance funds'
    /// accounts the levy is spending (上解上级支出), so the literal reading counts it (true);
    /// false takes the gap of premium income and benefit spending alone.
    #[serde(default = "yes_bool")]
    pub levy_in_gap: bool,
    /// provincial_adjustment: share of each year's levies the adjustment fund spends at the year
    /// end on its other uses (003 三(四): "因国家和省统一政策调整带来的政策补偿性支付以及其他医疗保险
    /// 突发应急支付"), paid to the units in proportion to their levies, after the gap payments
    /// and as far as the fund holds it.
    #[serde(default = "zero_dated")]
    pub other_uses_share: Dated<f64>,
    /// city_unified: annual growth of each county's revenue budget over last year's income.
    #[serde(default)]
    pub revenue_budget_growth: f64,
    /// city_unified: annual growth of each county's spending budget over last year's spending.
    #[serde(default)]
    pub spending_budget_growth: f64,
    /// city_unified: share of a gap paid by the city fund when the county met its revenue
    /// budget and its spending stayed within the spending budget (the county treasury pays the
    /// rest).
    #[serde(default = "one_f")]
    pub within_budget_city_share: f64,
    /// city_unified: share of a gap paid by the city fund when spending exceeded its budget:
    /// of the whole gap or of the part above the budget, as `overspend_sharing` reads it.
    #[serde(default = "eighty_percent")]
    pub beyond_budget_city_share: f64,
    /// city_unified: which part of a county's gap `beyond_budget_city_share` applies to once
    /// its spending exceeds the spending budget (004 三(四)2(1)).
    #[serde(default)]
    pub overspend_sharing: OverspendSharing,
    /// Every pooling kind: whether the government covers a fund's (or an account's) shortfall
    /// (Jiangmen 001 四(一)(二): "落实基金累计结余赤字时的兜底责任"; "在当地医保基金累计结余出现支付
    /// 不足时，按市政府有关规定当年给予财政补贴，确保待遇发放"): a pooled fund whose balance is negative
    /// at a year end receives the deficit from the treasury in January (`income_treasury`).
    #[serde(default)]
    pub treasury_backstop: bool,
    /// city_unified: the month of the next year in which the county treasuries' share of a
    /// year's gaps is booked (004 三(三) "按年结算 … 次年3月底前完成": 3); 12 books it in
    /// December of the same year.
    #[serde(default = "three_u32")]
    pub treasury_settlement_month: u32,
    /// city_unified: share of the gap paid by the county treasury when the county missed its
    /// revenue budget.
    #[serde(default = "one_f")]
    pub missed_revenue_treasury_share: f64,
    /// city_unified: the working fund advanced to each county, in months of its average monthly
    /// spending of the year before.
    #[serde(default = "one_and_a_half")]
    pub working_advance_months: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}
fn default_pool_fund_name() -> String {
    "pool".into()
}
/// `levy_rate`: Shandong 003 (四), "按各市…职工医保统筹基金上年度保险费收入的3%计提".
fn three_percent() -> Dated<f64> {
    d(0.03)
}
/// `gap_share`: ASSUMPTION — 003 (四) and 五(三) leave the share to the gap's size and the
/// province's assessment (see `gap_share_bands`, `units.adjustment_assessment`).
fn half_share() -> f64 {
    0.5
}
/// `cap_multiple`: Shandong 003 (四), "最多不超过上年度该市调剂金上解额的2倍".
fn two() -> f64 {
    2.0
}
fn yes_bool() -> bool {
    true
}
/// `beyond_budget_city_share`: Jiujiang 004 三(四)2(1), spending beyond its budget: the city
/// fund 80 %, the county 20 %.
fn eighty_percent() -> f64 {
    0.8
}
/// `treasury_settlement_month`: Jiujiang 004 三(三), settled "次年3月底前".
fn three_u32() -> u32 {
    3
}

/// Outpatient care at a second chosen clinic (Jiangmen 001 四(四)2(3): "可再选择1家非基层定点医疗机构
/// … 经基层选定医疗机构转诊后30日内…基金支付比例为60%；未经转诊…50%；…其他选定医疗机构年度最高支付限额
/// 480元"). A user's annual outpatient cost X splits into (1 − `share`) X at the primary clinic
/// and `share` X at the second; of the second clinic's care `referred_share` is referred
/// (`referred_ratio`) and the rest direct (`direct_ratio`), each paid up to `cap` a year (the
/// mixture of a user all referred and a user all direct: ASSUMPTION).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecondClinicSpec {
    /// Share of a user's annual outpatient cost at the second clinic, 0–1.
    pub share: f64,
    /// Share of the second clinic's care referred by the primary clinic, 0–1.
    pub referred_share: f64,
    /// Fund ratio of referred care, 0–1.
    pub referred_ratio: f64,
    /// Fund ratio of care without a referral, 0–1.
    pub direct_ratio: f64,
    /// Annual cap of the fund's payments at the second clinic, yuan.
    pub cap: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Whose average wage a share of it refers to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WageReference {
    /// The unit's own average wage.
    #[default]
    Unit,
    /// The scenario area's: every unit's average wage weighted by its members in service at the
    /// start (enterprise, government and flexible workers).
    Area,
}

/// Two readings of Jiujiang's gap sharing (004 三(四)2(1): "当年完成基金收入预算任务的县(市、区)
/// 基金支出超出基金收入的部分：基金支出在预算内的，全部由市级医疗保险统筹基金结余承担；基金支出超出
/// 预算的，由市级医疗保险统筹基金结余承担80%，县(市、区)财政承担20%").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OverspendSharing {
    /// The literal reading: the clause's subject is the gap (基金支出超出基金收入的部分); once
    /// spending exceeds its budget, the whole gap is shared 80/20.
    #[default]
    WholeGap,
    /// The split reading: the part of the gap within the spending budget is shared at
    /// `within_budget_city_share`, the part above the budget at `beyond_budget_city_share`.
    AboveBudget,
}
/// `working_advance_months`: Jiujiang 004 三(三)1, a working fund of 1.5 months of last year's
/// average monthly spending.
fn one_and_a_half() -> f64 {
    1.5
}
impl Default for PoolingSpec {
    /// Every field at its serde default: the defaults are written once, on the fields (each
    /// default function cites its clause).
    fn default() -> Self {
        toml::from_str("").expect("every [pooling] field has a default")
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MembershipSpec {
    /// Age-sex structure within each status.
    #[serde(default = "default_structure")]
    pub structure: String,
    /// Active employees of enterprises (persons).
    #[serde(default)]
    pub enterprise: f64,
    /// Active employees of government and public institutions (persons).
    #[serde(default)]
    pub government: f64,
    /// Flexible workers (persons).
    #[serde(default)]
    pub flexible: f64,
    /// Retirees (persons).
    #[serde(default)]
    pub retirees: f64,
    /// Adult urban-rural residents, 16 and over (persons; Jiangmen 一档).
    #[serde(default)]
    pub residents: f64,
    /// Annual growth of the number of residents (entries replace deaths and add this).
    #[serde(default)]
    pub resident_growth: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}
fn default_structure() -> String {
    "builtin:membership_structure.csv".into()
}

/// One pooling unit (a fund that keeps its own accumulated balance).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitSpec {
    pub name: String,
    /// The unit's name in Chinese reports (e.g. 济南市; default: `name`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// The unit's name in English reports (e.g. Jinan; default: `name`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title_en: String,
    /// Accumulated pooled balance at the start, yuan.
    pub initial_pooled_balance: f64,
    /// Pooled spending of the calendar year before the start, yuan (for months of capacity in
    /// the first twelve months).
    pub pooled_spending_prev_year: f64,
    /// Average monthly wage of the year before the start, yuan per month.
    pub average_wage_prev_year: f64,
    /// Pooled premium income of the calendar year before the start, yuan (the first levy and
    /// revenue budget; needed by `provincial_adjustment` and `city_unified` pooling).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pooled_income_prev_year: Option<f64>,
    /// city_unified: the county's revenue budget of each year (the approved 基金征缴预算任务 of
    /// 004 三(二)), yuan a year, dated by the year it applies to; without it, last year's income
    /// grown by `pooling.revenue_budget_growth`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revenue_budget: Option<Dated<f64>>,
    /// city_unified: the county's spending budget of each year (004 三(三)), yuan a year; without
    /// it, last year's spending grown by `pooling.spending_budget_growth`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spending_budget: Option<Dated<f64>>,
    /// provincial_adjustment: the province's assessment of the unit (003 五(三): "与省级统筹调剂金
    /// 分配挂钩"), a multiplier of the share of its gap the adjustment fund bears (the product at
    /// most 1); 1 for an average assessment.
    #[serde(default = "one_f")]
    pub adjustment_assessment: f64,
    pub membership: MembershipSpec,
    /// Maternity fund balance at the start, yuan (only before a merger).
    #[serde(default)]
    pub initial_maternity_balance: f64,
    /// Maternity fund spending of the year before the start, yuan.
    #[serde(default)]
    pub maternity_spending_prev_year: f64,
    /// Multiplier on the cost curve's use probabilities (1 = as tabled).
    #[serde(default = "one_f")]
    pub utilisation_level: f64,
    /// Multiplier on the collection rate for this unit's contributions (1 = as the driver):
    /// the level of its bases and collection against the model's.
    #[serde(default = "one_f")]
    pub collection_level: f64,
    /// Multiplier on `economy.retirement_take_up` for this unit's retirements (1 = as the
    /// driver; the product is held within 0–1): solved from a base year's published retirees.
    #[serde(default = "one_f")]
    pub retirement_take_up_level: f64,
    /// The unit's published figures of the year before the start: the base year the levels
    /// are solved to meet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_year: Option<BaseYearSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Overrides of the scenario's `policy` table for this unit.
    #[serde(default)]
    pub policy: toml::Table,
}
fn one_f() -> f64 {
    1.0
}

/// Where a unit's opening position (its balance, the year before's spending and income, its
/// members) comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpeningPosition {
    /// A published base year (`base_year`, the calendar year): the unit's levels are solved to
    /// meet it.
    BaseYear(i32),
    /// The published figures the unit's `source` names.
    Sourced,
    /// Figures of the right order, not a published position: without a base year, the unit's
    /// `source` begins with `ASSUMPTION` (or it has none); with one, the base year's `source`
    /// does (the levels are solved to meet assumed figures, which makes the unit consistent
    /// with its first year but no more real). A report says so for every fund holding such a
    /// unit's money: its risks show what the policy does, not the state of that fund.
    Assumed,
}

impl UnitSpec {
    /// Where the unit's opening position comes from ([`OpeningPosition`]).
    pub fn opening_position(&self) -> OpeningPosition {
        let assumed = |s: &Option<String>| {
            s.as_deref()
                .is_none_or(|s| s.trim_start().starts_with("ASSUMPTION"))
        };
        match &self.base_year {
            Some(b) if !assumed(&b.source) => OpeningPosition::BaseYear(b.year),
            Some(_) => OpeningPosition::Assumed,
            None if assumed(&self.source) => OpeningPosition::Assumed,
            None => OpeningPosition::Sourced,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Policy (deserialized from the scenario's `policy` table merged with the unit's overrides)
// ---------------------------------------------------------------------------------------------

/// A benefit scale: fund pays nothing below `deductible`, then `tiers` = [[upper bound, ratio]]
/// (bounds on the amount the scale applies to; `inf` for the open top tier), the payment capped
/// at `cap` a year.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BenefitSpec {
    /// Yuan a year.
    #[serde(default)]
    pub deductible: f64,
    /// [[upper bound in yuan, ratio paid by the fund 0–1], …] in increasing order of bound.
    pub tiers: Vec<[f64; 2]>,
    /// Annual cap on the fund's payment, yuan (`inf` for none).
    #[serde(default = "inf")]
    pub cap: f64,
    /// Added to the deductible for retirees (yuan, e.g. −100).
    #[serde(default)]
    pub retiree_deductible_delta: f64,
    /// Added to every ratio for retirees (share, e.g. 0.05).
    #[serde(default)]
    pub retiree_ratio_delta: f64,
}
fn inf() -> f64 {
    f64::INFINITY
}

/// Cost levels: the annual allowed cost per user at cost-curve relativity 1, in the prices of
/// `price_year`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostSpec {
    pub price_year: i32,
    /// Mean annual inpatient allowed cost of a member with any inpatient cost, yuan.
    pub inpatient_mean: f64,
    /// Log-scale dispersion of inpatient cost among users.
    pub inpatient_sigma: f64,
    /// Mean annual outpatient allowed cost of a member with any outpatient cost, yuan.
    pub outpatient_mean: f64,
    pub outpatient_sigma: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// One hospital level of a tiered inpatient formula.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HospitalLevelSpec {
    pub name: String,
    /// Share of inpatient cost incurred at this level (the shares sum to 1).
    pub share: f64,
    /// Deductible (yuan a year) and the ratio the fund pays above it, for members in service.
    pub deductible: f64,
    pub ratio: f64,
    /// Added to every ratio of `tier2` at this level (e.g. −0.1 at non-designated hospitals).
    #[serde(default)]
    pub tier2_ratio_delta: f64,
    /// Added to every ratio of `critical_illness` at this level.
    #[serde(default)]
    pub critical_illness_ratio_delta: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuyinMode {
    /// A retiree short of the minimum years pays the shortfall at once (income line).
    LumpSum,
    /// … or keeps paying monthly until the minimum is reached.
    Monthly,
}

/// Contribution years at retirement ~ Normal(mean, sd), per sex: gives the share short of the
/// minimum years and the mean shortfall.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContributionYearsSpec {
    pub mean_male: f64,
    pub sd_male: f64,
    pub mean_female: f64,
    pub sd_female: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// The minimum contribution years of members first enrolled in the unit from `from` on (its
/// entrants from that month; those at the start enrolled before it), and the years they bring
/// from before (transferred years count towards 累计缴费年限). At retirement such a member has
/// the prior years plus the years since entering, and buys in what is short of `male` /
/// `female` years.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FirstEnrolledMinimumSpec {
    /// First month of enrolment the rule covers; not before the scenario's start.
    pub from: Month,
    /// Minimum years for men, years.
    pub male: f64,
    /// Minimum years for women, years.
    pub female: f64,
    /// Contribution years brought from before the first enrolment: mean, years.
    pub prior_years_mean: f64,
    /// … and standard deviation (Normal, so the share short and the mean shortfall follow as
    /// for `contribution_years`), years.
    pub prior_years_sd: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaternitySpec {
    /// Month the maternity fund merges into the pooled fund; omit if merged before the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merger: Option<Month>,
    /// Employer maternity rate (share of payroll) before the merger; from the merger month it is
    /// added to the employer medical rate.
    #[serde(default = "zero_dated")]
    pub employer_rate: Dated<f64>,
    /// Statutory maternity leave paid by the allowance, days (98 national + provincial extension).
    pub leave_days: Dated<f64>,
    /// Share of births that are difficult (extra days), and the extra days.
    #[serde(default = "difficult_share")]
    pub difficult_share: f64,
    #[serde(default = "fifteen")]
    pub difficult_extra_days: f64,
    /// Share of births that are multiple, and the extra days per extra baby.
    #[serde(default = "multiple_share")]
    pub multiple_share: f64,
    #[serde(default = "fifteen")]
    pub multiple_extra_days: f64,
    /// Whether government employees get the allowance (Shandong 003: no).
    #[serde(default = "yes")]
    pub allowance_government: bool,
    /// Whether flexible workers get the allowance.
    #[serde(default)]
    pub allowance_flexible: bool,
    /// Whether flexible workers' maternity medical costs are covered.
    #[serde(default)]
    pub flexible_covered: bool,
    /// Fund payment for maternity medical costs per birth (delivery by case type + prenatal
    /// checks), yuan in the prices of `costs.price_year`.
    pub medical_cost_per_birth: f64,
    /// Share of that paid for a birth to an uninsured spouse of an insured man.
    #[serde(default)]
    pub spouse_cost_share: f64,
    /// Share of insured men's partners who are uninsured.
    #[serde(default)]
    pub spouse_uninsured_share: f64,
    /// Whether flexible workers' uninsured spouses are covered too. 社会保险法 art. 54 covers
    /// the unemployed spouses of employees whose employer pays maternity insurance (职工未就业
    /// 配偶), so by default only enterprise and government employees' spouses are; none of the
    /// five policies extends it to flexible workers.
    #[serde(default)]
    pub spouse_of_flexible_covered: bool,
    /// Fertility of insured women relative to the ASFR table.
    #[serde(default = "one_f")]
    pub insured_fertility_relative: f64,
    /// Employer average wage of insured mothers relative to the unit average wage. The allowance
    /// is the employer's average wage / 30 × days (000 §11, 002 二(五)); averaged over births
    /// that is the unit's average wage: 1, unless a source shows otherwise.
    #[serde(default = "one_f")]
    pub employer_wage_relative: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}
impl PolicySpec {
    /// Share of retirees short of the minimum years who keep paying monthly (0–1):
    /// `buyin_monthly_share` where given, else 1 for `buyin_mode = "monthly"` and 0 for lump sums.
    pub fn monthly_buyin_share(&self) -> f64 {
        self.buyin_monthly_share.unwrap_or(match self.buyin_mode {
            BuyinMode::Monthly => 1.0,
            BuyinMode::LumpSum => 0.0,
        })
    }

    /// Disposable income per resident earned in `year`, yuan a year: the dated value in force
    /// that July; with `resident_income_indexed`, years after the last dated entry grow from it
    /// with `wage_growth_mean` (annual log growth, dated).
    pub fn resident_income_of(&self, year: i32, wage_growth_mean: &Dated<f64>) -> f64 {
        // July of a year held to the calendar's range, which always exists.
        let july = |y: i32| {
            Month::new(y.clamp(Month::MIN_YEAR, Month::MAX_YEAR), 7)
                .expect("July of a year within the calendar's range")
        };
        let last = match (&self.resident_income, self.resident_income_indexed) {
            (Dated::Schedule(entries), true) => entries.last().map(|e| e.from.year()),
            _ => None,
        };
        match last {
            Some(l) if year > l => {
                let growth: f64 = (l + 1..=year).map(|z| wage_growth_mean.at(july(z))).sum();
                self.resident_income.at(july(l)) * growth.exp()
            }
            _ => self.resident_income.at(july(year)),
        }
    }

    /// The critical-illness scale in force in month `t`: as written, or with its deductible
    /// the resident income of `resident_income_lag` years before, from
    /// `critical_illness_threshold_from`.
    pub fn critical_illness_at(
        &self,
        t: Month,
        wage_growth_mean: &Dated<f64>,
    ) -> Option<BenefitSpec> {
        let mut ci = self.critical_illness.as_ref()?.at(t);
        if self
            .critical_illness_threshold_from
            .is_some_and(|from| t >= from)
        {
            ci.deductible = self
                .resident_income_of(t.year() - self.resident_income_lag as i32, wage_growth_mean);
        }
        Some(ci)
    }
}

impl MaternitySpec {
    /// Expected allowance days per birth in month `t`: the statutory leave plus the extra days
    /// of difficult and multiple births, weighted by their shares.
    pub fn allowance_days(&self, t: Month) -> f64 {
        self.leave_days.at(t)
            + self.difficult_share * self.difficult_extra_days
            + self.multiple_share * self.multiple_extra_days
    }

    /// Expected maternity allowance per birth in month `t`, yuan: the employer's average monthly
    /// wage of the year before / 30 × the allowance days (MODEL.md, "Maternity").
    pub fn allowance_per_birth(&self, t: Month, employer_monthly_wage_prev_year: f64) -> f64 {
        employer_monthly_wage_prev_year / 30.0 * self.allowance_days(t)
    }
}

fn zero_dated() -> Dated<f64> {
    Dated::Constant(0.0)
}
fn difficult_share() -> f64 {
    0.2
}
fn multiple_share() -> f64 {
    0.015
}
fn fifteen() -> f64 {
    15.0
}
fn yes() -> bool {
    true
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySpec {
    /// Employer medical rate for enterprise employees, share of payroll (before a merger it
    /// excludes the maternity rate).
    pub employer_rate: Dated<f64>,
    /// Employer rate for government and public institutions; default = `employer_rate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employer_rate_government: Option<Dated<f64>>,
    /// Share of the employer contribution credited to personal accounts.
    #[serde(default = "zero_dated")]
    pub employer_to_personal_account: Dated<f64>,
    /// Employee rate, share of own base.
    #[serde(default = "two_percent")]
    pub employee_rate: Dated<f64>,
    /// Share of the employee contribution credited to the personal account.
    #[serde(default = "one")]
    pub employee_to_personal_account: Dated<f64>,
    /// Base floor and cap as shares of the average wage `base_reference_lag` years before.
    #[serde(default = "sixty_percent")]
    pub base_floor: Dated<f64>,
    #[serde(default = "three_hundred_percent")]
    pub base_cap: Dated<f64>,
    #[serde(default = "one_u")]
    pub base_reference_lag: u32,
    /// Log-scale dispersion of wages within a cell.
    #[serde(default = "half")]
    pub wage_dispersion: f64,
    /// Flexible workers' base (share of the reference average wage) and rate.
    #[serde(default = "sixty_percent")]
    pub flexible_base: Dated<f64>,
    /// Whose average wage `flexible_base` is a share of: the unit's own (`unit`), or the whole
    /// scenario area's (`area`: the mean of every unit's average wage weighted by its members
    /// in service at the start, e.g. a province of cities; Shandong 003 三(二) "全省上年度…
    /// 月平均工资60%").
    #[serde(default)]
    pub flexible_base_reference: WageReference,
    #[serde(default = "seven_percent")]
    pub flexible_rate: Dated<f64>,
    /// Part of the flexible rate credited to the personal account (share of base).
    #[serde(default = "zero_dated")]
    pub flexible_to_personal_account: Dated<f64>,
    /// Personal-account credit per retiree paid from pooled money, yuan per month.
    #[serde(default = "zero_dated")]
    pub retiree_account_credit: Dated<f64>,
    /// Share of women in each worker status whose statutory age is 55 (cadres) rather than 50.
    #[serde(default = "default_female55")]
    pub female_age55_share: Female55Spec,
    /// Apply the 2025 retirement-age reform schedule.
    #[serde(default = "yes")]
    pub retirement_reform: bool,
    /// Minimum contribution years for retiree benefits, per sex, dated by the month of
    /// retirement (Shandong 003 三(二): 30 and 25 years, cities differing "于2026年1月过渡到位").
    #[serde(default = "default_min_years")]
    pub minimum_years: Dated<MinYearsSpec>,
    #[serde(default = "default_contribution_years")]
    pub contribution_years: ContributionYearsSpec,
    /// A higher minimum for members first enrolled from a month on (Jiangmen 001 三 4: 20 years
    /// for those enrolled before 2018-01-01, 25 for those first enrolled from it). Absent: one
    /// minimum for all (`minimum_years`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_years_first_enrolled: Option<FirstEnrolledMinimumSpec>,
    #[serde(default = "default_buyin_mode")]
    pub buyin_mode: BuyinMode,
    /// Share of retirees short of the minimum years who keep paying monthly, the rest paying
    /// the shortfall at once (Shandong 003 三(二): "可按规定一次性缴费…也可继续按月缴费至最低缴费
    /// 年限": the member chooses). Given, it takes the place of `buyin_mode` (0: lump sum, 1:
    /// monthly).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyin_monthly_share: Option<f64>,
    /// Rate applied to the floor base for each month bought in (share).
    #[serde(default = "default_buyin_rate")]
    pub buyin_rate: Dated<f64>,
    pub inpatient: Dated<BenefitSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outpatient: Option<Dated<BenefitSpec>>,
    /// Outpatient care at a second chosen clinic beside the primary one (Jiangmen 001
    /// 四(四)2(3)): with it, `outpatient` applies to the primary clinic's share of each user's
    /// annual outpatient cost and this to the rest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outpatient_second_clinic: Option<SecondClinicSpec>,
    /// Critical-illness cover (大病保险) on the member's remaining self-pay above the inpatient
    /// deductible, after inpatient and Tier 2 benefits; its deductible is the threshold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub critical_illness: Option<Dated<BenefitSpec>>,
    /// Hospital levels with their shares of inpatient cost and their own deductible and ratio
    /// (Jiangmen 001); `inpatient` then gives the cap and the retiree deltas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hospital_levels: Option<Vec<HospitalLevelSpec>>,
    /// A second tier (Jiangmen 二档) on the self-pay above the inpatient deductible left after
    /// the first tier's inpatient benefit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier2: Option<Dated<BenefitSpec>>,
    /// Personal-account credits of active members paid from pooled money, by age band:
    /// [[upper age (exclusive), yuan a month], …] in increasing order of age.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_credit_bands: Option<Vec<[f64; 2]>>,
    /// With `account_credit_bands`: a member's credit is at least this share of their
    /// contribution base a month (their own contribution, if higher than the band's amount).
    #[serde(default)]
    pub account_credit_own_rate: f64,
    /// Residents' contribution as a share of the disposable income per resident of the year
    /// `resident_income_lag` years before (Jiangmen 001 三: 1.2 / 1.4 / 1.6 %).
    #[serde(default = "zero_dated")]
    pub resident_rate: Dated<f64>,
    /// Disposable income per resident, yuan a year, dated by the year it was earned (the value
    /// in force in that year's July is used).
    #[serde(default = "zero_dated")]
    pub resident_income: Dated<f64>,
    #[serde(default = "two_u")]
    pub resident_income_lag: u32,
    /// Whether `resident_income` of the years after its last dated entry grows with the
    /// expected wage index (the `economy.wage_growth` mean) instead of staying at the last
    /// value.
    #[serde(default)]
    pub resident_income_indexed: bool,
    /// From this month the critical-illness deductible is the disposable income per resident
    /// of the year `resident_income_lag` years before (Jiangmen 001 四(四)1(4): "大病保险起赔
    /// 标准原则上按我市上上年度城乡居民人均可支配收入确定"), in place of the deductible written in
    /// `critical_illness`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub critical_illness_threshold_from: Option<Month>,
    /// Fiscal subsidy per resident, yuan a year (income line `income_subsidy`).
    #[serde(default = "zero_dated")]
    pub resident_subsidy: Dated<f64>,
    /// Residents (Tier-1-only members) within their first months of continuous contribution
    /// have reduced caps on inpatient and critical-illness payments: [[months, cap factor], …]
    /// in increasing order of months (Jiangmen 001: [[12, 0.5], [24, 0.7]]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_member_cap_factors: Option<Vec<[f64; 2]>>,
    /// New flexible workers get benefits only after this many months of paying (Jiangmen 001:
    /// from the 4th month, so 3).
    #[serde(default)]
    pub flexible_waiting_months: u32,
    pub costs: CostSpec,
    /// Month-of-year factors on medical spending; they must average exactly 1.
    #[serde(default = "flat_seasonality")]
    pub seasonality: Vec<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maternity: Option<MaternitySpec>,
}
fn two_percent() -> Dated<f64> {
    d(0.02)
}
fn sixty_percent() -> Dated<f64> {
    d(0.6)
}
fn three_hundred_percent() -> Dated<f64> {
    d(3.0)
}
fn seven_percent() -> Dated<f64> {
    d(0.07)
}
fn one_u() -> u32 {
    1
}
fn two_u() -> u32 {
    2
}
fn half() -> f64 {
    0.5
}
fn flat_seasonality() -> Vec<f64> {
    vec![1.0; 12]
}
fn default_buyin_mode() -> BuyinMode {
    BuyinMode::LumpSum
}
fn default_buyin_rate() -> Dated<f64> {
    d(0.08)
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Female55Spec {
    pub enterprise: f64,
    pub government: f64,
    pub flexible: f64,
}
fn default_female55() -> Female55Spec {
    Female55Spec {
        enterprise: 0.3,
        government: 1.0,
        flexible: 1.0,
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinYearsSpec {
    pub male: f64,
    pub female: f64,
}
fn default_min_years() -> Dated<MinYearsSpec> {
    Dated::Constant(MinYearsSpec {
        male: 25.0,
        female: 20.0,
    })
}
fn default_contribution_years() -> ContributionYearsSpec {
    ContributionYearsSpec {
        mean_male: 32.0,
        sd_male: 7.0,
        mean_female: 27.0,
        sd_female: 7.0,
        source: Some("ASSUMPTION".into()),
    }
}

#[cfg(test)]
mod tests {
    use crate::params::Month;
    use crate::scenario::Scenario;

    /// Guangdong (000 §11): 98 + 80 = 178 days, +30 days for the 20 % of difficult births and
    /// +15 per extra baby for the 1.5 % of multiple births (广东省实施〈女职工劳动保护特别规定〉办法
    /// art. 11; the scenario's shares). For an employer whose average monthly wage last year was
    /// 6,000 yuan: 6000 / 30 = 200 yuan a day; 178 + 0.2 × 30 + 0.015 × 15 = 184.225 days;
    /// 200 × 184.225 = 36,845 yuan per birth.
    #[test]
    fn maternity_allowance_by_hand() {
        let s = Scenario::parse(
            crate::scenario::GUANGDONG_MERGER_SCENARIO,
            "guangdong-merger.toml",
            crate::data::DataSource::default(),
        )
        .expect("Guangdong scenario");
        let m = s.units[0].policy.maternity.as_ref().expect("maternity");
        let t = Month::new(2021, 3).unwrap();
        assert!((m.allowance_days(t) - 184.225).abs() < 1e-12);
        assert!((m.allowance_per_birth(t, 6000.0) - 36_845.0).abs() < 1e-9);
    }
}

/// A unit's published base year (the year before the start): its levels are solved so that
/// the model's base year meets these figures, and its opening balance is the year-end balance.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaseYearSpec {
    /// The calendar year: the year before the start.
    pub year: i32,
    /// Pooled premium income of the year, yuan (contributions, buy-ins, subsidies; no interest).
    /// Given with `pooled_spending` (the pooled basis), or left out for the whole-fund basis or
    /// the spending basis (`pooled_spending` alone: the utilisation level is solved, the
    /// collection level kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pooled_income: Option<f64>,
    /// Pooled spending of the year, yuan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pooled_spending: Option<f64>,
    /// The whole fund's income of the year as the bulletins count it, yuan: pooled income,
    /// interest, contributions credited to personal accounts and, from the year of a maternity
    /// merger, the maternity fund's income (职工医保基金收入). Given with
    /// `pooled_balance_prev` (the whole-fund basis, for years whose bulletins do not publish
    /// the pooled fund's own income and spending): the collection level is solved to meet it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fund_income: Option<f64>,
    /// The pooled balance at the end of the year before the base year, yuan (whole-fund basis):
    /// the utilisation level is solved so that the model's pooled balance moves from it to
    /// `pooled_balance` over the base year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pooled_balance_prev: Option<f64>,
    /// Personal-account income of the year as the bulletins count it, yuan (个人账户收入:
    /// members' own contributions credited to their accounts plus the credits paid from pooled
    /// money). Optional, with the pooled basis only: the unit's retirees' account credit
    /// (`policy.retiree_account_credit`) is multiplied by the factor that makes the model's
    /// base-year account income meet it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_income: Option<f64>,
    /// Pooled balance at the year end, yuan: the opening balance.
    pub pooled_balance: f64,
    /// Members in service at the year end (employees and flexible workers), persons; when
    /// given, the unit's opening `membership` must agree within 0.5 %.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members_active: Option<f64>,
    /// Retired members at the year end, persons; when given, `membership.retirees` must agree
    /// within 0.5 %.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members_retired: Option<f64>,
    /// Retired members at the end of the year before the base year, persons. Given with
    /// `members_retired`, the level of `economy.retirement_take_up` is multiplied by the factor
    /// that makes the model's base-year growth of retirees meet the published growth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members_retired_prev: Option<f64>,
    /// Largest change from the base year to the first projected year, in income or spending,
    /// that is not refused (share 0–1); a dated policy change in the first projected year
    /// explains a larger one.
    #[serde(default = "default_jump_tolerance")]
    pub jump_tolerance: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}
fn default_jump_tolerance() -> f64 {
    DEFAULT_JUMP_TOLERANCE
}

/// The default of `base_year.jump_tolerance` (share 0–1): the largest change from the year
/// before to the first projected year, in pooled income or spending, that needs no explanation.
pub const DEFAULT_JUMP_TOLERANCE: f64 = 0.10;

#[cfg(test)]
mod default_tests {
    use super::*;

    /// The defaults of `[risk]` and `[pooling]` come from the fields' serde defaults alone (each
    /// written once, with its clause), and are those the documentation states.
    #[test]
    fn defaults_are_the_documented_ones() {
        let r = RiskSpec::default();
        assert_eq!(
            (r.excess, r.high, r.reasonable, r.insufficient),
            (15.0, 9.0, 6.0, 3.0)
        );
        let p = PoolingSpec::default();
        assert_eq!(p.kind, PoolingKind::Single);
        assert_eq!(p.fund_name, "pool");
        assert_eq!(p.levy_rate, Dated::Constant(0.03));
        assert_eq!((p.gap_share, p.cap_multiple), (0.5, 2.0));
        assert!(p.levy_in_gap && !p.treasury_backstop);
        assert_eq!(
            (p.within_budget_city_share, p.beyond_budget_city_share),
            (1.0, 0.8)
        );
        assert_eq!(p.overspend_sharing, OverspendSharing::WholeGap);
        assert_eq!(p.treasury_settlement_month, 3);
        assert_eq!(
            (p.missed_revenue_treasury_share, p.working_advance_months),
            (1.0, 1.5)
        );
    }
}
