//! The report's language: every label in Chinese (default) or English, and money units.

/// Chinese (default) or English.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

const LABELS: [(&str, &str, &str); 102] = [
    (
        "demography",
        "参保人员结构回测",
        "Membership against the published series",
    ),
    (
        "demography_chart",
        "每百名在职人员对应退休人数",
        "Retirees per 100 active members",
    ),
    (
        "model_expected",
        "模型（期望路径）",
        "Model (expected path)",
    ),
    ("published", "公报", "Published"),
    ("actual", "实际值", "Actual"),
    ("backtest", "回测", "Backtest"),
    ("base_years", "各起点基年校准", "Base year of each origin"),
    (
        "no_actuals",
        "没有可比较的实际值。",
        "No actuals to compare.",
    ),
    ("scores", "回测得分", "Scores"),
    ("amount_axis", "亿元", "yuan millions"),
    ("line_pooled_income", "统筹基金收入", "Pooled fund income"),
    (
        "line_pooled_spending",
        "统筹基金支出",
        "Pooled fund spending",
    ),
    (
        "line_pooled_balance",
        "统筹基金累计结存（年末）",
        "Pooled fund balance (year end)",
    ),
    ("persons_axis", "万人", "million persons"),
    (
        "line_members_active",
        "在职职工（年末）",
        "Members in service (year end)",
    ),
    (
        "line_members_retiree",
        "退休人员（年末）",
        "Retired members (year end)",
    ),
    (
        "line_fund_income",
        "职工医保基金收入（含个人账户、利息）",
        "Fund income (with personal accounts and interest)",
    ),
    (
        "adjustment_title",
        "省级调剂金：上解与下拨（均值）",
        "Adjustment fund: levies in and payments out (mean)",
    ),
    ("levies", "各市上解合计", "Levies from all units"),
    ("payments", "调剂金下拨合计", "Payments to units"),
    (
        "city_title",
        "县区收支缺口的分担",
        "Sharing of the counties' gaps",
    ),
    (
        "city_share",
        "市级基金承担（均值）",
        "Paid by the city fund (mean)",
    ),
    (
        "treasury_mean",
        "县级财政承担（均值）",
        "Paid by county treasuries (mean)",
    ),
    (
        "treasury_p95",
        "县级财政承担（95%分位）",
        "Paid by county treasuries (95th percentile)",
    ),
    (
        "heat_title",
        "年末可支付月数低于6个月的概率（颜色越深概率越高）",
        "P(months of capacity < 6) at each year end (darker is likelier)",
    ),
    (
        "births_title",
        "参保女职工生育人数与生育支出（期望路径）",
        "Births to insured women and maternity spending (expected path)",
    ),
    ("births_axis", "千人；亿元", "Thousands; yuan, millions"),
    ("births", "生育人数（千人）", "Births (thousands)"),
    (
        "maternity_spending",
        "生育支出（亿元）",
        "Maternity spending (yuan, millions)",
    ),
    (
        "dependency_title",
        "每百名缴费人对应退休人员数（期望路径）",
        "Retirees per 100 contributors (expected path)",
    ),
    ("dependency_axis", "人", "Persons"),
    (
        "dependency",
        "退休人员/百名缴费人",
        "Retirees per 100 contributors",
    ),
    ("money_axis", "亿元", "Yuan, millions"),
    ("income_total", "基金收入合计", "Total income"),
    (
        "lines_title",
        "收入与分项支出（期望路径）",
        "Income and spending by line (expected path)",
    ),
    ("spending_inpatient", "住院统筹", "Inpatient (tier 1)"),
    ("spending_critical_illness", "大病保险", "Critical illness"),
    ("spending_tier2", "二档住院", "Inpatient (tier 2)"),
    ("spending_outpatient", "门诊统筹", "Outpatient pooling"),
    (
        "spending_personal_account",
        "划入个人账户",
        "Personal-account credits",
    ),
    (
        "spending_maternity_medical",
        "生育医疗费",
        "Maternity medical costs",
    ),
    (
        "spending_maternity_allowance",
        "生育津贴",
        "Maternity allowance",
    ),
    ("never", "未出现", "never"),
    (
        "exhaustion_title",
        "累计结余首次为负的年份分布",
        "First year the balance turns negative",
    ),
    ("share_of_paths", "路径占比（%）", "Share of paths (%)"),
    ("all_funds", "全部基金合计", "all funds combined"),
    ("year", "年份", "Year"),
    ("median", "中位数", "Median"),
    ("band_5_95", "5%–95%区间", "5–95 % band"),
    ("band_25_75", "25%–75%区间", "25–75 % band"),
    ("band_excess", "过多（>15个月）", "Excess (> 15 months)"),
    ("band_high", "较多（9–15个月）", "High (9–15 months)"),
    (
        "band_reasonable",
        "合理（6–9个月）",
        "Reasonable (6–9 months)",
    ),
    (
        "band_insufficient",
        "不足（3–6个月）",
        "Insufficient (3–6 months)",
    ),
    ("band_serious", "严重不足（<3个月）", "Serious (< 3 months)"),
    (
        "months_title",
        "统筹基金可支付月数",
        "Months of payment capacity of the pooled fund",
    ),
    ("months_axis", "可支付月数（月）", "Months of capacity"),
    (
        "balance_title",
        "统筹基金年末累计结余",
        "Year-end pooled balance",
    ),
    (
        "balance_axis",
        "累计结余（亿元）",
        "Balance (yuan, millions)",
    ),
    (
        "report_title",
        "医疗保险基金风险预测报告",
        "Medical insurance fund risk forecast",
    ),
    ("headline", "主要结论", "Headline"),
    ("charts", "图表", "Charts"),
    ("assumptions", "假设", "Assumptions"),
    ("driver", "驱动因素", "Driver"),
    ("mean", "均值（首年）", "Mean (first year)"),
    ("volatility", "波动率", "Volatility"),
    ("persistence", "持续性", "Persistence"),
    ("source", "来源", "Source"),
    ("metadata", "运行信息", "Run"),
    ("policy", "政策参数", "Policy parameters"),
    ("parameter", "参数", "Parameter"),
    ("value", "取值", "Value"),
    ("band_95_ci", "95%置信区间", "95 % confidence band"),
    ("difference", "差值", "Difference"),
    ("rate_axis", "费率（%）", "Rate (%)"),
    ("target_level", "风险目标上限", "Target level"),
    ("required_rate", "所需费率", "Required rate"),
    ("current_rate", "现行费率", "Current rate"),
    ("moved_low", "向下调整", "Moved down"),
    ("moved_high", "向上调整", "Moved up"),
    (
        "risk_rate_title",
        "约束年份的风险概率与试算费率",
        "Risk in the binding year against the trial rate",
    ),
    ("probability_axis", "概率（%）", "Probability (%)"),
    (
        "rates_title",
        "各统筹单位所需费率与现行费率",
        "Required and current rate by unit",
    ),
    ("solve_report_title", "费率测算", "Rate study"),
    ("results", "结果", "Results"),
    ("compare_report_title", "方案比较", "Comparison"),
    (
        "diff_p6_title",
        "可支付月数低于6个月的概率之差",
        "Difference in P(months of capacity < 6)",
    ),
    ("pp_axis", "百分点", "Percentage points"),
    (
        "diff_balance_title",
        "年末累计结余均值之差",
        "Difference in the mean year-end balance",
    ),
    (
        "tornado_months_title",
        "可支付月数中位数的变化",
        "Change in the median months of capacity",
    ),
    ("months_change_axis", "月", "Months"),
    (
        "tornado_p6_title",
        "可支付月数低于6个月的概率的变化",
        "Change in P(months of capacity < 6)",
    ),
    ("sensitivity_report_title", "敏感性分析", "Sensitivity"),
    ("sheet_summary", "汇总", "Summary"),
    ("sheet_warnings", "预警区间", "Warnings"),
    ("sheet_exhaustion", "首次穿底年份", "Exhaustion"),
    ("sheet_ledger", "期望路径台账", "Ledger"),
    ("sheet_pooling", "统筹调剂", "Pooling"),
    ("sheet_results", "结果", "Results"),
    ("yes", "是", "yes"),
    ("no", "否", "no"),
    ("pooling_rule", "统筹调剂规则", "Pooling rule"),
];

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The label of `key` (the key itself if unknown, so a missing label shows in tests).
    pub fn t(self, key: &str) -> &'static str {
        LABELS
            .iter()
            .find(|(k, _, _)| *k == key)
            .map_or("??", |(_, zh, en)| if self == Lang::Zh { zh } else { en })
    }

    /// Yuan per unit of the money axis: 亿元 (1e8) in Chinese, millions in English.
    pub fn money_unit(self) -> f64 {
        match self {
            Lang::Zh => 1e8,
            Lang::En => 1e6,
        }
    }

    /// Persons per unit of the persons axis: 万人 (1e4) in Chinese, millions in English.
    pub fn persons_unit(self) -> f64 {
        match self {
            Lang::Zh => 1e4,
            Lang::En => 1e6,
        }
    }

    /// A number with thousands separators and `decimals` decimals.
    pub fn number(self, x: f64, decimals: usize) -> String {
        if !x.is_finite() {
            return if x > 0.0 {
                "∞".into()
            } else {
                "−∞".into()
            };
        }
        let s = format!("{:.*}", decimals, x.abs());
        let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(a, b)| (a, b));
        let mut grouped = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let sign = if x < 0.0 && s.chars().any(|c| c != '0' && c != '.') {
            "−"
        } else {
            ""
        };
        if frac.is_empty() {
            format!("{sign}{grouped}")
        } else {
            format!("{sign}{grouped}.{frac}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_labels() {
        assert_eq!(Lang::Zh.number(1234567.891, 2), "1,234,567.89");
        assert_eq!(Lang::En.number(-950.0, 0), "−950");
        assert_eq!(Lang::En.number(12.0, 1), "12.0");
        assert_eq!(Lang::En.number(f64::INFINITY, 1), "∞");
        assert_eq!(Lang::Zh.t("year"), "年份");
        assert_eq!(Lang::En.t("year"), "Year");
        for (k, zh, en) in LABELS {
            assert!(zh.chars().any(|c| c as u32 > 0x2E80), "{k} has no Chinese");
            assert!(
                !en.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{k}"
            );
        }
    }
}
