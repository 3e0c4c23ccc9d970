//! The report's language: every label in Chinese (default) or English, and money units.

/// Chinese (default) or English.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

const LABELS: &[(&str, &str, &str)] = &[
    // Table headings and cells composed of other labels (report::columns).
    ("column_year_end", "{1}年末", "End of {1}"),
    (
        "column_share_of_paths",
        "路径占比：{1}",
        "Share of paths: {1}",
    ),
    ("column_treasury", "县级财政承担{1}", "Treasury payment {1}"),
    ("value_mean_points", "均值 {1} 个百分点", "mean {1} points"),
    ("value_level_times", "水平 × {1}", "level × {1}"),
    (
        "value_no_2025_reform",
        "不实施2025年延迟退休改革",
        "no 2025 reform",
    ),
    ("value_as_the_scenario", "按情景设定", "as the scenario"),
    ("value_yes", "是", "yes"),
    ("value_no", "否", "no"),
    ("value_high", "偏高", "high"),
    // The run report's notes and subtitle (report::html).
    ("dated_from", "{1}（自{2}起）", "{1} (from {2})"),
    (
        "note_months",
        "可支付月数 = 年末统筹基金累计结余 ÷ 近12个月统筹基金月均支出（按统计公报口径，不含由统筹基金划入个人账户的资金；预测首年不足12个月的部分取基年支出）。",
        "Months of payment capacity = year-end accumulated pooled balance ÷ average monthly pooled spending over the last 12 months, as the bulletins count it, without the credits paid from pooled money into personal accounts (the base year's spending fills the first months).",
    ),
    (
        "note_bands",
        "预警区间（国家指导口径：统筹基金累计结余原则上保持在6至9个月的平均支付水平；阈值为情景参数 [risk]）：过多 >{1} 个月；较多 {2}–{1} 个月；合理 {3}–{2} 个月；不足 {4}–{3} 个月；严重不足 <{4} 个月；穿底：累计结余为负。",
        "Warning bands (national guidance: a pooled balance of about 6 to 9 months of average payments; the thresholds are the scenario's [risk] parameters): excess > {1} months; high {2}–{1}; reasonable {3}–{2}; insufficient {4}–{3}; serious < {4}; run dry: a negative balance.",
    ),
    (
        "note_deficit",
        "当期赤字：当年基金收入加利息小于当年支出（累计结余可能仍为正）；穿底：月末累计结余为负，基金已无力支付。",
        "Current deficit: the year's income and interest fall short of its spending (the balance may still be positive); run dry: a negative month-end balance, the fund cannot pay.",
    ),
    (
        "note_fans",
        "扇形图：深色区为各年末数值的25%–75%分位区间，浅色区为5%–95%分位区间，黑线为中位数；所有点均为年末值。",
        "Fan charts: the dark band holds the 25th–75th percentiles of the year-end values, the light band the 5th–95th, the black line is the median; every point is a year end.",
    ),
    (
        "note_plus_minus",
        "“±”为95%置信区间的半宽（1.96倍蒙特卡洛标准误），反映路径数有限带来的抽样误差，不含模型与假设的不确定性。",
        "± is the half-width of a 95 % confidence interval (1.96 Monte Carlo standard errors): the sampling error of a finite number of paths, not the uncertainty of the model or its assumptions.",
    ),
    (
        "note_expected_path",
        "期望路径：各随机驱动因素取均值时的确定性预测，按分精确记账。",
        "Expected path: the deterministic projection with every random driver at its mean, kept as an exact ledger to the fen.",
    ),
    (
        "run_subtitle",
        "情景：{1}；运行日期：{2}；{3}条路径，随机种子{4}。",
        "Scenario: {1}; run on {2}; {3} paths, seed {4}.",
    ),
    // The studies' sentences (report::studies); {1}, {2}, … are filled in order.
    ("target_below", "低于", "below"),
    ("target_at_most", "不超过", "at most"),
    (
        "target_months_below",
        "可支付月数低于{1}个月的概率{2}{3}%",
        "the probability of less than {1} months of payment capacity is {2} {3} %",
    ),
    (
        "target_exhausted",
        "累计结余为负的概率{1}{2}%",
        "the probability of a negative balance is {1} {2} %",
    ),
    (
        "target_deficit",
        "出现当期赤字的概率{1}{2}%",
        "the probability of a current deficit is {1} {2} %",
    ),
    ("rate_line_employer", "单位缴费", "employer"),
    ("rate_line_employee", "个人缴费", "employee"),
    (
        "rate_line_flexible",
        "灵活就业人员缴费",
        "flexible workers'",
    ),
    (
        "solve_rate_answer",
        "要使{2}–{3}年每年年末{1}，{4}的{5}费率需自{6}起不低于{7}%（现行{8}%）；按期望收支计算的收支平衡费率为{9}%。",
        "For {1} at every year end of {2}–{3}, {4} needs the {5} rate at {7} % or more from {6} (now {8} %); the break-even rate of expected income and spending is {9} %.",
    ),
    (
        "solve_rate_unmet",
        "在{6}%以内，没有{5}费率能使{4}在{2}–{3}年每年年末{1}；费率为{6}%时，{7}年的概率仍为{8}%（95%区间±{9}个百分点）。",
        "No {5} rate up to {6} % gives {4} {1} at every year end of {2}–{3}; at {6} % the probability in {7} is still {8} % (95 % interval ±{9} points).",
    ),
    (
        "solve_rate_units",
        "要使{2}–{3}年每年年末{1}，{4}个统筹单位中有{5}个需要把{6}费率提高到现行水平以上；所需费率最高的是{7}（{8}%）。",
        "For {1} at every year end of {2}–{3}, {5} of {4} units need the {6} rate above today's; the highest required rate is {7}'s ({8} %).",
    ),
    (
        "solve_rate_units_unmet",
        "有{1}个单位在{2}%以内无法达到目标。",
        " {1} units cannot meet the target with a rate up to {2} %.",
    ),
    ("titled_target", "{1}（{2}）", "{1} ({2})"),
    (
        "compare_merged_label",
        "{1}：合并实施 − 生育保险单设",
        "{1}: merged − separate maternity fund",
    ),
    (
        "compare_headline",
        "{1}：{2}年末{3}可支付月数低于6个月的概率变化{4}个百分点（95%区间±{5}），年末累计结余均值变化{6}亿元（95%区间±{7}）。",
        "{1}: at the end of {2}, the probability that {3} has less than 6 months of payment capacity changes by {4} percentage points (95 % interval ±{5}) and its mean balance by {6} yuan millions (95 % interval ±{7}). ",
    ),
    (
        "labelled_summary",
        "情景文件中有{1}处标注为假设（ASSUMPTION）；其中{2}处数值分别下调和上调{3}%并测算影响，{4}处未调整（见标注表）。",
        "The scenario file labels {1} items ASSUMPTION; {2} were moved down and up by {3} % and measured, {4} were not moved (see the table of labelled values).",
    ),
    (
        "labelled_summary_only",
        "情景文件中有{1}处标注为假设（ASSUMPTION），本次只调整其中选定的{2}处：{3}处数值分别下调和上调{4}%并测算影响，{5}处未调整（见标注表）。",
        "The scenario file labels {1} items ASSUMPTION, of which {2} were chosen: {3} were moved down and up by {4} % and measured, {5} were not moved (see the table of labelled values).",
    ),
    (
        "sensitivity_headline",
        "对{1}年末{2}可支付月数中位数（基准{3}个月）影响最大的假设是{4}：向下和向上调整时分别变化{5}和{6}个月。",
        "The assumption that moves the median months of payment capacity of {2} at the end of {1} (base {3}) the most is {4}: {5} months when moved down, {6} when moved up.",
    ),
    (
        "error_one_year_ahead",
        "提前{1}年{2}%",
        "{2} % {1} year ahead",
    ),
    (
        "error_years_ahead",
        "提前{1}年{2}%",
        "{2} % {1} years ahead",
    ),
    ("list_separator_comma", "，", ", "),
    (
        "backtest_headline",
        "{1}—{2}年共{3}个实际值，其中{4}个落在90%预测区间内；中位数预测的绝对百分比误差（中位数）：{5}。",
        "Of {3} actuals in {1}–{2}, {4} fell inside the 90 % band. Median absolute percentage error of the median forecast: {5}.",
    ),
    (
        "demography_headline",
        "期望路径与公报相比（{1}—{2}年）：每百名在职人员对应退休人数最大相差{3}（{4}年）。",
        "Against the published years ({1}–{2}), the expected path's retirees per 100 active members differ by at most {3} ({4}).",
    ),
    (
        "demography_no_year",
        "没有可比较的公报年份。",
        "No published year to compare.",
    ),
    (
        "origin_chart_title",
        "{1}年末起点 — {2}",
        "From the end of {1} — {2}",
    ),
    (
        "rolling_headline",
        "{1}—{2}年末{3}个起点共{4}个实际值：{5}个（{6}%）落在90%预测区间内，{7}个（{8}%）落在50%区间内；提前1年中位数预测的绝对百分比误差（中位数）：{9}。",
        "{3} origins, the ends of {1}–{2}, {4} actuals: {5} ({6} %) inside the 90 % band, {7} ({8} %) inside the 50 % band. One year ahead, median absolute percentage error of the median forecast: {9}.",
    ),
    // The headline sentences (overview::headline); {1}, {2}, … are filled in order.
    ("list_separator", "、", "; "),
    (
        "headline_assumed_all",
        "注意：本报告各基金的起始状况（期初结余、上年收支、参保人数）为假设值，并非公布数据，也未按公布的基年校准；以下结果说明政策的作用机制和各基金之间的相对风险，不代表这些基金的实际状况。",
        "Note: every fund of this report opens from an assumed position (opening balance, the year before's income and spending, members), not from published figures or a solved base year; the results show how the policy works and how the funds compare, not the state of these funds.",
    ),
    (
        "headline_assumed_some",
        "注意：{2}个基金中有{1}个的起始状况为假设值，并非公布数据（{3}）；这些基金的结果说明政策的作用机制，不代表其实际状况。",
        "Note: {1} of {2} funds open from an assumed position, not from published figures ({3}); their results show how the policy works, not the state of those funds.",
    ),
    (
        "headline_dry_half",
        "，{1}年末前超过50%",
        ", above 50 % by the end of {1}",
    ),
    ("headline_dry_item", "{1}（{2}%{3}）", "{1} ({2} %{3})"),
    (
        "headline_short_item",
        "{1}（{2}年末{3}%）",
        "{1} ({3} % at the end of {2})",
    ),
    (
        "headline_dry_some",
        "在现行政策和费率下，{1}个基金中有{2}个在{3}年末前穿底（累计结余为负）的概率超过5%：{4}。",
        "At current policy and rates, {2} of {1} funds run dry (a negative balance) by the end of {3} with a probability above 5 %: {4}.",
    ),
    (
        "headline_dry_none",
        "在现行政策和费率下，{1}个基金在{2}年末前穿底（累计结余为负）的概率均不超过5%。",
        "At current policy and rates, none of the {1} funds runs dry (a negative balance) by the end of {2} with a probability above 5 %.",
    ),
    (
        "headline_short_some",
        "有{1}个基金在某一年末可支付月数低于6个月的概率超过50%：{2}。",
        "Besides, {1} fund(s) have more than a 50 % probability of less than 6 months of capacity at some year end: {2}.",
    ),
    (
        "headline_short_some_more",
        "另有{1}个基金在某一年末可支付月数低于6个月的概率超过50%：{2}。",
        "Further, {1} fund(s) have more than a 50 % probability of less than 6 months of capacity at some year end: {2}.",
    ),
    (
        "headline_short_none",
        "没有基金在任何年末可支付月数低于6个月的概率超过50%。",
        "No fund has more than a 50 % probability of less than 6 months of capacity at any year end.",
    ),
    (
        "headline_short_none_other",
        "其余基金中没有基金在任何年末可支付月数低于6个月的概率超过50%。",
        "No other fund has more than a 50 % probability of less than 6 months of capacity at any year end.",
    ),
    (
        "headline_tail_half",
        "半数以上路径在{1}年末前穿底。",
        "more than half of the paths run dry by the end of {1}.",
    ),
    (
        "headline_tail_ever",
        "预测期内穿底的概率为{1}%。",
        "the probability that it runs dry within the horizon is {1} %.",
    ),
    (
        "headline_main",
        "{1}：{2}年末可支付月数中位数为{3}个月，低于6个月的概率为{4}%（95%区间±{5}个百分点），当年出现当期赤字的概率为{6}%；{7}",
        "{1}: at the end of {2} the median months of capacity are {3}, the probability of less than 6 months is {4} % (95 % interval ±{5} points), and of a current deficit in that year {6} %; {7}",
    ),
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
        "各年末可支付月数低于6个月的概率（%）",
        "P(months of capacity < 6) at each year end (%)",
    ),
    (
        "exhaustion_heat_title",
        "至各年末已穿底（累计结余为负）的路径占比（%）",
        "Share of paths run dry (negative balance) by each year end (%)",
    ),
    (
        "births_title",
        "参保女职工生育人数（期望路径）",
        "Births to insured women (expected path)",
    ),
    (
        "maternity_title",
        "生育医疗费与生育津贴支出（期望路径）",
        "Maternity medical costs and allowance (expected path)",
    ),
    ("births_axis", "千人", "Thousands"),
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
        "首次穿底（累计结余为负）年份的分布",
        "First year the fund runs dry (negative balance)",
    ),
    ("share_of_paths", "路径占比（%）", "Share of paths (%)"),
    ("all_funds", "全部基金合计", "All funds combined"),
    ("ov_rank", "排名", "Rank"),
    ("ov_fund", "基金", "Fund"),
    ("ov_months_p50", "可支付月数中位数", "Median months"),
    ("ov_p_deficit", "当期赤字概率", "P(deficit)"),
    ("ov_p_months_lt_6", "低于6个月的概率", "P(< 6 months)"),
    ("ov_p_months_lt_3", "低于3个月的概率", "P(< 3 months)"),
    ("ov_p_exhausted", "穿底概率（年末结余为负）", "P(run dry)"),
    ("ov_worst_year", "最差年份", "Worst year"),
    (
        "ov_exhausted_by",
        "累计穿底路径占比首次超过下列水平的年份",
        "Year by which the share of paths run dry first exceeds",
    ),
    ("ov_over_5", "超过5%", "5 %"),
    ("ov_over_50", "超过50%", "50 %"),
    ("never_in_horizon", "未出现", "none"),
    ("overview", "风险总览", "Overview"),
    (
        "overrides_title",
        "运行时改动的参数（--set，优先于情景文件）",
        "Changed for this run (--set, over the scenario file)",
    ),
    ("meta_overrides", "运行时改动的参数", "Overrides"),
    ("money_yuan", "元", "yuan"),
    ("money_wan", "万元", "10,000 yuan"),
    ("money_yi", "亿元", "100 million yuan"),
    ("sheet_about", "说明", "About"),
    ("sheet_overview", "风险总览", "Overview"),
    (
        "sheet_months",
        "各年末可支付月数中位数",
        "Median months by year",
    ),
    ("col_item", "项目", "Item"),
    ("col_content", "内容", "Content"),
    ("col_rank", "排名", "Rank"),
    ("col_opening_position", "起始状况", "Opening position"),
    ("position_assumed", "假设值", "Assumed"),
    ("position_published", "公布数据", "Published"),
    (
        "ov_assumed_note",
        "起始状况（期初结余、上年收支、参保人数）为假设值的基金：并非公布数据，也未按公布的基年校准（见各单位的来源）。其风险说明政策的作用机制，不代表该基金的实际状况。",
        "A fund whose opening position (opening balance, the year before's income and spending, members) is assumed: not published figures, nor a solved base year (see each unit's source). Its risks show how the policy works, not the state of that fund.",
    ),
    ("col_fund_name", "基金", "Fund"),
    ("col_last_year", "最后一年", "Last year"),
    ("col_worst_year", "最差年份", "Worst year"),
    (
        "col_exhausted_5_by",
        "累计穿底路径占比首次超过5%的年份",
        "Year by which over 5 % have run dry",
    ),
    (
        "col_exhausted_50_by",
        "累计穿底路径占比首次超过50%的年份",
        "Year by which over 50 % have run dry",
    ),
    ("prefix_worst", "最差年份：", "Worst year: "),
    ("about_title", "情景名称", "Scenario"),
    ("about_money_unit", "金额单位", "Money unit"),
    ("term_months", "月数中位数", "Months p50"),
    ("term_p6", "P(<6个月)", "P(<6 m)"),
    ("term_p3", "P(<3个月)", "P(<3 m)"),
    ("term_exhausted", "P(穿底)", "P(dry)"),
    ("term_by_5", "穿底>5%年份", "Dry >5 % by"),
    ("notes", "说明", "Notes"),
    (
        "counties_title",
        "各县区收支缺口与财政承担（预测期合计，万元）",
        "Counties' gaps and treasury payments (whole horizon, yuan thousands)",
    ),
    ("county", "县区", "County"),
    ("county_gap", "收支缺口（均值）", "Gap (mean)"),
    (
        "county_city_share",
        "市级基金承担（均值）",
        "Borne by the city fund (mean)",
    ),
    (
        "county_treasury_mean",
        "县级财政承担（均值）",
        "County treasury (mean)",
    ),
    (
        "county_treasury_p95",
        "县级财政承担（95%分位）",
        "County treasury (95th percentile)",
    ),
    (
        "county_treasury_p",
        "县级财政需承担的概率",
        "Probability the treasury pays",
    ),
    ("meta_scenario", "情景标识", "Scenario"),
    ("meta_scenario_file", "情景文件", "Scenario file"),
    (
        "meta_scenario_hash",
        "情景文件校验值（SHA-256）",
        "Scenario hash (SHA-256)",
    ),
    ("meta_lang", "报告语言", "Language"),
    (
        "meta_small_cell_threshold",
        "小单元随机计数阈值（人）",
        "Small-cell threshold (persons)",
    ),
    (
        "meta_random_counts_below_members",
        "随机计数的单位规模上限（参保人数）",
        "Units drawing random counts: fewer members than",
    ),
    ("meta_program", "程序", "Program"),
    ("meta_program_version", "程序版本", "Program version"),
    ("meta_wall_seconds", "运行时间（秒）", "Run time (seconds)"),
    (
        "meta_peak_memory_bytes",
        "内存峰值（MB）",
        "Peak memory (MB)",
    ),
    ("meta_seed", "随机种子", "Seed"),
    ("meta_paths", "路径数", "Paths"),
    ("meta_threads", "线程数", "Threads"),
    ("meta_keep_paths", "保存逐条路径", "Paths kept"),
    ("meta_run_date", "运行日期（UTC）", "Run date (UTC)"),
    ("meta_shards", "分片数", "Shards"),
    ("meta_actuals", "实际值文件", "Actuals"),
    ("meta_years", "年份", "Years"),
    ("meta_target", "风险目标", "Risk target"),
    (
        "meta_separate_maternity",
        "生育保险单独运行",
        "Maternity run separately",
    ),
    ("meta_scenarios", "比较的情景", "Scenarios compared"),
    ("meta_origins", "起点年份", "Origins"),
    (
        "meta_origin_scenario_hashes",
        "各起点情景校验值",
        "Origin scenario hashes",
    ),
    ("meta_merged_from", "合并自分片", "Merged from shards"),
    ("meta_line", "调整的费率", "Rate moved"),
    ("meta_last_year", "最后一年", "Last year"),
    ("meta_fund", "基金", "Fund"),
    ("meta_from", "起始年份", "From"),
    ("lang_zh", "中文", "Chinese"),
    ("col_unit", "统筹单位/基金", "Unit or fund"),
    ("col_fund", "基金", "Fund"),
    ("col_year", "年份", "Year"),
    ("col_month", "月份", "Month"),
    ("col_paths", "路径数", "Paths"),
    ("col_scenario", "情景", "Scenario"),
    (
        "col_first_exhausted_year",
        "累计结余首次为负的年份",
        "First year of negative balance",
    ),
    ("col_share", "路径占比", "Share of paths"),
    (
        "col_cumulative_share",
        "累计路径占比",
        "Cumulative share of paths",
    ),
    (
        "col_income_employer",
        "单位缴费收入（元）",
        "Employer contributions (yuan)",
    ),
    (
        "col_income_employee",
        "个人缴费收入（元）",
        "Employee contributions (yuan)",
    ),
    (
        "col_income_flexible",
        "灵活就业人员缴费收入（元）",
        "Flexible workers' contributions (yuan)",
    ),
    (
        "col_income_buyin",
        "一次性缴费收入（元）",
        "Lump-sum buy-ins (yuan)",
    ),
    (
        "col_income_maternity",
        "生育保险费收入（元）",
        "Maternity contributions (yuan)",
    ),
    (
        "col_income_treasury",
        "县级财政补缺（元）",
        "County treasury payments (yuan)",
    ),
    (
        "col_income_resident",
        "居民个人缴费收入（元）",
        "Residents' contributions (yuan)",
    ),
    (
        "col_income_subsidy",
        "财政补助收入（元）",
        "Treasury subsidy (yuan)",
    ),
    (
        "col_income_total",
        "基金收入合计（元）",
        "Total income (yuan)",
    ),
    (
        "col_spending_inpatient",
        "住院支出（元）",
        "Inpatient spending (yuan)",
    ),
    (
        "col_spending_critical_illness",
        "大病保险支出（元）",
        "Critical-illness spending (yuan)",
    ),
    (
        "col_spending_tier2",
        "二档补充支出（元）",
        "Tier 2 spending (yuan)",
    ),
    (
        "col_spending_outpatient",
        "门诊统筹支出（元）",
        "Outpatient pooling spending (yuan)",
    ),
    (
        "col_spending_personal_account",
        "个人账户划入（元）",
        "Personal-account credits (yuan)",
    ),
    (
        "col_spending_maternity_medical",
        "生育医疗费用（元）",
        "Maternity medical costs (yuan)",
    ),
    (
        "col_spending_maternity_allowance",
        "生育津贴（元）",
        "Maternity allowance (yuan)",
    ),
    (
        "col_spending_total",
        "基金支出合计（元）",
        "Total spending (yuan)",
    ),
    ("col_interest", "利息收入（元）", "Interest (yuan)"),
    (
        "col_transfer_merger",
        "合并划转（元）",
        "Merger transfer (yuan)",
    ),
    (
        "col_transfers_net",
        "调剂与分担净额（元）",
        "Net transfers (yuan)",
    ),
    (
        "col_pooled_balance",
        "累计结余（元）",
        "Accumulated balance (yuan)",
    ),
    (
        "col_avg_monthly_spending_12m",
        "近12个月月均支出（元）",
        "Average monthly spending, 12 months (yuan)",
    ),
    (
        "col_months_of_capacity",
        "可支付月数",
        "Months of payment capacity",
    ),
    (
        "col_personal_account_income",
        "个人账户收入（元）",
        "Personal-account income (yuan)",
    ),
    (
        "col_births_insured",
        "参保女职工生育人数",
        "Births to insured women",
    ),
    (
        "col_births_spouse",
        "未就业配偶生育人数",
        "Births to non-employed spouses",
    ),
    (
        "col_members_enterprise",
        "企业职工人数",
        "Enterprise employees",
    ),
    (
        "col_members_government",
        "机关事业单位人员数",
        "Government and public-institution staff",
    ),
    ("col_members_flexible", "灵活就业人员数", "Flexible workers"),
    (
        "col_members_continuing",
        "延缴人员数",
        "Retirees still contributing",
    ),
    ("col_members_retiree", "退休人员数", "Retirees"),
    ("col_members_resident", "居民参保人数", "Insured residents"),
    ("col_members_active", "在职缴费人数", "Active contributors"),
    ("col_entries", "新参保人数", "Entries"),
    ("col_exits", "退出人数", "Exits"),
    ("col_deaths", "死亡人数", "Deaths"),
    ("col_retirements", "新退休人数", "Retirements"),
    (
        "col_employer_rate_uplift",
        "单位费率上调（比例）",
        "Employer rate uplift (share)",
    ),
    ("col_rule_fired", "管理规则触发", "Management rule fired"),
    (
        "col_balance",
        "年末累计结余（元）",
        "Year-end balance (yuan)",
    ),
    (
        "col_months",
        "年末可支付月数",
        "Year-end months of capacity",
    ),
    (
        "col_balance_mean",
        "年末累计结余均值（元）",
        "Mean year-end balance (yuan)",
    ),
    ("col_p_deficit", "当期赤字概率", "P(current deficit)"),
    (
        "col_p_months_lt_6",
        "可支付月数低于6个月的概率",
        "P(months of capacity < 6)",
    ),
    (
        "col_p_months_lt_3",
        "可支付月数低于3个月的概率",
        "P(months of capacity < 3)",
    ),
    ("col_p_exhausted", "累计结余为负的概率", "P(balance < 0)"),
    (
        "col_expected_shortfall",
        "期望缺口（元）",
        "Expected shortfall (yuan)",
    ),
    (
        "col_balance_cvar5",
        "最差5%路径的平均结余（元）",
        "Mean balance of the worst 5 % of paths (yuan)",
    ),
    ("col_excess", "结余过多（>15个月）", "Excess (> 15 months)"),
    ("col_high", "结余较多（9–15个月）", "High (9–15 months)"),
    (
        "col_reasonable",
        "结余合理（6–9个月）",
        "Reasonable (6–9 months)",
    ),
    (
        "col_insufficient",
        "结余不足（3–6个月）",
        "Insufficient (3–6 months)",
    ),
    (
        "col_serious",
        "结余严重不足（0–3个月）",
        "Seriously insufficient (0–3 months)",
    ),
    ("col_exhausted", "累计结余为负", "Exhausted (balance < 0)"),
    ("col_target", "风险目标", "Risk target"),
    ("col_met", "是否达到", "Met"),
    ("col_required_rate", "所需费率", "Required rate"),
    ("col_current_rate", "现行费率", "Current rate"),
    ("col_break_even_rate", "收支平衡费率", "Break-even rate"),
    ("col_binding_year", "约束年份", "Binding year"),
    ("col_probability", "概率", "Probability"),
    (
        "col_probability_at_0_01_point_less",
        "费率低0.01个百分点时的概率",
        "Probability at 0.01 point less",
    ),
    (
        "col_standalone_rate",
        "单独统筹所需费率",
        "Rate needed standalone",
    ),
    ("col_standalone_met", "单独统筹是否达到", "Met standalone"),
    ("col_assumption", "假设", "Assumption"),
    ("col_direction", "方向", "Direction"),
    ("col_value", "取值", "Value"),
    ("col_levy", "上解（元）", "Levy (yuan)"),
    ("col_gap", "收支缺口（元）", "Gap (yuan)"),
    ("col_received", "获得调剂/分担（元）", "Received (yuan)"),
    (
        "col_treasury",
        "县级财政承担（元）",
        "Paid by the county treasury (yuan)",
    ),
    (
        "col_revenue_budget",
        "收入预算（元）",
        "Revenue budget (yuan)",
    ),
    (
        "col_spending_budget",
        "支出预算（元）",
        "Spending budget (yuan)",
    ),
    (
        "col_working_advance",
        "周转金（元）",
        "Working advance (yuan)",
    ),
    (
        "col_p_treasury",
        "财政补助（兜底或县级分担）的概率",
        "Probability the treasury pays",
    ),
    (
        "col_income_treasury_p95",
        "财政补助95%分位数（元）",
        "Treasury payment, 95th percentile (yuan)",
    ),
    (
        "col_other_uses",
        "调剂金其他支付（元）",
        "Other uses of the adjustment fund (yuan)",
    ),
    ("col_income", "收入（元）", "Income (yuan)"),
    ("col_spending", "支出（元）", "Spending (yuan)"),
    ("col_rate", "费率", "Rate"),
    ("col_wage_growth", "工资增长率", "Wage growth"),
    (
        "col_medical_price_growth",
        "医疗价格增长率",
        "Medical price growth",
    ),
    (
        "col_utilisation_growth",
        "医疗利用增长率",
        "Utilisation growth",
    ),
    ("col_employment_growth", "就业增长率", "Employment growth"),
    ("col_fertility", "生育水平", "Fertility"),
    (
        "col_retirement_age",
        "退休年龄改革",
        "Retirement-age reform",
    ),
    ("col_low", "偏低", "low"),
    ("col_base", "基准", "base"),
    (
        "col_mean_crps_relative",
        "连续分级概率评分（相对实际值，平均）",
        "Mean CRPS relative to the actual",
    ),
    (
        "col_forecast_p25",
        "预测25%分位数（元）",
        "Forecast 25th percentile (yuan)",
    ),
    (
        "col_forecast_p75",
        "预测75%分位数（元）",
        "Forecast 75th percentile (yuan)",
    ),
    ("col_crps", "连续分级概率评分（元）", "CRPS (yuan)"),
    (
        "col_crps_relative",
        "连续分级概率评分（相对实际值）",
        "CRPS relative to the actual",
    ),
    ("col_origin", "起点（年末）", "Origin (year end)"),
    (
        "col_share_inside_90",
        "落在90%区间内的比例",
        "Share inside the 90 % band",
    ),
    (
        "col_share_inside_50",
        "落在50%区间内的比例",
        "Share inside the 50 % band",
    ),
    ("col_inside_50", "落在50%区间内", "Inside the 50 % band"),
    (
        "col_n_inside_50",
        "落在50%区间内的个数",
        "Inside the 50 % band",
    ),
    ("col_line", "口径", "Line"),
    ("col_horizon_years", "预测年数", "Years ahead"),
    ("col_actual", "实际值（元）", "Actual (yuan)"),
    (
        "col_forecast_median",
        "预测中位数（元）",
        "Forecast median (yuan)",
    ),
    (
        "col_forecast_p5",
        "预测5%分位（元）",
        "Forecast 5th percentile (yuan)",
    ),
    (
        "col_forecast_p95",
        "预测95%分位（元）",
        "Forecast 95th percentile (yuan)",
    ),
    (
        "col_forecast_mean",
        "预测均值（元）",
        "Forecast mean (yuan)",
    ),
    (
        "col_percentile_rank",
        "实际值在预测中的分位（%）",
        "Percentile rank of the actual (%)",
    ),
    (
        "col_abs_pct_error",
        "中位数预测的绝对百分比误差",
        "Absolute percentage error of the median",
    ),
    ("col_inside_90", "落在90%区间内", "Inside the 90 % band"),
    ("col_source", "来源", "Source"),
    ("col_n_actuals", "实际值个数", "Actuals"),
    (
        "col_n_inside_90",
        "落在90%区间内的个数",
        "Inside the 90 % band",
    ),
    (
        "col_median_abs_pct_error",
        "绝对百分比误差的中位数",
        "Median absolute percentage error",
    ),
    ("col_pooled_income", "统筹基金收入", "Pooled fund income"),
    (
        "col_pooled_spending",
        "统筹基金支出",
        "Pooled fund spending",
    ),
    (
        "col_fund_income",
        "职工医保基金收入（含个人账户、利息）",
        "Fund income (with personal accounts and interest)",
    ),
    (
        "col_active_model",
        "在职人数：模型（人）",
        "Active members: model",
    ),
    (
        "col_active_published",
        "在职人数：公报（人）",
        "Active members: published",
    ),
    (
        "col_active_error",
        "在职人数相对误差",
        "Active members: relative error",
    ),
    (
        "col_retired_model",
        "退休人数：模型（人）",
        "Retirees: model",
    ),
    (
        "col_retired_published",
        "退休人数：公报（人）",
        "Retirees: published",
    ),
    (
        "col_retirees_per_100_model",
        "每百名在职人员对应退休人数：模型",
        "Retirees per 100 active: model",
    ),
    (
        "col_retirees_per_100_published",
        "每百名在职人员对应退休人数：公报",
        "Retirees per 100 active: published",
    ),
    (
        "col_retirees_per_100_difference",
        "每百名在职人员对应退休人数：差（模型−公报）",
        "Retirees per 100 active: model − published",
    ),
    ("suffix_base", "（基准方案）", " (baseline)"),
    ("suffix_other", "（比较方案）", " (alternative)"),
    (
        "differences",
        "两方案的参数差异",
        "What differs between the scenarios",
    ),
    (
        "no_differences",
        "两方案的参数相同。",
        "The scenarios' parameters are the same.",
    ),
    (
        "maternity_arrangement",
        "生育保险安排",
        "Maternity arrangement",
    ),
    (
        "separate_fund",
        "生育保险单独设立基金",
        "a separate maternity fund",
    ),
    (
        "merged_as_scenario",
        "按情景合并实施",
        "merged as the scenario says",
    ),
    ("others", "其他单位", "Other units"),
    ("compare_base", "基准方案", "Baseline"),
    ("compare_alternative", "比较方案", "Alternative"),
    ("suffix_se", "（标准误）", " (standard error)"),
    ("suffix_mean", "（均值）", " (mean)"),
    ("suffix_diff", "（差值）", " (difference)"),
    ("suffix_change", "（变化）", " (change)"),
    ("suffix_p5", "（5%分位）", " (5th percentile)"),
    ("suffix_p25", "（25%分位）", " (25th percentile)"),
    ("suffix_p50", "（中位数）", " (median)"),
    ("suffix_p75", "（75%分位）", " (75th percentile)"),
    ("suffix_p95", "（95%分位）", " (95th percentile)"),
    ("suffix_count", "（人数）", " (count)"),
    ("driver_wage_growth", "工资增长率", "Wage growth"),
    (
        "driver_medical_price_growth",
        "医疗价格增长率",
        "Medical price growth",
    ),
    (
        "driver_utilisation_growth",
        "医疗服务利用增长率",
        "Utilisation growth",
    ),
    (
        "driver_employment_growth",
        "参保就业增长率",
        "Employment growth",
    ),
    ("driver_collection_rate", "征缴率", "Collection rate"),
    ("driver_interest_rate", "基金利率", "Interest rate"),
    (
        "driver_retirement_take_up",
        "退休留存率（达到退休年龄者转为本基金退休人员的比例，乘以各统筹单位的水平系数）",
        "Retirement take-up (share of those reaching retirement who retire in the fund, times each unit's level)",
    ),
    (
        "param_account_credit_bands",
        "个人账户按年龄划入标准（年龄上限，元/月）",
        "Personal-account credit by age (upper age, yuan a month)",
    ),
    (
        "param_account_credit_own_rate",
        "个人账户按本人缴费基数划入比例",
        "Personal-account credit as a share of own base",
    ),
    (
        "param_allowance_flexible",
        "灵活就业人员享受生育津贴",
        "Flexible workers receive the allowance",
    ),
    (
        "param_allowance_government",
        "机关事业单位人员由基金支付生育津贴",
        "Government staff's allowance paid by the fund",
    ),
    (
        "param_base_cap",
        "缴费基数上限（平均工资倍数）",
        "Contribution base cap (multiple of the average wage)",
    ),
    (
        "param_base_floor",
        "缴费基数下限（平均工资倍数）",
        "Contribution base floor (multiple of the average wage)",
    ),
    (
        "param_base_reference_lag",
        "缴费基数参照工资滞后年数",
        "Years between the reference wage and the base",
    ),
    (
        "param_beyond_budget_city_share",
        "完成征收预算但超支出预算时市级承担比例",
        "City share when spending exceeds its budget",
    ),
    ("param_buyin_mode", "补缴方式", "Buy-in mode"),
    ("param_buyin_rate", "补缴费率", "Buy-in rate"),
    ("param_cap", "封顶线（元）", "Cap (yuan)"),
    (
        "param_cap_multiple",
        "调剂金拨付上限（上年上解额倍数）",
        "Payment cap (multiple of last year's levy)",
    ),
    (
        "param_contribution_years",
        "退休时缴费年限分布",
        "Contribution years at retirement",
    ),
    ("param_costs", "医疗费用参数", "Medical costs"),
    (
        "param_critical_illness",
        "大病保险",
        "Critical illness insurance",
    ),
    (
        "param_critical_illness_ratio_delta",
        "大病保险报销比例调整",
        "Critical-illness ratio adjustment",
    ),
    (
        "param_critical_illness_threshold_from",
        "大病保险起付线按居民可支配收入确定的起始月份",
        "Critical-illness threshold linked to income from",
    ),
    ("param_deductible", "起付线（元）", "Deductible (yuan)"),
    (
        "param_difficult_extra_days",
        "难产增加产假天数",
        "Extra leave days for a difficult birth",
    ),
    (
        "param_difficult_share",
        "难产比例",
        "Share of difficult births",
    ),
    (
        "param_direct_ratio",
        "直接就医报销比例",
        "Ratio without referral",
    ),
    ("param_employee_rate", "个人缴费费率", "Employee rate"),
    (
        "param_employee_to_personal_account",
        "个人缴费划入个人账户比例",
        "Employee contribution to the personal account",
    ),
    ("param_employer_rate", "单位缴费费率", "Employer rate"),
    (
        "param_employer_rate_government",
        "机关事业单位单位缴费费率",
        "Government employers' rate",
    ),
    (
        "param_employer_to_personal_account",
        "单位缴费划入个人账户比例",
        "Employer contribution to the personal account",
    ),
    (
        "param_employer_wage_relative",
        "生育职工所在单位平均工资相对水平",
        "Mothers' employer wage relative to the average",
    ),
    ("param_enterprise", "企业职工", "Enterprise employees"),
    ("param_female", "女性", "Women"),
    (
        "param_female_age55_share",
        "女性55岁退休（干部岗位）比例",
        "Share of women retiring at 55",
    ),
    ("param_flexible", "灵活就业人员", "Flexible workers"),
    (
        "param_flexible_base",
        "灵活就业人员缴费基数（平均工资倍数）",
        "Flexible workers' base (multiple of the average wage)",
    ),
    (
        "param_flexible_base_reference",
        "灵活就业人员缴费基数参照",
        "Flexible workers' base reference",
    ),
    (
        "param_flexible_covered",
        "灵活就业人员生育医疗费纳入支付",
        "Flexible workers' maternity costs covered",
    ),
    (
        "param_flexible_rate",
        "灵活就业人员缴费费率",
        "Flexible workers' rate",
    ),
    (
        "param_flexible_to_personal_account",
        "灵活就业人员缴费划入个人账户比例",
        "Flexible contribution to the personal account",
    ),
    (
        "param_flexible_waiting_months",
        "灵活就业人员待遇等待期（月）",
        "Flexible workers' waiting period (months)",
    ),
    ("param_from", "起始月份", "From"),
    ("param_fund_name", "基金标识", "Fund identifier"),
    ("param_fund_title", "基金中文名称", "Fund name (Chinese)"),
    ("param_fund_title_en", "基金英文名称", "Fund name (English)"),
    (
        "param_gap_share",
        "调剂金承担缺口比例",
        "Share of the gap borne by the adjustment fund",
    ),
    ("param_government", "机关事业单位人员", "Government staff"),
    ("param_hospital_levels", "医院等级", "Hospital levels"),
    (
        "param_initial_balance",
        "期初结余（元）",
        "Opening balance (yuan)",
    ),
    ("param_inpatient", "住院", "Inpatient"),
    (
        "param_inpatient_mean",
        "住院次均费用（元）",
        "Mean inpatient cost (yuan)",
    ),
    (
        "param_inpatient_sigma",
        "住院费用对数标准差",
        "Inpatient cost log-sd",
    ),
    (
        "param_insured_fertility_relative",
        "参保女职工生育率相对水平",
        "Insured women's fertility relative to the table",
    ),
    ("param_kind", "类型", "Kind"),
    ("param_leave_days", "产假天数", "Maternity leave days"),
    (
        "param_levy_in_gap",
        "上解额计入支出缺口",
        "Levy counted in the gap",
    ),
    (
        "param_levy_rate",
        "上解比例（占上年征缴收入）",
        "Levy rate (share of last year's premium income)",
    ),
    ("param_male", "男性", "Men"),
    ("param_maternity", "生育保险", "Maternity"),
    (
        "param_mean_female",
        "女性均值（年）",
        "Women's mean (years)",
    ),
    ("param_mean_male", "男性均值（年）", "Men's mean (years)"),
    (
        "param_prior_years_mean",
        "参保前已有缴费年限均值（年）",
        "Prior contribution years, mean (years)",
    ),
    (
        "param_prior_years_sd",
        "参保前已有缴费年限标准差（年）",
        "Prior contribution years, standard deviation (years)",
    ),
    (
        "param_medical_cost_per_birth",
        "每例生育医疗费（元）",
        "Medical cost per birth (yuan)",
    ),
    (
        "param_merger",
        "生育保险并入职工医保月份",
        "Maternity merger month",
    ),
    (
        "param_minimum_years",
        "最低缴费年限（年）",
        "Minimum contribution years",
    ),
    (
        "param_minimum_years_first_enrolled",
        "新参保人员最低缴费年限（自某月起首次参保）",
        "Minimum years of members first enrolled from a month",
    ),
    (
        "param_missed_revenue_treasury_share",
        "未完成征收预算时县级财政承担比例",
        "County treasury share when revenue falls short",
    ),
    (
        "param_multiple_extra_days",
        "多胞胎每多一个婴儿增加产假天数",
        "Extra leave days per extra baby",
    ),
    (
        "param_multiple_share",
        "多胞胎比例",
        "Share of multiple births",
    ),
    ("param_name", "名称", "Name"),
    (
        "param_new_member_cap_factors",
        "新参保人员封顶线系数（月数，系数）",
        "New members' cap factors (months, factor)",
    ),
    (
        "param_other_uses_share",
        "调剂金用于其他支出的比例",
        "Adjustment fund's share for other uses",
    ),
    ("param_outpatient", "门诊", "Outpatient"),
    (
        "param_outpatient_mean",
        "门诊次均费用（元）",
        "Mean outpatient cost (yuan)",
    ),
    (
        "param_outpatient_second_clinic",
        "第二家门诊定点",
        "Second chosen clinic",
    ),
    (
        "param_outpatient_sigma",
        "门诊费用对数标准差",
        "Outpatient cost log-sd",
    ),
    (
        "param_overspend_sharing",
        "超支分担口径",
        "Overspend sharing",
    ),
    (
        "param_price_year",
        "费用价格基年",
        "Price year of the costs",
    ),
    ("param_ratio", "报销比例", "Reimbursement ratio"),
    (
        "param_referred_ratio",
        "转诊就医报销比例",
        "Ratio with referral",
    ),
    ("param_referred_share", "转诊比例", "Share referred"),
    (
        "param_resident_income",
        "城乡居民人均可支配收入（元/年）",
        "Disposable income per resident (yuan a year)",
    ),
    (
        "param_resident_income_indexed",
        "居民收入随工资指数增长",
        "Resident income indexed to wages",
    ),
    (
        "param_resident_income_lag",
        "居民收入滞后年数",
        "Resident income lag (years)",
    ),
    (
        "param_resident_rate",
        "居民个人缴费（元/年）",
        "Resident contribution (yuan a year)",
    ),
    (
        "param_resident_subsidy",
        "居民财政补助（元/年）",
        "Resident subsidy (yuan a year)",
    ),
    (
        "param_retiree_account_credit",
        "退休人员个人账户划入（元/月）",
        "Retiree account credit (yuan a month)",
    ),
    (
        "param_retiree_deductible_delta",
        "退休人员起付线调整（元）",
        "Retiree deductible adjustment (yuan)",
    ),
    (
        "param_retiree_ratio_delta",
        "退休人员报销比例调整",
        "Retiree ratio adjustment",
    ),
    (
        "param_retirement_reform",
        "渐进式延迟退休改革",
        "Gradual retirement-age reform",
    ),
    (
        "param_revenue_budget_growth",
        "征收预算年增长率",
        "Revenue budget growth",
    ),
    ("param_sd_female", "女性标准差（年）", "Women's sd (years)"),
    ("param_sd_male", "男性标准差（年）", "Men's sd (years)"),
    ("param_seasonality", "月度季节系数", "Monthly seasonality"),
    ("param_share", "占比", "Share"),
    ("param_source", "来源", "Source"),
    (
        "param_spending_budget_growth",
        "支出预算年增长率",
        "Spending budget growth",
    ),
    (
        "param_spouse_cost_share",
        "未就业配偶生育医疗费支付比例",
        "Share paid for an uninsured spouse's birth",
    ),
    (
        "param_spouse_of_flexible_covered",
        "灵活就业人员配偶纳入支付",
        "Flexible workers' spouses covered",
    ),
    (
        "param_spouse_uninsured_share",
        "配偶未参保比例",
        "Share of spouses uninsured",
    ),
    ("param_start", "起始月份", "Start"),
    ("param_tier2", "二档补充待遇", "Tier 2"),
    (
        "param_tier2_ratio_delta",
        "二档报销比例调整",
        "Tier 2 ratio adjustment",
    ),
    ("param_tiers", "分段", "Tiers"),
    ("param_treasury_backstop", "财政兜底", "Treasury backstop"),
    (
        "param_treasury_settlement_month",
        "财政结算月份",
        "Treasury settlement month",
    ),
    ("param_value", "取值", "Value"),
    (
        "param_wage_dispersion",
        "工资离散度（对数标准差）",
        "Wage dispersion (log-sd)",
    ),
    (
        "param_within_budget_city_share",
        "支出预算内缺口市级承担比例",
        "City share within the spending budget",
    ),
    (
        "param_working_advance_months",
        "周转金月数",
        "Working advance (months)",
    ),
    ("param_policy", "政策参数", "Policy"),
    ("param_horizon_months", "预测月数", "Horizon (months)"),
    (
        "param_risk",
        "预警区间阈值（月）",
        "Warning thresholds (months)",
    ),
    ("param_excess", "过多", "Excess"),
    ("param_high", "较多", "High"),
    ("param_reasonable", "合理", "Reasonable"),
    ("param_insufficient", "不足", "Insufficient"),
    ("param_mean", "均值", "Mean"),
    ("param_volatility", "波动率", "Volatility"),
    ("param_persistence", "持续性", "Persistence"),
    (
        "param_mean_uncertainty",
        "均值的不确定性（标准差）",
        "Uncertainty of the mean (s.d.)",
    ),
    (
        "param_mean_drift",
        "均值的年变动（随机游走标准差）",
        "Yearly drift of the mean (random-walk s.d.)",
    ),
    ("param_wage_growth", "工资增长率", "Wage growth"),
    (
        "param_medical_price_growth",
        "医疗价格增长率",
        "Medical price growth",
    ),
    (
        "param_utilisation_growth",
        "医疗服务利用增长率",
        "Utilisation growth",
    ),
    (
        "param_employment_growth",
        "参保就业增长率",
        "Employment growth",
    ),
    ("param_collection_rate", "征缴率", "Collection rate"),
    ("param_interest_rate", "基金利率", "Interest rate"),
    (
        "param_retirement_take_up",
        "退休留存率",
        "Retirement take-up",
    ),
    ("param_fertility", "生育水平", "Fertility"),
    ("param_level", "水平", "Level"),
    ("param_drift", "年漂移", "Drift a year"),
    ("param_tfr_min", "总和生育率下限", "Lowest total fertility"),
    ("param_tfr_max", "总和生育率上限", "Highest total fertility"),
    ("param_pooling", "统筹调剂", "Pooling"),
    ("param_judged_on", "判断口径", "Judged on"),
    (
        "param_subsidy_step",
        "财政补助调整步长（元）",
        "Subsidy step (yuan)",
    ),
    (
        "param_initial_pooled_balance",
        "期初累计结余（元）",
        "Opening pooled balance (yuan)",
    ),
    ("value_level-1", "一级医院", "level-1 hospitals"),
    ("value_level-2", "二级医院", "level-2 hospitals"),
    ("value_level-3", "三级医院", "level-3 hospitals"),
    (
        "value_non-designated",
        "非定点医疗机构",
        "non-designated providers",
    ),
    ("value_whole_gap", "全部缺口", "the whole gap"),
    (
        "value_above_budget",
        "超预算部分",
        "the part above the budget",
    ),
    (
        "value_provincial_adjustment",
        "省级调剂",
        "provincial adjustment",
    ),
    ("value_city_unified", "市级统收统支", "city-unified"),
    ("value_accounts", "分账户", "accounts"),
    ("value_single", "独立统筹", "single"),
    ("value_lump_sum", "一次性补缴", "lump sum"),
    ("value_monthly", "按月续缴", "monthly"),
    (
        "value_area",
        "全区域平均工资（各单位加权）",
        "the area's average wage (all units)",
    ),
    (
        "value_unit",
        "本统筹单位平均工资",
        "the unit's average wage",
    ),
    ("value_fund", "基金整体", "the whole fund"),
    ("value_account", "各账户", "each account"),
    ("lang_en", "英文", "English"),
    ("maternity_fund_suffix", "生育保险基金", " maternity fund"),
    (
        "adjustment_fund",
        "省级调剂金",
        "Provincial adjustment fund",
    ),
    ("city_fund", "市级统筹基金", "City pooled fund"),
    ("accounts_fund", "基金合计", "Whole fund"),
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
    ("band_exhausted", "穿底（<0）", "Run dry (< 0)"),
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
    (
        "mean_uncertainty",
        "均值的不确定性（标准差）",
        "Uncertainty of the mean (s.d.)",
    ),
    (
        "mean_drift",
        "均值的年变动（标准差）",
        "Yearly drift of the mean (s.d.)",
    ),
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
    (
        "labelled_values",
        "标注为假设的取值",
        "Values labelled ASSUMPTION",
    ),
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

/// The unit money is shown in where people read it (the workbook): yuan, 万元 (10,000 yuan) or
/// 亿元 (100 million yuan). The CSV and Parquet files always hold yuan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum MoneyUnit {
    Yuan,
    #[default]
    Wan,
    Yi,
}

impl MoneyUnit {
    /// `yuan`, `wan` (万元) or `yi` (亿元).
    pub fn parse(s: &str) -> Option<MoneyUnit> {
        match s {
            "yuan" | "元" => Some(MoneyUnit::Yuan),
            "wan" | "万元" => Some(MoneyUnit::Wan),
            "yi" | "亿元" => Some(MoneyUnit::Yi),
            _ => None,
        }
    }

    /// Yuan per unit.
    pub fn yuan(self) -> f64 {
        match self {
            MoneyUnit::Yuan => 1.0,
            MoneyUnit::Wan => 1e4,
            MoneyUnit::Yi => 1e8,
        }
    }

    /// The unit's name in a heading.
    pub fn name(self, lang: Lang) -> &'static str {
        lang.t(match self {
            MoneyUnit::Yuan => "money_yuan",
            MoneyUnit::Wan => "money_wan",
            MoneyUnit::Yi => "money_yi",
        })
    }
}

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
        // Looked up per table cell by the workbook and the pages: a map, built once.
        static INDEX: std::sync::OnceLock<
            std::collections::HashMap<&'static str, (&'static str, &'static str)>,
        > = std::sync::OnceLock::new();
        INDEX
            .get_or_init(|| LABELS.iter().map(|&(k, zh, en)| (k, (zh, en))).collect())
            .get(key)
            .map_or("??", |&(zh, en)| if self == Lang::Zh { zh } else { en })
    }

    /// The sentence of `key` with its placeholders `{1}`, `{2}`, … replaced by `args` in order
    /// (each language places them where its grammar wants them); read in one pass, so an
    /// argument's own text is never substituted again.
    pub fn fill(self, key: &str, args: &[&str]) -> String {
        let template = self.t(key);
        let mut out = String::with_capacity(template.len() + 16 * args.len());
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            let arg = after[..digits]
                .parse::<usize>()
                .ok()
                .filter(|_| after[digits..].starts_with('}'))
                .and_then(|i| args.get(i.wrapping_sub(1)));
            match arg {
                Some(a) => {
                    out.push_str(a);
                    rest = &after[digits + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
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

    /// Placeholders are filled in the order each language puts them; an argument's own braces
    /// are left as they are; a placeholder without an argument stays as written.
    #[test]
    fn sentences_are_filled_in_each_languages_order() {
        let args = ["Zibo", "2027", "61.5"];
        assert_eq!(
            Lang::Zh.fill("headline_short_item", &args),
            "Zibo（2027年末61.5%）"
        );
        assert_eq!(
            Lang::En.fill("headline_short_item", &args),
            "Zibo (61.5 % at the end of 2027)"
        );
        assert_eq!(
            Lang::En.fill("headline_short_item", &["{2}", "{1}", "x"]),
            "{2} (x % at the end of {1})"
        );
        assert_eq!(
            Lang::En.fill("headline_dry_half", &[]),
            ", above 50 % by the end of {1}"
        );
        assert_eq!(Lang::En.fill("year", &["x"]), "Year");
    }

    #[test]
    fn numbers_and_labels() {
        assert_eq!(Lang::Zh.number(1234567.891, 2), "1,234,567.89");
        assert_eq!(Lang::En.number(-950.0, 0), "−950");
        assert_eq!(Lang::En.number(12.0, 1), "12.0");
        assert_eq!(Lang::En.number(f64::INFINITY, 1), "∞");
        assert_eq!(Lang::Zh.t("year"), "年份");
        assert_eq!(Lang::En.t("year"), "Year");
        let mut keys: Vec<&str> = LABELS.iter().map(|l| l.0).collect();
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "a key is labelled twice");
        for (k, zh, en) in LABELS {
            // A sentence's placeholders are the same in both languages.
            let placeholders = |s: &str| {
                let mut p: Vec<usize> = s
                    .split('{')
                    .skip(1)
                    .filter_map(|r| r.split_once('}')?.0.parse().ok())
                    .collect();
                p.sort_unstable();
                p
            };
            assert_eq!(placeholders(zh), placeholders(en), "{k}");
            assert!(zh.chars().any(|c| c as u32 > 0x2E80), "{k} has no Chinese");
            assert!(
                !en.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{k}"
            );
        }
    }
}
