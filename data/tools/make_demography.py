#!/usr/bin/env python3
"""Writes fundrisk's demographic tables from published figures (data/sources/*.csv).

Outputs (in data/):
  life_table.csv                  q(x) by sex for 2020, ages 0-100, with annual improvement rates
  asfr.csv                        age-specific fertility 15-49 from the 2020 census, TFR 1.30
  membership_structure*.csv       age-sex shares of each membership status, by area and year

Methods (each one documented in the header of the table it writes):
  * Five-year groups are split into single years with Sprague's fifth-difference multipliers
    (Shryock and Siegel, The Methods and Materials of Demography, table 22-4 of the 1976 edition), which
    keep each group's total; the open group 100+ is kept at 100.
  * Central death rates are graduated to single years by interpolating log m(x) linearly between the
    mid-points of the five-year groups; q(x) = 1 - exp(-m(x)) (constant force within the year);
    100+ is open: q(100) = 1.
  * Level: the 2015-2020 UN rates are multiplied by one factor per sex so that the single-year table's
    life expectancy at birth equals the 2020 census figure (male 75.37, female 80.88 years, NBS).
  * Improvement: the annual rate of decline of m(x) between the UN periods 2005-2010 and 2015-2020
    (ten years), graduated like m(x), floored at 0 and capped at 3 % a year.
  * ASFR: census births by single year of the mother's age (long form, table 6-2) over women of that
    age (census table 1-5, Sprague-split), scaled to the census total fertility rate 1.30.
  * Membership structure as of year Y from the census of year C: cohorts moved by Y - C years with
    survival from this life table (backwards: divided by it). Workers: the census population times a
    participation shape (ASSUMPTION, below); retirees: the population above the statutory ages.

Run: python3 data/tools/make_demography.py   (needs numpy)
"""
import csv
import math
import os

import numpy as np

from tables import HERE, write
SOURCES = os.path.join(HERE, "sources")
CENSUS_E0 = {"M": 75.37, "F": 80.88}   # NBS: 2020 census life expectancy at birth, by sex
CENSUS_TFR = 1.30                      # NBS: 2020 census total fertility rate
MAX_IMPROVEMENT = 0.03
# Statutory ages before the 2025 reform and the default share of women workers whose age is 55
# (scenario default policy.female_age55_share: enterprise 0.3, government 1, flexible 1).
FEMALE55 = {"enterprise": 0.3, "government": 1.0, "flexible": 1.0}
# ASSUMPTION: share of retired women aged 50-54 among all women of that age who will retire with
# employee insurance (the 50-group retires at 50, the 55-group at 55): about half.
RETIRED_WOMEN_50_54 = 0.5


def rows(name):
    with open(os.path.join(SOURCES, name), encoding="utf-8") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


# --- Sprague split of five-year groups -------------------------------------------------------
FIRST = np.array([[0.3616, -0.2768, 0.1488, -0.0336, 0.0000],
                  [0.2640, -0.0960, 0.0400, -0.0080, 0.0000],
                  [0.1840, 0.0400, -0.0320, 0.0080, 0.0000],
                  [0.1200, 0.1360, -0.0720, 0.0160, 0.0000],
                  [0.0704, 0.1968, -0.0848, 0.0176, 0.0000]])
SECOND = np.array([[0.0336, 0.2272, -0.0752, 0.0144, 0.0000],
                   [0.0080, 0.2320, -0.0480, 0.0080, 0.0000],
                   [-0.0080, 0.2160, -0.0080, 0.0000, 0.0000],
                   [-0.0160, 0.1840, 0.0400, -0.0080, 0.0000],
                   [-0.0176, 0.1408, 0.0912, -0.0144, 0.0000]])
MIDDLE = np.array([[-0.0128, 0.0848, 0.1504, -0.0240, 0.0016],
                   [-0.0016, 0.0144, 0.2224, -0.0416, 0.0064],
                   [0.0064, -0.0336, 0.2544, -0.0336, 0.0064],
                   [0.0064, -0.0416, 0.2224, 0.0144, -0.0016],
                   [0.0016, -0.0240, 0.1504, 0.0848, -0.0128]])


def sprague(groups):
    """Single years from consecutive five-year group totals (the first group starts at age 0)."""
    g = np.asarray(groups, dtype=float)
    n = len(g)
    out = np.zeros(5 * n)
    for k in range(n):
        if k == 0:
            part = FIRST @ g[0:5]
        elif k == 1:
            part = SECOND @ g[0:5]
        elif k == n - 2:
            part = (SECOND @ g[n - 5:n][::-1])[::-1]
        elif k == n - 1:
            part = (FIRST @ g[n - 5:n][::-1])[::-1]
        else:
            part = MIDDLE @ g[k - 2:k + 3]
        out[5 * k:5 * k + 5] = part
    assert np.allclose(out.reshape(n, 5).sum(axis=1), g), "Sprague keeps group totals"
    return np.maximum(out, 0.0)


def census_single_years(year, area):
    """{sex: array of persons by single age 0..100} from the census table (100 = 100+)."""
    sel = [r for r in rows("census_population_by_age_sex.csv")
           if int(r["census_year"]) == year and r["area"] == area]
    order = ["0", "1-4"] + [f"{a}-{a + 4}" for a in range(5, 100, 5)] + ["100+"]
    by = {r["age_group"]: r for r in sel}
    assert [g for g in order if g not in by] == [], f"groups missing for {area} {year}"
    out = {}
    for sex, col in (("M", "male"), ("F", "female")):
        v = [float(by[g][col]) for g in order]
        groups = [v[0] + v[1]] + v[2:-1]           # 0-4, 5-9, ..., 95-99
        out[sex] = np.append(sprague(groups), v[-1])
    return out


# --- life table --------------------------------------------------------------------------------
def graduate_log(ages_start, values):
    """Single-year central death rates 0..100 from the abridged ones: log m interpolated linearly
    between the group mid-points (0: 0.5, 1-4: 3, then x + 2.5; 100+ at 100.5), flat beyond the
    ends, then scaled within each group until the group's central rate in the single-year life
    table (deaths over person-years, constant force within each year) is the abridged one, so the
    survivors at every group boundary, and life expectancies there, are the abridged table's."""
    bounds = list(ages_start) + [101]
    mids = [a + (bounds[i + 1] - a) / 2 if a < 100 else 100.5 for i, a in enumerate(ages_start)]
    m = np.exp(np.interp(np.arange(101) + 0.5, mids, np.log(values)))
    for _ in range(50):
        for i, a in enumerate(ages_start[:-1]):
            b = bounds[i + 1]
            q = 1 - np.exp(-m[a:b])
            lx = np.concatenate(([1.0], np.cumprod(1 - q)))
            deaths = 1 - lx[-1]
            years = np.sum(lx[:-1] * q / m[a:b])
            m[a:b] *= values[i] / (deaths / years)
    m[100] = values[-1]
    return m


def life_expectancy(q, at=0):
    """Complete expectation of life at age `at` from single-year q(0..100), with a constant force of
    mortality m = -ln(1 - q) within each year of age; 100 is the open group (person-years l/m)."""
    m = -np.log(1 - np.asarray(q, dtype=float))
    lx, e = 1.0, 0.0
    for a in range(at, 100):
        e += lx * q[a] / m[a] if m[a] > 0 else lx
        lx *= 1 - q[a]
    return e + lx / m[100]


def life_table():
    src = rows("wpp2024_china_mx5.csv")
    q, imp, factor, checks = {}, {}, {}, {}
    for sex in ("M", "F"):
        sel = [r for r in src if r["sex"] == sex]
        ages = [int(r["age_start"]) for r in sel]
        m20 = np.array([float(r["m_2015_2020"]) for r in sel])
        m05 = np.array([float(r["m_2005_2010"]) for r in sel])
        rate = np.clip(1 - (m20 / m05) ** 0.1, 0.0, MAX_IMPROVEMENT)
        imp[sex] = np.clip(np.interp(np.arange(101) + 0.5,
                                     [a + (0.5 if a == 0 else 2 if a == 1 else 2.5) for a in ages],
                                     rate), 0.0, MAX_IMPROVEMENT)
        m = graduate_log(ages, m20)
        lo, hi = 0.5, 2.0
        for _ in range(200):          # the level factor that meets the census e0
            f = 0.5 * (lo + hi)
            qq = 1 - np.exp(-f * m)
            if life_expectancy(qq) > CENSUS_E0[sex]:
                lo = f
            else:
                hi = f
        factor[sex] = f
        qq = 1 - np.exp(-f * m)
        q[sex] = qq
        checks[sex] = (life_expectancy(qq), life_expectancy(qq, 60))
    return q, imp, factor, checks


def write_life_table(q, imp, factor, checks):
    write(
        "life_table.csv",
        [
            "Annual probability of death q(age) by sex in 2020, ages 0-100 (100 is the open age group 100+:",
            "q = 1 - exp(-m) with its constant central death rate m),",
            "and the annual rate of improvement r(age) applied as q(age, t) = q(age, 2020) (1 - r)^(t - 2020)",
            "(scenario [data] life_table_year and mortality_improvement). The engine uses ages 16-100.",
            "Source: United Nations, DESA, Population Division, World Population Prospects 2024, central death",
            "rates of China by five-year age group, 2015-2020 (data/sources/wpp2024_china_mx5.csv), graduated to",
            "single years (log-linear between group mid-points, each group keeping its central rate), times one level factor",
            f"per sex (male {factor['M']:.4f}, female {factor['F']:.4f}) so that life expectancy at birth equals the",
            "2020 census figure (NBS: male 75.37, female 80.88 years). Life expectancy of this table: at birth",
            f"{checks['M'][0]:.2f} / {checks['F'][0]:.2f}, at 60 {checks['M'][1]:.2f} / {checks['F'][1]:.2f} (male / female).",
            "Improvement: the annual decline of the UN rates from 2005-2010 to 2015-2020, graduated the same way,",
            f"floored at 0 and capped at {MAX_IMPROVEMENT:.0%} a year. Generated by data/tools/make_demography.py.",
        ],
        ["age", "q_male", "q_female", "improvement_male", "improvement_female"],
        [(a, q["M"][a], q["F"][a], imp["M"][a], imp["F"][a]) for a in range(101)],
    )


# --- fertility -----------------------------------------------------------------------------------
def asfr():
    births = {int(r["age"]): float(r["births"]) for r in rows("census2020_births_by_mother_age.csv")}
    women = census_single_years(2020, "national")["F"]
    raw = {a: births.get(a, 0.0) / women[a] for a in range(15, 50)}
    total = sum(raw.values())
    return {a: CENSUS_TFR * v / total for a, v in raw.items()}, total


# --- membership structures ----------------------------------------------------------------------
def participation(a):
    """ASSUMPTION: share of a cohort in insured employment relative to its peak: rising linearly from
    0.1 at 16 to 1 at 25 (schooling), flat to the statutory age."""
    return min(1.0, max(0.0, (a - 15) / 10.0))


def shifted(pop, q, years):
    """Cohorts moved forward by `years` (backward when negative) with survival from 2020's q."""
    out = {}
    for sex in ("M", "F"):
        p = pop[sex].copy()
        for _ in range(abs(years)):
            nxt = np.zeros(101)
            if years > 0:
                surv = 1 - q[sex]
                nxt[1:100] = p[0:99] * surv[0:99]
                nxt[100] = p[99] * surv[99] + p[100] * 0.6   # the open group keeps ~60 % a year
            else:
                surv = 1 - q[sex]
                nxt[0:99] = p[1:100] / surv[0:99]
                nxt[99] += 0.0
                nxt[100] = p[100] * 0.6
            p = nxt
        out[sex] = p
    return out


def model_ages(pop):
    """Completed ages at 1 November of year Y - 1 to the model's ages in January of Y, which count
    the calendar year minus the birth year: 10/12 of those of completed age x were born in
    Y - 1 - x (model age x + 1), the 2/12 with birthdays in November and December in Y - 2 - x
    (model age x + 2); 100 stays open."""
    out = {}
    for sex in ("M", "F"):
        p = pop[sex]
        m = np.zeros(101)
        for x in range(101):
            for shift, share in ((1, 10 / 12), (2, 2 / 12)):
                m[min(x + shift, 100)] += p[x] * share
        out[sex] = m
    return out


def structure(area, census_year, year, q):
    # The census counts people on 1 November; moved by year - 1 - census years it stands for
    # 1 November of the year before the start, two months before it, and its ages are moved to
    # the model's (calendar year minus birth year) in January of `year`.
    pop = model_ages(shifted(census_single_years(census_year, area), q, year - 1 - census_year))
    dens = {}
    for status in ("enterprise", "government", "flexible", "retiree", "resident"):
        for sex in ("M", "F"):
            d = np.zeros(101)
            for a in range(16, 101):
                n = pop[sex][a]
                # In January everyone whose statutory age falls in the year is still at work:
                # men to 60, women to 50 (or 55); retired are those above.
                if status == "retiree":
                    if sex == "M":
                        w = 1.0 if a > 60 else 0.0
                    else:
                        w = 1.0 if a > 55 else (RETIRED_WOMEN_50_54 if a > 50 else 0.0)
                elif status == "resident":
                    w = 1.0
                else:
                    if sex == "M":
                        w = participation(a) if a <= 60 else 0.0
                    else:
                        f55 = FEMALE55[status]
                        w = participation(a) * (1.0 if a <= 50 else (f55 if a <= 55 else 0.0))
                d[a] = n * w
            dens[(status, sex)] = d
    out = []
    stats = {}
    for status in ("enterprise", "government", "flexible", "retiree", "resident"):
        tot = dens[(status, "M")].sum() + dens[(status, "F")].sum()
        # A member of model age a (calendar year minus birth year) is a - 0.5 years old in January.
        mean_age = sum((a - 0.5) * (dens[(status, "M")][a] + dens[(status, "F")][a]) for a in range(101)) / tot
        stats[status] = mean_age
        for a in range(16, 101):
            for sex in ("M", "F"):
                out.append((sex, a, status, dens[(status, sex)][a] / tot))
    return out, stats


AREAS = {
    "national": "全国 (nation)", "guangdong": "广东 (Guangdong)", "anhui": "安徽 (Anhui)",
    "shandong": "山东 (Shandong)", "jiangxi": "江西 (Jiangxi)",
}
# (area, census, year): the structures the scenarios use.
STRUCTURES = [
    ("national", 2020, 2021), ("national", 2010, 2013), ("national", 2010, 2016),
    ("national", 2010, 2020), ("national", 2020, 2019),
    ("national", 2020, 2023), ("national", 2020, 2025), ("guangdong", 2020, 2019),
    ("guangdong", 2020, 2018),
    ("anhui", 2020, 2019), ("shandong", 2020, 2024), ("jiangxi", 2020, 2021),
]


def main():
    q, imp, factor, checks = life_table()
    write_life_table(q, imp, factor, checks)
    rates, raw_tfr = asfr()
    write(
        "asfr.csv",
        [
            "Age-specific fertility rate (births per woman per year) by age of mother, 15-49, in 2020.",
            "Source: 2020 census (NBS, 中国人口普查年鉴-2020): births in 2019-11 to 2020-10 by single year of the",
            "mother's age (table 6-2, long form; data/sources/census2020_births_by_mother_age.csv) over women of",
            "that age (table 1-5, five-year groups split by Sprague multipliers), scaled to the census total",
            f"fertility rate {CENSUS_TFR} (at a long-form sample fraction of 10 % its own level is {raw_tfr * 10:.2f}).",
            "Scenarios move the level through economy.fertility. Generated by data/tools/make_demography.py.",
        ],
        ["age", "asfr"],
        [(a, rates[a]) for a in range(15, 50)],
    )
    report = []
    for area, census, year in STRUCTURES:
        table, stats = structure(area, census, year, q)
        name = "membership_structure.csv" if (area, year) == ("national", 2021) else \
            f"membership_structure_{area}_{year}.csv"
        write(
            name,
            [
                f"Age-sex distribution of members within each status, {AREAS[area]}, as of January {year}",
                "(share of the status's total; each status sums to 1).",
                f"Source: {census} census population by age and sex (NBS, "
                + ("中国人口普查年鉴-2020 table 1-5" if census == 2020 else "中国2010年人口普查资料 table 1-7")
                + "; data/sources/census_population_by_age_sex.csv),",
                "five-year groups split by Sprague multipliers"
                + (f", cohorts moved {year - 1 - census:+d} years from the census day (1 November) with the 2020"
                   " life table." if year - 1 != census else " (census day 1 November)."),
                "Ages are the model's: the calendar year minus the birth year (census completed age + 1 for the",
                "10/12 born before November, + 2 for the rest). Workers (enterprise, government, flexible): the",
                "population times a participation shape (ASSUMPTION: 0.1 at 16 rising to 1 at 25, flat to the",
                "statutory age, which in January none has passed yet: men to 60; women to 50, or 55 for the share",
                "of the status with the 55 age: enterprise 0.3, government and flexible 1). Retirees: men 61+,",
                f"women 56+ and {RETIRED_WOMEN_50_54} of women 51-55 (ASSUMPTION). Residents: the adult population.",
                f"Mean age in January: enterprise {stats['enterprise']:.1f}, government {stats['government']:.1f}, flexible "
                f"{stats['flexible']:.1f}, retirees {stats['retiree']:.1f}, residents {stats['resident']:.1f}.",
                "Generated by data/tools/make_demography.py.",
            ],
            ["sex", "age", "status", "share"],
            table,
        )
        report.append((name, stats))
    # Cross-check against the census bulletin: the 60+ share of the 2020 national population.
    pop = census_single_years(2020, "national")
    total = sum(p.sum() for p in pop.values())
    over60 = sum(p[60:].sum() for p in pop.values())
    print(f"2020 national: total {total:,.0f}, 60+ {over60 / total:.2%} (Bulletin No. 5: 18.70 %)")
    for sex in ("M", "F"):
        print(f"life table {sex}: factor {factor[sex]:.4f}, e0 {checks[sex][0]:.3f}, e60 {checks[sex][1]:.3f}")
    print(f"ASFR: TFR {sum(rates.values()):.3f}; long-form level at a 10 % sample {raw_tfr * 10:.3f}")
    for name, stats in report:
        print(name, {k: round(v, 1) for k, v in stats.items()})


if __name__ == "__main__":
    main()
