"""An independent reference implementation of the fundrisk model in Python and NumPy.

It reads the same scenario files and data tables as `fundrisk`, written from MODEL.md and the
scenario format (docs/scenario-format.md), vectorised over paths: each state is an array whose
first axis is the path. It exists to check the Rust engine (its expected path must equal
`fundrisk ledger` line by line) and to time it against an analyst's NumPy code.

Status: the expected path equals `fundrisk ledger` in every column of every row, in all six
scenarios, beyond the ledger's printing:

- Membership: cells by retirement group, status and age; deaths, exits and retirements with
  the 2025 reform; continuing contributors; ageing; entries.
- Contribution income: employer, employee, flexible workers, buy-ins, separate maternity
  contributions, residents, subsidies and personal-account credits.
- Benefits: inpatient over hospital levels, the second tier and critical illness stacked on the
  self-pay (each evaluated as the policy reads, its expectation taken segment by segment between
  kinks found by bisection), new members' reduced caps, flexible workers' waiting months,
  outpatient, and personal-account credits by age band.
- Maternity: births, medical costs and allowances.
- Funds: interest, the merger's transfer, balances and months of capacity; the pooling rules
  (provincial adjustment, city-unified, accounts) and management rules.

Its Monte Carlo (numpy's generator: AR(1) drivers with correlated shocks, small-cell binomial
and Poisson draws) covers every scenario.

Usage: python3 fundrisk_ref.py SCENARIO.toml [--ledger ledger.csv] [--paths N --seed S --summary summary.csv --out CSV]
"""

from __future__ import annotations

import copy
import csv
import json
import math
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
MIN_AGE, MAX_AGE = 16, 100
N_AGES = MAX_AGE - MIN_AGE + 1
# Statuses, in the engine's order.
ENTERPRISE, GOVERNMENT, FLEXIBLE, CONTINUING, RETIREE, RESIDENT = range(6)
N_STATUS = 6
WORKERS = (ENTERPRISE, GOVERNMENT, FLEXIBLE)
STATUS_NAMES = ("enterprise", "government", "flexible", "continuing", "retiree", "resident")
# Retirement groups: men (60), women whose original age is 50 (workers) or 55 (cadres).
MALE60, FEMALE50, FEMALE55 = range(3)
N_GROUPS = 3
GROUP_SEX = (0, 1, 1)


# --- months and dated values -------------------------------------------------------------------

def month(text: str) -> int:
    """'YYYY-MM' as a month index y*12 + (m-1)."""
    y, m = text.split("-")
    return int(y) * 12 + int(m) - 1


def dated(value, t: int):
    """The value of a dated parameter in month index t: a plain value, or the latest entry of a
    list of {from, value} not after t (the first before the first entry)."""
    if isinstance(value, list) and value and isinstance(value[0], dict) and "from" in value[0]:
        chosen = value[0]["value"]
        for e in value:
            if month(e["from"]) <= t:
                chosen = e["value"]
        return chosen
    return value


# --- data tables ---------------------------------------------------------------------------------

def read_table(spec: str, scenario_dir: Path) -> list[dict[str, str]]:
    path = REPO / "data" / spec[len("builtin:"):] if spec.startswith("builtin:") else scenario_dir / spec
    with open(path, encoding="utf-8") as f:
        lines = [line for line in f if not line.startswith("#") and line.strip()]
    return list(csv.DictReader(lines))


def by_sex_age(rows, male: str, female: str) -> np.ndarray:
    """[sex][age 16-100] from a table's two columns; rows of younger ages (a complete life table
    starts at 0) and missing columns (zeros) are allowed."""
    out = np.zeros((2, N_AGES))
    for r in rows:
        a = int(r["age"]) - MIN_AGE
        if a < 0:
            continue
        out[0, a] = float(r.get(male) or 0.0)
        out[1, a] = float(r.get(female) or 0.0)
    return out


def q_month_by_year(life, data, years) -> dict:
    """{calendar year: monthly death probability [sex][age]}: q(x, t) = L q(x, T) (1 - s r(x))^(t - T)
    with the table's year T, its improvement rates r, the scenario's multiplier s and its
    mortality level L."""
    q = by_sex_age(life, "q_male", "q_female") * data.get("mortality_level", 1.0)
    r = by_sex_age(life, "improvement_male", "improvement_female") * data.get("mortality_improvement", 1.0)
    base = data.get("life_table_year", 2020)
    return {y: np.minimum(q * (1 - np.minimum(r, 1.0)) ** (y - base), 1.0) / 12.0 for y in years}


def structure(rows) -> np.ndarray:
    """[status k of enterprise, government, flexible, retiree, resident][sex][age] shares."""
    names = ["enterprise", "government", "flexible", "retiree", "resident"]
    out = np.zeros((5, 2, N_AGES))
    for r in rows:
        out[names.index(r["status"]), int(r["sex"] == "F"), int(r["age"]) - MIN_AGE] = float(r["share"])
    return out


# --- the 2025 retirement-age reform --------------------------------------------------------------

# (original age, first birth month affected, birth months per month of delay, maximum delay)
REFORM = {
    MALE60: (60, month("1965-01"), 4, 36),
    FEMALE55: (55, month("1970-01"), 4, 36),
    FEMALE50: (50, month("1975-01"), 2, 60),
}


def retirement_month(g: int, birth: int, reform: bool) -> int:
    base, first, step, cap = REFORM[g]
    n = birth - first
    delay = 0 if (not reform or n < 0) else min(n // step + 1, cap)
    return birth + base * 12 + delay


def subcohorts_from(g: int, a: int, t: int, start: int, reform: bool) -> int:
    """Of the 12 birth-month subcohorts of age index a in month t's year, how many retire in month
    `start` or later."""
    birth_year = t // 12 - (a + MIN_AGE)
    return sum(retirement_month(g, birth_year * 12 + b, reform) >= start for b in range(12))


# --- scenario ------------------------------------------------------------------------------------

@dataclass
class Unit:
    name: str
    totals: list[float]          # enterprise, government, flexible, retirees, residents
    resident_growth: float
    structure: np.ndarray
    female55: list[float]        # per worker status
    reform: bool
    buyin_monthly_share: float  # share of those short who keep paying monthly
    short_share: np.ndarray      # [month][sex]
    mean_shortfall: np.ndarray   # [month][sex], years
    spec: dict                   # the unit's table as written
    policy: dict                 # merged policy, defaults filled in
    avg_wage_prev_year: float
    utilisation_level: float
    # Jiangmen 001 三 4: the minimum of members first enrolled from a month on (or None):
    # {"first_entry_month", "minimum": [men, women], "prior_mean", "prior_sd"}.
    first_enrolled: dict | None = None


@dataclass
class Scenario:
    start: int
    horizon: int
    q_month: dict                # {calendar year: [sex][age]}
    exit_month: np.ndarray
    entry_share: np.ndarray
    first_year: int
    units: list[Unit]
    wage_rel: np.ndarray           # [sex][age], before normalisation
    pooling: dict
    econ: dict
    years: range
    cost_rows: list
    data: dict
    dir: Path
    small_cell_threshold: float
    random_counts_below_members: float
    rules: list
    area_wage_prev_year: float     # every unit's wage weighted by its members in service


def normal_cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def deep_merge(base: dict, over: dict) -> dict:
    """A unit's policy: the scenario's [policy] with the unit's own keys on top, table by table."""
    out = dict(base)
    for k, v in over.items():
        out[k] = deep_merge(out[k], v) if isinstance(out.get(k), dict) and isinstance(v, dict) else v
    return out


# Policy defaults (docs/scenario-format.md) for the fields the reference reads.
POLICY_DEFAULTS = {
    "employer_to_personal_account": 0.0,
    "employee_rate": 0.02,
    "employee_to_personal_account": 1.0,
    "base_floor": 0.6,
    "base_cap": 3.0,
    "base_reference_lag": 1,
    "wage_dispersion": 0.5,
    "flexible_base": 0.6,
    "flexible_rate": 0.07,
    "flexible_to_personal_account": 0.0,
    "buyin_rate": 0.08,
    "resident_rate": 0.0,
    "resident_income": 0.0,
    "resident_income_lag": 2,
    "resident_subsidy": 0.0,
}

ECONOMY_DEFAULT_MEANS = {"wage_growth": 0.06, "collection_rate": 0.98, "employment_growth": 0.01,
                         "medical_price_growth": 0.03, "utilisation_growth": 0.02,
                         "interest_rate": 0.015, "retirement_take_up": 1.0}


def year_means(econ: dict, name: str, years: range) -> np.ndarray:
    """A driver's mean in each year: the value in force in its July."""
    mean = econ.get(name, {}).get("mean", ECONOMY_DEFAULT_MEANS[name])
    return np.array([dated(mean, y * 12 + 6) for y in years], dtype=float)


def with_includes(spec: dict, here: Path) -> dict:
    """The scenario over its included fragments (`include`): each fragment deep-merged over the
    ones before, the scenario's own fields over all of them. `builtin:calibration/X` is
    data/calibration/X of the repository."""
    merged: dict = {}
    for ref in spec.get("include", []):
        path = REPO / "data" / ref[len("builtin:"):] if ref.startswith("builtin:") else here / ref
        merged = deep_merge(merged, tomllib.loads(path.read_text(encoding="utf-8")))
    return deep_merge(merged, spec)


def load(path: Path) -> Scenario:
    here = path.parent
    spec = with_includes(tomllib.loads(path.read_text(encoding="utf-8")), here)
    solve_base_years(spec, here)
    return build(spec, here)


def pooled_first_year(spec: dict, here: Path, unit: int) -> tuple[float, float, float]:
    """Unit `unit`'s pooled income and spending over the first twelve months of the expected
    path of `spec` (floating point, as the engine's base-year runs), as the bulletins count them:
    without the credits paid from pooled money into personal accounts; and the accounts'
    income (members' own contributions credited plus those credits)."""
    s = build(spec, here)
    name = s.units[unit].name
    totals = [0.0, 0.0, 0.0]

    def keep(fund, k, row):
        if k < 12 and fund.kind == "pooled" and fund.name == name:
            credits = float(np.asarray(row["spending_personal_account"]).reshape(-1)[0])
            totals[0] += float(np.asarray(row["income_total"]).reshape(-1)[0]) - credits
            totals[1] += float(np.asarray(row["spending_total"]).reshape(-1)[0]) - credits
            totals[2] += float(np.asarray(row["personal_account_income"]).reshape(-1)[0]) + credits

    project(s, expected_drivers(s), exact=False, on_month=keep)
    return totals[0], totals[1], totals[2]


def solve_base_years(spec: dict, here: Path):
    """Each unit's [units.base_year]: the collection and utilisation levels that make the model's
    base year meet the published pooled income and spending, or the utilisation level alone where
    only the spending is given (the scenario moved back twelve
    months, the unit alone under single pooling, its worker counts and wage deflated by the base
    year's mean growth), by the engine's secant steps from 1.0 and 1.1."""
    for i, u in enumerate(spec["units"]):
        by = u.get("base_year")
        if not by:
            continue
        start = month(spec["start"]) - 12
        econ = spec.get("economy", {})
        mid = (start // 12) * 12 + 6
        g = dated(econ.get("wage_growth", {}).get("mean", ECONOMY_DEFAULT_MEANS["wage_growth"]), mid)
        e = dated(econ.get("employment_growth", {}).get("mean", ECONOMY_DEFAULT_MEANS["employment_growth"]), mid)

        credit = deep_merge({**POLICY_DEFAULTS, **spec.get("policy", {})}, u.get("policy", {})).get(
            "retiree_account_credit", 0.0)

        def scaled(r: float):
            """The retirees' account credit times r, dated entries kept."""
            if isinstance(credit, list):
                return [{**e, "value": e["value"] * r} for e in credit]
            return credit * r

        def base_spec(collection: float, utilisation: float, r: float = 1.0, take_up: float = 1.0,
                      months: int = 12) -> dict:
            b = copy.deepcopy(spec)
            b["start"] = f"{start // 12:04d}-{start % 12 + 1:02d}"
            b["horizon_months"] = months
            b["pooling"] = {"kind": "single"}
            b.pop("rules", None)
            bu = copy.deepcopy(u)
            bu.pop("base_year", None)
            bu["average_wage_prev_year"] = u["average_wage_prev_year"] / (1.0 + g)
            m = bu["membership"]
            for k in ("enterprise", "government", "flexible"):
                if k in m:
                    m[k] = m[k] / (1.0 + e)
            bu["collection_level"] = u.get("collection_level", 1.0) * collection
            bu["utilisation_level"] = u.get("utilisation_level", 1.0) * utilisation
            bu["policy"] = {**bu.get("policy", {}), "retiree_account_credit": scaled(r)}
            bu["retirement_take_up_level"] = u.get("retirement_take_up_level", 1.0) * take_up
            b["units"] = [bu]
            # The area's wage is the whole scenario's, deflated like the unit's.
            b["_area_wage_prev_year"] = area_wage(spec["units"]) / (1.0 + g)
            return b

        def run(collection: float, utilisation: float, r: float = 1.0) -> tuple[float, float, float]:
            return pooled_first_year(base_spec(collection, utilisation, r), here, 0)

        def retiree_growth(take_up: float) -> float:
            """The base year's growth of retirees: those at the start of month 13 over month 1."""
            b = build(base_spec(1.0, 1.0, 1.0, take_up, months=13), here)
            name, at = b.units[0].name, {}

            def keep(fund, k, row):
                if fund.kind == "pooled" and fund.name == name and k in (0, 12):
                    at[k] = float(np.asarray(row["members_retiree"]).reshape(-1)[0])

            project(b, expected_drivers(b), exact=False, on_month=keep)
            return at[12] / at[0] - 1.0

        if "members_retired_prev" in by:
            # The retirement take-up level first (benefits and credits depend on retirees): the
            # base year's growth of retirees meets the published one, by secant steps from 1.0
            # and 0.9.
            target = by["members_retired"] / by["members_retired_prev"] - 1.0
            x = secant_steps(retiree_growth, target, 1.0, 0.9, lambda y: abs(y - target) < 1e-12)
            u["retirement_take_up_level"] = u.get("retirement_take_up_level", 1.0) * x

        def secant(value, target: float, start: float = 1.0) -> float:
            return secant_steps(value, target, start, start * 1.1,
                                lambda y: abs(y / target - 1.0) < 1e-9)

        r = 1.0
        if "account_income" in by:
            # Pooled income is net of the retirees' credits, which the accounts' income holds:
            # the collection level and the credit are solved in turn until both are met.
            collection = 1.0
            for _ in range(40):
                collection = secant(lambda x: run(x, 1.0, r)[0], by["pooled_income"], collection)
                r = secant(lambda x: run(collection, 1.0, x)[2], by["account_income"], r)
                now = run(collection, 1.0, r)
                if abs(now[0] / by["pooled_income"] - 1) < 1e-9 and abs(now[2] / by["account_income"] - 1) < 1e-9:
                    break
            u.setdefault("policy", {})["retiree_account_credit"] = scaled(r)
        elif "pooled_income" in by:
            collection = secant(lambda x: run(x, 1.0)[0], by["pooled_income"])
        else:
            # The spending basis: no income given, the collection level is kept.
            collection = 1.0
        utilisation = secant(lambda x: run(1.0, x)[1], by["pooled_spending"])
        u["collection_level"] = u.get("collection_level", 1.0) * collection
        u["utilisation_level"] = u.get("utilisation_level", 1.0) * utilisation


def build(spec: dict, here: Path) -> Scenario:
    data = spec.get("data", {})
    life = read_table(data.get("life_table", "builtin:life_table.csv"), here)
    flows = read_table(data.get("worker_flows", "builtin:worker_flows.csv"), here)
    start = month(spec["start"])
    horizon = int(spec["horizon_months"])
    first_year, last_year = start // 12, (start + horizon - 1) // 12
    econ = spec.get("economy", {})
    years = range(first_year, last_year + 1)
    policy = spec.get("policy", {})
    wage = read_table(data.get("wage_profile", "builtin:wage_profile.csv"), here)
    units = []
    for u in spec["units"]:
        p = {**POLICY_DEFAULTS, **deep_merge(policy, u.get("policy", {}))}
        m = u["membership"]
        f55 = {"enterprise": 0.3, "government": 1.0, "flexible": 1.0, **p.get("female_age55_share", {})}
        cy = {"mean_male": 32.0, "sd_male": 7.0, "mean_female": 27.0, "sd_female": 7.0,
                 **p.get("contribution_years", {})}
        # Per month of the horizon: the retirees' share short of the minimum years then in force
        # (dated, 003 三(二)) and their mean shortfall, per sex.
        min_spec = p.get("minimum_years", {"male": 25.0, "female": 20.0})
        short, shortfall = [], []
        for k in range(max(horizon, 1)):
            mins = {"male": 25.0, "female": 20.0, **dated(min_spec, start + k)}
            sk, fk = [], []
            for sex, key in ((0, "male"), (1, "female")):
                lo, mean, sd = mins[key], cy[f"mean_{key}"], cy[f"sd_{key}"]
                sk.append(float(mean < lo) if sd <= 0 else normal_cdf((lo - mean) / sd))
                fk.append(float(normal_excess(lo - mean, sd)))
            short.append(sk)
            shortfall.append(fk)
        fe = p.get("minimum_years_first_enrolled")
        first_enrolled = None if fe is None else {
            # Entrants at the end of month j are enrolled from month j + 1.
            "first_entry_month": max(month(fe["from"]) - start - 1, 0),
            "minimum": [fe["male"], fe["female"]],
            "prior_mean": fe["prior_years_mean"], "prior_sd": fe["prior_years_sd"],
        }
        units.append(Unit(
            name=u["name"],
            totals=[m.get("enterprise", 0.0), m.get("government", 0.0), m.get("flexible", 0.0),
                    m.get("retirees", 0.0), m.get("residents", 0.0)],
            resident_growth=m.get("resident_growth", 0.0),
            structure=structure(read_table(m.get("structure", "builtin:membership_structure.csv"), here)),
            female55=[f55["enterprise"], f55["government"], f55["flexible"]],
            reform=p.get("retirement_reform", True),
            buyin_monthly_share=p.get("buyin_monthly_share",
                                      1.0 if p.get("buyin_mode", "lump_sum") == "monthly" else 0.0),
            short_share=np.array(short),
            mean_shortfall=np.array(shortfall),
            spec=u,
            policy=p,
            avg_wage_prev_year=u["average_wage_prev_year"],
            utilisation_level=u.get("utilisation_level", 1.0),
            first_enrolled=first_enrolled,
        ))
    return Scenario(
        start=start,
        horizon=horizon,
        q_month=q_month_by_year(life, data, years),
        exit_month=by_sex_age(flows, "exit_rate_male", "exit_rate_female") / 12.0,
        entry_share=by_sex_age(flows, "entry_share_male", "entry_share_female"),
        first_year=first_year,
        units=units,
        wage_rel=by_sex_age(wage, "rel_male", "rel_female"),
        pooling=spec.get("pooling", {}),
        econ=econ,
        years=years,
        cost_rows=read_table(data.get("cost_curve", "builtin:cost_curve.csv"), here),
        data=data,
        dir=here,
        small_cell_threshold=spec.get("run", {}).get("small_cell_threshold", 1000.0),
        random_counts_below_members=spec.get("run", {}).get("random_counts_below_members", 200000.0),
        rules=spec.get("rules", []),
        area_wage_prev_year=spec.get("_area_wage_prev_year", area_wage(spec["units"])),
    )


def area_wage(units: list) -> float:
    """The scenario area's average monthly wage of the year before the start: each unit's
    weighted by its members in service at the start (enterprise, government, flexible)."""
    n = [sum(u["membership"].get(k, 0.0) for k in ("enterprise", "government", "flexible")) for u in units]
    total = sum(n)
    return sum(w * u["average_wage_prev_year"] for w, u in zip(n, units)) / total if total > 0 else 0.0


# --- membership ----------------------------------------------------------------------------------

class Membership:
    """Cells [path, group, status, age] of one unit and their monthly flows (expected values)."""

    def __init__(self, s: Scenario, u: Unit, n_paths: int, rng=None, threshold: float = 0.0):
        self.s, self.u = s, u
        self.rng, self.threshold = rng, threshold
        reform = u.reform
        ages = range(N_AGES)
        # Month tables: retirement shares and whether workers can still be active.
        self.retire_share = np.zeros((s.horizon, N_GROUPS, N_AGES))
        self.can_work = np.zeros((s.horizon, N_GROUPS, N_AGES))
        for k in range(s.horizon):
            t = s.start + k
            for g in range(N_GROUPS):
                for a in ages:
                    remaining = subcohorts_from(g, a, t, t, reform)
                    later = subcohorts_from(g, a, t, t + 1, reform)
                    self.retire_share[k, g, a] = (remaining - later) / remaining if remaining else 0.0
                    self.can_work[k, g, a] = float(remaining > 0)
        st = u.structure
        male, female = st[:3, 0].sum(axis=1), st[:3, 1].sum(axis=1)
        self.male_share = np.where(male + female > 0, male / np.maximum(male + female, 1e-300), 0.5)
        # Entrants' shares by group and age, per month and worker status (normalised).
        sex_share = np.array([[self.male_share[w],
                               (1 - self.male_share[w]) * (1 - u.female55[w]),
                               (1 - self.male_share[w]) * u.female55[w]] for w in range(3)])
        entry = s.entry_share[list(GROUP_SEX)]                                  # [g][a]
        w = sex_share[None, :, :, None] * entry[None, None] * self.can_work[:, None]  # [k][w][g][a]
        tot = w.sum(axis=(2, 3), keepdims=True)
        self.entry_weights = np.where(tot > 0, w / np.where(tot > 0, tot, 1.0), 0.0)
        self.entry_ok = tot[..., 0, 0] > 0
        # Initial cells.
        c = np.zeros((N_GROUPS, N_STATUS, N_AGES))
        # Women at work at an age the 50 group has passed are of the 55 group.
        open50 = np.array([subcohorts_from(FEMALE50, a, s.start, s.start, reform) for a in ages], dtype=float)
        for k, total in enumerate(u.totals):
            status = (ENTERPRISE, GOVERNMENT, FLEXIBLE, RETIREE, RESIDENT)[k]
            f55 = 1.0 - (1.0 - u.female55[k]) * open50 / 12.0 if k < 3 else np.zeros(N_AGES)
            c[MALE60, status] += total * st[k, 0]
            c[FEMALE50, status] += total * st[k, 1] * (1 - f55)
            c[FEMALE55, status] += total * st[k, 1] * f55
        for g in range(N_GROUPS):
            for a in ages:
                overdue = 12 - subcohorts_from(g, a, s.start, s.start, reform)
                if overdue > 0:
                    moved = c[g, list(WORKERS), a] * (overdue / 12.0)
                    c[g, list(WORKERS), a] -= moved
                    c[g, RETIREE, a] += moved.sum()
        self.cells = np.repeat(c[None], n_paths, axis=0)
        # Members first enrolled under the unit's own minimum, per worker cell [path][g][w][a],
        # and the same weighted by their entry month; none at the start.
        self.first = np.zeros((n_paths, N_GROUPS, 3, N_AGES)) if u.first_enrolled else None
        self.first_when = np.zeros_like(self.first) if u.first_enrolled else None
        self.first_extra = np.zeros(n_paths)
        share, months = u.short_share, 12.0 * u.mean_shortfall / np.maximum(u.short_share, 1e-300)
        self.cont_exit = np.where(share <= 0, 1.0, np.where(months <= 1.0, 1.0, 1.0 / months))  # [month][sex]
        self.to_cont = u.short_share * u.buyin_monthly_share

    def binomial(self, n: np.ndarray, p) -> np.ndarray:
        """Events among n members with probability p: expected values, except binomial draws in
        cells below the small-cell threshold (a fractional member counts with its fraction's
        probability)."""
        expected = n * p
        if self.rng is None or self.threshold <= 0:
            return expected
        p = np.broadcast_to(p, n.shape)
        idx = np.nonzero((n > 0) & (n < self.threshold) & (p > 0))
        if len(idx[0]) == 0:
            return expected
        nn, pp = n[idx], np.clip(p[idx], 0.0, 1.0)
        whole = np.floor(nn)
        trials = (whole + (self.rng.random(len(nn)) < nn - whole)).astype(np.int64)
        expected[idx] = np.minimum(self.rng.binomial(trials, pp), nn)
        return expected

    def totals(self) -> np.ndarray:
        """Members by status [path][status]."""
        return self.cells.sum(axis=(1, 3))

    def age_one_year(self):
        for c in (self.cells, self.first, self.first_when):
            if c is None:
                continue
            top = c[..., -1] + c[..., -2]
            c[..., 1:-1] = c[..., :-2].copy()
            c[..., -1] = top
            c[..., 0] = 0.0

    def first_shortfall(self, sex: int, local_years: np.ndarray) -> np.ndarray:
        """E[(minimum − prior − local)+] with prior years ~ Normal(mean, sd)."""
        r = self.u.first_enrolled
        return normal_excess(r["minimum"][sex] - local_years - r["prior_mean"], r["prior_sd"])

    def step(self, k: int, employment_growth: np.ndarray, take_up: np.ndarray):
        """Flows at the end of month k; employment_growth per path (annual); take_up per path:
        the driver's share of retirements that become the fund's retirees (times the unit's
        retirement_take_up_level, within 0-1; the rest leave, counted as exits)."""
        s, c = self.s, self.cells
        before = self.totals()
        sex = list(GROUP_SEX)
        q = s.q_month[(s.start + k) // 12][sex][None]  # [1][g][a]
        ex = s.exit_month[sex][None]
        ret = self.retire_share[k][None]
        kk = min(k, len(self.to_cont) - 1)
        to_cont = self.to_cont[kk][sex][None, :, None]
        self.retirements_by_sex = np.zeros((c.shape[0], 2))
        level = self.u.spec.get("retirement_take_up_level", 1.0)
        leaving_share = (1.0 - np.clip(take_up * level, 0.0, 1.0))[:, None, None]
        # The month's flows per path and status: entries, exits, deaths.
        self.entries = np.zeros((c.shape[0], N_STATUS))
        self.exits = np.zeros((c.shape[0], N_STATUS))
        self.deaths = np.zeros((c.shape[0], N_STATUS))
        self.first_extra = np.zeros(c.shape[0])
        general = self.u.mean_shortfall[kk]
        for st in WORKERS:
            n = c[:, :, st].copy()
            deaths = self.binomial(n, q)
            exits = self.binomial(n - deaths, ex / (1 - q))
            retirements = self.binomial(n - deaths - exits, ret)
            c[:, :, st] = n - deaths - exits - retirements
            leaving = self.binomial(retirements, leaving_share)
            retirements = retirements - leaving
            if self.first is not None:
                # The first enrolled share their cell's flows; those retiring into the fund are
                # short by their own minimum (001 三 4).
                f, w = self.first[:, :, st], self.first_when[:, :, st]
                safe_n = np.where(n > 0, n, 1.0)
                retiring = np.where(n > 0, retirements * f / safe_n, 0.0)
                local = (k - w / np.where(f > 0, f, 1.0)) / 12.0
                for g in range(N_GROUPS):
                    g_sex = GROUP_SEX[g]
                    diff = self.first_shortfall(g_sex, local[:, g]) - general[g_sex]
                    self.first_extra += np.where(f[:, g] > 0, retiring[:, g] * diff, 0.0).sum(axis=-1)
                stay = np.where(n > 0, c[:, :, st] / safe_n, 0.0)
                self.first[:, :, st] = f * stay
                self.first_when[:, :, st] = w * stay
            self.deaths[:, st] = deaths.sum(axis=(1, 2))
            self.exits[:, st] = (exits + leaving).sum(axis=(1, 2))
            self.retirements_by_sex[:, 0] += retirements[:, MALE60].sum(axis=-1)
            self.retirements_by_sex[:, 1] += retirements[:, FEMALE50:].sum(axis=(1, 2))
            into_cont = retirements * to_cont
            c[:, :, CONTINUING] += into_cont
            c[:, :, RETIREE] += retirements - into_cont
        n = c[:, :, CONTINUING]
        deaths = self.binomial(n, q)
        done = self.binomial(n - deaths, self.cont_exit[kk][sex][None, :, None])
        c[:, :, CONTINUING] = n - deaths - done
        c[:, :, RETIREE] += done
        self.deaths[:, CONTINUING] = deaths.sum(axis=(1, 2))
        for st in (RETIREE, RESIDENT):
            deaths = self.binomial(c[:, :, st], q)
            c[:, :, st] -= deaths
            self.deaths[:, st] = deaths.sum(axis=(1, 2))
        after = self.totals()
        # Residents: entrants to reach the growth target.
        res_before = before[:, RESIDENT]
        gap = res_before * (1 + self.u.resident_growth) ** (1 / 12) - after[:, RESIDENT]
        gap = np.where((res_before > 0) & (gap > 0), gap, 0.0)
        w = s.entry_share / s.entry_share.sum()
        c[:, MALE60, RESIDENT] += gap[:, None] * w[0][None]
        c[:, FEMALE50, RESIDENT] += gap[:, None] * w[1][None]
        self.entries[:, RESIDENT] = gap
        # Workers: entrants (or extra exits) to reach the employment target.
        monthly = (1 + employment_growth) ** (1 / 12)
        for wi, st in enumerate(WORKERS):
            target = before[:, st] * monthly
            gap = target - after[:, st]
            add = (gap > 0) & self.entry_ok[k, wi]
            entrants = np.where(add, gap, 0.0)[:, None, None] * self.entry_weights[k, wi][None]
            c[:, :, st] += entrants
            self.entries[:, st] = np.where(add, gap, 0.0)
            if self.first is not None and k >= self.u.first_enrolled["first_entry_month"]:
                self.first[:, :, st] += entrants
                self.first_when[:, :, st] += entrants * k
            shrink = (gap < 0) & (after[:, st] > 0)
            keep = np.where(shrink, target / np.where(after[:, st] > 0, after[:, st], 1.0), 1.0)
            c[:, :, st] *= keep[:, None, None]
            if self.first is not None:
                self.first[:, :, st] *= keep[:, None, None]
                self.first_when[:, :, st] *= keep[:, None, None]
            self.exits[:, st] += np.where(shrink, after[:, st] - target, 0.0)


# --- contributions -------------------------------------------------------------------------------

try:  # scipy's erfc is vectorised in C; math.erfc element by element otherwise
    from scipy.special import erfc as _erfc
except ImportError:  # pragma: no cover
    _erfc = np.vectorize(math.erfc, otypes=[float])


def phi(x):
    """Standard normal distribution function."""
    return 0.5 * _erfc(-np.asarray(x) / math.sqrt(2.0))


def normal_excess(gap, sd: float):
    """E[(gap + sd·Z)+] for Z standard normal (scalar or array gap): gap·Φ(gap/sd) +
    sd·φ(gap/sd), and (gap)+ at sd 0: the mean shortfall of years below a minimum."""
    if sd <= 0:
        return np.maximum(gap, 0.0)
    z = np.asarray(gap) / sd
    return gap * phi(z) + sd * np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)


# --- drivers -------------------------------------------------------------------------------------

DRIVERS = ("wage_growth", "medical_price_growth", "utilisation_growth", "employment_growth",
           "collection_rate", "interest_rate")


@dataclass
class Drivers:
    """Yearly drivers per path: arrays [path][year of the horizon]."""
    wage_growth: np.ndarray
    medical_price_growth: np.ndarray
    utilisation_growth: np.ndarray
    employment_growth: np.ndarray
    collection_rate: np.ndarray
    interest_rate: np.ndarray
    fertility: np.ndarray
    # The share of retirements that become the fund's retirees, [path][year].
    retirement_take_up: np.ndarray

    @property
    def paths(self) -> int:
        return self.wage_growth.shape[0]


def fertility_levels(s: Scenario) -> tuple[np.ndarray, float, float]:
    fert = s.econ.get("fertility", {})
    level = np.array([dated(fert.get("level", 1.0), y * 12 + 6) for y in s.years])
    return level, fert.get("drift", 0.0), fert.get("volatility", 0.0)


def fertility_factor(s: Scenario, level: np.ndarray, log_dev: np.ndarray) -> np.ndarray:
    """level x exp(log deviation), held within the scenario's TFR bounds over the table's TFR."""
    fert = s.econ.get("fertility", {})
    table_tfr = sum(float(r["asfr"]) for r in read_table(s.data.get("asfr", "builtin:asfr.csv"), s.dir))
    lo = fert.get("tfr_min", 0.0) / table_tfr
    hi = fert.get("tfr_max", math.inf) / table_tfr
    return np.clip(level * np.exp(log_dev), lo, hi)


def fertility_log_deviation(s: Scenario, shocks: np.ndarray) -> np.ndarray:
    """x(0) = shock(0); x(k) = phi x(k-1) + drift + shock(k): a random walk with drift when phi = 1
    (the default), mean-reverting below. shocks: [path][year]."""
    fert = s.econ.get("fertility", {})
    drift, phi = fert.get("drift", 0.0), fert.get("persistence", 1.0)
    if phi == 1.0:
        steps = drift * (np.arange(shocks.shape[1]) > 0)[None] + shocks
        return np.cumsum(steps, axis=1)
    out = np.zeros_like(shocks)
    for k in range(shocks.shape[1]):
        out[:, k] = shocks[:, k] if k == 0 else phi * out[:, k - 1] + drift + shocks[:, k]
    return out


def expected_drivers(s: Scenario) -> Drivers:
    level, drift, _ = fertility_levels(s)
    means = {d: year_means(s.econ, d, s.years)[None] for d in DRIVERS}
    if s.econ.get("fertility", {}).get("persistence", 1.0) == 1.0:
        log_dev = (drift * np.arange(len(level)))[None]
    else:
        log_dev = fertility_log_deviation(s, np.zeros((1, len(level))))
    return Drivers(**means, fertility=fertility_factor(s, level[None], log_dev),
                   retirement_take_up=year_means(s.econ, "retirement_take_up", s.years)[None])


def secant_steps(value, target: float, x0: float, x1: float, done) -> float:
    """Secant steps from x0 and x1 towards value(x) = target, at most 30, until done(value)."""
    y0, y1 = value(x0), value(x1)
    for _ in range(30):
        if done(y1) or y1 == y0:
            break
        x2 = x1 + (target - y1) * (x1 - x0) / (y1 - y0)
        x0, y0, x1, y1 = x1, y1, x2, value(x2)
    return x1


def ar1(vol: float, phi: float, z: np.ndarray) -> np.ndarray:
    """AR(1) deviations (paths x years) with stationary sd `vol` and persistence `phi` from
    standard normals `z` (paths x years), year 0 in the stationary distribution."""
    dev = np.zeros_like(z)
    for k in range(z.shape[1]):
        dev[:, k] = vol * z[:, k] if k == 0 else \
            phi * dev[:, k - 1] + vol * math.sqrt(1 - phi * phi) * z[:, k]
    return dev


def sample_drivers(s: Scenario, n: int, rng: np.random.Generator) -> Drivers:
    """AR(1) deviations around the yearly means with correlated shocks (MODEL.md, "Economy"),
    and a random walk in log fertility."""
    n_years = len(s.years)
    corr = np.array(s.econ.get("correlation", np.eye(7)), dtype=float)
    chol = np.linalg.cholesky(corr)
    eps = rng.standard_normal((n, n_years, 7)) @ chol.T
    # Parameter uncertainty: one offset of each driver's mean a path, correlated as the shocks.
    mean_errors = [s.econ.get(d, {}).get("mean_uncertainty", 0.0) for d in DRIVERS]
    offsets = rng.standard_normal((n, 7)) @ chol.T if any(e > 0 for e in mean_errors) \
        else np.zeros((n, 7))
    # Regime uncertainty: each driver's mean a random walk of yearly steps with sd mean_drift
    # (year k has moved k + 1 steps), the steps correlated as the shocks.
    drifts = [s.econ.get(d, {}).get("mean_drift", 0.0) for d in DRIVERS]
    walks = np.cumsum(rng.standard_normal((n, n_years, 7)) @ chol.T, axis=1) \
        if any(e > 0 for e in drifts) else np.zeros((n, n_years, 7))
    out = {}
    for i, d in enumerate(DRIVERS):
        spec = s.econ.get(d, {})
        dev = ar1(spec.get("volatility", 0.0), spec.get("persistence", 0.0), eps[:, :, i])
        dev += mean_errors[i] * offsets[:, i][:, None] + drifts[i] * walks[:, :, i]
        out[d] = year_means(s.econ, d, s.years)[None] + dev
    # Held at 0 below, not at 1 above: the unit's solved collection level multiplies it
    # (economy::DriverModel::sample).
    out["collection_rate"] = np.maximum(out["collection_rate"], 0.0)
    # Growth and interest draws truncated to the model's domain (economy::GROWTH_DRAW_RANGE).
    for d in ("wage_growth", "medical_price_growth", "utilisation_growth", "employment_growth"):
        out[d] = np.clip(out[d], -0.5, 1.0)
    out["interest_rate"] = np.clip(out["interest_rate"], -0.05, 0.5)
    level, drift, fvol = fertility_levels(s)
    log_dev = fertility_log_deviation(s, fvol * eps[:, :, 6])
    # The retirement take-up: independent AR(1) shocks and one offset of its mean a path, drawn
    # after everything else and only where uncertain (economy::DriverModel::sample_take_up).
    spec = s.econ.get("retirement_take_up", {})
    take_up = year_means(s.econ, "retirement_take_up", s.years)[None].repeat(n, axis=0)
    vol, phi_ = spec.get("volatility", 0.0), spec.get("persistence", 0.0)
    mean_error = spec.get("mean_uncertainty", 0.0)
    take_up_drift = spec.get("mean_drift", 0.0)
    if vol > 0 or mean_error > 0 or take_up_drift > 0:
        dev = ar1(vol, phi_, rng.standard_normal((n, n_years)))
        dev += mean_error * rng.standard_normal(n)[:, None]
        if take_up_drift > 0:
            dev += take_up_drift * np.cumsum(rng.standard_normal((n, n_years)), axis=1)
        # At least 0; a unit holds the product with its level within 0-1 (not the driver at 1).
        take_up = np.maximum(take_up + dev, 0.0)
    return Drivers(**out, fertility=fertility_factor(s, level[None], log_dev),
                   retirement_take_up=take_up)


def year_index(s: Scenario, t: int) -> int:
    return min(max(t // 12 - s.first_year, 0), len(s.years) - 1)


# --- contributions -------------------------------------------------------------------------------

def lev(mean: np.ndarray, sigma: float, b: np.ndarray) -> np.ndarray:
    """E[min(X, b)] for X lognormal with the given mean and log-sd sigma."""
    mu = np.log(mean) - 0.5 * sigma * sigma
    z = (np.log(b) - mu) / sigma
    return mean * phi(z - sigma) + b * phi(-z)


def clamped_mean(mean: np.ndarray, sigma: float, floor: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """E[min(max(X, floor), cap)]: the expected contribution base."""
    return floor + lev(mean, sigma, cap) - lev(mean, sigma, floor)




class Contributions:
    """A unit's contribution income per month and path, from its membership."""

    def __init__(self, s: Scenario, u: Unit, m: Membership, d: Drivers):
        self.s, self.u, self.p, self.d = s, u, u.policy, d
        # Wages by calendar year from two years before the start: [path][year].
        # Two years before: deflated by the first year's mean growth, the same on every path.
        w0 = np.full((d.paths, 1), u.avg_wage_prev_year
                     / math.exp(year_means(s.econ, "wage_growth", s.years)[0]))
        w1 = np.full_like(w0, u.avg_wage_prev_year)
        self.wages = np.concatenate([w0, w1, u.avg_wage_prev_year * np.exp(np.cumsum(d.wage_growth, axis=1))],
                                    axis=1)
        self.first_wage_year = s.first_year - 2
        # Wage relativities normalised over the initial active members.
        c = m.cells[0]
        n = c[:, list(WORKERS)].sum(axis=1)                        # [g][a]
        rel = s.wage_rel[list(GROUP_SEX)]                          # [g][a]
        num, den = (n * rel).sum(), n.sum()
        self.wage_rel = s.wage_rel / (num / den if den > 0 and num > 0 else 1.0)
        mat = self.p.get("maternity")
        self.maternity = mat
        self.merger = month(mat["merger"]) if mat and "merger" in mat else None
        self.base_cache = (None, None)
        # What management rules have added to the employer rate, per path (share of payroll), to
        # the residents' rate (share of income) and to the subsidy per resident (yuan a year).
        self.uplift = np.zeros(d.paths)
        self.resident_uplift = np.zeros(d.paths)
        self.subsidy_uplift = np.zeros(d.paths)

    def wage(self, year: int) -> np.ndarray:
        """Average monthly wage of a calendar year, per path."""
        i = min(max(year - self.first_wage_year, 0), self.wages.shape[1] - 1)
        return self.wages[:, i]

    def month(self, t: int, cells: np.ndarray, retirements_by_sex: np.ndarray,
              first_extra: np.ndarray | None = None) -> dict:
        """Income lines of month t per path, from the cells at its start [path][g][status][age]
        and the month's retirements by sex [path][sex] (for lump-sum buy-ins)."""
        p, s = self.p, self.s
        at = lambda key: dated(p[key], t)
        year = t // 12
        collection = self.d.collection_rate[:, year_index(s, t)] * self.u.spec.get("collection_level", 1.0)
        reference = self.wage(year - p["base_reference_lag"])
        floor, cap = at("base_floor") * reference, at("base_cap") * reference
        mat = self.maternity
        separate = mat is not None and self.merger is not None and t < self.merger
        mat_rate = dated(mat.get("employer_rate", 0.0), t) if mat else 0.0
        merged_extra = mat_rate if (mat is not None and not separate and self.merger is not None) else 0.0
        er = at("employer_rate")
        er_ent = er + merged_extra + self.uplift
        er_gov = (dated(p["employer_rate_government"], t) if "employer_rate_government" in p else er) \
            + merged_extra + self.uplift
        key = (year, at("base_floor"), at("base_cap"))
        if self.base_cache[0] != key:  # bases change once a year (or with the floor or cap)
            mean = self.wage(year)[:, None, None] * self.wage_rel[None]
            base = clamped_mean(mean, p["wage_dispersion"], floor[:, None, None], cap[:, None, None])
            self.base_cache = (key, base[:, list(GROUP_SEX)])              # [path][g][a]
        base_g = self.base_g = self.base_cache[1]
        payroll_ent = (cells[:, :, ENTERPRISE] * base_g).sum(axis=(1, 2))
        payroll_gov = (cells[:, :, GOVERNMENT] * base_g).sum(axis=(1, 2))
        payroll = payroll_ent + payroll_gov
        employer = (payroll_ent * er_ent + payroll_gov * er_gov) * collection
        to_accounts = (employer - payroll * merged_extra * collection) * at("employer_to_personal_account")
        employee = payroll * at("employee_rate") * collection
        ee_pa = at("employee_to_personal_account")
        totals = cells.sum(axis=(1, 3))
        n_flex, n_res, n_cont = totals[:, FLEXIBLE], totals[:, RESIDENT], totals[:, CONTINUING]
        flex_base = at("flexible_base") * reference
        if p.get("flexible_base_reference", "unit") == "area":
            # Shandong 003 三(二): 60 % of the province's average wage, not the city's.
            flex_base = flex_base * s.area_wage_prev_year / self.u.avg_wage_prev_year
        self.flex_base = flex_base
        flex_rate, flex_pa = at("flexible_rate"), at("flexible_to_personal_account")
        zero = np.zeros_like(payroll)
        out = dict.fromkeys(INCOME, zero)
        out["income_employer"] = employer - to_accounts
        out["income_employee"] = employee * (1 - ee_pa)
        out["income_flexible"] = n_flex * flex_base * max(flex_rate - flex_pa, 0.0) * collection
        out["personal_account_income"] = (to_accounts + employee * ee_pa
                                          + n_flex * flex_base * min(flex_pa, flex_rate) * collection)
        if separate:
            covered = payroll + (n_flex * flex_base if mat.get("flexible_covered", False) else 0.0)
            out["income_maternity"] = covered * mat_rate * collection
        res_base = resident_income_of(s, p, year - p["resident_income_lag"])
        out["income_resident"] = n_res * (at("resident_rate") + self.resident_uplift) * res_base / 12 * collection
        out["income_subsidy"] = n_res * (at("resident_subsidy") + self.subsidy_uplift) / 12
        buyin = at("buyin_rate")
        out["income_buyin"] = n_cont * floor * buyin * collection
        at_once = 1.0 - self.u.buyin_monthly_share
        if at_once > 0.0:
            # 003 三(二): those who pay the shortfall at once; the rest keep paying monthly.
            k = min(t - s.start, len(self.u.mean_shortfall) - 1)
            years = (retirements_by_sex * self.u.mean_shortfall[k][None] * at_once).sum(axis=1)
            if self.u.first_enrolled is not None and first_extra is not None:
                years = years + first_extra * at_once  # 001 三 4: the first enrolled's own minimum
            out["income_buyin"] = out["income_buyin"] + years * 12 * floor * buyin
        return out


# --- benefits ------------------------------------------------------------------------------------

def lev_mu(mu: np.ndarray, sigma: float, b: float) -> np.ndarray:
    """E[min(X, b)] for X = exp(N(mu, sigma²))."""
    mean = np.exp(mu + 0.5 * sigma * sigma)
    if b <= 0:
        return np.zeros_like(mu)
    if math.isinf(b):
        return mean
    z = (math.log(b) - mu) / sigma
    return mean * phi(z - sigma) + b * phi(-z)


@dataclass
class Scale:
    """A benefit scale on an annual amount y: each tier's ratio on the amount between the
    deductible (or the tier below) and the tier's upper bound, at most `cap`."""
    deductible: float
    tiers: list                  # [(upper, ratio)]
    cap: float

    def uncapped(self, y: float) -> float:
        lower, paid = max(self.deductible, 0.0), 0.0
        for upper, ratio in self.tiers:
            if upper <= lower:
                continue
            if y > lower:
                paid += ratio * (min(y, upper) - lower)
            lower = upper
        return paid

    def __call__(self, y: float) -> float:
        return min(self.uncapped(y), self.cap)

    def kinks(self) -> list[float]:
        """Amounts where the scale's slope may change: the deductible, the tiers' bounds and
        where the cap starts to bind."""
        out = [max(self.deductible, 0.0)] + [u for u, _ in self.tiers if not math.isinf(u)]
        if not math.isinf(self.cap):
            out.append(first_reaching(self.uncapped, self.cap))
        return [k for k in out if 0.0 < k < math.inf]


def first_reaching(f, level: float, hi: float = 1.0) -> float:
    """The smallest y ≥ 0 with f(y) ≥ level, for f continuous and non-decreasing (bisection);
    inf if f stays below it."""
    if f(0.0) >= level:
        return 0.0
    while f(hi) < level:
        hi *= 2.0
        if hi > 1e15:
            return math.inf
    lo = 0.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        lo, hi = (lo, mid) if f(mid) >= level else (mid, hi)
    return hi


def scale_of(spec: dict, retired: bool, ratio_delta: float = 0.0, cap_factor: float = 1.0) -> Scale:
    """A scale from its specification, with the retiree deltas if retired, every ratio moved by
    `ratio_delta` (clamped to [0, 1]) and the cap multiplied by `cap_factor`."""
    dd = spec.get("retiree_deductible_delta", 0.0) if retired else 0.0
    dr = spec.get("retiree_ratio_delta", 0.0) if retired else 0.0
    tiers = [(float(u), min(max(r + dr + ratio_delta, 0.0), 1.0)) for u, r in spec["tiers"]]
    return Scale(spec.get("deductible", 0.0) + dd, tiers, float(spec.get("cap", math.inf)) * cap_factor)


class Stack:
    """One hospital level's inpatient benefits for an annual allowed cost x, written as the
    policy reads (Jiangmen 001 四(四)): the first tier f₁(x); the second tier on the self-pay
    above the deductible, A₁ = x − f₁(x) − min(x, d); critical illness on the self-pay left,
    A₂ = A₁ − t₂(A₁). Each is piecewise linear in x; its kinks are the deductible, the tiers'
    bounds and the caps, carried back to x by bisection."""

    def __init__(self, first: Scale, deductible: float, tier2: Scale | None, critical: Scale | None):
        self.first, self.deductible, self.tier2, self.critical = first, deductible, tier2, critical
        self.a1 = lambda x: x - first(x) - (min(x, deductible) if deductible > 0 else 0.0)
        self.a2 = lambda x: self.a1(x) - (tier2(self.a1(x)) if tier2 else 0.0)
        kinks = set(first.kinks())
        if deductible > 0:
            kinks.add(deductible)
        for scale, amount in ((tier2, self.a1), (critical, self.a2)):
            if scale is not None:
                kinks.update(first_reaching(amount, y) for y in scale.kinks())
        self.points = [0.0] + sorted(k for k in kinks if 0.0 < k < math.inf)

    def pay(self, x: float) -> tuple[float, float, float]:
        """(first tier, second tier, critical illness) for cost x."""
        a1 = self.a1(x)
        t2 = self.tier2(a1) if self.tier2 else 0.0
        c = self.critical(a1 - t2) if self.critical else 0.0
        return self.first(x), t2, c

    def slopes(self) -> np.ndarray:
        """[kind][segment]: the slope of each payment between consecutive points, the last
        segment running to infinity."""
        pts = self.points + [2.0 * self.points[-1] + 1.0]
        pays = np.array([self.pay(x) for x in pts])            # [point][kind]
        return (np.diff(pays, axis=0) / np.diff(pts)[:, None]).T


def expected_payments(stacks: list, mu: np.ndarray, sigma: float) -> np.ndarray:
    """[kind][*mu.shape]: E[payment] for X = exp(N(mu, sigma²)) under a share-weighted mixture
    of stacks [(share, Stack)]: for g piecewise linear with g(0) = 0,
    E[g(X)] = Σ slope_i × (LEV(b_{i+1}) − LEV(b_i))."""
    out = np.zeros((3,) + mu.shape)
    for share, st in stacks:
        slopes = st.slopes()
        levs = [lev_mu(mu, sigma, b) for b in st.points[1:]] + [lev_mu(mu, sigma, math.inf)]
        prev = np.zeros_like(mu)
        for i, lv in enumerate(levs):
            seg = lv - prev
            for kind in range(3):
                if slopes[kind, i] != 0.0:
                    out[kind] += share * slopes[kind, i] * seg
            prev = lv
    return out


def resident_income_of(s: Scenario, p: dict, year: int) -> float:
    """Disposable income per resident earned in `year` (the value in force that July); with
    `resident_income_indexed`, years after the last dated entry grow with the expected wage index
    (the wage_growth mean, annual log growth)."""
    income = p["resident_income"]
    if p.get("resident_income_indexed", False) and isinstance(income, list) and income:
        last = month(income[-1]["from"]) // 12
        if year > last:
            mean = s.econ.get("wage_growth", {}).get("mean", ECONOMY_DEFAULT_MEANS["wage_growth"])
            growth = sum(dated(mean, z * 12 + 6) for z in range(last + 1, year + 1))
            return dated(income, last * 12 + 6) * math.exp(growth)
    return dated(income, year * 12 + 6)


def critical_at(s: Scenario, p: dict, t: int):
    """The critical-illness scale of month t: as written, or from `critical_illness_threshold_from`
    with its deductible the resident income of `resident_income_lag` years before (001 四(四)1(4))."""
    if not p.get("critical_illness"):
        return None
    critical = dict(dated(p["critical_illness"], t))
    if "critical_illness_threshold_from" in p and t >= month(p["critical_illness_threshold_from"]):
        critical["deductible"] = resident_income_of(s, p, t // 12 - p["resident_income_lag"])
    return critical


def benefit_stacks(s: Scenario, p: dict, t: int, retired: bool, cap_factor: float) -> list:
    """[(share, Stack)] per hospital level in month t (one level without `hospital_levels`)."""
    base = dated(p["inpatient"], t)
    tier2 = dated(p["tier2"], t) if p.get("tier2") else None
    critical = critical_at(s, p, t)
    levels = [(1.0, base, 0.0, 0.0)] if not p.get("hospital_levels") else [
        (lv["share"], {**base, "deductible": lv["deductible"], "tiers": [[math.inf, lv["ratio"]]]},
         lv.get("tier2_ratio_delta", 0.0), lv.get("critical_illness_ratio_delta", 0.0))
        for lv in p["hospital_levels"]]
    out = []
    for share, spec, d2, dci in levels:
        ded = spec.get("deductible", 0.0) + (spec.get("retiree_deductible_delta", 0.0) if retired else 0.0)
        out.append((share, Stack(
            scale_of(spec, retired, 0.0, cap_factor), ded,
            scale_of(tier2, retired, d2, cap_factor) if tier2 else None,
            scale_of(critical, retired, dci, cap_factor) if critical else None)))
    return out


class Benefits:
    """Expected inpatient (first tier, second tier, critical illness, over hospital levels, with
    new members' reduced caps and flexible workers' waiting months) and outpatient payments of
    a unit per month and path, and personal-account credits."""

    def __init__(self, s: Scenario, u: Unit, d: Drivers):
        p = u.policy
        c = p["costs"]
        level = u.utilisation_level
        tab = {k: np.zeros((2, N_AGES)) for k in ("inpatient_use", "inpatient_cost_rel",
                                                   "outpatient_use", "outpatient_cost_rel")}
        for r in s.cost_rows:
            for k in tab:
                tab[k][int(r["sex"] == "F"), int(r["age"]) - MIN_AGE] = float(r[k])
        self.sigma_in, self.sigma_out = c["inpatient_sigma"], c["outpatient_sigma"]
        mu = lambda mean, rel, sig: np.log(np.maximum(mean * rel, 1e-9)) - 0.5 * sig * sig
        self.mu_in = mu(c["inpatient_mean"], tab["inpatient_cost_rel"], self.sigma_in)
        self.mu_out = mu(c["outpatient_mean"], tab["outpatient_cost_rel"], self.sigma_out)
        self.p_in = np.minimum(tab["inpatient_use"] * level, 1.0)
        self.p_out = np.minimum(tab["outpatient_use"] * level, 1.0)
        self.season = p.get("seasonality", [1.0] * 12)
        self.p = p
        # Log price and utilisation indices per path and month, from the middle of the cost
        # price year; history before the start at the first year's mean rates, the same on
        # every path (a path's shocks begin with its first year).
        gap = s.start - (c["price_year"] * 12 + 6)
        yi = np.array([year_index(s, s.start + k) for k in range(s.horizon)])
        step_p = d.medical_price_growth[:, yi] / 12
        step_u = d.utilisation_growth[:, yi] / 12
        step_p[:, 0] = year_means(s.econ, "medical_price_growth", s.years)[0] * gap / 12
        step_u[:, 0] = year_means(s.econ, "utilisation_growth", s.years)[0] * gap / 12
        self.log_price = np.cumsum(step_p, axis=1)
        self.shift = self.log_price + np.cumsum(step_u, axis=1)
        self.s = s
        # New members' windows [(up to months, cap factor)] and the entries of the last 24
        # months (most recent first) per path: residents, flexible workers, all workers.
        self.windows = [(int(w[0]), w[1]) for w in p.get("new_member_cap_factors") or []]
        self.waiting = int(p.get("flexible_waiting_months", 0))
        n = d.paths
        self.rings = {key: np.zeros((24, n)) for key in ("resident", "flexible", "workers")}
        self.stacks: dict = {}

    def stacks_at(self, t: int, retired: bool, cap_factor: float) -> list:
        p = self.p
        key = (json.dumps([dated(p[k], t) if p.get(k) else None for k in ("inpatient", "tier2")]
                          + [critical_at(self.s, p, t)]), retired, cap_factor)
        if key not in self.stacks:
            self.stacks[key] = benefit_stacks(self.s, p, t, retired, cap_factor)
        return self.stacks[key]

    def month(self, k: int, cells: np.ndarray, contrib) -> dict:
        t = self.s.start + k
        p = self.p
        by_sex = lambda st: np.stack([cells[:, MALE60, st], cells[:, FEMALE50, st] + cells[:, FEMALE55, st]], axis=1)
        totals = cells.sum(axis=(1, 3))                                  # [path][status]
        window = lambda ring, a, b: self.rings[ring][a:b].sum(axis=0)
        share = lambda entries, members: np.where(members > 0, np.minimum(
            entries / np.where(members > 0, members, 1.0), 1.0), 0.0)
        waiting = share(window("flexible", 0, self.waiting), totals[:, FLEXIBLE]) \
            if self.waiting > 0 else np.zeros(cells.shape[0])
        w = lambda x: x[:, None, None]
        workers = by_sex(ENTERPRISE) + by_sex(GOVERNMENT) + by_sex(FLEXIBLE) * w(1 - waiting)
        residents = by_sex(RESIDENT)
        in_service = workers + by_sex(CONTINUING) + residents
        retired = by_sex(RETIREE)
        n_work = totals[:, list(WORKERS)].sum(axis=1)
        m = self.mu_in[None] + self.shift[:, k, None, None]
        annual = np.zeros((3, cells.shape[0]))                           # first tier, tier 2, CI
        # Members of short standing (entries of the window's months over today's members) are
        # paid with the window's reduced caps; everyone else with the full caps.
        full = in_service.copy()
        lo = 0
        for hi, factor in self.windows:
            new = residents * w(share(window("resident", lo, hi), totals[:, RESIDENT])) \
                + workers * w(share(window("workers", lo, hi), n_work))
            full = full - new
            e = expected_payments(self.stacks_at(t, False, factor), m, self.sigma_in)
            annual += (new[None] * self.p_in * e).sum(axis=(2, 3))
            lo = hi
        for members, r in ((full, False), (retired, True)):
            e = expected_payments(self.stacks_at(t, r, 1.0), m, self.sigma_in)
            annual += (members[None] * self.p_in * e).sum(axis=(2, 3))
        outpatient = np.zeros(cells.shape[0])
        if p.get("outpatient"):
            spec = dated(p["outpatient"], t)
            mo = self.mu_out[None] + self.shift[:, k, None, None]
            second = p.get("outpatient_second_clinic")
            for members, r in ((in_service, False), (retired, True)):
                if second is None:
                    e = expected_payments([(1.0, Stack(scale_of(spec, r), 0.0, None, None))], mo, self.sigma_out)[0]
                else:
                    # Jiangmen 001 四(四)2(3): the primary clinic's scale on (1 − share) X and, at the
                    # second clinic, referred and direct care each up to the cap on share × X; a
                    # share c of a lognormal cost is lognormal with log-mean moved by ln c.
                    share = second["share"]
                    e = np.zeros_like(mo)
                    if share < 1.0:
                        e = e + expected_payments([(1.0, Stack(scale_of(spec, r), 0.0, None, None))],
                                                  mo + math.log(1.0 - share), self.sigma_out)[0]
                    if share > 0.0:
                        clinic = [(second["referred_share"], Scale(0.0, [(math.inf, second["referred_ratio"])], second["cap"])),
                                  (1.0 - second["referred_share"], Scale(0.0, [(math.inf, second["direct_ratio"])], second["cap"]))]
                        e = e + expected_payments([(w, Stack(sc, 0.0, None, None)) for w, sc in clinic],
                                                  mo + math.log(share), self.sigma_out)[0]
                outpatient += (members * self.p_out * e).sum(axis=(1, 2))
        season = self.season[t % 12] / 12
        out = {"spending_inpatient": annual[0] * season, "spending_tier2": annual[1] * season,
               "spending_critical_illness": annual[2] * season, "spending_outpatient": outpatient * season}
        # Personal-account credits paid from the pooled fund, yuan a month each: retirees', and
        # active members' by age band or their own contribution where higher (Jiangmen 001 四(四)2(4)).
        credits = totals[:, RETIREE] * dated(p.get("retiree_account_credit", 0.0), t)
        bands = p.get("account_credit_bands")
        if bands:
            ages = np.arange(N_AGES) + MIN_AGE
            band = np.array([next((b[1] for b in bands if a < b[0]), 0.0) for a in ages])
            own = p.get("account_credit_own_rate", 0.0)
            for st, base in ((ENTERPRISE, contrib.base_g), (GOVERNMENT, contrib.base_g),
                             (FLEXIBLE, contrib.flex_base[:, None, None]), (CONTINUING, 0.0)):
                credits = credits + (cells[:, :, st] * np.maximum(band, own * base)).sum(axis=(1, 2))
        out["spending_personal_account"] = credits
        return out

    def after_step(self, entries: np.ndarray):
        """Records the month's entries (per path and status) for the windows of later months."""
        for key, x in (("resident", entries[:, RESIDENT]), ("flexible", entries[:, FLEXIBLE]),
                       ("workers", entries[:, list(WORKERS)].sum(axis=1))):
            ring = self.rings[key]
            ring[1:] = ring[:-1].copy()
            ring[0] = x


# --- maternity -----------------------------------------------------------------------------------

class Maternity:
    """Births to insured women and to uninsured spouses, maternity medical costs and allowances."""

    def __init__(self, s: Scenario, u: Unit, contrib: Contributions, benefits: Benefits, d: Drivers,
                 rng=None, threshold: float = 0.0):
        self.m = u.policy.get("maternity")
        self.s, self.contrib, self.benefits, self.d = s, contrib, benefits, d
        self.rng, self.threshold = rng, threshold
        asfr = np.zeros(N_AGES + 2)  # by age 14..100 so that age − 2 indexes directly
        for r in read_table(s.data.get("asfr", "builtin:asfr.csv"), s.dir):
            asfr[int(r["age"]) - (MIN_AGE - 2)] = float(r["asfr"])
        self.asfr_own = asfr[2:]                 # at the member's age
        self.asfr_partner = asfr[:-2]            # at age − 2 (partners two years younger)

    def month(self, k: int, cells: np.ndarray) -> dict:
        m, s = self.m, self.s
        if m is None:
            return {}
        t = s.start + k
        fert = self.d.fertility[:, year_index(s, t)]
        f = fert * m.get("insured_fertility_relative", 1.0) / 12
        women = cells[:, FEMALE50] + cells[:, FEMALE55]
        births = [(women[:, st] * self.asfr_own).sum(axis=1) * f for st in WORKERS]
        # 社会保险法 art. 54: employees' unemployed spouses; flexible workers' only if covered.
        husbands = WORKERS if m.get("spouse_of_flexible_covered", False) else (ENTERPRISE, GOVERNMENT)
        spouse = sum((cells[:, MALE60, st] * self.asfr_partner).sum(axis=1) for st in husbands) \
            * fert / 12 * m.get("spouse_uninsured_share", 0.0)
        births, spouse = [self.poisson(b) for b in births], self.poisson(spouse)
        flex = births[2] if m.get("flexible_covered", False) else 0.0
        insured = births[0] + births[1] + flex
        price = np.exp(self.benefits.log_price[:, k])
        days = (dated(m["leave_days"], t) + m.get("difficult_share", 0.2) * m.get("difficult_extra_days", 15.0)
                + m.get("multiple_share", 0.015) * m.get("multiple_extra_days", 15.0))
        per_birth = self.contrib.wage(t // 12 - 1) * m.get("employer_wage_relative", 1.0) / 30 * days
        with_allowance = births[0] + (births[1] if m.get("allowance_government", True) else 0.0) \
            + (flex if m.get("allowance_flexible", False) else 0.0)
        return {
            "births_insured": insured,
            "births_spouse": spouse,
            "spending_maternity_medical": (insured + spouse * m.get("spouse_cost_share", 0.0))
            * m["medical_cost_per_birth"] * price,
            "spending_maternity_allowance": with_allowance * per_birth,
        }


    def poisson(self, mean: np.ndarray) -> np.ndarray:
        """Monthly births: expected values, drawn (Poisson) where fewer than the small-cell
        threshold are expected."""
        if self.rng is None or self.threshold <= 0:
            return mean
        small = (mean > 0) & (mean < self.threshold)
        return np.where(small, self.rng.poisson(np.where(small, mean, 0.0)), mean)


# --- funds, pooling and management rules ---------------------------------------------------------

def fen(x):
    """To the fen, halves away from zero (as the engine's Decimal ledger)."""
    return np.copysign(np.floor(np.abs(x) * 100 + 0.5) / 100, x)


class Book:
    """A fund's balance per path, interest on a positive opening balance (plus a merger's
    transfer), and the 12-month average spending behind months of payment capacity."""

    def __init__(self, balance: float, spending_prev_year: float, n: int, exact: bool):
        money = fen if exact else (lambda x: x)
        self.balance = np.full(n, float(money(balance)))
        self.window = np.full((12, n), float(money(spending_prev_year)) / 12)
        self.pos, self.exact = 0, exact

    def post(self, income, spending, rate, transfer_merger, other_transfers, credits) -> dict:
        """credits: the month's credits paid into personal accounts, which the 12-month average
        leaves out (pooled spending as the bulletins count it, as 可支付月数 is published)."""
        base = self.balance + transfer_merger
        interest = np.where(base > 0, base * rate / 12, 0.0)
        if self.exact:
            interest = fen(interest)
        transfers = transfer_merger + other_transfers
        self.balance = self.balance + income - spending + interest + transfers
        self.window[self.pos] = spending - credits
        self.pos = (self.pos + 1) % 12
        avg = self.window.sum(axis=0) / 12
        with np.errstate(divide="ignore", invalid="ignore"):
            months = np.where(avg > 0, self.balance / avg, np.inf)
        if self.exact:
            months = np.where(avg > 0, fen(months), np.inf)
        return {"interest": interest, "transfer_merger": transfer_merger + 0.0 * base,
                "transfers_net": transfers + 0.0 * base, "pooled_balance": self.balance.copy(),
                "avg_monthly_spending_12m": avg, "months_of_capacity": months}


@dataclass
class Fund:
    name: str
    kind: str                    # pooled, maternity, adjustment, city
    unit: int


def funds_of(s: Scenario) -> tuple[list, list, list, list]:
    """The funds in the engine's order (pooled or city funds, then separate maternity funds,
    then the adjustment fund), their openings (balance, spending of the year before), each
    unit's pooled fund and each unit's maternity fund (or None)."""
    kind = s.pooling.get("kind", "single")
    name = s.pooling.get("fund_name", "pool")
    funds, openings, unit_fund, maternity_fund = [], [], [], []
    if kind == "city_unified":
        funds.append(Fund(name, "city", 0))
        openings.append((sum(u.spec.get("initial_pooled_balance", 0.0) for u in s.units),
                         sum(u.spec.get("pooled_spending_prev_year", 0.0) for u in s.units)))
        unit_fund = [0] * len(s.units)
    else:
        for i, u in enumerate(s.units):
            unit_fund.append(len(funds))
            funds.append(Fund(u.name, "pooled", i))
            openings.append((u.spec.get("initial_pooled_balance", 0.0), u.spec.get("pooled_spending_prev_year", 0.0)))
    for i, u in enumerate(s.units):
        mat = u.policy.get("maternity")
        # Maternity insurance covers employees: a unit of residents alone has no maternity fund.
        if mat is not None and "merger" in mat and sum(u.totals[:3]) > 0:
            maternity_fund.append(len(funds))
            funds.append(Fund(f"{u.name}.maternity", "maternity", i))
            openings.append((u.spec.get("initial_maternity_balance", 0.0), u.spec.get("maternity_spending_prev_year", 0.0)))
        else:
            maternity_fund.append(None)
    if kind == "provincial_adjustment":
        funds.append(Fund(name, "adjustment", 0))
        openings.append((s.pooling.get("initial_balance", 0.0), 0.0))
    return funds, openings, unit_fund, maternity_fund


class Pooling:
    """The pooling rule of MODEL.md ("Fund, pooling and rules") over every path: the Shandong
    adjustment fund's January levies and year-end payments towards units' deficits (003 (四)),
    and Jiujiang's county settlement with the county treasuries (004 三(四))."""

    def __init__(self, s: Scenario, unit_fund: list, pool_fund: int | None, n: int, exact: bool):
        p = s.pooling
        self.kind = p.get("kind", "single")
        self.p, self.unit_fund, self.pool = p, unit_fund, pool_fund
        self.start = month(p["start"]) if "start" in p else s.start
        self.money = fen if exact else (lambda x: x)
        nu = len(s.units)
        self.last_income = [np.full(n, float(self.money(u.spec.get("pooled_income_prev_year", 0.0)))) for u in s.units]
        self.last_spending = [np.full(n, float(self.money(u.spec.get("pooled_spending_prev_year", 0.0)))) for u in s.units]
        self.ytd_income = [np.zeros(n) for _ in range(nu)]
        self.ytd_spending = [np.zeros(n) for _ in range(nu)]
        self.levy_this = [np.zeros(n) for _ in range(nu)]
        self.levy_last = [None] * nu
        self.assessment = [u.spec.get("adjustment_assessment", 1.0) for u in s.units]
        self.unit_specs = [u.spec for u in s.units]
        # city_unified: the treasuries' share of last year's gaps, booked in the settlement month
        # of the next year (004 三(三): by the end of March).
        self.treasury_due = np.zeros(n)

    def apply(self, t: int, unit_income, unit_spending, balances, other, treasury):
        if self.p.get("treasury_backstop", False) and t % 12 == 0 and t > self.start:
            # 001 四(一)(二): the government covers a fund's deficit at the year end, in January.
            for f in dict.fromkeys(self.unit_fund):
                treasury[f] += np.where(balances[f] < 0, -balances[f], 0.0)
        if self.kind in ("single", "accounts") or t < self.start:
            return
        p, money, pool, nu = self.p, self.money, self.pool, len(self.unit_fund)
        if t % 12 == 0 and self.kind == "provincial_adjustment":
            rate = dated(p.get("levy_rate", 0.03), t)
            for u in range(nu):
                levy = money(self.last_income[u] * rate)
                other[self.unit_fund[u]] -= levy
                other[pool] += levy
                self.levy_this[u] = levy
        booking = p.get("treasury_settlement_month", 3)
        if self.kind == "city_unified" and booking != 12 and t % 12 == booking - 1:
            treasury[pool] += self.treasury_due
            self.treasury_due = np.zeros_like(self.treasury_due)
        for u in range(nu):
            self.ytd_income[u] = self.ytd_income[u] + unit_income[u]
            self.ytd_spending[u] = self.ytd_spending[u] + unit_spending[u]
        if t % 12 != 11:
            return
        if self.kind == "provincial_adjustment":
            share, multiple = p.get("gap_share", 0.5), p.get("cap_multiple", 2.0)
            # 003 三(四): the city's current-year gap; with levy_in_gap its levy counts as spending
            # (上解上级支出).
            levy_in_gap = p.get("levy_in_gap", True)
            gaps = np.array([self.ytd_spending[u] - self.ytd_income[u]
                             + (self.levy_this[u] if levy_in_gap else 0.0) for u in range(nu)])
            # The cap is a multiple of last year's levy (this year's in the scheme's first year).
            caps = np.array([money((self.levy_last[u] if self.levy_last[u] is not None else self.levy_this[u])
                                   * multiple) for u in range(nu)])
            available = np.maximum(balances[pool] + other[pool], 0.0)
            # Each unit's share: by the size of its gap relative to its premium income (bands, the
            # first whose bound is above it, else the last) or the one share, times the province's
            # assessment of the unit, at most 1 (003 三(四), 五(三)).
            bands = p.get("gap_share_bands")
            shares = []
            for u in range(nu):
                if bands is None:
                    base = np.full(gaps[u].shape, float(share))
                else:
                    inc = self.ytd_income[u]
                    with np.errstate(divide="ignore", invalid="ignore"):
                        rel = np.where(inc > 0, gaps[u] / np.where(inc > 0, inc, 1.0), np.inf)
                    base = np.full(rel.shape, float(bands[-1][1]))
                    for bound, sh in reversed(bands):
                        base = np.where(rel < bound, sh, base)
                shares.append(np.minimum(base * self.assessment[u], 1.0))
            shares = np.array(shares)
            requests = np.where(gaps > 0, np.minimum(money(gaps * shares), caps), 0.0)
            total = requests.sum(axis=0)
            short = (total > available) & (total > 0)
            factor = np.where(available > 0, available / np.where(total > 0, total, 1.0), 0.0)
            paid = np.where(short, money(requests * factor), requests)
            # Rounding must not pay out more than the fund holds: the last payee gives it back.
            over = paid.sum(axis=0) - available
            for path in np.nonzero(short & (over > 0))[0]:
                last = np.nonzero(paid[:, path] > 0)[0]
                if len(last):
                    paid[last[-1], path] -= over[path]
            for u in range(nu):
                other[self.unit_fund[u]] += paid[u]
                other[pool] -= paid[u]
            # Other uses (policy compensation, emergencies): a share of the year's levies, at most
            # what is left, to the units in proportion to their levies; the rounding remainder to
            # the last unit with a levy.
            share_other = dated(p.get("other_uses_share", 0.0), t)
            if share_other > 0.0:
                levies = np.array([self.levy_this[u] for u in range(nu)])
                total_levy = levies.sum(axis=0)
                left = available - paid.sum(axis=0)
                amount = np.minimum(money(total_levy * share_other), left)
                go = (total_levy > 0) & (left > 0)
                amount = np.where(go, amount, 0.0)
                ratio = np.where(go, amount / np.where(total_levy > 0, total_levy, 1.0), 0.0)
                positive = levies > 0
                last = np.where(positive.any(axis=0), nu - 1 - np.argmax(positive[::-1], axis=0), -1)
                given = np.zeros_like(amount)
                spent = np.zeros_like(levies)
                for u in range(nu):
                    regular = np.where(positive[u] & (last != u), money(levies[u] * ratio), 0.0)
                    given = given + regular
                    spent[u] = regular
                for u in range(nu):
                    spent[u] = np.where(last == u, amount - given, spent[u])
                for u in range(nu):
                    other[self.unit_fund[u]] += spent[u]
                    other[pool] -= spent[u]
        elif self.kind == "city_unified":
            for u in range(nu):
                inc, sp = self.ytd_income[u], self.ytd_spending[u]
                # The approved budgets where the scenario gives them, else last year's grown.
                spec_u = self.unit_specs[u]
                rb = (np.full_like(self.last_income[u], money(dated(spec_u["revenue_budget"], t)))
                      if "revenue_budget" in spec_u
                      else money(self.last_income[u] * (1 + p.get("revenue_budget_growth", 0.0))))
                sb = (np.full_like(self.last_spending[u], money(dated(spec_u["spending_budget"], t)))
                      if "spending_budget" in spec_u
                      else money(self.last_spending[u] * (1 + p.get("spending_budget_growth", 0.0))))
                gap = sp - inc
                within_share = 1 - p.get("within_budget_city_share", 1.0)
                beyond_share = 1 - p.get("beyond_budget_city_share", 0.8)
                if p.get("overspend_sharing", "whole_gap") == "whole_gap":
                    # 004 三(四)2(1) literally: once spending exceeds its budget the whole gap is
                    # shared 80/20.
                    met = np.where(sp > sb, money(gap * beyond_share), money(gap * within_share))
                else:
                    beyond = np.clip(sp - sb, 0.0, np.maximum(gap, 0.0))
                    met = money((gap - beyond) * within_share) + money(beyond * beyond_share)
                missed = money(gap * p.get("missed_revenue_treasury_share", 1.0))
                due = np.where(gap > 0, np.where(inc >= rb, met, missed), 0.0)
                if booking == 12:
                    treasury[pool] += due
                else:
                    self.treasury_due = self.treasury_due + due
        for u in range(nu):
            self.last_income[u], self.last_spending[u] = self.ytd_income[u], self.ytd_spending[u]
            self.ytd_income[u], self.ytd_spending[u] = np.zeros_like(self.ytd_income[u]), np.zeros_like(self.ytd_spending[u])
            self.levy_last[u] = self.levy_this[u]


def year_end_rules(s: Scenario, t: int, funds: list, records: list, units: list, memos: list):
    """Management rules (MODEL.md): at a year end, a unit whose pooled fund (or, for accounts of
    one fund, the whole fund) is below `below_months` of capacity has its employer rate raised
    by `step` from January, up to `ceiling`."""
    rules = s.rules
    pooled = [f for f, fund in enumerate(funds) if fund.kind == "pooled"]
    total = None
    if s.pooling.get("kind") == "accounts":
        balance = sum(records[f]["pooled_balance"] for f in pooled)
        avg = sum(records[f]["avg_monthly_spending_12m"] for f in pooled)
        with np.errstate(divide="ignore", invalid="ignore"):
            total = np.where(avg > 0, balance / avg, np.inf)
    for f in pooled:
        u = funds[f].unit
        own = records[f]["months_of_capacity"]
        c = units[u].contrib
        for rule in rules:
            if "units" in rule and s.units[u].name not in rule["units"]:
                continue
            # Under accounts pooling the rule judges the fund, or with judged_on = "account" the
            # account itself.
            months = total if (total is not None and rule.get("judged_on", "fund") == "fund") else own
            policy = s.units[u].policy
            if rule["kind"] == "raise_resident_contribution":
                room = max(rule["ceiling"] - dated(policy["resident_rate"], t + 1), 0.0)
                new = np.minimum(c.resident_uplift + rule["step"], room)
                fire = (months < rule["below_months"]) & (new > c.resident_uplift + 1e-12)
                c.resident_uplift = np.where(fire, new, c.resident_uplift)
                c.subsidy_uplift = c.subsidy_uplift + np.where(fire, rule.get("subsidy_step", 0.0), 0.0)
            else:
                room = max(rule["ceiling"] - dated(policy["employer_rate"], t + 1), 0.0)
                new = np.minimum(c.uplift + rule["step"], room)
                fire = (months < rule["below_months"]) & (new > c.uplift + 1e-12)
                c.uplift = np.where(fire, new, c.uplift)
            memos[f]["rule_fired"] = np.maximum(memos[f]["rule_fired"], fire.astype(float))


# --- the projection ------------------------------------------------------------------------------

MATERNITY_LINES = ("income_maternity", "spending_maternity_medical", "spending_maternity_allowance")
INCOME = ("income_employer", "income_employee", "income_flexible", "income_buyin", "income_maternity",
          "income_treasury", "income_resident", "income_subsidy")
SPENDING = ("spending_inpatient", "spending_critical_illness", "spending_tier2", "spending_outpatient",
            "spending_personal_account", "spending_maternity_medical", "spending_maternity_allowance")
MEMO = ("personal_account_income", "births_insured", "births_spouse") \
    + tuple(f"members_{x}" for x in STATUS_NAMES) + ("entries", "exits", "deaths", "retirements",
                                                     "employer_rate_uplift", "rule_fired")


class UnitRun:
    """One unit along every path: membership, contributions, benefits and maternity."""

    def __init__(self, s: Scenario, u: Unit, d: Drivers, rng, threshold: float):
        self.s, self.u, self.d = s, u, d
        self.m = Membership(s, u, d.paths, rng=rng, threshold=threshold)
        # A unit with at least `run.random_counts_below_members` members at the start draws
        # no random counts: expected values in every cell.
        if float(self.m.cells[0].sum()) >= s.random_counts_below_members:
            threshold = 0.0
            self.m.threshold = 0.0
        self.contrib = Contributions(s, u, self.m, d)
        self.benefits = Benefits(s, u, d)
        self.maternity = Maternity(s, u, self.contrib, self.benefits, d, rng, threshold)
        mat = u.policy.get("maternity")
        self.merger = month(mat["merger"]) if mat and "merger" in mat else None

    def separate(self, t: int) -> bool:
        return self.merger is not None and t < self.merger

    def month(self, k: int) -> tuple[dict, dict]:
        """The month's lines (from the cells at its start) and memo, then the month's flows."""
        s, m = self.s, self.m
        t = s.start + k
        if k > 0 and t % 12 == 0:
            m.age_one_year()
        members = m.totals()
        cells = m.cells.copy()
        m.step(k, self.d.employment_growth[:, year_index(s, t)],
               self.d.retirement_take_up[:, year_index(s, t)])
        lines = self.contrib.month(t, cells, m.retirements_by_sex, m.first_extra)
        personal = lines.pop("personal_account_income")
        lines.update(self.benefits.month(k, cells, self.contrib))
        births = self.maternity.month(k, cells)
        self.benefits.after_step(m.entries)
        zero = np.zeros(self.d.paths)
        memo = {"personal_account_income": personal, "births_insured": births.pop("births_insured", zero),
                "births_spouse": births.pop("births_spouse", zero),
                **{f"members_{x}": members[:, i] for i, x in enumerate(STATUS_NAMES)},
                "entries": m.entries.sum(axis=1), "exits": m.exits.sum(axis=1),
                "deaths": m.deaths.sum(axis=1), "retirements": m.retirements_by_sex.sum(axis=1),
                "employer_rate_uplift": self.contrib.uplift.copy(), "rule_fired": zero}
        lines.update(births)
        full = {key: lines.get(key, zero) for key in INCOME + SPENDING}
        return full, memo


def project(s: Scenario, d: Drivers, exact: bool, on_month=None, rng=None, threshold: float = 0.0):
    """Projects every unit and fund over the horizon for the paths of `d`, month by month: each
    unit's lines (maternity lines to a separate maternity fund before its merger, whose balance
    moves to the pooled fund at the start of the merger month), the pooling rule's transfers,
    every fund's posting, then the year-end management rules. `exact`: lines rounded to the fen
    (the expected path, as the ledger). `rng` and `threshold`: draw deaths, exits, retirements
    and births in cells below `threshold` persons. `on_month(fund, k, row)` sees every fund's
    month: its lines, book and memo."""
    n = d.paths
    units = [UnitRun(s, u, d, rng, threshold) for u in s.units]
    funds, openings, unit_fund, maternity_fund = funds_of(s)
    pool = next((f for f, x in enumerate(funds) if x.kind in ("adjustment", "city")), None)
    pooling = Pooling(s, unit_fund, pool, n, exact)
    books = [Book(b, sp, n, exact) for b, sp in openings]
    for k in range(s.horizon):
        t = s.start + k
        lines = [{key: np.zeros(n) for key in INCOME + SPENDING} for _ in funds]
        memos = [{key: np.zeros(n) for key in MEMO} for _ in funds]
        transfer_merger = [np.zeros(n) for _ in funds]
        other = [np.zeros(n) for _ in funds]
        treasury = [np.zeros(n) for _ in funds]
        balances = [b.balance.copy() for b in books]
        unit_income, unit_spending = [], []
        for ui, ur in enumerate(units):
            unit_lines, memo = ur.month(k)
            if exact:
                unit_lines = {key: fen(v) for key, v in unit_lines.items()}
            pf, mf = unit_fund[ui], maternity_fund[ui]
            if mf is not None:
                memos[mf] = memo
                if ur.separate(t):
                    for key in MATERNITY_LINES:
                        lines[mf][key] = lines[mf][key] + unit_lines[key]
                        unit_lines[key] = np.zeros(n)
                elif t == ur.merger:
                    moved = books[mf].balance.copy()
                    transfer_merger[pf] += moved
                    transfer_merger[mf] -= moved
            for key, v in unit_lines.items():
                lines[pf][key] = lines[pf][key] + v
            unit_income.append(sum(unit_lines[key] for key in INCOME))
            unit_spending.append(sum(unit_lines[key] for key in SPENDING))
            for key, v in memo.items():
                combine = np.maximum if key in ("employer_rate_uplift", "rule_fired") else np.add
                memos[pf][key] = combine(memos[pf][key], v)
        pooling.apply(t, unit_income, unit_spending, balances, other, treasury)
        rate = d.interest_rate[:, year_index(s, t)]
        records = []
        for f, book in enumerate(books):
            lines[f]["income_treasury"] = lines[f]["income_treasury"] + treasury[f]
            income = sum(lines[f][key] for key in INCOME)
            spending = sum(lines[f][key] for key in SPENDING)
            rec = book.post(income, spending, rate, transfer_merger[f], other[f],
                            lines[f]["spending_personal_account"])
            rec.update(lines[f], income_total=income, spending_total=spending)
            records.append(rec)
        if t % 12 == 11 and s.rules:
            year_end_rules(s, t, funds, records, units, memos)
        if on_month is not None:
            for f, fund in enumerate(funds):
                on_month(fund, k, {**records[f], **(memos[f] if fund.kind in ("pooled", "city") else {})})


def project_expected(s: Scenario) -> dict:
    """The expected path as ledger rows: {(fund, month index): {column: value}}."""
    rows = {}

    def keep(fund, k, row):
        rows[(fund.name, s.start + k)] = {key: float(np.asarray(v).reshape(-1)[0]) for key, v in row.items()}

    project(s, expected_drivers(s), exact=True, on_month=keep)
    return rows


# --- Monte Carlo ---------------------------------------------------------------------------------

def simulate(s: Scenario, n: int, seed: int, threshold: float | None = None) -> dict:
    """n paths at once: {(fund, year): (year-end balances, year-end months of capacity)} for every
    fund."""
    rng = np.random.default_rng(seed)
    d = sample_drivers(s, n, rng)
    if threshold is None:
        threshold = s.small_cell_threshold
    out = {}

    def closed(fund, t):
        """A maternity fund is closed from its merger on (the summary has no rows for it)."""
        mat = s.units[fund.unit].policy.get("maternity") or {}
        return fund.kind == "maternity" and "merger" in mat and month(mat["merger"]) <= t

    def keep(fund, k, row):
        t = s.start + k
        if t % 12 == 11 and not closed(fund, t):
            out[(fund.name, t // 12)] = (row["pooled_balance"].copy(), row["months_of_capacity"].copy())

    project(s, d, exact=False, on_month=keep, rng=rng, threshold=threshold)
    return out


QUANTILES = (0.05, 0.25, 0.50, 0.75, 0.95)


def summary_rows(sim: dict) -> list[dict]:
    """Per fund and year: mean balance and its standard error, quantiles of the balance and of
    months of capacity, and P(months < 6), P(months < 3), P(balance < 0) with standard errors."""
    rows = []
    for (fund, year), (bal, months) in sorted(sim.items()):
        n = len(bal)
        r = {"unit": fund, "year": year, "paths": n, "balance_mean": bal.mean(),
             "balance_mean_se": bal.std(ddof=1) / math.sqrt(n) if n > 1 else 0.0}
        for q in QUANTILES:
            tag = f"p{round(q * 100)}"
            r[f"balance_{tag}"] = float(np.quantile(bal, q))
            r[f"months_{tag}"] = float(np.quantile(months, q))
        for name, hit in (("p_months_lt_6", months < 6), ("p_months_lt_3", months < 3), ("p_exhausted", bal < 0)):
            p = hit.mean()
            r[name], r[f"{name}_se"] = p, math.sqrt(p * (1 - p) / n)
        rows.append(r)
    return rows


def check_summary(sim: dict, summary: Path, sigmas: float = 5.0) -> list[str]:
    """Disagreements between the reference's Monte Carlo and `fundrisk run`'s summary.csv beyond
    Monte Carlo error: means by their joint standard error, probabilities likewise, quantiles by
    the reference sample's order-statistic interval at `sigmas` standard deviations."""
    problems = []
    with open(summary, encoding="utf-8") as f:
        rust = {(r["unit"], int(r["year"])): r for r in csv.DictReader(f)}
    for (fund, year), (bal, months) in sorted(sim.items()):
        r = rust.get((fund, year))
        if r is None:
            problems.append(f"{fund} {year}: not in {summary}")
            continue
        n = len(bal)
        se = math.hypot(bal.std(ddof=1) / math.sqrt(n), float(r["balance_mean_se"]))
        if abs(bal.mean() - float(r["balance_mean"])) > sigmas * se:
            problems.append(f"{fund} {year} balance_mean: {bal.mean():.6g} vs {r['balance_mean']} (se {se:.3g})")
        for name, hit in (("p_months_lt_6", months < 6), ("p_months_lt_3", months < 3), ("p_exhausted", bal < 0)):
            p, q = hit.mean(), float(r[name])
            se = math.hypot(math.sqrt(p * (1 - p) / n), float(r[f"{name}_se"]))
            if abs(p - q) > max(sigmas * se, 1.5 / n):
                problems.append(f"{fund} {year} {name}: {p:.4f} vs {q:.4f}")
        for values, prefix in ((np.sort(bal), "balance"), (np.sort(months), "months")):
            for q in QUANTILES:
                width = sigmas * math.sqrt(n * q * (1 - q))
                lo = values[max(int(math.floor(n * q - width)), 0)]
                hi = values[min(int(math.ceil(n * q + width)), n - 1)]
                cell = r[f"{prefix}_p{round(q * 100)}"]
                x = float(cell) if cell != "" else math.inf   # empty: unbounded months
                if not lo <= x <= hi:
                    problems.append(f"{fund} {year} {prefix}_p{round(q * 100)}: {x:.6g} outside [{lo:.6g}, {hi:.6g}]")
    return problems


# Columns of ledger.csv by what they hold: memo columns are printed with these decimals.
DECIMALS = {"births_insured": 4, "births_spouse": 4, "employer_rate_uplift": 4, "rule_fired": 0}


def compare_ledger(s: Scenario, ledger: Path, expected: dict) -> dict:
    """Per column of `ledger.csv`, the worst relative difference between its rows and the
    reference's expected path (`project_expected`), beyond the ledger's printing: half a unit
    of its last decimal, plus a fen per unit line summed into a city fund's money. Every row of
    the ledger must have its reference row and every reference row its ledger row."""
    worst: dict = {}
    units = len(s.units) if s.pooling.get("kind") == "city_unified" else 1
    with open(ledger, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    seen = set()
    for r in rows:
        key = (r["unit"], month(r["month"]))
        seen.add(key)
        ref = expected.get(key)
        if ref is None:
            worst["missing rows"] = 1.0
            continue
        for column, text in r.items():
            if column in ("unit", "month"):
                continue
            worst.setdefault(column, 0.0)
            b = ref.get(column)
            if text == "" or b is None:
                # Empty on both sides: memo columns of maternity and adjustment funds, months
                # of capacity without spending (unbounded).
                if (text == "") != (b is None or math.isinf(b)):
                    worst[column] = max(worst[column], 1.0)
                continue
            a = float(text)
            decimals = DECIMALS.get(column, 2)
            tol = 0.5 * 10.0 ** -decimals + 1e-9
            if column.startswith(("income_", "spending_")) or column in ("interest",):
                tol = 0.005 + 0.01 * units
            elif column == "months_of_capacity":
                tol = 0.01 + 1e-9          # a fen of balance can turn its second decimal
            off = max(abs(a - b) - tol, 0.0)
            if off > 0:
                worst[column] = max(worst[column], off / max(abs(a), abs(b)))
    if set(expected) - seen:
        worst["extra rows"] = 1.0
    return worst


def main(argv: list[str]) -> int:
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenario", type=Path)
    ap.add_argument("--ledger", type=Path, help="compare the expected path with this ledger.csv")
    ap.add_argument("--paths", type=int, help="run this many Monte Carlo paths")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--summary", type=Path, help="compare the paths with this summary.csv")
    ap.add_argument("--out", type=Path, help="write the reference's summary here (CSV)")
    a = ap.parse_args(argv)
    scenario = load(a.scenario)
    status = 0
    if a.ledger:
        expected = project_expected(scenario)
        worst = compare_ledger(scenario, a.ledger, expected)
        for column, d in worst.items():
            print(f"{column}: worst relative difference from the ledger {d:.3e}")
        print(f"ledger: {len(expected)} rows × {len(worst)} columns compared")
        # Far inside the 0.01 % the issue asks: both sides compute the same expected values in
        # floating point, so anything above rounding noise is a difference of model.
        status |= int(max(worst.values()) > 1e-8)
    if a.paths:
        import time
        started = time.perf_counter()
        sim = simulate(scenario, a.paths, a.seed)
        print(f"simulated {a.paths} paths in {time.perf_counter() - started:.2f} s")
        if a.out:
            rows = summary_rows(sim)
            with open(a.out, "w", newline="", encoding="utf-8") as f:
                w = csv.DictWriter(f, fieldnames=list(rows[0]))
                w.writeheader()
                w.writerows(rows)
        if a.summary:
            problems = check_summary(sim, a.summary)
            for p in problems:
                print("disagrees:", p)
            print(f"summary: {len(problems)} disagreements beyond Monte Carlo error")
            status |= int(bool(problems))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

