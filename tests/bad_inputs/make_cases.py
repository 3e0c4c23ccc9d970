#!/usr/bin/env python3
"""Writes the catalogue of bad inputs: each case is a scenario file `NN-slug.toml` (an edit of
base.toml.in) whose first lines `# expect: ...` give substrings the error must contain, with any
data file it names beside it. tests/bad_inputs.rs runs every case through `check`, `ledger` and
`run`. Re-run after changing base.toml.in: python3 tests/bad_inputs/make_cases.py"""

from pathlib import Path

HERE = Path(__file__).parent
BASE = (HERE / "base.toml.in").read_text(encoding="utf-8")
LIFE = "age,q_male,q_female\n" + "".join(f"{a},{0.001 + a * 1e-4:.5f},{0.0008 + a * 1e-4:.5f}\n" for a in range(16, 101))


def edit(old: str, new: str, text: str = BASE) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


UNIT = 'name = "city"\n'
CASES = [
    # (slug, scenario text, expected substrings, {data file: bytes or text})
    ("malformed-toml", edit("horizon_months = 24", "horizon_months = = 24"), ["malformed TOML"]),
    ("unknown-field", edit("horizon_months = 24", "horizon_months = 24\nhorizon_years = 2"),
     ["unknown field `horizon_years`", "did you mean `horizon_months`"]),
    ("misspelt-unit-field", edit("membership = {", "membershp = {"),
     ["units[0]", "unknown field `membershp`", "did you mean `membership`"]),
    ("misspelt-policy-field", edit("[policy]\n", "[policy]\nemployer_rat = 0.06\n"),
     ["policy.employer_rat", "did you mean `employer_rate`"]),
    ("misspelt-economy-field", edit("wage_growth =", "wage_grwth ="),
     ["economy", "did you mean `wage_growth`"]),
    ("wrong-type", edit("horizon_months = 24", 'horizon_months = "two years"'),
     ["horizon_months", "invalid type"]),
    ("rate-above-one", edit('value = 0.065 }', 'value = 1.5 }'),
     ["policy.employer_rate", "1.5", "[0, 1]"]),
    ("unit-rate-negative", edit(UNIT, UNIT + "policy = { employee_rate = -0.02 }\n"),
     ["units[0].policy.employee_rate", "-0.02", "[0, 1]"]),
    ("negative-membership", edit("enterprise = 2.0e5", "enterprise = -2.0e5"),
     ["units[0].membership.enterprise", "-200000", "[0, 1e10]"]),
    ("negative-spending", edit("pooled_spending_prev_year = 8.0e8", "pooled_spending_prev_year = -8.0e8"),
     ["units[0].pooled_spending_prev_year", "-800000000"]),
    ("negative-cost", edit("inpatient_mean = 20000.0", "inpatient_mean = -1.0"),
     ["policy.costs.inpatient_mean", "-1"]),
    ("nan-balance", edit("initial_pooled_balance = 1.0e9", "initial_pooled_balance = nan"),
     ["units[0].initial_pooled_balance", "NaN"]),
    ("dated-out-of-order", edit('[{ from = "2024-01", value = 0.06 }, { from = "2025-01", value = 0.065 }]',
                                '[{ from = "2025-01", value = 0.065 }, { from = "2024-01", value = 0.06 }]'),
     ["policy.employer_rate", "order"]),
    ("dated-duplicated", edit('{ from = "2025-01", value = 0.065 }', '{ from = "2024-01", value = 0.065 }'),
     ["policy.employer_rate", "2024-01"]),
    ("dated-after-horizon", edit('{ from = "2025-01", value = 0.065 }', '{ from = "2031-01", value = 0.065 }'),
     ["policy.employer_rate", "2031-01", "after the end"]),
    ("horizon-zero", edit("horizon_months = 24", "horizon_months = 0"), ["horizon_months", "0", "1200"]),
    ("horizon-absurd", edit("horizon_months = 24", "horizon_months = 100000"), ["horizon_months", "100000", "1200"]),
    ("start-malformed", edit('start = "2024-01"', 'start = "2024-13"'), ["start", "2024-13"]),
    ("correlation-not-psd", edit("[policy]\n", "correlation = [[1.0, 0.9, -0.9, 0.0, 0.0, 0.0, 0.0], [0.9, 1.0, 0.9, 0.0, 0.0, 0.0, 0.0], [-0.9, 0.9, 1.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]]\n\n[policy]\n"),
     ["economy.correlation", "positive semi-definite"]),
    ("correlation-wrong-size", edit("[policy]\n", "correlation = [[1.0, 0.5], [0.5, 1.0]]\n\n[policy]\n"),
     ["economy.correlation", "7×7"]),
    ("unit-name-duplicated", BASE + "\n" + BASE[BASE.index("[[units]]"):], ["units[1].name", "city", "unit names must be unique"]),
    ("rule-unknown-unit", edit("[[units]]", '[[rules]]\nkind = "raise_employer_rate"\nbelow_months = 6.0\nstep = 0.005\nceiling = 0.08\nunits = ["town"]\n\n[[units]]'),
     ["rules[0].units", "town", "city"]),
    ("adjustment-without-income", edit("[policy]\n", '[pooling]\nkind = "provincial_adjustment"\n\n[policy]\n'),
     ["units[0].pooled_income_prev_year", "provincial_adjustment"]),
    ("city-without-income", edit("[policy]\n", '[pooling]\nkind = "city_unified"\n\n[policy]\n'),
     ["units[0].pooled_income_prev_year", "city_unified"]),
    ("pooling-kind-unknown", edit("[policy]\n", '[pooling]\nkind = "national"\n\n[policy]\n'),
     ["pooling.kind", "national", "provincial_adjustment"]),
    ("missing-required", edit('average_wage_prev_year = 6000.0\n', ''), ["units[0]", "average_wage_prev_year"]),
    ("missing-data-file", edit("[policy]\n", '[data]\nlife_table = "no-such-table.csv"\n\n[policy]\n'),
     ["data.life_table", "no-such-table.csv"]),
    ("include-with-policy", edit("horizon_months = 24", 'horizon_months = 24\ninclude = ["@STEM@.fragment"]'),
     ["include[0]", "only [calibration] and [economy]"], {"fragment": "[policy]\nemployee_rate = 0.5\n"}),
    # Names name rows, sheets and files: letters, digits, - and _, unique ignoring case, not `all`.
    ("unit-name-all", edit(UNIT, 'name = "all"\n'), ["units[0].name", "reserved"]),
    ("unit-name-dot", edit(UNIT, 'name = "city.maternity"\n'), ["units[0].name", "letters or digits"]),
    ("unit-name-space", edit(UNIT, 'name = "a b"\n'), ["units[0].name", "letters or digits"]),
    ("unit-name-slash", edit(UNIT, 'name = "a/b"\n'), ["units[0].name", "letters or digits"]),
    ("unit-name-formula", edit(UNIT, 'name = "=1+2"\n'), ["units[0].name", "starting with a letter or digit"]),
    ("unit-name-nul", edit(UNIT, 'name = "a\\u0000b"\n'), ["units[0].name", "letters or digits"]),
    ("unit-name-long", edit(UNIT, 'name = "' + "x" * 300 + '"\n'), ["units[0].name", "1–64"]),
    ("unit-name-empty", edit(UNIT, 'name = ""\n'), ["units[0].name", "1–64"]),
    ("unit-name-case", BASE + "\n" + BASE[BASE.index("[[units]]"):].replace('name = "city"', 'name = "City"'),
     ["units[1].name", "ignoring case"]),
    ("fund-name-all", edit("[policy]\n", '[pooling]\nkind = "accounts"\nfund_name = "all"\n\n[policy]\n'),
     ["pooling.fund_name", "reserved"]),
    ("fund-name-unit", edit("[policy]\n", '[pooling]\nkind = "accounts"\nfund_name = "CITY"\n\n[policy]\n'),
     ["pooling.fund_name", "units[0]"]),
    # Money and counts bounded so that no arithmetic overflows.
    ("balance-1e29", edit("initial_pooled_balance = 1.0e9", "initial_pooled_balance = 1e29"),
     ["units[0].initial_pooled_balance", "1e29", "[-1e15, 1e15]"]),
    ("balance-huge-negative", edit("initial_pooled_balance = 1.0e9", "initial_pooled_balance = -1.7e308"),
     ["units[0].initial_pooled_balance", "-1.7e308", "yuan"]),
    ("adjustment-fund-1e300",
     edit("[policy]\n", '[pooling]\nkind = "provincial_adjustment"\ninitial_balance = 1e300\n\n[policy]\n',
          edit("pooled_spending_prev_year = 8.0e8\n", "pooled_spending_prev_year = 8.0e8\npooled_income_prev_year = 8.5e8\n")),
     ["pooling.initial_balance", "1e300", "[-1e15, 1e15]"]),
    ("spending-tiny", edit("pooled_spending_prev_year = 8.0e8", "pooled_spending_prev_year = 1e-20"),
     ["units[0].pooled_spending_prev_year", "below 1 yuan"]),
    ("wage-zero", edit("average_wage_prev_year = 6000.0", "average_wage_prev_year = 0.0"),
     ["units[0].average_wage_prev_year", "[1, 10000000]"]),
    ("membership-huge", edit("enterprise = 2.0e5", "enterprise = 1e300"),
     ["units[0].membership.enterprise", "1e300", "[0, 1e10]"]),
    # Dated schedules: the first entry from the start; floor and cap compared month by month.
    ("dated-first-after-start", edit('[{ from = "2024-01", value = 0.06 }, { from = "2025-01", value = 0.065 }]',
                                     '[{ from = "2025-06", value = 0.06 }]'),
     ["policy.employer_rate[0].from", "2025-06", "after the start"]),
    ("floor-above-cap-in-a-month", edit("[policy]\n", '[policy]\nbase_floor = 0.6\nbase_cap = [{ from = "2024-01", value = 3.0 }, { from = "2024-06", value = 0.1 }]\n'),
     ["policy.base_floor", "2024-06", "0.1"]),
    ("price-year-1", edit("price_year = 2023", "price_year = 1"), ["policy.costs.price_year", "[1950, 2024]"]),
    ("price-year-after-start", edit("price_year = 2023", "price_year = 2030"), ["policy.costs.price_year", "after the start"]),
    ("start-1899", edit('start = "2024-01"', 'start = "1899-12"'), ["start", "1899", "[1900, 2300]"]),
    ("start-month-13", edit('start = "2024-01"', 'start = "2024-00"'), ["start", "not 01–12"]),
    # Drivers, risk bands and demography fields.
    ("risk-excess-inf", edit("[policy]\n", "[risk]\nexcess = inf\n\n[policy]\n"), ["risk.excess", "inf", "[0, 1200]"]),
    ("risk-negative", edit("[policy]\n", "[risk]\ninsufficient = -3.0\n\n[policy]\n"), ["risk.insufficient", "-3"]),
    ("interest-mean-high", edit("[policy]\n", "[economy.interest_rate]\nmean = 0.9\n\n[policy]\n"),
     ["economy.interest_rate.mean", "[-0.05, 0.5]"]),
    ("volatility-above-one", edit("wage_growth = { mean = 0.05, volatility = 0.01, persistence = 0.5 }",
                                  "wage_growth = { mean = 0.05, volatility = 2.0, persistence = 0.5 }"),
     ["economy.wage_growth.volatility", "[0, 1]"]),
    ("persistence-one", edit("wage_growth = { mean = 0.05, volatility = 0.01, persistence = 0.5 }",
                             "wage_growth = { mean = 0.05, volatility = 0.01, persistence = 1.0 }"),
     ["economy.wage_growth.persistence", "[0, 0.999]"]),
    ("mean-uncertainty-negative", edit("wage_growth = { mean = 0.05, volatility = 0.01, persistence = 0.5 }",
                                       "wage_growth = { mean = 0.05, volatility = 0.01, persistence = 0.5, mean_uncertainty = -0.01 }"),
     ["economy.wage_growth.mean_uncertainty", "-0.01", "[0, 0.5]"]),
    ("mean-drift-above-range", edit("wage_growth = { mean = 0.05, volatility = 0.01, persistence = 0.5 }",
                                    "wage_growth = { mean = 0.05, volatility = 0.01, persistence = 0.5, mean_drift = 0.2 }"),
     ["economy.wage_growth.mean_drift", "0.2", "[0, 0.1]"]),
    ("retirement-take-up-above-one", edit("[policy]\n", "[economy.retirement_take_up]\nmean = 1.2\n\n[policy]\n"),
     ["economy.retirement_take_up.mean", "1.2", "[0, 1]", "share 0-1"]),
    ("fertility-persistence", edit("[policy]\n", "[economy.fertility]\npersistence = 1.5\n\n[policy]\n"),
     ["economy.fertility.persistence", "[0, 1]"]),
    ("fertility-bounds-crossed", edit("[policy]\n", "[economy.fertility]\ntfr_min = 2.0\ntfr_max = 1.0\n\n[policy]\n"),
     ["economy.fertility.tfr_min", "above tfr_max"]),
    ("mortality-level", edit("[policy]\n", "[data]\nmortality_level = 5.0\n\n[policy]\n"),
     ["data.mortality_level", "[0.2, 2]"]),
    ("mortality-improvement", edit("[policy]\n", "[data]\nmortality_improvement = -1.0\n\n[policy]\n"),
     ["data.mortality_improvement", "[0, 2]"]),
    ("life-table-year", edit("[policy]\n", "[data]\nlife_table_year = 1800\n\n[policy]\n"),
     ["data.life_table_year", "[1900, 2100]"]),
    ("run-paths-zero", edit("horizon_months = 24", "horizon_months = 24\n\n[run]\npaths = 0"),
     ["run.paths", "[1, 10000000]"]),
    ("small-cell-negative", edit("horizon_months = 24", "horizon_months = 24\n\n[run]\nsmall_cell_threshold = -1.0"),
     ["run.small_cell_threshold", "-1"]),
    ("random-counts-negative", edit("horizon_months = 24", "horizon_months = 24\n\n[run]\nrandom_counts_below_members = -5.0"),
     ["run.random_counts_below_members", "-5", "[0, 1e10]"]),
    ("horizon-1201", edit("horizon_months = 24", "horizon_months = 1201"), ["horizon_months", "1201", "1200"]),
    ("ledger-overflow", edit("horizon_months = 24", "horizon_months = 1200",
                             edit("wage_growth = { mean = 0.05, volatility = 0.01, persistence = 0.5 }",
                                  "wage_growth = { mean = 0.5, volatility = 0.01, persistence = 0.5 }\nutilisation_growth = { mean = 0.5 }")),
     ["expected path", "city", "exact ledger carries"]),
    # Files that are not tables.
    ("data-file-is-a-folder", edit("[policy]\n", '[data]\nlife_table = "."\n\n[policy]\n'),
     ["data.life_table", "not a regular file"]),
    ("include-missing", edit("horizon_months = 24", 'horizon_months = 24\ninclude = ["no-such-fragment.toml"]'),
     ["include[0]", "no-such-fragment.toml"]),
    ("structure-missing", edit("retirees = 6.0e4 }", 'retirees = 6.0e4, structure = "no-such-structure.csv" }'),
     ["units[0].membership.structure", "no-such-structure.csv"]),
    ("settlement-month", edit("[policy]\n", "[pooling]\ntreasury_settlement_month = 13\n\n[policy]\n"),
     ["pooling.treasury_settlement_month", "13", "[1, 12]"]),
    ("gap-bands-not-increasing", edit("[policy]\n", "[pooling]\ngap_share_bands = [[0.1, 0.3], [0.05, 0.5]]\n\n[policy]\n"),
     ["pooling.gap_share_bands[1]", "0.05", "must increase"]),
    ("second-clinic-share", edit("[policy]\n", "[policy]\noutpatient = { deductible = 0.0, tiers = [[inf, 0.7]], cap = 600.0 }\noutpatient_second_clinic = { share = 1.5, referred_share = 0.5, referred_ratio = 0.6, direct_ratio = 0.5, cap = 480.0 }\n"),
     ["policy.outpatient_second_clinic.share", "1.5", "[0, 1]"]),
    ("base-year-mixed", edit(UNIT, UNIT + "base_year = { year = 2023, pooled_income = 1e9, fund_income = 1.2e9, pooled_balance = 1.0e9 }\n"),
     ["units[0].base_year.pooled_income", "not a mix"]),
    ("title-with-line-break", edit(UNIT, UNIT + 'title = "济南\\n市"\n'),
     ["units[0].title", "no control characters"]),
    ("first-enrolled-before-start",
     edit("[policy]\n", "[policy]\nminimum_years_first_enrolled = { from = \"2023-01\", male = 25.0, female = 25.0, prior_years_mean = 10.0, prior_years_sd = 5.0 }\n"),
     ["policy.minimum_years_first_enrolled.from", "2023-01", "before the start", "the start or later"]),
    ("first-enrolled-minimum-years",
     edit("[policy]\n", "[policy]\nminimum_years_first_enrolled = { from = \"2024-01\", male = 60.0, female = 25.0, prior_years_mean = 10.0, prior_years_sd = 5.0 }\n"),
     ["policy.minimum_years_first_enrolled.male", "60", "[0, 50]"]),
    ("first-enrolled-monthly-buyin",
     edit("[policy]\n", "[policy]\nbuyin_mode = \"monthly\"\nminimum_years_first_enrolled = { from = \"2024-01\", male = 25.0, female = 25.0, prior_years_mean = 10.0, prior_years_sd = 5.0 }\n"),
     ["policy.minimum_years_first_enrolled", "lump_sum", "monthly share of 1"]),
]

# Data tables: the scenario names `life_table = "NN-slug.csv"`.
TABLES = [
    ("csv-empty", "", ["the table is empty"]),
    ("csv-header-only", "age,q_male,q_female\n", ["no rows"]),
    ("csv-not-utf8", b"age,q_male,q_female\n16,0.001,\xff\xfe\n", ["not UTF-8"]),
    ("csv-ragged", LIFE.replace("20,0.00300,0.00280\n", "20,0.00300\n"), ["line 6", "ragged"]),
    ("csv-nan", LIFE.replace("20,0.00300,", "20,NaN,"), ["line 6", "q_male", "NaN"]),
    ("csv-inf", LIFE.replace("20,0.00300,", "20,inf,"), ["line 6", "q_male", "inf"]),
    ("csv-empty-cell", LIFE.replace("20,0.00300,", "20,,"), ["line 6", "q_male", "empty cell"]),
    ("csv-age-gap", LIFE.replace("20,0.00300,0.00280\n", ""), ["age", "20"]),
    ("csv-age-repeated", LIFE.replace("20,0.00300,0.00280\n", "20,0.00300,0.00280\n20,0.00300,0.00280\n"), ["age", "20"]),
    ("csv-q-above-one", LIFE.replace("20,0.00300,", "20,1.5,"), ["q_male", "1.5", "[0, 1]"]),
    ("csv-q-negative", LIFE.replace("20,0.00300,", "20,-0.1,"), ["q_male", "-0.1", "[0, 1]"]),
    ("csv-missing-column", LIFE.replace("age,q_male,q_female", "age,q_men,q_female"), ["q_male", "missing column"]),
    ("csv-improvement-high",
     "age,q_male,q_female,improvement_male,improvement_female\n"
     + "".join(f"{a},{0.001 + a * 1e-4:.5f},{0.0008 + a * 1e-4:.5f},{0.5 if a == 60 else 0.01},0.01\n" for a in range(16, 101)),
     ["improvement_male", "0.5", "[0, 0.1]"]),
    ("csv-age-15", LIFE.replace("age,q_male,q_female\n", "age,q_male,q_female\n15,0.001,0.001\n"), ["age", "start at 15", "16–100"]),
]


def main():
    for old in HERE.glob("[0-9][0-9]-*"):
        old.unlink()
    n = 0
    for case in CASES:
        slug, text, expect = case[:3]
        extra = case[3] if len(case) > 3 else {}
        n += 1
        stem = f"{n:02d}-{slug}"
        name = f"{stem}.toml"
        head = "".join(f"# expect: {e}\n" for e in [name] + expect)
        (HERE / name).write_text(head + text.replace("@STEM@", stem), encoding="utf-8")
        for suffix, content in extra.items():
            (HERE / f"{stem}.{suffix}").write_text(content, encoding="utf-8")
    for slug, table, expect in TABLES:
        n += 1
        stem = f"{n:02d}-{slug}"
        csv = f"{stem}.csv"
        text = edit("[policy]\n", f'[data]\nlife_table = "{csv}"\n\n[policy]\n')
        head = "".join(f"# expect: {e}\n" for e in [csv] + expect)
        (HERE / f"{stem}.toml").write_text(head + text, encoding="utf-8")
        (HERE / csv).write_bytes(table if isinstance(table, bytes) else table.encode("utf-8"))
    # A scenario that is not UTF-8 text, and an empty one: expectations in a sidecar.
    n += 1
    stem = f"{n:02d}-scenario-not-utf8"
    (HERE / f"{stem}.toml").write_bytes(b"name = \"x\xff\"\n")
    (HERE / f"{stem}.expect").write_text(f"{stem}.toml\nnot UTF-8\n", encoding="utf-8")
    n += 1
    stem = f"{n:02d}-scenario-empty"
    (HERE / f"{stem}.toml").write_text("", encoding="utf-8")
    (HERE / f"{stem}.expect").write_text(f"{stem}.toml\nmissing field `name`\n", encoding="utf-8")
    print(f"wrote {n} cases")


if __name__ == "__main__":
    main()
