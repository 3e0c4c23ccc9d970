#!/usr/bin/env python3
"""Writes the [[units]] of scenarios/shandong-provincial.toml and scenarios/jiujiang-city.toml.

Provincial (or city) totals are apportioned to units by their population share; a unit's wage
level, retiree share and months of payment capacity at the start vary around the totals as
stated below. Every total is an ASSUMPTION of the right order, sourced as given, until the
calibration of issue 8 replaces it. Run: python3 scenarios/tools/make_pooled_scenarios.py
"""

import pathlib

HERE = pathlib.Path(__file__).resolve().parent.parent

# Shandong cities: resident population, millions, 2020 census (山东省第七次全国人口普查公报, 2021).
# Relative wage: ASSUMPTION (higher in Jinan, Qingdao, Dongying, Yantai, Weihai).
# Months of capacity at the start: ASSUMPTION spread (6 to 20) so that some cities are stretched.
SHANDONG = [
    # name, population m, relative wage, retiree share of members, months at start, phased rate
    ("jinan", 9.20, 1.15, 0.25, 14.0, False),
    ("qingdao", 10.07, 1.20, 0.26, 16.0, False),
    ("zibo", 4.70, 0.95, 0.33, 8.0, True),
    ("zaozhuang", 3.86, 0.85, 0.32, 7.0, True),
    ("dongying", 2.19, 1.15, 0.24, 18.0, False),
    ("yantai", 7.10, 1.05, 0.30, 12.0, False),
    ("weifang", 9.39, 0.95, 0.27, 11.0, False),
    ("jining", 8.36, 0.90, 0.28, 10.0, True),
    ("taian", 5.47, 0.90, 0.30, 9.0, False),
    ("weihai", 2.91, 1.05, 0.31, 13.0, False),
    ("rizhao", 2.97, 0.90, 0.24, 12.0, False),
    ("linyi", 11.02, 0.85, 0.22, 10.0, True),
    ("dezhou", 5.61, 0.85, 0.26, 9.0, False),
    ("liaocheng", 5.95, 0.85, 0.26, 8.0, True),
    ("binzhou", 3.93, 0.90, 0.25, 11.0, False),
    ("heze", 8.80, 0.80, 0.20, 7.0, True),
]
# Provincial level (省本级) and Shengli oilfield: members, ASSUMPTION.
SHANDONG_EXTRA = [
    ("provincial-level", 0.45e6, 1.25, 0.35, 15.0, False),
    ("shengli-oilfield", 0.55e6, 1.10, 0.45, 12.0, False),
]
# ASSUMPTION: employee medical insurance members ≈ 26 % of the resident population (the national
# ratio in 2023: 370.95 m employee insured of 1,409.67 m people; NHSA 2023 statistical bulletin,
# NBS 2023 communiqué), of whom the retiree share above; the average monthly wage on which
# contributions are paid about 6,200 yuan in 2023 (ASSUMPTION: below Shandong's average wage of
# about 7,500, since many employers pay on the floor base).
SD_COVERAGE = 0.26
SD_WAGE = 6200.0
# ASSUMPTION: pooled spending per member about 3,300 yuan a year (2023), pooled premium income
# about 1.05 × spending (national 2023: pooled spending about 3,400 yuan per member).
SD_SPEND_PER_MEMBER = 3300.0
# The year before the start (2024-01): each city's figures above are its base year, which the
# model is solved to meet (its own costs gave 2024 spending 24-26 % above them in every city,
# and income from -30 % to +49 %, which decided which cities ran dry).
SD_BASE_YEAR = 2023

# Jiujiang: county-level units; population shares ASSUMPTION of the order of the 2020 census
# (Jiujiang 4.60 m in all); 市本级 (city-level employers) as a unit of its own.
JIUJIANG = [
    # name, population m, relative wage, retiree share, months at start
    ("city-level", 0.35, 1.20, 0.30, 0.0),
    ("lianxi", 0.45, 1.05, 0.30, 0.0),
    ("xunyang", 0.35, 1.05, 0.32, 0.0),
    ("chaisang", 0.35, 0.90, 0.28, 0.0),
    ("wuning", 0.35, 0.85, 0.28, 0.0),
    ("xiushui", 0.70, 0.80, 0.25, 0.0),
    ("yongxiu", 0.30, 0.90, 0.27, 0.0),
    ("dean", 0.20, 0.90, 0.30, 0.0),
    ("duchang", 0.60, 0.80, 0.22, 0.0),
    ("hukou", 0.24, 0.90, 0.28, 0.0),
    ("pengze", 0.30, 0.85, 0.27, 0.0),
    ("ruichang", 0.40, 0.90, 0.29, 0.0),
    ("gongqingcheng", 0.17, 1.00, 0.20, 0.0),
    ("lushan", 0.24, 0.85, 0.30, 0.0),
]
# ASSUMPTION: employee medical members ≈ 15 % of the population (a less urban prefecture);
# average monthly wage 2020 about 5,800 yuan; pooled spending about 2,200 yuan per member a
# year; the city balance at the start about 10 months of spending, the counties' share of it
# proportional to their members.
JJ_COVERAGE = 0.15
JJ_WAGE = 5800.0
JJ_SPEND_PER_MEMBER = 2200.0


# Each unit takes its province's age-sex structure (2020 census, moved to the scenario's start;
# data/tools/make_demography.py): the census tables used stop at the province, so the cities and
# counties share it.
SD_STRUCTURE = "membership_structure_shandong_2024.csv"

# Display names in the reports: (Chinese, English).
TITLES = {
    "jinan": ("济南市", "Jinan"),
    "qingdao": ("青岛市", "Qingdao"),
    "zibo": ("淄博市", "Zibo"),
    "zaozhuang": ("枣庄市", "Zaozhuang"),
    "dongying": ("东营市", "Dongying"),
    "yantai": ("烟台市", "Yantai"),
    "weifang": ("潍坊市", "Weifang"),
    "jining": ("济宁市", "Jining"),
    "taian": ("泰安市", "Tai'an"),
    "weihai": ("威海市", "Weihai"),
    "rizhao": ("日照市", "Rizhao"),
    "linyi": ("临沂市", "Linyi"),
    "dezhou": ("德州市", "Dezhou"),
    "liaocheng": ("聊城市", "Liaocheng"),
    "binzhou": ("滨州市", "Binzhou"),
    "heze": ("菏泽市", "Heze"),
    "provincial-level": ("省本级", "Provincial level"),
    "shengli-oilfield": ("胜利油田", "Shengli Oilfield"),
    "city-level": ("市本级", "City level"),
    "lianxi": ("濂溪区", "Lianxi District"),
    "xunyang": ("浔阳区", "Xunyang District"),
    "chaisang": ("柴桑区", "Chaisang District"),
    "wuning": ("武宁县", "Wuning County"),
    "xiushui": ("修水县", "Xiushui County"),
    "yongxiu": ("永修县", "Yongxiu County"),
    "dean": ("德安县", "De'an County"),
    "duchang": ("都昌县", "Duchang County"),
    "hukou": ("湖口县", "Hukou County"),
    "pengze": ("彭泽县", "Pengze County"),
    "ruichang": ("瑞昌市", "Ruichang"),
    "gongqingcheng": ("共青城市", "Gongqingcheng"),
    "lushan": ("庐山市", "Lushan"),
}
# The year before the start (2021-01): each county's figures are its base year, which the model is
# solved to meet (its own costs gave 2021 income -19 to +27 % off them, spending up to +14 %, and
# the county treasuries' 2021 bill was that gap).
JJ_BASE_YEAR = 2020
JJ_STRUCTURE = "membership_structure_jiangxi_2021.csv"


def unit_block(name, members, wage, retiree_share, months, spend_per_member, source, structure, extra="",
               base_year=None):
    retirees = members * retiree_share
    workers = members - retirees
    # Of workers: enterprise 72 %, government 18 %, flexible 10 % (ASSUMPTION).
    spending = members * spend_per_member * (1.0 + 1.5 * (retiree_share - 0.27))
    income = spending * 1.05
    balance = spending / 12.0 * months
    title, title_en = TITLES[name]
    # With a base year, the levels are solved so that the model's year before the start meets
    # these assumed figures (the first projected year then grows from them as the drivers say,
    # instead of jumping by the gap between the tool's figures and the model's costs).
    solved = "" if base_year is None else (
        f'base_year = {{ year = {base_year}, pooled_income = {income:.4e}, pooled_spending = {spending:.4e}, '
        f'pooled_balance = {balance:.4e}, source = "ASSUMPTION: the year before\'s figures above, not published; '
        f'the unit\'s collection and utilisation levels are solved to meet them" }}\n')
    return f'''[[units]]
name = "{name}"
title = "{title}"
title_en = "{title_en}"
source = "{source}"
initial_pooled_balance = {balance:.4e}
pooled_spending_prev_year = {spending:.4e}
pooled_income_prev_year = {income:.4e}
average_wage_prev_year = {wage:.0f}.0
membership = {{ enterprise = {workers * 0.72:.4e}, government = {workers * 0.18:.4e}, flexible = {workers * 0.10:.4e}, retirees = {retirees:.4e}, structure = "builtin:{structure}", source = "ASSUMPTION: apportioned, see scenarios/tools/make_pooled_scenarios.py" }}
{solved}{extra}'''


def shandong():
    out = []
    for name, pop, rel, ret, months, phased in SHANDONG:
        members = pop * 1e6 * SD_COVERAGE
        extra = ""
        if phased:
            # 003 (二): a city raising its employer rate by more than 0.5 points may phase it in
            # by 2025-01; ASSUMPTION: these cities were at 7 % and take 7.5 % in 2024.
            extra = ('[units.policy]\nemployer_rate = [\n'
                     '  { from = "2024-01", value = 0.075, source = "003 (二) phase-in; ASSUMPTION: from 7 %" },\n'
                     '  { from = "2025-01", value = 0.08, source = "003 (二): 8 % by 2025-01" },\n]\n')
        out.append(unit_block(name, members, SD_WAGE * rel, ret, months, SD_SPEND_PER_MEMBER,
                              f"ASSUMPTION: {pop} m residents (2020 census) x 26 % coverage; see the tool",
                              SD_STRUCTURE, extra, base_year=SD_BASE_YEAR))
    for name, members, rel, ret, months, _ in SHANDONG_EXTRA:
        out.append(unit_block(name, members, SD_WAGE * rel, ret, months, SD_SPEND_PER_MEMBER,
                              "ASSUMPTION: members of the order of the unit; see the tool", SD_STRUCTURE,
                              base_year=SD_BASE_YEAR))
    return "\n".join(out)


def jiujiang():
    out = []
    total_members = sum(p for _, p, *_ in JIUJIANG) * 1e6 * JJ_COVERAGE
    for name, pop, rel, ret, _ in JIUJIANG:
        members = pop * 1e6 * JJ_COVERAGE
        out.append(unit_block(name, members, JJ_WAGE * rel, ret, 10.0, JJ_SPEND_PER_MEMBER,
                              f"ASSUMPTION: {pop} m residents x 15 % coverage; see the tool", JJ_STRUCTURE,
                              base_year=JJ_BASE_YEAR))
    return "\n".join(out)


MARK = "# ---- units: generated by scenarios/tools/make_pooled_scenarios.py; do not edit below ----\n"


def write(file, units):
    path = HERE / file
    text = path.read_text(encoding="utf-8")
    head = text.split(MARK)[0]
    path.write_text(head + MARK + "\n" + units, encoding="utf-8")


if __name__ == "__main__":
    write("shandong-provincial.toml", shandong())
    write("jiujiang-city.toml", jiujiang())
