//! Human column headings in the report's language, for the workbook and the HTML tables.
//!
//! The CSV and Parquet files keep their snake_case column names (other tools read them); the
//! workbook and the report, which people read, show these headings in the same column order.

use super::lang::Lang;

/// Headings of whole column names and of the stems that suffixes build on: (name, 中文, English).
const NAMES: [(&str, &str, &str); 93] = [
    ("unit", "统筹单位/基金", "Unit or fund"),
    ("fund", "基金", "Fund"),
    ("year", "年份", "Year"),
    ("month", "月份", "Month"),
    ("paths", "路径数", "Paths"),
    ("scenario", "情景", "Scenario"),
    (
        "first_exhausted_year",
        "累计结余首次为负的年份",
        "First year of negative balance",
    ),
    ("never", "从未", "Never"),
    ("share", "路径占比", "Share of paths"),
    (
        "cumulative_share",
        "累计路径占比",
        "Cumulative share of paths",
    ),
    (
        "income_employer",
        "单位缴费收入（元）",
        "Employer contributions (yuan)",
    ),
    (
        "income_employee",
        "个人缴费收入（元）",
        "Employee contributions (yuan)",
    ),
    (
        "income_flexible",
        "灵活就业人员缴费收入（元）",
        "Flexible workers' contributions (yuan)",
    ),
    (
        "income_buyin",
        "一次性缴费收入（元）",
        "Lump-sum buy-ins (yuan)",
    ),
    (
        "income_maternity",
        "生育保险费收入（元）",
        "Maternity contributions (yuan)",
    ),
    (
        "income_treasury",
        "县级财政补缺（元）",
        "County treasury payments (yuan)",
    ),
    (
        "income_resident",
        "居民个人缴费收入（元）",
        "Residents' contributions (yuan)",
    ),
    (
        "income_subsidy",
        "财政补助收入（元）",
        "Treasury subsidy (yuan)",
    ),
    ("income_total", "基金收入合计（元）", "Total income (yuan)"),
    (
        "spending_inpatient",
        "住院支出（元）",
        "Inpatient spending (yuan)",
    ),
    (
        "spending_critical_illness",
        "大病保险支出（元）",
        "Critical-illness spending (yuan)",
    ),
    (
        "spending_tier2",
        "二档补充支出（元）",
        "Tier 2 spending (yuan)",
    ),
    (
        "spending_outpatient",
        "门诊统筹支出（元）",
        "Outpatient pooling spending (yuan)",
    ),
    (
        "spending_personal_account",
        "个人账户划入（元）",
        "Personal-account credits (yuan)",
    ),
    (
        "spending_maternity_medical",
        "生育医疗费用（元）",
        "Maternity medical costs (yuan)",
    ),
    (
        "spending_maternity_allowance",
        "生育津贴（元）",
        "Maternity allowance (yuan)",
    ),
    (
        "spending_total",
        "基金支出合计（元）",
        "Total spending (yuan)",
    ),
    ("interest", "利息收入（元）", "Interest (yuan)"),
    (
        "transfer_merger",
        "合并划转（元）",
        "Merger transfer (yuan)",
    ),
    (
        "transfers_net",
        "调剂与分担净额（元）",
        "Net transfers (yuan)",
    ),
    (
        "pooled_balance",
        "累计结余（元）",
        "Accumulated balance (yuan)",
    ),
    (
        "avg_monthly_spending_12m",
        "近12个月月均支出（元）",
        "Average monthly spending, 12 months (yuan)",
    ),
    (
        "months_of_capacity",
        "可支付月数",
        "Months of payment capacity",
    ),
    (
        "personal_account_income",
        "个人账户收入（元）",
        "Personal-account income (yuan)",
    ),
    (
        "births_insured",
        "参保女职工生育人数",
        "Births to insured women",
    ),
    (
        "births_spouse",
        "未就业配偶生育人数",
        "Births to non-employed spouses",
    ),
    ("members_enterprise", "企业职工人数", "Enterprise employees"),
    (
        "members_government",
        "机关事业单位人员数",
        "Government and public-institution staff",
    ),
    ("members_flexible", "灵活就业人员数", "Flexible workers"),
    (
        "members_continuing",
        "延缴人员数",
        "Retirees still contributing",
    ),
    ("members_retiree", "退休人员数", "Retirees"),
    ("members_resident", "居民参保人数", "Insured residents"),
    ("members_active", "在职缴费人数", "Active contributors"),
    ("entries", "新参保人数", "Entries"),
    ("exits", "退出人数", "Exits"),
    ("deaths", "死亡人数", "Deaths"),
    ("retirements", "新退休人数", "Retirements"),
    (
        "employer_rate_uplift",
        "单位费率上调（比例）",
        "Employer rate uplift (share)",
    ),
    ("rule_fired", "管理规则触发", "Management rule fired"),
    ("balance", "年末累计结余（元）", "Year-end balance (yuan)"),
    ("months", "年末可支付月数", "Year-end months of capacity"),
    (
        "balance_mean",
        "年末累计结余均值（元）",
        "Mean year-end balance (yuan)",
    ),
    ("p_deficit", "当期赤字概率", "P(current deficit)"),
    (
        "p_months_lt_6",
        "可支付月数低于6个月的概率",
        "P(months of capacity < 6)",
    ),
    (
        "p_months_lt_3",
        "可支付月数低于3个月的概率",
        "P(months of capacity < 3)",
    ),
    ("p_exhausted", "累计结余为负的概率", "P(balance < 0)"),
    (
        "expected_shortfall",
        "期望缺口（元）",
        "Expected shortfall (yuan)",
    ),
    (
        "balance_cvar5",
        "最差5%路径的平均结余（元）",
        "Mean balance of the worst 5 % of paths (yuan)",
    ),
    ("excess", "结余过多（>15个月）", "Excess (> 15 months)"),
    ("high", "结余较多（9–15个月）", "High (9–15 months)"),
    (
        "reasonable",
        "结余合理（6–9个月）",
        "Reasonable (6–9 months)",
    ),
    (
        "insufficient",
        "结余不足（3–6个月）",
        "Insufficient (3–6 months)",
    ),
    (
        "serious",
        "结余严重不足（0–3个月）",
        "Seriously insufficient (0–3 months)",
    ),
    ("exhausted", "累计结余为负", "Exhausted (balance < 0)"),
    ("target", "风险目标", "Risk target"),
    ("met", "是否达到", "Met"),
    ("required_rate", "所需费率", "Required rate"),
    ("current_rate", "现行费率", "Current rate"),
    ("break_even_rate", "收支平衡费率", "Break-even rate"),
    ("binding_year", "约束年份", "Binding year"),
    ("probability", "概率", "Probability"),
    (
        "probability_at_0_01_point_less",
        "费率低0.01个百分点时的概率",
        "Probability at 0.01 point less",
    ),
    (
        "standalone_rate",
        "单独统筹所需费率",
        "Rate needed standalone",
    ),
    ("standalone_met", "单独统筹是否达到", "Met standalone"),
    ("assumption", "假设", "Assumption"),
    ("direction", "方向", "Direction"),
    ("value", "取值", "Value"),
    ("levy", "上解（元）", "Levy (yuan)"),
    ("gap", "收支缺口（元）", "Gap (yuan)"),
    ("received", "获得调剂/分担（元）", "Received (yuan)"),
    (
        "treasury",
        "县级财政承担（元）",
        "Paid by the county treasury (yuan)",
    ),
    ("revenue_budget", "收入预算（元）", "Revenue budget (yuan)"),
    (
        "spending_budget",
        "支出预算（元）",
        "Spending budget (yuan)",
    ),
    ("working_advance", "周转金（元）", "Working advance (yuan)"),
    (
        "p_treasury",
        "财政补助（兜底或县级分担）的概率",
        "Probability the treasury pays",
    ),
    (
        "income_treasury_p95",
        "财政补助95%分位数（元）",
        "Treasury payment, 95th percentile (yuan)",
    ),
    (
        "other_uses",
        "调剂金其他支付（元）",
        "Other uses of the adjustment fund (yuan)",
    ),
    ("income", "收入（元）", "Income (yuan)"),
    ("spending", "支出（元）", "Spending (yuan)"),
    ("rate", "费率", "Rate"),
    ("wage_growth", "工资增长率", "Wage growth"),
    (
        "medical_price_growth",
        "医疗价格增长率",
        "Medical price growth",
    ),
    ("utilisation_growth", "医疗利用增长率", "Utilisation growth"),
];

/// Suffixes that qualify a stem: (suffix, 中文, English).
const SUFFIXES: [(&str, &str, &str); 10] = [
    ("_se", "（标准误）", " (standard error)"),
    ("_mean", "（均值）", " (mean)"),
    ("_diff", "（差值）", " (difference)"),
    ("_change", "（变化）", " (change)"),
    ("_p5", "（5%分位）", " (5th percentile)"),
    ("_p25", "（25%分位）", " (25th percentile)"),
    ("_p50", "（中位数）", " (median)"),
    ("_p75", "（75%分位）", " (75th percentile)"),
    ("_p95", "（95%分位）", " (95th percentile)"),
    ("_count", "（人数）", " (count)"),
];

/// Other drivers and words a sensitivity table names as assumptions.
const EXTRA: [(&str, &str, &str); 5] = [
    ("employment_growth", "就业增长率", "Employment growth"),
    ("fertility", "生育水平", "Fertility"),
    ("retirement_age", "退休年龄改革", "Retirement-age reform"),
    ("low", "偏低", "low"),
    ("base", "基准", "base"),
];

/// Columns and values of a backtest's tables.
const BACKTEST: [(&str, &str, &str); 28] = [
    (
        "mean_crps_relative",
        "连续分级概率评分（相对实际值，平均）",
        "Mean CRPS relative to the actual",
    ),
    (
        "forecast_p25",
        "预测25%分位数（元）",
        "Forecast 25th percentile (yuan)",
    ),
    (
        "forecast_p75",
        "预测75%分位数（元）",
        "Forecast 75th percentile (yuan)",
    ),
    ("crps", "连续分级概率评分（元）", "CRPS (yuan)"),
    (
        "crps_relative",
        "连续分级概率评分（相对实际值）",
        "CRPS relative to the actual",
    ),
    ("origin", "起点（年末）", "Origin (year end)"),
    (
        "share_inside_90",
        "落在90%区间内的比例",
        "Share inside the 90 % band",
    ),
    (
        "share_inside_50",
        "落在50%区间内的比例",
        "Share inside the 50 % band",
    ),
    ("inside_50", "落在50%区间内", "Inside the 50 % band"),
    ("n_inside_50", "落在50%区间内的个数", "Inside the 50 % band"),
    ("line", "口径", "Line"),
    ("horizon_years", "预测年数", "Years ahead"),
    ("actual", "实际值（元）", "Actual (yuan)"),
    (
        "forecast_median",
        "预测中位数（元）",
        "Forecast median (yuan)",
    ),
    (
        "forecast_p5",
        "预测5%分位（元）",
        "Forecast 5th percentile (yuan)",
    ),
    (
        "forecast_p95",
        "预测95%分位（元）",
        "Forecast 95th percentile (yuan)",
    ),
    ("forecast_mean", "预测均值（元）", "Forecast mean (yuan)"),
    (
        "percentile_rank",
        "实际值在预测中的分位（%）",
        "Percentile rank of the actual (%)",
    ),
    (
        "abs_pct_error",
        "中位数预测的绝对百分比误差",
        "Absolute percentage error of the median",
    ),
    ("inside_90", "落在90%区间内", "Inside the 90 % band"),
    ("source", "来源", "Source"),
    ("n_actuals", "实际值个数", "Actuals"),
    ("n_inside_90", "落在90%区间内的个数", "Inside the 90 % band"),
    (
        "median_abs_pct_error",
        "绝对百分比误差的中位数",
        "Median absolute percentage error",
    ),
    ("pooled_income", "统筹基金收入", "Pooled fund income"),
    ("pooled_spending", "统筹基金支出", "Pooled fund spending"),
    ("pooled_balance", "统筹基金累计结存", "Pooled fund balance"),
    (
        "fund_income",
        "职工医保基金收入（含个人账户、利息）",
        "Fund income (with personal accounts and interest)",
    ),
];

/// The membership comparison (`fundrisk demography`).
const DEMOGRAPHY: [(&str, &str, &str); 8] = [
    (
        "active_model",
        "在职人数：模型（人）",
        "Active members: model",
    ),
    (
        "active_published",
        "在职人数：公报（人）",
        "Active members: published",
    ),
    (
        "active_error",
        "在职人数相对误差",
        "Active members: relative error",
    ),
    ("retired_model", "退休人数：模型（人）", "Retirees: model"),
    (
        "retired_published",
        "退休人数：公报（人）",
        "Retirees: published",
    ),
    (
        "retirees_per_100_model",
        "每百名在职人员对应退休人数：模型",
        "Retirees per 100 active: model",
    ),
    (
        "retirees_per_100_published",
        "每百名在职人员对应退休人数：公报",
        "Retirees per 100 active: published",
    ),
    (
        "retirees_per_100_difference",
        "每百名在职人员对应退休人数：差（模型−公报）",
        "Retirees per 100 active: model − published",
    ),
];

fn lookup(name: &str, lang: Lang) -> Option<String> {
    NAMES
        .iter()
        .chain(EXTRA.iter())
        .chain(BACKTEST.iter())
        .chain(DEMOGRAPHY.iter())
        .find(|(n, _, _)| *n == name)
        .map(|(_, zh, en)| if lang == Lang::Zh { zh } else { en }.to_string())
}

/// The heading of column `name` (the name itself if nothing matches, so a gap shows in tests).
pub fn heading(name: &str, lang: Lang) -> String {
    if let Some(h) = lookup(name, lang) {
        return h;
    }
    for (suffix, zh, en) in SUFFIXES {
        if let Some(stem) = name.strip_suffix(suffix) {
            let h = heading(stem, lang);
            if h != stem {
                return format!("{h}{}", if lang == Lang::Zh { zh } else { en });
            }
        }
    }
    if let Some(band) = name.strip_prefix("share_") {
        let h = heading(band, lang);
        if h != band {
            return match lang {
                Lang::Zh => format!("路径占比：{h}"),
                Lang::En => format!("Share of paths: {h}"),
            };
        }
    }
    if let Some(stem) = name.strip_prefix("treasury_") {
        let h = heading(stem, lang);
        if h != stem {
            return match lang {
                Lang::Zh => format!("县级财政承担{h}"),
                Lang::En => format!("Treasury payment {h}"),
            };
        }
    }
    name.to_string()
}

/// A text cell of a table in the report's language: the words a table uses as values (`never`,
/// `yes`, `high`, the assumptions of a sensitivity table), other text unchanged.
pub fn value_text(v: &str, lang: Lang) -> String {
    if lang == Lang::Zh {
        if let Some(x) = v
            .strip_prefix("mean ")
            .and_then(|r| r.strip_suffix(" points"))
        {
            return format!("均值 {x} 个百分点");
        }
        if let Some(x) = v.strip_prefix("level × ") {
            return format!("水平 × {x}");
        }
    }
    match (v, lang) {
        ("no 2025 reform", Lang::Zh) => "不实施2025年延迟退休改革".into(),
        ("as the scenario", Lang::Zh) => "按情景设定".into(),
        ("yes", Lang::Zh) => "是".into(),
        ("no", Lang::Zh) => "否".into(),
        ("high", Lang::Zh) => "偏高".into(),
        ("high", Lang::En) => "high".into(),
        _ => lookup(v, lang)
            .filter(|_| !v.is_empty())
            .unwrap_or_else(|| v.to_string()),
    }
}

/// How a numeric column is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A probability, share or rate (0–1), shown as a percentage.
    Share,
    /// A year or a count of paths.
    Integer,
    /// Months of payment capacity.
    Months,
    /// Yuan.
    Money,
    /// People, births and other quantities.
    Quantity,
}

/// The kind of column `name`, from its name and its heading's unit.
pub fn kind(name: &str) -> Kind {
    if name.starts_with("p_")
        || name.starts_with("share")
        || name.contains("probability")
        || name.contains("_rate")
        || name == "cumulative_share"
        || name.ends_with("abs_pct_error")
        || name == "active_error"
        || name == "mean_crps_relative"
        || name == "crps_relative"
    {
        Kind::Share
    } else if matches!(
        name,
        "year"
            | "paths"
            | "binding_year"
            | "horizon_years"
            | "origin"
            | "n_actuals"
            | "n_inside_90"
            | "n_inside_50"
    ) {
        Kind::Integer
    } else if name.starts_with("months") {
        Kind::Months
    } else if heading(name, Lang::En).contains("(yuan)") {
        Kind::Money
    } else {
        Kind::Quantity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_compose() {
        assert_eq!(
            heading("p_months_lt_6_se", Lang::Zh),
            "可支付月数低于6个月的概率（标准误）"
        );
        assert_eq!(
            heading("months_p95", Lang::En),
            "Year-end months of capacity (95th percentile)"
        );
        assert_eq!(
            heading("share_serious_se", Lang::En),
            "Share of paths: Seriously insufficient (0–3 months) (standard error)"
        );
        assert_eq!(
            heading("income_employer_mean", Lang::Zh),
            "单位缴费收入（元）（均值）"
        );
        assert_eq!(heading("no_such_column", Lang::Zh), "no_such_column");
        assert_eq!(value_text("never", Lang::Zh), "从未");
        assert_eq!(value_text("2031", Lang::Zh), "2031");
        assert_eq!(
            value_text("mean -1.00 points", Lang::Zh),
            "均值 -1.00 个百分点"
        );
        assert_eq!(kind("p_exhausted_diff_se"), Kind::Share);
        assert_eq!(kind("balance_mean_diff"), Kind::Money);
        assert_eq!(kind("months_p50_change"), Kind::Months);
        assert_eq!(kind("members_retiree"), Kind::Quantity);
    }
}
